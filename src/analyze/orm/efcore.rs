//! Entity Framework Core migrations (`Migrations/*.cs`, classes deriving from `Migration`):
//! the `migrationBuilder` operations that drop, rename or empty, and `migrationBuilder.Sql`.
//! `Down(MigrationBuilder …)` is the rollback and is skipped. EF Core writes its arguments
//! as named ones (`name: "Email", table: "Users"`); positional ones are read in the same
//! order.
//!
//! `AlterColumn<T>` is judged against the `old…` arguments EF Core's scaffolding writes
//! beside the new ones (`oldClrType`, `oldType`, `oldMaxLength`, `oldNullable`), so that
//! only a change that narrows the column or forbids NULL without a default is reported.
//! `DeleteData`/`UpdateData` touch seeded rows picked by their key: a delete bounded by a
//! WHERE clause, which the sql rules leave quiet, so they are not read at all.

use super::scan::{Arg, Before, Lang, RawCall, Source};
use super::{forward_only, or_unknown, raw_sql, Call, Effect};
use crate::analyze::sql;
use crate::analyze::sql::types::Verdict;

const OPERATIONS: &[&str] = &[
    "DropTable",
    "DropColumn",
    "RenameColumn",
    "RenameTable",
    "DropSchema",
    "DropIndex",
    "DropForeignKey",
    "DropPrimaryKey",
    "DropUniqueConstraint",
    "DropCheckConstraint",
    "DropSequence",
    "Sql",
    "AlterColumn",
];

pub(crate) fn calls(text: &str) -> Vec<Call> {
    let src = Source::new(text, Lang::CSharp);
    let mut out = Vec::new();
    for &name in OPERATIONS {
        for call in forward_only(&src, src.calls(name, Before::Dot)) {
            let effects = match name {
                "AlterColumn" => alter_column(&src, &call),
                _ => effect(&src, &call).into_iter().collect(),
            };
            for effect in effects {
                out.push(Call::found(&src, &call, effect));
            }
        }
    }
    out
}

fn effect(src: &Source, call: &RawCall) -> Option<Effect> {
    let args: Vec<Arg> = src.args(call);
    let get = |keyword: &str, position: usize| {
        or_unknown(src.arg(&args, keyword, position).map(|a| src.value(a)))
    };
    // `schema: "billing"` qualifies the table.
    let table = |keyword: &str, position: usize| {
        let name = get(keyword, position);
        match src.arg(&args, "schema", usize::MAX).map(|a| src.value(a)) {
            Some(schema) if !schema.is_empty() => format!("{schema}.{name}"),
            _ => name,
        }
    };
    let name = call.name;
    Some(match name {
        "DropTable" => Effect::finding(
            &sql::DROP_TABLE,
            format!("migrationBuilder.DropTable drops the table {} and every row in it.", table("name", 0)),
        ),
        "DropColumn" => Effect::finding(
            &sql::DROP_COLUMN,
            format!("migrationBuilder.DropColumn drops the column {}.{} and its data in every row.", table("table", 1), get("name", 0)),
        ),
        "RenameColumn" => Effect::finding(
            &sql::RENAME,
            format!("migrationBuilder.RenameColumn renames {}.{} to {}: running code that still uses the old name fails until the new code is deployed.", table("table", 1), get("name", 0), get("newName", 2)),
        ),
        "RenameTable" => Effect::finding(
            &sql::RENAME,
            format!("migrationBuilder.RenameTable renames the table {} to {}: running code that still uses the old table fails until the new code is deployed.", table("name", 0), get("newName", 2)),
        ),
        "DropSchema" => Effect::finding(
            &sql::DROP_SCHEMA,
            format!("migrationBuilder.DropSchema drops the schema {} and everything in it.", get("name", 0)),
        ),
        "DropIndex" => Effect::finding(
            &sql::DROP_INDEX,
            format!("migrationBuilder.DropIndex drops the index {} of {}: queries that used it may turn into full scans, and a unique index stops refusing duplicates.", get("name", 0), table("table", 1)),
        ),
        "DropSequence" => Effect::finding(
            &sql::DROP_SEQUENCE_OR_FUNCTION,
            format!("migrationBuilder.DropSequence drops the sequence {}: its counter is lost, and recreated it starts again and hands out ids already taken.", get("name", 0)),
        ),
        "Sql" => raw_sql(src, "migrationBuilder.Sql", src.arg(&args, "sql", 0))?,
        _ => Effect::finding(
            &sql::DROP_CONSTRAINT,
            format!("migrationBuilder.{name} drops the constraint {} of {}: the table stops refusing the rows it kept out.", get("name", 0), table("table", 1)),
        ),
    })
}

