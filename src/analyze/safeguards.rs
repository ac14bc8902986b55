//! safeguards: GitHub workflow changes that remove a protection every later change relies
//! on. Not destructive in themselves, they are `guardrail` findings: a workflow that runs a
//! pull request's code with a write token, a job whose token may now write, or a deployment
//! that no longer waits for its environment's reviewers can each be the first step of an
//! incident that no reviewer gets to see.
//!
//! Only what the head adds is reported; a workflow that already had the setting on its base
//! is quiet, so editing an old workflow does not re-raise its history.

use super::FileView;
use crate::change::{Content, Side};
use crate::finding::{Finding, RuleId, Severity, Tag};
use crate::rules::Rule;
use crate::yaml::{self, Node};
use std::collections::BTreeSet;

pub const PULL_REQUEST_TARGET_CHECKOUT: Rule = Rule {
    id: RuleId("guardrail/pull-request-target-checkout"),
    severity: Severity::Critical,
    tags: &[Tag::Guardrail],
    summary: "A `pull_request_target` workflow checks out the pull request's own code.",
    why: "`pull_request_target` runs with the base repository's secrets and a token that can write, \
          even for pull requests from forks. Checking out the pull request's head and running \
          anything from it (a build, a script, a test) hands those secrets and that token to \
          whoever opened the pull request.",
    example: "on: pull_request_target\n…\n  - uses: actions/checkout@v4\n    with:\n      ref: ${{ github.event.pull_request.head.sha }}",
    safer: "Use `pull_request` for anything that runs the pull request's code; keep \
            `pull_request_target` for jobs that only label or comment, and never check out the head there.",
};

pub const PERMISSIONS_WIDENED: Rule = Rule {
    id: RuleId("guardrail/permissions-widened"),
    severity: Severity::Medium,
    tags: &[Tag::Guardrail],
    summary: "A workflow's token gains write permissions (`write-all`, new `…: write` scopes, or a restrictive `permissions:` block removed).",
    why: "The GITHUB_TOKEN's permissions bound what a compromised or mistaken step can do: push \
          to branches, approve or merge pull requests, publish packages, mint cloud credentials \
          (`id-token: write`). Widening them widens every step's reach. `write-all` is high.",
    example: "- permissions:\n-   contents: read\n+ permissions: write-all",
    safer: "Grant each job only the scopes it uses, at job level, and keep the workflow default at `contents: read`.",
};

pub const ENVIRONMENT_REMOVED: Rule = Rule {
    id: RuleId("guardrail/environment-removed"),
    severity: Severity::High,
    tags: &[Tag::Guardrail],
    summary: "A job no longer deploys through its GitHub environment (its `environment:` was removed or changed).",
    why: "An environment's protection rules (required reviewers, wait timers, branch restrictions) \
          and its scoped secrets apply only to jobs that name it. Dropping or renaming the \
          environment lets the job run without the approval the environment demanded.",
    example: "  deploy:\n-   environment: production\n    steps:\n      - run: terraform apply -auto-approve",
    safer: "Keep the environment on every job that deploys; change its protection rules in the repository settings, reviewed by an administrator.",
};

pub const RULES: &[&Rule] = &[
    &PULL_REQUEST_TARGET_CHECKOUT,
    &PERMISSIONS_WIDENED,
    &ENVIRONMENT_REMOVED,
];

/// Analyzes one changed GitHub workflow.
pub fn analyze(view: &FileView) -> Vec<Finding> {
    let (Some(base), Some(head)) = (side(view.old), side(view.new)) else {
        // An unreadable side is the commands analyzer's `workflow/unparseable` finding.
        return Vec::new();
    };
    let Some(head) = head else {
        // Deleting a workflow removes its steps, not a safeguard of the others.
        return Vec::new();
    };
    let empty = Node {
        line: 1,
        end_line: 1,
        value: yaml::Value::Null,
    };
    let base = base.as_ref().unwrap_or(&empty);
    let mut findings = Vec::new();
    pull_request_target(view, base, &head, &mut findings);
    permissions(view, base, &head, &mut findings);
    environments(view, base, &head, &mut findings);
    findings
}

