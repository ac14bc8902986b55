//! gitops: Argo CD Applications, Flux Kustomizations and Flux HelmReleases that survive the
//! change but start deleting what they deployed: pruning switched on, a source, path,
//! chart, release name or target namespace moved (the objects of the old one are pruned or
//! uninstalled), or a HelmRelease that uninstalls on a failed upgrade. ApplicationSets are
//! [`appset`](super::appset)'s; GitOps owners deleted outright are the object analyzer's.

use super::settings::{head_line, templated_at};
use super::template::Comparison;
use super::{compared, renders_templates, sources, templated, ObjectId};
use crate::analyze::FileView;
use crate::finding::{Finding, RuleId, Severity, Tag};
use crate::rules::Rule;
use crate::yaml::Node;

const DESTRUCTIVE: &[Tag] = &[Tag::Destructive, Tag::Infra];

pub const PRUNE_ENABLED: Rule = Rule {
    id: RuleId("kubernetes/prune-enabled"),
    severity: Severity::High,
    tags: DESTRUCTIVE,
    summary: "Automatic pruning is turned on for an Argo CD Application (`automated.prune`, `allowEmpty`, an app-wide `Prune=false` sync option dropped), an ApplicationSet (`preserveResourcesOnDeletion` or a create-only `applicationsSync` policy dropped) or a Flux Kustomization (`prune: true`), or a Flux HelmRelease now uninstalls on a failed upgrade (`upgrade.remediation.strategy: uninstall`).",
    why: "With pruning on, every object the tool manages that is not in the source any more is deleted on the next sync, including objects that were kept on purpose or left out by mistake. `allowEmpty` lets an empty source delete everything.",
    example: "  syncPolicy:\n    automated:\n-     prune: false\n+     prune: true",
    safer: "Turn pruning on only after checking the sync preview (`argocd app diff`, `flux diff kustomization`) shows no deletions, and protect stateful objects with `Prune=false`.",
};

pub const SYNC_SOURCE_CHANGED: Rule = Rule {
    id: RuleId("kubernetes/sync-source-changed"),
    severity: Severity::High,
    tags: DESTRUCTIVE,
    summary: "A pruning Argo CD Application or Flux Kustomization is pointed at another path, repository, chart, Helm release name or target namespace, or a Flux HelmRelease gets another release name, namespace or chart.",
    why: "With pruning on, whatever the old source declared and the new one does not is deleted on the next sync; a typo in the new path deletes everything the application managed. Flux cannot move a Helm release either: a HelmRelease whose release name, target or storage namespace changes is uninstalled and installed anew.",
    example: "kind: Kustomization\nspec:\n  prune: true\n- path: ./apps/production\n+ path: ./apps/prod",
    safer: "Turn pruning off for the switch, check the sync preview, and turn it back on once the new source declares everything. For a HelmRelease, pin `releaseName` and the namespaces to their old values.",
};

pub const RULES: &[&Rule] = &[&PRUNE_ENABLED, &SYNC_SOURCE_CHANGED];

fn is_argo_app(id: &ObjectId) -> bool {
    id.is("argoproj.io", "Application")
}

fn is_flux_kustomization(id: &ObjectId) -> bool {
    id.is("kustomize.toolkit.fluxcd.io", "Kustomization")
}

fn is_true(node: Option<&Node>) -> bool {
    node.and_then(Node::as_str) == Some("true")
}

/// The pruning switches of a GitOps object: (path, what turning it on does).
fn prune_switches(id: &ObjectId) -> &'static [(&'static [&'static str], &'static str)] {
    if is_argo_app(id) {
        &[
            (
                &["spec", "syncPolicy", "automated", "prune"],
                "every object no longer in the source is deleted on the next automatic sync",
            ),
            (
                &["spec", "syncPolicy", "automated", "allowEmpty"],
                "an empty or broken source makes the sync delete every object the application manages",
            ),
        ]
    } else if is_flux_kustomization(id) {
        &[(
            &["spec", "prune"],
            "every object no longer in the source is deleted on the next reconciliation",
        )]
    } else {
        &[]
    }
}

/// Whether an Argo CD Application's `syncPolicy.syncOptions` hold `Prune=false`, the
/// application-wide default that keeps every resource from being pruned.
fn app_prune_disabled(node: &Node) -> bool {
    node.path(&["spec", "syncPolicy", "syncOptions"])
        .map(Node::as_seq)
        .unwrap_or(&[])
        .iter()
        .filter_map(Node::as_str)
        .any(|o| o.trim() == "Prune=false")
}

