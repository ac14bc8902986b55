//! protection: what a change to branch protection or a ruleset loosens, setting by setting.
//!
//! Each side of a protection file is reduced to its guards (a branch-protection rule or a
//! ruleset) and each guard to the settings that decide whether a pull request may merge:
//! required reviews and approvals, code owners, stale and last-push approvals, status checks,
//! admin enforcement, bypass actors, which branches it covers, and a ruleset's enforcement.
//! The guards of the base are then compared with those of the head. Three formats are read:
//! Terraform (`github_branch_protection`, `github_branch_protection_v3`,
//! `github_repository_ruleset`, `github_organization_ruleset`), `.github/settings.yml`
//! (`branches[].protection`, `rulesets`), and rulesets exported from GitHub as JSON.
//!
//! It only says what loosened; it never decides whether there is a finding. The guardrail
//! analyzer reports every change to these files, with these details when there are some. A
//! side that cannot be read gives no details (the finding stays, generic).

use super::super::{terraform, FileKind, FileView};
use super::branch_pattern;
use crate::analyze::terraform::model::{ItemKind, Lit, TfFile};
use crate::change::Side;
use crate::yaml::{self, Node};

/// One setting the change loosened, and the line that shows it (the head line of the new
/// value, or the base line of what was removed).
#[derive(Debug, Clone, PartialEq)]
pub struct Loosening {
    pub side: Side,
    pub line: u32,
    /// A clause, without a final full stop.
    pub text: String,
}

/// The Terraform resource types of the GitHub provider that protect branches.
pub const TERRAFORM_TYPES: &[&str] = &[
    "github_branch_protection",
    "github_branch_protection_v3",
    "github_repository_ruleset",
    "github_organization_ruleset",
];

/// How a setting is compared.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Knob {
    /// The review requirement itself (a `required_pull_request_reviews` block, a
    /// `pull_request` rule): there or not.
    Reviews,
    /// The status-check requirement itself.
    Checks,
    /// How many approvals a merge needs.
    Approvals,
    /// A requirement that is on or off, off being looser; what turning it off allows.
    Switch(&'static str),
    /// A permission that is off or on, on being looser (`allows_force_pushes`); what it
    /// allows.
    Allow(&'static str),
    /// The names of the required status checks.
    CheckNames,
    /// A ruleset's `enforcement`: `active`, `evaluate` or `disabled`.
    Enforcement,
    /// Who may merge or push without the requirements.
    Bypass,
    /// The branch name pattern a branch-protection rule covers.
    Pattern,
    /// The refs or repositories a ruleset includes.
    Include,
    /// The refs or repositories a ruleset excludes.
    Exclude,
    /// The other rules of a ruleset (`deletion`, `non_fast_forward`…), by type.
    RuleTypes,
}

/// Which requirement a setting belongs to: when the requirement itself goes, that one
/// sentence covers all of its settings.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Group {
    Guard,
    Reviews,
    Checks,
}

#[derive(Debug, Clone, PartialEq)]
enum Val {
    Bool(bool),
    Num(f64),
    Text(String),
    /// Items with the line each stands on.
    Set(Vec<(String, u32)>),
    Present,
    /// Not known from the text: a variable, a call, a template. Its source text.
    Computed(String),
}

impl Val {
    fn render(&self) -> String {
        match self {
            Val::Bool(b) => b.to_string(),
            Val::Num(n) => number(*n),
            Val::Text(t) => format!("`{t}`"),
            Val::Set(items) => quoted(items.iter().map(|(s, _)| s.as_str())),
            Val::Present => "set".to_owned(),
            Val::Computed(e) => format!("`{e}`"),
        }
    }
    fn items(&self) -> &[(String, u32)] {
        match self {
            Val::Set(items) => items,
            _ => &[],
        }
    }
    fn has(&self, item: &str) -> bool {
        self.items().iter().any(|(s, _)| s == item)
    }
}

#[derive(Debug, Clone)]
struct Fact {
    knob: Knob,
    group: Group,
    /// The setting as the file names it (`required_pull_request_reviews.dismiss_stale_reviews`
    /// is shown as its last part).
    label: String,
    value: Val,
    line: u32,
}

/// One branch-protection rule or ruleset.
#[derive(Debug, Clone)]
struct Guard {
    /// What pairs a guard of the base with one of the head.
    key: String,
    /// How a message names it: `` `github_branch_protection.main` ``, ``branch `main` ``.
    name: String,
    line: u32,
    facts: Vec<Fact>,
}

impl Guard {
    fn new(key: String, name: String, line: u32) -> Guard {
        Guard {
            key,
            name,
            line,
            facts: Vec::new(),
        }
    }
    fn fact(&self, label: &str) -> Option<&Fact> {
        self.facts.iter().find(|f| f.label == label)
    }
    fn has_group(&self, group: Group) -> bool {
        let knob = match group {
            Group::Reviews => Knob::Reviews,
            Group::Checks => Knob::Checks,
            Group::Guard => return true,
        };
        self.facts.iter().any(|f| f.knob == knob)
    }
    fn push(&mut self, knob: Knob, group: Group, label: &str, value: Val, line: u32) {
        self.facts.push(Fact {
            knob,
            group,
            label: label.to_owned(),
            value,
            line,
        });
    }
}

const ADMINS: &str = "admins can merge without the review";
const CODE_OWNERS: &str = "code owners no longer have to approve";
const STALE: &str = "an approval stays valid after new commits are pushed";
const LAST_PUSH: &str = "whoever pushes last can merge on an approval of earlier commits";
const DISMISSALS: &str = "anyone with write access can dismiss a review";
const STRICT: &str = "checks may pass on a branch that is behind the base";
const FORCE_PUSH: &str = "history on the branch can be rewritten after the review";
const DELETION: &str = "the branch can be deleted, and its protection with it";
const THREADS: &str = "unresolved review conversations no longer block the merge";

/// The settings of a branch-protection rule's review requirement
/// (`required_pull_request_reviews`): GitHub names them alike in Terraform and settings.yml.
const PROTECTION_REVIEW_SETTINGS: [(&str, Knob); 4] = [
    ("required_approving_review_count", Knob::Approvals),
    ("dismiss_stale_reviews", Knob::Switch(STALE)),
    ("require_code_owner_reviews", Knob::Switch(CODE_OWNERS)),
    ("require_last_push_approval", Knob::Switch(LAST_PUSH)),
];

/// The parameters of a ruleset's `pull_request` rule: GitHub names them alike in Terraform
/// and the REST API.
const RULESET_REVIEW_SETTINGS: [(&str, Knob); 5] = [
    ("required_approving_review_count", Knob::Approvals),
    ("dismiss_stale_reviews_on_push", Knob::Switch(STALE)),
    ("require_code_owner_review", Knob::Switch(CODE_OWNERS)),
    ("require_last_push_approval", Knob::Switch(LAST_PUSH)),
    ("required_review_thread_resolution", Knob::Switch(THREADS)),
];

