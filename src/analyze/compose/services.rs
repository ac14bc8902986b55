//! services: a database's service leaving the file, or stopped or moved by it. Removing a
//! service stops its containers (`docker stack deploy --prune` removes it from the Swarm,
//! `docker compose up --remove-orphans` from the host); its volume stays, unmounted, until
//! volumes are pruned. A service renamed with its volume kept is a rename, not a removal.

use super::model::{Identity, Project, Service};
use super::{DATABASE_MOVED, DATABASE_SCALED_TO_ZERO, DATABASE_SERVICE_REMOVED};
use crate::analyze::FileView;
use crate::change::Side;
use crate::finding::{Finding, Severity};

/// The named volumes and host directories holding a store's data in `service`.
fn data_of(project: &Project, service: &Service) -> Vec<Identity> {
    service
        .mounts
        .iter()
        .filter(|m| !m.read_only && service.holds_data(&m.target).is_some())
        .filter_map(|m| project.identity(&m.source))
        .collect()
}

pub(super) fn check(
    view: &FileView,
    base: &Project,
    head: Option<&Project>,
    swarm: bool,
    out: &mut Vec<Finding>,
) {
    let empty = Project::default();
    let head_project = head.unwrap_or(&empty);
    for before in &base.services {
        let Some(store) = before.store() else {
            continue;
        };
        let data = data_of(base, before);
        if let Some(after) = head_project.service(&before.name) {
            changed(view, before, after, &data, store.name, swarm, out);
            continue;
        }
        let renamed = head_project.services.iter().any(|s| {
            base.service(&s.name).is_none()
                && s.store() == Some(store)
                && (data.is_empty() && s.image == before.image
                    || data_of(head_project, s).iter().any(|i| data.contains(i)))
        });
        if renamed {
            continue;
        }
        let kept = match data.first() {
            Some(identity) => format!(
                " Its data stays in {}, mounted by nothing, until someone prunes volumes.",
                identity.shown()
            ),
            None => " It keeps no volume, so its data goes with its containers.".to_owned(),
        };
        let (how, severity) = if swarm {
            (
                "`docker stack deploy --prune` removes it from the Swarm",
                Severity::High,
            )
        } else {
            (
                "`docker compose up --remove-orphans` (or `down`) removes its containers",
                Severity::Medium,
            )
        };
        let gone = if head.is_none() {
            "deleted with the file"
        } else {
            "removed"
        };
        out.push(
            Finding::new(
                &DATABASE_SERVICE_REMOVED,
                view.at(Side::Base, before.line, before.line),
                format!(
                    "The {} service `{}` is {gone}: {how}, and whatever reads it loses its database.{kept} Take a backup and move the data first, or keep the service.",
                    store.name, before.name
                ),
            )
            .with_severity(severity),
        );
    }
}

fn changed(
    view: &FileView,
    before: &Service,
    after: &Service,
    data: &[Identity],
    store: &str,
    swarm: bool,
    out: &mut Vec<Finding>,
) {
    let zero = |s: &Service| s.replicas.as_ref().is_some_and(|(r, _)| r == "0");
    if zero(after) && !zero(before) {
        let line = after.replicas.as_ref().map_or(after.line, |(_, l)| *l);
        out.push(Finding::new(
            &DATABASE_SCALED_TO_ZERO,
            view.at(Side::Head, line, line),
            format!(
                "The {store} service `{}` is scaled to zero: every container stops and whatever reads it is down until it is scaled up again. The data stays in its volume.",
                after.name
            ),
        ));
    }
    // A Swarm volume with the local driver lives on the node that ran the task: a database
    // placed elsewhere starts on that node's empty volume of the same name.
    let placement = |s: &Service| s.placement.as_ref().map(|(c, _)| c.clone());
    if swarm && !data.is_empty() && placement(before) != placement(after) {
        let line = after.placement.as_ref().map_or(after.line, |(_, l)| *l);
        out.push(Finding::new(
            &DATABASE_MOVED,
            view.at(Side::Head, line, line),
            format!(
                "The placement of the {store} service `{}` changed: Swarm may start it on another node, where {} is a different, empty volume (local volumes live on one node). Pin it to the node holding the data, or move the data first.",
                after.name,
                data[0].shown()
            ),
        ));
    }
}
