//! appset: an Argo CD ApplicationSet's list generators. Each element of a `list` generator
//! stands for one generated Application; dropping it has the ApplicationSet delete that
//! Application and, through the resources finalizer it puts on what it generates, everything
//! the Application deployed. Elements are told apart by the Application name the template
//! gives them, so editing an element's other parameters (a URL, a revision) is not a drop.
//! The same holds for the other ways an ApplicationSet stops generating an Application: a
//! git generator's directory or file pattern dropped or an `exclude` added, and the
//! template's name pattern changed (every Application is deleted and created anew under its
//! new name). A policy that kept Applications when they stop being generated, dropped, is
//! pruning turned on.

use super::gitops::PRUNE_ENABLED;
use super::sources::normalized;
use super::{ObjectId, CASCADE_OWNER_DELETED};
use crate::analyze::FileView;
use crate::change::Side;
use crate::finding::{Finding, Severity};
use crate::yaml::{Node, Value};

/// Findings for an ApplicationSet present on both sides.
pub(super) fn compare(
    view: &FileView,
    id: &ObjectId,
    old: &Node,
    new: &Node,
    out: &mut Vec<Finding>,
) {
    if !id.is("argoproj.io", "ApplicationSet") {
        return;
    }
    if keeps_applications(new) {
        return;
    }
    if keeps_applications(old) {
        let at = new.path(&["spec", "syncPolicy"]).unwrap_or(new);
        out.push(
            Finding::new(
                &PRUNE_ENABLED,
                view.at(Side::Head, at.line, at.line),
                format!(
                    "{id} no longer keeps what it stops generating (`preserveResourcesOnDeletion: true` or a create-only `applicationsSync` policy is gone): from now on, an Application whose element, directory or cluster goes is deleted, and with it everything it deployed; under a create-only policy, Applications whose entries already went are deleted on the next reconciliation."
                ),
            )
            .with_severity(Severity::Medium),
        );
    }
    let first = out.len();
    let kept: Vec<String> = elements(new)
        .into_iter()
        .map(|e| application_name(new, e))
        .collect();
    for element in elements(old) {
        let name = application_name(old, element);
        if kept.contains(&name) {
            continue;
        }
        out.push(Finding::new(
            &CASCADE_OWNER_DELETED,
            view.at(Side::Base, element.line, element.end_line),
            format!(
                "{id} loses the list generator element for {name}: Argo CD deletes the Application it generated and, through its resources finalizer, everything that Application deployed."
            ),
        ));
    }
    if out.len() == first {
        name_pattern_changed(view, id, old, new, out);
    }
    git_patterns_narrowed(view, id, old, new, out);
    cluster_selectors_narrowed(view, id, old, new, out);
}

/// A `clusters` generator whose selector may match fewer clusters: a label required that was
/// not (or with another value), `matchExpressions` rewritten, or a selector put where there
/// was none (every cluster). The Applications of clusters no longer selected are deleted.
/// Generators are paired by their order; a label dropped only widens the selection.
fn cluster_selectors_narrowed(
    view: &FileView,
    id: &ObjectId,
    old: &Node,
    new: &Node,
    out: &mut Vec<Finding>,
) {
    let (before, after) = (cluster_generators(old), cluster_generators(new));
    for (was, now) in before.iter().zip(&after) {
        let labels = |g: &Node| -> Vec<(String, String)> {
            selector(g)
                .and_then(|s| s.get("matchLabels"))
                .map(Node::as_map)
                .unwrap_or(&[])
                .iter()
                .map(|(k, v)| (k.clone(), flat(v)))
                .collect()
        };
        let expressions = |g: &Node| {
            selector(g)
                .and_then(|s| s.get("matchExpressions"))
                .map(flat)
        };
        let (old_labels, new_labels) = (labels(was), labels(now));
        let required = new_labels.iter().find(|l| !old_labels.contains(l));
        let reason = if let Some((key, value)) = required {
            format!("now requires the cluster label `{key}: {value}`")
        } else if expressions(was) != expressions(now) && expressions(now).is_some() {
            "changes its `matchExpressions`".to_owned()
        } else {
            continue;
        };
        let at = selector(now).unwrap_or(now);
        out.push(
            Finding::new(
                &CASCADE_OWNER_DELETED,
                view.at(Side::Head, at.line, at.line),
                format!(
                    "{id}'s clusters generator {reason}: the Application of every cluster it no longer selects is deleted and, through its resources finalizer, everything that Application deployed."
                ),
            )
            .with_severity(Severity::High),
        );
    }
}

