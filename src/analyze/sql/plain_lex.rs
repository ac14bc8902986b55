//! A fast path through the plain SQL most migrations are written in.
//!
//! sqlparser's tokenizer reads every character through a dialect's trait methods and a
//! peekable iterator, and looks every word up in its keyword list by binary search; on a large
//! change it was the single most expensive step of reading SQL. Most migration text uses a
//! small part of SQL's lexical syntax: words, whole numbers, plain quoted strings, `--`
//! comments and a few punctuation marks. For text made only of those, in the dialects twokey
//! tries by default, this module produces the very tokens sqlparser would, spans included.
//! Anything else (another character, a quote or backslash inside a string, a word glued to a
//! quote, a `COPY` with its inline data, a number glued to a letter) makes it give up, and
//! the caller runs sqlparser's tokenizer on the whole text. A property test checks, for each
//! of those dialects, that whenever this path answers, sqlparser answers the same.

use super::parse::DialectName;
use sqlparser::keywords::{Keyword, ALL_KEYWORDS, ALL_KEYWORDS_INDEX};
use sqlparser::tokenizer::{Location, Span, Token, TokenWithSpan, Whitespace, Word};
use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};
use std::sync::LazyLock;

/// The tokens of `text` as sqlparser's tokenizer for `dialect` gives them, or `None` when the
/// text uses anything outside the plain subset (the caller then asks sqlparser).
pub(super) fn tokens(text: &str, dialect: DialectName) -> Option<Vec<TokenWithSpan>> {
    if !matches!(
        dialect,
        DialectName::Generic
            | DialectName::Postgres
            | DialectName::MySql
            | DialectName::Sqlite
            | DialectName::MsSql
    ) {
        return None;
    }
    let bytes = text.as_bytes();
    // Migrations run at about one token, spaces included, per two and a half bytes; a list
    // sized for fewer was copied whole into a block twice its size for nearly every file.
    let mut out = Vec::with_capacity(text.len() / 2 + 8);
    let mut at = Cursor {
        i: 0,
        line: 1,
        col: 1,
    };
    while let Some(&b) = bytes.get(at.i) {
        let start = at.location();
        let next = bytes.get(at.i + 1).copied();
        let token = match b {
            b' ' => at.one(Token::Whitespace(Whitespace::Space)),
            b'\t' => at.one(Token::Whitespace(Whitespace::Tab)),
            b'\n' => {
                at.i += 1;
                at.line += 1;
                at.col = 1;
                Token::Whitespace(Whitespace::Newline)
            }
            b'(' => at.one(Token::LParen),
            b')' => at.one(Token::RParen),
            b',' => at.one(Token::Comma),
            b';' => at.one(Token::SemiColon),
            b'*' => at.one(Token::Mul),
            b'+' => at.one(Token::Plus),
            // `=>` and `==` are other tokens.
            b'=' if !matches!(next, Some(b'>' | b'=')) => at.one(Token::Eq),
            // A period before a letter is a qualifier's dot in every dialect here; before a
            // digit or `_` it may start a number or a tuple index.
            b'.' if next.is_some_and(|n| n.is_ascii_alphabetic()) => at.one(Token::Period),
            // MySQL needs whitespace after `--` for a comment; a space satisfies all of them.
            b'-' if next == Some(b'-') && bytes.get(at.i + 2) == Some(&b' ') => {
                let end = bytes[at.i..]
                    .iter()
                    .position(|&c| c == b'\n')
                    .map_or(bytes.len(), |n| at.i + n);
                // Postgres ends a comment at `\r`, the others do not.
                if bytes[at.i..end].contains(&b'\r') {
                    return None;
                }
                let comment = text[at.i + 2..end].to_owned();
                // Columns count characters, and a comment may hold any.
                at.col += (2 + comment.chars().count()) as u64;
                at.i = end;
                Token::Whitespace(Whitespace::SingleLineComment {
                    comment,
                    prefix: "--".to_owned(),
                })
            }
            b'\'' => {
                let body = at.i + 1;
                let close = body + bytes[body..].iter().position(|&c| c == b'\'')?;
                let content = &bytes[body..close];
                // A backslash is an escape in some dialects; a doubled quote continues the
                // string.
                if content.contains(&b'\\') || bytes.get(close + 1) == Some(&b'\'') {
                    return None;
                }
                let content = &text[body..close];
                // Columns count characters, and a string may hold any, newlines too.
                match content.rfind('\n') {
                    None => at.col += (content.chars().count() + 2) as u64,
                    Some(last) => {
                        at.line += content.matches('\n').count() as u64;
                        at.col = (content[last + 1..].chars().count() + 2) as u64;
                    }
                }
                at.i = close + 1;
                Token::SingleQuotedString(content.to_owned())
            }
            b'0'..=b'9' => {
                let len = run(&bytes[at.i..], |c| c.is_ascii_digit());
                // Glued to a letter, `.` or quote it is a float, a hex or typed literal, or
                // (in MySQL) an identifier.
                if bytes.get(at.i + len).is_some_and(|&c| !ends_number(c)) {
                    return None;
                }
                let digits = text[at.i..at.i + len].to_owned();
                at.advance(len);
                Token::Number(digits, false)
            }
            b'a'..=b'z' | b'A'..=b'Z' => {
                let len = run(&bytes[at.i..], |c| c.is_ascii_alphanumeric() || c == b'_');
                let word = &text[at.i..at.i + len];
                // A word glued to a quote is a prefixed literal (`E'…'`, `N'…'`, `X'…'`);
                // `COPY … FROM stdin` carries data sqlparser reads specially.
                if bytes.get(at.i + len).is_some_and(|&c| !ends_word(c))
                    || word.eq_ignore_ascii_case("copy")
                {
                    return None;
                }
                at.advance(len);
                Token::Word(Word {
                    value: word.to_owned(),
                    quote_style: None,
                    keyword: keyword(word),
                })
            }
            _ => return None,
        };
        out.push(TokenWithSpan {
            token,
            span: Span {
                start,
                end: at.location(),
            },
        });
    }
    Some(out)
}

