//! managed: custom resources whose controller deletes something outside the cluster when
//! the object is deleted (a cloud database, a bucket, an Azure resource group, a Kafka topic),
//! and the setting that holds that deletion back, per controller. It only recognises and
//! reads objects; what is reported, and how, is decided by the callers.
//!
//! Catalogued from the controllers' documentation: Crossplane managed resources
//! (`deletionPolicy`, and `managementPolicies`, which take precedence when they are not the
//! default), their composites and claims, AWS Controllers for Kubernetes, Config Connector,
//! Azure Service Operator v2, Strimzi topics and External Secrets' PushSecret.

use super::ObjectId;
use crate::yaml::{Node, Value};

/// What deleting the object does outside the cluster.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct External {
    /// What the controller deletes, as a clause: "its controller deletes the cloud resource
    /// it manages, and the data in it".
    pub deletes: &'static str,
    /// The setting that keeps the resource when the object goes, as written
    /// (`deletionPolicy: Orphan`); `None` when deleting the object deletes the resource.
    pub kept_by: Option<String>,
}

const CLOUD: &str = "its controller deletes the cloud resource it manages, and the data in it";

/// Where the settings that keep a managed resource are written: a change there that is a
/// template may render the same policy.
pub(super) const POLICY_PATHS: &[&[&str]] = &[
    &["spec", "deletionPolicy"],
    &["spec", "managementPolicies"],
    &[
        "metadata",
        "annotations",
        "services.k8s.aws/deletion-policy",
    ],
    &[
        "metadata",
        "annotations",
        "cnrm.cloud.google.com/deletion-policy",
    ],
    &[
        "metadata",
        "annotations",
        "serviceoperator.azure.com/reconcile-policy",
    ],
    &["metadata", "annotations", "strimzi.io/managed"],
];

/// The annotation that lets Config Connector delete a StorageBucket with objects in it.
pub(super) const FORCE_DESTROY: &str = "cnrm.cloud.google.com/force-destroy";

/// Whether the object manages something outside the cluster, and what keeps it.
pub(super) fn external(id: &ObjectId, node: &Node) -> Option<External> {
    let group = id.group.as_str();
    let annotation = |key: &str| {
        node.path(&["metadata", "annotations", key])
            .and_then(Node::as_str)
    };
    let kept_if = |keep: bool, setting: &str| keep.then(|| setting.to_owned());
    if group.ends_with(".crossplane.io") || group.ends_with(".upbound.io") {
        if !is_crossplane_managed_resource(id) {
            return None;
        }
        return Some(External {
            deletes: CLOUD,
            kept_by: crossplane_kept_by(node),
        });
    }
    if group.ends_with(".services.k8s.aws") {
        let keep = annotation("services.k8s.aws/deletion-policy") == Some("retain");
        return Some(External {
            deletes: CLOUD,
            kept_by: kept_if(keep, "services.k8s.aws/deletion-policy: retain"),
        });
    }
    // `core.cnrm.cloud.google.com` configures Config Connector itself (ConfigConnector,
    // ConfigConnectorContext); removing it stops management and deletes nothing in Google Cloud.
    if group.ends_with(".cnrm.cloud.google.com") && !group.ends_with("core.cnrm.cloud.google.com") {
        let keep = annotation("cnrm.cloud.google.com/deletion-policy") == Some("abandon");
        return Some(External {
            deletes: CLOUD,
            kept_by: kept_if(keep, "cnrm.cloud.google.com/deletion-policy: abandon"),
        });
    }
    if is_azure_service_operator(group, node) {
        let policy = annotation("serviceoperator.azure.com/reconcile-policy");
        let keep = matches!(policy, Some("skip" | "detach-on-delete"));
        let deletes = if id.kind == "ResourceGroup" {
            "Azure Service Operator deletes the resource group in Azure, and with it every Azure resource in the group, databases and storage included"
        } else {
            CLOUD
        };
        return Some(External {
            deletes,
            kept_by: policy
                .filter(|_| keep)
                .map(|p| format!("serviceoperator.azure.com/reconcile-policy: {p}")),
        });
    }
    if id.is("kafka.strimzi.io", "KafkaTopic") {
        let keep = annotation("strimzi.io/managed") == Some("false");
        return Some(External {
            deletes:
                "the Strimzi Topic Operator deletes the topic from Kafka, and every message in it",
            kept_by: kept_if(keep, "strimzi.io/managed: \"false\""),
        });
    }
    if id.is("external-secrets.io", "PushSecret") {
        // The other way round from the rest: the remote secret is kept unless asked for.
        let policy = node
            .path(&["spec", "deletionPolicy"])
            .and_then(Node::as_str);
        return Some(External {
            deletes: "External Secrets deletes the secret it pushed to the provider (`deletionPolicy: Delete`)",
            kept_by: kept_if(policy != Some("Delete"), "deletionPolicy: None"),
        });
    }
    if is_crossplane_composite(node) {
        return Some(External {
            deletes: "Crossplane deletes the composite resource and every managed resource its Composition created, with the cloud resources behind them, unless the Composition orphans them",
            kept_by: None,
        });
    }
    None
}

