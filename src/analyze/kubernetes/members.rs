//! members: a stateful cluster resource (see [`data_operators`]) that survives the change but
//! loses members that hold data, or whose storage changes in a way no volume can follow. A
//! named member group (an ECK nodeSet, a k8ssandra datacenter, a MinIO pool) removed or
//! renamed, a count of shards, brokers or replicas lowered, a Kafka node pool that stops
//! being a broker; and a storage class changed or a size lowered on a claim template, which
//! operators either refuse or apply by replacing members with new, empty volumes.
//!
//! Only kinds of the catalogue are read: every other object returns at its one lookup. A
//! count or a name twokey cannot read (a template, a typo) is never called lowered or gone.

use super::data_operators::{self, Count, Group, Loss, Path, Storage};
use super::settings::{head_line, IMMUTABLE_FIELD_CHANGED, SCALED_TO_ZERO};
use super::ObjectId;
use crate::analyze::FileView;
use crate::finding::{Finding, RuleId, Severity, Tag};
use crate::rules::Rule;
use crate::yaml::Node;

pub const DATA_MEMBERS_REMOVED: Rule = Rule {
    id: RuleId("kubernetes/data-members-removed"),
    severity: Severity::High,
    tags: &[Tag::Destructive, Tag::Infra],
    summary: "A data operator's cluster loses members that hold data: an ECK nodeSet, a k8ssandra datacenter, a MinIO pool, a Percona replset, a Vitess keyspace or a ClickHouse cluster is removed or renamed, shards, brokers or a MinIO pool's servers are scaled down, or a Strimzi node pool stops being a broker (medium when only replicas of data kept elsewhere go).",
    why: "Operators turn a member group left out, or a lower count, into deleted pods and, for most of them, deleted PersistentVolumeClaims: ECK deletes the claims of every node it scales down, the Altinity operator drops a removed shard's data, a MinIO pool holds objects no other pool has, Strimzi removes brokers with the partitions they host. Kubernetes objects have no rename and neither do these groups: a renamed nodeSet or datacenter is an empty new one and the old one deleted. Where replicas of the same data remain, the cluster loses redundancy and quorum margin instead.",
    example: "  nodeSets:\n-   - name: hot\n+   - name: hot-v2\n      count: 3",
    safer: "Move the data off first, and remove the members in a change of their own once they hold nothing: shard allocation filtering (ECK), a replication change and `nodetool decommission` (Cassandra), `mc admin decommission` (MinIO), a Cruise Control `KafkaRebalance` in `remove-brokers` mode (Strimzi), moving the shard's or keyspace's tables elsewhere. Keep a group's name once it holds data.",
};

/// Findings for a stateful cluster resource declared on both sides.
pub(super) fn compare(
    view: &FileView,
    id: &ObjectId,
    old: &Node,
    new: &Node,
    out: &mut Vec<Finding>,
) {
    let Some(kind) = data_operators::data_kind(id) else {
        return;
    };
    for group in kind.groups {
        groups(view, id, group, old, new, out);
    }
    for count in kind.counts {
        out.extend(lowered(view, id, kind.what, count, old, new, None));
    }
    for storage in kind.storage {
        storage_changed(view, id, storage, old, new, "", out);
    }
    if id.is("kafka.strimzi.io", "KafkaNodePool") {
        broker_role_dropped(view, id, old, new, out);
    }
}

/// The items of the list at `path`, by the name each gives at `name`; items without a
/// readable name are left out (they cannot be matched across the change).
fn named(node: Option<&Node>, name: Path) -> Vec<(&str, &Node)> {
    node.map(Node::as_seq)
        .unwrap_or(&[])
        .iter()
        .filter_map(|item| Some((item.path(name)?.as_str()?, item)))
        .collect()
}

fn groups(
    view: &FileView,
    id: &ObjectId,
    group: &Group,
    old: &Node,
    new: &Node,
    out: &mut Vec<Finding>,
) {
    let before = named(old.path(group.path), group.name);
    let list = new.path(group.path);
    let after = named(list, group.name);
    let at = list.unwrap_or(new);
    // One group added where one went reads as a rename; say it is not one.
    let added: Vec<&str> = after
        .iter()
        .map(|(n, _)| *n)
        .filter(|n| !before.iter().any(|(o, _)| o == n))
        .collect();
    for &(name, item) in &before {
        let Some((_, now)) = after.iter().find(|(n, _)| *n == name) else {
            let renamed = match added.as_slice() {
                [one] => format!(
                    " (a {} `{one}` is added: a new, empty one, not a rename)",
                    group.member
                ),
                _ => String::new(),
            };
            out.push(Finding::new(
                &DATA_MEMBERS_REMOVED,
                head_line(view, at),
                format!(
                    "{id} no longer declares its {} `{name}`{renamed}: {}.",
                    group.member, group.loses
                ),
            ));
            continue;
        };
        let whose = format!("{} `{name}`", group.member);
        for count in group.counts {
            out.extend(lowered(
                view,
                id,
                "",
                count,
                item,
                now,
                Some((group, &whose)),
            ));
        }
        for storage in group.storage {
            storage_changed(view, id, storage, item, now, &whose, out);
        }
    }
}

