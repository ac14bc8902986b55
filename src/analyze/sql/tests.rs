use super::*;
use crate::analyze::files::testkit::Case;
use proptest::prelude::*;

fn run_with(path: &str, old: Option<&str>, new: Option<&str>, dialect: &str) -> Vec<Finding> {
    let mut case = match (old, new) {
        (Some(old), Some(new)) => Case::modified(path, old, new),
        (None, Some(new)) => Case::added(path, new),
        (Some(old), None) => Case::deleted(path, old),
        (None, None) => unreachable!("a change has at least one side"),
    };
    case.options.sql_dialect = dialect.to_owned();
    case.run(analyze)
}

/// A modified migration, read with the generic dialect.
fn diff(old: &str, new: &str) -> Vec<Finding> {
    run_with("db/migrations/001.sql", Some(old), Some(new), "generic")
}

/// A brand-new migration.
fn added(new: &str) -> Vec<Finding> {
    run_with("db/migrations/002.sql", None, Some(new), "generic")
}

fn ids(findings: &[Finding]) -> Vec<&'static str> {
    findings.iter().map(|f| f.rule.as_str()).collect()
}

#[test]
fn new_migration_dropping_a_table_is_reported_at_its_line() {
    let f = added("CREATE INDEX i ON orders (id);\n\n-- goodbye\nDROP TABLE users;\n");
    assert_eq!(ids(&f), ["sql/drop-table"]);
    assert_eq!(f[0].location.line, Some(4));
    assert_eq!(f[0].location.side, Side::Head);
    assert_eq!(f[0].severity, Severity::High);
    assert!(f[0].message.contains("users"), "{}", f[0].message);
    assert!(f[0]
        .safer
        .as_deref()
        .unwrap_or("")
        .contains("users_deprecated"));
}

#[test]
fn drop_table_cascade_is_critical() {
    let f = added("DROP TABLE IF EXISTS accounts CASCADE;");
    assert_eq!(ids(&f), ["sql/drop-table"]);
    assert_eq!(f[0].severity, Severity::Critical);
    assert!(f[0].message.contains("CASCADE"));
}

#[test]
fn every_table_in_a_multi_table_drop_is_named() {
    let f = added("DROP TABLE a, b;");
    assert_eq!(f.len(), 2);
    assert!(f[0].message.contains(" a ") && f[1].message.contains(" b "));
}

fn flyway_after_init(new: &str) -> Vec<Finding> {
    let init = "CREATE TABLE customers (id BIGINT PRIMARY KEY, email VARCHAR(100) NOT NULL);\n";
    Case::added("db/migration/V3__email.sql", new)
        .with_file(Side::Head, "db/migration/V1__init.sql", init)
        .with_file(
            Side::Head,
            "db/migration/V2__notes.sql",
            "ALTER TABLE customers ADD COLUMN note TEXT;\n",
        )
        .with_file(
            Side::Head,
            "db/migration/V10__later.sql",
            "ALTER TABLE customers ALTER COLUMN email TYPE VARCHAR(20);\n",
        )
        .run(analyze)
}

#[test]
fn a_prisma_migration_is_compared_with_the_migrations_in_the_directories_before_it() {
    let init = "CREATE TABLE \"User\" (\n  \"id\" SERIAL NOT NULL,\n  \"name\" VARCHAR(100) NOT NULL\n);\n";
    let run = |to: &str| {
        Case::added(
            "prisma/migrations/20240201000000_name/migration.sql",
            &format!("ALTER TABLE \"User\" ALTER COLUMN \"name\" SET DATA TYPE VARCHAR({to});\n"),
        )
        .with_file(
            Side::Head,
            "prisma/migrations/20240101000000_init/migration.sql",
            init,
        )
        .with_file(
            Side::Head,
            "prisma/migrations/20240301000000_later/migration.sql",
            "ALTER TABLE \"User\" ALTER COLUMN \"name\" SET DATA TYPE VARCHAR(10);\n",
        )
        .run(analyze)
    };
    assert!(ids(&run("255")).is_empty());
    let f = run("50");
    assert_eq!(ids(&f), ["sql/column-type-narrowed"]);
    // The later migration is no history; the first one's VARCHAR(100) is the old type.
    assert!(f[0].message.contains("VARCHAR(100)"), "{}", f[0].message);
}

#[test]
fn a_column_widened_after_an_earlier_migration_declared_it_is_quiet() {
    assert!(ids(&flyway_after_init(
        "ALTER TABLE customers ALTER COLUMN email TYPE VARCHAR(255);\n"
    ))
    .is_empty());
}

#[test]
fn a_column_narrowed_after_an_earlier_migration_declared_it_is_still_reported() {
    let f = flyway_after_init("ALTER TABLE customers ALTER COLUMN email TYPE VARCHAR(50);\n");
    assert_eq!(ids(&f), ["sql/column-type-narrowed"]);
    // The later V10 does not count as history; V1's VARCHAR(100) is the old type.
    assert!(f[0].message.contains("100"), "{}", f[0].message);
    // Without the earlier files, the old type is unknown and the change still needs a look.
    assert_eq!(
        ids(&added(
            "ALTER TABLE customers ALTER COLUMN email TYPE VARCHAR(255);"
        )),
        ["sql/column-type-narrowed"]
    );
}

#[test]
fn a_view_dropped_and_defined_again_in_the_same_file_is_quiet() {
    // A Flyway repeatable migration changing a view's columns, which CREATE OR REPLACE cannot.
    let swap = "DROP VIEW IF EXISTS active_customers;\nCREATE VIEW active_customers AS SELECT id, email FROM customers;\n";
    assert!(ids(&added(swap)).is_empty());
    // The view that goes for good, its dependents taken by CASCADE, and a materialized view
    // whose rows must be computed again are still drops.
    assert_eq!(
        ids(&added("DROP VIEW IF EXISTS active_customers;\nCREATE VIEW recent_customers AS SELECT id FROM customers;\n")),
        ["sql/drop-view"]
    );
    assert_eq!(
        ids(&added("DROP VIEW active_customers CASCADE;\nCREATE VIEW active_customers AS SELECT id FROM customers;\n")),
        ["sql/drop-view"]
    );
    assert_eq!(
        ids(&added(
            "DROP MATERIALIZED VIEW revenue;\nCREATE MATERIALIZED VIEW revenue AS SELECT 1;\n"
        )),
        ["sql/drop-view"]
    );
}

#[test]
fn dropping_a_view_or_index_is_not_a_table_drop() {
    let f = added("DROP VIEW v;\nDROP MATERIALIZED VIEW mv;\nDROP INDEX i;");
    assert_eq!(
        ids(&f),
        ["sql/drop-view", "sql/drop-view", "sql/drop-index"]
    );
    assert_eq!(f[0].severity, Severity::Medium);
    assert!(
        f[1].message.contains("materialized view mv"),
        "{}",
        f[1].message
    );
    assert_eq!(f[2].severity, Severity::Low);
    assert_eq!(f[2].tags, vec![Tag::Infra], "an index holds no data");
    assert_eq!(f[2].location.line, Some(3));
}

#[test]
fn unchanged_existing_drop_is_not_reported_again() {
    let base = "DROP TABLE legacy;\n";
    let head = "DROP TABLE legacy;\nCREATE TABLE t (id INT);\n";
    assert!(diff(base, head).is_empty());
}

#[test]
fn comment_and_whitespace_edits_produce_nothing() {
    let base = "-- old comment\nDROP TABLE legacy;\nDELETE FROM sessions;\n";
    let head = "/* rewritten */\n\n  drop   table legacy ;\n-- note\ndelete from sessions;";
    assert!(diff(base, head).is_empty());
}

#[test]
fn a_second_copy_of_an_existing_statement_is_new() {
    let f = diff("TRUNCATE t;\n", "TRUNCATE t;\nTRUNCATE t;\n");
    assert_eq!(ids(&f), ["sql/truncate"]);
    assert_eq!(f[0].location.line, Some(2));
}

#[test]
fn a_copy_inserted_above_an_existing_statement_is_the_new_one() {
    let mut case = Case::modified(
        "db/migrations/001.sql",
        "SELECT 1;\nTRUNCATE t;\n",
        "TRUNCATE t;\nSELECT 1;\nTRUNCATE t;\n",
    )
    .with_hunk(0, 0, 1, 1);
    case.options.sql_dialect = "generic".to_owned();
    let f = case.run(analyze);
    assert_eq!(ids(&f), ["sql/truncate"]);
    assert_eq!(f[0].location.line, Some(1));
}

#[test]
fn temp_table_created_and_dropped_in_the_same_file_is_not_reported() {
    let f = added(
        "CREATE TEMPORARY TABLE tmp_ids (id INT);\nINSERT INTO tmp_ids SELECT id FROM users;\n\
         DELETE FROM tmp_ids;\nTRUNCATE tmp_ids;\nDROP TABLE tmp_ids;\n",
    );
    assert!(f.is_empty(), "{f:?}");
}

#[test]
fn dropping_before_recreating_is_reported() {
    // The classic "recreate" migration destroys the existing table's rows.
    let f = added("DROP TABLE IF EXISTS users;\nCREATE TABLE users (id INT);\n");
    assert_eq!(ids(&f), ["sql/drop-table"]);
}

#[test]
fn create_if_not_exists_does_not_make_a_table_scratch() {
    let f = added("CREATE TABLE IF NOT EXISTS users (id INT);\nDROP TABLE users;\n");
    assert_eq!(ids(&f), ["sql/drop-table"]);
}

#[test]
fn drop_database_and_schema_are_critical() {
    let f = added("DROP DATABASE analytics;\nDROP SCHEMA reporting CASCADE;\n");
    assert_eq!(ids(&f), ["sql/drop-database", "sql/drop-schema"]);
    assert!(f.iter().all(|f| f.severity == Severity::Critical));
    assert!(f[0].message.contains("analytics"));
    assert!(f[1].message.contains("reporting") && f[1].message.contains("CASCADE"));
    assert_eq!(f[1].location.line, Some(2));
}

#[test]
fn creating_a_schema_is_not_a_finding() {
    assert!(added("CREATE SCHEMA reporting;\nCREATE DATABASE x;").is_empty());
}

#[test]
fn drop_column_names_table_and_column() {
    let f = added("ALTER TABLE users\n  DROP COLUMN email;\n");
    assert_eq!(ids(&f), ["sql/drop-column"]);
    assert!(f[0].message.contains("users") && f[0].message.contains("email"));
    assert_eq!(
        (f[0].location.line, f[0].location.end_line),
        (Some(1), Some(2))
    );
}

#[test]
fn adding_a_column_is_quiet_and_renaming_one_is_a_rename() {
    assert!(added("ALTER TABLE users ADD COLUMN email TEXT;").is_empty());
    let f =
        added("ALTER TABLE users ADD COLUMN email TEXT;\nALTER TABLE users RENAME COLUMN a TO b;");
    assert_eq!(ids(&f), ["sql/rename"]);
    assert_eq!(f[0].location.line, Some(2));
    assert_eq!(f[0].severity, Severity::Medium);
    assert!(f[0].tags.contains(&Tag::Destructive));
    assert!(
        f[0].message.contains("users.a") && f[0].message.contains(" b "),
        "{}",
        f[0].message
    );
}

#[test]
fn renaming_a_view_schema_or_enum_value_is_a_rename() {
    let sql = "ALTER VIEW active_users RENAME TO current_users;\n\
               ALTER MATERIALIZED VIEW monthly RENAME TO monthly_v2;\n\
               ALTER VIEW report SET SCHEMA archive;\n\
               ALTER VIEW report RENAME COLUMN total TO amount;\n\
               ALTER SCHEMA app RENAME TO app_v1;\n\
               ALTER TYPE mood RENAME VALUE 'sad' TO 'unhappy';\n";
    let f = run_with("db/m.sql", None, Some(sql), "postgres");
    assert_eq!(ids(&f), ["sql/rename"; 6]);
    assert!(f.iter().all(|f| f.severity == Severity::Medium));
    let lines: Vec<_> = f.iter().map(|f| f.location.line).collect();
    assert_eq!(lines, (1..=6).map(Some).collect::<Vec<_>>());
    assert!(
        f[1].message.contains("materialized view monthly"),
        "{}",
        f[1].message
    );
    assert!(f[5].message.contains("'sad'"), "{}", f[5].message);
    // Changing an owner or an option, adding an enum value, or renaming a view this file
    // creates breaks no running query.
    let quiet = "ALTER VIEW v OWNER TO app;\n\
                 ALTER SCHEMA app OWNER TO admin;\n\
                 ALTER TYPE mood ADD VALUE 'meh';\n\
                 CREATE VIEW fresh AS SELECT 1 AS a;\n\
                 ALTER VIEW fresh RENAME TO fresher;\n";
    let f = run_with("db/m.sql", None, Some(quiet), "postgres");
    assert_eq!(ids(&f), Vec::<&str>::new());
}

