//! Before/after fixtures for Google Cloud and Azure resources: the replacement-forcing
//! attributes, protections and retentions of their main stateful types, each with the
//! routine edit next to it that must stay quiet.

use super::tests::{edit, ids, resource, run, REPLACED, SHORTENED, WEAKENED};
use crate::finding::Severity;

// ---- replacement-forcing attributes -------------------------------------------------------

const GKE: &str = "  name       = \"prod\"\n  location   = \"europe-west1\"\n  network    = \"vpc-a\"\n  subnetwork = \"sub-a\"\n  release_channel {\n    channel = \"REGULAR\"\n  }\n";

#[test]
fn gke_cluster_moved_to_another_network_or_to_autopilot_is_replaced() {
    let t = "google_container_cluster";
    assert_eq!(edit(t, GKE, "\"vpc-a\"", "\"vpc-b\""), [REPLACED]);
    assert_eq!(edit(t, GKE, "\"sub-a\"", "\"sub-b\""), [REPLACED]);
    let autopilot = format!("{GKE}  enable_autopilot = false\n");
    let f = run(
        &resource(t, &autopilot),
        &resource(t, &autopilot.replace("false", "true")),
    );
    assert_eq!(ids(&f), [REPLACED]);
    assert_eq!(f[0].severity, Severity::Critical);
    // Release channel upgrades run in place.
    assert!(edit(t, GKE, "REGULAR", "STABLE").is_empty());
    // A name rewritten as its self link is the same network to the provider.
    let link = "\"projects/acme/global/networks/vpc-a\"";
    assert!(edit(t, GKE, "\"vpc-a\"", link).is_empty());
    assert_eq!(
        edit(
            t,
            GKE,
            "\"vpc-a\"",
            "\"projects/acme/global/networks/vpc-b\""
        ),
        [REPLACED]
    );
}

#[test]
fn node_pool_initial_count_replaces_the_pool_but_node_count_scales_it() {
    let pool =
        "  name = \"np\"\n  cluster = \"prod\"\n  initial_node_count = 1\n  node_count = 3\n";
    let t = "google_container_node_pool";
    let f = run(
        &resource(t, pool),
        &resource(
            t,
            &pool.replace("initial_node_count = 1", "initial_node_count = 2"),
        ),
    );
    assert_eq!(ids(&f), [REPLACED]);
    assert_eq!(f[0].severity, Severity::High);
    assert!(edit(t, pool, "node_count = 3", "node_count = 5").is_empty());
}

#[test]
fn compute_instance_boot_image_replaces_it_but_machine_type_does_not() {
    let vm = "  name         = \"vm\"\n  zone         = \"europe-west1-b\"\n  machine_type = \"e2-medium\"\n  boot_disk {\n    initialize_params {\n      image = \"debian-cloud/debian-11\"\n    }\n  }\n";
    let t = "google_compute_instance";
    let f = run(
        &resource(t, vm),
        &resource(t, &vm.replace("debian-11", "debian-12")),
    );
    assert_eq!(ids(&f), [REPLACED]);
    assert_eq!(f[0].location.line, Some(7));
    assert!(f[0].message.contains("`boot_disk.initialize_params.image`"));
    assert!(edit(t, vm, "e2-medium", "e2-standard-4").is_empty());
}

#[test]
fn kms_key_purpose_and_alloydb_location_force_replacement() {
    let key = "  name = \"k\"\n  key_ring = \"r\"\n  purpose = \"ENCRYPT_DECRYPT\"\n  rotation_period = \"7776000s\"\n";
    let t = "google_kms_crypto_key";
    assert_eq!(
        edit(t, key, "ENCRYPT_DECRYPT", "ASYMMETRIC_SIGN"),
        [REPLACED]
    );
    assert!(edit(t, key, "7776000s", "2592000s").is_empty());
    let cluster = "  cluster_id = \"main\"\n  location = \"europe-west1\"\n";
    assert_eq!(
        edit("google_alloydb_cluster", cluster, "west1", "west4"),
        [REPLACED]
    );
}

const PG: &str = "  name                         = \"pg-prod\"\n  version                      = \"14\"\n  sku_name                     = \"GP_Standard_D2s_v3\"\n  storage_mb                   = 65536\n  zone                         = \"1\"\n  administrator_login          = \"pgadmin\"\n  geo_redundant_backup_enabled = true\n  delegated_subnet_id          = azurerm_subnet.db.id\n";
const FLEX: &str = "azurerm_postgresql_flexible_server";

