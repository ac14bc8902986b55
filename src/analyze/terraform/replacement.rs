//! replacement: in-place edits that Terraform cannot apply in place. A curated table of
//! attributes whose change forces the provider to destroy the object and create a new one
//! (`ForceNew`: "Changing this forces a new resource to be created"), and the settings whose
//! only purpose is to force a replacement (`triggers`, `keepers`, `replace_triggered_by`).
//! Pure: compares two parsed blocks and returns findings.
//!
//! The table holds only attributes that force replacement in current provider versions.
//! Left out on purpose, because they are updated in place now: `aws_db_instance.identifier`
//! (renamed in place since AWS provider 5.0), `google_sql_database_instance.database_version`
//! (major version upgrades run in place), `azurerm_managed_disk.storage_account_type` and
//! `azurerm_storage_account.account_kind` (upgraded in place), `azurerm_mysql_flexible_server.version`
//! (upgraded in place since azurerm 4.x), `aws_elasticache_replication_group.engine` (moves
//! between redis and valkey in place) and `aws_redshift_cluster.database_name` (not `ForceNew`).

use super::model::{Item, ItemKind, Lit, Setting, TfFile};
use super::{data_note, stateful, Dir, FileView, REPLACEMENT_ATTRIBUTE, REPLACE_TRIGGERED};
use crate::change::Side;
use crate::finding::{Finding, Severity};
use std::collections::HashMap;
use std::sync::{Arc, LazyLock};

