//! Helm chart templates read as the manifests they render to, so that a claim, a namespace or
//! a StatefulSet's selector removed or changed in a template is compared object by object
//! like in a plain manifest. A template is not YAML until rendered: twokey does not render
//! it, it neutralises the template actions instead, keeping every line where it was.
//!
//! - A line that holds nothing but actions (`{{- if .Values.x }}`, `{{- end }}`,
//!   `{{- include "chart.labels" . | nindent 4 }}`) is blanked: control flow and injected
//!   blocks are left out, so an object wrapped in an `if` reads as always rendered.
//! - A value with an action in it (`name: {{ include "chart.fullname" . }}-data`) becomes that
//!   text as a quoted string, so the same template on both sides names the same object. The
//!   text is spelled one way (see [`value_text`]): outer quotes, a trailing comment, trim
//!   markers and the spacing inside actions do not change what a value renders to, so
//!   `"{{.Values.x}}"` and `{{ .Values.x }} # size` read the same.
//!
//! What still does not parse (actions in keys, multi-line actions) is left to the other
//! analyzers as before: a chart template that is not YAML is not a broken manifest.
//!
//! twokey never renders, so a templated value is known only by that text. [`compare`] says so:
//! equal text is the same value; different text is [`Comparison::Unknown`], not a change, since
//! both may render the same. Checks that compare settings treat unknown as no finding; checks
//! that read a literal destructive value on the head side still report it.
//!
//! Blanking the control lines loses which objects render only when a value says so; the
//! [`branches`] of the template's `if`, `with` and `range` blocks keep that, by line, read from
//! the template text itself (never from the blanked YAML).

use crate::change::RepoPath;
use crate::yaml::{Node, Value};
use std::borrow::Cow;

/// Whether `path` is where a chart keeps its templates.
pub(super) fn is_chart_template(path: &RepoPath) -> bool {
    path.as_str().split('/').any(|d| d == "templates")
}

/// Whether Helm renders the file at `path` into manifests: a chart template that is not a
/// partial (`_helpers.tpl` only defines what others include) and is written as YAML or JSON
/// (`NOTES.txt` is printed, not applied).
pub(super) fn renders_manifests(path: &RepoPath) -> bool {
    is_chart_template(path)
        && !path.file_name().starts_with('_')
        && matches!(path.extension().as_deref(), Some("yaml" | "yml" | "json"))
}

/// Whether a value read from a chart template holds a template action: in a chart template
/// `{{` can only open one, since Helm renders the file before anything reads it as YAML.
pub(super) fn is_templated(value: &str) -> bool {
    value.contains("{{")
}

/// What twokey can tell about two values of a chart template without rendering it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(super) enum Comparison {
    Same,
    /// A templated value whose text differs: both may render the same, or not.
    Unknown,
    /// Literal values, or the structure around them, differ.
    Differs,
}

/// Compares two values of a chart template. A templated scalar is known by its text only;
/// anything written out literally compares as usual, and a literal difference anywhere in the
/// value outweighs a templated one.
pub(super) fn compare(a: &Node, b: &Node) -> Comparison {
    let templated = |n: &Node| n.as_str().is_some_and(is_templated);
    if templated(a) || templated(b) {
        return if a.same_value(b) {
            Comparison::Same
        } else {
            Comparison::Unknown
        };
    }
    match (&a.value, &b.value) {
        (Value::Seq(x), Value::Seq(y)) if x.len() == y.len() => {
            worst(x.iter().zip(y).map(|(x, y)| compare(x, y)))
        }
        (Value::Map(x), Value::Map(y)) if x.len() == y.len() => {
            worst(x.iter().map(|(key, x)| match b.get(key) {
                Some(y) => compare(x, y),
                None => Comparison::Differs,
            }))
        }
        (Value::Tagged(t, x), Value::Tagged(u, y)) if t == u => compare(x, y),
        _ if a.same_value(b) => Comparison::Same,
        _ => Comparison::Differs,
    }
}

fn worst(parts: impl Iterator<Item = Comparison>) -> Comparison {
    parts.fold(Comparison::Same, std::cmp::max)
}

/// The API group of a built-in `kind` whose `apiVersion` is a template (`{{ include
/// "common.capabilities.statefulset.apiVersion" . }}` picks the version for the cluster):
/// only the version varies, so the object is known by its group like any other.
pub(super) fn built_in_group(api_version: &str, kind: &str) -> Option<&'static str> {
    if !is_templated(api_version) {
        return None;
    }
    let group = match kind {
        "Pod"
        | "Service"
        | "ConfigMap"
        | "Secret"
        | "ServiceAccount"
        | "Namespace"
        | "PersistentVolumeClaim"
        | "PersistentVolume" => "",
        "Deployment" | "StatefulSet" | "DaemonSet" | "ReplicaSet" => "apps",
        "Job" | "CronJob" => "batch",
        "Ingress" | "NetworkPolicy" | "IngressClass" => "networking.k8s.io",
        "PodDisruptionBudget" => "policy",
        "HorizontalPodAutoscaler" => "autoscaling",
        "Role" | "RoleBinding" | "ClusterRole" | "ClusterRoleBinding" => {
            "rbac.authorization.k8s.io"
        }
        "CustomResourceDefinition" => "apiextensions.k8s.io",
        "StorageClass" => "storage.k8s.io",
        _ => return None,
    };
    Some(group)
}