#[test]
fn postgres_flexible_server_backup_network_and_login_changes_replace_it() {
    let geo = "geo_redundant_backup_enabled = true";
    assert_eq!(
        edit(FLEX, PG, geo, "geo_redundant_backup_enabled = false"),
        [REPLACED]
    );
    assert_eq!(
        edit(FLEX, PG, "azurerm_subnet.db.id", "azurerm_subnet.db2.id"),
        [REPLACED]
    );
    assert_eq!(edit(FLEX, PG, "\"pgadmin\"", "\"dbadmin\""), [REPLACED]);
    // Scaling, a major upgrade and a zone move are updated in place.
    assert!(edit(FLEX, PG, "D2s_v3", "D4s_v3").is_empty());
    assert!(edit(FLEX, PG, "\"14\"", "\"16\"").is_empty());
    assert!(edit(FLEX, PG, "\"1\"", "\"2\"").is_empty());
}

#[test]
fn postgres_flexible_server_storage_shrunk_or_version_downgraded_is_replaced_not_grown() {
    let f = run(
        &resource(FLEX, PG),
        &resource(FLEX, &PG.replace("65536", "32768")),
    );
    assert_eq!(ids(&f), [REPLACED]);
    assert_eq!(f[0].severity, Severity::Critical);
    assert_eq!(f[0].location.line, Some(5));
    assert!(
        f[0].message.contains("was lowered from 65536 to 32768"),
        "{}",
        f[0].message
    );
    assert_eq!(edit(FLEX, PG, "\"14\"", "\"13\""), [REPLACED]);
    assert!(edit(FLEX, PG, "65536", "131072").is_empty());
    // A computed value is not judged; nor is a shrink the lifecycle ignores.
    assert!(edit(FLEX, PG, "65536", "var.storage_mb").is_empty());
    let ignored = format!("{PG}  lifecycle {{\n    ignore_changes = [storage_mb]\n  }}\n");
    assert!(edit(FLEX, &ignored, "65536", "32768").is_empty());
}

#[test]
fn azure_database_collation_vm_image_and_hierarchical_namespace_force_replacement() {
    let db =
        "  name = \"app\"\n  collation = \"SQL_Latin1_General_CP1_CI_AS\"\n  sku_name = \"S1\"\n";
    let t = "azurerm_mssql_database";
    assert_eq!(edit(t, db, "CI_AS", "CS_AS"), [REPLACED]);
    assert!(edit(t, db, "\"S1\"", "\"S3\"").is_empty());

    let vm = "  name = \"vm\"\n  size = \"Standard_B2s\"\n  source_image_reference {\n    publisher = \"Canonical\"\n    offer     = \"0001-com-ubuntu-server-jammy\"\n    sku       = \"22_04-lts\"\n    version   = \"latest\"\n  }\n";
    let t = "azurerm_linux_virtual_machine";
    assert_eq!(edit(t, vm, "22_04-lts", "22_04-lts-gen2"), [REPLACED]);
    assert!(edit(t, vm, "Standard_B2s", "Standard_D2s_v5").is_empty());

    let sa = "  name = \"acme\"\n  account_replication_type = \"LRS\"\n  is_hns_enabled = false\n";
    let t = "azurerm_storage_account";
    assert_eq!(
        edit(t, sa, "is_hns_enabled = false", "is_hns_enabled = true"),
        [REPLACED]
    );
    assert!(edit(t, sa, "\"LRS\"", "\"GRS\"").is_empty());
}

// ---- protections --------------------------------------------------------------------------

fn azurerm(features: &str) -> String {
    format!("provider \"azurerm\" {{\n  features {{\n{features}  }}\n}}\n")
}

#[test]
fn key_vault_purge_on_destroy_turned_back_on_is_weakened() {
    let keep = azurerm("    key_vault {\n      purge_soft_delete_on_destroy = false\n    }\n");
    let f = run(&keep, &keep.replace("false", "true"));
    assert_eq!(ids(&f), [WEAKENED]);
    assert_eq!(f[0].location.line, Some(4));
    // Purging is the provider's default: dropping the opt-out weakens it too.
    assert_eq!(ids(&run(&keep, &azurerm(""))), [WEAKENED]);
    // Left at the default on both sides, or opted out: quiet.
    assert!(run(&azurerm(""), &azurerm("    resource_group {}\n")).is_empty());
    assert!(run(&azurerm(""), &keep).is_empty());
}

