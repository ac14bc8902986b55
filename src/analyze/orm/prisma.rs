//! Prisma schemas (`schema.prisma`, `prisma/schema/*.prisma`): models and their fields,
//! compared structurally. `prisma db push` and `prisma migrate dev` turn a removed model
//! into `DROP TABLE` and a removed field into `DROP COLUMN`. Models are matched by table name
//! (`@@map`, else the model name) and fields by column name (`@map`, else the field name),
//! so renaming a model or field that keeps its mapping is quiet. Relation fields (whose type
//! is another model) are not columns and are ignored.
//!
//! Enums are compared by their database name (`@@map`, else the enum name) and their values
//! by theirs (`@map`, else the value): a value removed from an enum that stays is
//! destructive for the rows holding it. An enum that disappears is either removed with the
//! fields using it (their removal speaks) or renamed, in which case each field that moves
//! to the new enum is judged by the values it loses, so renaming with the same values is
//! quiet.

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

#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Enum {
    pub name: String,
    /// The database type's name (`@@map`, else the enum's).
    pub db_name: String,
    pub line: u32,
    pub values: Vec<EnumValue>,
}

#[derive(Debug, Clone, PartialEq)]
pub(crate) struct EnumValue {
    pub name: String,
    /// What the database stores (`@map`, else the name).
    pub db: String,
    pub line: u32,
}

#[derive(Debug, Clone, Default, PartialEq)]
pub(crate) struct Schema {
    pub models: Vec<Model>,
    pub enums: Vec<Enum>,
}

impl Enum {
    /// The database values of `self` that `other` no longer holds.
    fn lost_in<'e>(&'e self, other: &Enum) -> Vec<&'e EnumValue> {
        self.values
            .iter()
            .filter(|v| !other.values.iter().any(|w| w.db == v.db))
            .collect()
    }
}

/// The models and enums of a schema, or the line of a block that never closes.
pub(crate) fn parse(text: &str) -> Result<Schema, u32> {
    let mut models = Vec::new();
    let mut enums = Vec::new();
    let mut current: Option<Model> = None;
    let mut current_enum: Option<Enum> = None;
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
        if let Some(e) = current_enum.as_mut() {
            if line.starts_with('}') {
                enums.extend(current_enum.take());
            } else if let Some(rest) = line.strip_prefix("@@map(") {
                e.db_name = quoted(rest).unwrap_or_else(|| e.db_name.clone());
            } else if let Some(value) = enum_value(line, line_no) {
                e.values.push(value);
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
            } else if words.first() == Some(&"enum") && words.len() >= 2 {
                current_enum = Some(Enum {
                    name: words[1].to_owned(),
                    db_name: words[1].to_owned(),
                    line: line_no,
                    values: Vec::new(),
                });
            } else {
                other_block = Some(line_no);
            }
        }
    }
    let unclosed = current
        .map(|m| m.line)
        .or(current_enum.map(|e| e.line))
        .or(other_block);
    match unclosed {
        Some(line) => Err(line),
        None => Ok(Schema { models, enums }),
    }
}

