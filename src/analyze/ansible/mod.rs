//! ansible: tasks that delete state. A playbook or role task that runs a module for a
//! database, bucket, volume, instance, cluster object or user with `state: absent`, or the
//! `file` module removing a path outside the temporary directories, deletes what it names on
//! the next run. Only tasks the head adds are reported: a task whose module and arguments
//! occur more often at head than at base is new; moving or re-indenting one is quiet.
//!
//! Tasks are found wherever they nest (plays, `tasks`, `pre_tasks`, `handlers`, `block`,
//! `rescue`, `always`) by looking for a mapping key that names a known module.

use super::{fresh, unparseable_finding, FileView, Unparseable};
use crate::change::Side;
use crate::finding::{Finding, RuleId, Severity, Tag};
use crate::rules::Rule;
use crate::yaml::{self, Node};

pub const STATE_ABSENT: Rule = Rule {
    id: RuleId("ansible/state-absent"),
    severity: Severity::High,
    tags: &[Tag::Destructive, Tag::Infra],
    summary: "An Ansible task deletes a stateful resource (`state: absent` on a database, bucket, volume, instance, cluster object, user or data path).",
    why: "Ansible modules converge on the declared state: `state: absent` deletes the database, bucket, volume or directory on the next run, on every host the play targets. Critical for databases, buckets and volumes.",
    example: "- name: drop the old database\n  community.postgresql.postgresql_db:\n    name: orders\n    state: absent",
    safer: "Back the data up in an earlier task, limit the play to the intended host (`--limit`), and run it once by hand with `--check --diff` before it lands in a playbook.",
};

pub const UNPARSEABLE: Rule = Rule {
    id: RuleId("ansible/unparseable"),
    severity: Severity::High,
    tags: &[Tag::Infra],
    summary: "An Ansible playbook or task file could not be parsed, so what it deletes is unknown.",
    why: "twokey fails closed: a playbook it cannot read might delete anything.",
    example: "- name: x\n  file: {path: /data, state: absent",
    safer: "Fix the YAML (`ansible-playbook --syntax-check`) and push again.",
};

pub const RULES: &[&Rule] = &[&STATE_ABSENT, &UNPARSEABLE];

/// Modules whose `state: absent` destroys data, by short name (the last part of a fully
/// qualified collection name), with the severity of doing so.
const MODULES: &[(&str, Severity)] = &[
    ("postgresql_db", Severity::Critical),
    ("postgresql_schema", Severity::Critical),
    ("postgresql_table", Severity::Critical),
    ("mysql_db", Severity::Critical),
    ("mongodb_database", Severity::Critical),
    ("s3_bucket", Severity::Critical),
    ("rds_instance", Severity::Critical),
    ("rds_cluster", Severity::Critical),
    ("dynamodb_table", Severity::Critical),
    ("ec2_vol", Severity::Critical),
    ("efs", Severity::Critical),
    ("gcp_sql_instance", Severity::Critical),
    ("gcp_sql_database", Severity::Critical),
    ("gcp_storage_bucket", Severity::Critical),
    ("gcp_compute_disk", Severity::Critical),
    ("azure_rm_storageaccount", Severity::Critical),
    ("azure_rm_postgresqlserver", Severity::Critical),
    ("azure_rm_mysqlserver", Severity::Critical),
    ("azure_rm_sqldatabase", Severity::Critical),
    ("azure_rm_manageddisk", Severity::Critical),
    ("azure_rm_resourcegroup", Severity::Critical),
    ("docker_volume", Severity::Critical),
    ("lvol", Severity::Critical),
    ("zfs", Severity::Critical),
    ("ec2_instance", Severity::High),
    ("gcp_compute_instance", Severity::High),
    ("azure_rm_virtualmachine", Severity::High),
    ("k8s", Severity::High),
    ("helm", Severity::High),
    ("user", Severity::Medium),
];

/// Paths whose removal is routine.
const SCRATCH: &[&str] = &["/tmp/", "/var/tmp/", "/var/cache/", "/run/"];

fn short(module: &str) -> &str {
    module.rsplit('.').next().unwrap_or(module)
}

/// A task's arguments: a mapping, or the free-form `key=value …` string.
fn argument(args: &Node, key: &str) -> Option<String> {
    if let Some(value) = args.get(key).and_then(Node::as_str) {
        return Some(value.to_owned());
    }
    let text = args.as_str()?;
    text.split_whitespace()
        .find_map(|kv| kv.strip_prefix(key)?.strip_prefix('='))
        .map(|v| v.trim_matches(|c| c == '"' || c == '\'').to_owned())
}

/// A destructive task found in one side: its identity (for counting) and what to report.
struct Deletion {
    key: String,
    line: u32,
    severity: Severity,
    what: String,
}

fn deletion(module: &str, args: &Node, line: u32) -> Option<Deletion> {
    if argument(args, "state").as_deref() != Some("absent") {
        return None;
    }
    let name = short(module);
    let target = [
        "name",
        "path",
        "dest",
        "bucket",
        "db",
        "id",
        "instance_ids",
        "src",
    ]
    .iter()
    .find_map(|k| argument(args, k))
    .unwrap_or_default();
    let severity = if name == "file" {
        if target.is_empty()
            || SCRATCH.iter().any(|s| target.starts_with(s))
            || target.contains("{{") && target.contains("tmp")
        {
            return None;
        }
        Severity::High
    } else {
        MODULES.iter().find(|(m, _)| *m == name)?.1
    };
    let what = if target.is_empty() {
        format!("a `{module}` task with `state: absent`")
    } else {
        format!("`{module}` with `state: absent` on `{target}`")
    };
    Some(Deletion {
        key: format!("{name}\u{0}{target}"),
        line,
        severity,
        what,
    })
}