/// Resource types and the top-level attributes whose change replaces the object.
pub const FORCES_NEW: &[(&str, &[&str])] = &[
    // AWS: databases and caches
    (
        "aws_db_instance",
        &[
            "engine",
            "db_name",
            "username",
            "storage_encrypted",
            "kms_key_id",
            "availability_zone",
            "character_set_name",
            "timezone",
        ],
    ),
    (
        "aws_rds_cluster",
        &[
            "cluster_identifier",
            "engine",
            "database_name",
            "master_username",
            "storage_encrypted",
            "kms_key_id",
        ],
    ),
    (
        "aws_rds_cluster_instance",
        &["identifier", "cluster_identifier", "engine"],
    ),
    (
        "aws_docdb_cluster",
        &["cluster_identifier", "storage_encrypted", "kms_key_id"],
    ),
    // Local secondary indexes can only be defined when the table is created.
    (
        "aws_dynamodb_table",
        &[
            "name",
            "hash_key",
            "range_key",
            "local_secondary_index.name",
        ],
    ),
    (
        "aws_elasticache_replication_group",
        &[
            "replication_group_id",
            "at_rest_encryption_enabled",
            "kms_key_id",
        ],
    ),
    (
        "aws_elasticache_cluster",
        &[
            "cluster_id",
            "subnet_group_name",
            "port",
            "availability_zone",
            "snapshot_arns",
            "snapshot_name",
            // Only a replication group moves between redis and valkey in place.
            "engine",
        ],
    ),
    (
        "aws_redshift_cluster",
        &["cluster_identifier", "master_username"],
    ),
    (
        "aws_neptune_cluster",
        &["cluster_identifier", "engine", "storage_encrypted"],
    ),
    (
        "aws_memorydb_cluster",
        &["name", "name_prefix", "tls_enabled", "subnet_group_name"],
    ),
    ("aws_opensearch_domain", &["domain_name"]),
    ("aws_elasticsearch_domain", &["domain_name"]),
    // AWS: storage
    (
        "aws_s3_bucket",
        &["bucket", "bucket_prefix", "object_lock_enabled"],
    ),
    (
        "aws_ebs_volume",
        &[
            "availability_zone",
            "snapshot_id",
            "encrypted",
            "kms_key_id",
        ],
    ),
    (
        "aws_efs_file_system",
        &[
            "creation_token",
            "encrypted",
            "kms_key_id",
            "performance_mode",
            "availability_zone_name",
        ],
    ),
    ("aws_backup_vault", &["name"]),
    ("aws_ecr_repository", &["name"]),
    // AWS: keys, secrets, zones, queues, streams, logs, clusters
    (
        "aws_kms_key",
        &["customer_master_key_spec", "key_usage", "multi_region"],
    ),
    ("aws_secretsmanager_secret", &["name", "name_prefix"]),
    ("aws_route53_zone", &["name"]),
    // Sign-in attributes are fixed when a user pool is created (ForceNew in the provider).
    (
        "aws_cognito_user_pool",
        &[
            "name",
            "alias_attributes",
            "username_attributes",
            "username_configuration.case_sensitive",
        ],
    ),
    ("aws_sqs_queue", &["name", "name_prefix", "fifo_queue"]),
    ("aws_kinesis_stream", &["name"]),
    (
        "aws_msk_cluster",
        &["cluster_name", "broker_node_group_info.client_subnets"],
    ),
    ("aws_cloudwatch_log_group", &["name", "name_prefix"]),
    ("aws_eks_cluster", &["name", "role_arn"]),
    ("aws_instance", &["ami", "availability_zone", "subnet_id"]),
    // AWS: networks and the things traffic depends on. Not stateful, but a replaced VPC or
    // subnet takes everything inside with it, and a replaced security group or load
    // balancer cuts traffic while the new one is created.
    ("aws_vpc", &["cidr_block"]),
    ("aws_subnet", &["cidr_block", "vpc_id", "availability_zone"]),
    (
        "aws_security_group",
        &["name", "name_prefix", "description", "vpc_id"],
    ),
    ("aws_lb", &["name", "internal", "load_balancer_type"]),
    ("aws_iam_role", &["name", "name_prefix", "path"]),
    ("aws_lambda_function", &["function_name"]),
    ("aws_sns_topic", &["name", "name_prefix", "fifo_topic"]),
    // Google Cloud
    (
        "google_sql_database_instance",
        &["name", "region", "project", "encryption_key_name"],
    ),
    ("google_sql_database", &["name", "instance"]),
    (
        "google_compute_instance",
        &[
            "name",
            "zone",
            "project",
            "boot_disk.initialize_params.image",
            // "forces the instance to be recreated (thus re-running the script)".
            "metadata_startup_script",
        ],
    ),
    ("google_storage_bucket", &["name", "location", "project"]),
    (
        "google_compute_disk",
        &["name", "zone", "type", "image", "snapshot", "project"],
    ),
    (
        "google_compute_region_disk",
        &["name", "region", "type", "snapshot"],
    ),
    (
        "google_container_cluster",
        &[
            "name",
            "location",
            "project",
            "network",
            "subnetwork",
            "enable_autopilot",
            // The default node pool's size at creation; resizing it is the node pool's job.
            "initial_node_count",
        ],
    ),
    // Not stateful, but its nodes and their pods go with it.
    (
        "google_container_node_pool",
        &["name", "cluster", "location", "initial_node_count"],
    ),
    ("google_kms_key_ring", &["name", "location", "project"]),
    ("google_kms_crypto_key", &["name", "key_ring", "purpose"]),
    ("google_dns_managed_zone", &["name", "dns_name", "project"]),
    ("google_pubsub_topic", &["name", "project"]),
    ("google_pubsub_subscription", &["name", "topic"]),
    (
        "google_bigquery_dataset",
        &["dataset_id", "location", "project"],
    ),
    (
        "google_bigquery_table",
        &["dataset_id", "table_id", "project"],
    ),
    ("google_spanner_instance", &["name", "config"]),
    ("google_spanner_database", &["name", "instance"]),
    ("google_redis_instance", &["name", "region"]),
    ("google_filestore_instance", &["name", "location"]),
    ("google_secret_manager_secret", &["secret_id", "project"]),
    (
        "google_alloydb_cluster",
        &["cluster_id", "location", "project"],
    ),
    // Azure
    ("azurerm_resource_group", &["name", "location"]),
    (
        "azurerm_storage_account",
        &[
            "name",
            "resource_group_name",
            "location",
            "account_tier",
            "is_hns_enabled",
        ],
    ),
    (
        "azurerm_storage_container",
        &["name", "storage_account_name", "storage_account_id"],
    ),
    ("azurerm_storage_share", &["name", "storage_account_name"]),
    // `administrator_login` forces a new server once it is set; the whole
    // `customer_managed_key` block is ForceNew.
    (
        "azurerm_postgresql_flexible_server",
        &[
            "name",
            "resource_group_name",
            "location",
            "administrator_login",
            "geo_redundant_backup_enabled",
            "delegated_subnet_id",
            "customer_managed_key.key_vault_key_id",
        ],
    ),
    (
        "azurerm_postgresql_flexible_server_database",
        &["name", "server_id", "charset", "collation"],
    ),
    // `version` upgrades in place since azurerm 4.x; the network and restore settings do not.
    (
        "azurerm_mysql_flexible_server",
        &[
            "name",
            "resource_group_name",
            "location",
            "administrator_login",
            "create_mode",
            "source_server_id",
            "delegated_subnet_id",
            "private_dns_zone_id",
            "geo_redundant_backup_enabled",
        ],
    ),
    (
        "azurerm_mssql_server",
        &["name", "resource_group_name", "location"],
    ),
    (
        "azurerm_mssql_database",
        &["name", "server_id", "collation"],
    ),
    (
        "azurerm_managed_disk",
        &["name", "resource_group_name", "location", "create_option"],
    ),
    (
        "azurerm_kubernetes_cluster",
        &["name", "resource_group_name", "location", "dns_prefix"],
    ),
    (
        "azurerm_key_vault",
        &["name", "resource_group_name", "location"],
    ),
    (
        "azurerm_key_vault_key",
        &["name", "key_vault_id", "key_type"],
    ),
    (
        "azurerm_cosmosdb_account",
        &["name", "resource_group_name", "kind"],
    ),
    ("azurerm_linux_virtual_machine", &VIRTUAL_MACHINE),
    ("azurerm_windows_virtual_machine", &VIRTUAL_MACHINE),
    ("azurerm_dns_zone", &["name", "resource_group_name"]),
    ("azurerm_private_dns_zone", &["name", "resource_group_name"]),
    (
        "azurerm_redis_cache",
        &["name", "resource_group_name", "location"],
    ),
    // Kubernetes: an object's name (and a claim's namespace) is part of its identity.
    ("kubernetes_namespace", &["metadata.name"]),
    ("kubernetes_namespace_v1", &["metadata.name"]),
    (
        "kubernetes_persistent_volume_claim",
        &["metadata.name", "metadata.namespace"],
    ),
    (
        "kubernetes_persistent_volume_claim_v1",
        &["metadata.name", "metadata.namespace"],
    ),
    ("kubernetes_persistent_volume", &["metadata.name"]),
    ("kubernetes_persistent_volume_v1", &["metadata.name"]),
    // Helm cannot rename or move a release: it uninstalls it and installs a new one.
    ("helm_release", &["name", "namespace"]),
    // Cloudflare: `zone` (provider v4) and `name` (v5) name the domain.
    ("cloudflare_zone", &["zone", "name"]),
    ("cloudflare_r2_bucket", &["name", "account_id", "location"]),
    // Vault: a mount cannot change its engine; a secret lives at its path.
    ("vault_mount", &["type"]),
    ("vault_kv_secret_v2", &["mount", "name"]),
    ("vault_kv_secret", &["path"]),
    ("vault_generic_secret", &["path"]),
    (
        "vault_transit_secret_backend_key",
        &["backend", "name", "type"],
    ),
    // Atlas: "Changing the name will result in destruction of the existing cluster".
    ("mongodbatlas_cluster", &["name", "project_id"]),
    ("mongodbatlas_advanced_cluster", &["name", "project_id"]),
    ("confluent_kafka_topic", &["topic_name"]),
    ("confluent_kafka_cluster", &["cloud", "region"]),
    ("digitalocean_database_cluster", &["engine"]),
    (
        "digitalocean_volume",
        &["region", "filesystem_type", "snapshot_id"],
    ),
    ("digitalocean_spaces_bucket", &["name", "region"]),
    ("digitalocean_droplet", &["image", "region"]),
    ("digitalocean_kubernetes_cluster", &["region", "vpc_uuid"]),
    // Hetzner: a server is created from its image at its location; a volume stays where it is.
    ("hcloud_server", &["image", "location", "datacenter"]),
    ("hcloud_volume", &["location"]),
    // Generated values: any change of how they are generated generates a new value, and
    // everything that reads it (a password, a name suffix) changes with it.
    ("random_password", &RANDOM_STRING),
    ("random_string", &RANDOM_STRING),
    ("random_id", &["byte_length", "prefix"]),
    ("random_pet", &["length", "prefix", "separator"]),
    ("random_integer", &["min", "max", "seed"]),
    ("tls_private_key", &["algorithm", "rsa_bits", "ecdsa_curve"]),
];

