//! suppress: allows, and why they cannot be abused. Decides which findings an allow covers,
//! an inline `twokey:allow` comment that already exists on the base revision or an `allow:`
//! entry of the (base) config, and reports the allows a change adds, which cover nothing.
//!
//! It never drops a finding and never changes its severity: an allowed finding stays in the
//! report, marked with why; the policy leaves it out of the verdict. Parsing and matching are
//! pure; file text comes only from the engine's scan or the snapshot [`apply`] is handed.
//!
//! The rule that makes this safe against an agent: **only allows the base already has count.**
//! An allow the change under review adds (or moves, or rewrites) is reported as
//! `guardrail/allow-added` and suppresses nothing; it must land on the base branch first,
//! through its own reviewed change. Config allow-lists are base-only by construction, since
//! the config is read from the base revision.

use crate::change::{Change, Content, FileChange, FileStatus, Hunk, RepoPath, Side, Snapshot};
use crate::finding::{Allowance, AllowedBy, Finding, Location, RuleId, Severity, Tag};
use crate::policy::evaluate::rule_matches;
use crate::policy::Config;
use crate::rules::Rule;
use std::borrow::Cow;
use std::collections::HashMap;

pub const ALLOW_ADDED: Rule = Rule {
    id: RuleId("guardrail/allow-added"),
    severity: Severity::Medium,
    tags: &[Tag::Guardrail],
    summary: "The change adds, moves or rewrites a `twokey:allow` comment.",
    why: "An allow switches twokey off for a finding. If the change under review could allow its own findings, an agent could wave a destructive change through by writing one comment; so an allow the change adds suppresses nothing, and it is reported so that a human sees the gate being loosened for later changes.",
    example: "+ # twokey:allow terraform/resource-removed -- not needed any more\n- resource \"aws_db_instance\" \"main\" { … }",
    safer: "Land the allow on the base branch first, in its own reviewed pull request; it then covers later changes. Or keep the finding and get the approvals it asks for.",
};

pub const MALFORMED_ALLOW: Rule = Rule {
    id: RuleId("guardrail/malformed-allow"),
    severity: Severity::Low,
    tags: &[Tag::Guardrail],
    summary: "The change adds a `twokey:allow` comment twokey cannot use: no reason, an unknown rule, or a rule that can never be allowed.",
    why: "A malformed allow suppresses nothing, so the author may believe a finding is allowed when it is not; an allow without a reason leaves the next reviewer unable to judge it.",
    example: "+ # twokey:allow terraform/resource-removed",
    safer: "Write `twokey:allow <rule> -- <reason>` with a rule from `twokey rules` and a reason a reviewer can check (a ticket, an incident).",
};

pub const RULES: &[&Rule] = &[&ALLOW_ADDED, &MALFORMED_ALLOW];

/// Rules no allow can cover: twokey could not see the change, or the change touches the gate
/// itself. They fail closed.
pub const NEVER_ALLOWED: &[&str] = &[
    "*/unparseable",
    "*/plan-unparseable",
    "git/incomplete-change",
    "git/unreadable-infra-file",
    "guardrail/*",
];

/// Whether any allow may cover a finding of this rule.
pub fn allowable(rule: &str) -> bool {
    !NEVER_ALLOWED.iter().any(|p| rule_matches(p, rule))
}

/// Why a rule pattern (from a comment or the config's `allow[].rules`) cannot be used, if it
/// cannot: it must match a rule twokey knows, and at least one that may be allowed.
pub fn check_pattern(pattern: &str) -> Result<(), String> {
    let catalogue = crate::rules::catalogue();
    let matched: Vec<&str> = catalogue
        .iter()
        .map(|r| r.id.as_str())
        .filter(|id| rule_matches(pattern, id))
        .collect();
    if matched.is_empty() {
        let ids: Vec<&str> = catalogue.iter().map(|r| r.id.as_str()).collect();
        return Err(format!(
            "`{pattern}` matches no rule twokey knows{}; `twokey rules` lists them",
            crate::policy::config::did_you_mean(pattern, &ids)
        ));
    }
    if !matched.iter().any(|id| allowable(id)) {
        return Err(format!(
            "`{pattern}` names only rules that can never be allowed ({}): twokey fails closed on them",
            matched.join(", ")
        ));
    }
    Ok(())
}