/// Crossplane's own API groups and the provider kinds that configure a provider rather than
/// stand for an external resource.
fn is_crossplane_managed_resource(id: &ObjectId) -> bool {
    const OWN_GROUPS: &[&str] = &[
        "apiextensions.",
        "pkg.",
        "meta.pkg.",
        "secrets.",
        "protection.",
        "ops.",
    ];
    const CONFIG_KINDS: &[&str] = &[
        "ProviderConfig",
        "ClusterProviderConfig",
        "ProviderConfigUsage",
        "ClusterProviderConfigUsage",
        "StoreConfig",
        "ClusterStoreConfig",
    ];
    !OWN_GROUPS.iter().any(|g| id.group.starts_with(g)) && !CONFIG_KINDS.contains(&id.kind.as_str())
}

/// What keeps a Crossplane managed resource. Management policies other than the default
/// `["*"]` take precedence over `deletionPolicy`: without `Delete` (or `*`) in them Crossplane
/// never deletes the external resource, with it Crossplane does whatever `deletionPolicy`
/// says. Namespaced managed resources (Crossplane v2) have management policies only.
fn crossplane_kept_by(node: &Node) -> Option<String> {
    if let Some(policies) = management_policies(node) {
        let default = policies == ["*"];
        let deletes = policies.iter().any(|p| *p == "*" || *p == "Delete");
        if !default && !deletes {
            return Some(format!("managementPolicies: [{}]", policies.join(", ")));
        }
        if !default {
            return None;
        }
    }
    let policy = node
        .path(&["spec", "deletionPolicy"])
        .and_then(Node::as_str);
    (policy == Some("Orphan")).then(|| "deletionPolicy: Orphan".to_owned())
}

/// `spec.managementPolicies` when it is written as a list (a template is unknown).
fn management_policies(node: &Node) -> Option<Vec<&str>> {
    let policies = node.path(&["spec", "managementPolicies"])?;
    if !matches!(policies.value, Value::Seq(_)) {
        return None;
    }
    Some(policies.as_seq().iter().filter_map(Node::as_str).collect())
}

/// Azure Service Operator v2: groups under `azure.com` with versions named after the Azure
/// API version they wrap (`v1api20200601`, `v1beta20200601`, `v20230101preview`), which
/// tells them apart from other projects' `azure.com` groups.
fn is_azure_service_operator(group: &str, node: &Node) -> bool {
    if !group.ends_with(".azure.com") {
        return false;
    }
    let version = node
        .get("apiVersion")
        .and_then(Node::as_str)
        .and_then(|v| v.rsplit_once('/'))
        .map_or("", |(_, v)| v);
    ["v1alpha1api", "v1api", "v1beta", "v"]
        .iter()
        .any(|prefix| {
            version.strip_prefix(prefix).is_some_and(|rest| {
                rest.len() >= 8 && rest.bytes().take(8).all(|b| b.is_ascii_digit())
            })
        })
}

/// A Crossplane composite resource or claim in a group of the platform team's own: it names
/// the Composition that builds it (Crossplane v1 fields under `spec`, v2 under
/// `spec.crossplane`).
fn is_crossplane_composite(node: &Node) -> bool {
    let Some(spec) = node.get("spec") else {
        return false;
    };
    [
        "compositionRef",
        "compositionSelector",
        "compositionRevisionRef",
        "compositeDeletePolicy",
    ]
    .iter()
    .any(|key| spec.get(key).is_some())
        || spec
            .path(&["crossplane", "compositionRef"])
            .or_else(|| spec.path(&["crossplane", "compositionSelector"]))
            .is_some()
}

