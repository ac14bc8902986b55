//! hunks: the changed files of a diff, with their hunks and line counts.
//!
//! Computing hunks is most of the cost of loading a large change, so past a few hundred files
//! it is spread over threads. A libgit2 diff must not be shared between threads, so what each
//! delta says (status, paths, blob ids, modes) is copied out of it once; a worker then needs
//! only a repository handle of its own to read the two blobs. Deltas whose patch only the diff
//! can produce (a working-tree side, a submodule) are done on the calling thread.
//!
//! Between two trees the changed lines are computed from the two blobs' bytes (see
//! [`diff_blobs`]), not by libgit2's patch.

use std::collections::HashMap;
use std::path::Path;

use git2::{Delta, Diff, FileMode, Oid, Patch, Repository};

use crate::change::{line_diff, EntryKind, FileChange, FileStatus, Hunk, RepoPath};
use crate::work::Runs;

/// Below this many changed files, hunks are computed on the calling thread.
const PARALLEL_FROM: usize = 256;

/// Files a worker claims at a time.
const CHUNK: usize = 64;

/// git's default `core.bigFileThreshold`: a larger file is not compared line by line.
const BIG_FILE_BYTES: usize = 512 << 20;

/// One side of a delta, as the diff saw it.
#[derive(Debug, Clone)]
struct SideFacts {
    path: Option<Vec<u8>>,
    id: Oid,
    mode: FileMode,
    size: u64,
}

impl SideFacts {
    fn of(file: git2::DiffFile<'_>) -> SideFacts {
        SideFacts {
            path: file.path_bytes().map(<[u8]>::to_vec),
            id: file.id(),
            mode: file.mode(),
            size: file.size(),
        }
    }

    /// A blob to read (`Some(Some(id))`), nothing on this side (`Some(None)`), or `None`
    /// when the side is not a blob (a submodule) and only the diff can produce the patch.
    fn blob(&self) -> Option<Option<Oid>> {
        if self.id.is_zero() {
            return Some(None);
        }
        match self.mode {
            FileMode::Blob | FileMode::BlobExecutable | FileMode::Link => Some(Some(self.id)),
            _ => None,
        }
    }
}

/// What one delta of the diff says, owned, so that threads without the diff can use it.
#[derive(Debug, Clone)]
pub(super) struct DeltaFacts {
    /// The delta's position in the diff, for [`Patch::from_diff`].
    index: usize,
    status: Delta,
    binary: bool,
    old: SideFacts,
    new: SideFacts,
}

/// The deltas of `diff`, in its order.
pub(super) fn facts(diff: &Diff<'_>) -> Vec<DeltaFacts> {
    diff.deltas()
        .enumerate()
        .map(|(index, delta)| DeltaFacts {
            index,
            status: delta.status(),
            binary: delta.flags().is_binary(),
            old: SideFacts::of(delta.old_file()),
            new: SideFacts::of(delta.new_file()),
        })
        .collect()
}

/// Pairs deleted and added files with the same content into renames, as git does past its
/// rename limit. libgit2's exact-match mode still compares every added file with every deleted
/// one; a map from content id does the same in one pass. A deleted file pairs with an added
/// one of the same name first (a file moved to another directory), else with the first.
pub(super) fn pair_exact_renames(deltas: Vec<DeltaFacts>) -> Vec<DeltaFacts> {
    let file_name = |s: &SideFacts| -> Vec<u8> {
        let path = s.path.as_deref().unwrap_or_default();
        path.rsplit(|b| *b == b'/').next().unwrap_or(path).to_vec()
    };
    let is_file = |m: FileMode| matches!(m, FileMode::Blob | FileMode::BlobExecutable);
    let mut deleted: HashMap<Oid, Vec<usize>> = HashMap::new();
    for (i, d) in deltas.iter().enumerate() {
        if d.status == Delta::Deleted && is_file(d.old.mode) && !d.old.id.is_zero() {
            deleted.entry(d.old.id).or_default().push(i);
        }
    }
    if deleted.is_empty() {
        return deltas;
    }
    let mut source_of: HashMap<usize, usize> = HashMap::new();
    for (i, d) in deltas.iter().enumerate() {
        if d.status != Delta::Added || !is_file(d.new.mode) {
            continue;
        }
        let Some(candidates) = deleted.get_mut(&d.new.id) else {
            continue;
        };
        let name = file_name(&d.new);
        let pick = candidates
            .iter()
            .position(|&c| file_name(&deltas[c].old) == name)
            .unwrap_or(0);
        if let Some(&source) = candidates.get(pick) {
            candidates.remove(pick);
            source_of.insert(i, source);
        }
    }
    let sources: std::collections::HashSet<usize> = source_of.values().copied().collect();
    let mut paired = Vec::with_capacity(deltas.len() - sources.len());
    for (i, d) in deltas.iter().enumerate() {
        if sources.contains(&i) {
            continue;
        }
        match source_of.get(&i) {
            Some(&source) => paired.push(DeltaFacts {
                index: d.index,
                status: Delta::Renamed,
                binary: d.binary || deltas[source].binary,
                old: deltas[source].old.clone(),
                new: d.new.clone(),
            }),
            None => paired.push(d.clone()),
        }
    }
    paired
}

