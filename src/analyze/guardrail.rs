//! guardrail analyzer: changes to the gate itself. Code owners, twokey's own configuration,
//! branch protection and rulesets, and the workflow that runs twokey all decide who must
//! approve a change, so a change to any of them needs the independent approval it would
//! otherwise be able to switch off. Runs on every file.

use super::{FileKind, FileView};
use crate::change::{Content, RepoPath, Side};
use crate::finding::{Finding, Location, RuleId, Severity, Tag};
use crate::rules::Rule;
use crate::yaml::{self, Node};

pub mod apply_gates;
mod branch_pattern;
mod codeowners;
mod protection;

pub const CODEOWNERS_CHANGED: Rule = Rule {
    id: RuleId("guardrail/codeowners-changed"),
    severity: Severity::High,
    tags: &[Tag::Guardrail],
    summary: "The CODEOWNERS file changes (the message names each pattern that no longer requires an owner's review).",
    why: "Code owners decide whose review branch protection requires; editing the file can remove the owners who would have to approve this change or later ones.",
    example: "- /infra/ @org/platform\n+ /infra/ @someone",
    safer: "Change CODEOWNERS in its own pull request, approved by the current owners of the paths it touches.",
};

pub const CONFIG_CHANGED: Rule = Rule {
    id: RuleId("guardrail/config-changed"),
    severity: Severity::High,
    tags: &[Tag::Guardrail],
    summary: "twokey's configuration changes.",
    why: "The configuration decides which changes need a second approval; a change that loosens it could wave itself and later changes through.",
    example: "- mass_deletion_files: 50\n+ mass_deletion_files: 5000",
    safer: "Change the configuration in its own pull request; twokey judges it by the base version, so a human must approve the new rules.",
};

pub const BRANCH_PROTECTION_CHANGED: Rule = Rule {
    id: RuleId("guardrail/branch-protection-changed"),
    severity: Severity::High,
    tags: &[Tag::Guardrail],
    summary: "Branch protection or repository rulesets change (settings.yml, rulesets, Terraform github_* resources).",
    why: "Branch protection is what makes twokey's verdict binding; loosening it lets changes merge without the required approvals. Every change to these files is reported; when twokey can tell what loosens (approvals lowered, code-owner or stale-review or last-push or admin enforcement turned off, a required check such as twokey's dropped, bypass actors added, a branch no longer covered, a ruleset's enforcement lowered, a protection removed), each loosened setting is its own finding at its line.",
    example: "- required_approving_review_count = 2\n+ required_approving_review_count = 0",
    safer: "Change protection settings in a dedicated pull request approved by a repository administrator.",
};

pub const WORKFLOW_CHANGED: Rule = Rule {
    id: RuleId("guardrail/workflow-changed"),
    severity: Severity::High,
    tags: &[Tag::Guardrail],
    summary: "A GitHub workflow that runs twokey changes.",
    why: "Removing the twokey step, letting it fail quietly (`continue-on-error: true`), or changing when it runs turns the gate off for this change and every later one.",
    example: "  - uses: twokey/twokey-action@v1\n+   continue-on-error: true",
    safer: "Change the twokey workflow in its own pull request and keep the twokey job required in branch protection.",
};

pub const RULES: &[&Rule] = &[
    &CODEOWNERS_CHANGED,
    &CONFIG_CHANGED,
    &BRANCH_PROTECTION_CHANGED,
    &WORKFLOW_CHANGED,
];

const CODEOWNERS_PATHS: &[&str] = &["CODEOWNERS", ".github/CODEOWNERS", "docs/CODEOWNERS"];
const CONFIG_PATHS: &[&str] = &[
    ".github/twokey.yml",
    ".github/twokey.yaml",
    ".twokey.yml",
    ".twokey.yaml",
];

fn is_codeowners(path: &str) -> bool {
    CODEOWNERS_PATHS.contains(&path)
}

fn is_config(path: &str) -> bool {
    CONFIG_PATHS.contains(&path)
}

fn is_protection_settings(path: &str) -> bool {
    matches!(path, ".github/settings.yml" | ".github/settings.yaml")
        || path.starts_with(".github/rulesets/")
}

fn is_workflow_path(path: &str) -> bool {
    path.starts_with(".github/workflows/") && (path.ends_with(".yml") || path.ends_with(".yaml"))
}

