//! git: the local repository source, built on libgit2 (`git2`).
//!
//! [`GitSource::load`] turns two revisions (or a revision and the working tree) into the
//! neutral [`Change`]: one [`FileChange`] per delta with hunks and line counts (or, with
//! [`GitOptions::defer_lines`], with them left for the engine to compute from the two sides
//! when it reads the file), and the commits between base and head. It never keeps file contents: [`GitSource::snapshot`] builds a
//! [`GitSnapshot`] from a loaded change, which reads one blob (or working file) at a time when
//! an analyzer asks for it.
//!
//! Choices a caller should know:
//! - Hunks are computed with zero context lines, so each [`Hunk`](crate::change::Hunk) covers exactly the changed
//!   lines (a side with no lines starts at the line before the gap, as `git diff -U0` prints).
//!   Between two trees they are git's own: Myers with git's default indent heuristic, checked
//!   against `git diff -U0` in the tests.
//! - Renames are detected with libgit2's default similarity threshold (50%); copies are not.
//!   Past git's rename limit (1000 added × 1000 deleted) only exact renames are.
//! - `--worktree` compares the base with the index and working tree together and includes
//!   untracked, non-ignored files: an agent about to commit would add them, so they are part of
//!   what will be proposed. Uncommitted content is read from disk. A file removed from the
//!   index but kept on disk (`git rm --cached`) is deleted, as a commit made now deletes it,
//!   and the head side (reads and listings) does not show it.
//! - Commits are listed oldest first (topological order, as a pull request shows them).
//! - Anything that cannot be read is written to [`Completeness::gaps`] (at load time) or to
//!   [`Snapshot::gaps`] (at read time): never dropped quietly.

use std::cell::RefCell;
use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::rc::Rc;

use git2::{
    BranchType, Delta, Diff, DiffFindOptions, DiffOptions, ErrorCode, FileMode, Oid, Repository,
    Sort, Tree,
};

mod changed_paths;
mod hunks;
mod recent_blobs;
use hunks::Lines;

use super::SourceError;
use crate::change::{
    Change, Commit, Completeness, Content, EntryKind, FileChange, Identity, RepoPath, Revision,
    Side, Snapshot, SnapshotPool,
};

/// The head label of a change that ends in the working tree rather than a commit.
pub const WORKTREE: &str = "WORKTREE";

/// git's default `diff.renameLimit`.
const RENAME_LIMIT: usize = 1000;

/// How many leading bytes are searched for a NUL to call a file binary, as git does.
const BINARY_SNIFF_BYTES: usize = 8000;

/// What to compare.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GitOptions {
    /// The base revision (any revspec). `None`: the merge-base of head with the remote's
    /// default branch, else with origin/main, origin/master, main or master.
    pub base: Option<String>,
    /// The head revision (any revspec). `None`: `HEAD`.
    pub head: Option<String>,
    /// The branch under review, when the checkout cannot tell it (a detached CI checkout).
    pub branch: Option<String>,
    /// Compare the base with the index and working tree (including untracked files).
    pub worktree: bool,
    /// Files larger than this are reported as [`Content::TooLarge`] instead of being read.
    pub max_file_bytes: u64,
    /// How many threads compute the changed lines; `None` uses the machine's cores.
    pub threads: Option<usize>,
    /// Leave the changed lines of files compared between two trees for the engine, which
    /// computes them as it reads each file it analyses ([`FileChange::lines_deferred`]):
    /// every blob is then inflated once at most, and application code, which the engine
    /// never reads, not at all.
    pub defer_lines: bool,
}

impl Default for GitOptions {
    fn default() -> Self {
        GitOptions {
            base: None,
            head: None,
            branch: None,
            worktree: false,
            max_file_bytes: 1024 * 1024,
            threads: None,
            defer_lines: false,
        }
    }
}

/// A local git repository to read changes from.
pub struct GitSource {
    repo: Repository,
    /// Whether the repository handle holds an empty in-memory index (see `index_for`).
    index_detached: std::cell::Cell<bool>,
}

/// The two ends of a change after resolving the options.
struct Ends<'r> {
    base: git2::Commit<'r>,
    head: git2::Commit<'r>,
}

