//! retention: the settings that tell a provider how long to keep data before it deletes it
//! (log retention, S3 lifecycle expiration, AWS Backup deletion, soft-delete windows), what
//! their absence means, and whether an edit makes the provider delete data sooner. Such an
//! edit destroys no resource, so no plan shows it as a destroy; the data simply goes on the
//! provider's next pass. Also the judge for retentions handed to a module from outside
//! (module arguments, `.tfvars` values, Terragrunt inputs, variable defaults), which only
//! name a retention. Pure: compares two parsed blocks or values; never reads other files.

use super::model::{Item, ItemKind, Lit, Setting};
use super::FileView;
use crate::change::Side;
use crate::finding::{Finding, RuleId, Severity, Tag};
use crate::rules::Rule;
use std::fmt;

pub const RETENTION_SHORTENED: Rule = Rule {
    id: RuleId("terraform/retention-shortened"),
    severity: Severity::Medium,
    tags: &[Tag::Destructive, Tag::Infra],
    summary: "A data-retention setting was lowered, so logs, objects, backups or deleted items are deleted sooner.",
    why: "Retention settings are deletion schedules. Lowering CloudWatch log retention, an S3 lifecycle \
          `expiration` (in days, or a `date` set or moved earlier) or `noncurrent_version_expiration` \
          (in `aws_s3_bucket_lifecycle_configuration` or the AWS provider v3's inline `lifecycle_rule`, \
          rules matched by `id`), an AWS Backup plan's `delete_after` (of a rule, or of the copies a \
          `copy_action` keeps in another vault), the days of automated backups an RDS, DocumentDB or \
          Neptune database keeps (`backup_retention_period`; 0, backups off, is \
          `terraform/protection-weakened`), the days of automatic snapshots an ElastiCache, MemoryDB or \
          Redshift cluster keeps, the window in which a destroyed KMS key or Secrets Manager secret \
          can still be recovered, a Key Vault's soft-delete window, a Log Analytics / \
          Cloud Logging retention, a Cloud Storage `Delete` lifecycle rule's `age` or \
          `days_since_noncurrent_time` and its soft-delete window, Cloud SQL's retained backups and \
          transaction log days, an Azure database's backup or short-term retention days, an Azure \
          storage account's blob and container soft delete, a Cosmos DB account's backup hours, a \
          Pub/Sub subscription's or topic's message retention, a Snowflake database's, schema's or \
          table's Time Travel (`data_retention_time_in_days`), or an Azure Data Protection disk or \
          PostgreSQL backup policy's default retention, and (found against peers' catalogues) FSx \
          backups, DynamoDB's PITR window, SQS, Kinesis and CloudTrail Lake retention, Azure Backup \
          policy counts, SQL long-term retention, file-share soft delete, Application Insights and \
          flow-log retention, Spanner version retention, BigQuery expirations and time travel, \
          AlloyDB and Firestore backups, Secret Manager's destroy TTL and snapshot schedules (durations such as `\"604800s\"`, `\"168h\"` or \
          `\"P30D\"` compared in any unit) makes the provider delete data sooner, and no plan shows that as a destroy. Reported when both values are literal and the new one is sooner, or when a limit is \
          added where its absence kept data forever (a disabled lifecycle rule switched on included) or \
          removed in favour of a shorter default; a brand-new resource deletes nothing that exists, nor \
          does a new backup rule or copy. Medium; high for backups and for the recovery of deleted or \
          overwritten data (noncurrent versions, soft delete). A value handed to a module whose name ends \
          in `retention_in_days`, `retention_days`, `retention_period`, `retention_duration`, `retention_time_in_days` or `window_in_days` (a module \
          argument, a `.tfvars` value, a Terragrunt input, a variable's default) is judged when both values are positive \
          literal numbers or both duration strings; one added or removed leaves the module's default, which twokey cannot see.",
    example: "before: resource \"aws_cloudwatch_log_group\" \"app\" { retention_in_days = 90 }\n\
              after:  resource \"aws_cloudwatch_log_group\" \"app\" { retention_in_days = 7 }",
    safer: "Keep the longer retention; if less must be kept, export or archive the data that would be \
            deleted first, and lower the retention in its own reviewed change.",
};

/// A calendar day, as S3 lifecycle dates give it: `2025-01-01T00:00:00Z` (RFC 3339, midnight
/// UTC), or `2025-01-01` in the AWS provider v3's inline rules. Ordered by time.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
struct Day {
    year: u16,
    month: u8,
    day: u8,
}

impl Day {
    /// The day a date string starts with; `None` for anything that is not one, which then
    /// counts as unknown rather than as a deadline.
    fn parse(text: &str) -> Option<Day> {
        let text = text.trim();
        let rest = text.get(10..)?;
        if !(rest.is_empty() || rest.starts_with('T')) {
            return None;
        }
        let mut parts = text.get(..10)?.split('-');
        let mut field = |width: usize| {
            parts
                .next()
                .filter(|p| p.len() == width && p.bytes().all(|b| b.is_ascii_digit()))
                .and_then(|p| p.parse::<u16>().ok())
        };
        let (year, month, day) = (field(4)?, field(2)?, field(2)?);
        let day = Day {
            year,
            month: u8::try_from(month).ok().filter(|m| (1..=12).contains(m))?,
            day: u8::try_from(day).ok().filter(|d| (1..=31).contains(d))?,
        };
        Some(day)
    }
}

impl fmt::Display for Day {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04}-{:02}-{:02}", self.year, self.month, self.day)
    }
}

/// How long data is kept, as far as the text tells.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Kept {
    Forever,
    Days(f64),
    /// The newest so many copies (Cloud SQL keeps a number of backups, not days of them).
    Copies(f64),
    /// Until a calendar day, when what the setting matches expires.
    Until(Day),
    /// A computed value, or an absence whose meaning twokey does not know.
    Unknown,
}

impl Kept {
    /// Whether data kept `self` is deleted sooner than data kept `was`. Limits of different
    /// measures never meet: each setting has one.
    fn sooner_than(self, was: Kept) -> bool {
        match (was, self) {
            (Kept::Forever, Kept::Days(_) | Kept::Copies(_) | Kept::Until(_)) => true,
            (Kept::Days(w), Kept::Days(n)) | (Kept::Copies(w), Kept::Copies(n)) => n < w,
            (Kept::Until(w), Kept::Until(n)) => n < w,
            _ => false,
        }
    }
    /// The limit as it completes "… of {limit}" or fills a `{limit}` in a template.
    fn limit(self) -> String {
        match self {
            Kept::Days(n) => days(n),
            Kept::Copies(n) => format!("the newest {n}"),
            Kept::Until(d) => d.to_string(),
            Kept::Forever => "forever".to_owned(),
            Kept::Unknown => "unknown".to_owned(),
        }
    }
    fn describe(self) -> String {
        match self {
            Kept::Forever => "kept forever".to_owned(),
            Kept::Days(n) => format!("kept {}", days(n)),
            Kept::Copies(n) => format!("the newest {n} kept"),
            Kept::Until(d) => format!("expiring on {d}"),
            Kept::Unknown => "unknown".to_owned(),
        }
    }
}

/// A number of days as a message gives it: in hours when it is not a whole number of days
/// (Cosmos DB keeps backups for hours).
fn days(n: f64) -> String {
    if n == 1.0 {
        "1 day".to_owned()
    } else if n.fract() == 0.0 {
        format!("{n} days")
    } else {
        let hours = (n * 24.0 * 100.0).round() / 100.0;
        if hours == 1.0 {
            "1 hour".to_owned()
        } else {
            format!("{hours} hours")
        }
    }
}

