//! Functions that delete rows in bulk without a DELETE a reviewer would look for: a
//! TimescaleDB chunk drop or retention policy, a pg_partman partition drop. They are called
//! from a plain `SELECT` (or `CALL`), which reads like a query.

use super::held::string_of;
use sqlparser::ast::{
    Expr, Function, FunctionArg, FunctionArgExpr, FunctionArguments, ObjectName, SelectItem,
    SetExpr, Statement, TableFactor,
};

/// A call to a purging function: what it purges, in words.
pub(super) struct Purge {
    pub function: String,
    pub message: String,
}

/// The purging functions `statement` calls at its top level: in a `SELECT` list, as a table
/// function in `FROM`, or through `CALL`.
pub(super) fn purges(statement: &Statement) -> Vec<Purge> {
    let mut calls = Vec::new();
    match statement {
        Statement::Query(query) => in_set(&query.body, &mut calls),
        Statement::Call(function) => calls.push(Call::of(function)),
        _ => {}
    }
    calls.into_iter().filter_map(|call| call.purge()).collect()
}

/// A function call's name (unqualified, lower case) and its first argument when that is text.
struct Call<'a> {
    name: String,
    first: Option<&'a str>,
}

impl<'a> Call<'a> {
    fn of(function: &'a Function) -> Self {
        let first = match &function.args {
            FunctionArguments::List(list) => list.args.first().and_then(text_arg),
            _ => None,
        };
        Call {
            name: unqualified(&function.name),
            first,
        }
    }

    fn purge(&self) -> Option<Purge> {
        let table = self
            .first
            .map_or_else(|| "the table".to_owned(), |t| format!("the table {t}"));
        let message = match self.name.as_str() {
            "drop_chunks" => format!(
                "drop_chunks deletes every chunk of {table} older than the interval given, with all the rows in them."
            ),
            "add_retention_policy" => format!(
                "add_retention_policy makes TimescaleDB delete the chunks of {table} older than the interval given, on a schedule that starts with the first run after this migration: the rows already older than that go first."
            ),
            "drop_partition_time" | "drop_partition_id" => format!(
                "{} drops the child partitions of {table} past its pg_partman retention, with their rows (unless its retention_keep_table setting only detaches them).",
                self.name
            ),
            _ => return None,
        };
        Some(Purge {
            function: self.name.clone(),
            message,
        })
    }
}

fn in_set<'a>(set: &'a SetExpr, calls: &mut Vec<Call<'a>>) {
    match set {
        SetExpr::Select(select) => {
            for item in &select.projection {
                let expr = match item {
                    SelectItem::UnnamedExpr(expr) | SelectItem::ExprWithAlias { expr, .. } => expr,
                    _ => continue,
                };
                if let Some(function) = called(expr) {
                    calls.push(Call::of(function));
                }
            }
            for table in &select.from {
                // PostgreSQL's `FROM f(…)` reads as a table with arguments.
                let (name, args) = match &table.relation {
                    TableFactor::Function { name, args, .. } => (name, args),
                    TableFactor::Table {
                        name,
                        args: Some(args),
                        ..
                    } => (name, &args.args),
                    _ => continue,
                };
                calls.push(Call {
                    name: unqualified(name),
                    first: args.first().and_then(text_arg),
                });
            }
        }
        SetExpr::Query(query) => in_set(&query.body, calls),
        SetExpr::SetOperation { left, right, .. } => {
            in_set(left, calls);
            in_set(right, calls);
        }
        _ => {}
    }
}

/// The function `expr` calls, looking through parentheses and casts
/// (`SELECT drop_chunks(…)::text`).
fn called(expr: &Expr) -> Option<&Function> {
    match expr {
        Expr::Function(function) => Some(function),
        Expr::Nested(inner) | Expr::Cast { expr: inner, .. } => called(inner),
        _ => None,
    }
}

/// A text argument, named or not, also when cast (`'conditions'::regclass`).
fn text_arg(arg: &FunctionArg) -> Option<&str> {
    let expr = match arg {
        FunctionArg::Unnamed(FunctionArgExpr::Expr(expr))
        | FunctionArg::Named {
            arg: FunctionArgExpr::Expr(expr),
            ..
        }
        | FunctionArg::ExprNamed {
            arg: FunctionArgExpr::Expr(expr),
            ..
        } => expr,
        _ => return None,
    };
    match expr {
        Expr::Cast { expr, .. } => string_of(expr),
        other => string_of(other),
    }
}

fn unqualified(name: &ObjectName) -> String {
    name.0
        .last()
        .map(|part| part.to_string().trim_matches('"').to_ascii_lowercase())
        .unwrap_or_default()
}
