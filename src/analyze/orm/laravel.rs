//! Laravel migrations (`database/migrations/*.php`): the `Schema` facade, the `Blueprint`
//! methods called on `$table` inside `Schema::table('users', function (Blueprint $table) {…})`,
//! the raw SQL of `DB::statement`/`DB::unprepared`, and query-builder deletes and updates
//! with no `where`. `function down()` is the rollback and is skipped.
//!
//! The table of a `$table->…` call is the first argument of the `Schema::table` call around
//! it; a Blueprint built any other way is reported with the table unknown.

use super::redefine::redefinition;
use super::scan::{Lang, RawCall, Segment, Source};
use super::{or_unknown, raw_sql, Call, Effect};
use crate::analyze::sql;

const METHODS: &[&str] = &[
    "drop",
    "dropIfExists",
    "rename",
    "dropColumn",
    "dropColumns",
    "renameColumn",
    "dropTimestamps",
    "dropTimestampsTz",
    "dropSoftDeletes",
    "dropSoftDeletesTz",
    "dropRememberToken",
    "dropMorphs",
    "dropConstrainedForeignId",
    "dropForeignIdFor",
    "dropConstrainedForeignIdFor",
    "dropForeign",
    "dropPrimary",
    "dropIndex",
    "dropUnique",
    "dropFullText",
    "dropSpatialIndex",
    "statement",
    "unprepared",
    "truncate",
    "delete",
    "update",
    // `$table->string('name', 50)->change()`: a column redefined (see `redefine`).
    "change",
];

pub(crate) fn calls(text: &str) -> Vec<Call> {
    super::method_calls_with(text, Lang::Php, METHODS, |src, call| {
        if call.name == "change" {
            let table = blueprint_table(src, call);
            return redefinition(src, call, &table, "->change()");
        }
        effect(src, call).map(|effect| Call::found(src, call, effect))
    })
}

/// The Blueprint's table, from the `Schema::table('users', …)` the call sits in.
fn blueprint_table(src: &Source, call: &RawCall) -> String {
    or_unknown(
        src.enclosing(call.start, &["table", "create"])
            .and_then(|c| src.first_value(&c)),
    )
}

fn effect(src: &Source, call: &RawCall) -> Option<Effect> {
    let chain = src.receiver(call.start);
    let on_schema = chain.first().is_some_and(|s| s.name == "Schema");
    let args = src.args(call);
    let values = src.literal_values(call.args.clone());
    let at = |i: usize| or_unknown(values.get(i).cloned());
    let blueprint = || blueprint_table(src, call);
    let name = call.name;
    Some(match name {
        "drop" | "dropIfExists" => {
            let table = if on_schema { at(0) } else { blueprint() };
            Effect::finding(
                &sql::DROP_TABLE,
                format!("{} drops the table {table} and every row in it.", written(on_schema, name)),
            )
        }
        "rename" => {
            let (from, to) = if on_schema { (at(0), at(1)) } else { (blueprint(), at(0)) };
            Effect::finding(
                &sql::RENAME,
                format!("{} renames the table {from} to {to}: running code that still uses the old table fails until the new code is deployed.", written(on_schema, name)),
            )
        }
        "dropColumn" | "dropColumns" if on_schema || name == "dropColumn" => {
            let (table, columns) = if on_schema {
                (at(0), values.get(1..).unwrap_or_default().to_vec())
            } else {
                (blueprint(), values.clone())
            };
            column_drop(written(on_schema, name), &table, &columns)
        }
        "renameColumn" => Effect::finding(
            &sql::RENAME,
            format!("$table->renameColumn renames {}.{} to {}: running code that still uses the old name fails until the new code is deployed.", blueprint(), at(0), at(1)),
        ),
        "dropTimestamps" | "dropTimestampsTz" => {
            column_drop(written(false, name), &blueprint(), &["created_at".into(), "updated_at".into()])
        }
        "dropSoftDeletes" | "dropSoftDeletesTz" => {
            column_drop(written(false, name), &blueprint(), &[values.first().cloned().unwrap_or_else(|| "deleted_at".into())])
        }
        "dropRememberToken" => column_drop(written(false, name), &blueprint(), &["remember_token".into()]),
        "dropMorphs" => {
            let morph = at(0);
            column_drop(written(false, name), &blueprint(), &[format!("{morph}_type"), format!("{morph}_id")])
        }
        "dropConstrainedForeignId" => column_drop(written(false, name), &blueprint(), &[at(0)]),
        // `dropForeignIdFor(User::class)` drops the column `foreignIdFor` added: `user_id`
        // unless a column is named.
        "dropForeignIdFor" | "dropConstrainedForeignIdFor" => {
            let column = args.get(1).map_or_else(|| model_foreign_key(src, &args), |a| src.value(a));
            column_drop(written(false, name), &blueprint(), &[column])
        }
        "dropForeign" | "dropPrimary" => Effect::finding(
            &sql::DROP_CONSTRAINT,
            format!("$table->{name} drops a constraint of {}: the table stops refusing the rows it kept out.", blueprint()),
        ),
        "dropIndex" | "dropUnique" | "dropFullText" | "dropSpatialIndex" => Effect::finding(
            &sql::DROP_INDEX,
            format!("$table->{name} drops an index of {}: queries that used it may turn into full scans, and a unique index stops refusing duplicates.", blueprint()),
        ),
        "statement" | "unprepared" => raw_sql(src, sql_name(name), args.first())?,
        // `DB::delete('DELETE …')`, `DB::update('UPDATE …')`: raw SQL through the facade.
        "delete" | "update" if chain.len() == 1 && chain[0].name == "DB" => {
            raw_sql(src, sql_name(name), args.first())?
        }
        _ => return bulk(src, name, &chain, args.is_empty()),
    })
}