/// An automatically pruning Application that loses its application-wide `Prune=false`: the
/// next sync prunes what the option held back, as if pruning had just been turned on.
fn app_prune_option_removed(
    view: &FileView,
    id: &ObjectId,
    old: &Node,
    new: &Node,
    out: &mut Vec<Finding>,
) {
    if !is_argo_app(id) || !app_prune_disabled(old) || app_prune_disabled(new) {
        return;
    }
    let Some(prune) = new
        .path(&["spec", "syncPolicy", "automated", "prune"])
        .filter(|n| is_true(Some(n)))
    else {
        return;
    };
    let at = new
        .path(&["spec", "syncPolicy", "syncOptions"])
        .unwrap_or(prune);
    out.push(Finding::new(
        &PRUNE_ENABLED,
        head_line(view, at),
        format!(
            "{id} drops the sync option `Prune=false` while `automated.prune` is on: every object no longer in the source, held back until now, is deleted on the next automatic sync."
        ),
    ));
}

pub(super) fn pruning(
    view: &FileView,
    id: &ObjectId,
    old: Option<&Node>,
    new: &Node,
    out: &mut Vec<Finding>,
) {
    if let Some(old) = old {
        app_prune_option_removed(view, id, old, new, out);
    }
    for (path, effect) in prune_switches(id) {
        let Some(now) = new.path(path).filter(|n| is_true(Some(n))) else {
            continue;
        };
        // A new Application that prunes from the start deletes nothing it did not create.
        let Some(old) = old else {
            continue;
        };
        if is_true(old.path(path)) {
            continue;
        }
        out.push(Finding::new(
            &PRUNE_ENABLED,
            head_line(view, now),
            format!(
                "{id} turns on `{}`: {effect}.",
                path.last().unwrap_or(&"prune")
            ),
        ));
    }
}

/// Whether an Application (or an ApplicationSet's template for one) prunes automatically.
fn argo_prunes(node: &Node) -> bool {
    is_true(node.path(&["spec", "syncPolicy", "automated", "prune"]))
}

fn prunes(id: &ObjectId, node: &Node) -> bool {
    if is_argo_app(id) {
        argo_prunes(node)
    } else if is_flux_kustomization(id) {
        is_true(node.path(&["spec", "prune"]))
    } else {
        false
    }
}

/// A Flux HelmRelease's release name, target namespace or storage namespace changes: Flux
/// cannot move a Helm release, so it uninstalls the old one (deleting every object of the
/// chart) and installs a new one. Compared as Flux resolves them: the release name defaults
/// to `[targetNamespace-]name`, both namespaces to the HelmRelease's own.
pub(super) fn release_placement(
    view: &FileView,
    id: &ObjectId,
    old: &Node,
    new: &Node,
    out: &mut Vec<Finding>,
) {
    if !id.is("helm.toolkit.fluxcd.io", "HelmRelease") {
        return;
    }
    let field = |node: &'_ Node, key: &str| -> Option<String> {
        node.path(&["spec", key])
            .and_then(Node::as_str)
            .map(str::to_owned)
    };
    // Without `metadata.namespace` (a kustomization sets it) a defaulted namespace is unknown.
    let own_namespace = || Some(id.namespace.clone()).filter(|ns| !ns.is_empty());
    let placement = |node: &Node| -> [Option<String>; 3] {
        let target = field(node, "targetNamespace");
        let release = field(node, "releaseName").unwrap_or_else(|| match &target {
            Some(ns) => format!("{ns}-{}", id.name),
            None => id.name.clone(),
        });
        let storage = field(node, "storageNamespace").or_else(own_namespace);
        [Some(release), target.or_else(own_namespace), storage]
    };
    let templated = ["releaseName", "targetNamespace", "storageNamespace"]
        .iter()
        .any(|key| {
            templated_at(view, old, &["spec", key]) || templated_at(view, new, &["spec", key])
        });
    if templated {
        return;
    }
    let (before, after) = (placement(old), placement(new));
    let names = ["releaseName", "targetNamespace", "storageNamespace"];
    for ((key, was), now) in names.iter().zip(&before).zip(&after) {
        let (Some(was), Some(now)) = (was, now) else {
            continue;
        };
        if was == now {
            continue;
        }
        // A field removed falls back to its default: reported at the object.
        let location = head_line(view, new.path(&["spec", key]).unwrap_or(new));
        out.push(Finding::new(
            &SYNC_SOURCE_CHANGED,
            location,
            format!(
                "{id} changes its `{key}` from `{was}` to `{now}`: Flux cannot move a Helm release, so it uninstalls the old one, deleting every object of the chart (claims included), and installs a new one."
            ),
        ));
        // One uninstall, however many of the three change.
        return;
    }
    chart_swapped(view, id, old, new, out);
    uninstall_on_failure(view, id, old, new, out);
}

