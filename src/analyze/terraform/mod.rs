//! terraform: the structural analyzer for Terraform and OpenTofu configuration (`.tf`,
//! `.tofu`, and their `.json` forms). It parses the base and head of a changed file with
//! hcl-edit, compares blocks by address, and reports what the next `apply` would destroy:
//! removed resources and modules, renames without a `moved` block, `removed` blocks that
//! destroy, instances dropped from `count`/`for_each`, protections turned off, retention
//! shortened, attributes whose change forces a replacement, replacement triggers, resources
//! and providers re-homed to another account or region, and the state backend re-pointed.
//! Module calls are judged by the values they hand in and the module they name; `.tfvars`
//! files and variable defaults by the protections, `create` switches and retentions they set,
//! and by the `count`/`for_each` of their directory that they switch off or lower.
//!
//! Terraform reads a whole directory as one module, so a block that disappears from one file
//! is looked up in its siblings at head (through the snapshot) before it is called removed;
//! `moved` and `removed` blocks also count from any file of the directory.
//!
//! Submodules: [`model`] reduces a file to addressable blocks; [`guards`] knows the
//! protection settings; [`stateful`] grades resource types (shared with the plan analyzer);
//! [`replacement`] knows the replacement-forcing attributes and triggers; `rehome` compares
//! provider and backend placement; `json` reads the JSON syntax; `modules` judges module
//! calls; `retention` knows how long providers keep data before they delete it; [`vars`]
//! reads `.tfvars` files and variable defaults; [`switches`] follows a changed value to the
//! `count`/`for_each` that read it; [`terragrunt`] reads Terragrunt units, which
//! declare no resources but guard, feed and locate the module's.

mod autoload;
mod closest;
mod enabled;
mod guards;
mod json;
pub mod model;
mod modules;
mod plain;
mod rehome;
pub mod replacement;
mod retention;
mod s3_split;
mod short_strings;
pub mod stacks;
pub mod stateful;
pub(crate) mod switches;
pub mod terragrunt;
mod tofu_override;
pub mod vars;
mod version_bumps;

use super::{read_sides, FileView, Unparseable};
use crate::change::{RepoPath, Side};
use crate::finding::{Finding, Location, Severity, Tag};
use crate::rules::Rule;
use model::{Item, ItemKind, Moved, TfFile};
use std::collections::{BTreeSet, HashSet};
use std::sync::Arc;
use tofu_override::Pairing;

const DESTRUCTIVE: &[Tag] = &[Tag::Destructive, Tag::Infra];

pub const RESOURCE_REMOVED: Rule = Rule {
    id: crate::finding::RuleId("terraform/resource-removed"),
    severity: Severity::High,
    tags: DESTRUCTIVE,
    summary: "A resource block was removed, so the next apply destroys the real object.",
    why: "Terraform destroys every object in state that no longer has a block in the configuration. \
          Removing the block also removes its `prevent_destroy` guard, so nothing stops the destroy. \
          Severity is critical for types that hold data (databases, buckets, disks, keys, zones, \
          clusters), medium for attachments such as security group rules and IAM attachments, \
          low for bookkeeping types such as null_resource, high otherwise.",
    example: "before: resource \"aws_db_instance\" \"main\" { … }\nafter:  (block deleted)",
    safer: "To stop managing the object without destroying it, replace the block with \
            `removed { from = <address>  lifecycle { destroy = false } }`; if it was renamed, add a `moved` block.",
};

pub const MODULE_REMOVED: Rule = Rule {
    id: crate::finding::RuleId("terraform/module-removed"),
    severity: Severity::Critical,
    tags: DESTRUCTIVE,
    summary: "A module call was removed, so every resource the module manages is destroyed.",
    why: "A module block owns all the resources created inside it; without the block Terraform plans \
          to destroy each of them, however many and whatever they hold.",
    example: "before: module \"database\" { source = \"./modules/db\" }\nafter:  (block deleted)",
    safer: "Keep the module, or replace it with `removed { from = module.<name>  lifecycle { destroy = false } }`; \
            if it was renamed, add `moved { from = module.<old>  to = module.<new> }`.",
};

pub const RENAMED_WITHOUT_MOVED: Rule = Rule {
    id: crate::finding::RuleId("terraform/renamed-without-moved"),
    severity: Severity::High,
    tags: DESTRUCTIVE,
    summary: "A resource or module was renamed (or re-keyed) without a `moved` block: destroy and recreate.",
    why: "Terraform tracks objects by address. A new address with no `moved` block is a new object: the \
          old one is destroyed and an empty one created, losing its data and identity.",
    example: "before: resource \"aws_s3_bucket\" \"logs\" { … }\n\
              after:  resource \"aws_s3_bucket\" \"audit_logs\" { … }   # no moved block",
    safer: "Add `moved { from = <old address>  to = <new address> }` to the same directory.",
};

pub const REMOVED_BLOCK_DESTROYS: Rule = Rule {
    id: crate::finding::RuleId("terraform/removed-block-destroys"),
    severity: Severity::High,
    tags: DESTRUCTIVE,
    summary: "A `removed` block that destroys its object (no `lifecycle { destroy = false }`).",
    why: "A `removed` block (Terraform 1.7+, OpenTofu 1.7+) destroys the object unless its lifecycle \
          says `destroy = false`, which only forgets it.",
    example: "after: removed {\n  from = aws_s3_bucket.logs\n  lifecycle { destroy = true }\n}",
    safer: "Use `lifecycle { destroy = false }` to drop the object from state and keep it running.",
};

pub const PREVENT_DESTROY_REMOVED: Rule = Rule {
    id: crate::finding::RuleId("terraform/prevent-destroy-removed"),
    severity: Severity::High,
    tags: DESTRUCTIVE,
    summary: "`lifecycle { prevent_destroy = true }` was removed or turned off on a resource.",
    why: "prevent_destroy makes any plan that would destroy the object fail. Turning it off is usually \
          the first step of a destroy or a replacement. High for stateful types, medium otherwise.",
    example: "before: lifecycle { prevent_destroy = true }\nafter:  lifecycle { prevent_destroy = false }",
    safer: "Keep prevent_destroy, and lift it only in a change reviewed together with the plan that needs it.",
};

