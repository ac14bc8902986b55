//! Sequelize migrations (`migrations/*.js|ts`, `up`/`down` functions handed a
//! `queryInterface`): its table and column drops and renames, `changeColumn`, `bulkDelete`/`bulkUpdate`
//! with an empty `where`, and `queryInterface.sequelize.query` SQL. `down` is the rollback
//! and is skipped. Calls are matched by method name on any receiver, so a `queryInterface`
//! renamed `qi` is read the same.

use super::scan::{Lang, RawCall, Source};
use super::{or_unknown, raw_sql, Call, Effect};
use crate::analyze::sql;

const METHODS: &[&str] = &[
    "dropTable",
    "dropAllTables",
    "removeColumn",
    "renameColumn",
    "renameTable",
    "changeColumn",
    "bulkDelete",
    "bulkUpdate",
    "removeIndex",
    "removeConstraint",
    "query",
];

pub(crate) fn calls(text: &str) -> Vec<Call> {
    super::method_calls(text, Lang::Js, METHODS, effect)
}

fn effect(src: &Source, call: &RawCall) -> Option<Effect> {
    let args = src.args(call);
    let value = |i: usize| or_unknown(args.get(i).map(|a| src.value(a)));
    let name = call.name;
    Some(match name {
        "dropTable" => Effect::finding(
            &sql::DROP_TABLE,
            format!("queryInterface.dropTable drops the table {} and every row in it.", value(0)),
        ),
        "dropAllTables" => Effect::finding(
            &sql::DROP_TABLE,
            "queryInterface.dropAllTables drops every table of the database and every row in them.".to_owned(),
        ),
        "removeColumn" => Effect::finding(
            &sql::DROP_COLUMN,
            format!("queryInterface.removeColumn drops the column {}.{} and its data in every row.", value(0), value(1)),
        ),
        "renameColumn" => Effect::finding(
            &sql::RENAME,
            format!("queryInterface.renameColumn renames {}.{} to {}: running code that still uses the old name fails until the new code is deployed.", value(0), value(1), value(2)),
        ),
        "renameTable" => Effect::finding(
            &sql::RENAME,
            format!("queryInterface.renameTable renames the table {} to {}: running code that still uses the old table fails until the new code is deployed.", value(0), value(1)),
        ),
        // changeColumn(table, column, attributes) converts the column in place to the type
        // it is given; the old type is in another migration.
        "changeColumn" => Effect::medium(
            &sql::COLUMN_TYPE_NARROWED,
            format!("queryInterface.changeColumn redefines {}.{}; twokey cannot see the old type from here, so the change may narrow it and lose data (and attributes not restated, such as allowNull and defaultValue, are reset): check it does not.", value(0), value(1)),
        ),
        "bulkDelete" | "bulkUpdate" => {
            // bulkDelete(table, where), bulkUpdate(table, values, where): an absent, `{}`,
            // `null` or `undefined` where selects every row.
            let where_at = if name == "bulkDelete" { 1 } else { 2 };
            let unfiltered = args.get(where_at).is_none_or(|a| {
                let code: String = src.text[a.value.clone()].chars().filter(|c| !c.is_whitespace()).collect();
                matches!(code.as_str(), "{}" | "null" | "undefined")
            });
            if !unfiltered {
                return None;
            }
            if name == "bulkDelete" {
                Effect::finding(
                    &sql::DELETE_WITHOUT_WHERE,
                    format!("queryInterface.bulkDelete without a where deletes every row of {}.", value(0)),
                )
            } else {
                Effect::finding(
                    &sql::UPDATE_WITHOUT_WHERE,
                    format!("queryInterface.bulkUpdate without a where overwrites every row of {}.", value(0)),
                )
            }
        }
        "removeIndex" => Effect::finding(
            &sql::DROP_INDEX,
            format!("queryInterface.removeIndex drops an index of {}: queries that used it may turn into full scans, and a unique index stops refusing duplicates.", value(0)),
        ),
        "removeConstraint" => Effect::finding(
            &sql::DROP_CONSTRAINT,
            format!("queryInterface.removeConstraint drops the constraint {} of {}: the table stops refusing the rows it kept out.", value(1), value(0)),
        ),
        _ => raw_sql(src, "sequelize.query", args.first())?,
    })
}
