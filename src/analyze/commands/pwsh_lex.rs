//! pwsh_lex: splits PowerShell text (a `.ps1` script, a `pwsh:` step) into commands, so the
//! rule packs see a cmdlet's name and parameters the way they see a shell command's argv.
//!
//! Not a PowerShell parser: it reads just enough of the language to find statements and their
//! words. Quotes (`'…'` with `''`, `"…"` with backtick escapes), backtick escapes and line
//! continuations, here-strings (`@"…"@`, `@'…'@`), comments (`#`, `<# … #>`) and the
//! stop-parsing token `--%` are resolved; `;`, `|`, `&&`, `||`, newlines and braces end a
//! command, so the commands inside a script block (`foreach (…) { … }`, a function body) are
//! commands of their own; a `(…)`, `$(…)` or `@(…)` group stays one word and what is inside
//! it is lexed as further commands; redirections are dropped. Variables stay in a word's text
//! as written and are recorded as [`Expansion`]s (PowerShell never splits them into words, so
//! all count as quoted).
//!
//! A second pass reads what each statement means to the packs: `$x = 'text'` and
//! `$p = @{ … }` are remembered, so `-Query $x` carries its SQL and `@p` (splatting) its
//! parameters; keywords (`if (…)`, `foreach (…)`, `function Name`, `param(…)`) are not
//! commands; the aliases of `Remove-Item` (`ri`, `del`, `rd`, `rmdir`, `erase`, and `rm`
//! when its flags are not POSIX ones) become `Remove-Item`; the call operator `&`, module
//! qualifiers (`Az.Resources\`) and paths are stripped from the command name; and a command a
//! Pester test `Mock`s does not run.
//!
//! An unterminated string, here-string, comment or group is reported, never guessed around.
//! No crate was used: the PowerShell crates there are either evaluate scripts, ship under a
//! license twokey cannot take, or are early releases of full parsers; none is vendored here,
//! and splitting statements is all the packs need.

use super::lex::{Expansion, LexError, Lexed, SimpleCommand, Word};
use std::collections::HashMap;

/// Groups inside groups beyond this are kept as text, so hostile input cannot exhaust the
/// stack.
const MAX_DEPTH: u8 = 12;

/// Lexes PowerShell `text`, whose first line is line `first_line` of the file it came from.
pub fn lex(text: &str, first_line: u32) -> Lexed {
    lex_at(text, first_line, 0)
}

fn lex_at(text: &str, first_line: u32, depth: u8) -> Lexed {
    let chars: Vec<char> = text.chars().collect();
    let mut t = Tokenizer {
        s: &chars,
        pos: 0,
        line: first_line,
        depth,
        statements: Vec::new(),
        current: Vec::new(),
        start_line: first_line,
        nested: Vec::new(),
        error: None,
    };
    t.run();
    let mut out = Lexed {
        commands: resolve(t.statements, depth),
        error: t.error,
    };
    out.commands.extend(t.nested);
    out
}

/// One word of a statement as written.
#[derive(Debug, Clone, Default)]
struct Token {
    word: Word,
    /// Written as a string (quoted or a here-string): a value, never a command.
    quoted: bool,
    /// `@{ … }`: a hashtable literal's body, kept for splatting.
    table: Option<String>,
    /// `@name`: the variable splatted into parameters.
    splat: Option<String>,
}

impl Token {
    fn plain(text: &str) -> Token {
        Token {
            word: Word {
                text: text.to_owned(),
                expansions: Vec::new(),
                if_empty: text.to_owned(),
            },
            ..Token::default()
        }
    }
}

struct Statement {
    tokens: Vec<Token>,
    line: u32,
    end_line: u32,
}

struct Tokenizer<'a> {
    s: &'a [char],
    pos: usize,
    line: u32,
    depth: u8,
    statements: Vec<Statement>,
    current: Vec<Token>,
    start_line: u32,
    /// The commands found inside groups, lexed on their own.
    nested: Vec<SimpleCommand>,
    error: Option<LexError>,
}

fn is_single_quote(c: char) -> bool {
    matches!(c, '\'' | '\u{2018}' | '\u{2019}' | '\u{201a}' | '\u{201b}')
}

fn is_double_quote(c: char) -> bool {
    matches!(c, '"' | '\u{201c}' | '\u{201d}' | '\u{201e}')
}

fn ends_word(c: char) -> bool {
    matches!(
        c,
        ' ' | '\t' | '\r' | '\n' | ';' | '|' | '&' | '{' | '}' | ')'
    )
}

