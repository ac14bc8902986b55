//! Behaviour of the local git source, on small repositories built with the `git` CLI.

use std::path::Path;
use std::process::Command;

use tempfile::TempDir;
use twokey::change::{Content, EntryKind, FileChange, FileStatus, Hunk, RepoPath, Side, Snapshot};
use twokey::source::{GitOptions, GitSource, SourceError};

/// A throwaway repository on branch `main`, with a fixed author and committer.
struct Repo {
    dir: TempDir,
}

impl Repo {
    fn new() -> Repo {
        let repo = Repo {
            dir: TempDir::new().expect("temp dir"),
        };
        repo.git(&["init", "-q", "-b", "main"]);
        repo
    }

    fn path(&self) -> &Path {
        self.dir.path()
    }

    fn git(&self, args: &[&str]) -> String {
        self.git_as(args, "Ada Lovelace", "ada@example.com")
    }

    fn git_as(&self, args: &[&str], name: &str, email: &str) -> String {
        let out = Command::new("git")
            .args(args)
            .current_dir(self.path())
            .env("GIT_CONFIG_NOSYSTEM", "1")
            .env("GIT_CONFIG_GLOBAL", "/dev/null")
            .env("GIT_AUTHOR_NAME", name)
            .env("GIT_AUTHOR_EMAIL", email)
            .env("GIT_AUTHOR_DATE", "2024-01-01T00:00:00Z")
            .env("GIT_COMMITTER_NAME", "Committer Bot")
            .env("GIT_COMMITTER_EMAIL", "bot@example.com")
            .env("GIT_COMMITTER_DATE", "2024-01-01T00:00:00Z")
            .output()
            .expect("run git");
        assert!(
            out.status.success(),
            "git {args:?} failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8_lossy(&out.stdout).trim().to_owned()
    }

    fn write(&self, path: &str, content: impl AsRef<[u8]>) {
        let full = self.path().join(path);
        if let Some(parent) = full.parent() {
            std::fs::create_dir_all(parent).expect("mkdir");
        }
        std::fs::write(full, content).expect("write");
    }

    fn remove(&self, path: &str) {
        std::fs::remove_file(self.path().join(path)).expect("remove");
    }

    /// Stage everything and commit; returns the commit id.
    fn commit(&self, message: &str) -> String {
        self.git(&["add", "-A"]);
        self.git(&["commit", "-q", "--allow-empty", "-m", message]);
        self.git(&["rev-parse", "HEAD"])
    }

    fn source(&self) -> GitSource {
        GitSource::discover(self.path()).expect("discover")
    }
}

fn between(base: &str, head: &str) -> GitOptions {
    GitOptions {
        base: Some(base.to_owned()),
        head: Some(head.to_owned()),
        ..GitOptions::default()
    }
}

fn file<'c>(files: &'c [FileChange], path: &str) -> &'c FileChange {
    files
        .iter()
        .find(|f| f.path().as_str() == path)
        .unwrap_or_else(|| panic!("no change for {path} in {files:#?}"))
}

fn lines(range: std::ops::RangeInclusive<u32>) -> String {
    range.map(|i| format!("line {i}\n")).collect()
}

fn hunk(old_start: u32, old_lines: u32, new_start: u32, new_lines: u32) -> Hunk {
    Hunk {
        old_start,
        old_lines,
        new_start,
        new_lines,
    }
}

#[test]
fn modified_added_and_deleted_files_carry_status_hunks_and_counts() {
    let repo = Repo::new();
    repo.write("app.txt", lines(1..=10));
    repo.write("gone.txt", "bye\n");
    let base = repo.commit("base");
    let edited = lines(1..=10)
        .replace("line 3\n", "line three\n")
        .replace("line 8\n", "");
    repo.write("app.txt", edited);
    repo.write("new.txt", "a\nb\n");
    repo.remove("gone.txt");
    let head = repo.commit("head");

    let change = repo.source().load(&between(&base, &head)).expect("load");
    assert_eq!(change.base.as_str(), base);
    assert_eq!(change.head.as_str(), head);
    assert_eq!(change.files.len(), 3);

    let app = file(&change.files, "app.txt");
    assert_eq!(app.status, FileStatus::Modified);
    assert_eq!(app.hunks, vec![hunk(3, 1, 3, 1), hunk(8, 1, 7, 0)]);
    assert_eq!((app.added_lines, app.deleted_lines), (1, 2));
    assert_eq!(
        (app.old_kind, app.new_kind),
        (EntryKind::File, EntryKind::File)
    );
    assert_eq!(app.old_size, Some(71));
    assert!(!app.binary);

    let new = file(&change.files, "new.txt");
    assert_eq!(new.status, FileStatus::Added);
    assert_eq!(new.old_path, None);
    assert_eq!(new.old_kind, EntryKind::Absent);
    assert_eq!(new.hunks, vec![hunk(0, 0, 1, 2)]);
    assert_eq!((new.added_lines, new.deleted_lines), (2, 0));
    assert_eq!(new.new_size, Some(4));

    let gone = file(&change.files, "gone.txt");
    assert_eq!(gone.status, FileStatus::Deleted);
    assert_eq!(gone.new_path, None);
    assert_eq!(gone.new_kind, EntryKind::Absent);
    assert_eq!((gone.added_lines, gone.deleted_lines), (0, 1));
    assert!(change.completeness.gaps.is_empty());
}

