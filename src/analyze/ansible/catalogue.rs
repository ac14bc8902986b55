//! catalogue: which module calls destroy state, how badly, and what they destroy. Pure: it
//! judges one call with one loop item (or none) and never looks at the other side.

use super::tasks::{short, Args};
use crate::analyze::commands::{data_dir, destructive_mongo, destructive_sql};
use crate::finding::Severity;

/// How a call destroys: by converging on a deleting state, or through another argument.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Means {
    /// `state: absent` (or `terminated`).
    State,
    /// Another argument: a forced filesystem, a bucket `mode: delete`, a `DROP` in a query.
    Argument,
}

/// What one call (with one loop item) destroys.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Verdict {
    pub means: Means,
    pub severity: Severity,
    /// What goes, as the reviewer reads it: a path, a database, `Namespace prod`.
    pub target: String,
    /// How: "`state: absent`", "`force: true` on the device".
    pub how: String,
    /// The line that says it (the `state` line, the loop item, the argument).
    pub line: u32,
}

/// Modules whose `state: absent` destroys data or a running machine, with the severity of
/// doing so. A name with a dot is matched against the end of the fully qualified name: its
/// short name is too common to stand alone (`openstack.cloud.volume`, `hetzner.hcloud.server`).
const STATEFUL: &[(&str, Severity)] = &[
    // Databases and their contents.
    ("postgresql_db", Severity::Critical),
    ("postgresql_schema", Severity::Critical),
    ("postgresql_table", Severity::Critical),
    ("mysql_db", Severity::Critical),
    ("mssql_db", Severity::Critical),
    ("mongodb_database", Severity::Critical),
    ("influxdb_database", Severity::Critical),
    ("rds_instance", Severity::Critical),
    ("rds_cluster", Severity::Critical),
    ("dynamodb_table", Severity::Critical),
    ("gcp_sql_instance", Severity::Critical),
    ("gcp_sql_database", Severity::Critical),
    ("azure_rm_postgresqlserver", Severity::Critical),
    ("azure_rm_mysqlserver", Severity::Critical),
    ("azure_rm_sqldatabase", Severity::Critical),
    ("azure_rm_cosmosdbaccount", Severity::Critical),
    ("azure_rm_sqlserver", Severity::Critical),
    ("azure_rm_sqlmanagedinstance", Severity::Critical),
    ("azure_rm_postgresqldatabase", Severity::Critical),
    ("azure_rm_postgresqlflexibleserver", Severity::Critical),
    ("azure_rm_postgresqlflexibledatabase", Severity::Critical),
    ("azure_rm_mysqldatabase", Severity::Critical),
    ("azure_rm_mysqlflexibleserver", Severity::Critical),
    ("azure_rm_mysqlflexibledatabase", Severity::Critical),
    ("azure_rm_mariadbserver", Severity::Critical),
    ("azure_rm_mariadbdatabase", Severity::Critical),
    ("gcp_bigtable_instance", Severity::Critical),
    ("opensearch", Severity::Critical),
    // Storage.
    ("s3_bucket", Severity::Critical),
    ("efs", Severity::Critical),
    ("ec2_vol", Severity::Critical),
    ("gcp_storage_bucket", Severity::Critical),
    ("gcp_compute_disk", Severity::Critical),
    ("azure_rm_storageaccount", Severity::Critical),
    ("azure_rm_manageddisk", Severity::Critical),
    ("azure_rm_resourcegroup", Severity::Critical),
    ("openstack.cloud.volume", Severity::Critical),
    ("os_volume", Severity::Critical),
    ("hetzner.hcloud.volume", Severity::Critical),
    ("hcloud_volume", Severity::Critical),
    ("digital_ocean_block_storage", Severity::Critical),
    ("vmware_guest_disk", Severity::Critical),
    ("docker_volume", Severity::Critical),
    ("gcp_filestore_instance", Severity::Critical),
    ("proxmox_disk", Severity::Critical),
    // A Swift container deleted with `delete_with_all_objects` takes its objects with it;
    // without it, OpenStack refuses a container that is not empty.
    ("openstack.cloud.object_container", Severity::Critical),
    ("lvol", Severity::Critical),
    ("lvg", Severity::Critical),
    ("zfs", Severity::Critical),
    ("filesystem", Severity::Critical),
    ("parted", Severity::Critical),
    ("gcp_bigquery_dataset", Severity::Critical),
    ("gcp_spanner_instance", Severity::Critical),
    ("gcp_spanner_database", Severity::Critical),
    // An encryption key scheduled for deletion takes everything it encrypted with it.
    ("kms_key", Severity::Critical),
    // Whole stacks: `community.general.terraform` with `state: absent` runs `terraform
    // destroy`; a CloudFormation stack (or stack set) deleted takes every resource it made;
    // `azure_rm_deployment` deletes its resource group.
    ("terraform", Severity::Critical),
    ("cloudformation", Severity::Critical),
    ("cloudformation_stack_set", Severity::Critical),
    ("azure_rm_deployment", Severity::Critical),
    ("openstack.cloud.stack", Severity::Critical),
    // Backups.
    ("ec2_snapshot", Severity::High),
    ("rds_instance_snapshot", Severity::High),
    ("rds_cluster_snapshot", Severity::High),
    // Machines, clusters and what serves traffic.
    ("ec2_instance", Severity::High),
    ("ec2", Severity::High),
    ("ec2_asg", Severity::High),
    ("gcp_compute_instance", Severity::High),
    ("gcp_container_cluster", Severity::High),
    ("azure_rm_virtualmachine", Severity::High),
    ("azure_rm_aks", Severity::High),
    ("eks_cluster", Severity::High),
    ("vmware_guest", Severity::High),
    ("proxmox", Severity::High),
    ("proxmox_kvm", Severity::High),
    ("openstack.cloud.server", Severity::High),
    ("os_server", Severity::High),
    ("hetzner.hcloud.server", Severity::High),
    ("hcloud_server", Severity::High),
    ("digital_ocean_droplet", Severity::High),
    ("lxd_container", Severity::High),
    ("elasticache", Severity::High),
    ("gcp_redis_instance", Severity::High),
    ("azure_rm_rediscache", Severity::High),
    ("azure_rm_keyvault", Severity::High),
    ("gcp_container_node_pool", Severity::High),
    ("eks_nodegroup", Severity::High),
    ("secretsmanager_secret", Severity::High),
    ("rabbitmq_vhost", Severity::High),
    ("rabbitmq_queue", Severity::High),
    ("sqs_queue", Severity::High),
    // Every record in the zone goes with it: the names stop resolving.
    ("route53_zone", Severity::High),
    // `force_absent` deletes a repository that still holds images.
    ("ecs_ecr", Severity::High),
    ("k8s", Severity::High),
    ("helm", Severity::High),
    // Accounts: what logs in with them stops working.
    ("user", Severity::Medium),
    ("postgresql_user", Severity::Medium),
    ("mysql_user", Severity::Medium),
    ("mongodb_user", Severity::Medium),
];

