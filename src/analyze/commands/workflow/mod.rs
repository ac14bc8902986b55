//! workflow: what a GitHub workflow (or composite action) runs beyond its own `run:` lines,
//! and when. The commands analyzer sees the destroys a file adds as text; this module adds
//! the ones a change turns on without writing them:
//! - `calls`: a job or step newly calling a local reusable workflow or action (`uses: ./…`)
//!   that destroys, or passing it inputs that now select a destroy; a remote call whose name
//!   or inputs say destroy, which twokey cannot read;
//! - `widened`: a destroy already there that now starts on more events, or lost the `if:`
//!   that held it back;
//! - `defaults`: an input default that now selects a destroy.
//!
//! Everything here works on the parsed workflow, so it runs only for workflow files, and a
//! called file is read (once per run, through the memo) only when a check needs it.

mod called;
mod calls;
mod defaults;
mod expr;
mod widened;

pub use called::Called;

use super::{extract, judge, Located, SideCommands};
use crate::analyze::FileView;
use crate::change::{RepoPath, Side};
use crate::finding::{Finding, RuleId, Severity, Tag};
use crate::rules::Rule;
use crate::yaml::{self, Node};
use expr::{Context, Inputs};

pub const DESTROY_TRIGGER_WIDENED: Rule = Rule {
    id: RuleId("workflow/destroy-trigger-widened"),
    severity: Severity::Critical,
    tags: &[Tag::Destructive],
    summary: "A destroy a workflow already had now runs more often: the workflow gains an automatic trigger (`push`, `schedule`, a new cron, a `pull_request` whose branch filter is gone), or the `if:` that held the step or job back is removed or loosened; a GitLab job that destroys loses its `when: manual`, or a Jenkins pipeline that destroys loses an `input` approval.",
    why: "A destroy that waited for someone to start it (`workflow_dispatch`), or for a condition (`inputs.confirm == 'yes'`, `if: false`), now runs with nobody deciding to. The command's line did not change, so the change reads as harmless. Reported at the severity of the destroy it lets run.",
    example: "- on: workflow_dispatch\n+ on: [workflow_dispatch, push]\n  …\n      - run: terraform destroy -auto-approve",
    safer: "Keep destroys on `workflow_dispatch` behind a confirmation input and a protected environment; put anything that must run on a schedule or on push in a workflow of its own that does not destroy.",
};

pub const DESTROY_CALL_UNREAD: Rule = Rule {
    id: RuleId("workflow/destroy-call-unread"),
    severity: Severity::High,
    tags: &[Tag::Destructive],
    summary: "A workflow newly calls a reusable workflow or action twokey cannot read (in another repository, or a JavaScript or Docker action) whose name or inputs say it destroys (`destroy`, `teardown`, `command: destroy`).",
    why: "The commands run in another repository, at whatever its ref points to, or in compiled code; twokey cannot see them, and the name says they tear something down.",
    example: "+   teardown:\n+     uses: acme/infra/.github/workflows/destroy.yml@v1",
    safer: "Read what the called workflow or action runs at that ref; pin it to a commit SHA and keep it behind `workflow_dispatch` and a protected environment.",
};

/// How deep local calls are followed (GitHub itself stops reusable workflows at ten levels).
const MAX_DEPTH: u8 = 6;

/// The findings for one changed workflow or composite action.
pub fn analyze(view: &FileView, base_text: &str, head_text: &str) -> Vec<Finding> {
    // A file that does not parse is the commands analyzer's `workflow/unparseable`.
    let Some(head) = first_doc(head_text) else {
        return Vec::new();
    };
    let base = first_doc(base_text).unwrap_or(Node {
        line: 1,
        end_line: 1,
        value: yaml::Value::Null,
    });
    let sides = Sides {
        base: Doc::new(&base, base_text),
        head: Doc::new(&head, head_text),
    };
    let mut findings = calls::check(view, &sides);
    findings.extend(widened::check(view, &sides));
    findings.extend(defaults::check(view, &sides));
    findings
}

/// The first document of a YAML file, if it parses.
pub(super) fn first_doc(text: &str) -> Option<Node> {
    yaml::parse_documents(text).ok()?.into_iter().next()
}

/// One side of the file: its tree and its lines.
struct Doc<'a> {
    root: &'a Node,
    lines: Vec<&'a str>,
}

impl<'a> Doc<'a> {
    fn new(root: &'a Node, text: &'a str) -> Doc<'a> {
        Doc {
            root,
            lines: text.lines().collect(),
        }
    }
}

struct Sides<'a> {
    base: Doc<'a>,
    head: Doc<'a>,
}

/// An `if:` a destroy waits on.
#[derive(Debug, Clone)]
struct Guard {
    text: String,
    line: u32,
}

/// A destructive command a workflow runs, with the job and the conditions around it.
struct Site {
    hit: super::packs::Hit,
    /// Where it shows in the file under review: the command's line, or the call's.
    line: u32,
    job: String,
    /// The job's `if:`, then the step's.
    guards: Vec<Guard>,
    /// The local files called on the way to the command, outermost first, and the command's
    /// line in the last of them.
    via: Vec<RepoPath>,
    via_line: u32,
}

