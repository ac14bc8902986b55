//! Benchmark: twokey against `git diff` on a large change and a typical pull request.
//!
//! Run with:
//!     cargo build --release && cargo bench --bench large_change
//!
//! It builds, in a temporary directory, a repository whose head commit changes 5,000+ files
//! and 200,000+ lines (Terraform, Kubernetes YAML, SQL migrations and ordinary code; modified,
//! added, deleted and renamed files), then times in the same run, alternating the two commands
//! run by run so that a slow spell of a shared machine hits both (9 runs each after a warm-up;
//! median, min, and the median of the per-run ratios):
//!   (a) `git diff <base> <head> > /dev/null`, the full patch;
//!   (b) `twokey check --base <base> --head <head> --format json > /dev/null`;
//!   (c) the same two commands on a typical 50-file pull request.
//! The twokey binary is `$TWOKEY_BIN`, else `target/release/twokey` under the crate root.
//! Peak RSS comes from `/usr/bin/time -f %M` when it is installed.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// Timed runs of each command, after one untimed warm-up run.
const RUNS: usize = 9;

/// Deterministic pseudo-random numbers, so every run generates the same repository.
struct Lcg(u64);

impl Lcg {
    fn next(&mut self) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        self.0 >> 33
    }
}

#[derive(Clone, Copy)]
enum Kind {
    Terraform,
    Kubernetes,
    Sql,
    Code,
}

/// One generated file: its path, kind and a seed from which its lines are derived.
#[derive(Clone)]
struct Spec {
    path: String,
    kind: Kind,
    seed: u64,
    lines: usize,
}

fn line(kind: Kind, seed: u64, i: usize, edit: u64) -> String {
    let v = seed
        .wrapping_mul(31)
        .wrapping_add(i as u64)
        .wrapping_add(edit * 7919);
    match kind {
        Kind::Terraform => match i % 4 {
            0 => format!("resource \"aws_s3_bucket\" \"b{v}\" {{"),
            1 => format!("  bucket = \"bucket-{v}\""),
            2 => format!("  tags = {{ Name = \"n{v}\" }}"),
            _ => "}".to_owned(),
        },
        Kind::Kubernetes => match i % 4 {
            0 => "---".to_owned(),
            1 => format!("apiVersion: v1\nkind: ConfigMap  # {v}"),
            2 => format!("metadata:\n  name: cm-{v}"),
            _ => format!("data:\n  key: \"value-{v}\""),
        },
        Kind::Sql => format!("ALTER TABLE t{} ADD COLUMN c{v} integer;", seed % 97),
        Kind::Code => format!("fn f{v}(x: u64) -> u64 {{ x.wrapping_mul({v}) }}"),
    }
}

/// The file's text; `edit` changes a band of lines (0 = the original).
fn render(spec: &Spec, edit: u64) -> String {
    let mut text = String::new();
    for i in 0..spec.lines {
        let touched = edit != 0 && (i % 3 == 0) && i < 60;
        let _ = writeln!(
            text,
            "{}",
            line(spec.kind, spec.seed, i, if touched { edit } else { 0 })
        );
    }
    text
}

