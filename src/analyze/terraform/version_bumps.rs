//! version_bumps: a module call (or a Terragrunt unit) moved to another major version of the
//! same module, where that module manages data or a cluster. Major versions are where module
//! authors rename, split or replace the resources they declare (terraform-aws-modules/eks v18
//! renamed its security groups and roles, v20 moved the `aws-auth` ConfigMap to a sub-module),
//! and twokey cannot see inside a registry or git module. So the finding is a medium prompt
//! to read the upgrade guide and look at a plan, tagged infra only: nothing in the diff shows a
//! destruction. Routine bumps (minor, patch, a commit or branch ref) and majors of modules
//! that hold no data (a VPC, IAM roles, security groups, labels) stay quiet, and so does a
//! major bump whose directory carries `moved` blocks into the module: its author followed
//! the guide. Evidence of destruction in the same diff is the other rules' to report.
//! Pure apart from reading the directory's `moved` blocks, and only for a bump that counts.

use super::model::{Item, ItemKind, Lit, TfFile};
use super::modules::{package, Package};
use super::{Dir, FileView, MODULE_MAJOR_BUMP};
use crate::analyze::versions;
use crate::change::Side;
use crate::finding::Finding;
use std::sync::Arc;

/// A word in a module's name that says it manages data that outlives its resources, or a
/// cluster whose replacement takes every workload with it, and how a message names it.
/// Matched against the words of the registry name (`rds` of `terraform-aws-modules/rds/aws`),
/// the repository (`terraform-aws-rds`) and the subdirectory (`modules/postgres`).
const HOLDS_STATE: &[(&str, &str)] = &[
    ("rds", "a database"),
    ("aurora", "a database"),
    ("db", "a database"),
    ("database", "a database"),
    ("sql", "a database"),
    ("postgres", "a database"),
    ("postgresql", "a database"),
    ("mysql", "a database"),
    ("mariadb", "a database"),
    ("mongodb", "a database"),
    ("documentdb", "a database"),
    ("docdb", "a database"),
    ("dynamodb", "a database"),
    ("redshift", "a database"),
    ("spanner", "a database"),
    ("bigtable", "a database"),
    ("cosmosdb", "a database"),
    ("elasticache", "a cache or store"),
    ("redis", "a cache or store"),
    ("opensearch", "a search cluster"),
    ("elasticsearch", "a search cluster"),
    ("msk", "a message broker"),
    ("kafka", "a message broker"),
    ("s3", "storage"),
    ("bucket", "storage"),
    ("storage", "storage"),
    ("storageaccount", "storage"),
    ("efs", "storage"),
    ("fsx", "storage"),
    ("eks", "a Kubernetes cluster"),
    ("gke", "a Kubernetes cluster"),
    ("aks", "a Kubernetes cluster"),
    ("kubernetes", "a Kubernetes cluster"),
];

/// What the module manages, by its name, when that is state: `None` for the rest.
fn holds_state(source: &str) -> Option<&'static str> {
    let Package::Remote(package) = package(source) else {
        return None;
    };
    let (repo, subdir) = package.split_once("//").unwrap_or((&package, ""));
    let segments: Vec<&str> = repo.split('/').collect();
    // A registry address is `namespace/name/provider` (a host may precede it); a repository
    // is named by its last segment.
    let name = match segments.as_slice() {
        [.., name, provider] if segments.len() >= 3 && is_registry_provider(provider) => name,
        [.., last] => last,
        [] => return None,
    };
    let subdir_last = subdir.rsplit('/').next().unwrap_or("");
    let what = [*name, subdir_last]
        .into_iter()
        .flat_map(|part| part.split(['-', '_', '.']))
        .find_map(|word| {
            HOLDS_STATE
                .iter()
                .find(|(w, _)| *w == word)
                .map(|(_, what)| *what)
        });
    what
}

/// Terraform registry provider names that end a module address (`…/rds/aws`).
fn is_registry_provider(segment: &str) -> bool {
    matches!(
        segment,
        "aws" | "google" | "azurerm" | "azuread" | "kubernetes" | "null" | "oci" | "alicloud"
    )
}

/// The version a source pins in its query: a git `?ref=v1.4.0` (`tags/v1.4.0`,
/// `refs/tags/rds/v1.4.0` read by their last segment) or a `tfr://` `?version=5.9.0`.
fn query_version(source: &str) -> Option<&str> {
    let (_, query) = source.split_once('?')?;
    query.split('&').find_map(|pair| {
        let (key, value) = pair.split_once('=')?;
        matches!(key, "ref" | "version").then(|| value.rsplit('/').next().unwrap_or(value))
    })
}

/// The version of a module call: its `version` argument (registry modules), else the ref in
/// its source (git modules). Only literal strings: Terraform allows nothing else there.
fn call_version(item: &Item, source: &str) -> Option<String> {
    match item.get("version").map(|s| &s.value) {
        Some(Lit::Str(v)) => Some(v.clone()),
        Some(_) => None,
        None => query_version(source).map(str::to_owned),
    }
}

/// A major bump judged once both sides are known: same module (a swapped one is
/// `terraform/module-source-changed`), another release line, a module that holds state.
struct Bump {
    was: String,
    now: String,
    what: &'static str,
}

