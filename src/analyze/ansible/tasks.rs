//! tasks: finds the module calls of a playbook, task file or handler file in every form
//! Ansible accepts (`module: {…}`, `module: k=v …`, `args:`, `action:`, `local_action:`),
//! with their arguments and the task's inline loop items. It reads; it does not judge.

use std::sync::LazyLock;

use regex::Regex;

use crate::yaml::{Node, Value};

/// Keys of a task or play that are not modules: their values are walked, not judged.
const KEYWORDS: &[&str] = &[
    "name",
    "hosts",
    "tasks",
    "pre_tasks",
    "post_tasks",
    "handlers",
    "block",
    "rescue",
    "always",
    "roles",
    "vars",
    "args",
    "when",
    "loop",
    "loop_control",
    "register",
    "notify",
    "tags",
    "environment",
    "delegate_to",
    "become",
    "become_user",
    "listen",
    "module_defaults",
];

/// One module call: the module as written, its arguments, and the items of the task's loop
/// when they are written inline.
pub struct Call<'a> {
    pub module: String,
    pub args: Args<'a>,
    pub items: Vec<&'a Node>,
    /// The task, or a block or play around it, runs only when asked: a `when:` condition, or
    /// `tags: never` (run only with `--tags`).
    pub guarded: bool,
    /// The task, its block or its play sets `check_mode: true`: it reports what it would
    /// change and changes nothing.
    pub check_only: bool,
}

/// What the tasks, blocks and plays around a call say about whether it runs.
#[derive(Clone, Copy, Default)]
struct Scope {
    guarded: bool,
    check_only: bool,
}

impl Scope {
    /// The scope inside `node` (a play, block or task): its own `when`, `tags` and
    /// `check_mode` added to the enclosing ones; `check_mode: false` lifts an outer `true`.
    fn within(self, node: &Node) -> Scope {
        let never = node.get("tags").is_some_and(|tags| match &tags.value {
            Value::Scalar(s) => s.split(',').any(|t| t.trim() == "never"),
            Value::Seq(items) => items.iter().any(|t| t.as_str() == Some("never")),
            _ => false,
        });
        let check_only = match node.get("check_mode").and_then(Node::as_str) {
            Some(v) => matches!(
                v.to_ascii_lowercase().as_str(),
                "yes" | "true" | "on" | "1" | "y"
            ),
            None => self.check_only,
        };
        Scope {
            guarded: self.guarded || never || node.get("when").is_some(),
            check_only,
        }
    }
}

/// A call's arguments: the module's mapping and the task's `args:`, or the words of the
/// free-form `key=value …` string.
#[derive(Clone)]
pub struct Args<'a> {
    maps: Vec<&'a Node>,
    words: Vec<(String, String)>,
    line: u32,
    /// Variables put into `{{ name }}` (and `{{ name | filter }}`) wherever they appear.
    vars: Vec<(String, String)>,
}

/// An argument's text once a loop item is put in, and the line it comes from (the item's
/// line when the item supplied it).
pub struct Arg {
    pub text: String,
    pub line: u32,
    /// The loop item supplied (part of) the text.
    pub from_item: bool,
}

impl<'a> Args<'a> {
    /// The argument's node, when written as a mapping.
    pub fn node(&self, key: &str) -> Option<&'a Node> {
        self.maps.iter().find_map(|m| m.get(key))
    }

    /// The argument's text (a list of scalars reads as its items joined by commas), with
    /// `{{ item }}`, `{{ item.key }}` and `{{ item.key | default('x') }}` taken from `item`.
    pub fn get(&self, key: &str, item: Option<&Node>) -> Option<Arg> {
        let (text, line) = match self.node(key) {
            Some(node) => (scalar_text(node)?, node.line),
            None => {
                let (_, value) = self.words.iter().find(|(k, _)| k == key)?;
                (value.clone(), self.line)
            }
        };
        let text = if self.vars.is_empty() {
            text
        } else {
            fill(&text, &self.vars)
        };
        Some(match item {
            Some(item) => render(&text, item, line),
            None => Arg {
                text,
                line,
                from_item: false,
            },
        })
    }

    /// Reads `{{ name }}` as `value` in every argument from now on.
    pub fn set_var(&mut self, name: &str, value: &str) {
        self.vars.push((name.to_owned(), value.to_owned()));
    }

    pub fn truthy(&self, key: &str) -> bool {
        self.get(key, None).is_some_and(|a| {
            matches!(
                a.text.to_ascii_lowercase().as_str(),
                "yes" | "true" | "on" | "1" | "y"
            )
        })
    }
}