impl Site {
    /// The same command reached the same way, whatever its lines.
    fn key(&self) -> String {
        let mut key = String::new();
        for path in &self.via {
            key.push_str(path.as_str());
            key.push('\u{1}');
        }
        key.push_str(&self.hit.identity);
        key
    }
    /// "which runs …" for a message: where the command really stands.
    fn origin(&self) -> String {
        match self.via.as_slice() {
            [] => String::new(),
            [only] => format!("`{only}` (its line {})", self.via_line),
            [first, .., last] => format!(
                "`{first}`, which calls `{last}` (its line {})",
                self.via_line
            ),
        }
    }
    fn finding(&self, view: &FileView, rule: &'static Rule, line: u32, message: String) -> Finding {
        let mut finding = Finding::new(rule, view.at(Side::Head, line, line), message)
            .with_severity(self.hit.severity);
        if let Some(safer) = &self.hit.safer {
            finding = finding.with_safer(safer.clone());
        }
        finding
    }
}

/// A call twokey could not follow.
#[derive(Debug, Clone)]
enum Unread {
    /// A local file that is missing, not text or not YAML; or calls nested too deep.
    Broken { path: RepoPath, reason: String },
    /// A JavaScript or Docker action: its code is not YAML steps.
    Opaque { name: String },
}

/// What a walk found: the destroys, and the local calls it could not follow (with the line
/// of the call in the walked file).
#[derive(Default)]
struct Walk {
    sites: Vec<Site>,
    unread: Vec<(u32, Unread)>,
}

/// How a walk treats conditions; local calls are always followed, through the memo.
#[derive(Clone, Copy)]
struct Walker<'v> {
    view: &'v FileView<'v>,
    /// Leave out jobs and steps whose `if:` the context decides is false.
    prune: bool,
    depth: u8,
}

impl Walker<'_> {
    /// The destroys `doc` (a workflow or an action) runs, with `cx` deciding its inputs.
    fn walk(&self, doc: &Doc, cx: &Context) -> Walk {
        let mut out = Walk::default();
        let root = doc.root;
        if let Some(jobs) = root.get("jobs") {
            for (id, job) in jobs.as_map() {
                let guard = guard_of(job);
                if self.pruned(guard.as_ref(), cx) {
                    continue;
                }
                let guards: Vec<Guard> = guard.into_iter().collect();
                if let Some(uses) = job.get("uses").and_then(Node::as_str) {
                    self.follow_call(uses, job, id, &guards, cx, &mut out);
                    continue;
                }
                let shell = extract::job_shell(job)
                    .or_else(|| extract::job_shell(root))
                    .unwrap_or(extract::Interpreter::Posix);
                let steps = job.get("steps").map(Node::as_seq).unwrap_or(&[]);
                self.steps(doc, steps, id, &guards, shell, cx, &mut out);
            }
        } else if let Some(steps) = root.path(&["runs", "steps"]) {
            // A composite action: one job of steps, each with its own `shell:`.
            let shell = extract::Interpreter::Posix;
            self.steps(doc, steps.as_seq(), "", &[], shell, cx, &mut out);
        }
        out
    }

    fn pruned(&self, guard: Option<&Guard>, cx: &Context) -> bool {
        self.prune && guard.is_some_and(|g| expr::condition(&g.text, cx) == Some(false))
    }

    #[allow(clippy::too_many_arguments)]
    fn steps(
        &self,
        doc: &Doc,
        steps: &[Node],
        job: &str,
        job_guards: &[Guard],
        shell: extract::Interpreter,
        cx: &Context,
        out: &mut Walk,
    ) {
        for step in steps {
            let guard = guard_of(step);
            if self.pruned(guard.as_ref(), cx) {
                continue;
            }
            let mut guards = job_guards.to_vec();
            guards.extend(guard);
            if let Some(uses) = step.get("uses").and_then(Node::as_str) {
                if is_local(uses) {
                    self.follow_call(uses, step, job, &guards, cx, out);
                    continue;
                }
            }
            let mut scripts = extract::github_step_scripts(step, shell, &doc.lines);
            for script in &mut scripts {
                script.text = expr::substitute(&script.text, cx);
            }
            let mut judged = SideCommands::default();
            judge(scripts, Side::Head, &mut judged);
            out.sites.extend(
                judged
                    .hits
                    .into_iter()
                    .map(|Located { hit, line, .. }| Site {
                        hit,
                        line,
                        job: job.to_owned(),
                        guards: guards.clone(),
                        via: Vec::new(),
                        via_line: line,
                    }),
            );
        }
    }

    /// The destroys behind a local `uses:` on `node` (a job or a step), placed on its line.
    fn follow_call(
        &self,
        uses: &str,
        node: &Node,
        job: &str,
        guards: &[Guard],
        cx: &Context,
        out: &mut Walk,
    ) {
        if !is_local(uses) {
            return;
        }
        let line = node.get("uses").map_or(node.line, |u| u.line);
        match self.called(uses, node.get("with"), cx) {
            Ok(walk) => {
                out.sites.extend(walk.sites.into_iter().map(|inner| Site {
                    line,
                    job: job.to_owned(),
                    guards: guards.iter().cloned().chain(inner.guards).collect(),
                    ..inner
                }));
                out.unread
                    .extend(walk.unread.into_iter().map(|(_, why)| (line, why)));
            }
            Err(why) => out.unread.push((line, why)),
        }
    }

    /// Walks the file `uses` names with the inputs `with` passes (read in the caller's `cx`)
    /// over the file's own defaults.
    fn called(&self, uses: &str, with: Option<&Node>, cx: &Context) -> Result<Walk, Unread> {
        let target = called::target(uses);
        if self.depth >= MAX_DEPTH {
            return Err(Unread::Broken {
                path: target,
                reason: "calls are nested too deep to follow".to_owned(),
            });
        }
        let loaded = called::load(self.view, &target);
        let (root, text, path) = match loaded.as_ref() {
            Called::Steps { root, text, path } => (root, text, path),
            Called::Opaque { name } => return Err(Unread::Opaque { name: name.clone() }),
            Called::Unreadable { path, reason } => {
                return Err(Unread::Broken {
                    path: path.clone(),
                    reason: reason.clone(),
                })
            }
        };
        let mut inputs = declared_defaults(root);
        for (name, value) in with.map(Node::as_map).unwrap_or(&[]) {
            match value.as_str().map(|v| expr::substitute(v, cx)) {
                // A value the caller computes is unknown here, not its default. One it
                // computes only in part (`destroy -var pr=${{ github.event.number }}`) keeps
                // its known words for the commands it is spliced into (see `expr`).
                Some(v) if !v.contains("${{") || expr::partly_known(&v) => inputs.set(name, &v),
                _ => inputs.remove(name),
            }
        }
        let doc = Doc::new(root, text);
        let deeper = Walker {
            prune: true,
            depth: self.depth + 1,
            ..*self
        };
        let mut walk = deeper.walk(&doc, &Context::with(&inputs));
        for site in &mut walk.sites {
            if site.via.is_empty() {
                site.via_line = site.line;
            }
            site.via.insert(0, path.clone());
        }
        Ok(walk)
    }
}

