//! retention: the properties by which an AWS service deletes data on a schedule (log
//! retention, S3 lifecycle expiration, AWS Backup deletion, automated backups kept, queue and
//! stream retention), and whether an edit makes it delete sooner. No resource is removed or
//! replaced, so nothing in a change set says "delete"; the data goes on the service's next
//! pass. The CloudFormation counterpart of `terraform/retention-shortened`.

use super::template::{show, Resource};
use super::{FileView, BACKED_UP_BY_DEFAULT, DESTRUCTIVE};
use crate::change::Side;
use crate::finding::{Finding, RuleId, Severity};
use crate::rules::Rule;
use crate::yaml::Node;

pub const RETENTION_SHORTENED: Rule = Rule {
    id: RuleId("cloudformation/retention-shortened"),
    severity: Severity::Medium,
    tags: DESTRUCTIVE,
    summary: "A data-retention property was lowered, so logs, objects, backups or messages are deleted sooner.",
    why: "Retention properties are deletion schedules, and lowering one deletes data without a \
          resource being removed or replaced, so a change set shows only a modification. Compared: \
          a log group's `RetentionInDays` (absent: kept forever); an S3 bucket's lifecycle rules \
          (`ExpirationInDays`, `ExpirationDate`, `NoncurrentVersionExpirationInDays` or \
          `NoncurrentVersionExpiration.NoncurrentDays`; rules matched by `Id`; a disabled rule \
          deletes nothing, and a new or newly enabled one expires objects the bucket already holds); \
          an AWS Backup plan's `Lifecycle.DeleteAfterDays`, of its rules (matched by `RuleName`) and \
          of the copies they keep in other vaults (a new rule or copy deletes nothing that exists); \
          `BackupRetentionPeriod` of RDS, DocumentDB and Neptune (absent: 1 day; 0 is \
          `cloudformation/protection-disabled`); a KMS key's `PendingWindowInDays` (absent: 30 days; \
          how long a deleted key can still be recovered); Redshift's AutomatedSnapshotRetentionPeriod (absent: \
          1 day) and ElastiCache's SnapshotRetentionLimit; a DynamoDB table's point-in-time recovery \
          window (RecoveryPeriodInDays, absent: 35 days); a CloudTrail event data store's RetentionPeriod \
          (absent: 2,557 days); an SQS queue's `MessageRetentionPeriod` (absent: 4 \
          days) and a Kinesis stream's `RetentionPeriodHours` (absent: 24 hours). Reported when both \
          values are known (literal, or absent with a known meaning) and the new one is sooner; a \
          value computed by `!Ref` or `!If` is not judged. Medium; high for backups and for \
          noncurrent object versions, which are what recovers deleted or overwritten data.",
    example: "before: Type: AWS::Logs::LogGroup\n        Properties: {RetentionInDays: 365}\n\
              after:  Type: AWS::Logs::LogGroup\n        Properties: {RetentionInDays: 7}",
    safer: "Keep the longer retention; if less must be kept, export or archive the data that would be \
            deleted first, and lower the retention in its own reviewed change.",
};

/// How long a schedule keeps data.
#[derive(Debug, Clone, Copy, PartialEq, PartialOrd)]
enum Keep {
    /// A number of the schedule's units (days, hours or seconds; the same for both sides).
    For(f64),
    /// A calendar day, `YYYY-MM-DD`, compared as text: S3 deletes objects from that day on.
    Until([u8; 10]),
    Forever,
}

impl Keep {
    /// Whether `self` deletes data sooner than `before` did.
    fn sooner_than(self, before: Keep) -> bool {
        match (before, self) {
            (_, Keep::Forever) => false,
            (Keep::Forever, _) => true,
            (Keep::For(a), Keep::For(b)) => b < a,
            (Keep::Until(a), Keep::Until(b)) => b < a,
            // Days against a date: which comes first depends on when each object was written.
            _ => false,
        }
    }
}

/// One deletion schedule of a resource.
struct Schedule<'a> {
    /// What it keeps, for the message; also how the two sides' schedules are paired.
    what: String,
    unit: &'static str,
    /// `None` when computed by an intrinsic function: not judged.
    keep: Option<Keep>,
    node: Option<&'a Node>,
    /// Backups and noncurrent versions: what restores lost data.
    recovery: bool,
    /// Whether the schedule, new, deletes data that already exists.
    reaches_existing: bool,
}

