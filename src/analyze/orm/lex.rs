//! lex: which bytes of a migration are code, comment or string, for each host language the
//! ORM scanners read. It blanks comments and string contents (newlines and byte offsets
//! kept) and records every string literal, so that `scan` only ever finds call names in
//! code and can still read a string's value back. It knows each language's comment and
//! string syntax and nothing else.
//!
//! What it does not understand, and how that fails: JavaScript regular-expression literals,
//! Elixir character literals (`?"`) and code nested inside an interpolation (`${f("x")}`)
//! are read as ordinary characters, so a quote in them may start a string early. An
//! unterminated string then runs to the end of the file (Python: of its line), which blanks
//! code rather than inventing it: calls after it are missed only in a file that would not
//! compile anyway.

use std::ops::Range;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lang {
    Python,
    Ruby,
    /// PHP (Laravel).
    Php,
    /// JavaScript and TypeScript (Knex, Sequelize, TypeORM).
    Js,
    /// C# (Entity Framework Core).
    CSharp,
    /// Elixir (Ecto).
    Elixir,
    /// Java (Flyway's Java-based migrations): `"…"`, text blocks `"""…"""`, no
    /// interpolation.
    Java,
    /// Kotlin (Flyway migrations written in Kotlin): `"…$x…"` and raw `"""…"""` strings,
    /// both interpolating `$name` and `${…}`.
    Kotlin,
}

impl Lang {
    /// Whether a call may be written without parentheses (`drop_table :users`,
    /// `drop table(:users)`).
    pub fn parenless_calls(self) -> bool {
        matches!(self, Lang::Ruby | Lang::Elixir)
    }
    fn hash_comments(self) -> bool {
        // C#'s `#nullable disable` and `#region` are directives, not code we read.
        !matches!(self, Lang::Js | Lang::Java | Lang::Kotlin)
    }
    fn slash_comments(self) -> bool {
        matches!(
            self,
            Lang::Php | Lang::Js | Lang::CSharp | Lang::Java | Lang::Kotlin
        )
    }
    fn triple_quotes(self) -> bool {
        matches!(
            self,
            Lang::Python | Lang::Elixir | Lang::CSharp | Lang::Java | Lang::Kotlin
        )
    }
}

/// A string literal.
#[derive(Debug, Clone)]
pub struct Literal {
    /// Where the literal starts in the code (a heredoc: its `<<~ID` marker).
    pub anchor: usize,
    /// Its content, between the quotes (a heredoc: its body lines).
    pub content: Range<usize>,
    /// The first byte of code after the literal (a heredoc: after its marker).
    pub end: usize,
    /// Whether the content is built from values at run time (`#{x}`, `${x}`, `{x}`, `$x`).
    pub interpolated: bool,
    /// A C# verbatim or raw string: `\` is a plain character and `""` writes one quote.
    pub verbatim: bool,
}

fn is_ident(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_'
}

fn blank(code: &mut [u8], range: Range<usize>) {
    for b in &mut code[range] {
        if *b != b'\n' {
            *b = b' ';
        }
    }
}

fn line_end(text: &[u8], from: usize) -> usize {
    text[from.min(text.len())..]
        .iter()
        .position(|&c| c == b'\n')
        .map_or(text.len(), |p| from + p)
}

/// Whether string content written with this language's interpolating quotes runs code.
fn interpolates(lang: Lang, content: &[u8], prefix: &[u8]) -> bool {
    let has = |needle: &[u8]| content.windows(needle.len()).any(|w| w == needle);
    match lang {
        Lang::Ruby | Lang::Elixir => has(b"#{"),
        Lang::Js => has(b"${"),
        Lang::Php => {
            content.windows(2).any(|w| {
                w[0] == b'$' && (w[1].is_ascii_alphabetic() || w[1] == b'_' || w[1] == b'{')
            }) || has(b"{$")
        }
        // C# `$"…{x}…"` and Python f-strings: the prefix says so.
        Lang::CSharp => prefix.contains(&b'$') && content.contains(&b'{'),
        Lang::Python => {
            prefix.iter().any(|c| c.eq_ignore_ascii_case(&b'f')) && content.contains(&b'{')
        }
        Lang::Java => false,
        Lang::Kotlin => content
            .windows(2)
            .any(|w| w[0] == b'$' && (w[1].is_ascii_alphabetic() || w[1] == b'_' || w[1] == b'{')),
    }
}

