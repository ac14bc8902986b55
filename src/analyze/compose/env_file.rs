//! env_file: a changed `.env` beside a Compose file. Compose reads it from the project
//! directory for `COMPOSE_PROJECT_NAME` and for the `${VAR}`s the file interpolates, so a
//! `.env` alone can rename the project (and with it every unnamed volume) or move a database
//! image to another major (`PG_TAG=15` → `16`). The engine gives a `.env` this kind only
//! when a Compose file sits in the same directory (a directory listing, not a read);
//! Compose files that the change also touches judge the `.env` themselves, so only the
//! others are read here, and only when a variable changed.

use super::dotenv::EnvFile;
use super::model::Project;
use super::{composed, judged, project_name, upgrades};
use crate::analyze::{classify, FileKind, FileView};
use crate::change::{Content, RepoPath, Side, Snapshot};
use crate::finding::Finding;

/// Whether `path` is a `.env` file, by name.
pub fn is_env_file(path: &RepoPath) -> bool {
    path.file_name() == ".env"
}

/// The Compose files, by name, in `dir` on `side`.
fn compose_files(snapshot: &dyn Snapshot, side: Side, dir: &str) -> Vec<RepoPath> {
    snapshot
        .list_dir(side, dir)
        .into_iter()
        .filter(|p| {
            matches!(
                classify::classify(p, None),
                FileKind::Compose | FileKind::ComposeDeployed
            )
        })
        .collect()
}

/// Whether a Compose file sits beside the `.env` at `path`, on either side.
pub fn beside_compose(snapshot: &dyn Snapshot, path: &RepoPath) -> bool {
    [Side::Head, Side::Base]
        .into_iter()
        .any(|side| !compose_files(snapshot, side, path.dir()).is_empty())
}

pub fn analyze(view: &FileView) -> Vec<Finding> {
    let base = view.old_text().map(EnvFile::read).unwrap_or_default();
    let head = view.new_text().map(EnvFile::read).unwrap_or_default();
    let changed = base.changed_keys(&head);
    if changed.is_empty() {
        return Vec::new();
    }
    // Where a variable is now set, or where it was when the change removes it.
    let at = |key: &str| match (head.line(key), base.line(key)) {
        (Some(line), _) => view.at(Side::Head, line, line),
        (None, Some(line)) => view.at(Side::Base, line, line),
        (None, None) => view.whole(Side::Head),
    };
    let dir = view.path().dir();
    let touched: Vec<&RepoPath> = view.memo.changed_paths().collect();
    let mut out = Vec::new();
    for path in compose_files(view.snapshot, Side::Head, dir) {
        if !judged(path.as_str()) || touched.contains(&&path) {
            continue;
        }
        let Content::Text(text) = view.snapshot.read(Side::Head, &path) else {
            continue;
        };
        // A Compose file that does not parse is not in the change; its own review said so.
        let Some(doc) = crate::yaml::parse_documents(&text)
            .ok()
            .and_then(|d| d.into_iter().next())
        else {
            continue;
        };
        let mut project = Project::read(&doc);
        composed::complete(view, Side::Head, &path, &mut project);
        let mut renamed = false;
        if changed.contains(&project_name::ENV_KEY) && !super::is_stack(&path) {
            let was = project_name::effective(Some(&base), &project, dir);
            let now = project_name::effective(Some(&head), &project, dir);
            renamed = was.is_some() && now.is_some() && was != now;
            out.extend(project_name::check(
                was,
                now,
                &project,
                &project,
                at(project_name::ENV_KEY),
            ));
        }
        let cx = upgrades::Context {
            base_env: Some(&base),
            head_env: Some(&head),
            renamed,
        };
        for upgrade in upgrades::find(&project, &project, &cx) {
            let image = upgrade.service.image.as_deref().unwrap_or_default();
            let key = changed
                .iter()
                .find(|k| image.contains(**k))
                .copied()
                .unwrap_or_default();
            out.push(upgrade.finding(at(key)));
        }
    }
    out
}
