//! Before/after fixtures for the protections and retentions found missing when twokey was
//! checked against its peers' catalogues (Checkov, Trivy/defsec, KICS, PSRule for Azure) and
//! the providers' own docs. Each row weakens one setting and expects one finding; the same
//! edit undone (the protection turned back on, the retention lengthened) must stay quiet.

use super::tests::{ids, resource, run, SHORTENED, WEAKENED};
use crate::finding::Severity;

/// One edit of one resource: `from` becomes `to` inside `body`.
struct Row {
    rtype: &'static str,
    body: &'static str,
    from: &'static str,
    to: &'static str,
    rule: &'static str,
    severity: Severity,
}

const H: Severity = Severity::High;
const M: Severity = Severity::Medium;

const fn row(
    rtype: &'static str,
    body: &'static str,
    from: &'static str,
    to: &'static str,
    rule: &'static str,
    severity: Severity,
) -> Row {
    Row {
        rtype,
        body,
        from,
        to,
        rule,
        severity,
    }
}

const ROWS: &[Row] = &[
    // ---- protections ----
    row("aws_db_instance", "  identifier = \"db\"\n  delete_automated_backups = false\n", "false", "true", WEAKENED, H),
    row("aws_rds_cluster", "  cluster_identifier = \"c\"\n  delete_automated_backups = false\n", "  delete_automated_backups = false\n", "", WEAKENED, H),
    row("aws_s3_bucket_versioning", "  bucket = \"b\"\n  versioning_configuration {\n    status = \"Enabled\"\n    mfa_delete = \"Enabled\"\n  }\n", "mfa_delete = \"Enabled\"", "mfa_delete = \"Disabled\"", WEAKENED, H),
    row("aws_fsx_windows_file_system", "  storage_capacity = 300\n  automatic_backup_retention_days = 7\n", "= 7", "= 0", WEAKENED, H),
    row("aws_fsx_ontap_file_system", "  storage_capacity = 1024\n  automatic_backup_retention_days = 7\n", "= 7", "= 0", WEAKENED, H),
    row("aws_fsx_windows_file_system", "  storage_capacity = 300\n  skip_final_backup = false\n", "false", "true", WEAKENED, H),
    row("aws_fsx_lustre_file_system", "  storage_capacity = 1200\n  skip_final_backup = false\n", "false", "true", WEAKENED, H),
    row("aws_memorydb_cluster", "  name = \"m\"\n  final_snapshot_name = \"m-final\"\n", "  final_snapshot_name = \"m-final\"\n", "", WEAKENED, H),
    row("aws_cloudwatch_log_group", "  name = \"/app\"\n  deletion_protection_enabled = true\n", "true", "false", WEAKENED, H),
    row("aws_dsql_cluster", "  deletion_protection_enabled = true\n", "true", "false", WEAKENED, H),
    row("aws_cloudtrail_event_data_store", "  name = \"lake\"\n  termination_protection_enabled = true\n", "true", "false", WEAKENED, H),
    row("azurerm_recovery_services_vault", "  name = \"rsv\"\n  immutability = \"Unlocked\"\n", "\"Unlocked\"", "\"Disabled\"", WEAKENED, H),
    row("azurerm_app_configuration", "  name = \"ac\"\n  purge_protection_enabled = true\n", "true", "false", WEAKENED, H),
    row("azurerm_key_vault_managed_hardware_security_module", "  name = \"hsm\"\n  purge_protection_enabled = true\n", "true", "false", WEAKENED, H),
    row("google_sql_database_instance", "  name = \"my\"\n  settings {\n    backup_configuration {\n      binary_log_enabled = true\n    }\n  }\n", "true", "false", WEAKENED, H),
    row("google_bigtable_table", "  name = \"t\"\n  deletion_protection = \"PROTECTED\"\n", "\"PROTECTED\"", "\"UNPROTECTED\"", WEAKENED, H),
    row("google_bigtable_table", "  name = \"t\"\n  deletion_protection = \"PROTECTED\"\n", "  deletion_protection = \"PROTECTED\"\n", "", WEAKENED, H),
    row("google_spanner_database", "  name = \"db\"\n  enable_drop_protection = true\n", "true", "false", WEAKENED, H),
    row("google_alloydb_cluster", "  cluster_id = \"al\"\n  continuous_backup_config {\n    enabled = true\n  }\n", "true", "false", WEAKENED, H),
    row("google_alloydb_cluster", "  cluster_id = \"al\"\n  automated_backup_policy {\n    enabled = true\n  }\n", "true", "false", WEAKENED, H),
    row("google_firestore_database", "  name = \"(default)\"\n  point_in_time_recovery_enablement = \"POINT_IN_TIME_RECOVERY_ENABLED\"\n", "_ENABLED", "_DISABLED", WEAKENED, H),
    row("google_storage_bucket", "  name = \"audit\"\n  retention_policy {\n    retention_period = 2592000\n  }\n", "  retention_policy {\n    retention_period = 2592000\n  }\n", "", WEAKENED, H),
    row("google_secret_manager_secret_version", "  secret = \"s\"\n  deletion_policy = \"DISABLE\"\n", "\"DISABLE\"", "\"DELETE\"", WEAKENED, M),
    row("google_compute_instance", "  name = \"vm\"\n  boot_disk {\n    auto_delete = false\n  }\n", "false", "true", WEAKENED, M),
    row("google_redis_cluster", "  name = \"rc\"\n  deletion_protection_enabled = true\n", "true", "false", WEAKENED, H),
    row("google_memorystore_instance", "  instance_id = \"m\"\n  deletion_protection_enabled = true\n", "true", "false", WEAKENED, H),
    // ---- retentions ----
    row("aws_dynamodb_table", "  name = \"t\"\n  point_in_time_recovery {\n    enabled = true\n    recovery_period_in_days = 35\n  }\n", "= 35", "= 7", SHORTENED, H),
    row("aws_fsx_windows_file_system", "  storage_capacity = 300\n  automatic_backup_retention_days = 30\n", "days = 30", "days = 7", SHORTENED, H),
    row("aws_fsx_openzfs_file_system", "  storage_capacity = 64\n  automatic_backup_retention_days = 7\n", "= 7", "= 1", SHORTENED, H),
    row("aws_elasticache_serverless_cache", "  name = \"s\"\n  snapshot_retention_limit = 7\n", "= 7", "= 1", SHORTENED, H),
    row("aws_docdb_elastic_cluster", "  name = \"e\"\n  backup_retention_period = 7\n", "= 7", "= 1", SHORTENED, H),
    row("aws_sqs_queue", "  name = \"jobs\"\n  message_retention_seconds = 1209600\n", "1209600", "345600", SHORTENED, M),
    row("aws_sqs_queue", "  name = \"jobs\"\n  message_retention_seconds = 1209600\n", "  message_retention_seconds = 1209600\n", "", SHORTENED, M),
    row("aws_kinesis_stream", "  name = \"events\"\n  retention_period = 168\n", "168", "24", SHORTENED, M),
    row("aws_cloudtrail_event_data_store", "  name = \"lake\"\n  retention_period = 2557\n", "2557", "90", SHORTENED, M),
    row("aws_timestreamwrite_table", "  table_name = \"t\"\n  retention_properties {\n    magnetic_store_retention_period_in_days = 365\n  }\n", "365", "30", SHORTENED, M),
    row("azurerm_storage_account", "  name = \"sa\"\n  share_properties {\n    retention_policy {\n      days = 30\n    }\n  }\n", "30", "7", SHORTENED, H),
    row("azurerm_storage_account", "  name = \"sa\"\n  blob_properties {\n    restore_policy {\n      days = 30\n    }\n  }\n", "30", "7", SHORTENED, H),
    row("azurerm_backup_policy_vm", "  name = \"daily\"\n  retention_daily {\n    count = 30\n  }\n", "30", "7", SHORTENED, H),
    row("azurerm_backup_policy_file_share", "  name = \"daily\"\n  retention_weekly {\n    count = 12\n  }\n", "12", "4", SHORTENED, H),
    row("azurerm_data_protection_backup_vault", "  name = \"bv\"\n  retention_duration_in_days = 90\n", "90", "14", SHORTENED, H),
    row("azurerm_mssql_database", "  name = \"db\"\n  long_term_retention_policy {\n    weekly_retention = \"P12W\"\n  }\n", "P12W", "P1W", SHORTENED, H),
    row("azurerm_postgresql_server", "  name = \"pg\"\n  backup_retention_days = 35\n", "35", "7", SHORTENED, H),
    row("azurerm_mysql_server", "  name = \"my\"\n  backup_retention_days = 35\n", "35", "7", SHORTENED, H),
    row("azurerm_application_insights", "  name = \"ai\"\n  retention_in_days = 365\n", "365", "30", SHORTENED, M),
    row("azurerm_network_watcher_flow_log", "  name = \"fl\"\n  retention_policy {\n    enabled = true\n    days = 90\n  }\n", "90", "7", SHORTENED, M),
    row("azurerm_network_watcher_flow_log", "  name = \"fl\"\n  retention_policy {\n    enabled = true\n    days = 0\n  }\n", "= 0", "= 90", SHORTENED, M),
    row("azurerm_app_configuration", "  name = \"ac\"\n  soft_delete_retention_days = 7\n", "7", "1", SHORTENED, H),
    row("google_bigtable_gc_policy", "  table = \"t\"\n  max_age {\n    duration = \"720h\"\n  }\n", "720h", "24h", SHORTENED, M),
    row("google_spanner_database", "  name = \"db\"\n  version_retention_period = \"7d\"\n", "7d", "1h", SHORTENED, H),
    row("google_bigquery_dataset", "  dataset_id = \"d\"\n  default_table_expiration_ms = 7776000000\n", "7776000000", "604800000", SHORTENED, M),
    row("google_bigquery_dataset", "  dataset_id = \"d\"\n  max_time_travel_hours = 168\n", "168", "48", SHORTENED, H),
    row("google_bigquery_table", "  table_id = \"t\"\n  time_partitioning {\n    expiration_ms = 31536000000\n  }\n", "31536000000", "2592000000", SHORTENED, M),
    row("google_alloydb_cluster", "  cluster_id = \"al\"\n  continuous_backup_config {\n    recovery_window_days = 14\n  }\n", "14", "1", SHORTENED, H),
    row("google_alloydb_cluster", "  cluster_id = \"al\"\n  automated_backup_policy {\n    quantity_based_retention {\n      count = 14\n    }\n  }\n", "14", "3", SHORTENED, H),
    row("google_firestore_backup_schedule", "  database = \"(default)\"\n  retention = \"8467200s\"\n", "8467200s", "604800s", SHORTENED, H),
    row("google_secret_manager_secret", "  secret_id = \"s\"\n  version_destroy_ttl = \"2592000s\"\n", "2592000s", "86400s", SHORTENED, H),
    row("google_logging_organization_bucket_config", "  bucket_id = \"b\"\n  retention_days = 365\n", "365", "30", SHORTENED, M),
    row("google_logging_folder_bucket_config", "  bucket_id = \"b\"\n  retention_days = 400\n", "400", "30", SHORTENED, M),
    row("google_compute_resource_policy", "  name = \"daily\"\n  snapshot_schedule_policy {\n    retention_policy {\n      max_retention_days = 30\n    }\n  }\n", "30", "7", SHORTENED, H),
];

