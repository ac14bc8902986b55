//! detect: reads a [`Change`] against the [`AgentCatalogue`] and says who wrote it: the agents
//! (with a [`Signal`] for every mark seen), the dependency bots, the humans who launched the
//! agents (operators) and everyone who took part (participants).
//!
//! Signals are collected first and judged after: a change is agent-authored only on a strong
//! agent signal, and operators are named only then, so a human change that merely says
//! "Requested by: @pm" names no operator. Dependency-bot marks are recorded as such and never
//! count towards agent authorship.

use std::sync::LazyLock;

use regex::Regex;

use super::{
    AgentCatalogue, AgentSpec, Authorship, Operator, Participant, Signal, SignalKind, Strength,
};
use crate::change::{AccountType, Change, Commit, Email, Identity, Login, Revision};

/// The agent name for an agent that left a mark but is not in the catalogue.
const UNKNOWN: &str = "unknown";
/// Evidence quotes input text; keep it short enough for a report line.
const EXCERPT_CHARS: usize = 200;
/// GitHub's web-flow committer: commits made in the web UI, not by a person.
const WEB_FLOW_EMAIL: &str = "noreply@github.com";
const WEB_FLOW_LOGIN: &str = "web-flow";

/// Who a matched mark belongs to.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Owner {
    Agent(String),
    DependencyBot(String),
}

/// A human seen on a commit, kept until we know whether the change is agent-authored.
#[derive(Debug, Clone)]
struct Human {
    name: Option<String>,
    email: Option<Email>,
    login: Option<Login>,
    evidence: String,
}

/// What one commit told us, beyond its signals.
#[derive(Debug, Default)]
struct CommitFacts {
    /// The commit itself carries a strong agent signal.
    agent_written: bool,
    /// Human `Co-authored-by` identities.
    human_coauthors: Vec<Human>,
    /// The author, when a person (a `(aider)` author counts: aider commits as its operator).
    human_author: Option<Human>,
}

/// Decides who wrote `change`, with the evidence for every conclusion.
pub fn detect(change: &Change, catalogue: &AgentCatalogue) -> Authorship {
    let mut d = Detector {
        catalogue,
        signals: Vec::new(),
    };

    if let Some(branch) = &change.branch {
        d.branch(branch);
    }

    let mut pr_author_is_human = false;
    if let Some(author) = change
        .pull_request
        .as_ref()
        .and_then(|pr| pr.author.as_ref())
    {
        let evidence = format!("pull request author: {}", excerpt(author.login.as_str()));
        match d.match_account(Some(&author.login), None) {
            Some((owner, _)) => d.push(owner, SignalKind::BotLogin, Strength::Strong, evidence),
            None => {
                pr_author_is_human =
                    author.account_type == AccountType::User && !author.login.is_bot_suffix()
            }
        }
    }

    let facts: Vec<CommitFacts> = change.commits.iter().map(|c| d.commit(c)).collect();

    if let Some(pr) = &change.pull_request {
        d.markers(
            "pull request title",
            &pr.title,
            SignalKind::PullRequestMarker,
        );
        d.markers("pull request body", &pr.body, SignalKind::PullRequestMarker);
    }

    let participants = participants(change, &d);
    let mut signals = d.signals;
    dedupe_signals(&mut signals);
    let detected = signals.iter().any(is_strong_agent_signal);

    let mut agents: Vec<String> = signals
        .iter()
        .filter(|s| is_strong_agent_signal(s))
        .map(|s| s.agent.clone())
        .collect();
    agents.sort();
    agents.dedup();

    let mut dependency_bots: Vec<String> = signals
        .iter()
        .filter(|s| s.kind == SignalKind::DependencyBot)
        .map(|s| s.agent.clone())
        .collect();
    dependency_bots.sort();
    dependency_bots.dedup();

    let operators = if detected {
        operators(change, catalogue, &facts, pr_author_is_human)
    } else {
        Vec::new()
    };

    Authorship {
        detected,
        agents,
        signals,
        operators,
        dependency_bots,
        participants,
    }
}

fn is_strong_agent_signal(s: &Signal) -> bool {
    s.strength == Strength::Strong && s.kind != SignalKind::DependencyBot
}

