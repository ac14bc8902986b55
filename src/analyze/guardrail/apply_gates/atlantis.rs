//! atlantis: what an edit to Atlantis' configuration loosens. The repository's
//! `atlantis.yaml` sets requirements per project; the server's `repos.yaml` sets them per
//! repository `id`, and also decides what a repository may override and whether it may bring
//! its own workflows. A custom workflow's `run:` steps are commands, read by the commands
//! analyzer (a destroy or an `-auto-approve` there is its finding, not this module's).

use super::{words, yaml_bool, yaml_sides, Loosening};
use crate::change::Side;
use crate::yaml::Node;

/// The requirements Atlantis checks before a command, and what losing each one allows.
const REQUIREMENTS: &[(&str, &str)] = &[
    ("approved", "a pull request nobody else has approved"),
    (
        "mergeable",
        "a pull request that branch protection would not let merge",
    ),
    (
        "undiverged",
        "a branch that is behind the base, undoing changes applied since",
    ),
    (
        "policies_passed",
        "a plan that failed its conftest policies",
    ),
];

/// The requirement lists, per command.
const REQUIREMENT_KEYS: &[(&str, &str)] = &[
    ("apply_requirements", "apply"),
    ("plan_requirements", "plan"),
    ("import_requirements", "import"),
];

/// Server settings a repository must not be allowed to override without review: each lets
/// the repository's own `atlantis.yaml`, edited in the pull request, drop a requirement.
const GATE_OVERRIDES: &[&str] = &[
    "apply_requirements",
    "plan_requirements",
    "import_requirements",
    "policy_check",
    "custom_policy_check",
];

/// One project (repository config) or one repository entry (server config).
struct Scope<'a> {
    key: String,
    label: String,
    node: &'a Node,
}

fn scopes(docs: &[Node], server: bool) -> Vec<Scope<'_>> {
    let mut out = Vec::new();
    for doc in docs {
        let list = if server { "repos" } else { "projects" };
        for item in doc.get(list).map(Node::as_seq).unwrap_or(&[]) {
            let text = |k: &str| item.get(k).and_then(Node::as_str).unwrap_or("");
            let (key, label) = if server {
                let id = text("id");
                if id.is_empty() {
                    continue;
                }
                (id.to_owned(), format!("repositories `{id}`"))
            } else if !text("dir").is_empty() {
                // Atlantis runs a project by directory and workspace; the name is a label.
                let ws = match text("workspace") {
                    "" => "default",
                    w => w,
                };
                (
                    format!("{}\u{0}{ws}", text("dir")),
                    format!("project `{}`", first_nonempty(text("name"), text("dir"))),
                )
            } else {
                (
                    format!("\u{1}{}", text("name")),
                    format!("project `{}`", text("name")),
                )
            };
            out.push(Scope {
                key,
                label,
                node: item,
            });
        }
    }
    out
}

fn first_nonempty<'a>(a: &'a str, b: &'a str) -> &'a str {
    if a.is_empty() {
        b
    } else {
        a
    }
}

/// The head line of `key` in `head`, else the base line of `key` in `base`, else the scope.
fn line_of(base: &Node, head: &Node, key: &str) -> (Side, u32) {
    match (head.get(key), base.get(key)) {
        (Some(h), _) => (Side::Head, h.line),
        (None, Some(b)) => (Side::Base, b.line),
        (None, None) => (Side::Head, head.line),
    }
}