impl GitSource {
    /// Open the repository containing `path` (searching parent directories).
    pub fn discover(path: &Path) -> Result<GitSource, SourceError> {
        // libgit2 re-hashes every object it reads (with SHA-1 collision detection) by default;
        // git itself does not, and on a large change it doubled the time spent reading blobs.
        // Objects come from the local repository, whose integrity `git fsck` is for.
        git2::opts::strict_hash_verification(false);
        match Repository::discover(path) {
            Ok(repo) => Ok(GitSource::from_repo(repo)),
            Err(e) if e.code() == ErrorCode::NotFound => Err(SourceError::NotARepository {
                path: path.to_path_buf(),
            }),
            Err(e) => Err(SourceError::git(format!(
                "cannot open the git repository at {}",
                path.display()
            ))(e)),
        }
    }

    /// The underlying repository, for callers that need more than a change.
    pub fn repository(&self) -> &Repository {
        &self.repo
    }

    /// Read the change between the resolved base and head (or the working tree).
    pub fn load(&self, opts: &GitOptions) -> Result<Change, SourceError> {
        let ends = self.resolve(opts)?;
        let mut gaps = Vec::new();

        let (diff, exact_renames) = self.diff(&ends, opts)?;
        let files = self.collect_files(&diff, exact_renames, opts, &mut gaps);
        let commits = self.commits(&ends, &mut gaps)?;

        Ok(Change {
            base: Revision::new(ends.base.id().to_string()),
            head: if opts.worktree {
                Revision::new(WORKTREE)
            } else {
                Revision::new(ends.head.id().to_string())
            },
            branch: self.branch(opts),
            files,
            commits,
            pull_request: None,
            completeness: Completeness { gaps },
        })
    }

