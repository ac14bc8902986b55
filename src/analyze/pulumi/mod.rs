//! pulumi: Pulumi YAML programs (`Pulumi.yaml` with a `resources:` section). Resources are
//! compared by logical name between base and head: a resource that disappears is deleted by
//! the next `pulumi up`, one renamed without `aliases` is deleted and created again, and
//! `protect` / `retainOnDelete` turned off remove what kept a delete from happening, as do the
//! provider-side protections [`guards`] knows (deletion protection, final snapshots). A
//! property that forces a replacement is reported by [`replacement`]. Stack settings files
//! (`Pulumi.<stack>.yaml`) hold configuration, not resources: [`stack`] reads only the
//! settings that say where the stack's resources live.
//!
//! Programs written in TypeScript, Python, Go, C# or Java are read by
//! [`iac_program`](crate::analyze::iac_program), which reports with the same rule ids.

mod guards;
pub(crate) mod replacement;
mod stack;

use super::{read_sides, FileView, Unparseable};
use crate::change::Side;
use crate::finding::{Finding, RuleId, Severity, Tag};
use crate::rules::Rule;
use crate::yaml::{self, Node};

const DESTRUCTIVE: &[Tag] = &[Tag::Destructive, Tag::Infra];

pub const RESOURCE_REMOVED: Rule = Rule {
    id: RuleId("pulumi/resource-removed"),
    severity: Severity::High,
    tags: DESTRUCTIVE,
    summary: "A resource is removed from a Pulumi program (YAML or code), or changes type under its name, so the next `pulumi up` deletes it.",
    why: "Pulumi deletes every resource in the stack's state that the program no longer declares. \
          Critical for types that hold data (databases, buckets, disks, keys, zones, queues); low \
          when the resource had `retainOnDelete: true`, which leaves the cloud resource running.",
    example: "resources:\n-  orders-db:\n-    type: aws:rds:Instance",
    safer: "Set `options: {retainOnDelete: true}` in one change, then remove the resource in the next; \
            or `pulumi state delete` it deliberately.",
};

pub const RENAMED: Rule = Rule {
    id: RuleId("pulumi/renamed"),
    severity: Severity::High,
    tags: DESTRUCTIVE,
    summary: "A Pulumi resource's logical name changes without `aliases`: delete and create.",
    why: "Pulumi identifies resources by their URN, which contains the logical name and the types \
          of its parents. A new name, or a parent gained, lost or of another type, without an alias \
          to the old URN is a new resource: the old one is deleted.",
    example: "resources:\n-  logs:\n+  audit-logs:\n     type: aws:s3:Bucket",
    safer: "Keep the name, or add `options: {aliases: [\"<old URN>\"]}` so Pulumi renames the resource in state.",
};

pub const PROTECTION_REMOVED: Rule = Rule {
    id: RuleId("pulumi/protection-removed"),
    severity: Severity::High,
    tags: DESTRUCTIVE,
    summary: "`protect` or `retainOnDelete` is turned off on a Pulumi resource.",
    why: "`protect: true` makes any operation that would delete the resource fail; `retainOnDelete: true` \
          keeps the cloud resource when Pulumi deletes it. Turning them off is usually the first step of a delete.",
    example: "    options:\n-     protect: true",
    safer: "Keep the option on, and lift it only in a change reviewed together with the preview that needs it.",
};

pub const PROTECTION_WEAKENED: Rule = Rule {
    id: RuleId("pulumi/protection-weakened"),
    severity: Severity::High,
    tags: DESTRUCTIVE,
    summary: "A provider-side protection was turned off on a Pulumi resource (deletion protection, final snapshot, force destroy…).",
    why: "Properties such as `deletionProtection`, `skipFinalSnapshot`, `forceDestroy`, `backupRetentionPeriod` \
          and point-in-time recovery are what stand between a mistaken delete and lost data. High for types \
          that hold data, medium otherwise.",
    example: "before: deletionProtection: true\nafter:  deletionProtection: false",
    safer: "Keep the protection on; if a delete is really intended, do it in its own reviewed change.",
};

