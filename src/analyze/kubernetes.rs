//! kubernetes analyzer: compares the objects a manifest declares on each side, by identity
//! (API group, kind, namespace, name), and reports those a sync with pruning would delete:
//! namespaces (and everything in them), custom resource definitions (and every resource of
//! their type), volumes and the workloads that own them, and ordinary objects. An object
//! that moved to another manifest in the same directory is not deleted; comment, formatting
//! and ordering edits compare equal.
//!
//! Helm chart templates are compared the same way, read through [`template`]: their objects
//! are known by the template text they are written with, which twokey never renders.

mod appset;
mod backups;
pub mod conditional;
mod data_operators;
mod databases;
pub mod gitops;
pub mod helmfile;
mod immutable;
mod inline_values;
mod kustomize_scale;
pub mod load_balancer;
mod managed;
mod members;
pub mod packaging;
mod patches;
mod pod_commands;
mod positional;
mod retention;
pub mod settings;
mod sources;
mod template;
pub(crate) mod tool_config;

use super::{unparseable_finding, FileKind, FileView, Unparseable};
use crate::change::{RepoPath, Side};
use crate::finding::{Finding, RuleId, Severity, Tag};
use crate::rules::Rule;
use crate::yaml::{self, Node};
use std::collections::{BTreeMap, BTreeSet};
use std::fmt;
use std::sync::Arc;

pub const OBJECT_DELETED: Rule = Rule {
    id: RuleId("kubernetes/object-deleted"),
    severity: Severity::High,
    tags: &[Tag::Destructive, Tag::Infra],
    summary: "A Kubernetes object is removed from the manifests.",
    why: "With pruning (Argo CD, Flux, `kubectl apply --prune`) removing an object from the manifests deletes it from the cluster: a workload stops serving, a Secret is gone.",
    example: "- kind: Deployment\n-   metadata: {name: web, namespace: shop}",
    safer: "Scale the workload to zero or mark it with `argocd.argoproj.io/sync-options: Prune=false` first, and delete it in a separate change once nothing depends on it.",
};

pub const NAMESPACE_DELETED: Rule = Rule {
    id: RuleId("kubernetes/namespace-deleted"),
    severity: Severity::Critical,
    tags: &[Tag::Destructive, Tag::Infra],
    summary: "A Namespace is removed from the manifests.",
    why: "Deleting a namespace deletes every object in it, including ones no manifest declares: workloads, Secrets, PersistentVolumeClaims and their data.",
    example: "- apiVersion: v1\n- kind: Namespace\n- metadata: {name: payments}",
    safer: "Keep the Namespace declared (or protect it from pruning) and remove its contents one by one in reviewed changes.",
};

pub const CRD_DELETED: Rule = Rule {
    id: RuleId("kubernetes/crd-deleted"),
    severity: Severity::Critical,
    tags: &[Tag::Destructive, Tag::Infra],
    summary: "A CustomResourceDefinition is removed from the manifests.",
    why: "Deleting a CRD deletes every custom resource of its type in every namespace, and operators then tear down what those resources managed.",
    example: "- kind: CustomResourceDefinition\n-   metadata: {name: certificates.cert-manager.io}",
    safer: "Keep the CRD until no resource of its type remains, and uninstall it in a separate, reviewed change.",
};

pub const VOLUME_DELETED: Rule = Rule {
    id: RuleId("kubernetes/volume-deleted"),
    severity: Severity::Critical,
    tags: &[Tag::Destructive, Tag::Infra],
    summary: "A PersistentVolume, PersistentVolumeClaim or StatefulSet is removed from the manifests (or renamed), or a stateful operator's cluster: CloudNativePG, Zalando, Crunchy PGO, Percona, ECK Elasticsearch, Strimzi, MongoDB, RabbitMQ, Redis, k8ssandra, Vitess, TiDB, ClickHouse, MinIO.",
    why: "Volumes hold data: deleting a claim or volume with the Delete reclaim policy erases the disk, and a StatefulSet takes its pods (and with whenDeleted: Delete, its claims) with it. Database operators that own their claims delete them, and the data, when their cluster resource is deleted; the others take the database down and leave its claims orphaned, as a StatefulSet does.",
    example: "- kind: PersistentVolumeClaim\n-   metadata: {name: postgres-data}",
    safer: "Snapshot the volume and set the PersistentVolume's reclaim policy to Retain before removing the claim; keep StatefulSet claims with whenDeleted: Retain.",
};

pub const RENAMED: Rule = Rule {
    id: RuleId("kubernetes/renamed"),
    severity: Severity::High,
    tags: &[Tag::Destructive, Tag::Infra],
    summary: "A Kubernetes object is renamed (same kind and namespace, same spec, new name).",
    why: "Kubernetes has no rename: the object under the old name is deleted and a new one created, so pods restart and anything referring to the old name breaks.",
    example: "- metadata: {name: web}\n+ metadata: {name: web-v2}",
    safer: "Create the new object alongside the old one, move references and traffic to it, then delete the old one in a later change.",
};

pub const RECLAIM_POLICY_DELETE: Rule = Rule {
    id: RuleId("kubernetes/reclaim-policy-delete"),
    severity: Severity::High,
    tags: &[Tag::Destructive, Tag::Infra],
    summary: "A PersistentVolume's reclaim policy becomes Delete, or a StorageClass's, VolumeSnapshotClass's, VolumeSnapshotContent's or TiDB cluster's (`pvReclaimPolicy`) policy turns from Retain to Delete.",
    why: "With reclaim policy Delete, releasing the claim erases the backing disk; with Retain the data survives a mistaken deletion. A snapshot class or content with deletion policy Delete deletes the backend snapshot, the backup itself, when its VolumeSnapshot is deleted.",
    example: "- persistentVolumeReclaimPolicy: Retain\n+ persistentVolumeReclaimPolicy: Delete",
    safer: "Keep Retain for volumes and snapshots that hold data, and clean up released volumes and snapshots by hand.",
};

pub const CASCADE_OWNER_DELETED: Rule = Rule {
    id: RuleId("kubernetes/cascade-owner-deleted"),
    severity: Severity::Critical,
    tags: &[Tag::Destructive, Tag::Infra],
    summary: "A GitOps owner that deletes what it manages is removed (an Argo CD Application with the resources finalizer, an ApplicationSet, a pruning Flux Kustomization, a Flux HelmRelease).",
    why: "These objects own everything they deployed: deleting an Application that carries `resources-finalizer.argocd.argoproj.io`, an ApplicationSet, a Flux Kustomization with `prune: true` or a HelmRelease deletes every workload, Secret and claim behind it.",
    example: "- apiVersion: argoproj.io/v1alpha1\n- kind: Application\n-   metadata: {name: payments, finalizers: [resources-finalizer.argocd.argoproj.io]}",
    safer: "Remove the finalizer (or set `prune: false`, ApplicationSet `preserveResourcesOnDeletion: true`, HelmRelease `suspend: true`) in one reviewed change, then delete the owner in the next.",
};

pub const MANAGED_RESOURCE_DELETED: Rule = Rule {
    id: RuleId("kubernetes/managed-resource-deleted"),
    severity: Severity::Critical,
    tags: &[Tag::Destructive, Tag::Infra],
    summary: "A resource outside the cluster that is managed from Kubernetes (a Crossplane managed resource or claim, ACK, Config Connector, Azure Service Operator, a Strimzi KafkaTopic) is removed from the manifests, or a Crossplane Composition stops composing one.",
    why: "These controllers delete the real resource when its Kubernetes object is deleted, unless a policy says otherwise: Crossplane, ACK, Config Connector and Azure Service Operator delete the cloud database, bucket or cluster (an Azure ResourceGroup takes every resource in it), a Crossplane claim takes every managed resource its Composition created, and Strimzi's Topic Operator deletes the Kafka topic and its messages.",
    example: "- apiVersion: rds.aws.upbound.io/v1beta1\n- kind: Instance\n-   metadata: {name: orders-db}",
    safer: "First keep the resource in its own reviewed change: `deletionPolicy: Orphan` or management policies without `Delete` (Crossplane), `services.k8s.aws/deletion-policy: retain` (ACK), `cnrm.cloud.google.com/deletion-policy: abandon` (Config Connector), `serviceoperator.azure.com/reconcile-policy: detach-on-delete` (Azure Service Operator), `strimzi.io/managed: \"false\"` (Strimzi).",
};

pub const UNPARSEABLE: Rule = Rule {
    id: RuleId("kubernetes/unparseable"),
    severity: Severity::High,
    tags: &[Tag::Infra],
    summary: "A Kubernetes manifest could not be parsed as YAML.",
    why: "twokey fails closed: it cannot tell which objects a manifest it cannot read deletes, so a human must review it.",
    example: "metadata:\n  name: {{ .Values.name }   # a template, or broken YAML",
    safer: "Keep plain manifests valid YAML; render templates (helm template, kustomize build) and review the rendered output.",
};

pub const RULES: &[&Rule] = &[
    &OBJECT_DELETED,
    &NAMESPACE_DELETED,
    &CRD_DELETED,
    &VOLUME_DELETED,
    &RENAMED,
    &RECLAIM_POLICY_DELETE,
    &CASCADE_OWNER_DELETED,
    &MANAGED_RESOURCE_DELETED,
    &retention::RETENTION_SHORTENED,
    &backups::BACKUPS_STOPPED,
    &UNPARSEABLE,
];

/// What makes two manifests describe the same cluster object. The API version is left out
/// on purpose: `apps/v1beta2` to `apps/v1` is the same Deployment.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub(crate) struct ObjectId {
    group: String,
    kind: String,
    namespace: String,
    name: String,
}

/// Names first: objects of one manifest mostly share their group, kind and namespace, so
/// comparing those first would spend every comparison on equal strings.
impl Ord for ObjectId {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        (&self.name, &self.namespace, &self.kind, &self.group).cmp(&(
            &other.name,
            &other.namespace,
            &other.kind,
            &other.group,
        ))
    }
}

impl PartialOrd for ObjectId {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

impl ObjectId {
    fn is(&self, group: &str, kind: &str) -> bool {
        self.group == group && self.kind == kind
    }
    /// `namespace/Kind/name`, or `Kind/name` for a cluster-scoped object: what `allow[].objects`
    /// patterns match.
    fn subject(&self) -> String {
        if self.namespace.is_empty() {
            format!("{}/{}", self.kind, self.name)
        } else {
            format!("{}/{}/{}", self.namespace, self.kind, self.name)
        }
    }
    /// Same group, kind and name, whatever the namespace.
    fn same_but_namespace(&self, other: &ObjectId) -> bool {
        self.group == other.group && self.kind == other.kind && self.name == other.name
    }
}

impl fmt::Display for ObjectId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.namespace.is_empty() {
            write!(f, "{} {}", self.kind, self.name)
        } else {
            write!(f, "{} {}/{}", self.kind, self.namespace, self.name)
        }
    }
}

/// The objects of one side, first declaration winning (a duplicate is a mistake the API
/// server rejects, not a second object).
type Objects<'a> = BTreeMap<ObjectId, &'a Node>;

/// Hands every object `node` declares to `out`, duplicates included.
fn collect<'a>(node: &'a Node, out: &mut impl FnMut(ObjectId, &'a Node)) {
    let Some(kind) = node.get("kind").and_then(Node::as_str) else {
        return;
    };
    let api_version = node.get("apiVersion").and_then(Node::as_str).unwrap_or("");
    let name = node.path(&["metadata", "name"]).and_then(Node::as_str);
    if kind.ends_with("List") && name.is_none() {
        if let Some(items) = node.get("items") {
            for item in items.as_seq() {
                collect(item, out);
            }
            return;
        }
    }
    let group = match template::built_in_group(api_version, kind) {
        Some(group) => group,
        None => current_group(api_version.rsplit_once('/').map_or("", |(g, _)| g), kind),
    };
    // An object without a usable name (templated, generateName) has no identity to track.
    let Some(name) = name.filter(|n| !n.is_empty()) else {
        return;
    };
    if tool_config::is_tool_config(api_version) {
        return;
    }
    // The API server ignores a namespace on a cluster-scoped object, so writing one (or
    // dropping it) does not change which object the manifest declares.
    let namespace = if cluster_scoped(group, kind) {
        ""
    } else {
        // Helm puts an object that names no namespace in the release's, so a chart template
        // spelling that out names the same object.
        node.path(&["metadata", "namespace"])
            .and_then(Node::as_str)
            .filter(|ns| !template::is_release_namespace(ns))
            .unwrap_or("")
    };
    let id = ObjectId {
        group: group.to_owned(),
        kind: kind.to_owned(),
        namespace: namespace.to_owned(),
        name: name.to_owned(),
    };
    out(id, node);
}

/// The group a built-in kind is served from today, for the kinds that moved out of
/// `extensions`: the API server stored them once and served them under both groups, so
/// upgrading `extensions/v1beta1` to `networking.k8s.io/v1` or `apps/v1` updates the same
/// object rather than deleting one and creating another.
fn current_group<'a>(group: &'a str, kind: &str) -> &'a str {
    match (group, kind) {
        ("extensions", "Ingress" | "NetworkPolicy") => "networking.k8s.io",
        ("extensions", "Deployment" | "DaemonSet" | "ReplicaSet") => "apps",
        ("extensions", "PodSecurityPolicy") => "policy",
        _ => group,
    }
}

