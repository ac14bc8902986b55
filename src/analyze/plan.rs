//! plan: reads a Terraform/OpenTofu plan in its JSON form (`terraform show -json plan.out`),
//! handed to the CLI with `--plan FILE`, and reports every object the plan destroys or
//! replaces. The configuration analyzer infers destruction from source; the plan states it,
//! including what source analysis cannot see (variables, provider-forced replacements, drift).
//!
//! Plans are not changed files, so nothing here is dispatched per file: the front-end calls
//! [`analyze_plan`]. Severity comes from the same stateful-types table as the configuration
//! analyzer ([`crate::analyze::terraform::stateful`]).

use crate::analyze::terraform::stateful;
use crate::change::{RepoPath, Side};
use crate::finding::{Finding, Location, RuleId, Severity, Tag};
use crate::rules::Rule;
use serde::Deserialize;

const DESTRUCTIVE: &[Tag] = &[Tag::Destructive, Tag::Infra];

pub const PLAN_DELETE: Rule = Rule {
    id: RuleId("terraform/plan-delete"),
    severity: Severity::High,
    tags: DESTRUCTIVE,
    summary: "The Terraform plan deletes an object.",
    why: "A `delete` action in the plan is what `apply` will do. Critical for types that hold data, \
          medium for attachments, low for bookkeeping types, high otherwise.",
    example: "resource_changes: [{ \"address\": \"aws_db_instance.main\", \"change\": { \"actions\": [\"delete\"] } }]",
    safer: "Confirm the object is meant to go; to stop managing it without deleting it, use a `removed` block \
            with `lifecycle { destroy = false }`.",
};

pub const PLAN_REPLACE: Rule = Rule {
    id: RuleId("terraform/plan-replace"),
    severity: Severity::High,
    tags: DESTRUCTIVE,
    summary: "The Terraform plan replaces an object (destroy and create).",
    why: "A replacement destroys the existing object; for a database or a bucket, the new one starts empty. \
          The plan's `replace_paths` name the attributes that force it.",
    example: "resource_changes: [{ \"address\": \"aws_db_instance.main\", \"action_reason\": \"replace_because_cannot_update\", \
              \"change\": { \"actions\": [\"delete\", \"create\"], \"replace_paths\": [[\"engine\"]] } }]",
    safer: "Revert the attribute that forces replacement, or migrate the data to a new object deliberately; \
            add `lifecycle { prevent_destroy = true }` to stateful resources.",
};

pub const PLAN_UNPARSEABLE: Rule = Rule {
    id: RuleId("terraform/plan-unparseable"),
    severity: Severity::High,
    tags: &[Tag::Infra],
    summary: "The plan file given with --plan could not be read as a Terraform JSON plan.",
    why: "twokey fails closed: a plan it cannot read might delete anything.",
    example: "--plan plan.out   # the binary plan instead of `terraform show -json plan.out`",
    safer: "Pass the JSON form: `terraform show -json plan.out > plan.json`.",
};

pub const RULES: &[&Rule] = &[&PLAN_DELETE, &PLAN_REPLACE, &PLAN_UNPARSEABLE];

/// The parts of the plan JSON that say what is destroyed. Unknown fields are ignored, so
/// newer 1.x plans read the same.
#[derive(Debug, Deserialize)]
struct Plan {
    format_version: String,
    #[serde(default)]
    resource_changes: Vec<ResourceChange>,
    #[serde(default)]
    planned_values: Option<serde_json::Value>,
    #[serde(default)]
    configuration: Option<serde_json::Value>,
}

#[derive(Debug, Deserialize)]
struct ResourceChange {
    address: String,
    #[serde(default)]
    mode: Option<String>,
    #[serde(rename = "type")]
    resource_type: String,
    #[serde(default)]
    action_reason: Option<String>,
    /// Set when the change is to a deposed object left behind by a create-before-destroy.
    #[serde(default)]
    deposed: Option<String>,
    change: Change,
}

#[derive(Debug, Deserialize)]
struct Change {
    actions: Vec<String>,
    #[serde(default)]
    replace_paths: Vec<Vec<PathStep>>,
}

#[derive(Debug, Deserialize)]
#[serde(untagged)]
enum PathStep {
    Key(String),
    Index(u64),
    Other(serde_json::Value),
}

