//! immutable: the fields of built-in kinds that the API server will not update in place, and
//! whether a change declares a different value for one. Applying such a change means deleting
//! and recreating the object; reporting it is [`super::settings`]' job, this module only
//! decides which field changed.
//!
//! A field the server fills in when it is left out is compared with what it fills in: a
//! default written out (`podManagementPolicy: OrderedReady`) or dropped is no change, while a
//! value allocated per object (a Service's `clusterIP`, a claim's default storage class) is
//! unknown, so only a change between two written values counts.

use super::template::Comparison;
use super::{compared, templated, ObjectId};
use crate::analyze::FileView;
use crate::yaml::Node;

/// What leaving a field out means.
#[derive(Clone, Copy)]
enum Absent {
    /// The server picks a value per object that the manifest cannot know: adding or
    /// dropping the field says nothing about whether it changes.
    Allocated,
    /// The field takes this default.
    Default(&'static str),
    /// The field is empty: adding or removing it changes the object.
    Empty,
}

struct Field {
    path: &'static [&'static str],
    absent: Absent,
}

const fn allocated(path: &'static [&'static str]) -> Field {
    Field {
        path,
        absent: Absent::Allocated,
    }
}

/// A StatefulSet may change only its replicas, template, update strategy, ordinals, revision
/// history limit, claim retention policy and minReadySeconds.
const STATEFUL_SET: &[Field] = &[
    allocated(&["spec", "selector"]),
    allocated(&["spec", "volumeClaimTemplates"]),
    allocated(&["spec", "serviceName"]),
    Field {
        path: &["spec", "podManagementPolicy"],
        absent: Absent::Default("OrderedReady"),
    },
];

const WORKLOAD: &[Field] = &[allocated(&["spec", "selector"])];

const JOB: &[Field] = &[
    allocated(&["spec", "selector"]),
    allocated(&["spec", "template"]),
];

const SERVICE: &[Field] = &[allocated(&["spec", "clusterIP"])];

/// A bound claim may change only its requested storage (growing it) and its volume
/// attributes class.
const CLAIM: &[Field] = &[
    allocated(&["spec", "storageClassName"]),
    allocated(&["spec", "volumeName"]),
    // Usually written; when left out, an admission plugin may default it.
    allocated(&["spec", "accessModes"]),
    Field {
        path: &["spec", "volumeMode"],
        absent: Absent::Default("Filesystem"),
    },
    Field {
        path: &["spec", "selector"],
        absent: Absent::Empty,
    },
    Field {
        path: &["spec", "dataSource"],
        absent: Absent::Empty,
    },
    // Mirrored from `dataSource` by the server when only that one is written.
    allocated(&["spec", "dataSourceRef"]),
];

/// A PersistentVolume's node affinity says where its data is: set at creation, never
/// updated (added, changed or removed alike).
const VOLUME: &[Field] = &[
    Field {
        path: &["spec", "volumeMode"],
        absent: Absent::Default("Filesystem"),
    },
    Field {
        path: &["spec", "nodeAffinity"],
        absent: Absent::Empty,
    },
];

/// Fields the API server will not update in place, per kind.
fn fields(id: &ObjectId) -> &'static [Field] {
    if id.is("apps", "StatefulSet") {
        STATEFUL_SET
    } else if id.is("apps", "Deployment")
        || id.is("apps", "DaemonSet")
        || id.is("apps", "ReplicaSet")
    {
        WORKLOAD
    } else if id.is("batch", "Job") {
        JOB
    } else if id.is("", "Service") {
        SERVICE
    } else if id.is("", "PersistentVolumeClaim") {
        CLAIM
    } else if id.is("", "PersistentVolume") {
        VOLUME
    } else {
        &[]
    }
}

/// An immutable field whose value differs across the change: its path, for the message, and
/// the head node to point at.
pub(super) struct Changed<'a> {
    pub path: String,
    pub at: &'a Node,
    /// Why, when a controller rather than the API server refuses the change; else empty.
    pub note: &'static str,
}

