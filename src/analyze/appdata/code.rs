//! code: destructive ORM calls and schema options written in application code, read with
//! the orm analyzer's lexer and token-level scanner (comments and string contents blanked,
//! brackets balanced), not with regexes over lines: a `drop_all` in a comment or a string
//! is not a call.
//!
//! What it finds, by language: TypeORM's `synchronize`/`dropSchema` options and
//! `synchronize()` call, Sequelize's `sync({ force | alter })` and `drop()`, MikroORM's
//! `dropSchema`/`refreshDatabase`, Mongo's `dropDatabase`/`collection(…).drop()`, Prisma's
//! raw SQL (JavaScript/TypeScript); SQLAlchemy's and Flask-SQLAlchemy's `drop_all`, Peewee's
//! `drop_tables`, Django's `call_command('flush' | 'reset_db' | 'migrate', …, 'zero')`,
//! Tortoise's `_drop_databases`, PyMongo's `drop_database` (Python); GORM's
//! `Migrator().DropTable/DropColumn` and Ent's `WithDropColumn(true)`/`WithDropIndex(true)`
//! (Go); EF Core's `EnsureDeleted` (C#); `Artisan::call('migrate:fresh' | 'db:wipe' | …)`
//! and `Schema::dropAllTables` (PHP); `create_table … force:` outside `schema.rb`,
//! `drop_table` and `Rake::Task['db:reset']` (Ruby); and Hibernate's schema settings set
//! in code (`"hibernate.hbm2ddl.auto", "create"`) in any of them.

use super::guard::{self, When};
use super::settings::{Known, SettingKey};
use super::{APP_DROPS_DATA, SCHEMA_RESET};
use crate::analyze::orm::scan::{Before, Lang, RawCall, Source, SqlArg};
use crate::finding::Severity;
use crate::rules::Rule;
use std::ops::Range;

/// A language application code is written in, by file extension.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Language {
    /// JavaScript and TypeScript.
    Js,
    Python,
    /// Go, lexed as JavaScript: the same comments, `"…"` strings and backtick raw strings.
    Go,
    CSharp,
    Php,
    Ruby,
    Java,
}

impl Language {
    pub(crate) fn of(ext: &str) -> Option<Language> {
        Some(match ext {
            "js" | "ts" | "mjs" | "cjs" | "mts" | "cts" => Language::Js,
            "py" => Language::Python,
            "go" => Language::Go,
            "cs" => Language::CSharp,
            "php" => Language::Php,
            "rb" | "rake" => Language::Ruby,
            // Kotlin is not read: ordinary Kotlin sources are never read for classification
            // (only Flyway-named ones), and Hibernate settings in Kotlin code are rare.
            "java" => Language::Java,
            _ => return None,
        })
    }
    fn lex(self) -> Lang {
        match self {
            Language::Js | Language::Go => Lang::Js,
            Language::Python => Lang::Python,
            Language::CSharp => Lang::CSharp,
            Language::Php => Lang::Php,
            Language::Ruby => Lang::Ruby,
            Language::Java => Lang::Java,
        }
    }
}

/// What a hit does.
#[derive(Debug, Clone)]
pub(crate) enum Does {
    /// A finding of `rule` at `severity` (before scope and guards), `effect` completing a
    /// sentence whose subject is the code quoted.
    Destroys {
        rule: &'static Rule,
        severity: Severity,
        effect: String,
        safer: &'static str,
    },
    /// SQL the code runs, for the sql analyzer's statement checker.
    RunsSql(SqlArg),
}

/// One destructive statement found in code.
#[derive(Debug, Clone)]
pub(crate) struct Hit {
    /// What makes it the same statement on both sides: its whitespace-free text.
    pub key: String,
    /// The code as a reviewer reads it (`Base.metadata.drop_all(…)`).
    pub shown: String,
    pub line: u32,
    pub end_line: u32,
    pub does: Does,
    pub when: When,
}

