//! orm analyzer: destructive operations that a change adds to ORM and schema-tool migrations
//! (Django, Rails, Alembic, Laravel, Knex, Sequelize, TypeORM, Ecto, EF Core, Flyway's Java and
//! Kotlin migrations, Prisma schemas,
//! Liquibase changelogs). It owns recognising the
//! frameworks' stereotyped calls; what a SQL statement destroys stays the sql analyzer's
//! business, and findings reuse the sql rule ids (`sql/drop-table`, `sql/drop-column`, …)
//! so that policies and allow-lists treat `DROP TABLE` and `migrations.DeleteModel` alike.
//!
//! Django, Rails and Alembic migrations are Python and Ruby programs, and Laravel, Knex,
//! Sequelize, TypeORM, EF Core, Ecto and Flyway ones are PHP, JavaScript/TypeScript, C#, Elixir
//! and Java or Kotlin.
//! There is no maintained Rust parser for these that builds lean here, and migration code is
//! stereotyped: the destructive operations are a dozen well-known calls per framework. So
//! `lex` tells code from comments and strings per language and `scan` reads the calls at
//! token level
//! (comments and string contents blanked, brackets balanced, string literals read back),
//! not with regexes over raw lines, and not with a full parser. Each side yields a multiset
//! of calls keyed by their whitespace-free text; a call is new when the head has more copies
//! than the base, and it is located on its head line (as the commands analyzer does).
//! Rollback code does not run forward: Rails `def down`/`revert`/`dir.down`, Alembic
//! `def downgrade()` and the `down` functions `rollback` finds are skipped. SQL passed to
//! `RunSQL`, `execute`, `op.execute`, `DB::statement`, `knex.raw`, `queryRunner.query`,
//! `migrationBuilder.Sql`, Ecto's `repo().query!`, a Flyway Java migration's `execute` or a Liquibase `sql` change goes through the sql analyzer's
//! statement checker; SQL the scanner cannot see (a variable, an interpolated string) needs
//! a human.
//!
//! A column builder re-applied to an existing column (Laravel's `->change()`, Knex's
//! `.alter()`) is read by `redefine`; Ecto's `modify … from:` types are mapped to SQL by
//! `ecto_types`, as Alembic's are by `sa_types`.
//!
//! Prisma schemas are declarative and compared structurally (models and fields by their
//! table and column names), as are Atlas HCL schemas (`atlas`) and Drizzle table
//! declarations (`drizzle`), both through `declared`. Liquibase changelogs are compared changeSet by changeSet
//! (id + author), in YAML, JSON or XML (quick-xml). Flyway's SQL migrations are plain SQL files and belong to the sql
//! analyzer; its Java and Kotlin ones are read by `flyway` for the SQL strings they execute.

mod alembic;
mod atlas;
mod declared;
pub(crate) mod django;
mod django_fields;
mod drizzle;
mod ecto;
mod ecto_bulk;
mod ecto_types;
mod efcore;
mod flyway;
mod jooq;
mod knex;
mod laravel;
pub(crate) mod lex;
mod liquibase;
pub(crate) mod liquibase_rerun;
mod liquibase_xml;
mod prisma;
mod rails;
mod redefine;
mod rollback;
mod sa_types;
pub(crate) mod scan;
mod sequelize;
mod typeorm;

use super::FileView;
use crate::analyze::sql;
use crate::change::Side;
use crate::finding::{Finding, Severity, Tag};
use crate::rules::Rule;

/// The frameworks this analyzer knows, told apart by path (and content where paths overlap).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Framework {
    Django,
    Rails,
    Alembic,
    Prisma,
    Liquibase,
    Laravel,
    Knex,
    Sequelize,
    TypeOrm,
    Ecto,
    EfCore,
    /// Flyway's Java and Kotlin migrations (`V3__Drop.java`).
    Flyway,
    /// Atlas HCL schemas, applied declaratively by `atlas schema apply`.
    Atlas,
    /// Drizzle ORM table declarations, applied by `drizzle-kit push`/`generate`.
    Drizzle,
}