/// A clusters generator's selector, when it has one.
fn selector(generator: &Node) -> Option<&Node> {
    generator.get("selector").filter(|s| !s.is_null())
}

/// Every `clusters` generator, nested ones (matrix, merge) included, in order.
fn cluster_generators(appset: &Node) -> Vec<&Node> {
    fn walk<'a>(generators: &'a [Node], out: &mut Vec<&'a Node>) {
        for generator in generators {
            if let Some(clusters) = generator.get("clusters") {
                out.push(clusters);
            }
            for combining in ["matrix", "merge"] {
                if let Some(inner) = generator.path(&[combining, "generators"]) {
                    walk(inner.as_seq(), out);
                }
            }
        }
    }
    let mut out = Vec::new();
    let generators = appset
        .path(&["spec", "generators"])
        .map(Node::as_seq)
        .unwrap_or(&[]);
    walk(generators, &mut out);
    out
}

/// A git generator whose patterns select less: an include pattern removed or rewritten, or an
/// `exclude: true` entry added. Which directories or files they matched is in the generator's
/// repository at sync time, not in the change, so one finding per pattern says what may go.
fn git_patterns_narrowed(
    view: &FileView,
    id: &ObjectId,
    old: &Node,
    new: &Node,
    out: &mut Vec<Finding>,
) {
    let (before, after) = (git_patterns(old), git_patterns(new));
    let known = |list: &[Pattern], p: &Pattern| {
        list.iter()
            .any(|q| q.exclude == p.exclude && q.path == p.path)
    };
    for gone in before.iter().filter(|p| !p.exclude && !known(&after, p)) {
        out.push(Finding::new(
            &CASCADE_OWNER_DELETED,
            view.at(Side::Base, gone.node.line, gone.node.end_line),
            format!(
                "{id} no longer generates Applications from the git pattern `{}`: every Application made for a directory or file only it matched is deleted and, through its resources finalizer, everything that Application deployed (if the remaining patterns still match them, nothing goes).",
                gone.path
            ),
        ).with_severity(Severity::High));
    }
    for added in after.iter().filter(|p| p.exclude && !known(&before, p)) {
        out.push(Finding::new(
            &CASCADE_OWNER_DELETED,
            view.at(Side::Head, added.node.line, added.node.end_line),
            format!(
                "{id} excludes `{}` from its git generator: the Applications generated for what it matches are deleted and, through their resources finalizer, everything they deployed.",
                added.path
            ),
        ).with_severity(Severity::High));
    }
}

/// One `directories` or `files` entry of a git generator.
struct Pattern<'a> {
    path: String,
    exclude: bool,
    node: &'a Node,
}

/// Every git generator entry, nested ones (matrix, merge) included.
fn git_patterns(appset: &Node) -> Vec<Pattern<'_>> {
    let mut out = Vec::new();
    let generators = appset
        .path(&["spec", "generators"])
        .map(Node::as_seq)
        .unwrap_or(&[]);
    collect_git(generators, &mut out);
    out
}

fn collect_git<'a>(generators: &'a [Node], out: &mut Vec<Pattern<'a>>) {
    for generator in generators {
        for kind in ["directories", "files"] {
            let entries = generator
                .path(&["git", kind])
                .map(Node::as_seq)
                .unwrap_or(&[]);
            for entry in entries {
                let Some(path) = entry.get("path").and_then(Node::as_str) else {
                    continue;
                };
                let exclude = entry.get("exclude").and_then(Node::as_str) == Some("true");
                let path = format!("{kind}: {}", normalized(path));
                out.push(Pattern {
                    path,
                    exclude,
                    node: entry,
                });
            }
        }
        for combining in ["matrix", "merge"] {
            if let Some(inner) = generator.path(&[combining, "generators"]) {
                collect_git(inner.as_seq(), out);
            }
        }
    }
}