/// The settings of a branch-protection rule's status-check requirement
/// (`required_status_checks`), in Terraform and settings.yml alike.
const PROTECTION_CHECK_SETTINGS: [(&str, Knob); 3] = [
    ("contexts", Knob::CheckNames),
    ("checks", Knob::CheckNames),
    ("strict", Knob::Switch(STRICT)),
];

/// How a message names a ruleset's bypass actor: `Team 42 (always)`. Terraform and the REST
/// API give the same three fields.
fn bypass_actor(actor_type: &str, actor_id: &str, mode: &str) -> String {
    let mut who = format!("{actor_type} {actor_id}");
    if !mode.is_empty() {
        who.push_str(&format!(" ({mode})"));
    }
    who.trim().to_owned()
}

/// What the change loosens in a protection file; empty when it loosens nothing twokey can
/// name, or when a side cannot be read.
pub fn loosenings(view: &FileView) -> Vec<Loosening> {
    if view.kind == FileKind::Terraform {
        return terraform_loosenings(view);
    }
    let read = |side: Side| -> Result<Vec<Guard>, ()> {
        let content = match side {
            Side::Base => view.old,
            Side::Head => view.new,
        };
        let text = match content {
            crate::change::Content::Absent => return Ok(Vec::new()),
            crate::change::Content::Text(t) => t,
            _ => return Err(()),
        };
        let docs = yaml::parse_documents(text).map_err(|_| ())?;
        let path = view.path_on(side).as_str();
        let mut guards = Vec::new();
        for doc in &docs {
            if path.starts_with(".github/rulesets/") || view.kind == FileKind::Ruleset {
                rulesets_document(doc, &mut guards);
            } else {
                settings_document(doc, &mut guards);
            }
        }
        Ok(guards)
    };
    match (read(Side::Base), read(Side::Head)) {
        (Ok(base), Ok(head)) => compare(&base, &head, |_| false),
        _ => Vec::new(),
    }
}

fn terraform_loosenings(view: &FileView) -> Vec<Loosening> {
    let Some((base, head)) = terraform::parsed_sides(view) else {
        return Vec::new();
    };
    let mut base_guards = base.as_deref().map(terraform_guards).unwrap_or_default();
    let head_guards = head.as_deref().map(terraform_guards).unwrap_or_default();
    // A `moved` block keeps the object: the base guard continues under its new address.
    if let Some(head) = head.as_deref() {
        for g in &mut base_guards {
            if let Some(m) = head.moved.iter().find(|m| m.from == g.key) {
                g.key = m.to.clone();
            }
        }
    }
    compare(&base_guards, &head_guards, |g| {
        terraform::declared_in_sibling(view, &g.key)
    })
}

// ---------------------------------------------------------------------------------------
// Terraform

fn terraform_guards(file: &TfFile) -> Vec<Guard> {
    file.items
        .iter()
        .filter(|i| i.kind == ItemKind::Resource && TERRAFORM_TYPES.contains(&i.rtype.as_str()))
        .map(|item| {
            let mut g = Guard::new(
                item.address.clone(),
                format!("`{}`", item.address),
                item.line,
            );
            let mut read = |path: &str, knob: Knob, group: Group| {
                if let Some(s) = item.get(path) {
                    if let Some(v) = tf_value(knob, &s.value, s.line) {
                        g.push(knob, group, path, v, s.line);
                    }
                }
            };
            let reviews = if item.rtype.starts_with("github_branch_protection") {
                if item.rtype == "github_branch_protection" {
                    read("pattern", Knob::Pattern, Group::Guard);
                    read("force_push_bypassers", Knob::Bypass, Group::Guard);
                    read(
                        "required_pull_request_reviews.restrict_dismissals",
                        Knob::Switch(DISMISSALS),
                        Group::Reviews,
                    );
                    read(
                        "required_pull_request_reviews.pull_request_bypassers",
                        Knob::Bypass,
                        Group::Reviews,
                    );
                } else {
                    read("branch", Knob::Pattern, Group::Guard);
                    for who in ["users", "teams", "apps"] {
                        read(
                            &format!("required_pull_request_reviews.bypass_pull_request_allowances.{who}"),
                            Knob::Bypass,
                            Group::Reviews,
                        );
                    }
                }
                read("enforce_admins", Knob::Switch(ADMINS), Group::Guard);
                read("allows_force_pushes", Knob::Allow(FORCE_PUSH), Group::Guard);
                read("allows_deletions", Knob::Allow(DELETION), Group::Guard);
                for (attr, knob) in PROTECTION_REVIEW_SETTINGS {
                    read(
                        &format!("required_pull_request_reviews.{attr}"),
                        knob,
                        Group::Reviews,
                    );
                }
                for (attr, knob) in PROTECTION_CHECK_SETTINGS {
                    read(
                        &format!("required_status_checks.{attr}"),
                        knob,
                        Group::Checks,
                    );
                }
                ("required_pull_request_reviews", "required_status_checks")
            } else {
                read("enforcement", Knob::Enforcement, Group::Guard);
                for cond in ["ref_name", "repository_name"] {
                    read(
                        &format!("conditions.{cond}.include"),
                        Knob::Include,
                        Group::Guard,
                    );
                    read(
                        &format!("conditions.{cond}.exclude"),
                        Knob::Exclude,
                        Group::Guard,
                    );
                }
                for (attr, knob) in RULESET_REVIEW_SETTINGS {
                    read(&format!("rules.pull_request.{attr}"), knob, Group::Reviews);
                }
                read(
                    "rules.required_status_checks.strict_required_status_checks_policy",
                    Knob::Switch(STRICT),
                    Group::Checks,
                );
                tf_ruleset_sets(item, &mut g);
                ("rules.pull_request", "rules.required_status_checks")
            };
            // A requirement is there when any of its settings is (an empty block is not
            // seen: the model keeps attributes only).
            for (prefix, knob) in [(reviews.0, Knob::Reviews), (reviews.1, Knob::Checks)] {
                let dotted = format!("{prefix}.");
                if let Some(line) = item
                    .settings
                    .iter()
                    .filter(|(k, _)| k.starts_with(&dotted))
                    .map(|(_, s)| s.line)
                    .min()
                {
                    let group = if knob == Knob::Reviews {
                        Group::Reviews
                    } else {
                        Group::Checks
                    };
                    g.push(knob, group, prefix, Val::Present, line);
                }
            }
            g
        })
        .collect()
}