#[test]
fn valid_forms_sqlparser_rejects_are_judged_as_their_plain_statements() {
    // The lock-free index drop migration guides recommend is an index drop, not a statement
    // twokey cannot read.
    let f = run_with(
        "db/m.sql",
        None,
        Some("DROP INDEX CONCURRENTLY IF EXISTS idx_orders_day;\nDROP INDEX CONCURRENTLY idx_b;\n"),
        "postgres",
    );
    assert_eq!(ids(&f), ["sql/drop-index", "sql/drop-index"]);
    assert_eq!(f[1].location.line, Some(2));
    // One the same file creates is scratch, as without CONCURRENTLY.
    let f = run_with(
        "db/m.sql",
        None,
        Some("CREATE INDEX CONCURRENTLY idx_c ON t (c);\nDROP INDEX CONCURRENTLY idx_c;\n"),
        "postgres",
    );
    assert_eq!(ids(&f), Vec::<&str>::new());
    let f = run_with(
        "db/m.sql",
        None,
        Some("DROP DATABASE IF EXISTS legacy WITH (FORCE);\n"),
        "postgres",
    );
    assert_eq!(ids(&f), ["sql/drop-database"]);
    assert_eq!(f[0].severity, Severity::Critical);
    // Moving a table to another schema breaks the queries that name it, as a rename does.
    let f = run_with(
        "db/m.sql",
        None,
        Some("ALTER TABLE users SET SCHEMA archive;\n"),
        "postgres",
    );
    assert_eq!(ids(&f), ["sql/rename"]);
    assert!(f[0].message.contains("archive.users"), "{}", f[0].message);
    // T-SQL changes a column's type with a bare ALTER COLUMN: judged against the old type.
    let base = "CREATE TABLE dbo.Users (Name NVARCHAR(200) NULL);\nGO\n";
    let narrowed =
        format!("{base}ALTER TABLE [dbo].[Users] ALTER COLUMN [Name] NVARCHAR(50) NOT NULL;\nGO\n");
    let f = run_with("db/mssql/001.sql", Some(base), Some(&narrowed), "mssql");
    assert_eq!(ids(&f), ["sql/column-type-narrowed"]);
    assert_eq!(f[0].severity, Severity::High);
    let widened =
        format!("{base}ALTER TABLE dbo.Users ALTER COLUMN Name NVARCHAR(400) NULL;\nGO\n");
    let f = run_with("db/mssql/001.sql", Some(base), Some(&widened), "mssql");
    assert_eq!(ids(&f), Vec::<&str>::new());
}

#[test]
fn truncate_is_reported_and_select_is_not() {
    assert_eq!(ids(&added("TRUNCATE TABLE sessions;")), ["sql/truncate"]);
    assert!(added("SELECT count(*) FROM sessions;").is_empty());
}

#[test]
fn truncate_cascade_is_critical_like_drop_table_cascade() {
    let f = added("TRUNCATE a, b CASCADE;");
    assert_eq!(ids(&f), ["sql/truncate", "sql/truncate"]);
    assert!(f.iter().all(|f| f.severity == Severity::Critical));
    assert!(f[0].message.contains("references it"), "{}", f[0].message);
    // Without CASCADE (or with RESTRICT) the database refuses while other tables reference it.
    for sql in ["TRUNCATE a;", "TRUNCATE TABLE a RESTRICT;"] {
        let f = added(sql);
        assert_eq!(ids(&f), ["sql/truncate"], "{sql}");
        assert_eq!(f[0].severity, Severity::High, "{sql}");
    }
}

#[test]
fn delete_without_where_is_reported_and_with_where_is_not() {
    let f = added("DELETE FROM orders;");
    assert_eq!(ids(&f), ["sql/delete-without-where"]);
    assert!(f[0].message.contains("orders"));
    assert!(added("DELETE FROM orders WHERE created_at < '2020-01-01';").is_empty());
}

#[test]
fn a_mysql_update_bounded_by_an_inner_join_is_quiet() {
    // The join picks the rows, as WHERE does in Postgres' UPDATE … FROM … WHERE.
    for sql in [
        "UPDATE users u JOIN accounts a ON a.user_id = u.id SET u.plan = a.plan;",
        "UPDATE users INNER JOIN accounts USING (user_id) SET users.plan = accounts.plan;",
    ] {
        let f = run_with("db/mysql/001.sql", None, Some(sql), "mysql");
        assert_eq!(ids(&f), Vec::<&str>::new(), "{sql}");
    }
    // An outer join keeps every row of users, so every row is overwritten.
    let sql = "UPDATE users u LEFT JOIN accounts a ON a.user_id = u.id SET u.plan = 'free';";
    let f = run_with("db/mysql/001.sql", None, Some(sql), "mysql");
    assert_eq!(ids(&f), ["sql/update-without-where"]);
}

#[test]
fn update_without_where_is_reported_and_with_where_is_not() {
    let f = added("UPDATE users SET role = 'user';");
    assert_eq!(ids(&f), ["sql/update-without-where"]);
    assert!(f[0].message.contains("users"));
    assert!(added("UPDATE users SET role = 'user' WHERE role IS NULL;").is_empty());
}

#[test]
fn adding_a_where_clause_to_an_existing_delete_is_quiet() {
    assert!(diff("DELETE FROM t;", "DELETE FROM t WHERE id = 1;").is_empty());
}

#[test]
fn broken_sql_is_unparseable_with_its_line() {
    let f = added("CREATE TABLE t (id INT);\nDROP TABLE users (;\n");
    assert_eq!(ids(&f), ["sql/unparseable"]);
    assert_eq!(f[0].location.line, Some(2));
    // It still says DROP: as destructive as a drop that parses.
    assert_eq!(f[0].tags, vec![Tag::Destructive, Tag::Infra]);
    let f = added("CREATE TABLE t (id INT);\nCREATE TABLE u (id INT;\n");
    assert_eq!(ids(&f), ["sql/unparseable"]);
    assert_eq!(f[0].tags, vec![Tag::Infra]);
}

#[test]
fn a_do_block_without_destroying_words_is_read_around_and_quiet() {
    let sql = "CREATE TABLE t (id INT);\nDO $$\nBEGIN\n  IF NOT EXISTS (SELECT 1 FROM pg_type WHERE typname = 's') THEN\n    CREATE TYPE s AS ENUM ('a');\n  END IF;\nEND\n$$;\nDROP TABLE users;\n";
    let f = run_with("db/m.sql", None, Some(sql), "postgres");
    // The statements around the block are still read: the drop after it is reported.
    assert_eq!(ids(&f), ["sql/drop-table"]);
    assert_eq!(f[0].location.line, Some(9));
}

#[test]
fn a_do_block_that_drops_or_runs_built_sql_needs_a_human_at_its_lines() {
    for body in [
        "DROP TABLE old_users;",
        "EXECUTE format('%s TABLE t', 'DR' || 'OP');",
    ] {
        let sql = format!("SELECT 1;\nDO $$\nBEGIN\n  {body}\nEND\n$$;\n");
        let f = run_with("db/m.sql", None, Some(&sql), "postgres");
        assert_eq!(ids(&f), ["sql/unparseable"], "{body}");
        assert_eq!(
            (f[0].location.line, f[0].location.end_line),
            (Some(2), Some(6))
        );
        let word = if body.starts_with("DROP") {
            "DROP"
        } else {
            "EXECUTE"
        };
        assert!(f[0].message.contains(word), "{}", f[0].message);
    }
}

#[test]
fn a_do_block_granting_update_and_delete_privileges_is_quiet() {
    let sql = "DO $g$ BEGIN\n  IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'svc') THEN\n    GRANT SELECT, INSERT, UPDATE, DELETE ON crm.books TO svc;\n    GRANT TRUNCATE ON crm.items TO svc;\n  END IF;\nEND $g$;\n";
    let f = run_with("db/m.sql", None, Some(sql), "postgres");
    assert_eq!(ids(&f), Vec::<&str>::new());
}

#[test]
fn a_do_block_that_grants_and_then_deletes_rows_still_needs_a_human() {
    for (statement, word) in [
        ("DELETE FROM crm.books;", "DELETE"),
        ("TRUNCATE crm.items;", "TRUNCATE"),
        ("UPDATE crm.books SET n = 0;", "UPDATE"),
    ] {
        let sql = format!(
            "DO $$ BEGIN\n  GRANT UPDATE, DELETE ON crm.books TO svc;\n  {statement}\nEND $$;\n"
        );
        let f = run_with("db/m.sql", None, Some(&sql), "postgres");
        assert_eq!(ids(&f), ["sql/unparseable"], "{statement}");
        assert!(f[0].message.contains(word), "{}", f[0].message);
    }
}

#[test]
fn psql_meta_commands_end_at_their_line_and_only_includes_need_a_human() {
    let f = added("\\set ON_ERROR_STOP on\n\\connect app\nDROP TABLE users;\n");
    assert_eq!(ids(&f), ["sql/drop-table"]);
    assert_eq!(f[0].location.line, Some(3));
    let f = added("\\i cleanup.sql\nCREATE TABLE t (id INT);\n");
    assert_eq!(ids(&f), ["sql/unparseable"]);
    assert!(f[0].message.contains("\\i"), "{}", f[0].message);
    assert_eq!(f[0].location.line, Some(1));
}

#[test]
fn copy_rows_from_stdin_are_skipped_up_to_the_end_marker() {
    let sql = "ALTER SEQUENCE public.s OWNED BY public.t.id;\nCOPY public.t (id, name) FROM stdin;\n1\tdrop\n2\tdelete\n\\.\nDROP TABLE public.t;\n";
    let f = run_with("db/dump.sql", None, Some(sql), "postgres");
    // The rows mention "drop" and "delete" as data, which destroys nothing.
    assert_eq!(ids(&f), ["sql/drop-table"]);
    assert_eq!(f[0].location.line, Some(6));
}

#[test]
fn foreign_key_actions_trigger_events_and_trigger_functions_are_not_destroying_words() {
    let words = |sql: &str| {
        let (_, parsed) = parse_any(sql, &[DialectName::Postgres]).expect("tokenizes");
        assert_eq!(parsed.unread.len(), 1, "{sql}");
        parsed.unread[0].destroying.clone()
    };
    assert_eq!(
        words("CREATE TABLE o (u INT REFERENCES users (id) ON DELETE CASCADE ON UPDATE SET NULL FROBNICATE);"),
        None
    );
    assert_eq!(
        words("CREATE TRIGGER t BEFORE INSERT OR UPDATE OR DELETE ON users FOR EACH ROW FROBNICATE EXECUTE FUNCTION f();"),
        None
    );
    assert_eq!(
        words("CREATE TRIGGER t AFTER INSERT ON u FROBNICATE EXECUTE 'x';"),
        Some("EXECUTE".to_owned())
    );
    assert_eq!(
        words("ALTER TABLE t ALTER COLUMN c TYPE int FROBNICATE;"),
        Some("ALTER TABLE … TYPE".to_owned())
    );
    assert_eq!(
        words("PERFORM drop_chunks('conditions');"),
        Some("DROP".to_owned())
    );
}

#[test]
fn broken_sql_without_destroying_words_still_needs_a_human() {
    for sql in [
        "CREATE TABLE users (;\n",
        "SELEC * FROM t;\n",
        "CREATE INDEX ON;\n",
    ] {
        let f = added(sql);
        assert_eq!(ids(&f), ["sql/unparseable"], "{sql}");
        assert_eq!(f[0].location.line, Some(1));
    }
    // A kind of statement that only configures, with no destroying word, is let through.
    for sql in [
        "ALTER SEQUENCE s OWNED BY t.id;\n",
        "COMMENT ON EXTENSION x IS 'y' FROBNICATE;\n",
        "ALTER TYPE status ADD VALUE 'x' FROBNICATE;\n",
        "CREATE MATERIALIZED VIEW v AS SELECT 1 FROM t WITH NO DATA;\n",
    ] {
        assert!(
            run_with("db/m.sql", None, Some(sql), "postgres").is_empty(),
            "{sql}"
        );
    }
}

#[test]
fn an_unread_destroying_statement_already_in_the_base_is_not_reported_again() {
    let old = "DO $$ BEGIN DROP TABLE t; END $$;\n";
    let new = "CREATE TABLE u (id INT);\nDO $$ BEGIN DROP TABLE t; END $$;\n";
    assert!(diff(old, new).is_empty());
    assert_eq!(
        ids(&diff(
            old,
            &format!("{new}DO $$ BEGIN DELETE FROM u; END $$;\n")
        )),
        ["sql/unparseable"]
    );
}

#[test]
fn text_no_dialect_can_tokenize_is_still_unparseable_as_a_whole() {
    let f = added("CREATE TABLE t (id INT);\nINSERT INTO t VALUES ('never closed);\n");
    assert_eq!(ids(&f), ["sql/unparseable"]);
    assert!(
        f[0].message
            .contains("could not be parsed on the head side"),
        "{}",
        f[0].message
    );
}

#[test]
fn deleted_migration_is_left_to_the_files_analyzer() {
    assert!(run_with("db/m.sql", Some("DROP TABLE users;"), None, "generic").is_empty());
}

