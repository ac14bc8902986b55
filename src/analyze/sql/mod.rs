//! sql analyzer: destructive statements that a change adds to a SQL migration or schema file.
//!
//! Both sides are parsed (sqlparser, dialect from the config with fallbacks) and statements are
//! compared by their normalized text, so only statements that are new on the head side can
//! produce findings: comment and layout edits stay quiet, and a brand-new migration has every
//! statement new. A table, view, index or column the same file creates (without `IF NOT
//! EXISTS`) before dropping, truncating or emptying it is scratch space, not data, and is not
//! reported.
//!
//! Besides drops, unbounded DELETE/UPDATE and the DELETE clauses of a MERGE, it reads what an `ALTER TABLE` does to existing
//! columns: a type change is compared with the column's old type (declared earlier in the
//! same file, or anywhere in the base version of the file; `types` says which changes
//! narrow), NOT NULL without a default, renames, and dropped indexes and constraints.
//!
//! The dialect comes from `analysis.sql_dialect`; when that is `generic`, a directory named
//! after a database (`mysql/`, `postgres/`, `sqlite/`) picks it. Flyway's repeatable
//! migrations (`R__*.sql`) run again whole whenever they change, so every destructive
//! statement of an edited one is reported, not only the new ones.
//!
//! [`check_statements`] is the statement checker on its own, for SQL embedded in ORM
//! migrations (Django `RunSQL`, Rails `execute`, Alembic `op.execute`, Liquibase `sql`).

mod declarative;
mod held;
mod history;
mod liquibase_formatted;
mod parse;
mod plain_lex;
mod purge;
mod rebuild;
mod relocate;
mod retention;
mod rollback;
mod seed;
mod tolerant;
pub(crate) mod types;
mod view_swap;

use super::{fresh, unparseable_finding, FileView, Unparseable};
use crate::change::Side;
use crate::finding::{Finding, Location, Severity, Tag};
use crate::rules::Rule;
use parse::{destroys_at, parse_any, DialectName, Located, Unread};
use sqlparser::ast::{
    AlterColumnOperation, AlterSchemaOperation, AlterTable, AlterTableOperation,
    AlterTypeOperation, AlterViewOperation, BinaryOperator, CascadeOption, ColumnDef, ColumnOption,
    DataType, DropBehavior, Expr, FromTable, Ident, JoinConstraint, JoinOperator, Merge,
    MergeAction, MergeClauseKind, ObjectName, ObjectNamePart, ObjectType, ReferentialAction,
    RenameTableNameKind, Statement, TableFactor, TableObject, TableWithJoins, Value,
};
use std::collections::{HashMap, HashSet};
use types::Verdict;

const DESTRUCTIVE: &[Tag] = &[Tag::Destructive, Tag::Infra];

pub const DROP_DATABASE: Rule = Rule {
    id: crate::finding::RuleId("sql/drop-database"),
    severity: Severity::Critical,
    tags: DESTRUCTIVE,
    summary: "A migration drops a whole database, or replaces one with `CREATE OR REPLACE DATABASE` (high: it may not exist yet).",
    why: "DROP DATABASE deletes every table, row and object in the database at once; only a backup brings it back.",
    example: "+ DROP DATABASE analytics;",
    safer: "Take and verify a backup, revoke access first and drop the database by hand after a waiting period, not from a migration.",
};

pub const DROP_SCHEMA: Rule = Rule {
    id: crate::finding::RuleId("sql/drop-schema"),
    severity: Severity::Critical,
    tags: DESTRUCTIVE,
    summary: "A migration drops a schema, or replaces one with `CREATE OR REPLACE SCHEMA` (high: it may not exist yet).",
    why: "DROP SCHEMA (with CASCADE) deletes every table, view and function in the schema together with their data.",
    example: "+ DROP SCHEMA reporting CASCADE;",
    safer: "Rename the schema or revoke access to it, take a backup, and drop it in a later, separately reviewed change.",
};

pub const DROP_TABLE: Rule = Rule {
    id: crate::finding::RuleId("sql/drop-table"),
    severity: Severity::High,
    tags: DESTRUCTIVE,
    summary: "A migration drops a table, or replaces one with `CREATE OR REPLACE TABLE` (medium: it may not exist yet).",
    why: "DROP TABLE deletes the table and every row in it; running code that still reads it starts failing.",
    example: "+ DROP TABLE users;",
    safer: "Rename the table (ALTER TABLE … RENAME TO …_deprecated), deploy code that no longer uses it, and drop it in a later migration after a backup.",
};

pub const DROP_COLUMN: Rule = Rule {
    id: crate::finding::RuleId("sql/drop-column"),
    severity: Severity::High,
    tags: DESTRUCTIVE,
    summary: "A migration drops a column.",
    why: "ALTER TABLE … DROP COLUMN deletes the column's data in every row, and code still selecting it breaks.",
    example: "+ ALTER TABLE users DROP COLUMN email;",
    safer: "Stop reading and writing the column first, deploy, back it up, then drop it in a later migration (expand/contract).",
};

pub const TRUNCATE: Rule = Rule {
    id: crate::finding::RuleId("sql/truncate"),
    severity: Severity::High,
    tags: DESTRUCTIVE,
    summary: "A migration truncates a table (critical with CASCADE), drops a partition with its rows (medium when it only detaches one), replaces its rows with `INSERT OVERWRITE` or ClickHouse's `REPLACE PARTITION … FROM`, deletes ClickHouse's detached partitions, or moves rows out to another table (`MOVE PARTITION … TO TABLE`, Redshift's `APPEND FROM`, medium; high with `IGNOREEXTRA`).",
    why: "TRUNCATE removes every row of the table at once, without per-row triggers, and cannot be limited by a condition; with CASCADE it also empties every table that references it through a foreign key, and the tables referencing those.",
    example: "+ TRUNCATE TABLE sessions;",
    safer: "Delete only the rows that must go with a WHERE clause, in batches, after a backup.",
};

pub const DELETE_WITHOUT_WHERE: Rule = Rule {
    id: crate::finding::RuleId("sql/delete-without-where"),
    severity: Severity::High,
    tags: DESTRUCTIVE,
    summary: "A migration deletes from a table without a WHERE clause.",
    why: "DELETE without WHERE removes every row of the table.",
    example: "+ DELETE FROM orders;",
    safer:
        "Add a WHERE clause that selects exactly the rows to remove, and check its row count first.",
};

pub const BULK_PURGE: Rule = Rule {
    id: crate::finding::RuleId("sql/bulk-purge"),
    severity: Severity::High,
    tags: DESTRUCTIVE,
    summary: "A migration calls a function that deletes rows in bulk: TimescaleDB's `drop_chunks` or `add_retention_policy`, pg_partman's `drop_partition_time` or `drop_partition_id`.",
    why: "These functions drop whole chunks or partitions of a table, or schedule a job that does, from a `SELECT` that reads like a query: there is no DELETE for a reviewer to notice. The rows go with the chunks; only a backup brings them back.",
    example: "+ SELECT drop_chunks('conditions', INTERVAL '3 months');",
    safer: "Archive the old chunks first (or compress them instead, with `add_compression_policy`), and run the purge by hand once the archive is verified.",
};

pub const MERGE_DELETE: Rule = Rule {
    id: crate::finding::RuleId("sql/merge-delete"),
    severity: Severity::High,
    tags: DESTRUCTIVE,
    summary: "A migration's MERGE deletes rows (`WHEN MATCHED THEN DELETE`, `WHEN NOT MATCHED BY SOURCE THEN DELETE`, Oracle's `UPDATE … DELETE WHERE`).",
    why: "A MERGE reads like an upsert, but a DELETE clause removes every target row it reaches: all rows the source matches, or, `BY SOURCE`, all rows the source lacks, so an empty or partial source table empties the target.",
    example: "+ MERGE INTO prices p USING staged s ON p.sku = s.sku\n+   WHEN NOT MATCHED BY SOURCE THEN DELETE;",
    safer: "Keep the MERGE to its UPDATE and INSERT clauses and delete in a separate DELETE … WHERE whose row count is checked first; when a source decides what stays, check it is complete before the delete runs.",
};

pub const UPDATE_WITHOUT_WHERE: Rule = Rule {
    id: crate::finding::RuleId("sql/update-without-where"),
    severity: Severity::Medium,
    tags: DESTRUCTIVE,
    summary: "A migration updates every row of a table (no WHERE clause), or resets a column to its default with ClickHouse's `CLEAR COLUMN`.",
    why: "UPDATE without WHERE overwrites the column in every row; the previous values are lost unless backed up.",
    example: "+ UPDATE users SET role = 'user';",
    safer: "Restrict the UPDATE with a WHERE clause (for a backfill: WHERE col IS NULL), or copy the old values to a backup column first.",
};