/// Whether `namespace` is the release's own: Helm applies an object that names no namespace
/// to the release namespace, so writing `namespace: {{ .Release.Namespace }}` out moves
/// nothing.
pub(super) fn is_release_namespace(namespace: &str) -> bool {
    let body = namespace
        .strip_prefix("{{ ")
        .and_then(|n| n.strip_suffix(" }}"))
        .unwrap_or("");
    let value = body
        .strip_suffix(" | quote")
        .or_else(|| body.strip_suffix(" | squote"))
        .unwrap_or(body);
    matches!(value, ".Release.Namespace" | "$.Release.Namespace")
}

/// Whether a template may render whole documents twokey cannot see: a line holding nothing
/// but an action that outputs something (`{{ include "common.pvc" . }}`, `{{ .Files.Get … }}`,
/// `{{ tpl .Values.extraManifests . }}`) without indenting it into a field (`| nindent 4`).
/// Blanked like every action-only line, such an action hides the objects it renders.
pub(super) fn injects_documents(text: &str) -> bool {
    // An indented action that does not trim the blanks before it (`  {{ include
    // "common.storage.class" . }}`) outputs at that indentation: a field, not a document.
    let indented =
        |line: &str| line.starts_with([' ', '\t']) && !line.trim_start().starts_with("{{-");
    text.lines()
        .filter(|line| line.contains("{{") && only_actions(line) && !indented(line))
        .any(|line| actions(line).any(|action| outputs_documents(action.body)))
}

fn outputs_documents(body: &str) -> bool {
    let (word, _) = split_word(body);
    let control = matches!(
        word,
        "if" | "else" | "end" | "with" | "range" | "define" | "break" | "continue"
    );
    // `$name := …` (or `= …`) sets a variable and outputs nothing.
    let declares = body.starts_with('$')
        && body.split_once('=').is_some_and(|(name, _)| {
            let name = name.trim_end_matches(':').trim_end();
            name.chars()
                .all(|c| c == '$' || c == '_' || c.is_alphanumeric())
        });
    if control || declares {
        return false;
    }
    let indented = body.split('|').skip(1).any(|stage| {
        let (function, amount) = split_word(stage.trim());
        matches!(function, "indent" | "nindent")
            && amount.trim().parse::<u32>().is_ok_and(|n| n > 0)
    });
    !indented
}

/// The documents of the file at `path`: a chart template read through [`yaml_text`], where a
/// key written in more than one branch (`{{- if … }}` / `{{- else }}`) keeps its last value,
/// since only one of them renders; any other file as plain YAML.
pub(super) fn documents(path: &RepoPath, text: &str) -> Result<Vec<Node>, crate::yaml::YamlError> {
    let yaml = yaml_text(path, text);
    if matches!(yaml, Cow::Owned(_)) {
        crate::yaml::parse_documents_with_repeated_keys(&yaml)
    } else {
        crate::yaml::parse_documents(&yaml)
    }
}

/// `text` as YAML when `path` is a chart template holding template actions; else unchanged.
pub(super) fn yaml_text<'a>(path: &RepoPath, text: &'a str) -> Cow<'a, str> {
    if !is_chart_template(path) {
        return Cow::Borrowed(text);
    }
    neutralised_text(text)
}

/// `text` with its template actions neutralised as [`yaml_text`] does for a chart template,
/// for other files Helm tooling renders before reading (a Helmfile).
pub(super) fn neutralised_text(text: &str) -> Cow<'_, str> {
    if !text.contains("{{") {
        return Cow::Borrowed(text);
    }
    let lines: Vec<&str> = text
        .split_inclusive('\n')
        .map(|line| line.trim_end_matches(['\n', '\r']))
        .collect();
    let spanned = multi_line_actions(&lines);
    let mut out = String::with_capacity(text.len());
    for (i, (body, line)) in lines.iter().zip(text.split_inclusive('\n')).enumerate() {
        if spanned[i] {
            // An action over several lines (a licence comment): blank, like a one-line one.
        } else if opens_block(&lines, &spanned, i) {
            // `labels: {{- include "x.labels" . | nindent 4 }}` above more-indented lines:
            // the action injects the first entries of the block the lines below continue.
            let indent = body.len() - body.trim_start().len();
            let key = split_key(body.trim_start()).map_or(Cow::Borrowed(""), |(key, _)| key);
            out.push_str(&body[..indent]);
            out.push_str(&key);
            out.push(':');
        } else {
            out.push_str(&neutralised(body));
        }
        out.push_str(&line[body.len()..]);
    }
    Cow::Owned(out)
}

/// How many lines an action over several lines may span: licence comments run to a few dozen.
const MOST_SPANNED_LINES: usize = 200;

