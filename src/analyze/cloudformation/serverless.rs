//! serverless: a Serverless Framework service (`serverless.yml`), which `serverless deploy`
//! turns into one CloudFormation stack. Its `resources` section is plain CloudFormation (one
//! mapping, or a list of fragments), read into a [`Template`] and compared by the template
//! checks of the parent module: those findings keep their `cloudformation/*` ids and point at
//! lines of `serverless.yml`. What only a service has is checked here: a function removed
//! (its Lambda function and log group go) and the stack renamed (`service` or
//! `provider.stackName`: the next deploy builds a new stack beside the old one).
//!
//! A `serverless.yml` without a top-level `service` is not a service (a Serverless
//! Components file, another tool's config): it must still parse, and is otherwise left
//! alone. Included files (`${file(resources/tables.yml)}`) are not analysed; they only tell
//! where a removed resource or function went. Pure but for reading those from the head.

use super::template::{self, show, ParseError, Resource, Template};
use super::{compare, policy, Keep, Stack, DELETION_POLICY, UPDATE_REPLACE_POLICY};
use crate::analyze::FileView;
use crate::change::{RepoPath, Side};
use crate::finding::{Finding, RuleId, Severity, Tag};
use crate::rules::Rule;
use crate::yaml::{Node, Value};

const DESTRUCTIVE: &[Tag] = &[Tag::Destructive, Tag::Infra];

pub const FUNCTION_REMOVED: Rule = Rule {
    id: RuleId("serverless/function-removed"),
    severity: Severity::Medium,
    tags: DESTRUCTIVE,
    summary: "A function was removed from (or renamed in) a Serverless service, so the next `serverless deploy` deletes its Lambda function and its log group.",
    why: "The framework generates a function's Lambda function, versions, log group \
          (`/aws/lambda/<service>-<stage>-<key>`) and event wiring (API Gateway routes, event \
          source mappings, schedules, SNS topics and S3 buckets it created) under the function's \
          key. Without the key, or under a new one, the next deploy deletes them: the code can be \
          deployed again, the logs cannot. Medium: what is lost is the logs and the wiring, not \
          application data.",
    example: "before: functions:\n          report: {handler: report.handler}\nafter:  (report removed)",
    safer: "To rename a function keep its key (its handler and code may change freely); before removing one, \
            export the logs you need from its log group, and remove it in a change reviewed on its own.",
};

pub const STACK_RENAMED: Rule = Rule {
    id: RuleId("serverless/stack-renamed"),
    severity: Severity::High,
    tags: DESTRUCTIVE,
    summary: "A Serverless service's stack name changes (`service` or `provider.stackName`), or its default stage or region does, so the next deploy builds a new, empty stack beside the old one.",
    why: "`serverless deploy` finds the service's stack by name (`<service>-<stage>` unless \
          `provider.stackName` says otherwise). Under a new name it creates a new stack with every \
          resource in it anew and empty, and leaves the old stack, with the data it holds, \
          running but no longer deployed; where a resource keeps a fixed name (a table, a bucket) \
          the new stack fails to create instead.",
    example: "before: service: shop\nafter:  service: shop-api",
    safer: "Keep the stack name: when renaming the service, pin `provider.stackName` to the old stack's name; \
            to move to a new stack, migrate the data first and remove the old stack in its own reviewed change.",
};

pub const UNPARSEABLE: Rule = Rule {
    id: RuleId("serverless/unparseable"),
    severity: Severity::High,
    tags: &[Tag::Infra],
    summary: "A `serverless.yml` could not be parsed, so what the next deploy deletes is unknown.",
    why: "twokey fails closed: it cannot tell which resources or functions a service file it cannot \
          read removes or replaces, so a human must review it.",
    example: "resources:\n  Resources:\n    Orders:\n      Type: AWS::DynamoDB::Table\n     Properties: {   # broken indentation",
    safer: "Keep the file valid YAML (`serverless print` reads it the way a deploy does) and push again.",
};

pub const RULES: &[&Rule] = &[&FUNCTION_REMOVED, &STACK_RENAMED, &UNPARSEABLE];

