//! guards: the settings that stop a cloud provider from deleting or losing an object
//! (deletion protection, final snapshots, versioning, …), and how to tell whether a change
//! weakened one. Each guard knows what its absence means, because "removed the attribute" is
//! sometimes "turned the protection off" and sometimes "left it at a protective default".

use std::collections::HashMap;
use std::sync::LazyLock;

use super::model::{Item, ItemKind, Lit, Setting};
use crate::finding::Severity;

/// What a guard's value means for the object.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Strength {
    Protected,
    Weak,
    /// A computed value, or an absent one whose default twokey does not know.
    Unknown,
}

pub struct Guard {
    /// Dotted path of the setting inside the block.
    pub path: &'static str,
    /// What a present value means.
    pub judge: fn(&Lit) -> Strength,
    /// What absence means, given the resource type.
    pub absent: fn(&str) -> Strength,
    /// What the weak value does, completing "… so …".
    pub effect: &'static str,
    /// The resource types the setting belongs to, where its name means something else
    /// elsewhere; empty for every type.
    pub only: &'static [&'static str],
}

/// [`Guard::only`] for a setting that means the same on every type.
const ANY: &[&str] = &[];

impl Guard {
    /// Whether the guard is a setting of `rtype`.
    pub fn applies_to(&self, rtype: &str) -> bool {
        self.only.is_empty() || self.only.contains(&rtype)
    }
}

fn bool_true_protects(v: &Lit) -> Strength {
    match v.as_bool() {
        Some(true) => Strength::Protected,
        Some(false) => Strength::Weak,
        None => Strength::Unknown,
    }
}

/// `deletion_protection`: a bool almost everywhere, but `"ACTIVE"` / `"INACTIVE"` on a
/// Cognito user pool and `"PROTECTED"` / `"UNPROTECTED"` on a Bigtable table or authorized view.
fn bool_or_active_protects(v: &Lit) -> Strength {
    match v {
        Lit::Str(s) if s == "ACTIVE" || s == "PROTECTED" => Strength::Protected,
        Lit::Str(s) if s == "INACTIVE" || s == "UNPROTECTED" => Strength::Weak,
        _ => bool_true_protects(v),
    }
}

fn bool_false_protects(v: &Lit) -> Strength {
    match v.as_bool() {
        Some(false) => Strength::Protected,
        Some(true) => Strength::Weak,
        None => Strength::Unknown,
    }
}

fn positive_protects(v: &Lit) -> Strength {
    match v.as_num() {
        Some(n) if n <= 0.0 => Strength::Weak,
        Some(_) => Strength::Protected,
        None => Strength::Unknown,
    }
}

fn present_protects(v: &Lit) -> Strength {
    match v {
        Lit::Null => Strength::Weak,
        Lit::Str(s) if s.is_empty() => Strength::Weak,
        _ => Strength::Protected,
    }
}

fn enabled_status(v: &Lit) -> Strength {
    match v {
        Lit::Str(s) if s == "Enabled" => Strength::Protected,
        Lit::Str(s) if s == "Suspended" || s == "Disabled" => Strength::Weak,
        _ => Strength::Unknown,
    }
}

/// An EFS backup policy's `status`: `ENABLED` (or `ENABLING`) keeps AWS Backup's daily
/// backups of the file system; `DISABLED` stops them.
fn efs_backup_status(v: &Lit) -> Strength {
    match v {
        Lit::Str(s) if s == "ENABLED" || s == "ENABLING" => Strength::Protected,
        Lit::Str(s) if s == "DISABLED" || s == "DISABLING" => Strength::Weak,
        _ => Strength::Unknown,
    }
}

/// A `deletion_policy` (Google): `DELETE` lets Terraform delete the object; `ABANDON` only
/// forgets it, `PREVENT` refuses the destroy and `DISABLE` (a secret version) disables it,
/// keeping the data.
fn deletion_policy(v: &Lit) -> Strength {
    match v {
        Lit::Str(s) if s.eq_ignore_ascii_case("DELETE") => Strength::Weak,
        Lit::Str(s)
            if s.eq_ignore_ascii_case("ABANDON")
                || s.eq_ignore_ascii_case("PREVENT")
                || s.eq_ignore_ascii_case("DISABLE") =>
        {
            Strength::Protected
        }
        _ => Strength::Unknown,
    }
}

/// What an absent `deletion_policy` means: a project refuses the destroy (`PREVENT`, since
/// provider 6.0) and a Firestore database is abandoned; a Cloud SQL database or user is deleted.
fn deletion_policy_default(rtype: &str) -> Strength {
    match rtype {
        "google_project" | "google_firestore_database" => Strength::Protected,
        "google_sql_database" | "google_sql_user" => Strength::Weak,
        _ => Strength::Unknown,
    }
}

/// Firestore's own deletion protection, off unless enabled.
fn delete_protection_state(v: &Lit) -> Strength {
    match v {
        Lit::Str(s) if s == "DELETE_PROTECTION_ENABLED" => Strength::Protected,
        Lit::Str(s) if s == "DELETE_PROTECTION_DISABLED" => Strength::Weak,
        _ => Strength::Unknown,
    }
}