fn dedupe_signals(signals: &mut Vec<Signal>) {
    let mut seen: Vec<Signal> = Vec::with_capacity(signals.len());
    for s in signals.drain(..) {
        if !seen.contains(&s) {
            seen.push(s);
        }
    }
    *signals = seen;
}

struct Detector<'a> {
    catalogue: &'a AgentCatalogue,
    signals: Vec<Signal>,
}

impl Detector<'_> {
    /// Dependency bots first: their marks must never be read as an agent's.
    fn specs(&self) -> impl Iterator<Item = (&AgentSpec, bool)> + '_ {
        self.catalogue
            .dependency_bots
            .iter()
            .map(|s| (s, true))
            .chain(self.catalogue.agents.iter().map(|s| (s, false)))
    }

    fn push(&mut self, owner: Owner, kind: SignalKind, strength: Strength, evidence: String) {
        let signal = match owner {
            Owner::Agent(agent) => Signal {
                kind,
                agent,
                strength,
                evidence,
            },
            Owner::DependencyBot(agent) => Signal {
                kind: SignalKind::DependencyBot,
                agent,
                strength: Strength::Strong,
                evidence,
            },
        };
        self.signals.push(signal);
    }

    fn strong_agent_signals(&self) -> usize {
        self.signals
            .iter()
            .filter(|s| is_strong_agent_signal(s))
            .count()
    }

    fn branch(&mut self, branch: &str) {
        let name = branch.strip_prefix("refs/heads/").unwrap_or(branch);
        let lower = name.to_lowercase();
        let owner = self.specs().find_map(|(spec, dep)| {
            spec.branch_prefixes
                .iter()
                .filter(|p| !p.trim().is_empty())
                .any(|p| lower.starts_with(&p.to_lowercase()))
                .then(|| owner(spec, dep))
        });
        if let Some(owner) = owner {
            let evidence = format!("branch {}", excerpt(name));
            self.push(owner, SignalKind::BranchPrefix, Strength::Strong, evidence);
        }
    }

    /// Whose account a login or address is: by noreply id, noreply login, exact e-mail, then
    /// by the login itself.
    fn match_account(
        &self,
        login: Option<&Login>,
        email: Option<&Email>,
    ) -> Option<(Owner, SignalKind)> {
        let noreply_id = email.and_then(Email::noreply_id);
        let noreply_login = email.and_then(Email::noreply_login);
        self.specs().find_map(|(spec, dep)| {
            let by_email = noreply_id.is_some_and(|id| spec.account_ids.contains(&id))
                || noreply_login.as_ref().is_some_and(|l| has_login(spec, l))
                || email.is_some_and(|e| {
                    spec.emails
                        .iter()
                        .filter(|known| !known.trim().is_empty())
                        .any(|known| Email::new(known.as_str()).eq_ignore_case(e))
                });
            if by_email {
                return Some((owner(spec, dep), SignalKind::NoreplyEmail));
            }
            login
                .is_some_and(|l| has_login(spec, l))
                .then(|| (owner(spec, dep), SignalKind::BotLogin))
        })
    }

    fn match_identity(&self, who: &Identity) -> Option<(Owner, SignalKind)> {
        self.match_account(who.login.as_ref(), non_empty_email(&who.email))
    }

    /// The agent whose name suffix (`(aider)`) ends this git name.
    fn match_name_suffix(&self, name: &str) -> Option<Owner> {
        let lower = name.trim().to_lowercase();
        self.specs().find_map(|(spec, dep)| {
            spec.name_suffixes
                .iter()
                .filter(|s| !s.trim().is_empty())
                .any(|s| lower.ends_with(&s.trim().to_lowercase()))
                .then(|| owner(spec, dep))
        })
    }

    /// The agent a free-text value names (`Claude Code`, `Cursor (gpt-5)`): the earliest
    /// whole-word name in the value wins, since tools name themselves before their model.
    fn match_named(&self, value: &str) -> Option<Owner> {
        let lower = value.to_lowercase();
        let mut best: Option<(usize, Owner)> = None;
        for (spec, dep) in self.specs() {
            for name in spec.names.iter().filter(|n| !n.trim().is_empty()) {
                if let Some(at) = find_word(&lower, &name.trim().to_lowercase()) {
                    if best.as_ref().is_none_or(|(b, _)| at < *b) {
                        best = Some((at, owner(spec, dep)));
                    }
                }
            }
        }
        best.map(|(_, o)| o)
    }

    fn match_host(&self, url: &str) -> Option<Owner> {
        let host = url_host(url)?;
        self.specs().find_map(|(spec, dep)| {
            spec.url_hosts
                .iter()
                .map(|h| h.trim().to_lowercase())
                .filter(|h| !h.is_empty())
                .any(|h| host == h || host.ends_with(&format!(".{h}")))
                .then(|| owner(spec, dep))
        })
    }

    fn match_trailer_key(&self, key: &str) -> Option<Owner> {
        self.specs().find_map(|(spec, dep)| {
            spec.trailer_keys
                .iter()
                .any(|k| !k.trim().is_empty() && k.trim().eq_ignore_ascii_case(key))
                .then(|| owner(spec, dep))
        })
    }

    fn commit(&mut self, c: &Commit) -> CommitFacts {
        let sha = short_sha(&c.id);
        let before = self.strong_agent_signals();
        let mut facts = CommitFacts::default();

        let author_evidence = format!("commit {sha} author: {}", show(&c.author));
        let author_is_agent = match self.match_identity(&c.author) {
            Some((owner, kind)) => {
                self.push(owner, kind, Strength::Strong, author_evidence.clone());
                true
            }
            None => false,
        };
        let author_suffix = if author_is_agent {
            None
        } else {
            self.match_name_suffix(&c.author.name)
        };
        if let Some(owner) = author_suffix.clone() {
            self.push(
                owner,
                SignalKind::AuthorName,
                Strength::Strong,
                author_evidence.clone(),
            );
        }
        if !author_is_agent && !c.author.login.as_ref().is_some_and(Login::is_bot_suffix) {
            facts.human_author = Some(Human {
                name: Some(strip_name_suffix(&c.author.name, author_suffix.is_some())),
                email: non_empty_email(&c.author.email).cloned(),
                login: c.author.login.clone(),
                evidence: author_evidence,
            });
        }

        let committer_evidence = format!("commit {sha} committer: {}", show(&c.committer));
        if is_web_flow(&c.committer) {
            let subject = c.message.lines().next().unwrap_or("");
            if subject
                .trim_start()
                .to_lowercase()
                .starts_with("apply suggestion")
            {
                // Text accepted from a review suggestion: someone else's words, maybe a bot's.
                self.push(
                    Owner::Agent(UNKNOWN.to_owned()),
                    SignalKind::MessageMarker,
                    Strength::Weak,
                    format!("{committer_evidence}: {}", excerpt(subject)),
                );
            }
        } else if c.committer != c.author {
            match self.match_identity(&c.committer) {
                Some((owner, kind)) => self.push(owner, kind, Strength::Strong, committer_evidence),
                None if !author_is_agent && author_suffix.is_none() => {
                    // aider commits as "<you> (aider)"; a committer-only suffix may just be a
                    // rebase or a habit, so it only hints.
                    if let Some(owner) = self.match_name_suffix(&c.committer.name) {
                        self.push(
                            owner,
                            SignalKind::AuthorName,
                            Strength::Weak,
                            committer_evidence,
                        );
                    }
                }
                None => {}
            }
        }

        for t in &c.trailers {
            self.trailer(&sha, t, &mut facts);
        }
        self.markers(
            &format!("commit {sha} message"),
            &c.message,
            SignalKind::MessageMarker,
        );
        self.subject_prefix(&sha, c.message.lines().next().unwrap_or(""));

        facts.agent_written = self.strong_agent_signals() > before;
        facts
    }

    fn trailer(&mut self, sha: &str, t: &crate::change::Trailer, facts: &mut CommitFacts) {
        let value = t.value.trim();
        if value.is_empty() {
            return;
        }
        let evidence = format!("commit {sha}: {}: {}", excerpt(&t.key), excerpt(value));
        if t.is("co-authored-by") {
            let (name, email) = parse_name_email(value);
            if email
                .as_ref()
                .is_some_and(|e| e.eq_ignore_case(&Email::new(WEB_FLOW_EMAIL)))
            {
                return;
            }
            let login = email.as_ref().and_then(Email::noreply_login);
            match self.match_account(login.as_ref(), email.as_ref()) {
                Some((owner, _)) => {
                    self.push(owner, SignalKind::Trailer, Strength::Strong, evidence)
                }
                None if !login.as_ref().is_some_and(Login::is_bot_suffix) => {
                    facts.human_coauthors.push(Human {
                        name,
                        email,
                        login,
                        evidence,
                    })
                }
                None => {}
            }
        } else if t.is("assisted-by") {
            let (owner, strength) = self.assisted_by(value);
            self.push(owner, SignalKind::Trailer, strength, evidence);
        } else if t.is("generated-by") || t.is("made-with") {
            let owner = self
                .match_named(value)
                .unwrap_or_else(|| Owner::Agent(slug(value)));
            self.push(owner, SignalKind::Trailer, Strength::Strong, evidence);
        } else if t.is("agent-logs-url") {
            let owner = self
                .match_host(value)
                .unwrap_or_else(|| Owner::Agent(UNKNOWN.to_owned()));
            self.push(owner, SignalKind::Trailer, Strength::Strong, evidence);
        } else if let Some(owner) = self.match_trailer_key(&t.key) {
            self.push(owner, SignalKind::Trailer, Strength::Strong, evidence);
        }
    }

    /// Who an `Assisted-by:` value names, and how surely. The Linux kernel asks for
    /// `AGENT:MODEL [TOOLS]`, where the agent is what precedes the colon (`Zed:claude-sonnet-4`
    /// is Zed running a Claude model, not Claude Code). Other projects, curl among them, credit
    /// people with the same key (`Assisted-by: Jay Satiro`, `Assisted-by: Ann <ann@host>`), so
    /// a value with an address is judged by the address alone, and a bare name the catalogue
    /// does not know only hints.
    fn assisted_by(&self, value: &str) -> (Owner, Strength) {
        let (_, email) = parse_name_email(value);
        if value.contains('<') || email.is_some() {
            let login = email.as_ref().and_then(Email::noreply_login);
            return match self.match_account(login.as_ref(), email.as_ref()) {
                Some((owner, _)) => (owner, Strength::Strong),
                None => (Owner::Agent(UNKNOWN.to_owned()), Strength::Weak),
            };
        }
        if let Some((agent, model)) = value.split_once(':') {
            if !agent.trim().is_empty() && !model.trim().is_empty() {
                let owner = self
                    .match_named(agent)
                    .unwrap_or_else(|| Owner::Agent(slug(agent)));
                return (owner, Strength::Strong);
            }
        }
        match self.match_named(value) {
            Some(owner) => (owner, Strength::Strong),
            None => (Owner::Agent(UNKNOWN.to_owned()), Strength::Weak),
        }
    }

    /// The agent whose subject prefix (`aider: `) opens this commit subject.
    fn subject_prefix(&mut self, sha: &str, subject: &str) {
        let lower = subject.trim_start().to_lowercase();
        let hit = self.specs().find_map(|(spec, dep)| {
            spec.subject_prefixes
                .iter()
                .filter(|p| !p.trim().is_empty())
                .any(|p| lower.starts_with(&p.trim_start().to_lowercase()))
                .then(|| owner(spec, dep))
        });
        if let Some(who) = hit {
            let evidence = format!("commit {sha} subject: {}", excerpt(subject));
            self.push(who, SignalKind::MessageMarker, Strength::Strong, evidence);
        }
    }

    /// One signal per agent per text: the first line carrying one of its markers outside
    /// code (a marker quoted in backticks or shown in a fenced block is being talked about,
    /// not left by an agent).
    fn markers(&mut self, place: &str, text: &str, kind: SignalKind) {
        let mut found: Vec<(Owner, String)> = Vec::new();
        for line in outside_fences(text) {
            let lower = outside_code_spans(line).to_lowercase();
            for (spec, dep) in self.specs() {
                let who = owner(spec, dep);
                if found.iter().any(|(o, _)| *o == who) {
                    continue;
                }
                let hit = spec
                    .markers
                    .iter()
                    .filter(|m| !m.trim().is_empty())
                    .any(|m| marks_line(&lower, &m.to_lowercase()));
                if hit {
                    found.push((who, format!("{place}: {}", excerpt(line))));
                }
            }
        }
        for (who, evidence) in found {
            self.push(who, kind, Strength::Strong, evidence);
        }
    }
}

