//! Django migrations (`<app>/migrations/NNNN_name.py`): the operations in `operations = [...]`.
//! Django has no separate rollback code (it reverses operations itself), so every operation
//! counts; for `RunSQL` only the forward `sql`, not `reverse_sql`.
//!
//! The functions a `RunPython` runs are read for the data they destroy: a queryset deleted
//! or updated with no filter (`Model.objects.all().delete()`, `Model.objects.update(...)`)
//! and SQL run through `schema_editor.execute` or a cursor. Every top-level function counts
//! except those passed as the reverse (`RunPython(forward, backward)`, `reverse_code=`).

use super::scan::{Before, Lang, Segment, Source};
use super::{or_unknown, raw_sql, Call, Effect};
use crate::analyze::sql;
use std::ops::Range;

const OPERATIONS: &[&str] = &[
    "AddField",
    "RemoveField",
    "DeleteModel",
    "RunSQL",
    "AlterField",
    "RenameField",
    "RenameModel",
    // `AlterModelTable(name="order", table="orders")` renames the model's table.
    "AlterModelTable",
    "RemoveIndex",
    // django.contrib.postgres's `DROP INDEX CONCURRENTLY`, imported and written bare.
    "RemoveIndexConcurrently",
    "RemoveConstraint",
    // Emptied (`unique_together=set()`), these drop every unique constraint or index the
    // option declared; any other value may add or keep them, which twokey cannot tell apart.
    "AlterUniqueTogether",
    "AlterIndexTogether",
    // Sentry's two-step removals: `deletion_action=DeletionAction.MOVE_TO_PENDING` drops the
    // Django state only, `DeletionAction.DELETE` then drops the column or table.
    "SafeRemoveField",
    "SafeDeleteModel",
];

/// Whether the migration is a squash (`replaces = [...]` in its class): Django applies it
/// only to databases where none of the migrations it replaces has run, that is new ones, and
/// only marks it applied elsewhere. Comments and strings do not count.
pub(crate) fn is_squashed(text: &str) -> bool {
    let src = Source::new(text, Lang::Python);
    src.code_lines().iter().any(|line| {
        line.trim_start()
            .strip_prefix("replaces")
            .is_some_and(|rest| rest.trim_start().starts_with('='))
    })
}

/// The migration names a squash's `replaces` lists (`[('crm', '0001_initial'), …]`): the
/// second string of each pair. Empty when it lists none twokey can read.
pub(crate) fn replaced(text: &str) -> Vec<String> {
    let Some(start) = text.find("replaces") else {
        return Vec::new();
    };
    let rest = &text[start..];
    let (Some(open), Some(close)) = (rest.find('['), rest.find(']')) else {
        return Vec::new();
    };
    if close < open {
        return Vec::new();
    }
    rest[open + 1..close]
        .split('(')
        .filter_map(|pair| {
            let strings: Vec<&str> = pair.split(['\'', '"']).collect();
            // `'crm', '0001_initial')` splits as ["", "crm", ", ", "0001_initial", ")…"].
            strings.get(3).map(|name| (*name).to_owned())
        })
        .filter(|name| !name.is_empty())
        .collect()
}

/// Whether every migration the squash at `dir` replaces was in the repository at the base:
/// then each database that ran them marks the squash applied without running it, and one that
/// runs it is new and holds no rows, so what it drops is nothing. A squash of migrations this
/// change adds may still run their drops on a database that had run only the older ones.
pub(crate) fn replaces_only_existing(
    view: &crate::analyze::FileView,
    dir: &str,
    text: &str,
) -> bool {
    let names = replaced(text);
    !names.is_empty()
        && names.iter().all(|name| {
            let path = crate::change::RepoPath::new(format!("{dir}/{name}.py"));
            view.snapshot
                .read(crate::change::Side::Base, &path)
                .text()
                .is_some()
        })
}