/// Modules that destroy through an argument other than `state`.
const BY_ARGUMENT: &[&str] = &[
    "file",
    "s3_object",
    "aws_s3",
    "redis",
    "docker_prune",
    "postgresql_query",
    "mysql_query",
    "synchronize",
    "redshift",
    "mongodb_shell",
    "win_file",
];

/// Modules whose `state: absent` is routine (a container, a compose project brought down)
/// unless an argument makes it take data along: the argument, the value that does, and what
/// it deletes.
const ABSENT_WITH: &[(&str, &str, bool, &str)] = &[
    (
        "docker_container",
        "keep_volumes",
        false,
        "`keep_volumes: false` (its anonymous volumes go too)",
    ),
    (
        "docker_compose",
        "remove_volumes",
        true,
        "`remove_volumes: true` (the project's volumes go too)",
    ),
    (
        "docker_compose_v2",
        "remove_volumes",
        true,
        "`remove_volumes: true` (the project's volumes go too)",
    ),
];

/// Arguments that stand for `state` in some modules (`kubernetes.core.helm`'s
/// `release_state`).
const STATE_ALIASES: &[&str] = &["state", "release_state"];

/// Kubernetes kinds whose deletion takes data with it.
const K8S_DATA_KINDS: &[&str] = &["Namespace", "PersistentVolumeClaim", "PersistentVolume"];

/// Paths whose removal is routine: scratch space, and software Ansible reinstalls.
const SCRATCH: &[&str] = &["/tmp/", "/var/tmp/", "/var/cache/", "/run/", "/usr/"];

/// Extensions of configuration files a role writes and can write again.
const CONFIG_FILES: &[&str] = &[
    "conf", "cfg", "cnf", "ini", "list", "repo", "sources", "service", "timer", "socket", "mount",
    "env", "yml", "yaml", "json", "toml", "rules",
];

