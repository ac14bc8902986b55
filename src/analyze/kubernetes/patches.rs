//! patches: Kustomize patches. A patch file has the shape of a manifest (`apiVersion`, `kind`,
//! `metadata.name`) but only edits an object some other file declares, so dropping it from
//! the patch deletes nothing. A strategic-merge patch with `$patch: delete` at its top does
//! delete the object it targets, whether it sits in a patch file or inline in a
//! kustomization.

use super::{objects, ObjectId};
use crate::analyze::FileView;
use crate::change::{RepoPath, Side};
use crate::yaml::{self, Node};

/// How far above a patch its kustomization may sit (`overlays/prod/patches/web.yaml`).
const LEVELS_UP: usize = 2;

const KUSTOMIZATION_NAMES: &[&str] = &["kustomization.yaml", "kustomization.yml", "Kustomization"];

/// Whether a kustomization at or above the file names it as a patch on `side`.
pub(super) fn is_patch_file(view: &FileView, side: Side) -> bool {
    let path = view.path_on(side);
    let mut dir = path.dir();
    for _ in 0..=LEVELS_UP {
        for name in KUSTOMIZATION_NAMES {
            let at = if dir.is_empty() {
                (*name).to_owned()
            } else {
                format!("{dir}/{name}")
            };
            let content = view.snapshot.read(side, &RepoPath::new(at));
            let names_it = content
                .text()
                .and_then(|text| yaml::parse_documents(text).ok())
                .and_then(|docs| docs.into_iter().next())
                .is_some_and(|k| patch_paths(&k).any(|p| resolve(dir, p) == path.as_str()));
            if names_it {
                return true;
            }
        }
        if dir.is_empty() {
            break;
        }
        dir = dir.rsplit_once('/').map_or("", |(parent, _)| parent);
    }
    false
}

/// The entries of a kustomization's patch lists (`patches`, and the older
/// `patchesStrategicMerge` and `patchesJson6902`).
pub(super) fn entries(kustomization: &Node) -> impl Iterator<Item = &Node> {
    ["patches", "patchesStrategicMerge", "patchesJson6902"]
        .into_iter()
        .flat_map(|key| kustomization.get(key).map_or(&[][..], Node::as_seq))
}

/// The files a kustomization applies as patches, as written (relative to it).
fn patch_paths(kustomization: &Node) -> impl Iterator<Item = &str> {
    entries(kustomization)
        .filter_map(|entry| entry.as_str().or_else(|| entry.get("path")?.as_str()))
        // A multi-line string is an inline patch, not a file name.
        .filter(|p| !p.contains('\n'))
}

/// An inline patch: a block scalar under `patch:` (in `patchesStrategicMerge`, the entry
/// itself).
fn inline_patch(entry: &Node) -> Option<&str> {
    entry
        .get("patch")
        .or(Some(entry))
        .and_then(Node::as_str)
        .filter(|text| text.contains('\n'))
}

/// The patch file an entry names (`path:`, or in `patchesStrategicMerge` the entry itself),
/// resolved against the kustomization's directory.
pub(super) fn patch_file(view: &FileView, side: Side, entry: &Node) -> Option<RepoPath> {
    if inline_patch(entry).is_some() {
        return None;
    }
    let path = entry.get("path").or(Some(entry)).and_then(Node::as_str)?;
    Some(RepoPath::joined(view.path_on(side).dir(), path))
}

/// The patch a kustomization's patch entry applies on `side`: its documents, and the file
/// they come from (`None` for an inline patch). `None` when there is no text to read or it is
/// not YAML (`kustomize build` fails on it; it changes nothing).
pub(super) struct Applied {
    pub docs: Vec<Node>,
    pub file: Option<RepoPath>,
}

pub(super) fn applied(view: &FileView, side: Side, entry: &Node) -> Option<Applied> {
    let file = patch_file(view, side, entry);
    let docs = match (inline_patch(entry), &file) {
        (Some(text), _) => yaml::parse_documents(text),
        (None, Some(file)) => yaml::parse_documents(view.snapshot.read(side, file).text()?),
        (None, None) => return None,
    };
    Some(Applied {
        docs: docs.ok()?,
        file,
    })
}

/// What a patch entry's `target` names: its kind and name (`Deployment web`), or the name
/// alone.
pub(super) fn target_of(target: &Node) -> Option<String> {
    let name = target.get("name")?.as_str()?;
    Some(match target.get("kind").and_then(Node::as_str) {
        Some(kind) => format!("{kind} {name}"),
        None => name.to_owned(),
    })
}

/// `dir` joined with a relative `path`, `.` and `..` resolved.
fn resolve(dir: &str, path: &str) -> String {
    RepoPath::joined(dir, path).as_str().to_owned()
}

/// The `$patch: delete` mark at the top of an object, when it has one.
pub(super) fn deletion_mark(object: &Node) -> Option<&Node> {
    object
        .get("$patch")
        .filter(|mark| mark.as_str() == Some("delete"))
}

/// An object an inline patch deletes, and the file line of its `$patch: delete`.
pub(super) struct InlineDeletion {
    pub id: ObjectId,
    pub object: Node,
    pub line: u32,
}

/// The objects a kustomization's inline strategic-merge patches delete.
pub(super) fn inline_deletions(kustomization: &Node) -> Vec<InlineDeletion> {
    let inline = ["patches", "patchesStrategicMerge"]
        .into_iter()
        .flat_map(|key| kustomization.get(key).map(Node::as_seq).unwrap_or(&[]))
        .filter_map(|entry| entry.get("patch").or(Some(entry)))
        .filter_map(|text| Some((text.as_str()?, text.line)))
        .filter(|(text, _)| text.contains('\n'));
    let mut out = Vec::new();
    for (text, line) in inline {
        // An inline patch that is not YAML (a JSON 6902 list in flow style parses; a broken
        // one makes `kustomize build` fail) deletes nothing.
        let Ok(docs) = yaml::parse_documents(text) else {
            continue;
        };
        for (id, object) in objects(&docs) {
            if let Some(mark) = deletion_mark(object) {
                // Inline patches are block scalars, whose text starts on the scalar's line.
                out.push(InlineDeletion {
                    id,
                    object: object.clone(),
                    line: line.saturating_add(mark.line.saturating_sub(1)),
                });
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::resolve;

    #[test]
    fn relative_patch_paths_resolve_against_the_kustomization() {
        assert_eq!(
            resolve("overlays/prod", "web.yaml"),
            "overlays/prod/web.yaml"
        );
        assert_eq!(
            resolve("overlays/prod", "./patches/web.yaml"),
            "overlays/prod/patches/web.yaml"
        );
        assert_eq!(
            resolve("overlays/prod", "../common/web.yaml"),
            "overlays/common/web.yaml"
        );
        assert_eq!(resolve("", "web.yaml"), "web.yaml");
    }
}
