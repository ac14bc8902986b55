//! django_fields: what a Django `migrations.AlterField` does to its column. Django writes an
//! `AlterField` for every edit of a field's arguments, including those that never reach the
//! database (`help_text`, `verbose_name`, `choices`, `default`) and those that only widen it
//! (a longer `max_length`). The new field is compared with its previous definition in the
//! app's earlier migrations (`CreateModel`'s `fields`, or the last `AddField`/`AlterField` of
//! it). What the comparison can place is named: nothing (harmless, cleared), a shorter
//! `max_length` or `max_digits` (a narrowing, as django-migration-linter's ALTER_COLUMN and
//! squawk's changing-column-type), `null=True` dropped without a default (a NOT NULL that fails
//! on existing NULLs), a new `db_column` (a column rename). Anything it cannot place (no earlier
//! definition, a rename on the way, another field class, an argument it does not know) keeps
//! the generic finding.
//!
//! Owns only that comparison. Reads earlier migrations through the snapshot, and only when a
//! migration adds an `AlterField`.

use super::scan::{Before, Lang, Source};
use crate::analyze::{sql, FileView};
use crate::change::Side;
use crate::finding::Finding;
use std::collections::{BTreeMap, HashMap};

/// The text of a Python string literal (`'remark'`, `"remark"`), without its quotes.
fn string_literal(v: &str) -> Option<String> {
    let quote = v.chars().next().filter(|c| *c == '\'' || *c == '"')?;
    let inner = v.strip_prefix(quote)?.strip_suffix(quote)?;
    (!inner.contains(quote)).then(|| inner.to_owned())
}

/// Arguments that never change the column: Django keeps them in its model state only
/// (`default` too, which Django applies in Python, unlike `db_default`).
const STATE_ONLY: &[&str] = &[
    "help_text",
    "verbose_name",
    "blank",
    "choices",
    "validators",
    "default",
    "editable",
    "error_messages",
    "db_comment",
];

/// Size arguments that may grow without losing anything.
const WIDENING: &[&str] = &["max_length", "max_digits"];

/// One thing an `AlterField` does to an existing column that loses data or breaks running code.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Aspect {
    /// A size argument shrank: `max_length 255 -> 20`.
    Narrows(String),
    /// `null=True` was dropped and no default fills the NULLs first.
    NotNull,
    /// `db_column` moved the field to another column name.
    Renamed { from: String, to: String },
}

/// An `AlterField` whose previous definition was found: what it does (nothing, when empty).
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Judged {
    pub model: String,
    pub name: String,
    pub aspects: Vec<Aspect>,
}

/// The findings an `AlterField` judged against its previous definition stands for, in place of
/// the generic "may narrow" one (`generic`, whose location they keep).
pub(crate) fn findings(generic: &Finding, judged: &Judged) -> Vec<Finding> {
    let (model, name) = (&judged.model, &judged.name);
    let at = generic.location.clone();
    judged
        .aspects
        .iter()
        .map(|aspect| match aspect {
            Aspect::Narrows(what) => Finding::new(
                &sql::COLUMN_TYPE_NARROWED,
                at.clone(),
                format!("migrations.AlterField narrows the column {model}.{name} ({what}): values that no longer fit are truncated or fail the migration."),
            ),
            Aspect::NotNull => Finding::new(
                &sql::NOT_NULL_WITHOUT_DEFAULT,
                at.clone(),
                format!("migrations.AlterField makes {model}.{name} NOT NULL (it was null=True) without a default: the migration fails if any row holds NULL. Backfill the NULLs first (a RunPython that updates filter({name}__isnull=True)), or give the field a default, which Django writes into the NULL rows before the change."),
            ),
            Aspect::Renamed { from, to } => Finding::new(
                &sql::RENAME,
                at.clone(),
                format!("migrations.AlterField moves {model}.{name} from the column {from} to {to} (db_column): Django renames the column, and running code that still uses {from} fails until the new code is deployed."),
            ),
        })
        .collect()
}

