//! databases: custom resources of database and broker operators whose deletion deletes the
//! PersistentVolumeClaims that hold the data, and the setting that decides it. Some operators
//! always do (CloudNativePG, Zalando, Crunchy PGO own their claims); others only when asked
//! (a Percona `delete-…-pvc` finalizer, Strimzi `deleteClaim: true`), and ECK does unless told
//! not to. Reads objects only; the callers report.
//!
//! It also knows how a database cluster is stopped without being deleted (CloudNativePG
//! hibernation, Crunchy PGO `shutdown`, Zalando `numberOfInstances: 0`): every instance goes
//! down, the claims stay.

use super::ObjectId;
use crate::yaml::Node;

/// Why deleting the object deletes its claims.
#[derive(Debug)]
pub(super) struct ClaimsDeleted<'a> {
    /// The consequence of deleting the object, as a clause.
    pub consequence: String,
    /// What in the object asks for it, as a reviewer reads it (`deleteClaim: true`), and the
    /// node it is written at; `None` when the operator always does so.
    pub setting: Option<(String, &'a Node)>,
}

impl ClaimsDeleted<'_> {
    fn always(consequence: &str) -> Self {
        ClaimsDeleted {
            consequence: consequence.to_owned(),
            setting: None,
        }
    }
}

const PERCONA_GROUPS: &[&str] = &[
    "pxc.percona.com",
    "psmdb.percona.com",
    "pgv2.percona.com",
    "ps.percona.com",
];

/// Whether deleting the object has its operator delete the claims with the data.
pub(super) fn claims_deleted<'a>(id: &ObjectId, node: &'a Node) -> Option<ClaimsDeleted<'a>> {
    if id.is("postgresql.cnpg.io", "Cluster") {
        return Some(ClaimsDeleted::always(
            "CloudNativePG owns the cluster's PersistentVolumeClaims, so they are deleted with it, and the database's data with them",
        ));
    }
    if id.is("acid.zalan.do", "postgresql") {
        return Some(ClaimsDeleted::always(
            "the Zalando Postgres operator deletes the cluster's PersistentVolumeClaims with it (unless its `enable_persistent_volume_claim_deletion` is off), and the database's data with them",
        ));
    }
    if id.is("postgres-operator.crunchydata.com", "PostgresCluster") {
        return Some(ClaimsDeleted::always(
            "Crunchy PGO deletes the cluster's PersistentVolumeClaims with it; the data survives only on volumes whose reclaim policy is Retain",
        ));
    }
    if PERCONA_GROUPS.contains(&id.group.as_str()) {
        return percona(node);
    }
    if id.is("kafka.strimzi.io", "Kafka") || id.is("kafka.strimzi.io", "KafkaNodePool") {
        return strimzi(node);
    }
    if id.is("elasticsearch.k8s.elastic.co", "Elasticsearch") {
        let policy = node.path(&["spec", "volumeClaimDeletePolicy"]);
        if policy.and_then(Node::as_str) == Some("DeleteOnScaledownOnly") {
            return None;
        }
        return Some(ClaimsDeleted {
            consequence: "ECK deletes the cluster's PersistentVolumeClaims with it (`volumeClaimDeletePolicy` is not `DeleteOnScaledownOnly`), and the indices' data with them".to_owned(),
            setting: policy.map(|p| {
                let text = format!("volumeClaimDeletePolicy: {}", p.as_str().unwrap_or(""));
                (text, p)
            }),
        });
    }
    None
}

/// How a database cluster is told to stop every instance while keeping its claims, as a
/// reviewer reads it, and the node it is written at; `None` when it runs. CloudNativePG
/// rejects `instances: 0` (its minimum is 1), so hibernation is its only way to zero.
pub(super) fn stopped<'a>(id: &ObjectId, node: &'a Node) -> Option<(&'static str, &'a Node)> {
    if id.is("postgresql.cnpg.io", "Cluster") {
        let mark = node.path(&["metadata", "annotations", "cnpg.io/hibernation"])?;
        return (mark.as_str() == Some("on")).then_some(("`cnpg.io/hibernation: \"on\"`", mark));
    }
    if id.is("postgres-operator.crunchydata.com", "PostgresCluster") {
        let shutdown = node.path(&["spec", "shutdown"])?;
        return (shutdown.as_str() == Some("true")).then_some(("`shutdown: true`", shutdown));
    }
    if id.is("acid.zalan.do", "postgresql") {
        // Zalando accepts zero instances: it scales the cluster's StatefulSet down and keeps
        // the claims, which is how its users stop a cluster.
        let count = node.path(&["spec", "numberOfInstances"])?;
        let zero = count.as_str().and_then(|n| n.trim().parse::<i64>().ok()) == Some(0);
        return zero.then_some(("`numberOfInstances: 0`", count));
    }
    None
}

/// Percona operators keep the claims unless a `…/delete-…-pvc` finalizer asks otherwise.
fn percona(node: &Node) -> Option<ClaimsDeleted<'_>> {
    let finalizers = node.path(&["metadata", "finalizers"])?;
    let (name, at) = finalizers.as_seq().iter().find_map(|f| {
        let name = f.as_str()?;
        let last = name.rsplit('/').next().unwrap_or(name);
        (last.starts_with("delete-") && last.ends_with("pvc")).then_some((name, f))
    })?;
    Some(ClaimsDeleted {
        consequence: format!("its `{name}` finalizer has the Percona operator delete the cluster's PersistentVolumeClaims with it, and the database's data with them"),
        setting: Some((format!("the `{name}` finalizer"), at)),
    })
}

