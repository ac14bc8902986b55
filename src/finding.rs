//! finding: what an analyzer reports, and the vocabulary (rule ids, severities, tags) it
//! reports it in. Findings are data; deciding what they mean for a merge is the policy's job.

use crate::change::{RepoPath, Side};
use serde::{Deserialize, Serialize};
use std::fmt;

/// A stable rule id, `<ecosystem>/<what-happens>`, for example `terraform/resource-removed`.
/// Ids appear in users' allow-lists: never rename one that has shipped.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(transparent)]
pub struct RuleId(pub &'static str);

impl RuleId {
    pub fn as_str(&self) -> &'static str {
        self.0
    }
    /// The ecosystem part, before the `/`.
    pub fn ecosystem(&self) -> &'static str {
        self.0.split_once('/').map(|(e, _)| e).unwrap_or(self.0)
    }
}

impl fmt::Display for RuleId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.0)
    }
}

/// How much a finding can destroy, lowest first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Low,
    Medium,
    High,
    Critical,
}

impl Severity {
    pub const ALL: [Severity; 4] = [
        Severity::Low,
        Severity::Medium,
        Severity::High,
        Severity::Critical,
    ];
    /// One step more severe (critical stays critical).
    pub fn raised(self) -> Severity {
        match self {
            Severity::Low => Severity::Medium,
            Severity::Medium => Severity::High,
            Severity::High | Severity::Critical => Severity::Critical,
        }
    }
    /// One step less severe (low stays low).
    pub fn lowered(self) -> Severity {
        match self {
            Severity::Low | Severity::Medium => Severity::Low,
            Severity::High => Severity::Medium,
            Severity::Critical => Severity::High,
        }
    }
    pub fn as_str(&self) -> &'static str {
        match self {
            Severity::Low => "low",
            Severity::Medium => "medium",
            Severity::High => "high",
            Severity::Critical => "critical",
        }
    }
    pub fn parse(s: &str) -> Option<Severity> {
        Severity::ALL.into_iter().find(|v| v.as_str() == s)
    }
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The labels a change earns. Policy tiers select on them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Tag {
    /// Written, wholly or partly, by an AI coding agent.
    AgentAuthored,
    /// Touches infrastructure code.
    Infra,
    /// Deletes or replaces something that holds state or serves traffic.
    Destructive,
    /// Changes the gate itself: review rules, ownership, twokey's config or workflow.
    Guardrail,
}

impl Tag {
    pub const ALL: [Tag; 4] = [
        Tag::AgentAuthored,
        Tag::Infra,
        Tag::Destructive,
        Tag::Guardrail,
    ];
    pub fn as_str(&self) -> &'static str {
        match self {
            Tag::AgentAuthored => "agent-authored",
            Tag::Infra => "infra",
            Tag::Destructive => "destructive",
            Tag::Guardrail => "guardrail",
        }
    }
    pub fn parse(s: &str) -> Option<Tag> {
        Tag::ALL.into_iter().find(|t| t.as_str() == s)
    }
}

impl fmt::Display for Tag {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Where a finding points. `side` says which revision `line` counts in: the head, or the
/// base for what exists only there (a deleted resource, a deleted file).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Location {
    pub path: RepoPath,
    pub side: Side,
    pub line: Option<u32>,
    pub end_line: Option<u32>,
}

impl Location {
    pub fn file(path: RepoPath, side: Side) -> Self {
        Location {
            path,
            side,
            line: None,
            end_line: None,
        }
    }
    pub fn lines(path: RepoPath, side: Side, line: u32, end_line: u32) -> Self {
        Location {
            path,
            side,
            line: Some(line),
            end_line: Some(end_line.max(line)),
        }
    }
}

/// One thing an analyzer saw. The message is a sentence a reviewer can act on: what is
/// destroyed and where; `safer` says how to get the same result without destroying it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Finding {
    pub rule: RuleId,
    pub severity: Severity,
    pub tags: Vec<Tag>,
    pub location: Location,
    pub message: String,
    pub safer: Option<String>,
    /// What the finding is about, in the ecosystem's own terms, for config allow-lists: a
    /// Terraform address (`aws_db_instance.main`, `module.env`) or a Kubernetes object
    /// (`namespace/Kind/name`, `Kind/name` when cluster-scoped).
    pub subject: Option<String>,
    /// Set when an allow (inline, existing on the base, or the base config's `allow:`) covers
    /// the finding. An allowed finding stays in the report; the policy does not count it.
    pub allowed: Option<Allowance>,
}

impl Finding {
    /// A finding with the rule's catalogue severity and tags.
    pub fn new(rule: &crate::rules::Rule, location: Location, message: impl Into<String>) -> Self {
        Finding {
            rule: rule.id,
            severity: rule.severity,
            tags: rule.tags.to_vec(),
            location,
            message: message.into(),
            safer: Some(rule.safer.to_owned()),
            subject: None,
            allowed: None,
        }
    }
    pub fn with_severity(mut self, severity: Severity) -> Self {
        self.severity = severity;
        self
    }
    pub fn with_safer(mut self, safer: impl Into<String>) -> Self {
        self.safer = Some(safer.into());
        self
    }
    pub fn with_subject(mut self, subject: impl Into<String>) -> Self {
        self.subject = Some(subject.into());
        self
    }
    /// Whether the policy counts this finding (it is not allowed).
    pub fn counts(&self) -> bool {
        self.allowed.is_none()
    }
}

/// Which kind of allow covers a finding.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum AllowedBy {
    /// A `twokey:allow` comment that already exists on the base revision.
    Inline,
    /// An entry of `allow:` in the base revision's config.
    Config,
}

impl AllowedBy {
    pub fn as_str(self) -> &'static str {
        match self {
            AllowedBy::Inline => "inline",
            AllowedBy::Config => "config",
        }
    }
}

/// Why a finding is allowed, and where the allow is: `path:line` of the comment, or
/// `config allow[i]`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Allowance {
    pub by: AllowedBy,
    pub reason: String,
    pub at: String,
}