    /// A reader for the contents of `change`, which must have been loaded from this source.
    /// A head of [`WORKTREE`] reads the head side from the working directory.
    pub fn snapshot(
        &self,
        change: &Change,
        opts: &GitOptions,
    ) -> Result<GitSnapshot<'_>, SourceError> {
        let base = self.tree_of(change.base.as_str())?;
        let head = if change.head.as_str() == WORKTREE {
            let workdir = self
                .repo
                .workdir()
                .ok_or_else(|| SourceError::BareRepository {
                    path: self.repo.path().to_path_buf(),
                })?;
            // A path the index no longer has (`git rm --cached`) is deleted by the commit
            // about to be made, though the file stays on disk: the head side does not show it.
            let gone = change
                .files
                .iter()
                .filter(|f| f.old_path != f.new_path)
                .filter_map(|f| f.old_path.as_ref())
                .map(|p| p.as_str().to_owned())
                .collect();
            HeadSide::Worktree {
                root: workdir.to_path_buf(),
                gone,
            }
        } else {
            HeadSide::Tree(self.tree_of(change.head.as_str())?)
        };
        let mut sizes = [HashMap::new(), HashMap::new()];
        for file in &change.files {
            let sides = [
                (&file.old_path, file.old_size, 0),
                (&file.new_path, file.new_size, 1),
            ];
            for (path, size, side) in sides {
                if let (Some(path), Some(size)) = (path, size) {
                    sizes[side].insert(path.as_str().to_owned(), size);
                }
            }
        }
        Ok(GitSnapshot {
            repo: &self.repo,
            base,
            head,
            max_file_bytes: opts.max_file_bytes,
            sizes,
            gaps: RefCell::new(Vec::new()),
            listings: RefCell::new(HashMap::new()),
            recent: RefCell::default(),
        })
    }

    /// Snapshots of `change` for worker threads: each opens the repository again, because a
    /// libgit2 handle must not be shared between threads.
    pub fn readers<'c>(&self, change: &'c Change, opts: &GitOptions) -> GitReaders<'c> {
        GitReaders {
            location: self.location(),
            change,
            options: opts.clone(),
        }
    }

    fn tree_of(&self, id: &str) -> Result<Tree<'_>, SourceError> {
        let context = || format!("cannot read commit {id} of the loaded change");
        let oid = Oid::from_str(id).map_err(SourceError::git(context()))?;
        self.repo
            .find_commit(oid)
            .and_then(|c| c.tree())
            .map_err(SourceError::git(context()))
    }

    fn resolve(&self, opts: &GitOptions) -> Result<Ends<'_>, SourceError> {
        if opts.worktree && opts.head.is_some() {
            return Err(SourceError::HeadWithWorktree);
        }
        if opts.worktree && self.repo.is_bare() {
            return Err(SourceError::BareRepository {
                path: self.repo.path().to_path_buf(),
            });
        }
        let head = match &opts.head {
            Some(spec) => self.commit_for("--head", spec)?,
            None => self.head_commit()?,
        };
        let base = match &opts.base {
            // As a pull request's diff does, the change is what head adds since it left the
            // base: work merged on the base after that is not the change's doing.
            Some(spec) => {
                let given = self.commit_for("--base", spec)?;
                match self.repo.merge_base(given.id(), head.id()) {
                    Ok(oid) if oid != given.id() => self
                        .repo
                        .find_commit(oid)
                        .map_err(SourceError::git("cannot read the merge-base commit"))?,
                    // An ancestor of head is its own merge-base; unrelated histories (a
                    // shallow clone) leave the two trees to compare as they are.
                    Ok(_) => given,
                    Err(e) if e.code() == ErrorCode::NotFound => given,
                    Err(e) => {
                        return Err(SourceError::git(format!(
                            "cannot compute the merge-base of --base '{spec}' and the head"
                        ))(e))
                    }
                }
            }
            None => {
                let oid = self.default_base(&head)?;
                self.repo
                    .find_commit(oid)
                    .map_err(SourceError::git("cannot read the merge-base commit"))?
            }
        };
        Ok(Ends { base, head })
    }

    fn head_commit(&self) -> Result<git2::Commit<'_>, SourceError> {
        match self.repo.head() {
            Ok(r) => r
                .peel_to_commit()
                .map_err(SourceError::git("cannot read the commit HEAD points to")),
            Err(e) if matches!(e.code(), ErrorCode::UnbornBranch | ErrorCode::NotFound) => {
                Err(SourceError::UnbornHead)
            }
            Err(e) => Err(SourceError::git("cannot read HEAD")(e)),
        }
    }

    fn commit_for(&self, flag: &'static str, spec: &str) -> Result<git2::Commit<'_>, SourceError> {
        let object = match self.repo.revparse_single(spec) {
            Ok(o) => o,
            Err(e)
                if matches!(
                    e.code(),
                    ErrorCode::NotFound | ErrorCode::InvalidSpec | ErrorCode::UnbornBranch
                ) =>
            {
                return Err(SourceError::UnknownRevision {
                    flag,
                    spec: spec.to_owned(),
                })
            }
            Err(e) => {
                return Err(SourceError::git(format!("cannot resolve {flag} '{spec}'"))(
                    e,
                ))
            }
        };
        let kind = object.kind();
        object
            .peel_to_commit()
            .map_err(|_| SourceError::NotACommit {
                flag,
                spec: spec.to_owned(),
                kind: kind.map_or_else(|| "object".to_owned(), |k| k.to_string()),
            })
    }

    /// The merge-base of `head` with the first default branch that exists.
    fn default_base(&self, head: &git2::Commit<'_>) -> Result<Oid, SourceError> {
        let (name, target) = self.default_branch().ok_or(SourceError::NoDefaultBase)?;
        match self.repo.merge_base(head.id(), target) {
            Ok(oid) => Ok(oid),
            Err(e) if e.code() == ErrorCode::NotFound => Err(SourceError::NoMergeBase {
                base: name,
                hint: if self.repo.is_shallow() {
                    "this clone is shallow (actions/checkout fetches one commit by default); \
                     fetch the history (`fetch-depth: 0`, or `git fetch --unshallow`)"
                } else {
                    "pass --base explicitly"
                },
            }),
            Err(e) => Err(SourceError::git(format!(
                "cannot compute the merge-base of HEAD and {name}"
            ))(e)),
        }
    }

    /// The remote's default branch (what `origin/HEAD` points to), else the first of
    /// origin/main, origin/master, main, master that exists; with its commit.
    fn default_branch(&self) -> Option<(String, Oid)> {
        let remote_head = self
            .repo
            .find_reference("refs/remotes/origin/HEAD")
            .ok()
            .and_then(|r| {
                let name = r
                    .symbolic_target_bytes()
                    .map(|t| {
                        let t = String::from_utf8_lossy(t);
                        t.trim_start_matches("refs/remotes/").to_owned()
                    })
                    .unwrap_or_else(|| "origin/HEAD".to_owned());
                let oid = r.peel_to_commit().ok()?.id();
                Some((name, oid))
            });
        remote_head.or_else(|| {
            [
                "refs/remotes/origin/main",
                "refs/remotes/origin/master",
                "refs/heads/main",
                "refs/heads/master",
            ]
            .into_iter()
            .find_map(|refname| {
                let oid = self
                    .repo
                    .find_reference(refname)
                    .ok()?
                    .peel_to_commit()
                    .ok()?
                    .id();
                let short = refname
                    .trim_start_matches("refs/remotes/")
                    .trim_start_matches("refs/heads/");
                Some((short.to_owned(), oid))
            })
        })
    }

    /// The branch being reviewed: `--branch`, else HEAD's branch, else the local or
    /// remote-tracking branch `--head` names (`origin/copilot/fix-1` is `copilot/fix-1`).
    fn branch(&self, opts: &GitOptions) -> Option<String> {
        if let Some(branch) = &opts.branch {
            return Some(branch.clone());
        }
        match opts.head.as_deref().filter(|h| !matches!(*h, "HEAD" | "@")) {
            None => {
                let head = self.repo.head().ok()?;
                if !head.is_branch() {
                    return None;
                }
                Some(String::from_utf8_lossy(head.shorthand_bytes()).into_owned())
            }
            Some(spec) => {
                if let Ok(branch) = self.repo.find_branch(
                    spec.strip_prefix("refs/heads/").unwrap_or(spec),
                    BranchType::Local,
                ) {
                    return Some(String::from_utf8_lossy(branch.name_bytes().ok()?).into_owned());
                }
                let remote = spec.strip_prefix("refs/remotes/").unwrap_or(spec);
                let branch = self.repo.find_branch(remote, BranchType::Remote).ok()?;
                let name = String::from_utf8_lossy(branch.name_bytes().ok()?).into_owned();
                // `origin/copilot/fix-1`: the branch is what follows the remote's name.
                name.split_once('/').map(|(_, b)| b.to_owned())
            }
        }
    }

    fn from_repo(repo: Repository) -> GitSource {
        GitSource {
            repo,
            index_detached: std::cell::Cell::new(false),
        }
    }

    /// Comparing two commits needs no index, but libgit2 reads the whole index file for each
    /// diff anyway, to look for `.gitattributes` there; in a large repository that was a fifth
    /// of a small pull request's time. The handle gets an empty in-memory index for such
    /// diffs (attributes still come from the working tree and `info/attributes`, as git's
    /// do), and the real one back before a working-tree comparison.
    fn index_for(&self, worktree: bool) -> Result<(), SourceError> {
        if worktree == self.index_detached.get() {
            let mut index = if worktree {
                git2::Index::open(&self.repo.path().join("index"))
            } else {
                git2::Index::new()
            }
            .map_err(SourceError::git(
                "cannot set up the index for the comparison",
            ))?;
            self.repo.set_index(&mut index).map_err(SourceError::git(
                "cannot set up the index for the comparison",
            ))?;
            self.index_detached.set(!worktree);
        }
        Ok(())
    }

    /// The diff of the two ends with renames found, and whether exact renames (same content)
    /// are still to be paired by the caller: past git's rename limit between two trees, where
    /// [`hunks::pair_exact_renames`] does in one pass what libgit2 does pair by pair.
    fn diff(&self, ends: &Ends<'_>, opts: &GitOptions) -> Result<(Diff<'_>, bool), SourceError> {
        self.index_for(opts.worktree)?;
        let base_tree = ends
            .base
            .tree()
            .map_err(SourceError::git("cannot read the base commit's tree"))?;
        let mut dopts = DiffOptions::new();
        // Zero context: hunks then say exactly which lines changed, and xdiff does less work.
        dopts
            .context_lines(0)
            .interhunk_lines(0)
            .include_typechange(true);
        let mut diff = if opts.worktree {
            dopts
                .include_untracked(true)
                .recurse_untracked_dirs(true)
                .show_untracked_content(true)
                .include_unreadable(true);
            self.repo
                .diff_tree_to_workdir_with_index(Some(&base_tree), Some(&mut dopts))
                .map_err(SourceError::git(
                    "cannot compare the base with the working tree",
                ))?
        } else {
            let head_tree = ends
                .head
                .tree()
                .map_err(SourceError::git("cannot read the head commit's tree"))?;
            let changed =
                changed_paths::between(&self.repo, &base_tree, &head_tree, changed_paths::MOST)
                    .map_err(SourceError::git("cannot compare the base and head trees"))?;
            // Nothing changed: an empty list would mean "every path" to libgit2, and an
            // unlimited diff of two equal trees finds nothing anyway.
            if let Some(changed) = changed.filter(|c| !c.is_empty()) {
                dopts.disable_pathspec_match(true);
                for path in changed {
                    dopts.pathspec(path);
                }
            }
            self.repo
                .diff_tree_to_tree(Some(&base_tree), Some(&head_tree), Some(&mut dopts))
                .map_err(SourceError::git("cannot compare the base and head trees"))?
        };
        let mut find = DiffFindOptions::new();
        find.renames(true).for_untracked(opts.worktree);
        // Like git's `diff.renameLimit`: comparing every added file with every deleted one is
        // quadratic, so past the limit only exact renames (same content) are found. A rename
        // missed this way shows as a deletion plus an addition, which is reported more
        // strictly, never less.
        let (added, deleted) =
            diff.deltas()
                .fold((0usize, 0usize), |(a, d), delta| match delta.status() {
                    Delta::Added | Delta::Untracked => (a + 1, d),
                    Delta::Deleted => (a, d + 1),
                    _ => (a, d),
                });
        let over_limit = added.saturating_mul(deleted) > RENAME_LIMIT * RENAME_LIMIT;
        if over_limit && !opts.worktree {
            return Ok((diff, true));
        }
        if over_limit {
            find.exact_match_only(true);
        }
        diff.find_similar(Some(&mut find))
            .map_err(SourceError::git("cannot detect renamed files"))?;
        Ok((diff, false))
    }

    /// The changed files with their hunks, in the diff's order.
    fn collect_files(
        &self,
        diff: &Diff<'_>,
        exact_renames: bool,
        opts: &GitOptions,
        gaps: &mut Vec<String>,
    ) -> Vec<FileChange> {
        let mut deltas = hunks::facts(diff);
        if exact_renames {
            deltas = hunks::pair_exact_renames(deltas);
        }
        hunks::collect(
            &self.repo,
            &self.location(),
            diff,
            &deltas,
            Lines {
                from_trees: !opts.worktree,
                defer: opts.defer_lines,
            },
            crate::work::threads(opts.threads),
            gaps,
        )
    }

    /// Where the repository can be opened again: its working directory, else the git dir.
    fn location(&self) -> PathBuf {
        self.repo
            .workdir()
            .unwrap_or_else(|| self.repo.path())
            .to_path_buf()
    }

    fn commits(&self, ends: &Ends<'_>, gaps: &mut Vec<String>) -> Result<Vec<Commit>, SourceError> {
        let context = "cannot list the commits between base and head";
        let mut walk = self.repo.revwalk().map_err(SourceError::git(context))?;
        walk.set_sorting(Sort::TOPOLOGICAL | Sort::REVERSE)
            .map_err(SourceError::git(context))?;
        walk.push(ends.head.id())
            .map_err(SourceError::git(context))?;
        walk.hide(ends.base.id())
            .map_err(SourceError::git(context))?;
        let mut commits = Vec::new();
        for oid in walk {
            let oid = match oid {
                Ok(oid) => oid,
                Err(e) => {
                    gaps.push(format!(
                        "The commit list between base and head is incomplete: {}.",
                        e.message()
                    ));
                    break;
                }
            };
            match self.repo.find_commit(oid) {
                Ok(c) => commits.push(Commit::new(
                    Revision::new(oid.to_string()),
                    identity(&c.author()),
                    identity(&c.committer()),
                    String::from_utf8_lossy(c.message_bytes()).into_owned(),
                )),
                Err(e) => gaps.push(format!(
                    "Commit {oid} could not be read, so its author and message are unknown: {}.",
                    e.message()
                )),
            }
        }
        Ok(commits)
    }
}

