//! files analyzer: findings about files as files, whatever their format (an infrastructure
//! file deleted, an infrastructure file twokey cannot read), and about the change as a whole
//! (mass deletion, a change the source could not read completely).
//!
//! [`analyze`] runs on every file; [`analyze_change`] runs once per change.

use super::{AnalyzeOptions, FileKind, FileView};
use crate::change::{Change, Content, RepoPath, Side};
use crate::finding::{Finding, Location, Severity, Tag};
use crate::rules::Rule;

pub const INFRA_FILE_DELETED: Rule = Rule {
    id: crate::finding::RuleId("git/infra-file-deleted"),
    severity: Severity::High,
    tags: &[Tag::Destructive, Tag::Infra],
    summary: "An infrastructure file (Terraform, manifests, migrations, pipelines) is deleted.",
    why: "Whatever the file declares stops being managed: the next apply or sync destroys the resources it declared, or a pipeline silently stops running.",
    example: "git rm infra/prod/database.tf",
    safer: "Confirm nothing the file declared is still needed; for Terraform, move resources with `moved` blocks or `terraform state rm` them first instead of letting apply destroy them.",
};

pub const MIGRATION_DELETED: Rule = Rule {
    id: crate::finding::RuleId("git/migration-deleted"),
    severity: Severity::Medium,
    tags: &[Tag::Infra],
    summary: "A database migration file is deleted.",
    why: "Deleting a migration runs nothing against a database that already applied it, so it is not tagged destructive; but new environments no longer create what it created, and tools that check applied migrations against the files (Flyway's validate, Django's graph) can refuse to run.",
    example: "git rm app/migrations/0001_initial.py  # after squashing",
    safer: "Delete migrations only through the tool's own squash or baseline (Django's squashmigrations with `replaces`, Flyway's baseline), once every environment has applied the replacement.",
};

pub const PIPELINE_DELETED: Rule = Rule {
    id: crate::finding::RuleId("git/pipeline-deleted"),
    severity: Severity::Low,
    tags: &[Tag::Infra],
    summary: "A CI pipeline, Dockerfile, script or build file is deleted.",
    why: "Nothing it declared is destroyed, so it is not tagged destructive; but what it ran stops running: a scheduled backup, a deploy, a check. (A workflow that runs twokey is a guardrail finding of its own.)",
    example: "git rm .github/workflows/nightly-backup.yml",
    safer: "Say in the pull request what the pipeline did and what replaces it.",
};

pub const UNREADABLE_INFRA_FILE: Rule = Rule {
    id: crate::finding::RuleId("git/unreadable-infra-file"),
    severity: Severity::High,
    tags: &[Tag::Infra],
    summary: "An infrastructure file is too large, binary or not UTF-8, so it cannot be analysed.",
    why: "twokey fails closed: a file it cannot read may destroy anything, so a human must review it.",
    example: "infra/generated.tf.json grows past the 2 MiB analysis limit",
    safer: "Split the file into smaller ones, or commit it as UTF-8 text, so it can be reviewed structurally.",
};

pub const MASS_DELETION: Rule = Rule {
    id: crate::finding::RuleId("git/mass-deletion"),
    severity: Severity::High,
    tags: &[Tag::Destructive],
    summary: "The change deletes many files at once.",
    why: "A large deletion is easy to approve without reading, and agents sometimes clear out directories they misjudge as unused.",
    example: "an agent's clean-up removes 80 files under services/legacy/",
    safer: "Split the deletion into smaller changes per component, each with a reason a reviewer can check.",
};

pub const INCOMPLETE_CHANGE: Rule = Rule {
    id: crate::finding::RuleId("git/incomplete-change"),
    severity: Severity::High,
    tags: &[Tag::Infra],
    summary: "Part of the change could not be read, so it was not analysed.",
    why: "twokey fails closed: what it could not read may destroy anything, so a human must review the change.",
    example: "the GitHub API lists only the first 3000 files of a pull request",
    safer: "Split the change into smaller pull requests that twokey can read completely.",
};

pub const RULES: &[&Rule] = &[
    &INFRA_FILE_DELETED,
    &MIGRATION_DELETED,
    &PIPELINE_DELETED,
    &UNREADABLE_INFRA_FILE,
    &MASS_DELETION,
    &INCOMPLETE_CHANGE,
];

/// Per-file findings.
pub fn analyze(view: &FileView) -> Vec<Finding> {
    let mut findings = Vec::new();
    if !view.kind.is_infra() {
        if super::classify::unclassifiable(view.change.path(), view.old, view.new) {
            findings.extend(unreadable(view));
        }
        return findings;
    }
    if view.change.is_deleted() {
        findings.extend(deletion(view));
    }
    findings.extend(unreadable(view));
    findings
}

