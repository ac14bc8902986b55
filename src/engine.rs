//! engine: the one line every front-end runs. A source has produced a change and a snapshot;
//! the engine reads each file once, classifies it, runs the analyzers on it, detects
//! authorship and asks the policy for the verdict. It owns no I/O of its own beyond the
//! snapshot it is handed, and holds one file's contents at a time.

use crate::analyze::{self, classify, FileKind, FileView};
use crate::authorship::{self, AgentCatalogue, Authorship};
use crate::change::{
    Change, Content, FileChange, RepoPath, Revision, Side, Snapshot, SnapshotPool,
};
use crate::finding::Finding;
use crate::policy::{self, evaluate::Evidence, Config, ConfigSource, Reviews, Verdict};
use crate::work::Runs;
use serde::Serialize;

/// A Terraform plan (`terraform show -json`) given alongside the change.
#[derive(Debug, Clone)]
pub struct PlanFile {
    pub path: RepoPath,
    /// The file's bytes as read: the plan analyzer decodes them (UTF-16 from PowerShell, a
    /// byte-order mark) and names what is not a JSON plan.
    pub bytes: Vec<u8>,
}

/// What the engine needs.
pub struct Input<'a> {
    pub change: &'a Change,
    pub snapshot: &'a dyn Snapshot,
    pub config: &'a Config,
    pub config_source: ConfigSource,
    pub plans: &'a [PlanFile],
    /// `None` for a dry run: the verdict then says what would be needed.
    pub reviews: Option<&'a Reviews>,
    /// Extra snapshots for worker threads; `None` analyses on the calling thread only.
    pub readers: Option<&'a dyn SnapshotPool>,
    /// How many threads may analyse files; `None` uses the machine's cores.
    pub threads: Option<usize>,
}

/// A changed file twokey could not read as text, reported for what it is.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FileNote {
    pub path: RepoPath,
    pub note: String,
}

/// Everything a report shows.
#[derive(Debug, Clone)]
pub struct Outcome {
    pub base: Revision,
    pub head: Revision,
    pub branch: Option<String>,
    pub config_source: ConfigSource,
    pub files_changed: usize,
    pub infra_files: Vec<RepoPath>,
    pub not_analysed: Vec<FileNote>,
    pub authorship: Authorship,
    /// Most severe first.
    pub findings: Vec<Finding>,
    pub verdict: Verdict,
}

/// Runs the whole analysis and takes the verdict.
pub fn run(input: Input<'_>) -> Outcome {
    let change = input.change;
    let config = input.config;
    let mut infra_files = Vec::new();
    let mut not_analysed = Vec::new();
    let mut allows = Vec::new();
    let (scanned, gaps) = analyze_files(&input);
    let mut about_change = analyze::files::analyze_change(change, &config.analysis);
    about_change.extend(analyze::files::incomplete(&gaps));
    for plan in input.plans {
        about_change.extend(analyze::plan::analyze_plan_file(&plan.path, &plan.bytes));
    }
    // Sized once: a large change has thousands of findings, and growing the list step by
    // step copied all of them into fresh memory each time.
    let in_files: usize = scanned.iter().map(|s| s.findings.len()).sum();
    let mut findings = Vec::with_capacity(in_files + about_change.len());
    // Each file's own findings were settled against its allows where it was read; what is
    // left is about other files, or about the change as a whole.
    let mut elsewhere = Vec::new();
    for (file, scanned) in change.files.iter().zip(scanned) {
        if scanned.infra {
            infra_files.push(file.path().clone());
        }
        if let Some(note) = scanned.note {
            not_analysed.push(FileNote {
                path: file.path().clone(),
                note,
            });
        }
        elsewhere.extend(scanned.elsewhere.iter().map(|i| findings.len() + i));
        findings.extend(scanned.findings);
        allows.extend(scanned.allows);
    }
    findings.append(&mut about_change);
    let mut elsewhere = elsewhere.into_iter().peekable();
    let unsettled = findings
        .iter_mut()
        .enumerate()
        .filter_map(|(i, f)| (i >= in_files || elsewhere.next_if_eq(&i).is_some()).then_some(f));
    let added = crate::suppress::apply(unsettled, allows, input.snapshot, change, config);
    findings.extend(added);
    sort_findings(&mut findings);
    findings.dedup();

    let catalogue = AgentCatalogue::builtin().with_extra(config.agents.clone());
    let authorship = authorship::detect(change, &catalogue);
    let verdict = policy::evaluate(
        Evidence {
            change,
            authorship: &authorship,
            findings: &findings,
            infra_files: &infra_files,
        },
        input.reviews,
        config,
    );
    Outcome {
        base: change.base.clone(),
        head: change.head.clone(),
        branch: change.branch.clone(),
        config_source: input.config_source,
        files_changed: change.files.len(),
        infra_files,
        not_analysed,
        authorship,
        findings,
        verdict,
    }
}

