//! backups: objects that survive the change but stop taking backups, or lose the way back to
//! those already taken: a Velero Schedule paused, no longer snapshotting volumes or leaving
//! namespaces out, a
//! Velero BackupStorageLocation pointed at another bucket or prefix, a Zalando Postgres
//! cluster's logical backups switched off. Nothing is deleted today, so nothing else in the
//! change says so; the loss shows on the day a restore is needed.
//!
//! Only the kinds below are read: every other object returns at the first comparison of its
//! identity. A templated value is known only by its text, so a change of it is not judged.

use super::settings::head_line;
use super::{templated, ObjectId};
use crate::analyze::FileView;
use crate::finding::{Finding, RuleId, Severity, Tag};
use crate::rules::Rule;
use crate::yaml::Node;

pub const BACKUPS_STOPPED: Rule = Rule {
    id: RuleId("kubernetes/backups-stopped"),
    severity: Severity::Medium,
    tags: &[Tag::Destructive, Tag::Infra],
    summary: "Backups stop, or lose their way back: a Velero Schedule is paused, stops snapshotting volumes or leaves namespaces out, a Velero BackupStorageLocation moves to another bucket, prefix or provider, or a Zalando Postgres cluster's `enableLogicalBackup` is switched off.",
    why: "Nothing is deleted by the change itself, so it reads as harmless; but from then on no new restore point is taken (or none with the volumes' data), the existing ones still expire at their `ttl`, and a location moved elsewhere stops listing the backups already taken: Velero's backup sync removes their Backup objects from the cluster, so they cannot be restored until the location points back.",
    example: "  spec:\n    schedule: \"0 3 * * *\"\n+   paused: true",
    safer: "Say in the pull request what takes the backups instead and for how long they stop; to move a location, add a second BackupStorageLocation and switch the schedules to it, keeping the old one (read-only) until its backups expire.",
};

/// The finding for an object whose backups stop, if it is one of the kinds that take them.
pub(super) fn compare(view: &FileView, id: &ObjectId, old: &Node, new: &Node) -> Option<Finding> {
    let (at, what) = if id.is("velero.io", "Schedule") {
        schedule(old, new)?
    } else if id.is("velero.io", "BackupStorageLocation") {
        location(view, old, new)?
    } else if id.is("acid.zalan.do", "postgresql") {
        logical_backup(old, new)?
    } else {
        return None;
    };
    Some(Finding::new(
        &BACKUPS_STOPPED,
        head_line(view, at),
        format!("{id} {what}"),
    ))
}

fn text<'a>(node: &'a Node, path: &[&str]) -> Option<&'a str> {
    node.path(path).and_then(Node::as_str)
}

/// A Schedule paused (Velero 1.11 and later skip it until unpaused) or told to leave the
/// volumes out of its backups (unless file-system backup takes their data instead).
fn schedule<'a>(old: &Node, new: &'a Node) -> Option<(&'a Node, String)> {
    let paused = ["spec", "paused"];
    if text(new, &paused) == Some("true") && text(old, &paused) != Some("true") {
        return Some((new.path(&paused)?, "is now `paused: true`: Velero takes no more backups on this schedule until it is unpaused, while the backups already taken keep expiring at their `ttl`, so the newest restore point grows older every day.".to_owned()));
    }
    let snapshots = ["spec", "template", "snapshotVolumes"];
    let file_system = ["spec", "template", "defaultVolumesToFsBackup"];
    if text(new, &snapshots) == Some("false")
        && text(old, &snapshots) != Some("false")
        && text(new, &file_system) != Some("true")
    {
        return Some((new.path(&snapshots)?, "now has `snapshotVolumes: false`: its backups keep the objects but no longer the persistent volumes' data, so a restore brings back empty claims.".to_owned()));
    }
    narrowed(old, new)
}

