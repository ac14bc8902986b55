//! apply_gates: the settings of Terraform automation that decide whether a human approves
//! before an apply, and whether a destroy may run at all. Atlantis, Terrateam and Digger read
//! them from the repository (`atlantis.yaml`, the server's `repos.yaml`, `.terrateam/config.yml`,
//! `digger.yml`); HCP Terraform, Spacelift, env0, Scalr and GitHub environments are configured
//! through their Terraform providers. Loosening one turns off a protection for every later
//! change, so each loosened setting is a `guardrail` finding at the line that loosens it.
//!
//! Only loosenings are reported: a requirement added, an enforcement tightened, a workflow
//! renamed or a file reformatted is quiet. A side that cannot be read gives nothing here; the
//! commands analyzer already reports an unparseable pipeline file, and an unparseable
//! Terraform file is reported by the Terraform analyzer.

use super::super::{FileKind, FileView};
use crate::change::Side;
use crate::finding::{Finding, RuleId, Severity, Tag};
use crate::rules::Rule;

mod atlantis;
mod runners;
mod terraform;

pub const APPLY_APPROVAL_REMOVED: Rule = Rule {
    id: RuleId("guardrail/apply-approval-removed"),
    severity: Severity::High,
    tags: &[Tag::Guardrail],
    summary: "Terraform automation may now apply without a human's approval or a passing policy (Atlantis or Terrateam requirements dropped, auto-apply turned on, a Sentinel/OPA/Spacelift policy lowered, removed or detached, a GitHub environment's reviewers removed).",
    why: "Atlantis' `apply_requirements`, HCP Terraform's manual confirmation and policy sets, Spacelift's approval policies, env0's plan approval and a GitHub environment's required reviewers are what make a person read the plan before it changes real infrastructure. Turning one off lets this change, and every later one, apply unreviewed.",
    example: "  projects:\n  - dir: envs/prod\n-   apply_requirements: [approved, mergeable]\n+   apply_requirements: [mergeable]",
    safer: "Keep the approval requirement; change it only in its own pull request, approved by whoever owns the automation, and say which workspaces or projects it affects.",
};

pub const APPLY_DESTROY_ALLOWED: Rule = Rule {
    id: RuleId("guardrail/apply-destroy-allowed"),
    severity: Severity::High,
    tags: &[Tag::Guardrail, Tag::Destructive],
    summary: "Terraform automation is now allowed to run destroy plans (HCP Terraform's `allow_destroy_plan`, env0's `disable_destroy_environments` turned off).",
    why: "A workspace or project that refuses destroy plans cannot lose all of its infrastructure to one queued run; allowing them means a single run, or a single click, deletes everything the workspace manages.",
    example: "  resource \"tfe_workspace\" \"prod\" {\n-   allow_destroy_plan = false\n+   allow_destroy_plan = true",
    safer: "Keep destroy plans disabled on production workspaces; enable them only for the teardown itself, in its own reviewed change, and disable them again afterwards.",
};

pub const RULES: &[&Rule] = &[&APPLY_APPROVAL_REMOVED, &APPLY_DESTROY_ALLOWED];

/// One setting the change loosened, and the line that shows it (the head line of the new
/// value, or the base line of what was removed).
#[derive(Debug, Clone, PartialEq)]
pub struct Loosening {
    pub side: Side,
    pub line: u32,
    /// A clause, without a final full stop.
    pub text: String,
    /// Whether it allows a destroy, rather than an unapproved apply.
    pub destroys: bool,
    /// The Terraform address it is about, when there is one.
    pub subject: Option<String>,
}

impl Loosening {
    fn at(side: Side, line: u32, text: impl Into<String>) -> Self {
        Loosening {
            side,
            line,
            text: text.into(),
            destroys: false,
            subject: None,
        }
    }
}

/// Which automation reads a YAML file, by its path.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tool {
    /// `atlantis.yaml`: the repository's projects and workflows.
    AtlantisRepo,
    /// `repos.yaml`: the Atlantis server's side, told by its `repos:` list of `id:`s.
    AtlantisServer,
    Terrateam,
    Digger,
}

/// The automation whose settings the path holds, if any. Cheap: names only.
pub fn tool(path: &str) -> Option<Tool> {
    let name = path.rsplit('/').next().unwrap_or(path);
    match name {
        "atlantis.yaml" | "atlantis.yml" => Some(Tool::AtlantisRepo),
        "repos.yaml" | "repos.yml" => Some(Tool::AtlantisServer),
        "digger.yml" | "digger.yaml" => Some(Tool::Digger),
        "config.yml" | "config.yaml" if path.ends_with(&format!(".terrateam/{name}")) => {
            Some(Tool::Terrateam)
        }
        _ => None,
    }
}

pub fn analyze(view: &FileView) -> Vec<Finding> {
    let loosened = if view.kind == FileKind::Terraform {
        terraform::loosenings(view)
    } else {
        match tool(view.path().as_str()) {
            Some(Tool::AtlantisRepo) => atlantis::loosenings(view, false),
            Some(Tool::AtlantisServer) => atlantis::loosenings(view, true),
            Some(Tool::Terrateam) => runners::terrateam(view),
            Some(Tool::Digger) => runners::digger(view),
            None => Vec::new(),
        }
    };
    let path = view.path();
    loosened
        .into_iter()
        .map(|l| {
            let rule = if l.destroys {
                &APPLY_DESTROY_ALLOWED
            } else {
                &APPLY_APPROVAL_REMOVED
            };
            let f = Finding::new(
                rule,
                view.at(l.side, l.line, l.line),
                format!("{path}: {}.", l.text),
            );
            match l.subject {
                Some(s) => f.with_subject(s),
                None => f,
            }
        })
        .collect()
}

/// Both sides of a YAML file as documents: `None` when a side exists but cannot be read,
/// an empty list when it is absent.
fn yaml_sides(view: &FileView) -> Option<(Vec<crate::yaml::Node>, Vec<crate::yaml::Node>)> {
    let read = |content: &crate::change::Content| match content {
        crate::change::Content::Absent => Some(Vec::new()),
        crate::change::Content::Text(t) => crate::yaml::parse_documents(t).ok(),
        _ => None,
    };
    Some((read(view.old)?, read(view.new)?))
}

/// The items of a YAML list, or a single scalar as a list of one; lower-cased.
fn words(node: Option<&crate::yaml::Node>) -> Vec<String> {
    let Some(node) = node else {
        return Vec::new();
    };
    match node.as_str() {
        Some(s) if !s.is_empty() => vec![s.trim().to_ascii_lowercase()],
        Some(_) => Vec::new(),
        None => node
            .as_seq()
            .iter()
            .filter_map(|n| n.as_str())
            .map(|s| s.trim().to_ascii_lowercase())
            .collect(),
    }
}

/// A YAML boolean, as YAML 1.1 and 1.2 loaders read it.
fn yaml_bool(node: Option<&crate::yaml::Node>) -> Option<bool> {
    match node?.as_str()?.to_ascii_lowercase().as_str() {
        "true" | "yes" | "on" => Some(true),
        "false" | "no" | "off" => Some(false),
        _ => None,
    }
}

#[cfg(test)]
mod tests;
