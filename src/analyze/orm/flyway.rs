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
//! `execute(DROP_OLD)`, `this.sql`, `V3__Drop.SQL`) is read through the file's assignments
//! to it when each assigns literals, and a method of the class (`execute(sql())`,
//! `execute(dropSql("users"))`) through what its `return`s (or a Kotlin `= expression`
//! body) give; anything else it cannot read (another class's method, a parameter, a field
//! set elsewhere) needs a human. It follows no control flow: every assignment and every
//! `return` counts. A list of strings (`new String[] {…}`, `arrayOf(…)`, `List.of(…)`) is
//! read as one statement per element, as `batchUpdate(String...)` runs it.
//!
//! jOOQ's DSL (`dsl.dropTable("x").execute()`) builds SQL without writing it: `jooq` reads
//! those calls in the same files.

use super::jooq;
use super::scan::{matching, Lang, RawCall, Source, SqlArg};
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
    // The class is named after its file: `V3__Drop.SQL` is this class's constant.
    let class = file_name.split('.').next().unwrap_or_default();
    let mut calls = super::method_calls_with(text, lang, METHODS, |src, call| {
        let (effect, resolved) = effect(src, call, class)?;
        let mut found = Call::found(src, call, effect);
        // A call handed a variable is identified with what the variable holds, so that
        // changing the string assigned to it makes the call new.
        if let Some(text) = resolved {
            found.key = format!("{}={text}", found.key);
        }
        Some(found)
    });
    calls.extend(jooq::calls(text, lang));
    calls
}

