//! autoload: which of a directory's auto-loaded `.tfvars` files sets each input, on each side.
//!
//! Terraform reads `terraform.tfvars`, then `terraform.tfvars.json`, then every
//! `*.auto.tfvars` and `*.auto.tfvars.json` in the lexical order of their names, and a later
//! file's value for a variable replaces an earlier one's whole (objects are not merged). So a
//! new `override.auto.tfvars` that says `deletion_protection = false` turns off what
//! `terraform.tfvars` still says is on, and moving a value from one file to another changes
//! nothing. Judging each file against its own earlier version alone gets both wrong; the
//! value in force before and after is what a run sees.

use super::model::Setting;
use super::vars::{self, Values};
use crate::analyze::FileView;
use crate::change::{RepoPath, Side};

/// Whether Terraform reads the file in every run of its directory, without `-var-file`.
pub(super) fn auto_loaded(path: &RepoPath) -> bool {
    rank(path).is_some()
}

/// Where a file comes in Terraform's loading order: the two `terraform.tfvars` files first,
/// then the `.auto.` ones by name. `None` for a file only `-var-file` reads.
fn rank(path: &RepoPath) -> Option<(u8, String)> {
    let name = path.file_name().to_ascii_lowercase();
    match name.as_str() {
        "terraform.tfvars" => Some((0, String::new())),
        "terraform.tfvars.json" => Some((1, String::new())),
        _ if name.ends_with(".auto.tfvars") || name.ends_with(".auto.tfvars.json") => {
            // Lexical order of the names as written: Terraform sorts them byte-wise.
            Some((2, path.file_name().to_owned()))
        }
        _ => None,
    }
}

/// One side of a directory's auto-loaded files, in loading order, with their values. A file
/// that cannot be read or parsed is left out: its own review reports it.
pub(super) struct Loaded {
    files: Vec<(RepoPath, Values)>,
}

impl Loaded {
    pub(super) fn read(view: &FileView, side: Side, dir: &str) -> Loaded {
        let mut paths: Vec<(RepoPath, (u8, String))> = view
            .snapshot
            .list_dir(side, dir)
            .into_iter()
            .filter_map(|p| rank(&p).map(|r| (p, r)))
            .collect();
        paths.sort_by(|a, b| a.1.cmp(&b.1));
        let files = paths
            .into_iter()
            .filter_map(|(path, _)| {
                let content = view.snapshot.read(side, &path);
                let values = vars::parse(&path, content.text()?).ok()?;
                Some((path, values))
            })
            .collect();
        Loaded { files }
    }

    /// The file whose value for `input` (a variable, or a path inside one: `versioning.enabled`)
    /// is in force: the last file that sets its variable. `None` when no file sets it, so the
    /// variable's default applies. A later file that sets the variable without this path (a
    /// smaller object) still wins, with no value for it.
    pub(super) fn winner(&self, input: &str) -> Option<&(RepoPath, Values)> {
        let variable = vars::variable_of(input);
        self.files.iter().rev().find(|(_, values)| {
            values.contains_key(variable)
                || values
                    .keys()
                    .any(|k| k.strip_prefix(variable).is_some_and(|r| r.starts_with('.')))
        })
    }

    /// The value in force for `input` and the file it comes from: the winner's, when it
    /// gives one.
    pub(super) fn in_force(&self, input: &str) -> Option<(&RepoPath, &Setting)> {
        let (file, values) = self.winner(input)?;
        values.get(input).map(|setting| (file, setting))
    }

    /// The value `file` gives `input` on this side, if it gives one.
    fn value_in(&self, file: &RepoPath, input: &str) -> Option<&Setting> {
        self.files
            .iter()
            .find(|(p, _)| p == file)
            .and_then(|(_, values)| values.get(input))
    }
}

/// Which file a change of the value in force is reported from, so that a value moved
/// between two changed files, or changed in both, yields one finding: the file that holds
/// it now, when its own value changed; else the file that held it before, when its own value
/// changed there (it was removed, and an earlier file or the default takes over).
pub(super) fn reporter<'a>(
    before: &'a Loaded,
    after: &'a Loaded,
    input: &str,
) -> Option<&'a RepoPath> {
    let changed_in =
        |file: &RepoPath| match (before.value_in(file, input), after.value_in(file, input)) {
            (Some(b), Some(a)) => !b.value.same(&a.value),
            (None, None) => false,
            _ => true,
        };
    let now = after.winner(input).map(|(p, _)| p);
    let then = before.winner(input).map(|(p, _)| p);
    now.filter(|p| changed_in(p))
        .or(then.filter(|p| changed_in(p)))
        .or(now)
}