/// A HelmRelease whose failed upgrade is now remedied by uninstalling the release
/// (`upgrade.remediation.strategy: uninstall`; the default rolls back): the next upgrade
/// that fails or times out deletes every object of the chart, claims included.
fn uninstall_on_failure(
    view: &FileView,
    id: &ObjectId,
    old: &Node,
    new: &Node,
    out: &mut Vec<Finding>,
) {
    let path = &["spec", "upgrade", "remediation", "strategy"];
    let uninstalls = |node: &Node| {
        node.path(path)
            .and_then(Node::as_str)
            .is_some_and(|s| s.trim() == "uninstall")
    };
    if !uninstalls(new) || uninstalls(old) {
        return;
    }
    out.push(
        Finding::new(
            &PRUNE_ENABLED,
            head_line(view, new.path(path).unwrap_or(new)),
            format!(
                "{id} now remedies a failed upgrade by uninstalling the release instead of rolling it back: the next upgrade that fails or times out deletes every object of the chart, persistent volume claims included."
            ),
        )
        .with_severity(Severity::Medium),
    );
}

/// A HelmRelease pointed at another chart (`spec.chart.spec.chart`; a version bump or a
/// respelled path is the same chart): Helm upgrades the release to it, deleting every
/// object of the old chart the new one does not render under the same name, its
/// StatefulSets and claims included. A chart from a template is known only by its text.
fn chart_swapped(view: &FileView, id: &ObjectId, old: &Node, new: &Node, out: &mut Vec<Finding>) {
    let path = &["spec", "chart", "spec", "chart"];
    let (Some(was), Some(now)) = (old.path(path), new.path(path)) else {
        return;
    };
    if templated_at(view, old, path) || templated_at(view, new, path) {
        return;
    }
    let (Some(was), Some(now_text)) = (was.as_str(), now.as_str()) else {
        return;
    };
    // A chart moved between a Helm repository (`podinfo`) and a Git or bucket source
    // (`./charts/podinfo`) keeps its name, and so renders the same objects.
    let name = |chart: &str| {
        let chart = sources::normalized(chart);
        chart.rsplit('/').next().unwrap_or(chart).to_owned()
    };
    if name(was) == name(now_text) {
        return;
    }
    out.push(Finding::new(
        &SYNC_SOURCE_CHANGED,
        head_line(view, now),
        format!(
            "{id} switches its chart from `{was}` to `{now_text}`: Helm upgrades the release to the new chart and deletes every object of the old one it does not render under the same name (StatefulSets and claims included)."
        ),
    ));
}

pub(super) fn sync_source(
    view: &FileView,
    id: &ObjectId,
    old: &Node,
    new: &Node,
    out: &mut Vec<Finding>,
) {
    if id.is("argoproj.io", "ApplicationSet") {
        // The template is the Application every generator entry gets: a source or
        // destination it changes moves all of them at once.
        let path = &["spec", "template"];
        if let (Some(old), Some(new)) = (old.path(path), new.path(path)) {
            if argo_prunes(old) && argo_prunes(new) {
                let who = format!("{id}'s Application template");
                source_moved(view, &who, true, old, new, out);
            }
        }
        return;
    }
    if !prunes(id, old) || !prunes(id, new) {
        return;
    }
    source_moved(view, &id.to_string(), is_argo_app(id), old, new, out);
}

