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

/// Parses the trailer block: the last paragraph, when every non-continuation line in it is a
/// `Token: value` pair. Tokens are letters, digits and `-`, as `git interpret-trailers` expects.
pub fn parse_trailers(message: &str) -> Vec<Trailer> {
    let trimmed = message.trim_end();
    // A subject line alone is never a trailer block.
    let Some((_, last_paragraph)) = trimmed.rsplit_once("\n\n") else {
        return Vec::new();
    };
    let mut trailers: Vec<Trailer> = Vec::new();
    for line in last_paragraph.lines() {
        if line.starts_with([' ', '\t']) {
            // A continuation of the previous trailer's value.
            match trailers.last_mut() {
                Some(t) => {
                    t.value.push(' ');
                    t.value.push_str(line.trim());
                    continue;
                }
                None => return Vec::new(),
            }
        }
        match line.split_once(':') {
            Some((key, value))
                if !key.is_empty()
                    && key.chars().all(|c| c.is_ascii_alphanumeric() || c == '-') =>
            {
                trailers.push(Trailer {
                    key: key.to_owned(),
                    value: value.trim().to_owned(),
                })
            }
            // Not a trailer block after all: git ignores it entirely.
            _ => return Vec::new(),
        }
    }
    trailers
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

    proptest! {
        #[test]
        fn never_panics_and_keys_are_tokens(s in "\\PC*") {
            for t in parse_trailers(&s) {
                prop_assert!(t.key.chars().all(|c| c.is_ascii_alphanumeric() || c == '-'));
            }
        }
    }
}
