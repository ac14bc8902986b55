//! analyze: where findings are made. The engine hands each changed file, one at a time, to
//! [`analyze_file`], which classifies it and dispatches to the analyzers for its kind. Every
//! analyzer compares the *structure* of the base and head versions where the format has one,
//! so comment and formatting edits stay quiet.
//!
//! Analyzers never decide what a finding means for a merge (that is the policy's job) and
//! never do I/O except through the [`Snapshot`](crate::change::Snapshot) in the view.

pub mod ansible;
pub mod appdata;
pub mod classify;
pub mod cloudformation;
pub mod commands;
pub mod compose;
pub mod database_majors;
pub mod datastores;
pub mod duration;
pub mod files;
pub mod fresh;
pub mod guardrail;
pub mod iac_program;
pub mod kubernetes;
pub mod nomad;
pub mod orm;
pub mod plan;
#[cfg(test)]
mod precision;
pub mod pulumi;
#[cfg(test)]
mod robustness;
pub mod safeguards;
pub mod sql;
pub mod terraform;
pub mod versions;

pub use classify::{classify, FileKind};

use crate::change::{Content, FileChange, Hunk, RepoPath, Side, Snapshot};
use crate::finding::{Finding, Location};
use crate::rules::Rule;
use std::sync::{Arc, Mutex, OnceLock, PoisonError};

/// Knobs an analyzer may read, taken from the policy config.
#[derive(Debug, Clone)]
pub struct AnalyzeOptions {
    /// Files larger than this are not parsed; they are reported as too large to review.
    pub max_file_bytes: u64,
    /// A change that deletes at least this many files is a mass deletion.
    pub mass_deletion_files: usize,
    /// The SQL dialect to parse migrations with: `generic`, `postgres`, `mysql`, `sqlite`.
    pub sql_dialect: String,
    /// Paths whose destruction ranks one severity higher (production environments).
    pub production_paths: globset::GlobSet,
}

/// The production paths when the config names none.
pub const DEFAULT_PRODUCTION_PATHS: &[&str] = &["**/prod/**", "**/production/**", "**/prd/**"];

/// A glob set from patterns, or the first pattern that is not a glob.
pub fn glob_set(patterns: &[impl AsRef<str>]) -> Result<globset::GlobSet, String> {
    let mut builder = globset::GlobSetBuilder::new();
    for pattern in patterns {
        let pattern = pattern.as_ref();
        let glob = globset::Glob::new(pattern)
            .map_err(|e| format!("`{pattern}` is not a valid glob: {e}"))?;
        builder.add(glob);
    }
    builder.build().map_err(|e| e.to_string())
}

impl Default for AnalyzeOptions {
    fn default() -> Self {
        AnalyzeOptions {
            max_file_bytes: 2 * 1024 * 1024,
            mass_deletion_files: 50,
            sql_dialect: "generic".to_owned(),
            production_paths: glob_set(DEFAULT_PRODUCTION_PATHS).unwrap_or_default(),
        }
    }
}

/// One changed file as an analyzer sees it: the change record, its kind, both sides' text.
pub struct FileView<'a> {
    /// The change record. Its `hunks` may be deferred (empty): read them through
    /// [`FileView::hunks`].
    pub change: &'a FileChange,
    pub kind: FileKind,
    pub old: &'a Content,
    pub new: &'a Content,
    /// For looking at other files (a `moved` block in a sibling `.tf` file, for example).
    pub snapshot: &'a dyn Snapshot,
    pub options: &'a AnalyzeOptions,
    /// What analyzers keep between files of one run.
    pub memo: &'a Memo,
    /// The changed lines, computed on first use when the source deferred them (see
    /// [`FileView::hunks`]): most Terraform and Kubernetes files compare objects, not lines.
    pub(crate) lines: std::cell::OnceCell<Vec<Hunk>>,
}