/// `AlterColumn<T>(…)`: a narrowing type change and a column made NOT NULL with nothing to
/// fill the rows that hold NULL.
fn alter_column(src: &Source, call: &RawCall) -> Vec<Effect> {
    let args = src.args(call);
    let get = |keyword: &str| {
        src.arg(&args, keyword, usize::MAX)
            .map(|a| src.value(a))
            .filter(|v| !v.is_empty())
    };
    let table = {
        let name = or_unknown(src.arg(&args, "table", 1).map(|a| src.value(a)));
        match get("schema") {
            Some(schema) => format!("{schema}.{name}"),
            None => name,
        }
    };
    let column = format!(
        "{table}.{}",
        or_unknown(src.arg(&args, "name", 0).map(|a| src.value(a)))
    );
    // The old side's arguments are the new side's names with `old` before them.
    let named = |prefix: &str, name: &str| match prefix {
        "" => get(name),
        _ => get(&format!(
            "{prefix}{}{}",
            name[..1].to_ascii_uppercase(),
            &name[1..]
        )),
    };
    let facets = |prefix: &str, clr: Option<String>| ColumnType {
        written: named(prefix, "type"),
        clr,
        max_length: named(prefix, "maxLength"),
        precision: named(prefix, "precision"),
        scale: named(prefix, "scale"),
    };
    let new = facets("", type_argument(src, call));
    let old_clr = get("oldClrType").map(|t| {
        t.trim()
            .strip_prefix("typeof(")
            .map_or(t.as_str(), |t| t.trim_end_matches(')'))
            .to_owned()
    });
    let old = facets("old", old_clr);
    let mut out: Vec<Effect> = type_change(&column, &old, &new).into_iter().collect();
    // `nullable` defaults to false in EF Core's signature, so leaving it out after
    // `oldNullable: true` forbids NULL as much as writing `nullable: false` does.
    let now_required = get("nullable").is_none_or(|v| v == "false");
    let was_optional = get("oldNullable").is_some_and(|v| v == "true");
    // `defaultValue: ""` is a default: presence counts, not the value.
    let filled = ["defaultValue", "defaultValueSql", "computedColumnSql"]
        .iter()
        .any(|k| {
            src.arg(&args, k, usize::MAX)
                .is_some_and(|a| src.text[a.value.clone()].trim() != "null")
        });
    if was_optional && now_required && !filled {
        out.push(Effect::finding(
            &sql::NOT_NULL_WITHOUT_DEFAULT,
            format!("migrationBuilder.AlterColumn makes {column} NOT NULL (it was nullable) without a defaultValue: the migration fails if any row holds NULL, and checking every row locks the table."),
        ));
    }
    out
}

/// One side of an `AlterColumn`: the provider type when written (`type: "nvarchar(50)"`),
/// else the CLR type and its facets.
struct ColumnType {
    written: Option<String>,
    clr: Option<String>,
    max_length: Option<String>,
    precision: Option<String>,
    scale: Option<String>,
}