fn collect(node: &Node, out: &mut Vec<Deletion>) {
    match &node.value {
        yaml::Value::Seq(items) => items.iter().for_each(|i| collect(i, out)),
        yaml::Value::Map(entries) => {
            for (key, value) in entries {
                if let Some(found) = deletion(key, value, value.line) {
                    out.push(found);
                } else {
                    collect(value, out);
                }
            }
        }
        yaml::Value::Tagged(_, inner) => collect(inner, out),
        _ => {}
    }
}

pub fn analyze(view: &FileView) -> Vec<Finding> {
    let mut failures = Vec::new();
    let mut load = |side: Side, text: Option<&str>| -> Vec<Deletion> {
        let Some(text) = text else {
            return Vec::new();
        };
        match yaml::parse_documents(text) {
            Ok(docs) => {
                let mut found = Vec::new();
                docs.iter().for_each(|d| collect(d, &mut found));
                found
            }
            Err(e) => {
                failures.push(Unparseable {
                    side,
                    line: Some(e.line.max(1)),
                    reason: e.message,
                });
                Vec::new()
            }
        }
    };
    let base = load(Side::Base, view.old_text());
    let head = load(Side::Head, view.new_text());
    if let Some(f) = failures.iter().find(|f| f.side == Side::Head) {
        // A base that does not parse counts as empty (every deletion at head is new); a head
        // that does not parse cannot be judged at all.
        return vec![unparseable_finding(&UNPARSEABLE, view, f)];
    }
    let new = fresh::new_copies(
        view.hunks(),
        base.iter().map(|d| d.key.as_str()),
        head.iter().map(|d| (d.key.as_str(), d.line)),
    );
    new.into_iter()
        .map(|i| &head[i])
        .map(|d| {
            Finding::new(
                &STATE_ABSENT,
                view.at(Side::Head, d.line, d.line),
                format!(
                    "A task now runs {}: the next run deletes it on every host the play targets.",
                    d.what
                ),
            )
            .with_severity(d.severity)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analyze::files::testkit::{ids, Case};

    const PATH: &str = "playbooks/db.yml";

    fn run(base: &str, head: &str) -> Vec<Finding> {
        Case::modified(PATH, base, head).run(analyze)
    }

    const PLAY: &str = "\
- hosts: db
  tasks:
    - name: create the database
      community.postgresql.postgresql_db:
        name: orders
        state: present
";

    #[test]
    fn a_database_set_to_absent_is_critical_at_the_module_line() {
        let f = run(PLAY, &PLAY.replace("state: present", "state: absent"));
        assert_eq!(ids(&f), ["ansible/state-absent"]);
        assert_eq!(f[0].severity, Severity::Critical);
        assert_eq!(f[0].location.line, Some(5));
        assert!(f[0].message.contains("`orders`"), "{}", f[0].message);
    }

    #[test]
    fn free_form_arguments_and_nested_blocks_are_read() {
        let head =
            "- hosts: all\n  tasks:\n    - block:\n        - file: path=/srv/data state=absent\n";
        let f = Case::added(PATH, head).run(analyze);
        assert_eq!(ids(&f), ["ansible/state-absent"]);
        assert_eq!(f[0].severity, Severity::High);
        assert!(f[0].message.contains("/srv/data"), "{}", f[0].message);
    }

    #[test]
    fn scratch_paths_present_states_and_unknown_modules_are_quiet() {
        let head = "- hosts: all\n  tasks:\n    - file: {path: /tmp/build, state: absent}\n    - apt: {name: nginx, state: absent}\n    - file: {path: /srv/data, state: directory}\n";
        assert!(Case::added(PATH, head).run(analyze).is_empty());
        assert!(run(PLAY, &PLAY.replace("orders", "orders_v2")).is_empty());
    }

    #[test]
    fn a_deletion_already_on_the_base_is_quiet_even_when_moved() {
        let absent = PLAY.replace("state: present", "state: absent");
        let moved = format!("- hosts: other\n  tasks: []\n{absent}");
        assert!(run(&absent, &moved).is_empty());
        // A second copy is new.
        let twice = format!("{absent}    - name: again\n      community.postgresql.postgresql_db:\n        name: orders\n        state: absent\n");
        assert_eq!(ids(&run(&absent, &twice)), ["ansible/state-absent"]);
    }

    #[test]
    fn a_head_that_does_not_parse_needs_a_human() {
        assert_eq!(ids(&run(PLAY, "- hosts: [db")), ["ansible/unparseable"]);
    }

    proptest::proptest! {
        #[test]
        fn arbitrary_playbooks_never_panic(text in "(- |hosts|tasks|file|state|absent|path|=|:| |\\n|/data|[{}]){0,60}") {
            let f = Case::added(PATH, &text).run(analyze);
            proptest::prop_assert!(f.iter().all(|f| f.rule.as_str().starts_with("ansible/")));
        }
    }
}
