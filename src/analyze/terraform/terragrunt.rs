//! terragrunt: Terragrunt configuration (`terragrunt.hcl`, `root.hcl` and other `.hcl`
//! files beside it). A Terragrunt unit declares no resources itself; it says which module to
//! apply, with which `inputs`, where the state lives (`remote_state`) and whether
//! `terragrunt destroy` is refused (`prevent_destroy`). So the destructive edits are those
//! three: the guard lifted, a protection turned off or a retention lowered through an input,
//! and the state re-pointed. The state also moves when the unit itself does (renamed into
//! another directory, or a stack's `unit` given another `path`), since it is usually keyed by
//! the unit's directory. A stack file (`terragrunt.stack.hcl`) is read block by block: a
//! `unit` or `stack` removed, moved, pointed at another module or handed weaker `values`.
//! What the module then does is only visible in its own `.tf` files or a plan.
//!
//! Both sides are parsed with hcl-edit; a side that does not parse needs a human, as for
//! Terraform. Pure: the texts come from the view.

use super::guards::{self, InputChange, InputRole};
use super::model::{lit, Lit};
use super::retention;
use crate::analyze::{read_sides, FileView, Unparseable};
use crate::change::Side;
use crate::finding::{Finding, RuleId, Severity, Tag};
use crate::rules::Rule;
use hcl_edit::expr::Expression;
use hcl_edit::structure::Body;
use hcl_edit::template::Element;
use hcl_edit::Span;
use std::collections::BTreeMap;

const DESTRUCTIVE: &[Tag] = &[Tag::Destructive, Tag::Infra];

pub const PREVENT_DESTROY_REMOVED: Rule = Rule {
    id: RuleId("terragrunt/prevent-destroy-removed"),
    severity: Severity::High,
    tags: DESTRUCTIVE,
    summary: "`prevent_destroy = true` was removed or turned off in a Terragrunt unit.",
    why: "Terragrunt refuses `terragrunt destroy` (and `run --all destroy`) on a unit with \
          `prevent_destroy = true`. Lifting it is usually the first step of destroying everything the \
          unit's module manages.",
    example: "before: prevent_destroy = true\nafter:  prevent_destroy = false",
    safer: "Keep prevent_destroy, and lift it only in a change reviewed together with the destroy that needs it.",
};

pub const PROTECTION_WEAKENED: Rule = Rule {
    id: RuleId("terragrunt/protection-weakened"),
    severity: Severity::High,
    tags: DESTRUCTIVE,
    summary: "A Terragrunt input turns off a protection (deletion protection, final snapshot, force_destroy…).",
    why: "A unit's `inputs` become the module's variables. An input such as `deletion_protection`, \
          `skip_final_snapshot` or `force_destroy` usually reaches the resource attribute of the same \
          name, so flipping it weakens what stands between a mistaken destroy and lost data. High when \
          a protective value is turned off; medium when a weak value is added, since it only matters if \
          the module's default (which twokey cannot see) protected. A removed input is not judged. A \
          `create`/`create_*` input turned off is `terraform/create-switch-off`.",
    example: "before: inputs = { deletion_protection = true }\nafter:  inputs = { deletion_protection = false }",
    safer: "Keep the protection on; if a destroy is really intended, do it in its own reviewed change.",
};

pub const REMOTE_STATE_CHANGED: Rule = Rule {
    id: RuleId("terragrunt/remote-state-changed"),
    severity: Severity::High,
    tags: DESTRUCTIVE,
    summary: "`remote_state` changed backend type or location (bucket, key, prefix, container…).",
    why: "Terragrunt generates the backend from `remote_state`, or a `generate` block writes it \
          (`terraform { backend \"s3\" { … } }` in a heredoc), which is compared the same way. Pointed \
          elsewhere, the next run finds no \
          state there and plans to create every resource again beside the running ones, or, with \
          automatic migration off, loses track of them.",
    example: "before: remote_state { config = { bucket = \"acme-tf\" } }\n\
              after:  remote_state { config = { bucket = \"acme-tf-new\" } }",
    safer: "Move the state deliberately (`terragrunt init -migrate-state`) in its own reviewed change, and \
            confirm that the following plan creates nothing.",
};

pub const SOURCE_CHANGED: Rule = Rule {
    id: RuleId("terragrunt/source-changed"),
    severity: Severity::High,
    tags: DESTRUCTIVE,
    summary: "A unit's `terraform { source }` now names a different module, so the resources in its state are destroyed and created anew.",
    why: "The unit's state holds the resources of the module it applied, by their addresses inside that \
          module. Another module (`…/rds/aws` to `…/rds-aurora/aws`, another repository or subdirectory) \
          declares other addresses, so the next apply destroys what the old module created unless \
          `moved` blocks are generated for them. A source built from the file's literal `locals` is \
          resolved, a shared file's local named for a source counts for the units that include it, and \
          a template over the same unknown values is compared by its literal parts. A version or ref \
          bump of the same module is not reported; a change to or from a local path is medium.",
    example: "before: terraform { source = \"tfr:///terraform-aws-modules/rds/aws?version=6.5.0\" }\n\
              after:  terraform { source = \"tfr:///terraform-aws-modules/rds-aurora/aws?version=9.0.0\" }",
    safer: "Put the new module in a new unit (its own state) and migrate the data before removing the old \
            unit; or read the plan and add `moved` blocks (a `generate` block) for what must survive.",
};

pub const UNIT_MOVED: Rule = Rule {
    id: RuleId("terragrunt/unit-moved"),
    severity: Severity::High,
    tags: DESTRUCTIVE,
    summary: "A Terragrunt unit moved to another directory (or a stack's `unit` changed its `path`), so its state key moves with it.",
    why: "A unit's state is usually keyed by its directory (`key = \"${path_relative_to_include()}/terraform.tfstate\"` \
          in the root's `remote_state`). Moved, the unit finds an empty state at the new key: the next apply \
          creates every resource again beside the running ones (or fails on names taken), and the old state \
          still holds the originals, now managed by nothing. Not reported when the unit's own `remote_state` \
          names its place without reading its directory.",
    example: "before: live/prod/mysql/terragrunt.hcl\nafter:  live/prod/database/terragrunt.hcl",
    safer: "Move the state with the unit (copy the old state object to the new key, or `terragrunt state pull` \
            / `push`), and confirm that the following plan creates nothing.",
};

pub const STACK_UNIT_REMOVED: Rule = Rule {
    id: RuleId("terragrunt/stack-unit-removed"),
    severity: Severity::High,
    tags: DESTRUCTIVE,
    summary: "A `unit` or `stack` block was removed from a `terragrunt.stack.hcl`, so what it applied is no longer managed.",
    why: "`terragrunt stack generate` writes one unit per `unit` block (and a nested stack per `stack` block). \
          Without the block no run visits the unit any more: its resources keep running, unmanaged, and \
          `stack run destroy` no longer reaches them.",
    example: "before: unit \"database\" { source = \"…//units/mysql\" path = \"database\" }\nafter:  (removed)",
    safer: "Run `terragrunt destroy` in the generated unit first if its resources must go, reviewing the plan; \
            to keep them, hand them to another unit (`terraform state mv` or `import` blocks there) first.",
};

