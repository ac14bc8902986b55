//! ansible: tasks that delete state. A playbook or role task that runs a module for a
//! database, bucket, volume, instance, cluster object or user with `state: absent`, the
//! `file` module removing a path that holds data, a task whose other arguments destroy (a
//! forced filesystem, a `DROP` in a query), or a role variable marking a database for
//! removal, deletes what it names on the next run. Only what the head adds is reported: a
//! deletion (module, how, target) that occurs more often at head than at base is new; moving
//! or re-indenting one is quiet.
//!
//! `tasks` finds the calls, `catalogue` judges them, `vars` reads role variables; this file
//! compares the sides and words the findings.

mod catalogue;
mod includes;
mod protections;
mod tasks;
mod vars;

use super::{fresh, unparseable_finding, FileView, Unparseable};
use crate::change::Side;
use crate::finding::{Finding, RuleId, Severity, Tag};
use crate::rules::Rule;
use crate::yaml::{self, Node};
use catalogue::Means;

pub const STATE_ABSENT: Rule = Rule {
    id: RuleId("ansible/state-absent"),
    severity: Severity::High,
    tags: &[Tag::Destructive, Tag::Infra],
    summary: "An Ansible task deletes a stateful resource (`state: absent` or `terminated` on a database, bucket, volume, instance, cluster object, user or data path; a role variable marking a database for removal or a `…_state` variable set to `absent`; a deletion that loses its `when:` guard or `never` tag; a teardown file or role newly included).",
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

pub const DESTRUCTIVE_TASK: Rule = Rule {
    id: RuleId("ansible/destructive-task"),
    severity: Severity::High,
    tags: &[Tag::Destructive, Tag::Infra],
    summary: "An Ansible task destroys data through an argument other than `state: absent` (a filesystem forced onto a device, `s3_object mode: delete`, a `DROP` in a query module, a Redis flush, a volume prune, `synchronize` deleting from a data directory, a dump loaded over a database, Redshift `command: delete`, a Mongo drop in `mongodb_shell`).",
    why: "These arguments destroy as surely as `state: absent` but read like settings: `force: true` on `filesystem` formats over existing data, `mode: delete` deletes a bucket with its objects, a query module runs its `DROP` on every run.",
    example: "- name: prepare the data disk\n  community.general.filesystem:\n    dev: /dev/sdb\n    fstype: ext4\n    force: true",
    safer: "Leave `force` off so the module refuses to overwrite existing data; run one-off destructive statements by hand after a backup rather than from a playbook that runs again.",
};

pub const PROTECTION_WEAKENED: Rule = Rule {
    id: RuleId("ansible/protection-weakened"),
    severity: Severity::High,
    tags: &[Tag::Destructive, Tag::Infra],
    summary: "An Ansible task turns off a protection it had on: deletion or termination protection (`rds_instance`, `ec2_instance`, `cloudformation`, `dynamodb_table`, load balancers, GCE instances), RDS automated backups (`backup_retention_period: 0`), S3 versioning.",
    why: "The task converges the resource on the next run: the protection goes, and the next `state: absent`, console click or stray script deletes what it kept. Setting the backup retention to 0 deletes the automated backups at once.",
    example: "- amazon.aws.rds_instance:\n    id: orders\n    deletion_protection: false",
    safer: "Keep the protection on; lift it by hand, in a change of its own, right before a deletion that has been reviewed.",
};

pub const RULES: &[&Rule] = &[
    &STATE_ABSENT,
    &DESTRUCTIVE_TASK,
    &PROTECTION_WEAKENED,
    &UNPARSEABLE,
];

/// A deletion found in one side: its identity (for counting), where it stands, and the task
/// or variable it belongs to (one finding per task, however many loop items it deletes).
struct Deletion {
    key: String,
    line: u32,
    group: usize,
    severity: Severity,
    means: Means,
    /// Runs only when asked (`when:`, `tags: never`): see [`Deletion::keys`].
    guarded: bool,
    /// The task's module, or the variable that lists the target.
    source: Source,
    how: String,
    target: String,
}

/// The key a deletion no longer guarded by a condition has, beside its own.
const OPEN: &str = "\u{0}open";

impl Deletion {
    /// The keys a base deletion counts under: its identity, and when nothing guards it, its
    /// open identity too. A head deletion counts under one of the two, so a guard added or
    /// changed is quiet and a guard removed is a new deletion.
    fn base_keys(&self) -> impl Iterator<Item = String> + '_ {
        std::iter::once(self.key.clone()).chain((!self.guarded).then(|| self.head_key()))
    }

    fn head_key(&self) -> String {
        if self.guarded {
            self.key.clone()
        } else {
            format!("{}{OPEN}", self.key)
        }
    }
}

enum Source {
    Module(String),
    Variable(String),
}

fn collect(doc: &Node, out: &mut Vec<Deletion>) {
    let mut calls = Vec::new();
    tasks::calls(doc, &catalogue::known, &mut calls);
    // A task in check mode reports what it would delete and deletes nothing.
    for call in calls.iter().filter(|c| !c.check_only) {
        let group = out.last().map_or(0, |d| d.group + 1);
        let items: Vec<Option<&Node>> = if call.items.is_empty() {
            vec![None]
        } else {
            call.items.iter().copied().map(Some).collect()
        };
        for item in items {
            let Some(v) = catalogue::judge(&call.module, &call.args, item) else {
                continue;
            };
            let key = format!(
                "{}\u{0}{}\u{0}{}",
                tasks::short(&call.module),
                v.how,
                v.target
            );
            // A literal argument repeats for every loop item: one deletion, not one per item.
            if out.iter().any(|d| d.group == group && d.key == key) {
                continue;
            }
            out.push(Deletion {
                key,
                line: v.line,
                group,
                severity: v.severity,
                means: v.means,
                guarded: call.guarded,
                source: Source::Module(call.module.clone()),
                how: v.how,
                target: v.target,
            });
        }
    }
    let mut marked = Vec::new();
    vars::marked(doc, &mut marked);
    for m in marked {
        let group = out.last().map_or(0, |d| d.group + 1);
        out.push(Deletion {
            key: format!("var\u{0}{}\u{0}{}", m.variable, m.name),
            line: m.line,
            group,
            severity: m.severity,
            means: Means::State,
            guarded: false,
            source: Source::Variable(m.variable),
            how: "`state: absent`".to_owned(),
            target: m.name,
        });
    }
}

