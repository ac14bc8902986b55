//! Catalogue of before/after fixtures for the Terraform analyzer.

use super::*;
use crate::analyze::{AnalyzeOptions, FileKind};
use crate::change::{Content, EntryKind, FileChange, FileStatus, Snapshot};
use proptest::prelude::*;

/// A snapshot holding whole directories on both sides.
#[derive(Default)]
pub(super) struct Fake {
    files: Vec<(Side, RepoPath, String)>,
}

impl Fake {
    pub(super) fn with(mut self, side: Side, path: &str, text: &str) -> Self {
        self.files
            .push((side, RepoPath::new(path), text.to_owned()));
        self
    }
}

impl Snapshot for Fake {
    fn read(&self, side: Side, path: &RepoPath) -> Content {
        self.files
            .iter()
            .find(|(s, p, _)| *s == side && p == path)
            .map_or(Content::Absent, |(_, _, t)| {
                Content::Text(t.as_str().into())
            })
    }
    fn list_dir(&self, side: Side, dir: &str) -> Vec<RepoPath> {
        self.files
            .iter()
            .filter(|(s, p, _)| *s == side && p.dir() == dir)
            .map(|(_, p, _)| p.clone())
            .collect()
    }
}

pub(super) fn change(old: Option<&str>, new: Option<&str>) -> FileChange {
    let status = match (old, new) {
        (None, _) => FileStatus::Added,
        (_, None) => FileStatus::Deleted,
        (Some(a), Some(b)) if a != b => FileStatus::Renamed,
        _ => FileStatus::Modified,
    };
    let kind = |p: Option<&str>| {
        if p.is_some() {
            EntryKind::File
        } else {
            EntryKind::Absent
        }
    };
    FileChange {
        status,
        old_path: old.map(RepoPath::new),
        new_path: new.map(RepoPath::new),
        old_kind: kind(old),
        new_kind: kind(new),
        binary: false,
        hunks: Vec::new(),
        added_lines: 0,
        deleted_lines: 0,
        lines_deferred: false,
        old_size: None,
        new_size: None,
    }
}

/// Runs the analyzer on `path` with the given sides; `snapshot` holds the rest of the repo
/// (the reviewed file's sides are added to it, as a real source would have them).
pub(super) fn run_in(
    snapshot: Fake,
    path: &str,
    before: Option<&str>,
    after: Option<&str>,
) -> Vec<Finding> {
    run_as(FileKind::Terraform, analyze, snapshot, path, before, after)
}

/// Runs `analyzer` on `path` read as `kind`, with `snapshot` holding the rest of the tree.
pub(super) fn run_as(
    kind: FileKind,
    analyzer: fn(&FileView) -> Vec<Finding>,
    snapshot: Fake,
    path: &str,
    before: Option<&str>,
    after: Option<&str>,
) -> Vec<Finding> {
    let mut snapshot = snapshot;
    if let Some(b) = before {
        snapshot = snapshot.with(Side::Base, path, b);
    }
    if let Some(a) = after {
        snapshot = snapshot.with(Side::Head, path, a);
    }
    let fc = change(before.map(|_| path), after.map(|_| path));
    let old = before.map_or(Content::Absent, |t| Content::Text(t.into()));
    let new = after.map_or(Content::Absent, |t| Content::Text(t.into()));
    let options = AnalyzeOptions::default();
    let view = FileView {
        change: &fc,
        kind,
        old: &old,
        new: &new,
        snapshot: &snapshot,
        options: &options,
        memo: &crate::analyze::Memo::default(),
        lines: Default::default(),
    };
    analyzer(&view)
}

pub(super) fn run(before: &str, after: &str) -> Vec<Finding> {
    run_in(Fake::default(), "infra/main.tf", Some(before), Some(after))
}

pub(super) fn ids(findings: &[Finding]) -> Vec<&'static str> {
    findings.iter().map(|f| f.rule.as_str()).collect()
}

// The per-provider catalogues (`tests_aws`, `tests_gcp_azure`) edit one resource block at a
// time and name the rules they expect.

pub(super) const REPLACED: &str = "terraform/replacement-attribute";
pub(super) const WEAKENED: &str = "terraform/protection-weakened";
pub(super) const SHORTENED: &str = "terraform/retention-shortened";

/// One `rtype` block named `x` with `body` inside.
pub(super) fn resource(rtype: &str, body: &str) -> String {
    format!("resource \"{rtype}\" \"x\" {{\n{body}}}\n")
}

/// The rule ids of editing `body` of one `rtype` block from `from` to `to`.
pub(super) fn edit(rtype: &str, body: &str, from: &str, to: &str) -> Vec<&'static str> {
    assert!(body.contains(from), "{from} not in {body}");
    ids(&run(
        &resource(rtype, body),
        &resource(rtype, &body.replace(from, to)),
    ))
}

const BUCKET: &str = r#"
resource "aws_s3_bucket" "logs" {
  bucket = "acme-logs"
}
"#;

const BUCKET_AND_QUEUE: &str = r#"
resource "aws_s3_bucket" "logs" {
  bucket = "acme-logs"
}

resource "aws_sqs_queue" "jobs" {
  name = "jobs"
}
"#;

// ---- no findings ---------------------------------------------------------------------------

#[test]
fn comment_only_edit_is_quiet() {
    let after = "# Logs bucket, owned by platform.\n\nresource \"aws_s3_bucket\" \"logs\" {\n  # the name is global\n  bucket = \"acme-logs\" // keep\n}\n";
    assert!(run(BUCKET, after).is_empty());
}

#[test]
fn whitespace_and_formatting_edit_is_quiet() {
    let after =
        "resource   \"aws_s3_bucket\"   \"logs\"   {\n\n\n      bucket    =    \"acme-logs\"\n}";
    assert!(run(BUCKET, after).is_empty());
}

#[test]
fn reordering_blocks_is_quiet() {
    let after = r#"
resource "aws_sqs_queue" "jobs" {
  name = "jobs"
}
resource "aws_s3_bucket" "logs" {
  bucket = "acme-logs"
}
"#;
    assert!(run(BUCKET_AND_QUEUE, after).is_empty());
}

#[test]
fn pure_addition_is_quiet() {
    assert!(run(BUCKET, BUCKET_AND_QUEUE).is_empty());
    assert!(run_in(
        Fake::default(),
        "infra/new.tf",
        None,
        Some(BUCKET_AND_QUEUE)
    )
    .is_empty());
}

#[test]
fn removing_a_data_source_is_not_destructive() {
    let before = format!("{BUCKET}\ndata \"aws_caller_identity\" \"me\" {{}}\n");
    assert!(run(&before, BUCKET).is_empty());
}

// ---- resource-removed ----------------------------------------------------------------------

#[test]
fn removed_stateful_resource_is_critical_and_points_at_base_lines() {
    let f = run(BUCKET_AND_QUEUE, "");
    assert_eq!(
        ids(&f),
        ["terraform/resource-removed", "terraform/resource-removed"]
    );
    let bucket = &f[0];
    assert_eq!(bucket.severity, Severity::Critical);
    assert_eq!(bucket.location.side, Side::Base);
    assert_eq!(
        (bucket.location.line, bucket.location.end_line),
        (Some(2), Some(4))
    );
    assert!(
        bucket.message.contains("aws_s3_bucket.logs"),
        "{}",
        bucket.message
    );
    assert!(bucket
        .safer
        .as_deref()
        .unwrap_or("")
        .contains("removed { from = aws_s3_bucket.logs"));
    // An SQS queue holds messages: stateful too.
    assert_eq!(f[1].severity, Severity::Critical);
}

#[test]
fn removed_ordinary_resource_is_high_and_a_rule_is_medium() {
    let before = r#"
resource "aws_instance" "web" {
  ami = "ami-1"
}
resource "aws_security_group_rule" "ssh" {
  type = "ingress"
}
resource "null_resource" "hook" {}
"#;
    let f = run(before, "");
    let sev: Vec<Severity> = f.iter().map(|f| f.severity).collect();
    assert_eq!(sev, [Severity::High, Severity::Medium, Severity::Low]);
}

#[test]
fn resource_moved_to_a_sibling_file_is_not_removed() {
    let snapshot = Fake::default()
        .with(Side::Base, "infra/storage.tf", "")
        .with(Side::Head, "infra/storage.tf", BUCKET);
    assert!(run_in(
        snapshot,
        "infra/main.tf",
        Some(BUCKET_AND_QUEUE),
        Some("resource \"aws_sqs_queue\" \"jobs\" {\n  name = \"jobs\"\n}\n")
    )
    .is_empty());
}

#[test]
fn resource_moved_to_another_directory_is_removed_here() {
    let snapshot = Fake::default().with(Side::Head, "other/main.tf", BUCKET);
    let f = run_in(snapshot, "infra/main.tf", Some(BUCKET), Some(""));
    assert_eq!(ids(&f), ["terraform/resource-removed"]);
}

#[test]
fn deleted_file_destroys_everything_in_it_unless_a_sibling_has_it() {
    let versions = Fake::default().with(Side::Head, "infra/versions.tf", "terraform {}\n");
    let f = run_in(versions, "infra/old.tf", Some(BUCKET_AND_QUEUE), None);
    assert_eq!(
        ids(&f),
        ["terraform/resource-removed", "terraform/resource-removed"]
    );
    assert!(
        f[0].message.contains("deleted along with infra/old.tf"),
        "{}",
        f[0].message
    );

    let snapshot = Fake::default().with(Side::Head, "infra/new.tf", BUCKET_AND_QUEUE);
    assert!(run_in(snapshot, "infra/old.tf", Some(BUCKET_AND_QUEUE), None).is_empty());
}

#[test]
fn file_renamed_within_the_directory_is_quiet_but_across_directories_destroys() {
    let analyze_rename = |from: &str, to: &str| {
        let snapshot = Fake::default()
            .with(Side::Base, from, BUCKET)
            .with(Side::Head, to, BUCKET);
        let fc = change(Some(from), Some(to));
        let text = Content::Text(BUCKET.into());
        let options = AnalyzeOptions::default();
        let view = FileView {
            change: &fc,
            kind: FileKind::Terraform,
            old: &text,
            new: &text,
            snapshot: &snapshot,
            options: &options,
            memo: &crate::analyze::Memo::default(),
            lines: Default::default(),
        };
        analyze(&view)
    };
    assert!(analyze_rename("infra/main.tf", "infra/storage.tf").is_empty());
    let f = analyze_rename("infra/main.tf", "archive/main.tf");
    assert_eq!(ids(&f), ["terraform/resource-removed"]);
    assert_eq!(f[0].location.path.as_str(), "infra/main.tf");
    // infra/ has no Terraform file left: its configuration is gone, not applied.
    assert!(
        f[0].message
            .contains("moved to archive/main.tf, and no Terraform file is left in infra"),
        "{}",
        f[0].message
    );
}

#[test]
fn removal_mentions_lost_prevent_destroy() {
    let before = "resource \"aws_db_instance\" \"main\" {\n  lifecycle {\n    prevent_destroy = true\n  }\n}\n";
    let f = run(before, "");
    assert_eq!(ids(&f), ["terraform/resource-removed"]);
    assert!(f[0].message.contains("prevent_destroy"), "{}", f[0].message);
}

#[test]
fn removal_covered_by_a_forgetting_removed_block_is_quiet() {
    let after =
        "removed {\n  from = aws_s3_bucket.logs\n  lifecycle {\n    destroy = false\n  }\n}\n";
    assert!(run(BUCKET, after).is_empty());
}

#[test]
fn removing_a_block_that_has_no_instances_is_quiet() {
    assert!(run(&counted("count = 0"), "").is_empty());
    assert!(run(&counted("for_each = {}"), "").is_empty());
    assert_eq!(
        ids(&run(&counted("count = 2"), "")),
        ["terraform/resource-removed"]
    );
}

// ---- module-removed ------------------------------------------------------------------------

#[test]
fn removed_module_is_critical() {
    let before = "module \"database\" {\n  source = \"./modules/db\"\n}\n";
    let f = run(before, "");
    assert_eq!(ids(&f), ["terraform/module-removed"]);
    assert_eq!(f[0].severity, Severity::Critical);
    assert!(f[0].message.contains("./modules/db"));
}

#[test]
fn module_kept_is_quiet() {
    let m = "module \"database\" {\n  source = \"./modules/db\"\n}\n";
    assert!(run(m, &format!("# db\n{m}")).is_empty());
}

// ---- renamed-without-moved -----------------------------------------------------------------

const RENAMED: &str = r#"
resource "aws_s3_bucket" "audit_logs" {
  bucket = "acme-logs"
}
"#;

#[test]
fn renamed_resource_without_moved_block_is_destroy_and_create() {
    let f = run(BUCKET, RENAMED);
    assert_eq!(ids(&f), ["terraform/renamed-without-moved"]);
    let r = &f[0];
    assert_eq!(r.location.side, Side::Head);
    assert_eq!(r.location.line, Some(2));
    assert_eq!(r.severity, Severity::Critical);
    assert!(
        r.message.contains("aws_s3_bucket.logs") && r.message.contains("aws_s3_bucket.audit_logs")
    );
    assert!(r
        .safer
        .as_deref()
        .unwrap_or("")
        .contains("moved { from = aws_s3_bucket.logs  to = aws_s3_bucket.audit_logs }"));
}

#[test]
fn renamed_resource_says_its_prevent_destroy_no_longer_guards_it() {
    let before = "resource \"aws_s3_bucket\" \"logs\" {\n  bucket = \"acme-logs\"\n  lifecycle {\n    prevent_destroy = true\n  }\n}\n";
    let f = run(before, RENAMED);
    assert_eq!(ids(&f), ["terraform/renamed-without-moved"]);
    assert!(
        f[0].message
            .contains("its `prevent_destroy` guarded only the old name, so nothing stops it"),
        "{}",
        f[0].message
    );
    assert!(!run(BUCKET, RENAMED)[0].message.contains("prevent_destroy"));
}

#[test]
fn renamed_resource_with_moved_block_is_quiet() {
    let after = format!(
        "{RENAMED}\nmoved {{\n  from = aws_s3_bucket.logs\n  to   = aws_s3_bucket.audit_logs\n}}\n"
    );
    assert!(run(BUCKET, &after).is_empty());
}

#[test]
fn moved_block_in_a_sibling_file_counts() {
    let snapshot = Fake::default().with(
        Side::Head,
        "infra/moves.tf",
        "moved {\n  from = aws_s3_bucket.logs\n  to = aws_s3_bucket.audit_logs\n}\n",
    );
    assert!(run_in(snapshot, "infra/main.tf", Some(BUCKET), Some(RENAMED)).is_empty());
}

#[test]
fn rename_into_a_new_sibling_file_is_reported_there() {
    let snapshot = Fake::default().with(Side::Head, "infra/audit.tf", RENAMED);
    let f = run_in(snapshot, "infra/main.tf", Some(BUCKET), Some(""));
    assert_eq!(ids(&f), ["terraform/renamed-without-moved"]);
    assert_eq!(f[0].location.path.as_str(), "infra/audit.tf");
}

