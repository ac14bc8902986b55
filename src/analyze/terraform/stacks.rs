//! stacks: Terraform Stacks configuration, the component files (`*.tfcomponent.hcl`, the
//! beta's `*.tfstack.hcl`) and the deployment files (`*.tfdeploy.hcl`). A component is a
//! module call repeated in every deployment, so it is judged as one: removed, handed to a
//! `removed` block (which destroys: Stacks cannot forget a component), pointed at another
//! module, handed weaker inputs, or instances dropped from its `for_each`. A deployment given
//! `destroy = true` or dropped from the file takes its copy of the infrastructure with it. A
//! deployment group whose auto-approve checks stop looking at `context.plan.changes.remove`
//! (or `total`) lets a plan that deletes be applied with no human approval.
//!
//! Stacks read a directory as one configuration, as Terraform does: a block that moved to a
//! sibling file is still declared. Each side is parsed once with hcl-edit; a side that does
//! not parse needs a human (`terraform/unparseable`). Pure: texts come from the view and its
//! snapshot.

use super::model::{
    flatten_object, lit, literal_keys, traversal_address, Item, ItemKind, Lines, Setting, TfFile,
};
use super::{instances, modules, MODULE_REMOVED, REMOVED_BLOCK_DESTROYS, UNPARSEABLE};
use crate::analyze::{read_sides, FileView, Unparseable};
use crate::change::{RepoPath, Side};
use crate::finding::{Finding, RuleId, Severity, Tag};
use crate::rules::Rule;
use hcl_edit::expr::Expression;
use hcl_edit::structure::Block;
use hcl_edit::Span;
use std::collections::BTreeMap;
use std::sync::Arc;

const DESTRUCTIVE: &[Tag] = &[Tag::Destructive, Tag::Infra];

pub const DEPLOYMENT_DESTROYED: Rule = Rule {
    id: RuleId("terraform/deployment-destroyed"),
    severity: Severity::Critical,
    tags: DESTRUCTIVE,
    summary: "A Terraform Stacks deployment was given `destroy = true` or removed, so the infrastructure it deployed goes.",
    why: "Each `deployment` block of a `.tfdeploy.hcl` file is one copy of the Stack's infrastructure \
          (every component) with its own state. `destroy = true` makes HCP Terraform plan to destroy \
          all of it. Removing the block stops HCP Terraform from planning the deployment: its \
          resources are left running and unmanaged, or destroyed when the deployment is deleted. \
          Critical for `destroy = true`, high for a removed block.",
    example: "before: deployment \"production\" { inputs = { … } }\n\
              after:  deployment \"production\" { inputs = { … }  destroy = true }",
    safer: "Destroy a deployment in its own reviewed change, with the plan read first; to stop managing it \
            without destroying it, keep the block until its resources have been handed to another \
            configuration (`removed` with `destroy = false` or `import` blocks there).",
};

pub const AUTO_APPROVE_DELETES: Rule = Rule {
    id: RuleId("terraform/auto-approve-deletes"),
    severity: Severity::High,
    tags: DESTRUCTIVE,
    summary: "A Stacks auto-approve rule no longer holds back plans that delete, so a destroy is applied with no human approval.",
    why: "A `deployment_group` applies its deployments' plans without approval when every check of the \
          `deployment_auto_approve` rules it lists passes (the beta's `orchestrate \"auto_approve\"` \
          rules did the same for every deployment). A check on `context.plan.changes.remove` (or \
          `total`) is what keeps a plan that destroys resources waiting for a person. Reported when a \
          group (or a beta rule) that held such plans back, or did not auto-approve at all, now \
          auto-approves with no check on removals, and when a deployment joins such a group.",
    example: "before: condition = context.plan.changes.remove == 0\n\
              after:  condition = context.plan.changes.total < 50",
    safer: "Keep a check such as `context.plan.changes.remove == 0` in every auto-approve rule a group \
            uses, so plans that destroy wait for a reviewer.",
};

pub const RULES: &[&Rule] = &[&DEPLOYMENT_DESTROYED, &AUTO_APPROVE_DELETES];