pub const PROTECTION_WEAKENED: Rule = Rule {
    id: crate::finding::RuleId("terraform/protection-weakened"),
    severity: Severity::High,
    tags: DESTRUCTIVE,
    summary: "A provider-side protection was turned off (deletion protection, final snapshot, versioning, backups…).",
    why: "Settings such as deletion_protection, skip_final_snapshot, force_destroy, backup_retention_period, \
          versioning and point-in-time recovery are what stand between a mistaken destroy and lost data; \
          so are `skip_destroy`, an ECR repository's `force_delete`, an EBS volume's `final_snapshot`, an \
          instance's `delete_on_termination`, automatic snapshots (`snapshot_retention_limit`, \
          `automated_snapshot_retention_period`), an EFS backup policy, a Cognito user pool's \
          `deletion_protection = \"INACTIVE\"`, \
          Google's `deletion_policy` and `delete_contents_on_destroy`, Azure backup vaults' soft \
          delete, the azurerm provider's `features` that purge Key Vaults or delete non-empty \
          resource groups on destroy, and beyond the three clouds Hetzner's `delete_protection`, \
          MongoDB Atlas's `termination_protection_enabled` and cloud backups, a GitHub repository's \
          `archive_on_destroy`, and Vault's `delete_all_versions` and transit keys' `deletion_allowed`; \
          also RDS's `delete_automated_backups`, S3 MFA delete, FSx backups and final backups, a MemoryDB \
          final snapshot, Azure backup vaults' immutability and the `features` that purge API Management, \
          App Configuration, Cognitive Services, managed HSMs or delete a VM's OS disk, Spanner drop \
          protection, AlloyDB backups, Firestore point-in-time recovery, a Cloud Storage retention policy, \
          Cloud SQL's binary log and a Compute boot disk's `auto_delete`. \
          High for stateful types and for the settings that keep one's data (`aws_s3_bucket_versioning`, \
          `aws_efs_backup_policy`), medium otherwise. The same names are judged where a value is handed \
          to a module (a `module` call's arguments, a `.tfvars` file, a variable's default), since modules \
          pass them to the resource attribute of the same name: high when a protective value is turned \
          off, medium when a weak value is added over a default twokey cannot see.",
    example: "before: deletion_protection = true\nafter:  deletion_protection = false",
    safer: "Keep the protection on; if a destroy is really intended, do it in its own reviewed change.",
};

pub const COUNT_EMPTIED: Rule = Rule {
    id: crate::finding::RuleId("terraform/count-emptied"),
    severity: Severity::High,
    tags: DESTRUCTIVE,
    summary: "`count` or `for_each` shrank, so the dropped instances are destroyed.",
    why: "Each index of `count` and each key of `for_each` is its own object. Setting `count = 0`, \
          emptying `for_each`, lowering `count` or dropping keys destroys those instances. A `.tfvars` \
          value or a variable's default that lowers a `count` or drops `for_each` keys of its own \
          directory (`count = var.web_count`, 3 to 1) is reported at the changed value.",
    example: "before: for_each = toset([\"eu\", \"us\"])\nafter:  for_each = toset([\"eu\"])   # destroys [\"us\"]",
    safer: "If the instances should survive under other keys, add `moved` blocks; otherwise confirm each destroyed instance.",
};

pub const REPLACEMENT_ATTRIBUTE: Rule = Rule {
    id: crate::finding::RuleId("terraform/replacement-attribute"),
    severity: Severity::High,
    tags: DESTRUCTIVE,
    summary: "An attribute that cannot be updated in place changed, so the plan destroys the object and creates a new one.",
    why: "Providers mark some attributes as forcing a new resource: a database's engine or encryption key, a \
          bucket's name, a disk's zone, a key's usage. Changing one makes `terraform plan` show `-/+ destroy \
          and then create replacement`; the new object starts empty. twokey knows a curated table of these \
          attributes for widely used AWS, Google Cloud and Azure types, and applies it to the arguments \
          of a few registry modules that pass them straight to one resource (terraform-aws-modules' rds, \
          rds-aurora, s3-bucket and dynamodb-table). A few attributes force a replacement only when \
          lowered (an Azure PostgreSQL Flexible Server's `storage_mb` or major `version`, a MySQL Flexible \
          Server's `storage.size_gb`): those are \
          reported when both values are literal numbers and the new one is lower. Critical for types that hold data, \
          high otherwise; a change of a computed expression is reported as one that may replace. An attribute \
          listed in `lifecycle { ignore_changes }` is left alone.",
    example: "before: resource \"aws_db_instance\" \"main\" { engine = \"postgres\" }\n\
              after:  resource \"aws_db_instance\" \"main\" { engine = \"mysql\" }",
    safer: "Keep the value; or create the new object beside the old one (`create_before_destroy` or a second \
            block) and migrate the data; if only Terraform's record is wrong, use `terraform import` or \
            `terraform state mv`.",
};

pub const REPLACE_TRIGGERED: Rule = Rule {
    id: crate::finding::RuleId("terraform/replace-triggered"),
    severity: Severity::Medium,
    tags: DESTRUCTIVE,
    summary: "A replacement trigger changed: `triggers`, `triggers_replace`, `keepers`, or `replace_triggered_by`.",
    why: "These settings exist to force a replacement. A changed `triggers` on `null_resource` or \
          `triggers_replace` on `terraform_data` reruns provisioners and replaces whatever lists them in \
          `replace_triggered_by`; a changed `keepers` on a `random_*` resource generates a new value (a \
          rotated password, a new name that forces replacements downstream); a new `replace_triggered_by` \
          replaces the resource whenever its references change. Medium, high for random values and for \
          types that hold data.",
    example: "before: keepers = { rotation = \"2024\" }\nafter:  keepers = { rotation = \"2025\" }   # random_password.db",
    safer: "Change triggers on purpose only, in a change that says what the replacement does; check the \
            plan for what depends on the replaced object.",
};

pub const PROVIDER_REHOMED: Rule = Rule {
    id: crate::finding::RuleId("terraform/provider-rehomed"),
    severity: Severity::High,
    tags: DESTRUCTIVE,
    summary: "A resource, module or provider configuration now points at another account, region or project.",
    why: "Terraform manages an object through the provider configuration it is assigned to. Switching a \
          resource's `provider = aws.x` (or a module's `providers`), or changing a provider block's `region`, \
          `project`, `zone`, `location`, `subscription_id` or assumed role, re-homes the objects: depending on \
          the provider they are replaced, or not found in the new place and created anew while the old ones \
          drop out of state, still running and no longer managed.",
    example: "before: provider \"aws\" { region = \"us-east-1\" }\nafter:  provider \"aws\" { region = \"eu-west-1\" }",
    safer: "Keep the existing configuration and add a second, aliased one for the new place; move objects to it \
            deliberately, with their data, one reviewed change at a time.",
};