/// Work an analyzer may reuse across the files of one change (parsed files and sibling
/// directories). The engine makes one per run; nothing in it outlives the run.
pub struct Memo {
    /// The paths (either side) the change touches; `None` reads every sibling.
    changed: Option<std::collections::HashSet<RepoPath>>,
    pub(crate) terraform_files: Recent<(Side, RepoPath), terraform::Parsed>,
    pub(crate) terraform_dirs: Recent<(Side, String), Arc<terraform::DirIndex>>,
    /// Head directories' `count`/`for_each` that read a variable, built only when a value of
    /// the directory's variables changed.
    pub(crate) terraform_gates: Recent<String, Arc<terraform::switches::Gates>>,
    pub(crate) kubernetes_docs: Recent<(Side, RepoPath), kubernetes::Parsed>,
    pub(crate) kubernetes_dirs: Recent<String, Arc<kubernetes::SiblingIndex>>,
    /// Every manifest of the change, indexed once when a removal needs it.
    pub(crate) kubernetes_change: OnceLock<Arc<kubernetes::ChangeIndex>>,
    /// Local workflows and actions that GitHub workflows call (`uses: ./…`), read at the
    /// head once per run whichever caller asks first.
    pub(crate) workflow_calls: Recent<RepoPath, Arc<commands::workflow::Called>>,
    /// Destructive commands that hand-run files the change deletes hand over to files it
    /// adds, built once when an added build file or script runs one.
    pub(crate) commands_carried: OnceLock<Arc<commands::Carried>>,
}

impl Default for Memo {
    /// A memo that reads every sibling (for callers without a whole change).
    fn default() -> Self {
        Memo {
            changed: None,
            // Directories: every one a worker is in the middle of. Files: the changed files of
            // those directories. An evicted entry is only read again, never wrong.
            terraform_files: Recent::new(256),
            terraform_dirs: Recent::new(8),
            terraform_gates: Recent::new(8),
            kubernetes_docs: Recent::new(256),
            kubernetes_dirs: Recent::new(8),
            kubernetes_change: OnceLock::new(),
            workflow_calls: Recent::new(64),
            commands_carried: OnceLock::new(),
        }
    }
}

impl Memo {
    /// The memo for one change. Sibling files the change does not touch declare the same
    /// objects, `moved` blocks and manifests on both sides, so they can never explain where a
    /// removed object went; only the touched ones are read. That keeps a small pull request in
    /// a directory of thousands of files from parsing all of them.
    pub fn for_change(change: &crate::change::Change) -> Memo {
        Memo::for_paths(
            change
                .files
                .iter()
                .flat_map(|f| [f.old_path.clone(), f.new_path.clone()])
                .flatten(),
        )
    }

    /// The memo for a change that touches `paths` (either side).
    pub(crate) fn for_paths(paths: impl IntoIterator<Item = RepoPath>) -> Memo {
        Memo {
            changed: Some(paths.into_iter().collect()),
            ..Memo::default()
        }
    }
    /// Whether a sibling file can tell an analyzer something the file under review cannot.
    pub(crate) fn worth_reading(&self, path: &RepoPath) -> bool {
        self.changed.as_ref().is_none_or(|c| c.contains(path))
    }
    /// The paths (either side) the change touches; none when the memo was made without one.
    pub(crate) fn changed_paths(&self) -> impl Iterator<Item = &RepoPath> {
        self.changed.iter().flatten()
    }
}

/// What an analyzer derived recently (a parsed file, a directory's index), for the next files
/// that ask. A change that renames many blocks in one directory would otherwise re-read and
/// re-parse every sibling once per file, and parse each file again for its own review.
/// Shared by the engine's worker threads: the first to ask builds an entry while others
/// asking for the same key wait for it (and only for it). Only the most recent entries are
/// kept (workers visit files in path order), which bounds the memory.
pub(crate) struct Recent<K, T> {
    keep: usize,
    slots: Mutex<Slots<K, T>>,
}

struct Slots<K, T> {
    cells: std::collections::HashMap<K, Arc<OnceLock<T>>>,
    order: std::collections::VecDeque<K>,
}

