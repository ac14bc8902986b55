//! scan: the token-level reading every ORM scanner shares, whatever the host language. A
//! [`Source`] keeps the original text beside a copy whose comments and string contents are
//! blanked by `lex` (newlines and byte offsets kept), so a call name is only ever found in
//! code, parentheses balance across strings that contain them, and a string's value can
//! still be read back.
//!
//! It reads calls (`name(args)`, and in Ruby and Elixir `name args`), their receiver chains
//! (`User.objects.all()` before `.delete()`) and their arguments; it does not know what a
//! variable holds, which function a callback is passed to, or any control flow.

use std::cell::RefCell;
use std::collections::HashMap;
use std::ops::Range;

pub use super::lex::Lang;
use super::lex::{mask, Literal};

pub struct Source<'a> {
    pub text: &'a str,
    pub lang: Lang,
    /// `text` with comment and string contents replaced by spaces.
    pub code: Vec<u8>,
    /// String literals, by anchor.
    strings: Vec<Literal>,
    line_starts: Vec<usize>,
    /// The calls already found, by name: scanners look up the calls around each call they
    /// read (the `Schema::table` of a `dropColumn`, the `create_table`s of a file), and
    /// scanning the whole text again for each made big migrations quadratic.
    found: RefCell<HashMap<(&'static str, Before), Vec<RawCall>>>,
}

/// One call found in code: its name, where its arguments are, and its lines.
#[derive(Debug, Clone)]
pub struct RawCall {
    pub name: &'static str,
    /// Byte offset of the name.
    pub start: usize,
    /// The arguments: inside the parentheses, or (Ruby without parentheses) to the end of
    /// the statement.
    pub args: Range<usize>,
    pub line: u32,
    pub end_line: u32,
}

/// What may stand right before a call name.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Before {
    /// A receiver: `op.drop_table`, `batch_op.drop_column`, `migrations.RemoveField`,
    /// `Schema::drop`, `$table->dropColumn`.
    Dot,
    /// Nothing that makes it part of another word or a method of something else.
    Bare,
    /// Either.
    Any,
}

/// One top-level argument: `name=`/`name:` for a keyword argument, and its value's range.
#[derive(Debug, Clone)]
pub struct Arg {
    pub keyword: Option<String>,
    pub value: Range<usize>,
}

fn is_ident(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_'
}

