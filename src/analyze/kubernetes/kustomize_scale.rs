//! kustomize_scale: an overlay that scales a workload to zero without touching its manifest.
//! Kustomize sets replicas three ways besides the manifest itself: the kustomization's
//! `replicas:` list (`- name: web` / `count: 0`), a strategic-merge patch (`spec.replicas:
//! 0`, inline or in a patch file) and a JSON 6902 patch (`op: replace`, `path:
//! /spec/replicas`, `value: 0`). Each is read on both sides; what zeroes a workload on the
//! head and did not on the base is reported at the line that does it. A patch file the base
//! already applied is left to the manifest comparison of that file, which sees its edit.

use super::settings::SCALED_TO_ZERO;
use crate::analyze::FileView;
use crate::change::{RepoPath, Side};
use crate::finding::Finding;
use crate::yaml::Node;

/// One way a kustomization brings a workload to zero replicas.
#[derive(Debug, PartialEq, Eq)]
struct Zeroed {
    /// `Deployment web`, or `web` where the kind is not said (a `replicas:` entry).
    target: String,
    /// How, naming the file: the kustomization's `replicas:` entry, an inline patch in it,
    /// or a patch file it now applies.
    how: String,
    /// The kustomization line that brings it.
    line: u32,
    /// The patch file it comes from, if it does.
    file: Option<RepoPath>,
}

/// Workloads the head of a kustomization scales to zero that its base did not.
pub(super) fn zeroed(view: &FileView, base: &Node, head: &Node) -> Vec<Finding> {
    let was = zeroed_on(view, Side::Base, base);
    let applied: Vec<RepoPath> = super::patches::entries(base)
        .filter_map(|entry| super::patches::patch_file(view, Side::Base, entry))
        .collect();
    zeroed_on(view, Side::Head, head)
        .into_iter()
        .filter(|z| !was.iter().any(|w| w.target == z.target))
        // An edited patch file is that file's own change, reported where it is made.
        .filter(|z| z.file.as_ref().is_none_or(|f| !applied.contains(f)))
        .map(|z| {
            Finding::new(
                &SCALED_TO_ZERO,
                view.at(Side::Head, z.line, z.line),
                format!(
                    "{} is scaled to 0 replicas by {}: every pod stops and what it serves is down.",
                    z.target, z.how
                ),
            )
            .with_subject(z.target)
        })
        .collect()
}

fn zeroed_on(view: &FileView, side: Side, kustomization: &Node) -> Vec<Zeroed> {
    let mut out = Vec::new();
    for entry in kustomization.get("replicas").map_or(&[][..], Node::as_seq) {
        if let (Some(name), true) = (
            entry.get("name").and_then(Node::as_str),
            is_zero(entry.get("count")),
        ) {
            out.push(Zeroed {
                target: name.to_owned(),
                how: format!("the `replicas:` entry of {}", view.path_on(side)),
                line: entry.line,
                file: None,
            });
        }
    }
    for entry in super::patches::entries(kustomization) {
        let Some(applied) = super::patches::applied(view, side, entry) else {
            continue;
        };
        let how = match &applied.file {
            Some(file) => format!("{file}, a patch {} applies", view.path_on(side)),
            None => format!("an inline patch in {}", view.path_on(side)),
        };
        for doc in &applied.docs {
            let target = entry.get("target");
            if let Some(target) = strategic_merge(doc).or_else(|| json_6902(doc, target)) {
                out.push(Zeroed {
                    target,
                    how: how.clone(),
                    line: entry.line,
                    file: applied.file.clone(),
                });
            }
        }
    }
    out
}

fn is_zero(node: Option<&Node>) -> bool {
    node.and_then(Node::as_str)
        .is_some_and(|v| v.trim().parse::<u64>() == Ok(0))
}

/// A strategic-merge patch setting `spec.replicas: 0`: its kind and name.
fn strategic_merge(doc: &Node) -> Option<String> {
    if !is_zero(doc.path(&["spec", "replicas"])) {
        return None;
    }
    let kind = doc.get("kind")?.as_str()?;
    let name = doc.path(&["metadata", "name"])?.as_str()?;
    Some(format!("{kind} {name}"))
}

/// A JSON 6902 patch (a list of operations) that replaces or adds `/spec/replicas` as 0: the
/// kind and name of its entry's `target`.
fn json_6902(doc: &Node, target: Option<&Node>) -> Option<String> {
    let zeroes = doc.as_seq().iter().any(|op| {
        matches!(op.get("op").and_then(Node::as_str), Some("replace" | "add"))
            && op.get("path").and_then(Node::as_str) == Some("/spec/replicas")
            && is_zero(op.get("value"))
    });
    if !zeroes {
        return None;
    }
    target.and_then(super::patches::target_of)
}
