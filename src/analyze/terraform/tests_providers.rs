//! Before/after fixtures for providers beyond AWS, Google Cloud and Azure (Kubernetes and
//! Helm, GitHub, Cloudflare, Vault, MongoDB Atlas, Snowflake, Confluent, Databricks,
//! DigitalOcean, Hetzner, Oracle Cloud, Alibaba Cloud, Datadog, random and tls): their
//! data-holding types rank like their AWS counterparts, each with the routine edit next to
//! it that must stay quiet.

use super::tests::{edit, ids, resource, run, REPLACED, SHORTENED, WEAKENED};
use crate::finding::{Finding, Severity};

const REMOVED: &str = "terraform/resource-removed";

/// The findings of removing one `rtype` block with `body`, a bookkeeping block left behind.
fn removed(rtype: &str, body: &str) -> Vec<Finding> {
    let keep = "resource \"null_resource\" \"keep\" {\n}\n";
    run(&format!("{}{keep}", resource(rtype, body)), keep)
}

fn severity_of(f: &[Finding], rule: &str) -> Option<Severity> {
    f.iter()
        .find(|f| f.rule.as_str() == rule)
        .map(|f| f.severity)
}

// ---- removals ------------------------------------------------------------------------------

#[test]
fn data_holding_types_of_other_providers_are_critical_when_removed() {
    for t in [
        "cloudflare_r2_bucket",
        "cloudflare_workers_kv_namespace",
        "cloudflare_d1_database",
        "vault_kv_secret_v2",
        "vault_transit_secret_backend_key",
        "mongodbatlas_cluster",
        "mongodbatlas_advanced_cluster",
        "snowflake_database",
        "snowflake_schema",
        "snowflake_table",
        "confluent_kafka_cluster",
        "confluent_kafka_topic",
        "databricks_catalog",
        "databricks_schema",
        "digitalocean_kubernetes_cluster",
        "hcloud_volume",
        "kubernetes_persistent_volume_v1",
        "oci_objectstorage_bucket",
        "oci_database_autonomous_database",
        "oci_core_volume",
        "alicloud_db_instance",
        "alicloud_oss_bucket",
    ] {
        let f = removed(t, "  name = \"main\"\n");
        assert_eq!(ids(&f), [REMOVED], "{t}");
        assert_eq!(f[0].severity, Severity::Critical, "{t}");
        assert!(f[0].message.contains("the data it holds"), "{t}");
    }
}

#[test]
fn servers_jobs_and_records_stay_high_when_removed() {
    for t in [
        "hcloud_server",
        "digitalocean_droplet",
        "cloudflare_record",
        "snowflake_warehouse",
        "databricks_job",
        "github_team",
        "pagerduty_service",
        "mongodbatlas_database_user",
    ] {
        let f = removed(t, "  name = \"main\"\n");
        assert_eq!(severity_of(&f, REMOVED), Some(Severity::High), "{t}");
    }
}

#[test]
fn monitors_and_dashboards_removed_lose_visibility_not_data() {
    for t in [
        "datadog_monitor",
        "datadog_dashboard",
        "datadog_synthetics_test",
    ] {
        let f = removed(t, "  name = \"cpu\"\n");
        assert_eq!(severity_of(&f, REMOVED), Some(Severity::Medium), "{t}");
    }
}

// ---- replacement-forcing attributes --------------------------------------------------------

#[test]
fn helm_release_renamed_or_moved_to_another_namespace_is_reinstalled() {
    let t = "helm_release";
    let release = "  name      = \"pg\"\n  namespace = \"db\"\n  chart     = \"postgresql\"\n  version   = \"12.1.0\"\n";
    let f = run(
        &resource(t, release),
        &resource(t, &release.replace("\"pg\"", "\"pg2\"")),
    );
    assert_eq!(ids(&f), [REPLACED]);
    assert_eq!(f[0].severity, Severity::Critical);
    assert_eq!(edit(t, release, "\"db\"", "\"data\""), [REPLACED]);
    // A chart upgrade runs in place, and Helm's default namespace written out (or dropped)
    // is where the release already is; another namespace added is a move.
    assert!(edit(t, release, "12.1.0", "12.2.0").is_empty());
    let defaulted = release.replace("  namespace = \"db\"\n", "");
    assert!(edit(
        t,
        &defaulted,
        "  chart",
        "  namespace = \"default\"\n  chart"
    )
    .is_empty());
    assert!(edit(
        t,
        &release.replace("\"db\"", "\"default\""),
        "  namespace = \"default\"\n",
        ""
    )
    .is_empty());
    assert_eq!(
        edit(t, &defaulted, "  chart", "  namespace = \"db\"\n  chart"),
        [REPLACED]
    );
}

