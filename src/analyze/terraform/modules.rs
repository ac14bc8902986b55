//! modules: what an edit to a `module` call does to the resources the module manages. A
//! call declares no resources itself, so its destructive edits are the values it hands in
//! (a protection turned off, the module's `create` or `enabled` switch turned off), judged by name as
//! [`guards::input_weakened`] does for Terragrunt inputs and `.tfvars` too, and its `source`
//! pointed at a different module, whose resources have other addresses. What the module then
//! does with a value is only visible in its own code or in a plan, so messages say "if".
//! Pure: compares two parsed blocks (and the head directory's `moved` blocks).

use super::guards::{self, InputChange, InputRole};
use super::model::{self, Item, ItemKind, Lit, TfFile};
use super::switches::{self, Changed, Root};
use super::{
    replacement, Dir, FileView, CREATE_SWITCH_OFF, MODULE_SOURCE_CHANGED, PROTECTION_WEAKENED,
    REPLACEMENT_ATTRIBUTE,
};
use crate::change::{RepoPath, Side};
use crate::finding::{Finding, Severity};
use hcl_edit::expr::Expression;
use std::collections::BTreeSet;
use std::sync::Arc;

/// Meta-arguments of a module call: Terraform's own, not values handed to the module.
pub(super) const META: &[&str] = &[
    "source",
    "version",
    "count",
    "for_each",
    "providers",
    "depends_on",
];

/// The Cloud Posse convention's switch: modules built on its `context.tf` create nothing when
/// `enabled = false`. Only a module call's own argument counts: elsewhere (a `.tfvars` file, a
/// variable default, a nested object key) `enabled` is too common a name to mean that.
const ENABLED: &str = "enabled";

/// The role of a module call's argument, by its name: [`InputRole::of`], and the Cloud Posse
/// `enabled` switch, which only a module call's own argument means.
pub(super) fn argument_role(path: &str) -> Option<InputRole> {
    match path {
        ENABLED => Some(InputRole::CreateSwitch),
        _ => InputRole::of(path),
    }
}

/// How a module is assumed to use a switch argument, completing "… if …", where twokey cannot
/// see it: a module kept elsewhere, or one that hands the argument on.
pub(super) fn switch_convention(path: &str) -> &'static str {
    match path {
        ENABLED => {
            "the module follows the Cloud Posse convention (`enabled = false` creates nothing)"
        }
        _ => "the module uses it as its switch for what it creates (as terraform-aws-modules do)",
    }
}

/// One value handed to a module, judged by the name it goes by.
struct Input {
    /// As a message shows it: `force_destroy`, or `force_destroy["logs"]` for one key of a map.
    shown: String,
    /// The name its role is known by.
    path: String,
    role: InputRole,
    before: Option<Lit>,
    after: Lit,
    line: u32,
}

/// The values of a module call that a protection or switch name covers: each argument, and
/// each key of an argument that is a map of them (terraform-google-modules' cloud-storage
/// takes `force_destroy = { logs = true }`, one flag per bucket it creates).
fn inputs(old: &Item, new: &Item) -> Vec<Input> {
    let mut out = Vec::new();
    for (path, after) in &new.settings {
        if META.contains(&path.split('.').next().unwrap_or(path)) {
            continue;
        }
        let Some(role) = argument_role(path) else {
            continue;
        };
        let before = old.get(path).map(|s| &s.value);
        let keyed_after = map_entries(&after.value);
        if keyed_after.is_empty() {
            out.push(Input {
                shown: path.clone(),
                path: path.clone(),
                role,
                before: before.cloned(),
                after: after.value.clone(),
                line: after.line,
            });
            continue;
        }
        let keyed_before = before.map(map_entries).unwrap_or_default();
        for (key, value) in keyed_after {
            out.push(Input {
                shown: format!("{path}[\"{key}\"]"),
                path: path.clone(),
                role,
                before: keyed_before
                    .iter()
                    .find(|(k, _)| *k == key)
                    .map(|(_, v)| v.clone()),
                after: value,
                line: after.line,
            });
        }
    }
    out
}

