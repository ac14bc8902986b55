//! events: builds [`Node`]s from saphyr's parser events, deciding what saphyr's loader
//! decides (scalar resolution, duplicate keys, alias expansion) without building its tree.

use std::borrow::Cow;
use std::collections::HashMap;

use saphyr::Scalar;
use saphyr_parser::{Event, Marker, ScalarStyle, ScanError, Span, SpannedEventReceiver, Tag};

use super::{key_text, last_line, scalar_text, Node, Value, YamlError};

/// How many nodes aliases may produce in one stream, as saphyr's loader allows: a few nested
/// anchors could otherwise expand exponentially (a "billion laughs").
const ALIAS_NODE_BUDGET: usize = 100_000;

pub(super) fn error(e: ScanError) -> YamlError {
    at(e.marker(), e.info())
}

fn at(mark: &Marker, message: &str) -> YamlError {
    YamlError {
        line: mark.line() as u32,
        column: mark.col() as u32 + 1,
        message: message.to_owned(),
    }
}

fn line_of(mark: &Marker) -> u32 {
    mark.line().max(1) as u32
}

/// A collection being read.
enum Open {
    Seq(Vec<Node>),
    Map {
        entries: Vec<(String, Node)>,
        /// Each key read, as the loader compares keys (`1` and `"1"` differ, `1.0` and
        /// `1.00` do not): its kind and the entry its text names.
        identities: Vec<(u8, usize)>,
        /// The key read, waiting for its value, with where it started.
        key: Option<(Node, u8, Marker)>,
    },
}

struct Frame<'input> {
    line: u32,
    anchor: usize,
    tag: Option<Cow<'input, Tag>>,
    open: Open,
}

#[derive(Default)]
pub(super) struct Builder<'input> {
    docs: Vec<Node>,
    root: Option<Node>,
    stack: Vec<Frame<'input>>,
    anchors: HashMap<usize, Node>,
    aliased_nodes: usize,
    /// The first thing the events said that the loader refuses; the rest is ignored.
    error: Option<YamlError>,
    /// Whether a key repeated in a mapping keeps its last value instead of being an error.
    pub(super) repeated_keys: bool,
}

impl<'input> SpannedEventReceiver<'input> for Builder<'input> {
    fn on_event(&mut self, event: Event<'input>, span: Span) {
        if self.error.is_none() {
            if let Err(e) = self.take(event, span) {
                self.error = Some(e);
            }
        }
    }
}

impl<'input> Builder<'input> {
    pub(super) fn finish(self) -> Result<Vec<Node>, YamlError> {
        match self.error {
            Some(e) => Err(e),
            None => Ok(self.docs),
        }
    }

    fn take(&mut self, event: Event<'input>, span: Span) -> Result<(), YamlError> {
        let mark = span.start;
        match event {
            Event::Nothing | Event::StreamStart | Event::StreamEnd | Event::DocumentStart(_) => {}
            Event::DocumentEnd => {
                let doc = self.root.take().unwrap_or(Node {
                    line: line_of(&mark),
                    end_line: line_of(&mark),
                    value: Value::Null,
                });
                self.docs.push(doc);
            }
            Event::SequenceStart(anchor, tag) => self.stack.push(Frame {
                line: line_of(&mark),
                anchor,
                tag,
                open: Open::Seq(Vec::new()),
            }),
            Event::MappingStart(anchor, tag) => self.stack.push(Frame {
                line: line_of(&mark),
                anchor,
                tag,
                open: Open::Map {
                    entries: Vec::new(),
                    identities: Vec::new(),
                    key: None,
                },
            }),
            Event::SequenceEnd | Event::MappingEnd => {
                let Some(frame) = self.stack.pop() else {
                    return Ok(());
                };
                let value = match frame.open {
                    Open::Seq(items) => Value::Seq(items),
                    Open::Map { entries, .. } => Value::Map(entries),
                };
                let node = tagged(frame.tag.as_deref(), node_at(frame.line, value));
                self.insert(node, frame.anchor, KIND_COLLECTION, mark)?;
            }
            Event::Scalar(text, style, anchor, tag) => {
                let line = line_of(&mark);
                let (value, kind) = resolve(text, style, tag.as_ref());
                let node = match tag.as_deref() {
                    Some(tag) if !tag.is_yaml_core_schema() => {
                        tagged(Some(tag), node_at(line, value))
                    }
                    _ => node_at(line, value),
                };
                self.insert(node, anchor, kind, mark)?;
            }
            Event::Alias(id) => {
                let node = match self.anchors.get(&id) {
                    Some(anchored) => {
                        self.aliased_nodes += count_nodes(anchored);
                        if self.aliased_nodes > ALIAS_NODE_BUDGET {
                            return Err(at(
                                &mark,
                                "alias expansion exceeded the maximum node budget (possible billion-laughs attack)",
                            ));
                        }
                        let line = line_of(&mark);
                        let value = anchored.value.clone();
                        node_at(line, value)
                    }
                    None => node_at(line_of(&mark), Value::Null),
                };
                self.insert(node, 0, KIND_ALIAS, mark)?;
            }
        }
        Ok(())
    }

