//! composed: what a Compose file's services get from other files. `extends:` copies a
//! service's keys (its mounts among them) from another service, in this file or another, and
//! `include:` adds another file's services and volumes to the project. A database whose
//! volumes move into such a file keeps them; comparing the file alone would read that as
//! the volumes dropped. The other files are read from the same side of the snapshot (the
//! change or, when the change does not touch them, the tree), only when a service extends a
//! file or the project includes one. Relative host paths in them are relative to their own
//! directory, as Compose resolves them, so a bind that moves with its service into
//! `db/compose.yaml` is `./db/pgdata`. A file that is absent, remote or unreadable adds
//! nothing, so what it would have kept is still reported.

use super::model::{Project, Service, Source};
use crate::analyze::FileView;
use crate::change::{RepoPath, Side};

/// Files followed through `extends` and `include`, at most: a loop of includes ends here.
const DEPTH: usize = 4;

/// Completes `project`, read from the file at `path` on `side`, with what it extends and
/// includes, and writes its relative host paths from the file's directory.
pub(super) fn complete(view: &FileView, side: Side, path: &RepoPath, project: &mut Project) {
    let dir = path.dir().to_owned();
    complete_at(view, side, &dir, "", project, DEPTH);
}

/// `dir` is the file's directory in the repository; `rel` the same directory relative to the
/// directory of the file under review (where Compose resolves the project's paths).
fn complete_at(
    view: &FileView,
    side: Side,
    dir: &str,
    rel: &str,
    project: &mut Project,
    depth: usize,
) {
    for service in &mut project.services {
        for mount in &mut service.mounts {
            if let Source::Host(host) = &mut mount.source {
                *host = rebase(host, rel);
            }
        }
    }
    if depth == 0 {
        return;
    }
    let extended: Vec<Option<Service>> = project
        .services
        .iter()
        .map(|s| {
            let extends = s.extends.as_ref()?;
            match &extends.file {
                None => (extends.service != s.name)
                    .then(|| project.service(&extends.service).cloned())
                    .flatten(),
                Some(file) => {
                    let mut other = read(view, side, dir, rel, file, depth)?;
                    let index = other
                        .services
                        .iter()
                        .position(|o| o.name == extends.service)?;
                    Some(other.services.swap_remove(index))
                }
            }
        })
        .collect();
    for (service, from) in project.services.iter_mut().zip(extended) {
        if let Some(from) = from {
            inherit(service, from);
        }
    }
    for include in project.includes.clone() {
        let Some(other) = read(view, side, dir, rel, &include, depth) else {
            continue;
        };
        for service in other.services {
            if project.service(&service.name).is_none() {
                project.services.push(service);
            }
        }
        for volume in other.volumes {
            if project.volume(&volume.key).is_none() {
                project.volumes.push(volume);
            }
        }
    }
}

/// The keys `service` takes from the one it extends: mounts at targets it does not mount
/// itself, and the image when it names none.
fn inherit(service: &mut Service, from: Service) {
    for mount in from.mounts {
        if service.mount_at(&mount.target).is_none() {
            service.mounts.push(mount);
        }
    }
    if service.image.is_none() {
        service.image = from.image;
    }
}

/// Another Compose file named by `extends.file` or `include`, relative to `dir`, read and
/// completed in turn; `None` when it is remote, absent or does not parse.
fn read(
    view: &FileView,
    side: Side,
    dir: &str,
    rel: &str,
    file: &str,
    depth: usize,
) -> Option<Project> {
    if file.contains("://") || file.contains('$') || file.starts_with('/') {
        return None;
    }
    let path = join(dir, file)?;
    let text = view.snapshot.read(side, &RepoPath::new(path.clone()));
    let doc = crate::yaml::parse_documents(text.text()?)
        .ok()?
        .into_iter()
        .next()?;
    let mut other = Project::read(&doc);
    let file_dir = path.rsplit_once('/').map_or("", |(d, _)| d);
    let file_rel = parent(file).map_or_else(|| rel.to_owned(), |p| format!("{rel}/{p}"));
    complete_at(view, side, file_dir, &file_rel, &mut other, depth - 1);
    Some(other)
}

fn parent(file: &str) -> Option<&str> {
    file.rsplit_once('/').map(|(d, _)| d)
}

/// `rel` joined to `dir`, with `.` and `..` resolved; `None` when it leaves the repository.
fn join(dir: &str, rel: &str) -> Option<String> {
    let mut parts: Vec<&str> = dir.split('/').filter(|p| !p.is_empty()).collect();
    for part in rel.split('/') {
        match part {
            "" | "." => {}
            ".." => {
                parts.pop()?;
            }
            p => parts.push(p),
        }
    }
    Some(parts.join("/"))
}

/// A relative host path (`./pgdata`, `../data`) written in a file whose directory is `rel`
/// from the file under review, as a path from the latter's directory (`./db/pgdata`).
/// Absolute paths, `~` and variables are left as written.
fn rebase(host: &str, rel: &str) -> String {
    let relative = host == "." || host == ".." || host.starts_with("./") || host.starts_with("../");
    if !relative {
        return host.to_owned();
    }
    let mut parts: Vec<&str> = Vec::new();
    for part in rel.split('/').chain(host.split('/')) {
        match part {
            "" | "." => {}
            ".." if parts.last().is_some_and(|p| *p != "..") => {
                parts.pop();
            }
            p => parts.push(p),
        }
    }
    if parts.first() == Some(&"..") {
        parts.join("/")
    } else {
        format!("./{}", parts.join("/"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn relative_host_paths_are_rebased_on_the_including_files_directory() {
        assert_eq!(rebase("./pgdata", ""), "./pgdata");
        assert_eq!(rebase("./pgdata/", ""), "./pgdata");
        assert_eq!(rebase("./pgdata", "db"), "./db/pgdata");
        assert_eq!(rebase("../data", "db"), "./data");
        assert_eq!(rebase("../data", ""), "../data");
        assert_eq!(rebase("/srv/pg", "db"), "/srv/pg");
        assert_eq!(rebase("${PG_DIR}", "db"), "${PG_DIR}");
        assert_eq!(
            join("deploy/app", "../common/db.yaml").as_deref(),
            Some("deploy/common/db.yaml")
        );
        assert_eq!(join("", "../x.yml"), None);
    }
}