#[test]
fn renamed_module_without_moved_block_is_destroy_and_create() {
    let before = "module \"db\" {\n  source = \"./modules/db\"\n}\n";
    let after = "module \"database\" {\n  source = \"./modules/db\"\n}\n";
    let f = run(before, after);
    assert_eq!(ids(&f), ["terraform/renamed-without-moved"]);
    assert_eq!(f[0].severity, Severity::Critical);
    let moved = format!("{after}moved {{\n  from = module.db\n  to = module.database\n}}\n");
    assert!(run(before, &moved).is_empty());
}

#[test]
fn module_replaced_by_one_with_another_source_is_a_removal() {
    let before = "module \"db\" {\n  source = \"./modules/db\"\n}\n";
    let after = "module \"cache\" {\n  source = \"./modules/cache\"\n}\n";
    assert_eq!(ids(&run(before, after)), ["terraform/module-removed"]);
}

#[test]
fn moved_block_with_instance_keys_counts() {
    let before = "module \"a\" {\n  source = \"./m\"\n  count = 1\n}\n";
    let after = "module \"b\" {\n  source = \"./m\"\n  count = 1\n}\nmoved {\n  from = module.a[0]\n  to = module.b[0]\n}\n";
    assert!(run(before, after).is_empty());
}

#[test]
fn gaining_for_each_without_moved_destroys_the_existing_object() {
    let after = "resource \"aws_s3_bucket\" \"logs\" {\n  for_each = toset([\"eu\"])\n  bucket = \"acme-logs\"\n}\n";
    let f = run(BUCKET, after);
    assert_eq!(ids(&f), ["terraform/renamed-without-moved"]);
    assert_eq!(f[0].location.line, Some(2));
    let moved = format!(
        "{after}moved {{\n  from = aws_s3_bucket.logs\n  to = aws_s3_bucket.logs[\"eu\"]\n}}\n"
    );
    assert!(run(BUCKET, &moved).is_empty());
}

#[test]
fn gaining_count_is_moved_automatically() {
    let after = "resource \"aws_s3_bucket\" \"logs\" {\n  count = 1\n  bucket = \"acme-logs\"\n}\n";
    assert!(run(BUCKET, after).is_empty());
}

// ---- removed-block-destroys ----------------------------------------------------------------

#[test]
fn removed_block_with_destroy_true_destroys() {
    let after =
        "removed {\n  from = aws_s3_bucket.logs\n  lifecycle {\n    destroy = true\n  }\n}\n";
    let f = run(BUCKET, after);
    assert_eq!(ids(&f), ["terraform/removed-block-destroys"]);
    assert_eq!(f[0].location.line, Some(1));
    assert_eq!(f[0].severity, Severity::Critical);
}

#[test]
fn removed_block_without_lifecycle_destroys() {
    let after = "removed {\n  from = module.legacy\n}\n";
    let f = run("", after);
    assert_eq!(ids(&f), ["terraform/removed-block-destroys"]);
    assert_eq!(f[0].severity, Severity::Critical);
}

#[test]
fn removed_block_that_forgets_is_quiet_and_unchanged_block_is_quiet() {
    let forget = "removed {\n  from = aws_instance.a\n  lifecycle {\n    destroy = false\n  }\n}\n";
    assert!(run("", forget).is_empty());
    let destroy = "removed {\n  from = aws_instance.a\n}\n";
    assert!(run(destroy, &format!("# done\n{destroy}")).is_empty());
    // Flipping an existing block from forget to destroy is new destruction.
    assert_eq!(
        ids(&run(forget, destroy)),
        ["terraform/removed-block-destroys"]
    );
}

// ---- prevent-destroy-removed ---------------------------------------------------------------

const GUARDED_DB: &str = r#"resource "aws_db_instance" "main" {
  engine = "postgres"
  lifecycle {
    prevent_destroy = true
  }
}
"#;

#[test]
fn prevent_destroy_turned_off_is_reported_on_its_line() {
    let after = GUARDED_DB.replace("prevent_destroy = true", "prevent_destroy = false");
    let f = run(GUARDED_DB, &after);
    assert_eq!(ids(&f), ["terraform/prevent-destroy-removed"]);
    assert_eq!(f[0].location.line, Some(4));
    assert_eq!(f[0].severity, Severity::High);
}

#[test]
fn prevent_destroy_deleted_is_reported_on_the_block() {
    let after = "resource \"aws_db_instance\" \"main\" {\n  engine = \"postgres\"\n}\n";
    let f = run(GUARDED_DB, after);
    assert_eq!(ids(&f), ["terraform/prevent-destroy-removed"]);
    assert_eq!(f[0].location.line, Some(1));
}

#[test]
fn prevent_destroy_kept_or_added_is_quiet() {
    let resized = GUARDED_DB.replace(
        "  engine = \"postgres\"\n",
        "  engine = \"postgres\"\n  instance_class = \"db.t3.large\"\n",
    );
    assert!(run(GUARDED_DB, &resized).is_empty());
    let plain = "resource \"aws_db_instance\" \"main\" {\n  engine = \"postgres\"\n}\n";
    assert!(run(plain, GUARDED_DB).is_empty());
}

// ---- protection-weakened -------------------------------------------------------------------

fn db(attrs: &str) -> String {
    format!("resource \"aws_db_instance\" \"main\" {{\n  engine = \"postgres\"\n{attrs}}}\n")
}

#[test]
fn deletion_protection_turned_off_is_weakened() {
    let f = run(
        &db("  deletion_protection = true\n"),
        &db("  deletion_protection = false\n"),
    );
    assert_eq!(ids(&f), ["terraform/protection-weakened"]);
    assert_eq!(f[0].location.line, Some(3));
    assert!(
        f[0].message.contains("from true to false"),
        "{}",
        f[0].message
    );
}

#[test]
fn deletion_protection_removed_is_weakened_except_where_the_default_is_on() {
    let f = run(&db("  deletion_protection = true\n"), &db(""));
    assert_eq!(ids(&f), ["terraform/protection-weakened"]);
    let sql = |a: &str| format!("resource \"google_sql_database_instance\" \"db\" {{\n{a}}}\n");
    assert!(run(&sql("  deletion_protection = true\n"), &sql("")).is_empty());
    assert_eq!(
        ids(&run(&sql(""), &sql("  deletion_protection = false\n"))),
        ["terraform/protection-weakened"]
    );
}

#[test]
fn unchanged_weak_value_is_quiet() {
    let weak = db("  deletion_protection = false\n  skip_final_snapshot = true\n");
    assert!(run(&weak, &format!("# x\n{weak}")).is_empty());
    assert!(run(&db(""), &db("  deletion_protection = false\n")).is_empty());
}

#[test]
fn skip_final_snapshot_and_zero_backups_added_are_weakened() {
    let f = run(
        &db("  backup_retention_period = 7\n  final_snapshot_identifier = \"main-final\"\n"),
        &db("  backup_retention_period = 0\n  skip_final_snapshot = true\n"),
    );
    let mut got = ids(&f);
    got.dedup();
    assert_eq!(got, ["terraform/protection-weakened"]);
    assert_eq!(f.len(), 3, "{f:#?}");
}

#[test]
fn force_destroy_added_to_a_bucket_is_weakened() {
    let after = "resource \"aws_s3_bucket\" \"logs\" {\n  bucket = \"acme-logs\"\n  force_destroy = true\n}\n";
    let f = run(BUCKET, after);
    assert_eq!(ids(&f), ["terraform/protection-weakened"]);
    assert_eq!(f[0].location.line, Some(3));
}

#[test]
fn versioning_and_point_in_time_recovery_disabled_are_weakened() {
    let before = "resource \"aws_dynamodb_table\" \"t\" {\n  point_in_time_recovery {\n    enabled = true\n  }\n}\nresource \"aws_s3_bucket_versioning\" \"v\" {\n  versioning_configuration {\n    status = \"Enabled\"\n  }\n}\n";
    let after = before
        .replace("enabled = true", "enabled = false")
        .replace("\"Enabled\"", "\"Suspended\"");
    let f = run(before, &after);
    assert_eq!(
        ids(&f),
        [
            "terraform/protection-weakened",
            "terraform/protection-weakened"
        ]
    );
    assert_eq!(f[0].location.line, Some(3));
    assert_eq!(f[1].location.line, Some(8));
}

#[test]
fn provider_feature_flag_allowing_resource_group_deletion_is_weakened() {
    let before = "provider \"azurerm\" {\n  features {}\n}\n";
    let after = "provider \"azurerm\" {\n  features {\n    resource_group {\n      prevent_deletion_if_contains_resources = false\n    }\n  }\n}\n";
    let f = run(before, after);
    assert_eq!(ids(&f), ["terraform/protection-weakened"]);
    assert_eq!(f[0].location.line, Some(4));
}

#[test]
fn computed_protection_replaced_by_literal_off_is_weakened_but_not_the_reverse() {
    let f = run(
        &db("  deletion_protection = var.protect\n"),
        &db("  deletion_protection = false\n"),
    );
    assert_eq!(ids(&f), ["terraform/protection-weakened"]);
    assert!(run(
        &db("  deletion_protection = false\n"),
        &db("  deletion_protection = var.protect\n")
    )
    .is_empty());
}

// ---- count-emptied -------------------------------------------------------------------------

fn counted(expr: &str) -> String {
    format!("resource \"aws_instance\" \"web\" {{\n  {expr}\n  ami = \"ami-1\"\n}}\n")
}

#[test]
fn count_set_to_zero_destroys_all_instances() {
    let f = run(&counted("count = 3"), &counted("count = 0"));
    assert_eq!(ids(&f), ["terraform/count-emptied"]);
    assert_eq!(f[0].location.line, Some(2));
    assert!(f[0].message.contains("[0], [1], [2]"), "{}", f[0].message);
    let f = run(&counted("count = var.n"), &counted("count = 0"));
    assert_eq!(ids(&f), ["terraform/count-emptied"]);
}

#[test]
fn count_lowered_destroys_the_top_indexes() {
    let f = run(&counted("count = 3"), &counted("count = 1"));
    assert_eq!(ids(&f), ["terraform/count-emptied"]);
    assert!(f[0].message.contains("[1], [2]") && !f[0].message.contains("[0]"));
}

#[test]
fn count_raised_or_unchanged_is_quiet() {
    assert!(run(&counted("count = 1"), &counted("count = 3")).is_empty());
    assert!(run(&counted("count = var.n"), &counted("count = var.m")).is_empty());
}

#[test]
fn for_each_emptied_destroys_all_instances() {
    for empty in ["{}", "[]", "toset([])"] {
        let f = run(
            &counted("for_each = var.hosts"),
            &counted(&format!("for_each = {empty}")),
        );
        assert_eq!(ids(&f), ["terraform/count-emptied"], "{empty}");
    }
}

#[test]
fn for_each_losing_keys_names_each_destroyed_instance() {
    let f = run(
        &counted("for_each = toset([\"eu\", \"us\", \"ap\"])"),
        &counted("for_each = toset([\"eu\"])"),
    );
    assert_eq!(ids(&f), ["terraform/count-emptied"]);
    assert!(
        f[0].message.contains("[\"ap\"], [\"us\"]"),
        "{}",
        f[0].message
    );
    let buckets = |each: &str| format!("resource \"aws_s3_bucket\" \"b\" {{\n  {each}\n}}\n");
    let f = run(
        &buckets("for_each = toset([\"eu\", \"us\", \"ap\"])"),
        &buckets("for_each = toset([\"eu\"])"),
    );
    assert!(
        f[0].message
            .contains("those instances are destroyed and the data they hold"),
        "{}",
        f[0].message
    );
    let f = run(
        &counted("for_each = { a = 1, b = 2 }"),
        &counted("for_each = { a = 1 }"),
    );
    assert!(f[0].message.contains("[\"b\"]"));
}

#[test]
fn for_each_gaining_keys_or_reordering_is_quiet() {
    assert!(run(
        &counted("for_each = toset([\"eu\", \"us\"])"),
        &counted("for_each = toset([\"us\", \"eu\", \"ap\"])")
    )
    .is_empty());
}

// ---- unparseable ---------------------------------------------------------------------------

#[test]
fn unparseable_head_needs_a_human() {
    let f = run(
        BUCKET,
        "resource \"aws_s3_bucket\" \"logs\" {\n  bucket = \n",
    );
    assert_eq!(ids(&f), ["terraform/unparseable"]);
    assert_eq!(f[0].location.side, Side::Head);
    assert!(f[0].location.line.is_some());
    assert!(f[0].tags.contains(&Tag::Infra) && !f[0].tags.contains(&Tag::Destructive));
}

#[test]
fn unparseable_base_is_reported_too() {
    let f = run("resource {{{", BUCKET);
    assert_eq!(ids(&f), ["terraform/unparseable"]);
    assert_eq!(f[0].location.side, Side::Base);
}

// ---- JSON syntax ---------------------------------------------------------------------------

#[test]
fn json_config_removal_and_invalid_json() {
    let before = r#"{"resource": {"aws_s3_bucket": {"logs": {"bucket": "acme-logs"}}}}"#;
    let f = run_in(
        Fake::default(),
        "infra/main.tf.json",
        Some(before),
        Some(r#"{"resource": {}}"#),
    );
    assert_eq!(ids(&f), ["terraform/resource-removed"]);
    let f = run_in(
        Fake::default(),
        "infra/main.tf.json",
        Some(before),
        Some("{ not json"),
    );
    assert_eq!(ids(&f), ["terraform/unparseable"]);
    assert!(run_in(
        Fake::default(),
        "infra/main.tf.json",
        Some(before),
        Some(&format!(" {before}\n"))
    )
    .is_empty());
}

#[test]
fn every_rule_is_listed() {
    assert_eq!(RULES.len(), 16);
    assert!(RULES.iter().all(|r| r.id.ecosystem() == "terraform"));
}

// ---- replacement-attribute -----------------------------------------------------------------

const RDS: &str = r#"resource "aws_db_instance" "main" {
  identifier     = "orders"
  engine         = "postgres"
  instance_class = "db.t3.medium"
  tags = {
    team = "orders"
  }
}
"#;

#[test]
fn engine_changed_on_a_database_forces_replacement_at_its_line() {
    let f = run(RDS, &RDS.replace("\"postgres\"", "\"mysql\""));
    assert_eq!(ids(&f), ["terraform/replacement-attribute"]);
    assert_eq!(f[0].location.line, Some(3));
    assert_eq!(f[0].location.side, Side::Head);
    assert_eq!(f[0].severity, Severity::Critical);
    assert_eq!(f[0].subject.as_deref(), Some("aws_db_instance.main"));
    let m = &f[0].message;
    assert!(m.contains("`engine` of `aws_db_instance.main`"), "{m}");
    assert!(m.contains("\"postgres\" to \"mysql\""), "{m}");
    assert!(m.contains("-/+ destroy and then create replacement"), "{m}");
    assert!(m.contains("will show"), "{m}");
}

#[test]
fn attributes_updated_in_place_are_quiet() {
    // The identifier is renamed in place since AWS provider 5; the class and tags are updates.
    let after = RDS
        .replace("\"orders\"\n  engine", "\"orders-v2\"\n  engine")
        .replace("db.t3.medium", "db.r6g.large")
        .replace("team = \"orders\"", "team = \"payments\"");
    assert!(run(RDS, &after).is_empty(), "{:?}", ids(&run(RDS, &after)));
}

