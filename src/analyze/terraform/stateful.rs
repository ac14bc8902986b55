//! stateful: which Terraform resource types hold data that cannot be recreated, shared by the
//! configuration analyzer and the plan analyzer so both grade a destroyed object alike.
//!
//! Grading, and why:
//! - **Critical**: the type stores data or identity that a recreate does not bring back
//!   (databases, buckets, disks, keys, DNS zones, clusters with their workloads).
//! - **Low**: bookkeeping objects with no effect outside Terraform (`null_resource`,
//!   `terraform_data`, `time_*`).
//! - **Medium**: small attachment objects that are recreated in seconds, though their absence
//!   briefly cuts access (security group rules, IAM attachments and memberships, role
//!   assignments, routes, generated values), and alerting and dashboards, whose loss costs
//!   visibility, not data.
//! - **High**: everything else: a real object serving traffic, recreatable with an outage.

use std::collections::HashSet;
use std::sync::LazyLock;

use crate::finding::Severity;

/// Types (exact, or with one `*` wildcard) whose destruction loses data.
const STATEFUL: &[&str] = &[
    // AWS
    "aws_db_instance",
    "aws_db_cluster_snapshot",
    "aws_db_snapshot",
    "aws_rds_cluster",
    "aws_rds_cluster_instance",
    "aws_rds_global_cluster",
    "aws_dsql_cluster",
    "aws_docdb_cluster",
    "aws_docdb_elastic_cluster",
    "aws_neptune_cluster",
    "aws_redshift_cluster",
    "aws_redshiftserverless_namespace",
    "aws_dynamodb_table",
    "aws_dynamodb_global_table",
    "aws_elasticache_cluster",
    "aws_elasticache_replication_group",
    "aws_elasticache_global_replication_group",
    "aws_elasticache_serverless_cache",
    "aws_memorydb_cluster",
    "aws_opensearch_domain",
    "aws_elasticsearch_domain",
    "aws_s3_bucket",
    "aws_s3_directory_bucket",
    "aws_glacier_vault",
    "aws_ebs_volume",
    "aws_ebs_snapshot",
    "aws_efs_file_system",
    "aws_fsx_*_file_system",
    "aws_fsx_*_volume",
    "aws_backup_vault",
    "aws_kms_key",
    "aws_kms_replica_key",
    "aws_secretsmanager_secret",
    "aws_route53_zone",
    "aws_cognito_user_pool",
    "aws_kinesis_stream",
    // CloudTrail Lake: the audit events it holds are the record of what happened.
    "aws_cloudtrail_event_data_store",
    "aws_msk_cluster",
    "aws_sqs_queue",
    "aws_mq_broker",
    "aws_cloudwatch_log_group",
    "aws_ecr_repository",
    "aws_eks_cluster",
    "aws_timestreamwrite_table",
    "aws_qldb_ledger",
    "aws_keyspaces_table",
    // Google Cloud
    "google_sql_database_instance",
    "google_sql_database",
    "google_storage_bucket",
    "google_compute_disk",
    "google_compute_region_disk",
    "google_compute_snapshot",
    "google_bigquery_dataset",
    "google_bigquery_table",
    "google_bigtable_instance",
    "google_bigtable_table",
    "google_spanner_instance",
    "google_spanner_database",
    "google_firestore_database",
    "google_redis_instance",
    "google_redis_cluster",
    "google_memorystore_instance",
    "google_filestore_instance",
    "google_kms_key_ring",
    "google_kms_crypto_key",
    "google_dns_managed_zone",
    "google_container_cluster",
    "google_alloydb_cluster",
    "google_secret_manager_secret",
    "google_pubsub_topic",
    "google_pubsub_subscription",
    "google_artifact_registry_repository",
    // Destroying a project deletes everything in it.
    "google_project",
    // Azure
    "azurerm_storage_account",
    "azurerm_storage_container",
    "azurerm_storage_share",
    "azurerm_storage_blob",
    "azurerm_storage_table",
    "azurerm_storage_queue",
    "azurerm_storage_data_lake_gen2_filesystem",
    "azurerm_*_database",
    "azurerm_*_server",
    "azurerm_*_flexible_server",
    "azurerm_cosmosdb_account",
    "azurerm_cosmosdb_*_database",
    "azurerm_cosmosdb_*_container",
    "azurerm_cosmosdb_*_collection",
    "azurerm_cosmosdb_*_keyspace",
    "azurerm_cosmosdb_*_graph",
    "azurerm_cosmosdb_table",
    "azurerm_cosmosdb_postgresql_cluster",
    "azurerm_mssql_managed_instance",
    "azurerm_redis_cache",
    "azurerm_managed_disk",
    "azurerm_key_vault",
    "azurerm_key_vault_key",
    "azurerm_key_vault_secret",
    "azurerm_key_vault_managed_hardware_security_module",
    "azurerm_app_configuration",
    "azurerm_dns_zone",
    "azurerm_private_dns_zone",
    "azurerm_kubernetes_cluster",
    "azurerm_resource_group",
    "azurerm_recovery_services_vault",
    "azurerm_data_protection_backup_vault",
    "azurerm_netapp_volume",
    "azurerm_servicebus_namespace",
    "azurerm_servicebus_queue",
    "azurerm_eventhub_namespace",
    "azurerm_eventhub",
    "azurerm_log_analytics_workspace",
    "azurerm_container_registry",
    // DigitalOcean
    "digitalocean_database_cluster",
    "digitalocean_database_db",
    "digitalocean_volume",
    "digitalocean_volume_snapshot",
    "digitalocean_droplet_snapshot",
    "digitalocean_spaces_bucket",
    "digitalocean_container_registry",
    "digitalocean_kubernetes_cluster",
    // Hetzner: a volume (and a snapshot) is the data; a server is recreated from its image.
    "hcloud_volume",
    // Nomad creates these volumes (a CSI plugin's disk, a dynamic host volume) and deletes
    // them on destroy; `nomad_csi_volume_registration` only registers an existing one.
    "nomad_csi_volume",
    "nomad_dynamic_host_volume",
    "hcloud_snapshot",
    "hcloud_storage_box",
    // Oracle Cloud
    "oci_objectstorage_bucket",
    "oci_database_autonomous_database",
    "oci_database_db_system",
    "oci_database_database",
    "oci_mysql_mysql_db_system",
    "oci_psql_db_system",
    "oci_nosql_table",
    "oci_core_volume",
    "oci_core_boot_volume",
    "oci_core_volume_backup",
    "oci_file_storage_file_system",
    "oci_kms_vault",
    "oci_kms_key",
    "oci_vault_secret",
    "oci_streaming_stream",
    "oci_containerengine_cluster",
    // Alibaba Cloud
    "alicloud_db_instance",
    "alicloud_polardb_cluster",
    "alicloud_kvstore_instance",
    "alicloud_mongodb_instance",
    "alicloud_mongodb_sharding_instance",
    "alicloud_oss_bucket",
    "alicloud_disk",
    "alicloud_ecs_disk",
    "alicloud_nas_file_system",
    "alicloud_kms_key",
    "alicloud_log_project",
    "alicloud_log_store",
    "alicloud_cs_managed_kubernetes",
    // Cloudflare: a zone holds every record and setting of the domain; R2, KV and D1 hold data.
    "cloudflare_zone",
    "cloudflare_r2_bucket",
    "cloudflare_workers_kv_namespace",
    "cloudflare_d1_database",
    // Kubernetes and Helm: a namespace takes every object in it; a release uninstalls its
    // chart, claims and all.
    "kubernetes_persistent_volume",
    "kubernetes_persistent_volume_v1",
    "kubernetes_persistent_volume_claim",
    "kubernetes_persistent_volume_claim_v1",
    "kubernetes_namespace",
    "kubernetes_namespace_v1",
    "helm_release",
    // Vault: a mount takes its secrets (or a PKI's keys) with it; a transit key is like a KMS key.
    "vault_mount",
    "vault_kv_secret",
    "vault_kv_secret_v2",
    "vault_generic_secret",
    "vault_transit_secret_backend_key",
    // Data platforms
    "mongodbatlas_cluster",
    "mongodbatlas_advanced_cluster",
    "mongodbatlas_serverless_instance",
    "mongodbatlas_flex_cluster",
    "snowflake_database",
    "snowflake_standard_database",
    "snowflake_schema",
    "snowflake_table",
    "confluent_kafka_cluster",
    "confluent_kafka_topic",
    "databricks_metastore",
    "databricks_catalog",
    "databricks_schema",
    "databricks_sql_table",
    "databricks_volume",
    // A workspace takes its notebooks, jobs and workspace files with it.
    "databricks_mws_workspaces",
    "github_repository",
    "tls_private_key",
];