/// Strimzi keeps a broker's claims unless its storage (or one of its JBOD volumes) says
/// `deleteClaim: true`.
fn strimzi(node: &Node) -> Option<ClaimsDeleted<'_>> {
    let storages = [
        &["spec", "kafka", "storage"][..],
        &["spec", "zookeeper", "storage"],
        &["spec", "storage"],
    ];
    let deleting = storages
        .iter()
        .filter_map(|path| node.path(path))
        .flat_map(|storage| {
            let volumes = storage.get("volumes").map(Node::as_seq).unwrap_or(&[]);
            std::iter::once(storage).chain(volumes)
        })
        .find_map(|storage| {
            storage
                .get("deleteClaim")
                .filter(|d| d.as_str() == Some("true"))
        })?;
    Some(ClaimsDeleted {
        consequence: "with `deleteClaim: true` Strimzi deletes the brokers' PersistentVolumeClaims with it, and every topic's data with them".to_owned(),
        setting: Some(("`deleteClaim: true`".to_owned(), deleting)),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::yaml::parse_documents;

    fn deletes_claims(text: &str) -> Option<String> {
        let doc = parse_documents(text).unwrap().remove(0);
        let mut found = None;
        super::super::collect(&doc, &mut |id, node| {
            found = claims_deleted(&id, node).map(|c| c.consequence)
        });
        found
    }

    #[test]
    fn postgres_operators_that_own_their_claims_always_delete_them() {
        for (api, kind) in [
            ("postgresql.cnpg.io/v1", "Cluster"),
            ("acid.zalan.do/v1", "postgresql"),
            (
                "postgres-operator.crunchydata.com/v1beta1",
                "PostgresCluster",
            ),
        ] {
            let text = format!("apiVersion: {api}\nkind: {kind}\nmetadata:\n  name: db\n");
            assert!(deletes_claims(&text).is_some(), "{kind}");
        }
        // Another project's Cluster kind is not CloudNativePG's.
        let other = "apiVersion: cluster.x-k8s.io/v1beta1\nkind: Cluster\nmetadata:\n  name: c\n";
        assert!(deletes_claims(other).is_none());
    }

    #[test]
    fn percona_deletes_claims_only_with_a_delete_pvc_finalizer() {
        let pxc = "apiVersion: pxc.percona.com/v1\nkind: PerconaXtraDBCluster\nmetadata:\n  name: c1\n  finalizers:\n    - percona.com/delete-pxc-pods-in-order\n";
        assert!(deletes_claims(pxc).is_none());
        for finalizer in [
            "percona.com/delete-pxc-pvc",
            "finalizers.percona.com/delete-pxc-pvc",
        ] {
            let with = format!("{pxc}    - {finalizer}\n");
            let found = deletes_claims(&with).unwrap_or_default();
            assert!(found.contains(finalizer), "{found}");
        }
    }

    #[test]
    fn strimzi_deletes_claims_only_with_delete_claim() {
        let kafka = "apiVersion: kafka.strimzi.io/v1beta2\nkind: Kafka\nmetadata:\n  name: events\nspec:\n  kafka:\n    storage:\n      type: jbod\n      volumes:\n        - id: 0\n          type: persistent-claim\n          deleteClaim: false\n";
        assert!(deletes_claims(kafka).is_none());
        assert!(
            deletes_claims(&kafka.replace("deleteClaim: false", "deleteClaim: true")).is_some()
        );
        let pool = "apiVersion: kafka.strimzi.io/v1beta2\nkind: KafkaNodePool\nmetadata:\n  name: brokers\nspec:\n  storage:\n    type: persistent-claim\n    deleteClaim: true\n";
        assert!(deletes_claims(pool).is_some());
    }

    fn is_stopped(text: &str) -> bool {
        let doc = parse_documents(text).unwrap().remove(0);
        let mut found = false;
        super::super::collect(&doc, &mut |id, node| found = stopped(&id, node).is_some());
        found
    }

    #[test]
    fn a_zalando_cluster_with_zero_instances_is_stopped() {
        let cluster = "apiVersion: acid.zalan.do/v1\nkind: postgresql\nmetadata:\n  name: acid-orders\nspec:\n  teamId: acid\n  numberOfInstances: 2\n";
        assert!(!is_stopped(cluster));
        for zero in ["numberOfInstances: 0", "numberOfInstances: \"0\""] {
            assert!(
                is_stopped(&cluster.replace("numberOfInstances: 2", zero)),
                "{zero}"
            );
        }
        // One instance still serves; an unreadable count is not a known stop.
        assert!(!is_stopped(
            &cluster.replace("numberOfInstances: 2", "numberOfInstances: 1")
        ));
        assert!(!is_stopped(
            &cluster.replace("  numberOfInstances: 2\n", "")
        ));
    }

    #[test]
    fn eck_deletes_claims_unless_told_to_keep_them() {
        let es = "apiVersion: elasticsearch.k8s.elastic.co/v1\nkind: Elasticsearch\nmetadata:\n  name: logs\nspec:\n  version: 8.13.0\n";
        assert!(deletes_claims(es).is_some());
        let kept = format!("{es}  volumeClaimDeletePolicy: DeleteOnScaledownOnly\n");
        assert!(deletes_claims(&kept).is_none());
    }
}
