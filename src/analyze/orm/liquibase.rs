//! Liquibase changelogs in YAML, JSON or XML (`databaseChangeLog`; XML is turned into the
//! same tree by [`super::liquibase_xml`]). A changeSet is identified by `id` and `author`;
//! whether the head makes it run (new, runAlways, runOnChange and edited, a widened context,
//! a moved file...) is decided by [`super::liquibase_rerun`]. An applied changeSet that was
//! edited reports only what the edit adds. `rollback:` blocks do not run forward and are
//! skipped.

use super::liquibase_rerun::{moved, runs, RunSettings, Runs, EDITED};
use super::{embedded_sql, FileView};
use crate::analyze::sql::types::Verdict;
use crate::analyze::{sql, unparseable_finding, Unparseable};
use crate::change::RepoPath;
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
    let moved = base.and_then(|_| {
        moved(
            view.path_on(Side::Base).as_str(),
            view.path_on(Side::Head).as_str(),
            head,
        )
    });
    let mut types = ColumnTypes::default();
    let mut findings = Vec::new();
    for set in change_sets(&head_docs) {
        let before = base_sets
            .iter()
            .find(|b| b.id == set.id && b.author == set.author);
        let changed = before.is_some_and(|b| !same_changes(b.node, set.node));
        let settings = run_settings(set.node);
        let verdict = match &moved {
            Some(why) => Runs::Again(why.clone()),
            None => runs(
                before.map(|b| run_settings(b.node)).as_ref(),
                &settings,
                changed,
            ),
        };
        match verdict {
            Runs::No => {}
            Runs::New => findings.extend(set_findings(view, &set, &types)),
            Runs::Again(why) => {
                findings.extend(set_findings(view, &set, &types).into_iter().map(|mut f| {
                    f.message.push(' ');
                    f.message.push_str(&why);
                    f
                }))
            }
            Runs::Edited => {
                // Only what the edit adds: the old version's findings were judged when it came.
                let old: Vec<(crate::finding::RuleId, String)> = before
                    .map(|b| set_findings(view, b, &types))
                    .unwrap_or_default()
                    .into_iter()
                    .map(|f| (f.rule, f.message))
                    .collect();
                findings.extend(
                    set_findings(view, &set, &types)
                        .into_iter()
                        .filter(|f| !old.iter().any(|(r, m)| *r == f.rule && *m == f.message))
                        .map(|mut f| {
                            f.message.push_str(EDITED);
                            f
                        }),
                );
            }
        }
        types.note(set.node);
    }
    findings
}

/// Liquibase checksums a changeSet's changes, not its attributes, comments or rollback.
fn same_changes(a: &Node, b: &Node) -> bool {
    match (a.get("changes"), b.get("changes")) {
        (Some(x), Some(y)) => x.same_value(y),
        (x, y) => x.is_none() && y.is_none(),
    }
}

fn run_settings(node: &Node) -> RunSettings {
    // YAML writes preConditions as a list (`- onFail: CONTINUE`), XML as one element whose
    // attributes hold onFail.
    let continues = |entry: &Node| {
        ["onFail", "onError"].iter().any(|key| {
            entry
                .get(key)
                .and_then(Node::as_str)
                .is_some_and(|v| v.eq_ignore_ascii_case("CONTINUE"))
        })
    };
    let skipped_unrecorded = node
        .get("preConditions")
        .is_some_and(|p| continues(p) || p.as_seq().iter().any(continues));
    RunSettings {
        skipped_unrecorded,
        ..RunSettings::from_attributes(|key| node.get(key).and_then(Node::as_str))
    }
}

fn set_findings(view: &FileView, set: &ChangeSet<'_>, types: &ColumnTypes) -> Vec<Finding> {
    let who = format!("changeSet {} by {}", set.id, set.author);
    let mut found = Vec::new();
    for change in set.node.get("changes").map(Node::as_seq).unwrap_or(&[]) {
        for (kind, body) in change.as_map() {
            found.extend(check(view, &who, kind, body, change, types));
        }
    }
    found
}

/// The column types earlier changeSets of the file declare (`createTable`, `addColumn`,
/// `modifyDataType`), so that a `modifyDataType` can be judged against the type it replaces.
#[derive(Default)]
struct ColumnTypes(Vec<((String, String), String)>);

impl ColumnTypes {
    fn key(table: &str, column: &str) -> (String, String) {
        (table.to_ascii_lowercase(), column.to_ascii_lowercase())
    }
    fn get(&self, table: &str, column: &str) -> Option<&str> {
        let key = Self::key(table, column);
        self.0
            .iter()
            .rev()
            .find(|(k, _)| *k == key)
            .map(|(_, t)| t.as_str())
    }
    fn set(&mut self, table: &str, column: &str, ty: &str) {
        self.0.push((Self::key(table, column), ty.to_owned()));
    }
    fn note(&mut self, set: &Node) {
        for change in set.get("changes").map(Node::as_seq).unwrap_or(&[]) {
            for (kind, body) in change.as_map() {
                let text = |key: &str| body.get(key).and_then(Node::as_str);
                let Some(table) = text("tableName") else {
                    continue;
                };
                if kind == "modifyDataType" {
                    if let (Some(name), Some(ty)) = (text("columnName"), text("newDataType")) {
                        self.set(table, name, ty);
                    }
                    continue;
                }
                if kind != "createTable" && kind != "addColumn" {
                    continue;
                }
                for column in body.get("columns").map(Node::as_seq).unwrap_or(&[]) {
                    let field = |key: &str| column.path(&["column", key]).and_then(Node::as_str);
                    if let (Some(name), Some(ty)) = (field("name"), field("type")) {
                        self.set(table, name, ty);
                    }
                }
            }
        }
    }
}

