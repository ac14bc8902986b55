//! cloudformation: the structural analyzer for CloudFormation templates, hand-written, SAM
//! (`Transform: AWS::Serverless-2016-10-31`) or synthesized by the CDK (`cdk.out/*.template.json`).
//! It parses the base and head of a changed template, compares resources by logical ID, and
//! reports what the next stack update would delete or replace: removed resources, logical IDs
//! that changed (delete and recreate), types changed in place, properties that force a
//! replacement, weakened `DeletionPolicy`/`UpdateReplacePolicy`, and protections turned off.
//!
//! A template is one stack, so a resource that moves to another template is still deleted from
//! this one; unlike the Kubernetes analyzer, siblings are never consulted. Short-form tags
//! (`!Ref X`) and their long forms (`{"Ref": "X"}`) compare equal, as do reordered keys and
//! edited comments.
//!
//! Submodules: [`template`] reads a side into resources; [`catalog`] knows resource types;
//! [`serverless`] reads a Serverless Framework service (`serverless.yml`), whose `resources`
//! are compared by the same checks. Pure: findings come from the two texts in the view and
//! nothing else.

pub(crate) mod catalog;
mod conditions;
mod inputs;
mod retention;
mod sam;
pub mod serverless;
mod settings;
mod stackset;
mod template;
#[cfg(test)]
mod tests;
#[cfg(test)]
mod tests_peers;

use super::{unparseable_finding, FileKind, FileView, Unparseable};
use crate::change::Side;
use crate::finding::{Finding, RuleId, Severity, Tag};
use crate::rules::Rule;
use crate::yaml::Node;
use std::borrow::Cow;
use template::{show, Resource, Template};

const DESTRUCTIVE: &[Tag] = &[Tag::Destructive, Tag::Infra];

pub const RESOURCE_REMOVED: Rule = Rule {
    id: RuleId("cloudformation/resource-removed"),
    severity: Severity::High,
    tags: DESTRUCTIVE,
    summary: "A resource was removed from a CloudFormation template, so the next stack update deletes it.",
    why: "CloudFormation deletes every resource that is no longer in the template when the stack is \
          updated (in a CDK app: when the construct is removed; in a Serverless service: when it \
          leaves `resources` and the service is deployed). Severity is critical for types that \
          hold data (databases, tables, buckets, file systems, volumes, keys, hosted zones, queues, \
          streams, log groups, repositories, secrets, user pools, nested stacks, stack sets), high otherwise. An \
          explicit DeletionPolicy lowers it: Retain or RetainExceptOnCreate orphan the resource \
          instead of deleting it (medium for types that hold data, low otherwise), and Snapshot on a \
          type that supports it takes a final snapshot first (high). RDS's implicit Snapshot default \
          is named in the message but does not lower the severity: the database's automated backups \
          are deleted with it either way. A `Condition` put on an existing resource deletes it in every \
          stack where the condition is false (at most high); a condition whose definition changes may \
          delete what it gates (at most medium: which stacks it turns false in is not in the template).",
    example: "before: Resources:\n          Database:\n            Type: AWS::RDS::DBInstance\nafter:  (Database removed)",
    safer: "To stop managing the resource without deleting it, first deploy it with `DeletionPolicy: Retain` \
            (CDK: `RemovalPolicy.RETAIN`), then remove it in a later change; if it moved or was renamed, keep its logical ID.",
};

pub const LOGICAL_ID_CHANGED: Rule = Rule {
    id: RuleId("cloudformation/logical-id-changed"),
    severity: Severity::High,
    tags: DESTRUCTIVE,
    summary: "A resource reappears under a new logical ID (same type and properties): CloudFormation creates the new one and deletes the old.",
    why: "CloudFormation identifies resources by logical ID, so a resource under a new ID is a new, empty \
          resource and the one under the old ID is deleted with its data (or, with a fixed physical name, \
          the update fails). In a CDK app the logical ID derives from the construct path, so moving or \
          renaming a construct does this. Graded like resource-removed.",
    example: "before: MyBucketF68F3FF0:     {Type: AWS::S3::Bucket, Properties: {Versioned…}}\n\
              after:  StorageBucket19DB2FF8: {Type: AWS::S3::Bucket, Properties: {Versioned…}}",
    safer: "Keep the old logical ID (CDK: `overrideLogicalId(\"<old id>\")` on the underlying Cfn resource); \
            or set `DeletionPolicy: Retain` on the old resource, deploy, remove it, and import it under the new ID.",
};

pub const TYPE_CHANGED: Rule = Rule {
    id: RuleId("cloudformation/type-changed"),
    severity: Severity::High,
    tags: DESTRUCTIVE,
    summary: "A resource keeps its logical ID but changes its Type.",
    why: "CloudFormation refuses to change a resource's type in place (\"Update of resource type is not \
          permitted\"), so such a change only deploys by deleting the old resource and creating the new \
          one, losing whatever the old one held. High when the old type holds data, medium otherwise. A \
          SAM resource rewritten as the resource it expands to (AWS::Serverless::Function as \
          AWS::Lambda::Function, for example) keeps its logical ID and is not reported.",
    example: "before: Events: {Type: AWS::SNS::Topic}\nafter:  Events: {Type: AWS::SQS::Queue}",
    safer: "Add the new resource under a new logical ID, move its consumers over, and remove the old one in a \
            later, reviewed change (with `DeletionPolicy: Retain` if its data must survive).",
};

