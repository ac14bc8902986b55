//! Column types as far as narrowing is concerned: sqlparser's `DataType` folded into a few
//! shapes (integers by width, exact numerics by precision and scale, text by length, ...)
//! so that "can every old value survive the new type?" becomes a comparison of two shapes.
//!
//! The answer is deliberately three-valued: a change that is known to keep every value is
//! quiet, one that is known to lose some is reported as narrowing, and the rest (text to a
//! number, a custom type, an enum turned into another type) is "unclear" and left for a human;
//! a MySQL `ENUM` that loses a value narrows.

use sqlparser::ast::{
    CharacterLength, DataType, EnumMember, ExactNumberInfo, ObjectName, ObjectNamePart,
    TimezoneInfo, TypeModifier,
};

/// What a type change does to the values already stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verdict {
    /// The same type, spelled the same way.
    Same,
    /// Every old value fits the new type.
    Widens,
    /// Some old values cannot be kept; the text says which and why.
    Narrows(String),
    /// twokey cannot tell.
    Unclear,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Shape {
    /// Integer of this many bytes.
    Integer(u8),
    /// Exact numeric; `None` precision means unbounded (Postgres `NUMERIC`).
    Exact {
        precision: Option<u64>,
        scale: Option<i64>,
    },
    /// Binary floating point of this many bytes.
    Float(u8),
    /// Character data; `None` means unbounded (`TEXT`, `VARCHAR` without a length).
    Text(Option<u64>),
    Bool,
    Timestamp {
        zone: bool,
    },
    /// A calendar date without a time of day.
    Date,
    /// A time of day without a date.
    Time,
    Other,
}

fn text_length(length: &Option<CharacterLength>, missing: Option<u64>) -> Shape {
    match length {
        Some(CharacterLength::IntegerLength { length, .. }) => Shape::Text(Some(*length)),
        Some(CharacterLength::Max) => Shape::Text(None),
        None => Shape::Text(missing),
    }
}

fn exact(info: &ExactNumberInfo) -> Shape {
    match info {
        ExactNumberInfo::None => Shape::Exact {
            precision: None,
            scale: None,
        },
        ExactNumberInfo::Precision(p) => Shape::Exact {
            precision: Some(*p),
            scale: Some(0),
        },
        ExactNumberInfo::PrecisionAndScale(p, s) => Shape::Exact {
            precision: Some(*p),
            scale: Some(*s),
        },
    }
}

