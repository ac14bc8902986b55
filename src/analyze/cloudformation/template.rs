//! template: reads one side of a CloudFormation template (YAML or JSON, hand-written, SAM or
//! synthesized by the CDK) into its resources, keyed by logical ID, with the lines they span.
//!
//! Values are put in one canonical form so that the two ways of writing an intrinsic
//! function compare equal: `!Ref Bucket` and `{"Ref": "Bucket"}`, `!GetAtt Db.Endpoint` and
//! `{"Fn::GetAtt": ["Db", "Endpoint"]}`, `!Sub …` and `{"Fn::Sub": …}`. Lines are kept, so
//! a finding can still point at the property it is about. Pure: no I/O.

use super::inputs::Inputs;
use crate::yaml::{self, Node, Value};

/// One resource of the `Resources` section.
#[derive(Debug, Clone)]
pub(super) struct Resource {
    /// The logical ID: the key under `Resources`.
    pub id: String,
    /// `Type`, or empty when the template does not say (a broken template).
    pub kind: String,
    /// The whole resource, canonical, with its lines.
    pub node: Node,
    /// The `Fn::ForEach::<Loop>` name that stamps it out (or that it is, when the loop's
    /// collection is not literal).
    pub origin: Option<String>,
}

impl Resource {
    pub fn properties(&self) -> Option<&Node> {
        self.node.get("Properties").filter(|p| !p.is_null())
    }
    /// A property's value, `None` when absent or null.
    pub fn property(&self, key: &str) -> Option<&Node> {
        self.properties()?.get(key).filter(|v| !v.is_null())
    }
    /// The node a finding about `key` points at: the property's value, else the resource.
    pub fn line_of(&self, key: &str) -> (u32, u32) {
        match self.property(key) {
            Some(v) => (v.line, v.end_line),
            None => (self.node.line, self.node.end_line),
        }
    }
}

/// The resources of one side, in file order, and the conditions that gate them.
#[derive(Debug, Default)]
pub(super) struct Template {
    pub resources: Vec<Resource>,
    /// The `Conditions` section: each condition's name and definition, canonical.
    pub conditions: Vec<(String, Node)>,
    /// Parameters' defaults and mappings, which computed properties read.
    pub inputs: Inputs,
}

impl Template {
    pub fn get(&self, id: &str) -> Option<&Resource> {
        self.resources.iter().find(|r| r.id == id)
    }
    /// A condition's definition, canonical.
    pub fn condition(&self, name: &str) -> Option<&Node> {
        self.conditions
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, d)| d)
    }
}

/// Why a template could not be read, and where.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct ParseError {
    pub line: u32,
    pub reason: String,
}

/// Parses a template. A file without a `Resources` section (a CDK manifest, an empty file)
/// is an empty template, not an error; a document that is not a template at all is.
pub(super) fn parse(text: &str) -> Result<Template, ParseError> {
    let Some(doc) = document(text, "a CloudFormation template")? else {
        return Ok(Template::default());
    };
    let conditions = doc
        .get("Conditions")
        .map(|c| {
            c.as_map()
                .iter()
                .map(|(name, definition)| (name.clone(), canonical(definition)))
                .collect()
        })
        .unwrap_or_default();
    let resources = match doc.get("Resources").filter(|r| !r.is_null()) {
        Some(section) => resources_in(section)?,
        None => Vec::new(),
    };
    Ok(Template {
        resources,
        conditions,
        inputs: Inputs::of(&doc),
    })
}

/// The one mapping a file holds (`None` when it holds nothing). `what` names the file in the
/// errors: a template and a `serverless.yml` are each a single mapping.
pub(super) fn document(text: &str, what: &str) -> Result<Option<Node>, ParseError> {
    // JSON forbids raw tabs inside strings, so in a JSON document every tab is whitespace;
    // YAML does not accept tabs as indentation, and hand-written JSON often has them.
    let owned;
    let text = if text.trim_start().starts_with('{') && text.contains('\t') {
        owned = text.replace('\t', " ");
        owned.as_str()
    } else {
        text
    };
    let docs = yaml::parse_documents(text).map_err(|e| ParseError {
        line: e.line.max(1),
        reason: e.message,
    })?;
    let mut docs = docs.into_iter().filter(|d| !d.is_null());
    let Some(doc) = docs.next() else {
        return Ok(None);
    };
    if let Some(extra) = docs.next() {
        return Err(ParseError {
            line: extra.line,
            reason: format!("a second YAML document; {what} is a single document"),
        });
    }
    if !matches!(doc.value, Value::Map(_)) {
        return Err(ParseError {
            line: doc.line,
            reason: format!("{what} is not a mapping"),
        });
    }
    Ok(Some(doc))
}

