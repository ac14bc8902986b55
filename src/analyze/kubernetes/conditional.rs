//! conditional: chart template objects that a change makes depend on a value. Helm deletes
//! whatever a release no longer renders, so an object the chart always rendered and now
//! renders only inside an `if`, `with` or `range` is deleted by the first `helm upgrade` whose
//! values make that block render nothing. Decided from the template's block structure on
//! each side (never from which lines the diff touched). An object new at head is out of
//! scope. An object already inside a block at base is reported only when it is one whose
//! deletion cascades (a claim, a volume, a StatefulSet, a Namespace, a CRD) and the condition
//! of its innermost block now reads differently: medium, since the new condition may still
//! evaluate the same. Conditions are compared as tests, not as text: trim markers and
//! spacing do not count, and neither does `if` becoming `with` (or back) over the same
//! pipeline, since text/template renders both exactly when the pipeline is not empty.

use super::template::{self, Branch};
use super::ObjectId;
use crate::analyze::{FileKind, FileView};
use crate::change::Side;
use crate::finding::{Finding, RuleId, Severity, Tag};
use crate::rules::Rule;
use crate::yaml::Node;

pub const MADE_CONDITIONAL: Rule = Rule {
    id: RuleId("kubernetes/helm-object-made-conditional"),
    severity: Severity::High,
    tags: &[Tag::Destructive, Tag::Infra],
    summary: "A chart template newly wraps an object it always rendered in `{{ if }}`, `{{ with }}` or `{{ range }}`.",
    why: "Helm deletes every object of a release that the new revision no longer renders: once the condition goes false (a values override, a values file without the key, a default changed later), `helm upgrade` deletes the object, and a claim takes its volume with it, a Namespace everything in it, a CRD every resource of its type. Argo CD and Flux prune the same way when they render the chart.",
    example: "+{{- if .Values.persistence.enabled }}\n apiVersion: v1\n kind: PersistentVolumeClaim\n metadata: {name: data}\n+{{- end }}",
    safer: "Default the value so the object stays rendered, or annotate the object `helm.sh/resource-policy: keep` so Helm leaves it in place when it stops rendering it; for a PersistentVolumeClaim keep the claim itself unconditional, and if the workload must be able to use another volume, add an `existingClaim` value that points it there rather than a switch that stops rendering this claim.",
};

pub const RULES: &[&Rule] = &[&MADE_CONDITIONAL];

/// Objects of a chart template that rendered unconditionally at base and now sit inside a
/// block at head, and objects whose deletion cascades that sit inside a block on both sides
/// whose condition changed.
pub fn analyze(view: &FileView) -> Vec<Finding> {
    let Some(head) = Template::read(view, Side::Head) else {
        return Vec::new();
    };
    // Without blocks at head only an object leaving a `with` or `range` can change, which
    // needs one at base.
    let base_rebinds = view
        .old_text()
        .is_some_and(|t| t.contains("with") || t.contains("range"));
    if head.branches.is_empty() && !base_rebinds {
        return Vec::new();
    }
    let Some(base) = Template::read(view, Side::Base) else {
        return Vec::new();
    };
    let base_objects = super::objects(&base.docs);
    let mut findings = Vec::new();
    for (id, node) in super::objects(&head.docs) {
        // A new object is out of scope: nothing is in the cluster to delete yet.
        if !base_objects.contains_key(&id) {
            continue;
        }
        let guards = head.guards(&id);
        // Most names read no field of `.`: their blocks at base are not even looked up.
        if reads_dot(&id.name) {
            findings.extend(name_rebound(
                view,
                &id,
                node,
                base.guards(&id).as_deref(),
                guards.as_deref(),
            ));
        }
        let Some(guards) = guards else {
            continue;
        };
        match base.guards(&id) {
            None => findings.extend(finding(view, &id, node, &guards)),
            Some(was) => findings.extend(condition_changed(view, &id, node, &was, &guards)),
        }
    }
    // File order: the objects under one new block share its line and end one after another.
    findings.sort_by_key(|f| (f.location.line, f.location.end_line));
    findings
}

/// One side of a chart template: its objects, where each of their declarations lies, and
/// its blocks.
struct Template {
    docs: std::sync::Arc<Vec<Node>>,
    spans: Vec<(ObjectId, u32, u32)>,
    branches: Vec<Branch>,
}

