//! ecto_bulk: an Ecto data migration's `repo().delete_all(…)`/`update_all(…)` (or
//! `MyApp.Repo.…`) over a queryable that selects every row: a table name (`"sessions"`), a
//! schema module (`Session`), or a `from(…)` with no `where:` or join, given as the first
//! argument or piped in (`from(s in "sessions") |> repo().delete_all()`). A variable or a
//! query built by other functions (`|> where(…)`) is assumed to filter, as the other
//! frameworks' scanners assume of a queryset they cannot read.

use super::scan::{matching_back, RawCall, Source};
use super::Effect;
use crate::analyze::sql;

/// The effect of a bulk `delete_all`/`update_all` call, when it is the repo's and provably
/// reaches every row.
pub(crate) fn effect(src: &Source, call: &RawCall) -> Option<Effect> {
    let receiver = src.receiver(call.start);
    let last = receiver.last()?;
    let is_repo = (last.name == "repo" && last.args.is_some()) || last.name.ends_with("Repo");
    if !is_repo {
        return None;
    }
    let queryable = match piped_stage(src, receiver.first()?.start) {
        Some(stage) => stage,
        None => src.text[src.args(call).first()?.value.clone()]
            .trim()
            .to_owned(),
    };
    let table = unfiltered(&queryable)?;
    let what = src.written(call);
    Some(if call.name == "delete_all" {
        Effect::finding(
            &sql::DELETE_WITHOUT_WHERE,
            format!("{what} over {table} with no where deletes every row of it."),
        )
    } else {
        Effect::finding(
            &sql::UPDATE_WITHOUT_WHERE,
            format!("{what} over {table} with no where overwrites every row of it."),
        )
    })
}

/// The text of the pipeline stage piped into the expression starting at `start`
/// (`from(s in "sessions")` in `from(s in "sessions") |> repo().delete_all()`): a call's
/// name and arguments, or a bare word or string.
fn piped_stage(src: &Source, start: usize) -> Option<String> {
    let code = &src.code;
    let before = code[..start].trim_ascii_end();
    let before = before.strip_suffix(b"|>")?.trim_ascii_end();
    let end = before.len();
    let begin = match before.last()? {
        b')' => {
            let open = matching_back(code, end - 1)?;
            name_start(code, open)
        }
        b'"' => {
            // The string's contents are blanked in `code`; its opening quote is the one
            // before them.
            before[..end - 1].iter().rposition(|b| *b == b'"')?
        }
        _ => name_start(code, end),
    };
    Some(src.text[begin..end].to_owned())
}

/// Where the (dotted) name ending at `end` starts: `Ecto.Query.from`, `Session`.
fn name_start(code: &[u8], end: usize) -> usize {
    let mut i = end;
    while i > 0 && (code[i - 1].is_ascii_alphanumeric() || matches!(code[i - 1], b'_' | b'.')) {
        i -= 1;
    }
    i
}

/// What the queryable names when it selects every row: a string table name, a module, or a
/// `from` with no `where:`/join keyword. `None` for anything else (a variable, a filter).
fn unfiltered(queryable: &str) -> Option<String> {
    let q = queryable.trim();
    if let Some(name) = q.strip_prefix('"').and_then(|s| s.strip_suffix('"')) {
        return Some(format!("the table {name}"));
    }
    if q.chars().next().is_some_and(|c| c.is_ascii_uppercase())
        && q.chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '.')
    {
        return Some(format!("the schema {q}"));
    }
    let from = q
        .split_once("from")
        .map(|(head, rest)| (head, rest.trim_start()));
    let (head, rest) = from?;
    let qualified_or_bare = head.is_empty() || head.ends_with('.');
    if !qualified_or_bare || !(rest.starts_with('(') || q.starts_with("from ")) {
        return None;
    }
    let filters = rest
        .split(|c: char| !(c.is_ascii_alphanumeric() || c == '_' || c == ':'))
        .any(|word| matches!(word, "where:" | "or_where:" | "join:" | "inner_join:"));
    if filters {
        return None;
    }
    let source = rest
        .split_once(" in ")
        .map(|(_, s)| s.trim_start())
        .map(|s| s.split([',', ')']).next().unwrap_or(s).trim());
    // `from(s in "sessions")` names its table like a bare queryable does.
    Some(match source.and_then(unfiltered) {
        Some(named) => named,
        None => super::or_unknown(source.map(str::to_owned)),
    })
}