/// How a setting states its limit.
#[derive(Clone, Copy)]
enum Measure {
    /// A number of days; `zero_is_forever` when 0 means "never delete" rather than "at once".
    Days { zero_is_forever: bool },
    /// A number of days of backups kept (or of a recovery window), where 0 turns the backups
    /// off (or deletes at once): that is `terraform/protection-weakened`'s to report, so it
    /// is not judged here.
    BackupDays,
    /// A length of time in smaller units (`per_day` of them make a day): Google gives
    /// seconds, Cosmos DB hours.
    Units { per_day: f64 },
    /// A number of copies kept, the oldest deleted first.
    Copies,
    /// A calendar day from which what the rule matches expires.
    Date,
    /// A duration string: Google's seconds (`"604800s"`, `"600.5s"`), a Go-style `"168h"` or
    /// `"1h30m"`, or an ISO 8601 `"P30D"` / `"PT12H"` as Azure writes them.
    Duration,
}

impl Measure {
    fn read(self, value: &Lit) -> Kept {
        match self {
            Measure::Days { zero_is_forever } => match value.as_num() {
                Some(n) if n == 0.0 && zero_is_forever => Kept::Forever,
                Some(n) => Kept::Days(n),
                None => Kept::Unknown,
            },
            Measure::BackupDays => match value.as_num() {
                Some(n) if n > 0.0 => Kept::Days(n),
                _ => Kept::Unknown,
            },
            Measure::Units { per_day } => value
                .as_num()
                .map_or(Kept::Unknown, |n| Kept::Days(n / per_day)),
            Measure::Copies => value.as_num().map_or(Kept::Unknown, Kept::Copies),
            Measure::Date => match value {
                Lit::Str(s) => Day::parse(s).map_or(Kept::Unknown, Kept::Until),
                _ => Kept::Unknown,
            },
            Measure::Duration => match value {
                Lit::Str(s) => duration_days(s).map_or(Kept::Unknown, Kept::Days),
                _ => Kept::Unknown,
            },
        }
    }
}

/// The days a duration string stands for (see [`duration`](crate::analyze::duration));
/// `None` for anything else, which then counts as unknown.
fn duration_days(text: &str) -> Option<f64> {
    crate::analyze::duration::seconds(text).map(|s| s / 86_400.0)
}

/// What the absence of a setting means.
#[derive(Clone, Copy)]
enum Absent {
    /// Nothing deletes the data.
    Forever,
    /// The provider's default, which can depend on another setting of the item.
    Default(fn(&Item) -> Kept),
    /// Another setting of the enclosing block (`path`, relative to it) applies, and is
    /// itself kept forever when absent: AWS Backup gives a copy its rule's own lifecycle
    /// unless the `copy_action` sets one. `from` names it in messages.
    Inherit {
        path: &'static str,
        from: &'static str,
    },
}

/// Repeated blocks that each hold their own retention, told apart by a naming attribute.
struct Within {
    block: &'static str,
    key: &'static str,
    /// How a message names one block by its key: "the rule named …", "the copy_action to …".
    named: &'static str,
    /// What switches the block off: its retention then deletes nothing.
    off: Option<Switch>,
}

/// An attribute, and the values of it that switch its block off.
struct Switch {
    attr: &'static str,
    is_off: fn(&Lit) -> bool,
}

/// One retention setting of one resource type.
struct Retention {
    rtype: &'static str,
    /// The nested blocks holding the setting, outermost first; empty for a resource's own.
    within: &'static [Within],
    /// Dotted path of the setting, inside the innermost `within` block when there is one.
    path: &'static str,
    absent: Absent,
    measure: Measure,
    /// What is deleted, completing "… so {deleted}"; `{limit}` is the new limit (days, or a day).
    deleted: &'static str,
    /// Backups and deleted-object recovery: the last copy of data someone may need back.
    recovery: bool,
    /// Whether a block added to an existing resource deletes data that already exists (an S3
    /// lifecycle rule applies to the objects in the bucket), rather than only governing data
    /// it makes from then on (an AWS Backup rule or copy).
    added_block_deletes: bool,
}

const DAYS: Measure = Measure::Days {
    zero_is_forever: false,
};

fn days_30(_: &Item) -> Kept {
    Kept::Days(30.0)
}

fn days_90(_: &Item) -> Kept {
    Kept::Days(90.0)
}

/// A default the provider takes from the service, which differs by engine and API.
fn service_default(_: &Item) -> Kept {
    Kept::Unknown
}

/// A Pub/Sub topic keeps no published messages unless told to.
fn none_kept(_: &Item) -> Kept {
    Kept::Days(0.0)
}

fn days_7(_: &Item) -> Kept {
    Kept::Days(7.0)
}

fn days_14(_: &Item) -> Kept {
    Kept::Days(14.0)
}

fn days_35(_: &Item) -> Kept {
    Kept::Days(35.0)
}

/// SQS keeps a message 4 days unless told otherwise.
fn days_4(_: &Item) -> Kept {
    Kept::Days(4.0)
}

/// A Kinesis stream keeps records 24 hours, a Spanner database old versions 1 hour, unless told.
fn hours_24(_: &Item) -> Kept {
    Kept::Days(1.0)
}

fn hours_1(_: &Item) -> Kept {
    Kept::Days(1.0 / 24.0)
}

/// A CloudTrail Lake event data store keeps events 7 years (2,557 days) unless told otherwise.
fn days_2557(_: &Item) -> Kept {
    Kept::Days(2557.0)
}

fn copies_7(_: &Item) -> Kept {
    Kept::Copies(7.0)
}

/// Cosmos DB keeps periodic backups 8 hours unless told otherwise.
fn hours_8(_: &Item) -> Kept {
    Kept::Days(8.0 / 24.0)
}

/// An Azure storage account's soft delete for blobs (or containers) under `policy`: 7 days
/// when the policy block is there without `days`; off when `blob_properties` is written
/// without it, since the provider then disables it; unknown when `blob_properties` is not
/// written at all, since the provider then leaves the account's setting alone.
fn storage_soft_delete(item: &Item, policy: &str) -> Kept {
    if has_prefix(item, &format!("blob_properties.{policy}.")) {
        Kept::Days(7.0)
    } else if has_prefix(item, "blob_properties.") {
        Kept::Days(0.0)
    } else {
        Kept::Unknown
    }
}

fn blob_soft_delete(item: &Item) -> Kept {
    storage_soft_delete(item, "delete_retention_policy")
}

fn container_soft_delete(item: &Item) -> Kept {
    storage_soft_delete(item, "container_delete_retention_policy")
}

/// Point-in-time restore of block blobs: off when `blob_properties` is written without a
/// `restore_policy` (its `days` is required, so there is no default of its own).
fn blob_restore(item: &Item) -> Kept {
    storage_soft_delete(item, "restore_policy")
}

/// Soft delete of file shares: 7 days when `share_properties.retention_policy` is there without
/// `days`; otherwise the account's setting, which the text does not show.
fn share_soft_delete(item: &Item) -> Kept {
    if has_prefix(item, "share_properties.retention_policy.") {
        Kept::Days(7.0)
    } else {
        Kept::Unknown
    }
}

/// Log Analytics keeps 30 days by default, except on the legacy Free tier (7 days, fixed).
fn log_analytics_default(item: &Item) -> Kept {
    match item.get("sku").map(|s| &s.value) {
        None => Kept::Days(30.0),
        Some(v) if !v.is_known() => Kept::Unknown,
        Some(v) if v.render().eq_ignore_ascii_case("\"free\"") => Kept::Days(7.0),
        Some(_) => Kept::Days(30.0),
    }
}

fn status_disabled(v: &Lit) -> bool {
    matches!(v, Lit::Str(s) if s == "Disabled")
}

fn is_false(v: &Lit) -> bool {
    v.as_bool() == Some(false)
}

/// A Cloud Storage lifecycle rule: its conditions only delete when its action is `Delete`
/// (a `SetStorageClass` rule moves objects, it does not remove them). Rules have no name; the
/// action stands in for one, so `Delete` rules pair up in order.
const GCS_RULE: Within = Within {
    block: "lifecycle_rule",
    key: "action.type",
    named: "with action",
    off: Some(Switch {
        attr: "action.type",
        is_off: not_delete,
    }),
};

fn not_delete(v: &Lit) -> bool {
    matches!(v, Lit::Str(s) if s != "Delete")
}

