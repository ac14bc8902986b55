//! evaluate: the decision. One pure function from what is known about a change to a verdict
//! with reasons: (change, authorship, findings, reviews, config) → [`Verdict`]. No I/O, no
//! clock, no network; every front-end calls this same function.

use super::config::{Config, Tier};
use super::reviews::{is_deleted_account, Review, ReviewState, Reviews};
use crate::authorship::{AgentCatalogue, Authorship, PULL_REQUEST_AUTHOR};
use crate::change::{AccountType, Change, Email, Login, RepoPath};
use crate::finding::{Finding, Tag};
use serde::Serialize;
use std::collections::BTreeSet;

/// What the policy looks at. `infra_files` are the changed files classified as infrastructure.
#[derive(Debug, Clone, Copy)]
pub struct Evidence<'a> {
    pub change: &'a Change,
    pub authorship: &'a Authorship,
    pub findings: &'a [Finding],
    pub infra_files: &'a [RepoPath],
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Decision {
    /// Nothing more is needed from twokey.
    Ok,
    /// Human review is still needed; the requirement says what.
    ReviewRequired,
}

impl Decision {
    pub fn as_str(self) -> &'static str {
        match self {
            Decision::Ok => "ok",
            Decision::ReviewRequired => "review-required",
        }
    }
}

/// Someone whose approval does not count, and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Excluded {
    pub who: String,
    pub reason: String,
}

/// What the change needs before merge.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Requirement {
    /// Independent human approvals needed in all.
    pub approvals: u32,
    /// How many of them must come from `from`.
    pub from_owners: u32,
    /// The owners (logins or @org/team) when `from_owners` is above zero.
    pub from: Vec<String>,
    /// Approvals must be given on the current head commit.
    pub fresh: bool,
    /// The tiers that apply.
    pub tiers: Vec<String>,
    /// People whose approval never counts for this change.
    pub excluded: Vec<Excluded>,
    /// Why the requirement is what it is, one sentence per tier.
    pub reasons: Vec<String>,
}

/// How the reviews given measure up.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct ReviewTally {
    pub counted: Vec<Login>,
    pub counted_from_owners: Vec<Login>,
    /// Approvals that do not count, with why (author, operator, bot, AI reviewer, stale).
    pub ignored: Vec<Excluded>,
    /// Independent humans whose standing review asks for changes.
    pub changes_requested: Vec<Login>,
}

/// The verdict, with everything needed to explain it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Verdict {
    pub decision: Decision,
    pub tags: Vec<Tag>,
    pub requirement: Requirement,
    /// `None` when no reviews were given (the CLI's dry run).
    pub reviews: Option<ReviewTally>,
    /// One line for a check-run title: "Needs 2 approvals (destructive)".
    pub summary: String,
    /// What is still missing, one sentence each; empty when the decision is ok.
    pub missing: Vec<String>,
}

/// Takes the decision. Allowed findings (see [`crate::suppress`]) stay in the report but
/// choose no tier and raise no tag.
pub fn evaluate(evidence: Evidence<'_>, reviews: Option<&Reviews>, config: &Config) -> Verdict {
    let tags = change_tags(&evidence);
    let matching: Vec<&Tier> = config
        .tiers
        .iter()
        .filter(|t| tier_applies(t, &tags, &evidence))
        .collect();
    let approvals = matching.iter().map(|t| t.approvals).max().unwrap_or(0);
    let from_owners = matching.iter().map(|t| t.from_owners).max().unwrap_or(0);
    let fresh = matching.iter().any(|t| t.fresh);
    let requirement = Requirement {
        approvals,
        from_owners,
        from: if from_owners > 0 {
            config.owners.clone()
        } else {
            Vec::new()
        },
        fresh,
        tiers: matching.iter().map(|t| t.name.clone()).collect(),
        excluded: excluded_people(&evidence),
        reasons: matching
            .iter()
            .map(|t| tier_reason(t, &evidence, &tags))
            .collect(),
    };
    let tier_names = requirement.tiers.join(", ");

    if approvals == 0 {
        return Verdict {
            decision: Decision::Ok,
            tags: tags.into_iter().collect(),
            requirement,
            reviews: reviews.map(|_| ReviewTally::default()),
            summary: "No review required by twokey".to_owned(),
            missing: Vec::new(),
        };
    }

    let Some(reviews) = reviews else {
        let mut missing = vec![needs_sentence(&requirement)];
        if from_owners > 0 && config.owners.is_empty() {
            missing.push(NO_OWNERS.to_owned());
        }
        return Verdict {
            decision: Decision::ReviewRequired,
            tags: tags.into_iter().collect(),
            summary: format!("Needs {} ({tier_names})", plural(approvals, "approval")),
            requirement,
            reviews: None,
            missing,
        };
    };

    let tally = tally(evidence, reviews, &requirement, config);
    let mut missing = Vec::new();
    let counted = tally.counted.len() as u32;
    if counted < approvals {
        missing.push(format!(
            "{} more independent human {} needed ({counted} of {approvals} counted).",
            approvals - counted,
            if approvals - counted == 1 {
                "approval is"
            } else {
                "approvals are"
            }
        ));
    }
    let owners_counted = tally.counted_from_owners.len() as u32;
    if owners_counted < from_owners {
        missing.push(if config.owners.is_empty() {
            NO_OWNERS.to_owned()
        } else {
            format!(
                "{} more {} from owners ({}) {} needed ({owners_counted} of {from_owners} counted).",
                from_owners - owners_counted,
                if from_owners - owners_counted == 1 {
                    "approval"
                } else {
                    "approvals"
                },
                config.owners.join(", "),
                if from_owners - owners_counted == 1 {
                    "is"
                } else {
                    "are"
                }
            )
        });
        let unknown = teams_without_members(config, reviews);
        if !unknown.is_empty() {
            missing.push(format!(
                "Who is in {} was not given, so no reviewer counts as a member: list the members under `teams` in the reviews file.",
                unknown.join(", ")
            ));
        }
    }
    for login in &tally.changes_requested {
        missing.push(if is_deleted_account(login) {
            "A since-deleted account (@ghost) requested changes; dismiss that review on GitHub if it no longer applies.".to_owned()
        } else {
            format!("@{login} requested changes; their review must be resolved.")
        });
    }
    let decision = if missing.is_empty() {
        Decision::Ok
    } else {
        Decision::ReviewRequired
    };
    let summary = match decision {
        Decision::Ok => format!(
            "Approved by {} ({tier_names})",
            tally
                .counted
                .iter()
                .map(|l| format!("@{l}"))
                .collect::<Vec<_>>()
                .join(", ")
        ),
        Decision::ReviewRequired if !tally.changes_requested.is_empty() && counted >= approvals => {
            format!("Changes requested ({tier_names})")
        }
        // Enough approvals but too few from owners: "3 of 3 counted" alone reads as done.
        Decision::ReviewRequired if counted >= approvals && owners_counted < from_owners => {
            format!(
                "Needs {} from owners ({tier_names}): {owners_counted} of {from_owners} counted",
                plural(from_owners, "approval")
            )
        }
        Decision::ReviewRequired => format!(
            "Needs {} ({tier_names}): {counted} of {approvals} counted",
            plural(approvals, "approval")
        ),
    };
    Verdict {
        decision,
        tags: tags.into_iter().collect(),
        requirement,
        reviews: Some(tally),
        summary,
        missing,
    }
}