/// How a `random_password` or `random_string` is generated: every one forces a new value.
const RANDOM_STRING: [&str; 11] = [
    "length",
    "special",
    "upper",
    "lower",
    "numeric",
    "number",
    "min_lower",
    "min_upper",
    "min_numeric",
    "min_special",
    "override_special",
];

/// Azure virtual machines are created from their image: another one means a new machine.
const VIRTUAL_MACHINE: [&str; 10] = [
    // Cloud-init runs once, at creation: the provider recreates the machine to run it again.
    "custom_data",
    "name",
    "resource_group_name",
    "location",
    "admin_username",
    "source_image_id",
    "source_image_reference.publisher",
    "source_image_reference.offer",
    "source_image_reference.sku",
    "source_image_reference.version",
];

/// Numeric attributes that update in place when raised but force a replacement when lowered:
/// the provider cannot shrink a Flexible Server's storage or downgrade its major version.
pub const FORCES_NEW_WHEN_LOWERED: &[(&str, &[&str])] = &[
    (
        "azurerm_postgresql_flexible_server",
        &["storage_mb", "version"],
    ),
    ("azurerm_mysql_flexible_server", &["storage.size_gb"]),
];

/// Attributes that force a replacement only while a switch of the same resource is literally
/// `true`: an instance's `user_data` is re-run by replacing the instance once
/// `user_data_replace_on_change` is set, and updated in place (at the next stop) otherwise.
const FORCES_NEW_WHEN_SWITCHED: &[(&str, &[&str], &str)] = &[(
    "aws_instance",
    &["user_data", "user_data_base64"],
    "user_data_replace_on_change",
)];

