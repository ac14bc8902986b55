//! chart_bumps: a Helm chart that runs a data store moved to another major version, wherever
//! the version is pinned: a `Chart.yaml` dependency, a kustomization's `helmCharts`, a
//! helmfile release, an Argo CD Application's chart `targetRevision`, a Flux HelmRelease's
//! `version`. Chart majors are where the bundled server's own major version, the StatefulSet's
//! selector or the claims' names change, and their upgrade notes ask for a manual migration
//! (bitnami/postgresql 13 runs PostgreSQL 16, which does not read a 15 data directory).
//! twokey does not render charts, so this is a medium prompt to read those notes, tagged
//! infra only. Minor and patch bumps, and majors of charts that keep no data
//! (ingress-nginx, cert-manager, library charts), stay quiet. Pure.

use super::settings::head_line;
use super::template::{self, Comparison};
use super::ObjectId;
use crate::analyze::{versions, FileView};
use crate::finding::{Finding, RuleId, Severity, Tag};
use crate::rules::Rule;
use crate::yaml::Node;

pub const HELM_CHART_MAJOR_BUMP: Rule = Rule {
    id: RuleId("kubernetes/helm-chart-major-bump"),
    severity: Severity::Medium,
    tags: &[Tag::Infra],
    summary: "A Helm chart that runs a data store (postgresql, mysql, mariadb, mongodb, redis, kafka, rabbitmq, elasticsearch, …) moves to another major version in `Chart.yaml`, `helmCharts`, a helmfile, an Argo CD Application or a Flux HelmRelease.",
    why: "Chart majors are where the bundled server's major version, the StatefulSet's selector or its claims' names change, and their upgrade notes ask for a manual data migration (bitnami/postgresql 13.0.0 runs PostgreSQL 16, which refuses a data directory written by 15; a changed selector means deleting the StatefulSet first). twokey does not render charts, so it cannot see which applies: a prompt to read the notes, not evidence of destruction, and not tagged destructive. Minor and patch bumps and majors of charts that keep no data are not reported.",
    example: "  dependencies:\n    - name: postgresql\n-     version: 12.12.10\n+     version: 13.2.24",
    safer: "Read the chart's upgrade notes for every major crossed, back the data up, and compare `helm template` (or `helm diff upgrade`) before and after; where the server's major version changes, migrate the data (`pg_upgrade`, dump and restore) or pin the old image tag.",
};

pub const RULES: &[&Rule] = &[&HELM_CHART_MAJOR_BUMP];

/// Charts whose release keeps data on claims, by chart name, and what a message calls it.
const STATEFUL: &[(&str, &str)] = &[
    ("postgresql", "PostgreSQL"),
    ("postgresql-ha", "PostgreSQL"),
    ("timescaledb-single", "PostgreSQL"),
    ("mysql", "MySQL"),
    ("mariadb", "MariaDB"),
    ("mariadb-galera", "MariaDB"),
    ("mongodb", "MongoDB"),
    ("mongodb-sharded", "MongoDB"),
    ("redis", "Redis"),
    ("redis-cluster", "Redis"),
    ("valkey", "Valkey"),
    ("valkey-cluster", "Valkey"),
    ("kafka", "Kafka"),
    ("zookeeper", "ZooKeeper"),
    ("rabbitmq", "RabbitMQ"),
    ("elasticsearch", "Elasticsearch"),
    ("opensearch", "OpenSearch"),
    ("cassandra", "Cassandra"),
    ("clickhouse", "ClickHouse"),
    ("cockroachdb", "CockroachDB"),
    ("couchdb", "CouchDB"),
    ("etcd", "etcd"),
    ("influxdb", "InfluxDB"),
    ("influxdb2", "InfluxDB"),
    ("minio", "MinIO"),
    ("neo4j", "Neo4j"),
];

/// The data store a chart reference runs: `postgresql`, `bitnami/postgresql`,
/// `oci://registry-1.docker.io/bitnamicharts/postgresql` all name the same chart.
fn stateful(chart: &str) -> Option<&'static str> {
    let name = chart.trim().trim_end_matches('/').rsplit('/').next()?;
    STATEFUL
        .iter()
        .find(|(c, _)| c.eq_ignore_ascii_case(name))
        .map(|(_, what)| *what)
}

/// Reports `chart` moved from `was` to `now` when that crosses a release line of a chart that
/// keeps data. `owner` says where, as a message starts: "Dependency `postgresql` of …".
pub(super) fn judge(
    view: &FileView,
    owner: &str,
    chart: &str,
    was: &Node,
    now: &Node,
    out: &mut Vec<Finding>,
) {
    // A templated version (`{{ .Values.pg }}`) is not known on either side.
    if template::compare(was, now) == Comparison::Unknown {
        return;
    }
    let (Some(a), Some(b)) = (was.as_str(), now.as_str()) else {
        return;
    };
    let Some(what) = stateful(chart) else {
        return;
    };
    if !versions::line_changed(a, b) {
        return;
    }
    out.push(Finding::new(
        &HELM_CHART_MAJOR_BUMP,
        head_line(view, now),
        format!(
            "{owner} moves chart `{chart}` from {a} to {b}, another major version of a chart that runs {what}: \
             chart majors are where the bundled server's own major version, the StatefulSet's selector or its \
             claims' names change, and their upgrade notes often ask for a manual data migration. Nothing in \
             this diff shows data deleted; twokey does not render charts, so read the notes before merging."
        ),
    ));
}

