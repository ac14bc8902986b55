//! packaging: the files that decide which manifests get rendered, rather than manifests
//! themselves. A resource dropped from a `kustomization.yaml` disappears from the build, so a
//! pruning sync deletes everything it declared, unless every object of a dropped manifest is
//! now declared by manifests the kustomization lists (a file split or renamed); a Helm chart whose values switch off a
//! bundled database or its persistence (or whose `Chart.yaml` drops it from its dependencies)
//! has the next `helm upgrade` delete that database's objects and claims. A chart template
//! that loses `helm.sh/resource-policy: keep` loses what kept its object through an
//! uninstall; this module reports it only for templates that do not read as YAML, the
//! object comparison owning the others. Inline `$patch: delete` patches in a kustomization
//! delete their target.

use crate::analyze::{unparseable_finding, FileKind, FileView, Unparseable};
use crate::change::{Content, RepoPath, Side};
use crate::finding::{Finding, RuleId, Severity, Tag};
use crate::rules::Rule;
use crate::yaml::{self, Node};

const DESTRUCTIVE: &[Tag] = &[Tag::Destructive, Tag::Infra];

pub const KUSTOMIZE_RESOURCE_DROPPED: Rule = Rule {
    id: RuleId("kubernetes/kustomize-resource-dropped"),
    severity: Severity::High,
    tags: DESTRUCTIVE,
    summary: "An entry is dropped from a kustomization's `resources` (or `components`, `helmCharts`).",
    why: "Everything the dropped file or directory declared leaves the rendered output, so Argo CD, Flux or `kubectl apply --prune` deletes those objects from the cluster, whole namespaces and claims included.",
    example: "resources:\n  - deployment.yaml\n- - postgres/",
    safer: "Check `kustomize build` before and after: if the objects moved elsewhere the output is the same; otherwise remove them one by one, protected by `Prune=false` where they hold data.",
};

pub const HELM_STATEFUL_DISABLED: Rule = Rule {
    id: RuleId("kubernetes/helm-stateful-disabled"),
    severity: Severity::High,
    tags: DESTRUCTIVE,
    summary: "Helm values switch off a bundled stateful component (`postgresql.enabled: false`) or its persistence (`persistence.enabled: false`), or `Chart.yaml` drops it from its dependencies.",
    why: "The next `helm upgrade` renders the chart without the component's objects and deletes them from the cluster: the database pods, their Services and, with persistence turned off, the claims that held the data.",
    example: "postgresql:\n- enabled: true\n+ enabled: false",
    safer: "Migrate the data out first, and keep the claims with `helm.sh/resource-policy: keep` until it is safe to delete them.",
};

pub const HELM_NAMES_CHANGED: Rule = Rule {
    id: RuleId("kubernetes/helm-names-changed"),
    severity: Severity::High,
    tags: &[Tag::Destructive, Tag::Infra],
    summary: "Helm values change `fullnameOverride` or `nameOverride` (the chart's or a subchart's), from which charts name every object they render.",
    why: "Kubernetes has no rename: the next `helm upgrade` renders every object under its new name, deletes the old ones and creates new ones. Pods restart, Services get new addresses, a claim the chart renders is deleted with its data, and a StatefulSet's claims start empty under the new name.",
    example: "- fullnameOverride: \"\"\n+ fullnameOverride: orders",
    safer: "Keep the override as it is; to rename, install the chart a second time under the new name, move traffic and data to it, then uninstall the old release.",
};

pub const HELM_SUBCHART_REMOVED: Rule = Rule {
    id: RuleId("kubernetes/helm-subchart-removed"),
    severity: Severity::High,
    tags: &[Tag::Destructive, Tag::Infra],
    summary: "A chart drops a subchart from `Chart.yaml`'s dependencies, or its values switch off the `condition` a dependency is installed under (`ingress-nginx.enabled: false`). Stateful subcharts are `kubernetes/helm-stateful-disabled`.",
    why: "Helm deletes whatever a release no longer renders: the next `helm upgrade` uninstalls every object of the subchart, its workloads, Services (and the load balancers behind them), Secrets and webhooks.",
    example: "  dependencies:\n-   - name: ingress-nginx\n-     condition: ingress-nginx.enabled",
    safer: "Install the component separately (its own release) and move to it first; then drop the subchart in its own change.",
};

pub const RULES: &[&Rule] = &[
    &KUSTOMIZE_RESOURCE_DROPPED,
    &HELM_STATEFUL_DISABLED,
    &HELM_NAMES_CHANGED,
    &HELM_SUBCHART_REMOVED,
];

/// Library charts render nothing (they only define templates for others to include), so
/// dropping one deletes nothing. Known by name, as `Chart.yaml` does not say a dependency's
/// type: Bitnami's `common` and the `-common`/`-lib` naming most library charts follow.
fn is_library(name: &str) -> bool {
    name == "common"
        || ["-common", "-lib", "-library", "-helpers"]
            .iter()
            .any(|suffix| name.ends_with(suffix))
}

/// Subcharts that hold data when enabled.
const STATEFUL_CHARTS: &[&str] = &[
    "postgresql",
    "postgresql-ha",
    "mysql",
    "mariadb",
    "redis",
    "redis-cluster",
    "mongodb",
    "elasticsearch",
    "opensearch",
    "kafka",
    "rabbitmq",
    "cassandra",
    "minio",
    "etcd",
    "zookeeper",
    "clickhouse",
    "influxdb",
    "memcached",
];

pub fn analyze(view: &FileView) -> Vec<Finding> {
    if view.kind == FileKind::Helm && super::helmfile::is_helmfile(view.path()) {
        return super::helmfile::analyze(view);
    }
    if reads_as_plain_yaml(view) {
        let broken = unparseable_sides(view);
        if !broken.is_empty() {
            return broken;
        }
    }
    if view.kind == FileKind::Helm && is_chart_file(view) {
        return match (document(view.old_text()), document(view.new_text())) {
            (Some(base), Some(head)) => {
                // Helm reads `requirements.yaml` only for an apiVersion v1 chart; beside a
                // v2 `Chart.yaml` it is a leftover that keeps nothing installed.
                let v1 = head.get("apiVersion").and_then(Node::as_str) != Some("v2");
                let kept_in_requirements = || {
                    if v1 {
                        dependency_ids(sibling(view, Side::Head, REQUIREMENTS).as_ref())
                    } else {
                        Vec::new()
                    }
                };
                let mut out = chart_dependencies(view, &base, &head, kept_in_requirements);
                out.extend(chart_renamed(view, &base, &head));
                // A chart moving its dependencies from a Helm 2 `requirements.yaml` into
                // `Chart.yaml` (apiVersion v2) keeps their versions there to compare against.
                let moved = match base.get("dependencies") {
                    None if head.get("dependencies").is_some() => {
                        sibling(view, Side::Base, REQUIREMENTS)
                    }
                    _ => None,
                };
                super::chart_bumps::listed(
                    view,
                    "Dependency",
                    "name",
                    &["alias", "name"],
                    base.get("dependencies")
                        .or_else(|| moved.as_ref()?.get("dependencies")),
                    head.get("dependencies"),
                    &mut out,
                );
                out
            }
            _ => Vec::new(),
        };
    }
    if view.kind == FileKind::Helm && is_requirements_file(view) {
        return requirements(view);
    }
    if view.kind == FileKind::Helm && view.path().file_name().starts_with('_') {
        // A partial renders nothing itself; its `name` and `fullname` helpers name every
        // object the chart renders, and a keep annotation it writes is matched by its lines.
        let mut out = kept_by_helm(view);
        out.extend(name_helpers_changed(view));
        return out;
    }
    if view.kind == FileKind::Helm && !is_values_file(view) {
        // A template that reads as YAML is compared object by object, where a lost
        // annotation is `settings`' finding, naming the object; matching lines of text is
        // for the templates that do not.
        if super::template_compared(view) {
            return Vec::new();
        }
        return kept_by_helm(view);
    }
    let base = match view.old {
        // A new kustomization can delete through its inline patches from the start.
        Content::Absent if view.kind == FileKind::Kustomize => Some(empty()),
        _ => document(view.old_text()),
    };
    let (Some(base), Some(head)) = (base, document(view.new_text())) else {
        // Absent, unreadable or templated sides: the Kubernetes and files analyzers speak
        // for those.
        return Vec::new();
    };
    match view.kind {
        FileKind::Kustomize => {
            let mut out = kustomize(view, &base, &head);
            super::chart_bumps::listed(
                view,
                "Helm chart",
                "name",
                &["releaseName", "name"],
                base.get("helmCharts"),
                head.get("helmCharts"),
                &mut out,
            );
            out
        }
        FileKind::Helm if is_values_file(view) => {
            let mut out = helm_values(view, &base, &head);
            super::database_images::values(view, &base, &head, &mut out);
            out
        }
        _ => Vec::new(),
    }
}

fn document(text: Option<&str>) -> Option<Node> {
    yaml::parse_documents(text?).ok()?.into_iter().next()
}

fn empty() -> Node {
    Node {
        line: 1,
        end_line: 1,
        value: yaml::Value::Null,
    }
}

/// Whether Helm or Kustomize reads the file as it is, as YAML: a chart's `Chart.yaml`,
/// `requirements.yaml` and values files, and a kustomization. (Templates and helmfiles are
/// YAML only once rendered.)
fn reads_as_plain_yaml(view: &FileView) -> bool {
    match view.kind {
        FileKind::Kustomize => true,
        FileKind::Helm => is_chart_file(view) || is_requirements_file(view) || is_values_file(view),
        _ => false,
    }
}

