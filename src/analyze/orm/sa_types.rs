//! sa_types: SQLAlchemy column types (`sa.String(100)`, `postgresql.BIGINT()`) written as
//! the SQL types they create, so that Alembic's `alter_column(existing_type=…, type_=…)`
//! can be judged by the sql analyzer's narrowing rules. Only the generic types and their
//! upper-case SQL spellings are known; anything else is `None`, and the change is then
//! reported as one twokey cannot judge.

/// The SQL type of a SQLAlchemy type expression, or `None` when twokey does not know it.
pub fn sql_type(expression: &str) -> Option<String> {
    let expression = expression.trim();
    let (head, args) = match expression.split_once('(') {
        Some((head, rest)) => (head, rest.rsplit_once(')').map_or(rest, |(a, _)| a)),
        None => (expression, ""),
    };
    // `sa.String`, `sqlalchemy.types.String`, `postgresql.VARCHAR`: the class name.
    let class = head.rsplit('.').next()?.trim();
    // Positional numbers only (`String(100)`, `Numeric(10, 2)`); keywords such as
    // `length=100` are read by name.
    let mut numbers = Vec::new();
    let mut timezone = false;
    for part in args.split(',').map(str::trim).filter(|p| !p.is_empty()) {
        match part.split_once('=') {
            Some((k, v)) => match k.trim() {
                "length" | "precision" | "scale" => numbers.push(v.trim().to_owned()),
                "timezone" => timezone = v.trim() == "True",
                _ => {}
            },
            None if part.chars().all(|c| c.is_ascii_digit()) => numbers.push(part.to_owned()),
            None => {}
        }
    }
    let sized = |sql: &str| match numbers.as_slice() {
        [] => sql.to_owned(),
        some => format!("{sql}({})", some.join(", ")),
    };
    Some(match class {
        "String" | "Unicode" | "VARCHAR" | "NVARCHAR" => sized("VARCHAR"),
        "CHAR" | "NCHAR" => sized("CHAR"),
        "Text" | "UnicodeText" | "TEXT" | "CLOB" => "TEXT".to_owned(),
        "Integer" | "INTEGER" | "INT" => "INTEGER".to_owned(),
        "BigInteger" | "BIGINT" => "BIGINT".to_owned(),
        "SmallInteger" | "SMALLINT" => "SMALLINT".to_owned(),
        "Numeric" | "NUMERIC" | "DECIMAL" => sized("NUMERIC"),
        "Float" | "FLOAT" | "Double" | "DOUBLE_PRECISION" => "DOUBLE PRECISION".to_owned(),
        "REAL" => "REAL".to_owned(),
        "Boolean" | "BOOLEAN" => "BOOLEAN".to_owned(),
        "DateTime" | "TIMESTAMP" if timezone => "TIMESTAMP WITH TIME ZONE".to_owned(),
        "DateTime" | "TIMESTAMP" => "TIMESTAMP".to_owned(),
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generic_types_and_their_sql_spellings() {
        assert_eq!(sql_type("sa.String(100)").as_deref(), Some("VARCHAR(100)"));
        assert_eq!(
            sql_type("sa.String(length=10)").as_deref(),
            Some("VARCHAR(10)")
        );
        assert_eq!(sql_type("postgresql.BIGINT()").as_deref(), Some("BIGINT"));
        assert_eq!(
            sql_type("sa.Numeric(10, 2)").as_deref(),
            Some("NUMERIC(10, 2)")
        );
        assert_eq!(
            sql_type("sa.DateTime(timezone=True)").as_deref(),
            Some("TIMESTAMP WITH TIME ZONE")
        );
        assert_eq!(sql_type("sa.Text").as_deref(), Some("TEXT"));
        assert_eq!(sql_type("MyEnumType()"), None);
    }
}
