//! settings: objects that survive the change but whose new settings destroy or expose
//! something. A workload scaled to zero, claims deleted with their StatefulSet, an immutable
//! field whose change forces delete-and-recreate, and the annotations or policies that kept
//! an object (or the cloud resource behind it) from being deleted. GitOps objects that start
//! pruning or move their source are [`gitops`](super::gitops)'s.
//!
//! In a chart template a setting holding a template action is known only by its text (see
//! [`template::compare`]). A change of that text may render the same value, so it is not
//! reported as an immutable field changed, a protection lost, a source moved or a deletion
//! policy weakened: what it renders to comes from values files and release flags, reviewed
//! where they change. A protection deleted outright, or a literal destructive value written
//! at head (`replicas: 0`, `whenDeleted: Delete`), is known and still reported.

use super::{databases, gitops, managed, templated, ObjectId, Objects};
use crate::analyze::FileView;
use crate::change::Side;
use crate::finding::{Finding, RuleId, Severity, Tag};
use crate::rules::Rule;
use crate::yaml::Node;

const DESTRUCTIVE: &[Tag] = &[Tag::Destructive, Tag::Infra];

pub const SCALED_TO_ZERO: Rule = Rule {
    id: RuleId("kubernetes/scaled-to-zero"),
    severity: Severity::Medium,
    tags: DESTRUCTIVE,
    summary: "A running workload is scaled to zero replicas, or a database operator's cluster is stopped (CloudNativePG `cnpg.io/hibernation: \"on\"`, Crunchy PGO `shutdown: true`, Zalando `numberOfInstances: 0`, Percona `pause: true`, ClickHouse `stop: \"yes\"`, a Cassandra datacenter's `stopped: true`, MongoDB or RabbitMQ scaled to zero members), or Helm values set a `replicaCount` to zero.",
    why: "`replicas: 0` stops every pod of a Deployment or StatefulSet: whatever it served is down until someone scales it back. A hibernated or shut-down database keeps its claims and data, but every application using it is down until it is started again.",
    example: "- replicas: 3\n+ replicas: 0",
    safer: "Drain traffic first (remove it from the Service or Ingress), and scale down in a change of its own.",
};

pub const CLAIM_RETENTION_DELETE: Rule = Rule {
    id: RuleId("kubernetes/claim-retention-delete"),
    severity: Severity::High,
    tags: DESTRUCTIVE,
    summary: "A StatefulSet's `persistentVolumeClaimRetentionPolicy`, or a database operator's equivalent (Strimzi `deleteClaim`, a Percona delete-pvc finalizer, ECK `volumeClaimDeletePolicy`, Redis `keepAfterDeletion`, ClickHouse `reclaimPolicy`), now deletes its claims.",
    why: "With `whenDeleted: Delete` deleting the StatefulSet deletes its PersistentVolumeClaims, and with `whenScaled: Delete` scaling down does; the volumes and their data go with them. Operators that kept a cluster's claims when it was deleted stop keeping them the same way.",
    example: "  persistentVolumeClaimRetentionPolicy:\n-   whenDeleted: Retain\n+   whenDeleted: Delete",
    safer: "Keep `Retain` (the default) for data you care about, and delete claims by hand after a backup.",
};

pub const IMMUTABLE_FIELD_CHANGED: Rule = Rule {
    id: RuleId("kubernetes/immutable-field-changed"),
    severity: Severity::High,
    tags: DESTRUCTIVE,
    summary: "An immutable field changes (a workload's selector, a StatefulSet's volumeClaimTemplates or podManagementPolicy, a Service's clusterIP or loadBalancerClass, a claim's storage class or access modes, a claim made smaller, a PersistentVolume's source or node affinity, a Job's template or completions (medium: the recreated Job runs again), a Strimzi KafkaTopic given fewer partitions, a stateful operator's claim template given another storage class or a smaller size).",
    why: "The API server rejects changes to immutable fields, so the only way to apply them is to delete and recreate the object (`kubectl replace --force`, Argo CD `Replace=true`, Flux `force: true`): pods restart, a Service gets a new address, claims and their data are recreated empty.",
    example: "  selector:\n    matchLabels:\n-     app: web\n+     app: web-v2",
    safer: "Create a new object under a new name next to the old one, move traffic or data to it, then delete the old one.",
};

pub const PRUNE_PROTECTION_REMOVED: Rule = Rule {
    id: RuleId("kubernetes/prune-protection-removed"),
    severity: Severity::Medium,
    tags: DESTRUCTIVE,
    summary: "An annotation that kept an object from being pruned or deleted is removed (`Prune=false`, `Delete=false`, `helm.sh/resource-policy: keep`, Flux `prune: disabled`).",
    why: "These annotations are how a team marks an object (often a claim, a namespace or a CRD) that must survive a sync, an uninstall or its manifest's removal; without them the next prune deletes it. High for stateful kinds.",
    example: "  annotations:\n-   helm.sh/resource-policy: keep",
    safer: "Keep the annotation on objects that hold data; remove it only in a change that also explains how the data is kept.",
};