/// The template's Application name pattern rewritten: every generated Application is a new
/// one, so Argo CD deletes each old one (cascading through its finalizer) and creates the
/// new. Only reported when no dropped list element already said so, and compared with the
/// spacing and leading dots of `{{ .x }}` and `{{x}}` ignored.
fn name_pattern_changed(
    view: &FileView,
    id: &ObjectId,
    old: &Node,
    new: &Node,
    out: &mut Vec<Finding>,
) {
    let path = &["spec", "template", "metadata", "name"];
    let (Some(was), Some(now)) = (old.path(path), new.path(path)) else {
        return;
    };
    let (Some(was_text), Some(now_text)) = (was.as_str(), now.as_str()) else {
        return;
    };
    if spelled(was_text) == spelled(now_text) {
        return;
    }
    out.push(Finding::new(
        &CASCADE_OWNER_DELETED,
        view.at(Side::Head, now.line, now.line),
        format!(
            "{id} renames the Applications it generates (`{was_text}` to `{now_text}`): Argo CD deletes every Application under its old name, and through its resources finalizer what it deployed, before the new one deploys it again."
        ),
    ));
}

/// A name pattern without the spacing and leading dots inside its `{{ }}` actions.
fn spelled(pattern: &str) -> String {
    let mut out = String::new();
    let mut rest = pattern;
    while let Some(open) = rest.find("{{") {
        out.push_str(&rest[..open]);
        let Some((expr, tail)) = rest[open + 2..].split_once("}}") else {
            out.push_str(&rest[open..]);
            return out;
        };
        out.push_str("{{");
        out.push_str(expr.trim().trim_start_matches('.'));
        out.push_str("}}");
        rest = tail;
    }
    out.push_str(rest);
    out
}

/// Settings under which the ApplicationSet leaves generated Applications (or their
/// resources) in place when their element goes.
fn keeps_applications(appset: &Node) -> bool {
    let policy = |key: &str| {
        appset
            .path(&["spec", "syncPolicy", key])
            .and_then(Node::as_str)
    };
    policy("preserveResourcesOnDeletion") == Some("true")
        || matches!(
            policy("applicationsSync"),
            Some("create-only" | "create-update")
        )
}

/// Every element of every `list` generator, nested ones (matrix, merge) included.
fn elements(appset: &Node) -> Vec<&Node> {
    let mut out = Vec::new();
    let generators = appset
        .path(&["spec", "generators"])
        .map(Node::as_seq)
        .unwrap_or(&[]);
    collect(generators, &mut out);
    out
}

fn collect<'a>(generators: &'a [Node], out: &mut Vec<&'a Node>) {
    for generator in generators {
        if let Some(list) = generator.path(&["list", "elements"]) {
            out.extend(list.as_seq());
        }
        for combining in ["matrix", "merge"] {
            if let Some(inner) = generator.path(&[combining, "generators"]) {
                collect(inner.as_seq(), out);
            }
        }
    }
}

/// The template's `metadata.name` with the element's parameters filled in; the element's
/// whole text when the name uses a parameter the element does not hold.
fn application_name(appset: &Node, element: &Node) -> String {
    let template = appset
        .path(&["spec", "template", "metadata", "name"])
        .and_then(Node::as_str);
    template
        .and_then(|t| render(t, element))
        .unwrap_or_else(|| flat(element))
}

/// Fills `{{cluster}}`, `{{ .cluster }}` and `{{.values.env}}` from the element; `None` when a
/// parameter is missing or the expression is more than a parameter.
fn render(template: &str, element: &Node) -> Option<String> {
    let mut out = String::new();
    let mut rest = template;
    while let Some(open) = rest.find("{{") {
        out.push_str(&rest[..open]);
        let (expr, tail) = rest[open + 2..].split_once("}}")?;
        let key = expr.trim().trim_start_matches('.');
        let path: Vec<&str> = key.split('.').collect();
        if path.iter().any(|p| {
            p.is_empty()
                || !p
                    .chars()
                    .all(|c| c.is_alphanumeric() || c == '_' || c == '-')
        }) {
            return None;
        }
        out.push_str(element.path(&path)?.as_str()?);
        rest = tail;
    }
    out.push_str(rest);
    Some(out)
}

/// A compact, order-independent text of a value, for naming an element.
fn flat(node: &Node) -> String {
    match &node.value {
        Value::Scalar(s) => s.clone(),
        Value::Null => "~".to_owned(),
        Value::Seq(items) => format!(
            "[{}]",
            items.iter().map(flat).collect::<Vec<_>>().join(", ")
        ),
        Value::Map(entries) => {
            let mut parts: Vec<String> = entries
                .iter()
                .map(|(k, v)| format!("{k}: {}", flat(v)))
                .collect();
            parts.sort();
            format!("{{{}}}", parts.join(", "))
        }
        Value::Tagged(_, inner) => flat(inner),
    }
}

#[cfg(test)]
mod tests {
    use super::super::analyze;
    use crate::analyze::files::testkit::{ids, Case};
    use crate::change::Side;

