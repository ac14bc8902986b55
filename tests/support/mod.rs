//! Test support: small git repositories built per test, and a runner for the real binary.
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use tempfile::TempDir;

/// A throwaway repository with a fixed identity, on branch `main`.
pub struct Repo {
    dir: TempDir,
}

/// A commit's author and message.
pub struct Commit<'a> {
    pub author: &'a str,
    pub email: &'a str,
    pub message: &'a str,
}

impl Default for Commit<'_> {
    fn default() -> Self {
        Commit {
            author: "Hugo Human",
            email: "hugo@example.com",
            message: "change",
        }
    }
}

impl Repo {
    pub fn new() -> Repo {
        let dir = tempfile::tempdir().expect("temp dir");
        let repo = Repo { dir };
        repo.git(&["init", "-q", "-b", "main"]);
        repo
    }

    pub fn path(&self) -> &Path {
        self.dir.path()
    }

    /// Runs git with a fixed environment, panicking with its output on failure.
    pub fn git(&self, args: &[&str]) -> String {
        let out = Command::new("git")
            .args([
                "-c",
                "user.name=Hugo Human",
                "-c",
                "user.email=hugo@example.com",
                "-c",
                "commit.gpgsign=false",
                "-c",
                "init.defaultBranch=main",
            ])
            .args(args)
            .current_dir(self.path())
            .env("GIT_CONFIG_NOSYSTEM", "1")
            .env("HOME", self.path())
            .output()
            .expect("git runs");
        assert!(
            out.status.success(),
            "git {args:?} failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8_lossy(&out.stdout).trim().to_owned()
    }

    pub fn write(&self, path: &str, content: &str) -> &Repo {
        let full = self.path().join(path);
        std::fs::create_dir_all(full.parent().expect("a parent")).expect("mkdir");
        std::fs::write(full, content).expect("write");
        self
    }

    pub fn remove(&self, path: &str) -> &Repo {
        std::fs::remove_file(self.path().join(path)).expect("remove");
        self
    }

    /// Stages everything and commits it; returns the commit id.
    pub fn commit(&self, c: Commit<'_>) -> String {
        self.git(&["add", "-A"]);
        let author = format!("{} <{}>", c.author, c.email);
        self.git(&[
            "commit",
            "-q",
            "--allow-empty",
            "--author",
            &author,
            "-m",
            c.message,
        ]);
        self.git(&["rev-parse", "HEAD"])
    }

    pub fn commit_all(&self, message: &str) -> String {
        self.commit(Commit {
            message,
            ..Commit::default()
        })
    }

    pub fn checkout_new(&self, branch: &str) {
        self.git(&["checkout", "-q", "-b", branch]);
    }

    /// Runs the twokey binary in the repository.
    pub fn twokey(&self, args: &[&str]) -> Run {
        run_twokey(self.path(), args)
    }

    /// Writes `reviews` as the repository's `reviews.json` and runs
    /// `twokey check --base <base> --reviews reviews.json` followed by `args`.
    pub fn check_with_reviews(&self, base: &str, reviews: &str, args: &[&str]) -> Run {
        let file = self.path().join("reviews.json");
        std::fs::write(&file, reviews).expect("write the reviews file");
        let file = file.to_str().expect("a UTF-8 temporary path");
        let mut all = vec!["check", "--base", base, "--reviews", file];
        all.extend_from_slice(args);
        self.twokey(&all)
    }
}

pub struct Run {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

impl Run {
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.stdout)
            .unwrap_or_else(|e| panic!("not JSON ({e}): {}\nstderr: {}", self.stdout, self.stderr))
    }
}

pub fn run_twokey(dir: &Path, args: &[&str]) -> Run {
    run_twokey_with(dir, args, &[])
}

/// Runs twokey with extra environment variables.
pub fn run_twokey_with(dir: &Path, args: &[&str], env: &[(&str, &str)]) -> Run {
    let out: Output = Command::new(binary())
        .args(args)
        .envs(env.iter().copied())
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .env_remove("RUST_BACKTRACE")
        .output()
        .expect("twokey runs");
    Run {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

pub fn binary() -> PathBuf {
    PathBuf::from(env!("CARGO_BIN_EXE_twokey"))
}

/// The rule ids of a JSON report's findings, in order.
pub fn rules(report: &serde_json::Value) -> Vec<String> {
    report["findings"]
        .as_array()
        .expect("findings array")
        .iter()
        .map(|f| f["rule"].as_str().expect("rule").to_owned())
        .collect()
}
