//! Rails migrations (`db/migrate/*.rb`): the schema statements of ActiveRecord::Migration.
//! `def down`, `revert do … end` and `dir.down` blocks are rollbacks and do not run forward;
//! blocks are followed by indentation (`def`/`do` and the `end` at the same indentation),
//! which is how Rails generators and RuboCop lay migrations out.

use super::scan::{Before, Lang, RawCall, Segment, Source};
use super::{or_unknown, raw_sql, Call, Effect};
use crate::analyze::sql;
use crate::finding::Severity;

const STATEMENTS: &[&str] = &[
    "add_column",
    "add_reference",
    "add_belongs_to",
    "drop_table",
    "drop_join_table",
    // scenic's view statements.
    "drop_view",
    "remove_column",
    "remove_columns",
    "remove_reference",
    "remove_belongs_to",
    "remove_timestamps",
    "remove_index",
    "remove_foreign_key",
    "remove_check_constraint",
    "change_column",
    "change_column_null",
    "rename_column",
    "rename_table",
    // Only with `force:`, which drops the table first (strong_migrations' "creating a table
    // with the force option").
    "create_table",
    // Rails 7.1's Postgres enum values (`ALTER TYPE … RENAME VALUE`).
    "rename_enum_value",
    "execute",
    // GitLab's migration helpers, which its post-deployment migrations drop with.
    "remove_concurrent_index",
    "remove_concurrent_index_by_name",
    "remove_foreign_key_if_exists",
    "cleanup_concurrent_column_rename",
];

/// The connection methods that run the SQL they are given (`connection.exec_query(…)`).
const CONNECTION_SQL: &[&str] = &["execute", "exec_query", "exec_update", "exec_delete"];

pub(crate) fn calls(text: &str) -> Vec<Call> {
    let src = Source::new(text, Lang::Ruby);
    let rollback = rollback_lines(&src);
    let mut out = Vec::new();
    for &name in STATEMENTS {
        let mut found = src.calls(name, Before::Bare);
        if name == "execute" {
            // `connection.execute(<<~SQL)`, `ActiveRecord::Base.connection.execute(...)`, and
            // the connection's other raw-SQL methods, which run their SQL just the same.
            for method in CONNECTION_SQL {
                found.extend(
                    src.calls(method, Before::Dot)
                        .into_iter()
                        .filter(|call| src.text[..call.start].ends_with("connection.")),
                );
            }
            found.sort_by_key(|call| call.start);
        }
        for call in found {
            if rollback.get(call.line as usize).copied().unwrap_or(false) {
                continue;
            }
            if let Some(effect) = effect(&src, &call) {
                let mut found = Call::found(&src, &call, effect);
                // remove_column's type and options only make it reversible: adding them to an
                // old call (`remove_column :users, :email, :string`) drops nothing new.
                if name == "remove_column" {
                    let positional = src.positional_values(&src.args(&call));
                    found.key = format!(
                        "remove_column({:?})",
                        positional.get(..2).unwrap_or(&positional)
                    );
                }
                out.push(found);
            }
        }
    }
    out.extend(table_block_calls(&src, &rollback));
    out.extend(droppers(&src, &rollback));
    out.extend(connection_truncates(&src, &rollback));
    out.extend(bulk_calls(&src, &rollback));
    out
}

/// Discourse's post-deployment droppers, `Migration::ColumnDropper.execute_drop(:users,
/// %i[legacy])` and `Migration::TableDropper.execute_drop(:old)`, which its plugins use too.
fn droppers(src: &Source, rollback: &[bool]) -> Vec<Call> {
    let mut out = Vec::new();
    for call in src.calls("execute_drop", Before::Dot) {
        if rollback.get(call.line as usize).copied().unwrap_or(false) {
            continue;
        }
        let before = &src.text[..call.start];
        let args = src.args(&call);
        // A literal (`:users`, `"users"`, `%i[a b]`) names what goes; a variable does not.
        let literal = |i: usize| {
            args.get(i)
                .map(|a| src.text[a.value.clone()].trim())
                .filter(|t| t.starts_with([':', '"', '\'', '%', '[']))
                .map(|_| src.value(&args[i]))
        };
        let table = literal(0).unwrap_or_else(|| "the tables it lists".to_owned());
        let effect = if before.ends_with("ColumnDropper.") {
            let columns = literal(1).unwrap_or_else(|| "it lists".to_owned());
            Effect::finding(
                &sql::DROP_COLUMN,
                format!("Migration::ColumnDropper.execute_drop drops the columns {columns} of {table} and their data in every row."),
            )
        } else if before.ends_with("TableDropper.") {
            Effect::finding(
                &sql::DROP_TABLE,
                format!("Migration::TableDropper.execute_drop drops {table} and every row in it."),
            )
        } else {
            continue;
        };
        out.push(Call::found(src, &call, effect));
    }
    out
}