fn identity(sig: &git2::Signature<'_>) -> Identity {
    Identity::new(
        String::from_utf8_lossy(sig.name_bytes()),
        String::from_utf8_lossy(sig.email_bytes()),
    )
}

fn lossy_path(bytes: Option<&[u8]>, gaps: &mut Vec<String>) -> Option<RepoPath> {
    let bytes = bytes?;
    let text = String::from_utf8_lossy(bytes);
    if std::str::from_utf8(bytes).is_err() {
        gaps.push(format!(
            "The path '{text}' is not valid UTF-8, so its contents cannot be read for analysis."
        ));
    }
    Some(RepoPath::new(text.into_owned()))
}

fn entry_kind(mode: FileMode) -> EntryKind {
    match mode {
        FileMode::Blob | FileMode::BlobGroupWritable => EntryKind::File,
        FileMode::BlobExecutable => EntryKind::Executable,
        FileMode::Link => EntryKind::Symlink,
        FileMode::Commit => EntryKind::Submodule,
        FileMode::Tree | FileMode::Unreadable => EntryKind::Absent,
    }
}

fn saturating_u32(n: usize) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}

/// One pass over the diff: a patch per delta (hunk headers and line counts come from libgit2,
/// so no per-line callback crosses into Rust), dropped before the next delta is loaded.
/// The changed files of deltas `range` of `diff`, with their hunks.
/// Opens one [`GitSnapshot`] per worker thread. See [`GitSource::readers`].
pub struct GitReaders<'c> {
    location: PathBuf,
    change: &'c Change,
    options: GitOptions,
}

