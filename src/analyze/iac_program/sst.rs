//! sst: what an SST v3 app says beyond the components it declares. `sst.config.ts` (and
//! the `infra/*.ts` files it imports, which use the global `sst` without importing it) are
//! Pulumi programs underneath: their components (`new sst.aws.Dynamo("Orders", …)`) are
//! compared like any Pulumi resource by the parent module. This module reads the app's
//! own settings, returned from `app(input)`:
//! - `removal`: `remove` deletes everything; `retain` keeps S3 buckets and DynamoDB tables
//!   (orphaned) and deletes the rest; `retain-all` keeps everything. SST applies it as
//!   `retainOnDelete`, so it decides both what `sst remove` deletes and what a component
//!   dropped from the config takes with it. Unset, it is `retain`.
//! - `protect`: Pulumi's `protect` on every resource of the stage.
//! - `home` and `providers`: where the state lives and where resources are made.
//! - `name`: resources are named after the app; renamed, everything is made anew.
//!
//! Values from conditions (`input?.stage === "production" ? "retain" : "remove"`) are read
//! as the set of literals they may take: a policy per stage, not a guess at which.

use super::constructs::Construct;
use super::guards::Strength;
use super::object::{self, Entry};
use super::replacement::Changed;
use crate::analyze::orm::scan::Source;
use crate::analyze::pulumi;
use crate::analyze::FileView;
use crate::change::Side;
use crate::finding::{Finding, RuleId, Severity, Tag};
use crate::rules::Rule;

pub const UNPARSEABLE: Rule = Rule {
    id: RuleId("sst/unparseable"),
    severity: Severity::High,
    tags: &[Tag::Infra],
    summary: "An SST app's `sst.config.ts` changed, but its `app()` settings (`removal`, `protect`, `home`, `providers`) could not be read, so what they now delete is unknown.",
    why: "`removal` decides whether `sst remove`, or a component dropped from the config, deletes the stage's \
          buckets, tables and databases; `protect`, `home` and `providers` guard and place every resource. \
          twokey reads them from the object `app(input)` returns; written another way, it cannot tell.",
    example: "-  app(input) {\n-    return { name: \"shop\", removal: \"retain\", home: \"aws\" };\n-  },\n+  app: appSettings,",
    safer: "Return the settings from `app(input)` as an object literal, or have someone review what `sst diff` shows.",
};

/// Whether the top of a TypeScript/JavaScript file says it is SST v3 code: the config's
/// `$config(`, or a component made from the global `sst` (files under `infra/`).
pub(super) fn marks(head: &str) -> bool {
    head.contains("$config(") || head.contains("new sst.")
}

/// One value of the app's `removal` setting.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(super) enum Policy {
    Remove,
    Retain,
    RetainAll,
}

impl Policy {
    fn parse(value: &str) -> Option<Policy> {
        match value {
            "remove" => Some(Policy::Remove),
            "retain" => Some(Policy::Retain),
            "retain-all" => Some(Policy::RetainAll),
            _ => None,
        }
    }

    /// Whether a component of this kind outlives its removal under this policy: `retain`
    /// covers S3 buckets and DynamoDB tables only.
    fn keeps(self, kind: &str) -> bool {
        match self {
            Policy::RetainAll => true,
            Policy::Retain => kind.ends_with("Bucket") || kind == "Dynamo",
            Policy::Remove => false,
        }
    }
}

/// The app's removal policies, one per stage condition; empty when unknown (a file without
/// the app's settings, or a computed value).
#[derive(Debug, Clone, Default)]
pub(super) struct Removal(Vec<Policy>);

/// The object `app(input)` returns, if the file has one.
fn app(src: &Source) -> Option<Vec<Entry>> {
    let code = &src.code;
    object::calls(src, "app").into_iter().find_map(|open| {
        let close = crate::analyze::orm::scan::matching(code, open)?;
        let body = object::object_at(src, close + 1)?;
        let end = crate::analyze::orm::scan::matching(code, body)?;
        let text = std::str::from_utf8(&code[body..end]).ok()?;
        let ret = text.find("return")? + body + "return".len();
        let returned = object::object_at(src, ret)?;
        Some(object::entries(src, returned))
    })
}

fn policies(src: &Source, e: Option<&Entry>) -> Vec<Policy> {
    match e {
        // SST's default.
        None => vec![Policy::Retain],
        Some(e) => {
            let mut p: Vec<Policy> = src
                .literal_values(e.value.clone())
                .iter()
                .filter_map(|v| Policy::parse(v))
                .collect();
            p.sort();
            p.dedup();
            p
        }
    }
}

/// The removal policies a side's config sets.
pub(super) fn removal(src: &Source) -> Removal {
    match app(src) {
        Some(entries) => Removal(policies(src, object::get(&entries, "removal"))),
        None => Removal::default(),
    }
}