pub const REPLACEMENT_PROPERTY: Rule = Rule {
    id: RuleId("cloudformation/replacement-property"),
    severity: Severity::Critical,
    tags: DESTRUCTIVE,
    summary: "A property whose change forces CloudFormation to replace a resource was changed (critical for resources that hold data).",
    why: "For properties documented as \"Update requires: Replacement\" CloudFormation creates a new \
          resource, points references at it and deletes the old one with its data. twokey knows a small \
          table of such properties for stateful types (RDS, DynamoDB, S3, EFS, SQS, Kinesis, Route 53, \
          ElastiCache, Logs, ECR, Secrets Manager, OpenSearch, Neptune, DocumentDB), and a few for types \
          that hold no data but serve traffic (EC2 instances, VPCs, EKS clusters). Critical; high when \
          the resource's UpdateReplacePolicy keeps the old one (Retain) or a snapshot of it, or when the \
          type holds no data; medium when an unchanged custom name makes CloudFormation refuse the \
          update instead.",
    example: "before: TableName: orders\nafter:  TableName: orders-v2",
    safer: "Create the new resource beside the old one under a new logical ID, migrate the data, and remove the \
            old one later; set `UpdateReplacePolicy: Retain` (or Snapshot) on resources whose data must survive a replacement.",
};

pub const RETAIN_POLICY_WEAKENED: Rule = Rule {
    id: RuleId("cloudformation/retain-policy-weakened"),
    severity: Severity::High,
    tags: DESTRUCTIVE,
    summary: "A DeletionPolicy or UpdateReplacePolicy was weakened from Retain or Snapshot towards Delete (or removed).",
    why: "These policies decide whether a deleted or replaced resource, and its data, survives. Without one \
          the default is Delete (a DeletionPolicy defaults to Snapshot for RDS DB clusters and for DB \
          instances outside a cluster). Weakening the policy is often the first step of a destroy. High \
          for types that hold data, medium otherwise.",
    example: "before: DeletionPolicy: Retain\nafter:  DeletionPolicy: Delete",
    safer: "Keep Retain (or Snapshot) on resources that hold data; lift it only in a change reviewed together \
            with the removal it enables.",
};

pub const PROTECTION_DISABLED: Rule = Rule {
    id: RuleId("cloudformation/protection-disabled"),
    severity: Severity::High,
    tags: DESTRUCTIVE,
    summary: "A resource protection was turned off: deletion or termination protection, point-in-time recovery, automated backups, versioning.",
    why: "DeletionProtection (RDS, Neptune, DocumentDB, Cognito's ACTIVE), DeletionProtectionEnabled \
          (DynamoDB, Logs), an ELBv2 load balancer's deletion_protection.enabled, DynamoDB point-in-time \
          recovery, BackupRetentionPeriod, S3 versioning, an EFS backup policy and an EC2 instance's \
          DisableApiTermination (and a launch template's), a stack set's AutoDeployment.RetainStacksOnAccountRemoval, \
          RDS's DeleteAutomatedBackups, Redshift's and ElastiCache's automatic snapshots, FSx backups, a \
          global table's per-replica point-in-time recovery and deletion protection, an instance's \
          block devices kept on termination, a CloudTrail event data store's termination protection and \
          an ECR repository's EmptyOnDelete are what stand between a mistake and lost data or an outage. High for \
          types that hold data, medium otherwise.",
    example: "before: DeletionProtection: true\nafter:  DeletionProtection: false",
    safer: "Keep the protection on; if the resource really must go, turn it off in its own reviewed change \
            together with the removal.",
};

pub const UNPARSEABLE: Rule = Rule {
    id: RuleId("cloudformation/unparseable"),
    severity: Severity::High,
    tags: &[Tag::Infra],
    summary: "A CloudFormation template could not be parsed, so what it deletes is unknown.",
    why: "twokey fails closed: it cannot tell which resources a template it cannot read removes or \
          replaces, so a human must review it.",
    example: "Resources:\n  Bucket:\n    Type: AWS::S3::Bucket\n     Properties: {   # broken indentation",
    safer: "Keep the template valid YAML or JSON (`cfn-lint` or `aws cloudformation validate-template` \
            checks it) and push again.",
};

pub const RULES: &[&Rule] = &[
    &RESOURCE_REMOVED,
    &LOGICAL_ID_CHANGED,
    &TYPE_CHANGED,
    &REPLACEMENT_PROPERTY,
    &RETAIN_POLICY_WEAKENED,
    &PROTECTION_DISABLED,
    &retention::RETENTION_SHORTENED,
    &stackset::STACK_INSTANCES_REMOVED,
    &UNPARSEABLE,
];

/// One side's template: empty when the side does not exist, `None` when it exists but cannot
/// be compared (unreadable, which the files analyzer reports, or unparseable).
fn side_template(view: &FileView, side: Side, findings: &mut Vec<Finding>) -> Option<Template> {
    parsed_side(view, side, &UNPARSEABLE, findings, template::parse)
}