#[test]
fn postgres_syntax_parses_even_when_the_dialect_is_generic() {
    let sql =
        "CREATE FUNCTION f() RETURNS int AS $$ SELECT 1 $$ LANGUAGE sql;\nDROP TABLE users;\n";
    assert_eq!(
        ids(&run_with("m.sql", None, Some(sql), "generic")),
        ["sql/drop-table"]
    );
    assert_eq!(
        ids(&run_with("m.sql", None, Some(sql), "postgres")),
        ["sql/drop-table"]
    );
}

#[test]
fn mysql_dialect_and_unknown_dialect_names_work() {
    let sql = "DROP TABLE `users`;";
    assert_eq!(
        ids(&run_with("m.sql", None, Some(sql), "mysql")),
        ["sql/drop-table"]
    );
    assert_eq!(
        ids(&run_with("m.sql", None, Some(sql), "oracle-ish")),
        ["sql/drop-table"]
    );
    assert_eq!(DialectName::from_option("SQLite"), DialectName::Sqlite);
}

#[test]
fn unparseable_base_counts_as_empty_so_head_drops_are_reported() {
    let f = diff("THIS IS NOT SQL", "DROP TABLE users;");
    assert_eq!(ids(&f), ["sql/drop-table"]);
}

#[test]
fn views_and_indexes_created_in_the_same_file_are_scratch() {
    let f = added(
        "CREATE VIEW v AS SELECT 1;\nCREATE INDEX i ON t (a);\nDROP VIEW v;\nDROP INDEX i;\n",
    );
    assert!(f.is_empty(), "{f:?}");
}

#[test]
fn a_column_added_and_dropped_in_the_same_migration_is_not_a_finding() {
    let f = added("ALTER TABLE users ADD COLUMN tmp INT;\nALTER TABLE users DROP COLUMN tmp;\n");
    assert!(f.is_empty(), "{f:?}");
    // An existing column is still reported, and IF NOT EXISTS does not make one scratch.
    let f = added(
        "ALTER TABLE users ADD COLUMN IF NOT EXISTS tmp INT;\nALTER TABLE users DROP COLUMN tmp;\nALTER TABLE users DROP COLUMN email;\n",
    );
    assert_eq!(ids(&f), ["sql/drop-column", "sql/drop-column"]);
}

#[test]
fn narrowing_a_column_declared_in_the_same_file_is_high() {
    let f = added(
        "CREATE TABLE IF NOT EXISTS users (id BIGINT, bio TEXT);\n\
         ALTER TABLE users ALTER COLUMN id TYPE INT;\n\
         ALTER TABLE users ALTER COLUMN bio TYPE VARCHAR(100);\n",
    );
    assert_eq!(
        ids(&f),
        ["sql/column-type-narrowed", "sql/column-type-narrowed"]
    );
    assert!(f.iter().all(|f| f.severity == Severity::High));
    assert!(
        f[0].message.contains("from BIGINT to INT"),
        "{}",
        f[0].message
    );
    assert_eq!(f[1].location.line, Some(3));
    assert!(f[1].message.contains("TEXT") && f[1].message.contains("VARCHAR(100)"));
}

#[test]
fn widening_a_known_column_is_quiet() {
    let f = added(
        "CREATE TABLE IF NOT EXISTS users (id INT, name VARCHAR(50));\n\
         ALTER TABLE users ALTER COLUMN id TYPE BIGINT;\n\
         ALTER TABLE users ALTER COLUMN name TYPE TEXT;\n",
    );
    assert!(f.is_empty(), "{f:?}");
}

#[test]
fn the_old_type_is_read_from_the_base_side_of_the_file() {
    let base = "CREATE TABLE IF NOT EXISTS prices (amount NUMERIC(12,4));\n";
    let narrowed = diff(
        base,
        &format!("{base}ALTER TABLE prices ALTER COLUMN amount TYPE NUMERIC(12,2);\n"),
    );
    assert_eq!(ids(&narrowed), ["sql/column-type-narrowed"]);
    assert_eq!(narrowed[0].severity, Severity::High);
    assert_eq!(narrowed[0].location.line, Some(2));
    let widened = diff(
        base,
        &format!("{base}ALTER TABLE prices ALTER COLUMN amount TYPE NUMERIC(14,4);\n"),
    );
    assert!(widened.is_empty(), "{widened:?}");
}

#[test]
fn a_type_change_of_a_column_declared_elsewhere_may_lose_data_and_is_medium() {
    let f = added("ALTER TABLE events ALTER COLUMN happened_at TYPE TIMESTAMP;");
    assert_eq!(ids(&f), ["sql/column-type-narrowed"]);
    assert_eq!(f[0].severity, Severity::Medium);
    assert!(f[0].message.contains("may lose data"), "{}", f[0].message);
}

#[test]
fn a_conversion_twokey_cannot_judge_is_medium() {
    let f = added("CREATE TABLE IF NOT EXISTS t (code TEXT);\nALTER TABLE t ALTER COLUMN code TYPE INTEGER USING code::integer;\n");
    assert_eq!(ids(&f), ["sql/column-type-narrowed"]);
    assert_eq!(f[0].severity, Severity::Medium);
    assert!(f[0].message.contains("cannot tell"), "{}", f[0].message);
}

#[test]
fn mysql_modify_and_change_narrow_and_change_can_rename() {
    let sql = "CREATE TABLE IF NOT EXISTS users (id BIGINT, score DOUBLE, flag INT);\n\
               ALTER TABLE users MODIFY id INT;\n\
               ALTER TABLE users CHANGE score points INT;\n\
               ALTER TABLE users MODIFY flag BIGINT;\n";
    let f = run_with("db/mysql/003.sql", None, Some(sql), "generic");
    assert_eq!(
        ids(&f),
        [
            "sql/column-type-narrowed",
            "sql/rename",
            "sql/column-type-narrowed"
        ]
    );
    assert!(f[2].message.contains("fractional"), "{}", f[2].message);
    assert_eq!(f[2].location.line, Some(3));
}

#[test]
fn timestamptz_to_timestamp_and_anything_to_boolean_narrow() {
    let f = added(
        "CREATE TABLE IF NOT EXISTS e (at TIMESTAMP WITH TIME ZONE, n INT);\n\
         ALTER TABLE e ALTER COLUMN at TYPE TIMESTAMP;\nALTER TABLE e ALTER COLUMN n TYPE BOOLEAN;\n",
    );
    assert_eq!(
        ids(&f),
        ["sql/column-type-narrowed", "sql/column-type-narrowed"]
    );
    assert!(f[0].message.contains("time zone"));
    assert!(f[1].message.contains("true or false"));
}

#[test]
fn type_changes_on_a_table_created_in_the_same_file_are_quiet() {
    let f = added("CREATE TABLE t (id BIGINT NOT NULL);\nALTER TABLE t ALTER COLUMN id TYPE INT;\nALTER TABLE t ADD COLUMN x INT NOT NULL;\n");
    assert!(f.is_empty(), "{f:?}");
}

#[test]
fn not_null_without_default_on_an_existing_table_is_medium_and_not_destructive() {
    let f = added("ALTER TABLE users ADD COLUMN tenant_id BIGINT NOT NULL;\nALTER TABLE users ALTER COLUMN email SET NOT NULL;\n");
    assert_eq!(
        ids(&f),
        [
            "sql/not-null-without-default",
            "sql/not-null-without-default"
        ]
    );
    assert!(f.iter().all(|f| f.severity == Severity::Medium));
    assert!(f.iter().all(|f| f.tags == vec![Tag::Infra]));
    assert!(f[0].message.contains("tenant_id"));
    assert_eq!(f[1].location.line, Some(2));
}

#[test]
fn not_null_with_a_default_or_nullable_is_quiet() {
    let f = added(
        "ALTER TABLE users ADD COLUMN tenant_id BIGINT NOT NULL DEFAULT 0;\n\
         ALTER TABLE users ADD COLUMN note TEXT;\nALTER TABLE users ADD COLUMN id2 BIGSERIAL NOT NULL;\n\
         ALTER TABLE users ALTER COLUMN email DROP NOT NULL;\n",
    );
    assert!(f.is_empty(), "{f:?}");
}

#[test]
fn renaming_a_table_is_a_rename_in_every_spelling() {
    let f = added("ALTER TABLE users RENAME TO people;\n");
    assert_eq!(ids(&f), ["sql/rename"]);
    assert!(f[0].message.contains("users") && f[0].message.contains("people"));
    let f = run_with(
        "db/mysql/x.sql",
        None,
        Some("RENAME TABLE a TO b, c TO d;"),
        "mysql",
    );
    assert_eq!(ids(&f), ["sql/rename", "sql/rename"]);
}

#[test]
fn a_table_created_in_the_same_file_can_be_renamed_quietly() {
    assert!(added("CREATE TABLE t (id INT);\nALTER TABLE t RENAME TO u;\n").is_empty());
}

#[test]
fn dropping_constraints_is_low() {
    let f = added("ALTER TABLE orders DROP CONSTRAINT orders_customer_fkey;\n");
    assert_eq!(ids(&f), ["sql/drop-constraint"]);
    assert_eq!(f[0].severity, Severity::Low);
    assert!(f[0].message.contains("orders_customer_fkey"));
}

#[test]
fn an_existing_rename_is_not_reported_again() {
    let base = "ALTER TABLE users RENAME COLUMN a TO b;\n";
    assert!(diff(base, &format!("{base}CREATE TABLE x (id INT);\n")).is_empty());
}

#[test]
fn the_dialect_follows_a_database_directory_name() {
    assert_eq!(
        DialectName::from_path("db/mysql/V1__init.sql"),
        Some(DialectName::MySql)
    );
    assert_eq!(
        DialectName::from_path("postgres-migrations/001.sql"),
        Some(DialectName::Postgres)
    );
    assert_eq!(
        DialectName::from_path("sqlite/001.sql"),
        Some(DialectName::Sqlite)
    );
    assert_eq!(
        DialectName::from_path("db/migration/V1__mysql.sql"),
        None,
        "file names do not count"
    );
    assert_eq!(
        DialectName::from_path("src/main/resources/db/migration/V2__x.sql"),
        None
    );
}

#[test]
fn an_edited_flyway_repeatable_migration_runs_its_old_statements_again() {
    let base = "DELETE FROM cache;\n";
    let head = "DELETE FROM cache;\nCREATE VIEW v AS SELECT 1;\n";
    let f = run_with(
        "db/migration/R__refresh.sql",
        Some(base),
        Some(head),
        "generic",
    );
    assert_eq!(ids(&f), ["sql/delete-without-where"]);
    assert!(f[0].message.contains("repeatable"), "{}", f[0].message);
    // A versioned migration only runs what is new.
    assert!(run_with("db/migration/V3__x.sql", Some(base), Some(head), "generic").is_empty());
    // An unchanged repeatable migration is not run again.
    assert!(run_with(
        "db/migration/R__refresh.sql",
        Some(base),
        Some(base),
        "generic"
    )
    .is_empty());
}

proptest! {
    #[test]
    fn never_panics_on_arbitrary_text(old in "\\PC{0,120}", new in "\\PC{0,120}") {
        let _ = diff(&old, &new);
    }

    #[test]
    fn never_panics_on_sqlish_text(s in "(DROP|TABLE|DELETE|FROM|UPDATE|SET|WHERE|ALTER|COLUMN|TRUNCATE|CREATE|x|;|\\(|\\)|'|--|\\n| ){0,30}") {
        let f = added(&s);
        // Every finding points at a line of the head file.
        let lines = s.lines().count().max(1) as u32;
        for finding in f {
            if let Some(line) = finding.location.line {
                prop_assert!(line >= 1 && line <= lines + 1, "{line} > {lines}");
            }
        }
    }

    #[test]
    fn statement_by_statement_reads_what_the_whole_file_reads(
        picks in proptest::collection::vec(0usize..6, 1..8),
        junk in proptest::option::of(0usize..3),
    ) {
        const KNOWN: [&str; 6] = [
            "DROP TABLE a", "CREATE TABLE b (id INT)", "DELETE FROM c",
            "ALTER TABLE d DROP COLUMN e", "SELECT 1", "UPDATE f SET g = 1 WHERE h = 2",
        ];
        const JUNK: [&str; 3] = ["DO $$ BEGIN NULL; END $$", "\\set x 1", "FROB NICATE"];
        let mut lines: Vec<String> = picks.iter().map(|&i| format!("{};", KNOWN[i])).collect();
        if let Some(j) = junk {
            lines.insert(lines.len() / 2, if JUNK[j].starts_with('\\') { JUNK[j].to_owned() } else { format!("{};", JUNK[j]) });
        }
        let text = lines.join("\n");
        let (_, parsed) = parse_any(&text, &[DialectName::Postgres]).expect("tokenizes");
        // Every known statement is read, at its own line, and the junk (if any) is not.
        prop_assert_eq!(parsed.read.len(), picks.len());
        prop_assert_eq!(parsed.unread.len(), usize::from(junk.is_some()));
        for located in &parsed.read {
            let line = &lines[located.line as usize - 1];
            prop_assert!(KNOWN.iter().any(|k| line.starts_with(k)), "{} at {}", line, located.line);
        }
    }

    #[test]
    fn reading_statement_by_statement_never_panics(s in "[ -~\n\t]{0,200}") {
        if let Ok((_, parsed)) = parse_any(&s, &[DialectName::Generic, DialectName::Postgres]) {
            let lines = s.lines().count().max(1) as u32;
            for u in &parsed.unread {
                prop_assert!(u.line >= 1 && u.line <= u.end_line && u.end_line <= lines + 1);
            }
        }
    }

    #[test]
    fn identical_sides_never_report_anything_but_unparseable(s in "(DROP TABLE t|DELETE FROM t|TRUNCATE t|UPDATE t SET a = 1|SELECT 1|;|\\n| ){0,12}") {
        for f in diff(&s, &s) {
            prop_assert_eq!(f.rule.as_str(), "sql/unparseable");
        }
    }
}

