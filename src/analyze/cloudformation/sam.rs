//! sam: what a SAM resource is once the transform has expanded it, where the comparison
//! needs it. `AWS::Serverless::SimpleTable` expands to an `AWS::DynamoDB::Table` under the same
//! logical ID, keyed by its `PrimaryKey` (by default `id`, a string). Rewriting one as the other
//! keeps the deployed table as long as its key and name stay, so the two are compared in the
//! expanded form rather than property name by property name. Pure.

use super::template::Resource;
use crate::yaml::{Node, Value};
use std::borrow::Cow;

const SIMPLE_TABLE: &str = "AWS::Serverless::SimpleTable";
const DYNAMODB_TABLE: &str = "AWS::DynamoDB::Table";
/// The key a SimpleTable without `PrimaryKey` gets (the SAM specification's default).
const DEFAULT_KEY: &str = "id";

/// `r` as the resource its SAM type expands to, when that differs from `r` in the
/// properties the comparison reads; otherwise `r` itself.
pub(super) fn expanded(r: &Resource) -> Cow<'_, Resource> {
    if r.kind != SIMPLE_TABLE {
        return Cow::Borrowed(r);
    }
    let at = |value: Value, line: u32, end_line: u32| Node {
        line,
        end_line,
        value,
    };
    let (line, end) = (r.node.line, r.node.end_line);
    let key_name = r
        .property("PrimaryKey")
        .and_then(|k| k.get("Name"))
        .cloned()
        .unwrap_or_else(|| at(Value::Scalar(DEFAULT_KEY.to_owned()), line, end));
    let (kline, kend) = r.line_of("PrimaryKey");
    let key = at(
        Value::Map(vec![
            ("AttributeName".to_owned(), key_name),
            (
                "KeyType".to_owned(),
                at(Value::Scalar("HASH".to_owned()), kline, kend),
            ),
        ]),
        kline,
        kend,
    );
    let mut properties = vec![(
        "KeySchema".to_owned(),
        at(Value::Seq(vec![key]), kline, kend),
    )];
    if let Some(name) = r.property("TableName") {
        properties.push(("TableName".to_owned(), name.clone()));
    }
    let properties = r.properties().map_or_else(
        || at(Value::Map(properties.clone()), line, end),
        |p| at(Value::Map(properties.clone()), p.line, p.end_line),
    );
    // Everything but Type and Properties (policies, Condition) stays as written.
    let mut entries: Vec<(String, Node)> = r
        .node
        .as_map()
        .iter()
        .filter(|(k, _)| k != "Type" && k != "Properties")
        .cloned()
        .collect();
    entries.push(("Properties".to_owned(), properties));
    Cow::Owned(Resource {
        id: r.id.clone(),
        kind: DYNAMODB_TABLE.to_owned(),
        node: at(Value::Map(entries), line, end),
        origin: r.origin.clone(),
    })
}