/// The connection's own `truncate(:sessions)` and `truncate_tables(:a, :b)`, which empty
/// tables without any SQL for `execute` to read.
fn connection_truncates(src: &Source, rollback: &[bool]) -> Vec<Call> {
    let mut out = Vec::new();
    for name in ["truncate", "truncate_tables"] {
        for call in src.calls(name, Before::Dot) {
            if rollback.get(call.line as usize).copied().unwrap_or(false)
                || !src.text[..call.start].ends_with("connection.")
            {
                continue;
            }
            let tables = src.positional_values(&src.args(&call));
            let tables = if tables.is_empty() {
                "the tables it is given".to_owned()
            } else {
                tables.join(", ")
            };
            let effect = Effect::finding(
                &sql::TRUNCATE,
                format!("connection.{name} empties {tables}: every row in it is deleted."),
            );
            out.push(Call::found(src, &call, effect));
        }
    }
    out
}

/// Statements on the block variable of `change_table :users do |t|`, which name their
/// columns but not their table.
const TABLE_BLOCK_STATEMENTS: &[&str] = &[
    "remove",
    "remove_references",
    "remove_belongs_to",
    "remove_timestamps",
    "remove_index",
    "rename",
];

fn table_block_calls(src: &Source, rollback: &[bool]) -> Vec<Call> {
    let blocks: Vec<(String, u32, u32)> = src
        .calls("change_table", Before::Bare)
        .iter()
        .filter_map(|call| {
            let table = src.args(call).first().map(|a| src.value(a))?;
            Some((table, call.line, block_end(src, call.line)))
        })
        .collect();
    let mut out = Vec::new();
    for &name in TABLE_BLOCK_STATEMENTS {
        for call in src.calls(name, Before::Dot) {
            let Some((table, _, _)) = blocks
                .iter()
                .rev()
                .find(|(_, start, end)| (*start..=*end).contains(&call.line))
            else {
                continue;
            };
            if rollback.get(call.line as usize).copied().unwrap_or(false) {
                continue;
            }
            let positional = src.positional_values(&src.args(&call));
            let at = |i: usize| or_unknown(positional.get(i).cloned());
            let effect = match name {
                "remove" if positional.len() == 1 => Effect::finding(
                    &sql::DROP_COLUMN,
                    format!("t.remove in change_table :{table} drops the column {table}.{} and its data in every row.", at(0)),
                ),
                "remove" | "remove_timestamps" => {
                    let columns = if name == "remove" {
                        positional.join(", ")
                    } else {
                        "created_at, updated_at".to_owned()
                    };
                    Effect::finding(
                        &sql::DROP_COLUMN,
                        format!("t.{name} in change_table :{table} drops the columns {columns} and their data in every row."),
                    )
                }
                "remove_references" | "remove_belongs_to" => Effect::finding(
                    &sql::DROP_COLUMN,
                    format!("t.{name} in change_table :{table} drops the column {table}.{}_id (and its index and foreign key): the association's data is lost.", at(0)),
                ),
                "remove_index" => Effect::finding(
                    &sql::DROP_INDEX,
                    format!("t.remove_index in change_table :{table} drops an index of {table}: queries that used it may turn into full scans, and a unique index stops refusing duplicates."),
                ),
                _ => Effect::finding(
                    &sql::RENAME,
                    format!("t.rename in change_table :{table} renames {table}.{} to {}: running code that still uses the old name fails until the new code is deployed.", at(0), at(1)),
                ),
            };
            let mut found = Call::found(src, &call, effect);
            // The same `t.remove :name` on another table is another statement.
            found.key = format!("{table}.{}", found.key);
            out.push(found);
        }
    }
    out
}