fn owner(spec: &AgentSpec, dependency_bot: bool) -> Owner {
    if dependency_bot {
        Owner::DependencyBot(spec.name.clone())
    } else {
        Owner::Agent(spec.name.clone())
    }
}

fn has_login(spec: &AgentSpec, login: &Login) -> bool {
    spec.logins
        .iter()
        .filter(|l| !l.trim().is_empty())
        .any(|l| Login::new(l.trim()).same_as(login))
}

fn non_empty_email(email: &Email) -> Option<&Email> {
    (!email.as_str().trim().is_empty()).then_some(email)
}

fn is_web_flow(who: &Identity) -> bool {
    who.email.eq_ignore_case(&Email::new(WEB_FLOW_EMAIL))
        || who
            .login
            .as_ref()
            .is_some_and(|l| l.same_as(&Login::new(WEB_FLOW_LOGIN)))
}

/// The first seven characters of a commit id, as git abbreviates it.
fn short_sha(id: &Revision) -> String {
    id.as_str().chars().take(7).collect()
}

fn show(who: &Identity) -> String {
    let name = who.name.trim();
    let email = who.email.as_str().trim();
    let text = match (name.is_empty(), email.is_empty()) {
        (false, false) => format!("{name} <{email}>"),
        (false, true) => name.to_owned(),
        _ => format!("<{email}>"),
    };
    excerpt(&text)
}