#[test]
fn kubernetes_namespace_or_claim_renamed_is_replaced() {
    let ns = "  metadata {\n    name = \"prod\"\n    labels = { team = \"a\" }\n  }\n";
    for t in ["kubernetes_namespace", "kubernetes_namespace_v1"] {
        let f = run(
            &resource(t, ns),
            &resource(t, &ns.replace("\"prod\"", "\"production\"")),
        );
        assert_eq!(ids(&f), [REPLACED], "{t}");
        assert_eq!(f[0].severity, Severity::Critical, "{t}");
        assert!(edit(t, ns, "\"a\"", "\"b\"").is_empty(), "{t}");
    }
    let claim = "  metadata {\n    name = \"data\"\n    namespace = \"db\"\n  }\n";
    let t = "kubernetes_persistent_volume_claim_v1";
    assert_eq!(edit(t, claim, "\"data\"", "\"data2\""), [REPLACED]);
    assert_eq!(edit(t, claim, "\"db\"", "\"pg\""), [REPLACED]);
}

#[test]
fn other_providers_identity_attributes_force_replacement() {
    for (t, body, from, to) in [
        (
            "cloudflare_zone",
            "  zone = \"example.com\"\n  plan = \"free\"\n",
            "example.com",
            "example.org",
        ),
        (
            "cloudflare_zone",
            "  name = \"example.com\"\n",
            "example.com",
            "example.org",
        ),
        (
            "cloudflare_r2_bucket",
            "  name = \"assets\"\n",
            "assets",
            "assets2",
        ),
        (
            "vault_mount",
            "  path = \"secret\"\n  type = \"kv\"\n",
            "\"kv\"",
            "\"kv-v2\"",
        ),
        (
            "vault_kv_secret_v2",
            "  mount = \"secret\"\n  name = \"db\"\n",
            "\"db\"",
            "\"database\"",
        ),
        (
            "mongodbatlas_advanced_cluster",
            "  name = \"main\"\n",
            "main",
            "primary",
        ),
        (
            "confluent_kafka_topic",
            "  topic_name = \"orders\"\n",
            "orders",
            "orders-v2",
        ),
        (
            "confluent_kafka_cluster",
            "  region = \"us-east-1\"\n",
            "us-east-1",
            "us-west-2",
        ),
        (
            "digitalocean_database_cluster",
            "  engine = \"pg\"\n",
            "\"pg\"",
            "\"mysql\"",
        ),
        (
            "digitalocean_volume",
            "  region = \"nyc1\"\n",
            "nyc1",
            "ams3",
        ),
        (
            "digitalocean_spaces_bucket",
            "  name = \"b\"\n",
            "\"b\"",
            "\"b2\"",
        ),
        ("hcloud_volume", "  location = \"fsn1\"\n", "fsn1", "nbg1"),
        (
            "tls_private_key",
            "  algorithm = \"RSA\"\n",
            "RSA",
            "ED25519",
        ),
    ] {
        let f = run(&resource(t, body), &resource(t, &body.replace(from, to)));
        assert_eq!(ids(&f), [REPLACED], "{t}");
        assert_eq!(f[0].severity, Severity::Critical, "{t}");
    }
    // A server rebuilt from another image is a new server, but not lost data.
    let server = "  name = \"web\"\n  image = \"ubuntu-22.04\"\n  server_type = \"cx22\"\n";
    let t = "hcloud_server";
    let f = run(
        &resource(t, server),
        &resource(t, &server.replace("22.04", "24.04")),
    );
    assert_eq!(ids(&f), [REPLACED]);
    assert_eq!(f[0].severity, Severity::High);
    // Resizing runs in place, and so do the routine edits of the stateful types.
    assert!(edit(t, server, "cx22", "cx32").is_empty());
    assert!(edit(
        "cloudflare_zone",
        "  zone = \"example.com\"\n  plan = \"free\"\n",
        "free",
        "pro"
    )
    .is_empty());
    assert!(edit(
        "vault_mount",
        "  path = \"secret\"\n  type = \"kv\"\n  description = \"a\"\n",
        "\"a\"",
        "\"b\""
    )
    .is_empty());
    assert!(edit(
        "digitalocean_volume",
        "  region = \"nyc1\"\n  size = 100\n",
        "100",
        "200"
    )
    .is_empty());
    assert!(edit(
        "confluent_kafka_topic",
        "  topic_name = \"orders\"\n  partitions_count = 6\n",
        "6",
        "12"
    )
    .is_empty());
}

#[test]
fn a_generated_password_or_id_regenerated_changes_what_reads_it() {
    let pw = "  length  = 32\n  special = true\n";
    let t = "random_password";
    let f = run(&resource(t, pw), &resource(t, &pw.replace("32", "40")));
    assert_eq!(ids(&f), [REPLACED]);
    assert_eq!(f[0].severity, Severity::High);
    assert_eq!(edit(t, pw, "true", "false"), [REPLACED]);
    assert_eq!(
        edit("random_id", "  byte_length = 4\n", "4", "8"),
        [REPLACED]
    );
    // The same settings in another order generate nothing new.
    assert!(run(
        &resource(t, pw),
        &resource(t, "  special = true\n  length  = 32\n")
    )
    .is_empty());
}