/// The sides of a plain YAML file that do not parse, each a finding that asks a human: what
/// such a file drops cannot be told, and Helm and Kustomize read it only if it parses.
fn unparseable_sides(view: &FileView) -> Vec<Finding> {
    [(Side::Base, view.old_text()), (Side::Head, view.new_text())]
        .into_iter()
        .filter_map(|(side, text)| {
            let error = yaml::parse_documents(text?).err()?;
            let failure = Unparseable {
                side,
                line: Some(error.line.max(1)),
                reason: error.message,
            };
            Some(unparseable_finding(&super::UNPARSEABLE, view, &failure))
        })
        .collect()
}

pub(super) fn is_chart_file(view: &FileView) -> bool {
    let name = view.path_on(Side::Head).file_name().to_ascii_lowercase();
    name == "chart.yaml" || name == "chart.yml"
}

const CHART: &[&str] = &["Chart.yaml", "Chart.yml"];
const REQUIREMENTS: &[&str] = &["requirements.yaml", "requirements.yml"];

/// A Helm 2 chart's `requirements.yaml` (classified by its content: Ansible Galaxy uses
/// the same name).
fn is_requirements_file(view: &FileView) -> bool {
    let name = view.path_on(Side::Head).file_name().to_ascii_lowercase();
    REQUIREMENTS.contains(&name.as_str())
}

/// Whether the file is a `requirements.yaml` that `requirements` judges: one beside a
/// chart's `Chart.yaml` (on either side).
pub(crate) fn judges_requirements(view: &FileView) -> bool {
    is_requirements_file(view)
        && [Side::Head, Side::Base]
            .into_iter()
            .any(|side| sibling(view, side, CHART).is_some())
}

/// The first of `names` beside the file under review on `side`, parsed.
fn sibling(view: &FileView, side: Side, names: &[&str]) -> Option<Node> {
    let dir = view.path_on(side).dir();
    names.iter().find_map(
        |name| match view.snapshot.read(side, &RepoPath::joined(dir, name)) {
            Content::Text(text) => document(Some(&text)),
            _ => None,
        },
    )
}

/// The dependencies a chart file lists, by alias or name.
fn dependency_ids(chart: Option<&Node>) -> Vec<String> {
    chart
        .and_then(|c| c.get("dependencies"))
        .map(Node::as_seq)
        .unwrap_or(&[])
        .iter()
        .filter_map(|d| d.get("alias").or_else(|| d.get("name"))?.as_str())
        .map(str::to_owned)
        .collect()
}

/// A Helm 2 chart's `requirements.yaml`, which Helm (2, and 3 for apiVersion v1 charts)
/// reads as `Chart.yaml`'s `dependencies`: a dependency dropped uninstalls the subchart, and
/// one moved to another major is a chart major bump. Judged only beside a `Chart.yaml`; a
/// dependency that moved into the `Chart.yaml` is kept. A deleted file drops all it listed.
fn requirements(view: &FileView) -> Vec<Finding> {
    if !judges_requirements(view) {
        return Vec::new();
    }
    let chart = sibling(view, Side::Head, CHART);
    let Some(base) = document(view.old_text()) else {
        return Vec::new();
    };
    let head = match view.new {
        Content::Absent => empty(),
        _ => match document(view.new_text()) {
            Some(head) => head,
            None => return Vec::new(),
        },
    };
    let mut out = chart_dependencies(view, &base, &head, || dependency_ids(chart.as_ref()));
    super::chart_bumps::listed(
        view,
        "Dependency",
        "name",
        &["alias", "name"],
        base.get("dependencies"),
        head.get("dependencies"),
        &mut out,
    );
    out
}

/// Stateful subcharts a `Chart.yaml` stops depending on: the next `helm upgrade` renders the
/// chart without them and deletes their objects, claims included.
fn chart_dependencies(
    view: &FileView,
    base: &Node,
    head: &Node,
    kept_elsewhere: impl FnOnce() -> Vec<String>,
) -> Vec<Finding> {
    // A subchart is told apart by its alias, when it has one, or its name.
    let identity = |dep: &Node| {
        let name = dep.get("name").and_then(Node::as_str)?;
        let alias = dep.get("alias").and_then(Node::as_str);
        Some((name.to_owned(), alias.unwrap_or(name).to_owned()))
    };
    let mut kept: Vec<String> = head
        .get("dependencies")
        .map(Node::as_seq)
        .unwrap_or(&[])
        .iter()
        .filter_map(|d| identity(d).map(|(_, id)| id))
        .collect();
    let mut elsewhere = Some(kept_elsewhere);
    let mut out = Vec::new();
    for dep in base.get("dependencies").map(Node::as_seq).unwrap_or(&[]) {
        let Some((name, id)) = identity(dep) else {
            continue;
        };
        if !kept.contains(&id) {
            // The other dependency file (`Chart.yaml`, `requirements.yaml`) is read only
            // once a dependency seems dropped.
            kept.extend(elsewhere.take().map(|f| f()).unwrap_or_default());
        }
        if kept.contains(&id) || is_library(&name) {
            continue;
        }
        if !STATEFUL_CHARTS.contains(&name.as_str()) {
            out.push(Finding::new(
                &HELM_SUBCHART_REMOVED,
                view.at(Side::Base, dep.line, dep.end_line),
                format!("The {id} subchart ({name}) is dropped from the dependencies of {}: the next `helm upgrade` uninstalls every object it rendered (workloads, Services and their load balancers, Secrets, webhooks).", view.path_on(Side::Base)),
            ));
            continue;
        }
        out.push(
            Finding::new(
                &HELM_STATEFUL_DISABLED,
                view.at(Side::Base, dep.line, dep.end_line),
                format!("The {id} subchart ({name}) is dropped from the dependencies of {}: the next `helm upgrade` deletes the bundled {name} and, with it, the claims that hold its data.", view.path_on(Side::Base)),
            )
            .with_severity(Severity::Critical),
        );
    }
    out
}

pub(super) fn is_values_file(view: &FileView) -> bool {
    let name = view.path_on(Side::Head).file_name().to_ascii_lowercase();
    name.starts_with("values") && (name.ends_with(".yaml") || name.ends_with(".yml"))
}

fn kustomize<'a>(view: &FileView, base: &'a Node, head: &'a Node) -> Vec<Finding> {
    let mut out = Vec::new();
    let already: Vec<_> = super::patches::inline_deletions(base)
        .into_iter()
        .map(|d| d.id)
        .collect();
    for deleted in super::patches::inline_deletions(head) {
        if already.contains(&deleted.id) {
            continue;
        }
        let how = format!(
            "is deleted by an inline `$patch: delete` added to {}",
            view.path_on(Side::Head)
        );
        let at = view.at(Side::Head, deleted.line, deleted.line);
        out.push(
            super::departure_finding(&deleted.id, &deleted.object, at, &how, false, None)
                .with_subject(deleted.id.subject()),
        );
    }
    out.extend(transformers_changed(view, base, head));
    out.extend(super::kustomize_scale::zeroed(view, base, head));
    out.extend(super::kustomize_renames::renamed(view, base, head));
    // `bases` is the deprecated spelling of `resources` (`kustomize edit fix` moves entries
    // from one to the other), so the two are one list.
    let groups: [&[&str]; 3] = [&["resources", "bases"], &["components"], &["helmCharts"]];
    for group in groups {
        let entries = |side: &'a Node| {
            group.iter().flat_map(move |key| {
                side.get(key)
                    .map(Node::as_seq)
                    .unwrap_or(&[])
                    .iter()
                    .map(move |e| (*key, e))
            })
        };
        let kept: Vec<String> = entries(head)
            .filter_map(|(_, e)| entry_name(e))
            .map(|name| normalize(&name))
            .collect();
        for (key, entry) in entries(base) {
            let Some(name) = entry_name(entry) else {
                continue;
            };
            if kept.contains(&normalize(&name)) {
                continue;
            }
            if key != "components" && key != "helmCharts" && split_into_kept(view, &name, &kept) {
                continue;
            }
            out.push(Finding::new(
                &KUSTOMIZE_RESOURCE_DROPPED,
                view.at(Side::Base, entry.line, entry.end_line),
                format!(
                    "`{name}` is dropped from `{key}` in {}: every object it declared leaves the build, and a pruning sync deletes them from the cluster.",
                    view.path_on(Side::Base)
                ),
            ));
        }
    }
    out
}

/// Whether a deleted kustomization listed only manifests that are deleted with it (and
/// nothing else: no bases, components, charts, generators or patches of other files). Each
/// object in those manifests is then reported where it is declared, so the kustomization's
/// own deletion adds nothing a reviewer has not been told.
pub fn deleted_with_all_its_manifests(view: &FileView) -> bool {
    let Some(text) = view.old_text() else {
        return false;
    };
    let Ok(docs) = yaml::parse_documents(text) else {
        return false;
    };
    let [doc] = docs.as_slice() else {
        return false;
    };
    let map = doc.as_map();
    let dir = view.path_on(Side::Base).dir().to_owned();
    let mut listed = 0;
    for (key, value) in map {
        match key.as_str() {
            "apiVersion" | "kind" | "metadata" | "namespace" => {}
            "resources" => {
                for entry in value.as_seq() {
                    let Some(name) = entry.as_str() else {
                        return false;
                    };
                    let name = name.trim_start_matches("./");
                    let manifest = [".yaml", ".yml", ".json"]
                        .iter()
                        .any(|e| name.to_ascii_lowercase().ends_with(e));
                    let path = RepoPath::joined(&dir, name);
                    if !manifest
                        || name.contains("..")
                        || name.contains("://")
                        || !matches!(view.snapshot.read(Side::Head, &path), Content::Absent)
                        || matches!(view.snapshot.read(Side::Base, &path), Content::Absent)
                    {
                        return false;
                    }
                    listed += 1;
                }
            }
            _ => return false,
        }
    }
    listed > 0
}