fn scalar_text(node: &Node) -> Option<String> {
    match &node.value {
        Value::Scalar(s) => Some(s.clone()),
        Value::Seq(items) => {
            let texts: Vec<&str> = items.iter().filter_map(Node::as_str).collect();
            (!texts.is_empty()).then(|| texts.join(", "))
        }
        _ => None,
    }
}

static ITEM: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r#"\{\{\s*item(?:\.(\w+)|\[\s*['"](\w+)['"]\s*\])?\s*(?:\|\s*default\(\s*['"]?([^'")]*)['"]?\s*\))?\s*\}\}"#,
    )
    .expect("the loop item pattern is valid")
});

/// Puts a loop item into a templated argument. An expression the item cannot answer is
/// left as written.
fn render(text: &str, item: &Node, line: u32) -> Arg {
    let mut from_item = None;
    let rendered = ITEM.replace_all(text, |caps: &regex::Captures| {
        let whole = caps[0].to_owned();
        let field = caps.get(1).or(caps.get(2)).map(|m| m.as_str());
        let value = match field {
            None => item.as_str().map(|s| (s.to_owned(), item.line)),
            Some(field) => match item.get(field) {
                Some(v) => v.as_str().map(|s| (s.to_owned(), v.line)),
                None => caps.get(3).map(|d| (d.as_str().to_owned(), item.line)),
            },
        };
        match value {
            Some((text, at)) => {
                from_item.get_or_insert(at);
                text
            }
            None => whole,
        }
    });
    Arg {
        text: rendered.into_owned(),
        line: from_item.unwrap_or(line),
        from_item: from_item.is_some(),
    }
}

/// Puts variables into `{{ name }}` and `{{ name | filter }}`; other expressions stay as
/// written. A filter is dropped with its variable: `{{ app_state | default('present') }}`
/// reads as the variable's value.
fn fill(text: &str, vars: &[(String, String)]) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(start) = rest.find("{{") {
        let Some(len) = rest[start..].find("}}") else {
            break;
        };
        let expression = &rest[start + 2..start + len];
        let name = expression.split('|').next().unwrap_or("").trim();
        out.push_str(&rest[..start]);
        match vars.iter().find(|(n, _)| n == name) {
            Some((_, value)) => out.push_str(value),
            None => out.push_str(&rest[start..start + len + 2]),
        }
        rest = &rest[start + len + 2..];
    }
    out.push_str(rest);
    out
}

/// The short name of a module: the last part of a fully qualified collection name.
pub fn short(module: &str) -> &str {
    module.rsplit('.').next().unwrap_or(module)
}

/// Every module call in a document whose short name `known` accepts, however deep it
/// nests (plays, `block`, `rescue`, `always`, handlers).
pub fn calls<'a>(doc: &'a Node, known: &dyn Fn(&str) -> bool, out: &mut Vec<Call<'a>>) {
    walk(doc, known, Scope::default(), out);
}

fn walk<'a>(doc: &'a Node, known: &dyn Fn(&str) -> bool, scope: Scope, out: &mut Vec<Call<'a>>) {
    match &doc.value {
        Value::Seq(items) => items.iter().for_each(|i| walk(i, known, scope, out)),
        Value::Map(entries) => {
            let scope = scope.within(doc);
            for (key, value) in entries {
                if KEYWORDS.contains(&key.as_str()) || key.starts_with("with_") {
                    walk(value, known, scope, out);
                } else if let Some(mut call) = call_of(doc, key, value, known) {
                    call.guarded = scope.guarded;
                    call.check_only = scope.check_only;
                    out.push(call);
                } else {
                    walk(value, known, scope, out);
                }
            }
        }
        Value::Tagged(_, inner) => walk(inner, known, scope, out),
        _ => {}
    }
}

