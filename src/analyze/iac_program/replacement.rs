//! replacement: a property that cannot be updated in place, changed in a program's code
//! between two literal values (`hashKey: "id"` to `hashKey: "pk"`, `tableName: 'items'` to
//! `tableName: 'items-v2'`). Pure: reads the two sides' top-level arguments of one resource.
//!
//! Pulumi's AWS and Google Cloud providers are bridged from Terraform's, so a Pulumi resource
//! is looked up in [`terraform::replacement`](crate::analyze::terraform::replacement) by the
//! same translation the YAML analyzer uses (`aws.dynamodb.Table` is `aws:dynamodb:Table` is
//! `aws_dynamodb_table`). CDK's L2 constructs name their properties their own way; the few
//! that replace a resource that holds data are listed here.
//!
//! A value counts as changed only when both sides are written the same way apart from their
//! literals (strings, numbers, booleans): `name: prefix + "-items"` against `name: other` is
//! a different expression, which twokey cannot evaluate, so it stays quiet.

use super::constructs::Construct;
use super::guards::{is_ident, key_join, value_at};
use crate::analyze::orm::scan::{Lang, Source};
use crate::analyze::pulumi::replacement::{snake_case, terraform_type};
use crate::analyze::terraform::replacement::forces_new;
use std::ops::Range;

/// CDK L2 constructs and the properties (lowercased, without `_`) whose change makes
/// CloudFormation replace the resource (the underlying property is create-only).
const CDK_FORCES_NEW: &[(&str, &[&str])] = &[
    ("Table", &["tablename", "partitionkey", "sortkey"]),
    ("TableV2", &["tablename", "partitionkey", "sortkey"]),
    ("Bucket", &["bucketname"]),
    (
        "DatabaseInstance",
        &["instanceidentifier", "databasename", "storageencrypted"],
    ),
    (
        "DatabaseCluster",
        &[
            "clusteridentifier",
            "defaultdatabasename",
            "storageencrypted",
        ],
    ),
    ("Queue", &["queuename", "fifo"]),
    ("Topic", &["topicname", "fifo"]),
    ("Stream", &["streamname"]),
    ("FileSystem", &["performancemode", "encrypted"]),
    ("LogGroup", &["loggroupname"]),
    ("Secret", &["secretname"]),
    ("Repository", &["repositoryname"]),
    ("Function", &["functionname"]),
];

/// One property that forces a replacement, changed between two literal values.
#[derive(Debug)]
pub(super) struct Changed {
    pub property: String,
    pub before: String,
    pub after: String,
    pub line: u32,
    /// The Terraform type a Pulumi resource was looked up as.
    pub terraform_type: Option<String>,
}

/// A top-level argument of a constructor call: its key as written and its value.
struct Prop {
    key: String,
    value: Range<usize>,
}

/// The properties a call passes: keyword arguments in Python; otherwise the keys of the
/// object (`{…}`, `&s3.BucketArgs{…}`, `new BucketArgs {…}`) after the name.
fn props(src: &Source, c: &Construct) -> Vec<Prop> {
    let args = c.call_args(src);
    if src.lang == Lang::Python {
        return args
            .into_iter()
            .filter_map(|a| {
                Some(Prop {
                    key: a.keyword?,
                    value: a.value,
                })
            })
            .collect();
    }
    let code = &src.code;
    // Java's CDK builder, `Table.Builder.create(this, "Id").tableName("t")….build()`: the
    // properties are the calls chained after the call's own parentheses.
    let after = c.args.end + 1..c.extent.end;
    if after.start < after.end && c.callee_is_builder {
        return builder_props(code, after);
    }
    let position = if c.scoped { 2 } else { 1 };
    let Some(arg) = args.iter().filter(|a| a.keyword.is_none()).nth(position) else {
        return Vec::new();
    };
    let Some(open) = arg.value.clone().find(|&i| code[i] == b'{') else {
        // Java's `TableArgs.builder().hashKey("id").build()`.
        return builder_props(code, arg.value.clone());
    };
    let close = crate::analyze::orm::scan::matching(code, open).unwrap_or(arg.value.end);
    let mut out = Vec::new();
    let mut depth = 0usize;
    let mut i = open + 1;
    while i < close {
        let b = code[i];
        match b {
            b'(' | b'[' | b'{' => depth += 1,
            b')' | b']' | b'}' => depth = depth.saturating_sub(1),
            _ => {}
        }
        let starts_word = is_ident(b) && !is_ident(code[i - 1]) && code[i - 1] != b'.';
        if depth > 0 || !starts_word {
            i += 1;
            continue;
        }
        let end = (i..close).find(|&j| !is_ident(code[j])).unwrap_or(close);
        // An object's `key: v` or `Key = v`; `key(` is a call inside it, not a property.
        if let Some((":" | "=", from)) = key_join(code, end) {
            let value = value_at(code, from);
            out.push(Prop {
                key: String::from_utf8_lossy(&code[i..end]).into_owned(),
                value: value.start..value.end.min(close),
            });
            i = value.end.max(end);
        } else {
            i = end;
        }
    }
    out
}