const NO_OWNERS: &str = "An approval from an owner is required, but no owners are configured: list owner logins or @org/team names under `owners` in .github/twokey.yml on the base branch.";

fn plural(n: u32, word: &str) -> String {
    if n == 1 {
        format!("1 {word}")
    } else {
        format!("{n} {word}s")
    }
}

fn needs_sentence(r: &Requirement) -> String {
    let mut s = format!(
        "This change would need {} from independent humans before merge",
        plural(r.approvals, "approval")
    );
    if r.from_owners > 0 {
        let from = if r.from.is_empty() {
            "owners".to_owned()
        } else {
            r.from.join(", ")
        };
        s.push_str(&format!(", {} of them from {from}", r.from_owners));
    }
    if r.fresh {
        s.push_str(", given on the current head commit");
    }
    s.push('.');
    s
}

/// The change's top-level tags. Allowed findings add none: the tags say what still needs a
/// human.
fn change_tags(evidence: &Evidence<'_>) -> BTreeSet<Tag> {
    let mut tags: BTreeSet<Tag> = evidence
        .findings
        .iter()
        .filter(|f| f.counts())
        .flat_map(|f| f.tags.iter().copied())
        .collect();
    if !evidence.infra_files.is_empty() {
        tags.insert(Tag::Infra);
    }
    if evidence.authorship.detected {
        tags.insert(Tag::AgentAuthored);
    }
    tags
}

fn tier_applies(tier: &Tier, tags: &BTreeSet<Tag>, evidence: &Evidence<'_>) -> bool {
    let when = &tier.when;
    if when.paths.is_empty() && when.tags.iter().any(|t| tags.contains(t)) {
        return true;
    }
    // Narrowed to paths: the change-level tags count by the files they come from, and a
    // finding only where it is.
    let wanted = |tag: Tag| when.tags.contains(&tag) && tags.contains(&tag);
    let covered = |path: &RepoPath| when.covers(path.as_str());
    (wanted(Tag::AgentAuthored) && evidence.change.files.iter().any(|f| covered(f.path())))
        || (wanted(Tag::Infra) && evidence.infra_files.iter().any(covered))
        || evidence
            .findings
            .iter()
            .filter(|f| f.counts() && when.covers(f.location.path.as_str()))
            .any(|f| {
                f.tags.iter().any(|t| when.tags.contains(t))
                    || when.rules.iter().any(|p| rule_matches(p, f.rule.as_str()))
                    || when.min_severity.is_some_and(|min| f.severity >= min)
            })
}

/// Matches a rule id against a pattern where `*` stands for any run of characters.
/// (Asked for every finding and every tier's patterns, so it allocates nothing.)
pub fn rule_matches(pattern: &str, id: &str) -> bool {
    let Some((first, tail)) = pattern.split_once('*') else {
        return pattern == id;
    };
    let (middles, last) = tail.rsplit_once('*').unwrap_or(("", tail));
    if !id.starts_with(first) || id.len() < first.len() + last.len() || !id.ends_with(last) {
        return false;
    }
    let mut rest = &id[first.len()..id.len() - last.len()];
    for middle in middles.split('*').filter(|m| !m.is_empty()) {
        match rest.find(middle) {
            Some(i) => rest = &rest[i + middle.len()..],
            None => return false,
        }
    }
    true
}

fn tier_reason(tier: &Tier, evidence: &Evidence<'_>, tags: &BTreeSet<Tag>) -> String {
    let what = tier
        .description
        .clone()
        .unwrap_or_else(|| format!("tier {}", tier.name));
    // `infra` and `agent-authored` describe the whole change: a tier asking for them is
    // explained by the files or the agent, not by repeating the findings another tier
    // already names (every Terraform finding is tagged `infra` too).
    let matches = |f: &&Finding, by_change_tags: bool| {
        f.counts()
            && tier.when.covers(f.location.path.as_str())
            && (f.tags.iter().any(|t| {
                tier.when.tags.contains(t)
                    && (by_change_tags || !matches!(t, Tag::Infra | Tag::AgentAuthored))
            }) || tier
                .when
                .rules
                .iter()
                .any(|p| rule_matches(p, f.rule.as_str()))
                || tier.when.min_severity.is_some_and(|m| f.severity >= m))
    };
    let named = |by_change_tags: bool| -> Option<String> {
        let mut hits = evidence
            .findings
            .iter()
            .filter(|f| matches(f, by_change_tags));
        // Five are named; the rest (thousands on a large change) are only counted.
        let shown: Vec<String> = hits
            .by_ref()
            .take(5)
            .map(|f| match f.location.line {
                Some(l) => format!("{} at {}:{l}", f.rule, f.location.path),
                None => format!("{} at {}", f.rule, f.location.path),
            })
            .collect();
        if shown.is_empty() {
            return None;
        }
        let more = match hits.count() {
            0 => String::new(),
            rest => format!(" and {rest} more"),
        };
        Some(format!("{}{more}", shown.join(", ")))
    };
    let because = if let Some(findings) = named(false) {
        findings
    } else if tier.when.tags.contains(&Tag::AgentAuthored) && tags.contains(&Tag::AgentAuthored) {
        format!("written by {}", evidence.authorship.agents.join(", "))
    } else if tier.when.tags.contains(&Tag::Infra)
        && tags.contains(&Tag::Infra)
        && evidence
            .infra_files
            .iter()
            .any(|p| tier.when.covers(p.as_str()))
    {
        let scoped: Vec<&str> = evidence
            .infra_files
            .iter()
            .map(|p| p.as_str())
            .filter(|p| tier.when.covers(p))
            .collect();
        let files: Vec<&str> = scoped.iter().take(3).copied().collect();
        let more = scoped.len().saturating_sub(3);
        if more > 0 {
            format!(
                "changes {} and {more} more infrastructure files",
                files.join(", ")
            )
        } else {
            format!("changes {}", files.join(", "))
        }
    } else {
        named(true).unwrap_or_else(|| "its conditions match".to_owned())
    };
    format!(
        "{} ({what}): {}, because {because}.",
        tier.name,
        needs_sentence_short(tier)
    )
}

fn needs_sentence_short(tier: &Tier) -> String {
    let mut s = plural(tier.approvals, "approval");
    if tier.from_owners > 0 {
        s.push_str(&format!(" ({} from owners)", tier.from_owners));
    }
    if tier.fresh {
        s.push_str(" on the current head");
    }
    s
}

