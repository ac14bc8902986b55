//! tolerant: valid SQL that sqlparser rejects, re-read through an equivalent statement it
//! accepts. Owns only rewrites that keep what twokey judges (which object is dropped, which
//! column changes to which type); it never guesses at broken SQL, and a statement none of
//! its rewrites fits stays unread, so it still needs a human.
//!
//! Each rewrite fits one exact shape, checked word by word on the statement's tokens, and
//! the result must parse to its end. The rewrites exist because these forms are the ones
//! migration guides recommend, and reporting them as unparseable would teach reviewers to
//! skip `sql/unparseable`:
//!
//! - Postgres `DROP INDEX CONCURRENTLY …` (the lock-free drop squawk and strong_migrations
//!   ask for): read without `CONCURRENTLY`, which changes locking, not what is dropped.
//! - Postgres `DROP DATABASE … WITH (FORCE)`: read without the option, which only ends the
//!   sessions still connected.
//! - Postgres `ALTER TABLE t SET SCHEMA s`: read as `ALTER TABLE t RENAME TO s.t`, which is
//!   what it does to every query naming the table: `t` is no longer found under its old
//!   schema.
//! - T-SQL `ALTER TABLE t ALTER COLUMN c <type> [NULL | NOT NULL]`, SQL Server's only way to
//!   change a column's type: read as `ALTER COLUMN c SET DATA TYPE <type>`, so the type
//!   change is judged as in any other dialect.
//! - T-SQL `ALTER TABLE t ADD [CONSTRAINT name] DEFAULT <value> FOR c`, how SQL Server names
//!   a column default: read as `ALTER COLUMN c SET DEFAULT <value>`, which changes no row.
//! - Oracle's and ClickHouse's words after a drop or truncate that say how, not what:
//!   `DROP TABLE t CASCADE CONSTRAINTS` (the foreign keys pointing at `t` go with it, as
//!   they must for any drop), ClickHouse's `SYNC`, and `TRUNCATE TABLE t DROP|REUSE
//!   STORAGE`: read without them. Oracle's `PURGE` stays.
//! - Oracle's parenthesized column lists, `ALTER TABLE t ADD|MODIFY|DROP (a …, b …)`: read as
//!   one clause per column (`DROP COLUMN a, DROP COLUMN b`), so each meets its own rule.
//! - ClickHouse's `CREATE TABLE t [ON CLUSTER c] AS other ENGINE = …`, a new table with
//!   another's columns: read as `CREATE TABLE t LIKE other`, so the table counts as one the
//!   file creates (a staging table for `REPLACE PARTITION`), unless its options hold a
//!   destroying word.
//! - T-SQL's column list after one `DROP COLUMN`, `ALTER TABLE t DROP COLUMN [a], [b]`: read
//!   the same way, one `DROP COLUMN` per column.
//! - SQL Server's storage options as SSMS and SSDT script them: `WITH (PAD_INDEX = OFF, …)`
//!   and `ON [PRIMARY]` / `TEXTIMAGE_ON [PRIMARY]` after a key's or table's column list, and
//!   `WITH CHECK` / `WITH NOCHECK` before `ADD CONSTRAINT` (whether existing rows are checked
//!   against the new constraint): read without them, as they say where and how the data is
//!   stored, not what is kept.
//! - ClickHouse mutations, `ALTER TABLE t [ON CLUSTER c] DELETE WHERE …` and `… UPDATE a = b
//!   WHERE …`: read as `DELETE FROM t WHERE …` and `UPDATE t SET a = b WHERE …`, which remove
//!   or overwrite the same rows, so an unbounded one (`WHERE 1`) meets the same rules.
//! - Jinja placeholders, `{{ database }}.raw.orders`, which schemachange and dbt render
//!   before the SQL runs: each `{{ … }}` is read as one name. The statement around it is
//!   judged as written (a drop of `{{database}}.raw.orders` is a drop).
//! - T-SQL `CREATE [UNIQUE] [NON]CLUSTERED INDEX`, as SSMS and EF Core script every index:
//!   read without the storage word, which says how the index is laid out, not what it holds.
//! - `CREATE TABLE … ( columns ) <options>` and `CREATE INDEX … ( columns ) <options>` whose
//!   options sqlparser does not know (ClickHouse's `ENGINE = MergeTree PARTITION BY … TTL …`,
//!   Databricks' `USING DELTA`, T-SQL's `WITH (ONLINE = ON) ON [PRIMARY]`): read as the
//!   statement up to its column list. Storage, ordering and partitioning options change
//!   nothing that is already stored; options holding a destroying word (ClickHouse's `TTL …
//!   DELETE`) are not dropped, so such a statement stays unread and needs a human.

use sqlparser::ast::Statement;
use sqlparser::dialect::Dialect;
use sqlparser::parser::Parser;
use sqlparser::tokenizer::{Token, TokenWithSpan};