/// One side of a service file.
#[derive(Debug, Default)]
struct Service {
    /// Whether it declares `service`, that is, whether it is a service at all.
    declared: bool,
    /// `service` (or the older `service.name`).
    name: Option<Node>,
    /// `provider.stackName`.
    stack_name: Option<Node>,
    /// `provider.stage` and `provider.region`: where a deploy without `--stage` or
    /// `--region` puts the stack.
    stage: Option<Node>,
    region: Option<Node>,
    /// `resources`, its inline fragments merged.
    resources: Template,
    /// `functions`, by key, in file order.
    functions: Vec<(String, Node)>,
    /// The `${file(…)}` includes of `resources` and of `functions`, as written.
    resource_includes: Vec<String>,
    function_includes: Vec<String>,
}

/// Reads one side. A file holding nothing is an empty service.
fn read(text: &str) -> Result<Service, ParseError> {
    let Some(doc) = template::document(text, "a serverless.yml")? else {
        return Ok(Service::default());
    };
    let service = doc.get("service").filter(|s| !s.is_null());
    let mut out = Service {
        declared: service.is_some(),
        name: service.map(|s| s.get("name").unwrap_or(s).clone()),
        stack_name: doc
            .path(&["provider", "stackName"])
            .filter(|n| !n.is_null())
            .cloned(),
        stage: doc.path(&["provider", "stage"]).cloned(),
        region: doc.path(&["provider", "region"]).cloned(),
        ..Service::default()
    };
    for fragment in fragments(doc.get("resources"), &mut out.resource_includes) {
        let Some(section) = fragment.get("Resources").filter(|r| !r.is_null()) else {
            continue;
        };
        match section.as_str() {
            Some(include) => out.resource_includes.push(include.to_owned()),
            None => merge(
                &mut out.resources.resources,
                template::resources_in(section)?,
                |r| &r.id,
            ),
        }
    }
    for fragment in fragments(doc.get("functions"), &mut out.function_includes) {
        let entries = fragment.as_map().to_vec();
        merge(&mut out.functions, entries, |(key, _)| key);
    }
    Ok(out)
}

/// The mappings of a section written as one mapping or as a list of them; the strings among
/// them (`${file(…)}` includes) go to `includes`.
fn fragments<'a>(section: Option<&'a Node>, includes: &mut Vec<String>) -> Vec<&'a Node> {
    let Some(section) = section else {
        return Vec::new();
    };
    let items = match &section.value {
        Value::Seq(items) => items.as_slice(),
        _ => std::slice::from_ref(section),
    };
    let mut maps = Vec::new();
    for item in items {
        match &item.value {
            Value::Scalar(s) => includes.push(s.clone()),
            Value::Map(_) => maps.push(item),
            _ => {}
        }
    }
    maps
}

/// Adds `more` to `into`; the framework merges fragments in order, so a later entry under the
/// same key replaces an earlier one.
fn merge<T>(into: &mut Vec<T>, more: Vec<T>, key: impl Fn(&T) -> &String) {
    for item in more {
        into.retain(|kept| key(kept) != key(&item));
        into.push(item);
    }
}

/// One side's service: empty when the side does not exist, `None` when it exists but cannot
/// be compared (unreadable, which the files analyzer reports, or unparseable).
fn side(view: &FileView, side: Side, findings: &mut Vec<Finding>) -> Option<Service> {
    super::parsed_side(view, side, &UNPARSEABLE, findings, read)
}

/// Whether a deleted `serverless.yml` is compared resource by resource (it is a service, or
/// does not parse, which the analyzer reports), rather than reported as a deleted file.
pub fn analyses_deletion(text: &str) -> bool {
    read(text).map_or(true, |s| s.declared)
}