/// Everyone whose approval can never count for this change, with why. Bots and AI reviewers
/// are excluded by account, at review time.
fn excluded_people(evidence: &Evidence<'_>) -> Vec<Excluded> {
    let mut out: Vec<Excluded> = Vec::new();
    let mut push = |who: String, reason: String| {
        if let Some(e) = out.iter_mut().find(|e| e.who.eq_ignore_ascii_case(&who)) {
            if !e.reason.contains(&reason) {
                e.reason.push_str("; ");
                e.reason.push_str(&reason);
            }
        } else {
            out.push(Excluded { who, reason });
        }
    };
    if let Some(author) = evidence
        .change
        .pull_request
        .as_ref()
        .and_then(|p| p.author.as_ref())
    {
        push(
            format!("@{}", author.login),
            "pull request author".to_owned(),
        );
    }
    let agents = evidence.authorship.agents.join(", ");
    for op in &evidence.authorship.operators {
        let who = person_label(
            op.login.as_ref(),
            op.name.as_deref(),
            op.email.as_ref().map(|e| e.as_str()),
        );
        let reason = if agents.is_empty() {
            "operator of the agent that wrote the change".to_owned()
        } else {
            format!("operator of {agents} (launched the agent)")
        };
        push(who, reason);
    }
    for p in &evidence.authorship.participants {
        let who = person_label(
            p.login.as_ref(),
            p.name.as_deref(),
            p.email.as_ref().map(|e| e.as_str()),
        );
        push(who, p.role.clone());
    }
    out
}

fn person_label(login: Option<&Login>, name: Option<&str>, email: Option<&str>) -> String {
    match (login, name, email) {
        (Some(l), _, _) => format!("@{l}"),
        (None, Some(n), Some(e)) => format!("{n} <{e}>"),
        (None, Some(n), None) => n.to_owned(),
        (None, None, Some(e)) => format!("<{e}>"),
        (None, None, None) => "unknown".to_owned(),
    }
}

/// Why a reviewer's approval cannot count, if it cannot. Only a person's account can give an
/// independent human approval: anything the policy cannot tie to one person does not count.
fn disqualified(
    review: &Review,
    evidence: &Evidence<'_>,
    accounts: &Accounts<'_>,
) -> Option<String> {
    let login = &review.reviewer.login;
    if login.as_str().trim().is_empty() {
        return Some("the review names no account".to_owned());
    }
    if is_deleted_account(login) {
        return Some(
            "a deleted account (GitHub shows it as ghost), so who gave it cannot be checked"
                .to_owned(),
        );
    }
    match review.reviewer.account_type {
        AccountType::Bot => return Some("a bot".to_owned()),
        AccountType::Organization => {
            return Some("an organization account, not a person".to_owned())
        }
        AccountType::Mannequin => {
            return Some(
                "a mannequin (an account imported from another system), not a current person"
                    .to_owned(),
            )
        }
        AccountType::Unknown => {
            return Some(
                "an account of a type twokey does not know, not known to be a person".to_owned(),
            )
        }
        AccountType::User => {}
    }
    if login.is_bot_suffix() {
        return Some("a bot".to_owned());
    }
    let bare = login.as_str().trim_end_matches("[bot]");
    if accounts
        .ai_reviewers
        .iter()
        .any(|r| r.trim_end_matches("[bot]").eq_ignore_ascii_case(bare))
    {
        return Some("an AI reviewer".to_owned());
    }
    // An agent or dependency bot may run under a plain user account (`openhands-agent`,
    // `renovate-bot`, a team's machine user named in `agents[].logins`).
    if let Some(name) = accounts.automation(login, review.reviewer.id) {
        return Some(format!("the account of {name}, not a person"));
    }
    let reviewer_id = review.reviewer.id;
    let a = evidence.authorship;
    let mut why = Vec::new();
    if evidence
        .change
        .pull_request
        .as_ref()
        .and_then(|p| p.author.as_ref())
        .is_some_and(|author| {
            author.login.same_as(login) || (author.id.is_some() && author.id == reviewer_id)
        })
    {
        why.push("the pull request author".to_owned());
    }
    if a.operators.iter().any(|o| {
        is_same_person(
            login,
            reviewer_id,
            o.login.as_ref(),
            o.name.as_deref(),
            o.email.as_ref(),
        )
    }) {
        why.push("the agent's operator".to_owned());
    }
    // The pull request's author is a participant too; said once, above, not twice.
    for p in a
        .participants
        .iter()
        .filter(|p| p.role != PULL_REQUEST_AUTHOR)
    {
        if is_same_person(
            login,
            reviewer_id,
            p.login.as_ref(),
            p.name.as_deref(),
            p.email.as_ref(),
        ) {
            let role = format!("a {} of the change", p.role);
            if !why.contains(&role) {
                why.push(role);
            }
        }
    }
    (!why.is_empty()).then(|| why.join(", "))
}

/// The accounts that are never a person: AI reviewers, and the accounts of known agents and
/// dependency bots (built-in and from the config). Built once per verdict.
struct Accounts<'a> {
    ai_reviewers: &'a [String],
    automation: AgentCatalogue,
}

impl<'a> Accounts<'a> {
    fn new(config: &'a Config) -> Self {
        Accounts {
            ai_reviewers: &config.ai_reviewers,
            automation: AgentCatalogue::builtin().with_extra(config.agents.clone()),
        }
    }

    /// The agent or dependency bot whose account this is, by login or by account id. An
    /// app's login is compared without its `[bot]`, as AI reviewers' are: GitHub shows
    /// some apps by their bare name (`Copilot`), and files assembled from the GraphQL API
    /// or by hand drop the suffix (`devin-ai-integration` for `devin-ai-integration[bot]`).
    /// A person who happens to hold the bare login is excluded too: that errs closed.
    fn automation(&self, login: &Login, id: Option<u64>) -> Option<&str> {
        let bare = |l: &str| -> String {
            let l = l.trim();
            let cut = l.len()
                - if l.to_ascii_lowercase().ends_with("[bot]") {
                    5
                } else {
                    0
                };
            l[..cut].to_ascii_lowercase()
        };
        let reviewer = bare(login.as_str());
        self.automation
            .agents
            .iter()
            .chain(&self.automation.dependency_bots)
            .find(|spec| {
                spec.logins
                    .iter()
                    .map(|l| bare(l))
                    .filter(|l| !l.is_empty())
                    .any(|l| l == reviewer)
                    || id.is_some_and(|id| spec.account_ids.contains(&id))
            })
            .map(|spec| spec.name.as_str())
    }
}

/// Whether `id` names the commit `head`: the same id, or (in a hand-written reviews file) an
/// abbreviation of it as git prints them, seven characters or more.
fn is_commit(id: &crate::change::Revision, head: &crate::change::Revision) -> bool {
    let id = id.as_str();
    id == head.as_str()
        || (id.len() >= 7
            && id.bytes().all(|b| b.is_ascii_hexdigit())
            && head.as_str().starts_with(&id.to_ascii_lowercase()))
}