/// The properties a Java builder chain sets, `….hashKey("id").billingMode(…).build()`: each
/// call chained at the top level of `range` (not those inside another property's value).
fn builder_props(code: &[u8], range: Range<usize>) -> Vec<Prop> {
    let mut out = Vec::new();
    let mut depth = 0usize;
    let mut i = range.start;
    while i < range.end {
        match code[i] {
            b'(' | b'[' | b'{' => depth += 1,
            b')' | b']' | b'}' => depth = depth.saturating_sub(1),
            b'.' if depth == 0 => {
                let start = i + 1;
                let end = (start..range.end)
                    .find(|&j| !is_ident(code[j]))
                    .unwrap_or(range.end);
                if end > start && code.get(end) == Some(&b'(') {
                    let close = crate::analyze::orm::scan::matching(code, end)
                        .unwrap_or(range.end)
                        .min(range.end);
                    out.push(Prop {
                        key: String::from_utf8_lossy(&code[start..end]).into_owned(),
                        value: end + 1..close,
                    });
                    i = close + 1;
                    continue;
                }
            }
            _ => {}
        }
        i += 1;
    }
    out
}

/// A value's shape with its literals taken out, and the literals: `{ name: "id", type: S }`
/// is `{name:"",type:S}` and `["id"]`. `None` when it holds no literal, or an interpolated one.
fn literals(src: &Source, range: Range<usize>) -> Option<(String, Vec<String>)> {
    if src.literals_in(range.clone()).any(|l| l.interpolated) {
        return None;
    }
    let mut values = src.literal_values(range.clone());
    let mut shape = String::new();
    let code = &src.code[range];
    let mut i = 0;
    while i < code.len() {
        let b = code[i];
        if is_ident(b) || b == b'.' {
            let end = (i..code.len())
                .find(|&j| !(is_ident(code[j]) || code[j] == b'.'))
                .unwrap_or(code.len());
            let word = String::from_utf8_lossy(&code[i..end]).into_owned();
            let literal = word.bytes().all(|b| b.is_ascii_digit() || b == b'.')
                || matches!(word.as_str(), "true" | "false" | "True" | "False");
            if literal {
                values.push(word);
                shape.push('#');
            } else {
                shape.push_str(&word);
            }
            i = end;
        } else {
            if !b.is_ascii_whitespace() {
                shape.push(b as char);
            }
            i += 1;
        }
    }
    (!values.is_empty()).then_some((shape, values))
}

/// A value as a reviewer reads it: its text on one line, cut short.
fn shown(src: &Source, range: Range<usize>) -> String {
    let text: Vec<&str> = src.text[range].split_whitespace().collect();
    let text = text.join(" ");
    match text.char_indices().nth(60) {
        Some((cut, _)) => format!("{}…", &text[..cut]),
        None => text,
    }
}

