//! config: the policy file, `.github/twokey.yml`, and the built-in default.
//!
//! serde_yaml lives here and only here (it is deprecated upstream; moving to a maintained fork
//! is a change to this file alone). Unknown keys and bad values are errors with a line, a
//! column and, for misspelt keys, a did-you-mean.

use super::evaluate::rule_matches;
use crate::analyze::AnalyzeOptions;
use crate::authorship::AgentSpec;
use crate::finding::{Finding, Severity, Tag};
use globset::{Glob, GlobSet, GlobSetBuilder};
use serde::{Deserialize, Deserializer};
use std::fmt;

/// The embedded default policy.
pub const DEFAULT_YAML: &str = include_str!("../../config/default.yml");

/// Where a repository's policy lives, read from the base revision.
pub const REPO_CONFIG_PATHS: &[&str] = &[".github/twokey.yml", ".github/twokey.yaml"];

/// Where the config in force came from, for the report.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ConfigSource {
    BuiltIn,
    /// A repository file at the base revision.
    Base(String),
    /// A file given on the command line.
    File(String),
}

impl fmt::Display for ConfigSource {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ConfigSource::BuiltIn => f.write_str("built-in default"),
            ConfigSource::Base(p) => write!(f, "{p} at the base revision"),
            ConfigSource::File(p) => write!(f, "{p}"),
        }
    }
}

/// The policy, validated.
#[derive(Debug, Clone)]
pub struct Config {
    pub owners: Vec<String>,
    pub tiers: Vec<Tier>,
    pub ai_reviewers: Vec<String>,
    pub agents: Vec<AgentSpec>,
    pub infra_paths: GlobSet,
    pub infra_path_patterns: Vec<String>,
    pub analysis: AnalyzeOptions,
    /// Findings allowed by the base config: they stay in the report, marked, and the policy
    /// does not count them.
    pub allow: Vec<AllowEntry>,
}

/// One entry of `allow:`. Every key given must match (a key's patterns are alternatives);
/// `reason` is shown with each finding it covers.
#[derive(Debug, Clone, Deserialize)]
#[serde(try_from = "RawAllow")]
pub struct AllowEntry {
    /// Rule id patterns (`*` wildcard); empty: any rule that may be allowed.
    pub rules: Vec<String>,
    /// Path globs, as in `infra_paths`.
    pub paths: Vec<String>,
    path_set: GlobSet,
    /// Terraform address patterns (`module.scratch*`, `aws_s3_bucket.tmp_*`).
    pub addresses: Vec<String>,
    /// Kubernetes object patterns: `Kind/name` or `namespace/Kind/name`, `*` wildcards.
    pub objects: Vec<String>,
    pub reason: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawAllow {
    #[serde(default)]
    rules: Vec<String>,
    #[serde(default)]
    paths: Vec<String>,
    #[serde(default)]
    addresses: Vec<String>,
    #[serde(default)]
    objects: Vec<String>,
    reason: String,
}

impl TryFrom<RawAllow> for AllowEntry {
    type Error = String;
    fn try_from(raw: RawAllow) -> Result<AllowEntry, String> {
        if raw.reason.trim().is_empty() {
            return Err("an allow entry needs a non-empty `reason`: say why these findings are safe (a ticket, a decision)".to_owned());
        }
        if raw.rules.is_empty()
            && raw.paths.is_empty()
            && raw.addresses.is_empty()
            && raw.objects.is_empty()
        {
            return Err("an allow entry needs at least one of `rules`, `paths`, `addresses` or `objects`; an entry that allows everything is not accepted".to_owned());
        }
        for pattern in &raw.rules {
            crate::suppress::check_pattern(pattern).map_err(|e| format!("`rules`: {e}"))?;
        }
        for pattern in &raw.objects {
            if !matches!(pattern.split('/').count(), 2 | 3) {
                return Err(format!(
                    "`objects`: `{pattern}` is not `Kind/name` or `namespace/Kind/name`"
                ));
            }
        }
        let mut builder = GlobSetBuilder::new();
        for pattern in &raw.paths {
            let glob = Glob::new(pattern)
                .map_err(|e| format!("`paths`: `{pattern}` is not a valid glob: {e}"))?;
            builder.add(glob);
        }
        let path_set = builder.build().map_err(|e| format!("`paths`: {e}"))?;
        Ok(AllowEntry {
            rules: raw.rules,
            paths: raw.paths,
            path_set,
            addresses: raw.addresses,
            objects: raw.objects,
            reason: raw.reason.trim().to_owned(),
        })
    }
}

impl AllowEntry {
    /// Whether this entry allows `finding`. Rules that can never be allowed are never covered.
    pub fn covers(&self, finding: &Finding) -> bool {
        let rule = finding.rule.as_str();
        let subject = |ecosystem: &str| {
            finding
                .subject
                .as_deref()
                .filter(|_| finding.rule.ecosystem() == ecosystem)
        };
        crate::suppress::allowable(rule)
            && (self.rules.is_empty() || self.rules.iter().any(|p| rule_matches(p, rule)))
            && (self.paths.is_empty() || self.path_set.is_match(finding.location.path.as_str()))
            && (self.addresses.is_empty()
                || subject("terraform")
                    .is_some_and(|s| self.addresses.iter().any(|p| rule_matches(p, s))))
            && (self.objects.is_empty()
                || subject("kubernetes").is_some_and(|s| {
                    self.objects
                        .iter()
                        .any(|p| crate::suppress::object_matches(p, s))
                }))
    }
}

/// The most approvals a tier may ask for. Above it, a tier is a typo that would block every
/// merge it covers.
pub const MOST_APPROVALS: u32 = 10;

/// One review tier: when it applies and what it asks for.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Tier {
    pub name: String,
    #[serde(default)]
    pub description: Option<String>,
    pub when: When,
    pub approvals: u32,
    #[serde(default)]
    pub from_owners: u32,
    /// Approvals must be given on the current head commit.
    #[serde(default)]
    pub fresh: bool,
}