/// The attributes of `item` that force a replacement because a switch of its own says so.
fn forces_new_when_switched(item: &Item) -> &'static [&'static str] {
    FORCES_NEW_WHEN_SWITCHED
        .iter()
        .find(|(t, _, switch)| {
            *t == item.rtype && item.get(switch).and_then(|s| s.value.as_bool()) == Some(true)
        })
        .map_or(&[], |(_, attrs, _)| attrs)
}

/// [`FORCES_NEW`] by type, built once: every resource of every changed file is looked up.
static FORCES_NEW_BY_TYPE: LazyLock<HashMap<&'static str, &'static [&'static str]>> =
    LazyLock::new(|| FORCES_NEW.iter().map(|(t, attrs)| (*t, *attrs)).collect());

/// The attributes of `rtype` whose change forces a replacement.
pub fn forces_new(rtype: &str) -> &'static [&'static str] {
    FORCES_NEW_BY_TYPE.get(rtype).copied().unwrap_or(&[])
}

pub(super) fn destroy_grade(rtype: &str) -> Severity {
    if stateful::stateful(rtype) {
        Severity::Critical
    } else {
        Severity::High
    }
}

/// How a setting changed between two sides: `None` when it did not.
struct Changed<'s> {
    before: Option<&'s Setting>,
    after: Option<&'s Setting>,
}

impl Changed<'_> {
    /// Whether the change is certain from the text: both sides literal values.
    fn known(&self) -> bool {
        let known = |s: Option<&Setting>| s.is_none_or(|s| s.value.is_known());
        known(self.before) && known(self.after)
    }
    fn render(s: Option<&Setting>) -> String {
        s.map_or_else(|| "(unset)".to_owned(), |s| s.value.render())
    }
}

fn changed<'s>(old: &'s Item, new: &'s Item, path: &str) -> Option<Changed<'s>> {
    let (before, after) = (old.get(path), new.get(path));
    let is_default = |s: &Setting| {
        DEFAULTS.iter().any(|(rtype, attr, default)| {
            *rtype == new.rtype && *attr == path && matches!(&s.value, Lit::Str(v) if v == default)
        })
    };
    let same = match (before, after) {
        (Some(b), Some(a)) => b.value.same(&a.value),
        (None, None) => true,
        // The provider's default written out, or dropped, is the value it already had.
        (Some(only), None) | (None, Some(only)) => is_default(only),
    };
    (!same).then_some(Changed { before, after })
}