const MIGRATIONS: &str = "Change the schema through versioned migrations that are reviewed and run once (Flyway, Liquibase, Alembic, `typeorm migration:run`, `prisma migrate deploy`), and keep resets in test setup.";
const NO_RESET: &str = "Keep database resets out of application code: run them by hand against a development database, or in test setup, and change production schemas through versioned migrations.";

/// Every destructive statement in `text`.
pub(crate) fn scan(language: Language, text: &str) -> Vec<Hit> {
    let src = Source::new(text, language.lex());
    let mut out = Vec::new();
    settings_in_code(&src, &mut out);
    match language {
        Language::Js => js(&src, &mut out),
        Language::Python => python(&src, &mut out),
        Language::Go => go(&src, &mut out),
        Language::CSharp => {
            for name in ["EnsureDeleted", "EnsureDeletedAsync"] {
                for call in src.calls(name, Before::Dot) {
                    out.push(drops(
                        &src,
                        &call,
                        "deletes the whole database, every table and row in it".to_owned(),
                    ));
                }
            }
        }
        Language::Php => php(&src, &mut out),
        Language::Ruby => ruby(&src, &mut out),
        Language::Java => {}
    }
    out
}

/// A hit for a call, with its development guard if any.
fn hit(src: &Source, call: &RawCall, does: Does) -> Hit {
    let when = guard::enclosing(src, call.start).map_or(When::Always, When::DevOnly);
    // As written, `::` and `->` included: `Artisan::call(…)`, `db.Migrator().DropTable(…)`.
    let from = src
        .receiver(call.start)
        .first()
        .map_or(call.start, |s| s.start);
    let written: String = src.text[from..call.start + call.name.len()]
        .split_whitespace()
        .collect();
    Hit {
        key: format!("{}:{}", src.written(call), src.key(call)),
        shown: format!("{}(…)", flat(&written)),
        line: call.line,
        end_line: call.end_line,
        does,
        when,
    }
}

fn drops(src: &Source, call: &RawCall, effect: String) -> Hit {
    hit(
        src,
        call,
        Does::Destroys {
            rule: &APP_DROPS_DATA,
            severity: APP_DROPS_DATA.severity,
            effect,
            safer: NO_RESET,
        },
    )
}

fn resets(src: &Source, call: &RawCall, severity: Severity, effect: String) -> Hit {
    hit(
        src,
        call,
        Does::Destroys {
            rule: &SCHEMA_RESET,
            severity,
            effect,
            safer: MIGRATIONS,
        },
    )
}

fn is_ident(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_' || b == b'$'
}

/// `name: value` properties of object literals within `range`: where the name is, and the
/// value's range (to the next top-level `,`, `;` or closing bracket).
fn properties(src: &Source, name: &str, range: Range<usize>) -> Vec<(usize, Range<usize>)> {
    let code = &src.code;
    let end = range.end.min(code.len());
    let needle = name.as_bytes();
    let mut out = Vec::new();
    let mut from = range.start;
    while from < end {
        let Some(p) = code[from..end]
            .windows(needle.len())
            .position(|w| w == needle)
        else {
            break;
        };
        let at = from + p;
        from = at + needle.len();
        let before_ok = at == 0 || !(is_ident(code[at - 1]) || code[at - 1] == b'.');
        if !before_ok || code.get(from).copied().is_some_and(is_ident) {
            continue;
        }
        let mut i = from;
        while i < end && matches!(code[i], b' ' | b'\t') {
            i += 1;
        }
        if code.get(i) != Some(&b':') || code.get(i + 1) == Some(&b':') {
            continue;
        }
        i += 1;
        while i < end && code[i].is_ascii_whitespace() {
            i += 1;
        }
        let start = i;
        let mut depth = 0usize;
        while i < end {
            match code[i] {
                b'(' | b'[' | b'{' => depth += 1,
                b')' | b']' | b'}' if depth == 0 => break,
                b')' | b']' | b'}' => depth -= 1,
                b',' | b';' if depth == 0 => break,
                _ => {}
            }
            i += 1;
        }
        out.push((at, start..i));
    }
    out
}