impl Template {
    /// `None` when the side is a chart template twokey cannot read as YAML; an absent side
    /// is an empty template.
    fn read(view: &FileView, side: Side) -> Option<Template> {
        if view.kind != FileKind::Helm || !template::is_chart_template(view.path_on(side)) {
            return None;
        }
        let docs = super::side_documents(view, side, &mut Vec::new())?;
        let spans = super::declarations(&docs)
            .into_iter()
            .map(|(id, node)| (id, node.line, node.end_line))
            .collect();
        let text = match side {
            Side::Base => view.old_text(),
            Side::Head => view.new_text(),
        };
        Some(Template {
            spans,
            docs,
            branches: text.map(template::branches).unwrap_or_default(),
        })
    }

    /// The branches that decide whether the object renders, outermost first; `None` when it
    /// renders whatever the values say. An object declared in every branch of a block that
    /// ends in a plain `else` (one variant per API version, say) renders whichever way that
    /// block goes, so such a block does not count.
    fn guards(&self, id: &ObjectId) -> Option<Vec<&Branch>> {
        let spans: Vec<(u32, u32)> = self
            .spans
            .iter()
            .filter(|(d, _, _)| d == id)
            .map(|(_, line, end)| (*line, *end))
            .collect();
        let covered = |block: usize| {
            let mut in_block = self.branches.iter().filter(|b| b.block == block).peekable();
            in_block.peek().is_some_and(|b| b.exhaustive)
                && in_block.all(|b| spans.iter().any(|&(line, end)| b.encloses(line, end)))
        };
        let mut first_guarded = None;
        for &(line, end) in &spans {
            let mut guards: Vec<&Branch> = self
                .branches
                .iter()
                .filter(|b| b.encloses(line, end) && !covered(b.block))
                .collect();
            if guards.is_empty() {
                return None;
            }
            guards.sort_by_key(|b| b.opens);
            first_guarded.get_or_insert(guards);
        }
        first_guarded
    }
}

fn finding(view: &FileView, id: &ObjectId, node: &Node, guards: &[&Branch]) -> Option<Finding> {
    let outer = guards.first()?;
    let inside: Vec<String> = guards
        .iter()
        .map(|b| format!("`{{{{ {} }}}}` (line {})", b.action, b.opens))
        .collect();
    let when: Vec<String> = guards
        .iter()
        .flat_map(|b| b.tests.iter().map(template::Test::failure))
        .collect();
    let mut message = format!(
        "{id} is now rendered only inside {}: when {}, `helm upgrade` stops rendering it and deletes it from the cluster",
        inside.join(" and "),
        when.join(" or ")
    );
    let at = view.at(Side::Head, outer.opens, node.end_line);
    let mut finding = match super::cascading_loss(id, node) {
        Some((_, consequence)) => {
            message.push_str(&format!("; {consequence}."));
            Finding::new(&MADE_CONDITIONAL, at, message)
        }
        None => {
            message.push('.');
            let severity = super::deletion_severity(id, node).min(Severity::Medium);
            let finding = Finding::new(&MADE_CONDITIONAL, at, message).with_severity(severity);
            if severity == Severity::Low {
                // A Job or a bare Pod: run once and done, as when its manifest is removed.
                super::without_destructive(finding)
            } else {
                finding
            }
        }
    };
    if let Some(mark) = super::prune_protection(node) {
        finding = finding.with_severity(Severity::Low);
        finding.message.push_str(&format!(
            " It declares `{mark}`, so it is left in the cluster, unmanaged, instead of deleted."
        ));
    } else if let Some(kept) = super::managed::external(id, node).and_then(|e| e.kept_by) {
        finding = super::without_destructive(finding.with_severity(Severity::Low));
        finding.message.push_str(&format!(
            " With `{kept}` what it manages outside the cluster is left running."
        ));
    }
    Some(finding.with_subject(id.subject()))
}

/// What decides whether a branch renders, spelled one way: each test's pipeline with its
/// actions' spacing canonical, which way it must go, and whether it iterates. `if` and `with`
/// render their branch on the same truth test, so they compare equal; `range` renders it once
/// per item.
fn condition(branch: &Branch) -> Vec<(bool, String, bool)> {
    branch
        .tests
        .iter()
        .map(|t| {
            (
                t.keyword == template::Keyword::Range,
                template::canonical_body(&t.pipeline),
                t.holds,
            )
        })
        .collect()
}

