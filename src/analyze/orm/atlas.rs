//! Atlas HCL schemas (`schema.hcl`, `*.pg.hcl`, `*.my.hcl`, `*.lt.hcl`, or any `.hcl` file
//! holding `table "x" { schema = schema.public … }`): `schema`, `table`, `column` and `enum`
//! blocks, read with hcl-edit once per side. `atlas schema apply` turns a table or column
//! the head no longer declares into `DROP TABLE`/`DROP COLUMN`, and a renamed one into a
//! drop and a create, since a declarative diff cannot see renames. `atlas.hcl` is the
//! project's configuration (environments, URLs), not a schema.

use super::declared::{
    self, Column, ColumnName, Declared, Enum, SchemaBlock, Table, TableName, Tool,
};
use crate::analyze::sql;
use crate::analyze::terraform::model::Lines;
use crate::analyze::{read_sides, FileView, Unparseable};
use crate::change::RepoPath;
use crate::finding::Finding;
use hcl_edit::expr::Expression;
use hcl_edit::structure::{Block, Body};
use hcl_edit::{Decorate, Span};

const TOOL: Tool = Tool {
    name: "Atlas",
    apply: "`atlas schema apply`",
    safer: "Atlas cannot tell a rename from a drop and a create: rename in a versioned migration (`atlas migrate diff`, then edit it into `ALTER TABLE … RENAME`), or keep the old declaration, copy the data over and take a backup before removing it in a change of its own.",
    read_sibling,
};

/// The dialect suffixes Atlas documents for schema files (`app.pg.hcl`).
const SUFFIXES: [&str; 7] = [
    ".pg.hcl", ".my.hcl", ".ma.hcl", ".lt.hcl", ".ms.hcl", ".ch.hcl", ".rs.hcl",
];

/// Whether the file name alone says Atlas schema (`name` lower-case).
pub(crate) fn is_schema_name(name: &str) -> bool {
    name == "schema.hcl"
        || SUFFIXES
            .iter()
            .any(|s| name.ends_with(s) && name.len() > s.len())
}

/// Whether an `.hcl` file of another name reads as an Atlas schema: a top-level `table "…"`
/// block and a `schema = schema.…` reference, which no Terragrunt file writes. A substring
/// check, no parse.
pub(crate) fn looks_like_schema(text: &str) -> bool {
    let mut table = false;
    let mut reference = false;
    for line in text.lines() {
        table |= line.starts_with("table \"");
        let compact: String = line.chars().filter(|c| !c.is_whitespace()).collect();
        reference |= compact.starts_with("schema=schema.");
        if table && reference {
            return true;
        }
    }
    false
}

fn read_sibling(path: &RepoPath, text: &str) -> Option<Declared> {
    let name = path.file_name().to_ascii_lowercase();
    let atlas = name.ends_with(".hcl") && (is_schema_name(&name) || looks_like_schema(text));
    atlas.then(|| parse(text).ok()).flatten()
}

pub(crate) fn analyze(view: &FileView) -> Vec<Finding> {
    let sides = read_sides(view, &sql::UNPARSEABLE, |side, text| {
        parse(text).map_err(|(line, reason)| Unparseable {
            side,
            line,
            reason: format!(
                "{reason}; twokey cannot tell which Atlas tables and columns it removes"
            ),
        })
    });
    match sides {
        Err(findings) => findings,
        Ok((base, head)) => declared::compare(
            view,
            &TOOL,
            &base.unwrap_or_default(),
            &head.unwrap_or_default(),
        ),
    }
}

