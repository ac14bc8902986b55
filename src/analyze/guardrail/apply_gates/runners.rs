//! runners: Terrateam's and Digger's repository configuration. Terrateam decides in
//! `.terrateam/config.yml` whether applies wait for approvals (`apply_requirements`) and
//! whether they run by themselves (`when_modified.autoapply`); Digger decides in `digger.yml`
//! which pull-request events run which commands, so `digger apply` on a pull-request event
//! applies before anyone has reviewed it.

use super::{words, yaml_bool, yaml_sides, Loosening};
use crate::change::Side;
use crate::yaml::{Node, Value};

/// Every leaf under `node` by dotted path, list items by position (`checks[0].approved`).
fn leaves<'a>(node: &'a Node, prefix: &str, out: &mut Vec<(String, &'a Node)>) {
    match &node.value {
        Value::Map(entries) => {
            for (k, v) in entries {
                let p = if prefix.is_empty() {
                    k.clone()
                } else {
                    format!("{prefix}.{k}")
                };
                leaves(v, &p, out);
            }
        }
        Value::Seq(items) if items.iter().any(|i| matches!(i.value, Value::Map(_))) => {
            for (i, v) in items.iter().enumerate() {
                leaves(v, &format!("{prefix}[{i}]"), out);
            }
        }
        Value::Tagged(_, inner) => leaves(inner, prefix, out),
        _ => out.push((prefix.to_owned(), node)),
    }
}

fn all_leaves(docs: &[Node]) -> Vec<(String, &Node)> {
    let mut out = Vec::new();
    for d in docs {
        leaves(d, "", &mut out);
    }
    out
}

fn find<'a>(leaves: &'a [(String, &'a Node)], path: &str) -> Option<&'a Node> {
    leaves.iter().find(|(p, _)| p == path).map(|(_, n)| *n)
}

fn number(node: Option<&Node>) -> Option<f64> {
    node?.as_str()?.trim().parse().ok()
}

pub fn terrateam(view: &crate::analyze::FileView) -> Vec<Loosening> {
    let Some((base_docs, head_docs)) = yaml_sides(view) else {
        return Vec::new();
    };
    let base = all_leaves(&base_docs);
    let head = all_leaves(&head_docs);
    let mut out = Vec::new();
    // Auto-apply, at the top or for a directory (`dirs.<dir>.when_modified.autoapply`):
    // off by default.
    for (path, node) in &head {
        if path.ends_with("when_modified.autoapply")
            && yaml_bool(Some(node)) == Some(true)
            && yaml_bool(find(&base, path)) != Some(true)
        {
            out.push(Loosening::at(
                Side::Head,
                node.line,
                format!("`{path}` is turned on: Terrateam applies as soon as the plan succeeds, without an `apply` comment from a reviewer"),
            ));
        }
    }
    let requirements = |docs: &[Node]| {
        docs.iter()
            .find_map(|d| d.get("apply_requirements"))
            .map(|n| n.line)
    };
    if let (Some(line), None) = (requirements(&base_docs), requirements(&head_docs)) {
        if base.iter().any(|(p, n)| {
            p.starts_with("apply_requirements")
                && p.ends_with(".enabled")
                && yaml_bool(Some(n)) == Some(true)
        }) {
            out.push(Loosening::at(
                Side::Base,
                line,
                "`apply_requirements` is removed: applies no longer wait for the approvals and checks it required",
            ));
        }
        return out;
    }
    for (path, b) in base
        .iter()
        .filter(|(p, _)| p.starts_with("apply_requirements"))
    {
        let h = find(&head, path);
        let at = |h: Option<&Node>| match h {
            Some(h) => (Side::Head, h.line),
            None => (Side::Base, b.line),
        };
        if path.ends_with(".enabled")
            && yaml_bool(Some(b)) == Some(true)
            && yaml_bool(h) != Some(true)
        {
            let (side, line) = at(h);
            let what = path.trim_end_matches(".enabled");
            out.push(Loosening::at(
                side,
                line,
                format!("the apply requirement `{what}` is turned off"),
            ));
        } else if path.ends_with("_count") {
            if let (Some(was), now) = (number(Some(b)), number(h)) {
                if now.is_none_or(|n| n < was) {
                    let (side, line) = at(h);
                    let now = now.map_or("removed".to_owned(), |n| format!("lowered to {n}"));
                    out.push(Loosening::at(
                        side,
                        line,
                        format!("`{path}` is {now} (was {was}): fewer approvals let an apply run"),
                    ));
                }
            }
        }
    }
    out
}

pub fn digger(view: &crate::analyze::FileView) -> Vec<Loosening> {
    let Some((base_docs, head_docs)) = yaml_sides(view) else {
        return Vec::new();
    };
    let mut out = Vec::new();
    for doc in &head_docs {
        for (name, wf) in doc.get("workflows").map(Node::as_map).unwrap_or(&[]) {
            for (event, cmds) in wf
                .get("workflow_configuration")
                .map(Node::as_map)
                .unwrap_or(&[])
            {
                // After a merge the change has been reviewed; every other event is a pull
                // request still open (or closed without merging).
                if event == "on_commit_to_default" {
                    continue;
                }
                let had = base_docs.iter().any(|d| {
                    words(d.path(&["workflows", name, "workflow_configuration", event]))
                        .iter()
                        .any(|c| applies(c))
                });
                if !had && words(Some(cmds)).iter().any(|c| applies(c)) {
                    out.push(Loosening::at(
                        Side::Head,
                        cmds.line,
                        format!("workflow `{name}` now runs `digger apply` on `{event}`, before the pull request is reviewed and merged"),
                    ));
                }
            }
        }
    }
    out
}

fn applies(command: &str) -> bool {
    command.split_whitespace().collect::<Vec<_>>() == ["digger", "apply"]
}
