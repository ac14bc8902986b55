//! widened: a destroy the base already ran that the head lets run more often. Two ways:
//! - the workflow starts on an event it did not before, one nobody chooses to fire (`push`,
//!   `schedule` or a new cron, `pull_request`, `workflow_run`…), or a `push`/`pull_request`
//!   drops the branch, tag or path filter that narrowed it; `workflow_dispatch` and
//!   `workflow_call` are someone deciding (a caller's own call is judged where it is written);
//! - the `if:` the destroy's step or job waited on is removed or loosened.
//!
//! Only destroys present on both sides are judged here (a new one is reported as new), and
//! only when `on:` or an `if:` differs between the sides, so most edits cost one comparison.

use super::expr::{self, Context, Inputs};
use super::{Doc, Guard, Sides, Site, Walker, DESTROY_TRIGGER_WIDENED};
use crate::analyze::FileView;
use crate::finding::Finding;
use crate::yaml::{Node, Value};

/// Events a person or a calling workflow fires on purpose.
const CHOSEN: &[&str] = &["workflow_dispatch", "workflow_call"];
/// Filters that let an event through only when it matches (`types: [closed]` for a preview
/// teardown on a closed pull request).
const FILTERS: &[&str] = &["branches", "tags", "paths", "types"];
/// Filters that hold an event back when it matches.
const IGNORES: &[&str] = &["branches-ignore", "tags-ignore", "paths-ignore"];

/// An automatic start the head adds: the event, and the line that adds it.
struct NewStart {
    event: String,
    line: u32,
}

pub fn check(view: &FileView, sides: &Sides) -> Vec<Finding> {
    let (base_on, head_on) = (sides.base.root.get("on"), sides.head.root.get("on"));
    let same_on = match (base_on, head_on) {
        (Some(b), Some(h)) => b.same_value(h),
        (None, None) => true,
        _ => false,
    };
    if same_on && conditions(&sides.base) == conditions(&sides.head) {
        return Vec::new();
    }
    if sides.base.root.is_null() {
        // An added workflow: its destroys are new, and reported as such.
        return Vec::new();
    }
    let walker = Walker {
        view,
        prune: false,
        depth: 0,
    };
    let none = Inputs::default();
    let cx = Context::with(&none);
    let base = walker.walk(&sides.base, &cx).sites;
    if base.is_empty() {
        return Vec::new();
    }
    let head = walker.walk(&sides.head, &cx).sites;
    let starts = match (base_on, head_on) {
        (Some(b), Some(h)) if !same_on => new_starts(b, h),
        _ => Vec::new(),
    };
    let mut findings = Vec::new();
    for site in &head {
        let key = site.key();
        let mut same = base.iter().filter(|b| b.key() == key);
        let Some(before) = same
            .clone()
            .find(|b| b.job == site.job)
            .or_else(|| same.next())
        else {
            continue;
        };
        if let Some(finding) = loosened(view, site, before) {
            findings.push(finding);
            continue;
        }
        if let Some(finding) = started_more(view, site, &starts) {
            findings.push(finding);
        }
    }
    findings
}

/// Every `if:` in the file, in order: what decides whether anything runs.
fn conditions(doc: &Doc) -> Vec<String> {
    fn collect(node: &Node, out: &mut Vec<String>) {
        match &node.value {
            Value::Map(entries) => {
                for (key, value) in entries {
                    if key == "if" {
                        out.push(value.as_str().unwrap_or_default().to_owned());
                    }
                    collect(value, out);
                }
            }
            Value::Seq(items) => items.iter().for_each(|i| collect(i, out)),
            Value::Tagged(_, inner) => collect(inner, out),
            Value::Null | Value::Scalar(_) => {}
        }
    }
    let mut out = Vec::new();
    collect(doc.root, &mut out);
    out
}

/// The parts of a condition that must all hold: its `&&` terms, unless an `||` makes the
/// whole one piece. Spaces are dropped so reformatting is not a change.
fn terms(guard: &Guard) -> Vec<String> {
    let text: String = expr::unwrapped(&guard.text)
        .chars()
        .filter(|c| !c.is_whitespace())
        .collect();
    if text.contains("||") {
        return vec![text];
    }
    text.split("&&")
        .map(|t| t.trim_start_matches('(').trim_end_matches(')').to_owned())
        .collect()
}

/// The base's guard of a destroy no longer fully held on the head: a term gone or rewritten.
fn loosened(view: &FileView, site: &Site, before: &Site) -> Option<Finding> {
    let kept: Vec<String> = site.guards.iter().flat_map(terms).collect();
    let lost = before
        .guards
        .iter()
        .find(|g| terms(g).iter().any(|t| !kept.contains(t)))?;
    let now = match site.guards.as_slice() {
        [] => "no condition".to_owned(),
        guards => guards
            .iter()
            .map(|g| format!("`{}`", g.text))
            .collect::<Vec<_>>()
            .join(" and "),
    };
    let line = site.guards.last().map_or(site.line, |g| g.line);
    let runs = runs(site);
    Some(site.finding(
        view,
        &DESTROY_TRIGGER_WIDENED,
        line,
        format!(
            "The condition `if: {}` that held back {runs} is gone (now {now}), so it runs whenever the job does: {}",
            lost.text, site.hit.message
        ),
    ))
}