/// When a boolean option written as `value` is on: never (`None`), always, only outside
/// production (`!isProd`, `NODE_ENV !== 'production'`, a ternary choosing `true` only
/// there), or on something twokey cannot see.
fn switched_on(value: &str) -> Option<When> {
    let v = value.trim();
    match v {
        "true" | "!0" => return Some(When::Always),
        "false" | "!1" | "0" | "boolean" | "undefined" | "null" | "" => return None,
        _ => {}
    }
    let by_condition = |cond: &str, on_when_true: bool| match guard::outside_production(cond) {
        Some(dev) if dev == on_when_true => Some(When::DevOnly(cond.trim().to_owned())),
        Some(_) => Some(When::Always),
        None => Some(When::Depends(v.to_owned())),
    };
    if let Some((cond, yes, no)) = ternary(v) {
        return match (yes.trim() == "true", no.trim() == "true") {
            (true, true) => Some(When::Always),
            (false, false) => None,
            (true, false) => by_condition(cond, true),
            (false, true) => by_condition(cond, false),
        };
    }
    by_condition(v, true)
}

/// `cond ? a : b`, split at its top level (not `?.` or `??`).
fn ternary(v: &str) -> Option<(&str, &str, &str)> {
    let b = v.as_bytes();
    let q = (0..b.len()).find(|&i| {
        b[i] == b'?'
            && b.get(i + 1).is_none_or(|n| !matches!(n, b'.' | b'?'))
            && (i == 0 || b[i - 1] != b'?')
    })?;
    let c = q + 1 + v[q + 1..].find(':')?;
    Some((&v[..q], &v[q + 1..c], &v[c + 1..]))
}

