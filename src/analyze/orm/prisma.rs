//! Prisma schemas (`schema.prisma`, `prisma/schema/*.prisma`): models and their fields,
//! compared structurally. `prisma db push` and `prisma migrate dev` turn a removed model
//! into `DROP TABLE` and a removed field into `DROP COLUMN`. Models are matched by table name
//! (`@@map`, else the model name) and fields by column name (`@map`, else the field name),
//! so renaming a model or field that keeps its mapping is quiet. Relation fields (whose type
//! is another model) are not columns and are ignored.

use super::FileView;
use crate::analyze::sql;
use crate::analyze::sql::types::Verdict;
use crate::change::Side;
use crate::finding::{Finding, Severity};
use std::collections::HashSet;

#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Model {
    pub name: String,
    pub table: String,
    pub line: u32,
    pub fields: Vec<Field>,
}

#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Field {
    pub name: String,
    pub column: String,
    /// The type without `?`/`[]`, with any native `@db.` type: `String @db.VarChar(100)`.
    pub ty: String,
    pub optional: bool,
    /// A scalar list (`String[]`).
    pub list: bool,
    pub has_default: bool,
    pub line: u32,
}

/// The models of a schema, or the line of a block that never closes.
pub(crate) fn parse(text: &str) -> Result<Vec<Model>, u32> {
    let mut models = Vec::new();
    let mut current: Option<Model> = None;
    let mut other_block: Option<u32> = None;
    for (i, raw) in text.lines().enumerate() {
        let line_no = u32::try_from(i + 1).unwrap_or(u32::MAX);
        let line = raw.split("//").next().unwrap_or("").trim();
        if line.is_empty() {
            continue;
        }
        if other_block.is_some() {
            if line.starts_with('}') {
                other_block = None;
            }
            continue;
        }
        if let Some(model) = current.as_mut() {
            if line.starts_with('}') {
                models.extend(current.take());
                continue;
            }
            if let Some(rest) = line.strip_prefix("@@map(") {
                model.table = quoted(rest).unwrap_or_else(|| model.table.clone());
                continue;
            }
            if line.starts_with('@') {
                continue;
            }
            let mut words = line.split_whitespace();
            let (Some(name), Some(ty)) = (words.next(), words.next()) else {
                continue;
            };
            let attributes: Vec<&str> = words.collect();
            let attrs = attributes.join(" ");
            let column = attrs
                .find("@map(")
                .and_then(|at| quoted(&attrs[at + 5..]))
                .unwrap_or_else(|| name.to_owned());
            let native = attributes
                .iter()
                .find(|a| a.starts_with("@db."))
                .map(|a| format!(" {a}"))
                .unwrap_or_default();
            let base = ty.trim_end_matches('?').trim_end_matches("[]");
            model.fields.push(Field {
                name: name.to_owned(),
                column,
                ty: format!("{base}{native}"),
                optional: ty.ends_with('?'),
                list: ty.ends_with("[]"),
                has_default: attrs.contains("@default(") || attrs.contains("@updatedAt"),
                line: line_no,
            });
            continue;
        }
        let words: Vec<&str> = line.split_whitespace().collect();
        if line.ends_with('{') {
            if words.first() == Some(&"model") && words.len() >= 2 {
                current = Some(Model {
                    name: words[1].to_owned(),
                    table: words[1].to_owned(),
                    line: line_no,
                    fields: Vec::new(),
                });
            } else {
                other_block = Some(line_no);
            }
        }
    }
    match (current, other_block) {
        (Some(model), _) => Err(model.line),
        (None, Some(line)) => Err(line),
        (None, None) => Ok(models),
    }
}

fn quoted(s: &str) -> Option<String> {
    let start = s.find('"')? + 1;
    let end = start + s[start..].find('"')?;
    Some(s[start..end].to_owned())
}

/// Scalar columns: not relations (a field whose type is a model, or a list of models).
fn columns<'m>(model: &'m Model, models: &HashSet<&str>) -> Vec<&'m Field> {
    model
        .fields
        .iter()
        .filter(|f| {
            let base = f.ty.split_whitespace().next().unwrap_or("");
            !models.contains(base)
        })
        .collect()
}