impl Framework {
    pub fn detect(path: &str, text: &str) -> Option<Framework> {
        let lower = path.to_ascii_lowercase();
        let ext = lower.rsplit_once('.').map_or("", |(_, e)| e);
        if ext == "hcl" {
            let name = lower.rsplit('/').next().unwrap_or(&lower);
            return (atlas::is_schema_name(name) || atlas::looks_like_schema(text))
                .then_some(Framework::Atlas);
        }
        match ext {
            "prisma" => Some(Framework::Prisma),
            "rb" => Some(Framework::Rails),
            "yml" | "yaml" | "json" | "xml" if text.contains("databaseChangeLog") => {
                Some(Framework::Liquibase)
            }
            "py" => {
                let versions = lower.starts_with("versions/") || lower.contains("/versions/");
                if versions || text.contains("def upgrade(") {
                    Some(Framework::Alembic)
                } else {
                    Some(Framework::Django)
                }
            }
            "php" => Some(Framework::Laravel),
            "exs" | "ex" => Some(Framework::Ecto),
            "cs" => Some(Framework::EfCore),
            "java" | "kt" => Some(Framework::Flyway),
            // The three JavaScript tools share directories; their migrations say who they
            // are through the interface or the object they are handed.
            "js" | "ts" | "mjs" | "cjs" | "mts" | "cts" => {
                Some(if drizzle::declares_tables(text) {
                    Framework::Drizzle
                } else if text.contains("MigrationInterface") || text.contains("queryRunner") {
                    Framework::TypeOrm
                } else if [
                    "queryInterface",
                    "Sequelize",
                    ".removeColumn(",
                    ".bulkDelete(",
                ]
                .iter()
                .any(|signal| text.contains(signal))
                {
                    Framework::Sequelize
                } else {
                    Framework::Knex
                })
            }
            _ => None,
        }
    }
}

/// A destructive operation found on one side of a migration written as code.
#[derive(Debug, Clone)]
pub(crate) struct Call {
    /// What makes two calls the same across sides: the call's whitespace-free text.
    pub key: String,
    pub line: u32,
    pub end_line: u32,
    pub effect: Effect,
}

impl Call {
    /// A scanned call with what it does.
    fn found(src: &scan::Source, call: &scan::RawCall, effect: Effect) -> Call {
        Call {
            key: src.key(call),
            line: call.line,
            end_line: call.end_line,
            effect,
        }
    }
}

#[derive(Debug, Clone)]
pub(crate) enum Effect {
    /// A finding, ready but for its location.
    Finding {
        rule: &'static Rule,
        severity: Severity,
        message: String,
    },
    /// SQL the migration runs: `what` names the call (`migrations.RunSQL`).
    Sql { what: String, text: String },
    /// SQL built at run time from a string with interpolations (`${table}`, `#{t}`): read
    /// like [`Effect::Sql`], and when that finds nothing, still a human's to review, since
    /// the interpolated values may be anything.
    BuiltSql { what: String, text: String },
}

impl Effect {
    pub fn finding(rule: &'static Rule, message: String) -> Effect {
        Effect::Finding {
            rule,
            severity: rule.severity,
            message,
        }
    }
    pub fn medium(rule: &'static Rule, message: String) -> Effect {
        Effect::Finding {
            rule,
            severity: Severity::Medium,
            message,
        }
    }
}

/// The declarative schema tool (Atlas, Drizzle) a file belongs to, by the side that exists
/// (the base, for a deleted file).
pub(crate) fn declarative_schema(view: &FileView) -> Option<Framework> {
    // Either side: a head that lost its last table no longer looks like a schema.
    [view.new_text(), view.old_text()]
        .into_iter()
        .flatten()
        .filter_map(|text| Framework::detect(view.path().as_str(), text))
        .find(|f| matches!(f, Framework::Atlas | Framework::Drizzle))
}