/// `piece` read through the first rewrite that fits it, if any.
pub(super) fn reread(piece: &[TokenWithSpan], dialect: &dyn Dialect) -> Option<Statement> {
    let solid: Vec<TokenWithSpan> = piece
        .iter()
        .filter(|t| !matches!(t.token, Token::Whitespace(_)))
        .cloned()
        .collect();
    let (solid, templated) = match without_placeholders(&solid) {
        Some(named) => (named, true),
        None => (solid, false),
    };
    let rewritten = drop_index_concurrently(&solid)
        .or_else(|| drop_database_with_force(&solid))
        .or_else(|| table_set_schema(&solid))
        .or_else(|| tsql_alter_column_type(&solid, dialect))
        .or_else(|| tsql_default_for(&solid))
        .or_else(|| without_manner_words(&solid))
        .or_else(|| oracle_column_list(&solid))
        .or_else(|| tsql_drop_column_list(&solid))
        .or_else(|| clickhouse_create_as(&solid))
        .or_else(|| clickhouse_mutation(&solid));
    if let Some(rewritten) = rewritten {
        return parse_whole(rewritten, dialect);
    }
    // Storage options belong to tables, keys and indexes: nothing else is read without them.
    let stores = starts_with(&solid, &["CREATE"]) || starts_with(&solid, &["ALTER", "TABLE"]);
    let (solid, stripped) = match tsql_storage_options(&solid).filter(|_| stores) {
        Some(plain) => (plain, true),
        None => (solid, false),
    };
    if templated || stripped {
        if let Some(statement) = parse_whole(solid.clone(), dialect) {
            return Some(statement);
        }
    }
    // The two CREATE rewrites combine: `CREATE NONCLUSTERED INDEX … WITH (ONLINE = ON)`.
    let unclustered = tsql_clustered_index(&solid);
    let create = unclustered.as_deref().unwrap_or(&solid);
    let read = match unclustered.clone() {
        Some(tokens) => parse_whole(tokens, dialect),
        None => None,
    };
    read.or_else(|| parse_whole(create_without_options(create)?, dialect))
        .filter(|s| matches!(s, Statement::CreateTable(_) | Statement::CreateIndex(_)))
}

/// T-SQL `ALTER TABLE name ADD [CONSTRAINT c] DEFAULT <value> FOR col` as `ALTER TABLE name
/// ALTER COLUMN col SET DEFAULT <value>`.
fn tsql_default_for(tokens: &[TokenWithSpan]) -> Option<Vec<TokenWithSpan>> {
    if !starts_with(tokens, &["ALTER", "TABLE"]) {
        return None;
    }
    let add = (2..tokens.len()).find(|&i| word(tokens, i).as_deref() == Some("ADD"))?;
    let default = match word(tokens, add + 1).as_deref() {
        Some("CONSTRAINT") => add + 3,
        _ => add + 1,
    };
    let n = tokens.len();
    if word(tokens, default).as_deref() != Some("DEFAULT")
        || n < default + 4
        || word(tokens, n - 2).as_deref() != Some("FOR")
        || !matches!(tokens[n - 1].token, Token::Word(_))
    {
        return None;
    }
    let at = tokens[add].span;
    let mut out = tokens[..add].to_vec();
    out.push(TokenWithSpan::new(Token::make_keyword("ALTER"), at));
    out.push(TokenWithSpan::new(Token::make_keyword("COLUMN"), at));
    out.push(tokens[n - 1].clone());
    out.push(TokenWithSpan::new(Token::make_keyword("SET"), at));
    out.extend_from_slice(&tokens[default..n - 2]);
    Some(out)
}

/// SQL Server index options (`WITH (PAD_INDEX = OFF, …)`), as SSMS scripts them.
const TSQL_INDEX_OPTIONS: &[&str] = &[
    "PAD_INDEX",
    "FILLFACTOR",
    "SORT_IN_TEMPDB",
    "IGNORE_DUP_KEY",
    "STATISTICS_NORECOMPUTE",
    "STATISTICS_INCREMENTAL",
    "DROP_EXISTING",
    "ONLINE",
    "RESUMABLE",
    "ALLOW_ROW_LOCKS",
    "ALLOW_PAGE_LOCKS",
    "OPTIMIZE_FOR_SEQUENTIAL_KEY",
    "MAXDOP",
    "DATA_COMPRESSION",
];

/// `tokens` without T-SQL storage options: a `WITH (<index option> …)` group or an `ON fg`,
/// `TEXTIMAGE_ON fg`, `FILESTREAM_ON fg` after a closing parenthesis, and `WITH CHECK|NOCHECK`
/// right before `ADD`. `None` when there are none.
fn tsql_storage_options(tokens: &[TokenWithSpan]) -> Option<Vec<TokenWithSpan>> {
    let after_paren = |i: usize| i > 0 && tokens[i - 1].token == Token::RParen;
    let mut out = Vec::with_capacity(tokens.len());
    let mut i = 0;
    while i < tokens.len() {
        let here = word(tokens, i);
        let options = here.as_deref() == Some("WITH")
            && after_paren(i)
            && tokens.get(i + 1).map(|t| &t.token) == Some(&Token::LParen)
            && word(tokens, i + 2).is_some_and(|w| TSQL_INDEX_OPTIONS.contains(&w.as_str()));
        if options {
            let mut depth = 0usize;
            let close = (i + 1..tokens.len()).find(|&j| {
                match tokens[j].token {
                    Token::LParen => depth += 1,
                    Token::RParen => depth = depth.saturating_sub(1),
                    _ => {}
                }
                depth == 0
            })?;
            i = close + 1;
            continue;
        }
        let filegroup = matches!(
            here.as_deref(),
            Some("ON" | "TEXTIMAGE_ON" | "FILESTREAM_ON")
        ) && after_paren(i)
            && word(tokens, i + 1).is_some()
            && match tokens.get(i + 2).map(|t| &t.token) {
                None | Some(Token::RParen | Token::Comma) => true,
                Some(_) => matches!(
                    word(tokens, i + 2).as_deref(),
                    Some("TEXTIMAGE_ON" | "FILESTREAM_ON" | "WITH")
                ),
            };
        let check = here.as_deref() == Some("WITH")
            && starts_with(tokens, &["ALTER", "TABLE"])
            && matches!(word(tokens, i + 1).as_deref(), Some("CHECK" | "NOCHECK"))
            && word(tokens, i + 2).as_deref() == Some("ADD");
        if filegroup || check {
            i += 2;
            continue;
        }
        out.push(tokens[i].clone());
        i += 1;
    }
    (out.len() < tokens.len()).then_some(out)
}