pub const DROP_VIEW: Rule = Rule {
    id: crate::finding::RuleId("sql/drop-view"),
    severity: Severity::Medium,
    tags: DESTRUCTIVE,
    summary: "A migration drops a view or materialized view.",
    why: "Code and reports that read the view start failing; a materialized view's stored rows are gone until it is rebuilt and refreshed, which can take long on large tables.",
    example: "+ DROP MATERIALIZED VIEW monthly_revenue;",
    safer: "Check nothing reads the view any more (query logs, grants), deploy that first, then drop it in a later migration; keep its definition so it can be recreated.",
};

pub const DROP_INDEX: Rule = Rule {
    id: crate::finding::RuleId("sql/drop-index"),
    severity: Severity::Low,
    tags: &[Tag::Infra],
    summary: "A migration drops an index.",
    why: "No data is lost, but queries that used the index can turn into full scans under production load, and dropping a unique index lets duplicates in.",
    example: "+ DROP INDEX idx_orders_customer_id;",
    safer: "Confirm the index is unused (pg_stat_user_indexes, sys.schema_unused_indexes) before dropping it; on Postgres use DROP INDEX CONCURRENTLY to avoid locking the table.",
};

pub const DROP_CONSTRAINT: Rule = Rule {
    id: crate::finding::RuleId("sql/drop-constraint"),
    severity: Severity::Low,
    tags: &[Tag::Infra],
    summary: "A migration drops a constraint (foreign key, unique, check or primary key).",
    why: "No data is lost at once, but the database stops refusing rows the constraint kept out: orphans, duplicates and invalid values can accumulate.",
    example: "+ ALTER TABLE orders DROP CONSTRAINT orders_customer_id_fkey;",
    safer: "Say in the migration why the constraint goes; when replacing it, add the new one (NOT VALID, then VALIDATE) before dropping the old.",
};

pub const COLUMN_TYPE_NARROWED: Rule = Rule {
    id: crate::finding::RuleId("sql/column-type-narrowed"),
    severity: Severity::High,
    tags: DESTRUCTIVE,
    summary: "A migration changes a column to a type that can lose data (medium when twokey cannot see the old type).",
    why: "Narrowing a column (bigint to int, varchar(255) to varchar(50), text to varchar(n), numeric scale reduced, timestamptz to timestamp, anything to boolean, float to integer, a value removed from an enum) truncates, rounds or rejects existing values, and rewrites the table under a lock.",
    example: "+ ALTER TABLE users ALTER COLUMN bio TYPE VARCHAR(100);",
    safer: "Add a new column of the new type, backfill it while checking for values that do not fit, switch the code over, then drop the old column in a later migration.",
};

pub const NOT_NULL_WITHOUT_DEFAULT: Rule = Rule {
    id: crate::finding::RuleId("sql/not-null-without-default"),
    severity: Severity::Medium,
    tags: &[Tag::Infra],
    summary: "A migration makes a column of an existing table NOT NULL (SET NOT NULL, or ADD COLUMN … NOT NULL without a DEFAULT).",
    why: "On a table with rows the migration fails (Postgres) or silently fills zeros and empty strings (MySQL outside strict mode), and checking every row holds a lock that blocks writes. No data is deleted, so it is not tagged destructive.",
    example: "+ ALTER TABLE users ADD COLUMN tenant_id BIGINT NOT NULL;",
    safer: "Add the column nullable (or with a DEFAULT), backfill it in batches, add CHECK (col IS NOT NULL) NOT VALID and VALIDATE it, then SET NOT NULL.",
};

pub const DROP_TYPE_CASCADE: Rule = Rule {
    id: crate::finding::RuleId("sql/drop-type-cascade"),
    severity: Severity::High,
    tags: DESTRUCTIVE,
    summary: "A migration drops a type, domain or extension with CASCADE.",
    why: "Without CASCADE the database refuses while a column still uses the type; with it, every column of that type (an enum, a domain, PostGIS' geometry) is dropped with its data in every table.",
    example: "+ DROP EXTENSION postgis CASCADE;",
    safer: "Drop without CASCADE so the database names what still depends on it; move those columns to another type first, in their own reviewed migrations.",
};

pub const DROP_SEQUENCE_OR_FUNCTION: Rule = Rule {
    id: crate::finding::RuleId("sql/drop-sequence-or-function"),
    severity: Severity::Low,
    tags: &[Tag::Infra],
    summary: "A migration drops a sequence, function or procedure.",
    why: "No rows are deleted, but a dropped sequence loses its counter (recreated, it starts again at 1 and hands out ids already taken), and column defaults, triggers and code that call a dropped function start failing; with CASCADE the defaults and triggers go too.",
    example: "+ DROP SEQUENCE orders_id_seq;",
    safer: "Check nothing uses it any more (column defaults, triggers, application code), drop it without CASCADE, and keep its definition (and a sequence's current value) to restore it.",
};

pub const ROW_SECURITY_OFF: Rule = Rule {
    id: crate::finding::RuleId("sql/row-security-off"),
    severity: Severity::High,
    tags: &[Tag::Infra],
    summary: "A migration turns row-level security off for a table or drops one of its policies.",
    why: "Row-level security is what keeps each user to their own rows; where clients query the database directly (Supabase, PostgREST, Hasura), turning it off or dropping a policy exposes or opens every row of the table to every client holding the public key.",
    example: "+ ALTER TABLE profiles DISABLE ROW LEVEL SECURITY;",
    safer: "Keep row-level security on and change the policy instead (DROP and CREATE POLICY in one transaction, or ALTER POLICY), with a test that an anonymous client cannot read other users' rows.",
};

pub const RENAME: Rule = Rule {
    id: crate::finding::RuleId("sql/rename"),
    severity: Severity::Medium,
    tags: DESTRUCTIVE,
    summary: "A migration renames a table, column, view or schema, moves a table or view to another schema, swaps two tables (Snowflake's `SWAP WITH`, ClickHouse's `EXCHANGE TABLES`), or renames an enum value.",
    why: "No row is lost, but every running instance of the code still uses the old name: between the migration and the deploy of the new code, its queries fail (and a renamed enum value changes in every row, so code writing the old one fails). That is an outage for anything serving traffic, so it is tagged destructive.",
    example: "+ ALTER TABLE users RENAME COLUMN name TO full_name;",
    safer: "Expand and contract: add the new column (or a view under the new table name), write to both, move readers, then remove the old name in a later migration.",
};

pub const RETENTION_SHORTENED: Rule = Rule {
    id: crate::finding::RuleId("sql/retention-shortened"),
    severity: Severity::Medium,
    tags: DESTRUCTIVE,
    summary: "A migration shortens how long Delta Lake keeps a table's history (`delta.logRetentionDuration` or `delta.deletedFileRetentionDuration` below its default).",
    why: "No row goes at once, but the next VACUUM deletes the files older versions need: time travel and RESTORE to before the change stop working, and with them the quickest way to undo a bad write.",
    example: "+ ALTER TABLE sales SET TBLPROPERTIES ('delta.deletedFileRetentionDuration' = 'interval 1 days');",
    safer: "Keep the defaults (30 days of log, 7 days of files) unless storage cost forces otherwise; shorten them in a separate reviewed change, after the tables' recent history is no longer needed.",
};

pub const UNPARSEABLE: Rule = Rule {
    id: crate::finding::RuleId("sql/unparseable"),
    severity: Severity::Medium,
    tags: &[Tag::Infra],
    summary: "A SQL file, a statement in it, or a migration changelog could not be parsed.",
    why: "twokey cannot tell what a migration it cannot parse does to the database, so it fails closed and asks for a human. A file is read statement by statement when needed, and a statement sqlparser cannot read passes only when it starts like one that creates or configures (`DO $$ … $$`, `COMMENT ON`, `ALTER SEQUENCE`, a psql meta-command…) and no word in it, its strings or its body can destroy data (DROP, TRUNCATE, DELETE, UPDATE, RENAME, EXECUTE, PURGE, ALTER TABLE … TYPE, CREATE OR REPLACE of a table, schema or database, Oracle's SET UNUSED, or a shorter expiry, retention or TTL in ALTER TABLE or VACUUM … RETAIN). `\\i` and `\\gexec`, which run SQL from elsewhere, always need a human. A statement holding such a word ranks as its worst word would in a statement twokey can read (a `DROP TABLE` inside `DO $$ … $$` is high and destructive), and one that only drops what holds no rows (a constraint, an index, a default, a trigger, a function) still needs a human but is not tagged destructive.",
    example: "+ DO $$ BEGIN EXECUTE 'DROP TABLE ' || t; END $$;",
    safer: "Write the destructive step as a plain statement twokey can read (or set `sql_dialect` to the database the file is written for), so the review names what goes away.",
};