/// The letters and sigils written right before a quote (`f`, `rb`, `$`, `@$`).
fn prefix(text: &[u8], quote: usize) -> &[u8] {
    let begin = text[..quote]
        .iter()
        .rposition(|c| !(c.is_ascii_alphabetic() || *c == b'$' || *c == b'@'))
        .map_or(0, |p| p + 1);
    &text[begin..quote]
}

/// Blanks comments and string contents. Returns the masked bytes and the literals.
pub fn mask(text: &[u8], lang: Lang) -> (Vec<u8>, Vec<Literal>) {
    let mut code = text.to_vec();
    let mut strings: Vec<Literal> = Vec::new();
    // Heredocs waiting for the end of the current line: (anchor, marker end, terminator,
    // interpolates).
    let mut heredocs: Vec<(usize, usize, String, bool)> = Vec::new();
    let mut i = 0;
    while i < text.len() {
        let b = text[i];
        let next = text.get(i + 1).copied();
        match b {
            b'\n' if !heredocs.is_empty() => {
                let mut at = i + 1;
                for (anchor, marker_end, id, interpolating) in std::mem::take(&mut heredocs) {
                    let body_start = at;
                    let (mut end, mut resume) = (text.len(), text.len());
                    let mut line_start = at;
                    while line_start < text.len() {
                        let stop = line_end(text, line_start);
                        let line = &text[line_start..stop];
                        let indent = line.iter().take_while(|c| c.is_ascii_whitespace()).count();
                        let rest = &line[indent..];
                        // Ruby closes on a line that is only the terminator; PHP 7.3+ lets
                        // code follow it (`SQL);`).
                        let closes = rest.starts_with(id.as_bytes())
                            && match lang {
                                Lang::Ruby => rest[id.len()..].iter().all(u8::is_ascii_whitespace),
                                _ => !rest.get(id.len()).is_some_and(|c| is_ident(*c)),
                            };
                        if closes {
                            end = line_start;
                            resume = match lang {
                                Lang::Ruby => (stop + 1).min(text.len()),
                                _ => line_start + indent + id.len(),
                            };
                            break;
                        }
                        line_start = stop + 1;
                    }
                    let end = end.min(text.len());
                    strings.push(Literal {
                        anchor,
                        content: body_start.min(end)..end,
                        end: marker_end,
                        interpolated: interpolating
                            && interpolates(lang, &text[body_start.min(end)..end], b""),
                        verbatim: false,
                    });
                    blank(&mut code, body_start.min(end)..end);
                    at = resume;
                }
                // The heredoc literals end (as code) where their markers do.
                i = at;
                continue;
            }
            b'#' if lang.hash_comments() => {
                let end = line_end(text, i);
                blank(&mut code, i..end);
                i = end;
                continue;
            }
            b'/' if lang.slash_comments() && next == Some(b'/') => {
                let end = line_end(text, i);
                blank(&mut code, i..end);
                i = end;
                continue;
            }
            b'/' if lang.slash_comments() && next == Some(b'*') => {
                let end = text[i + 2..]
                    .windows(2)
                    .position(|w| w == b"*/")
                    .map_or(text.len(), |p| i + 2 + p + 2);
                blank(&mut code, i..end);
                i = end;
                continue;
            }
            // Ruby `<<~SQL`, `<<-'SQL'`, `<<SQL`; PHP `<<<SQL`, `<<<'SQL'`, `<<<"SQL"`.
            b'<' if matches!(lang, Lang::Ruby | Lang::Php) && next == Some(b'<') => {
                let mut j = i + 2;
                let php = lang == Lang::Php;
                if php {
                    if text.get(j) != Some(&b'<') {
                        i += 2;
                        continue;
                    }
                    j += 1;
                    while text.get(j) == Some(&b' ') {
                        j += 1;
                    }
                }
                let squiggly = !php && matches!(text.get(j), Some(b'~' | b'-'));
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
                if id_len > 0 && (php || squiggly || quote.is_some() || starts_upper) {
                    let id = String::from_utf8_lossy(&text[j..j + id_len]).into_owned();
                    let marker_end = j + id_len + usize::from(quote.is_some());
                    heredocs.push((i, marker_end, id, quote != Some(b'\'')));
                    i = marker_end;
                    continue;
                }
                i += 2;
                continue;
            }
            // Ruby `%q(…)`, `%w[…]`; Elixir sigils `~s(…)`, `~S"""…"""`, `~w[…]`.
            b'%' | b'~'
                if (b == b'%'
                    && lang == Lang::Ruby
                    && matches!(next, Some(b'q' | b'Q' | b'w' | b'W' | b'i' | b'I'))
                    && matches!(text.get(i + 2), Some(b'(' | b'[' | b'{' | b'<')))
                    || (b == b'~'
                        && lang == Lang::Elixir
                        && next.is_some_and(|c| c.is_ascii_alphabetic())
                        && matches!(
                            text.get(i + 2),
                            Some(b'(' | b'[' | b'{' | b'<' | b'"' | b'\'' | b'/' | b'|')
                        )) =>
            {
                let open = text[i + 2];
                // A lowercase sigil (`%Q` in Ruby: uppercase) interpolates.
                let interpolating = match lang {
                    Lang::Ruby => next.is_some_and(|c| c.is_ascii_uppercase()),
                    _ => next.is_some_and(|c| c.is_ascii_lowercase()),
                };
                if matches!(open, b'"' | b'\'')
                    && text.get(i + 3) == Some(&open)
                    && text.get(i + 4) == Some(&open)
                {
                    // `~S"""`: a triple-quoted sigil, read like a triple-quoted string.
                    i = quoted(text, &mut code, &mut strings, lang, i, i + 2, interpolating);
                    continue;
                }
                let close = match open {
                    b'(' => b')',
                    b'[' => b']',
                    b'{' => b'}',
                    b'<' => b'>',
                    other => other,
                };
                let start = i + 3;
                let mut depth = 1usize;
                let mut j = start;
                while j < text.len() {
                    if text[j] == b'\\' {
                        j += 2;
                        continue;
                    }
                    if text[j] == close {
                        depth -= 1;
                        if depth == 0 {
                            break;
                        }
                    } else if text[j] == open {
                        depth += 1;
                    }
                    j += 1;
                }
                let end = j.min(text.len());
                strings.push(Literal {
                    anchor: i,
                    content: start.min(end)..end,
                    end: (end + 1).min(text.len()),
                    interpolated: interpolating
                        && interpolates(lang, &text[start.min(end)..end], b""),
                    verbatim: false,
                });
                blank(&mut code, start.min(end)..end);
                i = end + 1;
                continue;
            }
            b'\'' | b'"' | b'`'
                if b != b'`' || matches!(lang, Lang::Ruby | Lang::Js | Lang::Php) =>
            {
                let interpolating = match lang {
                    Lang::Ruby | Lang::Elixir | Lang::Php => b != b'\'',
                    Lang::Js => b == b'`',
                    Lang::CSharp | Lang::Python => true,
                    // Java has no interpolation; a Kotlin `'…'` is one character.
                    Lang::Java => false,
                    Lang::Kotlin => b == b'"',
                };
                i = quoted(text, &mut code, &mut strings, lang, i, i, interpolating);
                continue;
            }
            _ => {}
        }
        i += 1;
    }
    strings.sort_by_key(|s| s.anchor);
    (code, strings)
}