fn git(dir: &Path, args: &[&str]) -> String {
    let out = Command::new("git")
        .args(args)
        .current_dir(dir)
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .env("GIT_AUTHOR_NAME", "Bench")
        .env("GIT_AUTHOR_EMAIL", "bench@example.com")
        .env("GIT_COMMITTER_NAME", "Bench")
        .env("GIT_COMMITTER_EMAIL", "bench@example.com")
        .env("GIT_AUTHOR_DATE", "2024-01-01T00:00:00Z")
        .env("GIT_COMMITTER_DATE", "2024-01-01T00:00:00Z")
        .output()
        .unwrap_or_else(|e| panic!("cannot run git {args:?}: {e}"));
    assert!(
        out.status.success(),
        "git {args:?} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).trim().to_owned()
}

fn write(root: &Path, path: &str, text: &str) {
    let full = root.join(path);
    if let Some(parent) = full.parent() {
        std::fs::create_dir_all(parent).expect("mkdir");
    }
    std::fs::write(full, text).expect("write");
}

fn commit(dir: &Path, message: &str) -> String {
    git(dir, &["add", "-A"]);
    git(dir, &["commit", "-q", "-m", message]);
    git(dir, &["rev-parse", "HEAD"])
}

fn base_files() -> Vec<Spec> {
    let mut rng = Lcg(42);
    let mut files = Vec::new();
    let mut push = |path: String, kind: Kind, lines: usize| {
        let seed = rng.next();
        files.push(Spec {
            path,
            kind,
            seed,
            lines,
        });
    };
    for i in 0..1600 {
        push(
            format!("infra/modules/m{:03}/main{}.tf", i / 8, i % 8),
            Kind::Terraform,
            48,
        );
    }
    for i in 0..1600 {
        push(
            format!("k8s/apps/a{:03}/res{}.yaml", i / 8, i % 8),
            Kind::Kubernetes,
            40,
        );
    }
    for i in 0..1000 {
        push(format!("db/migrations/{:05}_change.sql", i), Kind::Sql, 40);
    }
    for i in 0..1800 {
        push(
            format!("src/pkg{:02}/mod{}.rs", i / 30, i % 30),
            Kind::Code,
            64,
        );
    }
    files
}

struct Generated {
    /// Deleted on drop unless `TWOKEY_BENCH_KEEP` is set (to profile against the repository).
    _dir: Option<tempfile::TempDir>,
    root: PathBuf,
    base: String,
    head: String,
    small_head: String,
    changed_files: usize,
    changed_lines: usize,
}

fn generate() -> Generated {
    let dir = tempfile::TempDir::new().expect("temp dir");
    let root = dir.path().to_path_buf();
    git(&root, &["init", "-q", "-b", "main"]);
    let files = base_files();
    for f in &files {
        write(&root, &f.path, &render(f, 0));
    }
    let base = commit(&root, "base");

    // A typical pull request: 50 modified files on a branch of its own.
    git(&root, &["checkout", "-q", "-b", "small"]);
    for f in files.iter().step_by(files.len() / 50).take(50) {
        write(&root, &f.path, &render(f, 1));
    }
    let small_head = commit(&root, "typical pull request");
    git(&root, &["checkout", "-q", "main"]);

    // The large change: of every 10 files, 6 modified, 1 deleted, and every 50th renamed.
    git(&root, &["checkout", "-q", "-b", "large"]);
    for (i, f) in files.iter().enumerate() {
        match i % 10 {
            0..=5 => write(&root, &f.path, &render(f, 2)),
            6 => std::fs::remove_file(root.join(&f.path)).expect("remove"),
            7 if i % 50 == 7 => {
                std::fs::remove_file(root.join(&f.path)).expect("remove");
                let moved = format!("moved/{}", f.path);
                let mut text = render(f, 0);
                text.push_str("# moved\n");
                write(&root, &moved, &text);
            }
            _ => {}
        }
    }
    let mut rng = Lcg(7);
    for i in 0..1500 {
        let (path, kind) = match i % 4 {
            0 => (format!("infra/new/n{i}.tf"), Kind::Terraform),
            1 => (format!("k8s/new/n{i}.yaml"), Kind::Kubernetes),
            2 => (format!("db/migrations/9{i:04}_new.sql"), Kind::Sql),
            _ => (format!("src/new/n{i}.rs"), Kind::Code),
        };
        let spec = Spec {
            path,
            kind,
            seed: rng.next(),
            lines: 60,
        };
        write(&root, &spec.path, &render(&spec, 0));
    }
    let head = commit(&root, "large change");

    let numstat = git(&root, &["diff", "--numstat", &base, &head]);
    let mut changed_files = 0;
    let mut changed_lines = 0;
    for row in numstat.lines() {
        let mut cols = row.split('\t');
        let added: usize = cols.next().and_then(|c| c.parse().ok()).unwrap_or(0);
        let deleted: usize = cols.next().and_then(|c| c.parse().ok()).unwrap_or(0);
        changed_files += 1;
        changed_lines += added + deleted;
    }
    Generated {
        _dir: if std::env::var_os("TWOKEY_BENCH_KEEP").is_some() {
            let _ = dir.keep();
            None
        } else {
            Some(dir)
        },
        root,
        base,
        head,
        small_head,
        changed_files,
        changed_lines,
    }
}

struct Timing {
    median: Duration,
    min: Duration,
}

/// One command to time.
struct Cmd<'a> {
    program: &'a Path,
    args: &'a [&'a str],
    /// Exit codes that count as success.
    ok: &'a [i32],
}

fn run_once(dir: &Path, cmd: &Cmd<'_>) -> Result<Duration, String> {
    let start = Instant::now();
    let status = Command::new(cmd.program)
        .args(cmd.args)
        .current_dir(dir)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .map_err(|e| format!("cannot run {}: {e}", cmd.program.display()))?;
    let elapsed = start.elapsed();
    match status.code() {
        Some(code) if cmd.ok.contains(&code) => Ok(elapsed),
        other => Err(format!("{} exited with {other:?}", cmd.program.display())),
    }
}

