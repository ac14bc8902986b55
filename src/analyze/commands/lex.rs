//! lex: splits shell text into simple commands the way a POSIX shell would, so that the rule
//! packs see `argv` and not a line of text.
//!
//! Quotes (`'…'`, `"…"`, `$'…'`), backslash escapes and line continuations are resolved;
//! `;`, `&&`, `||`, `|`, `&`, newlines and parentheses end a command; redirections and their
//! targets are dropped from `argv`; comments are skipped; here-documents and here-strings are
//! kept as the command's standard input (so `psql <<SQL … DROP TABLE … SQL` is visible).
//! Command substitutions (`$(…)`, backticks, `<(…)`) are lexed as commands of their own.
//!
//! No shell-grammar crate was a good fit: the maintained ones execute or type-check whole
//! programs and pull in far more than twokey needs, and `shlex` splits words but cannot tell
//! an operator from a quoted `;`. This lexer stays deliberately small: it never evaluates
//! anything, and an unterminated quote or substitution is reported, never guessed around.

/// A parameter or command expansion inside a word: what would be substituted at run time.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Expansion {
    /// The variable's name (`HOME`, `1`), or `$(…)` for a command substitution.
    pub name: String,
    /// Inside double quotes: no word splitting or globbing.
    pub quoted: bool,
    /// `${X:?message}`: the shell stops when `X` is unset or empty.
    pub guarded: bool,
}

/// One shell word after quote removal. Expansions stay in `text` as written (`$DIR/x`).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Word {
    pub text: String,
    pub expansions: Vec<Expansion>,
    /// The text the word would have if every expansion were empty.
    pub if_empty: String,
}

/// A command between two operators: its words, where it stands, and what it reads on stdin.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SimpleCommand {
    pub words: Vec<Word>,
    pub line: u32,
    pub end_line: u32,
    /// A here-document or here-string fed to the command.
    pub stdin: Option<String>,
}

/// Text the lexer could not read to the end.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LexError {
    pub line: u32,
    pub message: String,
}

#[derive(Debug, Default)]
pub struct Lexed {
    /// In source order, with the commands of substitutions after the text's own.
    pub commands: Vec<SimpleCommand>,
    pub error: Option<LexError>,
}

/// Nesting beyond this (substitution inside substitution…) is kept as text, so hostile input
/// cannot exhaust the stack.
const MAX_DEPTH: u8 = 12;

/// Lexes `text`, whose first line is line `first_line` of the file it came from.
pub fn lex(text: &str, first_line: u32) -> Lexed {
    let chars: Vec<char> = text.chars().collect();
    let mut out = Lexed::default();
    let mut subs = Vec::new();
    Lexer {
        s: &chars,
        pos: 0,
        line: first_line,
        depth: 0,
        out: &mut out,
        subs: &mut subs,
    }
    .run();
    out.commands.extend(subs);
    out
}

enum Pending {
    /// A redirection target (`> file`): not an argument.
    Target,
    HereDoc {
        strip_tabs: bool,
    },
    HereString,
}

struct HereDoc {
    delimiter: String,
    strip_tabs: bool,
    owner: usize,
}

struct Lexer<'a, 'o> {
    s: &'a [char],
    pos: usize,
    line: u32,
    depth: u8,
    out: &'o mut Lexed,
    subs: &'o mut Vec<SimpleCommand>,
}

#[derive(Default)]
struct Building {
    words: Vec<Word>,
    word: Option<Word>,
    start_line: Option<u32>,
    pending: Option<Pending>,
    stdin: Option<String>,
    heredocs: Vec<HereDoc>,
}

impl Lexer<'_, '_> {
    fn peek(&self, ahead: usize) -> Option<char> {
        self.s.get(self.pos + ahead).copied()
    }

    fn fail(&mut self, line: u32, message: &str) {
        if self.out.error.is_none() {
            self.out.error = Some(LexError {
                line,
                message: message.to_owned(),
            });
        }
    }