/// The line of the `end` that closes the block opened on `line`: the next `end` at the
/// same indentation (how Rails generators and RuboCop lay blocks out).
fn block_end(src: &Source, line: u32) -> u32 {
    let lines = src.code_lines();
    let indent = |l: &str| l.len() - l.trim_start().len();
    let Some(opening) = lines.get(line as usize - 1) else {
        return line;
    };
    let at = indent(opening);
    lines
        .iter()
        .enumerate()
        .skip(line as usize)
        .find(|(_, l)| indent(l) == at && l.trim_start().starts_with("end"))
        .map_or(u32::try_from(lines.len()).unwrap_or(u32::MAX), |(i, _)| {
            u32::try_from(i + 1).unwrap_or(u32::MAX)
        })
}

fn effect(src: &Source, call: &RawCall) -> Option<Effect> {
    let args = src.args(call);
    let positional = src.positional_values(&args);
    let at = |i: usize| or_unknown(positional.get(i).cloned());
    let table = at(0);
    Some(match call.name {
        "add_column" | "add_reference" | "add_belongs_to" => {
            let keyword = |k: &str| args.iter().find(|a| a.keyword.as_deref() == Some(k));
            let not_null = keyword("null").is_some_and(|a| src.text[a.value.clone()].trim() == "false");
            // A table this migration creates has no rows yet.
            let created = src
                .calls("create_table", Before::Bare)
                .iter()
                .any(|c| src.first_value(c).as_deref() == Some(table.as_str()));
            if !not_null || keyword("default").is_some() || created {
                return None;
            }
            let column = if call.name == "add_column" {
                at(1)
            } else {
                format!("{}_id", at(1))
            };
            Effect::finding(
                &sql::NOT_NULL_WITHOUT_DEFAULT,
                format!("{} adds {table}.{column} with null: false and no default: on a table with rows the migration fails. Add it nullable (or with a default), backfill, then change_column_null.", call.name),
            )
        }
        // `force: true` drops the table if it exists before creating it empty; `force:
        // :cascade` also drops what depends on it (the form `db/schema.rb` uses). A migration
        // that copies it from the schema file wipes a table that already holds rows.
        "create_table" => {
            let force = args
                .iter()
                .find(|a| a.keyword.as_deref() == Some("force"))
                .map(|a| src.text[a.value.clone()].trim().trim_start_matches(':'))?;
            let cascade = force.trim_matches(['"', '\'']) == "cascade";
            if !(cascade || force == "true") {
                return None;
            }
            Effect::Finding {
                rule: &sql::DROP_TABLE,
                severity: if cascade { Severity::Critical } else { Severity::High },
                message: format!(
                    "create_table :{table}, force: {} drops the table {table}{} with every row in it before creating it empty. Create the table without force: (the migration then fails if it already exists), or drop it in its own reviewed migration.",
                    if cascade { ":cascade" } else { "true" },
                    if cascade { " and, with CASCADE, every foreign key and view that depends on it," } else { "" }
                ),
            }
        }
        "rename_enum_value" => {
            let keyword = |k: &str| {
                args.iter()
                    .find(|a| a.keyword.as_deref() == Some(k))
                    .map(|a| src.value(a))
            };
            Effect::finding(
                &sql::RENAME,
                format!(
                    "rename_enum_value renames the value {} of the enum {table} to {} in every row that holds it: running code that still writes {} fails, and code comparing with it matches nothing. Add the new value (add_enum_value), deploy code that accepts both, move the rows over, then stop using the old one.",
                    or_unknown(keyword("from")),
                    or_unknown(keyword("to")),
                    or_unknown(keyword("from"))
                ),
            )
        }
        "drop_table" => Effect::finding(
            &sql::DROP_TABLE,
            format!("drop_table :{table} drops the table {table} and every row in it."),
        ),
        "drop_view" => Effect::finding(
            &sql::DROP_VIEW,
            format!("drop_view :{table} drops the view {table}: whatever still reads it fails, and its definition is gone unless a later version recreates it."),
        ),
        "drop_join_table" => Effect::finding(
            &sql::DROP_TABLE,
            format!(
                "drop_join_table drops the join table of {table} and {} with every association it records.",
                at(1)
            ),
        ),
        "remove_column" => Effect::finding(
            &sql::DROP_COLUMN,
            format!(
                "remove_column drops the column {table}.{} and its data in every row.",
                at(1)
            ),
        ),
        "remove_columns" | "remove_timestamps" => {
            let columns = if call.name == "remove_timestamps" {
                "created_at, updated_at".to_owned()
            } else {
                positional.get(1..).unwrap_or_default().join(", ")
            };
            Effect::finding(
                &sql::DROP_COLUMN,
                format!(
                    "{} drops the columns {columns} of {table} and their data in every row.",
                    call.name
                ),
            )
        }
        "remove_reference" | "remove_belongs_to" => Effect::finding(
            &sql::DROP_COLUMN,
            format!(
                "{} drops the column {table}.{}_id (and its index and foreign key): the association's data is lost.",
                call.name,
                at(1)
            ),
        ),
        "remove_index" | "remove_concurrent_index" | "remove_concurrent_index_by_name" => Effect::finding(
            &sql::DROP_INDEX,
            format!("{} drops an index of {table}: queries that used it may turn into full scans, and a unique index stops refusing duplicates.", call.name),
        ),
        "remove_foreign_key" | "remove_foreign_key_if_exists" => Effect::finding(
            &sql::DROP_CONSTRAINT,
            format!("{} drops a foreign key of {table}: the table stops refusing rows that point nowhere.", call.name),
        ),
        // The second step of GitLab's rename_column_concurrently: the old column goes.
        "cleanup_concurrent_column_rename" => Effect::finding(
            &sql::DROP_COLUMN,
            format!(
                "cleanup_concurrent_column_rename drops the old column {table}.{} (its data was copied to {}): code still using the old name fails.",
                at(1),
                at(2)
            ),
        ),
        "remove_check_constraint" => Effect::finding(
            &sql::DROP_CONSTRAINT,
            format!("remove_check_constraint drops a check constraint of {table}: the table stops refusing the values it kept out."),
        ),
        // `:text` with no `limit:` (which MySQL reads as a smaller or larger TEXT) holds the
        // text of any value of any type, as the SQL checker's `ALTER COLUMN … TYPE text`
        // does: nothing the old type held can be lost, whatever it was.
        "change_column"
            if positional.get(2).is_some_and(|t| t == "text")
                && !args.iter().any(|a| a.keyword.as_deref() == Some("limit")) =>
        {
            return None
        }
        "change_column" => Effect::medium(
            &sql::COLUMN_TYPE_NARROWED,
            format!(
                "change_column changes {table}.{} to {}; twokey cannot see the old type from here, so the change may narrow it and lose data: check it does not.",
                at(1),
                at(2)
            ),
        ),
        "change_column_null" => {
            let allow_null = positional.get(2).map(|v| v.trim());
            let has_default = positional.len() > 3;
            if allow_null != Some("false") || has_default {
                return None;
            }
            Effect::finding(
                &sql::NOT_NULL_WITHOUT_DEFAULT,
                format!("change_column_null :{table}, :{}, false makes the column NOT NULL: the migration fails if any row holds NULL, and checking every row locks the table.", at(1)),
            )
        }
        "rename_column" => Effect::finding(
            &sql::RENAME,
            format!(
                "rename_column renames {table}.{} to {}: running code that still uses the old name fails until the new code is deployed.",
                at(1),
                at(2)
            ),
        ),
        "rename_table" => Effect::finding(
            &sql::RENAME,
            format!(
                "rename_table renames {table} to {}: running code that still uses the old table fails until the new code is deployed.",
                at(1)
            ),
        ),
        _ => {
            let what = if src.text[..call.start].ends_with("connection.") {
                format!("connection.{}", call.name)
            } else {
                "execute".to_owned()
            };
            raw_sql(src, &what, args.first())?
        }
    })
}

