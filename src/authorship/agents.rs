//! agents: the catalogue of known coding agents and dependency bots, and the marks each one
//! leaves on a change (branch prefixes, accounts, e-mails, trailer names, message markers).
//!
//! The catalogue is data, not code, so that a team can teach twokey a new agent in its config
//! without a release: [`AgentSpec`] deserializes strictly (unknown fields are an error, so a
//! typo cannot silently disable a pattern) and [`AgentCatalogue::with_extra`] merges by name.

use serde::Deserialize;

/// One agent's identifying marks. Every list is optional; empty strings never match.
#[derive(Debug, Clone, Default, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct AgentSpec {
    /// Catalogue name, for example `claude-code`.
    pub name: String,
    /// Branch name prefixes, for example `claude/` (compared case-insensitively).
    #[serde(default)]
    pub branch_prefixes: Vec<String>,
    /// Bot or account logins, for example `copilot-swe-agent[bot]` (case-insensitive). Also
    /// matched against the login part of `<id>+<login>@users.noreply.github.com` addresses.
    #[serde(default)]
    pub logins: Vec<String>,
    /// Numeric GitHub account ids, matched against `<id>+…@users.noreply.github.com`
    /// addresses whatever login spelling follows the id.
    #[serde(default)]
    pub account_ids: Vec<u64>,
    /// Commit and co-author e-mail addresses (exact, case-insensitive).
    #[serde(default)]
    pub emails: Vec<String>,
    /// Names the agent goes by in `Assisted-by:`, `Generated-by:` and `Made-with:` values,
    /// matched as whole words, case-insensitively (`claude` matches `Claude:claude-opus`).
    #[serde(default)]
    pub names: Vec<String>,
    /// Endings of a git author name the agent adds, for example `(aider)`.
    #[serde(default)]
    pub name_suffixes: Vec<String>,
    /// Text the agent writes into commit messages or pull request titles and bodies
    /// (case-insensitive substrings), for example a session link.
    #[serde(default)]
    pub markers: Vec<String>,
    /// Text a commit subject opens with when the agent wrote it, for example aider's
    /// `aider: ` (case-insensitive). Only the subject's start counts: elsewhere the same words
    /// are someone talking about the tool.
    #[serde(default)]
    pub subject_prefixes: Vec<String>,
    /// Trailer keys whose presence alone names the agent, for example `Claude-Session`.
    #[serde(default)]
    pub trailer_keys: Vec<String>,
    /// Hosts of the URL in an `Agent-Logs-Url:` trailer (subdomains match too).
    #[serde(default)]
    pub url_hosts: Vec<String>,
}

impl AgentSpec {
    /// Adds `other`'s patterns to this spec's, skipping ones already present.
    fn absorb(&mut self, other: AgentSpec) {
        fn extend<T: PartialEq>(into: &mut Vec<T>, from: Vec<T>) {
            for item in from {
                if !into.contains(&item) {
                    into.push(item);
                }
            }
        }
        extend(&mut self.branch_prefixes, other.branch_prefixes);
        extend(&mut self.logins, other.logins);
        extend(&mut self.account_ids, other.account_ids);
        extend(&mut self.emails, other.emails);
        extend(&mut self.names, other.names);
        extend(&mut self.name_suffixes, other.name_suffixes);
        extend(&mut self.markers, other.markers);
        extend(&mut self.subject_prefixes, other.subject_prefixes);
        extend(&mut self.trailer_keys, other.trailer_keys);
        extend(&mut self.url_hosts, other.url_hosts);
    }
}

/// The built-in agents plus any the config adds, and the dependency bots (which are told
/// apart from agents: their changes are bot-authored, never agent-authored).
#[derive(Debug, Clone, Default)]
pub struct AgentCatalogue {
    pub agents: Vec<AgentSpec>,
    /// Dependency-update bots (Dependabot, Renovate), matched with the same kinds of marks.
    pub dependency_bots: Vec<AgentSpec>,
}

fn strings(items: &[&str]) -> Vec<String> {
    items.iter().map(|s| (*s).to_owned()).collect()
}

