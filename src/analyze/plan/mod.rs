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
use serde::de::IgnoredAny;
use serde::Deserialize;
use serde_json::error::Category;

mod decode;
mod documents;
mod lines;
mod not_json;

use lines::Lines;

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
    summary: "The plan file given with --plan could not be read as a complete Terraform JSON plan.",
    why: "twokey fails closed: a plan it cannot read might delete anything. That includes a file that is \
          not JSON (the saved binary plan, for one, or the log of setup-terraform's wrapper), JSON that \
          is not a plan (a state file), a format version or an action twokey does not know, and the plan of a run that failed (`errored: true`), \
          which lists only what was planned before the error.",
    example: "--plan plan.out   # the binary plan instead of `terraform show -json plan.out`",
    safer: "Pass the JSON form of a plan that succeeded: `terraform show -json plan.out > plan.json`.",
};

pub const RULES: &[&Rule] = &[&PLAN_DELETE, &PLAN_REPLACE, &PLAN_UNPARSEABLE];

/// The parts of the plan JSON that say what is destroyed. Unknown fields are ignored, so
/// newer 1.x plans read the same, and the large ones (`prior_state`, each change's `before`
/// and `after`) are skipped while parsing rather than held in memory.
#[derive(Debug, Deserialize)]
struct Plan {
    #[serde(default)]
    format_version: Option<String>,
    #[serde(default)]
    resource_changes: Option<Vec<ResourceChange>>,
    /// Terraform 1.9+ with deferred actions: changes left for a later plan and apply.
    #[serde(default)]
    deferred_changes: Option<Vec<Deferred>>,
    #[serde(default)]
    planned_values: Option<IgnoredAny>,
    #[serde(default)]
    configuration: Option<IgnoredAny>,
    /// Set when planning stopped on an error: the changes listed are only those planned so far.
    #[serde(default)]
    errored: bool,
    /// A state file's (`terraform.tfstate`) own key, read only to name the mistake.
    #[serde(default)]
    lineage: Option<IgnoredAny>,
    /// Where `terraform show -json` of a state, rather than of a plan, puts its objects.
    #[serde(default)]
    values: Option<IgnoredAny>,
}

#[derive(Debug, Deserialize)]
struct Deferred {
    #[serde(default)]
    reason: Option<String>,
    resource_change: ResourceChange,
}

#[derive(Debug, Deserialize)]
struct ResourceChange {
    address: String,
    /// Where a `moved` block (or a refactor Terraform recognised) takes the object from.
    #[serde(default)]
    previous_address: Option<String>,
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
    /// Set (Terraform 1.5+) when an `import` block brings the object under management in
    /// this plan: if the change also destroys it, the object destroyed is the imported one.
    #[serde(default)]
    importing: Option<Importing>,
}

#[derive(Debug, Deserialize)]
struct Importing {
    /// The import ID; Terraform 1.12+ may import by `identity` instead, or not know it yet.
    #[serde(default)]
    id: Option<serde_json::Value>,
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
    Source::whole(path).unparseable(reason)
}

/// The plan a finding comes from: its file, and which document of it when the file holds
/// several (Terragrunt's `run-all show -json`).
struct Source<'a> {
    path: &'a RepoPath,
    /// `document 2, line 35`, when the file holds more than one.
    document: Option<String>,
}