/// Namespaces a Schedule no longer backs up: dropped from `includedNamespaces` (absent or
/// `*` means all of them) or added to `excludedNamespaces`.
fn narrowed<'a>(old: &Node, new: &'a Node) -> Option<(&'a Node, String)> {
    let names = |node: &Node, key: &str| -> Option<Vec<String>> {
        let list = node.path(&["spec", "template", key])?;
        list.as_seq()
            .iter()
            .map(|n| n.as_str().map(str::to_owned))
            .collect()
    };
    let everything = |list: &Option<Vec<String>>| {
        list.as_ref()
            .is_none_or(|l| l.is_empty() || l.iter().any(|n| n == "*"))
    };
    let (included_before, included_after) = (
        names(old, "includedNamespaces"),
        names(new, "includedNamespaces"),
    );
    let mut lost: Vec<String> = match (&included_before, &included_after) {
        (_, after) if everything(after) => Vec::new(),
        (before, Some(after)) if everything(before) => {
            vec![format!("every namespace but {}", after.join(", "))]
        }
        (Some(before), Some(after)) => before
            .iter()
            .filter(|n| !after.contains(n))
            .cloned()
            .collect(),
        _ => Vec::new(),
    };
    let excluded_before = names(old, "excludedNamespaces").unwrap_or_default();
    if let Some(after) = names(new, "excludedNamespaces") {
        lost.extend(
            after
                .into_iter()
                .filter(|n| !excluded_before.contains(n) && n != "*"),
        );
    }
    if lost.is_empty() {
        return None;
    }
    let at = new
        .path(&["spec", "template", "includedNamespaces"])
        .or_else(|| new.path(&["spec", "template", "excludedNamespaces"]))
        .or_else(|| new.get("spec"))
        .unwrap_or(new);
    Some((at, format!("no longer backs up {}: their next restore point is the last one already taken, and it expires at its `ttl`.", lost.join(", "))))
}

/// A storage location moved: where Velero writes new backups, and the only place it lists the
/// old ones from. Its backup sync deletes from the cluster the Backup objects of this location
/// that the new bucket does not hold.
fn location<'a>(view: &FileView, old: &Node, new: &'a Node) -> Option<(&'a Node, String)> {
    for path in [
        &["spec", "provider"][..],
        &["spec", "objectStorage", "bucket"],
        &["spec", "objectStorage", "prefix"],
    ] {
        let before = text(old, path).unwrap_or("");
        let after = text(new, path).unwrap_or("");
        if before == after || templated(view, before) || templated(view, after) {
            continue;
        }
        let Some(at) = new.path(path).or_else(|| new.path(&path[..path.len() - 1])) else {
            continue;
        };
        let field = path[1..].join(".");
        return Some((at, format!("moves `{field}` from `{before}` to `{after}`: new backups go to the new place, and the ones already taken stay behind, unlisted: Velero's backup sync removes their Backup objects from the cluster, so they cannot be restored until the location points back.")));
    }
    None
}

/// Zalando's logical backups (a `pg_dump` CronJob to object storage), off by default: the
/// operator deletes the CronJob when they are switched off.
fn logical_backup<'a>(old: &Node, new: &'a Node) -> Option<(&'a Node, String)> {
    let path = ["spec", "enableLogicalBackup"];
    if text(old, &path) != Some("true") || text(new, &path) == Some("true") {
        return None;
    }
    let at = new.path(&path).or_else(|| new.get("spec")).unwrap_or(new);
    Some((at, "no longer has `enableLogicalBackup: true`: the Zalando operator deletes the cluster's logical-backup CronJob, so no more dumps of its databases are taken (WAL archiving, if the operator configures it, is not affected).".to_owned()))
}

#[cfg(test)]
mod tests {
    use crate::analyze::files::testkit::{ids, Case};
    use crate::analyze::kubernetes::analyze;
    use crate::finding::Finding;

    fn run(base: &str, head: &str) -> Vec<Finding> {
        Case::modified("clusters/prod/backups.yaml", base, head).run(analyze)
    }