/// Whether the reviewer (`login`, with its account id when known) is the person known by
/// this login, git name or e-mail. A GitHub login is certain, and so is the account id in a
/// `<id>+<login>@users.noreply.github.com` address: it still names the reviewer after they
/// renamed their login. A commit made with a work e-mail carries no login, so the reviewer is
/// taken to be that person when their login spells the git name (`ada-h`, `AdaHuman` for
/// "Ada Human") or the e-mail's local part (`ada` for ada@corp.example). This errs towards
/// excluding: an operator must never approve their own agent's change because their commits
/// were signed with another address or under an older login.
fn is_same_person(
    login: &Login,
    reviewer_id: Option<u64>,
    person_login: Option<&Login>,
    name: Option<&str>,
    email: Option<&Email>,
) -> bool {
    if reviewer_id.is_some() && email.and_then(Email::noreply_id) == reviewer_id {
        return true;
    }
    if let Some(known) = person_login {
        return known.same_as(login);
    }
    let folded = |s: &str| -> String {
        s.chars()
            .filter(|c| c.is_alphanumeric())
            .flat_map(char::to_lowercase)
            .collect()
    };
    let reviewer = folded(login.as_str());
    if reviewer.is_empty() {
        return false;
    }
    let local_part = email.and_then(|e| e.as_str().split('@').next());
    name.into_iter()
        .chain(local_part)
        .any(|spelled| folded(spelled) == reviewer)
}

fn is_owner(login: &Login, config: &Config, reviews: &Reviews) -> bool {
    config
        .owners
        .iter()
        .any(|owner| match owner.strip_prefix('@') {
            Some(team) if team.contains('/') => reviews
                .teams
                .iter()
                .filter(|(name, _)| same_team(name, team))
                .any(|(_, members)| members.iter().any(|m| m.same_as(login))),
            Some(user) => Login::new(user).same_as(login),
            None => Login::new(owner.as_str()).same_as(login),
        })
}

/// The owner teams whose members the reviews do not say: nobody can count as one of them.
fn teams_without_members<'c>(config: &'c Config, reviews: &Reviews) -> Vec<&'c str> {
    config
        .owners
        .iter()
        .filter(|o| o.starts_with('@') && o.contains('/'))
        .filter(|team| !reviews.teams.keys().any(|name| same_team(name, team)))
        .map(String::as_str)
        .collect()
}

/// `@Acme/Platform` and `acme/platform` name the same team: GitHub's names ignore case.
fn same_team(a: &str, b: &str) -> bool {
    a.trim_start_matches('@')
        .eq_ignore_ascii_case(b.trim_start_matches('@'))
}

