//! The statements a statement holds and runs: the DELETE or UPDATE a `WITH` clause leads
//! into or runs itself (a data-modifying CTE), the branches of `IF`, `WHILE` and `CASE` blocks, a `BEGIN … END` block, and the body
//! of a function, procedure or trigger. A `DROP TABLE` does not become harmless by being put
//! inside one of these, so the analyzer checks them as it checks top-level statements.
//!
//! A body sqlparser keeps as a string (`AS $$ … $$`, `AS 'DROP TABLE t'`), and the SQL a
//! T-SQL `EXEC ('…')`, `EXEC sp_executesql N'…'` or an `EXECUTE IMMEDIATE '…'` runs, is
//! handed back as text to be parsed on its own. Only bodies in SQL or PL/pgSQL are: a function written in
//! Python or C is not SQL. PL/pgSQL is not SQL either (`x := 1`, `RAISE`, `PERFORM`), so what
//! cannot be read in a body is left alone unless it holds a destroying word.

use sqlparser::ast::{
    ConditionalStatementBlock, ConditionalStatements, CreateFunctionBody, CreateProcedureBody,
    Expr, Query, SetExpr, Statement, Value,
};

/// One body a statement holds.
pub(super) struct Held<'a> {
    /// What to say the finding is inside ("In the body of function purge"), when the
    /// statement's own lines would not tell a reader.
    pub within: Option<String>,
    pub body: Body<'a>,
}

pub(super) enum Body<'a> {
    /// A statement sqlparser already read.
    Read(&'a Statement),
    /// SQL kept as a string, to be parsed on its own.
    Text(&'a str),
}

/// The bodies `statement` holds, one level down (the caller recurses).
pub(super) fn held(statement: &Statement) -> Vec<Held<'_>> {
    match statement {
        Statement::Query(query) => in_query(query),
        Statement::If(stmt) => std::iter::once(&stmt.if_block)
            .chain(&stmt.elseif_blocks)
            .chain(&stmt.else_block)
            .flat_map(|block| read(None, block_statements(block)))
            .collect(),
        Statement::While(stmt) => read(None, block_statements(&stmt.while_block)),
        Statement::Case(stmt) => stmt
            .when_blocks
            .iter()
            .chain(&stmt.else_block)
            .flat_map(|block| read(None, block_statements(block)))
            .collect(),
        Statement::StartTransaction { statements, .. } => read(None, statements),
        Statement::CreateProcedure { name, body, .. } => {
            let within = Some(format!("In the body of procedure {name}"));
            match body {
                CreateProcedureBody::As(statements) => read(within, statements.statements()),
                CreateProcedureBody::BeginAtomic(block) => read(within, &block.statements),
            }
        }
        Statement::CreateFunction(function) => {
            let within = Some(format!("In the body of function {}", function.name));
            let is_sql = function.language.as_ref().is_none_or(|l| {
                matches!(
                    l.value.to_ascii_lowercase().as_str(),
                    "sql" | "plpgsql" | "tsql"
                )
            });
            match &function.function_body {
                Some(CreateFunctionBody::AsBeginEnd(block))
                | Some(CreateFunctionBody::BeginAtomic(block)) => read(within, &block.statements),
                Some(CreateFunctionBody::AsBeforeOptions { body, .. })
                | Some(CreateFunctionBody::AsAfterOptions(body))
                | Some(CreateFunctionBody::Return(body))
                    if is_sql =>
                {
                    string_of(body)
                        .map(|text| Held {
                            within,
                            body: Body::Text(text),
                        })
                        .into_iter()
                        .collect()
                }
                _ => Vec::new(),
            }
        }
        Statement::Execute { .. } => dynamic_sql(statement)
            .and_then(string_of)
            .map(|text| Held {
                within: Some("In the dynamic SQL it runs".to_owned()),
                body: Body::Text(text),
            })
            .into_iter()
            .collect(),
        Statement::CreateTrigger(trigger) => {
            let within = Some(format!("In the body of trigger {}", trigger.name));
            trigger
                .statements
                .as_ref()
                .map(|s| read(within, s.statements()))
                .unwrap_or_default()
        }
        _ => Vec::new(),
    }
}

/// The statements a query runs: the DELETE, UPDATE or MERGE a `WITH` leads into, and those
/// its `WITH` clause itself runs. Postgres runs a data-modifying CTE (`WITH d AS (DELETE
/// FROM jobs RETURNING *) INSERT INTO archive SELECT * FROM d`) whether or not the outer
/// statement reads its rows, so a DELETE there empties the table as a top-level one would.
fn in_query(query: &Query) -> Vec<Held<'_>> {
    let ctes = query.with.iter().flat_map(|with| &with.cte_tables);
    let mut out: Vec<Held<'_>> = ctes.flat_map(|cte| in_query(&cte.query)).collect();
    if let SetExpr::Delete(inner) | SetExpr::Update(inner) | SetExpr::Merge(inner) =
        query.body.as_ref()
    {
        out.push(Held {
            within: None,
            body: Body::Read(inner),
        });
    }
    out
}

fn read(within: Option<String>, statements: &[Statement]) -> Vec<Held<'_>> {
    statements
        .iter()
        .map(|s| Held {
            within: within.clone(),
            body: Body::Read(s),
        })
        .collect()
}

fn block_statements(block: &ConditionalStatementBlock) -> &[Statement] {
    match &block.conditional_statements {
        ConditionalStatements::Sequence { statements } => statements,
        ConditionalStatements::BeginEnd(block) => &block.statements,
    }
}

/// The expression giving the SQL a statement runs at run time: T-SQL's `EXEC ('…' + @t)`
/// and `EXEC sp_executesql @sql`, Oracle's and Snowflake's `EXECUTE IMMEDIATE '…'` (which
/// the generic dialect reads as a call of a procedure named `IMMEDIATE`). A call of a named
/// procedure (`EXEC dbo.Archive`, `EXECUTE prepared(1)`) is not: it runs no text.
pub(super) fn dynamic_sql(statement: &Statement) -> Option<&Expr> {
    let Statement::Execute {
        name,
        parameters,
        immediate,
        ..
    } = statement
    else {
        return None;
    };
    let runs_text = *immediate
        || name.as_ref().is_none_or(|name| {
            name.0
                .last()
                .and_then(|part| part.as_ident())
                .is_some_and(|last| {
                    last.value.eq_ignore_ascii_case("sp_executesql")
                        || (name.0.len() == 1 && last.value.eq_ignore_ascii_case("immediate"))
                })
        });
    if runs_text {
        parameters.first()
    } else {
        None
    }
}

/// The text of a string literal: `'…'`, `N'…'`, `$$…$$` or `$tag$…$tag$`.
pub(super) fn string_of(expr: &Expr) -> Option<&str> {
    match expr {
        Expr::Value(v) => match &v.value {
            Value::SingleQuotedString(s)
            | Value::DoubleQuotedString(s)
            | Value::NationalStringLiteral(s) => Some(s),
            Value::DollarQuotedString(d) => Some(&d.value),
            _ => None,
        },
        _ => None,
    }
}