impl SnapshotPool for GitReaders<'_> {
    fn with_snapshot(&self, work: &mut dyn FnMut(&dyn Snapshot)) -> Result<(), String> {
        let repo = Repository::open(&self.location).map_err(|e| e.message().to_owned())?;
        let source = GitSource::from_repo(repo);
        let snapshot = source
            .snapshot(self.change, &self.options)
            .map_err(|e| e.to_string())?;
        work(&snapshot);
        Ok(())
    }
}

enum HeadSide<'r> {
    Tree(Tree<'r>),
    /// The working directory, less the files that leave the repository though they stay on
    /// disk: the base paths of deleted and renamed files.
    Worktree {
        root: PathBuf,
        gone: HashSet<String>,
    },
}

/// Reads file contents of a loaded change on demand, one file at a time.
///
/// Reading failures that are not "the file is absent" are returned as [`Content::Binary`]
/// (unanalysable, so the engine fails closed) and recorded as [`Snapshot::gaps`], which the
/// engine reports as findings after analysis.
pub struct GitSnapshot<'r> {
    repo: &'r Repository,
    base: Tree<'r>,
    head: HeadSide<'r>,
    max_file_bytes: u64,
    /// The blob sizes the loaded change already knows (base, head), by path: such a blob need
    /// not be opened once to learn its size and again to read it.
    sizes: [HashMap<String, u64>; 2],
    gaps: RefCell<Vec<String>>,
    /// Directory listings read so far, per side. libgit2 does not cache large trees, and a
    /// path lookup inflates every tree on its way, so a change touching thousands of files in
    /// one directory would inflate that directory's tree thousands of times.
    listings: RefCell<HashMap<(Side, String), Rc<Listing>>>,
    /// The blobs read last: siblings an analyzer read are read again as changed files.
    recent: RefCell<recent_blobs::RecentBlobs>,
}