/// Whether the path is a guardrail file whose kind alone would not get it read: the engine
/// reads such files even though they are not infrastructure.
pub fn watches(path: &RepoPath) -> bool {
    let p = path.as_str();
    is_codeowners(p) || is_config(p) || is_protection_settings(p)
}

pub fn analyze(view: &FileView) -> Vec<Finding> {
    let paths: Vec<&str> = [&view.change.old_path, &view.change.new_path]
        .into_iter()
        .flatten()
        .map(RepoPath::as_str)
        .collect();
    let any_path = |f: fn(&str) -> bool| paths.iter().any(|p| f(p));
    let mut findings = Vec::new();

    if any_path(is_codeowners) {
        findings.push(Finding::new(
            &CODEOWNERS_CHANGED,
            first_change(view),
            format!(
                "{} is {}: this changes whose review is required for this and later pull requests.{}",
                view.path(),
                how_changed(view),
                codeowners_lost(view)
            ),
        ));
    }
    if any_path(is_config) {
        findings.push(Finding::new(
            &CONFIG_CHANGED,
            first_change(view),
            format!(
                "twokey's configuration {} is {}; the base version still governs this pull request, and the new rules apply to later ones once a human approves them here.",
                view.path(),
                how_changed(view)
            ),
        ));
    }
    if any_path(is_protection_settings)
        || view.kind == FileKind::Ruleset
        || declares_protection(view)
    {
        findings.extend(branch_protection(view));
    }
    findings.extend(apply_gates::analyze(view));
    if view.kind == FileKind::Workflow || any_path(is_workflow_path) {
        findings.extend(workflow(view));
    }
    findings
}

/// What the edit stops requiring, as a sentence to append; empty when it takes nothing away
/// (or a side cannot be read).
fn codeowners_lost(view: &FileView) -> String {
    let base = view.old_text().unwrap_or("");
    // Deleted, or renamed to a path GitHub does not read: none of its rules apply any more.
    let still_read = view
        .change
        .new_path
        .as_ref()
        .is_some_and(|p| is_codeowners(p.as_str()));
    let head = if still_read {
        view.new_text()
    } else {
        Some("")
    };
    let Some(head) = head else {
        return String::new();
    };
    let lost = codeowners::losses(base, head, 5);
    if lost.is_empty() {
        String::new()
    } else {
        format!(" It drops required reviews: {}.", lost.join("; "))
    }
}

fn how_changed(view: &FileView) -> &'static str {
    match (&view.change.old_path, &view.change.new_path) {
        (None, _) => "added",
        (_, None) => "deleted",
        (Some(a), Some(b)) if a != b => "renamed",
        _ => "changed",
    }
}

/// The first changed lines, or the whole file when the diff is not known.
fn first_change(view: &FileView) -> Location {
    if view.change.is_deleted() || view.change.new_path.is_none() {
        return view.whole(Side::Base);
    }
    match view.hunks().first() {
        Some(h) if h.new_lines > 0 => {
            view.at(Side::Head, h.new_start, h.new_start + h.new_lines - 1)
        }
        Some(h) if h.old_lines > 0 => {
            view.at(Side::Base, h.old_start, h.old_start + h.old_lines - 1)
        }
        _ => view.whole(Side::Head),
    }
}

/// One finding per setting the change loosens, each at its own line, so that a reviewer
/// sees every loosened requirement on the line that loosens it (a check-run annotation, a
/// row of the comment). A change that loosens nothing twokey can name (a tightening, an
/// unrelated edit, a side it cannot read) is still a finding, with the generic message.
fn branch_protection(view: &FileView) -> Vec<Finding> {
    let path = view.path();
    let loosened: Vec<Finding> = protection::loosenings(view)
        .into_iter()
        .map(|l| {
            Finding::new(
                &BRANCH_PROTECTION_CHANGED,
                view.at(l.side, l.line, l.line),
                format!("{path} loosens branch protection: {}.", l.text),
            )
        })
        .collect();
    if !loosened.is_empty() {
        return loosened;
    }
    vec![Finding::new(
        &BRANCH_PROTECTION_CHANGED,
        first_change(view),
        format!(
            "{path} is {} and governs branch protection or rulesets: it can loosen the approvals required to merge.",
            how_changed(view)
        ),
    )]
}

fn declares_protection(view: &FileView) -> bool {
    view.kind == FileKind::Terraform
        && [view.old_text(), view.new_text()]
            .into_iter()
            .flatten()
            .any(|t| protection::TERRAFORM_TYPES.iter().any(|r| t.contains(r)))
}