impl<K, T> Recent<K, T> {
    fn new(keep: usize) -> Self {
        Recent {
            keep,
            // Sized for the entries kept: entries come and go all run long, and a map left to
            // grow and churn rehashes over and over.
            slots: Mutex::new(Slots {
                cells: std::collections::HashMap::with_capacity(keep + 1),
                order: std::collections::VecDeque::with_capacity(keep + 1),
            }),
        }
    }
}

impl<K: std::hash::Hash + Eq + Clone, T: Clone> Recent<K, T> {
    pub(crate) fn get_or_load(&self, key: &K, load: impl FnOnce() -> T) -> T {
        let cell = {
            // A worker that panicked while holding the lock left nothing half-written: the
            // map only ever gains or loses whole entries.
            let mut slots = self.slots.lock().unwrap_or_else(PoisonError::into_inner);
            match slots.cells.get(key) {
                Some(cell) => Arc::clone(cell),
                None => {
                    if slots.order.len() >= self.keep {
                        if let Some(oldest) = slots.order.pop_front() {
                            slots.cells.remove(&oldest);
                        }
                    }
                    let cell = Arc::new(OnceLock::new());
                    slots.cells.insert(key.clone(), Arc::clone(&cell));
                    slots.order.push_back(key.clone());
                    cell
                }
            }
        };
        cell.get_or_init(load).clone()
    }
}

impl FileView<'_> {
    /// The base-side text; `None` when absent, binary or unreadable.
    pub fn old_text(&self) -> Option<&str> {
        self.old.text()
    }
    pub fn new_text(&self) -> Option<&str> {
        self.new.text()
    }
    /// The path on the head side, or the base path for a deleted file.
    pub fn path(&self) -> &RepoPath {
        self.change.path()
    }
    /// The path a side's line numbers refer to.
    pub fn path_on(&self, side: Side) -> &RepoPath {
        match side {
            Side::Base => self.change.old_path.as_ref().unwrap_or(self.path()),
            Side::Head => self.change.new_path.as_ref().unwrap_or(self.path()),
        }
    }
    /// A location spanning `line..=end_line` on `side`.
    pub fn at(&self, side: Side, line: u32, end_line: u32) -> Location {
        Location::lines(self.path_on(side).clone(), side, line, end_line)
    }
    /// A location for the whole file on `side`.
    pub fn whole(&self, side: Side) -> Location {
        Location::file(self.path_on(side).clone(), side)
    }
    /// The file's changed lines. Analyzers read them here, never from `change.hunks`, which
    /// is empty while a source has deferred them to the engine.
    pub fn hunks(&self) -> &[Hunk] {
        if !self.change.lines_deferred {
            return &self.change.hunks;
        }
        self.lines
            .get_or_init(|| self.change.hunks_between(self.old, self.new).into_owned())
    }
}

/// A file that should be analysed but could not be parsed: it needs a human.
#[derive(Debug, Clone)]
pub struct Unparseable {
    pub side: Side,
    pub line: Option<u32>,
    pub reason: String,
}

/// Both sides of a file read with `read` (`None` for an absent side). A side that cannot be
/// read is the ecosystem's `*/unparseable` finding (`rule`) and the file is judged no
/// further: what twokey cannot read might remove anything.
pub fn read_sides<T>(
    view: &FileView,
    rule: &Rule,
    mut read: impl FnMut(Side, &str) -> Result<T, Unparseable>,
) -> Result<(Option<T>, Option<T>), Vec<Finding>> {
    let mut failures = Vec::new();
    let mut side =
        |side: Side, text: Option<&str>| read(side, text?).map_err(|f| failures.push(f)).ok();
    let base = side(Side::Base, view.old_text());
    let head = side(Side::Head, view.new_text());
    if failures.is_empty() {
        Ok((base, head))
    } else {
        Err(failures
            .iter()
            .map(|f| unparseable_finding(rule, view, f))
            .collect())
    }
}

