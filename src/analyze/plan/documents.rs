//! documents: splits the text of a `--plan` file into its JSON documents. Owns boundaries and
//! positions only; what each document says is the parent's. Pure.
//!
//! `terraform show -json` prints one document. Terragrunt's `run-all show -json` prints one per
//! unit, one after the other, and CI jobs save that whole stream as the plan file. Each is a
//! plan of its own and is read in turn, so one unit's delete is not hidden by the unit after
//! it. A document that does not parse ends the stream: what follows it cannot be told apart
//! from the rest of the broken one. Each byte is parsed once, and the newlines of a document
//! counted only when another follows it.

use serde::Deserialize;

/// One JSON document of a plan file, parsed or not.
pub(super) struct Document<'t, T> {
    /// The document's text (for one that does not parse: the rest of the file), with the
    /// whitespace before it.
    pub text: &'t str,
    /// How many lines of the file come before `text`: add it to a line within `text`.
    pub lines_before: usize,
    /// The 1-based line on which the document itself opens.
    pub first_line: usize,
    pub value: Result<T, serde_json::Error>,
}

/// The documents of `text`, in order; the last one is the first that does not parse, if any.
/// Text of nothing but whitespace has none.
pub(super) fn documents<'t, T: Deserialize<'t>>(text: &'t str) -> Vec<Document<'t, T>> {
    let mut stream = serde_json::Deserializer::from_str(text).into_iter::<T>();
    let mut out: Vec<Document<'t, T>> = Vec::new();
    let (mut start, mut lines_before) = (0, 0);
    while let Some(value) = stream.next() {
        // Counted only once a next document exists: a file of one plan, however large, is
        // not scanned for newlines here at all.
        if let Some(previous) = out.last() {
            lines_before += newlines(previous.text);
        }
        let failed = value.is_err();
        // After an error the stream's offset means nothing: the document is the rest.
        let end = if failed {
            text.len()
        } else {
            stream.byte_offset().clamp(start, text.len())
        };
        let Some(doc) = text.get(start..end) else {
            break;
        };
        let body = doc.trim_start();
        let first_line = lines_before + 1 + newlines(&doc[..doc.len() - body.len()]);
        out.push(Document {
            text: doc,
            lines_before,
            first_line,
            value,
        });
        if failed {
            break;
        }
        start = end;
    }
    out
}

fn newlines(text: &str) -> usize {
    text.bytes().filter(|&b| b == b'\n').count()
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use serde_json::Value;

    #[test]
    fn one_document_is_the_whole_text() {
        let docs = documents::<Value>("\n\n  {\"a\": 1}\n");
        assert_eq!(docs.len(), 1);
        assert_eq!(docs[0].first_line, 3);
        assert_eq!(docs[0].lines_before, 0);
        assert!(docs[0].value.is_ok());
    }

    #[test]
    fn a_concatenation_is_read_document_by_document_with_their_lines() {
        let text = "{\"a\": 1}\n{\n  \"b\": 2\n}\n\n{\"c\": 3}";
        let docs = documents::<Value>(text);
        let lines: Vec<(usize, usize)> = docs
            .iter()
            .map(|d| (d.lines_before, d.first_line))
            .collect();
        // A document's text starts where the one before it ends, newline included.
        assert_eq!(lines, [(0, 1), (0, 2), (3, 6)]);
        assert_eq!(docs[1].text.trim(), "{\n  \"b\": 2\n}");
        assert!(docs.iter().all(|d| d.value.is_ok()));
    }

    #[test]
    fn a_broken_document_ends_the_stream_and_holds_the_rest() {
        let text = "{\"a\": 1}\n{\"b\": \n{\"c\": 3}";
        let docs = documents::<Value>(text);
        assert_eq!(docs.len(), 2);
        assert!(docs[1].value.is_err());
        assert_eq!(docs[1].text, "\n{\"b\": \n{\"c\": 3}");
        assert_eq!(docs[1].first_line, 2);
    }

    #[test]
    fn whitespace_has_no_document() {
        assert!(documents::<Value>(" \n\t").is_empty());
    }

    proptest! {
        #[test]
        fn documents_cover_the_text_in_order_and_never_panic(
            text in "(\\PC|\n|\"|\\\\|:|,|\\[|\\]|\\{|\\}|1){0,80}",
        ) {
            let docs = documents::<Value>(&text);
            let joined: String = docs.iter().map(|d| d.text).collect();
            // What is left after the last document is whitespace.
            prop_assert!(text.starts_with(&joined));
            if docs.last().is_none_or(|d| d.value.is_ok()) {
                prop_assert!(text[joined.len()..].trim().is_empty());
            }
            for d in &docs {
                prop_assert!(d.first_line > d.lines_before);
            }
        }
    }
}
