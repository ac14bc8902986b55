//! vars: the values a root module is run with: `.tfvars`, `.tfvars.json` and
//! `*.auto.tfvars` files, and the `default` of a `variable` block. A value whose name is a
//! protection (`deletion_protection`, `skip_final_snapshot`, `force_destroy`, …) or a
//! `create`/`create_*` switch is judged as a module argument or a Terragrunt input is
//! ([`guards::input_weakened`]), base against head; so is one whose name is a retention
//! (`*retention_in_days`, `*retention_days`, `*retention_period`: [`retention::input_lowered`]),
//! which counts only when lowered from one positive literal number to another. A retention
//! value added or removed hands the decision to a default twokey cannot see (the variable's,
//! or the module's behind it), so it is not judged.
//!
//! Not followed, on purpose: which resource a variable reaches (`var.x` through locals,
//! conditionals or modules), which `.tfvars` file a run uses (`-var-file` is the pipeline's
//! choice), and whether a `.tfvars` value or `-var` overrides a changed default. Values that
//! are not literals are never evaluated: a computed base value turned literally weak counts,
//! as for resource settings; anything computed on the head is unknown and quiet.

use super::guards::{self, InputChange, InputRole};
use super::model::{self, Setting, TfFile, Variable};
use super::retention;
use super::{json, FileView, CREATE_SWITCH_OFF, PROTECTION_WEAKENED, UNPARSEABLE};
use crate::analyze::{read_sides, Unparseable};
use crate::change::{RepoPath, Side};
use crate::finding::Finding;
use crate::rules::Rule;
use std::collections::BTreeMap;

/// Values by input path.
type Values = BTreeMap<String, Setting>;

/// Reads a `.tfvars` file (HCL attributes) or a `.tfvars.json` file.
fn parse(path: &RepoPath, text: &str) -> Result<Values, model::ParseError> {
    if path.file_name().to_ascii_lowercase().ends_with(".json") {
        return json::parse_values(text);
    }
    let body = hcl_edit::parser::parse_body(text).map_err(|e| model::ParseError {
        line: u32::try_from(e.location().line()).ok(),
        reason: e.message().trim().to_owned(),
    })?;
    let lines = model::Lines::new(text);
    let mut out = Values::new();
    for attr in body.attributes() {
        let name = attr.key.as_str();
        let line = hcl_edit::Span::span(attr).map_or(1, |r| line_at(text, r.start));
        out.insert(
            name.to_owned(),
            Setting {
                value: model::lit(&attr.value),
                line,
            },
        );
        model::flatten_object(&attr.value, &format!("{name}."), &lines, &mut out);
    }
    Ok(out)
}

fn line_at(text: &str, offset: usize) -> u32 {
    let before = text.get(..offset).unwrap_or(text);
    u32::try_from(before.matches('\n').count() + 1).unwrap_or(u32::MAX)
}

/// What a weakened value does, and the rule that reports it.
fn rule_and_reach(role: InputRole, name: &str) -> (&'static Rule, String) {
    match role {
        InputRole::Guard(_) => (
            &PROTECTION_WEAKENED,
            format!("where `var.{name}` reaches the resource attribute of the same name"),
        ),
        InputRole::CreateSwitch => (
            &CREATE_SWITCH_OFF,
            format!("where `var.{name}` switches what is created (`count = var.{name} ? 1 : 0`)"),
        ),
    }
}

/// The root variable an input path belongs to (`versioning.enabled` → `versioning`).
fn variable_of(path: &str) -> &str {
    path.split('.').next().unwrap_or(path)
}

/// Analyzes one changed `.tfvars` / `.tfvars.json` file. A new file is quiet (there is
/// nothing to compare with); a deleted one leaves its values to the defaults, which twokey
/// does not judge.
pub fn analyze(view: &FileView) -> Vec<Finding> {
    let read = |side: Side, text: &str| {
        parse(view.path_on(side), text).map_err(|e| Unparseable {
            side,
            line: e.line,
            reason: e.reason,
        })
    };
    let (base, head) = match read_sides(view, &UNPARSEABLE, read) {
        Ok(sides) => sides,
        Err(unreadable) => return unreadable,
    };
    let (Some(base), Some(head)) = (base, head) else {
        return Vec::new();
    };
    let mut out = Vec::new();
    for (path, after) in &head {
        let before = base.get(path);
        out.extend(weakened_value(view, path, before, after));
        out.extend(lowered_value(view, path, before, after));
    }
    out
}