/// A compact way to write the built-in table.
struct Marks<'a> {
    name: &'a str,
    branches: &'a [&'a str],
    logins: &'a [&'a str],
    ids: &'a [u64],
    emails: &'a [&'a str],
    names: &'a [&'a str],
    suffixes: &'a [&'a str],
    markers: &'a [&'a str],
    prefixes: &'a [&'a str],
    keys: &'a [&'a str],
    hosts: &'a [&'a str],
}

const NONE: Marks<'static> = Marks {
    name: "",
    branches: &[],
    logins: &[],
    ids: &[],
    emails: &[],
    names: &[],
    suffixes: &[],
    markers: &[],
    prefixes: &[],
    keys: &[],
    hosts: &[],
};

impl Marks<'_> {
    fn spec(&self) -> AgentSpec {
        AgentSpec {
            name: self.name.to_owned(),
            branch_prefixes: strings(self.branches),
            logins: strings(self.logins),
            account_ids: self.ids.to_vec(),
            emails: strings(self.emails),
            names: strings(self.names),
            name_suffixes: strings(self.suffixes),
            markers: strings(self.markers),
            subject_prefixes: strings(self.prefixes),
            trailer_keys: strings(self.keys),
            url_hosts: strings(self.hosts),
        }
    }
}

/// Today's coding agents. Account ids are listed only where they are certain; everything else
/// is matched by login, which also covers the login part of a noreply address.
const BUILTIN_AGENTS: &[Marks<'static>] = &[
    Marks {
        name: "aider",
        emails: &["aider@aider.chat", "noreply@aider.chat"],
        names: &["aider"],
        suffixes: &["(aider)"],
        // `--attribute-commit-message-author` / `-committer` mark the subject instead of, or
        // as well as, the author name.
        prefixes: &["aider: "],
        hosts: &["aider.chat"],
        ..NONE
    },
    Marks {
        name: "amazon-q",
        logins: &["amazon-q-developer[bot]"],
        // Q Developer's CLI signs `Co-Authored-By: Amazon Q Developer <noreply@aws.amazon.com>`
        // under "🤖 Generated with Amazon Q Developer". Amazon's people share the domain, so
        // only the noreply address counts.
        emails: &["noreply@aws.amazon.com"],
        // Its footer sits right above that trailer with no blank line between, so git does
        // not read the trailer; the footer itself names the agent.
        markers: &["generated with amazon q developer"],
        names: &["amazon q developer", "amazon q"],
        ..NONE
    },
    Marks {
        name: "amp",
        emails: &["amp@ampcode.com"],
        names: &["amp", "ampcode"],
        markers: &["ampcode.com/threads/"],
        keys: &["Amp-Thread-ID", "Amp-Thread"],
        hosts: &["ampcode.com"],
        ..NONE
    },
    Marks {
        // Augment's agent co-authors as `Augment Agent <agent@augmentcode.com>` (some teams'
        // instructions spell it `augment@augmentcode.com`). Its people share the domain, so
        // only these addresses count.
        name: "augment",
        emails: &["agent@augmentcode.com", "augment@augmentcode.com"],
        names: &["augment agent", "augment code", "augment"],
        markers: &["generated with [augment code]"],
        ..NONE
    },
    Marks {
        name: "claude-code",
        branches: &["claude/"],
        logins: &["claude[bot]"],
        // `claude@anthropic.com` is the address many CLAUDE.md files tell Claude to sign with.
        emails: &["noreply@anthropic.com", "claude@anthropic.com"],
        names: &["claude code", "claude"],
        markers: &["generated with [claude code]", "claude.ai/code/session_"],
        keys: &["Claude-Session"],
        hosts: &["claude.ai", "claude.com"],
        ..NONE
    },
    Marks {
        // Cline's commits end `🤖 Generated with [Cline](https://docs.cline.bot)` and
        // `Co-Authored-By: Cline <noreply@cline.bot>`.
        name: "cline",
        emails: &["noreply@cline.bot"],
        names: &["cline"],
        markers: &["generated with [cline]"],
        ..NONE
    },
    Marks {
        name: "codegen",
        branches: &["codegen-bot/"],
        logins: &["codegen-sh[bot]"],
        names: &["codegen.com", "codegen"],
        hosts: &["codegen.com", "codegen.sh"],
        ..NONE
    },
    Marks {
        name: "codex",
        branches: &["codex/"],
        logins: &["chatgpt-codex-connector[bot]"],
        // `codex@openai.com` is the identity Codex's own snapshot commits carry, and the
        // co-author address teams give it.
        emails: &["noreply@openai.com", "codex@openai.com"],
        names: &["openai codex", "codex"],
        markers: &["chatgpt.com/codex/tasks/"],
        hosts: &["chatgpt.com"],
        ..NONE
    },
    Marks {
        name: "copilot",
        branches: &["copilot/"],
        // `Copilot` covers every noreply spelling GitHub uses for it (`198982749+Copilot@`,
        // the CLI's `223556219+Copilot@`, the reviewer's `175728472+Copilot@`).
        logins: &["copilot-swe-agent[bot]", "Copilot", "github-copilot[bot]"],
        ids: &[198_982_749],
        // What editor integrations and team hooks co-author with; no person has it.
        emails: &["copilot@github.com"],
        names: &["github copilot", "copilot"],
        markers: &["generated with [github copilot]"],
        // Copilot's coding agent links its session logs on github.com itself.
        hosts: &["github.com"],
        ..NONE
    },
    Marks {
        // Charm's Crush signs its commits `Co-Authored-By: Crush <crush@charm.land>`.
        name: "crush",
        emails: &["crush@charm.land"],
        names: &["crush"],
        ..NONE
    },
    Marks {
        name: "cursor",
        branches: &["cursor/"],
        logins: &["cursor[bot]"],
        emails: &["cursoragent@cursor.com"],
        names: &["cursor agent", "cursor"],
        // A background agent's pull request ends with "Open in Web" / "Open in Cursor" links
        // to its run (`cursor.com/agents/bc-…`, `cursor.com/background-agent?bcId=bc-…`); a
        // squash merge copies them into the commit.
        markers: &[
            "made with [cursor]",
            "cursor.com/agents/bc-",
            "cursor.com/background-agent?bcid=bc-",
        ],
        hosts: &["cursor.com"],
        ..NONE
    },
    Marks {
        name: "devin",
        branches: &["devin/"],
        logins: &["devin-ai-integration[bot]"],
        names: &["devin"],
        markers: &["app.devin.ai/sessions/"],
        hosts: &["devin.ai"],
        ..NONE
    },
    Marks {
        name: "factory",
        logins: &["factory-droid[bot]"],
        names: &["factory droid", "factory.ai", "droid"],
        hosts: &["factory.ai"],
        ..NONE
    },
    Marks {
        name: "gemini-cli",
        logins: &["gemini-cli[bot]"],
        // Gemini CLI users co-author as `Gemini <noreply@google.com>` or `Gemini CLI <…>`;
        // Google's people share the domain, so only the noreply address counts.
        emails: &["noreply@google.com"],
        names: &["gemini cli", "gemini-cli", "gemini"],
        ..NONE
    },
    Marks {
        // Block's goose co-authors as `goose <goose@block.xyz>` or
        // `Goose <goose-agent@block.xyz>`; Block's people share the domain.
        name: "goose",
        emails: &["goose@block.xyz", "goose-agent@block.xyz"],
        names: &["goose"],
        ..NONE
    },
    Marks {
        name: "jules",
        branches: &["jules/"],
        logins: &["google-labs-jules[bot]"],
        names: &["jules"],
        markers: &["jules.google.com/task/"],
        hosts: &["jules.google.com"],
        ..NONE
    },
    Marks {
        // JetBrains' Junie co-authors as `Junie <junie@jetbrains.com>`; JetBrains' people
        // share the domain, so only this address counts.
        name: "junie",
        emails: &["junie@jetbrains.com"],
        names: &["junie"],
        ..NONE
    },
    Marks {
        // Kilo Code's cloud agent commits through its GitHub App, `kiloconnect[bot]` (it
        // co-authors even the merges it makes); its CLI and editor users sign with the noreply
        // addresses of Kilo's two domains.
        name: "kilo-code",
        logins: &["kiloconnect[bot]"],
        emails: &["noreply@kilocode.ai", "noreply@kilo.ai"],
        names: &["kilo code", "kilocode"],
        ..NONE
    },
    Marks {
        name: "kiro",
        branches: &["kiro/"],
        // Kiro's autonomous agent commits from a machine account, not an app:
        // `Kiro Agent <244629292+kiro-agent@users.noreply.github.com>`.
        logins: &["kiro-agent[bot]", "kiro-agent"],
        names: &["kiro"],
        markers: &["created by @kiro-agent"],
        hosts: &["kiro.dev"],
        ..NONE
    },
    Marks {
        name: "mentat",
        logins: &["mentatbot[bot]"],
        names: &["mentat"],
        ..NONE
    },
    Marks {
        // OpenCode's GitHub App (`/opencode` in a comment) commits as `opencode-agent[bot]`
        // on `opencode/issue<n>-<time>` or `opencode/pr<n>-<time>`, and links the session
        // (`opencode.ai/s/<id>`) in the pull request it opens.
        name: "opencode",
        branches: &["opencode/"],
        logins: &["opencode-agent[bot]"],
        // The CLI's co-author, often with the model: `opencode (DeepSeek V4.1) <noreply@opencode.ai>`.
        emails: &["noreply@opencode.ai"],
        names: &["opencode"],
        markers: &["opencode.ai/s/"],
        ..NONE
    },
    Marks {
        name: "openhands",
        branches: &["openhands-fix-issue-"],
        logins: &["openhands-ai[bot]", "openhands-agent"],
        emails: &["openhands@all-hands.dev"],
        names: &["openhands"],
        hosts: &["all-hands.dev"],
        ..NONE
    },
    Marks {
        // Qoder co-authors as `QoderAI <qoder_ai@qoder.com>`.
        name: "qoder",
        emails: &["qoder_ai@qoder.com"],
        names: &["qoderai", "qoder"],
        ..NONE
    },
    Marks {
        // Qwen Code appends `Co-authored-by: Qwen-Coder <qwen-coder@alibabacloud.com>`.
        name: "qwen-code",
        emails: &["qwen-coder@alibabacloud.com"],
        names: &["qwen code", "qwen-coder"],
        ..NONE
    },
    Marks {
        name: "sweep",
        branches: &["sweep/"],
        logins: &["sweep-ai[bot]"],
        names: &["sweep ai", "sweep"],
        hosts: &["sweep.dev"],
        ..NONE
    },
    Marks {
        name: "tembo",
        logins: &["tembo[bot]"],
        names: &["tembo"],
        ..NONE
    },
    Marks {
        // Warp's agent (and Oz, its cloud agent) co-author as `Warp <agent@warp.dev>` and
        // `Oz <oz-agent@warp.dev>`.
        name: "warp",
        emails: &["agent@warp.dev", "oz-agent@warp.dev"],
        names: &["warp agent", "warp"],
        ..NONE
    },
    Marks {
        // Windsurf's Cascade agent co-authors under Codeium's and Windsurf's domains.
        name: "windsurf",
        emails: &[
            "windsurf@codeium.com",
            "noreply@codeium.com",
            "cascade@windsurf.ai",
            "noreply@windsurf.ai",
        ],
        names: &["windsurf cascade", "windsurf"],
        ..NONE
    },
];