fn render_path(path: &[PathStep]) -> String {
    let mut out = String::new();
    for step in path {
        match step {
            PathStep::Key(k) if out.is_empty() => out.push_str(k),
            PathStep::Key(k) => {
                out.push('.');
                out.push_str(k);
            }
            PathStep::Index(i) => out.push_str(&format!("[{i}]")),
            PathStep::Other(v) => out.push_str(&format!("[{v}]")),
        }
    }
    out
}

/// Terraform's `action_reason` values, as a reviewer would say them.
fn reason_text(reason: &str) -> Option<&'static str> {
    Some(match reason {
        "replace_because_tainted" => "the object is tainted",
        "replace_because_cannot_update" => "the provider cannot update it in place",
        "replace_by_request" => "replacement was requested (-replace)",
        "replace_by_triggers" => "a `replace_triggered_by` reference changed",
        "delete_because_no_resource_config" => "its block was removed from the configuration",
        "delete_because_no_module" => "its module call was removed",
        "delete_because_wrong_repetition" => "count/for_each was added or removed",
        "delete_because_count_index" => "its count index is out of range",
        "delete_because_each_key" => "its for_each key is gone",
        "delete_because_no_move_target" => "a moved block points at an address that does not exist",
        _ => return None,
    })
}

fn reason_clause(reason: Option<&str>) -> String {
    match reason {
        Some(r) => match reason_text(r) {
            Some(text) => format!(" because {text} ({r})"),
            None => format!(" ({r})"),
        },
        None => String::new(),
    }
}

/// The change actions of Terraform's JSON plan format, spelled as it spells them.
const KNOWN_ACTIONS: &[&str] = &["no-op", "create", "read", "update", "delete", "forget"];

/// "a" or "an" before a resource type, by its first letter (`an aws_…`, `a google_…`).
fn article(word: &str) -> &'static str {
    match word.chars().next().map(|c| c.to_ascii_lowercase()) {
        Some('a' | 'e' | 'i' | 'o' | 'u') => "an",
        _ => "a",
    }
}

fn unparseable(path: &RepoPath, reason: &str) -> Finding {
    Finding::new(
        &PLAN_UNPARSEABLE,
        Location::file(path.clone(), Side::Head),
        format!(
            "{path} could not be read as a Terraform JSON plan ({reason}), so twokey cannot tell what it destroys; a human must review it."
        ),
    )
}

/// Whether twokey knows how to read this plan format version (0.x and 1.x).
fn supported(version: &str) -> bool {
    matches!(version.split('.').next(), Some("0" | "1"))
}

/// Finds the line of each resource change entry, in order, when the JSON is pretty-printed.
/// Minified plans put everything on line 1, which is still true.
struct Liner<'t> {
    text: &'t str,
    cursor: usize,
}

impl Liner<'_> {
    fn line_of(&mut self, address: &str) -> Option<u32> {
        let quoted = serde_json::to_string(address).ok()?;
        let mut from = self.cursor;
        while let Some(i) = self.text.get(from..).and_then(|t| t.find(&quoted)) {
            let at = from + i;
            let before = self.text.get(..at)?.trim_end();
            if let Some(before) = before.strip_suffix(':') {
                if before.trim_end().ends_with("\"address\"") {
                    self.cursor = at + quoted.len();
                    let line = self.text.get(..at)?.matches('\n').count() + 1;
                    return u32::try_from(line).ok();
                }
            }
            from = at + quoted.len();
        }
        None
    }
}

