//! rehome: changes that move objects or state somewhere else without touching the resource
//! blocks: a resource or module switched to another provider configuration, a provider
//! configuration pointed at another region, project or subscription, and the state backend
//! re-pointed. Pure apart from reading the directory's other files through [`Dir`].

use super::model::{Backend, Item, ItemKind, Setting, TfFile};
use super::{data_note, stateful, Dir, FileView, BACKEND_CHANGED, PROVIDER_REHOMED};
use crate::change::Side;
use crate::finding::{Finding, Severity, Tag};
use std::sync::Arc;

/// Provider settings that say where objects live.
const PROVIDER_PLACE: &[&str] = &[
    "region",
    "project",
    "zone",
    "location",
    "subscription_id",
    "assume_role.role_arn",
];

/// Backend settings that say where the state lives.
const BACKEND_PLACE: &[&str] = &[
    "bucket",
    "key",
    "prefix",
    "workspace_key_prefix",
    "path",
    "workspace_dir",
    "storage_account_name",
    "container_name",
    "organization",
    "hostname",
    "workspaces.name",
    "workspaces.prefix",
    "workspaces.project",
    // HCP Terraform's `cloud` block picks its workspaces by tag: other tags, other states.
    "workspaces.tags",
    "conn_str",
    "schema_name",
    "address",
];

/// A provider setting written where the base left it to the environment (`ARM_SUBSCRIPTION_ID`,
/// `AWS_REGION`, the CLI's default project): azurerm 4.0 requires `subscription_id` in the
/// block, so every upgrade to it spells out what the environment already chose. Nothing moves
/// if it names the same place, and twokey cannot see the environment: a low note to
/// check (a wrong place shows in the plan as every resource created anew), not tagged destructive. A value changed or removed stays `provider_rehomed`'s.
fn spelled_out(
    view: &FileView,
    name: &str,
    path: &str,
    after: Option<&Setting>,
    line: u32,
) -> Finding {
    let mut finding = Finding::new(
        &PROVIDER_REHOMED,
        view.at(Side::Head, line, line),
        format!(
            "`{path}` of provider `{name}` is now set to {}, where the base left it to the environment \
             (an `ARM_*`/`AWS_*`/`GOOGLE_*` variable or the CLI's default): if it names the same place, \
             nothing moves; if not, every resource that uses this provider configuration is looked for \
             there, and replaced or created anew while the old objects drop out of state.",
            render(after)
        ),
    )
    .with_severity(Severity::Low)
    .with_safer(format!(
        "Check that the plan shows no replacements; set `{path}` to the value the pipeline's environment \
         gives today, and move resources to another place only with a second, aliased provider configuration."
    ));
    finding.tags.retain(|t| *t != Tag::Destructive);
    finding
}

fn render(s: Option<&Setting>) -> String {
    s.map_or_else(|| "(unset)".to_owned(), |s| s.value.render())
}

fn differs(a: Option<&Setting>, b: Option<&Setting>) -> bool {
    match (a, b) {
        (Some(a), Some(b)) => !a.value.same(&b.value),
        (None, None) => false,
        _ => true,
    }
}

fn known(a: Option<&Setting>, b: Option<&Setting>) -> bool {
    a.is_some_and(|s| s.value.is_known()) && b.is_some_and(|s| s.value.is_known())
}

/// The provider configuration a resource uses: its `provider` meta-argument, or the default
/// configuration of the provider its type name starts with.
fn provider_of(item: &Item) -> String {
    match item.get("provider") {
        Some(s) => s.value.render().trim_matches('"').to_owned(),
        None => item
            .rtype
            .split('_')
            .next()
            .unwrap_or(&item.rtype)
            .to_owned(),
    }
}