pub const DELETION_POLICY_WEAKENED: Rule = Rule {
    id: RuleId("kubernetes/deletion-policy-weakened"),
    severity: Severity::High,
    tags: DESTRUCTIVE,
    summary: "A resource managed from Kubernetes (Crossplane, ACK, Config Connector, Azure Service Operator, Strimzi, External Secrets), or a Crossplane Composition's template for one, now deletes the real resource when its object is deleted.",
    why: "Crossplane `deletionPolicy: Orphan` or management policies without `Delete`, ACK `services.k8s.aws/deletion-policy: retain`, Config Connector `cnrm.cloud.google.com/deletion-policy: abandon`, Azure Service Operator `reconcile-policy: detach-on-delete` or `skip`, Strimzi `strimzi.io/managed: \"false\"` and a PushSecret's default `deletionPolicy: None` keep the database, bucket or topic when its Kubernetes object goes; switching them back makes any later removal destroy it. Config Connector's `force-destroy` lets a bucket be deleted with every object in it.",
    example: "  spec:\n-   deletionPolicy: Orphan\n+   deletionPolicy: Delete",
    safer: "Keep the orphan, retain, abandon or detach policy (or management policies without `Delete`) on resources that hold data, and leave `force-destroy` off buckets.",
};

pub const RULES: &[&Rule] = &[
    &SCALED_TO_ZERO,
    &super::members::DATA_MEMBERS_REMOVED,
    &CLAIM_RETENTION_DELETE,
    &IMMUTABLE_FIELD_CHANGED,
    &PRUNE_PROTECTION_REMOVED,
    &DELETION_POLICY_WEAKENED,
];

/// Findings for objects declared on both sides (and, for settings that are dangerous from
/// birth, for new ones).
pub(super) fn compare(view: &FileView, base: &Objects, head: &Objects) -> Vec<Finding> {
    let mut out = Vec::new();
    for (id, new) in head {
        let first = out.len();
        let old = base.get(id).copied();
        if let Some(old) = old {
            replicas(view, id, old, new, &mut out);
            database_stopped(view, id, old, new, &mut out);
            // Helm creates a hook anew on every release (deleting the old one first, its
            // default `before-hook-creation`), never updates it in place: a changed
            // immutable field is how each run of a migration Job differs, not a recreate.
            let hook = super::renders_templates(view)
                && super::helm_hook(old).is_some()
                && super::helm_hook(new).is_some();
            if !hook {
                immutable_fields(view, id, old, new, &mut out);
            }
            gitops::sync_source(view, id, old, new, &mut out);
            gitops::release_placement(view, id, old, new, &mut out);
            prune_protection(view, id, old, new, &mut out);
            deletion_policy(view, id, old, new, &mut out);
            super::load_balancer::compare(view, id, old, new, &mut out);
            super::inline_values::compare(view, id, old, new, &mut out);
            super::appset::compare(view, id, old, new, &mut out);
            super::chart_bumps::compare(view, id, old, new, &mut out);
            super::database_images::compare(view, id, old, new, &mut out);
            out.extend(super::retention::compare(view, id, old, new));
            out.extend(super::backups::compare(view, id, old, new));
            super::positional::compare(view, id, old, new, &mut out);
            super::members::compare(view, id, old, new, &mut out);
        }
        claim_retention(view, id, old, new, &mut out);
        gitops::pruning(view, id, old, new, &mut out);
        // Config allow-lists name Kubernetes objects by this subject.
        for f in &mut out[first..] {
            f.subject = Some(id.subject());
        }
    }
    out.sort_by_key(|f| f.location.line);
    out
}

/// Whether the value at `path` is a template action in a chart template: what it renders to
/// is unknown.
pub(super) fn templated_at(view: &FileView, node: &Node, path: &[&str]) -> bool {
    node.path(path)
        .and_then(Node::as_str)
        .is_some_and(|v| templated(view, v))
}

pub(super) fn head_line(view: &FileView, node: &Node) -> crate::finding::Location {
    view.at(Side::Head, node.line, node.line)
}

fn is_workload(id: &ObjectId) -> bool {
    ["Deployment", "StatefulSet", "ReplicaSet"]
        .iter()
        .any(|k| id.is("apps", k))
}

fn replica_count(node: &Node) -> Option<i64> {
    match node.path(&["spec", "replicas"]) {
        // The API server's default.
        None => Some(1),
        Some(n) => n.as_str()?.parse().ok(),
    }
}

fn replicas(view: &FileView, id: &ObjectId, old: &Node, new: &Node, out: &mut Vec<Finding>) {
    if !is_workload(id) {
        return;
    }
    if replica_count(new) != Some(0) {
        return;
    }
    let before = match replica_count(old) {
        Some(0) => return,
        Some(count) => format!("{count} replica(s)"),
        // Zero written out at head is known whatever the template at base rendered.
        None if templated_at(view, old, &["spec", "replicas"]) => format!(
            "`{}` replicas (a template twokey does not render)",
            old.path(&["spec", "replicas"])
                .and_then(Node::as_str)
                .unwrap_or("")
        ),
        None => return,
    };
    let Some(at) = new.path(&["spec", "replicas"]) else {
        return;
    };
    out.push(Finding::new(
        &SCALED_TO_ZERO,
        head_line(view, at),
        format!("{id} goes from {before} to 0: every pod stops and what it serves is down."),
    ));
}

