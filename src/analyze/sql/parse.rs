//! Parsing one side of a SQL file into statements that remember the lines they came from.
//!
//! sqlparser's AST spans are empty for several statement kinds (`DROP` among them), so the
//! parser is driven one statement at a time and the lines are read off the first and last
//! *tokens* of each statement, which always carry positions.

use sqlparser::ast::Statement;
use sqlparser::dialect::{Dialect, GenericDialect, MySqlDialect, PostgreSqlDialect, SQLiteDialect};
use sqlparser::parser::{Parser, ParserError};
use sqlparser::tokenizer::Token;

/// A statement with its lines (1-based, inclusive).
#[derive(Debug, Clone)]
pub struct Located {
    pub statement: Statement,
    pub line: u32,
    pub end_line: u32,
}

/// A file that no dialect could parse: the configured dialect's error, and its line if known.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParseFailure {
    pub line: Option<u32>,
    pub message: String,
}

/// The dialects twokey knows by name. Unknown names fall back to the generic dialect.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DialectName {
    Generic,
    Postgres,
    MySql,
    Sqlite,
}

impl DialectName {
    pub fn from_option(name: &str) -> DialectName {
        match name.trim().to_ascii_lowercase().as_str() {
            "postgres" | "postgresql" | "pg" => DialectName::Postgres,
            "mysql" | "mariadb" => DialectName::MySql,
            "sqlite" | "sqlite3" => DialectName::Sqlite,
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
            } else {
                None
            }
        })
    }

    fn dialect(self) -> Box<dyn Dialect> {
        match self {
            DialectName::Generic => Box::new(GenericDialect {}),
            DialectName::Postgres => Box::new(PostgreSqlDialect {}),
            DialectName::MySql => Box::new(MySqlDialect {}),
            DialectName::Sqlite => Box::new(SQLiteDialect {}),
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
        ] {
            if !order.contains(&d) {
                order.push(d);
            }
        }
        order
    }
}

/// Parses with each dialect in `order` until one succeeds; reports the first dialect's error.
pub fn parse_any(
    text: &str,
    order: &[DialectName],
) -> Result<(DialectName, Vec<Located>), ParseFailure> {
    let mut first_error = None;
    for &name in order {
        match parse_with(text, name) {
            Ok(statements) => return Ok((name, statements)),
            Err(e) => {
                first_error.get_or_insert(e);
            }
        }
    }
    Err(first_error.unwrap_or(ParseFailure {
        line: None,
        message: "no SQL dialect configured".to_owned(),
    }))
}

fn parse_with(text: &str, name: DialectName) -> Result<Vec<Located>, ParseFailure> {
    let dialect = name.dialect();
    let mut parser = Parser::new(dialect.as_ref())
        .try_with_sql(text)
        .map_err(failure)?;
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
            statement,
            line: to_line(line).unwrap_or(1),
            end_line: to_line(end_line).or(to_line(line)).unwrap_or(1),
        });
    }
    Ok(out)
}

impl Located {
    /// The comparison key: sqlparser's `Display`, which comments and layout do not survive.
    pub fn key(&self) -> String {
        self.statement.to_string()
    }
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