/// An Azure Data Protection backup vault's `soft_delete`: `On` (the default) or `AlwaysOn`
/// keep deleted backups recoverable; `Off` does not.
fn soft_delete_state(v: &Lit) -> Strength {
    match v {
        Lit::Str(s) if s == "Off" => Strength::Weak,
        Lit::Str(s) if s == "On" || s == "AlwaysOn" => Strength::Protected,
        _ => Strength::Unknown,
    }
}

/// Firestore's point-in-time recovery, off unless enabled.
fn pitr_enablement(v: &Lit) -> Strength {
    match v {
        Lit::Str(s) if s == "POINT_IN_TIME_RECOVERY_ENABLED" => Strength::Protected,
        Lit::Str(s) if s == "POINT_IN_TIME_RECOVERY_DISABLED" => Strength::Weak,
        _ => Strength::Unknown,
    }
}

/// An Azure backup vault's `immutability`: `Unlocked` or `Locked` keep recovery points from
/// being deleted before they expire; `Disabled` does not.
fn immutability_state(v: &Lit) -> Strength {
    match v {
        Lit::Str(s) if s == "Locked" || s == "Unlocked" => Strength::Protected,
        Lit::Str(s) if s == "Disabled" => Strength::Weak,
        _ => Strength::Unknown,
    }
}

/// What an absent `deletion_protection_enabled` means: Memorystore clusters and instances
/// are protected by the Google provider unless told otherwise; everywhere else (DynamoDB,
/// CloudWatch Logs, Aurora DSQL, Filestore) the setting is off unless set.
fn deletion_protection_enabled_default(rtype: &str) -> Strength {
    match rtype {
        "google_redis_cluster" | "google_memorystore_instance" => Strength::Protected,
        _ => Strength::Weak,
    }
}

/// FSx for Lustre skips the final backup unless told to take it; the other FSx types take it
/// unless told to skip it. Only a persistent Lustre file system has backups at all, so its
/// default is left unknown rather than called weak.
fn skip_final_backup_default(rtype: &str) -> Strength {
    match rtype {
        "aws_fsx_lustre_file_system" => Strength::Unknown,
        _ => Strength::Protected,
    }
}

/// The FSx file systems whose automatic daily backups `automatic_backup_retention_days` keeps.
const FSX: &[&str] = &[
    "aws_fsx_windows_file_system",
    "aws_fsx_lustre_file_system",
    "aws_fsx_ontap_file_system",
    "aws_fsx_openzfs_file_system",
];

/// The types with a `skip_final_backup` (FSx file systems, and ONTAP and OpenZFS volumes).
const FSX_FINAL_BACKUP: &[&str] = &[
    "aws_fsx_windows_file_system",
    "aws_fsx_lustre_file_system",
    "aws_fsx_openzfs_file_system",
    "aws_fsx_ontap_volume",
    "aws_fsx_openzfs_volume",
];

fn weak(_: &str) -> Strength {
    Strength::Weak
}
fn protected(_: &str) -> Strength {
    Strength::Protected
}
fn unknown(_: &str) -> Strength {
    Strength::Unknown
}

/// Google resources whose `deletion_protection` defaults to on in the provider.
fn deletion_protection_default(rtype: &str) -> Strength {
    const DEFAULT_ON: &[&str] = &[
        "google_sql_database_instance",
        "google_container_cluster",
        // Not `google_bigtable_table`: its string setting defaults to `UNPROTECTED`.
        "google_bigtable_instance",
        "google_spanner_database",
        "google_spanner_instance",
        "google_bigquery_table",
        "google_alloydb_cluster",
        "google_firestore_database",
        "google_folder",
    ];
    if DEFAULT_ON.contains(&rtype) {
        Strength::Protected
    } else {
        Strength::Weak
    }
}

/// What an absent `termination_protection_enabled` means: a CloudTrail event data store is
/// protected unless told otherwise (the AWS provider's default is `true`); an Atlas cluster is not.
fn termination_protection_default(rtype: &str) -> Strength {
    match rtype {
        "aws_cloudtrail_event_data_store" => Strength::Protected,
        _ => Strength::Weak,
    }
}