/// The finding for a deleted infrastructure file, by what deleting that kind of file does:
/// a migration undoes nothing, a pipeline stops running, a Terragrunt unit leaves its state
/// unmanaged, and a file that declares resources may have them destroyed. Manifests and
/// templates compared object by object report their own objects instead.
fn deletion(view: &FileView) -> Option<Finding> {
    let path = view.path_on(Side::Base);
    let whole = view.whole(Side::Base);
    let kind = view.kind.as_str();
    if is_migration(view) {
        if squashed_away(view) {
            // The last step of Django's squash: the replaced files go once the squash (still
            // there) has been applied everywhere. Nothing ran or undoes anything.
            return None;
        }
        return Some(Finding::new(
            &MIGRATION_DELETED,
            whole,
            format!("The migration {path} is deleted: databases that applied it keep what it did, but new environments will not get it, and migration tools that compare applied migrations with the files may refuse to run."),
        ));
    }
    if runs_rather_than_declares(view.kind) {
        return Some(Finding::new(
            &PIPELINE_DELETED,
            whole,
            format!("{path} ({kind}) is deleted: nothing it declared is destroyed, but what it ran stops running."),
        ));
    }
    if is_terragrunt_unit(view) {
        // A unit's file holds no resources: its module's state does. Without the file no
        // `terragrunt run` visits the unit any more, so nothing is destroyed by it.
        return Some(
            Finding::new(
                &INFRA_FILE_DELETED,
                whole,
                format!("The Terragrunt unit {path} is deleted: no run visits it any more, so the resources in its state are left running and unmanaged (the state still holds them), and `run --all destroy` no longer reaches them."),
            )
            .with_safer(
                "To destroy the unit's resources, run `terragrunt destroy` in it before deleting it, reviewing the plan; to keep them, hand them to another unit (`terraform state mv` or `import` blocks there) first.",
            ),
        );
    }
    if let Some(message) = shared_terragrunt_deleted(view) {
        return Some(
            Finding::new(&INFRA_FILE_DELETED, whole, message).with_safer(
                "Keep the file until no unit includes or reads it; move what it set (module source, inputs, \
                 `remote_state`) into each unit in the same change, and read each unit's plan: it must create \
                 and destroy nothing.",
            ),
        );
    }
    if view.kind == FileKind::TerraformVars {
        // Values, not resources: what losing them changes is judged where they are read
        // (the variables' defaults take over, and `vars` compares them).
        return Some(
            Finding::new(
                &INFRA_FILE_DELETED,
                whole,
                format!("The Terraform values file {path} is deleted: it declares no resources, but its values stop applying, so each variable falls back to its default (for an auto-loaded file) or a pipeline passing it with `-var-file` fails."),
            )
            .with_severity(Severity::Low),
        );
    }
    if view.kind == FileKind::Helm && super::kubernetes::is_chart_notes(path) {
        // Helm prints a chart's NOTES.txt after an install; it declares nothing to delete.
        return None;
    }
    if view.kind == FileKind::Kustomize {
        // A kustomization declares no objects itself: it lists the files that do, and those
        // leave the build with it. The advice about Terraform state does not apply here.
        let reported = deletion_analysed_structurally(view)
            || super::kubernetes::packaging::deleted_with_all_its_manifests(view);
        return (!reported).then(|| {
            Finding::new(
                &INFRA_FILE_DELETED,
                whole,
                format!("{path} (kustomize) is deleted: every object it builds leaves the build, and a pruning sync deletes them from the cluster."),
            )
            .with_safer(
                "Check `kustomize build` before and after: if the objects moved elsewhere the output is the same; otherwise remove them one by one, protected by `Prune=false` where they hold data.",
            )
        });
    }
    if tofu_with_tf_beside(view) {
        // OpenTofu reads `main.tf` again: the Terraform analyzer compares the two as one
        // slot and reports what the `.tf` file lacks, so the deletion itself says nothing.
        return None;
    }
    (!deletion_analysed_structurally(view)).then(|| {
        Finding::new(
            &INFRA_FILE_DELETED,
            whole,
            format!("{path} ({kind}) is deleted: everything it declares stops being managed and may be destroyed on the next apply or sync."),
        )
    })
}

/// A deleted `X.tofu` whose `X.tf` is there at the head (in the same directory).
fn tofu_with_tf_beside(view: &FileView) -> bool {
    let path = view.path_on(Side::Base);
    let Some(stem) = path.as_str().strip_suffix(".tofu") else {
        return false;
    };
    !matches!(
        view.snapshot.read(
            Side::Head,
            &crate::change::RepoPath::new(format!("{stem}.tf"))
        ),
        crate::change::Content::Absent
    )
}

/// A shared Terragrunt file (`root.hcl`, `_envcommon/mysql.hcl`, `env.hcl`) deleted: it
/// declares no resources, so deleting it destroys nothing by itself; the units that include
/// or read it fail to load until they stop doing so, and a unit that stopped is judged in its
/// own file. Names the units of this change that referred to it on the base side (by its file
/// name as a path component), and whether they still do. `None` for anything else.
fn shared_terragrunt_deleted(view: &FileView) -> Option<String> {
    let path = view.path_on(Side::Base);
    let name = path.file_name();
    if view.kind != FileKind::Terragrunt
        || name.eq_ignore_ascii_case("terragrunt.hcl")
        || name.eq_ignore_ascii_case("terragrunt.stack.hcl")
    {
        return None;
    }
    let mentions =
        |text: &str| text.contains(&format!("/{name}")) || text.contains(&format!("\"{name}\""));
    let mut still = Vec::new();
    let mut stopped = Vec::new();
    let units = view
        .memo
        .changed_paths()
        .filter(|p| p.file_name().eq_ignore_ascii_case("terragrunt.hcl") && *p != path);
    for unit in units {
        let base = view.snapshot.read(Side::Base, unit);
        if !base.text().is_some_and(mentions) {
            continue;
        }
        let head = view.snapshot.read(Side::Head, unit);
        match head.text() {
            Some(text) if mentions(text) => still.push(unit.to_string()),
            _ => stopped.push(unit.to_string()),
        }
    }
    still.sort();
    stopped.sort();
    let mut shown = String::new();
    if !still.is_empty() {
        shown.push_str(&format!(
            " Units of this change that still refer to it: {}.",
            still.join(", ")
        ));
    }
    if !stopped.is_empty() {
        shown.push_str(&format!(
            " Units of this change that referred to it and no longer do (what they now apply is judged in their own files): {}.",
            stopped.join(", ")
        ));
    }
    Some(format!(
        "The shared Terragrunt file {path} is deleted: it declares no resources, so deleting it destroys \
         nothing by itself, but every unit that includes or reads it fails to load until it stops doing so, \
         and one that drops it loses whatever it set there (module source, inputs, `remote_state`).{shown}"
    ))
}

