//! sql analyzer: destructive statements that a change adds to a SQL migration or schema file.
//!
//! Both sides are parsed (sqlparser, dialect from the config with fallbacks) and statements are
//! compared by their normalized text, so only statements that are new on the head side can
//! produce findings: comment and layout edits stay quiet, and a brand-new migration has every
//! statement new. A table the same file creates (without `IF NOT EXISTS`) before dropping,
//! truncating or emptying it is scratch space, not data, and is not reported.

mod parse;

use super::{unparseable_finding, FileView, Unparseable};
use crate::change::Side;
use crate::finding::{Finding, Severity, Tag};
use crate::rules::Rule;
use parse::{parse_any, DialectName, Located};
use sqlparser::ast::{
    AlterTableOperation, FromTable, ObjectName, ObjectType, Statement, TableFactor, TableWithJoins,
};
use std::collections::{HashMap, HashSet};

const DESTRUCTIVE: &[Tag] = &[Tag::Destructive, Tag::Infra];

pub const DROP_DATABASE: Rule = Rule {
    id: crate::finding::RuleId("sql/drop-database"),
    severity: Severity::Critical,
    tags: DESTRUCTIVE,
    summary: "A migration drops a whole database.",
    why: "DROP DATABASE deletes every table, row and object in the database at once; only a backup brings it back.",
    example: "+ DROP DATABASE analytics;",
    safer: "Take and verify a backup, revoke access first and drop the database by hand after a waiting period, not from a migration.",
};

pub const DROP_SCHEMA: Rule = Rule {
    id: crate::finding::RuleId("sql/drop-schema"),
    severity: Severity::Critical,
    tags: DESTRUCTIVE,
    summary: "A migration drops a schema.",
    why: "DROP SCHEMA (with CASCADE) deletes every table, view and function in the schema together with their data.",
    example: "+ DROP SCHEMA reporting CASCADE;",
    safer: "Rename the schema or revoke access to it, take a backup, and drop it in a later, separately reviewed change.",
};

pub const DROP_TABLE: Rule = Rule {
    id: crate::finding::RuleId("sql/drop-table"),
    severity: Severity::High,
    tags: DESTRUCTIVE,
    summary: "A migration drops a table.",
    why: "DROP TABLE deletes the table and every row in it; running code that still reads it starts failing.",
    example: "+ DROP TABLE users;",
    safer: "Rename the table (ALTER TABLE … RENAME TO …_deprecated), deploy code that no longer uses it, and drop it in a later migration after a backup.",
};

pub const DROP_COLUMN: Rule = Rule {
    id: crate::finding::RuleId("sql/drop-column"),
    severity: Severity::High,
    tags: DESTRUCTIVE,
    summary: "A migration drops a column.",
    why: "ALTER TABLE … DROP COLUMN deletes the column's data in every row, and code still selecting it breaks.",
    example: "+ ALTER TABLE users DROP COLUMN email;",
    safer: "Stop reading and writing the column first, deploy, back it up, then drop it in a later migration (expand/contract).",
};

pub const TRUNCATE: Rule = Rule {
    id: crate::finding::RuleId("sql/truncate"),
    severity: Severity::High,
    tags: DESTRUCTIVE,
    summary: "A migration truncates a table.",
    why: "TRUNCATE removes every row of the table at once, without per-row triggers, and cannot be limited by a condition.",
    example: "+ TRUNCATE TABLE sessions;",
    safer: "Delete only the rows that must go with a WHERE clause, in batches, after a backup.",
};

pub const DELETE_WITHOUT_WHERE: Rule = Rule {
    id: crate::finding::RuleId("sql/delete-without-where"),
    severity: Severity::High,
    tags: DESTRUCTIVE,
    summary: "A migration deletes from a table without a WHERE clause.",
    why: "DELETE without WHERE removes every row of the table.",
    example: "+ DELETE FROM orders;",
    safer:
        "Add a WHERE clause that selects exactly the rows to remove, and check its row count first.",
};

pub const UPDATE_WITHOUT_WHERE: Rule = Rule {
    id: crate::finding::RuleId("sql/update-without-where"),
    severity: Severity::Medium,
    tags: DESTRUCTIVE,
    summary: "A migration updates every row of a table (no WHERE clause).",
    why: "UPDATE without WHERE overwrites the column in every row; the previous values are lost unless backed up.",
    example: "+ UPDATE users SET role = 'user';",
    safer: "Restrict the UPDATE with a WHERE clause (for a backfill: WHERE col IS NULL), or copy the old values to a backup column first.",
};