pub const RULES: &[&Rule] = &[
    &DROP_DATABASE,
    &DROP_SCHEMA,
    &DROP_TABLE,
    &DROP_COLUMN,
    &TRUNCATE,
    &DELETE_WITHOUT_WHERE,
    &MERGE_DELETE,
    &BULK_PURGE,
    &UPDATE_WITHOUT_WHERE,
    &DROP_VIEW,
    &DROP_INDEX,
    &DROP_CONSTRAINT,
    &COLUMN_TYPE_NARROWED,
    &NOT_NULL_WITHOUT_DEFAULT,
    &RENAME,
    &DROP_TYPE_CASCADE,
    &DROP_SEQUENCE_OR_FUNCTION,
    &ROW_SECURITY_OFF,
    &RETENTION_SHORTENED,
    &UNPARSEABLE,
];

/// Reports the destructive statements the head side adds.
pub fn analyze(view: &FileView) -> Vec<Finding> {
    let mut findings = analyze_statements(view);
    if seed::is_seed_file(view.path().as_str()) {
        seed::soften(&mut findings);
    }
    findings
}

/// The tables a deleted declarative schema file drops; a base twokey cannot read needs a
/// human, as any unreadable schema does.
fn deleted_schema(view: &FileView, base: &str) -> Vec<Finding> {
    let order = dialect_for(view).fallbacks();
    match parse_any(&rollback::forward_only(base), &order) {
        Ok((dialect, base)) => {
            let mut order = vec![dialect];
            order.extend(
                dialect_for(view)
                    .fallbacks()
                    .into_iter()
                    .filter(|d| *d != dialect),
            );
            declarative::compare(view, &base, &parse::Statements::default(), &order)
        }
        Err(e) => {
            let failure = Unparseable {
                side: Side::Base,
                line: e.line,
                reason: e.message,
            };
            vec![unparseable_finding(&UNPARSEABLE, view, &failure)]
        }
    }
}

/// Whether the file is a declarative schema (Supabase, sqldef, Skeema), whose tables the
/// tool drops when they are no longer declared.
pub(crate) fn is_declarative_schema(view: &FileView) -> bool {
    declarative::is_declarative(view)
}

fn analyze_statements(view: &FileView) -> Vec<Finding> {
    let Some(head) = view.new_text() else {
        // A deleted migration runs nothing; deleting files is the files analyzer's business.
        // A deleted declarative schema file is not a migration: applying the schema drops
        // each table it declared (unless it moved to another file of the directory).
        return match view.old_text() {
            Some(base) if declarative::is_declarative(view) => deleted_schema(view, base),
            _ => Vec::new(),
        };
    };
    if rollback::is_rollback_file(view.path().as_str()) {
        return Vec::new();
    }
    let head = rollback::forward_only(head);
    let configured = dialect_for(view);
    let (dialect, head) = match parse_any(&head, &configured.fallbacks()) {
        Ok(parsed) => parsed,
        Err(e) => {
            let failure = Unparseable {
                side: Side::Head,
                line: e.line,
                reason: e.message,
            };
            return vec![unparseable_finding(&UNPARSEABLE, view, &failure)];
        }
    };
    // Most migrations add things. Only when the head holds a destructive statement (or one
    // twokey cannot read that may destroy) does the base need reading, to tell a new
    // statement from one that was already there and to learn the types the base gave its
    // columns.
    // Without the base, twokey cannot tell a CREATE this change adds (scratch space) from one
    // already there, nor which types the columns had: the empty scope assumes none is scratch
    // and no type is known, which can only turn up more findings here (a widening reads as a
    // type change twokey cannot see), never fewer. The full pass below sorts them out.
    let unknown = Scope::default();
    let any = head.unread.iter().any(Unread::needs_human)
        || head
            .read
            .iter()
            .any(|located| !check(view, located, &unknown).is_empty());
    let schema = declarative::is_declarative(view);
    if !any && !schema {
        return Vec::new();
    }
    // The base is read with the dialect that read the head first, so the two sides print
    // the same statement the same way. A base that cannot be parsed counts as empty: every
    // destructive head statement is then reported, which fails closed.
    let mut order = vec![dialect];
    order.extend(configured.fallbacks().into_iter().filter(|d| *d != dialect));
    let base = view
        .old_text()
        .and_then(|base| parse_any(&rollback::forward_only(base), &order).ok())
        .map(|(_, s)| s)
        .unwrap_or_default();
    let mut findings = if schema {
        declarative::compare(view, &base, &head, &order)
    } else {
        Vec::new()
    };
    if !any {
        return findings;
    }

    // Flyway re-runs a repeatable migration (`R__name.sql`) whole whenever its checksum
    // changes: an edited one runs its old statements again, not only the new ones.
    let rerun = is_repeatable(view.path_on(Side::Head).file_name())
        && view
            .old_text()
            .is_some_and(|old| old != view.new_text().unwrap_or_default());
    let already_ran = |found: &mut Vec<Finding>| {
        for f in found {
            f.message.push_str(" It was already in this repeatable migration, but Flyway runs the whole file again because the file changed.");
        }
    };
    // A Liquibase formatted changelog runs a whole changeSet again for reasons its text
    // shows only in the `--changeset` line (a new id, runAlways, a widened context).
    let liquibase = liquibase_formatted::reruns(view);
    let again = |line: u32| {
        liquibase
            .iter()
            .find(|r| r.holds(line))
            .map(|r| r.why.as_str())
    };
    let explain = |found: &mut Vec<Finding>, why: Option<&str>| match why {
        Some(why) => {
            for f in found {
                f.message.push(' ');
                f.message.push_str(why);
            }
        }
        None => already_ran(found),
    };
    let new = fresh::new_copies(
        view.hunks(),
        base.read.iter().map(Located::key),
        head.read.iter().map(|l| (l.key(), l.line)),
    );
    let new_unread = fresh::new_copies(
        view.hunks(),
        base.unread.iter().map(|u| u.key.as_str()),
        head.unread.iter().map(|u| (u.key.as_str(), u.line)),
    );
    let mut scope = Scope {
        rebuilt: rebuild::rebuilt_tables(head.read.iter().map(|l| &*l.statement)),
        redefined_views: view_swap::redefined_views(head.read.iter().map(|l| &*l.statement)),
        ..Scope::default()
    };
    // A retyped or dropped column this file does not declare may be declared by an earlier
    // migration of the directory; those are read only then.
    let need = head
        .read
        .iter()
        .map(|l| history::need(&l.statement))
        .max()
        .unwrap_or(history::Need::Nothing);
    if need > history::Need::Nothing {
        history::note_earlier_types(view, &mut scope, need);
    }
    for located in &base.read {
        scope.note_types(&located.statement);
    }
    // The statements twokey could not parse are judged as the file reaches them, so that a
    // staging table created a few lines up is scratch to a partition move after it; their
    // findings still come after the others'.
    let mut unread_found = Vec::new();
    let mut pending = head.unread.iter().enumerate().peekable();
    let mut judge_unread = |before: u32, scope: &Scope, out: &mut Vec<Finding>| {
        while let Some((index, unread)) = pending.next_if(|(_, u)| u.line < before) {
            let is_new = new_unread.binary_search(&index).is_ok();
            let why = again(unread.line);
            if is_new || rerun || why.is_some() {
                let mut found = unread_findings(view, unread, scope, &|line, end| {
                    view.at(Side::Head, line, end)
                });
                if !is_new {
                    explain(&mut found, why);
                }
                out.extend(found);
            }
        }
    };
    for (index, located) in head.read.iter().enumerate() {
        judge_unread(located.line, &scope, &mut unread_found);
        let is_new = new.binary_search(&index).is_ok();
        let why = again(located.line);
        if is_new || rerun || why.is_some() {
            let mut found = check(view, located, &scope);
            if !is_new {
                explain(&mut found, why);
            }
            findings.extend(found);
        }
        // A table whose CREATE was already in the base exists and holds rows: only a CREATE
        // this change adds makes scratch space.
        if is_new {
            scope.note(&located.statement);
        } else {
            scope.note_types(&located.statement);
        }
    }
    judge_unread(u32::MAX, &scope, &mut unread_found);
    findings.extend(unread_found);
    findings
}

/// The findings of a statement sqlparser could not parse: what [`relocate`] reads in it, or
/// else, when it may destroy, the finding that asks a human to read it.
fn unread_findings(
    view: &FileView,
    unread: &Unread,
    scope: &Scope,
    at: &dyn Fn(u32, u32) -> Location,
) -> Vec<Finding> {
    match &unread.relocations {
        Some(relocations) => {
            relocate::findings(&at(unread.line, unread.end_line), relocations, scope)
        }
        None => unread_finding(view, unread, at).into_iter().collect(),
    }
}

/// A statement twokey could not parse needs a human unless it is of a kind that only creates
/// or configures and holds no word that can destroy.
fn unread_finding(
    view: &FileView,
    unread: &Unread,
    at: &dyn Fn(u32, u32) -> Location,
) -> Option<Finding> {
    if !unread.needs_human() {
        return None;
    }
    let holds = match &unread.destroying {
        Some(word) => format!(" and contains {word}"),
        None => String::new(),
    };
    let finding = Finding::new(
        &UNPARSEABLE,
        at(unread.line, unread.end_line),
        format!(
            "A statement in {} could not be parsed ({}){holds}, so twokey cannot tell what it destroys; a human must review it.",
            view.path(),
            clip(&unread.error, 200)
        ),
    );
    Some(destroying_as(finding, unread.destroying.as_deref()))
}

