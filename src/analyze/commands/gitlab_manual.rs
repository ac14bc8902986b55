//! gitlab_manual: a GitLab job that destroys and waited to be started by hand, no longer
//! waiting. `when: manual` (on the job, or on every rule that lets it run) is how GitLab
//! pipelines keep `terraform destroy` or `helm uninstall` behind a button; dropping it runs
//! the destroy in every pipeline that includes the job, and the destroy's own line does not
//! change. Reported under `workflow/destroy-trigger-widened`, at the destroy's severity, or
//! at medium for a job that stops an environment (a review app's teardown, whose
//! `environment: action: stop` GitLab also runs by itself when the branch goes).
//!
//! Only jobs on both sides whose head still destroys are judged: a new destroy is new, and
//! reported as such by the commands analyzer.

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
        if !by_hand(before) || by_hand(job) {
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

/// Whether a job runs only when someone starts it: `when: manual`, or `rules:` whose every
/// entry that lets it run is manual (`when: never` entries let nothing run).
fn by_hand(job: &Node) -> bool {
    fn when(node: &Node) -> Option<&str> {
        node.get("when").and_then(Node::as_str).map(str::trim)
    }
    if when(job) == Some("manual") {
        return true;
    }
    let rules = job.get("rules").map_or(&[][..], Node::as_seq);
    let running: Vec<&Node> = rules.iter().filter(|r| when(r) != Some("never")).collect();
    !running.is_empty() && running.iter().all(|r| when(r) == Some("manual"))
}