/// Files that run things rather than declare what exists: deleting one stops what it ran
/// and destroys nothing.
fn runs_rather_than_declares(kind: FileKind) -> bool {
    matches!(
        kind,
        FileKind::Workflow
            | FileKind::CiPipeline
            | FileKind::Dockerfile
            | FileKind::Shell
            | FileKind::BuildScript
    )
}

/// A migration (SQL under a `migrations`/`migrate` directory, or an ORM migration): what it
/// did stays done when the file goes. A declarative schema file (`schema.sql`,
/// `supabase/schemas/`) is not one: tools apply the difference, so deleting it drops tables.
fn is_migration(view: &FileView) -> bool {
    let path = view.path_on(Side::Base).as_str().to_ascii_lowercase();
    match view.kind {
        FileKind::OrmMigration => {
            !path.ends_with(".prisma") && super::orm::declarative_schema(view).is_none()
        }
        FileKind::Sql => path.split('/').any(|d| d.contains("migrat")),
        _ => false,
    }
}

/// A deleted Django migration that a squashed migration of its directory replaced at the base
/// (`replaces = [...]` naming it), the squash being still there at the head: Django's own way
/// of retiring migrations. Only files named as `squashmigrations` names them
/// (`0001_squashed_0004_…`) are read; a squash named otherwise leaves the deletion noted.
fn squashed_away(view: &FileView) -> bool {
    let path = view.path_on(Side::Base);
    let Some(stem) = path.file_name().strip_suffix(".py") else {
        return false;
    };
    view.snapshot
        .list_dir(Side::Base, path.dir())
        .iter()
        .filter(|p| *p != path && p.file_name().ends_with(".py"))
        .filter(|p| p.file_name().contains("_squashed_"))
        .any(|squash| {
            let base = view.snapshot.read(Side::Base, squash);
            let replaces = base.text().is_some_and(|t| {
                super::orm::django::is_squashed(t)
                    && super::orm::django::replaced(t).iter().any(|n| n == stem)
            });
            replaces && view.snapshot.read(Side::Head, squash).text().is_some()
        })
}

/// A Terragrunt unit (`terragrunt.hcl`), as opposed to a shared `root.hcl` or `env.hcl`.
fn is_terragrunt_unit(view: &FileView) -> bool {
    view.kind == FileKind::Terragrunt
        && view
            .path_on(Side::Base)
            .file_name()
            .eq_ignore_ascii_case("terragrunt.hcl")
}

/// Kubernetes manifests and Terraform files are compared object by object, including their deletion, and the
/// kubernetes analyzer recognises an object moved to a sibling file; a whole-file finding
/// on top would flag a correct split or merge of manifests. So are the chart templates whose
/// every object twokey can see. CloudFormation templates are likewise compared resource by
/// resource: a deleted template reports each resource it held, and a deleted Serverless
/// service each resource and function.
fn deletion_analysed_structurally(view: &FileView) -> bool {
    match (view.kind, view.old_text()) {
        (FileKind::Kubernetes | FileKind::CloudFormation, Some(_)) => true,
        // Terraform compares the deleted file's blocks against the directory at the head: a
        // resource, module or backend that went nowhere is reported by address ("deleted along
        // with main.tf"), one moved to a sibling file is not, and a base it cannot parse is
        // `terraform/unparseable`. A file-level finding on top would flag every split, merge
        // or rename of `.tf` files that git does not pair as a rename.
        (FileKind::Terraform, Some(_)) => true,
        // A stack file's database services and a job file's jobs are reported one by one
        // (`compose/database-service-removed`, `nomad/job-removed`).
        (FileKind::ComposeDeployed | FileKind::Nomad, Some(_)) => true,
        // A Helm 2 `requirements.yaml` reports each dependency it drops, unless the chart's
        // `Chart.yaml` now lists it (a chart moved to apiVersion v2).
        (FileKind::Helm, Some(_)) if super::kubernetes::packaging::judges_requirements(view) => {
            true
        }
        // Atlas and Drizzle schemas report each table the deletion drops.
        (FileKind::OrmMigration, Some(_)) => super::orm::declarative_schema(view).is_some(),
        // So do Supabase, sqldef and Skeema schema files.
        (FileKind::Sql, Some(_)) => super::sql::is_declarative_schema(view),
        (FileKind::Serverless, Some(text)) => {
            crate::analyze::cloudformation::serverless::analyses_deletion(text)
        }
        _ => super::kubernetes::deleted_template_compared(view),
    }
}

fn why_unreadable(content: &Content, options: &AnalyzeOptions) -> Option<String> {
    match content {
        Content::TooLarge(bytes) => Some(format!(
            "too large ({bytes} bytes, over the {} byte limit)",
            options.max_file_bytes
        )),
        Content::Binary => Some("binary".to_owned()),
        Content::NotUtf8 => Some("not UTF-8 text".to_owned()),
        // A link's target may be retargeted to anything; twokey does not follow it.
        Content::Symlink => Some("a symbolic link, which twokey does not follow".to_owned()),
        Content::Text(_) | Content::Absent | Content::Submodule => None,
    }
}

