//! retention: the settings that tell a provider how long to keep data before it deletes it
//! (log retention, S3 lifecycle expiration, AWS Backup deletion, soft-delete windows), what
//! their absence means, and whether an edit makes the provider delete data sooner. Such an
//! edit destroys no resource, so no plan shows it as a destroy; the data simply goes on the
//! provider's next pass. Pure: compares two parsed blocks; never reads other files.

use super::model::{Item, ItemKind, Setting};
use super::FileView;
use crate::change::Side;
use crate::finding::{Finding, RuleId, Severity, Tag};
use crate::rules::Rule;

pub const RETENTION_SHORTENED: Rule = Rule {
    id: RuleId("terraform/retention-shortened"),
    severity: Severity::Medium,
    tags: &[Tag::Destructive, Tag::Infra],
    summary: "A data-retention setting was lowered, so logs, objects, backups or deleted items are deleted sooner.",
    why: "Retention settings are deletion schedules. Lowering CloudWatch log retention, an S3 lifecycle \
          `expiration` or `noncurrent_version_expiration`, an AWS Backup plan's `delete_after`, a Key \
          Vault's soft-delete window or a Log Analytics / Cloud Logging retention makes the provider delete \
          the data now older than the new limit on its next pass, and no plan shows that as a destroy. \
          Reported when both values are literal numbers and the new one is lower, or when a limit is added \
          where its absence kept data forever (or removed in favour of a shorter default); a brand-new \
          resource deletes nothing that exists. Medium; high for backups and for the recovery of deleted \
          or overwritten data (noncurrent versions, soft delete). Module arguments named \
          `*retention_in_days` or `*retention_days` are judged the same way when both values are positive literal numbers.",
    example: "before: resource \"aws_cloudwatch_log_group\" \"app\" { retention_in_days = 90 }\n\
              after:  resource \"aws_cloudwatch_log_group\" \"app\" { retention_in_days = 7 }",
    safer: "Keep the longer retention; if less must be kept, export or archive the data that would be \
            deleted first, and lower the retention in its own reviewed change.",
};

/// How long data is kept, as far as the text tells.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Kept {
    Forever,
    Days(f64),
    /// A computed value, or an absence whose meaning twokey does not know.
    Unknown,
}

impl Kept {
    fn describe(self, defaulted: bool) -> String {
        match (self, defaulted) {
            (Kept::Forever, _) => "kept forever".to_owned(),
            (Kept::Days(n), false) => format!("kept {n} days"),
            (Kept::Days(n), true) => format!("kept {n} days, the provider's default"),
            (Kept::Unknown, _) => "unknown".to_owned(),
        }
    }
}

/// Repeated blocks that each hold their own retention, told apart by a naming attribute.
struct Within {
    block: &'static str,
    key: &'static str,
    /// An attribute and value that switch the block off: its retention then deletes nothing.
    off: Option<(&'static str, &'static str)>,
}

/// One retention setting of one resource type.
struct Retention {
    rtype: &'static str,
    within: Option<Within>,
    /// Dotted path of the setting, inside `within`'s block when there is one.
    path: &'static str,
    /// What absence means, given the item (a default can depend on another setting).
    absent: fn(&Item) -> Kept,
    /// Whether 0 means "never delete" rather than "delete at once".
    zero_is_forever: bool,
    /// What is deleted, completing "… so {deleted}"; `{days}` is the new limit.
    deleted: &'static str,
    /// Backups and deleted-object recovery: the last copy of data someone may need back.
    recovery: bool,
}

fn forever(_: &Item) -> Kept {
    Kept::Forever
}

fn days_30(_: &Item) -> Kept {
    Kept::Days(30.0)
}

fn days_90(_: &Item) -> Kept {
    Kept::Days(90.0)
}

/// Log Analytics keeps 30 days by default, except on the legacy Free tier (7 days, fixed).
fn log_analytics_default(item: &Item) -> Kept {
    match item.get("sku").map(|s| &s.value) {
        None => Kept::Days(30.0),
        Some(v) if !v.is_known() => Kept::Unknown,
        Some(v) if v.render().eq_ignore_ascii_case("\"free\"") => Kept::Days(7.0),
        Some(_) => Kept::Days(30.0),
    }
}