/// The Pulumi providers a program imports, by their short names.
fn providers(text: &str) -> Vec<&'static str> {
    let imports = |markers: &[&str]| markers.iter().any(|m| text.contains(m));
    let mut out = Vec::new();
    if imports(&[
        "@pulumi/aws\"",
        "@pulumi/aws'",
        "pulumi_aws",
        "pulumi-aws/sdk",
        "Pulumi.Aws",
        "com.pulumi.aws.",
    ]) {
        out.push("aws");
    }
    if imports(&[
        "@pulumi/gcp\"",
        "@pulumi/gcp'",
        "pulumi_gcp",
        "pulumi-gcp/sdk",
        "Pulumi.Gcp",
        "com.pulumi.gcp.",
    ]) {
        out.push("gcp");
    }
    out
}

/// The Terraform type behind a Pulumi resource, when exactly one reading of its callee has
/// replacement-forcing attributes: `aws.s3.Bucket`, `s3.Bucket` (`from pulumi_aws import s3`),
/// `s3.NewBucket` (Go), `Bucket` with `using Pulumi.Aws.S3;` (C#).
fn pulumi_type(text: &str, c: &Construct) -> Option<String> {
    pulumi_resolved(text, c).map(|(t, _)| t)
}

/// The provider module of a Pulumi resource named alone (C#'s `new Instance(…)`, Java's),
/// from the file's `using` or `import` lines: `rds`. For judging what it holds.
pub(super) fn pulumi_module(text: &str, c: &Construct) -> Option<String> {
    pulumi_resolved(text, c).map(|(_, m)| m)
}

/// The Terraform type behind a Pulumi resource, and the module it was found under.
fn pulumi_resolved(text: &str, c: &Construct) -> Option<(String, String)> {
    let segments: Vec<&str> = c.callee.split('.').collect();
    let explicit = segments
        .first()
        .map(|s| s.to_ascii_lowercase())
        .filter(|s| segments.len() >= 3 && (s == "aws" || s == "gcp"));
    let providers: Vec<String> = match explicit {
        Some(p) => vec![p],
        None => providers(text).into_iter().map(str::to_owned).collect(),
    };
    let modules: Vec<String> = if segments.len() >= 2 {
        vec![segments[segments.len() - 2].to_owned()]
    } else {
        // C# and Java name the type alone; its namespace is in a `using` line, its package
        // in an `import com.pulumi.aws.dynamodb.Table;` (or `….dynamodb.*;`).
        text.lines()
            .filter_map(|l| {
                let l = l.trim();
                if let Some(java) = l.strip_prefix("import com.pulumi.") {
                    let mut parts = java.strip_suffix(';')?.split('.');
                    let (_, module, class) = (parts.next()?, parts.next()?, parts.next()?);
                    let whole = parts.next().is_none() && (class == c.kind || class == "*");
                    return whole.then(|| module.to_owned());
                }
                let l = l.strip_prefix("using Pulumi.")?.strip_suffix(';')?;
                Some(l.split_once('.')?.1.to_owned())
            })
            .collect()
    };
    let mut found: Vec<(String, String)> = Vec::new();
    for provider in &providers {
        for module in &modules {
            let module = module.to_ascii_lowercase();
            let module = module.trim_end_matches('_');
            let token = format!("{provider}:{module}:{}", c.kind);
            if let Some(t) = terraform_type(&token).filter(|t| !forces_new(t).is_empty()) {
                if !found.iter().any(|(f, _)| *f == t) {
                    found.push((t, module.to_owned()));
                }
            }
        }
    }
    (found.len() == 1).then(|| found.remove(0))
}

/// Whether `ignoreChanges` (`ignore_changes`, `IgnoreChanges`) names the property.
fn ignored(src: &Source, c: &Construct, key: &str) -> bool {
    let code = String::from_utf8_lossy(&src.code[c.extent.clone()]).to_ascii_lowercase();
    if !code.replace('_', "").contains("ignorechanges") {
        return false;
    }
    let key = key.replace('_', "").to_ascii_lowercase();
    src.literal_values(c.extent.clone())
        .iter()
        .any(|v| v.replace('_', "").to_ascii_lowercase() == key)
}