pub(crate) fn calls(text: &str) -> Vec<Call> {
    let src = Source::new(text, Lang::Python);
    let state_only = state_operations(&src);
    // Models created by this migration have no rows yet.
    let created: Vec<String> = src
        .calls("CreateModel", Before::Any)
        .iter()
        .filter_map(|call| {
            let args = src.args(call);
            src.arg(&args, "name", 0)
                .map(|a| src.value(a).to_lowercase())
        })
        .collect();
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
                "AddField" => match required_field(&src, &args) {
                    Some(field) if !created.contains(&model()) => Effect::finding(
                        &sql::NOT_NULL_WITHOUT_DEFAULT,
                        format!(
                            "migrations.AddField adds {}.{} as {field}, NOT NULL without a default: on a table with rows the migration fails. Add it with null=True or a default, backfill, then make it required.",
                            model(),
                            or_unknown(get("name", 1))
                        ),
                    ),
                    _ => continue,
                },
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
                "RunSQL" => {
                    let arg = src.arg(&args, "sql", 0);
                    let noop = arg.is_some_and(|a| src.text[a.value.clone()].trim().ends_with("noop"));
                    match raw_sql(&src, "migrations.RunSQL", arg) {
                        Some(effect) if !noop => effect,
                        _ => continue,
                    }
                }
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
                "AlterModelTable" => {
                    let model = or_unknown(get("name", 0));
                    if created.contains(&model.to_lowercase()) {
                        continue;
                    }
                    // `table=None` goes back to Django's default name, `<app>_<model>`.
                    let table = match src.arg(&args, "table", 1) {
                        Some(a) if src.text[a.value.clone()].trim() != "None" => src.value(a),
                        _ => "Django's default name".to_owned(),
                    };
                    Effect::finding(
                        &sql::RENAME,
                        format!(
                            "migrations.AlterModelTable renames the table of the model {model} to {table}: running code that still uses the old table fails until the new code is deployed."
                        ),
                    )
                }
                "AlterUniqueTogether" | "AlterIndexTogether" => {
                    let unique = name == "AlterUniqueTogether";
                    let option = if unique { "unique_together" } else { "index_together" };
                    let emptied = src.arg(&args, option, 1).is_some_and(|a| {
                        let written: String =
                            src.text[a.value.clone()].split_whitespace().collect();
                        matches!(written.as_str(), "set()" | "()" | "[]" | "{}" | "None")
                    });
                    if !emptied {
                        continue;
                    }
                    let (rule, what) = if unique {
                        (&sql::DROP_CONSTRAINT, "unique constraints: the table stops refusing duplicate rows")
                    } else {
                        (&sql::DROP_INDEX, "indexes: queries that used them may turn into full scans")
                    };
                    Effect::finding(
                        rule,
                        format!(
                            "migrations.{name} empties {option} of the model {}, which drops its {what}.",
                            or_unknown(get("name", 0)).to_lowercase()
                        ),
                    )
                }
                "RemoveIndex" | "RemoveIndexConcurrently" => Effect::finding(
                    &sql::DROP_INDEX,
                    format!(
                        "{} drops the index {} of {}: queries that used it may turn into full scans.",
                        src.written(&call),
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
            let mut found = Call::found(&src, &call, effect);
            // The same model and field, written with keywords or positionally, is the same
            // removal.
            match name {
                "RemoveField" => {
                    found.key = format!("RemoveField({},{})", model(), or_unknown(get("name", 1)));
                }
                "DeleteModel" => {
                    found.key =
                        format!("DeleteModel({})", or_unknown(get("name", 0)).to_lowercase());
                }
                _ => {}
            }
            out.push(found);
        }
    }
    out.extend(run_python_calls(&src));
    out
}

/// The field class of an `AddField` whose column is NOT NULL with no default: Django fields
/// are required unless `null=True`, and `default=`/`db_default=` fill the existing rows.
/// Many-to-many fields add a table, not a column; auto fields fill themselves.
fn required_field(src: &Source, args: &[super::scan::Arg]) -> Option<String> {
    let field = src.arg(args, "field", 2)?;
    let text = src.text[field.value.clone()].trim();
    let class = text
        .split('(')
        .next()?
        .rsplit('.')
        .next()?
        .trim()
        .to_owned();
    if class.contains("ManyToMany") || class.contains("AutoField") || class == "GeneratedField" {
        return None;
    }
    let fargs = src.inner_call_args(field.value.clone())?;
    let keyword = |k: &str| fargs.iter().find(|a| a.keyword.as_deref() == Some(k));
    let is_true = |k: &str| keyword(k).is_some_and(|a| src.text[a.value.clone()].trim() == "True");
    if is_true("null")
        || is_true("primary_key")
        || keyword("default").is_some()
        || keyword("db_default").is_some()
    {
        return None;
    }
    Some(class)
}