/// One side of a file read with `parse`, the way both CloudFormation and Serverless files are:
/// empty when the side does not exist, `None` when it exists but cannot be compared
/// (unreadable, which the files analyzer reports, or unparseable, reported here).
fn parsed_side<T: Default>(
    view: &FileView,
    side: Side,
    unparseable: &Rule,
    findings: &mut Vec<Finding>,
    parse: impl FnOnce(&str) -> Result<T, template::ParseError>,
) -> Option<T> {
    let (content, path) = match side {
        Side::Base => (view.old, &view.change.old_path),
        Side::Head => (view.new, &view.change.new_path),
    };
    if path.is_none() {
        return Some(T::default());
    }
    match parse(content.text()?) {
        Ok(t) => Some(t),
        Err(e) => {
            let failure = Unparseable {
                side,
                line: Some(e.line),
                reason: e.reason,
            };
            findings.push(unparseable_finding(unparseable, view, &failure));
            None
        }
    }
}

/// Analyzes one changed CloudFormation template.
pub fn analyze(view: &FileView) -> Vec<Finding> {
    let mut findings = Vec::new();
    let base = side_template(view, Side::Base, &mut findings);
    let head = match successor(view) {
        Some(head) => Some(head),
        None => side_template(view, Side::Head, &mut findings),
    };
    let (Some(base), Some(head)) = (base, head) else {
        return findings;
    };
    findings.extend(compare(view, &base, &head));
    findings
}

/// Template file extensions, one of which a conversion (`cfn-flip`, a YAML↔JSON rewrite)
/// trades for another.
const TEMPLATE_EXTENSIONS: &[&str] = &["yaml", "yml", "json", "template"];

/// The template that takes a deleted one's place: the same name in the same directory with
/// another template extension, added by this change (`orders.yaml` become `orders.json`),
/// parsed. Git pairs no rename across such a conversion, since every line changes; read alone,
/// the deleted file would remove every resource of a stack whose template only changed
/// syntax. A successor that does not parse leaves the deletion judged as one.
fn successor(view: &FileView) -> Option<Template> {
    if view.change.new_path.is_some() {
        return None;
    }
    let old = view.change.old_path.as_ref()?;
    let ext = old.extension()?;
    let stem = old.as_str().strip_suffix(ext.as_str())?;
    TEMPLATE_EXTENSIONS
        .iter()
        .filter(|other| **other != ext.as_str())
        .map(|other| crate::change::RepoPath::new(format!("{stem}{other}")))
        .filter(|path| view.snapshot.read(Side::Base, path).text().is_none())
        .find_map(|path| template::parse(view.snapshot.read(Side::Head, &path).text()?).ok())
}

/// What the next update of the stack does to the resources of `base` given `head`: the
/// comparison a template and a Serverless service's `resources` share.
fn compare(view: &FileView, base: &Template, head: &Template) -> Vec<Finding> {
    let mut findings = Vec::new();
    removals(view, base, head, &mut findings);
    for new in &head.resources {
        let Some(old) = base.get(&new.id) else {
            continue;
        };
        if !catalog::same_type(&old.kind, &new.kind) {
            findings.push(type_changed(view, old, new));
            continue;
        }
        let mut direct = settings(view, old, new);
        direct.extend(condition_added(view, base, head, old, new));
        policies(view, old, new, &mut direct);
        stackset::removed(view, old, new, &mut direct);
        direct.extend(computed_settings(view, base, head, old, new, &direct));
        findings.extend(direct);
    }
    findings.extend(conditions::condition_changes(view, base, head));
    findings
}

/// What a change of the settings of one resource (as opposed to its existence or policies)
/// deletes: properties that force a replacement, protections turned off, retention lowered.
fn settings(view: &FileView, old: &Resource, new: &Resource) -> Vec<Finding> {
    let mut out = Vec::new();
    out.extend(replacement(view, old, new));
    protections(view, old, new, &mut out);
    retention::shortened(view, old, new, &mut out);
    out
}

/// The settings findings that appear only once the values a resource reads from `Mappings` or
/// from parameters' defaults are substituted (`ImageId: !FindInMap [...]` with a new AMI in the
/// mapping, `DeletionProtection: !Ref Protect` with a default turned to false), and that
/// `direct` does not already report under the same rule. Runs only when those inputs differ.
fn computed_settings(
    view: &FileView,
    base: &Template,
    head: &Template,
    old: &Resource,
    new: &Resource,
    direct: &[Finding],
) -> Vec<Finding> {
    let mut out: Vec<Finding> = Vec::new();
    for source in [inputs::Source::Mappings, inputs::Source::Defaults] {
        if !base.inputs.differ(&head.inputs, source) {
            continue;
        }
        let (was, now) = (
            base.inputs.resolve(old, source),
            head.inputs.resolve(new, source),
        );
        for mut finding in settings(view, &was, &now) {
            let known = |f: &Finding| f.rule == finding.rule;
            if direct.iter().any(known) || out.iter().any(known) {
                continue;
            }
            let note = match source {
                inputs::Source::Mappings => {
                    "The value comes from the template's Mappings, which changed.".to_owned()
                }
                // Stacks deployed with explicit parameter values keep what they had.
                inputs::Source::Defaults => {
                    finding.severity = finding.severity.min(Severity::Medium);
                    format!(
                        "This holds in stacks deployed with the default of {}, which changed; stacks that pass their own value keep it.",
                        base.inputs.changed_defaults(&head.inputs).join(", ")
                    )
                }
            };
            finding.message = format!("{} {note}", finding.message);
            out.push(finding);
        }
    }
    out
}

