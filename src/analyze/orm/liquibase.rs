//! Liquibase changelogs in YAML, JSON or XML (`databaseChangeLog`; XML is turned into the
//! same tree by [`super::liquibase_xml`]). A changeSet is identified by `id` and
//! `author`; only changeSets the head adds count (and, for `runOnChange: true`, changeSets
//! whose content changed, since Liquibase runs those again). `rollback:` blocks do not run
//! forward and are skipped.

use super::{embedded_sql, FileView};
use crate::analyze::{sql, unparseable_finding, Unparseable};
use crate::change::Side;
use crate::finding::{Finding, Severity};
use crate::yaml::{parse_documents, Node};

struct ChangeSet<'n> {
    id: String,
    author: String,
    node: &'n Node,
}

fn change_sets(docs: &[Node]) -> Vec<ChangeSet<'_>> {
    docs.iter()
        .filter_map(|d| d.get("databaseChangeLog"))
        .flat_map(|log| log.as_seq())
        .filter_map(|entry| entry.get("changeSet"))
        .map(|node| ChangeSet {
            id: node
                .get("id")
                .and_then(Node::as_str)
                .unwrap_or("")
                .to_owned(),
            author: node
                .get("author")
                .and_then(Node::as_str)
                .unwrap_or("")
                .to_owned(),
            node,
        })
        .collect()
}

/// A changelog in any of its formats, as YAML-shaped documents.
fn documents(text: &str) -> Result<Vec<Node>, (u32, String)> {
    if text.trim_start().starts_with('<') {
        super::liquibase_xml::parse(text)
            .map(|root| vec![root])
            .map_err(|e| (e.line, e.message))
    } else {
        parse_documents(text).map_err(|e| (e.line, e.message))
    }
}

pub(crate) fn analyze(view: &FileView, base: Option<&str>, head: &str) -> Vec<Finding> {
    let head_docs = match documents(head) {
        Ok(docs) => docs,
        Err((line, reason)) => {
            let failure = Unparseable {
                side: Side::Head,
                line: Some(line.max(1)),
                reason,
            };
            return vec![unparseable_finding(&sql::UNPARSEABLE, view, &failure)];
        }
    };
    // A base that cannot be read has no changeSets: every head changeSet is new (fail closed).
    let base_docs = base.and_then(|b| documents(b).ok()).unwrap_or_default();
    let base_sets = change_sets(&base_docs);
    let mut findings = Vec::new();
    for set in change_sets(&head_docs) {
        let before = base_sets
            .iter()
            .find(|b| b.id == set.id && b.author == set.author);
        let run_on_change = set
            .node
            .get("runOnChange")
            .and_then(Node::as_str)
            .is_some_and(|v| v == "true");
        let runs = match before {
            None => true,
            Some(b) => run_on_change && !b.node.same_value(set.node),
        };
        if !runs {
            continue;
        }
        let who = format!("changeSet {} by {}", set.id, set.author);
        for change in set.node.get("changes").map(Node::as_seq).unwrap_or(&[]) {
            for (kind, body) in change.as_map() {
                findings.extend(check(view, &who, kind, body, change));
            }
        }
    }
    findings
}

fn check(view: &FileView, who: &str, kind: &str, body: &Node, change: &Node) -> Vec<Finding> {
    let at = view.at(Side::Head, change.line, change.end_line.max(change.line));
    let attr = |key: &str| {
        body.get(key)
            .and_then(Node::as_str)
            .unwrap_or("?")
            .to_owned()
    };
    let table = attr("tableName");
    let one = |rule: &'static crate::rules::Rule, message: String| {
        vec![Finding::new(
            rule,
            at.clone(),
            format!("Liquibase {who}: {message}"),
        )]
    };
    match kind {
        "dropTable" => {
            let cascade = attr("cascadeConstraints") == "true";
            let mut f = one(
                &sql::DROP_TABLE,
                format!("dropTable deletes the table {table} and every row in it."),
            );
            if cascade {
                f[0].severity = Severity::Critical;
            }
            f
        }
        "dropColumn" => {
            let mut names: Vec<String> = body
                .get("columns")
                .map(Node::as_seq)
                .unwrap_or(&[])
                .iter()
                .filter_map(|c| c.path(&["column", "name"]).and_then(Node::as_str))
                .map(str::to_owned)
                .collect();
            if names.is_empty() {
                names.push(attr("columnName"));
            }
            names
                .into_iter()
                .flat_map(|column| {
                    one(
                        &sql::DROP_COLUMN,
                        format!("dropColumn deletes the column {table}.{column} and its data in every row."),
                    )
                })
                .collect()
        }
        "dropView" => one(
            &sql::DROP_VIEW,
            format!("dropView removes the view {}: queries that read it start failing.", attr("viewName")),
        ),
        "dropIndex" => one(
            &sql::DROP_INDEX,
            format!("dropIndex removes the index {}: queries that used it may turn into full scans.", attr("indexName")),
        ),
        "dropForeignKeyConstraint" | "dropUniqueConstraint" | "dropPrimaryKey" | "dropAllForeignKeyConstraints" => one(
            &sql::DROP_CONSTRAINT,
            format!("{kind} drops constraints of {}: the table stops refusing the rows they kept out.", body.get("baseTableName").and_then(Node::as_str).unwrap_or(&table)),
        ),
        "delete" if body.get("where").is_none() => one(
            &sql::DELETE_WITHOUT_WHERE,
            format!("delete has no where and removes every row of {table}."),
        ),
        "update" if body.get("where").is_none() => one(
            &sql::UPDATE_WITHOUT_WHERE,
            format!("update has no where and overwrites the columns in every row of {table}."),
        ),
        "modifyDataType" => {
            let mut f = one(
                &sql::COLUMN_TYPE_NARROWED,
                format!("modifyDataType changes {table}.{} to {}; twokey cannot see the old type from here, so the change may narrow it and lose data: check it does not.", attr("columnName"), attr("newDataType")),
            );
            f[0].severity = Severity::Medium;
            f
        }
        "renameColumn" => one(
            &sql::RENAME,
            format!("renameColumn renames {table}.{} to {}: running code that still uses the old name fails until the new code is deployed.", attr("oldColumnName"), attr("newColumnName")),
        ),
        "renameTable" | "renameView" => one(
            &sql::RENAME,
            format!("{kind} renames {} to {}: running code that still uses the old name fails until the new code is deployed.", body.get("oldTableName").or(body.get("oldViewName")).and_then(Node::as_str).unwrap_or("?"), body.get("newTableName").or(body.get("newViewName")).and_then(Node::as_str).unwrap_or("?")),
        ),
        "addNotNullConstraint" if body.get("defaultNullValue").is_none() => one(
            &sql::NOT_NULL_WITHOUT_DEFAULT,
            format!("addNotNullConstraint makes {table}.{} NOT NULL without a defaultNullValue: the migration fails if any row holds NULL.", attr("columnName")),
        ),
        "sql" => {
            let text = body
                .as_str()
                .map(str::to_owned)
                .unwrap_or_else(|| attr("sql"));
            embedded_sql(view, &format!("Liquibase {who}"), &text, &|_, _| at.clone())
        }
        _ => Vec::new(),
    }
}