pub const BACKEND_CHANGED: Rule = Rule {
    id: crate::finding::RuleId("terraform/backend-changed"),
    severity: Severity::High,
    tags: DESTRUCTIVE,
    summary: "The state backend changed type or location (bucket, key, prefix, workspace, path, container…).",
    why: "The next `terraform init` looks for the state in the new place. With `-migrate-state` it moves the \
          state; with `-reconfigure`, or in automation that does not migrate, it starts from an empty state \
          and plans to create every resource again, beside the ones that exist. Either way a human must look.",
    example: "before: backend \"s3\" { bucket = \"acme-tf\"  key = \"prod.tfstate\" }\n\
              after:  backend \"s3\" { bucket = \"acme-tf\"  key = \"production.tfstate\" }",
    safer: "Change the backend in its own reviewed change, migrate with `terraform init -migrate-state`, and \
            confirm that the following plan creates nothing.",
};

pub const CREATE_SWITCH_OFF: Rule = Rule {
    id: crate::finding::RuleId("terraform/create-switch-off"),
    severity: Severity::High,
    tags: DESTRUCTIVE,
    summary: "A switch was turned off (a module's `create`, `create_*` or `enabled`, or a variable that sets `count`/`for_each`), so what it created is destroyed.",
    why: "Modules such as terraform-aws-modules make what they create conditional on a switch \
          (`count = var.create ? 1 : 0`): `create = false` destroys everything the module manages, \
          `create_db_instance`, `create_vpc`, `create_bucket` or `create_cluster = false` the object it \
          names with its data. Cloud Posse modules do the same with `enabled = false`. Judged on module \
          arguments, and for `create` and `create_*` also on Terragrunt inputs, `.tfvars` values and \
          variable defaults (`enabled` only as a module call's own argument, where the convention \
          applies). Critical for `create` and `enabled`, high for `create_*`; when the switch is added \
          as false over a default twokey cannot see, medium, or high for `enabled`, which the \
          convention defaults to true. A variable of any name is also followed to the resources and \
          module calls of its own directory: when a `.tfvars` value or a variable's default changes, \
          each `count` or `for_each` there that reads it (`count = var.enable_db ? 1 : 0`, \
          `count = var.web_count`, `for_each = var.on ? toset([…]) : toset([])`) is evaluated with the \
          old and the new value, and one that drops to no instances is reported at the changed value, \
          naming each address, critical for module calls and types that hold data. A `create` \
          switch followed this way is reported once, with its addresses. OpenTofu 1.11's \
          `lifecycle { enabled = false }` on a resource or module call is reported too, as \
          `count = 0` would be.",
    example: "before: module \"db\" { source = \"terraform-aws-modules/rds/aws\" }\n\
              after:  module \"db\" { source = \"terraform-aws-modules/rds/aws\"  create_db_instance = false }",
    safer: "To stop managing the objects without destroying them, use `removed { from = <address>  lifecycle { destroy = false } }`; \
            otherwise confirm the destroy with the plan, in its own reviewed change.",
};

pub const MODULE_SOURCE_CHANGED: Rule = Rule {
    id: crate::finding::RuleId("terraform/module-source-changed"),
    severity: Severity::High,
    tags: DESTRUCTIVE,
    summary: "A module call's `source` now names a different module, so its resources are destroyed and created anew.",
    why: "Terraform addresses a module's resources by the names inside the module. Another module \
          (`…/rds/aws` to `…/rds-aurora/aws`, another repository or subdirectory) declares other \
          addresses, so without `moved` blocks from the old ones the plan destroys every resource the old \
          module created. A version or ref bump of the same module is not reported; a change to or from \
          a local path is medium, since it is often the same code moved or published.",
    example: "before: source = \"terraform-aws-modules/rds/aws\"\nafter:  source = \"terraform-aws-modules/rds-aurora/aws\"",
    safer: "Read the plan; add `moved { from = module.<name>.<old>  to = module.<name>.<new> }` for what must \
            survive, or add the new module beside the old one and migrate the data first.",
};

pub const MODULE_MAJOR_BUMP: Rule = Rule {
    id: crate::finding::RuleId("terraform/module-major-bump"),
    severity: Severity::Medium,
    tags: &[Tag::Infra],
    summary: "A module that manages data or a cluster (rds, aurora, s3-bucket, dynamodb, eks, gke, …) moves to another major version (a 0.x module: another minor), by its `version`, its git `?ref=` or a Terragrunt unit's source.",
    why: "Major versions are where module authors rename, split or replace the resources they declare \
          (terraform-aws-modules/eks v18 renamed its security groups and IAM roles, v20 moved the `aws-auth` \
          ConfigMap to a sub-module), and the plan destroys whatever the new version declares under another \
          address. twokey cannot see inside a registry or git module, so this is a prompt to read the upgrade \
          guide, not evidence of destruction: it is not tagged destructive. Minor and patch bumps, commit and \
          branch refs, majors of modules that hold no data (vpc, iam, security-group, label) and a bump whose \
          directory has `moved` blocks into the module are not reported.",
    example: "  source  = \"terraform-aws-modules/rds/aws\"\n- version = \"5.9.0\"\n+ version = \"6.1.1\"",
    safer: "Read the module's upgrade guide (`UPGRADE-<major>.0.md` or the release notes), add the `moved` blocks it \
            lists, and attach `terraform show -json` of a plan with `--plan` so twokey judges what the bump really does.",
};

pub const UNPARSEABLE: Rule = Rule {
    id: crate::finding::RuleId("terraform/unparseable"),
    severity: Severity::High,
    tags: &[Tag::Infra],
    summary: "A Terraform file could not be parsed, so what it destroys is unknown.",
    why: "twokey fails closed: a configuration it cannot read might remove anything.",
    example: "after: resource \"aws_s3_bucket\" \"x\" {   # missing closing brace",
    safer: "Fix the syntax (`terraform fmt` / `terraform validate`) and push again.",
};

pub const RULES: &[&Rule] = &[
    &RESOURCE_REMOVED,
    &MODULE_REMOVED,
    &RENAMED_WITHOUT_MOVED,
    &REMOVED_BLOCK_DESTROYS,
    &PREVENT_DESTROY_REMOVED,
    &PROTECTION_WEAKENED,
    &COUNT_EMPTIED,
    &REPLACEMENT_ATTRIBUTE,
    &REPLACE_TRIGGERED,
    &PROVIDER_REHOMED,
    &BACKEND_CHANGED,
    &CREATE_SWITCH_OFF,
    &MODULE_SOURCE_CHANGED,
    &MODULE_MAJOR_BUMP,
    &retention::RETENTION_SHORTENED,
    &UNPARSEABLE,
];