pub const GUARDS: &[Guard] = &[
    Guard {
        path: "deletion_protection",
        judge: bool_or_active_protects,
        absent: deletion_protection_default,
        effect: "the provider will now delete it when asked",
        only: ANY,
    },
    Guard {
        path: "deletion_protection_enabled",
        judge: bool_true_protects,
        absent: deletion_protection_enabled_default,
        effect: "it can now be deleted",
        only: ANY,
    },
    Guard {
        path: "enable_deletion_protection",
        judge: bool_true_protects,
        absent: weak,
        effect: "the load balancer can now be deleted",
        only: ANY,
    },
    Guard {
        path: "disable_api_termination",
        judge: bool_true_protects,
        absent: weak,
        effect: "the instance can now be terminated through the API",
        only: ANY,
    },
    Guard {
        path: "termination_protection",
        judge: bool_true_protects,
        absent: weak,
        effect: "it can now be terminated",
        only: ANY,
    },
    Guard {
        path: "enable_termination_protection",
        judge: bool_true_protects,
        absent: weak,
        effect: "the stack can now be deleted",
        only: ANY,
    },
    Guard {
        path: "purge_protection_enabled",
        judge: bool_true_protects,
        absent: weak,
        effect: "deleted keys and secrets can be purged for good",
        only: ANY,
    },
    Guard {
        path: "force_destroy",
        judge: bool_false_protects,
        absent: protected,
        effect: "destroying it deletes every object inside instead of failing",
        only: ANY,
    },
    Guard {
        path: "skip_final_snapshot",
        judge: bool_false_protects,
        absent: protected,
        effect: "destroying it keeps no final snapshot of the data",
        only: ANY,
    },
    Guard {
        path: "final_snapshot_identifier",
        judge: present_protects,
        absent: weak,
        effect: "destroying it keeps no final snapshot of the data",
        only: ANY,
    },
    Guard {
        path: "backup_retention_period",
        judge: positive_protects,
        absent: unknown,
        effect: "automated backups are turned off and existing ones deleted",
        only: ANY,
    },
    Guard {
        path: "recovery_window_in_days",
        judge: positive_protects,
        absent: protected,
        effect: "a deleted secret is gone at once, with no recovery window",
        only: ANY,
    },
    Guard {
        path: "features.resource_group.prevent_deletion_if_contains_resources",
        judge: bool_true_protects,
        absent: protected,
        effect: "deleting a resource group now also deletes everything in it",
        only: ANY,
    },
    // The azurerm provider's `features` block decides what a destroy takes with it. Key Vault
    // purges on destroy unless told not to: absence is the weak default.
    Guard {
        path: "features.key_vault.purge_soft_delete_on_destroy",
        judge: bool_false_protects,
        absent: weak,
        effect: "destroying a key vault purges it for good instead of leaving it soft-deleted and recoverable",
        only: ANY,
    },
    Guard {
        path: "features.key_vault.purge_soft_deleted_keys_on_destroy",
        judge: bool_false_protects,
        absent: weak,
        effect: "destroying a key purges it for good, and data encrypted with it cannot be decrypted again",
        only: ANY,
    },
    Guard {
        path: "features.key_vault.purge_soft_deleted_secrets_on_destroy",
        judge: bool_false_protects,
        absent: weak,
        effect: "destroying a secret purges it for good instead of leaving it recoverable",
        only: ANY,
    },
    Guard {
        path: "features.key_vault.purge_soft_deleted_certificates_on_destroy",
        judge: bool_false_protects,
        absent: weak,
        effect: "destroying a certificate purges it for good instead of leaving it recoverable",
        only: ANY,
    },
    Guard {
        path: "features.log_analytics_workspace.permanently_delete_on_destroy",
        judge: bool_false_protects,
        absent: protected,
        effect: "destroying a Log Analytics workspace deletes it and its logs for good, with no 14-day recovery",
        only: ANY,
    },
    Guard {
        path: "features.netapp.prevent_volume_destruction",
        judge: bool_true_protects,
        absent: protected,
        effect: "NetApp volumes, and the files on them, can now be destroyed",
        only: ANY,
    },
    Guard {
        path: "features.recovery_service.purge_protected_items_from_vault_on_destroy",
        judge: bool_false_protects,
        absent: protected,
        effect: "destroying a Recovery Services vault purges the backups it protects",
        only: ANY,
    },
    // Google: BigQuery datasets refuse to be destroyed while they hold tables, unless told.
    Guard {
        path: "delete_contents_on_destroy",
        judge: bool_false_protects,
        absent: protected,
        effect: "destroying the dataset deletes every table in it instead of failing",
        only: ANY,
    },
    Guard {
        path: "deletion_policy",
        judge: deletion_policy,
        absent: deletion_policy_default,
        effect: "a destroy now deletes the real object instead of refusing or only forgetting it",
        only: ANY,
    },
    Guard {
        path: "delete_protection_state",
        judge: delete_protection_state,
        absent: weak,
        effect: "the database can now be deleted",
        only: ANY,
    },
    // Azure Recovery Services vaults keep deleted backups 14 days unless soft delete is off.
    Guard {
        path: "soft_delete_enabled",
        judge: bool_true_protects,
        absent: protected,
        effect: "deleted backups are gone at once instead of recoverable for 14 days",
        only: ANY,
    },
    Guard {
        path: "soft_delete",
        judge: soft_delete_state,
        absent: protected,
        effect: "deleted backups are gone at once instead of recoverable",
        only: ANY,
    },
    Guard {
        path: "versioning.enabled",
        judge: bool_true_protects,
        absent: unknown,
        effect: "overwritten and deleted objects are no longer recoverable",
        only: ANY,
    },
    Guard {
        path: "versioning_configuration.status",
        judge: enabled_status,
        absent: unknown,
        effect: "overwritten and deleted objects are no longer recoverable",
        only: ANY,
    },
    // Cloud SQL's API-side deletion protection (the top-level `deletion_protection` is
    // Terraform's own), and its backups; off by default in the provider.
    Guard {
        path: "settings.deletion_protection_enabled",
        judge: bool_true_protects,
        absent: weak,
        effect: "the instance can now be deleted through the API and the console",
        only: ANY,
    },
    Guard {
        path: "settings.backup_configuration.enabled",
        judge: bool_true_protects,
        absent: unknown,
        effect: "automated backups are turned off",
        only: ANY,
    },
    Guard {
        path: "settings.backup_configuration.point_in_time_recovery_enabled",
        judge: bool_true_protects,
        absent: unknown,
        effect: "the instance can no longer be restored to an earlier point in time",
        only: ANY,
    },
    // Azure storage: blob versioning defaults to off.
    Guard {
        path: "blob_properties.versioning_enabled",
        judge: bool_true_protects,
        absent: weak,
        effect: "overwritten and deleted blobs are no longer recoverable",
        only: ANY,
    },
    Guard {
        path: "point_in_time_recovery.enabled",
        judge: bool_true_protects,
        absent: unknown,
        effect: "the table can no longer be restored to an earlier point in time",
        only: ANY,
    },
    // AWS: what a destroy takes with it, and the backups a stateful type keeps.
    Guard {
        path: "force_delete",
        judge: bool_false_protects,
        absent: protected,
        effect: "destroying the repository deletes every image in it instead of failing",
        only: &["aws_ecr_repository"],
    },
    // HCP Terraform refuses to delete a workspace that still manages resources unless
    // `force_delete` is set; with it, the workspace and its state go, the resources stay
    // unmanaged.
    Guard {
        path: "force_delete",
        judge: bool_false_protects,
        absent: protected,
        effect: "destroying the workspace deletes it, and its state, even while it still manages resources",
        only: &["tfe_workspace"],
    },
    // Destroying a `nomad_job` deregisters it; with `purge_on_destroy` the job is purged as
    // well, with its versions and history to revert to (off by default).
    Guard {
        path: "purge_on_destroy",
        judge: bool_false_protects,
        absent: protected,
        effect: "destroying the job purges it from Nomad, with its versions to revert to",
        only: &["nomad_job"],
    },
    // A Spacelift stack refuses to be deleted while this is set (off by default).
    Guard {
        path: "protect_from_deletion",
        judge: bool_true_protects,
        absent: weak,
        effect: "the stack, with its state and history, can be deleted",
        only: &["spacelift_stack"],
    },
    // Log groups (and the other types that have it) are only forgotten on destroy while set.
    Guard {
        path: "skip_destroy",
        judge: bool_true_protects,
        absent: weak,
        effect: "a destroy now deletes the real object (and what it holds) instead of only removing it from the state",
        only: ANY,
    },
    Guard {
        path: "final_snapshot",
        judge: bool_true_protects,
        absent: weak,
        effect: "destroying the volume keeps no snapshot of its data",
        only: &["aws_ebs_volume"],
    },
    // An instance's volumes are deleted with it unless told otherwise (the default is true).
    Guard {
        path: "root_block_device.delete_on_termination",
        judge: bool_false_protects,
        absent: weak,
        effect: "terminating or replacing the instance now deletes its root volume and the data on it",
        only: &["aws_instance"],
    },
    Guard {
        path: "ebs_block_device.delete_on_termination",
        judge: bool_false_protects,
        absent: weak,
        effect: "terminating or replacing the instance now deletes the volume and the data on it",
        only: &["aws_instance"],
    },
    // 0 turns automatic snapshots off (ElastiCache, MemoryDB; Redshift deletes the existing
    // automated snapshots too).
    Guard {
        path: "snapshot_retention_limit",
        judge: positive_protects,
        absent: unknown,
        effect: "automatic snapshots are turned off and the data can no longer be restored from one",
        only: ANY,
    },
    Guard {
        path: "automated_snapshot_retention_period",
        judge: positive_protects,
        absent: unknown,
        effect: "automated snapshots are turned off and the existing ones deleted",
        only: ANY,
    },
    Guard {
        path: "backup_policy.status",
        judge: efs_backup_status,
        absent: unknown,
        effect: "AWS Backup no longer backs up the file system",
        only: &["aws_efs_backup_policy"],
    },
    // Providers beyond the three clouds. Hetzner (and CockroachDB, AWS Network Firewall)
    // refuse to delete an object while `delete_protection` is on; it is off unless set.
    Guard {
        path: "delete_protection",
        judge: bool_true_protects,
        absent: weak,
        effect: "the provider will now delete it when asked",
        only: ANY,
    },
    // MongoDB Atlas refuses to delete a cluster while termination protection is on (off
    // unless set); AWS uses the same name, on by default.
    Guard {
        path: "termination_protection_enabled",
        judge: bool_true_protects,
        absent: termination_protection_default,
        effect: "it can now be deleted",
        only: ANY,
    },
    // Atlas deletes a cluster's snapshots when its cloud backups are turned off.
    Guard {
        path: "backup_enabled",
        judge: bool_true_protects,
        absent: unknown,
        effect: "cloud backups are turned off and the snapshots already taken are deleted",
        only: &["mongodbatlas_cluster", "mongodbatlas_advanced_cluster"],
    },
    Guard {
        path: "cloud_backup",
        judge: bool_true_protects,
        absent: unknown,
        effect: "cloud backups are turned off and the snapshots already taken are deleted",
        only: &["mongodbatlas_cluster"],
    },
    // A GitHub repository is archived rather than deleted on destroy only while this is set.
    Guard {
        path: "archive_on_destroy",
        judge: bool_true_protects,
        absent: weak,
        effect: "destroying it deletes the repository, with its history, issues and pull requests, instead of archiving it",
        only: &["github_repository"],
    },
    // Vault: a KV v2 destroy soft-deletes the latest version (undeletable) unless told to
    // delete every version; a transit key cannot be deleted until deletion is allowed.
    Guard {
        path: "delete_all_versions",
        judge: bool_false_protects,
        absent: protected,
        effect: "destroying the secret deletes every version of it for good instead of only soft-deleting the latest",
        only: &["vault_kv_secret_v2"],
    },
    Guard {
        path: "deletion_allowed",
        judge: bool_false_protects,
        absent: protected,
        effect: "Vault will now delete the key when asked, and data encrypted under it can no longer be decrypted",
        only: &["vault_transit_secret_backend_key"],
    },
    // The name terraform-aws-modules/dynamodb-table gives `point_in_time_recovery.enabled`.
    Guard {
        path: "point_in_time_recovery_enabled",
        judge: bool_true_protects,
        absent: unknown,
        effect: "the table can no longer be restored to an earlier point in time",
        only: ANY,
    },
    // RDS deletes an instance's or cluster's automated backups with it unless told to keep
    // them (the provider's default is true).
    Guard {
        path: "delete_automated_backups",
        judge: bool_false_protects,
        absent: weak,
        effect: "destroying the database now deletes its automated backups too, so only manual snapshots remain to restore from",
        only: &["aws_db_instance", "aws_rds_cluster"],
    },
    // S3 MFA delete: a version cannot be deleted for good, nor versioning suspended, without
    // the root account's MFA device.
    Guard {
        path: "versioning_configuration.mfa_delete",
        judge: enabled_status,
        absent: unknown,
        effect: "object versions can be deleted for good, and versioning suspended, without an MFA code",
        only: &["aws_s3_bucket_versioning"],
    },
    Guard {
        path: "automatic_backup_retention_days",
        judge: positive_protects,
        absent: unknown,
        effect: "automatic daily backups of the file system are turned off",
        only: FSX,
    },
    Guard {
        path: "skip_final_backup",
        judge: bool_false_protects,
        absent: skip_final_backup_default,
        effect: "destroying it keeps no final backup of the data",
        only: FSX_FINAL_BACKUP,
    },
    Guard {
        path: "final_snapshot_name",
        judge: present_protects,
        absent: weak,
        effect: "destroying the cluster keeps no final snapshot of the data",
        only: &["aws_memorydb_cluster"],
    },
    Guard {
        path: "immutability",
        judge: immutability_state,
        absent: unknown,
        effect: "recovery points can be deleted before they expire",
        only: &[
            "azurerm_recovery_services_vault",
            "azurerm_data_protection_backup_vault",
        ],
    },
    // More of the azurerm provider's `features`: what a destroy purges or takes along.
    Guard {
        path: "features.api_management.purge_soft_delete_on_destroy",
        judge: bool_false_protects,
        absent: weak,
        effect: "destroying an API Management service purges it for good instead of leaving it soft-deleted and recoverable",
        only: ANY,
    },
    Guard {
        path: "features.app_configuration.purge_soft_delete_on_destroy",
        judge: bool_false_protects,
        absent: weak,
        effect: "destroying an App Configuration store purges it, with its keys and values, for good instead of leaving it recoverable",
        only: ANY,
    },
    Guard {
        path: "features.cognitive_account.purge_soft_delete_on_destroy",
        judge: bool_false_protects,
        absent: weak,
        effect: "destroying a Cognitive Services account purges it for good instead of leaving it recoverable",
        only: ANY,
    },
    Guard {
        path: "features.key_vault.purge_soft_deleted_hardware_security_modules_on_destroy",
        judge: bool_false_protects,
        absent: weak,
        effect: "destroying a managed HSM purges it, and its keys, for good instead of leaving it recoverable",
        only: ANY,
    },
    Guard {
        path: "features.machine_learning.purge_soft_deleted_workspace_on_destroy",
        judge: bool_false_protects,
        absent: protected,
        effect: "destroying a Machine Learning workspace purges it for good instead of leaving it recoverable",
        only: ANY,
    },
    Guard {
        path: "features.virtual_machine.delete_os_disk_on_deletion",
        judge: bool_false_protects,
        absent: weak,
        effect: "destroying or replacing a virtual machine now deletes its OS disk and the data on it",
        only: ANY,
    },
    Guard {
        path: "features.recovery_service.vm_backup_stop_protection_and_retain_data_on_destroy",
        judge: bool_true_protects,
        absent: weak,
        effect: "destroying a VM's backup protection deletes its recovery points instead of keeping them",
        only: ANY,
    },
    Guard {
        path: "features.netapp.delete_backups_on_backup_vault_destroy",
        judge: bool_false_protects,
        absent: protected,
        effect: "destroying a NetApp backup vault deletes the backups in it",
        only: ANY,
    },
    Guard {
        path: "features.template_deployment.delete_nested_items_during_deletion",
        judge: bool_false_protects,
        absent: weak,
        effect: "destroying an ARM template deployment also deletes every resource the template created",
        only: ANY,
    },
    Guard {
        path: "features.databricks_workspace.force_delete",
        judge: bool_false_protects,
        absent: protected,
        effect: "destroying a Databricks workspace deletes its managed resource group even while it holds data",
        only: ANY,
    },
    // Google: Cloud SQL for MySQL restores to a point in time from its binary log.
    Guard {
        path: "settings.backup_configuration.binary_log_enabled",
        judge: bool_true_protects,
        absent: unknown,
        effect: "a MySQL instance can no longer be restored to an earlier point in time",
        only: &["google_sql_database_instance"],
    },
    // Spanner's drop protection guards the database against anyone's delete, not only
    // Terraform's (which `deletion_protection` covers); off unless set.
    Guard {
        path: "enable_drop_protection",
        judge: bool_true_protects,
        absent: weak,
        effect: "the database can now be dropped by anyone allowed to, not only through Terraform",
        only: &["google_spanner_database"],
    },
    Guard {
        path: "continuous_backup_config.enabled",
        judge: bool_true_protects,
        absent: unknown,
        effect: "continuous backups stop and the cluster can no longer be restored to an earlier point in time",
        only: &["google_alloydb_cluster"],
    },
    Guard {
        path: "automated_backup_policy.enabled",
        judge: bool_true_protects,
        absent: unknown,
        effect: "automated backups of the cluster are turned off",
        only: &["google_alloydb_cluster"],
    },
    Guard {
        path: "point_in_time_recovery_enablement",
        judge: pitr_enablement,
        absent: weak,
        effect: "the database can no longer be restored to an earlier point in time",
        only: &["google_firestore_database"],
    },
    // A bucket's retention policy keeps objects from being deleted or overwritten until they
    // are old enough; removed, nothing does.
    Guard {
        path: "retention_policy.retention_period",
        judge: positive_protects,
        absent: weak,
        effect: "objects can now be deleted or overwritten before their retention period ends",
        only: &["google_storage_bucket"],
    },
    // A boot disk is deleted with its instance unless told otherwise (the default is true).
    Guard {
        path: "boot_disk.auto_delete",
        judge: bool_false_protects,
        absent: weak,
        effect: "deleting or replacing the instance now deletes its boot disk and the data on it",
        only: &["google_compute_instance"],
    },
];