#[test]
fn moved_file_with_a_small_edit_is_a_rename_not_delete_and_add() {
    let repo = Repo::new();
    repo.write("old/name.tf", lines(1..=20));
    let base = repo.commit("base");
    repo.remove("old/name.tf");
    repo.write(
        "new/name.tf",
        lines(1..=20).replace("line 5\n", "line five\n"),
    );
    let head = repo.commit("move");

    let change = repo.source().load(&between(&base, &head)).expect("load");
    assert_eq!(change.files.len(), 1, "{:#?}", change.files);
    let moved = &change.files[0];
    assert_eq!(moved.status, FileStatus::Renamed);
    assert_eq!(moved.old_path, Some(RepoPath::new("old/name.tf")));
    assert_eq!(moved.new_path, Some(RepoPath::new("new/name.tf")));
    assert_eq!(moved.hunks, vec![hunk(5, 1, 5, 1)]);
}

#[test]
fn rewritten_file_at_a_new_path_is_not_a_rename() {
    let repo = Repo::new();
    repo.write("a.txt", lines(1..=20));
    let base = repo.commit("base");
    repo.remove("a.txt");
    repo.write("b.txt", lines(100..=120));
    let head = repo.commit("rewrite");

    let change = repo.source().load(&between(&base, &head)).expect("load");
    let statuses: Vec<_> = change.files.iter().map(|f| f.status).collect();
    assert_eq!(statuses, vec![FileStatus::Deleted, FileStatus::Added]);
}