/// The managed resources a Crossplane Composition composes, by the name it gives each in its
/// list, with the template (`base`) they are built from: written in `spec.resources` (legacy
/// mode) or in a pipeline step's `input.resources` (function-patch-and-transform).
pub(super) fn composed_bases(composition: &Node) -> Vec<(&str, &Node)> {
    let legacy = composition.path(&["spec", "resources"]).into_iter();
    let steps = composition
        .path(&["spec", "pipeline"])
        .map(Node::as_seq)
        .unwrap_or(&[])
        .iter()
        .filter_map(|step| step.path(&["input", "resources"]));
    legacy
        .chain(steps)
        .flat_map(Node::as_seq)
        .filter_map(|resource| {
            let name = resource.get("name").and_then(Node::as_str)?;
            Some((name, resource.get("base")?))
        })
        .collect()
}

/// What a composed template would manage, read as if it were an object of its own.
pub(super) fn composed_external(base: &Node) -> Option<External> {
    let api_version = base.get("apiVersion").and_then(Node::as_str)?;
    let kind = base.get("kind").and_then(Node::as_str)?;
    let id = ObjectId {
        group: api_version
            .rsplit_once('/')
            .map_or("", |(g, _)| g)
            .to_owned(),
        kind: kind.to_owned(),
        namespace: String::new(),
        name: String::new(),
    };
    external(&id, base)
}

/// Where a kept resource's keeping setting is written, to point a weakening at: the policy
/// that changed, or the object's metadata when an annotation went.
pub(super) fn policy_location<'a>(old: &Node, new: &'a Node) -> Option<&'a Node> {
    [
        &["spec", "managementPolicies"][..],
        &["spec", "deletionPolicy"],
    ]
    .into_iter()
    .find_map(|path| {
        let now = new.path(path)?;
        let changed = old.path(path).is_none_or(|was| !was.same_value(now));
        changed.then_some(now)
    })
    .or_else(|| new.path(&["metadata"]))
}