/// Whether a path is a Stacks configuration file.
pub fn is_stack_path(path: &RepoPath) -> bool {
    crate::analyze::classify::classify(path, None)
        == crate::analyze::classify::FileKind::TerraformStack
}

/// A `deployment` block.
#[derive(Debug, Clone)]
struct Deployment {
    line: u32,
    destroy: bool,
    /// The `deployment_group` it joins; `None` for HCP Terraform's default group.
    group: Option<String>,
}

/// An auto-approve rule: `deployment_auto_approve "<name>"`, or the beta's
/// `orchestrate "auto_approve" "<name>"`, which applied to every deployment.
#[derive(Debug, Clone)]
struct AutoApprove {
    line: u32,
    legacy: bool,
    /// Whether one of its checks reads how many objects the plan removes (or changes in all).
    holds_back_removals: bool,
}

/// A `deployment_group` and the auto-approve rules it lists.
#[derive(Debug, Clone)]
struct Group {
    line: u32,
    checks: Vec<String>,
}

/// A `removed` block of a component file.
#[derive(Debug, Clone)]
struct RemovedComponent {
    /// `component.<name>`, instance keys dropped.
    from: String,
    line: u32,
    destroys: bool,
}

/// One Stacks file reduced to what the checks compare.
#[derive(Debug, Clone, Default)]
struct StackFile {
    /// Components as module-call items (`component.<name>`), their `inputs` as arguments.
    components: TfFile,
    removed: Vec<RemovedComponent>,
    deployments: BTreeMap<String, Deployment>,
    rules: BTreeMap<String, AutoApprove>,
    groups: BTreeMap<String, Group>,
}

/// Parses a Stacks file (component or deployment configuration: the blocks do not overlap).
fn parse(text: &str) -> Result<StackFile, super::model::ParseError> {
    let body = hcl_edit::parser::parse_body(text).map_err(|e| super::model::ParseError {
        line: u32::try_from(e.location().line()).ok(),
        reason: e.message().trim().to_owned(),
    })?;
    let lines = Lines::new(text);
    let mut file = StackFile::default();
    for block in body.blocks() {
        let labels: Vec<&str> = block.labels.iter().map(|l| l.as_str()).collect();
        let line = lines.span(block.span()).0;
        match (block.ident.as_str(), labels.as_slice()) {
            ("component", [name]) => file.components.items.push(component(block, name, &lines)),
            ("removed", []) => {
                let from = block
                    .body
                    .get_attribute("from")
                    .and_then(|a| traversal_address(&a.value));
                if let Some(from) = from.filter(|f| f.starts_with("component.")) {
                    // Stacks' `removed` block destroys; a `destroy = false`, should a version
                    // accept one, is honoured as in Terraform.
                    let destroy = block
                        .body
                        .get_blocks("lifecycle")
                        .find_map(|l| l.body.get_attribute("destroy"))
                        .and_then(|a| lit(&a.value).as_bool());
                    file.removed.push(RemovedComponent {
                        from,
                        line,
                        destroys: destroy != Some(false),
                    });
                }
            }
            ("deployment", [name]) => {
                let destroy = block
                    .body
                    .get_attribute("destroy")
                    .and_then(|a| lit(&a.value).as_bool())
                    == Some(true);
                let group = block
                    .body
                    .get_attribute("deployment_group")
                    .and_then(|a| traversal_address(&a.value))
                    .map(|g| g.trim_start_matches("deployment_group.").to_owned());
                file.deployments.insert(
                    (*name).to_owned(),
                    Deployment {
                        line,
                        destroy,
                        group,
                    },
                );
            }
            ("deployment_auto_approve", [name]) => {
                file.rules
                    .insert((*name).to_owned(), auto_approve(block, line, false));
            }
            ("orchestrate", ["auto_approve", name]) => {
                file.rules.insert(
                    format!("orchestrate.{name}"),
                    auto_approve(block, line, true),
                );
            }
            ("deployment_group", [name]) => {
                let checks = block
                    .body
                    .get_attribute("auto_approve_checks")
                    .map(|a| references(&a.value))
                    .unwrap_or_default();
                file.groups
                    .insert((*name).to_owned(), Group { line, checks });
            }
            _ => {}
        }
    }
    Ok(file)
}