#[test]
fn an_endless_operator_chain_needs_a_human_instead_of_overflowing_the_stack() {
    // A chain builds a tree as deep as it is long; 150,000 links aborted the process.
    let chain = format!("SELECT {}1;\nDROP TABLE users;\n", "1+".repeat(30_000));
    let f = added(&chain);
    assert_eq!(ids(&f), ["sql/drop-table", "sql/unparseable"]);
    assert_eq!(f[0].location.line, Some(2));
    assert_eq!(f[1].location.line, Some(1));
    assert!(
        f[1].message.contains("chains more operators"),
        "{}",
        f[1].message
    );
    let ors = format!(
        "UPDATE t SET x = 1 WHERE {}a = 1;\n",
        "a = 1 AND ".repeat(30_000)
    );
    assert_eq!(ids(&added(&ors)), ["sql/unparseable"]);
}

#[test]
fn a_long_chain_within_the_limit_is_read_on_a_small_stack() {
    // Just under the limit, on a thread with a smaller stack than twokey's own workers.
    let chain = format!("UPDATE t SET x = {}1 WHERE id = 1;\n", "1+".repeat(990));
    let f = std::thread::Builder::new()
        .stack_size(1 << 20)
        .spawn(move || added(&chain))
        .unwrap()
        .join()
        .unwrap();
    assert_eq!(ids(&f), Vec::<&str>::new());
    // Commas and parentheses end a run: a long VALUES list is not one chain.
    let rows: Vec<String> = (0..3_000).map(|i| format!("(-{i}, 'r{i}')")).collect();
    let insert = format!("INSERT INTO t VALUES {};\n", rows.join(", "));
    assert_eq!(ids(&added(&insert)), Vec::<&str>::new());
}

#[test]
fn a_drop_wrapped_in_an_unreadable_block_is_as_destructive_as_the_plain_drop() {
    let sql = "DO $$\nBEGIN\n  IF EXISTS (SELECT 1 FROM pg_tables WHERE tablename = 'old') THEN\n    DROP TABLE old;\n  END IF;\nEND\n$$;\n";
    let f = run_with("db/m.sql", None, Some(sql), "postgres");
    assert_eq!(ids(&f), ["sql/unparseable"]);
    assert_eq!(f[0].severity, Severity::High);
    assert!(f[0].tags.contains(&Tag::Destructive), "{:?}", f[0].tags);
    assert!(f[0].message.contains("contains DROP"), "{}", f[0].message);
    // Dynamic SQL says nothing of what it runs: a human reads it, without the destructive tag.
    let dynamic = "DO $$ BEGIN EXECUTE format('VACUUM %I', 't'); END $$;\n";
    let f = run_with("db/m.sql", None, Some(dynamic), "postgres");
    assert_eq!(ids(&f), ["sql/unparseable"]);
    assert_eq!(
        (f[0].severity, f[0].tags.clone()),
        (Severity::Medium, vec![Tag::Infra])
    );
}

#[test]
fn an_unreadable_block_is_judged_by_its_worst_word_and_what_its_drop_removes() {
    let judge = |body: &str| {
        let sql = format!("DO $$\nBEGIN\n  {body}\nEND\n$$;\n");
        let f = run_with("db/m.sql", None, Some(&sql), "postgres");
        assert_eq!(ids(&f), ["sql/unparseable"], "{body}");
        (
            f[0].severity,
            f[0].tags.contains(&Tag::Destructive),
            f[0].message.clone(),
        )
    };
    // Dropping what holds no rows needs a human, as any unread statement does, but loses no
    // data: the plain statements rank low, untagged.
    for (body, word) in [
        (
            "ALTER TABLE orders DROP CONSTRAINT IF EXISTS orders_fk;",
            "DROP CONSTRAINT",
        ),
        ("DROP INDEX IF EXISTS idx_orders_day;", "DROP INDEX"),
        (
            "ALTER TABLE t ALTER COLUMN c DROP NOT NULL;",
            "DROP NOT NULL",
        ),
        ("DROP TRIGGER IF EXISTS audit ON t;", "DROP TRIGGER"),
    ] {
        let (severity, destructive, message) = judge(body);
        assert_eq!((severity, destructive), (Severity::Medium, false), "{body}");
        assert!(message.contains(&format!("contains {word}")), "{message}");
    }
    // The worst word wins wherever it stands, and CASCADE takes dependents' data with it.
    for body in [
        "ALTER TABLE t DROP CONSTRAINT c;\n  DROP TABLE old;",
        "DROP TABLE old;\n  ALTER TABLE t DROP CONSTRAINT c;",
        "EXECUTE 'SELECT 1';\n  DELETE FROM sessions;",
        "DROP FUNCTION f() CASCADE;",
        "ALTER TABLE t DROP COLUMN legacy;",
    ] {
        let (severity, destructive, _) = judge(body);
        assert_eq!((severity, destructive), (Severity::High, true), "{body}");
    }
    // A view is dropped at the view rule's rank.
    assert_eq!(judge("DROP VIEW v;").0, Severity::Medium);
    assert!(judge("DROP VIEW v;").1);
    // Dynamic SQL outranks a harmless drop: it is what the message names.
    let (_, destructive, message) = judge("DROP INDEX i;\n  EXECUTE format('x %I', 't');");
    assert!(!destructive);
    assert!(message.contains("contains EXECUTE"), "{message}");
}

#[test]
fn a_parser_message_quoting_a_whole_body_is_clipped() {
    let body = "x := 1;\n".repeat(200);
    let sql = format!(
        "CREATE PROCEDURE p() LANGUAGE plpgsql AS $$ BEGIN {body} TRUNCATE t; END $$ WITH junk;\n"
    );
    let f = run_with("db/m.sql", None, Some(&sql), "postgres");
    assert_eq!(ids(&f), ["sql/unparseable"]);
    assert!(f[0].message.len() < 600, "{}", f[0].message);
    assert!(
        f[0].message.contains("contains TRUNCATE"),
        "{}",
        f[0].message
    );
}

#[test]
fn a_with_clause_does_not_hide_a_missing_where() {
    let f = added("WITH old AS (SELECT id FROM users) DELETE FROM users;\nWITH x AS (SELECT 1) UPDATE users SET email = NULL;\n");
    assert_eq!(
        ids(&f),
        ["sql/delete-without-where", "sql/update-without-where"]
    );
    assert_eq!(f[1].location.line, Some(2));
    let bounded =
        "WITH old AS (SELECT id FROM users) DELETE FROM users WHERE id IN (SELECT id FROM old);\n";
    assert!(added(bounded).is_empty());
}

#[test]
fn a_delete_or_update_inside_a_with_clause_is_checked() {
    // A data-modifying CTE runs whatever the outer statement does with its rows.
    let f = run_with(
        "db/m.sql",
        None,
        Some("WITH moved AS (DELETE FROM jobs RETURNING *)\nINSERT INTO jobs_archive SELECT * FROM moved;\nWITH s AS (UPDATE users SET plan = 'free' RETURNING id) SELECT count(*) FROM s;\n"),
        "postgres",
    );
    assert_eq!(
        ids(&f),
        ["sql/delete-without-where", "sql/update-without-where"]
    );
    assert_eq!(f[0].location.line, Some(1));
    assert_eq!(f[1].location.line, Some(3));
    // Bounded ones, and one on a table the file created, are routine.
    let bounded = "CREATE TABLE scratch (id INT);
WITH a AS (DELETE FROM jobs WHERE done RETURNING *), b AS (DELETE FROM scratch RETURNING *) INSERT INTO jobs_archive SELECT * FROM a;
";
    assert!(run_with("db/m.sql", None, Some(bounded), "postgres").is_empty());
}

#[test]
fn statements_in_function_bodies_are_checked() {
    let sql = "CREATE FUNCTION f() RETURNS void LANGUAGE sql AS 'DROP TABLE users';\nSELECT f();\n";
    let f = run_with("db/m.sql", None, Some(sql), "postgres");
    assert_eq!(ids(&f), ["sql/drop-table"]);
    assert!(
        f[0].message
            .starts_with("In the body of function f: DROP TABLE users"),
        "{}",
        f[0].message
    );
    assert_eq!(f[0].location.line, Some(1));

    let plpgsql = "CREATE OR REPLACE FUNCTION purge() RETURNS void AS $$\nBEGIN\n  DELETE FROM audit_log;\nEND;\n$$ LANGUAGE plpgsql;\nSELECT purge();\n";
    let f = run_with("db/m.sql", None, Some(plpgsql), "postgres");
    assert_eq!(f.len(), 1, "{f:?}");
    assert!(f[0].tags.contains(&Tag::Destructive), "{:?}", f[0]);
    assert!(
        f[0].message.contains("purge") && f[0].message.contains("DELETE"),
        "{}",
        f[0].message
    );
    assert_eq!(
        (f[0].location.line, f[0].location.end_line),
        (Some(1), Some(5))
    );

    // PL/pgSQL that only computes, and a body in another language, are left alone.
    let quiet = "CREATE FUNCTION g() RETURNS int AS $$\nDECLARE x int;\nBEGIN\n  x := 1;\n  RAISE NOTICE 'drop nothing';\n  RETURN x;\nEND;\n$$ LANGUAGE plpgsql;\n";
    assert_eq!(run_with("db/m.sql", None, Some(quiet), "postgres"), vec![]);
    let python = "CREATE FUNCTION h() RETURNS void AS $$\nplpy.execute('DROP TABLE users')\n$$ LANGUAGE plpython3u;\n";
    assert_eq!(run_with("db/m.sql", None, Some(python), "postgres"), vec![]);
}

#[test]
fn dropping_a_type_or_extension_with_cascade_drops_columns() {
    let sql = "DROP TYPE mood CASCADE;\nDROP EXTENSION postgis CASCADE;\nDROP DOMAIN email_address CASCADE;\n";
    let f = run_with("db/m.sql", None, Some(sql), "postgres");
    assert_eq!(ids(&f), ["sql/drop-type-cascade"; 3]);
    assert!(
        f[1].message.contains("DROP EXTENSION postgis CASCADE"),
        "{}",
        f[1].message
    );
    assert_eq!(f[2].location.line, Some(3));
    // Without CASCADE the database refuses while anything uses them: nothing is lost.
    let plain = "DROP TYPE mood;\nDROP EXTENSION postgis;\nDROP DOMAIN email_address;\n";
    assert_eq!(run_with("db/m.sql", None, Some(plain), "postgres"), vec![]);
}

#[test]
fn dropping_a_sequence_or_function_is_a_low_note() {
    let f = run_with(
        "db/m.sql",
        None,
        Some("DROP SEQUENCE orders_id_seq;\nDROP FUNCTION f();\n"),
        "postgres",
    );
    assert_eq!(ids(&f), ["sql/drop-sequence-or-function"; 2]);
    assert!(f
        .iter()
        .all(|f| f.severity == Severity::Low && f.tags == [Tag::Infra]));
    let created =
        "CREATE SEQUENCE s;\nCREATE FUNCTION f() RETURNS int LANGUAGE sql AS 'SELECT 1';\n";
    assert_eq!(
        run_with("db/m.sql", None, Some(created), "postgres"),
        vec![]
    );
}

#[test]
fn a_byte_order_mark_and_tsql_go_lines_are_not_sql() {
    let f = added("\u{feff}ALTER TABLE users DROP COLUMN email;\n");
    assert_eq!(ids(&f), ["sql/drop-column"]);
    let tsql = "CREATE TABLE dbo.Orders (Id INT NOT NULL PRIMARY KEY);\nGO\nCREATE INDEX IX_Orders ON dbo.Orders(Id);\ngo 2\r\nDROP TABLE dbo.Legacy\nGO\n";
    let f = added(tsql);
    assert_eq!(ids(&f), ["sql/drop-table"]);
    assert_eq!(f[0].location.line, Some(5));
    // A column called go is still a column.
    assert!(added("SELECT go FROM t;\nCREATE TABLE go (id INT);\n").is_empty());
}

#[test]
fn tsql_if_blocks_are_read_with_the_sql_server_dialect() {
    let tsql = "IF OBJECT_ID('dbo.Legacy', 'U') IS NOT NULL\n  DROP TABLE dbo.Legacy;\n";
    let f = run_with("db/mssql/V2__drop.sql", None, Some(tsql), "generic");
    assert_eq!(ids(&f), ["sql/drop-table"], "{f:?}");
    assert!(f[0].message.contains("dbo.Legacy"), "{}", f[0].message);
}