/// Replacing attributes whose absence means a known value: writing that value out, or
/// dropping it, changes nothing.
const DEFAULTS: &[(&str, &str, &str)] = &[
    ("helm_release", "namespace", "default"),
    (
        "kubernetes_persistent_volume_claim",
        "metadata.namespace",
        "default",
    ),
    (
        "kubernetes_persistent_volume_claim_v1",
        "metadata.namespace",
        "default",
    ),
];

/// [`changed`], with a plain `local.NAME` on either side read as the local's value.
fn value_changed<'s>(
    locals: &Locals,
    old: &'s Item,
    new: &'s Item,
    path: &str,
) -> Option<Changed<'s>> {
    changed(old, new, path).filter(|c| match (c.before, c.after) {
        (Some(b), Some(a)) => !locals
            .resolve(Side::Base, &b.value)
            .same(&locals.resolve(Side::Head, &a.value)),
        _ => true,
    })
}

/// The `locals` of the reviewed file's directory on each side, read only when a setting is a
/// plain `local.NAME` reference: moving a value into a local (`name = local.queue_name`,
/// with `queue_name = "${local.name}-jobs"`) changes the text, not the value.
struct Locals<'v> {
    view: &'v FileView<'v>,
    files: [&'v Arc<TfFile>; 2],
}

impl Locals<'_> {
    /// How many `local.a` → `local.b` hops are followed before giving up.
    const HOPS: usize = 4;

    /// The value `lit` stands for on `side`: itself, unless it names a local that the
    /// directory declares there.
    fn resolve(&self, side: Side, lit: &Lit) -> Lit {
        let mut value = lit.clone();
        for _ in 0..Self::HOPS {
            let Some(name) = local_name(&value) else {
                break;
            };
            let Some(next) = self.local(side, name) else {
                break;
            };
            value = next;
        }
        value
    }

    fn local(&self, side: Side, name: &str) -> Option<Lit> {
        let own = match side {
            Side::Base => self.files[0],
            Side::Head => self.files[1],
        };
        if let Some(v) = own.locals.get(name) {
            return Some(v.clone());
        }
        let path = match side {
            Side::Base => self.view.change.old_path.as_ref(),
            Side::Head => self.view.change.new_path.as_ref(),
        }?;
        Dir::load(self.view, side, path.dir(), Some((path, own)))
            .local(name)
            .cloned()
    }
}

/// `NAME` when the expression is exactly `local.NAME`.
fn local_name(lit: &Lit) -> Option<&str> {
    let Lit::Expr(text) = lit else {
        return None;
    };
    let name = text.strip_prefix("local.")?;
    let plain = !name.is_empty()
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-');
    plain.then_some(name)
}

/// Whether a Google `network` or `subnetwork` was only rewritten between its name and its
/// self link (`vpc-a`, `projects/acme/global/networks/vpc-a`): the provider compares the
/// last path segment, so the plan shows no change.
fn same_google_network(rtype: &str, attr: &str, c: &Changed) -> bool {
    let last = |s: Option<&Setting>| match s.map(|s| &s.value) {
        Some(Lit::Str(v)) => v.rsplit('/').next().map(str::to_owned),
        _ => None,
    };
    rtype.starts_with("google_")
        && matches!(attr, "network" | "subnetwork")
        && last(c.before).is_some()
        && last(c.before) == last(c.after)
}

/// Attributes the provider keeps as a set: the same members in another order are no change.
const SETS: &[(&str, &str)] = &[
    ("aws_cognito_user_pool", "alias_attributes"),
    ("aws_cognito_user_pool", "username_attributes"),
];

/// The members of a literal list of strings, in order of value.
fn members(lit: &Lit) -> Option<std::collections::BTreeSet<String>> {
    let Lit::Data(text) = lit else {
        return None;
    };
    let expr: hcl_edit::expr::Expression = text.parse().ok()?;
    super::model::literal_keys(&expr)
}