pub const REPLACEMENT_PROPERTY: Rule = Rule {
    id: RuleId("pulumi/replacement-property"),
    severity: Severity::High,
    tags: DESTRUCTIVE,
    summary: "A property that cannot be updated in place changed on a Pulumi resource (YAML or code), so the next `pulumi up` replaces it.",
    why: "Pulumi's AWS and Google Cloud providers are bridged from Terraform's, and the attributes Terraform \
          marks as forcing a new resource force a replacement in Pulumi too: a bucket's name, a database's \
          engine, a table's hash key. Pulumi creates the replacement and deletes the existing resource; the \
          new one starts empty. twokey translates the type token and property names (`aws:dynamodb:Table`'s \
          `hashKey` is `aws_dynamodb_table`'s `hash_key`) and applies the table behind \
          `terraform/replacement-attribute`. In code (TypeScript, Python, Go, C#) only a change between two \
          literal values of a top-level argument is reported (`hashKey: \"id\"` to `hashKey: \"pk\"`). Critical for \
          types that hold data, high otherwise. Values Pulumi computes (`${…}`, `fn::…`, variables) and \
          properties listed in `ignoreChanges` are left alone.",
    example: "  orders:\n    type: aws:dynamodb:Table\n    properties:\n-     hashKey: id\n+     hashKey: orderId",
    safer: "Keep the property as it was; to change it, declare a new resource beside the old one, migrate the data, \
            then remove the old one in its own reviewed change.",
};

pub const STACK_REGION_CHANGED: Rule = Rule {
    id: RuleId("pulumi/stack-region-changed"),
    severity: Severity::High,
    tags: DESTRUCTIVE,
    summary: "A Pulumi stack's settings move its default provider to another region, project, location or subscription.",
    why: "`aws:region`, `aws-native:region`, `gcp:project`, `gcp:region`, `gcp:zone`, `azure-native:location`, \
          `azure-native:subscriptionId`, `azure:location` and `azure:subscriptionId` in `Pulumi.<stack>.yaml` \
          configure the default provider that every resource of the stack uses. Changed or removed, the next \
          `pulumi up` replaces the resources: new ones are created in the new place and the old ones are \
          deleted with their data. A value set where there was none (a new stack's setup) and encrypted \
          (`secure:`) values are not reported.",
    example: "config:\n-  aws:region: us-east-1\n+  aws:region: eu-west-1",
    safer: "Leave the stack where it is: create a new stack for the new place (`pulumi stack init`), migrate the data, \
            then destroy the old stack deliberately.",
};

pub const UNPARSEABLE: Rule = Rule {
    id: RuleId("pulumi/unparseable"),
    severity: Severity::High,
    tags: &[Tag::Infra],
    summary: "A Pulumi YAML program or stack settings file could not be parsed, so what it deletes is unknown.",
    why: "twokey fails closed: a program it cannot read might remove anything.",
    example: "resources:\n  bucket: [unclosed",
    safer: "Fix the YAML (`pulumi preview` reports where) and push again.",
};

pub const RULES: &[&Rule] = &[
    &RESOURCE_REMOVED,
    &RENAMED,
    &PROTECTION_REMOVED,
    &PROTECTION_WEAKENED,
    &REPLACEMENT_PROPERTY,
    &STACK_REGION_CHANGED,
    &UNPARSEABLE,
];

/// Provider modules (the part of a type token between the first `:` and the next `/` or `:`)
/// whose resources hold data, across the AWS, Google Cloud and Azure providers.
pub(crate) const STATEFUL_MODULES: &[&str] = &[
    "rds",
    "s3",
    "dynamodb",
    "ebs",
    "efs",
    "kms",
    "route53",
    "sqs",
    "kinesis",
    "elasticache",
    "redshift",
    "docdb",
    "neptune",
    "opensearch",
    "elasticsearch",
    "fsx",
    "backup",
    "secretsmanager",
    "ecr",
    "sql",
    "storage",
    "bigquery",
    "bigtable",
    "spanner",
    "firestore",
    "redis",
    "filestore",
    "dns",
    "cosmosdb",
    "documentdb",
    "dbforpostgresql",
    "dbformysql",
    "keyvault",
    "cache",
    "alloydb",
];

