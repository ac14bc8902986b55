//! changed_paths: where two trees differ, found by descending only into the subtrees whose ids
//! differ, as git's own tree diff does.
//!
//! libgit2's tree-to-tree diff walks every entry of both trees, so a pull request of a few
//! files in a repository of thousands paid for all of them. Handed these paths (matched as
//! paths, not patterns), it reads only the trees on the way to a change and reports the same
//! deltas: a path names a file, or (ending in `/`) a whole subtree that exists on one side
//! only or changed type, which libgit2 matches with everything under it.

use git2::{ObjectType, Oid, Repository, Tree};

/// Past this many paths a change reaches into most of the trees anyway, and libgit2 matching
/// each entry against a long list costs more than the walk saves: the diff is left unlimited.
pub(super) const MOST: usize = 512;

/// The paths, `/`-separated, at which `head` differs from `base`: entries whose id or mode
/// changed, or that exist on one side only (a directory's path ends in `/`). Empty when the
/// trees are the same; `None` past `most` paths.
pub(super) fn between(
    repo: &Repository,
    base: &Tree<'_>,
    head: &Tree<'_>,
    most: usize,
) -> Result<Option<Vec<Vec<u8>>>, git2::Error> {
    let mut out = Vec::new();
    // An explicit stack: a repository may nest directories deeper than a thread's stack.
    let mut pending: Vec<(Vec<u8>, Oid, Oid)> = vec![(Vec::new(), base.id(), head.id())];
    while let Some((prefix, base_id, head_id)) = pending.pop() {
        if out.len() > most {
            return Ok(None);
        }
        if base_id == head_id {
            continue;
        }
        let (base, head) = (repo.find_tree(base_id)?, repo.find_tree(head_id)?);
        for entry in head.iter() {
            match base.get_name_bytes(entry.name_bytes()) {
                Some(old) if old.id() == entry.id() && old.filemode() == entry.filemode() => {}
                Some(old) if is_tree(&old) && is_tree(&entry) => {
                    pending.push((spelled(&prefix, &entry), old.id(), entry.id()));
                }
                Some(old) => {
                    // Changed in place, or changed type (a file became a directory): the path
                    // as either side spells it.
                    let (was, now) = (spelled(&prefix, &old), spelled(&prefix, &entry));
                    if was != now {
                        out.push(was);
                    }
                    out.push(now);
                }
                None => out.push(spelled(&prefix, &entry)),
            }
        }
        for entry in base.iter() {
            if head.get_name_bytes(entry.name_bytes()).is_none() {
                out.push(spelled(&prefix, &entry));
            }
        }
    }
    if out.len() > most {
        return Ok(None);
    }
    out.sort_unstable();
    out.dedup();
    Ok(Some(out))
}

/// The entry's path under `prefix`, a directory's with a trailing `/`: libgit2 walks the
/// sorted paths alongside the tree in git's order, where a directory sorts as its name and a
/// `/` (after `a.x` and `a-y`, not before), so a bare `a` for a directory would be passed over.
fn spelled(prefix: &[u8], entry: &git2::TreeEntry<'_>) -> Vec<u8> {
    let mut path = [prefix, entry.name_bytes()].concat();
    if is_tree(entry) {
        path.push(b'/');
    }
    path
}

fn is_tree(entry: &git2::TreeEntry<'_>) -> bool {
    entry.kind() == Some(ObjectType::Tree)
}

#[cfg(test)]
mod tests {
    use super::between;
    use git2::{DiffOptions, Oid, Repository};
    use proptest::prelude::*;
    use std::collections::BTreeMap;

    const FILE: i32 = 0o100644;
    const EXEC: i32 = 0o100755;
    const LINK: i32 = 0o120000;
    const GITLINK: i32 = 0o160000;

    /// A tree holding `files` (path → content and mode); a gitlink's content is its commit id.
    fn tree(repo: &Repository, files: &BTreeMap<String, (Vec<u8>, i32)>) -> Oid {
        let mut here = repo.treebuilder(None).expect("builder");
        let mut dirs: BTreeMap<&str, BTreeMap<String, (Vec<u8>, i32)>> = BTreeMap::new();
        for (path, (content, mode)) in files {
            match path.split_once('/') {
                Some((dir, rest)) => {
                    dirs.entry(dir)
                        .or_default()
                        .insert(rest.to_owned(), (content.clone(), *mode));
                }
                None => {
                    let id = if *mode == GITLINK {
                        Oid::hash_object(git2::ObjectType::Commit, content).expect("id")
                    } else {
                        repo.blob(content).expect("blob")
                    };
                    here.insert(path, id, *mode).expect("insert");
                }
            }
        }
        for (dir, inner) in dirs {
            here.insert(dir, tree(repo, &inner), 0o040000)
                .expect("insert dir");
        }
        here.write().expect("write tree")
    }