/// Times the baseline and twokey alternately, run by run, so that a slow spell of a shared
/// machine hits both; returns both timings and the median of the per-run ratios.
fn time_pair(
    dir: &Path,
    baseline: &Cmd<'_>,
    twokey: &Cmd<'_>,
) -> Result<(Timing, Timing, f64), String> {
    run_once(dir, baseline)?;
    run_once(dir, twokey)?;
    let (mut base, mut ours, mut ratios) = (Vec::new(), Vec::new(), Vec::new());
    for _ in 0..RUNS {
        let b = run_once(dir, baseline)?;
        let t = run_once(dir, twokey)?;
        ratios.push(t.as_secs_f64() / b.as_secs_f64().max(1e-9));
        base.push(b);
        ours.push(t);
    }
    let timing = |mut v: Vec<Duration>| {
        v.sort();
        Timing {
            median: v[RUNS / 2],
            min: v[0],
        }
    };
    ratios.sort_by(f64::total_cmp);
    Ok((timing(base), timing(ours), ratios[RUNS / 2]))
}

/// Peak resident set size in KiB, from `/usr/bin/time -f %M`, if that tool is installed.
fn peak_rss_kib(dir: &Path, program: &Path, args: &[&str]) -> Option<u64> {
    let time_bin = Path::new("/usr/bin/time");
    if !time_bin.exists() {
        return None;
    }
    let out = Command::new(time_bin)
        .arg("-f")
        .arg("%M")
        .arg(program)
        .args(args)
        .current_dir(dir)
        .stdout(Stdio::null())
        .output()
        .ok()?;
    let stderr = String::from_utf8_lossy(&out.stderr);
    stderr.lines().last()?.trim().parse().ok()
}

fn twokey_bin() -> PathBuf {
    std::env::var_os("TWOKEY_BIN")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("target/release/twokey"))
}

/// The CLI under test: `twokey check --base B --head H --format json`.
fn check_args(pair: [&str; 2]) -> [&str; 7] {
    [
        "check", "--base", pair[0], "--head", pair[1], "--format", "json",
    ]
}

fn ms(d: Duration) -> String {
    format!("{:.1} ms", d.as_secs_f64() * 1000.0)
}

fn row(name: &str, t: &Timing) {
    println!("{name:<34} {:>12} {:>12}", ms(t.median), ms(t.min));
}

fn main() {
    // `cargo bench` passes `--bench`; a filter argument that excludes us means "skip".
    let filters: Vec<String> = std::env::args()
        .skip(1)
        .filter(|a| !a.starts_with("--"))
        .collect();
    if !filters.is_empty() && !filters.iter().any(|f| "large_change".contains(f.as_str())) {
        return;
    }

    let started = Instant::now();
    let generated = generate();
    println!(
        "generated in {:.1} s in {}: {} changed files, {} changed lines (base {}, head {})",
        started.elapsed().as_secs_f64(),
        generated.root.display(),
        generated.changed_files,
        generated.changed_lines,
        &generated.base[..12],
        &generated.head[..12],
    );

    let git_bin = PathBuf::from("git");
    let root = &generated.root;
    let large = [generated.base.as_str(), generated.head.as_str()];
    let small = [generated.base.as_str(), generated.small_head.as_str()];

    let twokey = twokey_bin();
    if !twokey.exists() {
        println!(
            "{} not found; run `cargo build --release` or set TWOKEY_BIN",
            twokey.display()
        );
        return;
    }
    let large_args = check_args(large);
    let small_args = check_args(small);
    let diff_large = ["diff", large[0], large[1]];
    let diff_small = ["diff", small[0], small[1]];
    let pair = |diff: &[&str], check: &[&str]| {
        time_pair(
            root,
            &Cmd {
                program: &git_bin,
                args: diff,
                ok: &[0],
            },
            &Cmd {
                program: &twokey,
                args: check,
                ok: &[0, 1],
            },
        )
    };
    let large_t = pair(&diff_large, &large_args);
    let small_t = pair(&diff_small, &small_args);
    let rss = peak_rss_kib(root, &twokey, &large_args);

    println!();
    println!(
        "{:<34} {:>12} {:>12}   ({RUNS} runs each, alternating)",
        "command", "median", "min"
    );
    for (name, t) in [("large change", &large_t), ("50-file PR", &small_t)] {
        match t {
            Ok((git, ours, _)) => {
                row(&format!("git diff ({name})"), git);
                row(&format!("twokey check ({name})"), ours);
            }
            Err(e) => println!("{name}: {e}"),
        }
    }
    println!();
    for (name, t) in [("large change", &large_t), ("50-file PR", &small_t)] {
        if let Ok((git, ours, paired)) = t {
            println!(
                "twokey/git, {name:<13} {:.2}x (ratio of medians), {paired:.2}x (median of per-run ratios)",
                ours.median.as_secs_f64() / git.median.as_secs_f64()
            );
        }
    }
    match rss {
        Some(kib) => println!(
            "twokey peak RSS, large change: {:.1} MiB",
            kib as f64 / 1024.0
        ),
        None => println!("twokey peak RSS, large change: unavailable"),
    }
}
