//! lines: text split at its line breaks (`\n`; a `\r` stays with its line), for the fast paths
//! that read a file line by line. Configuration lines are short, and `str::split` set up a
//! searcher for each one that cost more than scanning the line byte by byte.

/// The lines of `text` as `text.split('\n')` gives them: the last one is empty when the text
/// ends with a line break.
pub(crate) fn split(text: &str) -> Split<'_> {
    Split { rest: Some(text) }
}

pub(crate) struct Split<'t> {
    rest: Option<&'t str>,
}

impl<'t> Iterator for Split<'t> {
    type Item = &'t str;

    fn next(&mut self) -> Option<&'t str> {
        let rest = self.rest?;
        match rest.bytes().position(|b| b == b'\n') {
            Some(at) => {
                self.rest = Some(&rest[at + 1..]);
                Some(&rest[..at])
            }
            None => {
                self.rest = None;
                Some(rest)
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    proptest! {
        #[test]
        fn the_lines_are_what_str_split_gives(text in "[a\\n\\r é]{0,40}") {
            let ours: Vec<&str> = super::split(&text).collect();
            let std: Vec<&str> = text.split('\n').collect();
            prop_assert_eq!(ours, std);
        }
    }
}