/// `tokens` with each Jinja `{{ … }}` as one word spelling it, when there is one.
fn without_placeholders(tokens: &[TokenWithSpan]) -> Option<Vec<TokenWithSpan>> {
    let opens = |i: usize| {
        tokens.get(i).map(|t| &t.token) == Some(&Token::LBrace)
            && tokens.get(i + 1).map(|t| &t.token) == Some(&Token::LBrace)
    };
    let closes = |i: usize| {
        tokens.get(i).map(|t| &t.token) == Some(&Token::RBrace)
            && tokens.get(i + 1).map(|t| &t.token) == Some(&Token::RBrace)
    };
    if !(0..tokens.len()).any(opens) {
        return None;
    }
    let mut out = Vec::with_capacity(tokens.len());
    let mut i = 0;
    while i < tokens.len() {
        if opens(i) {
            let end = (i + 2..tokens.len()).find(|&j| closes(j))?;
            let inner: String = tokens[i + 2..end]
                .iter()
                .map(|t| t.token.to_string())
                .collect();
            out.push(TokenWithSpan::new(
                Token::make_word(&format!("{{{{{inner}}}}}"), None),
                tokens[i].span,
            ));
            i = end + 2;
        } else {
            out.push(tokens[i].clone());
            i += 1;
        }
    }
    Some(out)
}

/// `DROP … CASCADE CONSTRAINTS`, `DROP … SYNC` and `TRUNCATE … DROP|REUSE [ALL] STORAGE`
/// without those words.
fn without_manner_words(tokens: &[TokenWithSpan]) -> Option<Vec<TokenWithSpan>> {
    let words: Vec<Option<String>> = (0..tokens.len()).map(|i| word(tokens, i)).collect();
    let is = |i: usize, w: &str| words.get(i).and_then(Option::as_deref) == Some(w);
    let n = tokens.len();
    match words.first().and_then(Option::as_deref) {
        Some("DROP") => {
            let mut out = tokens.to_vec();
            if is(n - 1, "SYNC") {
                out.pop();
            }
            let cascade = (1..out.len()).find(|&i| is(i, "CASCADE") && is(i + 1, "CONSTRAINTS"));
            if let Some(at) = cascade {
                out.drain(at..at + 2);
            }
            (out.len() < n).then_some(out)
        }
        Some("TRUNCATE") if n > 3 && is(n - 1, "STORAGE") => {
            let all = usize::from(is(n - 2, "ALL"));
            let how = n - 2 - all;
            (is(how, "DROP") || is(how, "REUSE")).then(|| tokens[..how].to_vec())
        }
        _ => None,
    }
}

/// Oracle's `ALTER TABLE name ADD|MODIFY|DROP ( item, item … )` as `ALTER TABLE name OP item,
/// OP item …`, `DROP` naming each as `DROP COLUMN`.
fn oracle_column_list(tokens: &[TokenWithSpan]) -> Option<Vec<TokenWithSpan>> {
    if !starts_with(tokens, &["ALTER", "TABLE"]) {
        return None;
    }
    let open = tokens.iter().position(|t| t.token == Token::LParen)?;
    let op = word(tokens, open.checked_sub(1)?)?;
    if !matches!(op.as_str(), "ADD" | "MODIFY" | "DROP") || open < 4 {
        return None;
    }
    if tokens.last().map(|t| &t.token) != Some(&Token::RParen) {
        return None;
    }
    // Items at depth one, between the list's own parentheses.
    let mut items: Vec<&[TokenWithSpan]> = Vec::new();
    let (mut depth, mut start) = (0usize, open + 1);
    for (i, t) in tokens.iter().enumerate().skip(open) {
        match t.token {
            Token::LParen => depth += 1,
            Token::RParen => {
                depth = depth.checked_sub(1)?;
                if depth == 0 {
                    if i != tokens.len() - 1 {
                        return None;
                    }
                    items.push(&tokens[start..i]);
                }
            }
            Token::Comma if depth == 1 => {
                items.push(&tokens[start..i]);
                start = i + 1;
            }
            _ => {}
        }
    }
    if items.iter().any(|item| item.is_empty()) {
        return None;
    }
    let op_token = &tokens[open - 1];
    let mut out = tokens[..open - 1].to_vec();
    for (k, item) in items.iter().enumerate() {
        if k > 0 {
            out.push(TokenWithSpan::new(Token::Comma, op_token.span));
        }
        out.push(op_token.clone());
        if op == "DROP" {
            out.push(TokenWithSpan::new(
                Token::make_keyword("COLUMN"),
                op_token.span,
            ));
        }
        out.extend_from_slice(item);
    }
    Some(out)
}