/// The source and destination fields of a pruning owner (`who`, an Argo CD Application or
/// an ApplicationSet's template when `argo`, else a Flux Kustomization) that point it
/// elsewhere.
fn source_moved(
    view: &FileView,
    who: &str,
    argo: bool,
    old: &Node,
    new: &Node,
    out: &mut Vec<Finding>,
) {
    let multi_source = |n: &Node| n.path(&["spec", "sources"]).is_some();
    if argo && (multi_source(old) || multi_source(new)) {
        argo_sources(view, who, old, new, out);
    }
    let paths: &[&[&str]] = if argo && (multi_source(old) || multi_source(new)) {
        &[
            &["spec", "destination", "namespace"],
            &["spec", "destination", "server"],
            &["spec", "destination", "name"],
        ]
    } else if argo {
        &[
            &["spec", "source", "repoURL"],
            &["spec", "source", "path"],
            &["spec", "source", "chart"],
            // Charts name their objects after the release: a new name renames them all.
            &["spec", "source", "helm", "releaseName"],
            &["spec", "destination", "namespace"],
            &["spec", "destination", "server"],
            &["spec", "destination", "name"],
        ]
    } else {
        &[
            &["spec", "path"],
            &["spec", "sourceRef"],
            &["spec", "targetNamespace"],
        ]
    };
    for path in paths {
        if path == &["spec", "targetNamespace"] {
            target_namespace_set_or_dropped(view, who, old, new, out);
        }
        let (Some(before), Some(after)) = (old.path(path), new.path(path)) else {
            continue;
        };
        if sources::same_place(before, after)
            || compared(view, before, after) == Comparison::Unknown
        {
            continue;
        }
        let mut finding = Finding::new(
            &SYNC_SOURCE_CHANGED,
            head_line(view, after),
            format!(
                "{who} prunes and its `{}` changes: whatever the old source declared and the new one does not is deleted on the next sync.",
                path.join(".")
            ),
        );
        // An ApplicationSet parameter (`{{.path.path}}`) may render the same value as the
        // text that replaced it; the generator's entries decide, so one step lower.
        let parameter = |n: &Node| n.as_str().is_some_and(|v| v.contains("{{"));
        if !renders_templates(view) && (parameter(before) || parameter(after)) {
            let severity = finding.severity.lowered();
            finding = finding.with_severity(severity);
            finding.message.push_str(" The value is filled from generator parameters: if the old and the new text render the same for every entry, nothing moves.");
        }
        // A directory the same change renames along with the path: if every object moved
        // with it, the sync applies the same objects and prunes none. Other repositories
        // and what moved below the top level are unseen, so it is lowered, not dropped.
        let (from, to) = (before.as_str().unwrap_or(""), after.as_str().unwrap_or(""));
        if path.last() == Some(&"path") && sources::moved_directory(view, from, to) {
            let severity = finding.severity.lowered();
            finding = finding.with_severity(severity);
            finding.message.push_str(&format!(
                " The change also moves the directory `{}` to `{}` (the same files at its top level): if every object moved with it, nothing is pruned; check the sync preview (`flux diff kustomization`, `argocd app diff`).",
                sources::normalized(from),
                sources::normalized(to)
            ));
        }
        out.push(finding);
    }
}

/// A pruning Flux Kustomization given a `targetNamespace` it did not have, or losing one:
/// Flux sets (or stops setting) the namespace of every namespaced object it applies, so each
/// lands in another namespace and the old copies are pruned. Objects that already declared
/// that namespace do not move, which twokey cannot see from here: one step lower.
fn target_namespace_set_or_dropped(
    view: &FileView,
    id: &str,
    old: &Node,
    new: &Node,
    out: &mut Vec<Finding>,
) {
    let path = &["spec", "targetNamespace"];
    let (was, now) = (old.path(path), new.path(path));
    let (at, what) = match (was, now) {
        (None, Some(now)) => (
            now,
            format!("sets `targetNamespace: {}`", now.as_str().unwrap_or("…")),
        ),
        (Some(was), None) => (
            new,
            format!("drops `targetNamespace: {}`", was.as_str().unwrap_or("…")),
        ),
        _ => return,
    };
    if templated_at(view, old, path) || templated_at(view, new, path) {
        return;
    }
    let finding = Finding::new(
        &SYNC_SOURCE_CHANGED,
        head_line(view, at),
        format!(
            "{id} prunes and {what}: every namespaced object it applies moves to another namespace, so the old copies are deleted on the next reconciliation (objects that already declared that namespace stay)."
        ),
    );
    let severity = finding.severity.lowered();
    out.push(finding.with_severity(severity));
}