/// Arguments that name what a module acts on, most telling first.
const TARGETS: &[&str] = &[
    "path",
    "dest",
    "name",
    "db",
    "bucket",
    "db_instance_identifier",
    "db_cluster_identifier",
    "instance_ids",
    "id",
    "volume_id",
    "snapshot_id",
    "lv",
    "dev",
    "device",
    "release_name",
    "project_path",
    "stack_name",
    "identifier",
    "domain_name",
    "zone",
    "cluster_id",
    "vmid",
    "project_src",
    "src",
];

/// What a call names, as written (no loop item put in): its first target argument.
pub fn target(args: &Args) -> String {
    TARGETS
        .iter()
        .find_map(|k| args.get(k, None))
        .map(|a| a.text)
        .unwrap_or_default()
}

/// Whether the catalogue judges this module (by short name).
pub fn known(short_name: &str) -> bool {
    BY_ARGUMENT.contains(&short_name)
        || ABSENT_WITH.iter().any(|(m, ..)| *m == short_name)
        || STATEFUL.iter().any(|(m, _)| short(m) == short_name)
}

fn stateful(module: &str) -> Option<Severity> {
    STATEFUL.iter().find_map(|(m, severity)| {
        let matches = if m.contains('.') {
            module == *m || module.ends_with(&format!(".{m}"))
        } else {
            short(module) == *m
        };
        matches.then_some(*severity)
    })
}

/// What one call destroys, given one of its loop items (or none).
pub fn judge(module: &str, args: &Args, item: Option<&crate::yaml::Node>) -> Option<Verdict> {
    let get = |key: &str| args.get(key, item);
    let name = short(module);
    let target_arg = TARGETS.iter().find_map(|k| get(k));
    // A loop deleting the paths it lists is shown at the item that names each one.
    let item_line = target_arg.as_ref().filter(|a| a.from_item).map(|a| a.line);
    let target = target_arg.map(|a| a.text).unwrap_or_default();
    if let Some(verdict) = by_argument(name, args, item, &target) {
        return Some(verdict);
    }
    let (state_key, state) = STATE_ALIASES.iter().find_map(|k| get(k).map(|s| (*k, s)))?;
    let how = match state.text.as_str() {
        "absent" | "terminated" => format!("`{state_key}: {}`", state.text),
        // `{{ 'absent' if teardown else 'present' }}`, `{{ app_state | default('absent') }}`:
        // an expression that can come out `absent` deletes whenever it does.
        t if t.contains("{{") && (t.contains("'absent'") || t.contains("\"absent\"")) => {
            format!("`{state_key}: {t}`, which can be `absent`")
        }
        _ => return None,
    };
    let verdict = |severity: Severity, target: String| Verdict {
        means: Means::State,
        severity,
        target,
        how: how.clone(),
        line: item_line.unwrap_or(state.line),
    };
    match name {
        "file" => file_severity(&target).map(|s| verdict(s, target)),
        "win_file" => windows_path_severity(&target).map(|s| verdict(s, target)),
        "user" if args.truthy("remove") => Some(Verdict {
            how: "`state: absent` and `remove: true` (the home directory goes too)".to_owned(),
            ..verdict(Severity::High, target)
        }),
        "k8s" => Some(k8s(args, item, target, verdict)),
        // Without `force`, AWS refuses to delete a bucket that still holds objects.
        "s3_bucket" if !args.truthy("force") => Some(verdict(Severity::High, target)),
        "s3_bucket" => Some(Verdict {
            how: format!("{how} and `force: true` (every object and version goes first)"),
            ..verdict(Severity::Critical, target)
        }),
        "rds_instance" | "rds_cluster" if args.truthy("skip_final_snapshot") => Some(Verdict {
            how: format!("{how} and `skip_final_snapshot: true` (no snapshot is kept)"),
            ..verdict(Severity::Critical, target)
        }),
        _ if ABSENT_WITH.iter().any(|(m, ..)| *m == name) => {
            let (_, key, takes_data, what) = ABSENT_WITH.iter().find(|(m, ..)| *m == name)?;
            let set = args.get(key, item)?;
            let truthy = args.truthy(key);
            let falsy = matches!(
                set.text.to_ascii_lowercase().as_str(),
                "no" | "false" | "off" | "0" | "n"
            );
            let takes = if *takes_data { truthy } else { falsy };
            takes.then(|| Verdict {
                how: format!("{how} and {what}"),
                ..verdict(Severity::High, target)
            })
        }
        _ => stateful(module).map(|s| verdict(s, target)),
    }
}