#[test]
fn provider_features_that_delete_logs_or_backups_on_destroy_are_weakened() {
    let logs = azurerm(
        "    log_analytics_workspace {\n      permanently_delete_on_destroy = true\n    }\n",
    );
    assert_eq!(ids(&run(&azurerm(""), &logs)), [WEAKENED]);
    let vault = azurerm(
        "    recovery_service {\n      purge_protected_items_from_vault_on_destroy = true\n    }\n",
    );
    assert_eq!(ids(&run(&azurerm(""), &vault)), [WEAKENED]);
    assert!(run(&logs, &azurerm("")).is_empty());
}

#[test]
fn google_deletion_policies_that_now_delete_are_weakened() {
    let project = "  name       = \"p\"\n  project_id = \"acme-prod\"\n";
    let t = "google_project";
    let f = run(
        &resource(t, project),
        &resource(t, &format!("{project}  deletion_policy = \"DELETE\"\n")),
    );
    assert_eq!(ids(&f), [WEAKENED]);
    assert_eq!(f[0].severity, Severity::High);
    let abandon = format!("{project}  deletion_policy = \"ABANDON\"\n");
    assert!(run(&resource(t, project), &resource(t, &abandon)).is_empty());
    // A Cloud SQL database is deleted unless abandoned: removing ABANDON weakens it.
    let db = "  name = \"app\"\n  instance = \"main\"\n  deletion_policy = \"ABANDON\"\n";
    assert_eq!(
        edit(
            "google_sql_database",
            db,
            "  deletion_policy = \"ABANDON\"\n",
            ""
        ),
        [WEAKENED]
    );
}

#[test]
fn datasets_firestore_and_backup_vaults_losing_their_guard_are_weakened() {
    let ds = "  dataset_id = \"events\"\n  location = \"EU\"\n";
    let f = run(
        &resource("google_bigquery_dataset", ds),
        &resource(
            "google_bigquery_dataset",
            &format!("{ds}  delete_contents_on_destroy = true\n"),
        ),
    );
    assert_eq!(ids(&f), [WEAKENED]);
    let fs = "  name = \"(default)\"\n  delete_protection_state = \"DELETE_PROTECTION_ENABLED\"\n";
    assert_eq!(
        edit("google_firestore_database", fs, "_ENABLED", "_DISABLED"),
        [WEAKENED]
    );
    let rsv = "  name = \"v\"\n  soft_delete_enabled = true\n";
    assert_eq!(
        edit("azurerm_recovery_services_vault", rsv, "true", "false"),
        [WEAKENED]
    );
    let bv = "  name = \"v\"\n  soft_delete = \"On\"\n";
    let t = "azurerm_data_protection_backup_vault";
    assert_eq!(edit(t, bv, "\"On\"", "\"Off\""), [WEAKENED]);
    assert!(edit(t, bv, "\"On\"", "\"AlwaysOn\"").is_empty());
}

#[test]
fn removed_google_project_is_critical() {
    let project = resource("google_project", "  project_id = \"acme-prod\"\n");
    let net = resource("google_compute_network", "  name = \"n\"\n");
    let f = run(&format!("{project}{net}"), &net);
    assert_eq!(ids(&f), ["terraform/resource-removed"]);
    assert_eq!(f[0].severity, Severity::Critical);
}

// ---- retention ----------------------------------------------------------------------------

fn bucket_rule(action: &str, condition: &str) -> String {
    resource(
        "google_storage_bucket",
        &format!("  name = \"acme\"\n  lifecycle_rule {{\n    condition {{\n      {condition}\n    }}\n    action {{\n      type = \"{action}\"\n    }}\n  }}\n"),
    )
}

#[test]
fn cloud_storage_delete_rule_acting_sooner_is_shortened_but_a_class_change_is_not() {
    let f = run(
        &bucket_rule("Delete", "age = 365"),
        &bucket_rule("Delete", "age = 30"),
    );
    assert_eq!(ids(&f), [SHORTENED]);
    assert_eq!(f[0].severity, Severity::Medium);
    assert_eq!(f[0].location.line, Some(5));
    assert!(
        f[0].message.contains("deleted 30 days after creation"),
        "{}",
        f[0].message
    );
    let f = run(
        &bucket_rule("Delete", "days_since_noncurrent_time = 30"),
        &bucket_rule("Delete", "days_since_noncurrent_time = 1"),
    );
    assert_eq!(ids(&f), [SHORTENED]);
    assert_eq!(f[0].severity, Severity::High);
    // Moving objects to a colder class sooner deletes nothing; a later delete neither.
    assert!(run(
        &bucket_rule("SetStorageClass", "age = 365"),
        &bucket_rule("SetStorageClass", "age = 30")
    )
    .is_empty());
    assert!(run(
        &bucket_rule("Delete", "age = 30"),
        &bucket_rule("Delete", "age = 365")
    )
    .is_empty());
    // A rule turned from moving into deleting starts deleting.
    assert_eq!(
        ids(&run(
            &bucket_rule("SetStorageClass", "age = 30"),
            &bucket_rule("Delete", "age = 30")
        )),
        [SHORTENED]
    );
}

