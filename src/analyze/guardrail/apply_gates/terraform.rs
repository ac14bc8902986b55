//! terraform: the gates of HCP Terraform, Spacelift, env0, Scalr and GitHub environments
//! as their Terraform providers declare them. Each gate is a setting ranked from loose (0)
//! to strict, with what its absence means; a change that lowers the rank loosens the gate.
//! Removing a resource that is itself a gate (a policy, a policy attachment, an environment
//! with its reviewers) loosens it too, unless a `moved` block, a sibling file or a
//! `removed { lifecycle { destroy = false } }` block keeps the real object.
//!
//! Deletion protections of these resources (`force_delete`, `protect_from_deletion`) are not
//! here: they guard the object itself and live in `terraform/guards.rs`.

use super::Loosening;
use crate::analyze::terraform::{
    self,
    model::{Item, ItemKind, Lit, TfFile},
};
use crate::analyze::FileView;
use crate::change::Side;

/// How a setting's value ranks; higher is stricter. `None`: not known (computed).
#[derive(Clone, Copy)]
enum Judge {
    /// `true` is strict.
    On,
    /// `false` is strict.
    Off,
    /// Named values, loosest first; anything else is unknown.
    Levels(&'static [&'static [&'static str]]),
    /// A number: larger is stricter.
    Number,
    /// A nested block: present is strict.
    Block,
}

struct Gate {
    types: &'static [&'static str],
    path: &'static str,
    judge: Judge,
    /// The rank when the setting is absent (the provider's default); `None` when unknown.
    absent: Option<f64>,
    /// What the loosened setting lets happen.
    allows: &'static str,
    destroys: bool,
}

const WORKSPACES: &[&str] = &["tfe_workspace", "tfe_workspace_settings", "scalr_workspace"];
const TFE_WORKSPACE: &[&str] = &["tfe_workspace", "tfe_workspace_settings"];
const SENTINEL: &[&[&str]] = &[
    &["advisory"],
    &["soft-mandatory"],
    &["hard-mandatory", "mandatory"],
];
const GH_ENV: &[&str] = &["github_repository_environment"];

const GATES: &[Gate] = &[
    Gate { types: WORKSPACES, path: "auto_apply", judge: Judge::Off, absent: Some(1.0), allows: "every successful plan is applied at once, with no one confirming the run", destroys: false },
    Gate { types: TFE_WORKSPACE, path: "auto_apply_run_trigger", judge: Judge::Off, absent: Some(1.0), allows: "runs queued by a run trigger are applied with no one confirming them", destroys: false },
    Gate { types: &["tfe_workspace"], path: "allow_destroy_plan", judge: Judge::Off, absent: Some(0.0), allows: "destroy plans may be queued on the workspace, and one confirmed run deletes everything it manages", destroys: true },
    Gate { types: TFE_WORKSPACE, path: "execution_mode", judge: Judge::Levels(&[&["local"], &["remote", "agent"]]), absent: None, allows: "runs happen wherever someone runs Terraform, outside HCP Terraform's run confirmation and policy checks", destroys: false },
    Gate { types: &["tfe_sentinel_policy"], path: "enforce_mode", judge: Judge::Levels(SENTINEL), absent: Some(1.0), allows: "a run that fails the policy can now be overridden or applied anyway", destroys: false },
    Gate { types: &["tfe_policy"], path: "enforce_mode", judge: Judge::Levels(SENTINEL), absent: Some(0.0), allows: "a run that fails the policy can now be overridden or applied anyway", destroys: false },
    Gate { types: &["tfe_policy_set"], path: "overridable", judge: Judge::Off, absent: Some(1.0), allows: "users allowed to override policies can apply past the set's mandatory policies", destroys: false },
    Gate { types: &["tfe_policy_set"], path: "global", judge: Judge::On, absent: Some(0.0), allows: "the policy set stops checking every workspace of the organization", destroys: false },
    Gate { types: &["spacelift_stack"], path: "autodeploy", judge: Judge::Off, absent: Some(1.0), allows: "a run on the tracked branch is applied with no one confirming it", destroys: false },
    Gate { types: &["spacelift_policy"], path: "type", judge: Judge::Levels(&[&["access", "git_push", "login", "notification", "push", "trigger", "task"], &["approval", "plan"]]), absent: None, allows: "it no longer approves or rejects runs", destroys: false },
    Gate { types: &["env0_environment"], path: "approve_plan_automatically", judge: Judge::Off, absent: None, allows: "deployments apply without waiting for someone to approve the plan", destroys: false },
    Gate { types: &["env0_environment"], path: "prevent_auto_deploy", judge: Judge::On, absent: Some(0.0), allows: "pushes deploy the environment automatically", destroys: false },
    Gate { types: &["env0_project_policy"], path: "requires_approval_default", judge: Judge::On, absent: None, allows: "new environments apply without waiting for someone to approve the plan", destroys: false },
    Gate { types: &["env0_project_policy"], path: "disable_destroy_environments", judge: Judge::On, absent: Some(0.0), allows: "environments of the project may be destroyed", destroys: true },
    Gate { types: GH_ENV, path: "reviewers", judge: Judge::Block, absent: Some(0.0), allows: "jobs deploying to the environment no longer wait for a required reviewer", destroys: false },
    Gate { types: GH_ENV, path: "prevent_self_review", judge: Judge::On, absent: Some(0.0), allows: "whoever triggered a deployment can approve it themselves", destroys: false },
    Gate { types: GH_ENV, path: "can_admins_bypass", judge: Judge::Off, absent: Some(0.0), allows: "administrators can deploy without the environment's reviewers", destroys: false },
    Gate { types: GH_ENV, path: "wait_timer", judge: Judge::Number, absent: Some(0.0), allows: "deployments start sooner, leaving less time to stop one", destroys: false },
    Gate { types: GH_ENV, path: "deployment_branch_policy", judge: Judge::Block, absent: Some(0.0), allows: "any branch, including an unreviewed one, can deploy to the environment", destroys: false },
];

/// Resource types that are a gate themselves: removing one (without keeping the real
/// object) removes the check it made.
const GATE_TYPES: &[(&str, &str)] = &[
    ("tfe_policy_set", "its policies no longer check any run"),
    ("tfe_sentinel_policy", "the policy no longer checks any run"),
    ("tfe_policy", "the policy no longer checks any run"),
    ("tfe_workspace_policy_set", "the workspace's runs are no longer checked by the policy set"),
    ("spacelift_policy_attachment", "the stack's runs are no longer checked by the policy"),
    ("env0_approval_policy", "deployments no longer wait for the approvals it required"),
    ("env0_approval_policy_assignment", "deployments no longer wait for the approvals it required"),
    ("github_repository_environment", "the environment and its required reviewers are deleted (a workflow naming it recreates it without protection)"),
];

/// Cheap test run before any parse: whether either side mentions a provider with gates.
/// Resource types whose settings gate an apply. A file declaring none of them (nearly every
/// one) is passed over after a look at its parse, which the Terraform analyzer shares.
fn declares_gates(file: &TfFile) -> bool {
    const PREFIXES: &[&str] = &[
        "tfe_",
        "spacelift_",
        "env0_",
        "scalr_workspace",
        "github_repository_environment",
    ];
    file.items
        .iter()
        .any(|i| PREFIXES.iter().any(|p| i.rtype.starts_with(p)))
}

pub fn loosenings(view: &FileView) -> Vec<Loosening> {
    let Some((base, head)) = terraform::parsed_sides(view) else {
        return Vec::new();
    };
    let empty = TfFile::default();
    let base: &TfFile = base.as_deref().unwrap_or(&empty);
    let head: &TfFile = head.as_deref().unwrap_or(&empty);
    if !declares_gates(base) && !declares_gates(head) {
        return Vec::new();
    }
    let mut out = Vec::new();
    for h in head.items.iter().filter(|i| i.kind == ItemKind::Resource) {
        let old = base.items.iter().find(|b| {
            b.kind == ItemKind::Resource && b.rtype == h.rtype && {
                let moved_to = head
                    .moved
                    .iter()
                    .find(|m| m.from == b.address)
                    .map(|m| &m.to);
                moved_to.unwrap_or(&b.address) == &h.address
            }
        });
        compare(old, h, &mut out);
    }
    for b in base.items.iter().filter(|i| i.kind == ItemKind::Resource) {
        let Some(effect) = gate_effect(b) else {
            continue;
        };
        let address = head
            .moved
            .iter()
            .find(|m| m.from == b.address)
            .map_or(b.address.as_str(), |m| m.to.as_str());
        let kept = head.item(address).is_some()
            || head
                .removed
                .iter()
                .any(|r| r.from == b.address && !r.destroys)
            || terraform::declared_in_sibling(view, address);
        if !kept {
            out.push(Loosening {
                side: Side::Base,
                line: b.line,
                text: format!("`{}` is removed: {effect}", b.address),
                destroys: false,
                subject: Some(b.address.clone()),
            });
        }
    }
    out
}

/// What removing `item` takes away, when it is a gate itself. A Spacelift policy is one
/// only when it approves or plans (or its type is not a literal).
fn gate_effect(item: &Item) -> Option<&'static str> {
    if item.rtype == "spacelift_policy" {
        let gating = match item.get("type").map(|s| &s.value) {
            Some(Lit::Str(t)) => matches!(t.to_ascii_uppercase().as_str(), "APPROVAL" | "PLAN"),
            Some(_) => true,
            None => false,
        };
        return gating.then_some("runs are no longer approved or rejected by the policy");
    }
    GATE_TYPES
        .iter()
        .find(|(t, _)| *t == item.rtype)
        .map(|(_, e)| *e)
}