/// A position in the text: its byte, and sqlparser's 1-based line and column (a column is a
/// character; outside comments and strings the text is ASCII, one byte each).
struct Cursor {
    i: usize,
    line: u64,
    col: u64,
}

impl Cursor {
    fn location(&self) -> Location {
        Location {
            line: self.line,
            column: self.col,
        }
    }

    /// Moves over `n` bytes of one line.
    fn advance(&mut self, n: usize) {
        self.i += n;
        self.col += n as u64;
    }

    fn one(&mut self, token: Token) -> Token {
        self.advance(1);
        token
    }
}

fn run(bytes: &[u8], keep: impl Fn(u8) -> bool) -> usize {
    bytes.iter().position(|&c| !keep(c)).unwrap_or(bytes.len())
}

/// Whether `c` may follow a whole number in the plain subset without changing what it is.
fn ends_number(c: u8) -> bool {
    !(c.is_ascii_alphanumeric() || matches!(c, b'_' | b'.' | b'$' | b'\'' | b'"') || c >= 0x80)
}

/// Whether `c` may follow a word in the plain subset without joining it or prefixing a quote.
fn ends_word(c: u8) -> bool {
    !(matches!(c, b'_' | b'$' | b'@' | b'#' | b'\'' | b'"' | b'&') || c >= 0x80)
}

/// The keyword `word` spells, case-insensitively, as sqlparser's lookup finds it; words
/// longer than any keyword are none.
fn keyword(word: &str) -> Keyword {
    static KEYWORDS: LazyLock<HashMap<&'static [u8], Keyword, Fnv>> = LazyLock::new(|| {
        ALL_KEYWORDS
            .iter()
            .zip(ALL_KEYWORDS_INDEX)
            .map(|(name, keyword)| (name.as_bytes(), *keyword))
            .collect()
    });
    let mut upper = [0u8; 64];
    let Some(buf) = upper.get_mut(..word.len()) else {
        return Keyword::NoKeyword;
    };
    buf.copy_from_slice(word.as_bytes());
    buf.make_ascii_uppercase();
    KEYWORDS.get(&*buf).copied().unwrap_or(Keyword::NoKeyword)
}

/// FNV-1a: keywords are a few bytes long and not chosen by an attacker, and the standard
/// hasher cost more than the rest of reading a word.
type Fnv = BuildHasherDefault<FnvHasher>;

struct FnvHasher(u64);

impl Default for FnvHasher {
    fn default() -> Self {
        FnvHasher(0xcbf2_9ce4_8422_2325)
    }
}

impl Hasher for FnvHasher {
    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 = (self.0 ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3);
        }
    }

    fn finish(&self) -> u64 {
        self.0
    }
}

#[cfg(test)]
mod tests;