pub const UNPARSEABLE: Rule = Rule {
    id: RuleId("terragrunt/unparseable"),
    severity: Severity::High,
    tags: &[Tag::Infra],
    summary: "A Terragrunt file could not be parsed, so what it destroys is unknown.",
    why: "twokey fails closed: a configuration it cannot read might lift any protection.",
    example: "after: inputs = {   # missing closing brace",
    safer: "Fix the syntax (`terragrunt hcl format` / `terragrunt hcl validate`) and push again.",
};

pub const RULES: &[&Rule] = &[
    &PREVENT_DESTROY_REMOVED,
    &PROTECTION_WEAKENED,
    &REMOTE_STATE_CHANGED,
    &SOURCE_CHANGED,
    &UNIT_MOVED,
    &STACK_UNIT_REMOVED,
    &UNPARSEABLE,
];

/// `remote_state` settings that say where the state lives (inside `config`).
const STATE_PLACE: &[&str] = &[
    "bucket",
    "key",
    "prefix",
    "workspace_key_prefix",
    "path",
    "storage_account_name",
    "container_name",
    "resource_group_name",
    "organization",
    "hostname",
    "workspaces.name",
    "workspaces.prefix",
    "conn_str",
    "schema_name",
    "address",
];

/// A value and the 1-based line it is on.
#[derive(Debug, Clone)]
struct Value {
    lit: Lit,
    line: u32,
}

/// What one side of a Terragrunt file says about destruction.
#[derive(Debug, Default)]
struct Unit {
    prevent_destroy: Option<Value>,
    /// `remote_state`'s `backend`, and its `config` flattened by dotted path.
    state_backend: Option<Value>,
    state_config: BTreeMap<String, Value>,
    /// Literal `inputs` (object literals, also inside `merge(…)`), by dotted path.
    inputs: BTreeMap<String, Value>,
    /// `terraform { source = … }`: the module the unit applies; a template over this file's
    /// literal `locals` is resolved (`"${local.base_source_url}?ref=v0.8.0"`).
    source: Option<Value>,
    /// The locals a resolved `source` was built from, in order.
    source_locals: Vec<String>,
    /// The file's `locals` block, by name.
    locals: BTreeMap<String, Value>,
    /// A stack file's `unit` and `stack` blocks.
    stack: Vec<StackEntry>,
}

/// A `unit "name" { … }` or `stack "name" { … }` block of a `terragrunt.stack.hcl`.
#[derive(Debug)]
struct StackEntry {
    /// `unit` or `stack`.
    kind: &'static str,
    name: String,
    line: u32,
    source: Option<Value>,
    /// Where the unit is generated, which its state key is usually derived from.
    path: Option<Value>,
    /// `values`, read by the unit as `values.x`, often passed on as inputs.
    values: BTreeMap<String, Value>,
}

fn line_of(text: &str, offset: usize) -> u32 {
    let newlines = text.as_bytes()[..offset.min(text.len())]
        .iter()
        .filter(|b| **b == b'\n')
        .count();
    u32::try_from(newlines + 1).unwrap_or(u32::MAX)
}

fn parse(text: &str) -> Result<Unit, Unparseable> {
    let body = hcl_edit::parser::parse_body(text).map_err(|e| Unparseable {
        side: Side::Head,
        line: u32::try_from(e.location().line()).ok(),
        reason: e.message().trim().to_owned(),
    })?;
    let at = |span: Option<std::ops::Range<usize>>| line_of(text, span.map_or(0, |r| r.start));
    let mut unit = Unit::default();
    for attr in body.attributes() {
        let line = at(attr.span());
        match attr.key.as_str() {
            "prevent_destroy" => {
                unit.prevent_destroy = Some(Value {
                    lit: lit(&attr.value),
                    line,
                })
            }
            "inputs" => flatten_object(&attr.value, "", text, &mut unit.inputs),
            // The older attribute form: `remote_state = { backend = "s3", config = { … } }`.
            "remote_state" => {
                let mut all = BTreeMap::new();
                flatten_object(&attr.value, "", text, &mut all);
                read_state(&mut unit, all);
            }
            _ => {}
        }
    }
    for block in body.get_blocks("locals") {
        for attr in block.body.attributes() {
            unit.locals
                .entry(attr.key.as_str().to_owned())
                .or_insert_with(|| Value {
                    lit: lit(&attr.value),
                    line: at(attr.span()),
                });
        }
    }
    if let Some(attr) = body
        .get_blocks("terraform")
        .find_map(|b| b.body.get_attribute("source"))
    {
        let mut read = Vec::new();
        let resolved = resolve_locals(&attr.value, &unit.locals, &mut read);
        unit.source_locals = if resolved.is_some() { read } else { Vec::new() };
        unit.source = Some(Value {
            lit: resolved.map_or_else(|| lit(&attr.value), Lit::Str),
            line: at(attr.span()),
        });
    }
    if let Some(block) = body.get_blocks("remote_state").next() {
        let mut all = BTreeMap::new();
        flatten_body(&block.body, text, &mut all);
        read_state(&mut unit, all);
    }
    if unit.state_backend.is_none() {
        if let Some((backend, config)) = generated_backend(&body, text) {
            unit.state_backend = Some(backend);
            unit.state_config = config;
        }
    }
    for block in body.blocks() {
        let kind = match block.ident.as_str() {
            "unit" => "unit",
            "stack" => "stack",
            _ => continue,
        };
        let Some(name) = block.labels.first().map(|l| l.as_str().to_owned()) else {
            continue;
        };
        let mut all = BTreeMap::new();
        flatten_body(&block.body, text, &mut all);
        let values = all
            .iter()
            .filter_map(|(k, v)| Some((k.strip_prefix("values.")?.to_owned(), v.clone())))
            .collect();
        unit.stack.push(StackEntry {
            kind,
            name,
            line: at(block.span()),
            source: all.remove("source"),
            path: all.remove("path"),
            values,
        });
    }
    Ok(unit)
}

/// A string built only of literals and this file's literal string `locals`
/// (`"${local.base_source_url}?ref=v0.8.0"`, or `local.source`), with the locals it read
/// pushed to `read`; `None` for a plain literal (nothing to resolve) or anything else (another
/// file's locals through `include`, a function call, a directive).
fn resolve_locals(
    expr: &Expression,
    locals: &BTreeMap<String, Value>,
    read: &mut Vec<String>,
) -> Option<String> {
    let local = |e: &Expression, read: &mut Vec<String>| -> Option<String> {
        let name = super::model::traversal_address(e)?
            .strip_prefix("local.")?
            .to_owned();
        let Lit::Str(value) = &locals.get(&name)?.lit else {
            return None;
        };
        read.push(name);
        Some(value.clone())
    };
    match expr {
        Expression::StringTemplate(template) => {
            let mut out = String::new();
            for element in template.iter() {
                match element {
                    Element::Literal(text) => out.push_str(text.value()),
                    Element::Interpolation(i) => out.push_str(&local(&i.expr, read)?),
                    Element::Directive(_) => return None,
                }
            }
            (!read.is_empty()).then_some(out)
        }
        Expression::Traversal(_) => local(expr, read),
        _ => None,
    }
}