/// Reports each schedule of `old` that `new` makes delete sooner.
pub(super) fn shortened(view: &FileView, old: &Resource, new: &Resource, out: &mut Vec<Finding>) {
    let before = schedules(old);
    for now in &schedules(new) {
        let prior = before.iter().find(|s| s.what == now.what);
        let was = match prior {
            Some(s) => s.keep,
            // A schedule only the head has: a new lifecycle rule expires objects the bucket
            // already holds; a new backup rule only deletes the backups it takes.
            None if now.reaches_existing => Some(Keep::Forever),
            None => None,
        };
        let (Some(was), Some(is)) = (was, now.keep) else {
            continue;
        };
        if !is.sooner_than(was) {
            continue;
        }
        let (line, end) = now
            .node
            .map_or((new.node.line, new.node.end_line), |n| (n.line, n.end_line));
        let shown = |s: Option<&Schedule>, keep: Keep| match (s, keep) {
            (_, Keep::Forever) | (None, _) => "none: kept forever".to_owned(),
            (Some(s), Keep::Until(_)) => show(s.node),
            // Absent, a default applies: shown by its value.
            (Some(s), Keep::For(n)) if s.node.is_none() => {
                format!("{} by default", amount(&n.to_string(), s.unit))
            }
            (Some(s), Keep::For(_)) => amount(&show(s.node), s.unit),
        };
        let severity = if now.recovery {
            Severity::High
        } else {
            Severity::Medium
        };
        out.push(
            Finding::new(
                &RETENTION_SHORTENED,
                view.at(Side::Head, line, end),
                format!(
                    "{} `{}` in {}: {} is lowered ({} → {}), so {}.",
                    new.kind,
                    new.id,
                    view.path_on(Side::Head),
                    now.what,
                    shown(prior, was),
                    shown(Some(now), is),
                    consequence(&new.kind),
                ),
            )
            .with_severity(severity),
        );
    }
}

/// What a shorter schedule of this type does.
fn consequence(kind: &str) -> &'static str {
    match kind {
        "AWS::KMS::Key" => "once the key is removed from the stack, there are fewer days to cancel its deletion before everything encrypted under it can no longer be decrypted",
        "AWS::DynamoDB::Table" => "the table can be restored to a point in time only within the shorter window",
        "AWS::Redshift::Cluster"
        | "AWS::ElastiCache::ReplicationGroup"
        | "AWS::ElastiCache::CacheCluster" => "older automatic snapshots are deleted, and the data can be restored only that far back",
        _ => "data is deleted sooner, on the service's next pass",
    }
}

/// `7 days`, `1 day`.
fn amount(number: &str, unit: &str) -> String {
    match number {
        "1" => format!("1 {}", unit.trim_end_matches('s')),
        _ => format!("{number} {unit}"),
    }
}

/// The number a property holds, `None` when an intrinsic function computes it.
fn number(node: &Node) -> Option<f64> {
    node.as_str()?.trim().parse().ok()
}

/// A schedule read from a property that, when absent, means `absent`.
fn property<'a>(
    r: &'a Resource,
    key: &str,
    what: &str,
    unit: &'static str,
    absent: Keep,
    recovery: bool,
) -> Schedule<'a> {
    let node = r.property(key);
    Schedule {
        what: what.to_owned(),
        unit,
        keep: node.map_or(Some(absent), |n| number(n).map(Keep::For)),
        node,
        recovery,
        reaches_existing: false,
    }
}