/// A pruning multi-source Application whose manifest sources lose one: what only that source
/// rendered is deleted on the next sync. Moving a source between `source` and `sources`,
/// reordering them or pinning another revision keeps the same sources.
fn argo_sources(view: &FileView, id: &str, old: &Node, new: &Node, out: &mut Vec<Finding>) {
    let kept = sources::argo_sources(new);
    let at = new
        .path(&["spec", "sources"])
        .or_else(|| new.path(&["spec", "source"]))
        .unwrap_or(new);
    let before = sources::argo_sources(old);
    // A templated source whose text changed may render the same place; one the list lost
    // is gone whatever it rendered.
    let shrinks = kept.len() < before.len();
    for gone in before {
        let unknown = !shrinks && templated(view, &gone);
        if kept.contains(&gone) || unknown {
            continue;
        }
        out.push(Finding::new(
            &SYNC_SOURCE_CHANGED,
            head_line(view, at),
            format!(
                "{id} prunes and its source `{}` is dropped or pointed elsewhere: whatever only that source declared is deleted on the next sync.",
                gone
            ),
        ));
    }
}

#[cfg(test)]
mod tests {
    use crate::analyze::files::testkit::{ids, Case};
    use crate::analyze::kubernetes::analyze;
    use crate::finding::{Finding, Severity};

    const PATH: &str = "deploy/app.yaml";

    fn run(base: &str, head: &str) -> Vec<Finding> {
        Case::modified(PATH, base, head).run(analyze)
    }

    const APP: &str = "\
apiVersion: argoproj.io/v1alpha1
kind: Application
metadata:
  name: payments
  namespace: argocd
spec:
  source:
    repoURL: https://example.com/deploy.git
    path: apps/payments
  destination:
    namespace: payments
  syncPolicy:
    automated:
      prune: false
";

    #[test]
    fn turning_on_argo_pruning_or_allow_empty_is_reported() {
        let prune = APP.replace("prune: false", "prune: true");
        let f = run(APP, &prune);
        assert_eq!(ids(&f), ["kubernetes/prune-enabled"]);
        assert_eq!(f[0].location.line, Some(14));
        let empty = prune.replace("prune: true", "prune: true\n      allowEmpty: true");
        assert_eq!(ids(&run(&prune, &empty)), ["kubernetes/prune-enabled"]);
        // Already on, or a new application: quiet.
        assert!(run(
            &prune,
            &prune.replace(
                "  namespace: argocd\n",
                "  namespace: argocd\n  labels: {team: a}\n"
            )
        )
        .is_empty());
        assert!(Case::added(PATH, &prune).run(analyze).is_empty());
    }

    #[test]
    fn a_pruning_application_pointed_elsewhere_is_reported_but_not_one_that_does_not_prune() {
        let prune = APP.replace("prune: false", "prune: true");
        let moved = prune.replace("path: apps/payments", "path: apps/payment");
        let f = run(&prune, &moved);
        assert_eq!(ids(&f), ["kubernetes/sync-source-changed"]);
        assert!(
            f[0].message.contains("`spec.source.path`"),
            "{}",
            f[0].message
        );
        assert!(run(
            APP,
            &APP.replace("path: apps/payments", "path: apps/payment")
        )
        .is_empty());
    }

    const MULTI: &str = "\
apiVersion: argoproj.io/v1alpha1
kind: Application
metadata:
  name: prometheus
  namespace: argocd
spec:
  sources:
  - repoURL: https://prometheus-community.github.io/helm-charts
    chart: prometheus
    targetRevision: 15.7.1
  - repoURL: https://git.example.com/deploy.git
    path: monitoring/extras
  - repoURL: https://git.example.com/values.git
    ref: values
  destination:
    namespace: monitoring
  syncPolicy:
    automated:
      prune: true
";

    #[test]
    fn a_pruning_multi_source_application_losing_a_source_is_reported() {
        let head = MULTI.replace(
            "  - repoURL: https://git.example.com/deploy.git\n    path: monitoring/extras\n",
            "",
        );
        let f = run(MULTI, &head);
        assert_eq!(ids(&f), ["kubernetes/sync-source-changed"]);
        assert!(
            f[0].message.contains("monitoring/extras"),
            "{}",
            f[0].message
        );
        assert_eq!(f[0].location.line, Some(8));
    }