#[test]
fn peers_protections_and_retentions_are_reported_and_their_reversal_is_quiet() {
    for r in ROWS {
        assert!(r.body.contains(r.from), "{} not in {}", r.from, r.body);
        let before = resource(r.rtype, r.body);
        let after = resource(r.rtype, &r.body.replacen(r.from, r.to, 1));
        let found = run(&before, &after);
        assert_eq!(ids(&found), [r.rule], "{}: {} -> {}", r.rtype, r.from, r.to);
        assert_eq!(
            found[0].severity, r.severity,
            "{}: {}",
            r.rtype, found[0].message
        );
        assert!(
            !found[0].message.contains("the table can now be deleted")
                || r.rtype.contains("dynamodb"),
            "{}: {}",
            r.rtype,
            found[0].message
        );
        assert!(
            run(&after, &before).is_empty(),
            "{}: {} -> {} undone should be quiet",
            r.rtype,
            r.to,
            r.from
        );
    }
}

#[test]
fn a_new_resource_created_weak_destroys_nothing() {
    for r in ROWS {
        let after = resource(r.rtype, &r.body.replacen(r.from, r.to, 1));
        assert!(run("", &after).is_empty(), "{}", r.rtype);
    }
}

#[test]
fn memorystore_deletion_protection_is_on_unless_turned_off() {
    // The Google provider turns it on by default: removing `= true` changes nothing.
    for (rtype, body) in [
        ("google_redis_cluster", "  name = \"rc\"\n"),
        ("google_memorystore_instance", "  instance_id = \"m\"\n"),
    ] {
        let on = format!("{body}  deletion_protection_enabled = true\n");
        assert!(
            run(&resource(rtype, &on), &resource(rtype, body)).is_empty(),
            "{rtype}"
        );
    }
    // Elsewhere the setting is off unless set, so removing it turns it off.
    let on = "  name = \"t\"\n  deletion_protection_enabled = true\n";
    let t = "aws_dynamodb_table";
    assert_eq!(
        ids(&run(&resource(t, on), &resource(t, "  name = \"t\"\n"))),
        [WEAKENED]
    );
}

