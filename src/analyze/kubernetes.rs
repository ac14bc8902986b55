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
pub mod chart_bumps;
pub mod conditional;
mod data_operators;
pub mod database_images;
mod databases;
pub mod gitops;
pub mod helmfile;
mod immutable;
mod inline_values;
mod kustomize_renames;
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
    summary: "A Kubernetes manifest, or a Helm or Kustomize file read as plain YAML, could not be parsed.",
    why: "twokey fails closed: it cannot tell which objects a manifest it cannot read deletes, or which subcharts, values or resources a broken `Chart.yaml`, `requirements.yaml`, values file or kustomization drops, so a human must review it.",
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
mod tests;
