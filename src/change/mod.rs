//! change: the neutral model of a change under review.
//!
//! Sources (git2, the GitHub API, an Action event) produce a [`Change`]; analyzers and the
//! policy consume it. Nothing here knows where a change came from, and nothing here does I/O
//! except through the [`Snapshot`] trait a source hands over for reading file contents.
//!
//! File contents are *not* held in the model: a large change would otherwise sit in memory
//! all at once. The engine asks the snapshot for one file's old and new text at a time.

mod ids;
pub mod line_diff;
mod pull_request;
mod trailer;

pub use ids::{Email, Login, RepoPath, Revision};
pub use trailer::{parse_trailers, Trailer};

use serde::Serialize;

/// Which side of the diff a line or a file belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, PartialOrd, Ord)]
#[serde(rename_all = "lowercase")]
pub enum Side {
    /// The base revision: what exists before the change.
    Base,
    /// The head revision: what the change proposes.
    Head,
}

/// How a file changed between base and head.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum FileStatus {
    Added,
    Modified,
    Deleted,
    Renamed,
    Copied,
    /// The entry changed type, for example from a regular file to a symlink.
    TypeChanged,
}

/// What kind of object a path is on one side, as far as git knows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum EntryKind {
    File,
    Executable,
    Symlink,
    Submodule,
    Absent,
}

/// A contiguous block of changed lines, in both sides' line numbers (1-based, as in a
/// unified diff header). A side with zero lines has `start` at the line before the gap.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Hunk {
    pub old_start: u32,
    pub old_lines: u32,
    pub new_start: u32,
    pub new_lines: u32,
}

/// One file's change. Paths are repository-relative with `/` separators.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FileChange {
    pub status: FileStatus,
    /// The path on the base side; `None` for an added file.
    pub old_path: Option<RepoPath>,
    /// The path on the head side; `None` for a deleted file.
    pub new_path: Option<RepoPath>,
    pub old_kind: EntryKind,
    pub new_kind: EntryKind,
    /// Whether git considers either side binary.
    pub binary: bool,
    pub hunks: Vec<Hunk>,
    pub added_lines: u32,
    pub deleted_lines: u32,
    /// The source left `hunks` and the line counts for the engine to compute when it reads
    /// the two sides (see [`FileChange::with_lines`]): a git source does, so that each blob
    /// is inflated once, and a file the engine never reads is never inflated at all.
    #[serde(skip)]
    pub lines_deferred: bool,
    /// Size in bytes of each side's blob, when known.
    pub old_size: Option<u64>,
    pub new_size: Option<u64>,
}

impl FileChange {
    /// The path a reviewer knows the file by: the head path, or the base path for a deletion.
    pub fn path(&self) -> &RepoPath {
        self.new_path
            .as_ref()
            .or(self.old_path.as_ref())
            .expect("a file change has at least one path")
    }

    pub fn is_deleted(&self) -> bool {
        self.status == FileStatus::Deleted
    }

    /// The changed lines: as the source gave them, or, when it deferred them, computed from
    /// the two sides just read (empty when a side is not text).
    pub fn hunks_between(&self, old: &Content, new: &Content) -> std::borrow::Cow<'_, [Hunk]> {
        if !self.lines_deferred {
            return std::borrow::Cow::Borrowed(&self.hunks);
        }
        let lines = line_diff::between(old, new).map(|l| l.hunks);
        std::borrow::Cow::Owned(lines.unwrap_or_default())
    }

    /// This file with its deferred hunks computed from the two sides just read. A side that
    /// is not text (binary, too large, a link) has no lines to compare, so the hunks stay
    /// empty, as they would in `git diff`.
    pub fn with_lines(&self, old: &Content, new: &Content) -> FileChange {
        let mut file = self.clone();
        file.lines_deferred = false;
        match line_diff::between(old, new) {
            Some(lines) => {
                file.hunks = lines.hunks;
                file.added_lines = lines.added;
                file.deleted_lines = lines.deleted;
            }
            None => file.binary = true,
        }
        file
    }
}

/// A person or account as git records it, with the GitHub login when one is known
/// (from the API, or from a `<id>+<login>@users.noreply.github.com` address).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Identity {
    pub name: String,
    pub email: Email,
    pub login: Option<Login>,
}

