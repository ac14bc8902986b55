//! appdata: application code and configuration that wipe a database when the application
//! is deployed or started. A schema-sync or reset mode turned on to make a failing app
//! start (`spring.jpa.hibernate.ddl-auto: create`, TypeORM's `synchronize: true`,
//! `sequelize.sync({ force: true })`) or a reset call left in startup code
//! (`db.drop_all()`, `Database.EnsureDeleted()`, `Artisan::call('migrate:fresh')`) destroys
//! production data on the next start, without any migration file to review.
//!
//! It owns telling such files apart (a cheap byte-level precheck in [`recognises`], so
//! ordinary source files cost one scan of their bytes), deciding where they run
//! ([`scope`]: tests are skipped, development profiles rank low), reading settings files
//! ([`settings`]) and code ([`code`], with the orm analyzer's lexer and scanner), and
//! development guards ([`guard`]). As everywhere, only what the head adds is reported: a
//! setting or call the base already had, moved or reformatted, stays quiet. SQL run
//! through Prisma's raw queries goes to the sql analyzer's statement checker, as the orm
//! analyzer's does, so it keeps the `sql/*` ids.
//!
//! It must not read migrations (the orm analyzer's) or shell commands (the commands
//! analyzer's `rails db:reset`, `prisma migrate reset`).

mod code;
mod guard;
pub(crate) mod scope;
mod settings;
#[cfg(test)]
mod tests;

use crate::analyze::orm::{self, Call, Effect};
use crate::analyze::{unparseable_finding, FileView, Unparseable};
use crate::change::{Content, RepoPath, Side};
use crate::finding::{Finding, RuleId, Severity, Tag};
use crate::rules::Rule;
use guard::When;
use regex::bytes::Regex;
use scope::Scope;
use settings::{Format, Known, Setting};
use std::sync::LazyLock;

pub const SCHEMA_RESET: Rule = Rule {
    id: RuleId("orm/schema-reset-on-start"),
    severity: Severity::High,
    tags: &[Tag::Destructive],
    summary: "Application config or startup code turns on a mode that makes the ORM drop or rewrite the schema whenever the application starts: Hibernate `ddl-auto`/`hbm2ddl.auto` `create`/`create-drop`/`drop` or JPA `drop-and-create`, `spring.sql.init.mode: always` with a script that drops, TypeORM `synchronize`/`dropSchema` (also `TYPEORM_SYNCHRONIZE`), Sequelize `sync({ force })` (medium: `alter`), Ent `WithDropColumn(true)`. Low in a development profile, behind a development guard or on an in-memory database, medium when it depends on a value twokey cannot see; test code and test profiles are not reviewed.",
    why: "These modes exist for prototypes: on every start they drop the tables and create them empty (`create`, `force`, `dropSchema`), or alter them to match the code, dropping any column the code no longer declares (`synchronize`, `alter`). Turned on to make a failing app start, they wipe production data at the next deploy, and no migration file shows it.",
    example: "  jpa:\n    hibernate:\n-     ddl-auto: validate\n+     ddl-auto: create",
    safer: "Keep `ddl-auto: validate` (or `none`), `synchronize: false`, `sync()` without `force`/`alter`, and change the schema through versioned migrations (Flyway, Liquibase, TypeORM or Sequelize migrations) that are reviewed and run once. Put reset modes only in test profiles.",
};

pub const APP_DROPS_DATA: Rule = Rule {
    id: RuleId("orm/app-drops-data"),
    severity: Severity::High,
    tags: &[Tag::Destructive],
    summary: "Application code (not a migration or a test) drops tables or wipes the database through its ORM or framework: SQLAlchemy/Flask `drop_all`, Django `call_command('flush' | 'reset_db')`, Peewee `drop_tables`, GORM `Migrator().DropTable`, EF Core `EnsureDeleted`, Mongo `dropDatabase`/`collection(…).drop()`, Sequelize `drop()`, MikroORM `dropSchema`/`refreshDatabase`, Laravel `Artisan::call('migrate:fresh' | 'db:wipe')`, Rails `create_table … force:` in seeds or `Rake::Task['db:reset']`. Low behind a development guard.",
    why: "A reset written into startup code, a seed or a request handler runs wherever the application runs, production included, every time that path is taken; nothing in the change looks like a migration, so it is easy to approve as a fix.",
    example: "  with app.app_context():\n+     db.drop_all()\n      db.create_all()",
    safer: "Keep database resets out of application code: run them by hand against a development database or in test setup, and change production schemas through versioned migrations.",
};

pub const RULES: &[&Rule] = &[&SCHEMA_RESET, &APP_DROPS_DATA];

