//! appset: an Argo CD ApplicationSet's list generators. Each element of a `list` generator
//! stands for one generated Application; dropping it has the ApplicationSet delete that
//! Application and, through the resources finalizer it puts on what it generates, everything
//! the Application deployed. Elements are told apart by the Application name the template
//! gives them, so editing an element's other parameters (a URL, a revision) is not a drop.

use super::{ObjectId, CASCADE_OWNER_DELETED};
use crate::analyze::FileView;
use crate::change::Side;
use crate::finding::Finding;
use crate::yaml::{Node, Value};

/// Findings for an ApplicationSet present on both sides.
pub(super) fn compare(
    view: &FileView,
    id: &ObjectId,
    old: &Node,
    new: &Node,
    out: &mut Vec<Finding>,
) {
    if !id.is("argoproj.io", "ApplicationSet") || keeps_applications(new) {
        return;
    }
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
}
