//! agents: the catalogue of known coding agents (being written).

/// One agent's identifying marks.
#[derive(Debug, Clone, Default, serde::Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct AgentSpec {
    /// Catalogue name, for example `claude-code`.
    pub name: String,
    #[serde(default)]
    pub branch_prefixes: Vec<String>,
    /// Bot or account logins, for example `copilot-swe-agent[bot]`.
    #[serde(default)]
    pub logins: Vec<String>,
    /// Commit e-mail addresses (exact, case-insensitive).
    #[serde(default)]
    pub emails: Vec<String>,
}

/// The built-in agents plus any the config adds.
#[derive(Debug, Clone, Default)]
pub struct AgentCatalogue {
    pub agents: Vec<AgentSpec>,
}