/// `Some(None)` for an absent side, `None` when it cannot be read as YAML.
fn side(content: &Content) -> Option<Option<Node>> {
    match content {
        Content::Absent => Some(None),
        Content::Text(text) => yaml::parse_documents(text)
            .ok()
            .map(|docs| docs.into_iter().next()),
        _ => None,
    }
}

fn jobs(workflow: &Node) -> &[(String, Node)] {
    workflow.get("jobs").map(Node::as_map).unwrap_or(&[])
}

fn job<'w>(workflow: &'w Node, id: &str) -> Option<&'w Node> {
    jobs(workflow).iter().find(|(k, _)| k == id).map(|(_, j)| j)
}

/// Whether the workflow is triggered by `event` (string, list or map form of `on:`).
fn triggered_by(workflow: &Node, event: &str) -> bool {
    let Some(on) = workflow.get("on") else {
        return false;
    };
    match &on.value {
        yaml::Value::Scalar(s) => s == event,
        yaml::Value::Seq(items) => items.iter().any(|i| i.as_str() == Some(event)),
        yaml::Value::Map(entries) => entries.iter().any(|(k, _)| k == event),
        _ => false,
    }
}

/// Expressions that name the pull request's own code rather than the base branch's.
const HEAD_REFS: &[&str] = &[
    "github.event.pull_request.head.",
    "github.head_ref",
    "refs/pull/",
    "github.event.pull_request.merge_commit_sha",
];

/// The `ref:` lines of checkout steps that fetch the pull request's head.
fn head_checkouts(job: &Node) -> Vec<u32> {
    let steps = job.get("steps").map(Node::as_seq).unwrap_or(&[]);
    steps
        .iter()
        .filter(|s| {
            s.get("uses")
                .and_then(Node::as_str)
                .is_some_and(|u| u.starts_with("actions/checkout"))
        })
        .filter_map(|s| {
            let r = s.path(&["with", "ref"])?;
            let text = r.as_str()?;
            HEAD_REFS.iter().any(|h| text.contains(h)).then_some(r.line)
        })
        .collect()
}

fn pull_request_target(view: &FileView, base: &Node, head: &Node, out: &mut Vec<Finding>) {
    if !triggered_by(head, "pull_request_target") {
        return;
    }
    let base_targets = triggered_by(base, "pull_request_target");
    for (id, head_job) in jobs(head) {
        let lines = head_checkouts(head_job);
        let Some(&line) = lines.first() else {
            continue;
        };
        let had = base_targets && job(base, id).is_some_and(|b| !head_checkouts(b).is_empty());
        if had {
            continue;
        }
        out.push(Finding::new(
            &PULL_REQUEST_TARGET_CHECKOUT,
            view.at(Side::Head, line, line),
            format!(
                "Job `{id}` runs on `pull_request_target` and checks out the pull request's head: code from any pull request, forks included, would run with this repository's secrets and a write token."
            ),
        ));
    }
}

/// What a `permissions:` value lets the token write.
#[derive(Debug, PartialEq, Eq)]
enum Grant {
    /// No `permissions:` key: the repository's default, which may be write-all.
    Default,
    WriteAll,
    Writes(BTreeSet<String>),
}

fn grant(node: Option<&Node>) -> Grant {
    let Some(node) = node else {
        return Grant::Default;
    };
    match &node.value {
        yaml::Value::Scalar(s) if s == "write-all" => Grant::WriteAll,
        yaml::Value::Map(entries) => Grant::Writes(
            entries
                .iter()
                .filter(|(_, v)| v.as_str() == Some("write"))
                .map(|(k, _)| k.clone())
                .collect(),
        ),
        // `read-all`, `{}` and anything else grant no write.
        _ => Grant::Writes(BTreeSet::new()),
    }
}