/// Which lines belong to an action spanning several lines (`{{- /*` … `*/}}`) with nothing
/// but blanks and actions around it: blanked like a line holding only actions.
fn multi_line_actions(lines: &[&str]) -> Vec<bool> {
    let mut spanned = vec![false; lines.len()];
    let mut i = 0;
    while i < lines.len() {
        let line = lines[i];
        let opens = line.trim_start().starts_with("{{") && !only_actions(line);
        if !opens {
            i += 1;
            continue;
        }
        let start = line.len() - line.trim_start().len();
        // Within a window: a file of unclosed `{{` lines must not be read to its end from each.
        let rest = lines[i..lines.len().min(i + MOST_SPANNED_LINES)].join("\n");
        let Some(end) = action_end(&rest, start + 2) else {
            i += 1;
            continue;
        };
        let last = i + newlines(&rest[..end]) as usize;
        let after = rest[end + 2..].split('\n').next().unwrap_or("");
        if last > i && only_actions(after) {
            spanned[i..=last].iter_mut().for_each(|s| *s = true);
            i = last + 1;
        } else {
            i += 1;
        }
    }
    spanned
}

/// Whether line `i` is `key: ` followed by nothing but actions, and the next line that
/// renders as YAML is indented deeper: the actions open the block (`| nindent 4`).
fn opens_block(lines: &[&str], spanned: &[bool], i: usize) -> bool {
    let line = lines[i];
    let indent = line.len() - line.trim_start().len();
    let Some((_, value)) = split_key(line.trim_start()) else {
        return false;
    };
    if !value.contains("{{") || !only_actions(value) {
        return false;
    }
    let next = (i + 1..lines.len())
        .find(|&j| !spanned[j] && !lines[j].trim().is_empty() && !only_actions(lines[j]));
    next.is_some_and(|j| lines[j].len() - lines[j].trim_start().len() > indent)
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
    if !value.contains("{{") {
        return match lead.contains("{{") {
            true => Cow::Owned(format!("{}{lead}{value}", &line[..indent])),
            false => Cow::Borrowed(line),
        };
    }
    let Some(text) = value_text(value) else {
        return Cow::Borrowed(line);
    };
    Cow::Owned(format!(
        "{}{lead}'{}'",
        &line[..indent],
        text.replace('\'', "''")
    ))
}

/// A templated value as twokey compares it, spelled so that edits which render the same read
/// the same: outer YAML quotes and a trailing comment dropped, comments inside the value
/// dropped, and every action written `{{ body }}` with single spaces (see
/// [`canonical_body`]). Trim markers are dropped too: inside a value they only eat blanks next
/// to the action. `None` for a quoted value followed by more than a comment, left as written.
fn value_text(value: &str) -> Option<String> {
    let body = match value.chars().next() {
        Some(quote @ ('"' | '\'')) => unquoted(value, quote)?,
        _ => Cow::Borrowed(without_comment(value)),
    };
    Some(canonical(&body))
}

/// The text between a value's outer quotes (actions may hold the quote character), when only
/// blanks or a comment follow them.
fn unquoted(value: &str, quote: char) -> Option<Cow<'_, str>> {
    let mut at = quote.len_utf8();
    while let Some(rest) = value.get(at..) {
        if rest.starts_with("{{") {
            at = action_end(value, at + 2)? + 2;
            continue;
        }
        let c = rest.chars().next()?;
        if (quote == '\'' && rest.starts_with("''")) || (quote == '"' && c == '\\') {
            at += c.len_utf8() + rest[c.len_utf8()..].chars().next()?.len_utf8();
            continue;
        }
        if c == quote {
            let after = value[at + 1..].trim_start();
            if !after.is_empty() && !after.starts_with('#') {
                return None;
            }
            let inner = &value[quote.len_utf8()..at];
            return Some(if quote == '\'' {
                Cow::Owned(inner.replace("''", "'"))
            } else {
                Cow::Borrowed(inner)
            });
        }
        at += c.len_utf8();
    }
    None
}

/// A plain value without its trailing comment (a `#` after a blank, outside any action).
fn without_comment(value: &str) -> &str {
    let mut at = 0;
    while let Some(rest) = value.get(at..) {
        if rest.starts_with("{{") {
            match action_end(value, at + 2) {
                Some(end) => at = end + 2,
                None => return value,
            }
            continue;
        }
        let Some(c) = rest.chars().next() else { break };
        if c == '#' && (at == 0 || value[..at].ends_with(char::is_whitespace)) {
            return value[..at].trim_end();
        }
        at += c.len_utf8();
    }
    value
}

/// `text` with every action spelled `{{ body }}` and template comments left out; an action
/// that never ends is kept as written, with the rest of the text.
fn canonical(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut at = 0;
    while let Some(start) = text[at..].find("{{").map(|i| at + i) {
        let Some(end) = action_end(text, start + 2) else {
            break;
        };
        out.push_str(&text[at..start]);
        let body = trimmed(&text[start + 2..end]);
        if !body.starts_with("/*") {
            out.push_str("{{ ");
            let body = canonical_body(body);
            // `template "x" .` outputs what `include "x" .` does (it only cannot be piped).
            match body.strip_prefix("template ") {
                Some(rest) => out.push_str(&format!("include {rest}")),
                None => out.push_str(&body),
            }
            out.push_str(" }}");
        }
        at = end + 2;
    }
    out.push_str(&text[at..]);
    out.trim().to_owned()
}