/// Where an inline allow applies.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Scope {
    /// `twokey:allow`: findings on the comment's line or the line after it.
    Line,
    /// `twokey:allow-file`: every finding in the file; only before any code.
    File,
}

/// A well-formed inline allow.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Directive {
    pub scope: Scope,
    pub pattern: String,
    pub reason: String,
}

const MARKER: &str = "twokey:allow";
/// What opens a comment, in the syntaxes twokey reads (HCL, YAML, shell, SQL, C-like, HTML/XML).
const OPENERS: &[&str] = &["#", "//", "--", "/*", "<!--", ";"];

/// The parts of a `twokey:allow` comment on one line, before the rule is checked against the
/// catalogue: `None` when the line has no directive, `Err` with why when it is malformed.
pub fn split(line: &str) -> Option<Result<Directive, String>> {
    let at = line.find(MARKER)?;
    let before = &line[..at];
    let in_comment =
        OPENERS.iter().any(|o| before.contains(o)) || before.trim_start().starts_with('*'); // a continuation line of a /* */ block
    if !in_comment {
        return None;
    }
    let mut rest = &line[at + MARKER.len()..];
    let scope = match rest.strip_prefix("-file") {
        Some(r) => {
            rest = r;
            Scope::File
        }
        None => Scope::Line,
    };
    // `twokey:allowed`, `twokey:allow-list`: some other word, not a directive.
    if rest.chars().next().is_some_and(|c| !c.is_whitespace()) {
        return None;
    }
    let mut rest = rest.trim();
    for closer in ["*/", "-->"] {
        if let Some(r) = rest.strip_suffix(closer) {
            rest = r.trim_end();
        }
    }
    let usage = "write `twokey:allow <rule> -- <reason>`";
    let (pattern, after) = match rest.split_once(char::is_whitespace) {
        Some((p, a)) => (p, a.trim()),
        None => (rest, ""),
    };
    if pattern.is_empty() || pattern == "--" {
        return Some(Err(format!("the allow names no rule; {usage}")));
    }
    let reason = match after.strip_prefix("--") {
        Some(r) if r.is_empty() || r.starts_with(char::is_whitespace) => r.trim(),
        _ => {
            return Some(Err(format!(
                "the allow for `{pattern}` gives no reason; {usage}"
            )))
        }
    };
    if reason.is_empty() {
        return Some(Err(format!(
            "the allow for `{pattern}` gives no reason; {usage}"
        )));
    }
    Some(Ok(Directive {
        scope,
        pattern: pattern.to_owned(),
        reason: reason.to_owned(),
    }))
}

/// A line's directive, checked against the rule catalogue.
pub fn parse_line(line: &str) -> Option<Result<Directive, String>> {
    Some(split(line)?.and_then(|d| {
        check_pattern(&d.pattern)?;
        Ok(d)
    }))
}

/// Whether a line holds code rather than a comment or nothing (for `allow-file`).
fn is_code(line: &str) -> bool {
    let t = line.trim_start();
    !(t.is_empty() || t.starts_with('*') || OPENERS.iter().any(|o| t.starts_with(o)))
}

/// One directive found in a file.
#[derive(Debug, Clone)]
struct Found {
    line: u32,
    parsed: Result<Directive, String>,
    /// The change under review adds (or moves, or rewrites) this line. Head side only.
    added: bool,
}

fn directives(text: &str) -> Vec<Found> {
    let mut out = Vec::new();
    let mut code_seen = false;
    for (i, line) in text.lines().enumerate() {
        if let Some(mut parsed) = parse_line(line) {
            if code_seen && matches!(&parsed, Ok(d) if d.scope == Scope::File) {
                parsed = Err(
                    "`twokey:allow-file` must stand on its own line at the top of the file, before any code"
                        .to_owned(),
                );
            }
            out.push(Found {
                line: i as u32 + 1,
                parsed,
                added: false,
            });
        }
        code_seen |= is_code(line);
    }
    out
}