const S3_RULE: Within = Within {
    block: "rule",
    key: "id",
    named: "named",
    off: Some(Switch {
        attr: "status",
        is_off: status_disabled,
    }),
};

/// The AWS provider v3's `lifecycle_rule` inside `aws_s3_bucket`: `enabled` is its switch,
/// and its noncurrent expiration counts `days`, not `noncurrent_days`.
const S3_INLINE_RULE: Within = Within {
    block: "lifecycle_rule",
    key: "id",
    named: "named",
    off: Some(Switch {
        attr: "enabled",
        is_off: is_false,
    }),
};

const BACKUP_RULE: Within = Within {
    block: "rule",
    key: "rule_name",
    named: "named",
    off: None,
};

const BACKUP_COPY: Within = Within {
    block: "copy_action",
    key: "destination_vault_arn",
    named: "to",
    off: None,
};

/// What an S3 setting deletes, and whether that is deleted-object recovery.
const EXPIRED: (&str, bool) = (
    "objects it matches expire {limit} after creation (deleted, or kept only as noncurrent \
     versions where versioning is on)",
    false,
);
const EXPIRED_ON: (&str, bool) = (
    "every object it matches expires on {limit}, and every later one as soon as it matches \
     (deleted, or kept only as a noncurrent version where versioning is on)",
    false,
);
const PURGED: (&str, bool) = (
    "overwritten and deleted object versions it matches are purged {limit} after they become \
     noncurrent, and can no longer be restored",
    true,
);