/// The backend a `generate` block writes when there is no `remote_state`: many live
/// repositories write `terraform { backend "s3" { … } }` into a heredoc themselves
/// (`generate "backend" { contents = <<EOF … EOF }`). The heredoc's text is read as HCL, lines
/// counted in the file; a template that does not read as HCL gives nothing.
fn generated_backend(body: &Body, text: &str) -> Option<(Value, BTreeMap<String, Value>)> {
    body.get_blocks("generate").find_map(|block| {
        let contents = block.body.get_attribute("contents")?;
        let span = contents.value.span()?;
        let written = text.get(span.clone())?;
        // `<<EOF` or `<<-EOF` on the first line, the delimiter alone on the last.
        let (opener, rest) = written.split_once('\n')?;
        if !opener.trim_start().starts_with("<<") {
            return None;
        }
        let inner = rest.rsplit_once('\n').map_or(rest, |(inner, _)| inner);
        let first_line = line_of(text, span.start) + 1;
        let generated = hcl_edit::parser::parse_body(inner).ok()?;
        let backend = generated
            .get_blocks("terraform")
            .find_map(|t| t.body.get_blocks("backend").next())?;
        let kind = backend.labels.first()?.as_str().to_owned();
        let mut config = BTreeMap::new();
        flatten_body(&backend.body, inner, &mut config);
        let shift = |v: Value| Value {
            line: v.line + first_line - 1,
            ..v
        };
        let config = config.into_iter().map(|(k, v)| (k, shift(v))).collect();
        let line = line_of(inner, backend.span().map_or(0, |r| r.start)) + first_line - 1;
        Some((
            Value {
                lit: Lit::Str(kind),
                line,
            },
            config,
        ))
    })
}

fn read_state(unit: &mut Unit, all: BTreeMap<String, Value>) {
    for (path, value) in all {
        if path == "backend" {
            unit.state_backend = Some(value);
        } else if let Some(rest) = path.strip_prefix("config.") {
            unit.state_config.insert(rest.to_owned(), value);
        }
    }
}

fn flatten_body(body: &Body, text: &str, out: &mut BTreeMap<String, Value>) {
    for attr in body.attributes() {
        let key = attr.key.as_str();
        let line = line_of(text, attr.span().map_or(0, |r| r.start));
        out.insert(
            key.to_owned(),
            Value {
                lit: lit(&attr.value),
                line,
            },
        );
        flatten_object(&attr.value, &format!("{key}."), text, out);
    }
}

/// Every key of an object literal by dotted path. `merge(…)` of object literals counts too,
/// later arguments winning as Terraform's `merge` does; anything computed is left out, so an
/// input that is not literal is never judged.
fn flatten_object(expr: &Expression, prefix: &str, text: &str, out: &mut BTreeMap<String, Value>) {
    match expr {
        Expression::Parenthesis(p) => flatten_object(p.inner(), prefix, text, out),
        Expression::Object(obj) => {
            for (key, value) in obj.iter() {
                let Some(name) = super::model::object_key_name(key) else {
                    continue;
                };
                let path = format!("{prefix}{name}");
                let line = line_of(text, value.expr().span().map_or(0, |r| r.start));
                out.insert(
                    path.clone(),
                    Value {
                        lit: lit(value.expr()),
                        line,
                    },
                );
                flatten_object(value.expr(), &format!("{path}."), text, out);
            }
        }
        Expression::FuncCall(call) if call.name.name.as_str() == "merge" => {
            for arg in call.args.iter() {
                flatten_object(arg, prefix, text, out);
            }
        }
        // A list of objects (`log_groups = [{ name = "/app/api", retention_in_days = 90 }]`):
        // each element by the name it gives itself, else by its position, so an element keeps
        // its path when others are added or removed around it.
        Expression::Array(items) => {
            let Some(list) = prefix.strip_suffix('.') else {
                return;
            };
            for (i, item) in items.iter().enumerate() {
                let Expression::Object(obj) = item else {
                    continue;
                };
                let own_name = ["name", "id", "key"].iter().find_map(|k| {
                    obj.iter().find_map(|(key, value)| {
                        (super::model::object_key_name(key).as_deref() == Some(*k))
                            .then(|| match lit(value.expr()) {
                                Lit::Str(s) => Some(format!("{s:?}")),
                                _ => None,
                            })
                            .flatten()
                    })
                });
                let label = own_name.unwrap_or_else(|| i.to_string());
                flatten_object(item, &format!("{list}[{label}]."), text, out);
            }
        }
        _ => {}
    }
}

pub fn analyze(view: &FileView) -> Vec<Finding> {
    let read = |side: Side, text: &str| parse(text).map_err(|e| Unparseable { side, ..e });
    let (base, head) = match read_sides(view, &UNPARSEABLE, read) {
        Ok(sides) => sides,
        Err(unreadable) => return unreadable,
    };
    // A new file guards nothing yet; a deleted one is the files analyzer's to report.
    let (Some(base), Some(head)) = (base, head) else {
        return Vec::new();
    };
    let mut out = Vec::new();
    prevent_destroy(view, &base, &head, &mut out);
    let file = view.path_on(Side::Head).to_string();
    let place = Place {
        noun: "Input",
        owner: &file,
    };
    inputs(view, &place, &base.inputs, &head.inputs, &mut out);
    retention_inputs(view, &place, &base.inputs, &head.inputs, &mut out);
    remote_state(view, &base, &head, &mut out);
    source_changed(view, &base, &head, &mut out);
    shared_source_locals(view, &base, &head, &mut out);
    unit_moved(view, &head, &mut out);
    stack_entries(view, &base, &head, &mut out);
    out
}

/// Functions whose value depends on where the unit's directory is.
const PATH_READERS: &[&str] = &[
    "path_relative_to_include",
    "path_relative_from_include",
    "get_terragrunt_dir",
    "get_original_terragrunt_dir",
    "get_path_from_repo_root",
    "get_path_to_repo_root",
];

