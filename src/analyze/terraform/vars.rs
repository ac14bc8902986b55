//! vars: the values a root module is run with: `.tfvars`, `.tfvars.json` and
//! `*.auto.tfvars` files, and the `default` of a `variable` block. A value whose name is a
//! protection (`deletion_protection`, `skip_final_snapshot`, `force_destroy`, …) or a
//! `create`/`create_*` switch is judged as a module argument or a Terragrunt input is
//! ([`guards::input_weakened`]), base against head; so is one whose name is a retention
//! (`*retention_in_days`, `*retention_days`, `*retention_period`, `*retention_duration`:
//! [`retention::input_lowered`]), which counts only when lowered from one positive literal
//! number to another, or from one duration string to a shorter one. A retention
//! value added or removed hands the decision to a default twokey cannot see (the variable's,
//! or the module's behind it), so it is not judged.
//!
//! A changed value of any name is also followed to the `count`/`for_each` of its own
//! directory that read it ([`switches`]): switched off is `create-switch-off` (replacing the
//! name-based finding of a `create` switch, with the addresses), thinned out `count-emptied`.
//! A file every run reads (`terraform.tfvars`, `*.auto.tfvars`) is judged by the value in
//! force across the directory's auto-loaded files, before against after ([`autoload`]): a
//! new `override.auto.tfvars` is compared with the `terraform.tfvars` value it overrides, a
//! value moved between them is quiet. Where no file sets it, the variable's default is the
//! value compared with; a changed default is not judged at all, by name or followed, when
//! an auto-loaded `.tfvars` file of the directory sets the variable anyway.
//!
//! Not followed, on purpose: a variable that reaches a protection through locals or modules
//! (a `count`/`for_each` is followed through up to four locals: [`switches`]),
//! which `.tfvars` file a run uses (`-var-file` is the pipeline's choice), and whether a
//! `-var` or a `-var-file` overrides a changed default.
//! Values that are not literals are never evaluated: a computed base value turned literally
//! weak counts, as for resource settings; anything computed on the head is unknown and quiet.

use super::autoload;
use super::guards::{self, InputChange, InputRole};
use super::model::{self, Setting, TfFile, Variable};
use super::retention;
use super::switches::{self, Changed, Root};
use super::{json, FileView, CREATE_SWITCH_OFF, PROTECTION_WEAKENED, UNPARSEABLE};
use crate::analyze::{read_sides, Unparseable};
use crate::change::{RepoPath, Side};
use crate::finding::{Finding, Severity};
use crate::rules::Rule;
use std::collections::{BTreeMap, BTreeSet};

/// Values by input path.
pub(super) type Values = BTreeMap<String, Setting>;

/// Reads a `.tfvars` file (HCL attributes) or a `.tfvars.json` file.
pub(super) fn parse(path: &RepoPath, text: &str) -> Result<Values, model::ParseError> {
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
pub(super) fn variable_of(path: &str) -> &str {
    path.split('.').next().unwrap_or(path)
}

/// Analyzes one changed `.tfvars` / `.tfvars.json` file. A file only `-var-file` reads is
/// judged against its own earlier version: a new one is compared with nothing (a new
/// environment's choice) and a deleted one with nothing either. A file every run reads is
/// judged by the values in force in its directory before and after ([`in_force`]).
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
    let auto = [Side::Base, Side::Head]
        .into_iter()
        .any(|side| autoload::auto_loaded(view.path_on(side)));
    if auto {
        return in_force(view, base.as_ref(), head.as_ref());
    }
    let (Some(base), Some(head)) = (base, head) else {
        return Vec::new();
    };
    let mut out = Vec::new();
    for (path, after) in &head {
        let before = base.get(path);
        let opening = format!("`{path}` in {}", view.path_on(Side::Head));
        out.extend(judged(view, path, before, after, &opening, Side::Head));
    }
    for (path, before) in base.iter().filter(|(p, _)| !head.contains_key(*p)) {
        out.extend(switched_value(view, path, Some(before), None, ""));
    }
    out
}

/// Every judgement of one value that is set on the head: the `count`/`for_each` it drives,
/// the protections it sets by use or by name, and the retention it lowers. `at` is the side
/// the finding points at: the head, unless the value in force moved to another file and this
/// file only lost its own (then `after.line` is this file's base line).
fn judged(
    view: &FileView,
    path: &str,
    before: Option<&Setting>,
    after: &Setting,
    opening: &str,
    at: Side,
) -> Vec<Finding> {
    let mut out = Vec::new();
    let switched = switched_value(view, path, before, Some(after), opening);
    let used = protected_value(view, path, before, after, opening, TFVARS_SCOPE);
    let used = without_guesses(used, &switched);
    if !replaces_name(&switched, path) && used.is_empty() {
        out.extend(weakened_value(view, path, before, after, opening));
    }
    out.extend(used);
    out.extend(switched);
    out.extend(lowered_value(view, path, before, after, opening));
    if at == Side::Base {
        for f in &mut out {
            f.location = view.at(at, after.line, after.line);
        }
    }
    out
}

