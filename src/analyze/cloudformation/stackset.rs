//! stackset: what an update of an `AWS::CloudFormation::StackSet` deletes without the stack set
//! itself going. A stack set deploys one stack per target (an account, or an organizational unit
//! and the accounts in it) and region listed in `StackInstancesGroup`; a target or region that
//! leaves the list has its stack instances deleted, with every resource they hold, in accounts
//! this template does not show. Pure: compares the two sides' instance groups and nothing else.

use super::template::{show, Resource};
use super::{FileView, DESTRUCTIVE};
use crate::change::Side;
use crate::finding::{Finding, RuleId, Severity};
use crate::rules::Rule;
use crate::yaml::Node;

pub const STACK_INSTANCES_REMOVED: Rule = Rule {
    id: RuleId("cloudformation/stack-instances-removed"),
    severity: Severity::High,
    tags: DESTRUCTIVE,
    summary: "A stack set stops deploying to an account, organizational unit or region, so the stack instances there are deleted.",
    why: "An `AWS::CloudFormation::StackSet` keeps one stack per target and region in its \
          `StackInstancesGroup`. When a target (`Accounts`, `OrganizationalUnitIds`) or a region \
          leaves a group, the next update deletes the stacks deployed there, and every resource \
          they hold, in accounts the template does not show. High: what those stacks hold is not \
          in this template.",
    example: "before: Regions: [eu-west-1, us-east-1]\nafter:  Regions: [eu-west-1]",
    safer: "Check what the stacks in the dropped accounts or regions hold; set `DeletionPolicy: Retain` \
            on their stateful resources (in the stack set's template) first, or keep the target listed.",
};

/// One account or organizational unit and one region a stack set deploys a stack to. Values
/// computed by an intrinsic function are kept in their rendered form, so a target that stays
/// computed the same way is still the same target.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Instance {
    target: String,
    region: String,
}

/// The (target, region) pairs of a stack set, in file order, with the group each comes from.
fn instances(r: &Resource) -> Vec<(Instance, &Node)> {
    let mut out = Vec::new();
    let Some(groups) = r.property("StackInstancesGroup") else {
        return out;
    };
    for group in groups.as_seq() {
        let targets = group.get("DeploymentTargets");
        let listed = |key: &str, what: &str| -> Vec<String> {
            targets
                .and_then(|t| t.get(key))
                .map(|v| {
                    words(v)
                        .into_iter()
                        .map(|w| format!("{what} {w}"))
                        .collect()
                })
                .unwrap_or_default()
        };
        let mut names = listed("Accounts", "account");
        names.extend(listed("OrganizationalUnitIds", "organizational unit"));
        let regions = group.get("Regions").map(words).unwrap_or_default();
        for target in &names {
            for region in &regions {
                out.push((
                    Instance {
                        target: target.clone(),
                        region: region.clone(),
                    },
                    group,
                ));
            }
        }
    }
    out
}

/// The items of a list, each as text (`!Ref Accounts` as a whole is one item).
fn words(node: &Node) -> Vec<String> {
    match node.as_seq() {
        [] if !node.is_null() => vec![node
            .as_str()
            .map_or_else(|| show(Some(node)), str::to_owned)],
        items => items
            .iter()
            .map(|i| i.as_str().map_or_else(|| show(Some(i)), str::to_owned))
            .collect(),
    }
}

/// One finding per stack set whose head deploys to fewer (target, region) pairs than its base.
pub(super) fn removed(view: &FileView, old: &Resource, new: &Resource, out: &mut Vec<Finding>) {
    if new.kind != "AWS::CloudFormation::StackSet" {
        return;
    }
    let now = instances(new);
    let gone: Vec<Instance> = instances(old)
        .into_iter()
        .map(|(i, _)| i)
        .filter(|i| !now.iter().any(|(n, _)| n == i))
        .collect();
    if gone.is_empty() {
        return;
    }
    let (line, end) = new.line_of("StackInstancesGroup");
    let mut named: Vec<String> = gone
        .iter()
        .take(4)
        .map(|i| format!("{} in {}", i.target, i.region))
        .collect();
    if gone.len() > 4 {
        named.push(format!("{} more", gone.len() - 4));
    }
    out.push(Finding::new(
        &STACK_INSTANCES_REMOVED,
        view.at(Side::Head, line, end),
        format!(
            "AWS::CloudFormation::StackSet {} in {} no longer deploys to {}: the next update deletes the stack instances there, and every resource they hold.",
            new.id,
            view.path_on(Side::Head),
            named.join(", ")
        ),
    ));
}