/// Analyzes one changed `serverless.yml`.
pub fn analyze(view: &FileView) -> Vec<Finding> {
    let mut findings = Vec::new();
    let base = side(view, Side::Base, &mut findings);
    let head = side(view, Side::Head, &mut findings);
    let (Some(base), Some(head)) = (base, head) else {
        return findings;
    };
    if !base.declared && !head.declared {
        return findings;
    }
    findings.extend(stack_renamed(view, &base, &head));
    findings.extend(stack_moved(view, &base, &head));
    let included = Included::read(view, &base, &head);
    let (overrides, kept): (Vec<Resource>, Vec<Resource>) = base
        .resources
        .resources
        .iter()
        .filter(|r| head.resources.get(&r.id).is_some() || !included.has_resource(r))
        .cloned()
        .partition(|r| is_override(r) && head.resources.get(&r.id).is_none());
    // A deleted service takes the generated resources along with their overrides; its
    // functions say so.
    if !view.change.is_deleted() {
        findings.extend(overrides.iter().filter_map(|r| override_removed(view, r)));
    }
    findings.extend(compare(
        view,
        &Template {
            resources: kept,
            ..Template::default()
        },
        &head.resources,
    ));
    findings.extend(functions_removed(view, &base, &head, &included));
    findings
}

/// An entry without a `Type` under `resources.Resources` does not declare a resource: the
/// framework merges it into one it generates (`<Function>LogGroup`,
/// `IamRoleLambdaExecution`, …), which stays when the entry goes.
fn is_override(r: &Resource) -> bool {
    r.kind.is_empty() && matches!(r.node.value, Value::Map(_))
}

/// A removed override that kept a generated resource: without it the resource falls back to
/// the default Delete policy.
fn override_removed(view: &FileView, r: &Resource) -> Option<Finding> {
    let (attr, node) = [DELETION_POLICY, UPDATE_REPLACE_POLICY]
        .into_iter()
        .find_map(|attr| match policy(r, attr) {
            (Keep::Retain | Keep::Snapshot, Some(node)) => Some((attr, node)),
            _ => None,
        })?;
    Some(
        Finding::new(
            &super::RETAIN_POLICY_WEAKENED,
            view.at(Side::Base, r.node.line, r.node.end_line),
            format!(
                "The override of {}, a resource the framework generates, is removed from {} and with it {attr}: {}, so the generated resource falls back to Delete: removing what generates it, or `serverless remove`, now deletes it.",
                r.id,
                view.path_on(Side::Base),
                show(Some(node))
            ),
        )
        .with_severity(Severity::Medium),
    )
}

/// What the head's included files declare: a resource or function removed inline but found
/// there has moved, not gone. Read only when something was removed.
#[derive(Default)]
struct Included {
    resources: Vec<(String, String)>,
    functions: Vec<String>,
}

impl Included {
    fn read(view: &FileView, base: &Service, head: &Service) -> Included {
        let gone_resource = base
            .resources
            .resources
            .iter()
            .any(|r| head.resources.get(&r.id).is_none());
        let gone_function = base
            .functions
            .iter()
            .any(|(k, _)| !head.functions.iter().any(|(h, _)| h == k));
        let mut out = Included::default();
        if gone_resource {
            for node in head
                .resource_includes
                .iter()
                .filter_map(|i| include(view, i))
            {
                let section = node.get("Resources").unwrap_or(&node);
                out.resources.extend(section.as_map().iter().map(|(id, r)| {
                    let kind = r.get("Type").and_then(Node::as_str).unwrap_or("");
                    (id.clone(), kind.to_owned())
                }));
            }
        }
        if gone_function {
            for node in head
                .function_includes
                .iter()
                .filter_map(|i| include(view, i))
            {
                out.functions
                    .extend(node.as_map().iter().map(|(key, _)| key.clone()));
            }
        }
        out
    }
    fn has_resource(&self, r: &Resource) -> bool {
        self.resources
            .iter()
            .any(|(id, kind)| *id == r.id && super::catalog::same_type(kind, &r.kind))
    }
    fn has_function(&self, key: &str) -> bool {
        self.functions.iter().any(|f| f == key)
    }
}