/// The new automatic starts `site` is not kept from by its own conditions.
fn started_more(view: &FileView, site: &Site, starts: &[NewStart]) -> Option<Finding> {
    let none = Inputs::default();
    let reaching: Vec<&NewStart> = starts
        .iter()
        .filter(|start| {
            // On an automatic event the inputs are empty and the event's name is known.
            let cx = Context {
                inputs: &none,
                missing_inputs_empty: true,
                event: Some(&start.event),
            };
            !site
                .guards
                .iter()
                .any(|g| expr::condition(&g.text, &cx) == Some(false))
        })
        .collect();
    let first = reaching.first()?;
    let mut events: Vec<String> = reaching.iter().map(|s| format!("`{}`", s.event)).collect();
    events.dedup();
    Some(site.finding(
        view,
        &DESTROY_TRIGGER_WIDENED,
        first.line,
        format!(
            "The workflow now also starts on {}, and nothing keeps {} from running then: {}",
            events.join(", "),
            runs(site),
            site.hit.message
        ),
    ))
}

/// "job `x`'s destroy" for a message, naming the called file when there is one.
fn runs(site: &Site) -> String {
    let job = if site.job.is_empty() {
        "the step".to_owned()
    } else {
        format!("job `{}`", site.job)
    };
    if site.via.is_empty() {
        format!("the destroy in {job} (line {})", site.line)
    } else {
        format!("the destroy {job} runs through {}", site.origin())
    }
}

/// The events of `on:` (a name, a list or a map), each with its node when it has one.
fn events(on: &Node) -> Vec<(String, Option<&Node>, u32)> {
    match &on.value {
        Value::Scalar(s) => vec![(s.clone(), None, on.line)],
        Value::Seq(items) => items
            .iter()
            .filter_map(|i| Some((i.as_str()?.to_owned(), None, i.line)))
            .collect(),
        Value::Map(entries) => entries
            .iter()
            .map(|(k, v)| (k.clone(), Some(v), v.line))
            .collect(),
        _ => Vec::new(),
    }
}

/// The automatic starts `head` has that `base` does not.
fn new_starts(base: &Node, head: &Node) -> Vec<NewStart> {
    let before = events(base);
    let mut out = Vec::new();
    for (event, config, line) in events(head) {
        if CHOSEN.contains(&event.as_str()) {
            continue;
        }
        let Some((_, old, _)) = before.iter().find(|(e, _, _)| *e == event) else {
            out.push(NewStart { event, line });
            continue;
        };
        if event == "schedule" {
            let crons = |n: Option<&Node>| -> Vec<String> {
                n.map(Node::as_seq)
                    .unwrap_or(&[])
                    .iter()
                    .filter_map(|c| c.get("cron").and_then(Node::as_str).map(str::to_owned))
                    .collect()
            };
            let old_crons = crons(*old);
            for cron in config.map(Node::as_seq).unwrap_or(&[]) {
                let text = cron.get("cron").and_then(Node::as_str).unwrap_or_default();
                if !old_crons.iter().any(|c| c == text) {
                    out.push(NewStart {
                        event: event.clone(),
                        line: cron.line,
                    });
                }
            }
            continue;
        }
        if filters_widened(*old, config) {
            out.push(NewStart { event, line });
        }
    }
    out
}

/// Whether an event's filters let more through on the head: a filter dropped, a value added
/// to one that admits (`types: [closed]` gaining `opened`), or a value removed from one that
/// holds back.
fn filters_widened(base: Option<&Node>, head: Option<&Node>) -> bool {
    let values = |n: Option<&Node>, f: &str| -> Option<Vec<String>> {
        let node = n?.get(f)?;
        Some(match node.as_str() {
            Some(one) => vec![one.to_owned()],
            None => node
                .as_seq()
                .iter()
                .filter_map(|v| v.as_str().map(str::to_owned))
                .collect(),
        })
    };
    let admits_more = FILTERS
        .iter()
        .any(|f| match (values(base, f), values(head, f)) {
            (Some(_), None) => true,
            (Some(old), Some(new)) => new.iter().any(|v| !old.contains(v)),
            _ => false,
        });
    let holds_less = IGNORES.iter().any(|f| {
        let new = values(head, f).unwrap_or_default();
        values(base, f).is_some_and(|old| old.iter().any(|v| !new.contains(v)))
    });
    admits_more || holds_less
}