/// A ruleset's repeated blocks as sets: bypass actors, required checks, and the rules that
/// are switched on.
fn tf_ruleset_sets(item: &crate::analyze::terraform::model::Item, g: &mut Guard) {
    let repeated = |block, attr| repeated(item, block, attr);
    let mut actors = Vec::new();
    for (k, s) in repeated("bypass_actors", "actor_id") {
        let block = k.trim_end_matches("actor_id");
        let part = |a: &str| {
            item.get(&format!("{block}{a}"))
                .map(|s| plain(&s.value))
                .unwrap_or_default()
        };
        let who = bypass_actor(&part("actor_type"), &plain(&s.value), &part("bypass_mode"));
        actors.push((who, s.line));
    }
    if let Some(line) = actors.iter().map(|(_, l)| *l).min() {
        g.push(
            Knob::Bypass,
            Group::Guard,
            "bypass_actors",
            Val::Set(actors),
            line,
        );
    }
    let checks: Vec<(String, u32)> =
        repeated("rules.required_status_checks.required_check", "context")
            .map(|(_, s)| (plain(&s.value), s.line))
            .collect();
    if let Some(line) = checks.iter().map(|(_, l)| *l).min() {
        g.push(
            Knob::CheckNames,
            Group::Checks,
            "required_check",
            Val::Set(checks),
            line,
        );
    }
    let mut rules = Vec::new();
    for rule in [
        "creation",
        "update",
        "deletion",
        "non_fast_forward",
        "required_linear_history",
        "required_signatures",
    ] {
        if let Some(s) = item.get(&format!("rules.{rule}")) {
            // A computed switch may be on: it is not named as removed.
            if s.value.as_bool() != Some(false) {
                rules.push((rule.to_owned(), s.line));
            }
        }
    }
    let line = rules.iter().map(|(_, l)| *l).min().unwrap_or(item.line);
    g.push(
        Knob::RuleTypes,
        Group::Guard,
        "rules",
        Val::Set(rules),
        line,
    );
}

/// The settings `attr` of every `block` block, repeated ones included (`block.attr`,
/// `block[1].attr`…), with their paths.
fn repeated<'a>(
    item: &'a crate::analyze::terraform::model::Item,
    block: &'static str,
    attr: &'static str,
) -> impl Iterator<Item = (&'a str, &'a crate::analyze::terraform::model::Setting)> {
    item.settings.iter().filter_map(move |(k, s)| {
        let rest = k.strip_prefix(block)?;
        let rest = match rest.strip_prefix('[') {
            Some(r) => r.split_once("].")?.1,
            None => rest.strip_prefix('.')?,
        };
        (rest == attr).then_some((k.as_str(), s))
    })
}

/// A literal's text without quotes.
fn plain(lit: &Lit) -> String {
    match lit {
        Lit::Str(s) => s.clone(),
        other => other.render(),
    }
}

fn tf_value(knob: Knob, lit: &Lit, line: u32) -> Option<Val> {
    match lit {
        Lit::Null => return None,
        Lit::Expr(e) => return Some(Val::Computed(e.clone())),
        _ => {}
    }
    let value = match knob {
        Knob::Approvals => lit.as_num().map(Val::Num),
        Knob::Switch(_) | Knob::Allow(_) => lit.as_bool().map(Val::Bool),
        Knob::CheckNames | Knob::Bypass | Knob::Include | Knob::Exclude => {
            list_items(&lit.render()).map(|items| {
                Val::Set(
                    items
                        .into_iter()
                        .map(|s| (check_name(knob, s), line))
                        .collect(),
                )
            })
        }
        _ => match lit {
            Lit::Str(s) => Some(Val::Text(s.clone())),
            other => Some(Val::Text(other.render())),
        },
    };
    Some(value.unwrap_or_else(|| Val::Computed(lit.render())))
}

/// The strings of a literal list in canonical text (`["a", "b"]`), read as a YAML flow
/// sequence; `None` when it is anything else.
fn list_items(text: &str) -> Option<Vec<String>> {
    let doc = yaml::parse_documents(text).ok()?.into_iter().next()?;
    match &doc.value {
        yaml::Value::Seq(items) => items
            .iter()
            .map(|n| n.as_str().map(str::to_owned))
            .collect(),
        _ => None,
    }
}

/// A required check as named: `checks = ["twokey:12345"]` names the check `twokey` of app
/// 12345.
fn check_name(knob: Knob, item: String) -> String {
    if knob != Knob::CheckNames {
        return item;
    }
    match item.rsplit_once(':') {
        Some((name, app)) if !app.is_empty() && app.bytes().all(|b| b.is_ascii_digit()) => {
            name.to_owned()
        }
        _ => item,
    }
}

// ---------------------------------------------------------------------------------------
// settings.yml and ruleset JSON

/// `.github/settings.yml` (probot/settings, the repository-settings app, safe-settings):
/// `branches[].protection` and `rulesets[]`.
fn settings_document(doc: &Node, out: &mut Vec<Guard>) {
    for branch in doc.get("branches").map(Node::as_seq).unwrap_or(&[]) {
        let Some(name) = branch.get("name").and_then(Node::as_str) else {
            continue;
        };
        // `protection: null` or `{}` removes the protection: no guard.
        let Some(p) = branch.get("protection").filter(|p| !p.as_map().is_empty()) else {
            continue;
        };
        let mut g = Guard::new(
            format!("branch:{name}"),
            format!("branch `{name}`"),
            branch.line,
        );
        yaml_fact(
            &mut g,
            p.get("enforce_admins"),
            "enforce_admins",
            Knob::Switch(ADMINS),
            Group::Guard,
        );
        for (attr, so) in [
            ("allow_force_pushes", FORCE_PUSH),
            ("allow_deletions", DELETION),
        ] {
            yaml_fact(&mut g, p.get(attr), attr, Knob::Allow(so), Group::Guard);
        }
        if let Some(r) = p
            .get("required_pull_request_reviews")
            .filter(|r| !r.is_null())
        {
            g.push(
                Knob::Reviews,
                Group::Reviews,
                "required_pull_request_reviews",
                Val::Present,
                r.line,
            );
            for (attr, knob) in PROTECTION_REVIEW_SETTINGS {
                yaml_fact(&mut g, r.get(attr), attr, knob, Group::Reviews);
            }
            for who in ["users", "teams", "apps"] {
                yaml_fact(
                    &mut g,
                    r.path(&["bypass_pull_request_allowances", who]),
                    &format!("bypass_pull_request_allowances.{who}"),
                    Knob::Bypass,
                    Group::Reviews,
                );
            }
        }
        if let Some(c) = p.get("required_status_checks").filter(|c| !c.is_null()) {
            g.push(
                Knob::Checks,
                Group::Checks,
                "required_status_checks",
                Val::Present,
                c.line,
            );
            for (attr, knob) in PROTECTION_CHECK_SETTINGS {
                yaml_fact(&mut g, c.get(attr), attr, knob, Group::Checks);
            }
        }
        out.push(g);
    }
    for ruleset in doc.get("rulesets").map(Node::as_seq).unwrap_or(&[]) {
        rest_ruleset(ruleset, out);
    }
}

/// A ruleset file exported from GitHub: one ruleset, or a list of them.
fn rulesets_document(doc: &Node, out: &mut Vec<Guard>) {
    match &doc.value {
        yaml::Value::Seq(items) => items.iter().for_each(|r| rest_ruleset(r, out)),
        yaml::Value::Map(_) => rest_ruleset(doc, out),
        _ => {}
    }
}

