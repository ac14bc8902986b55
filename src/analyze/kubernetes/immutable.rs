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

const VOLUME: &[Field] = &[Field {
    path: &["spec", "volumeMode"],
    absent: Absent::Default("Filesystem"),
}];

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
    out
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
    })
}

/// A resource quantity in bytes (`50Gi`, `500M`, `1e9`, `53687091200`), or `None` for what
/// it cannot read (a template, a typo): an unknown size is not called a shrink.
fn quantity(text: &str) -> Option<f64> {
    let text = text.trim();
    let split = text
        .find(|c: char| c.is_ascii_alphabetic() && c != 'e' && c != 'E')
        .unwrap_or(text.len());
    let (number, suffix) = text.split_at(split);
    let number: f64 = number.parse().ok()?;
    let scale = match suffix {
        "" => 1.0,
        "k" => 1e3,
        "M" => 1e6,
        "G" => 1e9,
        "T" => 1e12,
        "P" => 1e15,
        "E" => 1e18,
        "Ki" => 1024f64,
        "Mi" => 1024f64.powi(2),
        "Gi" => 1024f64.powi(3),
        "Ti" => 1024f64.powi(4),
        "Pi" => 1024f64.powi(5),
        "Ei" => 1024f64.powi(6),
        _ => return None,
    };
    Some(number * scale)
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
    })
}

#[cfg(test)]
mod tests {
    use super::quantity;
    use crate::analyze::files::testkit::{ids, Case};
    use crate::analyze::kubernetes::analyze;
    use crate::finding::Finding;

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

    #[test]
    fn quantities_are_read_in_bytes_whatever_their_suffix() {
        assert_eq!(quantity("50Gi"), Some(50.0 * 1024f64.powi(3)));
        assert_eq!(quantity("53687091200"), quantity("50Gi"));
        assert_eq!(quantity("500M"), Some(5e8));
        assert_eq!(quantity("1e9"), Some(1e9));
        assert!(quantity("20G") < quantity("20Gi"));
        assert_eq!(quantity("{{ .Values.size }}"), None);
        assert_eq!(quantity("lots"), None);
    }
}