/// A resource or module moved to another provider configuration, or a provider configuration
/// pointed somewhere else.
pub fn provider_rehomed(view: &FileView, old: &Item, new: &Item, out: &mut Vec<Finding>) {
    match new.kind {
        ItemKind::Resource => {
            let (was, now) = (provider_of(old), provider_of(new));
            if was == now {
                return;
            }
            let line = new.get("provider").map_or(new.line, |s| s.line);
            let severity = if stateful::stateful(&new.rtype) {
                Severity::Critical
            } else {
                Severity::High
            };
            out.push(
                Finding::new(
                    &PROVIDER_REHOMED,
                    view.at(Side::Head, line, line),
                    format!(
                        "`{}` moved from provider `{was}` to `{now}`: if `{now}` points at another account or region, \
                         the existing object is not found there, so the next apply creates a new, empty one \
                         and the old one{} drops out of Terraform's state (or is replaced where the location is an attribute).",
                        new.address,
                        data_note(new)
                    ),
                )
                .with_severity(severity)
                .with_safer(format!(
                    "Keep `{}` on `{was}`; to move it, create the new object under `{now}`, migrate the data, \
                     then remove the old one with a reviewed `removed` block.",
                    new.address
                )),
            );
        }
        ItemKind::Module => {
            let (before, after) = (old.get("providers"), new.get("providers"));
            if !differs(before, after) {
                return;
            }
            let line = after.map_or(new.line, |s| s.line);
            out.push(
                Finding::new(
                    &PROVIDER_REHOMED,
                    view.at(Side::Head, line, line),
                    format!(
                        "The `providers` of `{}` changed from {} to {}: every resource inside the module is \
                         managed through the new configuration, and if that points at another account or region \
                         they are created anew there while the existing ones drop out of state.",
                        new.address,
                        render(before),
                        render(after)
                    ),
                )
                .with_severity(Severity::Critical),
            );
        }
        ItemKind::Provider => {
            for path in PROVIDER_PLACE {
                let (before, after) = (old.get(path), new.get(path));
                if !differs(before, after) {
                    continue;
                }
                let line = after.map_or(new.line, |s| s.line);
                let name = new.address.trim_start_matches("provider.");
                if before.is_none() {
                    out.push(spelled_out(view, name, path, after, line));
                    continue;
                }
                let moves = if known(before, after) {
                    "moves"
                } else {
                    "may move"
                };
                out.push(
                    Finding::new(
                        &PROVIDER_REHOMED,
                        view.at(Side::Head, line, line),
                        format!(
                            "`{path}` of provider `{name}` changed from {} to {}: every resource that uses this \
                             provider configuration {moves} there. Terraform either replaces them (`-/+`) or, \
                             not finding them in the new place, creates them anew while the old objects drop out \
                             of its state, still running.",
                            render(before),
                            render(after)
                        ),
                    )
                    .with_severity(Severity::High)
                    .with_safer(format!(
                        "Keep `{path}` as it was and add a second, aliased provider configuration for the new place; \
                         move resources to it one by one, each in a reviewed change."
                    )),
                );
            }
        }
        ItemKind::Data => {}
    }
}

fn dir_backend(
    view: &FileView,
    side: Side,
    own: Option<(&crate::change::RepoPath, &Arc<TfFile>)>,
) -> Option<Backend> {
    let path = view.path_on(side);
    let dir = Dir::load(view, side, path.dir(), own);
    let found = dir.index.files.iter().find_map(|(_, f)| f.backend.clone());
    found
}

fn describe(b: Option<&Backend>) -> String {
    match b {
        None => "local state (no backend)".to_owned(),
        Some(b) => {
            let place: Vec<String> = BACKEND_PLACE
                .iter()
                .filter_map(|p| {
                    b.settings
                        .get(*p)
                        .map(|s| format!("{p} = {}", s.value.render()))
                })
                .collect();
            if place.is_empty() {
                format!("backend \"{}\"", b.kind)
            } else {
                format!("backend \"{}\" ({})", b.kind, place.join(", "))
            }
        }
    }
}

/// The directory's state backend re-pointed or its type changed. Reported once, by the file
/// that holds the head backend (or held the base one, when the head has none).
pub fn backend_changed(
    view: &FileView,
    base: &Arc<TfFile>,
    head: &Arc<TfFile>,
    out: &mut Vec<Finding>,
) {
    let (side, line) = match (&head.backend, &base.backend) {
        (Some(h), _) => (Side::Head, h.line),
        (None, Some(b)) => (Side::Base, b.line),
        (None, None) => return,
    };
    let own_base = view.change.old_path.as_ref().map(|p| (p, base));
    let own_head = view.change.new_path.as_ref().map(|p| (p, head));
    let before = match view.change.old_path {
        Some(_) => dir_backend(view, Side::Base, own_base),
        None => None,
    };
    let after = match view.change.new_path {
        Some(_) => dir_backend(view, Side::Head, own_head),
        None => None,
    };
    // Only the file that holds the head backend reports; without one, the file that held it.
    if side == Side::Base && after.is_some() {
        return;
    }
    let moved = match (&before, &after) {
        (Some(b), Some(a)) => {
            b.kind != a.kind
                || BACKEND_PLACE
                    .iter()
                    .any(|p| differs(b.settings.get(*p), a.settings.get(*p)))
        }
        (None, None) => false,
        _ => true,
    };
    if !moved {
        return;
    }
    out.push(
        Finding::new(
            &BACKEND_CHANGED,
            view.at(side, line, line),
            format!(
                "The state backend changed from {} to {}: the next `terraform init` either moves the state \
                 (`-migrate-state`) or starts from an empty state there (`-reconfigure`), and with an empty \
                 state the plan creates every resource again beside the existing ones.",
                describe(before.as_ref()),
                describe(after.as_ref())
            ),
        )
        .with_safer(
            "Change the backend in its own reviewed change, run `terraform init -migrate-state` once, \
             and check that `terraform plan` afterwards shows no creates.",
        ),
    );
}
