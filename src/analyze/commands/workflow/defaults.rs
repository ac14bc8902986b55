//! defaults: an input's default that now selects a destroy. `terraform ${{ inputs.action }}`
//! with `action` defaulting to `destroy`, a boolean `destroy` defaulting to `true` that feeds
//! `-destroy` or a step's `if:`: whoever starts the workflow without changing the form, or a
//! caller that passes nothing, now destroys.
//!
//! Runs only when a declared default differs between the sides; the head file is then read
//! twice, once with the base's defaults and once with the head's, and what only the head's
//! defaults run is reported on the default's line.

use super::expr::{Context, Inputs};
use super::{declared, more_than, Sides, Walker};
use crate::analyze::FileView;
use crate::finding::Finding;

pub fn check(view: &FileView, sides: &Sides) -> Vec<Finding> {
    let head = declared(sides.head.root);
    let base = declared(sides.base.root);
    let changed: Vec<&(String, String, u32)> = head
        .iter()
        .filter(|(name, default, _)| {
            !base
                .iter()
                .any(|(n, d, _)| n == name && d.eq_ignore_ascii_case(default))
        })
        .collect();
    if changed.is_empty() {
        return Vec::new();
    }
    let inputs = |defaults: &[(String, String, u32)]| {
        let mut inputs = Inputs::default();
        for (name, default, _) in defaults {
            inputs.set(name, default);
        }
        inputs
    };
    let (before, after) = (inputs(&base), inputs(&head));
    let walker = Walker {
        view,
        prune: true,
        depth: 0,
    };
    let old = walker.walk(&sides.head, &Context::with(&before)).sites;
    let new = walker.walk(&sides.head, &Context::with(&after)).sites;
    let mut findings = Vec::new();
    for site in more_than(&new, &old) {
        // The default that makes the difference: the first changed one the command's text
        // or conditions read, else the first changed one.
        let Some((name, default, line)) = changed
            .iter()
            .find(|(name, _, _)| mentions(site, name))
            .or(changed.first())
        else {
            continue;
        };
        let via = if site.via.is_empty() {
            format!("line {}", site.line)
        } else {
            site.origin()
        };
        findings.push(site.finding(
            view,
            site.hit.rule,
            *line,
            format!(
                "Input `{name}` now defaults to `{default}`, so a run that keeps the default runs this ({via}): {}",
                site.hit.message
            ),
        ));
    }
    findings
}

/// Whether the input `name` shows in the command or the conditions around it.
fn mentions(site: &super::Site, name: &str) -> bool {
    site.guards.iter().any(|g| g.text.contains(name)) || site.hit.identity.contains(name)
}