/// `a`, `a` and `b`, `a`, `b` and 3 more.
fn listed(targets: &[&str]) -> String {
    let shown: Vec<String> = targets.iter().take(3).map(|t| format!("`{t}`")).collect();
    match (shown.len(), targets.len()) {
        (1, _) => shown[0].clone(),
        (n, total) if total > n => format!("{} and {} more", shown.join(", "), total - n),
        _ => match shown.split_last() {
            Some((last, rest)) => format!("{} and {last}", rest.join(", ")),
            None => String::new(),
        },
    }
}

/// One finding for the new deletions of one task or variable.
fn finding(view: &FileView, new: &[&Deletion], base: &[Deletion]) -> Finding {
    let first = new[0];
    let mut targets: Vec<&str> = Vec::new();
    for d in new {
        if !d.target.is_empty() && !targets.contains(&d.target.as_str()) {
            targets.push(&d.target);
        }
    }
    let severity = new
        .iter()
        .map(|d| d.severity)
        .max()
        .unwrap_or(first.severity);
    let line = new.iter().map(|d| d.line).min().unwrap_or(first.line);
    let them = if targets.len() > 1 { "them" } else { "it" };
    let (rule, message) = match (&first.source, first.means) {
        (Source::Variable(variable), _) => (
            &STATE_ABSENT,
            format!(
                "`{variable}` now marks {} with `state: absent`: the role that reads it deletes {them} on the next run, on every host these variables apply to.",
                listed(&targets)
            ),
        ),
        (Source::Module(module), means) => {
            let on = if targets.is_empty() {
                String::new()
            } else {
                format!(" on {}", listed(&targets))
            };
            let rule = match means {
                Means::State => &STATE_ABSENT,
                Means::Argument => &DESTRUCTIVE_TASK,
            };
            let verb = if means == Means::State { "deletes" } else { "destroys" };
            let them = if targets.is_empty() { "what it names" } else { them };
            // The same deletion stood on the base behind a condition that is now gone.
            let unguarded = !first.guarded
                && base
                    .iter()
                    .any(|b| b.guarded && new.iter().any(|d| d.key == b.key));
            let guard = if unguarded {
                ", no longer behind the `when:` condition or `never` tag that kept it from running"
            } else {
                ""
            };
            (
                rule,
                format!(
                    "A task now runs `{module}`{on} with {}{guard}: the next run {verb} {them} on every host the play targets.",
                    first.how
                ),
            )
        }
    };
    Finding::new(rule, view.at(Side::Head, line, line), message).with_severity(severity)
}

pub fn analyze(view: &FileView) -> Vec<Finding> {
    let mut failures = Vec::new();
    let mut load = |side: Side, text: Option<&str>| -> Vec<Node> {
        let Some(text) = text else {
            return Vec::new();
        };
        yaml::parse_documents(text).unwrap_or_else(|e| {
            failures.push(Unparseable {
                side,
                line: Some(e.line.max(1)),
                reason: e.message,
            });
            Vec::new()
        })
    };
    let base_docs = load(Side::Base, view.old_text());
    let head_docs = load(Side::Head, view.new_text());
    if let Some(f) = failures.iter().find(|f| f.side == Side::Head) {
        // A base that does not parse counts as empty (every deletion at head is new); a head
        // that does not parse cannot be judged at all.
        return vec![unparseable_finding(&UNPARSEABLE, view, f)];
    }
    let deletions = |docs: &[Node]| {
        let mut found = Vec::new();
        docs.iter().for_each(|d| collect(d, &mut found));
        found
    };
    let base = deletions(&base_docs);
    let head = deletions(&head_docs);
    let new = fresh::new_copies(
        view.hunks(),
        base.iter().flat_map(Deletion::base_keys),
        head.iter().map(|d| (d.head_key(), d.line)),
    );
    let mut groups: Vec<Vec<&Deletion>> = Vec::new();
    for d in new.into_iter().map(|i| &head[i]) {
        match groups.last_mut() {
            Some(g) if g[0].group == d.group => g.push(d),
            _ => groups.push(vec![d]),
        }
    }
    let mut findings: Vec<Finding> = groups.iter().map(|g| finding(view, g, &base)).collect();
    findings.extend(
        protections::weakened(&base_docs, &head_docs)
            .into_iter()
            .map(|w| {
                Finding::new(
                    &PROTECTION_WEAKENED,
                    view.at(Side::Head, w.line, w.line),
                    w.message,
                )
            }),
    );
    findings.extend(state_variables(view, &base_docs, &head_docs));
    findings.extend(new_includes(view, &base_docs, &head_docs));
    findings
}

