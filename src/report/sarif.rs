//! sarif: SARIF 2.1.0 for GitHub code scanning. Rules carry their help text; results carry a
//! `partialFingerprints` entry that ignores line numbers, so an alert survives edits above it.

use crate::change::Side;
use crate::engine::Outcome;
use crate::finding::{AllowedBy, Severity};
use crate::rules;
use serde_json::{json, Value};

fn level(s: Severity) -> &'static str {
    match s {
        Severity::Critical | Severity::High => "error",
        Severity::Medium => "warning",
        Severity::Low => "note",
    }
}

/// GitHub sorts code-scanning alerts by this 0–10 score.
fn security_severity(s: Severity) -> &'static str {
    match s {
        Severity::Critical => "9.5",
        Severity::High => "8.0",
        Severity::Medium => "5.5",
        Severity::Low => "3.0",
    }
}

/// FNV-1a: a stable, dependency-free hash; SARIF only needs the value to be repeatable.
fn fingerprint(parts: &[&str]) -> String {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for part in parts {
        for b in part.bytes().chain([0u8]) {
            h ^= u64::from(b);
            h = h.wrapping_mul(0x0100_0000_01b3);
        }
    }
    format!("{h:016x}")
}

pub fn render(o: &Outcome) -> String {
    let catalogue = rules::catalogue();
    let rules_json: Vec<Value> = catalogue
        .iter()
        .map(|r| {
            json!({
                "id": r.id,
                "name": r.id.as_str().replace(['/', '-'], "_"),
                "shortDescription": {"text": r.summary},
                "fullDescription": {"text": r.why},
                "help": {
                    "text": format!("{}\n\nExample:\n{}\n\nSafer: {}", r.why, r.example, r.safer),
                    "markdown": format!("{}\n\n**Example**\n\n```\n{}\n```\n\n**Safer:** {}", r.why, r.example, r.safer),
                },
                "defaultConfiguration": {"level": level(r.severity)},
                "properties": {
                    "tags": r.tags.iter().map(|t| t.as_str()).collect::<Vec<_>>(),
                    "security-severity": security_severity(r.severity),
                },
            })
        })
        .collect();
    let results: Vec<Value> = o
        .findings
        .iter()
        .map(|f| {
            let index = catalogue.iter().position(|r| r.id == f.rule);
            let mut text = f.message.clone();
            if let Some(s) = &f.safer {
                text.push_str(" Safer: ");
                text.push_str(s);
            }
            let mut physical = json!({
                "artifactLocation": {"uri": f.location.path.as_str(), "uriBaseId": "%SRCROOT%"},
            });
            // Code scanning shows results on the head revision; a line that exists only in
            // the base would point at the wrong text there, so it goes in the message.
            match (f.location.side, f.location.line) {
                (Side::Head, Some(line)) => {
                    physical["region"] = json!({
                        "startLine": line,
                        "endLine": f.location.end_line.unwrap_or(line),
                    });
                }
                (Side::Base, Some(line)) => {
                    text.push_str(&format!(" (line {line} of the base revision)"));
                }
                _ => {}
            }
            let mut result = json!({
                "ruleId": f.rule,
                "level": level(f.severity),
                "message": {"text": text},
                "locations": [{"physicalLocation": physical}],
                "partialFingerprints": {
                    "twokeyFinding/v1": fingerprint(&[f.rule.as_str(), f.location.path.as_str(), &f.message]),
                },
            });
            if let Some(i) = index {
                result["ruleIndex"] = json!(i);
            }
            // SARIF's own word for an allowed result; code scanning shows it as dismissed.
            if let Some(a) = &f.allowed {
                let kind = match a.by {
                    AllowedBy::Inline => "inSource",
                    AllowedBy::Config => "external",
                };
                result["suppressions"] = json!([{
                    "kind": kind,
                    "status": "accepted",
                    "justification": format!("{} ({})", a.reason, a.at),
                }]);
            }
            result
        })
        .collect();
    let doc = json!({
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {
                "name": "twokey",
                "version": env!("CARGO_PKG_VERSION"),
                "informationUri": "https://github.com/twokey/twokey",
                "rules": rules_json,
            }},
            "automationDetails": {"id": "twokey/"},
            "results": results,
        }],
    });
    let mut s = serde_json::to_string_pretty(&doc).unwrap_or_default();
    s.push('\n');
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fingerprints_are_stable_and_distinguish_inputs() {
        assert_eq!(fingerprint(&["a", "b"]), fingerprint(&["a", "b"]));
        assert_ne!(fingerprint(&["a", "b"]), fingerprint(&["ab", ""]));
        assert_eq!(fingerprint(&[]).len(), 16);
    }
}