const BUILTIN_DEPENDENCY_BOTS: &[Marks<'static>] = &[
    Marks {
        name: "dependabot",
        branches: &["dependabot/"],
        logins: &["dependabot[bot]", "dependabot-preview[bot]"],
        emails: &["support@dependabot.com"],
        names: &["dependabot"],
        ..NONE
    },
    Marks {
        name: "renovate",
        branches: &["renovate/"],
        logins: &["renovate[bot]", "renovate-bot"],
        emails: &["bot@renovateapp.com"],
        names: &["renovate"],
        ..NONE
    },
];

impl AgentCatalogue {
    /// The agents and dependency bots twokey knows without configuration.
    pub fn builtin() -> Self {
        AgentCatalogue {
            agents: BUILTIN_AGENTS.iter().map(Marks::spec).collect(),
            dependency_bots: BUILTIN_DEPENDENCY_BOTS.iter().map(Marks::spec).collect(),
        }
    }

    /// Adds agents from the config. A spec whose name matches a known agent
    /// (case-insensitively) adds its patterns to that agent's; a new name becomes a new
    /// agent. Specs with a blank name are ignored: a signal must name someone.
    pub fn with_extra(mut self, extra: Vec<AgentSpec>) -> Self {
        for mut spec in extra {
            spec.name = spec.name.trim().to_owned();
            if spec.name.is_empty() {
                continue;
            }
            match self
                .agents
                .iter_mut()
                .find(|known| known.name.eq_ignore_ascii_case(&spec.name))
            {
                Some(known) => known.absorb(spec),
                None => self.agents.push(spec),
            }
        }
        self
    }