/// `app_db_state: absent` in a role's defaults or vars, or in inventory variables: judged
/// by the role's tasks that pass it as `state`, or by its name when no role is at hand.
fn state_variables(view: &FileView, base: &[Node], head: &[Node]) -> Vec<Finding> {
    let read = |docs: &[Node]| {
        let mut out = Vec::new();
        docs.iter().for_each(|d| vars::states(d, &mut out));
        out
    };
    let before = read(base);
    let mut findings = Vec::new();
    for var in read(head) {
        if before
            .iter()
            .any(|b| b.variable == var.variable && b.value == var.value)
        {
            continue;
        }
        let at = view.at(Side::Head, var.line, var.line);
        let set = format!("`{}` is now `{}`", var.variable, var.value);
        match role_tasks(view) {
            Some(files) => {
                let mut uses = Vec::new();
                for (path, docs) in &files {
                    let mut calls = Vec::new();
                    docs.iter().for_each(|d| tasks::calls(d, &catalogue::known, &mut calls));
                    for call in calls.iter().filter(|c| !c.check_only) {
                        let mut args = call.args.clone();
                        args.set_var(&var.variable, &var.value);
                        if catalogue::judge(&call.module, &call.args, None).is_some() {
                            continue;
                        }
                        if let Some(v) = catalogue::judge(&call.module, &args, None) {
                            uses.push((path.clone(), call.module.clone(), v));
                        }
                    }
                }
                let Some(worst) = uses.iter().max_by_key(|(.., v)| v.severity) else {
                    // The role reads the variable nowhere it would delete: a package, a service.
                    continue;
                };
                let (path, module, v) = worst;
                let rule = match v.means {
                    Means::State => &STATE_ABSENT,
                    Means::Argument => &DESTRUCTIVE_TASK,
                };
                let on = if v.target.is_empty() {
                    String::new()
                } else {
                    format!(" on `{}`", v.target)
                };
                let more = match uses.len() {
                    1 => String::new(),
                    n => format!(" (and {} more tasks)", n - 1),
                };
                findings.push(
                    Finding::new(
                        rule,
                        at,
                        format!(
                            "{set}: `{path}` runs `{module}`{on} with it{more}, so the next run deletes what it names ({}) on every host the role applies to.",
                            v.how
                        ),
                    )
                    .with_severity(v.severity),
                );
            }
            None if vars::names_stateful(&var.variable) => findings.push(Finding::new(
                &STATE_ABSENT,
                at,
                format!(
                    "{set}: a role that passes it as `state:` deletes what it manages on the next run, on every host these variables apply to."
                ),
            )),
            None => {}
        }
    }
    findings
}

/// The task files of the role whose `defaults/` or `vars/` this file is in, parsed from the
/// head; `None` when the file is not a role's or its tasks cannot be listed.
fn role_tasks(view: &FileView) -> Option<Vec<(String, Vec<Node>)>> {
    let path = view.path_on(Side::Head).as_str();
    let parts: Vec<&str> = path.split('/').collect();
    let at = parts
        .windows(3)
        .position(|w| w[0] == "roles" && matches!(w[2], "defaults" | "vars"))?;
    let dir = format!("{}/tasks", parts[..at + 2].join("/"));
    let files: Vec<(String, Vec<Node>)> = view
        .snapshot
        .list_dir(Side::Head, &dir)
        .into_iter()
        .filter(|p| {
            let name = p.file_name();
            name.ends_with(".yml") || name.ends_with(".yaml")
        })
        .filter_map(|p| {
            let content = view.snapshot.read(Side::Head, &p);
            let docs = yaml::parse_documents(content.text()?).ok()?;
            Some((p.as_str().to_owned(), docs))
        })
        .collect();
    (!files.is_empty()).then_some(files)
}