/// Where a stack's resources are written and what deploys them, in the words of a finding:
/// a template's stack is updated by whatever deploys it, a Serverless service's stack by
/// `serverless deploy`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Stack {
    Template,
    Service,
}

impl Stack {
    fn of(view: &FileView) -> Stack {
        if view.kind == FileKind::Serverless {
            Stack::Service
        } else {
            Stack::Template
        }
    }
    /// What deletes a resource removed from the file.
    fn next_update(self) -> &'static str {
        match self {
            Stack::Template => "the next stack update",
            Stack::Service => "the next `serverless deploy`",
        }
    }
    /// The file, for "goes with the deleted …".
    fn file(self) -> &'static str {
        match self {
            Stack::Template => "template",
            Stack::Service => "service file",
        }
    }
    /// What deletes the resources of a deleted file.
    fn teardown(self) -> &'static str {
        match self {
            Stack::Template => "updating its stack without it, or deleting the stack,",
            Stack::Service => "deploying the service without it, or `serverless remove`,",
        }
    }
    /// What a DeletionPolicy decides about.
    fn removing(self) -> &'static str {
        match self {
            Stack::Template => "removing it from the template, or deleting the stack,",
            Stack::Service => "removing it from `resources`, or `serverless remove`,",
        }
    }
    /// How to keep a resource's logical ID.
    fn keep_id(self, id: &str) -> String {
        match self {
            Stack::Template => format!(
                "Keep the logical ID {id}: in a CDK app, call `overrideLogicalId(\"{id}\")` on the resource (or keep its construct id and path)"
            ),
            Stack::Service => format!("Keep the logical ID {id} under `resources.Resources`"),
        }
    }
}

/// A `Condition` put on (or changed for) a resource that already exists: in every stack
/// where the condition is false, the next update deletes it.
fn condition_added(
    view: &FileView,
    base: &Template,
    head: &Template,
    old: &Resource,
    new: &Resource,
) -> Option<Finding> {
    let condition = new.node.get("Condition")?;
    let name = condition.as_str().unwrap_or("a condition");
    let was = old.node.get("Condition").and_then(Node::as_str);
    if was == Some(name) {
        return None;
    }
    // A condition renamed with its definition unchanged gates the same stacks.
    let same_definition = match (
        was.and_then(|w| conditions::expansion(base, w)),
        conditions::expansion(head, name),
    ) {
        (Some(before), Some(after)) => before.same_value(&after),
        _ => false,
    };
    if same_definition {
        return None;
    }
    let fate = fate(old);
    let finding = Finding::new(
        &RESOURCE_REMOVED,
        view.at(Side::Head, condition.line, condition.end_line),
        format!(
            "{} now exists only where the condition {name} holds: in every stack where it is false, the next update {} it{}.",
            describe(old),
            if matches!(fate, Fate::Orphaned(_)) { "orphans" } else { "deletes" },
            if matches!(fate, Fate::Orphaned(_)) {
                String::new()
            } else {
                format!(", and {}", catalog::loss(&old.kind))
            }
        ),
    )
    .with_severity(deletion_severity(old, &fate).min(Severity::High));
    Some(finding)
}

/// The non-empty `Properties` of a resource.
fn body(r: &Resource) -> Option<&Node> {
    r.properties().filter(|p| !p.as_map().is_empty())
}

/// Whether `new` is `old` under another logical ID: same type, and the same properties, or
/// properties that differ only in which resources they reference (a CDK construct moved
/// together with its neighbours gets new IDs for all of them).
fn same_resource(old: &Resource, new: &Resource) -> bool {
    if !catalog::same_type(&old.kind, &new.kind) || old.kind.is_empty() {
        return false;
    }
    match (body(old), body(new)) {
        (None, None) => true,
        (Some(a), Some(b)) => {
            a.same_value(b)
                || template::without_references(a).same_value(&template::without_references(b))
        }
        _ => false,
    }
}

fn removals(view: &FileView, base: &Template, head: &Template, out: &mut Vec<Finding>) {
    let added: Vec<&Resource> = head
        .resources
        .iter()
        .filter(|r| base.get(&r.id).is_none())
        .collect();
    let mut taken = vec![false; added.len()];
    let mut removed: Vec<&Resource> = base
        .resources
        .iter()
        .filter(|r| head.get(&r.id).is_none() && !restamped(r, head))
        .collect();
    removed.sort_by_key(|r| r.node.line);
    for old in removed {
        let successor = added
            .iter()
            .enumerate()
            .find(|(i, new)| !taken[*i] && same_resource(old, new))
            .map(|(i, new)| {
                taken[i] = true;
                *new
            });
        out.push(match successor {
            Some(new) => renamed(view, old, new),
            None => removed_finding(view, old),
        });
    }
}

