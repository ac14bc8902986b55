//! calls: jobs and steps that newly call another workflow or action (`uses:`), or pass one
//! different inputs. A local call is followed and judged by the commands the called file
//! runs with those inputs; a remote one cannot be read, so only its name and inputs speak.
//!
//! Calls are matched with the base by what they call and with which inputs, counting copies
//! (as commands are): renaming or moving a job, or adding `needs:` or `concurrency:`, leaves
//! the call as it was and reads nothing.

use super::{caller, more_than, Doc, Sides, Unread, Walker, DESTROY_CALL_UNREAD};
use crate::analyze::commands::{tool_steps, PIPELINE_UNPARSEABLE};
use crate::analyze::{fresh, FileView};
use crate::change::Side;
use crate::finding::Finding;
use crate::yaml::Node;
use std::collections::HashMap;

use super::expr::{Context, Inputs};

/// One `uses:` in a workflow or action.
struct Call<'d> {
    node: &'d Node,
    uses: &'d str,
    /// `with:` inputs as written, sorted, with their lines.
    with: Vec<(String, String, u32)>,
    job: String,
    is_job: bool,
}

impl Call<'_> {
    fn line(&self) -> u32 {
        self.node.get("uses").map_or(self.node.line, |u| u.line)
    }
    /// What is called, without the ref of a remote call (a version bump is not a new call).
    fn target(&self) -> &str {
        if super::is_local(self.uses) {
            self.uses
        } else {
            self.uses.split('@').next().unwrap_or(self.uses)
        }
    }
    fn identity(&self) -> String {
        let mut id = self.target().to_owned();
        for (k, v, _) in &self.with {
            id.push_str(&format!("\u{1}{k}={v}"));
        }
        id
    }
}

fn calls<'d>(doc: &Doc<'d>) -> Vec<Call<'d>> {
    let mut out = Vec::new();
    let with = |node: &Node| {
        let mut with: Vec<(String, String, u32)> = node
            .get("with")
            .map(Node::as_map)
            .unwrap_or(&[])
            .iter()
            .map(|(k, v)| (k.clone(), v.as_str().unwrap_or_default().to_owned(), v.line))
            .collect();
        with.sort();
        with
    };
    let root = doc.root;
    if let Some(jobs) = root.get("jobs") {
        for (id, job) in jobs.as_map() {
            if let Some(uses) = job.get("uses").and_then(Node::as_str) {
                out.push(Call {
                    node: job,
                    uses,
                    with: with(job),
                    job: id.clone(),
                    is_job: true,
                });
            }
            for step in job.get("steps").map(Node::as_seq).unwrap_or(&[]) {
                if let Some(uses) = step.get("uses").and_then(Node::as_str) {
                    out.push(Call {
                        node: step,
                        uses,
                        with: with(step),
                        job: id.clone(),
                        is_job: false,
                    });
                }
            }
        }
    }
    for step in root
        .path(&["runs", "steps"])
        .map(Node::as_seq)
        .unwrap_or(&[])
    {
        if let Some(uses) = step.get("uses").and_then(Node::as_str) {
            out.push(Call {
                node: step,
                uses,
                with: with(step),
                job: String::new(),
                is_job: false,
            });
        }
    }
    out
}

/// Findings for the calls the head adds or changes.
pub fn check(view: &FileView, sides: &Sides) -> Vec<Finding> {
    let head = calls(&sides.head);
    if head.is_empty() {
        return Vec::new();
    }
    let base = calls(&sides.base);
    let new = fresh::new_copies(
        view.hunks(),
        base.iter().map(Call::identity),
        head.iter().map(|c| (c.identity(), c.line())),
    );
    let walker = Walker {
        view,
        prune: true,
        depth: 0,
    };
    let mut findings = Vec::new();
    let mut moved_in = None;
    for call in new.into_iter().map(|i| &head[i]) {
        // The same call on the base with other inputs: only what the new inputs add is news.
        // An extra copy of a call the base already makes is new in full.
        let identity = call.identity();
        let others = || {
            base.iter()
                .filter(|b| b.target() == call.target() && b.identity() != identity)
        };
        let partner = others().find(|b| b.job == call.job).or_else(|| {
            let mut same = others();
            let first = same.next();
            first.filter(|_| same.next().is_none())
        });
        if super::is_local(call.uses) {
            let moved_in = moved_in.get_or_insert_with(|| moved_out_of_steps(&walker, sides));
            local(view, &walker, call, partner, moved_in, &mut findings);
        } else {
            remote(view, call, partner, &mut findings);
        }
    }
    findings
}

/// Destroys the file's own steps ran at the base and no longer run at the head, by command,
/// with how many copies went: a call that now runs one of them took it over (a step moved
/// into a reusable workflow the same job calls), it did not add it. A copy taken over once is
/// used up, so a destroy cannot move into two calls.
fn moved_out_of_steps(walker: &Walker, sides: &Sides) -> HashMap<String, usize> {
    let unknown = Inputs::default();
    let cx = Context::with(&unknown);
    let own = |doc| -> Vec<String> {
        let walk = walker.walk(doc, &cx);
        let steps = walk.sites.into_iter().filter(|s| s.via.is_empty());
        steps.map(|s| s.hit.identity).collect()
    };
    let mut gone: HashMap<String, usize> = HashMap::new();
    for identity in own(&sides.base) {
        *gone.entry(identity).or_default() += 1;
    }
    for identity in own(&sides.head) {
        if let Some(n) = gone.get_mut(&identity) {
            *n = n.saturating_sub(1);
        }
    }
    gone.retain(|_, n| *n > 0);
    gone
}

