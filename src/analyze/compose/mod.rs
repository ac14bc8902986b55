//! compose: Docker Compose files and Swarm stack files (`docker-compose.yml`, `compose.yaml`,
//! `docker-stack.yml`). A Compose file says which containers run and where their data lives,
//! so what it can destroy is a database's data: its volume dropped, renamed, swapped for a
//! throwaway mount or adopted from `external` (`volumes`), its service removed, stopped or
//! moved to another node (`services`), and what its services run when they start
//! (`commands`). `model` reads the YAML tree; the three checks compare the sides.
//!
//! Development and test files (`docker-compose.override.yml`, `compose.dev.yaml`,
//! `compose.test.yml`, `docker-compose.ci.yml`, anything under `tests/` or `examples/`) hold
//! throwaway data and are not judged. Both sides are parsed; a side that does not parse is
//! `compose/unparseable`. Pure: the texts come from the view.

mod commands;
mod composed;
mod dotenv;
pub mod env_file;
mod interpolate;
mod model;
mod project_name;
mod services;
#[cfg(test)]
mod tests;
mod upgrades;
mod volumes;

use crate::analyze::appdata::scope::Scope;
use crate::analyze::{read_sides, FileView, Unparseable};
use crate::change::{Content, RepoPath, Side};
use crate::finding::{Finding, Location, RuleId, Severity, Tag};
use crate::rules::Rule;
use crate::yaml::{Node, Value};
use model::Project;

const DESTRUCTIVE: &[Tag] = &[Tag::Destructive];

pub const DATA_VOLUME_REMOVED: Rule = Rule {
    id: RuleId("compose/data-volume-removed"),
    severity: Severity::High,
    tags: DESTRUCTIVE,
    summary: "A service's data volume (or host directory) is no longer mounted, or is swapped for a tmpfs or anonymous volume.",
    why: "Compose mounts only what the file names. A database whose data volume is dropped starts on an empty data directory at the next `up` or `stack deploy`, writes to a container layer or an anonymous volume that goes with the container, and the old volume waits, unmounted, for the next `docker volume prune`. High for a database's data path, medium for another named volume.",
    example: "  db:\n    image: postgres:16\n-   volumes:\n-     - pgdata:/var/lib/postgresql/data",
    safer: "Keep the volume mounted; to retire the data, take a backup (`pg_dump`, `mysqldump`) and remove the volume in a change of its own.",
};

pub const DATA_VOLUME_REPLACED: Rule = Rule {
    id: RuleId("compose/data-volume-replaced"),
    severity: Severity::High,
    tags: DESTRUCTIVE,
    summary: "A service's data path now mounts a different volume or host directory (a volume key or `name:` renamed, a named volume swapped for a bind mount).",
    why: "Renaming a volume's key without `name:` makes Compose create `<project>_<new key>`, a new, empty volume; changing `name:` or the host path does the same. The database starts empty and the data stays behind in the old source.",
    example: "-     - pgdata:/var/lib/postgresql/data\n+     - postgres_data:/var/lib/postgresql/data",
    safer: "Rename the key but keep the Docker volume with `name: <project>_pgdata`, or copy the data into the new volume before switching.",
};

pub const VOLUME_EXTERNAL_DROPPED: Rule = Rule {
    id: RuleId("compose/volume-external-dropped"),
    severity: Severity::High,
    tags: DESTRUCTIVE,
    summary: "`external: true` was removed from a volume a service keeps data in.",
    why: "An external volume is created and deleted outside Compose. Without the flag Compose owns it: without `name:` it creates a new, empty `<project>_<key>` volume in its place, and `docker compose down -v` deletes it.",
    example: "volumes:\n  pgdata:\n-   external: true",
    safer: "Keep `external: true` on volumes that hold data, and manage their lifecycle by hand.",
};