/// Wrapping a DROP in a `DO` block, a T-SQL `IF` or dynamic SQL must not buy a lighter
/// review than the plain statement gets: a destroying word makes the unreadable statement
/// destructive too, at the severity the word would meet in a statement twokey can read.
fn destroying_as(mut finding: Finding, word: Option<&str>) -> Finding {
    if let Some(severity) = word.and_then(destroys_at) {
        finding = finding.with_severity(severity);
        finding.tags.insert(0, Tag::Destructive);
    }
    finding
}

/// `text` cut to about `max` characters at a character boundary: a parser's "found: …" can
/// quote a whole function body.
fn clip(text: &str, max: usize) -> String {
    match text.char_indices().nth(max) {
        Some((at, _)) => format!("{}…", &text[..at]),
        None => text.to_owned(),
    }
}

/// The configured dialect; when the config says `generic`, a hint from the path: a directory
/// named after a database (`mysql/`, `db/postgres/`, `sqlite-migrations/`) says which one
/// the files are written for. Flyway's `V1__x.sql` and everything else stay generic (the
/// other dialects are still tried when generic cannot read a file).
fn dialect_for(view: &FileView) -> DialectName {
    match DialectName::from_option(&view.options.sql_dialect) {
        DialectName::Generic => {
            DialectName::from_path(view.path().as_str()).unwrap_or(DialectName::Generic)
        }
        configured => configured,
    }
}

/// Whether `path` is a `.sql` file whose name passes `judge`, which is given the
/// directories and the file name without `.sql`, lower-cased: tools mark a file's role by
/// its name or its directory, whatever the case.
fn sql_file_named(path: &str, judge: impl FnOnce(&[&str], &str) -> bool) -> bool {
    let lower = path.to_ascii_lowercase();
    let mut dirs: Vec<&str> = lower.split('/').collect();
    let name = dirs.pop().unwrap_or_default();
    name.strip_suffix(".sql")
        .is_some_and(|stem| judge(&dirs, stem))
}

/// `R__*.sql`: a Flyway repeatable migration.
fn is_repeatable(file_name: &str) -> bool {
    file_name.starts_with("R__") && file_name.to_ascii_lowercase().ends_with(".sql")
}

/// What a file has done so far, statement by statement: the tables, views, indexes and
/// columns it created outright (scratch space: dropping them destroys nothing that existed
/// before the migration), and the last type it gave each column.
#[derive(Debug, Default, Clone)]
pub(crate) struct Scope {
    created: HashSet<String>,
    /// Tables the file rebuilds (see [`rebuild`]): their drop loses only what the copy omits.
    rebuilt: HashSet<String>,
    /// Plain views the file drops and then defines again (see [`view_swap`]): nothing is lost.
    redefined_views: HashSet<String>,
    added_columns: HashSet<(String, String)>,
    types: HashMap<(String, String), DataType>,
    /// Columns computed from others (`GENERATED ALWAYS AS (…)`, MySQL's `AS (…) VIRTUAL`):
    /// dropping one loses nothing the other columns cannot give again (Atlas's DS103 flags only
    /// non-virtual columns).
    computed: HashSet<(String, String)>,
    /// Types the file renames aside (`ALTER TYPE mood RENAME TO mood_old`), usually to create
    /// a new type under the old name with fewer enum values and move columns onto it.
    types_renamed_aside: HashSet<String>,
}

impl Scope {
    /// Remembers what a head statement creates. `IF NOT EXISTS` does not count: the table
    /// (or column) may already exist and hold data.
    fn note(&mut self, statement: &Statement) {
        match statement {
            Statement::CreateTable(create) if !create.if_not_exists || create.temporary => {
                self.created.insert(normalize_name(&create.name));
            }
            Statement::CreateView(view) => {
                self.created.insert(normalize_name(&view.name));
            }
            Statement::CreateIndex(index) if !index.if_not_exists => {
                if let Some(name) = &index.name {
                    self.created.insert(normalize_name(name));
                }
            }
            Statement::AlterType(alter) => {
                if let AlterTypeOperation::Rename(_) = &alter.operation {
                    self.types_renamed_aside.insert(normalize_name(&alter.name));
                }
            }
            Statement::AlterTable(alter) => {
                let table = normalize_name(&alter.name);
                for op in &alter.operations {
                    if let AlterTableOperation::AddColumn {
                        if_not_exists: false,
                        column_def,
                        ..
                    } = op
                    {
                        self.added_columns
                            .insert((table.clone(), ident(&column_def.name)));
                    }
                }
            }
            _ => {}
        }
        self.note_types(statement);
    }

    /// Remembers the column types a statement declares or changes.
    fn note_types(&mut self, statement: &Statement) {
        match statement {
            Statement::CreateTable(create) => {
                let table = normalize_name(&create.name);
                for column in &create.columns {
                    self.note_computed(&table, column);
                    self.types.insert(
                        (table.clone(), ident(&column.name)),
                        column.data_type.clone(),
                    );
                }
            }
            Statement::AlterTable(alter) => {
                let table = normalize_name(&alter.name);
                for op in &alter.operations {
                    let (column, data_type) = match op {
                        AlterTableOperation::AddColumn { column_def, .. } => {
                            self.note_computed(&table, column_def);
                            (ident(&column_def.name), column_def.data_type.clone())
                        }
                        AlterTableOperation::AlterColumn {
                            column_name,
                            op: AlterColumnOperation::SetDataType { data_type, .. },
                        } => (ident(column_name), data_type.clone()),
                        AlterTableOperation::ModifyColumn {
                            col_name,
                            data_type,
                            ..
                        } => (ident(col_name), data_type.clone()),
                        AlterTableOperation::ChangeColumn {
                            new_name,
                            data_type,
                            ..
                        } => (ident(new_name), data_type.clone()),
                        AlterTableOperation::RenameColumn {
                            old_column_name,
                            new_column_name,
                        } => {
                            let old = (table.clone(), ident(old_column_name));
                            if self.computed.remove(&old) {
                                self.computed
                                    .insert((table.clone(), ident(new_column_name)));
                            }
                            match self.types.remove(&old) {
                                Some(t) => (ident(new_column_name), t),
                                None => continue,
                            }
                        }
                        _ => continue,
                    };
                    self.types.insert((table.clone(), column), data_type);
                }
            }
            _ => {}
        }
    }

    /// Remembers whether `column` of `table` is computed from other columns. An identity
    /// column (`GENERATED ALWAYS AS IDENTITY`) holds ids of its own, so it is not.
    fn note_computed(&mut self, table: &str, column: &ColumnDef) {
        let key = (table.to_owned(), ident(&column.name));
        let computed = column.options.iter().any(|o| {
            matches!(
                &o.option,
                ColumnOption::Generated {
                    generation_expr: Some(_),
                    ..
                }
            )
        });
        if computed {
            self.computed.insert(key);
        } else {
            self.computed.remove(&key);
        }
    }

    fn scratch(&self, name: &ObjectName) -> bool {
        self.created_or_temporary(&normalize_name(name))
    }

    /// Whether the table named `name` (normalized) is scratch: created by this file, or a
    /// T-SQL temporary table (`#work`, `##shared`, `tempdb..#work`), which lives only as long
    /// as the session that made it and holds nothing the database keeps.
    fn created_or_temporary(&self, name: &str) -> bool {
        self.created.contains(name)
            || name
                .rsplit('.')
                .next()
                .is_some_and(|last| last.starts_with('#'))
    }

    fn old_type(&self, table: &str, column: &Ident) -> Option<&DataType> {
        self.types.get(&(table.to_owned(), ident(column)))
    }
}

/// Compares names the way a reviewer would: case and quoting ignored. Built from the parts'
/// values rather than by printing the name and stripping its quotes: every statement of a
/// migration names a table, and printing went through the formatter for each.
fn normalize_name(name: &ObjectName) -> String {
    let mut out = String::new();
    for (i, part) in name.0.iter().enumerate() {
        if i > 0 {
            out.push('.');
        }
        let printed;
        let text = match part.as_ident() {
            Some(ident) => ident.value.as_str(),
            None => {
                printed = part.to_string();
                printed.as_str()
            }
        };
        out.extend(
            text.chars()
                .filter(|c| !matches!(c, '"' | '`' | '[' | ']'))
                .flat_map(char::to_lowercase),
        );
    }
    out
}

fn ident(column: &Ident) -> String {
    column.value.to_lowercase()
}

fn check(view: &FileView, located: &Located, scope: &Scope) -> Vec<Finding> {
    let at = view.at(Side::Head, located.line, located.end_line);
    check_statement(view, &at, &located.statement, scope)
}