/// The entries of a map literal whose values are all literal (`{ logs = true }`); empty for
/// anything else.
fn map_entries(value: &Lit) -> Vec<(String, Lit)> {
    let Lit::Data(text) = value else {
        return Vec::new();
    };
    let Ok(Expression::Object(object)) = hcl_edit::parser::parse_expr(text) else {
        return Vec::new();
    };
    let entries: Option<Vec<(String, Lit)>> = object
        .iter()
        .map(|(k, v)| {
            let value = model::lit(v.expr());
            matches!(value, Lit::Bool(_) | Lit::Num(_) | Lit::Str(_))
                .then_some(())
                .and(model::object_key_name(k).map(|key| (key, value)))
        })
        .collect();
    entries.unwrap_or_default()
}

/// Module arguments that turn off a protection or the module's `create` or `enabled` switch.
pub fn arguments(view: &FileView, old: &Item, new: &Item, out: &mut Vec<Finding>) {
    if new.kind != ItemKind::Module || old.kind != ItemKind::Module {
        return;
    }
    let followed = followed_arguments(view, old, new, out);
    for input in inputs(old, new) {
        if followed.contains(&input.path) {
            continue;
        }
        let Some(change) = guards::input_weakened(input.role, input.before.as_ref(), &input.after)
        else {
            continue;
        };
        let how = match &change {
            InputChange::Turned(was) => {
                format!("changed from {was} to {}", input.after.render())
            }
            InputChange::Added => format!(
                "was set to {} (if the module's default was protective)",
                input.after.render()
            ),
        };
        let (rule, passes) = match input.role {
            InputRole::Guard(_) => (
                &PROTECTION_WEAKENED,
                "the module passes it to the resource of the same name",
            ),
            InputRole::CreateSwitch => (&CREATE_SWITCH_OFF, switch_convention(&input.path)),
        };
        out.push(
            Finding::new(
                rule,
                view.at(Side::Head, input.line, input.line),
                format!(
                    "Argument `{}` of `{}` {how}; if {passes}, {}.",
                    input.shown,
                    new.address,
                    input.role.effect()
                ),
            )
            .with_severity(argument_severity(&input.path, input.role, &change))
            .with_subject(&new.address),
        );
    }
}

/// The directory of the module `item` calls, when it is a module call whose source is a
/// directory of this repository (`./modules/db`, `../shared/net`) that twokey can read.
pub(super) fn local_dir(dir: &str, item: &Item) -> Option<RepoPath> {
    if item.kind != ItemKind::Module {
        return None;
    }
    let source = item.source()?;
    (source.starts_with("./") || source.starts_with("../")).then(|| RepoPath::joined(dir, &source))
}

/// Arguments of a call to a module kept in this repository (`source = "./modules/db"`),
/// followed into the module's own `count` and `for_each`: `replica = false` where the module
/// says `count = var.replica ? 1 : 0` destroys the replica, whatever the argument is named.
/// Returns the arguments judged this way, which the name-based check then leaves alone.
fn followed_arguments(
    view: &FileView,
    old: &Item,
    new: &Item,
    out: &mut Vec<Finding>,
) -> BTreeSet<String> {
    let mut judged = BTreeSet::new();
    // A call that also moves to another source is judged by `source_changed`.
    let Some(dir) =
        local_dir(view.path_on(Side::Head).dir(), new).filter(|_| old.source() == new.source())
    else {
        return judged;
    };
    let scope = format!("as `{dir}` uses it");
    for (arg, after) in &new.settings {
        if META.contains(&arg.as_str()) || arg.contains('.') {
            continue;
        }
        let Some(before) = old.get(arg) else {
            continue;
        };
        if before.value.same(&after.value) || !before.value.is_known() || !after.value.is_known() {
            continue;
        }
        let changed = Changed {
            root: Root::Var,
            path: arg,
            before: &before.value,
            after: &after.value,
            side: Side::Head,
            line: after.line,
            what: format!(
                "Argument `{arg}` of `{}` changed from {} to {}",
                new.address,
                before.value.render(),
                after.value.render()
            ),
            scope: &scope,
            within: Some(&new.address),
            from: None,
        };
        let found = switches::findings(view, dir.as_str(), &changed);
        if !found.is_empty() {
            judged.insert(arg.clone());
            out.extend(found);
        }
    }
    judged
}

