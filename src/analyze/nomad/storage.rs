//! storage: where a group's data lives between allocations, let go. A `volume` block (host
//! or CSI) removed or given another `source`, a Docker task's bind of a data directory
//! dropped, or `ephemeral_disk` no longer `sticky`/`migrate`: the next allocation starts
//! empty. Groups and jobs that are gone are judged by `jobs`.

use super::model::{Group, Job};
use super::{EPHEMERAL_DISK_UNPINNED, VOLUME_REMOVED};
use crate::analyze::datastores;
use crate::analyze::FileView;
use crate::change::Side;
use crate::finding::{Finding, Severity};

pub(super) fn check(view: &FileView, base: &[Job], head: &[Job], out: &mut Vec<Finding>) {
    for job in base {
        let Some(now) = head.iter().find(|j| j.name == job.name) else {
            continue;
        };
        for group in &job.groups {
            if let Some(after) = now.groups.iter().find(|g| g.name == group.name) {
                volumes(view, group, after, out);
                binds(view, group, after, out);
                disk(view, group, after, out);
            }
        }
    }
}

/// High when a database's data is at `destination` (or the group runs one), else medium.
fn severity(group: &Group, destination: Option<&str>) -> Severity {
    match (group.store(), destination) {
        (Some(store), Some(d)) if datastores::holds_data(store, d) => Severity::High,
        (Some(_), None) => Severity::High,
        _ if destination.is_some_and(|d| crate::analyze::commands::data_dir(d).is_some()) => {
            Severity::High
        }
        _ => Severity::Medium,
    }
}

fn volumes(view: &FileView, before: &Group, after: &Group, out: &mut Vec<Finding>) {
    for volume in before.volumes.iter().filter(|v| !v.read_only) {
        let now = after.volumes.iter().find(|v| v.name == volume.name);
        let same = now.is_some_and(|v| v.source == volume.source && v.kind == volume.kind);
        // A volume block renamed with the same source, and still mounted, is the same volume.
        let renamed = after
            .volumes
            .iter()
            .any(|v| v.source == volume.source && v.kind == volume.kind);
        if same || (now.is_none() && renamed) {
            continue;
        }
        let destination = before.mounted_at(&volume.name);
        let (location, what) = match now {
            Some(v) => (
                view.at(Side::Head, v.line, v.line),
                format!("now claims the {} volume `{}` instead", v.kind, v.source),
            ),
            None => (
                view.at(Side::Base, volume.line, volume.line),
                "is removed".to_owned(),
            ),
        };
        let at = destination.map_or(String::new(), |d| format!(" (mounted at `{d}`)"));
        out.push(
            Finding::new(
                &VOLUME_REMOVED,
                location,
                format!(
                    "The {} volume `{}`{at} of the group `{}` {what}: the next allocation starts on an empty directory, and the data stays behind on the old volume. Keep the volume, or copy the data (snapshot a CSI volume) before switching.",
                    volume.kind, volume.source, before.name
                ),
            )
            .with_severity(severity(before, destination)),
        );
    }
}

fn binds(view: &FileView, before: &Group, after: &Group, out: &mut Vec<Finding>) {
    let store = before.store();
    for bind in before.tasks.iter().flat_map(|t| &t.binds) {
        let data = store.is_some_and(|s| datastores::holds_data(s, &bind.destination))
            || crate::analyze::commands::data_dir(&bind.destination).is_some();
        let kept = after
            .tasks
            .iter()
            .flat_map(|t| &t.binds)
            .any(|b| b.host == bind.host && b.destination == bind.destination);
        if !data || kept {
            continue;
        }
        out.push(Finding::new(
            &VOLUME_REMOVED,
            view.at(Side::Base, bind.line, bind.line),
            format!(
                "The bind of `{}` to `{}` in the group `{}` is removed or changed: the task's data is no longer on the host directory, and the next allocation starts empty. Keep the bind, or move the data first.",
                bind.host, bind.destination, before.name
            ),
        ).with_severity(Severity::High));
    }
}

fn disk(view: &FileView, before: &Group, after: &Group, out: &mut Vec<Finding>) {
    let lost: Vec<&str> = [
        (before.sticky && !after.sticky, "sticky"),
        (before.migrate && !after.migrate, "migrate"),
    ]
    .iter()
    .filter(|(gone, _)| *gone)
    .map(|(_, name)| *name)
    .collect();
    if lost.is_empty() {
        return;
    }
    let location = match after.disk_line {
        Some(line) => view.at(Side::Head, line, line),
        None => {
            let line = before.disk_line.unwrap_or(before.line);
            view.at(Side::Base, line, line)
        }
    };
    let severity = if before.store().is_some() {
        Severity::High
    } else {
        Severity::Medium
    };
    out.push(
        Finding::new(
            &EPHEMERAL_DISK_UNPINNED,
            location,
            format!(
                "`ephemeral_disk` of the group `{}` is no longer {}: the next update starts its tasks on an empty `alloc/data`, losing what they kept there. Keep the disk sticky until the data lives on a volume.",
                before.name,
                lost.join(" or ")
            ),
        )
        .with_severity(severity),
    );
}