    /// Each delta as (status, old path, new path, old id, new id, old mode, new mode).
    fn deltas(repo: &Repository, base: Oid, head: Oid, limit: bool) -> Vec<String> {
        let (base, head) = (repo.find_tree(base).unwrap(), repo.find_tree(head).unwrap());
        let mut opts = DiffOptions::new();
        opts.include_typechange(true);
        if limit {
            let paths = between(repo, &base, &head, usize::MAX)
                .expect("walks")
                .expect("no limit");
            if !paths.is_empty() {
                opts.disable_pathspec_match(true);
                for p in paths {
                    opts.pathspec(p);
                }
            }
        }
        let diff = repo
            .diff_tree_to_tree(Some(&base), Some(&head), Some(&mut opts))
            .expect("diff");
        diff.deltas()
            .map(|d| {
                let side = |f: git2::DiffFile<'_>| {
                    let path = f
                        .path_bytes()
                        .map(|p| String::from_utf8_lossy(p).into_owned());
                    (path, f.id(), f.mode())
                };
                format!(
                    "{:?} {:?} {:?}",
                    d.status(),
                    side(d.old_file()),
                    side(d.new_file())
                )
            })
            .collect()
    }

    fn repo() -> (tempfile::TempDir, Repository) {
        let dir = tempfile::TempDir::new().expect("temp dir");
        let repo = Repository::init_bare(dir.path()).expect("init");
        (dir, repo)
    }

    fn files(list: &[(&str, &str, i32)]) -> BTreeMap<String, (Vec<u8>, i32)> {
        list.iter()
            .map(|(p, c, m)| ((*p).to_owned(), (c.as_bytes().to_vec(), *m)))
            .collect()
    }

    #[test]
    fn a_limited_diff_reports_what_a_full_one_does_on_awkward_trees() {
        let (_dir, repo) = repo();
        let base = files(&[
            ("a.b", "x", FILE),
            ("a/one.tf", "1", FILE),
            ("a/same/deep/keep.tf", "k", FILE),
            ("a-b/c", "c", FILE),
            ("typed", "file", FILE),
            ("gone/x/y.yaml", "y", FILE),
            ("run.sh", "echo", FILE),
            ("link", "target", LINK),
            ("vendor/lib", "1111", GITLINK),
            ("untouched/big/tree.txt", "t", FILE),
        ]);
        let head = files(&[
            ("a.b", "x", FILE),
            ("a/one.tf", "2", FILE),
            ("a/same/deep/keep.tf", "k", FILE),
            ("a/new/inner.tf", "n", FILE),
            ("a-b/c", "c", FILE),
            ("typed/now/a/dir", "d", FILE),
            ("run.sh", "echo", EXEC),
            ("link", "elsewhere", LINK),
            ("vendor/lib", "2222", GITLINK),
            ("untouched/big/tree.txt", "t", FILE),
            ("moved/y.yaml", "y", FILE),
        ]);
        let (b, h) = (tree(&repo, &base), tree(&repo, &head));
        let full = deltas(&repo, b, h, false);
        assert_eq!(full.len(), 9, "{full:#?}");
        assert_eq!(deltas(&repo, b, h, true), full);
        let (bt, ht) = (repo.find_tree(b).unwrap(), repo.find_tree(h).unwrap());
        let walked = between(&repo, &bt, &ht, usize::MAX).expect("walks");
        let walked = walked.expect("no limit");
        assert!(
            !walked.iter().any(|p| p.starts_with(b"untouched")),
            "an equal subtree is never entered: {walked:?}"
        );
        assert_eq!(
            between(&repo, &bt, &bt, 0).expect("walks"),
            Some(Vec::new())
        );
        assert_eq!(
            between(&repo, &bt, &ht, 3).expect("walks"),
            None,
            "too wide to limit"
        );
        assert!(between(&repo, &bt, &ht, walked.len())
            .expect("walks")
            .is_some());
    }

    fn arbitrary_files() -> impl Strategy<Value = BTreeMap<String, (Vec<u8>, i32)>> {
        let path = prop::collection::vec(
            prop::sample::select(vec!["a", "b", "a.x", "a-y", "c"]),
            1..4,
        )
        .prop_map(|parts| parts.join("/"));
        let entry = (
            prop::sample::select(vec!["1", "2"]),
            prop::sample::select(vec![FILE, EXEC]),
        )
            .prop_map(|(c, m)| (c.as_bytes().to_vec(), m));
        prop::collection::vec((path, entry), 0..12).prop_map(|list| {
            // A path cannot be both a file and a directory in one tree: keep the first.
            let mut files: BTreeMap<String, (Vec<u8>, i32)> = BTreeMap::new();
            for (p, e) in list {
                let clashes = files.keys().any(|k| {
                    k == &p || k.starts_with(&format!("{p}/")) || p.starts_with(&format!("{k}/"))
                });
                if !clashes {
                    files.insert(p, e);
                }
            }
            files
        })
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(64))]
        #[test]
        fn limited_and_full_diffs_agree(base in arbitrary_files(), head in arbitrary_files()) {
            let (_dir, repo) = repo();
            let (b, h) = (tree(&repo, &base), tree(&repo, &head));
            prop_assert_eq!(deltas(&repo, b, h, true), deltas(&repo, b, h, false));
        }
    }
}