/// The resources of a `Resources` section, in file order, loops expanded.
pub(super) fn resources_in(section: &Node) -> Result<Vec<Resource>, ParseError> {
    let Value::Map(entries) = &section.value else {
        return Err(ParseError {
            line: section.line,
            reason: "`Resources` is not a mapping of logical IDs to resources".to_owned(),
        });
    };
    let mut stamped = Vec::new();
    for (id, node) in entries {
        let origin = id.strip_prefix("Fn::ForEach::").map(str::to_owned);
        match origin.as_ref().map(|_| for_each(node)) {
            Some(Some(expanded)) => {
                stamped.extend(expanded.into_iter().map(|(i, n)| (i, n, origin.clone())))
            }
            _ => stamped.push((id.clone(), node.clone(), origin)),
        }
    }
    let resources = stamped
        .into_iter()
        .map(|(id, node, origin)| {
            let kind = if id.starts_with("Fn::ForEach::") {
                // A loop over a collection the text does not list (a parameter, a mapping
                // lookup): one opaque entry that stamps out an unknown number of resources.
                "Fn::ForEach".to_owned()
            } else {
                node.get("Type")
                    .and_then(Node::as_str)
                    .unwrap_or("")
                    .to_owned()
            };
            Resource {
                node: canonical(&node),
                id,
                kind,
                origin,
            }
        })
        .collect();
    Ok(resources)
}

/// The resources one `Fn::ForEach::<Loop>: [Identifier, Collection, {OutputKey: Fragment}]`
/// (`AWS::LanguageExtensions`) stamps out, by logical ID, when its collection is a literal
/// list: dropping an item from the list then reads as removing that item's resources.
/// Nested loops are expanded too. `None` when any collection is not literal.
fn for_each(node: &Node) -> Option<Vec<(String, Node)>> {
    let [identifier, collection, fragment] = node.as_seq() else {
        return None;
    };
    let identifier = identifier.as_str()?;
    let Value::Seq(items) = &collection.value else {
        return None;
    };
    let Value::Map(outputs) = &fragment.value else {
        return None;
    };
    let mut out = Vec::new();
    for item in items {
        let item = item.as_str()?;
        for (key, body) in outputs {
            let key = stamp(key, identifier, item);
            if key.starts_with("Fn::ForEach::") {
                out.extend(for_each(&stamp_keys(body, identifier, item))?);
            } else {
                out.push((key, body.clone()));
            }
        }
    }
    Some(out)
}

/// `${Identifier}` becomes the item; `&{Identifier}` the item without its non-alphanumeric
/// characters (how a loop over `10.0.1.0/24` makes valid logical IDs).
fn stamp(text: &str, identifier: &str, item: &str) -> String {
    let plain: String = item.chars().filter(char::is_ascii_alphanumeric).collect();
    text.replace(&format!("${{{identifier}}}"), item)
        .replace(&format!("&{{{identifier}}}"), &plain)
}

/// A nested loop with the outer item stamped into its keys, where its logical IDs are.
fn stamp_keys(node: &Node, identifier: &str, item: &str) -> Node {
    let value = match &node.value {
        Value::Map(entries) => Value::Map(
            entries
                .iter()
                .map(|(k, v)| (stamp(k, identifier, item), stamp_keys(v, identifier, item)))
                .collect(),
        ),
        Value::Seq(items) => Value::Seq(
            items
                .iter()
                .map(|v| stamp_keys(v, identifier, item))
                .collect(),
        ),
        other => other.clone(),
    };
    Node {
        line: node.line,
        end_line: node.end_line,
        value,
    }
}

/// The long (JSON) form of every intrinsic function, recursively, lines kept.
pub(super) fn canonical(node: &Node) -> Node {
    let value = match &node.value {
        Value::Tagged(tag, inner) => {
            let key = match tag.as_str() {
                "Ref" | "Condition" => tag.clone(),
                other => format!("Fn::{other}"),
            };
            let inner = canonical(inner);
            return Node {
                line: node.line,
                end_line: node.end_line,
                value: Value::Map(vec![(key.clone(), get_att_list(&key, inner))]),
            };
        }
        Value::Map(entries) => {
            let mut out: Vec<(String, Node)> = entries
                .iter()
                .map(|(k, v)| (k.clone(), canonical(v)))
                .collect();
            if out.len() == 1 {
                let (key, value) = out.remove(0);
                let value = get_att_list(&key, value);
                out.push((key, value));
            }
            Value::Map(out)
        }
        Value::Seq(items) => Value::Seq(items.iter().map(canonical).collect()),
        Value::Null | Value::Scalar(_) => node.value.clone(),
    };
    Node {
        line: node.line,
        end_line: node.end_line,
        value,
    }
}