fn stateful(type_token: &str) -> bool {
    let module = type_token
        .split(':')
        .nth(1)
        .and_then(|m| m.split('/').next())
        .unwrap_or("")
        .to_ascii_lowercase();
    let name = type_token.rsplit(':').next().unwrap_or("");
    STATEFUL_MODULES.contains(&module.as_str())
        || ["Disk", "Volume", "Bucket", "Database"]
            .iter()
            .any(|k| name.ends_with(k))
}

/// A resource as declared: its logical name, node, and type token.
struct Declared<'a> {
    name: &'a str,
    node: &'a Node,
    rtype: &'a str,
}

fn resources(program: &Node) -> Vec<Declared<'_>> {
    program
        .get("resources")
        .map(Node::as_map)
        .unwrap_or(&[])
        .iter()
        .map(|(name, node)| Declared {
            name,
            node,
            rtype: node.get("type").and_then(Node::as_str).unwrap_or(""),
        })
        .collect()
}

fn option_on(node: &Node, option: &str) -> bool {
    node.path(&["options", option]).and_then(Node::as_str) == Some("true")
}

/// Whether the file is a program rather than a stack's settings.
fn is_program(view: &FileView) -> bool {
    let name = view.path().file_name().to_ascii_lowercase();
    name == "pulumi.yaml" || name == "pulumi.yml"
}

/// The first document of each side, or the unparseable findings.
fn documents(view: &FileView) -> Result<(Option<Node>, Option<Node>), Vec<Finding>> {
    let read = |side: Side, text: &str| match yaml::parse_documents(text) {
        Ok(docs) => Ok(docs.into_iter().next()),
        Err(e) => Err(Unparseable {
            side,
            line: Some(e.line.max(1)),
            reason: e.message,
        }),
    };
    read_sides(view, &UNPARSEABLE, read).map(|(base, head)| (base.flatten(), head.flatten()))
}

pub fn analyze(view: &FileView) -> Vec<Finding> {
    if is_program(view) {
        return match documents(view) {
            Ok((base, head)) => program(view, base, head),
            Err(unreadable) => unreadable,
        };
    }
    let Some(name) = stack::stack_name(view.path().file_name()) else {
        return Vec::new();
    };
    match documents(view) {
        Ok((base, head)) => stack::analyze(view, name, base.as_ref(), head.as_ref()),
        Err(unreadable) => unreadable,
    }
}

fn program(view: &FileView, base: Option<Node>, head: Option<Node>) -> Vec<Finding> {
    let empty = Node {
        line: 1,
        end_line: 1,
        value: yaml::Value::Null,
    };
    let base_resources = resources(base.as_ref().unwrap_or(&empty));
    let head_resources = resources(head.as_ref().unwrap_or(&empty));
    let mut out = Vec::new();

    let fresh: Vec<&Declared> = head_resources
        .iter()
        .filter(|h| !base_resources.iter().any(|b| b.name == h.name))
        .collect();
    let mut paired: Vec<&str> = Vec::new();
    for old in &base_resources {
        if let Some(new) = head_resources.iter().find(|h| h.name == old.name) {
            // The type is part of the URN: another type under the same name is a new
            // resource, unless `aliases` carries the old type over.
            if new.rtype != old.rtype {
                if !has_aliases(new.node) && !provider_aliased(old.rtype, new.rtype) {
                    out.push(retyped(view, old, new));
                }
                continue;
            }
            reparented(
                view,
                (old, &base_resources),
                (new, &head_resources),
                &mut out,
            );
            protections(view, old, new, &mut out);
            guards::weakened(view, old, new, &mut out);
            replacement::changed_properties(view, old, new, &mut out);
            continue;
        }
        let rename = fresh.iter().find(|new| {
            !paired.contains(&new.name)
                && new.rtype == old.rtype
                && same_properties(old.node, new.node)
        });
        match rename {
            Some(new) if !has_aliases(new.node) => {
                paired.push(new.name);
                out.push(
                    Finding::new(
                        &RENAMED,
                        view.at(Side::Head, new.node.line, new.node.line),
                        format!(
                            "`{}` ({}) is renamed to `{}` without `aliases`: the next `pulumi up` deletes {} and creates a new, empty one.",
                            old.name, old.rtype, new.name, old.name
                        ),
                    )
                    .with_severity(severity(old)),
                );
            }
            Some(new) => paired.push(new.name),
            None => out.push(removed(view, old)),
        }
    }
    out
}