/// Unfiltered queryset writes and raw SQL in the functions `RunPython` runs forward.
fn run_python_calls(src: &Source) -> Vec<Call> {
    let reverse = reverse_functions(src);
    let in_reverse = |offset: usize| reverse.iter().any(|r| r.contains(&offset));
    let mut out = Vec::new();
    for name in ["delete", "update", "execute"] {
        for call in src.calls(name, Before::Dot) {
            if in_reverse(call.start) {
                continue;
            }
            let chain = src.receiver(call.start);
            let effect = if name == "execute" {
                let via = chain.last().map(|s| s.name.as_str()).unwrap_or("");
                if via != "schema_editor" && via != "cursor" {
                    continue;
                }
                let what = if via == "cursor" {
                    "cursor.execute"
                } else {
                    "schema_editor.execute"
                };
                match raw_sql(src, what, src.args(&call).first()) {
                    Some(effect) => effect,
                    None => continue,
                }
            } else {
                let Some(model) = unfiltered_model(src, &chain) else {
                    continue;
                };
                if name == "delete" {
                    Effect::finding(
                        &sql::DELETE_WITHOUT_WHERE,
                        format!("{model}.objects…delete() with no filter deletes every row of the table of {model}."),
                    )
                } else {
                    Effect::finding(
                        &sql::UPDATE_WITHOUT_WHERE,
                        format!("{model}.objects…update() with no filter overwrites every row of the table of {model}."),
                    )
                }
            };
            out.push(Call::found(src, &call, effect));
        }
    }
    out
}

/// The model of `Model.objects.all()` (or `apps.get_model("shop", "Order").objects`) when
/// nothing after the manager selects rows; `None` for a filtered queryset or anything that
/// is not a manager's.
fn unfiltered_model(src: &Source, chain: &[Segment]) -> Option<String> {
    let manager = chain.iter().position(|s| {
        matches!(
            s.name.as_str(),
            "objects" | "_default_manager" | "_base_manager"
        )
    })?;
    if !chain[manager + 1..].iter().all(|s| s.name == "all") {
        return None;
    }
    let owner = manager.checked_sub(1).map(|i| &chain[i])?;
    Some(match (&owner.args, owner.name.as_str()) {
        (Some(args), "get_model") => or_unknown(src.literal_values(args.clone()).pop()),
        _ => owner.name.clone(),
    })
}

/// The top-level functions handed to `RunPython` as its reverse.
fn reverse_functions(src: &Source) -> Vec<Range<usize>> {
    let names: Vec<String> = src
        .calls("RunPython", Before::Any)
        .iter()
        .filter_map(|call| {
            let args = src.args(call);
            src.arg(&args, "reverse_code", 1)
                .map(|a| src.text[a.value.clone()].trim().to_owned())
        })
        .collect();
    let lines = src.code_lines();
    let mut out = Vec::new();
    let mut offset = 0;
    let mut open: Option<(usize, bool)> = None;
    for line in &lines {
        let top = !line.starts_with([' ', '\t', ')', ']', '}', '@']) && !line.trim().is_empty();
        if top {
            if let Some((start, true)) = open.take() {
                out.push(start..offset);
            }
            if let Some(rest) = line.strip_prefix("def ") {
                let name: String = rest
                    .chars()
                    .take_while(|c| c.is_alphanumeric() || *c == '_')
                    .collect();
                open = Some((offset, names.contains(&name)));
            } else {
                open = None;
            }
        }
        offset += line.len() + 1;
    }
    if let Some((start, true)) = open {
        out.push(start..offset);
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
