//! references: the variable references that Kubernetes, Tekton and Argo Workflows replace in a
//! container's command line before anything runs it, rewritten as the shell text the commands
//! analyzer reads. It owns the spelling of those references; it judges nothing.
//!
//! Kubernetes expands `$(NAME)` in `command` and `args` (never in a Tekton `script`) from the
//! container's `env`, reads `$$` as a literal `$`, and leaves a reference it cannot resolve as
//! written. It is not a shell command substitution: `rm -rf $(DATA_DIR)/*` deletes below the
//! value of `DATA_DIR`, not below what a program named `DATA_DIR` prints. Tekton replaces
//! `$(params.x)`, `$(workspaces.x.path)`… in scripts and arguments alike, Argo Workflows
//! `{{inputs.parameters.x}}`. A value the manifest spells out is written in; a value twokey
//! cannot know (`valueFrom`, `envFrom`, a parameter) becomes the shell variable `${NAME}`, so
//! it is judged as any variable is: it may be empty.

use std::borrow::Cow;

use crate::yaml::{Node, Value};

/// The `env` entries of a container whose value is written out literally.
pub(super) struct Env<'a> {
    literal: Vec<(&'a str, &'a str)>,
}

impl<'a> Env<'a> {
    pub(super) fn of(container: &'a Node) -> Self {
        let mut literal = Vec::new();
        if let Some(Value::Seq(items)) = container.get("env").map(|e| &e.value) {
            for item in items {
                let name = item.get("name").and_then(Node::as_str);
                let value = item.get("value").and_then(Node::as_str);
                // A value that is itself a template or a reference is not known here.
                if let (Some(name), Some(value)) = (name, value) {
                    if !value.contains("{{") && !value.contains("$(") {
                        literal.push((name, value));
                    }
                }
            }
        }
        Env { literal }
    }

    fn value(&self, name: &str) -> Option<&'a str> {
        // A later entry with the same name wins, as in the container's environment.
        self.literal
            .iter()
            .rev()
            .find(|(n, _)| *n == name)
            .map(|(_, v)| *v)
    }
}

/// Where a text stands, which decides whose references are expanded in it.
#[derive(Clone, Copy)]
pub(super) enum Place<'e, 'a> {
    /// A word of `command` or `args`: Kubernetes' `$(NAME)` and `$$`, with the container's env.
    CommandLine(&'e Env<'a>),
    /// A Tekton step's `script` or an Argo script's `source`: only Tekton's and Argo's own
    /// references (`$(NAME)` there is the shell's command substitution).
    Script,
}

enum Piece<'t> {
    Text(Cow<'t, str>),
    /// A reference whose value is not known, by the shell variable name it becomes.
    Unknown(String),
}

/// `text` as a shell reads it once the references are replaced: known values written in,
/// unknown ones as `${NAME}` (unquoted unless `text` quotes them).
pub(super) fn in_shell(text: &str, place: Place) -> String {
    let mut out = String::with_capacity(text.len());
    for piece in pieces(text, place) {
        match piece {
            Piece::Text(t) => out.push_str(&t),
            Piece::Unknown(name) => {
                out.push_str("${");
                out.push_str(&name);
                out.push('}');
            }
        }
    }
    out
}

/// One exec-form word (no shell splits it) as a single shell word: quoted literally, or in
/// double quotes around the `${NAME}` of a value that is not known.
pub(super) fn exec_word(word: &str, env: &Env) -> String {
    let pieces = pieces(word, Place::CommandLine(env));
    if pieces.iter().all(|p| matches!(p, Piece::Text(_))) {
        let text: String = pieces
            .iter()
            .filter_map(|p| match p {
                Piece::Text(t) => Some(t.as_ref()),
                Piece::Unknown(_) => None,
            })
            .collect();
        return shlex::try_quote(&text).map_or_else(|_| text.clone(), |q| q.into_owned());
    }
    let mut out = String::from("\"");
    for piece in pieces {
        match piece {
            Piece::Text(t) => {
                for c in t.chars() {
                    if matches!(c, '"' | '\\' | '$' | '`') {
                        out.push('\\');
                    }
                    out.push(c);
                }
            }
            Piece::Unknown(name) => {
                out.push_str("${");
                out.push_str(&name);
                out.push('}');
            }
        }
    }
    out.push('"');
    out
}

fn pieces<'t>(text: &'t str, place: Place) -> Vec<Piece<'t>> {
    // Most command lines hold no reference: no allocation for them.
    if !text.contains('$') && !text.contains("{{") {
        return vec![Piece::Text(Cow::Borrowed(text))];
    }
    let env = match place {
        Place::CommandLine(env) => Some(env),
        Place::Script => None,
    };
    let mut out = Vec::new();
    let mut literal = String::new();
    let mut rest = text;
    while let Some(c) = rest.chars().next() {
        if env.is_some() && rest.starts_with("$$") {
            // Kubernetes' escape: `$$(X)` reaches the program as `$(X)`.
            literal.push('$');
            rest = &rest[2..];
            continue;
        }
        if let Some((inner, after)) = enclosed(rest, "$(", ")") {
            if let Some(piece) = dollar_reference(inner, env) {
                flush(&mut literal, &mut out);
                out.push(piece);
                rest = after;
                continue;
            }
        }
        if let Some((inner, after)) = enclosed(rest, "{{", "}}") {
            if let Some(name) = argo_reference(inner) {
                flush(&mut literal, &mut out);
                out.push(Piece::Unknown(name));
                rest = after;
                continue;
            }
        }
        literal.push(c);
        rest = &rest[c.len_utf8()..];
    }
    flush(&mut literal, &mut out);
    out
}