fn call_of<'a>(
    task: &'a Node,
    key: &str,
    value: &'a Node,
    known: &dyn Fn(&str) -> bool,
) -> Option<Call<'a>> {
    let (module, mut args) = if key == "action" || key == "local_action" {
        // `action: file path=/x state=absent`, or `local_action: {module: file, path: /x}`.
        match &value.value {
            Value::Scalar(text) => {
                let (module, rest) = text.trim().split_once(char::is_whitespace)?;
                (module.to_owned(), free_form(rest, value.line))
            }
            Value::Map(_) => {
                let module = value.get("module")?.as_str()?.to_owned();
                (module, mapping(value))
            }
            _ => return None,
        }
    } else {
        if !known(short(key)) {
            return None;
        }
        let args = match &value.value {
            Value::Scalar(text) => free_form(text, value.line),
            Value::Map(_) => mapping(value),
            Value::Null => Args {
                maps: Vec::new(),
                words: Vec::new(),
                line: value.line,
                vars: Vec::new(),
            },
            _ => return None,
        };
        (key.to_owned(), args)
    };
    if !known(short(&module)) {
        return None;
    }
    // The older `args:` keyword carries (more) arguments beside the module.
    if let Some(extra) = task.get("args").filter(|a| !a.as_map().is_empty()) {
        args.maps.push(extra);
    }
    let items = task
        .as_map()
        .iter()
        .filter(|(k, _)| k == "loop" || k.starts_with("with_"))
        .flat_map(|(_, v)| v.as_seq())
        .collect();
    Some(Call {
        module,
        args,
        items,
        guarded: false,
        check_only: false,
    })
}

fn mapping(node: &Node) -> Args<'_> {
    Args {
        maps: vec![node],
        words: Vec::new(),
        line: node.line,
        vars: Vec::new(),
    }
}