/// An action's body spelled one way: blanks collapsed to one space, one space on each side of
/// a `|`, none just inside parentheses; string literals kept as written.
pub(super) fn canonical_body(body: &str) -> String {
    let mut out = String::with_capacity(body.len());
    let mut quote: Option<char> = None;
    let mut escaped = false;
    let mut blank = false;
    for c in body.chars() {
        if let Some(q) = quote {
            out.push(c);
            if escaped {
                escaped = false;
            } else if c == '\\' && q != '`' {
                escaped = true;
            } else if c == q {
                quote = None;
            }
            continue;
        }
        match c {
            c if c.is_whitespace() => blank = true,
            '|' => {
                out.push_str(" |");
                blank = true;
            }
            ')' => {
                out.push(')');
                blank = false;
            }
            _ => {
                if blank && !out.is_empty() && !out.ends_with('(') {
                    out.push(' ');
                }
                blank = false;
                if matches!(c, '"' | '\'' | '`') {
                    quote = Some(c);
                }
                out.push(c);
            }
        }
    }
    out.trim().to_owned()
}

/// `key: value`, the key plain or templated (`{{ include "x.fullname" . }}-client: "true"`),
/// a templated key spelled as its quoted text like a templated value.
fn split_key(text: &str) -> Option<(Cow<'_, str>, &str)> {
    let mut at = 0;
    let colon = loop {
        let rest = text.get(at..)?;
        if rest.starts_with("{{") {
            at = action_end(text, at + 2)? + 2;
        } else if rest.starts_with(": ") {
            break at;
        } else {
            at += rest.chars().next()?.len_utf8();
        }
    };
    let (key, value) = (&text[..colon], &text[colon + 2..]);
    if is_templated(key) {
        let quoted = !key.starts_with(['"', '\'']);
        let text = canonical(key).replace('\'', "''");
        return quoted.then(|| (Cow::Owned(format!("'{text}'")), value));
    }
    let plain = !key.is_empty()
        && key
            .chars()
            .all(|c| c.is_alphanumeric() || matches!(c, '_' | '-' | '.' | '/' | '"' | '\''));
    plain.then_some((Cow::Borrowed(key), value))
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

/// The control actions that decide whether what they enclose is rendered.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Keyword {
    If,
    With,
    Range,
}

impl Keyword {
    /// The word that opens the block.
    pub fn word(self) -> &'static str {
        match self {
            Keyword::If => "if",
            Keyword::With => "with",
            Keyword::Range => "range",
        }
    }

    fn parse(word: &str) -> Option<Keyword> {
        match word {
            "if" => Some(Keyword::If),
            "with" => Some(Keyword::With),
            "range" => Some(Keyword::Range),
            _ => None,
        }
    }
}

/// A pipeline a branch depends on, and which way it must go for the branch to render: its
/// own test must hold; the tests of the branches before it in the chain must fail.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Test {
    pub keyword: Keyword,
    /// `.Values.persistence.enabled`; for `range $k, $v := .Values.x`, `.Values.x`.
    pub pipeline: String,
    pub holds: bool,
}

impl Test {
    /// The outcome that stops the branch from rendering, as a reviewer would say it.
    pub fn failure(&self) -> String {
        let outcome = match (self.keyword, self.holds) {
            (Keyword::If, true) => "evaluates false",
            (Keyword::If, false) => "evaluates true",
            (Keyword::With | Keyword::Range, true) => "is empty",
            (Keyword::With, false) => "is set",
            (Keyword::Range, false) => "has items",
        };
        format!("`{}` {outcome}", self.pipeline)
    }
}

/// One branch of an `if`, `with` or `range` block: the text between the action that opens it
/// and the next `else` or the `end`, rendered only when its tests go its way.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Branch {
    /// Which block (numbered in the order they open) and which of its branches.
    pub block: usize,
    pub index: usize,
    /// How many branches the block has, and whether its last is a plain `else`, so that one
    /// of them renders whatever the tests give.
    pub count: usize,
    pub exhaustive: bool,
    /// The opening action as written between the braces: `if .Values.persistence.enabled`.
    pub action: String,
    pub tests: Vec<Test>,
    /// The lines (1-based) of the opening and the closing action.
    pub opens: u32,
    pub closes: u32,
}

impl Branch {
    /// Whether the branch holds lines `line..=end_line` whole. An action on the first line
    /// belongs to a value (`apiVersion: {{ if … }}`), not around the object.
    pub fn encloses(&self, line: u32, end_line: u32) -> bool {
        self.opens < line && end_line <= self.closes
    }
}

/// A block being read: its branches so far, and the tests the next one inherits.
struct OpenBlock {
    number: usize,
    /// Where its finished branches start in the output, to mark them once the block ends.
    first: usize,
    current: Branch,
    /// Every test so far, negated: an `else` renders only when they all fail.
    failed: Vec<Test>,
}

