//! Parsing one side of a SQL file into statements that remember the lines they came from.
//!
//! sqlparser's AST spans are empty for several statement kinds (`DROP` among them), so the
//! parser is driven one statement at a time and the lines are read off the first and last
//! *tokens* of each statement, which always carry positions.
//!
//! Real migrations hold statements sqlparser does not know: Postgres `DO $$ … $$` blocks,
//! `ALTER SEQUENCE … OWNED BY`, psql meta-commands (`\set`), vendor clauses. When no dialect
//! reads a whole file, the file is cut into statements with sqlparser's tokenizer (which knows
//! quoting, dollar-quoted bodies and comments) and each statement is parsed on its own. A
//! statement that still cannot be parsed is kept as [`Unread`]. The analyzer lets it through
//! only when it starts like a statement that creates or configures (`DO`, `COMMENT ON`,
//! `ALTER SEQUENCE`, …) and no word in it, its strings or its body can destroy data; broken
//! SQL and anything that may destroy still needs a human.

use super::relocate::{self, Relocation};
use super::tolerant;
use crate::finding::Severity;
use sqlparser::ast::Statement;
use sqlparser::dialect::{
    BigQueryDialect, ClickHouseDialect, DatabricksDialect, Dialect, DuckDbDialect, GenericDialect,
    HiveDialect, MsSqlDialect, MySqlDialect, OracleDialect, PostgreSqlDialect, RedshiftSqlDialect,
    SQLiteDialect, SnowflakeDialect,
};
use sqlparser::parser::{Parser, ParserError};
use sqlparser::tokenizer::{Token, TokenWithSpan, Tokenizer, TokenizerError};

/// A statement with its lines (1-based, inclusive).
#[derive(Debug, Clone)]
pub struct Located {
    // Boxed: a `Statement` is over 3 KiB, and a file's list of them would be copied whole each
    // time it grows.
    pub statement: Box<Statement>,
    pub line: u32,
    pub end_line: u32,
}

/// A statement no dialect could parse, known only by its tokens.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Unread {
    pub line: u32,
    pub end_line: u32,
    /// Its tokens without whitespace and comments: two copies of a statement compare equal.
    pub key: String,
    /// The first word in it that can destroy or rewrite data (`DROP`, `DELETE`, `EXECUTE`…),
    /// in strings and dollar-quoted bodies too; `None` when it holds none.
    pub destroying: Option<String>,
    /// Whether it starts like a statement that only creates or configures (`DO`, `COMMENT
    /// ON`, `GRANT`, `ALTER SEQUENCE`, a psql meta-command…), which real migrations hold and
    /// sqlparser does not always read. Anything else that cannot be parsed is broken SQL.
    pub known_kind: bool,
    /// Why the parser gave up on it.
    pub error: String,
    /// What it does, when it moves rows between tables in a form [`relocate`] reads
    /// (ClickHouse's partition operations, `EXCHANGE TABLES`, Redshift's `APPEND FROM`): an
    /// empty list when it keeps every row. Read only for statements sqlparser rejected.
    pub relocations: Option<Vec<Relocation>>,
}

impl Unread {
    /// Broken SQL, a statement that may destroy, or one that moves rows out of a table: it
    /// yields a finding. A statement [`relocate`] reads is judged by what it reads there,
    /// whatever words it holds (`DROP DETACHED PARTITION` is a drop it can name).
    pub fn needs_human(&self) -> bool {
        match &self.relocations {
            Some(relocations) => !relocations.is_empty(),
            None => self.destroying.is_some() || !self.known_kind,
        }
    }
}

/// One side of a SQL file: the statements sqlparser read, and those it could not.
#[derive(Debug, Clone, Default)]
pub struct Statements {
    pub read: Vec<Located>,
    pub unread: Vec<Unread>,
}

/// A file that no dialect could even tokenize: the configured dialect's error, and its line
/// if known.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParseFailure {
    pub line: Option<u32>,
    pub message: String,
}

/// The dialects twokey knows by name. Unknown names fall back to the generic dialect. The
/// first five are also the fallbacks every file is tried with; the warehouse and engine
/// dialects after them (whose DDL the others reject: Snowflake's `SWAP WITH`, ClickHouse's
/// `ENGINE = MergeTree ORDER BY`, Databricks' `USING DELTA`) are tried only when the config
/// or a directory names them, so files that need none of them are not parsed once more.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DialectName {
    Generic,
    Postgres,
    MySql,
    Sqlite,
    MsSql,
    Oracle,
    Snowflake,
    BigQuery,
    ClickHouse,
    Databricks,
    DuckDb,
    Redshift,
    Hive,
}

impl DialectName {
    pub fn from_option(name: &str) -> DialectName {
        match name.trim().to_ascii_lowercase().as_str() {
            "postgres" | "postgresql" | "pg" => DialectName::Postgres,
            "mysql" | "mariadb" => DialectName::MySql,
            "sqlite" | "sqlite3" => DialectName::Sqlite,
            "mssql" | "sqlserver" | "sql-server" | "tsql" | "t-sql" => DialectName::MsSql,
            "oracle" => DialectName::Oracle,
            "snowflake" => DialectName::Snowflake,
            "bigquery" => DialectName::BigQuery,
            "clickhouse" => DialectName::ClickHouse,
            "databricks" | "spark" => DialectName::Databricks,
            "duckdb" => DialectName::DuckDb,
            "redshift" => DialectName::Redshift,
            "hive" => DialectName::Hive,
            _ => DialectName::Generic,
        }
    }