/// Most severe first, then by path, line and rule; ties keep the order the analyzers reported
/// them in. Sorted in place, each finding's key taken once: a large change's thousands of
/// findings would otherwise compare their paths' text at every step of the sort, or be copied
/// into a keyed list and back. A file's findings come together, so a path is looked up once
/// per run of findings in it rather than once per finding.
fn sort_findings(findings: &mut [Finding]) {
    let mut paths: Vec<&str> = Vec::new();
    for f in findings.iter() {
        let path = f.location.path.as_str();
        if paths.last() != Some(&path) {
            paths.push(path);
        }
    }
    paths.sort_unstable();
    paths.dedup();
    let paths: Vec<String> = paths.into_iter().map(str::to_owned).collect();
    let mut last: Option<usize> = None;
    let mut rank = |path: &str| match last {
        Some(rank) if paths[rank] == path => rank,
        _ => {
            let rank = paths
                .binary_search_by(|p| p.as_str().cmp(path))
                .unwrap_or(0);
            last = Some(rank);
            rank
        }
    };
    // Stable, as `sort_by_cached_key` is; it takes each key once, in order.
    findings.sort_by_cached_key(|f| {
        (
            std::cmp::Reverse(f.severity),
            rank(f.location.path.as_str()),
            f.location.line,
            f.rule,
        )
    });
}

/// What one changed file contributed.
struct Scanned {
    infra: bool,
    note: Option<String>,
    /// Findings about the file itself are settled against its allows already.
    findings: Vec<Finding>,
    /// Where in `findings` those about other files are (or all, when the file's text was not
    /// read), for the allows of every file to settle once all are read.
    elsewhere: Vec<usize>,
    /// The file's inline allows; `None` when its text was not read.
    allows: Option<crate::suppress::FileAllows>,
}

/// Below this many files a change is analysed on the calling thread: opening more readers
/// would cost more than it saves.
const PARALLEL_FROM: usize = 64;

/// Files are claimed by workers in runs of this many, so neighbours (one directory) tend to
/// land on the same worker and share its memo.
const CHUNK: usize = 32;