/// Every branch of every `if`, `with` and `range` block in a template, in the order they
/// close. `define` and `block` nest like them but render (or not) wherever they are
/// included, so they open no branch. A block left open runs to the end of the text; a stray
/// `end` is ignored.
pub(super) fn branches(text: &str) -> Vec<Branch> {
    let mut out = Vec::new();
    // `None` for a `define` or `block`, whose `end` must not close an enclosing `if`.
    let mut open: Vec<Option<OpenBlock>> = Vec::new();
    let mut blocks = 0;
    for action in actions(text) {
        let (word, rest) = split_word(action.body);
        match word {
            "end" => {
                if let Some(Some(block)) = open.pop() {
                    close(block, action.line, &mut out);
                }
            }
            "else" => {
                if let Some(Some(block)) = open.last_mut() {
                    next_branch(block, rest, action, &mut out);
                }
            }
            "define" | "block" => open.push(None),
            _ => {
                let Some(keyword) = Keyword::parse(word) else {
                    continue;
                };
                let test = Test {
                    keyword,
                    pipeline: pipeline(rest).to_owned(),
                    holds: true,
                };
                let failed = vec![Test {
                    holds: false,
                    ..test.clone()
                }];
                let current = Branch {
                    block: blocks,
                    index: 0,
                    count: 0,
                    exhaustive: false,
                    action: action.body.to_owned(),
                    tests: vec![test],
                    opens: action.line,
                    closes: action.line,
                };
                open.push(Some(OpenBlock {
                    number: blocks,
                    first: out.len(),
                    current,
                    failed,
                }));
                blocks += 1;
            }
        }
    }
    let last_line = line_count(text);
    while let Some(block) = open.pop() {
        if let Some(block) = block {
            close(block, last_line, &mut out);
        }
    }
    out
}

/// `else`, `else if c` or `else with c`: the branch so far ends, the next one begins.
fn next_branch(block: &mut OpenBlock, rest: &str, action: Action<'_>, out: &mut Vec<Branch>) {
    let (word, condition) = split_word(rest);
    let own = Keyword::parse(word).map(|keyword| Test {
        keyword,
        pipeline: pipeline(condition).to_owned(),
        holds: true,
    });
    let mut tests = block.failed.clone();
    tests.extend(own.clone());
    let next = Branch {
        index: block.current.index + 1,
        exhaustive: own.is_none(),
        action: action.body.to_owned(),
        tests,
        opens: action.line,
        closes: action.line,
        ..block.current.clone()
    };
    let mut done = std::mem::replace(&mut block.current, next);
    done.closes = action.line;
    out.push(done);
    if let Some(own) = own {
        block.failed.push(Test {
            holds: false,
            ..own
        });
    }
}

fn close(mut block: OpenBlock, line: u32, out: &mut Vec<Branch>) {
    block.current.closes = line;
    out.push(block.current);
    let branches = &mut out[block.first..];
    let count = branches.iter().filter(|b| b.block == block.number).count();
    let exhaustive = branches
        .iter()
        .any(|b| b.block == block.number && b.exhaustive);
    for branch in branches.iter_mut().filter(|b| b.block == block.number) {
        branch.count = count;
        branch.exhaustive = exhaustive;
    }
}

/// The pipeline a block tests, without the variables it declares.
fn pipeline(rest: &str) -> &str {
    match rest.split_once(":=") {
        Some((vars, value)) if vars.trim_start().starts_with('$') => value.trim(),
        _ => rest.trim(),
    }
}

/// The leading word of an action (`if`, `end`, `else`) and what follows it.
fn split_word(body: &str) -> (&str, &str) {
    let end = body
        .find(|c: char| !c.is_ascii_alphanumeric() && c != '_')
        .unwrap_or(body.len());
    (&body[..end], body[end..].trim_start())
}

fn line_count(text: &str) -> u32 {
    let newlines = text.bytes().filter(|b| *b == b'\n').count();
    u32::try_from(newlines + 1).unwrap_or(u32::MAX)
}

/// One `{{ … }}` action: the line it starts on, and what is between the braces without the
/// trim markers and the surrounding blanks.
#[derive(Debug, Clone, Copy)]
struct Action<'a> {
    line: u32,
    body: &'a str,
}

/// The actions of a template, in order, comments left out. Braces inside a quoted string do
/// not end an action; an action that never ends ends the scan, as it ends Helm's.
fn actions(text: &str) -> impl Iterator<Item = Action<'_>> {
    let mut at = 0;
    let mut line = 1u32;
    std::iter::from_fn(move || loop {
        let start = at + text.get(at..)?.find("{{")?;
        line = line.saturating_add(newlines(&text[at..start]));
        let inner = start + 2;
        let end = action_end(text, inner)?;
        at = end + 2;
        let raw = &text[inner..end];
        let newlines_inside = newlines(raw);
        let action = Action {
            line,
            body: trimmed(raw),
        };
        line = line.saturating_add(newlines_inside);
        if !action.body.starts_with("/*") {
            return Some(action);
        }
    })
}