pub fn loosenings(view: &crate::analyze::FileView, server: bool) -> Vec<Loosening> {
    let Some((base_docs, head_docs)) = yaml_sides(view) else {
        return Vec::new();
    };
    let base = scopes(&base_docs, server);
    let head = scopes(&head_docs, server);
    let mut out = Vec::new();
    // The whole file is gone: what it required no longer applies anywhere (the server's
    // defaults, or Atlantis' own, decide from now on).
    if matches!(view.new, crate::change::Content::Absent) {
        for b in &base {
            for (key, command) in REQUIREMENT_KEYS {
                if let Some(n) = b.node.get(key).filter(|n| !words(Some(n)).is_empty()) {
                    out.push(Loosening::at(
                        Side::Base,
                        n.line,
                        format!(
                            "the file is deleted, so {} no longer requires {} before `atlantis {command}`",
                            b.label,
                            quoted(&words(Some(n)).iter().map(String::as_str).collect::<Vec<_>>())
                        ),
                    ));
                }
            }
        }
        return out;
    }
    for b in &base {
        // A project or repository entry that is gone is not judged here: the project may
        // have moved or been retired; the file's own deletion is reported by the files analyzer.
        let Some(h) = head.iter().find(|h| h.key == b.key) else {
            continue;
        };
        compare(b, h, server, &mut out);
    }
    out
}

fn compare(b: &Scope, h: &Scope, server: bool, out: &mut Vec<Loosening>) {
    for (key, command) in REQUIREMENT_KEYS {
        let was = words(b.node.get(key));
        let now = words(h.node.get(key));
        let lost: Vec<&str> = REQUIREMENTS
            .iter()
            .filter(|(r, _)| was.iter().any(|w| w == r) && !now.iter().any(|w| w == r))
            .map(|(r, _)| *r)
            .collect();
        if lost.is_empty() {
            continue;
        }
        let allows: Vec<&str> = REQUIREMENTS
            .iter()
            .filter(|(r, _)| lost.contains(r))
            .map(|(_, a)| *a)
            .collect();
        let (side, line) = line_of(b.node, h.node, key);
        let gone = if h.node.get(key).is_none() {
            format!(
                " (`{key}` is removed, so {} decides)",
                if server {
                    "Atlantis' default"
                } else {
                    "the server's setting"
                }
            )
        } else {
            String::new()
        };
        out.push(Loosening::at(
            side,
            line,
            format!(
                "{} no longer requires {} before `atlantis {command}`{gone}: it can now {command} {}",
                h.label,
                quoted(&lost),
                allows.join(", or ")
            ),
        ));
    }
    if !server {
        return;
    }
    let was = words(b.node.get("allowed_overrides"));
    let now = words(h.node.get("allowed_overrides"));
    let widened: Vec<&str> = GATE_OVERRIDES
        .iter()
        .copied()
        .filter(|k| now.iter().any(|w| w == k) && !was.iter().any(|w| w == k))
        .collect();
    if !widened.is_empty() {
        let (side, line) = line_of(b.node, h.node, "allowed_overrides");
        out.push(Loosening::at(
            side,
            line,
            format!(
                "{} may now override {} from their own `atlantis.yaml`, so a pull request can drop its own requirements",
                h.label,
                quoted(&widened)
            ),
        ));
    }
    if switched_on(b.node, h.node, "allow_custom_workflows") {
        let (side, line) = line_of(b.node, h.node, "allow_custom_workflows");
        out.push(Loosening::at(
            side,
            line,
            format!(
                "{} may now define custom workflows, so a pull request's `atlantis.yaml` decides which commands plan and apply run",
                h.label
            ),
        ));
    }
    // On in the base and not in the head: switched on, read backwards.
    if switched_on(h.node, b.node, "policy_check") {
        let (side, line) = line_of(b.node, h.node, "policy_check");
        out.push(Loosening::at(
            side,
            line,
            format!(
                "{} no longer run conftest policy checks on their plans before apply",
                h.label
            ),
        ));
    }
}

/// Whether the boolean `key` is `true` in `to` and was not (false, unset or unreadable) in
/// `from`.
fn switched_on(from: &Node, to: &Node, key: &str) -> bool {
    yaml_bool(to.get(key)) == Some(true) && yaml_bool(from.get(key)) != Some(true)
}

fn quoted(items: &[&str]) -> String {
    items
        .iter()
        .map(|i| format!("`{i}`"))
        .collect::<Vec<_>>()
        .join(" and ")
}