/// How `head` widens `base`, in words, if it does; `write-all` is reported as high.
fn widening(base: &Grant, head: &Grant) -> Option<(String, Severity)> {
    match (base, head) {
        (Grant::WriteAll, _) => None,
        (_, Grant::WriteAll) => Some(("`permissions: write-all`".to_owned(), Severity::High)),
        (Grant::Writes(_), Grant::Default) => Some((
            "no `permissions:` block any more, so the repository default applies (write-all in older repositories)"
                .to_owned(),
            Severity::Medium,
        )),
        (Grant::Writes(before), Grant::Writes(after)) => {
            let new: Vec<String> = after
                .difference(before)
                .map(|s| format!("`{s}: write`"))
                .collect();
            (!new.is_empty()).then(|| (new.join(", "), Severity::Medium))
        }
        // From the repository default to an explicit list: narrower, or unknown.
        (Grant::Default, _) => None,
    }
}

fn permissions(view: &FileView, base: &Node, head: &Node, out: &mut Vec<Finding>) {
    let mut report = |scope: String, before: Option<&Node>, after: Option<&Node>, at: u32| {
        let (was, now) = (grant(before), grant(after));
        if let Some((what, severity)) = widening(&was, &now) {
            // Point at the first new write scope when there is one, else at the block.
            let first_new = after.into_iter().flat_map(Node::as_map).find(|(k, v)| {
                v.as_str() == Some("write")
                    && !matches!(&was, Grant::Writes(w) if w.contains(k.as_str()))
            });
            let line = first_new.map_or(after.map_or(at, |n| n.line), |(_, v)| v.line);
            out.push(
                Finding::new(
                    &PERMISSIONS_WIDENED,
                    view.at(Side::Head, line, line),
                    format!("{scope} now has {what}: every step there can do more with the GITHUB_TOKEN than before."),
                )
                .with_severity(severity),
            );
        }
    };
    if base.get("permissions").is_some() || head.get("permissions").is_some() {
        report(
            "The workflow".to_owned(),
            base.get("permissions"),
            head.get("permissions"),
            1,
        );
    }
    for (id, head_job) in jobs(head) {
        let Some(base_job) = job(base, id) else {
            // A new job: only an explicit write grant is news (the default is the workflow's).
            if matches!(grant(head_job.get("permissions")), Grant::WriteAll) {
                report(
                    format!("New job `{id}`"),
                    None,
                    head_job.get("permissions"),
                    head_job.line,
                );
            }
            continue;
        };
        // A job without its own block inherits the workflow's, judged above.
        if base_job.get("permissions").is_some() || head_job.get("permissions").is_some() {
            let before = base_job.get("permissions").or(base.get("permissions"));
            let after = head_job.get("permissions").or(head.get("permissions"));
            if after.is_some() || before.is_some() {
                report(format!("Job `{id}`"), before, after, head_job.line);
            }
        }
    }
}

/// The environment a job deploys through: `environment: name` or `environment: {name: …}`.
fn environment(job: &Node) -> Option<(&str, u32)> {
    let node = job.get("environment")?;
    let name = node.as_str().or_else(|| node.get("name")?.as_str())?;
    Some((name, node.line))
}

fn environments(view: &FileView, base: &Node, head: &Node, out: &mut Vec<Finding>) {
    for (id, base_job) in jobs(base) {
        let Some((before, _)) = environment(base_job) else {
            continue;
        };
        // A removed job deploys nothing any more.
        let Some(head_job) = job(head, id) else {
            continue;
        };
        let (what, line) = match environment(head_job) {
            Some((after, _)) if after == before => continue,
            Some((after, line)) => (
                format!("now deploys through `{after}` instead of `{before}`"),
                line,
            ),
            None => (
                format!("no longer names its environment `{before}`"),
                head_job.line,
            ),
        };
        out.push(Finding::new(
            &ENVIRONMENT_REMOVED,
            view.at(Side::Head, line, line),
            format!(
                "Job `{id}` {what}: the required reviewers, wait timers and branch rules of `{before}` no longer hold it back."
            ),
        ));
    }
}

