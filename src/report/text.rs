//! text: the report for a person at a terminal. Colour is applied by the caller's stream
//! (anstream strips it when the output is not a terminal or NO_COLOR is set).

use crate::engine::Outcome;
use crate::finding::Severity;
use crate::policy::Decision;
use anstyle::{AnsiColor, Style};
use std::fmt::Write;

fn paint(style: Style, text: &str) -> String {
    format!("{style}{text}{style:#}")
}

fn severity_style(s: Severity) -> Style {
    match s {
        Severity::Critical => AnsiColor::Red.on_default().bold(),
        Severity::High => AnsiColor::Red.on_default(),
        Severity::Medium => AnsiColor::Yellow.on_default(),
        Severity::Low => AnsiColor::Cyan.on_default(),
    }
}

pub fn render(o: &Outcome) -> String {
    let mut out = String::new();
    let v = &o.verdict;
    let bold = Style::new().bold();
    let dim = Style::new().dimmed();
    let short = |r: &crate::change::Revision| r.as_str().chars().take(10).collect::<String>();
    let _ = writeln!(
        out,
        "{} {}..{}{} ({}, {} infrastructure; config: {})",
        paint(bold, "twokey"),
        short(&o.base),
        short(&o.head),
        o.branch
            .as_deref()
            .map(|b| format!(" on {b}"))
            .unwrap_or_default(),
        super::files_changed(o.files_changed),
        o.infra_files.len(),
        o.config_source
    );
    let tags: Vec<&str> = v.tags.iter().map(|t| t.as_str()).collect();
    let _ = writeln!(
        out,
        "tags: {}",
        if tags.is_empty() {
            "none".to_owned()
        } else {
            tags.join(", ")
        }
    );
    if o.authorship.detected {
        let _ = writeln!(out, "agent-authored: {}", o.authorship.agents.join(", "));
    }
    for s in &o.authorship.signals {
        let _ = writeln!(
            out,
            "  {} {:?} signal ({}): {}",
            paint(dim, "·"),
            s.strength,
            s.agent,
            s.evidence
        );
    }
    for op in &o.authorship.operators {
        let who = op
            .login
            .as_ref()
            .map(|l| format!("@{l}"))
            .or(op.name.clone())
            .unwrap_or_default();
        let _ = writeln!(out, "  operator: {who} ({})", op.evidence);
    }
    let allowed = o.findings.iter().filter(|f| !f.counts()).count();
    if o.findings.is_empty() {
        let _ = writeln!(out, "\nno findings");
    } else {
        let _ = writeln!(
            out,
            "\n{} finding{}{}:",
            o.findings.len(),
            if o.findings.len() == 1 { "" } else { "s" },
            if allowed > 0 {
                format!(" ({allowed} allowed)")
            } else {
                String::new()
            }
        );
    }
    for f in &o.findings {
        if let Some(a) = &f.allowed {
            // Shown, so a reviewer can judge the allow, but dimmed: it does not count.
            let _ = writeln!(
                out,
                "  {}",
                paint(
                    dim,
                    &format!("{:<8} {} {}", "allowed", f.rule, super::where_(f))
                )
            );
            let _ = writeln!(out, "           {}", paint(dim, &f.message));
            let _ = writeln!(
                out,
                "           {}",
                paint(dim, &format!("allowed: {} ({})", a.reason, a.at))
            );
            continue;
        }
        let _ = writeln!(
            out,
            "  {} {} {}",
            paint(
                severity_style(f.severity),
                &format!("{:<8}", f.severity.as_str())
            ),
            paint(bold, f.rule.as_str()),
            super::where_(f)
        );
        let _ = writeln!(out, "           {}", f.message);
        if let Some(safer) = &f.safer {
            let _ = writeln!(
                out,
                "           {} {safer}",
                paint(AnsiColor::Green.on_default(), "safer:")
            );
        }
    }
    for n in &o.not_analysed {
        let _ = writeln!(out, "  {} {} is {}", paint(dim, "note"), n.path, n.note);
    }
    let _ = writeln!(out);
    let verdict_style = match v.decision {
        Decision::Ok => AnsiColor::Green.on_default().bold(),
        Decision::ReviewRequired => AnsiColor::Red.on_default().bold(),
    };
    let _ = writeln!(
        out,
        "{} {}",
        paint(verdict_style, v.decision.as_str()),
        v.summary
    );
    for m in &v.missing {
        let _ = writeln!(out, "  {m}");
    }
    if !v.requirement.reasons.is_empty() {
        let _ = writeln!(out, "because:");
        for r in &v.requirement.reasons {
            let _ = writeln!(out, "  - {r}");
        }
    }
    if !v.requirement.excluded.is_empty() {
        let _ = writeln!(out, "approvals that will not count:");
        for e in &v.requirement.excluded {
            let _ = writeln!(out, "  - {}: {}", e.who, e.reason);
        }
        let _ = writeln!(out, "  - bots and AI reviewers, whatever state they post");
    }
    // Under its own heading: with no excluded people above, the lines would otherwise read
    // as part of the reasons.
    if let Some(t) = v.reviews.as_ref().filter(|t| !t.ignored.is_empty()) {
        let _ = writeln!(out, "reviews that do not count:");
        for e in &t.ignored {
            let _ = writeln!(out, "  - {}: {}", e.who, e.reason);
        }
    }
    out
}