fn severity(resource: &Declared) -> Severity {
    if option_on(resource.node, "retainOnDelete") {
        Severity::Low
    } else if stateful(resource.rtype) {
        Severity::Critical
    } else {
        RESOURCE_REMOVED.severity
    }
}

fn removed(view: &FileView, old: &Declared) -> Finding {
    let note = if option_on(old.node, "retainOnDelete") {
        " With `retainOnDelete: true` the cloud resource is left running, unmanaged."
    } else if option_on(old.node, "protect") {
        " Its `protect: true` goes with it, so nothing stops the delete."
    } else {
        ""
    };
    Finding::new(
        &RESOURCE_REMOVED,
        view.at(Side::Base, old.node.line, old.node.end_line),
        format!(
            "`{}` ({}) is removed from the program, so the next `pulumi up` deletes it.{note}",
            old.name, old.rtype
        ),
    )
    .with_severity(severity(old))
}

/// Whether the provider itself aliases `old` to `new`, so the type change keeps the
/// resource: pulumi-aws 7 folded its S3 `…V2` resources back into the plain names
/// (`aws:s3:BucketV2` to `aws:s3:Bucket`, `aws.s3.BucketAclV2` to `aws.s3.BucketAcl`) with
/// aliases. Type tokens (`aws:s3/bucketV2:BucketV2`) and code callees (`aws.s3.BucketV2`)
/// both end in the type's name.
pub(crate) fn provider_aliased(old: &str, new: &str) -> bool {
    let split = |t: &str| -> (String, String) {
        let t = t.replace(':', ".");
        let name = t.rsplit(['.', '/']).next().unwrap_or("").to_owned();
        let module = t
            .split('.')
            .nth(1)
            .and_then(|m| m.split('/').next())
            .unwrap_or("")
            .to_owned();
        (module, name)
    };
    let (old_module, old_name) = split(old);
    let (new_module, new_name) = split(new);
    old.starts_with("aws")
        && new.starts_with("aws")
        && old_module == "s3"
        && new_module == "s3"
        && old_name.strip_suffix("V2") == Some(new_name.as_str())
}

fn retyped(view: &FileView, old: &Declared, new: &Declared) -> Finding {
    Finding::new(
        &RESOURCE_REMOVED,
        view.at(Side::Head, new.node.line, new.node.line),
        format!(
            "`{}` changes type from {} to {} without `aliases`: the next `pulumi up` deletes the {} and creates a new, empty {}.",
            old.name, old.rtype, new.rtype, old.rtype, new.rtype
        ),
    )
    .with_severity(severity(old))
}

fn same_properties(a: &Node, b: &Node) -> bool {
    match (a.get("properties"), b.get("properties")) {
        (Some(x), Some(y)) => x.same_value(y),
        (None, None) => true,
        _ => false,
    }
}

/// The type of the resource `options.parent` names (`${vpc}`): `Ok(None)` without a parent,
/// `Err(())` for a parent this program does not declare, whose type is unknown.
fn parent_type<'a>(node: &Node, resources: &[Declared<'a>]) -> Result<Option<&'a str>, ()> {
    let Some(parent) = node.path(&["options", "parent"]) else {
        return Ok(None);
    };
    let name = parent
        .as_str()
        .and_then(|p| p.trim().strip_prefix("${"))
        .and_then(|p| p.strip_suffix('}'))
        .ok_or(())?;
    resources
        .iter()
        .find(|r| r.name == name)
        .map(|r| Some(r.rtype))
        .ok_or(())
}