    #[test]
    fn bumping_reordering_or_respelling_sources_is_quiet() {
        let bumped = MULTI
            .replace("15.7.1", "25.8.0")
            .replace("deploy.git", "deploy")
            .replace("path: monitoring/extras", "path: ./monitoring/extras/")
            .replace("ref: values", "ref: vals");
        assert!(run(MULTI, &bumped).is_empty(), "{:?}", run(MULTI, &bumped));
        let single = APP.replace("prune: false", "prune: true");
        let respelled = single.replace("path: apps/payments", "path: ./apps/payments/");
        assert!(run(&single, &respelled).is_empty());
        let to_multi = single.replace("  source:\n    repoURL", "  sources:\n  - repoURL");
        assert!(
            run(&single, &to_multi).is_empty(),
            "{:?}",
            run(&single, &to_multi)
        );
    }

    #[test]
    fn a_flux_kustomization_with_prune_whose_path_changes_is_reported() {
        let base = "apiVersion: kustomize.toolkit.fluxcd.io/v1\nkind: Kustomization\nmetadata:\n  name: apps\n  namespace: flux-system\nspec:\n  prune: true\n  path: ./apps/production\n";
        let f = run(base, &base.replace("production", "prod"));
        assert_eq!(ids(&f), ["kubernetes/sync-source-changed"]);
        assert_eq!(f[0].location.line, Some(8));
        let off = base.replace("prune: true", "prune: false");
        assert_eq!(ids(&run(&off, base)), ["kubernetes/prune-enabled"]);
    }

    #[test]
    fn a_pruning_flux_kustomization_given_or_losing_a_target_namespace_is_reported() {
        let base = "apiVersion: kustomize.toolkit.fluxcd.io/v1\nkind: Kustomization\nmetadata:\n  name: apps\n  namespace: flux-system\nspec:\n  prune: true\n  path: ./apps/production\n";
        let set = format!("{base}  targetNamespace: apps\n");
        let f = run(base, &set);
        assert_eq!(ids(&f), ["kubernetes/sync-source-changed"]);
        assert_eq!(
            (f[0].location.line, f[0].severity),
            (Some(9), Severity::Medium)
        );
        assert_eq!(ids(&run(&set, base)), ["kubernetes/sync-source-changed"]);
        // Without pruning the old copies stay; an unchanged namespace is no move.
        let off = base.replace("prune: true", "prune: false");
        assert!(run(&off, &format!("{off}  targetNamespace: apps\n")).is_empty());
        assert!(run(
            &set,
            &set.replace("path: ./apps/production", "path: apps/production")
        )
        .is_empty());
    }

    #[test]
    fn a_pruning_application_dropping_its_app_wide_prune_false_is_prune_enabled() {
        let prune = APP.replace("prune: false", "prune: true");
        let held =
            format!("{prune}    syncOptions:\n    - CreateNamespace=true\n    - Prune=false\n");
        let f = run(&held, &held.replace("    - Prune=false\n", ""));
        assert_eq!(ids(&f), ["kubernetes/prune-enabled"]);
        assert_eq!(f[0].location.line, Some(16));
        // Not pruning automatically, or another option dropped: quiet.
        let manual = format!("{APP}    syncOptions:\n    - Prune=false\n");
        assert!(run(
            &manual,
            &manual.replace("    - Prune=false\n", "    - PruneLast=true\n")
        )
        .is_empty());
        assert!(run(&held, &held.replace("    - CreateNamespace=true\n", "")).is_empty());
    }

    #[test]
    fn a_pruning_application_renaming_its_helm_release_is_reported() {
        let app = APP.replace("prune: false", "prune: true").replace(
            "    path: apps/payments\n",
            "    chart: payments\n    helm:\n      releaseName: payments\n",
        );
        let f = run(
            &app,
            &app.replace("releaseName: payments", "releaseName: payments-v2"),
        );
        assert_eq!(ids(&f), ["kubernetes/sync-source-changed"]);
        assert!(f[0].message.contains("releaseName"), "{}", f[0].message);
        assert!(run(
            &app,
            &app.replace("releaseName: payments", "releaseName: \"payments\"")
        )
        .is_empty());
    }

