//! nomad: HashiCorp Nomad job specifications (`*.nomad`, `*.nomad.hcl`, or a `.hcl` file
//! declaring a `job`). A job file is what `nomad job run` (or Terraform's `nomad_job`, or a
//! GitOps controller) registers, so what it can destroy is what the scheduler stops or
//! starts afresh: a job or group gone (`jobs`), a group's volume or its sticky disk let go
//! (`storage`), and what its tasks run (`commands`). `model` reads the HCL with hcl-edit.
//!
//! Job files under test directories are not judged. A side that does not parse is
//! `nomad/unparseable`. Pure: the texts come from the view.

mod commands;
mod jobs;
mod model;
mod storage;
#[cfg(test)]
mod tests;
mod upgrades;

use crate::analyze::appdata::scope::Scope;
use crate::analyze::{read_sides, FileView, Unparseable};
use crate::change::Side;
use crate::finding::{Finding, RuleId, Severity, Tag};
use crate::rules::Rule;
use model::Job;

const DESTRUCTIVE: &[Tag] = &[Tag::Destructive, Tag::Infra];

pub const JOB_REMOVED: Rule = Rule {
    id: RuleId("nomad/job-removed"),
    severity: Severity::Medium,
    tags: DESTRUCTIVE,
    summary: "A Nomad job is removed or renamed (its file deleted, or its `job` block gone).",
    why: "Whatever registers the repository's jobs (Terraform's `nomad_job`, nomad-pack, a GitOps controller) stops and deregisters a job it no longer finds; a renamed job is a new job, with none of the old one's allocations, sticky disks or history. High when the job keeps data (a volume, a sticky disk, a database), medium otherwise.",
    example: "- job \"postgres\" {\n-   group \"db\" { … }\n- }",
    safer: "Stop a job by hand (`nomad job stop`, without `-purge`) once nothing depends on it, after a backup of its volumes; keep the job's name when moving its file.",
};

pub const GROUP_REMOVED: Rule = Rule {
    id: RuleId("nomad/group-removed"),
    severity: Severity::Medium,
    tags: DESTRUCTIVE,
    summary: "A task group is removed from (or renamed in) a Nomad job.",
    why: "The next `nomad job run` stops every allocation of a group the job no longer declares; a renamed group starts afresh, without the old allocations' sticky disks. High when the group keeps data, medium otherwise.",
    example: "  job \"web\" {\n-   group \"worker\" { … }",
    safer: "Scale the group down first and check nothing needs it; move its data before removing a stateful group.",
};

pub const VOLUME_REMOVED: Rule = Rule {
    id: RuleId("nomad/volume-removed"),
    severity: Severity::High,
    tags: DESTRUCTIVE,
    summary: "A group's host or CSI `volume` (or a Docker task's bind of a data directory) is removed or pointed at another source.",
    why: "The group's tasks keep their data on the volume. Without it, or with another `source`, the next allocation starts on an empty directory inside its allocation, which is lost when the allocation is replaced. High when a database's data is on it, medium otherwise; read-only volumes are not reported.",
    example: "  group \"db\" {\n-   volume \"pgdata\" {\n-     type   = \"host\"\n-     source = \"pgdata\"\n-   }",
    safer: "Keep the volume; to move the data, copy it to the new volume (or snapshot the CSI volume) before switching the source.",
};

pub const EPHEMERAL_DISK_UNPINNED: Rule = Rule {
    id: RuleId("nomad/ephemeral-disk-unpinned"),
    severity: Severity::Medium,
    tags: DESTRUCTIVE,
    summary: "`ephemeral_disk { sticky = true }` or `migrate = true` was turned off or removed.",
    why: "A sticky disk keeps the allocation's `alloc/data` directory across updates, and `migrate` carries it to another node; without them every update starts the tasks on an empty disk. High for a database's group, medium otherwise.",
    example: "    ephemeral_disk {\n-     sticky  = true\n-     migrate = true\n    }",
    safer: "Keep the disk sticky until the data lives on a host or CSI volume; move it there first.",
};