/// A resource that gains, loses or changes the type of its parent: the parent's type is part
/// of its URN, so without `aliases` Pulumi deletes it and creates it again. Moving it to
/// another parent of the same type keeps the URN.
fn reparented(
    view: &FileView,
    (old, base): (&Declared, &[Declared]),
    (new, head): (&Declared, &[Declared]),
    out: &mut Vec<Finding>,
) {
    let (Ok(was), Ok(now)) = (parent_type(old.node, base), parent_type(new.node, head)) else {
        return;
    };
    if was == now || has_aliases(new.node) {
        return;
    }
    let how = match (was, now) {
        (None, Some(t)) => format!("gains a parent (a {t})"),
        (Some(t), None) => format!("loses its parent (a {t})"),
        (Some(a), Some(b)) => format!("moves from a {a} parent to a {b} one"),
        (None, None) => return,
    };
    let at = new.node.path(&["options", "parent"]).unwrap_or(new.node);
    out.push(
        Finding::new(
            &RENAMED,
            view.at(Side::Head, at.line, at.line),
            format!(
                "`{}` ({}) {how} without `aliases`: its URN changes, so the next `pulumi up` deletes it and creates a new, empty one.",
                new.name, new.rtype
            ),
        )
        .with_severity(severity(old)),
    );
}

fn has_aliases(node: &Node) -> bool {
    node.path(&["options", "aliases"])
        .is_some_and(|a| !a.as_seq().is_empty())
}