/// Reads the quoted literal whose opening quote is at `quote` (its anchor at `anchor`) and
/// returns where code resumes.
fn quoted(
    text: &[u8],
    code: &mut [u8],
    strings: &mut Vec<Literal>,
    lang: Lang,
    anchor: usize,
    quote: usize,
    interpolating: bool,
) -> usize {
    let q = text[quote];
    let triple = lang.triple_quotes()
        && q != b'`'
        && text.get(quote + 1) == Some(&q)
        && text.get(quote + 2) == Some(&q);
    let before = prefix(text, quote);
    // C# `@"…"` and raw `"""…"""` strings, and Python raw strings, take `\` literally; C#
    // verbatim strings write a quote as `""`.
    // Kotlin's raw `"""…"""` strings have no escapes either.
    let verbatim = (lang == Lang::CSharp && (before.contains(&b'@') || triple))
        || (lang == Lang::Kotlin && triple)
        || (lang == Lang::Python && before.iter().any(|c| c.eq_ignore_ascii_case(&b'r')));
    let start = if triple { quote + 3 } else { quote + 1 };
    let mut j = start;
    let mut end = None;
    while j < text.len() {
        let c = text[j];
        if c == b'\\' && !verbatim {
            j += 2;
            continue;
        }
        if triple {
            if c == q && text.get(j + 1) == Some(&q) && text.get(j + 2) == Some(&q) {
                end = Some((j, j + 3));
                break;
            }
        } else if c == q {
            if verbatim && lang == Lang::CSharp && text.get(j + 1) == Some(&q) {
                j += 2;
                continue;
            }
            end = Some((j, j + 1));
            break;
        } else if c == b'\n' && lang == Lang::Python {
            end = Some((j, j));
            break;
        }
        j += 1;
    }
    let (content_end, next) = end.unwrap_or((text.len(), text.len()));
    let content = start.min(content_end)..content_end;
    strings.push(Literal {
        anchor,
        content: content.clone(),
        end: next,
        interpolated: interpolating && interpolates(lang, &text[content.clone()], before),
        verbatim: verbatim && lang == Lang::CSharp,
    });
    blank(code, content);
    next.max(anchor + 1)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn contents(text: &str, lang: Lang) -> Vec<(String, bool)> {
        let (_, strings) = mask(text.as_bytes(), lang);
        strings
            .iter()
            .map(|s| (text[s.content.clone()].to_owned(), s.interpolated))
            .collect()
    }

    #[test]
    fn c_like_comments_are_blanked_and_hash_is_code_in_javascript() {
        let (code, _) = mask(b"a // drop()\nb /* drop() */ c # d", Lang::Js);
        assert_eq!(
            String::from_utf8(code).unwrap(),
            "a          \nb              c # d"
        );
        let (code, _) = mask(b"$t->x(); # drop()\n", Lang::Php);
        assert_eq!(
            String::from_utf8(code).unwrap(),
            format!("$t->x();{}\n", " ".repeat(9))
        );
    }

    #[test]
    fn interpolation_is_told_apart_per_language() {
        assert_eq!(
            contents("knex.raw(`DROP ${t}`); q('a ${b}')", Lang::Js),
            [("DROP ${t}".to_owned(), true), ("a ${b}".to_owned(), false)]
        );
        assert_eq!(
            contents(
                "DB::statement(\"DROP $t\"); DB::statement('DROP $t');",
                Lang::Php
            ),
            [("DROP $t".to_owned(), true), ("DROP $t".to_owned(), false)]
        );
        assert_eq!(
            contents(
                "Sql($\"DROP {t}\"); Sql(@\"a \"\"b\"\" c\\\");",
                Lang::CSharp
            ),
            [
                ("DROP {t}".to_owned(), true),
                ("a \"\"b\"\" c\\".to_owned(), false)
            ]
        );
        assert_eq!(
            contents(
                "execute \"DROP #{t}\"\nexecute ~S\"\"\"\nDROP #{x}\n\"\"\"\n",
                Lang::Elixir
            ),
            [
                ("DROP #{t}".to_owned(), true),
                ("\nDROP #{x}\n".to_owned(), false)
            ]
        );
    }

    #[test]
    fn php_heredocs_end_at_their_terminator_and_code_follows() {
        let text = "DB::statement(<<<SQL\n    DROP TABLE a;\n    SQL);\nfoo();\n";
        let (code, strings) = mask(text.as_bytes(), Lang::Php);
        assert_eq!(text[strings[0].content.clone()].trim(), "DROP TABLE a;");
        let code = String::from_utf8(code).unwrap();
        assert!(code.contains("SQL);\nfoo();"), "{code}");
    }
}