fn flush(literal: &mut String, out: &mut Vec<Piece>) {
    if !literal.is_empty() {
        out.push(Piece::Text(Cow::Owned(std::mem::take(literal))));
    }
}

/// The text between `open` at the start of `rest` and the first `close` after it, and what
/// follows the close.
fn enclosed<'t>(rest: &'t str, open: &str, close: &str) -> Option<(&'t str, &'t str)> {
    let body = rest.strip_prefix(open)?;
    let end = body.find(close)?;
    Some((&body[..end], &body[end + close.len()..]))
}

/// What `$(inner)` stands for, or `None` for a shell command substitution left as it is.
fn dollar_reference(inner: &str, env: Option<&Env>) -> Option<Piece<'static>> {
    // Tekton's: paths Tekton mounts are never empty; parameters and the rest may be.
    if let Some(name) = inner
        .strip_prefix("workspaces.")
        .and_then(|r| r.strip_suffix(".path"))
    {
        return Some(Piece::Text(Cow::Owned(format!("/workspace/{name}"))));
    }
    if let Some(name) = inner
        .strip_prefix("results.")
        .and_then(|r| r.strip_suffix(".path"))
    {
        return Some(Piece::Text(Cow::Owned(format!("/tekton/results/{name}"))));
    }
    const TEKTON: &[&str] = &["params", "inputs.params", "context.", "steps.", "tasks."];
    if TEKTON.iter().any(|p| inner.starts_with(p)) && !inner.contains(char::is_whitespace) {
        return Some(Piece::Unknown(shell_name(inner)));
    }
    let env = env?;
    let identifier = !inner.is_empty()
        && !inner.starts_with(|c: char| c.is_ascii_digit())
        && inner.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
    if !identifier {
        return None;
    }
    Some(match env.value(inner) {
        Some(value) => Piece::Text(Cow::Owned(value.to_owned())),
        None => Piece::Unknown(inner.to_owned()),
    })
}

/// The shell variable an Argo Workflows reference (`{{inputs.parameters.dir}}`) becomes; a
/// Helm action (`{{ .Values.x }}`) is not one.
fn argo_reference(inner: &str) -> Option<String> {
    const ARGO: &[&str] = &[
        "inputs.",
        "outputs.",
        "workflow.",
        "steps.",
        "tasks.",
        "item",
        "pod.",
    ];
    (ARGO.iter().any(|p| inner.starts_with(p)) && !inner.contains(char::is_whitespace))
        .then(|| shell_name(inner))
}

/// `params.target` as a shell variable name: `params_target`.
fn shell_name(reference: &str) -> String {
    let mut name = String::with_capacity(reference.len());
    for c in reference.chars() {
        let c = if c.is_ascii_alphanumeric() { c } else { '_' };
        if !(c == '_' && name.ends_with('_')) {
            name.push(c);
        }
    }
    name.trim_matches('_').to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env(pairs: &str) -> Node {
        crate::yaml::parse_documents(&format!("image: x\nenv:\n{pairs}"))
            .expect("test YAML parses")
            .remove(0)
    }

    #[test]
    fn kubernetes_references_take_the_env_value_or_become_a_variable() {
        let node = env("  - name: DATA_DIR\n    value: /data\n  - name: URL\n    valueFrom: {secretKeyRef: {name: s, key: k}}\n");
        let e = Env::of(&node);
        let line = Place::CommandLine(&e);
        assert_eq!(in_shell("rm -rf $(DATA_DIR)/*", line), "rm -rf /data/*");
        assert_eq!(in_shell("psql $(URL) -c x", line), "psql ${URL} -c x");
        // `$$` is Kubernetes' escape; a command substitution with words stays the shell's.
        assert_eq!(
            in_shell("echo $$(date) $(date +%s)", line),
            "echo $(date) $(date +%s)"
        );
        assert_eq!(exec_word("$(DATA_DIR)/cache", &e), "/data/cache");
        assert_eq!(exec_word("$(URL)/x \"y\"", &e), "\"${URL}/x \\\"y\\\"\"");
        // In a script Kubernetes expands nothing: `$(NAME)` is the shell's.
        assert_eq!(
            in_shell("x $(DATA_DIR) $$", Place::Script),
            "x $(DATA_DIR) $$"
        );
    }

    #[test]
    fn tekton_and_argo_references() {
        let s = Place::Script;
        assert_eq!(
            in_shell("rm -rf $(workspaces.source.path)/*", s),
            "rm -rf /workspace/source/*"
        );
        assert_eq!(
            in_shell("cat $(results.sha.path)", s),
            "cat /tekton/results/sha"
        );
        assert_eq!(
            in_shell("rm -rf $(params.target)/*", s),
            "rm -rf ${params_target}/*"
        );
        assert_eq!(
            in_shell("rm -rf {{inputs.parameters.dir}}/*", s),
            "rm -rf ${inputs_parameters_dir}/*"
        );
        assert_eq!(in_shell("echo {{ .Values.x }}", s), "echo {{ .Values.x }}");
    }
}