pub const DATABASE_SERVICE_REMOVED: Rule = Rule {
    id: RuleId("compose/database-service-removed"),
    severity: Severity::Medium,
    tags: DESTRUCTIVE,
    summary: "A database service (postgres, mysql, mongo, redis, elasticsearch, minio…) is removed from a Compose or stack file.",
    why: "`docker stack deploy --prune` removes a service the stack file no longer lists, and `docker compose up --remove-orphans` its containers: the database goes down for whatever reads it, and its volume is left unmounted until volumes are pruned. High in a Swarm stack file, medium in a Compose file.",
    example: "services:\n-  postgres:\n-    image: postgres:16",
    safer: "Take a backup and move the data and its readers first; remove the service in its own change, after checking nothing reads it.",
};

pub const DATABASE_SCALED_TO_ZERO: Rule = Rule {
    id: RuleId("compose/database-scaled-to-zero"),
    severity: Severity::Medium,
    tags: DESTRUCTIVE,
    summary: "A database service is scaled to zero (`deploy.replicas: 0`, `scale: 0`).",
    why: "Every container of the database stops; the data stays in its volume, but whatever reads it is down until someone scales it up again.",
    example: "    deploy:\n-     replicas: 1\n+     replicas: 0",
    safer: "Stop a database by hand for maintenance, and leave the file describing the running service.",
};

pub const DATABASE_MOVED: Rule = Rule {
    id: RuleId("compose/database-moved"),
    severity: Severity::Medium,
    tags: DESTRUCTIVE,
    summary: "The placement constraints of a Swarm database service with a data volume changed.",
    why: "A Swarm volume with the local driver lives on the node that ran the task: a database placed on another node starts there on an empty volume of the same name.",
    example: "      placement:\n-       constraints: [node.labels.db == true]\n+       constraints: [node.role == worker]",
    safer: "Keep the database pinned to the node with its data, or copy the data to the new node (or use a shared volume driver) before moving it.",
};

pub const DATABASE_MAJOR_UPGRADE: Rule = Rule {
    id: RuleId("compose/database-major-upgrade"),
    severity: Severity::Medium,
    tags: &[Tag::Infra],
    summary: "A database service's image (postgres, mysql, mariadb, mongo, elasticsearch, …) moves to another major version while its data stays in the same named volume or host directory, in the Compose file or through the `${VAR}` its `.env` sets.",
    why: "The data directory was written by the old major. PostgreSQL refuses to start on it, so the service restarts in a loop after the next `up` until the data is migrated; MySQL, MariaDB, MongoDB and Elasticsearch convert their files in place, one way, so the old image cannot read them after. The same judgement as `kubernetes/database-major-upgrade`, under a `compose/` id so an allow-list can tell a developer's Compose file from a cluster. Nothing is deleted, so it is not tagged destructive; minor bumps, digests, services without a data volume, Redis and development files are not reported.",
    example: "  db:\n-   image: postgres:15-alpine\n+   image: postgres:16-alpine\n    volumes:\n      - pgdata:/var/lib/postgresql/data",
    safer: "Dump the data (`pg_dumpall`, `mysqldump`), start the new major on a new volume and restore into it (or run `pg_upgrade`), then switch; or keep the old major's tag.",
};

pub const PROJECT_RENAMED: Rule = Rule {
    id: RuleId("compose/project-renamed"),
    severity: Severity::High,
    tags: DESTRUCTIVE,
    summary: "The Compose project name changes (top-level `name:`, or `COMPOSE_PROJECT_NAME` in the `.env` beside the file) while a service keeps data in a volume without a `name:` of its own.",
    why: "Compose names such a volume `<project>_<key>`. Under a new project name the next `up` creates new, empty volumes and starts the services on them: a database comes up empty (and its application may initialise a fresh schema into it), while the data sits in the old project's volumes, mounted by nothing, until a `docker volume prune` removes it. It is the same loss as renaming the volume's key (`compose/data-volume-replaced`), for every volume at once, so it ranks the same: high when a database's data path is affected, medium for other volumes. The old data is still there to recover, which is why it is not critical. Adding `name:` equal to the directory name changes nothing and is quiet; a file at the repository's root is named after its checkout directory, which twokey cannot see, so its first `name:` is not judged; Swarm stacks are named on the command line.",
    example: "+name: shop-prod\n services:\n   db:\n     volumes:\n       - pgdata:/var/lib/postgresql/data",
    safer: "Keep the project name; or pin each data volume to its current Docker name first (`volumes: {pgdata: {name: shop_pgdata}}`) and rename the project in a later change.",
};

