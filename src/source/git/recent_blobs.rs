//! recent_blobs: the blobs a snapshot read last, by object id. An analyzer that compares a
//! file with its siblings reads them through the snapshot, and the engine then reads each of
//! those siblings again when it reaches it as a changed file of its own, usually a few files
//! later on the same thread. Inflating a packed blob costs far more than copying its text,
//! and libgit2 keeps no blobs in its own object cache.

use crate::change::Content;
use git2::Oid;
use std::collections::VecDeque;

/// How many blobs are kept: a run of files a worker claims spans a few directories.
const KEEP: usize = 64;
/// At most this many bytes of text are kept at once, so memory stays bounded whatever the
/// files' sizes.
const KEEP_BYTES: usize = 4 << 20;
/// A blob larger than this is never kept: it would push out everything else.
const LARGEST: usize = 256 << 10;

#[derive(Default)]
pub(super) struct RecentBlobs {
    /// Oldest first.
    blobs: VecDeque<(Oid, Content)>,
    bytes: usize,
}

impl RecentBlobs {
    pub(super) fn get(&self, id: Oid) -> Option<Content> {
        self.blobs
            .iter()
            .rev()
            .find(|(kept, _)| *kept == id)
            .map(|(_, content)| content.clone())
    }

    pub(super) fn keep(&mut self, id: Oid, content: &Content) {
        let size = weight(content);
        if size > LARGEST || self.blobs.iter().any(|(kept, _)| *kept == id) {
            return;
        }
        while self.blobs.len() >= KEEP || self.bytes + size > KEEP_BYTES {
            match self.blobs.pop_front() {
                Some((_, old)) => self.bytes -= weight(&old),
                None => break,
            }
        }
        self.bytes += size;
        self.blobs.push_back((id, content.clone()));
    }
}

fn weight(content: &Content) -> usize {
    match content {
        Content::Text(text) => text.len(),
        _ => 0,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn id(n: u8) -> Oid {
        Oid::from_bytes(&[n; 20]).expect("a 20-byte id")
    }

    fn text(s: &str) -> Content {
        Content::Text(s.into())
    }

    #[test]
    fn a_kept_blob_is_found_by_its_id_only() {
        let mut recent = RecentBlobs::default();
        recent.keep(id(1), &text("a = 1"));
        recent.keep(id(2), &Content::Binary);
        assert_eq!(recent.get(id(1)), Some(text("a = 1")));
        assert_eq!(recent.get(id(2)), Some(Content::Binary));
        assert_eq!(recent.get(id(3)), None);
    }

    #[test]
    fn the_oldest_blob_goes_first_when_the_count_is_reached() {
        let mut recent = RecentBlobs::default();
        for n in 0..=KEEP as u8 {
            recent.keep(id(n), &text(&n.to_string()));
        }
        assert_eq!(recent.get(id(0)), None, "pushed out by the newest");
        assert_eq!(recent.get(id(1)), Some(text("1")));
        assert_eq!(recent.get(id(KEEP as u8)), Some(text(&KEEP.to_string())));
        assert_eq!(recent.blobs.len(), KEEP);
    }

    #[test]
    fn kept_text_stays_under_its_byte_budget() {
        let mut recent = RecentBlobs::default();
        let big = "x".repeat(LARGEST);
        for n in 0..40 {
            recent.keep(id(n), &text(&big));
            assert!(recent.bytes <= KEEP_BYTES, "{} bytes kept", recent.bytes);
        }
        assert_eq!(recent.bytes, recent.blobs.len() * LARGEST);
        assert_eq!(recent.get(id(39)), Some(text(&big)));
        assert_eq!(recent.get(id(0)), None);
    }

    #[test]
    fn a_blob_too_large_to_keep_is_read_again_next_time() {
        let mut recent = RecentBlobs::default();
        recent.keep(id(1), &text(&"y".repeat(LARGEST + 1)));
        assert_eq!(recent.get(id(1)), None);
        assert_eq!(recent.bytes, 0);
    }
}