/// Whether a set-valued attribute ([`SETS`]) only had its members reordered.
fn same_set(rtype: &str, attr: &str, c: &Changed) -> bool {
    if !SETS.contains(&(rtype, attr)) {
        return false;
    }
    let (Some(b), Some(a)) = (c.before, c.after) else {
        return false;
    };
    members(&b.value).is_some_and(|m| Some(m) == members(&a.value))
}

/// Replacing attributes a provider renamed in a major version: (type, new name, old name).
/// The upgrade writes the old value under the new name, and the provider reads the state it
/// kept under the old one, so the plan shows no change (AWS provider v4 renamed
/// `aws_db_instance.name` to `db_name`, and v5 removed `name`).
const RENAMED: &[(&str, &str, &str)] = &[("aws_db_instance", "db_name", "name")];

/// Whether `attr`, set at the head where the base did not set it, only took over the value the
/// base had under the attribute's old name ([`RENAMED`]). A different value, or one twokey
/// cannot compare, is still a change.
fn renamed_with_same_value(
    locals: &Locals,
    old: &Item,
    new: &Item,
    attr: &str,
    after: &Setting,
) -> bool {
    RENAMED
        .iter()
        .filter(|(rtype, renamed, _)| *rtype == new.rtype && *renamed == attr)
        .filter_map(|(_, _, was)| old.get(was))
        .any(|before| {
            locals
                .resolve(Side::Base, &before.value)
                .same(&locals.resolve(Side::Head, &after.value))
        })
}

/// Replacement-forcing attributes of the table that `new` changes against `old`.
pub fn replacement_attributes(
    view: &FileView,
    files: [&Arc<TfFile>; 2],
    old: &Item,
    new: &Item,
    out: &mut Vec<Finding>,
) {
    if new.kind != ItemKind::Resource {
        return;
    }
    let locals = Locals { view, files };
    for attr in forces_new(&new.rtype)
        .iter()
        .chain(forces_new_when_switched(new))
    {
        if new.ignores(attr) {
            continue;
        }
        let Some(c) = value_changed(&locals, old, new, attr)
            .filter(|c| !same_google_network(&new.rtype, attr, c))
            .filter(|c| !same_set(&new.rtype, attr, c))
        else {
            continue;
        };
        // A removed Optional+Computed attribute keeps the value in state: no diff.
        let Some(after) = c.after else {
            continue;
        };
        if c.before.is_none() && renamed_with_same_value(&locals, old, new, attr, after) {
            continue;
        }
        let (will, hedge) = if c.known() && c.before.is_some() {
            ("forces", "will show")
        } else {
            ("may force", "may show")
        };
        let what = match c.before {
            Some(b) => format!(
                "changed from {} to {}",
                b.value.render(),
                after.value.render()
            ),
            None => format!(
                "was set to {} (if that differs from the object's current value)",
                after.value.render()
            ),
        };
        out.push(
            Finding::new(
                &REPLACEMENT_ATTRIBUTE,
                view.at(Side::Head, after.line, after.line),
                format!(
                    "`{attr}` of `{}` {what}, which {will} a replacement: `terraform plan` {hedge} \
                     `-/+ destroy and then create replacement`, so the existing {}{} {} destroyed.",
                    new.address,
                    new.rtype,
                    data_note(new),
                    if data_note(new).is_empty() { "is" } else { "are" }
                ),
            )
            .with_severity(destroy_grade(&new.rtype))
            .with_safer(format!(
                "Keep `{attr}` as it was. If the new value is needed, create the new object beside the old one \
                 (a second block, or `lifecycle {{ create_before_destroy = true }}`), migrate the data, then remove \
                 the old one; if only Terraform's view is wrong, use `terraform import` or `terraform state mv` \
                 instead, or `lifecycle {{ ignore_changes = [{attr}] }}` to leave the real object alone."
            )),
        );
    }
}

/// The attributes of `rtype` that force a replacement only when lowered.
fn forces_new_when_lowered(rtype: &str) -> &'static [&'static str] {
    FORCES_NEW_WHEN_LOWERED
        .iter()
        .find(|(t, _)| *t == rtype)
        .map_or(&[], |(_, attrs)| attrs)
}

