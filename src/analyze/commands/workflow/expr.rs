//! expr: just enough of GitHub's `${{ … }}` expressions to know what an input selects.
//!
//! A step's text (`terraform ${{ inputs.action }}`) and its `if:` are evaluated against the
//! inputs a caller passes or a default supplies. Anything the evaluator does not know (a
//! function, another context, an operator it does not read) is *unknown*, never guessed:
//! an unknown `${{ … }}` is left in the text as it was, an unknown `if:` may run.

use std::collections::BTreeMap;

/// Input values by name, as text (`true`, `destroy`).
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Inputs(BTreeMap<String, String>);

impl Inputs {
    pub fn set(&mut self, name: &str, value: &str) {
        self.0.insert(name.to_owned(), value.to_owned());
    }
    pub fn remove(&mut self, name: &str) {
        self.0.remove(name);
    }
    pub fn get(&self, name: &str) -> Option<&str> {
        self.0.get(name).map(String::as_str)
    }
}

/// What an expression is evaluated against.
#[derive(Debug, Clone, Copy)]
pub struct Context<'a> {
    pub inputs: &'a Inputs,
    /// An input not in `inputs` is empty (the event carries no inputs, as `push` does) rather
    /// than unknown.
    pub missing_inputs_empty: bool,
    /// `github.event_name`, when one event is being considered.
    pub event: Option<&'a str>,
}

