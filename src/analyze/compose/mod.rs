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
mod model;
mod services;
#[cfg(test)]
mod tests;
mod volumes;

use crate::analyze::appdata::scope::Scope;
use crate::analyze::{read_sides, FileView, Unparseable};
use crate::change::Side;
use crate::finding::{Finding, RuleId, Severity, Tag};
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
    &UNPARSEABLE,
];

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
    let base_project = base.as_ref().map(Project::read);
    let head_project = head.as_ref().map(Project::read);
    if let Some(before) = &base_project {
        let name = view.path_on(Side::Base).file_name().to_ascii_lowercase();
        let swarm = name.contains("stack")
            || before.swarm
            || head_project.as_ref().is_some_and(|p| p.swarm);
        if let Some(after) = &head_project {
            volumes::check(view, before, after, &mut findings);
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