    /// The dialect a directory name in `path` points at (`mysql/`, `db/postgres/`,
    /// `sqlite-migrations/`), if any. Only directories count: a file called `mysql.sql` says
    /// little about what it is written for.
    pub fn from_path(path: &str) -> Option<DialectName> {
        let mut dirs: Vec<&str> = path.split('/').collect();
        dirs.pop();
        dirs.iter().rev().find_map(|dir| {
            let dir = dir.to_ascii_lowercase();
            if dir.contains("mysql") || dir.contains("mariadb") {
                Some(DialectName::MySql)
            } else if dir.contains("postgres") || dir == "pg" || dir == "psql" {
                Some(DialectName::Postgres)
            } else if dir.contains("sqlite") {
                Some(DialectName::Sqlite)
            } else if dir.contains("mssql") || dir.contains("sqlserver") || dir == "tsql" {
                Some(DialectName::MsSql)
            } else if dir.contains("snowflake") {
                Some(DialectName::Snowflake)
            } else if dir.contains("bigquery") {
                Some(DialectName::BigQuery)
            } else if dir.contains("clickhouse") {
                Some(DialectName::ClickHouse)
            } else if dir.contains("databricks") {
                Some(DialectName::Databricks)
            } else if dir.contains("duckdb") {
                Some(DialectName::DuckDb)
            } else if dir.contains("redshift") {
                Some(DialectName::Redshift)
            } else if dir.contains("oracle") {
                Some(DialectName::Oracle)
            } else {
                None
            }
        })
    }

    pub(super) fn dialect(self) -> Box<dyn Dialect> {
        match self {
            DialectName::Generic => Box::new(GenericDialect {}),
            DialectName::Postgres => Box::new(PostgreSqlDialect {}),
            DialectName::MySql => Box::new(MySqlDialect {}),
            DialectName::Sqlite => Box::new(SQLiteDialect {}),
            DialectName::MsSql => Box::new(MsSqlDialect {}),
            DialectName::Oracle => Box::new(OracleDialect {}),
            DialectName::Snowflake => Box::new(SnowflakeDialect {}),
            DialectName::BigQuery => Box::new(BigQueryDialect {}),
            DialectName::ClickHouse => Box::new(ClickHouseDialect {}),
            DialectName::Databricks => Box::new(DatabricksDialect {}),
            DialectName::DuckDb => Box::new(DuckDbDialect {}),
            DialectName::Redshift => Box::new(RedshiftSqlDialect {}),
            DialectName::Hive => Box::new(HiveDialect {}),
        }
    }

    /// The configured dialect first, then the others: a migration written for Postgres in a
    /// repository configured as `generic` should still be read rather than declared broken.
    pub fn fallbacks(self) -> Vec<DialectName> {
        let mut order = vec![self];
        for d in [
            DialectName::Generic,
            DialectName::Postgres,
            DialectName::MySql,
            DialectName::Sqlite,
            DialectName::MsSql,
        ] {
            if !order.contains(&d) {
                order.push(d);
            }
        }
        order
    }
}

/// Parses with each dialect in `order` until one reads the whole file. When none does, the
/// file is read statement by statement with the dialect that leaves the fewest statements
/// unread. Fails only when no dialect can tokenize the text, with the first dialect's error.
pub fn parse_any(
    text: &str,
    order: &[DialectName],
) -> Result<(DialectName, Statements), ParseFailure> {
    let text = &*without_batch_separators(text);
    let mut first_error = None;
    for &name in order {
        match parse_with(text, name) {
            Ok(read) => {
                let unread = Vec::new();
                return Ok((name, Statements { read, unread }));
            }
            Err(e) => {
                first_error.get_or_insert(e);
            }
        }
    }
    let mut best: Option<(DialectName, Statements)> = None;
    for &name in order {
        if let Ok(statements) = parse_each(text, name) {
            if best
                .as_ref()
                .is_none_or(|(_, b)| statements.unread.len() < b.unread.len())
            {
                best = Some((name, statements));
            }
        }
    }
    best.ok_or_else(|| {
        first_error.unwrap_or(ParseFailure {
            line: None,
            message: "no SQL dialect configured".to_owned(),
        })
    })
}

/// `text` without what is not SQL but surrounds it in files: a leading byte-order mark (which
/// Windows editors write), T-SQL's `GO` batch separator, a line of its own that SSMS,
/// sqlcmd and DbUp split scripts at, and the `/` line that ends a PL/SQL block in SQL*Plus,
/// Flyway and Liquibase scripts for Oracle. Both become `;` so lines keep their numbers.
fn without_batch_separators(text: &str) -> std::borrow::Cow<'_, str> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let is_go = |line: &str| {
        if line.trim() == "/" {
            return true;
        }
        let mut words = line.split_whitespace();
        words.next().is_some_and(|w| w.eq_ignore_ascii_case("go"))
            && words
                .next()
                .is_none_or(|count| count.bytes().all(|b| b.is_ascii_digit()))
            && words.next().is_none()
    };
    if !text.lines().any(is_go) {
        return std::borrow::Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len());
    for line in text.split_inclusive('\n') {
        let body = line.trim_end_matches(['\n', '\r']);
        if is_go(body) {
            out.push(';');
            out.push_str(&line[body.len()..]);
        } else {
            out.push_str(line);
        }
    }
    std::borrow::Cow::Owned(out)
}