/// The inline allows of one changed file, on both sides.
#[derive(Debug, Clone, Default)]
pub struct FileAllows {
    old_path: Option<RepoPath>,
    new_path: Option<RepoPath>,
    base: Vec<Found>,
    head: Vec<Found>,
}

impl FileAllows {
    /// Reads a changed file's allows from the text the engine read. `None` when a side that
    /// exists was not read (application code is not): [`apply`] reads it if a finding needs it.
    /// `hunks` gives the file's changed lines, asked for only when the file holds an allow.
    pub fn scan<'h>(
        file: &FileChange,
        old: &Content,
        new: &Content,
        hunks: impl FnOnce() -> Cow<'h, [Hunk]>,
    ) -> Option<FileAllows> {
        let unread = |path: &Option<RepoPath>, c: &Content| path.is_some() && *c == Content::Absent;
        if unread(&file.old_path, old) || unread(&file.new_path, new) {
            return None;
        }
        Some(FileAllows::from_texts(file, old.text(), new.text(), hunks))
    }

    fn from_texts<'h>(
        file: &FileChange,
        old: Option<&str>,
        new: Option<&str>,
        hunks: impl FnOnce() -> Cow<'h, [Hunk]>,
    ) -> FileAllows {
        let mut allows = FileAllows {
            old_path: file.old_path.clone(),
            new_path: file.new_path.clone(),
            ..FileAllows::default()
        };
        let has = |t: Option<&str>| t.is_some_and(|t| t.contains(MARKER));
        if !has(old) && !has(new) {
            return allows;
        }
        allows.base = old.map(directives).unwrap_or_default();
        allows.head = new.map(directives).unwrap_or_default();
        let hunks = hunks();
        for found in &mut allows.head {
            // A line the diff adds is new whatever its text; and without a line-level diff
            // (another source), a directive the base does not have is new too.
            let in_base = allows
                .base
                .iter()
                .any(|b| b.parsed.is_ok() && b.parsed == found.parsed);
            found.added = file.old_path.is_none()
                || file.status == FileStatus::Added
                || hunks.iter().any(|h| {
                    h.new_lines > 0
                        && found.line >= h.new_start
                        && found.line < h.new_start + h.new_lines
                })
                || !in_base;
        }
        allows
    }

    /// An unchanged file a finding points at (a sibling): both sides are the same text.
    fn unchanged(path: &RepoPath, text: Option<&str>) -> FileAllows {
        let file = FileChange {
            status: FileStatus::Modified,
            old_path: Some(path.clone()),
            new_path: Some(path.clone()),
            old_kind: crate::change::EntryKind::File,
            new_kind: crate::change::EntryKind::File,
            binary: false,
            hunks: Vec::new(),
            added_lines: 0,
            deleted_lines: 0,
            lines_deferred: false,
            old_size: None,
            new_size: None,
        };
        FileAllows::from_texts(&file, text, text, || Cow::Borrowed(&[]))
    }

    /// The file's paths, on the sides it exists on.
    fn paths(&self) -> impl Iterator<Item = (Side, &RepoPath)> {
        let base = self.old_path.as_ref().map(|p| (Side::Base, p));
        let head = self.new_path.as_ref().map(|p| (Side::Head, p));
        base.into_iter().chain(head)
    }

    /// Whether a finding at `path` on `side` is about this file.
    fn holds(&self, side: Side, path: &RepoPath) -> bool {
        let own = match side {
            Side::Base => &self.old_path,
            Side::Head => &self.new_path,
        };
        own.as_ref() == Some(path)
    }

    /// The existing allow that covers `finding`, if any.
    fn covering(&self, finding: &Finding) -> Option<Allowance> {
        let loc = &finding.location;
        let list = match loc.side {
            Side::Base => &self.base,
            Side::Head => &self.head,
        };
        list.iter().filter(|f| !f.added).find_map(|f| {
            let d = f.parsed.as_ref().ok()?;
            let near = match d.scope {
                Scope::File => true,
                Scope::Line => loc
                    .line
                    .is_some_and(|l| l == f.line || l == f.line.saturating_add(1)),
            };
            (near && rule_matches(&d.pattern, finding.rule.as_str())).then(|| Allowance {
                by: AllowedBy::Inline,
                reason: d.reason.clone(),
                at: format!("{}:{}", loc.path, f.line),
            })
        })
    }

    /// Findings for the allows this change adds: each suppresses nothing.
    fn added_findings(&self) -> Vec<Finding> {
        let Some(path) = &self.new_path else {
            return Vec::new();
        };
        self.head
            .iter()
            .filter(|f| f.added)
            .map(|f| {
                let at = Location::lines(path.clone(), Side::Head, f.line, f.line);
                match &f.parsed {
                    Ok(d) => Finding::new(
                        &ALLOW_ADDED,
                        at,
                        format!(
                            "This change adds an allow for `{}` (\"{}\"), and an allow added by the change under review suppresses nothing: the findings it would cover still count. To take effect it must land on the base branch first, through its own reviewed change.",
                            d.pattern, d.reason
                        ),
                    ),
                    Err(why) => Finding::new(
                        &MALFORMED_ALLOW,
                        at,
                        format!("This change adds a `twokey:allow` comment that twokey cannot use, so it suppresses nothing: {why}."),
                    ),
                }
            })
            .collect()
    }
}