/// Whether a `.hcl` file is an Atlas schema rather than Terragrunt configuration: by its
/// name, else (`content` given) by a `table` block referencing a schema.
pub(crate) fn is_atlas_schema(name: &str, content: Option<&str>) -> bool {
    atlas::is_schema_name(name) || content.is_some_and(atlas::looks_like_schema)
}

/// Whether a JavaScript/TypeScript file declares Drizzle tables (a substring check).
pub(crate) fn is_drizzle_schema(text: &str) -> bool {
    drizzle::declares_tables(text)
}

/// Reports the destructive operations the head side adds.
pub fn analyze(view: &FileView) -> Vec<Finding> {
    // Declarative schemas are compared side by side, deletions included: deleting one drops
    // what it declared.
    match declarative_schema(view) {
        Some(Framework::Atlas) => return atlas::analyze(view),
        Some(Framework::Drizzle) => return drizzle::analyze(view),
        _ => {}
    }
    let Some(head) = view.new_text() else {
        // A deleted migration runs nothing; deleting files is the files analyzer's business.
        return Vec::new();
    };
    let Some(framework) = Framework::detect(view.path().as_str(), head) else {
        return Vec::new();
    };
    let base = view.old_text();
    match framework {
        Framework::Prisma => return prisma::analyze(view, base.unwrap_or(""), head),
        Framework::Liquibase => return liquibase::analyze(view, base, head),
        _ => {}
    }
    let scan = |text: &str| match framework {
        Framework::Django => django::calls(text),
        Framework::Rails => rails::calls(text),
        Framework::Laravel => laravel::calls(text),
        Framework::Knex => knex::calls(text),
        Framework::Sequelize => sequelize::calls(text),
        Framework::TypeOrm => typeorm::calls(text),
        Framework::Ecto => ecto::calls(text),
        Framework::EfCore => efcore::calls(text),
        Framework::Flyway => flyway::calls(view.path().file_name(), text),
        _ => alembic::calls(text),
    };
    let head_calls = scan(head);
    if head_calls.is_empty() {
        return Vec::new();
    }
    // A Flyway repeatable migration (`R__…`) runs again whole whenever it changes.
    let reruns = framework == Framework::Flyway && view.path().file_name().starts_with("R__");
    let base_calls = base.filter(|_| !reruns).map(scan).unwrap_or_default();
    let mut found: Vec<Finding> = added(view, &base_calls, &head_calls)
        .into_iter()
        .flat_map(|call| findings(view, call))
        .collect();
    if framework == Framework::Django {
        let altered = |f: &Finding| {
            f.rule == sql::COLUMN_TYPE_NARROWED.id && f.message.starts_with("migrations.AlterField")
        };
        if found.iter().any(altered) {
            // Judged against the field's earlier definition, the generic "may narrow" finding
            // becomes what the change does: nothing, a narrowing, a NOT NULL or a rename.
            let judged = django_fields::judge_alters(view, head);
            found = found
                .into_iter()
                .flat_map(|f| {
                    let placed = f
                        .location
                        .line
                        .filter(|_| altered(&f))
                        .and_then(|l| judged.get(&l));
                    match placed {
                        Some(judged) => django_fields::findings(&f, judged),
                        None => vec![f],
                    }
                })
                .collect();
        }
    }
    if framework == Framework::Django && django::is_squashed(head) {
        let dir = view.path_on(crate::change::Side::Head).dir().to_owned();
        let settled = django::replaces_only_existing(view, &dir, head);
        for f in found
            .iter_mut()
            .filter(|f| f.tags.contains(&Tag::Destructive))
        {
            f.severity = Severity::Low;
            f.message.push_str(" This is a squashed migration (`replaces`): Django runs it only on databases where none of the migrations it replaces ran, and marks it applied elsewhere, so it repeats what those migrations already did.");
            if settled {
                // Every replaced migration predates this change: the drop already ran
                // wherever there is data, so it raises no bar of its own.
                f.tags.retain(|t| *t != Tag::Destructive);
                f.message.push_str(" Every migration it replaces was already in the repository, so it destroys nothing that they did not.");
            }
        }
    }
    found
}

