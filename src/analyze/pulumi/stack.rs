//! stack: a stack's settings file (`Pulumi.<stack>.yaml`). Its `config:` map configures the
//! default providers every resource of the stack uses, so a changed region, project, location
//! or subscription moves the whole stack. Pure: compares two parsed documents.
//!
//! Only an existing setting that changes or disappears is reported. A value set where there
//! was none is quiet: it is how a new stack is set up, and the place used before (the
//! environment's) is unknown. Encrypted values (`secure:`) cannot be compared and are quiet.

use super::STACK_REGION_CHANGED;
use crate::analyze::FileView;
use crate::change::Side;
use crate::finding::Finding;
use crate::yaml::Node;

/// Config keys that say where a default provider creates resources.
pub(super) const PLACE_KEYS: &[&str] = &[
    "aws:region",
    "aws-native:region",
    "gcp:project",
    "gcp:region",
    "gcp:zone",
    "azure-native:location",
    "azure-native:subscriptionId",
    "azure:location",
    "azure:subscriptionId",
];

/// The stack a settings file belongs to: `Pulumi.prod.yaml` → `prod`.
pub(super) fn stack_name(file_name: &str) -> Option<&str> {
    let prefix = file_name.get(..7)?;
    if !prefix.eq_ignore_ascii_case("pulumi.") {
        return None;
    }
    let (stem, ext) = file_name[7..].rsplit_once('.')?;
    let yaml = ext.eq_ignore_ascii_case("yaml") || ext.eq_ignore_ascii_case("yml");
    (yaml && !stem.is_empty()).then_some(stem)
}

/// A setting's plain value; `None` for an encrypted or structured one.
fn plain(node: &Node) -> Option<&str> {
    node.as_str()
}

fn setting<'a>(doc: Option<&'a Node>, key: &str) -> Option<&'a Node> {
    doc?.path(&["config", key])
}

pub(super) fn analyze(
    view: &FileView,
    stack: &str,
    base: Option<&Node>,
    head: Option<&Node>,
) -> Vec<Finding> {
    // A settings file added or deleted does not move anything by itself.
    if base.is_none() || head.is_none() {
        return Vec::new();
    }
    PLACE_KEYS
        .iter()
        .filter_map(|key| moved(view, stack, key, setting(base, key)?, setting(head, key)))
        .collect()
}