#[test]
fn rollback_sql_is_not_what_a_deploy_runs() {
    let drop = "DROP TABLE IF EXISTS orders;\n";
    for path in [
        "db/migrations/000005_create_orders.down.sql",
        "migrations/2024-01-01-000000_orders/down.sql",
        "db/migration/U5__orders.sql",
    ] {
        assert_eq!(
            run_with(path, None, Some(drop), "generic"),
            vec![],
            "{path}"
        );
    }
    let up = run_with(
        "db/migrations/000005_create_orders.up.sql",
        None,
        Some(drop),
        "generic",
    );
    assert_eq!(ids(&up), ["sql/drop-table"]);
    let goose =
        "-- +goose Up\nALTER TABLE users DROP COLUMN legacy;\n-- +goose Down\nDROP TABLE users;\n";
    let f = added(goose);
    assert_eq!(ids(&f), ["sql/drop-column"]);
    assert_eq!(f[0].location.line, Some(2));
}

#[test]
fn a_table_created_in_the_base_version_of_the_file_is_not_scratch() {
    let old = "CREATE TABLE users (id BIGINT PRIMARY KEY, email TEXT, name VARCHAR(100));\n";
    let new =
        format!("{old}ALTER TABLE users ALTER COLUMN name TYPE VARCHAR(20);\nDROP TABLE users;\n");
    let f = run_with("schema/users.sql", Some(old), Some(&new), "postgres");
    assert_eq!(ids(&f), ["sql/column-type-narrowed", "sql/drop-table"]);
    assert_eq!(f[0].severity, Severity::High, "{}", f[0].message);
    // Created by this change: still scratch.
    let fresh = format!("{old}DROP TABLE users;\n");
    assert_eq!(run_with("db/m.sql", None, Some(&fresh), "postgres"), vec![]);
}

#[test]
fn changing_a_column_of_unknown_type_to_text_loses_nothing() {
    for sql in [
        "ALTER TABLE users ALTER COLUMN name TYPE text;\n",
        "ALTER TABLE users ALTER COLUMN name TYPE varchar;\n",
    ] {
        assert_eq!(
            run_with("db/m.sql", None, Some(sql), "postgres"),
            vec![],
            "{sql}"
        );
    }
    let f = run_with(
        "db/m.sql",
        None,
        Some("ALTER TABLE users ALTER COLUMN name TYPE varchar(20);\n"),
        "postgres",
    );
    assert_eq!(ids(&f), ["sql/column-type-narrowed"]);
}

#[test]
fn a_where_clause_that_filters_nothing_is_no_where_clause() {
    let sql = "UPDATE users SET email = NULL WHERE 1=1;\nDELETE FROM users WHERE true;\nDELETE FROM logs WHERE (1 = 1) OR id = 3;\n";
    assert_eq!(
        ids(&added(sql)),
        [
            "sql/update-without-where",
            "sql/delete-without-where",
            "sql/delete-without-where"
        ]
    );
    let real = "DELETE FROM users WHERE 1 = 1 AND id = 3;\nUPDATE t SET x = 1 WHERE 0 = 1;\nDELETE FROM t WHERE NULL = NULL;\n";
    assert!(added(real).is_empty());
}

#[test]
fn the_safer_rename_keeps_quoted_names_valid() {
    let f = run_with(
        "db/m.sql",
        None,
        Some("DROP TABLE public.\"User\";\nDROP TABLE orders;\n"),
        "postgres",
    );
    let safer: Vec<&str> = f
        .iter()
        .map(|f| f.safer.as_deref().unwrap_or_default())
        .collect();
    assert!(
        safer[0].contains("RENAME TO \"User_deprecated\""),
        "{}",
        safer[0]
    );
    assert!(
        safer[1].contains("RENAME TO orders_deprecated"),
        "{}",
        safer[1]
    );
}

#[test]
fn a_delete_restricted_by_an_inner_join_is_bounded_and_aliases_are_resolved() {
    let joined = "DELETE u FROM users u JOIN bans b ON b.uid = u.id;\n";
    assert_eq!(
        run_with("db/mysql/m.sql", None, Some(joined), "mysql"),
        vec![]
    );
    let left = "DELETE u FROM users u LEFT JOIN bans b ON b.uid = u.id;\n";
    let f = run_with("db/mysql/m.sql", None, Some(left), "mysql");
    assert_eq!(ids(&f), ["sql/delete-without-where"]);
    assert!(
        f[0].message.contains("DELETE FROM users"),
        "{}",
        f[0].message
    );
}

#[test]
fn tsql_sp_rename_is_a_rename() {
    let f = run_with(
        "db/mssql/V3__rename.sql",
        None,
        Some("EXEC sp_rename 'dbo.Users.Email', 'Mail', 'COLUMN';\nGO\n"),
        "generic",
    );
    assert_eq!(ids(&f), ["sql/rename"], "{f:?}");
    assert!(
        f[0].message.contains("dbo.Users.Email to Mail"),
        "{}",
        f[0].message
    );
    let other = "EXEC sp_help 'dbo.Users';\n";
    assert_eq!(
        run_with("db/mssql/V4__x.sql", None, Some(other), "generic"),
        vec![]
    );
}

#[test]
fn respelling_a_statement_that_already_ran_is_not_new() {
    for (old, new) in [
        ("DROP TABLE orders;", "DROP TABLE IF EXISTS orders;"),
        ("DROP TABLE orders;", "drop table \"orders\";"),
        (
            "ALTER TABLE orders DROP COLUMN note;",
            "ALTER TABLE orders DROP COLUMN IF EXISTS \"note\";",
        ),
    ] {
        assert_eq!(diff(old, new), vec![], "{old} → {new}");
    }
    // Another table is another statement.
    assert_eq!(
        ids(&diff(
            "DROP TABLE orders;",
            "DROP TABLE IF EXISTS order_items;"
        )),
        ["sql/drop-table"]
    );
}

#[test]
fn turning_row_level_security_off_is_reported() {
    let sql =
        "ALTER TABLE profiles DISABLE ROW LEVEL SECURITY;\nDROP POLICY \"own rows\" ON profiles;\n";
    let f = run_with(
        "supabase/migrations/20240101_x.sql",
        None,
        Some(sql),
        "postgres",
    );
    assert_eq!(ids(&f), ["sql/row-security-off"; 2]);
    assert_eq!(
        (f[0].severity, f[1].severity),
        (Severity::High, Severity::Medium)
    );
    let on = "ALTER TABLE profiles ENABLE ROW LEVEL SECURITY;\nCREATE POLICY p ON profiles USING (auth.uid() = id);\n";
    assert_eq!(
        run_with(
            "supabase/migrations/20240101_y.sql",
            None,
            Some(on),
            "postgres"
        ),
        vec![]
    );
}

#[test]
fn a_declarative_schema_drops_what_it_no_longer_declares() {
    let old = "CREATE TABLE users (id BIGINT PRIMARY KEY, email TEXT, name VARCHAR(100));\n\nCREATE TABLE sessions (id BIGINT PRIMARY KEY);\n";
    let new = "CREATE TABLE users (\n  id BIGINT PRIMARY KEY,\n  name VARCHAR(10)\n);\n";
    let f = run_with(
        "supabase/schemas/users.sql",
        Some(old),
        Some(new),
        "postgres",
    );
    assert_eq!(
        ids(&f),
        [
            "sql/drop-column",
            "sql/column-type-narrowed",
            "sql/drop-table"
        ]
    );
    assert!(f[0].message.contains("users.email"), "{}", f[0].message);
    assert_eq!(
        (f[0].location.line, f[0].location.end_line),
        (Some(1), Some(4))
    );
    assert_eq!(
        (f[2].location.side, f[2].location.line),
        (Side::Base, Some(3))
    );
    // Adding, widening and reformatting are quiet; so is the same edit to a migration.
    let grown = "CREATE TABLE users (id BIGINT PRIMARY KEY, email TEXT, name VARCHAR(200), age INT);\nCREATE TABLE sessions (id BIGINT PRIMARY KEY);\n";
    assert_eq!(
        run_with("db/schema.sql", Some(old), Some(grown), "postgres"),
        vec![]
    );
    assert_eq!(
        run_with("db/migrations/001.sql", Some(old), Some(new), "postgres"),
        vec![]
    );
}

#[test]
fn a_merge_that_deletes_matched_rows_is_a_merge_delete() {
    let f = added("-- sync prices\nMERGE INTO prices p USING staged s ON p.sku = s.sku\n  WHEN MATCHED AND s.discontinued THEN DELETE\n  WHEN MATCHED THEN UPDATE SET price = s.price;\n");
    assert_eq!(ids(&f), ["sql/merge-delete"]);
    assert_eq!(f[0].severity, Severity::High);
    assert_eq!(f[0].location.line, Some(2));
    assert!(
        f[0].message
            .contains("every row of prices that staged matches and satisfies s.discontinued"),
        "{}",
        f[0].message
    );
}

#[test]
fn a_merge_deleting_what_the_source_lacks_says_an_empty_source_empties_the_target() {
    let f = added("MERGE INTO prices USING staged ON prices.sku = staged.sku\nWHEN NOT MATCHED BY SOURCE THEN DELETE;\n");
    assert_eq!(ids(&f), ["sql/merge-delete"]);
    assert!(
        f[0].message
            .contains("that staged lacks (all of them if staged is empty)"),
        "{}",
        f[0].message
    );
}

#[test]
fn a_merge_that_only_updates_and_inserts_is_quiet() {
    let upsert = "MERGE INTO prices p USING staged s ON p.sku = s.sku\nWHEN MATCHED THEN UPDATE SET price = s.price\nWHEN NOT MATCHED THEN INSERT (sku, price) VALUES (s.sku, s.price);\n";
    assert!(added(upsert).is_empty(), "{:?}", added(upsert));
    let nothing =
        "MERGE INTO prices p USING staged s ON p.sku = s.sku\nWHEN MATCHED THEN DO NOTHING;\n";
    assert!(added(nothing).is_empty());
}

#[test]
fn a_merge_into_a_table_the_file_creates_or_already_ran_is_quiet() {
    let scratch = "CREATE TABLE tmp_prices (sku text, price int);\nMERGE INTO tmp_prices t USING prices p ON t.sku = p.sku WHEN MATCHED THEN DELETE;\n";
    assert!(added(scratch).is_empty());
    let merge = "MERGE INTO prices p USING staged s ON p.sku = s.sku WHEN MATCHED THEN DELETE;\n";
    assert!(diff(merge, &format!("-- nightly\n{merge}")).is_empty());
}

#[test]
fn an_oracle_merge_update_that_deletes_where_is_a_merge_delete() {
    let f = added("MERGE INTO stock t USING moves m ON (t.id = m.id)\nWHEN MATCHED THEN UPDATE SET t.qty = t.qty - m.qty DELETE WHERE t.qty = 0;\n");
    assert_eq!(ids(&f), ["sql/merge-delete"]);
    assert!(
        f[0].message
            .contains("it updates that then satisfies t.qty = 0"),
        "{}",
        f[0].message
    );
}

#[test]
fn a_seed_file_emptying_tables_ranks_lower_and_says_where_seeds_run() {
    let sql = "TRUNCATE users;\nDELETE FROM orders;\nINSERT INTO users VALUES (1);\n";
    let seed = run_with("supabase/seed.sql", None, Some(sql), "postgres");
    assert_eq!(ids(&seed), ["sql/truncate", "sql/delete-without-where"]);
    for f in &seed {
        assert_eq!(f.severity, Severity::Medium, "{:?}", f.rule);
        assert!(f.tags.contains(&Tag::Destructive));
        assert!(f.message.contains("seed file"), "{}", f.message);
    }
    // The same statements in a migration keep their rank.
    let migration = run_with(
        "db/migrations/002_drop_seed_table.sql",
        None,
        Some(sql),
        "postgres",
    );
    assert!(migration.iter().all(|f| f.severity == Severity::High));
    assert!(migration.iter().all(|f| !f.message.contains("seed file")));
}

#[test]
fn a_sqlite_table_rebuild_drops_only_what_its_copy_leaves_out() {
    let sql = "PRAGMA foreign_keys=OFF;\nCREATE TABLE \"new_User\" (\"id\" INTEGER NOT NULL PRIMARY KEY, \"email\" TEXT NOT NULL);\nINSERT INTO \"new_User\" (\"email\", \"id\") SELECT \"email\", \"id\" FROM \"User\";\nDROP TABLE \"User\";\nALTER TABLE \"new_User\" RENAME TO \"User\";\nPRAGMA foreign_keys=ON;\n";
    let f = run_with(
        "prisma/migrations/2_redefine/migration.sql",
        None,
        Some(sql),
        "sqlite",
    );
    assert_eq!(ids(&f), ["sql/drop-table"]);
    assert_eq!(f[0].severity, Severity::Medium);
    assert!(f[0].tags.contains(&Tag::Destructive));
    assert!(f[0].message.contains("table rebuild"), "{}", f[0].message);
    assert_eq!(f[0].location.line, Some(4));
    // Without the rename back, the table is gone: the plain drop, high.
    let gone = sql.replace("ALTER TABLE \"new_User\" RENAME TO \"User\";\n", "");
    let f = run_with("db/migrations/2.sql", None, Some(&gone), "sqlite");
    assert_eq!(ids(&f), ["sql/drop-table"]);
    assert_eq!(f[0].severity, Severity::High);
}

