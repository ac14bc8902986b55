//! rules: the catalogue behind `twokey rules` and `twokey explain`, and the one place a
//! finding's default severity and tags come from. Each analyzer module declares its own
//! rules as `pub const` [`Rule`] values and lists them in its `RULES` slice; this module
//! only gathers them, so the catalogue, the README and the code cannot drift apart.

use crate::finding::{RuleId, Severity, Tag};

/// A rule's documentation, in the three parts a reviewer needs.
#[derive(Debug, Clone, Copy)]
pub struct Rule {
    pub id: RuleId,
    pub severity: Severity,
    pub tags: &'static [Tag],
    /// One line: what it catches.
    pub summary: &'static str,
    /// Why this destroys something (or weakens the gate).
    pub why: &'static str,
    /// A before/after example that triggers it.
    pub example: &'static str,
    /// The safer way to get the same result.
    pub safer: &'static str,
}

/// Every rule twokey knows, ordered by id.
pub fn catalogue() -> Vec<&'static Rule> {
    let mut all: Vec<&'static Rule> = [
        crate::analyze::files::RULES,
        crate::analyze::terraform::RULES,
        crate::analyze::terraform::terragrunt::RULES,
        crate::analyze::terraform::stacks::RULES,
        crate::analyze::plan::RULES,
        crate::analyze::sql::RULES,
        crate::analyze::kubernetes::RULES,
        crate::analyze::kubernetes::settings::RULES,
        crate::analyze::kubernetes::gitops::RULES,
        crate::analyze::kubernetes::helmfile::RULES,
        crate::analyze::kubernetes::load_balancer::RULES,
        crate::analyze::kubernetes::conditional::RULES,
        crate::analyze::kubernetes::packaging::RULES,
        crate::analyze::kubernetes::chart_bumps::RULES,
        crate::analyze::kubernetes::database_images::RULES,
        crate::analyze::cloudformation::RULES,
        crate::analyze::cloudformation::serverless::RULES,
        crate::analyze::pulumi::RULES,
        crate::analyze::iac_program::RULES,
        crate::analyze::ansible::RULES,
        crate::analyze::appdata::RULES,
        crate::analyze::compose::RULES,
        crate::analyze::nomad::RULES,
        crate::analyze::commands::RULES,
        crate::analyze::guardrail::RULES,
        crate::analyze::guardrail::apply_gates::RULES,
        crate::analyze::safeguards::RULES,
        crate::suppress::RULES,
    ]
    .into_iter()
    .flatten()
    .copied()
    .collect();
    all.sort_by_key(|r| r.id);
    all
}

/// Looks a rule up by id.
pub fn find(id: &str) -> Option<&'static Rule> {
    catalogue().into_iter().find(|r| r.id.as_str() == id)
}

/// The catalogue as a Markdown table: `twokey rules --format markdown`, and the README's table
/// (a test keeps the two identical).
pub fn markdown_table() -> String {
    let mut s = String::from(
        "| Rule | Severity | Tags | What it catches | Safer way |\n|---|---|---|---|---|\n",
    );
    for r in catalogue() {
        let tags: Vec<&str> = r.tags.iter().map(|t| t.as_str()).collect();
        s.push_str(&format!(
            "| `{}` | {} | {} | {} | {} |\n",
            r.id,
            r.severity,
            tags.join(", "),
            r.summary.replace('|', "\\|"),
            r.safer.replace('|', "\\|").replace('\n', " ")
        ));
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_readme_lists_the_catalogue_as_the_code_has_it() {
        let readme = include_str!("../README.md");
        let start = readme
            .find("<!-- rules:start -->\n")
            .expect("rules:start marker")
            + "<!-- rules:start -->\n".len();
        let end = readme.find("<!-- rules:end -->").expect("rules:end marker");
        assert_eq!(
            &readme[start..end],
            markdown_table(),
            "README's rule table is stale: regenerate it with `cargo run -- rules --format markdown`"
        );
    }

    #[test]
    fn ids_are_unique_namespaced_and_documented() {
        let all = catalogue();
        let mut seen = std::collections::BTreeSet::new();
        for r in &all {
            assert!(seen.insert(r.id), "duplicate rule id {}", r.id);
            let (eco, what) = r.id.as_str().split_once('/').expect("namespaced id");
            assert!(
                [
                    "git",
                    "terraform",
                    "terragrunt",
                    "sql",
                    "orm",
                    "kubernetes",
                    "cloudformation",
                    "serverless",
                    "pulumi",
                    "cdk",
                    "sst",
                    "amplify",
                    "ansible",
                    "compose",
                    "nomad",
                    "shell",
                    "workflow",
                    "guardrail"
                ]
                .contains(&eco),
                "unknown ecosystem in {}",
                r.id
            );
            assert!(what
                .chars()
                .all(|c| c.is_ascii_lowercase() || c == '-' || c.is_ascii_digit()));
            assert!(
                !r.summary.is_empty()
                    && !r.why.is_empty()
                    && !r.example.is_empty()
                    && !r.safer.is_empty(),
                "{} is undocumented",
                r.id
            );
            assert!(!r.tags.is_empty(), "{} has no tags", r.id);
        }
    }
}