/// One weakened guard on an item.
pub struct Weakened<'a> {
    pub guard: &'a Guard,
    pub before: String,
    /// The head setting; `None` when the attribute was removed.
    pub after: Option<&'a Setting>,
}

/// The indices into [`GUARDS`] of the guards at each path, built once: [`weakened`] looks up
/// the paths an item sets rather than every guard.
static BY_PATH: LazyLock<HashMap<&'static str, Vec<usize>>> = LazyLock::new(|| {
    let mut by_path: HashMap<&'static str, Vec<usize>> = HashMap::new();
    for (i, guard) in GUARDS.iter().enumerate() {
        by_path.entry(guard.path).or_default().push(i);
    }
    by_path
});

/// The guard at `path` on an item of `kind` and type `rtype`: a resource's own setting, or
/// for a module call an argument of a guard's name (modules pass them on, see [`InputRole`]).
pub fn guard_at(path: &str, kind: ItemKind, rtype: &str) -> Option<&'static Guard> {
    let mut at = BY_PATH.get(path)?.iter().map(|&i| &GUARDS[i]);
    match kind {
        ItemKind::Module => at.next(),
        _ => at.find(|g| g.applies_to(rtype)),
    }
}

/// Guards on `new` that are weaker than on `old`, in [`GUARDS`] order. A guard counts as
/// weakened when the head value is weak and the base was protective or a computed expression
/// (the literal weak value replaced something that was not it).
///
/// Only the guards whose path either side sets are judged: a guard set on neither side is
/// judged by its default (`absent`) on both, and the default of one resource type is the same
/// on both sides, so it cannot have become weaker. Items whose types differ are judged on
/// every guard, since two types' defaults can differ.
pub fn weakened<'a>(old: &'a Item, new: &'a Item) -> Vec<Weakened<'a>> {
    if old.rtype != new.rtype {
        return GUARDS
            .iter()
            .filter_map(|guard| weakened_guard(guard, old, new))
            .collect();
    }
    let mut set: Vec<usize> = old
        .settings
        .keys()
        .chain(new.settings.keys())
        .filter_map(|path| BY_PATH.get(path.as_str()))
        .flatten()
        .copied()
        .collect();
    set.sort_unstable();
    set.dedup();
    set.into_iter()
        .filter_map(|i| weakened_guard(&GUARDS[i], old, new))
        .collect()
}

