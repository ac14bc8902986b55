//! conditions: what a change to the `Conditions` section can delete. A resource with
//! `Condition: X` exists only in the stacks where X holds, so when X's definition changes (or
//! the definition of a condition X builds on with `!Condition`), every stack where X turns
//! false deletes the resource on its next update. Which stacks those are depends on
//! parameters the template does not hold, so the finding says "may" and is graded below a
//! certain deletion. Conditions compare in canonical form: rewriting `!Equals` as
//! `Fn::Equals` changes nothing. Pure.

use super::template::{show, Template};
use super::{deletion_severity, describe, fate, RESOURCE_REMOVED};
use crate::analyze::FileView;
use crate::change::Side;
use crate::finding::{Finding, Severity};
use crate::yaml::{Node, Value};

/// How many gated resources a message names before it counts the rest.
const NAMED: usize = 4;

/// How deep `!Condition` references are followed; CloudFormation rejects cycles, and a
/// template this deep is not one a person wrote.
const DEPTH: usize = 16;

/// A condition's definition with every `!Condition` it uses replaced by that condition's
/// definition, recursively: two conditions with the same expansion hold in the same stacks,
/// whatever they or the conditions they build on are called.
pub(super) fn expansion(template: &Template, name: &str) -> Option<Node> {
    template.condition(name).map(|d| expand(template, d, DEPTH))
}

fn expand(template: &Template, node: &Node, depth: usize) -> Node {
    let value = match &node.value {
        Value::Map(entries) if entries.len() == 1 && entries[0].0 == "Condition" && depth > 0 => {
            let inner = entries[0]
                .1
                .as_str()
                .and_then(|name| template.condition(name));
            match inner {
                Some(definition) => return expand(template, definition, depth - 1),
                None => node.value.clone(),
            }
        }
        Value::Map(entries) => Value::Map(
            entries
                .iter()
                .map(|(k, v)| (k.clone(), expand(template, v, depth)))
                .collect(),
        ),
        Value::Seq(items) => Value::Seq(items.iter().map(|i| expand(template, i, depth)).collect()),
        Value::Tagged(tag, inner) => {
            Value::Tagged(tag.clone(), Box::new(expand(template, inner, depth)))
        }
        Value::Null | Value::Scalar(_) => node.value.clone(),
    };
    Node {
        line: node.line,
        end_line: node.end_line,
        value,
    }
}

/// The conditions defined on both sides whose outcome may differ, in head order.
fn changed(base: &Template, head: &Template) -> Vec<String> {
    head.conditions
        .iter()
        .map(|(name, _)| name)
        .filter(
            |name| match (expansion(base, name), expansion(head, name)) {
                (Some(was), Some(now)) => !was.same_value(&now),
                _ => false,
            },
        )
        .cloned()
        .collect()
}

/// One finding per changed condition that gates resources existing on both sides under it.
pub(super) fn condition_changes(view: &FileView, base: &Template, head: &Template) -> Vec<Finding> {
    let mut out = Vec::new();
    for name in changed(base, head) {
        let gated: Vec<_> = head
            .resources
            .iter()
            .filter(|r| r.node.get("Condition").and_then(Node::as_str) == Some(name.as_str()))
            .filter_map(|r| base.get(&r.id))
            .filter(|old| old.node.get("Condition").and_then(Node::as_str) == Some(name.as_str()))
            .collect();
        if gated.is_empty() {
            continue;
        }
        let Some(definition) = head.condition(&name) else {
            continue;
        };
        // Which way it turns, and where, is unknown: never more than medium.
        let severity = gated
            .iter()
            .map(|old| deletion_severity(old, &fate(old)))
            .max()
            .unwrap_or(Severity::Medium)
            .min(Severity::Medium);
        let mut names: Vec<String> = gated.iter().take(NAMED).map(|r| describe(r)).collect();
        if gated.len() > NAMED {
            names.push(format!("{} more", gated.len() - NAMED));
        }
        let how = match base.condition(&name) {
            Some(was) if !was.same_value(definition) => {
                format!(
                    "changes from {} to {}",
                    show(Some(was)),
                    show(Some(definition))
                )
            }
            _ => "builds on a condition whose definition changed".to_owned(),
        };
        let (exist, them) = if gated.len() == 1 {
            ("exists", "it")
        } else {
            ("exist", "them")
        };
        out.push(
            Finding::new(
                &RESOURCE_REMOVED,
                view.at(Side::Head, definition.line, definition.end_line),
                format!(
                    "The condition {name} {how} in {}; {} {exist} only where it holds, so in every stack where it now turns false, the next update deletes {them}.",
                    view.path_on(Side::Head),
                    names.join(", ")
                ),
            )
            .with_severity(severity)
            .with_safer(format!(
                "Check the condition's new outcome in every stack that deploys this template (a change set shows it); if {name} must now be false somewhere, first set `DeletionPolicy: Retain` on what it gates, or give those resources a condition of their own."
            )),
        );
    }
    out
}