/// Reports every delete and replace in a plan JSON document.
pub fn analyze_plan(path: &RepoPath, text: &str) -> Vec<Finding> {
    let value: serde_json::Value = match serde_json::from_str(text) {
        Ok(v) => v,
        Err(e) => return vec![unparseable(path, &format!("invalid JSON: {e}"))],
    };
    if value.get("format_version").is_none() {
        return vec![unparseable(path, "no `format_version`, so not a plan")];
    }
    let plan: Plan = match serde_json::from_value(value) {
        Ok(p) => p,
        Err(e) => return vec![unparseable(path, &format!("unexpected plan shape: {e}"))],
    };
    if !supported(&plan.format_version) {
        return vec![unparseable(
            path,
            &format!("unsupported format_version {}", plan.format_version),
        )];
    }
    // A state file (`terraform show -json` without a plan) has format_version too.
    if plan.resource_changes.is_empty()
        && plan.planned_values.is_none()
        && plan.configuration.is_none()
    {
        return vec![unparseable(
            path,
            "no `resource_changes` or `planned_values`, so not a plan",
        )];
    }

    let start = text.find("\"resource_changes\"").unwrap_or(0);
    let mut liner = Liner {
        text,
        cursor: start,
    };
    let mut out = Vec::new();
    for rc in &plan.resource_changes {
        if rc.mode.as_deref() == Some("data") {
            continue;
        }
        let actions = &rc.change.actions;
        let has = |a: &str| actions.iter().any(|x| x == a);
        // An action this twokey does not know (a newer Terraform's, or a hand-edited plan)
        // may destroy: it needs a human rather than a pass.
        if let Some(unknown) = actions
            .iter()
            .find(|a| !KNOWN_ACTIONS.contains(&a.as_str()))
        {
            out.push(unparseable(
                path,
                &format!(
                    "`{}` has the action `{unknown}`, which twokey does not know",
                    rc.address
                ),
            ));
            continue;
        }
        if !has("delete") {
            continue;
        }
        let location = match liner.line_of(&rc.address) {
            Some(line) => Location::lines(path.clone(), Side::Head, line, line),
            None => Location::file(path.clone(), Side::Head),
        };
        let severity = stateful::destroy_severity(&rc.resource_type);
        let data = if stateful::stateful(&rc.resource_type) {
            " and the data it holds"
        } else {
            ""
        };
        let deposed = match &rc.deposed {
            Some(key) => format!(" (deposed object {key})"),
            None => String::new(),
        };
        let reason = reason_clause(rc.action_reason.as_deref());
        let finding = if has("create") {
            let order = if actions.first().map(String::as_str) == Some("create") {
                "creates the new one first, then destroys"
            } else {
                "destroys"
            };
            let paths: Vec<String> = rc
                .change
                .replace_paths
                .iter()
                .map(|p| format!("`{}`", render_path(p)))
                .collect();
            let forced = if paths.is_empty() {
                String::new()
            } else {
                format!("; changing {} forces it", paths.join(", "))
            };
            Finding::new(
                &PLAN_REPLACE,
                location,
                format!(
                    "The plan replaces `{}`{deposed}{reason}: it {order} the existing {}{data}{forced}.",
                    rc.address, rc.resource_type
                ),
            )
        } else {
            Finding::new(
                &PLAN_DELETE,
                location,
                format!(
                    "The plan destroys `{}`{deposed}, {} {}{data}{reason}.",
                    rc.address,
                    article(&rc.resource_type),
                    rc.resource_type
                ),
            )
        };
        // Config allow-lists name Terraform objects by address, as the static findings do.
        out.push(finding.with_severity(severity).with_subject(&rc.address));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    const PLAN: &str = r#"{
  "format_version": "1.2",
  "terraform_version": "1.9.5",
  "planned_values": { "root_module": {} },
  "resource_changes": [
    {
      "address": "aws_db_instance.main",
      "mode": "managed",
      "type": "aws_db_instance",
      "name": "main",
      "provider_name": "registry.terraform.io/hashicorp/aws",
      "change": {
        "actions": ["delete", "create"],
        "before": { "engine": "postgres" },
        "after": { "engine": "mysql" },
        "after_unknown": {},
        "replace_paths": [["engine"], ["tags", "Name"], ["ebs", 0, "size"]]
      },
      "action_reason": "replace_because_cannot_update"
    },
    {
      "address": "aws_s3_bucket.logs",
      "mode": "managed",
      "type": "aws_s3_bucket",
      "name": "logs",
      "change": { "actions": ["delete"], "before": {}, "after": null },
      "action_reason": "delete_because_no_resource_config"
    },
    {
      "address": "aws_instance.web",
      "mode": "managed",
      "type": "aws_instance",
      "name": "web",
      "change": { "actions": ["create", "delete"] },
      "action_reason": "replace_because_tainted"
    },
    {
      "address": "aws_security_group_rule.ssh",
      "mode": "managed",
      "type": "aws_security_group_rule",
      "name": "ssh",
      "change": { "actions": ["delete"] }
    },
    {
      "address": "aws_iam_role.ci",
      "mode": "managed",
      "type": "aws_iam_role",
      "name": "ci",
      "change": { "actions": ["update"] }
    },
    {
      "address": "aws_sqs_queue.jobs",
      "mode": "managed",
      "type": "aws_sqs_queue",
      "name": "jobs",
      "change": { "actions": ["forget"] }
    },
    {
      "address": "data.aws_ami.ubuntu",
      "mode": "data",
      "type": "aws_ami",
      "name": "ubuntu",
      "change": { "actions": ["read"] }
    },
    {
      "address": "aws_vpc.main",
      "mode": "managed",
      "type": "aws_vpc",
      "name": "main",
      "change": { "actions": ["no-op"] }
    },
    {
      "address": "aws_kms_key.k",
      "mode": "managed",
      "type": "aws_kms_key",
      "name": "k",
      "change": { "actions": ["create"] }
    }
  ]
}"#;

    fn run(text: &str) -> Vec<Finding> {
        analyze_plan(&RepoPath::new("plan.json"), text)
    }

    #[test]
    fn deletes_and_replaces_are_reported_with_reasons_and_lines() {
        let f = run(PLAN);
        let ids: Vec<&str> = f.iter().map(|f| f.rule.as_str()).collect();
        assert_eq!(
            ids,
            [
                "terraform/plan-replace",
                "terraform/plan-delete",
                "terraform/plan-replace",
                "terraform/plan-delete"
            ]
        );
        let db = &f[0];
        assert_eq!(db.severity, Severity::Critical);
        assert_eq!(db.location.line, Some(7));
        assert!(
            db.message.contains("replace_because_cannot_update"),
            "{}",
            db.message
        );
        assert!(
            db.message.contains("`engine`, `tags.Name`, `ebs[0].size`"),
            "{}",
            db.message
        );
        assert_eq!(f[1].severity, Severity::Critical);
        assert!(f[1].message.contains("removed from the configuration"));
        assert!(
            f[1].message.contains(", an aws_s3_bucket"),
            "{}",
            f[1].message
        );
        assert!(
            f[2].message.contains("creates the new one first"),
            "{}",
            f[2].message
        );
        assert_eq!(f[2].severity, Severity::High);
        assert_eq!(f[3].severity, Severity::Medium);
        assert!(f.iter().all(|f| f.tags.contains(&Tag::Destructive)));
    }

    #[test]
    fn plan_findings_name_their_address_so_config_allows_cover_them() {
        let f = run(PLAN);
        assert_eq!(f[0].subject.as_deref(), Some("aws_db_instance.main"));
        assert_eq!(f[1].subject.as_deref(), Some("aws_s3_bucket.logs"));
        assert!(f.iter().all(|f| f.subject.is_some()));
        assert_eq!(article("google_sql_database"), "a");
        assert_eq!(article("azurerm_key_vault"), "an");
    }

    #[test]
    fn forget_update_read_noop_and_create_are_quiet() {
        let quiet = r#"{"format_version":"1.2","resource_changes":[
            {"address":"a.b","mode":"managed","type":"aws_db_instance","name":"b","change":{"actions":["forget"]}},
            {"address":"a.c","mode":"managed","type":"aws_db_instance","name":"c","change":{"actions":["update"]}},
            {"address":"a.d","mode":"managed","type":"aws_db_instance","name":"d","change":{"actions":["no-op"]}},
            {"address":"a.e","mode":"managed","type":"aws_db_instance","name":"e","change":{"actions":["create"]}}]}"#;
        assert!(run(quiet).is_empty());
    }

    #[test]
    fn old_format_and_minified_plans_are_read() {
        let old = r#"{"format_version":"0.1","resource_changes":[{"address":"aws_ebs_volume.v","mode":"managed","type":"aws_ebs_volume","name":"v","change":{"actions":["delete"]}}]}"#;
        let f = run(old);
        assert_eq!(f.len(), 1);
        assert_eq!(f[0].rule, PLAN_DELETE.id);
        assert_eq!(f[0].location.line, Some(1));
    }

    fn one_change(version: &str, rc: &str) -> String {
        format!(r#"{{"format_version":"{version}","resource_changes":[{rc}]}}"#)
    }

    #[test]
    fn every_released_format_version_is_read() {
        let rc = r#"{"address":"aws_ebs_volume.v","mode":"managed","type":"aws_ebs_volume","name":"v","change":{"actions":["delete"]}}"#;
        for version in ["0.1", "0.2", "1.0", "1.1", "1.2"] {
            let f = run(&one_change(version, rc));
            assert_eq!(f.len(), 1, "{version}");
            assert_eq!(f[0].rule, PLAN_DELETE.id, "{version}");
        }
    }

    #[test]
    fn replace_paths_name_the_attribute_that_forces_replacement() {
        let rc = r#"{"address":"google_sql_database_instance.main","mode":"managed","type":"google_sql_database_instance","name":"main",
            "change":{"actions":["delete","create"],"replace_paths":[["region"]]},"action_reason":"replace_because_cannot_update"}"#;
        let f = run(&one_change("1.2", rc));
        assert_eq!(f[0].rule, PLAN_REPLACE.id);
        assert_eq!(f[0].severity, Severity::Critical);
        assert!(
            f[0].message.contains("changing `region` forces it"),
            "{}",
            f[0].message
        );
        assert!(
            f[0].message.contains("cannot update it in place"),
            "{}",
            f[0].message
        );
        // Without replace_paths (a taint, a -replace) nothing is named.
        let tainted = rc
            .replace(r#""replace_paths":[["region"]]"#, r#""replace_paths":[]"#)
            .replace("replace_because_cannot_update", "replace_because_tainted");
        let f = run(&one_change("1.2", &tainted));
        assert!(!f[0].message.contains("forces it"), "{}", f[0].message);
        assert!(
            f[0].message.contains("the object is tainted"),
            "{}",
            f[0].message
        );
    }

    #[test]
    fn every_action_reason_is_explained() {
        let reasons = [
            (
                "replace_because_tainted",
                "[\"delete\",\"create\"]",
                "tainted",
            ),
            (
                "replace_because_cannot_update",
                "[\"delete\",\"create\"]",
                "cannot update",
            ),
            ("replace_by_request", "[\"delete\",\"create\"]", "-replace"),
            (
                "replace_by_triggers",
                "[\"create\",\"delete\"]",
                "replace_triggered_by",
            ),
            (
                "delete_because_no_resource_config",
                "[\"delete\"]",
                "block was removed",
            ),
            (
                "delete_because_no_module",
                "[\"delete\"]",
                "module call was removed",
            ),
            (
                "delete_because_wrong_repetition",
                "[\"delete\"]",
                "count/for_each",
            ),
            ("delete_because_count_index", "[\"delete\"]", "count index"),
            ("delete_because_each_key", "[\"delete\"]", "for_each key"),
            (
                "delete_because_no_move_target",
                "[\"delete\"]",
                "moved block",
            ),
        ];
        for (reason, actions, text) in reasons {
            let rc = format!(
                r#"{{"address":"aws_sqs_queue.q","mode":"managed","type":"aws_sqs_queue","name":"q","change":{{"actions":{actions}}},"action_reason":"{reason}"}}"#
            );
            let f = run(&one_change("1.2", &rc));
            assert_eq!(f.len(), 1, "{reason}");
            assert!(f[0].message.contains(reason), "{reason}: {}", f[0].message);
            assert!(f[0].message.contains(text), "{reason}: {}", f[0].message);
        }
        // A reason twokey does not know yet is still quoted.
        let rc = r#"{"address":"a.b","mode":"managed","type":"aws_sqs_queue","name":"b","change":{"actions":["delete"]},"action_reason":"delete_because_something_new"}"#;
        assert!(run(&one_change("1.2", rc))[0]
            .message
            .contains("(delete_because_something_new)"));
    }

    #[test]
    fn forget_keeps_the_object_and_is_quiet() {
        // `removed { lifecycle { destroy = false } }` (Terraform/OpenTofu 1.7+) plans `forget`;
        // a replacement that forgets the old object leaves it running too.
        for actions in [r#"["Delete"]"#, r#"["destroy"]"#] {
            let rc = format!(
                r#"{{"address":"aws_db_instance.old","mode":"managed","type":"aws_db_instance","name":"old","change":{{"actions":{actions}}}}}"#
            );
            let f = run(&one_change("1.2", &rc));
            assert_eq!(f.len(), 1, "{actions}");
            assert_eq!(f[0].rule, PLAN_UNPARSEABLE.id, "{actions}");
            assert!(
                f[0].message.contains("aws_db_instance.old"),
                "{}",
                f[0].message
            );
        }
        for actions in [r#"["forget"]"#, r#"["create","forget"]"#] {
            let rc = format!(
                r#"{{"address":"aws_db_instance.old","mode":"managed","type":"aws_db_instance","name":"old","change":{{"actions":{actions}}},"action_reason":"delete_because_no_resource_config"}}"#
            );
            assert!(run(&one_change("1.2", &rc)).is_empty(), "{actions}");
        }
    }

    #[test]
    fn opentofu_plans_are_read_like_terraform_plans() {
        let tofu = r#"{
  "format_version": "1.2",
  "terraform_version": "1.8.3",
  "planned_values": { "root_module": {} },
  "resource_changes": [
    {
      "address": "module.db.aws_rds_cluster.main",
      "module_address": "module.db",
      "mode": "managed",
      "type": "aws_rds_cluster",
      "name": "main",
      "provider_name": "registry.opentofu.org/hashicorp/aws",
      "change": { "actions": ["delete", "create"], "replace_paths": [["cluster_identifier"]] },
      "action_reason": "replace_because_cannot_update"
    }
  ]
}"#;
        let f = run(tofu);
        assert_eq!(f.len(), 1);
        assert_eq!(f[0].rule, PLAN_REPLACE.id);
        assert_eq!(f[0].severity, Severity::Critical);
        assert_eq!(f[0].location.line, Some(7));
        assert!(
            f[0].message.contains("`cluster_identifier`"),
            "{}",
            f[0].message
        );
    }

    #[test]
    fn empty_plan_is_quiet() {
        assert!(run(r#"{"format_version":"1.2","planned_values":{}}"#).is_empty());
    }

    #[test]
    fn invalid_json_or_not_a_plan_needs_a_human() {
        for text in [
            "not json",
            "[]",
            r#"{"resources": []}"#,
            r#"{"format_version":"2.0","resource_changes":[]}"#,
            r#"{"format_version":"1.0","values":{}}"#,
            r#"{"format_version":"1.2","resource_changes":[{"address":"x"}]}"#,
        ] {
            let f = run(text);
            assert_eq!(f.len(), 1, "{text}");
            assert_eq!(f[0].rule, PLAN_UNPARSEABLE.id, "{text}");
            assert_eq!(f[0].tags, [Tag::Infra]);
        }
    }

    proptest! {
        #[test]
        fn arbitrary_input_never_panics(text in "\\PC{0,200}") {
            let f = run(&text);
            // Anything that is not a plan yields exactly one unparseable finding.
            if serde_json::from_str::<serde_json::Value>(&text).is_err() {
                prop_assert_eq!(f.len(), 1);
                prop_assert_eq!(f[0].rule, PLAN_UNPARSEABLE.id);
            }
        }

        #[test]
        fn every_delete_action_is_reported_once(
            actions in proptest::collection::vec(
                prop_oneof![
                    Just(r#"["delete"]"#), Just(r#"["delete","create"]"#), Just(r#"["create","delete"]"#),
                    Just(r#"["create"]"#), Just(r#"["update"]"#), Just(r#"["forget"]"#), Just(r#"["no-op"]"#),
                ],
                0..8,
            )
        ) {
            let entries: Vec<String> = actions.iter().enumerate().map(|(i, a)| format!(
                r#"{{"address":"aws_instance.i{i}","mode":"managed","type":"aws_instance","name":"i{i}","change":{{"actions":{a}}}}}"#
            )).collect();
            let text = format!(r#"{{"format_version":"1.2","planned_values":{{}},"resource_changes":[{}]}}"#, entries.join(","));
            let expected = actions.iter().filter(|a| a.contains("delete")).count();
            prop_assert_eq!(run(&text).len(), expected);
        }
    }
}
