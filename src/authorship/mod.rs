//! authorship: who wrote a change. Detects AI coding agents from branch names, accounts,
//! e-mails, trailers and message markers, names the humans who launched them (operators),
//! and lists every identity that took part, so the policy can exclude them as reviewers.
//!
//! Every conclusion carries the [`Signal`]s that produced it, so a reviewer can see why.

pub mod agents;
pub mod detect;

pub use agents::{AgentCatalogue, AgentSpec};
pub use detect::detect;

use crate::change::{Email, Login};
use serde::Serialize;

/// How much a signal proves on its own.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Strength {
    /// Suggestive only (an accepted review suggestion, a committer-only "(aider)").
    Weak,
    /// Enough on its own to call the change agent-authored.
    Strong,
}

/// What kind of evidence a signal is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum SignalKind {
    BranchPrefix,
    BotLogin,
    NoreplyEmail,
    Trailer,
    MessageMarker,
    PullRequestMarker,
    AuthorName,
    DependencyBot,
}

/// One piece of evidence that an agent (or a dependency bot) took part.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Signal {
    pub kind: SignalKind,
    /// The agent's catalogue name (`claude-code`, `copilot`, …), or the bot's for dependency bots.
    pub agent: String,
    pub strength: Strength,
    /// Where it was seen and what it said, for example `commit 1a2b3c4: Co-authored-by: Claude <noreply@anthropic.com>`.
    pub evidence: String,
}

/// A human who launched an agent. Operators count as authors: never as the second reviewer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Operator {
    pub login: Option<Login>,
    pub name: Option<String>,
    pub email: Option<Email>,
    /// Why this person is taken to be the operator.
    pub evidence: String,
}

/// The [`Participant::role`] of the pull request's author.
pub const PULL_REQUEST_AUTHOR: &str = "pull request author";

/// Someone who took part in writing the change: a commit author, committer or co-author, or
/// the pull request's author. Used to exclude reviewers.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Participant {
    pub login: Option<Login>,
    pub name: Option<String>,
    pub email: Option<Email>,
    /// `pull request author`, `commit author`, `committer`, `co-author`.
    pub role: String,
}

/// The verdict on who wrote a change, with evidence.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Authorship {
    /// True when at least one strong agent signal was seen.
    pub detected: bool,
    /// Catalogue names of the agents seen (strong signals only), sorted and unique.
    pub agents: Vec<String>,
    /// Every signal, strong and weak, agent and dependency bot.
    pub signals: Vec<Signal>,
    pub operators: Vec<Operator>,
    /// Dependency bots (Dependabot, Renovate) seen: bots, not agents.
    pub dependency_bots: Vec<String>,
    pub participants: Vec<Participant>,
}