/// One line of an enum block: `ADMIN`, `GUEST @map("guest")`; attributes (`@@…`) are not
/// values.
fn enum_value(line: &str, line_no: u32) -> Option<EnumValue> {
    let name = line.split_whitespace().next()?;
    if !name.starts_with(|c: char| c.is_alphabetic() || c == '_') {
        return None;
    }
    let db = line
        .find("@map(")
        .and_then(|at| quoted(&line[at + 5..]))
        .unwrap_or_else(|| name.to_owned());
    Some(EnumValue {
        name: name.to_owned(),
        db,
        line: line_no,
    })
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
    let head_schema = match parse(head) {
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
    let base_schema = parse(base).unwrap_or_default();
    let (base_models, head_models) = (&base_schema.models, &head_schema.models);
    let base_names: HashSet<&str> = base_models.iter().map(|m| m.name.as_str()).collect();
    let head_names: HashSet<&str> = head_models.iter().map(|m| m.name.as_str()).collect();
    let mut findings = Vec::new();
    let mut siblings: Option<Vec<Model>> = None;
    for old in base_models {
        let moved;
        let new = match head_models.iter().find(|m| m.table == old.table) {
            Some(new) => new,
            None => {
                let beside = siblings.get_or_insert_with(|| models_beside(view));
                moved = beside.iter().find(|m| m.table == old.table).cloned();
                match &moved {
                    Some(new) => new,
                    None => {
                        findings.push(Finding::new(
                &sql::DROP_TABLE,
                view.at(Side::Base, old.line, old.line),
                format!("The model {} is removed from the Prisma schema: `prisma migrate dev` or `db push` drops its table {} and every row in it.", old.name, old.table),
            ));
                        continue;
                    }
                }
            }
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
            let enums = (
                enum_of(&base_schema, &field.ty),
                enum_of(&head_schema, &now.ty),
            );
            if let (Some(was), Some(is)) = enums {
                // Moved to another enum (one renamed, most often): the values it lacks.
                let lost = was.lost_in(is);
                if was.db_name != is.db_name && !lost.is_empty() {
                    findings.push(Finding::new(
                        &sql::COLUMN_TYPE_NARROWED,
                        view.at(Side::Head, now.line, now.line),
                        format!("The field {}.{} changes from the enum {} to {}, which has no {}: the migration fails on PostgreSQL if a row holds one, and MySQL outside strict mode empties it. Move those rows to a value {} keeps first.", new.name, now.name, was.name, is.name, value_list(&lost), is.name),
                    ));
                }
            } else if now.ty != field.ty {
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
    findings.extend(removed_enum_values(view, &base_schema, &head_schema));
    for new in head_models {
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

/// The enum a field's type names, if it is one.
fn enum_of<'s>(schema: &'s Schema, ty: &str) -> Option<&'s Enum> {
    let base = ty.split_whitespace().next()?;
    schema.enums.iter().find(|e| e.name == base)
}

fn value_list(values: &[&EnumValue]) -> String {
    values
        .iter()
        .map(|v| v.db.as_str())
        .collect::<Vec<_>>()
        .join(", ")
}

/// Values removed from an enum the head keeps (by database name), each at its base line.
fn removed_enum_values(view: &FileView, base: &Schema, head: &Schema) -> Vec<Finding> {
    let mut findings = Vec::new();
    for old in &base.enums {
        let Some(new) = head.enums.iter().find(|e| e.db_name == old.db_name) else {
            continue;
        };
        let users: Vec<String> = head
            .models
            .iter()
            .flat_map(|m| {
                m.fields
                    .iter()
                    .filter(|f| enum_of(head, &f.ty).is_some_and(|e| e.name == new.name))
                    .map(move |f| format!("{}.{}", m.name, f.name))
            })
            .collect();
        let held_by = match users.as_slice() {
            [] => String::new(),
            some => format!(" ({})", some.join(", ")),
        };
        for value in old.lost_in(new) {
            findings.push(Finding::new(
                &sql::COLUMN_TYPE_NARROWED,
                view.at(Side::Base, value.line, value.line),
                format!("The value {} is removed from the enum {}: rows holding it{held_by} make the migration fail on PostgreSQL, and MySQL outside strict mode empties them. Move those rows to another value first, in an earlier migration.", value.db, old.name),
            ));
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

/// The models of the other `.prisma` files of the head directory this change touches:
/// Prisma reads a `prisma/schema/` directory as one schema, so a model may have moved to
/// one of them. Read only when a model goes missing.
fn models_beside(view: &FileView) -> Vec<Model> {
    let own = view.path_on(Side::Head);
    view.snapshot
        .list_dir(Side::Head, own.dir())
        .into_iter()
        .filter(|p| p != own && p.as_str().ends_with(".prisma") && view.memo.worth_reading(p))
        .filter_map(|p| parse(view.snapshot.read(Side::Head, &p).text()?).ok())
        .flat_map(|schema| schema.models)
        .collect()
}