/// Every immutable field of `id` that the change gives another value.
pub(super) fn changed<'a>(
    view: &FileView,
    id: &ObjectId,
    old: &Node,
    new: &'a Node,
) -> Vec<Changed<'a>> {
    let mut out = Vec::new();
    for field in fields(id) {
        let (before, after) = (old.path(field.path), new.path(field.path));
        let differs = match (before, after, field.absent) {
            (Some(b), Some(a), _) => compared(view, b, a) == Comparison::Differs,
            (_, _, Absent::Allocated) | (None, None, _) => false,
            (Some(one), None, Absent::Default(default))
            | (None, Some(one), Absent::Default(default)) => one
                .as_str()
                .is_some_and(|v| v != default && !templated(view, v)),
            (Some(_), None, Absent::Empty) | (None, Some(_), Absent::Empty) => {
                !is_templated_node(view, before.or(after))
            }
        };
        if differs {
            out.push(Changed {
                path: field.path.join("."),
                // A field dropped at head is pointed at through the object.
                at: after.unwrap_or(new),
                note: "",
            });
        }
    }
    if id.is("", "Service") {
        out.extend(service(old, new));
    }
    if id.is("", "PersistentVolumeClaim") {
        out.extend(claim_shrunk(old, new));
    }
    if id.is("", "PersistentVolume") {
        out.extend(volume_source(view, old, new));
    }
    if id.is("kafka.strimzi.io", "KafkaTopic") {
        out.extend(partitions_reduced(old, new));
        out.extend(topic_renamed(view, old, new));
    }
    if id.is("batch", "Job") {
        out.extend(job_completions(view, old, new));
    }
    out
}

/// A Job's `completions`, which only an Indexed Job may change, and then only together with
/// `parallelism` to the same number (elastic Indexed Jobs). `parallelism` alone is mutable.
fn job_completions<'a>(view: &FileView, old: &Node, new: &'a Node) -> Option<Changed<'a>> {
    let path = ["spec", "completions"];
    let (before, at) = (old.path(&path)?, new.path(&path)?);
    if compared(view, before, at) != Comparison::Differs {
        return None;
    }
    let indexed = new.path(&["spec", "completionMode"]).and_then(Node::as_str) == Some("Indexed");
    let parallelism = new.path(&["spec", "parallelism"]).and_then(Node::as_str);
    if indexed && parallelism.is_some() && parallelism == at.as_str() {
        return None;
    }
    Some(Changed {
        path: path.join("."),
        at,
        note: "",
    })
}

/// A Kafka topic given fewer partitions: Kafka cannot remove partitions, so Strimzi's Topic
/// Operator refuses the change (the topic goes NotReady), and the only way to apply it is to
/// delete the topic, and its messages, and create it again.
fn partitions_reduced<'a>(old: &Node, new: &'a Node) -> Option<Changed<'a>> {
    let path = ["spec", "partitions"];
    let before: u64 = old.path(&path)?.as_str()?.trim().parse().ok()?;
    let at = new.path(&path)?;
    let after: u64 = at.as_str()?.trim().parse().ok()?;
    (after < before).then(|| Changed {
        path: path.join("."),
        at,
        note: " Kafka cannot remove partitions: Strimzi's Topic Operator refuses the change and the topic goes NotReady; applying it means deleting the topic, and every message in it, and creating it again.",
    })
}

/// A KafkaTopic pointed at another Kafka topic (`spec.topicName`, which defaults to the
/// object's name): Kafka has no rename and Strimzi's Topic Operator refuses the change (the
/// KafkaTopic goes NotReady), so the only way to apply it is to delete the KafkaTopic, which
/// deletes the old topic and every message in it, and create a new, empty one.
fn topic_renamed<'a>(view: &FileView, old: &Node, new: &'a Node) -> Option<Changed<'a>> {
    let (before, after) = (topic_name(old)?, topic_name(new)?);
    // A templated name may render the same topic.
    if before == after || templated(view, before) || templated(view, after) {
        return None;
    }
    Some(Changed {
        path: "spec.topicName".to_owned(),
        at: new.path(&["spec", "topicName"]).unwrap_or(new),
        note: " Kafka cannot rename a topic and Strimzi's Topic Operator refuses the change (the KafkaTopic goes NotReady); moving to the new name means deleting the KafkaTopic, which deletes the old topic and every message in it, and creating a new, empty one. Create a second KafkaTopic for the new name, move producers and consumers, then remove the old one in its own change.",
    })
}