/// A changed auto-loaded file, judged by what a run of its directory sees: for each input the
/// file sets on either side, the value in force before (whichever file set it last) against
/// the value in force after. A value moved to another auto-loaded file changes nothing; a new
/// `*.auto.tfvars` that overrides `terraform.tfvars` counts. An input no file sets any more
/// falls to the variable's default, which only the `count`/`for_each` it drives is judged by.
fn in_force(view: &FileView, base: Option<&Values>, head: Option<&Values>) -> Vec<Finding> {
    let (this_base, this_head) = (view.path_on(Side::Base), view.path_on(Side::Head));
    let before = autoload::Loaded::read(view, Side::Base, this_base.dir());
    let after = autoload::Loaded::read(view, Side::Head, this_head.dir());
    let inputs: BTreeSet<&String> = base
        .into_iter()
        .chain(head)
        .flat_map(|values| values.keys())
        .collect();
    let mut out = Vec::new();
    for input in inputs {
        let reporter = autoload::reporter(&before, &after, input);
        if reporter.is_none_or(|r| r != this_head && r != this_base) {
            continue;
        }
        let was = before.in_force(input);
        let now = after.in_force(input);
        let own_before = base.and_then(|b| b.get(input.as_str()));
        match now {
            // This file holds the value now.
            Some((file, setting)) if file == this_head => {
                let opening = match was {
                    Some((other, _)) if other != this_base => format!(
                        "`{input}` in {this_head} (which Terraform loads after {other}, where it was set)"
                    ),
                    _ => format!("`{input}` in {this_head}"),
                };
                // A value a new file brings where no file set one is a new environment's
                // choice, as for any new `.tfvars` file: only what it switches off by
                // overriding the default is judged.
                if was.is_none() && base.is_none() {
                    out.extend(switched_value(view, input, None, Some(setting), &opening));
                } else {
                    let was = was.map(|(_, s)| s);
                    out.extend(judged(view, input, was, setting, &opening, Side::Head));
                }
            }
            // Another file's value is in force now that this file lost its own.
            Some((file, setting)) => {
                let (Some(own), Some((_, was))) = (own_before, was) else {
                    continue;
                };
                let lost = Setting {
                    value: setting.value.clone(),
                    line: own.line,
                };
                let opening =
                    format!("`{input}`, no longer set in {this_base}, now comes from {file}: it");
                out.extend(judged(view, input, Some(was), &lost, &opening, Side::Base));
            }
            // No file sets it now: the default applies.
            None => {
                if let (Some(own), Some((file, _))) = (own_before, was) {
                    if file == this_base {
                        out.extend(switched_value(view, input, Some(own), None, ""));
                    }
                }
            }
        }
    }
    out
}

/// Whether a usage-based finding says what the name-based one for a `create` switch would,
/// with the addresses: then it stands alone.
fn replaces_name(switched: &[Finding], path: &str) -> bool {
    matches!(InputRole::of(path), Some(InputRole::CreateSwitch))
        && switched.iter().any(|f| f.rule == CREATE_SWITCH_OFF.id)
}

/// A `.tfvars` value set, changed or removed, followed to the `count`/`for_each` it drives.
/// A value on one side only is compared with the variable's default on the other (a key
/// inside an object value has none of its own: quiet).
fn switched_value(
    view: &FileView,
    path: &str,
    before: Option<&Setting>,
    after: Option<&Setting>,
    opening: &str,
) -> Vec<Finding> {
    if let (Some(b), Some(a)) = (before, after) {
        if b.value.same(&a.value) || !b.value.is_known() || !a.value.is_known() {
            return Vec::new();
        }
    }
    let dir = view.path_on(Side::Head).dir();
    let default = |side: Side| {
        (!path.contains('.'))
            .then(|| switches::default_of(view, dir, path, side))
            .flatten()
    };
    let (old, new, side, line, what) = match (before, after) {
        (Some(b), Some(a)) => (
            b.value.clone(),
            a.value.clone(),
            Side::Head,
            a.line,
            format!(
                "{opening} changed from {} to {}",
                b.value.render(),
                a.value.render()
            ),
        ),
        (None, Some(a)) => {
            let Some(d) = default(Side::Base) else {
                return Vec::new();
            };
            let what = format!(
                "`{path}` was set to {} in {}, over its default {}",
                a.value.render(),
                view.path_on(Side::Head),
                d.render()
            );
            (d, a.value.clone(), Side::Head, a.line, what)
        }
        (Some(b), None) => {
            let Some(d) = default(Side::Head) else {
                return Vec::new();
            };
            let what = format!(
                "`{path} = {}` was removed from {}, so its default {} applies",
                b.value.render(),
                view.path_on(Side::Base),
                d.render()
            );
            (b.value.clone(), d, Side::Base, b.line, what)
        }
        (None, None) => return Vec::new(),
    };
    let changed = Changed {
        root: Root::Var,
        path,
        before: &old,
        after: &new,
        side,
        line,
        what,
        scope: "in every run that uses this file",
        within: None,
        from: None,
    };
    switches::findings(view, dir, &changed)
}

