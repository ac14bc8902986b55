//! relocate: statements that move rows between tables, or swap tables, rather than delete
//! them with a DROP or DELETE, in the warehouse dialects sqlparser does not read:
//! ClickHouse's partition operations (`REPLACE PARTITION … FROM`, `MOVE PARTITION … TO
//! TABLE`, `ATTACH PARTITION … FROM`, `DROP [DETACHED] PARTITION`, `FETCH`, `FREEZE`),
//! `EXCHANGE TABLES a AND b`, and Redshift's `ALTER TABLE … APPEND FROM`.
//!
//! Each is read from the tokens of a statement sqlparser could not parse, clause by clause;
//! a statement with one clause this module does not know is not read at all, so it stays
//! unread and needs a human as before (fail closed). What a clause does to the rows of each
//! table is the point: `ATTACH PARTITION p FROM s` copies rows into the table and takes
//! none away, `REPLACE PARTITION p FROM s` deletes the table's own rows of `p` first,
//! `MOVE PARTITION p TO TABLE d` and `APPEND FROM s` empty one table into another.
//!
//! It only reads; the findings are built in [`findings`] from the rules `mod.rs` owns.

use super::{Scope, RENAME, TRUNCATE, UPDATE_WITHOUT_WHERE};
use crate::finding::{Finding, Location, Severity};
use sqlparser::ast::{Ident, ObjectName};
use sqlparser::tokenizer::{Token, TokenWithSpan};

/// What one clause (or statement) does to rows, in the terms a finding needs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Relocation {
    /// `ALTER TABLE t REPLACE PARTITION p FROM s`: t's rows of p are deleted, s's copied in.
    Replace {
        table: ObjectName,
        partition: String,
        source: ObjectName,
    },
    /// `ALTER TABLE t MOVE PARTITION p TO TABLE d`: p's rows leave t for d.
    MoveOut {
        table: ObjectName,
        partition: String,
        dest: ObjectName,
    },
    /// `ALTER TABLE t DROP PARTITION p` (or `PART`): p's rows are deleted.
    Drop {
        table: ObjectName,
        partition: String,
    },
    /// `ALTER TABLE t DROP DETACHED PARTITION p`: the detached files, the only copy an
    /// `ATTACH` could bring back, are deleted.
    DropDetached {
        table: ObjectName,
        partition: String,
    },
    /// `ALTER TABLE t CLEAR COLUMN c [IN PARTITION p]`: c is reset to its default in every
    /// row (of p), its values gone as an `UPDATE` without `WHERE` would lose them.
    ClearColumn {
        table: ObjectName,
        column: String,
        partition: Option<String>,
    },
    /// `EXCHANGE TABLES a AND b` (or `DICTIONARIES`): the two swap names at once.
    Exchange {
        kind: &'static str,
        first: ObjectName,
        second: ObjectName,
    },
    /// Redshift's `ALTER TABLE t APPEND FROM s`: every row of s moves to t and s is left
    /// empty; with `IGNOREEXTRA` the values of s's columns that t lacks are discarded.
    Append {
        table: ObjectName,
        source: ObjectName,
        ignore_extra: bool,
    },
}

/// The relocations a statement makes, when every clause of it is one this module reads
/// (an empty list when all of them keep every row: `ATTACH PARTITION … FROM`, `MOVE
/// PARTITION … TO DISK`, `FETCH`, `FREEZE`). `None` for anything else.
pub fn read(piece: &[TokenWithSpan]) -> Option<Vec<Relocation>> {
    let solid: Vec<&Token> = piece
        .iter()
        .map(|t| &t.token)
        .filter(|t| !matches!(t, Token::Whitespace(_)))
        .collect();
    let mut r = Reader { solid, at: 0 };
    match r.word()?.as_str() {
        "EXCHANGE" => r.exchange(),
        "ALTER" if r.word()? == "TABLE" => r.alter_table(),
        _ => None,
    }
}