/// Whether a manifest dropped from `resources` had every object it declared moved to
/// manifests the kustomization lists at head: one file split into several, or renamed with its
/// entry. The build keeps every object, so nothing is pruned.
fn split_into_kept(view: &FileView, dropped: &str, kept: &[String]) -> bool {
    let is_manifest = |entry: &str| {
        let entry = entry.to_ascii_lowercase();
        !entry.contains("://")
            && [".yaml", ".yml", ".json"]
                .iter()
                .any(|e| entry.ends_with(e))
    };
    if !is_manifest(dropped) {
        return false;
    }
    let declared = |side: Side, dir: &str, entry: &str| -> Vec<super::ObjectId> {
        let path = crate::change::RepoPath::joined(dir, entry);
        let Some(text) = view.snapshot.read(side, &path).text().map(str::to_owned) else {
            return Vec::new();
        };
        let docs = yaml::parse_documents(&text).unwrap_or_default();
        super::objects(&docs).into_keys().collect()
    };
    let old = declared(Side::Base, view.path_on(Side::Base).dir(), dropped);
    if old.is_empty() {
        return false;
    }
    let new: Vec<super::ObjectId> = kept
        .iter()
        .filter(|entry| is_manifest(entry))
        .flat_map(|entry| declared(Side::Head, view.path_on(Side::Head).dir(), entry))
        .collect();
    old.iter().all(|id| new.contains(id))
}

/// A kustomization's `namespace`, `namePrefix` or `nameSuffix` changed: kustomize rewrites
/// every object it builds with them, so each one moves or is renamed, and Kubernetes has no
/// move: a pruning sync deletes every old object, claims and their data included, and creates
/// new ones.
fn transformers_changed(view: &FileView, base: &Node, head: &Node) -> Vec<Finding> {
    let mut out = Vec::new();
    for (key, what) in [
        (
            "namespace",
            "moves every object it builds to another namespace",
        ),
        ("namePrefix", "renames every object it builds"),
        ("nameSuffix", "renames every object it builds"),
    ] {
        let value = |side: &Node| {
            side.get(key)
                .and_then(Node::as_str)
                .unwrap_or("")
                .to_owned()
        };
        let (old, new) = (value(base), value(head));
        if old == new {
            continue;
        }
        let at = match head.get(key) {
            Some(node) => view.at(Side::Head, node.line, node.end_line),
            None => {
                let node = base.get(key).unwrap_or(base);
                view.at(Side::Base, node.line, node.end_line)
            }
        };
        let shown = |v: &str| {
            if v.is_empty() {
                "(none)".to_owned()
            } else {
                format!("`{v}`")
            }
        };
        out.push(
            Finding::new(
                &super::RENAMED,
                at,
                format!(
                    "`{key}` changes from {} to {} in {}: that {what}, and Kubernetes has no move or rename: a pruning sync deletes each old object (PersistentVolumeClaims with their data) and creates a new one.",
                    shown(&old),
                    shown(&new),
                    view.path_on(Side::Head)
                ),
            )
            .with_safer(format!(
                "Keep `{key}` as it is, or deploy the new {key} as a separate overlay beside the old one, move the data and traffic, then remove the old overlay."
            )),
        );
    }
    out
}

/// `helm.sh/resource-policy: keep` lines a chart template that does not read as YAML loses:
/// the annotation is matched as a line of text; a template keeping as many of them as before
/// is quiet.
fn kept_by_helm(view: &FileView) -> Vec<Finding> {
    let keeps = |text: Option<&str>| -> Vec<u32> {
        text.unwrap_or("")
            .lines()
            .enumerate()
            .filter(|(_, line)| {
                let line = line.trim();
                let Some(value) = line.strip_prefix("helm.sh/resource-policy:") else {
                    return false;
                };
                value.trim().trim_matches(|c| c == '"' || c == '\'') == "keep"
            })
            .map(|(i, _)| u32::try_from(i + 1).unwrap_or(u32::MAX))
            .collect()
    };
    let Some(new_text) = view.new_text() else {
        // A deleted template is the files analyzer's infrastructure deletion.
        return Vec::new();
    };
    let (before, after) = (keeps(view.old_text()), keeps(Some(new_text)));
    if after.len() >= before.len() {
        return Vec::new();
    }
    // Objects removed with their annotation are kept by Helm, orphaned: the object analyzer
    // reports them. Only an annotation lost from an object that stays is this finding.
    let objects = |text: Option<&str>| {
        text.unwrap_or("")
            .lines()
            .filter(|l| l.starts_with("kind:"))
            .count()
    };
    let gone = objects(view.old_text()).saturating_sub(objects(Some(new_text)));
    if gone >= before.len() - after.len() {
        return Vec::new();
    }
    let line = before[after.len()];
    vec![Finding::new(
        &super::settings::PRUNE_PROTECTION_REMOVED,
        view.at(Side::Base, line, line),
        format!(
            "{} loses `helm.sh/resource-policy: keep`: the next `helm uninstall`, or an upgrade that stops rendering the object, deletes it.",
            view.path_on(Side::Base)
        ),
    )
    .with_severity(Severity::High)]
}

/// `./db/` and `db` name the same directory.
/// How a kustomization entry is named: a path, or for `helmCharts` the chart and its
/// release (`postgresql as orders-db`); a chart version bump keeps the name.
fn entry_name(entry: &Node) -> Option<String> {
    if let Some(path) = entry.as_str() {
        return Some(path.to_owned());
    }
    let chart = entry.get("name").and_then(Node::as_str)?;
    Some(match entry.get("releaseName").and_then(Node::as_str) {
        Some(release) => format!("{chart} as {release}"),
        None => chart.to_owned(),
    })
}

/// What an entry points at, whatever its spelling: `./web/` is `web`, and a remote base
/// pinned to another version (`?ref=v1.2.0`, `/download/v1.13.2/`) is the same base.
fn normalize(entry: &str) -> String {
    let local = entry.trim_start_matches("./").trim_end_matches('/');
    let remote =
        local.contains("://") || local.starts_with("git@") || local.starts_with("github.com/");
    if !remote {
        return local.to_owned();
    }
    let without_query = local
        .split('?')
        .next()
        .unwrap_or(local)
        .trim_end_matches('/');
    without_query
        .split('/')
        .map(|segment| if is_version(segment) { "*" } else { segment })
        .collect::<Vec<_>>()
        .join("/")
}

/// A version or commit in a URL path: `v2.9.3`, `1.13.2`, `v1.0.0-rc.1`, a 40-digit SHA.
fn is_version(segment: &str) -> bool {
    let digits = segment.strip_prefix('v').unwrap_or(segment);
    let semver = digits.starts_with(|c: char| c.is_ascii_digit()) && digits.contains('.');
    let sha = segment.len() == 40 && segment.bytes().all(|b| b.is_ascii_hexdigit());
    semver || sha
}

fn is_on(node: Option<&Node>) -> bool {
    node.and_then(Node::as_str) == Some("true")
}

fn is_off(node: Option<&Node>) -> bool {
    node.and_then(Node::as_str) == Some("false")
}

pub(super) fn helm_values(view: &FileView, base: &Node, head: &Node) -> Vec<Finding> {
    let mut out = Vec::new();
    let mut switched_off = Vec::new();
    for (name, old) in base.as_map() {
        let Some(new) = head.get(name) else {
            continue;
        };
        let is_stateful = STATEFUL_CHARTS.contains(&name.as_str());
        if is_stateful && is_on(old.get("enabled")) && is_off(new.get("enabled")) {
            let at = new.get("enabled").unwrap_or(new);
            out.push(
                Finding::new(
                    &HELM_STATEFUL_DISABLED,
                    view.at(Side::Head, at.line, at.line),
                    format!("`{name}.enabled` is switched off: the next `helm upgrade` deletes the bundled {name} and, with it, the claims that hold its data."),
                )
                .with_severity(Severity::Critical),
            );
            continue;
        }
        if !is_stateful && is_on(old.get("enabled")) && is_off(new.get("enabled")) {
            switched_off.push((name, new.get("enabled").unwrap_or(new)));
        }
    }
    // Read the chart's dependencies only when a switch went off that may be their condition.
    if !switched_off.is_empty() {
        let conditions = subchart_conditions(view);
        for (name, at) in switched_off {
            let switch = format!("{name}.enabled");
            let Some(dependency) = conditions.iter().find(|(_, c)| c.contains(&switch)) else {
                continue;
            };
            out.push(Finding::new(
                &HELM_SUBCHART_REMOVED,
                view.at(Side::Head, at.line, at.line),
                format!("`{switch}` is switched off, the condition the {} subchart is installed under: the next `helm upgrade` uninstalls every object it rendered (workloads, Services and their load balancers, Secrets, webhooks).", dependency.0),
            ));
        }
    }
    // Persistence switched off anywhere: the chart's own (`persistence.enabled`) or a
    // component's (`postgresql.primary.persistence.enabled`, `redis.master.persistence…`,
    // `replica.persistence…`), whatever the chart calls its components.
    out.extend(default_persistence_off(view, base, head));
    out.extend(names_changed(view, base, head));
    out.extend(replicas_zeroed(view, base, head, &mut Vec::new()));
    out.extend(existing_claims(view, base, head));
    let mut switches = Vec::new();
    persistence_switches(base, &mut Vec::new(), &mut switches);
    for path in switches {
        let keys: Vec<&str> = path.iter().map(String::as_str).collect();
        let Some(at) = head.path(&keys).filter(|n| is_off(Some(n))) else {
            continue;
        };
        out.push(Finding::new(
            &HELM_STATEFUL_DISABLED,
            view.at(Side::Head, at.line, at.line),
            format!("`{}` is switched off: the chart stops rendering its PersistentVolumeClaim, so the next `helm upgrade` deletes the claim and its data.", keys.join(".")),
        ));
    }
    out
}