/// A database cluster that ran and is now told to stop: an outage, not data loss, since the
/// operator keeps the claims. A literal setting at head is known whatever a template at base
/// rendered.
fn database_stopped(
    view: &FileView,
    id: &ObjectId,
    old: &Node,
    new: &Node,
    out: &mut Vec<Finding>,
) {
    let Some((how, at)) = databases::stopped(id, new) else {
        return;
    };
    if databases::stopped(id, old).is_some() {
        return;
    }
    out.push(Finding::new(
        &SCALED_TO_ZERO,
        head_line(view, at),
        format!("{id} now has {how}: the operator stops every database instance (the claims and their data are kept), so whatever uses the database is down until it is started again."),
    ));
}

fn claim_retention(
    view: &FileView,
    id: &ObjectId,
    old: Option<&Node>,
    new: &Node,
    out: &mut Vec<Finding>,
) {
    if let Some(old) = old {
        operator_claim_retention(view, id, old, new, out);
    }
    if !id.is("apps", "StatefulSet") {
        return;
    }
    for (when, meaning) in [
        ("whenDeleted", "deleting the StatefulSet deletes its claims"),
        (
            "whenScaled",
            "scaling it down deletes the claims of the removed pods",
        ),
    ] {
        let key = ["spec", "persistentVolumeClaimRetentionPolicy", when];
        let Some(now) = new.path(&key).filter(|n| n.as_str() == Some("Delete")) else {
            continue;
        };
        if old.and_then(|o| o.path(&key)).and_then(Node::as_str) == Some("Delete") {
            continue;
        }
        out.push(Finding::new(
            &CLAIM_RETENTION_DELETE,
            head_line(view, now),
            format!("{id} now has `{when}: Delete`: {meaning}, and the volumes' data with them."),
        ));
    }
}

/// A database operator's cluster that kept its claims on deletion and now deletes them (a
/// Percona delete-pvc finalizer or Strimzi `deleteClaim: true` added, ECK's keeping policy
/// dropped). A new cluster is not reported: it has no data yet.
fn operator_claim_retention(
    view: &FileView,
    id: &ObjectId,
    old: &Node,
    new: &Node,
    out: &mut Vec<Finding>,
) {
    if databases::claims_deleted(id, old).is_some() {
        return;
    }
    let Some(deleted) = databases::claims_deleted(id, new) else {
        return;
    };
    let (what, at) = match deleted.setting {
        Some((what, at)) => (format!("now has {what}"), at),
        None => (
            "no longer keeps its claims".to_owned(),
            new.path(&["spec"]).unwrap_or(new),
        ),
    };
    out.push(Finding::new(
        &CLAIM_RETENTION_DELETE,
        head_line(view, at),
        format!(
            "{id} {what}: from now on, deleting it deletes its PersistentVolumeClaims and the data in them."
        ),
    ));
}

fn immutable_fields(
    view: &FileView,
    id: &ObjectId,
    old: &Node,
    new: &Node,
    out: &mut Vec<Finding>,
) {
    for changed in super::immutable::changed(view, id, old, new) {
        let mut finding = Finding::new(
            &IMMUTABLE_FIELD_CHANGED,
            head_line(view, changed.at),
            if changed.note.is_empty() {
                format!(
                    "{id} changes `{}`, which cannot be updated in place: applying it means deleting and recreating the object.",
                    changed.path
                )
            } else {
                format!("{id} changes `{}`.{}", changed.path, changed.note)
            },
        );
        // A Job holds no data: recreating it runs it again, an outage or a repeated side
        // effect rather than a loss.
        if id.is("batch", "Job") {
            finding = finding.with_severity(Severity::Medium);
            finding
                .message
                .push_str(" A recreated Job runs its pods again from the start.");
        }
        out.push(finding);
    }
}

/// The Argo CD annotations whose options may protect an object; a mark found in either is
/// reported under the first.
const ARGO_OPTIONS: [&str; 2] = [
    "argocd.argoproj.io/sync-options",
    "argocd.argoproj.io/compare-options",
];

/// The annotation that protects `node` from pruning or deletion, with its value.
pub(super) fn protection_marks(node: &Node) -> Vec<(&'static str, String)> {
    let Some(annotations) = node.path(&["metadata", "annotations"]) else {
        return Vec::new();
    };
    let value = |key: &str| annotations.get(key).and_then(Node::as_str);
    let mut marks = Vec::new();
    for key in ARGO_OPTIONS {
        if let Some(options) = value(key) {
            for option in options.split(',').map(str::trim) {
                if option == "Prune=false" || option == "Delete=false" {
                    marks.push(("argocd.argoproj.io/sync-options", option.to_owned()));
                }
            }
        }
    }
    for (key, keep) in [
        ("helm.sh/resource-policy", "keep"),
        ("kustomize.toolkit.fluxcd.io/prune", "disabled"),
    ] {
        if value(key) == Some(keep) {
            marks.push((key, keep.to_owned()));
        }
    }
    marks
}

fn holds_data(id: &ObjectId) -> bool {
    ["PersistentVolumeClaim", "PersistentVolume", "Namespace"]
        .iter()
        .any(|k| id.is("", k))
        || id.is("apps", "StatefulSet")
        || id.is("apiextensions.k8s.io", "CustomResourceDefinition")
}