/// ClickHouse's `CREATE TABLE [IF NOT EXISTS] t [ON CLUSTER c] AS other [options]` as
/// `CREATE TABLE [IF NOT EXISTS] t LIKE other`. `AS SELECT` is sqlparser's to read, and a
/// table function (`AS remote(…)`) is not a table to copy from.
fn clickhouse_create_as(tokens: &[TokenWithSpan]) -> Option<Vec<TokenWithSpan>> {
    if !starts_with(tokens, &["CREATE", "TABLE"]) {
        return None;
    }
    let at = (2..tokens.len()).find(|&i| word(tokens, i).as_deref() == Some("AS"))?;
    let mut end = at + 1;
    if matches!(word(tokens, end).as_deref(), None | Some("SELECT" | "WITH")) {
        return None;
    }
    end += 1;
    while tokens.get(end).map(|t| &t.token) == Some(&Token::Period)
        && word(tokens, end + 1).is_some()
    {
        end += 2;
    }
    if tokens.get(end).map(|t| &t.token) == Some(&Token::LParen)
        || super::parse::destroying_word(&tokens[end..]).is_some()
    {
        return None;
    }
    // `ON CLUSTER c` says where the table is made, not what it is.
    let name_end = (2..at)
        .find(|&i| {
            word(tokens, i).as_deref() == Some("ON")
                && word(tokens, i + 1).as_deref() == Some("CLUSTER")
        })
        .unwrap_or(at);
    let mut out = tokens[..name_end].to_vec();
    out.push(TokenWithSpan::new(
        Token::make_keyword("LIKE"),
        tokens[at].span,
    ));
    out.extend_from_slice(&tokens[at + 1..end]);
    Some(out)
}

/// Words that start a clause of an `ALTER TABLE` rather than name another column.
const CLAUSE_WORDS: &[&str] = &[
    "ADD",
    "DROP",
    "ALTER",
    "WITH",
    "CHECK",
    "NOCHECK",
    "ENABLE",
    "DISABLE",
    "SET",
    "SWITCH",
    "REBUILD",
    "CONSTRAINT",
    "COLUMN",
    "PERIOD",
];

/// T-SQL's `ALTER TABLE t DROP COLUMN a, b` as `… DROP COLUMN a, DROP COLUMN b`: after a
/// `DROP COLUMN`, a comma followed by a name (not by another clause's word) names another
/// column to drop.
fn tsql_drop_column_list(tokens: &[TokenWithSpan]) -> Option<Vec<TokenWithSpan>> {
    if !starts_with(tokens, &["ALTER", "TABLE"]) {
        return None;
    }
    let mut out = Vec::with_capacity(tokens.len() + 4);
    let (mut dropping, mut depth, mut rewrote) = (None::<usize>, 0usize, false);
    for (i, t) in tokens.iter().enumerate() {
        match &t.token {
            Token::LParen => depth += 1,
            Token::RParen => depth = depth.saturating_sub(1),
            _ => {}
        }
        out.push(t.clone());
        if word(tokens, i).as_deref() == Some("COLUMN")
            && i.checked_sub(1).and_then(|p| word(tokens, p)).as_deref() == Some("DROP")
        {
            dropping = Some(i - 1);
        } else if t.token == Token::Comma && depth == 0 {
            let next = match &tokens.get(i + 1).map(|n| &n.token) {
                Some(Token::Word(w)) => Some(w),
                _ => None,
            };
            match (dropping, next) {
                (Some(at), Some(w))
                    if w.quote_style.is_some()
                        || !CLAUSE_WORDS.contains(&w.value.to_ascii_uppercase().as_str()) =>
                {
                    out.extend_from_slice(&tokens[at..=at + 1]);
                    rewrote = true;
                }
                _ => dropping = None,
            }
        }
    }
    rewrote.then_some(out)
}

/// `CREATE [UNIQUE] CLUSTERED|NONCLUSTERED INDEX …` without the storage word.
fn tsql_clustered_index(tokens: &[TokenWithSpan]) -> Option<Vec<TokenWithSpan>> {
    let at = if starts_with(tokens, &["CREATE", "UNIQUE"]) {
        2
    } else {
        1
    };
    let storage = word(tokens, at)?;
    if word(tokens, 0).as_deref() != Some("CREATE")
        || !matches!(storage.as_str(), "CLUSTERED" | "NONCLUSTERED")
        || word(tokens, at + 1).as_deref() != Some("INDEX")
    {
        return None;
    }
    let mut out = tokens.to_vec();
    out.remove(at);
    Some(out)
}

/// `CREATE … TABLE|INDEX … ( … ) <options>` cut after the parenthesis that closes the first
/// one, when options follow and none of them can destroy data.
fn create_without_options(tokens: &[TokenWithSpan]) -> Option<Vec<TokenWithSpan>> {
    let open = tokens.iter().position(|t| t.token == Token::LParen)?;
    let names_its_object =
        (1..open).any(|i| matches!(word(tokens, i).as_deref(), Some("TABLE" | "INDEX")));
    if word(tokens, 0).as_deref() != Some("CREATE") || !names_its_object {
        return None;
    }
    let mut depth = 0usize;
    let close = (open..tokens.len()).find(|&i| {
        match tokens[i].token {
            Token::LParen => depth += 1,
            Token::RParen => depth = depth.saturating_sub(1),
            _ => {}
        }
        depth == 0
    })?;
    let options = &tokens[close + 1..];
    if options.is_empty() || super::parse::destroying_word(options).is_some() {
        return None;
    }
    Some(tokens[..=close].to_vec())
}

