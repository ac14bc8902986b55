//! kustomize_renames: an overlay that renames an object, or moves it to another namespace,
//! through a JSON 6902 patch (`op: replace` or `add`, `path: /metadata/name` or
//! `/metadata/namespace`), inline or in a patch file. Kubernetes has no rename: a pruning sync
//! deletes the object under its old name (a claim with its data) and creates an empty one
//! under the new. Patches are read on both sides; what the head renames and the base did not
//! is reported at the line of the kustomization's patch entry.

use super::RENAMED;
use crate::analyze::FileView;
use crate::change::Side;
use crate::finding::Finding;
use crate::yaml::Node;

/// One rename a kustomization's patch makes.
#[derive(Debug, PartialEq, Eq)]
struct Renamed {
    /// `PersistentVolumeClaim data`, or the name alone where the target names no kind.
    target: String,
    /// `name` or `namespace`.
    field: &'static str,
    value: String,
    /// The kustomization line of the patch entry.
    line: u32,
}

/// Objects the head of a kustomization renames or moves that its base did not.
pub(super) fn renamed(view: &FileView, base: &Node, head: &Node) -> Vec<Finding> {
    let was = renamed_on(view, Side::Base, base);
    renamed_on(view, Side::Head, head)
        .into_iter()
        .filter(|r| {
            !was.iter()
                .any(|w| (&w.target, w.field, &w.value) == (&r.target, r.field, &r.value))
        })
        .map(|r| {
            let what = match r.field {
                "namespace" => format!("moved to namespace `{}`", r.value),
                _ => format!("renamed to `{}`", r.value),
            };
            Finding::new(
                &RENAMED,
                view.at(Side::Head, r.line, r.line),
                format!(
                    "{} is {what} by a JSON 6902 patch of {}: Kubernetes has no rename or move, so a pruning sync deletes {} (a PersistentVolumeClaim with its data) and creates a new, empty one.",
                    r.target,
                    view.path_on(Side::Head),
                    r.target
                ),
            )
            .with_safer(format!(
                "Keep the object's {}; to change it, create the new object beside the old one, move references, data and traffic, then remove the old one in a later change.",
                r.field
            ))
            .with_subject(r.target)
        })
        .collect()
}

fn renamed_on(view: &FileView, side: Side, kustomization: &Node) -> Vec<Renamed> {
    let mut out = Vec::new();
    for entry in super::patches::entries(kustomization) {
        let Some(target) = entry.get("target").and_then(super::patches::target_of) else {
            continue;
        };
        let Some(applied) = super::patches::applied(view, side, entry) else {
            continue;
        };
        for op in applied.docs.iter().flat_map(Node::as_seq) {
            let replaces = matches!(op.get("op").and_then(Node::as_str), Some("replace" | "add"));
            let field = match op.get("path").and_then(Node::as_str) {
                Some("/metadata/name") => "name",
                Some("/metadata/namespace") => "namespace",
                _ => continue,
            };
            if let (true, Some(value)) = (replaces, op.get("value").and_then(Node::as_str)) {
                out.push(Renamed {
                    target: target.clone(),
                    field,
                    value: value.to_owned(),
                    line: entry.line,
                });
            }
        }
    }
    out
}