/// The Kafka topic a KafkaTopic manages: `spec.topicName`, or else the object's name.
fn topic_name(node: &Node) -> Option<&str> {
    node.path(&["spec", "topicName"])
        .or_else(|| node.path(&["metadata", "name"]))
        .and_then(Node::as_str)
}

fn is_templated_node(view: &FileView, node: Option<&Node>) -> bool {
    node.and_then(Node::as_str)
        .is_some_and(|v| templated(view, v))
}

fn service_type(node: &Node) -> &str {
    node.path(&["spec", "type"])
        .and_then(Node::as_str)
        .unwrap_or("ClusterIP")
}

/// A Service's fields that are immutable only in some states. Making a Service headless
/// (`clusterIP: None` where the server had allocated an address) is rejected, unless it was
/// an ExternalName, which has no address. A LoadBalancer's `loadBalancerClass` cannot change
/// once set; one added where there was none is left alone, since a controller's webhook may
/// have set that very class (the AWS Load Balancer Controller does).
fn service<'a>(old: &Node, new: &'a Node) -> Option<Changed<'a>> {
    let ip = ["spec", "clusterIP"];
    let headless = |n: &Node| n.path(&ip).and_then(Node::as_str) == Some("None");
    if old.path(&ip).is_none() && headless(new) && service_type(old) != "ExternalName" {
        return Some(Changed {
            path: "spec.clusterIP".to_owned(),
            at: new.path(&ip)?,
            note: "",
        });
    }
    let class = ["spec", "loadBalancerClass"];
    if service_type(old) == "LoadBalancer" && service_type(new) == "LoadBalancer" {
        let before = old.path(&class)?;
        let differs = match new.path(&class) {
            Some(after) => !before.same_value(after),
            None => true,
        };
        if differs {
            return Some(Changed {
                path: "spec.loadBalancerClass".to_owned(),
                at: new.path(&class).or_else(|| new.get("spec"))?,
                note: "",
            });
        }
    }
    None
}

/// A claim's requested storage made smaller: the API server refuses to shrink a bound claim
/// (volumes do not shrink), so the only way to apply it is a new, empty claim.
fn claim_shrunk<'a>(old: &Node, new: &'a Node) -> Option<Changed<'a>> {
    let path = ["spec", "resources", "requests", "storage"];
    let before = quantity(old.path(&path)?.as_str()?)?;
    let at = new.path(&path)?;
    let after = quantity(at.as_str()?)?;
    (after < before).then(|| Changed {
        path: path.join("."),
        at,
        note: "",
    })
}

/// A resource quantity in billionths of a byte (`50Gi`, `500M`, `1.5Ti`, `1e9`,
/// `53687091200`), or `None` for what it cannot read (a template, a typo, a size too large
/// to hold): an unknown size is not called a shrink. Read exactly, in integers, so that one
/// size written two ways (`1.1G`, `1100M`) compares equal; finer than a billionth is cut.
pub(super) fn quantity(text: &str) -> Option<i128> {
    let text = text.trim();
    let (negative, text) = match text.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, text.strip_prefix('+').unwrap_or(text)),
    };
    let end = text
        .find(|c: char| !c.is_ascii_digit() && c != '.')
        .unwrap_or(text.len());
    let (number, suffix) = text.split_at(end);
    let (whole, fraction) = number.split_once('.').unwrap_or((number, ""));
    if (whole.is_empty() && fraction.is_empty()) || fraction.contains('.') {
        return None;
    }
    // The number is `digits` × 10^`power` billionths, × 1024^`binary`.
    let digits: i128 = format!("{whole}{fraction}").parse().ok()?;
    let mut power = 9 - i64::try_from(fraction.len()).ok()?;
    let mut binary = 0;
    match suffix {
        "" => {}
        "k" => power += 3,
        "M" => power += 6,
        "G" => power += 9,
        "T" => power += 12,
        "P" => power += 15,
        "E" => power += 18,
        "Ki" => binary = 1,
        "Mi" => binary = 2,
        "Gi" => binary = 3,
        "Ti" => binary = 4,
        "Pi" => binary = 5,
        "Ei" => binary = 6,
        // A decimal exponent: `1e9`, `5E-3`.
        _ => power += i64::from(suffix.strip_prefix(['e', 'E'])?.parse::<i32>().ok()?),
    }
    let value = digits.checked_mul(1024i128.pow(binary))?;
    let value = if power >= 0 {
        value.checked_mul(10i128.checked_pow(u32::try_from(power).ok()?)?)?
    } else {
        u32::try_from(-power)
            .ok()
            .and_then(|p| 10i128.checked_pow(p))
            .map_or(0, |scale| value / scale)
    };
    Some(if negative { -value } else { value })
}