impl Tokenizer<'_> {
    fn peek(&self, ahead: usize) -> Option<char> {
        self.s.get(self.pos + ahead).copied()
    }

    fn fail(&mut self, line: u32, message: &str) {
        self.error.get_or_insert(LexError {
            line,
            message: message.to_owned(),
        });
        // Nothing after an unterminated construct can be read reliably, nor the statement it
        // stands in: PowerShell would run none of the script.
        self.pos = self.s.len();
        self.current.clear();
    }

    fn end_statement(&mut self) {
        if self.current.is_empty() {
            return;
        }
        let tokens = std::mem::take(&mut self.current);
        self.statements.push(Statement {
            tokens,
            line: self.start_line,
            end_line: self.line,
        });
    }

    fn push(&mut self, token: Token, line: u32) {
        if self.current.is_empty() {
            self.start_line = line;
        }
        self.current.push(token);
    }

    fn run(&mut self) {
        while let Some(c) = self.peek(0) {
            match c {
                ' ' | '\t' | '\r' | '\u{feff}' => self.pos += 1,
                '\n' => {
                    self.end_statement();
                    self.pos += 1;
                    self.line += 1;
                }
                ';' | '|' | '{' | '}' | ')' => {
                    self.end_statement();
                    self.pos += 1;
                }
                '&' => {
                    // `&&` ends a command; `&` first is the call operator; `&` last starts a job.
                    if self.peek(1) == Some('&') {
                        self.end_statement();
                        self.pos += 2;
                    } else if self.current.is_empty() {
                        self.pos += 1;
                    } else {
                        self.end_statement();
                        self.pos += 1;
                    }
                }
                '#' => self.skip_line_comment(),
                '<' if self.peek(1) == Some('#') => self.skip_block_comment(),
                '`' if self.continuation() => {}
                '.' if self.current.is_empty() && matches!(self.peek(1), Some(' ' | '\t')) => {
                    // Dot-sourcing: `. ./helpers.ps1` runs the file named next.
                    self.pos += 1;
                }
                '-' if self.peek(1) == Some('-') && self.peek(2) == Some('%') => {
                    self.stop_parsing()
                }
                _ if self.at_redirection() => self.skip_redirection(),
                _ => {
                    let line = self.line;
                    let token = self.token();
                    if let Some(token) = token {
                        self.push(token, line);
                    }
                }
            }
        }
        self.end_statement();
    }

    /// A backtick before a line break joins the lines.
    fn continuation(&mut self) -> bool {
        let skip = match (self.peek(1), self.peek(2)) {
            (Some('\n'), _) => 2,
            (Some('\r'), Some('\n')) => 3,
            _ => return false,
        };
        self.pos += skip;
        self.line += 1;
        true
    }

    fn skip_line_comment(&mut self) {
        while let Some(c) = self.peek(0) {
            if c == '\n' {
                break;
            }
            self.pos += 1;
        }
    }

    fn skip_block_comment(&mut self) {
        let line = self.line;
        self.pos += 2;
        loop {
            match self.peek(0) {
                None => return self.fail(line, "a `<#` comment is never closed with `#>`"),
                Some('#') if self.peek(1) == Some('>') => {
                    self.pos += 2;
                    return;
                }
                Some('\n') => {
                    self.line += 1;
                    self.pos += 1;
                }
                Some(_) => self.pos += 1,
            }
        }
    }

    /// `--%`: the rest of the line goes to the native program as it is.
    fn stop_parsing(&mut self) {
        self.pos += 3;
        let mut rest = String::new();
        while let Some(c) = self.peek(0).filter(|c| *c != '\n') {
            rest.push(c);
            self.pos += 1;
        }
        let line = self.line;
        for word in rest.split_whitespace() {
            self.push(Token::plain(word), line);
        }
    }

    /// `>`, `>>`, `2>`, `*>`, `2>&1` at the start of a word.
    fn at_redirection(&self) -> bool {
        match self.peek(0) {
            Some('>') => true,
            Some(c) if c.is_ascii_digit() || c == '*' => self.peek(1) == Some('>'),
            _ => false,
        }
    }

    fn skip_redirection(&mut self) {
        if self.peek(0) != Some('>') {
            self.pos += 1;
        }
        self.pos += 1;
        if self.peek(0) == Some('>') {
            self.pos += 1;
        }
        if self.peek(0) == Some('&') && self.peek(1).is_some_and(|c| c.is_ascii_digit()) {
            self.pos += 2;
            return;
        }
        while matches!(self.peek(0), Some(' ' | '\t')) {
            self.pos += 1;
        }
        // The target is read as a word (so its quotes are consumed) and dropped.
        if self.peek(0).is_some_and(|c| !ends_word(c)) {
            let _ = self.word();
        }
    }

    fn token(&mut self) -> Option<Token> {
        let start = self.pos;
        let token = match (self.peek(0), self.peek(1)) {
            (Some('@'), Some(q)) if (is_double_quote(q) || is_single_quote(q)) => {
                match self.here_string() {
                    Some(token) => Some(token),
                    None if self.error.is_some() => None,
                    None => self.word(),
                }
            }
            (Some('@'), Some('{')) => {
                self.pos += 1;
                let body = self.group('{', '}')?;
                Some(Token {
                    table: Some(body.clone()),
                    ..Token::plain(&format!("@{{{body}}}"))
                })
            }
            (Some('@'), Some(c)) if c.is_alphanumeric() || c == '_' => {
                self.pos += 1;
                let mut name = String::new();
                while let Some(c) = self.peek(0).filter(|c| c.is_alphanumeric() || *c == '_') {
                    name.push(c);
                    self.pos += 1;
                }
                Some(Token {
                    splat: Some(name.clone()),
                    ..Token::plain(&format!("@{name}"))
                })
            }
            _ => self.word(),
        };
        // Whatever happens, the tokenizer moves on.
        if self.pos == start {
            self.pos += 1;
        }
        token
    }

    /// `@"` or `@'` and a line break open a here-string; it ends at a line that starts with
    /// the quote and `@`. `None` when the `@` opens nothing of the kind.
    fn here_string(&mut self) -> Option<Token> {
        let quote = self.peek(1)?;
        let mut at = self.pos + 2;
        while matches!(self.s.get(at), Some(' ' | '\t' | '\r')) {
            at += 1;
        }
        if self.s.get(at) != Some(&'\n') {
            return None;
        }
        let open_line = self.line;
        self.pos = at + 1;
        self.line += 1;
        let mut body: Vec<String> = Vec::new();
        loop {
            if self.pos >= self.s.len() {
                self.fail(open_line, "a here-string is never closed");
                return None;
            }
            let mut line = String::new();
            while let Some(c) = self.peek(0).filter(|c| *c != '\n') {
                line.push(c);
                self.pos += 1;
            }
            let trimmed = line.trim_start();
            let mut closing = trimmed.chars();
            let closes = closing.next().is_some_and(|c| {
                if is_double_quote(quote) {
                    is_double_quote(c)
                } else {
                    is_single_quote(c)
                }
            }) && closing.next() == Some('@');
            if closes {
                // The rest of the closing line (`"@ | Out-File x`) goes on being read.
                let rest = trimmed.chars().count().saturating_sub(2);
                self.pos -= rest;
                return Some(Token {
                    quoted: true,
                    ..Token::plain(&body.join("\n"))
                });
            }
            body.push(line.trim_end_matches('\r').to_owned());
            if self.peek(0) == Some('\n') {
                self.pos += 1;
                self.line += 1;
            }
        }
    }

    /// A group from its opening character to the matching close, quotes respected; its inside
    /// is lexed as commands of its own. `None` when it never closes.
    fn group(&mut self, open: char, close: char) -> Option<String> {
        let start_line = self.line;
        self.pos += 1;
        let mut depth = 1u32;
        let mut inner = String::new();
        loop {
            let Some(c) = self.peek(0) else {
                self.fail(
                    start_line,
                    &format!("a `{open}` is never closed with `{close}`"),
                );
                return None;
            };
            if c == '`' {
                inner.push(c);
                if let Some(next) = self.peek(1) {
                    inner.push(next);
                    if next == '\n' {
                        self.line += 1;
                    }
                    self.pos += 1;
                }
                self.pos += 1;
                continue;
            }
            if is_single_quote(c) || is_double_quote(c) {
                let quote_line = self.line;
                inner.push(c);
                self.pos += 1;
                loop {
                    let Some(q) = self.peek(0) else {
                        self.fail(quote_line, "a string is never closed");
                        return None;
                    };
                    inner.push(q);
                    self.pos += 1;
                    if q == '\n' {
                        self.line += 1;
                    }
                    if q == '`' && is_double_quote(c) {
                        if let Some(next) = self.peek(0) {
                            inner.push(next);
                            self.pos += 1;
                        }
                    } else if (is_single_quote(c) && is_single_quote(q))
                        || (is_double_quote(c) && is_double_quote(q))
                    {
                        break;
                    }
                }
                continue;
            }
            self.pos += 1;
            if c == '\n' {
                self.line += 1;
            }
            if c == open {
                depth += 1;
            } else if c == close {
                depth -= 1;
                if depth == 0 {
                    break;
                }
            }
            inner.push(c);
        }
        if open != '{' {
            self.lex_nested(&inner, start_line);
        }
        Some(inner)
    }

    fn lex_nested(&mut self, inner: &str, line: u32) {
        if self.depth >= MAX_DEPTH {
            return;
        }
        let lexed = lex_at(inner, line, self.depth + 1);
        self.nested.extend(lexed.commands);
        if let Some(error) = lexed.error {
            self.error.get_or_insert(error);
        }
    }

    /// A word: quoted and bare pieces and variables, up to whitespace or an operator.
    fn word(&mut self) -> Option<Token> {
        let mut token = Token {
            quoted: self
                .peek(0)
                .is_some_and(|c| is_single_quote(c) || is_double_quote(c)),
            ..Token::default()
        };
        let start = self.pos;
        while let Some(c) = self.peek(0) {
            if ends_word(c) && !(c == '&' && self.pos == start) {
                break;
            }
            if is_single_quote(c) {
                self.single_quoted(&mut token.word)?;
            } else if is_double_quote(c) {
                self.double_quoted(&mut token.word)?;
            } else if c == '`' {
                if matches!(self.peek(1), Some('\n' | '\r') | None) {
                    break;
                }
                if let Some(next) = self.peek(1) {
                    token.word.text.push(next);
                    token.word.if_empty.push(next);
                }
                self.pos += 2;
            } else if c == '$' {
                self.variable(&mut token.word)?;
            } else if c == '(' {
                let inner = self.group('(', ')')?;
                token.word.text.push_str(&format!("({inner})"));
                token.word.expansions.push(Expansion {
                    name: "$(…)".to_owned(),
                    quoted: true,
                    guarded: false,
                });
            } else {
                token.word.text.push(c);
                token.word.if_empty.push(c);
                self.pos += 1;
            }
        }
        (self.pos > start).then_some(token)
    }

    fn single_quoted(&mut self, word: &mut Word) -> Option<()> {
        let line = self.line;
        self.pos += 1;
        loop {
            let Some(c) = self.peek(0) else {
                self.fail(line, "a '…' string is never closed");
                return None;
            };
            self.pos += 1;
            if is_single_quote(c) {
                if self.peek(0).is_some_and(is_single_quote) {
                    word.text.push('\'');
                    word.if_empty.push('\'');
                    self.pos += 1;
                    continue;
                }
                return Some(());
            }
            if c == '\n' {
                self.line += 1;
            }
            word.text.push(c);
            word.if_empty.push(c);
        }
    }

    fn double_quoted(&mut self, word: &mut Word) -> Option<()> {
        let line = self.line;
        self.pos += 1;
        loop {
            let Some(c) = self.peek(0) else {
                self.fail(line, "a \"…\" string is never closed");
                return None;
            };
            if is_double_quote(c) {
                self.pos += 1;
                if self.peek(0).is_some_and(is_double_quote) {
                    word.text.push('"');
                    word.if_empty.push('"');
                    self.pos += 1;
                    continue;
                }
                return Some(());
            }
            if c == '$' {
                self.variable(word)?;
                continue;
            }
            self.pos += 1;
            let c = if c == '`' {
                let escaped = self.peek(0).unwrap_or('`');
                self.pos += 1;
                match escaped {
                    'n' => '\n',
                    't' => '\t',
                    'r' => '\r',
                    '0' => '\0',
                    other => other,
                }
            } else {
                c
            };
            if c == '\n' {
                self.line += 1;
            }
            word.text.push(c);
            word.if_empty.push(c);
        }
    }

    /// `$name`, `$env:NAME`, `${any name}`, `$(…)`, `${{ expression }}` (a GitHub or Azure
    /// template expression, replaced before PowerShell runs), or a lone `$`.
    fn variable(&mut self, word: &mut Word) -> Option<()> {
        let expansion = |name: String| Expansion {
            name,
            quoted: true,
            guarded: false,
        };
        match self.peek(1) {
            Some('(') => {
                self.pos += 1;
                let inner = self.group('(', ')')?;
                word.text.push_str(&format!("$({inner})"));
                // `$(Build.SourcesDirectory)`: an Azure Pipelines macro, replaced before the
                // script runs, named as the agent's environment names it.
                let macro_name = inner.trim();
                let is_macro = !macro_name.is_empty()
                    && macro_name
                        .chars()
                        .all(|c| c.is_alphanumeric() || c == '_' || c == '.');
                word.expansions.push(expansion(if is_macro {
                    normalized_macro(macro_name)
                } else {
                    "$(…)".to_owned()
                }));
                Some(())
            }
            Some('{') if self.peek(2) == Some('{') => {
                let rest: String = self.s[self.pos..].iter().collect();
                match rest.find("}}") {
                    Some(end) => {
                        let whole = &rest[..end + 2];
                        word.text.push_str(whole);
                        word.expansions
                            .push(expansion(normalized_macro(whole[3..end].trim())));
                        self.pos += whole.chars().count();
                    }
                    None => {
                        word.text.push('$');
                        word.if_empty.push('$');
                        self.pos += 1;
                    }
                }
                Some(())
            }
            Some('{') => {
                let line = self.line;
                let mut name = String::new();
                self.pos += 2;
                loop {
                    match self.peek(0) {
                        None => {
                            self.fail(line, "a `${` variable is never closed with `}`");
                            return None;
                        }
                        Some('}') => {
                            self.pos += 1;
                            break;
                        }
                        Some(c) => {
                            name.push(c);
                            self.pos += 1;
                        }
                    }
                }
                word.text.push_str(&format!("${{{name}}}"));
                word.expansions.push(expansion(name));
                Some(())
            }
            Some(c) if c.is_alphanumeric() || matches!(c, '_' | '$' | '?' | '^') => {
                self.pos += 1;
                let mut name = String::new();
                if matches!(c, '$' | '?' | '^') {
                    name.push(c);
                    self.pos += 1;
                } else {
                    while let Some(c) = self.peek(0) {
                        let scope = c == ':'
                            && self
                                .peek(1)
                                .is_some_and(|n| n.is_alphanumeric() || n == '_')
                            && !name.contains(':');
                        if !(c.is_alphanumeric() || c == '_' || scope) {
                            break;
                        }
                        name.push(c);
                        self.pos += 1;
                    }
                }
                word.text.push('$');
                word.text.push_str(&name);
                let lower = name.to_ascii_lowercase();
                if matches!(lower.as_str(), "true" | "false" | "null") {
                    // Constants, not variables.
                    word.if_empty.push('$');
                    word.if_empty.push_str(&name);
                } else {
                    word.expansions.push(expansion(name));
                }
                Some(())
            }
            _ => {
                word.text.push('$');
                word.if_empty.push('$');
                self.pos += 1;
                Some(())
            }
        }
    }
}

