//! json: Terraform's JSON configuration syntax (`.tf.json`, `.tofu.json`) read into the same
//! [`TfFile`] model as HCL. JSON carries no spans, so lines are found by searching for the
//! block's labels in the text; settings share their block's line.

use super::model::{
    Backend, Item, ItemKind, Lit, Moved, ParseError, Removed, Setting, TfFile, Variable,
};
use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet};

/// The file's top-level object: both `.tf.json` and `.tfvars.json` are one.
fn root_object(text: &str) -> Result<serde_json::Map<String, Value>, ParseError> {
    let root: Value = serde_json::from_str(text).map_err(|e| ParseError {
        line: u32::try_from(e.line()).ok().filter(|l| *l > 0),
        reason: e.to_string(),
    })?;
    match root {
        Value::Object(root) => Ok(root),
        _ => Err(ParseError {
            line: None,
            reason: "the top level is not a JSON object".to_owned(),
        }),
    }
}

pub fn parse(text: &str) -> Result<TfFile, ParseError> {
    let root = root_object(text)?;
    let mut file = TfFile::default();
    for (key, value) in &root {
        match key.as_str() {
            "resource" | "data" => {
                let kind = if key == "resource" {
                    ItemKind::Resource
                } else {
                    ItemKind::Data
                };
                for (rtype, named) in objects(value) {
                    for (name, body) in objects(named) {
                        let address = match kind {
                            ItemKind::Data => format!("data.{rtype}.{name}"),
                            _ => format!("{rtype}.{name}"),
                        };
                        let line = locate(text, &[key, rtype, name]);
                        file.items.push(item(kind, address, rtype, body, line));
                    }
                }
            }
            "module" => {
                for (name, body) in objects(value) {
                    let line = locate(text, &[key, name]);
                    let address = format!("module.{name}");
                    file.items
                        .push(item(ItemKind::Module, address, "module", body, line));
                }
            }
            "provider" => {
                for (name, body) in objects(value) {
                    let line = locate(text, &[key, name]);
                    let address = match first(body).get("alias").and_then(Value::as_str) {
                        Some(alias) => format!("provider.{name}.{alias}"),
                        None => format!("provider.{name}"),
                    };
                    file.items
                        .push(item(ItemKind::Provider, address, name, body, line));
                }
            }
            "terraform" => {
                for block in each(value) {
                    let found = objects(block.get("backend").unwrap_or(&Value::Null))
                        .into_iter()
                        .map(|(kind, body)| (kind.to_owned(), body))
                        .next()
                        .or_else(|| block.get("cloud").map(|c| ("cloud".to_owned(), c)));
                    if let Some((kind, body)) = found {
                        let line = locate(text, &[key, "backend"]);
                        let mut settings = BTreeMap::new();
                        flatten(first(body), "", line, &mut settings);
                        file.backend.get_or_insert(Backend {
                            kind,
                            line,
                            settings,
                        });
                    }
                }
            }
            "moved" => {
                for block in each(value) {
                    let from = block.get("from").and_then(Value::as_str).map(strip_keys);
                    let to = block.get("to").and_then(Value::as_str).map(strip_keys);
                    if let (Some(from), Some(to)) = (from, to) {
                        let line = locate(text, &[key]);
                        file.moved.push(Moved { from, to, line });
                    }
                }
            }
            "variable" => {
                for (name, body) in objects(value) {
                    let line = locate(text, &[key, name]);
                    let mut defaults = BTreeMap::new();
                    if let Some(default) = first(body).get("default") {
                        let mut one = serde_json::Map::new();
                        one.insert(name.to_owned(), default.clone());
                        flatten(&Value::Object(one), "", line, &mut defaults);
                    }
                    file.variables.push(Variable {
                        name: name.to_owned(),
                        line,
                        defaults,
                    });
                }
            }
            "removed" => {
                for block in each(value) {
                    if let Some(from) = block.get("from").and_then(Value::as_str).map(strip_keys) {
                        let destroy = first(block.get("lifecycle").unwrap_or(&Value::Null))
                            .get("destroy")
                            .map(lit)
                            .and_then(|l| l.as_bool());
                        file.removed.push(Removed {
                            from,
                            destroys: destroy != Some(false),
                            line: locate(text, &[key]),
                        });
                    }
                }
            }
            _ => {}
        }
    }
    Ok(file)
}

/// Entries of an object, or of each object in an array of them (both forms are valid).
/// A `.tfvars.json` file: one object of variable values, by input path (object values
/// flattened, `versioning.enabled`), each on the line of its name.
pub fn parse_values(text: &str) -> Result<BTreeMap<String, Setting>, ParseError> {
    let root = root_object(text)?;
    let mut out = BTreeMap::new();
    for (key, value) in &root {
        let line = locate(text, &[key]);
        let mut one = serde_json::Map::new();
        one.insert(key.clone(), value.clone());
        flatten(&Value::Object(one), "", line, &mut out);
    }
    Ok(out)
}

fn objects(value: &Value) -> Vec<(&str, &Value)> {
    each(value)
        .into_iter()
        .filter_map(Value::as_object)
        .flat_map(|o| o.iter().map(|(k, v)| (k.as_str(), v)))
        .collect()
}

/// A value as a list of blocks: an array's elements, or the value itself.
fn each(value: &Value) -> Vec<&Value> {
    match value {
        Value::Array(items) => items.iter().collect(),
        other => vec![other],
    }
}

/// The first block of a repeated block.
fn first(value: &Value) -> &Value {
    match value {
        Value::Array(items) => items.first().unwrap_or(&Value::Null),
        other => other,
    }
}

