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
    if id.is("rabbitmq.com", "RabbitmqCluster") {
        return Some(ClaimsDeleted::always(
            "the RabbitMQ cluster operator owns the nodes' PersistentVolumeClaims, so they are deleted with it, and every queue's messages with them",
        ));
    }
    if id.is("k8ssandra.io", "K8ssandraCluster")
        || id.is("cassandra.datastax.com", "CassandraDatacenter")
    {
        return Some(ClaimsDeleted::always(
            "cass-operator deletes a datacenter's PersistentVolumeClaims when the datacenter goes, and every keyspace's data on them",
        ));
    }
    if id.is("databases.spotahome.com", "RedisFailover") {
        return kept_unless_true(
            node,
            &["spec", "redis", "storage", "keepAfterDeletion"],
            "the Redis operator deletes the failover's PersistentVolumeClaims with it unless `keepAfterDeletion: true`, and the keys persisted on them",
        );
    }
    if id.group == "redis.redis.opstreelabs.in" && id.kind != "RedisSentinel" {
        return kept_unless_true(
            node,
            &["spec", "storage", "keepAfterDelete"],
            "the Redis operator deletes the PersistentVolumeClaims with it unless `keepAfterDelete: true`, and the keys persisted on them",
        );
    }
    if id.is("clickhouse.altinity.com", "ClickHouseInstallation") {
        return clickhouse(node);
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

/// An operator that deletes the claims with the object unless a flag at `path` says `true`.
fn kept_unless_true<'a>(
    node: &'a Node,
    path: &[&str],
    consequence: &str,
) -> Option<ClaimsDeleted<'a>> {
    let flag = node.path(path);
    if flag.and_then(Node::as_str) == Some("true") {
        return None;
    }
    let key = path.last().copied().unwrap_or("");
    Some(ClaimsDeleted {
        consequence: consequence.to_owned(),
        setting: flag.map(|f| (format!("`{key}: {}`", f.as_str().unwrap_or("")), f)),
    })
}

/// The Altinity operator deletes a claim with the installation unless its template (or the
/// installation's `defaults.storageManagement`) says `reclaimPolicy: Retain`; its default
/// is Delete.
fn clickhouse(node: &Node) -> Option<ClaimsDeleted<'_>> {
    let default = node.path(&["spec", "defaults", "storageManagement", "reclaimPolicy"]);
    let templates = node
        .path(&["spec", "templates", "volumeClaimTemplates"])
        .map(Node::as_seq)
        .unwrap_or(&[]);
    let deleting = |policy: Option<&Node>| policy.and_then(Node::as_str) != Some("Retain");
    let (setting, deletes) = if templates.is_empty() {
        (default, deleting(default))
    } else {
        templates
            .iter()
            .map(|t| t.get("reclaimPolicy").or(default))
            .find(|p| deleting(*p))
            .map_or((None, false), |p| (p, true))
    };
    deletes.then(|| ClaimsDeleted {
        consequence: "the Altinity operator deletes the installation's PersistentVolumeClaims with it (`reclaimPolicy` is not `Retain`), and every table stored on them".to_owned(),
        setting: setting.map(|p| (format!("`reclaimPolicy: {}`", p.as_str().unwrap_or("")), p)),
    })
}

