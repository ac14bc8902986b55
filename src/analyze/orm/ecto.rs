//! Ecto migrations (`priv/repo/migrations/*.exs`): `drop`/`drop_if_exists` of a `table`,
//! `index` or `constraint`, `remove` and `modify` inside `alter table(:users) do … end`,
//! `rename`, and `execute` SQL (in the two-argument `execute(up, down)` form only the
//! first runs forward), and SQL run through the repo (`repo().query!("…")`,
//! `Ecto.Adapters.SQL.query!(repo(), "…")`), which bypasses `execute` but runs all the same.
//! `def down` is the rollback and is skipped; `change` and `up` run.
//!
//! Blocks are followed by indentation (`alter … do` to the `end` at the same indentation),
//! which is how `mix format` lays them out.

use super::scan::{Before, Lang, RawCall, Source};
use super::{forward_only, or_unknown, raw_sql, Call, Effect};
use crate::analyze::sql;

const MACROS: &[&str] = &[
    "drop",
    "drop_if_exists",
    "remove",
    "remove_if_exists",
    "modify",
    "rename",
    "execute",
];

pub(crate) fn calls(text: &str) -> Vec<Call> {
    let src = Source::new(text, Lang::Elixir);
    let mut out = Vec::new();
    for &name in MACROS {
        for call in forward_only(&src, src.calls(name, Before::Bare)) {
            if let Some(effect) = effect(&src, &call) {
                out.push(Call::found(&src, &call, effect));
            }
        }
    }
    for name in ["query!", "query"] {
        for call in forward_only(&src, src.calls(name, Before::Dot)) {
            if let Some(effect) = repo_query(&src, &call) {
                out.push(Call::found(&src, &call, effect));
            }
        }
    }
    out
}

/// `repo().query!(sql)`, `MyApp.Repo.query(sql, params)` and
/// `Ecto.Adapters.SQL.query!(repo, sql)`: the SQL is read like `execute`'s. A `query` of
/// anything else (a module of the application) is not the repo's and is left alone.
fn repo_query(src: &Source, call: &RawCall) -> Option<Effect> {
    // `query` also matches the start of `query!`.
    if src.code.get(call.start + call.name.len()) == Some(&b'!') {
        return None;
    }
    let receiver = src.receiver(call.start);
    let last = receiver.last()?;
    let sql_at = match last.name.as_str() {
        "SQL" => 1,
        "repo" if last.args.is_some() => 0,
        name if name.ends_with("Repo") => 0,
        _ => return None,
    };
    let args = src.args(call);
    raw_sql(src, &src.written(call), args.get(sql_at))
}

fn effect(src: &Source, call: &RawCall) -> Option<Effect> {
    let args = src.args(call);
    let name = call.name;
    // `table(:users)`, `index(:users, [:email])`, `constraint(:users, :age_positive)`: the
    // kind of object and its first arguments.
    let object = |i: usize| -> Option<(String, Vec<String>)> {
        let arg = args.get(i)?;
        let text = src.text[arg.value.clone()].trim();
        let (kind, _) = text.split_once('(')?;
        let inner = src.calls(static_kind(kind.trim())?, Before::Bare);
        let inner = inner.into_iter().find(|c| arg.value.contains(&c.start))?;
        let values = src.positional_values(&src.args(&inner));
        Some((kind.trim().to_owned(), values))
    };
    let value = |i: usize| or_unknown(args.get(i).map(|a| src.value(a)));
    Some(match name {
        "drop" | "drop_if_exists" => {
            let (kind, values) = object(0).unwrap_or_else(|| ("table".to_owned(), Vec::new()));
            let first = or_unknown(values.first().cloned());
            match kind.as_str() {
                "index" | "unique_index" => Effect::finding(
                    &sql::DROP_INDEX,
                    format!("{name} index drops an index of {first}: queries that used it may turn into full scans, and a unique index stops refusing duplicates."),
                ),
                "constraint" => Effect::finding(
                    &sql::DROP_CONSTRAINT,
                    format!("{name} constraint drops the constraint {} of {first}: the table stops refusing the rows it kept out.", or_unknown(values.get(1).cloned())),
                ),
                _ => Effect::finding(
                    &sql::DROP_TABLE,
                    format!("{name} table(:{first}) drops the table {first} and every row in it."),
                ),
            }
        }
        "remove" | "remove_if_exists" => Effect::finding(
            &sql::DROP_COLUMN,
            format!("{name} drops the column {}.{} and its data in every row.", altered(src, call), value(0)),
        ),
        "modify" => Effect::medium(
            &sql::COLUMN_TYPE_NARROWED,
            format!("modify changes {}.{} to {}; twokey cannot see the old type from here (unless `from:` says it), so the change may narrow it and lose data: check it does not.", altered(src, call), value(0), value(1)),
        ),
        "rename" => {
            let (_, from) = object(0)?;
            let from = or_unknown(from.first().cloned());
            let to = src.arg(&args, "to", usize::MAX)?;
            match args.iter().filter(|a| a.keyword.is_none()).count() {
                // rename table(:a), to: table(:b)
                1 => {
                    let to_text = src.text[to.value.clone()].trim();
                    let to_name = to_text
                        .strip_prefix("table(")
                        .map(|t| t.trim_end_matches(')').split(',').next().unwrap_or("").trim().trim_start_matches(':').trim_matches('"').to_owned());
                    Effect::finding(
                        &sql::RENAME,
                        format!("rename renames the table {from} to {}: running code that still uses the old table fails until the new code is deployed.", or_unknown(to_name)),
                    )
                }
                // rename table(:t), :a, to: :b
                _ => Effect::finding(
                    &sql::RENAME,
                    format!("rename renames {from}.{} to {}: running code that still uses the old name fails until the new code is deployed.", value(1), src.value(to)),
                ),
            }
        }
        _ => raw_sql(src, "execute", args.first())?,
    })
}

fn static_kind(kind: &str) -> Option<&'static str> {
    match kind {
        "table" => Some("table"),
        "index" => Some("index"),
        "unique_index" => Some("unique_index"),
        "constraint" => Some("constraint"),
        _ => None,
    }
}

/// The table of the `alter table(:users) do … end` block around the call.
fn altered(src: &Source, call: &RawCall) -> String {
    let lines = src.code_lines();
    let indent = |l: &str| l.len() - l.trim_start().len();
    let line = call.line as usize;
    for n in (1..line).rev() {
        let Some(text) = lines.get(n - 1) else {
            continue;
        };
        let trimmed = text.trim_start();
        if !trimmed.starts_with("alter ") {
            continue;
        }
        // The block must still be open at the call: no `end` at its indentation between.
        let at = indent(text);
        let closed = lines[n..line - 1]
            .iter()
            .any(|l| indent(l) == at && l.trim_start().starts_with("end"));
        if closed {
            continue;
        }
        let table = src
            .calls("table", Before::Bare)
            .into_iter()
            .find(|c| c.line as usize == n)
            .and_then(|c| src.first_value(&c));
        return or_unknown(table);
    }
    "?".to_owned()
}