/// Whether `r` comes from an `Fn::ForEach` loop that the head still has but now reads from a
/// collection the other side does not list (a literal list turned into a parameter, or the
/// reverse): what the loop stamps out cannot be compared, so it is not called removed.
fn restamped(r: &Resource, head: &Template) -> bool {
    let Some(origin) = &r.origin else {
        return false;
    };
    let opaque = |x: &Resource| x.kind == "Fn::ForEach";
    head.resources
        .iter()
        .any(|h| h.origin.as_ref() == Some(origin) && (opaque(r) || opaque(h)))
}

/// How much deleting `r` loses, given its base DeletionPolicy, and what to say about it.
enum Fate {
    /// Retain or RetainExceptOnCreate: orphaned, not deleted.
    Orphaned(String),
    /// An explicit Snapshot on a type that supports it.
    Snapshotted,
    /// Deleted; with RDS's implicit Snapshot default when `true`.
    Deleted { default_snapshot: bool },
}

fn fate(r: &Resource) -> Fate {
    let (keep, node) = policy(r, DELETION_POLICY);
    match (keep, node) {
        (Keep::Retain, Some(n)) => Fate::Orphaned(show(Some(n))),
        (Keep::Snapshot, Some(_)) if catalog::supports_snapshot(&r.kind) => Fate::Snapshotted,
        (Keep::Snapshot, None) => Fate::Deleted {
            default_snapshot: true,
        },
        _ => Fate::Deleted {
            default_snapshot: false,
        },
    }
}

fn deletion_severity(r: &Resource, fate: &Fate) -> Severity {
    let stateful = catalog::is_stateful(&r.kind);
    match fate {
        Fate::Orphaned(_) if stateful => Severity::Medium,
        Fate::Orphaned(_) => Severity::Low,
        Fate::Snapshotted => Severity::High,
        Fate::Deleted { .. } if stateful => Severity::Critical,
        Fate::Deleted { .. } => Severity::High,
    }
}

fn describe(r: &Resource) -> String {
    if r.kind.is_empty() {
        format!("Resource {}", r.id)
    } else {
        format!("{} {}", r.kind, r.id)
    }
}

fn removed_finding(view: &FileView, r: &Resource) -> Finding {
    let path = view.path_on(Side::Base);
    let what = describe(r);
    let stack = Stack::of(view);
    let (how, when) = if view.change.is_deleted() {
        (
            format!("goes with the deleted {} {path}", stack.file()),
            stack.teardown(),
        )
    } else {
        (format!("is removed from {path}"), stack.next_update())
    };
    let fate = fate(r);
    let message = match &fate {
        Fate::Orphaned(policy) => format!(
            "{what} {how}, but its DeletionPolicy is {policy}: CloudFormation leaves it in the account, orphaned and no longer managed by the stack, instead of deleting it."
        ),
        Fate::Snapshotted => format!(
            "{what} {how}: {when} deletes it after a final snapshot (DeletionPolicy: Snapshot); bringing it back means restoring a new one from that snapshot."
        ),
        Fate::Deleted { default_snapshot } => {
            let mut m = format!("{what} {how}: {when} deletes it, and {}.", catalog::loss(&r.kind));
            if *default_snapshot {
                m.push_str(" CloudFormation's default for it is a final snapshot, but its automated backups are deleted with it.");
            }
            m
        }
    };
    let finding = Finding::new(
        &RESOURCE_REMOVED,
        view.at(Side::Base, r.node.line, r.node.end_line),
        message,
    )
    .with_severity(deletion_severity(r, &fate));
    match fate {
        // Nothing is deleted: the resource stays in the account, unmanaged.
        Fate::Orphaned(_) => {
            let mut finding = finding.with_safer(
                "It stays in the account with its data: import it into the stack that should manage it, or delete it by hand once it is no longer needed.",
            );
            finding.tags.retain(|t| *t != Tag::Destructive);
            finding
        }
        _ => finding,
    }
}

fn renamed(view: &FileView, old: &Resource, new: &Resource) -> Finding {
    let path = view.path_on(Side::Head);
    let (o, n) = (&old.id, &new.id);
    // With the same custom physical name on both, the new logical ID's resource cannot be
    // created while the old one holds the name: the update fails and rolls back, nothing lost.
    let pinned = catalog::replacing(&old.kind)
        .and_then(|t| t.name)
        .filter(|name| {
            old.property(name).is_some() && same(old.property(name), new.property(name))
        });
    if let Some(name) = pinned {
        return Finding::new(
            &LOGICAL_ID_CHANGED,
            view.at(Side::Head, new.node.line, new.node.end_line),
            format!(
                "{} is now {n} in {path} (same type and properties, new logical ID), but both carry {name} {}: CloudFormation cannot create {n} while {o} holds that name, so the update fails and rolls back; deploying it means renaming, which loses the data {o} holds.",
                describe(old),
                show(new.property(name))
            ),
        )
        .with_severity(Severity::Medium)
        .with_safer(format!("{}.", Stack::of(view).keep_id(o)));
    }
    let fate = fate(old);
    let consequence = match &fate {
        Fate::Orphaned(policy) => format!(
            "creates {n} empty and leaves {o} in the account, orphaned (its DeletionPolicy is {policy})"
        ),
        Fate::Snapshotted => {
            format!("creates {n} empty and deletes {o} after a final snapshot")
        }
        Fate::Deleted { .. } => format!(
            "creates {n} empty and deletes {o}, and {}",
            catalog::loss(&old.kind)
        ),
    };
    Finding::new(
        &LOGICAL_ID_CHANGED,
        view.at(Side::Head, new.node.line, new.node.end_line),
        format!(
            "{} is now {n} in {path} (same type and properties, new logical ID): CloudFormation treats {n} as a new resource, so it {consequence}.",
            describe(old)
        ),
    )
    .with_severity(deletion_severity(old, &fate))
    .with_safer(format!(
        "{}; or set `DeletionPolicy: Retain` on {o}, deploy, remove it, and import the existing resource as {n}.",
        Stack::of(view).keep_id(o)
    ))
}