/// The findings of one statement and of the statements it holds (see [`held`]), all placed at
/// `at`, the lines of the outermost statement.
fn check_statement(
    view: &FileView,
    at: &Location,
    statement: &Statement,
    scope: &Scope,
) -> Vec<Finding> {
    let mut findings = check_one(at, statement, scope);
    for held in held::held(statement) {
        let found = match held.body {
            held::Body::Read(inner) => check_statement(view, at, inner, scope),
            held::Body::Text(text) => check_statements(view, text, &|_, _| at.clone()),
        };
        findings.extend(found.into_iter().map(|mut f| {
            if let Some(within) = &held.within {
                f.message = format!("{within}: {}", f.message);
            }
            f
        }));
    }
    findings
}

fn check_one(at: &Location, statement: &Statement, scope: &Scope) -> Vec<Finding> {
    let scratch = |name: &ObjectName| scope.scratch(name);
    let mut findings = Vec::new();
    match statement {
        // MySQL's `DROP TEMPORARY TABLE` can only drop a session's own temporary table.
        Statement::Drop {
            temporary: true, ..
        } => {}
        Statement::Drop {
            object_type,
            names,
            cascade,
            purge,
            ..
        } => match object_type {
            ObjectType::Database => {
                for name in names {
                    findings.push(Finding::new(
                        &DROP_DATABASE,
                        at.clone(),
                        format!("DROP DATABASE {name} deletes the database {name} with every table and row in it."),
                    ));
                }
            }
            ObjectType::Schema => {
                for name in names {
                    let what = if *cascade {
                        "and, with CASCADE, every table, view and function in it"
                    } else {
                        "and fails only if it still holds objects"
                    };
                    findings.push(Finding::new(
                        &DROP_SCHEMA,
                        at.clone(),
                        format!("DROP SCHEMA {name} deletes the schema {name} {what}."),
                    ));
                }
            }
            ObjectType::Table => {
                for name in names.iter().filter(|n| !scratch(n)) {
                    let mut finding = Finding::new(
                        &DROP_TABLE,
                        at.clone(),
                        format!("DROP TABLE {name} deletes the table {name} and every row in it."),
                    )
                    .with_safer(format!(
                        "Rename {name} (ALTER TABLE {name} RENAME TO {}), deploy code that no longer uses it, and drop it in a later migration after a backup.",
                        renamed_aside(name)
                    ));
                    if scope.rebuilt.contains(&normalize_name(name)) && !*cascade && !*purge {
                        finding = finding.with_severity(Severity::Medium);
                        finding.message = format!(
                            "DROP TABLE {name} comes after its rows were copied into a new table, which then takes the name {name} (a table rebuild, as SQLite migrations are written): only the columns the copy leaves out are lost."
                        );
                        finding.safer = Some(format!(
                            "Check that the INSERT … SELECT copies every column of {name} that holds data still needed."
                        ));
                    }
                    if *cascade || *purge {
                        // CASCADE takes dependent views and foreign keys with it; PURGE skips
                        // the recycle bin some engines would otherwise restore from.
                        finding = finding.with_severity(Severity::Critical);
                        finding.message = format!(
                            "DROP TABLE {name} {} deletes the table {name}, every row in it{}.",
                            if *cascade { "CASCADE" } else { "PURGE" },
                            if *cascade {
                                " and every object that depends on it"
                            } else {
                                " beyond recovery"
                            }
                        );
                    }
                    findings.push(finding);
                }
            }
            ObjectType::View | ObjectType::MaterializedView => {
                let kind = if *object_type == ObjectType::View {
                    "view"
                } else {
                    "materialized view"
                };
                // A plain view dropped only to be defined again holds no rows to lose.
                let redefined = |n: &ObjectName| {
                    *object_type == ObjectType::View
                        && !*cascade
                        && scope.redefined_views.contains(&normalize_name(n))
                };
                for name in names.iter().filter(|n| !scratch(n) && !redefined(n)) {
                    findings.push(Finding::new(
                        &DROP_VIEW,
                        at.clone(),
                        format!("DROP {} {name} removes the {kind} {name}: queries that read it start failing{}.", kind.to_uppercase(), if kind == "view" { "" } else { " and its stored rows are gone until it is rebuilt" }),
                    ));
                }
            }
            ObjectType::Type if *cascade => {
                for name in names.iter().filter(|n| !scratch(n)) {
                    findings.push(type_dropped(at, "TYPE", name));
                }
            }
            ObjectType::Sequence => {
                for name in names.iter().filter(|n| !scratch(n)) {
                    findings.push(Finding::new(
                        &DROP_SEQUENCE_OR_FUNCTION,
                        at.clone(),
                        format!("DROP SEQUENCE {name} loses the sequence's counter{}: recreated, it starts again and hands out ids already taken.", if *cascade { " and, with CASCADE, the column defaults that use it" } else { "" }),
                    ));
                }
            }
            ObjectType::Index => {
                for name in names.iter().filter(|n| !scratch(n)) {
                    findings.push(Finding::new(
                        &DROP_INDEX,
                        at.clone(),
                        format!("DROP INDEX {name} removes the index {name}: queries that used it may turn into full scans, and a unique index stops refusing duplicates."),
                    ));
                }
            }
            _ => {}
        },
        Statement::DropDomain(drop) if drop.drop_behavior == Some(DropBehavior::Cascade) => {
            findings.push(type_dropped(at, "DOMAIN", &drop.name));
        }
        Statement::DropExtension(drop)
            if drop.cascade_or_restrict == Some(ReferentialAction::Cascade) =>
        {
            for name in &drop.names {
                findings.push(type_dropped(
                    at,
                    "EXTENSION",
                    &ObjectName::from(vec![name.clone()]),
                ));
            }
        }
        Statement::DropPolicy(drop) if !scratch(&drop.table_name) => {
            findings.push(
                Finding::new(
                    &ROW_SECURITY_OFF,
                    at.clone(),
                    format!("DROP POLICY {} ON {} removes a row-level security policy: the rows it let through are refused, or, when it was the one restricting access, opened.", drop.name, drop.table_name),
                )
                .with_severity(Severity::Medium),
            );
        }
        Statement::DropFunction(drop) => {
            for function in &drop.func_desc {
                findings.push(Finding::new(
                    &DROP_SEQUENCE_OR_FUNCTION,
                    at.clone(),
                    format!("DROP FUNCTION {} removes the function: column defaults, triggers and code that call it start failing.", function.name),
                ));
            }
        }
        // T-SQL renames through a stored procedure: `EXEC sp_rename 'dbo.Users.Email', 'Mail',
        // 'COLUMN'`.
        Statement::Execute {
            name: Some(name),
            parameters,
            ..
        } if normalize_name(name).rsplit('.').next() == Some("sp_rename") => {
            let text: Vec<&str> = parameters.iter().filter_map(held::string_of).collect();
            if let [old, new, ..] = text[..] {
                findings.push(Finding::new(
                    &RENAME,
                    at.clone(),
                    format!("sp_rename renames {old} to {new}: every running query that still says the old name fails until the new code is deployed."),
                ));
            }
        }
        // SQL built at run time (`EXEC ('DROP TABLE ' + @t)`, `EXEC sp_executesql @sql`): no
        // reading of the file says what it runs. A literal is checked as SQL (see `held`).
        Statement::Execute { .. } => {
            let built = held::dynamic_sql(statement).filter(|e| held::string_of(e).is_none());
            if let Some(expr) = built {
                let shown = clip(&expr.to_string(), 200);
                let word = parse::destroying_in_text(&shown);
                let holds = word
                    .as_deref()
                    .map_or_else(String::new, |w| format!(" and contains {w}"));
                let finding = Finding::new(
                    &UNPARSEABLE,
                    at.clone(),
                    format!("EXEC runs SQL built at run time ({shown}){holds}, so twokey cannot tell what it destroys; a human must review it."),
                );
                findings.push(destroying_as(finding, word.as_deref()));
            }
        }
        Statement::RenameTable(renames) => {
            for r in renames.iter().filter(|r| !scratch(&r.old_name)) {
                findings.push(rename_table(at, &r.old_name, &r.new_name));
            }
        }
        // A view is read like a table, and a schema name qualifies every query into it:
        // renaming either breaks running code as a table rename does.
        Statement::AlterView(alter) if !scratch(&alter.name) => {
            let kind = if alter.materialized {
                "materialized view"
            } else {
                "view"
            };
            let name = &alter.name;
            let message = match &alter.operation {
                AlterViewOperation::RenameTo { new_name } => Some(format!("Renaming the {kind} {name} to {new_name} breaks every running query that still reads {name} until the new code is deployed.")),
                AlterViewOperation::SetSchema { schema_name } => Some(format!("Moving the {kind} {name} to the schema {schema_name} breaks every running query that still reads it under its old schema until the new code is deployed.")),
                AlterViewOperation::RenameColumn { old_column_name, new_column_name } => Some(format!("Renaming {name}.{old_column_name} to {new_column_name} breaks every running query of the {kind} that still reads {old_column_name} until the new code is deployed.")),
                _ => None,
            };
            findings.extend(message.map(|m| {
                Finding::new(&RENAME, at.clone(), m).with_safer(format!(
                    "Create the {kind} under its new name beside the old one, move the code over, then drop the old one in a later migration."
                ))
            }));
        }
        Statement::AlterSchema(alter) => {
            for op in &alter.operations {
                if let AlterSchemaOperation::Rename { name: new } = op {
                    let old = &alter.name;
                    findings.push(Finding::new(
                        &RENAME,
                        at.clone(),
                        format!("Renaming the schema {old} to {new} breaks every running query that names a table of {old} until the new code is deployed."),
                    ).with_safer(format!(
                        "Keep {old}: create {new}, move the tables one by one (ALTER TABLE … SET SCHEMA {new}) with a view left behind under the old name for each, then drop the views and {old} in a later migration."
                    )));
                }
            }
        }
        // Existing rows change value with the label: code that still writes or compares the
        // old label fails or silently matches nothing.
        Statement::AlterType(alter) => {
            if let AlterTypeOperation::RenameValue(rename) = &alter.operation {
                findings.push(Finding::new(
                    &RENAME,
                    at.clone(),
                    format!("Renaming the value {} of the type {} to {} rewrites it in every row that holds it: running code that still writes {} fails, and code comparing with it matches nothing.", rename.from, alter.name, rename.to, rename.from),
                ).with_safer(format!(
                    "Add the new value (ALTER TYPE {} ADD VALUE {}), deploy code that accepts both, move the rows over with an UPDATE, and stop using the old value; Postgres cannot drop an enum value, so leave it unused.",
                    alter.name, rename.to
                )));
            }
        }
        Statement::AlterTable(alter) if !scratch(&alter.name) => {
            findings.extend(check_alter(at, alter, scope));
        }
        Statement::Truncate(truncate) => {
            // CASCADE also empties every table whose foreign keys point here, and the tables
            // pointing at those: how far it reaches is not in the file, as with DROP TABLE
            // … CASCADE, which is critical for the same reason.
            let cascade = truncate.cascade == Some(CascadeOption::Cascade);
            for target in truncate.table_names.iter().filter(|t| !scratch(&t.name)) {
                let name = &target.name;
                let finding = if cascade {
                    Finding::new(
                        &TRUNCATE,
                        at.clone(),
                        format!("TRUNCATE {name} CASCADE removes every row of the table {name} and of every table that references it through a foreign key, transitively."),
                    )
                    .with_severity(Severity::Critical)
                    .with_safer(format!("Drop CASCADE and name each table to empty, so TRUNCATE refuses while another table still references {name}."))
                } else {
                    Finding::new(
                        &TRUNCATE,
                        at.clone(),
                        format!("TRUNCATE {name} removes every row of the table {name}."),
                    )
                };
                findings.push(finding);
            }
        }
        Statement::Delete(delete)
            if delete.selection.as_ref().is_none_or(always_true) && !joined(delete) =>
        {
            let tables = delete_targets(delete);
            if !tables
                .iter()
                .any(|t| scope.created_or_temporary(&t.to_ascii_lowercase()))
            {
                let name = tables
                    .first()
                    .cloned()
                    .unwrap_or_else(|| "the table".to_owned());
                findings.push(Finding::new(
                    &DELETE_WITHOUT_WHERE,
                    at.clone(),
                    format!(
                        "DELETE FROM {name} has no WHERE clause and removes every row of {name}."
                    ),
                ));
            }
        }
        Statement::Merge(merge) => findings.extend(merge_deletes(at, merge, scope)),
        // Snowflake, BigQuery and Databricks write `CREATE OR REPLACE TABLE` to create a
        // table; run against one that exists, it drops it with its rows. Whether it exists
        // is not in the file, so this is medium.
        Statement::CreateTable(create)
            if create.or_replace && !create.temporary && !scratch(&create.name) =>
        {
            let name = &create.name;
            findings.push(
                Finding::new(
                    &DROP_TABLE,
                    at.clone(),
                    format!("CREATE OR REPLACE TABLE {name} replaces the table {name} if it already exists: every row in it is gone (Snowflake keeps the old table in Time Travel only for its retention period)."),
                )
                .with_severity(Severity::Medium)
                .with_safer(format!("Create it with CREATE TABLE IF NOT EXISTS {name}, and change an existing table with ALTER TABLE; rebuild one under a new name and swap it in as its own reviewed step.")),
            );
        }
        // Snowflake (and Databricks for schemas): `CREATE OR REPLACE` of a schema or database
        // that exists drops it with every table in it. As for a table, whether it exists is
        // not in the file: one step below the plain drop.
        Statement::CreateSchema {
            schema_name,
            or_replace: true,
            ..
        } => findings.push(
            Finding::new(
                &DROP_SCHEMA,
                at.clone(),
                format!("CREATE OR REPLACE SCHEMA {schema_name} drops the schema {schema_name} if it already exists, with every table, view and row in it."),
            )
            .with_severity(Severity::High)
            .with_safer(format!("Create it with CREATE SCHEMA IF NOT EXISTS {schema_name}; replace an existing schema only by hand, after a backup (or a clone).")),
        ),
        Statement::CreateDatabase {
            db_name,
            or_replace: true,
            ..
        } => findings.push(
            Finding::new(
                &DROP_DATABASE,
                at.clone(),
                format!("CREATE OR REPLACE DATABASE {db_name} drops the database {db_name} if it already exists, with every schema, table and row in it."),
            )
            .with_severity(Severity::High)
            .with_safer(format!("Create it with CREATE DATABASE IF NOT EXISTS {db_name}; replace an existing database only by hand, after a backup (or a clone).")),
        ),
        // Hive, Spark, Databricks and BigQuery: the query's rows replace the table's (or
        // the named partitions').
        Statement::Insert(insert) if insert.overwrite => {
            let name = match &insert.table {
                TableObject::TableName(name) => name.to_string(),
                _ => "the table".to_owned(),
            };
            if !scope.created.contains(&name.to_ascii_lowercase()) {
                let (severity, what) = match &insert.partitioned {
                    Some(_) => (Severity::Medium, "the rows of the partitions it names"),
                    None => (Severity::High, "every row"),
                };
                findings.push(
                    Finding::new(
                        &TRUNCATE,
                        at.clone(),
                        format!("INSERT OVERWRITE replaces {what} of {name} with the query's result: rows the query does not return are deleted."),
                    )
                    .with_severity(severity),
                );
            }
        }
        Statement::Query(_) | Statement::Call(_) => {
            findings.extend(purge::purges(statement).into_iter().map(|p| {
                Finding::new(&BULK_PURGE, at.clone(), p.message).with_safer(format!(
                    "Archive what {} would remove first, and run it by hand once the archive is verified.",
                    p.function
                ))
            }));
        }
        Statement::Update(update)
            if update.selection.as_ref().is_none_or(always_true)
                && !inner_joined(std::slice::from_ref(&update.table)) =>
        {
            let name = table_name(&update.table);
            if !scope.created_or_temporary(&name.to_ascii_lowercase()) {
                findings.push(Finding::new(
                    &UPDATE_WITHOUT_WHERE,
                    at.clone(),
                    format!("UPDATE {name} has no WHERE clause and overwrites the assigned columns in every row of {name}."),
                ));
            }
        }
        _ => {}
    }
    findings
}