/// A ruleset in the shape of GitHub's REST API.
fn rest_ruleset(node: &Node, out: &mut Vec<Guard>) {
    if node.as_map().is_empty() {
        return;
    }
    let mut g = match node.get("name").and_then(Node::as_str) {
        Some(name) => Guard::new(
            format!("ruleset:{name}"),
            format!("ruleset `{name}`"),
            node.line,
        ),
        None => Guard::new("ruleset".to_owned(), "the ruleset".to_owned(), node.line),
    };
    yaml_fact(
        &mut g,
        node.get("enforcement"),
        "enforcement",
        Knob::Enforcement,
        Group::Guard,
    );
    for cond in ["ref_name", "repository_name"] {
        for (which, knob) in [("include", Knob::Include), ("exclude", Knob::Exclude)] {
            yaml_fact(
                &mut g,
                node.path(&["conditions", cond, which]),
                &format!("conditions.{cond}.{which}"),
                knob,
                Group::Guard,
            );
        }
    }
    if let Some(actors) = node.get("bypass_actors").filter(|a| !a.is_null()) {
        let items = actors
            .as_seq()
            .iter()
            .map(|a| {
                let part = |k: &str| a.get(k).and_then(Node::as_str).unwrap_or("");
                let who = bypass_actor(part("actor_type"), part("actor_id"), part("bypass_mode"));
                (who, a.line)
            })
            .collect();
        g.push(
            Knob::Bypass,
            Group::Guard,
            "bypass_actors",
            Val::Set(items),
            actors.line,
        );
    }
    let rules = node.get("rules");
    let mut others = Vec::new();
    for rule in rules.map(Node::as_seq).unwrap_or(&[]) {
        let params = rule.get("parameters");
        let param = |k: &str| params.and_then(|p| p.get(k));
        match rule.get("type").and_then(Node::as_str) {
            Some("pull_request") => {
                g.push(
                    Knob::Reviews,
                    Group::Reviews,
                    "pull_request",
                    Val::Present,
                    rule.line,
                );
                for (attr, knob) in RULESET_REVIEW_SETTINGS {
                    yaml_fact(&mut g, param(attr), attr, knob, Group::Reviews);
                }
            }
            Some("required_status_checks") => {
                g.push(
                    Knob::Checks,
                    Group::Checks,
                    "required_status_checks",
                    Val::Present,
                    rule.line,
                );
                yaml_fact(
                    &mut g,
                    param("required_status_checks"),
                    "required_status_checks.context",
                    Knob::CheckNames,
                    Group::Checks,
                );
                yaml_fact(
                    &mut g,
                    param("strict_required_status_checks_policy"),
                    "strict_required_status_checks_policy",
                    Knob::Switch(STRICT),
                    Group::Checks,
                );
            }
            Some(other) => others.push((other.to_owned(), rule.line)),
            None => {}
        }
    }
    g.push(
        Knob::RuleTypes,
        Group::Guard,
        "rules",
        Val::Set(others),
        rules.map_or(node.line, |r| r.line),
    );
    out.push(g);
}

/// Adds the YAML value at `node` (when there is one) as a setting.
fn yaml_fact(g: &mut Guard, node: Option<&Node>, label: &str, knob: Knob, group: Group) {
    let Some(node) = node.filter(|n| !n.is_null()) else {
        return;
    };
    let value = match (&node.value, knob) {
        (yaml::Value::Scalar(s), Knob::Approvals) => match s.trim().parse() {
            Ok(n) => Val::Num(n),
            Err(_) => Val::Computed(s.clone()),
        },
        (yaml::Value::Scalar(s), Knob::Switch(_) | Knob::Allow(_)) => match s.as_str() {
            "true" => Val::Bool(true),
            "false" => Val::Bool(false),
            _ => Val::Computed(s.clone()),
        },
        (yaml::Value::Seq(items), _) => Val::Set(
            items
                .iter()
                .filter_map(|n| {
                    // Required checks are written as names or as `{context, app_id}`.
                    let name = n
                        .as_str()
                        .or_else(|| n.get("context").and_then(Node::as_str))?;
                    Some((name.to_owned(), n.line))
                })
                .collect(),
        ),
        (yaml::Value::Scalar(s), _) => Val::Text(s.clone()),
        _ => Val::Computed(format!("at line {}", node.line)),
    };
    g.push(knob, group, label, value, node.line);
}

// ---------------------------------------------------------------------------------------
// Comparison

/// What the head loosens against the base. `kept_elsewhere` says whether a guard missing
/// from this file is still declared in another one.
fn compare(
    base: &[Guard],
    head: &[Guard],
    kept_elsewhere: impl Fn(&Guard) -> bool,
) -> Vec<Loosening> {
    let mut out = Vec::new();
    for b in base {
        match head.iter().find(|h| h.key == b.key) {
            Some(h) => compare_guard(b, h, &mut out),
            None if kept_elsewhere(b) => {}
            None => out.push(Loosening {
                side: Side::Base,
                line: b.line,
                text: if b.key.starts_with("branch:") {
                    format!("the protection of {} is removed: nothing is required to merge into it any more", b.name)
                } else {
                    format!(
                        "{}{} is removed: the branches it covered lose its review and status-check requirements",
                        b.name,
                        covering(b)
                    )
                },
            }),
        }
    }
    out
}

/// ` (pattern `main`)` for a guard whose coverage is known.
fn covering(g: &Guard) -> String {
    g.facts
        .iter()
        .find(|f| matches!(f.knob, Knob::Pattern | Knob::Include))
        .map(|f| format!(" ({} {})", last(&f.label), f.value.render()))
        .unwrap_or_default()
}

/// The last part of a dotted setting name.
fn last(label: &str) -> &str {
    label.rsplit('.').next().unwrap_or(label)
}

/// A setting's name without the requirement it sits in: `dismiss_stale_reviews`,
/// `bypass_pull_request_allowances.users`.
fn shown(label: &str) -> &str {
    [
        "required_pull_request_reviews.",
        "required_status_checks.",
        "rules.pull_request.",
        "rules.required_status_checks.",
    ]
    .iter()
    .find_map(|p| label.strip_prefix(p))
    .unwrap_or(label)
}