    #[test]
    fn a_helm_release_switched_to_another_chart_is_reported_but_not_a_version_bump() {
        let release = "apiVersion: helm.toolkit.fluxcd.io/v2\nkind: HelmRelease\nmetadata:\n  name: db\n  namespace: data\nspec:\n  chart:\n    spec:\n      chart: postgresql\n      version: 12.1.0\n      sourceRef:\n        kind: HelmRepository\n        name: bitnami\n";
        let f = run(
            release,
            &release.replace("chart: postgresql", "chart: postgresql-ha"),
        );
        assert_eq!(ids(&f), ["kubernetes/sync-source-changed"]);
        assert_eq!(f[0].location.line, Some(9));
        assert!(run(release, &release.replace("12.1.0", "12.5.8")).is_empty());
        // A major of a chart that runs a database is a prompt to read its notes, no more.
        let major = run(release, &release.replace("12.1.0", "13.0.0"));
        assert_eq!(ids(&major), ["kubernetes/helm-chart-major-bump"]);
        assert_eq!(major[0].severity, Severity::Medium);
        assert_eq!(major[0].location.line, Some(10));
        let git = release.replace("chart: postgresql", "chart: ./charts/db");
        assert!(run(&git, &git.replace("./charts/db", "charts/db/")).is_empty());
        let vendored = release.replace("chart: postgresql", "chart: ./charts/postgresql");
        assert!(run(release, &vendored).is_empty());
    }

    #[test]
    fn a_pruning_path_following_its_renamed_directory_is_lowered_and_says_so() {
        use crate::change::Side;
        let base = "apiVersion: kustomize.toolkit.fluxcd.io/v1\nkind: Kustomization\nmetadata:\n  name: apps\n  namespace: flux-system\nspec:\n  prune: true\n  path: ./apps/production\n";
        let head = base.replace("production", "prod");
        let files = |case: Case, dir: &str, side: Side| {
            case.with_file(
                side,
                &format!("{dir}/kustomization.yaml"),
                "resources: [web.yaml]\n",
            )
            .with_file(side, &format!("{dir}/web.yaml"), "kind: ConfigMap\n")
        };
        let moved = files(
            files(
                Case::modified(PATH, base, &head),
                "apps/production",
                Side::Base,
            ),
            "apps/prod",
            Side::Head,
        );
        let f = moved.run(analyze);
        assert_eq!(ids(&f), ["kubernetes/sync-source-changed"]);
        assert_eq!(f[0].severity, Severity::Medium);
        assert!(
            f[0].message
                .contains("moves the directory `apps/production` to `apps/prod`"),
            "{}",
            f[0].message
        );
    }

    #[test]
    fn a_pruning_path_pointed_at_another_or_partly_moved_directory_stays_high() {
        use crate::change::Side;
        let base = "apiVersion: kustomize.toolkit.fluxcd.io/v1\nkind: Kustomization\nmetadata:\n  name: apps\n  namespace: flux-system\nspec:\n  prune: true\n  path: ./apps/production\n";
        let head = base.replace("production", "prod");
        let case = || {
            Case::modified(PATH, base, &head)
                .with_file(
                    Side::Base,
                    "apps/production/kustomization.yaml",
                    "resources: []\n",
                )
                .with_file(Side::Base, "apps/production/db.yaml", "kind: ConfigMap\n")
        };
        // Only one of the two files moved; the old directory still exists; nothing moved.
        let partly = case().with_file(
            Side::Head,
            "apps/prod/kustomization.yaml",
            "resources: []\n",
        );
        let kept = case()
            .with_file(
                Side::Head,
                "apps/prod/kustomization.yaml",
                "resources: []\n",
            )
            .with_file(Side::Head, "apps/prod/db.yaml", "kind: ConfigMap\n")
            .with_file(Side::Head, "apps/production/db.yaml", "kind: ConfigMap\n");
        for case in [partly, kept, case()] {
            let f = case.run(analyze);
            assert_eq!(ids(&f), ["kubernetes/sync-source-changed"]);
            assert_eq!(f[0].severity, Severity::High, "{}", f[0].message);
        }
    }

    const RELEASE: &str = "apiVersion: helm.toolkit.fluxcd.io/v2\nkind: HelmRelease\nmetadata:\n  name: redis\n  namespace: cache\nspec:\n  chart:\n    spec:\n      chart: redis\n      version: 19.0.0\n";