/// The keys of a PersistentVolume's spec that do not say where its data lives; everything
/// else (`csi`, `nfs`, `hostPath`, `awsElasticBlockStore`, ...) is the volume source, which
/// the API server never updates.
const VOLUME_SETTINGS: &[&str] = &[
    "capacity",
    "accessModes",
    "claimRef",
    "persistentVolumeReclaimPolicy",
    "storageClassName",
    "mountOptions",
    "volumeMode",
    "nodeAffinity",
    "volumeAttributesClassName",
];

fn volume_source_keys(spec: &Node) -> Vec<&(String, Node)> {
    spec.as_map()
        .iter()
        .filter(|(key, _)| !VOLUME_SETTINGS.contains(&key.as_str()))
        .collect()
}

fn volume_source<'a>(view: &FileView, old: &Node, new: &'a Node) -> Option<Changed<'a>> {
    let spec = new.get("spec")?;
    let (before, after) = (
        volume_source_keys(old.get("spec")?),
        volume_source_keys(spec),
    );
    // No source on either side (a templated spec, a partial manifest): nothing to compare.
    if before.is_empty() || after.is_empty() {
        return None;
    }
    let same = before.len() == after.len()
        && before.iter().all(|(key, value)| {
            spec.get(key)
                .is_some_and(|now| compared(view, value, now) != Comparison::Differs)
        });
    if same {
        return None;
    }
    let (key, at) = after
        .iter()
        .find(|(key, value)| {
            old.path(&["spec", key])
                .is_none_or(|was| compared(view, was, value) == Comparison::Differs)
        })
        .map(|(key, value)| (key.as_str(), value))
        .unwrap_or(("", spec));
    Some(Changed {
        path: if key.is_empty() {
            "spec".to_owned()
        } else {
            format!("spec.{key}")
        },
        at,
        note: "",
    })
}

#[cfg(test)]
mod tests {
    use super::quantity;
    use crate::analyze::files::testkit::{ids, Case};
    use crate::analyze::kubernetes::analyze;
    use crate::finding::Finding;
    use proptest::prelude::*;

    fn run(base: &str, head: &str) -> Vec<Finding> {
        Case::modified("deploy/app.yaml", base, head).run(analyze)
    }

    /// The finding's field, asserting it is the only finding.
    fn changed_field(f: &[Finding]) -> &str {
        assert_eq!(ids(f), ["kubernetes/immutable-field-changed"], "{f:?}");
        let message = &f[0].message;
        message.split('`').nth(1).unwrap_or(message)
    }

    const REDIS: &str = "\
apiVersion: apps/v1
kind: StatefulSet
metadata:
  name: redis
spec:
  serviceName: redis-headless
  podManagementPolicy: OrderedReady
  selector:
    matchLabels: {app: redis}
  template:
    metadata:
      labels: {app: redis}
";

    #[test]
    fn a_statefulset_pod_management_policy_change_is_immutable_but_its_default_is_not() {
        let parallel = REDIS.replace("OrderedReady", "Parallel");
        assert_eq!(
            changed_field(&run(REDIS, &parallel)),
            "spec.podManagementPolicy"
        );
        let implicit = REDIS.replace("  podManagementPolicy: OrderedReady\n", "");
        assert_eq!(
            changed_field(&run(&implicit, &parallel)),
            "spec.podManagementPolicy"
        );
        assert!(run(REDIS, &implicit).is_empty());
        assert!(run(&implicit, REDIS).is_empty());
        // The fields a StatefulSet may change stay quiet.
        let tuned = REDIS.replace(
            "  serviceName: redis-headless\n",
            "  serviceName: redis-headless\n  minReadySeconds: 10\n  updateStrategy: {type: OnDelete}\n",
        );
        assert!(run(REDIS, &tuned).is_empty());
    }

