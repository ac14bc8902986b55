//! declared: the tables, columns and enums a declarative schema tool (Atlas HCL, Drizzle)
//! says the database should hold, and what applying a head declaration over the base one
//! destroys. The tools compute the DROP themselves (`atlas schema apply`, `drizzle-kit
//! push`), so the destruction shows only as something the head no longer declares.
//!
//! Each tool's reader turns its syntax into a [`Declared`]; the comparison here is shared,
//! and its messages name the tool through a [`Tool`]. Pure: the only I/O is the sibling
//! read in [`moved_here`], done through the snapshot and only when a table went missing.

use crate::analyze::sql;
use crate::analyze::sql::types::Verdict;
use crate::analyze::FileView;
use crate::change::{RepoPath, Side};
use crate::finding::{Finding, Severity};

/// A table's identity as the database knows it: `schema.table`, or `table` when the
/// declaration names no schema. Two declarations are the same table when these are equal.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub(crate) struct TableName(pub String);

/// A column's name in the database (not the code's property name).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct ColumnName(pub String);

#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Column {
    pub name: ColumnName,
    /// The type as written, whitespace removed, for telling a change from a reformat.
    pub spelled: String,
    /// The SQL type it creates, when the reader can tell (`VARCHAR(50)`).
    pub sql_type: Option<String>,
    pub nullable: bool,
    pub has_default: bool,
    pub line: u32,
}

#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Table {
    pub name: TableName,
    pub line: u32,
    pub end_line: u32,
    pub columns: Vec<Column>,
}

#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Enum {
    pub name: String,
    pub values: Vec<String>,
    pub line: u32,
}

#[derive(Debug, Clone, PartialEq)]
pub(crate) struct SchemaBlock {
    pub name: String,
    pub line: u32,
}

/// One side of one schema file.
#[derive(Debug, Clone, Default, PartialEq)]
pub(crate) struct Declared {
    pub schemas: Vec<SchemaBlock>,
    pub tables: Vec<Table>,
    pub enums: Vec<Enum>,
}

impl Declared {
    fn table(&self, name: &TableName) -> Option<&Table> {
        self.tables.iter().find(|t| &t.name == name)
    }
}

/// How a tool is named in findings, and the safer way it offers.
pub(crate) struct Tool {
    /// `Atlas`, `Drizzle`.
    pub name: &'static str,
    /// The command that turns the declaration into DDL: "`atlas schema apply`".
    pub apply: &'static str,
    /// The tool's own way to keep data across a rename or a removal.
    pub safer: &'static str,
    /// Reads another file of the same directory on the head, for a table moved there;
    /// `None` when that file is not one of this tool's schemas.
    pub read_sibling: fn(&RepoPath, &str) -> Option<Declared>,
}

/// Findings for what applying `head` over `base` drops, narrows or cannot apply. A table
/// the head no longer declares is looked for in the other changed files of the directory
/// first: the tools load a directory as one schema, so a table moved between its files is
/// not dropped.
pub(crate) fn compare(
    view: &FileView,
    tool: &Tool,
    base: &Declared,
    head: &Declared,
) -> Vec<Finding> {
    let mut findings = Vec::new();
    let mut siblings: Option<Vec<Declared>> = None;
    let name = tool.name;
    let apply = tool.apply;
    for old in &base.schemas {
        let kept = head.schemas.iter().any(|s| s.name == old.name);
        if !kept
            && !declared_beside(view, tool, &mut siblings, |d| {
                d.schemas.iter().any(|s| s.name == old.name)
            })
        {
            findings.push(
                Finding::new(
                    &sql::DROP_SCHEMA,
                    view.at(Side::Base, old.line, old.line),
                    format!("The schema {} is no longer declared in the {name} schema {}: {apply} drops it with every table and row in it.", old.name, view.path_on(Side::Base)),
                )
                .with_safer(tool.safer),
            );
        }
    }
    for old in &base.tables {
        let table = &old.name.0;
        let moved;
        let new = match head.table(&old.name) {
            Some(new) => new,
            None => {
                moved = moved_here(view, tool, &mut siblings, &old.name);
                match &moved {
                    Some(new) => new,
                    None => {
                        findings.push(
                            Finding::new(
                                &sql::DROP_TABLE,
                                view.at(Side::Base, old.line, old.end_line),
                                format!("The table {table} is no longer declared in the {name} schema {}: {apply} drops it and every row in it (a renamed table is dropped and created empty).", view.path_on(Side::Base)),
                            )
                            .with_safer(tool.safer),
                        );
                        continue;
                    }
                }
            }
        };
        findings.extend(compare_columns(view, tool, old, new));
    }
    findings.extend(removed_enum_values(view, tool, base, head));
    findings
}

