//! Git trailers (`Key: value` lines in the last paragraph of a commit message).

use serde::Serialize;

/// One trailer. The key keeps its original spelling; compare with [`Trailer::is`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Trailer {
    pub key: String,
    pub value: String,
}

impl Trailer {
    /// Trailer keys are case-insensitive (`Co-authored-by` = `co-authored-by`).
    pub fn is(&self, key: &str) -> bool {
        self.key.eq_ignore_ascii_case(key)
    }
}

/// Lines git itself writes into a trailer block; one makes a mixed block count (see below).
const GIT_GENERATED_PREFIXES: [&str; 2] = ["Signed-off-by: ", "(cherry picked from commit "];

/// Parses the trailer block: the last paragraph, as `git interpret-trailers` reads it. Every
/// non-continuation line in it must be a `Token: value` pair (tokens are letters, digits and
/// `-`), except that a paragraph holding a line git generates (`Signed-off-by: `,
/// `(cherry picked from commit …)`) may also hold other lines, up to three for each trailer;
/// those lines are skipped. Windows line endings are read as plain ones.
pub fn parse_trailers(message: &str) -> Vec<Trailer> {
    let message = message.replace("\r\n", "\n");
    let trimmed = message.trim_end();
    // A subject line alone is never a trailer block.
    let Some((_, last_paragraph)) = trimmed.rsplit_once("\n\n") else {
        return Vec::new();
    };
    let mut trailers: Vec<Trailer> = Vec::new();
    let mut trailer_lines = 0usize;
    let mut other_lines = 0usize;
    let mut git_generated = false;
    // Whether a continuation line would extend the last trailer (not some other line).
    let mut in_trailer = false;
    for line in last_paragraph.lines() {
        if line.starts_with([' ', '\t']) {
            match trailers.last_mut() {
                Some(t) if in_trailer => {
                    t.value.push(' ');
                    t.value.push_str(line.trim());
                }
                _ => other_lines += 1,
            }
            continue;
        }
        if GIT_GENERATED_PREFIXES.iter().any(|p| line.starts_with(p)) {
            git_generated = true;
        }
        match line.split_once(':') {
            Some((key, value))
                if !key.is_empty()
                    && key.chars().all(|c| c.is_ascii_alphanumeric() || c == '-') =>
            {
                trailers.push(Trailer {
                    key: key.to_owned(),
                    value: value.trim().to_owned(),
                });
                trailer_lines += 1;
                in_trailer = true;
            }
            _ if line.starts_with(GIT_GENERATED_PREFIXES[1]) => {
                trailer_lines += 1;
                in_trailer = false;
            }
            _ => {
                other_lines += 1;
                in_trailer = false;
            }
        }
    }
    let is_block = (trailer_lines > 0 && other_lines == 0)
        || (git_generated && trailer_lines * 3 >= other_lines);
    if is_block {
        trailers
    } else {
        // Not a trailer block after all: git ignores it entirely.
        Vec::new()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn reads_the_last_paragraph() {
        let msg = "Fix it\n\nBody text: not a trailer here\nmore\n\nCo-authored-by: Claude <noreply@anthropic.com>\nSigned-off-by: A <a@x>\n";
        let t = parse_trailers(msg);
        assert_eq!(t.len(), 2);
        assert!(t[0].is("co-authored-by"));
        assert_eq!(t[0].value, "Claude <noreply@anthropic.com>");
    }

    #[test]
    fn a_subject_alone_has_no_trailers() {
        assert!(parse_trailers("Fixes: something").is_empty());
    }

    #[test]
    fn a_prose_paragraph_is_not_a_trailer_block() {
        assert!(parse_trailers("Subj\n\nThis is prose: really\nand more").is_empty());
    }

    #[test]
    fn continuation_lines_join_the_value() {
        let t = parse_trailers("S\n\nNote: one\n  two");
        assert_eq!(t[0].value, "one two");
    }

    #[test]
    fn windows_line_endings_still_end_in_a_trailer_block() {
        let t = parse_trailers("Fix\r\n\r\nBody\r\n\r\nCo-authored-by: Bo <bo@x>\r\n");
        assert_eq!(t.len(), 1);
        assert_eq!(t[0].value, "Bo <bo@x>");
    }

    #[test]
    fn a_cherry_pick_note_does_not_hide_the_trailers_above_it() {
        let msg = "Fix\n\nCo-authored-by: Bo <bo@x>\n(cherry picked from commit 0123abc)\n";
        let t = parse_trailers(msg);
        assert_eq!(t.len(), 1);
        assert!(t[0].is("co-authored-by"));
    }

    #[test]
    fn a_signed_off_block_tolerates_a_few_other_lines_but_not_many() {
        let few = parse_trailers("S\n\nSee the issue\nSigned-off-by: A <a@x>\nAcked-by: B <b@x>");
        assert_eq!(few.len(), 2);
        let many = parse_trailers("S\n\none\ntwo\nthree\nfour\nSigned-off-by: A <a@x>");
        assert!(many.is_empty());
        // Without a line git generates, one stray line still spoils the block.
        assert!(parse_trailers("S\n\nSee the issue\nCo-authored-by: B <b@x>").is_empty());
    }

    proptest! {
        #[test]
        fn never_panics_and_keys_are_tokens(s in "\\PC*") {
            for t in parse_trailers(&s) {
                prop_assert!(t.key.chars().all(|c| c.is_ascii_alphanumeric() || c == '-'));
            }
        }
    }
}