    const CLAIM: &str = "\
apiVersion: v1
kind: PersistentVolumeClaim
metadata:
  name: postgres-data
  namespace: db
spec:
  storageClassName: gp3
  accessModes: [ReadWriteOnce]
  resources:
    requests:
      storage: 50Gi
";

    #[test]
    fn a_claim_access_mode_volume_mode_or_data_source_change_is_immutable() {
        let shared = CLAIM.replace("ReadWriteOnce", "ReadWriteMany");
        assert_eq!(changed_field(&run(CLAIM, &shared)), "spec.accessModes");
        let block = CLAIM.replace("  accessModes", "  volumeMode: Block\n  accessModes");
        assert_eq!(changed_field(&run(CLAIM, &block)), "spec.volumeMode");
        let filesystem = block.replace("Block", "Filesystem");
        assert!(run(CLAIM, &filesystem).is_empty());
        let restored = format!(
            "{CLAIM}  dataSource: {{name: snap-1, kind: VolumeSnapshot, apiGroup: snapshot.storage.k8s.io}}\n"
        );
        assert_eq!(changed_field(&run(CLAIM, &restored)), "spec.dataSource");
    }

    #[test]
    fn shrinking_a_claim_is_immutable_and_growing_it_is_not() {
        let f = run(CLAIM, &CLAIM.replace("50Gi", "20Gi"));
        assert_eq!(changed_field(&f), "spec.resources.requests.storage");
        assert_eq!(f[0].location.line, Some(11));
        assert!(run(CLAIM, &CLAIM.replace("50Gi", "100Gi")).is_empty());
        assert!(run(CLAIM, &CLAIM.replace("50Gi", "\"53687091200\"")).is_empty());
        // Less than 50Gi, but not a size twokey can read: left alone.
        assert!(run(CLAIM, &CLAIM.replace("50Gi", "50GB")).is_empty());
    }

    const NFS: &str = "\
apiVersion: v1
kind: PersistentVolume
metadata:
  name: shared
spec:
  capacity: {storage: 100Gi}
  accessModes: [ReadWriteMany]
  persistentVolumeReclaimPolicy: Retain
  nfs:
    server: 10.0.0.5
    path: /exports/data
  claimRef: {namespace: apps, name: shared-data}
";

    #[test]
    fn a_persistent_volume_source_change_is_immutable_but_its_settings_are_not() {
        let moved = NFS.replace("/exports/data", "/exports/other");
        assert_eq!(changed_field(&run(NFS, &moved)), "spec.nfs");
        let csi = NFS.replace(
            "  nfs:\n    server: 10.0.0.5\n    path: /exports/data\n",
            "  csi: {driver: nfs.csi.k8s.io, volumeHandle: shared}\n",
        );
        assert_eq!(changed_field(&run(NFS, &csi)), "spec.csi");
        let resized = NFS.replace("100Gi", "200Gi").replace(
            "name: shared-data}",
            "name: other-data}\n  mountOptions: [nfsvers=4.1]",
        );
        assert!(run(NFS, &resized).is_empty());
    }

    const LOCAL: &str = "\
apiVersion: v1
kind: PersistentVolume
metadata:
  name: db-0
spec:
  capacity: {storage: 500Gi}
  accessModes: [ReadWriteOnce]
  storageClassName: local-nvme
  local:
    path: /mnt/disks/ssd0
  nodeAffinity:
    required:
      nodeSelectorTerms:
        - matchExpressions:
            - {key: kubernetes.io/hostname, operator: In, values: [node-a]}
";

    #[test]
    fn a_persistent_volume_node_affinity_change_is_immutable() {
        let moved = LOCAL.replace("node-a", "node-b");
        assert_eq!(changed_field(&run(LOCAL, &moved)), "spec.nodeAffinity");
        let i = LOCAL.find("  nodeAffinity:").unwrap_or(LOCAL.len());
        let without = &LOCAL[..i];
        assert_eq!(changed_field(&run(without, LOCAL)), "spec.nodeAffinity");
        assert_eq!(changed_field(&run(LOCAL, without)), "spec.nodeAffinity");
    }

