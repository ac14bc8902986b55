//! gitlab_manual: a GitLab job that destroys and waited to be started by hand, no longer
//! waiting. `when: manual` (on the job, or on every rule that lets it run) is how GitLab
//! pipelines keep `terraform destroy` or `helm uninstall` behind a button; dropping it runs
//! the destroy in every pipeline that includes the job, and the destroy's own line does not
//! change. Reported under `workflow/destroy-trigger-widened`, at the destroy's severity, or
//! at medium for a job that stops an environment (a review app's teardown, whose
//! `environment: action: stop` GitLab also runs by itself when the branch goes).
//!
//! Only jobs on both sides whose head still destroys are judged: a new destroy is new, and
//! reported as such by the commands analyzer. A job's `when:` and `rules:` may come from the
//! templates it `extends:` (a hidden `.manual` job is the usual way to share the button), so a
//! job that stops extending one, or a template that loses its `when: manual`, counts too.

use super::extract::job_scripts;
use super::judged;
use super::workflow::{first_doc, DESTROY_TRIGGER_WIDENED};
use crate::analyze::FileView;
use crate::change::Side;
use crate::finding::{Finding, Severity};
use crate::yaml::Node;

/// Whether the file is GitLab CI configuration: `.gitlab-ci.yml`, or a file it includes
/// from `.gitlab/` or `gitlab-ci/` directories.
pub(super) fn is_gitlab(path: &str) -> bool {
    let lower = path.to_ascii_lowercase();
    let name = lower.rsplit('/').next().unwrap_or(&lower);
    name.starts_with(".gitlab-ci") || lower.contains(".gitlab/") || lower.contains("gitlab-ci/")
}

pub(super) fn check(view: &FileView, base_text: &str, head_text: &str) -> Vec<Finding> {
    // The cheap test first: a base without `manual` guarded nothing by hand.
    if !base_text.contains("manual") {
        return Vec::new();
    }
    let (Some(base), Some(head)) = (first_doc(base_text), first_doc(head_text)) else {
        return Vec::new();
    };
    let (base_lines, head_lines): (Vec<&str>, Vec<&str>) =
        (base_text.lines().collect(), head_text.lines().collect());
    let mut out = Vec::new();
    for (name, job) in head.as_map() {
        let Some(before) = base.get(name) else {
            continue;
        };
        if !by_hand(&base, before) || by_hand(&head, job) {
            continue;
        }
        let now = judged(job_scripts(job, &head_lines), Side::Head);
        let was = judged(job_scripts(before, &base_lines), Side::Base);
        let Some(worst) = now
            .hits
            .iter()
            .filter(|h| was.hits.iter().any(|w| w.hit.identity == h.hit.identity))
            .max_by_key(|h| h.hit.severity)
        else {
            continue;
        };
        let stops_environment =
            job.path(&["environment", "action"]).and_then(Node::as_str) == Some("stop");
        let severity = if stops_environment {
            Severity::Medium
        } else {
            worst.hit.severity
        };
        let note = if stops_environment {
            " It stops an environment (`environment: action: stop`), so it tears that environment down as soon as the pipeline reaches it."
        } else {
            ""
        };
        // The job's own key line: its map starts at its first key.
        let at = head_lines
            .iter()
            .position(|l| {
                l.strip_prefix(name.as_str())
                    .is_some_and(|r| r.starts_with(':'))
            })
            .and_then(|i| u32::try_from(i + 1).ok())
            .unwrap_or(job.line);
        out.push(
            Finding::new(
                &DESTROY_TRIGGER_WIDENED,
                view.at(Side::Head, at, at),
                format!(
                    "GitLab job `{name}` waited to be started by hand (`when: manual`) and now starts by itself in every pipeline that includes it; it runs: {}{note}",
                    worst.hit.message
                ),
            )
            .with_severity(severity),
        );
    }
    out
}

/// Whether a job of `doc` runs only when someone starts it: `when: manual`, or `rules:` whose
/// every entry that lets it run is manual (`when: never` entries let nothing run), its own or
/// inherited through `extends:`.
fn by_hand(doc: &Node, job: &Node) -> bool {
    fn when(node: &Node) -> Option<&str> {
        node.get("when").and_then(Node::as_str).map(str::trim)
    }
    let own_when = inherited(doc, job, "when")
        .and_then(Node::as_str)
        .map(str::trim);
    if own_when == Some("manual") {
        return true;
    }
    let rules = inherited(doc, job, "rules").map_or(&[][..], Node::as_seq);
    let running: Vec<&Node> = rules.iter().filter(|r| when(r) != Some("never")).collect();
    !running.is_empty() && running.iter().all(|r| when(r) == Some("manual"))
}

/// How deep GitLab follows `extends:` (templates extending templates) before it gives up.
const EXTENDS_DEPTH: u8 = 11;

/// A job's `key` as GitLab reads it: the job's own, else that of the templates it `extends:`,
/// a later template overriding an earlier one. Templates named but not in this file (they
/// come from an `include:`) are not known, and add nothing.
fn inherited<'a>(doc: &'a Node, job: &'a Node, key: &str) -> Option<&'a Node> {
    fn find<'a>(doc: &'a Node, job: &'a Node, key: &str, depth: u8) -> Option<&'a Node> {
        if let Some(own) = job.get(key) {
            return Some(own);
        }
        let parents = job.get("extends")?;
        let names: Vec<&str> = match parents.as_str() {
            Some(one) => vec![one],
            None => parents.as_seq().iter().filter_map(Node::as_str).collect(),
        };
        names
            .iter()
            .rev()
            .filter(|_| depth > 0)
            .find_map(|name| find(doc, doc.get(name.trim())?, key, depth - 1))
    }
    find(doc, job, key, EXTENDS_DEPTH)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn manual(text: &str, job: &str) -> bool {
        let doc = first_doc(text).expect("yaml");
        by_hand(&doc, doc.get(job).expect("job"))
    }

    #[test]
    fn a_job_is_started_by_hand_through_the_template_it_extends() {
        let text = ".manual:\n  when: manual\n.base:\n  extends: .manual\n  image: x\ndestroy:\n  extends: [.other, .base]\n  script: [terraform destroy -auto-approve]\n";
        assert!(manual(text, "destroy"));
        // The job's own `when` overrides the template's.
        let own = text.replace("  script:", "  when: on_success\n  script:");
        assert!(!manual(&own, "destroy"));
        // A later template overrides an earlier one.
        let later = ".manual:\n  when: manual\n.auto:\n  when: always\ndestroy:\n  extends: [.manual, .auto]\n";
        assert!(!manual(later, "destroy"));
        assert!(manual(
            &later.replace("[.manual, .auto]", "[.auto, .manual]"),
            "destroy"
        ));
    }

    #[test]
    fn templates_that_are_not_in_the_file_or_extend_in_a_circle_add_nothing() {
        assert!(!manual(
            "destroy:\n  extends: .from-an-include\n",
            "destroy"
        ));
        let circle = ".a:\n  extends: .b\n.b:\n  extends: .a\ndestroy:\n  extends: .a\n";
        assert!(!manual(circle, "destroy"));
    }
}