const TFVARS_SCOPE: &str = "in every run that uses this file";

/// `used` without the switches it guesses from a module argument's name when the value was
/// followed into that module and found to switch something off there: the followed finding
/// names what goes, the guess only that something may.
fn without_guesses(mut used: Vec<Finding>, switched: &[Finding]) -> Vec<Finding> {
    used.retain(|u| {
        u.rule != CREATE_SWITCH_OFF.id
            || !switched
                .iter()
                .any(|s| s.rule == CREATE_SWITCH_OFF.id && s.subject == u.subject)
    });
    used
}

/// A value whose variable this directory hands straight to a protection attribute
/// (`deletion_protection = var.db_protect`, or per instance `var.protect[each.key]` for the
/// value at `protect.<key>`), turned weak. Proven by the attribute, so it does not rely on the
/// variable's name; a value no attribute of the directory reads this way is left to the
/// name-based check.
fn protected_value(
    view: &FileView,
    path: &str,
    before: Option<&Setting>,
    after: &Setting,
    opening: &str,
    scope: &str,
) -> Vec<Finding> {
    let name = variable_of(path);
    let key = path.strip_prefix(name).and_then(|k| k.strip_prefix('.'));
    if key.is_some_and(|k| k.contains('.')) {
        return Vec::new();
    }
    let mut found = Vec::new();
    switches::guarded_by(view, view.path_on(Side::Head).dir(), name, &mut found);
    // One finding per attribute the value sets, naming every address it reaches there.
    let mut by_guard: BTreeMap<&str, (Vec<String>, Severity, &switches::Guarded, InputChange)> =
        BTreeMap::new();
    for used in &found {
        let address = match (used.per_key, key) {
            (false, None) => used.item.address.clone(),
            // A literal `for_each` that lacks the key makes no instance of it.
            (true, Some(k))
                if used
                    .item
                    .for_each_keys
                    .as_ref()
                    .is_none_or(|ks| ks.contains(k)) =>
            {
                format!("{}[\"{k}\"]", used.item.address)
            }
            _ => continue,
        };
        let Some(change) =
            guards::input_weakened(used.role, before.map(|s| &s.value), &after.value)
        else {
            continue;
        };
        let severity = match (used.role, &change) {
            // The switch of a whole module call: graded as the call's own argument is.
            (InputRole::CreateSwitch, _) => {
                super::modules::argument_severity(&used.attribute, used.role, &change)
            }
            (_, InputChange::Turned(_)) => super::guard_severity(&used.item),
            (_, InputChange::Added) => Severity::Medium,
        };
        let entry = by_guard
            .entry(used.attribute.as_str())
            .or_insert_with(|| (Vec::new(), severity, used, change));
        entry.0.push(format!("`{address}`"));
        entry.1 = entry.1.max(severity);
    }
    let mut out = Vec::new();
    for (attribute, (addresses, severity, used, change)) in by_guard {
        let how = match &change {
            InputChange::Turned(was) => format!("changed from {was} to {}", after.value.render()),
            InputChange::Added => format!(
                "was set to {} (if the variable's default was protective)",
                after.value.render()
            ),
        };
        let subject = match addresses.as_slice() {
            [one] => one.trim_matches('`').to_owned(),
            _ => format!("var.{name}"),
        };
        let (rule, hedge) = match used.role {
            InputRole::Guard(_) => (&PROTECTION_WEAKENED, String::new()),
            InputRole::CreateSwitch => (
                &CREATE_SWITCH_OFF,
                format!(" if {},", super::modules::switch_convention(attribute)),
            ),
        };
        out.push(
            Finding::new(
                rule,
                view.at(Side::Head, after.line, after.line),
                format!(
                    "{opening} {how}; it sets `{attribute}` of {} (`{attribute} = var.{name}{}`), \
                     so{hedge} {}, {scope}.",
                    super::limit_list(addresses),
                    if used.per_key { "[each.key]" } else { "" },
                    used.role.effect()
                ),
            )
            .with_severity(severity)
            .with_subject(subject),
        );
    }
    out
}

