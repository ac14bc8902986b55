//! volumes: a service's data leaving the volume it was kept in. Compose never deletes a
//! volume by itself; it mounts whatever the file names. So a database whose data volume is
//! dropped, renamed or swapped for a bind mount, tmpfs or an anonymous volume starts on an
//! empty data directory at the next `up` or `stack deploy`, and the old volume lingers until
//! someone prunes it. An `external` volume dropping the flag is adopted by Compose, which
//! then creates it (under the project's prefix, when it had no `name:`) and deletes it with
//! `down -v`.

use super::model::{Identity, Mount, Project, Source};
use super::{DATA_VOLUME_REMOVED, DATA_VOLUME_REPLACED, VOLUME_EXTERNAL_DROPPED};
use crate::analyze::FileView;
use crate::change::Side;
use crate::finding::{Finding, Severity};

pub(super) fn check(view: &FileView, base: &Project, head: &Project, out: &mut Vec<Finding>) {
    for before in &base.services {
        // A service that is gone is judged as a service (`database-service-removed`).
        let Some(after) = head.service(&before.name) else {
            continue;
        };
        for mount in before.mounts.iter().filter(|m| !m.read_only) {
            let Some(identity) = base.identity(&mount.source) else {
                continue; // an anonymous volume or tmpfs held nothing to lose
            };
            let store = before.holds_data(&mount.target);
            // A bind mount of code or configuration moving is no data leaving.
            if store.is_none() && matches!(identity, Identity::Host(_)) {
                continue;
            }
            let (severity, what) = match store {
                Some(s) => (
                    Severity::High,
                    format!(
                        "the {} data of `{}` (at `{}`)",
                        s.name, before.name, mount.target
                    ),
                ),
                None => (
                    Severity::Medium,
                    format!("what `{}` keeps at `{}`", before.name, mount.target),
                ),
            };
            let now = after.mount_at(&mount.target);
            if let Some(finding) = external_dropped(view, base, head, mount, now, &what) {
                out.push(finding.with_severity(severity));
                continue;
            }
            let now_identity = now.and_then(|m| head.identity(&m.source));
            if now_identity.as_ref() == Some(&identity) || made_external(base, head, mount, now) {
                continue;
            }
            let finding = match (now, now_identity) {
                (Some(m), Some(other)) => Finding::new(
                    &DATA_VOLUME_REPLACED,
                    view.at(Side::Head, m.line, m.line),
                    format!(
                        "{} now comes from {} instead of {}: the service starts on an empty data directory and the data stays behind, unmounted. Keep the old source (set the volume's `name:` to the old one when renaming the key), or migrate the data first.",
                        capitalise(&what),
                        other.shown(),
                        identity.shown()
                    ),
                ),
                (Some(m), None) => Finding::new(
                    &DATA_VOLUME_REMOVED,
                    view.at(Side::Head, m.line, m.line),
                    format!(
                        "{} moves from {} to {}, which is emptied whenever the container is recreated: the data is gone from the service's view at the next deploy. Keep the volume, or migrate the data and take a backup first.",
                        capitalise(&what),
                        identity.shown(),
                        throwaway(&m.source)
                    ),
                ),
                (None, _) if head.mounts(&identity) => continue, // moved, still mounted
                (None, _) => Finding::new(
                    &DATA_VOLUME_REMOVED,
                    view.at(Side::Base, mount.line, mount.line),
                    format!(
                        "{} is no longer kept in {}: the container writes to its own layer (or an anonymous volume), so the data is not there after the next deploy and is lost when the container is removed. Keep the volume, or migrate the data and take a backup first.",
                        capitalise(&what),
                        identity.shown()
                    ),
                ),
            };
            out.push(finding.with_severity(severity));
        }
    }
}

/// `external: true` dropped from the volume a mount keeps on both sides.
fn external_dropped(
    view: &FileView,
    base: &Project,
    head: &Project,
    before: &Mount,
    now: Option<&Mount>,
    what: &str,
) -> Option<Finding> {
    let (Source::Named(key), Some(Source::Named(now_key))) =
        (&before.source, now.map(|m| &m.source))
    else {
        return None;
    };
    let was = base.volume(key).filter(|v| v.external)?;
    let decl = head
        .volume(now_key)
        .filter(|v| key == now_key && !v.external)?;
    let adopted = match &decl.name {
        Some(_) => "Compose now treats it as its own: `docker compose down -v` deletes it",
        None => "Compose now creates and mounts a new, empty `<project>_` volume in its place, and `docker compose down -v` deletes that",
    };
    Some(Finding::new(
        &VOLUME_EXTERNAL_DROPPED,
        view.at(Side::Head, decl.line, decl.line),
        format!(
            "The volume `{key}` (line {} of the base) is no longer `external`, and it holds {what}: {adopted}. Keep `external: true`, so Compose never creates or removes it.",
            was.line
        ),
    ))
}

/// The same volume key marked `external` at the head: Compose then refuses to start unless a
/// volume of that exact name exists, so it fails loudly rather than starting empty.
fn made_external(base: &Project, head: &Project, before: &Mount, now: Option<&Mount>) -> bool {
    match (&before.source, now.map(|m| &m.source)) {
        (Source::Named(key), Some(Source::Named(now_key))) => {
            key == now_key
                && base.volume(key).is_some_and(|v| !v.external)
                && head.volume(key).is_some_and(|v| v.external)
        }
        _ => false,
    }
}

fn throwaway(source: &Source) -> &'static str {
    match source {
        Source::Tmpfs => "a tmpfs (memory)",
        _ => "an anonymous volume",
    }
}

fn capitalise(s: &str) -> String {
    let mut chars = s.chars();
    chars
        .next()
        .map_or_else(String::new, |c| c.to_uppercase().chain(chars).collect())
}