/// The names that can make a file worth reading: settings keys (any case and spelling)
/// and the destructive calls `code` reads. One pass over the bytes, so an ordinary source
/// file costs a scan, never a lex.
static NEEDLES: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(concat!(
        r"(?i:ddl[-_]?auto|hbm2ddl|schema[-_.]generation[-_.]database|database[-_.]generation",
        r"|synchronize|drop[-_]?schema|sql[-_.]init[-_.]mode|initiali[sz]ation[-_]?mode",
        r"|drop[-_]?first|clean[-_]?on[-_]?validation[-_]?error)",
        r"|drop_all|drop_tables|_drop_databases|drop_database|drop_collection|dropDatabase",
        r"|dropCollection|dropAllCollections|refreshDatabase|\.sync\(\s*\{|\.drop\(\s*\)",
        r"|sequelize\.drop\(|call_command|DropTable|DropColumn|WithDrop|EnsureDeleted",
        r"|migrate:(?:fresh|refresh|reset)|db:wipe|dropAllTables|force:\s*(?::cascade|true)",
        r"|\$executeRaw|\$queryRaw|Rake::Task|\.drop_table",
    ))
    .expect("the needle pattern is valid")
});

/// How a file is read, by its name.
enum Reader {
    Settings(Format),
    Code(code::Language),
}

fn reader(path: &RepoPath) -> Option<Reader> {
    let name = path.file_name();
    if let Some(format) = Format::of(name) {
        return Some(Reader::Settings(format));
    }
    let ext = path.extension()?;
    // Ruby resets live in seeds, initializers and Rake tasks; the models, controllers and
    // views of a large Rails app are not worth a read each.
    if ext == "rb" {
        let lower = path.as_str().to_ascii_lowercase();
        let place = ["db/", "config/", "lib/tasks/"]
            .iter()
            .any(|d| lower.starts_with(d) || lower.contains(&format!("/{d}")));
        if !place {
            return None;
        }
    }
    code::Language::of(&ext).map(Reader::Code)
}

/// Whether classifying `path` needs its content: a settings file or source file this
/// analyzer could read.
pub(crate) fn wants_content(path: &RepoPath) -> bool {
    reader(path).is_some()
}

/// Whether a file is application code or config this analyzer reads: a readable kind, not
/// a test, and naming one of the settings or calls it knows.
pub(crate) fn recognises(path: &RepoPath, text: &str) -> bool {
    if text.is_empty() || reader(path).is_none() {
        return false;
    }
    // A generated schema dump (`db/schema.rb`) is loaded only by `db:schema:load`, which
    // the commands analyzer judges; its `force: :cascade` is how every table is written.
    let name = path.file_name();
    if name.ends_with("schema.rb") {
        return false;
    }
    NEEDLES.is_match(text.as_bytes()) && Scope::of_path(path.as_str()) != Scope::Test
}

/// What a Hibernate/JPA/TypeORM setting's value makes the ORM do, completing "… makes".
pub(crate) fn setting_effect(known: Known, value: &str) -> String {
    let v = value.to_ascii_lowercase();
    match known {
        Known::HibernateDdl if v.contains("create-drop") || v.contains("create_drop") => "Hibernate drop every mapped table and create it again, empty, each time the application starts, and drop them all again when it stops".to_owned(),
        Known::HibernateDdl if v.trim().ends_with("drop") || v.contains(":drop}") => "Hibernate drop every mapped table when the application starts".to_owned(),
        Known::HibernateDdl => "Hibernate drop every mapped table and create it again, empty, each time the application starts".to_owned(),
        Known::JpaAction => "the JPA provider drop every table of the persistence unit (and create them again, empty) each time the application starts".to_owned(),
        Known::SqlInitMode => "Spring run its SQL init scripts against the configured database, not only an embedded one, at every start".to_owned(),
        Known::TypeOrmSynchronize => "TypeORM alter the tables to match the entities every time the data source initialises: a column or table no entity declares any more (a renamed or removed property) is dropped with its data".to_owned(),
        Known::TypeOrmDropSchema => "TypeORM drop every table of the schema each time the data source initialises, so every start begins with an empty database".to_owned(),
        Known::LiquibaseDropFirst => "Liquibase drop every object of the database's schema, data included, before it applies the changelog at each start".to_owned(),
        Known::FlywayCleanOnError => "Flyway clean the schema (drop every table, view and function in it) whenever a migration fails validation at start; an edited, already-applied migration is enough".to_owned(),
    }
}