/// Built-in kinds (and the common add-ons') that live outside any namespace. A `match`
/// rather than a table scan: it runs for every object of every manifest in the change.
fn cluster_scoped(group: &str, kind: &str) -> bool {
    matches!(
        (group, kind),
        ("", "Namespace" | "Node" | "PersistentVolume")
            | (
                "rbac.authorization.k8s.io",
                "ClusterRole" | "ClusterRoleBinding"
            )
            | ("apiextensions.k8s.io", "CustomResourceDefinition")
            | (
                "storage.k8s.io",
                "StorageClass" | "CSIDriver" | "VolumeAttachment"
            )
            | ("networking.k8s.io", "IngressClass")
            | ("scheduling.k8s.io", "PriorityClass")
            | (
                "admissionregistration.k8s.io",
                "ValidatingWebhookConfiguration"
                    | "MutatingWebhookConfiguration"
                    | "ValidatingAdmissionPolicy"
                    | "ValidatingAdmissionPolicyBinding"
            )
            | ("apiregistration.k8s.io", "APIService")
            | ("node.k8s.io", "RuntimeClass")
            | ("cert-manager.io", "ClusterIssuer")
    )
}

fn objects(docs: &[Node]) -> Objects<'_> {
    let mut out = Objects::new();
    for doc in docs {
        collect(doc, &mut |id, node| {
            out.entry(id).or_insert(node);
        });
    }
    out
}

/// Every declaration of every object, in file order: a chart template may declare one
/// object in each branch of an `if`, and only all of them together say when it renders.
fn declarations(docs: &[Node]) -> Vec<(ObjectId, &Node)> {
    let mut out = Vec::new();
    for doc in docs {
        collect(doc, &mut |id, node| out.push((id, node)));
    }
    out
}

/// One side's documents: `Some(empty)` when the side does not exist, `None` when it exists
/// but cannot be compared (unreadable, which the files analyzer reports, or unparseable).
fn side_documents(
    view: &FileView,
    side: Side,
    findings: &mut Vec<Finding>,
) -> Option<Arc<Vec<Node>>> {
    let (content, path) = match side {
        Side::Base => (view.old, &view.change.old_path),
        Side::Head => (view.new, &view.change.new_path),
    };
    let Some(path) = path else {
        return Some(Arc::default());
    };
    let text = content.text()?;
    match parsed(view, side, path, text) {
        Ok(docs) => Some(docs),
        Err(e) => {
            // Helm and Kustomize sources are often templates that are not YAML until
            // rendered; only a file classified as a plain manifest must parse.
            if view.kind == FileKind::Kubernetes {
                let failure = Unparseable {
                    side,
                    line: Some(e.line.max(1)),
                    reason: e.message,
                };
                findings.push(unparseable_finding(&UNPARSEABLE, view, &failure));
            }
            None
        }
    }
}

/// One side of one manifest, parsed: kept in the run's memo, since a manifest is read for its
/// own review and as a sibling of the others in its directory, in whichever order comes first.
pub(crate) type Parsed = Result<Arc<Vec<Node>>, yaml::YamlError>;

fn parsed(view: &FileView, side: Side, path: &RepoPath, text: &str) -> Parsed {
    let key = (side, path.clone());
    view.memo
        .kubernetes_docs
        .get_or_load(&key, || template::documents(path, text).map(Arc::new))
}

/// A manifest at head that is not the file under review, from the memo or the snapshot.
fn head_documents(view: &FileView, path: &RepoPath) -> Parsed {
    let key = (Side::Head, path.clone());
    view.memo.kubernetes_docs.get_or_load(&key, || {
        match view.snapshot.read(Side::Head, path).text() {
            Some(text) => template::documents(path, text).map(Arc::new),
            None => Err(yaml::YamlError::not_text()),
        }
    })
}

/// Whether the file is a chart template Helm renders into objects, compared object by object
/// like a manifest. A chart's `Chart.yaml` and values files decide what renders and have
/// their own checks in [`packaging`]; partials (`_helpers.tpl`) render nowhere by themselves.
pub(crate) fn is_object_template(view: &FileView) -> bool {
    view.kind == FileKind::Helm
        && !packaging::is_chart_file(view)
        && !packaging::is_values_file(view)
        && template::renders_manifests(view.path())
}

/// Whether `{{ }}` in this file's values are Helm template actions rather than literal text
/// (an ApplicationSet's own templates in a plain manifest).
/// Whether `path` is a chart's `NOTES.txt`, which Helm prints after an install and never
/// applies.
pub(crate) fn is_chart_notes(path: &RepoPath) -> bool {
    template::is_chart_template(path) && path.file_name().eq_ignore_ascii_case("NOTES.txt")
}

fn renders_templates(view: &FileView) -> bool {
    view.kind == FileKind::Helm && template::is_chart_template(view.path())
}

/// Whether `value` holds a template action that this file renders: what it renders to is
/// unknown.
fn templated(view: &FileView, value: &str) -> bool {
    renders_templates(view) && template::is_templated(value)
}

/// How a setting compares across the change: by template text in a chart template, by
/// value elsewhere.
fn compared(view: &FileView, old: &Node, new: &Node) -> template::Comparison {
    if renders_templates(view) {
        template::compare(old, new)
    } else if old.same_value(new) {
        template::Comparison::Same
    } else {
        template::Comparison::Differs
    }
}

/// Whether every side the template has reads as YAML, so that the object comparison speaks
/// for it.
pub(crate) fn template_compared(view: &FileView) -> bool {
    is_object_template(view)
        && [Side::Base, Side::Head]
            .into_iter()
            .all(|side| side_documents(view, side, &mut Vec::new()).is_some())
}

/// Whether the objects of a deleted chart template are each reported by the comparison, so a
/// whole-file finding would only repeat them: its base reads as YAML, every document in it
/// names an object, and no action-only line renders documents twokey cannot see (a top-level
/// `{{ include "common.pvc" . }}`, blanked like the rest).
pub(crate) fn deleted_template_compared(view: &FileView) -> bool {
    if !is_object_template(view) || view.old_text().is_none_or(template::injects_documents) {
        return false;
    }
    side_documents(view, Side::Base, &mut Vec::new()).is_some_and(|docs| {
        docs.iter().all(|doc| {
            let mut named = doc.is_null();
            collect(doc, &mut |_, _| named = true);
            named
        })
    })
}

/// For a removal or rename reported from a chart template: which parts of the object's
/// identity are templates, since twokey does not know what they render to.
fn templated_identity_note(id: &ObjectId, renamed_to: Option<&ObjectId>) -> Option<String> {
    let name = template::is_templated(&id.name);
    let namespace = template::is_templated(&id.namespace);
    let what = match (name, namespace) {
        (true, true) => "Its name and namespace are templates",
        (true, false) => "Its name is a template",
        (false, true) => "Its namespace is a template",
        (false, false) => return None,
    };
    let same = match renamed_to {
        Some(_) => " (if the old and the new text render the same, nothing is recreated)",
        None => "",
    };
    Some(format!(
        " {what} that twokey does not render, so what it renders to, and so which object goes, is unknown{same}; compare `helm template` output before and after."
    ))
}

pub fn analyze(view: &FileView) -> Vec<Finding> {
    let mut findings = Vec::new();
    let base_docs = side_documents(view, Side::Base, &mut findings);
    let head_docs = side_documents(view, Side::Head, &mut findings);
    let (Some(base_docs), Some(head_docs)) = (base_docs, head_docs) else {
        return findings;
    };
    findings.extend(pod_commands::analyze(view, &base_docs, &head_docs));
    let base = objects(&base_docs);
    let head = objects(&head_docs);

    let mut removed: Vec<(&ObjectId, &Node)> = base
        .iter()
        .filter(|(id, _)| !head.contains_key(*id))
        .map(|(id, node)| (id, *node))
        .collect();
    if !removed.is_empty() {
        let moved = declared_in_siblings(view);
        removed.retain(|(id, _)| !moved(id));
    }
    if !removed.is_empty() && patches::is_patch_file(view, Side::Base) {
        // The patch stops editing the object; the object itself is declared elsewhere.
        removed.clear();
    }
    // Report in file order, as a reviewer reads the diff.
    removed.sort_by_key(|(_, node)| node.line);

    let mut added: Vec<(&ObjectId, &Node)> = head
        .iter()
        .filter(|(id, _)| !base.contains_key(*id))
        .map(|(id, node)| (id, *node))
        .collect();
    added.sort_by_key(|(_, node)| node.line);
    let mut renamed_to: BTreeSet<&ObjectId> = BTreeSet::new();

    for (id, node) in removed {
        let rename = added
            .iter()
            .find(|(new_id, new_node)| {
                !renamed_to.contains(new_id)
                    && new_id.group == id.group
                    && new_id.kind == id.kind
                    && new_id.namespace == id.namespace
                    && same_body(node, new_node)
            })
            .map(|(new_id, _)| *new_id);
        if let Some(new_id) = rename {
            renamed_to.insert(new_id);
        }
        let moved_namespace = added
            .iter()
            .find(|(new_id, _)| new_id.same_but_namespace(id))
            .map(|(new_id, _)| new_id.namespace.as_str());
        let mut finding =
            removal_finding(view, id, node, rename, moved_namespace).with_subject(id.subject());
        if renders_templates(view) {
            if let Some(note) = templated_identity_note(id, rename) {
                finding.message.push_str(&note);
            }
        }
        // Spelling out a namespace an object had implicitly (or dropping one) moves it only
        // if it was applied somewhere else: `kubectl -n`, an Argo CD destination.
        if rename.is_none()
            && moved_namespace.is_some_and(|new| new.is_empty() != id.namespace.is_empty())
        {
            let severity = finding.severity.min(Severity::Medium);
            finding = finding.with_severity(severity);
            finding.message.push_str(" The namespace was implicit on one side: if the object is applied to that same namespace, nothing moves; check where it is deployed.");
        }
        if rename.is_none() && finding.severity >= Severity::High {
            if let Some(other) = declared_in_change(view, id) {
                let severity = finding.severity.lowered();
                finding = finding.with_severity(severity);
                finding.message.push_str(&format!(
                    " It is declared again at head in {other}, in another directory: if one tool applies both (the same kustomization, Argo CD application or Flux Kustomization), the object only moves; if they are applied separately, the old one deletes it before the new one creates it again."
                ));
            }
        }
        if let Some(mark) = prune_protection(node) {
            // Still reported: the object is left running unmanaged, and `kubectl apply
            // --prune` ignores these annotations.
            finding = finding.with_severity(Severity::Low);
            finding.message.push_str(&format!(
                " Its base declares `{mark}`, so Argo CD, Flux or Helm leave it in the cluster, unmanaged, instead of deleting it."
            ));
        }
        if let Some(hook) = helm_hook(node).filter(|_| renders_templates(view)) {
            // Helm leaves hook resources out of the release: an upgrade without one deletes
            // nothing. Kept as a low note, since a copy may linger in the cluster.
            finding = without_destructive(finding.with_severity(Severity::Low));
            finding.message.push_str(&format!(
                " It is a Helm hook (`helm.sh/hook: {hook}`): Helm does not track hook resources in the release, so removing it from the chart deletes nothing; a copy still in the cluster stays until deleted by hand."
            ));
        }
        findings.push(finding);
    }

    findings.extend(patched_away(view, &base, &head));
    findings.extend(reclaim_policies(view, &base, &head));
    findings.extend(settings::compare(view, &base, &head));
    findings
}

/// Objects a strategic-merge patch newly marks `$patch: delete`: the build drops them, so a
/// pruning sync deletes them as surely as removing their manifest would.
fn patched_away(view: &FileView, base: &Objects, head: &Objects) -> Vec<Finding> {
    let path = view.path_on(Side::Head);
    head.iter()
        .filter(|(id, _)| {
            base.get(*id)
                .and_then(|b| patches::deletion_mark(b))
                .is_none()
        })
        .filter_map(|(id, node)| {
            let mark = patches::deletion_mark(node)?;
            let how = format!("is deleted by the `$patch: delete` added to {path}");
            let at = view.at(Side::Head, mark.line, mark.line);
            Some(departure_finding(id, node, at, &how, false, None).with_subject(id.subject()))
        })
        .collect()
}

/// The `helm.sh/hook` annotation's value, when the object is a Helm hook.
fn helm_hook(node: &Node) -> Option<&str> {
    node.path(&["metadata", "annotations", "helm.sh/hook"])
        .and_then(Node::as_str)
}

/// The annotation that keeps a GitOps tool from deleting the object when its manifest goes.
fn prune_protection(node: &Node) -> Option<String> {
    let annotations = node.path(&["metadata", "annotations"])?;
    let value = |key: &str| annotations.get(key).and_then(Node::as_str);
    if let Some(options) = value("argocd.argoproj.io/sync-options") {
        if options.split(',').any(|o| o.trim() == "Prune=false") {
            return Some(format!("argocd.argoproj.io/sync-options: {options}"));
        }
    }
    [
        ("kustomize.toolkit.fluxcd.io/prune", "disabled"),
        ("helm.sh/resource-policy", "keep"),
    ]
    .into_iter()
    .find(|(key, keep)| value(key) == Some(keep))
    .map(|(key, keep)| format!("{key}: {keep}"))
}