    #[test]
    fn a_persistent_volume_node_affinity_rewritten_the_same_is_quiet() {
        let flow = LOCAL.replace(
            "            - {key: kubernetes.io/hostname, operator: In, values: [node-a]}\n",
            "            - key: kubernetes.io/hostname\n              operator: In\n              values: [node-a]\n",
        );
        assert!(run(LOCAL, &flow).is_empty());
        assert!(run(LOCAL, &LOCAL.replace("500Gi", "600Gi")).is_empty());
    }

    const JOB: &str = "\
apiVersion: batch/v1
kind: Job
metadata:
  name: reindex
spec:
  completions: 10
  parallelism: 2
  template:
    spec:
      restartPolicy: Never
      containers:
        - name: reindex
          image: search/reindex:1.2
";

    #[test]
    fn a_job_given_other_completions_or_template_is_recreated_at_medium() {
        let f = run(JOB, &JOB.replace("completions: 10", "completions: 20"));
        assert_eq!(changed_field(&f), "spec.completions");
        assert_eq!(f[0].severity, crate::finding::Severity::Medium);
        assert!(
            f[0].message.contains("runs its pods again"),
            "{}",
            f[0].message
        );
        let f = run(JOB, &JOB.replace("reindex:1.2", "reindex:1.3"));
        assert_eq!(changed_field(&f), "spec.template");
        assert_eq!(f[0].severity, crate::finding::Severity::Medium);
        // An Indexed Job scaled with parallelism out of step is refused too.
        let indexed = JOB.replace(
            "spec:\n  completions",
            "spec:\n  completionMode: Indexed\n  completions",
        );
        let f = run(
            &indexed,
            &indexed.replace("completions: 10", "completions: 4"),
        );
        assert_eq!(changed_field(&f), "spec.completions");
    }

    #[test]
    fn a_job_given_other_parallelism_or_scaled_as_an_elastic_indexed_job_is_quiet() {
        assert!(run(JOB, &JOB.replace("parallelism: 2", "parallelism: 5")).is_empty());
        let indexed = JOB
            .replace(
                "spec:\n  completions",
                "spec:\n  completionMode: Indexed\n  completions",
            )
            .replace("parallelism: 2", "parallelism: 10");
        let scaled = indexed
            .replace("completions: 10", "completions: 4")
            .replace("parallelism: 10", "parallelism: 4");
        assert!(run(&indexed, &scaled).is_empty());
    }

    const SERVICE: &str = "\
apiVersion: v1
kind: Service
metadata:
  name: redis
spec:
  selector: {app: redis}
  ports:
  - port: 6379
";

    #[test]
    fn making_a_service_headless_is_immutable_but_dropping_none_is_not() {
        let headless = SERVICE.replace("spec:\n", "spec:\n  clusterIP: None\n");
        assert_eq!(changed_field(&run(SERVICE, &headless)), "spec.clusterIP");
        // The server keeps a headless Service headless when the field is dropped.
        assert!(run(&headless, SERVICE).is_empty());
        // An ExternalName Service has no address to keep.
        let external = SERVICE.replace(
            "spec:\n",
            "spec:\n  type: ExternalName\n  externalName: redis.example.com\n",
        );
        assert!(run(&external, &headless).is_empty());
    }

    #[test]
    fn a_load_balancer_class_cannot_change_or_go_but_may_be_written_out() {
        let nlb = SERVICE.replace(
            "spec:\n",
            "spec:\n  type: LoadBalancer\n  loadBalancerClass: service.k8s.aws/nlb\n",
        );
        let other = nlb.replace("service.k8s.aws/nlb", "example.com/internal-vip");
        assert_eq!(changed_field(&run(&nlb, &other)), "spec.loadBalancerClass");
        let unset = nlb.replace("  loadBalancerClass: service.k8s.aws/nlb\n", "");
        assert_eq!(changed_field(&run(&nlb, &unset)), "spec.loadBalancerClass");
        // A webhook may have set the class already.
        assert!(run(&unset, &nlb).is_empty());
    }