/// An S3 lifecycle setting, in either form of lifecycle rule.
const fn s3(
    rtype: &'static str,
    within: &'static [Within],
    path: &'static str,
    measure: Measure,
    (deleted, recovery): (&'static str, bool),
) -> Retention {
    Retention {
        rtype,
        within,
        path,
        absent: Absent::Forever,
        measure,
        deleted,
        recovery,
        added_block_deletes: true,
    }
}

/// A database's automated backups: fewer days kept deletes the older ones and narrows the
/// window it can be restored to a point in.
const fn backups_kept(rtype: &'static str) -> Retention {
    Retention {
        rtype,
        within: &[],
        path: "backup_retention_period",
        absent: Absent::Default(service_default),
        measure: Measure::BackupDays,
        deleted: "automated backups older than {limit} are deleted, and it can be restored to a \
                  point in time only within the last {limit}",
        recovery: true,
        added_block_deletes: true,
    }
}

/// A cache's or warehouse's automatic snapshots, kept `path` days (0 turns them off, which
/// the guard of the same name reports).
const fn snapshots_kept(rtype: &'static str, path: &'static str) -> Retention {
    Retention {
        rtype,
        within: &[],
        path,
        absent: Absent::Default(service_default),
        measure: Measure::BackupDays,
        deleted: "automatic snapshots older than {limit} are deleted",
        recovery: true,
        added_block_deletes: true,
    }
}

/// A retention of `rtype` whose absence leaves a default the text does not show, so only two
/// written values are compared.
const fn written(
    rtype: &'static str,
    path: &'static str,
    measure: Measure,
    deleted: &'static str,
    recovery: bool,
) -> Retention {
    Retention {
        rtype,
        within: &[],
        path,
        absent: Absent::Default(service_default),
        measure,
        deleted,
        recovery,
        added_block_deletes: true,
    }
}

/// A retention of `rtype` with a known meaning when absent.
const fn defaulted(
    rtype: &'static str,
    path: &'static str,
    absent: Absent,
    measure: Measure,
    deleted: &'static str,
    recovery: bool,
) -> Retention {
    Retention {
        rtype,
        within: &[],
        path,
        absent,
        measure,
        deleted,
        recovery,
        added_block_deletes: true,
    }
}

/// An FSx file system's automatic daily backups (0 turns them off: the guard's to report).
const fn fsx_backups(rtype: &'static str) -> Retention {
    written(
        rtype,
        "automatic_backup_retention_days",
        Measure::BackupDays,
        "automatic backups older than {limit} are deleted",
        true,
    )
}

/// How many recovery points of one kind an Azure Backup policy keeps (`retention_daily.count`
/// and the weekly, monthly and yearly ones): fewer, and the older ones are deleted.
const fn azure_backup_count(
    rtype: &'static str,
    path: &'static str,
    deleted: &'static str,
) -> Retention {
    written(rtype, path, Measure::Copies, deleted, true)
}

const AZURE_DAILY: &str = "only {limit} daily recovery points are kept and older ones are deleted";
const AZURE_WEEKLY: &str =
    "only {limit} weekly recovery points are kept and older ones are deleted";
const AZURE_MONTHLY: &str =
    "only {limit} monthly recovery points are kept and older ones are deleted";
const AZURE_YEARLY: &str =
    "only {limit} yearly recovery points are kept and older ones are deleted";

/// Snowflake's Time Travel: how long dropped or overwritten data of a database, schema or
/// table can still be queried, cloned or undropped (0 turns it off). Absent, the object
/// inherits its parent's or the account's, which the text does not show.
const fn time_travel(rtype: &'static str) -> Retention {
    Retention {
        rtype,
        within: &[],
        path: "data_retention_time_in_days",
        absent: Absent::Default(service_default),
        measure: DAYS,
        deleted:
            "dropped, deleted or overwritten data can be restored (Time Travel, `UNDROP`) for \
                  only {limit}",
        recovery: true,
        added_block_deletes: true,
    }
}

const LIFECYCLE_CONFIGURATION: &str = "aws_s3_bucket_lifecycle_configuration";

const RETENTIONS: &[Retention] = &[
    Retention {
        rtype: "aws_cloudwatch_log_group",
        within: &[],
        path: "retention_in_days",
        absent: Absent::Forever,
        measure: Measure::Days {
            zero_is_forever: true,
        },
        deleted: "log events older than {limit} are deleted",
        recovery: false,
        added_block_deletes: true,
    },
    s3(
        LIFECYCLE_CONFIGURATION,
        &[S3_RULE],
        "expiration.days",
        DAYS,
        EXPIRED,
    ),
    s3(
        LIFECYCLE_CONFIGURATION,
        &[S3_RULE],
        "expiration.date",
        Measure::Date,
        EXPIRED_ON,
    ),
    s3(
        LIFECYCLE_CONFIGURATION,
        &[S3_RULE],
        "noncurrent_version_expiration.noncurrent_days",
        DAYS,
        PURGED,
    ),
    s3(
        "aws_s3_bucket",
        &[S3_INLINE_RULE],
        "expiration.days",
        DAYS,
        EXPIRED,
    ),
    s3(
        "aws_s3_bucket",
        &[S3_INLINE_RULE],
        "expiration.date",
        Measure::Date,
        EXPIRED_ON,
    ),
    s3(
        "aws_s3_bucket",
        &[S3_INLINE_RULE],
        "noncurrent_version_expiration.days",
        DAYS,
        PURGED,
    ),
    Retention {
        rtype: "aws_backup_plan",
        within: &[BACKUP_RULE],
        path: "lifecycle.delete_after",
        absent: Absent::Forever,
        measure: DAYS,
        // A plan's new lifecycle governs the recovery points made from then on; a continuous
        // backup's single recovery point is updated in place.
        deleted: "the recovery points it makes are deleted {limit} after creation (for continuous \
                  backups, the restore window shrinks to {limit})",
        recovery: true,
        added_block_deletes: false,
    },
    Retention {
        rtype: "aws_backup_plan",
        within: &[BACKUP_RULE, BACKUP_COPY],
        path: "lifecycle.delete_after",
        absent: Absent::Inherit {
            path: "lifecycle.delete_after",
            from: "the rule's own lifecycle",
        },
        measure: DAYS,
        deleted: "the copies it keeps in that vault (often another account or region, kept for \
                  disaster recovery) are deleted {limit} after creation",
        recovery: true,
        added_block_deletes: false,
    },
    backups_kept("aws_db_instance"),
    backups_kept("aws_rds_cluster"),
    backups_kept("aws_docdb_cluster"),
    backups_kept("aws_neptune_cluster"),
    snapshots_kept("aws_elasticache_replication_group", "snapshot_retention_limit"),
    snapshots_kept("aws_elasticache_cluster", "snapshot_retention_limit"),
    snapshots_kept("aws_memorydb_cluster", "snapshot_retention_limit"),
    snapshots_kept("aws_redshift_cluster", "automated_snapshot_retention_period"),
    // What a destroy leaves recoverable: a KMS key waits 7 to 30 days (30 unless set)
    // before it is deleted, and a secret 7 to 30 (30 unless set; 0 is the guard's).
    Retention {
        rtype: "aws_kms_key",
        within: &[],
        path: "deletion_window_in_days",
        absent: Absent::Default(days_30),
        measure: DAYS,
        deleted: "once destroyed, the key (and with it every piece of data encrypted under it) \
                  can be recovered for only {limit}",
        recovery: true,
        added_block_deletes: true,
    },
    Retention {
        rtype: "aws_kms_replica_key",
        within: &[],
        path: "deletion_window_in_days",
        absent: Absent::Default(days_30),
        measure: DAYS,
        deleted: "once destroyed, the replica key can be recovered for only {limit}",
        recovery: true,
        added_block_deletes: true,
    },
    Retention {
        rtype: "aws_secretsmanager_secret",
        within: &[],
        path: "recovery_window_in_days",
        absent: Absent::Default(days_30),
        measure: Measure::BackupDays,
        deleted: "once destroyed, the secret can be recovered for only {limit}",
        recovery: true,
        added_block_deletes: true,
    },
    Retention {
        rtype: "azurerm_key_vault",
        within: &[],
        path: "soft_delete_retention_days",
        absent: Absent::Default(days_90),
        measure: DAYS,
        deleted: "deleted keys, secrets and certificates can be recovered for only {limit}",
        recovery: true,
        added_block_deletes: true,
    },
    Retention {
        rtype: "azurerm_log_analytics_workspace",
        within: &[],
        path: "retention_in_days",
        absent: Absent::Default(log_analytics_default),
        measure: DAYS,
        deleted: "log data older than {limit} is deleted",
        recovery: false,
        added_block_deletes: true,
    },
    Retention {
        rtype: "google_storage_bucket",
        within: &[GCS_RULE],
        path: "condition.age",
        absent: Absent::Forever,
        measure: DAYS,
        deleted: "objects it matches are deleted {limit} after creation (kept only as noncurrent \
                  versions where versioning is on)",
        recovery: false,
        added_block_deletes: true,
    },
    Retention {
        rtype: "google_storage_bucket",
        within: &[GCS_RULE],
        path: "condition.days_since_noncurrent_time",
        absent: Absent::Forever,
        measure: DAYS,
        deleted: "overwritten and deleted object versions it matches are deleted {limit} after they \
                  become noncurrent, and can no longer be restored",
        recovery: true,
        added_block_deletes: true,
    },
    Retention {
        rtype: "google_storage_bucket",
        within: &[],
        path: "soft_delete_policy.retention_duration_seconds",
        absent: Absent::Default(days_7),
        measure: Measure::Units { per_day: 86_400.0 },
        deleted: "deleted and overwritten objects can be restored for only {limit}",
        recovery: true,
        added_block_deletes: true,
    },
    Retention {
        rtype: "google_sql_database_instance",
        within: &[],
        path: "settings.backup_configuration.backup_retention_settings.retained_backups",
        absent: Absent::Default(copies_7),
        measure: Measure::Copies,
        deleted: "only {limit} automated backups are kept and older ones are deleted",
        recovery: true,
        added_block_deletes: true,
    },
    Retention {
        rtype: "google_sql_database_instance",
        within: &[],
        path: "settings.backup_configuration.transaction_log_retention_days",
        absent: Absent::Default(days_7),
        measure: DAYS,
        deleted: "point-in-time recovery reaches back only {limit}",
        recovery: true,
        added_block_deletes: true,
    },
    Retention {
        rtype: "azurerm_postgresql_flexible_server",
        within: &[],
        path: "backup_retention_days",
        absent: Absent::Default(days_7),
        measure: DAYS,
        deleted: "backups older than {limit} are deleted, and the server can be restored only that far back",
        recovery: true,
        added_block_deletes: true,
    },
    Retention {
        rtype: "azurerm_mysql_flexible_server",
        within: &[],
        path: "backup_retention_days",
        absent: Absent::Default(days_7),
        measure: DAYS,
        deleted: "backups older than {limit} are deleted, and the server can be restored only that far back",
        recovery: true,
        added_block_deletes: true,
    },
    Retention {
        rtype: "azurerm_mssql_database",
        within: &[],
        path: "short_term_retention_policy.retention_days",
        absent: Absent::Default(days_7),
        measure: DAYS,
        deleted: "point-in-time restore reaches back only {limit}",
        recovery: true,
        added_block_deletes: true,
    },
    Retention {
        rtype: "azurerm_storage_account",
        within: &[],
        path: "blob_properties.delete_retention_policy.days",
        absent: Absent::Default(blob_soft_delete),
        measure: DAYS,
        deleted: "deleted blobs can be restored for only {limit}",
        recovery: true,
        added_block_deletes: true,
    },
    Retention {
        rtype: "azurerm_storage_account",
        within: &[],
        path: "blob_properties.container_delete_retention_policy.days",
        absent: Absent::Default(container_soft_delete),
        measure: DAYS,
        deleted: "deleted containers, and the blobs in them, can be restored for only {limit}",
        recovery: true,
        added_block_deletes: true,
    },
    Retention {
        rtype: "azurerm_cosmosdb_account",
        within: &[],
        path: "backup.retention_in_hours",
        absent: Absent::Default(hours_8),
        measure: Measure::Units { per_day: 24.0 },
        deleted: "periodic backups older than {limit} are deleted",
        recovery: true,
        added_block_deletes: true,
    },
    Retention {
        rtype: "google_pubsub_subscription",
        within: &[],
        path: "message_retention_duration",
        absent: Absent::Default(days_7),
        measure: Measure::Duration,
        deleted: "messages older than {limit} are discarded from its backlog (and, where acknowledged \
                  messages are retained, can no longer be replayed with a seek)",
        recovery: false,
        added_block_deletes: true,
    },
    Retention {
        rtype: "google_pubsub_topic",
        within: &[],
        path: "message_retention_duration",
        absent: Absent::Default(none_kept),
        measure: Measure::Duration,
        deleted: "published messages older than {limit} are discarded and can no longer be replayed",
        recovery: false,
        added_block_deletes: true,
    },
    Retention {
        rtype: "azurerm_data_protection_backup_policy_disk",
        within: &[],
        path: "default_retention_duration",
        absent: Absent::Default(service_default),
        measure: Measure::Duration,
        deleted: "disk backups older than {limit} are deleted",
        recovery: true,
        added_block_deletes: true,
    },
    Retention {
        rtype: "azurerm_data_protection_backup_policy_postgresql",
        within: &[],
        path: "default_retention_duration",
        absent: Absent::Default(service_default),
        measure: Measure::Duration,
        deleted: "database backups older than {limit} are deleted",
        recovery: true,
        added_block_deletes: true,
    },
    time_travel("snowflake_database"),
    time_travel("snowflake_standard_database"),
    time_travel("snowflake_schema"),
    time_travel("snowflake_table"),
    Retention {
        rtype: "google_logging_project_bucket_config",
        within: &[],
        path: "retention_days",
        absent: Absent::Default(days_30),
        measure: DAYS,
        deleted: "log entries older than {limit} are deleted",
        recovery: false,
        added_block_deletes: true,
    },
    Retention {
        rtype: "google_logging_folder_bucket_config",
        within: &[],
        path: "retention_days",
        absent: Absent::Default(days_30),
        measure: DAYS,
        deleted: "log entries older than {limit} are deleted",
        recovery: false,
        added_block_deletes: true,
    },
    Retention {
        rtype: "google_logging_organization_bucket_config",
        within: &[],
        path: "retention_days",
        absent: Absent::Default(days_30),
        measure: DAYS,
        deleted: "log entries older than {limit} are deleted",
        recovery: false,
        added_block_deletes: true,
    },
    Retention {
        rtype: "google_logging_billing_account_bucket_config",
        within: &[],
        path: "retention_days",
        absent: Absent::Default(days_30),
        measure: DAYS,
        deleted: "log entries older than {limit} are deleted",
        recovery: false,
        added_block_deletes: true,
    },
    // ---- found missing against peers' catalogues (Checkov, Trivy, KICS, PSRule) and the
    // providers' docs ----
    defaulted(
        "aws_dynamodb_table",
        "point_in_time_recovery.recovery_period_in_days",
        Absent::Default(days_35),
        DAYS,
        "the table can be restored to a point in time only within the last {limit}",
        true,
    ),
    fsx_backups("aws_fsx_windows_file_system"),
    fsx_backups("aws_fsx_lustre_file_system"),
    fsx_backups("aws_fsx_ontap_file_system"),
    fsx_backups("aws_fsx_openzfs_file_system"),
    snapshots_kept("aws_elasticache_serverless_cache", "snapshot_retention_limit"),
    backups_kept("aws_docdb_elastic_cluster"),
    defaulted(
        "aws_sqs_queue",
        "message_retention_seconds",
        Absent::Default(days_4),
        Measure::Units { per_day: 86_400.0 },
        "messages not consumed within {limit} are deleted",
        false,
    ),
    defaulted(
        "aws_kinesis_stream",
        "retention_period",
        Absent::Default(hours_24),
        Measure::Units { per_day: 24.0 },
        "records older than {limit} are deleted from the stream",
        false,
    ),
    defaulted(
        "aws_cloudtrail_event_data_store",
        "retention_period",
        Absent::Default(days_2557),
        DAYS,
        "audit events older than {limit} are deleted",
        false,
    ),
    written(
        "aws_timestreamwrite_table",
        "retention_properties.magnetic_store_retention_period_in_days",
        DAYS,
        "records older than {limit} are deleted",
        false,
    ),
    defaulted(
        "azurerm_storage_account",
        "share_properties.retention_policy.days",
        Absent::Default(share_soft_delete),
        DAYS,
        "deleted file shares, and the files in them, can be restored for only {limit}",
        true,
    ),
    defaulted(
        "azurerm_storage_account",
        "blob_properties.restore_policy.days",
        Absent::Default(blob_restore),
        DAYS,
        "blobs can be restored to an earlier point in time only within the last {limit}",
        true,
    ),
    azure_backup_count("azurerm_backup_policy_vm", "retention_daily.count", AZURE_DAILY),
    azure_backup_count("azurerm_backup_policy_vm", "retention_weekly.count", AZURE_WEEKLY),
    azure_backup_count("azurerm_backup_policy_vm", "retention_monthly.count", AZURE_MONTHLY),
    azure_backup_count("azurerm_backup_policy_vm", "retention_yearly.count", AZURE_YEARLY),
    azure_backup_count("azurerm_backup_policy_file_share", "retention_daily.count", AZURE_DAILY),
    azure_backup_count("azurerm_backup_policy_file_share", "retention_weekly.count", AZURE_WEEKLY),
    azure_backup_count("azurerm_backup_policy_file_share", "retention_monthly.count", AZURE_MONTHLY),
    azure_backup_count("azurerm_backup_policy_file_share", "retention_yearly.count", AZURE_YEARLY),
    defaulted(
        "azurerm_data_protection_backup_vault",
        "retention_duration_in_days",
        Absent::Default(days_14),
        DAYS,
        "deleted backups can be recovered for only {limit}",
        true,
    ),
    // Long-term retention governs the backups taken from then on, as an AWS Backup rule does.
    written(
        "azurerm_mssql_database",
        "long_term_retention_policy.weekly_retention",
        Measure::Duration,
        "the weekly long-term backups it keeps are deleted after {limit}",
        true,
    ),
    written(
        "azurerm_mssql_database",
        "long_term_retention_policy.monthly_retention",
        Measure::Duration,
        "the monthly long-term backups it keeps are deleted after {limit}",
        true,
    ),
    written(
        "azurerm_mssql_database",
        "long_term_retention_policy.yearly_retention",
        Measure::Duration,
        "the yearly long-term backups it keeps are deleted after {limit}",
        true,
    ),
    defaulted(
        "azurerm_postgresql_server",
        "backup_retention_days",
        Absent::Default(days_7),
        DAYS,
        "backups older than {limit} are deleted, and the server can be restored only that far back",
        true,
    ),
    defaulted(
        "azurerm_mysql_server",
        "backup_retention_days",
        Absent::Default(days_7),
        DAYS,
        "backups older than {limit} are deleted, and the server can be restored only that far back",
        true,
    ),
    defaulted(
        "azurerm_mariadb_server",
        "backup_retention_days",
        Absent::Default(days_7),
        DAYS,
        "backups older than {limit} are deleted, and the server can be restored only that far back",
        true,
    ),
    defaulted(
        "azurerm_application_insights",
        "retention_in_days",
        Absent::Default(days_90),
        DAYS,
        "telemetry older than {limit} is deleted",
        false,
    ),
    // A flow log's `retention_policy` is required; 0 days keeps the logs forever. Its
    // `enabled = false` is not read, so lowering the days of a disabled policy is reported too.
    written(
        "azurerm_network_watcher_flow_log",
        "retention_policy.days",
        Measure::Days {
            zero_is_forever: true,
        },
        "flow logs older than {limit} are deleted",
        false,
    ),
    defaulted(
        "azurerm_app_configuration",
        "soft_delete_retention_days",
        Absent::Default(days_7),
        DAYS,
        "a deleted store, and its keys and values, can be recovered for only {limit}",
        true,
    ),
    written(
        "google_bigtable_gc_policy",
        "max_age.duration",
        Measure::Duration,
        "cell versions older than {limit} are garbage-collected",
        false,
    ),
    defaulted(
        "google_spanner_database",
        "version_retention_period",
        Absent::Default(hours_1),
        Measure::Duration,
        "the database can be read or restored as of an earlier time only within the last {limit}",
        true,
    ),
    // A dataset's default expirations apply to the tables (and partitions) created from then on.
    defaulted(
        "google_bigquery_dataset",
        "default_table_expiration_ms",
        Absent::Forever,
        Measure::Units {
            per_day: 86_400_000.0,
        },
        "tables created in it from now on are deleted {limit} after creation",
        false,
    ),
    defaulted(
        "google_bigquery_dataset",
        "default_partition_expiration_ms",
        Absent::Forever,
        Measure::Units {
            per_day: 86_400_000.0,
        },
        "partitions of tables created in it from now on are deleted {limit} after their date",
        false,
    ),
    defaulted(
        "google_bigquery_dataset",
        "max_time_travel_hours",
        Absent::Default(days_7),
        Measure::Units { per_day: 24.0 },
        "changed or deleted table data can be recovered (time travel) for only {limit}",
        true,
    ),
    defaulted(
        "google_bigquery_table",
        "time_partitioning.expiration_ms",
        Absent::Forever,
        Measure::Units {
            per_day: 86_400_000.0,
        },
        "partitions older than {limit} are deleted",
        false,
    ),
    defaulted(
        "google_alloydb_cluster",
        "continuous_backup_config.recovery_window_days",
        Absent::Default(days_14),
        DAYS,
        "the cluster can be restored to a point in time only within the last {limit}",
        true,
    ),
    written(
        "google_alloydb_cluster",
        "automated_backup_policy.quantity_based_retention.count",
        Measure::Copies,
        "only {limit} automated backups are kept and older ones are deleted",
        true,
    ),
    written(
        "google_alloydb_cluster",
        "automated_backup_policy.time_based_retention.retention_period",
        Measure::Duration,
        "automated backups older than {limit} are deleted",
        true,
    ),
    written(
        "google_firestore_backup_schedule",
        "retention",
        Measure::Duration,
        "backups older than {limit} are deleted",
        true,
    ),
    // Without a TTL a destroyed secret version is gone at once.
    defaulted(
        "google_secret_manager_secret",
        "version_destroy_ttl",
        Absent::Default(none_kept),
        Measure::Duration,
        "a destroyed secret version can be recovered for only {limit}",
        true,
    ),
    written(
        "google_compute_resource_policy",
        "snapshot_schedule_policy.retention_policy.max_retention_days",
        DAYS,
        "scheduled snapshots older than {limit} are deleted",
        true,
    ),
];

/// One block that holds retention settings: the resource itself, or one of its (nested) rules.
#[derive(Clone)]
struct Scope {
    /// Path prefix of the block's settings (`""`, `rule.`, `rule[1].copy_action.`).
    prefix: String,
    /// The prefix of the block around it, where an inherited setting is read.
    outer: String,
    /// The value of its naming attribute, rendered; `None` when it has none.
    name: Option<String>,
    /// How a message points at it and the blocks around it, innermost first.
    label: Vec<String>,
    /// Whether it, or a block around it, is switched off.
    off: bool,
}

impl Scope {
    fn root() -> Scope {
        Scope {
            prefix: String::new(),
            outer: String::new(),
            name: None,
            label: Vec::new(),
            off: false,
        }
    }
}

fn has_prefix(item: &Item, prefix: &str) -> bool {
    use std::ops::Bound;
    item.settings
        .range::<str, _>((Bound::Included(prefix), Bound::Unbounded))
        .next()
        .is_some_and(|(k, _)| k.starts_with(prefix))
}

/// The `w` blocks of `item` inside `parent`, in order.
fn scopes(item: &Item, parent: &Scope, w: &Within) -> Vec<Scope> {
    let mut out = Vec::new();
    for i in 0.. {
        // Plain concatenation: a file of many resources asks this for each pair of them.
        let prefix = match i {
            0 => [parent.prefix.as_str(), w.block, "."].concat(),
            i => format!("{}{}[{i}].", parent.prefix, w.block),
        };
        if !has_prefix(item, &prefix) {
            break;
        }
        let get = |attr: &str| item.get(&[prefix.as_str(), attr].concat());
        let off = w
            .off
            .as_ref()
            .is_some_and(|sw| get(sw.attr).is_some_and(|s| (sw.is_off)(&s.value)));
        let name = get(w.key).map(|s| s.value.render());
        let mut label = parent.label.clone();
        if let Some(n) = &name {
            label.insert(0, format!("the {} {} {n}", w.block, w.named));
        }
        out.push(Scope {
            outer: parent.prefix.clone(),
            name,
            label,
            off: parent.off || off,
            prefix,
        });
    }
    out
}

/// Pairs each head block with the base block it continues: by name, then a lone unnamed or
/// renamed block with the lone one left on the other side. A head block with no partner is
/// new (`None`) only when no base block is left over, since otherwise it may be one of them
/// renamed; those are not judged.
fn pair(base: &[Scope], head: &[Scope]) -> Vec<(Option<Scope>, Scope)> {
    let mut left: Vec<&Scope> = base.iter().collect();
    let mut pairs = Vec::new();
    let mut unpaired = Vec::new();
    for h in head {
        let found = h
            .name
            .as_ref()
            .and_then(|n| left.iter().position(|b| b.name.as_ref() == Some(n)));
        match found {
            Some(i) => pairs.push((Some(left.remove(i).clone()), h.clone())),
            None => unpaired.push(h),
        }
    }
    match (left.as_slice(), unpaired.as_slice()) {
        ([b], [h]) => pairs.push((Some((*b).clone()), (*h).clone())),
        ([], fresh) => pairs.extend(fresh.iter().map(|h| (None, (*h).clone()))),
        _ => {}
    }
    pairs
}

/// The head blocks holding a setting nested in `within`, each with its base block, paired
/// level by level: a copy is only matched inside the rule it continues.
fn paired(old: &Item, new: &Item, within: &[Within]) -> Vec<(Option<Scope>, Scope)> {
    let mut pairs = vec![(Some(Scope::root()), Scope::root())];
    for w in within {
        pairs = pairs
            .into_iter()
            .flat_map(|(was, now)| {
                let base = was.map(|b| scopes(old, &b, w)).unwrap_or_default();
                pair(&base, &scopes(new, &now, w))
            })
            .collect();
    }
    pairs
}

/// Where a limit comes from, for the message.
#[derive(Clone, Copy, PartialEq)]
enum Origin {
    Written,
    Default,
    Inherited(&'static str),
}

/// One side's limit for one block.
struct Limit<'a> {
    kept: Kept,
    origin: Origin,
    /// The setting as written; `None` when absent.
    setting: Option<&'a Setting>,
}

impl<'a> Limit<'a> {
    /// What a block that did not exist, or was switched off, deleted: nothing.
    fn nothing() -> Limit<'a> {
        Limit {
            kept: Kept::Forever,
            origin: Origin::Written,
            setting: None,
        }
    }

    fn read(r: &Retention, item: &'a Item, scope: &Scope) -> Limit<'a> {
        let setting = item.get(&format!("{}{}", scope.prefix, r.path));
        if let Some(s) = setting {
            return Limit {
                kept: r.measure.read(&s.value),
                origin: Origin::Written,
                setting,
            };
        }
        let (kept, origin) = match r.absent {
            Absent::Forever => (Kept::Forever, Origin::Default),
            Absent::Default(default) => (default(item), Origin::Default),
            Absent::Inherit { path, from } => {
                let inherited = item.get(&format!("{}{path}", scope.outer));
                let kept = inherited.map_or(Kept::Forever, |s| r.measure.read(&s.value));
                (kept, Origin::Inherited(from))
            }
        };
        Limit {
            kept,
            origin,
            setting: None,
        }
    }

    /// Where an absent setting's limit comes from: "the provider's default".
    fn source(&self) -> &'static str {
        match self.origin {
            Origin::Inherited(from) => from,
            Origin::Written | Origin::Default => "the provider's default",
        }
    }

    fn describe(&self) -> String {
        match (self.kept, self.origin) {
            (Kept::Forever | Kept::Unknown, _) | (_, Origin::Written) => self.kept.describe(),
            (kept, _) => format!("{}, {}", kept.describe(), self.source()),
        }
    }
}

