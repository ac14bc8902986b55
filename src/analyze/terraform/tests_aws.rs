//! Before/after fixtures for AWS resources beyond RDS: the protections, retentions and
//! replacement-forcing attributes of caches, warehouses, keys, secrets, registries, user
//! pools, file systems and instances, each with the routine edit next to it that must stay
//! quiet.

use super::tests::{edit, ids, resource, run, REPLACED, SHORTENED, WEAKENED};
use crate::finding::Severity;

// ---- protections --------------------------------------------------------------------------

const POOL: &str = "  name                = \"users\"\n  deletion_protection = \"ACTIVE\"\n  mfa_configuration   = \"OFF\"\n";
const COGNITO: &str = "aws_cognito_user_pool";

#[test]
fn cognito_deletion_protection_set_inactive_or_dropped_is_weakened() {
    let f = run(
        &resource(COGNITO, POOL),
        &resource(COGNITO, &POOL.replace("\"ACTIVE\"", "\"INACTIVE\"")),
    );
    assert_eq!(ids(&f), [WEAKENED]);
    assert_eq!(f[0].severity, Severity::High);
    assert_eq!(f[0].location.line, Some(3));
    // INACTIVE is the provider's default: removing the setting turns it off too.
    let dropped = POOL.replace("  deletion_protection = \"ACTIVE\"\n", "");
    assert_eq!(
        ids(&run(&resource(COGNITO, POOL), &resource(COGNITO, &dropped))),
        [WEAKENED]
    );
    // Turning it on, and routine edits, stay quiet.
    assert!(run(&resource(COGNITO, &dropped), &resource(COGNITO, POOL)).is_empty());
    assert!(edit(COGNITO, POOL, "\"OFF\"", "\"OPTIONAL\"").is_empty());
}

#[test]
fn ecr_force_delete_is_weakened_but_an_auto_scaling_groups_is_not_judged() {
    let repo = "  name = \"app\"\n  image_tag_mutability = \"MUTABLE\"\n";
    let forced = format!("{repo}  force_delete = true\n");
    let t = "aws_ecr_repository";
    let f = run(&resource(t, repo), &resource(t, &forced));
    assert_eq!(ids(&f), [WEAKENED]);
    assert_eq!(f[0].severity, Severity::High);
    assert!(f[0].message.contains("every image"), "{}", f[0].message);
    assert!(edit(t, repo, "\"MUTABLE\"", "\"IMMUTABLE\"").is_empty());
    // On an Auto Scaling group `force_delete` only skips waiting for instances to drain.
    let asg = "  name = \"web\"\n  max_size = 3\n";
    let g = "aws_autoscaling_group";
    assert!(run(
        &resource(g, asg),
        &resource(g, &format!("{asg}  force_delete = true\n"))
    )
    .is_empty());
}

#[test]
fn skip_destroy_dropped_from_a_log_group_is_weakened() {
    let kept = "  name = \"/app\"\n  skip_destroy = true\n";
    let t = "aws_cloudwatch_log_group";
    let f = run(&resource(t, kept), &resource(t, "  name = \"/app\"\n"));
    assert_eq!(ids(&f), [WEAKENED]);
    assert_eq!(f[0].severity, Severity::High);
    assert_eq!(edit(t, kept, "true", "false"), [WEAKENED]);
    assert!(run(&resource(t, "  name = \"/app\"\n"), &resource(t, kept)).is_empty());
}

#[test]
fn volumes_left_without_a_final_snapshot_or_deleted_with_their_instance_are_weakened() {
    let vol = "  availability_zone = \"us-east-1a\"\n  size = 100\n  final_snapshot = true\n";
    let t = "aws_ebs_volume";
    assert_eq!(
        edit(t, vol, "final_snapshot = true", "final_snapshot = false"),
        [WEAKENED]
    );
    assert!(edit(t, vol, "size = 100", "size = 200").is_empty());

    let vm = "  ami = \"ami-1\"\n  instance_type = \"t3.micro\"\n  root_block_device {\n    volume_size = 100\n    delete_on_termination = false\n  }\n";
    let t = "aws_instance";
    let f = run(
        &resource(t, vm),
        &resource(t, &vm.replace("termination = false", "termination = true")),
    );
    assert_eq!(ids(&f), [WEAKENED]);
    assert_eq!(f[0].location.line, Some(6));
    // The default deletes the volume: dropping the opt-out weakens it too.
    let default = vm.replace("    delete_on_termination = false\n", "");
    assert_eq!(
        ids(&run(&resource(t, vm), &resource(t, &default))),
        [WEAKENED]
    );
    assert!(edit(t, vm, "t3.micro", "t3.large").is_empty());
    assert!(edit(t, vm, "volume_size = 100", "volume_size = 200").is_empty());
}

