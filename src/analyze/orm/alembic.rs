//! Alembic revisions (`alembic/versions/*.py`, `migrations/versions/*.py`): the `op.*` calls
//! (and `batch_op.*` in batch mode) inside `def upgrade()` and the helpers it calls.
//! `def downgrade()` is the rollback and does not run forward. Functions are followed by
//! indentation: a top-level `def` opens one, the next top-level statement closes it.

use super::scan::{Before, Lang, RawCall, Source};
use super::{or_unknown, raw_sql, sa_types, Call, Effect};
use crate::analyze::sql;
use crate::analyze::sql::types::Verdict;
use std::ops::Range;

const OPERATIONS: &[&str] = &[
    "add_column",
    "drop_table",
    "drop_column",
    "drop_index",
    "drop_constraint",
    "alter_column",
    "rename_table",
    "execute",
];

pub(crate) fn calls(text: &str) -> Vec<Call> {
    let src = Source::new(text, Lang::Python);
    let forward = forward_lines(&src);
    let mut out = Vec::new();
    for &name in OPERATIONS {
        for call in src.calls(name, Before::Dot) {
            if !forward.get(call.line as usize).copied().unwrap_or(false) {
                continue;
            }
            for effect in effects(&src, &call) {
                out.push(Call::found(&src, &call, effect));
            }
        }
    }
    for name in ["delete", "update"] {
        for call in src.calls(name, Before::Dot) {
            if !forward.get(call.line as usize).copied().unwrap_or(false) {
                continue;
            }
            if let Some(effect) = unfiltered_query(&src, &call) {
                out.push(Call::found(&src, &call, effect));
            }
        }
    }
    out
}

/// SQLAlchemy's `session.query(Model).delete()` / `.update({...})` with nothing between the
/// query and the write: every row of the model's table. Anything else in the chain (a
/// `filter`, a `join`, a `limit`) may select rows, and is left alone.
fn unfiltered_query(src: &Source, call: &RawCall) -> Option<Effect> {
    let chain = src.receiver(call.start);
    let query = chain.iter().rposition(|s| s.name == "query")?;
    let harmless = |name: &str| matches!(name, "execution_options" | "enable_eagerloads");
    if !chain[query + 1..].iter().all(|s| harmless(&s.name)) {
        return None;
    }
    let model = chain[query]
        .args
        .clone()
        .map(|args| src.text[args].trim().to_owned())
        .filter(|m| !m.is_empty())?;
    Some(if call.name == "delete" {
        Effect::finding(
            &sql::DELETE_WITHOUT_WHERE,
            format!(
                "query({model}).delete() with no filter deletes every row of the table of {model}."
            ),
        )
    } else {
        Effect::finding(
            &sql::UPDATE_WITHOUT_WHERE,
            format!("query({model}).update() with no filter overwrites every row of the table of {model}."),
        )
    })
}

