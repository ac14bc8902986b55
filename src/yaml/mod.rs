//! yaml: YAML with line numbers, for the analyzers (Kubernetes, workflows, CloudFormation).
//!
//! saphyr's parser reads the text (or, for plain block-style YAML, [`plain`] gives the same
//! events faster); [`events`] builds from the events a small owned [`Node`] tree that keeps
//! the first and last line of every value, so a finding can point at the line that matters.
//! Nothing outside this module touches saphyr. (The policy config uses serde_yaml, whose
//! error positions are enough there.)

use saphyr::Scalar;
use std::fmt;

mod events;
mod plain;

/// A YAML value with the lines (1-based) it spans in the source.
#[derive(Debug, Clone, PartialEq)]
pub struct Node {
    pub line: u32,
    pub end_line: u32,
    pub value: Value,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    Null,
    /// Any scalar, as text: `true`, `3`, `1.5` and `"3"` all become their string form.
    Scalar(String),
    Seq(Vec<Node>),
    /// Keys in document order; duplicate keys keep the last value, as YAML loaders do.
    Map(Vec<(String, Node)>),
    /// A value with a local tag such as CloudFormation's `!Ref` (the tag without the `!`).
    Tagged(String, Box<Node>),
}

/// A document that could not be parsed, with where.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct YamlError {
    pub line: u32,
    pub column: u32,
    pub message: String,
}

impl YamlError {
    /// For content that is not text at all (binary, unreadable).
    pub fn not_text() -> YamlError {
        YamlError {
            line: 0,
            column: 0,
            message: "not readable as text".to_owned(),
        }
    }
}

impl fmt::Display for YamlError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "line {} column {}: {}",
            self.line, self.column, self.message
        )
    }
}

impl std::error::Error for YamlError {}

/// Parses every document in a (possibly multi-document) YAML stream.
///
/// The tree is built straight from the parser's events. saphyr's own loader would first build
/// its node type (hashing every mapping key) only for it to be converted and thrown away; that
/// was a third of the time spent on YAML. What the loader decides is kept: scalars resolve as
/// it resolves them, a key repeated in a mapping is an error, and aliases expand within the
/// same node budget.
pub fn parse_documents(text: &str) -> Result<Vec<Node>, YamlError> {
    build(text, false, true)
}

/// [`parse_documents`], except that a key repeated in a mapping keeps its last value instead
/// of being an error: text that is YAML only once rendered (a chart template whose `if` and
/// `else` each write the same key) reads with every branch in it.
pub fn parse_documents_with_repeated_keys(text: &str) -> Result<Vec<Node>, YamlError> {
    build(text, true, true)
}

/// The nodes of `text`, from [`plain`]'s events as it reads them when it reads the whole text
/// (and `fast` allows), else from saphyr's parser.
fn build(text: &str, repeated_keys: bool, fast: bool) -> Result<Vec<Node>, YamlError> {
    let new_builder = || {
        let mut builder = events::Builder::default();
        builder.repeated_keys = repeated_keys;
        builder
    };
    let mut builder = new_builder();
    if fast && plain::read(text, &mut builder).is_some() {
        return builder.finish();
    }
    // The fast path gave up, maybe after handing over part of the text: saphyr starts afresh.
    // (The `&str` input borrows the text; `load_from_str` would re-buffer it char by char.)
    let mut builder = new_builder();
    let mut parser = saphyr_parser::Parser::new_from_str(text);
    parser.load(&mut builder, true).map_err(events::error)?;
    builder.finish()
}

/// The text of a resolved scalar: `true`, `3`, `1.5` and `"3"` all become their string form.
fn scalar_text(s: &Scalar<'_>) -> Value {
    match s {
        Scalar::Null => Value::Null,
        Scalar::Boolean(b) => Value::Scalar(b.to_string()),
        Scalar::Integer(i) => Value::Scalar(i.to_string()),
        Scalar::FloatingPoint(f) => Value::Scalar(f.to_string()),
        Scalar::String(s) => Value::Scalar(s.to_string()),
    }
}

/// How a mapping key reads as the `String` keys of [`Value::Map`].
fn key_text(key: &Value) -> String {
    match key {
        Value::Scalar(s) => s.clone(),
        Value::Null => "~".to_owned(),
        other => format!("{other:?}"),
    }
}

