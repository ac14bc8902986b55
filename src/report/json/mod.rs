//! json: the machine-readable report, a public contract. Its shape is written out here in one
//! place; bump `SCHEMA_VERSION` and note it in the README on any incompatible change.
//!
//! The report is serialized straight from the outcome (keys in alphabetical order, at every
//! level) rather than through a `serde_json::Value` tree: a large change has tens of
//! thousands of findings, and building the tree first cost as much as writing it.

use crate::engine::Outcome;
use crate::finding::Finding;
use serde::ser::{SerializeMap, SerializeSeq};
use serde::{Serialize, Serializer};
use serde_json::{json, Value};

mod rendered;

pub const SCHEMA_VERSION: u32 = 1;

pub fn render(o: &Outcome) -> String {
    let mut out = Vec::new();
    // Writing to memory cannot fail, and the report holds only strings: it is UTF-8.
    let _ = write(o, &mut out, None);
    String::from_utf8(out).unwrap_or_default()
}

/// Writes the report to `out`, the findings rendered on up to `threads` threads (`None`: every
/// core). They are nearly all of a large change's report: rendering them one after another
/// was the longest step left after the analysis, with every core but one idle. A report runs
/// to megabytes; only a round of findings is held rendered at a time.
pub fn write(
    o: &Outcome,
    mut out: impl std::io::Write,
    threads: Option<usize>,
) -> std::io::Result<()> {
    // The rest of the report, around an empty findings list that the rendered one replaces.
    let mut rest = Vec::new();
    serde_json::to_writer_pretty(
        &mut rest,
        &Report {
            outcome: o,
            findings: false,
        },
    )?;
    match rendered::empty_findings_at(&rest) {
        Some(at) if !o.findings.is_empty() => {
            out.write_all(&rest[..at])?;
            rendered::write(&o.findings, threads, &mut out)?;
            out.write_all(&rest[at + rendered::EMPTY.len()..])?;
        }
        _ => out.write_all(&rest)?,
    }
    out.write_all(b"\n")
}

/// The report as a JSON value (for callers that want to edit or embed it).
pub fn to_value(o: &Outcome) -> Value {
    serde_json::to_value(Report {
        outcome: o,
        findings: true,
    })
    .unwrap_or(Value::Null)
}

struct Report<'a> {
    outcome: &'a Outcome,
    /// Whether to serialize the findings, or an empty list in their place.
    findings: bool,
}

impl Serialize for Report<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let o = self.outcome;
        let v = &o.verdict;
        let a = &o.authorship;
        let mut m = s.serialize_map(Some(15))?;
        m.serialize_entry(
            "agent",
            &json!({
                "detected": a.detected,
                "agents": a.agents,
                "signals": a.signals,
                "operators": a.operators,
                "dependency_bots": a.dependency_bots,
            }),
        )?;
        m.serialize_entry("base", &o.base)?;
        m.serialize_entry("branch", &o.branch)?;
        m.serialize_entry("config", &o.config_source.to_string())?;
        m.serialize_entry(
            "files",
            &json!({
                "changed": o.files_changed,
                "infra": o.infra_files,
                "not_analysed": o.not_analysed,
            }),
        )?;
        let findings: &[Finding] = if self.findings { &o.findings } else { &[] };
        m.serialize_entry("findings", &Findings(findings))?;
        m.serialize_entry("head", &o.head)?;
        m.serialize_entry("missing", &v.missing)?;
        m.serialize_entry(
            "requirement",
            &json!({
                "approvals": v.requirement.approvals,
                "from_owners": v.requirement.from_owners,
                "from": v.requirement.from,
                "fresh": v.requirement.fresh,
                "tiers": v.requirement.tiers,
                "excluded": v.requirement.excluded,
                "reasons": v.requirement.reasons,
            }),
        )?;
        m.serialize_entry("reviews", &v.reviews)?;
        m.serialize_entry("schema_version", &SCHEMA_VERSION)?;
        m.serialize_entry("summary", &v.summary)?;
        m.serialize_entry("tags", &v.tags)?;
        m.serialize_entry(
            "tool",
            &json!({"name": "twokey", "version": env!("CARGO_PKG_VERSION")}),
        )?;
        m.serialize_entry("verdict", v.decision.as_str())?;
        m.end()
    }
}

struct Findings<'a>(&'a [Finding]);

impl Serialize for Findings<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut seq = s.serialize_seq(Some(self.0.len()))?;
        for f in self.0 {
            seq.serialize_element(&FindingJson(f))?;
        }
        seq.end()
    }
}

/// One finding. `subject` and `allowed` appear only when set, so a consumer of schema 1 that
/// predates them sees the same shape.
struct FindingJson<'a>(&'a Finding);

impl Serialize for FindingJson<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let f = self.0;
        let mut m = s.serialize_map(None)?;
        if let Some(a) = &f.allowed {
            m.serialize_entry(
                "allowed",
                &json!({"by": a.by, "reason": a.reason, "at": a.at}),
            )?;
        }
        m.serialize_entry("end_line", &f.location.end_line)?;
        m.serialize_entry("line", &f.location.line)?;
        m.serialize_entry("message", &f.message)?;
        m.serialize_entry("path", &f.location.path)?;
        m.serialize_entry("rule", &f.rule)?;
        m.serialize_entry("safer", &f.safer)?;
        m.serialize_entry("severity", &f.severity)?;
        m.serialize_entry("side", &f.location.side)?;
        if let Some(subject) = &f.subject {
            m.serialize_entry("subject", subject)?;
        }
        m.serialize_entry("tags", &f.tags)?;
        m.end()
    }
}