    /// The agent with this catalogue name.
    pub fn agent(&self, name: &str) -> Option<&AgentSpec> {
        self.agents
            .iter()
            .find(|a| a.name.eq_ignore_ascii_case(name))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builtin_names_are_unique_and_kebab_case() {
        let cat = AgentCatalogue::builtin();
        let mut names: Vec<&str> = cat
            .agents
            .iter()
            .chain(&cat.dependency_bots)
            .map(|a| a.name.as_str())
            .collect();
        for n in &names {
            assert!(n
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-'));
        }
        let before = names.len();
        names.sort_unstable();
        names.dedup();
        assert_eq!(names.len(), before);
    }

    #[test]
    fn builtin_has_no_blank_patterns() {
        let cat = AgentCatalogue::builtin();
        for a in cat.agents.iter().chain(&cat.dependency_bots) {
            let all = a
                .branch_prefixes
                .iter()
                .chain(&a.logins)
                .chain(&a.emails)
                .chain(&a.names)
                .chain(&a.name_suffixes)
                .chain(&a.markers)
                .chain(&a.subject_prefixes)
                .chain(&a.trailer_keys)
                .chain(&a.url_hosts);
            for p in all {
                assert!(!p.trim().is_empty(), "{} has a blank pattern", a.name);
            }
        }
    }

    #[test]
    fn config_spec_rejects_unknown_fields() {
        let ok: AgentSpec =
            serde_json::from_str(r#"{"name":"acme","branch_prefixes":["acme/"]}"#).unwrap();
        assert_eq!(ok.branch_prefixes, vec!["acme/".to_owned()]);
        assert!(serde_json::from_str::<AgentSpec>(r#"{"name":"acme","branch":"acme/"}"#).is_err());
    }

    #[test]
    fn extra_agent_with_known_name_merges_patterns() {
        let before = AgentCatalogue::builtin().agents.len();
        let cat = AgentCatalogue::builtin().with_extra(vec![AgentSpec {
            name: "Copilot".into(),
            logins: vec!["copilot-enterprise[bot]".into(), "Copilot".into()],
            ..AgentSpec::default()
        }]);
        assert_eq!(cat.agents.len(), before);
        let copilot = cat.agent("copilot").unwrap();
        assert!(copilot
            .logins
            .contains(&"copilot-enterprise[bot]".to_owned()));
        assert_eq!(copilot.logins.iter().filter(|l| *l == "Copilot").count(), 1);
        assert!(copilot.branch_prefixes.contains(&"copilot/".to_owned()));
    }

    #[test]
    fn extra_agent_with_new_name_is_added_and_blank_names_are_dropped() {
        let before = AgentCatalogue::builtin().agents.len();
        let cat = AgentCatalogue::builtin().with_extra(vec![
            AgentSpec {
                name: " acme-agent ".into(),
                branch_prefixes: vec!["acme/".into()],
                ..AgentSpec::default()
            },
            AgentSpec {
                name: "  ".into(),
                branch_prefixes: vec!["x/".into()],
                ..AgentSpec::default()
            },
        ]);
        assert_eq!(cat.agents.len(), before + 1);
        assert!(cat.agent("acme-agent").is_some());
    }
}