/// Input text made safe for one report line: control characters become spaces, long text is cut.
fn excerpt(text: &str) -> String {
    let clean: String = text
        .trim()
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect();
    if clean.chars().count() > EXCERPT_CHARS {
        let mut cut: String = clean.chars().take(EXCERPT_CHARS).collect();
        cut.push('…');
        cut
    } else {
        clean
    }
}

/// Whether `marker` (lower-case) marks `line` (lower-case, code spans removed). A session
/// link (`app.devin.ai/sessions/…`) counts wherever it stands. A sentence an agent writes
/// (`created by @kiro-agent`) counts unless it opens a quotation. A footer link an agent
/// signs with (`Generated with [Claude Code](…)`, `Made with [Cursor](…)`, a plain
/// `Generated with Amazon Q Developer`) counts only where
/// it opens its line, after nothing but an emoji, a bullet or spaces: in the middle of a
/// sentence, or quoted, it is being talked about.
fn marks_line(line: &str, marker: &str) -> bool {
    let quote = |c: char| matches!(c, '\'' | '"' | '‘' | '’' | '“' | '”');
    if marker.contains('/') {
        return line.contains(marker);
    }
    line.match_indices(marker).any(|(at, _)| {
        let before = &line[..at];
        // A footer is a link (`[Claude Code](…)`) or plain words (Amazon Q's "Generated
        // with Amazon Q Developer"); either way it is a footer only where it opens its line.
        if marker.contains('[') || marker.starts_with("generated with ") {
            !before.chars().any(|c| c.is_alphanumeric() || quote(c))
        } else {
            !before.chars().next_back().is_some_and(quote)
        }
    })
}