fn mentions_twokey_text(text: &str) -> bool {
    text.to_ascii_lowercase().contains("twokey")
}

/// Whether any key or scalar under `node` mentions twokey.
fn mentions(node: &Node) -> bool {
    match &node.value {
        yaml::Value::Scalar(s) => mentions_twokey_text(s),
        yaml::Value::Seq(items) => items.iter().any(mentions),
        yaml::Value::Map(entries) => entries
            .iter()
            .any(|(k, v)| mentions_twokey_text(k) || mentions(v)),
        yaml::Value::Tagged(_, inner) => mentions(inner),
        yaml::Value::Null => false,
    }
}

/// What weakened the gate, with where.
struct Note {
    location: Location,
    text: String,
}

fn workflow(view: &FileView) -> Option<Finding> {
    let old = view.old_text();
    let new = view.new_text();
    if ![old, new].into_iter().flatten().any(mentions_twokey_text) {
        return None;
    }
    let path = view.path();
    let message = |detail: &str| {
        format!("Workflow {path} runs twokey and is {}{detail}; a change to it can switch the gate off.", how_changed(view))
    };
    if new.is_none() && view.change.new_path.is_none() {
        return Some(Finding::new(
            &WORKFLOW_CHANGED,
            view.whole(Side::Base),
            message(": twokey no longer runs from it"),
        ));
    }
    // `Some(None)`: the side does not exist; `None`: it exists but cannot be read as YAML.
    let parse = |content: &Content| -> Option<Option<Node>> {
        match content {
            Content::Absent => Some(None),
            Content::Text(t) => yaml::parse_documents(t)
                .ok()
                .map(|docs| docs.into_iter().next()),
            _ => None,
        }
    };
    let notes = match (parse(view.old), parse(view.new)) {
        (Some(base), Some(head)) => compare_workflows(view, base.as_ref(), head.as_ref()),
        // Either side failed to parse: the text search above is all there is.
        _ => Vec::new(),
    };
    let Some(first) = notes.first() else {
        return Some(Finding::new(
            &WORKFLOW_CHANGED,
            first_change(view),
            message(""),
        ));
    };
    let details: Vec<&str> = notes.iter().map(|n| n.text.as_str()).collect();
    Some(Finding::new(
        &WORKFLOW_CHANGED,
        first.location.clone(),
        message(&format!(": {}", details.join("; "))),
    ))
}

fn truthy(node: Option<&Node>) -> bool {
    // An expression such as `${{ matrix.experimental }}` may be true, so anything but an
    // explicit false counts.
    node.is_some_and(|n| !n.is_null() && n.as_str() != Some("false"))
}

fn step_key(step: &Node) -> Option<&str> {
    ["id", "name", "uses", "run"]
        .iter()
        .find_map(|k| step.get(k).and_then(Node::as_str))
}

fn step_label(step: &Node) -> String {
    step_key(step)
        .map(|k| format!("`{}`", k.lines().next().unwrap_or(k)))
        .unwrap_or_else(|| format!("at line {}", step.line))
}