/// What becomes of a component dropped from the config: `Some(true)` deleted in every
/// stage, `Some(false)` kept in every stage, `None` when it depends on the stage (or the
/// policy is unknown).
pub(super) fn fate(c: &Construct, retain_on_delete: Option<Strength>, r: &Removal) -> Option<bool> {
    if retain_on_delete == Some(Strength::Protected) {
        return Some(false);
    }
    if r.0.is_empty() {
        return None;
    }
    let kept = r.0.iter().filter(|p| p.keeps(&c.kind)).count();
    match kept {
        0 => Some(true),
        n if n == r.0.len() => Some(false),
        _ => None,
    }
}

/// Data-holding SST components, beyond the provider types the Pulumi reader knows.
pub(super) const DATA_KINDS: &[&str] = &[
    "Dynamo",
    "Postgres",
    "Aurora",
    "Mysql",
    "Redis",
    "Efs",
    "Vector",
    "OpenSearch",
    "D1",
];

fn literal_of(src: &Source, entries: &[Entry], key: &str) -> Option<String> {
    object::get(entries, key).and_then(|e| object::literal(src, e.value.clone()))
}

/// The literal `region` each entry of `providers` sets, by provider.
fn regions(src: &Source, entries: &[Entry]) -> Vec<(String, String)> {
    let Some(providers) = object::get(entries, "providers") else {
        return Vec::new();
    };
    object::nested(src, providers)
        .iter()
        .filter_map(|p| {
            let region = literal_of(src, &object::nested(src, p), "region")?;
            Some((p.key.clone(), region))
        })
        .collect()
}

/// Findings on the app's own settings between the two sides of `sst.config.ts`.
pub(super) fn app_changes(view: &FileView, base: &Source, head: &Source) -> Vec<Finding> {
    let (was, now) = (app(base), app(head));
    let (was, now) = match (was, now) {
        (Some(w), Some(n)) => (w, n),
        // A config that is there but whose settings cannot be read: fail closed.
        (w, n) => {
            let unread =
                |s: &Source, a: &Option<Vec<Entry>>| a.is_none() && s.text.contains("$config(");
            if unread(base, &w) || unread(head, &n) {
                return vec![Finding::new(
                    &UNPARSEABLE,
                    view.at(Side::Head, 1, 1),
                    "The SST app's `app()` settings could not be read on one side of the change, so whether `removal`, `protect`, `home` or `providers` now delete or move the stage's resources is unknown. Review what `sst diff --stage production` shows.",
                )];
            }
            return Vec::new();
        }
    };
    let mut out = Vec::new();
    let at = |e: Option<&Entry>| e.map_or(1, |e| e.line);
    out.extend(removal_weakened(view, base, head, &was, &now));
    let protects = |src: &Source, e: Option<&Entry>| {
        e.is_some_and(|e| object::code(src, e.value.clone()) != "false")
    };
    let (p_was, p_now) = (object::get(&was, "protect"), object::get(&now, "protect"));
    if protects(base, p_was) && !protects(head, p_now) {
        // As written, whitespace folded: `["production"].includes(input?.stage)`.
        let written = p_was.map_or(String::new(), |e| {
            base.text[e.value.clone()]
                .split_whitespace()
                .collect::<Vec<_>>()
                .join(" ")
        });
        out.push(
            Finding::new(
                &pulumi::PROTECTION_REMOVED,
                view.at(Side::Head, at(p_now).max(1), at(p_now).max(1)),
                format!(
                    "The SST app's `protect: {written}` is {}: Pulumi's `protect` no longer stops `sst remove`, or a component dropped from the config, from deleting the protected stage's resources and their data. Safer: keep `protect: [\"production\"].includes(input?.stage)`.",
                    if p_now.is_some() { "turned off" } else { "removed" }
                ),
            )
            .with_severity(Severity::High),
        );
    }
    for key in ["home", "name"] {
        let (Some(a), Some(b)) = (literal_of(base, &was, key), literal_of(head, &now, key)) else {
            continue;
        };
        if a == b {
            continue;
        }
        let (rule, message) = if key == "home" {
            (
                &pulumi::STACK_REGION_CHANGED,
                format!("The SST app's `home` changes from `{a}` to `{b}`: its state moves to another provider, where none of the deployed resources are known, so the next `sst deploy` creates every resource anew (colliding with fixed names) and leaves the old ones, with their data, running unmanaged. Safer: keep `home`; move state deliberately, following SST's migration steps, in its own reviewed change."),
            )
        } else {
            (
                &pulumi::RENAMED,
                format!("The SST app is renamed from `{a}` to `{b}`: its resources are named and tracked under the app's name, so the next `sst deploy` creates every resource anew and empty, and orphans the old ones with their data. Safer: keep the app's name."),
            )
        };
        out.push(
            Finding::new(
                rule,
                view.at(
                    Side::Head,
                    at(object::get(&now, key)),
                    at(object::get(&now, key)),
                ),
                message,
            )
            .with_severity(Severity::High),
        );
    }
    let before = regions(base, &was);
    let after = regions(head, &now);
    // A literal region dropped (or made computed): the provider falls back to the region
    // of the deploying profile or environment, which may be another one.
    for (provider, old) in before
        .iter()
        .filter(|(p, _)| !after.iter().any(|(q, _)| q == p))
    {
        let line = at(object::get(&now, "providers"));
        out.push(
            Finding::new(
                &pulumi::STACK_REGION_CHANGED,
                view.at(Side::Head, line, line),
                format!("The SST app's `{provider}` provider no longer pins region `{old}`: it now deploys to whatever region the deploying profile or environment sets, and if that is another one the next `sst deploy` recreates every resource there, empty, and deletes the ones in `{old}`. Safer: keep `region: \"{old}\"` in `providers`."),
            )
            .with_severity(Severity::Medium),
        );
    }
    for (provider, region) in after {
        let Some((_, old)) = before.iter().find(|(p, _)| *p == provider) else {
            continue;
        };
        if *old != region {
            let line = at(object::get(&now, "providers"));
            out.push(
                Finding::new(
                    &pulumi::STACK_REGION_CHANGED,
                    view.at(Side::Head, line, line),
                    format!("The SST app's `{provider}` provider moves from region `{old}` to `{region}`: every resource it made is replaced, so the next `sst deploy` deletes them in `{old}` (buckets and tables only kept where `removal` retains them) and creates new, empty ones in `{region}`. Safer: keep the region; to move, deploy a new stage there, migrate the data, then remove the old stage in its own reviewed change."),
                )
                .with_severity(Severity::High),
            );
        }
    }
    out
}