/// What deleting a stateful cluster resource whose operator keeps the claims does: the
/// database is gone and its claims are left orphaned, as a StatefulSet's are. `None` for
/// kinds outside the catalogue.
pub(super) fn claims_orphaned(id: &ObjectId) -> Option<String> {
    let kind = super::data_operators::data_kind(id)?;
    Some(format!("the operator deletes the {}'s pods and services with it, so everything using it is down; its PersistentVolumeClaims are left behind, orphaned, and a cluster under another name does not reuse them, so the data survives only until they are cleaned up", kind.what))
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
    if PERCONA_GROUPS.contains(&id.group.as_str()) {
        // Percona's `pause` deletes every pod of the cluster and keeps the claims.
        let pause = node.path(&["spec", "pause"])?;
        return (pause.as_str() == Some("true")).then_some(("`pause: true`", pause));
    }
    if id.is("clickhouse.altinity.com", "ClickHouseInstallation") {
        let stop = node.path(&["spec", "stop"])?;
        let on = matches!(stop.as_str(), Some("yes" | "true" | "1"));
        return on.then_some(("`stop: \"yes\"`", stop));
    }
    if id.is("cassandra.datastax.com", "CassandraDatacenter") {
        let stopped = node.path(&["spec", "stopped"])?;
        return (stopped.as_str() == Some("true")).then_some(("`stopped: true`", stopped));
    }
    if id.is("k8ssandra.io", "K8ssandraCluster") {
        let datacenters = node.path(&["spec", "cassandra", "datacenters"])?;
        let stopped = datacenters
            .as_seq()
            .iter()
            .find_map(|dc| dc.get("stopped").filter(|s| s.as_str() == Some("true")))?;
        return Some(("a datacenter with `stopped: true`", stopped));
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
    fn percona_pause_clickhouse_stop_and_cassandra_stopped_stop_the_cluster() {
        let pxc = "apiVersion: pxc.percona.com/v1\nkind: PerconaXtraDBCluster\nmetadata:\n  name: billing\nspec:\n  crVersion: 1.14.0\n";
        assert!(!is_stopped(pxc));
        assert!(is_stopped(&format!("{pxc}  pause: true\n")));
        assert!(!is_stopped(&format!("{pxc}  pause: false\n")));
        let chi = "apiVersion: clickhouse.altinity.com/v1\nkind: ClickHouseInstallation\nmetadata:\n  name: events\nspec:\n  stop: \"no\"\n";
        assert!(!is_stopped(chi));
        assert!(is_stopped(&chi.replace("\"no\"", "\"yes\"")));
        let k8c = "apiVersion: k8ssandra.io/v1alpha1\nkind: K8ssandraCluster\nmetadata:\n  name: metrics\nspec:\n  cassandra:\n    datacenters:\n      - metadata:\n          name: dc1\n        size: 3\n";
        assert!(!is_stopped(k8c));
        assert!(is_stopped(&format!("{k8c}        stopped: true\n")));
    }

    #[test]
    fn redis_and_clickhouse_delete_claims_unless_told_to_keep_them() {
        let rf = "apiVersion: databases.spotahome.com/v1\nkind: RedisFailover\nmetadata:\n  name: sessions\nspec:\n  redis:\n    storage:\n      keepAfterDeletion: true\n";
        assert!(deletes_claims(rf).is_none());
        assert!(deletes_claims(&rf.replace("true", "false")).is_some());
        let chi = "apiVersion: clickhouse.altinity.com/v1\nkind: ClickHouseInstallation\nmetadata:\n  name: events\nspec:\n  templates:\n    volumeClaimTemplates:\n      - name: data\n        reclaimPolicy: Retain\n";
        assert!(deletes_claims(chi).is_none());
        assert!(deletes_claims(&chi.replace("Retain", "Delete")).is_some());
        assert!(deletes_claims(&chi.replace("        reclaimPolicy: Retain\n", "")).is_some());
        // A sentinel holds no data.
        let sentinel = "apiVersion: redis.redis.opstreelabs.in/v1beta2\nkind: RedisSentinel\nmetadata:\n  name: s\n";
        assert!(deletes_claims(sentinel).is_none());
    }

    #[test]
    fn eck_deletes_claims_unless_told_to_keep_them() {
        let es = "apiVersion: elasticsearch.k8s.elastic.co/v1\nkind: Elasticsearch\nmetadata:\n  name: logs\nspec:\n  version: 8.13.0\n";
        assert!(deletes_claims(es).is_some());
        let kept = format!("{es}  volumeClaimDeletePolicy: DeleteOnScaledownOnly\n");
        assert!(deletes_claims(&kept).is_none());
    }
}