/// Whether `force-destroy` is newly turned on at head.
pub(super) fn force_destroy_added<'a>(old: &Node, new: &'a Node) -> Option<&'a Node> {
    let path = ["metadata", "annotations", FORCE_DESTROY];
    let on = |n: &Node| n.path(&path).and_then(Node::as_str) == Some("true");
    (!on(old) && on(new)).then(|| new.path(&path)).flatten()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::yaml::parse_documents;

    fn read(text: &str) -> Option<External> {
        let doc = parse_documents(text).unwrap().remove(0);
        let mut found = None;
        super::super::collect(&doc, &mut |id, node| found = external(&id, node));
        found
    }

    fn object(api_version: &str, kind: &str, rest: &str) -> String {
        format!("apiVersion: {api_version}\nkind: {kind}\nmetadata:\n  name: x\n  namespace: ns\n{rest}")
    }

    #[test]
    fn crossplane_management_policies_without_delete_keep_the_resource() {
        let mr = |spec: &str| {
            read(&object("rds.aws.upbound.io/v1beta1", "Instance", spec))
                .unwrap()
                .kept_by
        };
        assert_eq!(mr(""), None);
        assert_eq!(
            mr("spec:\n  managementPolicies: [\"Observe\"]\n").as_deref(),
            Some("managementPolicies: [Observe]")
        );
        assert!(mr("spec:\n  managementPolicies: [Orphan]\n").is_some());
        // Policies that allow deleting override an Orphan deletion policy…
        assert_eq!(
            mr("spec:\n  deletionPolicy: Orphan\n  managementPolicies: [Observe, Create, Delete]\n"),
            None
        );
        // …and the default policies leave the decision to it.
        assert!(mr("spec:\n  deletionPolicy: Orphan\n  managementPolicies: [\"*\"]\n").is_some());
        // A template is unknown: the deletion policy still speaks.
        assert!(
            mr("spec:\n  deletionPolicy: Orphan\n  managementPolicies: '{{ .Values.p }}'\n")
                .is_some()
        );
    }

    #[test]
    fn crossplane_provider_configuration_and_packages_are_not_managed_resources() {
        assert!(read(&object("aws.upbound.io/v1beta1", "ProviderConfig", "")).is_none());
        assert!(read(&object(
            "aws.m.upbound.io/v1beta1",
            "ClusterProviderConfig",
            ""
        ))
        .is_none());
        assert!(read(&object("meta.pkg.crossplane.io/v1", "Configuration", "")).is_none());
        assert!(read(&object("protection.crossplane.io/v1beta1", "Usage", "")).is_none());
        assert!(read(&object("s3.aws.m.upbound.io/v1beta1", "Bucket", "")).is_some());
        assert!(read(&object("kubernetes.crossplane.io/v1alpha2", "Object", "")).is_some());
    }

    #[test]
    fn config_connector_configuration_is_not_a_cloud_resource() {
        let ctx = object(
            "core.cnrm.cloud.google.com/v1beta1",
            "ConfigConnectorContext",
            "",
        );
        assert!(read(&ctx).is_none());
        assert!(read(&object(
            "sql.cnrm.cloud.google.com/v1beta1",
            "SQLInstance",
            ""
        ))
        .is_some());
    }

    #[test]
    fn azure_service_operator_is_told_apart_by_its_versions() {
        for version in [
            "v1api20200601",
            "v1beta20200601",
            "v20230101",
            "v20241001preview",
        ] {
            let rg = object(
                &format!("resources.azure.com/{version}"),
                "ResourceGroup",
                "",
            );
            let found = read(&rg).unwrap_or_else(|| panic!("{version}"));
            assert!(found.deletes.contains("every Azure resource"), "{version}");
        }
        // Another project's group under azure.com, with an ordinary version.
        let fleet = object("networking.fleet.azure.com/v1alpha1", "ServiceExport", "");
        assert!(read(&fleet).is_none());
        let detached = object(
            "dbforpostgresql.azure.com/v1api20221201",
            "FlexibleServer",
            "",
        )
        .replace(
            "  namespace: ns\n",
            "  namespace: ns\n  annotations:\n    serviceoperator.azure.com/reconcile-policy: detach-on-delete\n",
        );
        assert_eq!(
            read(&detached).unwrap().kept_by.as_deref(),
            Some("serviceoperator.azure.com/reconcile-policy: detach-on-delete")
        );
    }

    #[test]
    fn a_crossplane_claim_is_known_by_its_composition_fields() {
        let claim = object(
            "database.example.org/v1alpha1",
            "PostgreSQLInstance",
            "spec:\n  compositionSelector:\n    matchLabels: {provider: aws}\n",
        );
        assert!(read(&claim).is_some());
        let v2 = object(
            "platform.example.org/v1",
            "App",
            "spec:\n  crossplane:\n    compositionRef:\n      name: app-aws\n",
        );
        assert!(read(&v2).is_some());
        let plain = object("example.org/v1", "Widget", "spec:\n  size: 3\n");
        assert!(read(&plain).is_none());
    }

    #[test]
    fn a_compositions_templates_are_read_in_both_modes() {
        let legacy = "apiVersion: apiextensions.crossplane.io/v1\nkind: Composition\nmetadata:\n  name: c\nspec:\n  resources:\n    - name: db\n      base:\n        apiVersion: rds.aws.upbound.io/v1beta1\n        kind: Instance\n        spec:\n          deletionPolicy: Orphan\n";
        let doc = parse_documents(legacy).unwrap().remove(0);
        let bases = composed_bases(&doc);
        assert_eq!(bases.len(), 1);
        assert_eq!(bases[0].0, "db");
        let kept = composed_external(bases[0].1).and_then(|e| e.kept_by);
        assert_eq!(kept.as_deref(), Some("deletionPolicy: Orphan"));
        let pipeline = "apiVersion: apiextensions.crossplane.io/v1\nkind: Composition\nmetadata:\n  name: c\nspec:\n  mode: Pipeline\n  pipeline:\n    - step: pt\n      input:\n        resources:\n          - name: bucket\n            base:\n              apiVersion: s3.aws.upbound.io/v1beta1\n              kind: Bucket\n";
        let doc = parse_documents(pipeline).unwrap().remove(0);
        let bases = composed_bases(&doc);
        assert_eq!(bases.len(), 1);
        assert!(composed_external(bases[0].1).is_some_and(|e| e.kept_by.is_none()));
    }

    #[test]
    fn strimzi_topics_and_push_secrets_say_what_keeps_them() {
        let topic = object(
            "kafka.strimzi.io/v1beta2",
            "KafkaTopic",
            "spec:\n  partitions: 3\n",
        );
        assert_eq!(read(&topic).unwrap().kept_by, None);
        let unmanaged = topic.replace(
            "  namespace: ns\n",
            "  namespace: ns\n  annotations:\n    strimzi.io/managed: \"false\"\n",
        );
        assert!(read(&unmanaged).unwrap().kept_by.is_some());
        let push = |spec: &str| {
            read(&object("external-secrets.io/v1alpha1", "PushSecret", spec))
                .unwrap()
                .kept_by
        };
        assert!(push("").is_some());
        assert_eq!(push("spec:\n  deletionPolicy: Delete\n"), None);
    }
}