/// Whether a path is Terraform/OpenTofu configuration that belongs to a directory's module.
pub fn is_config_path(path: &RepoPath) -> bool {
    let name = path.file_name().to_ascii_lowercase();
    [".tf", ".tofu", ".tf.json", ".tofu.json"]
        .iter()
        .any(|ext| name.ends_with(ext) && name.len() > ext.len())
}

fn is_json(path: &RepoPath) -> bool {
    path.file_name().to_ascii_lowercase().ends_with(".json")
}

fn parse_file(path: &RepoPath, text: &str) -> Result<TfFile, model::ParseError> {
    if is_json(path) {
        json::parse(text)
    } else {
        model::parse(text)
    }
}

/// One side of one file, parsed: kept in the run's memo, since the same file is read for its
/// own review and again as a sibling of the others in its directory.
pub(crate) type Parsed = Result<Arc<TfFile>, model::ParseError>;

/// `path` on `side` parsed, from the memo when this run already parsed it. `text` is that
/// side's content (the snapshot serves the same content for the same side and path).
fn parsed(view: &FileView, side: Side, path: &RepoPath, text: &str) -> Parsed {
    let key = (side, path.clone());
    view.memo
        .terraform_files
        .get_or_load(&key, || parse_file(path, text).map(Arc::new))
}

/// A sibling of the reviewed file, read from the snapshot only when the memo lacks it.
fn sibling(view: &FileView, side: Side, path: &RepoPath) -> Parsed {
    let key = (side, path.clone());
    view.memo.terraform_files.get_or_load(&key, || {
        let content = view.snapshot.read(side, path);
        match content.text() {
            Some(text) => parse_file(path, text).map(Arc::new),
            None => Err(model::ParseError {
                line: None,
                reason: "not readable as text".to_owned(),
            }),
        }
    })
}

/// The base and head of a file, each `None` where that side does not exist.
pub(crate) type Sides = (Option<Arc<TfFile>>, Option<Arc<TfFile>>);

/// Both sides of the reviewed file parsed (each `None` where that side does not exist), or
/// `None` when either cannot be read: for checks that leave broken files to this analyzer's
/// `terraform/unparseable`.
pub(crate) fn parsed_sides(view: &FileView) -> Option<Sides> {
    let side = |side: Side| match parse_side(view, side) {
        None => Some(None),
        Some(Ok(file)) => Some(Some(file)),
        Some(Err(_)) => None,
    };
    Some((side(Side::Base)?, side(Side::Head)?))
}

/// The reviewed file's `side` parsed, through the run's memo (the guardrail analyzer reads
/// GitHub protection resources from the same parse): `None` when the side does not exist,
/// `Some(Err)` when it exists but cannot be read as text or parsed.
pub(crate) fn parse_side(view: &FileView, side: Side) -> Option<Parsed> {
    let content = match side {
        Side::Base => view.old,
        Side::Head => view.new,
    };
    match content {
        crate::change::Content::Absent => None,
        crate::change::Content::Text(text) => Some(parsed(view, side, view.path_on(side), text)),
        _ => Some(Err(model::ParseError {
            line: None,
            reason: "not readable as text".to_owned(),
        })),
    }
}

/// Whether another Terraform file of the reviewed file's head directory declares `address`:
/// a block that left this file for a sibling is still declared.
pub(crate) fn declared_in_sibling(view: &FileView, address: &str) -> bool {
    let own = view.path_on(Side::Head);
    let listing = view.snapshot.list_dir(Side::Head, own.dir());
    listing
        .iter()
        .filter(|p| *p != own && is_config_path(p) && view.memo.worth_reading(p))
        .filter(|p| !tofu_override::shadowed(p, &listing))
        .any(|p| sibling(view, Side::Head, p).is_ok_and(|f| f.item(address).is_some()))
}

/// Analyzes one changed Terraform file.
pub fn analyze(view: &FileView) -> Vec<Finding> {
    let read = |side: Side, text: &str| {
        parsed(view, side, view.path_on(side), text).map_err(|e| Unparseable {
            side,
            line: e.line,
            reason: e.reason,
        })
    };
    // A side that exists but cannot be read as text (binary, too large, not UTF-8) is
    // unknown, not empty: the files analyzer reports it, and nothing is judged against it.
    if unreadable(view.old) || unreadable(view.new) {
        return Vec::new();
    }
    let (base, head) = match read_sides(view, &UNPARSEABLE, read) {
        Ok(sides) => sides,
        Err(unreadable) => return unreadable,
    };
    let (base, head, pairing) = pair_with_tf(view, base, head);

    let mut out = Vec::new();
    removals(view, &base, &head, &pairing, &mut out);
    removed_blocks(view, &base, &head, &mut out);
    // With the whole directory gone there is no backend "after": nothing plans there.
    // (Checked only where a backend is involved: it lists the directory.)
    let has_backend = base.backend.is_some() || head.backend.is_some();
    if has_backend && !root_gone(view) {
        rehome::backend_changed(view, &base, &head, &mut out);
    }
    vars::defaults(view, &base, &head, &mut out);
    switches::locals(view, &base, &head, &mut out);
    modules::renamed_source_changed(view, &base, &head, &mut out);
    for new in &head.items {
        let Some(old) = base.item(&new.address) else {
            split_from_bucket(view, &base, new, &mut out);
            continue;
        };
        if old.kind != new.kind {
            continue;
        }
        prevent_destroy(view, old, new, &mut out);
        enabled::switched_off(view, old, new, &mut out);
        protections(view, old, new, &mut out);
        retention::shortened(view, old, new, &mut out);
        instances(view, &head, old, new, &mut out);
        let first = out.len();
        replacement::replacement_attributes(view, [&base, &head], old, new, &mut out);
        replacement::lowered_attributes(view, old, new, &mut out);
        replacement::triggers(view, old, new, &mut out);
        rehome::provider_rehomed(view, old, new, &mut out);
        modules::arguments(view, old, new, &mut out);
        modules::source_changed(view, &head, old, new, &mut out);
        version_bumps::module_call(view, &head, old, new, &mut out);
        modules::replacement_arguments(view, old, new, &mut out);
        retention::module_arguments(view, old, new, &mut out);
        // Config allow-lists name Terraform objects by address.
        for f in &mut out[first..] {
            f.subject.get_or_insert_with(|| new.address.clone());
        }
    }
    out
}