/// Turns a parse failure into the ecosystem's `*/unparseable` finding.
pub fn unparseable_finding(rule: &Rule, view: &FileView, failure: &Unparseable) -> Finding {
    let location = match failure.line {
        Some(line) => view.at(failure.side, line, line),
        None => view.whole(failure.side),
    };
    let which = match failure.side {
        Side::Base => "base",
        Side::Head => "head",
    };
    Finding::new(
        rule,
        location,
        format!(
            "{} could not be parsed on the {which} side ({}), so twokey cannot tell what it destroys; a human must review it.",
            view.path_on(failure.side),
            failure.reason
        ),
    )
}

/// Runs every analyzer that applies to one file.
pub fn analyze_file(view: &FileView) -> Vec<Finding> {
    let mut findings = Vec::new();
    findings.extend(files::analyze(view));
    findings.extend(guardrail::analyze(view));
    match view.kind {
        FileKind::Terraform => findings.extend(terraform::analyze(view)),
        FileKind::Terragrunt => findings.extend(terraform::terragrunt::analyze(view)),
        FileKind::TerraformStack => findings.extend(terraform::stacks::analyze(view)),
        FileKind::TerraformVars => findings.extend(terraform::vars::analyze(view)),
        FileKind::Sql => findings.extend(sql::analyze(view)),
        FileKind::OrmMigration => findings.extend(orm::analyze(view)),
        FileKind::Kubernetes => {
            findings.extend(kubernetes::analyze(view));
            findings.extend(appdata::analyze_manifest(view));
        }
        FileKind::AppDatabase => findings.extend(appdata::analyze(view)),
        FileKind::Compose | FileKind::ComposeDeployed => {
            let compose = compose::analyze(view);
            // A service's `environment:` can make its ORM reset the database; a file that does
            // not parse is already `compose/unparseable`.
            let broken = compose.iter().any(|f| f.rule == compose::UNPARSEABLE.id);
            let orm = [view.old_text(), view.new_text()]
                .into_iter()
                .flatten()
                .any(|text| appdata::recognises(view.path(), text));
            findings.extend(compose);
            if orm && !broken {
                findings.extend(appdata::analyze(view));
            }
        }
        FileKind::ComposeEnv => findings.extend(compose::env_file::analyze(view)),
        FileKind::Nomad => findings.extend(nomad::analyze(view)),
        FileKind::Kustomize => findings.extend(kubernetes::packaging::analyze(view)),
        FileKind::Helm => {
            findings.extend(kubernetes::packaging::analyze(view));
            // A chart template is the manifest Helm applies, so its objects are compared
            // like a plain manifest's; `Chart.yaml` and values files are not manifests.
            if kubernetes::is_object_template(view) {
                findings.extend(kubernetes::analyze(view));
            }
            findings.extend(kubernetes::conditional::analyze(view));
            findings.extend(appdata::analyze_manifest(view));
        }
        FileKind::Workflow => findings.extend(safeguards::analyze(view)),
        FileKind::Pulumi => findings.extend(pulumi::analyze(view)),
        FileKind::IacProgram => findings.extend(iac_program::analyze(view)),
        FileKind::Ansible => findings.extend(ansible::analyze(view)),
        FileKind::CloudFormation => findings.extend(cloudformation::analyze(view)),
        FileKind::Serverless => findings.extend(cloudformation::serverless::analyze(view)),
        _ => {}
    }
    if view.kind.runs_commands() {
        findings.extend(commands::analyze(view));
    }
    rank_production(view.options, &mut findings);
    findings
}

