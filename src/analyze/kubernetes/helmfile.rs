//! helmfile: the releases a Helmfile declares (`helmfile.yaml`, `helmfile.yaml.gotmpl`,
//! `helmfile.d/*.yaml`), compared by name and namespace. Helmfile never uninstalls a release
//! that leaves the file; it uninstalls one marked `installed: false`, and upgrading a release
//! to another chart deletes whatever the old chart rendered that the new one does not.
//! Template actions are neutralised as in chart templates, so a templated value is known only
//! by its text, and a value that differs only in template text is not judged.

use super::template::{self, Comparison};
use crate::analyze::FileView;
use crate::change::{RepoPath, Side};
use crate::finding::{Finding, RuleId, Severity, Tag};
use crate::rules::Rule;
use crate::yaml::Node;

pub const RELEASE_UNINSTALLED: Rule = Rule {
    id: RuleId("kubernetes/helmfile-release-uninstalled"),
    severity: Severity::High,
    tags: &[Tag::Destructive, Tag::Infra],
    summary: "A Helmfile release is marked `installed: false` (uninstalled on the next `helmfile apply`), or switched to another chart.",
    why: "`installed: false` makes Helmfile run `helm uninstall`, deleting every object of the release, claims included unless the chart keeps them. Another chart under the same release name is an upgrade: whatever the old chart rendered and the new one does not is deleted. (A release removed from the file is left installed: Helmfile stops managing it, it does not delete it.)",
    example: "releases:\n  - name: postgres\n    chart: bitnami/postgresql\n+   installed: false",
    safer: "Back up the release's volumes and keep `installed: true` until the data is moved; switch charts by installing the new one under another name beside the old, migrating, then uninstalling the old in its own reviewed change.",
};

pub const RULES: &[&Rule] = &[&RELEASE_UNINSTALLED];

/// Whether `path` is a Helmfile: `helmfile.yaml` (or `.yml`, `.gotmpl`) anywhere, or a YAML
/// file of a `helmfile.d/` directory.
pub fn is_helmfile(path: &RepoPath) -> bool {
    let lower = path.as_str().to_ascii_lowercase();
    let name = lower.rsplit('/').next().unwrap_or("");
    let yaml = |n: &str| {
        [".yaml", ".yml", ".yaml.gotmpl", ".yml.gotmpl"]
            .iter()
            .any(|e| n.ends_with(e))
    };
    name.strip_prefix("helmfile")
        .is_some_and(|rest| yaml(rest) && rest.starts_with('.'))
        || lower.split('/').any(|d| d == "helmfile.d") && yaml(name)
}

/// One release as the file declares it.
struct Release<'a> {
    key: (String, String),
    node: &'a Node,
}

fn releases(documents: &[Node]) -> Vec<Release<'_>> {
    let mut out = Vec::new();
    for doc in documents {
        for node in doc.get("releases").map(Node::as_seq).unwrap_or(&[]) {
            let text = |k: &str| node.get(k).and_then(Node::as_str).unwrap_or("").to_owned();
            let name = text("name");
            if !name.is_empty() {
                out.push(Release {
                    key: (name, text("namespace")),
                    node,
                });
            }
        }
    }
    out
}

pub fn analyze(view: &FileView) -> Vec<Finding> {
    let read = |text: Option<&str>| {
        text.and_then(|t| {
            crate::yaml::parse_documents_with_repeated_keys(&template::neutralised_text(t)).ok()
        })
    };
    // A side that does not read as YAML even with its actions neutralised is a template
    // twokey cannot follow; the files analyzer reports a deleted Helmfile.
    let (Some(base), Some(head)) = (read(view.old_text()), read(view.new_text())) else {
        return Vec::new();
    };
    let before = releases(&base);
    let mut out = Vec::new();
    for new in releases(&head) {
        let Some(old) = before.iter().find(|r| r.key == new.key) else {
            continue;
        };
        let name = &new.key.0;
        if uninstalled(new.node) && !uninstalled(old.node) {
            let at = new.node.get("installed").unwrap_or(new.node);
            out.push(Finding::new(
                &RELEASE_UNINSTALLED,
                view.at(Side::Head, at.line, at.line),
                format!("Release `{name}` is marked `installed: false`: the next `helmfile apply` uninstalls it, deleting every object of its chart, persistent volume claims included unless the chart keeps them."),
            ));
        }
        if let (Some(was), Some(now)) = (old.node.get("chart"), new.node.get("chart")) {
            let name_of = |chart: &str| chart.trim().rsplit('/').next().unwrap_or("").to_owned();
            let known = template::compare(was, now) != Comparison::Unknown;
            if let (true, Some(a), Some(b)) = (known, was.as_str(), now.as_str()) {
                if name_of(a) == name_of(b) {
                    if let (Some(v_was), Some(v_now)) =
                        (old.node.get("version"), new.node.get("version"))
                    {
                        let owner = format!("Release `{name}`");
                        super::chart_bumps::judge(view, &owner, b, v_was, v_now, &mut out);
                    }
                } else {
                    out.push(
                        Finding::new(
                            &RELEASE_UNINSTALLED,
                            view.at(Side::Head, now.line, now.line),
                            format!("Release `{name}` switches from chart `{a}` to `{b}`: Helm upgrades it to the new chart and deletes every object of the old one that the new one does not render under the same name (StatefulSets and claims included)."),
                        ),
                    );
                }
            }
        }
    }
    out
}