/// The config entry that covers `finding`, if any.
fn configured(finding: &Finding, config: &Config) -> Option<Allowance> {
    config
        .allow
        .iter()
        .position(|entry| entry.covers(finding))
        .map(|i| Allowance {
            by: AllowedBy::Config,
            reason: config.allow[i].reason.clone(),
            at: format!("config allow[{i}]"),
        })
}

/// Whether a Kubernetes object pattern (`Kind/name` or `namespace/Kind/name`, `*` globs)
/// matches a subject (`Kind/name` for a cluster-scoped object, else `namespace/Kind/name`).
pub fn object_matches(pattern: &str, subject: &str) -> bool {
    let p: Vec<&str> = pattern.split('/').collect();
    let mut s: Vec<&str> = subject.split('/').collect();
    if s.len() == 2 {
        s.insert(0, "");
    }
    if s.len() != 3 {
        return false;
    }
    let tail = match p.len() {
        2 => &s[1..],
        3 => &s[..],
        _ => return false,
    };
    p.iter().zip(tail).all(|(p, s)| rule_matches(p, s))
}

/// Settles the findings about the file a worker has just read, while its allows are at hand:
/// each one an existing allow (inline, or in the config) covers is marked, and a finding for
/// every allow the file adds is pushed. Returns where the findings about any other file are
/// in `findings` (all of them when the file's text was not read), for [`apply`] to settle
/// once every file is done; they stay where they are, so the report's order does not depend
/// on which allows settled which finding.
pub fn settle_in_file(
    allows: Option<&FileAllows>,
    findings: &mut Vec<Finding>,
    config: &Config,
) -> Vec<usize> {
    let Some(allows) = allows else {
        return (0..findings.len()).collect();
    };
    let mut elsewhere = Vec::new();
    for (i, finding) in findings.iter_mut().enumerate() {
        if allows.holds(finding.location.side, &finding.location.path) {
            mark(finding, allows, config);
        } else {
            elsewhere.push(i);
        }
    }
    findings.extend(allows.added_findings());
    elsewhere
}

fn mark(finding: &mut Finding, allows: &FileAllows, config: &Config) {
    if allowable(finding.rule.as_str()) {
        finding.allowed = allows
            .covering(finding)
            .or_else(|| configured(finding, config));
    }
}