/// `Build.SourcesDirectory` → `BUILD_SOURCESDIRECTORY`, `github.workspace` →
/// `GITHUB_WORKSPACE`: the environment variable a pipeline macro or expression stands for.
fn normalized_macro(name: &str) -> String {
    name.to_ascii_uppercase().replace('.', "_")
}

/// What the statements of one script mean as commands.
fn resolve(statements: Vec<Statement>, depth: u8) -> Vec<SimpleCommand> {
    let mut strings: HashMap<String, Word> = HashMap::new();
    let mut tables: HashMap<String, String> = HashMap::new();
    let mut mocked: Vec<String> = Vec::new();
    let mut out = Vec::new();
    for statement in statements {
        let mut tokens = statement.tokens;
        if let Some(name) = assigned_variable(&tokens) {
            tokens.drain(..2);
            match tokens.as_slice() {
                [only] if only.table.is_some() => {
                    tables.insert(name, only.table.clone().unwrap_or_default());
                    continue;
                }
                [only] if only.quoted => {
                    strings.insert(name, only.word.clone());
                    continue;
                }
                _ => {}
            }
        }
        strip_keywords(&mut tokens);
        let Some(first) = tokens.first() else {
            continue;
        };
        if first.word.text.eq_ignore_ascii_case("mock") {
            if let Some(target) = tokens.get(1) {
                mocked.push(target.word.text.to_ascii_lowercase());
            }
            continue;
        }
        let mut words = Vec::with_capacity(tokens.len());
        for token in tokens {
            if let Some(name) = &token.splat {
                match tables.get(&name.to_ascii_lowercase()) {
                    Some(body) => words.extend(splatted(body, statement.line, depth)),
                    None => words.push(token.word),
                }
                continue;
            }
            let known = token
                .word
                .text
                .strip_prefix('$')
                .filter(|_| token.word.expansions.len() == 1)
                .and_then(|name| strings.get(&name.to_ascii_lowercase()));
            words.push(known.cloned().unwrap_or(token.word));
        }
        // `$x`, `$a -eq $b`: an expression, not a command (a command in a variable is run
        // with `&`, and a known one has been substituted above).
        if words.first().is_some_and(|w| w.text.starts_with('$')) {
            continue;
        }
        normalize_program(&mut words);
        if words
            .first()
            .is_some_and(|w| mocked.contains(&w.text.to_ascii_lowercase()))
        {
            continue;
        }
        out.push(SimpleCommand {
            words,
            line: statement.line,
            end_line: statement.end_line.max(statement.line),
            stdin: None,
        });
    }
    out
}