fn prune_protection(
    view: &FileView,
    id: &ObjectId,
    old: &Node,
    new: &Node,
    out: &mut Vec<Finding>,
) {
    let kept = protection_marks(new);
    for (key, value) in protection_marks(old) {
        if kept.iter().any(|(k, v)| *k == key && *v == value) {
            continue;
        }
        let written_in = match key {
            "argocd.argoproj.io/sync-options" => &ARGO_OPTIONS[..],
            _ => &[key][..],
        };
        if written_in
            .iter()
            .any(|annotation| templated_at(view, new, &["metadata", "annotations", annotation]))
        {
            // Still written, from a template that may render the mark.
            continue;
        }
        let at = new.path(&["metadata"]).unwrap_or(new);
        let severity = if holds_data(id) {
            Severity::High
        } else {
            PRUNE_PROTECTION_REMOVED.severity
        };
        let consequence = if key == "helm.sh/resource-policy" {
            "the next `helm uninstall`, or an upgrade that stops rendering it, deletes it"
        } else {
            "the next prune, uninstall or removal of its manifest deletes it"
        };
        out.push(
            Finding::new(
                &PRUNE_PROTECTION_REMOVED,
                head_line(view, at),
                format!("{id} loses `{key}: {value}`: {consequence}."),
            )
            .with_severity(severity),
        );
    }
}

/// A managed resource whose deletion was held back (an orphan, retain, abandon or detach
/// policy) and now would not be; or a Config Connector bucket newly allowed to be deleted
/// with the objects in it.
fn deletion_policy(view: &FileView, id: &ObjectId, old: &Node, new: &Node, out: &mut Vec<Finding>) {
    if id.is("apiextensions.crossplane.io", "Composition") {
        composed_deletion_policy(view, id, old, new, out);
        composed_dropped(view, id, old, new, out);
        return;
    }
    let (Some(before), Some(after)) = (managed::external(id, old), managed::external(id, new))
    else {
        return;
    };
    if managed::POLICY_PATHS
        .iter()
        .any(|path| templated_at(view, new, path))
    {
        // Still set, from a template that may render the same policy.
        return;
    }
    match (before.kept_by, &after.kept_by) {
        (Some(kept), None) => {
            let at = managed::policy_location(old, new).unwrap_or(new);
            out.push(Finding::new(
                &DELETION_POLICY_WEAKENED,
                head_line(view, at),
                format!(
                    "{id} no longer has `{kept}`: from now on, deleting this object means {}.",
                    after.deletes
                ),
            ));
        }
        (_, None) => {
            if let Some(at) = managed::force_destroy_added(old, new) {
                out.push(Finding::new(
                    &DELETION_POLICY_WEAKENED,
                    head_line(view, at),
                    format!("{id} now has `{}: \"true\"`: deleting this object deletes the bucket even when it holds objects, and every object in it.", managed::FORCE_DESTROY),
                ));
            }
        }
        _ => {}
    }
}

/// A Composition that stops composing a resource (its entry in `resources`, or in a
/// patch-and-transform step's, is gone or renamed): Crossplane moves every composite that
/// follows the Composition's latest revision (the default, `compositionUpdatePolicy:
/// Automatic`) to it and deletes the composed resource it no longer renders, and with it the
/// cloud resource, unless its template orphaned it. Composed resources are known by their
/// entry's name, so a renamed entry is deleted and composed anew.
fn composed_dropped(
    view: &FileView,
    id: &ObjectId,
    old: &Node,
    new: &Node,
    out: &mut Vec<Finding>,
) {
    let kept = managed::composed_bases(new);
    // Entries are few (a handful per Composition): a scan is cheaper than a map.
    let is_kept = |name: &str| kept.iter().any(|(n, _)| *n == name);
    let at = new
        .path(&["spec", "resources"])
        .or_else(|| new.path(&["spec", "pipeline"]))
        .unwrap_or(new);
    for (name, base) in managed::composed_bases(old) {
        // A templated name may render what the new text renders.
        if is_kept(name) || templated(view, name) {
            continue;
        }
        let Some(external) = managed::composed_external(base) else {
            continue;
        };
        if external.kept_by.is_some() {
            continue;
        }
        let kind = base
            .get("kind")
            .and_then(Node::as_str)
            .unwrap_or("resource");
        out.push(Finding::new(
            &super::MANAGED_RESOURCE_DELETED,
            head_line(view, at),
            format!("{id} no longer composes `{name}` ({kind}): Crossplane deletes that composed resource from every composite that follows this Composition's latest revision, and {} (a renamed entry is deleted and created anew).", external.deletes),
        ));
    }
}

/// A Composition whose template for a composed resource loses what kept it: Crossplane
/// updates the resources it already composed from the template, so every composite built
/// from it now deletes that cloud resource when it is deleted.
fn composed_deletion_policy(
    view: &FileView,
    id: &ObjectId,
    old: &Node,
    new: &Node,
    out: &mut Vec<Finding>,
) {
    let before = managed::composed_bases(old);
    for (name, base) in managed::composed_bases(new) {
        let Some(was) = before.iter().find(|(n, _)| *n == name).map(|(_, b)| *b) else {
            continue;
        };
        let kept = managed::composed_external(was).and_then(|e| e.kept_by);
        let (Some(kept), Some(now)) = (kept, managed::composed_external(base)) else {
            continue;
        };
        if now.kept_by.is_some()
            || managed::POLICY_PATHS
                .iter()
                .any(|path| templated_at(view, base, path))
        {
            continue;
        }
        let at = managed::policy_location(was, base).unwrap_or(base);
        out.push(Finding::new(
            &DELETION_POLICY_WEAKENED,
            head_line(view, at),
            format!("{id} no longer gives its composed resource `{name}` `{kept}`: Crossplane updates the resources already composed from it, so deleting any composite built from this Composition now means {}.", now.deletes),
        ));
    }
}

