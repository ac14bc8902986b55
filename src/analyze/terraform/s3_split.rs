//! s3_split: the AWS provider v4 split of `aws_s3_bucket`. Version 4 moved a bucket's inline
//! `versioning` and `lifecycle_rule` blocks to resources of their own
//! (`aws_s3_bucket_versioning`, `aws_s3_bucket_lifecycle_configuration`), and the pull
//! request that upgrades drops the inline block and adds the new resource. Judged address by
//! address, the new resource is a pure addition and the bucket lost a block the provider no
//! longer reads, so a setting weakened on the way (versioning `Suspended`, an expiration
//! shortened from a year to a week) would pass unseen.
//!
//! This module owns one idea: the base bucket's inline block, rewritten in the new
//! resource's shape, stands in as that resource's base, so the usual protection and
//! retention checks compare like with like. It decides nothing itself and reads nothing but
//! the parsed base files it is handed.

use super::model::{Item, Lit, Setting};
use std::collections::BTreeMap;

/// The split resources this module knows how to stand in for, with the inline block each
/// one replaced.
const SPLIT: &[(&str, &str)] = &[
    ("aws_s3_bucket_versioning", "versioning"),
    ("aws_s3_bucket_lifecycle_configuration", "lifecycle_rule"),
];

/// The inline block of `aws_s3_bucket` that `rtype` took over, if it is a split resource.
pub fn inline_block(rtype: &str) -> Option<&'static str> {
    SPLIT.iter().find(|(t, _)| *t == rtype).map(|(_, b)| *b)
}

/// The bucket a split resource names by reference (`bucket = aws_s3_bucket.logs.id`, or
/// `aws_s3_bucket.logs[0].bucket`, `aws_s3_bucket.this[each.key].id`): its address without
/// instance key. A literal bucket name, or any other expression, names none twokey can follow.
pub fn bucket_address(new: &Item) -> Option<String> {
    let Lit::Expr(text) = &new.get("bucket")?.value else {
        return None;
    };
    let rest = text.trim().strip_prefix("aws_s3_bucket.")?;
    let name: String = rest
        .chars()
        .take_while(|c| c.is_ascii_alphanumeric() || *c == '_' || *c == '-')
        .collect();
    let after = &rest[name.len()..];
    let plain_reference = after.starts_with('.') || after.starts_with('[');
    (!name.is_empty() && plain_reference).then(|| format!("aws_s3_bucket.{name}"))
}

/// The base bucket's inline block as the split resource `new` would have said it: an item of
/// `new`'s type and address whose settings are the bucket's, renamed. `None` when `new` is
/// not a split resource or the bucket had no such block at the base (a new setting on a
/// bucket is judged, if at all, as an addition).
pub fn stand_in(bucket: &Item, new: &Item) -> Option<Item> {
    let block = inline_block(&new.rtype)?;
    let mut settings = BTreeMap::new();
    for (path, setting) in &bucket.settings {
        let Some((index, rest)) = within(path, block) else {
            continue;
        };
        let renamed = match block {
            "versioning" => versioning(rest, setting),
            _ => lifecycle(&index, rest, setting),
        };
        if let Some((path, setting)) = renamed {
            settings.insert(path, setting);
        }
    }
    (!settings.is_empty()).then(|| Item {
        kind: new.kind,
        address: new.address.clone(),
        rtype: new.rtype.clone(),
        line: bucket.line,
        end_line: bucket.end_line,
        settings,
        for_each_keys: bucket.for_each_keys.clone(),
        ignore_changes: Vec::new(),
    })
}

/// Splits `lifecycle_rule[2].expiration.days` into (`[2]`, `expiration.days`) when `path`
/// lies in `block`.
fn within<'p>(path: &'p str, block: &str) -> Option<(String, &'p str)> {
    let rest = path.strip_prefix(block)?;
    let (index, rest) = match rest.strip_prefix('[') {
        Some(r) => {
            let (n, r) = r.split_once(']')?;
            (format!("[{n}]"), r)
        }
        None => (String::new(), rest),
    };
    Some((index, rest.strip_prefix('.')?))
}

/// `Enabled`/`Disabled`-style words for a literal boolean; an expression stays unknown.
fn status(setting: &Setting, on: &str, off: &str) -> Option<Setting> {
    let word = match setting.value.as_bool()? {
        true => on,
        false => off,
    };
    Some(Setting {
        value: Lit::Str(word.to_owned()),
        line: setting.line,
    })
}