/// `guard` on `new`, when it applies there and is weaker than on `old`.
fn weakened_guard<'a>(guard: &'a Guard, old: &'a Item, new: &'a Item) -> Option<Weakened<'a>> {
    if !guard.applies_to(&new.rtype) {
        return None;
    }
    let before = old.get(guard.path);
    let after = new.get(guard.path);
    let strength = |s: Option<&Setting>, rtype: &str| match s {
        Some(s) => (guard.judge)(&s.value),
        None => (guard.absent)(rtype),
    };
    if strength(after, &new.rtype) != Strength::Weak {
        return None;
    }
    let was = strength(before, &old.rtype);
    let was_computed = matches!(before.map(|s| &s.value), Some(Lit::Expr(_)));
    (was == Strength::Protected || (was_computed && after.is_some())).then(|| Weakened {
        guard,
        before: before
            .map(|s| s.value.render())
            .unwrap_or_else(|| "its default".to_owned()),
        after,
    })
}

/// What a value handed into a module from outside means, judged by its name: a module
/// argument, a Terragrunt input, a `.tfvars` value, a variable's default. Modules by
/// convention pass such a value to the resource attribute of the same name
/// (`deletion_protection = var.deletion_protection`), or use `create` / `create_*` as the
/// switch for what they create (`count = var.create ? 1 : 0`, as terraform-aws-modules do).
/// twokey does not follow the value into the module, so the name is all it goes by.
#[derive(Clone, Copy)]
pub enum InputRole {
    Guard(&'static Guard),
    /// `create`, `create_db_instance`, `create_vpc`…: false destroys what the switch created.
    CreateSwitch,
}

impl InputRole {
    /// The role of the input at `path` (dotted for keys of an object value), if any.
    pub fn of(path: &str) -> Option<InputRole> {
        let switch = path == "create"
            || path
                .strip_prefix("create_")
                .is_some_and(|rest| !rest.is_empty() && !rest.contains('.'));
        if switch {
            return Some(InputRole::CreateSwitch);
        }
        GUARDS.iter().find(|g| g.path == path).map(InputRole::Guard)
    }
    fn judge(&self, v: &Lit) -> Strength {
        match self {
            InputRole::Guard(g) => (g.judge)(v),
            InputRole::CreateSwitch => bool_true_protects(v),
        }
    }
    /// What the weak value does, completing "… so …".
    pub fn effect(&self) -> &'static str {
        match self {
            InputRole::Guard(g) => g.effect,
            InputRole::CreateSwitch => {
                "the next apply destroys what the switch created (and the data it holds)"
            }
        }
    }
}