#[cfg(test)]
mod tests {
    use crate::analyze::files::testkit::{ids, Case};
    use crate::analyze::kubernetes::analyze;
    use crate::finding::{Finding, Severity};

    const PATH: &str = "deploy/app.yaml";

    fn run(base: &str, head: &str) -> Vec<Finding> {
        Case::modified(PATH, base, head).run(analyze)
    }

    const WEB: &str = "\
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  namespace: shop
spec:
  replicas: 3
  selector:
    matchLabels:
      app: web
  template:
    metadata:
      labels:
        app: web
";

    #[test]
    fn scaling_a_running_workload_to_zero_is_reported_at_the_replicas_line() {
        let f = run(WEB, &WEB.replace("replicas: 3", "replicas: 0"));
        assert_eq!(ids(&f), ["kubernetes/scaled-to-zero"]);
        assert_eq!(f[0].location.line, Some(7));
        assert_eq!(f[0].subject.as_deref(), Some("shop/Deployment/web"));
        assert!(
            f[0].message.contains("from 3 replica(s) to 0"),
            "{}",
            f[0].message
        );
        // No replicas key means one running pod.
        let implicit = WEB.replace("  replicas: 3\n", "");
        assert_eq!(
            ids(&run(&implicit, &WEB.replace("replicas: 3", "replicas: 0"))),
            ["kubernetes/scaled-to-zero"]
        );
    }

    #[test]
    fn scaling_up_down_to_one_or_staying_at_zero_is_quiet() {
        assert!(run(WEB, &WEB.replace("replicas: 3", "replicas: 1")).is_empty());
        let zero = WEB.replace("replicas: 3", "replicas: 0");
        assert!(run(
            &zero,
            &zero.replace(
                "  namespace: shop\n",
                "  namespace: shop\n  labels: {team: a}\n"
            )
        )
        .is_empty());
        assert!(run(&zero, WEB).is_empty());
    }

    const ORDERS_DB: &str = "\
apiVersion: postgresql.cnpg.io/v1
kind: Cluster
metadata:
  name: orders-db
  namespace: shop
spec:
  instances: 3
  storage:
    size: 20Gi
";

    #[test]
    fn hibernating_or_shutting_down_a_database_cluster_is_an_outage() {
        let hibernated = ORDERS_DB.replace(
            "  namespace: shop\n",
            "  namespace: shop\n  annotations:\n    cnpg.io/hibernation: \"on\"\n",
        );
        let f = run(ORDERS_DB, &hibernated);
        assert_eq!(ids(&f), ["kubernetes/scaled-to-zero"]);
        assert_eq!(f[0].severity, Severity::Medium);
        assert_eq!(f[0].location.line, Some(7));
        assert!(
            f[0].message.contains("claims and their data are kept"),
            "{}",
            f[0].message
        );
        let crunchy = "apiVersion: postgres-operator.crunchydata.com/v1beta1\nkind: PostgresCluster\nmetadata:\n  name: hippo\nspec:\n  postgresVersion: 16\n";
        let shut = format!("{crunchy}  shutdown: true\n");
        assert_eq!(ids(&run(crunchy, &shut)), ["kubernetes/scaled-to-zero"]);
    }

    #[test]
    fn waking_a_database_or_keeping_it_asleep_is_quiet() {
        let hibernated = ORDERS_DB.replace(
            "  namespace: shop\n",
            "  namespace: shop\n  annotations:\n    cnpg.io/hibernation: \"on\"\n",
        );
        assert!(run(&hibernated, ORDERS_DB).is_empty());
        assert!(run(&hibernated, &hibernated.replace("size: 20Gi", "size: 30Gi")).is_empty());
        assert!(run(ORDERS_DB, &hibernated.replace("\"on\"", "\"off\"")).is_empty());
        // CloudNativePG's minimum is one instance: the API server rejects zero, so nothing stops.
        for n in ["1", "0"] {
            let scaled = ORDERS_DB.replace("instances: 3", &format!("instances: {n}"));
            assert!(run(ORDERS_DB, &scaled).is_empty(), "{n}");
        }
    }

    #[test]
    fn changing_a_selector_is_an_immutable_field_change_at_its_head_line() {
        let head = WEB.replacen("      app: web\n", "      app: web-v2\n", 1);
        let f = run(WEB, &head);
        assert_eq!(ids(&f), ["kubernetes/immutable-field-changed"]);
        assert!(f[0].message.contains("`spec.selector`"), "{}", f[0].message);
        assert_eq!(f[0].location.line, Some(9));
        // Template labels are mutable.
        let labels = WEB.replace(
            "        app: web\n",
            "        app: web\n        tier: front\n",
        );
        assert!(run(WEB, &labels).is_empty());
    }

    const DB: &str = "\
apiVersion: apps/v1
kind: StatefulSet
metadata:
  name: db
spec:
  serviceName: db
  persistentVolumeClaimRetentionPolicy:
    whenDeleted: Retain
    whenScaled: Retain
  volumeClaimTemplates:
    - metadata:
        name: data
      spec:
        resources:
          requests:
            storage: 10Gi
";