/// ActiveRecord's bulk methods on a whole model: `User.delete_all`, `User.update_all(...)`,
/// `User.destroy_all`, also through `all`, `unscoped` or `in_batches`. Any other step in the
/// chain (`where`, `find_by`, a scope such as `User.inactive`) is taken to select some rows
/// and is quiet; so is a chain that does not start at a constant (`user.posts.delete_all`
/// works on one record's association). `User.find_each(&:destroy)` (or `each`) destroys
/// every record one by one, which is `destroy_all` written longhand.
fn bulk_calls(src: &Source, rollback: &[bool]) -> Vec<Call> {
    let mut out = Vec::new();
    for name in [
        "delete_all",
        "update_all",
        "destroy_all",
        "find_each",
        "each",
    ] {
        for call in src.calls(name, Before::Dot) {
            if rollback.get(call.line as usize).copied().unwrap_or(false) {
                continue;
            }
            let destroys_each = matches!(
                src.text[call.args.clone()].trim(),
                "&:destroy" | "&:destroy!" | "&:delete"
            );
            if matches!(name, "find_each" | "each") && !destroys_each {
                continue;
            }
            let chain = src.receiver(call.start);
            let constant = |s: &Segment| {
                s.name.starts_with(|c: char| c.is_ascii_uppercase()) && s.args.is_none()
            };
            let Some(model) = chain.iter().take_while(|s| constant(s)).last() else {
                continue;
            };
            let unfiltered = chain
                .iter()
                .skip_while(|s| constant(s))
                .all(|s| matches!(s.name.as_str(), "all" | "unscoped" | "in_batches"));
            if !unfiltered {
                continue;
            }
            let model = &model.name;
            let effect = if name == "update_all" {
                Effect::finding(
                    &sql::UPDATE_WITHOUT_WHERE,
                    format!("{model}.update_all without a where overwrites every row of the table of {model}."),
                )
            } else {
                let written = if destroys_each {
                    format!("{name}({})", src.text[call.args.clone()].trim())
                } else {
                    name.to_owned()
                };
                Effect::finding(
                    &sql::DELETE_WITHOUT_WHERE,
                    format!(
                        "{model}.{written} without a where deletes every row of the table of {model}."
                    ),
                )
            };
            out.push(Call::found(src, &call, effect));
        }
    }
    out
}