    fn run(&mut self) {
        let mut b = Building::default();
        while let Some(c) = self.peek(0) {
            match c {
                ' ' | '\t' | '\r' => {
                    self.end_word(&mut b);
                    self.pos += 1;
                }
                '\n' => {
                    self.end_command(&mut b);
                    self.pos += 1;
                    self.line += 1;
                    self.read_heredocs(&mut b);
                }
                '\\' if self.peek(1) == Some('\r') && self.peek(2) == Some('\n') => {
                    // A continuation in a file with Windows line endings.
                    self.line += 1;
                    self.pos += 3;
                }
                '\\' => {
                    match self.peek(1) {
                        Some('\n') => {
                            self.line += 1;
                        }
                        Some(next) => self.word(&mut b).push_literal(next),
                        None => {}
                    }
                    self.pos += 2;
                }
                '#' if b.word.is_none() => {
                    while self.peek(0).is_some_and(|c| c != '\n') {
                        self.pos += 1;
                    }
                }
                '\'' => self.single_quoted(&mut b, false),
                '"' => self.double_quoted(&mut b),
                '`' => self.backtick(&mut b),
                '$' => self.dollar(&mut b, false),
                '<' | '>' => self.redirect(&mut b),
                '&' if self.peek(1) == Some('>') => self.redirect(&mut b),
                ';' | '&' | '|' | '(' | ')' => {
                    self.end_command(&mut b);
                    self.pos += 1;
                }
                _ => {
                    self.word(&mut b).push_literal(c);
                    self.pos += 1;
                }
            }
        }
        // A here-document opened on the last line has no body to read; bash only warns.
        self.end_command(&mut b);
    }