#[test]
fn a_bigtable_tables_protection_written_as_unprotected_from_the_start_is_quiet() {
    let t = "google_bigtable_table";
    let unprotected = "  name = \"t\"\n  deletion_protection = \"UNPROTECTED\"\n";
    assert!(run(&resource(t, "  name = \"t\"\n"), &resource(t, unprotected)).is_empty());
}

/// A provider block whose `features` hold one `block { line }`.
fn features(block: &str, line: &str) -> String {
    format!(
        "provider \"azurerm\" {{\n  features {{\n    {block} {{\n      {line}\n    }}\n  }}\n}}\n"
    )
}

#[test]
fn azurerm_features_that_purge_or_take_data_along_on_destroy_are_weakened() {
    // (block, protective line, weak line, whether dropping the protective line is weak too)
    let rows = [
        (
            "api_management",
            "purge_soft_delete_on_destroy = false",
            "purge_soft_delete_on_destroy = true",
            true,
        ),
        (
            "app_configuration",
            "purge_soft_delete_on_destroy = false",
            "purge_soft_delete_on_destroy = true",
            true,
        ),
        (
            "cognitive_account",
            "purge_soft_delete_on_destroy = false",
            "purge_soft_delete_on_destroy = true",
            true,
        ),
        (
            "key_vault",
            "purge_soft_deleted_hardware_security_modules_on_destroy = false",
            "purge_soft_deleted_hardware_security_modules_on_destroy = true",
            true,
        ),
        (
            "machine_learning",
            "purge_soft_deleted_workspace_on_destroy = false",
            "purge_soft_deleted_workspace_on_destroy = true",
            false,
        ),
        (
            "virtual_machine",
            "delete_os_disk_on_deletion = false",
            "delete_os_disk_on_deletion = true",
            true,
        ),
        (
            "recovery_service",
            "vm_backup_stop_protection_and_retain_data_on_destroy = true",
            "vm_backup_stop_protection_and_retain_data_on_destroy = false",
            true,
        ),
        (
            "netapp",
            "delete_backups_on_backup_vault_destroy = false",
            "delete_backups_on_backup_vault_destroy = true",
            false,
        ),
        (
            "template_deployment",
            "delete_nested_items_during_deletion = false",
            "delete_nested_items_during_deletion = true",
            true,
        ),
        (
            "databricks_workspace",
            "force_delete = false",
            "force_delete = true",
            false,
        ),
    ];
    let bare = "provider \"azurerm\" {\n  features {}\n}\n";
    for (block, safe, weak, dropping_weakens) in rows {
        let found = run(&features(block, safe), &features(block, weak));
        assert_eq!(ids(&found), [WEAKENED], "{block}: {weak}");
        assert_eq!(found[0].severity, Severity::High);
        assert!(
            run(&features(block, weak), &features(block, safe)).is_empty(),
            "{block}"
        );
        let dropped = ids(&run(&features(block, safe), bare));
        assert_eq!(
            dropped.len(),
            usize::from(dropping_weakens),
            "{block}: dropped"
        );
    }
}
