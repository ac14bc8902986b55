//! line_diff: which lines of a file changed, from the bytes of its two versions.
//!
//! The line diff is imara-diff's Myers, which follows git's (with git's default indent
//! heuristic for where an ambiguous hunk sits), so the hunks are those of `git diff -U0`.
//! It is pure: a source that has both blobs uses it, and so does the engine for a file whose
//! source left its hunks to be computed when the engine reads the file anyway.

use imara_diff::{Algorithm, InternedInput};

use super::{Content, Hunk};

/// The changed lines of one file.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct LineDiff {
    pub hunks: Vec<Hunk>,
    pub added: u32,
    pub deleted: u32,
}

/// The hunks between two sides as read; `None` when a side is not text (binary, too large,
/// a link), which has no lines to compare, as in `git diff`.
pub fn between(old: &Content, new: &Content) -> Option<LineDiff> {
    fn bytes(c: &Content) -> Option<&[u8]> {
        match c {
            Content::Text(t) => Some(t.as_bytes()),
            Content::Absent => Some(&[]),
            _ => None,
        }
    }
    Some(diff(bytes(old)?, bytes(new)?))
}

/// The hunks between `old` and `new` (an absent side is empty).
pub fn diff(old: &[u8], new: &[u8]) -> LineDiff {
    if old == new {
        return LineDiff::default();
    }
    let input = InternedInput::new(old, new);
    let mut diff = imara_diff::Diff::compute(Algorithm::Myers, &input);
    diff.postprocess_lines(&input);
    let hunks = diff
        .hunks()
        .map(|h| {
            // An empty side names the line before the gap, as `git diff -U0` prints it.
            let start = |range: &std::ops::Range<u32>| {
                if range.is_empty() {
                    range.start
                } else {
                    range.start + 1
                }
            };
            Hunk {
                old_start: start(&h.before),
                old_lines: h.before.len() as u32,
                new_start: start(&h.after),
                new_lines: h.after.len() as u32,
            }
        })
        .collect();
    LineDiff {
        hunks,
        added: diff.count_additions(),
        deleted: diff.count_removals(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hunk(old_start: u32, old_lines: u32, new_start: u32, new_lines: u32) -> Hunk {
        Hunk {
            old_start,
            old_lines,
            new_start,
            new_lines,
        }
    }

    #[test]
    fn an_edited_line_and_an_appended_one_are_two_hunks() {
        let d = diff(b"a\nb\nc\n", b"a\nB\nc\nd\n");
        assert_eq!(d.hunks, vec![hunk(2, 1, 2, 1), hunk(3, 0, 4, 1)]);
        assert_eq!((d.added, d.deleted), (2, 1));
    }

    #[test]
    fn an_absent_side_is_all_added_or_all_deleted() {
        assert_eq!(diff(b"", b"x\ny\n").hunks, vec![hunk(0, 0, 1, 2)]);
        let gone = diff(b"x\n", b"");
        assert_eq!(gone.hunks, vec![hunk(1, 1, 0, 0)]);
        assert_eq!((gone.added, gone.deleted), (0, 1));
    }

    #[test]
    fn identical_sides_have_no_hunks() {
        assert_eq!(diff(b"same\n", b"same\n"), LineDiff::default());
    }
}