/// A branch's opening action as a reviewer finds it, with the `if` an `else` belongs to.
fn spelled(branch: &Branch) -> String {
    let action = format!(
        "`{{{{ {} }}}}` (line {})",
        template::canonical_body(&branch.action),
        branch.opens
    );
    match branch.tests.first() {
        Some(first) if branch.index > 0 => format!(
            "{action} after `{{{{ {} {} }}}}`",
            first.keyword.word(),
            template::canonical_body(&first.pipeline)
        ),
        _ => action,
    }
}

/// What `.` holds where an object is declared: the pipeline of the innermost `with` or
/// `range` branch around it (its `else` keeps the outer `.`), or `None` for the chart's root.
fn dot(guards: Option<&[&Branch]>) -> Option<String> {
    guards?.iter().rev().find_map(|b| {
        let test = b.tests.first().filter(|_| b.index == 0)?;
        (test.keyword != template::Keyword::If).then(|| {
            format!(
                "`{{{{ {} }}}}` (line {})",
                template::canonical_body(&b.action),
                b.opens
            )
        })
    })
}

/// Whether a templated name reads a field of `.` that a `with` or `range` may hold (`.name`,
/// `.prefix`), not through `$`. Helm's built-in objects (`.Values`, `.Release`, ...) and a
/// bare `.` handed to a helper are left out: under a rebound `.` they fail to render, so
/// `helm upgrade` stops with an error instead of renaming anything.
fn reads_dot(name: &str) -> bool {
    const BUILT_IN: &[&str] = &[
        "Values",
        "Release",
        "Chart",
        "Capabilities",
        "Template",
        "Files",
        "Subcharts",
    ];
    let field = |token: &str| {
        let Some(path) = token.strip_prefix('.') else {
            return false;
        };
        let first = path.split('.').next().unwrap_or("");
        !first.is_empty() && !BUILT_IN.contains(&first)
    };
    let mut rest = name;
    while let Some(start) = rest.find("{{") {
        let after = &rest[start + 2..];
        let end = after.find("}}").unwrap_or(after.len());
        let reads = after[..end]
            .split(|c: char| c.is_whitespace() || matches!(c, '(' | ')' | '|' | ','))
            .any(field);
        if reads {
            return true;
        }
        rest = &after[end..];
    }
    false
}

/// An object whose templated name reads `.` and which now sits under another `with` or
/// `range` (or leaves one, or enters one where an `if` tested the same thing): the same
/// text renders from another value, so the name may change, and Kubernetes has no rename.
/// Ranked one step lower than a rename, since the values decide whether it renders the same.
fn name_rebound(
    view: &FileView,
    id: &ObjectId,
    node: &Node,
    was: Option<&[&Branch]>,
    now: Option<&[&Branch]>,
) -> Option<Finding> {
    let (before, after) = (dot(was), dot(now));
    let same = |a: &Option<String>, b: &Option<String>| {
        // Compared without the line, which moves with any edit above.
        let strip = |d: &Option<String>| {
            d.as_deref()
                .map(|d| d.rsplit_once(" (line ").map_or(d, |(t, _)| t).to_owned())
        };
        strip(a) == strip(b)
    };
    if same(&before, &after) {
        return None;
    }
    let root = "the chart's root context".to_owned();
    let how = format!(
        "has its name `{}` read from `.`, which is now set by {} instead of {}",
        id.name,
        after.as_deref().unwrap_or(&root),
        before.as_deref().unwrap_or(&root)
    );
    let line = now
        .and_then(|g| g.last())
        .map_or(node.line, |b| b.opens.min(node.line));
    let at = view.at(Side::Head, line, node.end_line);
    let finding = super::departure_finding(id, node, at, &how, true, None);
    let severity = finding.severity.lowered();
    let mut finding = finding.with_severity(severity).with_subject(id.subject());
    finding.message.push_str(" If the name renders differently, Helm deletes the old object and creates one under the new name; compare `helm template` output before and after, or refer to the root context with `$` (`$.Release.Name`, `include \"x\" $`).");
    Some(finding)
}