#[test]
fn cache_and_warehouse_snapshots_turned_off_are_weakened_and_fewer_days_shortened() {
    let rg = "  replication_group_id = \"cache\"\n  description = \"cache\"\n  snapshot_retention_limit = 7\n";
    let t = "aws_elasticache_replication_group";
    let f = run(&resource(t, rg), &resource(t, &rg.replace("= 7", "= 0")));
    assert_eq!(ids(&f), [WEAKENED]);
    assert_eq!(f[0].severity, Severity::High);
    let f = run(&resource(t, rg), &resource(t, &rg.replace("= 7", "= 3")));
    assert_eq!(ids(&f), [SHORTENED]);
    assert!(
        f[0].message.contains("older than 3 days"),
        "{}",
        f[0].message
    );
    assert!(edit(t, rg, "= 7", "= 14").is_empty());

    let dw = "  cluster_identifier = \"dw\"\n  automated_snapshot_retention_period = 7\n";
    let t = "aws_redshift_cluster";
    assert_eq!(edit(t, dw, "= 7", "= 0"), [WEAKENED]);
    assert_eq!(edit(t, dw, "= 7", "= 1"), [SHORTENED]);
    assert!(edit(t, dw, "\"dw\"\n", "\"dw\"\n  number_of_nodes = 4\n").is_empty());
}

#[test]
fn companions_that_keep_a_buckets_or_file_systems_data_are_graded_like_it() {
    let versioning = "  bucket = aws_s3_bucket.b.id\n  versioning_configuration {\n    status = \"Enabled\"\n  }\n";
    let t = "aws_s3_bucket_versioning";
    let f = run(
        &resource(t, versioning),
        &resource(t, &versioning.replace("Enabled", "Suspended")),
    );
    assert_eq!(ids(&f), [WEAKENED]);
    assert_eq!(f[0].severity, Severity::High);

    let policy = "  file_system_id = aws_efs_file_system.f.id\n  backup_policy {\n    status = \"ENABLED\"\n  }\n";
    let t = "aws_efs_backup_policy";
    let f = run(
        &resource(t, policy),
        &resource(t, &policy.replace("ENABLED", "DISABLED")),
    );
    assert_eq!(ids(&f), [WEAKENED]);
    assert_eq!(f[0].severity, Severity::High);
    assert!(run(
        &resource(t, &policy.replace("ENABLED", "DISABLED")),
        &resource(t, policy)
    )
    .is_empty());
    // A load balancer's protection guards no data: one step lower.
    let lb = "  name = \"web\"\n  enable_deletion_protection = true\n";
    let f = run(
        &resource("aws_lb", lb),
        &resource("aws_lb", &lb.replace("true", "false")),
    );
    assert_eq!(f[0].severity, Severity::Medium);
}

// ---- recovery windows ---------------------------------------------------------------------

#[test]
fn kms_deletion_window_shortened_is_retention_shortened() {
    let key = "  description = \"app\"\n  deletion_window_in_days = 30\n";
    let t = "aws_kms_key";
    let f = run(&resource(t, key), &resource(t, &key.replace("30", "7")));
    assert_eq!(ids(&f), [SHORTENED]);
    assert_eq!(f[0].location.line, Some(3));
    assert!(f[0].message.contains("for only 7 days"), "{}", f[0].message);
    // Unset is 30 days.
    let unset = "  description = \"app\"\n";
    assert_eq!(
        ids(&run(
            &resource(t, unset),
            &resource(t, &key.replace("30", "10"))
        )),
        [SHORTENED]
    );
    assert!(run(&resource(t, unset), &resource(t, key)).is_empty());
    assert_eq!(edit(t, key, "30", "14"), [SHORTENED]);
    assert!(run(&resource(t, &key.replace("30", "7")), &resource(t, key)).is_empty());
    // A new key with a short window deletes nothing that exists.
    assert!(run("", &resource(t, &key.replace("30", "7"))).is_empty());
}

#[test]
fn secret_recovery_window_shortened_or_zeroed_is_reported_once() {
    let secret = "  name = \"db\"\n  recovery_window_in_days = 30\n";
    let t = "aws_secretsmanager_secret";
    assert_eq!(edit(t, secret, "= 30", "= 7"), [SHORTENED]);
    // 0 deletes at once: the guard's finding, not a second one for the retention.
    assert_eq!(edit(t, secret, "= 30", "= 0"), [WEAKENED]);
    assert!(edit(t, secret, "\"db\"", "\"db\"\n  description = \"x\"").is_empty());
}