/// A resource of the AWS provider v4's S3 split (`aws_s3_bucket_versioning`, …) new at the
/// head, judged against the inline block its bucket had at the base (see [`s3_split`]): the
/// upgrade itself stays quiet, a setting weakened on the way is found. The bucket is looked
/// for in the file's base, then in its directory's changed files.
fn split_from_bucket(view: &FileView, base: &TfFile, new: &Item, out: &mut Vec<Finding>) {
    if s3_split::inline_block(&new.rtype).is_none() {
        return;
    }
    let Some(address) = s3_split::bucket_address(new) else {
        return;
    };
    let bucket = match base.item(&address) {
        Some(bucket) => s3_split::stand_in(bucket, new),
        None => {
            let dir = Dir::load(view, Side::Base, view.path_on(Side::Head).dir(), None);
            let found = dir.items().find(|(_, i)| i.address == address);
            found.and_then(|(_, bucket)| s3_split::stand_in(bucket, new))
        }
    };
    let Some(old) = bucket else {
        return;
    };
    let first = out.len();
    protections(view, &old, new, out);
    retention::shortened(view, &old, new, out);
    let block = s3_split::inline_block(&new.rtype).unwrap_or_default();
    for f in &mut out[first..] {
        f.message.push_str(&format!(
            " (At the base this was the inline `{block}` block of `{address}`, which this change moves to `{}`.)",
            new.address
        ));
        f.subject.get_or_insert_with(|| new.address.clone());
    }
}

/// A `.tofu` file added or deleted beside a `.tf` file of the same name is judged against that
/// file: it stands for the side where the `.tofu` file is absent (see [`tofu_override`]). A
/// partner that cannot be read leaves the file judged alone.
fn pair_with_tf(
    view: &FileView,
    base: Option<Arc<TfFile>>,
    head: Option<Arc<TfFile>>,
) -> (Arc<TfFile>, Arc<TfFile>, Pairing) {
    let stand_in = |side: Side| {
        let tf = tofu_override::partner(view.path_on(side))?;
        let listed = view.snapshot.list_dir(side, tf.dir()).contains(&tf);
        let parsed = sibling(view, side, &tf).ok().filter(|_| listed)?;
        Some((tf, parsed))
    };
    match (base, head) {
        (None, Some(head)) => match stand_in(Side::Base) {
            Some((tf, base)) => (base, head, Pairing::Hides(tf)),
            None => (Arc::default(), head, Pairing::Alone),
        },
        (Some(base), None) => match stand_in(Side::Head) {
            Some((tf, head)) => (base, head, Pairing::Restores(tf)),
            None => (base, Arc::default(), Pairing::Alone),
        },
        (base, head) => (
            base.unwrap_or_default(),
            head.unwrap_or_default(),
            Pairing::Alone,
        ),
    }
}

/// Whether a side exists but is not text twokey can read.
fn unreadable(content: &crate::change::Content) -> bool {
    use crate::change::Content;
    matches!(
        content,
        Content::TooLarge(_) | Content::Binary | Content::NotUtf8
    )
}

/// Whether the base file's directory holds no Terraform configuration at head: the whole
/// root module was deleted (or moved away), so nothing plans there any more.
fn root_gone(view: &FileView) -> bool {
    let dir = view.path_on(Side::Base).dir();
    !view
        .snapshot
        .list_dir(Side::Head, dir)
        .iter()
        .any(is_config_path)
}

/// The Terraform files of one directory on one side, the file under review included.
struct Dir {
    index: Arc<DirIndex>,
}

/// A directory's files with the addresses they declare and move, indexed for lookups: a
/// change removing many blocks asks about each of them.
pub struct DirIndex {
    files: Vec<(RepoPath, Arc<TfFile>)>,
    addresses: HashSet<String>,
    moved_from: HashSet<String>,
    moved_to: HashSet<String>,
    removed_from: HashSet<String>,
}

impl DirIndex {
    fn new(mut files: Vec<(RepoPath, Arc<TfFile>)>) -> DirIndex {
        // Path order, whichever file asked first: ties between rename candidates are broken
        // by position, and the result must not depend on which worker built the index.
        files.sort_by(|a, b| a.0.cmp(&b.0));
        let all = || files.iter().map(|(_, f)| f);
        DirIndex {
            addresses: all()
                .flat_map(|f| f.items.iter().map(|i| i.address.clone()))
                .collect(),
            moved_from: all()
                .flat_map(|f| f.moved.iter().map(|m| m.from.clone()))
                .collect(),
            moved_to: all()
                .flat_map(|f| f.moved.iter().map(|m| m.to.clone()))
                .collect(),
            removed_from: all()
                .flat_map(|f| f.removed.iter().map(|r| r.from.clone()))
                .collect(),
            files,
        }
    }
}

impl Dir {
    /// Reads `dir` on `side`; `own` is the reviewed file's already-parsed version there.
    /// Siblings that do not parse are skipped: their own review reports them.
    fn load(view: &FileView, side: Side, dir: &str, own: Option<(&RepoPath, &Arc<TfFile>)>) -> Dir {
        let own = own.filter(|(p, _)| p.dir() == dir);
        let key = (side, dir.to_owned());
        let index = view.memo.terraform_dirs.get_or_load(&key, || {
            let mut files: Vec<(RepoPath, Arc<TfFile>)> = Vec::new();
            let listing = view.snapshot.list_dir(side, dir);
            for path in listing.iter().cloned() {
                // A `.tf` file hidden by a `.tofu` file of the same name declares nothing
                // for OpenTofu.
                if !is_config_path(&path)
                    || own.is_some_and(|(p, _)| *p == path)
                    || !view.memo.worth_reading(&path)
                    || tofu_override::shadowed(&path, &listing)
                {
                    continue;
                }
                if let Ok(file) = sibling(view, side, &path) {
                    files.push((path, file));
                }
            }
            if let Some((path, file)) = own {
                files.push((path.clone(), Arc::clone(file)));
            }
            Arc::new(DirIndex::new(files))
        });
        // A cached directory read from the same snapshot holds the file under review in the
        // same version; only a snapshot that lacks it needs it added.
        match own {
            Some((path, file)) if !index.files.iter().any(|(p, _)| p == path) => {
                let mut files: Vec<(RepoPath, Arc<TfFile>)> = index.files.to_vec();
                files.push((path.clone(), Arc::clone(file)));
                Dir {
                    index: Arc::new(DirIndex::new(files)),
                }
            }
            _ => Dir { index },
        }
    }
    fn items(&self) -> impl Iterator<Item = (&RepoPath, &Item)> {
        self.index
            .files
            .iter()
            .flat_map(|(p, f)| f.items.iter().map(move |i| (p, i)))
    }
    fn has(&self, address: &str) -> bool {
        self.index.addresses.contains(address)
    }
    fn moves_away(&self, address: &str) -> bool {
        self.index.moved_from.contains(address)
    }
    fn moves_onto(&self, address: &str) -> bool {
        self.index.moved_to.contains(address)
    }
    fn removes(&self, address: &str) -> bool {
        self.index.removed_from.contains(address)
    }
    fn moved(&self) -> impl Iterator<Item = &Moved> {
        self.index.files.iter().flat_map(|(_, f)| f.moved.iter())
    }
    fn local(&self, name: &str) -> Option<&model::Lit> {
        self.index
            .files
            .iter()
            .find_map(|(_, f)| f.locals.get(name))
    }
    fn variable(&self, name: &str) -> Option<&model::Variable> {
        self.index
            .files
            .iter()
            .flat_map(|(_, f)| f.variables.iter())
            .find(|v| v.name == name)
    }
}