#[test]
fn ignore_changes_covering_the_attribute_is_quiet() {
    let before = RDS.replace(
        "  tags = {",
        "  lifecycle {\n    ignore_changes = [engine]\n  }\n  tags = {",
    );
    let after = before.replace("\"postgres\"", "\"mysql\"");
    assert!(run(&before, &after).is_empty());
    // ignore_changes naming something else does not hide it; `all` does.
    let other = before.replace("[engine]", "[tags[\"team\"]]");
    assert_eq!(
        ids(&run(&other, &other.replace("\"postgres\"", "\"mysql\""))),
        ["terraform/replacement-attribute"]
    );
    let all = before.replace("[engine]", "all");
    assert!(run(&all, &all.replace("\"postgres\"", "\"mysql\"")).is_empty());
}

#[test]
fn an_expression_change_may_force_replacement() {
    let before = RDS.replace("\"postgres\"", "var.engine");
    let f = run(&before, &before.replace("var.engine", "local.engine"));
    assert_eq!(ids(&f), ["terraform/replacement-attribute"]);
    assert!(f[0].message.contains("may force"), "{}", f[0].message);
    assert!(f[0].message.contains("may show"), "{}", f[0].message);
}

#[test]
fn literal_values_compare_by_value_not_text() {
    let vol = |enc: &str| {
        format!("resource \"aws_ebs_volume\" \"data\" {{\n  availability_zone = \"eu-west-1a\"\n  encrypted = {enc}\n}}\n")
    };
    assert!(run(&vol("true"), &vol("\"true\"")).is_empty());
    assert!(run(&vol("(true)"), &vol("true")).is_empty());
    let f = run(&vol("true"), &vol("false"));
    assert_eq!(ids(&f), ["terraform/replacement-attribute"]);
    assert_eq!(f[0].location.line, Some(3));
}

#[test]
fn warehouse_graph_and_network_identifiers_force_replacement() {
    let one = |rtype: &str, attr: &str| {
        let block = |v: &str| format!("resource \"{rtype}\" \"x\" {{\n  {attr} = \"{v}\"\n}}\n");
        ids(&run(&block("a"), &block("b")))
    };
    for (rtype, attr) in [
        ("aws_redshift_cluster", "cluster_identifier"),
        ("aws_neptune_cluster", "cluster_identifier"),
        ("aws_memorydb_cluster", "name"),
        ("google_compute_instance", "zone"),
        ("azurerm_linux_virtual_machine", "name"),
        ("aws_vpc", "cidr_block"),
        ("aws_subnet", "cidr_block"),
        ("aws_security_group", "name"),
    ] {
        assert_eq!(
            one(rtype, attr),
            ["terraform/replacement-attribute"],
            "{rtype}.{attr}"
        );
    }
    // Updated in place: quiet.
    assert!(one("aws_redshift_cluster", "node_type").is_empty());
    assert!(one("aws_security_group", "tags_all").is_empty());
}

#[test]
fn non_stateful_replacement_is_high() {
    let before = "resource \"aws_instance\" \"web\" {\n  ami = \"ami-111\"\n}\n";
    let f = run(before, &before.replace("ami-111", "ami-222"));
    assert_eq!(ids(&f), ["terraform/replacement-attribute"]);
    assert_eq!(f[0].severity, Severity::High);
}

#[test]
fn comment_and_layout_edits_of_replacement_attributes_are_quiet() {
    let after = "# orders database\nresource \"aws_db_instance\" \"main\" {\n  identifier = \"orders\" # do not rename\n  engine = (\"postgres\")\n  instance_class = \"db.t3.medium\"\n  tags = { team = \"orders\" }\n}\n";
    assert!(run(RDS, after).is_empty(), "{:?}", ids(&run(RDS, after)));
}

#[test]
fn a_replacement_attribute_extracted_into_an_equal_local_is_quiet() {
    let before = "locals {\n  name = \"acme\"\n}\n\nresource \"aws_s3_bucket\" \"logs\" {\n  bucket = \"${local.name}-logs\"\n}\n";
    let after = before.replace("\"${local.name}-logs\"", "local.logs_bucket");
    // Declared in the same file, or in a sibling file (through a second local).
    let same_file = format!("{after}\nlocals {{\n  logs_bucket = \"${{local.name}}-logs\"\n}}\n");
    assert!(
        run(before, &same_file).is_empty(),
        "{:?}",
        ids(&run(before, &same_file))
    );
    let sibling = Fake::default().with(
        Side::Head,
        "infra/locals.tf",
        "locals {\n  logs_bucket = local.bucket\n  bucket      = \"${local.name}-logs\"\n}\n",
    );
    let f = run_in(sibling, "infra/main.tf", Some(before), Some(&after));
    assert!(f.is_empty(), "{:?}", ids(&f));
}

#[test]
fn a_replacement_attribute_extracted_into_a_different_or_unknown_local_is_reported() {
    let before = "locals {\n  name = \"acme\"\n}\n\nresource \"aws_s3_bucket\" \"logs\" {\n  bucket = \"${local.name}-logs\"\n}\n";
    let after = before.replace("\"${local.name}-logs\"", "local.logs_bucket");
    let different = format!("{after}\nlocals {{\n  logs_bucket = \"${{local.name}}-audit\"\n}}\n");
    let f = run(before, &different);
    assert_eq!(ids(&f), ["terraform/replacement-attribute"]);
    assert_eq!(f[0].severity, Severity::Critical);
    // A local declared nowhere in the directory is unknown: still reported.
    assert_eq!(
        ids(&run(before, &after)),
        ["terraform/replacement-attribute"]
    );
}

#[test]
fn json_configuration_replacement_is_found() {
    let json = |name: &str| {
        format!("{{\n  \"resource\": {{\n    \"aws_s3_bucket\": {{\n      \"logs\": {{ \"bucket\": \"{name}\" }}\n    }}\n  }}\n}}\n")
    };
    let f = run_in(
        Fake::default(),
        "infra/main.tf.json",
        Some(&json("acme-logs")),
        Some(&json("acme-logs-2")),
    );
    assert_eq!(ids(&f), ["terraform/replacement-attribute"]);
    assert_eq!(f[0].severity, Severity::Critical);
}

// ---- replace-triggered ---------------------------------------------------------------------

#[test]
fn null_resource_trigger_change_replaces_it() {
    let before =
        "resource \"null_resource\" \"migrate\" {\n  triggers = {\n    version = \"1\"\n  }\n}\n";
    let f = run(before, &before.replace("\"1\"", "\"2\""));
    assert_eq!(ids(&f), ["terraform/replace-triggered"]);
    assert_eq!(f[0].severity, Severity::Medium);
    assert_eq!(f[0].location.line, Some(2));
    assert!(
        f[0].message.contains("provisioners run again"),
        "{}",
        f[0].message
    );
    // Reformatting the map is not a change.
    let reformatted = "resource \"null_resource\" \"migrate\" {\n  triggers = { \"version\" = \"1\", }  # same\n}\n";
    assert!(run(before, reformatted).is_empty());
}

#[test]
fn keepers_change_on_random_password_regenerates_it() {
    let before = "resource \"random_password\" \"db\" {\n  length = 32\n  keepers = {\n    rotation = \"2024\"\n  }\n}\n";
    let f = run(before, &before.replace("2024", "2025"));
    assert_eq!(ids(&f), ["terraform/replace-triggered"]);
    assert_eq!(f[0].severity, Severity::High);
    assert!(
        f[0].message.contains("generates a new value"),
        "{}",
        f[0].message
    );
    assert!(f[0].message.contains("random_password.db.result"));
    // Adding keepers where there were none changes them too; a length-only edit does not.
    let bare = "resource \"random_password\" \"db\" {\n  length = 32\n}\n";
    assert_eq!(ids(&run(bare, before)), ["terraform/replace-triggered"]);
    assert!(run(bare, &bare.replace("32", "32 # chars")).is_empty());
}

#[test]
fn terraform_data_triggers_replace_expression_change_may_replace() {
    let before =
        "resource \"terraform_data\" \"deploy\" {\n  triggers_replace = [aws_instance.web.id]\n}\n";
    let f = run(before, &before.replace("web.id", "api.id"));
    assert_eq!(ids(&f), ["terraform/replace-triggered"]);
    assert!(f[0].message.contains("may differ"), "{}", f[0].message);
}

#[test]
fn replace_triggered_by_added_on_a_database_is_high() {
    let before = "resource \"aws_rds_cluster\" \"main\" {\n  engine = \"aurora-postgresql\"\n}\n";
    let after = "resource \"aws_rds_cluster\" \"main\" {\n  engine = \"aurora-postgresql\"\n  lifecycle {\n    replace_triggered_by = [terraform_data.release]\n  }\n}\n";
    let f = run(before, after);
    assert_eq!(ids(&f), ["terraform/replace-triggered"]);
    assert_eq!(f[0].severity, Severity::High);
    assert_eq!(f[0].location.line, Some(4));
    // Unchanged, reformatted or removed: quiet.
    assert!(run(
        after,
        &after.replace(
            "[terraform_data.release]",
            "[\n      terraform_data.release,\n    ]"
        )
    )
    .is_empty());
    assert!(run(after, before).is_empty());
}

// ---- provider-rehomed ----------------------------------------------------------------------

#[test]
fn resource_switched_to_another_provider_alias_is_rehomed() {
    let before =
        "resource \"aws_s3_bucket\" \"logs\" {\n  provider = aws.us\n  bucket = \"acme-logs\"\n}\n";
    let f = run(before, &before.replace("aws.us", "aws.eu"));
    assert_eq!(ids(&f), ["terraform/provider-rehomed"]);
    assert_eq!(f[0].location.line, Some(2));
    assert_eq!(f[0].severity, Severity::Critical);
    assert!(
        f[0].message.contains("from provider `aws.us` to `aws.eu`"),
        "{}",
        f[0].message
    );
    // Naming the default configuration explicitly is no move.
    let implicit = "resource \"aws_s3_bucket\" \"logs\" {\n  bucket = \"acme-logs\"\n}\n";
    let explicit =
        "resource \"aws_s3_bucket\" \"logs\" {\n  provider = aws\n  bucket = \"acme-logs\"\n}\n";
    assert!(run(implicit, explicit).is_empty());
    assert!(run(before, &before.replace("aws.us", "aws.us # primary")).is_empty());
}

#[test]
fn provider_region_change_rehomes_every_resource_using_it() {
    let before = "provider \"aws\" {\n  alias  = \"primary\"\n  region = \"us-east-1\"\n}\n";
    let f = run(before, &before.replace("us-east-1", "eu-west-1"));
    assert_eq!(ids(&f), ["terraform/provider-rehomed"]);
    assert_eq!(f[0].location.line, Some(3));
    let m = &f[0].message;
    assert!(m.contains("`region` of provider `aws.primary`"), "{m}");
    assert!(
        m.contains("every resource that uses this provider configuration"),
        "{m}"
    );
    // Other provider settings and layout: quiet.
    let tagged = before.replace(
        "  region",
        "  default_tags {\n    tags = { env = \"prod\" }\n  }\n  region",
    );
    assert!(run(before, &tagged).is_empty());
    assert!(run(
        before,
        &before.replace("\"us-east-1\"", "\"us-east-1\"   # N. Virginia")
    )
    .is_empty());
}

#[test]
fn a_place_spelled_out_where_the_environment_chose_it_is_a_low_note() {
    // azurerm 4.0 requires `subscription_id`: every upgrade to it writes one.
    let before = "provider \"azurerm\" {\n  features {}\n}\n";
    let after =
        "provider \"azurerm\" {\n  features {}\n  subscription_id = var.subscription_id\n}\n";
    let f = run(before, after);
    assert_eq!(ids(&f), ["terraform/provider-rehomed"]);
    assert_eq!(
        (f[0].severity, f[0].location.line),
        (Severity::Low, Some(3))
    );
    assert!(!f[0].tags.contains(&Tag::Destructive));
    // A subscription changed from one value to another still moves everything.
    let moved = after.replace("var.subscription_id", "\"0000-1111\"");
    let f = run(&moved, &moved.replace("0000-1111", "2222-3333"));
    assert_eq!(f[0].severity, Severity::High);
    assert!(f[0].tags.contains(&Tag::Destructive));
}

#[test]
fn module_providers_map_change_is_rehomed() {
    let before =
        "module \"db\" {\n  source = \"./db\"\n  providers = {\n    aws = aws.us\n  }\n}\n";
    let f = run(before, &before.replace("aws.us", "aws.eu"));
    assert_eq!(ids(&f), ["terraform/provider-rehomed"]);
    assert_eq!(f[0].severity, Severity::Critical);
}

// ---- backend-changed -----------------------------------------------------------------------

const BACKEND: &str = r#"terraform {
  required_version = ">= 1.6"
  backend "s3" {
    bucket = "acme-tf-state"
    key    = "prod/terraform.tfstate"
    region = "us-east-1"
  }
}
"#;

#[test]
fn backend_bucket_change_is_reported() {
    let f = run(
        BACKEND,
        &BACKEND.replace("acme-tf-state", "acme-tf-state-2"),
    );
    assert_eq!(ids(&f), ["terraform/backend-changed"]);
    assert_eq!(f[0].severity, Severity::High);
    assert_eq!(f[0].location.line, Some(3));
    let m = &f[0].message;
    assert!(m.contains("bucket = \"acme-tf-state\""), "{m}");
    assert!(m.contains("bucket = \"acme-tf-state-2\""), "{m}");
    assert!(m.contains("-migrate-state"), "{m}");
}

#[test]
fn backend_type_change_or_removal_is_reported() {
    let gcs = "terraform {\n  backend \"gcs\" {\n    bucket = \"acme-tf-state\"\n    prefix = \"prod\"\n  }\n}\n";
    assert_eq!(ids(&run(BACKEND, gcs)), ["terraform/backend-changed"]);
    let f = run(BACKEND, "terraform {\n  required_version = \">= 1.6\"\n}\n");
    assert_eq!(ids(&f), ["terraform/backend-changed"]);
    assert_eq!(f[0].location.side, Side::Base);
    assert!(f[0].message.contains("local state"), "{}", f[0].message);
}

#[test]
fn backend_comment_layout_and_unwatched_settings_are_quiet() {
    let after = "# state\nterraform {\n  required_version = \">= 1.7\"\n  backend \"s3\" {\n    key    = \"prod/terraform.tfstate\" # fixed\n    bucket = \"acme-tf-state\"\n    region = \"us-east-1\"\n    encrypt = true\n  }\n}\n";
    assert!(run(BACKEND, after).is_empty());
}

#[test]
fn backend_moved_to_a_sibling_file_is_quiet() {
    let snapshot = Fake::default()
        .with(Side::Head, "infra/backend.tf", BACKEND)
        .with(Side::Base, "infra/other.tf", "");
    let f = run_in(
        snapshot,
        "infra/main.tf",
        Some(BACKEND),
        Some("# moved to backend.tf\n"),
    );
    assert!(f.is_empty(), "{:?}", ids(&f));
}

#[test]
fn cloud_workspace_change_is_reported() {
    let cloud = "terraform {\n  cloud {\n    organization = \"acme\"\n    workspaces {\n      name = \"prod\"\n    }\n  }\n}\n";
    assert_eq!(
        ids(&run(cloud, &cloud.replace("\"prod\"", "\"production\""))),
        ["terraform/backend-changed"]
    );
}

// ---- robustness ----------------------------------------------------------------------------