/// `path="/srv/app data" state=absent mode={{ m }}`: whitespace separates words except
/// inside quotes and `{{ }}`.
fn free_form(text: &str, line: u32) -> Args<'static> {
    let mut words = Vec::new();
    let mut word = String::new();
    let mut quote = None;
    let mut depth = 0usize;
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '"' | '\'' if quote.is_none() && depth == 0 => quote = Some(c),
            c if Some(c) == quote => quote = None,
            '{' if quote.is_none() && chars.peek() == Some(&'{') => {
                depth += 1;
                word.push(c);
            }
            '}' if quote.is_none() && depth > 0 && chars.peek() == Some(&'}') => {
                depth -= 1;
                word.push(c);
            }
            c if c.is_whitespace() && quote.is_none() && depth == 0 => {
                words.push(std::mem::take(&mut word));
            }
            c => word.push(c),
        }
    }
    words.push(word);
    Args {
        maps: Vec::new(),
        words: words
            .into_iter()
            .filter_map(|w| {
                let (k, v) = w.split_once('=')?;
                Some((k.to_owned(), v.to_owned()))
            })
            .collect(),
        line,
        vars: Vec::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::yaml::parse_documents;

    fn first(text: &str) -> (Vec<Node>, usize) {
        let docs = parse_documents(text).unwrap();
        let mut found = Vec::new();
        calls(&docs[0], &|m| m == "file", &mut found);
        let n = found.len();
        (docs, n)
    }

    fn with_call(text: &str, check: impl Fn(&Call)) {
        let docs = parse_documents(text).unwrap();
        let mut found = Vec::new();
        calls(&docs[0], &|m| m == "file", &mut found);
        assert_eq!(found.len(), 1, "{text}");
        check(&found[0]);
    }

    #[test]
    fn free_form_words_keep_quoted_spaces_and_jinja_together() {
        with_call(
            "- file: path=\"/srv/app data\" state=absent owner={{ app user }}\n",
            |c| {
                assert_eq!(c.args.get("path", None).unwrap().text, "/srv/app data");
                assert_eq!(c.args.get("state", None).unwrap().text, "absent");
                assert_eq!(c.args.get("owner", None).unwrap().text, "{{ app user }}");
            },
        );
    }

    #[test]
    fn action_local_action_and_args_forms_are_calls() {
        with_call("- action: file path=/srv/data state=absent\n", |c| {
            assert_eq!(c.module, "file");
            assert_eq!(c.args.get("path", None).unwrap().text, "/srv/data");
        });
        with_call(
            "- local_action:\n    module: file\n    path: /srv/data\n    state: absent\n",
            |c| assert_eq!(c.args.get("state", None).unwrap().line, 4),
        );
        with_call("- file:\n  args:\n    path: /srv/data\n", |c| {
            assert_eq!(c.args.get("path", None).unwrap().text, "/srv/data")
        });
        // A module the caller does not judge is no call, and neither is a keyword.
        assert_eq!(first("- copy: src=a dest=/srv/data\n- name: file\n").1, 0);
    }

    #[test]
    fn loop_items_fill_item_expressions_and_say_where_they_stand() {
        let text = "- file:\n    path: \"{{ item.path }}\"\n    state: \"{{ item.state | default('present') }}\"\n  loop:\n    - {path: /srv/a}\n    - path: /srv/b\n      state: absent\n";
        with_call(text, |c| {
            assert_eq!(c.items.len(), 2);
            let a = c.args.get("state", Some(c.items[0])).unwrap();
            assert_eq!((a.text.as_str(), a.line), ("present", 5));
            let b = c.args.get("state", Some(c.items[1])).unwrap();
            assert_eq!((b.text.as_str(), b.line), ("absent", 7));
            assert_eq!(c.args.get("path", Some(c.items[1])).unwrap().text, "/srv/b");
        });
        // An expression the item cannot answer stays as written.
        let text = "- file: {path: \"{{ item }}/{{ base }}\"}\n  with_items: [/srv]\n";
        with_call(text, |c| {
            let p = c.args.get("path", Some(c.items[0])).unwrap();
            assert_eq!(p.text, "/srv/{{ base }}");
        });
    }

    #[test]
    fn variables_set_on_the_arguments_fill_their_expressions() {
        let vars = [("app_state".to_owned(), "absent".to_owned())];
        assert_eq!(fill("{{ app_state }}", &vars), "absent");
        assert_eq!(fill("{{app_state | default('present')}}", &vars), "absent");
        assert_eq!(
            fill("x-{{ other }}-{{ app_state }}", &vars),
            "x-{{ other }}-absent"
        );
        assert_eq!(fill("{{ app_state", &vars), "{{ app_state");
    }

    #[test]
    fn conditions_never_tags_and_check_mode_reach_the_calls_inside() {
        let text = "- hosts: db\n  check_mode: true\n  tasks:\n    - block:\n        - file: {path: /a}\n      when: teardown\n    - file: {path: /b}\n      check_mode: false\n      tags: [never, destroy]\n    - file: {path: /c}\n";
        let docs = parse_documents(text).unwrap();
        let mut found = Vec::new();
        calls(&docs[0], &|m| m == "file", &mut found);
        let seen: Vec<(bool, bool)> = found.iter().map(|c| (c.guarded, c.check_only)).collect();
        assert_eq!(seen, [(true, true), (true, false), (false, true)]);
    }

    mod properties {
        use super::super::free_form;
        use proptest::prelude::*;
        use std::collections::BTreeMap;

        /// A value and how it is written free-form: bare, double- or single-quoted (spaces,
        /// `=` and the other quote inside), or a Jinja expression with spaces.
        fn value() -> impl Strategy<Value = (String, String)> {
            prop_oneof![
                "[a-zA-Z0-9/._:,-]{0,10}".prop_map(|v| (v.clone(), v)),
                "[a-zA-Z0-9 /=',{}-]{0,10}".prop_map(|v| (v.clone(), format!("\"{v}\""))),
                "[a-zA-Z0-9 /=\",{}-]{0,10}".prop_map(|v| (v.clone(), format!("'{v}'"))),
                "[a-z_. |'()]{0,10}".prop_map(|v| {
                    let t = format!("{{{{ {v} }}}}");
                    (t.clone(), t)
                }),
            ]
        }

        proptest! {
            #[test]
            fn free_form_pairs_read_back_as_written(
                pairs in proptest::collection::btree_map("[a-z_][a-z0-9_]{0,8}", value(), 0..6),
                gap in "[ \t]{1,3}",
            ) {
                let text = pairs
                    .iter()
                    .map(|(k, (_, written))| format!("{k}={written}"))
                    .collect::<Vec<_>>()
                    .join(&gap);
                let args = free_form(&format!("{gap}{text}{gap}"), 3);
                let read: BTreeMap<String, String> = args.words.iter().cloned().collect();
                let expected: BTreeMap<String, String> =
                    pairs.iter().map(|(k, (v, _))| (k.clone(), v.clone())).collect();
                prop_assert_eq!(read, expected, "{}", text);
                prop_assert_eq!(args.words.len(), pairs.len());
            }

            #[test]
            fn arbitrary_text_never_panics(text in "(\\PC|[\"'{}= ]){0,40}") {
                for (key, _) in free_form(&text, 1).words {
                    prop_assert!(!key.contains('='));
                }
            }
        }
    }
}