fn type_changed(view: &FileView, old: &Resource, new: &Resource) -> Finding {
    let (line, end) = new
        .node
        .get("Type")
        .map_or((new.node.line, new.node.end_line), |t| (t.line, t.end_line));
    let severity = if catalog::is_stateful(&old.kind) {
        Severity::High
    } else {
        Severity::Medium
    };
    Finding::new(
        &TYPE_CHANGED,
        view.at(Side::Head, line, end),
        format!(
            "{} changes its Type from {} to {} in {}: CloudFormation refuses to change a type in place (\"Update of resource type is not permitted\"), so this deploys only by deleting the old {}, and {}.",
            new.id,
            show_kind(&old.kind),
            show_kind(&new.kind),
            view.path_on(Side::Head),
            show_kind(&old.kind),
            catalog::loss(&old.kind)
        ),
    )
    .with_severity(severity)
}

fn show_kind(kind: &str) -> &str {
    if kind.is_empty() {
        "(no Type)"
    } else {
        kind
    }
}

/// Whether a property has the same value on both sides (absent equals absent).
fn same(a: Option<&Node>, b: Option<&Node>) -> bool {
    match (a, b) {
        (None, None) => true,
        (Some(a), Some(b)) => a.same_value(b),
        _ => false,
    }
}

/// Whether a property has the same value on both sides, where an absent property has its
/// documented default (`FifoQueue: false` written out is no change).
fn same_or_default(kind: &str, property: &str, a: Option<&Node>, b: Option<&Node>) -> bool {
    match (a, b, catalog::default_of(kind, property)) {
        (Some(v), None, Some(default)) | (None, Some(v), Some(default)) => {
            v.as_str().is_some_and(|s| s.eq_ignore_ascii_case(default))
        }
        _ => same(a, b),
    }
}

fn replacement(view: &FileView, old: &Resource, new: &Resource) -> Option<Finding> {
    // A SAM resource rewritten as what it expands to (or back) is compared in expanded form:
    // a SimpleTable's PrimaryKey is the table's KeySchema.
    let (old, new) = if old.kind == new.kind {
        (Cow::Borrowed(old), Cow::Borrowed(new))
    } else {
        (sam::expanded(old), sam::expanded(new))
    };
    let (old, new) = (old.as_ref(), new.as_ref());
    let table = catalog::replacing(&new.kind).or_else(|| catalog::replacing(&old.kind))?;
    let changed: Vec<&str> = table
        .properties
        .iter()
        .copied()
        .filter(|p| {
            let (was, now) = (old.property(p), new.property(p));
            !same_or_default(&new.kind, p, was, now)
                && !catalog::equivalent(
                    &new.kind,
                    p,
                    was.and_then(Node::as_str),
                    now.and_then(Node::as_str),
                )
        })
        .collect();
    let first = changed.first()?;
    let (line, end) = new.line_of(first);
    let what = describe(new);
    let path = view.path_on(Side::Head);
    let changes: Vec<String> = changed
        .iter()
        .map(|p| format!("{p} {} → {}", show(old.property(p)), show(new.property(p))))
        .collect();
    let changes = changes.join(", ");
    // A custom physical name that stays the same: CloudFormation cannot create the
    // replacement beside the old resource, so the update fails rather than replacing it.
    let pinned = table
        .name
        .filter(|name| !changed.contains(name) && new.property(name).is_some());
    if let Some(name) = pinned {
        return Some(
            Finding::new(
                &REPLACEMENT_PROPERTY,
                view.at(Side::Head, line, end),
                format!(
                    "{what}: {changes} in {path} requires replacing it, but its custom name ({name} {}) cannot be taken by the replacement, so CloudFormation fails the update; deploying it means renaming, which replaces it and loses the data it holds.",
                    show(new.property(name))
                ),
            )
            .with_severity(Severity::Medium),
        );
    }
    let (keep, node) = policy(new, UPDATE_REPLACE_POLICY);
    let (severity, fate) = match (keep, node) {
        (Keep::Retain, Some(_)) => (
            Severity::High,
            "the old one is kept, orphaned (UpdateReplacePolicy: Retain), and the new one starts empty".to_owned(),
        ),
        (Keep::Snapshot, Some(_)) if catalog::supports_snapshot(&new.kind) => (
            Severity::High,
            "the old one is deleted after a final snapshot (UpdateReplacePolicy: Snapshot) and the new one starts empty".to_owned(),
        ),
        // A resource that holds no data (an instance, a VPC, a cluster's control plane) comes
        // back as it was configured; what depended on the old one breaks until then.
        _ if !catalog::is_stateful(&new.kind) => (
            Severity::High,
            format!("the old one is deleted: {}", catalog::loss(&new.kind)),
        ),
        _ => (
            REPLACEMENT_PROPERTY.severity,
            format!("the old one is deleted: {}", catalog::loss(&new.kind)),
        ),
    };
    Some(
        Finding::new(
            &REPLACEMENT_PROPERTY,
            view.at(Side::Head, line, end),
            format!(
                "{what}: {changes} in {path} forces CloudFormation to replace it (create a new one, then delete the old one); {fate}."
            ),
        )
        .with_severity(severity),
    )
}