/// The unit's file renamed into another directory. Its state moves with it unless its own
/// `remote_state` names the place without reading the directory; a state configured in an
/// included root (the usual layout) is assumed to be keyed by path, as the root files of
/// Terragrunt's examples and documentation do.
fn unit_moved(view: &FileView, head: &Unit, out: &mut Vec<Finding>) {
    let (from, to) = (view.path_on(Side::Base), view.path_on(Side::Head));
    let unit_file = |name: &str| {
        name.eq_ignore_ascii_case("terragrunt.hcl")
            || name.eq_ignore_ascii_case("terragrunt.stack.hcl")
    };
    if view.change.status != crate::change::FileStatus::Renamed
        || !unit_file(from.file_name())
        || !unit_file(to.file_name())
        || from.dir() == to.dir()
    {
        return;
    }
    let reads_path = |v: &Value| {
        let text = v.lit.render();
        PATH_READERS.iter().any(|f| text.contains(f))
    };
    let own_fixed_place = head.state_backend.is_some()
        && !STATE_PLACE
            .iter()
            .filter_map(|k| head.state_config.get(*k))
            .any(reads_path);
    if own_fixed_place {
        return;
    }
    let what = if from
        .file_name()
        .eq_ignore_ascii_case("terragrunt.stack.hcl")
    {
        "The Terragrunt stack"
    } else {
        "The Terragrunt unit"
    };
    out.push(Finding::new(
        &UNIT_MOVED,
        view.whole(Side::Head),
        format!(
            "{what} moved from {} to {}: its state is keyed by its directory (`path_relative_to_include()` in the \
             root's `remote_state`), so the next apply finds an empty state at the new key and creates every \
             resource again beside the running ones, and the old state's resources are left unmanaged.",
            from.dir(),
            to.dir()
        ),
    ));
}

/// A stack file's `unit` and `stack` blocks, matched by their `path` (where they are
/// generated, and so where their state is keyed), else by name: one removed, moved, pointed
/// at another module, or handed a weaker value.
fn stack_entries(view: &FileView, base: &Unit, head: &Unit, out: &mut Vec<Finding>) {
    let file = view.path_on(Side::Head);
    let path_of = |e: &StackEntry| e.path.as_ref().map(|v| v.lit.render());
    for old in &base.stack {
        let by_path = head
            .stack
            .iter()
            .find(|e| e.kind == old.kind && path_of(e).is_some() && path_of(e) == path_of(old));
        let by_name = || {
            head.stack
                .iter()
                .find(|e| e.kind == old.kind && e.name == old.name)
        };
        let Some(new) = by_path.or_else(by_name) else {
            out.push(Finding::new(
                &STACK_UNIT_REMOVED,
                view.at(Side::Base, old.line, old.line),
                format!(
                    "The {} `{}` was removed from {file}: no run generates or visits it any more, so the \
                     resources in its state are left running and unmanaged, and `stack run destroy` no \
                     longer reaches them.",
                    old.kind, old.name
                ),
            ));
            continue;
        };
        if let (Some(was), Some(now)) = (&old.path, &new.path) {
            if !was.lit.same(&now.lit) {
                out.push(Finding::new(
                    &UNIT_MOVED,
                    view.at(Side::Head, now.line, now.line),
                    format!(
                        "The `path` of {} `{}` in {file} changed from {} to {}: it is generated in another \
                         directory, so unless its state key ignores the directory, the next apply finds an \
                         empty state and creates every resource again beside the running ones, and the old \
                         state's resources are left unmanaged.",
                        new.kind,
                        new.name,
                        was.lit.render(),
                        now.lit.render()
                    ),
                ));
            }
        }
        if let (Some(was), Some(now)) = (&old.source, &new.source) {
            if let (Lit::Str(a), Lit::Str(b)) = (&was.lit, &now.lit) {
                if let Some(severity) = super::modules::different_module(a, b) {
                    out.push(
                        Finding::new(
                            &SOURCE_CHANGED,
                            view.at(Side::Head, now.line, now.line),
                            format!(
                                "The source of {} `{}` in {file} changed from `{a}` to `{b}`, a different \
                                 module: unless it declares the same resource addresses, the next apply \
                                 destroys every resource the {} state holds (and the data in them) and \
                                 creates the new module's anew.",
                                new.kind, new.name, new.kind
                            ),
                        )
                        .with_severity(severity),
                    );
                }
            }
        }
        let owner = format!("{} `{}` of {file}", new.kind, new.name);
        let place = Place {
            noun: "Value",
            owner: &owner,
        };
        inputs(view, &place, &old.values, &new.values, out);
        retention_inputs(view, &place, &old.values, &new.values, out);
    }
}

/// Who hands a value to a module, for messages: "Input `x` in live/db/terragrunt.hcl",
/// "Value `x` in unit `db` of terragrunt.stack.hcl".
struct Place<'a> {
    noun: &'a str,
    owner: &'a str,
}

/// The unit's module swapped for another. Literal sources are compared, and so are those
/// built from this file's literal `locals`. A template over anything else
/// (`"${include.root.locals.modules}//rds?ref=v1"`) is compared as written when it reads the
/// same values on both sides: whatever they are, another literal part names another module.
fn source_changed(view: &FileView, base: &Unit, head: &Unit, out: &mut Vec<Finding>) {
    let (Some(before), Some(after)) = (&base.source, &head.source) else {
        return;
    };
    let (was, now) = match (&before.lit, &after.lit) {
        (Lit::Str(was), Lit::Str(now)) => (was, now),
        (Lit::Expr(was), Lit::Expr(now)) if same_unknowns(was, now) => (was, now),
        _ => return,
    };
    let Some(severity) = super::modules::different_module(was, now) else {
        // The same module at another version: a major one of a module that holds state is
        // worth reading the upgrade guide for.
        super::version_bumps::unit_source(view, was, now, after.line, out);
        return;
    };
    let path = view.path_on(Side::Head);
    // Built from locals: point at the local that changed, where the edit is.
    let changed_local = head.source_locals.iter().find_map(|name| {
        let (b, h) = (base.locals.get(name)?, head.locals.get(name)?);
        (!b.lit.same(&h.lit)).then_some((name, h))
    });
    let (line, via) = match changed_local {
        Some((name, value)) => (value.line, format!(" (through `local.{name}`)")),
        None => (after.line, String::new()),
    };
    let units = if is_unit_file(path.file_name()) {
        "the unit's state holds".to_owned()
    } else {
        format!("the state of every unit that includes {path} holds")
    };
    out.push(
        Finding::new(
            &SOURCE_CHANGED,
            view.at(Side::Head, line, line),
            format!(
                "The module of {path} changed{via} from `{was}` to `{now}`, a different module: unless it declares \
                 the same resource addresses, the next apply destroys every resource {units} \
                 (and the data in them) and creates the new module's anew."
            ),
        )
        .with_severity(severity),
    );
}