    const APPSET: &str = "\
apiVersion: argoproj.io/v1alpha1
kind: ApplicationSet
metadata:
  name: guestbook
  namespace: argocd
spec:
  goTemplate: true
  generators:
  - list:
      elements:
      - cluster: engineering-dev
        url: https://1.2.3.4
      - cluster: engineering-prod
        url: https://2.4.6.8
  template:
    metadata:
      name: '{{.cluster}}-guestbook'
    spec:
      project: default
      destination:
        server: '{{.url}}'
        namespace: guestbook
";

    const PROD: &str = "      - cluster: engineering-prod\n        url: https://2.4.6.8\n";

    fn run(base: &str, head: &str) -> Vec<crate::finding::Finding> {
        Case::modified("argocd/guestbook.yaml", base, head).run(analyze)
    }

    #[test]
    fn dropping_a_list_element_deletes_its_application() {
        let f = run(APPSET, &APPSET.replace(PROD, ""));
        assert_eq!(ids(&f), ["kubernetes/cascade-owner-deleted"]);
        assert!(
            f[0].message.contains("engineering-prod-guestbook"),
            "{}",
            f[0].message
        );
        assert_eq!(
            (f[0].location.side, f[0].location.line),
            (Side::Base, Some(13))
        );
    }

    #[test]
    fn editing_reordering_or_adding_elements_is_quiet() {
        let moved = APPSET.replace("https://2.4.6.8", "https://2.4.6.9");
        assert!(run(APPSET, &moved).is_empty());
        let reordered = APPSET.replace(PROD, "").replace(
            "      - cluster: engineering-dev",
            &format!("{PROD}      - cluster: engineering-dev"),
        );
        assert!(run(APPSET, &reordered).is_empty());
        let added = APPSET.replace(
            PROD,
            &format!("{PROD}      - cluster: staging\n        url: https://3.3.3.3\n"),
        );
        assert!(run(APPSET, &added).is_empty());
    }

    #[test]
    fn an_appset_that_preserves_resources_may_drop_elements() {
        let preserving = APPSET.replace(
            "  goTemplate: true\n",
            "  goTemplate: true\n  syncPolicy:\n    preserveResourcesOnDeletion: true\n",
        );
        assert!(run(&preserving, &preserving.replace(PROD, "")).is_empty());
    }