/// A tier applies when any of its conditions matches the change (within `paths`, when given).
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(try_from = "RawWhen")]
pub struct When {
    pub tags: Vec<Tag>,
    /// Rule id patterns; `*` matches any run of characters (`*/unparseable`).
    pub rules: Vec<String>,
    /// Any finding at or above this severity.
    pub min_severity: Option<Severity>,
    /// Path globs, as in `infra_paths`: when given, only findings (and, for `agent-authored`
    /// and `infra`, changed files) under them match the conditions above.
    pub paths: Vec<String>,
    path_set: Option<GlobSet>,
}

impl When {
    /// Whether `path` is within the tier's scope: anywhere, unless `paths` narrows it.
    pub fn covers(&self, path: &str) -> bool {
        self.path_set.as_ref().is_none_or(|set| set.is_match(path))
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawWhen {
    #[serde(default, deserialize_with = "tags")]
    tags: Vec<Tag>,
    #[serde(default)]
    rules: Vec<String>,
    #[serde(default, deserialize_with = "severity")]
    min_severity: Option<Severity>,
    #[serde(default)]
    paths: Vec<String>,
}

impl TryFrom<RawWhen> for When {
    type Error = String;
    fn try_from(raw: RawWhen) -> Result<When, String> {
        let path_set = if raw.paths.is_empty() {
            None
        } else {
            let mut builder = GlobSetBuilder::new();
            for pattern in &raw.paths {
                let glob = Glob::new(pattern)
                    .map_err(|e| format!("`paths`: `{pattern}` is not a valid glob: {e}"))?;
                builder.add(glob);
            }
            Some(builder.build().map_err(|e| format!("`paths`: {e}"))?)
        };
        Ok(When {
            tags: raw.tags,
            rules: raw.rules,
            min_severity: raw.min_severity,
            paths: raw.paths,
            path_set,
        })
    }
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawConfig {
    version: u32,
    #[serde(default)]
    owners: Vec<String>,
    #[serde(default)]
    tiers: Option<Vec<Tier>>,
    #[serde(default)]
    ai_reviewers: Option<Vec<String>>,
    #[serde(default)]
    agents: Vec<AgentSpec>,
    #[serde(default)]
    infra_paths: Vec<String>,
    #[serde(default)]
    analysis: RawAnalysis,
    #[serde(default)]
    allow: Vec<AllowEntry>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawAnalysis {
    max_file_bytes: Option<u64>,
    mass_deletion_files: Option<usize>,
    sql_dialect: Option<String>,
    production_paths: Option<Vec<String>>,
}

fn tags<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<Tag>, D::Error> {
    let names = Vec::<String>::deserialize(d)?;
    names
        .iter()
        .map(|n| {
            Tag::parse(n).ok_or_else(|| {
                let all: Vec<&str> = Tag::ALL.iter().map(|t| t.as_str()).collect();
                serde::de::Error::custom(format!(
                    "unknown tag `{n}`{}, expected one of {}",
                    did_you_mean(n, &all),
                    all.join(", ")
                ))
            })
        })
        .collect()
}

fn severity<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Severity>, D::Error> {
    let name = String::deserialize(d)?;
    let all: Vec<&str> = Severity::ALL.iter().map(|s| s.as_str()).collect();
    Severity::parse(&name).map(Some).ok_or_else(|| {
        serde::de::Error::custom(format!(
            "unknown severity `{name}`{}, expected one of {}",
            did_you_mean(&name, &all),
            all.join(", ")
        ))
    })
}

/// A config that cannot be used, with where and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConfigError {
    pub source: String,
    pub line: Option<usize>,
    pub column: Option<usize>,
    pub message: String,
}

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match (self.line, self.column) {
            (Some(l), Some(c)) => write!(f, "{}:{l}:{c}: {}", self.source, self.message),
            (Some(l), None) => write!(f, "{}:{l}: {}", self.source, self.message),
            _ => write!(f, "{}: {}", self.source, self.message),
        }
    }
}

impl std::error::Error for ConfigError {}

impl Config {
    /// The built-in default. It is tested to parse, so this cannot fail at run time.
    pub fn builtin() -> Config {
        Config::parse(DEFAULT_YAML, "built-in default")
            .expect("the embedded default config is valid")
    }

