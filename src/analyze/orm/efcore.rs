//! Entity Framework Core migrations (`Migrations/*.cs`, classes deriving from `Migration`):
//! the `migrationBuilder` operations that drop, rename or empty, and `migrationBuilder.Sql`.
//! `Down(MigrationBuilder …)` is the rollback and is skipped. EF Core writes its arguments
//! as named ones (`name: "Email", table: "Users"`); positional ones are read in the same
//! order.

use super::scan::{Arg, Before, Lang, RawCall, Source};
use super::{forward_only, or_unknown, raw_sql, Call, Effect};
use crate::analyze::sql;

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
    "Sql",
];

pub(crate) fn calls(text: &str) -> Vec<Call> {
    let src = Source::new(text, Lang::CSharp);
    let mut out = Vec::new();
    for &name in OPERATIONS {
        for call in forward_only(&src, src.calls(name, Before::Dot)) {
            if let Some(effect) = effect(&src, &call) {
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
        "Sql" => raw_sql(src, "migrationBuilder.Sql", src.arg(&args, "sql", 0))?,
        _ => Effect::finding(
            &sql::DROP_CONSTRAINT,
            format!("migrationBuilder.{name} drops the constraint {} of {}: the table stops refusing the rows it kept out.", get("name", 0), table("table", 1)),
        ),
    })
}
