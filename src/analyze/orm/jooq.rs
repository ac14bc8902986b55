//! jooq: the statements jOOQ's DSL builds in a Flyway Java or Kotlin migration
//! (`DSL.using(context.getConnection()).dropTable("users").execute()`), written back as the
//! SQL they run so that the SQL analyzer judges them as it judges a `.sql` file.
//!
//! A builder is found by its first call (`dropTable`, `truncate`, `deleteFrom`,
//! `alterTable`, …) and read with the calls chained after it: `.where(…)` bounds a DELETE
//! or UPDATE, `.cascade()` widens a drop, `.dropColumn(c)` says what an `alterTable` does.
//! Names are read from their string (`"users"`, `DSL.table("users")`, `DSL.name("s", "t")`)
//! or else from the generated constant (`USERS`, `Tables.USERS`, `USERS.EMAIL`), and written
//! quoted so that a table called `USER` still reads as a name.
//!
//! Only files that mention jOOQ are read (`org.jooq`, a `JooqMigration` base class, `DSL.`,
//! `DSLContext`): the method
//! names are common words (`delete`, `truncate`, `update`) elsewhere. A builder chained to
//! nothing this module knows is left alone: it only ever adds findings to what the JDBC
//! calls yield.

use super::scan::{matching, Lang, RawCall, Source, SqlArg};
use super::{sql_effect, Call};
use std::ops::Range;

/// The first calls of the builders that can destroy or rename.
const ENTRIES: &[&str] = &[
    "dropTable",
    "dropTableIfExists",
    "dropView",
    "dropViewIfExists",
    "dropMaterializedView",
    "dropMaterializedViewIfExists",
    "dropSchema",
    "dropSchemaIfExists",
    "dropDatabase",
    "dropDatabaseIfExists",
    "dropIndex",
    "dropIndexIfExists",
    "dropSequence",
    "dropSequenceIfExists",
    "dropType",
    "dropTypeIfExists",
    "dropDomain",
    "dropDomainIfExists",
    "truncate",
    "truncateTable",
    "deleteFrom",
    "delete",
    "update",
    "alterTable",
    "alterTableIfExists",
    "alterSchema",
    "alterSchemaIfExists",
    "alterView",
    "alterViewIfExists",
    "query",
];

/// Calls after a DELETE or UPDATE builder that bound the rows it touches.
const BOUNDING: &[&str] = &["where", "whereExists", "whereNotExists", "limit"];

pub(crate) fn calls(text: &str, lang: Lang) -> Vec<Call> {
    let mentions_jooq = text
        .as_bytes()
        .windows(4)
        .any(|w| w.eq_ignore_ascii_case(b"jooq"));
    if !(mentions_jooq || text.contains("DSL.") || text.contains("DSLContext")) {
        return Vec::new();
    }
    super::method_calls_with(text, lang, ENTRIES, |src, call| {
        let sql = statement(src, call)?;
        let receiver = src.receiver(call.start).pop();
        let what = match &receiver {
            Some(r) if r.args.is_some() => format!("{}().{}", r.name, call.name),
            Some(r) => format!("{}.{}", r.name, call.name),
            None => call.name.to_owned(),
        };
        let mut found = Call::found(src, call, sql_effect(&what, sql));
        found.key = format!("jooq:{}", found.key);
        Some(found)
    })
}

/// One call chained after a builder: its name and its arguments, if it has any.
struct Link {
    name: String,
    args: Option<Range<usize>>,
}

/// The calls chained after `call`: `.where(…)`, `.cascade()`, Kotlin's `?.` and properties
/// (`.isTrue`) included, up to the first thing that is not one.
fn chain(src: &Source, call: &RawCall) -> Vec<Link> {
    let code = &src.code;
    let skip = |mut i: usize| {
        while code.get(i).is_some_and(u8::is_ascii_whitespace) {
            i += 1;
        }
        i
    };
    let mut out = Vec::new();
    let mut at = call.args.end + 1;
    loop {
        let mut i = skip(at);
        if code.get(i) == Some(&b'?') {
            i += 1;
        }
        if code.get(i) != Some(&b'.') {
            return out;
        }
        i = skip(i + 1);
        let start = i;
        while code
            .get(i)
            .is_some_and(|b| b.is_ascii_alphanumeric() || *b == b'_')
        {
            i += 1;
        }
        if i == start {
            return out;
        }
        let name = src.text[start..i].to_owned();
        let open = skip(i);
        let args = if code.get(open) == Some(&b'(') {
            let Some(close) = matching(code, open) else {
                return out;
            };
            at = close + 1;
            Some(open + 1..close)
        } else {
            at = i;
            None
        };
        out.push(Link { name, args });
    }
}

