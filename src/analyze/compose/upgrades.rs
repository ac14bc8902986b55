//! upgrades: a database service's image moved to another major version while its data stays
//! in the same volume or host directory. Nothing is deleted, but the files there were written
//! by the old major: PostgreSQL refuses to start on them, MySQL, MariaDB, MongoDB and
//! Elasticsearch convert them one way (see `database_majors`). The image is read after
//! `${VAR}` substitution from the `.env` beside the file, so `postgres:${PG_TAG}` is judged
//! by the tag each side's `.env` gives it. A service that also moves to a new volume (or a
//! project renamed, which gives it one) starts empty instead: that is `volumes`' or
//! `project_name`'s finding, not this one.

use super::dotenv::EnvFile;
use super::interpolate;
use super::model::{Identity, Project, Service, VolumeName};
use super::DATABASE_MAJOR_UPGRADE;
use crate::analyze::database_majors::{self, Effect};
use crate::analyze::datastores;
use crate::finding::{Finding, Location};

/// One side's `.env` (if any) and whether the project keeps its name across the change.
pub(super) struct Context<'a> {
    pub base_env: Option<&'a EnvFile>,
    pub head_env: Option<&'a EnvFile>,
    /// The project is renamed, so its unnamed volumes are new ones at the head.
    pub renamed: bool,
}

/// A database service whose image crosses a major with its data in place.
pub(super) struct Upgrade<'a> {
    pub service: &'a Service,
    pub was: String,
    pub now: String,
    effect: Effect,
    data: Identity,
}

impl Upgrade<'_> {
    pub fn finding(&self, at: Location) -> Finding {
        Finding::new(
            &DATABASE_MAJOR_UPGRADE,
            at,
            format!(
                "The image of the database service `{}` moves from `{}` to `{}`, another major version, while its data stays in {}: {}. Back the data up and migrate it the way the server documents, or keep the old major's tag.",
                self.service.name,
                self.was,
                self.now,
                self.data.shown(),
                self.effect.0
            ),
        )
    }
}

pub(super) fn find<'a>(base: &Project, head: &'a Project, cx: &Context) -> Vec<Upgrade<'a>> {
    let mut out = Vec::new();
    for service in &head.services {
        let Some(now) = service
            .image
            .as_deref()
            .and_then(|i| interpolate::resolve(i, cx.head_env))
        else {
            continue;
        };
        let Some(store) = datastores::of_image(&now) else {
            continue;
        };
        let data: Vec<Identity> = service
            .mounts
            .iter()
            .filter(|m| !m.read_only && datastores::holds_data(store, &m.target))
            .filter_map(|m| head.identity(&m.source))
            .filter(|i| !(cx.renamed && matches!(i, Identity::Volume(VolumeName::InProject(_)))))
            .collect();
        if data.is_empty() {
            continue;
        }
        // The same service, or the one it was renamed from: a service that left the file
        // and mounted the same data.
        let shares = |b: &Service| {
            b.mounts
                .iter()
                .filter_map(|m| base.identity(&m.source))
                .find(|i| data.contains(i))
        };
        let before = base.service(&service.name).or_else(|| {
            base.services
                .iter()
                .find(|b| head.service(&b.name).is_none() && shares(b).is_some())
        });
        let Some((before, kept)) = before.and_then(|b| Some((b, shares(b)?))) else {
            continue;
        };
        let Some(was) = before
            .image
            .as_deref()
            .and_then(|i| interpolate::resolve(i, cx.base_env))
        else {
            continue;
        };
        if let Some(effect) = database_majors::major_change(&was, &now) {
            out.push(Upgrade {
                service,
                was,
                now,
                effect,
                data: kept,
            });
        }
    }
    out
}