/// A shared file's (`_envcommon/mysql.hcl`, `root.hcl`) literal local named for a module source
/// (`base_source_url`, `module_source`) pointed at a different module, where the file's own
/// `terraform { source }` does not read it: the units that include the file build their source
/// from it (`"${include.envcommon.locals.base_source_url}?ref=…"`), so each of them swaps its
/// module. Judged like a source, at the local's line.
fn shared_source_locals(view: &FileView, base: &Unit, head: &Unit, out: &mut Vec<Finding>) {
    let path = view.path_on(Side::Head);
    if is_unit_file(path.file_name()) {
        return;
    }
    for (name, after) in &head.locals {
        if !name.to_ascii_lowercase().contains("source") || head.source_locals.contains(name) {
            continue;
        }
        let Some(before) = base.locals.get(name) else {
            continue;
        };
        let (Lit::Str(was), Lit::Str(now)) = (&before.lit, &after.lit) else {
            continue;
        };
        let Some(severity) = super::modules::different_module(was, now) else {
            continue;
        };
        out.push(
            Finding::new(
                &SOURCE_CHANGED,
                view.at(Side::Head, after.line, after.line),
                format!(
                    "`local.{name}` in {path} changed from `{was}` to `{now}`, a different module: every unit \
                     that includes {path} and builds its `terraform {{ source }}` from it now applies that \
                     module, so unless it declares the same resource addresses, the next apply destroys \
                     every resource those units' states hold (and the data in them) and creates the new \
                     module's anew."
                ),
            )
            .with_severity(severity),
        );
    }
}

/// Whether two string templates interpolate the same expressions in the same order, with no
/// directive (`%{ if … }`): then they differ only in their literal parts.
fn same_unknowns(was: &str, now: &str) -> bool {
    fn unknowns(text: &str) -> Option<Vec<&str>> {
        if text.contains("%{") {
            return None;
        }
        let mut out = Vec::new();
        let mut rest = text;
        while let Some(start) = rest.find("${") {
            let end = rest[start..].find('}')? + start;
            out.push(&rest[start..=end]);
            rest = &rest[end + 1..];
        }
        (!out.is_empty()).then_some(out)
    }
    matches!((unknowns(was), unknowns(now)), (Some(a), Some(b)) if a == b)
}

/// A unit's own file, as opposed to a shared one that units include.
fn is_unit_file(name: &str) -> bool {
    name.eq_ignore_ascii_case("terragrunt.hcl") || name.eq_ignore_ascii_case("terragrunt.stack.hcl")
}

fn prevent_destroy(view: &FileView, base: &Unit, head: &Unit, out: &mut Vec<Finding>) {
    let was_on = base
        .prevent_destroy
        .as_ref()
        .is_some_and(|v| v.lit.as_bool() == Some(true));
    let still_on = head
        .prevent_destroy
        .as_ref()
        .is_some_and(|v| v.lit.as_bool() != Some(false));
    if !was_on || still_on {
        return;
    }
    let path = view.path_on(Side::Head);
    // A removed line exists only in the base: point there.
    let (location, how) = match (&head.prevent_destroy, &base.prevent_destroy) {
        (Some(v), _) => (
            view.at(Side::Head, v.line, v.line),
            format!("is now `{}`", v.lit.render()),
        ),
        (None, Some(b)) => (
            view.at(Side::Base, b.line, b.line),
            "was removed".to_owned(),
        ),
        (None, None) => (view.whole(Side::Head), "was removed".to_owned()),
    };
    out.push(Finding::new(
        &PREVENT_DESTROY_REMOVED,
        location,
        format!(
            "`prevent_destroy = true` in {path} {how}, so `terragrunt destroy` no longer refuses to destroy everything this unit's module manages."
        ),
    ));
}

/// An input weakens a protection, or turns off a module's `create` switch, as
/// [`guards::input_weakened`] judges it, the same way a module call's arguments are judged.
fn inputs(
    view: &FileView,
    place: &Place,
    base: &BTreeMap<String, Value>,
    head: &BTreeMap<String, Value>,
    out: &mut Vec<Finding>,
) {
    let Place { noun, owner } = place;
    for (path, after) in head {
        let Some(role) = InputRole::of(path) else {
            continue;
        };
        let before = base.get(path).map(|v| &v.lit);
        let Some(change) = guards::input_weakened(role, before, &after.lit) else {
            continue;
        };
        let how = match &change {
            InputChange::Turned(was) => format!("changed from {was} to {}", after.lit.render()),
            InputChange::Added => format!(
                "was set to {} (if the module's default was protective)",
                after.lit.render()
            ),
        };
        let (rule, passes) = match role {
            InputRole::Guard(_) => (
                &PROTECTION_WEAKENED,
                "if the module passes it to the resource of the same name",
            ),
            InputRole::CreateSwitch => (
                &super::CREATE_SWITCH_OFF,
                "if the module uses it as its switch for what it creates",
            ),
        };
        out.push(
            Finding::new(
                rule,
                view.at(Side::Head, after.line, after.line),
                format!(
                    "{noun} `{path}` in {owner} {how}; {passes}, {}.",
                    role.effect()
                ),
            )
            .with_severity(guards::input_severity(path, role, &change)),
        );
    }
}

/// An input naming a retention lowered, as [`retention::input_lowered`] judges it: the same
/// judge as a module call's arguments, since `inputs` become the module's variables.
fn retention_inputs(
    view: &FileView,
    place: &Place,
    base: &BTreeMap<String, Value>,
    head: &BTreeMap<String, Value>,
    out: &mut Vec<Finding>,
) {
    for (path, after) in head {
        let before = base.get(path).map(|v| &v.lit);
        // Inside a list element the setting goes by its own name (`retention_in_days` of
        // `log_groups["/app/api"]`): the element is one object the module creates.
        let name = match path.rsplit_once("].") {
            Some((_, leaf)) if !leaf.contains('.') => leaf,
            _ => path.as_str(),
        };
        let Some(lowered) = retention::input_lowered(name, before, &after.lit) else {
            continue;
        };
        let what = format!("{} `{path}` in {}", place.noun, place.owner);
        let reach = "if the module passes it to the retention of what it stores";
        out.push(retention::input_finding(
            view,
            after.line,
            path,
            (&what, reach),
            lowered,
        ));
    }
}

fn remote_state(view: &FileView, base: &Unit, head: &Unit, out: &mut Vec<Finding>) {
    let Some(old_backend) = &base.state_backend else {
        return;
    };
    let mut changes = Vec::new();
    let mut line = None;
    match &head.state_backend {
        Some(new) if new.lit.same(&old_backend.lit) => {}
        Some(new) => {
            changes.push(format!(
                "backend {} → {}",
                old_backend.lit.render(),
                new.lit.render()
            ));
            line = Some(new.line);
        }
        None => changes.push("`remote_state` removed".to_owned()),
    }
    for key in STATE_PLACE {
        let before = base.state_config.get(*key);
        let after = head.state_config.get(*key);
        let render = |v: Option<&Value>| v.map_or_else(|| "(unset)".to_owned(), |v| v.lit.render());
        let same = match (before, after) {
            (Some(a), Some(b)) => a.lit.same(&b.lit),
            (None, None) => true,
            _ => false,
        };
        if !same {
            changes.push(format!("{key} {} → {}", render(before), render(after)));
            line = line.or(after.map(|v| v.line));
        }
    }
    if changes.is_empty() {
        return;
    }
    let line = line.unwrap_or(1);
    out.push(Finding::new(
        &REMOTE_STATE_CHANGED,
        view.at(Side::Head, line, line),
        format!(
            "The remote state of {} moves ({}): the next run looks for the state in the new place and, without a migration, plans to create every resource again beside the running ones.",
            view.path_on(Side::Head),
            changes.join(", ")
        ),
    ));
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analyze::files::testkit::{ids, Case};

    const UNIT: &str = r#"include "root" {
  path   = find_in_parent_folders("root.hcl")
  expose = true
}