    /// Parses and validates a policy file. `source` names it in error messages.
    pub fn parse(text: &str, source: &str) -> Result<Config, ConfigError> {
        // An empty file (or one of only comments) is more likely a config not written yet than
        // one missing a key: say what the smallest config is.
        if text
            .lines()
            .all(|l| l.trim().is_empty() || l.trim_start().starts_with('#'))
        {
            return Err(ConfigError {
                source: source.to_owned(),
                line: None,
                column: None,
                message: "the file holds no settings (it is empty or only comments); a config needs at least `version: 1`, and `twokey config default` prints the built-in policy to start from".to_owned(),
            });
        }
        let raw: RawConfig = serde_yaml::from_str(text).map_err(|e| {
            let loc = e.location();
            let message = e.to_string();
            // The parser places a repeated key at the start of its mapping: point at the
            // repetition instead.
            if let Some(key) = message
                .split_once("duplicate field `")
                .and_then(|(_, rest)| rest.split_once('`'))
                .map(|(key, _)| key)
            {
                let from = loc.as_ref().map_or(0, |l| l.line().saturating_sub(1));
                let (line, column) = locate_repeated_key(text, from, key)
                    .map_or((loc.as_ref().map(|l| l.line()), loc.as_ref().map(|l| l.column())), |(l, c)| (Some(l), Some(c)));
                return ConfigError {
                    source: source.to_owned(),
                    line,
                    column,
                    message: format!("`{key}` is given twice in the same mapping; give it once"),
                };
            }
            let line = loc.as_ref().map(|l| l.line());
            // YAML forbids tabs in indentation; the parser only says it found a character
            // that cannot start a token.
            let tab = line
                .and_then(|l| text.lines().nth(l.saturating_sub(1)))
                .is_some_and(|l| l.trim_end().contains('\t'));
            ConfigError {
                source: source.to_owned(),
                line,
                column: loc.as_ref().map(|l| l.column()),
                message: if tab {
                    "a tab: YAML indents with spaces only; replace the tabs on this line with spaces".to_owned()
                } else {
                    explain_serde_error(&e.to_string())
                },
            }
        })?;
        let invalid = |message: String| ConfigError {
            source: source.to_owned(),
            line: None,
            column: None,
            message,
        };
        // Errors found after parsing point at the line and column of what they are about.
        let at_path = |path: &[&str], message: String| {
            let (line, column) = locate(text, path).unzip();
            ConfigError {
                line,
                column,
                ..invalid(message)
            }
        };
        let at = |needle: &str, message: String| at_path(&[needle], message);
        if raw.version != 1 {
            return Err(at(
                "version:",
                format!(
                    "unsupported `version: {}`; this twokey reads version 1",
                    raw.version
                ),
            ));
        }
        // A repository file that leaves out a section keeps the default's, so that a config
        // which only adds owners does not silently drop every tier.
        let defaults = if source == "built-in default" {
            None
        } else {
            Some(Config::builtin())
        };
        let built_in = defaults
            .as_ref()
            .map(|d| d.tiers.clone())
            .unwrap_or_default();
        let given = raw.tiers.unwrap_or_default();
        for (i, tier) in given.iter().enumerate() {
            // The name is how summaries and reasons speak of the tier, and how it merges.
            if tier.name.trim().is_empty() {
                // Counted from `tiers:` on: agents have names too.
                let skip = text
                    .lines()
                    .position(|l| l.starts_with("tiers:"))
                    .unwrap_or(0);
                let rest: String = text.lines().skip(skip).map(|l| format!("{l}\n")).collect();
                let (line, column) = locate_nth(&rest, "name:", i)
                    .map(|(l, c)| (l + skip, c))
                    .unzip();
                return Err(ConfigError {
                    line,
                    column,
                    ..invalid(format!("tiers[{i}] has an empty `name`; name it (it is shown in summaries, `Needs 2 approvals (destructive)`)"))
                });
            }
            // Tiers merge by name, so a second tier of the same name would silently replace
            // the first (and could lower what it asks for).
            if given[..i]
                .iter()
                .any(|t| t.name.eq_ignore_ascii_case(&tier.name))
            {
                let (line, column) = locate_nth(text, &format!("name: {}", tier.name), 1).unzip();
                return Err(ConfigError {
                    line,
                    column,
                    ..invalid(format!(
                        "tier `{}` is given twice; give each tier once (a tier named like a built-in one replaces it)",
                        tier.name
                    ))
                });
            }
            // A pattern that matches no rule makes a tier that never applies: the review it
            // asks for would be lost without a word.
            for pattern in &tier.when.rules {
                if !crate::rules::catalogue()
                    .iter()
                    .any(|r| rule_matches(pattern, r.id.as_str()))
                {
                    let ids: Vec<&str> = crate::rules::catalogue()
                        .iter()
                        .map(|r| r.id.as_str())
                        .collect();
                    return Err(at_path(
                        &[&format!("name: {}", tier.name), pattern.as_str()],
                        format!(
                            "tier `{}`: `when.rules`: `{pattern}` matches no rule twokey knows{}, so the tier would never apply; `twokey rules` lists them",
                            tier.name,
                            did_you_mean(pattern, &ids)
                        ),
                    ));
                }
            }
            if tier.when.tags.is_empty()
                && tier.when.rules.is_empty()
                && tier.when.min_severity.is_none()
            {
                return Err(at(
                    &format!("name: {}", tier.name),
                    format!(
                        "tier `{}` has an empty `when`: give it tags, rules or min_severity",
                        tier.name
                    ),
                ));
            }
            // A count no pull request can gather blocks every merge the tier covers; it is
            // almost always a slip (`20` for `2`). GitHub's own branch protection stops at 6.
            if tier.approvals > MOST_APPROVALS {
                return Err(at_path(
                    &[&format!("name: {}", tier.name), "approvals:"],
                    format!(
                        "tier `{}` asks for {} approvals; at most {MOST_APPROVALS} are allowed (GitHub's branch protection stops at 6), so no pull request it covers could merge",
                        tier.name, tier.approvals
                    ),
                ));
            }
            if tier.from_owners > tier.approvals {
                return Err(at_path(
                    &[&format!("name: {}", tier.name), "from_owners:"],
                    format!(
                    "tier `{}` asks for {} approvals from owners but only {} approvals in all; raise `approvals` to at least {}",
                    tier.name, tier.from_owners, tier.approvals, tier.from_owners
                    ),
                ));
            }
        }
        let tiers = merge_tiers(built_in, given);
        for owner in &raw.owners {
            check_owner(owner).map_err(|e| at_path(&["owners:", owner.as_str()], e))?;
        }
        let mut builder = GlobSetBuilder::new();
        for pattern in &raw.infra_paths {
            let glob = Glob::new(pattern).map_err(|e| {
                at_path(
                    &["infra_paths:", pattern],
                    format!("infra_paths: `{pattern}` is not a valid glob: {e}"),
                )
            })?;
            builder.add(glob);
        }
        let infra_paths = builder
            .build()
            .map_err(|e| at("infra_paths:", format!("infra_paths: {e}")))?;
        let base_analysis = defaults
            .as_ref()
            .map(|d| d.analysis.clone())
            .unwrap_or_default();
        let sql_dialect = raw
            .analysis
            .sql_dialect
            .unwrap_or(base_analysis.sql_dialect.clone());
        const DIALECTS: &[&str] = &[
            "generic",
            "postgres",
            "mysql",
            "sqlite",
            "mssql",
            "oracle",
            "snowflake",
            "bigquery",
            "clickhouse",
            "databricks",
            "duckdb",
            "redshift",
            "hive",
        ];
        if !DIALECTS.contains(&sql_dialect.as_str()) {
            return Err(at_path(
                &["analysis:", "sql_dialect:"],
                format!(
                    "analysis.sql_dialect: unknown dialect `{sql_dialect}`{}, expected one of {}",
                    did_you_mean(&sql_dialect, DIALECTS),
                    DIALECTS.join(", ")
                ),
            ));
        }
        let analysis = AnalyzeOptions {
            max_file_bytes: raw
                .analysis
                .max_file_bytes
                .unwrap_or(base_analysis.max_file_bytes),
            mass_deletion_files: raw
                .analysis
                .mass_deletion_files
                .unwrap_or(base_analysis.mass_deletion_files)
                .max(1),
            sql_dialect,
            production_paths: match raw.analysis.production_paths {
                Some(patterns) => crate::analyze::glob_set(&patterns).map_err(|e| {
                    at_path(
                        &["analysis:", "production_paths:"],
                        format!("analysis.production_paths: {e}"),
                    )
                })?,
                None => base_analysis.production_paths,
            },
        };
        // A repository's list adds to the built-in one, as tiers do: naming its own AI
        // reviewer must not make Copilot's approval count again.
        let mut ai_reviewers = defaults.map(|d| d.ai_reviewers).unwrap_or_default();
        for login in raw.ai_reviewers.unwrap_or_default() {
            let login = bare_login(&login).to_owned();
            if !login.is_empty() && !ai_reviewers.iter().any(|r| r.eq_ignore_ascii_case(&login)) {
                ai_reviewers.push(login);
            }
        }
        let mut agents = raw.agents;
        for agent in &mut agents {
            for login in &mut agent.logins {
                *login = bare_login(login).to_owned();
            }
        }
        Ok(Config {
            owners: raw.owners,
            tiers,
            ai_reviewers,
            agents,
            infra_paths,
            infra_path_patterns: raw.infra_paths,
            analysis,
            allow: raw.allow,
        })
    }
}

/// Where a setting is written: the 1-based line and column of the last of `path`, a key that
/// starts a line (after indentation and a list's `- `) followed by text found on that line or
/// below it, each after the one before (`["analysis:", "sql_dialect:"]` finds the dialect in
/// block and in flow style). `None` when the text does not spell it that way.
fn locate(text: &str, path: &[&str]) -> Option<(usize, usize)> {
    let (first, rest) = path.split_first()?;
    let lines: Vec<&str> = text.lines().collect();
    let mut line = lines
        .iter()
        .position(|l| l.trim_start().trim_start_matches("- ").starts_with(first))?;
    let mut from = lines[line].find(first)?;
    let mut column = from;
    for needle in rest {
        loop {
            if let Some(i) = lines[line].get(from..).and_then(|l| l.find(needle)) {
                column = from + i;
                from = column + needle.len();
                break;
            }
            line += 1;
            from = 0;
            if line >= lines.len() {
                return None;
            }
        }
    }
    let column = lines[line][..column].chars().count() + 1;
    Some((line + 1, column))
}

/// Like [`locate`] for a single key, for its occurrence after the first `skip` ones, ignoring
/// ASCII case (tier names compare that way).
fn locate_nth(text: &str, key: &str, skip: usize) -> Option<(usize, usize)> {
    let key = key.to_ascii_lowercase();
    let (line, l) = text
        .lines()
        .map(str::to_ascii_lowercase)
        .enumerate()
        .filter(|(_, l)| l.trim_start().trim_start_matches("- ").starts_with(&key))
        .nth(skip)?;
    let column = l[..l.find(&key)?].chars().count() + 1;
    Some((line + 1, column))
}

/// The 1-based line and column of the second `key:` at the same indentation, from line
/// `from` (0-based) on.
fn locate_repeated_key(text: &str, from: usize, key: &str) -> Option<(usize, usize)> {
    let needle = format!("{key}:");
    let mut seen: Option<usize> = None;
    for (i, line) in text.lines().enumerate().skip(from) {
        let Some(at) = line.find(&needle) else {
            continue;
        };
        let before = &line[..at];
        if !before.trim_start_matches([' ', '-']).trim().is_empty() {
            continue;
        }
        match seen {
            None => seen = Some(at),
            Some(first) if first == at => return Some((i + 1, at + 1)),
            Some(_) => {}
        }
    }
    None
}

/// A login as written in a config, `@` and all: `owners` reads `@ada` as `ada`, so the lists of
/// accounts that never count must too, or `ai_reviewers: ["@acme-ai"]` would let acme-ai's
/// approval count.
fn bare_login(login: &str) -> &str {
    let login = login.trim();
    login.strip_prefix('@').unwrap_or(login).trim()
}

/// An owner is a login (`ada`, `@ada`) or a team (`@org/team`). Anything else can never match
/// a reviewer, so a tier asking for owners could never be met, and nothing would say why.
fn check_owner(owner: &str) -> Result<(), String> {
    let expected = "an owner is a GitHub login (`ada`) or a team (`@org/team`)";
    let bare = owner.strip_prefix('@').unwrap_or(owner);
    if bare.trim().is_empty() || bare.chars().any(char::is_whitespace) {
        return Err(format!(
            "owners: `{owner}` is not a login or a team; {expected}"
        ));
    }
    match bare.split_once('/') {
        None => Ok(()),
        Some((org, team)) if !org.is_empty() && !team.is_empty() && !team.contains('/') => {
            if owner.starts_with('@') {
                Ok(())
            } else {
                Err(format!(
                    "owners: `{owner}` looks like a team but has no `@` (did you mean `@{owner}`?); {expected}"
                ))
            }
        }
        Some(_) => Err(format!(
            "owners: `{owner}` is not a login or a team; {expected}"
        )),
    }
}

/// Adds a did-you-mean to serde's "unknown field `x`, expected one of `a`, `b`" messages.
fn explain_serde_error(message: &str) -> String {
    // serde_yaml appends " at line L column C"; the error prints the position itself.
    let message = match message.rsplit_once(" at line ") {
        Some((head, _)) => head,
        None => message,
    };
    // Not a config at all (`config validate /etc/passwd`): say what a config is, without
    // echoing the whole file or naming the parser's internal types.
    if let Some((found, _)) = message
        .strip_prefix("invalid type: ")
        .and_then(|m| m.split_once(", expected struct RawConfig"))
    {
        let found = found.split(' ').next().unwrap_or(found);
        return format!("this is not a twokey config: expected a mapping of settings (`version: 1`, `owners`, `tiers`, …), found a {found}");
    }
    let message = &plain_numbers(&clip_quoted(message, 60));
    if message.ends_with("missing field `version`") {
        return "missing `version: 1`: every twokey config starts with it".to_owned();
    }
    let Some((_, rest)) = message.split_once("unknown field `") else {
        return message.to_owned();
    };
    let Some((field, tail)) = rest.split_once('`') else {
        return message.to_owned();
    };
    if field == "<<" {
        let (at, _) = message.split_once("unknown field").unwrap_or(("", ""));
        return format!("{at}YAML merge keys (`<<: *name`) are not supported: write the keys out (anchors and aliases, `&name` and `*name`, do work)");
    }
    let expected: Vec<&str> = tail.split('`').skip(1).step_by(2).collect();
    let hint = did_you_mean(field, &expected);
    format!("{message}{hint}")
}

/// serde's names for number types (`expected u32`, `as u128`) said in words.
fn plain_numbers(message: &str) -> String {
    let mut out = message.replace(" as u128", "").replace(" as i128", "");
    for (ty, max) in [
        ("u32", u32::MAX as u64),
        ("u64", u64::MAX),
        ("usize", usize::MAX as u64),
    ] {
        out = out.replace(
            &format!("expected {ty}"),
            &format!("expected a whole number from 0 to {max}"),
        );
    }
    out
}

/// `message` with every quoted value longer than `max` characters cut short: a value that is a
/// whole file is not worth reading back.
fn clip_quoted(message: &str, max: usize) -> String {
    let mut out = String::new();
    let mut parts = message.split('"');
    if let Some(first) = parts.next() {
        out.push_str(first);
    }
    for (i, part) in parts.enumerate() {
        out.push('"');
        let inside_quotes = i % 2 == 0;
        match part.char_indices().nth(max) {
            Some((at, _)) if inside_quotes => {
                out.push_str(&part[..at]);
                out.push('…');
            }
            _ => out.push_str(part),
        }
    }
    out
}

/// ` (did you mean `x`?)` when one candidate is close enough, else empty.
pub fn did_you_mean(word: &str, candidates: &[&str]) -> String {
    // Case is compared away: `PostgreSQL` is close to `postgres`.
    let word = word.to_lowercase();
    candidates
        .iter()
        .map(|c| (strsim::jaro_winkler(&word, &c.to_lowercase()), c))
        .filter(|(score, _)| *score > 0.8)
        .max_by(|a, b| a.0.total_cmp(&b.0))
        .map(|(_, c)| format!(" (did you mean `{c}`?)"))
        .unwrap_or_default()
}

/// The repository's tiers over the built-in ones, by name: a tier given replaces the built-in
/// tier of that name, and built-in tiers it does not name stay. A policy that forgets the
/// guardrail tier must not leave changes to the gate itself without an owner's review; a tier
/// is switched off by giving it `approvals: 0`.
fn merge_tiers(built_in: Vec<Tier>, given: Vec<Tier>) -> Vec<Tier> {
    let mut tiers = built_in;
    for tier in given {
        match tiers
            .iter_mut()
            .find(|t| t.name.eq_ignore_ascii_case(&tier.name))
        {
            Some(same) => *same = tier,
            None => tiers.push(tier),
        }
    }
    tiers.retain(|t| t.approvals > 0);
    tiers
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn a_repository_ai_reviewer_list_adds_to_the_built_in_one() {
        let c = Config::parse(
            "version: 1\nai_reviewers: [acme-reviewer, copilot, ' ']\n",
            "t",
        )
        .unwrap();
        assert!(c.ai_reviewers.iter().any(|r| r == "acme-reviewer"));
        assert!(
            c.ai_reviewers.iter().any(|r| r == "Copilot"),
            "{:?}",
            c.ai_reviewers
        );
        assert_eq!(
            c.ai_reviewers.len(),
            Config::builtin().ai_reviewers.len() + 1,
            "a login already listed, in another case, or blank is not added again"
        );
    }

    #[test]
    fn the_default_config_parses_with_its_tiers() {
        let c = Config::builtin();
        let names: Vec<&str> = c.tiers.iter().map(|t| t.name.as_str()).collect();
        assert_eq!(
            names,
            [
                "destructive",
                "guardrail",
                "needs-human",
                "agent-authored",
                "infra"
            ]
        );
        assert_eq!(c.tiers[0].approvals, 2);
        assert!(c.tiers[0].fresh);
        assert!(c.ai_reviewers.iter().any(|r| r == "Copilot"));
    }

    #[test]
    fn a_misspelt_key_names_the_line_column_and_the_right_key() {
        let err = Config::parse(
            "version: 1\nowners: [a]\ntiers:\n  - name: x\n    when: {tags: [infra]}\n    aprovals: 2\n",
            ".github/twokey.yml",
        )
        .unwrap_err();
        assert_eq!(err.line, Some(6), "{err}");
        assert!(err.message.contains("did you mean `approvals`?"), "{err}");
        assert!(
            err.to_string().starts_with(".github/twokey.yml:6:"),
            "{err}"
        );
    }

    #[test]
    fn an_unknown_tag_is_an_error_with_a_suggestion() {
        let err = Config::parse(
            "version: 1\ntiers:\n  - name: x\n    when: {tags: [destructve]}\n    approvals: 1\n",
            "t.yml",
        )
        .unwrap_err();
        assert!(err.message.contains("did you mean `destructive`?"), "{err}");
        assert!(err.line.is_some());
    }

    #[test]
    fn a_file_that_is_not_a_config_is_named_so_without_echoing_it() {
        let passwd =
            "root:x:0:0:root:/root:/bin/bash\ndaemon:x:1:1:daemon:/usr/sbin:/usr/sbin/nologin\n";
        let e = Config::parse(passwd, "/etc/passwd").unwrap_err();
        assert!(e.message.starts_with("this is not a twokey config"), "{e}");
        assert!(
            !e.message.contains("daemon") && !e.message.contains("RawConfig"),
            "{e}"
        );
        let long = format!("version: 1\nowners: \"{}\"\n", "a".repeat(500));
        let e = Config::parse(&long, "t").unwrap_err();
        assert!(e.message.len() < 200, "{e}");
    }

    #[test]
    fn bad_values_found_after_parsing_name_their_line_and_column() {
        let place = |text: &str| {
            let e = Config::parse(text, "t").unwrap_err();
            (e.line, e.column)
        };
        assert_eq!(
            place("version: 1\nagents:\n  - name: x\ntiers:\n  - name: a\n    when: {tags: [infra]}\n    approvals: 1\n  - name: ' '\n    when: {tags: [infra]}\n    approvals: 2\n"),
            (Some(8), Some(5))
        );
        assert_eq!(
            place("version: 1\nanalysis:\n  sql_dialect: postgress\n"),
            (Some(3), Some(3))
        );
        assert_eq!(
            place("version: 1\nanalysis: {sql_dialect: postgress}\n"),
            (Some(2), Some(12))
        );
        assert_eq!(
            place("version: 1\ntiers:\n  - name: a\n    when: {tags: [infra]}\n    approvals: 1\n  - name: x\n    when: {tags: [infra]}\n    approvals: 1\n    from_owners: 2\n"),
            (Some(9), Some(5))
        );
        assert_eq!(
            place("version: 1\ninfra_paths:\n  - ok/**\n  - 'a/['\n"),
            (Some(4), Some(6))
        );
        assert_eq!(
            place("version: 1\nanalysis:\n  production_paths: ['a/[']\n"),
            (Some(3), Some(3))
        );
        let e = Config::parse("version: 1\nanalysis: {sql_dialect: x}\n", "t.yml").unwrap_err();
        assert!(
            e.to_string()
                .starts_with("t.yml:2:12: analysis.sql_dialect"),
            "{e}"
        );
    }

    #[test]
    fn bad_values_are_errors() {
        let e = Config::parse("# ours\nversion: 2\n", "t").unwrap_err();
        assert!(e.message.contains("version"), "{e}");
        assert_eq!(
            e.to_string(),
            "t:2:1: unsupported `version: 2`; this twokey reads version 1"
        );
        let e = Config::parse("version: 1\ntiers:\n  - name: ok\n    when: {tags: [infra]}\n    approvals: 1\n  - name: x\n    when: {}\n    approvals: 1\n", "t").unwrap_err();
        assert_eq!(e.line, Some(6), "{e}");
        assert!(Config::parse(
            "version: 1\ntiers:\n  - name: x\n    when: {}\n    approvals: 1\n",
            "t"
        )
        .unwrap_err()
        .message
        .contains("empty `when`"));
        assert!(Config::parse("version: 1\nowners: [a]\ntiers:\n  - name: x\n    when: {tags: [infra]}\n    approvals: 1\n    from_owners: 2\n", "t")
            .unwrap_err()
            .message
            .contains("raise `approvals`"));
        assert!(
            Config::parse("version: 1\nanalysis: {sql_dialect: postgress}\n", "t")
                .unwrap_err()
                .message
                .contains("did you mean `postgres`?")
        );
        for warehouse in [
            "snowflake",
            "bigquery",
            "clickhouse",
            "databricks",
            "oracle",
        ] {
            let text = format!("version: 1\nanalysis: {{sql_dialect: {warehouse}}}\n");
            assert!(Config::parse(&text, "t").is_ok(), "{warehouse}");
        }
        assert!(
            Config::parse("version: 1\nanalysis: {sql_dialect: PostgreSQL}\n", "t")
                .unwrap_err()
                .message
                .contains("did you mean `postgres`?"),
            "case does not hide the suggestion"
        );
        assert!(
            !Config::parse("version: 1\nanalysis: {sql_dialect: teradata}\n", "t")
                .unwrap_err()
                .message
                .contains("did you mean")
        );
        assert!(Config::parse("version: 1\ninfra_paths: ['a/[']\n", "t").is_err());
        let bad = Config::parse("version: 1\nanalysis: {production_paths: ['a/[']}\n", "t");
        assert!(bad.is_err_and(|e| e.to_string().contains("analysis.production_paths")));
        assert!(Config::parse("version: 1\napprovals: -1\n", "t").is_err());
    }

    #[test]
    fn a_repository_config_keeps_the_default_tiers_it_leaves_out() {
        let ok = Config::parse(
            "version: 1\nowners: ['@acme/platform']\n",
            ".github/twokey.yml",
        )
        .unwrap();
        assert_eq!(
            ok.tiers.len(),
            Config::builtin().tiers.len(),
            "omitted tiers keep the default's"
        );
    }

    #[test]
    fn tiers_given_replace_built_in_tiers_by_name_and_keep_the_others() {
        let c = Config::parse(
            "version: 1\ntiers:\n  - name: destructive\n    when: {tags: [destructive]}\n    approvals: 1\n  - name: Infra\n    when: {tags: [infra]}\n    approvals: 0\n  - name: sql\n    when: {rules: ['sql/*']}\n    approvals: 3\n",
            "t",
        )
        .unwrap();
        let names: Vec<&str> = c.tiers.iter().map(|t| t.name.as_str()).collect();
        let built_in: Vec<String> = Config::builtin()
            .tiers
            .iter()
            .map(|t| t.name.clone())
            .collect();
        // The guardrail tier survives a policy that does not mention it; infra is switched off.
        assert!(names.contains(&"guardrail"), "{names:?}");
        assert!(
            !names.iter().any(|n| n.eq_ignore_ascii_case("infra")),
            "{names:?}"
        );
        assert_eq!(names.len(), built_in.len() - 1 + 1, "{names:?}");
        let destructive = c.tiers.iter().find(|t| t.name == "destructive").unwrap();
        assert_eq!((destructive.approvals, destructive.fresh), (1, false));
        assert_eq!(names.last(), Some(&"sql"));
    }

    #[test]
    fn sections_given_replace_the_defaults() {
        let c = Config::parse(
            "version: 1\ntiers:\n  - name: only\n    when: {min_severity: high}\n    approvals: 3\ninfra_paths: ['ops/**']\nanalysis: {mass_deletion_files: 5}\n",
            "t",
        )
        .unwrap();
        let only = c.tiers.iter().find(|t| t.name == "only").unwrap();
        assert_eq!(only.when.min_severity, Some(Severity::High));
        assert!(c.infra_paths.is_match("ops/run.txt"));
        assert!(
            c.analysis.production_paths.is_match("envs/prod/main.tf"),
            "default kept"
        );
        let own = Config::parse(
            "version: 1\nanalysis: {production_paths: ['live/**']}\n",
            "t",
        )
        .expect("valid");
        assert!(own.analysis.production_paths.is_match("live/db.tf"));
        assert!(!own.analysis.production_paths.is_match("envs/prod/main.tf"));
        assert_eq!(c.analysis.mass_deletion_files, 5);
    }

    const ALLOW: &str = "version: 1\nallow:\n  - rules: [\"terraform/resource-removed\"]\n    paths: [\"sandbox/**\"]\n    reason: sandbox environments are disposable\n  - rules: [\"kubernetes/*\"]\n    objects: [\"*/Namespace/preview-*\"]\n    reason: preview namespaces are torn down by design\n";

    #[test]
    fn allow_entries_parse_and_match_on_every_key_given() {
        use crate::change::{RepoPath, Side};
        use crate::finding::Location;
        let c = Config::parse(ALLOW, ".github/twokey.yml").unwrap();
        assert_eq!(c.allow.len(), 2);
        let removed = |path: &str| {
            Finding::new(
                &crate::analyze::terraform::RESOURCE_REMOVED,
                Location::file(RepoPath::new(path), Side::Base),
                "m",
            )
        };
        assert!(c.allow[0].covers(&removed("sandbox/dev/main.tf")));
        assert!(!c.allow[0].covers(&removed("prod/main.tf")));
        let ns = |subject: &str| {
            Finding::new(
                &crate::analyze::kubernetes::NAMESPACE_DELETED,
                Location::file(RepoPath::new("k8s/ns.yaml"), Side::Base),
                "m",
            )
            .with_subject(subject)
        };
        assert!(c.allow[1].covers(&ns("Namespace/preview-42")));
        assert!(!c.allow[1].covers(&ns("Namespace/prod")));
        let unparseable = Finding::new(
            &crate::analyze::kubernetes::UNPARSEABLE,
            Location::file(RepoPath::new("k8s/ns.yaml"), Side::Head),
            "m",
        )
        .with_subject("Namespace/preview-1");
        assert!(!c.allow[1].covers(&unparseable), "never allowable");
        let by_address = Config::parse(
            "version: 1\nallow:\n  - addresses: [\"module.scratch*\"]\n    reason: scratch\n",
            "t",
        )
        .unwrap();
        let module = |address: &str| {
            Finding::new(
                &crate::analyze::terraform::MODULE_REMOVED,
                Location::file(RepoPath::new("main.tf"), Side::Base),
                "m",
            )
            .with_subject(address)
        };
        assert!(by_address.allow[0].covers(&module("module.scratch")));
        assert!(!by_address.allow[0].covers(&module("module.prod")));
        assert!(
            !by_address.allow[0].covers(&ns("Namespace/module.scratch")),
            "addresses only match Terraform findings"
        );
    }

    #[test]
    fn an_allow_entry_without_a_reason_is_an_error_with_line_and_column() {
        let err = Config::parse(
            "version: 1\nallow:\n  - rules: [\"terraform/*\"]\n    paths: [\"sandbox/**\"]\n",
            ".github/twokey.yml",
        )
        .unwrap_err();
        assert!(err.message.contains("reason"), "{err}");
        assert_eq!(err.line, Some(3), "{err}");
        assert!(err.column.is_some(), "{err}");
        let empty = Config::parse(
            "version: 1\nallow:\n  - rules: [\"terraform/*\"]\n    reason: ''\n",
            "t",
        )
        .unwrap_err();
        assert!(empty.message.contains("non-empty `reason`"), "{empty}");
        assert!(empty.line.is_some(), "{empty}");
    }

    #[test]
    fn allow_entries_are_checked_like_the_rest_of_the_config() {
        let err = |yaml: &str| Config::parse(yaml, "t").unwrap_err();
        let typo = err("version: 1\nallow:\n  - rules: [x]\n    reason: r\n    pahts: [a]\n");
        assert!(typo.message.contains("did you mean `paths`?"), "{typo}");
        assert_eq!(typo.line, Some(5), "{typo}");
        let unknown =
            err("version: 1\nallow:\n  - rules: [terraform/resource-remove]\n    reason: r\n");
        assert!(
            unknown
                .message
                .contains("did you mean `terraform/resource-removed`?"),
            "{unknown}"
        );
        assert!(unknown.line.is_some(), "{unknown}");
        let never = err("version: 1\nallow:\n  - rules: [guardrail/*]\n    reason: r\n");
        assert!(never.message.contains("can never be allowed"), "{never}");
        let everything = err("version: 1\nallow:\n  - reason: r\n");
        assert!(
            everything.message.contains("at least one of"),
            "{everything}"
        );
        let object = err("version: 1\nallow:\n  - objects: [a/b/c/d]\n    reason: r\n");
        assert!(object.message.contains("namespace/Kind/name"), "{object}");
    }

    #[test]
    fn a_tier_rule_pattern_that_matches_no_rule_is_an_error() {
        let e = Config::parse(
            "version: 1\ntiers:\n  - name: x\n    when: {rules: [terraform/resource-remved]}\n    approvals: 1\n",
            "t",
        )
        .unwrap_err();
        assert!(e.message.contains("never apply"), "{e}");
        assert!(
            e.message
                .contains("did you mean `terraform/resource-removed`?"),
            "{e}"
        );
        assert_eq!((e.line, e.column), (Some(4), Some(20)), "{e}");
        assert!(Config::parse(
            "version: 1\ntiers:\n  - name: x\n    when: {rules: ['nosuch/*']}\n    approvals: 1\n",
            "t"
        )
        .is_err());
        // Wildcards that match a rule, and rules that can never be allowed, are fine here.
        Config::parse(
            "version: 1\ntiers:\n  - name: x\n    when: {rules: ['sql/*', '*/unparseable', 'guardrail/*']}\n    approvals: 1\n",
            "t",
        )
        .unwrap();
    }

    #[test]
    fn a_tier_given_twice_is_an_error_at_the_second() {
        let e = Config::parse(
            "version: 1\ntiers:\n  - name: Destructive\n    when: {tags: [destructive]}\n    approvals: 3\n  - name: destructive\n    when: {tags: [destructive]}\n    approvals: 1\n",
            "t",
        )
        .unwrap_err();
        assert!(e.message.contains("given twice"), "{e}");
        assert_eq!((e.line, e.column), (Some(6), Some(5)), "{e}");
        // Two different names, one of them a built-in's, are not a repetition.
        Config::parse(
            "version: 1\ntiers:\n  - name: destructive\n    when: {tags: [destructive]}\n    approvals: 3\n  - name: destructive-prod\n    when: {tags: [destructive]}\n    approvals: 1\n",
            "t",
        )
        .unwrap();
    }

    #[test]
    fn an_owner_that_is_neither_a_login_nor_a_team_is_an_error() {
        let e = Config::parse("version: 1\nowners:\n  - ada\n  - acme/sre\n", "t").unwrap_err();
        assert!(e.message.contains("did you mean `@acme/sre`?"), "{e}");
        assert_eq!((e.line, e.column), (Some(4), Some(5)), "{e}");
        for bad in [
            "''",
            "'@'",
            "'@acme/'",
            "'@/sre'",
            "'@a/b/c'",
            "'ada lovelace'",
        ] {
            let text = format!("version: 1\nowners: [{bad}]\n");
            assert!(Config::parse(&text, "t").is_err(), "{bad}");
        }
        let ok = Config::parse(
            "version: 1\nowners: [ada, '@bob', '@acme/platform', 'ops-bot[bot]']\n",
            "t",
        )
        .unwrap();
        assert_eq!(ok.owners.len(), 4);
    }

    #[test]
    fn a_repeated_key_is_placed_at_the_repetition() {
        let e = Config::parse("version: 1\nowners: [a]\nowners: [b]\n", "t").unwrap_err();
        assert_eq!((e.line, e.column), (Some(3), Some(1)), "{e}");
        assert!(e.message.contains("`owners` is given twice"), "{e}");
        let e = Config::parse(
            "version: 1\ntiers:\n  - name: a\n    when: {tags: [infra]}\n    approvals: 1\n    approvals: 2\n",
            "t",
        )
        .unwrap_err();
        assert_eq!((e.line, e.column), (Some(6), Some(5)), "{e}");
        // The same key in two list items is no repetition.
        Config::parse(
            "version: 1\ntiers:\n  - name: a\n    when: {tags: [infra]}\n    approvals: 1\n  - name: b\n    when: {tags: [infra]}\n    approvals: 2\n",
            "t",
        )
        .unwrap();
    }

    #[test]
    fn yaml_mistakes_are_named_in_words() {
        let message = |text: &str| Config::parse(text, "t").unwrap_err().message;
        assert!(message("").contains("`version: 1`"));
        assert!(message("# only\n\n# comments\n").contains("no settings"));
        assert!(message("owners: [a]\n").starts_with("missing `version: 1`"));
        let tab = Config::parse("version: 1\nowners:\n\t- a\n", "t").unwrap_err();
        assert!(tab.message.contains("a tab"), "{tab}");
        assert_eq!(tab.line, Some(3));
        let merge = message("version: 1\ntiers:\n  - &d\n    name: a\n    when: {tags: [infra]}\n    approvals: 2\n  - <<: *d\n    name: b\n");
        assert!(merge.contains("merge keys"), "{merge}");
        // Anchors and aliases alone work.
        Config::parse("version: 1\ntiers:\n  - name: a\n    when: &w {tags: [infra]}\n    approvals: 1\n  - name: b\n    when: *w\n    approvals: 2\n", "t").unwrap();
        for number in ["-1", "two", "99999999999999999999"] {
            let text = format!("version: 1\ntiers:\n  - name: x\n    when: {{tags: [infra]}}\n    approvals: {number}\n");
            let m = message(&text);
            assert!(m.contains("expected a whole number from 0"), "{m}");
            assert!(!m.contains("u32") && !m.contains("u128"), "{m}");
        }
    }

    #[test]
    fn a_tier_narrowed_to_paths_checks_its_globs() {
        let c = Config::parse(
            "version: 1\ntiers:\n  - name: prod\n    when: {tags: [destructive], paths: ['infra/prod/**', '**/production/**']}\n    approvals: 3\n",
            "t",
        )
        .expect("parses");
        let prod = c.tiers.iter().find(|t| t.name == "prod").expect("the tier");
        assert!(prod.when.covers("infra/prod/db/main.tf"));
        assert!(prod.when.covers("k8s/production/app.yaml"));
        assert!(!prod.when.covers("infra/dev/main.tf"));
        // Without paths, everywhere.
        let destructive = c
            .tiers
            .iter()
            .find(|t| t.name == "destructive")
            .expect("built in");
        assert!(destructive.when.covers("anything/at/all"));
        let e = Config::parse(
            "version: 1\ntiers:\n  - name: prod\n    when: {tags: [destructive], paths: ['infra/[prod']}\n    approvals: 3\n",
            "t",
        )
        .unwrap_err();
        assert!(
            e.message.contains("`infra/[prod` is not a valid glob"),
            "{e}"
        );
        assert!(e.line.is_some(), "{e}");
        // Paths narrow the other conditions; alone they are no condition.
        let e = Config::parse(
            "version: 1\ntiers:\n  - name: prod\n    when: {paths: ['infra/**']}\n    approvals: 3\n",
            "t",
        )
        .unwrap_err();
        assert!(e.message.contains("has an empty `when`"), "{e}");
    }

    #[test]
    fn a_tier_asking_more_approvals_than_a_pull_request_can_gather_is_an_error() {
        let tier = |n: u32| {
            format!("version: 1\ntiers:\n  - name: x\n    when: {{tags: [infra]}}\n    approvals: {n}\n")
        };
        let e = Config::parse(&tier(20), "t").unwrap_err();
        assert!(
            e.message.contains("asks for 20 approvals; at most 10"),
            "{e}"
        );
        assert_eq!((e.line, e.column), (Some(5), Some(5)), "{e}");
        let ok = Config::parse(&tier(MOST_APPROVALS), "t").expect("the most allowed");
        assert!(ok
            .tiers
            .iter()
            .any(|t| t.name == "x" && t.approvals == MOST_APPROVALS));
    }

    proptest! {
        #[test]
        fn arbitrary_text_is_an_error_or_a_config_never_a_panic(s in "\\PC{0,200}") {
            let _ = Config::parse(&s, "fuzz");
        }

        #[test]
        fn yamlish_text_never_panics(s in "(version: 1\n)?[a-z_:\\[\\]{}, \\n-]{0,120}") {
            let _ = Config::parse(&s, "fuzz");
        }
    }
}