/// The head calls that outnumber their copies on the base. When a call appears more often
/// than before, the copies on changed lines are taken to be the new ones.
pub(crate) fn added<'c>(view: &FileView, base: &[Call], head: &'c [Call]) -> Vec<&'c Call> {
    let new = crate::analyze::fresh::new_copies(
        view.hunks(),
        base.iter().map(|c| c.key.as_str()),
        head.iter().map(|c| (c.key.as_str(), c.line)),
    );
    let mut out: Vec<&Call> = new.into_iter().map(|i| &head[i]).collect();
    out.sort_by_key(|c| c.line);
    out
}

pub(crate) fn findings(view: &FileView, call: &Call) -> Vec<Finding> {
    let at = view.at(Side::Head, call.line, call.end_line);
    match &call.effect {
        Effect::Finding {
            rule,
            severity,
            message,
        } => vec![Finding::new(rule, at, message.clone()).with_severity(*severity)],
        Effect::Sql { what, text } => embedded_sql(view, what, text, &|_, _| at.clone()),
        Effect::BuiltSql { what, text } => {
            let found = embedded_sql(view, what, text, &|_, _| at.clone());
            if !found.is_empty() || only_values_interpolated(text) {
                return found;
            }
            vec![Finding::new(
                &sql::UNPARSEABLE,
                at,
                format!(
                    "{what} runs SQL built from interpolated values ({}), so twokey cannot tell what it runs; a human must review it.",
                    excerpt(text)
                ),
            )]
        }
    }
}

/// Whether every interpolation in built SQL sits inside a quoted SQL value (`ADD VALUE
/// '{value}'`, `WHERE id = '${id}'`): the value then chooses a label or rows, never the
/// statement, its table or its clauses, so the statement read is the one that runs. Any
/// interpolation mark outside a quoted value (`{`, `$`, `#`, `%`) leaves it to a human.
fn only_values_interpolated(text: &str) -> bool {
    use sqlparser::dialect::PostgreSqlDialect;
    use sqlparser::tokenizer::{Token, Tokenizer};
    let Ok(tokens) = Tokenizer::new(&PostgreSqlDialect {}, text).tokenize() else {
        return false;
    };
    tokens.iter().all(|token| match token {
        Token::SingleQuotedString(_)
        | Token::EscapedStringLiteral(_)
        | Token::NationalStringLiteral(_) => true,
        other => !other.to_string().contains(['{', '}', '$', '#', '%']),
    })
}

/// The effect of a call that runs the SQL in `arg`: the statements of a literal, the
/// interpolated text of a built string, or, when no literal is given at all (a variable, a
/// function's result), a human's review: twokey cannot see what runs.
pub(crate) fn raw_sql(src: &scan::Source, what: &str, arg: Option<&scan::Arg>) -> Option<Effect> {
    let arg = arg?;
    Some(sql_effect(what, src.sql_arg(arg.value.clone())))
}

/// The effect of running the SQL a scanner read as `arg` (see [`raw_sql`]).
pub(crate) fn sql_effect(what: &str, arg: scan::SqlArg) -> Effect {
    match arg {
        scan::SqlArg::Literal(text) => Effect::Sql {
            what: what.to_owned(),
            text,
        },
        scan::SqlArg::Interpolated(text) => Effect::BuiltSql {
            what: what.to_owned(),
            text,
        },
        scan::SqlArg::Code(code) => Effect::finding(
            &sql::UNPARSEABLE,
            format!(
                "{what} runs SQL held in `{}`, which twokey cannot read, so it cannot tell what it runs; a human must review it.",
                excerpt(&code)
            ),
        ),
    }
}

/// At most 60 characters of `text` on one line, for a message.
fn excerpt(text: &str) -> String {
    let flat = text.split_whitespace().collect::<Vec<_>>().join(" ");
    if flat.chars().count() <= 60 {
        return flat;
    }
    let cut: String = flat.chars().take(57).collect();
    format!("{cut}...")
}