    #[test]
    fn claim_retention_switched_to_delete_is_high_per_setting() {
        let head = DB.replace("whenDeleted: Retain", "whenDeleted: Delete");
        let f = run(DB, &head);
        assert_eq!(ids(&f), ["kubernetes/claim-retention-delete"]);
        assert_eq!(f[0].severity, Severity::High);
        assert_eq!(f[0].location.line, Some(8));
        let both = head.replace("whenScaled: Retain", "whenScaled: Delete");
        assert_eq!(run(DB, &both).len(), 2);
        // Already Delete on the base: quiet.
        assert!(run(&head, &head.replace("10Gi", "10Gi\n")).is_empty());
    }

    #[test]
    fn a_new_statefulset_that_deletes_its_claims_is_reported_too() {
        let head = DB.replace("whenDeleted: Retain", "whenDeleted: Delete");
        let f = Case::added(PATH, &head).run(analyze);
        assert_eq!(ids(&f), ["kubernetes/claim-retention-delete"]);
    }

    #[test]
    fn resizing_a_volume_claim_template_is_an_immutable_field_change() {
        let f = run(DB, &DB.replace("10Gi", "20Gi"));
        assert_eq!(ids(&f), ["kubernetes/immutable-field-changed"]);
        assert!(
            f[0].message.contains("volumeClaimTemplates"),
            "{}",
            f[0].message
        );
    }

    #[test]
    fn removing_a_keep_annotation_is_reported_and_high_for_a_claim() {
        let base = "apiVersion: v1\nkind: PersistentVolumeClaim\nmetadata:\n  name: data\n  annotations:\n    helm.sh/resource-policy: keep\nspec:\n  resources:\n    requests:\n      storage: 1Gi\n";
        let head = base.replace("  annotations:\n    helm.sh/resource-policy: keep\n", "");
        let f = run(base, &head);
        assert_eq!(ids(&f), ["kubernetes/prune-protection-removed"]);
        assert_eq!(f[0].severity, Severity::High);
        let cm = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\n  annotations:\n    argocd.argoproj.io/sync-options: Prune=false,ServerSideApply=true\n";
        let f = run(cm, &cm.replace("Prune=false,", ""));
        assert_eq!(ids(&f), ["kubernetes/prune-protection-removed"]);
        assert_eq!(f[0].severity, Severity::Medium);
        assert!(run(cm, &cm.replace(",ServerSideApply=true", "")).is_empty());
    }

    const BUCKET: &str = "\
apiVersion: s3.aws.upbound.io/v1beta1
kind: Bucket
metadata:
  name: invoices
spec:
  deletionPolicy: Orphan
  forProvider:
    region: eu-west-1
";

    #[test]
    fn a_managed_resource_losing_its_orphan_policy_is_reported() {
        let f = run(BUCKET, &BUCKET.replace("Orphan", "Delete"));
        assert_eq!(ids(&f), ["kubernetes/deletion-policy-weakened"]);
        assert_eq!(f[0].location.line, Some(6));
        assert!(run(&BUCKET.replace("Orphan", "Delete"), BUCKET).is_empty());
    }

    #[test]
    fn removing_a_managed_resource_deletes_the_cloud_resource_unless_orphaned() {
        let deleting = BUCKET.replace("Orphan", "Delete");
        let f = Case::modified(PATH, &deleting, "").run(analyze);
        assert_eq!(ids(&f), ["kubernetes/managed-resource-deleted"]);
        assert_eq!(f[0].severity, Severity::Critical);
        let f = Case::modified(PATH, BUCKET, "").run(analyze);
        assert_eq!(ids(&f), ["kubernetes/object-deleted"]);
        assert_eq!(f[0].severity, Severity::Low);
        assert!(f[0].message.contains("left running"), "{}", f[0].message);
        // Nothing is destroyed, so the destructive tier does not apply.
        assert_eq!(f[0].tags, vec![crate::finding::Tag::Infra]);
    }

    #[test]
    fn management_policies_that_start_allowing_delete_weaken_the_resource() {
        let observed = BUCKET.replace(
            "  deletionPolicy: Orphan\n",
            "  managementPolicies: [\"Observe\", \"Create\", \"Update\"]\n",
        );
        let full = observed.replace("[\"Observe\", \"Create\", \"Update\"]", "[\"*\"]");
        let f = run(&observed, &full);
        assert_eq!(ids(&f), ["kubernetes/deletion-policy-weakened"]);
        assert_eq!(f[0].location.line, Some(6));
        assert!(
            f[0].message
                .contains("managementPolicies: [Observe, Create, Update]"),
            "{}",
            f[0].message
        );
        // Dropping the policies (back to the default, full control) weakens it as well.
        let dropped = observed.replace(
            "  managementPolicies: [\"Observe\", \"Create\", \"Update\"]\n",
            "",
        );
        assert_eq!(
            ids(&run(&observed, &dropped)),
            ["kubernetes/deletion-policy-weakened"]
        );
        // Adding Delete to policies that override an Orphan deletion policy does too.
        let both = BUCKET.replace(
            "  deletionPolicy: Orphan\n",
            "  deletionPolicy: Orphan\n  managementPolicies: [Observe, Create]\n",
        );
        let f = run(
            &both,
            &both.replace("[Observe, Create]", "[Observe, Create, Delete]"),
        );
        assert_eq!(ids(&f), ["kubernetes/deletion-policy-weakened"]);
        assert_eq!(f[0].location.line, Some(7));
        // Narrowing the policies, or dropping Update while keeping Delete out, is quiet.
        assert!(run(&full, &observed).is_empty());
        assert!(run(&observed, &observed.replace(", \"Update\"", "")).is_empty());
    }