/// The SQL a builder runs, when it can destroy or rename; `None` for the rest.
fn statement(src: &Source, call: &RawCall) -> Option<SqlArg> {
    let links = chain(src, call);
    let has = |names: &[&str]| links.iter().any(|l| names.contains(&l.name.as_str()));
    // `.where(DSL.trueCondition())` and `.where(DSL.noCondition())` bound nothing.
    let bounded = links.iter().any(|l| {
        BOUNDING.contains(&l.name.as_str())
            && !l.args.clone().is_some_and(|a| {
                let cond = src.text[a].trim();
                cond.ends_with("trueCondition()") || cond.ends_with("noCondition()")
            })
    });
    let args = src.args(call);
    let first = || args.first().map(|a| name(src, a.value.clone()));
    let cascade = if has(&["cascade"]) { " CASCADE" } else { "" };
    let if_exists = if call.name.ends_with("IfExists") {
        "IF EXISTS "
    } else {
        ""
    };
    let drop = |object: &str| Some(format!("DROP {object} {if_exists}{}{cascade}", first()?));
    let sql = match call.name.trim_end_matches("IfExists") {
        "dropTable" => drop("TABLE"),
        "dropView" => drop("VIEW"),
        "dropMaterializedView" => drop("MATERIALIZED VIEW"),
        "dropSchema" => drop("SCHEMA"),
        "dropDatabase" => drop("DATABASE"),
        "dropIndex" => drop("INDEX"),
        "dropSequence" => drop("SEQUENCE"),
        "dropType" => drop("TYPE"),
        "dropDomain" => drop("DOMAIN"),
        "truncate" | "truncateTable" => Some(format!("TRUNCATE {}{cascade}", first()?)),
        // `delete(T)` is jOOQ's alias of `deleteFrom(T)`; elsewhere it is a common word, so
        // it counts only when the chain goes on as jOOQ's does.
        "deleteFrom" | "delete" if !bounded => {
            if call.name == "delete" && !has(&["execute", "returning", "executeAsync"]) {
                return None;
            }
            Some(format!("DELETE FROM {}", first()?))
        }
        "update" if has(&["set"]) && !bounded => {
            Some(format!("UPDATE {} SET changed = 1", first()?))
        }
        "alterTable" => alter_table(src, &first()?, if_exists, &links),
        "alterSchema" | "alterView" => {
            let object = if call.name.starts_with("alterSchema") {
                "SCHEMA"
            } else {
                "VIEW"
            };
            let to = links.iter().find(|l| l.name == "renameTo")?;
            Some(format!(
                "ALTER {object} {if_exists}{} RENAME TO {}",
                first()?,
                name(src, to.args.clone()?)
            ))
        }
        // Plain SQL handed to jOOQ: `dsl.query("DELETE FROM t").execute()`.
        "query" => {
            return match src.sql_arg(args.first()?.value.clone()) {
                literal @ SqlArg::Literal(_) => Some(literal),
                _ => None,
            }
        }
        _ => None,
    }?;
    Some(SqlArg::Literal(sql))
}