fn schedules(r: &Resource) -> Vec<Schedule<'_>> {
    match r.kind.as_str() {
        "AWS::Logs::LogGroup" => vec![property(
            r,
            "RetentionInDays",
            "log retention (RetentionInDays)",
            "days",
            Keep::Forever,
            false,
        )],
        "AWS::SQS::Queue" => vec![property(
            r,
            "MessageRetentionPeriod",
            "message retention (MessageRetentionPeriod)",
            "seconds",
            Keep::For(345_600.0),
            false,
        )],
        "AWS::Kinesis::Stream" => vec![property(
            r,
            "RetentionPeriodHours",
            "record retention (RetentionPeriodHours)",
            "hours",
            Keep::For(24.0),
            false,
        )],
        // Not a schedule that runs by itself: how long a key removed from the stack (or
        // replaced) can still be recovered before it, and all it encrypted, is gone.
        "AWS::KMS::Key" => vec![property(
            r,
            "PendingWindowInDays",
            "deletion waiting period (PendingWindowInDays)",
            "days",
            Keep::For(30.0),
            // High, as for Terraform's `deletion_window_in_days`: it is the time left to undo
            // a key's deletion, after which everything it encrypted is unreadable.
            true,
        )],
        "AWS::Redshift::Cluster" => vec![snapshots(property(
            r,
            "AutomatedSnapshotRetentionPeriod",
            "automated snapshots kept (AutomatedSnapshotRetentionPeriod)",
            "days",
            Keep::For(1.0),
            true,
        ))],
        "AWS::ElastiCache::ReplicationGroup" | "AWS::ElastiCache::CacheCluster" => {
            vec![snapshots(property(
                r,
                "SnapshotRetentionLimit",
                "automatic snapshots kept (SnapshotRetentionLimit)",
                "days",
                Keep::For(0.0),
                true,
            ))]
        }
        "AWS::CloudTrail::EventDataStore" => vec![property(
            r,
            "RetentionPeriod",
            "event retention (RetentionPeriod)",
            "days",
            Keep::For(2557.0),
            false,
        )],
        // The window of point-in-time recovery, while it is on (turning it off is a
        // protection disabled).
        "AWS::DynamoDB::Table" => r
            .property("PointInTimeRecoverySpecification")
            .map(|spec| {
                let node = spec.get("RecoveryPeriodInDays").filter(|n| !n.is_null());
                Schedule {
                    what: "point-in-time recovery window (RecoveryPeriodInDays)".to_owned(),
                    unit: "days",
                    keep: node.map_or(Some(Keep::For(35.0)), |n| number(n).map(Keep::For)),
                    node,
                    recovery: true,
                    reaches_existing: false,
                }
            })
            .into_iter()
            .collect(),
        "AWS::S3::Bucket" => lifecycle_rules(r),
        "AWS::Backup::BackupPlan" => backup_rules(r),
        kind if BACKED_UP_BY_DEFAULT.contains(&kind) => {
            let kept = property(
                r,
                "BackupRetentionPeriod",
                "automated backups kept (BackupRetentionPeriod)",
                "days",
                Keep::For(1.0),
                true,
            );
            vec![snapshots(kept)]
        }
        _ => Vec::new(),
    }
}

/// Backups or snapshots kept for 0 days are off: that is reported as a protection disabled,
/// not as a schedule, so it is not judged here.
fn snapshots(mut kept: Schedule<'_>) -> Schedule<'_> {
    if kept.keep == Some(Keep::For(0.0)) {
        kept.keep = None;
    }
    kept
}

/// An S3 bucket's lifecycle expirations, one schedule per rule and kind of expiration. A
/// disabled rule deletes nothing, and a rule without an expiration of a kind keeps forever.
fn lifecycle_rules(r: &Resource) -> Vec<Schedule<'_>> {
    let rules = r
        .property("LifecycleConfiguration")
        .and_then(|c| c.get("Rules"))
        .map(Node::as_seq)
        .unwrap_or(&[]);
    let mut out = Vec::new();
    for (i, rule) in rules.iter().enumerate() {
        let name = rule
            .get("Id")
            .and_then(Node::as_str)
            .map_or_else(|| format!("#{}", i + 1), |id| format!("`{id}`"));
        let enabled = rule.get("Status").and_then(Node::as_str) != Some("Disabled");
        let current_days = rule.get("ExpirationInDays");
        let date = rule.get("ExpirationDate");
        let noncurrent = rule.get("NoncurrentVersionExpirationInDays").or_else(|| {
            rule.get("NoncurrentVersionExpiration")
                .and_then(|n| n.get("NoncurrentDays"))
        });
        let keep = |node: Option<&Node>, read: fn(&Node) -> Option<Keep>| match node {
            _ if !enabled => Some(Keep::Forever),
            None => Some(Keep::Forever),
            Some(n) => read(n),
        };
        out.push(Schedule {
            what: format!("lifecycle rule {name} expiration of current objects"),
            unit: "days",
            keep: keep(current_days, |n| number(n).map(Keep::For)),
            node: current_days.or(Some(rule)),
            recovery: false,
            reaches_existing: true,
        });
        out.push(Schedule {
            what: format!("lifecycle rule {name} expiration date"),
            unit: "",
            keep: keep(date, calendar_day),
            node: date.or(Some(rule)),
            recovery: false,
            reaches_existing: true,
        });
        out.push(Schedule {
            what: format!("lifecycle rule {name} expiration of noncurrent versions"),
            unit: "days",
            keep: keep(noncurrent, |n| number(n).map(Keep::For)),
            node: noncurrent.or(Some(rule)),
            recovery: true,
            reaches_existing: true,
        });
    }
    out
}

/// `2030-01-01T00:00:00.000Z` or `2030-01-01`: the day it names.
fn calendar_day(node: &Node) -> Option<Keep> {
    let text = node.as_str()?.trim();
    let day: [u8; 10] = text.as_bytes().get(..10)?.try_into().ok()?;
    let shaped = day.iter().enumerate().all(|(i, b)| match i {
        4 | 7 => *b == b'-',
        _ => b.is_ascii_digit(),
    });
    shaped.then_some(Keep::Until(day))
}