/// The lines of Markdown `text` outside fenced code blocks (```` ``` ```` or `~~~`, closed by
/// a fence of the same character at least as long), fence lines excluded. An unclosed fence
/// runs to the end, as Markdown renders it.
fn outside_fences(text: &str) -> impl Iterator<Item = &str> {
    let mut open: Option<(char, usize)> = None;
    text.lines().filter(move |line| {
        let trimmed = line.trim_start_matches(' ');
        let fence = (line.len() - trimmed.len() <= 3)
            .then(|| {
                let c = trimmed.chars().next().filter(|c| matches!(c, '`' | '~'))?;
                let run = trimmed.chars().take_while(|&x| x == c).count();
                (run >= 3).then_some((c, run))
            })
            .flatten();
        match (open, fence) {
            (None, Some(f)) => {
                open = Some(f);
                false
            }
            (Some((c, n)), Some((fc, len)))
                if fc == c && len >= n && trimmed.trim_start_matches(c).trim().is_empty() =>
            {
                open = None;
                false
            }
            (Some(_), _) => false,
            (None, None) => true,
        }
    })
}

/// `line` without its inline code spans (text between paired backticks). An unpaired
/// backtick opens no span.
fn outside_code_spans(line: &str) -> String {
    let pieces: Vec<&str> = line.split('`').collect();
    let unpaired_tail = pieces.len() % 2 == 0;
    pieces
        .iter()
        .enumerate()
        .filter(|(i, _)| i % 2 == 0 || (unpaired_tail && *i == pieces.len() - 1))
        .map(|(_, piece)| *piece)
        .collect::<Vec<_>>()
        .join(" ")
}