    #[test]
    fn a_helm_release_that_uninstalls_on_a_failed_upgrade_is_reported() {
        let uninstall = format!(
            "{RELEASE}  upgrade:\n    remediation:\n      retries: 3\n      strategy: uninstall\n"
        );
        let f = run(RELEASE, &uninstall);
        assert_eq!(ids(&f), ["kubernetes/prune-enabled"]);
        assert_eq!(f[0].severity, Severity::Medium);
        assert_eq!(f[0].location.line, Some(14));
        assert!(
            f[0].message.contains("instead of rolling it back"),
            "{}",
            f[0].message
        );
        // Rolling back, or a strategy that already uninstalled, deletes nothing new.
        let rollback = uninstall.replace("strategy: uninstall", "strategy: rollback");
        assert!(run(RELEASE, &rollback).is_empty());
        assert!(run(&uninstall, &uninstall.replace("retries: 3", "retries: 5")).is_empty());
    }

    #[test]
    fn a_helm_release_given_another_release_name_or_namespace_is_reinstalled() {
        let named = RELEASE.replace("\nspec:\n", "\nspec:\n  releaseName: redis\n");
        let f = run(
            &named,
            &named.replace("releaseName: redis", "releaseName: redis-v2"),
        );
        assert_eq!(ids(&f), ["kubernetes/sync-source-changed"]);
        assert_eq!(f[0].location.line, Some(7));
        assert!(f[0].message.contains("uninstalls"), "{}", f[0].message);
        // A target namespace also changes the default release name: still one finding.
        let moved = RELEASE.replace("\nspec:\n", "\nspec:\n  targetNamespace: redis\n");
        assert_eq!(
            ids(&run(RELEASE, &moved)),
            ["kubernetes/sync-source-changed"]
        );
        let stored = RELEASE.replace("\nspec:\n", "\nspec:\n  storageNamespace: flux-system\n");
        assert_eq!(
            ids(&run(RELEASE, &stored)),
            ["kubernetes/sync-source-changed"]
        );
    }

    #[test]
    fn spelling_out_a_helm_releases_defaults_or_bumping_its_chart_is_quiet() {
        let spelled = RELEASE.replace(
            "\nspec:\n",
            "\nspec:\n  releaseName: redis\n  targetNamespace: cache\n  storageNamespace: cache\n",
        );
        assert!(run(RELEASE, &spelled).is_empty());
        assert!(run(RELEASE, &RELEASE.replace("19.0.0", "19.1.0")).is_empty());
        // Namespaced by a kustomization: the defaulted namespace is unknown, not "".
        let unnamespaced = RELEASE.replace("  namespace: cache\n", "");
        let targeted = unnamespaced.replace("\nspec:\n", "\nspec:\n  targetNamespace: cache\n");
        let renamed = targeted.replace("\nspec:\n", "\nspec:\n  releaseName: redis\n");
        assert!(run(&unnamespaced, &renamed).is_empty());
    }

    #[test]
    fn removing_a_cascading_gitops_owner_is_critical() {
        let app = APP.replace(
            "  namespace: argocd\n",
            "  namespace: argocd\n  finalizers:\n    - resources-finalizer.argocd.argoproj.io\n",
        );
        let f = Case::modified(PATH, &app, "").run(analyze);
        assert_eq!(ids(&f), ["kubernetes/cascade-owner-deleted"]);
        assert_eq!(f[0].severity, Severity::Critical);
        // Without the finalizer (or Flux pruning) the deployed objects stay: a low note,
        // not destructive.
        let flux = "apiVersion: kustomize.toolkit.fluxcd.io/v1\nkind: Kustomization\nmetadata:\n  name: apps\nspec:\n  prune: false\n";
        for owner in [APP, flux] {
            let f = Case::modified(PATH, owner, "").run(analyze);
            assert_eq!(ids(&f), ["kubernetes/object-deleted"]);
            assert_eq!(f[0].severity, Severity::Low, "{}", f[0].message);
            assert!(!f[0].tags.contains(&crate::finding::Tag::Destructive));
        }
        let release =
            "apiVersion: helm.toolkit.fluxcd.io/v2\nkind: HelmRelease\nmetadata:\n  name: redis\n";
        assert_eq!(
            ids(&Case::modified(PATH, release, "").run(analyze)),
            ["kubernetes/cascade-owner-deleted"]
        );
    }
}