impl ColumnType {
    /// The type as a reviewer reads it in the migration.
    fn describe(&self) -> String {
        if let Some(written) = &self.written {
            return written.clone();
        }
        let clr = self.clr.clone().unwrap_or_else(|| "?".to_owned());
        match (&self.max_length, &self.precision, &self.scale) {
            (Some(n), _, _) => format!("{clr} (maxLength {n})"),
            (None, Some(p), Some(s)) => format!("{clr} ({p}, {s})"),
            (None, Some(p), None) => format!("{clr} ({p})"),
            _ => clr,
        }
    }

    /// The SQL type this side creates, when twokey can tell.
    fn sql(&self) -> Option<String> {
        if let Some(written) = &self.written {
            return Some(written.clone());
        }
        let clr = self.clr.as_deref()?.trim().trim_end_matches('?');
        let clr = clr.strip_prefix("System.").unwrap_or(clr);
        Some(match clr {
            "string" | "String" => match &self.max_length {
                Some(n) => format!("VARCHAR({n})"),
                None => "TEXT".to_owned(),
            },
            "decimal" | "Decimal" => match (&self.precision, &self.scale) {
                (Some(p), Some(s)) => format!("NUMERIC({p}, {s})"),
                (Some(p), None) => format!("NUMERIC({p})"),
                _ => return None,
            },
            other => clr_sql(other)?.to_owned(),
        })
    }

    fn is_known(&self) -> bool {
        self.written.is_some() || self.clr.is_some()
    }

    /// Whether this side says anything about the type beyond the CLR type EF Core always
    /// writes in `<T>`.
    fn sets_type(&self) -> bool {
        self.written.is_some() || self.max_length.is_some() || self.precision.is_some()
    }
}

/// The SQL type of a fixed-size CLR type, as both SQL Server and PostgreSQL map it.
fn clr_sql(clr: &str) -> Option<&'static str> {
    Some(match clr {
        "byte" | "Byte" | "short" | "Int16" => "SMALLINT",
        "int" | "Int32" => "INTEGER",
        "long" | "Int64" => "BIGINT",
        "float" | "Single" => "REAL",
        "double" | "Double" => "DOUBLE PRECISION",
        "bool" | "Boolean" => "BOOLEAN",
        "DateTime" => "TIMESTAMP",
        "DateTimeOffset" => "TIMESTAMPTZ",
        _ => return None,
    })
}

fn type_change(column: &str, old: &ColumnType, new: &ColumnType) -> Option<Effect> {
    if !old.is_known() {
        // Hand-written: no `old…` arguments to judge against.
        return new.sets_type().then(|| Effect::medium(
            &sql::COLUMN_TYPE_NARROWED,
            format!("migrationBuilder.AlterColumn changes {column} to {}; twokey cannot see the old type from here (no oldClrType/oldType), so the change may narrow it and lose data: check it does not.", new.describe()),
        ));
    }
    let (was, now) = (old.describe(), new.describe());
    if was.eq_ignore_ascii_case(&now) {
        return None;
    }
    let verdict = old
        .sql()
        .zip(new.sql())
        .and_then(|(o, n)| sql::types::compare_text(&o, &n));
    match verdict {
        Some(Verdict::Same | Verdict::Widens) => None,
        Some(Verdict::Narrows(reason)) => Some(Effect::finding(
            &sql::COLUMN_TYPE_NARROWED,
            format!("migrationBuilder.AlterColumn changes {column} from {was} to {now}, which narrows it: {reason}."),
        )),
        _ => Some(Effect::medium(
            &sql::COLUMN_TYPE_NARROWED,
            format!("migrationBuilder.AlterColumn changes {column} from {was} to {now}; twokey cannot tell whether every value converts, so check the change for narrowing."),
        )),
    }
}

/// The `T` of `AlterColumn<T>(…)`.
fn type_argument(src: &Source, call: &RawCall) -> Option<String> {
    let between = src
        .text
        .get(call.start + call.name.len()..call.args.start)?;
    let inner = between.trim().strip_prefix('<')?;
    let (ty, _) = inner.rsplit_once('>')?;
    Some(ty.trim().to_owned()).filter(|t| !t.is_empty())
}