/// A `component` block as a module-call item: `source`, `version` and `for_each` as a module
/// call has them, each key of `inputs` as an argument.
fn component(block: &Block, name: &str, lines: &Lines) -> Item {
    let (line, end_line) = lines.span(block.span());
    let mut settings = BTreeMap::new();
    for attr in block.body.attributes() {
        let key = attr.key.as_str();
        if key == "inputs" {
            flatten_object(&attr.value, "", lines, &mut settings);
        } else {
            settings.insert(
                key.to_owned(),
                Setting {
                    value: lit(&attr.value),
                    line: lines.span(attr.span()).0,
                },
            );
        }
    }
    Item {
        kind: ItemKind::Module,
        address: format!("component.{name}"),
        rtype: "module".to_owned(),
        line,
        end_line,
        for_each_keys: block
            .body
            .get_attribute("for_each")
            .and_then(|a| literal_keys(&a.value)),
        ignore_changes: Vec::new(),
        settings,
    }
}

/// The comparisons that let only plans removing nothing through, spaces dropped: a check on
/// removals (or on all changes) against zero. A looser bound (`changes.total < 50`) lets a
/// plan that destroys through.
const NO_REMOVALS: &[&str] = &[
    "changes.remove==0",
    "changes.remove<1",
    "changes.remove<=0",
    "0==context.plan.changes.remove",
    "changes.total==0",
    "changes.total<1",
    "changes.total<=0",
    "0==context.plan.changes.total",
];

/// Whether `text` holds the comparison `pattern` whole: `changes.total<1` is not in
/// `changes.total<100`.
fn compares(text: &str, pattern: &str) -> bool {
    text.match_indices(pattern).any(|(at, _)| {
        !text[at + pattern.len()..]
            .starts_with(|c: char| c.is_ascii_alphanumeric() || c == '.' || c == '_')
    })
}

fn auto_approve(block: &Block, line: u32, legacy: bool) -> AutoApprove {
    let holds_back_removals = block.body.get_blocks("check").any(|check| {
        check.body.get_attribute("condition").is_some_and(|c| {
            let text: String = lit(&c.value)
                .render()
                .chars()
                .filter(|c| !c.is_whitespace())
                .collect();
            // `remove == 0 || other` lets a destroying plan through on `other`: every
            // alternative must hold the check (a split that cuts a parenthesis only makes
            // twokey ask for more, never less).
            text.split("||")
                .all(|alternative| NO_REMOVALS.iter().any(|p| compares(alternative, p)))
        })
    });
    AutoApprove {
        line,
        legacy,
        holds_back_removals,
    }
}

/// The rule names of `[deployment_auto_approve.a, deployment_auto_approve.b]`.
fn references(expr: &Expression) -> Vec<String> {
    match expr {
        Expression::Array(items) => items
            .iter()
            .filter_map(traversal_address)
            .map(|r| r.trim_start_matches("deployment_auto_approve.").to_owned())
            .collect(),
        // Not a literal list: unknown, judged as no change.
        _ => vec!["?".to_owned()],
    }
}

/// The Stacks files of one directory on one side, merged: the file under review and the
/// siblings the change touches (an untouched sibling is the same on both sides, so it cannot
/// explain a block that left this file).
struct Stack {
    own: StackFile,
    all: StackFile,
}

impl Stack {
    fn load(view: &FileView, side: Side, own: Option<StackFile>) -> Stack {
        let own = own.unwrap_or_default();
        let path = view.path_on(side);
        let mut all = own.clone();
        for sibling in view.snapshot.list_dir(side, path.dir()) {
            if sibling == *path || !is_stack_path(&sibling) || !view.memo.worth_reading(&sibling) {
                continue;
            }
            let content = view.snapshot.read(side, &sibling);
            // A sibling that does not parse is reported by its own review.
            if let Some(Ok(f)) = content.text().map(parse) {
                all.components.items.extend(f.components.items);
                all.removed.extend(f.removed);
                all.deployments.extend(f.deployments);
                all.rules.extend(f.rules);
                all.groups.extend(f.groups);
            }
        }
        Stack { own, all }
    }
}