#[test]
fn cloud_storage_soft_delete_shortened_in_seconds_is_high() {
    let b = |v: &str| {
        resource(
            "google_storage_bucket",
            &format!("  name = \"acme\"\n  soft_delete_policy {{\n    retention_duration_seconds = {v}\n  }}\n"),
        )
    };
    let f = run(&b("2592000"), &b("604800"));
    assert_eq!(ids(&f), [SHORTENED]);
    assert_eq!(f[0].severity, Severity::High);
    assert!(
        f[0].message.contains("(was: kept 30 days)"),
        "{}",
        f[0].message
    );
    assert_eq!(ids(&run(&b("604800"), &b("0"))), [SHORTENED]);
    assert!(run(&b("604800"), &b("7776000")).is_empty());
}

#[test]
fn cloud_sql_backups_kept_and_log_days_lowered_are_shortened() {
    let sql = |backups: &str, days: &str| {
        resource(
            "google_sql_database_instance",
            &format!("  settings {{\n    backup_configuration {{\n      transaction_log_retention_days = {days}\n      backup_retention_settings {{\n        retained_backups = {backups}\n      }}\n    }}\n  }}\n"),
        )
    };
    let f = run(&sql("30", "7"), &sql("3", "7"));
    assert_eq!(ids(&f), [SHORTENED]);
    assert!(
        f[0].message
            .contains("only the newest 3 automated backups are kept"),
        "{}",
        f[0].message
    );
    assert!(f[0].message.contains("(was: the newest 30 kept)"));
    assert_eq!(ids(&run(&sql("30", "7"), &sql("30", "1"))), [SHORTENED]);
    assert!(run(&sql("7", "7"), &sql("30", "7")).is_empty());
}

#[test]
fn azure_database_backup_retention_lowered_is_shortened() {
    let t = FLEX;
    let pg = "  name = \"pg\"\n  backup_retention_days = 35\n";
    assert_eq!(edit(t, pg, "= 35", "= 7"), [SHORTENED]);
    assert_eq!(edit(t, pg, "= 35", "= 30"), [SHORTENED]);
    assert!(edit(
        t,
        "  name = \"pg\"\n  backup_retention_days = 7\n",
        "= 7",
        "= 14"
    )
    .is_empty());
    let db = "  name = \"app\"\n  short_term_retention_policy {\n    retention_days = 35\n  }\n";
    assert_eq!(
        edit("azurerm_mssql_database", db, "= 35", "= 7"),
        [SHORTENED]
    );
    let cosmos =
        "  name = \"c\"\n  backup {\n    type = \"Periodic\"\n    retention_in_hours = 720\n  }\n";
    let f = run(
        &resource("azurerm_cosmosdb_account", cosmos),
        &resource("azurerm_cosmosdb_account", &cosmos.replace("720", "8")),
    );
    assert_eq!(ids(&f), [SHORTENED]);
    assert!(
        f[0].message.contains("older than 8 hours"),
        "{}",
        f[0].message
    );
}

#[test]
fn storage_soft_delete_shortened_or_dropped_is_shortened_but_unmanaged_is_not() {
    let sa = |props: &str| {
        resource(
            "azurerm_storage_account",
            &format!("  name = \"acme\"\n{props}"),
        )
    };
    let policy = |days: u32| {
        format!("  blob_properties {{\n    versioning_enabled = true\n    delete_retention_policy {{\n      days = {days}\n    }}\n  }}\n")
    };
    assert_eq!(ids(&run(&sa(&policy(30)), &sa(&policy(7)))), [SHORTENED]);
    // Without the policy block the provider turns soft delete off.
    let off = "  blob_properties {\n    versioning_enabled = true\n  }\n";
    let f = run(&sa(&policy(30)), &sa(off));
    assert_eq!(ids(&f), [SHORTENED]);
    assert_eq!(f[0].severity, Severity::High);
    // Without `blob_properties` at all the provider leaves the account's setting alone.
    assert!(run(&sa(""), &sa("  tags = { team = \"data\" }\n")).is_empty());
    assert!(run(&sa(&policy(7)), &sa(&policy(30))).is_empty());
}