/// One tree's entries by name: object id and file mode.
type Listing = HashMap<String, (Oid, i32)>;

impl GitSnapshot<'_> {
    /// The entries of `dir` (`""` for the root) on a tree side; `None` when there is no such
    /// directory.
    fn listing(
        &self,
        tree: &Tree<'_>,
        side: Side,
        dir: &str,
    ) -> Result<Option<Rc<Listing>>, git2::Error> {
        if let Some(found) = self.listings.borrow().get(&(side, dir.to_owned())) {
            return Ok(Some(Rc::clone(found)));
        }
        let entries = |t: &Tree<'_>| -> Listing {
            t.iter()
                .map(|e| {
                    (
                        String::from_utf8_lossy(e.name_bytes()).into_owned(),
                        (e.id(), e.filemode()),
                    )
                })
                .collect()
        };
        let listing = if dir.is_empty() {
            entries(tree)
        } else {
            let (parent, name) = dir.rsplit_once('/').unwrap_or(("", dir));
            let Some(parent) = self.listing(tree, side, parent)? else {
                return Ok(None);
            };
            match parent.get(name) {
                Some((id, 0o040000)) => entries(&self.repo.find_tree(*id)?),
                _ => return Ok(None),
            }
        };
        let listing = Rc::new(listing);
        self.listings
            .borrow_mut()
            .insert((side, dir.to_owned()), Rc::clone(&listing));
        Ok(Some(listing))
    }

    fn failed(&self, sentence: String) -> Content {
        self.gaps.borrow_mut().push(sentence);
        Content::Binary
    }

    fn read_tree(&self, tree: &Tree<'_>, side: Side, path: &RepoPath) -> Content {
        let (dir, name) = path
            .as_str()
            .rsplit_once('/')
            .unwrap_or(("", path.as_str()));
        let (id, mode) = match self.listing(tree, side, dir) {
            Ok(found) => match found.and_then(|l| l.get(name).copied()) {
                Some(entry) => entry,
                None => return Content::Absent,
            },
            Err(e) => {
                return self.failed(format!(
                    "'{path}' could not be looked up on the {} side: {}.",
                    side_name(side),
                    e.message()
                ))
            }
        };
        match mode {
            0o160000 => return Content::Submodule,
            0o120000 => return Content::Symlink,
            0o040000 => return Content::Absent,
            _ => {}
        }
        let fail = |e: git2::Error| {
            self.failed(format!(
                "The {} version of '{path}' could not be read: {}.",
                side_name(side),
                e.message()
            ))
        };
        // A size the change already knows keeps an oversized blob from being inflated. An
        // unknown one (lines left to the engine) is learnt by reading the blob: asking the
        // object database for a packed blob's header alone inflates the start of its delta,
        // which on a large change cost more than the rare oversized blob read in full.
        let sizes = match side {
            Side::Base => &self.sizes[0],
            Side::Head => &self.sizes[1],
        };
        if let Some(size) = sizes.get(path.as_str()).copied() {
            if size > self.max_file_bytes {
                return Content::TooLarge(size);
            }
        }
        if let Some(content) = self.recent.borrow().get(id) {
            return content;
        }
        let blob = match self.repo.find_object(id, None).map(git2::Object::into_blob) {
            Ok(Ok(blob)) => blob,
            Ok(Err(other)) => {
                return self.failed(format!(
                    "The {} version of '{path}' is a {}, not a file.",
                    side_name(side),
                    other.kind().map_or("object", |k| k.str())
                ))
            }
            Err(e) => return fail(e),
        };
        let size = blob.size() as u64;
        if size > self.max_file_bytes {
            return Content::TooLarge(size);
        }
        let content = classify(blob.content());
        self.recent.borrow_mut().keep(id, &content);
        content
    }

    fn read_disk(&self, root: &Path, path: &RepoPath) -> Content {
        let full = root.join(path.as_str());
        let meta = match std::fs::symlink_metadata(&full) {
            Ok(m) => m,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Content::Absent,
            Err(e) => {
                return self.failed(format!(
                    "The working-tree file '{path}' could not be read: {e}."
                ))
            }
        };
        if meta.file_type().is_symlink() {
            return Content::Symlink;
        }
        if meta.is_dir() {
            return if self.is_gitlink_in_index(path) {
                Content::Submodule
            } else {
                Content::Absent
            };
        }
        if meta.len() > self.max_file_bytes {
            return Content::TooLarge(meta.len());
        }
        match std::fs::read(&full) {
            Ok(bytes) => classify(&bytes),
            Err(e) => self.failed(format!(
                "The working-tree file '{path}' could not be read: {e}."
            )),
        }
    }

    fn is_gitlink_in_index(&self, path: &RepoPath) -> bool {
        self.repo
            .index()
            .ok()
            .and_then(|index| index.get_path(Path::new(path.as_str()), 0))
            .is_some_and(|entry| entry.mode == 0o160000)
    }

    fn list_tree(&self, tree: &Tree<'_>, side: Side, dir: &str) -> Vec<RepoPath> {
        let Ok(Some(listing)) = self.listing(tree, side, dir) else {
            return Vec::new();
        };
        let mut paths: Vec<RepoPath> = listing
            .iter()
            .filter(|(_, (_, mode))| matches!(mode, 0o100644 | 0o100755 | 0o100664))
            .map(|(name, _)| join(dir, name))
            .collect();
        paths.sort();
        paths
    }

    fn list_disk(&self, root: &Path, dir: &str) -> Vec<RepoPath> {
        let Ok(entries) = std::fs::read_dir(root.join(dir)) else {
            return Vec::new();
        };
        let mut paths: Vec<RepoPath> = entries
            .filter_map(Result::ok)
            .filter(|e| e.file_type().is_ok_and(|t| t.is_file()))
            .map(|e| join(dir, &e.file_name().to_string_lossy()))
            .filter(|p| {
                !self
                    .repo
                    .is_path_ignored(Path::new(p.as_str()))
                    .unwrap_or(false)
            })
            .collect();
        paths.sort();
        paths
    }
}