#[cfg(test)]
mod tests {
    use super::super::files::testkit::{ids, Case};
    use super::*;

    const PATH: &str = ".github/workflows/ci.yml";

    fn run(base: &str, head: &str) -> Vec<Finding> {
        Case::modified(PATH, base, head).run(analyze)
    }

    fn added(head: &str) -> Vec<Finding> {
        Case::added(PATH, head).run(analyze)
    }

    const PRT_CHECKOUT: &str = "\
on: pull_request_target
jobs:
  build:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
        with:
          ref: ${{ github.event.pull_request.head.sha }}
      - run: make test
";

    #[test]
    fn a_new_pull_request_target_job_checking_out_the_head_is_critical_at_the_ref_line() {
        let f = added(PRT_CHECKOUT);
        assert_eq!(ids(&f), ["guardrail/pull-request-target-checkout"]);
        assert_eq!(f[0].severity, Severity::Critical);
        assert_eq!(f[0].location.line, Some(8));
        assert_eq!(f[0].tags, [Tag::Guardrail]);
    }

    #[test]
    fn switching_an_existing_workflow_to_pull_request_target_is_reported() {
        let base = PRT_CHECKOUT.replace("on: pull_request_target", "on: [pull_request]");
        let f = run(&base, PRT_CHECKOUT);
        assert_eq!(ids(&f), ["guardrail/pull-request-target-checkout"]);
        let map_form = PRT_CHECKOUT.replace(
            "on: pull_request_target",
            "on:\n  pull_request_target:\n    types: [opened]",
        );
        assert_eq!(
            ids(&run(&base, &map_form)),
            ["guardrail/pull-request-target-checkout"]
        );
    }

    #[test]
    fn pull_request_target_without_a_head_checkout_or_already_there_is_quiet() {
        let labeler = "on: pull_request_target\njobs:\n  label:\n    runs-on: ubuntu-latest\n    steps:\n      - uses: actions/labeler@v5\n      - uses: actions/checkout@v4\n";
        assert!(added(labeler).is_empty());
        let edited = PRT_CHECKOUT.replace("make test", "make check");
        assert!(run(PRT_CHECKOUT, &edited).is_empty());
        // A `pull_request` workflow may check out the head: it has no secrets for forks.
        let plain = PRT_CHECKOUT.replace("pull_request_target", "pull_request");
        assert!(added(&plain).is_empty());
    }

    const READ_ONLY: &str = "\
on: push
permissions:
  contents: read
jobs:
  build:
    runs-on: ubuntu-latest
    steps:
      - run: make
";

    #[test]
    fn write_all_at_workflow_level_is_high_at_its_line() {
        let head = READ_ONLY.replace("permissions:\n  contents: read", "permissions: write-all");
        let f = run(READ_ONLY, &head);
        assert_eq!(ids(&f), ["guardrail/permissions-widened"]);
        assert_eq!(f[0].severity, Severity::High);
        assert_eq!(f[0].location.line, Some(2));
        assert!(f[0].message.contains("write-all"), "{}", f[0].message);
    }

    #[test]
    fn a_new_write_scope_is_medium_and_names_the_scope() {
        let head = READ_ONLY.replace("contents: read", "contents: read\n  id-token: write");
        let f = run(READ_ONLY, &head);
        assert_eq!(ids(&f), ["guardrail/permissions-widened"]);
        assert_eq!(f[0].severity, Severity::Medium);
        assert!(
            f[0].message.contains("`id-token: write`"),
            "{}",
            f[0].message
        );
        assert_eq!(f[0].location.line, Some(4), "the line of the new scope");
    }

    #[test]
    fn a_job_level_grant_is_judged_against_what_the_job_had() {
        let head = READ_ONLY.replace(
            "    runs-on: ubuntu-latest",
            "    runs-on: ubuntu-latest\n    permissions:\n      contents: write",
        );
        let f = run(READ_ONLY, &head);
        assert_eq!(ids(&f), ["guardrail/permissions-widened"]);
        assert!(f[0].message.contains("Job `build`"), "{}", f[0].message);
        assert_eq!(f[0].location.line, Some(8), "the line of the new scope");
    }