const S3_RULE: Within = Within {
    block: "rule",
    key: "id",
    off: Some(("status", "Disabled")),
};

const BACKUP_RULE: Within = Within {
    block: "rule",
    key: "rule_name",
    off: None,
};

const RETENTIONS: &[Retention] = &[
    Retention {
        rtype: "aws_cloudwatch_log_group",
        within: None,
        path: "retention_in_days",
        absent: forever,
        zero_is_forever: true,
        deleted: "log events older than {days} days are deleted",
        recovery: false,
    },
    Retention {
        rtype: "aws_s3_bucket_lifecycle_configuration",
        within: Some(S3_RULE),
        path: "expiration.days",
        absent: forever,
        zero_is_forever: false,
        deleted: "objects it matches expire {days} days after creation (deleted, or kept only as \
                  noncurrent versions where versioning is on)",
        recovery: false,
    },
    Retention {
        rtype: "aws_s3_bucket_lifecycle_configuration",
        within: Some(S3_RULE),
        path: "noncurrent_version_expiration.noncurrent_days",
        absent: forever,
        zero_is_forever: false,
        deleted: "overwritten and deleted object versions it matches are purged {days} days after \
                  they become noncurrent, and can no longer be restored",
        recovery: true,
    },
    Retention {
        rtype: "aws_backup_plan",
        within: Some(BACKUP_RULE),
        path: "lifecycle.delete_after",
        absent: forever,
        zero_is_forever: false,
        deleted: "recovery points it takes are deleted {days} days after creation, existing ones included",
        recovery: true,
    },
    Retention {
        rtype: "azurerm_key_vault",
        within: None,
        path: "soft_delete_retention_days",
        absent: days_90,
        zero_is_forever: false,
        deleted: "deleted keys, secrets and certificates can be recovered for only {days} days",
        recovery: true,
    },
    Retention {
        rtype: "azurerm_log_analytics_workspace",
        within: None,
        path: "retention_in_days",
        absent: log_analytics_default,
        zero_is_forever: false,
        deleted: "log data older than {days} days is deleted",
        recovery: false,
    },
    Retention {
        rtype: "google_logging_project_bucket_config",
        within: None,
        path: "retention_days",
        absent: days_30,
        zero_is_forever: false,
        deleted: "log entries older than {days} days are deleted",
        recovery: false,
    },
];

/// One block that holds retention settings: the resource itself, or one of its rules.
#[derive(Clone)]
struct Scope {
    /// Path prefix of the block's settings (`""`, `rule.`, `rule[1].`).
    prefix: String,
    /// The value of its naming attribute, rendered; `None` when it has none.
    name: Option<String>,
    /// Whether it is switched off.
    off: bool,
}

/// The blocks of `item` that hold settings for `within`, in order.
fn scopes(item: &Item, within: Option<&Within>) -> Vec<Scope> {
    let Some(w) = within else {
        return vec![Scope {
            prefix: String::new(),
            name: None,
            off: false,
        }];
    };
    let mut out = Vec::new();
    for i in 0.. {
        let prefix = match i {
            0 => format!("{}.", w.block),
            i => format!("{}[{i}].", w.block),
        };
        let mut inside = item.settings.range(prefix.clone()..);
        if !inside.next().is_some_and(|(k, _)| k.starts_with(&prefix)) {
            break;
        }
        let get = |attr: &str| item.get(&format!("{prefix}{attr}"));
        let off = w
            .off
            .and_then(|(attr, value)| get(attr).map(|s| s.value.render() == format!("\"{value}\"")))
            .unwrap_or(false);
        out.push(Scope {
            name: get(w.key).map(|s| s.value.render()),
            off,
            prefix,
        });
    }
    out
}