fn effects(src: &Source, call: &RawCall) -> Vec<Effect> {
    let args = src.args(call);
    let get =
        |keyword: &str, position: usize| src.arg(&args, keyword, position).map(|a| src.value(a));
    let has = |keyword: &str| args.iter().any(|a| a.keyword.as_deref() == Some(keyword));
    // Messages name the call as written: `op.drop_column`, `batch_op.drop_column`,
    // `conn.execute`.
    let receiver = src
        .receiver(call.start)
        .pop()
        .map_or_else(|| "op".to_owned(), |s| s.name);
    let what = format!("{receiver}.{}", call.name);
    // `schema="billing"` qualifies the table.
    let qualified = |table: String| match get("schema", usize::MAX) {
        Some(schema) if !schema.is_empty() && schema != "None" => format!("{schema}.{table}"),
        _ => table,
    };
    // In batch mode the table is the batch's; the first argument is already the column.
    let (table, shift) = match batch_table(src, call) {
        Some(table) => (table, 0),
        None => (qualified(or_unknown(get("table_name", 0))), 1),
    };
    match call.name {
        "add_column" => {
            // add_column("users", sa.Column("age", sa.Integer(), nullable=False)): the
            // column is the `Column(...)` call among the arguments.
            let column = src
                .calls("Column", Before::Any)
                .into_iter()
                .find(|c| call.args.contains(&c.start));
            let Some(column) = column else {
                return Vec::new();
            };
            let cargs = src.args(&column);
            let not_null = src
                .arg(&cargs, "nullable", usize::MAX)
                .is_some_and(|a| src.text[a.value.clone()].trim() == "False");
            let defaulted = cargs
                .iter()
                .any(|a| matches!(a.keyword.as_deref(), Some("server_default" | "primary_key")));
            if !not_null || defaulted {
                return Vec::new();
            }
            let name = or_unknown(src.arg(&cargs, "name", 0).map(|a| src.value(a)));
            let table = match batch_table(src, call) {
                Some(table) => table,
                None => or_unknown(get("table_name", 0)),
            };
            vec![Effect::finding(
                &sql::NOT_NULL_WITHOUT_DEFAULT,
                format!("{what} adds {table}.{name} NOT NULL without a server_default: on a table with rows the migration fails (a Python-side `default=` does not fill existing rows)."),
            )]
        }
        "drop_table" => vec![Effect::finding(
            &sql::DROP_TABLE,
            format!(
                "{what} drops the table {} and every row in it.",
                qualified(or_unknown(get("table_name", 0)))
            ),
        )],
        "drop_column" => vec![Effect::finding(
            &sql::DROP_COLUMN,
            format!(
                "{what} drops the column {table}.{} and its data in every row.",
                or_unknown(get("column_name", shift))
            ),
        )],
        "drop_index" => vec![Effect::finding(
            &sql::DROP_INDEX,
            format!(
                "{what} drops the index {}: queries that used it may turn into full scans.",
                or_unknown(get("index_name", 0))
            ),
        )],
        "drop_constraint" => vec![Effect::finding(
            &sql::DROP_CONSTRAINT,
            format!(
                "{what} drops the constraint {}: the table stops refusing the rows it kept out.",
                or_unknown(get("constraint_name", 0))
            ),
        )],
        "alter_column" => {
            let column = or_unknown(get("column_name", shift));
            let mut out = Vec::new();
            if has("type_") {
                out.extend(type_change(&what, &table, &column, get("existing_type", usize::MAX), get("type_", usize::MAX)));
            }
            let not_null = get("nullable", usize::MAX).is_some_and(|v| v.trim() == "False");
            if not_null && !has("server_default") {
                out.push(Effect::finding(
                    &sql::NOT_NULL_WITHOUT_DEFAULT,
                    format!("{what} makes {table}.{column} NOT NULL without a server_default: the migration fails if any row holds NULL, and checking every row locks the table."),
                ));
            }
            if has("new_column_name") {
                out.push(Effect::finding(
                    &sql::RENAME,
                    format!(
                        "{what} renames {table}.{column} to {}: running code that still uses the old name fails until the new code is deployed.",
                        or_unknown(get("new_column_name", usize::MAX))
                    ),
                ));
            }
            out
        }
        "rename_table" => vec![Effect::finding(
            &sql::RENAME,
            format!(
                "{what} renames {} to {}: running code that still uses the old table fails until the new code is deployed.",
                or_unknown(get("old_table_name", 0)),
                or_unknown(get("new_table_name", 1))
            ),
        )],
        _ => {
            let arg = src.arg(&args, "sqltext", 0);
            // A SQLAlchemy query (`sa.select(...)`) reads; it is not SQL text to check.
            let reads = arg.is_some_and(|a| src.literals_in(a.value.clone()).next().is_none() && src.text[a.value.clone()].contains("select("));
            if reads {
                return Vec::new();
            }
            if let Some(write) = arg.and_then(|a| core_write(src, &what, a.value.clone())) {
                return write.into_iter().collect();
            }
            raw_sql(src, &what, arg).into_iter().collect()
        }
    }
}

/// A SQLAlchemy core write handed to `op.execute`: `sa.delete(table)` or `table.delete()`
/// (and `update`), which touches every row unless a `.where(…)` (or SQLAlchemy 1.x's
/// `whereclause` argument) narrows it. `None` when the argument is no such write; `Some(None)`
/// when it is one bounded by a WHERE clause.
fn core_write(src: &Source, what: &str, range: Range<usize>) -> Option<Option<Effect>> {
    let lead = src.text[range.clone()].len() - src.text[range.clone()].trim_start().len();
    let begin = range.start + lead;
    let (call, chain) = ["delete", "update"].iter().find_map(|name| {
        src.calls(name, Before::Any)
            .into_iter()
            .filter(|c| range.contains(&c.start))
            .map(|c| {
                let chain = src.receiver(c.start);
                (c, chain)
            })
            .find(|(c, chain)| chain.first().map_or(c.start, |s| s.start) == begin)
    })?;
    let args = src.args(&call);
    let module = |s: &super::scan::Segment| {
        s.args.is_none() && matches!(s.name.as_str(), "sa" | "sqlalchemy" | "sql" | "expression")
    };
    // `sa.delete(users, whereclause)` names the table first; `users.delete(whereclause)` is
    // called on it.
    let (table, clause) = if chain.iter().all(module) {
        let table = src
            .arg(&args, "table", 0)
            .map(|a| src.text[a.value.clone()].trim().to_owned());
        (table?, src.arg(&args, "whereclause", 1))
    } else {
        let table = src.text[begin..call.start]
            .trim_end()
            .trim_end_matches('.')
            .to_owned();
        (table, src.arg(&args, "whereclause", 0))
    };
    let narrowed = clause.is_some()
        || ["where", "filter", "filter_by"].iter().any(|name| {
            src.calls(name, Before::Dot)
                .iter()
                .any(|w| w.start > call.args.end && w.start < range.end)
        });
    if narrowed {
        return Some(None);
    }
    Some(Some(if call.name == "delete" {
        Effect::finding(
            &sql::DELETE_WITHOUT_WHERE,
            format!("{what} runs a SQLAlchemy delete of {table} with no .where(): every row of the table is deleted."),
        )
    } else {
        Effect::finding(
            &sql::UPDATE_WITHOUT_WHERE,
            format!("{what} runs a SQLAlchemy update of {table} with no .where(): every row of the table is overwritten."),
        )
    }))
}