impl<'a> Source<'a> {
    fn whole(path: &'a RepoPath) -> Source<'a> {
        Source {
            path,
            document: None,
        }
    }

    /// The file as a reviewer finds it: `plan.json`, or `plan.json (document 2, line 35)`.
    fn name(&self) -> String {
        match &self.document {
            Some(document) => format!("{} ({document})", self.path),
            None => self.path.to_string(),
        }
    }

    /// The subject of a finding's sentence: `The plan`, or `The plan (document 2, line 35)`,
    /// since the units of a Terragrunt stack often hold the same addresses.
    fn plan(&self) -> String {
        match &self.document {
            Some(document) => format!("The plan ({document})"),
            None => "The plan".to_owned(),
        }
    }

    fn unparseable(&self, reason: &str) -> Finding {
        Finding::new(
            &PLAN_UNPARSEABLE,
            Location::file(self.path.clone(), Side::Head),
            format!(
                "{} could not be read as a Terraform JSON plan ({reason}), so twokey cannot tell what it destroys; a human must review it.",
                self.name()
            ),
        )
    }
}

/// Whether twokey knows how to read this plan format version (0.x and 1.x).
fn supported(version: &str) -> bool {
    matches!(version.split('.').next(), Some("0" | "1"))
}

/// Terraform's deferral reasons (`deferred_changes[].reason`), as a reviewer would say them.
fn deferral_text(reason: &str) -> Option<&'static str> {
    Some(match reason {
        "instance_count_unknown" => "its count or for_each is not known yet",
        "resource_config_unknown" => "its configuration is not known yet",
        "provider_config_unknown" => "its provider's configuration is not known yet",
        "deferred_prereq" => "something it depends on is deferred",
        "absent_prereq" => "something it depends on does not exist yet",
        "excluded" | "not_included" => "it was left out of this run",
        _ => return None,
    })
}

fn deferral_clause(reason: Option<&str>) -> String {
    let why = match reason {
        Some(r) => match deferral_text(r) {
            Some(text) => format!(" because {text} ({r})"),
            None => format!(" ({r})"),
        },
        None => String::new(),
    };
    format!(" It is deferred{why}: not this apply but a later plan and apply carry it out.")
}

/// Reads the bytes of a `--plan` file (UTF-8, with or without a byte-order mark, or UTF-16
/// as Windows PowerShell writes it) and reports what the plan destroys. Bytes that are not
/// a JSON plan, a saved binary plan among them, are a finding: twokey fails closed.
pub fn analyze_plan_file(path: &RepoPath, bytes: &[u8]) -> Vec<Finding> {
    match decode::decode(bytes) {
        Ok(text) => analyze_plan(path, &text),
        Err(reason) => vec![unparseable(path, &reason)],
    }
}

/// Reports every delete and replace in the plan JSON documents of a file: one, as
/// `terraform show -json` prints it, or one per unit, as Terragrunt's `run-all show -json` does.
pub fn analyze_plan(path: &RepoPath, text: &str) -> Vec<Finding> {
    let docs = documents::documents::<Plan>(text);
    if docs.is_empty() {
        return vec![unparseable(path, "the file is empty")];
    }
    let several = docs.len() > 1;
    let mut out = Vec::new();
    for (i, doc) in docs.into_iter().enumerate() {
        let source = Source {
            path,
            document: several.then(|| format!("document {}, line {}", i + 1, doc.first_line)),
        };
        out.extend(analyze_document(&source, doc));
    }
    out
}