/// Which members a count is of, as words after "scales": " its nodeSet `hot`", or nothing
/// for the object's own count.
fn scope(within: Option<(&Group, &str)>) -> String {
    within.map(|(_, w)| format!(" its {w}")).unwrap_or_default()
}

fn count_at(node: &Node, count: &Count) -> Option<i64> {
    match node.path(count.path) {
        None => count.default,
        Some(n) => n.as_str()?.trim().parse().ok(),
    }
}

/// A count lowered. `within` is the group the count belongs to, when it is one of a group's.
fn lowered(
    view: &FileView,
    id: &ObjectId,
    what: &str,
    count: &Count,
    old: &Node,
    new: &Node,
    within: Option<(&Group, &str)>,
) -> Option<Finding> {
    let (was, is) = (count_at(old, count)?, count_at(new, count)?);
    if is >= was {
        return None;
    }
    let at = head_line(view, new.path(count.path).unwrap_or(new));
    let field = count.path.join(".");
    let finding = match (within, is, count.loss) {
        // A group at zero is a group removed.
        (Some((group, whose)), 0, _) => Finding::new(
            &DATA_MEMBERS_REMOVED,
            at,
            format!("{id} scales its {whose} from {was} to 0 (`{field}`): {}.", group.loses),
        ),
        (None, 0, Loss::Copies) => Finding::new(
            &SCALED_TO_ZERO,
            at,
            format!("{id} goes from {was} {}s to 0 (`{field}`): the operator stops every member of the {what}, so whatever uses it is down until it is scaled up again.", count.member),
        ),
        (_, _, Loss::Data) => Finding::new(
            &DATA_MEMBERS_REMOVED,
            at,
            format!(
                "{id} scales{} from {was} to {is} {}s (`{field}`): the removed {}s hold data no other member has, which is lost unless it is moved off them first.",
                scope(within),
                count.member,
                count.member
            ),
        ),
        (_, _, Loss::Copies) => Finding::new(
            &DATA_MEMBERS_REMOVED,
            at,
            format!(
                "{id} scales{} from {was} to {is} {}s (`{field}`): the removed members stop and most operators delete their PersistentVolumeClaims; the data stays on the remaining replicas, with less redundancy and a smaller quorum margin.",
                scope(within),
                count.member
            ),
        )
        .with_severity(Severity::Medium),
    };
    Some(finding)
}

/// The claim specs at `storage` on one side, by the template name when there are several.
fn claim_specs<'a>(node: &'a Node, storage: &Storage) -> Vec<(&'a str, &'a Node)> {
    let Some(at) = node.path(storage.path) else {
        return Vec::new();
    };
    match storage.each {
        None => vec![("", at)],
        Some(key) => named(Some(at), key),
    }
}

fn storage_changed(
    view: &FileView,
    id: &ObjectId,
    storage: &Storage,
    old: &Node,
    new: &Node,
    whose: &str,
    out: &mut Vec<Finding>,
) {
    let after = claim_specs(new, storage);
    for (name, before) in claim_specs(old, storage) {
        let Some((_, now)) = after.iter().find(|(n, _)| *n == name) else {
            continue;
        };
        let mut what = storage.path.join(".");
        if !name.is_empty() {
            what = format!("{what} `{name}`");
        }
        if !whose.is_empty() {
            what = format!("{whose}'s {what}");
        }
        let class = |n: &Node| {
            n.path(storage.class)
                .and_then(Node::as_str)
                .map(str::to_owned)
        };
        if let (Some(was), Some(is)) = (class(before), class(now)) {
            if was != is {
                let at = now.path(storage.class).unwrap_or(now);
                out.push(Finding::new(
                    &IMMUTABLE_FIELD_CHANGED,
                    head_line(view, at),
                    format!("{id} changes the storage class of {what} from `{was}` to `{is}`: existing PersistentVolumeClaims cannot change class, so the operator either rejects the change or replaces members with new, empty volumes."),
                ));
            }
        }
        let size = |n: &Node| {
            let text = n.path(storage.size)?.as_str()?;
            Some((super::immutable::quantity(text)?, text.to_owned()))
        };
        if let (Some((was, was_text)), Some((is, is_text))) = (size(before), size(now)) {
            if is < was {
                let at = now.path(storage.size).unwrap_or(now);
                out.push(Finding::new(
                    &IMMUTABLE_FIELD_CHANGED,
                    head_line(view, at),
                    format!("{id} lowers the size of {what} from `{was_text}` to `{is_text}`: volumes cannot shrink, so the operator either rejects the change or replaces members with new, smaller, empty volumes."),
                ));
            }
        }
    }
}