/// The `AlterField` calls in `head`, by line, whose field is defined earlier in the same app's
/// migrations, with what each does to the column.
pub(crate) fn judge_alters(view: &FileView, head: &str) -> HashMap<u32, Judged> {
    let src = Source::new(head, Lang::Python);
    let mut out = HashMap::new();
    let mut history: Option<Vec<String>> = None;
    for call in src.calls("AlterField", Before::Any) {
        let args = src.args(&call);
        let (Some(model), Some(name), Some(field)) = (
            src.arg(&args, "model_name", 0)
                .map(|a| src.value(a).to_lowercase()),
            src.arg(&args, "name", 1).map(|a| src.value(a)),
            src.arg(&args, "field", 2).map(|a| &head[a.value.clone()]),
        ) else {
            continue;
        };
        let earlier = history.get_or_insert_with(|| earlier_migrations(view));
        let before = earlier
            .iter()
            .find_map(|text| last_event(text, &model, &name));
        let aspects = match (before, Field::parse(field)) {
            (Some(Some(old)), Some(new)) => {
                Field::parse(&old).and_then(|old| new.judge(&old, &name))
            }
            _ => None,
        };
        if let Some(aspects) = aspects {
            out.insert(
                call.line,
                Judged {
                    model,
                    name,
                    aspects,
                },
            );
        }
    }
    out
}

/// The texts of the migrations numbered before this one in its directory, newest first.
fn earlier_migrations(view: &FileView) -> Vec<String> {
    let path = view.path();
    let own = path.file_name();
    let mut names: Vec<_> = view
        .snapshot
        .list_dir(Side::Head, path.dir())
        .into_iter()
        .filter(|p| {
            let name = p.file_name();
            name.ends_with(".py") && name.starts_with(|c: char| c.is_ascii_digit()) && name < own
        })
        .collect();
    names.sort_by(|a, b| b.file_name().cmp(a.file_name()));
    names
        .iter()
        .filter_map(|p| view.snapshot.read(Side::Head, p).text().map(str::to_owned))
        .collect()
}

/// What the last operation on `model.name` in `text` left: `Some(Some(field))` for a
/// definition, `Some(None)` for an operation that breaks the history (a rename or removal),
/// `None` when `text` does not touch the field.
fn last_event(text: &str, model: &str, name: &str) -> Option<Option<String>> {
    let src = Source::new(text, Lang::Python);
    let mut events: Vec<(usize, Option<String>)> = Vec::new();
    for op in ["AddField", "AlterField"] {
        for call in src.calls(op, Before::Any) {
            let args = src.args(&call);
            let on_field = src
                .arg(&args, "model_name", 0)
                .is_some_and(|a| src.value(a).to_lowercase() == model)
                && src
                    .arg(&args, "name", 1)
                    .is_some_and(|a| src.value(a) == name);
            if on_field {
                let field = src
                    .arg(&args, "field", 2)
                    .map(|a| text[a.value.clone()].to_owned());
                events.push((call.start, field));
            }
        }
    }
    for call in src.calls("CreateModel", Before::Any) {
        let args = src.args(&call);
        if src
            .arg(&args, "name", 0)
            .is_none_or(|a| src.value(a).to_lowercase() != model)
        {
            continue;
        }
        let Some(fields) = src.arg(&args, "fields", 1) else {
            continue;
        };
        let Some(list) = src.inner_list(fields.value.clone()) else {
            continue;
        };
        for entry in src.args_in(list) {
            let Some(pair) = src.inner_list(entry.value.clone()) else {
                continue;
            };
            let parts = src.args_in(pair);
            if parts.first().is_some_and(|a| src.value(a) == name) {
                let field = parts.get(1).map(|a| text[a.value.clone()].to_owned());
                events.push((call.start, field));
            }
        }
    }
    // Renames and removals: the field's earlier definitions no longer describe its column.
    for op in [
        "RenameField",
        "RemoveField",
        "RenameModel",
        "DeleteModel",
        "RunSQL",
        "SeparateDatabaseAndState",
    ] {
        for call in src.calls(op, Before::Any) {
            if src.text[call.args.clone()].contains(name)
                || src.text[call.args.clone()].to_lowercase().contains(model)
            {
                events.push((call.start, None));
            }
        }
    }
    events
        .into_iter()
        .max_by_key(|(at, _)| *at)
        .map(|(_, field)| field)
}