    #[test]
    fn dropping_the_restrictive_block_falls_back_to_the_default_and_is_reported() {
        let head = READ_ONLY.replace("permissions:\n  contents: read\n", "");
        let f = run(READ_ONLY, &head);
        assert_eq!(ids(&f), ["guardrail/permissions-widened"]);
        assert!(
            f[0].message.contains("repository default"),
            "{}",
            f[0].message
        );
    }

    #[test]
    fn narrowing_keeping_or_reordering_permissions_is_quiet() {
        let wide = READ_ONLY.replace("contents: read", "contents: write\n  packages: write");
        let narrower = READ_ONLY.replace("contents: read", "packages: write");
        assert!(run(&wide, &narrower).is_empty());
        let reordered = READ_ONLY.replace("contents: read", "packages: write\n  contents: write");
        assert!(run(&wide, &reordered).is_empty());
        assert!(run(READ_ONLY, &READ_ONLY.replace("make", "make all")).is_empty());
        let was_all = READ_ONLY.replace("permissions:\n  contents: read", "permissions: write-all");
        assert!(run(&was_all, &was_all.replace("make", "make all")).is_empty());
        // A workflow that never restricted its token does not widen it by being edited.
        let plain = READ_ONLY.replace("permissions:\n  contents: read\n", "");
        assert!(run(&plain, &plain.replace("make", "make all")).is_empty());
    }

    const DEPLOY: &str = "\
on: push
jobs:
  deploy:
    runs-on: ubuntu-latest
    environment: production
    steps:
      - run: terraform apply -auto-approve
";

    #[test]
    fn removing_a_deploy_jobs_environment_is_high() {
        let head = DEPLOY.replace("    environment: production\n", "");
        let f = run(DEPLOY, &head);
        assert_eq!(ids(&f), ["guardrail/environment-removed"]);
        assert_eq!(f[0].severity, Severity::High);
        assert!(f[0].message.contains("`production`"), "{}", f[0].message);
        assert_eq!(f[0].location.line, Some(4), "the job's first line at head");
    }

    #[test]
    fn switching_to_another_environment_is_reported_but_the_map_form_of_the_same_one_is_not() {
        let staging = DEPLOY.replace("environment: production", "environment: staging");
        let f = run(DEPLOY, &staging);
        assert_eq!(ids(&f), ["guardrail/environment-removed"]);
        assert_eq!(f[0].location.line, Some(5));
        let map = DEPLOY.replace(
            "environment: production",
            "environment:\n      name: production\n      url: https://example.com",
        );
        assert!(run(DEPLOY, &map).is_empty());
    }

    #[test]
    fn removing_the_whole_job_or_adding_an_environment_is_quiet() {
        let without_job = "on: push\njobs:\n  lint:\n    runs-on: ubuntu-latest\n    steps:\n      - run: make lint\n";
        assert!(run(DEPLOY, without_job).is_empty());
        let base = DEPLOY.replace("    environment: production\n", "");
        assert!(run(&base, DEPLOY).is_empty());
        assert!(Case::deleted(PATH, DEPLOY).run(analyze).is_empty());
    }

    #[test]
    fn a_workflow_that_does_not_parse_is_left_to_the_commands_analyzer() {
        assert!(run(DEPLOY, "jobs: [unclosed").is_empty());
    }

    proptest::proptest! {
        #[test]
        fn arbitrary_workflows_never_panic(base in "(on|jobs|permissions|environment|steps|with|ref|write|:| |\n|-|\\{|\\}|x){0,80}", head in "(on|jobs|permissions|environment|steps|with|ref|write|:| |\n|-|\\{|\\}|x){0,80}") {
            let f = run(&base, &head);
            proptest::prop_assert!(f.iter().all(|f| f.tags == [Tag::Guardrail]));
        }
    }
}