fn newlines(text: &str) -> u32 {
    u32::try_from(text.bytes().filter(|b| *b == b'\n').count()).unwrap_or(u32::MAX)
}

/// Where the `}}` that ends the action opened before `from` is: past quoted strings, and
/// for a comment, past its `*/`.
fn action_end(text: &str, from: usize) -> Option<usize> {
    let body = &text[from..];
    let lead = body.len() - trim_marker_start(body).len();
    if trim_marker_start(body).starts_with("/*") {
        let close = from + lead + body[lead..].find("*/")? + 2;
        return text[close..].find("}}").map(|i| close + i);
    }
    let mut quote: Option<char> = None;
    let mut escaped = false;
    let mut chars = body.char_indices().peekable();
    while let Some((i, c)) = chars.next() {
        match quote {
            Some(q) => {
                if escaped {
                    escaped = false;
                } else if c == '\\' && q != '`' {
                    escaped = true;
                } else if c == q {
                    quote = None;
                }
            }
            None if matches!(c, '"' | '`' | '\'') => quote = Some(c),
            None if c == '}' && chars.peek().is_some_and(|(_, n)| *n == '}') => {
                return Some(from + i);
            }
            None => {}
        }
    }
    None
}

/// The body without a leading `- ` trim marker (`{{-3}}` is the number -3, not a marker).
fn trim_marker_start(body: &str) -> &str {
    match body.strip_prefix('-') {
        Some(rest) if rest.starts_with(char::is_whitespace) => rest,
        _ => body,
    }
    .trim_start()
}