/// The position of `word` in `hay` where it stands as a whole word (both already lower-case).
fn find_word(hay: &str, word: &str) -> Option<usize> {
    hay.match_indices(word).map(|(at, _)| at).find(|&at| {
        let before = hay[..at].chars().next_back();
        let after = hay[at + word.len()..].chars().next();
        !before.is_some_and(char::is_alphanumeric) && !after.is_some_and(char::is_alphanumeric)
    })
}

/// A name for an agent the catalogue does not know, from a trailer value such as
/// `FooBot 2.1 <bot@foo>`: the words before any address, model or version, kebab-cased.
fn slug(value: &str) -> String {
    let head = value
        .split(['<', '(', ':', '['])
        .next()
        .unwrap_or("")
        .to_lowercase();
    let words: Vec<String> = head
        .split_whitespace()
        .filter(|w| !looks_like_version(w))
        .map(|w| {
            w.chars()
                .map(|c| if c.is_ascii_alphanumeric() { c } else { '-' })
                .collect::<String>()
        })
        .collect();
    let joined = words.join("-");
    let mut slug = String::new();
    for c in joined.chars() {
        if c == '-' && (slug.is_empty() || slug.ends_with('-')) {
            continue;
        }
        slug.push(c);
    }
    let slug: String = slug.trim_end_matches('-').chars().take(40).collect();
    let slug = slug.trim_end_matches('-');
    if slug.is_empty() {
        UNKNOWN.to_owned()
    } else {
        slug.to_owned()
    }
}

fn looks_like_version(word: &str) -> bool {
    let rest = word.strip_prefix('v').unwrap_or(word);
    rest.starts_with(|c: char| c.is_ascii_digit())
}

/// The lower-cased host of a URL, without scheme, credentials or port.
fn url_host(url: &str) -> Option<String> {
    let url = url.trim();
    let rest = url.split_once("://").map(|(_, r)| r).unwrap_or(url);
    let authority = rest.split(['/', '?', '#']).next().unwrap_or("");
    let host = authority.rsplit('@').next().unwrap_or("");
    let host = host.split(':').next().unwrap_or("").trim_end_matches('.');
    (!host.is_empty()).then(|| host.to_lowercase())
}

/// Splits `Name <email>`; a bare address or a bare name is accepted too.
fn parse_name_email(value: &str) -> (Option<String>, Option<Email>) {
    let value = value.trim();
    if let Some((name, rest)) = value.split_once('<') {
        let email = rest.split('>').next().unwrap_or("").trim();
        let name = name.trim();
        return (
            (!name.is_empty()).then(|| name.to_owned()),
            (!email.is_empty()).then(|| Email::new(email)),
        );
    }
    if value.contains('@') && !value.contains(char::is_whitespace) {
        return (None, Some(Email::new(value)));
    }
    ((!value.is_empty()).then(|| value.to_owned()), None)
}

/// An aider author is "<operator> (aider)": the operator's name is what precedes the suffix.
fn strip_name_suffix(name: &str, had_suffix: bool) -> String {
    let name = name.trim();
    if had_suffix {
        if let Some(open) = name.rfind('(') {
            return name[..open].trim().to_owned();
        }
    }
    name.to_owned()
}

static REQUESTED_BY: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"(?i)\brequested by\b:?[ \t]*(.*)").expect("valid regex"));
static ON_BEHALF_OF: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)\bon behalf of[ \t]+@([A-Za-z0-9][A-Za-z0-9-]*)(\[bot\])?")
        .expect("valid regex")
});
static STARTED_BY: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)\bstarted by[ \t]+@([A-Za-z0-9][A-Za-z0-9-]*)(\[bot\])?").expect("valid regex")
});
static MENTION: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?:^|[^A-Za-z0-9_.@+-])@([A-Za-z0-9][A-Za-z0-9-]*)(\[bot\])?")
        .expect("valid regex")
});
static ADDRESS: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+").expect("valid regex")
});