/// Attributes of [`FORCES_NEW_WHEN_LOWERED`] that `new` lowers against `old`. Judged only
/// when both sides are literal numbers: raising them, or a value twokey cannot read, is
/// left alone.
pub fn lowered_attributes(view: &FileView, old: &Item, new: &Item, out: &mut Vec<Finding>) {
    if new.kind != ItemKind::Resource || old.rtype != new.rtype {
        return;
    }
    for attr in forces_new_when_lowered(&new.rtype) {
        if new.ignores(attr) {
            continue;
        }
        let (Some(before), Some(after)) = (old.get(attr), new.get(attr)) else {
            continue;
        };
        let (Some(was), Some(now)) = (before.value.as_num(), after.value.as_num()) else {
            continue;
        };
        if now >= was {
            continue;
        }
        out.push(
            Finding::new(
                &REPLACEMENT_ATTRIBUTE,
                view.at(Side::Head, after.line, after.line),
                format!(
                    "`{attr}` of `{}` was lowered from {} to {}, which the provider cannot do in place: \
                     `terraform plan` will show `-/+ destroy and then create replacement`, so the existing {}{} {} destroyed.",
                    new.address,
                    before.value.render(),
                    after.value.render(),
                    new.rtype,
                    data_note(new),
                    if data_note(new).is_empty() { "is" } else { "are" }
                ),
            )
            .with_severity(destroy_grade(&new.rtype))
            .with_safer(format!(
                "Keep `{attr}` at {} or raise it. To go lower, create a new server beside the old one, \
                 migrate the data (dump and restore), then remove the old one in its own reviewed change.",
                before.value.render()
            )),
        );
    }
}

/// The setting of a type whose only effect is to force a replacement when it changes.
fn trigger_setting(rtype: &str) -> Option<&'static str> {
    match rtype {
        "null_resource" => Some("triggers"),
        "terraform_data" => Some("triggers_replace"),
        t if t.starts_with("random_") => Some("keepers"),
        t if t.starts_with("time_") => Some("triggers"),
        _ => None,
    }
}

fn trigger_severity(rtype: &str) -> Severity {
    if stateful::stateful(rtype) || rtype.starts_with("random_") {
        Severity::High
    } else {
        Severity::Medium
    }
}

/// `triggers`, `triggers_replace`, `keepers` changed, and `replace_triggered_by` added or changed.
pub fn triggers(view: &super::FileView, old: &Item, new: &Item, out: &mut Vec<Finding>) {
    if new.kind != ItemKind::Resource {
        return;
    }
    let certainty = |c: &Changed| {
        if c.known() {
            ""
        } else {
            " (the value may differ)"
        }
    };
    if let Some(attr) = trigger_setting(&new.rtype) {
        if let Some(c) = changed(old, new, attr).filter(|_| !new.ignores(attr)) {
            let line = c.after.map_or(new.line, |s| s.line);
            let effect = if new.rtype.starts_with("random_") {
                format!(
                    "so the next apply generates a new value, and everything that uses `{}.result` gets it \
                     (a password is rotated, a generated name changes and can force replacements downstream)",
                    new.address
                )
            } else {
                "so the next apply destroys and recreates it: its provisioners run again, and resources \
                 that list it in `replace_triggered_by` are replaced too"
                    .to_owned()
            };
            out.push(
                Finding::new(
                    &REPLACE_TRIGGERED,
                    view.at(Side::Head, line, line),
                    format!(
                        "`{attr}` of `{}` changed from {} to {}{}, {effect}.",
                        new.address,
                        Changed::render(c.before),
                        Changed::render(c.after),
                        certainty(&c)
                    ),
                )
                .with_severity(trigger_severity(&new.rtype)),
            );
        }
    }
    const BY: &str = "lifecycle.replace_triggered_by";
    if let Some(c) = changed(old, new, BY) {
        if let Some(after) = c.after {
            let how = if c.before.is_some() {
                "changed"
            } else {
                "was added"
            };
            out.push(
                Finding::new(
                    &REPLACE_TRIGGERED,
                    view.at(Side::Head, after.line, after.line),
                    format!(
                        "`replace_triggered_by = {}` {how} on `{}`: from now on any change to those references \
                         destroys and recreates it{}, including in this change if they change here.",
                        after.value.render(),
                        new.address,
                        data_note(new)
                    ),
                )
                .with_severity(trigger_severity(&new.rtype)),
            );
        }
    }
}