#[test]
fn module_inputs_for_point_in_time_recovery_and_deletion_windows_are_judged_by_name() {
    let table = "module \"table\" {\n  source = \"terraform-aws-modules/dynamodb-table/aws\"\n  name = \"orders\"\n  point_in_time_recovery_enabled = true\n}\n";
    let f = run(table, &table.replace("= true", "= false"));
    assert_eq!(ids(&f), [WEAKENED]);
    assert_eq!(f[0].severity, Severity::High);
    let kms = "module \"kms\" {\n  source = \"terraform-aws-modules/kms/aws\"\n  deletion_window_in_days = 30\n}\n";
    let f = run(kms, &kms.replace("30", "7"));
    assert_eq!(ids(&f), [SHORTENED]);
    assert!(
        f[0].message.contains("recovered for only 7 days"),
        "{}",
        f[0].message
    );
    assert!(run(&kms.replace("30", "7"), kms).is_empty());
}

// ---- replacement-forcing attributes -------------------------------------------------------

#[test]
fn cognito_sign_in_attributes_replace_the_pool_but_reordering_them_does_not() {
    let pool = "  name = \"users\"\n  alias_attributes = [\"email\", \"preferred_username\"]\n";
    let f = run(
        &resource(COGNITO, pool),
        &resource(COGNITO, &pool.replace(", \"preferred_username\"", "")),
    );
    assert_eq!(ids(&f), [REPLACED]);
    assert_eq!(f[0].severity, Severity::Critical);
    assert_eq!(f[0].location.line, Some(3));
    let reordered =
        "  name = \"users\"\n  alias_attributes = [\"preferred_username\", \"email\"]\n";
    assert!(run(&resource(COGNITO, pool), &resource(COGNITO, reordered)).is_empty());
    let by_email = "  name = \"users\"\n  username_attributes = [\"email\"]\n";
    assert_eq!(
        edit(COGNITO, by_email, "\"email\"]", "\"phone_number\"]"),
        [REPLACED]
    );
    assert_eq!(
        edit(COGNITO, by_email, "\"users\"", "\"members\""),
        [REPLACED]
    );
}

#[test]
fn elasticache_cluster_network_placement_replaces_it_but_node_changes_do_not() {
    let cache = "  cluster_id = \"cache\"\n  engine = \"redis\"\n  node_type = \"cache.t3.micro\"\n  subnet_group_name = \"a\"\n  port = 6379\n";
    let t = "aws_elasticache_cluster";
    assert_eq!(edit(t, cache, "\"a\"", "\"b\""), [REPLACED]);
    assert_eq!(edit(t, cache, "6379", "6380"), [REPLACED]);
    assert!(edit(t, cache, "t3.micro", "r6g.large").is_empty());
}

#[test]
fn a_local_secondary_index_added_replaces_the_table_but_a_global_one_does_not() {
    let table = "  name = \"orders\"\n  hash_key = \"id\"\n  range_key = \"ts\"\n";
    let t = "aws_dynamodb_table";
    let lsi = format!("{table}  local_secondary_index {{\n    name = \"by_status\"\n    range_key = \"status\"\n    projection_type = \"ALL\"\n  }}\n");
    let f = run(&resource(t, table), &resource(t, &lsi));
    assert_eq!(ids(&f), [REPLACED]);
    assert_eq!(f[0].severity, Severity::Critical);
    let gsi = format!("{table}  global_secondary_index {{\n    name = \"by_user\"\n    hash_key = \"user\"\n    projection_type = \"ALL\"\n  }}\n");
    assert!(run(&resource(t, table), &resource(t, &gsi)).is_empty());
}

#[test]
fn cache_engine_eks_role_and_msk_subnets_force_a_replacement() {
    let cache = "  cluster_id      = \"sessions\"\n  engine          = \"memcached\"\n  node_type       = \"cache.t3.micro\"\n  num_cache_nodes = 1\n";
    assert_eq!(
        edit(
            "aws_elasticache_cluster",
            cache,
            "\"memcached\"",
            "\"redis\""
        ),
        [REPLACED]
    );
    // A replication group moves from redis to valkey in place; more nodes are routine.
    let group =
        "  replication_group_id = \"sessions\"\n  description = \"s\"\n  engine = \"redis\"\n";
    assert!(edit(
        "aws_elasticache_replication_group",
        group,
        "\"redis\"",
        "\"valkey\""
    )
    .is_empty());
    assert!(edit(
        "aws_elasticache_cluster",
        cache,
        "num_cache_nodes = 1",
        "num_cache_nodes = 2"
    )
    .is_empty());
    let eks = "  name     = \"prod\"\n  role_arn = \"arn:aws:iam::1:role/eks-a\"\n  version  = \"1.29\"\n";
    assert_eq!(edit("aws_eks_cluster", eks, "eks-a", "eks-b"), [REPLACED]);
    assert!(edit("aws_eks_cluster", eks, "1.29", "1.30").is_empty());
    let msk = "  cluster_name = \"events\"\n  broker_node_group_info {\n    instance_type  = \"kafka.m5.large\"\n    client_subnets = [\"subnet-a\", \"subnet-b\"]\n  }\n";
    assert_eq!(
        edit("aws_msk_cluster", msk, "\"subnet-b\"", "\"subnet-c\""),
        [REPLACED]
    );
    assert!(edit("aws_msk_cluster", msk, "kafka.m5.large", "kafka.m5.xlarge").is_empty());
    // Redshift renames its first database in place (the attribute is not ForceNew).
    let redshift = "  cluster_identifier = \"dw\"\n  database_name = \"dev\"\n";
    assert!(edit("aws_redshift_cluster", redshift, "\"dev\"", "\"analytics\"").is_empty());
}