terraform {
  source = "tfr:///terraform-aws-modules/rds/aws?version=6.1.0"
}

prevent_destroy = true

remote_state {
  backend = "s3"
  generate = {
    path      = "backend.tf"
    if_exists = "overwrite_terragrunt"
  }
  config = {
    bucket = "acme-tf-state"
    key    = "${path_relative_to_include()}/terraform.tfstate"
    region = "us-east-1"
  }
}

dependency "vpc" {
  config_path  = "../vpc"
  mock_outputs = { vpc_id = "vpc-123" }
}

inputs = merge(include.root.locals.common, {
  identifier          = "orders"
  deletion_protection = true
  skip_final_snapshot = false
  vpc_id              = dependency.vpc.outputs.vpc_id
})
"#;

    fn run(base: &str, head: &str) -> Vec<Finding> {
        Case::modified("live/prod/db/terragrunt.hcl", base, head).run(analyze)
    }

    #[test]
    fn lifting_prevent_destroy_is_reported_at_its_line() {
        let head = UNIT.replace("prevent_destroy = true", "prevent_destroy = false");
        let f = run(UNIT, &head);
        assert_eq!(ids(&f), ["terragrunt/prevent-destroy-removed"]);
        assert_eq!(f[0].location.line, Some(10));
        // Removed: the line is only in the base, so the finding points there.
        let head = UNIT.replace("prevent_destroy = true\n", "");
        let f = run(UNIT, &head);
        assert_eq!(ids(&f), ["terragrunt/prevent-destroy-removed"]);
        assert_eq!(f[0].location.line, Some(10));
        assert_eq!(f[0].location.side, Side::Base);
    }

    #[test]
    fn an_input_that_turns_the_modules_create_switch_off_is_reported() {
        let on = UNIT.replace(
            "  identifier          = \"orders\"\n",
            "  identifier          = \"orders\"\n  create_db_instance  = true\n",
        );
        let f = run(
            &on,
            &on.replace("create_db_instance  = true", "create_db_instance  = false"),
        );
        assert_eq!(ids(&f), ["terraform/create-switch-off"]);
        assert_eq!(f[0].severity, Severity::High);
        assert!(run(&on, &on.replace("orders", "orders-db")).is_empty());
    }

    #[test]
    fn a_weak_input_added_is_medium() {
        let head = UNIT.replace(
            "  skip_final_snapshot = false\n",
            "  skip_final_snapshot = false\n  force_destroy       = true\n",
        );
        let f = run(UNIT, &head);
        assert_eq!(ids(&f), ["terragrunt/protection-weakened"]);
        assert_eq!(f[0].severity, Severity::Medium);
    }

    #[test]
    fn an_input_that_turns_a_protection_off_is_reported() {
        let head = UNIT.replace("deletion_protection = true", "deletion_protection = false");
        let f = run(UNIT, &head);
        assert_eq!(ids(&f), ["terragrunt/protection-weakened"]);
        assert!(
            f[0].message.contains("deletion_protection"),
            "{}",
            f[0].message
        );
        let head = UNIT.replace("skip_final_snapshot = false", "skip_final_snapshot = true");
        assert_eq!(ids(&run(UNIT, &head)), ["terragrunt/protection-weakened"]);
    }

    #[test]
    fn a_removed_input_falls_back_to_a_default_twokey_cannot_see_and_is_quiet() {
        let head = UNIT.replace("  deletion_protection = true\n", "");
        assert!(run(UNIT, &head).is_empty());
    }

    #[test]
    fn moving_the_remote_state_is_reported_and_other_settings_are_not() {
        let head = UNIT.replace("acme-tf-state", "acme-tf-state-v2");
        let f = run(UNIT, &head);
        assert_eq!(ids(&f), ["terragrunt/remote-state-changed"]);
        assert!(
            f[0].message.contains("acme-tf-state-v2"),
            "{}",
            f[0].message
        );
        let head = UNIT.replace("overwrite_terragrunt", "overwrite");
        assert!(run(UNIT, &head).is_empty());
    }

    /// A root file that writes its backend itself, without `remote_state`.
    const GENERATED: &str = r#"locals {
  env = "prod"
}