/// The rows a MERGE's DELETE clauses remove, described clause by clause, as one finding: a
/// MERGE has no WHERE clause to judge, and its ON condition bounds the matched rows only, so
/// any DELETE clause on a table the file did not create is reported.
fn merge_deletes(at: &Location, merge: &Merge, scope: &Scope) -> Option<Finding> {
    let (target, source) = (&merge.table, &merge.source);
    if let TableFactor::Table { name, .. } = target {
        if scope.scratch(name) {
            return None;
        }
    }
    let target = match target {
        TableFactor::Table { name, .. } => name.to_string(),
        other => other.to_string(),
    };
    let source = match source {
        TableFactor::Table { name, .. } => name.to_string(),
        _ => "its source".to_owned(),
    };
    let and = |predicate: &Option<Expr>| match predicate {
        Some(p) => format!(" and satisfies {p}"),
        None => String::new(),
    };
    let deletes: Vec<String> = merge
        .clauses
        .iter()
        .filter_map(|clause| match (&clause.clause_kind, &clause.action) {
            (MergeClauseKind::NotMatchedBySource, MergeAction::Delete { .. }) => Some(format!(
                "every row of {target} that {source} lacks{} (all of them if {source} is empty)",
                and(&clause.predicate)
            )),
            (_, MergeAction::Delete { .. }) => Some(format!(
                "every row of {target} that {source} matches{}",
                and(&clause.predicate)
            )),
            (_, MergeAction::Update(update)) => update
                .delete_predicate
                .as_ref()
                .map(|p| format!("every row of {target} it updates that then satisfies {p}")),
            _ => None,
        })
        .collect();
    if deletes.is_empty() {
        return None;
    }
    Some(Finding::new(
        &MERGE_DELETE,
        at.clone(),
        format!("MERGE INTO {target} deletes {}.", deletes.join(", and ")),
    ))
}

