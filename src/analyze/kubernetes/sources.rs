//! sources: where a GitOps owner (an Argo CD Application, a Flux Kustomization) takes its
//! manifests from, compared the way the tools resolve it: `./apps/web/` is `apps/web`, a
//! repository URL with or without `.git` is the same repository, and an Argo CD
//! Application's single `source` is the same as a `sources` list holding it.

use crate::analyze::FileView;
use crate::change::Side;
use crate::yaml::Node;

/// A value as the tools read it: `./apps/web/` and `apps/web`, `…/deploy.git` and `…/deploy`.
pub(super) fn normalized(value: &str) -> &str {
    let value = value.trim();
    let value = value.strip_prefix("./").unwrap_or(value);
    let value = value.trim_end_matches('/');
    value.strip_suffix(".git").unwrap_or(value)
}

/// Whether two values of a source field point at the same place.
pub(super) fn same_place(a: &Node, b: &Node) -> bool {
    match (a.as_str(), b.as_str()) {
        (Some(a), Some(b)) => normalized(a) == normalized(b),
        _ => a.same_value(b),
    }
}

/// Whether the change moves directory `from` to `to` of this repository: `from` held files at
/// base and none at head, `to` held none at base and at head holds files of the same names.
/// Only the top level is listed (four listings, asked only when a source path changes); a
/// directory with no files of its own is not known to have moved.
pub(super) fn moved_directory(view: &FileView, from: &str, to: &str) -> bool {
    let (from, to) = (normalized(from), normalized(to));
    if from.is_empty() || to.is_empty() || from == to {
        return false;
    }
    let names = |side: Side, dir: &str| -> Vec<String> {
        let mut names: Vec<String> = view
            .snapshot
            .list_dir(side, dir)
            .iter()
            .filter_map(|p| p.as_str().rsplit('/').next().map(str::to_owned))
            .collect();
        names.sort();
        names
    };
    let was = names(Side::Base, from);
    !was.is_empty()
        && names(Side::Head, from).is_empty()
        && names(Side::Base, to).is_empty()
        && names(Side::Head, to) == was
}

/// The sources of an Argo CD Application that render manifests, as `repository path-or-chart`
/// (`spec.source` and every `spec.sources` entry with a `path` or a `chart`; a `ref`-only
/// entry only lends value files).
pub(super) fn argo_sources(app: &Node) -> Vec<String> {
    let single = app.path(&["spec", "source"]).into_iter();
    let many = app
        .path(&["spec", "sources"])
        .map(Node::as_seq)
        .unwrap_or(&[])
        .iter();
    single
        .chain(many)
        .filter_map(|node| {
            let field = |key: &str| node.get(key).and_then(Node::as_str).map(normalized);
            let (path, chart) = (field("path"), field("chart"));
            if path.is_none() && chart.is_none() {
                return None;
            }
            let identity = format!(
                "{} {}",
                field("repoURL").unwrap_or(""),
                path.or(chart).unwrap_or("")
            );
            Some(identity.trim().to_owned())
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::yaml::parse_documents;

    #[test]
    fn respellings_of_a_path_or_repository_are_the_same_place() {
        assert_eq!(normalized("./apps/production/"), "apps/production");
        assert_eq!(
            normalized("https://github.com/acme/deploy.git"),
            normalized("https://github.com/acme/deploy")
        );
        assert_ne!(normalized("apps/prod"), normalized("apps/production"));
    }

    #[test]
    fn ref_only_sources_render_nothing() {
        let app = parse_documents("spec:\n  sources:\n    - repoURL: https://charts.example.com\n      chart: prometheus\n    - repoURL: https://git.example.com/values.git\n      ref: values\n").unwrap_or_default();
        let sources = argo_sources(&app[0]);
        assert_eq!(sources.len(), 1);
        assert_eq!(sources[0], "https://charts.example.com prometheus");
    }
}