fn check(
    view: &FileView,
    who: &str,
    kind: &str,
    body: &Node,
    change: &Node,
    types: &ColumnTypes,
) -> Vec<Finding> {
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
            let (column, new) = (attr("columnName"), attr("newDataType"));
            let verdict = types
                .get(&table, &column)
                .and_then(|old| Some((old, sql::types::compare_text(old, &new)?)));
            match verdict {
                Some((_, Verdict::Same | Verdict::Widens)) => Vec::new(),
                Some((old, Verdict::Narrows(why))) => one(
                    &sql::COLUMN_TYPE_NARROWED,
                    format!("modifyDataType changes {table}.{column} from {old} to {new}: {why}. Add a new column, copy and check the data, then switch readers over."),
                ),
                _ => {
                    let mut f = one(
                        &sql::COLUMN_TYPE_NARROWED,
                        format!("modifyDataType changes {table}.{column} to {new}; twokey cannot see the old type from here, so the change may narrow it and lose data: check it does not."),
                    );
                    f[0].severity = Severity::Medium;
                    f
                }
            }
        }
        "mergeColumns" => [attr("column1Name"), attr("column2Name")]
            .into_iter()
            .flat_map(|column| {
                one(
                    &sql::DROP_COLUMN,
                    format!("mergeColumns joins {table}.{} and {table}.{} into {} and then drops the column {table}.{column}: its own values and type are gone, and readers of it fail. Add the merged column and drop the old ones in a later release.", attr("column1Name"), attr("column2Name"), attr("finalColumnName")),
                )
            })
            .collect(),
        "dropSequence" => one(
            &sql::DROP_SEQUENCE_OR_FUNCTION,
            format!("dropSequence removes the sequence {}: defaults and inserts that draw from it fail, and its current value is lost.", attr("sequenceName")),
        ),
        "dropProcedure" | "dropFunction" | "dropPackage" | "dropPackageBody" => one(
            &sql::DROP_SEQUENCE_OR_FUNCTION,
            format!("{kind} removes {}: callers start failing.", body.get("procedureName").or(body.get("functionName")).or(body.get("packageName")).and_then(Node::as_str).unwrap_or("?")),
        ),
        "renameSequence" => one(
            &sql::RENAME,
            format!("renameSequence renames {} to {}: defaults and code that still name the old sequence fail.", attr("oldSequenceName"), attr("newSequenceName")),
        ),
        "customChange" => one(
            &sql::UNPARSEABLE,
            format!("customChange runs the Java class {}, which twokey cannot read: a human must check what it changes or deletes.", attr("class")),
        ),
        "executeCommand" => one(
            &sql::UNPARSEABLE,
            format!("executeCommand runs the program {} outside Liquibase, which twokey cannot follow: a human must check what it changes or deletes.", attr("executable")),
        ),
        "sqlFile" => sql_file(view, who, &attr("path"), body, &at),
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

/// A `sqlFile` change: the file is read from the head revision and judged like inline SQL.
/// Without `relativeToChangelogFile`, Liquibase resolves the path on its search path (the
/// classpath in a Maven or Gradle build), so the usual roots are tried. A file twokey cannot
/// find may hold anything: a human must read it.
fn sql_file(
    view: &FileView,
    who: &str,
    path: &str,
    body: &Node,
    at: &crate::finding::Location,
) -> Vec<Finding> {
    let changelog_dir = view.path_on(Side::Head).dir();
    let relative = body
        .get("relativeToChangelogFile")
        .and_then(Node::as_str)
        .is_some_and(|v| v.eq_ignore_ascii_case("true"));
    let written = path.trim_start_matches("classpath:");
    let candidates: Vec<RepoPath> = if relative {
        vec![RepoPath::joined(changelog_dir, written)]
    } else {
        ["", "src/main/resources", changelog_dir]
            .iter()
            .map(|root| RepoPath::joined(root, written))
            .collect()
    };
    let text = candidates
        .iter()
        .find_map(|p| view.snapshot.read(Side::Head, p).text().map(str::to_owned));
    match text {
        Some(text) => embedded_sql(
            view,
            &format!("Liquibase {who} (sqlFile {path})"),
            &text,
            &|_, _| at.clone(),
        ),
        None => vec![Finding::new(
            &sql::UNPARSEABLE,
            at.clone(),
            format!("Liquibase {who}: sqlFile {path} is not in the repository at the head revision, so twokey cannot tell what it runs; a human must review it."),
        )],
    }
}