/// Pairs each head block with the base block it continues: by name, then a lone unnamed or
/// renamed block with the lone one left on the other side. A head block with no partner is
/// new (`None`) only when no base block is left over, since otherwise it may be one of them
/// renamed; those are not judged.
fn pair(base: &[Scope], head: &[Scope]) -> Vec<(Option<Scope>, Scope)> {
    let mut left: Vec<&Scope> = base.iter().collect();
    let mut pairs = Vec::new();
    let mut unpaired = Vec::new();
    for h in head {
        let found = h
            .name
            .as_ref()
            .and_then(|n| left.iter().position(|b| b.name.as_ref() == Some(n)));
        match found {
            Some(i) => pairs.push((Some(left.remove(i).clone()), h.clone())),
            None => unpaired.push(h),
        }
    }
    match (left.as_slice(), unpaired.as_slice()) {
        ([b], [h]) => pairs.push((Some((*b).clone()), (*h).clone())),
        ([], fresh) => pairs.extend(fresh.iter().map(|h| (None, (*h).clone()))),
        _ => {}
    }
    pairs
}

fn kept(r: &Retention, item: &Item, setting: Option<&Setting>) -> (Kept, bool) {
    let Some(s) = setting else {
        return ((r.absent)(item), true);
    };
    let kept = match s.value.as_num() {
        Some(n) if n == 0.0 && r.zero_is_forever => Kept::Forever,
        Some(n) => Kept::Days(n),
        None => Kept::Unknown,
    };
    (kept, false)
}

/// Retention settings of a resource lowered between `old` and `new`.
pub fn shortened(view: &FileView, old: &Item, new: &Item, out: &mut Vec<Finding>) {
    if new.kind != ItemKind::Resource || old.rtype != new.rtype {
        return;
    }
    for r in RETENTIONS.iter().filter(|r| r.rtype == new.rtype) {
        if new.ignores(r.within.as_ref().map_or(r.path, |w| w.block)) {
            continue;
        }
        let within = r.within.as_ref();
        for (was, now) in pair(&scopes(old, within), &scopes(new, within)) {
            if now.off {
                continue;
            }
            let (was_kept, was_default) = match &was {
                Some(w) if !w.off => kept(r, old, old.get(&format!("{}{}", w.prefix, r.path))),
                // Without its base block, or with it switched off, the setting deleted nothing.
                _ => (Kept::Forever, false),
            };
            let after = new.get(&format!("{}{}", now.prefix, r.path));
            let Kept::Days(days) = kept(r, new, after).0 else {
                continue;
            };
            let sooner = match was_kept {
                Kept::Forever => true,
                Kept::Days(d) => days < d,
                Kept::Unknown => false,
            };
            if sooner {
                let was = was_kept.describe(was_default);
                out.push(finding(view, new, r, &now, after, days, &was));
            }
        }
    }
}

fn finding(
    view: &FileView,
    new: &Item,
    r: &Retention,
    scope: &Scope,
    after: Option<&Setting>,
    days: f64,
    was: &str,
) -> Finding {
    let path = format!("{}{}", scope.prefix, r.path);
    let block = match (&r.within, &scope.name) {
        (Some(w), Some(name)) => format!(" (the {} named {name})", w.block),
        _ => String::new(),
    };
    let how = match after {
        Some(s) => format!("is now {}", s.value.render()),
        None => format!("was removed, so the provider's default of {days} days applies"),
    };
    let deleted = r.deleted.replace("{days}", &days.to_string());
    let line = after.map_or(new.line, |s| s.line);
    let severity = if r.recovery {
        Severity::High
    } else {
        Severity::Medium
    };
    Finding::new(
        &RETENTION_SHORTENED,
        view.at(Side::Head, line, line),
        format!(
            "`{path}` of `{}`{block} {how}, so {deleted} (was: {was}).",
            new.address
        ),
    )
    .with_severity(severity)
    .with_subject(&new.address)
    .with_safer(format!(
        "Keep the longer retention on `{}`; if less must be kept, export or archive what would be \
         deleted first, and lower it in its own reviewed change.",
        new.address
    ))
}

/// Whether a module argument names a retention in days, by the names resources use for it
/// (`retention_in_days`, `cloudwatch_log_group_retention_in_days`, `soft_delete_retention_days`).
fn retention_argument(path: &str) -> bool {
    !path.contains('.') && (path.ends_with("retention_in_days") || path.ends_with("retention_days"))
}