impl<'a> Context<'a> {
    pub fn with(inputs: &'a Inputs) -> Context<'a> {
        Context {
            inputs,
            missing_inputs_empty: false,
            event: None,
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
enum Val {
    Str(String),
    Bool(bool),
    Null,
}

impl Val {
    fn truthy(&self) -> bool {
        match self {
            Val::Str(s) => !s.is_empty() && s != "0",
            Val::Bool(b) => *b,
            Val::Null => false,
        }
    }
    fn text(&self) -> String {
        match self {
            Val::Str(s) => s.clone(),
            Val::Bool(b) => b.to_string(),
            Val::Null => String::new(),
        }
    }
    /// GitHub compares strings case-insensitively; a boolean input arrives as `true`/`false`.
    fn equals(&self, other: &Val) -> bool {
        self.text().eq_ignore_ascii_case(&other.text())
    }
}

/// `text` with every `${{ … }}` the context decides replaced by its value.
pub fn substitute(text: &str, cx: &Context) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(start) = rest.find("${{") {
        let Some(len) = rest[start..].find("}}") else {
            break;
        };
        let inner = &rest[start + 3..start + len];
        out.push_str(&rest[..start]);
        match evaluate(inner, cx) {
            Some(value) => out.push_str(&value.text()),
            None => match partial_input(inner, cx) {
                Some(text) => out.push_str(text),
                None => out.push_str(&rest[start..start + len + 2]),
            },
        }
        rest = &rest[start + len + 2..];
    }
    out.push_str(rest);
    out
}

/// Whether an input's value holds known text beside the expressions the caller computes
/// (`destroy -var pr=${{ github.event.number }}`), as opposed to being one of them.
pub fn partly_known(value: &str) -> bool {
    let mut rest = value;
    while let Some(start) = rest.find("${{") {
        if !rest[..start].trim().is_empty() {
            return true;
        }
        let Some(len) = rest[start..].find("}}") else {
            return true;
        };
        rest = &rest[start + len + 2..];
    }
    !rest.trim().is_empty()
}

/// The text of a partly known input (see [`partly_known`]) that `inner` names as a whole
/// (`inputs.command`): unknown to a test, but spliced into a command its words still say
/// what the command runs.
fn partial_input<'c>(inner: &str, cx: &Context<'c>) -> Option<&'c str> {
    let name = inner.trim();
    let input = name
        .strip_prefix("inputs.")
        .or_else(|| name.strip_prefix("github.event.inputs."))?;
    cx.inputs.get(input).filter(|v| v.contains("${{"))
}

/// Whether an `if:` holds: `None` when the evaluator cannot tell.
pub fn condition(text: &str, cx: &Context) -> Option<bool> {
    evaluate(unwrapped(text), cx).map(|v| v.truthy())
}

/// An `if:` without its optional `${{ }}` wrapper.
pub fn unwrapped(text: &str) -> &str {
    let t = text.trim();
    t.strip_prefix("${{")
        .and_then(|t| t.strip_suffix("}}"))
        .map(str::trim)
        .unwrap_or(t)
}

fn evaluate(expr: &str, cx: &Context) -> Option<Val> {
    let tokens = tokens(expr)?;
    let mut parser = Parser {
        tokens: &tokens,
        at: 0,
        cx,
    };
    let value = parser.or()?;
    (parser.at == tokens.len()).then_some(value)
}

#[derive(Debug, Clone, PartialEq)]
enum Token {
    Str(String),
    Ident(String),
    Op(&'static str),
}

fn tokens(expr: &str) -> Option<Vec<Token>> {
    let chars: Vec<char> = expr.chars().collect();
    let mut out = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        if c.is_whitespace() {
            i += 1;
        } else if c == '\'' {
            // `''` is an escaped quote inside a string.
            let mut s = String::new();
            i += 1;
            loop {
                match chars.get(i) {
                    Some('\'') if chars.get(i + 1) == Some(&'\'') => {
                        s.push('\'');
                        i += 2;
                    }
                    Some('\'') => {
                        i += 1;
                        break;
                    }
                    Some(&ch) => {
                        s.push(ch);
                        i += 1;
                    }
                    None => return None,
                }
            }
            out.push(Token::Str(s));
        } else if let Some(op) = ["&&", "||", "==", "!=", "!", "(", ")"]
            .into_iter()
            .find(|op| chars[i..].starts_with(&op.chars().collect::<Vec<_>>()))
        {
            out.push(Token::Op(op));
            i += op.len();
        } else if c.is_alphanumeric() || c == '_' || c == '-' || c == '.' {
            let start = i;
            while i < chars.len() && (chars[i].is_alphanumeric() || "_-.".contains(chars[i])) {
                i += 1;
            }
            out.push(Token::Ident(chars[start..i].iter().collect()));
        } else {
            // `[`, `<`, `,`: an expression this evaluator does not read.
            return None;
        }
    }
    Some(out)
}

struct Parser<'t, 'c> {
    tokens: &'t [Token],
    at: usize,
    cx: &'c Context<'c>,
}

impl Parser<'_, '_> {
    fn eat(&mut self, op: &str) -> bool {
        let hit = matches!(self.tokens.get(self.at), Some(Token::Op(o)) if *o == op);
        self.at += usize::from(hit);
        hit
    }
    // `a || b` is `a` when `a` is truthy, else `b`: an unknown `a` makes the whole unknown.
    fn or(&mut self) -> Option<Val> {
        let mut left = self.and();
        while self.eat("||") {
            let right = self.and();
            left = match left {
                Some(l) if l.truthy() => Some(l),
                Some(_) => right,
                None => None,
            };
        }
        left
    }
    fn and(&mut self) -> Option<Val> {
        let mut left = self.compare();
        while self.eat("&&") {
            let right = self.compare();
            left = match left {
                Some(l) if !l.truthy() => Some(l),
                Some(_) => right,
                // Unknown && false is false whatever the unknown is.
                None => right.filter(|r| !r.truthy()),
            };
        }
        left
    }
    fn compare(&mut self) -> Option<Val> {
        let left = self.unary();
        for (op, equal) in [("==", true), ("!=", false)] {
            if self.eat(op) {
                let right = self.unary();
                return Some(Val::Bool(left?.equals(&right?) == equal));
            }
        }
        left
    }
    fn unary(&mut self) -> Option<Val> {
        if self.eat("!") {
            return self.unary().map(|v| Val::Bool(!v.truthy()));
        }
        if self.eat("(") {
            let inner = self.or();
            return if self.eat(")") { inner } else { None };
        }
        let token = self.tokens.get(self.at)?.clone();
        self.at += 1;
        match token {
            Token::Str(s) => Some(Val::Str(s)),
            Token::Op(_) => None,
            Token::Ident(name) => {
                if self.eat("(") {
                    // A function call (`success()`, `contains(…)`): skip its arguments.
                    let mut depth = 1;
                    while depth > 0 {
                        match self.tokens.get(self.at)? {
                            Token::Op("(") => depth += 1,
                            Token::Op(")") => depth -= 1,
                            _ => {}
                        }
                        self.at += 1;
                    }
                    return None;
                }
                self.name(&name)
            }
        }
    }
    fn name(&self, name: &str) -> Option<Val> {
        match name {
            "true" => return Some(Val::Bool(true)),
            "false" => return Some(Val::Bool(false)),
            "null" => return Some(Val::Null),
            "github.event_name" => return self.cx.event.map(|e| Val::Str(e.to_owned())),
            _ => {}
        }
        if name.parse::<f64>().is_ok() {
            return Some(Val::Str(name.to_owned()));
        }
        let input = name
            .strip_prefix("inputs.")
            .or_else(|| name.strip_prefix("github.event.inputs."))?;
        match self.cx.inputs.get(input) {
            // Partly computed by the caller: no test can tell what it equals.
            Some(value) if value.contains("${{") => None,
            Some("true") => Some(Val::Bool(true)),
            Some("false") => Some(Val::Bool(false)),
            Some(value) => Some(Val::Str(value.to_owned())),
            None if self.cx.missing_inputs_empty => Some(Val::Str(String::new())),
            None => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn inputs(pairs: &[(&str, &str)]) -> Inputs {
        let mut i = Inputs::default();
        for (k, v) in pairs {
            i.set(k, v);
        }
        i
    }

    #[test]
    fn inputs_the_context_knows_are_substituted_and_others_left_alone() {
        let i = inputs(&[("action", "destroy"), ("destroy", "true")]);
        let cx = Context::with(&i);
        assert_eq!(
            substitute(
                "terraform ${{ inputs.action }} -chdir=${{ matrix.dir }}",
                &cx
            ),
            "terraform destroy -chdir=${{ matrix.dir }}"
        );
        assert_eq!(
            substitute(
                "terraform apply ${{ inputs.destroy && '-destroy' || '' }}",
                &cx
            ),
            "terraform apply -destroy"
        );
        let off = inputs(&[("destroy", "false")]);
        assert_eq!(
            substitute(
                "apply ${{ inputs.destroy && '-destroy' || '' }}",
                &Context::with(&off)
            ),
            "apply "
        );
        assert_eq!(
            substitute("${{ github.event.inputs.action }}", &cx),
            "destroy"
        );
    }

    #[test]
    fn conditions_hold_only_when_the_inputs_decide_them() {
        let i = inputs(&[("confirm", "yes"), ("destroy", "false")]);
        let cx = Context::with(&i);
        assert_eq!(condition("inputs.confirm == 'YES'", &cx), Some(true));
        assert_eq!(condition("${{ inputs.destroy }}", &cx), Some(false));
        assert_eq!(condition("!inputs.destroy", &cx), Some(true));
        assert_eq!(condition("inputs.other == 'x'", &cx), None);
        assert_eq!(condition("success() && inputs.destroy", &cx), Some(false));
        assert_eq!(condition("always()", &cx), None);
        assert_eq!(condition("false", &cx), Some(false));
        // On a push, inputs are empty and the event is known.
        let none = Inputs::default();
        let push = Context {
            inputs: &none,
            missing_inputs_empty: true,
            event: Some("push"),
        };
        assert_eq!(condition("inputs.confirm == 'yes'", &push), Some(false));
        assert_eq!(
            condition("github.event_name == 'workflow_dispatch'", &push),
            Some(false)
        );
        assert_eq!(
            condition("github.event_name != 'pull_request'", &push),
            Some(true)
        );
        assert_eq!(
            condition("contains(github.ref, 'x') || inputs.a", &push),
            None
        );
    }
}