/// Reads `text` one statement at a time: statements end at `;`, a psql meta-command
/// (`\set`, `\connect`) at the end of its line.
fn parse_each(text: &str, name: DialectName) -> Result<Statements, ParseFailure> {
    let dialect = name.dialect();
    let tokens = tokenize(name, dialect.as_ref(), text).map_err(|e| failure(e.into()))?;
    let mut out = Statements::default();
    for piece in split(&tokens) {
        let mut parser = Parser::new(dialect.as_ref()).with_tokens_with_locations(piece.to_vec());
        let parsed = if is_meta_command(piece) {
            Err(ParserError::ParserError("a psql meta-command".to_owned()))
        } else if over_long_expression(piece).is_some() {
            Err(ParserError::ParserError(TOO_LONG.to_owned()))
        } else {
            parser
                .parse_statement()
                .and_then(|statement| {
                    let next = parser.peek_token_ref();
                    match next.token {
                        Token::EOF => Ok(statement),
                        _ => Err(ParserError::ParserError(format!(
                            "expected end of statement, found {}",
                            next.token
                        ))),
                    }
                })
                // Valid syntax sqlparser does not know yet, read through an equivalent form.
                .or_else(|e| tolerant::reread(piece, dialect.as_ref()).ok_or(e))
        };
        let first = piece.first().map_or(0, |t| t.span.start.line);
        let last = piece.last().map_or(first, |t| t.span.end.line);
        let line = to_line(first).unwrap_or(1);
        let end_line = to_line(last).unwrap_or(line).max(line);
        match parsed {
            Ok(statement) => out.read.push(Located {
                statement: Box::new(statement),
                line,
                end_line,
            }),
            Err(e) => out.unread.push(Unread {
                line,
                end_line,
                key: piece
                    .iter()
                    .filter(|t| !matches!(t.token, Token::Whitespace(_)))
                    .map(|t| t.token.to_string())
                    .collect::<Vec<_>>()
                    .join(" "),
                destroying: destroying_word(piece),
                known_kind: is_known_kind(piece),
                error: failure(e).message,
                relocations: relocate::read(piece),
            }),
        }
    }
    Ok(out)
}

/// The statements of a token stream, without the `;` between them and without the comments
/// and blank lines around them. (The tokenizer already keeps the rows after
/// `COPY … FROM stdin` in one token of the COPY statement.)
fn split(tokens: &[TokenWithSpan]) -> Vec<&[TokenWithSpan]> {
    // Indices of the tokens that are not whitespace or comments.
    let solid: Vec<usize> = (0..tokens.len())
        .filter(|&i| !matches!(tokens[i].token, Token::Whitespace(_)))
        .collect();
    let token = |k: usize| solid.get(k).map(|&i| &tokens[i]);
    let mut pieces = Vec::new();
    let mut start: Option<usize> = None;
    let mut last_line = 0;
    let mut k = 0;
    while let Some(t) = token(k) {
        let line = t.span.start.line;
        match (&t.token, start) {
            (Token::SemiColon, Some(s)) => {
                pieces.push(&tokens[solid[s]..=solid[k - 1]]);
                start = None;
            }
            (Token::SemiColon, None) => {}
            // A psql meta-command: from a backslash at the start of a line to its end.
            (Token::Backslash, None) if line != last_line => {
                let mut end = k;
                while token(end + 1).is_some_and(|n| n.span.start.line == line) {
                    end += 1;
                }
                pieces.push(&tokens[solid[k]..=solid[end]]);
                k = end;
            }
            (_, None) => start = Some(k),
            _ => {}
        }
        last_line = token(k).map_or(line, |t| t.span.end.line);
        k += 1;
    }
    if let (Some(s), Some(&last)) = (start, solid.last()) {
        pieces.push(&tokens[solid[s]..=last]);
    }
    pieces
}

fn words(piece: &[TokenWithSpan]) -> impl Iterator<Item = String> + '_ {
    piece.iter().filter_map(|t| match &t.token {
        Token::Word(w) => Some(w.value.to_ascii_uppercase()),
        _ => None,
    })
}

fn is_meta_command(piece: &[TokenWithSpan]) -> bool {
    piece.first().is_some_and(|t| t.token == Token::Backslash)
}

/// Words that, anywhere in a statement twokey cannot parse, mean it may destroy data.
/// `EXECUTE` runs SQL built at run time, which no reading of the text can check.
const DESTROYING: &[&str] = &[
    "DROP", "TRUNCATE", "DELETE", "UPDATE", "RENAME", "EXECUTE", "EXEC", "PURGE",
];

/// psql meta-commands that run SQL from elsewhere: another file, or a query's results.
const META_RUNNING_SQL: &[&str] = &["I", "IR", "INCLUDE", "INCLUDE_RELATIVE", "GEXEC", "!"];