fn shape(t: &DataType) -> Shape {
    use DataType as D;
    match t {
        D::TinyInt(_) | D::TinyIntUnsigned(_) | D::UTinyInt => Shape::Integer(1),
        D::SmallInt(_)
        | D::SmallIntUnsigned(_)
        | D::USmallInt
        | D::Int2(_)
        | D::Int2Unsigned(_)
        | D::Int16 => Shape::Integer(2),
        D::MediumInt(_) | D::MediumIntUnsigned(_) => Shape::Integer(3),
        D::Int(_)
        | D::Int4(_)
        | D::Integer(_)
        | D::IntUnsigned(_)
        | D::Int4Unsigned(_)
        | D::IntegerUnsigned(_)
        | D::Int32
        | D::UInt32 => Shape::Integer(4),
        D::BigInt(_)
        | D::BigIntUnsigned(_)
        | D::UBigInt
        | D::Int8(_)
        | D::Int8Unsigned(_)
        | D::Int64
        | D::UInt64 => Shape::Integer(8),
        D::Numeric(i)
        | D::Decimal(i)
        | D::DecimalUnsigned(i)
        | D::Dec(i)
        | D::DecUnsigned(i)
        | D::BigNumeric(i)
        | D::BigDecimal(i) => exact(i),
        D::Real | D::RealUnsigned | D::Float4 | D::Float32 => Shape::Float(4),
        D::Float(ExactNumberInfo::Precision(p) | ExactNumberInfo::PrecisionAndScale(p, _))
            if *p > 24 =>
        {
            Shape::Float(8)
        }
        D::Float(_) | D::FloatUnsigned(_) => Shape::Float(4),
        D::Double(_)
        | D::DoubleUnsigned(_)
        | D::DoublePrecision
        | D::DoublePrecisionUnsigned
        | D::Float8
        | D::Float64 => Shape::Float(8),
        // CHAR without a length is CHAR(1) in the standard.
        D::Char(l) | D::Character(l) => text_length(l, Some(1)),
        D::Varchar(l) | D::CharacterVarying(l) | D::CharVarying(l) | D::Nvarchar(l) => {
            text_length(l, None)
        }
        D::TinyText => Shape::Text(Some(255)),
        D::MediumText => Shape::Text(Some(16_777_215)),
        D::Text | D::LongText | D::String(None) | D::Clob(None) => Shape::Text(None),
        D::String(Some(n)) => Shape::Text(Some(*n)),
        D::Bool | D::Boolean => Shape::Bool,
        D::Timestamp(_, zone) => Shape::Timestamp {
            zone: matches!(zone, TimezoneInfo::WithTimeZone | TimezoneInfo::Tz),
        },
        D::Datetime(_) | D::TimestampNtz(_) => Shape::Timestamp { zone: false },
        D::Date => Shape::Date,
        D::Time(..) => Shape::Time,
        // The parsed type has no brackets left, so this recurses once at most.
        D::Custom(name, args) if is_bracketed(name) => {
            unbracketed(name, args).map_or(Shape::Other, |t| shape(&t))
        }
        D::Custom(name, args) => {
            let last = name
                .0
                .last()
                .map(|p| p.to_string().to_ascii_lowercase())
                .unwrap_or_default();
            // Oracle's `VARCHAR2(100 CHAR)` and `NUMBER(12, 2)` reach here with their
            // arguments as text.
            let number = |i: usize| -> Option<i64> {
                match args.get(i)? {
                    TypeModifier::Number(n, _) => n.parse().ok(),
                    _ => None,
                }
            };
            match last.trim_matches('"') {
                "varchar2" | "nvarchar2" => match number(0).and_then(|n| u64::try_from(n).ok()) {
                    Some(n) => Shape::Text(Some(n)),
                    None => Shape::Other,
                },
                "number" => match (args.len(), number(0).and_then(|p| u64::try_from(p).ok())) {
                    (0, _) => Shape::Exact {
                        precision: None,
                        scale: None,
                    },
                    (1, Some(p)) => Shape::Exact {
                        precision: Some(p),
                        scale: Some(0),
                    },
                    (2, Some(p)) => match number(1) {
                        Some(scale) => Shape::Exact {
                            precision: Some(p),
                            scale: Some(scale),
                        },
                        None => Shape::Other,
                    },
                    _ => Shape::Other,
                },
                "smallserial" | "serial2" => Shape::Integer(2),
                "serial" | "serial4" => Shape::Integer(4),
                "bigserial" | "serial8" => Shape::Integer(8),
                "timestamptz" | "datetimeoffset" => Shape::Timestamp { zone: true },
                "datetime2" | "smalldatetime" => Shape::Timestamp { zone: false },
                "citext" => Shape::Text(None),
                _ => Shape::Other,
            }
        }
        _ => Shape::Other,
    }
}

/// The type a T-SQL script names in brackets (`[nvarchar](50)`, `[int]`, as SSMS scripts
/// every table), read as the same type unbracketed. sqlparser takes a bracketed name for a
/// custom type, which would leave `[bigint]` to `[int]` unjudged and `[nvarchar](50)` to
/// `[nvarchar](200)` looking like a change twokey cannot read. `None` for anything else, and
/// for a bracketed name that is no built-in type either (a user-defined type).
fn unbracketed(name: &ObjectName, args: &[TypeModifier]) -> Option<DataType> {
    let [ObjectNamePart::Identifier(ident)] = name.0.as_slice() else {
        return None;
    };
    if ident.quote_style != Some('[') || ident.value.contains(['[', ']']) {
        return None;
    }
    let mut text = ident.value.clone();
    if !args.is_empty() {
        let args: Vec<String> = args.iter().map(ToString::to_string).collect();
        text = format!("{text}({})", args.join(", "));
    }
    sqlparser::parser::Parser::new(&sqlparser::dialect::MsSqlDialect {})
        .try_with_sql(&text)
        .and_then(|mut p| p.parse_data_type())
        .ok()
}