impl StackFile {
    /// Whether `group` auto-approves plans without looking at removals. A group listing no
    /// rule, or a rule twokey cannot find, is not judged so.
    fn group_approves_deletes(&self, group: &str) -> bool {
        let Some(g) = self.groups.get(group) else {
            return false;
        };
        !g.checks.is_empty()
            && g.checks
                .iter()
                .all(|c| self.rules.get(c).is_some_and(|r| !r.holds_back_removals))
    }
    fn component_gone(&self, address: &str) -> bool {
        self.components.item(address).is_none()
    }
    fn removes(&self, address: &str) -> bool {
        self.removed.iter().any(|r| r.from == address && r.destroys)
    }
}

/// Analyzes one changed Stacks file.
pub fn analyze(view: &FileView) -> Vec<Finding> {
    let read = |side: Side, text: &str| {
        parse(text).map_err(|e| Unparseable {
            side,
            line: e.line,
            reason: e.reason,
        })
    };
    let (base, head) = match read_sides(view, &UNPARSEABLE, read) {
        Ok(sides) => sides,
        Err(unreadable) => return unreadable,
    };
    let base = Stack::load(view, Side::Base, base);
    let head = Stack::load(view, Side::Head, head);
    let mut out = Vec::new();
    components(view, &base, &head, &mut out);
    deployments(view, &base, &head, &mut out);
    auto_approval(view, &base, &head, &mut out);
    out
}

fn components(view: &FileView, base: &Stack, head: &Stack, out: &mut Vec<Finding>) {
    let path = view.path_on(Side::Base);
    for old in &base.own.components.items {
        if !head.all.component_gone(&old.address) || head.all.removes(&old.address) {
            continue;
        }
        out.push(
            Finding::new(
                &MODULE_REMOVED,
                view.at(Side::Base, old.line, old.end_line),
                format!(
                    "Component `{}`{} was removed from {path}, so the next run of each deployment destroys every resource it manages.",
                    old.address,
                    old.source().map(|s| format!(" (source `{s}`)")).unwrap_or_default()
                ),
            )
            .with_subject(&old.address)
            .with_safer(
                "Keep the component while its resources are needed; to retire it, replace it with a `removed { from = <component>  source = …  providers = … }` block in a change of its own, and read each deployment's plan.",
            ),
        );
    }
    for r in head.own.removed.iter().filter(|r| r.destroys) {
        if base.all.removes(&r.from) {
            continue;
        }
        out.push(
            Finding::new(
                &REMOVED_BLOCK_DESTROYS,
                view.at(Side::Head, r.line, r.line),
                format!(
                    "`removed {{ from = {} }}` retires the component, so the next run of each deployment destroys every resource it manages.",
                    r.from
                ),
            )
            .with_severity(Severity::Critical)
            .with_subject(&r.from)
            .with_safer("Keep the component while its resources are needed; a Stacks `removed` block destroys, it cannot hand the resources over."),
        );
    }
    let head_file = Arc::new(head.own.components.clone());
    for new in &head.own.components.items {
        let Some(old) = base.all.components.item(&new.address) else {
            continue;
        };
        let first = out.len();
        instances(view, &head_file, old, new, out);
        modules::arguments(view, old, new, out);
        modules::source_changed(view, &head_file, old, new, out);
        for f in &mut out[first..] {
            f.subject.get_or_insert_with(|| new.address.clone());
        }
    }
}