/// Chart entries of a list matched by identity: `Chart.yaml` dependencies (by alias, else
/// name), a kustomization's `helmCharts` (by release name, else name) and helmfile releases
/// (by name and namespace). `chart_key` names the field holding the chart reference.
pub(super) fn listed(
    view: &FileView,
    owner: &str,
    chart_key: &str,
    identity: &[&str],
    base: Option<&Node>,
    head: Option<&Node>,
    out: &mut Vec<Finding>,
) {
    let key = |entry: &Node| -> Vec<Option<String>> {
        identity
            .iter()
            .map(|k| entry.get(k).and_then(Node::as_str).map(str::to_owned))
            .collect()
    };
    let base = base.map(Node::as_seq).unwrap_or(&[]);
    for new in head.map(Node::as_seq).unwrap_or(&[]) {
        let Some(chart) = new.get(chart_key).and_then(Node::as_str) else {
            continue;
        };
        let Some(old) = base.iter().find(|old| {
            key(old) == key(new) && old.get(chart_key).and_then(Node::as_str) == Some(chart)
        }) else {
            continue;
        };
        if let (Some(was), Some(now)) = (old.get("version"), new.get("version")) {
            let label = new
                .get("alias")
                .and_then(Node::as_str)
                .or_else(|| new.get("name").and_then(Node::as_str))
                .unwrap_or(chart);
            judge(view, &format!("{owner} `{label}`"), chart, was, now, out);
        }
    }
}

/// An Argo CD Application's sources that name a Helm chart: `spec.source`, `spec.sources[]`.
fn chart_sources(node: &Node) -> Vec<&Node> {
    let spec = node.get("spec");
    spec.and_then(|s| s.get("source"))
        .into_iter()
        .chain(
            spec.and_then(|s| s.get("sources"))
                .map(Node::as_seq)
                .unwrap_or(&[]),
        )
        .filter(|s| s.get("chart").is_some())
        .collect()
}

/// An Argo CD Application's Helm chart sources (`spec.source`, `spec.sources[]`, by chart
/// and repository) and a Flux HelmRelease's `spec.chart.spec`.
pub(super) fn compare(
    view: &FileView,
    id: &ObjectId,
    old: &Node,
    new: &Node,
    out: &mut Vec<Finding>,
) {
    if id.is("argoproj.io", "Application") {
        let before = chart_sources(old);
        for now in chart_sources(new) {
            let text = |s: &Node, key: &str| s.get(key).and_then(Node::as_str).map(str::to_owned);
            let Some(was) = before.iter().find(|s| {
                text(s, "chart") == text(now, "chart") && text(s, "repoURL") == text(now, "repoURL")
            }) else {
                continue;
            };
            let chart = now.get("chart").and_then(Node::as_str).unwrap_or_default();
            if let (Some(a), Some(b)) = (was.get("targetRevision"), now.get("targetRevision")) {
                judge(view, &id.to_string(), chart, a, b, out);
            }
        }
    } else if id.is("helm.toolkit.fluxcd.io", "HelmRelease") {
        let path = &["spec", "chart", "spec"];
        let (Some(was), Some(now)) = (old.path(path), new.path(path)) else {
            return;
        };
        let chart = now.get("chart").and_then(Node::as_str).unwrap_or_default();
        if was.get("chart").and_then(Node::as_str) != Some(chart) {
            // Another chart is `gitops`' to judge.
            return;
        }
        if let (Some(a), Some(b)) = (was.get("version"), now.get("version")) {
            judge(view, &id.to_string(), chart, a, b, out);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analyze::files::testkit::{ids, Case};
    use crate::analyze::kubernetes::analyze;

    fn application(chart: &str, revision: &str) -> String {
        format!(
            "apiVersion: argoproj.io/v1alpha1\nkind: Application\nmetadata:\n  name: db\n  namespace: argocd\nspec:\n  \
             sources:\n    - repoURL: https://charts.bitnami.com/bitnami\n      chart: {chart}\n      \
             targetRevision: {revision}\n    - repoURL: https://github.com/acme/deploy.git\n      \
             targetRevision: main\n      ref: values\n  destination:\n    namespace: data\n"
        )
    }

    fn run(base: &str, head: &str) -> Vec<Finding> {
        Case::modified("apps/db.yaml", base, head).run(analyze)
    }

    #[test]
    fn an_application_moving_a_database_chart_to_another_major_is_a_prompt() {
        let f = run(
            &application("postgresql", "12.5.6"),
            &application("postgresql", "13.2.24"),
        );
        assert_eq!(ids(&f), ["kubernetes/helm-chart-major-bump"]);
        assert_eq!(
            (f[0].severity, f[0].location.line),
            (Severity::Medium, Some(10))
        );
        assert!(!f[0].tags.contains(&Tag::Destructive));
    }

    #[test]
    fn an_application_moving_a_minor_or_a_chart_without_data_is_quiet() {
        let f = run(
            &application("postgresql", "13.2.24"),
            &application("postgresql", "13.4.0"),
        );
        assert!(f.is_empty(), "{f:?}");
        let f = run(
            &application("cert-manager", "v1.13.2"),
            &application("cert-manager", "v2.0.0"),
        );
        assert!(f.is_empty(), "{f:?}");
        let f = run(
            &application("postgresql", "12.5.6"),
            &application("postgresql", "{{ .Values.pg }}"),
        );
        assert!(f.is_empty(), "{f:?}");
    }

    #[test]
    fn charts_that_keep_data_are_known_by_their_last_path_segment() {
        assert_eq!(stateful("postgresql"), Some("PostgreSQL"));
        assert_eq!(stateful("bitnami/redis"), Some("Redis"));
        assert_eq!(
            stateful("oci://registry-1.docker.io/bitnamicharts/mongodb"),
            Some("MongoDB")
        );
        assert_eq!(stateful("ingress-nginx/ingress-nginx"), None);
        assert_eq!(stateful("common"), None);
        assert_eq!(stateful("kube-prometheus-stack"), None);
    }
}
