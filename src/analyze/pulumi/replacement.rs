//! replacement: properties of a Pulumi YAML resource whose change makes the provider replace
//! it. Pulumi's AWS classic and Google Cloud providers are bridged from Terraform's, so the
//! properties that force a replacement are Terraform's attributes in camelCase: the type token
//! and property names are translated and looked up in
//! [`terraform::replacement`](crate::analyze::terraform::replacement) rather than in a second
//! catalogue. Pure.
//!
//! Only a change between two literal values is reported: a value Pulumi computes (`${…}`,
//! `fn::…`) is unknown, and a property added or removed may equal the provider's default or
//! auto-name. Azure's tokens do not follow the pattern and are not translated.

use super::{stateful, Declared, REPLACEMENT_PROPERTY};
use crate::analyze::terraform::{replacement::forces_new, stateful as tf};
use crate::analyze::FileView;
use crate::change::Side;
use crate::finding::{Finding, Severity};
use crate::yaml::Node;

/// Tokens (`<module>/<member>`) whose Terraform type does not follow `aws_<module>_<member>`.
const AWS_EXCEPTIONS: &[(&str, &str)] = &[
    ("rds/instance", "aws_db_instance"),
    ("lb/loadBalancer", "aws_lb"),
    ("alb/loadBalancer", "aws_lb"),
    ("s3/bucketV2", "aws_s3_bucket"),
];

/// `hashKey` → `hash_key`.
pub(crate) fn snake_case(camel: &str) -> String {
    let mut out = String::with_capacity(camel.len() + 4);
    for c in camel.chars() {
        if c.is_ascii_uppercase() {
            if !out.is_empty() {
                out.push('_');
            }
            out.push(c.to_ascii_lowercase());
        } else {
            out.push(c);
        }
    }
    out
}

/// `Bucket` → `bucket`, as the short token form `aws:s3:Bucket` implies.
fn lower_first(name: &str) -> String {
    let mut chars = name.chars();
    chars.next().map_or_else(String::new, |first| {
        first.to_ascii_lowercase().to_string() + chars.as_str()
    })
}

/// The Terraform resource type behind a Pulumi type token: `aws:s3/bucket:Bucket` and
/// `aws:s3:Bucket` → `aws_s3_bucket`, `gcp:sql/databaseInstance:DatabaseInstance` →
/// `google_sql_database_instance`.
pub(crate) fn terraform_type(token: &str) -> Option<String> {
    let mut parts = token.split(':');
    let (package, middle, name) = (parts.next()?, parts.next()?, parts.next()?);
    if parts.next().is_some() || name.is_empty() {
        return None;
    }
    let (module, member) = match middle.split_once('/') {
        Some((module, member)) => (module, member.to_owned()),
        None => (middle, lower_first(name)),
    };
    if module.is_empty() || member.is_empty() {
        return None;
    }
    let snake = snake_case(&member);
    match package {
        "aws" => {
            let key = format!("{module}/{member}");
            if let Some((_, t)) = AWS_EXCEPTIONS.iter().find(|(k, _)| *k == key) {
                return Some((*t).to_owned());
            }
            // Terraform names most EC2 types without the module: `aws_instance`, `aws_vpc`.
            Some(if module == "ec2" {
                format!("aws_{snake}")
            } else {
                format!("aws_{}_{snake}", snake_case(module))
            })
        }
        "gcp" => Some(format!("google_{}_{snake}", snake_case(module))),
        _ => None,
    }
}

/// A literal property value; `None` for what Pulumi computes or a structured value.
fn literal(node: &Node) -> Option<&str> {
    node.as_str().filter(|v| !v.contains("${"))
}

fn ignored(node: &Node, property: &str) -> bool {
    node.path(&["options", "ignoreChanges"])
        .is_some_and(|list| list.as_seq().iter().any(|p| p.as_str() == Some(property)))
}