/// The name to rename a table to instead of dropping it: its own last part with
/// `_deprecated` inside the quotes (`"User"` → `"User_deprecated"`), unqualified as `RENAME
/// TO` wants it.
fn renamed_aside(name: &ObjectName) -> String {
    match name.0.last() {
        Some(ObjectNamePart::Identifier(last)) => Ident {
            value: format!("{}_deprecated", last.value),
            ..last.clone()
        }
        .to_string(),
        _ => format!("{name}_deprecated"),
    }
}

fn type_dropped(at: &Location, kind: &str, name: &ObjectName) -> Finding {
    let what = if kind == "EXTENSION" {
        "every column whose type the extension provides (PostGIS' geometry, hstore, citext…)"
    } else {
        "every column of that type"
    };
    Finding::new(
        &DROP_TYPE_CASCADE,
        at.clone(),
        format!("DROP {kind} {name} CASCADE drops {what}, with its data in every row."),
    )
}

fn rename_table(at: &Location, old: &ObjectName, new: &ObjectName) -> Finding {
    Finding::new(
        &RENAME,
        at.clone(),
        format!("Renaming the table {old} to {new} breaks every running query that still says {old} until the new code is deployed."),
    )
    .with_safer(format!(
        "Create a view named {new} over {old} (or the reverse) so both names work during the deploy, move the code over, then finish the rename in a later migration."
    ))
}

/// The operations of one `ALTER TABLE` on a table the file did not create.
fn check_alter(at: &Location, alter: &AlterTable, scope: &Scope) -> Vec<Finding> {
    let table = &alter.name;
    // Only drops and type changes look the table up; most ALTERs add a column.
    let key = std::cell::OnceCell::new();
    let key = || key.get_or_init(|| normalize_name(table)).as_str();
    let mut findings = Vec::new();
    let type_change = |column: &Ident, new_type: &DataType, findings: &mut Vec<Finding>| {
        findings.extend(type_changed(at, table, key(), column, new_type, scope));
    };
    for op in &alter.operations {
        match op {
            AlterTableOperation::DropColumn { column_names, .. } => {
                for column in column_names {
                    if scope
                        .added_columns
                        .contains(&(key().to_owned(), ident(column)))
                    {
                        continue;
                    }
                    if scope.computed.contains(&(key().to_owned(), ident(column))) {
                        findings.push(
                            Finding::new(
                                &DROP_COLUMN,
                                at.clone(),
                                format!("ALTER TABLE {table} DROP COLUMN {column} drops a generated column: its values are computed from other columns of {table}, so no data is lost, but queries that still read {column} fail until the new code is deployed."),
                            )
                            .with_severity(Severity::Medium)
                            .with_safer(format!(
                                "Stop reading {table}.{column} first, deploy, then drop it in a later migration; it can be added again with the same expression."
                            )),
                        );
                        continue;
                    }
                    findings.push(
                        Finding::new(
                            &DROP_COLUMN,
                            at.clone(),
                            format!("ALTER TABLE {table} DROP COLUMN {column} deletes the column {column} and its data in every row of {table}."),
                        )
                        .with_safer(format!(
                            "Stop reading and writing {table}.{column} first, deploy, back it up, then drop it in a later migration."
                        )),
                    );
                }
            }
            AlterTableOperation::DisableRowLevelSecurity => {
                findings.push(Finding::new(
                    &ROW_SECURITY_OFF,
                    at.clone(),
                    format!("ALTER TABLE {table} DISABLE ROW LEVEL SECURITY lets every client that can reach {table} read and write all of its rows, whatever its policies say."),
                ));
            }
            AlterTableOperation::DropConstraint { name, .. }
            | AlterTableOperation::DropForeignKey { name, .. } => {
                findings.push(Finding::new(
                    &DROP_CONSTRAINT,
                    at.clone(),
                    format!("ALTER TABLE {table} drops the constraint {name}: {table} stops refusing the rows it kept out."),
                ));
            }
            AlterTableOperation::DropPrimaryKey { .. } => {
                findings.push(Finding::new(
                    &DROP_CONSTRAINT,
                    at.clone(),
                    format!("ALTER TABLE {table} drops its primary key: duplicate rows become possible and foreign keys to it may go with it."),
                ));
            }
            AlterTableOperation::DropIndex { name } => {
                findings.push(Finding::new(
                    &DROP_INDEX,
                    at.clone(),
                    format!("ALTER TABLE {table} DROP INDEX {name} removes the index {name}: queries that used it may turn into full scans, and a unique index stops refusing duplicates."),
                ));
            }
            AlterTableOperation::RenameTable { table_name } => {
                let new = match table_name {
                    RenameTableNameKind::As(n) | RenameTableNameKind::To(n) => n,
                };
                findings.push(rename_table(at, table, new));
            }
            // Hive, Spark and Databricks: a managed table's partition is deleted with its
            // files. (MySQL's and ClickHouse's `DROP PARTITION`, which sqlparser does not
            // read, meet the same severity through their DROP.)
            AlterTableOperation::DropPartitions { partitions, .. } => {
                let list: Vec<String> = partitions.iter().map(ToString::to_string).collect();
                findings.push(Finding::new(
                    &TRUNCATE,
                    at.clone(),
                    format!("ALTER TABLE {table} DROP PARTITION ({}) deletes every row of those partitions of {table}.", list.join(", ")),
                ));
            }
            // ClickHouse moves a detached partition's files aside (ATTACH brings them back);
            // Postgres leaves the partition as a table of its own. Either way its rows leave
            // every query of the table.
            AlterTableOperation::DetachPartition { .. } | AlterTableOperation::DetachPartitionOf { .. } => {
                findings.push(
                    Finding::new(
                        &TRUNCATE,
                        at.clone(),
                        format!("ALTER TABLE {table} {op} takes that partition's rows out of {table}: queries of {table} no longer see them (they are kept aside, to be attached again or dropped)."),
                    )
                    .with_severity(Severity::Medium),
                );
            }
            AlterTableOperation::SetTblProperties { table_properties } => {
                for s in retention::shortened(table_properties) {
                    findings.push(Finding::new(
                        &RETENTION_SHORTENED,
                        at.clone(),
                        format!("ALTER TABLE {table} sets {} to {}, shorter than Delta's default (or a value twokey cannot read): the next VACUUM deletes the files older versions of {table} need, and time travel or RESTORE to them fails.", s.property, s.value),
                    ));
                }
            }
            // Snowflake's swap exchanges the two tables' names: every query of either reads
            // the other's rows from then on, which is what a rename does to running code.
            AlterTableOperation::SwapWith { table_name } => findings.push(
                Finding::new(
                    &RENAME,
                    at.clone(),
                    format!("ALTER TABLE {table} SWAP WITH {table_name} exchanges the two tables: queries of {table} read the rows {table_name} held and the reverse, and a second run swaps them back."),
                )
                .with_safer(format!(
                    "Check {table_name} holds every row {table} must keep (row counts, a sample) right before the swap, and keep the swapped-out table until the new one is verified."
                )),
            ),
            AlterTableOperation::RenameColumn {
                old_column_name,
                new_column_name,
            } => findings.push(rename_column(at, table, old_column_name, new_column_name)),
            AlterTableOperation::ChangeColumn {
                old_name,
                new_name,
                data_type,
                ..
            } => {
                if ident(old_name) != ident(new_name) {
                    findings.push(rename_column(at, table, old_name, new_name));
                }
                type_change(old_name, data_type, &mut findings);
            }
            AlterTableOperation::ModifyColumn {
                col_name,
                data_type,
                ..
            } => type_change(col_name, data_type, &mut findings),
            AlterTableOperation::AlterColumn {
                column_name,
                op: AlterColumnOperation::SetDataType { data_type, .. },
            } => type_change(column_name, data_type, &mut findings),
            AlterTableOperation::AlterColumn {
                column_name,
                op: AlterColumnOperation::SetNotNull,
            } => findings.push(Finding::new(
                &NOT_NULL_WITHOUT_DEFAULT,
                at.clone(),
                format!("ALTER TABLE {table} ALTER COLUMN {column_name} SET NOT NULL checks every row of {table} under a lock that blocks writes, and fails the migration if any row holds NULL."),
            )),
            AlterTableOperation::AddColumn { column_def, .. } if not_null_without_default(column_def) => {
                let column = &column_def.name;
                findings.push(Finding::new(
                    &NOT_NULL_WITHOUT_DEFAULT,
                    at.clone(),
                    format!("ALTER TABLE {table} ADD COLUMN {column} is NOT NULL without a DEFAULT: on a table with rows the migration fails (or, in MySQL, fills every row with an implicit zero or empty value)."),
                ).with_safer(format!(
                    "Add {column} with a DEFAULT, or nullable; backfill it; then make it NOT NULL."
                )));
            }
            _ => {}
        }
    }
    findings
}