/// Objects declared at head in the other manifests of the directories this file lives in:
/// an object found there was moved, not deleted. Read only when something was removed.
fn declared_in_siblings(view: &FileView) -> impl Fn(&ObjectId) -> bool {
    let own = view.change.new_path.clone();
    let mut dirs: Vec<&str> = [&view.change.old_path, &view.change.new_path]
        .into_iter()
        .flatten()
        .map(RepoPath::dir)
        .collect();
    dirs.dedup();
    let indexes: Vec<Arc<SiblingIndex>> = dirs
        .into_iter()
        .map(|dir| {
            view.memo
                .kubernetes_dirs
                .get_or_load(&dir.to_owned(), || Arc::new(SiblingIndex::load(view, dir)))
        })
        .collect();
    move |id| {
        indexes
            .iter()
            .any(|index| index.declared_elsewhere_in_dir(id, own.as_ref()))
    }
}

/// Another manifest the change touches, outside the reviewed file's directories, that declares
/// the object at head. Asked only for removals that rank high: it reads every manifest of the
/// change once.
fn declared_in_change(view: &FileView, id: &ObjectId) -> Option<RepoPath> {
    let index = view
        .memo
        .kubernetes_change
        .get_or_init(|| Arc::new(ChangeIndex::load(view)));
    let own_dirs: Vec<&str> = [&view.change.old_path, &view.change.new_path]
        .into_iter()
        .flatten()
        .map(RepoPath::dir)
        .collect();
    index
        .by_id
        .get(id)?
        .iter()
        .map(|&i| &index.paths[i])
        .find(|path| !own_dirs.contains(&path.dir()))
        .cloned()
}

/// The objects declared at head by the manifests a change touches, each with the manifests
/// declaring it: an object removed from one directory may have moved to another.
pub(crate) struct ChangeIndex {
    paths: Vec<RepoPath>,
    by_id: std::collections::HashMap<ObjectId, Vec<usize>>,
}

impl ChangeIndex {
    fn load(view: &FileView) -> ChangeIndex {
        let mut index = ChangeIndex {
            paths: Vec::new(),
            by_id: std::collections::HashMap::new(),
        };
        // Path order: which manifest a message names must not depend on the worker.
        let mut touched: Vec<&RepoPath> = view
            .memo
            .changed_paths()
            .filter(|path| matches!(path.extension().as_deref(), Some("yaml" | "yml" | "json")))
            .filter(|path| !template::is_chart_template(path) || template::renders_manifests(path))
            .collect();
        touched.sort();
        for path in touched {
            let Ok(docs) = head_documents(view, path) else {
                continue;
            };
            let at = index.paths.len();
            index.paths.push(path.clone());
            for id in objects(&docs).into_keys() {
                index.by_id.entry(id).or_default().push(at);
            }
        }
        index
    }
}

/// Where each object of one directory is declared at head, among the manifests worth
/// reading: built once per directory, so a directory of many changed manifests is not
/// re-collected for each of them.
pub(crate) struct SiblingIndex {
    paths: Vec<RepoPath>,
    /// The first manifest declaring the object, and whether another one declares it too.
    by_id: std::collections::HashMap<ObjectId, (usize, bool)>,
}

impl SiblingIndex {
    fn load(view: &FileView, dir: &str) -> SiblingIndex {
        let mut index = SiblingIndex {
            paths: Vec::new(),
            by_id: std::collections::HashMap::new(),
        };
        let listed = view.snapshot.list_dir(Side::Head, dir).into_iter();
        for path in listed
            .filter(|path| matches!(path.extension().as_deref(), Some("yaml" | "yml" | "json")))
            // A chart's partials render only where they are included.
            .filter(|path| !template::is_chart_template(path) || template::renders_manifests(path))
            .filter(|path| view.memo.worth_reading(path))
        {
            // Not YAML (a template): it declares nothing twokey can see.
            let Ok(docs) = head_documents(view, &path) else {
                continue;
            };
            let at = index.paths.len();
            index.paths.push(path);
            for id in objects(&docs).into_keys() {
                index
                    .by_id
                    .entry(id)
                    .and_modify(|(first, more)| *more |= *first != at)
                    .or_insert((at, false));
            }
        }
        index
    }

    /// Whether a manifest other than `own` declares the object.
    fn declared_elsewhere_in_dir(&self, id: &ObjectId, own: Option<&RepoPath>) -> bool {
        self.by_id
            .get(id)
            .is_some_and(|(first, more)| *more || Some(&self.paths[*first]) != own)
    }
}

/// Whether two objects declare the same thing apart from their metadata: a rename.
fn same_body(a: &Node, b: &Node) -> bool {
    // Borrowed: every removed object is compared with every added one.
    fn body(n: &Node) -> Vec<(&String, &Node)> {
        n.as_map()
            .iter()
            .filter(|(k, _)| !matches!(k.as_str(), "metadata" | "status" | "apiVersion"))
            .map(|(k, v)| (k, v))
            .collect()
    }
    let (a, b) = (body(a), body(b));
    a.len() == b.len()
        && a.iter()
            .all(|(k, v)| b.iter().any(|(k2, v2)| k == k2 && v.same_value(v2)))
}

/// Kinds whose loss is cheap to undo by re-applying: configuration and routing objects that
/// hold no state. Everything else, custom resources included, may be an operator's handle on
/// real infrastructure and stays High.
const RECREATABLE: &[(&str, &str)] = &[
    ("", "ConfigMap"),
    ("", "ServiceAccount"),
    ("", "LimitRange"),
    ("", "ResourceQuota"),
    ("rbac.authorization.k8s.io", "Role"),
    ("rbac.authorization.k8s.io", "RoleBinding"),
    ("rbac.authorization.k8s.io", "ClusterRole"),
    ("rbac.authorization.k8s.io", "ClusterRoleBinding"),
    ("networking.k8s.io", "NetworkPolicy"),
    ("policy", "PodDisruptionBudget"),
    ("autoscaling", "HorizontalPodAutoscaler"),
];

/// Objects that run once and are done: removing a finished Job or a bare Pod from the
/// manifests is housekeeping.
const RUN_ONCE: &[(&str, &str)] = &[("batch", "Job"), ("", "Pod")];

fn without_destructive(mut finding: Finding) -> Finding {
    finding.tags.retain(|t| *t != Tag::Destructive);
    finding
}

fn deletion_severity(id: &ObjectId, node: &Node) -> Severity {
    if RUN_ONCE.iter().any(|(g, k)| id.is(g, k)) {
        return Severity::Low;
    }
    if id.is("", "Service") {
        // A LoadBalancer Service owns a cloud load balancer and its address, which a new
        // Service does not get back.
        let lb = node.path(&["spec", "type"]).and_then(Node::as_str) == Some("LoadBalancer");
        return if lb { Severity::High } else { Severity::Medium };
    }
    if RECREATABLE.iter().any(|(g, k)| id.is(g, k)) {
        Severity::Medium
    } else {
        OBJECT_DELETED.severity
    }
}

fn removal_finding(
    view: &FileView,
    id: &ObjectId,
    node: &Node,
    renamed_to: Option<&ObjectId>,
    moved_namespace: Option<&str>,
) -> Finding {
    let location = view.at(Side::Base, node.line, node.end_line);
    let path = view.path_on(Side::Base);
    let how = match (renamed_to, moved_namespace) {
        (Some(new), _) => format!("is renamed to {} in {path}", new.name),
        (None, Some("")) => format!("loses its namespace in {path}"),
        (None, Some(ns)) => format!("moves to namespace {ns} in {path}"),
        (None, None) => format!("is removed from {path}"),
    };
    let recreated = renamed_to.is_some() || moved_namespace.is_some();
    departure_finding(id, node, location, &how, recreated, renamed_to)
}

/// The finding for an object leaving the cluster, `how` it leaves told as a predicate
/// ("is removed from deploy/web.yaml"), ranked by what its deletion takes with it.
fn departure_finding(
    id: &ObjectId,
    node: &Node,
    location: crate::finding::Location,
    how: &str,
    recreated: bool,
    renamed_to: Option<&ObjectId>,
) -> Finding {
    let recreated = if recreated {
        " (Kubernetes deletes the old object and creates a new one)"
    } else {
        ""
    };

    if let Some((rule, consequence)) = cascading_loss(id, node) {
        let finding = Finding::new(
            rule,
            location,
            format!("{id} {how}{recreated}: {consequence}."),
        );
        if data_operators::data_kind(id).is_some() {
            return finding.with_safer(DATA_CLUSTER_SAFER);
        }
        return finding;
    }
    if let Some(left) = orphaned_on_delete(id, node) {
        // The owner goes, what it deployed stays: nothing is destroyed, so the finding does
        // not claim the destructive tag either.
        return without_destructive(
            Finding::new(
                &OBJECT_DELETED,
                location,
                format!("{id} {how}{recreated}: {left}, so what it deployed keeps running, no longer managed; delete those objects by hand if they are meant to go."),
            )
            .with_severity(Severity::Low),
        );
    }
    if let Some(kept) = managed::external(id, node).and_then(|e| e.kept_by) {
        // Nothing is destroyed: the resource outlives its object, so the finding does not
        // claim the destructive tag (and its tier) either.
        return without_destructive(
            Finding::new(
                &OBJECT_DELETED,
                location,
                format!("{id} {how}{recreated}: with `{kept}` what it manages outside the cluster is left running, no longer managed."),
            )
            .with_severity(Severity::Low),
        );
    }
    let severity = deletion_severity(id, node);
    if let Some(new) = renamed_to {
        return Finding::new(
            &RENAMED,
            location,
            format!("{id} {how}: Kubernetes has no rename, so syncing deletes {} and creates {}, and anything referring to the old name breaks.", id.name, new.name),
        )
        .with_severity(severity)
        .with_safer(format!(
            "Add {} alongside {}, move references to it, and remove {} in a later change.",
            new.name, id.name, id.name
        ));
    }
    let finding = Finding::new(
        &OBJECT_DELETED,
        location,
        format!(
            "{id} {how}{recreated}: a sync with pruning deletes it from the cluster{}.",
            backups_lost(id).unwrap_or("")
        ),
    )
    .with_severity(severity);
    if RUN_ONCE.iter().any(|(g, k)| id.is(g, k)) && recreated.is_empty() {
        without_destructive(finding)
    } else {
        finding
    }
}

/// The safer way for a stateful operator's cluster: the claims are the operator's, so the
/// volume advice of [`VOLUME_DELETED`] does not reach them.
const DATA_CLUSTER_SAFER: &str = "Back the cluster up first (its operator's backup resource, or a snapshot of every claim) and keep the object in this change; if it must go, make its claims outlive it in a change of its own (drop a Percona `delete-…-pvc` finalizer, ECK `volumeClaimDeletePolicy: DeleteOnScaledownOnly`, Strimzi `deleteClaim: false`, Altinity `reclaimPolicy: Retain`, Redis `keepAfterDeletion: true`). To rename it, create the new cluster beside the old one, move the data, and delete the old one later.";

/// What deleting the object takes with it beyond itself, for the kinds whose deletion
/// cascades or erases data (the critical ones): the rule a removal is reported under, and
/// the consequence as a clause. `None` for an object whose loss ends with itself.
fn cascading_loss(id: &ObjectId, node: &Node) -> Option<(&'static Rule, String)> {
    if id.is("", "Namespace") {
        return Some((&NAMESPACE_DELETED, "deleting a namespace deletes every object in it, including Secrets and PersistentVolumeClaims no manifest declares".to_owned()));
    }
    if id.is("apiextensions.k8s.io", "CustomResourceDefinition") {
        let kind = node.path(&["spec", "names", "kind"]).and_then(Node::as_str);
        let group = node.path(&["spec", "group"]).and_then(Node::as_str);
        let what = match (kind, group) {
            (Some(k), Some(g)) => format!("every {k} ({g}) resource"),
            (Some(k), None) => format!("every {k} resource"),
            _ => "every resource of its type".to_owned(),
        };
        return Some((
            &CRD_DELETED,
            format!("deleting it deletes {what} in every namespace"),
        ));
    }
    if let Some(consequence) = cascade(id, node) {
        return Some((&CASCADE_OWNER_DELETED, consequence));
    }
    if let Some(external) = managed::external(id, node).filter(|e| e.kept_by.is_none()) {
        return Some((&MANAGED_RESOURCE_DELETED, external.deletes.to_owned()));
    }
    volume_consequence(id, node).map(|consequence| (&VOLUME_DELETED, consequence))
}

/// What deleting a GitOps owner deletes with it, or `None` when it is not one that cascades.
fn cascade(id: &ObjectId, node: &Node) -> Option<String> {
    let flag = |path: &[&str]| node.path(path).and_then(Node::as_str) == Some("true");
    if id.is("argoproj.io", "Application") {
        let finalizers = node
            .path(&["metadata", "finalizers"])
            .map(Node::as_seq)
            .unwrap_or(&[]);
        let cascading = finalizers
            .iter()
            .filter_map(Node::as_str)
            .any(|f| f.starts_with("resources-finalizer.argocd.argoproj.io"));
        return cascading.then(|| "its `resources-finalizer.argocd.argoproj.io` finalizer makes Argo CD delete every object the application deployed".to_owned());
    }
    if id.is("argoproj.io", "ApplicationSet") {
        let preserved = flag(&["spec", "syncPolicy", "preserveResourcesOnDeletion"]);
        return (!preserved).then(|| "deleting an ApplicationSet deletes the Applications it generated and, through their finalizers, what they deployed".to_owned());
    }
    if id.is("kustomize.toolkit.fluxcd.io", "Kustomization") {
        return flag(&["spec", "prune"]).then(|| {
            "with `prune: true` Flux deletes every object this Kustomization applied".to_owned()
        });
    }
    if id.is("helm.toolkit.fluxcd.io", "HelmRelease") {
        return Some(
            "Flux uninstalls the Helm release, deleting every object of the chart".to_owned(),
        );
    }
    None
}