pub const UNPARSEABLE: Rule = Rule {
    id: RuleId("compose/unparseable"),
    severity: Severity::Medium,
    tags: &[Tag::Infra],
    summary: "A Compose or stack file could not be parsed.",
    why: "twokey cannot tell which volumes and services a file it cannot read keeps, so it fails closed and asks for a human.",
    example: "+ services:\n+   web: [",
    safer: "Fix the syntax (`docker compose config` reads the file the way Compose does).",
};

pub const RULES: &[&Rule] = &[
    &DATA_VOLUME_REMOVED,
    &DATA_VOLUME_REPLACED,
    &VOLUME_EXTERNAL_DROPPED,
    &DATABASE_SERVICE_REMOVED,
    &DATABASE_SCALED_TO_ZERO,
    &DATABASE_MOVED,
    &DATABASE_MAJOR_UPGRADE,
    &PROJECT_RENAMED,
    &UNPARSEABLE,
];

/// Whether a Compose file is a Swarm stack file (`docker-stack.yml`), by name.
fn is_stack(path: &RepoPath) -> bool {
    path.file_name().to_ascii_lowercase().contains("stack")
}

/// Whether a Compose file at `path` is judged: development, CI and test files, and anything
/// under an examples or tests directory, hold throwaway data.
fn judged(path: &str) -> bool {
    let lower = path.to_ascii_lowercase();
    let example_dir = lower.split('/').rev().skip(1).any(|d| {
        matches!(
            d,
            "example" | "examples" | "sample" | "samples" | "demo" | "demos"
        )
    });
    !example_dir && matches!(Scope::of_path(path), Scope::Default | Scope::Prod)
}

pub fn analyze(view: &FileView) -> Vec<Finding> {
    if !judged(view.path().as_str()) {
        return Vec::new();
    }
    let (base, head) = match read_sides(view, &UNPARSEABLE, parse) {
        Ok(sides) => sides,
        Err(unparseable) => return unparseable,
    };
    let mut findings = Vec::new();
    let project = |side: Side, doc: &Node| {
        let mut project = Project::read(doc);
        composed::complete(view, side, view.path_on(side), &mut project);
        project
    };
    let base_project = base.as_ref().map(|doc| project(Side::Base, doc));
    let head_project = head.as_ref().map(|doc| project(Side::Head, doc));
    if let Some(before) = &base_project {
        let stack = is_stack(view.path_on(Side::Base));
        let swarm = stack || before.swarm || head_project.as_ref().is_some_and(|p| p.swarm);
        if let Some(after) = &head_project {
            volumes::check(view, before, after, &mut findings);
            versions(view, before, after, stack, &mut findings);
        }
        // A plain Compose file deleted is as often a project moving to another tool as a
        // database going away; only a deployed file's deletion stops what it ran.
        let deployed = view.kind == crate::analyze::FileKind::ComposeDeployed;
        if head_project.is_some() || deployed {
            services::check(view, before, head_project.as_ref(), swarm, &mut findings);
        }
    }
    if let Some(head) = &head {
        let base_scripts = base.as_ref().map(commands::scripts).unwrap_or_default();
        findings.extend(crate::analyze::commands::analyze_scripts(
            view,
            base_scripts,
            commands::scripts(head),
        ));
    }
    findings.sort_by_key(|f| (f.location.side == Side::Head, f.location.line));
    findings
}