fn rename_column(at: &Location, table: &ObjectName, old: &Ident, new: &Ident) -> Finding {
    Finding::new(
        &RENAME,
        at.clone(),
        format!("Renaming {table}.{old} to {new} breaks every running query that still reads or writes {old} until the new code is deployed."),
    )
    .with_safer(format!(
        "Add {new} beside {old}, write to both, backfill, move readers to {new}, then drop {old} in a later migration."
    ))
}

/// A column added NOT NULL with nothing to fill existing rows: no DEFAULT, not generated,
/// not a serial or identity column.
fn not_null_without_default(column: &ColumnDef) -> bool {
    let not_null = column.options.iter().any(|o| {
        matches!(
            o.option,
            ColumnOption::NotNull | ColumnOption::PrimaryKey(_)
        )
    });
    let filled = column.options.iter().any(|o| {
        matches!(
            o.option,
            ColumnOption::Default(_)
                | ColumnOption::Generated { .. }
                | ColumnOption::Materialized(_)
                | ColumnOption::Alias(_)
                | ColumnOption::DialectSpecific(_)
        )
    });
    let serial = column
        .data_type
        .to_string()
        .to_ascii_lowercase()
        .contains("serial");
    not_null && !filled && !serial
}

/// A column's type changed: narrowing when the old type is known and values can be lost;
/// medium when twokey cannot see the old type or cannot judge the conversion.
fn type_changed(
    at: &Location,
    table: &ObjectName,
    key: &str,
    column: &Ident,
    new_type: &DataType,
    scope: &Scope,
) -> Option<Finding> {
    let finding = match scope.old_type(key, column) {
        // `ALTER TYPE mood RENAME TO mood_old; CREATE TYPE mood AS ENUM (…)`: the column keeps
        // the name of its type but moves to a new one, which may lack some of the old values.
        Some(old)
            if types::compare(old, new_type) == Verdict::Same
                && scope
                    .types_renamed_aside
                    .contains(&new_type.to_string().to_lowercase()) =>
        {
            Finding::new(
                &COLUMN_TYPE_NARROWED,
                at.clone(),
                format!("ALTER TABLE {table} moves {table}.{column} onto a new type {new_type}, created after the old {new_type} was renamed aside in this file: rows holding a value the new type lacks fail the change, or take whatever the USING clause maps them to."),
            )
            .with_severity(Severity::Medium)
        }
        Some(old) => type_change_finding(
            at,
            &format!("ALTER TABLE {table} changes {table}.{column}"),
            old,
            new_type,
        )?,
        None if types::holds_any_text(new_type) => return None,
        None => Finding::new(
            &COLUMN_TYPE_NARROWED,
            at.clone(),
            format!("ALTER TABLE {table} changes the type of {table}.{column} to {new_type}; the column is declared outside this file, so twokey cannot see its old type: the change may lose data, check it does not narrow."),
        )
        .with_severity(Severity::Medium),
    };
    Some(finding.with_safer(format!(
        "Add a new column of type {new_type} beside {column}, backfill it while checking for values that do not fit, switch the code over, then drop {column} later."
    )))
}

/// A WHERE clause that filters nothing: `WHERE true`, `WHERE 1`, `WHERE 1 = 1`, `WHERE 'a' =
/// 'a'`, or one of those OR anything.
fn always_true(expr: &Expr) -> bool {
    match expr {
        Expr::Nested(inner) => always_true(inner),
        Expr::Value(v) => match &v.value {
            Value::Boolean(b) => *b,
            Value::Number(n, _) => n.parse::<f64>().is_ok_and(|n| n != 0.0),
            _ => false,
        },
        Expr::BinaryOp { left, op, right } => match op {
            BinaryOperator::Or => always_true(left) || always_true(right),
            BinaryOperator::And => always_true(left) && always_true(right),
            BinaryOperator::Eq => {
                matches!((left.as_ref(), right.as_ref()), (Expr::Value(l), Expr::Value(r)) if l.value == r.value && l.value != Value::Null)
            }
            _ => false,
        },
        _ => false,
    }
}

/// The finding for a column's type going from `old` to `new`, as [`types::compare`] judges it
/// (`None` when it widens or stays); `said` names the change ("ALTER TABLE t changes t.c").
fn type_change_finding(
    at: &Location,
    said: &str,
    old: &DataType,
    new: &DataType,
) -> Option<Finding> {
    Some(match types::compare(old, new) {
        Verdict::Same | Verdict::Widens => return None,
        Verdict::Narrows(reason) => Finding::new(
            &COLUMN_TYPE_NARROWED,
            at.clone(),
            format!("{said} from {old} to {new}, which narrows it: {reason}."),
        ),
        Verdict::Unclear => Finding::new(
            &COLUMN_TYPE_NARROWED,
            at.clone(),
            format!("{said} from {old} to {new}; twokey cannot tell whether every value converts, so check the change for narrowing."),
        )
        .with_severity(Severity::Medium),
    })
}

fn delete_from(delete: &sqlparser::ast::Delete) -> &[TableWithJoins] {
    match &delete.from {
        FromTable::WithFromKeyword(t) | FromTable::WithoutKeyword(t) => t,
    }
}

/// MySQL's `DELETE t FROM t JOIN u ON …`: an inner join deletes only the rows that match.
fn joined(delete: &sqlparser::ast::Delete) -> bool {
    inner_joined(delete_from(delete))
}

/// Whether `tables` inner-join another table on a condition, which bounds the rows a MySQL
/// multi-table DELETE or UPDATE touches to those that match, as Postgres' `UPDATE … FROM …
/// WHERE` is bounded by its WHERE.
fn inner_joined(tables: &[TableWithJoins]) -> bool {
    tables.iter().flat_map(|t| &t.joins).any(|join| {
        matches!(
            &join.join_operator,
            JoinOperator::Join(c) | JoinOperator::Inner(c)
                if matches!(c, JoinConstraint::On(_) | JoinConstraint::Using(_))
        )
    })
}

/// The tables a DELETE empties, by their names rather than the aliases `DELETE u FROM users
/// u …` names them by.
fn delete_targets(delete: &sqlparser::ast::Delete) -> Vec<String> {
    let from = delete_from(delete);
    if delete.tables.is_empty() {
        return from.iter().map(table_name).collect();
    }
    let aliased = |target: &ObjectName| {
        let target = normalize_name(target);
        from.iter()
            .flat_map(|t| std::iter::once(&t.relation).chain(t.joins.iter().map(|j| &j.relation)))
            .find_map(|relation| match relation {
                TableFactor::Table {
                    name,
                    alias: Some(alias),
                    ..
                } if alias.name.value.to_lowercase() == target => Some(normalize_name(name)),
                _ => None,
            })
            .unwrap_or(target)
    };
    delete.tables.iter().map(aliased).collect()
}

fn table_name(table: &TableWithJoins) -> String {
    match &table.relation {
        TableFactor::Table { name, .. } => normalize_name(name),
        other => other.to_string(),
    }
}

#[cfg(test)]
mod tests;

/// Checks SQL text embedded in another file (an ORM migration): every destructive statement
/// it holds, with its line in `text`. Text that does not parse yields nothing: the caller
/// decides whether that needs a human. The `at` closure turns lines in `text` into a location.
pub(crate) fn check_statements(
    view: &FileView,
    text: &str,
    at: &dyn Fn(u32, u32) -> Location,
) -> Vec<Finding> {
    let Ok((_, statements)) = parse_any(text, &dialect_for(view).fallbacks()) else {
        return Vec::new();
    };
    let mut scope = Scope {
        rebuilt: rebuild::rebuilt_tables(statements.read.iter().map(|l| &*l.statement)),
        redefined_views: view_swap::redefined_views(statements.read.iter().map(|l| &*l.statement)),
        ..Scope::default()
    };
    let mut findings = Vec::new();
    for located in &statements.read {
        for mut f in check(view, located, &scope) {
            f.location = at(located.line, located.end_line);
            findings.push(f);
        }
        scope.note(&located.statement);
    }
    // SQL inside code is often a template (`%s`, `{table}`) that no parser reads: only a
    // statement that may destroy needs a human there.
    findings.extend(
        statements
            .unread
            .iter()
            .filter(|u| u.destroying.is_some() || u.relocations.is_some())
            .flat_map(|u| unread_findings(view, u, &scope, at)),
    );
    findings
}

/// Whether SQL embedded in another file parses with the dialects the file would be read with.
pub(crate) fn parses(view: &FileView, text: &str) -> bool {
    parse_any(text, &dialect_for(view).fallbacks()).is_ok()
}