/// `Fn::GetAtt: "Db.Endpoint.Address"` is `Fn::GetAtt: [Db, Endpoint.Address]`, and
/// `Fn::Sub: [text, {}]` (no variables) is `Fn::Sub: text`.
fn get_att_list(key: &str, value: Node) -> Node {
    if key == "Fn::Sub" {
        return match value.as_seq() {
            [text, variables]
                if text.as_str().is_some()
                    && matches!(&variables.value, Value::Map(v) if v.is_empty()) =>
            {
                text.clone()
            }
            _ => value,
        };
    }
    if key != "Fn::GetAtt" {
        return value;
    }
    let Some((resource, attribute)) = value.as_str().and_then(|s| s.split_once('.')) else {
        return value;
    };
    let part = |s: &str| Node {
        line: value.line,
        end_line: value.line,
        value: Value::Scalar(s.to_owned()),
    };
    Node {
        line: value.line,
        end_line: value.end_line,
        value: Value::Seq(vec![part(resource), part(attribute)]),
    }
}

/// The same value with every reference to another resource (`Ref`, the resource of
/// `Fn::GetAtt`) blanked: two resources that differ only in what they point at look alike.
/// Used to recognise a CDK resource whose logical ID changed together with its neighbours'.
pub(super) fn without_references(node: &Node) -> Node {
    let blank = |n: &Node| Node {
        line: n.line,
        end_line: n.end_line,
        value: Value::Scalar(String::new()),
    };
    let value = match &node.value {
        Value::Map(entries) if entries.len() == 1 && entries[0].0 == "Ref" => {
            Value::Map(vec![("Ref".to_owned(), blank(&entries[0].1))])
        }
        Value::Map(entries) if entries.len() == 1 && entries[0].0 == "Fn::GetAtt" => {
            let mut parts: Vec<Node> = entries[0].1.as_seq().to_vec();
            if let Some(first) = parts.first_mut() {
                *first = blank(first);
            }
            Value::Map(vec![(
                "Fn::GetAtt".to_owned(),
                Node {
                    line: entries[0].1.line,
                    end_line: entries[0].1.end_line,
                    value: Value::Seq(parts),
                },
            )])
        }
        Value::Map(entries) => Value::Map(
            entries
                .iter()
                .map(|(k, v)| (k.clone(), without_references(v)))
                .collect(),
        ),
        Value::Seq(items) => Value::Seq(items.iter().map(without_references).collect()),
        other => other.clone(),
    };
    Node {
        line: node.line,
        end_line: node.end_line,
        value,
    }
}

/// A short, one-line rendering of a value for messages: `true`, `Retain`, `(absent)`,
/// `{Ref: Param}`.
pub(super) fn show(node: Option<&Node>) -> String {
    fn render(node: &Node, out: &mut String, budget: &mut usize) {
        if *budget == 0 {
            return;
        }
        *budget -= 1;
        match &node.value {
            Value::Null => out.push_str("null"),
            Value::Scalar(s) => out.push_str(s),
            Value::Seq(items) => {
                out.push('[');
                for (i, item) in items.iter().enumerate() {
                    if i > 0 {
                        out.push_str(", ");
                    }
                    render(item, out, budget);
                }
                out.push(']');
            }
            Value::Map(entries) => {
                out.push('{');
                for (i, (k, v)) in entries.iter().enumerate() {
                    if i > 0 {
                        out.push_str(", ");
                    }
                    out.push_str(k);
                    out.push_str(": ");
                    render(v, out, budget);
                }
                out.push('}');
            }
            Value::Tagged(tag, inner) => {
                out.push('!');
                out.push_str(tag);
                out.push(' ');
                render(inner, out, budget);
            }
        }
    }
    let Some(node) = node.filter(|n| !n.is_null()) else {
        return "(absent)".to_owned();
    };
    let mut out = String::new();
    render(node, &mut out, &mut 24);
    if out.chars().count() > 80 {
        out = out.chars().take(77).collect::<String>() + "…";
    }
    out
}
