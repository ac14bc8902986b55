//! json: the machine-readable report, a public contract. Its shape is written out here in one
//! place; bump `SCHEMA_VERSION` and note it in the README on any incompatible change.

use crate::engine::Outcome;
use crate::finding::Finding;
use serde_json::{json, Value};

pub const SCHEMA_VERSION: u32 = 1;

pub fn render(o: &Outcome) -> String {
    let mut s = serde_json::to_string_pretty(&to_value(o)).unwrap_or_default();
    s.push('\n');
    s
}

/// One finding. `subject` and `allowed` appear only when set, so a consumer of schema 1 that
/// predates them sees the same shape.
fn finding(f: &Finding) -> Value {
    let mut v = json!({
        "rule": f.rule,
        "severity": f.severity,
        "tags": f.tags,
        "path": f.location.path,
        "side": f.location.side,
        "line": f.location.line,
        "end_line": f.location.end_line,
        "message": f.message,
        "safer": f.safer,
    });
    if let Some(subject) = &f.subject {
        v["subject"] = json!(subject);
    }
    if let Some(a) = &f.allowed {
        v["allowed"] = json!({"by": a.by, "reason": a.reason, "at": a.at});
    }
    v
}

pub fn to_value(o: &Outcome) -> Value {
    let v = &o.verdict;
    let a = &o.authorship;
    json!({
        "schema_version": SCHEMA_VERSION,
        "tool": {"name": "twokey", "version": env!("CARGO_PKG_VERSION")},
        "base": o.base,
        "head": o.head,
        "branch": o.branch,
        "config": o.config_source.to_string(),
        "verdict": v.decision.as_str(),
        "summary": v.summary,
        "tags": v.tags,
        "agent": {
            "detected": a.detected,
            "agents": a.agents,
            "signals": a.signals,
            "operators": a.operators,
            "dependency_bots": a.dependency_bots,
        },
        "findings": o.findings.iter().map(finding).collect::<Vec<_>>(),
        "requirement": {
            "approvals": v.requirement.approvals,
            "from_owners": v.requirement.from_owners,
            "from": v.requirement.from,
            "fresh": v.requirement.fresh,
            "tiers": v.requirement.tiers,
            "excluded": v.requirement.excluded,
            "reasons": v.requirement.reasons,
        },
        "reviews": v.reviews,
        "missing": v.missing,
        "files": {
            "changed": o.files_changed,
            "infra": o.infra_files,
            "not_analysed": o.not_analysed,
        },
    })
}