#[test]
fn a_function_that_purges_rows_in_bulk_is_reported_where_it_is_called() {
    for (sql, function, table) in [
        (
            "SELECT drop_chunks('conditions', INTERVAL '3 months');",
            "drop_chunks",
            "conditions",
        ),
        (
            "SELECT count(*) FROM drop_chunks('metrics'::regclass, older_than => INTERVAL '1 year');",
            "drop_chunks",
            "metrics",
        ),
        (
            "SELECT public.add_retention_policy('conditions', INTERVAL '7 days');",
            "add_retention_policy",
            "conditions",
        ),
        (
            "CALL partman.drop_partition_time('public.events');",
            "drop_partition_time",
            "public.events",
        ),
    ] {
        let f = run_with("db/migrations/002.sql", None, Some(sql), "postgres");
        assert_eq!(ids(&f), ["sql/bulk-purge"], "{sql}");
        assert_eq!(f[0].severity, Severity::High);
        assert!(f[0].tags.contains(&Tag::Destructive));
        assert!(
            f[0].message.starts_with(function) && f[0].message.contains(table),
            "{}",
            f[0].message
        );
    }
    // Functions that add, compress or stop purging delete nothing.
    for sql in [
        "SELECT create_hypertable('conditions', 'time');",
        "SELECT add_compression_policy('conditions', INTERVAL '7 days');",
        "SELECT remove_retention_policy('conditions');",
        "SELECT partman.create_parent('public.events', 'created_at', '1 month');",
        "SELECT drop_chunks_count FROM stats;",
    ] {
        let f = run_with("db/migrations/002.sql", None, Some(sql), "postgres");
        assert_eq!(ids(&f), Vec::<&str>::new(), "{sql}");
    }
}

#[test]
fn a_purge_already_in_the_migration_is_not_reported_again() {
    let old = "SELECT add_retention_policy('conditions', INTERVAL '30 days');\n";
    let new = format!("{old}CREATE INDEX i ON conditions (time);\n");
    assert_eq!(ids(&diff(old, &new)), Vec::<&str>::new());
}

#[test]
fn drop_owned_by_a_role_is_critical() {
    // sqlparser does not read `DROP OWNED BY`; it drops every object the role owns.
    let f = run_with(
        "db/migrations/002.sql",
        None,
        Some("DROP OWNED BY app_user CASCADE;"),
        "postgres",
    );
    assert_eq!(ids(&f), ["sql/unparseable"]);
    assert_eq!(f[0].severity, Severity::Critical);
    assert!(
        f[0].message.contains("contains DROP OWNED"),
        "{}",
        f[0].message
    );
    // Handing ownership over keeps the objects.
    let f = run_with(
        "db/migrations/002.sql",
        None,
        Some("REASSIGN OWNED BY old_role TO new_role;"),
        "postgres",
    );
    assert!(f.iter().all(|f| f.severity < Severity::High), "{f:?}");
}

#[test]
fn create_or_replace_table_and_insert_overwrite_replace_existing_rows() {
    let f = run_with(
        "db/migrations/002.sql",
        None,
        Some("CREATE OR REPLACE TABLE analytics.events (id INT, ts TIMESTAMP);"),
        "snowflake",
    );
    assert_eq!(ids(&f), ["sql/drop-table"]);
    assert_eq!(f[0].severity, Severity::Medium);
    assert!(
        f[0].message.contains("if it already exists"),
        "{}",
        f[0].message
    );
    let f = added("INSERT OVERWRITE TABLE sales SELECT * FROM staging_sales;");
    assert_eq!(ids(&f), ["sql/truncate"]);
    assert_eq!(f[0].severity, Severity::High);
    let f =
        added("INSERT OVERWRITE TABLE sales PARTITION (dt = '2024-01-01') SELECT id FROM staging;");
    assert_eq!(ids(&f), ["sql/truncate"]);
    assert_eq!(f[0].severity, Severity::Medium);
    // Creating without replacing, replacing a view, a temporary table or one this migration
    // made, and a plain INSERT replace nothing that was there.
    for quiet in [
        "CREATE TABLE IF NOT EXISTS analytics.events (id INT);",
        "CREATE OR REPLACE VIEW v AS SELECT 1;",
        "CREATE OR REPLACE TEMPORARY TABLE scratch (id INT);",
        "CREATE TABLE staging (id INT);\nCREATE OR REPLACE TABLE staging (id INT, v INT);",
        "CREATE TABLE staging (id INT);\nINSERT OVERWRITE TABLE staging SELECT 1;",
        "INSERT INTO sales SELECT * FROM staging_sales;",
    ] {
        assert_eq!(ids(&added(quiet)), Vec::<&str>::new(), "{quiet}");
    }
}

#[test]
fn tsql_dynamic_sql_is_read_when_literal_and_needs_a_human_when_built() {
    // A literal is checked as the statement it is.
    for literal in [
        "EXEC('DROP TABLE dbo.Staging');\nGO\n",
        "EXEC sp_executesql N'DROP TABLE dbo.Staging';\nGO\n",
        "EXECUTE IMMEDIATE 'DROP TABLE staging';\n",
    ] {
        let f = run_with("Migrations/V5__x.sql", None, Some(literal), "generic");
        assert_eq!(ids(&f), ["sql/drop-table"], "{literal}: {f:?}");
        assert!(f[0].message.contains("dynamic SQL"), "{}", f[0].message);
    }
    // Built at run time: no reading says what it drops; its words rank it.
    let f = run_with(
        "Migrations/V6__x.sql",
        None,
        Some("EXEC('DROP TABLE dbo.Temp_' + @suffix);\nGO\n"),
        "mssql",
    );
    assert_eq!(ids(&f), ["sql/unparseable"], "{f:?}");
    assert_eq!(f[0].severity, Severity::High);
    assert!(f[0].tags.contains(&Tag::Destructive));
    assert!(f[0].message.contains("contains DROP"), "{}", f[0].message);
    let f = added("EXEC sp_executesql @sql;");
    assert_eq!(ids(&f), ["sql/unparseable"], "{f:?}");
    assert_eq!(f[0].severity, Severity::Medium);
    // Named procedures and harmless literals run no text twokey must read.
    for quiet in [
        "EXEC dbo.RebuildStatistics;",
        "EXEC('CREATE INDEX ix_a ON dbo.t (a)');",
        "EXECUTE prepared_insert(1);",
    ] {
        assert_eq!(ids(&added(quiet)), Vec::<&str>::new(), "{quiet}");
    }
}

#[test]
fn create_or_replace_schema_or_database_drops_what_exists() {
    let f = added("CREATE OR REPLACE SCHEMA analytics;");
    assert_eq!(ids(&f), ["sql/drop-schema"], "{f:?}");
    assert_eq!(f[0].severity, Severity::High);
    // The generic dialect cannot read a database replaced: its words still rank it.
    let f = added("CREATE OR REPLACE DATABASE analytics;");
    assert_eq!(ids(&f), ["sql/unparseable"], "{f:?}");
    assert_eq!(f[0].severity, Severity::High);
    assert!(f[0].tags.contains(&Tag::Destructive));
    let f =
        added("CREATE OR REPLACE TRANSIENT TABLE t (id INT) DATA_RETENTION_TIME_IN_DAYS = 0 FOO;");
    assert_eq!(f[0].severity, Severity::Medium, "{f:?}");
    for quiet in [
        "CREATE SCHEMA IF NOT EXISTS analytics;",
        "CREATE OR REPLACE STREAM s ON TABLE t;",
        "CREATE OR REPLACE VIEW v AS SELECT 1;",
    ] {
        assert_eq!(ids(&added(quiet)), Vec::<&str>::new(), "{quiet}");
    }
}

#[test]
fn snowflake_swap_with_exchanges_two_tables() {
    let f = added("ALTER TABLE analytics.orders SWAP WITH analytics.orders_staging;");
    assert_eq!(ids(&f), ["sql/rename"], "{f:?}");
    assert_eq!(f[0].severity, Severity::Medium);
    assert!(f[0].message.contains("SWAP WITH"), "{}", f[0].message);
    let quiet = "ALTER TABLE analytics.orders CLUSTER BY (ts);";
    assert_eq!(ids(&added(quiet)), Vec::<&str>::new());
}

#[test]
fn engine_options_and_tsql_index_storage_do_not_hide_a_created_table() {
    for (path, sql) in [
        (
            "clickhouse/migrations/000001_events.up.sql",
            "CREATE TABLE IF NOT EXISTS events ON CLUSTER '{cluster}' (ts DateTime, user_id UInt64)\nENGINE = ReplicatedMergeTree PARTITION BY toYYYYMM(ts) ORDER BY (user_id, ts) TTL ts + INTERVAL 90 DAY;",
        ),
        (
            "databricks/V1__orders.sql",
            "CREATE TABLE IF NOT EXISTS main.sales.orders (id BIGINT, d DATE) USING DELTA PARTITIONED BY (d);",
        ),
        (
            "Migrations/V2__index.sql",
            "CREATE UNIQUE NONCLUSTERED INDEX [IX_Users_Email] ON [dbo].[Users] ([Email]) WITH (ONLINE = ON) ON [PRIMARY];\nGO\nCREATE CLUSTERED INDEX IX_Orders ON dbo.Orders (Id);\nGO\n",
        ),
    ] {
        let f = run_with(path, None, Some(sql), "generic");
        assert_eq!(ids(&f), Vec::<&str>::new(), "{sql}: {f:?}");
    }
    // The table is read: a later drop of it in the same file is scratch space.
    let f = added("CREATE TABLE tmp (id Int) ENGINE = Memory;\nDROP TABLE tmp;");
    assert_eq!(ids(&f), Vec::<&str>::new(), "{f:?}");
    // Options that delete, and a column list that does not close, still need a human.
    let ttl_delete = "CREATE TABLE e (ts DateTime) ENGINE = MergeTree ORDER BY ts TTL ts + INTERVAL 1 DAY DELETE;";
    let f = added(ttl_delete);
    assert_eq!(ids(&f), ["sql/unparseable"], "{f:?}");
    assert!(f[0].message.contains("DELETE"), "{}", f[0].message);
    let f = added("CREATE TABLE e (ts DateTime ENGINE = MergeTree;");
    assert_eq!(ids(&f), ["sql/unparseable"], "{f:?}");
}

#[test]
fn warehouse_dialects_are_chosen_by_config_or_directory() {
    assert_eq!(
        DialectName::from_path("snowflake/migrations/V1.1__init.sql"),
        Some(DialectName::Snowflake)
    );
    assert_eq!(
        DialectName::from_path("db/clickhouse/000001_events.up.sql"),
        Some(DialectName::ClickHouse)
    );
    assert_eq!(DialectName::from_option("BigQuery"), DialectName::BigQuery);
    // Snowflake reads what the generic dialect cannot, and it meets its own rule.
    let sql = "CREATE OR REPLACE DATABASE analytics;";
    let f = run_with("migrations/V1.2__db.sql", None, Some(sql), "snowflake");
    assert_eq!(ids(&f), ["sql/drop-database"], "{f:?}");
    assert_eq!(f[0].severity, Severity::High);
    let f = run_with(
        "snowflake/V1.3__db.sql",
        None,
        Some("UNDROP TABLE orders;"),
        "generic",
    );
    assert_eq!(ids(&f), Vec::<&str>::new(), "{f:?}");
}

#[test]
fn a_slash_line_ends_an_oracle_plsql_block() {
    let stats =
        "BEGIN\n  DBMS_STATS.GATHER_TABLE_STATS(ownname => 'APP', tabname => 'T');\nEND;\n/\n";
    assert_eq!(ids(&added(stats)), Vec::<&str>::new());
    let drop =
        "BEGIN\n  EXECUTE IMMEDIATE 'DROP TABLE tmp_import';\nEND;\n/\nCREATE TABLE t (id INT);\n";
    let f = added(drop);
    assert_eq!(ids(&f), ["sql/drop-table"], "{f:?}");
    assert_eq!(f[0].location.line, Some(1));
    // Division split over lines is not a separator once it has company on its line.
    assert_eq!(ids(&added("SELECT 4\n/ 2;\n")), Vec::<&str>::new());
}