/// What an address names, for grading a destroy.
enum Target<'s> {
    Module,
    Resource(&'s str),
    Other,
}

fn target(address: &str) -> Target<'_> {
    let parts: Vec<&str> = address.split('.').collect();
    let mut rest = parts.as_slice();
    while let ["module", _, tail @ ..] = rest {
        rest = tail;
    }
    match rest {
        [] => Target::Module,
        [t, _] if *t != "data" => Target::Resource(t),
        _ => Target::Other,
    }
}

fn target_severity(address: &str) -> Severity {
    match target(address) {
        Target::Module => Severity::Critical,
        Target::Resource(t) => stateful::destroy_severity(t),
        Target::Other => Severity::High,
    }
}

fn item_severity(item: &Item) -> Severity {
    match item.kind {
        ItemKind::Module => Severity::Critical,
        _ => stateful::destroy_severity(&item.rtype),
    }
}

/// Severity for a weakened guard: it destroys nothing yet, so one step below a destroy.
fn guard_severity(item: &Item) -> Severity {
    match item.kind {
        ItemKind::Provider => Severity::High,
        _ if stateful::stateful(&item.rtype) => Severity::High,
        _ if stateful::guards_data_of_another(&item.rtype) => Severity::High,
        _ => Severity::Medium,
    }
}

fn data_note(item: &Item) -> &'static str {
    match item.kind {
        ItemKind::Module => " and every resource inside it",
        _ if stateful::stateful(&item.rtype) => " and the data it holds",
        _ => "",
    }
}

/// [`data_note`] for several instances of one block.
fn data_note_plural(item: &Item) -> &'static str {
    match item.kind {
        ItemKind::Module => " and every resource inside them",
        _ if stateful::stateful(&item.rtype) => " and the data they hold",
        _ => "",
    }
}

fn removals(
    view: &FileView,
    base: &Arc<TfFile>,
    head: &Arc<TfFile>,
    pairing: &Pairing,
    out: &mut Vec<Finding>,
) {
    // A file moved to another directory leaves this one's configuration: everything it held
    // is gone from here, whatever its head text says. A `.tofu` file paired with its `.tf`
    // file compares the two, which share a directory.
    let same_dir = *pairing != Pairing::Alone
        || view
            .change
            .new_path
            .as_ref()
            .is_some_and(|p| p.dir() == view.path_on(Side::Base).dir());
    let gone: Vec<&Item> = base
        .destroyable()
        .filter(|i| !same_dir || head.item(&i.address).is_none())
        .filter(|i| !has_no_instances(i))
        .collect();
    if gone.is_empty() {
        return;
    }
    // Terraform's module is the base file's directory: a file moved elsewhere takes its
    // resources into another configuration, which destroys them here.
    let base_path = view.path_on(Side::Base);
    let dir = base_path.dir();
    let own_head = view.change.new_path.as_ref().map(|p| (p, head));
    let head_dir = Dir::load(view, Side::Head, dir, own_head);
    let unexplained: Vec<&Item> = gone
        .into_iter()
        .filter(|i| !head_dir.has(&i.address))
        .filter(|i| !head_dir.moves_away(&i.address))
        .filter(|i| !head_dir.removes(&i.address))
        .collect();
    if unexplained.is_empty() {
        return;
    }
    let base_dir = Dir::load(view, Side::Base, dir, Some((base_path, base)));
    // Only addresses the head introduces can be where a removed one went.
    let fresh: Vec<(&RepoPath, &Item)> = head_dir
        .items()
        .filter(|(_, new)| !base_dir.has(&new.address) && !head_dir.moves_onto(&new.address))
        .collect();
    // With the whole directory gone nobody plans there: the objects are left running and
    // unmanaged, still in the state, rather than destroyed by an apply.
    let orphaned = root_gone(view);
    let mut used = BTreeSet::new();
    for old in unexplained {
        if let Some((path, new)) = rename_candidate(old, &fresh, &used) {
            used.insert(new.address.clone());
            out.push(renamed_finding(old, path, new));
        } else {
            out.push(removed_finding(view, old, orphaned, pairing));
        }
    }
}

/// A block with `count = 0`, an empty literal `for_each` or `lifecycle { enabled = false }` has
/// no objects to destroy.
fn has_no_instances(item: &Item) -> bool {
    let zero_count = item
        .get("count")
        .and_then(|s| s.value.as_num())
        .is_some_and(|n| n <= 0.0);
    let empty_each =
        item.get("for_each").is_some() && item.for_each_keys.as_ref().is_some_and(|k| k.is_empty());
    zero_count || empty_each || enabled::is_disabled(item)
}

/// A block new to the directory that looks like `old` under another name: same resource type,
/// or a module with the same source. The closest name wins.
fn rename_candidate<'d>(
    old: &Item,
    fresh: &[(&'d RepoPath, &'d Item)],
    used: &BTreeSet<String>,
) -> Option<(&'d RepoPath, &'d Item)> {
    let old_source = old.source();
    let candidates: Vec<(&RepoPath, &Item)> = fresh
        .iter()
        .copied()
        .filter(|(_, new)| new.kind == old.kind)
        .filter(|(_, new)| match old.kind {
            ItemKind::Module => old_source.is_some() && new.source() == old_source,
            _ => new.rtype == old.rtype,
        })
        .filter(|(_, new)| !used.contains(&new.address))
        .collect();
    let names = candidates.iter().map(|(_, new)| new.address.as_str());
    closest::most_similar(&old.address, names).map(|i| candidates[i])
}

fn renamed_finding(old: &Item, path: &RepoPath, new: &Item) -> Finding {
    let location = Location::lines(path.clone(), Side::Head, new.line, new.line);
    Finding::new(
        &RENAMED_WITHOUT_MOVED,
        location,
        format!(
            "`{}` was renamed to `{}` without a `moved` block, so the next apply destroys {}{}{} and creates an empty replacement.",
            old.address,
            new.address,
            old.address,
            data_note(old),
            if guard_note(old).is_empty() {
                ""
            } else {
                " (its `prevent_destroy` guarded only the old name, so nothing stops it)"
            }
        ),
    )
    .with_severity(item_severity(old))
    .with_safer(format!(
        "Add `moved {{ from = {}  to = {} }}` to this directory so Terraform renames the object in state instead.",
        old.address, new.address
    ))
    .with_subject(&old.address)
}