    const TOPIC: &str = "apiVersion: kafka.strimzi.io/v1beta2\nkind: KafkaTopic\nmetadata:\n  name: orders\nspec:\n  partitions: 12\n  replicas: 3\n";

    #[test]
    fn a_kafka_topic_given_fewer_partitions_must_be_recreated() {
        let f = run(TOPIC, &TOPIC.replace("partitions: 12", "partitions: 6"));
        assert_eq!(changed_field(&f), "spec.partitions");
        assert_eq!(f[0].location.line, Some(6));
        assert!(
            f[0].message.contains("every message in it"),
            "{}",
            f[0].message
        );
    }

    #[test]
    fn a_kafka_topic_pointed_at_another_topic_must_be_recreated() {
        let named = TOPIC.replace("spec:\n", "spec:\n  topicName: orders.events.v1\n");
        let f = run(
            &named,
            &named.replace("orders.events.v1", "orders.events.v2"),
        );
        assert_eq!(changed_field(&f), "spec.topicName");
        assert!(
            f[0].message.contains("deletes the old topic"),
            "{}",
            f[0].message
        );
        // A topicName written where the object's name stood for it names another topic too.
        let f = run(
            TOPIC,
            &TOPIC.replace("spec:\n", "spec:\n  topicName: orders.v1\n"),
        );
        assert_eq!(changed_field(&f), "spec.topicName");
    }

    #[test]
    fn a_kafka_topic_keeping_its_topic_is_quiet() {
        // Writing out the default, or dropping it, names the same topic.
        let spelled = TOPIC.replace("spec:\n", "spec:\n  topicName: orders\n");
        assert!(run(TOPIC, &spelled).is_empty());
        assert!(run(&spelled, TOPIC).is_empty());
        let templated = TOPIC.replace("spec:\n", "spec:\n  topicName: \"{{ .Values.topic }}\"\n");
        let chart = Case::modified(
            "charts/kafka/templates/topic.yaml",
            &templated,
            &templated.replace("Values.topic", "Values.name"),
        );
        assert!(chart.run(analyze).is_empty());
    }

    #[test]
    fn a_kafka_topic_given_more_or_unknown_partitions_is_quiet() {
        assert!(run(TOPIC, &TOPIC.replace("partitions: 12", "partitions: 24")).is_empty());
        assert!(run(
            TOPIC,
            &TOPIC.replace("partitions: 12", "partitions: \"12\"")
        )
        .is_empty());
        let templated = TOPIC.replace("partitions: 12", "partitions: \"{{ .Values.partitions }}\"");
        assert!(run(TOPIC, &templated).is_empty());
        assert!(run(TOPIC, &TOPIC.replace("  partitions: 12\n", "")).is_empty());
    }

    #[test]
    fn quantities_are_read_in_bytes_whatever_their_suffix() {
        const BILLION: i128 = 1_000_000_000;
        assert_eq!(quantity("50Gi"), Some(50 * 1024i128.pow(3) * BILLION));
        assert_eq!(quantity("53687091200"), quantity("50Gi"));
        assert_eq!(quantity("500M"), Some(500_000_000 * BILLION));
        assert_eq!(quantity("1e9"), Some(BILLION * BILLION));
        // Found by the properties below: the exa units were unreadable, and a decimal
        // fraction read through floating point made `1.005k` less than `1005`, and sizes past
        // 2^53 bytes differed by a byte compared equal.
        assert_eq!(quantity("2E"), quantity("2000P"));
        assert_eq!(quantity("1Ei"), quantity("1024Pi"));
        assert_eq!(quantity("1.005k"), quantity("1005"));
        assert!(quantity("9007199254740992") < quantity("9007199254740993"));
        assert!(quantity("20G") < quantity("20Gi"));
        assert_eq!(quantity("{{ .Values.size }}"), None);
        assert_eq!(quantity("lots"), None);
        // Fractions of the largest units, and a bare decimal point, are not zero.
        assert_eq!(quantity("0.5Pi"), quantity("512Ti"));
        assert_eq!(quantity(".5Pi"), quantity("512Ti"));
        assert_eq!(quantity("0.5P"), quantity("500T"));
        assert_eq!(quantity("1.Pi"), quantity("1Pi"));
        assert_eq!(quantity("0.P"), Some(0));
        assert_eq!(quantity("."), None);
    }

