//! Flyway's Java-based migrations (`V3__Drop_users.java`, `extends BaseJavaMigration`) and
//! Kotlin ones: the SQL strings `migrate(Context)` executes through JDBC
//! (`Statement.execute`/`executeUpdate`/`executeLargeUpdate`/`addBatch`,
//! `Connection.prepareStatement`) or Spring's `JdbcTemplate` (`execute`, `update`,
//! `batchUpdate`). Only the first argument is SQL (every one, in a `batchUpdate` of strings);
//! a call given none (`ps.execute()`) runs
//! what `prepareStatement` was handed, which is read there. Flyway has no down method: an
//! undo migration is a file of its own (`U3__….java`), rollback, and is skipped whole.
//!
//! A string made of literals joined with `+` (Java's way of writing long lines), a text
//! block or a Kotlin raw string (`.trimIndent()`/`.trimMargin()` after it) is read as the
//! SQL it spells. Literals joined with code (`"DROP TABLE " + table`, `String.format`,
//! `.formatted(…)`, Kotlin's `$table`) are SQL built at run time, judged as the other
//! frameworks' interpolated strings are. A plain name handed to a call (`execute(sql)`,
//! `execute(DROP_OLD)`) is read through the file's assignments to it when each assigns
//! literals; anything else it cannot read (a method's result, a parameter, a field set
//! elsewhere) needs a human. It follows no control flow: every assignment counts.

use super::scan::{Lang, RawCall, Source, SqlArg};
use super::{sql_effect, Call, Effect};
use crate::analyze::classify::is_flyway_class_name;

const METHODS: &[&str] = &[
    "execute",
    "executeUpdate",
    "executeLargeUpdate",
    "addBatch",
    "prepareStatement",
    "update",
    "batchUpdate",
];

/// Calls that return the string they are called on, laid out: no SQL is built by them.
const LAYOUT: &[&str] = &[
    ".trimIndent()",
    ".trimMargin()",
    ".trim()",
    ".strip()",
    ".stripIndent()",
];

pub(crate) fn calls(file_name: &str, text: &str) -> Vec<Call> {
    if file_name.starts_with('U') && is_flyway_class_name(file_name) {
        return Vec::new();
    }
    let lang = if file_name.to_ascii_lowercase().ends_with(".kt") {
        Lang::Kotlin
    } else {
        Lang::Java
    };
    super::method_calls_with(text, lang, METHODS, |src, call| {
        let (effect, resolved) = effect(src, call)?;
        let mut found = Call::found(src, call, effect);
        // A call handed a variable is identified with what the variable holds, so that
        // changing the string assigned to it makes the call new.
        if let Some(text) = resolved {
            found.key = format!("{}={text}", found.key);
        }
        Some(found)
    })
}

/// What the call runs, and the text of the variable it was handed when that was read.
fn effect(src: &Source, call: &RawCall) -> Option<(Effect, Option<String>)> {
    let args = src.args(call);
    let first = args.first()?;
    let receiver = src.receiver(call.start).pop();
    let what = match &receiver {
        Some(r) if r.args.is_some() => format!("{}().{}", r.name, call.name),
        Some(r) => format!("{}.{}", r.name, call.name),
        None => call.name.to_owned(),
    };
    let mut arg = sql_text(src, first.value.clone());
    // `JdbcTemplate.batchUpdate(String... sql)`: every argument a statement, when all are
    // strings (otherwise the others are the first statement's parameters).
    if call.name == "batchUpdate" && args.len() > 1 {
        let all: Vec<SqlArg> = args
            .iter()
            .map(|a| sql_text(src, a.value.clone()))
            .collect();
        if all.iter().all(|a| matches!(a, SqlArg::Literal(_))) {
            let texts: Vec<String> = all
                .into_iter()
                .filter_map(|a| match a {
                    SqlArg::Literal(t) => Some(t),
                    _ => None,
                })
                .collect();
            arg = SqlArg::Literal(texts.join(";\n"));
        }
    }
    let mut resolved = None;
    if let SqlArg::Code(name) = &arg {
        if let Some(held) = assigned(src, name) {
            resolved = Some(match &held {
                SqlArg::Literal(t) | SqlArg::Interpolated(t) | SqlArg::Code(t) => t.clone(),
            });
            arg = held;
        }
    }
    // `update` is also jOOQ's and others' builder (`dsl.update(USERS)`): without a literal
    // it counts only on something named as JDBC.
    if matches!(call.name, "update" | "batchUpdate") && matches!(arg, SqlArg::Code(_)) {
        let jdbc = receiver.as_ref().is_some_and(|r| {
            let name = r.name.to_ascii_lowercase();
            name.contains("jdbc") || name.contains("template")
        });
        if !jdbc {
            return None;
        }
    }
    Some((sql_effect(&what, arg), resolved))
}