/// What a block that goes away takes with it: its `prevent_destroy`, which guarded the object
/// only while the block was there.
fn guard_note(old: &Item) -> &'static str {
    match old
        .get("lifecycle.prevent_destroy")
        .map(|s| s.value.as_bool())
    {
        Some(Some(true)) => " (its `prevent_destroy` goes with the block, so nothing stops it)",
        _ => "",
    }
}

fn removed_finding(view: &FileView, old: &Item, orphaned: bool, pairing: &Pairing) -> Finding {
    if orphaned {
        return orphaned_finding(view, old);
    }
    let mut location = view.at(Side::Base, old.line, old.end_line);
    let path = view.path_on(Side::Base);
    let how = match pairing {
        Pairing::Hides(tf) => {
            location = Location::lines(tf.clone(), Side::Base, old.line, old.end_line);
            format!(
                "is declared in {tf} but not in {}, which now overrides it for OpenTofu",
                view.path_on(Side::Head)
            )
        }
        Pairing::Restores(tf) => format!(
            "was deleted along with {path} and is not declared in {tf}, which OpenTofu reads again in its place"
        ),
        Pairing::Alone if view.change.is_deleted() => format!("was deleted along with {path}"),
        Pairing::Alone => format!("was removed from {path}"),
    };
    let guard = guard_note(old);
    match old.kind {
        ItemKind::Module => {
            let source = old
                .source()
                .map(|s| format!(" (source `{s}`)"))
                .unwrap_or_default();
            Finding::new(
                &MODULE_REMOVED,
                location,
                format!(
                    "Module `{}`{source} {how}, so the next apply destroys every resource it manages.",
                    old.address
                ),
            )
            .with_safer(format!(
                "Keep the module block; to stop managing its resources without destroying them use \
                 `removed {{ from = {}  lifecycle {{ destroy = false }} }}`; if it was renamed add \
                 `moved {{ from = {}  to = module.<new name> }}`.",
                old.address, old.address
            ))
            .with_subject(&old.address)
        }
        _ => Finding::new(
            &RESOURCE_REMOVED,
            location,
            format!(
                "Resource `{}` {how}, so the next apply destroys the real {}{}{guard}.",
                old.address,
                old.rtype,
                data_note(old)
            ),
        )
        .with_severity(item_severity(old))
        .with_safer(format!(
            "Keep the block; to stop managing it without destroying it use \
             `removed {{ from = {}  lifecycle {{ destroy = false }} }}`; if it was renamed or moved \
             into a module add `moved {{ from = {}  to = <new address> }}`.",
            old.address, old.address
        ))
        .with_subject(&old.address),
    }
}

/// A block whose whole root module directory was deleted. No plan runs there any more, so
/// nothing is destroyed by the next apply; the objects keep running, unmanaged, and the state
/// (in its backend) still holds them, where a later `terraform destroy` would find them.
fn orphaned_finding(view: &FileView, old: &Item) -> Finding {
    let path = view.path_on(Side::Base);
    let dir = match path.dir() {
        "" => ".",
        d => d,
    };
    let (rule, what) = match old.kind {
        ItemKind::Module => (
            &MODULE_REMOVED,
            format!("every resource of module `{}`", old.address),
        ),
        _ => (&RESOURCE_REMOVED, format!("`{}`", old.address)),
    };
    let how = match &view.change.new_path {
        Some(new) => format!("{path} moved to {new}, and no Terraform file is left in {dir}"),
        None => format!("{path} was deleted with every other Terraform file of {dir}"),
    };
    Finding::new(
        rule,
        view.at(Side::Base, old.line, old.end_line),
        format!(
            "{how}, so that configuration is gone: {what} is left running but unmanaged, while the \
             state still holds it (if {dir} was a child module, its callers fail instead)."
        ),
    )
    .with_severity(item_severity(old).min(Severity::High))
    .with_subject(&old.address)
    .with_safer(format!(
        "Decide what should happen to the objects: to destroy them, run `terraform destroy` in {dir} \
         before deleting it, reviewing its plan; to keep them, move them to another configuration \
         (`terraform state mv`, or `import` blocks there) and then delete the state; or keep the directory."
    ))
}

fn removed_blocks(view: &FileView, base: &TfFile, head: &TfFile, out: &mut Vec<Finding>) {
    for r in head.removed.iter().filter(|r| r.destroys) {
        if base.removed.iter().any(|b| b.from == r.from && b.destroys) {
            continue;
        }
        out.push(
            Finding::new(
                &REMOVED_BLOCK_DESTROYS,
                view.at(Side::Head, r.line, r.line),
                format!(
                    "`removed {{ from = {} }}` does not set `lifecycle {{ destroy = false }}`, so the next apply destroys `{}`.",
                    r.from, r.from
                ),
            )
            .with_severity(target_severity(&r.from))
            .with_subject(&r.from)
            .with_safer(format!(
                "To drop `{}` from state and keep the real object, set `lifecycle {{ destroy = false }}` in this removed block.",
                r.from
            )),
        );
    }
}

fn prevent_destroy(view: &FileView, old: &Item, new: &Item, out: &mut Vec<Finding>) {
    const PATH: &str = "lifecycle.prevent_destroy";
    if old.kind != ItemKind::Resource {
        return;
    }
    let was = old.get(PATH).and_then(|s| s.value.as_bool());
    let now = new.get(PATH);
    if was != Some(true) || now.and_then(|s| s.value.as_bool()) == Some(true) {
        return;
    }
    let (line, what) = match now {
        Some(s) => (s.line, format!("set to `{}`", s.value.render())),
        None => (new.line, "removed".to_owned()),
    };
    let severity = if stateful::stateful(&new.rtype) {
        Severity::High
    } else {
        Severity::Medium
    };
    out.push(
        Finding::new(
            &PREVENT_DESTROY_REMOVED,
            view.at(Side::Head, line, line),
            format!(
                "`prevent_destroy` on `{}` was {what}, so a later plan can destroy or replace it{}.",
                new.address,
                data_note(new)
            ),
        )
        .with_severity(severity)
        .with_subject(&new.address),
    );
}