pub const SCALED_TO_ZERO: Rule = Rule {
    id: RuleId("nomad/scaled-to-zero"),
    severity: Severity::Medium,
    tags: DESTRUCTIVE,
    summary: "A Nomad task group's `count` is set to 0.",
    why: "Every allocation of the group stops; what it serves is down until the count is raised again. Volumes keep their data, but sticky ephemeral disks are lost with the allocations.",
    example: "  group \"db\" {\n-   count = 1\n+   count = 0",
    safer: "Stop a group by hand for maintenance (`nomad job scale`), and leave the file describing the running service.",
};

pub const DATABASE_MAJOR_UPGRADE: Rule = Rule {
    id: RuleId("nomad/database-major-upgrade"),
    severity: Severity::Medium,
    tags: &[Tag::Infra],
    summary: "A Nomad task running a database server (postgres, mysql, mariadb, mongo, elasticsearch, …) moves its `config { image }` to another major version while its data stays on the same host or CSI volume, or host directory bind.",
    why: "The data on the volume was written by the old major. PostgreSQL refuses to start on it, so the allocation fails until the data is migrated; MySQL, MariaDB, MongoDB and Elasticsearch convert their files in place, one way, so rolling the job back cannot read them. The same judgement as `kubernetes/database-major-upgrade` and `compose/database-major-upgrade`. Nothing is deleted, so it is not tagged destructive; minor bumps, digests, tasks without a volume and Redis are not reported.",
    example: "    task \"postgres\" {\n      config {\n-       image = \"postgres:15\"\n+       image = \"postgres:16\"",
    safer: "Back the volume up (snapshot a CSI volume), migrate the data the way the server documents (`pg_upgrade`, or a dump restored into a new volume), or keep the old major's tag.",
};

pub const UNPARSEABLE: Rule = Rule {
    id: RuleId("nomad/unparseable"),
    severity: Severity::Medium,
    tags: &[Tag::Infra],
    summary: "A Nomad job file could not be parsed.",
    why: "twokey cannot tell which jobs, groups and volumes a file it cannot read keeps, so it fails closed and asks for a human.",
    example: "+ job \"web\" {{",
    safer: "Fix the syntax (`nomad job validate` reads the file the way Nomad does).",
};

pub const RULES: &[&Rule] = &[
    &JOB_REMOVED,
    &GROUP_REMOVED,
    &VOLUME_REMOVED,
    &EPHEMERAL_DISK_UNPINNED,
    &SCALED_TO_ZERO,
    &DATABASE_MAJOR_UPGRADE,
    &UNPARSEABLE,
];

/// Whether `text` declares a Nomad job: a top-level `job "name" {` line. A line scan, for
/// the classifier (`.hcl` files are Terragrunt's unless they say otherwise).
pub fn is_job(text: &str) -> bool {
    text.lines()
        .any(|l| l.starts_with("job \"") && l.trim_end().ends_with('{'))
}

pub fn analyze(view: &FileView) -> Vec<Finding> {
    if Scope::of_path(view.path().as_str()) == Scope::Test {
        return Vec::new();
    }
    let read = |side: Side,
                text: &str|
     -> Result<(Vec<Job>, Vec<crate::analyze::commands::Script>), Unparseable> {
        let body = hcl_edit::parser::parse_body(text).map_err(|e| Unparseable {
            side,
            line: u32::try_from(e.location().line()).ok(),
            reason: e.message().trim().to_owned(),
        })?;
        let jobs = model::jobs(&body, text);
        let scripts = commands::scripts(&jobs);
        Ok((jobs, scripts))
    };
    let (base, head) = match read_sides(view, &UNPARSEABLE, read) {
        Ok(sides) => sides,
        Err(unparseable) => return unparseable,
    };
    let (base_jobs, base_scripts) = base.unwrap_or_default();
    let mut findings = Vec::new();
    match head {
        Some((head_jobs, head_scripts)) => {
            jobs::check(view, &base_jobs, &head_jobs, &mut findings);
            storage::check(view, &base_jobs, &head_jobs, &mut findings);
            upgrades::check(view, &base_jobs, &head_jobs, &mut findings);
            findings.extend(crate::analyze::commands::analyze_scripts(
                view,
                base_scripts,
                head_scripts,
            ));
        }
        None => jobs::check(view, &base_jobs, &[], &mut findings),
    }
    findings.sort_by_key(|f| (f.location.side == Side::Head, f.location.line));
    findings
}