    const BINARY: [&str; 6] = ["Ki", "Mi", "Gi", "Ti", "Pi", "Ei"];
    const DECIMAL: [&str; 6] = ["k", "M", "G", "T", "P", "E"];

    proptest! {
        #[test]
        fn one_size_written_with_different_suffixes_reads_the_same(
            n in 0u64..100_000,
            step in 0usize..5,
            fraction in 0u32..4,
        ) {
            // n·1024 of one binary unit is n of the next one up, and likewise by 1000.
            let (small, big) = (BINARY[step], BINARY[step + 1]);
            prop_assert_eq!(quantity(&format!("{}{small}", n * 1024)), quantity(&format!("{n}{big}")));
            let (small, big) = (DECIMAL[step], DECIMAL[step + 1]);
            prop_assert_eq!(quantity(&format!("{}{small}", n * 1000)), quantity(&format!("{n}{big}")));
            // A fraction of a unit is the whole number of the unit below.
            let quarters = n * 4 + u64::from(fraction);
            let decimal = format!("{}.{}", quarters / 4, ["0", "25", "5", "75"][fraction as usize]);
            prop_assert_eq!(quantity(&format!("{decimal}{big}")), quantity(&format!("{}{small}", quarters * 250)));
            prop_assert_eq!(quantity(&format!("{n}e3")), quantity(&format!("{}k", n)));
            let thousandths = format!("{n}.{:03}k", fraction * 7);
            prop_assert_eq!(quantity(&thousandths), quantity(&(n * 1000 + u64::from(fraction) * 7).to_string()));
            // Plain bytes.
            prop_assert_eq!(quantity(&format!("{n}Ki")), quantity(&(n * 1024).to_string()));
        }

        #[test]
        fn sizes_order_as_their_bytes_do(
            a in 0u64..(1 << 60),
            b in 0u64..(1 << 60),
            unit in 0usize..6,
        ) {
            let bytes = |n: u64| quantity(&n.to_string());
            prop_assert_eq!(bytes(a) < bytes(b), a < b);
            prop_assert_eq!(bytes(a) == bytes(b), a == b);
            let (a, b) = (a % 1_000_000, b % 1_000_000);
            let read = |n: u64, suffix: &str| quantity(&format!("{n}{suffix}"));
            prop_assert_eq!(read(a, BINARY[unit]) < read(b, BINARY[unit]), a < b);
            prop_assert_eq!(read(a, DECIMAL[unit]) < read(b, DECIMAL[unit]), a < b);
            // A binary unit is more than the decimal one of the same letter.
            if a > 0 {
                prop_assert!(read(a, DECIMAL[unit]) < read(a, BINARY[unit]));
            }
        }

        #[test]
        fn what_is_not_a_quantity_is_unreadable(
            junk in "[a-zA-Z{}$ ]{0,4}[a-zA-DF-Z{}$]",
            n in 0u32..1000,
        ) {
            // Letters, templates and units Kubernetes does not have: not a size.
            prop_assume!(!BINARY.contains(&junk.trim()) && !DECIMAL.contains(&junk.trim()));
            prop_assert_eq!(quantity(&format!("{n}{junk}")), None);
            prop_assert_eq!(quantity(&format!("{junk}{n}")), None);
        }

        #[test]
        fn a_positive_size_never_reads_as_zero(
            whole in 0u32..1000,
            fraction in 1u32..1000,
            unit in 0usize..6,
            binary in any::<bool>(),
        ) {
            // `0.5Pi`, `12.001G`: any fraction of a unit is at least a whole byte.
            let suffix = if binary { BINARY[unit] } else { DECIMAL[unit] };
            let size = quantity(&format!("{whole}.{fraction:03}{suffix}"));
            prop_assert!(size.is_some_and(|s| s > 0), "{whole}.{fraction:03}{suffix}");
            let whole_units = quantity(&format!("{whole}{suffix}"));
            prop_assert!(size > whole_units);
        }

        #[test]
        fn arbitrary_text_never_panics(text in "[0-9eE.+-]{0,6}\\PC{0,6}") {
            let _ = quantity(&text);
        }
    }
}
