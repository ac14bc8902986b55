//! called: the local files a workflow calls (`uses: ./.github/workflows/x.yml` for a reusable
//! workflow, `uses: ./.github/actions/x` for an action), read at the head through the
//! snapshot and parsed once per run, whichever caller asks first.

use std::sync::Arc;

use crate::analyze::FileView;
use crate::change::{Content, RepoPath, Side, Snapshot};
use crate::yaml::{self, Node};

/// A called file as the walk needs it.
#[derive(Debug)]
pub enum Called {
    /// A reusable workflow or composite action: YAML steps to read.
    Steps {
        root: Node,
        text: std::sync::Arc<str>,
        path: RepoPath,
    },
    /// A JavaScript or Docker action: its behaviour is code twokey does not read.
    Opaque { name: String },
    /// Missing, not text, or not YAML: the reason, for the reviewer.
    Unreadable { path: RepoPath, reason: String },
}

/// The path `uses: ./…` names, from the repository root (GitHub resolves local calls
/// against the checked-out workspace, the repository's root).
pub fn target(uses: &str) -> RepoPath {
    RepoPath::joined("", uses)
}

/// The called file at the head, read once per run.
pub fn load(view: &FileView, target: &RepoPath) -> Arc<Called> {
    view.memo
        .workflow_calls
        .get_or_load(target, || Arc::new(read(view.snapshot, target)))
}

fn is_workflow_file(path: &RepoPath) -> bool {
    let name = path.file_name();
    name.ends_with(".yml") || name.ends_with(".yaml")
}

fn read(snapshot: &dyn Snapshot, target: &RepoPath) -> Called {
    // An action is a directory holding `action.yml` (or `action.yaml`).
    let candidates = if is_workflow_file(target) {
        vec![target.clone()]
    } else {
        ["action.yml", "action.yaml"]
            .iter()
            .map(|name| RepoPath::joined(target.as_str(), name))
            .collect()
    };
    for path in &candidates {
        let text = match snapshot.read(Side::Head, path) {
            Content::Absent => continue,
            Content::Text(text) => text,
            other => {
                return Called::Unreadable {
                    path: path.clone(),
                    reason: format!("it is {}", describe(&other)),
                }
            }
        };
        return parse(path, text);
    }
    Called::Unreadable {
        path: candidates
            .first()
            .cloned()
            .unwrap_or_else(|| target.clone()),
        reason: "it does not exist at the head".to_owned(),
    }
}

fn parse(path: &RepoPath, text: std::sync::Arc<str>) -> Called {
    let root = match yaml::parse_documents(&text) {
        Ok(docs) => docs.into_iter().next(),
        Err(e) => {
            return Called::Unreadable {
                path: path.clone(),
                reason: format!("line {}: {}", e.line, e.message),
            }
        }
    };
    let Some(root) = root else {
        return Called::Unreadable {
            path: path.clone(),
            reason: "it is empty".to_owned(),
        };
    };
    if !is_workflow_file(path) || root.get("runs").is_some() {
        let using = root.path(&["runs", "using"]).and_then(Node::as_str);
        if using.is_some_and(|u| !u.eq_ignore_ascii_case("composite")) {
            let name = root.get("name").and_then(Node::as_str).unwrap_or_default();
            return Called::Opaque {
                name: format!("{path} {name}"),
            };
        }
    }
    if root.get("jobs").is_none() && root.path(&["runs", "steps"]).is_none() {
        return Called::Unreadable {
            path: path.clone(),
            reason: "it has neither `jobs:` nor composite `runs.steps`".to_owned(),
        };
    }
    Called::Steps {
        root,
        text,
        path: path.clone(),
    }
}

fn describe(content: &Content) -> String {
    match content {
        Content::Binary => "binary".to_owned(),
        Content::NotUtf8 => "not UTF-8".to_owned(),
        Content::TooLarge(bytes) => format!("too large ({bytes} bytes)"),
        Content::Submodule => "a submodule".to_owned(),
        Content::Symlink => "a symlink".to_owned(),
        Content::Absent | Content::Text(_) => "unreadable".to_owned(),
    }
}