/// An object conditional on both sides whose innermost condition reads differently at head,
/// when deleting it deletes data or everything in it; Helm's `keep` leaves it in place, so
/// such an object is quiet.
fn condition_changed(
    view: &FileView,
    id: &ObjectId,
    node: &Node,
    was: &[&Branch],
    guards: &[&Branch],
) -> Option<Finding> {
    let (old, new) = (was.last()?, guards.last()?);
    if condition(old) == condition(new) || super::prune_protection(node).is_some() {
        return None;
    }
    let (_, consequence) = super::cascading_loss(id, node)?;
    let message = format!(
        "{id} was rendered only inside {} and is now rendered only inside {}: the new condition may evaluate the same, but wherever it is false and the old one was true, `helm upgrade` stops rendering it and deletes it from the cluster; {consequence}.",
        spelled(old),
        spelled(new)
    );
    let at = view.at(Side::Head, new.opens, node.end_line);
    Some(
        Finding::new(&MADE_CONDITIONAL, at, message)
            .with_severity(Severity::Medium)
            .with_safer("Keep the old condition's meaning (test what it tested, and add any new switch so that it defaults to rendering the object), or first annotate the object `helm.sh/resource-policy: keep` so Helm leaves it in place if it stops rendering it.")
            .with_subject(id.subject()),
    )
}

#[cfg(test)]
mod tests {
    use super::super::super::files::testkit::{ids, Case};
    use super::*;

    const PATH: &str = "charts/app/templates/pvc.yaml";

    fn run(base: &str, head: &str) -> Vec<Finding> {
        Case::modified(PATH, base, head)
            .with_kind(FileKind::Helm)
            .run(analyze)
    }

    fn wrapped(action: &str, body: &str) -> String {
        format!("{{{{- {action} }}}}\n{body}{{{{- end }}}}\n")
    }

    const CLAIM: &str = "apiVersion: v1\nkind: PersistentVolumeClaim\nmetadata:\n  name: {{ include \"app.fullname\" . }}-data\n  labels:\n    {{- include \"app.labels\" . | nindent 4 }}\nspec:\n  accessModes: [ReadWriteOnce]\n  resources:\n    requests:\n      storage: {{ .Values.persistence.size }}\n";

    const CONFIG: &str = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: app-config\ndata:\n  LOG_LEVEL: info\n";

    #[test]
    fn a_claim_newly_wrapped_in_persistence_enabled_is_high_and_names_the_condition() {
        let head = wrapped("if .Values.persistence.enabled", CLAIM);
        let f = run(CLAIM, &head);
        assert_eq!(ids(&f), ["kubernetes/helm-object-made-conditional"]);
        assert_eq!(f[0].severity, Severity::High);
        assert_eq!(f[0].tags, [Tag::Destructive, Tag::Infra]);
        assert_eq!(
            (
                f[0].location.side,
                f[0].location.line,
                f[0].location.end_line
            ),
            (Side::Head, Some(1), Some(12))
        );
        let m = &f[0].message;
        for says in [
            "PersistentVolumeClaim {{ include \"app.fullname\" . }}-data",
            "`{{ if .Values.persistence.enabled }}` (line 1)",
            "when `.Values.persistence.enabled` evaluates false, `helm upgrade` stops rendering it and deletes it",
            "releases its volume",
        ] {
            assert!(m.contains(says), "{says}: {m}");
        }
        let safer = f[0].safer.as_deref().unwrap_or("");
        assert!(safer.contains("helm.sh/resource-policy: keep") && safer.contains("existingClaim"));
        assert_eq!(
            f[0].subject.as_deref(),
            Some("PersistentVolumeClaim/{{ include \"app.fullname\" . }}-data")
        );
    }

    #[test]
    fn a_whole_template_newly_guarded_reports_each_object_by_what_it_takes_with_it() {
        let ns = "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: shop\n";
        let web = "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\n  namespace: shop\nspec:\n  replicas: 2\n";
        let base = format!("{ns}---\n{web}---\n{CONFIG}");
        let head = wrapped("if .Values.shop.enabled", &base);
        let f = run(&base, &head);
        let got: Vec<(&str, Severity)> = f
            .iter()
            .map(|x| (x.subject.as_deref().unwrap_or(""), x.severity))
            .collect();
        assert_eq!(
            got,
            [
                ("Namespace/shop", Severity::High),
                ("shop/Deployment/web", Severity::Medium),
                ("ConfigMap/app-config", Severity::Medium),
            ]
        );
        assert!(
            f[0].message.contains("every object in it"),
            "{}",
            f[0].message
        );
        assert!(f.iter().all(|x| x.location.line == Some(1)));
    }