/// `uses: ./…`: a workflow or action in the same repository.
fn is_local(uses: &str) -> bool {
    uses.starts_with("./")
}

fn guard_of(node: &Node) -> Option<Guard> {
    let cond = node.get("if")?;
    Some(Guard {
        text: cond.as_str()?.to_owned(),
        line: cond.line,
    })
}

/// The inputs a workflow (`workflow_call`/`workflow_dispatch`) or action declares, with
/// their defaults; inputs without one are left unknown.
fn declared_defaults(root: &Node) -> Inputs {
    let mut inputs = Inputs::default();
    for (name, default, _) in declared(root) {
        inputs.set(&name, &default);
    }
    inputs
}

/// Each declared input with a default: name, default text, the default's line.
fn declared(root: &Node) -> Vec<(String, String, u32)> {
    let blocks = [
        root.path(&["on", "workflow_call", "inputs"]),
        root.path(&["on", "workflow_dispatch", "inputs"]),
        root.get("runs").and(root.get("inputs")),
    ];
    let mut out: Vec<(String, String, u32)> = Vec::new();
    for block in blocks.into_iter().flatten() {
        for (name, input) in block.as_map() {
            let Some(default) = input.get("default") else {
                continue;
            };
            let text = match &default.value {
                yaml::Value::Null => String::new(),
                _ => default.as_str().unwrap_or_default().to_owned(),
            };
            if !out.iter().any(|(n, _, _)| n == name) {
                out.push((name.clone(), text, default.line));
            }
        }
    }
    out
}

/// Who a call belongs to, for a message: "Job `x`" or "A step of job `x`".
fn caller(job: &str, is_job: bool) -> String {
    match (job, is_job) {
        ("", _) => "A step of this action".to_owned(),
        (job, true) => format!("Job `{job}`"),
        (job, false) => format!("A step of job `{job}`"),
    }
}

/// How many of each key `sites` has, to tell the head's new destroys from the base's.
fn counted<'s>(
    sites: impl IntoIterator<Item = &'s Site>,
) -> std::collections::HashMap<String, usize> {
    let mut counts = std::collections::HashMap::new();
    for site in sites {
        *counts.entry(site.key()).or_default() += 1;
    }
    counts
}

/// The sites of `head` that outnumber the same key in `before`.
fn more_than<'s>(head: &'s [Site], before: &[Site]) -> Vec<&'s Site> {
    let mut left = counted(before);
    head.iter()
        .filter(|site| match left.get_mut(&site.key()) {
            Some(n) if *n > 0 => {
                *n -= 1;
                false
            }
            _ => true,
        })
        .collect()
}

#[cfg(test)]
mod tests;
