//! Knex migrations (`migrations/*.js|ts` exporting `up` and `down`): `knex.schema` table
//! drops and renames, the column methods called on the table builder inside
//! `knex.schema.table('users', (table) => {…})` (or `alterTable`), `knex.raw` SQL, and
//! `knex('t').truncate()`/`.del()` with no `where`. `exports.down`/`function down` is the
//! rollback and is skipped.
//!
//! Other JavaScript migration tools share the directory and most method names
//! (node-pg-migrate's `pgm.dropTable`, `pgm.sql`; db-migrate's `db.runSql`), so their SQL
//! calls are read too and messages name each call as it is written.

use super::redefine::redefinition;
use super::scan::{Before, Lang, RawCall, Source};
use super::{or_unknown, raw_sql, Call, Effect};
use crate::analyze::sql;

const METHODS: &[&str] = &[
    "dropTable",
    "dropTableIfExists",
    "renameTable",
    "dropColumn",
    "dropColumns",
    "renameColumn",
    "dropTimestamps",
    "dropForeign",
    "dropPrimary",
    "dropIndex",
    "dropUnique",
    "dropChecks",
    "raw",
    "sql",
    "runSql",
    "truncate",
    "del",
    "delete",
    "update",
    // `t.string('name', 50).alter()`: a column redefined (see `redefine`).
    "alter",
];

pub(crate) fn calls(text: &str) -> Vec<Call> {
    let mut out = super::method_calls_with(text, Lang::Js, METHODS, |src, call| {
        if call.name == "alter" {
            return redefinition(src, call, &builder_table(src, call), ".alter()");
        }
        effect(src, call).map(|effect| Call::found(src, call, effect))
    });
    // Only Ghost's migrations use its helper; the others are not lexed twice.
    if text.contains(GHOST_DROP_COLUMN) {
        out.extend(ghost_column_drops(text));
    }
    out
}

/// Ghost's migration utility `createDropColumnMigration(table, column, spec)`: the whole
/// migration is a column drop (its `down` adds the column back, empty). Written bare,
/// destructured from `require('../../utils')`.
const GHOST_DROP_COLUMN: &str = "createDropColumnMigration";

fn ghost_column_drops(text: &str) -> Vec<Call> {
    let src = Source::new(text, Lang::Js);
    src.calls(GHOST_DROP_COLUMN, Before::Bare)
        .iter()
        .map(|call| {
            let values = src.literal_values(call.args.clone());
            let at = |i: usize| or_unknown(values.get(i).cloned());
            let effect = Effect::finding(
                &sql::DROP_COLUMN,
                format!(
                    "{GHOST_DROP_COLUMN} drops the column {}.{} and its data in every row.",
                    at(0),
                    at(1)
                ),
            );
            Call::found(&src, call, effect)
        })
        .collect()
}

/// The table of a table builder, from the `knex.schema.alterTable('users', …)` (or
/// `table`) the call sits in.
fn builder_table(src: &Source, call: &RawCall) -> String {
    or_unknown(
        src.enclosing(call.start, &["table", "alterTable"])
            .and_then(|c| src.first_value(&c)),
    )
}

fn effect(src: &Source, call: &RawCall) -> Option<Effect> {
    let values = src.literal_values(call.args.clone());
    let at = |i: usize| or_unknown(values.get(i).cloned());
    let table = || builder_table(src, call);
    let name = call.name;
    let what = src.written(call);
    Some(match name {
        "dropTable" | "dropTableIfExists" => Effect::finding(
            &sql::DROP_TABLE,
            format!("{what} drops the table {} and every row in it.", at(0)),
        ),
        "renameTable" => Effect::finding(
            &sql::RENAME,
            format!("{what} renames the table {} to {}: running code that still uses the old table fails until the new code is deployed.", at(0), at(1)),
        ),
        "dropColumn" | "dropColumns" | "dropTimestamps" => {
            let columns = if name == "dropTimestamps" {
                vec!["created_at".to_owned(), "updated_at".to_owned()]
            } else {
                values.clone()
            };
            let table = table();
            Effect::finding(
                &sql::DROP_COLUMN,
                match columns.as_slice() {
                    [one] => format!("{what} drops the column {table}.{one} and its data in every row."),
                    many => format!("{what} drops the columns {} of {table} and their data in every row.", or_unknown(Some(many.join(", ")))),
                },
            )
        }
        "renameColumn" => Effect::finding(
            &sql::RENAME,
            format!("{what} renames {}.{} to {}: running code that still uses the old name fails until the new code is deployed.", table(), at(0), at(1)),
        ),
        "dropForeign" | "dropPrimary" | "dropChecks" => Effect::finding(
            &sql::DROP_CONSTRAINT,
            format!("{what} drops a constraint of {}: the table stops refusing the rows it kept out.", table()),
        ),
        "dropIndex" | "dropUnique" => Effect::finding(
            &sql::DROP_INDEX,
            format!("{what} drops an index of {}: queries that used it may turn into full scans, and a unique index stops refusing duplicates.", table()),
        ),
        "raw" | "sql" | "runSql" => raw_sql(src, &what, src.args(call).first())?,
        _ => return bulk(src, call),
    })
}

/// `knex('sessions').truncate()`, `.del()` and `.update({...})` straight on the table, with
/// no step between that could select rows (`where…`, `limit`, a join): any such step is
/// taken to select some rows and is quiet.
fn bulk(src: &Source, call: &RawCall) -> Option<Effect> {
    let chain = src.receiver(call.start);
    // `knex('t')` or `knex.table('t')` / `knex.from('t')`, then nothing else.
    let table = match chain.as_slice() {
        [head] => head.args.clone(),
        [_, step] if matches!(step.name.as_str(), "table" | "from" | "into") => step.args.clone(),
        _ => None,
    }?;
    let table = or_unknown(src.literal_values(table).into_iter().next());
    Some(match call.name {
        "truncate" => Effect::finding(
            &sql::TRUNCATE,
            format!(".truncate() empties {table}: every row is deleted."),
        ),
        "update" => Effect::finding(
            &sql::UPDATE_WITHOUT_WHERE,
            format!(".update() without a where() overwrites every row of {table}."),
        ),
        _ => Effect::finding(
            &sql::DELETE_WITHOUT_WHERE,
            format!(
                ".{}() without a where() deletes every row of {table}.",
                call.name
            ),
        ),
    })
}