impl Snapshot for GitSnapshot<'_> {
    fn gaps(&self) -> Vec<String> {
        self.gaps.borrow().clone()
    }

    fn read(&self, side: Side, path: &RepoPath) -> Content {
        match (side, &self.head) {
            (Side::Base, _) => self.read_tree(&self.base, side, path),
            (Side::Head, HeadSide::Tree(tree)) => self.read_tree(tree, side, path),
            (Side::Head, HeadSide::Worktree { gone, .. }) if gone.contains(path.as_str()) => {
                Content::Absent
            }
            (Side::Head, HeadSide::Worktree { root, .. }) => self.read_disk(root, path),
        }
    }

    fn list_subdirs(&self, side: Side, dir: &str) -> Vec<String> {
        let dir = dir.trim_matches('/');
        let tree = match (side, &self.head) {
            (Side::Base, _) => &self.base,
            (Side::Head, HeadSide::Tree(tree)) => tree,
            (Side::Head, HeadSide::Worktree { root, .. }) => {
                let Ok(entries) = std::fs::read_dir(root.join(dir)) else {
                    return Vec::new();
                };
                let mut names: Vec<String> = entries
                    .filter_map(Result::ok)
                    .filter(|e| e.file_type().is_ok_and(|t| t.is_dir()))
                    .map(|e| e.file_name().to_string_lossy().into_owned())
                    .filter(|name| name != ".git")
                    .collect();
                names.sort();
                return names;
            }
        };
        let Ok(Some(listing)) = self.listing(tree, side, dir) else {
            return Vec::new();
        };
        let mut names: Vec<String> = listing
            .iter()
            .filter(|(_, (_, mode))| *mode == 0o040000)
            .map(|(name, _)| name.clone())
            .collect();
        names.sort();
        names
    }
    fn list_dir(&self, side: Side, dir: &str) -> Vec<RepoPath> {
        let dir = dir.trim_matches('/');
        match (side, &self.head) {
            (Side::Base, _) => self.list_tree(&self.base, side, dir),
            (Side::Head, HeadSide::Tree(tree)) => self.list_tree(tree, side, dir),
            (Side::Head, HeadSide::Worktree { root, gone }) => {
                let mut paths = self.list_disk(root, dir);
                paths.retain(|p| !gone.contains(p.as_str()));
                paths
            }
        }
    }
}

fn side_name(side: Side) -> &'static str {
    match side {
        Side::Base => "base",
        Side::Head => "head",
    }
}

fn join(dir: &str, name: &str) -> RepoPath {
    if dir.is_empty() {
        RepoPath::new(name)
    } else {
        RepoPath::new(format!("{dir}/{name}"))
    }
}

/// git's own test for a binary file: a NUL in the first 8000 bytes.
fn looks_binary(bytes: &[u8]) -> bool {
    bytes[..bytes.len().min(BINARY_SNIFF_BYTES)].contains(&0)
}

/// Binary (see [`looks_binary`]), else UTF-8 text or not.
fn classify(bytes: &[u8]) -> Content {
    if looks_binary(bytes) {
        return Content::Binary;
    }
    match std::str::from_utf8(bytes) {
        Ok(text) => Content::Text(text.into()),
        Err(_) => Content::NotUtf8,
    }
}