    fn word<'b>(&mut self, b: &'b mut Building) -> &'b mut Word {
        if b.start_line.is_none() {
            b.start_line = Some(self.line);
        }
        b.word.get_or_insert_with(Word::default)
    }

    fn end_word(&mut self, b: &mut Building) {
        let Some(word) = b.word.take() else { return };
        match b.pending.take() {
            None => b.words.push(word),
            Some(Pending::Target) => {}
            Some(Pending::HereString) => b.stdin = Some(word.text),
            Some(Pending::HereDoc { strip_tabs }) => b.heredocs.push(HereDoc {
                delimiter: word.text,
                strip_tabs,
                owner: self.out.commands.len(),
            }),
        }
    }

    fn end_command(&mut self, b: &mut Building) {
        self.end_word(b);
        b.pending = None;
        if !b.words.is_empty() {
            self.out.commands.push(SimpleCommand {
                words: std::mem::take(&mut b.words),
                line: b.start_line.unwrap_or(self.line),
                end_line: self.line,
                stdin: b.stdin.take(),
            });
        }
        b.words.clear();
        b.stdin = None;
        b.start_line = None;
    }

    /// Called at the start of the line after one that opened here-documents.
    fn read_heredocs(&mut self, b: &mut Building) {
        for doc in std::mem::take(&mut b.heredocs) {
            let mut body = String::new();
            loop {
                let start = self.pos;
                if start >= self.s.len() {
                    break;
                }
                let end = self.s[start..]
                    .iter()
                    .position(|&c| c == '\n')
                    .map_or(self.s.len(), |n| start + n);
                let line: String = self.s[start..end].iter().collect();
                self.pos = (end + 1).min(self.s.len());
                if end < self.s.len() {
                    self.line += 1;
                }
                let compared = if doc.strip_tabs {
                    line.trim_start_matches('\t')
                } else {
                    line.as_str()
                };
                if compared.trim_end_matches('\r') == doc.delimiter {
                    break;
                }
                body.push_str(&line);
                body.push('\n');
            }
            if let Some(command) = self.out.commands.get_mut(doc.owner) {
                command.stdin = Some(body);
            }
        }
    }

    fn single_quoted(&mut self, b: &mut Building, ansi_c: bool) {
        let opened = self.line;
        self.pos += 1;
        self.word(b);
        loop {
            match self.peek(0) {
                None => {
                    self.fail(opened, "a single quote is never closed");
                    return;
                }
                Some('\'') => {
                    self.pos += 1;
                    return;
                }
                Some('\\') if ansi_c => {
                    if let Some(next) = self.peek(1) {
                        self.count_newline(next);
                        self.word(b).push_literal(next);
                    }
                    self.pos += 2;
                }
                Some(c) => {
                    self.count_newline(c);
                    self.word(b).push_literal(c);
                    self.pos += 1;
                }
            }
        }
    }

    fn double_quoted(&mut self, b: &mut Building) {
        let opened = self.line;
        self.pos += 1;
        self.word(b);
        loop {
            match self.peek(0) {
                None => {
                    self.fail(opened, "a double quote is never closed");
                    return;
                }
                Some('"') => {
                    self.pos += 1;
                    return;
                }
                Some('\\') => {
                    match self.peek(1) {
                        Some('\n') => self.line += 1,
                        Some(c @ ('"' | '\\' | '$' | '`')) => self.word(b).push_literal(c),
                        Some(c) => {
                            self.word(b).push_literal('\\');
                            self.word(b).push_literal(c);
                        }
                        None => {}
                    }
                    self.pos += 2;
                }
                Some('$') => self.dollar(b, true),
                Some('`') => self.backtick(b),
                Some(c) => {
                    self.count_newline(c);
                    self.word(b).push_literal(c);
                    self.pos += 1;
                }
            }
        }
    }

    fn count_newline(&mut self, c: char) {
        if c == '\n' {
            self.line += 1;
        }
    }

    fn dollar(&mut self, b: &mut Building, quoted: bool) {
        match self.peek(1) {
            Some('\'') if !quoted => {
                self.pos += 1;
                self.single_quoted(b, true);
            }
            Some('"') if !quoted => {
                self.pos += 1;
                self.double_quoted(b);
            }
            Some('(') => {
                let line = self.line;
                self.pos += 2;
                let arithmetic = self.peek(0) == Some('(');
                let Some(inner) = self.balanced('(', ')', line) else {
                    return;
                };
                let word = self.word(b);
                word.text.push_str("$(");
                word.text.push_str(&inner);
                word.text.push(')');
                if !arithmetic {
                    self.nested(&inner, line);
                }
                self.word(b).expansions.push(Expansion {
                    name: "$(…)".to_owned(),
                    quoted,
                    guarded: false,
                });
            }
            Some('{') => {
                let line = self.line;
                self.pos += 2;
                let Some(inner) = self.balanced('{', '}', line) else {
                    return;
                };
                let word = self.word(b);
                word.text.push_str("${");
                word.text.push_str(&inner);
                word.text.push('}');
                if inner.starts_with('{') {
                    // `${{ … }}` is a GitHub Actions expression, filled in before the shell
                    // runs: a value, not a shell variable that might be empty.
                    word.if_empty.push_str("${");
                    word.if_empty.push_str(&inner);
                    word.if_empty.push('}');
                    return;
                }
                let name: String = inner
                    .trim_start_matches(['#', '!'])
                    .chars()
                    .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
                    .collect();
                let rest = &inner[inner.find(name.as_str()).map_or(0, |i| i + name.len())..];
                word.expansions.push(Expansion {
                    guarded: rest.starts_with(":?") || rest.starts_with('?'),
                    name,
                    quoted,
                });
            }
            Some(c) if c.is_ascii_alphabetic() || c == '_' => {
                self.pos += 1;
                let mut name = String::new();
                while let Some(c) = self
                    .peek(0)
                    .filter(|c| c.is_ascii_alphanumeric() || *c == '_')
                {
                    name.push(c);
                    self.pos += 1;
                }
                let word = self.word(b);
                word.text.push('$');
                word.text.push_str(&name);
                word.expansions.push(Expansion {
                    name,
                    quoted,
                    guarded: false,
                });
            }
            Some(c) if c.is_ascii_digit() || "@*#?$!-".contains(c) => {
                self.pos += 2;
                let word = self.word(b);
                word.text.push('$');
                word.text.push(c);
                word.expansions.push(Expansion {
                    name: c.to_string(),
                    quoted,
                    guarded: false,
                });
            }
            _ => {
                self.word(b).push_literal('$');
                self.pos += 1;
            }
        }
    }

    fn backtick(&mut self, b: &mut Building) {
        let line = self.line;
        self.pos += 1;
        let mut inner = String::new();
        loop {
            match self.peek(0) {
                None => {
                    self.fail(line, "a backtick command substitution is never closed");
                    return;
                }
                Some('`') => {
                    self.pos += 1;
                    break;
                }
                Some('\\') if self.peek(1).is_some() => {
                    inner.push(self.s[self.pos + 1]);
                    self.pos += 2;
                }
                Some(c) => {
                    self.count_newline(c);
                    inner.push(c);
                    self.pos += 1;
                }
            }
        }
        self.nested(&inner, line);
        let word = self.word(b);
        word.text.push('`');
        word.text.push_str(&inner);
        word.text.push('`');
        word.expansions.push(Expansion {
            name: "$(…)".to_owned(),
            quoted: false,
            guarded: false,
        });
    }

    /// Reads up to the bracket that closes one already consumed, skipping quoted text.
    fn balanced(&mut self, open: char, close: char, line: u32) -> Option<String> {
        let mut depth = 1usize;
        let mut inner = String::new();
        let mut quote: Option<char> = None;
        while let Some(c) = self.peek(0) {
            self.pos += 1;
            self.count_newline(c);
            match (quote, c) {
                (Some(q), c) if c == q => quote = None,
                (Some('"'), '\\') | (None, '\\') => {
                    inner.push(c);
                    if let Some(next) = self.peek(0) {
                        self.count_newline(next);
                        inner.push(next);
                        self.pos += 1;
                    }
                    continue;
                }
                (Some(_), _) => {}
                (None, '\'' | '"') => quote = Some(c),
                (None, c) if c == open => depth += 1,
                (None, c) if c == close => {
                    depth -= 1;
                    if depth == 0 {
                        return Some(inner);
                    }
                }
                _ => {}
            }
            inner.push(c);
        }
        self.fail(line, &format!("a `{open}` is never closed with `{close}`"));
        None
    }

    /// Lexes the text of a substitution as commands of their own.
    fn nested(&mut self, inner: &str, line: u32) {
        if self.depth >= MAX_DEPTH {
            return;
        }
        let chars: Vec<char> = inner.chars().collect();
        let mut nested = Lexed::default();
        let mut subs = Vec::new();
        Lexer {
            s: &chars,
            pos: 0,
            line,
            depth: self.depth + 1,
            out: &mut nested,
            subs: &mut subs,
        }
        .run();
        self.subs.extend(nested.commands);
        self.subs.extend(subs);
        if let Some(e) = nested.error {
            self.fail(e.line, &e.message);
        }
    }

    fn redirect(&mut self, b: &mut Building) {
        // `2>file`: the digits before the operator name a file descriptor, not an argument.
        if b.word.as_ref().is_some_and(|w| {
            !w.text.is_empty()
                && w.text.chars().all(|c| c.is_ascii_digit())
                && w.expansions.is_empty()
        }) {
            b.word = None;
        }
        self.end_word(b);
        let rest: String = self.s[self.pos..].iter().take(3).collect();
        let (len, pending) = if rest.starts_with("<<<") {
            (3, Pending::HereString)
        } else if rest.starts_with("<<-") {
            (3, Pending::HereDoc { strip_tabs: true })
        } else if rest.starts_with("<<") {
            (2, Pending::HereDoc { strip_tabs: false })
        } else if rest.starts_with("<(") || rest.starts_with(">(") {
            // Process substitution: a command of its own, standing in for a file name.
            let line = self.line;
            self.pos += 2;
            if let Some(inner) = self.balanced('(', ')', line) {
                self.nested(&inner, line);
            }
            return;
        } else if rest.starts_with("&>>") {
            (3, Pending::Target)
        } else if [">>", ">&", ">|", "<&", "<>", "&>"]
            .iter()
            .any(|op| rest.starts_with(op))
        {
            (2, Pending::Target)
        } else {
            (1, Pending::Target)
        };
        self.pos += len;
        b.pending = Some(pending);
    }
}