/// For a GitOps owner whose deletion does not cascade (see [`cascade`]), why it leaves what
/// it deployed in place.
fn orphaned_on_delete(id: &ObjectId, node: &Node) -> Option<&'static str> {
    if cascade(id, node).is_some() {
        return None;
    }
    if id.is("argoproj.io", "Application") {
        Some("without the `resources-finalizer.argocd.argoproj.io` finalizer Argo CD deletes only the Application")
    } else if id.is("argoproj.io", "ApplicationSet") {
        Some("with `preserveResourcesOnDeletion: true` Argo CD deletes the generated Applications but not their resources")
    } else if id.is("kustomize.toolkit.fluxcd.io", "Kustomization") {
        Some("without `prune: true` Flux deletes only the Kustomization")
    } else {
        None
    }
}

/// What deleting a Velero object does to the backups, as a clause to the deletion: the data
/// already in object storage stays (deleting these objects never deletes it), but no new
/// backup is taken or written there.
fn backups_lost(id: &ObjectId) -> Option<&'static str> {
    if id.is("velero.io", "Schedule") {
        Some(", and Velero takes no more backups on this schedule (those already taken stay until their ttl), so nothing it covered can be restored to a later point")
    } else if id.is("velero.io", "BackupStorageLocation") {
        Some(", and Velero can no longer write backups to this location or restore from it; schedules that use it start failing")
    } else {
        None
    }
}

/// What deleting a stateful object does to its data, or `None` when it holds none.
fn volume_consequence(id: &ObjectId, node: &Node) -> Option<String> {
    if let Some(deleted) = databases::claims_deleted(id, node) {
        return Some(deleted.consequence);
    }
    if let Some(orphaned) = databases::claims_orphaned(id) {
        return Some(orphaned);
    }
    if id.is("", "PersistentVolumeClaim") {
        return Some("deleting the claim releases its volume, and under the usual Delete reclaim policy the disk and its data are erased".to_owned());
    }
    if id.is("", "PersistentVolume") {
        let policy = node
            .path(&["spec", "persistentVolumeReclaimPolicy"])
            .and_then(Node::as_str);
        return Some(match policy {
            Some("Delete") => {
                "its reclaim policy is Delete, so the backing disk and its data are erased"
                    .to_owned()
            }
            _ => "the volume and the data on it are no longer managed and any claim on it breaks"
                .to_owned(),
        });
    }
    if id.is("apps", "StatefulSet") {
        let when_deleted = node
            .path(&[
                "spec",
                "persistentVolumeClaimRetentionPolicy",
                "whenDeleted",
            ])
            .and_then(Node::as_str);
        return Some(match when_deleted {
            Some("Delete") => "its pods stop and, with whenDeleted: Delete, its PersistentVolumeClaims and their data are deleted too".to_owned(),
            _ => "its pods stop and its PersistentVolumeClaims are orphaned; a later clean-up of them erases the data".to_owned(),
        });
    }
    None
}

/// PersistentVolumes that now erase their disk on release, and StorageClasses switched from
/// Retain to Delete. In a chart template, a policy written literally `Delete` at head is
/// known, so it is reported even when the base policy was a template that may have rendered
/// Delete as well.
fn reclaim_policies(view: &FileView, base: &Objects, head: &Objects) -> Vec<Finding> {
    let templates = renders_templates(view);
    let mut findings = Vec::new();
    for (id, node) in head {
        const ERASES_DISK: &str = "releasing its claim erases the disk and its data";
        const RECLAIM: &str = "reclaim policy";
        const DELETION: &str = "deletion policy";
        let (key, new_is_enough, noun, consequence) = if id.is("", "PersistentVolume") {
            (
                &["spec", "persistentVolumeReclaimPolicy"][..],
                true,
                RECLAIM,
                ERASES_DISK,
            )
        } else if id.is("storage.k8s.io", "StorageClass") {
            // A StorageClass defaults to Delete, so only an explicit Retain turned off counts.
            (&["reclaimPolicy"][..], false, RECLAIM, ERASES_DISK)
        } else if id.is("pingcap.com", "TidbCluster") {
            // The TiDB operator writes this policy onto the cluster's PersistentVolumes.
            (&["spec", "pvReclaimPolicy"][..], false, "`pvReclaimPolicy`", "the TiDB operator sets it on the cluster's PersistentVolumes, so a claim released by a scale-in or a clean-up erases the disk and its data")
        } else if id.is("snapshot.storage.k8s.io", "VolumeSnapshotClass") {
            // Required on both sides, so only Retain turned into Delete counts.
            (&["deletionPolicy"][..], false, DELETION, "deleting a VolumeSnapshot taken with it from now on deletes the snapshot in the storage backend, and the backup it holds")
        } else if id.is("snapshot.storage.k8s.io", "VolumeSnapshotContent") {
            (&["spec", "deletionPolicy"][..], false, DELETION, "deleting its VolumeSnapshot deletes the snapshot in the storage backend, and the backup it holds")
        } else {
            continue;
        };
        let Some(policy) = node.path(key).filter(|p| p.as_str() == Some("Delete")) else {
            continue;
        };
        let before = match base.get(id) {
            None if new_is_enough => "is new".to_owned(),
            None => continue,
            Some(old) => match old.path(key).and_then(Node::as_str) {
                Some("Delete") => continue,
                Some("Retain") => "had Retain".to_owned(),
                Some(policy) if templates && template::is_templated(policy) => format!(
                    "had its policy from the template `{policy}`, which twokey does not render,"
                ),
                _ if new_is_enough => {
                    "had no explicit policy (Retain for a static volume)".to_owned()
                }
                _ => continue,
            },
        };
        findings.push(
            Finding::new(
                &RECLAIM_POLICY_DELETE,
                view.at(Side::Head, policy.line, policy.end_line),
                format!("{id} {before} and now has {noun} Delete: {consequence}."),
            )
            .with_subject(id.subject()),
        );
    }
    findings
}

#[cfg(test)]
mod tests {
    use super::super::files::testkit::{ids, Case};
    use super::*;
    use proptest::prelude::*;

    fn run(case: Case) -> Vec<Finding> {
        case.run(analyze)
    }

    const APP: &str = "\
# the shop frontend
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  namespace: shop
spec:
  replicas: 2
  template:
    spec:
      containers:
        - name: web
          image: shop/web:1.4
---
apiVersion: v1
kind: ConfigMap
metadata:
  name: web-config
  namespace: shop
data:
  LOG_LEVEL: info
";

    fn deployment(name: &str, image: &str) -> String {
        format!("apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: {name}\n  namespace: shop\nspec:\n  template:\n    spec:\n      containers:\n        - image: {image}\n")
    }

    #[test]
    fn removing_a_deployment_from_a_multi_document_file_is_object_deleted_at_its_base_line() {
        let head = APP.split("---\n").nth(1).unwrap_or_default();
        let f = run(Case::modified("deploy/shop.yaml", APP, head));
        assert_eq!(ids(&f), ["kubernetes/object-deleted"]);
        assert_eq!(f[0].severity, Severity::High);
        assert_eq!(f[0].location.side, Side::Base);
        assert_eq!(
            (f[0].location.line, f[0].location.end_line),
            (Some(2), Some(13))
        );
        assert!(
            f[0].message
                .contains("Deployment shop/web is removed from deploy/shop.yaml"),
            "{}",
            f[0].message
        );
    }

    #[test]
    fn removing_an_object_protected_from_pruning_is_low_and_says_why() {
        let protected = |key: &str, value: &str| {
            format!("apiVersion: v1\nkind: Secret\nmetadata:\n  name: db-password\n  annotations:\n    {key}: {value}\n")
        };
        for (key, value) in [
            (
                "argocd.argoproj.io/sync-options",
                "\"ServerSideApply=true,Prune=false\"",
            ),
            ("kustomize.toolkit.fluxcd.io/prune", "disabled"),
            ("helm.sh/resource-policy", "keep"),
        ] {
            let f = run(Case::deleted("k8s/secret.yaml", &protected(key, value)));
            assert_eq!(ids(&f), ["kubernetes/object-deleted"], "{key}");
            assert_eq!(f[0].severity, Severity::Low, "{key}");
            assert!(f[0].message.contains(key), "{}", f[0].message);
        }
        let f = run(Case::deleted(
            "k8s/secret.yaml",
            &protected("argocd.argoproj.io/sync-options", "Replace=true"),
        ));
        assert_eq!(f[0].severity, Severity::High);
    }

    #[test]
    fn removing_a_configmap_is_medium() {
        let head = APP.split("---\n").next().unwrap_or_default();
        let f = run(Case::modified("deploy/shop.yaml", APP, head));
        assert_eq!(ids(&f), ["kubernetes/object-deleted"]);
        assert_eq!(f[0].severity, Severity::Medium);
        assert_eq!(f[0].location.line, Some(15));
    }

    #[test]
    fn removing_a_load_balancer_service_is_high_but_a_cluster_ip_one_is_medium() {
        let svc = |t: &str| {
            format!("apiVersion: v1\nkind: Service\nmetadata:\n  name: web\nspec:\n  type: {t}\n---\napiVersion: v1\nkind: Namespace\nmetadata:\n  name: keep\n")
        };
        let only_ns = "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: keep\n";
        let f = run(Case::modified(
            "k8s/svc.yaml",
            &svc("LoadBalancer"),
            only_ns,
        ));
        assert_eq!(
            (ids(&f), f[0].severity),
            (vec!["kubernetes/object-deleted"], Severity::High)
        );
        let f = run(Case::modified("k8s/svc.yaml", &svc("ClusterIP"), only_ns));
        assert_eq!(f[0].severity, Severity::Medium);
    }

    #[test]
    fn removing_a_velero_schedule_or_location_says_backups_stop() {
        let schedule = "apiVersion: velero.io/v1\nkind: Schedule\nmetadata:\n  name: daily\n  namespace: velero\nspec:\n  schedule: \"0 3 * * *\"\n";
        let location = "apiVersion: velero.io/v1\nkind: BackupStorageLocation\nmetadata:\n  name: default\n  namespace: velero\nspec:\n  provider: aws\n";
        let ns = "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: velero\n";
        for (object, says) in [(schedule, "no more backups"), (location, "restore from it")] {
            let f = run(Case::modified(
                "velero/backups.yaml",
                &format!("{object}---\n{ns}"),
                ns,
            ));
            assert_eq!(
                (ids(&f), f[0].severity),
                (vec!["kubernetes/object-deleted"], Severity::High)
            );
            assert!(f[0].message.contains(says), "{}", f[0].message);
        }
        // Another kind says nothing of backups.
        let f = run(Case::modified(
            "k8s/app.yaml",
            APP,
            &APP[..APP.find("---").unwrap_or(0)],
        ));
        assert!(!f[0].message.contains("backups"), "{}", f[0].message);
    }

    #[test]
    fn removing_a_namespace_is_critical_and_says_it_cascades() {
        let base = "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: payments\n---\napiVersion: v1\nkind: Namespace\nmetadata:\n  name: shop\n";
        let head = "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: shop\n";
        let f = run(Case::modified("cluster/namespaces.yaml", base, head));
        assert_eq!(ids(&f), ["kubernetes/namespace-deleted"]);
        assert_eq!(f[0].severity, Severity::Critical);
        assert!(
            f[0].message.contains("Namespace payments"),
            "{}",
            f[0].message
        );
        assert!(
            f[0].message.contains("every object in it"),
            "{}",
            f[0].message
        );
    }

    #[test]
    fn a_custom_resource_called_namespace_in_another_group_is_an_ordinary_object() {
        let base = "apiVersion: example.com/v1\nkind: Namespace\nmetadata:\n  name: x\n";
        let f = run(Case::deleted("k8s/x.yaml", base));
        assert_eq!(ids(&f), ["kubernetes/object-deleted"]);
    }

    const CRD: &str = "\
apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata:
  name: certificates.cert-manager.io
spec:
  group: cert-manager.io
  names:
    kind: Certificate
    plural: certificates
  scope: Namespaced
";

    #[test]
    fn removing_a_crd_is_critical_and_names_the_custom_kind() {
        let f = run(Case::deleted("crds/cert-manager.yaml", CRD));
        assert_eq!(ids(&f), ["kubernetes/crd-deleted"]);
        assert_eq!(f[0].severity, Severity::Critical);
        assert!(
            f[0].message
                .contains("every Certificate (cert-manager.io) resource"),
            "{}",
            f[0].message
        );
    }

    #[test]
    fn changing_a_crd_without_removing_it_is_quiet() {
        let f = run(Case::modified(
            "crds/cert-manager.yaml",
            CRD,
            &CRD.replace("Namespaced", "Cluster"),
        ));
        assert!(f.is_empty(), "{f:?}");
    }