generate "backend" {
  path      = "backend.tf"
  if_exists = "overwrite_terragrunt"
  contents  = <<EOF
terraform {
  backend "s3" {
    bucket = "acme-tf-state"
    key    = "${path_relative_to_include()}/terraform.tfstate"
    region = "eu-west-1"
  }
}
EOF
}
"#;

    #[test]
    fn a_backend_written_in_a_generate_block_is_compared_like_remote_state() {
        let f = run(
            GENERATED,
            &GENERATED.replace("acme-tf-state", "acme-tf-state-v2"),
        );
        assert_eq!(ids(&f), ["terragrunt/remote-state-changed"]);
        assert_eq!(f[0].location.line, Some(11));
        assert!(
            f[0].message.contains("acme-tf-state-v2"),
            "{}",
            f[0].message
        );
        let f = run(
            GENERATED,
            &GENERATED.replace("backend \"s3\"", "backend \"gcs\""),
        );
        assert_eq!(ids(&f), ["terragrunt/remote-state-changed"]);
        assert_eq!(f[0].location.line, Some(10));
        // Other settings, the generated file's name, reindenting with `<<-EOF`: quiet.
        for head in [
            GENERATED.replace("eu-west-1", "eu-west-2"),
            GENERATED.replace("backend.tf", "backend_gen.tf"),
            GENERATED
                .replace("<<EOF", "<<-EOF")
                .replace("\nEOF\n", "\n  EOF\n"),
        ] {
            assert!(run(GENERATED, &head).is_empty(), "{head}");
        }
    }

    #[test]
    fn comments_reformatting_version_bumps_and_new_inputs_are_quiet() {
        let head = format!("# orders database\n{}", UNIT)
            .replace("version=6.1.0", "version=6.2.0")
            .replace(
                "identifier          = \"orders\"",
                "identifier = \"orders\"\n  tags = { team = \"data\" }",
            );
        assert!(run(UNIT, &head).is_empty());
    }

    #[test]
    fn a_source_swapped_for_another_module_is_reported_and_a_version_bump_is_not() {
        let head = UNIT.replace("rds/aws?version=6.1.0", "rds-aurora/aws?version=9.0.0");
        let f = run(UNIT, &head);
        assert_eq!(ids(&f), ["terragrunt/source-changed"]);
        assert_eq!(f[0].location.line, Some(7));
        assert_eq!(f[0].severity, Severity::High);
        let head = UNIT.replace(
            "tfr:///terraform-aws-modules/rds/aws?version=6.1.0",
            "tfr://registry.terraform.io/terraform-aws-modules/rds/aws?version=6.2.0",
        );
        assert!(run(UNIT, &head).is_empty());
        // Built from the same unknown prefix, another subdirectory is another module; a ref
        // bump, or another unknown, is not judged.
        let computed = UNIT.replace(
            "\"tfr:///terraform-aws-modules/rds/aws?version=6.1.0\"",
            "\"${include.root.locals.modules}//rds?ref=v1\"",
        );
        let swapped = computed.replace("//rds?", "//cache?");
        assert_eq!(
            ids(&run(&computed, &swapped)),
            ["terragrunt/source-changed"]
        );
        assert!(run(&computed, &computed.replace("ref=v1", "ref=v2")).is_empty());
        let other = swapped.replace("locals.modules", "locals.legacy_modules");
        assert!(run(&computed, &other).is_empty());
    }

    /// A unit handing its module a list of log groups, each with its retention.
    fn log_groups(api: u32, worker: u32) -> String {
        format!(
            "inputs = {{\n  log_groups = [\n    {{\n      name              = \"/app/api\"\n      retention_in_days = {api}\n    }},\n    {{\n      name              = \"/app/worker\"\n      retention_in_days = {worker}\n    }},\n  ]\n}}\n"
        )
    }

    #[test]
    fn a_retention_inside_a_list_of_inputs_lowered_is_shortened() {
        let path = "live/prod/logs/terragrunt.hcl";
        let f = Case::modified(path, &log_groups(90, 30), &log_groups(7, 30)).run(analyze);
        assert_eq!(ids(&f), ["terraform/retention-shortened"]);
        assert_eq!(f[0].location.line, Some(5));
        assert!(
            f[0].message
                .contains("Input `log_groups[\"/app/api\"].retention_in_days`"),
            "{}",
            f[0].message
        );
        // Elements without a name go by their position.
        let unnamed =
            |d: u32| format!("inputs = {{\n  buckets = [{{ retention_days = {d} }}]\n}}\n");
        let f = Case::modified(path, &unnamed(30), &unnamed(1)).run(analyze);
        assert_eq!(ids(&f), ["terraform/retention-shortened"]);
    }

    #[test]
    fn a_retention_inside_a_list_raised_reordered_dropped_or_deeper_is_quiet() {
        let path = "live/prod/logs/terragrunt.hcl";
        let quiet = |base: &str, head: &str| {
            let f = Case::modified(path, base, head).run(analyze);
            assert!(f.is_empty(), "{head}: {f:?}");
        };
        quiet(&log_groups(90, 30), &log_groups(365, 30));
        // The same elements in another order keep their names.
        let swapped = log_groups(90, 30)
            .replace("/app/api", "/app/TMP")
            .replace("/app/worker", "/app/api")
            .replace("/app/TMP", "/app/worker")
            .replace("= 90", "= X")
            .replace("= 30", "= 90")
            .replace("= X", "= 30");
        quiet(&log_groups(90, 30), &swapped);
        // A whole element removed leaves its retention to the module: not judged here.
        let one =
            "inputs = {\n  log_groups = [{ name = \"/app/worker\", retention_in_days = 30 }]\n}\n";
        quiet(&log_groups(90, 30), one);
        // Deeper inside an element, a key may mean anything to the module.
        let deep = |d: u32| {
            format!("inputs = {{\n  rules = [{{ name = \"a\", opts = {{ retention_days = {d} }} }}]\n}}\n")
        };
        quiet(&deep(30), &deep(1));
    }

    /// `_envcommon/mysql.hcl`: a shared file whose local builds the module source.
    const ENVCOMMON: &str = "locals {\n  base_source_url = \"git::git@github.com:acme/modules.git//mysql\"\n  region          = \"eu-west-1\"\n}\n\nterraform {\n  source = \"${local.base_source_url}?ref=v0.8.0\"\n}\n";

    #[test]
    fn a_source_built_from_a_local_is_judged_at_the_local_that_changed() {
        let path = "live/_envcommon/mysql.hcl";
        let head = ENVCOMMON.replace("//mysql\"", "//aurora\"");
        let f = Case::modified(path, ENVCOMMON, &head).run(analyze);
        assert_eq!(ids(&f), ["terragrunt/source-changed"]);
        assert_eq!(f[0].location.line, Some(2));
        assert!(
            f[0].message
                .contains("changed (through `local.base_source_url`)")
                && f[0]
                    .message
                    .contains("every unit that includes live/_envcommon/mysql.hcl"),
            "{}",
            f[0].message
        );
        // Only the local, read by the units through `include.envcommon.locals`.
        let only_local = |url: &str| {
            format!("locals {{\n  base_source_url = \"git::git@github.com:acme/modules.git//{url}\"\n}}\n")
        };
        let f = Case::modified(path, &only_local("mysql"), &only_local("aurora")).run(analyze);
        assert_eq!(ids(&f), ["terragrunt/source-changed"]);
        assert!(
            f[0].message.contains("`local.base_source_url`"),
            "{}",
            f[0].message
        );
    }

    #[test]
    fn a_database_units_module_moved_to_another_release_line_is_a_prompt() {
        // 0.x: a minor version may break anything (Gruntwork's modules say so too).
        let path = "live/_envcommon/mysql.hcl";
        let head = ENVCOMMON.replace("ref=v0.8.0", "ref=v0.9.0");
        let f = Case::modified(path, ENVCOMMON, &head).run(analyze);
        assert_eq!(ids(&f), ["terraform/module-major-bump"]);
        assert!(
            f[0].message.contains("from v0.8.0 to v0.9.0"),
            "{}",
            f[0].message
        );
        let vpc = ENVCOMMON.replace("//mysql", "//vpc");
        let f = Case::modified(path, &vpc, &vpc.replace("ref=v0.8.0", "ref=v0.9.0")).run(analyze);
        assert!(f.is_empty(), "{f:?}");
    }

    #[test]
    fn a_source_local_bumped_renamed_or_unrelated_is_quiet() {
        let path = "live/_envcommon/mysql.hcl";
        for head in [
            ENVCOMMON.replace("ref=v0.8.0", "ref=v0.8.3"),
            ENVCOMMON.replace("eu-west-1", "eu-west-2"),
            ENVCOMMON.replace("modules.git//mysql", "modules.git//mysql?depth=1"),
        ] {
            let f = Case::modified(path, ENVCOMMON, &head).run(analyze);
            assert!(f.is_empty(), "{head}: {f:?}");
        }
        // A local not named for a source is a value, not a module.
        let region = |r: &str| format!("locals {{\n  bucket = \"git::https://x/{r}\"\n}}\n");
        assert!(Case::modified(path, &region("a"), &region("b"))
            .run(analyze)
            .is_empty());
    }

    #[test]
    fn an_input_that_lowers_a_retention_is_shortened() {
        let with = |days: &str| {
            UNIT.replace(
                "  identifier          = \"orders\"\n",
                &format!("  identifier          = \"orders\"\n  cloudwatch_log_group_retention_in_days = {days}\n"),
            )
        };
        let f = run(&with("90"), &with("7"));
        assert_eq!(ids(&f), ["terraform/retention-shortened"]);
        assert_eq!(f[0].severity, Severity::Medium);
        assert_eq!(f[0].location.line, Some(32));
        assert!(
            f[0].message.contains(
                "Input `cloudwatch_log_group_retention_in_days` in live/prod/db/terragrunt.hcl changed from 90 to 7"
            ),
            "{}",
            f[0].message
        );
        assert!(run(&with("7"), &with("90")).is_empty());
        assert!(run(&with("90"), &format!("# db\n{}", with("90"))).is_empty());
        assert!(run(&with("90"), &with("include.root.locals.days")).is_empty());
        // Added or removed: the module's default, which twokey cannot see, decides.
        assert!(run(UNIT, &with("1")).is_empty());
        assert!(run(&with("90"), UNIT).is_empty());
    }

    #[test]
    fn moving_a_unit_to_another_directory_moves_its_state() {
        let moved = |from: &str, to: &str, old: &str, new: &str| {
            Case::renamed(from, to, old, new).run(analyze)
        };
        let unit = "include \"root\" {\n  path = find_in_parent_folders(\"root.hcl\")\n}\n\ninputs = { name = \"orders\" }\n";
        let f = moved(
            "live/prod/mysql/terragrunt.hcl",
            "live/prod/database/terragrunt.hcl",
            unit,
            unit,
        );
        assert_eq!(ids(&f), ["terragrunt/unit-moved"]);
        assert!(
            f[0].message
                .contains("from live/prod/mysql to live/prod/database"),
            "{}",
            f[0].message
        );
        // Its own state keyed by path moves too; the example unit is.
        let f = moved(
            "live/prod/db/terragrunt.hcl",
            "live/production/db/terragrunt.hcl",
            UNIT,
            UNIT,
        );
        assert_eq!(ids(&f), ["terragrunt/unit-moved"]);
        // A stack file moved takes the units it generates along.
        let stack = "unit \"db\" {\n  source = \"../units/db\"\n  path   = \"db\"\n}\n";
        let f = moved(
            "stacks/prod/terragrunt.stack.hcl",
            "stacks/production/terragrunt.stack.hcl",
            stack,
            stack,
        );
        assert_eq!(ids(&f), ["terragrunt/unit-moved"]);
    }

    #[test]
    fn a_moved_unit_whose_own_state_ignores_its_directory_and_moved_shared_files_are_quiet() {
        let fixed = UNIT.replace(
            "\"${path_relative_to_include()}/terraform.tfstate\"",
            "\"prod/orders-db/terraform.tfstate\"",
        );
        let f = Case::renamed(
            "live/prod/db/terragrunt.hcl",
            "live/prod/orders-db/terragrunt.hcl",
            &fixed,
            &fixed,
        )
        .run(analyze);
        assert!(f.is_empty(), "{f:?}");
        let env = "locals {\n  environment = \"prod\"\n}\n";
        let f =
            Case::renamed("live/prod/env.hcl", "live/production/env.hcl", env, env).run(analyze);
        assert!(f.is_empty(), "{f:?}");
    }

    const STACK: &str = r#"unit "vpc" {
  source = "git::git@github.com:acme/catalog.git//units/vpc?ref=v0.1.0"
  path   = "vpc"
}

