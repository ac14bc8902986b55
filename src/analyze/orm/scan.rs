//! scan: the token-level reading the Python and Ruby scanners share. A [`Source`] keeps the
//! original text beside a copy whose comments and string contents are blanked (newlines and
//! byte offsets kept), so a call name is only ever found in code, parentheses balance
//! across strings that contain them, and a string's value can still be read back.

use std::ops::Range;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lang {
    Python,
    Ruby,
}

pub struct Source<'a> {
    pub text: &'a str,
    /// `text` with comment and string contents replaced by spaces.
    pub code: Vec<u8>,
    /// String literals: where each starts in the code (a heredoc: its `<<~ID` marker) and
    /// the range of its content.
    strings: Vec<(usize, Range<usize>)>,
    line_starts: Vec<usize>,
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
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Before {
    /// A receiver: `op.drop_table`, `batch_op.drop_column`, `migrations.RemoveField`.
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
    pub fn calls(&self, name: &'static str, before: Before, lang: Lang) -> Vec<RawCall> {
        let code = &self.code;
        let needle = name.as_bytes();
        let mut out = Vec::new();
        let mut from = 0;
        while let Some(found) = find(&code[from..], needle) {
            let start = from + found;
            from = start + needle.len();
            let prev = start.checked_sub(1).map(|i| code[i]);
            let ok_before = match (before, prev) {
                (_, Some(p)) if is_ident(p) || p == b':' || p == b'@' => false,
                (Before::Dot, p) => p == Some(b'.'),
                (Before::Bare, p) => p != Some(b'.'),
                (Before::Any, _) => true,
            };
            let next = code.get(from).copied();
            if !ok_before || next.is_some_and(|n| is_ident(n) || n == b':' || n == b'=') {
                continue;
            }
            let mut i = from;
            while code.get(i).is_some_and(|b| *b == b' ' || *b == b'\t') {
                i += 1;
            }
            let args = if code.get(i) == Some(&b'(') {
                let close = matching(code, i).unwrap_or(code.len());
                i + 1..close
            } else if lang == Lang::Ruby && code.get(i).is_some_and(|b| *b != b'=') {
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

    /// The call's identity across sides: its name and arguments with all whitespace removed.
    pub fn key(&self, call: &RawCall) -> String {
        let args: String = self.text[call.args.clone()]
            .chars()
            .filter(|c| !c.is_whitespace())
            .collect();
        // A heredoc's body is not between the call's parentheses; its content is the identity.
        format!(
            "{}({args}){}",
            call.name,
            self.strings_in(call.args.clone())
        )
    }

    /// The call's top-level arguments.
    pub fn args(&self, call: &RawCall) -> Vec<Arg> {
        let code = &self.code;
        let mut parts = Vec::new();
        let mut depth = 0usize;
        let mut begin = call.args.start;
        for i in call.args.clone() {
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
        parts.push(begin..call.args.end);
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
        for (_, s) in self
            .strings
            .iter()
            .filter(|(anchor, _)| range.contains(anchor))
        {
            if let Some(end) = last_end.filter(|end| *end <= s.start) {
                if self.code[end..s.start].contains(&b',') {
                    out.push_str(";\n");
                }
            }
            out.push_str(&unescape(&self.text[s.clone()]));
            last_end = Some(s.end);
        }
        out
    }
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

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    if needle.is_empty() || haystack.len() < needle.len() {
        return None;
    }
    haystack.windows(needle.len()).position(|w| w == needle)
}

/// The offset of the bracket that closes the one at `open`.
fn matching(code: &[u8], open: usize) -> Option<usize> {
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

/// The end of a Ruby statement without parentheses: the end of the line, continued while the
/// line ends with `,` or `\` or brackets are open.
fn statement_end(code: &[u8], from: usize) -> usize {
    let mut depth = 0usize;
    let mut last_code = b' ';
    let mut i = from;
    while i < code.len() {
        let b = code[i];
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

/// Blanks comments and string contents. Returns the masked bytes and the string contents'
/// ranges. An unterminated string runs to the end of the file (Python: of its line).
fn mask(text: &[u8], lang: Lang) -> (Vec<u8>, Vec<(usize, Range<usize>)>) {
    let mut code = text.to_vec();
    let mut strings = Vec::new();
    let blank = |code: &mut Vec<u8>, range: Range<usize>| {
        for b in &mut code[range] {
            if *b != b'\n' {
                *b = b' ';
            }
        }
    };
    // Ruby heredocs waiting for the end of the current line: (terminator, squiggly/dash).
    let mut heredocs: Vec<(usize, String)> = Vec::new();
    let mut i = 0;
    while i < text.len() {
        let b = text[i];
        match b {
            b'\n' if !heredocs.is_empty() => {
                let mut at = i + 1;
                for (anchor, id) in std::mem::take(&mut heredocs) {
                    let body_start = at;
                    let mut end = text.len();
                    let mut next = text.len();
                    let mut line_start = at;
                    while line_start < text.len() {
                        let line_end = text[line_start..]
                            .iter()
                            .position(|&c| c == b'\n')
                            .map_or(text.len(), |p| line_start + p);
                        let line = String::from_utf8_lossy(&text[line_start..line_end]);
                        if line.trim() == id {
                            end = line_start;
                            next = (line_end + 1).min(text.len());
                            break;
                        }
                        line_start = line_end + 1;
                    }
                    strings.push((anchor, body_start..end));
                    blank(&mut code, body_start..end);
                    at = next;
                }
                i = at;
                continue;
            }
            b'#' => {
                let end = text[i..]
                    .iter()
                    .position(|&c| c == b'\n')
                    .map_or(text.len(), |p| i + p);
                blank(&mut code, i..end);
                i = end;
                continue;
            }
            b'<' if lang == Lang::Ruby && text.get(i + 1) == Some(&b'<') => {
                let mut j = i + 2;
                let squiggly = matches!(text.get(j), Some(b'~' | b'-'));
                if squiggly {
                    j += 1;
                }
                let quote = text.get(j).copied().filter(|c| *c == b'\'' || *c == b'"');
                if quote.is_some() {
                    j += 1;
                }
                let id_len = text[j.min(text.len())..]
                    .iter()
                    .take_while(|c| is_ident(**c))
                    .count();
                let starts_upper = text
                    .get(j)
                    .is_some_and(|c| c.is_ascii_uppercase() || *c == b'_');
                if id_len > 0 && (squiggly || quote.is_some() || starts_upper) {
                    heredocs.push((
                        i,
                        String::from_utf8_lossy(&text[j..j + id_len]).into_owned(),
                    ));
                    i = j + id_len + usize::from(quote.is_some());
                    continue;
                }
                i += 2;
                continue;
            }
            b'%' if lang == Lang::Ruby
                && matches!(
                    text.get(i + 1),
                    Some(b'q' | b'Q' | b'w' | b'W' | b'i' | b'I')
                )
                && matches!(text.get(i + 2), Some(b'(' | b'[' | b'{' | b'<')) =>
            {
                let open = text[i + 2];
                let close = match open {
                    b'(' => b')',
                    b'[' => b']',
                    b'{' => b'}',
                    _ => b'>',
                };
                let start = i + 3;
                let mut depth = 1usize;
                let mut j = start;
                while j < text.len() {
                    if text[j] == b'\\' {
                        j += 2;
                        continue;
                    }
                    if text[j] == open {
                        depth += 1;
                    } else if text[j] == close {
                        depth -= 1;
                        if depth == 0 {
                            break;
                        }
                    }
                    j += 1;
                }
                let end = j.min(text.len());
                strings.push((i, start..end));
                blank(&mut code, start..end);
                i = end + 1;
                continue;
            }
            b'\'' | b'"' | b'`' if b != b'`' || lang == Lang::Ruby => {
                let triple = lang == Lang::Python
                    && text.get(i + 1) == Some(&b)
                    && text.get(i + 2) == Some(&b);
                let start = if triple { i + 3 } else { i + 1 };
                let mut j = start;
                let mut end = None;
                while j < text.len() {
                    let c = text[j];
                    if c == b'\\' {
                        j += 2;
                        continue;
                    }
                    if triple {
                        if c == b && text.get(j + 1) == Some(&b) && text.get(j + 2) == Some(&b) {
                            end = Some((j, j + 3));
                            break;
                        }
                    } else if c == b {
                        end = Some((j, j + 1));
                        break;
                    } else if c == b'\n' && lang == Lang::Python {
                        end = Some((j, j));
                        break;
                    }
                    j += 1;
                }
                let (content_end, next) = end.unwrap_or((text.len(), text.len()));
                let content_end = content_end.min(text.len());
                strings.push((i, start.min(content_end)..content_end));
                blank(&mut code, start.min(content_end)..content_end);
                i = next.max(i + 1);
                continue;
            }
            _ => {}
        }
        i += 1;
    }
    (code, strings)
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
        let calls = src.calls("drop_table", Before::Dot, Lang::Python);
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
        let calls = src.calls("execute", Before::Dot, Lang::Python);
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
        let calls = src.calls("remove_column", Before::Bare, Lang::Ruby);
        assert_eq!((calls[0].line, calls[0].end_line), (1, 2));
        let args = src.args(&calls[0]);
        assert_eq!(src.value(&args[1]), "email");
        assert_eq!(args[3].keyword.as_deref(), Some("null"));
        let exec = src.calls("execute", Before::Bare, Lang::Ruby);
        assert_eq!(exec.len(), 1);
        assert!(src.strings_in(0..src.text.len()).contains("DROP TABLE t;"));
        // The heredoc body is not code.
        assert!(src.calls("foo", Before::Bare, Lang::Ruby).len() == 1);
    }
}