fn unreadable(view: &FileView) -> Option<Finding> {
    let old = why_unreadable(view.old, view.options);
    let new = why_unreadable(view.new, view.options);
    let (side, reasons) = match (old, new) {
        (None, None) => return None,
        (Some(o), None) => (Side::Base, format!("{o} on the base side")),
        (None, Some(n)) => (Side::Head, n),
        (Some(o), Some(n)) if o == n => (Side::Head, format!("{n} on both sides")),
        (Some(o), Some(n)) => (
            Side::Head,
            format!("{o} on the base side and {n} on the head side"),
        ),
    };
    Some(Finding::new(
        &UNREADABLE_INFRA_FILE,
        view.whole(side),
        format!(
            "{} ({}) is {reasons}, so twokey cannot tell what it destroys; a human must review it.",
            view.path_on(side),
            view.kind.as_str()
        ),
    ))
}

/// Findings about the change as a whole. The engine calls this once per change.
pub fn analyze_change(change: &Change, options: &AnalyzeOptions) -> Vec<Finding> {
    let mut findings = Vec::new();
    let deleted: Vec<&RepoPath> = change
        .files
        .iter()
        .filter(|f| f.is_deleted())
        .map(|f| f.path())
        .collect();
    // A threshold of 0 would flag every change, deletions or not; one deletion is the floor.
    let threshold = options.mass_deletion_files.max(1);
    if let Some(first) = deleted.first().filter(|_| deleted.len() >= threshold) {
        findings.push(Finding::new(
            &MASS_DELETION,
            Location::file((*first).clone(), Side::Base),
            format!(
                "This change deletes {} files (the threshold is {}), starting with {first}; check each deletion is intended.",
                deleted.len(),
                options.mass_deletion_files
            ),
        ));
    }
    findings.extend(incomplete(&change.completeness.gaps));
    findings
}

/// One finding per part of the change that could not be read, whether the source noticed
/// while listing the change or while reading a file's content.
pub fn incomplete(gaps: &[String]) -> Vec<Finding> {
    gaps.iter()
        .map(|gap| {
            Finding::new(
                &INCOMPLETE_CHANGE,
                // The gap belongs to no single file: it points at the repository root.
                Location::file(RepoPath::new("."), Side::Head),
                format!("twokey could not read the whole change: {gap} A human must review what was not analysed."),
            )
        })
        .collect()
}

/// Builders for analyzer tests in this crate: a file change, both sides' content and a fake
/// snapshot holding the sibling files an analyzer may look at.
#[cfg(test)]
pub(crate) mod testkit {
    use crate::analyze::{classify, AnalyzeOptions, FileKind, FileView};
    use crate::change::{Content, EntryKind, FileChange, FileStatus, RepoPath, Side, Snapshot};
    use crate::finding::Finding;

    #[derive(Default)]
    pub struct FakeSnapshot {
        pub files: Vec<(Side, String, Content)>,
    }

    impl Snapshot for FakeSnapshot {
        fn read(&self, side: Side, path: &RepoPath) -> Content {
            self.files
                .iter()
                .find(|(s, p, _)| *s == side && p == path.as_str())
                .map(|(_, _, c)| c.clone())
                .unwrap_or(Content::Absent)
        }
        fn list_dir(&self, side: Side, dir: &str) -> Vec<RepoPath> {
            self.files
                .iter()
                .filter(|(s, p, _)| *s == side && RepoPath::new(p.as_str()).dir() == dir)
                .map(|(_, p, _)| RepoPath::new(p.as_str()))
                .collect()
        }
        fn list_subdirs(&self, side: Side, dir: &str) -> Vec<String> {
            let prefix = format!("{dir}/");
            let mut names: Vec<String> = self
                .files
                .iter()
                .filter(|(s, _, _)| *s == side)
                .filter_map(|(_, p, _)| p.strip_prefix(&prefix)?.split_once('/'))
                .map(|(name, _)| name.to_owned())
                .collect();
            names.sort();
            names.dedup();
            names
        }
    }

    /// One file's change, ready to hand to an analyzer.
    pub struct Case {
        pub change: FileChange,
        pub old: Content,
        pub new: Content,
        pub kind: Option<FileKind>,
        pub snapshot: FakeSnapshot,
        pub options: AnalyzeOptions,
        /// Other files the change touches; empty: the memo reads every sibling.
        pub changed: Vec<RepoPath>,
    }

    fn text(t: &str) -> Content {
        Content::Text(t.into())
    }

    fn change(status: FileStatus, old: Option<&str>, new: Option<&str>) -> FileChange {
        FileChange {
            status,
            old_path: old.map(RepoPath::new),
            new_path: new.map(RepoPath::new),
            old_kind: if old.is_some() {
                EntryKind::File
            } else {
                EntryKind::Absent
            },
            new_kind: if new.is_some() {
                EntryKind::File
            } else {
                EntryKind::Absent
            },
            binary: false,
            hunks: Vec::new(),
            added_lines: 0,
            deleted_lines: 0,
            lines_deferred: false,
            old_size: None,
            new_size: None,
        }
    }