/// Marks the findings an existing allow covers. `scanned` holds the allows of the files the
/// engine read, whose own findings [`settle_in_file`] has settled (and whose added allows it
/// has reported); a finding in any other file has that file read through `snapshot`. Returns
/// a finding for every allow such a file adds.
pub fn apply<'f>(
    findings: impl IntoIterator<Item = &'f mut Finding>,
    scanned: Vec<FileAllows>,
    snapshot: &dyn Snapshot,
    change: &Change,
    config: &Config,
) -> Vec<Finding> {
    let mut files = Files {
        scanned: &scanned,
        index: None,
        loaded: Vec::new(),
        loaded_at: HashMap::new(),
        changed: None,
    };
    // A file's findings come together: the last file looked up is most often the next one.
    let mut last: Option<(Side, RepoPath, Held)> = None;
    for finding in findings {
        if !allowable(finding.rule.as_str()) {
            continue;
        }
        let (side, path) = (finding.location.side, &finding.location.path);
        let at = match &last {
            Some((s, p, at)) if *s == side && p == path => *at,
            _ => {
                let at = files.locate(side, path, snapshot, change);
                last = Some((side, path.clone(), at));
                at
            }
        };
        mark(finding, files.get(at), config);
    }
    files
        .loaded
        .iter()
        .flat_map(FileAllows::added_findings)
        .collect()
}

/// Where [`Files`] holds a file's allows.
#[derive(Debug, Clone, Copy)]
enum Held {
    Scanned(usize),
    Loaded(usize),
}

/// The allows of the files findings are in, by side and path.
struct Files<'s, 'c> {
    scanned: &'s [FileAllows],
    /// The scanned files by side and path, built on the first lookup: most changes have no
    /// finding outside the file it was found in, and then none is needed.
    index: Option<HashMap<(Side, &'s str), usize>>,
    /// Files read here, for findings in files the engine did not read.
    loaded: Vec<FileAllows>,
    loaded_at: HashMap<(Side, RepoPath), usize>,
    /// The changed files by path, built on the first finding in a file that was not scanned
    /// (a deleted file, a sibling): a mass deletion has thousands.
    changed: Option<HashMap<(Side, &'c RepoPath), &'c FileChange>>,
}

impl<'s, 'c> Files<'s, 'c> {
    fn get(&self, at: Held) -> &FileAllows {
        match at {
            Held::Scanned(i) => &self.scanned[i],
            Held::Loaded(i) => &self.loaded[i],
        }
    }

    /// The file at `path` on `side`, read for its allows when the engine did not scan it.
    fn locate(
        &mut self,
        side: Side,
        path: &RepoPath,
        snapshot: &dyn Snapshot,
        change: &'c Change,
    ) -> Held {
        let scanned = self.scanned;
        let index = self.index.get_or_insert_with(|| {
            let mut index = HashMap::with_capacity(scanned.len());
            for (i, f) in scanned.iter().enumerate() {
                for (side, p) in f.paths() {
                    index.insert((side, p.as_str()), i);
                }
            }
            index
        });
        if let Some(i) = index.get(&(side, path.as_str())) {
            return Held::Scanned(*i);
        }
        if let Some(i) = self.loaded_at.get(&(side, path.clone())) {
            return Held::Loaded(*i);
        }
        let changed = self.changed.get_or_insert_with(|| {
            let mut by_path = HashMap::new();
            for f in &change.files {
                if let Some(p) = &f.old_path {
                    by_path.entry((Side::Base, p)).or_insert(f);
                }
                if let Some(p) = &f.new_path {
                    by_path.entry((Side::Head, p)).or_insert(f);
                }
            }
            by_path
        });
        let loaded = match changed.get(&(side, path)).copied() {
            Some(file) => {
                let read = |p: &Option<RepoPath>, s: Side| {
                    p.as_ref()
                        .map(|p| snapshot.read(s, p))
                        .unwrap_or(Content::Absent)
                };
                let (old, new) = (
                    read(&file.old_path, Side::Base),
                    read(&file.new_path, Side::Head),
                );
                FileAllows::from_texts(file, old.text(), new.text(), || {
                    file.hunks_between(&old, &new)
                })
            }
            None => FileAllows::unchanged(path, snapshot.read(side, path).text()),
        };
        let i = self.loaded.len();
        for (side, p) in loaded.paths() {
            self.loaded_at.insert((side, p.clone()), i);
        }
        self.loaded.push(loaded);
        Held::Loaded(i)
    }
}

#[cfg(test)]
mod tests;