fn compare_guard(b: &Guard, h: &Guard, out: &mut Vec<Loosening>) {
    let name = &b.name;
    for bf in &b.facts {
        let hf = h.fact(&bf.label);
        // The requirement itself went: its one sentence covers its settings.
        if hf.is_none()
            && bf.group != Group::Guard
            && !matches!(bf.knob, Knob::Reviews | Knob::Checks)
            && !h.has_group(bf.group)
        {
            continue;
        }
        let label = shown(&bf.label);
        let at_head = |f: &Fact, text: String| Loosening {
            side: Side::Head,
            line: f.line,
            text,
        };
        let at_base = |text: String| Loosening {
            side: Side::Base,
            line: bf.line,
            text,
        };
        // A value the text does not give may be anything: say so when it replaces another.
        if let Some(hf) = hf {
            if let Val::Computed(e) = &hf.value {
                if bf.value != hf.value && !matches!(bf.knob, Knob::Exclude) {
                    out.push(at_head(hf, format!(
                        "`{label}` of {name} is now computed (`{e}`) instead of {}, so it may loosen the protection; check the value it takes",
                        bf.value.render()
                    )));
                }
                continue;
            }
        }
        match (bf.knob, &bf.value, hf.map(|f| &f.value)) {
            (Knob::Reviews, _, None) => out.push(at_base(format!(
                "`{label}` is removed from {name}: pull requests no longer need an approving review"
            ))),
            (Knob::Checks, _, None) => {
                let twokey = b.facts.iter().any(|f| f.knob == Knob::CheckNames && f.value.has("twokey"));
                out.push(at_base(format!(
                    "`{label}` is removed from {name}: no status check{} is required to merge any more",
                    if twokey { ", twokey's included," } else { "" }
                )));
            }
            (Knob::Approvals, Val::Num(was), Some(Val::Num(now))) if now < was => {
                let so = if *now < 1.0 {
                    "no approval is needed to merge"
                } else {
                    "fewer approvals are needed to merge"
                };
                out.push(at_head(hf.unwrap_or(bf), format!(
                    "`{label}` of {name} is lowered from {} to {}: {so}",
                    number(*was),
                    number(*now)
                )));
            }
            (Knob::Approvals, Val::Num(was), None) if *was > 1.0 => out.push(at_base(format!(
                "`{label}` of {name} is no longer set (it was {}), so the default of at most one approval applies",
                number(*was)
            ))),
            (Knob::Switch(so), Val::Bool(true), Some(Val::Bool(false))) => {
                out.push(at_head(hf.unwrap_or(bf), format!("`{label}` is turned off for {name}: {so}")))
            }
            (Knob::Allow(so), Val::Bool(false), Some(Val::Bool(true))) => {
                out.push(at_head(hf.unwrap_or(bf), format!("`{label}` is turned on for {name}: {so}")))
            }
            (Knob::Switch(so), Val::Bool(true), None) => out.push(at_base(format!(
                "`{label}` is removed from {name}, so it is off: {so}"
            ))),
            (Knob::CheckNames, Val::Set(was), now) => {
                let now = now.cloned().unwrap_or(Val::Set(Vec::new()));
                let gone: Vec<&str> = was
                    .iter()
                    .map(|(s, _)| s.as_str())
                    .filter(|s| !now.has(s) && !other_check_list_has(h, bf, s))
                    .collect();
                if !gone.is_empty() {
                    let what = match gone.as_slice() {
                        [one] => format!("the `{one}` status check is no longer required by {name}"),
                        many => format!("the status checks {} are no longer required by {name}", quoted(many.iter().copied())),
                    };
                    let twokey = if gone.iter().any(|g| g.eq_ignore_ascii_case("twokey")) {
                        ": twokey's verdict no longer blocks the merge"
                    } else {
                        ": a failing check no longer blocks the merge"
                    };
                    out.push(match hf {
                        Some(hf) => at_head(hf, format!("{what}{twokey}")),
                        None => at_base(format!("{what}{twokey}")),
                    });
                }
            }
            (Knob::Enforcement, Val::Text(was), Some(Val::Text(now))) if rank(now) < rank(was) => {
                let so = if rank(now) == 0 {
                    "its rules no longer apply"
                } else {
                    "its rules are only evaluated, not enforced"
                };
                out.push(at_head(hf.unwrap_or(bf), format!(
                    "`enforcement` of {name} changes from `{was}` to `{now}`: {so}"
                )));
            }
            (Knob::Bypass, was, Some(now)) => bypass_added(name, label, was, now, out),
            (Knob::Pattern, Val::Text(was), Some(Val::Text(now))) if was != now => {
                if let Some(text) = uncovered(label, name, was, now) {
                    out.push(at_head(hf.unwrap_or(bf), text));
                }
            }
            (Knob::Include, Val::Set(was), Some(now)) if !now.has("~ALL") => {
                let gone: Vec<&str> = was
                    .iter()
                    .map(|(s, _)| s.as_str())
                    .filter(|s| !now.has(s))
                    .collect();
                if !gone.is_empty() {
                    out.push(at_head(hf.unwrap_or(bf), format!(
                        "`{}` of {name} no longer includes {}: those are no longer covered by it",
                        bf.label,
                        quoted(gone.iter().copied())
                    )));
                }
            }
            (Knob::Exclude, was, Some(now)) => {
                let added: Vec<&(String, u32)> =
                    now.items().iter().filter(|(s, _)| !was.has(s)).collect();
                if let Some((_, line)) = added.first() {
                    out.push(Loosening {
                        side: Side::Head,
                        line: *line,
                        text: format!(
                            "`{}` of {name} now excludes {}: those are no longer covered by it",
                            bf.label,
                            quoted(added.iter().map(|(s, _)| s.as_str()))
                        ),
                    });
                }
            }
            (Knob::RuleTypes, Val::Set(was), now) => {
                for (rule, line) in was {
                    if !now.is_some_and(|n| n.has(rule)) {
                        out.push(Loosening {
                            side: Side::Base,
                            line: *line,
                            text: format!("the `{rule}` rule is removed from {name}"),
                        });
                    }
                }
            }
            _ => {}
        }
    }
    // Settings only the head has: new bypass actors and exclusions.
    for hf in h.facts.iter().filter(|f| b.fact(&f.label).is_none()) {
        match hf.knob {
            Knob::Bypass => bypass_added(
                name,
                shown(&hf.label),
                &Val::Set(Vec::new()),
                &hf.value,
                out,
            ),
            Knob::Allow(so) if hf.value == Val::Bool(true) => out.push(Loosening {
                side: Side::Head,
                line: hf.line,
                text: format!("`{}` is turned on for {name}: {so}", hf.label),
            }),
            Knob::Exclude if !hf.value.items().is_empty() => out.push(Loosening {
                side: Side::Head,
                line: hf.line,
                text: format!(
                    "`{}` of {name} now excludes {}: those are no longer covered by it",
                    hf.label,
                    hf.value.render()
                ),
            }),
            _ => {}
        }
    }
}

/// Whether a check the base lists under one name (`contexts`) the head lists under the
/// other (`checks`): moved, not dropped.
fn other_check_list_has(h: &Guard, bf: &Fact, check: &str) -> bool {
    h.facts
        .iter()
        .any(|f| f.knob == Knob::CheckNames && f.label != bf.label && f.value.has(check))
}

fn bypass_added(name: &str, label: &str, was: &Val, now: &Val, out: &mut Vec<Loosening>) {
    let added: Vec<&(String, u32)> = now.items().iter().filter(|(s, _)| !was.has(s)).collect();
    if let Some((_, line)) = added.first() {
        out.push(Loosening {
            side: Side::Head,
            line: *line,
            text: format!(
                "`{label}` of {name} gains {}: {} can merge or push without meeting its requirements",
                quoted(added.iter().map(|(s, _)| s.as_str())),
                if added.len() == 1 { "it" } else { "they" }
            ),
        });
    }
}

/// A ruleset's enforcement, strictest highest.
fn rank(enforcement: &str) -> u8 {
    match enforcement {
        "active" => 2,
        "evaluate" => 1,
        "disabled" => 0,
        // Unknown words are not judged.
        _ => 2,
    }
}

