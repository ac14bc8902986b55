//! TypeORM migrations (classes that implement `MigrationInterface`): `queryRunner.query`
//! SQL, which is what `migration:generate` writes, and the `QueryRunner` schema methods
//! (`changeColumn` among them, which recreates a column whose type changes).
//! `async down(queryRunner)` is the rollback and is skipped. A table or column passed as an
//! object (`new Table({…})`, a variable) is reported with its code as the name.

use super::scan::{Lang, RawCall, Source};
use super::{or_unknown, raw_sql, Call, Effect};
use crate::analyze::sql;

const METHODS: &[&str] = &[
    "query",
    "dropTable",
    "dropColumn",
    "dropColumns",
    "renameColumn",
    "renameTable",
    "changeColumn",
    "changeColumns",
    "clearTable",
    "dropSchema",
    "dropDatabase",
    "dropIndex",
    "dropIndices",
    "dropForeignKey",
    "dropForeignKeys",
    "dropPrimaryKey",
    "dropUniqueConstraint",
    "dropCheckConstraint",
];

pub(crate) fn calls(text: &str) -> Vec<Call> {
    super::method_calls(text, Lang::Js, METHODS, effect)
}

fn effect(src: &Source, call: &RawCall) -> Option<Effect> {
    let args = src.args(call);
    let value = |i: usize| or_unknown(args.get(i).map(|a| src.value(a)));
    let name = call.name;
    Some(match name {
        "query" => raw_sql(src, "queryRunner.query", args.first())?,
        "dropTable" => Effect::finding(
            &sql::DROP_TABLE,
            format!("queryRunner.dropTable drops the table {} and every row in it.", value(0)),
        ),
        "dropColumn" | "dropColumns" => Effect::finding(
            &sql::DROP_COLUMN,
            format!("queryRunner.{name} drops {} of {} and the data in every row.", column_words(name, &value(1)), value(0)),
        ),
        "renameColumn" => Effect::finding(
            &sql::RENAME,
            format!("queryRunner.renameColumn renames {}.{} to {}: running code that still uses the old name fails until the new code is deployed.", value(0), value(1), value(2)),
        ),
        "renameTable" => Effect::finding(
            &sql::RENAME,
            format!("queryRunner.renameTable renames the table {} to {}: running code that still uses the old table fails until the new code is deployed.", value(0), value(1)),
        ),
        // TypeORM's query runners do not convert a column whose type or length changes:
        // they drop it and add it again ("to avoid data conversion"), so its data is lost.
        // Whether the type changes depends on the old column, which twokey cannot see.
        "changeColumn" | "changeColumns" => Effect::medium(
            &sql::DROP_COLUMN,
            format!("queryRunner.{name} on {}: when the type or length changes, TypeORM drops the column and adds it again instead of converting it, so every value in it is lost; twokey cannot see the old column from here. Change a type with queryRunner.query(`ALTER TABLE … ALTER COLUMN … TYPE …`) instead.", value(0)),
        ),
        "clearTable" => Effect::finding(
            &sql::TRUNCATE,
            format!("queryRunner.clearTable empties {}: every row is deleted.", value(0)),
        ),
        "dropSchema" => Effect::finding(
            &sql::DROP_SCHEMA,
            format!("queryRunner.dropSchema drops the schema {} and everything in it.", value(0)),
        ),
        "dropDatabase" => Effect::finding(
            &sql::DROP_DATABASE,
            format!("queryRunner.dropDatabase drops the database {}.", value(0)),
        ),
        "dropIndex" | "dropIndices" => Effect::finding(
            &sql::DROP_INDEX,
            format!("queryRunner.{name} drops an index of {}: queries that used it may turn into full scans, and a unique index stops refusing duplicates.", value(0)),
        ),
        _ => Effect::finding(
            &sql::DROP_CONSTRAINT,
            format!("queryRunner.{name} drops a constraint of {}: the table stops refusing the rows it kept out.", value(0)),
        ),
    })
}

fn column_words(name: &str, columns: &str) -> String {
    if name == "dropColumn" {
        format!("the column {columns}")
    } else {
        format!("the columns {columns}")
    }
}