    const SCHEDULE: &str = "\
apiVersion: velero.io/v1
kind: Schedule
metadata:
  name: daily
  namespace: velero
spec:
  schedule: \"0 3 * * *\"
  template:
    includedNamespaces: [\"*\"]
    snapshotVolumes: true
    ttl: 720h0m0s
";

    const LOCATION: &str = "\
apiVersion: velero.io/v1
kind: BackupStorageLocation
metadata:
  name: default
  namespace: velero
spec:
  provider: aws
  objectStorage:
    bucket: acme-velero
    prefix: cluster-a
";

    const ZALANDO: &str = "\
apiVersion: acid.zalan.do/v1
kind: postgresql
metadata:
  name: acid-orders
spec:
  teamId: acid
  numberOfInstances: 2
  enableLogicalBackup: true
";

    #[test]
    fn a_schedule_that_leaves_namespaces_out_stops_backing_them_up() {
        let only = SCHEDULE.replace("[\"*\"]", "[orders, billing]");
        let f = run(SCHEDULE, &only);
        assert_eq!(ids(&f), ["kubernetes/backups-stopped"]);
        assert!(
            f[0].message.contains("every namespace but orders, billing"),
            "{}",
            f[0].message
        );
        let fewer = SCHEDULE.replace("[\"*\"]", "[orders]");
        let f = run(&only, &fewer);
        assert!(
            f[0].message.contains("no longer backs up billing:"),
            "{}",
            f[0].message
        );
        let excluded = SCHEDULE.replace(
            "    snapshotVolumes",
            "    excludedNamespaces: [payments]\n    snapshotVolumes",
        );
        let f = run(SCHEDULE, &excluded);
        assert!(
            f[0].message.contains("no longer backs up payments:"),
            "{}",
            f[0].message
        );
        // Widened, unchanged or reordered: quiet.
        for (before, after) in [
            (&fewer, &only),
            (&only, &SCHEDULE.replace("[\"*\"]", "[billing, orders]")),
            (&only, &SCHEDULE.to_owned()),
        ] {
            assert!(run(before, after).is_empty(), "{after}");
        }
    }

    #[test]
    fn pausing_a_velero_schedule_stops_its_backups() {
        let paused = SCHEDULE.replace("spec:\n", "spec:\n  paused: true\n");
        let f = run(SCHEDULE, &paused);
        assert_eq!(ids(&f), ["kubernetes/backups-stopped"]);
        assert!(f[0].message.contains("paused: true"), "{}", f[0].message);
        let unpaused = SCHEDULE.replace("spec:\n", "spec:\n  paused: false\n");
        assert_eq!(
            ids(&run(&unpaused, &paused)),
            ["kubernetes/backups-stopped"]
        );
    }

    #[test]
    fn a_schedule_that_stops_snapshotting_volumes_loses_their_data() {
        let off = SCHEDULE.replace("snapshotVolumes: true", "snapshotVolumes: false");
        assert_eq!(ids(&run(SCHEDULE, &off)), ["kubernetes/backups-stopped"]);
        // File-system backup takes the volumes' data instead.
        let fs = off.replace("    ttl:", "    defaultVolumesToFsBackup: true\n    ttl:");
        assert!(run(SCHEDULE, &fs).is_empty());
    }

    #[test]
    fn unpausing_rescheduling_or_spelling_out_a_running_schedule_is_quiet() {
        let paused = SCHEDULE.replace("spec:\n", "spec:\n  paused: true\n");
        assert!(run(&paused, SCHEDULE).is_empty());
        let explicit = SCHEDULE.replace("spec:\n", "spec:\n  paused: false\n");
        assert!(run(SCHEDULE, &explicit).is_empty());
        assert!(run(SCHEDULE, &SCHEDULE.replace("0 3", "0 4")).is_empty());
    }

    #[test]
    fn a_storage_location_moved_to_another_bucket_or_prefix_loses_its_backups() {
        for (from, to) in [
            ("bucket: acme-velero", "bucket: acme-velero-2"),
            ("prefix: cluster-a", "prefix: cluster-b"),
            ("  prefix: cluster-a\n", ""),
        ] {
            let f = run(LOCATION, &LOCATION.replace(from, to));
            assert_eq!(ids(&f), ["kubernetes/backups-stopped"], "{to}");
        }
        // Read-only access or a sync period changes nothing about where backups are.
        let read_only = LOCATION.replace("spec:\n", "spec:\n  accessMode: ReadOnly\n");
        assert!(run(LOCATION, &read_only).is_empty());
    }

    #[test]
    fn switching_off_zalando_logical_backups_is_reported() {
        for head in [
            ZALANDO.replace("enableLogicalBackup: true", "enableLogicalBackup: false"),
            ZALANDO.replace("  enableLogicalBackup: true\n", ""),
        ] {
            assert_eq!(ids(&run(ZALANDO, &head)), ["kubernetes/backups-stopped"]);
        }
        let off = ZALANDO.replace("enableLogicalBackup: true", "enableLogicalBackup: false");
        assert!(run(&off, ZALANDO).is_empty());
        assert!(run(&off, &off.replace("  enableLogicalBackup: false\n", "")).is_empty());
    }
}
