//! Ecto migrations (`priv/repo/migrations/*.exs`): `drop`/`drop_if_exists` of a `table`,
//! `index` or `constraint`, `remove` and `modify` inside `alter table(:users) do … end`,
//! `rename`, and `execute` SQL (in the two-argument `execute(up, down)` form only the
//! first runs forward), and SQL run through the repo (`repo().query!("…")`,
//! `Ecto.Adapters.SQL.query!(repo(), "…")`), which bypasses `execute` but runs all the same;
//! so does a repo's `delete_all`/`update_all` over every row (`ecto_bulk`).
//! `def down` is the rollback and is skipped; `change` and `up` run.
//!
//! Blocks are followed by indentation (`alter … do` to the `end` at the same indentation),
//! which is how `mix format` lays them out.

use super::scan::{Arg, Before, Lang, RawCall, Source};
use super::{ecto_bulk, ecto_types, forward_only, or_unknown, raw_sql, Call, Effect};
use crate::analyze::sql;
use crate::analyze::sql::types::Verdict;

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
    let blocks = alter_blocks(&src);
    let mut out = Vec::new();
    for &name in MACROS {
        for call in forward_only(&src, src.calls(name, Before::Bare)) {
            if let Some(effect) = effect(&src, &blocks, &call) {
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
    for name in ["delete_all", "update_all"] {
        for call in forward_only(&src, src.calls(name, Before::Dot)) {
            if let Some(effect) = ecto_bulk::effect(&src, &call) {
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

/// `modify :name, :text, from: :string`: with `from:` the old type is known and the change
/// is judged like SQL's (a widening is quiet); without it, twokey cannot see the old type.
fn modify(src: &Source, blocks: &[AlterBlock], call: &RawCall, args: &[Arg]) -> Option<Effect> {
    let table = altered(blocks, call);
    let positional = src.positional_values(args);
    let column = or_unknown(positional.first().cloned());
    let new = or_unknown(positional.get(1).cloned());
    let Some(from) = src.arg(args, "from", usize::MAX) else {
        return Some(Effect::medium(
            &sql::COLUMN_TYPE_NARROWED,
            format!("modify changes {table}.{column} to {new}; twokey cannot see the old type from here (no `from:`), so the change may narrow it and lose data: check it does not."),
        ));
    };
    // The new type's options are modify's own keywords (`size: 50`).
    let options: Vec<String> = args
        .iter()
        .filter_map(|a| {
            Some(format!(
                "{}: {}",
                a.keyword.as_deref()?,
                src.text[a.value.clone()].trim()
            ))
        })
        .collect();
    let new_type = args
        .iter()
        .filter(|a| a.keyword.is_none())
        .nth(1)
        .and_then(|a| ecto_types::sql_type(&src.text[a.value.clone()], &options.join(", ")));
    let from_text = src.text[from.value.clone()].trim();
    let (old_ty, old_opts) = ecto_types::split_tuple(from_text);
    let verdict = ecto_types::sql_type(old_ty, old_opts)
        .zip(new_type)
        .and_then(|(o, n)| sql::types::compare_text(&o, &n));
    match verdict {
        Some(Verdict::Same | Verdict::Widens) => None,
        Some(Verdict::Narrows(reason)) => Some(Effect::finding(
            &sql::COLUMN_TYPE_NARROWED,
            format!("modify changes {table}.{column} from {from_text} to {new}, which narrows it: {reason}."),
        )),
        _ => Some(Effect::medium(
            &sql::COLUMN_TYPE_NARROWED,
            format!("modify changes {table}.{column} from {from_text} to {new}; twokey cannot tell whether every value converts, so check the change for narrowing."),
        )),
    }
}

fn effect(src: &Source, blocks: &[AlterBlock], call: &RawCall) -> Option<Effect> {
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
            format!(
                "{name} drops the column {}.{} and its data in every row.",
                altered(blocks, call),
                value(0)
            ),
        ),
        "modify" => return modify(src, blocks, call, &args),
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

/// The `alter table(:users) do … end` blocks of a file: their first and last lines and
/// their table. Found once per file: a statement asks for the block around it.
struct AlterBlock {
    first: usize,
    last: usize,
    table: String,
}

fn alter_blocks(src: &Source) -> Vec<AlterBlock> {
    let lines = src.code_lines();
    let indent = |l: &str| l.len() - l.trim_start().len();
    let tables = src.calls("table", Before::Bare);
    let mut out = Vec::new();
    for (i, text) in lines.iter().enumerate() {
        if !text.trim_start().starts_with("alter ") {
            continue;
        }
        let first = i + 1;
        let at = indent(text);
        // The block ends at the next `end` at its indentation (how `mix format` lays it out).
        let last = lines[first..]
            .iter()
            .position(|l| indent(l) == at && l.trim_start().starts_with("end"))
            .map_or(lines.len() + 1, |k| first + k + 1);
        let table = tables
            .iter()
            .find(|c| c.line as usize == first)
            .and_then(|c| src.first_value(c));
        out.push(AlterBlock {
            first,
            last,
            table: or_unknown(table),
        });
    }
    out
}

/// The table of the innermost `alter table(:users) do … end` block around the call.
fn altered(blocks: &[AlterBlock], call: &RawCall) -> String {
    let line = call.line as usize;
    blocks
        .iter()
        .filter(|b| b.first < line && line < b.last)
        .max_by_key(|b| b.first)
        .map_or_else(|| "?".to_owned(), |b| b.table.clone())
}