    #[test]
    fn an_object_newly_in_with_range_or_else_says_what_stops_it_rendering() {
        let cases = [
            ("with .Values.config", "`.Values.config` is empty"),
            (
                "range $k, $v := .Values.extraConfigs",
                "`.Values.extraConfigs` is empty",
            ),
        ];
        for (action, says) in cases {
            let f = run(CONFIG, &wrapped(action, CONFIG));
            assert_eq!(
                ids(&f),
                ["kubernetes/helm-object-made-conditional"],
                "{action}"
            );
            assert!(f[0].message.contains(says), "{action}: {}", f[0].message);
        }
        let otherwise = format!("{{{{- if .Values.persistence.existingClaim }}}}\n{{{{- else }}}}\n{CLAIM}{{{{- end }}}}\n");
        let f = run(CLAIM, &otherwise);
        assert_eq!(f[0].location.line, Some(2));
        assert!(
            f[0].message
                .contains("when `.Values.persistence.existingClaim` evaluates true"),
            "{}",
            f[0].message
        );
    }

    #[test]
    fn nested_new_blocks_are_all_named() {
        let head = format!(
            "{{{{- if .Values.a }}}}\n{}{{{{- end }}}}\n",
            wrapped("with .Values.b", CONFIG)
        );
        let f = run(CONFIG, &head);
        assert!(
            f[0].message
                .contains("`{{ if .Values.a }}` (line 1) and `{{ with .Values.b }}` (line 2)")
                && f[0]
                    .message
                    .contains("when `.Values.a` evaluates false or `.Values.b` is empty"),
            "{}",
            f[0].message
        );
    }

    #[test]
    fn a_claim_whose_condition_changes_is_medium_and_names_both_conditions() {
        let base = wrapped("if .Values.persistence.enabled", CLAIM);
        let head = wrapped(
            "if and .Values.persistence.enabled (not .Values.persistence.existingClaim)",
            CLAIM,
        );
        let f = run(&base, &head);
        assert_eq!(ids(&f), ["kubernetes/helm-object-made-conditional"]);
        assert_eq!(f[0].severity, Severity::Medium);
        assert_eq!(f[0].tags, [Tag::Destructive, Tag::Infra]);
        assert_eq!(
            (f[0].location.side, f[0].location.line),
            (Side::Head, Some(1))
        );
        let m = &f[0].message;
        for says in [
            "PersistentVolumeClaim {{ include \"app.fullname\" . }}-data was rendered only inside `{{ if .Values.persistence.enabled }}` (line 1)",
            "now rendered only inside `{{ if and .Values.persistence.enabled (not .Values.persistence.existingClaim) }}` (line 1)",
            "may evaluate the same",
            "wherever it is false and the old one was true, `helm upgrade` stops rendering it and deletes it",
            "releases its volume",
        ] {
            assert!(m.contains(says), "{says}: {m}");
        }
        let safer = f[0].safer.as_deref().unwrap_or("");
        assert!(
            safer.contains("old condition's meaning")
                && safer.contains("helm.sh/resource-policy: keep"),
            "{safer}"
        );
    }

    #[test]
    fn a_changed_else_branch_names_the_if_it_follows() {
        let base = format!("{{{{- if .Values.persistence.existingClaim }}}}\n{{{{- else }}}}\n{CLAIM}{{{{- end }}}}\n");
        let head = base.replace(".Values.persistence.existingClaim", ".Values.claim");
        let f = run(&base, &head);
        assert_eq!(ids(&f), ["kubernetes/helm-object-made-conditional"]);
        assert!(
            f[0].message.contains(
                "`{{ else }}` (line 2) after `{{ if .Values.persistence.existingClaim }}` and is now rendered only inside `{{ else }}` (line 2) after `{{ if .Values.claim }}`"
            ),
            "{}",
            f[0].message
        );
    }

    const NAMED: &str = "apiVersion: v1\nkind: Service\nmetadata:\n  name: {{ .name }}-svc\nspec:\n  ports:\n    - port: 80\n";