const DELETION_POLICY: &str = "DeletionPolicy";
const UPDATE_REPLACE_POLICY: &str = "UpdateReplacePolicy";

/// How much of a resource a policy keeps, weakest first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Keep {
    Delete,
    Snapshot,
    Retain,
}

/// The effective policy `attr` of `r` and the node that sets it (`None`: the default).
/// A value twokey cannot read (an intrinsic function) counts as Delete: it fails closed.
fn policy<'a>(r: &'a Resource, attr: &str) -> (Keep, Option<&'a Node>) {
    match r.node.get(attr).filter(|n| !n.is_null()) {
        Some(node) => {
            let keep = match node.as_str() {
                Some("Retain" | "RetainExceptOnCreate") => Keep::Retain,
                Some("Snapshot") => Keep::Snapshot,
                _ => Keep::Delete,
            };
            (keep, Some(node))
        }
        None => (default_policy(r, attr), None),
    }
}

/// CloudFormation's documented default: Delete, except a DeletionPolicy of Snapshot for RDS DB
/// clusters and for DB instances that are not part of a cluster.
fn default_policy(r: &Resource, attr: &str) -> Keep {
    let rds_snapshot = r.kind == "AWS::RDS::DBCluster"
        || (r.kind == "AWS::RDS::DBInstance" && r.property("DBClusterIdentifier").is_none());
    if attr == DELETION_POLICY && rds_snapshot {
        Keep::Snapshot
    } else {
        Keep::Delete
    }
}

fn show_policy(keep: Keep, node: Option<&Node>) -> String {
    match (node, keep) {
        (Some(n), _) => show(Some(n)),
        (None, Keep::Snapshot) => "(absent: defaults to Snapshot)".to_owned(),
        (None, _) => "(absent: defaults to Delete)".to_owned(),
    }
}

fn policies(view: &FileView, old: &Resource, new: &Resource, out: &mut Vec<Finding>) {
    for attr in [DELETION_POLICY, UPDATE_REPLACE_POLICY] {
        let (before, before_node) = policy(old, attr);
        let (after, after_node) = policy(new, attr);
        if after >= before {
            continue;
        }
        let (line, end) =
            after_node.map_or((new.node.line, new.node.end_line), |n| (n.line, n.end_line));
        let removing = Stack::of(view).removing();
        let consequence = match (attr, after) {
            (DELETION_POLICY, Keep::Snapshot) => {
                format!("{removing} now deletes it after a snapshot instead of keeping it")
            }
            (DELETION_POLICY, _) => format!(
                "{removing} now deletes it, and {}",
                catalog::loss(&new.kind)
            ),
            (_, Keep::Snapshot) => {
                "a replacement now deletes the old resource after a snapshot instead of keeping it"
                    .to_owned()
            }
            _ => format!(
                "a replacement now deletes the old resource, and {}",
                catalog::loss(&new.kind)
            ),
        };
        let severity = if catalog::is_stateful(&new.kind) {
            Severity::High
        } else {
            Severity::Medium
        };
        out.push(
            Finding::new(
                &RETAIN_POLICY_WEAKENED,
                view.at(Side::Head, line, end),
                format!(
                    "{}: {attr} goes from {} to {} in {}, so {consequence}.",
                    describe(new),
                    show_policy(before, before_node),
                    show_policy(after, after_node),
                    view.path_on(Side::Head)
                ),
            )
            .with_severity(severity),
        );
    }
}

/// One protection setting of a resource: whether it is on, and the node to point at.
struct Guard<'a> {
    what: Cow<'static, str>,
    consequence: &'static str,
    on: bool,
    node: Option<&'a Node>,
}

/// Whether a value is an intrinsic function (`Ref`, `Fn::If`, …) whose result the template
/// alone does not tell.
fn computed(node: Option<&Node>) -> bool {
    match node.map(Node::as_map) {
        Some([(key, _)]) => key == "Ref" || key.starts_with("Fn::"),
        _ => false,
    }
}

fn is_true(node: Option<&Node>) -> bool {
    node.and_then(Node::as_str)
        .is_some_and(|s| s.eq_ignore_ascii_case("true"))
}

/// Types whose automated backups are on unless BackupRetentionPeriod says 0.
pub(super) const BACKED_UP_BY_DEFAULT: &[&str] = &[
    "AWS::RDS::DBInstance",
    "AWS::RDS::DBCluster",
    "AWS::DocDB::DBCluster",
    "AWS::Neptune::DBCluster",
];