    fn insert(
        &mut self,
        node: Node,
        anchor: usize,
        kind: u8,
        mark: Marker,
    ) -> Result<(), YamlError> {
        if anchor > 0 {
            self.anchors.insert(anchor, node.clone());
        }
        let Some(parent) = self.stack.last_mut() else {
            self.root = Some(node);
            return Ok(());
        };
        match &mut parent.open {
            Open::Seq(items) => items.push(node),
            Open::Map {
                entries,
                identities,
                key,
            } => match key.take() {
                None => *key = Some((node, kind, mark)),
                Some((key_node, key_kind, key_mark)) => {
                    let text = match key_node.value {
                        Value::Scalar(text) => text,
                        other => key_text(&other),
                    };
                    // Keys the loader tells apart (`1` and `"1"`) read the same as text: the
                    // later value wins, in the earlier key's place.
                    let entry = entries.iter().position(|(existing, _)| *existing == text);
                    let identity = (key_kind, entry.unwrap_or(entries.len()));
                    if identities.contains(&identity) && !self.repeated_keys {
                        return Err(at(&key_mark, "duplicated key in mapping"));
                    }
                    identities.push(identity);
                    match entry {
                        Some(at) => entries[at].1 = node,
                        None => entries.push((text, node)),
                    }
                }
            },
        }
        Ok(())
    }
}

const KIND_NULL: u8 = 0;
const KIND_BOOL: u8 = 1;
const KIND_INT: u8 = 2;
const KIND_FLOAT: u8 = 3;
const KIND_STRING: u8 = 4;
const KIND_COLLECTION: u8 = 5;
const KIND_ALIAS: u8 = 6;
const KIND_TAGGED: u8 = 7;

/// A scalar's value as the loader resolves it (a plain `true` is a boolean, a quoted one a
/// string; a value its core-schema tag rejects is nothing), with its kind for key comparison.
fn resolve(text: Cow<'_, str>, style: ScalarStyle, tag: Option<&Cow<'_, Tag>>) -> (Value, u8) {
    if let Some(tag) = tag.filter(|t| !t.is_yaml_core_schema()) {
        // A local tag (`!Ref x`): the text is read as if untagged; the tag wraps it.
        let (value, _) = resolve(text, style, None);
        return (value, KIND_TAGGED + u8::from(tag.handle == "!"));
    }
    if tag.is_none() && surely_string(&text, style) {
        return (Value::Scalar(text.into_owned()), KIND_STRING);
    }
    resolve_by_schema(text, style, tag)
}

/// Whether an untagged scalar is a string without asking the core schema: quoted, or plain
/// and starting with a character no null, boolean or number can start with. Most scalars of
/// a manifest (kinds, names, images) are, and the schema's guesses (an integer parse, a
/// float parse) cost more than building the rest of the tree.
fn surely_string(text: &str, style: ScalarStyle) -> bool {
    style != ScalarStyle::Plain
        || text.as_bytes().first().is_some_and(|b| {
            !matches!(
                b,
                b'~' | b'n' | b'N' | b't' | b'T' | b'f' | b'F' | b'+' | b'-' | b'.'
            ) && !b.is_ascii_digit()
        })
}

/// [`resolve`] for an untagged scalar or a core-schema tag, by the core schema's rules.
fn resolve_by_schema(
    text: Cow<'_, str>,
    style: ScalarStyle,
    tag: Option<&Cow<'_, Tag>>,
) -> (Value, u8) {
    match Scalar::parse_from_cow_and_metadata(text, style, tag) {
        None => (Value::Null, KIND_NULL),
        Some(scalar) => {
            let kind = match &scalar {
                Scalar::Null => KIND_NULL,
                Scalar::Boolean(_) => KIND_BOOL,
                Scalar::Integer(_) => KIND_INT,
                Scalar::FloatingPoint(_) => KIND_FLOAT,
                Scalar::String(_) => KIND_STRING,
            };
            (scalar_text(&scalar), kind)
        }
    }
}