impl<'a> Source<'a> {
    pub fn new(text: &'a str, lang: Lang) -> Source<'a> {
        let (code, strings) = mask(text.as_bytes(), lang);
        let mut line_starts = vec![0];
        line_starts.extend(
            text.bytes()
                .enumerate()
                .filter(|(_, b)| *b == b'\n')
                .map(|(i, _)| i + 1),
        );
        Source {
            text,
            code,
            strings,
            line_starts,
            lang,
            found: RefCell::default(),
        }
    }

    /// The 1-based line of a byte offset.
    pub fn line_of(&self, offset: usize) -> u32 {
        let index = self.line_starts.partition_point(|&s| s <= offset);
        u32::try_from(index.max(1)).unwrap_or(u32::MAX)
    }

    /// The masked code of each line, 1-based lines at index `n - 1`.
    pub fn code_lines(&self) -> Vec<&str> {
        std::str::from_utf8(&self.code)
            .unwrap_or("")
            .split('\n')
            .collect()
    }

    /// Every call of `name` in code, in order.
    pub fn calls(&self, name: &'static str, before: Before) -> Vec<RawCall> {
        if let Some(known) = self.found.borrow().get(&(name, before)) {
            return known.clone();
        }
        let out = self.scan_calls(name, before);
        self.found.borrow_mut().insert((name, before), out.clone());
        out
    }

    fn scan_calls(&self, name: &'static str, before: Before) -> Vec<RawCall> {
        let code = &self.code;
        let needle = name.as_bytes();
        let mut out = Vec::new();
        let mut from = 0;
        while let Some(found) = find(&code[from..], needle) {
            let start = from + found;
            from = start + needle.len();
            let member = member_access(code, start);
            let prev = start.checked_sub(1).map(|i| code[i]);
            let ok_before = match (before, prev) {
                (_, _) if member => before != Before::Bare,
                // Part of a longer name, a Ruby or Elixir symbol, an instance or PHP variable.
                (_, Some(p)) if is_ident(p) || matches!(p, b':' | b'@' | b'$') => false,
                (Before::Dot, _) => false,
                (Before::Bare | Before::Any, _) => true,
            };
            let next = code.get(from).copied();
            if !ok_before || next.is_some_and(|n| is_ident(n) || n == b':' || n == b'=') {
                continue;
            }
            let mut i = skip_blanks(code, from);
            if self.lang == Lang::CSharp {
                // EF Core's `AlterColumn<string>(…)`: the type argument is part of the call.
                if let Some(after) = type_arguments_end(code, i) {
                    i = skip_blanks(code, after);
                }
            }
            let args = if code.get(i) == Some(&b'(') {
                let close = matching(code, i).unwrap_or(code.len());
                i + 1..close
            } else if self.lang.parenless_calls() && code.get(i).is_some_and(|b| *b != b'=') {
                i..statement_end(code, i)
            } else {
                continue;
            };
            out.push(RawCall {
                name,
                start,
                line: self.line_of(start),
                end_line: self.line_of(args.end.saturating_sub(1).max(start)),
                args,
            });
        }
        out
    }

    /// The call's identity across sides: its name and arguments in a normal form, so that
    /// reformatting an old migration (black, ruff, RuboCop, Prettier) does not make its calls
    /// new. Whitespace and trailing commas go, every string literal is written back with
    /// double quotes whatever its quoting (a heredoc: its content), and a Ruby or Elixir
    /// symbol `:users` is the string `"users"` it names. Parentheses around the arguments
    /// are not part of the range, so `remove_column(:a, :b)` is `remove_column :a, :b`.
    pub fn key(&self, call: &RawCall) -> String {
        let mut out = format!("{}(", call.name);
        let code = &self.code;
        let symbols = matches!(self.lang, Lang::Ruby | Lang::Elixir);
        let mut i = call.args.start;
        while i < call.args.end {
            if let Some(lit) = self.literal_at(i) {
                out.push('"');
                out.push_str(&self.literal_text(lit).replace('"', "\\\""));
                out.push('"');
                i = lit.end.max(i + 1);
                continue;
            }
            let b = code[i];
            let symbol_start = symbols
                && b == b':'
                && code
                    .get(i + 1)
                    .is_some_and(|c| c.is_ascii_alphabetic() || *c == b'_')
                && !i
                    .checked_sub(1)
                    .is_some_and(|p| is_ident(code[p]) || code[p] == b':');
            if symbol_start {
                let len = code[i + 1..call.args.end]
                    .iter()
                    .take_while(|c| is_ident(**c) || matches!(c, b'?' | b'!'))
                    .count();
                out.push('"');
                out.push_str(&self.text[i + 1..i + 1 + len]);
                out.push('"');
                i += 1 + len;
                continue;
            }
            if !b.is_ascii() {
                // Multi-byte characters are copied from the text as they are.
                match self.text.get(i..).and_then(|t| t.chars().next()) {
                    Some(ch) => {
                        out.push(ch);
                        i += ch.len_utf8();
                    }
                    None => i += 1,
                }
                continue;
            }
            if !b.is_ascii_whitespace() {
                out.push(char::from(b));
            }
            i += 1;
        }
        // A heredoc's body is not between the call's parentheses: its content was written at
        // its marker. Trailing commas (black's "magic trailing comma") are not identity.
        let mut key = String::with_capacity(out.len() + 1);
        let chars: Vec<char> = out.chars().collect();
        for (n, c) in chars.iter().enumerate() {
            let closes_next = chars
                .get(n + 1)
                .is_none_or(|d| matches!(d, ')' | ']' | '}'));
            if *c == ',' && closes_next {
                continue;
            }
            key.push(*c);
        }
        key.push(')');
        key
    }

    /// The call as a reviewer reads it, receiver chain included: `knex.schema.dropTable`,
    /// `knex(…).truncate`, `pgm.sql`.
    pub fn written(&self, call: &RawCall) -> String {
        let mut out = String::new();
        for step in self.receiver(call.start) {
            out.push_str(&step.name);
            if step.args.is_some() {
                out.push_str("(…)");
            }
            out.push('.');
        }
        out.push_str(call.name);
        out
    }

    /// The innermost call of one of `names` (through a member access) whose arguments hold
    /// `offset`: `Schema::table('users', function ($table) { … })` around `dropColumn`.
    pub fn enclosing(&self, offset: usize, names: &[&'static str]) -> Option<RawCall> {
        names
            .iter()
            .flat_map(|name| self.calls(name, Before::Dot))
            .filter(|call| call.args.contains(&offset))
            .max_by_key(|call| call.start)
    }

    /// The value of the call's first argument, when it is a literal or a symbol.
    pub fn first_value(&self, call: &RawCall) -> Option<String> {
        // Only up to the first top-level comma: the call is often one whose last argument
        // is a long block (`Schema::table('users', function … { … })`), asked for its table
        // once per statement inside.
        let code = &self.code;
        let mut depth = 0usize;
        let end = call
            .args
            .clone()
            .find(|&i| match code[i] {
                b'(' | b'[' | b'{' => {
                    depth += 1;
                    false
                }
                b')' | b']' | b'}' => {
                    depth = depth.saturating_sub(1);
                    false
                }
                b',' => depth == 0,
                _ => false,
            })
            .unwrap_or(call.args.end);
        let args = self.args_in(call.args.start..end);
        args.first().map(|a| self.value(a))
    }

    /// The content of each string literal in `range`, in order (`['a', 'b']` is `a`, `b`).
    pub fn literal_values(&self, range: Range<usize>) -> Vec<String> {
        self.literals_in(range)
            .map(|l| self.literal_text(l))
            .collect()
    }

    /// What a literal's content stands for, escapes resolved.
    fn literal_text(&self, lit: &Literal) -> String {
        let raw = &self.text[lit.content.clone()];
        if lit.verbatim {
            raw.replace("\"\"", "\"")
        } else {
            unescape(raw)
        }
    }

    /// The literal anchored at `offset`, if one is.
    fn literal_at(&self, offset: usize) -> Option<&Literal> {
        let i = self.strings.partition_point(|s| s.anchor < offset);
        self.strings.get(i).filter(|s| s.anchor == offset)
    }

    /// The literals anchored in `range`.
    pub fn literals_in(&self, range: Range<usize>) -> impl Iterator<Item = &Literal> {
        self.strings
            .iter()
            .filter(move |s| range.contains(&s.anchor))
    }

    /// What an argument is made of, for a call that runs it as SQL.
    pub fn sql_arg(&self, range: Range<usize>) -> SqlArg {
        let literals: Vec<&Literal> = self.literals_in(range.clone()).collect();
        if literals.is_empty() {
            return SqlArg::Code(self.text[range].trim().to_owned());
        }
        let text = self.strings_in(range);
        if literals.iter().any(|l| l.interpolated) {
            SqlArg::Interpolated(text)
        } else {
            SqlArg::Literal(text)
        }
    }

    /// The receiver chain written before the call at `start`, left to right: for
    /// `User.objects.all().delete()` the segments `User`, `objects`, `all` (with its
    /// arguments' range). Stops at anything that is not a name or a call.
    pub fn receiver(&self, start: usize) -> Vec<Segment> {
        let code = &self.code;
        let mut out = Vec::new();
        let mut at = start;
        loop {
            let mut i = at;
            while i > 0 && code[i - 1].is_ascii_whitespace() {
                i -= 1;
            }
            let op = if i >= 2 && (&code[i - 2..i] == b"->" || &code[i - 2..i] == b"::") {
                2
            } else if i >= 1 && code[i - 1] == b'.' {
                1
            } else {
                break;
            };
            i -= op;
            if i > 0 && code[i - 1] == b'?' {
                i -= 1; // JavaScript's optional chaining `?.`.
            }
            while i > 0 && code[i - 1].is_ascii_whitespace() {
                i -= 1;
            }
            let mut args = None;
            if i > 0 && code[i - 1] == b')' {
                let Some(open) = matching_back(code, i - 1) else {
                    break;
                };
                args = Some(open + 1..i - 1);
                i = open;
            }
            let name_end = i;
            while i > 0 && (is_ident(code[i - 1]) || code[i - 1] == b'$') {
                i -= 1;
            }
            if i == name_end && args.is_none() {
                break;
            }
            out.push(Segment {
                name: self.text[i..name_end].to_owned(),
                start: i,
                args,
            });
            at = i;
        }
        out.reverse();
        out
    }

    /// The call's top-level arguments.
    pub fn args(&self, call: &RawCall) -> Vec<Arg> {
        self.args_in(call.args.clone())
    }

    /// The arguments of the first call written in `range` (`models.IntegerField(null=True)`
    /// in a field argument), whatever its name.
    pub fn inner_call_args(&self, range: Range<usize>) -> Option<Vec<Arg>> {
        let open = range.start + self.code[range.clone()].iter().position(|b| *b == b'(')?;
        let close = matching(&self.code, open)?.min(range.end);
        Some(self.args_in(open + 1..close))
    }

    /// The inside of the first list, tuple or call parentheses opened in `range` (the
    /// `[…]` of `fields=[…]`, the `(…)` of one of its tuples).
    pub(crate) fn inner_list(&self, range: Range<usize>) -> Option<Range<usize>> {
        let open = range.start
            + self.code[range.clone()]
                .iter()
                .position(|b| matches!(b, b'[' | b'('))?;
        let close = matching(&self.code, open)?.min(range.end);
        Some(open + 1..close)
    }

    /// The top-level arguments written in `range`.
    pub(crate) fn args_in(&self, range: Range<usize>) -> Vec<Arg> {
        let code = &self.code;
        let mut parts = Vec::new();
        let mut depth = 0usize;
        let mut begin = range.start;
        for i in range.clone() {
            match code[i] {
                b'(' | b'[' | b'{' => depth += 1,
                b')' | b']' | b'}' => depth = depth.saturating_sub(1),
                b',' if depth == 0 => {
                    parts.push(begin..i);
                    begin = i + 1;
                }
                _ => {}
            }
        }
        parts.push(begin..range.end);
        parts
            .into_iter()
            .filter(|r| !self.code_text(r.clone()).trim().is_empty())
            .map(|r| self.keyword_split(r))
            .collect()
    }

    fn code_text(&self, range: Range<usize>) -> &str {
        std::str::from_utf8(&self.code[range]).unwrap_or("")
    }

    fn keyword_split(&self, range: Range<usize>) -> Arg {
        let text = self.code_text(range.clone());
        let trimmed = text.trim_start();
        let lead = text.len() - trimmed.len();
        let ident_len = trimmed.bytes().take_while(|b| is_ident(*b)).count();
        if ident_len > 0 {
            let rest = &trimmed[ident_len..];
            let after = rest.trim_start();
            // `name=value` (not `==`), or Ruby's `name: value` (not `name::Const`).
            let keyword = (after.starts_with('=') && !after.starts_with("=="))
                || (rest.starts_with(':') && !rest.starts_with("::"));
            if keyword {
                let sep = range.start + lead + ident_len + (rest.len() - after.len()) + 1;
                return Arg {
                    keyword: Some(trimmed[..ident_len].to_owned()),
                    value: sep.min(range.end)..range.end,
                };
            }
        }
        Arg {
            keyword: None,
            value: range,
        }
    }

    /// A positional argument by index, or a keyword argument by name.
    pub fn arg<'s>(&self, args: &'s [Arg], keyword: &str, position: usize) -> Option<&'s Arg> {
        args.iter()
            .find(|a| a.keyword.as_deref() == Some(keyword))
            .or_else(|| args.iter().filter(|a| a.keyword.is_none()).nth(position))
    }