impl Word {
    fn push_literal(&mut self, c: char) {
        self.text.push(c);
        self.if_empty.push(c);
    }
}

#[cfg(test)]
pub(super) mod tests {
    use super::*;
    use proptest::prelude::*;

    /// The words of each command `lexer` finds in `text`, which must lex without error.
    pub(in crate::analyze::commands) fn argv_by(
        lexer: fn(&str, u32) -> Lexed,
        text: &str,
    ) -> Vec<Vec<String>> {
        let lexed = lexer(text, 1);
        assert_eq!(lexed.error, None, "{text}");
        lexed
            .commands
            .iter()
            .map(|c| c.words.iter().map(|w| w.text.clone()).collect())
            .collect()
    }

    fn argv(text: &str) -> Vec<Vec<String>> {
        argv_by(lex, text)
    }

    pub(in crate::analyze::commands) fn v(items: &[&[&str]]) -> Vec<Vec<String>> {
        items
            .iter()
            .map(|c| c.iter().map(|s| s.to_string()).collect())
            .collect()
    }

    #[test]
    fn operators_end_commands_and_quotes_keep_them_in_words() {
        assert_eq!(
            argv("cd infra && terraform destroy; echo 'a;b' | tee \"x && y\""),
            v(&[
                &["cd", "infra"],
                &["terraform", "destroy"],
                &["echo", "a;b"],
                &["tee", "x && y"]
            ])
        );
    }

    #[test]
    fn comments_and_redirections_are_not_arguments() {
        assert_eq!(
            argv("rm -rf build 2>/dev/null # rm -rf /\nls >> out.txt"),
            v(&[&["rm", "-rf", "build"], &["ls"]])
        );
        assert_eq!(argv("echo a#b"), v(&[&["echo", "a#b"]]));
    }