fn deployments(view: &FileView, base: &Stack, head: &Stack, out: &mut Vec<Finding>) {
    let path = view.path_on(Side::Base);
    for (name, old) in &base.own.deployments {
        if old.destroy || head.all.deployments.contains_key(name) {
            continue;
        }
        out.push(
            Finding::new(
                &DEPLOYMENT_DESTROYED,
                view.at(Side::Base, old.line, old.line),
                format!(
                    "Deployment `{name}` was removed from {path}: HCP Terraform stops planning it, so its copy of every component's resources is left running unmanaged, or destroyed when the deployment is deleted."
                ),
            )
            .with_severity(Severity::High)
            .with_subject(format!("deployment.{name}")),
        );
    }
    for (name, new) in &head.own.deployments {
        let was_live = base.all.deployments.get(name).is_some_and(|d| !d.destroy);
        if new.destroy && was_live {
            out.push(
                Finding::new(
                    &DEPLOYMENT_DESTROYED,
                    view.at(Side::Head, new.line, new.line),
                    format!(
                        "Deployment `{name}` now sets `destroy = true`, so its next run destroys every resource of every component in that deployment, with the data they hold."
                    ),
                )
                .with_subject(format!("deployment.{name}")),
            );
        }
    }
}

fn auto_approval(view: &FileView, base: &Stack, head: &Stack, out: &mut Vec<Finding>) {
    let mut reported: Vec<String> = Vec::new();
    let mut report = |out: &mut Vec<Finding>, line: u32, subject: String, message: String| {
        if !reported.contains(&subject) {
            out.push(
                Finding::new(
                    &AUTO_APPROVE_DELETES,
                    view.at(Side::Head, line, line),
                    message,
                )
                .with_subject(&subject),
            );
            reported.push(subject);
        }
    };
    // Groups that auto-approve deletions now and did not before, located at the group when this
    // file declares it, else at a rule of the group this file changed.
    for name in head.all.groups.keys() {
        if !head.all.group_approves_deletes(name) || base.all.group_approves_deletes(name) {
            continue;
        }
        let line = head.own.groups.get(name).map(|g| g.line).or_else(|| {
            head.all.groups.get(name).and_then(|g| {
                g.checks
                    .iter()
                    .find_map(|c| head.own.rules.get(c).map(|r| r.line))
            })
        });
        if let Some(line) = line {
            let members = members(&head.all, name);
            report(out, line, format!("deployment_group.{name}"), format!(
                "Deployment group `{name}`{members} now auto-approves plans without a check on `context.plan.changes.remove`, so a plan that destroys resources is applied with no human approval."
            ));
        }
    }
    // Beta rules applied to every deployment.
    for (name, rule) in head
        .own
        .rules
        .iter()
        .filter(|(_, r)| r.legacy && !r.holds_back_removals)
    {
        if base
            .all
            .rules
            .get(name)
            .is_some_and(|r| !r.holds_back_removals)
        {
            continue;
        }
        let label = name.trim_start_matches("orchestrate.");
        report(out, rule.line, format!("orchestrate.auto_approve.{label}"), format!(
            "`orchestrate \"auto_approve\" \"{label}\"` now approves plans without a check on `context.plan.changes.remove`, so a plan that destroys resources in any deployment is applied with no human approval."
        ));
    }
    // A deployment moved into a group that auto-approves deletions, from one that did not.
    for (name, new) in &head.own.deployments {
        let Some(old) = base.all.deployments.get(name) else {
            continue;
        };
        let (Some(group), true) = (&new.group, new.group != old.group) else {
            continue;
        };
        let was = old
            .group
            .as_deref()
            .is_some_and(|g| base.all.group_approves_deletes(g));
        if head.all.group_approves_deletes(group) && !was {
            report(out, new.line, format!("deployment.{name}"), format!(
                "Deployment `{name}` joined group `{group}`, which auto-approves plans without a check on `context.plan.changes.remove`: a plan that destroys its resources is applied with no human approval."
            ));
        }
    }
}

/// ` (deployments `a`, `b`)` for the deployments of `group`, or nothing.
fn members(file: &StackFile, group: &str) -> String {
    let names: Vec<String> = file
        .deployments
        .iter()
        .filter(|(_, d)| d.group.as_deref() == Some(group))
        .map(|(n, _)| format!("`{n}`"))
        .collect();
    if names.is_empty() {
        String::new()
    } else {
        format!(" (deployments {})", names.join(", "))
    }
}