// ---- unreadable head, deleted root module ---------------------------------------------------

#[test]
fn an_unreadable_head_is_not_read_as_empty() {
    for content in [
        Content::Binary,
        Content::NotUtf8,
        Content::TooLarge(3_000_000),
    ] {
        let fc = change(Some("infra/main.tf"), Some("infra/main.tf"));
        let old = Content::Text(BUCKET.into());
        let options = AnalyzeOptions::default();
        let view = FileView {
            change: &fc,
            kind: FileKind::Terraform,
            old: &old,
            new: &content,
            snapshot: &Fake::default().with(Side::Base, "infra/main.tf", BUCKET),
            options: &options,
            memo: &crate::analyze::Memo::default(),
            lines: Default::default(),
        };
        assert!(analyze(&view).is_empty(), "{content:?}");
    }
    // An empty head is known: the bucket is gone.
    assert_eq!(ids(&run(BUCKET, "")), ["terraform/resource-removed"]);
}

const ROOT_BACKEND: &str =
    "terraform {\n  backend \"s3\" {\n    bucket = \"acme-tf\"\n    key    = \"staging.tfstate\"\n  }\n}\n";

#[test]
fn a_deleted_root_module_leaves_its_resources_unmanaged_and_keeps_its_backend() {
    let snapshot = Fake::default().with(Side::Base, "envs/staging/backend.tf", ROOT_BACKEND);
    let f = run_in(snapshot, "envs/staging/main.tf", Some(BUCKET), None);
    assert_eq!(ids(&f), ["terraform/resource-removed"]);
    assert_eq!(f[0].severity, Severity::High);
    let m = &f[0].message;
    assert!(m.contains("unmanaged"), "{m}");
    assert!(!m.contains("next apply destroys"), "{m}");
    let snapshot = Fake::default().with(Side::Base, "envs/staging/main.tf", BUCKET);
    let f = run_in(
        snapshot,
        "envs/staging/backend.tf",
        Some(ROOT_BACKEND),
        None,
    );
    assert!(f.is_empty(), "{:?}", ids(&f));
}

#[test]
fn a_deleted_file_beside_kept_ones_still_destroys_and_moves_the_backend() {
    let snapshot = Fake::default().with(Side::Head, "envs/staging/main.tf", "");
    let f = run_in(
        snapshot,
        "envs/staging/backend.tf",
        Some(ROOT_BACKEND),
        None,
    );
    assert_eq!(ids(&f), ["terraform/backend-changed"]);
}

// ---- module calls ---------------------------------------------------------------------------

const RDS_MODULE: &str = r#"
module "db" {
  source  = "terraform-aws-modules/rds/aws"
  version = "6.5.0"

  identifier          = "acme-prod"
  engine              = "postgres"
  deletion_protection = true
  skip_final_snapshot = false
}

module "bucket" {
  source        = "terraform-aws-modules/s3-bucket/aws"
  version       = "4.1.0"
  bucket        = "acme-data"
  force_destroy = false
  versioning    = { enabled = true }
}
"#;

#[test]
fn module_arguments_that_turn_protections_off_are_weakened() {
    let after = RDS_MODULE
        .replace("deletion_protection = true", "deletion_protection = false")
        .replace("skip_final_snapshot = false", "skip_final_snapshot = true")
        .replace("force_destroy = false", "force_destroy = true")
        .replace("{ enabled = true }", "{ enabled = false }");
    let f = run(RDS_MODULE, &after);
    assert_eq!(ids(&f), ["terraform/protection-weakened"; 4]);
    assert!(f.iter().all(|f| f.severity == Severity::High));
    assert_eq!(f[0].subject.as_deref(), Some("module.db"));
    assert_eq!(f[0].location.line, Some(8));
    assert!(
        f[0].message
            .contains("Argument `deletion_protection` of `module.db`"),
        "{}",
        f[0].message
    );
    assert_eq!(f[3].subject.as_deref(), Some("module.bucket"));
    assert!(
        f[3].message.contains("versioning.enabled"),
        "{}",
        f[3].message
    );
}

#[test]
fn a_map_of_protections_handed_to_a_module_is_judged_key_by_key() {
    // terraform-google-modules/cloud-storage: one force_destroy flag per bucket it creates.
    let call = |flags: &str| {
        format!(
            "module \"buckets\" {{\n  source        = \"terraform-google-modules/cloud-storage/google\"\n  names         = [\"logs\", \"data\"]\n  force_destroy = {flags}\n}}\n"
        )
    };
    let f = run(
        &call("{ logs = false, data = false }"),
        &call("{ logs = true, data = false }"),
    );
    assert_eq!(ids(&f), ["terraform/protection-weakened"]);
    assert_eq!(f[0].severity, Severity::High);
    assert_eq!(f[0].location.line, Some(4));
    assert!(
        f[0].message.contains(
            "Argument `force_destroy[\"logs\"]` of `module.buckets` changed from false to true"
        ),
        "{}",
        f[0].message
    );
    // A key newly set to the weak value overrides a default twokey cannot see: medium.
    let added = run(
        &call("{ logs = false }"),
        &call("{ logs = false, data = true }"),
    );
    assert_eq!(ids(&added), ["terraform/protection-weakened"]);
    assert_eq!(added[0].severity, Severity::Medium);
    // Protective values, unchanged maps and computed ones stay quiet.
    for (before, after) in [
        ("{ logs = true }", "{ logs = false }"),
        ("{ logs = false }", "{ logs = false, data = false }"),
        ("{ logs = false }", "var.force_destroy"),
    ] {
        assert!(
            ids(&run(&call(before), &call(after))).is_empty(),
            "{before} → {after}"
        );
    }
}

#[test]
fn module_create_switches_turned_off_destroy_what_they_create() {
    let after = RDS_MODULE.replace(
        "  engine              = \"postgres\"\n",
        "  engine              = \"postgres\"\n  create_db_instance  = false\n",
    );
    let f = run(RDS_MODULE, &after);
    assert_eq!(ids(&f), ["terraform/create-switch-off"]);
    assert_eq!(
        f[0].severity,
        Severity::Medium,
        "added over an unseen default"
    );
    let on = RDS_MODULE.replace(
        "  version = \"6.5.0\"\n",
        "  version = \"6.5.0\"\n  create  = true\n",
    );
    let f = run(&on, &on.replace("create  = true", "create  = false"));
    assert_eq!(ids(&f), ["terraform/create-switch-off"]);
    assert_eq!(f[0].severity, Severity::Critical);
    // Turned on, or left on, is quiet.
    assert!(run(&on.replace("create  = true", "create  = false"), &on).is_empty());
    assert!(run(RDS_MODULE, &on).is_empty());
}

#[test]
fn module_version_bumps_comments_unchanged_weak_values_and_new_modules_are_quiet() {
    let after = format!("# databases\n{RDS_MODULE}")
        .replace("6.5.0", "6.10.0")
        .replace(
            "engine              = \"postgres\"",
            "engine = \"postgres\" # pg 16",
        );
    assert!(run(RDS_MODULE, &after).is_empty());
    let weak = RDS_MODULE.replace("deletion_protection = true", "deletion_protection = false");
    assert!(run(&weak, &format!("{weak}\n")).is_empty());
    assert!(run("", RDS_MODULE).is_empty());
    // A protection argument removed falls back to the module's default: not judged.
    assert!(run(
        RDS_MODULE,
        &RDS_MODULE.replace("  deletion_protection = true\n", "")
    )
    .is_empty());
}

#[test]
fn a_replacement_forcing_argument_of_a_well_known_module_replaces_its_resource() {
    let f = run(RDS_MODULE, &RDS_MODULE.replace("\"postgres\"", "\"mysql\""));
    assert_eq!(ids(&f), ["terraform/replacement-attribute"]);
    assert_eq!(f[0].severity, Severity::Critical);
    assert_eq!(f[0].subject.as_deref(), Some("module.db"));
    assert!(f[0].message.contains("aws_db_instance"), "{}", f[0].message);
    let bucket = RDS_MODULE.replace("\"acme-data\"", "\"acme-data-v2\"");
    assert_eq!(
        ids(&run(RDS_MODULE, &bucket)),
        ["terraform/replacement-attribute"]
    );
    // In-place arguments, computed values and unknown modules are quiet.
    assert!(run(
        RDS_MODULE,
        &RDS_MODULE.replace("\"acme-prod\"", "\"acme-production\"")
    )
    .is_empty());
    let computed = RDS_MODULE.replace("\"postgres\"", "var.engine");
    assert!(run(&computed, RDS_MODULE).is_empty());
    let own = RDS_MODULE.replace("terraform-aws-modules/rds/aws", "./modules/rds");
    assert!(run(&own, &own.replace("\"postgres\"", "\"mysql\"")).is_empty());
}

#[test]
fn module_source_pointed_at_another_module_destroys_its_resources() {
    let after = RDS_MODULE.replace("rds/aws\"", "rds-aurora/aws\"");
    let f = run(RDS_MODULE, &after);
    assert_eq!(ids(&f), ["terraform/module-source-changed"]);
    assert_eq!(f[0].severity, Severity::High);
    assert_eq!(f[0].location.line, Some(3));
    assert_eq!(f[0].subject.as_deref(), Some("module.db"));
    let local = |p: &str| format!("module \"net\" {{\n  source = \"{p}\"\n}}\n");
    let f = run(&local("./modules/net"), &local("./modules/network"));
    assert_eq!(ids(&f), ["terraform/module-source-changed"]);
    assert_eq!(f[0].severity, Severity::Medium);
}

// ---- module-major-bump ---------------------------------------------------------------------

#[test]
fn a_database_module_moved_to_another_major_is_a_prompt_not_a_destruction() {
    let f = run(RDS_MODULE, &RDS_MODULE.replace("\"6.5.0\"", "\"7.0.0\""));
    assert_eq!(ids(&f), ["terraform/module-major-bump"]);
    assert_eq!(f[0].severity, Severity::Medium);
    assert_eq!(f[0].location.line, Some(4));
    assert_eq!(f[0].subject.as_deref(), Some("module.db"));
    assert!(!f[0].tags.contains(&Tag::Destructive));
    assert!(
        f[0].message.contains("from 6.5.0 to 7.0.0"),
        "{}",
        f[0].message
    );
    let git = |r: &str| {
        format!("module \"db\" {{\n  source = \"git::https://github.com/acme/modules.git//db?ref={r}\"\n}}\n")
    };
    assert_eq!(
        ids(&run(&git("v1.2.0"), &git("v2.0.0"))),
        ["terraform/module-major-bump"]
    );
}

#[test]
fn routine_bumps_stateless_majors_and_followed_upgrade_guides_are_quiet() {
    // Minor, pessimistic minor and commit bumps.
    assert!(run(RDS_MODULE, &RDS_MODULE.replace("\"6.5.0\"", "\"6.10.0\"")).is_empty());
    let vpc = |v: &str| {
        format!("module \"vpc\" {{\n  source  = \"terraform-aws-modules/vpc/aws\"\n  version = \"{v}\"\n}}\n")
    };
    assert!(run(&vpc("4.0.2"), &vpc("5.1.2")).is_empty());
    // The upgrade guide's `moved` blocks into the module: its author read it.
    let moved = format!(
        "{}\nmoved {{\n  from = module.db.aws_db_parameter_group.this[0]\n  to   = module.db.aws_db_parameter_group.this\n}}\n",
        RDS_MODULE.replace("\"6.5.0\"", "\"7.0.0\"")
    );
    assert!(run(RDS_MODULE, &moved).is_empty());
}

#[test]
fn module_source_ref_bump_or_moved_blocks_are_quiet() {
    let git = |r: &str| {
        format!("module \"db\" {{\n  source = \"git::https://github.com/acme/modules.git//db?ref={r}\"\n}}\n")
    };
    assert!(run(&git("v1.2.0"), &git("v1.3.0")).is_empty());
    let after = format!(
        "{}\nmoved {{\n  from = module.db.aws_db_instance.this[0]\n  to   = module.db.aws_rds_cluster.this[0]\n}}\n",
        RDS_MODULE.replace("rds/aws\"", "rds-aurora/aws\"")
    );
    assert!(run(RDS_MODULE, &after).is_empty());
}

const GKE_MODULE: &str = "module \"gke\" {
  source  = \"terraform-google-modules/kubernetes-engine/google\"
  version = \"~> 30.0\"
  name    = \"prod\"
}
";

/// `GKE_MODULE` renamed to `gke_private`, its source set to `source`, with `extra` after it.
fn gke_renamed(source: &str, extra: &str) -> String {
    let call = GKE_MODULE
        .replace("module \"gke\"", "module \"gke_private\"")
        .replace("terraform-google-modules/kubernetes-engine/google", source);
    format!("{call}{extra}")
}

const GKE_MOVED: &str = "\nmoved {\n  from = module.gke\n  to   = module.gke_private\n}\n";

#[test]
fn a_module_call_renamed_with_moved_onto_a_submodule_still_destroys_its_resources() {
    let private = "terraform-google-modules/kubernetes-engine/google//modules/private-cluster";
    let f = run(GKE_MODULE, &gke_renamed(private, GKE_MOVED));
    assert_eq!(ids(&f), ["terraform/module-source-changed"]);
    assert_eq!(f[0].subject.as_deref(), Some("module.gke_private"));
    assert_eq!(f[0].location.line, Some(2));
    assert!(
        f[0].message
            .contains("`module.gke_private` (moved from `module.gke`)"),
        "{}",
        f[0].message
    );
    // The `moved` block in a sibling file counts the same.
    let dir = Fake::default().with(Side::Head, "moved.tf", GKE_MOVED);
    let f = run_in(
        dir,
        "main.tf",
        Some(GKE_MODULE),
        Some(&gke_renamed(private, "")),
    );
    assert_eq!(ids(&f), ["terraform/module-source-changed"]);
}

#[test]
fn a_module_call_renamed_with_moved_onto_the_same_module_or_with_inner_moves_is_quiet() {
    let same = "terraform-google-modules/kubernetes-engine/google";
    let f = run(GKE_MODULE, &gke_renamed(same, GKE_MOVED));
    assert!(f.is_empty(), "{f:?}");
    // Inner moves written from the old call's address cover the switch.
    let inner = format!(
        "{GKE_MOVED}\nmoved {{\n  from = module.gke.google_container_cluster.primary\n  to   = module.gke_private.google_container_cluster.primary\n}}\n"
    );
    let private = "terraform-google-modules/kubernetes-engine/google//modules/private-cluster";
    let f = run(GKE_MODULE, &gke_renamed(private, &inner));
    assert!(f.is_empty(), "{f:?}");
}

// ---- variable defaults and dynamic blocks -----------------------------------------------------

#[test]
fn a_variable_default_turned_unprotective_is_reported() {
    let var = |v: &str| {
        format!("variable \"deletion_protection\" {{\n  type    = bool\n  default = {v}\n}}\n")
    };
    let f = run(&var("true"), &var("false"));
    assert_eq!(ids(&f), ["terraform/protection-weakened"]);
    assert_eq!(f[0].location.line, Some(3));
    assert_eq!(f[0].subject.as_deref(), Some("var.deletion_protection"));
    let create = |v: &str| format!("variable \"create_db\" {{\n  default = {v}\n}}\n");
    assert_eq!(
        ids(&run(&create("true"), &create("false"))),
        ["terraform/create-switch-off"]
    );
    // Turned on, unchanged, a description edit, or a default added to a required variable: quiet.
    assert!(run(&var("false"), &var("true")).is_empty());
    assert!(run(&var("false"), &format!("# off in dev\n{}", var("false"))).is_empty());
    assert!(run(
        "variable \"deletion_protection\" {\n  type = bool\n}\n",
        &var("false")
    )
    .is_empty());
    let other = |v: &str| format!("variable \"instance_count\" {{\n  default = {v}\n}}\n");
    assert!(run(&other("3"), &other("0")).is_empty());
}