/// The word at `i`, upper-cased; `None` for other tokens and past the end.
fn word(tokens: &[TokenWithSpan], i: usize) -> Option<String> {
    match tokens.get(i).map(|t| &t.token) {
        Some(Token::Word(w)) => Some(w.value.to_ascii_uppercase()),
        _ => None,
    }
}

fn starts_with(tokens: &[TokenWithSpan], words: &[&str]) -> bool {
    words
        .iter()
        .enumerate()
        .all(|(i, w)| word(tokens, i).as_deref() == Some(*w))
}

/// ClickHouse's `ALTER TABLE name [ON CLUSTER c] DELETE WHERE cond` as `DELETE FROM name
/// WHERE cond`, and `… UPDATE assignments WHERE cond` as `UPDATE name SET assignments WHERE
/// cond`. The cluster says where the mutation runs, not which rows it touches. A mutation
/// limited to a partition (`IN PARTITION p`) fits neither shape and stays unread.
fn clickhouse_mutation(tokens: &[TokenWithSpan]) -> Option<Vec<TokenWithSpan>> {
    if !starts_with(tokens, &["ALTER", "TABLE"]) {
        return None;
    }
    let verb = (2..tokens.len())
        .find(|&i| matches!(word(tokens, i).as_deref(), Some("DELETE" | "UPDATE" | "ON")))?;
    let name = &tokens[2..verb];
    let mut at = verb;
    if word(tokens, at).as_deref() == Some("ON") {
        if word(tokens, at + 1).as_deref() != Some("CLUSTER") {
            return None;
        }
        at += 3;
    }
    let keyword =
        |w: &str, like: &TokenWithSpan| TokenWithSpan::new(Token::make_keyword(w), like.span);
    let first = tokens.first()?;
    let mut out = Vec::new();
    match word(tokens, at).as_deref() {
        Some("DELETE") if word(tokens, at + 1).as_deref() == Some("WHERE") => {
            out.push(keyword("DELETE", first));
            out.push(keyword("FROM", first));
            out.extend_from_slice(name);
            out.extend_from_slice(&tokens[at + 1..]);
        }
        Some("UPDATE") => {
            // The assignments run to the mutation's own WHERE, which ClickHouse requires.
            (at + 1..tokens.len()).find(|&i| word(tokens, i).as_deref() == Some("WHERE"))?;
            out.push(keyword("UPDATE", first));
            out.extend_from_slice(name);
            out.push(keyword("SET", first));
            out.extend_from_slice(&tokens[at + 1..]);
        }
        _ => return None,
    }
    (!name.is_empty()).then_some(out)
}

/// `DROP INDEX CONCURRENTLY [IF EXISTS] name, …` without `CONCURRENTLY`.
fn drop_index_concurrently(tokens: &[TokenWithSpan]) -> Option<Vec<TokenWithSpan>> {
    if !starts_with(tokens, &["DROP", "INDEX", "CONCURRENTLY"]) {
        return None;
    }
    let mut out = tokens.to_vec();
    out.remove(2);
    Some(out)
}

/// `DROP DATABASE [IF EXISTS] name WITH ( FORCE )` (the parentheses and `WITH` as Postgres
/// writes them) without the option list.
fn drop_database_with_force(tokens: &[TokenWithSpan]) -> Option<Vec<TokenWithSpan>> {
    if !starts_with(tokens, &["DROP", "DATABASE"]) {
        return None;
    }
    let with = (2..tokens.len()).find(|&i| word(tokens, i).as_deref() == Some("WITH"))?;
    let options = &tokens[with + 1..];
    let only_force = options.iter().all(|t| match &t.token {
        Token::Word(w) => w.value.eq_ignore_ascii_case("FORCE"),
        Token::LParen | Token::RParen => true,
        _ => false,
    });
    (only_force && !options.is_empty()).then(|| tokens[..with].to_vec())
}

/// `ALTER TABLE [IF EXISTS] [ONLY] name SET SCHEMA s` as `ALTER TABLE … name RENAME TO
/// s.last`, `last` being the table's own name without its old schema.
fn table_set_schema(tokens: &[TokenWithSpan]) -> Option<Vec<TokenWithSpan>> {
    let n = tokens.len();
    if n < 6
        || !starts_with(tokens, &["ALTER", "TABLE"])
        || word(tokens, n - 3).as_deref() != Some("SET")
        || word(tokens, n - 2).as_deref() != Some("SCHEMA")
    {
        return None;
    }
    let (schema, last) = (&tokens[n - 1], &tokens[n - 4]);
    if !matches!(schema.token, Token::Word(_)) || !matches!(last.token, Token::Word(_)) {
        return None;
    }
    let mut out = tokens[..n - 3].to_vec();
    for keyword in ["RENAME", "TO"] {
        out.push(TokenWithSpan::new(
            Token::make_keyword(keyword),
            schema.span,
        ));
    }
    out.push(schema.clone());
    out.push(TokenWithSpan::new(Token::Period, schema.span));
    out.push(last.clone());
    Some(out)
}