/// An include new at the head of a task file that already existed: its deletions now run
/// from here. A file new in this change is reported by its own analysis.
fn new_includes(view: &FileView, base: &[Node], head: &[Node]) -> Vec<Finding> {
    let dir = view.path_on(Side::Head).dir();
    let found = |docs: &[Node]| {
        let mut out = Vec::new();
        docs.iter()
            .for_each(|d| includes::includes(d, dir, &mut out));
        out
    };
    let before = found(base);
    let mut findings = Vec::new();
    for include in found(head) {
        if before.iter().any(|b| b.what == include.what) {
            continue;
        }
        let existing = include.candidates.iter().find_map(|c| {
            let path = crate::change::RepoPath::new(c.as_str());
            let head = view.snapshot.read(Side::Head, &path);
            let base = view.snapshot.read(Side::Base, &path);
            base.text()?;
            Some((c.clone(), yaml::parse_documents(head.text()?).ok()?))
        });
        let Some((path, docs)) = existing else {
            continue;
        };
        let mut deletions = Vec::new();
        docs.iter().for_each(|d| collect(d, &mut deletions));
        let Some(worst) = deletions.iter().max_by_key(|d| d.severity) else {
            continue;
        };
        let what = match &worst.source {
            Source::Module(m) => format!("runs `{m}`"),
            Source::Variable(v) => format!("sets `{v}`"),
        };
        let on = if worst.target.is_empty() {
            String::new()
        } else {
            format!(" on `{}`", worst.target)
        };
        let more = match deletions.len() {
            1 => String::new(),
            n => format!(" (and {} more deletions)", n - 1),
        };
        let rule = match worst.means {
            Means::State => &STATE_ABSENT,
            Means::Argument => &DESTRUCTIVE_TASK,
        };
        findings.push(
            Finding::new(
                rule,
                view.at(Side::Head, include.line, include.line),
                format!(
                    "This now includes {}, and `{path}` {what}{on} with {}{more}: the next run deletes it on every host the play targets.",
                    if include.what.starts_with("role ") { include.what.clone() } else { format!("`{}`", include.what) },
                    worst.how
                ),
            )
            .with_severity(worst.severity),
        );
    }
    findings
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analyze::files::testkit::{ids, Case};

    const PATH: &str = "playbooks/db.yml";

    fn run(base: &str, head: &str) -> Vec<Finding> {
        Case::modified(PATH, base, head).run(analyze)
    }

    #[test]
    fn targets_are_listed_in_words_whatever_their_number() {
        assert_eq!(listed(&[]), "");
        assert_eq!(listed(&["a"]), "`a`");
        assert_eq!(listed(&["a", "b"]), "`a` and `b`");
        assert_eq!(listed(&["a", "b", "c"]), "`a`, `b` and `c`");
        assert_eq!(
            listed(&["a", "b", "c", "d", "e"]),
            "`a`, `b`, `c` and 2 more"
        );
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
    fn a_database_set_to_absent_is_critical_at_the_state_line() {
        let f = run(PLAY, &PLAY.replace("state: present", "state: absent"));
        assert_eq!(ids(&f), ["ansible/state-absent"]);
        assert_eq!(f[0].severity, Severity::Critical);
        assert_eq!(f[0].location.line, Some(6));
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

    const ROLE: &str = "roles/db/tasks/main.yml";

    /// The findings of a role task file that gains `added` after a ping.
    fn added(added: &str) -> Vec<Finding> {
        let base = "- ansible.builtin.ping:\n";
        Case::modified(ROLE, base, &format!("{base}{added}")).run(analyze)
    }

    fn one(added_text: &str) -> (String, Severity, u32, String) {
        let f = added(added_text);
        assert_eq!(f.len(), 1, "{added_text}: {f:?}");
        let f = &f[0];
        let line = f.location.line.unwrap_or(0);
        (
            f.rule.as_str().to_owned(),
            f.severity,
            line,
            f.message.clone(),
        )
    }

    #[test]
    fn instances_and_databases_set_to_terminated_are_deleted() {
        let (rule, severity, line, message) =
            one("- amazon.aws.ec2_instance:\n    instance_ids: [i-0abc]\n    state: terminated\n");
        assert_eq!(
            (rule.as_str(), severity, line),
            ("ansible/state-absent", Severity::High, 4)
        );
        assert!(
            message.contains("`i-0abc`") && message.contains("`state: terminated`"),
            "{message}"
        );
        let (_, severity, _, message) = one(
            "- amazon.aws.rds_instance:\n    db_instance_identifier: orders\n    state: terminated\n",
        );
        assert_eq!(severity, Severity::Critical);
        assert!(message.contains("`orders`"), "{message}");
        assert!(
            added("- amazon.aws.ec2_instance: {instance_ids: [i-1], state: stopped}\n").is_empty()
        );
    }

    #[test]
    fn whole_stacks_set_absent_are_destroyed() {
        for (call, target) in [
            ("- community.general.terraform: {project_path: infra/prod, state: absent}\n", "`infra/prod`"),
            ("- amazon.aws.cloudformation: {stack_name: prod-network, state: absent}\n", "`prod-network`"),
            ("- azure.azcollection.azure_rm_deployment: {resource_group: rg-prod, name: app, state: absent}\n", "`app`"),
        ] {
            let (rule, severity, _, message) = one(call);
            assert_eq!((rule.as_str(), severity), ("ansible/state-absent", Severity::Critical), "{call}");
            assert!(message.contains(target), "{message}");
        }
        // Applied, not destroyed: quiet.
        assert!(added(
            "- community.general.terraform: {project_path: infra/prod, state: present}\n"
        )
        .is_empty());
        assert!(added(
            "- amazon.aws.cloudformation: {stack_name: prod, state: present, template: x.yml}\n"
        )
        .is_empty());
    }

    #[test]
    fn virtual_machines_and_volumes_of_other_clouds_are_deleted() {
        let cases = [
            (
                "- community.vmware.vmware_guest: {name: db01, state: absent}\n",
                Severity::High,
            ),
            (
                "- community.general.proxmox_kvm: {name: db01, state: absent}\n",
                Severity::High,
            ),
            (
                "- hetzner.hcloud.server: {name: web1, state: absent}\n",
                Severity::High,
            ),
            (
                "- openstack.cloud.volume: {name: pgdata, state: absent}\n",
                Severity::Critical,
            ),
            (
                "- community.general.parted: {device: /dev/sdb, number: 1, state: absent}\n",
                Severity::Critical,
            ),
            (
                "- community.postgresql.postgresql_user: {name: app, state: absent}\n",
                Severity::Medium,
            ),
        ];
        for (task, severity) in cases {
            assert_eq!(one(task).1, severity, "{task}");
        }
        // A short name shared by many collections is judged only when qualified.
        assert!(added("- volume: {name: pgdata, state: absent}\n").is_empty());
    }

    #[test]
    fn data_directories_are_critical_and_configuration_files_are_routine() {
        assert_eq!(
            one("- file: path=/var/lib/mysql state=absent\n").1,
            Severity::Critical
        );
        let variable = "- file:\n    path: \"{{ postgresql_data_dir }}\"\n    state: absent\n";
        assert_eq!(one(variable).1, Severity::Critical);
        assert_eq!(
            one("- file: {path: /etc/kubernetes/pki, state: absent}\n").1,
            Severity::High
        );
        for quiet in [
            "- file: {path: /etc/nginx/sites-enabled/default, state: absent}\n",
            "- file: {path: /etc/apt/sources.list.d/old.list, state: absent}\n",
            "- file: {path: /etc/systemd/system/kubelet.service, state: absent}\n",
            "- file: {path: /usr/local/bin/kubectl, state: absent}\n",
        ] {
            assert!(added(quiet).is_empty(), "{quiet}");
        }
    }

    #[test]
    fn loop_items_are_judged_one_by_one_and_reported_once_per_task() {
        let scratch = "- file:\n    path: \"{{ item }}\"\n    state: absent\n  loop:\n    - /tmp/a.tgz\n    - /etc/nginx/conf.d/old.conf\n";
        assert!(added(scratch).is_empty());
        let data = "- file:\n    path: \"{{ item }}\"\n    state: absent\n  with_items:\n    - /tmp/a\n    - /var/lib/etcd\n    - /srv/uploads\n";
        let (_, severity, line, message) = one(data);
        assert_eq!((severity, line), (Severity::Critical, 7));
        assert!(
            message.contains("on `/var/lib/etcd` and `/srv/uploads`"),
            "{message}"
        );
        assert!(!message.contains("/tmp/a"), "{message}");
        // An item's own `state: absent` deletes that item only.
        let items = "- mysql_db:\n    name: \"{{ item.name }}\"\n    state: \"{{ item.state | default('present') }}\"\n  loop:\n    - {name: shop}\n    - {name: legacy, state: absent}\n";
        let (_, severity, line, message) = one(items);
        assert_eq!((severity, line), (Severity::Critical, 7));
        assert!(
            message.contains("`legacy`") && !message.contains("`shop`"),
            "{message}"
        );
    }

    #[test]
    fn an_item_added_to_an_existing_deletion_loop_is_the_only_news() {
        let task =
            "- file:\n    path: \"{{ item }}\"\n    state: absent\n  loop:\n    - /srv/old\n";
        let grown = format!("{task}    - /srv/uploads\n");
        let f = Case::modified(ROLE, task, &grown).run(analyze);
        assert_eq!(ids(&f), ["ansible/state-absent"]);
        let message = &f[0].message;
        assert!(message.contains("on `/srv/uploads` with"), "{message}");
        assert!(!message.contains("/srv/old"), "{message}");
    }

    #[test]
    fn older_task_forms_are_read() {
        assert_eq!(one("- action: file path=/srv/data state=absent\n").2, 2);
        let local = "- local_action:\n    module: file\n    path: /srv/data\n    state: absent\n";
        assert_eq!(one(local).2, 5);
        assert_eq!(
            one("- file:\n  args:\n    path: /srv/data\n    state: absent\n").2,
            5
        );
    }

    #[test]
    fn a_user_removed_with_its_home_is_high() {
        assert_eq!(one("- user: name=bob state=absent\n").1, Severity::Medium);
        assert_eq!(
            one("- user: name=bob state=absent remove=yes\n").1,
            Severity::High
        );
    }

    #[test]
    fn arguments_that_destroy_without_state_absent_are_destructive_tasks() {
        let cases = [
            ("- community.general.filesystem: {dev: /dev/sdb1, fstype: ext4, force: true}\n", Severity::Critical),
            ("- amazon.aws.s3_object: {bucket: logs, mode: delete}\n", Severity::Critical),
            ("- community.postgresql.postgresql_query: {db: shop, query: DROP DATABASE shop}\n", Severity::Critical),
            ("- community.mysql.mysql_query:\n    login_db: shop\n    query: TRUNCATE TABLE orders\n", Severity::High),
            ("- community.general.redis: {command: flush, flush_mode: all}\n", Severity::Critical),
            ("- community.docker.docker_prune: {volumes: true}\n", Severity::High),
        ];
        for (task, severity) in cases {
            let (rule, got, _, _) = one(task);
            assert_eq!(
                (rule.as_str(), got),
                ("ansible/destructive-task", severity),
                "{task}"
            );
        }
        for quiet in [
            "- community.general.filesystem: {dev: /dev/sdb1, fstype: ext4}\n",
            "- amazon.aws.s3_object: {bucket: logs, object: a.txt, mode: get, dest: /tmp/a}\n",
            "- community.postgresql.postgresql_query: {db: shop, query: SELECT 1}\n",
            "- community.docker.docker_prune: {images: true}\n",
        ] {
            assert!(added(quiet).is_empty(), "{quiet}");
        }
    }

    #[test]
    fn a_sync_that_deletes_from_data_and_a_dump_loaded_over_a_database_are_destructive() {
        let cases = [
            ("- ansible.posix.synchronize: {src: backup/, dest: /var/lib/postgresql, delete: true}\n", Severity::Critical),
            ("- synchronize:\n    src: files/\n    dest: /srv\n    delete: yes\n", Severity::High),
            ("- community.mysql.mysql_db: {name: shop, state: import, target: /tmp/shop.sql}\n", Severity::High),
            ("- community.postgresql.postgresql_db: {name: shop, state: restore, target: /tmp/shop.dump}\n", Severity::High),
        ];
        for (task, severity) in cases {
            let (rule, got, _, message) = one(task);
            assert_eq!(
                (rule.as_str(), got),
                ("ansible/destructive-task", severity),
                "{task}"
            );
            assert!(
                message.contains("delete: true") || message.contains("loads a dump"),
                "{message}"
            );
        }
        // Deploying an application directory with `delete` keeps it in step with the source;
        // a dump taken, not loaded, reads the database.
        for quiet in [
            "- ansible.posix.synchronize: {src: build/, dest: /var/www/app, delete: true}\n",
            "- ansible.posix.synchronize: {src: files/, dest: /var/lib/postgresql}\n",
            "- community.mysql.mysql_db: {name: shop, state: dump, target: /tmp/shop.sql}\n",
            "- community.postgresql.postgresql_db: {name: shop, state: present}\n",
        ] {
            assert!(added(quiet).is_empty(), "{quiet}");
        }
    }

    #[test]
    fn cloud_modules_of_every_collection_set_absent_are_deleted() {
        use Severity::{Critical, High};
        let cases = [
            ("- amazon.aws.route53_zone: {zone: example.com, state: absent}\n", High, "`example.com`"),
            ("- community.aws.ecs_ecr: {name: app, state: absent, force_absent: true}\n", High, "`app`"),
            ("- community.aws.opensearch: {domain_name: logs, state: absent}\n", Critical, "`logs`"),
            ("- community.aws.sqs_queue: {name: jobs, state: absent}\n", High, "`jobs`"),
            ("- azure.azcollection.azure_rm_sqlserver: {resource_group: rg, name: sql1, state: absent}\n", Critical, "`sql1`"),
            ("- azure.azcollection.azure_rm_postgresqlflexibleserver: {resource_group: rg, name: pg1, state: absent}\n", Critical, "`pg1`"),
            ("- google.cloud.gcp_filestore_instance: {name: nfs, zone: z, state: absent}\n", Critical, "`nfs`"),
            ("- google.cloud.gcp_bigtable_instance: {name: bt, state: absent}\n", Critical, "`bt`"),
            ("- community.general.proxmox_disk: {vmid: 101, disk: scsi1, state: absent}\n", Critical, "`101`"),
            ("- openstack.cloud.object_container: {name: backups, state: absent, delete_with_all_objects: true}\n", Critical, "`backups`"),
            ("- openstack.cloud.stack: {name: prod, state: absent}\n", Critical, "`prod`"),
            ("- kubernetes.core.helm: {name: pg, release_namespace: db, release_state: absent}\n", High, "`release_state: absent`"),
        ];
        for (task, severity, says) in cases {
            let (rule, got, _, message) = one(task);
            assert_eq!(
                (rule.as_str(), got),
                ("ansible/state-absent", severity),
                "{task}"
            );
            assert!(message.contains(says), "{message}");
        }
        for quiet in [
            "- amazon.aws.route53: {zone: example.com, record: old.example.com, type: A, state: absent}\n",
            "- kubernetes.core.helm: {name: pg, chart_ref: bitnami/postgresql, release_state: present}\n",
            "- google.cloud.gcp_compute_firewall: {name: fw, state: absent}\n",
            "- stack: {name: prod, state: absent}\n",
        ] {
            assert!(added(quiet).is_empty(), "{quiet}");
        }
    }

    #[test]
    fn a_bucket_emptied_first_or_a_database_without_final_snapshot_says_so() {
        let (_, severity, _, message) =
            one("- amazon.aws.s3_bucket: {name: logs, state: absent, force: true}\n");
        assert_eq!(severity, Severity::Critical);
        assert!(message.contains("`force: true`"), "{message}");
        // Without `force` AWS refuses a bucket that is not empty: high, not critical.
        assert_eq!(
            one("- amazon.aws.s3_bucket: {name: logs, state: absent}\n").1,
            Severity::High
        );
        let (_, severity, _, message) = one(
            "- amazon.aws.rds_instance: {id: orders, state: absent, skip_final_snapshot: true}\n",
        );
        assert_eq!(severity, Severity::Critical);
        assert!(message.contains("no snapshot is kept"), "{message}");
    }

    #[test]
    fn containers_and_compose_projects_brought_down_matter_only_with_their_volumes() {
        for task in [
            "- community.docker.docker_container: {name: db, state: absent, keep_volumes: false}\n",
            "- community.docker.docker_compose_v2: {project_src: /opt/app, state: absent, remove_volumes: true}\n",
            "- docker_compose: {project_src: /opt/app, state: absent, remove_volumes: yes}\n",
        ] {
            let (rule, severity, _, message) = one(task);
            assert_eq!((rule.as_str(), severity), ("ansible/state-absent", Severity::High), "{task}");
            assert!(message.contains("volumes go too"), "{message}");
        }
        for quiet in [
            "- community.docker.docker_container: {name: web, state: absent}\n",
            "- community.docker.docker_container: {name: web, state: absent, keep_volumes: true}\n",
            "- community.docker.docker_compose_v2: {project_src: /opt/app, state: absent}\n",
            "- community.docker.docker_compose_v2: {project_src: /opt/app, state: present, remove_volumes: true}\n",
        ] {
            assert!(added(quiet).is_empty(), "{quiet}");
        }
    }

    #[test]
    fn a_warehouse_deleted_by_command_and_a_mongo_drop_are_destructive_tasks() {
        let (rule, severity, _, message) = one("- community.aws.redshift: {command: delete, identifier: dw, skip_final_cluster_snapshot: true}\n");
        assert_eq!(
            (rule.as_str(), severity),
            ("ansible/destructive-task", Severity::Critical)
        );
        assert!(
            message.contains("`dw`") && message.contains("no final snapshot"),
            "{message}"
        );
        let (rule, severity, _, message) =
            one("- community.mongodb.mongodb_shell: {db: shop, eval: 'db.dropDatabase()'}\n");
        assert_eq!(
            (rule.as_str(), severity),
            ("ansible/destructive-task", Severity::Critical)
        );
        assert!(message.contains("`dropDatabase()`"), "{message}");
        assert_eq!(
            one("- community.mongodb.mongodb_shell: {db: shop, eval: 'db.orders.drop()'}\n").1,
            Severity::High
        );
        for quiet in [
            "- community.aws.redshift: {command: create, identifier: dw, node_type: ra3.xlplus}\n",
            "- community.mongodb.mongodb_shell: {db: shop, eval: 'db.orders.find()'}\n",
        ] {
            assert!(added(quiet).is_empty(), "{quiet}");
        }
    }

    const GUARDED: &str = "- name: teardown\n  community.postgresql.postgresql_db:\n    name: orders\n    state: absent\n  when: teardown | bool\n";

    #[test]
    fn a_teardown_that_loses_its_guard_is_a_new_deletion() {
        let f = Case::modified(
            ROLE,
            GUARDED,
            &GUARDED.replace("  when: teardown | bool\n", ""),
        )
        .run(analyze);
        assert_eq!(ids(&f), ["ansible/state-absent"]);
        assert_eq!(
            (f[0].severity, f[0].location.line),
            (Severity::Critical, Some(4))
        );
        assert!(
            f[0].message.contains("no longer behind the `when:`"),
            "{}",
            f[0].message
        );
        // The same for a block's condition and a `never` tag.
        let block = "- block:\n    - community.postgresql.postgresql_db: {name: orders, state: absent}\n  when: teardown | bool\n";
        let f = Case::modified(ROLE, block, &block.replace("  when: teardown | bool\n", ""))
            .run(analyze);
        assert_eq!(ids(&f), ["ansible/state-absent"]);
        let never = "- community.postgresql.postgresql_db: {name: orders, state: absent}\n  tags: [never, destroy]\n";
        let f = Case::modified(ROLE, never, &never.replace("never, ", "")).run(analyze);
        assert_eq!(ids(&f), ["ansible/state-absent"]);
        // A guard changed, or added to a deletion that had none, is quiet; a new guarded
        // deletion is still a deletion (someone will set the variable, or pass the tag).
        let loosened = GUARDED.replace("teardown | bool", "teardown | default(false) | bool");
        assert!(Case::modified(ROLE, GUARDED, &loosened)
            .run(analyze)
            .is_empty());
        let open = GUARDED.replace("  when: teardown | bool\n", "");
        assert!(Case::modified(ROLE, &open, GUARDED).run(analyze).is_empty());
        let f = added(GUARDED);
        assert_eq!(ids(&f), ["ansible/state-absent"]);
        assert!(!f[0].message.contains("no longer"), "{}", f[0].message);
    }

    #[test]
    fn tasks_in_check_mode_delete_nothing() {
        let task = "- community.postgresql.postgresql_db: {name: orders, state: absent}\n";
        assert!(added(&format!("{task}  check_mode: true\n")).is_empty());
        let play = format!(
            "- hosts: db\n  check_mode: yes\n  tasks:\n  - {}",
            &task[2..]
        );
        assert!(Case::added(PATH, &play).run(analyze).is_empty());
        assert_eq!(
            ids(&added(&format!("{task}  check_mode: false\n"))),
            ["ansible/state-absent"]
        );
        // Taking check mode off a deletion lets it run.
        let checked = format!("{task}  check_mode: true\n");
        assert_eq!(
            ids(&Case::modified(ROLE, &checked, task).run(analyze)),
            ["ansible/state-absent"]
        );
    }

    #[test]
    fn a_protection_the_task_had_on_turned_off_is_weakened_at_its_line() {
        let rds = "- amazon.aws.rds_instance:\n    id: orders\n    deletion_protection: true\n";
        let f = Case::modified(ROLE, rds, &rds.replace("true", "false")).run(analyze);
        assert_eq!(ids(&f), ["ansible/protection-weakened"]);
        assert_eq!(
            (f[0].severity, f[0].location.line),
            (Severity::High, Some(3))
        );
        // A new task that creates an instance without protection turns nothing off.
        assert!(added(&rds.replace("true", "false")).is_empty());
    }

    const DEFAULTS: &str = "roles/app/defaults/main.yml";
    const STATE_TASK: &str = "- community.postgresql.postgresql_db:\n    name: orders\n    state: \"{{ app_db_state | default('present') }}\"\n- ansible.builtin.apt: {name: nginx, state: \"{{ nginx_state }}\"}\n";

    fn defaults(base: &str, head: &str) -> Vec<Finding> {
        Case::modified(DEFAULTS, base, head)
            .with_file(Side::Head, "roles/app/tasks/main.yml", STATE_TASK)
            .run(analyze)
    }

    #[test]
    fn a_state_variable_flipped_to_absent_is_judged_by_the_tasks_that_read_it() {
        let f = defaults("app_db_state: present\n", "app_db_state: absent\n");
        assert_eq!(ids(&f), ["ansible/state-absent"]);
        assert_eq!(
            (f[0].severity, f[0].location.line),
            (Severity::Critical, Some(1))
        );
        let message = &f[0].message;
        assert!(
            message.contains("`app_db_state` is now `absent`")
                && message.contains("`roles/app/tasks/main.yml` runs `community.postgresql.postgresql_db` on `orders`"),
            "{message}"
        );
        // A package removed, a variable already absent, another setting: quiet.
        assert!(defaults("nginx_state: present\n", "nginx_state: absent\n").is_empty());
        assert!(defaults("app_db_state: absent\n", "app_db_state: absent\nport: 1\n").is_empty());
        assert!(defaults(
            "app_db_state: present\n",
            "app_db_state: present\nport: 1\n"
        )
        .is_empty());
    }

    #[test]
    fn a_state_variable_in_inventory_is_judged_by_its_name() {
        let path = "group_vars/dbservers.yml";
        let f =
            Case::modified(path, "app_db_state: present\n", "app_db_state: absent\n").run(analyze);
        assert_eq!(ids(&f), ["ansible/state-absent"]);
        assert_eq!(f[0].severity, Severity::High);
        assert!(
            Case::modified(path, "nginx_state: present\n", "nginx_state: absent\n")
                .run(analyze)
                .is_empty()
        );
    }

    const TEARDOWN: &str = "- community.postgresql.postgresql_db: {name: orders, state: absent}\n";

    #[test]
    fn including_an_existing_teardown_file_runs_its_deletions() {
        let base = "- ansible.builtin.ping:\n";
        let head = format!("{base}- ansible.builtin.import_tasks: teardown.yml\n");
        let teardown = "roles/db/tasks/teardown.yml";
        let f = Case::modified(ROLE, base, &head)
            .with_file(Side::Base, teardown, TEARDOWN)
            .with_file(Side::Head, teardown, TEARDOWN)
            .run(analyze);
        assert_eq!(ids(&f), ["ansible/state-absent"]);
        assert_eq!(
            (f[0].severity, f[0].location.line),
            (Severity::Critical, Some(2))
        );
        assert!(
            f[0].message
                .contains("includes `teardown.yml`, and `roles/db/tasks/teardown.yml` runs"),
            "{}",
            f[0].message
        );
        // A role added to a play is followed the same way.
        let play = "- hosts: db\n  roles:\n    - common\n";
        let f = Case::modified("site.yml", play, &format!("{play}    - teardown\n"))
            .with_file(Side::Base, "roles/teardown/tasks/main.yml", TEARDOWN)
            .with_file(Side::Head, "roles/teardown/tasks/main.yml", TEARDOWN)
            .run(analyze);
        assert_eq!(ids(&f), ["ansible/state-absent"]);
        // A file new in this change is reported by its own analysis; an include already on
        // the base, or of a file that deletes nothing, is quiet.
        let quiet = [
            Case::modified(ROLE, base, &head).with_file(Side::Head, teardown, TEARDOWN),
            Case::modified(ROLE, &head, &format!("{head}- ansible.builtin.ping:\n"))
                .with_file(Side::Base, teardown, TEARDOWN)
                .with_file(Side::Head, teardown, TEARDOWN),
            Case::modified(ROLE, base, &head)
                .with_file(Side::Base, teardown, base)
                .with_file(Side::Head, teardown, base),
        ];
        for case in quiet {
            assert!(case.run(analyze).is_empty());
        }
    }

    #[test]
    fn a_state_expression_that_can_be_absent_deletes_when_it_is() {
        let (rule, severity, line, message) = one("- community.postgresql.postgresql_db:\n    name: orders\n    state: \"{{ 'absent' if teardown | bool else 'present' }}\"\n");
        assert_eq!(
            (rule.as_str(), severity, line),
            ("ansible/state-absent", Severity::Critical, 4)
        );
        assert!(message.contains("which can be `absent`"), "{message}");
        assert_eq!(
            one(
                "- docker_volume: {name: pgdata, state: \"{{ vol_state | default('absent') }}\"}\n"
            )
            .1,
            Severity::Critical
        );
        // A variable alone, or an expression that cannot be `absent`, is not judged here.
        assert!(added("- postgresql_db: {name: orders, state: \"{{ db_state }}\"}\n").is_empty());
        assert!(added(
            "- postgresql_db: {name: orders, state: \"{{ db_state | default('present') }}\"}\n"
        )
        .is_empty());
    }

    #[test]
    fn windows_paths_removed_are_deletions_except_temporary_ones() {
        let (_, severity, _, message) =
            one("- ansible.windows.win_file: {path: 'D:\\SQLData', state: absent}\n");
        assert_eq!(severity, Severity::High);
        assert!(message.contains("SQLData"), "{message}");
        for quiet in [
            "- ansible.windows.win_file: {path: 'C:\\Windows\\Temp\\setup', state: absent}\n",
            "- win_file: {path: '%TEMP%\\x.msi', state: absent}\n",
            "- win_file: {path: 'D:\\SQLData', state: directory}\n",
        ] {
            assert!(added(quiet).is_empty(), "{quiet}");
        }
    }

    #[test]
    fn ssh_keys_a_role_rotates_are_routine() {
        assert!(added("- file: {path: /home/bob/.ssh/id_rsa_old, state: absent}\n").is_empty());
        // The whole `.ssh` directory, or a home, is not a key.
        assert_eq!(
            one("- file: {path: /home/bob/.ssh/, state: absent}\n").1,
            Severity::High
        );
        assert_eq!(
            one("- file: {path: /home/bob, state: absent}\n").1,
            Severity::High
        );
    }

    #[test]
    fn role_variables_marking_a_database_absent_are_deletions() {
        let path = "group_vars/dbservers.yml";
        let base = "mysql_databases:\n  - name: shop\n  - name: legacy\n";
        let head = "mysql_databases:\n  - name: shop\n  - name: legacy\n    state: absent\n";
        let f = Case::modified(path, base, head).run(analyze);
        assert_eq!(ids(&f), ["ansible/state-absent"]);
        assert_eq!(
            (f[0].severity, f[0].location.line),
            (Severity::Critical, Some(4))
        );
        assert!(
            f[0].message
                .contains("`mysql_databases` now marks `legacy`"),
            "{}",
            f[0].message
        );
        // Already marked on the base, or a list of something else: quiet.
        assert!(
            Case::modified(path, head, &format!("{head}  - name: new\n"))
                .run(analyze)
                .is_empty()
        );
        let vhosts = "nginx_vhosts:\n  - {server_name: a, state: absent}\n";
        assert!(Case::added(path, vhosts).run(analyze).is_empty());
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