#[test]
fn user_data_replaces_an_instance_only_when_it_is_told_to_and_boot_scripts_elsewhere_always_do() {
    let instance = "  ami = \"ami-1\"\n  user_data = \"echo hi\"\n";
    let t = "aws_instance";
    // Updated in place (applied at the next stop and start) by default.
    assert!(edit(t, instance, "echo hi", "echo bye").is_empty());
    let replacing = format!("{instance}  user_data_replace_on_change = true\n");
    assert_eq!(edit(t, &replacing, "echo hi", "echo bye"), [REPLACED]);
    let off = format!("{instance}  user_data_replace_on_change = false\n");
    assert!(edit(t, &off, "echo hi", "echo bye").is_empty());
    let gce = "  name = \"vm\"\n  metadata_startup_script = \"apt-get update\"\n";
    assert_eq!(
        edit(
            "google_compute_instance",
            gce,
            "apt-get update",
            "apt-get upgrade"
        ),
        [REPLACED]
    );
    let vm = "  name = \"vm\"\n  custom_data = \"I2Nsb3VkLWNvbmZpZw==\"\n";
    assert_eq!(
        edit("azurerm_linux_virtual_machine", vm, "I2Nsb3Vk", "I2Nsb3VE"),
        [REPLACED]
    );
}

/// A v3 bucket with inline versioning and a lifecycle rule, as the AWS provider v4 split
/// found it.
const BUCKET_V3: &str = "resource \"aws_s3_bucket\" \"logs\" {\n  bucket = \"acme-logs\"\n  versioning {\n    enabled = true\n  }\n  lifecycle_rule {\n    id      = \"expire\"\n    enabled = true\n    expiration {\n      days = 365\n    }\n  }\n}\n";

fn bucket_v4(status: &str, days: u32) -> String {
    format!(
        "resource \"aws_s3_bucket\" \"logs\" {{\n  bucket = \"acme-logs\"\n}}\n\
         resource \"aws_s3_bucket_versioning\" \"logs\" {{\n  bucket = aws_s3_bucket.logs.id\n  versioning_configuration {{\n    status = \"{status}\"\n  }}\n}}\n\
         resource \"aws_s3_bucket_lifecycle_configuration\" \"logs\" {{\n  bucket = aws_s3_bucket.logs.id\n  rule {{\n    id     = \"expire\"\n    status = \"Enabled\"\n    expiration {{\n      days = {days}\n    }}\n  }}\n}}\n"
    )
}

#[test]
fn the_v4_s3_split_that_keeps_every_setting_is_quiet() {
    assert!(run(BUCKET_V3, &bucket_v4("Enabled", 365)).is_empty());
}

#[test]
fn a_setting_weakened_during_the_v4_s3_split_is_found_against_the_inline_block() {
    let f = run(BUCKET_V3, &bucket_v4("Suspended", 365));
    assert_eq!(ids(&f), [WEAKENED]);
    assert_eq!(
        f[0].subject.as_deref(),
        Some("aws_s3_bucket_versioning.logs")
    );
    assert!(
        f[0].message
            .contains("inline `versioning` block of `aws_s3_bucket.logs`"),
        "{}",
        f[0].message
    );
    let f = run(BUCKET_V3, &bucket_v4("Enabled", 7));
    assert_eq!(ids(&f), [SHORTENED]);
    // A bucket that had no versioning block says nothing about a new versioning resource.
    let plain = "resource \"aws_s3_bucket\" \"logs\" {\n  bucket = \"acme-logs\"\n}\n";
    assert!(run(plain, &bucket_v4("Suspended", 365)).is_empty());
}

#[test]
fn db_instance_name_renamed_to_db_name_with_the_same_value_is_no_replacement() {
    let db = |attr: &str, value: &str| {
        resource(
            "aws_db_instance",
            &format!(
                "  identifier = \"app\"\n  engine     = \"postgres\"\n  {attr} = \"{value}\"\n"
            ),
        )
    };
    assert!(run(&db("name", "appdb"), &db("db_name", "appdb")).is_empty());
    // Another value under the new name is a new database name: a replacement.
    assert_eq!(
        ids(&run(&db("name", "appdb"), &db("db_name", "orders"))),
        [REPLACED]
    );
}