/// Whether `t` is national character data (`NVARCHAR`, `NCHAR`, `NTEXT`, bracketed or not).
fn is_national(t: &DataType) -> bool {
    match t {
        DataType::Nvarchar(_) => true,
        DataType::Custom(name, args) if is_bracketed(name) => {
            unbracketed(name, args).is_some_and(|t| is_national(&t))
        }
        DataType::Custom(name, _) => name.0.last().is_some_and(|p| {
            let p = p.to_string().to_ascii_lowercase();
            matches!(p.as_str(), "nchar" | "ntext" | "nvarchar2" | "nclob")
        }),
        _ => t.to_string().to_ascii_uppercase().starts_with("NCHAR"),
    }
}

fn is_bracketed(name: &ObjectName) -> bool {
    matches!(name.0.as_slice(), [ObjectNamePart::Identifier(i)] if i.quote_style == Some('['))
}

/// Decides what changing a column from `old` to `new` does to its values.
/// Whether `t` is unbounded character data (`TEXT`, `VARCHAR` without a length, `CLOB`),
/// which holds the text of any value of any type: changing a column to it loses nothing,
/// whatever the old type was.
pub fn holds_any_text(t: &DataType) -> bool {
    shape(t) == Shape::Text(None)
}

pub fn compare(old: &DataType, new: &DataType) -> Verdict {
    if old.to_string().eq_ignore_ascii_case(&new.to_string()) {
        return Verdict::Same;
    }
    // MySQL's ENUM: a value the new list lacks cannot be stored any more, and rows holding
    // it fail the change (or, outside strict mode, become '').
    if let (DataType::Enum(before, _), DataType::Enum(after, _)) = (old, new) {
        let label = |m: &EnumMember| match m {
            EnumMember::Name(n) | EnumMember::NamedValue(n, _) => n.clone(),
        };
        let kept: Vec<String> = after.iter().map(label).collect();
        let lost: Vec<String> = before
            .iter()
            .map(label)
            .filter(|v| !kept.contains(v))
            .map(|v| format!("'{v}'"))
            .collect();
        return match lost.as_slice() {
            [] => Verdict::Widens,
            _ => Verdict::Narrows(format!(
                "{new} no longer allows {}: rows holding it fail the change or lose the value",
                lost.join(", ")
            )),
        };
    }
    // SQL Server's NVARCHAR holds any Unicode text, VARCHAR only its code page: characters
    // outside it become '?'. Elsewhere (MySQL, Oracle) it depends on the character sets, so
    // twokey cannot tell.
    if is_national(old) && !is_national(new) && matches!(shape(new), Shape::Text(_)) {
        return Verdict::Unclear;
    }
    use Shape as S;
    match (shape(old), shape(new)) {
        (S::Integer(a), S::Integer(b)) if b < a => Verdict::Narrows(format!(
            "{new} holds a smaller range than {old}: larger values fail the migration or are truncated"
        )),
        (S::Integer(_), S::Integer(_)) => Verdict::Widens,
        (S::Float(_) | S::Exact { .. }, S::Integer(_)) if !matches!(shape(old), S::Exact { scale: Some(0), .. }) => {
            Verdict::Narrows(format!(
                "{new} has no fractional part: every value stored as {old} is rounded"
            ))
        }
        (S::Float(8), S::Float(4)) => Verdict::Narrows(format!(
            "{new} keeps fewer digits than {old}: values are rounded"
        )),
        (S::Float(_), S::Float(_)) => Verdict::Widens,
        (S::Integer(a), S::Float(8)) if a <= 4 => Verdict::Widens,
        (
            S::Exact {
                precision: p1,
                scale: s1,
            },
            S::Exact {
                precision: p2,
                scale: s2,
            },
        ) => {
            // `None` is unbounded: anything bounded is narrower.
            let less_u = |new: Option<u64>, old: Option<u64>| match (new, old) {
                (Some(n), Some(o)) => n < o,
                (Some(_), None) => true,
                (None, _) => false,
            };
            let less_i = |new: Option<i64>, old: Option<i64>| match (new, old) {
                (Some(n), Some(o)) => n < o,
                (Some(_), None) => true,
                (None, _) => false,
            };
            let digits = |p: Option<u64>, s: Option<i64>| {
                p.map(|p| i128::from(p) - i128::from(s.unwrap_or(0)))
            };
            let fewer_integer_digits = match (digits(p2, s2), digits(p1, s1)) {
                (Some(n), Some(o)) => n < o,
                (Some(_), None) => true,
                (None, _) => false,
            };
            if less_u(p2, p1) || less_i(s2, s1) || fewer_integer_digits {
                Verdict::Narrows(format!(
                    "{new} has less precision or scale than {old}: values are rounded or fail the migration"
                ))
            } else {
                Verdict::Widens
            }
        }
        (S::Text(a), S::Text(Some(b))) if a.is_none_or(|a| b < a) => Verdict::Narrows(format!(
            "{new} is shorter than {old}: longer values are truncated or fail the migration"
        )),
        (S::Text(_), S::Text(_)) => Verdict::Widens,
        // Numbers, booleans and timestamps all print into unbounded text.
        (S::Integer(_) | S::Exact { .. } | S::Float(_) | S::Bool | S::Timestamp { .. } | S::Time, S::Text(None)) => {
            Verdict::Widens
        }
        (S::Timestamp { zone: true }, S::Timestamp { zone: false }) => Verdict::Narrows(format!(
            "{new} drops the time zone {old} keeps: every value is converted to one zone and the offset is lost"
        )),
        // A timestamp cut to its date loses the time of day, cut to its time loses the date.
        (S::Timestamp { .. }, S::Date) => Verdict::Narrows(format!(
            "{new} keeps only the day of each {old} value: the time of day is lost"
        )),
        (S::Timestamp { .. }, S::Time) => Verdict::Narrows(format!(
            "{new} keeps only the time of day of each {old} value: the date is lost"
        )),
        (S::Date, S::Timestamp { .. } | S::Text(None)) => Verdict::Widens,
        (S::Bool, S::Bool) => Verdict::Widens,
        (_, S::Bool) => Verdict::Narrows(format!(
            "{new} keeps only true or false: every distinct {old} value collapses to one of two"
        )),
        _ => Verdict::Unclear,
    }
}

