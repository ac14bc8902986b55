//! vars: the values a root module is run with: `.tfvars`, `.tfvars.json` and
//! `*.auto.tfvars` files, and the `default` of a `variable` block. A value whose name is a
//! protection (`deletion_protection`, `skip_final_snapshot`, `force_destroy`, …) or a
//! `create`/`create_*` switch is judged as a module argument or a Terragrunt input is
//! ([`guards::input_weakened`]), base against head.
//!
//! Not followed, on purpose: which resource a variable reaches (`var.x` through locals,
//! conditionals or modules), which `.tfvars` file a run uses (`-var-file` is the pipeline's
//! choice), and whether a `.tfvars` value or `-var` overrides a changed default. Values that
//! are not literals are never evaluated: a computed base value turned literally weak counts,
//! as for resource settings; anything computed on the head is unknown and quiet.

use super::guards::{self, InputChange, InputRole};
use super::model::{self, Setting, TfFile};
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
    let file = view.path_on(Side::Head);
    let mut out = Vec::new();
    for (path, after) in &head {
        let Some(role) = InputRole::of(path) else {
            continue;
        };
        let before = base.get(path).map(|s| &s.value);
        let Some(change) = guards::input_weakened(role, before, &after.value) else {
            continue;
        };
        let how = match &change {
            InputChange::Turned(was) => format!("changed from {was} to {}", after.value.render()),
            InputChange::Added => format!(
                "was set to {} (if the variable's default was protective)",
                after.value.render()
            ),
        };
        let name = variable_of(path);
        let (rule, reach) = rule_and_reach(role, name);
        out.push(
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
        );
    }
    out
}

/// `variable` blocks whose `default` for a protection or `create` switch turns weak. Only a
/// default that existed on the base is compared: adding one to a required variable changes
/// nothing for the callers, which all set it already.
pub fn defaults(view: &FileView, base: &TfFile, head: &TfFile, out: &mut Vec<Finding>) {
    for var in &head.variables {
        let Some(old) = base.variables.iter().find(|v| v.name == var.name) else {
            continue;
        };
        for (path, after) in &var.defaults {
            let Some(role) = InputRole::of(path) else {
                continue;
            };
            let Some(before) = old.defaults.get(path) else {
                continue;
            };
            let Some(InputChange::Turned(was)) =
                guards::input_weakened(role, Some(&before.value), &after.value)
            else {
                continue;
            };
            let (rule, reach) = rule_and_reach(role, &var.name);
            out.push(
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
            );
        }
    }
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

    #[test]
    fn broken_tfvars_need_a_human() {
        let f = run("vars.tfvars", PROD, "a = = 2\n");
        assert_eq!(ids(&f), ["terraform/unparseable"]);
    }
}