    #[test]
    fn azure_and_strimzi_protections_removed_are_deletion_policy_weakened() {
        let group = "\
apiVersion: resources.azure.com/v1api20200601
kind: ResourceGroup
metadata:
  name: prod
  namespace: infra
  annotations:
    serviceoperator.azure.com/reconcile-policy: detach-on-delete
spec:
  location: westeurope
";
        let f = run(group, &group.replace("detach-on-delete", "manage"));
        assert_eq!(ids(&f), ["kubernetes/deletion-policy-weakened"]);
        assert!(
            f[0].message.contains("every Azure resource in the group"),
            "{}",
            f[0].message
        );
        assert!(run(group, &group.replace("detach-on-delete", "skip")).is_empty());
        let topic = "\
apiVersion: kafka.strimzi.io/v1beta2
kind: KafkaTopic
metadata:
  name: orders
  annotations:
    strimzi.io/managed: \"false\"
spec:
  partitions: 12
";
        let f = run(topic, &topic.replace("\"false\"", "\"true\""));
        assert_eq!(ids(&f), ["kubernetes/deletion-policy-weakened"]);
        assert!(run(topic, &topic.replace("12", "24")).is_empty());
    }

    #[test]
    fn force_destroy_on_a_config_connector_bucket_is_a_weakening_unless_abandoned() {
        let bucket = "\
apiVersion: storage.cnrm.cloud.google.com/v1beta1
kind: StorageBucket
metadata:
  name: invoices
  annotations:
    cnrm.cloud.google.com/project-id: acme
spec:
  location: US
";
        let forced = bucket.replace(
            "project-id: acme\n",
            "project-id: acme\n    cnrm.cloud.google.com/force-destroy: \"true\"\n",
        );
        let f = run(bucket, &forced);
        assert_eq!(ids(&f), ["kubernetes/deletion-policy-weakened"]);
        assert_eq!(f[0].location.line, Some(7));
        assert!(
            f[0].message.contains("every object in it"),
            "{}",
            f[0].message
        );
        // Abandoned, the bucket outlives its object whatever force-destroy says.
        let abandoned = |t: &str| {
            t.replace(
                "project-id: acme\n",
                "project-id: acme\n    cnrm.cloud.google.com/deletion-policy: abandon\n",
            )
        };
        assert!(run(&abandoned(bucket), &abandoned(&forced)).is_empty());
        assert!(run(&forced, bucket).is_empty());
    }

    #[test]
    fn an_operator_cluster_that_starts_deleting_its_claims_is_claim_retention_delete() {
        let pxc = "\
apiVersion: pxc.percona.com/v1
kind: PerconaXtraDBCluster
metadata:
  name: cluster1
  namespace: db
  finalizers:
    - percona.com/delete-pxc-pods-in-order
spec:
  pxc:
    size: 3
";
        let with = pxc.replace(
            "pods-in-order\n",
            "pods-in-order\n    - percona.com/delete-pxc-pvc\n",
        );
        let f = run(pxc, &with);
        assert_eq!(ids(&f), ["kubernetes/claim-retention-delete"]);
        assert_eq!(f[0].location.line, Some(8));
        assert!(
            f[0].message.contains("percona.com/delete-pxc-pvc"),
            "{}",
            f[0].message
        );
        assert!(run(&with, pxc).is_empty());
        assert!(run(&with, &with.replace("size: 3", "size: 5")).is_empty());
        let es = "\
apiVersion: elasticsearch.k8s.elastic.co/v1
kind: Elasticsearch
metadata:
  name: logs
spec:
  version: 8.13.0
  volumeClaimDeletePolicy: DeleteOnScaledownOnly
";
        let f = run(
            es,
            &es.replace(
                "DeleteOnScaledownOnly",
                "DeleteOnScaledownAndClusterDeletion",
            ),
        );
        assert_eq!(ids(&f), ["kubernetes/claim-retention-delete"]);
        assert_eq!(f[0].location.line, Some(7));
        // Dropped, the policy falls back to ECK's default, which deletes.
        let f = run(
            es,
            &es.replace("  volumeClaimDeletePolicy: DeleteOnScaledownOnly\n", ""),
        );
        assert_eq!(ids(&f), ["kubernetes/claim-retention-delete"]);
        // A cluster that always deletes its claims changes nothing by being edited.
        let cnpg = "apiVersion: postgresql.cnpg.io/v1\nkind: Cluster\nmetadata:\n  name: pg\nspec:\n  instances: 3\n";
        assert!(run(cnpg, &cnpg.replace("instances: 3", "instances: 5")).is_empty());
    }

