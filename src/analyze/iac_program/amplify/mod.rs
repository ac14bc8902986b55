//! amplify: AWS Amplify Gen 2 backends (`amplify/backend.ts`, `amplify/*/resource.ts`). They
//! are CDK apps underneath, but the resources are declared through Amplify's `define*`
//! functions rather than constructs, so they are read here by what they mean:
//! - [`data`]: each model of `a.schema({…})` is a DynamoDB table named after it; a model
//!   removed deletes the table with its records, a model renamed is a new, empty table, a
//!   new `.identifier([…])` is a new key schema (a replaced table).
//! - [`auth`]: `defineAuth`'s `loginWith` and `userAttributes` set what Cognito cannot change
//!   on a user pool (sign-in attributes, required and mutable attributes): changed, the pool
//!   is replaced and every user account is lost.
//! - storage: `defineStorage`'s `name` is its construct id; its `removalPolicy` defaults to
//!   `destroy`, which also empties the bucket (`autoDeleteObjects`).
//! - backend: `defineBackend({ auth, data, storage, … })`; an entry dropped removes what it
//!   defined from the app.
//!
//! A file is one of these when it imports `@aws-amplify/backend` near its top. `backend.ts`
//! often imports `aws-cdk-lib` too, and its CDK overrides are then read as a CDK app as well.
//! Whether `backend.ts` retains a table or bucket (`applyRemovalPolicy`) is in another file,
//! unseen from `resource.ts`: the messages say so.

mod auth;
mod data;

use super::object::{self, Entry};
use super::{CONSTRUCT_ID_CHANGED, CONSTRUCT_REMOVED, REMOVAL_POLICY_DESTROY};
use crate::analyze::orm::lex::Lang;
use crate::analyze::orm::scan::Source;
use crate::analyze::FileView;
use crate::change::Side;
use crate::finding::{Finding, RuleId, Severity, Tag};
use crate::rules::Rule;

pub const UNPARSEABLE: Rule = Rule {
    id: RuleId("amplify/unparseable"),
    severity: Severity::High,
    tags: &[Tag::Infra],
    summary: "An Amplify Gen 2 data schema could not be read (no `a.schema({…})` literal), so which models, and so which DynamoDB tables, it removes is unknown.",
    why: "Every model of an Amplify data schema is a DynamoDB table: a model that leaves the schema deletes its \
          table with every record in it. twokey reads the models from the `a.schema({…})` object in \
          `defineData`'s file; built another way, it cannot tell which tables remain.",
    example: "-const schema = a.schema({ Todo: a.model({ content: a.string() }) });\n+const schema = buildSchema(models);",
    safer: "Keep the schema an `a.schema({…})` literal, or compare the synthesized tables (`npx ampx sandbox` or the branch's CloudFormation change set) before merging.",
};

/// Whether a file is part of an Amplify Gen 2 backend, by what it imports near its top.
pub(super) fn detect(ext: &str, head: &str) -> bool {
    matches!(ext, "ts" | "js" | "mjs") && head.contains("@aws-amplify/backend")
}

/// Findings on an Amplify backend file; empty for any other file.
pub(super) fn analyze(view: &FileView, ext: &str) -> Vec<Finding> {
    let texts = [view.old_text(), view.new_text()];
    if !texts
        .iter()
        .flatten()
        .any(|t| detect(ext, &t[..super::imports_end(t)]))
    {
        return Vec::new();
    }
    // A file added or deleted whole is judged by what references it (`backend.ts`) and by
    // the file-deletion rule.
    let (Some(old), Some(new)) = (view.old_text(), view.new_text()) else {
        return Vec::new();
    };
    let (base, head) = (Source::new(old, Lang::Js), Source::new(new, Lang::Js));
    let mut out = data::changes(view, &base, &head);
    out.extend(auth::changes(view, &base, &head));
    out.extend(storage_changes(view, &base, &head));
    out.extend(backend_changes(view, &base, &head));
    out
}

/// One `defineStorage({ name, removalPolicy })`.
struct Storage {
    name: String,
    /// `removalPolicy: "retain"`; anything else, or nothing, is Amplify's default `destroy`.
    retained: bool,
    line: u32,
}

fn storages(src: &Source) -> Vec<Storage> {
    object::calls(src, "defineStorage")
        .into_iter()
        .filter_map(|open| {
            let props = object::first_arg_object(src, open)?;
            let name =
                object::get(&props, "name").and_then(|e| object::literal(src, e.value.clone()))?;
            let retained = object::get(&props, "removalPolicy")
                .and_then(|e| object::literal(src, e.value.clone()))
                .is_some_and(|p| p == "retain");
            Some(Storage {
                name,
                retained,
                line: src.line_of(open),
            })
        })
        .collect()
}

