//! Declarative schemas: files that say what the database should look like, from which a
//! tool computes and applies the difference (Supabase's `supabase/schemas/`, a `schema.sql`
//! applied by Atlas or sqldef). Nothing in them says DROP, so the statement checks find
//! nothing; the destruction is in what the head no longer declares. Tables and columns are
//! compared base against head.

use super::parse::{Located, Statements};
use super::{ident, normalize_name, type_change_finding, DROP_COLUMN, DROP_TABLE};
use crate::analyze::FileView;
use crate::change::Side;
use crate::finding::Finding;
use sqlparser::ast::{CreateTable, Statement};

/// Whether `path` is a declarative schema. A Rails `structure.sql` is a dump of what
/// migrations did, not an input, and is not one.
pub(super) fn is_declarative(path: &str) -> bool {
    let lower = path.to_ascii_lowercase();
    lower.starts_with("supabase/schemas/")
        || lower.contains("/supabase/schemas/")
        || lower.rsplit('/').next() == Some("schema.sql")
}

struct Table<'a> {
    key: String,
    create: &'a CreateTable,
    line: u32,
    end_line: u32,
}

fn tables(statements: &Statements) -> Vec<Table<'_>> {
    statements
        .read
        .iter()
        .filter_map(
            |Located {
                 statement,
                 line,
                 end_line,
             }| match statement.as_ref() {
                Statement::CreateTable(create) => Some(Table {
                    key: normalize_name(&create.name),
                    create,
                    line: *line,
                    end_line: *end_line,
                }),
                _ => None,
            },
        )
        .collect()
}

/// What applying the head schema over the base one drops or narrows.
pub(super) fn compare(view: &FileView, base: &Statements, head: &Statements) -> Vec<Finding> {
    let head_tables = tables(head);
    let mut findings = Vec::new();
    for old in tables(base) {
        let name = &old.create.name;
        let Some(new) = head_tables.iter().find(|t| t.key == old.key) else {
            findings.push(Finding::new(
                &DROP_TABLE,
                view.at(Side::Base, old.line, old.end_line),
                format!("The table {name} is no longer declared in {}: applying the schema drops it and every row in it.", view.path()),
            ).with_safer(format!("Keep {name} declared until no code uses it and a backup is taken; remove it in a change of its own.")));
            continue;
        };
        let at = view.at(Side::Head, new.line, new.end_line);
        for column in &old.create.columns {
            let key = ident(&column.name);
            let col = &column.name;
            match new.create.columns.iter().find(|c| ident(&c.name) == key) {
                None => findings.push(
                    Finding::new(
                        &DROP_COLUMN,
                        at.clone(),
                        format!("The column {name}.{col} is no longer declared: applying the schema drops it and its data in every row of {name}."),
                    )
                    .with_safer(format!(
                        "Stop reading and writing {name}.{col} first, deploy, back it up, then remove it from the schema in a later change."
                    )),
                ),
                Some(now) => {
                    let (from, to) = (&column.data_type, &now.data_type);
                    findings.extend(type_change_finding(
                        &at,
                        &format!("The schema changes {name}.{col}"),
                        from,
                        to,
                    ));
                }
            }
        }
    }
    findings
}