/// A chart renamed in `Chart.yaml`: `.Chart.Name` is the default of the `name` and
/// `fullname` helpers, so every object is renamed unless `nameOverride` hides it (or the
/// release name already holds the chart's name). Medium: which it is depends on the values.
fn chart_renamed(view: &FileView, base: &Node, head: &Node) -> Option<Finding> {
    let (before, at) = (base.get("name")?.as_str()?, head.get("name")?);
    let after = at.as_str()?;
    if before == after {
        return None;
    }
    Some(
        Finding::new(
            &HELM_NAMES_CHANGED,
            view.at(Side::Head, at.line, at.line),
            format!("The chart is renamed from `{before}` to `{after}`: charts name their objects from `.Chart.Name` unless `nameOverride` is set, so the next `helm upgrade` may delete every object under its old name and create it under the new one (claims the chart renders with their data). Compare `helm template` before and after, or set `nameOverride: {before}`."),
        )
        .with_severity(Severity::Medium),
    )
}

/// A chart partial whose `name` or `fullname` helper now reads differently (trim markers,
/// spacing and comments aside): twokey does not render it, so whether every object's name
/// changes is unknown, and medium.
fn name_helpers_changed(view: &FileView) -> Vec<Finding> {
    let (Some(old), Some(new)) = (view.old_text(), view.new_text()) else {
        return Vec::new();
    };
    let before = name_helpers(old);
    name_helpers(new)
        .into_iter()
        .filter(|(name, body, _)| {
            before
                .iter()
                .any(|(old_name, old_body, _)| old_name == name && old_body != body)
        })
        .map(|(name, _, line)| {
            Finding::new(
                &HELM_NAMES_CHANGED,
                view.at(Side::Head, line, line),
                format!("The `{name}` helper is rewritten: the chart names its objects with it, so if it renders another name the next `helm upgrade` deletes every object under its old name and creates it under the new one (claims the chart renders with their data). twokey does not render templates: compare `helm template` before and after."),
            )
            .with_severity(Severity::Medium)
        })
        .collect()
}

/// The `define` blocks of a partial that name objects (`<chart>.name`, `<chart>.fullname`):
/// their name, their body without trim markers, spacing or comments, and their line.
fn name_helpers(text: &str) -> Vec<(String, String, u32)> {
    let mut found = Vec::new();
    // (name, line, where its body starts, nesting depth inside it)
    let mut open: Option<(String, u32, usize, usize)> = None;
    let mut rest = 0;
    while let Some(start) = text[rest..].find("{{").map(|i| rest + i) {
        let Some(end) = text[start..].find("}}").map(|i| start + i + 2) else {
            break;
        };
        rest = end;
        let action = text[start + 2..end - 2].trim_matches(|c: char| c == '-' || c.is_whitespace());
        let word = action.split_whitespace().next().unwrap_or("");
        match (&mut open, word) {
            (None, "define") => {
                let name = action["define".len()..].trim().trim_matches('"');
                if name.ends_with(".name") || name.ends_with(".fullname") {
                    let line = text[..start].matches('\n').count() as u32 + 1;
                    open = Some((name.to_owned(), line, end, 0));
                }
            }
            (Some((_, _, _, depth)), "if" | "range" | "with" | "define" | "block") => *depth += 1,
            (Some((_, _, _, depth)), "end") if *depth > 0 => *depth -= 1,
            (Some(_), "end") => {
                if let Some((name, line, body, _)) = open.take() {
                    found.push((name, normalized(&text[body..start]), line));
                }
            }
            _ => {}
        }
    }
    found
}

/// A helper's body as it renders: comments, trim markers and whitespace left out.
fn normalized(body: &str) -> String {
    let mut out = String::with_capacity(body.len());
    let mut rest = body;
    while let Some(start) = rest.find("{{") {
        out.push_str(&rest[..start]);
        let Some(end) = rest[start..].find("}}").map(|i| start + i + 2) else {
            out.push_str(&rest[start..]);
            rest = "";
            break;
        };
        let action = rest[start + 2..end - 2].trim_matches(|c: char| c == '-' || c.is_whitespace());
        if !action.starts_with("/*") {
            out.push_str("{{");
            out.push_str(action);
            out.push_str("}}");
        }
        rest = &rest[end..];
    }
    out.push_str(rest);
    out.retain(|c| !c.is_whitespace());
    out
}

/// The dependencies of the chart a values file sits in (its `Chart.yaml` at head), by alias
/// or name, with their `condition` (a comma-separated list of value paths).
fn subchart_conditions(view: &FileView) -> Vec<(String, Vec<String>)> {
    let dir = view.path_on(Side::Head).dir();
    let chart = ["Chart.yaml", "Chart.yml"].into_iter().find_map(|name| {
        let path = RepoPath::new(if dir.is_empty() {
            name.to_owned()
        } else {
            format!("{dir}/{name}")
        });
        match view.snapshot.read(Side::Head, &path) {
            Content::Text(text) => document(Some(&text)),
            _ => None,
        }
    });
    let Some(chart) = chart else {
        return Vec::new();
    };
    chart
        .get("dependencies")
        .map(Node::as_seq)
        .unwrap_or(&[])
        .iter()
        .filter_map(|dep| {
            let name = dep.get("alias").or_else(|| dep.get("name"))?.as_str()?;
            let condition = dep.get("condition").and_then(Node::as_str)?;
            let paths = condition.split(',').map(|c| c.trim().to_owned()).collect();
            Some((name.to_owned(), paths))
        })
        .collect()
}

/// Persistence written off under a bundled stateful subchart whose base left it to the
/// subchart: those charts (Bitnami's and the like) keep their data on claims by default, so
/// the switch turns persistence off as surely as flipping a written `true`.
fn default_persistence_off(view: &FileView, base: &Node, head: &Node) -> Vec<Finding> {
    let mut out = Vec::new();
    for name in STATEFUL_CHARTS {
        let Some(component) = head.get(name) else {
            continue;
        };
        let mut switches = Vec::new();
        persistence_switches_where(
            component,
            &mut vec![(*name).to_owned()],
            &mut switches,
            is_off,
        );
        for path in switches {
            let keys: Vec<&str> = path.iter().map(String::as_str).collect();
            let (None, Some(at)) = (base.path(&keys), head.path(&keys)) else {
                continue;
            };
            out.push(Finding::new(
                &HELM_STATEFUL_DISABLED,
                view.at(Side::Head, at.line, at.line),
                format!("`{}` is switched off where the {name} subchart keeps persistence on by default: it stops rendering its PersistentVolumeClaim, so the next `helm upgrade` deletes the claim and its data.", keys.join(".")),
            ));
        }
    }
    out
}

/// What a name override says, with every way of saying "none" (left out, empty, null)
/// spelled as the empty string.
fn name_override(node: Option<&Node>) -> &str {
    match node.and_then(Node::as_str) {
        None | Some("~" | "null") => "",
        Some(name) => name,
    }
}

/// `fullnameOverride` and `nameOverride` changed, the chart's own or a subchart's (one level
/// down): charts build every object's name from them (the `fullname` helper), so every object
/// is renamed, which Kubernetes does by deleting it and creating it anew.
fn names_changed(view: &FileView, base: &Node, head: &Node) -> Vec<Finding> {
    let scopes = std::iter::once((String::new(), base, head)).chain(
        base.as_map()
            .iter()
            .filter_map(|(key, old)| Some((format!("{key}."), old, head.get(key)?))),
    );
    let mut out = Vec::new();
    for (scope, old, new) in scopes {
        for key in ["fullnameOverride", "nameOverride"] {
            let (before, after) = (name_override(old.get(key)), name_override(new.get(key)));
            // A values file read by Helmfile may hold a template: its text is not its value.
            if before == after || before.contains("{{") || after.contains("{{") {
                continue;
            }
            let at = match new.get(key) {
                Some(at) => view.at(Side::Head, at.line, at.line),
                None => {
                    let at = old.get(key).unwrap_or(old);
                    view.at(Side::Base, at.line, at.line)
                }
            };
            let shown = |name: &str| {
                if name.is_empty() {
                    "none".to_owned()
                } else {
                    format!("`{name}`")
                }
            };
            out.push(Finding::new(
                &HELM_NAMES_CHANGED,
                at,
                format!("`{scope}{key}` changes from {} to {}: the chart names its objects from it, so the next `helm upgrade` deletes every object under its old name and creates it under the new one (pods restart, Services get new addresses, a claim the chart renders is deleted with its data, and StatefulSet claims start empty).", shown(before), shown(after)),
            ));
        }
    }
    out
}

/// The replica counts (`replicaCount`, `replicas`) that go from running to zero, at any depth
/// a values file nests components: the chart renders its workload with no pods.
fn replicas_zeroed(
    view: &FileView,
    base: &Node,
    head: &Node,
    prefix: &mut Vec<String>,
) -> Vec<Finding> {
    let mut out = Vec::new();
    if prefix.len() > 6 {
        return out;
    }
    let count = |node: &Node| node.as_str()?.trim().parse::<u64>().ok();
    for (key, old) in base.as_map() {
        let Some(new) = head.get(key) else {
            continue;
        };
        if key == "replicaCount" || key == "replicas" {
            let (Some(before), Some(0)) = (count(old), count(new)) else {
                continue;
            };
            if before == 0 {
                continue;
            }
            let path: Vec<&str> = prefix
                .iter()
                .map(String::as_str)
                .chain([key.as_str()])
                .collect();
            out.push(Finding::new(
                &super::settings::SCALED_TO_ZERO,
                view.at(Side::Head, new.line, new.line),
                format!("`{}` goes from {before} to 0: the chart renders its workload with no replicas, so the next `helm upgrade` stops every pod and what it serves is down.", path.join(".")),
            ));
            continue;
        }
        prefix.push(key.clone());
        out.extend(replicas_zeroed(view, old, new, prefix));
        prefix.pop();
    }
    out
}

