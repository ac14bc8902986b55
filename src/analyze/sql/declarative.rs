//! Declarative schemas: files that say what the database should look like, from which a
//! tool computes and applies the difference (Supabase's `supabase/schemas/`, a `schema.sql`
//! applied by Atlas or sqldef). Nothing in them says DROP, so the statement checks find
//! nothing; the destruction is in what the head no longer declares. Tables and columns are
//! compared base against head.

use super::parse::{parse_any, DialectName};
use super::parse::{Located, Statements};
use super::{ident, normalize_name, type_change_finding, DROP_COLUMN, DROP_TABLE};
use crate::analyze::FileView;
use crate::change::{RepoPath, Side};
use crate::finding::{Finding, Location};
use sqlparser::ast::{CreateTable, Statement};

/// Whether the reviewed file is a declarative schema. A Rails `structure.sql` is a dump of
/// what migrations did, not an input, and is not one. Skeema keeps one `CREATE TABLE` file
/// per table in a directory holding a `.skeema` option file, and `skeema push` makes the
/// database match the directory; that directory is listed only for SQL files outside
/// migration directories.
pub(super) fn is_declarative(view: &FileView) -> bool {
    let lower = view.path().as_str().to_ascii_lowercase();
    let by_path = lower.starts_with("supabase/schemas/")
        || lower.contains("/supabase/schemas/")
        || lower.rsplit('/').next() == Some("schema.sql");
    by_path || (!lower.contains("migrat") && in_skeema_dir(view))
}

fn in_skeema_dir(view: &FileView) -> bool {
    let path = view.path();
    view.snapshot
        .list_dir(Side::Head, path.dir())
        .iter()
        .any(|p| p.file_name() == ".skeema")
}

/// The statements of the other files of the head directory this change touches: the tools
/// read the directory as one schema, so a table may have moved to one of them. Read only
/// when a table goes missing.
fn beside(view: &FileView, order: &[DialectName]) -> Vec<(RepoPath, Statements)> {
    let own = view.path_on(Side::Head);
    view.snapshot
        .list_dir(Side::Head, own.dir())
        .into_iter()
        .filter(|p| p != own && view.memo.worth_reading(p))
        .filter_map(|p| {
            let content = view.snapshot.read(Side::Head, &p);
            let (_, statements) = parse_any(content.text()?, order).ok()?;
            Some((p, statements))
        })
        .collect()
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
pub(super) fn compare(
    view: &FileView,
    base: &Statements,
    head: &Statements,
    order: &[DialectName],
) -> Vec<Finding> {
    let head_tables = tables(head);
    let mut siblings: Option<Vec<(RepoPath, Statements)>> = None;
    let mut findings = Vec::new();
    for old in tables(base) {
        let name = &old.create.name;
        if let Some(new) = head_tables.iter().find(|t| t.key == old.key) {
            let at = view.at(Side::Head, new.line, new.end_line);
            findings.extend(compare_columns(&old, new, at));
            continue;
        }
        let moved = siblings
            .get_or_insert_with(|| beside(view, order))
            .iter()
            .find_map(|(path, statements)| {
                let table = tables(statements).into_iter().find(|t| t.key == old.key)?;
                let at = Location::lines(path.clone(), Side::Head, table.line, table.end_line);
                Some(compare_columns(&old, &table, at))
            });
        match moved {
            Some(moved) => findings.extend(moved),
            None => findings.push(Finding::new(
                &DROP_TABLE,
                view.at(Side::Base, old.line, old.end_line),
                format!("The table {name} is no longer declared in {}: applying the schema drops it and every row in it.", view.path()),
            ).with_safer(format!("Keep {name} declared until no code uses it and a backup is taken; remove it in a change of its own."))),
        }
    }
    findings
}

/// The columns `new` no longer declares, and the types it narrows.
fn compare_columns(old: &Table, new: &Table, at: Location) -> Vec<Finding> {
    let name = &old.create.name;
    let mut findings = Vec::new();
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
    findings
}