/// A `.tfvars` value that weakens a protection or turns off a `create` switch.
fn weakened_value(
    view: &FileView,
    path: &str,
    before: Option<&Setting>,
    after: &Setting,
    opening: &str,
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
    Some(
        Finding::new(
            rule,
            view.at(Side::Head, after.line, after.line),
            format!(
                "{opening} {how}; {reach}, {} in every run that uses this file.",
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
    what: &str,
) -> Option<Finding> {
    let lowered = retention::input_lowered(path, before.map(|s| &s.value), &after.value)?;
    let reach = format!(
        "where `var.{path}` reaches the retention of what the configuration stores, in every run \
         that uses this file"
    );
    Some(
        retention::input_finding(view, after.line, path, (what, &reach), lowered)
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
        let mut found = Vec::new();
        for (path, after) in &var.defaults {
            let Some(before) = old.defaults.get(path) else {
                continue;
            };
            let switched = switched_default(view, var, path, before, after);
            let opening = format!("The default of `{path}` in `variable \"{}\"`", var.name);
            let scope = "wherever no `.tfvars` file, `-var` or module call sets it";
            let used = protected_value(view, path, Some(before), after, &opening, scope);
            let used = without_guesses(used, &switched);
            if !replaces_name(&switched, path) && used.is_empty() {
                found.extend(weakened_default(view, var, path, before, after));
            }
            found.extend(used);
            found.extend(switched);
            found.extend(lowered_default(view, var, path, before, after));
        }
        // An auto-loaded `.tfvars` file of the directory sets the variable in every run:
        // the default is never used there, whatever it now says.
        let dir = view.path_on(Side::Head).dir();
        if found.is_empty() || set_by_auto_tfvars(view, dir, &var.name) {
            continue;
        }
        out.extend(found);
    }
}

/// A changed default followed to the `count`/`for_each` of its directory that it drives.
fn switched_default(
    view: &FileView,
    var: &Variable,
    path: &str,
    before: &Setting,
    after: &Setting,
) -> Vec<Finding> {
    if before.value.same(&after.value) || !before.value.is_known() || !after.value.is_known() {
        return Vec::new();
    }
    let dir = view.path_on(Side::Head).dir();
    let changed = Changed {
        root: Root::Var,
        path,
        before: &before.value,
        after: &after.value,
        side: Side::Head,
        line: after.line,
        what: format!(
            "The default of `{path}` in `variable \"{}\"` changed from {} to {}",
            var.name,
            before.value.render(),
            after.value.render()
        ),
        scope: "wherever no `.tfvars` file, `-var` or module call sets it",
        within: None,
        from: None,
    };
    switches::findings(view, dir, &changed)
}

/// Whether an auto-loaded `.tfvars` file of `dir` sets the variable `name` at head.
fn set_by_auto_tfvars(view: &FileView, dir: &str, name: &str) -> bool {
    autoload::Loaded::read(view, Side::Head, dir)
        .winner(name)
        .is_some()
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
    fn a_retention_duration_in_tfvars_is_compared_in_any_unit() {
        let v = |d: &str| format!("message_retention_duration = \"{d}\"\n");
        let f = run("prod.tfvars", &v("168h"), &v("86400s"));
        assert_eq!(ids(&f), ["terraform/retention-shortened"]);
        assert!(
            f[0].message.contains("changed from \"168h\" to \"86400s\"")
                && f[0]
                    .message
                    .contains("data older than 86400s is deleted (was: kept 168h)"),
            "{}",
            f[0].message
        );
        assert!(run("prod.tfvars", &v("168h"), &v("7d")).is_empty());
        assert!(run("prod.tfvars", &v("24h"), &v("P7D")).is_empty());
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

    /// A root module whose resources and module call are gated on variables of any name.
    const ROOT: &str = r#"variable "enable_db" {
  type    = bool
  default = true
}

resource "aws_db_instance" "main" {
  count  = var.enable_db ? 1 : 0
  engine = "postgres"
}

module "cache" {
  source = "./cache"
  count  = var.deploy_cache ? 1 : 0
}

resource "aws_instance" "web" {
  count = var.web_count
}

resource "aws_s3_bucket" "b" {
  for_each = var.buckets_enabled ? toset(["a", "b"]) : toset([])
  bucket   = each.key
}

resource "aws_sqs_queue" "q" {
  count = !var.queue_disabled ? 1 : 0
}

resource "aws_sns_topic" "t" {
  count = var.topic_on == false ? 0 : 1
}
"#;

    const LIVE: &str = "# live\nenable_db       = true\ndeploy_cache    = true\nweb_count       = 3\nbuckets_enabled = true\nqueue_disabled  = false\ntopic_on        = true\nregion          = \"eu-west-1\"\n";

    /// `live/terraform.tfvars` from `base` to `head`, beside `main` (the same on both sides).
    fn in_root(main: &str, base: &str, head: &str) -> Vec<Finding> {
        Case::modified("live/terraform.tfvars", base, head)
            .with_file(Side::Base, "live/main.tf", main)
            .with_file(Side::Head, "live/main.tf", main)
            .run(analyze)
    }

    fn flip(from: &str, to: &str) -> Vec<Finding> {
        in_root(ROOT, LIVE, &LIVE.replace(from, to))
    }

    #[test]
    fn a_tfvars_value_gating_count_turned_off_destroys_the_resource_at_its_line() {
        let f = flip("enable_db       = true", "enable_db       = false");
        assert_eq!(ids(&f), ["terraform/create-switch-off"]);
        assert_eq!(f[0].location.line, Some(2));
        assert_eq!(f[0].severity, Severity::Critical);
        assert_eq!(f[0].subject.as_deref(), Some("var.enable_db"));
        assert!(
            f[0].message.contains(
                "`enable_db` in live/terraform.tfvars changed from true to false: `count` of \
                 `aws_db_instance.main` goes from 1 to 0, so the next apply destroys \
                 `aws_db_instance.main` and the data it holds"
            ),
            "{}",
            f[0].message
        );
        assert!(f[0]
            .safer
            .as_deref()
            .is_some_and(|s| s.contains("Keep `enable_db` at true")));
    }

    #[test]
    fn a_tfvars_value_gating_a_module_call_is_critical() {
        let f = flip("deploy_cache    = true", "deploy_cache    = false");
        assert_eq!(ids(&f), ["terraform/create-switch-off"]);
        assert_eq!(f[0].severity, Severity::Critical);
        assert!(
            f[0].message
                .contains("`module.cache` and every resource inside it"),
            "{}",
            f[0].message
        );
    }

    #[test]
    fn negated_and_compared_switches_are_evaluated() {
        let f = flip("queue_disabled  = false", "queue_disabled  = true");
        assert_eq!(ids(&f), ["terraform/create-switch-off"]);
        assert!(
            f[0].message.contains("`aws_sqs_queue.q`"),
            "{}",
            f[0].message
        );
        let f = flip("topic_on        = true", "topic_on        = false");
        assert_eq!(ids(&f), ["terraform/create-switch-off"]);
        assert!(
            f[0].message.contains("`aws_sns_topic.t`"),
            "{}",
            f[0].message
        );
        // Strings convert where a bool is expected.
        let f = flip("queue_disabled  = false", "queue_disabled  = \"true\"");
        assert_eq!(ids(&f), ["terraform/create-switch-off"]);
    }

    #[test]
    fn a_count_read_straight_from_a_value_is_switched_off_at_zero_and_thinned_above() {
        let f = flip("web_count       = 3", "web_count       = 0");
        assert_eq!(ids(&f), ["terraform/create-switch-off"]);
        assert_eq!(f[0].severity, Severity::High);
        assert!(
            f[0].message.contains("goes from 3 to 0"),
            "{}",
            f[0].message
        );
        let f = flip("web_count       = 3", "web_count       = 1");
        assert_eq!(ids(&f), ["terraform/count-emptied"]);
        assert!(
            f[0].message.contains(
                "so the next apply destroys `aws_instance.web[1]`, `aws_instance.web[2]`"
            ),
            "{}",
            f[0].message
        );
    }

    #[test]
    fn a_for_each_switched_to_an_empty_literal_destroys_every_instance() {
        let f = flip("buckets_enabled = true", "buckets_enabled = false");
        assert_eq!(ids(&f), ["terraform/create-switch-off"]);
        assert_eq!(f[0].severity, Severity::Critical);
        assert!(
            f[0].message.contains(
                "`for_each` of `aws_s3_bucket.b` goes from [\"a\", \"b\"] to an empty collection"
            ),
            "{}",
            f[0].message
        );
        for empty in ["[]", "{}", "tomap({})"] {
            let main = ROOT.replace("toset([])", empty);
            let f = in_root(
                &main,
                LIVE,
                &LIVE.replace("buckets_enabled = true", "buckets_enabled = false"),
            );
            assert_eq!(ids(&f), ["terraform/create-switch-off"], "{empty}");
        }
        // A computed branch switched off counts: whatever it held is destroyed.
        let main = ROOT.replace("toset([\"a\", \"b\"])", "var.names");
        let f = in_root(
            &main,
            LIVE,
            &LIVE.replace("buckets_enabled = true", "buckets_enabled = false"),
        );
        assert_eq!(ids(&f), ["terraform/create-switch-off"]);
        assert!(
            f[0].message.contains("from `var.names`"),
            "{}",
            f[0].message
        );
    }

    #[test]
    fn a_for_each_read_straight_from_a_value_loses_the_dropped_keys() {
        let main = "resource \"aws_s3_bucket\" \"b\" {\n  for_each = var.buckets\n}\n";
        let vals = |v: &str| format!("buckets = {v}\n");
        let f = in_root(main, &vals("[\"a\", \"b\"]"), &vals("[\"a\"]"));
        assert_eq!(ids(&f), ["terraform/count-emptied"]);
        assert!(
            f[0].message.contains("`aws_s3_bucket.b[\"b\"]`"),
            "{}",
            f[0].message
        );
        let f = in_root(main, &vals("{ a = 1 }"), &vals("{}"));
        assert_eq!(ids(&f), ["terraform/create-switch-off"]);
        assert!(in_root(main, &vals("[\"a\"]"), &vals("[\"a\", \"b\"]")).is_empty());
    }

    #[test]
    fn a_switch_turned_on_unused_or_only_reworded_is_quiet() {
        let off = LIVE
            .replace("enable_db       = true", "enable_db       = false")
            .replace("web_count       = 3", "web_count       = 0");
        assert!(in_root(ROOT, &off, LIVE).is_empty());
        assert!(flip("web_count       = 3", "web_count       = 5").is_empty());
        assert!(flip("region          = \"eu-west-1\"", "region = \"us-east-1\"").is_empty());
        assert!(in_root(
            ROOT,
            LIVE,
            &format!("# reviewed\n{LIVE}").replace("  = true", " = true")
        )
        .is_empty());
        // Used nowhere in the directory: a sibling directory's `count` does not count.
        let f = Case::modified(
            "live/terraform.tfvars",
            LIVE,
            &LIVE.replace("enable_db       = true", "enable_db = false"),
        )
        .with_file(Side::Head, "other/main.tf", ROOT)
        .with_file(Side::Base, "other/main.tf", ROOT)
        .run(analyze);
        assert!(f.is_empty(), "{f:?}");
    }

    #[test]
    fn a_computed_value_or_a_count_twokey_cannot_decide_is_quiet() {
        assert!(flip("enable_db       = true", "enable_db = local.db").is_empty());
        let main = ROOT.replace(
            "var.enable_db ? 1 : 0",
            "var.enable_db && local.db ? 1 : local.n",
        );
        assert!(in_root(
            &main,
            LIVE,
            &LIVE.replace("enable_db       = true", "enable_db = false")
        )
        .is_empty());
        let main = ROOT.replace("var.enable_db ? 1 : 0", "local.db_on ? 1 : 0");
        assert!(in_root(
            &main,
            LIVE,
            &LIVE.replace("enable_db       = true", "enable_db = false")
        )
        .is_empty());
    }

    #[test]
    fn an_item_added_by_the_same_change_has_nothing_to_destroy() {
        let base = ROOT.replace(
            "resource \"aws_db_instance\"",
            "resource \"aws_rds_cluster\"",
        );
        let head = LIVE.replace("enable_db       = true", "enable_db       = false");
        let f = Case::modified("live/terraform.tfvars", LIVE, &head)
            .with_file(Side::Base, "live/main.tf", &base)
            .with_file(Side::Head, "live/main.tf", ROOT)
            .run(analyze);
        assert!(f.is_empty(), "{f:?}");
    }

    #[test]
    fn a_value_on_one_side_only_is_compared_with_the_default() {
        // Removed: the default (true) applies, as before.
        let without = LIVE.replace("enable_db       = true\n", "");
        assert!(in_root(ROOT, LIVE, &without).is_empty());
        // Removed where the default is false: switched off, pointing at the base line.
        let off_by_default = ROOT.replace("default = true", "default = false");
        let f = in_root(&off_by_default, LIVE, &without);
        assert_eq!(ids(&f), ["terraform/create-switch-off"]);
        assert_eq!(
            (f[0].location.side, f[0].location.line),
            (Side::Base, Some(2))
        );
        assert!(
            f[0].message
                .contains("was removed from live/terraform.tfvars, so its default false applies"),
            "{}",
            f[0].message
        );
        // Added as false over a true default.
        let f = in_root(ROOT, &without, &format!("{without}enable_db = false\n"));
        assert_eq!(ids(&f), ["terraform/create-switch-off"]);
        // No default to compare with: quiet.
        assert!(in_root(ROOT, LIVE, &LIVE.replace("web_count       = 3\n", "")).is_empty());
    }

    #[test]
    fn an_auto_loaded_file_added_or_deleted_hands_values_over_from_or_to_the_defaults() {
        let off = "enable_db = false\n";
        let added = |path: &str| {
            Case::added(path, off)
                .with_file(Side::Base, "live/main.tf", ROOT)
                .with_file(Side::Head, "live/main.tf", ROOT)
                .run(analyze)
        };
        assert_eq!(
            ids(&added("live/off.auto.tfvars")),
            ["terraform/create-switch-off"]
        );
        // A file only `-var-file` reads is a new environment's choice: quiet, as before.
        assert!(added("live/prod.tfvars").is_empty());
        let main = ROOT.replace("default = true", "default = false");
        let f = Case::deleted("live/terraform.tfvars", "enable_db = true\n")
            .with_file(Side::Base, "live/main.tf", &main)
            .with_file(Side::Head, "live/main.tf", &main)
            .run(analyze);
        assert_eq!(ids(&f), ["terraform/create-switch-off"]);
    }

    #[test]
    fn a_create_switch_followed_to_its_count_is_reported_once_with_the_addresses() {
        let main = ROOT.replace("var.enable_db", "var.create_db");
        let base = "create_db = true\n";
        let f = in_root(&main, base, "create_db = false\n");
        assert_eq!(ids(&f), ["terraform/create-switch-off"]);
        assert!(
            f[0].message.contains("`aws_db_instance.main`"),
            "{}",
            f[0].message
        );
        // Used nowhere here (a module's own switch, say): judged by its name alone.
        let f = in_root("", base, "create_db = false\n");
        assert_eq!(ids(&f), ["terraform/create-switch-off"]);
        assert!(
            f[0].message.contains("(`count = var.create_db ? 1 : 0`)"),
            "{}",
            f[0].message
        );
    }

    #[test]
    fn a_tfvars_value_read_through_a_local_is_followed_to_its_gate() {
        let main = "locals {\n  envs = toset(var.envs)\n  on   = var.enabled\n}\n\nresource \"aws_s3_bucket\" \"env\" {\n  for_each = local.envs\n}\n\nresource \"aws_db_instance\" \"db\" {\n  count = local.on ? 1 : 0\n}\n";
        let base = "envs    = [\"dev\", \"prod\"]\nenabled = true\n";
        let f = in_root(main, base, &base.replace(", \"prod\"", ""));
        assert_eq!(ids(&f), ["terraform/count-emptied"]);
        assert!(
            f[0].message.contains("`aws_s3_bucket.env[\"prod\"]`"),
            "{}",
            f[0].message
        );
        let f = in_root(main, base, &base.replace("true", "false"));
        assert_eq!(ids(&f), ["terraform/create-switch-off"]);
        assert!(
            f[0].message.contains("through `local.on`"),
            "{}",
            f[0].message
        );
        // Turned on, or more keys: quiet.
        assert!(in_root(main, &base.replace("true", "false"), base).is_empty());
        assert!(in_root(main, base, &base.replace("\"prod\"", "\"prod\", \"qa\"")).is_empty());
    }

    /// Protections set from variables whose names say nothing.
    const PROTECTED: &str = r#"resource "aws_rds_cluster" "main" {
  deletion_protection = var.db_protect
  tags                = { keep = var.keep }
}

resource "google_sql_database_instance" "env" {
  for_each            = toset(["main", "replica"])
  deletion_protection = lookup(var.protect, each.key, true)
}
"#;

    /// `live/main.tf` (the same on both sides) with `others` beside the reviewed file: each
    /// is `(side, path, text)`.
    fn beside(case: Case, others: &[(Side, &str, &str)]) -> Vec<Finding> {
        let mut case = case
            .with_file(Side::Base, "live/main.tf", PROTECTED)
            .with_file(Side::Head, "live/main.tf", PROTECTED);
        for (side, path, text) in others {
            case = case.with_file(*side, path, text);
        }
        case.run(analyze)
    }

    #[test]
    fn a_new_auto_loaded_file_is_judged_against_the_value_it_overrides() {
        let tfvars = "db_protect = true\n";
        let both = [
            (Side::Base, "live/terraform.tfvars", tfvars),
            (Side::Head, "live/terraform.tfvars", tfvars),
        ];
        let f = beside(
            Case::added("live/override.auto.tfvars", "db_protect = false\n"),
            &both,
        );
        assert_eq!(ids(&f), ["terraform/protection-weakened"]);
        assert_eq!(f[0].severity, Severity::High);
        assert_eq!(
            (f[0].location.side, f[0].location.line),
            (Side::Head, Some(1))
        );
        assert!(
            f[0].message.contains(
                "(which Terraform loads after live/terraform.tfvars, where it was set) changed from true to false"
            ),
            "{}",
            f[0].message
        );
        // The same value again, or a weak one in a file only `-var-file` reads: quiet.
        let again = beside(
            Case::added("live/override.auto.tfvars", "db_protect = true\n"),
            &both,
        );
        assert!(again.is_empty(), "{again:?}");
        let chosen = beside(
            Case::added("live/prod.tfvars", "db_protect = false\n"),
            &both,
        );
        assert!(chosen.is_empty(), "{chosen:?}");
        // A `terraform.tfvars` change a later file overrides changes nothing a run sees.
        let later = [
            (Side::Base, "live/zz.auto.tfvars", tfvars),
            (Side::Head, "live/zz.auto.tfvars", tfvars),
        ];
        let shadowed = beside(
            Case::modified("live/terraform.tfvars", tfvars, "db_protect = false\n"),
            &later,
        );
        assert!(shadowed.is_empty(), "{shadowed:?}");
    }

    #[test]
    fn a_value_moved_between_auto_loaded_files_is_quiet_and_one_lost_is_judged_where_it_was() {
        let on = "db_protect = true\n";
        let off = "db_protect = false\n";
        // Moved from `terraform.tfvars` to a new `.auto.tfvars`: neither file reports.
        let moved_out = beside(
            Case::modified("live/terraform.tfvars", on, "# moved\n"),
            &[(Side::Head, "live/prod.auto.tfvars", on)],
        );
        let moved_in = beside(
            Case::added("live/prod.auto.tfvars", on),
            &[
                (Side::Base, "live/terraform.tfvars", on),
                (Side::Head, "live/terraform.tfvars", "# moved\n"),
            ],
        );
        assert!(
            moved_out.is_empty() && moved_in.is_empty(),
            "{moved_out:?} {moved_in:?}"
        );
        // An override deleted: the weak value under it applies again, at the deleted line.
        let under = [
            (Side::Base, "live/terraform.tfvars", off),
            (Side::Head, "live/terraform.tfvars", off),
        ];
        let f = beside(Case::deleted("live/zz.auto.tfvars", on), &under);
        assert_eq!(ids(&f), ["terraform/protection-weakened"]);
        assert_eq!(
            (f[0].location.side, f[0].location.line),
            (Side::Base, Some(1))
        );
        assert!(
            f[0].message.contains(
                "no longer set in live/zz.auto.tfvars, now comes from live/terraform.tfvars"
            ),
            "{}",
            f[0].message
        );
        // Turned weak in both files at once: reported once, by the file in force now.
        let weak_under = beside(
            Case::modified("live/terraform.tfvars", on, off),
            &[(Side::Head, "live/zz.auto.tfvars", off)],
        );
        let weak_over = beside(
            Case::added("live/zz.auto.tfvars", off),
            &[
                (Side::Base, "live/terraform.tfvars", on),
                (Side::Head, "live/terraform.tfvars", off),
            ],
        );
        assert!(weak_under.is_empty(), "{weak_under:?}");
        assert_eq!(ids(&weak_over), ["terraform/protection-weakened"]);
    }

    #[test]
    fn a_tfvars_value_a_protection_attribute_reads_is_judged_by_that_attribute() {
        let base = "db_protect = true\nprotect    = { main = true, replica = true }\nkeep = true\n";
        let f = in_root(
            PROTECTED,
            base,
            &base.replace("db_protect = true", "db_protect = false"),
        );
        assert_eq!(ids(&f), ["terraform/protection-weakened"]);
        assert_eq!(f[0].severity, Severity::High);
        assert_eq!(f[0].subject.as_deref(), Some("aws_rds_cluster.main"));
        assert!(
            f[0].message
                .contains("it sets `deletion_protection` of `aws_rds_cluster.main`"),
            "{}",
            f[0].message
        );
        let f = in_root(
            PROTECTED,
            base,
            &base.replace("main = true", "main = false"),
        );
        assert_eq!(ids(&f), ["terraform/protection-weakened"]);
        assert_eq!(
            f[0].subject.as_deref(),
            Some("google_sql_database_instance.env[\"main\"]")
        );
    }

    #[test]
    fn a_tfvars_value_read_by_many_protections_is_one_finding_per_attribute() {
        let main = (0..12)
            .map(|i| format!("resource \"aws_db_instance\" \"db{i}\" {{\n  deletion_protection = var.protect\n}}\n"))
            .collect::<String>();
        let f = in_root(&main, "protect = true\n", "protect = false\n");
        assert_eq!(ids(&f), ["terraform/protection-weakened"]);
        assert_eq!(f[0].subject.as_deref(), Some("var.protect"));
        assert!(
            f[0].message
                .contains("`aws_db_instance.db0`, `aws_db_instance.db1`")
                && f[0].message.contains("and 2 more"),
            "{}",
            f[0].message
        );
    }

    #[test]
    fn a_tfvars_value_no_protection_reads_turned_on_or_for_no_instance_is_quiet() {
        let base = "db_protect = false\nprotect    = { main = true, qa = true }\nkeep = true\n";
        // Turned on; a key for_each makes no instance of; a value only a tag reads.
        assert!(in_root(
            PROTECTED,
            base,
            &base.replace("db_protect = false", "db_protect = true")
        )
        .is_empty());
        assert!(in_root(PROTECTED, base, &base.replace("qa = true", "qa = false")).is_empty());
        assert!(in_root(
            PROTECTED,
            base,
            &base.replace("keep = true", "keep = false")
        )
        .is_empty());
        // Not read by this directory at all.
        assert!(in_root("", base, &base.replace("main = true", "main = false")).is_empty());
    }

    #[test]
    fn broken_tfvars_need_a_human() {
        let f = run("vars.tfvars", PROD, "a = = 2\n");
        assert_eq!(ids(&f), ["terraform/unparseable"]);
    }
}