/// What Amplify does to a storage bucket that leaves the app, completing "so the next
/// deploy …".
fn bucket_fate(retained: bool, which: &str) -> (Severity, String) {
    if retained {
        (
            Severity::High,
            format!("orphans {which} bucket (`removalPolicy: \"retain\"`): the objects stay, but the app no longer sees them"),
        )
    } else {
        (
            Severity::Critical,
            format!("empties and deletes {which} bucket, every object in it lost (Amplify's default `removalPolicy` is `destroy`, with `autoDeleteObjects`)"),
        )
    }
}

fn storage_changes(view: &FileView, base: &Source, head: &Source) -> Vec<Finding> {
    let (was, now) = (storages(base), storages(head));
    let mut added = now.iter().filter(|n| !was.iter().any(|w| w.name == n.name));
    let mut out = Vec::new();
    for old in &was {
        match now.iter().find(|n| n.name == old.name) {
            Some(new) if old.retained && !new.retained => out.push(
                Finding::new(
                    &REMOVAL_POLICY_DESTROY,
                    view.at(Side::Head, new.line, new.line),
                    format!("Storage `{}` loses `removalPolicy: \"retain\"`, so Amplify's default `destroy` applies: whenever the bucket leaves the app (or is renamed), it is emptied and deleted with every object. Safer: keep `removalPolicy: \"retain\"` on production storage.", old.name),
                )
                .with_severity(Severity::High),
            ),
            Some(_) => {}
            None => {
                let renamed = added.next();
                let (severity, fate) =
                    bucket_fate(old.retained, if renamed.is_some() { "the old" } else { "its" });
                let (rule, location, message) = match renamed {
                    Some(new) => (
                        &CONSTRUCT_ID_CHANGED,
                        view.at(Side::Head, new.line, new.line),
                        format!("Storage `{}` is renamed to `{}`: its name is the bucket's construct id, so the next deploy creates a new, empty bucket and {fate}. Safer: keep the name (change only what the app calls it), or copy the objects to the new bucket before the old one goes.", old.name, new.name),
                    ),
                    None => (
                        &CONSTRUCT_REMOVED,
                        view.at(Side::Base, old.line, old.line),
                        format!("Storage `{}` is removed, so the next deploy {fate}. Safer: set `removalPolicy: \"retain\"` and deploy before removing it, or copy the objects elsewhere first.", old.name),
                    ),
                };
                out.push(Finding::new(rule, location, message).with_severity(severity));
            }
        }
    }
    out
}

/// What an entry of `defineBackend` brings in, by the path it is imported from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Category {
    Data,
    Storage,
    Auth,
}

fn category(src: &Source, key: &str) -> Option<Category> {
    let line = src.text.lines().find(|l| {
        l.trim_start().starts_with("import")
            && l.split(|c: char| !(c.is_ascii_alphanumeric() || c == '_' || c == '$'))
                .any(|w| w == key)
    })?;
    let path = line.rsplit("from").next()?;
    let segments: Vec<&str> = path
        .trim_matches(|c: char| c.is_whitespace() || matches!(c, '"' | '\'' | ';'))
        .split('/')
        .collect();
    [
        ("data", Category::Data),
        ("storage", Category::Storage),
        ("auth", Category::Auth),
    ]
    .into_iter()
    .find(|(name, _)| segments.contains(name))
    .map(|(_, c)| c)
}

fn backend_entries(src: &Source) -> Option<Vec<Entry>> {
    let open = object::calls(src, "defineBackend").into_iter().next()?;
    object::first_arg_object(src, open)
}

fn backend_changes(view: &FileView, base: &Source, head: &Source) -> Vec<Finding> {
    let (Some(was), Some(now)) = (backend_entries(base), backend_entries(head)) else {
        return Vec::new();
    };
    // What an entry passes (`storage`, or `storage` in `photos: storage`): the resource's
    // construct id comes from its `define*` call, not from the key it is given here.
    let passed = |src: &Source, e: &Entry| -> String {
        object::code(src, e.value.clone())
            .split_whitespace()
            .collect()
    };
    let kept: Vec<String> = now.iter().map(|e| passed(head, e)).collect();
    was.iter()
        .filter(|old| !kept.contains(&passed(base, old)))
        .filter_map(|old| {
            let (severity, what) = match category(base, &passed(base, old))? {
                Category::Data => (Severity::Critical, "deletes the data API and the DynamoDB table of every model in its schema, with all their records"),
                Category::Storage => (Severity::Critical, "empties and deletes its S3 bucket with every object, unless its `defineStorage` sets `removalPolicy: \"retain\"`"),
                Category::Auth => (Severity::High, "removes its Cognito user pool, and with it every user account and password (deleted, or orphaned if retained)"),
            };
            Some(
                Finding::new(
                    &CONSTRUCT_REMOVED,
                    view.at(Side::Base, old.line, old.line),
                    format!("`{}` is dropped from `defineBackend`, so the next Amplify deploy {what}. Safer: keep it in the backend; to retire it, first retain its resources (`applyRemovalPolicy(RemovalPolicy.RETAIN)` on them in backend.ts) and deploy, then remove it in its own reviewed change.", old.key),
                )
                .with_severity(severity),
            )
        })
        .collect()
}