/// `DB::table('sessions')->truncate()`, `->delete()`, `->update([...])`, or the same on an
/// Eloquent model (`Session::query()->delete()`), with nothing between the table and the
/// call that could select rows. A chain with any other step (`where`, `whereIn`, `limit`,
/// a local scope) is taken to select some rows and is quiet.
fn bulk(src: &Source, name: &'static str, chain: &[Segment], no_args: bool) -> Option<Effect> {
    let first = chain.first()?;
    // `$user->delete()` deletes one loaded model.
    if first.name.starts_with('$') || first.name.is_empty() {
        return None;
    }
    let mut table = None;
    for step in &chain[1..] {
        match step.name.as_str() {
            "table" => {
                table = step
                    .args
                    .clone()
                    .and_then(|r| src.literal_values(r).into_iter().next());
            }
            "connection" | "query" | "withTrashed" | "withoutGlobalScopes" => {}
            _ => return None,
        }
    }
    let is_db = first.name == "DB";
    if is_db && table.is_none() {
        return None;
    }
    let table = table.unwrap_or_else(|| format!("the table of the model {}", first.name));
    Some(match name {
        "truncate" => Effect::finding(
            &sql::TRUNCATE,
            format!("->truncate() empties {table}: every row is deleted."),
        ),
        "delete" if no_args => Effect::finding(
            &sql::DELETE_WITHOUT_WHERE,
            format!("->delete() without a where() deletes every row of {table}."),
        ),
        "update" => Effect::finding(
            &sql::UPDATE_WITHOUT_WHERE,
            format!("->update() without a where() overwrites every row of {table}."),
        ),
        _ => return None,
    })
}

/// The foreign key Eloquent derives from a model class (`User::class`, `App\\Models\\TeamUser::class`):
/// the class name in snake case with `_id`, `team_user_id`. A model given as a variable
/// (`$user`) is not known.
fn model_foreign_key(src: &Source, args: &[super::scan::Arg]) -> String {
    let Some(model) = args.first() else {
        return "?".to_owned();
    };
    let text = src.text[model.value.clone()].trim();
    let Some(class) = text.strip_suffix("::class") else {
        return "?".to_owned();
    };
    let class = class.rsplit('\\').next().unwrap_or(class);
    let mut snake = String::new();
    for (i, c) in class.chars().enumerate() {
        if c.is_ascii_uppercase() && i > 0 {
            snake.push('_');
        }
        snake.push(c.to_ascii_lowercase());
    }
    format!("{snake}_id")
}

fn column_drop(what: &str, table: &str, columns: &[String]) -> Effect {
    let message = match columns {
        [] => format!("{what} drops columns of {table} and their data in every row."),
        [one] => format!("{what} drops the column {table}.{one} and its data in every row."),
        many => format!(
            "{what} drops the columns {} of {table} and their data in every row.",
            many.join(", ")
        ),
    };
    Effect::finding(&sql::DROP_COLUMN, message)
}

/// How the call is written, for a message: `Schema::drop` or `$table->dropColumn`.
fn written(on_schema: bool, name: &str) -> &'static str {
    let names: &[(&str, &str, &str)] = &[
        ("drop", "Schema::drop", "$table->drop"),
        (
            "dropIfExists",
            "Schema::dropIfExists",
            "$table->dropIfExists",
        ),
        ("rename", "Schema::rename", "$table->rename"),
        ("dropColumn", "Schema::dropColumn", "$table->dropColumn"),
        ("dropColumns", "Schema::dropColumns", "$table->dropColumns"),
        ("dropTimestamps", "", "$table->dropTimestamps"),
        ("dropTimestampsTz", "", "$table->dropTimestampsTz"),
        ("dropSoftDeletes", "", "$table->dropSoftDeletes"),
        ("dropSoftDeletesTz", "", "$table->dropSoftDeletesTz"),
        ("dropRememberToken", "", "$table->dropRememberToken"),
        ("dropMorphs", "", "$table->dropMorphs"),
        (
            "dropConstrainedForeignId",
            "",
            "$table->dropConstrainedForeignId",
        ),
        ("dropForeignIdFor", "", "$table->dropForeignIdFor"),
        (
            "dropConstrainedForeignIdFor",
            "",
            "$table->dropConstrainedForeignIdFor",
        ),
    ];
    names
        .iter()
        .find(|(n, _, _)| *n == name)
        .map_or("the migration", |(_, schema, blueprint)| {
            if on_schema && !schema.is_empty() {
                schema
            } else {
                blueprint
            }
        })
}

fn sql_name(name: &str) -> &'static str {
    match name {
        "statement" => "DB::statement",
        "unprepared" => "DB::unprepared",
        "delete" => "DB::delete",
        _ => "DB::update",
    }
}
