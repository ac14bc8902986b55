//! django_fields: whether a Django `migrations.AlterField` only relaxes its column. Django
//! writes an `AlterField` for every edit of a field's arguments, including those that never
//! reach the database (`help_text`, `verbose_name`, `choices`, `default`) and those that only
//! widen it (a longer `max_length`). The new field is compared with its previous definition in
//! the app's earlier migrations (`CreateModel`'s `fields`, or the last `AddField`/`AlterField`
//! of it); only what this module can show harmless is cleared, and anything it cannot place (no
//! earlier definition, a rename on the way, another field class, an argument it does not know)
//! keeps the finding.
//!
//! Owns only that comparison. Reads earlier migrations through the snapshot, and only when a
//! migration adds an `AlterField`.

use super::scan::{Before, Lang, Source};
use crate::analyze::FileView;
use crate::change::Side;
use std::collections::{BTreeMap, HashSet};

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

/// The lines of the `AlterField` calls in `head` that only relax a field defined earlier in
/// the same app's migrations.
pub(crate) fn harmless_alters(view: &FileView, head: &str) -> HashSet<u32> {
    let src = Source::new(head, Lang::Python);
    let mut out = HashSet::new();
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
        let relaxes = match (before, Field::parse(field)) {
            (Some(Some(old)), Some(new)) => Field::parse(&old).is_some_and(|old| new.relaxes(&old)),
            _ => false,
        };
        if relaxes {
            out.insert(call.line);
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

    /// Whether this field, replacing `old`, changes the column only in ways that keep every
    /// value: the same class and arguments, but for state-only ones, sizes that grew and
    /// `null=True`.
    fn relaxes(&self, old: &Field) -> bool {
        if self.class != old.class || self.positional != old.positional {
            return false;
        }
        let keys: HashSet<&String> = self.keywords.keys().chain(old.keywords.keys()).collect();
        keys.into_iter().all(|key| {
            let (new, was) = (self.keywords.get(key), old.keywords.get(key));
            if new == was || STATE_ONLY.contains(&key.as_str()) {
                return true;
            }
            if key == "null" {
                return new.is_some_and(|v| v == "True");
            }
            if WIDENING.contains(&key.as_str()) {
                let size = |v: Option<&String>| v.and_then(|v| v.parse::<u64>().ok());
                return matches!((size(new), size(was)), (Some(n), Some(w)) if n >= w);
            }
            false
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn relaxes(old: &str, new: &str) -> bool {
        let (old, new) = (
            Field::parse(old).expect("old"),
            Field::parse(new).expect("new"),
        );
        new.relaxes(&old)
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