    #[test]
    fn a_name_read_from_dot_under_another_with_may_render_another_name() {
        let base = wrapped("with .Values.primary", NAMED);
        let f = run(&base, &wrapped("with .Values.secondary", NAMED));
        assert_eq!(ids(&f), ["kubernetes/object-deleted"]);
        assert_eq!(
            f[0].severity,
            Severity::Low,
            "a Service: medium, one step lower"
        );
        assert!(
            f[0].message.contains(
                "`{{ with .Values.secondary }}` (line 1) instead of `{{ with .Values.primary }}`"
            ),
            "{}",
            f[0].message
        );
        // `if` turned into `with` over the same value rebinds `.` for the name.
        let f = run(&wrapped("if .Values.primary", NAMED), &base);
        assert_eq!(ids(&f), ["kubernetes/object-deleted"]);
        assert!(
            f[0].message.contains("instead of the chart's root context"),
            "{}",
            f[0].message
        );
        // A claim named that way: the volume is at stake, one step below critical.
        let claim = CLAIM.replace("{{ include \"app.fullname\" . }}-data", "{{ .name }}-data");
        let f = run(
            &wrapped("with .Values.primary", &claim),
            &wrapped("with .Values.data", &claim),
        );
        // The changed condition of a claim is reported too.
        assert_eq!(
            ids(&f),
            [
                "kubernetes/volume-deleted",
                "kubernetes/helm-object-made-conditional"
            ]
        );
        assert_eq!(f[0].severity, Severity::High);
    }

    #[test]
    fn a_name_read_from_the_root_or_under_the_same_with_is_quiet() {
        let base = wrapped("with .Values.primary", NAMED);
        // Moved or respaced, the same `with`.
        assert!(run(
            &base,
            &format!(
                "# the primary\n{}",
                base.replace("with .Values.primary", "with   .Values.primary")
            )
        )
        .is_empty());
        // Through `$`, or from the built-in objects, the name does not read the rebound `.`.
        let rooted = NAMED.replace("{{ .name }}", "{{ $.Release.Name }}");
        assert!(run(
            &wrapped("with .Values.primary", &rooted),
            &wrapped("with .Values.secondary", &rooted)
        )
        .is_empty());
        let release = NAMED.replace("{{ .name }}", "{{ .Release.Name }}");
        assert!(run(
            &wrapped("if .Values.primary", &release),
            &wrapped("with .Values.primary", &release)
        )
        .is_empty());
    }

    #[test]
    fn a_condition_only_respaced_or_turned_from_if_to_with_is_quiet() {
        let base = wrapped("if .Values.persistence.enabled", CLAIM);
        for head in [
            base.replace(
                "{{- if .Values.persistence.enabled }}",
                "{{ if   .Values.persistence.enabled -}}",
            ),
            wrapped("with .Values.persistence.enabled", CLAIM),
            wrapped(
                "if .Values.persistence.enabled",
                &CLAIM.replace("ReadWriteOnce", "ReadWriteMany"),
            ),
        ] {
            assert!(run(&base, &head).is_empty(), "{head}");
        }
        let piped = wrapped("if (default true .Values.persistence.enabled)", CLAIM);
        let respaced = wrapped("if ( default  true .Values.persistence.enabled )", CLAIM);
        assert!(run(&piped, &respaced).is_empty());
    }

    #[test]
    fn a_changed_condition_around_an_object_that_does_not_cascade_or_is_kept_is_quiet() {
        let base = wrapped("if .Values.config.enabled", CONFIG);
        let head = wrapped("if and .Values.config.enabled .Values.other", CONFIG);
        assert!(run(&base, &head).is_empty());
        let ranged = wrapped("range .Values.configs", CONFIG);
        assert!(run(&ranged, &wrapped("if .Values.on", &ranged)).is_empty());
        let kept = CLAIM.replace(
            "  labels:\n",
            "  annotations:\n    helm.sh/resource-policy: keep\n  labels:\n",
        );
        let base = wrapped("if .Values.persistence.enabled", &kept);
        let head = wrapped("if .Values.persistence.on", &kept);
        assert!(run(&base, &head).is_empty());
    }

    #[test]
    fn a_claim_new_at_head_under_a_condition_that_replaced_another_is_quiet() {
        let base = wrapped("if .Values.persistence.enabled", CONFIG);
        let head = format!(
            "{}---\n{}",
            wrapped("if .Values.persistence.enabled", CONFIG),
            wrapped("if .Values.persistence.on", CLAIM)
        );
        assert!(run(&base, &head).is_empty());
    }