fn bump(source_was: &str, source_now: &str, was: &str, now: &str) -> Option<Bump> {
    if package(source_was) != package(source_now) || !versions::line_changed(was, now) {
        return None;
    }
    Some(Bump {
        was: was.to_owned(),
        now: now.to_owned(),
        what: holds_state(source_now)?,
    })
}

const WHY: &str = "major versions are where a module renames, splits or replaces the resources \
                   it declares, and twokey cannot see inside it";

/// A module call whose version moved to another release line.
pub fn module_call(
    view: &FileView,
    head: &Arc<TfFile>,
    old: &Item,
    new: &Item,
    out: &mut Vec<Finding>,
) {
    if old.kind != ItemKind::Module || new.kind != ItemKind::Module {
        return;
    }
    let (Some(source_was), Some(source_now)) = (old.source(), new.source()) else {
        return;
    };
    let (Some(was), Some(now)) = (
        call_version(old, &source_was),
        call_version(new, &source_now),
    ) else {
        return;
    };
    let Some(bump) = bump(&source_was, &source_now, &was, &now) else {
        return;
    };
    // `moved` blocks into the module's addresses are the upgrade guide followed.
    let prefix = format!("{}.", new.address);
    let own = view.change.new_path.as_ref().map(|p| (p, head));
    let dir = view.path_on(Side::Head).dir();
    if Dir::load(view, Side::Head, dir, own)
        .moved()
        .any(|m| m.from.starts_with(prefix.as_str()) || m.to.starts_with(prefix.as_str()))
    {
        return;
    }
    let line = new
        .get("version")
        .or_else(|| new.get("source"))
        .map_or(new.line, |s| s.line);
    out.push(
        Finding::new(
            &MODULE_MAJOR_BUMP,
            view.at(Side::Head, line, line),
            format!(
                "`{}` moves `{}` from {} to {}, another major version of a module that manages {}: {WHY}. \
                 Nothing in this diff shows a resource destroyed, but the plan will if the new version \
                 declares other addresses.",
                new.address, bump_source(&source_now), bump.was, bump.now, bump.what
            ),
        )
        .with_subject(&new.address),
    );
}

/// A Terragrunt unit (or a file its units include) whose `terraform { source }` moved to
/// another release line of the same module. Terragrunt has no `moved` blocks of its own.
pub fn unit_source(view: &FileView, was: &str, now: &str, line: u32, out: &mut Vec<Finding>) {
    let (Some(v_was), Some(v_now)) = (query_version(was), query_version(now)) else {
        return;
    };
    let Some(bump) = bump(was, now, v_was, v_now) else {
        return;
    };
    let path = view.path_on(Side::Head);
    out.push(Finding::new(
        &MODULE_MAJOR_BUMP,
        view.at(Side::Head, line, line),
        format!(
            "The module of {path} (`{}`) moves from {} to {}, another major version of a module that manages {}: {WHY}. \
             Nothing in this diff shows a resource destroyed, but the plan will if the new version \
             declares other addresses.",
            bump_source(now), bump.was, bump.now, bump.what
        ),
    ));
}

/// A source as a message shows it: without the query that holds the version.
fn bump_source(source: &str) -> &str {
    source.split_once('?').map_or(source, |(s, _)| s)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn modules_are_known_to_hold_state_by_the_words_of_their_name() {
        for source in [
            "terraform-aws-modules/rds/aws",
            "terraform-aws-modules/rds-aurora/aws",
            "registry.terraform.io/terraform-aws-modules/s3-bucket/aws",
            "terraform-google-modules/kubernetes-engine/google",
            "GoogleCloudPlatform/sql-db/google//modules/postgresql",
            "Azure/avm-res-storage-storageaccount/azurerm",
            "git::https://github.com/acme/terraform-aws-rds.git?ref=v1.4.0",
            "git@github.com:acme/infra-modules.git//modules/postgres?ref=v3.2.1",
            "tfr:///terraform-aws-modules/eks/aws?version=20.0.0",
        ] {
            assert!(holds_state(source).is_some(), "{source}");
        }
        for source in [
            "terraform-aws-modules/vpc/aws",
            "terraform-aws-modules/security-group/aws",
            "terraform-aws-modules/iam/aws//modules/iam-assumable-role",
            "cloudposse/label/null",
            "terraform-google-modules/network/google",
            "git::https://github.com/acme/terraform-aws-alarms.git?ref=v1.4.0",
            "./modules/db",
        ] {
            assert_eq!(holds_state(source), None, "{source}");
        }
    }

    #[test]
    fn the_version_of_a_git_or_tfr_source_is_its_ref_or_version() {
        assert_eq!(
            query_version("git::https://x/y.git?ref=v1.4.0"),
            Some("v1.4.0")
        );
        assert_eq!(
            query_version("git::https://x/y.git?ref=tags/v2.0.0"),
            Some("v2.0.0")
        );
        assert_eq!(query_version("tfr:///a/b/aws?version=5.9.0"), Some("5.9.0"));
        assert_eq!(query_version("git::https://x/y.git?depth=1"), None);
        assert_eq!(query_version("terraform-aws-modules/rds/aws"), None);
    }
}