#[test]
fn retentions_written_as_durations_shortened_are_shortened_in_any_unit() {
    let sub =
        "  name  = \"orders\"\n  topic = \"orders\"\n  message_retention_duration = \"604800s\"\n";
    let t = "google_pubsub_subscription";
    assert_eq!(edit(t, sub, "\"604800s\"", "\"86400s\""), [SHORTENED]);
    assert_eq!(edit(t, sub, "\"604800s\"", "\"24h\""), [SHORTENED]);
    // Absent is the 7-day default.
    assert_eq!(
        edit(
            t,
            sub,
            "  message_retention_duration = \"604800s\"\n",
            "  message_retention_duration = \"600s\"\n"
        ),
        [SHORTENED]
    );
    let topic = "  name = \"events\"\n  message_retention_duration = \"168h\"\n";
    assert_eq!(
        edit("google_pubsub_topic", topic, "\"168h\"", "\"1h30m\""),
        [SHORTENED]
    );
    // Retention removed from a topic: it keeps no published messages at all.
    assert_eq!(
        edit(
            "google_pubsub_topic",
            topic,
            "  message_retention_duration = \"168h\"\n",
            ""
        ),
        [SHORTENED]
    );
    let policy =
        "  name     = \"p\"\n  vault_id = \"v\"\n  default_retention_duration = \"P30D\"\n";
    let f = run(
        &resource("azurerm_data_protection_backup_policy_disk", policy),
        &resource(
            "azurerm_data_protection_backup_policy_disk",
            &policy.replace("P30D", "P1W"),
        ),
    );
    assert_eq!(ids(&f), [SHORTENED]);
    assert_eq!(f[0].severity, Severity::High);
    assert!(
        f[0].message.contains("older than 7 days"),
        "{}",
        f[0].message
    );
}

#[test]
fn retentions_written_as_durations_lengthened_or_restated_are_quiet() {
    let sub =
        "  name  = \"orders\"\n  topic = \"orders\"\n  message_retention_duration = \"86400s\"\n";
    let t = "google_pubsub_subscription";
    for same_or_longer in [
        "\"24h\"",
        "\"1d\"",
        "\"1440m\"",
        "\"PT24H\"",
        "\"P1D\"",
        "\"604800s\"",
        "\"P1M\"",
    ] {
        assert!(
            edit(t, sub, "\"86400s\"", same_or_longer).is_empty(),
            "{same_or_longer}"
        );
    }
    // A value that is not a duration is unknown, not zero.
    assert!(edit(t, sub, "\"86400s\"", "\"a week\"").is_empty());
    assert!(edit(t, sub, "\"86400s\"", "var.retention").is_empty());
    let policy = "  name     = \"p\"\n  vault_id = \"v\"\n  default_retention_duration = \"P7D\"\n";
    assert!(edit(
        "azurerm_data_protection_backup_policy_disk",
        policy,
        "P7D",
        "P1Y"
    )
    .is_empty());
}

#[test]
fn gke_default_pool_size_and_mysql_network_settings_force_a_replacement() {
    let gke = format!("{GKE}  initial_node_count = 1\n  remove_default_node_pool = true\n");
    assert_eq!(
        edit(
            "google_container_cluster",
            &gke,
            "initial_node_count = 1",
            "initial_node_count = 3"
        ),
        [REPLACED]
    );
    // Ignored, as the provider docs advise for a cluster whose default pool is removed.
    let ignored = format!("{gke}  lifecycle {{\n    ignore_changes = [initial_node_count]\n  }}\n");
    assert!(edit(
        "google_container_cluster",
        &ignored,
        "initial_node_count = 1",
        "initial_node_count = 3"
    )
    .is_empty());
    let t = "azurerm_mysql_flexible_server";
    let mysql = "  name                         = \"app\"\n  version                      = \"5.7\"\n  delegated_subnet_id          = \"subnet-a\"\n  geo_redundant_backup_enabled = false\n  storage {\n    size_gb = 64\n  }\n";
    assert_eq!(edit(t, mysql, "subnet-a", "subnet-b"), [REPLACED]);
    assert_eq!(edit(t, mysql, "= false", "= true"), [REPLACED]);
    assert_eq!(edit(t, mysql, "size_gb = 64", "size_gb = 32"), [REPLACED]);
    // A major version upgrade and more storage run in place.
    assert!(edit(t, mysql, "\"5.7\"", "\"8.0.21\"").is_empty());
    assert!(edit(t, mysql, "size_gb = 64", "size_gb = 128").is_empty());
}
