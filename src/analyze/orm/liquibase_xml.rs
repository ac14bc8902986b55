//! Liquibase XML changelogs, read with quick-xml and turned into the same tree a YAML
//! changelog gives (`databaseChangeLog: [{changeSet: {id, author, changes: [...]}}]`), so one
//! comparison serves both formats. Attributes become keys; `<column>` children become a
//! `columns` list; an element holding only text (`<where>`, `<sql>`) becomes that text; an
//! element with attributes and text keeps the text under its own name (`<sql
//! splitStatements="false">…</sql>` gives `{splitStatements, sql}`).

use crate::yaml::{Node, Value};
use quick_xml::events::{BytesStart, Event};
use quick_xml::Reader;

/// Elements of a changeSet that are not changes: they never run forward.
const NOT_CHANGES: &[&str] = &["rollback", "comment", "preConditions", "validCheckSum"];

struct Element {
    name: String,
    attributes: Vec<(String, String)>,
    children: Vec<Element>,
    text: String,
    line: u32,
    end_line: u32,
}

/// A changelog that could not be read, with the line where reading stopped.
pub struct XmlError {
    pub line: u32,
    pub message: String,
}

/// Parses an XML changelog into the YAML-shaped tree.
pub fn parse(text: &str) -> Result<Node, XmlError> {
    let root = read(text)?;
    let entries = root
        .children
        .iter()
        .map(|child| {
            let value = if child.name == "changeSet" {
                change_set(child)
            } else {
                element(child)
            };
            map(child, vec![(child.name.clone(), value)])
        })
        .collect();
    Ok(map(
        &root,
        vec![(root.name.clone(), node(&root, Value::Seq(entries)))],
    ))
}

fn node(e: &Element, value: Value) -> Node {
    Node {
        line: e.line,
        end_line: e.end_line.max(e.line),
        value,
    }
}

fn map(e: &Element, entries: Vec<(String, Node)>) -> Node {
    node(e, Value::Map(entries))
}

fn attributes(e: &Element) -> Vec<(String, Node)> {
    e.attributes
        .iter()
        .map(|(k, v)| (k.clone(), node(e, Value::Scalar(v.clone()))))
        .collect()
}

fn change_set(e: &Element) -> Node {
    let mut entries = attributes(e);
    let changes = e
        .children
        .iter()
        .filter(|c| !NOT_CHANGES.contains(&c.name.as_str()))
        .map(|c| map(c, vec![(c.name.clone(), element(c))]))
        .collect();
    entries.push(("changes".to_owned(), node(e, Value::Seq(changes))));
    // Kept beside the changes: their onFail decides whether a skipped changeSet is recorded.
    if let Some(pre) = e.children.iter().find(|c| c.name == "preConditions") {
        entries.push(("preConditions".to_owned(), element(pre)));
    }
    map(e, entries)
}

fn element(e: &Element) -> Node {
    let text = e.text.trim();
    if e.attributes.is_empty() && e.children.is_empty() {
        return node(e, Value::Scalar(text.to_owned()));
    }
    let mut entries = attributes(e);
    let columns: Vec<Node> = e
        .children
        .iter()
        .filter(|c| c.name == "column")
        .map(|c| map(c, vec![("column".to_owned(), element(c))]))
        .collect();
    if !columns.is_empty() {
        entries.push(("columns".to_owned(), node(e, Value::Seq(columns))));
    }
    for child in e.children.iter().filter(|c| c.name != "column") {
        entries.push((child.name.clone(), element(child)));
    }
    if !text.is_empty() {
        entries.push((e.name.clone(), node(e, Value::Scalar(text.to_owned()))));
    }
    map(e, entries)
}

/// Reads the document into elements (namespace prefixes dropped), with 1-based lines.
fn read(text: &str) -> Result<Element, XmlError> {
    let newlines: Vec<usize> = text.match_indices('\n').map(|(i, _)| i).collect();
    let line_at = |offset: u64| -> u32 {
        let offset = usize::try_from(offset).unwrap_or(usize::MAX);
        let before = newlines.partition_point(|&n| n < offset);
        u32::try_from(before + 1).unwrap_or(u32::MAX)
    };
    let mut reader = Reader::from_str(text);
    let mut stack: Vec<Element> = Vec::new();
    let mut root: Option<Element> = None;
    loop {
        let before = reader.buffer_position();
        let event = reader.read_event().map_err(|e| XmlError {
            line: line_at(reader.error_position()),
            message: e.to_string(),
        })?;
        let line = line_at(before);
        let fail = |message: &str| XmlError {
            line,
            message: message.to_owned(),
        };
        match event {
            Event::Start(start) => stack.push(open(&start, line).map_err(|m| fail(&m))?),
            Event::Empty(start) => {
                let mut e = open(&start, line).map_err(|m| fail(&m))?;
                e.end_line = line;
                attach(&mut stack, &mut root, e).map_err(&fail)?;
            }
            Event::End(_) => {
                let mut e = stack
                    .pop()
                    .ok_or_else(|| fail("closing tag without an opening one"))?;
                e.end_line = line_at(reader.buffer_position());
                attach(&mut stack, &mut root, e).map_err(&fail)?;
            }
            Event::Text(t) => {
                if let Some(top) = stack.last_mut() {
                    let text = t.unescape().map_err(|e| fail(&e.to_string()))?;
                    top.text.push_str(&text);
                }
            }
            Event::CData(c) => {
                if let Some(top) = stack.last_mut() {
                    top.text.push_str(&String::from_utf8_lossy(&c));
                }
            }
            Event::Eof => break,
            _ => {}
        }
    }
    if !stack.is_empty() {
        return Err(XmlError {
            line: line_at(reader.buffer_position()),
            message: format!(
                "<{}> is never closed",
                stack.last().map_or("", |e| e.name.as_str())
            ),
        });
    }
    root.ok_or(XmlError {
        line: 1,
        message: "no root element".to_owned(),
    })
}

fn open(start: &BytesStart<'_>, line: u32) -> Result<Element, String> {
    let name = String::from_utf8_lossy(start.local_name().as_ref()).into_owned();
    let mut attributes = Vec::new();
    for attribute in start.attributes() {
        let attribute = attribute.map_err(|e| e.to_string())?;
        let key = String::from_utf8_lossy(attribute.key.local_name().as_ref()).into_owned();
        let value = attribute
            .unescape_value()
            .map_err(|e| e.to_string())?
            .into_owned();
        attributes.push((key, value));
    }
    Ok(Element {
        name,
        attributes,
        children: Vec::new(),
        text: String::new(),
        line,
        end_line: line,
    })
}

fn attach(
    stack: &mut [Element],
    root: &mut Option<Element>,
    e: Element,
) -> Result<(), &'static str> {
    match stack.last_mut() {
        Some(parent) => parent.children.push(e),
        None if root.is_none() => *root = Some(e),
        None => return Err("more than one root element"),
    }
    Ok(())
}