/// T-SQL `ALTER TABLE name ALTER COLUMN col <type> [COLLATE c] [NULL | NOT NULL]` as
/// `ALTER TABLE name ALTER COLUMN col SET DATA TYPE <type>`. The nullability is left out:
/// T-SQL restates it with every type change, so it says nothing about whether it changed.
fn tsql_alter_column_type(
    tokens: &[TokenWithSpan],
    dialect: &dyn Dialect,
) -> Option<Vec<TokenWithSpan>> {
    if !starts_with(tokens, &["ALTER", "TABLE"]) {
        return None;
    }
    // The table name ends where the second ALTER starts; `ALTER COLUMN col` follows it.
    let alter = (2..tokens.len()).find(|&i| word(tokens, i).as_deref() == Some("ALTER"))?;
    if word(tokens, alter + 1).as_deref() != Some("COLUMN") {
        return None;
    }
    let column = alter + 2;
    let type_start = column + 1;
    // `SET …`, `DROP …`, `TYPE …` and the like are other operations sqlparser reads or
    // rejects for its own reasons; only a data type may follow the column here.
    let next = word(tokens, type_start)?;
    if matches!(
        next.as_str(),
        "SET" | "DROP" | "TYPE" | "ADD" | "RESET" | "OPTIONS" | "RENAME"
    ) {
        return None;
    }
    let mut parser = Parser::new(dialect).with_tokens_with_locations(tokens[type_start..].to_vec());
    parser.parse_data_type().ok()?;
    let type_end = type_start + parser.index();
    let rest: Vec<String> = (type_end..tokens.len())
        .map(|i| word(tokens, i))
        .collect::<Option<_>>()?;
    let rest: Vec<&str> = rest.iter().map(String::as_str).collect();
    let tail = match rest.as_slice() {
        ["COLLATE", _, tail @ ..] => tail,
        tail => tail,
    };
    if !matches!(tail, [] | ["NULL"] | ["NOT", "NULL"]) {
        return None;
    }
    let at = tokens[column].span;
    let mut out = tokens[..type_start].to_vec();
    for keyword in ["SET", "DATA", "TYPE"] {
        out.push(TokenWithSpan::new(Token::make_keyword(keyword), at));
    }
    out.extend_from_slice(&tokens[type_start..type_end]);
    Some(out)
}