struct Reader<'t> {
    solid: Vec<&'t Token>,
    at: usize,
}

impl Reader<'_> {
    fn peek_word(&self) -> Option<String> {
        match self.solid.get(self.at) {
            Some(Token::Word(w)) if w.quote_style.is_none() => Some(w.value.to_ascii_uppercase()),
            _ => None,
        }
    }

    fn word(&mut self) -> Option<String> {
        let w = self.peek_word()?;
        self.at += 1;
        Some(w)
    }

    fn eat(&mut self, expected: &str) -> bool {
        let found = self.peek_word().as_deref() == Some(expected);
        if found {
            self.at += 1;
        }
        found
    }

    fn done(&self) -> bool {
        self.at >= self.solid.len()
    }

    /// A name: words joined by periods, quoted or not.
    fn name(&mut self) -> Option<ObjectName> {
        let mut parts = Vec::new();
        loop {
            match self.solid.get(self.at) {
                Some(Token::Word(w)) => parts.push(Ident {
                    value: w.value.clone(),
                    quote_style: w.quote_style,
                    span: sqlparser::tokenizer::Span::empty(),
                }),
                _ => return None,
            }
            self.at += 1;
            if !matches!(self.solid.get(self.at), Some(Token::Period)) {
                return Some(ObjectName::from(parts));
            }
            self.at += 1;
        }
    }

    /// ClickHouse's `ON CLUSTER name`, which runs the statement on every replica.
    fn on_cluster(&mut self) -> Option<()> {
        if self.peek_word().as_deref() == Some("ON") {
            self.at += 1;
            if !self.eat("CLUSTER") {
                return None;
            }
            // A macro in quotes (`ON CLUSTER '{cluster}'`) or a name.
            if matches!(self.solid.get(self.at), Some(Token::SingleQuotedString(_))) {
                self.at += 1;
            } else {
                self.name()?;
            }
        }
        Some(())
    }

    /// `SETTINGS k = v, …` at the end of a ClickHouse statement: how, not what.
    fn at_settings(&self) -> bool {
        self.peek_word().as_deref() == Some("SETTINGS")
    }

    fn exchange(&mut self) -> Option<Vec<Relocation>> {
        let kind = match self.word()?.as_str() {
            "TABLES" => "TABLES",
            "DICTIONARIES" => "DICTIONARIES",
            _ => return None,
        };
        let first = self.name()?;
        if !self.eat("AND") {
            return None;
        }
        let second = self.name()?;
        self.on_cluster()?;
        self.done().then(|| {
            vec![Relocation::Exchange {
                kind,
                first,
                second,
            }]
        })
    }

    fn alter_table(&mut self) -> Option<Vec<Relocation>> {
        if self.eat("IF") && !self.eat("EXISTS") {
            return None;
        }
        let table = self.name()?;
        self.on_cluster()?;
        let mut out = Vec::new();
        loop {
            if let Some(r) = self.clause(&table)? {
                out.push(r);
            }
            match self.solid.get(self.at) {
                Some(Token::Comma) => self.at += 1,
                None => return Some(out),
                _ if self.at_settings() => return Some(out),
                _ => return None,
            }
        }
    }

    /// One clause of an `ALTER TABLE`: `Some(None)` when it keeps every row.
    fn clause(&mut self, table: &ObjectName) -> Option<Option<Relocation>> {
        let table = table.clone();
        Some(match self.word()?.as_str() {
            "REPLACE" => {
                self.partition_word()?;
                let partition = self.partition_expr();
                if !self.eat("FROM") {
                    return None;
                }
                let source = self.name()?;
                Some(Relocation::Replace {
                    table,
                    partition,
                    source,
                })
            }
            "MOVE" => {
                self.partition_word()?;
                let partition = self.partition_expr();
                if !self.eat("TO") {
                    return None;
                }
                match self.word()?.as_str() {
                    "TABLE" => Some(Relocation::MoveOut {
                        table,
                        partition,
                        dest: self.name()?,
                    }),
                    // Another disk or volume of the same table: storage, not rows.
                    "DISK" | "VOLUME" | "SHARD" => {
                        self.at += 1;
                        None
                    }
                    _ => return None,
                }
            }
            "DROP" => {
                let detached = self.eat("DETACHED");
                self.partition_word()?;
                let partition = self.partition_expr();
                Some(if detached {
                    Relocation::DropDetached { table, partition }
                } else {
                    Relocation::Drop { table, partition }
                })
            }
            "CLEAR" if self.eat("COLUMN") => {
                if self.eat("IF") && !self.eat("EXISTS") {
                    return None;
                }
                let column = self.name()?.to_string();
                let partition = if self.eat("IN") {
                    self.partition_word()?;
                    Some(self.partition_expr())
                } else {
                    None
                };
                Some(Relocation::ClearColumn {
                    table,
                    column,
                    partition,
                })
            }
            // Copies rows in (from the detached directory or another table); the source
            // keeps its own.
            "ATTACH" => {
                self.partition_word()?;
                self.partition_expr();
                if self.eat("FROM") {
                    self.name()?;
                }
                None
            }
            // Downloads a partition from another replica into `detached`, or makes a backup.
            "FETCH" | "FREEZE" | "UNFREEZE" => {
                self.rest_of_clause();
                None
            }
            "APPEND" => {
                if !self.eat("FROM") {
                    return None;
                }
                let source = self.name()?;
                let ignore_extra = match self.peek_word().as_deref() {
                    Some("IGNOREEXTRA") => {
                        self.at += 1;
                        true
                    }
                    Some("FILLTARGET") => {
                        self.at += 1;
                        false
                    }
                    _ => false,
                };
                Some(Relocation::Append {
                    table,
                    source,
                    ignore_extra,
                })
            }
            _ => return None,
        })
    }

    fn partition_word(&mut self) -> Option<()> {
        (self.eat("PARTITION") || self.eat("PART")).then_some(())
    }

    /// A partition expression (`202401`, `ID '202401'`, `tuple()`, `('a', 1)`), up to the
    /// word or comma that ends it, as written.
    fn partition_expr(&mut self) -> String {
        let mut out = String::new();
        let mut depth = 0usize;
        while let Some(token) = self.solid.get(self.at) {
            match token {
                Token::LParen => depth += 1,
                Token::RParen => depth = depth.saturating_sub(1),
                Token::Comma if depth == 0 => break,
                Token::Word(w)
                    if depth == 0
                        && w.quote_style.is_none()
                        && ["FROM", "TO", "SETTINGS"]
                            .iter()
                            .any(|k| w.value.eq_ignore_ascii_case(k)) =>
                {
                    break
                }
                _ => {}
            }
            let tight =
                matches!(token, Token::LParen | Token::RParen | Token::Comma) || out.ends_with('(');
            if !out.is_empty() && !tight {
                out.push(' ');
            }
            out.push_str(&token.to_string());
            self.at += 1;
        }
        out
    }

    fn rest_of_clause(&mut self) {
        let mut depth = 0usize;
        while let Some(token) = self.solid.get(self.at) {
            match token {
                Token::LParen => depth += 1,
                Token::RParen => depth = depth.saturating_sub(1),
                Token::Comma if depth == 0 => return,
                _ if depth == 0 && self.at_settings() => return,
                _ => {}
            }
            self.at += 1;
        }
    }
}

