//! source: where a [`crate::change::Change`] comes from.
//!
//! Today that is a local git checkout ([`git`]); the GitHub API and Action event sources
//! will live beside it. Every source produces the same neutral model and a
//! [`crate::change::Snapshot`] to read file contents one file at a time.

pub mod git;

pub use git::{GitOptions, GitSnapshot, GitSource};

use std::path::PathBuf;

/// Why a source could not produce a change. Each message says what happened and what to do.
#[derive(thiserror::Error, Debug)]
pub enum SourceError {
    #[error(
        "not inside a git repository (looked in {}): run twokey inside a checkout or pass --repo",
        path.display()
    )]
    NotARepository { path: PathBuf },

    #[error("cannot resolve {flag} '{spec}': no such branch, tag or commit")]
    UnknownRevision { flag: &'static str, spec: String },

    #[error("{flag} '{spec}' names a {kind}, not a commit: pass a branch, tag or commit id")]
    NotACommit {
        flag: &'static str,
        spec: String,
        kind: String,
    },

    #[error("could not find a default base: no origin/HEAD, main or master; pass --base")]
    NoDefaultBase,

    #[error(
        "the head and the default base '{base}' share no history, so there is no merge-base: \
         {hint}"
    )]
    NoMergeBase { base: String, hint: &'static str },

    #[error("the repository has no commits yet (HEAD is unborn): commit first, or pass --head")]
    UnbornHead,

    #[error(
        "--head cannot be combined with --worktree: --worktree always compares the base with \
         the working tree on top of HEAD"
    )]
    HeadWithWorktree,

    #[error(
        "--worktree needs a working tree, but the repository at {} is bare: run twokey in a \
         checkout or compare commits with --base and --head",
        path.display()
    )]
    BareRepository { path: PathBuf },

    #[error("{context}: {source}")]
    Git {
        context: String,
        #[source]
        source: git2::Error,
    },
}

impl SourceError {
    pub(crate) fn git(context: impl Into<String>) -> impl FnOnce(git2::Error) -> SourceError {
        let context = context.into();
        move |source| SourceError::Git { context, source }
    }
}