/// A `.tfvars` value that weakens a protection or turns off a `create` switch.
fn weakened_value(
    view: &FileView,
    path: &str,
    before: Option<&Setting>,
    after: &Setting,
) -> Option<Finding> {
    let role = InputRole::of(path)?;
    let change = guards::input_weakened(role, before.map(|s| &s.value), &after.value)?;
    let how = match &change {
        InputChange::Turned(was) => format!("changed from {was} to {}", after.value.render()),
        InputChange::Added => format!(
            "was set to {} (if the variable's default was protective)",
            after.value.render()
        ),
    };
    let name = variable_of(path);
    let (rule, reach) = rule_and_reach(role, name);
    let file = view.path_on(Side::Head);
    Some(
        Finding::new(
            rule,
            view.at(Side::Head, after.line, after.line),
            format!(
                "`{path}` in {file} {how}; {reach}, {} in every run that uses this file.",
                role.effect()
            ),
        )
        .with_severity(guards::input_severity(path, role, &change))
        .with_subject(format!("var.{name}")),
    )
}

/// A `.tfvars` value that lowers a retention.
fn lowered_value(
    view: &FileView,
    path: &str,
    before: Option<&Setting>,
    after: &Setting,
) -> Option<Finding> {
    let lowered = retention::input_lowered(path, before.map(|s| &s.value), &after.value)?;
    let what = format!("`{path}` in {}", view.path_on(Side::Head));
    let reach = format!(
        "where `var.{path}` reaches the retention of what the configuration stores, in every run \
         that uses this file"
    );
    Some(
        retention::input_finding(view, after.line, path, (&what, &reach), lowered)
            .with_subject(format!("var.{path}")),
    )
}

/// `variable` blocks whose `default` for a protection or `create` switch turns weak, or for
/// a retention is lowered. Only a default that existed on the base is compared: adding one to
/// a required variable changes nothing for the callers, which all set it already.
pub fn defaults(view: &FileView, base: &TfFile, head: &TfFile, out: &mut Vec<Finding>) {
    for var in &head.variables {
        let Some(old) = base.variables.iter().find(|v| v.name == var.name) else {
            continue;
        };
        for (path, after) in &var.defaults {
            let Some(before) = old.defaults.get(path) else {
                continue;
            };
            out.extend(weakened_default(view, var, path, before, after));
            out.extend(lowered_default(view, var, path, before, after));
        }
    }
}

fn weakened_default(
    view: &FileView,
    var: &Variable,
    path: &str,
    before: &Setting,
    after: &Setting,
) -> Option<Finding> {
    let role = InputRole::of(path)?;
    let Some(InputChange::Turned(was)) =
        guards::input_weakened(role, Some(&before.value), &after.value)
    else {
        return None;
    };
    let (rule, reach) = rule_and_reach(role, &var.name);
    Some(
        Finding::new(
            rule,
            view.at(Side::Head, after.line, after.line),
            format!(
                "The default of `{path}` in `variable \"{}\"` changed from {was} to {}; {reach} \
                 and no `.tfvars` file or `-var` sets it, {}.",
                var.name,
                after.value.render(),
                role.effect()
            ),
        )
        .with_severity(guards::input_severity(
            path,
            role,
            &InputChange::Turned(was.clone()),
        ))
        .with_subject(format!("var.{}", var.name)),
    )
}