unit "database" {
  source = "git::git@github.com:acme/catalog.git//units/mysql?ref=v0.1.0"
  path   = "database"
  values = {
    instance_class      = "db.t3.micro"
    deletion_protection = true
    backup_retention_period = 30
  }
}

stack "services" {
  source = "git::git@github.com:acme/catalog.git//stacks/services?ref=v0.1.0"
  path   = "services"
}
"#;

    fn run_stack(head: &str) -> Vec<Finding> {
        Case::modified("live/prod/terragrunt.stack.hcl", STACK, head).run(analyze)
    }

    #[test]
    fn a_unit_or_stack_removed_from_a_stack_file_is_reported_at_its_base_line() {
        let start = STACK.find("unit \"database\"").unwrap();
        let end = STACK.find("stack \"services\"").unwrap();
        let head = format!("{}{}", &STACK[..start], &STACK[end..]);
        let f = run_stack(&head);
        assert_eq!(ids(&f), ["terragrunt/stack-unit-removed"]);
        assert_eq!(f[0].location.side, Side::Base);
        assert_eq!(f[0].location.line, Some(6));
        assert!(f[0].message.contains("unit `database`"), "{}", f[0].message);
        let head = STACK[..STACK.find("stack \"services\"").unwrap()].to_owned();
        assert_eq!(ids(&run_stack(&head)), ["terragrunt/stack-unit-removed"]);
    }

    #[test]
    fn a_stack_units_path_changed_moves_its_state_and_a_new_label_does_not() {
        let f = run_stack(&STACK.replace("path   = \"database\"", "path   = \"db\""));
        assert_eq!(ids(&f), ["terragrunt/unit-moved"]);
        assert_eq!(f[0].location.line, Some(8));
        // Same path under another name: generated in the same place.
        assert!(run_stack(&STACK.replace("unit \"database\"", "unit \"db\"")).is_empty());
    }

    #[test]
    fn a_stack_units_source_and_values_are_judged_as_a_units() {
        let f = run_stack(&STACK.replace("//units/mysql?", "//units/postgres?"));
        assert_eq!(ids(&f), ["terragrunt/source-changed"]);
        assert!(run_stack(&STACK.replace("mysql?ref=v0.1.0", "mysql?ref=v0.2.0")).is_empty());
        let f =
            run_stack(&STACK.replace("deletion_protection = true", "deletion_protection = false"));
        assert_eq!(ids(&f), ["terragrunt/protection-weakened"]);
        assert!(
            f[0].message.contains(
                "Value `deletion_protection` in unit `database` of live/prod/terragrunt.stack.hcl"
            ),
            "{}",
            f[0].message
        );
        let f = run_stack(&STACK.replace("= 30", "= 1"));
        assert_eq!(ids(&f), ["terraform/retention-shortened"]);
        // Routine edits stay quiet.
        let head = STACK
            .replace("db.t3.micro", "db.t3.small")
            .replace("unit \"vpc\" {", "# network first\nunit \"vpc\" {");
        assert!(run_stack(&head).is_empty());
    }

    #[test]
    fn a_unit_that_does_not_parse_needs_a_human() {
        let f = run(UNIT, "inputs = {\n");
        assert_eq!(ids(&f), ["terragrunt/unparseable"]);
    }
}