/// `tokens` parsed as one statement that ends with them.
fn parse_whole(tokens: Vec<TokenWithSpan>, dialect: &dyn Dialect) -> Option<Statement> {
    let mut parser = Parser::new(dialect).with_tokens_with_locations(tokens);
    let statement = parser.parse_statement().ok()?;
    (parser.peek_token_ref().token == Token::EOF).then_some(statement)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use sqlparser::ast::{AlterTableOperation, ObjectType};
    use sqlparser::dialect::{MsSqlDialect, PostgreSqlDialect};
    use sqlparser::tokenizer::Tokenizer;

    fn reread_text(sql: &str, dialect: &dyn Dialect) -> Option<String> {
        let tokens = Tokenizer::new(dialect, sql)
            .tokenize_with_location()
            .expect("tokenizes");
        reread(&tokens, dialect).map(|s| s.to_string())
    }

    #[test]
    fn clickhouse_mutations_read_as_the_delete_or_update_they_are() {
        let generic = sqlparser::dialect::GenericDialect {};
        for (mutation, plain) in [
            (
                "ALTER TABLE events DELETE WHERE ts < '2020-01-01'",
                "DELETE FROM events WHERE ts < '2020-01-01'",
            ),
            (
                "ALTER TABLE db.events ON CLUSTER main DELETE WHERE 1",
                "DELETE FROM db.events WHERE 1",
            ),
            (
                "ALTER TABLE users UPDATE email = '' WHERE deleted = 1",
                "UPDATE users SET email = '' WHERE deleted = 1",
            ),
        ] {
            assert_eq!(
                reread_text(mutation, &generic).as_deref(),
                Some(plain),
                "{mutation}"
            );
        }
        // A partition-limited mutation, an UPDATE without WHERE, and another ALTER do not fit.
        for other in [
            "ALTER TABLE events DELETE IN PARTITION 202401 WHERE 1",
            "ALTER TABLE users UPDATE email = ''",
            "ALTER TABLE events ON CLUSTER main FREEZE",
        ] {
            assert_eq!(reread_text(other, &generic), None, "{other}");
        }
    }

    #[test]
    fn the_recommended_forms_read_as_their_plain_statements() {
        let pg = PostgreSqlDialect {};
        assert_eq!(
            reread_text("DROP INDEX CONCURRENTLY IF EXISTS idx_a", &pg).as_deref(),
            Some("DROP INDEX IF EXISTS idx_a")
        );
        assert_eq!(
            reread_text("DROP DATABASE IF EXISTS old WITH (FORCE)", &pg).as_deref(),
            Some("DROP DATABASE IF EXISTS old")
        );
        assert_eq!(
            reread_text("ALTER TABLE IF EXISTS public.users SET SCHEMA archive", &pg).as_deref(),
            Some("ALTER TABLE IF EXISTS public.users RENAME TO archive.users")
        );
        let ms = MsSqlDialect {};
        assert_eq!(
            reread_text(
                "ALTER TABLE [dbo].[Users] ALTER COLUMN [Name] NVARCHAR(50) COLLATE Latin1_General_CI_AS NOT NULL",
                &ms
            )
            .as_deref(),
            Some("ALTER TABLE [dbo].[Users] ALTER COLUMN [Name] SET DATA TYPE NVARCHAR(50)")
        );
        assert_eq!(
            reread_text(
                "ALTER TABLE [dbo].[Orders] ADD CONSTRAINT [DF_Orders_Status] DEFAULT (N'new') FOR [Status]",
                &ms
            )
            .as_deref(),
            Some("ALTER TABLE [dbo].[Orders] ALTER COLUMN [Status] SET DEFAULT (N'new')")
        );
        assert_eq!(
            reread_text("ALTER TABLE t ADD DEFAULT 0 FOR c", &ms).as_deref(),
            Some("ALTER TABLE t ALTER COLUMN c SET DEFAULT 0")
        );
        assert_eq!(
            reread_text(
                "CREATE TABLE [dbo].[Audit]([Id] [int] NOT NULL, CONSTRAINT [PK_Audit] PRIMARY KEY CLUSTERED ([Id] ASC) WITH (PAD_INDEX = OFF, ALLOW_ROW_LOCKS = ON) ON [PRIMARY]) ON [PRIMARY] TEXTIMAGE_ON [PRIMARY]",
                &ms
            )
            .as_deref(),
            Some("CREATE TABLE [dbo].[Audit] ([Id] [int] NOT NULL, CONSTRAINT [PK_Audit] PRIMARY KEY CLUSTERED ([Id] ASC))")
        );
        assert_eq!(
            reread_text(
                "ALTER TABLE [dbo].[Orders] WITH CHECK ADD CONSTRAINT [FK_O_U] FOREIGN KEY([UserId]) REFERENCES [dbo].[Users] ([Id]) ON DELETE CASCADE",
                &ms
            )
            .as_deref(),
            Some("ALTER TABLE [dbo].[Orders] ADD CONSTRAINT [FK_O_U] FOREIGN KEY ([UserId]) REFERENCES [dbo].[Users]([Id]) ON DELETE CASCADE")
        );
        let generic = sqlparser::dialect::GenericDialect {};
        for (oracle, plain) in [
            (
                "DROP TABLE orders CASCADE CONSTRAINTS PURGE",
                "DROP TABLE orders PURGE",
            ),
            ("DROP TABLE IF EXISTS events SYNC", "DROP TABLE IF EXISTS events"),
            ("TRUNCATE TABLE staging REUSE STORAGE", "TRUNCATE TABLE staging"),
            (
                "ALTER TABLE customers DROP (fax, telex)",
                "ALTER TABLE customers DROP COLUMN fax, DROP COLUMN telex",
            ),
            (
                "ALTER TABLE customers MODIFY (name VARCHAR(50), code NUMBER(3, 0))",
                "ALTER TABLE customers MODIFY COLUMN name VARCHAR(50), MODIFY COLUMN code NUMBER(3, 0)",
            ),
        ] {
            assert_eq!(reread_text(oracle, &generic).as_deref(), Some(plain), "{oracle}");
        }
    }

    #[test]
    fn a_clickhouse_create_as_another_table_rereads_as_create_like() {
        let dialect = sqlparser::dialect::ClickHouseDialect {};
        assert_eq!(
            reread_text(
                "CREATE TABLE events_tmp ON CLUSTER c AS db.events ENGINE = MergeTree ORDER BY id",
                &dialect
            )
            .as_deref(),
            Some("CREATE TABLE events_tmp LIKE db.events")
        );
        assert_eq!(
            reread_text("CREATE TABLE t AS remote('h', db.e)", &dialect),
            None
        );
    }

    #[test]
    fn a_tsql_drop_column_list_rereads_as_one_drop_per_column() {
        let dialect = MsSqlDialect {};
        assert_eq!(
            reread_text(
                "ALTER TABLE [dbo].[Users] DROP COLUMN [A], [B], C",
                &dialect
            )
            .as_deref(),
            Some("ALTER TABLE [dbo].[Users] DROP COLUMN [A], DROP COLUMN [B], DROP COLUMN C")
        );
        // A comma before another clause is left as it is.
        assert_eq!(
            tsql_drop_column_list(
                &tokens("ALTER TABLE t DROP COLUMN a, ADD b INT", &dialect).unwrap_or_default()
            ),
            None
        );
    }

    #[test]
    fn other_shapes_are_left_unread() {
        let pg = PostgreSqlDialect {};
        let ms = MsSqlDialect {};
        for (sql, dialect) in [
            // Broken, or options that would change what is judged: no rewrite fits.
            ("DROP INDEX CONCURRENTLY", &pg as &dyn Dialect),
            ("DROP DATABASE old WITH (FORCE, OWNER = x)", &pg),
            ("DROP DATABASE old WITH", &pg),
            ("ALTER TABLE t ALTER COLUMN c NVARCHAR(50) DEFAULT 'x'", &ms),
            ("ALTER TABLE t ALTER COLUMN c SET STATISTICS 100", &pg),
            ("ALTER TABLE t ALTER COLUMN c NOT_A_TYPE(", &ms),
            ("ALTER TABLE t ADD c INT", &ms),
            ("ALTER TABLE t SET SCHEMA", &pg),
            ("ALTER TABLE t SET SCHEMA 'x'", &pg),
            ("ALTER TABLE t ADD CONSTRAINT d DEFAULT FOR c", &ms),
            ("ALTER TABLE t ADD CONSTRAINT d DEFAULT 0 FOR c, d", &ms),
            ("ALTER TABLE t DROP (a, ) ", &pg),
            ("ALTER TABLE t DROP (a) x", &pg),
            ("TRUNCATE TABLE t STORAGE", &pg),
            ("DELETE FROM t WHERE id IN (1) ON fg", &ms),
        ] {
            assert_eq!(reread_text(sql, dialect), None, "{sql}");
        }
    }

    fn tokens(sql: &str, dialect: &dyn Dialect) -> Option<Vec<TokenWithSpan>> {
        Tokenizer::new(dialect, sql).tokenize_with_location().ok()
    }

    /// Names sqlparser reads as identifiers, whatever their case.
    fn name() -> impl Strategy<Value = String> {
        "[a-z][a-z0-9_]{0,8}".prop_filter("not a keyword", |n| {
            !sqlparser::keywords::ALL_KEYWORDS.contains(&n.to_ascii_uppercase().as_str())
        })
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(128))]

        #[test]
        fn drop_index_concurrently_rereads_as_a_drop_of_the_same_indexes(
            names in proptest::collection::vec(name(), 1..4),
            if_exists in any::<bool>(),
        ) {
            let pg = PostgreSqlDialect {};
            let exists = if if_exists { "IF EXISTS " } else { "" };
            let sql = format!("DROP INDEX CONCURRENTLY {exists}{}", names.join(", "));
            let read = reread(&tokens(&sql, &pg).unwrap(), &pg);
            let Some(Statement::Drop { object_type, if_exists: e, names: n, .. }) = read else {
                return Err(TestCaseError::fail(format!("{sql} read as {read:?}")));
            };
            prop_assert_eq!(object_type, ObjectType::Index);
            prop_assert_eq!(e, if_exists);
            let n: Vec<String> = n.iter().map(|n| n.to_string()).collect();
            prop_assert_eq!(n, names);
        }

        #[test]
        fn a_tsql_column_type_change_rereads_as_set_data_type_of_that_type(
            table in name(),
            column in name(),
            ty in prop_oneof![
                Just("INT"), Just("BIGINT"), Just("NVARCHAR(50)"), Just("VARCHAR(MAX)"),
                Just("DECIMAL(10,2)"), Just("DATETIME2"), Just("BIT"),
            ],
            null in prop_oneof![Just(""), Just(" NULL"), Just(" NOT NULL")],
        ) {
            let ms = MsSqlDialect {};
            let sql = format!("ALTER TABLE {table} ALTER COLUMN {column} {ty}{null}");
            let read = reread(&tokens(&sql, &ms).unwrap(), &ms);
            let Some(Statement::AlterTable(alter)) = &read else {
                return Err(TestCaseError::fail(format!("{sql} read as {read:?}")));
            };
            prop_assert_eq!(alter.name.to_string(), table);
            let [AlterTableOperation::AlterColumn { column_name, op }] = alter.operations.as_slice() else {
                return Err(TestCaseError::fail(format!("{sql} read as {read:?}")));
            };
            prop_assert_eq!(column_name.to_string(), column);
            let op = op.to_string();
            prop_assert_eq!(op.strip_prefix("SET DATA TYPE "), Some(ty));
        }

        #[test]
        fn token_soup_never_rereads_as_another_kind_of_statement(
            words in proptest::collection::vec(
                prop_oneof![
                    Just("DROP"), Just("INDEX"), Just("CONCURRENTLY"), Just("DATABASE"), Just("WITH"),
                    Just("("), Just(")"), Just("FORCE"), Just("ALTER"), Just("TABLE"), Just("COLUMN"),
                    Just("SET"), Just("SCHEMA"), Just("NOT"), Just("NULL"), Just("INT"), Just(","),
                    Just("."), Just("IF"), Just("EXISTS"), Just("t"), Just("c"), Just("s"), Just(";"),
                    Just("TYPE"), Just("RENAME"), Just("TO"), Just("ADD"), Just("COLLATE"), Just("'x'"),
                ],
                0..12,
            ),
            tsql in any::<bool>(),
        ) {
            let sql = words.join(" ");
            let (pg, ms) = (PostgreSqlDialect {}, MsSqlDialect {});
            let dialect: &dyn Dialect = if tsql { &ms } else { &pg };
            let Some(tokens) = tokens(&sql, dialect) else { return Ok(()) };
            let Some(read) = reread(&tokens, dialect) else { return Ok(()) };
            let kind = match &read {
                Statement::Drop { object_type: ObjectType::Index, .. } => "DROP INDEX",
                Statement::Drop { object_type: ObjectType::Database, .. } => "DROP DATABASE",
                Statement::AlterTable(_) => "ALTER TABLE",
                other => return Err(TestCaseError::fail(format!("{sql} read as {other}"))),
            };
            prop_assert!(sql.starts_with(kind), "{} read as {}", sql, read);
        }
    }
}