/// Types that hold no data themselves but keep a stateful object's data recoverable: a
/// protection turned off on them weakens the bucket or file system they belong to.
const DATA_SETTINGS: &[&str] = &["aws_s3_bucket_versioning", "aws_efs_backup_policy"];

/// Types that are bookkeeping only: destroying them touches nothing outside Terraform.
const BOOKKEEPING: &[&str] = &["null_resource", "terraform_data", "time_*"];

/// Alerting and dashboards: their loss costs visibility until they are recreated, not data
/// or traffic (the metrics and logs they read stay where they are).
const MONITORING: &[&str] = &[
    "datadog_monitor",
    "datadog_monitor_json",
    "datadog_dashboard",
    "datadog_dashboard_json",
    "datadog_synthetics_test",
    "datadog_downtime",
    "datadog_downtime_schedule",
    "datadog_service_level_objective",
];

/// Small attachments recreated in seconds.
const ATTACHMENTS: &[&str] = &[
    "aws_security_group_rule",
    "aws_vpc_security_group_ingress_rule",
    "aws_vpc_security_group_egress_rule",
    "aws_iam_*_policy_attachment",
    "aws_iam_policy_attachment",
    "aws_iam_user_group_membership",
    "aws_lambda_permission",
    "aws_route",
    "aws_route_table_association",
    "google_*_iam_member",
    "google_*_iam_binding",
    "azurerm_role_assignment",
    "azurerm_network_security_rule",
    "random_*",
];

