//! markdown: what the pull-request comment and the Action's job summary show.

use crate::engine::Outcome;
use crate::policy::Decision;
use std::fmt::Write;

/// A hidden marker so the App can find and update its own comment.
pub const COMMENT_MARKER: &str = "<!-- twokey:report -->";

fn cell(s: &str) -> String {
    s.replace('|', "\\|").replace('\n', " ")
}

pub fn render(o: &Outcome) -> String {
    let v = &o.verdict;
    let mut out = String::new();
    let icon = match v.decision {
        Decision::Ok => "✅",
        Decision::ReviewRequired => "⛔",
    };
    let _ = writeln!(out, "{COMMENT_MARKER}");
    let _ = writeln!(out, "### {icon} twokey: {}", v.summary);
    let _ = writeln!(out);
    if !v.tags.is_empty() {
        let tags: Vec<String> = v.tags.iter().map(|t| format!("`{t}`")).collect();
        let _ = writeln!(out, "**Tags:** {}", tags.join(" "));
        let _ = writeln!(out);
    }
    if o.findings.iter().any(|f| f.counts()) {
        let _ = writeln!(out, "| Severity | Rule | Where | What goes away | Safer |");
        let _ = writeln!(out, "|---|---|---|---|---|");
        for f in o.findings.iter().filter(|f| f.counts()) {
            let _ = writeln!(
                out,
                "| {} | `{}` | `{}` | {} | {} |",
                f.severity,
                f.rule,
                cell(&super::where_(f)),
                cell(&f.message),
                cell(f.safer.as_deref().unwrap_or(""))
            );
        }
        let _ = writeln!(out);
    }
    let allowed: Vec<_> = o
        .findings
        .iter()
        .filter_map(|f| f.allowed.as_ref().map(|a| (f, a)))
        .collect();
    if !allowed.is_empty() {
        let _ = writeln!(
            out,
            "<details><summary>Allowed ({}): not counted by the policy</summary>",
            allowed.len()
        );
        let _ = writeln!(out);
        let _ = writeln!(
            out,
            "| Severity | Rule | Where | What goes away | Allowed because |"
        );
        let _ = writeln!(out, "|---|---|---|---|---|");
        for (f, a) in allowed {
            let _ = writeln!(
                out,
                "| {} | `{}` | `{}` | {} | {} ({} `{}`) |",
                f.severity,
                f.rule,
                cell(&super::where_(f)),
                cell(&f.message),
                cell(&a.reason),
                a.by.as_str(),
                cell(&a.at)
            );
        }
        let _ = writeln!(out);
        let _ = writeln!(out, "</details>");
        let _ = writeln!(out);
    }
    if !v.missing.is_empty() {
        let _ = writeln!(out, "**Still needed:**");
        for m in &v.missing {
            let _ = writeln!(out, "- {m}");
        }
        let _ = writeln!(out);
    }
    if !v.requirement.reasons.is_empty() {
        let _ = writeln!(out, "**Why:**");
        for r in &v.requirement.reasons {
            let _ = writeln!(out, "- {r}");
        }
        let _ = writeln!(out);
    }
    let ignored = v
        .reviews
        .as_ref()
        .map(|t| t.ignored.as_slice())
        .unwrap_or(&[]);
    // Two lists, as in the text report: who could never count, and the reviews actually
    // posted that did not. Under one heading the operator would read as listed twice.
    if !v.requirement.excluded.is_empty() {
        let _ = writeln!(out, "**Approvals that will not count:**");
        for e in &v.requirement.excluded {
            let _ = writeln!(out, "- {}: {}", e.who, e.reason);
        }
        let _ = writeln!(out, "- bots and AI reviewers, whatever state they post");
        let _ = writeln!(out);
    }
    if !ignored.is_empty() {
        let _ = writeln!(out, "**Reviews that do not count:**");
        for e in ignored {
            let _ = writeln!(out, "- {}: {}", e.who, e.reason);
        }
        let _ = writeln!(out);
    }
    if !o.authorship.signals.is_empty() {
        let _ = writeln!(out, "<details><summary>Authorship evidence</summary>");
        let _ = writeln!(out);
        for s in &o.authorship.signals {
            let _ = writeln!(
                out,
                "- {:?} ({}): {}",
                s.strength,
                s.agent,
                cell(&s.evidence)
            );
        }
        for op in &o.authorship.operators {
            let who = op
                .login
                .as_ref()
                .map(|l| format!("@{l}"))
                .or(op.name.clone())
                .unwrap_or_default();
            let _ = writeln!(out, "- operator {who}: {}", cell(&op.evidence));
        }
        let _ = writeln!(out);
        let _ = writeln!(out, "</details>");
        let _ = writeln!(out);
    }
    if !o.not_analysed.is_empty() {
        let _ = writeln!(out, "<details><summary>Files not analysed</summary>");
        let _ = writeln!(out);
        for n in &o.not_analysed {
            let _ = writeln!(out, "- `{}`: {}", n.path, n.note);
        }
        let _ = writeln!(out);
        let _ = writeln!(out, "</details>");
        let _ = writeln!(out);
    }
    let _ = writeln!(
        out,
        "<sub>twokey {} · {}, {} infrastructure · config: {}</sub>",
        env!("CARGO_PKG_VERSION"),
        super::files_changed(o.files_changed),
        o.infra_files.len(),
        o.config_source
    );
    out
}