fn lowered_default(
    view: &FileView,
    var: &Variable,
    path: &str,
    before: &Setting,
    after: &Setting,
) -> Option<Finding> {
    let lowered = retention::input_lowered(path, Some(&before.value), &after.value)?;
    let what = format!("The default of `{path}` in `variable \"{}\"`", var.name);
    let reach = format!(
        "where `var.{}` reaches the retention of what the module stores and no `.tfvars` file, \
         `-var` or caller sets it",
        var.name
    );
    Some(
        retention::input_finding(view, after.line, path, (&what, &reach), lowered)
            .with_subject(format!("var.{}", var.name)),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analyze::files::testkit::{ids, Case};
    use crate::finding::Severity;

    const PROD: &str = "# prod settings\nidentifier          = \"acme-prod\"\ndeletion_protection = true\nskip_final_snapshot = false\ncreate_db           = true\nversioning          = { enabled = true }\n";

    fn run(path: &str, base: &str, head: &str) -> Vec<Finding> {
        Case::modified(path, base, head).run(analyze)
    }

    #[test]
    fn a_protection_turned_off_in_tfvars_is_weakened_at_its_line() {
        let head = PROD.replace("deletion_protection = true", "deletion_protection = false");
        let f = run("envs/prod.tfvars", PROD, &head);
        assert_eq!(ids(&f), ["terraform/protection-weakened"]);
        assert_eq!(f[0].location.line, Some(3));
        assert_eq!(f[0].severity, Severity::High);
        assert_eq!(f[0].subject.as_deref(), Some("var.deletion_protection"));
        let head = PROD.replace("{ enabled = true }", "{ enabled = false }");
        assert_eq!(
            ids(&run("envs/prod.tfvars", PROD, &head)),
            ["terraform/protection-weakened"]
        );
        let head = PROD.replace("skip_final_snapshot = false", "skip_final_snapshot = true");
        assert_eq!(
            ids(&run("terraform.auto.tfvars", PROD, &head)),
            ["terraform/protection-weakened"]
        );
    }

    #[test]
    fn a_create_switch_turned_off_in_tfvars_destroys() {
        let head = PROD.replace("create_db           = true", "create_db = false");
        let f = run("terraform.tfvars", PROD, &head);
        assert_eq!(ids(&f), ["terraform/create-switch-off"]);
        assert!(f[0].message.contains("var.create_db"), "{}", f[0].message);
    }

    #[test]
    fn a_weak_value_added_is_medium_and_an_unchanged_one_is_quiet() {
        let head = format!("{PROD}force_destroy = true\n");
        let f = run("terraform.tfvars", PROD, &head);
        assert_eq!(ids(&f), ["terraform/protection-weakened"]);
        assert_eq!(f[0].severity, Severity::Medium);
        let weak = "force_destroy = true\n";
        assert!(run("terraform.tfvars", weak, &format!("# why\n{weak}")).is_empty());
    }

    #[test]
    fn comments_other_values_protective_flips_and_new_files_are_quiet() {
        let head = format!("# reviewed\n{PROD}")
            .replace("acme-prod", "acme-production")
            .replace("create_db           = true", "create_db = true");
        assert!(run("prod.tfvars", PROD, &head).is_empty());
        let weak = PROD.replace("deletion_protection = true", "deletion_protection = false");
        assert!(run("prod.tfvars", &weak, PROD).is_empty());
        assert!(Case::added("prod.tfvars", &weak).run(analyze).is_empty());
        assert!(Case::deleted("prod.tfvars", PROD).run(analyze).is_empty());
    }

    #[test]
    fn json_tfvars_are_read_too() {
        let base = "{\n  \"deletion_protection\": true,\n  \"create_vpc\": true\n}\n";
        let head = "{\n  \"deletion_protection\": false,\n  \"create_vpc\": true\n}\n";
        let f = run("prod.tfvars.json", base, head);
        assert_eq!(ids(&f), ["terraform/protection-weakened"]);
        assert_eq!(f[0].location.line, Some(2));
    }

    const LOGS: &str = "# prod\nlog_retention_in_days = 90\nbackup_retention_period = 35\n";

    #[test]
    fn a_retention_lowered_in_tfvars_is_shortened_at_its_line() {
        let f = run("envs/prod.tfvars", LOGS, &LOGS.replace("= 90", "= 14"));
        assert_eq!(ids(&f), ["terraform/retention-shortened"]);
        assert_eq!(f[0].severity, Severity::Medium);
        assert_eq!(f[0].location.line, Some(2));
        assert_eq!(f[0].subject.as_deref(), Some("var.log_retention_in_days"));
        assert!(
            f[0].message
                .contains("`log_retention_in_days` in envs/prod.tfvars changed from 90 to 14")
                && f[0]
                    .message
                    .contains("data older than 14 days is deleted (was: kept 90 days)"),
            "{}",
            f[0].message
        );
        // Backups are high; switched off they are the protection's finding alone.
        let f = run("prod.auto.tfvars", LOGS, &LOGS.replace("= 35", "= 7"));
        assert_eq!(ids(&f), ["terraform/retention-shortened"]);
        assert_eq!(f[0].severity, Severity::High);
        let f = run("prod.tfvars", LOGS, &LOGS.replace("= 35", "= 0"));
        assert_eq!(ids(&f), ["terraform/protection-weakened"]);
        let json = |n: u32| format!("{{\n  \"retention_in_days\": {n}\n}}\n");
        let f = run("prod.tfvars.json", &json(30), &json(7));
        assert_eq!(ids(&f), ["terraform/retention-shortened"]);
        assert_eq!(f[0].location.line, Some(2));
    }

    #[test]
    fn a_retention_raised_unchanged_computed_added_or_removed_in_tfvars_is_quiet() {
        assert!(run("prod.tfvars", LOGS, &LOGS.replace("= 90", "= 365")).is_empty());
        assert!(run("prod.tfvars", LOGS, &format!("# reviewed\n{LOGS}")).is_empty());
        let computed = LOGS.replace("= 90", "= local.days");
        assert!(run("prod.tfvars", LOGS, &computed).is_empty());
        // Absent on one side is the variable's default, which this file does not show.
        let without = "# prod\nbackup_retention_period = 35\n";
        assert!(run("prod.tfvars", without, &LOGS.replace("= 90", "= 1")).is_empty());
        assert!(run("prod.tfvars", LOGS, without).is_empty());
        assert!(Case::added("prod.tfvars", LOGS).run(analyze).is_empty());
        // Inside an object value a key is not followed: the module may use it for anything.
        let nested = |n: u32| format!("logs = {{ retention_in_days = {n} }}\n");
        assert!(run("prod.tfvars", &nested(90), &nested(7)).is_empty());
    }

    #[test]
    fn broken_tfvars_need_a_human() {
        let f = run("vars.tfvars", PROD, "a = = 2\n");
        assert_eq!(ids(&f), ["terraform/unparseable"]);
    }
}