/// The schemas, tables and enums of one side, or where and why it does not parse.
pub(crate) fn parse(text: &str) -> Result<Declared, (Option<u32>, String)> {
    let body = hcl_edit::parser::parse_body(text).map_err(|e| {
        (
            u32::try_from(e.location().line()).ok(),
            e.message().trim().to_owned(),
        )
    })?;
    let lines = Lines::new(text);
    let mut declared = Declared::default();
    for block in body.blocks() {
        let (line, end_line) = lines.span(block.span());
        match block.ident.as_str() {
            "schema" => declared
                .schemas
                .extend(label(block, 0).map(|name| SchemaBlock { name, line })),
            "table" => declared.tables.extend(table(block, &lines, line, end_line)),
            "enum" => declared.enums.extend(label(block, 0).map(|name| {
                Enum {
                    name: qualified(&block.body, name),
                    values: attribute(&block.body, "values")
                        .map(|v| quoted(&v))
                        .unwrap_or_default(),
                    line,
                }
            })),
            _ => {}
        }
    }
    Ok(declared)
}

fn label(block: &Block, index: usize) -> Option<String> {
    block.labels.get(index).map(|l| l.as_str().to_owned())
}

/// An attribute's expression as written, decoration and whitespace removed.
fn attribute(body: &Body, key: &str) -> Option<String> {
    body.attributes()
        .find(|a| a.key.as_str() == key)
        .map(|a| render(&a.value))
}

fn render(expr: &Expression) -> String {
    let mut plain = expr.clone();
    hcl_edit::visit_mut::VisitMut::visit_expr_mut(&mut Undecorate, &mut plain);
    plain
        .to_string()
        .chars()
        .filter(|c| !c.is_whitespace())
        .collect()
}

/// Strips comments and spacing from an expression, so a comment beside a type is no change.
struct Undecorate;

impl hcl_edit::visit_mut::VisitMut for Undecorate {
    fn visit_expr_mut(&mut self, node: &mut Expression) {
        node.decor_mut().clear();
        hcl_edit::visit_mut::visit_expr_mut(self, node);
    }
}

/// `name` qualified by the block's `schema = schema.x` reference: `x.name`.
fn qualified(body: &Body, name: String) -> String {
    match attribute(body, "schema") {
        Some(reference) => {
            let schema = reference.strip_prefix("schema.").unwrap_or(&reference);
            format!("{schema}.{name}")
        }
        None => name,
    }
}

/// The string values of a list expression: `["a", "b"]`.
fn quoted(rendered: &str) -> Vec<String> {
    rendered
        .split('"')
        .skip(1)
        .step_by(2)
        .map(str::to_owned)
        .collect()
}

fn table(block: &Block, lines: &Lines, line: u32, end_line: u32) -> Option<Table> {
    // `table "users"`, or `table "public" "users"` where two schemas hold the same name.
    let name = match (label(block, 0), label(block, 1)) {
        (Some(schema), Some(name)) => format!("{schema}.{name}"),
        (Some(name), None) => qualified(&block.body, name),
        _ => return None,
    };
    let columns = block
        .body
        .blocks()
        .filter(|b| b.ident.as_str() == "column")
        .filter_map(|b| {
            let name = label(b, 0)?;
            let spelled = attribute(&b.body, "type").unwrap_or_default();
            let (line, _) = lines.span(b.span());
            // Atlas columns are NOT NULL unless they say `null = true`.
            let nullable = attribute(&b.body, "null").is_some_and(|v| v == "true");
            let has_default = ["default", "as"]
                .iter()
                .any(|k| attribute(&b.body, k).is_some())
                || b.body
                    .blocks()
                    .any(|i| matches!(i.ident.as_str(), "identity" | "as"))
                || spelled.contains("serial");
            Some(Column {
                name: ColumnName(name),
                sql_type: sql_type(&spelled),
                spelled,
                nullable,
                has_default,
                line,
            })
        })
        .collect();
    Some(Table {
        name: TableName(name),
        line,
        end_line,
        columns,
    })
}

/// The SQL a column's `type` names, when it is a plain type (`varchar(255)`, `bigint`);
/// `None` for references (`enum.status`) and raw `sql("…")`, which twokey does not map.
fn sql_type(spelled: &str) -> Option<String> {
    let plain = !spelled.is_empty()
        && !spelled.contains('.')
        && !spelled.contains('"')
        && spelled
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "_(),".contains(c));
    plain.then(|| spelled.to_ascii_uppercase())
}