fn protections(view: &FileView, old: &Item, new: &Item, out: &mut Vec<Finding>) {
    if !matches!(new.kind, ItemKind::Resource | ItemKind::Provider) {
        return;
    }
    for w in guards::weakened(old, new) {
        let path = w.guard.path;
        let (line, message) = match w.after {
            Some(s) => (
                s.line,
                format!(
                    "`{path}` on `{}` changed from {} to {}, so {}.",
                    new.address,
                    w.before,
                    s.value.render(),
                    w.guard.effect
                ),
            ),
            None => (
                new.line,
                format!(
                    "`{path} = {}` was removed from `{}`, so {}.",
                    w.before, new.address, w.guard.effect
                ),
            ),
        };
        out.push(
            Finding::new(
                &PROTECTION_WEAKENED,
                view.at(Side::Head, line, line),
                message,
            )
            .with_severity(guard_severity(new))
            .with_subject(&new.address),
        );
    }
}

fn quote_keys<'k>(keys: impl Iterator<Item = &'k String>) -> String {
    let keys: Vec<String> = keys.map(|k| format!("[\"{k}\"]")).collect();
    limit_list(keys)
}

fn limit_list(items: Vec<String>) -> String {
    const MAX: usize = 10;
    if items.len() > MAX {
        format!("{} and {} more", items[..MAX].join(", "), items.len() - MAX)
    } else {
        items.join(", ")
    }
}

fn instances(view: &FileView, head: &Arc<TfFile>, old: &Item, new: &Item, out: &mut Vec<Finding>) {
    if !matches!(new.kind, ItemKind::Resource | ItemKind::Module) {
        return;
    }
    let severity = item_severity(new);
    let emit = |out: &mut Vec<Finding>, line: u32, message: String| {
        out.push(
            Finding::new(&COUNT_EMPTIED, view.at(Side::Head, line, line), message)
                .with_severity(severity)
                .with_subject(&new.address),
        );
    };
    let (old_count, new_count) = (old.get("count"), new.get("count"));
    let (old_each, new_each) = (old.get("for_each"), new.get("for_each"));

    if let Some(nc) = new_count {
        if let Some(n) = nc.value.as_num() {
            match old_count.map(|s| (s.value.as_num(), s)) {
                Some((Some(m), _)) if n < m => {
                    // Counts are small integers; the bound keeps a silly literal cheap.
                    let lost: Vec<String> = (n.max(0.0) as u64..m.min(10_000.0) as u64)
                        .map(|i| format!("[{i}]"))
                        .collect();
                    emit(
                        out,
                        nc.line,
                        format!(
                            "`count` of `{}` went from {m} to {n}, so instances {} are destroyed{}.",
                            new.address,
                            limit_list(lost),
                            data_note_plural(new)
                        ),
                    );
                }
                Some((None, s)) if n <= 0.0 => emit(
                    out,
                    nc.line,
                    format!(
                        "`count` of `{}` changed from `{}` to 0, so every instance is destroyed{}.",
                        new.address,
                        s.value.render(),
                        data_note(new)
                    ),
                ),
                None if n <= 0.0 && old_each.is_none() => emit(
                    out,
                    nc.line,
                    format!(
                        "`count = 0` was added to `{}`, so its existing object is destroyed{}.",
                        new.address,
                        data_note(new)
                    ),
                ),
                _ => {}
            }
        }
    }

    // Dropping `count` keeps `[0]` (Terraform moves it to the bare address) and destroys the rest.
    if new_count.is_none() && new_each.is_none() {
        if let Some(m) = old_count
            .and_then(|s| s.value.as_num())
            .filter(|m| *m > 1.0)
        {
            let lost: Vec<String> = (1..m.min(10_000.0) as u64)
                .map(|i| format!("[{i}]"))
                .collect();
            emit(
                out,
                new.line,
                format!(
                    "`count = {m}` was removed from `{}`, so instances {} are destroyed{}.",
                    new.address,
                    limit_list(lost),
                    data_note_plural(new)
                ),
            );
        }
    }

    match (old_each, new_each) {
        (Some(oe), Some(ne)) => match (&old.for_each_keys, &new.for_each_keys) {
            (Some(ok), Some(nk)) => {
                let lost: Vec<&String> = ok.difference(nk).collect();
                if !lost.is_empty() {
                    emit(
                        out,
                        ne.line,
                        format!(
                            "`for_each` of `{}` no longer has {}, so {} destroyed{}.",
                            new.address,
                            quote_keys(lost.iter().copied()),
                            if lost.len() == 1 { "that instance is" } else { "those instances are" },
                            if lost.len() == 1 { data_note(new) } else { data_note_plural(new) }
                        ),
                    );
                }
            }
            (None, Some(nk)) if nk.is_empty() => emit(
                out,
                ne.line,
                format!(
                    "`for_each` of `{}` changed from `{}` to an empty collection, so every instance is destroyed{}.",
                    new.address,
                    oe.value.render(),
                    data_note(new)
                ),
            ),
            _ => {}
        },
        // Gaining `for_each` turns `x` (or `x[0]`) into `x["key"]`; Terraform moves nothing
        // by itself here, so without a `moved` block the old object is destroyed.
        (None, Some(ne)) if !rekey_is_moved(view, head, &new.address) => {
            out.push(rekey_finding(view, new, ne.line, "gained `for_each`"));
        }
        (Some(_), None) if !rekey_is_moved(view, head, &new.address) => {
            out.push(rekey_finding(view, new, new.line, "lost its `for_each`"));
        }
        _ => {}
    }
}

/// Whether the head directory has a `moved` block re-keying `address` onto itself.
fn rekey_is_moved(view: &FileView, head: &Arc<TfFile>, address: &str) -> bool {
    let own = view.change.new_path.as_ref().map(|p| (p, head));
    let dir = view.path_on(Side::Head).dir();
    Dir::load(view, Side::Head, dir, own)
        .moved()
        .any(|m| m.from == address && m.to == address)
}

fn rekey_finding(view: &FileView, item: &Item, line: u32, what: &str) -> Finding {
    Finding::new(
        &RENAMED_WITHOUT_MOVED,
        view.at(Side::Head, line, line),
        format!(
            "`{}` {what} without a `moved` block, so its instance addresses change and the next apply destroys the existing objects{} and creates new ones.",
            item.address,
            data_note(item)
        ),
    )
    .with_severity(item_severity(item))
    .with_subject(&item.address)
    .with_safer(format!(
        "Add `moved {{ from = {a}[<old key>]  to = {a}[<new key>] }}` for each existing instance.",
        a = item.address
    ))
}

#[cfg(test)]
mod tests;
#[cfg(test)]
mod tests_aws;
#[cfg(test)]
mod tests_gcp_azure;
#[cfg(test)]
mod tests_newer;
#[cfg(test)]
mod tests_peers;
#[cfg(test)]
mod tests_providers;
