//! guards: the settings that stop a cloud provider from deleting or losing an object
//! (deletion protection, final snapshots, versioning, …), and how to tell whether a change
//! weakened one. Each guard knows what its absence means, because "removed the attribute" is
//! sometimes "turned the protection off" and sometimes "left it at a protective default".

use super::model::{Item, Lit, Setting};

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
}

fn bool_true_protects(v: &Lit) -> Strength {
    match v.as_bool() {
        Some(true) => Strength::Protected,
        Some(false) => Strength::Weak,
        None => Strength::Unknown,
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
        "google_bigtable_instance",
        "google_bigtable_table",
        "google_spanner_database",
        "google_spanner_instance",
        "google_bigquery_table",
        "google_alloydb_cluster",
        "google_firestore_database",
    ];
    if DEFAULT_ON.contains(&rtype) {
        Strength::Protected
    } else {
        Strength::Weak
    }
}

pub const GUARDS: &[Guard] = &[
    Guard {
        path: "deletion_protection",
        judge: bool_true_protects,
        absent: deletion_protection_default,
        effect: "the provider will now delete it when asked",
    },
    Guard {
        path: "deletion_protection_enabled",
        judge: bool_true_protects,
        absent: weak,
        effect: "the table can now be deleted",
    },
    Guard {
        path: "enable_deletion_protection",
        judge: bool_true_protects,
        absent: weak,
        effect: "the load balancer can now be deleted",
    },
    Guard {
        path: "disable_api_termination",
        judge: bool_true_protects,
        absent: weak,
        effect: "the instance can now be terminated through the API",
    },
    Guard {
        path: "termination_protection",
        judge: bool_true_protects,
        absent: weak,
        effect: "it can now be terminated",
    },
    Guard {
        path: "enable_termination_protection",
        judge: bool_true_protects,
        absent: weak,
        effect: "the stack can now be deleted",
    },
    Guard {
        path: "purge_protection_enabled",
        judge: bool_true_protects,
        absent: weak,
        effect: "deleted keys and secrets can be purged for good",
    },
    Guard {
        path: "force_destroy",
        judge: bool_false_protects,
        absent: protected,
        effect: "destroying it deletes every object inside instead of failing",
    },
    Guard {
        path: "skip_final_snapshot",
        judge: bool_false_protects,
        absent: protected,
        effect: "destroying it keeps no final snapshot of the data",
    },
    Guard {
        path: "final_snapshot_identifier",
        judge: present_protects,
        absent: weak,
        effect: "destroying it keeps no final snapshot of the data",
    },
    Guard {
        path: "backup_retention_period",
        judge: positive_protects,
        absent: unknown,
        effect: "automated backups are turned off and existing ones deleted",
    },
    Guard {
        path: "recovery_window_in_days",
        judge: positive_protects,
        absent: protected,
        effect: "a deleted secret is gone at once, with no recovery window",
    },
    Guard {
        path: "features.resource_group.prevent_deletion_if_contains_resources",
        judge: bool_true_protects,
        absent: protected,
        effect: "deleting a resource group now also deletes everything in it",
    },
    Guard {
        path: "versioning.enabled",
        judge: bool_true_protects,
        absent: unknown,
        effect: "overwritten and deleted objects are no longer recoverable",
    },
    Guard {
        path: "versioning_configuration.status",
        judge: enabled_status,
        absent: unknown,
        effect: "overwritten and deleted objects are no longer recoverable",
    },
    Guard {
        path: "point_in_time_recovery.enabled",
        judge: bool_true_protects,
        absent: unknown,
        effect: "the table can no longer be restored to an earlier point in time",
    },
];

/// One weakened guard on an item.
pub struct Weakened<'a> {
    pub guard: &'a Guard,
    pub before: String,
    /// The head setting; `None` when the attribute was removed.
    pub after: Option<&'a Setting>,
}

/// Guards on `new` that are weaker than on `old`. A guard counts as weakened when the head
/// value is weak and the base was protective or a computed expression (the literal weak value
/// replaced something that was not it).
pub fn weakened<'a>(old: &'a Item, new: &'a Item) -> Vec<Weakened<'a>> {
    let mut out = Vec::new();
    for guard in GUARDS {
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