/// Retention settings of a resource lowered between `old` and `new`.
pub fn shortened(view: &FileView, old: &Item, new: &Item, out: &mut Vec<Finding>) {
    if new.kind != ItemKind::Resource || old.rtype != new.rtype {
        return;
    }
    for r in RETENTIONS.iter().filter(|r| r.rtype == new.rtype) {
        if new.ignores(r.within.first().map_or(r.path, |w| w.block)) {
            continue;
        }
        for (was, now) in paired(old, new, r.within) {
            out.extend(judge(view, r, (old, was.as_ref()), (new, &now)));
        }
    }
}

/// One block's retention, base against head.
fn judge(
    view: &FileView,
    r: &Retention,
    (old, was): (&Item, Option<&Scope>),
    (new, now): (&Item, &Scope),
) -> Option<Finding> {
    if now.off {
        return None;
    }
    let before = match was {
        Some(w) if !w.off => Limit::read(r, old, w),
        Some(_) => Limit::nothing(),
        None if r.added_block_deletes => Limit::nothing(),
        None => return None,
    };
    let after = Limit::read(r, new, now);
    // Unset on both sides, an inherited limit moved with the setting it comes from, which
    // is reported where it is written.
    let both_inherited = matches!(
        (before.origin, after.origin),
        (Origin::Inherited(_), Origin::Inherited(_))
    );
    if both_inherited || !after.kept.sooner_than(before.kept) {
        return None;
    }
    Some(finding(view, new, r, now, &before, &after))
}