/// How the changed lines are to be found.
#[derive(Debug, Clone, Copy)]
pub(super) struct Lines {
    /// Both sides are trees (not the working tree), so their blobs can be diffed directly.
    pub from_trees: bool,
    /// Leave the lines of such files for the engine ([`FileChange::lines_deferred`]).
    pub defer: bool,
}

/// The changed files of `deltas` (taken from `diff`), on up to `threads` threads. Workers
/// open the repository at `location` again; one that cannot leaves its share to the others.
pub(super) fn collect(
    repo: &Repository,
    location: &Path,
    diff: &Diff<'_>,
    deltas: &[DeltaFacts],
    lines: Lines,
    threads: usize,
    gaps: &mut Vec<String>,
) -> Vec<FileChange> {
    // Indices into `deltas`: patches from blobs (any thread) and from the diff (this one).
    let (by_blobs, by_diff): (Vec<usize>, Vec<usize>) =
        (0..deltas.len()).partition(|&i| blobs_wanted(&deltas[i], lines.from_trees).is_some());
    let mut done: Vec<(usize, Option<FileChange>, Vec<String>)> = Vec::with_capacity(deltas.len());
    let one = |repo: &Repository, i: usize, diff: Option<&Diff<'_>>| {
        let mut file_gaps = Vec::new();
        let file = collect_one(repo, diff, &deltas[i], lines, &mut file_gaps);
        (i, file, file_gaps)
    };
    // Deferred files read no blob here: nothing is worth a thread.
    if by_blobs.len() < PARALLEL_FROM || threads <= 1 || lines.defer {
        done.extend(by_blobs.iter().map(|&i| one(repo, i, None)));
    } else {
        let runs = Runs::new(by_blobs.len(), CHUNK);
        let work = |repo: &Repository| {
            let mut out = Vec::new();
            while let Some(run) = runs.claim() {
                out.extend(by_blobs[run].iter().map(|&i| one(repo, i, None)));
            }
            out
        };
        std::thread::scope(|scope| {
            let workers: Vec<_> = (1..threads)
                .map(|_| {
                    scope.spawn(|| match Repository::open(location) {
                        Ok(repo) => work(&repo),
                        Err(e) => {
                            tracing::debug!("a hunk worker could not open the repository: {e}");
                            Vec::new()
                        }
                    })
                })
                .collect();
            done.extend(work(repo));
            for worker in workers {
                match worker.join() {
                    Ok(out) => done.extend(out),
                    Err(panic) => std::panic::resume_unwind(panic),
                }
            }
        });
    }
    done.extend(by_diff.iter().map(|&i| one(repo, i, Some(diff))));
    done.sort_by_key(|(i, _, _)| *i);
    let mut files = Vec::with_capacity(done.len());
    for (_, file, file_gaps) in done {
        files.extend(file);
        gaps.extend(file_gaps);
    }
    files
}

/// The blob ids of both sides when the patch can be computed from them: between two trees,
/// not for a working-tree side, whose content (filtered, possibly never hashed into the object
/// database) only the diff can read.
fn blobs_wanted(delta: &DeltaFacts, from_trees: bool) -> Option<(Option<Oid>, Option<Oid>)> {
    if !from_trees || delta.status == Delta::Unreadable {
        return None;
    }
    Some((delta.old.blob()?, delta.new.blob()?))
}

