//! carried: destructive commands a change carries from one hand-run file to another. A
//! Makefile turned into a Taskfile, or a script renamed past git's rename detection, deletes
//! one file and adds the other; compared file by file, every `terraform destroy` of the new
//! file looks added. This module counts, across the change, the destructive commands of the
//! hand-run files (build files and shell scripts) it deletes and of those it adds, so the
//! commands analyzer can tell a command that only changed files from one that is new.
//!
//! Only hand-run files trade commands: a destroy moved from a Makefile target into a CI
//! workflow now runs with nobody watching, and stays new. An identity counts as carried only
//! when the added files hold no more copies of it than the deleted ones held, so one destroy
//! cannot become two; the answer does not depend on which file asks first.

use super::{side_commands, FileKind, FileView};
use crate::change::{Content, Side};
use std::collections::{HashMap, HashSet};

/// The keys of commands the change's added hand-run files take over from its deleted ones.
#[derive(Debug, Default)]
pub(crate) struct Carried(HashSet<String>);

impl Carried {
    pub(crate) fn contains(&self, key: &str) -> bool {
        self.0.contains(key)
    }

    /// Reads the change's added and deleted hand-run files (each once per run).
    fn build(view: &FileView) -> Carried {
        let mut gone: HashMap<String, usize> = HashMap::new();
        let mut added: HashMap<String, usize> = HashMap::new();
        for path in view.memo.changed_paths() {
            let base = view.snapshot.read(Side::Base, path);
            let head = view.snapshot.read(Side::Head, path);
            let (side, text, counts) = match (&base, &head) {
                (Content::Text(text), Content::Absent) => (Side::Base, text, &mut gone),
                (Content::Absent, Content::Text(text)) => (Side::Head, text, &mut added),
                _ => continue,
            };
            let kind = super::super::classify(path, Some(text));
            if !hand_run(kind) {
                continue;
            }
            for hit in side_commands(kind, path, text, side).hits {
                *counts.entry(key(&hit.hit.identity)).or_default() += 1;
            }
        }
        Carried(
            added
                .into_iter()
                .filter(|(k, n)| gone.get(k).is_some_and(|g| n <= g))
                .map(|(k, _)| k)
                .collect(),
        )
    }
}

/// The carried commands of the view's change, built by the first file that asks.
pub(crate) fn of_change(view: &FileView) -> std::sync::Arc<Carried> {
    std::sync::Arc::clone(
        view.memo
            .commands_carried
            .get_or_init(|| std::sync::Arc::new(Carried::build(view))),
    )
}

/// Files a person (or a caller the change leaves alone) runs by name.
pub(crate) fn hand_run(kind: FileKind) -> bool {
    matches!(kind, FileKind::BuildScript | FileKind::Shell)
}

/// A command's identity with its variable references spelled one way: `$(ENV)` (make),
/// `{{.ENV}}` (go-task), `$ENV` and `${ENV}` (shell) all become `${ENV}`, so the same
/// command written for another runner keeps its key. The variable's name is kept.
pub(crate) fn key(identity: &str) -> String {
    let mut out = String::with_capacity(identity.len());
    let mut rest = identity;
    while let Some(at) = rest.find(['$', '{']) {
        out.push_str(&rest[..at]);
        let tail = &rest[at..];
        let (name, used) = variable(tail).unwrap_or(("", 0));
        if used == 0 {
            // Not a reference: keep the character and go on.
            let c = tail.chars().next().map_or(1, char::len_utf8);
            out.push_str(&tail[..c]);
            rest = &tail[c..];
        } else {
            out.push_str("${");
            out.push_str(name);
            out.push('}');
            rest = &tail[used..];
        }
    }
    out.push_str(rest);
    out
}

/// The identifier `s` starts with (letters, digits, `_`), if any.
fn ident(s: &str) -> Option<&str> {
    let n = s
        .char_indices()
        .find(|(_, c)| !(c.is_ascii_alphanumeric() || *c == '_'))
        .map_or(s.len(), |(i, _)| i);
    (n > 0).then(|| &s[..n])
}

/// The name of the variable reference `text` starts with, and its length in bytes.
fn variable(text: &str) -> Option<(&str, usize)> {
    for (open, close) in [("$(", ")"), ("${", "}"), ("{{.", "}}"), ("{{ .", " }}")] {
        if let Some(inner) = text.strip_prefix(open) {
            let name = ident(inner)?;
            let after = inner[name.len()..].strip_prefix(close)?;
            return Some((name, text.len() - after.len()));
        }
    }
    let name = ident(text.strip_prefix('$')?)?;
    Some((name, 1 + name.len()))
}

#[cfg(test)]
mod tests {
    use super::key;

    #[test]
    fn a_variable_reads_the_same_in_make_task_and_shell() {
        let make = key("terraform -chdir=envs/$(ENV) destroy");
        for other in [
            "terraform -chdir=envs/{{.ENV}} destroy",
            "terraform -chdir=envs/{{ .ENV }} destroy",
            "terraform -chdir=envs/$ENV destroy",
            "terraform -chdir=envs/${ENV} destroy",
        ] {
            assert_eq!(key(other), make, "{other}");
        }
        assert_ne!(key("terraform -chdir=envs/$(PROD) destroy"), make);
        assert_eq!(key("price: $ 5 {x}"), "price: $ 5 {x}");
    }
}