/// A field written as a call: `models.CharField(max_length=32, unique=True)`.
#[derive(Debug, PartialEq)]
struct Field {
    class: String,
    positional: Vec<String>,
    keywords: BTreeMap<String, String>,
}

impl Field {
    fn parse(text: &str) -> Option<Field> {
        let src = Source::new(text, Lang::Python);
        let open = src.code.iter().position(|b| *b == b'(')?;
        let class = text[..open].trim().rsplit('.').next()?.to_owned();
        if class.is_empty() || !class.chars().all(|c| c.is_alphanumeric() || c == '_') {
            return None;
        }
        let args = src.inner_call_args(0..text.len())?;
        // Whitespace-free code, so that line wrapping and spacing do not count as edits.
        let written =
            |a: &super::scan::Arg| -> String { text[a.value.clone()].split_whitespace().collect() };
        Some(Field {
            class,
            positional: args
                .iter()
                .filter(|a| a.keyword.is_none())
                .map(written)
                .collect(),
            keywords: args
                .iter()
                .filter_map(|a| Some((a.keyword.clone()?, written(a))))
                .collect(),
        })
    }

    /// What this field, replacing `old` (the field `name`), does to its column: nothing
    /// (empty) when it changes only state-only arguments, grows sizes or allows NULL; `None`
    /// when it changes anything this module cannot place (another class, another positional
    /// argument, an argument it does not know, a size it cannot read).
    fn judge(&self, old: &Field, name: &str) -> Option<Vec<Aspect>> {
        if self.class != old.class || self.positional != old.positional {
            return None;
        }
        let mut keys: Vec<&String> = self.keywords.keys().chain(old.keywords.keys()).collect();
        keys.sort();
        keys.dedup();
        let is_true = |v: Option<&String>| v.is_some_and(|v| v == "True");
        // Django writes a default into the NULL rows before it sets NOT NULL.
        let defaulted = ["default", "db_default"]
            .iter()
            .any(|k| self.keywords.get(*k).is_some_and(|v| v != "None"));
        let mut aspects = Vec::new();
        for key in keys {
            let (new, was) = (self.keywords.get(key), old.keywords.get(key));
            if new == was || STATE_ONLY.contains(&key.as_str()) {
                continue;
            }
            match key.as_str() {
                "null" => {
                    if !is_true(new) && is_true(was) && !defaulted {
                        aspects.push(Aspect::NotNull);
                    }
                }
                "db_column" => {
                    let column = |v: Option<&String>| match v {
                        None => Some(name.to_owned()),
                        Some(v) => string_literal(v),
                    };
                    let (from, to) = (column(was)?, column(new)?);
                    if from != to {
                        aspects.push(Aspect::Renamed { from, to });
                    }
                }
                k if WIDENING.contains(&k) => {
                    let size = |v: Option<&String>| v.and_then(|v| v.parse::<u64>().ok());
                    let (n, w) = (size(new)?, size(was)?);
                    if n < w {
                        aspects.push(Aspect::Narrows(format!("{key} {w} -> {n}")));
                    }
                }
                _ => return None,
            }
        }
        Some(aspects)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn judge(old: &str, new: &str) -> Option<Vec<Aspect>> {
        let (old, new) = (
            Field::parse(old).expect("old"),
            Field::parse(new).expect("new"),
        );
        new.judge(&old, "code")
    }

    fn relaxes(old: &str, new: &str) -> bool {
        judge(old, new).is_some_and(|a| a.is_empty())
    }

    #[test]
    fn a_shorter_size_narrows_and_a_dropped_null_without_default_tightens() {
        assert_eq!(
            judge(
                "models.CharField(max_length=255)",
                "models.CharField(max_length=20)"
            ),
            Some(vec![Aspect::Narrows("max_length 255 -> 20".to_owned())])
        );
        assert_eq!(
            judge("models.TextField(null=True)", "models.TextField()"),
            Some(vec![Aspect::NotNull])
        );
        // Django fills the NULL rows with the default before it sets NOT NULL.
        assert_eq!(
            judge(
                "models.TextField(null=True)",
                "models.TextField(default='')"
            ),
            Some(vec![])
        );
    }

    #[test]
    fn a_new_db_column_renames_the_column() {
        assert_eq!(
            judge(
                "models.TextField(null=True)",
                "models.TextField(null=True, db_column='remark')"
            ),
            Some(vec![Aspect::Renamed {
                from: "code".to_owned(),
                to: "remark".to_owned()
            }])
        );
        assert_eq!(
            judge("models.TextField(db_column='code')", "models.TextField()"),
            Some(vec![])
        );
        assert_eq!(
            judge("models.TextField()", "models.TextField(db_column=NAME)"),
            None
        );
    }

    #[test]
    fn state_only_arguments_wider_sizes_and_null_relax() {
        assert!(relaxes(
            "models.CharField(max_length=32, unique=True)",
            "models.CharField(max_length=64, unique=True)"
        ));
        assert!(relaxes(
            "models.CharField(max_length=120)",
            "models.CharField(help_text=\"Shown\", max_length=120, verbose_name=\"title\")"
        ));
        assert!(relaxes(
            "models.DecimalField(decimal_places=2, max_digits=10)",
            "models.DecimalField(\n    decimal_places=2, max_digits=12, null=True)"
        ));
    }

    #[test]
    fn narrowing_retyping_and_unknown_arguments_do_not() {
        assert!(!relaxes(
            "models.CharField(max_length=64)",
            "models.CharField(max_length=32)"
        ));
        assert!(!relaxes(
            "models.TextField()",
            "models.CharField(max_length=255)"
        ));
        assert!(!relaxes(
            "models.DecimalField(decimal_places=2, max_digits=10)",
            "models.DecimalField(decimal_places=1, max_digits=10)"
        ));
        assert!(!relaxes(
            "models.CharField(max_length=64, null=True)",
            "models.CharField(max_length=64)"
        ));
        assert!(!relaxes(
            "models.CharField(max_length=64)",
            "models.CharField(max_length=MAX)"
        ));
        assert!(!relaxes(
            "models.ForeignKey(on_delete=models.CASCADE, to=\"a.b\")",
            "models.ForeignKey(on_delete=models.CASCADE, to=\"a.c\")"
        ));
    }

    #[test]
    fn the_last_operation_on_the_field_is_its_definition() {
        let text = "operations = [\n    migrations.CreateModel(\n        name=\"Invoice\",\n        fields=[\n            (\"id\", models.BigAutoField(primary_key=True)),\n            (\"number\", models.CharField(max_length=32)),\n        ],\n    ),\n    migrations.AlterField(model_name=\"invoice\", name=\"number\", field=models.CharField(max_length=40)),\n]\n";
        assert_eq!(
            last_event(text, "invoice", "number"),
            Some(Some("models.CharField(max_length=40)".to_owned()))
        );
        assert_eq!(last_event(text, "invoice", "total"), None);
        let renamed = format!("{text}migrations.RenameField(\"invoice\", \"code\", \"number\")\n");
        assert_eq!(last_event(&renamed, "invoice", "number"), Some(None));
    }
}