/// Analyses every changed file, on as many threads as allowed, and returns the results in
/// the change's file order (so the output does not depend on the thread count) with the
/// snapshots' read failures.
fn analyze_files(input: &Input<'_>) -> (Vec<Scanned>, Vec<String>) {
    let files = &input.change.files;
    let threads = crate::work::threads(input.threads);
    let pool = input
        .readers
        .filter(|_| threads > 1 && files.len() >= PARALLEL_FROM);
    let runs = Runs::new(files.len(), CHUNK);
    let memo = analyze::Memo::for_change(input.change);
    let began = std::time::Instant::now();
    let work = |snapshot: &dyn Snapshot, worker: usize| -> Vec<(usize, Scanned)> {
        let start_ms = began.elapsed().as_millis() as u64;
        let mut done = Vec::new();
        while let Some(run) = runs.claim() {
            for i in run {
                done.push((
                    i,
                    scan_and_analyze(&files[i], snapshot, input.config, &memo),
                ));
            }
        }
        // When each thread started and stopped tells a slow start or a straggler apart from
        // work that is simply large.
        tracing::debug!(
            worker,
            files = done.len(),
            start_ms,
            end_ms = began.elapsed().as_millis() as u64,
            "analysis thread done"
        );
        done
    };
    let mut results: Vec<(usize, Scanned)> = Vec::with_capacity(files.len());
    let mut gaps = Vec::new();
    std::thread::scope(|scope| {
        let workers: Vec<_> = pool
            .into_iter()
            .flat_map(|pool| (1..threads).map(move |worker| (pool, worker)))
            .map(|(pool, worker)| {
                scope.spawn(move || {
                    let mut out = (Vec::new(), Vec::new());
                    let opened = pool.with_snapshot(&mut |snapshot| {
                        out = (work(snapshot, worker), snapshot.gaps());
                    });
                    if let Err(why) = opened {
                        // The other threads claim the files this one would have taken.
                        tracing::debug!("a worker could not open a snapshot: {why}");
                    }
                    out
                })
            })
            .collect();
        results.extend(work(input.snapshot, 0));
        for worker in workers {
            match worker.join() {
                Ok((done, worker_gaps)) => {
                    results.extend(done);
                    gaps.extend(worker_gaps);
                }
                Err(panic) => std::panic::resume_unwind(panic),
            }
        }
    });
    gaps.extend(input.snapshot.gaps());
    results.sort_by_key(|(i, _)| *i);
    // The shared parse cache holds hundreds of parsed files; freeing them node by node is
    // work nobody waits for, so it happens beside the rest of the run (or here, when no
    // thread can be started: a failed spawn drops the closure and the cache with it).
    let _ = std::thread::Builder::new().spawn(move || drop(memo));
    (results.into_iter().map(|(_, s)| s).collect(), gaps)
}

fn scan_and_analyze(
    file: &FileChange,
    snapshot: &dyn Snapshot,
    config: &Config,
    memo: &analyze::Memo,
) -> Scanned {
    let scan = scan_file(file, snapshot, config);
    // With both sides in hand, deferred hunks cost no further read: the view computes them
    // when an analyzer or the allow scan asks, which Terraform and Kubernetes files, compared
    // object by object, mostly never do.
    let view = FileView {
        change: file,
        kind: scan.kind,
        old: &scan.old,
        new: &scan.new,
        snapshot,
        options: &config.analysis,
        memo,
        lines: Default::default(),
    };
    let mut findings = analyze::analyze_file(&view);
    let allows = crate::suppress::FileAllows::scan(file, &scan.old, &scan.new, || {
        std::borrow::Cow::Borrowed(view.hunks())
    });
    let elsewhere = crate::suppress::settle_in_file(allows.as_ref(), &mut findings, config);
    Scanned {
        infra: scan.infra,
        note: content_note(&scan.old, &scan.new),
        findings,
        elsewhere,
        allows,
    }
}

struct Scan {
    kind: FileKind,
    infra: bool,
    /// Both sides, or `Absent` when the file's kind is not worth reading.
    old: Content,
    new: Content,
}