/// Replacement-forcing properties changed between `old` (in `base`) and `new` (in `head`),
/// the same resource.
/// An L1 construct (`s3.CfnBucket`, `aws_rds.CfnDBInstance`, Go's `awsrds.NewCfnDBInstance`)
/// is one CloudFormation resource, `AWS::<module>::<class without Cfn>`, with its properties
/// under their CloudFormation names: the CloudFormation analyzer's table says which replace.
fn l1_forces_new(c: &Construct) -> Option<&'static [&'static str]> {
    let resource = c.kind.strip_prefix("Cfn")?;
    let module = match &c.module {
        Some(m) => m.clone(),
        None => c.callee.rsplit('.').nth(1)?.to_ascii_lowercase(),
    };
    let service = module
        .strip_prefix("aws_")
        .or_else(|| module.strip_prefix("aws"))
        .unwrap_or(&module);
    Some(crate::analyze::cloudformation::catalog::replacing_properties(service, resource))
}

/// Where each CDK language imports a service module from: `aws-cdk-lib/aws-s3`,
/// `aws_cdk.aws_s3`, `Amazon.CDK.AWS.S3`, `software.amazon.awscdk.services.s3`.
const CDK_MODULE_PATHS: &[&str] = &[
    "aws-cdk-lib/aws-",
    "aws_cdk.aws_",
    "Amazon.CDK.AWS.",
    "software.amazon.awscdk.services.",
];

/// The service module an L1 construct named alone (`new CfnDBInstance(…)` after
/// `using Amazon.CDK.AWS.RDS;`) comes from: the one imported module whose CloudFormation
/// resource of that name the catalogue knows. `None` when no import, or more than one, fits.
pub(super) fn l1_module(imports: &str, kind: &str) -> Option<String> {
    let resource = kind.strip_prefix("Cfn")?;
    let mut found: Vec<String> = Vec::new();
    for path in CDK_MODULE_PATHS {
        for (at, _) in imports.match_indices(path) {
            let module: String = imports[at + path.len()..]
                .chars()
                .take_while(|c| c.is_ascii_alphanumeric())
                .collect::<String>()
                .to_ascii_lowercase();
            let known = !module.is_empty()
                && !crate::analyze::cloudformation::catalog::replacing_properties(
                    &module, resource,
                )
                .is_empty();
            if known && !found.contains(&module) {
                found.push(module);
            }
        }
    }
    (found.len() == 1).then(|| found.remove(0))
}

pub(super) fn changed(
    pulumi: bool,
    base: &Source,
    old: &Construct,
    head: &Source,
    new: &Construct,
) -> Vec<Changed> {
    let (rtype, forced): (Option<String>, Vec<String>) = if pulumi {
        let Some(t) = pulumi_type(head.text, new) else {
            return Vec::new();
        };
        let forced = forces_new(&t).iter().map(|a| (*a).to_owned()).collect();
        (Some(t), forced)
    } else if let Some(forced) = l1_forces_new(new) {
        let forced = forced.iter().map(|p| p.to_ascii_lowercase()).collect();
        (None, forced)
    } else {
        let forced = CDK_FORCES_NEW
            .iter()
            .find(|(k, _)| *k == new.kind)
            .map_or(&[][..], |(_, p)| p);
        (None, forced.iter().map(|p| (*p).to_owned()).collect())
    };
    let normal = |key: &str| {
        if pulumi {
            snake_case(key)
        } else {
            key.replace('_', "").to_ascii_lowercase()
        }
    };
    let before = props(base, old);
    let mut out = Vec::new();
    for prop in props(head, new) {
        let name = normal(&prop.key);
        if !forced.contains(&name) || ignored(head, new, &prop.key) {
            continue;
        }
        let Some(was) = before.iter().find(|p| normal(&p.key) == name) else {
            continue;
        };
        let (Some((shape_a, values_a)), Some((shape_b, values_b))) = (
            literals(base, was.value.clone()),
            literals(head, prop.value.clone()),
        ) else {
            continue;
        };
        if shape_a != shape_b || values_a == values_b {
            continue;
        }
        out.push(Changed {
            property: prop.key.clone(),
            before: shown(base, was.value.clone()),
            after: shown(head, prop.value.clone()),
            line: head.line_of(prop.value.start.min(head.text.len())),
            terraform_type: rtype.clone(),
        });
    }
    out
}