fn compare_workflows(view: &FileView, base: Option<&Node>, head: Option<&Node>) -> Vec<Note> {
    let mut notes = Vec::new();
    let empty = Node {
        line: 1,
        end_line: 1,
        value: yaml::Value::Null,
    };
    let base = base.unwrap_or(&empty);
    let head = head.unwrap_or(&empty);
    let base_jobs = base.get("jobs").map(Node::as_map).unwrap_or(&[]);
    let head_jobs = head.get("jobs").map(Node::as_map).unwrap_or(&[]);

    for (id, base_job) in base_jobs.iter().filter(|(_, j)| mentions(j)) {
        let Some(head_job) = head_jobs.iter().find(|(k, _)| k == id).map(|(_, j)| j) else {
            notes.push(Note {
                location: view.at(Side::Base, base_job.line, base_job.end_line),
                text: format!("the job `{id}` that runs twokey was removed"),
            });
            continue;
        };
        let base_steps: Vec<&Node> = steps(base_job).filter(|s| mentions(s)).collect();
        let head_steps: Vec<&Node> = steps(head_job).filter(|s| mentions(s)).collect();
        if !mentions(head_job) || (!base_steps.is_empty() && head_steps.is_empty()) {
            let (line, end, what) = match base_steps.first() {
                Some(s) => (
                    s.line,
                    s.end_line,
                    format!(
                        "the twokey step {} was removed from job `{id}`",
                        step_label(s)
                    ),
                ),
                None => (
                    base_job.line,
                    base_job.end_line,
                    format!("job `{id}` no longer runs twokey"),
                ),
            };
            notes.push(Note {
                location: view.at(Side::Base, line, end),
                text: what,
            });
        }
        let (base_coe, head_coe) = (
            base_job.get("continue-on-error"),
            head_job.get("continue-on-error"),
        );
        if truthy(head_coe) && !truthy(base_coe) {
            let n = head_coe.map_or(head_job.line, |n| n.line);
            notes.push(Note {
                location: view.at(Side::Head, n, n),
                text: format!("`continue-on-error: true` was added to job `{id}`, so its failure no longer fails the check"),
            });
        }
        if let Some(n) = changed_condition(base_job, head_job) {
            notes.push(Note {
                location: view.at(Side::Head, n, n),
                text: format!("the `if:` condition of job `{id}` changed, which can skip it"),
            });
        }
        for step in &head_steps {
            let before = base_steps.iter().find(|b| step_key(b) == step_key(step));
            let coe = step.get("continue-on-error");
            if truthy(coe) && !before.is_some_and(|b| truthy(b.get("continue-on-error"))) {
                let n = coe.map_or(step.line, |n| n.line);
                notes.push(Note {
                    location: view.at(Side::Head, n, n),
                    text: format!("`continue-on-error: true` was added to the twokey step {} in job `{id}`, so its failure no longer fails the job", step_label(step)),
                });
            }
            if let Some(n) = before.and_then(|b| changed_condition(b, step)) {
                notes.push(Note {
                    location: view.at(Side::Head, n, n),
                    text: format!(
                        "the `if:` condition of the twokey step {} changed, which can skip it",
                        step_label(step)
                    ),
                });
            }
        }
    }
    if mentions(base) {
        if let (Some(b), Some(h)) = (base.get("on"), head.get("on")) {
            if !b.same_value(h) {
                notes.push(Note {
                    location: view.at(Side::Head, h.line, h.end_line),
                    text:
                        "its triggers (`on:`) changed, which can stop it running on pull requests"
                            .to_owned(),
                });
            }
        }
    }
    notes
}

fn steps(job: &Node) -> impl Iterator<Item = &Node> {
    job.get("steps").map(Node::as_seq).unwrap_or(&[]).iter()
}

/// The head line of an `if:` that is new or different.
fn changed_condition(base: &Node, head: &Node) -> Option<u32> {
    let h = head.get("if")?;
    match base.get("if") {
        Some(b) if b.same_value(h) => None,
        _ => Some(h.line),
    }
}

#[cfg(test)]
mod tests {
    use super::super::files::testkit::{ids, Case};
    use super::*;

    const WORKFLOW: &str = "\
name: gate
on: [pull_request]
jobs:
  build:
    runs-on: ubuntu-latest
    steps:
      - run: make test
  gate:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
      - name: twokey
        uses: twokey/twokey-action@v1
";

    fn run(case: Case) -> Vec<Finding> {
        case.run(analyze)
    }

    #[test]
    fn any_edit_to_codeowners_is_a_guardrail_finding() {
        for path in ["CODEOWNERS", ".github/CODEOWNERS", "docs/CODEOWNERS"] {
            let f = run(
                Case::modified(path, "/infra/ @org/platform\n", "/infra/ @me\n")
                    .with_hunk(1, 1, 1, 1),
            );
            assert_eq!(ids(&f), ["guardrail/codeowners-changed"], "{path}");
            assert_eq!(f[0].location.line, Some(1));
            assert_eq!(f[0].tags, [Tag::Guardrail]);
            assert_eq!(f[0].severity, Severity::High);
            assert!(
                f[0].message.contains(
                    "It drops required reviews: `/infra/` no longer requires @org/platform."
                ),
                "{}",
                f[0].message
            );
        }
        // Adding an owner takes nothing away, and says nothing more.
        let f = run(Case::modified(
            "CODEOWNERS",
            "/infra/ @org/platform\n",
            "/infra/ @org/platform @me\n",
        ));
        assert_eq!(ids(&f), ["guardrail/codeowners-changed"]);
        assert!(!f[0].message.contains("drops"), "{}", f[0].message);
    }