/// [`guards::input_severity`], with `enabled` graded as the whole module's switch. Unlike
/// `create_*`, whose defaults vary, `enabled` defaults to true wherever the convention is
/// followed, so setting it to false where it was not set is high rather than medium.
pub(super) fn argument_severity(path: &str, role: InputRole, change: &InputChange) -> Severity {
    match (path, change) {
        (ENABLED, InputChange::Added) => Severity::High,
        (ENABLED, InputChange::Turned(_)) => Severity::Critical,
        _ => guards::input_severity(path, role, change),
    }
}

/// Where a module comes from, without what only picks its version: two sources with the same
/// package are the same module at another version.
#[derive(Debug, PartialEq, Eq)]
pub(super) enum Package {
    /// `./modules/db`: a directory of this repository.
    Local(String),
    /// A registry address or a remote repository, with the subdirectory (`//modules/x`) kept
    /// since it is another module of the same repository.
    Remote(String),
}

/// The package of a module source. Registry hosts that are Terraform's and OpenTofu's
/// defaults are dropped, and so are a getter prefix (`git::`), the URL scheme, a `.git`
/// suffix and the query (`?ref=v1.2.0`, `?version=`, `?depth=1`), so a version or ref bump
/// of one module keeps its package. An archive whose file name holds the version
/// (`vpc-v1.2.0.zip`) is not recognised as the same module.
pub(super) fn package(source: &str) -> Package {
    let source = source.trim();
    if source.starts_with("./") || source.starts_with("../") {
        return Package::Local(source.trim_end_matches('/').to_owned());
    }
    let mut s = source.to_ascii_lowercase();
    if let Some((getter, rest)) = s.split_once("::") {
        if !getter.contains('/') {
            s = rest.to_owned();
        }
    }
    if let Some((_, rest)) = s.split_once("://") {
        s = rest.to_owned();
    }
    if let Some(rest) = s.strip_prefix("git@") {
        // scp-like `git@github.com:org/repo.git`: the host ends at the first colon.
        s = rest.replacen(':', "/", 1);
    }
    if let Some((before_query, _)) = s.split_once('?') {
        s = before_query.to_owned();
    }
    let (repo, subdir) = match s.split_once("//") {
        Some((repo, subdir)) => (repo.to_owned(), subdir.trim_matches('/').to_owned()),
        None => (s.clone(), String::new()),
    };
    let mut repo = repo.trim_matches('/').trim_end_matches(".git").to_owned();
    for host in ["registry.terraform.io/", "registry.opentofu.org/"] {
        if let Some(rest) = repo.strip_prefix(host) {
            repo = rest.to_owned();
        }
    }
    Package::Remote(format!("{repo}//{subdir}"))
}

/// Whether `now` names a different module than `was`, and how sure that is: `None` for the
/// same package (a version or ref bump); medium when a local path is involved, since a
/// module moved in the repository or published from it is often the same code; high
/// otherwise. Shared with Terragrunt's `terraform { source }`.
pub(super) fn different_module(was: &str, now: &str) -> Option<Severity> {
    match (package(was), package(now)) {
        (before, after) if before == after => None,
        (Package::Local(_), _) | (_, Package::Local(_)) => Some(Severity::Medium),
        _ => Some(Severity::High),
    }
}

/// Registry modules that pass their arguments of the same name straight to one primary
/// resource, whose replacement-forcing attributes then apply to the module call. Only
/// modules known to do so; others may rename, transform or ignore an argument.
const PRIMARY: &[(&str, &str)] = &[
    ("terraform-aws-modules/rds/aws", "aws_db_instance"),
    ("terraform-aws-modules/rds-aurora/aws", "aws_rds_cluster"),
    ("terraform-aws-modules/s3-bucket/aws", "aws_s3_bucket"),
    (
        "terraform-aws-modules/dynamodb-table/aws",
        "aws_dynamodb_table",
    ),
];