#[test]
fn a_protection_inside_a_dynamic_block_is_compared_like_a_static_one() {
    let table = |v: &str| {
        format!(
            "resource \"aws_dynamodb_table\" \"orders\" {{\n  name = \"orders\"\n  dynamic \"point_in_time_recovery\" {{\n    for_each = [1]\n    content {{\n      enabled = {v}\n    }}\n  }}\n}}\n"
        )
    };
    let f = run(&table("true"), &table("false"));
    assert_eq!(ids(&f), ["terraform/protection-weakened"]);
    assert_eq!(f[0].location.line, Some(6));
    assert!(run(&table("true"), &table("true")).is_empty());
    // A value from the iterator is unknown: quiet.
    assert!(run(&table("true"), &table("point_in_time_recovery.value")).is_empty());
}

#[test]
fn cloud_sql_api_protection_and_azure_blob_versioning_are_guards() {
    let sql = |v: &str| {
        format!("resource \"google_sql_database_instance\" \"db\" {{\n  settings {{\n    deletion_protection_enabled = {v}\n    backup_configuration {{\n      enabled = {v}\n    }}\n  }}\n}}\n")
    };
    let f = run(&sql("true"), &sql("false"));
    assert_eq!(ids(&f), ["terraform/protection-weakened"; 2]);
    assert!(run(&sql("false"), &sql("true")).is_empty());
    let account = |v: &str| {
        format!("resource \"azurerm_storage_account\" \"sa\" {{\n  blob_properties {{\n    versioning_enabled = {v}\n  }}\n}}\n")
    };
    assert_eq!(
        ids(&run(&account("true"), &account("false"))),
        ["terraform/protection-weakened"]
    );
}

// ---- variables that gate count and for_each --------------------------------------------------

const GATED: &str = r#"
resource "aws_db_instance" "main" {
  count  = var.enable_db ? 1 : 0
  engine = "postgres"
}

resource "aws_instance" "web" {
  count = var.web_count
}
"#;

fn variable(name: &str, default: &str) -> String {
    format!("variable \"{name}\" {{\n  type    = any\n  default = {default}\n}}\n")
}

/// `infra/variables.tf` from `before` to `after`, with `main` beside it on both sides.
fn run_variables(main: &str, before: &str, after: &str) -> Vec<Finding> {
    let dir = Fake::default()
        .with(Side::Base, "infra/main.tf", main)
        .with(Side::Head, "infra/main.tf", main);
    run_in(dir, "infra/variables.tf", Some(before), Some(after))
}

const LOCAL_GATED: &str = "resource \"aws_db_instance\" \"env\" {
  for_each   = toset(local.envs)
  identifier = \"db-${each.key}\"
}

module \"cluster\" {
  count  = local.cluster_on ? 1 : 0
  source = \"./modules/cluster\"
}
";

fn locals_file(envs: &str, on: &str) -> String {
    format!(
        "locals {{\n  envs       = {envs}\n  cluster_on = {on}\n  region     = \"eu-west-1\"\n}}\n"
    )
}