    impl Case {
        fn new(change: FileChange, old: Content, new: Content) -> Case {
            let mut snapshot = FakeSnapshot::default();
            if let Some(p) = &change.old_path {
                snapshot
                    .files
                    .push((Side::Base, p.to_string(), old.clone()));
            }
            if let Some(p) = &change.new_path {
                snapshot
                    .files
                    .push((Side::Head, p.to_string(), new.clone()));
            }
            Case {
                change,
                old,
                new,
                kind: None,
                snapshot,
                options: AnalyzeOptions::default(),
                changed: Vec::new(),
            }
        }
        pub fn modified(path: &str, old: &str, new: &str) -> Case {
            Case::new(
                change(FileStatus::Modified, Some(path), Some(path)),
                text(old),
                text(new),
            )
        }
        pub fn added(path: &str, new: &str) -> Case {
            Case::new(
                change(FileStatus::Added, None, Some(path)),
                Content::Absent,
                text(new),
            )
        }
        pub fn deleted(path: &str, old: &str) -> Case {
            Case::new(
                change(FileStatus::Deleted, Some(path), None),
                text(old),
                Content::Absent,
            )
        }
        pub fn renamed(from: &str, to: &str, old: &str, new: &str) -> Case {
            Case::new(
                change(FileStatus::Renamed, Some(from), Some(to)),
                text(old),
                text(new),
            )
        }
        /// Replaces one side's content (for unreadable files).
        pub fn with_content(mut self, side: Side, content: Content) -> Case {
            match side {
                Side::Base => self.old = content,
                Side::Head => self.new = content,
            }
            self
        }
        /// Another file in the snapshot on `side`.
        pub fn with_file(mut self, side: Side, path: &str, content: &str) -> Case {
            self.snapshot
                .files
                .push((side, path.to_owned(), text(content)));
            self
        }
        /// The change as a git source hands it over: hunks left for the view to compute.
        pub fn deferred(mut self) -> Case {
            self.change.lines_deferred = true;
            self.change.hunks.clear();
            self
        }
        /// Another file the change touches, as it reads on `side`.
        pub fn with_changed_file(mut self, side: Side, path: &str, content: &str) -> Case {
            self.changed.push(RepoPath::new(path));
            self.with_file(side, path, content)
        }
        pub fn with_options(mut self, options: AnalyzeOptions) -> Case {
            self.options = options;
            self
        }
        pub fn with_kind(mut self, kind: FileKind) -> Case {
            self.kind = Some(kind);
            self
        }
        pub fn with_hunk(
            mut self,
            old_start: u32,
            old_lines: u32,
            new_start: u32,
            new_lines: u32,
        ) -> Case {
            self.change.hunks.push(crate::change::Hunk {
                old_start,
                old_lines,
                new_start,
                new_lines,
            });
            self
        }
        /// The kind the engine would give the file: by path, then by the head (or base) text.
        pub fn kind(&self) -> FileKind {
            self.kind.unwrap_or_else(|| {
                let by_head = classify(self.change.path(), self.new.text());
                if by_head == FileKind::Other {
                    let base_path = self.change.old_path.as_ref().unwrap_or(self.change.path());
                    classify(base_path, self.old.text())
                } else {
                    by_head
                }
            })
        }
        fn memo(&self) -> crate::analyze::Memo {
            if self.changed.is_empty() {
                return crate::analyze::Memo::default();
            }
            let own = [&self.change.old_path, &self.change.new_path];
            let own = own.into_iter().flatten().cloned();
            crate::analyze::Memo::for_paths(own.chain(self.changed.iter().cloned()))
        }
        pub fn run(&self, analyzer: impl Fn(&FileView) -> Vec<Finding>) -> Vec<Finding> {
            let view = FileView {
                change: &self.change,
                kind: self.kind(),
                old: &self.old,
                new: &self.new,
                snapshot: &self.snapshot,
                options: &self.options,
                memo: &self.memo(),
                lines: Default::default(),
            };
            analyzer(&view)
        }
    }

    /// The rule ids of some findings, for compact assertions.
    pub fn ids(findings: &[Finding]) -> Vec<&'static str> {
        findings.iter().map(|f| f.rule.as_str()).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::testkit::{ids, Case};
    use super::*;
    use crate::change::{
        Commit, Completeness, EntryKind, FileChange, FileStatus, Identity, Revision,
    };

    const TF: &str = "resource \"aws_s3_bucket\" \"logs\" {\n  bucket = \"logs\"\n}\n";
    const VARIABLE: &str = "variable \"region\" {\n  type = string\n}\n";

    #[test]
    fn deleting_a_charts_notes_deletes_nothing_but_a_template_still_counts() {
        let notes = "Get the URL:\n  kubectl get svc {{ include \"app.fullname\" . }}\n";
        assert!(Case::deleted("charts/app/templates/NOTES.txt", notes)
            .run(analyze)
            .is_empty());
        // A template Helm renders but twokey cannot read as YAML is still a deleted file.
        let tpl = "{{- range .Values.jobs }}\n{{ toYaml . }}\n{{- end }}\n";
        let f = Case::deleted("charts/app/templates/jobs.tpl", tpl).run(analyze);
        assert_eq!(ids(&f), ["git/infra-file-deleted"]);
    }

    #[test]
    fn deleting_a_tofu_override_with_its_tf_file_beside_it_is_judged_as_the_pair() {
        // `main.tf` stays: OpenTofu reads it again, and the Terraform analyzer compares them.
        let f = Case::deleted("infra/main.tofu", TF)
            .with_file(Side::Head, "infra/main.tf", TF)
            .run(analyze);
        assert!(f.is_empty(), "{f:?}");
        // Alone, it is a deleted configuration file like any other: the Terraform analyzer
        // reports what it declared.
        let f = Case::deleted("infra/main.tofu", TF).run(analyze);
        assert!(f.is_empty(), "{f:?}");
        let f = Case::deleted("infra/main.tofu", TF).run(crate::analyze::terraform::analyze);
        assert_eq!(ids(&f), ["terraform/resource-removed"]);
    }