fn primary_type(source: &str) -> Option<&'static str> {
    let Package::Remote(package) = package(source) else {
        return None;
    };
    PRIMARY
        .iter()
        .find(|(module, _)| package.strip_suffix("//") == Some(*module))
        .map(|(_, rtype)| *rtype)
}

/// An argument of a well-known module ([`PRIMARY`]) that forces its primary resource to be
/// replaced, such as `engine` of `terraform-aws-modules/rds/aws`. Only literal values on
/// both sides count, and only while the module stays the same (a swapped source is
/// [`source_changed`]'s).
pub fn replacement_arguments(view: &FileView, old: &Item, new: &Item, out: &mut Vec<Finding>) {
    if new.kind != ItemKind::Module || old.kind != ItemKind::Module {
        return;
    }
    let (Some(was), Some(now)) = (old.source(), new.source()) else {
        return;
    };
    let Some(rtype) = primary_type(&now) else {
        return;
    };
    if primary_type(&was) != Some(rtype) {
        return;
    }
    for attr in replacement::forces_new(rtype) {
        let (Some(before), Some(after)) = (old.get(attr), new.get(attr)) else {
            continue;
        };
        if !before.value.is_known() || !after.value.is_known() || before.value.same(&after.value) {
            continue;
        }
        out.push(
            Finding::new(
                &REPLACEMENT_ATTRIBUTE,
                view.at(Side::Head, after.line, after.line),
                format!(
                    "Argument `{attr}` of `{}` changed from {} to {}; `{now}` passes it to its {rtype}, \
                     where it forces a replacement: the existing {rtype} and the data it holds are \
                     destroyed and an empty one created.",
                    new.address,
                    before.value.render(),
                    after.value.render()
                ),
            )
            .with_severity(replacement::destroy_grade(rtype))
            .with_subject(&new.address)
            .with_safer(format!(
                "Keep `{attr}` as it was; to change it, create a second module call beside this one, \
                 migrate the data, then remove the old call."
            )),
        );
    }
}

/// A module call whose `source` now names a different module. Terraform addresses the
/// module's resources by the names inside it, so a different module's resources are new
/// objects: the old ones are destroyed unless `moved` blocks (`from = module.x.<old>`) map
/// them. A version or ref bump of the same module is left to its changelog.
pub fn source_changed(
    view: &FileView,
    head: &Arc<TfFile>,
    old: &Item,
    new: &Item,
    out: &mut Vec<Finding>,
) {
    if new.kind != ItemKind::Module || old.kind != ItemKind::Module {
        return;
    }
    let (Some(was), Some(now)) = (old.source(), new.source()) else {
        return;
    };
    let Some(severity) = different_module(&was, &now) else {
        return;
    };
    // Moves inside the module name its resources by the call's old address (a renamed call's
    // predecessor) or its own.
    let prefixes = [format!("{}.", old.address), format!("{}.", new.address)];
    let own = view.change.new_path.as_ref().map(|p| (p, head));
    let dir = view.path_on(Side::Head).dir();
    if Dir::load(view, Side::Head, dir, own)
        .moved()
        .any(|m| prefixes.iter().any(|p| m.from.starts_with(p.as_str())))
    {
        return;
    }
    let renamed = if old.address == new.address {
        String::new()
    } else {
        format!(" (moved from `{}`)", old.address)
    };
    let line = new.get("source").map_or(new.line, |s| s.line);
    let will = if severity == Severity::High {
        "unless it declares the same resource addresses as the old one"
    } else {
        "if it declares other resource addresses than the old one"
    };
    out.push(
        Finding::new(
            &MODULE_SOURCE_CHANGED,
            view.at(Side::Head, line, line),
            format!(
                "The source of `{}`{renamed} changed from `{was}` to `{now}`, a different module: {will}, the next apply destroys every resource the old \
                 module created (and the data they hold) and creates the new module's anew.",
                new.address
            ),
        )
        .with_severity(severity)
        .with_subject(&new.address)
        .with_safer(format!(
            "Check `terraform plan`: for each old resource that survives under a new address add \
             `moved {{ from = {a}.<old address>  to = {a}.<new address> }}`; or keep the old module \
             and add the new one beside it, migrating the data before removing the old.",
            a = new.address
        )),
    );
}