/// What a changed branch pattern stops covering, when it does (or may).
fn uncovered(label: &str, name: &str, was: &str, now: &str) -> Option<String> {
    let is_glob = |p: &str| p.contains(['*', '?', '[']);
    // A new pattern that matches the old one covers at least what it covered.
    if branch_pattern::covers(now, was) {
        return None;
    }
    let subject = if is_glob(was) {
        format!("branches matching `{was}` may no longer be protected by it")
    } else {
        format!("branch `{was}` is no longer protected by it")
    };
    Some(format!(
        "`{label}` of {name} changes from `{was}` to `{now}`: {subject}"
    ))
}

fn number(n: f64) -> String {
    if n.fract() == 0.0 && n.abs() < 1e15 {
        format!("{}", n as i64)
    } else {
        n.to_string()
    }
}

/// `` `a` ``, `` `a` and `b` ``, `` `a`, `b` and `c` ``.
fn quoted<'a>(items: impl Iterator<Item = &'a str>) -> String {
    let items: Vec<String> = items.map(|s| format!("`{s}`")).collect();
    match items.as_slice() {
        [] => "nothing".to_owned(),
        [one] => one.clone(),
        [init @ .., tail] => format!("{} and {tail}", init.join(", ")),
    }
}

#[cfg(test)]
mod tests {
    use super::super::super::files::testkit::{ids, Case};
    use super::super::analyze;
    use crate::change::Side;
    use crate::finding::{Finding, Severity, Tag};

    const TF: &str = r#"resource "github_branch_protection" "main" {
  repository_id  = github_repository.app.node_id
  pattern        = "main"
  enforce_admins = true

  required_pull_request_reviews {
    required_approving_review_count = 2
    dismiss_stale_reviews           = true
    require_code_owner_reviews      = true
    require_last_push_approval      = true
  }

  required_status_checks {
    strict   = true
    contexts = ["build", "twokey"]
  }
}
"#;

    const SETTINGS: &str = "\
repository:
  name: app
branches:
  - name: main
    protection:
      required_pull_request_reviews:
        required_approving_review_count: 2
        dismiss_stale_reviews: true
        require_code_owner_reviews: true
      required_status_checks:
        strict: true
        contexts: [build, twokey]
      enforce_admins: true
      restrictions: null