/// The clauses of `alterTable(t)` that can destroy or rename, as one `ALTER TABLE`.
fn alter_table(src: &Source, table: &str, if_exists: &str, links: &[Link]) -> Option<String> {
    let mut clauses = Vec::new();
    let names = |link: &Link| -> Vec<String> {
        link.args
            .clone()
            .map(|a| src.args_in(a))
            .unwrap_or_default()
            .into_iter()
            .map(|a| name(src, a.value))
            .collect()
    };
    for (i, link) in links.iter().enumerate() {
        let next = links.get(i + 1);
        match link.name.as_str() {
            "dropColumn"
            | "dropColumns"
            | "drop"
            | "dropColumnIfExists"
            | "dropColumnsIfExists"
            | "dropIfExists" => {
                clauses.extend(names(link).into_iter().map(|c| format!("DROP COLUMN {c}")));
            }
            "renameTo" => clauses.extend(names(link).first().map(|n| format!("RENAME TO {n}"))),
            "renameColumn" => {
                let old = names(link).into_iter().next()?;
                let new = next.filter(|n| n.name == "to" || n.name == "as")?;
                let new = names(new).into_iter().next()?;
                clauses.push(format!("RENAME COLUMN {old} TO {new}"));
            }
            "alterColumn" | "alter" => {
                let column = names(link).into_iter().next()?;
                match next.map(|n| n.name.as_str()) {
                    Some("set" | "setDataType") => {
                        let ty = data_type(src, next?.args.clone()?);
                        clauses.push(format!("ALTER COLUMN {column} TYPE {ty}"));
                    }
                    Some("setNotNull") => {
                        clauses.push(format!("ALTER COLUMN {column} SET NOT NULL"))
                    }
                    _ => {}
                }
            }
            "dropConstraint" | "dropForeignKey" | "dropUnique" | "dropConstraintIfExists" => {
                clauses.extend(names(link).first().map(|c| format!("DROP CONSTRAINT {c}")));
            }
            "dropPrimaryKey" => clauses.push(format!("DROP CONSTRAINT {}", quoted("primary_key"))),
            _ => {}
        }
    }
    (!clauses.is_empty()).then(|| format!("ALTER TABLE {if_exists}{table} {}", clauses.join(", ")))
}

/// A table, column or schema named by a builder's argument, quoted: the strings in it
/// (`"users"`, `DSL.name("s", "t")`) joined by periods, else the last name of the code
/// (`Tables.USERS`, `USERS.EMAIL`).
fn name(src: &Source, range: Range<usize>) -> String {
    let strings: Vec<String> = src
        .literals_in(range.clone())
        .map(|l| src.strings_in(l.anchor..l.anchor + 1))
        .collect();
    if !strings.is_empty() {
        return strings
            .iter()
            .map(|s| quoted(s))
            .collect::<Vec<_>>()
            .join(".");
    }
    let code = src.text[range].trim();
    let code = code.split('(').next().unwrap_or(code);
    quoted(code.rsplit('.').next().unwrap_or(code))
}

/// `name` as a double-quoted identifier, with anything that cannot stand in one dropped.
fn quoted(name: &str) -> String {
    let clean: String = name
        .chars()
        .filter(|c| c.is_alphanumeric() || matches!(c, '_' | '$' | ' ' | '-'))
        .collect();
    if clean.is_empty() {
        "\"unnamed\"".to_owned()
    } else {
        format!("\"{clean}\"")
    }
}

/// The SQL type a `SQLDataType` constant names (`SQLDataType.VARCHAR(20)` is `VARCHAR(20)`,
/// `SQLDataType.INTEGER.nullable(false)` is `INTEGER`); an unknown type name reads as one
/// twokey cannot judge, which is still a type change.
fn data_type(src: &Source, range: Range<usize>) -> String {
    let code = src.text[range].trim();
    let code = code.strip_prefix("SQLDataType.").unwrap_or(code);
    let end = code
        .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
        .unwrap_or(code.len());
    let (ty, rest) = code.split_at(end);
    let length = rest
        .strip_prefix('(')
        .and_then(|r| r.split_once(')'))
        .map(|(inside, _)| inside)
        .filter(|inside| {
            inside
                .chars()
                .all(|c| c.is_ascii_digit() || c == ',' || c == ' ')
        })
        .map(|inside| format!("({inside})"))
        .unwrap_or_default();
    if ty.is_empty() {
        "unknown_type".to_owned()
    } else {
        format!("{ty}{length}")
    }
}