fn moved(
    view: &FileView,
    stack: &str,
    key: &str,
    old: &Node,
    new: Option<&Node>,
) -> Option<Finding> {
    let before = plain(old)?;
    let provider = key.split(':').next().unwrap_or(key);
    let (location, what) = match new {
        Some(new) => {
            let after = plain(new)?;
            if after == before {
                return None;
            }
            (
                view.at(Side::Head, new.line, new.line),
                format!(
                    "`{key}` of stack `{stack}` changed from `{before}` to `{after}`: the next `pulumi up` \
                     on `{stack}` replaces every resource of the default `{provider}` provider, creating \
                     them in `{after}` and deleting the ones in `{before}` with their data."
                ),
            )
        }
        None => (
            view.at(Side::Base, old.line, old.line),
            format!(
                "`{key}: {before}` is removed from stack `{stack}`: the default `{provider}` provider \
                 falls back to whatever the environment running `pulumi up` says, and if that is not \
                 `{before}` every resource of the provider is created there and the ones in `{before}` \
                 are deleted with their data."
            ),
        ),
    };
    Some(
        Finding::new(&STACK_REGION_CHANGED, location, what).with_safer(format!(
            "Keep `{key}: {before}` on stack `{stack}`. To run in another place, create a new stack for it \
             (`pulumi stack init`), migrate the data, then destroy `{stack}` deliberately."
        )),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analyze::files::testkit::{ids, Case};
    use crate::finding::Severity;

    const PROD: &str = "\
config:
  aws:region: us-east-1
  shop:dbPassword:
    secure: AAABAKc1bm9wZQ==
  shop:replicas: \"2\"
";

    fn run(base: &str, head: &str) -> Vec<Finding> {
        Case::modified("infra/Pulumi.prod.yaml", base, head).run(super::super::analyze)
    }

    #[test]
    fn a_changed_region_moves_the_stack_at_the_changed_line() {
        let f = run(PROD, &PROD.replace("us-east-1", "eu-west-1"));
        assert_eq!(ids(&f), ["pulumi/stack-region-changed"]);
        assert_eq!(f[0].severity, Severity::High);
        assert_eq!(f[0].location.side, Side::Head);
        assert_eq!(f[0].location.line, Some(2));
        for part in ["stack `prod`", "`us-east-1`", "`eu-west-1`", "`aws`"] {
            assert!(f[0].message.contains(part), "{part}: {}", f[0].message);
        }
        let safer = f[0].safer.clone().unwrap_or_default();
        assert!(safer.contains("new stack"), "{safer}");
    }

    #[test]
    fn a_changed_project_or_location_moves_the_stack_too() {
        let gcp = "config:\n  gcp:project: shop-prod\n  gcp:region: europe-west1\n";
        let f = run(gcp, &gcp.replace("shop-prod", "shop-prod-2"));
        assert_eq!(ids(&f), ["pulumi/stack-region-changed"]);
        assert!(f[0].message.contains("`gcp:project`"), "{}", f[0].message);
        let azure = "config:\n  azure-native:location: westeurope\n";
        let f = run(azure, &azure.replace("westeurope", "northeurope"));
        assert_eq!(ids(&f), ["pulumi/stack-region-changed"]);
    }

    #[test]
    fn a_removed_region_may_move_the_stack_and_is_reported_at_the_base_line() {
        let f = run(PROD, &PROD.replace("  aws:region: us-east-1\n", ""));
        assert_eq!(ids(&f), ["pulumi/stack-region-changed"]);
        assert_eq!(f[0].location.side, Side::Base);
        assert_eq!(f[0].location.line, Some(2));
    }

    #[test]
    fn a_first_region_comments_secrets_and_other_keys_are_quiet() {
        let without = PROD.replace("  aws:region: us-east-1\n", "");
        assert!(run(&without, PROD).is_empty(), "first setting");
        let commented = PROD.replace("us-east-1", "us-east-1 # primary");
        assert!(run(PROD, &commented).is_empty(), "comment");
        let other = PROD
            .replace("AAABAKc1bm9wZQ==", "AAABAOtoZXI=")
            .replace("\"2\"", "\"3\"");
        assert!(run(PROD, &other).is_empty(), "other keys");
        let secure = "config:\n  aws:region:\n    secure: AAAB1==\n";
        assert!(run(secure, &secure.replace("AAAB1", "AAAB2")).is_empty());
        assert!(run(PROD, PROD).is_empty());
    }

    #[test]
    fn added_and_deleted_settings_files_are_quiet() {
        let added = Case::added("Pulumi.prod.yaml", PROD).run(super::super::analyze);
        assert!(added.is_empty());
        let deleted = Case::deleted("Pulumi.prod.yaml", PROD).run(super::super::analyze);
        assert!(deleted.is_empty());
    }

    #[test]
    fn a_settings_file_that_does_not_parse_needs_a_human() {
        let f = run(PROD, "config: [unclosed");
        assert_eq!(ids(&f), ["pulumi/unparseable"]);
    }

    #[test]
    fn stack_names_come_from_the_file_name() {
        assert_eq!(stack_name("Pulumi.prod.yaml"), Some("prod"));
        assert_eq!(stack_name("pulumi.dev.eu.yml"), Some("dev.eu"));
        assert_eq!(stack_name("Pulumi.yaml"), None);
        assert_eq!(stack_name("Pulumi..yaml"), None);
        assert_eq!(stack_name("Pulumi.prod.json"), None);
    }

    proptest::proptest! {
        #[test]
        fn stack_name_never_panics_and_round_trips(
            any in "\\PC{0,20}",
            stack in "[A-Za-z0-9_.-]{1,20}",
            ext in "(yaml|yml|YAML)",
        ) {
            let _ = stack_name(&any);
            let file = format!("Pulumi.{stack}.{ext}");
            proptest::prop_assert_eq!(stack_name(&file), Some(stack.as_str()));
        }
    }
}