fn finding(
    view: &FileView,
    new: &Item,
    r: &Retention,
    scope: &Scope,
    before: &Limit,
    after: &Limit,
) -> Finding {
    let path = format!("{}{}", scope.prefix, r.path);
    let block = match scope.label.as_slice() {
        [] => String::new(),
        label => format!(" ({})", label.join(" in ")),
    };
    let limit = after.kept.limit();
    let how = match after.setting {
        Some(s) => format!("is now {}", s.value.render()),
        None if before.setting.is_some() => {
            format!("was removed, leaving {} of {limit}", after.source())
        }
        None => format!("is not set, leaving {}, now {limit}", after.source()),
    };
    let deleted = r.deleted.replace("{limit}", &limit);
    let line = after.setting.map_or(new.line, |s| s.line);
    let severity = if r.recovery {
        Severity::High
    } else {
        Severity::Medium
    };
    Finding::new(
        &RETENTION_SHORTENED,
        view.at(Side::Head, line, line),
        format!(
            "`{path}` of `{}`{block} {how}, so {deleted} (was: {}).",
            new.address,
            before.describe()
        ),
    )
    .with_severity(severity)
    .with_subject(&new.address)
    .with_safer(format!(
        "Keep the longer retention on `{}`; if less must be kept, export or archive what would be \
         deleted first, and lower it in its own reviewed change.",
        new.address
    ))
}