impl Identity {
    pub fn new(name: impl Into<String>, email: impl Into<String>) -> Self {
        let email = Email::new(email);
        let login = email.noreply_login();
        Identity {
            name: name.into(),
            email,
            login,
        }
    }
}

/// One commit of the change.
#[derive(Debug, Clone, Serialize)]
pub struct Commit {
    pub id: Revision,
    pub author: Identity,
    pub committer: Identity,
    pub message: String,
    pub trailers: Vec<Trailer>,
}

impl Commit {
    pub fn new(id: Revision, author: Identity, committer: Identity, message: String) -> Self {
        let trailers = parse_trailers(&message);
        Commit {
            id,
            author,
            committer,
            message,
            trailers,
        }
    }
}

/// Whether a GitHub account is a person, a bot, or unknown (a git-only identity).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, serde::Deserialize, Default)]
pub enum AccountType {
    #[default]
    User,
    Bot,
    Organization,
    /// An account imported from another system; never a current person.
    Mannequin,
    /// A type this release does not know (one GitHub added later): not known to be a person.
    /// Read rather than refused, so one unfamiliar reviewer does not stop every check.
    #[serde(other)]
    Unknown,
}

/// A GitHub account as the API describes it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, serde::Deserialize)]
pub struct Account {
    pub login: Login,
    #[serde(default, rename = "type")]
    pub account_type: AccountType,
    /// The numeric account id. It survives a rename, so it ties an account to the
    /// `<id>+<login>@users.noreply.github.com` address of commits made under an older login.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<u64>,
}

/// What is known about the pull request, when the change is one.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct PullRequestFacts {
    pub number: Option<u64>,
    pub author: Option<Account>,
    pub assignees: Vec<Account>,
    pub labels: Vec<String>,
    pub title: String,
    pub body: String,
}

/// Whether the source could read the whole change. A truncated change never passes quietly.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Completeness {
    /// Why parts of the change could not be read, one sentence each. Empty when complete.
    pub gaps: Vec<String>,
}

/// The neutral model of a change: everything an analyzer or the policy may look at.
#[derive(Debug, Clone, Serialize)]
pub struct Change {
    pub base: Revision,
    pub head: Revision,
    pub branch: Option<String>,
    pub files: Vec<FileChange>,
    pub commits: Vec<Commit>,
    pub pull_request: Option<PullRequestFacts>,
    pub completeness: Completeness,
}

/// The text of one side of a file, as far as it can be read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Content {
    /// Shared: a source may hand out the same text more than once (a file an analyzer read
    /// as a sibling, then read again as a changed file of its own).
    Text(std::sync::Arc<str>),
    /// The side does not exist (added or deleted file).
    Absent,
    Binary,
    NotUtf8,
    /// Larger than the configured limit; the size in bytes.
    TooLarge(u64),
    Submodule,
    Symlink,
}

impl Content {
    pub fn text(&self) -> Option<&str> {
        match self {
            Content::Text(t) => Some(t),
            _ => None,
        }
    }
}

/// Read access to file contents at the base and head of a change. Implemented by each source.
pub trait Snapshot {
    /// The content of `path` on `side`.
    fn read(&self, side: Side, path: &RepoPath) -> Content;
    /// The paths of regular files directly inside `dir` (`""` for the root) on `side`.
    fn list_dir(&self, side: Side, dir: &str) -> Vec<RepoPath>;
    /// The names of the directories directly inside `dir` on `side`, sorted; none where a
    /// source cannot list them (an analyzer then knows less, never more).
    fn list_subdirs(&self, _side: Side, _dir: &str) -> Vec<String> {
        Vec::new()
    }
    /// Reads that failed for a reason other than absence, one sentence each. A failed read
    /// returns an unanalysable [`Content`], and the engine turns each gap into a finding so
    /// the change fails closed.
    fn gaps(&self) -> Vec<String> {
        Vec::new()
    }
}

/// More snapshots of the same change, one per worker thread, so that files can be analysed
/// on several cores. Sources whose handles cannot be shared between threads (git2's) open one
/// per worker instead.
pub trait SnapshotPool: Sync {
    /// Calls `work` with a snapshot of its own; the error says why none could be opened.
    fn with_snapshot(&self, work: &mut dyn FnMut(&dyn Snapshot)) -> Result<(), String>;
}