    /// The values (see [`Source::value`]) of the positional arguments among `args`, in order.
    pub fn positional_values(&self, args: &[Arg]) -> Vec<String> {
        args.iter()
            .filter(|a| a.keyword.is_none())
            .map(|a| self.value(a))
            .collect()
    }

    /// What a reviewer would call an argument: a string's content, a symbol's name, or the
    /// code itself.
    pub fn value(&self, arg: &Arg) -> String {
        let strings = self.strings_in(arg.value.clone());
        if !strings.is_empty() {
            return strings;
        }
        let text = self.text[arg.value.clone()].trim();
        text.trim_start_matches(':').to_owned()
    }

    /// The contents of the string literals in `range`, concatenated; literals separated by a
    /// comma (a list of statements) are joined with `;`.
    pub fn strings_in(&self, range: Range<usize>) -> String {
        let mut out = String::new();
        let mut last_end: Option<usize> = None;
        for lit in self.literals_in(range) {
            let s = &lit.content;
            if let Some(end) = last_end.filter(|end| *end <= s.start) {
                if self.code[end..s.start].contains(&b',') {
                    out.push_str(";\n");
                }
            }
            out.push_str(&self.literal_text(lit));
            last_end = Some(s.end);
        }
        out
    }
}

/// One step of a receiver chain: a name, and its arguments when it is a call.
#[derive(Debug, Clone)]
pub struct Segment {
    pub name: String,
    /// Byte offset of the name, where a chain starting here starts.
    pub start: usize,
    pub args: Option<Range<usize>>,
}

