//! database_images: a database server's image moved to another major version in a workload
//! that keeps its data on a claim, or in a CloudNativePG Cluster's `imageName`. Nothing is
//! deleted, but the files on the claim were written by the old major: PostgreSQL refuses to
//! start on them (the pod crash-loops until the data is migrated with `pg_upgrade` or a dump
//! and restore), and MySQL, MariaDB, MongoDB and Elasticsearch convert them in place, one
//! way, so rolling the image back cannot read them any more. A medium finding, tagged infra
//! only. Clients of a database (a CronJob running `pg_dump`, an init container waiting with
//! `pg_isready`), pods without a claim, digest-only bumps and servers that read older files
//! (Redis) stay quiet. Pure.

use super::settings::head_line;
use super::ObjectId;
use crate::analyze::database_majors::{major_change, Effect, IN_PLACE, POSTGRES};
use crate::analyze::{versions, FileView};
use crate::finding::{Finding, RuleId, Severity, Tag};
use crate::rules::Rule;
use crate::yaml::Node;

pub const DATABASE_MAJOR_UPGRADE: Rule = Rule {
    id: RuleId("kubernetes/database-major-upgrade"),
    severity: Severity::Medium,
    tags: &[Tag::Infra],
    summary: "A database server's image (postgres, mysql, mariadb, mongo, elasticsearch, …) moves to another major version in a workload whose data sits on a claim, or in a CloudNativePG Cluster's `imageName`.",
    why: "The data on the claim was written by the old major. PostgreSQL refuses to start on a data directory of another major version, so the pod crash-loops until the data is migrated; MySQL, MariaDB, MongoDB and Elasticsearch convert their files in place on first start, one way, so the old image cannot read them after (and MongoDB cannot skip a major). Nothing is deleted, so it is not tagged destructive; minor bumps, clients of the database and pods without a claim are not reported.",
    example: "  containers:\n    - name: postgres\n-     image: postgres:15.5\n+     image: postgres:16.1",
    safer: "Back the data up, then migrate it the way the server documents (`pg_upgrade` or a dump and restore into a new claim; MongoDB one major at a time with `setFeatureCompatibilityVersion`), or keep the old major's tag and bump only within it.",
};

pub const RULES: &[&Rule] = &[&DATABASE_MAJOR_UPGRADE];

/// Whether the workload's pods keep data on a claim: a StatefulSet's `volumeClaimTemplates`
/// or a pod volume naming a `persistentVolumeClaim`.
fn keeps_data(node: &Node) -> bool {
    let templates = node
        .path(&["spec", "volumeClaimTemplates"])
        .map(Node::as_seq);
    let volumes = node
        .path(&["spec", "template", "spec", "volumes"])
        .map(Node::as_seq)
        .unwrap_or(&[]);
    templates.is_some_and(|t| !t.is_empty())
        || volumes
            .iter()
            .any(|v| v.get("persistentVolumeClaim").is_some())
}

pub(super) fn compare(
    view: &FileView,
    id: &ObjectId,
    old: &Node,
    new: &Node,
    out: &mut Vec<Finding>,
) {
    if id.is("postgresql.cnpg.io", "Cluster") {
        let path = &["spec", "imageName"];
        if let (Some(was), Some(now)) = (old.path(path), new.path(path)) {
            report(view, id, "imageName", was, now, out);
        }
        return;
    }
    if !matches!(id.kind.as_str(), "StatefulSet" | "Deployment") || !keeps_data(new) {
        return;
    }
    let before = containers(old);
    for (name, now) in containers(new) {
        if let Some((_, was)) = before.iter().find(|(n, _)| *n == name) {
            report(view, id, &format!("container `{name}`"), was, now, out);
        }
    }
}

/// A pod template's containers (not its init containers, which are clients) by name.
fn containers(node: &Node) -> Vec<(&str, &Node)> {
    node.path(&["spec", "template", "spec", "containers"])
        .map(Node::as_seq)
        .unwrap_or(&[])
        .iter()
        .filter_map(|c| Some((c.get("name").and_then(Node::as_str)?, c.get("image")?)))
        .collect()
}

fn report(
    view: &FileView,
    id: &ObjectId,
    what: &str,
    was: &Node,
    now: &Node,
    out: &mut Vec<Finding>,
) {
    let (Some(a), Some(b)) = (was.as_str(), now.as_str()) else {
        return;
    };
    let Some(effect) = major_change(a, b) else {
        return;
    };
    out.push(Finding::new(
        &DATABASE_MAJOR_UPGRADE,
        head_line(view, now),
        format!(
            "The {what} of {id} moves from `{a}` to `{b}`, another major version of the database server \
             whose data it keeps: {}.",
            effect.0
        ),
    ));
}