/// `$x = …`, `[string]$x = …`, `$script:x += …`: the variable's lower-case name, without
/// its scope.
fn assigned_variable(tokens: &[Token]) -> Option<String> {
    let operator = tokens.get(1)?.word.text.as_str();
    if !matches!(operator, "=" | "+=" | "-=" | "*=" | "/=" | "??=") {
        return None;
    }
    let target = tokens.first()?.word.text.as_str();
    let target = match target.rfind(']') {
        Some(end) if target.starts_with('[') => &target[end + 1..],
        _ => target,
    };
    let name = target.strip_prefix('$')?;
    let name = name.rsplit(':').next().unwrap_or(name);
    (!name.is_empty() && name.chars().all(|c| c.is_alphanumeric() || c == '_'))
        .then(|| name.to_ascii_lowercase())
}

/// Keywords open blocks or declare things; the commands are in the blocks, which the
/// tokenizer has already split off.
fn strip_keywords(tokens: &mut Vec<Token>) {
    let Some(first) = tokens.first() else {
        return;
    };
    let written = first.word.text.to_ascii_lowercase();
    // `if($x)` and `param($n)` may stand without a space before the parenthesis.
    let (keyword, glued) = match written.split_once('(') {
        Some((keyword, _)) => (keyword, true),
        None => (written.as_str(), false),
    };
    match keyword {
        "param" | "if" | "elseif" | "foreach" | "for" | "while" | "until" | "switch" if glued => {
            let conditions = tokens
                .iter()
                .skip(1)
                .take_while(|t| t.word.text.starts_with('(') && keyword != "param")
                .count();
            tokens.drain(..1 + conditions);
        }
        _ if glued => {}
        "if" | "elseif" | "foreach" | "for" | "while" | "until" | "switch" => {
            let conditions = tokens
                .iter()
                .skip(1)
                .take_while(|t| t.word.text.starts_with(['(', '-']))
                .count();
            tokens.drain(..1 + conditions);
        }
        "return" => {
            tokens.remove(0);
        }
        "function" | "filter" | "workflow" | "configuration" | "param" | "class" | "enum"
        | "using" | "throw" | "exit" | "break" | "continue" | "trap" | "try" | "catch"
        | "finally" | "else" | "do" | "begin" | "process" | "end" | "data" | "dynamicparam"
        | "[cmdletbinding()]" => tokens.clear(),
        _ => {}
    }
}