/// Destroying something in production has the widest blast radius: such findings rank one
/// step higher, and say why.
fn rank_production(options: &AnalyzeOptions, findings: &mut [Finding]) {
    for f in findings {
        let production = options.production_paths.is_match(f.location.path.as_str());
        if production && f.tags.contains(&crate::finding::Tag::Destructive) {
            f.severity = f.severity.raised();
            f.message.push_str(
                " It is under a production path (`analysis.production_paths`), so it ranks one step higher.",
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::files::testkit::{ids, Case};
    use super::{analyze_file, AnalyzeOptions, Recent};
    use crate::finding::Severity;

    const DB: &str = "resource \"aws_security_group_rule\" \"in\" {\n  type = \"ingress\"\n}\n";

    #[test]
    fn a_view_computes_deferred_hunks_from_the_sides_it_holds() {
        use crate::change::Hunk;
        let seen = std::cell::RefCell::new(Vec::new());
        let hunks_seen = |case: Case| {
            case.run(|view| {
                *seen.borrow_mut() = view.hunks().to_vec();
                Vec::new()
            });
            seen.borrow().clone()
        };
        let edited = Case::modified("db/1.sql", "a;\nb;\nc;\n", "a;\nB;\nc;\nd;\n");
        let expected = vec![
            Hunk {
                old_start: 2,
                old_lines: 1,
                new_start: 2,
                new_lines: 1,
            },
            Hunk {
                old_start: 3,
                old_lines: 0,
                new_start: 4,
                new_lines: 1,
            },
        ];
        assert_eq!(hunks_seen(edited.deferred()), expected);
        // A source that gave its own hunks is taken at its word, not recomputed.
        let given = Case::modified("db/1.sql", "a;\n", "b;\n").with_hunk(9, 1, 9, 1);
        assert_eq!(hunks_seen(given)[0].old_start, 9);
        let binary = Case::modified("db/1.sql", "a;\n", "")
            .with_content(crate::change::Side::Head, crate::change::Content::Binary)
            .deferred();
        assert_eq!(hunks_seen(binary), Vec::new(), "no lines to compare");
    }

    #[test]
    fn destruction_under_a_production_path_ranks_one_step_higher() {
        let removed = |path: &str| Case::modified(path, DB, "").run(analyze_file);
        let staging = removed("envs/staging/main.tf");
        assert_eq!(ids(&staging), ["terraform/resource-removed"]);
        let prod = removed("envs/prod/main.tf");
        assert_eq!(ids(&prod), ["terraform/resource-removed"]);
        assert_eq!(prod[0].severity, staging[0].severity.raised());
        assert_eq!(prod[0].severity, Severity::High);
        assert!(
            prod[0].message.contains("production path"),
            "{}",
            prod[0].message
        );
    }

    #[test]
    fn production_paths_come_from_the_options_and_leave_non_destructive_findings_alone() {
        let options = AnalyzeOptions {
            production_paths: super::glob_set(&["live/**"]).expect("valid"),
            ..AnalyzeOptions::default()
        };
        let case = Case::modified("live/main.tf", DB, "").with_options(options.clone());
        assert_eq!(case.run(analyze_file)[0].severity, Severity::High);
        let broken = Case::modified("live/main.tf", DB, "resource {").with_options(options);
        let f = broken.run(analyze_file);
        assert_eq!(ids(&f), ["terraform/unparseable"]);
        assert_eq!(f[0].severity, Severity::High, "not destructive: not raised");
        assert!(!f[0].message.contains("production path"));
    }

    use std::cell::Cell;

    #[test]
    fn recent_loads_each_key_once_and_forgets_the_oldest_past_its_size() {
        let memo: Recent<u32, u32> = Recent::new(2);
        let loads = Cell::new(0);
        let get = |key: u32| {
            memo.get_or_load(&key, || {
                loads.set(loads.get() + 1);
                key * 10
            })
        };
        assert_eq!((get(1), get(2), get(1)), (10, 20, 10));
        assert_eq!(loads.get(), 2, "a kept entry is not loaded again");
        get(3); // evicts 1, the oldest
        assert_eq!(get(2), 20);
        assert_eq!(loads.get(), 3);
        assert_eq!(get(1), 10);
        assert_eq!(loads.get(), 4, "an evicted entry is loaded again");
    }
}