    #[test]
    fn a_new_object_added_inside_an_if_is_quiet() {
        let head = format!(
            "{CONFIG}---\n{}",
            wrapped("if .Values.persistence.enabled", CLAIM)
        );
        assert!(run(CONFIG, &head).is_empty());
        let added = Case::added(PATH, &wrapped("if .Values.persistence.enabled", CLAIM))
            .with_kind(FileKind::Helm)
            .run(analyze);
        assert!(added.is_empty(), "{added:?}");
    }

    #[test]
    fn an_if_around_some_fields_of_an_object_is_quiet() {
        let deployment = "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\nspec:\n  template:\n    spec:\n      containers:\n        - name: web\n          image: web:1\n          resources:\n            limits: {cpu: 1}\n";
        let head = deployment.replace(
            "          resources:\n            limits: {cpu: 1}\n",
            "          {{- if .Values.resources }}\n          resources:\n            limits: {cpu: 1}\n          {{- end }}\n",
        );
        assert!(run(deployment, &head).is_empty());
        let trailing = CONFIG.replace(
            "data:\n  LOG_LEVEL: info\n",
            "{{- with .Values.data }}\ndata:\n  LOG_LEVEL: info\n{{- end }}\n",
        );
        assert!(run(CONFIG, &trailing).is_empty());
    }

    #[test]
    fn comment_and_whitespace_edits_are_quiet() {
        let head = format!(
            "# persistence for the app\n{{{{/* if .Values.persistence.enabled */}}}}\n\n{}",
            CLAIM.replace("spec:\n", "\nspec:\n")
        );
        assert!(run(CLAIM, &head).is_empty());
        let guarded = wrapped("if .Values.persistence.enabled", CLAIM);
        let respaced = guarded.replace(
            "{{- if .Values.persistence.enabled }}",
            "{{ if   .Values.persistence.enabled -}}",
        );
        assert!(run(&guarded, &respaced).is_empty());
    }

    #[test]
    fn one_variant_per_branch_of_an_if_with_an_else_is_always_rendered() {
        let pdb = |api: &str| {
            format!("apiVersion: {api}\nkind: PodDisruptionBudget\nmetadata:\n  name: web\nspec:\n  minAvailable: 1\n")
        };
        let base = pdb("policy/v1");
        let both = format!("{{{{- if .Capabilities.APIVersions.Has \"policy/v1\" }}}}\n{}{{{{- else }}}}\n---\n{}{{{{- end }}}}\n", pdb("policy/v1"), pdb("policy/v1beta1"));
        assert!(run(&base, &both).is_empty());
        // Without a plain `else`, both tests can fail.
        let chain = both.replace("{{- else }}", "{{- else if .Values.legacy }}");
        assert_eq!(
            ids(&run(&base, &chain)),
            ["kubernetes/helm-object-made-conditional"]
        );
    }

    #[test]
    fn an_object_kept_by_helm_or_run_once_is_low() {
        let kept = CLAIM.replace(
            "  labels:\n",
            "  annotations:\n    helm.sh/resource-policy: keep\n  labels:\n",
        );
        let f = run(&kept, &wrapped("if .Values.persistence.enabled", &kept));
        assert_eq!(f[0].severity, Severity::Low);
        assert!(
            f[0].message.contains("helm.sh/resource-policy: keep"),
            "{}",
            f[0].message
        );
        let job = "apiVersion: batch/v1\nkind: Job\nmetadata:\n  name: migrate\n";
        let f = run(job, &wrapped("if .Values.migrate", job));
        assert_eq!(
            (f[0].severity, f[0].tags.clone()),
            (Severity::Low, vec![Tag::Infra])
        );
    }

    #[test]
    fn files_that_are_not_chart_templates_are_quiet() {
        let head = wrapped("if .Values.persistence.enabled", CLAIM);
        for (path, kind) in [
            ("k8s/pvc.yaml", FileKind::Kubernetes),
            ("charts/app/values.yaml", FileKind::Helm),
        ] {
            let f = Case::modified(path, CLAIM, &head)
                .with_kind(kind)
                .run(analyze);
            assert!(f.is_empty(), "{path}: {f:?}");
        }
    }
}