/// Replacement-forcing properties that `new` changes against `old`, the same resource.
pub(super) fn changed_properties(
    view: &FileView,
    old: &Declared,
    new: &Declared,
    out: &mut Vec<Finding>,
) {
    let Some(rtype) = terraform_type(new.rtype) else {
        return;
    };
    if terraform_type(old.rtype).as_deref() != Some(rtype.as_str()) {
        return;
    }
    let forced = forces_new(&rtype);
    let props = new.node.get("properties").map_or(&[][..], Node::as_map);
    for (property, value) in props {
        let attribute = snake_case(property);
        if !forced.contains(&attribute.as_str()) || ignored(new.node, property) {
            continue;
        }
        let Some(before) = old.node.path(&["properties", property]).and_then(literal) else {
            continue;
        };
        let Some(after) = literal(value).filter(|after| *after != before) else {
            continue;
        };
        out.push(finding(
            view, new, &rtype, property, before, after, value.line,
        ));
    }
}

fn finding(
    view: &FileView,
    new: &Declared,
    rtype: &str,
    property: &str,
    before: &str,
    after: &str,
    line: u32,
) -> Finding {
    let holds_data = tf::stateful(rtype) || stateful(new.rtype);
    let (severity, data) = if holds_data {
        (Severity::Critical, " with everything stored in it")
    } else {
        (Severity::High, "")
    };
    Finding::new(
        &REPLACEMENT_PROPERTY,
        view.at(Side::Head, line, line),
        format!(
            "`{property}` of `{}` ({}) changed from `{before}` to `{after}`, which cannot be updated in place: \
             the next `pulumi up` replaces it, creating a new, empty one and deleting the existing one{data}.",
            new.name, new.rtype
        ),
    )
    .with_severity(severity)
    .with_safer(format!(
        "Keep `{property}: {before}`. If the new value is needed, declare a second resource beside `{}`, migrate \
         the data, then remove the old one in its own reviewed change; or list `{property}` in \
         `options: {{ignoreChanges: [{property}]}}` to leave the real resource alone.",
        new.name
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analyze::files::testkit::{ids, Case};

    const PROGRAM: &str = "\
resources:
  site:
    type: aws:s3/bucket:Bucket
    properties:
      bucket: shop-site
      tags:
        team: web
  orders:
    type: aws:dynamodb:Table
    properties:
      name: orders
      hashKey: id
      billingMode: PAY_PER_REQUEST
  web:
    type: aws:ec2/securityGroup:SecurityGroup
    properties:
      description: web traffic
";

    fn run(base: &str, head: &str) -> Vec<Finding> {
        Case::modified("Pulumi.yaml", base, head).run(super::super::analyze)
    }

    #[test]
    fn a_renamed_bucket_is_replaced_and_critical_at_the_property_line() {
        let f = run(PROGRAM, &PROGRAM.replace("shop-site", "shop-www"));
        assert_eq!(ids(&f), ["pulumi/replacement-property"]);
        assert_eq!(f[0].severity, Severity::Critical);
        assert_eq!(f[0].location.side, Side::Head);
        assert_eq!(f[0].location.line, Some(5));
        for part in ["`bucket`", "`site`", "`shop-site`", "`shop-www`"] {
            assert!(f[0].message.contains(part), "{part}: {}", f[0].message);
        }
    }

    #[test]
    fn a_changed_hash_key_replaces_the_short_form_table() {
        let f = run(PROGRAM, &PROGRAM.replace("hashKey: id", "hashKey: orderId"));
        assert_eq!(ids(&f), ["pulumi/replacement-property"]);
        assert_eq!(f[0].location.line, Some(12));
        assert_eq!(f[0].severity, Severity::Critical);
    }

    #[test]
    fn a_stateless_type_is_replaced_at_high() {
        let f = run(
            PROGRAM,
            &PROGRAM.replace("web traffic", "web and api traffic"),
        );
        assert_eq!(ids(&f), ["pulumi/replacement-property"]);
        assert_eq!(f[0].severity, Severity::High);
    }

    #[test]
    fn a_database_engine_change_is_replaced() {
        let db = "resources:\n  db:\n    type: aws:rds/instance:Instance\n    properties:\n      engine: postgres\n";
        let f = run(db, &db.replace("postgres", "mysql"));
        assert_eq!(ids(&f), ["pulumi/replacement-property"]);
        assert_eq!(f[0].severity, Severity::Critical);
    }

    #[test]
    fn in_place_properties_computed_values_ignored_changes_and_new_resources_are_quiet() {
        let quiet = |head: &str| assert!(run(PROGRAM, head).is_empty(), "{head}");
        quiet(&PROGRAM.replace("PAY_PER_REQUEST", "PROVISIONED"));
        quiet(&PROGRAM.replace("team: web", "team: platform"));
        quiet(&PROGRAM.replace("shop-site", "${siteName}"));
        quiet(PROGRAM);
        let computed = PROGRAM.replace("shop-site", "${siteName}");
        assert!(run(&computed, &PROGRAM.replace("shop-site", "shop-www")).is_empty());
        let ignoring = PROGRAM.replace(
            "      bucket: shop-site\n",
            "      bucket: shop-site\n    options:\n      ignoreChanges: [bucket]\n",
        );
        assert!(run(&ignoring, &ignoring.replace("shop-site", "shop-www")).is_empty());
        let added = format!(
            "{PROGRAM}  logs:\n    type: aws:s3:Bucket\n    properties:\n      bucket: shop-logs\n"
        );
        assert!(run(PROGRAM, &added).is_empty());
        // `identifier` is renamed in place since the AWS provider 5.0 (Pulumi AWS 6).
        let db =
            "resources:\n  db:\n    type: aws:rds:Instance\n    properties:\n      identifier: a\n";
        assert!(run(db, &db.replace("identifier: a", "identifier: b")).is_empty());
    }

    #[test]
    fn type_tokens_map_to_terraform_types() {
        for (token, tf) in [
            ("aws:s3/bucket:Bucket", "aws_s3_bucket"),
            ("aws:s3:Bucket", "aws_s3_bucket"),
            ("aws:s3/bucketV2:BucketV2", "aws_s3_bucket"),
            ("aws:rds/instance:Instance", "aws_db_instance"),
            ("aws:rds:Instance", "aws_db_instance"),
            (
                "aws:rds/clusterInstance:ClusterInstance",
                "aws_rds_cluster_instance",
            ),
            ("aws:dynamodb/table:Table", "aws_dynamodb_table"),
            (
                "aws:cloudwatch/logGroup:LogGroup",
                "aws_cloudwatch_log_group",
            ),
            ("aws:ec2/instance:Instance", "aws_instance"),
            ("aws:lb/loadBalancer:LoadBalancer", "aws_lb"),
            (
                "gcp:sql/databaseInstance:DatabaseInstance",
                "google_sql_database_instance",
            ),
        ] {
            assert_eq!(terraform_type(token).as_deref(), Some(tf), "{token}");
        }
        for token in [
            "azure-native:storage:StorageAccount",
            "aws",
            "aws::Bucket",
            "aws:s3:",
            "x:y:z:w",
        ] {
            assert_eq!(terraform_type(token), None, "{token}");
        }
    }

    fn camel_case(snake: &str) -> String {
        let mut parts = snake.split('_');
        let first = parts.next().unwrap_or("").to_owned();
        parts.fold(first, |acc, p| {
            let mut c = p.chars();
            let head = c
                .next()
                .map(|h| h.to_ascii_uppercase().to_string())
                .unwrap_or_default();
            acc + &head + c.as_str()
        })
    }

    proptest::proptest! {
        #[test]
        fn snake_case_undoes_camel_case(snake in "[a-z][a-z0-9]{0,6}(_[a-z][a-z0-9]{0,6}){0,4}") {
            proptest::prop_assert_eq!(snake_case(&camel_case(&snake)), snake);
        }

        #[test]
        fn mapping_never_panics_and_stays_in_its_provider(token in "\\PC{0,40}") {
            let _ = snake_case(&token);
            if let Some(tf) = terraform_type(&token) {
                proptest::prop_assert!(tf.starts_with("aws_") || tf.starts_with("google_"));
            }
        }

        #[test]
        fn long_and_short_tokens_agree(module in "[a-z][a-z0-9]{0,8}", name in "[A-Z][a-zA-Z0-9]{0,10}") {
            let long = format!("aws:{module}/{}:{name}", lower_first(&name));
            let short = format!("aws:{module}:{name}");
            proptest::prop_assert_eq!(terraform_type(&long), terraform_type(&short));
        }
    }
}