/// The project renamed and database images moved to another major: both read the `.env`
/// beside the file, so it is read here, once a side, and only when the project's `name:`
/// changed, the `.env` is in the change too, or an image interpolates a variable.
fn versions(
    view: &FileView,
    before: &Project,
    after: &Project,
    stack: bool,
    out: &mut Vec<Finding>,
) {
    let env_path = |side: Side| RepoPath::joined(view.path_on(side).dir(), ".env");
    let env_changed = view
        .memo
        .changed_paths()
        .any(|p| *p == env_path(Side::Base) || *p == env_path(Side::Head));
    let name_changed = before.name.as_ref().map(|n| &n.0) != after.name.as_ref().map(|n| &n.0);
    let interpolated = |p: &Project| {
        p.services
            .iter()
            .any(|s| s.image.as_deref().is_some_and(|i| i.contains('$')))
    };
    // `docker stack deploy` reads no `.env`: a stack's variables come from the shell.
    let wanted =
        !stack && (name_changed || env_changed || interpolated(before) || interpolated(after));
    let env = |side: Side| -> Option<dotenv::EnvFile> {
        if !wanted {
            return None;
        }
        match view.snapshot.read(side, &env_path(side)) {
            Content::Text(text) => Some(dotenv::EnvFile::read(&text)),
            _ => None,
        }
    };
    let (base_env, head_env) = (env(Side::Base), env(Side::Head));
    let mut renamed = false;
    if !stack && (name_changed || env_changed) {
        let was =
            project_name::effective(base_env.as_ref(), before, view.path_on(Side::Base).dir());
        let now = project_name::effective(head_env.as_ref(), after, view.path_on(Side::Head).dir());
        renamed = was.is_some() && now.is_some() && was != now;
        // Where the name changed: this file's `name:`, else the `.env` beside it.
        let key = project_name::ENV_KEY;
        let at = match (&after.name, &before.name) {
            (Some((_, line)), _) if name_changed => view.at(Side::Head, *line, *line),
            (None, Some((_, line))) => view.at(Side::Base, *line, *line),
            _ => match (
                head_env.as_ref().and_then(|e| e.line(key)),
                base_env.as_ref().and_then(|e| e.line(key)),
            ) {
                (Some(line), _) => Location::lines(env_path(Side::Head), Side::Head, line, line),
                (None, Some(line)) => Location::lines(env_path(Side::Base), Side::Base, line, line),
                (None, None) => view.whole(Side::Head),
            },
        };
        out.extend(project_name::check(was, now, before, after, at));
    }
    let cx = upgrades::Context {
        base_env: base_env.as_ref(),
        head_env: head_env.as_ref(),
        renamed,
    };
    for upgrade in upgrades::find(before, after, &cx) {
        let line = upgrade.service.image_line;
        out.push(upgrade.finding(view.at(Side::Head, line, line)));
    }
}

/// The first document of a side (Compose reads one); an empty file is an empty project.
fn parse(side: Side, text: &str) -> Result<Node, Unparseable> {
    let docs = crate::yaml::parse_documents(text).map_err(|e| Unparseable {
        side,
        line: Some(e.line),
        reason: e.message,
    })?;
    Ok(docs.into_iter().next().unwrap_or(Node {
        line: 1,
        end_line: 1,
        value: Value::Null,
    }))
}

/// Whether `text` reads as a Compose file: a top-level `services:` mapping. For files whose
/// name only hints at one (`stack.yml`); a line scan, not a parse.
pub fn looks_like_compose(text: &str) -> bool {
    let mut lines = text.lines().skip_while(|l| !l.starts_with("services:"));
    lines.next().is_some_and(|l| l.trim_end() == "services:")
        && lines
            .find(|l| !l.trim().is_empty() && !l.trim_start().starts_with('#'))
            .is_some_and(|l| l.starts_with(' ') && !l.trim_start().starts_with('-'))
}