    #[test]
    fn removing_a_claim_a_volume_or_a_statefulset_is_volume_deleted() {
        let keep = "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: db\n";
        let cases = [
            (
                "v1",
                "PersistentVolumeClaim",
                "spec:\n  resources:\n    requests:\n      storage: 10Gi\n",
                "releases its volume",
            ),
            (
                "v1",
                "PersistentVolume",
                "spec:\n  persistentVolumeReclaimPolicy: Delete\n",
                "reclaim policy is Delete",
            ),
            (
                "apps/v1",
                "StatefulSet",
                "spec:\n  persistentVolumeClaimRetentionPolicy:\n    whenDeleted: Delete\n",
                "whenDeleted: Delete",
            ),
            (
                "apps/v1",
                "StatefulSet",
                "spec:\n  replicas: 3\n",
                "orphaned",
            ),
        ];
        for (api, kind, spec, says) in cases {
            let base = format!("{keep}---\napiVersion: {api}\nkind: {kind}\nmetadata:\n  name: data\n  namespace: db\n{spec}");
            let f = run(Case::modified("k8s/db.yaml", &base, keep));
            assert_eq!(ids(&f), ["kubernetes/volume-deleted"], "{kind}");
            assert_eq!(f[0].severity, Severity::Critical);
            assert!(f[0].message.contains(says), "{kind}: {}", f[0].message);
            assert_eq!(f[0].location.line, Some(6), "{kind}");
        }
    }

    #[test]
    fn removing_a_database_operators_cluster_that_owns_its_claims_is_volume_deleted() {
        let cnpg = "apiVersion: postgresql.cnpg.io/v1\nkind: Cluster\nmetadata:\n  name: orders\n  namespace: shop\nspec:\n  instances: 3\n  storage:\n    size: 20Gi\n";
        let f = run(Case::deleted("db/orders.yaml", cnpg));
        assert_eq!(ids(&f), ["kubernetes/volume-deleted"]);
        assert_eq!(f[0].severity, Severity::Critical);
        assert!(f[0].message.contains("CloudNativePG"), "{}", f[0].message);
        // Strimzi keeps the brokers' claims unless told otherwise: the cluster still goes,
        // and its claims are orphaned, as a deleted StatefulSet's are.
        let kafka = "apiVersion: kafka.strimzi.io/v1beta2\nkind: Kafka\nmetadata:\n  name: events\nspec:\n  kafka:\n    storage:\n      type: persistent-claim\n      deleteClaim: false\n";
        let f = run(Case::deleted("kafka/events.yaml", kafka));
        assert_eq!(
            (ids(&f), f[0].severity),
            (vec!["kubernetes/volume-deleted"], Severity::Critical)
        );
        assert!(f[0].message.contains("orphaned"), "{}", f[0].message);
        let f = run(Case::deleted(
            "kafka/events.yaml",
            &kafka.replace("deleteClaim: false", "deleteClaim: true"),
        ));
        assert_eq!(ids(&f), ["kubernetes/volume-deleted"]);
    }

    #[test]
    fn deleting_or_renaming_any_stateful_operators_cluster_is_critical_like_cloudnative_pg() {
        for (api, kind, says) in [
            (
                "mongodbcommunity.mongodb.com/v1",
                "MongoDBCommunity",
                "orphaned",
            ),
            ("mongodb.com/v1", "MongoDB", "orphaned"),
            ("psmdb.percona.com/v1", "PerconaServerMongoDB", "orphaned"),
            ("pxc.percona.com/v1", "PerconaXtraDBCluster", "orphaned"),
            ("pgv2.percona.com/v2", "PerconaPGCluster", "orphaned"),
            (
                "rabbitmq.com/v1beta1",
                "RabbitmqCluster",
                "every queue's messages",
            ),
            (
                "databases.spotahome.com/v1",
                "RedisFailover",
                "keepAfterDeletion",
            ),
            (
                "redis.redis.opstreelabs.in/v1beta2",
                "RedisCluster",
                "keepAfterDelete",
            ),
            ("k8ssandra.io/v1alpha1", "K8ssandraCluster", "cass-operator"),
            (
                "cassandra.datastax.com/v1beta1",
                "CassandraDatacenter",
                "cass-operator",
            ),
            ("planetscale.com/v2", "VitessCluster", "orphaned"),
            ("pingcap.com/v1alpha1", "TidbCluster", "orphaned"),
            (
                "clickhouse.altinity.com/v1",
                "ClickHouseInstallation",
                "reclaimPolicy",
            ),
            ("kafka.strimzi.io/v1beta2", "KafkaNodePool", "orphaned"),
            ("minio.min.io/v2", "Tenant", "orphaned"),
        ] {
            let text = format!("apiVersion: {api}\nkind: {kind}\nmetadata:\n  name: data\n  namespace: db\nspec:\n  image: x\n");
            let f = run(Case::deleted("db/data.yaml", &text));
            assert_eq!(
                (ids(&f), f[0].severity),
                (vec!["kubernetes/volume-deleted"], Severity::Critical),
                "{kind}"
            );
            assert!(f[0].message.contains(says), "{kind}: {}", f[0].message);
            assert!(
                f[0].safer
                    .as_deref()
                    .unwrap_or("")
                    .contains("Back the cluster up"),
                "{kind}"
            );
            let renamed = text.replace("name: data", "name: data-v2");
            let f = run(Case::modified("db/data.yaml", &text, &renamed));
            assert_eq!(
                (ids(&f), f[0].severity),
                (vec!["kubernetes/volume-deleted"], Severity::Critical),
                "{kind}"
            );
            assert!(
                f[0].message.contains("renamed to data-v2"),
                "{kind}: {}",
                f[0].message
            );
        }
        // Kibana keeps its state in Elasticsearch: an ordinary deletion.
        let kibana = "apiVersion: kibana.k8s.elastic.co/v1\nkind: Kibana\nmetadata:\n  name: logs\nspec:\n  count: 1\n";
        let f = run(Case::deleted("db/kibana.yaml", kibana));
        assert_eq!(
            (ids(&f), f[0].severity),
            (vec!["kubernetes/object-deleted"], Severity::High)
        );
    }

    #[test]
    fn removing_resources_managed_outside_the_cluster_says_what_goes_and_what_is_kept() {
        let deleted = |text: &str| run(Case::deleted("infra/cloud.yaml", text));
        let group = "apiVersion: resources.azure.com/v1api20200601\nkind: ResourceGroup\nmetadata:\n  name: prod\n  namespace: infra\nspec:\n  location: westeurope\n";
        let f = deleted(group);
        assert_eq!(ids(&f), ["kubernetes/managed-resource-deleted"]);
        assert!(
            f[0].message.contains("every Azure resource in the group"),
            "{}",
            f[0].message
        );
        let detached = group.replace(
            "  namespace: infra\n",
            "  namespace: infra\n  annotations:\n    serviceoperator.azure.com/reconcile-policy: detach-on-delete\n",
        );
        let f = deleted(&detached);
        assert_eq!(
            (ids(&f), f[0].severity),
            (vec!["kubernetes/object-deleted"], Severity::Low)
        );
        let topic = "apiVersion: kafka.strimzi.io/v1beta2\nkind: KafkaTopic\nmetadata:\n  name: orders\n  namespace: kafka\nspec:\n  partitions: 12\n";
        let f = deleted(topic);
        assert_eq!(ids(&f), ["kubernetes/managed-resource-deleted"]);
        assert!(
            f[0].message.contains("every message in it"),
            "{}",
            f[0].message
        );
        // Management policies without Delete keep a Crossplane managed resource.
        let observed = "apiVersion: s3.aws.m.upbound.io/v1beta1\nkind: Bucket\nmetadata:\n  name: invoices\n  namespace: team-a\nspec:\n  managementPolicies: [Observe, Create, Update, LateInitialize]\n";
        let f = deleted(observed);
        assert_eq!(
            (ids(&f), f[0].severity),
            (vec!["kubernetes/object-deleted"], Severity::Low)
        );
        assert!(
            f[0].message
                .contains("managementPolicies: [Observe, Create, Update, LateInitialize]"),
            "{}",
            f[0].message
        );
        // A provider's configuration stands for nothing in the cloud.
        let config = "apiVersion: aws.upbound.io/v1beta1\nkind: ProviderConfig\nmetadata:\n  name: default\nspec:\n  credentials:\n    source: IRSA\n";
        let f = deleted(config);
        assert_eq!(
            (ids(&f), f[0].severity),
            (vec!["kubernetes/object-deleted"], Severity::High)
        );
    }

    #[test]
    fn deleting_a_manifest_file_deletes_every_object_in_it() {
        let f = run(Case::deleted("deploy/shop.yaml", APP));
        assert_eq!(
            ids(&f),
            ["kubernetes/object-deleted", "kubernetes/object-deleted"]
        );
        assert!(f.iter().all(
            |x| x.location.side == Side::Base && x.location.path.as_str() == "deploy/shop.yaml"
        ));
    }

    #[test]
    fn deleted_manifest_whose_objects_moved_to_sibling_files_is_quiet() {
        let (web, config) = APP.split_once("---\n").unwrap_or_default();
        let f = run(Case::deleted("deploy/shop.yaml", APP)
            .with_file(Side::Head, "deploy/web.yaml", web)
            .with_file(Side::Head, "deploy/config.yml", config));
        assert!(f.is_empty(), "{f:?}");
    }

    #[test]
    fn moving_one_object_to_another_file_in_the_same_directory_is_quiet() {
        let (web, config) = APP.split_once("---\n").unwrap_or_default();
        let f = run(Case::modified("deploy/shop.yaml", APP, web).with_file(
            Side::Head,
            "deploy/config.yaml",
            config,
        ));
        assert!(f.is_empty(), "{f:?}");
    }

    #[test]
    fn moving_an_object_to_another_directory_is_still_a_deletion_here() {
        let (web, config) = APP.split_once("---\n").unwrap_or_default();
        let f = run(Case::modified("deploy/shop.yaml", APP, web).with_file(
            Side::Head,
            "other/config.yaml",
            config,
        ));
        assert_eq!(ids(&f), ["kubernetes/object-deleted"]);
    }

    const CLAIM: &str = "apiVersion: v1\nkind: PersistentVolumeClaim\nmetadata:\n  name: pg-data\n  namespace: db\nspec:\n  resources:\n    requests:\n      storage: 10Gi\n";

    #[test]
    fn a_claim_moved_to_a_manifest_of_another_directory_is_one_step_lower_and_says_where() {
        let moved = run(
            Case::deleted("apps/db/claim.yaml", CLAIM).with_changed_file(
                Side::Head,
                "platform/db/claim.yaml",
                CLAIM,
            ),
        );
        assert_eq!(ids(&moved), ["kubernetes/volume-deleted"]);
        assert_eq!(moved[0].severity, Severity::High);
        assert!(
            moved[0]
                .message
                .contains("declared again at head in platform/db/claim.yaml")
                && moved[0].message.contains("applied separately"),
            "{}",
            moved[0].message
        );
        let gone = run(Case::deleted("apps/db/claim.yaml", CLAIM));
        assert_eq!(gone[0].severity, Severity::Critical);
        assert!(!gone[0].message.contains("declared again"));
    }

    #[test]
    fn only_a_manifest_the_change_touches_and_the_same_object_count_as_a_move() {
        let other_namespace = CLAIM.replace("namespace: db", "namespace: staging");
        let elsewhere = run(
            Case::deleted("apps/db/claim.yaml", CLAIM).with_changed_file(
                Side::Head,
                "platform/db/claim.yaml",
                &other_namespace,
            ),
        );
        assert_eq!(elsewhere[0].severity, Severity::Critical, "another object");
        // Untouched by the change: the claim was already declared there, so this change does
        // not move it, and the memo never reads the file.
        let untouched = run(Case::deleted("apps/db/claim.yaml", CLAIM).with_file(
            Side::Head,
            "platform/db/claim.yaml",
            CLAIM,
        ));
        assert_eq!(untouched[0].severity, Severity::Critical);
    }

    #[test]
    fn the_object_in_a_sibling_must_match_its_namespace_too() {
        let (web, config) = APP.split_once("---\n").unwrap_or_default();
        let elsewhere = config.replace("namespace: shop", "namespace: staging");
        let f = run(Case::modified("deploy/shop.yaml", APP, web).with_file(
            Side::Head,
            "deploy/config.yaml",
            &elsewhere,
        ));
        assert_eq!(ids(&f), ["kubernetes/object-deleted"]);
    }

    #[test]
    fn renaming_a_manifest_file_keeps_its_objects() {
        let f = run(Case::renamed(
            "deploy/shop.yaml",
            "deploy/shop-app.yaml",
            APP,
            APP,
        ));
        assert!(f.is_empty(), "{f:?}");
    }

    #[test]
    fn comment_only_edit_is_quiet() {
        let head = APP
            .replace("# the shop frontend", "# the shop frontend, v2")
            .replace("replicas: 2", "replicas: 2  # scaled by HPA");
        assert!(run(Case::modified("deploy/shop.yaml", APP, &head)).is_empty());
    }

    #[test]
    fn reordering_documents_is_quiet() {
        let (web, config) = APP.split_once("---\n").unwrap_or_default();
        let head = format!("{config}---\n{web}");
        assert!(run(Case::modified("deploy/shop.yaml", APP, &head)).is_empty());
    }

    #[test]
    fn changing_a_spec_or_the_api_version_within_a_group_is_quiet() {
        let head = APP
            .replace("shop/web:1.4", "shop/web:1.5")
            .replace("apps/v1", "apps/v1beta2");
        assert!(run(Case::modified("deploy/shop.yaml", APP, &head)).is_empty());
    }

