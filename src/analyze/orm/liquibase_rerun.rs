//! When Liquibase runs a changeSet this change touches, shared by the XML, YAML and JSON
//! changelogs and by formatted SQL (`--changeset author:id`). Liquibase keeps a changeSet's
//! identity (author, id, file) and a checksum of its changes in `DATABASECHANGELOG`; a
//! changeSet the base already has is taken to have run, so what matters is whether this
//! change makes it run (again, or somewhere new). Pure: no I/O, no findings.

/// The attributes of one changeSet that decide when it runs.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct RunSettings {
    pub run_always: bool,
    pub run_on_change: bool,
    /// `context`/`contextFilter` and `labels`, lower-cased with spaces squeezed (`None` when
    /// the changeSet has neither, and so runs everywhere).
    pub filter: Option<String>,
    /// Guarded by preConditions with `onFail`/`onError: CONTINUE`: where they fail, Liquibase
    /// skips the changeSet without recording it, and tries again on the next update.
    pub skipped_unrecorded: bool,
}

impl RunSettings {
    /// Settings from the attribute values as written (`true`/`false`, a context expression).
    pub fn from_attributes<'a>(attribute: impl Fn(&str) -> Option<&'a str>) -> RunSettings {
        let yes = |key: &str| attribute(key).is_some_and(|v| v.trim().eq_ignore_ascii_case("true"));
        let squeeze = |v: &str| {
            v.split_whitespace()
                .collect::<Vec<_>>()
                .join(" ")
                .to_lowercase()
        };
        let context = attribute("context").or_else(|| attribute("contextFilter"));
        let parts: Vec<String> = [("context", context), ("labels", attribute("labels"))]
            .into_iter()
            .filter_map(|(k, v)| {
                v.map(squeeze)
                    .filter(|v| !v.is_empty())
                    .map(|v| format!("{k} `{v}`"))
            })
            .collect();
        RunSettings {
            run_always: yes("runAlways"),
            run_on_change: yes("runOnChange"),
            filter: (!parts.is_empty()).then(|| parts.join(", ")),
            skipped_unrecorded: false,
        }
    }
}

/// Whether a head changeSet runs, given the base changeSet of the same identity.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Runs {
    /// No base changeSet has this identity (new, or its id, author or file changed).
    New,
    /// It ran before and runs again, or runs where it was skipped before: the sentence says why.
    Again(String),
    /// It ran before and its changes were edited, so its checksum no longer matches.
    Edited,
    /// Nothing this change does makes it run.
    No,
}

/// `before` is the base changeSet's settings, `changed` whether its changes differ.
pub(crate) fn runs(before: Option<&RunSettings>, head: &RunSettings, changed: bool) -> Runs {
    let Some(before) = before else {
        return Runs::New;
    };
    if head.run_always && (!before.run_always || changed) {
        return Runs::Again(if before.run_always {
            "It is marked runAlways, so Liquibase runs its edited version on every update."
                .to_owned()
        } else {
            "This change marks it runAlways, so Liquibase runs it again on every update, where it had already run.".to_owned()
        });
    }
    if head.run_on_change && changed {
        return Runs::Again(
            "It was already in the changelog, but it is marked runOnChange and its changes were edited, so Liquibase runs it again.".to_owned(),
        );
    }
    // A filter added where there was none only narrows where it runs; a filter changed or
    // removed may select databases (production) that skipped it so far.
    if let Some(old) = &before.filter {
        if before.filter != head.filter {
            let now = head
                .filter
                .as_deref()
                .map_or_else(|| "nothing (every database)".to_owned(), str::to_owned);
            return Runs::Again(format!("It was already in the changelog, but its {old} became {now}, so Liquibase runs it now on databases that skipped it so far."));
        }
    }
    if before.skipped_unrecorded && !head.skipped_unrecorded {
        return Runs::Again("Its preConditions with onFail CONTINUE were removed: Liquibase skipped it without recording it where they failed, so those databases run it now.".to_owned());
    }
    if changed {
        Runs::Edited
    } else {
        Runs::No
    }
}

/// Why every changeSet of a changelog runs again when its file moved (`None` when it did not
/// move, or `logicalFilePath` pins the path Liquibase records): Liquibase identifies a
/// changeSet by its file as well as its author and id.
pub(crate) fn moved(old: &str, new: &str, head: &str) -> Option<String> {
    (old != new && !head.contains("logicalFilePath")).then(|| format!("The changelog moved from {old} to {new}, and Liquibase identifies a changeSet by its file as well as its author and id, so it runs this changeSet again where it already ran; set logicalFilePath to the old path to keep their identity."))
}

/// Appended to the findings an edit adds to a changeSet that already ran.
pub(crate) const EDITED: &str = " This changeSet was already in the changelog and was edited: databases that ran it stop with a checksum error (or, with validCheckSum, skip the edit), while databases that have not run it yet run the edited version. Add a new changeSet instead.";

#[cfg(test)]
mod tests {
    use super::*;

    fn settings(pairs: &[(&'static str, &'static str)]) -> RunSettings {
        RunSettings::from_attributes(|k| pairs.iter().find(|(key, _)| *key == k).map(|(_, v)| *v))
    }

    #[test]
    fn removing_a_continue_precondition_runs_it_where_it_was_skipped() {
        let guarded = RunSettings {
            skipped_unrecorded: true,
            ..RunSettings::default()
        };
        assert!(matches!(
            runs(Some(&guarded), &RunSettings::default(), false),
            Runs::Again(_)
        ));
        assert_eq!(
            runs(Some(&RunSettings::default()), &guarded, false),
            Runs::No
        );
    }

    #[test]
    fn a_moved_changelog_reruns_unless_its_logical_path_is_pinned() {
        assert!(moved("a/x.yaml", "b/x.yaml", "databaseChangeLog: []").is_some());
        assert!(moved(
            "a/x.yaml",
            "b/x.yaml",
            "databaseChangeLog:\n  - logicalFilePath: a/x.yaml"
        )
        .is_none());
        assert!(moved("a/x.yaml", "a/x.yaml", "").is_none());
    }

    #[test]
    fn new_identity_runs_and_an_untouched_change_set_does_not() {
        let plain = settings(&[]);
        assert_eq!(runs(None, &plain, false), Runs::New);
        assert_eq!(runs(Some(&plain), &plain, false), Runs::No);
        assert_eq!(runs(Some(&plain), &plain, true), Runs::Edited);
    }

    #[test]
    fn run_always_added_runs_again_but_already_run_always_unchanged_does_not() {
        let always = settings(&[("runAlways", "true")]);
        assert!(matches!(
            runs(Some(&settings(&[])), &always, false),
            Runs::Again(_)
        ));
        assert_eq!(runs(Some(&always), &always, false), Runs::No);
        assert!(matches!(runs(Some(&always), &always, true), Runs::Again(_)));
    }

    #[test]
    fn a_context_widened_or_removed_runs_again_and_one_added_narrows() {
        let dev = settings(&[("context", "dev")]);
        let prod = settings(&[("context", "dev  or PROD")]);
        let none = settings(&[]);
        assert!(
            matches!(runs(Some(&dev), &prod, false), Runs::Again(m) if m.contains("`dev or prod`"))
        );
        assert!(matches!(runs(Some(&dev), &none, false), Runs::Again(_)));
        assert!(matches!(
            runs(Some(&settings(&[("labels", "sandbox")])), &none, false),
            Runs::Again(_)
        ));
        assert_eq!(runs(Some(&none), &dev, false), Runs::No);
    }
}