/// `persistence.existingClaim` newly set where persistence is on: most charts render their
/// own claim only without one, so the claim the chart made is deleted by the next upgrade,
/// unless the chart keeps it. Charts differ, so medium.
fn existing_claims(view: &FileView, base: &Node, head: &Node) -> Vec<Finding> {
    let mut switches = Vec::new();
    persistence_switches(base, &mut Vec::new(), &mut switches);
    let mut out = Vec::new();
    for mut path in switches {
        path.pop();
        path.push("existingClaim".to_owned());
        let keys: Vec<&str> = path.iter().map(String::as_str).collect();
        let before = name_override(base.path(&keys));
        let Some(at) = head.path(&keys) else {
            continue;
        };
        let after = name_override(Some(at));
        if !before.is_empty() || after.is_empty() {
            continue;
        }
        out.push(
            Finding::new(
                &HELM_STATEFUL_DISABLED,
                view.at(Side::Head, at.line, at.line),
                format!("`{}` is set to `{after}`: most charts render their own PersistentVolumeClaim only when no existing claim is given, so the next `helm upgrade` deletes the claim the chart made, and its data, unless the chart keeps it (`helm.sh/resource-policy: keep`). Check that `{after}` holds a copy of that data.", keys.join(".")),
            )
            .with_severity(Severity::Medium),
        );
    }
    out
}

/// The paths of the `persistence.enabled` switches that are on in `node`, at any depth a
/// values file nests components (a few levels; deeper is not a chart's values).
fn persistence_switches(node: &Node, prefix: &mut Vec<String>, found: &mut Vec<Vec<String>>) {
    persistence_switches_where(node, prefix, found, is_on);
}