pub const UNPARSEABLE: Rule = Rule {
    id: crate::finding::RuleId("sql/unparseable"),
    severity: Severity::Medium,
    tags: &[Tag::Infra],
    summary: "A SQL file could not be parsed.",
    why: "twokey cannot tell what a SQL file it cannot parse does to the database, so it fails closed and asks for a human.",
    example: "+ DROP TABLE users (;",
    safer: "Fix the syntax, or set `sql_dialect` to the database the file is written for.",
};

pub const RULES: &[&Rule] = &[
    &DROP_DATABASE,
    &DROP_SCHEMA,
    &DROP_TABLE,
    &DROP_COLUMN,
    &TRUNCATE,
    &DELETE_WITHOUT_WHERE,
    &UPDATE_WITHOUT_WHERE,
    &UNPARSEABLE,
];

/// Reports the destructive statements the head side adds.
pub fn analyze(view: &FileView) -> Vec<Finding> {
    let Some(head) = view.new_text() else {
        // A deleted migration runs nothing; deleting files is the files analyzer's business.
        return Vec::new();
    };
    let configured = DialectName::from_option(&view.options.sql_dialect);
    let (dialect, head_statements) = match parse_any(head, &configured.fallbacks()) {
        Ok(parsed) => parsed,
        Err(e) => {
            let failure = Unparseable {
                side: Side::Head,
                line: e.line,
                reason: e.message,
            };
            return vec![unparseable_finding(&UNPARSEABLE, view, &failure)];
        }
    };
    // Most migrations add things. Only when the head holds a destructive statement does the
    // base need reading, to tell a new statement from one that was already there.
    let mut candidates: Vec<(usize, Vec<Finding>)> = Vec::new();
    let mut created: HashSet<String> = HashSet::new();
    for (index, located) in head_statements.iter().enumerate() {
        let found = check(view, located, &created);
        if !found.is_empty() {
            candidates.push((index, found));
        }
        note_created(&located.statement, &mut created);
    }
    if candidates.is_empty() {
        return Vec::new();
    }
    // The base is read with the dialect that read the head first, so the two sides print
    // the same statement the same way. A base that cannot be parsed counts as empty: every
    // destructive head statement is then reported, which fails closed.
    let mut order = vec![dialect];
    order.extend(configured.fallbacks().into_iter().filter(|d| *d != dialect));
    let base_statements = view
        .old_text()
        .and_then(|base| parse_any(base, &order).ok())
        .map(|(_, s)| s)
        .unwrap_or_default();

    let new = new_statements(&base_statements, &head_statements);
    candidates
        .into_iter()
        .filter(|(index, _)| new.contains(index))
        .flat_map(|(_, found)| found)
        .collect()
}

/// Indices of head statements with no counterpart in the base, counting duplicates: a second
/// copy of an existing `DELETE FROM t` is new.
fn new_statements(base: &[Located], head: &[Located]) -> HashSet<usize> {
    let mut available: HashMap<String, usize> = HashMap::new();
    for s in base {
        *available.entry(s.key()).or_default() += 1;
    }
    let mut new = HashSet::new();
    for (index, s) in head.iter().enumerate() {
        match available.get_mut(&s.key()) {
            Some(n) if *n > 0 => *n -= 1,
            _ => {
                new.insert(index);
            }
        }
    }
    new
}

/// Remembers tables this file creates outright. `IF NOT EXISTS` does not count: the table may
/// already exist and hold data.
fn note_created(statement: &Statement, created: &mut HashSet<String>) {
    if let Statement::CreateTable(create) = statement {
        if !create.if_not_exists || create.temporary {
            created.insert(normalize_name(&create.name));
        }
    }
}

/// Compares names the way a reviewer would: case and quoting ignored.
fn normalize_name(name: &ObjectName) -> String {
    name.to_string()
        .chars()
        .filter(|c| !matches!(c, '"' | '`' | '[' | ']'))
        .flat_map(char::to_lowercase)
        .collect()
}