/// Bundled database subcharts, by the values key they read (bitnami's layout), whose server
/// image a parent chart's values can pin with `<key>.image.tag`.
const SUBCHARTS: &[(&str, Effect)] = &[
    ("postgresql", POSTGRES),
    ("mysql", IN_PLACE),
    ("mariadb", IN_PLACE),
    ("mongodb", IN_PLACE),
];

/// A parent chart's values pinning a bundled database subchart's server image to another
/// major (`postgresql.image.tag: 15.4.0-…` to `16.1.0-…`).
pub(super) fn values(view: &FileView, base: &Node, head: &Node, out: &mut Vec<Finding>) {
    for (key, effect) in SUBCHARTS {
        let path = [*key, "image", "tag"];
        let (Some(was), Some(now)) = (base.path(&path), head.path(&path)) else {
            continue;
        };
        let (Some(a), Some(b)) = (was.as_str(), now.as_str()) else {
            continue;
        };
        if !versions::line_changed(a, b) {
            continue;
        }
        out.push(Finding::new(
            &DATABASE_MAJOR_UPGRADE,
            head_line(view, now),
            format!(
                "`{key}.image.tag` moves from `{a}` to `{b}`, another major version of the bundled {key} \
                 server, whose data its claims keep: {}.",
                effect.0
            ),
        ));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analyze::files::testkit::{ids, Case};
    use crate::analyze::kubernetes::analyze;

    fn workload(kind: &str, image: &str, claims: &str) -> String {
        format!(
            "apiVersion: apps/v1\nkind: {kind}\nmetadata:\n  name: db\nspec:\n  template:\n    spec:\n      \
             initContainers:\n        - name: wait\n          image: {image}\n      containers:\n        \
             - name: postgres\n          image: {image}\n{claims}"
        )
    }
    const CLAIM_TEMPLATES: &str = "  volumeClaimTemplates:\n    - metadata:\n        name: data\n";
    const CLAIM_VOLUME: &str =
        "      volumes:\n        - name: data\n          persistentVolumeClaim:\n            claimName: pg\n";

    fn run(base: &str, head: &str) -> Vec<Finding> {
        Case::modified("k8s/db.yaml", base, head).run(analyze)
    }

    #[test]
    fn a_postgres_major_in_a_workload_with_a_claim_is_reported_once_at_the_container() {
        let f = run(
            &workload("StatefulSet", "postgres:15.5", CLAIM_TEMPLATES),
            &workload("StatefulSet", "postgres:16.1", CLAIM_TEMPLATES),
        );
        assert_eq!(ids(&f), ["kubernetes/database-major-upgrade"]);
        assert_eq!(
            (f[0].severity, f[0].location.line),
            (Severity::Medium, Some(13))
        );
        assert!(!f[0].tags.contains(&Tag::Destructive));
        assert!(
            f[0].message.contains("refuses to start"),
            "{}",
            f[0].message
        );
        let f = run(
            &workload("Deployment", "mysql:5.7", CLAIM_VOLUME),
            &workload("Deployment", "mysql:8.0", CLAIM_VOLUME),
        );
        assert_eq!(ids(&f), ["kubernetes/database-major-upgrade"]);
    }

    #[test]
    fn a_minor_a_pod_without_a_claim_or_a_client_job_is_quiet() {
        let sts = |image: &str| workload("StatefulSet", image, CLAIM_TEMPLATES);
        assert!(run(&sts("postgres:15.4"), &sts("postgres:15.5")).is_empty());
        let bare = |image: &str| workload("Deployment", image, "");
        assert!(run(&bare("postgres:15"), &bare("postgres:16")).is_empty());
        let job = |image: &str| workload("Job", image, CLAIM_VOLUME);
        assert!(run(&job("postgres:15"), &job("postgres:16")).is_empty());
    }

    #[test]
    fn a_cloudnativepg_cluster_or_subchart_values_moved_to_another_major_is_reported() {
        let cluster = |tag: &str| {
            format!("apiVersion: postgresql.cnpg.io/v1\nkind: Cluster\nmetadata:\n  name: orders\nspec:\n  instances: 3\n  imageName: ghcr.io/cloudnative-pg/postgresql:{tag}\n")
        };
        assert_eq!(
            ids(&run(&cluster("15.6"), &cluster("16.2"))),
            ["kubernetes/database-major-upgrade"]
        );
        assert!(run(&cluster("16.1"), &cluster("16.2")).is_empty());
        let values = |tag: &str| format!("postgresql:\n  image:\n    tag: {tag}\n");
        let case = |a: &str, b: &str| {
            Case::modified("charts/shop/values.yaml", &values(a), &values(b))
                .run(crate::analyze::kubernetes::packaging::analyze)
        };
        assert_eq!(
            ids(&case("15.4.0-debian-11-r45", "16.1.0-debian-11-r15")),
            ["kubernetes/database-major-upgrade"]
        );
        assert!(case("15.4.0-debian-11-r45", "15.5.0-debian-11-r0").is_empty());
    }
}
