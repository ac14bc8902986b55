//! Drizzle ORM schemas: TypeScript or JavaScript files importing `drizzle-orm` that declare
//! tables with `pgTable`, `mysqlTable`, `sqliteTable` or `singlestoreTable` (or a
//! `pgSchema("x").table(…)`), and enums with `pgEnum`. `drizzle-kit push` and `generate`
//! diff these against the database: a table or column no longer declared is dropped, and a
//! renamed one is a question drizzle-kit asks (`push --force` answers it with a drop).
//!
//! Read at token level through `scan` (comments and strings masked, brackets balanced):
//! tables by their database name (the first argument), columns by theirs (the builder's
//! first string argument, else the property name), so renaming the TypeScript variable or
//! property that keeps its database name is quiet.

use super::declared::{self, Column, ColumnName, Declared, Enum, Table, TableName, Tool};
use super::scan::{Before, Lang, Source};
use crate::analyze::FileView;
use crate::change::RepoPath;
use crate::finding::Finding;
use std::ops::Range;

const TOOL: Tool = Tool {
    name: "Drizzle",
    apply: "`drizzle-kit push` (or the migration `drizzle-kit generate` writes)",
    safer: "When drizzle-kit asks whether a table or column was renamed, answer rename, and never run `push --force`; to remove one, stop reading and writing it, deploy, back it up, then remove it from the schema in a change of its own.",
    read_sibling,
};

const TABLE_CALLS: [&str; 4] = ["pgTable", "mysqlTable", "sqliteTable", "singlestoreTable"];
const SCHEMA_CALLS: [&str; 2] = ["pgSchema", "mysqlSchema"];

/// Whether a JavaScript/TypeScript file declares Drizzle tables: it names `drizzle-orm`
/// and calls a table builder. A substring check, no parse.
pub(crate) fn declares_tables(text: &str) -> bool {
    text.contains("drizzle-orm")
        && (TABLE_CALLS.iter().any(|c| text.contains(c))
            || SCHEMA_CALLS.iter().any(|c| text.contains(c)) && text.contains(".table("))
}

fn read_sibling(_: &RepoPath, text: &str) -> Option<Declared> {
    declares_tables(text).then(|| parse(text))
}

pub(crate) fn analyze(view: &FileView) -> Vec<Finding> {
    let read = |text: Option<&str>| text.map(parse).unwrap_or_default();
    declared::compare(view, &TOOL, &read(view.old_text()), &read(view.new_text()))
}

pub(crate) fn parse(text: &str) -> Declared {
    let src = Source::new(text, Lang::Js);
    let mut declared = Declared::default();
    for name in TABLE_CALLS {
        for call in src.calls(name, Before::Bare) {
            declared
                .tables
                .extend(table(&src, &call.args, None, call.line, call.end_line));
        }
    }
    // `export const auth = pgSchema("auth")`, then `auth.table("tokens", {…})`.
    for name in SCHEMA_CALLS {
        for call in src.calls(name, Before::Bare) {
            let Some(schema) = src.first_value(&call) else {
                continue;
            };
            let Some(variable) = assigned_to(&src, call.start) else {
                continue;
            };
            for t in src.calls("table", Before::Dot) {
                let on = src.receiver(t.start);
                if on.len() == 1 && on.first().is_some_and(|s| s.name == variable) {
                    declared
                        .tables
                        .extend(table(&src, &t.args, Some(&schema), t.line, t.end_line));
                }
            }
        }
    }
    for call in src.calls("pgEnum", Before::Bare) {
        let args = src.args(&call);
        let (Some(name), Some(list)) = (src.arg(&args, "", 0), src.arg(&args, "", 1)) else {
            continue;
        };
        declared.enums.push(Enum {
            name: src.value(name),
            values: src
                .literals_in(list.value.clone())
                .map(|l| text[l.content.clone()].to_owned())
                .collect(),
            line: call.line,
        });
    }
    declared
}

/// The name a call's result is assigned to: `auth` in `const auth = pgSchema(…)`.
fn assigned_to(src: &Source, start: usize) -> Option<String> {
    let before = std::str::from_utf8(&src.code[..start]).ok()?.trim_end();
    let before = before.strip_suffix('=')?.trim_end();
    let name: String = before
        .chars()
        .rev()
        .take_while(|c| c.is_ascii_alphanumeric() || *c == '_' || *c == '$')
        .collect();
    (!name.is_empty()).then(|| name.chars().rev().collect())
}