    #[test]
    fn deleting_a_terragrunt_unit_leaves_its_resources_unmanaged() {
        let unit = "terraform {\n  source = \"../modules/db\"\n}\n";
        let f = Case::deleted("live/prod/db/terragrunt.hcl", unit).run(analyze);
        assert_eq!(ids(&f), ["git/infra-file-deleted"]);
        assert!(f[0].message.contains("unmanaged"), "{}", f[0].message);
        assert!(!f[0].safer.as_deref().unwrap_or("").contains("moved"));
        // A shared file is not a unit: the general wording stays.
        let f = Case::deleted("live/root.hcl", "locals {}\n").run(analyze);
        assert!(!f[0].message.contains("unmanaged"), "{}", f[0].message);
    }

    #[test]
    fn deleting_a_kustomization_speaks_of_the_build_not_terraform_state() {
        let k = "apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nresources:\n  - deployment.yaml\n";
        let f = Case::deleted("clusters/prod/payments/kustomization.yaml", k).run(analyze);
        assert_eq!(ids(&f), ["git/infra-file-deleted"]);
        assert!(
            f[0].message.contains("leaves the build"),
            "{}",
            f[0].message
        );
        let safer = f[0].safer.as_deref().unwrap_or("");
        assert!(safer.contains("kustomize build"), "{safer}");
        assert!(!safer.contains("Terraform"), "{safer}");
        // Deleted together with every manifest it lists, whose objects are reported one by
        // one where they are declared: the kustomization adds nothing.
        let f = Case::deleted("clusters/prod/payments/kustomization.yaml", k)
            .with_changed_file(
                Side::Base,
                "clusters/prod/payments/deployment.yaml",
                "kind: Deployment\n",
            )
            .run(analyze);
        assert!(f.is_empty(), "{f:?}");
    }

    #[test]
    fn deleting_a_shared_terragrunt_file_says_it_destroys_nothing_itself_and_names_its_units() {
        let shared =
            "locals {\n  base_source_url = \"git::git@github.com:acme/modules.git//mysql\"\n}\n";
        let including = "include \"envcommon\" {\n  path = \"${dirname(find_in_parent_folders(\"root.hcl\"))}/_envcommon/mysql.hcl\"\n}\n";
        let inlined =
            "terraform {\n  source = \"git::git@github.com:acme/modules.git//mysql?ref=v1\"\n}\n";
        let f = Case::deleted("live/_envcommon/mysql.hcl", shared)
            .with_changed_file(Side::Base, "live/prod/mysql/terragrunt.hcl", including)
            .with_changed_file(Side::Head, "live/prod/mysql/terragrunt.hcl", inlined)
            .with_changed_file(Side::Base, "live/stage/mysql/terragrunt.hcl", including)
            .with_changed_file(Side::Head, "live/stage/mysql/terragrunt.hcl", including)
            .with_changed_file(Side::Base, "live/prod/redis/terragrunt.hcl", inlined)
            .with_changed_file(Side::Head, "live/prod/redis/terragrunt.hcl", inlined)
            .run(analyze);
        assert_eq!(ids(&f), ["git/infra-file-deleted"]);
        let m = &f[0].message;
        assert!(
            m.contains("destroys nothing by itself") && !m.contains("may be destroyed"),
            "{m}"
        );
        assert!(
            m.contains("still refer to it: live/stage/mysql/terragrunt.hcl.")
                && m.contains("no longer do (what they now apply is judged in their own files): live/prod/mysql/terragrunt.hcl."),
            "{m}"
        );
        assert!(!m.contains("redis"), "{m}");
        // Shown nothing by the change: the general shared-file wording, no unit named.
        let f = Case::deleted("live/root.hcl", "locals {}\n").run(analyze);
        assert!(
            f[0].message.contains("destroys nothing by itself")
                && !f[0].message.contains("Units of"),
            "{}",
            f[0].message
        );
    }

    #[test]
    fn deleting_a_values_file_is_a_low_note_that_its_values_stop_applying() {
        let values = "instance_count = 2\n";
        for path in ["live/terraform.tfvars", "live/prod.tfvars"] {
            let f = Case::deleted(path, values).run(analyze);
            assert_eq!(ids(&f), ["git/infra-file-deleted"], "{path}");
            assert_eq!(f[0].severity, Severity::Low, "{path}");
            assert!(
                f[0].message.contains("declares no resources")
                    && f[0].message.contains("falls back to its default"),
                "{}",
                f[0].message
            );
        }
        let f = Case::deleted("live/main.tf", TF)
            .with_file(Side::Base, "live/variables.tf", VARIABLE)
            .with_file(Side::Head, "live/variables.tf", VARIABLE)
            .run(crate::analyze::terraform::analyze);
        assert_eq!(
            f[0].severity,
            Severity::Critical,
            "resources are another matter"
        );
    }

    #[test]
    fn deleting_a_terraform_file_reports_what_it_declared_not_the_file() {
        // The Terraform analyzer reports each block that went nowhere, by address; a
        // file-level finding on top would also flag a split or merge of `.tf` files.
        let f = Case::deleted("infra/prod/buckets.tf", TF).run(analyze);
        assert!(f.is_empty(), "{f:?}");
        let f = Case::deleted("infra/prod/buckets.tf", TF)
            .with_file(Side::Base, "infra/prod/variables.tf", VARIABLE)
            .with_file(Side::Head, "infra/prod/variables.tf", VARIABLE)
            .run(crate::analyze::terraform::analyze);
        assert_eq!(ids(&f), ["terraform/resource-removed"]);
        assert_eq!(f[0].severity, Severity::Critical, "a bucket, in production");
        assert_eq!(f[0].location.side, Side::Base);
        assert_eq!(f[0].location.path.as_str(), "infra/prod/buckets.tf");
        assert!(f[0].tags.contains(&Tag::Destructive) && f[0].tags.contains(&Tag::Infra));
        assert!(
            f[0].message
                .contains("deleted along with infra/prod/buckets.tf"),
            "{}",
            f[0].message
        );
    }