/// A Strimzi node pool whose nodes stop being brokers: Strimzi moves no partitions for it,
/// so the pool's brokers, and the partition replicas they host, are removed.
fn broker_role_dropped(
    view: &FileView,
    id: &ObjectId,
    old: &Node,
    new: &Node,
    out: &mut Vec<Finding>,
) {
    let brokers = |n: &Node| {
        n.path(&["spec", "roles"])
            .map(Node::as_seq)
            .unwrap_or(&[])
            .iter()
            .any(|r| r.as_str() == Some("broker"))
    };
    if !brokers(old) || brokers(new) {
        return;
    }
    let Some(roles) = new.path(&["spec", "roles"]) else {
        return;
    };
    out.push(Finding::new(
        &DATA_MEMBERS_REMOVED,
        head_line(view, roles),
        format!("{id} drops the `broker` role: its nodes stop being Kafka brokers, and the partition replicas they host are removed with them unless they were reassigned first."),
    ));
}

#[cfg(test)]
mod tests {
    use crate::analyze::files::testkit::{ids, Case};
    use crate::analyze::kubernetes::analyze;
    use crate::finding::{Finding, Severity};

    fn run(base: &str, head: &str) -> Vec<Finding> {
        Case::modified("deploy/data.yaml", base, head).run(analyze)
    }

    fn one(f: Vec<Finding>) -> (&'static str, Severity, String) {
        assert_eq!(f.len(), 1, "{f:?}");
        (f[0].rule.as_str(), f[0].severity, f[0].message.clone())
    }

    const ES: &str = "\
apiVersion: elasticsearch.k8s.elastic.co/v1
kind: Elasticsearch
metadata:
  name: logs
  namespace: obs
spec:
  version: 8.13.4
  nodeSets:
  - name: masters
    count: 3
  - name: hot
    count: 3
    volumeClaimTemplates:
    - metadata:
        name: elasticsearch-data
      spec:
        storageClassName: gp3
        resources:
          requests:
            storage: 500Gi
";

    #[test]
    fn an_eck_node_set_removed_renamed_or_scaled_to_zero_loses_its_nodes_and_claims() {
        let hot = &ES[ES.find("  - name: hot").unwrap_or(0)..];
        let removed = ES.replace(hot, "");
        let (rule, severity, message) = one(run(ES, &removed));
        assert_eq!(
            (rule, severity),
            ("kubernetes/data-members-removed", Severity::High)
        );
        assert!(message.contains("nodeSet `hot`"), "{message}");
        assert!(message.contains("PersistentVolumeClaims"), "{message}");

        let renamed = ES.replace("name: hot", "name: hot-v2");
        let (rule, _, message) = one(run(ES, &renamed));
        assert_eq!(rule, "kubernetes/data-members-removed");
        assert!(
            message.contains("`hot-v2` is added: a new, empty one, not a rename"),
            "{message}"
        );

        let zero = ES.replace("name: hot\n    count: 3", "name: hot\n    count: 0");
        let (rule, severity, message) = one(run(ES, &zero));
        assert_eq!(
            (rule, severity),
            ("kubernetes/data-members-removed", Severity::High)
        );
        assert!(message.contains("from 3 to 0"), "{message}");
    }

    #[test]
    fn fewer_replicas_of_kept_data_is_medium_and_fewer_shards_is_high() {
        let fewer = ES.replace("name: hot\n    count: 3", "name: hot\n    count: 2");
        let (rule, severity, _) = one(run(ES, &fewer));
        assert_eq!(
            (rule, severity),
            ("kubernetes/data-members-removed", Severity::Medium)
        );

        let chi = "apiVersion: clickhouse.altinity.com/v1\nkind: ClickHouseInstallation\nmetadata:\n  name: events\nspec:\n  configuration:\n    clusters:\n      - name: main\n        layout:\n          shardsCount: 4\n          replicasCount: 2\n";
        let (_, severity, message) =
            one(run(chi, &chi.replace("shardsCount: 4", "shardsCount: 2")));
        assert_eq!(severity, Severity::High);
        assert!(message.contains("from 4 to 2 shards"), "{message}");
        let (_, severity, _) = one(run(
            chi,
            &chi.replace("replicasCount: 2", "replicasCount: 1"),
        ));
        assert_eq!(severity, Severity::Medium);
        // Left out, the operator's default of one: a dropped count of two is a lowering.
        let (_, severity, _) = one(run(chi, &chi.replace("          replicasCount: 2\n", "")));
        assert_eq!(severity, Severity::Medium);
    }