/// [`compare`] for two types written as SQL text (`VARCHAR(100)`, `BIGINT`), as the ORM
/// analyzer reads them from migration code; `None` when either does not parse as a type.
pub(crate) fn compare_text(old: &str, new: &str) -> Option<Verdict> {
    let parse = |s: &str| {
        sqlparser::parser::Parser::new(&sqlparser::dialect::PostgreSqlDialect {})
            .try_with_sql(s)
            .and_then(|mut p| p.parse_data_type())
            .ok()
    };
    Some(compare(&parse(old)?, &parse(new)?))
}

#[cfg(test)]
mod tests {
    use super::*;
    use sqlparser::dialect::PostgreSqlDialect;
    use sqlparser::parser::Parser;

    fn ty(s: &str) -> DataType {
        Parser::new(&PostgreSqlDialect {})
            .try_with_sql(s)
            .and_then(|mut p| p.parse_data_type())
            .unwrap_or_else(|e| panic!("{s}: {e}"))
    }

    fn narrows(old: &str, new: &str) -> bool {
        matches!(compare(&ty(old), &ty(new)), Verdict::Narrows(_))
    }

    #[test]
    fn the_listed_narrowings_narrow() {
        for (old, new) in [
            ("BIGINT", "INT"),
            ("BIGINT", "SMALLINT"),
            ("INTEGER", "SMALLINT"),
            ("VARCHAR(255)", "VARCHAR(100)"),
            ("TEXT", "VARCHAR(50)"),
            ("NUMERIC(12,4)", "NUMERIC(12,2)"),
            ("NUMERIC(12,2)", "NUMERIC(8,2)"),
            ("NUMERIC", "NUMERIC(10,2)"),
            ("TIMESTAMP WITH TIME ZONE", "TIMESTAMP"),
            ("TIMESTAMPTZ", "TIMESTAMP WITHOUT TIME ZONE"),
            ("INT", "BOOLEAN"),
            ("TEXT", "BOOL"),
            ("DOUBLE PRECISION", "INTEGER"),
            ("REAL", "BIGINT"),
            ("NUMERIC(10,2)", "INT"),
            ("DOUBLE PRECISION", "REAL"),
            ("BIGSERIAL", "INT"),
            ("TIMESTAMPTZ", "DATE"),
            ("TIMESTAMP", "DATE"),
            ("DATETIME", "DATE"),
            ("TIMESTAMP", "TIME"),
        ] {
            assert!(narrows(old, new), "{old} -> {new} should narrow");
        }
    }