/// `versioning { enabled, mfa_delete }` as `versioning_configuration { status, mfa_delete }`.
/// A bucket whose versioning was turned off had it suspended (S3 never returns to
/// unversioned), so `false` reads as `Suspended`.
fn versioning(attr: &str, setting: &Setting) -> Option<(String, Setting)> {
    match attr {
        "enabled" => Some((
            "versioning_configuration.status".to_owned(),
            status(setting, "Enabled", "Suspended")?,
        )),
        "mfa_delete" => Some((
            "versioning_configuration.mfa_delete".to_owned(),
            status(setting, "Enabled", "Disabled")?,
        )),
        _ => None,
    }
}

/// One inline `lifecycle_rule` setting as the `rule` of a lifecycle configuration: `enabled`
/// became `status`, a noncurrent expiration's `days` became `noncurrent_days`; the rest kept
/// its name.
fn lifecycle(index: &str, attr: &str, setting: &Setting) -> Option<(String, Setting)> {
    let (attr, setting) = match attr {
        "enabled" => ("status", status(setting, "Enabled", "Disabled")?),
        "noncurrent_version_expiration.days" => (
            "noncurrent_version_expiration.noncurrent_days",
            setting.clone(),
        ),
        other => (other, setting.clone()),
    };
    Some((format!("rule{index}.{attr}"), setting))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analyze::terraform::model::parse;

    fn items(text: &str) -> Vec<Item> {
        parse(text).map(|f| f.items).unwrap_or_default()
    }

    #[test]
    fn a_bucket_reference_names_the_bucket_whatever_its_instance_key() {
        for bucket in [
            "aws_s3_bucket.logs.id",
            "aws_s3_bucket.logs[0].bucket",
            "aws_s3_bucket.logs[each.key].id",
        ] {
            let text = format!(
                "resource \"aws_s3_bucket_versioning\" \"v\" {{\n  bucket = {bucket}\n}}\n"
            );
            let v = &items(&text)[0];
            assert_eq!(
                bucket_address(v).as_deref(),
                Some("aws_s3_bucket.logs"),
                "{bucket}"
            );
        }
        let literal =
            &items("resource \"aws_s3_bucket_versioning\" \"v\" {\n  bucket = \"logs\"\n}\n")[0];
        assert_eq!(bucket_address(literal), None);
    }

    #[test]
    fn inline_blocks_are_renamed_to_the_split_resources_shape() {
        let text = "resource \"aws_s3_bucket\" \"b\" {\n  versioning {\n    enabled = true\n  }\n  lifecycle_rule {\n    id = \"a\"\n    enabled = false\n    noncurrent_version_expiration {\n      days = 30\n    }\n  }\n}\n\
                    resource \"aws_s3_bucket_versioning\" \"b\" {\n  bucket = aws_s3_bucket.b.id\n}\n\
                    resource \"aws_s3_bucket_lifecycle_configuration\" \"b\" {\n  bucket = aws_s3_bucket.b.id\n}\n";
        let all = items(text);
        let v = stand_in(&all[0], &all[1]).expect("versioning");
        assert_eq!(
            v.get("versioning_configuration.status").map(|s| &s.value),
            Some(&Lit::Str("Enabled".into()))
        );
        let l = stand_in(&all[0], &all[2]).expect("lifecycle");
        assert_eq!(
            l.get("rule.status").map(|s| &s.value),
            Some(&Lit::Str("Disabled".into()))
        );
        assert_eq!(
            l.get("rule.noncurrent_version_expiration.noncurrent_days")
                .map(|s| &s.value),
            Some(&Lit::Num(30.0))
        );
        assert_eq!(l.rtype, "aws_s3_bucket_lifecycle_configuration");
    }

    #[test]
    fn a_bucket_without_the_inline_block_stands_in_for_nothing() {
        let all = items("resource \"aws_s3_bucket\" \"b\" {\n  bucket = \"x\"\n}\nresource \"aws_s3_bucket_versioning\" \"b\" {\n  bucket = aws_s3_bucket.b.id\n}\n");
        assert!(stand_in(&all[0], &all[1]).is_none());
    }
}