pub(crate) fn analyze(view: &FileView, base: &str, head: &str) -> Vec<Finding> {
    let head_models = match parse(head) {
        Ok(m) => m,
        Err(line) => {
            return vec![Finding::new(
                &sql::UNPARSEABLE,
                view.at(Side::Head, line, line),
                format!("{} has a block opened on line {line} that never closes, so twokey cannot tell which models and fields it removes; a human must review it.", view.path_on(Side::Head)),
            )]
        }
    };
    // A base that cannot be read has no models: nothing can be reported as removed from it,
    // which is why the head is checked first (a broken head fails closed above).
    let base_models = parse(base).unwrap_or_default();
    let base_names: HashSet<&str> = base_models.iter().map(|m| m.name.as_str()).collect();
    let head_names: HashSet<&str> = head_models.iter().map(|m| m.name.as_str()).collect();
    let mut findings = Vec::new();
    for old in &base_models {
        let Some(new) = head_models.iter().find(|m| m.table == old.table) else {
            findings.push(Finding::new(
                &sql::DROP_TABLE,
                view.at(Side::Base, old.line, old.line),
                format!("The model {} is removed from the Prisma schema: `prisma migrate dev` or `db push` drops its table {} and every row in it.", old.name, old.table),
            ));
            continue;
        };
        let new_columns = columns(new, &head_names);
        for field in columns(old, &base_names) {
            let Some(now) = new_columns.iter().find(|f| f.column == field.column) else {
                findings.push(Finding::new(
                    &sql::DROP_COLUMN,
                    view.at(Side::Base, field.line, field.line),
                    format!("The field {}.{} is removed from the Prisma schema: the next migration drops the column {}.{} and its data in every row.", old.name, field.name, old.table, field.column),
                ));
                continue;
            };
            if now.ty != field.ty {
                let verdict = sql_type(&field.ty)
                    .zip(sql_type(&now.ty))
                    .and_then(|(o, n)| sql::types::compare_text(&o, &n));
                let at = view.at(Side::Head, now.line, now.line);
                match verdict {
                    Some(Verdict::Same | Verdict::Widens) => {}
                    Some(Verdict::Narrows(reason)) => findings.push(Finding::new(
                        &sql::COLUMN_TYPE_NARROWED,
                        at,
                        format!("The field {}.{} changes type from {} to {}, which narrows the column {}.{}: {reason}.", new.name, now.name, field.ty, now.ty, new.table, now.column),
                    )),
                    _ => findings.push(
                        Finding::new(
                            &sql::COLUMN_TYPE_NARROWED,
                            at,
                            format!("The field {}.{} changes type from {} to {}: the migration alters the column, which may narrow it and lose data; check it does not.", new.name, now.name, field.ty, now.ty),
                        )
                        .with_severity(Severity::Medium),
                    ),
                }
            }
            if field.optional && !now.optional && !now.has_default {
                findings.push(Finding::new(
                    &sql::NOT_NULL_WITHOUT_DEFAULT,
                    view.at(Side::Head, now.line, now.line),
                    format!("The field {}.{} becomes required without a @default: the migration fails if any row holds NULL (Prisma asks to reset the database).", new.name, now.name),
                ));
            }
        }
    }
    // Required fields added to a model that already exists: the column is NOT NULL with no
    // default, which fails on a table with rows.
    for new in &head_models {
        let Some(old) = base_models.iter().find(|m| m.table == new.table) else {
            continue;
        };
        for field in columns(new, &head_names) {
            let added = !old.fields.iter().any(|f| f.column == field.column);
            if added && !field.optional && !field.list && !field.has_default {
                findings.push(Finding::new(
                    &sql::NOT_NULL_WITHOUT_DEFAULT,
                    view.at(Side::Head, field.line, field.line),
                    format!("The required field {}.{} is added without a @default: the migration adds the column {}.{} NOT NULL, which fails on a table with rows (Prisma asks to reset the database).", new.name, field.name, new.table, field.column),
                ));
            }
        }
    }
    findings
}

/// The SQL type a Prisma field type creates on PostgreSQL: its native `@db.` type when it
/// has one (`@db.VarChar(100)`), else the default for the Prisma scalar; `None` for types
/// twokey does not map (enums, `Json`, `Bytes`, `Unsupported`).
fn sql_type(ty: &str) -> Option<String> {
    let mut words = ty.split_whitespace();
    let scalar = words.next()?;
    if let Some(native) = words.find_map(|w| w.strip_prefix("@db.")) {
        let (name, args) = native.split_once('(').unwrap_or((native, ""));
        let name = match name {
            "Timestamptz" => "TIMESTAMPTZ",
            "DoublePrecision" => "DOUBLE PRECISION",
            other => other,
        };
        return Some(match args.trim_end_matches(')') {
            "" => name.to_ascii_uppercase(),
            args => format!("{}({args})", name.to_ascii_uppercase()),
        });
    }
    Some(
        match scalar {
            "String" => "TEXT",
            "Int" => "INTEGER",
            "BigInt" => "BIGINT",
            "Float" => "DOUBLE PRECISION",
            "Decimal" => "NUMERIC(65, 30)",
            "Boolean" => "BOOLEAN",
            "DateTime" => "TIMESTAMP(3)",
            _ => return None,
        }
        .to_owned(),
    )
}