/// The safe value for a setting.
pub(crate) fn setting_safer(known: Known) -> &'static str {
    match known {
        Known::HibernateDdl => "Keep `validate` (or `none`) and change the schema through versioned migrations (Flyway, Liquibase); use `create-drop` only in a test profile.",
        Known::JpaAction => "Keep `none` (or Hibernate's `validate`) and change the schema through versioned migrations (Flyway, Liquibase).",
        Known::SqlInitMode => "Keep `spring.sql.init.mode: embedded` (the default), or move the script into a versioned migration (Flyway, Liquibase) that runs once.",
        Known::TypeOrmSynchronize | Known::TypeOrmDropSchema => "Set `synchronize: false` (and `dropSchema: false`) and change the schema through TypeORM migrations (`typeorm migration:generate`, `migration:run`), reviewed and run once.",
        Known::LiquibaseDropFirst => "Keep `drop-first: false` and let the changelog change the schema; drop objects in reviewed changeSets.",
        Known::FlywayCleanOnError => "Keep `clean-on-validation-error: false` and `clean-disabled: true`; fix a failed validation with `flyway repair` or a new migration.",
    }
}

/// Reports the destructive settings and calls the head adds to application code or config.
pub fn analyze(view: &FileView) -> Vec<Finding> {
    let Some(head) = view.new_text() else {
        // A deleted file runs nothing.
        return Vec::new();
    };
    let path = view.path();
    let file_scope = Scope::of_path(path.as_str());
    let Some(reader) = reader(path).filter(|_| file_scope != Scope::Test) else {
        return Vec::new();
    };
    let typeorm = path
        .file_name()
        .to_ascii_lowercase()
        .starts_with("ormconfig");
    let read = |side: Side, text: &str| -> Result<Vec<Call>, Unparseable> {
        Ok(match &reader {
            Reader::Settings(format) => settings::read(*format, side, text, file_scope, typeorm)?
                .into_iter()
                .filter_map(|s| setting_call(view, side, &s, typeorm))
                .collect(),
            Reader::Code(language) => code::scan(*language, text)
                .into_iter()
                .filter_map(|hit| code_call(hit, file_scope))
                .collect(),
        })
    };
    let head_calls = match read(Side::Head, head) {
        Ok(calls) => calls,
        // Fail closed: a settings file naming a schema mode that twokey cannot read may
        // turn it on.
        Err(failure) => {
            let mut f = unparseable_finding(&SCHEMA_RESET, view, &failure);
            f.severity = Severity::Medium;
            f.message.push_str(" It names a schema-generation or sync setting (`ddl-auto`, `hbm2ddl`, `synchronize`…), which could drop the database's tables at the next start.");
            return vec![f];
        }
    };
    if head_calls.is_empty() {
        return Vec::new();
    }
    // A base twokey cannot read counts as having none of them: everything is new.
    let base_calls = view
        .old_text()
        .and_then(|text| read(Side::Base, text).ok())
        .unwrap_or_default();
    orm::added(view, &base_calls, &head_calls)
        .into_iter()
        .flat_map(|call| orm::findings(view, call))
        .collect()
}

/// Settings in a Kubernetes manifest or Helm chart (a container's `env:`): the
/// environment-variable spellings only (`SPRING_JPA_HIBERNATE_DDL_AUTO`,
/// `TYPEORM_SYNCHRONIZE`). A manifest that does not parse is the kubernetes analyzer's to
/// report.
pub fn analyze_manifest(view: &FileView) -> Vec<Finding> {
    let Some(head) = view.new_text() else {
        return Vec::new();
    };
    if !NEEDLES.is_match(head.as_bytes()) || Scope::of_path(view.path().as_str()) == Scope::Test {
        return Vec::new();
    }
    let scope = Scope::of_path(view.path().as_str());
    let read = |side: Side, text: &str| -> Vec<Call> {
        settings::read(Format::Tree, side, text, scope, false)
            .unwrap_or_default()
            .into_iter()
            .filter_map(|s| setting_call(view, side, &s, false))
            .collect()
    };
    let head_calls = read(Side::Head, head);
    if head_calls.is_empty() {
        return Vec::new();
    }
    let base_calls = view
        .old_text()
        .map(|t| read(Side::Base, t))
        .unwrap_or_default();
    orm::added(view, &base_calls, &head_calls)
        .into_iter()
        .flat_map(|call| orm::findings(view, call))
        .collect()
}