/// What a call that runs SQL was given.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SqlArg {
    /// String literals: their text.
    Literal(String),
    /// String literals, some of them built from values at run time: their text, with the
    /// interpolations as written.
    Interpolated(String),
    /// No literal at all (a variable, a function call): the code.
    Code(String),
}

/// Whether the name at `start` is reached through a member access: `.`, `->` or `::`.
fn member_access(code: &[u8], start: usize) -> bool {
    let before = &code[..start];
    before.ends_with(b".") || before.ends_with(b"->") || before.ends_with(b"::")
}

/// The offset of the bracket that opens the one closing at `close`.
pub(crate) fn matching_back(code: &[u8], close: usize) -> Option<usize> {
    let mut depth = 0usize;
    for i in (0..=close).rev() {
        match code[i] {
            b')' | b']' | b'}' => depth += 1,
            b'(' | b'[' | b'{' => {
                depth = depth.checked_sub(1)?;
                if depth == 0 {
                    return Some(i);
                }
            }
            _ => {}
        }
    }
    None
}

fn unescape(s: &str) -> String {
    if !s.contains('\\') {
        return s.to_owned();
    }
    let mut out = String::with_capacity(s.len());
    let mut chars = s.chars();
    while let Some(c) = chars.next() {
        if c == '\\' {
            match chars.next() {
                Some('n') => out.push('\n'),
                Some('t') => out.push('\t'),
                Some(other) => out.push(other),
                None => out.push('\\'),
            }
        } else {
            out.push(c);
        }
    }
    out
}