/// A Kubernetes object: its kind and name from the arguments or an inline `definition`.
fn k8s(
    args: &Args,
    item: Option<&crate::yaml::Node>,
    name: String,
    verdict: impl Fn(Severity, String) -> Verdict,
) -> Verdict {
    let definition = args.node("definition");
    let field = |key: &str| {
        definition
            .and_then(|d| d.get(key).or_else(|| d.path(&["metadata", key])))
            .and_then(|n| n.as_str().map(str::to_owned))
    };
    let kind = args
        .get("kind", item)
        .map(|a| a.text)
        .or_else(|| field("kind"));
    let name = if name.is_empty() {
        field("name").unwrap_or_default()
    } else {
        name
    };
    let severity = match &kind {
        Some(k) if K8S_DATA_KINDS.contains(&k.as_str()) => Severity::Critical,
        _ => Severity::High,
    };
    let target = match kind {
        Some(kind) if name.is_empty() => kind,
        Some(kind) => format!("{kind} {name}"),
        None => name,
    };
    verdict(severity, target)
}

/// Removing a path: data directories are critical, scratch space and configuration files a
/// role writes are routine, anything else high.
fn file_severity(path: &str) -> Option<Severity> {
    let templated = path.contains("{{");
    if path.is_empty()
        || SCRATCH.iter().any(|s| path.starts_with(s))
        // Keys and `known_hosts` a role provisions and rotates.
        || path.contains("/.ssh/") && !path.ends_with("/.ssh/")
        || templated && path.contains("tmp")
        || config_file(path)
    {
        return None;
    }
    if data_dir(path).is_some_and(|(s, _)| s == Severity::Critical)
        || templated
            && ["data_dir", "datadir", "data_directory"]
                .iter()
                .any(|v| path.contains(v))
    {
        return Some(Severity::Critical);
    }
    Some(Severity::High)
}

/// Removing a Windows path: temporary directories are routine, anything else high (a
/// drive's data directory reads no differently from an application's).
fn windows_path_severity(path: &str) -> Option<Severity> {
    let lower = path.to_ascii_lowercase().replace('/', "\\");
    let scratch = lower.is_empty()
        || lower.contains("\\temp\\")
        || lower.ends_with("\\temp")
        || lower.contains("%temp%")
        || lower.contains("\\tmp");
    (!scratch).then_some(Severity::High)
}

/// A single configuration file under `/etc` (`/etc/nginx/sites-enabled/default`,
/// `/etc/systemd/system/kubelet.service`): removing it stops a service using it, which the
/// role can put back, and loses nothing it did not write. Directories (`/etc/kubernetes/pki`)
/// and key material are not this.
fn config_file(path: &str) -> bool {
    let Some(rest) = path.strip_prefix("/etc/") else {
        return false;
    };
    if path.ends_with('/') || rest.contains("{{") {
        return false;
    }
    let mut parts = rest.rsplitn(2, '/');
    let file = parts.next().unwrap_or("");
    let dir = parts.next().unwrap_or("");
    let parent = dir.rsplit('/').next().unwrap_or("");
    let drop_in = parent.ends_with(".d")
        || matches!(
            parent,
            "sites-enabled" | "sites-available" | "conf-enabled" | "mods-enabled"
        );
    let extension = file.rsplit_once('.').map(|(_, e)| e);
    drop_in || extension.is_some_and(|e| CONFIG_FILES.contains(&e))
}