fn node_at(line: u32, value: Value) -> Node {
    let end_line = last_line(&value).unwrap_or(line).max(line);
    Node {
        line,
        end_line,
        value,
    }
}

/// A node under its tag: a local tag (`!Ref`) is kept; a global one only named a type.
fn tagged(tag: Option<&Tag>, node: Node) -> Node {
    match tag {
        Some(tag) if !tag.is_yaml_core_schema() && tag.handle == "!" => Node {
            line: node.line,
            end_line: node.end_line,
            value: Value::Tagged(tag.suffix.clone(), Box::new(node)),
        },
        _ => node,
    }
}

/// Nodes as the loader counts them against the alias budget.
fn count_nodes(node: &Node) -> usize {
    1 + match &node.value {
        Value::Seq(items) => items.iter().map(count_nodes).sum(),
        Value::Map(entries) => entries.iter().map(|(_, v)| 1 + count_nodes(v)).sum(),
        Value::Null | Value::Scalar(_) | Value::Tagged(..) => 0,
    }
}

#[cfg(test)]
mod tests {
    use super::super::parse_documents;
    use super::*;
    use proptest::prelude::*;
    use saphyr::{LoadableYamlNode, MarkedYaml, YamlData};

    /// What saphyr's own loader makes of `text`, converted to [`Node`]s: the reference the
    /// event builder must agree with.
    fn via_loader(text: &str) -> Result<Vec<Node>, YamlError> {
        let mut parser = saphyr_parser::Parser::new_from_str(text);
        let docs = MarkedYaml::load_from_parser(&mut parser).map_err(error)?;
        Ok(docs.iter().map(|d| convert(d, 1)).collect())
    }

    fn convert(node: &MarkedYaml<'_>, outer_line: u32) -> Node {
        // A tagged scalar's inner node has no position of its own: it stands where its tag does.
        let line = match node.span.start.line() {
            0 => outer_line,
            n => n as u32,
        };
        let value = match &node.data {
            YamlData::Value(s) => scalar_text(s),
            YamlData::Representation(text, _, _) => Value::Scalar(text.to_string()),
            YamlData::Sequence(items) => Value::Seq(items.iter().map(|n| convert(n, 1)).collect()),
            YamlData::Mapping(map) => {
                let mut entries: Vec<(String, Node)> = Vec::new();
                for (k, v) in map.iter() {
                    let key = key_text(&convert(k, 1).value);
                    let value = convert(v, 1);
                    match entries.iter_mut().find(|(existing, _)| *existing == key) {
                        Some(slot) => slot.1 = value,
                        None => entries.push((key, value)),
                    }
                }
                Value::Map(entries)
            }
            YamlData::Tagged(tag, inner) => {
                let inner = convert(inner, line);
                if tag.handle == "!" {
                    Value::Tagged(tag.suffix.clone(), Box::new(inner))
                } else {
                    inner.value
                }
            }
            YamlData::Alias(_) | YamlData::BadValue => Value::Null,
        };
        let end_line = last_line(&value).unwrap_or(line).max(line);
        Node {
            line,
            end_line,
            value,
        }
    }

    fn same(text: &str) {
        assert_eq!(parse_documents(text), via_loader(text), "{text:?}");
    }

    proptest! {
        #[test]
        fn a_scalar_taken_for_a_string_on_sight_is_one_by_the_schema(
            text in "\\PC{0,12}|[~nNtTfF+.0-9-][a-zA-Z0-9._+-]{0,6}|inf|\\.inf|0x1F|1e3",
            plain in any::<bool>(),
        ) {
            let style = if plain { ScalarStyle::Plain } else { ScalarStyle::DoubleQuoted };
            prop_assert_eq!(
                resolve(Cow::Borrowed(&text), style, None),
                resolve_by_schema(Cow::Borrowed(&text), style, None)
            );
        }
    }