fn compare_columns(view: &FileView, tool: &Tool, old: &Table, new: &Table) -> Vec<Finding> {
    let (name, apply) = (tool.name, tool.apply);
    let table = &old.name.0;
    let mut findings = Vec::new();
    for column in &old.columns {
        let col = &column.name.0;
        let Some(now) = new.columns.iter().find(|c| c.name == column.name) else {
            findings.push(
                Finding::new(
                    &sql::DROP_COLUMN,
                    view.at(Side::Base, column.line, column.line),
                    format!("The column {table}.{col} is no longer declared in the {name} schema: {apply} drops it and its data in every row (a renamed column is dropped and added empty)."),
                )
                .with_safer(tool.safer),
            );
            continue;
        };
        let at = view.at(Side::Head, now.line, now.line);
        if now.spelled != column.spelled {
            let verdict = column
                .sql_type
                .as_deref()
                .zip(now.sql_type.as_deref())
                .and_then(|(o, n)| sql::types::compare_text(o, n));
            let (from, to) = (shown(column), shown(now));
            match verdict {
                Some(Verdict::Same | Verdict::Widens) => {}
                Some(Verdict::Narrows(reason)) => findings.push(Finding::new(
                    &sql::COLUMN_TYPE_NARROWED,
                    at.clone(),
                    format!("The {name} schema changes {table}.{col} from {from} to {to}, which narrows it: {reason}. {apply} alters the column in place."),
                )),
                _ => findings.push(
                    Finding::new(
                        &sql::COLUMN_TYPE_NARROWED,
                        at.clone(),
                        format!("The {name} schema changes {table}.{col} from {from} to {to}; twokey cannot tell whether every value converts, so check the change for narrowing."),
                    )
                    .with_severity(Severity::Medium),
                ),
            }
        }
        if column.nullable && !now.nullable && !now.has_default {
            findings.push(Finding::new(
                &sql::NOT_NULL_WITHOUT_DEFAULT,
                at,
                format!("The {name} schema makes {table}.{col} NOT NULL without a default: {apply} fails if any row holds NULL. Fill the NULLs first, or give it a default."),
            ));
        }
    }
    for now in &new.columns {
        let added = !old.columns.iter().any(|c| c.name == now.name);
        if added && !now.nullable && !now.has_default {
            findings.push(Finding::new(
                &sql::NOT_NULL_WITHOUT_DEFAULT,
                view.at(Side::Head, now.line, now.line),
                format!("The column {table}.{} is added NOT NULL without a default: {apply} fails on a table that has rows. Add it nullable or with a default.", now.name.0),
            ));
        }
    }
    findings
}

fn shown(column: &Column) -> &str {
    column.sql_type.as_deref().unwrap_or(&column.spelled)
}

/// Values an enum the head keeps no longer lists: rows holding one break the change.
fn removed_enum_values(
    view: &FileView,
    tool: &Tool,
    base: &Declared,
    head: &Declared,
) -> Vec<Finding> {
    let mut findings = Vec::new();
    for old in &base.enums {
        let Some(new) = head.enums.iter().find(|e| e.name == old.name) else {
            continue;
        };
        let lost: Vec<&str> = old
            .values
            .iter()
            .filter(|v| !new.values.contains(v))
            .map(String::as_str)
            .collect();
        if !lost.is_empty() {
            findings.push(Finding::new(
                &sql::COLUMN_TYPE_NARROWED,
                view.at(Side::Head, new.line, new.line),
                format!("The {} schema removes {} from the enum {}: rows holding one make {} fail on PostgreSQL (MySQL outside strict mode empties them). Move those rows to a value the enum keeps first, in a change of its own.", tool.name, lost.join(", "), old.name, tool.apply),
            ));
        }
    }
    findings
}

/// The other files of the reviewed file's head directory that this change touches, read
/// as the tool's schemas once per file review. Files the change does not touch declare the
/// same on both sides, so they cannot be where a table went.
fn siblings<'s>(
    view: &FileView,
    tool: &Tool,
    cache: &'s mut Option<Vec<Declared>>,
) -> &'s [Declared] {
    cache.get_or_insert_with(|| {
        let own = view.path_on(Side::Head);
        view.snapshot
            .list_dir(Side::Head, own.dir())
            .into_iter()
            .filter(|p| p != own && view.memo.worth_reading(p))
            .filter_map(|p| {
                let content = view.snapshot.read(Side::Head, &p);
                content
                    .text()
                    .and_then(|text| (tool.read_sibling)(&p, text))
            })
            .collect()
    })
}

fn declared_beside(
    view: &FileView,
    tool: &Tool,
    cache: &mut Option<Vec<Declared>>,
    test: impl Fn(&Declared) -> bool,
) -> bool {
    siblings(view, tool, cache).iter().any(test)
}

/// The head declaration of `name` in another changed file of the directory, if it moved.
fn moved_here(
    view: &FileView,
    tool: &Tool,
    cache: &mut Option<Vec<Declared>>,
    name: &TableName,
) -> Option<Table> {
    siblings(view, tool, cache)
        .iter()
        .find_map(|d| d.table(name).cloned())
}