/// Destruction through arguments other than `state`.
fn by_argument(
    name: &str,
    args: &Args,
    item: Option<&crate::yaml::Node>,
    target: &str,
) -> Option<Verdict> {
    let get = |key: &str| args.get(key, item);
    let verdict = |severity: Severity, target: String, how: String, line: u32| Verdict {
        means: Means::Argument,
        severity,
        target,
        how,
        line,
    };
    match name {
        // `force` makes mkfs write over an existing filesystem.
        "filesystem" if args.truthy("force") => {
            let force = get("force")?;
            Some(verdict(
                Severity::Critical,
                get("dev").map(|d| d.text).unwrap_or_default(),
                "`force: true`, which makes a new filesystem over the one on the device".to_owned(),
                force.line,
            ))
        }
        // `force` lets lvol shrink a volume to `size`, cutting off what lies beyond it.
        "lvol"
            if args.truthy("force")
                && get("size").is_some()
                && get("state").is_none_or(|s| s.text == "present") =>
        {
            let force = get("force")?;
            Some(verdict(
                Severity::High,
                target.to_owned(),
                "`force: true` with a `size`, which shrinks the volume when it is larger"
                    .to_owned(),
                force.line,
            ))
        }
        "s3_object" | "aws_s3" => {
            let mode = get("mode")?;
            let bucket = get("bucket").map(|b| b.text).unwrap_or_default();
            match mode.text.as_str() {
                "delete" => Some(verdict(
                    Severity::Critical,
                    bucket,
                    "`mode: delete`, which deletes the bucket and every object in it".to_owned(),
                    mode.line,
                )),
                "delobj" => Some(verdict(
                    Severity::Medium,
                    get("object").map_or(bucket, |o| o.text),
                    "`mode: delobj`".to_owned(),
                    mode.line,
                )),
                _ => None,
            }
        }
        "redis" => {
            let command = get("command").filter(|c| c.text == "flush")?;
            let all = get("flush_mode").is_none_or(|m| m.text == "all");
            let scope = if all {
                "of every database"
            } else {
                "of the database"
            };
            Some(verdict(
                Severity::Critical,
                String::new(),
                format!("`command: flush`, which deletes every key {scope}"),
                command.line,
            ))
        }
        "docker_prune" if args.truthy("volumes") => Some(verdict(
            Severity::High,
            "unused volumes".to_owned(),
            "`volumes: true`, which deletes every volume no container uses right now".to_owned(),
            get("volumes")?.line,
        )),
        // `delete: true` removes from `dest` whatever `src` lacks: routine when deploying an
        // application directory, data loss when `dest` holds a service's data or a whole tree.
        "synchronize" if args.truthy("delete") => {
            let dest = get("dest")?;
            let depth = dest.text.split('/').filter(|p| !p.is_empty()).count();
            let (severity, what) = match data_dir(&dest.text) {
                Some(found) => found,
                None if dest.text.starts_with('/') && depth <= 1 => {
                    (Severity::High, format!("everything under {}", dest.text))
                }
                None => return None,
            };
            Some(verdict(
                severity,
                dest.text.clone(),
                format!(
                    "`delete: true`, which deletes from {what} every file the source does not have"
                ),
                get("delete")?.line,
            ))
        }
        // Loading a dump runs its `DROP TABLE … CREATE TABLE`: rows written since the dump
        // was taken are lost.
        "mysql_db" | "postgresql_db" => {
            let state = get("state").filter(|s| matches!(s.text.as_str(), "import" | "restore"))?;
            Some(verdict(
                Severity::High,
                target.to_owned(),
                format!(
                    "`state: {}`, which loads a dump over the database: tables the dump recreates lose the rows written since it was taken",
                    state.text
                ),
                state.line,
            ))
        }
        // Redshift takes its action as a `command`: `delete` drops the cluster.
        "redshift" => {
            let command = get("command").filter(|c| c.text == "delete")?;
            let snapshot = if args.truthy("skip_final_cluster_snapshot") {
                " with no final snapshot"
            } else {
                ""
            };
            Some(verdict(
                Severity::Critical,
                target.to_owned(),
                format!("`command: delete`, which deletes the warehouse cluster{snapshot}"),
                command.line,
            ))
        }
        "mongodb_shell" => {
            let eval = get("eval")?;
            let call = destructive_mongo(&eval.text)?;
            let severity = if call.contains("dropDatabase") {
                Severity::Critical
            } else {
                Severity::High
            };
            Some(verdict(
                severity,
                get("db").map(|d| d.text).unwrap_or_default(),
                format!("an `eval` that runs `{call}()`"),
                eval.line,
            ))
        }
        "postgresql_query" | "mysql_query" => {
            let query = get("query")?;
            let sql = destructive_sql(&query.text)?;
            let severity = if sql.starts_with("DROP DATABASE") || sql.starts_with("DROP SCHEMA") {
                Severity::Critical
            } else {
                Severity::High
            };
            let db = get("db").or_else(|| get("login_db")).map(|d| d.text);
            Some(verdict(
                severity,
                db.unwrap_or_default(),
                format!("a query that runs {sql}"),
                query.line,
            ))
        }
        _ => None,
    }
}