fn js(src: &Source, out: &mut Vec<Hit>) {
    let text = src.text;
    let all = 0..src.code.len();
    let options: [(&str, &str); 2] = [
        ("synchronize", "makes TypeORM alter the tables to match the entities every time the data source initialises: a column or table no entity declares any more (a renamed or removed property) is dropped with its data"),
        ("dropSchema", "makes TypeORM drop every table of the schema each time the data source initialises, so every start begins with an empty database"),
    ];
    for (name, effect) in options {
        for (at, value) in properties(src, name, all.clone()) {
            let written = text[value.clone()].trim();
            let Some(when) = switched_on(written) else {
                continue;
            };
            let when = match when {
                When::Always => guard::enclosing(src, at).map_or(When::Always, When::DevOnly),
                other => other,
            };
            let key: String = text[at..value.end].split_whitespace().collect();
            out.push(Hit {
                key: format!("option:{key}"),
                shown: format!("{name}: {}", flat(written)),
                line: src.line_of(at),
                end_line: src.line_of(value.end),
                does: Does::Destroys {
                    rule: &SCHEMA_RESET,
                    severity: SCHEMA_RESET.severity,
                    effect: effect.to_owned(),
                    safer: "Set `synchronize: false` (and `dropSchema: false`) and change the schema through TypeORM migrations (`typeorm migration:generate`, `migration:run`), reviewed and run once.",
                },
                when,
            });
        }
    }
    let lower = text.to_ascii_lowercase();
    if lower.contains("typeorm") || lower.contains("datasource") {
        for call in src.calls("synchronize", Before::Dot) {
            let effect = if src.first_value(&call).as_deref() == Some("true") {
                "drops every table first, then creates them again from the entities, empty"
            } else {
                "alters the tables to match the entities, dropping any column or table no entity declares"
            };
            out.push(resets(src, &call, SCHEMA_RESET.severity, effect.to_owned()));
        }
    }
    if lower.contains("sequelize") {
        for call in src.calls("sync", Before::Dot) {
            let option = |name: &str| {
                properties(src, name, call.args.clone())
                    .into_iter()
                    .find_map(|(_, v)| switched_on(&text[v]))
            };
            let (severity, effect, when) = if let Some(when) = option("force") {
                (
                    SCHEMA_RESET.severity,
                    "runs `DROP TABLE` for every model's table and creates it again, empty",
                    when,
                )
            } else if let Some(when) = option("alter") {
                (Severity::Medium, "alters every model's table to match the model, dropping the columns a model no longer declares", when)
            } else {
                continue;
            };
            let mut found = resets(src, &call, severity, effect.to_owned());
            if when != When::Always {
                found.when = when;
            } else if !properties(src, "match", call.args.clone()).is_empty() {
                // `match: /_test$/`: Sequelize refuses to sync a database whose name does not
                // match, the documented guard for development databases.
                found.when = When::DevOnly("a `match` pattern on the database name".to_owned());
            }
            out.push(found);
        }
    }
    for call in src.calls("drop", Before::Dot) {
        let chain = src.receiver(call.start);
        if chain
            .iter()
            .any(|s| s.name.to_ascii_lowercase().contains("sequelize"))
        {
            out.push(drops(
                src,
                &call,
                "drops the table of every model Sequelize knows, with every row".to_owned(),
            ));
        } else if let Some(collection) = chain
            .iter()
            .find(|s| s.name == "collection" || s.name == "collections")
        {
            let name = collection
                .args
                .clone()
                .map(|a| src.strings_in(a))
                .filter(|n| !n.is_empty())
                .unwrap_or_else(|| "it names".to_owned());
            out.push(drops(
                src,
                &call,
                format!("drops the collection {name} and every document in it"),
            ));
        }
    }
    let named: [(&'static str, &str); 5] = [
        ("dropDatabase", "drops the whole database"),
        (
            "dropCollection",
            "drops a whole collection and every document in it",
        ),
        (
            "dropSchema",
            "drops every table of the schema with its rows",
        ),
        (
            "refreshDatabase",
            "drops the schema and creates it again, empty",
        ),
        (
            "dropAllCollections",
            "drops every collection of the database",
        ),
    ];
    for (name, effect) in named {
        for call in src.calls(name, Before::Dot) {
            out.push(drops(src, &call, effect.to_owned()));
        }
    }
    prisma(src, out);
}

/// Prisma's raw SQL: `$executeRaw` tagged templates (whose `${…}` are bound parameters,
/// never SQL text) and the `…Unsafe` calls given a string.
fn prisma(src: &Source, out: &mut Vec<Hit>) {
    let code = &src.code;
    let needle = b"$executeRaw";
    let mut from = 0;
    while let Some(p) = code[from..].windows(needle.len()).position(|w| w == needle) {
        let at = from + p;
        from = at + needle.len();
        let mut tick = from;
        while tick < code.len() && code[tick].is_ascii_whitespace() {
            tick += 1;
        }
        if code.get(tick) != Some(&b'`') {
            continue;
        }
        let Some(lit) = src.literals_in(tick..tick + 1).next() else {
            continue;
        };
        let end = lit.end;
        let sql = bound(&src.strings_in(tick..tick + 1));
        out.push(Hit {
            key: format!("prisma:{}", sql.split_whitespace().collect::<String>()),
            shown: "$executeRaw".to_owned(),
            line: src.line_of(at),
            end_line: src.line_of(end),
            does: Does::RunsSql(SqlArg::Literal(sql)),
            when: guard::enclosing(src, at).map_or(When::Always, When::DevOnly),
        });
    }
    for name in [
        "$executeRawUnsafe",
        "$queryRawUnsafe",
        "$executeRaw",
        "$queryRaw",
    ] {
        for call in src.calls(name, Before::Dot) {
            let Some(first) = src.args(&call).into_iter().next() else {
                continue;
            };
            match src.sql_arg(first.value) {
                // A variable or a built string twokey cannot read is ordinary in
                // application code: only SQL it can read is judged.
                SqlArg::Code(_) => {}
                arg => out.push(hit(src, &call, Does::RunsSql(arg))),
            }
        }
    }
}

/// A tagged template's SQL with each `${…}` written as the `?` placeholder it binds.
fn bound(sql: &str) -> String {
    let mut out = String::with_capacity(sql.len());
    let mut rest = sql;
    while let Some(at) = rest.find("${") {
        out.push_str(&rest[..at]);
        out.push('?');
        rest = rest[at..].find('}').map_or("", |e| &rest[at + e + 1..]);
    }
    out.push_str(rest);
    out
}

fn python(src: &Source, out: &mut Vec<Hit>) {
    let named: [(&'static str, Before, &str); 6] = [
        (
            "drop_all",
            Before::Dot,
            "drops every table the models' metadata declares, with every row",
        ),
        (
            "drop_tables",
            Before::Dot,
            "drops the tables it is given, with every row",
        ),
        (
            "_drop_databases",
            Before::Dot,
            "drops every database Tortoise is connected to",
        ),
        ("drop_database", Before::Any, "drops the whole database"),
        (
            "drop_collection",
            Before::Dot,
            "drops a whole collection and every document in it",
        ),
        (
            "dropAllCollections",
            Before::Dot,
            "drops every collection of the database",
        ),
    ];
    for (name, before, effect) in named {
        for call in src.calls(name, before) {
            out.push(drops(src, &call, effect.to_owned()));
        }
    }
    for call in src.calls("call_command", Before::Any) {
        let values = src.positional_values(&src.args(&call));
        let effect = match values.first().map(String::as_str) {
            Some("flush") => "deletes every row of every table (Django `flush`)",
            Some("reset_db") => {
                "drops the database and creates it again, empty (django-extensions `reset_db`)"
            }
            Some("reset_schema") => {
                "drops the schema with every table in it (django-extensions `reset_schema`)"
            }
            Some("migrate") if values.iter().any(|v| v == "zero") => {
                "unapplies every migration of the app, dropping its tables"
            }
            _ => continue,
        };
        out.push(drops(src, &call, effect.to_owned()));
    }
}

fn go(src: &Source, out: &mut Vec<Hit>) {
    for (name, effect) in [
        ("DropTable", "drops the tables it is given, with every row"),
        (
            "DropColumn",
            "drops the column it names, with its data in every row",
        ),
    ] {
        for call in src.calls(name, Before::Dot) {
            if src
                .receiver(call.start)
                .iter()
                .any(|s| s.name == "Migrator")
            {
                out.push(drops(src, &call, effect.to_owned()));
            }
        }
    }
    for (name, what) in [("WithDropColumn", "columns"), ("WithDropIndex", "indexes")] {
        for call in src.calls(name, Before::Any) {
            if src.first_value(&call).as_deref() == Some("true") {
                let effect = format!("makes Ent's automatic migration drop the {what} the schema no longer declares, with their data, every time it runs");
                out.push(resets(src, &call, SCHEMA_RESET.severity, effect));
            }
        }
    }
}

fn php(src: &Source, out: &mut Vec<Hit>) {
    for name in ["call", "callSilent", "callSilently", "queue"] {
        for call in src.calls(name, Before::Dot) {
            let effect = match src.first_value(&call).as_deref().map(str::trim) {
                Some("migrate:fresh") => "drops every table and runs all migrations again on an empty database",
                Some("migrate:refresh") => "rolls back every migration (running their `down` methods, which drop tables) and runs them again",
                Some("migrate:reset") => "rolls back every migration, running their `down` methods, which drop tables",
                Some("db:wipe") => "drops every table, view and type of the database",
                _ => continue,
            };
            out.push(drops(src, &call, effect.to_owned()));
        }
    }
    for call in src.calls("dropAllTables", Before::Dot) {
        out.push(drops(
            src,
            &call,
            "drops every table of the database".to_owned(),
        ));
    }
}

fn ruby(src: &Source, out: &mut Vec<Hit>) {
    for call in src.calls("create_table", Before::Any) {
        let args = src.args(&call);
        let force = src.arg(&args, "force", usize::MAX).map(|a| src.value(a));
        if matches!(force.as_deref(), Some("cascade" | "true")) {
            let table = src.first_value(&call).unwrap_or_else(|| "?".to_owned());
            out.push(drops(src, &call, format!("drops the table {table} (and, with `force: :cascade`, what references it) and creates it again, empty")));
        }
    }
    for call in src.calls("drop_table", Before::Dot) {
        let table = src.first_value(&call).unwrap_or_else(|| "?".to_owned());
        out.push(drops(
            src,
            &call,
            format!("drops the table {table} with every row"),
        ));
    }
    let tasks = [
        "db:drop",
        "db:reset",
        "db:purge",
        "db:schema:load",
        "db:drop:all",
        "db:migrate:reset",
        "db:truncate_all",
    ];
    for lit in src.literals_in(0..src.code.len()) {
        let value = &src.text[lit.content.clone()];
        let before = std::str::from_utf8(&src.code[..lit.anchor])
            .unwrap_or("")
            .trim_end();
        if tasks.contains(&value) && before.ends_with("Task[") {
            let line = src.line_of(lit.anchor);
            out.push(Hit {
                key: format!("rake:{value}"),
                shown: format!("Rake::Task['{value}']"),
                line,
                end_line: line,
                does: Does::Destroys {
                    rule: &APP_DROPS_DATA,
                    severity: APP_DROPS_DATA.severity,
                    effect: format!("runs `{value}`, which deletes the database's data"),
                    safer: NO_RESET,
                },
                when: guard::enclosing(src, lit.anchor).map_or(When::Always, When::DevOnly),
            });
        }
    }
}

/// Hibernate and JPA schema settings given in code: a key literal
/// (`"hibernate.hbm2ddl.auto"`) or constant (`AvailableSettings.HBM2DDL_AUTO`) followed,
/// within the same statement, by a value literal.
fn settings_in_code(src: &Source, out: &mut Vec<Hit>) {
    let literals: Vec<_> = src.literals_in(0..src.code.len()).collect();
    let mut keys: Vec<(usize, usize, String)> = Vec::new();
    for lit in &literals {
        let written = &src.text[lit.content.clone()];
        if written.len() < 80
            && Known::of(&SettingKey::new(written), false).is_some_and(|k| {
                k != Known::SqlInitMode
                    && k != Known::TypeOrmSynchronize
                    && k != Known::TypeOrmDropSchema
            })
        {
            keys.push((lit.anchor, lit.end, written.to_owned()));
        }
    }
    for constant in [
        "HBM2DDL_AUTO",
        "JAKARTA_HBM2DDL_DATABASE_ACTION",
        "HBM2DDL_DATABASE_ACTION",
    ] {
        let needle = constant.as_bytes();
        let mut from = 0;
        while let Some(p) = src.code[from..]
            .windows(needle.len())
            .position(|w| w == needle)
        {
            let at = from + p;
            from = at + needle.len();
            if src.code.get(from).copied().is_some_and(is_ident) {
                continue;
            }
            let key = if constant == "HBM2DDL_AUTO" {
                "hibernate.hbm2ddl.auto"
            } else {
                "jakarta.persistence.schema-generation.database.action"
            };
            keys.push((at, from, key.to_owned()));
        }
    }
    for (at, end, key) in keys {
        let Some(value) = literals.iter().find(|l| l.anchor >= end) else {
            continue;
        };
        let between = &src.code[end..value.anchor];
        if between.len() > 120
            || between.contains(&b';')
            || between.iter().filter(|b| **b == b'\n').count() > 2
        {
            continue;
        }
        let setting = SettingKey::new(&key);
        let Some(known) = Known::of(&setting, false) else {
            continue;
        };
        let written = &src.text[value.content.clone()];
        if known.destroys(written) != Some(true) {
            continue;
        }
        out.push(Hit {
            key: format!("setting:{key}={written}"),
            shown: format!("{key} = \"{written}\""),
            line: src.line_of(at),
            end_line: src.line_of(value.end),
            does: Does::Destroys {
                rule: &SCHEMA_RESET,
                severity: SCHEMA_RESET.severity,
                effect: super::setting_effect(known, written),
                safer: super::setting_safer(known),
            },
            when: guard::enclosing(src, at).map_or(When::Always, When::DevOnly),
        });
    }
}

/// `text` on one line, at most 60 characters.
fn flat(text: &str) -> String {
    let one: String = text.split_whitespace().collect::<Vec<_>>().join(" ");
    if one.chars().count() <= 60 {
        one
    } else {
        format!("{}…", one.chars().take(57).collect::<String>())
    }
}