    #[test]
    fn renaming_codeowners_away_is_a_guardrail_finding() {
        let f = run(Case::renamed(
            ".github/CODEOWNERS",
            "OLD_CODEOWNERS",
            "* @a\n",
            "* @a\n",
        ));
        assert_eq!(ids(&f), ["guardrail/codeowners-changed"]);
        assert!(f[0].message.contains("renamed"), "{}", f[0].message);
        assert!(
            f[0].message.contains("`*` no longer requires @a"),
            "{}",
            f[0].message
        );
    }

    #[test]
    fn a_file_merely_named_like_codeowners_elsewhere_is_not_one() {
        let f = run(Case::modified("src/CODEOWNERS.md", "a\n", "b\n"));
        assert!(f.is_empty(), "{f:?}");
    }

    #[test]
    fn twokey_config_change_says_the_base_version_governs() {
        for path in [".github/twokey.yml", ".github/twokey.yaml", ".twokey.yml"] {
            let f = run(Case::modified(
                path,
                "mass_deletion_files: 50\n",
                "mass_deletion_files: 5000\n",
            ));
            assert_eq!(ids(&f), ["guardrail/config-changed"], "{path}");
            assert!(
                f[0].message.contains("base version still governs"),
                "{}",
                f[0].message
            );
        }
    }

    #[test]
    fn deleting_the_twokey_config_is_a_guardrail_finding_on_the_base() {
        let f = run(Case::deleted(".github/twokey.yml", "a: 1\n"));
        assert_eq!(ids(&f), ["guardrail/config-changed"]);
        assert_eq!(f[0].location.side, Side::Base);
    }

    #[test]
    fn other_config_files_are_not_twokey_config() {
        assert!(run(Case::modified(".github/dependabot.yml", "a: 1\n", "a: 2\n")).is_empty());
    }

    #[test]
    fn settings_and_rulesets_are_branch_protection() {
        for path in [".github/settings.yml", ".github/rulesets/main.json"] {
            let f = run(Case::modified(path, "{}\n", "{\"x\": 1}\n"));
            assert_eq!(ids(&f), ["guardrail/branch-protection-changed"], "{path}");
        }
    }

    #[test]
    fn terraform_declaring_branch_protection_on_either_side_is_branch_protection() {
        let protected = "resource \"github_branch_protection\" \"main\" {\n  pattern = \"main\"\n  required_pull_request_reviews {\n    required_approving_review_count = 2\n  }\n}\n";
        let f = run(Case::deleted("github/repo.tf", protected));
        assert_eq!(ids(&f), ["guardrail/branch-protection-changed"]);
        let ruleset = "resource \"github_repository_ruleset\" \"r\" {\n  name = \"x\"\n}\n";
        let f = run(Case::modified(
            "github/repo.tf",
            ruleset,
            &ruleset.replace("\"x\"", "\"y\""),
        ));
        assert_eq!(ids(&f), ["guardrail/branch-protection-changed"]);
    }

    #[test]
    fn terraform_without_github_protection_is_not_a_guardrail() {
        let tf = "resource \"github_repository\" \"r\" {\n  name = \"x\"\n}\n";
        assert!(run(Case::modified(
            "github/repo.tf",
            tf,
            &tf.replace("\"x\"", "\"y\"")
        ))
        .is_empty());
    }

    #[test]
    fn protection_words_in_a_non_terraform_file_are_not_a_guardrail() {
        let f = run(Case::modified(
            "docs/github.md",
            "github_branch_protection\n",
            "x\n",
        ));
        assert!(f.is_empty(), "{f:?}");
    }

    #[test]
    fn removing_the_twokey_step_is_reported_at_its_base_line() {
        let head = WORKFLOW.replace(
            "      - name: twokey\n        uses: twokey/twokey-action@v1\n",
            "      - run: echo ok\n",
        );
        let f = run(Case::modified(
            ".github/workflows/gate.yml",
            WORKFLOW,
            &head,
        ));
        assert_eq!(ids(&f), ["guardrail/workflow-changed"]);
        assert!(
            f[0].message
                .contains("twokey step `twokey` was removed from job `gate`"),
            "{}",
            f[0].message
        );
        assert_eq!(f[0].location.side, Side::Base);
        assert_eq!(f[0].location.line, Some(12));
    }

    #[test]
    fn removing_the_twokey_job_is_reported() {
        let head = WORKFLOW
            .split("  gate:")
            .next()
            .unwrap_or_default()
            .to_owned();
        let f = run(Case::modified(
            ".github/workflows/gate.yml",
            WORKFLOW,
            &head,
        ));
        assert_eq!(ids(&f), ["guardrail/workflow-changed"]);
        assert!(
            f[0].message
                .contains("job `gate` that runs twokey was removed"),
            "{}",
            f[0].message
        );
        assert_eq!(f[0].location.line, Some(9));
    }