    #[test]
    fn widening_and_identical_types_do_not_narrow() {
        for (old, new) in [
            ("INT", "BIGINT"),
            ("SMALLINT", "INTEGER"),
            ("VARCHAR(100)", "VARCHAR(255)"),
            ("VARCHAR(100)", "TEXT"),
            ("NUMERIC(8,2)", "NUMERIC(12,4)"),
            ("TIMESTAMP", "TIMESTAMP"),
            ("INT", "TEXT"),
            ("REAL", "DOUBLE PRECISION"),
            ("BOOLEAN", "BOOL"),
            ("varchar(20)", "VARCHAR(20)"),
            ("DATE", "TIMESTAMP"),
            ("DATE", "TEXT"),
            ("TIME", "TEXT"),
        ] {
            let verdict = compare(&ty(old), &ty(new));
            assert!(
                matches!(verdict, Verdict::Widens | Verdict::Same),
                "{old} -> {new}: {verdict:?}"
            );
        }
    }

    #[test]
    fn conversions_twokey_cannot_judge_are_unclear() {
        assert_eq!(compare(&ty("TEXT"), &ty("INTEGER")), Verdict::Unclear);
        assert_eq!(compare(&ty("JSONB"), &ty("TEXT")), Verdict::Unclear);
        assert_eq!(compare(&ty("mood"), &ty("other_mood")), Verdict::Unclear);
    }

    fn tsql(s: &str) -> DataType {
        Parser::new(&sqlparser::dialect::MsSqlDialect {})
            .try_with_sql(s)
            .and_then(|mut p| p.parse_data_type())
            .unwrap_or_else(|e| panic!("{s}: {e}"))
    }

    #[test]
    fn tsql_bracketed_types_are_judged_like_unbracketed_ones() {
        let verdict = |old: &str, new: &str| compare(&tsql(old), &tsql(new));
        for (old, new) in [
            ("[bigint]", "[int]"),
            ("[nvarchar](100)", "[nvarchar](20)"),
            ("[nvarchar](max)", "[nvarchar](50)"),
            ("[nvarchar](100)", "NVARCHAR(10)"),
            ("[decimal](18, 4)", "[decimal](18, 2)"),
            ("[datetimeoffset](7)", "[datetime2](7)"),
            ("[varchar](10)", "[char](2)"),
        ] {
            assert!(
                matches!(verdict(old, new), Verdict::Narrows(_)),
                "{old} -> {new} should narrow: {:?}",
                verdict(old, new)
            );
        }
        for (old, new) in [
            ("[nvarchar](50)", "[nvarchar](200)"),
            ("[int]", "[bigint]"),
            ("[int]", "INT"),
            ("[nvarchar](50)", "[nvarchar](max)"),
        ] {
            assert!(
                matches!(verdict(old, new), Verdict::Widens | Verdict::Same),
                "{old} -> {new} should not narrow: {:?}",
                verdict(old, new)
            );
        }
        assert!(holds_any_text(&tsql("[nvarchar](max)")));
        // Unicode text into a code page: characters outside it may be lost.
        assert_eq!(
            verdict("[nvarchar](100)", "[varchar](100)"),
            Verdict::Unclear
        );
        assert_eq!(verdict("NVARCHAR(100)", "VARCHAR(200)"), Verdict::Unclear);
        assert_eq!(
            verdict("[varchar](100)", "[nvarchar](100)"),
            Verdict::Widens
        );
        // A user-defined type in brackets stays a type twokey cannot judge.
        assert_eq!(verdict("[Phone]", "[nvarchar](10)"), Verdict::Unclear);
    }
}