    #[test]
    fn moving_an_ingress_or_deployment_out_of_extensions_is_the_same_object() {
        let legacy = "\
apiVersion: extensions/v1beta1
kind: Ingress
metadata:
  name: shop
  namespace: shop
spec:
  rules:
  - host: shop.example.com
    http:
      paths:
      - path: /
        backend: {serviceName: web, servicePort: 80}
";
        let current = "\
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata:
  name: shop
  namespace: shop
spec:
  rules:
  - host: shop.example.com
    http:
      paths:
      - path: /
        pathType: Prefix
        backend: {service: {name: web, port: {number: 80}}}
";
        let f = run(Case::modified("deploy/ingress.yaml", legacy, current));
        assert!(f.is_empty(), "{f:?}");
        let deployment = APP.replace("apps/v1", "extensions/v1beta1");
        assert!(run(Case::modified("deploy/shop.yaml", &deployment, APP)).is_empty());
        // Another kind under the same name is still another object.
        let config_map = legacy.replace("kind: Ingress", "kind: ConfigMap");
        let f = run(Case::modified("deploy/ingress.yaml", &config_map, current));
        assert_eq!(ids(&f), ["kubernetes/object-deleted"]);
    }

    #[test]
    fn adding_objects_is_quiet() {
        assert!(run(Case::added("deploy/shop.yaml", APP)).is_empty());
    }

    #[test]
    fn moving_an_object_to_another_namespace_is_a_deletion_that_says_so() {
        let head = APP.replacen("namespace: shop", "namespace: store", 1);
        let f = run(Case::modified("deploy/shop.yaml", APP, &head));
        assert_eq!(ids(&f), ["kubernetes/object-deleted"]);
        assert!(
            f[0].message.contains("moves to namespace store"),
            "{}",
            f[0].message
        );
    }

    #[test]
    fn spelling_out_an_implicit_namespace_may_move_nothing_and_says_so() {
        let claim = "apiVersion: v1\nkind: PersistentVolumeClaim\nmetadata:\n  name: data\nspec:\n  resources: {requests: {storage: 1Gi}}\n";
        let explicit = claim.replace("  name: data\n", "  name: data\n  namespace: default\n");
        let f = run(Case::modified("deploy/pvc.yaml", claim, &explicit));
        assert_eq!(ids(&f), ["kubernetes/volume-deleted"]);
        assert_eq!(f[0].severity, Severity::Medium);
        assert!(f[0].message.contains("implicit"), "{}", f[0].message);
        // Between two named namespaces it is a move, at full severity.
        let other = explicit.replace("namespace: default", "namespace: shop");
        let f = run(Case::modified("deploy/pvc.yaml", &explicit, &other));
        assert_eq!(f[0].severity, Severity::Critical, "{f:?}");
    }

    #[test]
    fn renaming_with_the_same_spec_is_a_rename_not_a_plain_deletion() {
        let base = deployment("web", "shop/web:1.4");
        let head = deployment("web-v2", "shop/web:1.4");
        let f = run(Case::modified("deploy/web.yaml", &base, &head));
        assert_eq!(ids(&f), ["kubernetes/renamed"]);
        assert!(
            f[0].message.contains("renamed to web-v2"),
            "{}",
            f[0].message
        );
        assert!(f[0]
            .safer
            .as_deref()
            .unwrap_or("")
            .contains("Add web-v2 alongside web"));
    }

    #[test]
    fn replacing_an_object_with_a_different_one_is_a_deletion() {
        let base = deployment("web", "shop/web:1.4");
        let head = deployment("api", "shop/api:2.0");
        let f = run(Case::modified("deploy/web.yaml", &base, &head));
        assert_eq!(ids(&f), ["kubernetes/object-deleted"]);
    }

    #[test]
    fn renaming_a_namespace_is_still_a_namespace_deletion() {
        let base = "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: shop\n";
        let f = run(Case::modified(
            "k8s/ns.yaml",
            base,
            &base.replace("shop", "store"),
        ));
        assert_eq!(ids(&f), ["kubernetes/namespace-deleted"]);
        assert!(
            f[0].message.contains("renamed to store"),
            "{}",
            f[0].message
        );
    }

    const PV: &str = "apiVersion: v1\nkind: PersistentVolume\nmetadata:\n  name: pg\nspec:\n  capacity:\n    storage: 100Gi\n  persistentVolumeReclaimPolicy: Retain\n";

    #[test]
    fn switching_a_volume_from_retain_to_delete_is_reported_at_the_policy_line() {
        let f = run(Case::modified(
            "k8s/pv.yaml",
            PV,
            &PV.replace("Retain", "Delete"),
        ));
        assert_eq!(ids(&f), ["kubernetes/reclaim-policy-delete"]);
        assert_eq!(
            (f[0].location.side, f[0].location.line),
            (Side::Head, Some(8))
        );
        assert!(f[0].message.contains("had Retain"), "{}", f[0].message);
    }

    #[test]
    fn snapshot_classes_and_contents_switched_to_delete_are_reported() {
        let class = "apiVersion: snapshot.storage.k8s.io/v1\nkind: VolumeSnapshotClass\nmetadata:\n  name: csi-snap\ndriver: ebs.csi.aws.com\ndeletionPolicy: Retain\n";
        let f = run(Case::modified(
            "k8s/snap.yaml",
            class,
            &class.replace("Retain", "Delete"),
        ));
        assert_eq!(ids(&f), ["kubernetes/reclaim-policy-delete"]);
        assert_eq!(f[0].location.line, Some(6));
        assert!(
            f[0].message.contains("deletion policy Delete"),
            "{}",
            f[0].message
        );
        assert!(f[0].message.contains("backup it holds"), "{}", f[0].message);
        let content = "apiVersion: snapshot.storage.k8s.io/v1\nkind: VolumeSnapshotContent\nmetadata:\n  name: snap-1\nspec:\n  deletionPolicy: Retain\n  driver: ebs.csi.aws.com\n";
        let f = run(Case::modified(
            "k8s/snap.yaml",
            content,
            &content.replace("Retain", "Delete"),
        ));
        assert_eq!(ids(&f), ["kubernetes/reclaim-policy-delete"]);
        // A new class that deletes, or one that already did, is quiet.
        let deleting = class.replace("Retain", "Delete");
        assert!(run(Case::added("k8s/snap.yaml", &deleting)).is_empty());
        assert!(run(Case::modified(
            "k8s/snap.yaml",
            &deleting,
            &deleting.replace("csi-snap\n", "csi-snap\n  labels: {a: b}\n")
        ))
        .is_empty());
    }

    #[test]
    fn a_tidb_cluster_switched_from_retain_to_delete_is_reported() {
        let tidb = "apiVersion: pingcap.com/v1alpha1\nkind: TidbCluster\nmetadata:\n  name: analytics\nspec:\n  version: v7.5.1\n  pvReclaimPolicy: Retain\n";
        let deleting = tidb.replace("pvReclaimPolicy: Retain", "pvReclaimPolicy: Delete");
        let f = run(Case::modified("db/tidb.yaml", tidb, &deleting));
        assert_eq!(ids(&f), ["kubernetes/reclaim-policy-delete"]);
        assert!(f[0].message.contains("TiDB operator"), "{}", f[0].message);
        assert!(run(Case::modified(
            "db/tidb.yaml",
            tidb,
            &tidb.replace("v7.5.1", "v7.5.2")
        ))
        .is_empty());
    }

    #[test]
    fn a_new_volume_with_delete_is_reported_and_one_with_retain_is_not() {
        let f = run(Case::added("k8s/pv.yaml", &PV.replace("Retain", "Delete")));
        assert_eq!(ids(&f), ["kubernetes/reclaim-policy-delete"]);
        assert!(run(Case::added("k8s/pv.yaml", PV)).is_empty());
    }

    #[test]
    fn a_volume_that_already_had_delete_is_quiet() {
        let pv = PV.replace("Retain", "Delete");
        assert!(run(Case::modified(
            "k8s/pv.yaml",
            &pv,
            &pv.replace("100Gi", "200Gi")
        ))
        .is_empty());
    }

    #[test]
    fn a_storage_class_switched_from_retain_to_delete_is_reported() {
        let sc = "apiVersion: storage.k8s.io/v1\nkind: StorageClass\nmetadata:\n  name: ssd\nprovisioner: pd.csi.storage.gke.io\nreclaimPolicy: Retain\n";
        let f = run(Case::modified(
            "k8s/sc.yaml",
            sc,
            &sc.replace("Retain", "Delete"),
        ));
        assert_eq!(ids(&f), ["kubernetes/reclaim-policy-delete"]);
        assert!(run(Case::added("k8s/sc.yaml", &sc.replace("Retain", "Delete"))).is_empty());
    }

    #[test]
    fn documents_without_a_kind_are_ignored() {
        let base =
            "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: a\n---\nreplicas: 3\nimage: x\n";
        let head = "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: a\n";
        assert!(run(Case::modified("k8s/a.yaml", base, head)).is_empty());
    }

    #[test]
    fn items_of_a_list_are_objects() {
        let base = "apiVersion: v1\nkind: List\nitems:\n  - apiVersion: v1\n    kind: Namespace\n    metadata:\n      name: a\n  - apiVersion: v1\n    kind: Namespace\n    metadata:\n      name: b\n";
        let head = "apiVersion: v1\nkind: List\nitems:\n  - apiVersion: v1\n    kind: Namespace\n    metadata:\n      name: a\n";
        let f = run(Case::modified("k8s/list.yaml", base, head));
        assert_eq!(ids(&f), ["kubernetes/namespace-deleted"]);
        assert_eq!(f[0].location.line, Some(8));
    }

    const TEMPLATE: &str = "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\n{{- if .Values.labels }}\n  labels: {{ toYaml .Values.labels | nindent 4 }}\n{{- end }}\n";

    #[test]
    fn a_template_that_does_not_parse_is_unparseable_for_a_plain_manifest() {
        let base = deployment("web", "x");
        let f =
            run(Case::modified("deploy/web.yaml", &base, TEMPLATE).with_kind(FileKind::Kubernetes));
        assert_eq!(ids(&f), ["kubernetes/unparseable"]);
        assert_eq!(f[0].location.side, Side::Head);
        assert!(f[0].location.line.is_some());
        assert_eq!(f[0].tags, [Tag::Infra]);
    }

    #[test]
    fn a_template_that_does_not_parse_is_quiet_for_a_helm_chart() {
        let base = deployment("web", "x");
        // An action spread over two lines is beyond what twokey neutralises.
        let broken = "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\n  labels: {{ toYaml\n    .Values.labels }}\n";
        let f = run(
            Case::modified("charts/app/templates/web.yaml", &base, broken)
                .with_kind(FileKind::Helm),
        );
        assert!(f.is_empty(), "{f:?}");
    }

    #[test]
    fn a_claim_removed_from_a_chart_template_is_a_volume_deletion() {
        let path = "charts/app/templates/static.yaml";
        let base = "{{- if .Values.persistence.enabled }}\napiVersion: v1\nkind: PersistentVolumeClaim\nmetadata:\n  name: {{ include \"app.fullname\" . }}-data\n  labels:\n    {{- include \"app.labels\" . | nindent 4 }}\nspec:\n  accessModes: [ReadWriteOnce]\n  resources:\n    requests:\n      storage: {{ .Values.persistence.size }}\n{{- end }}\n---\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {{ include \"app.fullname\" . }}-cfg\n";
        let head = base.split("---\n").nth(1).unwrap_or_default();
        let f = run(Case::modified(path, base, head).with_kind(FileKind::Helm));
        assert_eq!(ids(&f), ["kubernetes/volume-deleted"], "{f:?}");
        assert_eq!(
            (f[0].location.side, f[0].location.line),
            (Side::Base, Some(2))
        );
        assert!(f[0].message.contains("app.fullname"), "{}", f[0].message);
        // Changing a templated value, or the wrapping condition, is not a deletion.
        let resized = base.replace(".Values.persistence.size", ".Values.persistence.capacity");
        assert!(run(Case::modified(path, base, &resized).with_kind(FileKind::Helm)).is_empty());
    }

    /// Chart templates reach the comparison through the dispatcher, as the engine sends them.
    fn chart(case: Case) -> Vec<Finding> {
        case.run(crate::analyze::analyze_file)
    }

    const CHART_PVC: &str = "charts/app/templates/pvc.yaml";