    #[test]
    fn a_composition_whose_composed_resource_loses_its_orphan_policy_is_reported() {
        let composition = "\
apiVersion: apiextensions.crossplane.io/v1
kind: Composition
metadata:
  name: xpostgres-aws
spec:
  mode: Pipeline
  pipeline:
    - step: patch-and-transform
      input:
        resources:
          - name: rdsinstance
            base:
              apiVersion: rds.aws.upbound.io/v1beta1
              kind: Instance
              spec:
                deletionPolicy: Orphan
                forProvider:
                  instanceClass: db.t3.micro
";
        let f = run(composition, &composition.replace("Orphan", "Delete"));
        assert_eq!(ids(&f), ["kubernetes/deletion-policy-weakened"]);
        assert_eq!(f[0].location.line, Some(16));
        assert!(f[0].message.contains("`rdsinstance`"), "{}", f[0].message);
        assert!(run(composition, &composition.replace("t3.micro", "t3.large")).is_empty());
        assert!(run(&composition.replace("Orphan", "Delete"), composition).is_empty());
    }

    const COMPOSITION: &str = "\
apiVersion: apiextensions.crossplane.io/v1
kind: Composition
metadata:
  name: xpostgres-aws
spec:
  mode: Pipeline
  pipeline:
    - step: patch-and-transform
      functionRef:
        name: function-patch-and-transform
      input:
        apiVersion: pt.fn.crossplane.io/v1beta1
        kind: Resources
        resources:
          - name: rdsinstance
            base:
              apiVersion: rds.aws.upbound.io/v1beta1
              kind: Instance
              spec:
                forProvider:
                  instanceClass: db.t3.micro
          - name: subnetgroup
            base:
              apiVersion: rds.aws.upbound.io/v1beta1
              kind: SubnetGroup
";

    #[test]
    fn a_composition_that_stops_composing_a_resource_deletes_it_everywhere() {
        let head = COMPOSITION.replace(
            "          - name: rdsinstance\n            base:\n              apiVersion: rds.aws.upbound.io/v1beta1\n              kind: Instance\n              spec:\n                forProvider:\n                  instanceClass: db.t3.micro\n",
            "",
        );
        let f = run(COMPOSITION, &head);
        assert_eq!(ids(&f), ["kubernetes/managed-resource-deleted"]);
        assert_eq!(f[0].severity, Severity::Critical);
        assert!(
            f[0].message.contains("`rdsinstance` (Instance)"),
            "{}",
            f[0].message
        );
        // Renamed: composed anew under the new name.
        let renamed = COMPOSITION.replace("name: rdsinstance", "name: database");
        assert_eq!(
            ids(&run(COMPOSITION, &renamed)),
            ["kubernetes/managed-resource-deleted"]
        );
        // The legacy list too.
        let legacy = "apiVersion: apiextensions.crossplane.io/v1\nkind: Composition\nmetadata:\n  name: c\nspec:\n  resources:\n    - name: bucket\n      base:\n        apiVersion: s3.aws.upbound.io/v1beta1\n        kind: Bucket\n    - name: policy\n      base:\n        apiVersion: s3.aws.upbound.io/v1beta1\n        kind: BucketPolicy\n";
        let f = run(legacy, &legacy.replace("    - name: bucket\n      base:\n        apiVersion: s3.aws.upbound.io/v1beta1\n        kind: Bucket\n", ""));
        assert_eq!(ids(&f), ["kubernetes/managed-resource-deleted"]);
    }

    #[test]
    fn a_composition_keeping_or_orphaning_its_resources_is_quiet() {
        // Reordered, edited, or grown.
        let first = "          - name: rdsinstance\n            base:\n              apiVersion: rds.aws.upbound.io/v1beta1\n              kind: Instance\n              spec:\n                forProvider:\n                  instanceClass: db.t3.micro\n";
        let reordered = format!("{}{first}", COMPOSITION.replace(first, ""));
        assert!(run(COMPOSITION, &reordered).is_empty());
        assert!(run(COMPOSITION, &reordered).is_empty());
        assert!(run(COMPOSITION, &COMPOSITION.replace("t3.micro", "t3.large")).is_empty());
        // An orphaned resource outlives its composed object.
        let orphaned = COMPOSITION.replace("              spec:\n                forProvider:", "              spec:\n                deletionPolicy: Orphan\n                forProvider:");
        let dropped = orphaned.replace("name: rdsinstance", "name: database");
        assert!(run(&orphaned, &dropped).is_empty());
        // A composed Crossplane configuration object is no cloud resource.
        let config = COMPOSITION.replace(
            "apiVersion: rds.aws.upbound.io/v1beta1\n              kind: SubnetGroup",
            "apiVersion: aws.upbound.io/v1beta1\n              kind: ProviderConfig",
        );
        assert!(run(
            &config,
            &config.replace("name: subnetgroup", "name: providerconfig")
        )
        .is_empty());
    }

    #[test]
    fn removing_a_finished_job_or_a_pod_is_housekeeping() {
        let job = "apiVersion: batch/v1\nkind: Job\nmetadata:\n  name: migrate-42\nspec:\n  template: {}\n";
        let f = Case::modified("k8s/jobs.yaml", job, "").run(analyze);
        assert_eq!(ids(&f), ["kubernetes/object-deleted"]);
        assert_eq!(
            (f[0].severity, f[0].tags.clone()),
            (Severity::Low, vec![crate::finding::Tag::Infra])
        );
        let cron = job.replace("kind: Job", "kind: CronJob");
        let f = Case::modified("k8s/jobs.yaml", &cron, "").run(analyze);
        assert!(
            f[0].tags.contains(&crate::finding::Tag::Destructive),
            "{f:?}"
        );
    }
}