/// What the call runs, and the text of the variable it was handed when that was read.
fn effect(src: &Source, call: &RawCall, class: &str) -> Option<(Effect, Option<String>)> {
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
    // A method of the class called with literals (`dropSql("users")`) reads as what it
    // returns, not as the literals handed to it.
    let written = src.text[first.value.clone()].trim();
    if written.ends_with(')') && !matches!(arg, SqlArg::Code(_)) {
        if let Some(SqlArg::Literal(_) | SqlArg::Interpolated(_)) = held_by(src, class, written) {
            arg = SqlArg::Code(written.to_owned());
        }
    }
    let mut resolved = None;
    if let SqlArg::Code(code) = &arg {
        if let Some(held) = held_by(src, class, code) {
            resolved = Some(match &held {
                SqlArg::Literal(t) | SqlArg::Interpolated(t) | SqlArg::Code(t) => t.clone(),
            });
            arg = held;
        }
    }
    // Pieces built from the class's own methods and fields read as what they hold.
    if let SqlArg::Interpolated(before) = &arg {
        let after = expanded(src, class, arg.clone(), EXPAND_DEPTH);
        if let SqlArg::Literal(t) | SqlArg::Interpolated(t) = &after {
            if t != before {
                resolved = Some(t.clone());
            }
        }
        arg = after;
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

/// What code handed to an executing call holds, read from this file: a local, field or
/// constant (`sql`, `this.sql`, `V3__Drop.SQL` in the class `V3__Drop`) through its
/// assignments, a method of the class (`sql()`, `dropSql("users")`) through its returns.
/// `None` when the file does not say (another class's method or field, a parameter).
fn held_by(src: &Source, class: &str, code: &str) -> Option<SqlArg> {
    let code = code.trim();
    let own = code
        .strip_prefix("this.")
        .or_else(|| code.strip_prefix(class)?.strip_prefix('.'))
        .unwrap_or(code);
    match own.split_once('(') {
        Some((method, _)) if own.ends_with(')') && is_plain(method) => returned(src, method),
        Some(_) => None,
        None => assigned(src, own),
    }
}

/// How many helpers deep a built string is followed (`base() + " CASCADE"` where `base()`
/// returns `prefix() + "users"`): enough for real migrations, and an end to helpers that
/// call each other in a ring.
const EXPAND_DEPTH: u8 = 3;

/// `arg` with each interpolated piece that is one of this class's methods, fields or
/// constants replaced by what it holds, when that is known; a piece that stays unknown (a
/// parameter, another class's method) stays interpolated, so the SQL still needs a human.
fn expanded(src: &Source, class: &str, arg: SqlArg, depth: u8) -> SqlArg {
    if depth == 0 {
        return arg;
    }
    let text = match arg {
        SqlArg::Literal(_) => return arg,
        // A helper that returns another's value (`return base();`).
        SqlArg::Code(code) => {
            return match held_by(src, class, &code) {
                Some(held) => expanded(src, class, held, depth - 1),
                None => SqlArg::Code(code),
            }
        }
        SqlArg::Interpolated(text) => text,
    };
    let mut out = String::with_capacity(text.len());
    let mut rest = text.as_str();
    let mut open = false;
    while let Some(at) = rest.find("${") {
        out.push_str(&rest[..at]);
        let after = &rest[at + 2..];
        let Some(end) = after.find('}') else {
            out.push_str(&rest[at..]);
            rest = "";
            open = true;
            break;
        };
        let code = &after[..end];
        // The piece is written without its call's parentheses (`sql() + "…"` reads `${sql}`):
        // a field or constant of that name, else a method.
        let held = held_by(src, class, code)
            .or_else(|| is_plain(code).then(|| returned(src, code)).flatten());
        match held.map(|held| expanded(src, class, held, depth - 1)) {
            Some(SqlArg::Literal(held)) => out.push_str(&held),
            Some(SqlArg::Interpolated(held)) => {
                out.push_str(&held);
                open = true;
            }
            _ => {
                out.push_str(&rest[at..at + 2 + end + 1]);
                open = true;
            }
        }
        rest = &after[end + 1..];
    }
    out.push_str(rest);
    if open {
        SqlArg::Interpolated(out)
    } else {
        SqlArg::Literal(out)
    }
}

fn is_plain(name: &str) -> bool {
    !name.is_empty()
        && !name.starts_with(|c: char| c.is_ascii_digit())
        && name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_')
}

/// Words before a name that make it a call rather than a method's definition.
const CALLING: &[&str] = &[
    "return", "new", "throw", "else", "case", "yield", "await", "in",
];

/// What the methods named `method` defined in the file return: every `return` of a Java or
/// Kotlin block body, or a Kotlin expression body (`fun sql() = "…"`), read as SQL (a
/// returned local variable through its assignments). `None` when no definition is found;
/// an unreadable return leaves the method unread (`Code`), so the call still needs a human.
fn returned(src: &Source, method: &str) -> Option<SqlArg> {
    returned_within(src, method, EXPAND_DEPTH)
}

/// [`returned`], following a return of another of the class's methods (`return base();`)
/// at most `depth` calls deep.
fn returned_within(src: &Source, method: &str, depth: u8) -> Option<SqlArg> {
    let code = &src.code;
    let ident = |b: u8| b.is_ascii_alphanumeric() || b == b'_' || b == b'$';
    let skip = |mut i: usize| {
        while code.get(i).is_some_and(u8::is_ascii_whitespace) {
            i += 1;
        }
        i
    };
    let mut values = Vec::new();
    let mut from = 0;
    while let Some(found) = code[from..]
        .windows(method.len())
        .position(|w| w == method.as_bytes())
    {
        let start = from + found;
        from = start + method.len();
        if code.get(from).is_some_and(|b| ident(*b)) || (start > 0 && ident(code[start - 1])) {
            continue;
        }
        // A definition has a type (Java) or `fun` (Kotlin) right before its name.
        let mut j = start;
        while j > 0 && code[j - 1].is_ascii_whitespace() {
            j -= 1;
        }
        let word_end = j;
        while j > 0 && ident(code[j - 1]) {
            j -= 1;
        }
        let before = std::str::from_utf8(&code[j..word_end]).unwrap_or("");
        let typed = matches!(code.get(word_end.wrapping_sub(1)), Some(b'>' | b']'));
        if (before.is_empty() && !typed) || CALLING.contains(&before) {
            continue;
        }
        let open = skip(from);
        if code.get(open) != Some(&b'(') {
            continue;
        }
        let Some(close) = matching(code, open) else {
            continue;
        };
        // Up to the body: Java's `throws A, B`, Kotlin's `: String`.
        let mut i = skip(close + 1);
        while code
            .get(i)
            .is_some_and(|b| !matches!(b, b'{' | b'=' | b';' | b'}'))
        {
            i += 1;
        }
        match code.get(i) {
            Some(b'=') if code.get(i + 1) != Some(&b'=') => {
                values.push(i + 1..statement_end(src, i + 1));
            }
            Some(b'{') => {
                let Some(end) = matching(code, i) else {
                    continue;
                };
                let mut k = i;
                while let Some(at) = code[k..end].windows(6).position(|w| w == b"return") {
                    let r = k + at;
                    k = r + 6;
                    if ident(code[r - 1]) || code.get(k).is_some_and(|b| ident(*b)) {
                        continue;
                    }
                    values.push(k..statement_end(src, k).min(end));
                }
            }
            _ => {}
        }
    }
    if values.is_empty() {
        return None;
    }
    let (mut texts, mut built) = (Vec::new(), false);
    for value in values {
        let mut arg = sql_text(src, value);
        if let SqlArg::Code(local) = &arg {
            let other = local
                .strip_suffix("()")
                .filter(|m| depth > 0 && is_plain(m) && *m != method);
            let held = match other {
                Some(other) => returned_within(src, other, depth - 1),
                None => is_plain(local).then(|| assigned(src, local)).flatten(),
            };
            if let Some(held) = held {
                arg = held;
            }
        }
        match arg {
            SqlArg::Literal(t) => texts.push(t),
            SqlArg::Interpolated(t) => {
                built = true;
                texts.push(t);
            }
            SqlArg::Code(_) => return Some(SqlArg::Code(format!("{method}()"))),
        }
    }
    let text = texts.join(";\n");
    Some(if built {
        SqlArg::Interpolated(text)
    } else {
        SqlArg::Literal(text)
    })
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
        // Kotlin's `val sql get() = …`: a getter whose body is the value.
        if code[i..].starts_with(b"get()") {
            i = skip(i + 5);
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
    if let Some(list) = string_list(src, range.clone()) {
        return list;
    }
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

/// How lists of strings are written: Java's array creation, Kotlin's and Java's list
/// factories. An array initializer (`String[] sqls = {…}`) has none.
const LIST_OPENERS: &[&str] = &[
    "new String[]",
    "arrayOf",
    "listOf",
    "mutableListOf",
    "List.of",
    "Arrays.asList",
    "",
];

/// A list of strings (`new String[] {"…", "…"}`, `{"…", "…"}`, `*arrayOf("…")`,
/// `List.of("…").toArray(new String[0])`): its elements as statements, each read as SQL on
/// its own. `None` for anything else.
fn string_list(src: &Source, range: std::ops::Range<usize>) -> Option<SqlArg> {
    let code = &src.code;
    let text = std::str::from_utf8(code.get(range.clone())?).ok()?;
    let written = text.trim_start().trim_start_matches('*');
    let (opener, after) = LIST_OPENERS.iter().find_map(|o| {
        let after = written.strip_prefix(*o)?;
        let rest = after.trim_start();
        (rest.starts_with('{') || (!o.is_empty() && rest.starts_with('('))).then_some((*o, after))
    })?;
    let open = range.start
        + (text.len() - written.len())
        + opener.len()
        + (after.len() - after.trim_start().len());
    let close = matching(code, open).filter(|c| *c < range.end)?;
    // Only a conversion to an array may follow.
    let rest = std::str::from_utf8(&code[close + 1..range.end])
        .ok()?
        .trim();
    if !(rest.is_empty() || rest.starts_with(".toArray(") || rest == ".toTypedArray()") {
        return None;
    }
    let items = src.args_in(open + 1..close);
    if items.is_empty() {
        return None;
    }
    let (mut texts, mut built) = (Vec::new(), false);
    for item in items {
        match sql_text(src, item.value) {
            SqlArg::Literal(t) => texts.push(t),
            SqlArg::Interpolated(t) => {
                built = true;
                texts.push(t);
            }
            SqlArg::Code(_) => return Some(SqlArg::Code(src.text[range].trim().to_owned())),
        }
    }
    let text = texts.join(";\n");
    Some(if built {
        SqlArg::Interpolated(text)
    } else {
        SqlArg::Literal(text)
    })
}