/// What a statement twokey cannot parse risks, by the worst destroying word in it: the rule
/// that word would meet in a statement twokey could read. `None` when it would still need
/// a human but is not destructive: `EXECUTE` and the psql commands that run other files say
/// nothing of what they run, and dropping a constraint, an index or a function loses no rows
/// (those rules rank low, untagged).
/// How an unread `ALTER IGNORE TABLE … ADD UNIQUE` is named: the words say what it deletes.
const IGNORE_UNIQUE: &str =
    "ALTER IGNORE TABLE … UNIQUE, which deletes every row that duplicates an earlier one on the new key";

pub(super) fn destroys_at(word: &str) -> Option<Severity> {
    match word {
        // `DROP OWNED BY role` drops every table, view and function the role owns.
        "DROP OWNED" => Some(Severity::Critical),
        "DROP" | "TRUNCATE" | "DELETE" | "PURGE" | IGNORE_UNIQUE => Some(Severity::High),
        "CREATE OR REPLACE DATABASE" | "CREATE OR REPLACE SCHEMA" | "SET UNUSED" => {
            Some(Severity::High)
        }
        // A shorter expiry, retention or TTL makes the engine delete rows or history later
        // (see [`retention_setting`]); how much depends on the old value, which is elsewhere.
        w if w.ends_with(RETENTION) => Some(Severity::Medium),
        "UPDATE" | "RENAME" | "ALTER TABLE … TYPE" | "DROP VIEW" | "CREATE OR REPLACE TABLE" => {
            Some(Severity::Medium)
        }
        _ => None,
    }
}

/// Orders destroying words from the least alarming: a drop that loses no rows, then words
/// that hide what they run, then by the severity they would meet.
fn alarm(word: &str) -> u8 {
    match destroys_at(word) {
        Some(Severity::Critical) => 5,
        Some(Severity::High) => 4,
        Some(_) => 3,
        None if word.starts_with("DROP ") => 1,
        None => 2,
    }
}

/// What a `DROP` followed by these words removes holds no rows: the plain statements meet
/// `sql/drop-constraint`, `sql/drop-index`, `sql/drop-sequence-or-function` or
/// `ALTER COLUMN … DROP DEFAULT / NOT NULL`. Views are dropped by `sql/drop-view`.
const DROPS_KEEPING_ROWS: &[&str] = &[
    "CONSTRAINT",
    "INDEX",
    "DEFAULT",
    "NOT",
    "TRIGGER",
    "FUNCTION",
    "PROCEDURE",
    "IDENTITY",
    "EXPRESSION",
    "STATISTICS",
    "SEQUENCE",
    "VIEW",
];