fn skip_blanks(code: &[u8], mut i: usize) -> usize {
    while code.get(i).is_some_and(|b| *b == b' ' || *b == b'\t') {
        i += 1;
    }
    i
}

/// The offset just past a C# type argument list opening at `open` (`<string>`,
/// `<Dictionary<int, long?>>`), when that is what stands there; a comparison (`a < b`) has
/// something other than type names before its `>`, or no `>` at all.
pub(crate) fn type_arguments_end(code: &[u8], open: usize) -> Option<usize> {
    if code.get(open) != Some(&b'<') {
        return None;
    }
    let mut depth = 0usize;
    for (i, b) in code.iter().enumerate().skip(open) {
        match b {
            b'<' => depth += 1,
            b'>' => {
                depth = depth.checked_sub(1)?;
                if depth == 0 {
                    return Some(i + 1);
                }
            }
            b'.' | b',' | b'?' | b'[' | b']' | b' ' => {}
            b if is_ident(*b) => {}
            _ => return None,
        }
    }
    None
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    if needle.is_empty() || haystack.len() < needle.len() {
        return None;
    }
    haystack.windows(needle.len()).position(|w| w == needle)
}

/// The offset of the bracket that closes the one at `open`.
pub(crate) fn matching(code: &[u8], open: usize) -> Option<usize> {
    let mut depth = 0usize;
    for (i, b) in code.iter().enumerate().skip(open) {
        match b {
            b'(' | b'[' | b'{' => depth += 1,
            b')' | b']' | b'}' => {
                depth = depth.saturating_sub(1);
                if depth == 0 {
                    return Some(i);
                }
            }
            _ => {}
        }
    }
    None
}