/// A splatted hashtable's entries as `-Key:value` parameters.
fn splatted(body: &str, line: u32, depth: u8) -> Vec<Word> {
    let mut out = Vec::new();
    for entry in split_entries(body) {
        let Some((key, value)) = entry.split_once('=') else {
            continue;
        };
        let key = key
            .trim()
            .trim_matches(|c: char| is_single_quote(c) || is_double_quote(c));
        if key.is_empty() || depth >= MAX_DEPTH {
            continue;
        }
        let lexed = lex_tokens(value.trim(), line, depth + 1);
        let Some(value) = lexed.into_iter().next() else {
            continue;
        };
        out.push(Word {
            text: format!("-{key}:{}", value.word.text),
            if_empty: format!("-{key}:{}", value.word.if_empty),
            expansions: value.word.expansions,
        });
    }
    out
}

/// The tokens of a value, before any statement is resolved.
fn lex_tokens(text: &str, line: u32, depth: u8) -> Vec<Token> {
    let chars: Vec<char> = text.chars().collect();
    let mut t = Tokenizer {
        s: &chars,
        pos: 0,
        line,
        depth,
        statements: Vec::new(),
        current: Vec::new(),
        start_line: line,
        nested: Vec::new(),
        error: None,
    };
    t.run();
    t.statements
        .into_iter()
        .next()
        .map(|s| s.tokens)
        .unwrap_or_default()
}