/// The most alarming word of `piece` that can destroy data (see [`alarm`]). `ON DELETE` and
/// `BEFORE UPDATE` (foreign key actions and trigger events) name an event rather than do it,
/// as `EXECUTE FUNCTION` names a trigger's function and `GRANT UPDATE, DELETE ON` a
/// privilege; `TYPE` in `ALTER TABLE` can narrow a column. A `DROP` of an object that holds
/// no rows is named with its object (`DROP CONSTRAINT`), unless the statement cascades.
/// A dollar-quoted body (`DO $$ … $$`) is read the same way.
pub(super) fn destroying_word(piece: &[TokenWithSpan]) -> Option<String> {
    if is_meta_command(piece) {
        let command = piece.get(1).map(|t| match &t.token {
            Token::Word(w) => w.value.to_ascii_uppercase(),
            other => other.to_string(),
        })?;
        return META_RUNNING_SQL
            .contains(&command.as_str())
            .then(|| format!("\\{}", command.to_ascii_lowercase()));
    }
    // Comments say nothing, and rows loaded by COPY are data, not statements.
    let solid: Vec<&Token> = piece
        .iter()
        .map(|t| &t.token)
        .filter(|t| !matches!(t, Token::Whitespace(_) | Token::CopyData { .. }))
        .collect();
    let word = |i: usize| match solid.get(i) {
        Some(Token::Word(w)) => Some(w.value.to_ascii_uppercase()),
        _ => None,
    };
    let alters_a_table = word(0).as_deref() == Some("ALTER") && word(1).as_deref() == Some("TABLE");
    let cascades = solid
        .iter()
        .any(|t| matches!(t, Token::Word(w) if w.value.eq_ignore_ascii_case("CASCADE")));
    let mut worst: Option<String> = None;
    let mut note = |found: String| {
        if worst.as_deref().is_none_or(|w| alarm(&found) > alarm(w)) {
            worst = Some(found);
        }
    };
    // `CREATE OR REPLACE` of a table, schema or database that exists drops it first
    // (Snowflake, BigQuery, Databricks); a transient table holds rows too.
    if word(0).as_deref() == Some("CREATE")
        && word(1).as_deref() == Some("OR")
        && word(2).as_deref() == Some("REPLACE")
    {
        let object = match word(3).as_deref() {
            Some("TRANSIENT") => word(4),
            other => other.map(str::to_owned),
        };
        if let Some(object @ ("TABLE" | "SCHEMA" | "DATABASE")) = object.as_deref() {
            note(format!("CREATE OR REPLACE {object}"));
        }
    }
    // MySQL (before 5.7) and MariaDB's `ALTER IGNORE TABLE … ADD UNIQUE` (or PRIMARY KEY)
    // keeps the first row of each duplicate group and deletes the others, silently.
    if word(0).as_deref() == Some("ALTER")
        && word(1).as_deref() == Some("IGNORE")
        && word(2).as_deref() == Some("TABLE")
        && (2..solid.len()).any(|i| matches!(word(i).as_deref(), Some("UNIQUE" | "PRIMARY")))
    {
        note(IGNORE_UNIQUE.to_owned());
    }
    // Databricks' `REPLACE TABLE t AS …` is `CREATE OR REPLACE TABLE` without the CREATE.
    if word(0).as_deref() == Some("REPLACE") && word(1).as_deref() == Some("TABLE") {
        note("CREATE OR REPLACE TABLE".to_owned());
    }
    for (i, token) in solid.iter().enumerate() {
        let Token::Word(w) = token else {
            // A body is SQL or PL/pgSQL, so its words are read in their places; strings (and a
            // body the tokenizer refuses) word by word: `EXECUTE 'DROP …'`.
            if let Token::DollarQuotedString(body) = token {
                if let Ok(inner) =
                    tokenize(DialectName::Postgres, &PostgreSqlDialect {}, &body.value)
                {
                    if let Some(found) = destroying_word(&inner) {
                        note(found);
                    }
                    continue;
                }
            }
            let text = token.to_string().to_ascii_uppercase();
            if let Some(found) = text
                .split(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
                .find_map(destroying_in)
            {
                note(found);
            }
            continue;
        };
        let upper = w.value.to_ascii_uppercase();
        let previous = i.checked_sub(1).and_then(word);
        let next = word(i + 1);
        let names_an_event = matches!(upper.as_str(), "DELETE" | "UPDATE")
            && matches!(
                previous.as_deref(),
                Some("ON" | "BEFORE" | "AFTER" | "OR" | "OF")
            );
        let names_a_function =
            upper == "EXECUTE" && matches!(next.as_deref(), Some("FUNCTION" | "PROCEDURE"));
        // `GRANT SELECT, UPDATE, DELETE, TRUNCATE ON t`: no statement has these followed by
        // a comma or `ON`.
        let names_a_privilege = matches!(upper.as_str(), "DELETE" | "UPDATE" | "TRUNCATE")
            && (matches!(solid.get(i + 1), Some(Token::Comma)) || next.as_deref() == Some("ON"));
        let renames_an_index =
            upper == "RENAME" && matches!(next.as_deref(), Some("INDEX" | "KEY"));
        if !names_an_event && !names_a_function && !names_a_privilege && !renames_an_index {
            if let Some(found) = destroying_in(&upper) {
                let keeps_rows = upper == "DROP"
                    && !cascades
                    && next
                        .as_deref()
                        .is_some_and(|n| DROPS_KEEPING_ROWS.contains(&n));
                note(match next.as_deref() {
                    Some("OWNED") if upper == "DROP" => "DROP OWNED".to_owned(),
                    Some("NOT") if keeps_rows => "DROP NOT NULL".to_owned(),
                    Some(object) if keeps_rows => format!("DROP {object}"),
                    _ => found,
                });
            }
        }
        // ClickHouse's `ADD INDEX i expr TYPE bloom_filter` names a kind of index.
        let index_kind = matches!(
            next.as_deref(),
            Some(
                "MINMAX"
                    | "SET"
                    | "BLOOM_FILTER"
                    | "NGRAMBF_V1"
                    | "TOKENBF_V1"
                    | "INVERTED"
                    | "FULL_TEXT"
                    | "VECTOR_SIMILARITY"
                    | "ANNOY"
                    | "USEARCH"
            )
        );
        if upper == "TYPE" && alters_a_table && !index_kind {
            note("ALTER TABLE … TYPE".to_owned());
        }
        // Oracle's `SET UNUSED (c)` drops the column for every query; only a later `DROP
        // UNUSED COLUMNS` frees the space.
        if upper == "UNUSED" && alters_a_table && previous.as_deref() == Some("SET") {
            note("SET UNUSED".to_owned());
        }
        if let Some(setting) = retention_setting(&solid, i) {
            note(format!("{setting}{RETENTION}"));
        }
    }
    worst
}

/// The most alarming destroying word in a fragment of SQL that is not a statement of its
/// own (the expression a T-SQL `EXEC` builds its SQL from), as [`destroying_word`] finds it.
pub(super) fn destroying_in_text(text: &str) -> Option<String> {
    match tokenize(DialectName::Generic, &GenericDialect {}, text) {
        Ok(tokens) => destroying_word(&tokens),
        Err(_) => text
            .to_ascii_uppercase()
            .split(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
            .find_map(destroying_in),
    }
}

/// How a retention setting is named among destroying words.
const RETENTION: &str = " (a retention setting)";

/// The retention setting a statement's word at `i` changes, in the forms sqlparser does not
/// read: an `ALTER TABLE` option that expires or keeps data for a time, set with `=`
/// (BigQuery's `partition_expiration_days`, `expiration_timestamp`; Snowflake's
/// `DATA_RETENTION_TIME_IN_DAYS`), ClickHouse's `MODIFY TTL` (and `MATERIALIZE TTL`, which
/// applies it to existing rows), and a Delta `VACUUM … RETAIN n HOURS` under the week it
/// keeps by default. A new table's options expire nothing that exists, so only `ALTER
/// TABLE` and `VACUUM` count.
fn retention_setting(solid: &[&Token], i: usize) -> Option<String> {
    let word = |i: usize| match solid.get(i) {
        Some(Token::Word(w)) => Some(w.value.to_ascii_uppercase()),
        _ => None,
    };
    let upper = word(i)?;
    match (word(0).as_deref(), word(1).as_deref()) {
        (Some("ALTER"), Some("TABLE")) => {
            let sets = (upper.contains("EXPIRATION") || upper.contains("RETENTION"))
                && matches!(solid.get(i + 1), Some(Token::Eq));
            let ttl = upper == "TTL"
                && i.checked_sub(1)
                    .and_then(word)
                    .is_some_and(|p| p == "MODIFY" || p == "MATERIALIZE");
            (sets || ttl).then_some(upper)
        }
        (Some("VACUUM"), _) if upper == "RETAIN" => {
            let kept = match solid.get(i + 1) {
                Some(Token::Number(n, _)) => n.parse::<f64>().ok(),
                _ => None,
            };
            kept.is_none_or(|hours| hours < 168.0)
                .then(|| "VACUUM … RETAIN".to_owned())
        }
        _ => None,
    }
}

/// How statements start that create or configure without removing data, and that real
/// migrations and dumps hold in syntax sqlparser does not always read. Matched on the first
/// words; a statement is only let through when it also holds no destroying word.
const KNOWN_KINDS: &[&[&str]] = &[
    &["DO"],
    &["COMMENT", "ON"],
    &["GRANT"],
    &["REVOKE"],
    &["SET"],
    &["RESET"],
    &["ALTER", "SEQUENCE"],
    &["ALTER", "DEFAULT", "PRIVILEGES"],
    &["ALTER", "TYPE"],
    &["ALTER", "ROLE"],
    &["ALTER", "USER"],
    &["ALTER", "FUNCTION"],
    &["ALTER", "EXTENSION"],
    &["CREATE", "EXTENSION"],
    &["CREATE", "FUNCTION"],
    &["CREATE", "OR", "REPLACE"],
    &["CREATE", "VIEW"],
    &["CREATE", "MATERIALIZED", "VIEW"],
    &["CREATE", "SCHEMA"],
    &["CREATE", "PROCEDURE"],
    &["CREATE", "TRIGGER"],
    &["CREATE", "EVENT", "TRIGGER"],
    &["CREATE", "TYPE"],
    &["CREATE", "DOMAIN"],
    &["CREATE", "POLICY"],
    &["CREATE", "AGGREGATE"],
    &["CREATE", "OPERATOR"],
    &["CREATE", "CAST"],
    &["CREATE", "COLLATION"],
    &["CREATE", "SEQUENCE"],
    &["CREATE", "ROLE"],
    &["CREATE", "USER"],
    &["CREATE", "PUBLICATION"],
    &["CREATE", "STATISTICS"],
    &["SECURITY", "LABEL"],
    &["ANALYZE"],
    &["VACUUM"],
    // Reorders a table's rows along an index; every row stays.
    &["CLUSTER"],
    &["REINDEX"],
    &["REFRESH"],
    &["LOCK"],
    &["BEGIN"],
    &["START", "TRANSACTION"],
    &["COMMIT"],
    &["END"],
    &["DELIMITER"],
    &["USE"],
    &["PRAGMA"],
    // Snowflake: restores a dropped table, schema or database from Time Travel.
    &["UNDROP"],
    // Snowflake objects that load, schedule or compute, and bulk loads: none removes rows
    // (a `PURGE = TRUE` load removes staged files, and PURGE is a destroying word).
    &["CREATE", "STAGE"],
    &["CREATE", "TASK"],
    &["CREATE", "STREAM"],
    &["CREATE", "PIPE"],
    &["CREATE", "FILE", "FORMAT"],
    &["CREATE", "WAREHOUSE"],
    &["ALTER", "TASK"],
    &["ALTER", "WAREHOUSE"],
    &["ALTER", "PIPE"],
    &["ALTER", "STAGE"],
    &["COPY", "INTO"],
];

/// `ALTER TABLE` clauses that change how a table is stored or described, never what it
/// holds. MySQL's:
/// the engine rebuild gh-ost and pt-online-schema-change run as a "null alter"
/// (`ENGINE=InnoDB`), table defaults, and partition maintenance that keeps every row
/// (`ADD`, `REORGANIZE`, `COALESCE` a partition, `REMOVE PARTITIONING`). Matched on the first
/// words of each clause. `CONVERT TO CHARACTER SET` is not here: it rewrites stored text,
/// which a narrower character set loses.
const TABLE_STORAGE_CLAUSES: &[&[&str]] = &[
    &["ENGINE"],
    &["AUTO_INCREMENT"],
    &["ROW_FORMAT"],
    &["KEY_BLOCK_SIZE"],
    &["COMMENT"],
    &["FORCE"],
    &["ALGORITHM"],
    &["LOCK"],
    &["DEFAULT", "CHARSET"],
    &["DEFAULT", "CHARACTER"],
    &["DEFAULT", "COLLATE"],
    &["CHARACTER", "SET"],
    &["COLLATE"],
    &["ADD", "PARTITION"],
    &["REORGANIZE", "PARTITION"],
    &["COALESCE", "PARTITION"],
    &["ANALYZE", "PARTITION"],
    &["OPTIMIZE", "PARTITION"],
    &["REBUILD", "PARTITION"],
    &["CHECK", "PARTITION"],
    &["REPAIR", "PARTITION"],
    &["REMOVE", "PARTITIONING"],
    // T-SQL turning a constraint's checks back on, and MySQL renaming an index: no query
    // names an index, so renaming one breaks nothing.
    &["CHECK", "CONSTRAINT"],
    &["RENAME", "INDEX"],
    &["RENAME", "KEY"],
    // ClickHouse's data-skipping indexes, projections and settings, and Redshift's
    // distribution and sort keys: how rows are found, not which rows there are.
    &["ADD", "INDEX"],
    &["MATERIALIZE", "INDEX"],
    &["ADD", "PROJECTION"],
    &["MATERIALIZE", "PROJECTION"],
    &["MODIFY", "SETTING"],
    &["ALTER", "DISTSTYLE"],
    &["ALTER", "DISTKEY"],
    &["ALTER", "SORTKEY"],
    &["ALTER", "COMPOUND"],
    &["ALTER", "ENCODE"],
    // BigQuery and Snowflake table settings; those that expire or keep data for a time are
    // destroying words (see `retention_setting`).
    &["SET", "OPTIONS"],
    &["SET", "COMMENT"],
    &["SET", "CHANGE_TRACKING"],
    &["SET", "DATA_RETENTION_TIME_IN_DAYS"],
    &["SET", "MAX_DATA_EXTENSION_TIME_IN_DAYS"],
];

/// `ALTER TABLE [IF EXISTS] name clause, clause…` where every clause is one of
/// [`TABLE_STORAGE_CLAUSES`].
fn alters_table_storage(piece: &[TokenWithSpan]) -> bool {
    let solid: Vec<&Token> = piece
        .iter()
        .map(|t| &t.token)
        .filter(|t| !matches!(t, Token::Whitespace(_)))
        .collect();
    let word = |i: usize| match solid.get(i) {
        Some(Token::Word(w)) => Some(w.value.to_ascii_uppercase()),
        _ => None,
    };
    if word(0).as_deref() != Some("ALTER") || word(1).as_deref() != Some("TABLE") {
        return false;
    }
    let mut at = 2;
    if word(2).as_deref() == Some("IF") && word(3).as_deref() == Some("EXISTS") {
        at = 4;
    }
    // The name: words joined by periods.
    if word(at).is_none() {
        return false;
    }
    at += 1;
    while matches!(solid.get(at), Some(Token::Period)) && word(at + 1).is_some() {
        at += 2;
    }
    // ClickHouse: `ON CLUSTER name` runs it on every replica.
    if word(at).as_deref() == Some("ON") && word(at + 1).as_deref() == Some("CLUSTER") {
        at += 3;
    }
    let mut depth = 0usize;
    let mut clause_start = at;
    for i in at..=solid.len() {
        match solid.get(i) {
            Some(Token::LParen) => depth += 1,
            Some(Token::RParen) => depth = depth.saturating_sub(1),
            Some(Token::Comma) if depth > 0 => {}
            Some(Token::Comma) | None => {
                let first: Vec<String> = (clause_start..i).take(2).filter_map(word).collect();
                let known =
                    TABLE_STORAGE_CLAUSES.iter().any(|clause| {
                        clause.len() <= first.len()
                            && clause.iter().zip(&first).all(|(c, w)| *c == w.as_str())
                    }) || governs_a_column(&(clause_start..i).map(word).collect::<Vec<_>>());
                if !known {
                    return false;
                }
                clause_start = i + 1;
            }
            _ => {}
        }
    }
    true
}

/// Snowflake's column governance, `MODIFY|ALTER [COLUMN] c SET|UNSET MASKING POLICY …` (or
/// `TAG`, `PROJECTION POLICY`): who may read the values, not what they are.
fn governs_a_column(clause: &[Option<String>]) -> bool {
    let clause: Vec<&str> = clause.iter().map(|w| w.as_deref().unwrap_or("")).collect();
    let rest = match clause.as_slice() {
        ["MODIFY" | "ALTER", "COLUMN", _, rest @ ..] | ["MODIFY" | "ALTER", _, rest @ ..] => rest,
        _ => return false,
    };
    matches!(
        rest,
        [
            "SET" | "UNSET",
            "MASKING" | "TAG" | "PROJECTION" | "OPTIONS",
            ..
        ]
    )
}

fn is_known_kind(piece: &[TokenWithSpan]) -> bool {
    if is_meta_command(piece) {
        return true;
    }
    if alters_table_storage(piece) {
        return true;
    }
    let first: Vec<String> = words(piece).take(3).collect();
    KNOWN_KINDS.iter().any(|kind| {
        kind.len() <= first.len() && kind.iter().zip(&first).all(|(k, w)| *k == w.as_str())
    })
}

/// `word` when it, or a part of it between underscores (`drop_chunks`), is a destroying word.
fn destroying_in(word: &str) -> Option<String> {
    std::iter::once(word)
        .chain(word.split('_'))
        .find(|part| DESTROYING.contains(part))
        .map(str::to_owned)
}

fn parse_with(text: &str, name: DialectName) -> Result<Vec<Located>, ParseFailure> {
    let dialect = name.dialect();
    let tokens = tokenize(name, dialect.as_ref(), text).map_err(|e| failure(e.into()))?;
    if let Some(at) = over_long_expression(&tokens) {
        // Left for `parse_each`, which keeps the other statements and reports this one.
        return Err(ParseFailure {
            line: to_line(at),
            message: TOO_LONG.to_owned(),
        });
    }
    let mut parser = Parser::new(dialect.as_ref()).with_tokens_with_locations(tokens);
    let mut out = Vec::new();
    loop {
        while parser.consume_token(&Token::SemiColon) {}
        let start = parser.peek_token_ref();
        if start.token == Token::EOF {
            break;
        }
        let line = start.span.start.line;
        let statement = parser.parse_statement().map_err(failure)?;
        let end_line = parser.get_previous_token().span.end.line;
        // A statement must end at `;` or the end of the file; anything else is a syntax error
        // the statement parser left for the caller to notice.
        let next = parser.peek_token_ref();
        if next.token != Token::SemiColon && next.token != Token::EOF {
            return Err(ParseFailure {
                line: to_line(next.span.start.line),
                message: format!("expected end of statement, found {}", next.token),
            });
        }
        out.push(Located {
            statement: Box::new(statement),
            line: to_line(line).unwrap_or(1),
            end_line: to_line(end_line).or(to_line(line)).unwrap_or(1),
        });
    }
    Ok(out)
}

impl Located {
    /// The comparison key: sqlparser's `Display`, which comments and layout do not survive,
    /// folded further so that spelling the same statement differently (`IF EXISTS` added to
    /// a drop that already ran, identifiers quoted, keywords in another case) does not make
    /// it new.
    pub fn key(&self) -> String {
        let mut key: String = self
            .statement
            .to_string()
            .chars()
            .filter(|c| !matches!(c, '"' | '`' | '[' | ']'))
            .flat_map(char::to_lowercase)
            .collect();
        for noise in [" if not exists", " if exists"] {
            while let Some(at) = key.find(noise) {
                key.replace_range(at..at + noise.len(), "");
            }
        }
        key
    }
}

/// The longest run of tokens at one nesting level, between commas, that twokey hands to
/// sqlparser. A chain like `1+1+…+1` or `a=1 OR a=2 OR …` becomes a tree as deep as it is
/// long, and printing or dropping that tree recurses once per link: a few hundred thousand
/// links overflow the stack and abort the process. Parentheses are already bounded by
/// sqlparser's recursion limit; this bounds the flat chains it builds without recursing.
/// (hcl-edit refuses such chains in HCL the same way.)
const MAX_RUN: usize = 2_000;

const TOO_LONG: &str =
    "an expression chains more operators than twokey parses safely (over 1,000 in a row)";

/// The line of the first run of tokens longer than [`MAX_RUN`], if any.
fn over_long_expression(tokens: &[TokenWithSpan]) -> Option<u64> {
    // One counter per open parenthesis or bracket; a comma or `;` ends a run at its level.
    let mut runs: Vec<usize> = vec![0];
    for t in tokens {
        match t.token {
            Token::Whitespace(_) => continue,
            Token::LParen | Token::LBracket | Token::LBrace => runs.push(0),
            Token::RParen | Token::RBracket | Token::RBrace => {
                if runs.len() > 1 {
                    runs.pop();
                }
            }
            Token::Comma | Token::SemiColon => {
                if let Some(run) = runs.last_mut() {
                    *run = 0;
                }
            }
            _ => {
                if let Some(run) = runs.last_mut() {
                    *run += 1;
                    if *run > MAX_RUN {
                        return Some(t.span.start.line);
                    }
                }
            }
        }
    }
    None
}

/// `text`'s tokens with their positions. The list is sized from the text up front (SQL runs
/// at about one token, whitespace included, per three to four bytes): grown token by token,
/// a large file's list was copied whole several times over.
/// `text`'s tokens in `dialect` (whose name is `name`): by the fast path when the text is
/// plain enough for it, else by sqlparser's tokenizer.
fn tokenize(
    name: DialectName,
    dialect: &dyn Dialect,
    text: &str,
) -> Result<Vec<TokenWithSpan>, TokenizerError> {
    if let Some(tokens) = super::plain_lex::tokens(text, name) {
        return Ok(tokens);
    }
    let mut tokens = Vec::with_capacity(text.len() / 4 + 16);
    Tokenizer::new(dialect, text).tokenize_with_location_into_buf(&mut tokens)?;
    Ok(tokens)
}

fn to_line(line: u64) -> Option<u32> {
    (line > 0).then(|| u32::try_from(line).unwrap_or(u32::MAX))
}

fn failure(e: ParserError) -> ParseFailure {
    let message = e.to_string();
    ParseFailure {
        line: error_line(&message),
        message: message
            .strip_prefix("sql parser error: ")
            .unwrap_or(&message)
            .to_owned(),
    }
}

/// sqlparser puts the position in the message text (`… at Line: 3, Column: 7`).
fn error_line(message: &str) -> Option<u32> {
    let rest = &message[message.rfind("Line: ")? + "Line: ".len()..];
    let digits: String = rest.chars().take_while(|c| c.is_ascii_digit()).collect();
    digits.parse().ok().filter(|&n| n > 0)
}
