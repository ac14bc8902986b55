//! upgrades: a task running a database server moved to another major version while its data
//! stays where it was: a group `volume` (host or CSI) it mounts, or a Docker bind of a host
//! directory, unchanged on both sides. The next allocation starts the new major on files the
//! old one wrote (see `database_majors`). A volume that changes too is `storage`'s finding.

use super::model::{Group, Job, Task};
use super::DATABASE_MAJOR_UPGRADE;
use crate::analyze::database_majors;
use crate::analyze::datastores;
use crate::analyze::FileView;
use crate::change::Side;
use crate::finding::Finding;

pub(super) fn check(view: &FileView, base: &[Job], head: &[Job], out: &mut Vec<Finding>) {
    for job in head {
        let Some(before_job) = base.iter().find(|j| j.name == job.name) else {
            continue;
        };
        for group in &job.groups {
            let Some(before) = before_job.groups.iter().find(|g| g.name == group.name) else {
                continue;
            };
            for task in &group.tasks {
                let Some(was_task) = before.tasks.iter().find(|t| t.name == task.name) else {
                    continue;
                };
                let (Some(was), Some(now)) = (&was_task.image, &task.image) else {
                    continue;
                };
                let Some(effect) = database_majors::major_change(was, now) else {
                    continue;
                };
                let Some(data) = kept_data(before, was_task, group, task) else {
                    continue;
                };
                out.push(Finding::new(
                    &DATABASE_MAJOR_UPGRADE,
                    view.at(Side::Head, task.image_line, task.image_line),
                    format!(
                        "The task `{}` of the group `{}` moves from `{was}` to `{now}`, another major version of the database server, while its data stays on {data}: {}. Back the data up and migrate it the way the server documents, or keep the old major's tag.",
                        task.name, group.name, effect.0
                    ),
                ));
            }
        }
    }
}

/// Where the task keeps its data on both sides, if anywhere: a writable group volume with
/// the same source mounted at a data path, or a bind of the same host directory.
fn kept_data(before: &Group, was: &Task, after: &Group, now: &Task) -> Option<String> {
    let store = datastores::of_image(now.image.as_deref()?)?;
    for (volume, destination) in &now.volume_mounts {
        if !datastores::holds_data(store, destination) {
            continue;
        }
        let Some(v) = after
            .volumes
            .iter()
            .find(|v| &v.name == volume && !v.read_only)
        else {
            continue;
        };
        let same = was.volume_mounts.iter().any(|(old, d)| {
            d == destination
                && before
                    .volumes
                    .iter()
                    .any(|b| &b.name == old && b.source == v.source && b.kind == v.kind)
        });
        if same {
            return Some(format!("the {} volume `{}`", v.kind, v.source));
        }
    }
    now.binds
        .iter()
        .filter(|b| datastores::holds_data(store, &b.destination))
        .find(|b| {
            was.binds
                .iter()
                .any(|o| o.host == b.host && o.destination == b.destination)
        })
        .map(|b| format!("the host directory `{}`", b.host))
}