/// Whether a value handed to a module names a retention, by the names resources use for it
/// (`retention_in_days`, `cloudwatch_log_group_retention_in_days`, `soft_delete_retention_days`,
/// `backup_retention_period`), or the recovery window of what a destroy deletes
/// (`deletion_window_in_days`, `recovery_window_in_days`). Keys inside an object value are not
/// followed.
fn retention_input(path: &str) -> bool {
    const ENDINGS: &[&str] = &[
        "retention_in_days",
        "retention_days",
        "retention_period",
        "retention_duration",
        // Snowflake's Time Travel, `data_retention_time_in_days`.
        "retention_time_in_days",
        "window_in_days",
    ];
    !path.contains('.') && ENDINGS.iter().any(|e| path.ends_with(e))
}

/// A retention handed to a module, lowered from one number to a smaller one, or from one
/// duration string to a shorter one.
#[derive(Debug, Clone, PartialEq)]
pub struct InputLowered {
    pub was: f64,
    pub now: f64,
    /// The two duration strings as written (`"168h"`, `"24h"`), when durations were compared.
    pub written: Option<(String, String)>,
}

/// Whether the value at `path` handed to a module (a module argument, a `.tfvars` value, a
/// Terragrunt input, a variable's default) is a retention lowered from `before` (`None`: not
/// set) to `after`. What the module does with it is not visible, nor is its default or what
/// 0 means to it, so only two positive literal numbers are compared: an input added or
/// removed leaves the module's default in charge, and is not judged.
pub fn input_lowered(path: &str, before: Option<&Lit>, after: &Lit) -> Option<InputLowered> {
    if !retention_input(path) {
        return None;
    }
    if let (Lit::Str(b), Lit::Str(a)) = (before?, after) {
        if let (Some(was), Some(now)) = (duration_days(b), duration_days(a)) {
            let written = Some((b.clone(), a.clone()));
            return (was > 0.0 && now > 0.0 && now < was).then_some(InputLowered {
                was,
                now,
                written,
            });
        }
    }
    let (was, now) = (before?.as_num()?, after.as_num()?);
    (was > 0.0 && now > 0.0 && now < was).then_some(InputLowered {
        was,
        now,
        written: None,
    })
}

impl InputLowered {
    /// What the module deletes sooner, with the old limit: "data older than 7 days is
    /// deleted (was: kept 90 days)". A `*_period` name does not say its unit.
    fn effect(&self, path: &str) -> String {
        let InputLowered { was, now, .. } = self;
        if let Some((was, now)) = &self.written {
            return format!("data older than {now} is deleted (was: kept {was})");
        }
        if path.ends_with("window_in_days") {
            format!(
                "what a destroy deletes (a key, a secret) can be recovered for only {now} days \
                 (was: {was} days)"
            )
        } else if path.ends_with("_period") {
            format!(
                "data older than {now} is deleted (was: kept {was}; in the unit the module uses: \
                 days for backups, hours for a Kinesis stream)"
            )
        } else {
            format!("data older than {now} days is deleted (was: kept {was} days)")
        }
    }
}

/// The finding for a retention input lowered at `line`: `what` names the input ("Argument
/// `x` of `module.y`"), `reach` says how it may reach a resource ("if the module passes it
/// to the retention of what it stores").
pub fn input_finding(
    view: &FileView,
    line: u32,
    path: &str,
    (what, reach): (&str, &str),
    lowered: InputLowered,
) -> Finding {
    let (was, now) = match &lowered.written {
        Some((was, now)) => (format!("\"{was}\""), format!("\"{now}\"")),
        None => (lowered.was.to_string(), lowered.now.to_string()),
    };
    let recovery = ["soft_delete", "backup", "window_in_days"];
    let severity = if recovery.iter().any(|r| path.contains(r)) {
        Severity::High
    } else {
        Severity::Medium
    };
    Finding::new(
        &RETENTION_SHORTENED,
        view.at(Side::Head, line, line),
        format!(
            "{what} changed from {was} to {now}; {reach}, {}.",
            lowered.effect(path)
        ),
    )
    .with_severity(severity)
    .with_safer(format!(
        "Keep `{path}` at {was}; if less must be kept, export or archive what would be deleted \
         first, and lower it in its own reviewed change."
    ))
}