    #[test]
    fn deleting_a_terraform_file_that_git_cannot_parse_still_needs_a_human() {
        let f = Case::deleted(
            "infra/prod/buckets.tf",
            "resource \"aws_s3_bucket\" \"b\" {\n",
        )
        .run(crate::analyze::terraform::analyze);
        assert_eq!(ids(&f), ["terraform/unparseable"]);
    }

    #[test]
    fn deleting_migrations_a_squash_replaced_is_the_last_step_of_the_squash() {
        let squash = "class Migration(migrations.Migration):\n    replaces = [('crm', '0001_initial'), ('crm', '0002_more')]\n    operations = []\n";
        let old = "class Migration(migrations.Migration):\n    operations = []\n";
        let path = "crm/migrations/0001_squashed_0002_more.py";
        let f = Case::deleted("crm/migrations/0001_initial.py", old)
            .with_file(Side::Base, path, squash)
            .with_file(
                Side::Head,
                path,
                &squash.replace(
                    "    replaces = [('crm', '0001_initial'), ('crm', '0002_more')]\n",
                    "",
                ),
            )
            .run(analyze);
        assert!(f.is_empty(), "{f:?}");
        // Not among those it replaces, or with the squash gone too: still noted.
        let f = Case::deleted("crm/migrations/0003_other.py", old)
            .with_file(Side::Base, path, squash)
            .with_file(Side::Head, path, squash)
            .run(analyze);
        assert_eq!(ids(&f), ["git/migration-deleted"]);
        let f = Case::deleted("crm/migrations/0001_initial.py", old)
            .with_file(Side::Base, path, squash)
            .run(analyze);
        assert_eq!(ids(&f), ["git/migration-deleted"]);
    }

    #[test]
    fn deleting_a_migration_undoes_nothing_but_is_noted() {
        for (path, text) in [
            (
                "app/migrations/0001_initial.py",
                "from django.db import migrations\n",
            ),
            ("db/migrations/001_init.sql", "CREATE TABLE t (id INT);\n"),
            (
                "db/migrate/20240101_create_users.rb",
                "class CreateUsers < ActiveRecord::Migration[7.1]\nend\n",
            ),
        ] {
            let f = Case::deleted(path, text).run(analyze);
            assert_eq!(ids(&f), ["git/migration-deleted"], "{path}");
            assert_eq!(
                (f[0].severity, f[0].tags.clone()),
                (Severity::Medium, vec![Tag::Infra])
            );
        }
        // A declarative schema is applied as a difference: deleting it drops what it declares.
        // The SQL analyzer names each table a SQL schema drops, so the file note stays out.
        let f =
            Case::deleted("prisma/schema.prisma", "model User {\n  id Int @id\n}\n").run(analyze);
        assert_eq!(ids(&f), ["git/infra-file-deleted"]);
        for path in ["db/schema.sql", "supabase/schemas/users.sql"] {
            let f = Case::deleted(path, "CREATE TABLE users (id INT);\n").run(analyze);
            assert!(f.is_empty(), "{path}: {f:?}");
            let all = Case::deleted(path, "CREATE TABLE users (id INT);\n")
                .run(crate::analyze::analyze_file);
            assert_eq!(ids(&all), ["sql/drop-table"], "{path}");
        }
    }

    #[test]
    fn deleting_a_pipeline_or_dockerfile_stops_it_and_destroys_nothing() {
        for (path, text) in [
            (".github/workflows/lint.yml", "on: push\njobs: {}\n"),
            (".gitlab-ci.yml", "stages: [test]\n"),
            ("Dockerfile", "FROM node:20\n"),
        ] {
            let f = Case::deleted(path, text).run(analyze);
            assert_eq!(ids(&f), ["git/pipeline-deleted"], "{path}");
            assert_eq!(
                (f[0].severity, f[0].tags.clone()),
                (Severity::Low, vec![Tag::Infra])
            );
        }
    }

    #[test]
    fn a_retargeted_infrastructure_symlink_needs_a_human() {
        let mut case = Case::modified("envs/prod/db.tf", TF, TF);
        case.old = Content::Symlink;
        case.new = Content::Symlink;
        let f = case.run(analyze);
        assert_eq!(ids(&f), ["git/unreadable-infra-file"]);
        assert!(f[0].message.contains("symbolic link"), "{}", f[0].message);
    }

    #[test]
    fn deleting_application_code_is_not_an_infra_file_deletion() {
        let f = Case::deleted("src/main.rs", "fn main() {}\n").run(analyze);
        assert!(f.is_empty(), "{f:?}");
    }

    #[test]
    fn modifying_an_infra_file_is_not_a_deletion() {
        let f =
            Case::modified("infra/main.tf", TF, &TF.replace("logs\"\n", "logs2\"\n")).run(analyze);
        assert!(f.is_empty(), "{f:?}");
    }

    #[test]
    fn deleted_kubernetes_manifest_is_left_to_the_object_by_object_comparison() {
        let f = Case::deleted(
            "deploy/app.yaml",
            "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: x\n",
        )
        .run(analyze);
        assert!(f.is_empty(), "{f:?}");
    }