// ---- protections -------------------------------------------------------------------------

#[test]
fn other_providers_protections_turned_off_are_weakened() {
    for (t, body, from, to, severity) in [
        (
            "hcloud_volume",
            "  delete_protection = true\n",
            "true",
            "false",
            Severity::High,
        ),
        (
            "hcloud_server",
            "  delete_protection = true\n",
            "  delete_protection = true\n",
            "",
            Severity::Medium,
        ),
        (
            "mongodbatlas_advanced_cluster",
            "  termination_protection_enabled = true\n",
            "true",
            "false",
            Severity::High,
        ),
        (
            "mongodbatlas_advanced_cluster",
            "  backup_enabled = true\n",
            "true",
            "false",
            Severity::High,
        ),
        (
            "mongodbatlas_cluster",
            "  cloud_backup = true\n",
            "true",
            "false",
            Severity::High,
        ),
        (
            "github_repository",
            "  archive_on_destroy = true\n",
            "true",
            "false",
            Severity::High,
        ),
        (
            "github_repository",
            "  archive_on_destroy = true\n",
            "  archive_on_destroy = true\n",
            "",
            Severity::High,
        ),
        (
            "vault_kv_secret_v2",
            "  name = \"db\"\n",
            "\n",
            "\n  delete_all_versions = true\n",
            Severity::High,
        ),
        (
            "vault_transit_secret_backend_key",
            "  name = \"k\"\n",
            "\n",
            "\n  deletion_allowed = true\n",
            Severity::High,
        ),
        (
            "databricks_catalog",
            "  name = \"main\"\n",
            "\n",
            "\n  force_destroy = true\n",
            Severity::High,
        ),
        (
            "alicloud_db_instance",
            "  deletion_protection = true\n",
            "true",
            "false",
            Severity::High,
        ),
    ] {
        let f = run(
            &resource(t, body),
            &resource(t, &body.replacen(from, to, 1)),
        );
        assert_eq!(ids(&f), [WEAKENED], "{t} {body}");
        assert_eq!(f[0].severity, severity, "{t} {body}");
    }
    // Turning them on, or a setting of the same name on a type it does not protect, is quiet.
    assert!(edit(
        "hcloud_volume",
        "  name = \"data\"\n",
        "\n",
        "\n  delete_protection = true\n"
    )
    .is_empty());
    assert!(edit(
        "github_repository",
        "  name = \"api\"\n",
        "\n",
        "\n  archive_on_destroy = true\n"
    )
    .is_empty());
    assert!(edit(
        "mongodbatlas_cluster",
        "  termination_protection_enabled = false\n",
        "false",
        "true"
    )
    .is_empty());
    assert!(edit(
        "vault_transit_secret_backend_key",
        "  deletion_allowed = true\n",
        "true",
        "false"
    )
    .is_empty());
    // A CloudTrail event data store keeps termination protection when the setting is dropped:
    // the AWS provider's default is on. An Atlas cluster's default is off.
    let eds = "  name = \"e\"\n  termination_protection_enabled = true\n";
    let dropped = |t: &str| ids(&run(&resource(t, eds), &resource(t, "  name = \"e\"\n")));
    assert!(dropped("aws_cloudtrail_event_data_store").is_empty());
    assert_eq!(dropped("mongodbatlas_advanced_cluster"), [WEAKENED]);
    assert!(edit(
        "github_repository",
        "  name = \"api\"\n  delete_all_versions = false\n",
        "false",
        "true"
    )
    .is_empty());
}

// ---- retention -----------------------------------------------------------------------------

#[test]
fn snowflake_time_travel_shortened_is_reported() {
    for t in ["snowflake_database", "snowflake_schema", "snowflake_table"] {
        let body = "  name = \"A\"\n  data_retention_time_in_days = 30\n";
        let f = run(&resource(t, body), &resource(t, &body.replace("30", "1")));
        assert_eq!(ids(&f), [SHORTENED], "{t}");
        assert_eq!(f[0].severity, Severity::High, "{t}");
        assert_eq!(edit(t, body, "30", "0"), [SHORTENED], "{t}");
        // Longer, or left to the parent's value, deletes nothing sooner that the text shows.
        assert!(edit(t, body, "30", "90").is_empty(), "{t}");
        assert!(
            edit(t, body, "  data_retention_time_in_days = 30\n", "").is_empty(),
            "{t}"
        );
    }
    let call = "module \"db\" {\n  source = \"./sf\"\n  data_retention_time_in_days = 30\n}\n";
    assert_eq!(ids(&run(call, &call.replace("30", "1"))), [SHORTENED]);
    assert!(run(call, &call.replace("30", "60")).is_empty());
}

#[test]
fn the_replacement_table_names_each_type_once() {
    // Looked up by type: a second entry for a type would hide the first one's attributes.
    let mut seen = std::collections::HashSet::new();
    for (t, _) in super::replacement::FORCES_NEW {
        assert!(seen.insert(*t), "{t} listed twice");
    }
}