fn removal_weakened(
    view: &FileView,
    base: &Source,
    head: &Source,
    was: &[Entry],
    now: &[Entry],
) -> Option<Finding> {
    let (e_was, e_now) = (object::get(was, "removal"), object::get(now, "removal"));
    let (before, after) = (policies(base, e_was), policies(head, e_now));
    let (Some(b_max), Some(a_max), Some(b_min), Some(a_min)) =
        (before.last(), after.last(), before.first(), after.first())
    else {
        return None;
    };
    let severity = if a_max < b_max {
        if *a_max == Policy::Remove {
            Severity::High
        } else {
            Severity::Medium
        }
    } else if a_min < b_min {
        Severity::Medium
    } else {
        return None;
    };
    // As written (`input?.stage === "production" ? "retain" : "remove"`), or SST's default.
    let shown = |src: &Source, e: Option<&Entry>| match e {
        Some(e) => format!(
            "`{}`",
            src.text[e.value.clone()]
                .split_whitespace()
                .collect::<Vec<_>>()
                .join(" ")
        ),
        None => "unset (SST's default, `retain`)".to_owned(),
    };
    let line = e_now.map_or(1, |e| e.line);
    Some(
        Finding::new(
            &pulumi::PROTECTION_REMOVED,
            view.at(Side::Head, line, line),
            format!(
                "The SST app's `removal` changes from {} to {}: where a stage kept its resources, `sst remove` and every component dropped from the config now delete them, {}. Safer: keep `removal: input?.stage === \"production\" ? \"retain\" : \"remove\"`, so production data outlives its stage.",
                shown(base, e_was),
                shown(head, e_now),
                if *a_max == Policy::Remove { "S3 buckets and DynamoDB tables with their data" } else { "databases and other resources `retain` does not cover" }
            ),
        )
        .with_severity(severity),
    )
}

/// The key of a `Dynamo` component (`primaryIndex: { hashKey, rangeKey }`), literal parts.
fn primary_index(src: &Source, c: &Construct) -> Vec<(&'static str, String, u32)> {
    let code = std::str::from_utf8(&src.code[c.args.clone()]).unwrap_or("");
    let Some(at) = code.find("primaryIndex") else {
        return Vec::new();
    };
    let after = c.args.start + at + "primaryIndex".len();
    let colon = (after..c.args.end).find(|&i| src.code[i] == b':');
    let Some(open) = colon.and_then(|c| object::object_at(src, c + 1)) else {
        return Vec::new();
    };
    let entries = object::entries(src, open);
    ["hashKey", "rangeKey"]
        .into_iter()
        .filter_map(|k| {
            let e = object::get(&entries, k)?;
            Some((k, object::literal(src, e.value.clone())?, e.line))
        })
        .collect()
}

/// The key of a DynamoDB table cannot change in place: a `Dynamo` component whose
/// `primaryIndex` names another literal key is a replaced table.
pub(super) fn replaced(
    base: &Source,
    old: &Construct,
    head: &Source,
    new: &Construct,
) -> Vec<Changed> {
    if new.kind != "Dynamo" || old.kind != "Dynamo" {
        return Vec::new();
    }
    let before = primary_index(base, old);
    primary_index(head, new)
        .into_iter()
        .filter_map(|(key, after, line)| {
            let (_, was, _) = before.iter().find(|(k, _, _)| *k == key)?;
            (*was != after).then(|| Changed {
                property: format!("primaryIndex.{key}"),
                before: was.clone(),
                after,
                line,
                terraform_type: None,
            })
        })
        .collect()
}