/// One changed file; `None` for a delta that is not a change (or has no path, which is a gap).
/// `diff` is given only for the deltas whose patch it alone can produce.
fn collect_one(
    repo: &Repository,
    diff: Option<&Diff<'_>>,
    delta: &DeltaFacts,
    lines: Lines,
    gaps: &mut Vec<String>,
) -> Option<FileChange> {
    let status = match delta.status {
        Delta::Added | Delta::Untracked => FileStatus::Added,
        Delta::Deleted => FileStatus::Deleted,
        Delta::Modified | Delta::Conflicted => FileStatus::Modified,
        Delta::Renamed => FileStatus::Renamed,
        Delta::Copied => FileStatus::Copied,
        Delta::Typechange => FileStatus::TypeChanged,
        Delta::Unreadable => {
            let path = String::from_utf8_lossy(delta.new.path.as_deref().unwrap_or(b""));
            gaps.push(format!(
                "The working-tree file '{path}' could not be read, so its changes are unknown."
            ));
            return None;
        }
        Delta::Unmodified | Delta::Ignored => return None,
    };
    let (old_path, old_kind, old_size) = if status == FileStatus::Added {
        (None, EntryKind::Absent, None)
    } else {
        let f = &delta.old;
        (
            super::lossy_path(f.path.as_deref(), gaps),
            super::entry_kind(f.mode),
            Some(f.size),
        )
    };
    let (new_path, new_kind, new_size) = if status == FileStatus::Deleted {
        (None, EntryKind::Absent, None)
    } else {
        let f = &delta.new;
        let path = if old_path.is_none() || f.path != delta.old.path {
            super::lossy_path(f.path.as_deref(), gaps)
        } else {
            // Same path as the old side: already reported once if it is not UTF-8.
            f.path
                .as_deref()
                .map(|b| RepoPath::new(String::from_utf8_lossy(b).into_owned()))
        };
        (path, super::entry_kind(f.mode), Some(f.size))
    };
    if old_path.is_none() && new_path.is_none() {
        gaps.push("A changed file without a path was skipped.".to_owned());
        return None;
    }
    if delta.status == Delta::Conflicted {
        gaps.push(format!(
            "'{}' has unresolved merge conflicts; its content is what is on disk.",
            new_path
                .as_ref()
                .or(old_path.as_ref())
                .map_or("", |p| p.as_str())
        ));
    }
    let mut file = FileChange {
        status,
        old_path,
        new_path,
        old_kind,
        new_kind,
        binary: delta.binary,
        hunks: Vec::new(),
        added_lines: 0,
        deleted_lines: 0,
        lines_deferred: false,
        old_size,
        new_size,
    };
    let outcome = match (diff, blobs_wanted(delta, lines.from_trees)) {
        (Some(diff), _) => Patch::from_diff(diff, delta.index).map(|patch| {
            if let Some(patch) = patch {
                fill_from_patch(&mut file, &patch, gaps);
            }
        }),
        (None, Some(_)) if lines.defer => {
            file.lines_deferred = true;
            // Unknown until a blob is read (a tree diff does not load them); the snapshot
            // asks the object database for the size before inflating one.
            file.old_size = None;
            file.new_size = None;
            Ok(())
        }
        (None, Some((old, new))) => diff_blobs(repo, old, new, &mut file),
        // Only deltas with blobs on both sides are collected without the diff.
        (None, None) => Ok(()),
    };
    if let Err(e) = outcome {
        gaps.push(format!(
            "The diff of '{}' could not be computed, so its changed lines are unknown: {}.",
            file.path(),
            e.message()
        ));
    }
    Some(file)
}

/// Fills in `file`'s hunks and line counts from the two blobs (`None`: the side is absent).
///
/// The lines are compared by [`line_diff`] on the blobs' bytes as they are. libgit2's own
/// patch either looks up a `.gitattributes` diff driver for every file (a tenth of the time of
/// a large change, and a way for the change under review to hide a file's lines by calling it
/// binary) or, given buffers instead, hashes both of them again.
fn diff_blobs(
    repo: &Repository,
    old: Option<Oid>,
    new: Option<Oid>,
    file: &mut FileChange,
) -> Result<(), git2::Error> {
    let read = |id: Option<Oid>| id.map(|id| repo.find_blob(id)).transpose();
    let (old, new) = (read(old)?, read(new)?);
    let old = old.as_ref().map_or(&[][..], |b| b.content());
    let new = new.as_ref().map_or(&[][..], |b| b.content());
    if file.old_kind != EntryKind::Absent {
        file.old_size = Some(old.len() as u64);
    }
    if file.new_kind != EntryKind::Absent {
        file.new_size = Some(new.len() as u64);
    }
    file.binary = !line_diffable(old, new, BIG_FILE_BYTES);
    if file.binary {
        return Ok(());
    }
    let lines = line_diff::diff(old, new);
    file.hunks = lines.hunks;
    file.added_lines = lines.added;
    file.deleted_lines = lines.deleted;
    Ok(())
}

/// Whether two sides are compared line by line, as git decides: neither is binary (a NUL in
/// its first 8000 bytes) nor larger than `big`.
fn line_diffable(old: &[u8], new: &[u8], big: usize) -> bool {
    [old, new]
        .iter()
        .all(|side| side.len() <= big && !super::looks_binary(side))
}

