use super::analyze;
use crate::analyze::files::testkit::{ids, Case};
use crate::analyze::FileKind;
use crate::change::Side;
use crate::finding::{Finding, Severity};

const PG: &str = r#"job "postgres" {
  datacenters = ["dc1"]

  group "db" {
    count = 1

    volume "pgdata" {
      type      = "host"
      source    = "pgdata"
      read_only = false
    }

    ephemeral_disk {
      sticky  = true
      migrate = true
    }

    task "postgres" {
      driver = "docker"
      volume_mount {
        volume      = "pgdata"
        destination = "/var/lib/postgresql/data"
      }
      config {
        image = "postgres:16"
      }
    }
  }
}
"#;

const WEB: &str = r#"job "web" {
  group "web" {
    count = 3
    task "web" {
      driver = "docker"
      config {
        image = "ghcr.io/acme/web:1.2.0"
      }
    }
  }
  group "worker" {
    task "worker" {
      driver = "exec"
      config {
        command = "/bin/sh"
        args    = ["-c", "bin/worker"]
      }
    }
  }
}
"#;

fn run(base: &str, head: &str) -> Vec<Finding> {
    Case::modified("nomad/jobs/pg.nomad.hcl", base, head)
        .with_kind(FileKind::Nomad)
        .run(analyze)
}

fn found(f: &[Finding]) -> Vec<(&str, Severity)> {
    f.iter().map(|f| (f.rule.0, f.severity)).collect()
}

#[test]
fn a_deleted_or_renamed_job_is_removed_high_when_it_keeps_data() {
    let f = Case::deleted("nomad/pg.nomad", PG)
        .with_kind(FileKind::Nomad)
        .run(analyze);
    assert_eq!(found(&f), [("nomad/job-removed", Severity::High)]);
    let f = Case::deleted("nomad/web.nomad", WEB)
        .with_kind(FileKind::Nomad)
        .run(analyze);
    assert_eq!(found(&f), [("nomad/job-removed", Severity::Medium)]);
    let f = run(PG, &PG.replace("job \"postgres\"", "job \"postgres-16\""));
    assert_eq!(found(&f), [("nomad/job-removed", Severity::High)]);
    assert_eq!(f[0].location.side, Side::Base);
}

#[test]
fn a_removed_group_is_reported_and_a_scaled_group_is_only_at_zero() {
    let without_worker = WEB
        .split("  group \"worker\"")
        .next()
        .unwrap_or("")
        .to_owned()
        + "}\n";
    let f = run(WEB, &without_worker);
    assert_eq!(found(&f), [("nomad/group-removed", Severity::Medium)]);
    assert!(run(WEB, &WEB.replace("count = 3", "count = 5")).is_empty());
    let f = run(PG, &PG.replace("count = 1", "count = 0"));
    assert_eq!(found(&f), [("nomad/scaled-to-zero", Severity::Medium)]);
}

#[test]
fn a_volume_removed_or_repointed_is_high_and_a_read_only_one_is_quiet() {
    let block = "    volume \"pgdata\" {\n      type      = \"host\"\n      source    = \"pgdata\"\n      read_only = false\n    }\n";
    let f = run(PG, &PG.replace(block, ""));
    assert_eq!(found(&f), [("nomad/volume-removed", Severity::High)]);
    let f = run(
        PG,
        &PG.replace("source    = \"pgdata\"", "source    = \"pgdata2\""),
    );
    assert_eq!(found(&f), [("nomad/volume-removed", Severity::High)]);
    let ro = PG.replace("read_only = false", "read_only = true");
    assert!(run(&ro, &ro.replace(&block.replace("false", "true"), "")).is_empty());
}

#[test]
fn a_sticky_disk_turned_off_is_reported_and_turned_on_is_not() {
    let f = run(PG, &PG.replace("sticky  = true", "sticky  = false"));
    assert_eq!(
        found(&f),
        [("nomad/ephemeral-disk-unpinned", Severity::High)]
    );
    assert!(run(&PG.replace("sticky  = true", "sticky  = false"), PG).is_empty());
}

#[test]
fn a_task_newly_running_a_destructive_command_is_reported() {
    let f = run(
        WEB,
        &WEB.replace("bin/worker", "psql -h db -c 'DROP TABLE sessions'"),
    );
    assert_eq!(ids(&f), ["shell/database-drop"]);
    assert!(run(WEB, &WEB.replace("bin/worker", "bin/worker --fast")).is_empty());
}

#[test]
fn an_unparseable_side_needs_a_human_and_cosmetic_edits_are_quiet() {
    let f = run(PG, &PG.replace("group \"db\" {", "group \"db\" {{"));
    assert_eq!(found(&f), [("nomad/unparseable", Severity::Medium)]);
    assert!(run(PG, &format!("# the database\n{PG}")).is_empty());
    assert!(run(PG, &PG.replace("postgres:16", "postgres:16.3")).is_empty());
    let test = Case::deleted("test/jobs/pg.nomad.hcl", PG).with_kind(FileKind::Nomad);
    assert!(test.run(analyze).is_empty());
}

#[test]
fn a_job_is_told_by_a_top_level_job_block() {
    assert!(super::is_job(PG));
    assert!(!super::is_job("terraform {\n  source = \"x\"\n}\n"));
}

fn postgres_job(image: &str, mount: bool) -> String {
    let mount = if mount {
        "      volume_mount {\n        volume      = \"data\"\n        destination = \"/var/lib/postgresql/data\"\n      }\n"
    } else {
        ""
    };
    format!(
        "job \"pg\" {{\n  group \"db\" {{\n    volume \"data\" {{\n      type   = \"host\"\n      source = \"pg\"\n    }}\n    task \"postgres\" {{\n      driver = \"docker\"\n      config {{\n        image = \"{image}\"\n      }}\n{mount}    }}\n  }}\n}}\n"
    )
}

#[test]
fn a_database_task_moved_to_another_major_over_its_volume_is_a_medium_prompt() {
    let f = Case::modified(
        "jobs/pg.nomad",
        &postgres_job("postgres:15", true),
        &postgres_job("postgres:16", true),
    )
    .with_kind(FileKind::Nomad)
    .run(analyze);
    assert_eq!(ids(&f), ["nomad/database-major-upgrade"]);
    assert_eq!(
        (f[0].severity, f[0].location.line),
        (Severity::Medium, Some(10))
    );
}

#[test]
fn a_minor_or_a_task_that_mounts_no_volume_is_no_major_upgrade() {
    let run = |a: &str, b: &str, mount: bool| {
        Case::modified(
            "jobs/pg.nomad",
            &postgres_job(a, mount),
            &postgres_job(b, mount),
        )
        .with_kind(FileKind::Nomad)
        .run(analyze)
    };
    assert!(run("postgres:15.4", "postgres:15.6", true).is_empty());
    assert!(run("postgres:15", "postgres:16", false).is_empty());
    assert!(run("redis:6.2", "redis:7.2", true).is_empty());
}