fn protections(view: &FileView, old: &Declared, new: &Declared, out: &mut Vec<Finding>) {
    for option in ["protect", "retainOnDelete"] {
        if !option_on(old.node, option) || option_on(new.node, option) {
            continue;
        }
        let at = new
            .node
            .path(&["options", option])
            .or_else(|| new.node.get("options"))
            .unwrap_or(new.node);
        let severity = if stateful(new.rtype) {
            Severity::High
        } else {
            Severity::Medium
        };
        out.push(
            Finding::new(
                &PROTECTION_REMOVED,
                view.at(Side::Head, at.line, at.line),
                format!(
                    "`{}` ({}) loses `{option}: true`: nothing now stops `pulumi up` or `pulumi destroy` from deleting it.",
                    new.name, new.rtype
                ),
            )
            .with_severity(severity),
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analyze::files::testkit::{ids, Case};

    const PROGRAM: &str = "\
name: shop
runtime: yaml
resources:
  orders-db:
    type: aws:rds:Instance
    properties:
      engine: postgres
      instanceClass: db.t3.micro
    options:
      protect: true
  site:
    type: aws:s3:BucketV2
    properties:
      forceDestroy: false
";

    fn run(base: &str, head: &str) -> Vec<Finding> {
        Case::modified("Pulumi.yaml", base, head).run(analyze)
    }

    fn without_db() -> String {
        let start = PROGRAM.find("  orders-db:").unwrap_or(0);
        let end = PROGRAM.find("  site:").unwrap_or(0);
        format!("{}{}", &PROGRAM[..start], &PROGRAM[end..])
    }

    #[test]
    fn removing_a_database_is_critical_at_its_base_lines() {
        let f = run(PROGRAM, &without_db());
        assert_eq!(ids(&f), ["pulumi/resource-removed"]);
        assert_eq!(f[0].severity, Severity::Critical);
        assert_eq!(f[0].location.side, Side::Base);
        assert_eq!(f[0].location.line, Some(5));
        assert!(f[0].message.contains("protect"), "{}", f[0].message);
    }

    #[test]
    fn removing_a_retained_resource_is_low() {
        let retained = PROGRAM.replace("protect: true", "retainOnDelete: true");
        let start = retained.find("  orders-db:").unwrap_or(0);
        let end = retained.find("  site:").unwrap_or(0);
        let head = format!("{}{}", &retained[..start], &retained[end..]);
        let f = run(&retained, &head);
        assert_eq!(ids(&f), ["pulumi/resource-removed"]);
        assert_eq!(f[0].severity, Severity::Low);
    }

    #[test]
    fn a_rename_without_aliases_is_reported_once_and_with_aliases_not_at_all() {
        let renamed = PROGRAM.replace("  site:", "  website:");
        let f = run(PROGRAM, &renamed);
        assert_eq!(ids(&f), ["pulumi/renamed"]);
        assert_eq!(f[0].location.line, Some(12));
        let aliased = renamed.replace(
            "      forceDestroy: false\n",
            "      forceDestroy: false\n    options:\n      aliases: [\"urn:pulumi:prod::shop::aws:s3/bucketV2:BucketV2::site\"]\n",
        );
        assert!(run(PROGRAM, &aliased).is_empty());
    }

    #[test]
    fn a_parent_gained_or_lost_without_aliases_changes_the_urn() {
        let vpc = "  net:\n    type: aws:ec2:Vpc\n  net2:\n    type: aws:ec2:Vpc\n  group:\n    type: pulumi:providers:aws\n";
        let base = format!("{PROGRAM}{vpc}");
        let parented = |parent: &str| {
            base.replace(
                "      forceDestroy: false\n",
                &format!("      forceDestroy: false\n    options:\n      parent: ${{{parent}}}\n"),
            )
        };
        let f = run(&base, &parented("net"));
        assert_eq!(ids(&f), ["pulumi/renamed"]);
        assert_eq!(f[0].location.line, Some(16));
        assert!(
            f[0].message.contains("gains a parent (a aws:ec2:Vpc)"),
            "{}",
            f[0].message
        );
        let lost = run(&parented("net"), &base);
        assert_eq!(ids(&lost), ["pulumi/renamed"]);
        assert!(
            lost[0].message.contains("loses its parent"),
            "{}",
            lost[0].message
        );
        assert_eq!(
            ids(&run(&parented("net"), &parented("group"))),
            ["pulumi/renamed"]
        );
        // Another parent of the same type, an alias, or a parent twokey cannot resolve: quiet.
        assert!(run(&parented("net"), &parented("net2")).is_empty());
        let aliased = parented("net").replace(
            "      parent: ${net}\n",
            "      parent: ${net}\n      aliases: [\"urn:pulumi:prod::shop::aws:s3/bucketV2:BucketV2::site\"]\n",
        );
        assert!(run(&base, &aliased).is_empty());
        assert!(run(&base, &parented("elsewhere")).is_empty());
    }

    #[test]
    fn a_resource_that_changes_type_under_its_name_is_replaced_unless_aliased() {
        let head = PROGRAM.replace("type: aws:rds:Instance", "type: aws:rds:Cluster");
        let f = run(PROGRAM, &head);
        assert_eq!(ids(&f), ["pulumi/resource-removed"]);
        assert_eq!(f[0].severity, Severity::Critical);
        assert!(
            f[0].message
                .contains("changes type from aws:rds:Instance to aws:rds:Cluster"),
            "{}",
            f[0].message
        );
        assert_eq!(f[0].location.side, Side::Head);
        let aliased = head.replace(
            "      protect: true\n",
            "      protect: true\n      aliases:\n        - type: aws:rds:Instance\n",
        );
        assert!(
            run(PROGRAM, &aliased).is_empty(),
            "{:?}",
            run(PROGRAM, &aliased)
        );
    }

    #[test]
    fn turning_protect_off_is_reported_at_the_option_line() {
        let f = run(PROGRAM, &PROGRAM.replace("protect: true", "protect: false"));
        assert_eq!(ids(&f), ["pulumi/protection-removed"]);
        assert_eq!(f[0].location.line, Some(10));
        assert_eq!(f[0].severity, Severity::High);
    }

    #[test]
    fn turning_a_provider_protection_off_is_weakened_at_the_property_line() {
        let base = PROGRAM.replace(
            "      instanceClass: db.t3.micro\n",
            "      instanceClass: db.t3.micro\n      deletionProtection: true\n",
        );
        let head = base.replace("deletionProtection: true", "deletionProtection: false");
        let f = run(&base, &head);
        assert_eq!(ids(&f), ["pulumi/protection-weakened"]);
        assert_eq!(f[0].location.line, Some(9));
        assert_eq!(f[0].severity, Severity::High);
        // Removing it falls back to the AWS default, which is off.
        let removed = base.replace("      deletionProtection: true\n", "");
        assert_eq!(ids(&run(&base, &removed)), ["pulumi/protection-weakened"]);
        let f = run(
            PROGRAM,
            &PROGRAM.replace("forceDestroy: false", "forceDestroy: true"),
        );
        assert_eq!(ids(&f), ["pulumi/protection-weakened"]);
    }

    #[test]
    fn a_configured_protection_replaced_by_a_literal_off_is_weakened_and_the_reverse_is_quiet() {
        let computed = PROGRAM.replace("forceDestroy: false", "forceDestroy: ${allowEmptying}");
        let literal = PROGRAM.replace("forceDestroy: false", "forceDestroy: true");
        assert_eq!(
            ids(&run(&computed, &literal)),
            ["pulumi/protection-weakened"]
        );
        assert!(run(&literal, &computed).is_empty());
        assert!(run(PROGRAM, &computed).is_empty());
    }

    #[test]
    fn additions_reorderings_and_stack_settings_are_quiet() {
        let added = format!("{PROGRAM}  cache:\n    type: aws:elasticache:Cluster\n");
        assert!(run(PROGRAM, &added).is_empty());
        let db = &PROGRAM
            [PROGRAM.find("  orders-db:").unwrap_or(0)..PROGRAM.find("  site:").unwrap_or(0)];
        let reordered = format!("{}{}", without_db(), db);
        assert!(run(PROGRAM, &reordered).is_empty());
        let settings = Case::modified("Pulumi.prod.yaml", "config:\n  a: 1\n", "config: {}\n");
        assert!(settings.run(analyze).is_empty());
    }

    #[test]
    fn a_program_that_does_not_parse_needs_a_human() {
        let f = run(PROGRAM, "resources: [unclosed");
        assert_eq!(ids(&f), ["pulumi/unparseable"]);
    }

    #[test]
    fn stateful_types_are_recognised_across_providers() {
        for t in [
            "aws:rds:Instance",
            "aws:s3/bucketV2:BucketV2",
            "gcp:sql:DatabaseInstance",
            "azure-native:storage:StorageAccount",
            "gcp:compute:Disk",
        ] {
            assert!(stateful(t), "{t}");
        }
        for t in [
            "aws:ec2:SecurityGroupRule",
            "aws:iam:RolePolicyAttachment",
            "random:index:RandomId",
        ] {
            assert!(!stateful(t), "{t}");
        }
    }

    proptest::proptest! {
        #[test]
        fn removing_any_one_resource_reports_exactly_that_resource(
            names in proptest::collection::btree_set("[a-z]{1,6}", 1..6),
            pick in 0usize..6,
        ) {
            let names: Vec<String> = names.into_iter().collect();
            let gone = names[pick % names.len()].clone();
            let program = |skip: Option<&str>| {
                let body: String = names
                    .iter()
                    .filter(|n| Some(n.as_str()) != skip)
                    .map(|n| format!("  {n}:\n    type: aws:ec2:Instance\n    properties:\n      ami: ami-{n}\n"))
                    .collect();
                format!("resources:\n{body}")
            };
            let f = run(&program(None), &program(Some(&gone)));
            proptest::prop_assert_eq!(f.len(), 1);
            let quoted = format!("`{}`", gone);
            proptest::prop_assert!(f[0].message.contains(&quoted));
        }
    }
}