/// An AWS Backup plan's rules: how long each keeps its recovery points, and the copies it
/// keeps in other vaults. A rule or copy that only the head has deletes nothing that exists,
/// and so pairs with nothing.
fn backup_rules(r: &Resource) -> Vec<Schedule<'_>> {
    let rules = r
        .property("BackupPlan")
        .and_then(|p| p.get("BackupPlanRule"))
        .map(Node::as_seq)
        .unwrap_or(&[]);
    let mut out = Vec::new();
    for rule in rules {
        let Some(name) = rule.get("RuleName").and_then(Node::as_str) else {
            continue;
        };
        let (keep, node) = delete_after(rule.get("Lifecycle"));
        out.push(Schedule {
            what: format!("backup rule `{name}` recovery points (DeleteAfterDays)"),
            unit: "days",
            keep,
            node: node.or(Some(rule)),
            recovery: true,
            reaches_existing: false,
        });
        for copy in rule.get("CopyActions").map(Node::as_seq).unwrap_or(&[]) {
            let Some(vault) = copy.get("DestinationBackupVaultArn") else {
                continue;
            };
            let (keep, node) = delete_after(copy.get("Lifecycle"));
            out.push(Schedule {
                what: format!(
                    "backup rule `{name}` copies to {} (DeleteAfterDays)",
                    show(Some(vault))
                ),
                unit: "days",
                keep,
                node: node.or(Some(copy)),
                recovery: true,
                reaches_existing: false,
            });
        }
    }
    out
}

/// A backup lifecycle's `DeleteAfterDays` (absent: kept until deleted by hand) and its node.
fn delete_after(lifecycle: Option<&Node>) -> (Option<Keep>, Option<&Node>) {
    let node = lifecycle.and_then(|l| l.get("DeleteAfterDays"));
    (
        node.map_or(Some(Keep::Forever), |n| number(n).map(Keep::For)),
        node,
    )
}

#[cfg(test)]
mod tests {
    mod properties {
        use super::super::{calendar_day, Keep};
        use crate::yaml::{Node, Value};
        use proptest::prelude::*;

        fn scalar(text: &str) -> Node {
            Node {
                line: 1,
                end_line: 1,
                value: Value::Scalar(text.to_owned()),
            }
        }

        fn day() -> impl Strategy<Value = (u32, u32, u32)> {
            (1970u32..2200, 1u32..=12, 1u32..=28)
        }

        fn keep() -> impl Strategy<Value = Keep> {
            prop_oneof![
                (0u32..10_000).prop_map(|n| Keep::For(f64::from(n))),
                day().prop_map(
                    |(y, m, d)| calendar_day(&scalar(&format!("{y:04}-{m:02}-{d:02}"))).unwrap()
                ),
                Just(Keep::Forever),
            ]
        }

        proptest! {
            #[test]
            fn a_written_day_reads_back(
                (y, m, d) in day(),
                time in prop_oneof![Just(""), Just("T00:00:00.000Z"), Just("T23:59:59+01:00")],
            ) {
                let text = format!("{y:04}-{m:02}-{d:02}");
                let read = calendar_day(&scalar(&format!(" {text}{time} ")));
                prop_assert_eq!(read, Some(Keep::Until(text.as_bytes().try_into().unwrap())));
            }

            #[test]
            fn a_later_day_is_never_sooner((a, b) in (day(), day())) {
                let read = |(y, m, d): (u32, u32, u32)| calendar_day(&scalar(&format!("{y:04}-{m:02}-{d:02}"))).unwrap();
                prop_assert_eq!(read(b).sooner_than(read(a)), b < a);
            }

            #[test]
            fn sooner_is_a_strict_order_with_forever_last(a in keep(), b in keep()) {
                prop_assert!(!Keep::Forever.sooner_than(a));
                prop_assert!(!a.sooner_than(a));
                prop_assert!(!(a.sooner_than(b) && b.sooner_than(a)));
                if a != Keep::Forever {
                    prop_assert!(a.sooner_than(Keep::Forever));
                }
                if let (Keep::For(x), Keep::For(y)) = (a, b) {
                    prop_assert_eq!(b.sooner_than(a), y < x);
                }
            }

            #[test]
            fn arbitrary_text_never_panics(text in "[0-9-]{0,12}\\PC{0,4}") {
                if let Some(Keep::Until(day)) = calendar_day(&scalar(&text)) {
                    prop_assert!(text.trim().as_bytes().starts_with(&day));
                }
            }
        }
    }
}