fn fill_from_patch(file: &mut FileChange, patch: &Patch<'_>, gaps: &mut Vec<String>) {
    let delta = patch.delta();
    // The patch has loaded both sides, so binary detection and sizes are now settled.
    file.binary = delta.flags().is_binary();
    if file.old_kind != EntryKind::Absent {
        file.old_size = Some(delta.old_file().size());
    }
    if file.new_kind != EntryKind::Absent {
        file.new_size = Some(delta.new_file().size());
    }
    for h in 0..patch.num_hunks() {
        match patch.hunk(h) {
            Ok((hunk, _)) => file.hunks.push(Hunk {
                old_start: hunk.old_start(),
                old_lines: hunk.old_lines(),
                new_start: hunk.new_start(),
                new_lines: hunk.new_lines(),
            }),
            Err(e) => {
                gaps.push(format!(
                    "A hunk of '{}' could not be read: {}.",
                    file.path(),
                    e.message()
                ));
                break;
            }
        }
    }
    match patch.line_stats() {
        Ok((_context, added, deleted)) => {
            file.added_lines = super::saturating_u32(added);
            file.deleted_lines = super::saturating_u32(deleted);
        }
        Err(e) => gaps.push(format!(
            "The line counts of '{}' could not be computed: {}.",
            file.path(),
            e.message()
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn side(path: Option<&str>, id: u8, mode: FileMode) -> SideFacts {
        SideFacts {
            path: path.map(|p| p.as_bytes().to_vec()),
            id: Oid::from_bytes(&[id; 20]).unwrap(),
            mode,
            size: 10,
        }
    }

    fn delta(
        index: usize,
        status: Delta,
        old: Option<&str>,
        new: Option<&str>,
        id: u8,
    ) -> DeltaFacts {
        let (old_id, new_id) = match status {
            Delta::Added => (0, id),
            Delta::Deleted => (id, 0),
            _ => (id, id),
        };
        DeltaFacts {
            index,
            status,
            binary: false,
            old: side(
                old.or(new),
                old_id,
                if old_id == 0 {
                    FileMode::Unreadable
                } else {
                    FileMode::Blob
                },
            ),
            new: side(
                new.or(old),
                new_id,
                if new_id == 0 {
                    FileMode::Unreadable
                } else {
                    FileMode::Blob
                },
            ),
        }
    }

    fn summary(deltas: &[DeltaFacts]) -> Vec<String> {
        deltas
            .iter()
            .map(|d| {
                let path = |s: &SideFacts| {
                    String::from_utf8_lossy(s.path.as_deref().unwrap()).into_owned()
                };
                format!(
                    "{:?} {} {} @{}",
                    d.status,
                    path(&d.old),
                    path(&d.new),
                    d.index
                )
            })
            .collect()
    }

    #[test]
    fn a_deleted_file_pairs_with_an_added_one_of_the_same_content_preferring_the_same_name() {
        let deltas = vec![
            delta(0, Delta::Deleted, Some("a/main.tf"), None, 1),
            delta(1, Delta::Deleted, Some("b/db.tf"), None, 1),
            delta(2, Delta::Added, None, Some("c/db.tf"), 1),
            delta(3, Delta::Added, None, Some("d/other.tf"), 2),
            delta(4, Delta::Modified, Some("e.tf"), Some("e.tf"), 3),
        ];
        assert_eq!(
            summary(&pair_exact_renames(deltas)),
            [
                "Deleted a/main.tf a/main.tf @0",
                "Renamed b/db.tf c/db.tf @2",
                "Added d/other.tf d/other.tf @3",
                "Modified e.tf e.tf @4",
            ]
        );
    }

    #[test]
    fn each_deleted_file_is_the_source_of_one_rename_only() {
        let deltas = vec![
            delta(0, Delta::Deleted, Some("old/x.yaml"), None, 7),
            delta(1, Delta::Added, None, Some("new/x.yaml"), 7),
            delta(2, Delta::Added, None, Some("copy/x.yaml"), 7),
        ];
        assert_eq!(
            summary(&pair_exact_renames(deltas)),
            [
                "Renamed old/x.yaml new/x.yaml @1",
                "Added copy/x.yaml copy/x.yaml @2"
            ]
        );
    }

    #[test]
    fn binary_or_oversized_sides_are_not_compared_line_by_line() {
        assert!(line_diffable(b"a\nb\n", b"a\n", 8));
        assert!(!line_diffable(b"a\0b", b"a\n", 8));
        assert!(!line_diffable(b"", b"x\0", 8));
        assert!(!line_diffable(b"a\n", b"123456789", 8));
    }

    #[test]
    fn submodules_and_different_contents_are_not_renames() {
        let mut gitlink = delta(1, Delta::Added, None, Some("vendor/lib"), 5);
        gitlink.new.mode = FileMode::Commit;
        let deltas = vec![
            delta(0, Delta::Deleted, Some("lib"), None, 5),
            gitlink,
            delta(2, Delta::Added, None, Some("lib2"), 6),
        ];
        let out = pair_exact_renames(deltas.clone());
        assert_eq!(summary(&out), summary(&deltas));
    }
}