    #[test]
    fn continuations_join_lines_and_lines_are_counted() {
        let lexed = lex(
            "echo start\nterraform \\\n  destroy \\\n  -auto-approve\n",
            10,
        );
        assert_eq!(lexed.commands[1].words.len(), 3);
        assert_eq!(
            (lexed.commands[1].line, lexed.commands[1].end_line),
            (11, 13)
        );
    }

    #[test]
    fn windows_line_endings_continue_and_end_commands() {
        let lexed = lex("terraform \\\r\n  destroy\r\necho ok\r\n", 1);
        assert_eq!(lexed.error, None);
        let texts: Vec<Vec<&str>> = lexed
            .commands
            .iter()
            .map(|c| c.words.iter().map(|w| w.text.as_str()).collect())
            .collect();
        assert_eq!(texts, [vec!["terraform", "destroy"], vec!["echo", "ok"]]);
        assert_eq!(lexed.commands[1].line, 3);
    }

    #[test]
    fn here_documents_become_stdin_and_are_not_commands() {
        let lexed = lex(
            "psql \"$URL\" <<'SQL'\nDROP TABLE users;\nSQL\necho done\n",
            1,
        );
        assert_eq!(lexed.commands.len(), 2, "{:?}", lexed.commands);
        assert_eq!(
            lexed.commands[0].stdin.as_deref(),
            Some("DROP TABLE users;\n")
        );
        assert_eq!(lexed.commands[1].words[0].text, "echo");
        assert_eq!(lexed.commands[1].line, 4);
    }

    #[test]
    fn tab_stripped_here_document_ends_at_an_indented_delimiter() {
        let lexed = lex("cat <<-EOF\n\trm -rf /\n\tEOF\nls\n", 1);
        assert_eq!(lexed.commands.len(), 2);
        assert_eq!(lexed.commands[1].words[0].text, "ls");
    }

    #[test]
    fn substitutions_are_commands_of_their_own() {
        let lexed = lex("echo $(kubectl delete ns prod) `helm uninstall web`", 1);
        let programs: Vec<&str> = lexed
            .commands
            .iter()
            .map(|c| c.words[0].text.as_str())
            .collect();
        assert_eq!(programs, ["echo", "kubectl", "helm"]);
    }

    #[test]
    fn expansions_are_recorded_with_their_quoting() {
        let lexed = lex(
            "rm -rf \"$DIR\"/ $OTHER ${SAFE:?unset} ${{ runner.temp }}/x",
            1,
        );
        let words = &lexed.commands[0].words;
        assert_eq!(words[2].text, "$DIR/");
        assert_eq!(words[2].if_empty, "/");
        assert!(words[2].expansions[0].quoted);
        assert!(!words[3].expansions[0].quoted);
        assert!(words[4].expansions[0].guarded);
        assert!(words[5].expansions.is_empty());
        assert_eq!(words[5].if_empty, "${{ runner.temp }}/x");
    }

    #[test]
    fn ansi_c_quotes_and_escapes_are_resolved() {
        assert_eq!(argv(r"echo $'it\'s' a\ b"), v(&[&["echo", "it's", "a b"]]));
    }

    #[test]
    fn unterminated_quotes_are_errors_with_the_line_they_opened_on() {
        let lexed = lex("echo ok\necho 'never closed\nmore", 1);
        assert_eq!(lexed.error.map(|e| e.line), Some(2));
        assert!(lex("echo $(unclosed", 1).error.is_some());
        assert!(lex("echo \"open", 1).error.is_some());
    }

    #[test]
    fn case_patterns_and_subshells_split_cleanly() {
        assert_eq!(
            argv("case $x in a) rm -rf out;; esac"),
            v(&[&["case", "$x", "in", "a"], &["rm", "-rf", "out"], &["esac"]])
        );
    }

    proptest! {
        #[test]
        fn any_text_lexes_without_panicking(text in "\\PC{0,200}") {
            let lexed = lex(&text, 1);
            for c in &lexed.commands {
                prop_assert!(c.line <= c.end_line);
            }
        }

        #[test]
        fn shell_quoted_words_come_back_as_they_were(words in proptest::collection::vec("[^\\x00]{1,12}", 1..6)) {
            let quoted: Vec<String> = words
                .iter()
                .map(|w| shlex::try_quote(w).expect("no NUL").into_owned())
                .collect();
            let lexed = lex(&quoted.join(" "), 1);
            prop_assert_eq!(lexed.error, None);
            prop_assert_eq!(lexed.commands.len(), 1);
            let got: Vec<String> = lexed.commands[0].words.iter().map(|w| w.text.clone()).collect();
            prop_assert_eq!(got, words);
        }
    }
}