/// Module arguments naming a retention in days, lowered from one literal number to a smaller
/// one. What the module does with the value is not visible, and neither is its default or what
/// 0 means to it, so only two positive literals are compared.
pub fn module_arguments(view: &FileView, old: &Item, new: &Item, out: &mut Vec<Finding>) {
    if new.kind != ItemKind::Module || old.kind != ItemKind::Module {
        return;
    }
    for (path, after) in new.settings.iter().filter(|(p, _)| retention_argument(p)) {
        let before = old.get(path).and_then(|s| s.value.as_num());
        let (Some(was), Some(now)) = (before, after.value.as_num()) else {
            continue;
        };
        if now <= 0.0 || was <= 0.0 || now >= was {
            continue;
        }
        let severity = if path.contains("soft_delete") || path.contains("backup") {
            Severity::High
        } else {
            Severity::Medium
        };
        out.push(
            Finding::new(
                &RETENTION_SHORTENED,
                view.at(Side::Head, after.line, after.line),
                format!(
                    "Argument `{path}` of `{}` changed from {was} to {now}; if the module passes it to \
                     the retention of what it stores, data older than {now} days is deleted (was: kept {was} days).",
                    new.address
                ),
            )
            .with_severity(severity)
            .with_subject(&new.address)
            .with_safer(format!(
                "Keep `{path}` at {was}; if less must be kept, export or archive what would be deleted \
                 first, and lower it in its own reviewed change."
            )),
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analyze::terraform::model;

    fn item(src: &str) -> Item {
        model::parse(src).unwrap().items.remove(0)
    }

    #[test]
    fn repeated_rules_are_scoped_by_position_and_named() {
        let i = item(
            "resource \"aws_s3_bucket_lifecycle_configuration\" \"l\" {\n  rule {\n    id = \"a\"\n  }\n  rule {\n    id = \"b\"\n    status = \"Disabled\"\n  }\n}\n",
        );
        let s = scopes(&i, Some(&S3_RULE));
        let got: Vec<(&str, Option<&str>, bool)> = s
            .iter()
            .map(|s| (s.prefix.as_str(), s.name.as_deref(), s.off))
            .collect();
        assert_eq!(
            got,
            [
                ("rule.", Some("\"a\""), false),
                ("rule[1].", Some("\"b\""), true)
            ]
        );
    }

    #[test]
    fn blocks_pair_by_name_then_a_lone_rename_and_new_ones_only_without_leftovers() {
        let scope = |n: &str| Scope {
            prefix: format!("{n}."),
            name: Some(n.to_owned()),
            off: false,
        };
        let names = |pairs: Vec<(Option<Scope>, Scope)>| -> Vec<(Option<String>, String)> {
            pairs
                .into_iter()
                .map(|(b, h)| (b.and_then(|b| b.name), h.name.unwrap_or_default()))
                .collect()
        };
        let (a, b, c) = (scope("a"), scope("b"), scope("c"));
        assert_eq!(
            names(pair(&[a.clone(), b.clone()], &[b.clone(), a.clone()])),
            [
                (Some("b".to_owned()), "b".to_owned()),
                (Some("a".to_owned()), "a".to_owned())
            ]
        );
        assert_eq!(
            names(pair(std::slice::from_ref(&a), std::slice::from_ref(&c))),
            [(Some("a".to_owned()), "c".to_owned())]
        );
        assert_eq!(
            names(pair(std::slice::from_ref(&a), &[a.clone(), c.clone()])),
            [
                (Some("a".to_owned()), "a".to_owned()),
                (None, "c".to_owned())
            ]
        );
        assert!(pair(&[a.clone(), b.clone()], &[c.clone(), scope("d")]).is_empty());
    }

    #[test]
    fn module_arguments_are_judged_by_their_retention_names() {
        assert!(retention_argument("retention_in_days"));
        assert!(retention_argument("cloudwatch_log_group_retention_in_days"));
        assert!(retention_argument("soft_delete_retention_days"));
        assert!(!retention_argument("retention"));
        assert!(!retention_argument("logs.retention_in_days"));
    }
}
