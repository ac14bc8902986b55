//! Django migrations (`<app>/migrations/NNNN_name.py`): the operations in `operations = [...]`.
//! Django has no separate rollback code (it reverses operations itself), so every operation
//! counts; for `RunSQL` only the forward `sql`, not `reverse_sql`.

use super::scan::{Before, Lang, Source};
use super::{or_unknown, Call, Effect};
use crate::analyze::sql;
use std::ops::Range;

const OPERATIONS: &[&str] = &[
    "RemoveField",
    "DeleteModel",
    "RunSQL",
    "AlterField",
    "RenameField",
    "RenameModel",
    "RemoveIndex",
    "RemoveConstraint",
    // Sentry's two-step removals: `deletion_action=DeletionAction.MOVE_TO_PENDING` drops the
    // Django state only, `DeletionAction.DELETE` then drops the column or table.
    "SafeRemoveField",
    "SafeDeleteModel",
];

pub(crate) fn calls(text: &str) -> Vec<Call> {
    let src = Source::new(text, Lang::Python);
    let state_only = state_operations(&src);
    let mut out = Vec::new();
    for &name in OPERATIONS {
        for call in src.calls(name, Before::Any) {
            if state_only.iter().any(|r| r.contains(&call.start)) {
                continue;
            }
            let args = src.args(&call);
            let get = |keyword: &str, position: usize| {
                src.arg(&args, keyword, position).map(|a| src.value(a))
            };
            let model = || or_unknown(get("model_name", 0)).to_lowercase();
            if name.starts_with("Safe") {
                let action = src.arg(&args, "deletion_action", usize::MAX);
                let action = action.map(|a| src.text[a.value.clone()].trim());
                if !action.is_some_and(|a| a.ends_with(".DELETE")) {
                    continue;
                }
            }
            let effect = match name.trim_start_matches("Safe") {
                "RemoveField" => Effect::finding(
                    &sql::DROP_COLUMN,
                    format!(
                        "migrations.RemoveField drops the column {}.{} and its data in every row.",
                        model(),
                        or_unknown(get("name", 1))
                    ),
                ),
                "DeleteModel" => Effect::finding(
                    &sql::DROP_TABLE,
                    format!(
                        "migrations.DeleteModel drops the table of the model {} and every row in it.",
                        or_unknown(get("name", 0))
                    ),
                ),
                "RunSQL" => match src.arg(&args, "sql", 0) {
                    Some(arg) => Effect::Sql {
                        what: "migrations.RunSQL",
                        text: src.strings_in(arg.value.clone()),
                    },
                    None => continue,
                },
                "AlterField" => Effect::medium(
                    &sql::COLUMN_TYPE_NARROWED,
                    format!(
                        "migrations.AlterField changes the column {}.{}; twokey does not compare Django field definitions, so the change may narrow it and lose data: check the old and new field.",
                        model(),
                        or_unknown(get("name", 1))
                    ),
                ),
                "RenameField" => Effect::finding(
                    &sql::RENAME,
                    format!(
                        "migrations.RenameField renames {}.{} to {}: running code that still uses the old column name fails until the new code is deployed.",
                        model(),
                        or_unknown(get("old_name", 1)),
                        or_unknown(get("new_name", 2))
                    ),
                ),
                "RenameModel" => Effect::finding(
                    &sql::RENAME,
                    format!(
                        "migrations.RenameModel renames the model {} to {} and its table with it: running code that still uses the old table fails until the new code is deployed.",
                        or_unknown(get("old_name", 0)),
                        or_unknown(get("new_name", 1))
                    ),
                ),
                "RemoveIndex" => Effect::finding(
                    &sql::DROP_INDEX,
                    format!(
                        "migrations.RemoveIndex drops the index {} of {}: queries that used it may turn into full scans.",
                        or_unknown(get("name", 1)),
                        model()
                    ),
                ),
                _ => Effect::finding(
                    &sql::DROP_CONSTRAINT,
                    format!(
                        "migrations.RemoveConstraint drops the constraint {} of {}: the table stops refusing the rows it kept out.",
                        or_unknown(get("name", 1)),
                        model()
                    ),
                ),
            };
            out.push(Call::found(&src, &call, effect));
        }
    }
    out
}

/// The `state_operations` of `SeparateDatabaseAndState`: they change Django's idea of the
/// models and never touch the database (how a model or field is dropped from the code while
/// its table or column is kept), so nothing in them destroys data.
fn state_operations(src: &Source) -> Vec<Range<usize>> {
    src.calls("SeparateDatabaseAndState", Before::Any)
        .iter()
        .filter_map(|call| {
            let args = src.args(call);
            src.arg(&args, "state_operations", 1)
                .map(|a| a.value.clone())
        })
        .collect()
}