/// What a local variable or constant handed to a call holds, read from its assignments in
/// the file (`String sql = "…";`, `static final String DROP = "…" + "…";`, `val sql =
/// """…""".trimIndent()`): every assignment's text, joined as statements. `None` when
/// `name` is not a plain name or nothing in the file assigns it; an assignment from code
/// (a method's result) or an appending `+=` leaves the variable unread.
fn assigned(src: &Source, name: &str) -> Option<SqlArg> {
    let plain = !name.is_empty()
        && !name.starts_with(|c: char| c.is_ascii_digit())
        && name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_');
    if !plain {
        return None;
    }
    let code = &src.code;
    let ident = |b: u8| b.is_ascii_alphanumeric() || b == b'_' || b == b'$';
    let (mut texts, mut built) = (Vec::new(), false);
    let mut from = 0;
    while let Some(found) = code[from..]
        .windows(name.len())
        .position(|w| w == name.as_bytes())
    {
        let start = from + found;
        from = start + name.len();
        if start > 0 && (ident(code[start - 1]) || code[start - 1] == b'.') {
            continue;
        }
        let mut i = from;
        if code.get(i).is_some_and(|b| ident(*b)) {
            continue;
        }
        let skip = |mut i: usize| {
            while code.get(i).is_some_and(|b| *b == b' ' || *b == b'\t') {
                i += 1;
            }
            i
        };
        i = skip(i);
        // Kotlin's `val sql: String = …`.
        if code.get(i) == Some(&b':') {
            i = skip(i + 1);
            while code
                .get(i)
                .is_some_and(|b| ident(*b) || *b == b'?' || *b == b'.')
            {
                i += 1;
            }
            i = skip(i);
        }
        if code.get(i) == Some(&b'+') && code.get(i + 1) == Some(&b'=') {
            return Some(SqlArg::Code(name.to_owned()));
        }
        if code.get(i) != Some(&b'=') || code.get(i + 1) == Some(&b'=') {
            continue;
        }
        let value = i + 1..statement_end(src, i + 1);
        match sql_text(src, value) {
            SqlArg::Literal(t) => texts.push(t),
            SqlArg::Interpolated(t) => {
                built = true;
                texts.push(t);
            }
            SqlArg::Code(_) => return Some(SqlArg::Code(name.to_owned())),
        }
    }
    if texts.is_empty() {
        return None;
    }
    let text = texts.join(";\n");
    Some(if built {
        SqlArg::Interpolated(text)
    } else {
        SqlArg::Literal(text)
    })
}

/// Where the value assigned at `from` ends: the `;` (Java), or in Kotlin the end of the line
/// unless the expression goes on (a trailing `+`, a next line starting with `+` or `.`).
/// String literals are stepped over whole.
fn statement_end(src: &Source, from: usize) -> usize {
    let code = &src.code;
    let literals: Vec<_> = src.literals_in(from..code.len()).collect();
    let mut depth = 0usize;
    let mut last = b' ';
    let (mut i, mut next_literal) = (from, 0);
    while i < code.len() {
        while literals.get(next_literal).is_some_and(|l| l.anchor < i) {
            next_literal += 1;
        }
        if let Some(lit) = literals.get(next_literal).filter(|l| l.anchor == i) {
            i = lit.end.max(i + 1);
            last = b'"';
            continue;
        }
        let b = code[i];
        match b {
            b'(' | b'[' | b'{' => depth += 1,
            b')' | b']' | b'}' if depth == 0 => return i,
            b')' | b']' | b'}' => depth -= 1,
            b';' if depth == 0 => return i,
            b'\n' if depth == 0 && src.lang == Lang::Kotlin && last != b'+' && last != b'=' => {
                let next = code[i..].iter().find(|c| !c.is_ascii_whitespace());
                if !matches!(next, Some(b'+' | b'.')) {
                    return i;
                }
            }
            _ => {}
        }
        if !b.is_ascii_whitespace() {
            last = b;
        }
        i += 1;
    }
    code.len()
}

/// What an argument that is run as SQL is made of: its literals, and whether code between
/// them builds the string at run time (written `${code}` in the text, as an interpolation).
fn sql_text(src: &Source, range: std::ops::Range<usize>) -> SqlArg {
    let literals: Vec<_> = src.literals_in(range.clone()).cloned().collect();
    if literals.is_empty() {
        return SqlArg::Code(src.text[range].trim().to_owned());
    }
    let mut text = String::new();
    let mut built = literals.iter().any(|l| l.interpolated);
    let mut at = range.start;
    let mut margin = false;
    // After `String.format(`, the format string's own `%s` marks where values go.
    let mut formatting = false;
    let joiner = |c: char| c.is_whitespace() || matches!(c, '+' | '(' | ')' | ',');
    let mut gap = |from: usize, to: usize, text: &mut String| {
        let mut code = src.text.get(from..to).unwrap_or("");
        loop {
            code = code.trim_start_matches(joiner);
            match LAYOUT.iter().find(|l| code.starts_with(**l)) {
                Some(layout) => {
                    margin |= *layout == ".trimMargin()";
                    code = &code[layout.len()..];
                }
                None => break,
            }
        }
        let code = code.trim_end_matches(joiner);
        if code.is_empty() {
            return;
        }
        built = true;
        if code == "String.format" {
            formatting = true;
        } else if !formatting && !code.starts_with(".formatted") {
            text.push_str("${");
            text.push_str(code);
            text.push('}');
        }
    };
    for lit in &literals {
        gap(at, lit.anchor.max(at), &mut text);
        text.push_str(&src.strings_in(lit.anchor..lit.anchor + 1));
        at = lit.end.max(at);
    }
    gap(at, range.end.max(at), &mut text);
    if margin {
        text = text
            .lines()
            .map(|l| l.trim_start().strip_prefix('|').unwrap_or(l))
            .collect::<Vec<_>>()
            .join("\n");
    }
    if built {
        SqlArg::Interpolated(text)
    } else {
        SqlArg::Literal(text)
    }
}