/// The forward calls of `methods` (called on something: `knex.schema.dropTable`,
/// `$table->dropColumn`) in `text`, each with what `effect` makes of it: the loop every
/// method-call framework (Knex, Laravel, Sequelize, TypeORM) shares.
pub(crate) fn method_calls(
    text: &str,
    lang: lex::Lang,
    methods: &[&'static str],
    effect: impl Fn(&scan::Source, &scan::RawCall) -> Option<Effect>,
) -> Vec<Call> {
    method_calls_with(text, lang, methods, |src, call| {
        effect(src, call).map(|effect| Call::found(src, call, effect))
    })
}

/// [`method_calls`] for scanners that also build a call's identity themselves (a chained
/// redefinition, whose marker call has no arguments of its own).
pub(crate) fn method_calls_with(
    text: &str,
    lang: lex::Lang,
    methods: &[&'static str],
    found: impl Fn(&scan::Source, &scan::RawCall) -> Option<Call>,
) -> Vec<Call> {
    let src = scan::Source::new(text, lang);
    let mut out = Vec::new();
    for &name in methods {
        out.extend(
            forward_only(&src, src.calls(name, scan::Before::Dot))
                .iter()
                .filter_map(|call| found(&src, call)),
        );
    }
    out
}

/// Drops the calls inside the file's rollback functions (see `rollback`).
pub(crate) fn forward_only(src: &scan::Source, calls: Vec<scan::RawCall>) -> Vec<scan::RawCall> {
    let down = rollback::down_ranges(src);
    calls
        .into_iter()
        .filter(|call| !down.iter().any(|r| r.contains(&call.start)))
        .collect()
}

/// Findings for SQL a migration runs through its framework. SQL that does not parse (string
/// formatting, placeholders) but names a destructive keyword needs a human.
pub(crate) fn embedded_sql(
    view: &FileView,
    what: &str,
    text: &str,
    at: &dyn Fn(u32, u32) -> crate::finding::Location,
) -> Vec<Finding> {
    let text = &bound_parameters(text);
    let found = sql::check_statements(view, text, at);
    if !found.is_empty() || sql::parses(view, text) {
        return found
            .into_iter()
            .map(|mut f| {
                f.message = format!("{what} runs SQL: {}", f.message);
                f
            })
            .collect();
    }
    let upper = text.to_ascii_uppercase();
    let keyword = ["DROP ", "TRUNCATE", "DELETE ", "ALTER "]
        .into_iter()
        .find(|k| upper.contains(k));
    match keyword {
        Some(k) => vec![Finding::new(
            &sql::UNPARSEABLE,
            at(1, 1),
            format!(
                "{what} runs SQL that twokey cannot parse and that contains {}, so it cannot tell what it destroys; a human must review it.",
                k.trim()
            ),
        )],
        None => Vec::new(),
    }
}

/// SQL with Python DB-API parameters (`%s`, `%(name)s`, which Django's `RunSQL` and Alembic
/// pass through to the driver) written as `?`, a placeholder every SQL dialect reads.
fn bound_parameters(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(at) = rest.find('%') {
        out.push_str(&rest[..at]);
        let after = &rest[at + 1..];
        let named = after
            .strip_prefix('(')
            .and_then(|a| a.split_once(")s"))
            .filter(|(name, _)| name.chars().all(|c| c.is_alphanumeric() || c == '_'));
        let ends_word = |tail: &str| !tail.starts_with(|c: char| c.is_alphanumeric() || c == '_');
        if let Some((_, tail)) = named.filter(|(_, tail)| ends_word(tail)) {
            out.push('?');
            rest = tail;
        } else if let Some(tail) = after.strip_prefix('s').filter(|tail| ends_word(tail)) {
            out.push('?');
            rest = tail;
        } else {
            out.push('%');
            rest = after;
        }
    }
    out.push_str(rest);
    out
}

/// `name` for a message: the value, or "?" when the scanner could not read it.
pub(crate) fn or_unknown(value: Option<String>) -> String {
    value
        .filter(|v| !v.is_empty())
        .unwrap_or_else(|| "?".to_owned())
}

#[cfg(test)]
mod tests;