    #[test]
    fn deleted_cloudformation_template_is_left_to_the_resource_by_resource_comparison() {
        let f = Case::deleted(
            "infra/storage.template.yaml",
            "Resources:\n  Logs:\n    Type: AWS::S3::Bucket\n",
        )
        .run(analyze);
        assert!(f.is_empty(), "{f:?}");
    }

    #[test]
    fn oversized_infra_file_on_head_needs_a_human_with_its_size() {
        let f = Case::modified("infra/main.tf", TF, "")
            .with_content(Side::Head, Content::TooLarge(5_000_000))
            .run(analyze);
        assert_eq!(ids(&f), ["git/unreadable-infra-file"]);
        assert_eq!(f[0].location.side, Side::Head);
        assert!(f[0].message.contains("5000000 bytes"), "{}", f[0].message);
        assert_eq!(f[0].tags, [Tag::Infra]);
    }

    #[test]
    fn binary_base_of_an_infra_file_says_binary_on_the_base_side() {
        let f = Case::modified("infra/main.tf", "", TF)
            .with_content(Side::Base, Content::Binary)
            .run(analyze);
        assert_eq!(ids(&f), ["git/unreadable-infra-file"]);
        assert_eq!(f[0].location.side, Side::Base);
        assert!(
            f[0].message.contains("binary on the base side"),
            "{}",
            f[0].message
        );
    }

    #[test]
    fn non_utf8_on_both_sides_is_one_finding() {
        let f = Case::modified("db/migrations/001.sql", "", "")
            .with_content(Side::Base, Content::NotUtf8)
            .with_content(Side::Head, Content::NotUtf8)
            .run(analyze);
        assert_eq!(ids(&f), ["git/unreadable-infra-file"]);
        assert!(
            f[0].message.contains("not UTF-8 text on both sides"),
            "{}",
            f[0].message
        );
    }

    #[test]
    fn unreadable_application_file_is_not_reported() {
        let f = Case::modified("assets/logo.png", "", "")
            .with_content(Side::Base, Content::Binary)
            .with_content(Side::Head, Content::Binary)
            .run(analyze);
        assert!(f.is_empty(), "{f:?}");
    }

    fn file(status: FileStatus, path: &str) -> FileChange {
        let deleted = status == FileStatus::Deleted;
        FileChange {
            status,
            old_path: Some(RepoPath::new(path)),
            new_path: (!deleted).then(|| RepoPath::new(path)),
            old_kind: EntryKind::File,
            new_kind: if deleted {
                EntryKind::Absent
            } else {
                EntryKind::File
            },
            binary: false,
            hunks: Vec::new(),
            added_lines: 0,
            deleted_lines: 1,
            lines_deferred: false,
            old_size: None,
            new_size: None,
        }
    }

    fn change_of(files: Vec<FileChange>, gaps: Vec<String>) -> Change {
        Change {
            base: Revision::new("a"),
            head: Revision::new("b"),
            branch: None,
            files,
            commits: vec![Commit::new(
                Revision::new("b"),
                Identity::new("A", "a@example.com"),
                Identity::new("A", "a@example.com"),
                "clean up".to_owned(),
            )],
            pull_request: None,
            completeness: Completeness { gaps },
        }
    }

    fn options(mass: usize) -> AnalyzeOptions {
        AnalyzeOptions {
            mass_deletion_files: mass,
            ..AnalyzeOptions::default()
        }
    }

    #[test]
    fn deleting_as_many_files_as_the_threshold_is_a_mass_deletion() {
        let mut files = vec![file(FileStatus::Modified, "README.md")];
        files.extend((0..3).map(|i| file(FileStatus::Deleted, &format!("legacy/f{i}.rs"))));
        let f = analyze_change(&change_of(files, vec![]), &options(3));
        assert_eq!(ids(&f), ["git/mass-deletion"]);
        assert_eq!(f[0].location.path.as_str(), "legacy/f0.rs");
        assert_eq!(f[0].location.side, Side::Base);
        assert!(f[0].message.contains("deletes 3 files"), "{}", f[0].message);
        assert_eq!(f[0].tags, [Tag::Destructive]);
    }

    #[test]
    fn deleting_fewer_files_than_the_threshold_is_not_a_mass_deletion() {
        let mut files: Vec<_> = (0..2)
            .map(|i| file(FileStatus::Deleted, &format!("f{i}")))
            .collect();
        files.extend((0..5).map(|i| file(FileStatus::Modified, &format!("m{i}"))));
        assert!(analyze_change(&change_of(files, vec![]), &options(3)).is_empty());
    }

    #[test]
    fn a_zero_threshold_does_not_flag_a_change_without_deletions() {
        let files = vec![file(FileStatus::Modified, "a.rs")];
        assert!(analyze_change(&change_of(files, vec![]), &options(0)).is_empty());
    }

    #[test]
    fn every_gap_in_completeness_is_an_incomplete_change_finding() {
        let gaps = vec![
            "The API listed only the first 3000 files.".to_owned(),
            "The diff of infra/big.tf was truncated.".to_owned(),
        ];
        let f = analyze_change(&change_of(vec![], gaps), &options(50));
        assert_eq!(ids(&f), ["git/incomplete-change", "git/incomplete-change"]);
        assert!(
            f[0].message.contains("first 3000 files"),
            "{}",
            f[0].message
        );
        assert!(f[1].message.contains("infra/big.tf"), "{}", f[1].message);
        assert_eq!(f[0].tags, [Tag::Infra]);
    }

    #[test]
    fn a_complete_change_has_no_incomplete_change_finding() {
        let files = vec![file(FileStatus::Modified, "a.rs")];
        assert!(analyze_change(&change_of(files, vec![]), &options(50)).is_empty());
    }
}