/// `installed: false` written as a literal (a templated value is not known to be false).
fn uninstalled(node: &Node) -> bool {
    node.get("installed")
        .and_then(Node::as_str)
        .is_some_and(|v| v.trim() == "false")
}

#[cfg(test)]
mod tests {
    use super::is_helmfile;
    use crate::analyze::analyze_file;
    use crate::analyze::files::testkit::{ids, Case};
    use crate::change::RepoPath;
    use crate::finding::{Finding, Severity};

    const HELMFILE: &str = "\
repositories:
  - name: bitnami
    url: https://charts.bitnami.com/bitnami
---
releases:
  - name: postgres
    namespace: db
    chart: bitnami/postgresql
    version: 15.5.0
    values:
      - values/postgres.yaml.gotmpl
  - name: web
    namespace: {{ .Environment.Name }}
    chart: ./charts/web
    set:
      - name: image.tag
        value: {{ requiredEnv \"TAG\" }}
";

    fn run(base: &str, head: &str) -> Vec<Finding> {
        Case::modified("helmfile.yaml.gotmpl", base, head).run(analyze_file)
    }

    #[test]
    fn a_helmfile_is_told_by_its_name() {
        for path in [
            "helmfile.yaml",
            "deploy/helmfile.yml",
            "helmfile.yaml.gotmpl",
            "helmfile.d/00-databases.yaml",
            "ops/helmfile.d/web.yaml.gotmpl",
        ] {
            assert!(is_helmfile(&RepoPath::new(path)), "{path}");
            assert_eq!(
                crate::analyze::classify::classify(&RepoPath::new(path), Some(HELMFILE)),
                crate::analyze::FileKind::Helm,
                "{path}"
            );
        }
        for path in [
            "helmfiles.md",
            "helmfile.d/README.md",
            "charts/helmfile/values.yaml",
        ] {
            assert!(!is_helmfile(&RepoPath::new(path)), "{path}");
        }
    }

    #[test]
    fn a_release_marked_not_installed_is_uninstalled() {
        let head = HELMFILE.replace(
            "    version: 15.5.0\n",
            "    version: 15.5.0\n    installed: false\n",
        );
        let f = run(HELMFILE, &head);
        assert_eq!(ids(&f), ["kubernetes/helmfile-release-uninstalled"]);
        assert_eq!(f[0].severity, Severity::High);
        assert_eq!(f[0].location.line, Some(10));
        assert!(f[0].message.contains("`postgres`"), "{}", f[0].message);
        // Already not installed, templated, or removed from the file: nothing newly deleted.
        assert!(run(&head, &head.replace("15.5.0", "15.6.0")).is_empty());
        let templated = HELMFILE.replace(
            "    version: 15.5.0\n",
            "    version: 15.5.0\n    installed: {{ .Values.pg.enabled }}\n",
        );
        assert!(run(HELMFILE, &templated).is_empty());
        let start = HELMFILE.find("  - name: postgres").unwrap_or(0);
        let end = HELMFILE.find("  - name: web").unwrap_or(HELMFILE.len());
        let removed = format!("{}{}", &HELMFILE[..start], &HELMFILE[end..]);
        assert!(run(HELMFILE, &removed).is_empty());
    }

    #[test]
    fn a_release_moved_to_another_major_of_a_database_chart_is_a_prompt() {
        let f = run(HELMFILE, &HELMFILE.replace("15.5.0", "16.0.0"));
        assert_eq!(ids(&f), ["kubernetes/helm-chart-major-bump"]);
        assert!(
            f[0].message.contains(
                "Release `postgres` moves chart `bitnami/postgresql` from 15.5.0 to 16.0.0"
            ),
            "{}",
            f[0].message
        );
        assert!(!f[0].tags.contains(&crate::finding::Tag::Destructive));
    }

    #[test]
    fn a_release_switched_to_another_chart_is_reported_but_not_a_version_bump() {
        let f = run(
            HELMFILE,
            &HELMFILE.replace("bitnami/postgresql", "cnpg/cluster"),
        );
        assert_eq!(ids(&f), ["kubernetes/helmfile-release-uninstalled"]);
        assert!(
            f[0].message
                .contains("from chart `bitnami/postgresql` to `cnpg/cluster`"),
            "{}",
            f[0].message
        );
        // Same chart from another repository or path, a version bump, routine values.
        for quiet in [
            HELMFILE.replace(
                "bitnami/postgresql",
                "oci://registry-1.docker.io/bitnamicharts/postgresql",
            ),
            HELMFILE.replace("15.5.0", "15.6.1"),
            HELMFILE.replace("image.tag", "image.pullPolicy"),
        ] {
            assert!(run(HELMFILE, &quiet).is_empty(), "{quiet}");
        }
    }
}