/// The end of a Ruby or Elixir statement without parentheses: the end of the line, continued
/// while the line ends with `,` or `\` or brackets are open, or the `do` of a block
/// (`drop_table :users do |t|` is about `:users`).
fn statement_end(code: &[u8], from: usize) -> usize {
    let mut depth = 0usize;
    let mut last_code = b' ';
    let mut i = from;
    while i < code.len() {
        let b = code[i];
        // `do` opens a block; Ruby's statement modifiers (`remove_column :users, :x if
        // column_exists?(…)`) guard the statement and are not part of its arguments.
        let ends_at_word = |word: &[u8], then_bar: bool| {
            depth == 0
                && code[i..].starts_with(word)
                && i > from
                && code[i - 1].is_ascii_whitespace()
                && code
                    .get(i + word.len())
                    .is_none_or(|c| c.is_ascii_whitespace() || (then_bar && *c == b'|'))
        };
        let word_do = ends_at_word(b"do", true)
            || [&b"if"[..], b"unless", b"rescue", b"while", b"until"]
                .iter()
                .any(|w| ends_at_word(w, false));
        if word_do {
            let mut end = i;
            while end > from && code[end - 1].is_ascii_whitespace() {
                end -= 1;
            }
            return end;
        }
        match b {
            b'(' | b'[' | b'{' => depth += 1,
            // A bracket that closes what the statement did not open ends it: the block of
            // `safety_assured { remove_column :posts, :body }`.
            b')' | b']' | b'}' if depth == 0 => return i,
            b')' | b']' | b'}' => depth -= 1,
            b';' if depth == 0 => return i,
            b'\n' if depth == 0 && last_code != b',' && last_code != b'\\' => return i,
            _ => {}
        }
        if !b.is_ascii_whitespace() {
            last_code = b;
        }
        i += 1;
    }
    code.len()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_in_comments_and_strings_are_not_calls() {
        let src = Source::new(
            "# op.drop_table('x')\nprint(\"op.drop_table('y')\")\nop.drop_table('z')\n",
            Lang::Python,
        );
        let calls = src.calls("drop_table", Before::Dot);
        assert_eq!(calls.len(), 1);
        assert_eq!(calls[0].line, 3);
        let args = src.args(&calls[0]);
        assert_eq!(src.value(&args[0]), "z");
    }

    #[test]
    fn parentheses_inside_strings_do_not_end_a_call() {
        let src = Source::new(
            "op.execute(\"\"\"\nDROP TABLE a; -- )\n\"\"\")\nx = 1\n",
            Lang::Python,
        );
        let calls = src.calls("execute", Before::Dot);
        assert_eq!((calls[0].line, calls[0].end_line), (1, 3));
        assert!(src
            .strings_in(calls[0].args.clone())
            .contains("DROP TABLE a"));
    }

    #[test]
    fn ruby_calls_without_parentheses_heredocs_and_keywords() {
        let src = Source::new(
            "remove_column :users, :email,\n  :string, null: false\nexecute <<~SQL\n  DROP TABLE t;\nSQL\nfoo\n",
            Lang::Ruby,
        );
        let calls = src.calls("remove_column", Before::Bare);
        assert_eq!((calls[0].line, calls[0].end_line), (1, 2));
        let args = src.args(&calls[0]);
        assert_eq!(src.value(&args[1]), "email");
        assert_eq!(args[3].keyword.as_deref(), Some("null"));
        let exec = src.calls("execute", Before::Bare);
        assert_eq!(exec.len(), 1);
        assert!(src.strings_in(0..src.text.len()).contains("DROP TABLE t;"));
        // The heredoc body is not code.
        assert!(src.calls("foo", Before::Bare).len() == 1);
    }
}