fn local(
    view: &FileView,
    walker: &Walker,
    call: &Call,
    partner: Option<&Call>,
    moved_in: &mut HashMap<String, usize>,
    findings: &mut Vec<Finding>,
) {
    // The caller's own inputs are whatever its trigger brings: unknown here.
    let unknown = Inputs::default();
    let cx = Context::with(&unknown);
    let who = caller(&call.job, call.is_job);
    let head = match walker.called(call.uses, call.node.get("with"), &cx) {
        Ok(walk) => walk,
        Err(why) => {
            unread(view, call, &who, false, why, findings);
            return;
        }
    };
    let before = partner
        .and_then(|p| walker.called(p.uses, p.node.get("with"), &cx).ok())
        .map(|w| w.sites)
        .unwrap_or_default();
    let (line, how) = match partner {
        Some(p) => {
            let changed: Vec<&(String, String, u32)> =
                call.with.iter().filter(|w| !p.with.contains(w)).collect();
            let line = changed.first().map_or(call.line(), |w| w.2);
            let named: Vec<String> = changed
                .iter()
                .map(|(k, v, _)| format!("`{k}: {v}`"))
                .collect();
            let how = if named.is_empty() {
                "no longer passes some inputs to".to_owned()
            } else {
                format!("now passes {} to", named.join(", "))
            };
            (line, how)
        }
        None => (call.line(), "calls".to_owned()),
    };
    for site in more_than(&head.sites, &before) {
        if let Some(n) = moved_in.get_mut(&site.hit.identity).filter(|n| **n > 0) {
            *n -= 1;
            continue;
        }
        let message = format!(
            "{who} {how} {}, which runs this: {}",
            site.origin(),
            site.hit.message
        );
        findings.push(site.finding(view, site.hit.rule, line, message));
    }
    // A nested call that could not be read leaves the new call's effect unknown.
    if let Some((_, why)) = head.unread.into_iter().next() {
        unread(view, call, &who, true, why, findings);
    }
}

fn unread(
    view: &FileView,
    call: &Call,
    who: &str,
    nested: bool,
    why: Unread,
    findings: &mut Vec<Finding>,
) {
    let line = call.line();
    let through = if nested {
        format!(" through `{}`", call.uses)
    } else {
        String::new()
    };
    match why {
        Unread::Broken { path, reason } => findings.push(Finding::new(
            &PIPELINE_UNPARSEABLE,
            view.at(Side::Head, line, line),
            format!(
                "{who} calls `{path}`{through}, which could not be read ({reason}), so twokey cannot tell what it destroys; a human must review it."
            ),
        )),
        Unread::Opaque { name } => {
            if says_destroy(&name, call) {
                findings.push(Finding::new(
                    &DESTROY_CALL_UNREAD,
                    view.at(Side::Head, line, line),
                    format!(
                        "{who} calls `{}`{through}, a JavaScript or Docker action whose name or inputs say it destroys; twokey cannot read what it runs, so a human must."
                    , call.uses),
                ));
            }
        }
    }
}

fn remote(view: &FileView, call: &Call, partner: Option<&Call>, findings: &mut Vec<Finding>) {
    if call.uses.starts_with("docker://") {
        return;
    }
    // Actions whose command is known are judged as that command by the commands analyzer.
    if !call.is_job && tool_steps::command(call.node, true).is_some() {
        return;
    }
    if !says_destroy(call.target(), call) || partner.is_some_and(|p| says_destroy(p.target(), p)) {
        return;
    }
    let line = call.line();
    findings.push(Finding::new(
        &DESTROY_CALL_UNREAD,
        view.at(Side::Head, line, line),
        format!(
            "{} calls `{}`, whose name or inputs say it destroys; it lives in another repository, so twokey cannot read what it runs: a human must, at that ref.",
            caller(&call.job, call.is_job),
            call.uses
        ),
    ));
}

/// Words that name a teardown in a workflow's or action's path or name.
const DESTROY_WORDS: &[&str] = &[
    "destroy",
    "teardown",
    "tear-down",
    "tear_down",
    "nuke",
    "decommission",
];
/// Inputs whose value is the operation to run.
const COMMAND_INPUTS: &[&str] = &[
    "command",
    "action",
    "args",
    "cmd",
    "subcommand",
    "operation",
    "mode",
    "tg_command",
    "tf_command",
];

/// Whether `name` (a path or an action's name) or the call's inputs say it destroys.
fn says_destroy(name: &str, call: &Call) -> bool {
    let has_word = |text: &str| {
        let lower = text.to_ascii_lowercase();
        DESTROY_WORDS.iter().any(|w| lower.contains(w))
    };
    has_word(name)
        || call.with.iter().any(|(key, value, _)| {
            let key_lower = key.to_ascii_lowercase();
            let on = matches!(value.to_ascii_lowercase().as_str(), "true" | "yes" | "1");
            (has_word(&key_lower) && on)
                || (COMMAND_INPUTS.contains(&key_lower.as_str())
                    && (has_word(value)
                        || value
                            .split_whitespace()
                            .any(|w| matches!(w, "delete" | "remove" | "uninstall"))))
        })
}
