//! project_name: the Compose project renamed. Compose names every volume a file declares
//! without `name:` (and without `external`) `<project>_<key>`, so a new project name means
//! new, empty volumes at the next `up`: the services start on empty data directories while
//! the data waits, invisible, in the old project's volumes. The project name is, in order,
//! `COMPOSE_PROJECT_NAME` (from the `.env` beside the file), the top-level `name:`, or the
//! file's directory; `-p` on a command line is not in the change. A file at the root of the
//! repository is named after the directory it is checked out in, which twokey cannot know,
//! so giving it a `name:` for the first time is not judged. Swarm stacks are named on the
//! command line (`docker stack deploy -c file NAME`) and are not judged either.

use super::dotenv::EnvFile;
use super::interpolate;
use super::model::{Identity, Project, Source, VolumeName};
use super::PROJECT_RENAMED;
use crate::finding::{Finding, Location, Severity};

/// A project name as Compose normalises it: lower case, only letters, digits, `-` and `_`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct ProjectName(String);

impl ProjectName {
    fn normalised(raw: &str) -> Option<ProjectName> {
        let name: String = raw
            .to_ascii_lowercase()
            .chars()
            .filter(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_'))
            .collect();
        (!name.is_empty()).then_some(ProjectName(name))
    }
}

pub(super) const ENV_KEY: &str = "COMPOSE_PROJECT_NAME";

/// The project name of a file in `dir` on one side, or `None` when it cannot be known (an
/// unresolved variable, the root of the repository).
pub(super) fn effective(
    env: Option<&EnvFile>,
    project: &Project,
    dir: &str,
) -> Option<ProjectName> {
    if let Some(name) = env.and_then(|e| e.get(ENV_KEY)).filter(|n| !n.is_empty()) {
        return ProjectName::normalised(name);
    }
    if let Some((name, _)) = &project.name {
        return ProjectName::normalised(&interpolate::resolve(name, env)?);
    }
    let base = dir.rsplit('/').next().filter(|d| !d.is_empty())?;
    ProjectName::normalised(base)
}

/// The finding for a project whose name changes from `was` to `now`, when a service keeps
/// data in a volume that the project names; `at` is where the change is (the `name:` line,
/// the `.env` line).
pub(super) fn check(
    was: Option<ProjectName>,
    now: Option<ProjectName>,
    base: &Project,
    head: &Project,
    at: Location,
) -> Option<Finding> {
    let (Some(was), Some(now)) = (was, now) else {
        return None;
    };
    if was == now {
        return None;
    }
    let mut affected: Vec<String> = Vec::new();
    let mut database = false;
    for service in &head.services {
        let Some(before) = base.service(&service.name) else {
            continue;
        };
        for mount in service.mounts.iter().filter(|m| !m.read_only) {
            let Source::Named(key) = &mount.source else {
                continue;
            };
            let in_project = Identity::Volume(VolumeName::InProject(key.clone()));
            // Only volumes kept under the same key: another key is `data-volume-replaced`.
            let kept = before
                .mount_at(&mount.target)
                .and_then(|m| base.identity(&m.source))
                .is_some_and(|i| i == in_project);
            if head.identity(&mount.source) != Some(in_project) || !kept {
                continue;
            }
            let store = service.holds_data(&mount.target);
            database |= store.is_some();
            let what = match store {
                Some(s) => format!("`{}` ({} data of `{}`)", key, s.name, service.name),
                None => format!("`{}` (of `{}`)", key, service.name),
            };
            if !affected.contains(&what) {
                affected.push(what);
            }
        }
    }
    if affected.is_empty() {
        return None;
    }
    let severity = if database {
        Severity::High
    } else {
        Severity::Medium
    };
    Some(
        Finding::new(
            &PROJECT_RENAMED,
            at,
            format!(
                "The Compose project is renamed from `{}` to `{}`, and with it every volume that has no `name:` of its own: {} become `{}_…` volumes, new and empty at the next `up`, while the data stays in the `{}_…` ones, mounted by nothing. Keep the project name, or pin each volume with `name: {}_<key>` before renaming.",
                was.0,
                now.0,
                affected.join(", "),
                now.0,
                was.0,
                was.0
            ),
        )
        .with_severity(severity),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_project_name_comes_from_the_env_file_then_the_name_key_then_the_directory() {
        let doc =
            |text: &str| Project::read(&crate::yaml::parse_documents(text).unwrap().remove(0));
        let named = doc("name: ${APP:-Shop}\nservices: {}\n");
        let unnamed = doc("services: {}\n");
        let env = EnvFile::read("COMPOSE_PROJECT_NAME=shop_v2\n");
        let name = |e: Option<&EnvFile>, p: &Project, d: &str| effective(e, p, d).map(|n| n.0);
        assert_eq!(
            name(Some(&env), &named, "deploy/x").as_deref(),
            Some("shop_v2")
        );
        assert_eq!(name(None, &named, "deploy/x").as_deref(), Some("shop"));
        assert_eq!(
            name(None, &unnamed, "deploy/My.App").as_deref(),
            Some("myapp")
        );
        assert_eq!(name(None, &unnamed, ""), None);
        assert_eq!(name(None, &doc("name: ${APP}\nservices: {}\n"), "x"), None);
    }
}