fn clean_login(raw: &str) -> Option<Login> {
    let login = raw.trim_end_matches('-');
    (!login.is_empty()).then(|| Login::new(login))
}

/// Operators named in free text: "Requested by: Ada (@ada)", "on behalf of @ada",
/// "started by @ada".
fn phrase_operators(place: &str, text: &str, out: &mut Vec<Human>) {
    for line in text.lines() {
        for caps in ON_BEHALF_OF
            .captures_iter(line)
            .chain(STARTED_BY.captures_iter(line))
        {
            if caps.get(2).is_some() {
                continue;
            }
            let (Some(all), Some(login)) = (caps.get(0), caps.get(1)) else {
                continue;
            };
            if let Some(login) = clean_login(login.as_str()) {
                out.push(Human {
                    name: None,
                    email: None,
                    login: Some(login),
                    evidence: format!("{place}: {}", excerpt(all.as_str())),
                });
            }
        }
        if let Some(caps) = REQUESTED_BY.captures(line) {
            let (Some(all), Some(rest)) = (caps.get(0), caps.get(1)) else {
                continue;
            };
            let rest = rest.as_str();
            let email_match = ADDRESS.find(rest);
            let mention = MENTION
                .captures(rest)
                .filter(|c| c.get(2).is_none())
                .and_then(|c| c.get(1));
            let login = mention.and_then(|m| clean_login(m.as_str()));
            let email = email_match.map(|m| Email::new(m.as_str()));
            if login.is_none() && email.is_none() {
                continue;
            }
            let mut cut = rest.len();
            for at in [
                rest.find('('),
                rest.find('<'),
                email_match.map(|m| m.start()),
                mention.map(|m| m.start().saturating_sub(1)),
            ]
            .into_iter()
            .flatten()
            {
                cut = cut.min(at);
            }
            let name = rest
                .get(..cut)
                .unwrap_or("")
                .trim_matches(|c: char| c.is_whitespace() || "*_:-,".contains(c));
            let evidence_text = all
                .as_str()
                .trim_end_matches(|c: char| c.is_whitespace() || c == '*' || c == '_');
            out.push(Human {
                name: (!name.is_empty()).then(|| excerpt(name)),
                email,
                login,
                evidence: format!("{place}: {}", excerpt(evidence_text)),
            });
        }
    }
}

fn operators(
    change: &Change,
    catalogue: &AgentCatalogue,
    facts: &[CommitFacts],
    pr_author_is_human: bool,
) -> Vec<Operator> {
    let mut candidates: Vec<Human> = Vec::new();
    if let Some(pr) = &change.pull_request {
        phrase_operators("pull request title", &pr.title, &mut candidates);
        phrase_operators("pull request body", &pr.body, &mut candidates);
    }
    for c in &change.commits {
        let place = format!("commit {} message", short_sha(&c.id));
        phrase_operators(&place, &c.message, &mut candidates);
    }
    for f in facts.iter().filter(|f| f.agent_written) {
        candidates.extend(
            f.human_coauthors
                .iter()
                .filter(|h| h.email.is_some())
                .cloned(),
        );
        candidates.extend(f.human_author.iter().cloned());
    }
    if pr_author_is_human {
        if let Some(author) = change.pull_request.as_ref().and_then(|p| p.author.as_ref()) {
            candidates.push(Human {
                name: None,
                email: None,
                login: Some(author.login.clone()),
                evidence: format!(
                    "pull request author: {} opened a pull request with agent-written work",
                    excerpt(author.login.as_str())
                ),
            });
        }
    }

    // An agent or bot named in a phrase ("on behalf of @kiro-agent") is not a person.
    let d = Detector {
        catalogue,
        signals: Vec::new(),
    };
    let mut out: Vec<Operator> = Vec::new();
    for h in candidates {
        // Free text mentions an app by its bare name (`@kiro-agent`); its account is `name[bot]`.
        let as_bot = h.login.as_ref().map(|l| Login::new(format!("{l}[bot]")));
        if d.match_account(h.login.as_ref(), h.email.as_ref())
            .is_some()
            || d.match_account(as_bot.as_ref(), None).is_some()
        {
            continue;
        }
        let op = Operator {
            login: h.login,
            name: h.name,
            email: h.email,
            evidence: h.evidence,
        };
        match out.iter_mut().find(|o| {
            same_person(
                (o.login.as_ref(), o.email.as_ref(), o.name.as_deref()),
                (op.login.as_ref(), op.email.as_ref(), op.name.as_deref()),
            )
        }) {
            Some(known) => {
                fill(&mut known.login, op.login);
                fill(&mut known.email, op.email);
                fill(&mut known.name, op.name);
            }
            None => out.push(op),
        }
    }
    out
}