    #[test]
    fn agrees_with_the_loader_on_what_manifests_and_templates_use() {
        for text in [
            "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\ndata:\n  k: \"1\"\n  n: 1.50\n  h: 0x1F\n  t: true\n  q: 'true'\n  e:\n  z: ~\n",
            "---\n---\na: 1\n---\n",
            "",
            "# only a comment\n",
            "Resources:\n  B:\n    Type: AWS::S3::Bucket\n    Properties:\n      Name: !Sub '${AWS::StackName}-b'\n      Arn: !GetAtt [A, Arn]\n      Tags: !If\n        - C\n        - [x]\n        - !Ref AWS::NoValue\n",
            "base: &b\n  image: nginx\n  ports: [80, 443]\nweb:\n  <<: *b\n  copy: *b\nmissing: *nope\n",
            "a: !!str 3\nb: !!int x\nc: !!null ~\nd: !!float 1e3\ne: !e!local x\nf: !!binary aGk=\n",
            "? [a, b]\n: complex\n? {k: v}\n: mapping key\n",
            "1: int\n\"1\": string\n",
            "s: |\n  line one\n  line two\nf: >-\n  folded\n  text\nlist:\n- a\n-   - b\n    - c\n- {x: 1}\n",
            "a: 1\na: 2\n",
            "a: [1, 2\nb: c\n",
            "x: 1.0\nx: 1.00\n",
        ] {
            same(text);
        }
    }

    #[test]
    fn a_repeated_key_is_an_error_at_the_second_key() {
        let err = parse_documents("a: 1\nb: 2\na: 3\n").unwrap_err();
        assert_eq!((err.line, err.column), (3, 1), "{err}");
        assert!(err.message.contains("duplicated key"), "{err}");
    }

    #[test]
    fn a_repeated_key_keeps_its_last_value_only_when_asked() {
        let text = "a: 1\nb: 2\na: 3\n";
        assert!(parse_documents(text).is_err());
        let docs = super::super::parse_documents_with_repeated_keys(text).unwrap();
        assert_eq!(docs[0].get("a").and_then(Node::as_str), Some("3"));
        assert_eq!(docs[0].as_map().len(), 2);
    }

    #[test]
    fn aliases_expand_and_a_billion_laughs_is_refused() {
        let docs = parse_documents("a: &x [1, 2]\nb: *x\n").unwrap();
        assert_eq!(docs[0].get("b").unwrap().as_seq().len(), 2);
        assert_eq!(docs[0].get("b").unwrap().line, 2);
        let mut bomb = String::from("l0: &l0 [x, x, x, x, x, x, x, x, x, x]\n");
        for i in 1..8 {
            let prev = i - 1;
            bomb.push_str(&format!(
                "l{i}: &l{i} [*l{prev}, *l{prev}, *l{prev}, *l{prev}, *l{prev}, *l{prev}, *l{prev}, *l{prev}, *l{prev}, *l{prev}]\n"
            ));
        }
        let err = parse_documents(&bomb).unwrap_err();
        assert!(err.message.contains("budget"), "{err}");
    }

    #[test]
    fn a_tagged_scalar_stands_on_its_own_line() {
        let docs = parse_documents("a: 1\nb: !Ref Bucket\n").unwrap();
        let Value::Tagged(_, inner) = &docs[0].get("b").unwrap().value else {
            panic!("not tagged");
        };
        assert_eq!((inner.line, inner.end_line), (2, 2));
    }

    /// YAML-shaped text from the pieces the analyzers' inputs are made of.
    fn yamlish() -> impl Strategy<Value = String> {
        let scalar = prop_oneof![
            "[a-z]{1,6}",
            Just("true".to_owned()),
            Just("'x y'".to_owned()),
            Just("\"1\"".to_owned()),
            Just("1.50".to_owned()),
            Just("~".to_owned()),
            Just("".to_owned()),
            Just("!Ref b".to_owned()),
            Just("!!str 7".to_owned()),
            Just("[a, 1]".to_owned()),
            Just("{k: v}".to_owned()),
            Just("&an v".to_owned()),
            Just("*an".to_owned()),
        ];
        let line = (
            0usize..3,
            prop_oneof!["[a-c]", Just("-".to_owned())],
            scalar,
        )
            .prop_map(|(indent, key, value)| {
                let pad = "  ".repeat(indent);
                if key == "-" {
                    format!("{pad}- {value}")
                } else {
                    format!("{pad}{key}: {value}")
                }
            });
        proptest::collection::vec(prop_oneof![line, Just("---".to_owned())], 0..12)
            .prop_map(|lines| lines.join("\n") + "\n")
    }

    proptest! {
        #[test]
        fn agrees_with_the_loader_on_generated_documents(text in yamlish()) {
            prop_assert_eq!(parse_documents(&text), via_loader(&text), "{:?}", text);
        }
    }
}