    #[test]
    fn continue_on_error_on_the_twokey_step_is_reported_at_its_line() {
        let head = WORKFLOW.replace(
            "        uses: twokey/twokey-action@v1\n",
            "        uses: twokey/twokey-action@v1\n        continue-on-error: true\n",
        );
        let f = run(Case::modified(
            ".github/workflows/gate.yml",
            WORKFLOW,
            &head,
        ));
        assert_eq!(ids(&f), ["guardrail/workflow-changed"]);
        assert!(
            f[0].message
                .contains("`continue-on-error: true` was added to the twokey step"),
            "{}",
            f[0].message
        );
        assert_eq!(
            (f[0].location.side, f[0].location.line),
            (Side::Head, Some(14))
        );
    }

    #[test]
    fn continue_on_error_on_the_twokey_job_is_reported() {
        let head = WORKFLOW.replace("  gate:\n", "  gate:\n    continue-on-error: true\n");
        let f = run(Case::modified(
            ".github/workflows/gate.yml",
            WORKFLOW,
            &head,
        ));
        assert!(
            f[0].message.contains("added to job `gate`"),
            "{}",
            f[0].message
        );
    }

    #[test]
    fn unrelated_edit_to_the_twokey_workflow_is_still_reported_at_the_first_change() {
        let head = WORKFLOW.replace("make test", "make test-all");
        let f = run(
            Case::modified(".github/workflows/gate.yml", WORKFLOW, &head).with_hunk(7, 1, 7, 1),
        );
        assert_eq!(ids(&f), ["guardrail/workflow-changed"]);
        assert_eq!(f[0].location.line, Some(7));
        assert!(!f[0].message.contains("removed"), "{}", f[0].message);
    }

    #[test]
    fn changing_the_triggers_of_the_twokey_workflow_is_named() {
        let head = WORKFLOW.replace("on: [pull_request]", "on: [workflow_dispatch]");
        let f = run(Case::modified(
            ".github/workflows/gate.yml",
            WORKFLOW,
            &head,
        ));
        assert!(f[0].message.contains("triggers"), "{}", f[0].message);
    }

    #[test]
    fn deleting_the_twokey_workflow_is_reported_on_the_base() {
        let f = run(Case::deleted(".github/workflows/gate.yml", WORKFLOW));
        assert_eq!(ids(&f), ["guardrail/workflow-changed"]);
        assert_eq!(f[0].location.side, Side::Base);
        assert!(f[0].message.contains("deleted"), "{}", f[0].message);
    }

    #[test]
    fn an_unreadable_head_is_not_mistaken_for_a_removed_job() {
        let f = run(Case::modified(".github/workflows/gate.yml", WORKFLOW, "")
            .with_content(Side::Head, crate::change::Content::TooLarge(9_000_000))
            .with_hunk(3, 1, 3, 1));
        assert_eq!(ids(&f), ["guardrail/workflow-changed"]);
        assert!(!f[0].message.contains("removed"), "{}", f[0].message);
        assert_eq!(f[0].location.line, Some(3));
    }

    #[test]
    fn unparseable_twokey_workflow_falls_back_to_the_text_search() {
        let f = run(Case::modified(
            ".github/workflows/gate.yml",
            WORKFLOW,
            "jobs: [twokey\n",
        ));
        assert_eq!(ids(&f), ["guardrail/workflow-changed"]);
    }

    #[test]
    fn workflows_that_never_mention_twokey_are_not_guardrails() {
        let wf = "on: push\njobs:\n  a:\n    runs-on: x\n    steps:\n      - run: make\n";
        let f = run(Case::modified(
            ".github/workflows/ci.yml",
            wf,
            &wf.replace("make", "make all"),
        ));
        assert!(f.is_empty(), "{f:?}");
    }

    #[test]
    fn watched_paths_are_the_guardrail_files_classification_would_skip() {
        assert!(watches(&RepoPath::new("CODEOWNERS")));
        assert!(watches(&RepoPath::new(".github/twokey.yml")));
        assert!(watches(&RepoPath::new(".github/rulesets/main.json")));
        assert!(!watches(&RepoPath::new("src/lib.rs")));
    }
}