fn tally(
    evidence: Evidence<'_>,
    reviews: &Reviews,
    requirement: &Requirement,
    config: &Config,
) -> ReviewTally {
    let mut t = ReviewTally::default();
    let head = &evidence.change.head;
    let accounts = Accounts::new(config);
    for review in reviews.standing() {
        let login = &review.reviewer.login;
        let who = if login.as_str().trim().is_empty() {
            "a review with no login".to_owned()
        } else {
            format!("@{login}")
        };
        match review.state {
            ReviewState::Approved => {
                if let Some(reason) = disqualified(review, &evidence, &accounts) {
                    t.ignored.push(Excluded {
                        who,
                        reason: format!("approval does not count: {reason}"),
                    });
                    continue;
                }
                let on_head = review
                    .commit_id
                    .as_ref()
                    .is_some_and(|c| is_commit(c, head));
                if requirement.fresh && !on_head {
                    let at = review
                        .commit_id
                        .as_ref()
                        .map(|c| c.as_str().chars().take(7).collect::<String>())
                        .unwrap_or_else(|| "an unknown commit".to_owned());
                    t.ignored.push(Excluded {
                        who,
                        reason: format!(
                            "approval was given on {at}, not on the current head; approve again"
                        ),
                    });
                    continue;
                }
                if is_owner(login, config, reviews) {
                    t.counted_from_owners.push(login.clone());
                }
                t.counted.push(login.clone());
            }
            ReviewState::ChangesRequested => {
                // A deleted account may have been anyone, an independent reviewer too: its
                // request for changes stands until someone dismisses it (fail closed).
                if is_deleted_account(login) || disqualified(review, &evidence, &accounts).is_none()
                {
                    t.changes_requested.push(login.clone());
                }
            }
            ReviewState::Dismissed | ReviewState::Commented | ReviewState::Pending => {}
        }
    }
    t
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::authorship::{Operator, Participant};
    use crate::change::{Account, Completeness, Email, PullRequestFacts, Revision, Side};
    use crate::finding::{Location, RuleId, Severity};

    const HEAD: &str = "1111111111111111111111111111111111111111";

    fn change(pr_author: Option<&str>) -> Change {
        Change {
            base: Revision::new("0000000000000000000000000000000000000000"),
            head: Revision::new(HEAD),
            branch: Some("claude/rename-env".to_owned()),
            files: Vec::new(),
            commits: Vec::new(),
            pull_request: pr_author.map(|a| PullRequestFacts {
                author: Some(Account {
                    login: Login::new(a),
                    account_type: AccountType::User,
                    id: None,
                }),
                ..Default::default()
            }),
            completeness: Completeness::default(),
        }
    }

    /// The verdict on a change no agent wrote and that touches no infrastructure file.
    fn without_agents(
        change: &Change,
        findings: &[Finding],
        reviews: Option<&Reviews>,
        config: &Config,
    ) -> Verdict {
        evaluate(
            Evidence {
                change,
                authorship: &Authorship::default(),
                findings,
                infra_files: &[],
            },
            reviews,
            config,
        )
    }

    fn finding(rule: &'static str, tags: &[Tag], severity: Severity) -> Finding {
        Finding {
            rule: RuleId(rule),
            severity,
            tags: tags.to_vec(),
            location: Location::lines(RepoPath::new("infra/main.tf"), Side::Head, 3, 5),
            message: "m".to_owned(),
            safer: None,
            subject: None,
            allowed: None,
        }
    }

    fn agent_authorship() -> Authorship {
        Authorship {
            detected: true,
            agents: vec!["claude-code".to_owned()],
            operators: vec![Operator {
                login: Some(Login::new("ada")),
                name: Some("Ada".to_owned()),
                email: Some(Email::new("1+ada@users.noreply.github.com")),
                evidence: "co-author".to_owned(),
            }],
            participants: vec![Participant {
                login: Some(Login::new("bea")),
                name: Some("Bea".to_owned()),
                email: None,
                role: "committer".to_owned(),
            }],
            ..Default::default()
        }
    }

    fn owners_config() -> Config {
        Config::parse("version: 1\nowners: ['@acme/platform', 'olga']\n", "t").unwrap()
    }

    fn teams() -> Reviews {
        let mut r = Reviews::default();
        r.teams
            .insert("@acme/platform".to_owned(), vec![Login::new("carol")]);
        r
    }

    fn approve(reviews: &mut Reviews, login: &str, commit: &str) {
        reviews.reviews.push(Review::new(
            login,
            AccountType::User,
            ReviewState::Approved,
            commit,
        ));
    }

    #[test]
    fn a_plain_human_change_to_application_code_needs_nothing() {
        let c = change(Some("ada"));
        let v = without_agents(&c, &[], None, &Config::builtin());
        assert_eq!(v.decision, Decision::Ok);
        assert!(v.tags.is_empty());
        assert_eq!(v.requirement.approvals, 0);
    }

    #[test]
    fn destructive_agent_change_needs_two_fresh_approvals_one_from_owners() {
        let c = change(Some("ada"));
        let a = agent_authorship();
        let f = [finding(
            "terraform/module-removed",
            &[Tag::Destructive, Tag::Infra],
            Severity::Critical,
        )];
        let infra = [RepoPath::new("infra/main.tf")];
        let v = evaluate(
            Evidence {
                change: &c,
                authorship: &a,
                findings: &f,
                infra_files: &infra,
            },
            None,
            &owners_config(),
        );
        assert_eq!(v.decision, Decision::ReviewRequired);
        assert_eq!(
            v.summary,
            "Needs 2 approvals (destructive, agent-authored, infra)"
        );
        assert_eq!(
            v.tags,
            vec![Tag::AgentAuthored, Tag::Infra, Tag::Destructive]
        );
        assert_eq!(
            (
                v.requirement.approvals,
                v.requirement.from_owners,
                v.requirement.fresh
            ),
            (2, 1, true)
        );
        assert!(
            v.requirement.reasons[0].contains("terraform/module-removed at infra/main.tf:3"),
            "{:?}",
            v.requirement.reasons
        );
        let who: Vec<&str> = v
            .requirement
            .excluded
            .iter()
            .map(|e| e.who.as_str())
            .collect();
        assert_eq!(who, ["@ada", "@bea"]);
        assert!(v.requirement.excluded[0]
            .reason
            .contains("pull request author"));
        assert!(v.requirement.excluded[0]
            .reason
            .contains("operator of claude-code"));
    }

    #[test]
    fn operator_author_bot_and_ai_reviewer_approvals_do_not_count() {
        let c = change(Some("ada"));
        let a = agent_authorship();
        let f = [finding(
            "terraform/module-removed",
            &[Tag::Destructive],
            Severity::Critical,
        )];
        let mut r = teams();
        approve(&mut r, "ada", HEAD); // operator and PR author
        approve(&mut r, "Bea", HEAD); // committer, different case
        approve(&mut r, "copilot-pull-request-reviewer[bot]", HEAD);
        r.reviews.push(Review::new(
            "Copilot",
            AccountType::User,
            ReviewState::Approved,
            HEAD,
        ));
        r.reviews.push(Review::new(
            "renovate",
            AccountType::Bot,
            ReviewState::Approved,
            HEAD,
        ));
        let v = evaluate(
            Evidence {
                change: &c,
                authorship: &a,
                findings: &f,
                infra_files: &[],
            },
            Some(&r),
            &owners_config(),
        );
        let t = v.reviews.as_ref().unwrap();
        assert!(t.counted.is_empty(), "{t:?}");
        assert_eq!(t.ignored.len(), 5);
        assert!(t.ignored[0].reason.contains("the agent's operator"));
        assert!(t.ignored[1].reason.contains("committer"));
        assert!(t.ignored[2].reason.contains("a bot"));
        assert!(t.ignored[3].reason.contains("an AI reviewer"));
        assert_eq!(v.decision, Decision::ReviewRequired);
        assert_eq!(
            v.summary,
            "Needs 2 approvals (destructive, agent-authored): 0 of 2 counted"
        );
    }

    #[test]
    fn the_pull_request_author_is_named_once_as_the_reason() {
        let c = change(Some("alice"));
        let a = Authorship {
            participants: vec![Participant {
                login: Some(Login::new("alice")),
                name: None,
                email: None,
                role: PULL_REQUEST_AUTHOR.to_owned(),
            }],
            ..Default::default()
        };
        let mut r = Reviews::default();
        approve(&mut r, "Alice", HEAD);
        let v = evaluate(
            Evidence {
                change: &c,
                authorship: &a,
                findings: &[],
                infra_files: &[RepoPath::new("infra/main.tf")],
            },
            Some(&r),
            &Config::builtin(),
        );
        let t = v.reviews.unwrap();
        assert_eq!(
            t.ignored[0].reason,
            "approval does not count: the pull request author"
        );
    }

    #[test]
    fn an_operator_committing_with_a_work_email_is_still_the_operator() {
        // A local agent run: the commits carry a work address, no GitHub login.
        let c = change(None);
        let a = Authorship {
            detected: true,
            agents: vec!["claude-code".to_owned()],
            operators: vec![Operator {
                login: None,
                name: Some("ada-h".to_owned()),
                email: Some(Email::new("ada.h@corp.example")),
                evidence: "commit author".to_owned(),
            }],
            participants: vec![Participant {
                login: None,
                name: Some("Bea Builder".to_owned()),
                email: Some(Email::new("bea@corp.example")),
                role: "committer".to_owned(),
            }],
            ..Default::default()
        };
        let f = [finding(
            "sql/drop-table",
            &[Tag::Destructive],
            Severity::High,
        )];
        let mut r = teams();
        for login in ["ada-h", "Ada_H", "BeaBuilder", "bea", "carol"] {
            approve(&mut r, login, HEAD);
        }
        let v = evaluate(
            Evidence {
                change: &c,
                authorship: &a,
                findings: &f,
                infra_files: &[],
            },
            Some(&r),
            &owners_config(),
        );
        let tally = v.reviews.unwrap();
        assert_eq!(tally.counted_from_owners, vec![Login::new("carol")]);
        assert_eq!(tally.counted, vec![Login::new("carol")]);
        assert_eq!(tally.ignored.len(), 4, "{:?}", tally.ignored);
        assert_eq!(v.decision, Decision::ReviewRequired);
        // Someone else whose name merely starts the same way still counts.
        assert!(!is_same_person(
            &Login::new("adam"),
            None,
            None,
            Some("ada-h"),
            Some(&Email::new("ada.h@corp.example"))
        ));
    }

    fn reviewed_by(login: &str, account_type: AccountType, id: Option<u64>) -> Review {
        let mut r = Review::new(login, account_type, ReviewState::Approved, HEAD);
        r.reviewer.id = id;
        r
    }

    /// The tally of `reviews` on a destructive change by claude-code, operated by @ada.
    fn tally_of(reviews: Vec<Review>, config: &Config) -> (Verdict, ReviewTally) {
        let c = change(Some("ada"));
        let a = agent_authorship();
        let f = [finding(
            "sql/drop-table",
            &[Tag::Destructive],
            Severity::High,
        )];
        let mut r = teams();
        r.reviews = reviews;
        let v = evaluate(
            Evidence {
                change: &c,
                authorship: &a,
                findings: &f,
                infra_files: &[],
            },
            Some(&r),
            config,
        );
        let t = v.reviews.clone().unwrap();
        (v, t)
    }

    fn reason_for<'t>(t: &'t ReviewTally, who: &str) -> &'t str {
        t.ignored
            .iter()
            .find(|e| e.who == who)
            .map(|e| e.reason.as_str())
            .unwrap_or_else(|| panic!("{who} not ignored: {t:?}"))
    }

    #[test]
    fn only_a_persons_account_can_approve() {
        let (v, t) = tally_of(
            vec![
                reviewed_by("carol", AccountType::User, Some(7)),
                reviewed_by("acme", AccountType::Organization, None),
                reviewed_by("old-svn-user", AccountType::Mannequin, None),
                reviewed_by("future", AccountType::Unknown, Some(11)),
                reviewed_by("", AccountType::User, None),
                reviewed_by("ghost", AccountType::User, Some(10137)),
            ],
            &owners_config(),
        );
        assert_eq!(t.counted, vec![Login::new("carol")], "{t:?}");
        assert!(reason_for(&t, "@acme").contains("an organization account"));
        assert!(reason_for(&t, "@old-svn-user").contains("a mannequin"));
        assert!(reason_for(&t, "@future").contains("a type twokey does not know"));
        assert!(reason_for(&t, "a review with no login").contains("names no account"));
        assert!(reason_for(&t, "@ghost").contains("a deleted account"));
        assert_eq!(v.decision, Decision::ReviewRequired);
        // A person's account still counts.
        let (v, _) = tally_of(
            vec![
                reviewed_by("carol", AccountType::User, Some(7)),
                reviewed_by("dan", AccountType::User, Some(8)),
            ],
            &owners_config(),
        );
        assert_eq!(v.decision, Decision::Ok, "{:?}", v.missing);
    }

    #[test]
    fn an_operator_who_renamed_their_login_is_still_found_by_account_id() {
        // @ada's commits carry 1+ada@users.noreply.github.com; she is now @ada-renamed.
        let (_, t) = tally_of(
            vec![
                reviewed_by("carol", AccountType::User, Some(7)),
                reviewed_by("ada-renamed", AccountType::User, Some(1)),
            ],
            &owners_config(),
        );
        assert_eq!(t.counted, vec![Login::new("carol")]);
        assert!(reason_for(&t, "@ada-renamed").contains("the agent's operator"));
        // Someone else, with another id, counts.
        let (v, t) = tally_of(
            vec![
                reviewed_by("carol", AccountType::User, Some(7)),
                reviewed_by("ada-renamed", AccountType::User, Some(2)),
            ],
            &owners_config(),
        );
        assert!(t.ignored.is_empty(), "{t:?}");
        assert_eq!(v.decision, Decision::Ok);
    }

    #[test]
    fn agent_and_dependency_bot_user_accounts_do_not_count() {
        let config = Config::parse(
            "version: 1\nowners: ['@acme/platform']\nagents:\n  - name: acme-agent\n    logins: [acme-agent]\n    account_ids: [555]\n",
            "t",
        )
        .unwrap();
        let (_, t) = tally_of(
            vec![
                reviewed_by("carol", AccountType::User, Some(7)),
                reviewed_by("openhands-agent", AccountType::User, None),
                reviewed_by("Renovate-Bot", AccountType::User, None),
                reviewed_by("ACME-agent", AccountType::User, None),
                reviewed_by("acme-agent-v2", AccountType::User, Some(555)),
                reviewed_by("jules", AccountType::User, Some(9)),
            ],
            &config,
        );
        assert!(reason_for(&t, "@openhands-agent").contains("the account of openhands"));
        assert!(reason_for(&t, "@Renovate-Bot").contains("the account of renovate"));
        assert!(reason_for(&t, "@ACME-agent").contains("the account of acme-agent"));
        assert!(reason_for(&t, "@acme-agent-v2").contains("the account of acme-agent"));
        // A person whose login merely resembles an agent's app name still counts.
        assert_eq!(t.counted, vec![Login::new("carol"), Login::new("jules")]);
    }

    #[test]
    fn an_agents_app_named_without_its_bot_suffix_does_not_count() {
        // `devin-ai-integration[bot]` and `chatgpt-codex-connector[bot]` are in the catalogue;
        // a file assembled by hand or from GraphQL names them bare, as user accounts.
        let config = Config::builtin();
        for login in [
            "devin-ai-integration",
            "Chatgpt-Codex-Connector",
            "graphite-app",
        ] {
            let (verdict, t) = tally_of(vec![reviewed_by(login, AccountType::User, None)], &config);
            assert!(t.counted.is_empty(), "{login}: {t:?}");
            assert_eq!(verdict.decision, Decision::ReviewRequired, "{login}");
            let why = reason_for(&t, &format!("@{login}"));
            assert!(
                why.contains("not a person") || why.contains("an AI reviewer"),
                "{login}: {why}"
            );
        }
    }

    #[test]
    fn a_deleted_accounts_request_for_changes_still_blocks() {
        let ghost = Review::new(
            "ghost",
            AccountType::User,
            ReviewState::ChangesRequested,
            HEAD,
        );
        let (v, t) = tally_of(
            vec![
                reviewed_by("carol", AccountType::User, None),
                reviewed_by("dan", AccountType::User, None),
                ghost,
            ],
            &owners_config(),
        );
        assert_eq!(t.counted.len(), 2);
        assert_eq!(v.decision, Decision::ReviewRequired);
        assert!(
            v.missing
                .iter()
                .any(|m| m.contains("since-deleted account")),
            "{:?}",
            v.missing
        );
        // A bot's request for changes does not block, whatever it says.
        let bot = Review::new(
            "renovate[bot]",
            AccountType::Bot,
            ReviewState::ChangesRequested,
            HEAD,
        );
        let (v, _) = tally_of(
            vec![
                reviewed_by("carol", AccountType::User, None),
                reviewed_by("dan", AccountType::User, None),
                bot,
            ],
            &owners_config(),
        );
        assert_eq!(v.decision, Decision::Ok, "{:?}", v.missing);
    }

    #[test]
    fn an_owner_team_whose_members_were_not_given_is_named() {
        let c = change(None);
        let f = [finding(
            "sql/drop-table",
            &[Tag::Destructive],
            Severity::High,
        )];
        let mut r = Reviews::default();
        approve(&mut r, "carol", HEAD);
        approve(&mut r, "dan", HEAD);
        let v = without_agents(&c, &f, Some(&r), &owners_config());
        assert_eq!(v.decision, Decision::ReviewRequired);
        assert!(
            v.missing
                .iter()
                .any(|m| m.starts_with("Who is in @acme/platform was not given")),
            "{:?}",
            v.missing
        );
        // Given under another spelling of the team, the members are known and carol counts.
        r.teams
            .insert("ACME/Platform".to_owned(), vec![Login::new("Carol")]);
        let v = without_agents(&c, &f, Some(&r), &owners_config());
        assert_eq!(v.decision, Decision::Ok, "{:?}", v.missing);
    }

    #[test]
    fn an_approval_by_the_same_person_under_two_spellings_counts_once() {
        let (v, t) = tally_of(
            vec![
                reviewed_by("carol", AccountType::User, None),
                reviewed_by("CAROL", AccountType::User, None),
            ],
            &owners_config(),
        );
        assert_eq!(t.counted.len(), 1);
        assert_eq!(t.counted_from_owners.len(), 1);
        assert_eq!(v.decision, Decision::ReviewRequired);
    }

    #[test]
    fn two_independent_approvals_with_an_owner_on_head_pass() {
        let c = change(Some("ada"));
        let a = agent_authorship();
        let f = [finding(
            "sql/drop-table",
            &[Tag::Destructive],
            Severity::High,
        )];
        let mut r = teams();
        approve(&mut r, "carol", HEAD);
        approve(&mut r, "dan", HEAD);
        let v = evaluate(
            Evidence {
                change: &c,
                authorship: &a,
                findings: &f,
                infra_files: &[],
            },
            Some(&r),
            &owners_config(),
        );
        assert_eq!(v.decision, Decision::Ok, "{:?}", v.missing);
        assert_eq!(
            v.reviews.unwrap().counted_from_owners,
            vec![Login::new("carol")]
        );
    }

    #[test]
    fn accounts_written_with_an_at_in_the_config_still_never_count() {
        let c = change(None);
        let f = [finding(
            "sql/drop-table",
            &[Tag::Destructive],
            Severity::High,
        )];
        let config = Config::parse(
            "version: 1\ntiers:\n  - name: destructive\n    when: {tags: [destructive]}\n    approvals: 1\nai_reviewers: ['@acme-ai']\nagents:\n  - name: acme-agent\n    logins: ['@acme-machine']\n",
            "t",
        )
        .unwrap();
        let mut r = Reviews::default();
        approve(&mut r, "acme-ai", HEAD);
        approve(&mut r, "ACME-machine", HEAD);
        let v = without_agents(&c, &f, Some(&r), &config);
        let t = v.reviews.as_ref().unwrap();
        assert!(t.counted.is_empty(), "{t:?}");
        assert!(t.ignored[0].reason.contains("an AI reviewer"), "{t:?}");
        assert!(t.ignored[1].reason.contains("acme-agent"), "{t:?}");
        // A person whose login merely resembles them still counts.
        approve(&mut r, "acme-ai-fan", HEAD);
        let v = without_agents(&c, &f, Some(&r), &config);
        assert_eq!(v.reviews.unwrap().counted, vec![Login::new("acme-ai-fan")]);
    }

    #[test]
    fn two_approvals_without_an_owner_fall_short() {
        let c = change(None);
        let f = [finding(
            "sql/drop-table",
            &[Tag::Destructive],
            Severity::High,
        )];
        let mut r = teams();
        approve(&mut r, "erin", HEAD);
        approve(&mut r, "dan", HEAD);
        let v = without_agents(&c, &f, Some(&r), &owners_config());
        assert_eq!(v.decision, Decision::ReviewRequired);
        assert_eq!(
            v.missing[0],
            "1 more approval from owners (@acme/platform, olga) is needed (0 of 1 counted)."
        );
        assert_eq!(
            v.summary, "Needs 1 approval from owners (destructive): 0 of 1 counted",
            "enough approvals in all: the summary names what is short"
        );
    }

    #[test]
    fn stale_approvals_do_not_count_when_fresh_is_required() {
        let c = change(None);
        let f = [finding(
            "sql/drop-table",
            &[Tag::Destructive],
            Severity::High,
        )];
        let mut r = teams();
        approve(&mut r, "carol", "2222222222222222222222222222222222222222");
        approve(&mut r, "olga", HEAD);
        let v = without_agents(&c, &f, Some(&r), &owners_config());
        let t = v.reviews.unwrap();
        assert_eq!(t.counted, vec![Login::new("olga")]);
        assert!(t.ignored[0]
            .reason
            .contains("2222222, not on the current head"));
        // A hand-written reviews file may name the head by its abbreviation.
        let mut r = teams();
        approve(&mut r, "olga", &HEAD[..7]);
        approve(&mut r, "carol", &HEAD[..4]);
        let t = without_agents(&c, &f, Some(&r), &owners_config())
            .reviews
            .unwrap();
        assert_eq!(t.counted, vec![Login::new("olga")]);
    }

    #[test]
    fn a_stale_approval_counts_where_freshness_is_not_required() {
        let c = change(None);
        let infra = [RepoPath::new("k8s/app.yaml")];
        let mut r = Reviews::default();
        approve(&mut r, "carol", "2222222222222222222222222222222222222222");
        let v = evaluate(
            Evidence {
                change: &c,
                authorship: &Authorship::default(),
                findings: &[],
                infra_files: &infra,
            },
            Some(&r),
            &Config::builtin(),
        );
        assert_eq!(v.requirement.tiers, vec!["infra"]);
        assert_eq!(v.decision, Decision::Ok);
    }

    #[test]
    fn changes_requested_by_an_independent_human_blocks() {
        let c = change(None);
        let infra = [RepoPath::new("k8s/app.yaml")];
        let mut r = Reviews::default();
        approve(&mut r, "carol", HEAD);
        r.reviews.push(Review::new(
            "dan",
            AccountType::User,
            ReviewState::ChangesRequested,
            HEAD,
        ));
        let v = evaluate(
            Evidence {
                change: &c,
                authorship: &Authorship::default(),
                findings: &[],
                infra_files: &infra,
            },
            Some(&r),
            &Config::builtin(),
        );
        assert_eq!(v.decision, Decision::ReviewRequired);
        assert_eq!(v.summary, "Changes requested (infra)");
    }

    #[test]
    fn default_config_without_owners_says_how_to_fix_it() {
        let c = change(None);
        let f = [finding(
            "guardrail/codeowners-changed",
            &[Tag::Guardrail],
            Severity::High,
        )];
        let v = without_agents(&c, &f, None, &Config::builtin());
        assert!(
            v.missing
                .iter()
                .any(|m| m.contains("no owners are configured")),
            "{:?}",
            v.missing
        );
    }

    #[test]
    fn unparseable_files_need_a_human() {
        let c = change(None);
        let f = [finding(
            "kubernetes/unparseable",
            &[Tag::Infra],
            Severity::High,
        )];
        let v = without_agents(&c, &f, None, &Config::builtin());
        assert!(v.requirement.tiers.contains(&"needs-human".to_owned()));
        assert_eq!(v.decision, Decision::ReviewRequired);
    }

    fn allowed(mut f: Finding) -> Finding {
        f.allowed = Some(crate::finding::Allowance {
            by: crate::finding::AllowedBy::Inline,
            reason: "decommissioned per INC-42".to_owned(),
            at: "infra/main.tf:2".to_owned(),
        });
        f
    }

    #[test]
    fn an_allowed_destructive_finding_no_longer_asks_for_the_destructive_tier() {
        let c = change(None);
        let f = [allowed(finding(
            "terraform/resource-removed",
            &[Tag::Destructive, Tag::Infra],
            Severity::Critical,
        ))];
        let infra = [RepoPath::new("infra/main.tf")];
        let v = evaluate(
            Evidence {
                change: &c,
                authorship: &Authorship::default(),
                findings: &f,
                infra_files: &infra,
            },
            None,
            &Config::builtin(),
        );
        assert_eq!(v.requirement.tiers, vec!["infra"], "{:?}", v.requirement);
        assert_eq!(v.tags, vec![Tag::Infra], "an allowed finding raises no tag");
        assert!(
            !v.requirement
                .reasons
                .iter()
                .any(|r| r.contains("resource-removed")),
            "{:?}",
            v.requirement.reasons
        );
    }

    #[test]
    fn an_unallowed_finding_beside_an_allowed_one_still_counts() {
        let c = change(None);
        let f = [
            allowed(finding(
                "terraform/resource-removed",
                &[Tag::Destructive],
                Severity::Critical,
            )),
            finding("sql/drop-table", &[Tag::Destructive], Severity::High),
        ];
        let v = without_agents(&c, &f, None, &Config::builtin());
        assert_eq!(v.requirement.tiers, vec!["destructive"]);
        assert!(v.requirement.reasons[0].contains("sql/drop-table"));
        assert!(!v.requirement.reasons[0].contains("resource-removed"));
    }

    #[test]
    fn a_rule_that_can_never_be_allowed_still_requires_a_human() {
        // The policy only skips what suppress marked; suppress never marks these.
        let unparseable = finding("kubernetes/unparseable", &[Tag::Infra], Severity::High);
        assert!(!crate::suppress::allowable(unparseable.rule.as_str()));
        let c = change(None);
        let v = without_agents(&c, &[unparseable], None, &Config::builtin());
        assert!(v.requirement.tiers.contains(&"needs-human".to_owned()));
    }

    proptest::proptest! {
        #[test]
        fn rule_patterns_match_as_a_glob_does(pattern in "[ab*/]{0,8}", id in "[ab/]{0,8}") {
            let glob: Vec<String> = pattern.split('*').map(regex::escape).collect();
            let reference = regex::Regex::new(&format!("^{}$", glob.join(".*"))).unwrap();
            proptest::prop_assert_eq!(rule_matches(&pattern, &id), reference.is_match(&id));
        }
    }

    #[test]
    fn a_reason_names_five_findings_and_counts_the_rest() {
        let c = change(None);
        let findings: Vec<Finding> = (1..=7)
            .map(|line| {
                let mut f = finding("sql/drop-table", &[Tag::Destructive], Severity::High);
                f.location = Location::lines(RepoPath::new("db/1.sql"), Side::Head, line, line);
                f
            })
            .collect();
        let v = without_agents(&c, &findings, None, &Config::builtin());
        let reason = &v.requirement.reasons[0];
        assert!(reason.contains("sql/drop-table at db/1.sql:5"), "{reason}");
        assert!(!reason.contains("db/1.sql:6"), "{reason}");
        assert!(reason.contains(" and 2 more"), "{reason}");
    }

    #[test]
    fn the_infra_tier_is_explained_by_the_files_not_by_repeating_the_destructive_findings() {
        let c = change(None);
        let findings = [finding(
            "terraform/resource-removed",
            &[Tag::Destructive, Tag::Infra],
            Severity::Critical,
        )];
        let infra_files = [RepoPath::new("infra/main.tf")];
        let authorship = Authorship::default();
        let evidence = |infra_files| Evidence {
            change: &c,
            authorship: &authorship,
            findings: &findings,
            infra_files,
        };
        let v = evaluate(evidence(&infra_files), None, &Config::builtin());
        let reason = |tier: &str| {
            v.requirement
                .reasons
                .iter()
                .find(|r| r.starts_with(tier))
                .cloned()
                .unwrap_or_default()
        };
        assert!(
            reason("destructive").contains("terraform/resource-removed at infra/main.tf:3"),
            "{:?}",
            v.requirement.reasons
        );
        assert!(
            reason("infra").ends_with("because changes infra/main.tf."),
            "{:?}",
            v.requirement.reasons
        );
        // With no infrastructure file to name (a plan's finding), the findings say why.
        let v = evaluate(evidence(&[]), None, &Config::builtin());
        let infra = v
            .requirement
            .reasons
            .iter()
            .find(|r| r.starts_with("infra"));
        assert!(
            infra.is_some_and(|r| r.contains("terraform/resource-removed at infra/main.tf:3")),
            "{:?}",
            v.requirement.reasons
        );
    }

    #[test]
    fn a_tier_narrowed_to_paths_applies_only_to_what_lies_under_them() {
        let config = Config::parse(
            "version: 1\ntiers:\n  - name: prod\n    when: {tags: [destructive, infra], paths: ['infra/prod/**']}\n    approvals: 3\n",
            "t",
        )
        .expect("parses");
        let at = |path: &str| {
            let mut f = finding(
                "terraform/resource-removed",
                &[Tag::Destructive, Tag::Infra],
                Severity::High,
            );
            f.location = Location::lines(RepoPath::new(path), Side::Base, 2, 4);
            f
        };
        let c = change(None);
        let verdict = |findings: &[Finding], infra_files: &[RepoPath]| {
            evaluate(
                Evidence {
                    change: &c,
                    authorship: &Authorship::default(),
                    findings,
                    infra_files,
                },
                None,
                &config,
            )
        };
        let prod = [at("infra/prod/db.tf"), at("infra/dev/db.tf")];
        let v = verdict(&prod, &[]);
        assert_eq!(v.requirement.approvals, 3);
        let reason = v
            .requirement
            .reasons
            .iter()
            .find(|r| r.starts_with("prod"))
            .expect("the prod tier");
        assert!(
            reason.contains("infra/prod/db.tf:2") && !reason.contains("infra/dev"),
            "{reason}"
        );
        // Only outside the paths: the tier stays out, the built-in ones decide.
        let v = verdict(
            &[at("infra/dev/db.tf")],
            &[RepoPath::new("infra/dev/db.tf")],
        );
        assert_eq!(v.requirement.approvals, 2, "{:?}", v.requirement.tiers);
        assert!(!v.requirement.tiers.contains(&"prod".to_owned()));
        // A change-level tag counts by its files: an infra file under the paths.
        let v = verdict(&[], &[RepoPath::new("infra/prod/vars.tf")]);
        assert!(
            v.requirement.tiers.contains(&"prod".to_owned()),
            "{:?}",
            v.requirement.tiers
        );
        assert!(v
            .requirement
            .reasons
            .iter()
            .any(|r| r.starts_with("prod") && r.contains("changes infra/prod/vars.tf")));
    }

    #[test]
    fn rule_patterns() {
        assert!(rule_matches("*/unparseable", "sql/unparseable"));
        assert!(rule_matches("terraform/*", "terraform/module-removed"));
        assert!(rule_matches("sql/drop-table", "sql/drop-table"));
        assert!(!rule_matches("sql/drop", "sql/drop-table"));
        assert!(!rule_matches("*/unparseable", "sql/drop-table"));
        assert!(rule_matches("*drop*", "sql/drop-table"));
        assert!(!rule_matches("a*a", "a"));
        assert!(rule_matches("a**b*c", "axbyc"));
        assert!(!rule_matches("a*b*c*d", "abdc"));
    }
}