    const ADDONS: &str = "\
apiVersion: argoproj.io/v1alpha1
kind: ApplicationSet
metadata:
  name: cluster-addons
  namespace: argocd
spec:
  goTemplate: true
  generators:
  - git:
      repoURL: https://git.example.com/platform.git
      revision: HEAD
      directories:
      - path: addons/*
  template:
    metadata:
      name: '{{.path.basename}}'
    spec:
      project: default
      source:
        repoURL: https://git.example.com/platform.git
        targetRevision: HEAD
        path: '{{.path.path}}'
      destination:
        server: https://kubernetes.default.svc
        namespace: '{{.path.basename}}'
";

    #[test]
    fn a_git_generator_excluding_or_dropping_a_pattern_deletes_its_applications() {
        let excluded = ADDONS.replace(
            "      - path: addons/*\n",
            "      - path: addons/*\n      - path: addons/cert-manager\n        exclude: true\n",
        );
        let f = run(ADDONS, &excluded);
        assert_eq!(ids(&f), ["kubernetes/cascade-owner-deleted"]);
        assert!(
            f[0].message.contains("addons/cert-manager"),
            "{}",
            f[0].message
        );
        assert_eq!(
            (f[0].location.side, f[0].location.line),
            (Side::Head, Some(14))
        );
        let narrowed = ADDONS.replace("path: addons/*", "path: addons/monitoring-*");
        assert_eq!(
            ids(&run(ADDONS, &narrowed)),
            ["kubernetes/cascade-owner-deleted"]
        );
    }

    #[test]
    fn a_git_generator_respelled_widened_by_a_pattern_or_bumped_is_quiet() {
        let respelled = ADDONS.replace("path: addons/*", "path: ./addons/*");
        assert!(run(ADDONS, &respelled).is_empty());
        let more = ADDONS.replace(
            "      - path: addons/*\n",
            "      - path: addons/*\n      - path: extras/*\n",
        );
        assert!(run(ADDONS, &more).is_empty());
        assert!(run(
            ADDONS,
            &ADDONS.replace("revision: HEAD", "revision: v1.2.0")
        )
        .is_empty());
    }

    #[test]
    fn renaming_the_generated_applications_deletes_and_recreates_them() {
        let renamed = ADDONS.replace(
            "name: '{{.path.basename}}'",
            "name: 'addon-{{.path.basename}}'",
        );
        let f = run(ADDONS, &renamed);
        assert_eq!(ids(&f), ["kubernetes/cascade-owner-deleted"]);
        assert_eq!(f[0].location.line, Some(16));
        // The same pattern in the other template syntax renders the same names.
        let respelled =
            ADDONS.replace("name: '{{.path.basename}}'", "name: '{{ .path.basename }}'");
        assert!(run(ADDONS, &respelled).is_empty());
        // A list generator reports each element once, not the pattern again.
        let list = APPSET.replace("'{{.cluster}}-guestbook'", "'guestbook-{{.cluster}}'");
        assert_eq!(run(APPSET, &list).len(), 2);
    }

    #[test]
    fn dropping_a_policy_that_kept_generated_applications_is_prune_enabled() {
        for policy in [
            "preserveResourcesOnDeletion: true",
            "applicationsSync: create-update",
        ] {
            let kept = APPSET.replace(
                "  goTemplate: true\n",
                &format!("  goTemplate: true\n  syncPolicy:\n    {policy}\n"),
            );
            let f = run(&kept, APPSET);
            assert_eq!(ids(&f), ["kubernetes/prune-enabled"], "{policy}");
            let sync = kept.replace(policy, "applicationsSync: sync");
            assert_eq!(
                ids(&run(&kept, &sync)),
                ["kubernetes/prune-enabled"],
                "{policy}"
            );
            // Kept on both sides: quiet.
            assert!(run(&kept, &kept.replace("https://2.4.6.8", "https://2.4.6.9")).is_empty());
        }
    }

    #[test]
    fn a_pruning_template_pointed_elsewhere_moves_every_generated_application() {
        let pruning =
            format!("{ADDONS}      syncPolicy:\n        automated:\n          prune: true\n");
        let f = run(
            &pruning,
            &pruning.replace("namespace: '{{.path.basename}}'", "namespace: addons"),
        );
        assert_eq!(ids(&f), ["kubernetes/sync-source-changed"]);
        assert_eq!(f[0].location.line, Some(25));
        assert!(
            f[0].message.contains("generator parameters"),
            "{}",
            f[0].message
        );
        let repo = pruning.replace(
            "        repoURL: https://git.example.com/platform.git\n        targetRevision",
            "        repoURL: https://git.example.com/platform-v2.git\n        targetRevision",
        );
        assert_eq!(
            ids(&run(&pruning, &repo)),
            ["kubernetes/sync-source-changed"]
        );
        // A template that does not prune leaves what the old source declared in place.
        assert!(run(
            ADDONS,
            &ADDONS.replace("namespace: '{{.path.basename}}'", "namespace: addons")
        )
        .is_empty());
    }

    const CLUSTERS: &str = "\
apiVersion: argoproj.io/v1alpha1
kind: ApplicationSet
metadata:
  name: monitoring
  namespace: argocd
spec:
  generators:
  - clusters:
      selector:
        matchLabels:
          env: staging
  template:
    metadata:
      name: '{{name}}-monitoring'
    spec:
      project: default
      destination:
        server: '{{server}}'
        namespace: monitoring
";

    #[test]
    fn a_clusters_generator_requiring_another_label_deletes_the_unselected_applications() {
        let prod = CLUSTERS.replace("env: staging", "env: production");
        let f = run(CLUSTERS, &prod);
        assert_eq!(ids(&f), ["kubernetes/cascade-owner-deleted"]);
        assert!(f[0].message.contains("env: production"), "{}", f[0].message);
        assert_eq!(f[0].location.line, Some(10));
        let more = CLUSTERS.replace("env: staging\n", "env: staging\n          region: eu\n");
        assert_eq!(
            ids(&run(CLUSTERS, &more)),
            ["kubernetes/cascade-owner-deleted"]
        );
    }

    #[test]
    fn a_clusters_generator_dropping_a_label_or_reordering_them_is_quiet() {
        let two = CLUSTERS.replace("env: staging\n", "env: staging\n          region: eu\n");
        assert!(run(&two, CLUSTERS).is_empty());
        let swapped = CLUSTERS.replace("env: staging\n", "region: eu\n          env: staging\n");
        assert!(run(&two, &swapped).is_empty());
    }
}
