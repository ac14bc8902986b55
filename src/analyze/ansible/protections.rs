//! protections: arguments that keep a resource from being deleted, or keep its backups, turned
//! off. `deletion_protection: false` on an RDS instance deletes nothing by itself, but the next
//! `state: absent`, console click or stray script then goes through; `backup_retention_period:
//! 0` deletes the automated backups at once. Reported only when the same task (module and
//! target) had the protection on at the base: a new task that creates something unprotected
//! turns nothing off. Pure: it reads both sides' documents and never does I/O.

use super::catalogue;
use super::tasks::{self, short};
use crate::yaml::Node;

/// How an argument reads as off.
#[derive(Clone, Copy)]
enum Off {
    /// A boolean set false.
    False,
    /// A count set to zero.
    Zero,
}

/// Module (short name), argument, when it is off, and what turning it off does.
const PROTECTIONS: &[(&str, &str, Off, &str)] = &[
    (
        "rds_instance",
        "deletion_protection",
        Off::False,
        "the instance can be deleted",
    ),
    (
        "rds_instance",
        "backup_retention_period",
        Off::Zero,
        "automated backups stop and the ones taken are deleted",
    ),
    (
        "rds_cluster",
        "deletion_protection",
        Off::False,
        "the cluster can be deleted",
    ),
    (
        "ec2_instance",
        "termination_protection",
        Off::False,
        "the instance can be terminated",
    ),
    (
        "cloudformation",
        "termination_protection",
        Off::False,
        "the stack, and every resource it made, can be deleted",
    ),
    (
        "dynamodb_table",
        "deletion_protection",
        Off::False,
        "the table can be deleted",
    ),
    (
        "s3_bucket",
        "versioning",
        Off::False,
        "overwritten and deleted objects can no longer be recovered",
    ),
    (
        "elb_application_lb",
        "deletion_protection",
        Off::False,
        "the load balancer can be deleted",
    ),
    (
        "elb_network_lb",
        "deletion_protection",
        Off::False,
        "the load balancer can be deleted",
    ),
    (
        "gcp_compute_instance",
        "deletion_protection",
        Off::False,
        "the instance can be deleted",
    ),
];

/// A protection turned off by a task the base also had.
pub struct Weakened {
    pub line: u32,
    pub message: String,
}

/// One protection argument as one side writes it.
struct Setting {
    key: String,
    on: bool,
    line: u32,
    module: String,
    argument: &'static str,
    value: String,
    target: String,
    effect: &'static str,
}

fn known(short_name: &str) -> bool {
    PROTECTIONS.iter().any(|(m, ..)| *m == short_name)
}

fn settings(docs: &[Node]) -> Vec<Setting> {
    let mut calls = Vec::new();
    docs.iter()
        .for_each(|d| tasks::calls(d, &known, &mut calls));
    let mut out = Vec::new();
    for call in calls.iter().filter(|c| !c.check_only) {
        let name = short(&call.module);
        let target = catalogue::target(&call.args);
        for (_, argument, off, effect) in PROTECTIONS.iter().filter(|(m, ..)| *m == name) {
            let Some(arg) = call.args.get(argument, None) else {
                continue;
            };
            let text = arg.text.trim().to_ascii_lowercase();
            let on = match off {
                Off::False => match text.as_str() {
                    "yes" | "true" | "on" | "1" | "y" | "enabled" => true,
                    "no" | "false" | "off" | "0" | "n" | "disabled" => false,
                    _ => continue,
                },
                Off::Zero => match text.parse::<u32>() {
                    Ok(n) => n > 0,
                    Err(_) => continue,
                },
            };
            out.push(Setting {
                key: format!("{name}\u{0}{target}\u{0}{argument}"),
                on,
                line: arg.line,
                module: call.module.clone(),
                argument,
                value: arg.text.clone(),
                target: target.clone(),
                effect,
            });
        }
    }
    out
}

/// Protections on at the base and off at the head, by task (module and target).
pub fn weakened(base: &[Node], head: &[Node]) -> Vec<Weakened> {
    let before = settings(base);
    settings(head)
        .into_iter()
        .filter(|s| !s.on && before.iter().any(|b| b.on && b.key == s.key))
        .map(|s| {
            let on = if s.target.is_empty() {
                String::new()
            } else {
                format!(" on `{}`", s.target)
            };
            Weakened {
                line: s.line,
                message: format!(
                    "`{}` is now `{}` in the `{}` task{on}: the next run turns the protection off, and {}.",
                    s.argument, s.value, s.module, s.effect
                ),
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::yaml::parse_documents;

    fn turned_off(base: &str, head: &str) -> Vec<String> {
        let (base, head) = (
            parse_documents(base).unwrap(),
            parse_documents(head).unwrap(),
        );
        weakened(&base, &head)
            .into_iter()
            .map(|w| w.message)
            .collect()
    }

    const RDS: &str = "- amazon.aws.rds_instance:\n    id: orders\n    deletion_protection: true\n    backup_retention_period: 7\n";

    #[test]
    fn a_protection_on_at_the_base_and_off_at_the_head_is_weakened() {
        let off = turned_off(
            RDS,
            &RDS.replace("deletion_protection: true", "deletion_protection: false"),
        );
        assert_eq!(off.len(), 1);
        assert!(
            off[0].contains("`deletion_protection` is now `false`")
                && off[0].contains("on `orders`"),
            "{}",
            off[0]
        );
        let zero = turned_off(RDS, &RDS.replace(": 7", ": 0"));
        assert!(zero[0].contains("automated backups stop"), "{}", zero[0]);
        let free = turned_off(
            "- ec2_instance: name=bastion termination_protection=yes\n",
            "- ec2_instance: name=bastion termination_protection=no\n",
        );
        assert_eq!(free.len(), 1);
    }

    #[test]
    fn protections_dropped_lowered_kept_or_never_on_are_quiet() {
        // An argument left out is left alone by the module.
        assert!(turned_off(RDS, &RDS.replace("    deletion_protection: true\n", "")).is_empty());
        assert!(turned_off(RDS, &RDS.replace(": 7", ": 3")).is_empty());
        // Another instance, or a new task creating one without protection.
        assert!(turned_off(
            RDS,
            &RDS.replace("orders", "scratch").replace("true", "false")
        )
        .is_empty());
        assert!(turned_off(
            "- ping:\n",
            "- amazon.aws.rds_instance: {id: x, deletion_protection: false}\n"
        )
        .is_empty());
        // Turned on, and a template the base cannot be compared with.
        assert!(turned_off(&RDS.replace("true", "false"), RDS).is_empty());
        assert!(turned_off(RDS, &RDS.replace("true", "\"{{ protect }}\"")).is_empty());
    }
}