/// The findings of the relocations of one statement, at `at`. A table the file created
/// itself (scratch space: a staging table filled a few lines up) loses nothing that existed
/// before the migration: emptying it, or replacing its rows, is not reported.
pub(super) fn findings(at: &Location, relocations: &[Relocation], scope: &Scope) -> Vec<Finding> {
    let scratch = |name: &ObjectName| scope.scratch(name);
    relocations
        .iter()
        .filter_map(|r| match r {
            Relocation::Replace { table, partition, source } if !scratch(table) => Some(
                Finding::new(
                    &TRUNCATE,
                    at.clone(),
                    format!("ALTER TABLE {table} REPLACE PARTITION {partition} FROM {source} deletes the rows of partition {partition} of {table} and puts a copy of {source}'s rows of it in their place: {table}'s own rows of that partition are gone."),
                )
                .with_severity(Severity::Medium)
                .with_safer(format!("Check that {source} holds every row partition {partition} of {table} needs (compare counts), and FREEZE the partition of {table} first so its old rows can be restored; ATTACH PARTITION … FROM adds rows without deleting any.")),
            ),
            Relocation::MoveOut { table, partition, dest } if !scratch(table) => Some(
                Finding::new(
                    &TRUNCATE,
                    at.clone(),
                    format!("ALTER TABLE {table} MOVE PARTITION {partition} TO TABLE {dest} takes the rows of partition {partition} out of {table} and into {dest}: queries of {table} no longer see them."),
                )
                .with_severity(Severity::Medium)
                .with_safer(format!("Copy the partition instead (ALTER TABLE {dest} ATTACH PARTITION {partition} FROM {table}), check it arrived, and drop it from {table} in a later, separately reviewed migration.")),
            ),
            Relocation::Drop { table, partition } if !scratch(table) => Some(
                Finding::new(
                    &TRUNCATE,
                    at.clone(),
                    format!("ALTER TABLE {table} DROP PARTITION {partition} deletes every row of partition {partition} of {table}."),
                )
                .with_safer(format!("Detach the partition first (ALTER TABLE {table} DETACH PARTITION {partition}) so it can be attached again, back it up, and drop it in a later migration.")),
            ),
            Relocation::ClearColumn { table, column, partition } if !scratch(table) => {
                let rows = match partition {
                    Some(p) => format!("every row of partition {p} of {table}"),
                    None => format!("every row of {table}"),
                };
                Some(
                    Finding::new(
                        &UPDATE_WITHOUT_WHERE,
                        at.clone(),
                        format!("ALTER TABLE {table} CLEAR COLUMN {column} resets {column} to its default in {rows}: the values it held are gone."),
                    )
                    .with_safer(format!("Copy {column} aside first (a new column, or a backup of the partition with FREEZE), or drop the column in a later migration once nothing reads it.")),
                )
            }
            Relocation::DropDetached { table, partition } => Some(
                Finding::new(
                    &TRUNCATE,
                    at.clone(),
                    format!("ALTER TABLE {table} DROP DETACHED PARTITION {partition} deletes the detached files of partition {partition} of {table} from disk: they are the only copy an ATTACH could bring back."),
                )
                .with_safer("Keep detached partitions until a backup holds them (FREEZE before detaching, or clickhouse-backup), and remove them by hand once it is verified.".to_owned()),
            ),
            Relocation::Exchange { kind, first, second } if !(scratch(first) && scratch(second)) => Some(
                Finding::new(
                    &RENAME,
                    at.clone(),
                    format!("EXCHANGE {kind} {first} AND {second} swaps the two names at once: every running query of {first} reads what was {second} and the other way round, until the code expects the swap."),
                )
                .with_safer(format!("Check {second} holds every row {first} must keep before the swap, keep the old one under its new name until the change is verified, and drop it in a later migration.")),
            ),
            Relocation::Append { table, source, ignore_extra } if !scratch(source) => {
                let (severity, lost, first) = if *ignore_extra {
                    (
                        Severity::High,
                        format!("; with IGNOREEXTRA the values of the columns of {source} that {table} lacks are discarded"),
                        format!(", and add the columns of {source} that {table} lacks to it first"),
                    )
                } else {
                    (Severity::Medium, String::new(), String::new())
                };
                Some(
                    Finding::new(
                        &TRUNCATE,
                        at.clone(),
                        format!("ALTER TABLE {table} APPEND FROM {source} moves every row of {source} into {table} and leaves {source} empty{lost}."),
                    )
                    .with_severity(severity)
                    .with_safer(format!("Keep a copy of {source} (CREATE TABLE … AS SELECT, or a snapshot) until the rows are checked in {table}{first}.")),
                )
            }
            _ => None,
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use sqlparser::dialect::ClickHouseDialect;
    use sqlparser::tokenizer::Tokenizer;

    fn read_sql(sql: &str) -> Option<Vec<Relocation>> {
        let tokens = Tokenizer::new(&ClickHouseDialect {}, sql)
            .tokenize_with_location()
            .ok()?;
        read(&tokens)
    }

    fn kinds(sql: &str) -> Option<Vec<String>> {
        read_sql(sql).map(|rs| {
            rs.iter()
                .map(|r| {
                    format!("{r:?}")
                        .split([' ', '{'])
                        .next()
                        .unwrap_or("")
                        .to_owned()
                })
                .collect()
        })
    }

    #[test]
    fn clickhouse_partition_operations_are_read_clause_by_clause() {
        let k = |s: &str| kinds(s).unwrap_or_else(|| panic!("{s} was not read"));
        assert_eq!(
            k("ALTER TABLE events REPLACE PARTITION 202401 FROM staging"),
            ["Replace"]
        );
        assert_eq!(
            k("ALTER TABLE db.e ON CLUSTER c REPLACE PARTITION ID '2024' FROM db.s"),
            ["Replace"]
        );
        assert_eq!(
            k("ALTER TABLE e MOVE PARTITION 202312 TO TABLE archive"),
            ["MoveOut"]
        );
        assert_eq!(
            k("ALTER TABLE e DROP DETACHED PARTITION 202301 SETTINGS allow_drop_detached = 1"),
            ["DropDetached"]
        );
        assert_eq!(k("ALTER TABLE e DROP PART 'all_4_4_0'"), ["Drop"]);
        assert_eq!(
            k("ALTER TABLE e ATTACH PARTITION 1 FROM s, DROP PARTITION 2"),
            ["Drop"]
        );
        assert_eq!(k("EXCHANGE TABLES a AND b ON CLUSTER main"), ["Exchange"]);
        assert_eq!(
            k("ALTER TABLE e CLEAR COLUMN v IN PARTITION 202401"),
            ["ClearColumn"]
        );
        assert_eq!(
            k("ALTER TABLE e ON CLUSTER '{cluster}' DROP PARTITION ID '2023'"),
            ["Drop"]
        );
        assert_eq!(
            k("ALTER TABLE sales APPEND FROM stage IGNOREEXTRA"),
            ["Append"]
        );
    }

    #[test]
    fn operations_that_keep_every_row_read_as_nothing_to_report() {
        for sql in [
            "ALTER TABLE e ATTACH PARTITION 202401 FROM staging",
            "ALTER TABLE e ATTACH PARTITION tuple() FROM staging",
            "ALTER TABLE e MOVE PARTITION 202312 TO DISK 'cold'",
            "ALTER TABLE e MOVE PART 'all_1_1_0' TO VOLUME 'slow'",
            "ALTER TABLE e FETCH PARTITION 202401 FROM '/clickhouse/tables/01/e'",
            "ALTER TABLE e FREEZE PARTITION 202401 WITH NAME 'b1'",
        ] {
            assert_eq!(read_sql(sql), Some(Vec::new()), "{sql}");
        }
    }

    #[test]
    fn a_clause_it_does_not_know_leaves_the_statement_unread() {
        for sql in [
            "ALTER TABLE e ATTACH PARTITION 1 FROM s, CLEAR INDEX i IN PARTITION 2",
            "ALTER TABLE e REPLACE PARTITION 1",
            "ALTER TABLE e MOVE PARTITION 1 TO SOMEWHERE x",
            "EXCHANGE TABLES a",
            "ALTER TABLE e MODIFY TTL d + INTERVAL 1 DAY",
            "SELECT 1",
        ] {
            assert_eq!(read_sql(sql), None, "{sql}");
        }
    }
}