/// For each line (1-based index), whether it is inside rollback code.
fn rollback_lines(src: &Source) -> Vec<bool> {
    let lines = src.code_lines();
    let mut out = vec![false; lines.len() + 2];
    // Open blocks we follow: (indentation, is rollback).
    let mut open: Vec<(usize, bool)> = Vec::new();
    for (i, line) in lines.iter().enumerate() {
        let trimmed = line.trim_start();
        let indent = line.len() - trimmed.len();
        let words: Vec<&str> = trimmed.split_whitespace().collect();
        let first = words.first().copied().unwrap_or("");
        if first == "end" || trimmed.starts_with("end.") || trimmed.starts_with("end ") {
            if open.last().is_some_and(|(at, _)| *at == indent) {
                open.pop();
            }
            out[i + 1] = open.iter().any(|(_, r)| *r);
            continue;
        }
        let inside = open.iter().any(|(_, r)| *r);
        if first == "def" {
            let name = words.get(1).copied().unwrap_or("");
            let name = name.split('(').next().unwrap_or(name);
            let is_down = matches!(name, "down" | "self.down");
            // One-line methods (`def down; drop_table :x; end`) close on their own line.
            if words.last() == Some(&"end") && words.len() > 2 {
                out[i + 1] = inside || is_down;
                continue;
            }
            open.push((indent, is_down));
            out[i + 1] = inside || is_down;
            continue;
        }
        let down_block = first == "revert" || first.ends_with(".down");
        if down_block && trimmed.contains('{') && trimmed.contains('}') {
            out[i + 1] = true;
            continue;
        }
        let opens_block = words.contains(&"do") || words.last().is_some_and(|w| w.starts_with('|'));
        if opens_block {
            open.push((indent, inside || down_block));
            out[i + 1] = inside || down_block;
            continue;
        }
        out[i + 1] = inside;
    }
    out
}