fn last_line(value: &Value) -> Option<u32> {
    match value {
        Value::Seq(items) => items.iter().map(|n| n.end_line).max(),
        Value::Map(entries) => entries.iter().map(|(_, n)| n.end_line).max(),
        Value::Tagged(_, inner) => Some(inner.end_line),
        Value::Null | Value::Scalar(_) => None,
    }
}

impl Node {
    /// The value under `key` when this is a mapping.
    pub fn get(&self, key: &str) -> Option<&Node> {
        match &self.value {
            Value::Map(entries) => entries.iter().find(|(k, _)| k == key).map(|(_, v)| v),
            Value::Tagged(_, inner) => inner.get(key),
            _ => None,
        }
    }
    /// Follows a path of mapping keys: `node.path(&["metadata", "name"])`.
    pub fn path(&self, keys: &[&str]) -> Option<&Node> {
        keys.iter().try_fold(self, |node, key| node.get(key))
    }
    /// The scalar text, when this is a scalar.
    pub fn as_str(&self) -> Option<&str> {
        match &self.value {
            Value::Scalar(s) => Some(s),
            _ => None,
        }
    }
    pub fn as_seq(&self) -> &[Node] {
        match &self.value {
            Value::Seq(items) => items,
            _ => &[],
        }
    }
    pub fn as_map(&self) -> &[(String, Node)] {
        match &self.value {
            Value::Map(entries) => entries,
            _ => &[],
        }
    }
    pub fn is_null(&self) -> bool {
        matches!(self.value, Value::Null)
    }
    /// Compares values, ignoring where they stand in the file.
    pub fn same_value(&self, other: &Node) -> bool {
        match (&self.value, &other.value) {
            (Value::Seq(a), Value::Seq(b)) => {
                a.len() == b.len() && a.iter().zip(b).all(|(x, y)| x.same_value(y))
            }
            (Value::Map(a), Value::Map(b)) => {
                a.len() == b.len()
                    && a.iter()
                        .all(|(k, v)| b.iter().any(|(k2, v2)| k == k2 && v.same_value(v2)))
            }
            (Value::Tagged(t1, a), Value::Tagged(t2, b)) => t1 == t2 && a.same_value(b),
            (a, b) => a == b,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn keeps_lines_of_nested_values() {
        let docs =
            parse_documents("a: 1\nb:\n  c: x\n  d:\n    - 1\n    - 2\n---\nkind: Namespace\n")
                .unwrap();
        assert_eq!(docs.len(), 2);
        let b = docs[0].get("b").unwrap();
        assert_eq!(b.path(&["c"]).unwrap().line, 3);
        assert_eq!(b.get("d").unwrap().end_line, 6);
        assert_eq!(docs[0].end_line, 6);
        assert_eq!(docs[1].get("kind").unwrap().as_str(), Some("Namespace"));
        assert_eq!(docs[1].get("kind").unwrap().line, 8);
    }

    #[test]
    fn local_tags_are_kept() {
        let docs = parse_documents("v: !Ref Bucket\nn: !!str 3\n").unwrap();
        match &docs[0].get("v").unwrap().value {
            Value::Tagged(tag, inner) => {
                assert_eq!(tag, "Ref");
                assert_eq!(inner.as_str(), Some("Bucket"));
            }
            other => panic!("expected a tag, got {other:?}"),
        }
        assert_eq!(docs[0].get("n").unwrap().as_str(), Some("3"));
    }

    #[test]
    fn errors_carry_a_position() {
        let err = parse_documents("a: [1, 2\nb: c\n").unwrap_err();
        assert!(err.line >= 1, "{err}");
        assert!(!err.message.is_empty());
    }

    #[test]
    fn same_value_ignores_position_and_key_order() {
        let a = parse_documents("x: 1\ny: [a, b]\n").unwrap();
        let b = parse_documents("\n\ny: [a, b]\nx: 1\n").unwrap();
        assert!(a[0].same_value(&b[0]));
    }

    proptest! {
        #[test]
        fn never_panics_on_arbitrary_text(s in "\\PC{0,200}") {
            let _ = parse_documents(&s);
        }

        #[test]
        fn never_panics_on_yamlish_text(s in "[a-z:\\- \\n\\[\\]{}'\"!&*|>#]{0,120}") {
            if let Ok(docs) = parse_documents(&s) {
                for d in docs { prop_assert!(d.end_line >= d.line); }
            }
        }
    }
}