/// Module calls renamed with a `moved { from = module.<old>  to = module.<new> }` block, judged
/// as [`source_changed`] judges one that kept its name: the block moves the call's state to the
/// new name, but a different module behind it still declares other addresses. Only calls this
/// file drops and adds are paired, so the directory's `moved` blocks are read only when the
/// file both loses and gains a module call.
pub fn renamed_source_changed(
    view: &FileView,
    base: &TfFile,
    head: &Arc<TfFile>,
    out: &mut Vec<Finding>,
) {
    let is_module = |i: &&Item| i.kind == ItemKind::Module;
    let gone: Vec<&Item> = base
        .items
        .iter()
        .filter(is_module)
        .filter(|i| head.item(&i.address).is_none())
        .collect();
    if gone.is_empty()
        || !head
            .items
            .iter()
            .filter(is_module)
            .any(|i| base.item(&i.address).is_none())
    {
        return;
    }
    let own = view.change.new_path.as_ref().map(|p| (p, head));
    let dir = view.path_on(Side::Head).dir();
    let moves: Vec<(String, String)> = Dir::load(view, Side::Head, dir, own)
        .moved()
        .map(|m| (m.from.clone(), m.to.clone()))
        .collect();
    for old in gone {
        let Some((_, to)) = moves.iter().find(|(from, _)| *from == old.address) else {
            continue;
        };
        let Some(new) = head.item(to).filter(|n| n.kind == ItemKind::Module) else {
            continue;
        };
        if base.item(&new.address).is_some() {
            continue;
        }
        source_changed(view, head, old, new, out);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn version_and_ref_bumps_keep_the_package() {
        let same = |a: &str, b: &str| assert_eq!(package(a), package(b), "{a} vs {b}");
        same(
            "terraform-aws-modules/rds/aws",
            "registry.terraform.io/terraform-aws-modules/rds/aws",
        );
        same(
            "git::https://github.com/acme/tf-modules.git//db?ref=v1.2.0",
            "git::https://github.com/acme/tf-modules.git//db?ref=v2.0.0",
        );
        same(
            "github.com/acme/tf-modules//db?ref=v1",
            "git::git@github.com:acme/tf-modules.git//db?ref=v2",
        );
        same("./modules/db/", "./modules/db");
    }

    #[test]
    fn only_known_registry_modules_have_a_primary_resource() {
        assert_eq!(
            primary_type("terraform-aws-modules/rds/aws"),
            Some("aws_db_instance")
        );
        assert_eq!(
            primary_type("registry.terraform.io/terraform-aws-modules/s3-bucket/aws"),
            Some("aws_s3_bucket")
        );
        assert_eq!(
            primary_type("terraform-aws-modules/rds/aws//modules/db_instance"),
            None
        );
        assert_eq!(primary_type("./modules/rds"), None);
        assert_eq!(primary_type("cloudposse/rds/aws"), None);
    }

    #[test]
    fn another_module_or_subdirectory_is_another_package() {
        let differ = |a: &str, b: &str| assert_ne!(package(a), package(b), "{a} vs {b}");
        differ(
            "terraform-aws-modules/rds/aws",
            "terraform-aws-modules/rds-aurora/aws",
        );
        differ(
            "git::https://github.com/acme/tf-modules.git//db?ref=v1",
            "git::https://github.com/acme/tf-modules.git//cache?ref=v1",
        );
        differ("./modules/db", "./modules/database");
        assert!(matches!(package("../db"), Package::Local(_)));
    }
}