fn item(kind: ItemKind, address: String, rtype: &str, body: &Value, line: u32) -> Item {
    let body = first(body);
    let mut settings = BTreeMap::new();
    flatten(body, "", line, &mut settings);
    Item {
        kind,
        address,
        rtype: rtype.to_owned(),
        line,
        end_line: line,
        for_each_keys: body.get("for_each").and_then(keys),
        ignore_changes: first(body.get("lifecycle").unwrap_or(&Value::Null))
            .get("ignore_changes")
            .map(ignored)
            .unwrap_or_default(),
        settings,
    }
}

/// `"all"`, or a list of attribute references as strings (`"tags[\"Name\"]"` → `tags`).
fn ignored(value: &Value) -> Vec<String> {
    let head = |s: &str| {
        s.trim()
            .split(['.', '['])
            .next()
            .unwrap_or_default()
            .to_owned()
    };
    match value {
        Value::String(s) => vec![head(s)],
        Value::Array(items) => items.iter().filter_map(Value::as_str).map(head).collect(),
        _ => Vec::new(),
    }
}

fn flatten(body: &Value, prefix: &str, line: u32, out: &mut BTreeMap<String, Setting>) {
    let Value::Object(map) = body else {
        return;
    };
    for (key, value) in map {
        let path = format!("{prefix}{key}");
        // Nested blocks are objects (or arrays of objects); `for_each` and `tags` maps are
        // attributes, but flattening them too is harmless since no guard names their keys.
        match first(value) {
            Value::Object(_) if key != "dynamic" => {
                flatten(first(value), &format!("{path}."), line, out);
                // Later blocks of a repeated block by position, as the HCL reader keys them.
                if let Value::Array(blocks) = value {
                    for (i, block) in blocks.iter().enumerate().skip(1) {
                        flatten(block, &format!("{path}[{i}]."), line, out);
                    }
                }
            }
            _ => {}
        }
        out.entry(path).or_insert_with(|| Setting {
            value: lit(value),
            line,
        });
    }
}

fn lit(value: &Value) -> Lit {
    match value {
        Value::Bool(b) => Lit::Bool(*b),
        Value::Number(n) => n
            .as_f64()
            .map_or_else(|| Lit::Expr(n.to_string()), Lit::Num),
        Value::String(s) if s.contains("${") || s.contains("%{") => Lit::Expr(s.clone()),
        Value::String(s) => Lit::Str(s.clone()),
        Value::Null => Lit::Null,
        // serde_json writes objects with sorted keys and no layout: already canonical.
        other if other.to_string().contains("${") => Lit::Expr(other.to_string()),
        other => Lit::Data(other.to_string()),
    }
}

fn keys(value: &Value) -> Option<BTreeSet<String>> {
    match value {
        Value::Object(map) => Some(map.keys().cloned().collect()),
        Value::Array(items) => items
            .iter()
            .map(|v| match v {
                Value::String(s) if !s.contains("${") => Some(s.clone()),
                _ => None,
            })
            .collect(),
        _ => None,
    }
}

/// `module.a["x"].aws_s3_bucket.b[0]` → `module.a.aws_s3_bucket.b`.
fn strip_keys(address: &str) -> String {
    let mut out = String::with_capacity(address.len());
    let mut depth = 0usize;
    let mut quoted = false;
    for c in address.trim().chars() {
        match c {
            '"' if depth > 0 => quoted = !quoted,
            '[' if !quoted => depth += 1,
            ']' if !quoted => depth = depth.saturating_sub(1),
            _ if depth == 0 => out.push(c),
            _ => {}
        }
    }
    out
}

/// The line of the first occurrence of the quoted labels in order, or 1.
fn locate(text: &str, labels: &[&str]) -> u32 {
    let mut at = 0;
    for label in labels {
        let needle = format!("\"{label}\"");
        match text.get(at..).and_then(|t| t.find(&needle)) {
            Some(i) => at += i,
            None => break,
        }
    }
    let line = text.get(..at).map_or(0, |t| t.matches('\n').count());
    u32::try_from(line + 1).unwrap_or(u32::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_resources_modules_and_moved() {
        let f = parse(
            r#"{
  "resource": {
    "aws_s3_bucket": {
      "logs": { "bucket": "x", "force_destroy": true }
    }
  },
  "module": { "net": { "source": "./net" } },
  "moved": [ { "from": "aws_s3_bucket.a[0]", "to": "aws_s3_bucket.b[\"k\"]" } ]
}"#,
        )
        .unwrap();
        let b = f.item("aws_s3_bucket.logs").unwrap();
        assert_eq!(b.line, 4);
        assert_eq!(b.get("force_destroy").unwrap().value, Lit::Bool(true));
        assert_eq!(
            f.item("module.net").unwrap().source().as_deref(),
            Some("./net")
        );
        assert_eq!(f.moved[0].from, "aws_s3_bucket.a");
        assert_eq!(f.moved[0].to, "aws_s3_bucket.b");
    }

    #[test]
    fn json_variable_defaults_are_read_by_input_path() {
        let f = parse(
            "{\n  \"variable\": {\n    \"versioning\": { \"default\": { \"enabled\": true } },\n    \"name\": {}\n  }\n}\n",
        )
        .unwrap();
        let var = |n: &str| f.variables.iter().find(|v| v.name == n).unwrap();
        let v = var("versioning");
        assert_eq!(v.defaults["versioning.enabled"].value, Lit::Bool(true));
        assert_eq!(v.defaults["versioning.enabled"].line, 3);
        assert!(var("name").defaults.is_empty());
    }

    #[test]
    fn invalid_json_is_an_error_with_a_line() {
        let e = parse("{\n  \"resource\": \n").unwrap_err();
        assert!(e.line.is_some());
        assert!(parse("[1, 2]").is_err());
    }
}
