//! guards: the provider-side protections of Pulumi resources (the bridged Terraform
//! providers' settings, in Pulumi's camelCase) and whether a change turned one off. A value
//! Pulumi computes (`${config.protect}`, `fn::invoke`) is unknown; a literal weak value that
//! replaces a protective or unknown one weakens the resource.

use super::{stateful, Declared, PROTECTION_WEAKENED};
use crate::analyze::FileView;
use crate::change::Side;
use crate::finding::{Finding, Severity};
use crate::yaml::{Node, Value};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Strength {
    Protected,
    Weak,
    Unknown,
}

struct Guard {
    /// The property path under `properties`.
    path: &'static [&'static str],
    judge: fn(&str) -> Strength,
    /// What leaving the property out means, by type token.
    absent: fn(&str) -> Strength,
    effect: &'static str,
}

fn true_protects(v: &str) -> Strength {
    match v {
        "true" => Strength::Protected,
        "false" => Strength::Weak,
        _ => Strength::Unknown,
    }
}

fn false_protects(v: &str) -> Strength {
    match v {
        "false" => Strength::Protected,
        "true" => Strength::Weak,
        _ => Strength::Unknown,
    }
}

fn positive_protects(v: &str) -> Strength {
    match v.parse::<f64>() {
        Ok(n) if n <= 0.0 => Strength::Weak,
        Ok(_) => Strength::Protected,
        Err(_) => Strength::Unknown,
    }
}

fn weak(_: &str) -> Strength {
    Strength::Weak
}

fn unknown(_: &str) -> Strength {
    Strength::Unknown
}

/// Google's databases and clusters default to deletion protection on; AWS's and Azure's off.
fn deletion_protection_default(rtype: &str) -> Strength {
    if rtype.starts_with("gcp:") {
        Strength::Unknown
    } else {
        Strength::Weak
    }
}

const GUARDS: &[Guard] = &[
    Guard {
        path: &["deletionProtection"],
        judge: true_protects,
        absent: deletion_protection_default,
        effect: "the provider will now delete it when asked",
    },
    Guard {
        path: &["deletionProtectionEnabled"],
        judge: true_protects,
        absent: weak,
        effect: "the table can now be deleted",
    },
    Guard {
        path: &["enableDeletionProtection"],
        judge: true_protects,
        absent: weak,
        effect: "the load balancer can now be deleted",
    },
    Guard {
        path: &["disableApiTermination"],
        judge: true_protects,
        absent: weak,
        effect: "the instance can now be terminated through the API",
    },
    Guard {
        path: &["skipFinalSnapshot"],
        judge: false_protects,
        absent: unknown,
        effect: "deleting it keeps no final snapshot of the data",
    },
    Guard {
        path: &["forceDestroy"],
        judge: false_protects,
        absent: unknown,
        effect: "deleting it deletes every object inside instead of failing",
    },
    Guard {
        path: &["backupRetentionPeriod"],
        judge: positive_protects,
        absent: unknown,
        effect: "automated backups are turned off and existing ones deleted",
    },
    Guard {
        path: &["pointInTimeRecovery", "enabled"],
        judge: true_protects,
        absent: unknown,
        effect: "the table can no longer be restored to an earlier point in time",
    },
    Guard {
        path: &["versioning", "enabled"],
        judge: true_protects,
        absent: unknown,
        effect: "overwritten and deleted objects are no longer recoverable",
    },
];

/// A property's strength, and whether it is present at all.
fn judge(guard: &Guard, resource: &Declared) -> (Strength, Option<Node>) {
    let mut keys = vec!["properties"];
    keys.extend_from_slice(guard.path);
    match resource.node.path(&keys).filter(|n| !n.is_null()) {
        // A plain scalar is literal; `${…}` interpolates config or other resources.
        Some(n) => match &n.value {
            Value::Scalar(s) if !s.contains("${") => ((guard.judge)(s), Some(n.clone())),
            _ => (Strength::Unknown, Some(n.clone())),
        },
        None => ((guard.absent)(resource.rtype), None),
    }
}

fn show(node: Option<&Node>) -> String {
    match node.map(|n| &n.value) {
        Some(Value::Scalar(s)) => s.clone(),
        Some(_) => "a computed value".to_owned(),
        None => "(unset)".to_owned(),
    }
}

pub(super) fn weakened(view: &FileView, old: &Declared, new: &Declared, out: &mut Vec<Finding>) {
    for guard in GUARDS {
        let (after, after_node) = judge(guard, new);
        if after != Strength::Weak {
            continue;
        }
        let (before, before_node) = judge(guard, old);
        let was_computed = before == Strength::Unknown && before_node.is_some();
        if before != Strength::Protected && !(was_computed && after_node.is_some()) {
            continue;
        }
        let at = after_node.as_ref().unwrap_or(new.node);
        let severity = if stateful(new.rtype) {
            Severity::High
        } else {
            Severity::Medium
        };
        out.push(
            Finding::new(
                &PROTECTION_WEAKENED,
                view.at(Side::Head, at.line, at.line),
                format!(
                    "`{}` on `{}` ({}) changed from {} to {}, so {}.",
                    guard.path.join("."),
                    new.name,
                    new.rtype,
                    show(before_node.as_ref()),
                    show(after_node.as_ref()),
                    guard.effect
                ),
            )
            .with_severity(severity),
        );
    }
}