/// A hashtable body's entries: separated by `;` or line breaks outside quotes and groups.
fn split_entries(body: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut current = String::new();
    let mut quote: Option<char> = None;
    let mut depth = 0i32;
    for c in body.chars() {
        match quote {
            Some(q)
                if (is_single_quote(q) && is_single_quote(c))
                    || (is_double_quote(q) && is_double_quote(c)) =>
            {
                quote = None;
            }
            Some(_) => {}
            None if is_single_quote(c) || is_double_quote(c) => quote = Some(c),
            None if matches!(c, '(' | '{' | '[') => depth += 1,
            None if matches!(c, ')' | '}' | ']') => depth -= 1,
            None if depth <= 0 && (c == ';' || c == '\n') => {
                out.push(std::mem::take(&mut current));
                continue;
            }
            None => {}
        }
        current.push(c);
    }
    out.push(current);
    out.retain(|e| !e.trim().is_empty());
    out
}

/// The command name as the packs know it: without a module qualifier or path, `.exe` or an
/// alias.
fn normalize_program(words: &mut [Word]) {
    let Some(first) = words.first() else {
        return;
    };
    let mut name = first.text.clone();
    if first.expansions.is_empty() {
        if let Some(last) = name.rsplit(['\\', '/']).next().filter(|l| !l.is_empty()) {
            name = last.to_owned();
        }
    }
    if name.to_ascii_lowercase().ends_with(".exe") {
        name = name[..name.len() - 4].to_ascii_lowercase();
    }
    let posix_flags = words.iter().skip(1).any(|w| {
        let t = w.text.as_str();
        matches!(t, "--recursive" | "--force" | "--no-preserve-root")
            || t.strip_prefix('-').is_some_and(|f| {
                f.len() >= 2
                    && f.chars()
                        .all(|c| matches!(c, 'r' | 'R' | 'f' | 'v' | 'd' | 'i'))
            })
    });
    let lower = name.to_ascii_lowercase();
    // `rm` is PowerShell's alias on Windows only; `rm -rf` is the POSIX program either way.
    let removes = matches!(lower.as_str(), "ri" | "del" | "erase" | "rd" | "rmdir")
        || (lower == "rm" && !posix_flags);
    if removes {
        name = "Remove-Item".to_owned();
    }
    if let Some(first) = words.first_mut() {
        if first.text != name {
            first.text.clone_from(&name);
            first.if_empty = name;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::lex::tests::{argv_by, v};
    use super::*;
    use proptest::prelude::*;

    fn argv(text: &str) -> Vec<Vec<String>> {
        argv_by(lex, text)
    }

    #[test]
    fn statements_end_at_semicolons_pipes_newlines_and_braces() {
        assert_eq!(
            argv("Get-AzResourceGroup -Name 'a;b' | Remove-AzResourceGroup -Force; Write-Host done\nif ($x) { kubectl delete ns a }"),
            v(&[
                &["Get-AzResourceGroup", "-Name", "a;b"],
                &["Remove-AzResourceGroup", "-Force"],
                &["Write-Host", "done"],
                &["kubectl", "delete", "ns", "a"],
            ])
        );
    }

    #[test]
    fn quotes_escapes_and_backtick_continuations() {
        let lexed = lex(
            "Remove-AzSqlDatabase `\n  -ResourceGroupName 'it''s' `\n  -DatabaseName \"a`\"b\"\"c\"\n",
            10,
        );
        assert_eq!(lexed.error, None);
        let command = &lexed.commands[0];
        let words: Vec<&str> = command.words.iter().map(|w| w.text.as_str()).collect();
        assert_eq!(
            words,
            [
                "Remove-AzSqlDatabase",
                "-ResourceGroupName",
                "it's",
                "-DatabaseName",
                "a\"b\"c"
            ]
        );
        assert_eq!((command.line, command.end_line), (10, 12));
    }

    #[test]
    fn comments_and_redirections_are_not_words() {
        assert_eq!(
            argv("<# Remove-AzResourceGroup -Name x\n#>\n# kubectl delete ns a\nkubectl get ns 2>&1 > out.txt # trailing"),
            v(&[&["kubectl", "get", "ns"]])
        );
    }

    #[test]
    fn here_strings_are_one_word_and_their_text_is_not_commands() {
        let lexed = lex("Invoke-Sqlcmd -Query @\"\nDROP TABLE t;\nRemove-AzResourceGroup x\n\"@\nWrite-Host after\n", 1);
        assert_eq!(lexed.error, None);
        assert_eq!(lexed.commands.len(), 2);
        assert_eq!(
            lexed.commands[0].words[2].text,
            "DROP TABLE t;\nRemove-AzResourceGroup x"
        );
        assert_eq!(lexed.commands[1].line, 5);
    }

    #[test]
    fn variables_are_expansions_and_assignments_are_remembered() {
        let lexed = lex(
            "$q = 'DROP TABLE t'\nInvoke-Sqlcmd -Query $q\nRemove-Item \"$env:DEPLOY\\*\"",
            1,
        );
        assert_eq!(lexed.commands[0].words[2].text, "DROP TABLE t");
        let target = &lexed.commands[1].words[1];
        assert_eq!(target.text, "$env:DEPLOY\\*");
        assert_eq!(target.if_empty, "\\*");
        assert_eq!(target.expansions[0].name, "env:DEPLOY");
    }

    #[test]
    fn splatting_a_known_hashtable_gives_its_parameters() {
        assert_eq!(
            argv(
                "$p = @{\n  Name = 'rg-prod'; Force = $true\n}\nRemove-AzResourceGroup @p @unknown"
            ),
            v(&[&[
                "Remove-AzResourceGroup",
                "-Name:rg-prod",
                "-Force:$true",
                "@unknown"
            ]])
        );
    }

    #[test]
    fn keywords_aliases_call_operator_and_qualifiers() {
        assert_eq!(
            argv("function Remove-Thing { param($n) Az.Resources\\Remove-AzResourceGroup $n }\nforeach ($x in $y) { ri -r $x }\n& 'C:\\tools\\Terraform.EXE' destroy\nrm -rf /tmp/x"),
            v(&[
                &["Remove-AzResourceGroup", "$n"],
                &["Remove-Item", "-r", "$x"],
                &["terraform", "destroy"],
                &["rm", "-rf", "/tmp/x"],
            ])
        );
    }

    #[test]
    fn groups_are_one_word_and_their_commands_are_read() {
        assert_eq!(
            argv("Write-Output (Remove-AzVM -Name a -Force)"),
            v(&[
                &["Write-Output", "(Remove-AzVM -Name a -Force)"],
                &["Remove-AzVM", "-Name", "a", "-Force"]
            ])
        );
    }

    #[test]
    fn pipeline_macros_and_template_expressions_are_named_variables() {
        let lexed = lex(
            "Remove-Item \"$(Agent.TempDirectory)\\*\" \"${{ github.workspace }}\\out\"",
            1,
        );
        let names: Vec<&str> = lexed.commands[0].words[1..]
            .iter()
            .map(|w| w.expansions[0].name.as_str())
            .collect();
        assert_eq!(names, ["AGENT_TEMPDIRECTORY", "GITHUB_WORKSPACE"]);
    }

    #[test]
    fn mocked_commands_do_not_run() {
        assert_eq!(
            argv("Mock Remove-AzResourceGroup { }\nRemove-AzResourceGroup -Name x\nRemove-AzVM -Name y"),
            v(&[&["Remove-AzVM", "-Name", "y"]])
        );
    }

    #[test]
    fn stop_parsing_passes_the_rest_of_the_line() {
        assert_eq!(
            argv("kubectl --% delete ns \"prod\"\nhelm list"),
            v(&[&["kubectl", "delete", "ns", "\"prod\""], &["helm", "list"]])
        );
    }

    #[test]
    fn unterminated_constructs_are_errors_with_their_line() {
        for (text, line) in [
            ("Write-Host ok\nRemove-AzResourceGroup -Name \"rg", 2),
            ("x\n<# never", 2),
            ("$a = @\"\nbody", 1),
            ("Write-Output (Get-Thing", 1),
            ("Write-Host 'x", 1),
        ] {
            let lexed = lex(text, 1);
            assert_eq!(lexed.error.map(|e| e.line), Some(line), "{text}");
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(2000))]
        #[test]
        fn never_panics_on_any_text(text in "\\PC{0,200}") {
            let _ = lex(&text, 1);
        }

        #[test]
        fn never_panics_on_powershell_punctuation(
            text in "[-a-zA-Z$@`'\"(){};|&#<>%:=,.\\\\ \n\r*{}\u{2018}\u{201c}]{0,120}"
        ) {
            let lexed = lex(&text, 1);
            for command in &lexed.commands {
                prop_assert!(command.end_line >= command.line);
            }
        }

        #[test]
        fn deep_nesting_ends(depth in 0usize..200) {
            let text = format!("{}kubectl delete ns a{}", "$(".repeat(depth), ")".repeat(depth));
            let _ = lex(&text, 1);
        }
    }
}