/// Reports every delete and replace in one plan JSON document.
fn analyze_document(source: &Source<'_>, doc: documents::Document<'_, Plan>) -> Vec<Finding> {
    let plan = match doc.value {
        Ok(p) => p,
        Err(e) if e.classify() == Category::Data => {
            return vec![source.unparseable(&format!("unexpected plan shape: {e}"))]
        }
        Err(e) => return vec![source.unparseable(&not_json::reason(doc.text, &e))],
    };
    let Some(version) = &plan.format_version else {
        return vec![source.unparseable(if plan.lineage.is_some() {
            "it is a Terraform state file, not a plan: pass `terraform show -json plan.out` of a saved plan"
        } else {
            "no `format_version`, so not a plan"
        })];
    };
    if !supported(version) {
        return vec![source.unparseable(&format!("unsupported format_version {version}"))];
    }
    // A state file (`terraform show -json` without a plan) has format_version too.
    if plan.resource_changes.is_none()
        && plan.deferred_changes.is_none()
        && plan.planned_values.is_none()
        && plan.configuration.is_none()
    {
        return vec![source.unparseable(if plan.values.is_some() {
            "it is `terraform show -json` of a state, not of a plan: pass `terraform show -json plan.out` of a saved plan"
        } else {
            "no `resource_changes` or `planned_values`, so not a plan"
        })];
    }

    let mut out = Vec::new();
    if plan.errored {
        out.push(Finding::new(
            &PLAN_UNPARSEABLE,
            Location::file(source.path.clone(), Side::Head),
            format!(
                "{} is the plan of a run that failed (`errored: true`): Terraform stopped planning, so the plan may destroy more than it lists; a human must review it, and the errors must be fixed and the plan made again.",
                source.name()
            ),
        ));
    }
    let mut lines =
        Lines::after(doc.text, "\"resource_changes\"", lines::ENTRY).below(doc.lines_before);
    for rc in plan.resource_changes.iter().flatten() {
        out.extend(change_finding(source, rc, &mut lines, None));
    }
    let mut lines =
        Lines::after(doc.text, "\"deferred_changes\"", lines::DEFERRED).below(doc.lines_before);
    for deferred in plan.deferred_changes.iter().flatten() {
        let clause = deferral_clause(deferred.reason.as_deref());
        out.extend(change_finding(
            source,
            &deferred.resource_change,
            &mut lines,
            Some(&clause),
        ));
    }
    out
}

