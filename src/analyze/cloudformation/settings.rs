//! settings: protections that are one property of a few resource types (a flag, or a number
//! of days where 0 turns backups off), kept as a table so a new one is a row, not a branch;
//! and the protections repeated per list entry (a global table's replicas, an instance's
//! block devices), told apart by the entry's name. Pure: reads one resource; never judges
//! a change (that is `protections` in the parent module).

use super::template::Resource;
use super::Guard;
use crate::yaml::Node;

/// One protection: where it is, on which types, and what a value (or its absence) means.
struct Setting {
    kinds: &'static [&'static str],
    /// Keys from `Properties` down to the value.
    path: &'static [&'static str],
    what: &'static str,
    consequence: &'static str,
    /// Whether the value (`None`: the property is absent) keeps the protection on.
    on: fn(Option<&str>) -> bool,
}

fn is(v: Option<&str>, want: &str) -> bool {
    v.is_some_and(|s| s.trim().eq_ignore_ascii_case(want))
}

/// On only when written `false` (the service's default is to delete).
fn false_keeps(v: Option<&str>) -> bool {
    is(v, "false")
}

/// On unless written `false` (the service's default is on).
fn unless_false(v: Option<&str>) -> bool {
    !is(v, "false")
}

/// On unless written `true` (the service's default is off, and `true` deletes).
fn unless_true(v: Option<&str>) -> bool {
    !is(v, "true")
}

/// A number of days of backups or snapshots: only a written 0 turns them off. Absent, the
/// service's default applies, which is not 0 for these types (or not known to be).
fn unless_zero(v: Option<&str>) -> bool {
    !is(v, "0")
}

/// ElastiCache takes no automatic snapshots unless told to keep some.
fn positive(v: Option<&str>) -> bool {
    v.and_then(|s| s.trim().parse::<f64>().ok())
        .is_some_and(|n| n > 0.0)
}

const RDS: &[&str] = &["AWS::RDS::DBInstance", "AWS::RDS::DBCluster"];
const ELASTICACHE: &[&str] = &[
    "AWS::ElastiCache::ReplicationGroup",
    "AWS::ElastiCache::CacheCluster",
];
const FSX: &[&str] = &["AWS::FSx::FileSystem"];
const FSX_BACKUPS: &str = "automatic backups (AutomaticBackupRetentionDays)";
const FSX_OFF: &str = "automatic daily backups of the file system stop";

const SETTINGS: &[Setting] = &[
    Setting {
        kinds: RDS,
        path: &["DeleteAutomatedBackups"],
        what: "keeping automated backups after deletion (DeleteAutomatedBackups)",
        consequence: "deleting the database now deletes its automated backups too, leaving only manual snapshots",
        on: false_keeps,
    },
    Setting {
        kinds: &["AWS::Redshift::Cluster"],
        path: &["AutomatedSnapshotRetentionPeriod"],
        what: "automated snapshots (AutomatedSnapshotRetentionPeriod)",
        consequence: "automated snapshots stop and the existing ones are deleted",
        on: unless_zero,
    },
    Setting {
        kinds: ELASTICACHE,
        path: &["SnapshotRetentionLimit"],
        what: "automatic snapshots (SnapshotRetentionLimit)",
        consequence: "automatic snapshots stop, and the data can no longer be restored from one",
        on: positive,
    },
    Setting {
        kinds: FSX,
        path: &["WindowsConfiguration", "AutomaticBackupRetentionDays"],
        what: FSX_BACKUPS,
        consequence: FSX_OFF,
        on: unless_zero,
    },
    Setting {
        kinds: FSX,
        path: &["LustreConfiguration", "AutomaticBackupRetentionDays"],
        what: FSX_BACKUPS,
        consequence: FSX_OFF,
        on: unless_zero,
    },
    Setting {
        kinds: FSX,
        path: &["OntapConfiguration", "AutomaticBackupRetentionDays"],
        what: FSX_BACKUPS,
        consequence: FSX_OFF,
        on: unless_zero,
    },
    Setting {
        kinds: FSX,
        path: &["OpenZFSConfiguration", "AutomaticBackupRetentionDays"],
        what: FSX_BACKUPS,
        consequence: FSX_OFF,
        on: unless_zero,
    },
    Setting {
        kinds: &["AWS::EC2::LaunchTemplate"],
        path: &["LaunchTemplateData", "DisableApiTermination"],
        what: "termination protection (DisableApiTermination)",
        consequence: "instances launched from it can be terminated through the API",
        on: is_true_str,
    },
    Setting {
        kinds: &["AWS::CloudTrail::EventDataStore"],
        path: &["TerminationProtectionEnabled"],
        what: "termination protection (TerminationProtectionEnabled)",
        consequence: "nothing stops the event data store, and the audit events in it, from being deleted",
        on: unless_false,
    },
    Setting {
        kinds: &["AWS::ECR::Repository"],
        path: &["EmptyOnDelete"],
        what: "refusing to delete a repository that holds images (EmptyOnDelete)",
        consequence: "deleting the repository deletes every image in it instead of failing",
        on: unless_true,
    },
];