/// `alter_column(…, type_=new)`: judged against `existing_type=` (the old type Alembic's
/// autogenerate writes) when both are types twokey knows; otherwise "may narrow".
fn type_change(
    what: &str,
    table: &str,
    column: &str,
    old: Option<String>,
    new: Option<String>,
) -> Option<Effect> {
    let new = or_unknown(new);
    let Some(old) = old.filter(|o| !o.is_empty()) else {
        return Some(Effect::medium(
            &sql::COLUMN_TYPE_NARROWED,
            format!("{what} changes the type of {table}.{column} to {new}; twokey cannot see the old type from here (no existing_type=), so the change may narrow it and lose data: check it does not."),
        ));
    };
    let verdict = sa_types::sql_type(&old)
        .zip(sa_types::sql_type(&new))
        .and_then(|(o, n)| sql::types::compare_text(&o, &n));
    match verdict {
        Some(Verdict::Same | Verdict::Widens) => None,
        Some(Verdict::Narrows(reason)) => Some(Effect::finding(
            &sql::COLUMN_TYPE_NARROWED,
            format!("{what} changes {table}.{column} from {old} to {new}, which narrows it: {reason}."),
        )),
        _ => Some(Effect::medium(
            &sql::COLUMN_TYPE_NARROWED,
            format!("{what} changes {table}.{column} from {old} to {new}; twokey cannot tell whether every value converts, so check the change for narrowing."),
        )),
    }
}

/// The table of the batch a call belongs to (`with op.batch_alter_table("users") as b:` then
/// `b.drop_column(...)`), or `None` for a call on `op` itself.
fn batch_table(src: &Source, call: &RawCall) -> Option<String> {
    let before = src.text[..call.start].strip_suffix('.')?;
    let receiver = before
        .rsplit(|c: char| !(c.is_alphanumeric() || c == '_'))
        .next()
        .unwrap_or("");
    if receiver == "op" {
        return None;
    }
    let opened = src
        .calls("batch_alter_table", Before::Dot)
        .into_iter()
        .rfind(|batch| batch.start < call.start);
    let Some(opened) = opened else {
        return (receiver == "batch_op").then(|| "the batch table".to_owned());
    };
    let args = src.args(&opened);
    Some(or_unknown(
        src.arg(&args, "table_name", 0).map(|a| src.value(a)),
    ))
}

/// For each line (1-based index), whether it runs forward: inside `upgrade()`, or inside a
/// module-level helper that `upgrade()` calls (`def _drop_legacy(): op.drop_table(...)`).
fn forward_lines(src: &Source) -> Vec<bool> {
    let lines = src.code_lines();
    let mut out = vec![false; lines.len() + 2];
    // Top-level functions: (name, first line, last line), 1-based.
    let mut functions: Vec<(String, usize, usize)> = Vec::new();
    for (i, line) in lines.iter().enumerate() {
        let top_level = !line.starts_with([' ', '\t']) && !line.trim().is_empty();
        // Closing brackets and decorators at column 0 belong to the def around them.
        if !top_level || line.starts_with([')', ']', '}', '@']) {
            continue;
        }
        if let Some(last) = functions.last_mut() {
            if last.2 == usize::MAX {
                last.2 = i;
            }
        }
        let def = line
            .strip_prefix("def ")
            .or_else(|| line.strip_prefix("async def "));
        if let Some(rest) = def {
            let name: String = rest
                .trim_start()
                .chars()
                .take_while(|c| c.is_alphanumeric() || *c == '_')
                .collect();
            functions.push((name, i + 1, usize::MAX));
        }
    }
    if let Some(last) = functions.last_mut() {
        if last.2 == usize::MAX {
            last.2 = lines.len();
        }
    }
    let body = |first: usize, last: usize| {
        lines[first.saturating_sub(1)..last.min(lines.len())].join("\n")
    };
    let upgrade_body: String = functions
        .iter()
        .filter(|(name, _, _)| name.starts_with("upgrade"))
        .map(|(_, first, last)| body(*first, *last))
        .collect();
    for (name, first, last) in &functions {
        let helper = !name.starts_with("upgrade")
            && !name.starts_with("downgrade")
            && calls_function(&upgrade_body, name);
        if name.starts_with("upgrade") || helper {
            for slot in out.iter_mut().take(last + 1).skip(*first) {
                *slot = true;
            }
        }
    }
    out
}

/// Whether `code` calls the function `name` (`name(` not preceded by part of a longer name
/// or a `.`).
fn calls_function(code: &str, name: &str) -> bool {
    if name.is_empty() {
        return false;
    }
    code.match_indices(name).any(|(at, _)| {
        let before = code[..at].chars().next_back();
        let after = code[at + name.len()..].trim_start().starts_with('(');
        after && !before.is_some_and(|c| c.is_alphanumeric() || c == '_' || c == '.')
    })
}