fn rank(judge: Judge, item: &Item, path: &str) -> Option<Option<f64>> {
    if let Judge::Block = judge {
        let prefix = format!("{path}.");
        let present = item
            .settings
            .keys()
            .any(|k| k == path || k.starts_with(&prefix));
        return Some(Some(if present { 1.0 } else { 0.0 }));
    }
    let lit = &item.get(path)?.value;
    Some(match (judge, lit) {
        (Judge::On | Judge::Off, _) => lit.as_bool().map(|b| {
            if b == matches!(judge, Judge::On) {
                1.0
            } else {
                0.0
            }
        }),
        (Judge::Number, _) => lit.as_num(),
        (Judge::Levels(levels), Lit::Str(s)) => {
            let s = s.to_ascii_lowercase();
            levels
                .iter()
                .position(|l| l.contains(&s.as_str()))
                .map(|p| p as f64)
        }
        _ => None,
    })
}

fn shown(item: &Item, path: &str) -> String {
    match item.get(path) {
        Some(s) => format!("`{}`", s.value.render()),
        None if item
            .settings
            .keys()
            .any(|k| k.starts_with(&format!("{path}."))) =>
        {
            "present".to_owned()
        }
        None => "unset".to_owned(),
    }
}

fn compare(old: Option<&Item>, new: &Item, out: &mut Vec<Loosening>) {
    for g in GATES
        .iter()
        .filter(|g| g.types.contains(&new.rtype.as_str()))
    {
        let now = rank(g.judge, new, g.path);
        let line = |item: &Item| {
            item.get(g.path).map(|s| s.line).or_else(|| {
                item.settings
                    .iter()
                    .find(|(k, _)| k.starts_with(&format!("{}.", g.path)))
                    .map(|(_, s)| s.line)
            })
        };
        let (was, side, at) = match old {
            // A resource that already existed: compare with its own base value.
            Some(old) => {
                let was = rank(g.judge, old, g.path).unwrap_or(g.absent);
                let (side, at) = match line(new) {
                    Some(l) => (Side::Head, l),
                    None => (Side::Base, line(old).unwrap_or(old.line)),
                };
                (was, side, at)
            }
            // A new resource: only a value looser than the provider's default is news.
            None => match (line(new), now) {
                (Some(l), Some(_)) => (g.absent, Side::Head, l),
                _ => continue,
            },
        };
        let Some(was) = was else { continue };
        let now = now.unwrap_or(g.absent);
        let loosened = match now {
            Some(n) => n < was,
            // Computed: it may turn the gate off, unless it was already at its loosest.
            None => was > 0.0 && old.is_some(),
        };
        if !loosened {
            continue;
        }
        let before = old.map_or("unset".to_owned(), |o| shown(o, g.path));
        let verb = if now.is_none() {
            ", which may mean"
        } else {
            ", so"
        };
        out.push(Loosening {
            side,
            line: at,
            text: format!(
                "`{}` changes `{}` from {before} to {}{verb} {}",
                new.address,
                g.path,
                shown(new, g.path),
                g.allows
            ),
            destroys: g.destroys,
            subject: Some(new.address.clone()),
        });
    }
}