/// The paths of the `persistence.enabled` switches in `node` whose value passes `test`.
fn persistence_switches_where(
    node: &Node,
    prefix: &mut Vec<String>,
    found: &mut Vec<Vec<String>>,
    test: fn(Option<&Node>) -> bool,
) {
    if prefix.len() > 6 {
        return;
    }
    for (key, value) in node.as_map() {
        if key == "persistence" && test(value.get("enabled")) {
            let mut path = prefix.clone();
            path.extend(["persistence".to_owned(), "enabled".to_owned()]);
            found.push(path);
            continue;
        }
        prefix.push(key.clone());
        persistence_switches_where(value, prefix, found, test);
        prefix.pop();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analyze::files::testkit::{ids, Case};

    const KUSTOMIZATION: &str = "\
apiVersion: kustomize.config.k8s.io/v1beta1
kind: Kustomization
resources:
  - deployment.yaml
  - ./postgres/
  - service.yaml
";

    fn kustomize_case(base: &str, head: &str) -> Vec<Finding> {
        Case::modified("deploy/kustomization.yaml", base, head).run(analyze)
    }

    const INLINE_DELETE: &str = "\
patches:
  - target:
      kind: Deployment
    patch: |-
      - op: replace
        path: /spec/replicas
        value: 3
  - patch: |-
      apiVersion: v1
      kind: PersistentVolumeClaim
      metadata:
        name: pg-data
      $patch: delete
";

    #[test]
    fn an_inline_patch_that_deletes_an_object_is_reported_by_the_objects_rule() {
        let head = format!("{KUSTOMIZATION}{INLINE_DELETE}");
        let f = kustomize_case(KUSTOMIZATION, &head);
        assert_eq!(ids(&f), ["kubernetes/volume-deleted"]);
        assert_eq!(
            (f[0].location.side, f[0].location.line),
            (Side::Head, Some(19))
        );
        assert!(
            f[0].message.contains("PersistentVolumeClaim pg-data"),
            "{}",
            f[0].message
        );
        let new = Case::added("deploy/kustomization.yaml", &head).run(analyze);
        assert_eq!(ids(&new), ["kubernetes/volume-deleted"]);
    }

    #[test]
    fn an_inline_delete_patch_that_was_already_there_or_a_json_patch_is_quiet() {
        let both = format!("{KUSTOMIZATION}{INLINE_DELETE}");
        assert!(kustomize_case(&both, &format!("# overlay\n{both}")).is_empty());
        let json_only = INLINE_DELETE.split("  - patch:").next().unwrap_or_default();
        assert!(kustomize_case(KUSTOMIZATION, &format!("{KUSTOMIZATION}{json_only}")).is_empty());
    }

    #[test]
    fn an_overlay_that_scales_a_workload_to_zero_is_reported_at_its_kustomization_line() {
        let replicas =
            |n: u32| format!("{KUSTOMIZATION}replicas:\n  - name: web\n    count: {n}\n");
        let f = kustomize_case(KUSTOMIZATION, &replicas(0));
        assert_eq!(ids(&f), ["kubernetes/scaled-to-zero"]);
        assert_eq!(f[0].location.line, Some(8));
        assert!(
            f[0].message.starts_with(
                "web is scaled to 0 replicas by the `replicas:` entry of deploy/kustomization.yaml"
            ),
            "{}",
            f[0].message
        );
        let json = "patches:\n  - target:\n      kind: Deployment\n      name: web\n    patch: |-\n      - op: replace\n        path: /spec/replicas\n        value: 0\n";
        let f = kustomize_case(KUSTOMIZATION, &format!("{KUSTOMIZATION}{json}"));
        assert_eq!(ids(&f), ["kubernetes/scaled-to-zero"]);
        assert!(
            f[0].message
                .starts_with("Deployment web is scaled to 0 replicas by an inline patch"),
            "{}",
            f[0].message
        );
        // A patch file the head starts applying.
        let scale =
            "apiVersion: apps/v1\nkind: StatefulSet\nmetadata:\n  name: db\nspec:\n  replicas: 0\n";
        let applies = format!("{KUSTOMIZATION}patches:\n  - path: scale.yaml\n");
        let f = Case::modified("deploy/kustomization.yaml", KUSTOMIZATION, &applies)
            .with_file(Side::Head, "deploy/scale.yaml", scale)
            .run(analyze);
        assert_eq!(ids(&f), ["kubernetes/scaled-to-zero"]);
        assert!(f[0].message.contains("StatefulSet db is scaled to 0 replicas by deploy/scale.yaml, a patch deploy/kustomization.yaml applies"), "{}", f[0].message);
        // Quiet: scaled down but not to zero, already at zero, and a patch file already
        // applied (its own edit is compared where it is made).
        assert!(kustomize_case(KUSTOMIZATION, &replicas(1)).is_empty());
        assert!(kustomize_case(&replicas(0), &format!("# paused\n{}", replicas(0))).is_empty());
        let edited = Case::modified(
            "deploy/kustomization.yaml",
            &applies,
            &format!("# prod\n{applies}"),
        )
        .with_file(
            Side::Base,
            "deploy/scale.yaml",
            &scale.replace("replicas: 0", "replicas: 2"),
        )
        .with_file(Side::Head, "deploy/scale.yaml", scale)
        .run(analyze);
        assert!(edited.is_empty(), "{edited:?}");
    }

    const CHART: &str = "\
apiVersion: v2
name: shop
version: 1.2.0
dependencies:
  - name: postgresql
    version: 15.x.x
    repository: oci://registry-1.docker.io/bitnamicharts
    condition: postgresql.enabled
  - name: common
    version: 2.x.x
    repository: oci://registry-1.docker.io/bitnamicharts
";

    fn chart_case(base: &str, head: &str) -> Vec<Finding> {
        Case::modified("deploy/shop/Chart.yaml", base, head).run(analyze)
    }

    #[test]
    fn dropping_a_stateful_subchart_from_chart_yaml_is_critical_at_its_base_line() {
        let head = CHART.replace(
            "  - name: postgresql\n    version: 15.x.x\n    repository: oci://registry-1.docker.io/bitnamicharts\n    condition: postgresql.enabled\n",
            "",
        );
        let f = chart_case(CHART, &head);
        assert_eq!(ids(&f), ["kubernetes/helm-stateful-disabled"]);
        assert_eq!(f[0].severity, Severity::Critical);
        assert_eq!(
            (f[0].location.side, f[0].location.line),
            (Side::Base, Some(5))
        );
    }

    #[test]
    fn a_database_subchart_moved_to_another_major_is_a_prompt_at_its_version() {
        let f = chart_case(CHART, &CHART.replace("15.x.x", "16.x.x"));
        assert_eq!(ids(&f), ["kubernetes/helm-chart-major-bump"]);
        assert_eq!(
            (f[0].severity, f[0].location.line),
            (Severity::Medium, Some(6))
        );
        assert!(f[0].message.contains("runs PostgreSQL"), "{}", f[0].message);
    }

    #[test]
    fn bumping_reordering_or_dropping_a_stateless_subchart_is_quiet() {
        let bumped = CHART.replace("2.x.x", "3.x.x").replace("1.2.0", "2.0.0");
        assert!(chart_case(CHART, &bumped).is_empty());
        let minor = CHART.replace("version: 15.x.x", "version: ~15.5.0");
        assert!(chart_case(CHART, &minor).is_empty());
        let (head, deps) = CHART.split_once("  - name: postgresql").unwrap_or_default();
        let (pg, common) = deps.split_once("  - name: common").unwrap_or_default();
        let reordered = format!("{head}  - name: common{common}  - name: postgresql{pg}");
        assert!(chart_case(CHART, &reordered).is_empty());
        let no_common = format!("{head}  - name: postgresql{pg}");
        assert!(chart_case(CHART, &no_common).is_empty());
    }

    #[test]
    fn changing_an_overlays_namespace_or_name_prefix_moves_every_object() {
        let base = "apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nnamespace: shop\nnamePrefix: prod-\nresources:\n  - ../../base\n";
        let f = kustomize_case(base, &base.replace("namespace: shop", "namespace: shop-v2"));
        assert_eq!(ids(&f), ["kubernetes/renamed"]);
        assert_eq!(
            (f[0].location.side, f[0].location.line),
            (Side::Head, Some(3))
        );
        assert!(
            f[0].message.contains("from `shop` to `shop-v2`"),
            "{}",
            f[0].message
        );
        let f = kustomize_case(base, &base.replace("namePrefix: prod-\n", ""));
        assert_eq!(ids(&f), ["kubernetes/renamed"]);
        assert_eq!(
            (f[0].location.side, f[0].location.line),
            (Side::Base, Some(4))
        );
        let added = base.replace(
            "namePrefix: prod-\n",
            "namePrefix: prod-\nnameSuffix: -v2\n",
        );
        assert_eq!(ids(&kustomize_case(base, &added)), ["kubernetes/renamed"]);
        // Reordering keys, or adding a label, moves nothing.
        let relabelled = format!("{base}commonLabels:\n  team: shop\n");
        assert!(kustomize_case(base, &relabelled).is_empty());
    }

    #[test]
    fn dropping_a_kustomize_resource_is_reported_at_its_base_line() {
        let f = kustomize_case(
            KUSTOMIZATION,
            &KUSTOMIZATION.replace("  - ./postgres/\n", ""),
        );
        assert_eq!(ids(&f), ["kubernetes/kustomize-resource-dropped"]);
        assert_eq!(f[0].location.line, Some(5));
        assert_eq!(f[0].location.side, Side::Base);
        assert!(f[0].message.contains("`./postgres/`"), "{}", f[0].message);
    }

    const SERVICES: &str = "apiVersion: v1\nkind: Service\nmetadata:\n  name: web\n---\napiVersion: v1\nkind: Service\nmetadata:\n  name: api\n";

    fn split_case(head: &str, files: &[(&str, &str)]) -> Vec<Finding> {
        let base = "resources:\n  - deployment.yaml\n  - service.yaml\n";
        let mut case = Case::modified("deploy/kustomization.yaml", base, head).with_file(
            Side::Base,
            "deploy/service.yaml",
            SERVICES,
        );
        for (path, text) in files {
            case = case.with_file(Side::Head, path, text);
        }
        case.run(analyze)
    }

    #[test]
    fn splitting_or_renaming_a_listed_manifest_with_its_entries_is_quiet() {
        let (web, api) = SERVICES.split_once("---\n").unwrap_or_default();
        let split = "resources:\n  - deployment.yaml\n  - web.yaml\n  - ./api.yaml\n";
        let f = split_case(split, &[("deploy/web.yaml", web), ("deploy/api.yaml", api)]);
        assert!(f.is_empty(), "{f:?}");
        let renamed = "resources:\n  - deployment.yaml\n  - services.yaml\n";
        assert!(split_case(renamed, &[("deploy/services.yaml", SERVICES)]).is_empty());
    }

    #[test]
    fn a_split_that_leaves_an_object_out_of_the_build_is_still_a_drop() {
        let (web, api) = SERVICES.split_once("---\n").unwrap_or_default();
        // api.yaml exists but is not listed: kustomize does not build it.
        let f = split_case(
            "resources:\n  - deployment.yaml\n  - web.yaml\n",
            &[("deploy/web.yaml", web), ("deploy/api.yaml", api)],
        );
        assert_eq!(ids(&f), ["kubernetes/kustomize-resource-dropped"]);
        // Listed elsewhere in the repository, not in this kustomization: still dropped here.
        let f = split_case(
            "resources:\n  - deployment.yaml\n",
            &[("deploy/services.yaml", SERVICES)],
        );
        assert_eq!(ids(&f), ["kubernetes/kustomize-resource-dropped"]);
    }

    #[test]
    fn reordering_respelling_or_adding_kustomize_resources_is_quiet() {
        let reordered =
            "resources:\n  - service.yaml\n  - postgres\n  - deployment.yaml\n  - ingress.yaml\n";
        assert!(kustomize_case(KUSTOMIZATION, reordered).is_empty());
    }

    const REMOTE: &str = "\
resources:
  - https://raw.githubusercontent.com/argoproj/argo-cd/v2.9.3/manifests/install.yaml
  - github.com/acme/platform//base/?ref=v1.0.6
  - https://github.com/cert-manager/cert-manager/releases/download/v1.13.2/cert-manager.yaml
";

    const CHARTS: &str = "\
helmCharts:
  - name: postgresql
    repo: oci://registry-1.docker.io/bitnamicharts
    version: 15.5.0
    releaseName: orders-db
  - name: redis
    repo: oci://registry-1.docker.io/bitnamicharts
    version: 19.0.0
";

    #[test]
    fn dropping_a_helm_chart_from_a_kustomization_is_reported_and_bumping_it_is_not() {
        let (head, _) = CHARTS.split_once("  - name: redis").unwrap_or_default();
        let f = kustomize_case(CHARTS, head);
        assert_eq!(ids(&f), ["kubernetes/kustomize-resource-dropped"]);
        assert!(f[0].message.contains("`redis`"), "{}", f[0].message);
        assert_eq!(f[0].location.line, Some(6));
        let bumped = CHARTS
            .replace("15.5.0", "15.6.0")
            .replace("19.0.0", "19.6.1");
        assert!(kustomize_case(CHARTS, &bumped).is_empty());
        let major = kustomize_case(CHARTS, &CHARTS.replace("19.0.0", "20.0.0"));
        assert_eq!(ids(&major), ["kubernetes/helm-chart-major-bump"]);
        let renamed = CHARTS.replace("orders-db", "orders");
        assert_eq!(
            ids(&kustomize_case(CHARTS, &renamed)),
            ["kubernetes/kustomize-resource-dropped"]
        );
    }

    #[test]
    fn moving_entries_from_bases_to_resources_is_quiet_but_not_to_components() {
        let bases = "bases:\n  - ../../base\nresources:\n  - ingress.yaml\n";
        let fixed = "resources:\n  - ../../base\n  - ingress.yaml\n";
        assert!(kustomize_case(bases, fixed).is_empty());
        assert!(kustomize_case(fixed, bases).is_empty());
        let component = "resources:\n  - ingress.yaml\ncomponents:\n  - ../../base\n";
        assert_eq!(
            ids(&kustomize_case(bases, component)),
            ["kubernetes/kustomize-resource-dropped"]
        );
    }

    #[test]
    fn pinning_a_remote_base_to_another_version_is_quiet() {
        let bumped = REMOTE
            .replace("v2.9.3", "v2.10.1")
            .replace("ref=v1.0.6", "ref=0b1c2d3e4f5a6b7c8d9e0f1a2b3c4d5e6f7a8b9c")
            .replace("v1.13.2", "v1.14.0");
        assert!(kustomize_case(REMOTE, &bumped).is_empty());
    }

    #[test]
    fn dropping_or_swapping_a_remote_base_is_still_a_drop() {
        let head = REMOTE.replace("acme/platform//base", "acme/platform//other");
        let f = kustomize_case(REMOTE, &head);
        assert_eq!(ids(&f), ["kubernetes/kustomize-resource-dropped"]);
        assert_eq!(f[0].location.line, Some(3));
        let head: String = REMOTE
            .lines()
            .filter(|l| !l.contains("cert-manager"))
            .map(|l| format!("{l}\n"))
            .collect();
        let f = kustomize_case(REMOTE, &head);
        assert_eq!(ids(&f), ["kubernetes/kustomize-resource-dropped"]);
        assert!(
            f[0].message.contains("cert-manager.yaml"),
            "{}",
            f[0].message
        );
    }

    const VALUES: &str = "\
replicaCount: 2
postgresql:
  enabled: true
  primary:
    persistence:
      enabled: true
persistence:
  enabled: true
  size: 8Gi
";

    fn values_case(base: &str, head: &str) -> Vec<Finding> {
        Case::modified("charts/shop/values.yaml", base, head).run(analyze)
    }

    #[test]
    fn switching_off_a_bundled_database_is_critical_at_its_line() {
        let head = VALUES.replacen("  enabled: true", "  enabled: false", 1);
        let f = values_case(VALUES, &head);
        assert_eq!(ids(&f), ["kubernetes/helm-stateful-disabled"]);
        assert_eq!(f[0].severity, Severity::Critical);
        assert_eq!(f[0].location.line, Some(3));
    }

    #[test]
    fn switching_off_persistence_is_reported_for_the_chart_and_its_subcharts() {
        let head = VALUES.replace("      enabled: true", "      enabled: false");
        let f = values_case(VALUES, &head);
        assert_eq!(ids(&f), ["kubernetes/helm-stateful-disabled"]);
        assert!(
            f[0].message
                .contains("postgresql.primary.persistence.enabled"),
            "{}",
            f[0].message
        );
        let top = VALUES.replace(
            "persistence:\n  enabled: true",
            "persistence:\n  enabled: false",
        );
        let f = values_case(VALUES, &top);
        assert_eq!(ids(&f), ["kubernetes/helm-stateful-disabled"]);
        assert_eq!(f[0].location.line, Some(8));
        // Any component, at any depth: Bitnami redis keeps it under master and replica.
        let redis = "redis:\n  master:\n    persistence:\n      enabled: true\n  replica:\n    persistence:\n      enabled: true\n";
        let f = values_case(redis, &redis.replacen("enabled: true", "enabled: false", 1));
        assert_eq!(ids(&f), ["kubernetes/helm-stateful-disabled"]);
        assert!(
            f[0].message.contains("`redis.master.persistence.enabled`"),
            "{}",
            f[0].message
        );
        // Switching it on, or a switch that was already off, is quiet.
        let off = redis.replace("enabled: true", "enabled: false");
        assert!(values_case(&off, &off.replace("size: 1", "size: 2")).is_empty());
        assert!(values_case(&off, redis).is_empty());
    }

    const CLAIM_TEMPLATE: &str = "\
apiVersion: v1
kind: PersistentVolumeClaim
metadata:
  name: {{ include \"shop.fullname\" . }}-data
  annotations:
    helm.sh/resource-policy: keep
";

    #[test]
    fn a_kept_object_removed_with_its_annotation_is_not_a_lost_annotation() {
        let path = "charts/shop/templates/pvc.yaml";
        let two = format!(
            "{CLAIM_TEMPLATE}---\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cfg\n"
        );
        let head = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cfg\n";
        let f = Case::modified(path, &two, head).run(kept_by_helm);
        assert!(f.is_empty(), "{f:?}");
    }

    #[test]
    fn a_template_losing_its_keep_annotation_is_one_finding_that_names_the_object() {
        let path = "charts/shop/templates/pvc.yaml";
        let head =
            CLAIM_TEMPLATE.replace("  annotations:\n    helm.sh/resource-policy: keep\n", "");
        // The object comparison owns the fact; the line match stays out of its way.
        let f = Case::modified(path, CLAIM_TEMPLATE, &head).run(crate::analyze::analyze_file);
        assert_eq!(ids(&f), ["kubernetes/prune-protection-removed"], "{f:?}");
        assert_eq!(f[0].severity, Severity::High);
        assert_eq!(
            f[0].subject.as_deref(),
            Some("PersistentVolumeClaim/{{ include \"shop.fullname\" . }}-data")
        );
        assert!(
            f[0].message.contains("the next `helm uninstall`"),
            "{}",
            f[0].message
        );
        assert!(Case::modified(path, CLAIM_TEMPLATE, &head)
            .run(analyze)
            .is_empty());
        let quoted = CLAIM_TEMPLATE.replace("keep", "\"keep\"");
        assert!(Case::modified(path, CLAIM_TEMPLATE, &quoted)
            .run(crate::analyze::analyze_file)
            .is_empty());
    }

    #[test]
    fn a_template_that_is_not_yaml_losing_its_keep_annotation_is_found_by_its_lines() {
        let path = "charts/shop/templates/pvc.yaml";
        // An action spread over two lines is beyond what the object comparison reads.
        let base = format!("{CLAIM_TEMPLATE}  labels: {{{{ toYaml\n    .Values.labels }}}}\n");
        let head = base.replace("  annotations:\n    helm.sh/resource-policy: keep\n", "");
        let f = Case::modified(path, &base, &head).run(crate::analyze::analyze_file);
        assert_eq!(ids(&f), ["kubernetes/prune-protection-removed"], "{f:?}");
        assert_eq!(
            (f[0].location.side, f[0].location.line),
            (Side::Base, Some(6))
        );
        let renamed = base.replace("-data", "-storage");
        assert!(Case::modified(path, &base, &renamed)
            .run(analyze)
            .is_empty());
    }

    const INGRESS: &str = "  - name: ingress-nginx\n    version: 4.10.1\n    repository: https://kubernetes.github.io/ingress-nginx\n    condition: ingress-nginx.enabled, ingress.controller\n";

    #[test]
    fn dropping_a_subchart_that_renders_objects_uninstalls_them() {
        let with = format!("{CHART}{INGRESS}");
        let f = chart_case(&with, CHART);
        assert_eq!(ids(&f), ["kubernetes/helm-subchart-removed"]);
        assert!(f[0].message.contains("ingress-nginx"), "{}", f[0].message);
        // Library charts render nothing.
        let lib = format!("{CHART}  - name: acme-lib\n    version: 1.0.0\n");
        assert!(chart_case(&lib, CHART).is_empty());
    }

    #[test]
    fn switching_off_a_subcharts_condition_uninstalls_it() {
        let values = "ingress-nginx:\n  enabled: true\nmetrics:\n  enabled: true\n";
        let off = values.replacen("enabled: true", "enabled: false", 1);
        let run = |base: &str, head: &str| {
            Case::modified("charts/shop/values.yaml", base, head)
                .with_file(
                    Side::Head,
                    "charts/shop/Chart.yaml",
                    &format!("{CHART}{INGRESS}"),
                )
                .run(analyze)
        };
        let f = run(values, &off);
        assert_eq!(ids(&f), ["kubernetes/helm-subchart-removed"]);
        // A switch no dependency is conditioned on is the chart's own business.
        assert!(run(
            values,
            &values
                .replace("  enabled: true\n", "  enabled: false\n")
                .replacen("enabled: false", "enabled: true", 1)
        )
        .is_empty());
        // Without the chart's Chart.yaml nothing says the switch is a subchart's.
        assert!(values_case(values, &off).is_empty());
    }

    #[test]
    fn persistence_written_off_under_a_bundled_database_is_reported() {
        let head = VALUES.replace("  primary:\n", "  primary:\n    persistence:\n      enabled: false\n").replace("  primary:\n    persistence:\n      enabled: false\n    persistence:\n      enabled: true\n", "  primary:\n    persistence:\n      enabled: false\n");
        let base = VALUES.replace("    persistence:\n      enabled: true\n", "");
        let f = values_case(&base, &head);
        assert_eq!(ids(&f), ["kubernetes/helm-stateful-disabled"], "{head}");
        assert!(f[0].message.contains("by default"), "{}", f[0].message);
        // The chart's own persistence left out means whatever its values.yaml says: unknown.
        let own = "image: app\n";
        assert!(values_case(own, "image: app\npersistence:\n  enabled: false\n").is_empty());
    }

    const HELPERS: &str = "{{/*\nThe full name.\n*/}}\n{{- define \"shop.fullname\" -}}\n{{- if .Values.fullnameOverride }}\n{{- .Values.fullnameOverride | trunc 63 }}\n{{- else }}\n{{- printf \"%s-%s\" .Release.Name .Chart.Name | trunc 63 }}\n{{- end }}\n{{- end }}\n\n{{- define \"shop.labels\" -}}\napp: shop\n{{- end }}\n";

    #[test]
    fn rewriting_the_fullname_helper_may_rename_every_object() {
        let head = HELPERS.replace(
            ".Release.Name .Chart.Name",
            ".Release.Name .Release.Namespace",
        );
        let f = Case::modified("charts/shop/templates/_helpers.tpl", HELPERS, &head).run(analyze);
        assert_eq!(ids(&f), ["kubernetes/helm-names-changed"]);
        assert_eq!(f[0].severity, Severity::Medium);
        assert!(f[0].message.contains("`shop.fullname`"), "{}", f[0].message);
    }

    #[test]
    fn reformatting_helpers_or_editing_other_ones_is_quiet() {
        for head in [
            HELPERS.replace(
                "| trunc 63 }}\n{{- end }}\n{{- end }}",
                "| trunc 63 -}}\n{{- end }}\n{{- end }}",
            ),
            HELPERS.replace("The full name.", "The full name, at most 63 characters."),
            HELPERS.replace("app: shop", "app: shop\ntier: web"),
            format!("{HELPERS}{{{{- define \"shop.selector\" -}}}}\napp: shop\n{{{{- end }}}}\n"),
        ] {
            let f =
                Case::modified("charts/shop/templates/_helpers.tpl", HELPERS, &head).run(analyze);
            assert!(f.is_empty(), "{head}\n{f:?}");
        }
    }

    #[test]
    fn renaming_the_chart_may_rename_every_object() {
        let f = chart_case(CHART, &CHART.replace("name: shop", "name: store"));
        assert_eq!(ids(&f), ["kubernetes/helm-names-changed"]);
        assert!(chart_case(CHART, &CHART.replace("version: 1.2.0", "version: 1.3.0")).is_empty());
    }

    #[test]
    fn changing_a_name_override_renames_every_object() {
        let named = format!("fullnameOverride: \"\"\nnameOverride: \"\"\n{VALUES}");
        for head in [
            named.replace("fullnameOverride: \"\"", "fullnameOverride: orders"),
            named.replace(
                "nameOverride: \"\"\nreplica",
                "nameOverride: shop-api\nreplica",
            ),
            // A subchart's own override renames the subchart's objects.
            named.replace(
                "  enabled: true\n  primary",
                "  enabled: true\n  fullnameOverride: db\n  primary",
            ),
        ] {
            let f = values_case(&named, &head);
            assert_eq!(ids(&f), ["kubernetes/helm-names-changed"], "{head}");
        }
        let f = values_case(
            &named.replace("fullnameOverride: \"\"", "fullnameOverride: shop"),
            &named,
        );
        assert_eq!(ids(&f), ["kubernetes/helm-names-changed"]);
        assert!(
            f[0].message.contains("from `shop` to none"),
            "{}",
            f[0].message
        );
    }

    #[test]
    fn writing_out_an_empty_override_or_keeping_it_is_quiet() {
        let named = format!("fullnameOverride: \"\"\n{VALUES}");
        assert!(values_case(VALUES, &named).is_empty());
        assert!(values_case(&named, &named.replace("\"\"", "''")).is_empty());
        assert!(values_case(&named, &named.replace("\"\"", "~")).is_empty());
        let set = named.replace("\"\"", "shop");
        assert!(values_case(&set, &format!("# the shop\n{set}")).is_empty());
    }

    #[test]
    fn a_replica_count_set_to_zero_in_values_is_scaled_to_zero() {
        let f = values_case(
            VALUES,
            &VALUES.replace("replicaCount: 2", "replicaCount: 0"),
        );
        assert_eq!(ids(&f), ["kubernetes/scaled-to-zero"]);
        let nested = VALUES.replace("  primary:\n", "  primary:\n    replicaCount: 1\n");
        let f = values_case(
            &nested,
            &nested.replace("replicaCount: 1", "replicaCount: 0"),
        );
        assert_eq!(ids(&f), ["kubernetes/scaled-to-zero"]);
        assert!(
            f[0].message.contains("`postgresql.primary.replicaCount`"),
            "{}",
            f[0].message
        );
        // Already at zero, or still running, is quiet.
        let zero = VALUES.replace("replicaCount: 2", "replicaCount: 0");
        assert!(values_case(&zero, &zero.replace("size: 8Gi", "size: 9Gi")).is_empty());
        assert!(values_case(
            VALUES,
            &VALUES.replace("replicaCount: 2", "replicaCount: 1")
        )
        .is_empty());
    }

    #[test]
    fn an_existing_claim_given_where_the_chart_made_its_own_is_medium() {
        let given = VALUES.replace(
            "  size: 8Gi\n",
            "  size: 8Gi\n  existingClaim: restored-data\n",
        );
        let f = values_case(VALUES, &given);
        assert_eq!(ids(&f), ["kubernetes/helm-stateful-disabled"]);
        assert_eq!(f[0].severity, Severity::Medium);
        // Already given, or emptied, is quiet.
        assert!(values_case(&given, &given.replace("restored-data", "restored-2")).is_empty());
        assert!(values_case(&given, VALUES).is_empty());
    }

    #[test]
    fn other_value_changes_and_non_values_files_are_quiet() {
        assert!(values_case(
            VALUES,
            &VALUES.replace("replicaCount: 2", "replicaCount: 3")
        )
        .is_empty());
        let ingress = "ingress:\n  enabled: true\n";
        assert!(values_case(ingress, &ingress.replace("true", "false")).is_empty());
        let chart = Case::modified(
            "charts/shop/Chart.yaml",
            VALUES,
            &VALUES.replace("true", "false"),
        );
        assert!(chart.run(analyze).is_empty());
    }

    proptest::proptest! {
        #[test]
        fn dropping_any_one_of_distinct_entries_is_one_finding(
            names in proptest::collection::btree_set("[a-z]{1,8}(/|\\.yaml)", 1..8),
            pick in 0usize..8,
        ) {
            let names: Vec<String> = names.into_iter().collect();
            let gone = &names[pick % names.len()];
            let list = |skip: Option<&String>| {
                let items: String = names.iter().filter(|n| Some(*n) != skip).map(|n| format!("  - {n}\n")).collect();
                format!("resources:\n{items}")
            };
            let f = kustomize_case(&list(None), &list(Some(gone)));
            proptest::prop_assert_eq!(f.len(), 1);
            proptest::prop_assert!(f[0].message.contains(gone.as_str()));
            proptest::prop_assert!(kustomize_case(&list(None), &list(None)).is_empty());
        }
    }

    const CHART_V1: &str = "apiVersion: v1\nname: shop\nversion: 1.4.0\n";

    fn requirements(deps: &[(&str, &str)]) -> String {
        let mut out = "dependencies:\n".to_owned();
        for (name, version) in deps {
            out.push_str(&format!(
                "  - name: {name}\n    version: {version}\n    repository: https://charts.bitnami.com/bitnami\n"
            ));
        }
        out
    }

    fn requirements_case(base: &str, head: &str) -> Case {
        Case::modified("charts/shop/requirements.yaml", base, head)
            .with_kind(FileKind::Helm)
            .with_file(Side::Base, "charts/shop/Chart.yaml", CHART_V1)
            .with_file(Side::Head, "charts/shop/Chart.yaml", CHART_V1)
    }

    #[test]
    fn a_json_6902_patch_that_renames_or_moves_an_object_is_a_rename() {
        let rename = |op: &str, path: &str, value: &str| {
            format!("{KUSTOMIZATION}patches:\n  - target:\n      kind: PersistentVolumeClaim\n      name: data\n    patch: |-\n      - op: {op}\n        path: {path}\n        value: {value}\n")
        };
        let head = rename("replace", "/metadata/name", "data-v2");
        let f = kustomize_case(KUSTOMIZATION, &head);
        assert_eq!(ids(&f), ["kubernetes/renamed"]);
        assert_eq!(f[0].location.line, Some(8));
        assert!(
            f[0].message.starts_with("PersistentVolumeClaim data is renamed to `data-v2` by a JSON 6902 patch of deploy/kustomization.yaml"),
            "{}",
            f[0].message
        );
        let moved = kustomize_case(
            KUSTOMIZATION,
            &rename("add", "/metadata/namespace", "archive"),
        );
        assert_eq!(ids(&moved), ["kubernetes/renamed"]);
        assert!(
            moved[0].message.contains("is moved to namespace `archive`"),
            "{}",
            moved[0].message
        );
        // A patch file the head starts applying renames too.
        let ops = "- op: replace\n  path: /metadata/name\n  value: web-v2\n";
        let applies = format!("{KUSTOMIZATION}patches:\n  - path: rename.yaml\n    target:\n      kind: Deployment\n      name: web\n");
        let f = Case::modified("deploy/kustomization.yaml", KUSTOMIZATION, &applies)
            .with_file(Side::Head, "deploy/rename.yaml", ops)
            .run(analyze);
        assert_eq!(ids(&f), ["kubernetes/renamed"]);
        assert!(
            f[0].message
                .starts_with("Deployment web is renamed to `web-v2`"),
            "{}",
            f[0].message
        );
        // Quiet: the same rename already on the base, another path, and a removal op.
        assert!(kustomize_case(&head, &format!("# prod\n{head}")).is_empty());
        assert!(kustomize_case(
            KUSTOMIZATION,
            &rename("replace", "/metadata/labels/app", "x")
        )
        .is_empty());
        assert!(
            kustomize_case(KUSTOMIZATION, &rename("test", "/metadata/name", "data")).is_empty()
        );
    }

    #[test]
    fn a_chart_values_or_kustomization_file_that_does_not_parse_asks_a_human() {
        let broken_chart = "apiVersion: v1\nname: shop\nversion: [1.4.0\n";
        let f = Case::modified("charts/shop/Chart.yaml", CHART_V1, broken_chart)
            .with_kind(FileKind::Helm)
            .run(analyze);
        assert_eq!(ids(&f), ["kubernetes/unparseable"]);
        assert_eq!(f[0].location.side, Side::Head);
        assert!(
            f[0].message
                .contains("charts/shop/Chart.yaml could not be parsed on the head side"),
            "{}",
            f[0].message
        );
        let pg = requirements(&[("postgresql", "8.6.4")]);
        let f = requirements_case(&pg, "dependencies:\n  - name: \"postgresql\n").run(analyze);
        assert_eq!(ids(&f), ["kubernetes/unparseable"]);
        // A base that does not parse cannot be compared either.
        let f = Case::modified("charts/shop/values.yaml", "a: [1\n", "a: 1\n")
            .with_kind(FileKind::Helm)
            .run(analyze);
        assert_eq!(ids(&f), ["kubernetes/unparseable"]);
        assert_eq!(f[0].location.side, Side::Base);
        let f = kustomize_case(KUSTOMIZATION, "resources:\n  - a.yaml\n - b.yaml\n");
        assert_eq!(ids(&f), ["kubernetes/unparseable"]);
    }

    #[test]
    fn templates_and_helmfiles_are_yaml_only_once_rendered() {
        let template = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {{ .Values.name }\n";
        let f = Case::modified(
            "charts/shop/templates/cm.yaml",
            template,
            &template.replace("name", "fullname"),
        )
        .with_kind(FileKind::Helm)
        .run(analyze);
        assert!(
            f.iter().all(|f| f.rule.0 != "kubernetes/unparseable"),
            "{f:?}"
        );
        let helmfile = "releases:\n{{ range .Values.apps }}\n  - name: {{ . }}\n{{ end }}\n";
        let f = Case::modified(
            "helmfile.yaml",
            helmfile,
            &helmfile.replace("apps", "services"),
        )
        .with_kind(FileKind::Helm)
        .run(analyze);
        assert!(
            f.iter().all(|f| f.rule.0 != "kubernetes/unparseable"),
            "{f:?}"
        );
    }

    #[test]
    fn a_helm2_requirements_file_is_judged_like_chart_dependencies() {
        let pg = |v: &str| requirements(&[("postgresql", v), ("nginx-ingress", "1.41.3")]);
        let f = requirements_case(&pg("8.6.4"), &pg("9.1.0")).run(analyze);
        assert_eq!(ids(&f), ["kubernetes/helm-chart-major-bump"]);
        let f = requirements_case(&pg("8.6.4"), &requirements(&[("nginx-ingress", "1.41.3")]))
            .run(analyze);
        assert_eq!(ids(&f), ["kubernetes/helm-stateful-disabled"]);
        assert_eq!(f[0].severity, Severity::Critical);
    }

    #[test]
    fn requirements_without_a_chart_or_moved_into_chart_yaml_are_quiet() {
        let pg = |v: &str| requirements(&[("postgresql", v)]);
        assert!(requirements_case(&pg("8.6.4"), &pg("8.10.0"))
            .run(analyze)
            .is_empty());
        let alone = Case::modified("tools/requirements.yaml", &pg("8.6.4"), &pg("9.1.0"))
            .with_kind(FileKind::Helm)
            .run(analyze);
        assert!(alone.is_empty(), "{alone:?}");
        let v2 = format!(
            "apiVersion: v2\nname: shop\nversion: 1.5.0\n{}",
            pg("8.6.4")
        );
        let moved = Case::deleted("charts/shop/requirements.yaml", &pg("8.6.4"))
            .with_kind(FileKind::Helm)
            .with_file(Side::Base, "charts/shop/Chart.yaml", CHART_V1)
            .with_file(Side::Head, "charts/shop/Chart.yaml", &v2)
            .run(analyze);
        assert!(moved.is_empty(), "{moved:?}");
        // The chart's own review compares the versions the move carried.
        let bumped = format!(
            "apiVersion: v2\nname: shop\nversion: 1.5.0\n{}",
            pg("10.3.0")
        );
        let f = Case::modified("charts/shop/Chart.yaml", CHART_V1, &bumped)
            .with_file(Side::Base, "charts/shop/requirements.yaml", &pg("8.6.4"))
            .run(analyze);
        assert_eq!(ids(&f), ["kubernetes/helm-chart-major-bump"]);
        // A leftover `requirements.yaml` beside a v2 chart keeps nothing.
        let v2_dropped = Case::modified(
            "charts/shop/Chart.yaml",
            &bumped,
            &bumped.replace(&pg("10.3.0"), ""),
        )
        .with_file(Side::Head, "charts/shop/requirements.yaml", &pg("8.6.4"))
        .run(analyze);
        assert_eq!(ids(&v2_dropped), ["kubernetes/helm-stateful-disabled"]);
    }
}
