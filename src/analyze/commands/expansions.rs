//! expansions: values a pipeline file writes down for what its steps read, put into the
//! steps' scripts so that `terraform $TF_COMMAND` is read as the command it runs.
//!
//! - a GitHub `workflow_dispatch` choice input (`terraform ${{ inputs.action }}`) runs
//!   whichever option the person starting the workflow picks, and a job's matrix (GitHub's
//!   `terraform ${{ matrix.action }}` over `[apply, destroy]`, GitLab's `parallel: matrix:`
//!   read as `$ACTION`) runs every entry: each value is read as a script of its own, beside
//!   the original;
//! - a literal variable of the step, its job or the file (GitHub `env:`, GitLab and Azure
//!   Pipelines `variables:`, CircleCI `environment:`; innermost first, as runners set them)
//!   replaces `$NAME`, `${NAME}`, `$env:NAME`, Azure's `$(NAME)` and `${{ env.NAME }}` in
//!   place. A script that assigns the variable itself, and a value that is an expression
//!   (`${{ … }}`, `$[ … ]`) or comes from an earlier step (`$GITHUB_ENV`, `##vso`), are
//!   left as they are.

use super::extract::Script;
use crate::yaml::{Node, Value};
use regex::{NoExpand, Regex};

/// Keys whose map (or Azure list of `name`/`value` entries) holds variables for the scripts
/// of the node that has the key.
const VARIABLE_KEYS: &[&str] = &["env", "variables", "environment"];

/// Every expansion of one pipeline document, over the scripts from `from` on (those taken
/// from this document). `github` says it is a GitHub workflow or action.
pub(super) fn expand(doc: &Node, scripts: &mut Vec<Script>, from: usize, github: bool) {
    if github {
        choices(doc, scripts, from);
        if let Some(jobs) = doc.get("jobs") {
            for (_, job) in jobs.as_map() {
                matrix(job, scripts, from);
            }
        }
    } else {
        gitlab_matrices(doc, scripts, from);
    }
    let mut scopes = Vec::new();
    variable_scopes(doc, 0, &mut scopes);
    // Deepest first: a step's value is in place before its job's could be.
    scopes.sort_by_key(|scope| std::cmp::Reverse(scope.depth));
    for scope in scopes {
        for (name, value) in scope.variables {
            substitute(name, value, scripts, from, scope.node);
        }
    }
}

/// A node that sets variables for the scripts inside it.
struct Scope<'a> {
    depth: usize,
    node: &'a Node,
    variables: Vec<(&'a str, &'a str)>,
}

/// Every node with variables, its depth, and its literal variables.
fn variable_scopes<'a>(node: &'a Node, depth: usize, out: &mut Vec<Scope<'a>>) {
    match &node.value {
        Value::Map(entries) => {
            let mut variables = Vec::new();
            for (key, value) in entries {
                if VARIABLE_KEYS.contains(&key.as_str()) {
                    variables.extend(literal_variables(value));
                }
                variable_scopes(value, depth + 1, out);
            }
            if !variables.is_empty() {
                out.push(Scope {
                    depth,
                    node,
                    variables,
                });
            }
        }
        Value::Seq(items) => {
            for item in items {
                variable_scopes(item, depth + 1, out);
            }
        }
        Value::Tagged(_, inner) => variable_scopes(inner, depth, out),
        Value::Null | Value::Scalar(_) => {}
    }
}

/// The literal values of a variables map (`NAME: value`, GitLab's `NAME: {value: …}`) or of
/// an Azure list (`- name: NAME` / `value: …`; `- group:` entries hold none it can see).
fn literal_variables(node: &Node) -> Vec<(&str, &str)> {
    fn literal(v: &Node) -> Option<&str> {
        v.as_str()
            .or_else(|| v.get("value")?.as_str())
            .filter(|v| !v.contains("${{") && !v.contains("$["))
    }
    let from_map = node
        .as_map()
        .iter()
        .filter_map(|(name, v)| Some((name.as_str(), literal(v)?)));
    let from_list = node
        .as_seq()
        .iter()
        .filter_map(|e| Some((e.get("name")?.as_str()?, literal(e.get("value")?)?)));
    from_map.chain(from_list).collect()
}

/// GitLab's `parallel: matrix:` entries: each value of a variable a variant of the job's
/// scripts that read it.
fn gitlab_matrices(doc: &Node, scripts: &mut Vec<Script>, from: usize) {
    for (_, job) in doc.as_map() {
        let entries = job
            .path(&["parallel", "matrix"])
            .map_or(&[][..], Node::as_seq);
        let at: Vec<usize> = (from..scripts.len())
            .filter(|&i| inside(job, &scripts[i]))
            .collect();
        for entry in entries {
            for (name, values) in entry.as_map() {
                let values: Vec<&str> = match values.as_str() {
                    Some(one) => vec![one],
                    None => values.as_seq().iter().filter_map(Node::as_str).collect(),
                };
                if let Some(pattern) = reads_variable(name) {
                    variants(scripts, &at, &pattern, &values);
                }
            }
        }
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

/// `$NAME`, `${NAME}`, PowerShell's `$env:NAME`, Azure's `$(NAME)` and GitHub's
/// `${{ env.NAME }}`.
fn reads_variable(name: &str) -> Option<Regex> {
    let name = regex::escape(name);
    Regex::new(&format!(
        r"\$\{{\{{\s*env\.{name}\s*\}}\}}|\$\{{{name}\}}|\$\({name}\)|\$(?:env:)?{name}\b"
    ))
    .ok()
}

/// A variable's literal value put in place of it in the scripts inside `scope`, unless a
/// script assigns the variable itself.
fn substitute(name: &str, value: &str, scripts: &mut [Script], from: usize, scope: &Node) {
    let Some(reads) = reads_variable(name) else {
        return;
    };
    let Ok(assigns) = Regex::new(&format!(
        r"(?m)(?:^|[\s;&|(])(?:export\s+)?{}=",
        regex::escape(name)
    )) else {
        return;
    };
    // The plain substring test first: a file can have hundreds of variables and scripts.
    let candidates = scripts[from..]
        .iter_mut()
        .filter(|s| s.text.contains(name) && inside(scope, s));
    for script in candidates {
        if reads.is_match(&script.text) && !assigns.is_match(&script.text) {
            script.text = reads
                .replace_all(&script.text, NoExpand(value))
                .into_owned();
        }
    }
}