/// The head's content of `${file(path)}` or `${file(path):some.key}`, relative to the
/// service file. `None` when the path is itself computed, or the file is missing or broken.
fn include(view: &FileView, written: &str) -> Option<Node> {
    let inner = written.trim().strip_prefix("${file(")?.strip_suffix('}')?;
    let (path, selector) = inner.split_once(')')?;
    let path = path.trim().trim_matches(|c| c == '\'' || c == '"');
    if path.contains("${") {
        return None;
    }
    let dir = view.path_on(Side::Head).dir();
    let content = view.snapshot.read(Side::Head, &RepoPath::joined(dir, path));
    let doc = template::document(content.text()?, "an included file").ok()??;
    match selector.strip_prefix(':') {
        Some(keys) => {
            let keys: Vec<&str> = keys.trim().split('.').collect();
            doc.path(&keys).cloned()
        }
        None => Some(doc),
    }
}

/// A service's stack name as the framework derives it: `provider.stackName`, else
/// `<service>-<stage>`. The stage comes from `--stage` at deploy time, so it stays symbolic,
/// and a stack name written as that default reads the same.
fn stack_name(s: &Service) -> String {
    // Whole, not shortened as `show` does for messages: names may differ only at the end.
    let text = |n: &Node| n.as_str().map_or_else(|| show(Some(n)), str::to_owned);
    let service = s.name.as_ref().map(text).unwrap_or_default();
    let written = match &s.stack_name {
        Some(n) => text(n),
        None => return format!("{service}-${{sls:stage}}"),
    };
    let mut name = written.replace("${self:service}", &service);
    for stage in [
        "${opt:stage}",
        "${self:provider.stage}",
        "${provider:stage}",
    ] {
        name = name.replace(stage, "${sls:stage}");
    }
    name
}

fn stack_renamed(view: &FileView, base: &Service, head: &Service) -> Option<Finding> {
    if !base.declared || !head.declared {
        return None;
    }
    let (old, new) = (stack_name(base), stack_name(head));
    if old == new {
        return None;
    }
    let node = head.stack_name.as_ref().or(head.name.as_ref())?;
    Some(Finding::new(
        &STACK_RENAMED,
        view.at(Side::Head, node.line, node.end_line),
        format!(
            "The service's stack changes from {old} to {new} in {}: the next `serverless deploy` creates the stack {new} with every resource in it new and empty, and leaves {old}, with its resources and the data they hold, running but no longer deployed; a resource with a fixed name makes the new stack fail instead.",
            view.path_on(Side::Head)
        ),
    )
    .with_safer(format!(
        "Keep the stack name: pin `provider.stackName: {old}` (with the stage filled in) when renaming the service; to move to a new stack, migrate the data first and remove {old} in its own reviewed change."
    )))
}

/// The literal a `provider.stage` or `provider.region` gives when no option overrides it:
/// the value itself, or the fallback of `${opt:stage, 'dev'}`. `None` when computed.
fn default_of(node: &Node) -> Option<String> {
    let text = node.as_str()?.trim();
    if !text.contains("${") {
        return (!text.is_empty()).then(|| text.to_owned());
    }
    let inner = text.strip_prefix("${opt:")?.strip_suffix('}')?;
    let (_, fallback) = inner.split_once(',')?;
    let fallback = fallback.trim().trim_matches(|c| c == '\'' || c == '"');
    (!fallback.is_empty() && !fallback.contains(['$', '{', '}'])).then(|| fallback.to_owned())
}

/// A default stage or region that changes: a deploy that does not name one now creates the
/// stack somewhere else, new and empty, and leaves the old one running.
fn stack_moved(view: &FileView, base: &Service, head: &Service) -> Vec<Finding> {
    if !base.declared || !head.declared || stack_name(base) != stack_name(head) {
        // A renamed stack is reported once, by `stack_renamed`.
        return Vec::new();
    }
    let mut out = Vec::new();
    for (what, option, old, new) in [
        ("stage", "--stage", &base.stage, &head.stage),
        ("region", "--region", &base.region, &head.region),
    ] {
        let (Some(old), Some(new)) = (old.as_ref(), new.as_ref()) else {
            continue;
        };
        let (Some(was), Some(now)) = (default_of(old), default_of(new)) else {
            continue;
        };
        if was == now {
            continue;
        }
        let service = base
            .name
            .as_ref()
            .and_then(Node::as_str)
            .unwrap_or("the service");
        let place = if what == "stage" {
            format!("the stack {service}-{now} instead of {service}-{was}")
        } else {
            format!("the stack in {now} instead of {was}")
        };
        out.push(
            Finding::new(
                &STACK_RENAMED,
                view.at(Side::Head, new.line, new.end_line),
                format!(
                    "The default {what} changes from {was} to {now} in {}: a `serverless deploy` without `{option}` now creates {place}, with every resource in it new and empty, and leaves the old stack, with its data, running but no longer deployed.",
                    view.path_on(Side::Head)
                ),
            )
            .with_safer(format!(
                "Keep the default {what} and pass `{option} {now}` where the new one is meant; to move the service, migrate its data first and remove the old stack in its own reviewed change."
            )),
        );
    }
    out
}