/// Module arguments naming a retention, lowered as [`input_lowered`] judges it.
pub fn module_arguments(view: &FileView, old: &Item, new: &Item, out: &mut Vec<Finding>) {
    if new.kind != ItemKind::Module || old.kind != ItemKind::Module {
        return;
    }
    for (path, after) in &new.settings {
        let before = old.get(path).map(|s| &s.value);
        let Some(lowered) = input_lowered(path, before, &after.value) else {
            continue;
        };
        let what = format!("Argument `{path}` of `{}`", new.address);
        let reach = "if the module passes it to the retention of what it stores";
        out.push(
            input_finding(view, after.line, path, (&what, reach), lowered)
                .with_subject(&new.address),
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analyze::terraform::model;
    use proptest::prelude::*;

    fn item(src: &str) -> Item {
        model::parse(src).unwrap().items.remove(0)
    }

    #[test]
    fn repeated_rules_are_scoped_by_position_and_named() {
        let i = item(
            "resource \"aws_s3_bucket_lifecycle_configuration\" \"l\" {\n  rule {\n    id = \"a\"\n  }\n  rule {\n    id = \"b\"\n    status = \"Disabled\"\n  }\n}\n",
        );
        let s = scopes(&i, &Scope::root(), &S3_RULE);
        let got: Vec<(&str, Option<&str>, bool)> = s
            .iter()
            .map(|s| (s.prefix.as_str(), s.name.as_deref(), s.off))
            .collect();
        assert_eq!(
            got,
            [
                ("rule.", Some("\"a\""), false),
                ("rule[1].", Some("\"b\""), true)
            ]
        );
    }

    #[test]
    fn nested_blocks_are_scoped_inside_their_parent_and_inherit_its_switch() {
        let i = item(
            "resource \"aws_s3_bucket\" \"b\" {\n  lifecycle_rule {\n    id = \"a\"\n    enabled = false\n    expiration {\n      days = 1\n    }\n  }\n}\n",
        );
        let rules = scopes(&i, &Scope::root(), &S3_INLINE_RULE);
        assert_eq!(rules.len(), 1);
        assert!(rules[0].off);
        let plan = item(
            "resource \"aws_backup_plan\" \"p\" {\n  rule {\n    rule_name = \"daily\"\n  }\n  rule {\n    rule_name = \"weekly\"\n    copy_action {\n      destination_vault_arn = \"a\"\n    }\n    copy_action {\n      destination_vault_arn = \"b\"\n    }\n  }\n}\n",
        );
        let rules = scopes(&plan, &Scope::root(), &BACKUP_RULE);
        let copies = scopes(&plan, &rules[1], &BACKUP_COPY);
        let got: Vec<(&str, &str)> = copies
            .iter()
            .map(|c| (c.prefix.as_str(), c.outer.as_str()))
            .collect();
        assert_eq!(
            got,
            [
                ("rule[1].copy_action.", "rule[1]."),
                ("rule[1].copy_action[1].", "rule[1].")
            ]
        );
        assert_eq!(
            copies[1].label,
            ["the copy_action to \"b\"", "the rule named \"weekly\""]
        );
        assert!(scopes(&plan, &rules[0], &BACKUP_COPY).is_empty());
    }

    #[test]
    fn blocks_pair_by_name_then_a_lone_rename_and_new_ones_only_without_leftovers() {
        let scope = |n: &str| Scope {
            prefix: format!("{n}."),
            name: Some(n.to_owned()),
            ..Scope::root()
        };
        let names = |pairs: Vec<(Option<Scope>, Scope)>| -> Vec<(Option<String>, String)> {
            pairs
                .into_iter()
                .map(|(b, h)| (b.and_then(|b| b.name), h.name.unwrap_or_default()))
                .collect()
        };
        let (a, b, c) = (scope("a"), scope("b"), scope("c"));
        assert_eq!(
            names(pair(&[a.clone(), b.clone()], &[b.clone(), a.clone()])),
            [
                (Some("b".to_owned()), "b".to_owned()),
                (Some("a".to_owned()), "a".to_owned())
            ]
        );
        assert_eq!(
            names(pair(std::slice::from_ref(&a), std::slice::from_ref(&c))),
            [(Some("a".to_owned()), "c".to_owned())]
        );
        assert_eq!(
            names(pair(std::slice::from_ref(&a), &[a.clone(), c.clone()])),
            [
                (Some("a".to_owned()), "a".to_owned()),
                (None, "c".to_owned())
            ]
        );
        assert!(pair(&[a.clone(), b.clone()], &[c.clone(), scope("d")]).is_empty());
    }

    #[test]
    fn inputs_are_judged_by_their_retention_names() {
        assert!(retention_input("retention_in_days"));
        assert!(retention_input("cloudwatch_log_group_retention_in_days"));
        assert!(retention_input("soft_delete_retention_days"));
        assert!(retention_input("backup_retention_period"));
        assert!(!retention_input("retention"));
        assert!(!retention_input("logs.retention_in_days"));
        assert!(!retention_input("message_retention_seconds"));
    }

    #[test]
    fn durations_read_in_days_whatever_the_unit() {
        let d = duration_days;
        assert_eq!(d("86400s"), Some(1.0));
        assert_eq!(d("600.5s").map(|v| (v * 86_400.0).round()), Some(601.0));
        assert_eq!(d("168h"), Some(7.0));
        assert_eq!(d("1h30m"), Some(1.5 / 24.0));
        assert_eq!(d("P30D"), Some(30.0));
        assert_eq!(d("P2W"), Some(14.0));
        assert_eq!(d("PT12H"), Some(0.5));
        assert_eq!(d("P1DT12H"), Some(1.5));
        assert_eq!(d("P1Y"), Some(365.0));
        for not_one in [
            "", "P", "PT", "P1DT", "7", "h", "1x", "1.2.3s", "P1H", "-1s", "1 h", "Pé", "1é",
        ] {
            assert_eq!(d(not_one), None, "{not_one}");
        }
    }

    #[test]
    fn an_input_written_as_a_duration_is_lowered_when_shorter() {
        let s = |v: &str| Lit::Str(v.to_owned());
        let path = "message_retention_duration";
        let lowered = input_lowered(path, Some(&s("168h")), &s("86400s")).expect("lowered");
        assert_eq!(
            lowered.written,
            Some(("168h".to_owned(), "86400s".to_owned()))
        );
        assert_eq!(input_lowered(path, Some(&s("7d")), &s("168h")), None);
        assert_eq!(input_lowered(path, Some(&s("24h")), &s("P7D")), None);
        assert_eq!(input_lowered(path, Some(&s("24h")), &s("soon")), None);
        assert_eq!(input_lowered("timeout", Some(&s("24h")), &s("1h")), None);
    }

    #[test]
    fn an_input_is_lowered_only_between_two_positive_literal_numbers() {
        let n = Lit::Num;
        let lowered =
            |before: Option<&Lit>, after: &Lit| input_lowered("retention_in_days", before, after);
        assert_eq!(
            lowered(Some(&n(90.0)), &n(7.0)),
            Some(InputLowered {
                was: 90.0,
                now: 7.0,
                written: None
            })
        );
        assert_eq!(
            lowered(Some(&Lit::Str("90".to_owned())), &n(7.0)),
            Some(InputLowered {
                was: 90.0,
                now: 7.0,
                written: None
            })
        );
        assert_eq!(lowered(Some(&n(7.0)), &n(90.0)), None);
        assert_eq!(lowered(Some(&n(7.0)), &n(7.0)), None);
        assert_eq!(lowered(None, &n(7.0)), None);
        assert_eq!(lowered(Some(&n(90.0)), &n(0.0)), None);
        assert_eq!(lowered(Some(&n(0.0)), &n(7.0)), None);
        let computed = Lit::Expr("local.days".to_owned());
        assert_eq!(lowered(Some(&n(90.0)), &computed), None);
        assert_eq!(lowered(Some(&computed), &n(7.0)), None);
        assert_eq!(input_lowered("name", Some(&n(90.0)), &n(7.0)), None);
    }

    #[test]
    fn limits_compare_only_within_one_measure() {
        let day = |s: &str| Kept::Until(Day::parse(s).expect("a day"));
        assert!(Kept::Days(7.0).sooner_than(Kept::Forever));
        assert!(day("2030-01-01").sooner_than(Kept::Forever));
        assert!(day("2030-01-01").sooner_than(day("2030-06-01T00:00:00Z")));
        assert!(!day("2030-06-01").sooner_than(day("2030-01-01")));
        assert!(!Kept::Days(7.0).sooner_than(day("2030-01-01")));
        assert!(!Kept::Days(7.0).sooner_than(Kept::Unknown));
        assert!(!Kept::Unknown.sooner_than(Kept::Forever));
    }

    #[test]
    fn days_are_read_from_s3_lifecycle_dates() {
        let parsed = |s: &str| Day::parse(s).map(|d| d.to_string());
        assert_eq!(
            parsed("2025-01-31T00:00:00Z").as_deref(),
            Some("2025-01-31")
        );
        assert_eq!(parsed("2025-01-31").as_deref(), Some("2025-01-31"));
        assert_eq!(parsed(" 2025-01-31 ").as_deref(), Some("2025-01-31"));
        for bad in [
            "",
            "2025-1-31",
            "2025-13-01",
            "2025-00-10",
            "2025-01-32",
            "2025/01/31",
            "20250131",
            "2025-01-31Z",
            "+025-01-31",
            "2025-01-٣١",
        ] {
            assert_eq!(Day::parse(bad), None, "{bad}");
        }
    }

    fn valid_day() -> impl Strategy<Value = (u16, u8, u8)> {
        (0u16..=9999, 1u8..=12, 1u8..=31)
    }

    proptest! {
        #[test]
        fn a_written_day_reads_back_the_same(
            (y, m, d) in valid_day(),
            time in prop_oneof![Just(""), Just("T00:00:00Z"), Just("T12:30:00+02:00")],
        ) {
            let text = format!("{y:04}-{m:02}-{d:02}{time}");
            let day = Day::parse(&text);
            prop_assert_eq!(day, Some(Day { year: y, month: m, day: d }));
            prop_assert_eq!(day.map(|d| d.to_string()), Some(text[..10].to_owned()));
        }

        #[test]
        fn days_order_as_the_calendar_does(a in valid_day(), b in valid_day()) {
            let day = |(y, m, d): (u16, u8, u8)| Day::parse(&format!("{y:04}-{m:02}-{d:02}"));
            prop_assert_eq!(day(a).cmp(&day(b)), a.cmp(&b));
        }

        #[test]
        fn any_text_parses_to_a_day_it_starts_with_or_to_none(text in "\\PC{0,16}|[0-9-]{10}T?.{0,4}") {
            if let Some(day) = Day::parse(&text) {
                prop_assert!(text.trim().starts_with(&day.to_string()), "{text:?} gave {day}");
            }
        }
    }
}
