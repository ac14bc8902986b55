//! inline_values: Helm values written inside a GitOps object (a Flux HelmRelease's
//! `spec.values`, an Argo CD Application's `helm.valuesObject` or `helm.values` text) are a
//! values file by another name: switching off a bundled database there deletes it on the next
//! reconcile, as it would in `values.yaml`.

use super::{packaging, ObjectId};
use crate::analyze::FileView;
use crate::finding::Finding;
use crate::yaml::{self, Node, Value};

/// Findings for the inline values of an object present on both sides.
pub(super) fn compare(
    view: &FileView,
    id: &ObjectId,
    old: &Node,
    new: &Node,
    out: &mut Vec<Finding>,
) {
    let (before, after) = (values_of(id, old), values_of(id, new));
    // Paired by where they sit (which source, which field); a source added or dropped is the
    // sync-source check's business.
    for (slot, base) in &before {
        let Some((_, head)) = after.iter().find(|(s, _)| s == slot) else {
            continue;
        };
        for mut finding in packaging::helm_values(view, base, head) {
            finding.message = format!("{id}, in its inline Helm values: {}", finding.message);
            out.push(finding);
        }
    }
}

/// Where a set of inline values sits: the source's position and the field.
type Slot = (usize, &'static str);

/// The inline values of a HelmRelease, or of each Helm source of an Argo CD Application.
fn values_of(id: &ObjectId, node: &Node) -> Vec<(Slot, Node)> {
    if id.is("helm.toolkit.fluxcd.io", "HelmRelease") {
        let values = node.path(&["spec", "values"]).cloned();
        return values.map(|v| ((0, "values"), v)).into_iter().collect();
    }
    if !id.is("argoproj.io", "Application") {
        return Vec::new();
    }
    let single = node.path(&["spec", "source"]).into_iter();
    let many = node
        .path(&["spec", "sources"])
        .map(Node::as_seq)
        .unwrap_or(&[])
        .iter();
    let mut out = Vec::new();
    for (at, helm) in single.chain(many).enumerate() {
        let Some(helm) = helm.get("helm") else {
            continue;
        };
        if let Some(object) = helm.get("valuesObject") {
            out.push(((at, "valuesObject"), object.clone()));
        }
        let text = helm.get("values");
        let parsed = text
            .and_then(Node::as_str)
            .and_then(|t| yaml::parse_documents(t).ok())
            .and_then(|docs| docs.into_iter().next());
        if let (Some(text), Some(parsed)) = (text, parsed) {
            // A block scalar's text starts on the scalar's line.
            out.push(((at, "values"), shifted(parsed, text.line.saturating_sub(1))));
        }
    }
    out
}

/// `node` with its lines moved down by `by`, from lines in a string to lines in the file.
fn shifted(node: Node, by: u32) -> Node {
    let value = match node.value {
        Value::Seq(items) => Value::Seq(items.into_iter().map(|n| shifted(n, by)).collect()),
        Value::Map(entries) => Value::Map(
            entries
                .into_iter()
                .map(|(k, v)| (k, shifted(v, by)))
                .collect(),
        ),
        Value::Tagged(tag, inner) => Value::Tagged(tag, Box::new(shifted(*inner, by))),
        other => other,
    };
    Node {
        line: node.line.saturating_add(by),
        end_line: node.end_line.saturating_add(by),
        value,
    }
}

#[cfg(test)]
mod tests {
    use super::super::analyze;
    use crate::analyze::files::testkit::{ids, Case};
    use crate::change::Side;
    use crate::finding::{Finding, Severity};

    const RELEASE: &str = "\
apiVersion: helm.toolkit.fluxcd.io/v2
kind: HelmRelease
metadata:
  name: shop
  namespace: shop
spec:
  chart:
    spec: {chart: shop, sourceRef: {kind: HelmRepository, name: acme}}
  values:
    replicaCount: 2
    postgresql:
      enabled: true
";

    const APP: &str = "\
apiVersion: argoproj.io/v1alpha1
kind: Application
metadata:
  name: shop
  namespace: argocd
spec:
  source:
    repoURL: https://charts.example.com
    chart: shop
    helm:
      valuesObject:
        redis:
          enabled: true
      values: |
        persistence:
          enabled: true
";

    fn run(path: &str, base: &str, head: &str) -> Vec<Finding> {
        Case::modified(path, base, head).run(analyze)
    }

    #[test]
    fn a_helm_release_switching_off_its_database_inline_is_critical() {
        let head = RELEASE.replace("enabled: true", "enabled: false");
        let f = run("apps/shop/release.yaml", RELEASE, &head);
        assert_eq!(ids(&f), ["kubernetes/helm-stateful-disabled"]);
        assert_eq!(f[0].severity, Severity::Critical);
        assert_eq!(
            (f[0].location.side, f[0].location.line),
            (Side::Head, Some(12))
        );
        assert!(
            f[0].message.starts_with("HelmRelease shop/shop"),
            "{}",
            f[0].message
        );
    }

    #[test]
    fn an_application_switching_off_values_in_either_form_is_reported_at_the_file_line() {
        let head = APP.replace("enabled: true", "enabled: false");
        let f = run("argocd/shop.yaml", APP, &head);
        assert_eq!(
            ids(&f),
            [
                "kubernetes/helm-stateful-disabled",
                "kubernetes/helm-stateful-disabled"
            ]
        );
        let lines: Vec<_> = f.iter().map(|x| x.location.line).collect();
        assert_eq!(lines, [Some(13), Some(16)]);
    }

    #[test]
    fn bumping_other_inline_values_is_quiet() {
        let head = RELEASE.replace("replicaCount: 2", "replicaCount: 3");
        assert!(run("apps/shop/release.yaml", RELEASE, &head).is_empty());
        let head = APP.replace(
            "      values: |\n",
            "      values: |\n        image: {tag: v2}\n",
        );
        assert!(run("argocd/shop.yaml", APP, &head).is_empty());
    }
}