/// One of the tables above, split once into exact names and `prefix*suffix` patterns: every
/// block of every Terraform file is looked up, and scanning a table's patterns for `*` at
/// each lookup cost more than the rest of grading.
struct Table {
    exact: HashSet<&'static str>,
    wildcards: Vec<(&'static str, &'static str)>,
}

impl Table {
    fn new(patterns: &[&'static str]) -> Table {
        let mut table = Table {
            exact: HashSet::new(),
            wildcards: Vec::new(),
        };
        for pattern in patterns {
            match pattern.split_once('*') {
                None => {
                    table.exact.insert(pattern);
                }
                Some(parts) => table.wildcards.push(parts),
            }
        }
        table
    }

    fn contains(&self, resource_type: &str) -> bool {
        self.exact.contains(resource_type)
            || self.wildcards.iter().any(|(prefix, suffix)| {
                resource_type.len() > prefix.len() + suffix.len()
                    && resource_type.starts_with(prefix)
                    && resource_type.ends_with(suffix)
            })
    }
}

static STATEFUL_TYPES: LazyLock<Table> = LazyLock::new(|| Table::new(STATEFUL));
static BOOKKEEPING_TYPES: LazyLock<Table> = LazyLock::new(|| Table::new(BOOKKEEPING));
static ATTACHMENT_TYPES: LazyLock<Table> = LazyLock::new(|| Table::new(ATTACHMENTS));
static MONITORING_TYPES: LazyLock<Table> = LazyLock::new(|| Table::new(MONITORING));

/// Whether destroying an object of this type loses data that a recreate does not bring back.
pub fn stateful(resource_type: &str) -> bool {
    STATEFUL_TYPES.contains(resource_type)
}

/// Whether `resource_type` configures how a stateful object's data is kept
/// ([`DATA_SETTINGS`]), so weakening it is graded like weakening that object.
pub fn guards_data_of_another(resource_type: &str) -> bool {
    DATA_SETTINGS.contains(&resource_type)
}

/// The severity of destroying one object of `resource_type`; see the module docs for the grading.
pub fn destroy_severity(resource_type: &str) -> Severity {
    if stateful(resource_type) {
        Severity::Critical
    } else if BOOKKEEPING_TYPES.contains(resource_type) {
        Severity::Low
    } else if ATTACHMENT_TYPES.contains(resource_type) || MONITORING_TYPES.contains(resource_type) {
        Severity::Medium
    } else {
        Severity::High
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_table_matches_exact_names_and_wildcards_with_something_in_the_middle() {
        let table = Table::new(&["aws_route", "google_*_iam_member", "random_*"]);
        assert!(table.contains("aws_route"));
        assert!(!table.contains("aws_route_table"));
        assert!(table.contains("google_project_iam_member"));
        assert!(!table.contains("google__iam_member"));
        assert!(table.contains("random_id"));
        assert!(!table.contains("random_"));
    }

    #[test]
    fn databases_buckets_and_clusters_are_stateful() {
        for t in [
            "aws_db_instance",
            "aws_s3_bucket",
            "google_sql_database_instance",
            "azurerm_mssql_database",
            "azurerm_postgresql_flexible_server",
            "azurerm_kubernetes_cluster",
            "aws_eks_cluster",
        ] {
            assert!(stateful(t), "{t}");
            assert_eq!(destroy_severity(t), Severity::Critical, "{t}");
        }
    }

    #[test]
    fn data_holding_types_of_each_cloud_outrank_attachments() {
        for t in [
            "aws_rds_cluster",
            "aws_docdb_cluster",
            "aws_neptune_cluster",
            "aws_redshift_cluster",
            "aws_opensearch_domain",
            "aws_elasticache_serverless_cache",
            "aws_msk_cluster",
            "aws_fsx_lustre_file_system",
            "aws_fsx_ontap_volume",
            "aws_backup_vault",
            "aws_secretsmanager_secret",
            "aws_ecr_repository",
            "aws_cloudwatch_log_group",
            "aws_kms_key",
            "aws_route53_zone",
            "aws_sqs_queue",
            "aws_kinesis_stream",
            "google_spanner_database",
            "google_bigtable_table",
            "google_bigquery_table",
            "google_filestore_instance",
            "google_redis_instance",
            "google_pubsub_subscription",
            "azurerm_cosmosdb_sql_container",
            "azurerm_cosmosdb_mongo_database",
            "azurerm_storage_blob",
            "azurerm_storage_queue",
            "azurerm_mysql_flexible_server",
            "azurerm_servicebus_queue",
        ] {
            assert_eq!(destroy_severity(t), Severity::Critical, "{t}");
            assert!(
                destroy_severity(t) > destroy_severity("aws_security_group_rule"),
                "{t}"
            );
        }
        // Sub-objects that hold no data stay below.
        assert!(!stateful("azurerm_cosmosdb_sql_role_assignment"));
        assert!(!stateful("aws_elasticache_subnet_group"));
    }

    #[test]
    fn wildcard_needs_a_non_empty_middle() {
        assert!(!stateful("azurerm__database"));
        assert!(!stateful("azurerm_database"));
        assert!(!stateful("aws_s3_bucket_policy"));
    }

    #[test]
    fn attachments_and_bookkeeping_grade_below_ordinary_resources() {
        assert_eq!(
            destroy_severity("aws_security_group_rule"),
            Severity::Medium
        );
        assert_eq!(
            destroy_severity("aws_iam_role_policy_attachment"),
            Severity::Medium
        );
        assert_eq!(destroy_severity("null_resource"), Severity::Low);
        assert_eq!(destroy_severity("time_sleep"), Severity::Low);
        assert_eq!(destroy_severity("aws_instance"), Severity::High);
    }
}