fn functions_removed(
    view: &FileView,
    base: &Service,
    head: &Service,
    included: &Included,
) -> Vec<Finding> {
    let has = |s: &Service, key: &str| s.functions.iter().any(|(k, _)| k == key);
    let added: Vec<&(String, Node)> = head
        .functions
        .iter()
        .filter(|(k, _)| !has(base, k))
        .collect();
    let mut taken = vec![false; added.len()];
    let mut out = Vec::new();
    for (key, node) in &base.functions {
        if has(head, key) || included.has_function(key) {
            continue;
        }
        let successor = added
            .iter()
            .enumerate()
            .find(|(i, (_, new))| !taken[*i] && same_code(node, new))
            .map(|(i, new)| {
                taken[i] = true;
                *new
            });
        out.push(function_removed(view, base, key, node, successor));
    }
    out
}

/// Whether two functions run the same code: the same handler, or the same image.
fn same_code(a: &Node, b: &Node) -> bool {
    ["handler", "image"]
        .iter()
        .any(|k| match (a.get(k), b.get(k)) {
            (Some(x), Some(y)) => x.same_value(y),
            _ => false,
        })
}

/// What deleting a function takes with it, for messages.
fn function_loss(base: &Service, key: &str, node: &Node) -> String {
    let service = base
        .name
        .as_ref()
        .map_or("<service>".to_owned(), |n| show(Some(n)));
    let name = node
        .get("name")
        .and_then(Node::as_str)
        .map_or(format!("{service}-<stage>-{key}"), str::to_owned);
    let mut events: Vec<&str> = Vec::new();
    for event in node.get("events").map(Node::as_seq).unwrap_or(&[]) {
        if let Some((kind, _)) = event.as_map().first() {
            if !events.contains(&kind.as_str()) {
                events.push(kind);
            }
        }
    }
    let wiring = if events.is_empty() {
        String::new()
    } else {
        format!(
            ", and what the framework made for its events ({})",
            events.join(", ")
        )
    };
    format!(
        "its Lambda function {name}, its log group /aws/lambda/{name} with every log in it{wiring}"
    )
}

fn function_removed(
    view: &FileView,
    base: &Service,
    key: &str,
    node: &Node,
    successor: Option<&(String, Node)>,
) -> Finding {
    let loss = function_loss(base, key, node);
    if let Some((new_key, new_node)) = successor {
        let path = view.path_on(Side::Head);
        return Finding::new(
            &FUNCTION_REMOVED,
            view.at(Side::Head, new_node.line, new_node.end_line),
            format!(
                "Function {key} is now {new_key} in {path} (same code): the framework names what it generates after the key, so the next `serverless deploy` creates {new_key} anew and deletes {loss}."
            ),
        )
        .with_safer(format!(
            "Keep the key {key}; its handler and code may change freely."
        ));
    }
    let path = view.path_on(Side::Base);
    let message = if view.change.is_deleted() {
        format!(
            "Function {key} goes with the deleted service file {path}: {} deletes {loss}.",
            Stack::Service.teardown()
        )
    } else {
        format!(
            "Function {key} is removed from {path}: the next `serverless deploy` deletes {loss}."
        )
    };
    Finding::new(
        &FUNCTION_REMOVED,
        view.at(Side::Base, node.line, node.end_line),
        message,
    )
}

#[cfg(test)]
mod tests;