    const CHART_CLAIM: &str = "\
apiVersion: v1
kind: PersistentVolumeClaim
metadata:
  name: {{ include \"app.fullname\" . }}-data
  labels:
    {{- include \"app.labels\" . | nindent 4 }}
spec:
  accessModes: [ReadWriteOnce]
  storageClassName: {{ .Values.persistence.storageClass }}
  resources:
    requests:
      storage: {{ .Values.persistence.size }}
";

    const CHART_CONFIG: &str = "\
apiVersion: v1
kind: ConfigMap
metadata:
  name: {{ include \"app.fullname\" . }}-config
data:
  LOG_LEVEL: {{ .Values.logLevel | quote }}
";

    fn claim_and_config() -> String {
        format!("{CHART_CLAIM}---\n{CHART_CONFIG}")
    }

    const CHART_HOOK: &str = "\
apiVersion: batch/v1
kind: Job
metadata:
  name: {{ include \"app.fullname\" . }}-migrate
  annotations:
    \"helm.sh/hook\": pre-upgrade
spec:
  template:
    spec:
      restartPolicy: Never
      containers:
        - name: migrate
          image: app:1
";

    #[test]
    fn a_helm_hook_jobs_template_changed_is_created_anew_not_recreated() {
        let hook = format!("{CHART_CONFIG}---\n{CHART_HOOK}");
        let bumped = hook.replace("image: app:1", "image: app:2");
        assert!(chart(Case::modified(CHART_PVC, &hook, &bumped)).is_empty());
        // Without the annotation it is a release's Job: applying it means a recreate.
        let job = hook.replace("  annotations:\n    \"helm.sh/hook\": pre-upgrade\n", "");
        let f = chart(Case::modified(
            CHART_PVC,
            &job,
            &job.replace("app:1", "app:2"),
        ));
        assert_eq!(ids(&f), ["kubernetes/immutable-field-changed"]);
    }

    #[test]
    fn a_helm_hook_removed_from_a_chart_deletes_nothing_and_is_a_low_note() {
        let with_hook = format!("{CHART_CONFIG}---\n{CHART_HOOK}");
        let claim_hook = CHART_HOOK
            .replace("apiVersion: batch/v1", "apiVersion: v1")
            .replace("kind: Job", "kind: PersistentVolumeClaim")
            .replace("-migrate", "-scratch");
        let hooks = format!("{with_hook}---\n{claim_hook}");
        let f = chart(Case::modified(CHART_PVC, &hooks, CHART_CONFIG));
        assert_eq!(f.len(), 2, "{f:?}");
        for finding in &f {
            assert_eq!(finding.severity, Severity::Low, "{finding:?}");
            assert!(!finding.tags.contains(&Tag::Destructive), "{finding:?}");
            assert!(
                finding.message.contains("`helm.sh/hook: pre-upgrade`")
                    && finding.message.contains("deletes nothing"),
                "{}",
                finding.message
            );
        }
        // Outside a chart the annotation means nothing to whoever applies the manifest.
        let plain = claim_hook.replace("{{ include \"app.fullname\" . }}", "app");
        let f = run(Case::deleted("deploy/claim.yaml", &plain));
        assert_eq!(ids(&f), ["kubernetes/volume-deleted"]);
        assert_eq!(f[0].severity, Severity::Critical);
    }

    /// A claim written the way large chart libraries write them: a licence comment over
    /// several lines, labels injected by a helper and continued literally, a key written in
    /// both branches of an `if`, and a helper that outputs a field at its indentation.
    const LIBRARY_CLAIM: &str = "\
{{- /*
Copyright Example Ltd.
*/}}
{{- if .Values.persistence.enabled }}
apiVersion: v1
kind: PersistentVolumeClaim
metadata:
  name: {{ include \"app.fullname\" . }}-data
  labels: {{- include \"app.labels\" . | nindent 4 }}
    app.kubernetes.io/component: db
spec:
  {{- if .Values.persistence.accessModes }}
  accessModes: {{- toYaml .Values.persistence.accessModes | nindent 4 }}
  {{- else }}
  accessModes: [ReadWriteOnce]
  {{- end }}
  {{ include \"app.storageClass\" . }}
{{- end }}
";

    #[test]
    fn a_claim_written_like_a_chart_library_is_compared_and_its_deletion_reported_once() {
        let f = chart(Case::deleted(CHART_PVC, LIBRARY_CLAIM));
        assert_eq!(ids(&f), ["kubernetes/volume-deleted"], "{f:?}");
        assert_eq!(f[0].severity, Severity::Critical);
        // Reformatted actions and a label added after the injected ones change nothing.
        let edited = LIBRARY_CLAIM
            .replace(
                "{{- include \"app.labels\" . | nindent 4 }}",
                "{{- include \"app.labels\" .  |  nindent 4 -}}",
            )
            .replace("component: db\n", "component: db\n    team: data\n");
        let f = chart(Case::modified(CHART_PVC, LIBRARY_CLAIM, &edited));
        assert!(f.is_empty(), "{f:?}");
    }

    const CHART_STS: &str = "\
apiVersion: {{ include \"app.statefulset.apiVersion\" . }}
kind: StatefulSet
metadata:
  name: {{ include \"app.fullname\" . }}
spec:
  selector:
    matchLabels: {{- include \"app.selectorLabels\" . | nindent 6 }}
      app.kubernetes.io/component: db
  template:
    metadata:
      labels: {{- include \"app.selectorLabels\" . | nindent 8 }}
        app.kubernetes.io/component: db
";

    #[test]
    fn a_workload_whose_api_version_is_a_template_is_still_known_by_its_group() {
        let path = "charts/app/templates/statefulset.yaml";
        let after = CHART_STS.replace(
            "component: db\n  template",
            "component: database\n  template",
        );
        let f = chart(Case::modified(path, CHART_STS, &after));
        assert_eq!(ids(&f), ["kubernetes/immutable-field-changed"], "{f:?}");
        assert!(f[0].message.contains("`spec.selector`"), "{}", f[0].message);
        // Another helper picking the version: the same StatefulSet, nothing to say.
        let after = CHART_STS.replace(
            "app.statefulset.apiVersion",
            "common.capabilities.statefulset.apiVersion",
        );
        let f = chart(Case::modified(path, CHART_STS, &after));
        assert!(f.is_empty(), "{f:?}");
    }

    #[test]
    fn a_claim_name_called_with_template_instead_of_include_is_the_same_name() {
        let claim = claim_and_config();
        let same = claim.replace(
            "{{ include \"app.fullname\" . }}-data",
            "{{- template \"app.fullname\" . -}}-data",
        );
        assert!(chart(Case::modified(CHART_PVC, &claim, &same)).is_empty());
        // Another helper may render another name: still a rename.
        let other = claim.replace(
            "{{ include \"app.fullname\" . }}-data",
            "{{ template \"app.name\" . }}-data",
        );
        let f = chart(Case::modified(CHART_PVC, &claim, &other));
        assert_eq!(ids(&f), ["kubernetes/volume-deleted"], "{f:?}");
    }

    #[test]
    fn a_claim_deleted_from_a_chart_template_is_reported_like_one_deleted_from_a_manifest() {
        let f = chart(Case::modified(CHART_PVC, &claim_and_config(), CHART_CONFIG));
        assert_eq!(ids(&f), ["kubernetes/volume-deleted"], "{f:?}");
        assert_eq!(f[0].severity, Severity::Critical);
        assert_eq!(
            (
                f[0].location.side,
                f[0].location.line,
                f[0].location.end_line
            ),
            (Side::Base, Some(1), Some(12))
        );
        let m = &f[0].message;
        for says in [
            "PersistentVolumeClaim {{ include \"app.fullname\" . }}-data is removed from charts/app/templates/pvc.yaml",
            "releases its volume",
            "Its name is a template that twokey does not render",
        ] {
            assert!(m.contains(says), "{says}: {m}");
        }
        // The same removal from a plain manifest: same rule, same severity.
        let literal = |t: &str| {
            t.replace("{{ include \"app.fullname\" . }}", "app")
                .replace(
                    "    {{- include \"app.labels\" . | nindent 4 }}\n",
                    "    team: shop\n",
                )
                .replace("{{ .Values.persistence.storageClass }}", "standard")
                .replace("{{ .Values.persistence.size }}", "10Gi")
                .replace("{{ .Values.logLevel | quote }}", "info")
        };
        let plain = run(Case::modified(
            "k8s/app.yaml",
            &literal(&claim_and_config()),
            &literal(CHART_CONFIG),
        ));
        assert_eq!((ids(&plain), plain[0].severity), (ids(&f), f[0].severity));
        assert!(
            !plain[0].message.contains("template"),
            "{}",
            plain[0].message
        );
    }

    #[test]
    fn one_object_removed_from_a_chart_template_while_others_stay_is_ranked_by_its_kind() {
        let ns = "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: {{ .Values.namespace }}\n";
        let db = "apiVersion: apps/v1\nkind: StatefulSet\nmetadata:\n  name: {{ include \"app.fullname\" . }}-db\nspec:\n  replicas: {{ .Values.db.replicas }}\n";
        let web = "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\nspec:\n  replicas: {{ .Values.replicas }}\n";
        let all = [ns, db, web];
        let expected = [
            ("kubernetes/namespace-deleted", Severity::Critical),
            ("kubernetes/volume-deleted", Severity::Critical),
            ("kubernetes/object-deleted", Severity::High),
        ];
        for (gone, (rule, severity)) in expected.into_iter().enumerate() {
            let kept: Vec<&str> = (0..3).filter(|i| *i != gone).map(|i| all[i]).collect();
            let f = chart(Case::modified(
                "charts/app/templates/app.yaml",
                &all.join("---\n"),
                &kept.join("---\n"),
            ));
            assert_eq!(ids(&f), [rule], "{f:?}");
            assert_eq!(f[0].severity, severity, "{rule}");
        }
    }

    #[test]
    fn an_object_moved_to_a_sibling_template_is_quiet_and_one_moved_elsewhere_is_not() {
        let sibling = "charts/app/templates/claim.yaml";
        let moved = Case::modified(CHART_PVC, &claim_and_config(), CHART_CONFIG).with_file(
            Side::Head,
            sibling,
            &CHART_CLAIM.replace("{{ include", "{{include"),
        );
        assert_eq!(chart(moved), Vec::new());
        // A partial cannot declare it: it renders only where it is included.
        let partial = Case::modified(CHART_PVC, &claim_and_config(), CHART_CONFIG).with_file(
            Side::Head,
            "charts/app/templates/_claim.yaml",
            CHART_CLAIM,
        );
        assert_eq!(ids(&chart(partial)), ["kubernetes/volume-deleted"]);
        let other_chart = Case::modified(CHART_PVC, &claim_and_config(), CHART_CONFIG).with_file(
            Side::Head,
            "charts/db/templates/claim.yaml",
            CHART_CLAIM,
        );
        assert_eq!(ids(&chart(other_chart)), ["kubernetes/volume-deleted"]);
    }

    #[test]
    fn a_deleted_chart_template_reports_its_objects_once_and_only_what_did_not_move() {
        let f = chart(Case::deleted(CHART_PVC, &claim_and_config()));
        assert_eq!(
            ids(&f),
            ["kubernetes/volume-deleted", "kubernetes/object-deleted"],
            "no whole-file finding on top: {f:?}"
        );
        let split = Case::deleted(CHART_PVC, &claim_and_config())
            .with_file(Side::Head, "charts/app/templates/claim.yaml", CHART_CLAIM)
            .with_file(Side::Head, "charts/app/templates/config.yaml", CHART_CONFIG);
        assert_eq!(chart(split), Vec::new());
        // A top-level include renders objects twokey cannot see: the file-level finding stays.
        let opaque = format!("{{{{ include \"common.secret\" . }}}}\n---\n{CHART_CONFIG}");
        let f = chart(Case::deleted(CHART_PVC, &opaque));
        assert!(ids(&f).contains(&"git/infra-file-deleted"), "{f:?}");
    }

    #[test]
    fn reformatting_template_actions_or_quoting_templated_values_is_quiet() {
        let base = claim_and_config();
        let head = base
            .replace(
                "{{ include \"app.fullname\" . }}-data",
                "\"{{- include  \"app.fullname\"  . -}}-data\"  # the claim",
            )
            .replace(
                "{{ .Values.persistence.storageClass }}",
                "'{{.Values.persistence.storageClass}}'",
            )
            .replace(
                "{{ .Values.logLevel | quote }}",
                "{{ .Values.logLevel|quote }}",
            )
            .replace(
                "{{ include \"app.fullname\" . }}-config",
                "{{ include \"app.fullname\" . }}-config{{/* stable */}}",
            );
        assert_ne!(head, base);
        assert_eq!(chart(Case::modified(CHART_PVC, &base, &head)), Vec::new());
    }

    #[test]
    fn a_templated_immutable_field_whose_template_changes_is_not_an_immutable_change() {
        let regional = CHART_CLAIM.replace(
            "{{ .Values.persistence.storageClass }}",
            "{{ .Values.global.storageClass | default .Values.persistence.storageClass }}",
        );
        assert_eq!(
            chart(Case::modified(CHART_PVC, CHART_CLAIM, &regional)),
            Vec::new()
        );
        let literal = CHART_CLAIM.replace("{{ .Values.persistence.storageClass }}", "standard");
        assert_eq!(
            chart(Case::modified(CHART_PVC, &literal, CHART_CLAIM)),
            Vec::new()
        );
        assert_eq!(
            chart(Case::modified(CHART_PVC, CHART_CLAIM, &literal)),
            Vec::new()
        );
        // Written out on both sides, the value is known: a change is a change.
        let f = chart(Case::modified(
            CHART_PVC,
            &literal,
            &literal.replace("standard", "premium"),
        ));
        assert_eq!(ids(&f), ["kubernetes/immutable-field-changed"]);
        // So is a literal part changed beside a templated one.
        let sts = "apiVersion: apps/v1\nkind: StatefulSet\nmetadata:\n  name: db\nspec:\n  selector:\n    matchLabels:\n      app: {{ .Values.name }}\n      tier: db\n";
        let renamed_value = sts.replace(".Values.name", ".Values.app");
        assert_eq!(
            chart(Case::modified(CHART_PVC, sts, &renamed_value)),
            Vec::new()
        );
        let f = chart(Case::modified(
            CHART_PVC,
            sts,
            &renamed_value.replace("tier: db", "tier: data"),
        ));
        assert_eq!(ids(&f), ["kubernetes/immutable-field-changed"]);
    }

    #[test]
    fn a_literal_protection_removed_from_a_template_is_reported_and_a_templated_one_is_not() {
        let kept = CHART_CLAIM.replace(
            "  labels:\n",
            "  annotations:\n    helm.sh/resource-policy: keep\n  labels:\n",
        );
        let f = chart(Case::modified(CHART_PVC, &kept, CHART_CLAIM));
        assert_eq!(ids(&f), ["kubernetes/prune-protection-removed"], "{f:?}");
        let from_values = kept.replace(": keep", ": {{ .Values.resourcePolicy | quote }}");
        assert_eq!(
            chart(Case::modified(CHART_PVC, &kept, &from_values)),
            Vec::new()
        );
        let pv = |policy: &str| {
            format!("apiVersion: v1\nkind: PersistentVolume\nmetadata:\n  name: {{{{ .Release.Name }}}}-pv\nspec:\n  persistentVolumeReclaimPolicy: {policy}\n")
        };
        let path = "charts/app/templates/pv.yaml";
        let f = chart(Case::modified(path, &pv("Retain"), &pv("Delete")));
        assert_eq!(ids(&f), ["kubernetes/reclaim-policy-delete"]);
        assert_eq!(
            chart(Case::modified(
                path,
                &pv("Retain"),
                &pv("{{ .Values.reclaimPolicy }}")
            )),
            Vec::new()
        );
        // Delete written out at head is known, whatever the base template rendered.
        let f = chart(Case::modified(
            path,
            &pv("{{ .Values.reclaimPolicy }}"),
            &pv("Delete"),
        ));
        assert_eq!(ids(&f), ["kubernetes/reclaim-policy-delete"]);
        assert!(
            f[0].message
                .contains("from the template `{{ .Values.reclaimPolicy }}`"),
            "{}",
            f[0].message
        );
    }

    #[test]
    fn a_templated_source_or_deletion_policy_whose_template_changes_is_not_reported() {
        let app = "apiVersion: argoproj.io/v1alpha1\nkind: Application\nmetadata:\n  name: payments\n  namespace: argocd\nspec:\n  source:\n    repoURL: {{ .Values.repoURL }}\n    path: apps/payments\n  destination:\n    namespace: payments\n  syncPolicy:\n    automated:\n      prune: true\n";
        let path = "charts/apps/templates/payments.yaml";
        let other_template = app.replace(".Values.repoURL", ".Values.spec.source.repoURL");
        assert_eq!(
            chart(Case::modified(path, app, &other_template)),
            Vec::new()
        );
        let f = chart(Case::modified(
            path,
            app,
            &app.replace("apps/payments", "apps/payment"),
        ));
        assert_eq!(ids(&f), ["kubernetes/sync-source-changed"]);
        let bucket = "apiVersion: s3.aws.upbound.io/v1beta1\nkind: Bucket\nmetadata:\n  name: {{ .Release.Name }}-invoices\nspec:\n  deletionPolicy: Orphan\n";
        let path = "charts/infra/templates/bucket.yaml";
        let from_values = bucket.replace("Orphan", "{{ .Values.deletionPolicy }}");
        assert_eq!(
            chart(Case::modified(path, bucket, &from_values)),
            Vec::new()
        );
        let f = chart(Case::modified(
            path,
            bucket,
            &bucket.replace("Orphan", "Delete"),
        ));
        assert_eq!(ids(&f), ["kubernetes/deletion-policy-weakened"]);
    }

    #[test]
    fn zero_replicas_written_over_a_templated_count_is_still_scaled_to_zero() {
        let web = "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\nspec:\n  replicas: {{ .Values.replicas }}\n";
        let path = "charts/app/templates/web.yaml";
        let f = chart(Case::modified(
            path,
            web,
            &web.replace("{{ .Values.replicas }}", "0"),
        ));
        assert_eq!(ids(&f), ["kubernetes/scaled-to-zero"]);
        assert!(
            f[0].message
                .contains("from `{{ .Values.replicas }}` replicas"),
            "{}",
            f[0].message
        );
        let renamed = web.replace(".Values.replicas", ".Values.replicaCount");
        assert_eq!(chart(Case::modified(path, web, &renamed)), Vec::new());
    }

    #[test]
    fn a_changed_name_template_is_a_rename_that_says_its_names_are_templates() {
        let head = CHART_CLAIM.replace("\"app.fullname\"", "\"app.name\"");
        let f = chart(Case::modified(CHART_PVC, CHART_CLAIM, &head));
        assert_eq!(ids(&f), ["kubernetes/volume-deleted"]);
        assert_eq!(f[0].severity, Severity::Critical);
        let m = &f[0].message;
        assert!(
            m.contains("is renamed to {{ include \"app.name\" . }}-data")
                && m.contains("if the old and the new text render the same, nothing is recreated")
                && m.contains("is unknown"),
            "{m}"
        );
    }

    #[test]
    fn writing_out_the_release_namespace_moves_nothing_but_another_namespace_does() {
        let spelled = CHART_CONFIG.replace(
            "-config\n",
            "-config\n  namespace: {{ .Release.Namespace | quote }}\n",
        );
        assert_eq!(
            chart(Case::modified(CHART_PVC, CHART_CONFIG, &spelled)),
            Vec::new()
        );
        let elsewhere = spelled.replace(".Release.Namespace | quote", ".Values.namespace");
        let f = chart(Case::modified(CHART_PVC, CHART_CONFIG, &elsewhere));
        assert_eq!(ids(&f), ["kubernetes/object-deleted"]);
        assert!(
            f[0].message
                .contains("moves to namespace {{ .Values.namespace }}"),
            "{}",
            f[0].message
        );
    }

    #[test]
    fn a_chart_template_that_is_not_yaml_stays_quiet_through_the_dispatcher() {
        // An action spread over two lines is beyond what twokey neutralises.
        let broken = format!("{CHART_CONFIG}  labels: {{{{ toYaml\n    .Values.labels }}}}\n");
        let f = chart(Case::modified(CHART_PVC, &claim_and_config(), &broken));
        assert_eq!(f, Vec::new());
        let f = chart(Case::modified(CHART_PVC, &broken, CHART_CONFIG));
        assert_eq!(f, Vec::new());
    }

    #[test]
    fn values_files_chart_yaml_and_partials_are_not_compared_as_manifests() {
        // A values file holding a manifest's keys is still values.
        let values = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: defaults\n";
        let f = chart(Case::modified(
            "charts/app/values.yaml",
            values,
            "replicaCount: 2\n",
        ));
        assert_eq!(f, Vec::new());
        let chart_yaml = "apiVersion: v2\nname: app\nversion: 1.0.0\ndependencies:\n  - name: postgresql\n    version: 15.x.x\n";
        let f = chart(Case::modified(
            "charts/app/Chart.yaml",
            chart_yaml,
            "apiVersion: v2\nname: app\nversion: 1.1.0\n",
        ));
        assert_eq!(ids(&f), ["kubernetes/helm-stateful-disabled"]);
        let partial = format!("{{{{- define \"app.claim\" }}}}\n{CHART_CLAIM}{{{{- end }}}}\n");
        let f = chart(Case::modified(
            "charts/app/templates/_helpers.tpl",
            &partial,
            "{{- define \"app.claim\" }}\n{{- end }}\n",
        ));
        assert_eq!(f, Vec::new());
    }

    #[test]
    fn an_unparseable_base_is_reported_on_the_base_side() {
        let f = run(Case::modified(
            "deploy/web.yaml",
            "kind: [Deployment\n",
            &deployment("web", "x"),
        )
        .with_kind(FileKind::Kubernetes));
        assert_eq!(ids(&f), ["kubernetes/unparseable"]);
        assert_eq!(f[0].location.side, Side::Base);
    }

    #[test]
    fn kustomize_configuration_is_not_a_cluster_object() {
        let k = "apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nmetadata:\n  name: app\nresources:\n  - web.yaml\n";
        assert!(
            run(Case::deleted("deploy/kustomization.yaml", k).with_kind(FileKind::Kubernetes))
                .is_empty()
        );
    }

    const PATCH: &str =
        "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\nspec:\n  replicas: 5\n";
    const OVERLAY: &str =
        "resources:\n  - ../../base\npatches:\n  - path: ./patches/replicas.yaml\n";

    #[test]
    fn dropping_a_kustomize_patch_file_deletes_nothing() {
        let path = "overlays/prod/patches/replicas.yaml";
        let f = run(Case::deleted(path, PATCH).with_file(
            Side::Base,
            "overlays/prod/kustomization.yaml",
            OVERLAY,
        ));
        assert!(f.is_empty(), "{f:?}");
        let legacy = "patchesStrategicMerge:\n- patches/replicas.yaml\n";
        let f = run(Case::deleted(path, PATCH).with_file(
            Side::Base,
            "overlays/prod/kustomization.yml",
            legacy,
        ));
        assert!(f.is_empty(), "{f:?}");
        // A manifest no kustomization names as a patch is a manifest.
        let f = run(Case::deleted(path, PATCH).with_file(
            Side::Base,
            "overlays/prod/kustomization.yaml",
            "resources:\n  - patches/replicas.yaml\n",
        ));
        assert_eq!(ids(&f), ["kubernetes/object-deleted"]);
    }

    #[test]
    fn a_patch_newly_marked_delete_deletes_its_target() {
        let ns = "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: legacy\n";
        let head = format!("{PATCH}---\n{ns}$patch: delete\n");
        let f = run(Case::modified("overlays/prod/patch.yaml", PATCH, &head));
        assert_eq!(ids(&f), ["kubernetes/namespace-deleted"]);
        assert_eq!(
            (f[0].location.side, f[0].location.line),
            (Side::Head, Some(12))
        );
        assert!(
            f[0].message.contains("`$patch: delete`"),
            "{}",
            f[0].message
        );
        let quiet = run(Case::modified(
            "overlays/prod/patch.yaml",
            &head,
            &format!("# kept\n{head}"),
        ));
        assert!(quiet.is_empty(), "{quiet:?}");
    }

    #[test]
    fn a_namespace_written_on_a_cluster_scoped_object_changes_nothing() {
        let role = "apiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRole\nmetadata:\n  name: reader\nrules: []\n";
        let with_ns = role.replace("  name: reader\n", "  name: reader\n  namespace: default\n");
        assert!(run(Case::modified("k8s/rbac.yaml", role, &with_ns)).is_empty());
        assert!(run(Case::modified("k8s/rbac.yaml", &with_ns, role)).is_empty());
        // On a namespaced kind the namespace is part of the identity.
        let cm = role
            .replace("rbac.authorization.k8s.io/v1", "v1")
            .replace("ClusterRole", "ConfigMap");
        let cm_ns = with_ns
            .replace("rbac.authorization.k8s.io/v1", "v1")
            .replace("ClusterRole", "ConfigMap");
        assert_eq!(
            ids(&run(Case::modified("k8s/cm.yaml", &cm_ns, &cm))),
            ["kubernetes/object-deleted"]
        );
    }

    #[test]
    fn a_catalog_entry_beside_cluster_objects_is_not_a_cluster_object() {
        let ns = "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: shop\n";
        let entry = "apiVersion: backstage.io/v1alpha1\nkind: Component\nmetadata:\n  name: shop\n";
        let base = format!("{ns}---\n{entry}");
        assert!(run(Case::modified("deploy/shop.yaml", &base, ns)).is_empty());
        let f = run(Case::modified("deploy/shop.yaml", &base, entry));
        assert_eq!(ids(&f), ["kubernetes/namespace-deleted"]);
    }

    proptest! {
        #[test]
        fn arbitrary_manifests_never_panic(
            base in "[a-zA-Z0-9:\\- \\n\\[\\]{}'\"!&*|>#/.]{0,200}",
            head in "[a-zA-Z0-9:\\- \\n\\[\\]{}'\"!&*|>#/.]{0,200}",
        ) {
            let _ = run(Case::modified("k8s/x.yaml", &base, &head).with_kind(FileKind::Kubernetes));
        }

        #[test]
        fn an_unchanged_manifest_yields_at_most_unparseable(
            text in "(apiVersion: (v1|apps/v1)\nkind: (Namespace|Deployment|PersistentVolume)\nmetadata:\n  name: [a-z]{1,5}\n(spec:\n  persistentVolumeReclaimPolicy: Retain\n)?---\n){0,4}[a-z:{}\\[\\] \\n]{0,40}",
        ) {
            let f = run(Case::modified("k8s/x.yaml", &text, &text).with_kind(FileKind::Kubernetes));
            prop_assert!(f.iter().all(|x| x.rule == UNPARSEABLE.id), "{:?}", f);
        }

        #[test]
        fn removing_a_named_namespace_is_always_reported(names in proptest::collection::btree_set("[a-z]{1,8}", 1..5)) {
            let docs: Vec<String> = names.iter().map(|n| format!("apiVersion: v1\nkind: Namespace\nmetadata:\n  name: ns-{n}\n")).collect();
            let base = docs.join("---\n");
            let head = docs[1..].join("---\n");
            let f = run(Case::modified("k8s/ns.yaml", &base, &head));
            prop_assert_eq!(ids(&f), vec!["kubernetes/namespace-deleted"]);
        }
    }
}
