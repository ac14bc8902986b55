//! tofu_override: OpenTofu's `.tofu` files override the `.tf` file of the same name. When
//! `main.tofu` and `main.tf` sit side by side OpenTofu reads only `main.tofu` (Terraform,
//! which ignores `.tofu` files, reads only `main.tf`), so adding `main.tofu` hides `main.tf`
//! from OpenTofu and deleting it brings `main.tf` back. The two are judged as one slot: the
//! `.tf` file stands for the side where the `.tofu` file is absent, and a hidden `.tf` file
//! declares nothing for OpenTofu. Owns only the pairing; judging is the analyzer's.

use crate::change::RepoPath;

/// How the reviewed file pairs with a `.tf` file of the same name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum Pairing {
    /// No `.tf` partner on the side where the file is absent: judged alone.
    Alone,
    /// A `.tofu` file added beside this `.tf` file, which OpenTofu stops reading.
    Hides(RepoPath),
    /// A `.tofu` file deleted while this `.tf` file stays, which OpenTofu reads again.
    Restores(RepoPath),
}

/// `main.tf` for `main.tofu`, `main.tf.json` for `main.tofu.json`; `None` for anything else.
pub(super) fn partner(path: &RepoPath) -> Option<RepoPath> {
    let p = path.as_str();
    let lower = p.to_ascii_lowercase();
    let (suffix, tf) = if lower.ends_with(".tofu.json") {
        (".tofu.json", ".tf.json")
    } else if lower.ends_with(".tofu") {
        (".tofu", ".tf")
    } else {
        return None;
    };
    let stem = p
        .get(..p.len() - suffix.len())
        .filter(|s| !s.is_empty() && !s.ends_with('/'))?;
    Some(RepoPath::new(format!("{stem}{tf}")))
}

/// Whether `path` is a `.tf` file that a `.tofu` file of the same name in `listing` (its
/// directory on one side) hides from OpenTofu.
pub(super) fn shadowed(path: &RepoPath, listing: &[RepoPath]) -> bool {
    listing
        .iter()
        .any(|other| partner(other).is_some_and(|tf| tf == *path))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(s: &str) -> RepoPath {
        RepoPath::new(s)
    }

    #[test]
    fn a_tofu_file_pairs_with_the_tf_file_of_the_same_name() {
        assert_eq!(partner(&p("infra/main.tofu")), Some(p("infra/main.tf")));
        assert_eq!(partner(&p("vars.tofu.json")), Some(p("vars.tf.json")));
        assert_eq!(partner(&p("infra/main.tf")), None);
        assert_eq!(partner(&p("infra/.tofu")), None);
    }

    #[test]
    fn only_the_same_name_is_hidden() {
        let listing = [p("infra/main.tofu"), p("infra/main.tf"), p("infra/db.tf")];
        assert!(shadowed(&p("infra/main.tf"), &listing));
        assert!(!shadowed(&p("infra/db.tf"), &listing));
    }
}