fn check(view: &FileView, located: &Located, created: &HashSet<String>) -> Vec<Finding> {
    let at = view.at(Side::Head, located.line, located.end_line);
    let scratch = |name: &ObjectName| created.contains(&normalize_name(name));
    let mut findings = Vec::new();
    match &located.statement {
        Statement::Drop {
            object_type,
            names,
            cascade,
            purge,
            ..
        } => match object_type {
            ObjectType::Database => {
                for name in names {
                    findings.push(Finding::new(
                        &DROP_DATABASE,
                        at.clone(),
                        format!("DROP DATABASE {name} deletes the database {name} with every table and row in it."),
                    ));
                }
            }
            ObjectType::Schema => {
                for name in names {
                    let what = if *cascade {
                        "and, with CASCADE, every table, view and function in it"
                    } else {
                        "and fails only if it still holds objects"
                    };
                    findings.push(Finding::new(
                        &DROP_SCHEMA,
                        at.clone(),
                        format!("DROP SCHEMA {name} deletes the schema {name} {what}."),
                    ));
                }
            }
            ObjectType::Table => {
                for name in names.iter().filter(|n| !scratch(n)) {
                    let mut finding = Finding::new(
                        &DROP_TABLE,
                        at.clone(),
                        format!("DROP TABLE {name} deletes the table {name} and every row in it."),
                    )
                    .with_safer(format!(
                        "Rename {name} (ALTER TABLE {name} RENAME TO {name}_deprecated), deploy code that no longer uses it, and drop it in a later migration after a backup."
                    ));
                    if *cascade || *purge {
                        // CASCADE takes dependent views and foreign keys with it; PURGE skips
                        // the recycle bin some engines would otherwise restore from.
                        finding = finding.with_severity(Severity::Critical);
                        finding.message = format!(
                            "DROP TABLE {name} {} deletes the table {name}, every row in it{}.",
                            if *cascade { "CASCADE" } else { "PURGE" },
                            if *cascade {
                                " and every object that depends on it"
                            } else {
                                " beyond recovery"
                            }
                        );
                    }
                    findings.push(finding);
                }
            }
            _ => {}
        },
        Statement::AlterTable(alter) if !scratch(&alter.name) => {
            let table = &alter.name;
            for op in &alter.operations {
                if let AlterTableOperation::DropColumn { column_names, .. } = op {
                    for column in column_names {
                        findings.push(
                            Finding::new(
                                &DROP_COLUMN,
                                at.clone(),
                                format!("ALTER TABLE {table} DROP COLUMN {column} deletes the column {column} and its data in every row of {table}."),
                            )
                            .with_safer(format!(
                                "Stop reading and writing {table}.{column} first, deploy, back it up, then drop it in a later migration."
                            )),
                        );
                    }
                }
            }
        }
        Statement::Truncate(truncate) => {
            for target in truncate.table_names.iter().filter(|t| !scratch(&t.name)) {
                let name = &target.name;
                findings.push(Finding::new(
                    &TRUNCATE,
                    at.clone(),
                    format!("TRUNCATE {name} removes every row of the table {name}."),
                ));
            }
        }
        Statement::Delete(delete) if delete.selection.is_none() => {
            let tables = delete_targets(delete);
            if !tables
                .iter()
                .any(|t| created.contains(&t.to_ascii_lowercase()))
            {
                let name = tables
                    .first()
                    .cloned()
                    .unwrap_or_else(|| "the table".to_owned());
                findings.push(Finding::new(
                    &DELETE_WITHOUT_WHERE,
                    at.clone(),
                    format!(
                        "DELETE FROM {name} has no WHERE clause and removes every row of {name}."
                    ),
                ));
            }
        }
        Statement::Update(update) if update.selection.is_none() => {
            let name = table_name(&update.table);
            if !created.contains(&name.to_ascii_lowercase()) {
                findings.push(Finding::new(
                    &UPDATE_WITHOUT_WHERE,
                    at.clone(),
                    format!("UPDATE {name} has no WHERE clause and overwrites the assigned columns in every row of {name}."),
                ));
            }
        }
        _ => {}
    }
    findings
}

fn delete_targets(delete: &sqlparser::ast::Delete) -> Vec<String> {
    if !delete.tables.is_empty() {
        return delete.tables.iter().map(normalize_name).collect();
    }
    let from = match &delete.from {
        FromTable::WithFromKeyword(t) | FromTable::WithoutKeyword(t) => t,
    };
    from.iter().map(table_name).collect()
}

fn table_name(table: &TableWithJoins) -> String {
    match &table.relation {
        TableFactor::Table { name, .. } => normalize_name(name),
        other => other.to_string(),
    }
}

#[cfg(test)]
mod tests;