";

    const RULESET: &str = r#"{
  "name": "main",
  "target": "branch",
  "enforcement": "active",
  "conditions": {
    "ref_name": { "include": ["~DEFAULT_BRANCH"], "exclude": [] }
  },
  "rules": [
    { "type": "deletion" },
    { "type": "non_fast_forward" },
    {
      "type": "pull_request",
      "parameters": {
        "required_approving_review_count": 2,
        "dismiss_stale_reviews_on_push": true,
        "require_code_owner_review": true,
        "require_last_push_approval": false,
        "required_review_thread_resolution": false
      }
    },
    {
      "type": "required_status_checks",
      "parameters": {
        "strict_required_status_checks_policy": true,
        "required_status_checks": [{ "context": "twokey", "integration_id": 15368 }]
      }
    }
  ],
  "bypass_actors": []
}
"#;

    const TF_RULESET: &str = r#"resource "github_repository_ruleset" "main" {
  name        = "main"
  repository  = "app"
  target      = "branch"
  enforcement = "active"

  conditions {
    ref_name {
      include = ["~DEFAULT_BRANCH"]
      exclude = []
    }
  }

  rules {
    deletion         = true
    non_fast_forward = true

    pull_request {
      required_approving_review_count = 2
      require_code_owner_review       = true
    }

    required_status_checks {
      required_check {
        context = "twokey"
      }
    }
  }
}
"#;

    fn run(path: &str, old: &str, new: &str) -> Vec<Finding> {
        Case::modified(path, old, new).run(analyze)
    }

    /// The messages, each with the side and line it stands on.
    fn said(findings: &[Finding]) -> Vec<(Side, Option<u32>, String)> {
        findings
            .iter()
            .map(|f| (f.location.side, f.location.line, f.message.clone()))
            .collect()
    }

    fn assert_says(findings: &[Finding], side: Side, line: u32, text: &str) {
        assert!(
            findings.iter().any(|f| f.location.side == side
                && f.location.line == Some(line)
                && f.message.contains(text)),
            "no finding at {side:?} line {line} saying {text:?} in {:#?}",
            said(findings)
        );
    }

    fn assert_generic(findings: &[Finding]) {
        assert_eq!(ids(findings), ["guardrail/branch-protection-changed"]);
        assert!(
            findings[0].message.contains("governs branch protection"),
            "{}",
            findings[0].message
        );
    }

    #[test]
    fn terraform_loosening_names_each_setting_at_its_line() {
        let head = TF
            .replace("count = 2", "count = 1")
            .replace("[\"build\", \"twokey\"]", "[\"build\"]")
            .replace("enforce_admins = true", "enforce_admins = false");
        let f = run("infra/github/main.tf", TF, &head);
        assert_eq!(f.len(), 3, "{:#?}", said(&f));
        for finding in &f {
            assert_eq!(finding.rule.as_str(), "guardrail/branch-protection-changed");
            assert_eq!(finding.severity, Severity::High);
            assert_eq!(finding.tags, [Tag::Guardrail]);
        }
        assert_says(
            &f,
            Side::Head,
            4,
            "`enforce_admins` is turned off for `github_branch_protection.main`: admins can merge without the review",
        );
        assert_says(
            &f,
            Side::Head,
            7,
            "`required_approving_review_count` of `github_branch_protection.main` is lowered from 2 to 1",
        );
        assert_says(
            &f,
            Side::Head,
            15,
            "the `twokey` status check is no longer required by `github_branch_protection.main`",
        );
        assert!(f[0]
            .message
            .starts_with("infra/github/main.tf loosens branch protection: "));
    }

    #[test]
    fn terraform_switches_turned_off_are_named() {
        let head = TF
            .replace(
                "dismiss_stale_reviews           = true",
                "dismiss_stale_reviews = false",
            )
            .replace("require_code_owner_reviews      = true\n", "")
            .replace(
                "require_last_push_approval      = true",
                "require_last_push_approval = false",
            );
        let f = run("main.tf", TF, &head);
        assert_says(&f, Side::Head, 8, "`dismiss_stale_reviews` is turned off");
        assert_says(&f, Side::Base, 9, "`require_code_owner_reviews` is removed from `github_branch_protection.main`, so it is off");
        assert_says(
            &f,
            Side::Head,
            9,
            "`require_last_push_approval` is turned off",
        );
        assert_eq!(f.len(), 3, "{:#?}", said(&f));
    }

    #[test]
    fn force_pushes_and_deletions_allowed_are_named() {
        let head = TF.replace(
            "enforce_admins = true\n",
            "enforce_admins = true\n  allows_force_pushes = true\n",
        );
        let f = run("main.tf", TF, &head);
        assert_eq!(f.len(), 1, "{:#?}", said(&f));
        assert_says(
            &f,
            Side::Head,
            5,
            "`allows_force_pushes` is turned on for `github_branch_protection.main`: history on the branch can be rewritten",
        );
        let old = SETTINGS.replace(
            "enforce_admins: true",
            "enforce_admins: true\n      allow_deletions: false",
        );
        let new = old.replace("allow_deletions: false", "allow_deletions: true");
        let f = run(".github/settings.yml", &old, &new);
        assert_says(
            &f,
            Side::Head,
            14,
            "`allow_deletions` is turned on for branch `main`",
        );
    }

    #[test]
    fn terraform_tightening_keeps_the_generic_message() {
        let head = TF.replace("count = 2", "count = 3").replace(
            "[\"build\", \"twokey\"]",
            "[\"build\", \"twokey\", \"lint\"]",
        );
        assert_generic(&run("main.tf", TF, &head));
    }

    #[test]
    fn terraform_unrelated_edit_keeps_the_generic_message() {
        let head =
            format!("{TF}\nresource \"github_repository\" \"app\" {{\n  name = \"app\"\n}}\n");
        assert_generic(&run("main.tf", TF, &head));
    }

    #[test]
    fn terraform_removed_protection_says_so_at_the_base_line() {
        let f = run(
            "main.tf",
            TF,
            "resource \"github_repository\" \"app\" {\n  name = \"app\"\n}\n",
        );
        assert_eq!(f.len(), 1, "{:#?}", said(&f));
        assert_says(
            &f,
            Side::Base,
            1,
            "`github_branch_protection.main` (pattern `main`) is removed",
        );
        let deleted = Case::deleted("main.tf", TF).run(analyze);
        assert_says(&deleted, Side::Base, 1, "is removed");
    }

    #[test]
    fn terraform_protection_moved_to_a_sibling_is_not_removed() {
        let f = Case::modified("github/a.tf", TF, "locals {}\n")
            .with_changed_file(Side::Head, "github/b.tf", TF)
            .run(analyze);
        assert_generic(&f);
    }

    #[test]
    fn a_deleted_file_whose_protection_moved_to_a_sibling_is_not_removed() {
        let f = Case::deleted("github/a.tf", TF)
            .with_changed_file(Side::Head, "github/b.tf", TF)
            .run(analyze);
        assert_eq!(ids(&f), ["guardrail/branch-protection-changed"]);
        assert!(
            f[0].message.contains("is deleted and governs"),
            "{}",
            f[0].message
        );
    }

    #[test]
    fn terraform_moved_block_keeps_the_protection() {
        let head = format!(
            "{}moved {{\n  from = github_branch_protection.main\n  to   = github_branch_protection.default\n}}\n",
            TF.replace("\"main\" {", "\"default\" {")
        );
        assert_generic(&run("main.tf", TF, &head));
    }

    #[test]
    fn terraform_removed_review_block_is_one_sentence() {
        let start = TF.find("  required_pull_request_reviews").unwrap();
        let end = TF.find("  required_status_checks").unwrap();
        let head = format!("{}{}", &TF[..start], &TF[end..]);
        let f = run("main.tf", TF, &head);
        assert_eq!(f.len(), 1, "{:#?}", said(&f));
        assert_says(
            &f,
            Side::Base,
            7,
            "`required_pull_request_reviews` is removed from `github_branch_protection.main`: pull requests no longer need an approving review",
        );
    }

    #[test]
    fn terraform_value_from_a_variable_may_loosen() {
        let head = TF.replace("count = 2", "count = var.approvals");
        let f = run("main.tf", TF, &head);
        assert_says(
            &f,
            Side::Head,
            7,
            "`required_approving_review_count` of `github_branch_protection.main` is now computed (`var.approvals`) instead of 2, so it may loosen",
        );
    }

    #[test]
    fn terraform_pattern_that_no_longer_covers_the_branch_is_named() {
        let f = run("main.tf", TF, &TF.replace("\"main\"\n", "\"develop\"\n"));
        assert_says(
            &f,
            Side::Head,
            3,
            "`pattern` of `github_branch_protection.main` changes from `main` to `develop`: branch `main` is no longer protected by it",
        );
        // A wider pattern still covers it.
        assert_generic(&run("main.tf", TF, &TF.replace("\"main\"\n", "\"ma*\"\n")));
    }

    #[test]
    fn terraform_v3_resource_is_read_too() {
        let v3 = "resource \"github_branch_protection_v3\" \"main\" {\n  repository = \"app\"\n  branch     = \"main\"\n\n  required_status_checks {\n    checks = [\"twokey:15368\", \"build\"]\n  }\n\n  required_pull_request_reviews {\n    required_approving_review_count = 2\n  }\n}\n";
        let head = v3
            .replace("[\"twokey:15368\", \"build\"]", "[\"build\"]")
            .replace(
                "count = 2\n",
                "count = 2\n    bypass_pull_request_allowances {\n      users = [\"agent-bot\"]\n    }\n",
            );
        let f = run("main.tf", v3, &head);
        assert_says(
            &f,
            Side::Head,
            6,
            "the `twokey` status check is no longer required by `github_branch_protection_v3.main`",
        );
        assert_says(
            &f,
            Side::Head,
            12,
            "`bypass_pull_request_allowances.users` of `github_branch_protection_v3.main` gains `agent-bot`",
        );
    }

    #[test]
    fn terraform_ruleset_enforcement_bypass_and_rules() {
        let head = TF_RULESET
            .replace("enforcement = \"active\"", "enforcement = \"evaluate\"")
            .replace("    non_fast_forward = true\n", "")
            .replace("count = 2", "count = 0")
            .replace(
                "  rules {",
                "  bypass_actors {\n    actor_id    = 5\n    actor_type  = \"RepositoryRole\"\n    bypass_mode = \"always\"\n  }\n\n  rules {",
            );
        let f = run("rulesets.tf", TF_RULESET, &head);
        assert_says(
            &f,
            Side::Head,
            5,
            "`enforcement` of `github_repository_ruleset.main` changes from `active` to `evaluate`: its rules are only evaluated, not enforced",
        );
        assert_says(
            &f,
            Side::Head,
            15,
            "`bypass_actors` of `github_repository_ruleset.main` gains `RepositoryRole 5 (always)`",
        );
        assert_says(
            &f,
            Side::Base,
            16,
            "the `non_fast_forward` rule is removed from `github_repository_ruleset.main`",
        );
        assert_says(
            &f,
            Side::Head,
            24,
            "lowered from 2 to 0: no approval is needed to merge",
        );
        assert_eq!(f.len(), 4, "{:#?}", said(&f));
    }

    #[test]
    fn terraform_ruleset_dropping_the_twokey_check_is_named() {
        let head = TF_RULESET.replace("\"twokey\"", "\"build\"");
        let f = run("rulesets.tf", TF_RULESET, &head);
        assert_says(&f, Side::Head, 25, "the `twokey` status check is no longer required by `github_repository_ruleset.main`: twokey's verdict no longer blocks the merge");
    }

    #[test]
    fn unparseable_terraform_keeps_the_generic_finding() {
        let f = run(
            "main.tf",
            TF,
            "resource \"github_branch_protection\" \"main\" {\n",
        );
        assert!(
            f.iter()
                .any(|f| f.message.contains("governs branch protection")),
            "{:#?}",
            said(&f)
        );
    }

    #[test]
    fn settings_yml_loosening_is_named() {
        let head = SETTINGS
            .replace("count: 2", "count: 1")
            .replace("[build, twokey]", "[build]")
            .replace("enforce_admins: true", "enforce_admins: false");
        let f = run(".github/settings.yml", SETTINGS, &head);
        assert_eq!(f.len(), 3, "{:#?}", said(&f));
        assert_says(
            &f,
            Side::Head,
            7,
            "`required_approving_review_count` of branch `main` is lowered from 2 to 1",
        );
        assert_says(
            &f,
            Side::Head,
            12,
            "the `twokey` status check is no longer required by branch `main`",
        );
        assert_says(
            &f,
            Side::Head,
            13,
            "`enforce_admins` is turned off for branch `main`",
        );
    }

    #[test]
    fn settings_yml_protection_set_to_null_is_removed() {
        let start = SETTINGS.find("    protection:\n").unwrap();
        let head = format!("{}    protection: null\n", &SETTINGS[..start]);
        let f = run(".github/settings.yml", SETTINGS, &head);
        assert_eq!(f.len(), 1, "{:#?}", said(&f));
        assert_says(
            &f,
            Side::Base,
            4,
            "the protection of branch `main` is removed",
        );
    }

    #[test]
    fn settings_yml_tightening_or_other_edits_keep_the_generic_message() {
        let f = run(
            ".github/settings.yml",
            SETTINGS,
            &SETTINGS.replace("count: 2", "count: 3"),
        );
        assert_generic(&f);
        let f = run(
            ".github/settings.yml",
            SETTINGS,
            &SETTINGS.replace("name: app", "name: app2"),
        );
        assert_generic(&f);
    }

    #[test]
    fn settings_yml_rulesets_are_compared_like_exported_ones() {
        let old = "rulesets:\n  - name: main\n    enforcement: active\n    bypass_actors: []\n    rules:\n      - type: pull_request\n        parameters:\n          required_approving_review_count: 1\n";
        let new = old.replace("enforcement: active", "enforcement: disabled");
        let f = run(".github/settings.yml", old, &new);
        assert_eq!(f.len(), 1, "{:#?}", said(&f));
        assert_says(&f, Side::Head, 3, "`enforcement` of ruleset `main` changes from `active` to `disabled`: its rules no longer apply");
    }

    #[test]
    fn unparseable_settings_keep_the_generic_finding() {
        assert_generic(&run(".github/settings.yml", SETTINGS, "branches: [\n"));
    }

    #[test]
    fn a_ruleset_kept_outside_github_rulesets_is_read_by_its_shape() {
        let head = RULESET.replace(
            "\"enforcement\": \"active\"",
            "\"enforcement\": \"disabled\"",
        );
        let f = run("github/rulesets/main.json", RULESET, &head);
        assert_says(
            &f,
            Side::Head,
            4,
            "`enforcement` of ruleset `main` changes from `active` to `disabled`",
        );
        assert!(f
            .iter()
            .all(|f| f.tags.contains(&Tag::Guardrail) && !f.tags.contains(&Tag::Infra)));
        // Tightening it is still a change to the gate, named as such; a JSON file that only
        // looks alike is not one.
        let stricter = RULESET.replace(
            "\"required_approving_review_count\": 2",
            "\"required_approving_review_count\": 3",
        );
        assert_generic(&run("ops/rulesets/main.json", RULESET, &stricter));
        let lint = "{\n  \"rules\": { \"no-unused-vars\": \"error\" },\n  \"env\": {}\n}\n";
        let looser = lint.replace("error", "off");
        assert!(run(".eslintrc.json", lint, &looser).is_empty());
    }

    #[test]
    fn ruleset_json_loosening_is_named() {
        let head = RULESET
            .replace("\"enforcement\": \"active\"", "\"enforcement\": \"evaluate\"")
            .replace("\"require_code_owner_review\": true", "\"require_code_owner_review\": false")
            .replace(
                "\"bypass_actors\": []",
                "\"bypass_actors\": [\n    { \"actor_id\": 1, \"actor_type\": \"OrganizationAdmin\", \"bypass_mode\": \"always\" }\n  ]",
            )
            .replace("[\"~DEFAULT_BRANCH\"], \"exclude\": []", "[\"~DEFAULT_BRANCH\"], \"exclude\": [\"refs/heads/main\"]");
        let f = run(".github/rulesets/main.json", RULESET, &head);
        assert_says(
            &f,
            Side::Head,
            4,
            "`enforcement` of ruleset `main` changes from `active` to `evaluate`",
        );
        assert_says(
            &f,
            Side::Head,
            6,
            "`conditions.ref_name.exclude` of ruleset `main` now excludes `refs/heads/main`",
        );
        assert_says(&f, Side::Head, 16, "`require_code_owner_review` is turned off for ruleset `main`: code owners no longer have to approve");
        assert_says(
            &f,
            Side::Head,
            30,
            "`bypass_actors` of ruleset `main` gains `OrganizationAdmin 1 (always)`",
        );
        assert_eq!(f.len(), 4, "{:#?}", said(&f));
    }

    #[test]
    fn ruleset_json_removed_rules_are_named() {
        let start = RULESET
            .find("    {\n      \"type\": \"required_status_checks\"")
            .unwrap();
        let end = RULESET.find("  ],\n  \"bypass_actors\"").unwrap();
        let head = format!(
            "{}{}",
            &RULESET[..start].trim_end().trim_end_matches(','),
            &RULESET[end - 1..]
        )
        .replace("    { \"type\": \"deletion\" },\n", "");
        let f = run(".github/rulesets/main.json", RULESET, &head);
        assert_says(
            &f,
            Side::Base,
            9,
            "the `deletion` rule is removed from ruleset `main`",
        );
        assert_says(
            &f,
            Side::Base,
            21,
            "`required_status_checks` is removed from ruleset `main`: no status check, twokey's included, is required to merge any more",
        );
        assert_eq!(f.len(), 2, "{:#?}", said(&f));
    }

    #[test]
    fn ruleset_json_tightened_or_deleted() {
        let head = RULESET.replace(
            "\"require_last_push_approval\": false",
            "\"require_last_push_approval\": true",
        );
        assert_generic(&run(".github/rulesets/main.json", RULESET, &head));
        let f = Case::deleted(".github/rulesets/main.json", RULESET).run(analyze);
        assert_eq!(f.len(), 1, "{:#?}", said(&f));
        assert_says(
            &f,
            Side::Base,
            1,
            "ruleset `main` (include `~DEFAULT_BRANCH`) is removed",
        );
    }

    #[test]
    fn an_added_protection_file_loosens_nothing() {
        assert_generic(&Case::added(".github/rulesets/main.json", RULESET).run(analyze));
        assert_generic(&Case::added("main.tf", TF).run(analyze));
    }
}
