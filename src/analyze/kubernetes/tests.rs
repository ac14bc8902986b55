//! The kubernetes analyzer on whole manifests: objects removed, renamed, moved between
//! files, and the settings compared object by object.

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
    assert!(f
        .iter()
        .all(|x| x.location.side == Side::Base && x.location.path.as_str() == "deploy/shop.yaml"));
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
    let f = run(Case::modified("deploy/web.yaml", &base, TEMPLATE).with_kind(FileKind::Kubernetes));
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
        Case::modified("charts/app/templates/web.yaml", &base, broken).with_kind(FileKind::Helm),
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
const OVERLAY: &str = "resources:\n  - ../../base\npatches:\n  - path: ./patches/replicas.yaml\n";

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