fn table(
    src: &Source,
    args: &Range<usize>,
    schema: Option<&str>,
    line: u32,
    end_line: u32,
) -> Option<Table> {
    let all = src.args_in(args.clone());
    let name = src.value(src.arg(&all, "", 0)?);
    let columns_arg = src.arg(&all, "", 1)?;
    // `{ … }`, or the callback form `(t) => ({ … })`: the first object literal.
    let open = columns_arg.value.start
        + src.code[columns_arg.value.clone()]
            .iter()
            .position(|b| *b == b'{')?;
    let close = matching_brace(&src.code, open)?.min(columns_arg.value.end);
    let columns = src
        .args_in(open + 1..close)
        .into_iter()
        .filter_map(|entry| column(src, entry.keyword?, entry.value))
        .collect();
    let name = match schema {
        Some(schema) => format!("{schema}.{name}"),
        None => name,
    };
    Some(Table {
        name: TableName(name),
        line,
        end_line,
        columns,
    })
}

fn matching_brace(code: &[u8], open: usize) -> Option<usize> {
    let mut depth = 0usize;
    for (i, b) in code.iter().enumerate().skip(open) {
        match b {
            b'{' | b'(' | b'[' => depth += 1,
            b'}' | b')' | b']' => {
                depth = depth.checked_sub(1)?;
                if depth == 0 {
                    return Some(i);
                }
            }
            _ => {}
        }
    }
    None
}

/// One `key: builder("name", { … }).modifier()` entry of a table's columns.
fn column(src: &Source, key: String, value: Range<usize>) -> Option<Column> {
    let code = std::str::from_utf8(&src.code[value.clone()]).ok()?;
    let lead = code.len() - code.trim_start().len();
    let builder: String = code
        .trim_start()
        .chars()
        .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
        .collect();
    if builder.is_empty() {
        return None;
    }
    let start = value.start + lead;
    let builder_args = src.inner_call_args(start..value.end).unwrap_or_default();
    // `text("full_name")` names its column; `text()` and `integer({ mode: "number" })` take
    // the property's name.
    let named = builder_args.first().filter(|a| {
        a.keyword.is_none()
            && src.text[a.value.clone()]
                .trim_start()
                .starts_with(['"', '\'', '`'])
    });
    let name = named.map(|a| src.value(a)).unwrap_or(key);
    // The builder's options (`{ length: 255 }`), not its name: they say the type.
    let options: String = builder_args
        .iter()
        .skip(usize::from(named.is_some()))
        .map(|a| {
            src.text[a.value.clone()]
                .chars()
                .filter(|c| !c.is_whitespace())
                .collect::<String>()
        })
        .collect::<Vec<_>>()
        .join(",");
    let chain = &src.text[value.clone()];
    let has = |m: &str| chain.contains(m);
    let has_default = [
        ".default(",
        ".defaultNow(",
        ".defaultRandom(",
        ".generatedAlwaysAs",
        ".generatedByDefaultAs",
        ".autoincrement(",
    ]
    .iter()
    .any(|m| has(m))
        || builder.contains("serial");
    Some(Column {
        name: ColumnName(name),
        sql_type: sql_type(&builder, &options),
        spelled: format!("{builder}({options})"),
        nullable: !has(".notNull(") && !has(".primaryKey("),
        has_default,
        line: src.line_of(start),
    })
}

/// The SQL type a builder creates, for the builders whose type twokey can compare.
fn sql_type(builder: &str, options: &str) -> Option<String> {
    let number = |key: &str| {
        let at = options.find(&format!("{key}:"))? + key.len() + 1;
        let digits: String = options[at..]
            .chars()
            .take_while(char::is_ascii_digit)
            .collect();
        (!digits.is_empty()).then_some(digits)
    };
    let sized = |ty: &str| match number("length") {
        Some(n) => format!("{ty}({n})"),
        None => ty.to_owned(),
    };
    Some(match builder {
        "text" => "TEXT".to_owned(),
        "varchar" => sized("VARCHAR"),
        "char" => sized("CHAR"),
        "integer" | "int" | "serial" => "INTEGER".to_owned(),
        "smallint" | "smallserial" => "SMALLINT".to_owned(),
        "tinyint" => "TINYINT".to_owned(),
        "bigint" | "bigserial" => "BIGINT".to_owned(),
        "boolean" => "BOOLEAN".to_owned(),
        "real" => "REAL".to_owned(),
        "doublePrecision" | "double" => "DOUBLE PRECISION".to_owned(),
        "uuid" => "UUID".to_owned(),
        "date" => "DATE".to_owned(),
        "timestamp" => "TIMESTAMP".to_owned(),
        "numeric" | "decimal" => match (number("precision"), number("scale")) {
            (Some(p), Some(s)) => format!("NUMERIC({p}, {s})"),
            (Some(p), None) => format!("NUMERIC({p})"),
            _ => "NUMERIC".to_owned(),
        },
        _ => return None,
    })
}