fn is_true_str(v: Option<&str>) -> bool {
    is(v, "true")
}

/// The node at `path` below `Properties`.
fn at<'a>(r: &'a Resource, path: &[&str]) -> Option<&'a Node> {
    let (first, rest) = path.split_first()?;
    rest.iter()
        .try_fold(r.property(first)?, |node, key| node.get(key))
        .filter(|n| !n.is_null())
}

/// The table's protections of `r`. A protection whose container (`WindowsConfiguration`) is
/// absent is skipped: the file system is of another kind.
pub(super) fn guards<'a>(r: &'a Resource, out: &mut Vec<Guard<'a>>) {
    for s in SETTINGS
        .iter()
        .filter(|s| s.kinds.contains(&r.kind.as_str()))
    {
        if s.path.len() > 1 && at(r, &s.path[..s.path.len() - 1]).is_none() {
            continue;
        }
        let node = at(r, s.path);
        out.push(Guard {
            what: s.what.into(),
            consequence: s.consequence,
            on: (s.on)(node.and_then(Node::as_str)),
            node,
        });
    }
    match r.kind.as_str() {
        "AWS::DynamoDB::GlobalTable" => replicas(r, out),
        "AWS::EC2::Instance" => block_devices(r, out),
        _ => {}
    }
}

/// A global table keeps point-in-time recovery and deletion protection per replica, named by
/// its region.
fn replicas<'a>(r: &'a Resource, out: &mut Vec<Guard<'a>>) {
    let list = r.property("Replicas").map(Node::as_seq).unwrap_or(&[]);
    for replica in list {
        let Some(region) = replica.get("Region").and_then(Node::as_str) else {
            continue;
        };
        if let Some(spec) = replica.get("PointInTimeRecoverySpecification") {
            let node = spec.get("PointInTimeRecoveryEnabled");
            out.push(Guard {
                what: format!("point-in-time recovery of the {region} replica").into(),
                consequence: "that replica's continuous backups are deleted and it can no longer be restored to a moment before a mistake",
                on: is_true_str(node.and_then(Node::as_str)),
                node: node.or(Some(spec)),
            });
        }
        if let Some(node) = replica.get("DeletionProtectionEnabled") {
            out.push(Guard {
                what: format!(
                    "deletion protection of the {region} replica (DeletionProtectionEnabled)"
                )
                .into(),
                consequence:
                    "nothing stops that replica from being deleted by a stack update or by hand",
                on: is_true_str(node.as_str()),
                node: Some(node),
            });
        }
    }
}

/// An EBS volume mapped at launch is deleted with the instance unless `DeleteOnTermination`
/// is false; each device is named by its `DeviceName`.
fn block_devices<'a>(r: &'a Resource, out: &mut Vec<Guard<'a>>) {
    let list = r
        .property("BlockDeviceMappings")
        .map(Node::as_seq)
        .unwrap_or(&[]);
    for mapping in list {
        let (Some(device), Some(ebs)) = (
            mapping.get("DeviceName").and_then(Node::as_str),
            mapping.get("Ebs"),
        ) else {
            continue;
        };
        let node = ebs.get("DeleteOnTermination");
        out.push(Guard {
            what: format!("keeping the {device} volume after termination (DeleteOnTermination)")
                .into(),
            consequence:
                "terminating or replacing the instance now deletes that volume and the data on it",
            on: false_keeps(node.and_then(Node::as_str)),
            node,
        });
    }
}