#[test]
fn binary_file_is_flagged_and_read_as_binary() {
    let repo = Repo::new();
    repo.write("logo.png", b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR".as_slice());
    let base = repo.commit("base");
    repo.write("logo.png", b"\x89PNG\r\n\x1a\n\0\0\0\rIHDX".as_slice());
    let head = repo.commit("head");

    let source = repo.source();
    let opts = between(&base, &head);
    let change = source.load(&opts).expect("load");
    let png = file(&change.files, "logo.png");
    assert!(png.binary);
    assert!(png.hunks.is_empty());
    let snap = source.snapshot(&change, &opts).expect("snapshot");
    assert_eq!(snap.read(Side::Head, png.path()), Content::Binary);
}

#[test]
fn attributes_in_the_change_cannot_hide_a_file_behind_binary() {
    let repo = Repo::new();
    repo.write(
        "main.tf",
        "resource \"aws_db_instance\" \"db\" {\n  deletion_protection = true\n}\n",
    );
    let base = repo.commit("base");
    // An agent that also marks Terraform as binary must not make its edit invisible.
    repo.write(".gitattributes", "*.tf binary\n*.tf -diff\n");
    repo.write(
        "main.tf",
        "resource \"aws_db_instance\" \"db\" {\n  deletion_protection = false\n}\n",
    );
    let head = repo.commit("head");

    let change = repo.source().load(&between(&base, &head)).expect("load");
    let tf = file(&change.files, "main.tf");
    assert!(
        !tf.binary,
        "a text file is text whatever .gitattributes says"
    );
    assert_eq!(tf.hunks, vec![hunk(2, 1, 2, 1)]);
    assert_eq!((tf.added_lines, tf.deleted_lines), (1, 1));
}

#[test]
fn hunks_computed_on_several_threads_match_a_serial_load() {
    let repo = Repo::new();
    for i in 0..300 {
        repo.write(&format!("d{}/f{i}.txt", i % 7), lines(1..=12));
    }
    let base = repo.commit("base");
    for i in 0..300 {
        let path = format!("d{}/f{i}.txt", i % 7);
        match i % 3 {
            0 => repo.write(
                &path,
                lines(1..=12).replace(&format!("line {}\n", i % 12 + 1), ""),
            ),
            1 => repo.remove(&path),
            _ => repo.write(&format!("new/{i}.txt"), lines(1..=(i as u32 % 5 + 1))),
        }
    }
    let head = repo.commit("head");

    let load = |threads| {
        let opts = GitOptions {
            threads: Some(threads),
            ..between(&base, &head)
        };
        repo.source().load(&opts).expect("load").files
    };
    let serial = load(1);
    assert!(serial.len() > 256, "enough files to be spread over threads");
    assert_eq!(load(3), serial);
}

#[cfg(unix)]
#[test]
fn symlink_is_a_symlink_entry_and_not_read_as_text() {
    let repo = Repo::new();
    repo.write("target.txt", "x\n");
    let base = repo.commit("base");
    std::os::unix::fs::symlink("target.txt", repo.path().join("link")).expect("symlink");
    let head = repo.commit("link");

    let source = repo.source();
    let opts = between(&base, &head);
    let change = source.load(&opts).expect("load");
    let link = file(&change.files, "link");
    assert_eq!(link.new_kind, EntryKind::Symlink);
    let snap = source.snapshot(&change, &opts).expect("snapshot");
    assert_eq!(snap.read(Side::Head, link.path()), Content::Symlink);
    assert_eq!(snap.read(Side::Base, link.path()), Content::Absent);
}

#[test]
fn gitlink_entry_is_a_submodule() {
    let repo = Repo::new();
    repo.write("README", "r\n");
    let base = repo.commit("base");
    repo.git(&[
        "update-index",
        "--add",
        "--cacheinfo",
        &format!("160000,{base},vendor/lib"),
    ]);
    repo.git(&["commit", "-q", "-m", "add submodule"]);
    let head = repo.git(&["rev-parse", "HEAD"]);

    let source = repo.source();
    let opts = between(&base, &head);
    let change = source.load(&opts).expect("load");
    let sub = file(&change.files, "vendor/lib");
    assert_eq!(sub.status, FileStatus::Added);
    assert_eq!(sub.new_kind, EntryKind::Submodule);
    let snap = source.snapshot(&change, &opts).expect("snapshot");
    assert_eq!(snap.read(Side::Head, sub.path()), Content::Submodule);
}

#[test]
fn latin1_content_is_not_utf8_and_utf8_content_is_text() {
    let repo = Repo::new();
    repo.write("latin.sql", b"-- caf\xe9\nDROP TABLE t;\n".as_slice());
    repo.write("utf8.sql", "-- café\n");
    let head = repo.commit("files");

    let source = repo.source();
    let opts = between(&head, &head);
    let change = source.load(&opts).expect("load");
    assert!(change.files.is_empty());
    let snap = source.snapshot(&change, &opts).expect("snapshot");
    assert_eq!(
        snap.read(Side::Head, &RepoPath::new("latin.sql")),
        Content::NotUtf8
    );
    assert_eq!(
        snap.read(Side::Base, &RepoPath::new("utf8.sql")),
        Content::Text("-- café\n".into())
    );
    assert_eq!(
        snap.read(Side::Base, &RepoPath::new("missing.sql")),
        Content::Absent
    );
}

#[cfg(unix)]
#[test]
fn non_utf8_path_is_reported_lossily_with_a_gap() {
    use std::os::unix::ffi::OsStrExt;
    let repo = Repo::new();
    let base = repo.commit("empty");
    let name = std::ffi::OsStr::from_bytes(b"caf\xe9.txt");
    std::fs::write(repo.path().join(name), "x\n").expect("write");
    let head = repo.commit("odd name");

    let change = repo.source().load(&between(&base, &head)).expect("load");
    assert_eq!(change.files.len(), 1);
    assert_eq!(change.files[0].path().as_str(), "caf\u{fffd}.txt");
    assert_eq!(change.completeness.gaps.len(), 1);
    assert!(change.completeness.gaps[0].contains("not valid UTF-8"));
}

#[test]
fn deferred_lines_are_those_of_an_eager_load_once_the_engine_reads_the_sides() {
    let repo = Repo::new();
    repo.write("app.txt", lines(1..=10));
    repo.write("gone.txt", "bye\n");
    repo.write("moved/from.txt", lines(1..=20));
    repo.write("logo.png", b"\x89PNG\0\0binary");
    repo.write("big.yaml", "k: v\n".repeat(1000));
    let base = repo.commit("base");
    repo.write("app.txt", lines(1..=10).replace("line 3\n", "line three\n"));
    repo.remove("gone.txt");
    repo.write("new.txt", "a\nb\n");
    repo.remove("moved/from.txt");
    repo.write("moved/to.txt", lines(1..=20).replace("line 5\n", "five\n"));
    repo.write("logo.png", b"\x89PNG\0\0other");
    repo.write("big.yaml", "k: w\n".repeat(1000));
    let head = repo.commit("head");

    let source = repo.source();
    let eager_opts = GitOptions {
        max_file_bytes: 1000,
        ..between(&base, &head)
    };
    let eager = source.load(&eager_opts).expect("eager load").files;
    let lazy_opts = GitOptions {
        defer_lines: true,
        ..eager_opts.clone()
    };
    let change = source.load(&lazy_opts).expect("deferred load");
    assert_eq!(change.files.len(), eager.len());
    let snapshot = source.snapshot(&change, &lazy_opts).expect("snapshot");
    let read = |side: Side, path: &Option<RepoPath>| {
        path.as_ref()
            .map_or(Content::Absent, |p| snapshot.read(side, p))
    };
    for (lazy, eager) in change.files.iter().zip(&eager) {
        assert_eq!(lazy.path(), eager.path());
        assert!(lazy.lines_deferred, "{} deferred", lazy.path());
        assert!(lazy.hunks.is_empty(), "{} has no hunks yet", lazy.path());
        let (old, new) = (
            read(Side::Base, &lazy.old_path),
            read(Side::Head, &lazy.new_path),
        );
        let filled = lazy.with_lines(&old, &new);
        assert!(!filled.lines_deferred);
        // What an analyzer's view computes on first use, without copying the file record.
        assert_eq!(
            lazy.hunks_between(&old, &new).as_ref(),
            filled.hunks.as_slice(),
            "{}",
            lazy.path()
        );
        if lazy.path().as_str() == "big.yaml" {
            // Too large to read: its lines are unknown, as for a binary file.
            assert!(filled.hunks.is_empty() && filled.binary);
            continue;
        }
        assert_eq!(
            (
                &filled.hunks,
                filled.added_lines,
                filled.deleted_lines,
                filled.binary
            ),
            (
                &eager.hunks,
                eager.added_lines,
                eager.deleted_lines,
                eager.binary
            ),
            "{}",
            lazy.path()
        );
    }
    assert_eq!(
        snapshot.read(Side::Head, &RepoPath::new("big.yaml")),
        Content::TooLarge(5000),
        "an unknown size is learnt from the blob and still enforced"
    );
}

#[test]
fn file_above_the_limit_is_too_large_without_being_read() {
    let repo = Repo::new();
    let base = repo.commit("empty");
    repo.write("big.yaml", "k: v\n".repeat(1000));
    repo.write("small.yaml", "k: v\n");
    let head = repo.commit("big");

    let source = repo.source();
    let opts = GitOptions {
        max_file_bytes: 100,
        ..between(&base, &head)
    };
    let change = source.load(&opts).expect("load");
    assert_eq!(file(&change.files, "big.yaml").new_size, Some(5000));
    let snap = source.snapshot(&change, &opts).expect("snapshot");
    assert_eq!(
        snap.read(Side::Head, &RepoPath::new("big.yaml")),
        Content::TooLarge(5000)
    );
    assert_eq!(
        snap.read(Side::Head, &RepoPath::new("small.yaml")),
        Content::Text("k: v\n".into())
    );
}

#[test]
fn default_base_is_the_merge_base_with_main() {
    let repo = Repo::new();
    repo.write("a", "1\n");
    let fork = repo.commit("on main");
    repo.git(&["checkout", "-q", "-b", "feature"]);
    repo.write("b", "feature\n");
    let head = repo.commit("on feature");
    repo.git(&["checkout", "-q", "main"]);
    repo.write("c", "main moved on\n");
    repo.commit("main advances");
    repo.git(&["checkout", "-q", "feature"]);

    let change = repo.source().load(&GitOptions::default()).expect("load");
    assert_eq!(change.base.as_str(), fork);
    assert_eq!(change.head.as_str(), head);
    assert_eq!(change.branch.as_deref(), Some("feature"));
    let paths: Vec<_> = change.files.iter().map(|f| f.path().as_str()).collect();
    assert_eq!(
        paths,
        vec!["b"],
        "main's own later commit is not part of the change"
    );
}

#[test]
fn default_base_follows_origin_head_before_main() {
    let repo = Repo::new();
    repo.write("a", "1\n");
    let trunk = repo.commit("trunk");
    repo.git(&["update-ref", "refs/remotes/origin/trunk", &trunk]);
    repo.git(&[
        "symbolic-ref",
        "refs/remotes/origin/HEAD",
        "refs/remotes/origin/trunk",
    ]);
    repo.write("b", "2\n");
    let head = repo.commit("local main moves");

    let change = repo.source().load(&GitOptions::default()).expect("load");
    assert_eq!(change.base.as_str(), trunk);
    assert_eq!(change.head.as_str(), head);
    assert_eq!(change.commits.len(), 1);
}

#[test]
fn head_at_the_default_branch_tip_is_an_empty_change() {
    let repo = Repo::new();
    repo.write("a", "1\n");
    let tip = repo.commit("main");
    let change = repo.source().load(&GitOptions::default()).expect("load");
    assert_eq!(change.base.as_str(), tip);
    assert!(change.files.is_empty());
    assert!(change.commits.is_empty());
}

#[test]
fn missing_default_branch_asks_for_base() {
    let repo = Repo::new();
    repo.git(&["checkout", "-q", "-b", "topic"]);
    repo.commit("only commit");
    let err = repo.source().load(&GitOptions::default()).unwrap_err();
    assert!(matches!(err, SourceError::NoDefaultBase));
    assert_eq!(
        err.to_string(),
        "could not find a default base: no origin/HEAD, main or master; pass --base"
    );
}

#[test]
fn worktree_includes_staged_unstaged_and_untracked_files_read_from_disk() {
    let repo = Repo::new();
    repo.write("tracked.tf", "a = 1\n");
    repo.write("staged.tf", "s = 1\n");
    repo.write(".gitignore", "*.log\n");
    let base = repo.commit("base");
    repo.write("tracked.tf", "a = 2\n");
    repo.write("staged.tf", "s = 2\n");
    repo.git(&["add", "staged.tf"]);
    repo.write("infra/untracked.tf", "u = 1\n");
    repo.write("debug.log", "ignored\n");

    let source = repo.source();
    // A commit-to-commit comparison first: the source then works without the index, and
    // must bring it back for the working tree.
    let committed = source.load(&between(&base, "HEAD")).expect("load");
    assert!(committed.files.is_empty());
    let opts = GitOptions {
        worktree: true,
        ..GitOptions::default()
    };
    let change = source.load(&opts).expect("load");
    assert_eq!(change.base.as_str(), base);
    assert_eq!(change.head.as_str(), "WORKTREE");
    assert_eq!(
        file(&change.files, "tracked.tf").status,
        FileStatus::Modified
    );
    assert_eq!(
        file(&change.files, "staged.tf").status,
        FileStatus::Modified
    );
    let mut paths: Vec<_> = change.files.iter().map(|f| f.path().as_str()).collect();
    paths.sort();
    assert_eq!(paths, vec!["infra/untracked.tf", "staged.tf", "tracked.tf"]);
    assert_eq!(
        file(&change.files, "infra/untracked.tf").status,
        FileStatus::Added
    );
    assert_eq!(
        file(&change.files, "infra/untracked.tf").hunks,
        vec![hunk(0, 0, 1, 1)]
    );

    let snap = source.snapshot(&change, &opts).expect("snapshot");
    let tracked = RepoPath::new("tracked.tf");
    assert_eq!(
        snap.read(Side::Head, &tracked),
        Content::Text("a = 2\n".into())
    );
    assert_eq!(
        snap.read(Side::Base, &tracked),
        Content::Text("a = 1\n".into())
    );
    assert_eq!(
        snap.list_dir(Side::Head, "infra"),
        vec![RepoPath::new("infra/untracked.tf")]
    );
    assert!(snap.list_dir(Side::Base, "infra").is_empty());
}

#[test]
fn worktree_file_removed_from_the_index_but_kept_on_disk_is_deleted_as_a_commit_would_delete_it() {
    // `git rm --cached`: git status shows the file deleted in the index and untracked on
    // disk, and a commit made now deletes it from the repository (and from every clone that
    // pulls it). Ignored or not, it is a deletion, and the head side does not show it.
    let repo = Repo::new();
    repo.write("main.tf", "resource \"aws_s3_bucket\" \"b\" {}\n");
    repo.write("prod.tfvars", "size = 1\n");
    repo.write("keep.tf", "k = 1\n");
    let base = repo.commit("base");
    repo.git(&["rm", "-q", "--cached", "main.tf", "prod.tfvars"]);
    repo.write(".gitignore", "*.tfvars\n");
    let status = repo.git(&["status", "--porcelain", "--untracked-files=all"]);
    assert!(
        status.contains("D  main.tf") && status.contains("?? main.tf"),
        "{status}"
    );

    let source = repo.source();
    let opts = GitOptions {
        base: Some(base),
        worktree: true,
        ..GitOptions::default()
    };
    let change = source.load(&opts).expect("load");
    let mut seen: Vec<_> = change
        .files
        .iter()
        .map(|f| (f.path().as_str(), f.status))
        .collect();
    seen.sort_by_key(|(path, _)| *path);
    assert_eq!(
        seen,
        vec![
            (".gitignore", FileStatus::Added),
            ("main.tf", FileStatus::Deleted),
            ("prod.tfvars", FileStatus::Deleted),
        ]
    );

    let snap = source.snapshot(&change, &opts).expect("snapshot");
    for path in ["main.tf", "prod.tfvars"] {
        let path = RepoPath::new(path);
        assert_eq!(snap.read(Side::Head, &path), Content::Absent, "{path}");
        assert!(matches!(snap.read(Side::Base, &path), Content::Text(_)));
    }
    assert_eq!(
        snap.list_dir(Side::Head, ""),
        vec![RepoPath::new(".gitignore"), RepoPath::new("keep.tf")]
    );
}

#[test]
fn worktree_and_head_together_are_refused() {
    let repo = Repo::new();
    repo.commit("c");
    let err = repo
        .source()
        .load(&GitOptions {
            worktree: true,
            head: Some("HEAD".into()),
            ..GitOptions::default()
        })
        .unwrap_err();
    assert!(matches!(err, SourceError::HeadWithWorktree));
}

#[test]
fn commits_are_listed_oldest_first_with_author_and_committer() {
    let repo = Repo::new();
    let base = repo.commit("base");
    repo.write("a", "1\n");
    repo.git(&["add", "-A"]);
    repo.git_as(
        &[
            "commit",
            "-q",
            "-m",
            "first\n\nCo-authored-by: Claude <noreply@anthropic.com>",
        ],
        "Agent",
        "198982749+Copilot@users.noreply.github.com",
    );
    repo.write("b", "2\n");
    let second = repo.commit("second");

    let change = repo.source().load(&between(&base, &second)).expect("load");
    assert_eq!(change.commits.len(), 2);
    let first = &change.commits[0];
    assert!(first.message.starts_with("first"));
    assert_eq!(first.author.name, "Agent");
    assert_eq!(
        first.author.login.as_ref().map(|l| l.as_str()),
        Some("Copilot")
    );
    assert_eq!(first.committer.email.as_str(), "bot@example.com");
    assert_eq!(first.trailers.len(), 1);
    assert_eq!(change.commits[1].id.as_str(), second);
    assert_eq!(change.commits[1].author.email.as_str(), "ada@example.com");
}

#[test]
fn non_utf8_commit_message_is_kept_lossily() {
    let repo = Repo::new();
    let base = repo.commit("base");
    repo.write("msg", b"caf\xe9 fix\n".as_slice());
    repo.git(&["add", "-A"]);
    repo.git(&[
        "-c",
        "i18n.commitEncoding=latin1",
        "commit",
        "-q",
        "-F",
        "msg",
    ]);
    let head = repo.git(&["rev-parse", "HEAD"]);
    let change = repo.source().load(&between(&base, &head)).expect("load");
    assert_eq!(change.commits[0].message, "caf\u{fffd} fix\n");
}

#[test]
fn detached_head_has_no_branch_and_named_local_branch_does() {
    let repo = Repo::new();
    let first = repo.commit("one");
    repo.commit("two");
    repo.git(&["checkout", "-q", "--detach", &first]);
    let source = repo.source();
    let detached = source
        .load(&GitOptions {
            base: Some(first.clone()),
            ..GitOptions::default()
        })
        .expect("load");
    assert_eq!(detached.branch, None);
    let named = source.load(&between(&first, "main")).expect("load");
    assert_eq!(named.branch.as_deref(), Some("main"));
    assert_eq!(named.files.len(), 0);
    assert_eq!(named.commits.len(), 1);
}

#[test]
fn list_dir_returns_regular_files_directly_inside() {
    let repo = Repo::new();
    repo.write("k8s/app.yaml", "a: 1\n");
    repo.write("k8s/kustomization.yaml", "b: 1\n");
    repo.write("k8s/nested/deep.yaml", "c: 1\n");
    repo.write("top.txt", "t\n");
    let head = repo.commit("files");
    let source = repo.source();
    let opts = between(&head, &head);
    let change = source.load(&opts).expect("load");
    let snap = source.snapshot(&change, &opts).expect("snapshot");
    assert_eq!(
        snap.list_dir(Side::Head, "k8s"),
        vec![
            RepoPath::new("k8s/app.yaml"),
            RepoPath::new("k8s/kustomization.yaml")
        ]
    );
    assert_eq!(
        snap.list_dir(Side::Base, ""),
        vec![RepoPath::new("top.txt")]
    );
    assert!(snap.list_dir(Side::Base, "nowhere").is_empty());
}

#[test]
fn list_subdirs_returns_the_directories_directly_inside_sorted() {
    let repo = Repo::new();
    repo.write("prisma/migrations/20240201_b/migration.sql", "b\n");
    repo.write("prisma/migrations/20240101_a/migration.sql", "a\n");
    repo.write("prisma/migrations/20240101_a/deeper/x.sql", "x\n");
    repo.write("prisma/migrations/migration_lock.toml", "l\n");
    let head = repo.commit("files");
    let source = repo.source();
    let opts = between(&head, &head);
    let change = source.load(&opts).expect("load");
    let snap = source.snapshot(&change, &opts).expect("snapshot");
    assert_eq!(
        snap.list_subdirs(Side::Head, "prisma/migrations"),
        vec!["20240101_a".to_owned(), "20240201_b".to_owned()]
    );
    assert_eq!(
        snap.list_subdirs(Side::Base, "prisma"),
        vec!["migrations".to_owned()]
    );
    assert!(snap.list_subdirs(Side::Head, "nowhere").is_empty());
    // The working tree is listed from disk.
    repo.write("prisma/migrations/20240301_c/migration.sql", "c\n");
    let worktree = GitOptions {
        base: Some(head.clone()),
        worktree: true,
        ..GitOptions::default()
    };
    let change = source.load(&worktree).expect("load");
    let snap = source.snapshot(&change, &worktree).expect("snapshot");
    assert_eq!(
        snap.list_subdirs(Side::Head, "prisma/migrations"),
        vec![
            "20240101_a".to_owned(),
            "20240201_b".to_owned(),
            "20240301_c".to_owned()
        ]
    );
}

#[test]
fn outside_a_repository_the_error_says_where_and_what_to_do() {
    let dir = TempDir::new().expect("temp dir");
    let err = GitSource::discover(dir.path()).err().expect("not a repo");
    let expected = format!(
        "not inside a git repository (looked in {}): run twokey inside a checkout or pass --repo",
        dir.path().display()
    );
    assert_eq!(err.to_string(), expected);
}

#[test]
fn unknown_revision_names_the_flag_and_spec() {
    let repo = Repo::new();
    repo.commit("c");
    let err = repo.source().load(&between("foo", "HEAD")).unwrap_err();
    assert_eq!(
        err.to_string(),
        "cannot resolve --base 'foo': no such branch, tag or commit"
    );
    let err = repo.source().load(&between("HEAD", "nope~3")).unwrap_err();
    assert!(err
        .to_string()
        .starts_with("cannot resolve --head 'nope~3'"));
}

#[test]
fn tree_revision_is_not_a_commit() {
    let repo = Repo::new();
    repo.write("a", "1\n");
    repo.commit("c");
    let err = repo
        .source()
        .load(&between("HEAD^{tree}", "HEAD"))
        .unwrap_err();
    assert!(matches!(err, SourceError::NotACommit { .. }), "{err}");
    assert!(err.to_string().contains("names a tree, not a commit"));
}

#[test]
fn repository_without_commits_says_so() {
    let repo = Repo::new();
    let err = repo.source().load(&GitOptions::default()).unwrap_err();
    assert!(matches!(err, SourceError::UnbornHead), "{err}");
}

/// `git diff -U0`'s hunks for every file between two commits, by path.
fn git_hunks(repo: &Repo, base: &str, head: &str) -> std::collections::HashMap<String, Vec<Hunk>> {
    let out = repo.git(&["diff", "-U0", "--no-renames", "--no-color", base, head]);
    let mut by_path: std::collections::HashMap<String, Vec<Hunk>> = Default::default();
    let mut current = String::new();
    let range = |text: &str| -> (u32, u32) {
        let (start, len) = text.split_once(',').unwrap_or((text, "1"));
        (start.parse().unwrap(), len.parse().unwrap())
    };
    for line in out.lines() {
        if let Some(rest) = line.strip_prefix("diff --git a/") {
            current = rest.split(" b/").next().unwrap().to_owned();
            by_path.entry(current.clone()).or_default();
        } else if let Some(rest) = line.strip_prefix("@@ -") {
            let mut parts = rest.split(' ');
            let (old_start, old_lines) = range(parts.next().unwrap());
            let (new_start, new_lines) = range(parts.next().unwrap().trim_start_matches('+'));
            by_path
                .get_mut(&current)
                .unwrap()
                .push(hunk(old_start, old_lines, new_start, new_lines));
        }
    }
    by_path
}

#[test]
fn hunks_match_git_diff_on_edits_that_could_be_aligned_several_ways() {
    // Few distinct lines, so that many edit scripts are equally short and the choice between
    // them (and where a hunk slides to) is what is compared.
    const PIECES: [&str; 8] = [
        "}\n",
        "\n",
        "resource \"a\" \"b\" {\n",
        "  count = 1\n",
        "  tags = {}\n",
        "    x = 1\n",
        "- name: a\n",
        "  value: 1\n",
    ];
    let mut seed: u64 = 7;
    let mut next = |n: u64| {
        seed = seed
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        (seed >> 33) % n
    };
    let repo = Repo::new();
    let mut heads = Vec::new();
    for i in 0..200 {
        let len = 1 + next(30) as usize;
        let base: Vec<&str> = (0..len).map(|_| PIECES[next(8) as usize]).collect();
        let mut head = base.clone();
        for _ in 0..1 + next(4) {
            let at = next(head.len() as u64 + 1) as usize;
            match next(3) {
                0 => head.insert(at, PIECES[next(8) as usize]),
                1 if at < head.len() => {
                    head.remove(at);
                }
                _ if at < head.len() => head[at] = PIECES[next(8) as usize],
                _ => head.push(PIECES[next(8) as usize]),
            }
        }
        let path = format!("f{i}.txt");
        repo.write(&path, base.concat());
        heads.push((path, head.concat()));
    }
    // Line endings: a last line without a newline, and CRLF against LF, are changed lines.
    for (i, (before, after)) in [
        ("a\nb", "a\nb\n"),
        ("a\nb\n", "a\nb"),
        ("a\r\nb\r\nc\r\n", "a\r\nb\nc\r\n"),
        ("", "a\n"),
    ]
    .into_iter()
    .enumerate()
    {
        let path = format!("endings{i}.txt");
        repo.write(&path, before);
        heads.push((path, after.to_owned()));
    }
    let base = repo.commit("base");
    for (path, text) in &heads {
        repo.write(path, text);
    }
    let head = repo.commit("head");
    let expected = git_hunks(&repo, &base, &head);
    let files = repo
        .source()
        .load(&between(&base, &head))
        .expect("load")
        .files;
    let mut differ = Vec::new();
    for f in &files {
        let want = expected.get(f.path().as_str()).cloned().unwrap_or_default();
        if f.hunks != want {
            differ.push(format!("{}: twokey {:?} git {:?}", f.path(), f.hunks, want));
        }
    }
    assert!(
        differ.is_empty(),
        "{} of {} files differ:\n{}",
        differ.len(),
        files.len(),
        differ.join("\n")
    );
}

#[test]
fn the_branch_is_known_from_head_a_remote_tracking_ref_or_branch() {
    let repo = Repo::new();
    let base = repo.commit("base");
    repo.git(&["checkout", "-q", "-b", "copilot/fix-9"]);
    repo.write("a.txt", "a\n");
    let head = repo.commit("fix");
    repo.git(&["update-ref", "refs/remotes/origin/copilot/fix-9", &head]);
    let source = repo.source();
    let branch = |opts: GitOptions| source.load(&opts).expect("load").branch;
    // `HEAD` spelled out is what the default means.
    assert_eq!(
        branch(between(&base, "HEAD")).as_deref(),
        Some("copilot/fix-9")
    );
    assert_eq!(
        branch(between(&base, "origin/copilot/fix-9")).as_deref(),
        Some("copilot/fix-9")
    );
    assert_eq!(
        branch(between(&base, "refs/remotes/origin/copilot/fix-9")).as_deref(),
        Some("copilot/fix-9")
    );
    // A detached CI checkout says which branch it is with --branch.
    repo.git(&["checkout", "-q", "--detach", &head]);
    assert_eq!(branch(between(&base, "HEAD")), None);
    let named = GitOptions {
        branch: Some("codex/task-1".to_owned()),
        ..between(&base, "HEAD")
    };
    assert_eq!(branch(named).as_deref(), Some("codex/task-1"));
}

#[test]
fn an_explicit_base_that_moved_on_is_compared_from_the_merge_base() {
    let repo = Repo::new();
    repo.write("README", "x\n");
    let fork = repo.commit("base");
    repo.git(&["checkout", "-q", "-b", "feature"]);
    repo.write("README", "x\ndocs\n");
    repo.commit("docs");
    repo.git(&["checkout", "-q", "main"]);
    repo.write("k8s/pvc.yaml", "kind: PersistentVolumeClaim\n");
    repo.commit("a claim merged on main after the branch point");
    let change = repo
        .source()
        .load(&between("main", "feature"))
        .expect("load");
    let paths: Vec<&str> = change.files.iter().map(|f| f.path().as_str()).collect();
    // The claim added on main is not something the branch deletes.
    assert_eq!(paths, ["README"]);
    assert_eq!(change.base.as_str(), fork);
}