/// The finding for one resource change, if it destroys anything. `deferral` is appended to
/// the message of a change that is deferred to a later run.
fn change_finding(
    source: &Source<'_>,
    rc: &ResourceChange,
    lines: &mut Lines<'_>,
    deferral: Option<&str>,
) -> Option<Finding> {
    // A data source is only read, and an ephemeral resource (Terraform 1.10+) is opened and
    // closed within the run: neither has anything in state to destroy.
    if matches!(rc.mode.as_deref(), Some("data" | "ephemeral")) {
        return None;
    }
    let actions = &rc.change.actions;
    let has = |a: &str| actions.iter().any(|x| x == a);
    // Terraform always writes at least `no-op`: an empty list says nothing, so it cannot pass.
    if actions.is_empty() {
        return Some(source.unparseable(&format!("`{}` has an empty list of actions", rc.address)));
    }
    // An action this twokey does not know (a newer Terraform's, or a hand-edited plan)
    // may destroy: it needs a human rather than a pass.
    if let Some(unknown) = actions
        .iter()
        .find(|a| !KNOWN_ACTIONS.contains(&a.as_str()))
    {
        return Some(source.unparseable(&format!(
            "`{}` has the action `{unknown}`, which twokey does not know",
            rc.address
        )));
    }
    if !has("delete") {
        return None;
    }
    let path = source.path;
    let location = match lines.line_of(&rc.address) {
        Some(line) => Location::lines(path.clone(), Side::Head, line, line),
        None => Location::file(path.clone(), Side::Head),
    };
    let severity = stateful::destroy_severity(&rc.resource_type);
    let data = if stateful::stateful(&rc.resource_type) {
        " and the data it holds"
    } else {
        ""
    };
    let mut qualifiers = Vec::new();
    if let Some(key) = &rc.deposed {
        qualifiers.push(format!("deposed object {key}"));
    }
    // Moved and replaced: the object destroyed is the one known by its old address.
    if let Some(from) = rc.previous_address.as_deref().filter(|p| *p != rc.address) {
        qualifiers.push(format!("moved from `{from}`"));
    }
    // Imported and then destroyed: the real object an `import` block names is what goes.
    if let Some(importing) = &rc.change.importing {
        qualifiers.push(match importing.id.as_ref().and_then(|id| id.as_str()) {
            Some(id) => format!("imported from `{id}` in this plan"),
            None => "imported in this plan".to_owned(),
        });
    }
    let qualifiers = if qualifiers.is_empty() {
        String::new()
    } else {
        format!(" ({})", qualifiers.join(", "))
    };
    let reason = reason_clause(rc.action_reason.as_deref());
    let mut finding = if has("create") {
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
                "{} replaces `{}`{qualifiers}{reason}: it {order} the existing {}{data}{forced}.",
                source.plan(),
                rc.address,
                rc.resource_type
            ),
        )
    } else {
        Finding::new(
            &PLAN_DELETE,
            location,
            format!(
                "{} destroys `{}`{qualifiers}, {} {}{data}{reason}.",
                source.plan(),
                rc.address,
                article(&rc.resource_type),
                rc.resource_type
            ),
        )
    };
    if let Some(deferral) = deferral {
        finding.message.push_str(deferral);
    }
    // Config allow-lists name Terraform objects by address, as the static findings do.
    Some(finding.with_severity(severity).with_subject(&rc.address))
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

    #[test]
    fn an_errored_plan_needs_a_human_and_still_names_what_it_destroys() {
        // `terraform plan -out` keeps a plan that stopped on an error; `show -json` says so.
        let errored = r#"{"format_version":"1.2","planned_values":{"root_module":{}},
            "configuration":{"root_module":{}},"errored":true}"#;
        let f = run(errored);
        assert_eq!(f.len(), 1);
        assert_eq!(f[0].rule, PLAN_UNPARSEABLE.id);
        assert!(f[0].message.contains("errored: true"), "{}", f[0].message);
        assert!(
            f[0].message.contains("may destroy more"),
            "{}",
            f[0].message
        );

        let with_delete = r#"{"format_version":"1.2","resource_changes":[
            {"address":"aws_s3_bucket.a","mode":"managed","type":"aws_s3_bucket","name":"a","change":{"actions":["delete"]}}],
            "applyable":false,"complete":false,"errored":true}"#;
        let ids: Vec<&str> = run(with_delete).iter().map(|f| f.rule.as_str()).collect();
        assert_eq!(ids, ["terraform/plan-unparseable", "terraform/plan-delete"]);

        let fine = r#"{"format_version":"1.2","planned_values":{},"applyable":true,"complete":true,"errored":false}"#;
        assert!(run(fine).is_empty());
    }

    #[test]
    fn a_deferred_delete_is_reported_as_coming_later() {
        let plan = r#"{"format_version":"1.2","planned_values":{"root_module":{}},
            "resource_changes":[],
            "deferred_changes":[
              {"reason":"provider_config_unknown","resource_change":{"address":"module.k8s.kubernetes_namespace.app","mode":"managed","type":"kubernetes_namespace","name":"app","change":{"actions":["delete"]}}},
              {"reason":"instance_count_unknown","resource_change":{"address":"aws_instance.web[0]","mode":"managed","type":"aws_instance","name":"web","change":{"actions":["create"]}}}],
            "complete":false}"#;
        let f = run(plan);
        assert_eq!(f.len(), 1);
        assert_eq!(f[0].rule, PLAN_DELETE.id);
        assert_eq!(
            f[0].subject.as_deref(),
            Some("module.k8s.kubernetes_namespace.app")
        );
        assert!(f[0].message.contains("deferred because its provider's configuration is not known yet (provider_config_unknown)"), "{}", f[0].message);
        assert!(
            f[0].message.contains("a later plan and apply"),
            "{}",
            f[0].message
        );
        assert_eq!(f[0].location.line, Some(4));
    }

    #[test]
    fn drift_and_output_changes_are_not_destroys() {
        let plan = r#"{"format_version":"1.2","planned_values":{"root_module":{}},
            "resource_drift":[{"address":"aws_db_instance.gone","mode":"managed","type":"aws_db_instance","name":"gone","change":{"actions":["delete"]}}],
            "resource_changes":[{"address":"aws_iam_role.r","mode":"managed","type":"aws_iam_role","name":"r","change":{"actions":["update"]}}],
            "output_changes":{"db":{"actions":["delete"],"before":"x","after":null}}}"#;
        assert!(run(plan).is_empty());
    }

    #[test]
    fn a_moved_object_that_is_replaced_names_its_old_address() {
        let rc = r#"{"address":"aws_db_instance.new","previous_address":"aws_db_instance.old","mode":"managed","type":"aws_db_instance","name":"new",
            "change":{"actions":["delete","create"],"replace_paths":[["identifier"]]},"action_reason":"replace_because_cannot_update"}"#;
        let f = run(&one_change("1.2", rc));
        assert!(
            f[0].message
                .contains("`aws_db_instance.new` (moved from `aws_db_instance.old`)"),
            "{}",
            f[0].message
        );
        // Moved without a destroy is quiet, as any update is.
        let moved = rc.replace(r#"["delete","create"]"#, r#"["no-op"]"#);
        assert!(run(&one_change("1.2", &moved)).is_empty());
    }

    #[test]
    fn addresses_go_escapes_point_at_their_entry() {
        // Terraform writes `&` in a for_each key as \u0026 (Go's JSON encoder).
        let plan = "{\n  \"format_version\": \"1.2\",\n  \"resource_changes\": [\n    {\n      \"address\": \"module.a.module.b.aws_ssm_parameter.p[\\\"x\\u0026y\\\"]\",\n      \"mode\": \"managed\", \"type\": \"aws_ssm_parameter\", \"name\": \"p\",\n      \"change\": {\"actions\": [\"delete\"]}\n    }\n  ]\n}";
        let f = run(plan);
        assert_eq!(
            f[0].subject.as_deref(),
            Some("module.a.module.b.aws_ssm_parameter.p[\"x&y\"]")
        );
        assert_eq!(f[0].location.line, Some(5));
    }

    #[test]
    fn plan_files_from_powershell_are_read_and_binary_plans_are_named() {
        let path = RepoPath::new("plan.json");
        let rc = r#"{"address":"aws_ebs_volume.v","mode":"managed","type":"aws_ebs_volume","name":"v","change":{"actions":["delete"]}}"#;
        let text = one_change("1.2", rc);
        let mut utf16 = vec![0xFF, 0xFE];
        utf16.extend(text.encode_utf16().flat_map(u16::to_le_bytes));
        let mut bom = b"\xEF\xBB\xBF".to_vec();
        bom.extend(text.as_bytes());
        for bytes in [utf16, bom] {
            let f = analyze_plan_file(&path, &bytes);
            assert_eq!(f.len(), 1);
            assert_eq!(f[0].rule, PLAN_DELETE.id);
        }
        let f = analyze_plan_file(&path, b"PK\x03\x04\x14\x00\x08\x00tfplan");
        assert_eq!(f[0].rule, PLAN_UNPARSEABLE.id);
        assert!(
            f[0].message.contains("binary plan file"),
            "{}",
            f[0].message
        );
        let f = analyze_plan_file(&path, b"  \n");
        assert!(
            f[0].message.contains("the file is empty"),
            "{}",
            f[0].message
        );
    }

    #[test]
    fn a_large_plan_points_every_entry_at_its_own_line() {
        // Thousands of entries: each finding's line is its entry's, found in one pass.
        let entries: Vec<String> = (0..3000)
            .map(|i| format!(
                "    {{\n      \"address\": \"module.m.aws_instance.web[\\\"k{i}\\\"]\",\n      \"mode\": \"managed\", \"type\": \"aws_instance\", \"name\": \"web\",\n      \"change\": {{\"actions\": [\"delete\"], \"before\": {{\"address\": \"10.0.0.{i}\"}}}}\n    }}"
            ))
            .collect();
        let plan = format!(
            "{{\n  \"format_version\": \"1.2\",\n  \"resource_changes\": [\n{}\n  ]\n}}",
            entries.join(",\n")
        );
        let f = run(&plan);
        assert_eq!(f.len(), 3000);
        for (i, finding) in f.iter().enumerate() {
            assert_eq!(finding.location.line, Some(5 + 5 * i as u32), "{i}");
        }
    }

    fn delete(address: &str, resource_type: &str) -> String {
        format!(
            r#"{{"address":"{address}","mode":"managed","type":"{resource_type}","name":"n","change":{{"actions":["delete"]}}}}"#
        )
    }

    #[test]
    fn a_terragrunt_run_all_concatenation_is_read_unit_by_unit() {
        // `terragrunt run-all show -json` prints one plan per unit, one after the other.
        let first = one_change("1.2", &delete("aws_db_instance.a", "aws_db_instance"));
        let second = r#"{"format_version":"1.2","planned_values":{},"resource_changes":[]}"#;
        let third = format!(
            "{{\n  \"format_version\": \"1.2\",\n  \"resource_changes\": [\n    {}\n  ]\n}}",
            delete("aws_s3_bucket.b", "aws_s3_bucket")
        );
        let f = run(&format!("{first}\n{second}\n{third}\n"));
        let found: Vec<(&str, Option<u32>)> = f
            .iter()
            .map(|f| (f.subject.as_deref().unwrap_or(""), f.location.line))
            .collect();
        assert_eq!(
            found,
            [("aws_db_instance.a", Some(1)), ("aws_s3_bucket.b", Some(6))]
        );
        assert!(f.iter().all(|f| f.rule == PLAN_DELETE.id));
        // Units often hold the same addresses: each finding says which plan it is from.
        assert!(
            f[1].message
                .starts_with("The plan (document 3, line 3) destroys `aws_s3_bucket.b`"),
            "{}",
            f[1].message
        );
        // Units without changes are as quiet as one is.
        assert!(run(&format!("{second}\n{second}")).is_empty());
    }

    #[test]
    fn a_broken_unit_of_a_concatenation_is_named_after_the_units_before_it() {
        let first = one_change("1.2", &delete("aws_db_instance.a", "aws_db_instance"));
        let f = run(&format!(
            "{first}\n{{\"format_version\": \"1.2\", \"resource_"
        ));
        let ids: Vec<&str> = f.iter().map(|f| f.rule.as_str()).collect();
        assert_eq!(ids, ["terraform/plan-delete", "terraform/plan-unparseable"]);
        assert!(
            f[1].message
                .starts_with("plan.json (document 2, line 2) could not be read"),
            "{}",
            f[1].message
        );
        assert!(f[1].message.contains("cut short"), "{}", f[1].message);
        // An errored unit says which it is, too.
        let errored = r#"{"format_version":"1.2","planned_values":{},"errored":true}"#;
        let f = run(&format!("{first}\n\n{errored}"));
        assert_eq!(f[1].rule, PLAN_UNPARSEABLE.id);
        assert!(
            f[1].message
                .starts_with("plan.json (document 2, line 3) is the plan of a run that failed"),
            "{}",
            f[1].message
        );
    }

    #[test]
    fn a_state_file_is_named_as_one() {
        let tfstate = r#"{"version":4,"terraform_version":"1.6.0","serial":3,"lineage":"9f1c","outputs":{},"resources":[]}"#;
        let shown =
            r#"{"format_version":"1.0","terraform_version":"1.6.0","values":{"root_module":{}}}"#;
        for (text, says) in [
            (tfstate, "it is a Terraform state file"),
            (shown, "it is `terraform show -json` of a state"),
        ] {
            let f = run(text);
            assert_eq!(f.len(), 1, "{text}");
            assert_eq!(f[0].rule, PLAN_UNPARSEABLE.id);
            assert!(f[0].message.contains(says), "{}", f[0].message);
        }
        // A plan with no changes names no state.
        assert!(run(r#"{"format_version":"1.2","planned_values":{"root_module":{}}}"#).is_empty());
    }

    #[test]
    fn the_setup_terraform_wrapper_log_is_named_and_the_plan_inside_it_still_read() {
        let plan = one_change("1.2", &delete("aws_db_instance.a", "aws_db_instance"));
        let wrapped =
            format!("[command]/home/runner/work/_temp/1/terraform-bin show -json tfplan\n{plan}\n");
        let f = run(&wrapped);
        assert_eq!(f.len(), 1);
        assert!(
            f[0].message.contains("terraform_wrapper: false"),
            "{}",
            f[0].message
        );
        // Only the trailer: the plan before it is read, the trailer named.
        let f = run(&format!(
            "{plan}\n::debug::stdout: \n::debug::exitcode: 0\n"
        ));
        let ids: Vec<&str> = f.iter().map(|f| f.rule.as_str()).collect();
        assert_eq!(ids, ["terraform/plan-delete", "terraform/plan-unparseable"]);
        assert!(
            f[1].message.contains("terraform_wrapper: false"),
            "{}",
            f[1].message
        );
        assert!(run(&format!("{plan}\n\n")).len() == 1);
    }

    #[test]
    fn an_empty_action_list_needs_a_human() {
        let rc = r#"{"address":"aws_s3_bucket.b","mode":"managed","type":"aws_s3_bucket","name":"b","change":{"actions":[]}}"#;
        let f = run(&one_change("1.2", rc));
        assert_eq!(f.len(), 1);
        assert_eq!(f[0].rule, PLAN_UNPARSEABLE.id);
        assert!(
            f[0].message
                .contains("`aws_s3_bucket.b` has an empty list of actions"),
            "{}",
            f[0].message
        );
        assert!(run(&one_change("1.2", &rc.replace("[]", r#"["no-op"]"#))).is_empty());
    }

    #[test]
    fn ephemeral_resources_hold_nothing_to_destroy() {
        // Terraform 1.10+ opens, renews and closes ephemeral resources within a run.
        for action in ["open", "renew", "close"] {
            let rc = format!(
                r#"{{"address":"ephemeral.aws_secretsmanager_secret_version.s","mode":"ephemeral","type":"aws_secretsmanager_secret_version","name":"s","change":{{"actions":["{action}"]}}}}"#
            );
            assert!(run(&one_change("1.2", &rc)).is_empty(), "{action}");
            // The same action on a managed resource is nothing twokey knows: fail closed.
            let managed = rc.replace(r#""mode":"ephemeral""#, r#""mode":"managed""#);
            assert_eq!(
                run(&one_change("1.2", &managed))[0].rule,
                PLAN_UNPARSEABLE.id
            );
        }
    }

    #[test]
    fn an_imported_object_that_is_replaced_says_it_was_imported() {
        let rc = r#"{"address":"aws_db_instance.legacy","mode":"managed","type":"aws_db_instance","name":"legacy",
            "change":{"actions":["delete","create"],"importing":{"id":"prod-db-1"},"replace_paths":[["identifier"]]},
            "action_reason":"replace_because_cannot_update"}"#;
        let f = run(&one_change("1.2", rc));
        assert_eq!(f[0].rule, PLAN_REPLACE.id);
        assert!(
            f[0].message
                .contains("`aws_db_instance.legacy` (imported from `prod-db-1` in this plan)"),
            "{}",
            f[0].message
        );
        // Imported by identity (Terraform 1.12+): no ID to quote.
        let by_identity = rc.replace(
            r#"{"id":"prod-db-1"}"#,
            r#"{"identity":{"identifier":"prod-db-1"}}"#,
        );
        assert!(run(&one_change("1.2", &by_identity))[0]
            .message
            .contains("(imported in this plan)"));
        // Imported and kept (no-op or update) is quiet.
        let kept = rc.replace(r#"["delete","create"]"#, r#"["no-op"]"#);
        assert!(run(&one_change("1.2", &kept)).is_empty());
    }

    /// Any JSON value, for the places a plan's fields hold.
    fn json_value() -> impl Strategy<Value = serde_json::Value> {
        let leaf = prop_oneof![
            Just(serde_json::Value::Null),
            any::<bool>().prop_map(serde_json::Value::from),
            any::<i64>().prop_map(serde_json::Value::from),
            "[a-z_\\-\\.]{0,12}".prop_map(serde_json::Value::from),
            prop_oneof![
                Just("delete"),
                Just("create"),
                Just("forget"),
                Just("1.2"),
                Just("data")
            ]
            .prop_map(serde_json::Value::from),
        ];
        leaf.prop_recursive(3, 16, 4, |inner| {
            prop_oneof![
                proptest::collection::vec(inner.clone(), 0..4).prop_map(serde_json::Value::from),
                proptest::collection::btree_map("[a-z_]{1,8}", inner, 0..4)
                    .prop_map(|m| serde_json::Value::Object(m.into_iter().collect())),
            ]
        })
    }

    proptest! {
        #[test]
        fn arbitrary_input_never_panics(text in "\\PC{0,200}") {
            let f = run(&text);
            // Anything that is not a plan is never a pass.
            if serde_json::from_str::<serde_json::Value>(&text).is_err() {
                prop_assert!(f.iter().any(|f| f.rule == PLAN_UNPARSEABLE.id));
            }
        }

        #[test]
        fn any_cut_of_plans_with_a_delete_is_never_a_pass(
            units in 1usize..4,
            cut in any::<proptest::sample::Index>(),
        ) {
            // A job killed while writing, or a concatenation cut short: whatever is left
            // either still holds the delete or is named as unreadable.
            let plan = format!(
                "{{\n  \"format_version\": \"1.2\",\n  \"resource_changes\": [\n    {}\n  ]\n}}\n",
                delete("aws_db_instance.a", "aws_db_instance")
            );
            let text = plan.repeat(units);
            let at = cut.index(text.len() + 1);
            let f = run(&text[..at]);
            prop_assert!(!f.is_empty(), "{}", &text[..at]);
        }

        #[test]
        fn arbitrary_values_in_plan_fields_never_panic_and_deletes_are_never_lost(
            top in proptest::collection::btree_map(
                prop_oneof![
                    Just("format_version"), Just("resource_changes"), Just("deferred_changes"),
                    Just("errored"), Just("planned_values"), Just("values"), Just("lineage"),
                ],
                json_value(),
                0..4,
            ),
            entry in proptest::collection::btree_map(
                prop_oneof![
                    Just("address"), Just("mode"), Just("type"), Just("previous_address"),
                    Just("action_reason"), Just("deposed"),
                ],
                json_value(),
                0..4,
            ),
            change in proptest::collection::btree_map(
                prop_oneof![Just("replace_paths"), Just("importing"), Just("before")],
                json_value(),
                0..3,
            ),
        ) {
            let mut rc = serde_json::json!({
                "address": "aws_db_instance.a", "mode": "managed", "type": "aws_db_instance",
                "change": {"actions": ["delete"]},
            });
            for (k, v) in entry {
                rc[k] = v;
            }
            for (k, v) in change {
                rc["change"][k] = v;
            }
            let mut plan = serde_json::json!({"format_version": "1.2", "resource_changes": [rc]});
            let replaced_changes = top.contains_key("resource_changes");
            for (k, v) in top {
                plan[k] = v;
            }
            let f = run(&plan.to_string());
            // The delete survives, unless the entry is a data source or an ephemeral
            // resource, or something else in the plan was changed; and then the plan is
            // either read or named as unreadable, never a panic.
            let mode = plan["resource_changes"][0]["mode"].as_str();
            if !replaced_changes && !matches!(mode, Some("data" | "ephemeral")) {
                prop_assert!(!f.is_empty(), "{}", plan);
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