fn guards(r: &Resource) -> Vec<Guard<'_>> {
    let mut out = Vec::new();
    let prop = |k: &str| r.property(k);
    if let Some(node) = prop("DeletionProtection") {
        out.push(Guard {
            what: "deletion protection (DeletionProtection)".into(),
            consequence: "nothing stops it from being deleted by a stack update or by hand",
            on: is_true(Some(node)) || node.as_str() == Some("ACTIVE"),
            node: Some(node),
        });
    }
    if let Some(node) = prop("DeletionProtectionEnabled") {
        out.push(Guard {
            what: "deletion protection (DeletionProtectionEnabled)".into(),
            consequence: "nothing stops it from being deleted by a stack update or by hand",
            on: is_true(Some(node)),
            node: Some(node),
        });
    }
    if let Some(spec) = prop("PointInTimeRecoverySpecification") {
        let node = spec.get("PointInTimeRecoveryEnabled");
        out.push(Guard {
            what: "point-in-time recovery".into(),
            consequence: "its continuous backups are deleted and it can no longer be restored to a moment before a mistake",
            on: is_true(node),
            node: node.or(Some(spec)),
        });
    }
    let retention = prop("BackupRetentionPeriod");
    if retention.is_some() || BACKED_UP_BY_DEFAULT.contains(&r.kind.as_str()) {
        out.push(Guard {
            what: "automated backups (BackupRetentionPeriod)".into(),
            consequence: "its automated backups are deleted and no new ones are taken",
            on: retention.and_then(Node::as_str) != Some("0"),
            node: retention,
        });
    }
    if let Some(versioning) = prop("VersioningConfiguration") {
        let node = versioning.get("Status");
        out.push(Guard {
            what: "versioning".into(),
            consequence: "overwritten and deleted objects can no longer be recovered",
            on: node.and_then(Node::as_str) == Some("Enabled"),
            node: node.or(Some(versioning)),
        });
    } else if r.kind == "AWS::S3::Bucket" {
        out.push(Guard {
            what: "versioning".into(),
            consequence: "overwritten and deleted objects can no longer be recovered",
            on: false,
            node: None,
        });
    }
    if let Some(attributes) = prop("LoadBalancerAttributes") {
        let entry = attributes
            .as_seq()
            .iter()
            .find(|a| a.get("Key").and_then(Node::as_str) == Some("deletion_protection.enabled"));
        let node = entry.and_then(|e| e.get("Value"));
        out.push(Guard {
            what: "deletion protection (deletion_protection.enabled)".into(),
            consequence:
                "nothing stops the load balancer from being deleted by a stack update or by hand",
            on: is_true(node),
            node: node.or(Some(attributes)),
        });
    }
    if let Some(node) = prop("DisableApiTermination") {
        out.push(Guard {
            what: "termination protection (DisableApiTermination)".into(),
            consequence: "the instance can be terminated through the API",
            on: is_true(Some(node)),
            node: Some(node),
        });
    }
    if r.kind == "AWS::CloudFormation::StackSet" {
        // With automatic deployment on, an account that leaves a target OU keeps its stack
        // only while RetainStacksOnAccountRemoval is true; without it, nothing is deleted.
        let auto = prop("AutoDeployment");
        let node = auto.and_then(|a| a.get("RetainStacksOnAccountRemoval"));
        let deploys = auto.is_some_and(|a| is_true(a.get("Enabled")));
        out.push(Guard {
            what: "stack retention on account removal (RetainStacksOnAccountRemoval)".into(),
            consequence: "an account that leaves a target organizational unit has its stack, and everything in it, deleted",
            on: !deploys || is_true(node),
            node: node.or(auto),
        });
    }
    if let Some(policy) = prop("BackupPolicy") {
        let node = policy.get("Status");
        out.push(Guard {
            what: "automatic backups (BackupPolicy)".into(),
            consequence: "AWS Backup stops taking daily backups of the file system",
            on: node.and_then(Node::as_str) == Some("ENABLED"),
            node: node.or(Some(policy)),
        });
    }
    settings::guards(r, &mut out);
    out
}

fn protections(view: &FileView, old: &Resource, new: &Resource, out: &mut Vec<Finding>) {
    let after = guards(new);
    for before in guards(old) {
        let now = after.iter().find(|g| g.what == before.what);
        if now.is_some_and(|g| g.on) {
            continue;
        }
        // A condition or parameter (`!If [IsProd, true, false]`, `!Ref Protect`) may have
        // been on where it matters; a literal off replaces it everywhere.
        let was_computed =
            computed(before.node) && now.is_some_and(|g| g.node.is_some() && !computed(g.node));
        if !before.on && !was_computed {
            continue;
        }
        let now_node = now.and_then(|g| g.node);
        let (line, end) =
            now_node.map_or((new.node.line, new.node.end_line), |n| (n.line, n.end_line));
        let severity = if catalog::is_stateful(&new.kind) {
            Severity::High
        } else {
            Severity::Medium
        };
        out.push(
            Finding::new(
                &PROTECTION_DISABLED,
                view.at(Side::Head, line, end),
                format!(
                    "{}: {} is turned off in {} ({} → {}), so {}.",
                    describe(new),
                    before.what,
                    view.path_on(Side::Head),
                    show(before.node),
                    show(now_node),
                    before.consequence
                ),
            )
            .with_severity(severity),
        );
    }
}