fn trimmed(raw: &str) -> &str {
    let body = trim_marker_start(raw).trim_end();
    match body.strip_suffix('-') {
        Some(rest) if rest.ends_with(char::is_whitespace) || rest.is_empty() => rest.trim_end(),
        _ => body,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

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
    fn comments_over_several_lines_and_actions_opening_a_block_read_as_yaml() {
        let template = "{{- /*\nCopyright Example Ltd.\nLicence: X\n*/}}\nmetadata:\n  labels: {{- include \"a.labels\" . | nindent 4 }}\n    tier: db\n  annotations: {{- toYaml .Values.annotations | nindent 4 }}\n  {{ template \"a.fullname\" . }}-client: \"true\"\n";
        let yaml = render(template);
        assert_eq!(
            yaml,
            "\n\n\n\nmetadata:\n  labels:\n    tier: db\n  annotations: '{{ toYaml .Values.annotations | nindent 4 }}'\n  '{{ include \"a.fullname\" . }}-client': \"true\"\n"
        );
        // A comment followed by text on its last line is not blanked.
        let text = "{{- /*\nnote\n*/}} x: 1\n";
        assert_eq!(render(text).lines().next(), Some("{{- /*"));
    }

    #[test]
    fn an_action_spanning_more_lines_than_any_licence_is_not_followed() {
        let comment = |lines: usize| {
            format!(
                "{{{{- /*\n{}*/}}}}\nkind: ConfigMap\n",
                "licence line\n".repeat(lines)
            )
        };
        let within = render(&comment(MOST_SPANNED_LINES - 2));
        assert!(!within.contains("licence line"), "blanked");
        let beyond = render(&comment(MOST_SPANNED_LINES + 5));
        assert!(beyond.contains("licence line"), "left as it is");
        assert_eq!(
            beyond.lines().count(),
            comment(MOST_SPANNED_LINES + 5).lines().count(),
            "every line stays where it was"
        );
    }

    #[test]
    fn a_key_written_in_both_branches_of_an_if_keeps_the_last() {
        let path = RepoPath::new("charts/app/templates/x.yaml");
        let text = "spec:\n  {{- if .Values.a }}\n  type: {{ .Values.a }}\n  {{- else }}\n  type: ClusterIP\n  {{- end }}\n";
        let docs = documents(&path, text).expect("parses");
        assert_eq!(
            docs[0].path(&["spec", "type"]).and_then(Node::as_str),
            Some("ClusterIP")
        );
        // Outside a chart template a repeated key is still an error.
        let plain = "spec:\n  type: A\n  type: B\n";
        assert!(documents(&RepoPath::new("k8s/x.yaml"), plain).is_err());
    }

    #[test]
    fn a_templated_api_version_names_the_group_of_a_built_in_kind_only() {
        let templated = "{{ include \"common.capabilities.statefulset.apiVersion\" . }}";
        assert_eq!(built_in_group(templated, "StatefulSet"), Some("apps"));
        assert_eq!(built_in_group(templated, "PersistentVolumeClaim"), Some(""));
        assert_eq!(built_in_group(templated, "Certificate"), None);
        assert_eq!(built_in_group("apps/v1", "StatefulSet"), None);
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

    #[test]
    fn templated_values_are_spelled_one_way_whatever_their_quoting_spacing_or_comments() {
        let expected = "name: '{{ include \"a\" . }}-data'\n";
        for line in [
            "name: {{ include \"a\" . }}-data\n",
            "name: {{include \"a\" .}}-data\n",
            "name: \"{{ include \"a\" . }}-data\"\n",
            "name: '{{- include  \"a\"  . -}}-data' # the claim\n",
            "name: {{ include \"a\" . }}-data # the claim\n",
            "name: {{ include \"a\" . }}{{/* stable */}}-data\n",
        ] {
            assert_eq!(render(line), expected, "{line}");
        }
        let pipes = [
            "{{ .Values.x|quote }}",
            "{{ ( default \"a\" .Values.x ) | quote }}",
        ];
        assert_eq!(
            render(&format!("a: {}\n", pipes[0])),
            "a: '{{ .Values.x | quote }}'\n"
        );
        assert_eq!(
            render(&format!("a: {}\n", pipes[1])),
            "a: '{{ (default \"a\" .Values.x) | quote }}'\n"
        );
        // Inside a string literal, or after a `#` that is not a comment, text is kept.
        assert_eq!(
            render("a: {{ printf \"%s  #x\" .Values.y }}#z\n"),
            "a: '{{ printf \"%s  #x\" .Values.y }}#z'\n"
        );
        // A quoted value followed by more than a comment is left as written.
        assert_eq!(
            render("a: \"{{ .Values.x }}\" b\n"),
            "a: \"{{ .Values.x }}\" b\n"
        );
    }

    fn node(yaml: &str) -> crate::yaml::Node {
        crate::yaml::parse_documents(yaml)
            .ok()
            .and_then(|d| d.into_iter().next())
            .unwrap_or_else(|| panic!("{yaml}"))
    }

    #[test]
    fn compare_tells_a_changed_template_from_a_changed_literal() {
        let cases = [
            (
                "{a: '{{ .Values.x }}'}",
                "{a: '{{ .Values.x }}'}",
                Comparison::Same,
            ),
            (
                "{a: '{{ .Values.x }}'}",
                "{a: '{{ .Values.y }}'}",
                Comparison::Unknown,
            ),
            (
                "{a: standard}",
                "{a: '{{ .Values.x }}'}",
                Comparison::Unknown,
            ),
            ("{a: standard}", "{a: premium}", Comparison::Differs),
            (
                "{a: '{{ .Values.x }}', b: 1}",
                "{a: '{{ .Values.y }}', b: 2}",
                Comparison::Differs,
            ),
            (
                "{a: '{{ .Values.x }}'}",
                "{a: '{{ .Values.x }}', b: 1}",
                Comparison::Differs,
            ),
            (
                "[a, '{{ .Values.x }}']",
                "[a, '{{ .Values.y }}']",
                Comparison::Unknown,
            ),
        ];
        for (a, b, expected) in cases {
            assert_eq!(compare(&node(a), &node(b)), expected, "{a} vs {b}");
        }
    }

    #[test]
    fn the_release_namespace_is_recognised_in_its_spellings() {
        for ns in [
            "{{ .Release.Namespace }}",
            "{{ .Release.Namespace | quote }}",
            "{{ $.Release.Namespace }}",
        ] {
            assert!(is_release_namespace(ns), "{ns}");
        }
        for ns in [
            "{{ .Values.namespace }}",
            "shop",
            "{{ .Release.Namespace }}-jobs",
        ] {
            assert!(!is_release_namespace(ns), "{ns}");
        }
    }

    #[test]
    fn only_actions_that_output_unindented_text_may_inject_documents() {
        for text in [
            "{{ include \"common.pvc\" . }}\n",
            "{{- if .Values.x }}\n  {{- template \"x\" . }}\n{{- end }}\n",
            "{{ tpl (toYaml .Values.extraManifests) . }}\n",
        ] {
            assert!(injects_documents(text), "{text}");
        }
        for text in [
            "{{- if .Values.x }}\nkind: A\n{{- else }}\n{{- end }}\n",
            "{{- $name := include \"x\" . -}}\n",
            "metadata:\n  labels:\n    {{- include \"x.labels\" . | nindent 4 }}\n",
            "name: {{ include \"x\" . }}\n",
            "{{/* include \"x\" . */}}\n",
            "spec:\n  {{ include \"common.storage.class\" . }}\n",
        ] {
            assert!(!injects_documents(text), "{text}");
        }
    }

    #[test]
    fn partials_and_notes_do_not_render_manifests() {
        let renders = |p: &str| renders_manifests(&RepoPath::new(p));
        assert!(renders("charts/app/templates/pvc.yaml"));
        assert!(renders("charts/app/templates/tests/pod.yml"));
        assert!(!renders("charts/app/templates/_helpers.tpl"));
        assert!(!renders("charts/app/templates/_pvc.yaml"));
        assert!(!renders("charts/app/templates/NOTES.txt"));
        assert!(!renders("charts/app/values.yaml"));
    }

    /// `(opens, closes, action, failures)` of each branch, for compact assertions.
    fn spans(text: &str) -> Vec<(u32, u32, String, Vec<String>)> {
        branches(text)
            .into_iter()
            .map(|b| {
                let failures = b.tests.iter().map(Test::failure).collect();
                (b.opens, b.closes, b.action, failures)
            })
            .collect()
    }

    #[test]
    fn branches_follow_nesting_trim_markers_and_else_chains() {
        let text = "{{- if .Values.a -}}\nx: 1\n{{- with .Values.b }}\ny: 2\n{{- end }}\n{{ else if .Values.c }}\nz: 3\n{{- else -}}\nw: 4\n{{- end }}\n";
        let got = spans(text);
        assert_eq!(got.len(), 4, "{got:?}");
        assert_eq!(
            got[0],
            (
                3,
                5,
                "with .Values.b".into(),
                vec!["`.Values.b` is empty".into()]
            )
        );
        assert_eq!(
            got[1],
            (
                1,
                6,
                "if .Values.a".into(),
                vec!["`.Values.a` evaluates false".into()]
            )
        );
        assert_eq!(
            got[2].3,
            ["`.Values.a` evaluates true", "`.Values.c` evaluates false"]
        );
        assert_eq!((got[3].0, got[3].1), (8, 10));
        assert_eq!(
            got[3].3,
            ["`.Values.a` evaluates true", "`.Values.c` evaluates true"]
        );
        let all = branches(text);
        assert!(all
            .iter()
            .filter(|b| b.block == all[1].block)
            .all(|b| b.exhaustive && b.count == 3));
        assert!(!all[0].exhaustive);
    }

    #[test]
    fn range_and_with_name_what_they_test_not_the_variables_they_declare() {
        let got = spans(
            "{{- range $name, $cfg := .Values.volumes }}\na: b\n{{- else }}\nc: d\n{{- end }}\n",
        );
        assert_eq!(got[0].3, ["`.Values.volumes` is empty"]);
        assert_eq!(got[1].3, ["`.Values.volumes` has items"]);
        assert_eq!(got[0].2, "range $name, $cfg := .Values.volumes");
    }

    #[test]
    fn comments_strings_and_inline_actions_open_nothing_around_lines() {
        let text = "{{/* {{ if .Values.a }} */}}\n{{- /*\n  if .Values.b\n*/ -}}\nname: {{ printf \"}}{{ if\" }}\nkind: {{ if .Values.c }}A{{ else }}B{{ end }}\n{{-3}}\n";
        let got = branches(text);
        // Only the inline `if` on line 6 opens branches, and they hold no whole line.
        assert_eq!(got.len(), 2, "{got:?}");
        assert!(got.iter().all(|b| b.opens == 6 && b.closes == 6));
        assert!(!got.iter().any(|b| b.encloses(6, 6)));
    }

    #[test]
    fn define_nests_without_guarding_and_stray_or_missing_ends_are_tolerated() {
        let text = "{{- define \"app.pvc\" }}\n{{- if .Values.x }}\na: 1\n{{- end }}\n{{- end }}\n{{- end }}\n{{ if .Values.open }}\nb: 2\n";
        let got = spans(text);
        assert_eq!(got.len(), 2, "{got:?}");
        assert_eq!((got[0].0, got[0].1), (2, 4));
        // Left open, a block runs to the end of the text.
        assert_eq!((got[1].0, got[1].1), (7, 9));
    }

    proptest! {
        #[test]
        fn branches_never_cross_and_lie_within_the_text(
            parts in proptest::collection::vec(prop_oneof![
                Just("{{- if .Values.a }}"), Just("{{ with .Values.b -}}"), Just("{{ range .Values.c }}"),
                Just("{{- else }}"), Just("{{ else if .Values.d }}"), Just("{{- end }}"), Just("{{ end -}}"),
                Just("{{ define \"x\" }}"), Just("{{/* if */}}"), Just("{{ \"}}\" }}"), Just("{{"), Just("}}"),
                Just("a: b"), Just("\n"), Just("\n"), Just("'"), Just("\""),
            ], 0..40),
        ) {
            let text: String = parts.concat();
            let lines = line_count(&text);
            let got = branches(&text);
            for b in &got {
                prop_assert!(1 <= b.opens && b.opens <= b.closes && b.closes <= lines, "{:?}", b);
                prop_assert!(b.index < b.count, "{:?}", b);
            }
            for a in &got {
                for b in &got {
                    let nested = a.opens <= b.opens && b.closes <= a.closes
                        || b.opens <= a.opens && a.closes <= b.closes;
                    let apart = a.closes <= b.opens || b.closes <= a.opens;
                    prop_assert!(nested || apart, "{:?} crosses {:?}", a, b);
                }
            }
        }

        #[test]
        fn neutralising_a_template_keeps_every_line_where_it_was(
            lines in proptest::collection::vec("( {0,4})(\\{\\{-? (if|end|include \"x\" \\.|\\.Values\\.[a-z]{1,3}) -?\\}\\}|[a-z]{1,4}: |- ){0,3}[a-z'\" ]{0,6}", 0..20),
        ) {
            let text = lines.join("\n");
            let yaml = render(&text);
            // Newlines, not `lines()`: a blanked last line has no text left to count.
            prop_assert_eq!(yaml.matches('\n').count(), text.matches('\n').count());
        }
    }
}