#[test]
fn a_local_changed_here_destroys_what_a_sibling_file_makes_of_it() {
    let envs = r#"["dev", "staging", "prod"]"#;
    let f = run_in(
        Fake::default()
            .with(Side::Base, "infra/main.tf", LOCAL_GATED)
            .with(Side::Head, "infra/main.tf", LOCAL_GATED),
        "infra/locals.tf",
        Some(&locals_file(envs, "true")),
        Some(&locals_file(r#"["dev", "staging"]"#, "false")),
    );
    // Locals are read in name order: `cluster_on` before `envs`.
    assert_eq!(
        ids(&f),
        ["terraform/create-switch-off", "terraform/count-emptied"]
    );
    assert_eq!(f[0].location.line, Some(3));
    assert_eq!(f[0].severity, Severity::Critical);
    assert!(f[0]
        .safer
        .as_deref()
        .is_some_and(|s| s.contains("Keep `local.cluster_on` at true")));
    assert_eq!(f[1].location.line, Some(2));
    assert_eq!(f[1].subject.as_deref(), Some("local.envs"));
    assert!(
        f[1].message
            .contains(r#"`for_each` of `aws_db_instance.env` loses ["prod"]"#),
        "{}",
        f[1].message
    );
    // More environments, the same ones reordered, a local nothing counts by, or one that
    // becomes computed: nothing is destroyed that twokey can tell.
    for head in [
        locals_file(r#"["dev", "staging", "prod", "qa"]"#, "true"),
        locals_file(r#"["prod", "dev", "staging"]"#, "true"),
        locals_file(envs, "true").replace("eu-west-1", "eu-west-2"),
        locals_file("var.envs", "var.cluster_on"),
    ] {
        let f = run_in(
            Fake::default()
                .with(Side::Base, "infra/main.tf", LOCAL_GATED)
                .with(Side::Head, "infra/main.tf", LOCAL_GATED),
            "infra/locals.tf",
            Some(&locals_file(envs, "true")),
            Some(&head),
        );
        assert!(ids(&f).is_empty(), "{head}: {f:#?}");
    }
}

/// Resources gated on locals that read variables: `for_each = local.envs`, `local.envs = toset(var.envs)`.
const VAR_THROUGH_LOCAL: &str = "locals {
  envs  = toset(var.envs)
  db_on = !var.disable_db
  eu_on = var.enable_eu && var.region == \"eu\"
}

resource \"google_sql_database_instance\" \"env\" {
  for_each = local.envs
  name     = \"db-${each.key}\"
}

resource \"aws_db_instance\" \"main\" {
  count = local.db_on ? 1 : 0
}

resource \"aws_db_instance\" \"eu\" {
  count = local.eu_on ? 1 : 0
}
";

#[test]
fn a_default_read_through_a_local_into_for_each_destroys_the_dropped_keys() {
    let f = run_variables(
        VAR_THROUGH_LOCAL,
        &variable("envs", r#"["dev", "prod"]"#),
        &variable("envs", r#"["dev"]"#),
    );
    assert_eq!(ids(&f), ["terraform/count-emptied"]);
    assert_eq!(f[0].subject.as_deref(), Some("var.envs"));
    assert!(
        f[0].message.contains(
            r#"through `local.envs`, `for_each` of `google_sql_database_instance.env` loses ["prod"]"#
        ),
        "{}",
        f[0].message
    );
    let f = run_variables(
        VAR_THROUGH_LOCAL,
        &variable("disable_db", "false"),
        &variable("disable_db", "true"),
    );
    assert_eq!(ids(&f), ["terraform/create-switch-off"]);
    assert!(
        f[0].message.contains("`aws_db_instance.main`"),
        "{}",
        f[0].message
    );
}

#[test]
fn a_default_read_through_a_local_that_keeps_or_cannot_decide_is_quiet() {
    // More keys, or a switch whose other half twokey does not know on the base side.
    let grown = run_variables(
        VAR_THROUGH_LOCAL,
        &variable("envs", r#"["dev"]"#),
        &variable("envs", r#"["dev", "prod"]"#),
    );
    assert!(grown.is_empty(), "{grown:?}");
    let undecided = run_variables(
        VAR_THROUGH_LOCAL,
        &variable("region", r#""eu""#),
        &variable("region", r#""us""#),
    );
    assert!(undecided.is_empty(), "{undecided:?}");
    // Locals that read each other in a ring (Terraform refuses them) end the walk.
    let ring = VAR_THROUGH_LOCAL.replace(
        "envs  = toset(var.envs)",
        "envs  = local.all\n  all   = local.envs",
    );
    let f = run_variables(
        &ring,
        &variable("envs", r#"["dev", "prod"]"#),
        &variable("envs", r#"["dev"]"#),
    );
    assert!(f.is_empty(), "{f:?}");
}

#[test]
fn a_default_handed_to_a_module_switch_turns_the_module_off() {
    let main = "module \"db\" {\n  source             = \"terraform-aws-modules/rds/aws\"\n  create_db_instance = var.db_on\n}\n\nmodule \"label\" {\n  source  = \"./label\"\n  enabled = var.labels_on\n  name    = var.name\n}\n";
    let f = run_variables(
        main,
        &variable("db_on", "true"),
        &variable("db_on", "false"),
    );
    assert_eq!(ids(&f), ["terraform/create-switch-off"]);
    assert!(
        f[0].message.contains("it sets `create_db_instance` of `module.db` (`create_db_instance = var.db_on`), so if the module uses it as its switch"),
        "{}",
        f[0].message
    );
    let f = run_variables(
        main,
        &variable("labels_on", "true"),
        &variable("labels_on", "false"),
    );
    assert_eq!(ids(&f), ["terraform/create-switch-off"]);
    assert!(
        f[0].message.contains("Cloud Posse convention"),
        "{}",
        f[0].message
    );
    // Turned on, or an argument that is no switch: quiet.
    for (name, before, after) in [("db_on", "false", "true"), ("name", "\"a\"", "\"b\"")] {
        let f = run_variables(main, &variable(name, before), &variable(name, after));
        assert!(f.is_empty(), "{name}: {f:?}");
    }
}

const LOCAL_MODULE: &str = "variable \"replica\" {\n  type = bool\n}\nvariable \"regions\" {\n  type = list(string)\n}\nvariable \"create_db\" {\n  type = bool\n}\nvariable \"create_cache\" {\n  type = bool\n}\nresource \"aws_dynamodb_table\" \"t\" {\n  count = var.create_db ? 1 : 0\n}\nresource \"aws_db_instance\" \"replica\" {\n  count = var.replica ? 1 : 0\n}\nresource \"aws_s3_bucket\" \"r\" {\n  for_each = toset(var.regions)\n  bucket   = each.key\n}\n";

/// `infra/main.tf` calling `./modules/db` (the same on both sides) with `before`, then `after`.
fn run_module_call(before: &str, after: &str) -> Vec<Finding> {
    let call = |args: &str| format!("module \"db\" {{\n  source = \"./modules/db\"\n{args}}}\n");
    let dir = Fake::default()
        .with(Side::Base, "infra/modules/db/main.tf", LOCAL_MODULE)
        .with(Side::Head, "infra/modules/db/main.tf", LOCAL_MODULE);
    run_in(
        dir,
        "infra/main.tf",
        Some(&call(before)),
        Some(&call(after)),
    )
}

#[test]
fn a_local_module_argument_is_followed_into_the_module_count_and_for_each() {
    let f = run_module_call("  replica = true\n", "  replica = false\n");
    assert_eq!(ids(&f), ["terraform/create-switch-off"]);
    assert!(
        f[0].message
            .contains("`count` of `module.db.aws_db_instance.replica` goes from 1 to 0"),
        "{}",
        f[0].message
    );
    assert!(
        f[0].message.contains("as `infra/modules/db` uses it"),
        "{}",
        f[0].message
    );
    assert!(
        f[0].safer
            .as_deref()
            .is_some_and(|s| s.starts_with("Keep argument `replica` of `module.db` at true")),
        "{:?}",
        f[0].safer
    );
    let f = run_module_call("  regions = [\"eu\", \"us\"]\n", "  regions = [\"eu\"]\n");
    assert_eq!(ids(&f), ["terraform/count-emptied"]);
    assert!(
        f[0].message
            .contains(r#"`module.db.aws_s3_bucket.r["us"]`"#),
        "{}",
        f[0].message
    );
    // Named like a switch and read as one: one finding, the followed one, not also the guess.
    let f = run_module_call("  create_db = true\n", "  create_db = false\n");
    assert_eq!(ids(&f), ["terraform/create-switch-off"]);
    assert!(
        f[0].message.contains("`module.db.aws_dynamodb_table.t`")
            && !f[0].message.contains("if the module uses it"),
        "{}",
        f[0].message
    );
    // Named like a switch but read by no `count` of the module (it may hand it on to another
    // module): the name-based caution stays.
    let f = run_module_call("  create_cache = true\n", "  create_cache = false\n");
    assert_eq!(ids(&f), ["terraform/create-switch-off"]);
    assert!(
        f[0].message.contains("if the module uses it as its switch"),
        "{}",
        f[0].message
    );
}

#[test]
fn a_default_handed_to_a_local_module_is_followed_into_its_gates() {
    let caller = "module \"db\" {\n  source    = \"./modules/db\"\n  replica   = var.ha\n  create_db = var.ha\n  regions   = var.envs\n}\n";
    let run = |before: &str, after: &str| {
        let dir = Fake::default()
            .with(Side::Base, "infra/modules/db/main.tf", LOCAL_MODULE)
            .with(Side::Head, "infra/modules/db/main.tf", LOCAL_MODULE)
            .with(Side::Base, "infra/main.tf", caller)
            .with(Side::Head, "infra/main.tf", caller);
        run_in(dir, "infra/variables.tf", Some(before), Some(after))
    };
    let f = run(&variable("ha", "true"), &variable("ha", "false"));
    // Both arguments the variable sets are followed; the guess from `create_db`'s name gives
    // way to what the module shows.
    assert_eq!(
        ids(&f),
        ["terraform/create-switch-off", "terraform/create-switch-off"],
        "{f:?}"
    );
    assert!(
        f.iter().any(|x| x.message.contains("which sets argument `replica` of `module.db` to false: `count` of `module.db.aws_db_instance.replica` goes from 1 to 0")),
        "{f:?}"
    );
    assert!(
        f.iter()
            .all(|x| !x.message.contains("if the module uses it")),
        "{f:?}"
    );
    assert!(
        f.iter().all(|x| x.subject.as_deref() == Some("module.db")
            && x.safer
                .as_deref()
                .is_some_and(|s| s.starts_with("Keep `ha` at true, so that argument"))),
        "{f:?}"
    );
    let f = run(
        &variable("envs", r#"["eu", "us"]"#),
        &variable("envs", r#"["eu"]"#),
    );
    assert_eq!(ids(&f), ["terraform/count-emptied"]);
    assert!(
        f[0].message
            .contains(r#"`module.db.aws_s3_bucket.r["us"]`"#),
        "{}",
        f[0].message
    );
    // Turned on, or more keys: quiet.
    assert!(run(&variable("ha", "false"), &variable("ha", "true")).is_empty());
    assert!(run(
        &variable("envs", r#"["eu"]"#),
        &variable("envs", r#"["eu", "us"]"#)
    )
    .is_empty());
}

#[test]
fn a_local_module_argument_that_adds_instances_or_gates_nothing_is_quiet() {
    for (before, after) in [
        ("  replica = false\n", "  replica = true\n"),
        ("  regions = [\"eu\"]\n", "  regions = [\"eu\", \"us\"]\n"),
        ("  tier = \"small\"\n", "  tier = \"large\"\n"),
    ] {
        let f = run_module_call(before, after);
        assert!(f.is_empty(), "{before} -> {after}: {f:?}");
    }
}

#[test]
fn a_default_that_turns_an_enabled_block_off_destroys_it() {
    let main = "resource \"aws_db_instance\" \"db\" {\n  identifier = \"orders\"\n  lifecycle {\n    enabled = var.db_on\n  }\n}\n";
    let f = run_variables(
        main,
        &variable("db_on", "true"),
        &variable("db_on", "false"),
    );
    assert_eq!(ids(&f), ["terraform/create-switch-off"]);
    assert!(
        f[0].message.contains("`lifecycle { enabled }` of `aws_db_instance.db` turns false, so the next apply destroys `aws_db_instance.db`"),
        "{}",
        f[0].message
    );
    // Turned on, or from an unknown value: quiet.
    assert!(run_variables(
        main,
        &variable("db_on", "false"),
        &variable("db_on", "true")
    )
    .is_empty());
    assert!(run_variables(
        main,
        &variable("db_on", "null"),
        &variable("db_on", "false")
    )
    .is_empty());
}

#[test]
fn a_default_read_through_a_chain_of_locals_is_followed_to_the_gate() {
    let deep = VAR_THROUGH_LOCAL.replace(
        "envs  = toset(var.envs)",
        "envs  = local.all\n  all   = toset(local.given)\n  given = var.envs",
    );
    let f = run_variables(
        &deep,
        &variable("envs", r#"["dev", "prod"]"#),
        &variable("envs", r#"["dev"]"#),
    );
    assert_eq!(ids(&f), ["terraform/count-emptied"]);
    assert!(
        f[0].message.contains(r#"through `local.envs`, `for_each` of `google_sql_database_instance.env` loses ["prod"]"#),
        "{}",
        f[0].message
    );
    // Past the most hops followed, the gate is not reached: quiet rather than guessed.
    let chain: String = (0..super::switches::MOST_HOPS)
        .map(|i| format!("  l{i} = local.l{}\n", i + 1))
        .collect();
    let far = VAR_THROUGH_LOCAL.replace(
        "envs  = toset(var.envs)",
        &format!(
            "envs  = local.l0\n{chain}  l{} = toset(var.envs)",
            super::switches::MOST_HOPS
        ),
    );
    let f = run_variables(
        &far,
        &variable("envs", r#"["dev", "prod"]"#),
        &variable("envs", r#"["dev"]"#),
    );
    assert!(f.is_empty(), "{f:?}");
}

#[test]
fn a_default_a_protection_attribute_reads_turned_weak_is_weakened_once() {
    let main = "resource \"aws_db_instance\" \"main\" {\n  skip_final_snapshot = var.fast_teardown\n  deletion_protection = var.deletion_protection\n}\n";
    let f = run_variables(
        main,
        &variable("fast_teardown", "false"),
        &variable("fast_teardown", "true"),
    );
    assert_eq!(ids(&f), ["terraform/protection-weakened"]);
    assert!(
        f[0].message
            .contains("it sets `skip_final_snapshot` of `aws_db_instance.main`"),
        "{}",
        f[0].message
    );
    // A guard's own name read by its attribute: one finding, with the address.
    let f = run_variables(
        main,
        &variable("deletion_protection", "true"),
        &variable("deletion_protection", "false"),
    );
    assert_eq!(ids(&f), ["terraform/protection-weakened"]);
    assert_eq!(f[0].subject.as_deref(), Some("aws_db_instance.main"));
    // Read by something else: quiet.
    let tagged = main.replace(
        "skip_final_snapshot = var.fast_teardown",
        "tags = { t = var.fast_teardown }",
    );
    let f = run_variables(
        &tagged,
        &variable("fast_teardown", "false"),
        &variable("fast_teardown", "true"),
    );
    assert!(f.is_empty(), "{f:?}");
}

#[test]
fn a_default_that_gates_count_in_a_sibling_file_turned_off_destroys_the_resource() {
    let f = run_variables(
        GATED,
        &variable("enable_db", "true"),
        &variable("enable_db", "false"),
    );
    assert_eq!(ids(&f), ["terraform/create-switch-off"]);
    assert_eq!(f[0].severity, Severity::Critical);
    assert_eq!(f[0].location.line, Some(3));
    assert_eq!(f[0].subject.as_deref(), Some("var.enable_db"));
    assert!(
        f[0].message.starts_with(
            "The default of `enable_db` in `variable \"enable_db\"` changed from true to false: \
             `count` of `aws_db_instance.main` goes from 1 to 0"
        ),
        "{}",
        f[0].message
    );
    // Turned on, or a description edit: quiet.
    let on = run_variables(
        GATED,
        &variable("enable_db", "false"),
        &variable("enable_db", "true"),
    );
    assert!(on.is_empty());
    let edit = format!("# the database\n{}", variable("enable_db", "true"));
    assert!(run_variables(GATED, &variable("enable_db", "true"), &edit).is_empty());
}

#[test]
fn a_default_that_lowers_count_thins_out_the_instances_and_at_zero_switches_them_off() {
    let f = run_variables(
        GATED,
        &variable("web_count", "3"),
        &variable("web_count", "2"),
    );
    assert_eq!(ids(&f), ["terraform/count-emptied"]);
    assert_eq!(f[0].severity, Severity::High);
    assert!(
        f[0].message.contains("`aws_instance.web[2]`"),
        "{}",
        f[0].message
    );
    let f = run_variables(
        GATED,
        &variable("web_count", "3"),
        &variable("web_count", "0"),
    );
    assert_eq!(ids(&f), ["terraform/create-switch-off"]);
    assert!(
        f[0].message
            .contains("destroys every instance of `aws_instance.web`"),
        "{}",
        f[0].message
    );
    assert!(run_variables(
        GATED,
        &variable("web_count", "0"),
        &variable("web_count", "2")
    )
    .is_empty());
}

#[test]
fn a_default_an_auto_loaded_tfvars_file_overrides_is_quiet() {
    let dir = Fake::default()
        .with(Side::Base, "infra/main.tf", GATED)
        .with(Side::Head, "infra/main.tf", GATED)
        .with(Side::Head, "infra/terraform.tfvars", "enable_db = true\n");
    let f = run_in(
        dir,
        "infra/variables.tf",
        Some(&variable("enable_db", "true")),
        Some(&variable("enable_db", "false")),
    );
    assert!(f.is_empty(), "{f:?}");
}

#[test]
fn a_protection_or_create_default_an_auto_loaded_tfvars_file_sets_is_quiet() {
    // A module call reads the variables: nothing to follow, so they are judged by name.
    let main = "module \"db\" {\n  source              = \"./db\"\n  create              = var.create_db\n  deletion_protection = var.deletion_protection\n}\n";
    let before = format!(
        "{}{}",
        variable("create_db", "true"),
        variable("deletion_protection", "true")
    );
    let after = format!(
        "{}{}",
        variable("create_db", "false"),
        variable("deletion_protection", "false")
    );
    let dir = |tfvars: &str| {
        Fake::default()
            .with(Side::Base, "live/main.tf", main)
            .with(Side::Head, "live/main.tf", main)
            .with(Side::Head, "live/terraform.tfvars", tfvars)
    };
    let quiet = dir("create_db           = true\ndeletion_protection = true\n");
    let f = run_in(quiet, "live/variables.tf", Some(&before), Some(&after));
    assert!(f.is_empty(), "{:?}", ids(&f));
    // A `.tfvars` file setting other values leaves both defaults in use.
    let f = run_in(
        dir("region = \"eu-west-1\"\n"),
        "live/variables.tf",
        Some(&before),
        Some(&after),
    );
    assert_eq!(
        ids(&f),
        [
            "terraform/create-switch-off",
            "terraform/protection-weakened"
        ]
    );
}

#[test]
fn a_default_gating_a_resource_the_same_change_adds_is_quiet() {
    let before = variable("enable_db", "true");
    let after = format!("{}{GATED}", variable("enable_db", "false"));
    assert!(run(&before, &after).is_empty());
    // The same resource already there: destroyed.
    let before = format!("{before}{GATED}");
    assert_eq!(ids(&run(&before, &after)), ["terraform/create-switch-off"]);
}

#[test]
fn a_create_default_followed_to_its_count_is_one_finding_with_the_addresses() {
    let main = GATED.replace("var.enable_db", "var.create");
    let f = run_variables(
        &main,
        &variable("create", "true"),
        &variable("create", "false"),
    );
    assert_eq!(ids(&f), ["terraform/create-switch-off"]);
    assert!(
        f[0].message.contains("`aws_db_instance.main`"),
        "{}",
        f[0].message
    );
    // Reaching nothing here, it is judged by its name.
    let f = run_variables(
        "",
        &variable("create", "true"),
        &variable("create", "false"),
    );
    assert_eq!(ids(&f), ["terraform/create-switch-off"]);
    assert_eq!(f[0].severity, Severity::Critical);
}

#[test]
fn a_default_gating_a_json_resource_is_followed_too() {
    let json =
        r#"{"resource": {"aws_db_instance": {"main": {"count": "${var.enable_db ? 1 : 0}"}}}}"#;
    let dir = Fake::default()
        .with(Side::Base, "infra/main.tf.json", json)
        .with(Side::Head, "infra/main.tf.json", json);
    let f = run_in(
        dir,
        "infra/variables.tf",
        Some(&variable("enable_db", "true")),
        Some(&variable("enable_db", "false")),
    );
    assert_eq!(ids(&f), ["terraform/create-switch-off"]);
}

#[test]
fn a_default_for_a_key_of_an_object_variable_is_followed_by_its_path() {
    let main = "resource \"aws_s3_bucket\" \"b\" {\n  count = var.settings.bucket ? 1 : 0\n}\n";
    let f = run_variables(
        main,
        &variable("settings", "{ bucket = true }"),
        &variable("settings", "{ bucket = false }"),
    );
    assert_eq!(ids(&f), ["terraform/create-switch-off"]);
    assert!(
        f[0].message.contains("`settings.bucket`"),
        "{}",
        f[0].message
    );
}

// ---- retention-shortened --------------------------------------------------------------------

fn log_group(attrs: &str) -> String {
    format!("resource \"aws_cloudwatch_log_group\" \"app\" {{\n  name = \"/acme/app\"\n{attrs}}}\n")
}

#[test]
fn log_retention_lowered_deletes_older_events() {
    let f = run(
        &log_group("  retention_in_days = 90\n"),
        &log_group("  retention_in_days = 7\n"),
    );
    assert_eq!(ids(&f), ["terraform/retention-shortened"]);
    assert_eq!(f[0].severity, Severity::Medium);
    assert_eq!(f[0].location.line, Some(3));
    assert_eq!(
        f[0].subject.as_deref(),
        Some("aws_cloudwatch_log_group.app")
    );
    assert!(
        f[0].message
            .contains("log events older than 7 days are deleted (was: kept 90 days)"),
        "{}",
        f[0].message
    );
    assert!(
        f[0].safer
            .as_deref()
            .is_some_and(|s| s.contains("longer retention")),
        "{:?}",
        f[0].safer
    );
}

#[test]
fn fewer_days_of_database_backups_delete_the_older_ones() {
    let rds = |kind: &str, days: &str| {
        format!("resource \"{kind}\" \"main\" {{\n  engine = \"postgres\"\n{days}}}\n")
    };
    for kind in ["aws_db_instance", "aws_rds_cluster", "aws_docdb_cluster"] {
        let f = run(
            &rds(kind, "  backup_retention_period = 35\n"),
            &rds(kind, "  backup_retention_period = 7\n"),
        );
        assert_eq!(ids(&f), ["terraform/retention-shortened"], "{kind}");
        assert_eq!(f[0].severity, Severity::High);
        assert!(
            f[0].message.contains("automated backups older than 7 days"),
            "{}",
            f[0].message
        );
    }
    // More days, a default the service picks, a computed value: nothing sooner that twokey
    // can tell. Turning backups off is the protection rule's, reported once.
    for (before, after) in [
        (
            "  backup_retention_period = 7\n",
            "  backup_retention_period = 14\n",
        ),
        ("  backup_retention_period = 7\n", ""),
        ("", "  backup_retention_period = 3\n"),
        (
            "  backup_retention_period = 7\n",
            "  backup_retention_period = var.days\n",
        ),
    ] {
        let f = run(
            &rds("aws_db_instance", before),
            &rds("aws_db_instance", after),
        );
        assert!(ids(&f).is_empty(), "{before} → {after}: {f:#?}");
    }
    let off = run(
        &rds("aws_db_instance", "  backup_retention_period = 7\n"),
        &rds("aws_db_instance", "  backup_retention_period = 0\n"),
    );
    assert_eq!(ids(&off), ["terraform/protection-weakened"]);
}

#[test]
fn log_retention_added_where_events_never_expired_is_shortened() {
    let f = run(&log_group(""), &log_group("  retention_in_days = 30\n"));
    assert_eq!(ids(&f), ["terraform/retention-shortened"]);
    assert!(
        f[0].message.contains("(was: kept forever)"),
        "{}",
        f[0].message
    );
    // 0 also means "never expire".
    let f = run(
        &log_group("  retention_in_days = 0\n"),
        &log_group("  retention_in_days = 14\n"),
    );
    assert_eq!(ids(&f), ["terraform/retention-shortened"]);
}

#[test]
fn log_retention_unchanged_raised_removed_or_computed_is_quiet() {
    let days = |n: &str| log_group(&format!("  retention_in_days = {n}\n"));
    assert!(run(&days("30"), &days("30")).is_empty());
    assert!(run(&days("30"), &days("\"30\"")).is_empty());
    assert!(run(&days("7"), &days("365")).is_empty());
    assert!(run(&days("30"), &days("0")).is_empty());
    assert!(run(&days("30"), &log_group("")).is_empty());
    assert!(run(&days("var.retention"), &days("7")).is_empty());
    assert!(run(&days("90"), &days("var.retention")).is_empty());
}

#[test]
fn comment_only_edit_of_a_retention_is_quiet() {
    let before = log_group("  retention_in_days = 7\n");
    let after = log_group("  # a week is enough for debugging\n  retention_in_days = 7 // days\n");
    assert!(run(&before, &after).is_empty());
}

#[test]
fn a_new_resource_with_short_retention_is_quiet() {
    assert!(run("", &log_group("  retention_in_days = 1\n")).is_empty());
    let with_group = format!("{BUCKET}\n{}", log_group("  retention_in_days = 1\n"));
    assert!(run(BUCKET, &with_group).is_empty());
    assert!(run(
        "",
        &lifecycle(&[(
            "logs",
            "Enabled",
            "    expiration {\n      days = 1\n    }\n"
        )])
    )
    .is_empty());
    assert!(run("", &vault("  soft_delete_retention_days = 7\n")).is_empty());
}

#[test]
fn retention_covered_by_ignore_changes_is_quiet() {
    let ignored = |n: &str| {
        log_group(&format!(
            "  retention_in_days = {n}\n  lifecycle {{\n    ignore_changes = [retention_in_days]\n  }}\n"
        ))
    };
    assert!(run(&ignored("90"), &ignored("7")).is_empty());
}

/// An S3 lifecycle configuration with one `rule` per (id, status, body).
fn lifecycle(rules: &[(&str, &str, &str)]) -> String {
    let mut s = String::from(
        "resource \"aws_s3_bucket_lifecycle_configuration\" \"logs\" {\n  bucket = aws_s3_bucket.logs.id\n",
    );
    for (id, status, body) in rules {
        s.push_str(&format!(
            "  rule {{\n    id     = \"{id}\"\n    status = \"{status}\"\n{body}  }}\n"
        ));
    }
    s.push_str("}\n");
    s
}

const EXPIRE_90: &str = "    expiration {\n      days = 90\n    }\n";
const EXPIRE_30: &str = "    expiration {\n      days = 30\n    }\n";
const NONCURRENT_90: &str =
    "    noncurrent_version_expiration {\n      noncurrent_days = 90\n    }\n";
const NONCURRENT_30: &str =
    "    noncurrent_version_expiration {\n      noncurrent_days = 30\n    }\n";

#[test]
fn s3_noncurrent_expiration_lowered_is_high_and_expiration_added_is_medium() {
    let f = run(
        &lifecycle(&[("logs", "Enabled", NONCURRENT_90)]),
        &lifecycle(&[("logs", "Enabled", &format!("{NONCURRENT_30}{EXPIRE_30}"))]),
    );
    assert_eq!(ids(&f), ["terraform/retention-shortened"; 2]);
    let noncurrent = f
        .iter()
        .find(|f| f.message.contains("noncurrent_days"))
        .expect("noncurrent finding");
    assert_eq!(noncurrent.severity, Severity::High);
    assert!(
        noncurrent.message.contains("(was: kept 90 days)"),
        "{}",
        noncurrent.message
    );
    assert!(
        noncurrent.message.contains("the rule named \"logs\""),
        "{}",
        noncurrent.message
    );
    let expiration = f
        .iter()
        .find(|f| f.message.contains("`rule.expiration.days`"))
        .expect("expiration finding");
    assert_eq!(expiration.severity, Severity::Medium);
    assert!(
        expiration.message.contains("(was: kept forever)"),
        "{}",
        expiration.message
    );
}

#[test]
fn s3_lifecycle_rules_are_matched_by_id_not_position() {
    let before = lifecycle(&[
        ("logs", "Enabled", EXPIRE_90),
        ("tmp", "Enabled", EXPIRE_30),
    ]);
    // Reordered rules keep their retention: quiet.
    let swapped = lifecycle(&[
        ("tmp", "Enabled", EXPIRE_30),
        ("logs", "Enabled", EXPIRE_90),
    ]);
    assert!(run(&before, &swapped).is_empty());
    // The second rule lowered is reported, at its own line and by its id.
    let after = lifecycle(&[
        ("logs", "Enabled", EXPIRE_30),
        ("tmp", "Enabled", EXPIRE_30),
    ]);
    let f = run(&before, &after);
    assert_eq!(ids(&f), ["terraform/retention-shortened"]);
    assert!(f[0].message.contains("\"logs\""), "{}", f[0].message);
    let lowered = lifecycle(&[
        ("logs", "Enabled", EXPIRE_90),
        (
            "tmp",
            "Enabled",
            "    expiration {\n      days = 1\n    }\n",
        ),
    ]);
    let f = run(&before, &lowered);
    assert_eq!(ids(&f), ["terraform/retention-shortened"]);
    assert!(
        f[0].message.contains("`rule[1].expiration.days`"),
        "{}",
        f[0].message
    );
    assert_eq!(f[0].location.line, Some(14));
}

#[test]
fn s3_lifecycle_rules_switched_off_delete_nothing() {
    let off = lifecycle(&[("logs", "Disabled", EXPIRE_30)]);
    let on = lifecycle(&[("logs", "Enabled", EXPIRE_30)]);
    assert!(run(&lifecycle(&[("logs", "Enabled", EXPIRE_90)]), &off).is_empty());
    assert_eq!(ids(&run(&off, &on)), ["terraform/retention-shortened"]);
    // A rule added beside the existing ones starts deleting what it matches.
    let added = lifecycle(&[
        ("logs", "Enabled", EXPIRE_30),
        ("tmp", "Enabled", EXPIRE_30),
    ]);
    assert_eq!(ids(&run(&on, &added)), ["terraform/retention-shortened"]);
    // A rule renamed with its retention kept is quiet.
    assert!(run(&on, &lifecycle(&[("app-logs", "Enabled", EXPIRE_30)])).is_empty());
}

#[test]
fn s3_lifecycle_in_json_is_judged_rule_by_rule() {
    let json = |days: u32| {
        format!(
            r#"{{"resource": {{"aws_s3_bucket_lifecycle_configuration": {{"logs": {{
  "bucket": "acme-logs",
  "rule": [
    {{"id": "logs", "status": "Enabled", "expiration": {{"days": 90}}}},
    {{"id": "tmp", "status": "Enabled", "expiration": {{"days": {days}}}}}
  ]
}}}}}}}}"#
        )
    };
    let path = "infra/main.tf.json";
    let f = run_in(Fake::default(), path, Some(&json(30)), Some(&json(7)));
    assert_eq!(ids(&f), ["terraform/retention-shortened"]);
    assert!(f[0].message.contains("\"tmp\""), "{}", f[0].message);
    assert!(run_in(Fake::default(), path, Some(&json(7)), Some(&json(30))).is_empty());
}

fn backup_plan(delete_after: &str) -> String {
    format!(
        "resource \"aws_backup_plan\" \"daily\" {{\n  name = \"daily\"\n  rule {{\n    rule_name         = \"daily\"\n    target_vault_name = \"main\"\n    schedule          = \"cron(0 5 * * ? *)\"\n    lifecycle {{\n{delete_after}    }}\n  }}\n}}\n"
    )
}

#[test]
fn backup_plan_deleting_recovery_points_sooner_is_high() {
    let f = run(
        &backup_plan("      delete_after = 35\n"),
        &backup_plan("      delete_after = 7\n"),
    );
    assert_eq!(ids(&f), ["terraform/retention-shortened"]);
    assert_eq!(f[0].severity, Severity::High);
    assert_eq!(f[0].location.line, Some(8));
    assert!(f[0].message.contains("recovery points"), "{}", f[0].message);
    assert!(run(
        &backup_plan("      delete_after = 7\n"),
        &backup_plan("      delete_after = 35\n")
    )
    .is_empty());
    assert!(run(
        &backup_plan("      delete_after = 35\n"),
        &backup_plan("      cold_storage_after = 30\n      delete_after = 35\n")
    )
    .is_empty());
}

/// A backup plan whose one rule keeps recovery points `rule_days` and copies them to the DR
/// vault with `copy` as the copy action's lifecycle body (empty: no lifecycle block).
fn backup_with_copy(rule_days: u32, copy: &str) -> String {
    let lifecycle = match copy {
        "" => String::new(),
        body => format!("      lifecycle {{\n{body}      }}\n"),
    };
    format!(
        "resource \"aws_backup_plan\" \"daily\" {{\n  name = \"daily\"\n  rule {{\n    rule_name         = \"daily\"\n    target_vault_name = \"main\"\n    lifecycle {{\n      delete_after = {rule_days}\n    }}\n    copy_action {{\n      destination_vault_arn = aws_backup_vault.dr.arn\n{lifecycle}    }}\n  }}\n}}\n"
    )
}

#[test]
fn backup_copies_deleted_sooner_are_high_and_named_by_their_vault() {
    let f = run(
        &backup_with_copy(35, "        delete_after = 365\n"),
        &backup_with_copy(35, "        delete_after = 30\n"),
    );
    assert_eq!(ids(&f), ["terraform/retention-shortened"]);
    assert_eq!(f[0].severity, Severity::High);
    assert_eq!(f[0].location.line, Some(12));
    assert!(
        f[0].message.contains(
            "`rule.copy_action.lifecycle.delete_after` of `aws_backup_plan.daily` (the copy_action \
             to aws_backup_vault.dr.arn in the rule named \"daily\") is now 30"
        ),
        "{}",
        f[0].message
    );
    assert!(
        f[0].message.contains("copies it keeps in that vault")
            && f[0].message.contains("(was: kept 365 days)"),
        "{}",
        f[0].message
    );
}

#[test]
fn backup_copies_without_a_lifecycle_keep_the_rules_own() {
    // Set below the rule's lifecycle, which the copies followed.
    let f = run(
        &backup_with_copy(35, ""),
        &backup_with_copy(35, "        delete_after = 7\n"),
    );
    assert_eq!(ids(&f), ["terraform/retention-shortened"]);
    assert!(
        f[0].message
            .contains("(was: kept 35 days, the rule's own lifecycle)"),
        "{}",
        f[0].message
    );
    // Removed where the rule keeps less: the copies follow the rule.
    let f = run(
        &backup_with_copy(35, "        delete_after = 365\n"),
        &backup_with_copy(35, ""),
    );
    assert_eq!(ids(&f), ["terraform/retention-shortened"]);
    assert!(
        f[0].message
            .contains("was removed, leaving the rule's own lifecycle of 35 days, so"),
        "{}",
        f[0].message
    );
    // The rule lowered with copies following it: one finding, at the rule's setting.
    let f = run(&backup_with_copy(35, ""), &backup_with_copy(7, ""));
    assert_eq!(ids(&f), ["terraform/retention-shortened"]);
    assert!(
        f[0].message.contains("`rule.lifecycle.delete_after`"),
        "{}",
        f[0].message
    );
    // Set above the rule's lifecycle: kept longer.
    assert!(run(
        &backup_with_copy(35, ""),
        &backup_with_copy(35, "        delete_after = 90\n")
    )
    .is_empty());
}

#[test]
fn backup_copy_cold_storage_raises_and_new_copies_are_quiet() {
    let copy = "        delete_after = 365\n";
    let colder = "        cold_storage_after = 30\n        delete_after = 365\n";
    assert!(run(&backup_with_copy(35, copy), &backup_with_copy(35, colder)).is_empty());
    let sooner = colder.replace("= 30", "= 7");
    assert!(run(
        &backup_with_copy(35, colder),
        &backup_with_copy(35, &sooner)
    )
    .is_empty());
    assert!(run(
        &backup_with_copy(35, "        delete_after = 30\n"),
        &backup_with_copy(35, copy)
    )
    .is_empty());
    // A copy (or a rule) added to an existing plan deletes no recovery point that exists.
    let plan = backup_plan("      delete_after = 35\n");
    assert!(run(&plan, &backup_with_copy(35, "        delete_after = 7\n")).is_empty());
    let weekly = plan.replace(
        "  }\n}\n",
        "  }\n  rule {\n    rule_name         = \"weekly\"\n    target_vault_name = \"main\"\n    lifecycle {\n      delete_after = 7\n    }\n  }\n}\n",
    );
    assert!(run(&plan, &weekly).is_empty());
}

#[test]
fn backup_copies_are_paired_by_vault_not_position() {
    let two = |a: u32, b: u32| {
        backup_with_copy(35, &format!("        delete_after = {a}\n")).replace(
            "  }\n}\n",
            &format!("    copy_action {{\n      destination_vault_arn = aws_backup_vault.archive.arn\n      lifecycle {{\n        delete_after = {b}\n      }}\n    }}\n  }}\n}}\n"),
        )
    };
    let before = two(365, 3650);
    // Swapping the two copies' lifecycles lowers the archive's.
    let f = run(&before, &two(3650, 365));
    assert_eq!(ids(&f), ["terraform/retention-shortened"]);
    assert!(
        f[0].message
            .contains("`rule.copy_action[1].lifecycle.delete_after`")
            && f[0].message.contains("aws_backup_vault.archive.arn"),
        "{}",
        f[0].message
    );
    assert!(run(&before, &format!("# two copies\n{before}")).is_empty());
}

const EXPIRE_ON: &str = "    expiration {\n      date = \"2030-06-01T00:00:00Z\"\n    }\n";

#[test]
fn s3_expiration_date_set_or_moved_earlier_expires_objects_that_day() {
    let f = run(
        &lifecycle(&[("logs", "Enabled", "")]),
        &lifecycle(&[("logs", "Enabled", EXPIRE_ON)]),
    );
    assert_eq!(ids(&f), ["terraform/retention-shortened"]);
    assert_eq!(f[0].severity, Severity::Medium);
    assert_eq!(f[0].location.line, Some(7));
    assert!(
        f[0].message
            .contains("every object it matches expires on 2030-06-01")
            && f[0].message.contains("(was: kept forever)"),
        "{}",
        f[0].message
    );
    let earlier = EXPIRE_ON.replace("2030-06-01", "2030-01-15");
    let f = run(
        &lifecycle(&[("logs", "Enabled", EXPIRE_ON)]),
        &lifecycle(&[("logs", "Enabled", &earlier)]),
    );
    assert_eq!(ids(&f), ["terraform/retention-shortened"]);
    assert!(
        f[0].message.contains("(was: expiring on 2030-06-01)"),
        "{}",
        f[0].message
    );
}

#[test]
fn s3_expiration_date_later_unchanged_computed_or_delete_markers_are_quiet() {
    let rule = |body: &str| lifecycle(&[("logs", "Enabled", body)]);
    let later = EXPIRE_ON.replace("2030-06-01", "2031-01-01");
    assert!(run(&rule(EXPIRE_ON), &rule(&later)).is_empty());
    assert!(run(&rule(EXPIRE_ON), &format!("# expire\n{}", rule(EXPIRE_ON))).is_empty());
    let computed = "    expiration {\n      date = local.cutoff\n    }\n";
    assert!(run(&rule(""), &rule(computed)).is_empty());
    assert!(run(&rule(EXPIRE_ON), &rule(computed)).is_empty());
    let not_a_date = EXPIRE_ON.replace("2030-06-01T00:00:00Z", "soon");
    assert!(run(&rule(""), &rule(&not_a_date)).is_empty());
    // Removing expired delete markers deletes no data.
    let markers = "    expiration {\n      expired_object_delete_marker = true\n    }\n";
    assert!(run(&rule(""), &rule(markers)).is_empty());
    assert!(run(&rule(EXPIRE_90), &rule(markers)).is_empty());
    assert!(run("", &rule(EXPIRE_ON)).is_empty());
    assert!(run(
        &rule(EXPIRE_ON),
        &lifecycle(&[("logs", "Disabled", EXPIRE_ON)])
    )
    .is_empty());
}

/// An `aws_s3_bucket` with the AWS provider v3's inline `lifecycle_rule`s: (id, enabled, body).
fn inline_rules(rules: &[(&str, bool, &str)]) -> String {
    let mut s = String::from("resource \"aws_s3_bucket\" \"logs\" {\n  bucket = \"acme-logs\"\n");
    for (id, enabled, body) in rules {
        s.push_str(&format!(
            "  lifecycle_rule {{\n    id      = \"{id}\"\n    enabled = {enabled}\n{body}  }}\n"
        ));
    }
    s.push_str("}\n");
    s
}

const INLINE_NONCURRENT_90: &str = "    noncurrent_version_expiration {\n      days = 90\n    }\n";

#[test]
fn inline_lifecycle_rules_of_a_bucket_are_judged_like_the_standalone_resource() {
    let f = run(
        &inline_rules(&[("logs", true, EXPIRE_90)]),
        &inline_rules(&[("logs", true, EXPIRE_30)]),
    );
    assert_eq!(ids(&f), ["terraform/retention-shortened"]);
    assert_eq!(f[0].severity, Severity::Medium);
    assert_eq!(f[0].location.line, Some(7));
    assert_eq!(f[0].subject.as_deref(), Some("aws_s3_bucket.logs"));
    assert!(
        f[0].message.contains(
            "`lifecycle_rule.expiration.days` of `aws_s3_bucket.logs` (the lifecycle_rule named \"logs\") is now 30"
        ),
        "{}",
        f[0].message
    );
    // `days`, not `noncurrent_days`, in the inline form; deleted-object recovery is high.
    let f = run(
        &inline_rules(&[("logs", true, INLINE_NONCURRENT_90)]),
        &inline_rules(&[("logs", true, &INLINE_NONCURRENT_90.replace("90", "7"))]),
    );
    assert_eq!(ids(&f), ["terraform/retention-shortened"]);
    assert_eq!(f[0].severity, Severity::High);
    assert!(
        f[0].message
            .contains("`lifecycle_rule.noncurrent_version_expiration.days`"),
        "{}",
        f[0].message
    );
    let f = run(
        &inline_rules(&[("logs", true, "")]),
        &inline_rules(&[("logs", true, &EXPIRE_ON.replace("T00:00:00Z", ""))]),
    );
    assert_eq!(ids(&f), ["terraform/retention-shortened"]);
}

#[test]
fn inline_lifecycle_rules_pair_by_id_and_count_when_enabled() {
    let before = inline_rules(&[("logs", true, EXPIRE_90), ("tmp", true, EXPIRE_30)]);
    let swapped = inline_rules(&[("tmp", true, EXPIRE_30), ("logs", true, EXPIRE_90)]);
    assert!(run(&before, &swapped).is_empty());
    let lowered = inline_rules(&[("tmp", true, EXPIRE_30), ("logs", true, EXPIRE_30)]);
    let f = run(&before, &lowered);
    assert_eq!(ids(&f), ["terraform/retention-shortened"]);
    assert!(
        f[0].message.contains("`lifecycle_rule[1].expiration.days`")
            && f[0].message.contains("named \"logs\""),
        "{}",
        f[0].message
    );
    // Switched on, an existing rule's expiration starts deleting; switched off, nothing.
    let off = inline_rules(&[("logs", false, EXPIRE_30)]);
    let on = inline_rules(&[("logs", true, EXPIRE_30)]);
    let f = run(&off, &on);
    assert_eq!(ids(&f), ["terraform/retention-shortened"]);
    assert!(
        f[0].message.contains("(was: kept forever)"),
        "{}",
        f[0].message
    );
    assert!(run(&on, &off).is_empty());
    let computed = inline_rules(&[("logs", true, "")]).replace("= true", "= var.expire");
    assert!(run(&computed, &inline_rules(&[("logs", true, "")])).is_empty());
}

#[test]
fn inline_lifecycle_rules_raised_new_ignored_or_moved_out_are_quiet() {
    let on = inline_rules(&[("logs", true, EXPIRE_30)]);
    assert!(run(&on, &inline_rules(&[("logs", true, EXPIRE_90)])).is_empty());
    assert!(run(&on, &format!("# logs\n{on}")).is_empty());
    assert!(run("", &on).is_empty());
    let markers = "    expiration {\n      expired_object_delete_marker = true\n    }\n";
    assert!(run(
        &inline_rules(&[("logs", true, "")]),
        &inline_rules(&[("logs", true, markers)])
    )
    .is_empty());
    let ignored = |body: &str| {
        inline_rules(&[("logs", true, body)]).replace(
            "  bucket = \"acme-logs\"\n",
            "  bucket = \"acme-logs\"\n  lifecycle {\n    ignore_changes = [lifecycle_rule]\n  }\n",
        )
    };
    assert!(run(&ignored(EXPIRE_90), &ignored(EXPIRE_30)).is_empty());
    // The provider v4 migration: the rules move to their own resource, which is new.
    let migrated = format!("{BUCKET}\n{}", lifecycle(&[("logs", "Enabled", EXPIRE_30)]));
    assert!(run(&on, &migrated).is_empty());
}

#[test]
fn a_variable_default_retention_lowered_is_shortened() {
    let var = |v: &str| {
        format!("variable \"log_retention_in_days\" {{\n  type    = number\n  default = {v}\n}}\n")
    };
    let f = run(&var("90"), &var("14"));
    assert_eq!(ids(&f), ["terraform/retention-shortened"]);
    assert_eq!(f[0].severity, Severity::Medium);
    assert_eq!(f[0].location.line, Some(3));
    assert_eq!(f[0].subject.as_deref(), Some("var.log_retention_in_days"));
    assert!(
        f[0].message
            .contains("The default of `log_retention_in_days`")
            && f[0]
                .message
                .contains("data older than 14 days is deleted (was: kept 90 days)"),
        "{}",
        f[0].message
    );
    assert!(run(&var("14"), &var("90")).is_empty());
    assert!(run(&var("90"), &var("local.days")).is_empty());
    assert!(run(&var("90"), &format!("# two weeks\n{}", var("90"))).is_empty());
    // A default added to a required variable, or removed from one: callers set it.
    let required = "variable \"log_retention_in_days\" {\n  type = number\n}\n";
    assert!(run(required, &var("1")).is_empty());
    assert!(run(&var("90"), required).is_empty());
}

#[test]
fn module_retention_period_lowered_is_shortened_and_backups_are_high() {
    let db = |v: &str| {
        format!("module \"db\" {{\n  source                  = \"terraform-aws-modules/rds/aws\"\n  backup_retention_period = {v}\n}}\n")
    };
    let f = run(&db("35"), &db("7"));
    assert_eq!(ids(&f), ["terraform/retention-shortened"]);
    assert_eq!(f[0].severity, Severity::High);
    assert!(
        f[0].message
            .contains("data older than 7 is deleted (was: kept 35;"),
        "{}",
        f[0].message
    );
    // Turned off is the protection's finding alone.
    assert_eq!(
        ids(&run(&db("35"), &db("0"))),
        ["terraform/protection-weakened"]
    );
}

fn vault(attrs: &str) -> String {
    format!("resource \"azurerm_key_vault\" \"main\" {{\n  name = \"acme\"\n  sku_name = \"standard\"\n{attrs}}}\n")
}

#[test]
fn key_vault_soft_delete_window_shortened_from_its_default_is_high() {
    let f = run(&vault(""), &vault("  soft_delete_retention_days = 7\n"));
    assert_eq!(ids(&f), ["terraform/retention-shortened"]);
    assert_eq!(f[0].severity, Severity::High);
    assert!(
        f[0].message
            .contains("(was: kept 90 days, the provider's default)"),
        "{}",
        f[0].message
    );
    assert!(run(&vault(""), &vault("  soft_delete_retention_days = 90\n")).is_empty());
    assert!(run(
        &vault("  soft_delete_retention_days = 30\n"),
        &vault("  soft_delete_retention_days = 60\n")
    )
    .is_empty());
}

#[test]
fn log_workspaces_and_logging_buckets_keep_less() {
    let workspace = |attrs: &str| {
        format!("resource \"azurerm_log_analytics_workspace\" \"main\" {{\n  name = \"acme\"\n  sku  = \"PerGB2018\"\n{attrs}}}\n")
    };
    let f = run(
        &workspace("  retention_in_days = 365\n"),
        &workspace("  retention_in_days = 30\n"),
    );
    assert_eq!(ids(&f), ["terraform/retention-shortened"]);
    assert!(
        f[0].message.contains("log data older than 30 days"),
        "{}",
        f[0].message
    );
    // Removing the setting falls back to the 30-day default.
    let f = run(&workspace("  retention_in_days = 365\n"), &workspace(""));
    assert_eq!(ids(&f), ["terraform/retention-shortened"]);
    assert!(
        f[0].message.contains("default of 30 days"),
        "{}",
        f[0].message
    );

    let bucket = |attrs: &str| {
        format!("resource \"google_logging_project_bucket_config\" \"audit\" {{\n  project   = \"acme\"\n  location  = \"global\"\n  bucket_id = \"_Default\"\n{attrs}}}\n")
    };
    assert_eq!(
        ids(&run(
            &bucket("  retention_days = 400\n"),
            &bucket("  retention_days = 90\n")
        )),
        ["terraform/retention-shortened"]
    );
    // Added where absence meant the shorter 30-day default: kept longer, quiet.
    assert!(run(&bucket(""), &bucket("  retention_days = 365\n")).is_empty());
    assert!(run(&workspace(""), &workspace("  retention_in_days = 90\n")).is_empty());
}

const LOGS_MODULE: &str = r#"
module "lambda" {
  source  = "terraform-aws-modules/lambda/aws"
  version = "7.2.0"

  function_name                          = "ingest"
  cloudwatch_logs_retention_in_days      = 90
}
"#;

#[test]
fn module_retention_argument_lowered_is_shortened() {
    let f = run(LOGS_MODULE, &LOGS_MODULE.replace("= 90", "= 14"));
    assert_eq!(ids(&f), ["terraform/retention-shortened"]);
    assert_eq!(f[0].severity, Severity::Medium);
    assert_eq!(f[0].subject.as_deref(), Some("module.lambda"));
    assert_eq!(f[0].location.line, Some(7));
    assert!(
        f[0].message
            .contains("data older than 14 days is deleted (was: kept 90 days)"),
        "{}",
        f[0].message
    );
    // Raised, unchanged, set to 0 (which may mean "forever") or added over an unseen default: quiet.
    assert!(run(LOGS_MODULE, &LOGS_MODULE.replace("= 90", "= 365")).is_empty());
    assert!(run(LOGS_MODULE, &format!("# ingest\n{LOGS_MODULE}")).is_empty());
    assert!(run(LOGS_MODULE, &LOGS_MODULE.replace("= 90", "= 0")).is_empty());
    let unset = LOGS_MODULE.replace("  cloudwatch_logs_retention_in_days      = 90\n", "");
    assert!(run(&unset, LOGS_MODULE).is_empty());
}

// ---- module `enabled` switch ----------------------------------------------------------------

fn cloudposse(enabled: &str) -> String {
    format!("module \"queue\" {{\n  source  = \"cloudposse/sqs-queue/aws\"\n  version = \"0.6.0\"\n{enabled}  name    = \"jobs\"\n}}\n")
}

#[test]
fn module_enabled_turned_false_destroys_everything_it_creates() {
    let f = run(
        &cloudposse("  enabled = true\n"),
        &cloudposse("  enabled = false\n"),
    );
    assert_eq!(ids(&f), ["terraform/create-switch-off"]);
    assert_eq!(f[0].severity, Severity::Critical);
    assert_eq!(f[0].location.line, Some(4));
    assert!(f[0].message.contains("Cloud Posse"), "{}", f[0].message);
    let f = run(&cloudposse(""), &cloudposse("  enabled = false\n"));
    assert_eq!(ids(&f), ["terraform/create-switch-off"]);
    assert_eq!(
        f[0].severity,
        Severity::High,
        "added over the convention's true default"
    );
}

#[test]
fn module_enabled_left_alone_turned_on_or_computed_is_quiet() {
    let off = cloudposse("  enabled = false\n");
    assert!(run(&off, &format!("# paused\n{off}")).is_empty());
    assert!(run(&off, &cloudposse("  enabled = true\n")).is_empty());
    assert!(run(&cloudposse(""), &cloudposse("  enabled = true\n")).is_empty());
    assert!(run(&cloudposse(""), &cloudposse("  enabled = var.enabled\n")).is_empty());
    assert!(run("", &off).is_empty());
    // Only a module call's own argument is the switch: not a resource's, nor a variable default.
    let rule = |v: &str| {
        format!("resource \"google_monitoring_alert_policy\" \"p\" {{\n  enabled = {v}\n}}\n")
    };
    assert!(run(&rule("true"), &rule("false")).is_empty());
    let var = |v: &str| format!("variable \"enabled\" {{\n  default = {v}\n}}\n");
    assert!(run(&var("true"), &var("false")).is_empty());
}

proptest! {
    #[test]
    fn arbitrary_input_never_panics_and_identical_sides_are_quiet(text in "\\PC{0,300}") {
        let same = run(&text, &text);
        // Identical sides can only yield parse failures, never destruction.
        prop_assert!(same.iter().all(|f| f.rule == UNPARSEABLE.id));
        let _ = run(BUCKET, &text);
        let _ = run(&text, BUCKET);
    }

    #[test]
    fn hcl_shaped_input_never_panics(
        parts in proptest::collection::vec(
            prop_oneof![
                Just("resource \"aws_s3_bucket\" \"a\" {\n"),
                Just("module \"m\" {\n source = \"./m\"\n"),
                Just("moved {\n from = aws_s3_bucket.a\n to = aws_s3_bucket.b\n"),
                Just("removed {\n from = module.m\n"),
                Just("lifecycle {\n prevent_destroy = true\n"),
                Just("count = 0\n"),
                Just("for_each = toset([\"x\"])\n"),
                Just("deletion_protection = false\n"),
                Just("}\n"),
                Just("# c\n"),
            ],
            0..12,
        ),
        other in "[a-z{}\"= \n]{0,40}",
    ) {
        let text: String = parts.concat();
        let _ = run(&text, &other);
        let _ = run(&other, &text);
        let _ = run(&text, "");
    }
}

proptest! {
    #[test]
    fn every_table_entry_forces_exactly_one_replacement_finding(
        entry in proptest::sample::select(
            replacement::FORCES_NEW
                .iter()
                .flat_map(|(t, attrs)| attrs.iter().map(move |a| (*t, *a)))
                .collect::<Vec<_>>()
        ),
        old in "[a-z][a-z0-9-]{0,12}",
        new in "[a-z][a-z0-9-]{0,12}",
    ) {
        prop_assume!(old != new);
        let (rtype, attr) = entry;
        // A dotted entry (`boot_disk.initialize_params.image`) is written as nested blocks,
        // its attribute one line further down per block.
        let nested = |value: &str| {
            let mut parts: Vec<&str> = attr.split('.').collect();
            let leaf = parts.pop().unwrap_or(attr);
            let open: String = parts.iter().map(|b| format!("  {b} {{\n")).collect();
            format!("{open}  {leaf} = \"{value}\"\n{}", "  }\n".repeat(parts.len()))
        };
        let block = |value: &str| format!(
            "resource \"{rtype}\" \"x\" {{\n{}  kept_setting = \"kept\"\n}}\n",
            nested(value)
        );
        let f = run(&block(&old), &block(&new));
        let hits: Vec<&Finding> = f.iter().filter(|f| f.rule == REPLACEMENT_ATTRIBUTE.id).collect();
        prop_assert_eq!(hits.len(), 1, "{} {}: {:?}", rtype, attr, ids(&f));
        let depth = u32::try_from(attr.matches('.').count()).unwrap_or(0);
        prop_assert_eq!(hits[0].location.line, Some(2 + depth));
        // An attribute outside the table for this type changes nothing.
        let other = |value: &str| format!(
            "resource \"{rtype}\" \"x\" {{\n  {attr} = \"same\"\n  unlisted_setting = \"{value}\"\n}}\n"
        );
        prop_assert!(!replacement::forces_new(rtype).contains(&"unlisted_setting"));
        let quiet = run(&other(&old), &other(&new));
        prop_assert!(quiet.iter().all(|f| f.rule != REPLACEMENT_ATTRIBUTE.id), "{:?}", ids(&quiet));
    }
}