fn fill<T>(slot: &mut Option<T>, value: Option<T>) {
    if slot.is_none() {
        *slot = value;
    }
}

/// Same login, or same address; identities with neither are compared by name.
fn same_person(
    a: (Option<&Login>, Option<&Email>, Option<&str>),
    b: (Option<&Login>, Option<&Email>, Option<&str>),
) -> bool {
    if let (Some(x), Some(y)) = (a.0, b.0) {
        if x.same_as(y) {
            return true;
        }
    }
    if let (Some(x), Some(y)) = (a.1, b.1) {
        if x.eq_ignore_case(y) {
            return true;
        }
    }
    let anonymous =
        |p: &(Option<&Login>, Option<&Email>, Option<&str>)| p.0.is_none() && p.1.is_none();
    anonymous(&a)
        && anonymous(&b)
        && matches!((a.2, b.2), (Some(x), Some(y)) if x.trim().eq_ignore_ascii_case(y.trim()))
}

/// Everyone the change names: its pull request's author and its commits' authors, committers
/// and co-authors. A commit identity that is an agent's or a dependency bot's own (`Claude
/// <noreply@anthropic.com>` as a co-author) says so in its role: it is not a person.
fn participants(change: &Change, detector: &Detector<'_>) -> Vec<Participant> {
    let mut out: Vec<Participant> = Vec::new();
    let mut add = |mut p: Participant| {
        // A pull request's author is an account, told a bot or a person when it reviews.
        let identity = p.role != super::PULL_REQUEST_AUTHOR;
        match identity
            .then(|| detector.match_account(p.login.as_ref(), p.email.as_ref()))
            .flatten()
        {
            Some((Owner::Agent(name), _)) => {
                p.role = format!("{}: the agent {name}'s own identity, not a person", p.role);
            }
            Some((Owner::DependencyBot(name), _)) => {
                p.role = format!("{}: the dependency bot {name}, not a person", p.role);
            }
            None => {}
        }
        let web_flow = p
            .email
            .as_ref()
            .is_some_and(|e| e.eq_ignore_case(&Email::new(WEB_FLOW_EMAIL)))
            || p.login
                .as_ref()
                .is_some_and(|l| l.same_as(&Login::new(WEB_FLOW_LOGIN)));
        if web_flow || (p.login.is_none() && p.email.is_none() && p.name.is_none()) {
            return;
        }
        match out.iter_mut().find(|q| {
            same_person(
                (q.login.as_ref(), q.email.as_ref(), q.name.as_deref()),
                (p.login.as_ref(), p.email.as_ref(), p.name.as_deref()),
            )
        }) {
            Some(known) => {
                fill(&mut known.login, p.login);
                fill(&mut known.email, p.email);
                fill(&mut known.name, p.name);
            }
            None => out.push(p),
        }
    };
    let from_identity = |who: &Identity, role: &str| Participant {
        login: who.login.clone(),
        name: Some(who.name.trim().to_owned()).filter(|n| !n.is_empty()),
        email: non_empty_email(&who.email).cloned(),
        role: role.to_owned(),
    };

    if let Some(author) = change.pull_request.as_ref().and_then(|p| p.author.as_ref()) {
        add(Participant {
            login: Some(author.login.clone()),
            name: None,
            email: None,
            role: super::PULL_REQUEST_AUTHOR.to_owned(),
        });
    }
    for c in &change.commits {
        add(from_identity(&c.author, "commit author"));
        add(from_identity(&c.committer, "committer"));
        for t in c.trailers.iter().filter(|t| t.is("co-authored-by")) {
            let (name, email) = parse_name_email(&t.value);
            let login = email.as_ref().and_then(Email::noreply_login);
            add(Participant {
                login,
                name,
                email,
                role: "co-author".to_owned(),
            });
        }
    }
    out
}

#[cfg(test)]
mod tests;