/// Classifies one file and reads what its analyzers need. Application code is classified by
/// path alone and never read, which keeps a large change cheap.
fn scan_file(file: &FileChange, snapshot: &dyn Snapshot, config: &Config) -> Scan {
    let read = |side: Side| -> Content {
        let path = match side {
            Side::Base => file.old_path.as_ref(),
            Side::Head => file.new_path.as_ref(),
        };
        path.map(|p| snapshot.read(side, p))
            .unwrap_or(Content::Absent)
    };
    let path = file.path();
    let mut kind = classify(path, None);
    let mut old = None;
    let mut new = None;
    // `.hcl` files are Terragrunt by name, unless their content shows an Atlas schema.
    let reclassifiable = kind == FileKind::Other || kind == FileKind::Terragrunt;
    if reclassifiable && classify::needs_content(path) {
        let side = if file.new_path.is_some() {
            Side::Head
        } else {
            Side::Base
        };
        let content = read(side);
        kind = classify(path, content.text());
        if (kind == FileKind::Other || kind == FileKind::Terragrunt)
            && side == Side::Head
            && file.old_path.is_some()
        {
            // A file that stops looking like infrastructure (a manifest emptied or broken),
            // or like an Atlas schema once its last table is removed, is still judged by
            // what it was.
            let base = read(Side::Base);
            let was = classify(file.old_path.as_ref().unwrap_or(path), base.text());
            if kind == FileKind::Other || was == FileKind::OrmMigration {
                kind = was;
            }
            old = Some(base);
        }
        match side {
            Side::Head => new = Some(content),
            Side::Base => old = Some(content),
        }
    }
    // A `.env` is read only when a Compose file sits beside it (a listing, no read).
    if kind == FileKind::Other
        && analyze::compose::env_file::is_env_file(path)
        && analyze::compose::env_file::beside_compose(snapshot, path)
    {
        kind = FileKind::ComposeEnv;
    }
    let blind = kind == FileKind::Other
        && classify::unclassifiable(
            path,
            old.as_ref().unwrap_or(&Content::Absent),
            new.as_ref().unwrap_or(&Content::Absent),
        );
    let infra = kind.is_infra() || blind || config.infra_paths.is_match(path.as_str());
    let wanted = kind != FileKind::Other || blind || analyze::guardrail::watches(path);
    let (old, new) = if wanted {
        (
            old.unwrap_or_else(|| read(Side::Base)),
            new.unwrap_or_else(|| read(Side::Head)),
        )
    } else {
        (Content::Absent, Content::Absent)
    };
    Scan {
        kind,
        infra,
        old,
        new,
    }
}

fn content_note(old: &Content, new: &Content) -> Option<String> {
    let describe = |c: &Content| match c {
        Content::Binary => Some("binary".to_owned()),
        Content::NotUtf8 => Some("not UTF-8 text".to_owned()),
        Content::TooLarge(n) => Some(format!("too large to analyse ({n} bytes)")),
        Content::Submodule => Some("a submodule".to_owned()),
        Content::Symlink => Some("a symbolic link".to_owned()),
        Content::Text(_) | Content::Absent => None,
    };
    match (describe(old), describe(new)) {
        (_, Some(n)) => Some(n),
        (Some(o), None) => Some(format!("{o} on the base side")),
        (None, None) => None,
    }
}

#[cfg(test)]
mod tests {
    use super::sort_findings;
    use crate::analyze::sql::{DROP_INDEX, DROP_TABLE};
    use crate::change::{RepoPath, Side};
    use crate::finding::{Finding, Location};

    fn at(rule: &'static crate::rules::Rule, path: &str, line: u32, message: &str) -> Finding {
        let location = Location::lines(RepoPath::new(path), Side::Head, line, line);
        Finding::new(rule, location, message.to_owned())
    }

    #[test]
    fn findings_sort_by_severity_path_and_line_keeping_ties_in_reported_order() {
        let mut findings = vec![
            at(&DROP_INDEX, "a.sql", 1, "low first"),
            at(&DROP_TABLE, "b.sql", 9, "high, b"),
            at(&DROP_TABLE, "a.sql", 7, "high, a, second tie"),
            at(&DROP_TABLE, "a.sql", 3, "high, a, line 3"),
            at(&DROP_TABLE, "a.sql", 7, "high, a, first tie"),
        ];
        findings.swap(2, 4);
        sort_findings(&mut findings);
        let order: Vec<&str> = findings.iter().map(|f| f.message.as_str()).collect();
        assert_eq!(
            order,
            [
                "high, a, line 3",
                "high, a, first tie",
                "high, a, second tie",
                "high, b",
                "low first"
            ]
        );
    }
}