#[test]
fn mysql_storage_and_partition_maintenance_keep_every_row() {
    for quiet in [
        "ALTER TABLE `orders` ENGINE=InnoDB;",
        "ALTER TABLE shop.orders ENGINE = InnoDB, ALGORITHM=INPLACE, LOCK=NONE;",
        "ALTER TABLE orders ADD PARTITION (PARTITION p2025 VALUES LESS THAN (2026));",
        "ALTER TABLE orders REORGANIZE PARTITION pmax INTO (PARTITION p2025 VALUES LESS THAN (2026), PARTITION pmax VALUES LESS THAN MAXVALUE);",
        "ALTER TABLE orders REMOVE PARTITIONING;",
        "ALTER TABLE orders DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;",
        "ALTER TABLE raw.users MODIFY COLUMN email SET MASKING POLICY pii.email_mask;",
        "ALTER TABLE raw.users ALTER email UNSET MASKING POLICY;",
    ] {
        assert_eq!(ids(&added(quiet)), Vec::<&str>::new(), "{quiet}");
    }
    // Any other clause beside them, or a conversion of stored text, still needs a human.
    for unread in [
        "ALTER TABLE orders ENGINE=InnoDB, MODIFY note TINYTEXT FROBNICATE;",
        "ALTER TABLE orders CONVERT TO CHARACTER SET latin1;",
        "ALTER TABLE orders ENGINE=InnoDB,;",
        "ALTER TABLE raw.users MODIFY COLUMN email SET MASKING POLICY m, MODIFY note TINYTEXT FROBNICATE;",
    ] {
        assert_eq!(ids(&added(unread)), ["sql/unparseable"], "{unread}");
    }
    let f = added("ALTER TABLE orders ENGINE=InnoDB, DROP PARTITION p2019;");
    assert_eq!(f[0].severity, Severity::High, "{f:?}");
}

#[test]
fn shortened_retention_and_expiry_are_reported() {
    let f = added("ALTER TABLE sales SET TBLPROPERTIES ('delta.deletedFileRetentionDuration' = 'interval 1 days');");
    assert_eq!(ids(&f), ["sql/retention-shortened"], "{f:?}");
    assert!(f[0].tags.contains(&Tag::Destructive));
    // Forms sqlparser does not read need a human, tagged destructive.
    for unread in [
        "ALTER TABLE sales.events SET OPTIONS (partition_expiration_days = 7);",
        "ALTER TABLE analytics.orders SET DATA_RETENTION_TIME_IN_DAYS = 0;",
        "ALTER TABLE events ON CLUSTER c MODIFY TTL ts + INTERVAL 7 DAY;",
        "VACUUM main.sales.orders RETAIN 0 HOURS;",
    ] {
        let f = added(unread);
        assert_eq!(ids(&f), ["sql/unparseable"], "{unread}: {f:?}");
        assert!(f[0].tags.contains(&Tag::Destructive), "{unread}");
        assert!(
            f[0].message.contains("retention setting"),
            "{}",
            f[0].message
        );
    }
    // Oracle's SET UNUSED hides the column from every query, as a drop does.
    let f = added("ALTER TABLE customers SET UNUSED (fax);");
    assert_eq!(f[0].severity, Severity::High, "{f:?}");
    for quiet in [
        "ALTER TABLE sales SET TBLPROPERTIES ('delta.logRetentionDuration' = 'interval 60 days');",
        "ALTER TABLE sales SET TBLPROPERTIES ('delta.enableChangeDataFeed' = 'true');",
        "ALTER TABLE sales.events SET OPTIONS (description = 'raw events');",
        "VACUUM main.sales.orders RETAIN 168 HOURS;",
        "VACUUM main.sales.orders;",
        "CREATE TABLE e (ts DateTime) ENGINE = MergeTree ORDER BY ts TTL ts + INTERVAL 90 DAY;",
    ] {
        assert_eq!(ids(&added(quiet)), Vec::<&str>::new(), "{quiet}");
    }
}

#[test]
fn oracle_and_clickhouse_drop_forms_meet_their_own_rules() {
    let f = added("DROP TABLE orders CASCADE CONSTRAINTS;");
    assert_eq!(ids(&f), ["sql/drop-table"], "{f:?}");
    assert_eq!(f[0].severity, Severity::High);
    let f = added("DROP TABLE audit_log CASCADE CONSTRAINTS PURGE;");
    assert_eq!(f[0].severity, Severity::Critical, "{f:?}");
    assert_eq!(
        ids(&added("DROP TABLE IF EXISTS events_old SYNC;")),
        ["sql/drop-table"]
    );
    assert_eq!(
        ids(&added("TRUNCATE TABLE staging DROP STORAGE;")),
        ["sql/truncate"]
    );
    assert_eq!(
        ids(&added("ALTER TABLE customers DROP (fax, telex);")),
        ["sql/drop-column", "sql/drop-column"]
    );
    let f = added("ALTER TABLE customers MODIFY (name VARCHAR2(50));");
    assert_eq!(ids(&f), ["sql/column-type-narrowed"], "{f:?}");
    // Oracle's own types are judged against the base's declaration.
    let base = "CREATE TABLE customers (id NUMBER(12, 2), name VARCHAR2(100 CHAR));\n";
    let narrowed =
        format!("{base}ALTER TABLE customers MODIFY (name VARCHAR2(50), id NUMBER(12));\n");
    let f = diff(base, &narrowed);
    assert_eq!(
        ids(&f),
        ["sql/column-type-narrowed", "sql/column-type-narrowed"],
        "{f:?}"
    );
    assert!(f.iter().all(|f| f.severity == Severity::High), "{f:?}");
    for quiet in [
        "ALTER TABLE customers ADD (email VARCHAR2(255), phone VARCHAR2(40));",
        "ALTER TABLE customers MODIFY (name VARCHAR2(500));",
    ] {
        let base = "CREATE TABLE customers (id NUMBER, name VARCHAR2(100));\n";
        assert_eq!(
            ids(&diff(base, &format!("{base}{quiet}\n"))),
            Vec::<&str>::new(),
            "{quiet}"
        );
    }
}

#[test]
fn jinja_placeholders_read_as_names() {
    let f = added("CREATE TABLE IF NOT EXISTS {{ database }}.RAW.ORDERS (ID NUMBER);\nCOPY INTO RAW.ORDERS FROM @RAW.STAGE FILE_FORMAT = (TYPE = 'CSV');\nALTER TASK refresh RESUME;\n");
    assert_eq!(ids(&f), Vec::<&str>::new(), "{f:?}");
    let f = added("DROP TABLE IF EXISTS {{ database }}.RAW.ORDERS_OLD;");
    assert_eq!(ids(&f), ["sql/drop-table"], "{f:?}");
    assert!(
        f[0].message.contains("{{database}}.RAW.ORDERS_OLD"),
        "{}",
        f[0].message
    );
    // A placeholder that never closes is not a name.
    let f = added("CREATE TABLE {{ database .RAW.ORDERS (ID NUMBER);");
    assert_eq!(ids(&f), ["sql/unparseable"], "{f:?}");
}

#[test]
fn session_temporary_tables_are_scratch() {
    for quiet in [
        "SELECT Id INTO #ids FROM dbo.Users WHERE Active = 0;\nDROP TABLE #ids;\nGO\n",
        "IF OBJECT_ID('tempdb..#work') IS NOT NULL DROP TABLE #work;\nGO\n",
        "TRUNCATE TABLE #staging;\nDELETE FROM ##shared;\nUPDATE #staging SET n = 0;\nGO\n",
        "DROP TEMPORARY TABLE IF EXISTS tmp_ids;",
    ] {
        assert_eq!(ids(&added(quiet)), Vec::<&str>::new(), "{quiet}");
    }
    // A table named like one, but permanent, is not.
    assert_eq!(ids(&added("DROP TABLE tmp_ids;")), ["sql/drop-table"]);
    assert_eq!(
        ids(&added("DROP TABLE dbo.Staging;\nGO\n")),
        ["sql/drop-table"]
    );
}

#[test]
fn ssms_scripted_tables_and_constraints_are_read() {
    let ssms = "SET ANSI_NULLS ON\nGO\nCREATE TABLE [dbo].[Audit](\n\t[Id] [int] IDENTITY(1,1) NOT NULL,\n\t[Payload] [nvarchar](max) NULL,\n CONSTRAINT [PK_Audit] PRIMARY KEY CLUSTERED ([Id] ASC) WITH (PAD_INDEX = OFF, ALLOW_ROW_LOCKS = ON) ON [PRIMARY]\n) ON [PRIMARY] TEXTIMAGE_ON [PRIMARY]\nGO\nALTER TABLE [dbo].[Audit] ADD  DEFAULT ((0)) FOR [Flag]\nGO\nALTER TABLE [dbo].[Orders]  WITH CHECK ADD  CONSTRAINT [FK_Orders_Users] FOREIGN KEY([UserId])\nREFERENCES [dbo].[Users] ([Id])\nGO\nALTER TABLE [dbo].[Orders] CHECK CONSTRAINT [FK_Orders_Users]\nGO\n";
    let f = run_with("Migrations/V40__ssms.sql", None, Some(ssms), "generic");
    assert_eq!(ids(&f), Vec::<&str>::new(), "{f:?}");
    assert_eq!(
        ids(&added(
            "ALTER TABLE orders RENAME INDEX idx_a TO idx_orders_a;"
        )),
        Vec::<&str>::new()
    );
    // Switching a constraint's checks off is not read as harmless.
    let f = run_with(
        "Migrations/V41__x.sql",
        None,
        Some("ALTER TABLE [dbo].[Orders] NOCHECK CONSTRAINT ALL\nGO\n"),
        "generic",
    );
    assert_eq!(ids(&f), ["sql/unparseable"], "{f:?}");
}

#[test]
fn a_mysql_enum_losing_a_value_narrows_and_one_gaining_a_value_widens() {
    let base = "CREATE TABLE orders (id INT, status ENUM('new','paid','shipped') NOT NULL);\n";
    let f = diff(
        base,
        &format!("{base}ALTER TABLE orders MODIFY COLUMN status ENUM('new','paid') NOT NULL;\n"),
    );
    assert_eq!(ids(&f), ["sql/column-type-narrowed"], "{f:?}");
    assert_eq!(f[0].severity, Severity::High);
    assert!(f[0].message.contains("'shipped'"), "{}", f[0].message);
    let grown = format!("{base}ALTER TABLE orders MODIFY COLUMN status ENUM('new','paid','shipped','refunded') NOT NULL;\n");
    assert_eq!(ids(&diff(base, &grown)), Vec::<&str>::new());
}

#[test]
fn partitions_dropped_or_detached_take_their_rows() {
    let f = added("ALTER TABLE events DETACH PARTITION 202301;");
    assert_eq!(ids(&f), ["sql/truncate"], "{f:?}");
    assert_eq!(f[0].severity, Severity::Medium);
    let f = added("ALTER TABLE logs DROP IF EXISTS PARTITION (dt = '2020-01-01');");
    assert_eq!(ids(&f), ["sql/truncate"], "{f:?}");
    assert_eq!(f[0].severity, Severity::High);
    // Adding or attaching one takes nothing.
    for quiet in [
        "ALTER TABLE logs ADD IF NOT EXISTS PARTITION (dt = '2024-01-01');",
        "ALTER TABLE events ATTACH PARTITION 202301;",
    ] {
        assert_eq!(ids(&added(quiet)), Vec::<&str>::new(), "{quiet}");
    }
}

#[test]
fn clickhouse_indexes_redshift_keys_and_bigquery_column_options_are_harmless() {
    for quiet in [
        "ALTER TABLE events ON CLUSTER '{cluster}' ADD INDEX idx_user user_id TYPE bloom_filter GRANULARITY 4;",
        "ALTER TABLE events MATERIALIZE INDEX idx_user;",
        "ALTER TABLE public.events ALTER DISTSTYLE KEY DISTKEY id;",
        "ALTER TABLE sales.orders ALTER COLUMN note SET OPTIONS (description = 'free text');",
    ] {
        assert_eq!(ids(&added(quiet)), Vec::<&str>::new(), "{quiet}");
    }
    let f = added("REPLACE TABLE main.sales.daily AS SELECT * FROM main.sales.staging;");
    assert_eq!(ids(&f), ["sql/unparseable"], "{f:?}");
    assert!(f[0].tags.contains(&Tag::Destructive), "{f:?}");
}

#[test]
fn a_bounded_clickhouse_mutation_is_quiet_and_an_unbounded_one_is_not() {
    let bounded = "ALTER TABLE events ON CLUSTER main DELETE WHERE event_date < '2020-01-01';";
    assert_eq!(
        ids(&run_with(
            "db/migrations/002.sql",
            None,
            Some(bounded),
            "clickhouse"
        )),
        Vec::<&str>::new()
    );
    let f = run_with(
        "db/migrations/002.sql",
        None,
        Some("ALTER TABLE events DELETE WHERE 1;"),
        "clickhouse",
    );
    assert_eq!(ids(&f), ["sql/delete-without-where"]);
    let f = run_with(
        "db/migrations/002.sql",
        None,
        Some("ALTER TABLE users UPDATE email = '' WHERE true;"),
        "clickhouse",
    );
    assert_eq!(ids(&f), ["sql/update-without-where"]);
}

// ---- Rows moved between tables: ClickHouse partitions, EXCHANGE TABLES, Redshift APPEND ----

fn clickhouse(new: &str) -> Vec<Finding> {
    run_with("clickhouse/migrations/0002.sql", None, Some(new), "generic")
}