/// How an input became weak.
#[derive(Debug, Clone, PartialEq)]
pub enum InputChange {
    /// It was protective, or computed, and is now literally weak; the base value rendered.
    Turned(String),
    /// It was not set and now is, to a weak value: it weakens only if the default it
    /// overrides (which twokey cannot see) was protective.
    Added,
}

/// Whether an input with `role` was weakened from `before` (`None`: not set) to `after`.
/// An input that is removed falls back to a default twokey cannot see and is not judged.
pub fn input_weakened(role: InputRole, before: Option<&Lit>, after: &Lit) -> Option<InputChange> {
    if role.judge(after) != Strength::Weak {
        return None;
    }
    match before {
        None => Some(InputChange::Added),
        Some(b) if role.judge(b) == Strength::Protected || !b.is_known() => {
            Some(InputChange::Turned(b.render()))
        }
        Some(_) => None,
    }
}

/// The severity of a weakened input: turning off the switch for a whole module destroys
/// everything in it; a protection turned off destroys nothing yet; a weak value that only
/// overrides an unseen default may change nothing at all.
pub fn input_severity(path: &str, role: InputRole, change: &InputChange) -> Severity {
    match (role, change) {
        (_, InputChange::Added) => Severity::Medium,
        (InputRole::CreateSwitch, _) if path == "create" => Severity::Critical,
        _ => Severity::High,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn input_roles_are_known_by_name() {
        assert!(matches!(
            InputRole::of("create_db_instance"),
            Some(InputRole::CreateSwitch)
        ));
        assert!(matches!(
            InputRole::of("create"),
            Some(InputRole::CreateSwitch)
        ));
        assert!(matches!(
            InputRole::of("versioning.enabled"),
            Some(InputRole::Guard(_))
        ));
        assert!(InputRole::of("create_").is_none());
        assert!(InputRole::of("created_by").is_none());
        assert!(InputRole::of("engine").is_none());
    }

    #[test]
    fn an_input_weakens_when_turned_off_or_added_weak_but_not_when_left_weak() {
        let role = InputRole::of("deletion_protection").expect("a guard");
        let on = Lit::Bool(true);
        let off = Lit::Bool(false);
        let var = Lit::Expr("var.protect".to_owned());
        assert_eq!(
            input_weakened(role, Some(&on), &off),
            Some(InputChange::Turned("true".to_owned()))
        );
        assert!(input_weakened(role, Some(&var), &off).is_some());
        assert_eq!(input_weakened(role, None, &off), Some(InputChange::Added));
        assert_eq!(input_weakened(role, Some(&off), &off), None);
        assert_eq!(input_weakened(role, Some(&off), &on), None);
        assert_eq!(input_weakened(role, Some(&on), &var), None);
    }

    /// [`weakened`] as it was before the index by path: every guard judged for every pair.
    fn weakened_on_every_guard<'a>(old: &'a Item, new: &'a Item) -> Vec<Weakened<'a>> {
        let mut out = Vec::new();
        for guard in GUARDS.iter().filter(|g| g.applies_to(&new.rtype)) {
            let before = old.get(guard.path);
            let after = new.get(guard.path);
            let strength = |s: Option<&Setting>, rtype: &str| match s {
                Some(s) => (guard.judge)(&s.value),
                None => (guard.absent)(rtype),
            };
            if strength(after, &new.rtype) != Strength::Weak {
                continue;
            }
            let was = strength(before, &old.rtype);
            let was_computed = matches!(before.map(|s| &s.value), Some(Lit::Expr(_)));
            if was == Strength::Protected || (was_computed && after.is_some()) {
                out.push(Weakened {
                    guard,
                    before: before
                        .map(|s| s.value.render())
                        .unwrap_or_else(|| "its default".to_owned()),
                    after,
                });
            }
        }
        out
    }

    /// What a caller sees of a weakened guard: which guard (path and effect), the base value,
    /// the head setting.
    fn seen<'a>(
        found: &[Weakened<'a>],
    ) -> Vec<(&'static str, &'static str, String, Option<&'a Setting>)> {
        found
            .iter()
            .map(|w| (w.guard.path, w.guard.effect, w.before.clone(), w.after))
            .collect()
    }

    /// Types whose guards or defaults are special (limited to them, or defaulting to
    /// protected or weak), and ordinary ones.
    const TYPES: &[&str] = &[
        "aws_s3_bucket",
        "aws_db_instance",
        "aws_instance",
        "aws_ebs_volume",
        "aws_ecr_repository",
        "aws_efs_backup_policy",
        "google_sql_database_instance",
        "google_project",
        "google_sql_user",
        "google_firestore_database",
        "azurerm",
    ];

    /// Strings the guards' judges tell apart, and others.
    const STRINGS: &[&str] = &[
        "true",
        "false",
        "ACTIVE",
        "INACTIVE",
        "Enabled",
        "Suspended",
        "ENABLED",
        "DISABLED",
        "DELETE",
        "ABANDON",
        "PREVENT",
        "On",
        "Off",
        "AlwaysOn",
        "DELETE_PROTECTION_ENABLED",
        "DELETE_PROTECTION_DISABLED",
        "",
        "0",
        "x",
    ];

    fn lit() -> impl Strategy<Value = Lit> {
        prop_oneof![
            any::<bool>().prop_map(Lit::Bool),
            prop_oneof![Just(0.0), Just(7.0), Just(-1.0)].prop_map(Lit::Num),
            proptest::sample::select(STRINGS).prop_map(|s| Lit::Str(s.to_owned())),
            Just(Lit::Null),
            Just(Lit::Data("[]".to_owned())),
            Just(Lit::Expr("var.protect".to_owned())),
        ]
    }

    /// A resource whose settings are some guards' paths and some other paths.
    fn item(rtype: &'static str) -> impl Strategy<Value = Item> {
        let path = prop_oneof![
            3 => proptest::sample::select(GUARDS.iter().map(|g| g.path).collect::<Vec<_>>()),
            1 => proptest::sample::select(vec!["bucket", "tags.Name", "versioning", "settings.tier"]),
        ];
        proptest::collection::btree_map(path, (lit(), 1u32..50), 0..8).prop_map(move |settings| {
            Item {
                kind: ItemKind::Resource,
                address: format!("{rtype}.x"),
                rtype: rtype.to_owned(),
                line: 1,
                end_line: 50,
                settings: settings
                    .into_iter()
                    .map(|(p, (value, line))| (p.to_owned(), Setting { value, line }))
                    .collect(),
                for_each_keys: None,
                ignore_changes: Vec::new(),
            }
        })
    }

    fn pair() -> impl Strategy<Value = (Item, Item)> {
        (
            proptest::sample::select(TYPES),
            proptest::sample::select(TYPES),
            any::<bool>(),
        )
            .prop_flat_map(|(a, b, same)| (item(a), item(if same { a } else { b })))
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(2000))]
        #[test]
        fn looking_up_set_paths_finds_what_judging_every_guard_finds((old, new) in pair()) {
            prop_assert_eq!(
                seen(&weakened(&old, &new)),
                seen(&weakened_on_every_guard(&old, &new))
            );
        }
    }
}