    #[test]
    fn a_whole_replica_set_scaled_to_zero_is_an_outage_not_a_removal() {
        let rmq = "apiVersion: rabbitmq.com/v1beta1\nkind: RabbitmqCluster\nmetadata:\n  name: bus\nspec:\n  replicas: 3\n";
        let (rule, severity, _) = one(run(rmq, &rmq.replace("replicas: 3", "replicas: 0")));
        assert_eq!(
            (rule, severity),
            ("kubernetes/scaled-to-zero", Severity::Medium)
        );
    }

    #[test]
    fn a_minio_pool_removed_or_shrunk_and_a_kafka_pool_losing_its_broker_role_are_high() {
        let tenant = "apiVersion: minio.min.io/v2\nkind: Tenant\nmetadata:\n  name: artifacts\nspec:\n  pools:\n  - name: pool-0\n    servers: 4\n  - name: pool-1\n    servers: 4\n";
        let (_, severity, message) = one(run(
            tenant,
            &tenant.replace("  - name: pool-1\n    servers: 4\n", ""),
        ));
        assert_eq!(severity, Severity::High);
        assert!(message.contains("decommission"), "{message}");
        let (_, severity, _) = one(run(
            tenant,
            &tenant.replace("pool-1\n    servers: 4", "pool-1\n    servers: 2"),
        ));
        assert_eq!(severity, Severity::High);

        let pool = "apiVersion: kafka.strimzi.io/v1beta2\nkind: KafkaNodePool\nmetadata:\n  name: brokers\nspec:\n  replicas: 3\n  roles:\n    - broker\n";
        let (rule, _, message) = one(run(pool, &pool.replace("- broker", "- controller")));
        assert_eq!(rule, "kubernetes/data-members-removed");
        assert!(message.contains("`broker` role"), "{message}");
        assert!(run(
            pool,
            &pool.replace("- broker", "- broker\n    - controller")
        )
        .is_empty());
    }

    #[test]
    fn an_operators_claim_template_given_another_class_or_a_smaller_size_is_immutable() {
        let class = ES.replace("storageClassName: gp3", "storageClassName: io2");
        let (rule, _, message) = one(run(ES, &class));
        assert_eq!(rule, "kubernetes/immutable-field-changed");
        assert!(message.contains("from `gp3` to `io2`"), "{message}");
        let (rule, _, _) = one(run(ES, &ES.replace("storage: 500Gi", "storage: 200Gi")));
        assert_eq!(rule, "kubernetes/immutable-field-changed");
        let rmq = "apiVersion: rabbitmq.com/v1beta1\nkind: RabbitmqCluster\nmetadata:\n  name: bus\nspec:\n  persistence:\n    storage: 20Gi\n";
        assert_eq!(
            ids(&run(rmq, &rmq.replace("20Gi", "10Gi"))),
            ["kubernetes/immutable-field-changed"]
        );
        assert!(run(rmq, &rmq.replace("20Gi", "50Gi")).is_empty());
    }

    #[test]
    fn growing_reordering_adding_or_bumping_a_stateful_cluster_is_quiet() {
        let hot = &ES[ES.find("  - name: hot").unwrap_or(0)..];
        let masters =
            &ES[ES.find("  - name: masters").unwrap_or(0)..ES.find("  - name: hot").unwrap_or(0)];
        let reordered = ES.replace(masters, "") + masters;
        for head in [
            ES.replace("8.13.4", "8.14.1"),
            ES.replace("storage: 500Gi", "storage: 1Ti"),
            ES.replace("name: hot\n    count: 3", "name: hot\n    count: 5"),
            format!("{ES}{}", hot.replace("name: hot", "name: warm")),
            reordered,
            ES.replace(
                "  namespace: obs\n",
                "  namespace: obs\n  labels:\n    team: obs\n",
            ),
        ] {
            assert!(run(ES, &head).is_empty(), "{head}");
        }
        // A count twokey cannot read is not a lowering.
        let templated = ES.replace(
            "name: hot\n    count: 3",
            "name: hot\n    count: \"${HOT_COUNT}\"",
        );
        assert!(run(ES, &templated).is_empty());
    }
}