#[test]
fn clickhouse_partition_operations_that_take_rows_out_of_a_table_are_named() {
    let f = clickhouse("ALTER TABLE events REPLACE PARTITION 202401 FROM events_staging;\n");
    assert_eq!(ids(&f), ["sql/truncate"]);
    assert_eq!(f[0].severity, Severity::Medium);
    assert!(
        f[0].message.contains("partition 202401 of events"),
        "{}",
        f[0].message
    );
    let f = clickhouse(
        "ALTER TABLE events ON CLUSTER main MOVE PARTITION 202312 TO TABLE events_archive;\n",
    );
    assert_eq!(
        (ids(&f), f[0].severity),
        (vec!["sql/truncate"], Severity::Medium)
    );
    let f = clickhouse(
        "ALTER TABLE events DROP DETACHED PARTITION 202301 SETTINGS allow_drop_detached = 1;\n",
    );
    assert_eq!(
        (ids(&f), f[0].severity),
        (vec!["sql/truncate"], Severity::High)
    );
    assert!(f[0].message.contains("detached files"), "{}", f[0].message);
    let f = clickhouse(
        "ALTER TABLE events ATTACH PARTITION 202402 FROM staging, DROP PARTITION 202301;\n",
    );
    assert_eq!(
        (ids(&f), f[0].severity),
        (vec!["sql/truncate"], Severity::High)
    );
    let f = clickhouse("EXCHANGE TABLES events AND events_new;\n");
    assert_eq!(ids(&f), ["sql/rename"]);
    let f = clickhouse("ALTER TABLE events CLEAR COLUMN v IN PARTITION 202401;\n");
    assert_eq!(ids(&f), ["sql/update-without-where"]);
    assert!(
        f[0].message.contains("partition 202401 of events"),
        "{}",
        f[0].message
    );
}

#[test]
fn clickhouse_partition_operations_that_keep_every_row_are_quiet() {
    let f = clickhouse("ALTER TABLE events ATTACH PARTITION 202401 FROM events_staging;\nALTER TABLE events MOVE PARTITION 202312 TO DISK 'cold';\nALTER TABLE events FETCH PARTITION 202401 FROM '/clickhouse/tables/01/events';\n");
    assert!(f.is_empty(), "{f:?}");
    // A staging table the file creates is scratch: replacing its partition loses nothing.
    let f = clickhouse("CREATE TABLE events_tmp (d Date, id UInt64) ENGINE = MergeTree ORDER BY id;\nALTER TABLE events_tmp REPLACE PARTITION 202401 FROM events;\n");
    assert!(f.is_empty(), "{f:?}");
    let f = clickhouse("CREATE TABLE events_tmp AS events ENGINE = MergeTree ORDER BY id;\nALTER TABLE events_tmp REPLACE PARTITION 202401 FROM events;\n");
    assert!(f.is_empty(), "{f:?}");
    // A clause twokey does not know keeps the statement unread.
    let f =
        clickhouse("ALTER TABLE events ATTACH PARTITION 1 FROM s, CLEAR INDEX i IN PARTITION 2;\n");
    assert_eq!(ids(&f), ["sql/unparseable"]);
}

#[test]
fn redshift_append_from_empties_its_source() {
    let path = "redshift/migrations/V2__append.sql";
    let f = run_with(
        path,
        None,
        Some("ALTER TABLE sales APPEND FROM sales_staging;\n"),
        "generic",
    );
    assert_eq!(
        (ids(&f), f[0].severity),
        (vec!["sql/truncate"], Severity::Medium)
    );
    assert!(
        f[0].message.contains("leaves sales_staging empty"),
        "{}",
        f[0].message
    );
    let f = run_with(
        path,
        None,
        Some("ALTER TABLE sales APPEND FROM sales_staging IGNOREEXTRA;\n"),
        "redshift",
    );
    assert_eq!(f[0].severity, Severity::High);
    // Emptying a staging table the file filled itself is what it is for.
    let f = run_with(
        path,
        None,
        Some("CREATE TEMP TABLE stage (LIKE sales);\nALTER TABLE sales APPEND FROM stage;\n"),
        "generic",
    );
    assert!(f.is_empty(), "{f:?}");
}

#[test]
fn tsql_bracketed_names_and_types_are_judged_like_plain_ones() {
    let base = "CREATE TABLE [dbo].[Users] ([Id] [int] NOT NULL, [Name] [nvarchar](100) NULL, [Total] [bigint] NULL)\nGO\n";
    let path = "mssql/migrations/V1__users.sql";
    let narrowed = format!("{base}ALTER TABLE [dbo].[Users] ALTER COLUMN [Name] [nvarchar](20) NULL\nGO\nALTER TABLE dbo.Users ALTER COLUMN Total int NULL;\n");
    let f = run_with(path, Some(base), Some(&narrowed), "generic");
    assert_eq!(
        ids(&f),
        ["sql/column-type-narrowed", "sql/column-type-narrowed"]
    );
    assert!(f.iter().all(|x| x.severity == Severity::High), "{f:?}");
    let widened = format!("{base}ALTER TABLE [dbo].[Users] ALTER COLUMN [Name] [nvarchar](200) NULL\nGO\nALTER TABLE [dbo].[Users] ALTER COLUMN [Name] [nvarchar](max) NULL\nGO\n");
    let f = run_with(path, Some(base), Some(&widened), "generic");
    assert!(f.is_empty(), "{f:?}");
    let f = run_with(
        path,
        None,
        Some("ALTER TABLE [dbo].[Users] DROP COLUMN [A], [B]\nGO\n"),
        "generic",
    );
    assert_eq!(ids(&f), ["sql/drop-column", "sql/drop-column"]);
}

const FORMATTED: &str = "--liquibase formatted sql\n\n--changeset ana:1\nCREATE TABLE invoice (id INT, memo TEXT);\n--rollback DROP TABLE invoice;\n\n--changeset ana:2 context:dev\nDELETE FROM invoice_cache;\n";

#[test]
fn liquibase_formatted_change_set_with_a_new_id_run_always_or_wider_context_runs_its_old_statements(
) {
    for head in [
        FORMATTED.replace("ana:2", "ana:2b"),
        FORMATTED.replace("context:dev", "context:dev runAlways:true"),
        FORMATTED.replace("context:dev", "context:prod"),
    ] {
        let f = diff(FORMATTED, &head);
        assert_eq!(ids(&f), ["sql/delete-without-where"], "{head}");
        assert!(f[0].message.contains("Liquibase"), "{}", f[0].message);
    }
}

#[test]
fn liquibase_formatted_comments_rollbacks_and_a_narrower_context_are_quiet() {
    for head in [
        FORMATTED.replace(
            "--changeset ana:1\n",
            "--changeset ana:1\n--comment: invoices\n",
        ),
        FORMATTED.replace(
            "--rollback DROP TABLE invoice;",
            "--rollback DROP TABLE invoice CASCADE;",
        ),
        FORMATTED.replace("ana:1", "ana:1 context:dev"),
        format!("{FORMATTED}\n--changeset bo:3\nINSERT INTO invoice VALUES (1, 'a');\n"),
    ] {
        assert!(diff(FORMATTED, &head).is_empty(), "{head}");
    }
}

#[test]
fn a_deleted_schema_file_drops_each_table_it_declared_unless_they_moved() {
    let app = "CREATE TABLE profiles (id UUID PRIMARY KEY);\nCREATE TABLE posts (id BIGINT PRIMARY KEY);\n";
    let f = Case::deleted("supabase/schemas/app.sql", app).run(crate::analyze::analyze_file);
    // One finding per table, and not the generic "file deleted" besides.
    assert_eq!(ids(&f), ["sql/drop-table", "sql/drop-table"], "{f:?}");
    assert!(f[0].message.contains("profiles") && f[1].message.contains("posts"));
    let moved = Case::deleted("supabase/schemas/app.sql", app)
        .with_changed_file(Side::Head, "supabase/schemas/all.sql", app)
        .run(crate::analyze::analyze_file);
    assert!(moved.is_empty(), "{moved:?}");
    // A deleted migration is still a migration deleted, not a drop.
    let f = Case::deleted("db/migrations/001_init.sql", app).run(crate::analyze::analyze_file);
    assert_eq!(ids(&f), ["git/migration-deleted"]);
}

#[test]
fn a_skeema_directory_is_a_declarative_schema() {
    let old = "CREATE TABLE orders (\n  id BIGINT NOT NULL,\n  coupon VARCHAR(32)\n);\n";
    let new = "CREATE TABLE orders (\n  id BIGINT NOT NULL\n);\n";
    let skeema = Case::modified("schemas/shop/orders.sql", old, new)
        .with_file(
            Side::Head,
            "schemas/shop/.skeema",
            "[production]\nschema=shop\n",
        )
        .run(analyze);
    assert_eq!(ids(&skeema), ["sql/drop-column"]);
    // The same file outside a Skeema directory is a script, not a schema.
    assert_eq!(
        ids(&run_with(
            "scripts/orders.sql",
            Some(old),
            Some(new),
            "mysql"
        )),
        Vec::<&str>::new()
    );
}

#[test]
fn a_table_moved_between_files_of_a_schema_directory_is_not_dropped() {
    let profiles = "CREATE TABLE profiles (id UUID PRIMARY KEY);\n";
    let posts = "CREATE TABLE posts (id BIGINT PRIMARY KEY, body TEXT);\n";
    let moved = |to: &str| {
        Case::modified(
            "supabase/schemas/profiles.sql",
            &format!("{profiles}{posts}"),
            profiles,
        )
        .with_changed_file(Side::Head, "supabase/schemas/posts.sql", to)
        .run(analyze)
    };
    assert_eq!(ids(&moved(posts)), Vec::<&str>::new());
    assert_eq!(
        ids(&moved("CREATE TABLE posts (id BIGINT PRIMARY KEY);\n")),
        ["sql/drop-column"]
    );
}

/// A new Flyway migration after one that declares `init`.
fn after(init: &str, new: &str) -> Vec<Finding> {
    Case::added("db/migration/V2__change.sql", new)
        .with_file(Side::Head, "db/migration/V1__init.sql", init)
        .run(analyze)
}

#[test]
fn dropping_a_generated_column_loses_no_data_but_an_identity_or_plain_column_does() {
    let init = "CREATE TABLE orders (id BIGINT GENERATED ALWAYS AS IDENTITY, price INT, qty INT, total INT GENERATED ALWAYS AS (price * qty) STORED);\n";
    let f = after(init, "ALTER TABLE orders DROP COLUMN total;\n");
    assert_eq!(ids(&f), ["sql/drop-column"]);
    assert_eq!(f[0].severity, Severity::Medium);
    assert!(
        f[0].message.contains("generated column"),
        "{}",
        f[0].message
    );
    for column in ["id", "price"] {
        let f = after(init, &format!("ALTER TABLE orders DROP COLUMN {column};\n"));
        assert_eq!(ids(&f), ["sql/drop-column"], "{column}");
        assert_eq!(f[0].severity, Severity::High, "{column}");
    }
    // A generated column renamed earlier is still generated under its new name.
    let renamed = format!("{init}ALTER TABLE orders RENAME COLUMN total TO amount;\n");
    let f = after(&renamed, "ALTER TABLE orders DROP COLUMN amount;\n");
    assert_eq!(f[0].severity, Severity::Medium);
}

#[test]
fn an_enum_column_moved_onto_a_type_recreated_under_its_old_name_may_lose_values() {
    let init = "CREATE TYPE mood AS ENUM ('sad', 'ok', 'happy');\nCREATE TABLE people (id INT, feeling mood);\n";
    let swap = "ALTER TYPE mood RENAME TO mood_old;\nCREATE TYPE mood AS ENUM ('ok', 'happy');\nALTER TABLE people ALTER COLUMN feeling TYPE mood USING feeling::text::mood;\nDROP TYPE mood_old;\n";
    let f = after(init, swap);
    assert_eq!(ids(&f), ["sql/column-type-narrowed"]);
    assert_eq!(f[0].severity, Severity::Medium);
    assert_eq!(f[0].location.line, Some(3));
    // Without a type renamed aside, the same type is the same type.
    assert!(after(init, "ALTER TABLE people ALTER COLUMN feeling TYPE mood;\n").is_empty());
}

#[test]
fn cluster_keeps_every_row_and_alter_ignore_adding_a_unique_key_deletes_duplicates() {
    assert!(added("CLUSTER users USING users_email_idx;\n").is_empty());
    let mysql = |sql: &str| run_with("db/V2__users.sql", None, Some(sql), "mysql");
    let f = mysql("ALTER IGNORE TABLE users ADD UNIQUE INDEX uq_email (email);\n");
    assert_eq!(ids(&f), ["sql/unparseable"]);
    assert_eq!(f[0].severity, Severity::High);
    assert!(f[0].tags.contains(&Tag::Destructive));
    assert!(f[0].message.contains("duplicates"), "{}", f[0].message);
    // Without a key, ALTER IGNORE deletes nothing: unreadable, not destructive.
    let f = mysql("ALTER IGNORE TABLE users ADD COLUMN nick INT;\n");
    assert_eq!(f[0].severity, Severity::Medium);
}