/// A destructive setting as a call the orm diff machinery compares: keyed by what it sets
/// (the document's profile, the setting, how it applies), not by its exact value, so
/// `create` becoming `create-drop` is no new reset.
fn setting_call(view: &FileView, side: Side, s: &Setting, typeorm: bool) -> Option<Call> {
    // A test profile's document (`on-profile: test`) runs against a throwaway database.
    if s.scope == Scope::Test {
        return None;
    }
    let known = Known::of(&s.key, typeorm)?;
    let value = s.value.trim();
    let mut when = match known.destroys(value) {
        Some(true) => When::Always,
        Some(false) => return None,
        None => When::Depends(value.to_owned()),
    };
    let mut effect = setting_effect(known, value);
    if known == Known::SqlInitMode {
        let script = init_script_drops(view, side)?;
        effect.push_str(&format!(", and {script}"));
    }
    let mut severity = SCHEMA_RESET.severity;
    let mut notes = Vec::new();
    if s.scope == Scope::Dev {
        severity = Severity::Low;
        notes.push("It is set for a development profile only, so it ranks low; make sure that profile never runs against a shared database.".to_owned());
    } else if s.in_memory {
        severity = Severity::Low;
        notes.push("The same configuration points at an in-memory database, which starts empty anyway, so it ranks low.".to_owned());
    } else if let When::Depends(v) = &when {
        severity = Severity::Medium;
        notes.push(format!(
            "Its value comes from `{v}`, which twokey cannot see; check what it is in production."
        ));
    } else if s.scope == Scope::Prod {
        notes.push("It is in the production profile.".to_owned());
    }
    if s.scope == Scope::Dev {
        when = When::DevOnly(String::new());
    }
    let class = match when {
        When::Always => "always",
        When::DevOnly(_) => "dev",
        When::Depends(_) => "depends",
    };
    let message = format!(
        "`{}: {}` makes {effect}. {}{}",
        s.key.shown(),
        value,
        notes.iter().map(|n| format!("{n} ")).collect::<String>(),
        setting_safer(known)
    );
    Some(Call {
        key: format!("{:?}|{known:?}|{}|{class}", s.scope, s.key.relaxed_text()),
        line: s.line,
        end_line: s.line,
        effect: Effect::Finding {
            rule: &SCHEMA_RESET,
            severity,
            message,
        },
    })
}

/// What Spring's SQL init scripts beside an `application.*` file destroy (`schema.sql`,
/// `data.sql` in the same directory), as "… `schema.sql` runs DROP TABLE orders"; `None`
/// when they destroy nothing or do not exist. A script that cannot be read is reported as
/// such: it may hold anything.
fn init_script_drops(view: &FileView, side: Side) -> Option<String> {
    let path = view.path_on(side).as_str();
    let dir = path.rsplit_once('/').map_or("", |(d, _)| d);
    for name in ["schema.sql", "data.sql"] {
        let script = if dir.is_empty() {
            name.to_owned()
        } else {
            format!("{dir}/{name}")
        };
        match view.snapshot.read(side, &RepoPath::new(&script)) {
            Content::Text(text) => {
                if let Some(statement) = destructive_statement(&text) {
                    return Some(format!("`{script}` runs `{statement}`"));
                }
            }
            Content::Absent => {}
            _ => {
                return Some(format!(
                    "`{script}` could not be read, so what it runs is unknown"
                ))
            }
        }
    }
    None
}

/// The first statement of a SQL script that drops, truncates or deletes (comments aside).
fn destructive_statement(sql: &str) -> Option<String> {
    sql.lines()
        .map(|l| l.split("--").next().unwrap_or("").trim())
        .find(|l| {
            let upper = l.to_ascii_uppercase();
            [
                "DROP TABLE",
                "DROP SCHEMA",
                "DROP DATABASE",
                "TRUNCATE",
                "DELETE FROM",
            ]
            .iter()
            .any(|k| upper.starts_with(k))
        })
        .map(|l| {
            let l = l.trim_end_matches(';');
            if l.chars().count() > 60 {
                format!("{}…", l.chars().take(57).collect::<String>())
            } else {
                l.to_owned()
            }
        })
}

/// A code hit as a call the orm diff machinery compares, ranked by where it runs.
fn code_call(hit: code::Hit, scope: Scope) -> Option<Call> {
    let effect = match hit.does {
        code::Does::RunsSql(arg) => orm::sql_effect(&format!("`{}`", hit.shown), arg),
        code::Does::Destroys {
            rule,
            severity,
            effect,
            safer,
        } => {
            let (severity, note) = match (&hit.when, scope) {
                (When::DevOnly(cond), _) if !cond.is_empty() => (Severity::Low, format!("It only runs when `{}`, so it ranks low. ", guard::shown(cond))),
                (_, Scope::Dev) => (Severity::Low, "It is in development-only code, so it ranks low. ".to_owned()),
                (When::Depends(v), _) => (severity.min(Severity::Medium), format!("Whether it is on depends on `{v}`, which twokey cannot see; check its value in production. ")),
                _ => (severity, String::new()),
            };
            Effect::Finding {
                rule,
                severity,
                message: format!("`{}` {effect}. {note}{safer}", hit.shown),
            }
        }
    };
    Some(Call {
        key: hit.key,
        line: hit.line,
        end_line: hit.end_line,
        effect,
    })
}
