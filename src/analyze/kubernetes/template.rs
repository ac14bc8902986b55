//! Helm chart templates read as the manifests they render to, so that a claim, a namespace or
//! a StatefulSet's selector removed or changed in a template is compared object by object
//! like in a plain manifest. A template is not YAML until rendered: twokey does not render
//! it, it neutralises the template actions instead, keeping every line where it was.
//!
//! - A line that holds nothing but actions (`{{- if .Values.x }}`, `{{- end }}`,
//!   `{{- include "chart.labels" . | nindent 4 }}`) is blanked: control flow and injected
//!   blocks are left out, so an object wrapped in an `if` reads as always rendered.
//! - A value with an action in it (`name: {{ include "chart.fullname" . }}-data`) becomes that
//!   text as a quoted string, so the same template on both sides names the same object.
//!
//! What still does not parse (actions in keys, multi-line actions) is left to the other
//! analyzers as before: a chart template that is not YAML is not a broken manifest.

use crate::change::RepoPath;
use std::borrow::Cow;

/// `text` as YAML when `path` is a chart template holding template actions; else unchanged.
pub(super) fn yaml_text<'a>(path: &RepoPath, text: &'a str) -> Cow<'a, str> {
    let in_templates = path.as_str().split('/').any(|d| d == "templates");
    if !in_templates || !text.contains("{{") {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len());
    for line in text.split_inclusive('\n') {
        let body = line.trim_end_matches(['\n', '\r']);
        out.push_str(&neutralised(body));
        out.push_str(&line[body.len()..]);
    }
    Cow::Owned(out)
}

fn neutralised(line: &str) -> Cow<'_, str> {
    if !line.contains("{{") {
        return Cow::Borrowed(line);
    }
    if only_actions(line) {
        return Cow::Borrowed("");
    }
    // `key: value` or `- value`: the value, template text and all, as one quoted string.
    let indent = line.len() - line.trim_start().len();
    let rest = &line[indent..];
    let (lead, value) = if let Some(item) = rest.strip_prefix("- ") {
        match split_key(item) {
            Some((key, value)) => (format!("- {key}: "), value),
            None => ("- ".to_owned(), item),
        }
    } else {
        match split_key(rest) {
            Some((key, value)) => (format!("{key}: "), value),
            None => return Cow::Borrowed(line),
        }
    };
    let value = value.trim();
    if !value.contains("{{") || value.starts_with(['\'', '"']) && !value.starts_with("{{") {
        return Cow::Borrowed(line);
    }
    Cow::Owned(format!(
        "{}{lead}'{}'",
        &line[..indent],
        value.replace('\'', "''")
    ))
}

/// `key: value` with a plain key (no template action in it).
fn split_key(text: &str) -> Option<(&str, &str)> {
    let (key, value) = text.split_once(": ")?;
    let plain = !key.is_empty()
        && key
            .chars()
            .all(|c| c.is_alphanumeric() || matches!(c, '_' | '-' | '.' | '/' | '"' | '\''));
    plain.then_some((key, value))
}

/// Whether the line holds nothing but template actions and blanks.
fn only_actions(line: &str) -> bool {
    let mut rest = line.trim();
    while let Some(after) = rest.strip_prefix("{{") {
        let Some(end) = after.find("}}") else {
            return false;
        };
        rest = after[end + 2..].trim_start();
    }
    rest.is_empty()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn render(text: &str) -> String {
        yaml_text(&RepoPath::new("charts/app/templates/x.yaml"), text).into_owned()
    }

    #[test]
    fn control_lines_are_blanked_and_templated_values_quoted_lines_kept() {
        let template = "{{- if .Values.cache.enabled }}\napiVersion: v1\nkind: PersistentVolumeClaim\nmetadata:\n  name: {{ include \"app.fullname\" . }}-data\n  labels:\n    {{- include \"app.labels\" . | nindent 4 }}\n  namespace: '{{ .Values.ns }}'\nspec:\n  storageClassName: {{ .Values.storageClass | quote }}\n  accessModes:\n    - {{ .Values.mode }}\n{{- end }}\n";
        let yaml = render(template);
        assert_eq!(yaml.lines().count(), template.lines().count());
        let docs = crate::yaml::parse_documents(&yaml).expect("parses");
        let claim = &docs[0];
        assert_eq!(
            claim.path(&["metadata", "name"]).and_then(|n| n.as_str()),
            Some("{{ include \"app.fullname\" . }}-data")
        );
        assert_eq!(claim.path(&["kind"]).map(|n| n.line), Some(3));
        assert!(yaml.starts_with('\n'), "{yaml}");
    }

    #[test]
    fn files_outside_templates_and_plain_yaml_are_left_alone() {
        let text = "name: {{ .Values.x }}\n";
        assert_eq!(yaml_text(&RepoPath::new("k8s/app.yaml"), text), text);
        let plain = "apiVersion: v1\nkind: ConfigMap\n";
        assert!(matches!(
            yaml_text(&RepoPath::new("charts/app/templates/cm.yaml"), plain),
            Cow::Borrowed(_)
        ));
    }
}
