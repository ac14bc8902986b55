//! expansions: values a GitHub workflow writes down for what its steps read, put into the
//! steps' scripts so that `terraform $TF_COMMAND` is read as the command it runs.
//!
//! - a `workflow_dispatch` choice input (`terraform ${{ inputs.action }}`) runs whichever
//!   option the person starting the workflow picks, and a job's matrix
//!   (`terraform ${{ matrix.action }}` over `[apply, destroy]`) runs every entry: each value
//!   is read as a script of its own, beside the original;
//! - an `env:` literal of the step, its job or the workflow (innermost first, as the runner
//!   sets them) replaces `$NAME`, `${NAME}`, `$env:NAME` and `${{ env.NAME }}` in place.
//!   A script that assigns the variable itself, and a value that is an expression
//!   (`${{ … }}`) or comes from an earlier step's `$GITHUB_ENV`, are left as they are.

use super::extract::Script;
use crate::yaml::Node;
use regex::{NoExpand, Regex};

/// Every expansion of one workflow document, over the scripts from `from` on (those taken
/// from this document).
pub(super) fn expand(doc: &Node, scripts: &mut Vec<Script>, from: usize) {
    choices(doc, scripts, from);
    if let Some(jobs) = doc.get("jobs") {
        for (_, job) in jobs.as_map() {
            for step in job.get("steps").map_or(&[][..], Node::as_seq) {
                if let Some(env) = step.get("env") {
                    environment(env, scripts, from, step);
                }
            }
            if let Some(env) = job.get("env") {
                environment(env, scripts, from, job);
            }
            matrix(job, scripts, from);
        }
    }
    if let Some(env) = doc.get("env") {
        environment(env, scripts, from, doc);
    }
}

/// Whether a script taken from the file lies inside `node`'s lines.
fn inside(node: &Node, script: &Script) -> bool {
    (node.line..=node.end_line).contains(&script.first_line)
}

/// Adds, for each script that `pattern` matches, one variant per value.
fn variants(scripts: &mut Vec<Script>, at: &[usize], pattern: &Regex, values: &[&str]) {
    for &i in at {
        if !pattern.is_match(&scripts[i].text) {
            continue;
        }
        for value in values {
            let text = pattern.replace_all(&scripts[i].text, NoExpand(value));
            let variant = Script {
                text: text.into_owned(),
                ..scripts[i].clone()
            };
            scripts.push(variant);
        }
    }
}

/// `workflow_dispatch` choice inputs, each option a variant.
fn choices(doc: &Node, scripts: &mut Vec<Script>, from: usize) {
    let Some(inputs) = doc.path(&["on", "workflow_dispatch", "inputs"]) else {
        return;
    };
    let all: Vec<usize> = (from..scripts.len()).collect();
    for (name, input) in inputs.as_map() {
        let Some(options) = input.get("options") else {
            continue;
        };
        let Ok(pattern) = Regex::new(&format!(
            r"\$\{{\{{\s*(?:github\.event\.)?inputs\.{}\s*\}}\}}",
            regex::escape(name)
        )) else {
            continue;
        };
        let options: Vec<&str> = options.as_seq().iter().filter_map(Node::as_str).collect();
        variants(scripts, &all, &pattern, &options);
    }
}

/// A job's matrix: each literal value of a listed key a variant of the job's scripts that
/// read `${{ matrix.key }}`, and each `include` entry one variant with all its keys. A matrix
/// built by an expression (`fromJSON(…)`) names no values, and its scripts stay as they are.
fn matrix(job: &Node, scripts: &mut Vec<Script>, from: usize) {
    let Some(matrix) = job.path(&["strategy", "matrix"]) else {
        return;
    };
    let at: Vec<usize> = (from..scripts.len())
        .filter(|&i| inside(job, &scripts[i]))
        .collect();
    for (key, values) in matrix.as_map() {
        if key == "include" || key == "exclude" {
            continue;
        }
        let values: Vec<&str> = values.as_seq().iter().filter_map(Node::as_str).collect();
        if let Some(pattern) = reads_matrix(key) {
            variants(scripts, &at, &pattern, &values);
        }
    }
    for entry in matrix.get("include").map_or(&[][..], Node::as_seq) {
        let keys: Vec<(Regex, &str)> = entry
            .as_map()
            .iter()
            .filter_map(|(key, value)| Some((reads_matrix(key)?, value.as_str()?)))
            .collect();
        for &i in &at {
            if !keys
                .iter()
                .any(|(pattern, _)| pattern.is_match(&scripts[i].text))
            {
                continue;
            }
            let mut text = scripts[i].text.clone();
            for (pattern, value) in &keys {
                text = pattern.replace_all(&text, NoExpand(value)).into_owned();
            }
            let variant = Script {
                text,
                ..scripts[i].clone()
            };
            scripts.push(variant);
        }
    }
}

/// `${{ matrix.key }}`, spaces allowed inside the braces.
fn reads_matrix(key: &str) -> Option<Regex> {
    Regex::new(&format!(
        r"\$\{{\{{\s*matrix\.{}\s*\}}\}}",
        regex::escape(key)
    ))
    .ok()
}

/// An `env:` map's literal values put in place of their variables in the scripts inside
/// `scope`.
fn environment(env: &Node, scripts: &mut [Script], from: usize, scope: &Node) {
    for (name, value) in env.as_map() {
        let Some(value) = value.as_str().filter(|v| !v.contains("${{")) else {
            continue;
        };
        let name = regex::escape(name);
        let (Ok(reads), Ok(assigns)) = (
            Regex::new(&format!(
                r"\$\{{\{{\s*env\.{name}\s*\}}\}}|\$\{{{name}\}}|\$(?:env:)?{name}\b"
            )),
            Regex::new(&format!(r"(?m)(?:^|[\s;&|(])(?:export\s+)?{name}=")),
        ) else {
            continue;
        };
        for script in scripts[from..].iter_mut().filter(|s| inside(scope, s)) {
            if reads.is_match(&script.text) && !assigns.is_match(&script.text) {
                script.text = reads
                    .replace_all(&script.text, NoExpand(value))
                    .into_owned();
            }
        }
    }
}
