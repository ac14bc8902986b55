//! short_strings: hcl-edit reads a quoted string a character at a time, trying two failing
//! parsers before each one (about 140 instructions a character), and on a large change
//! Terraform's string literals were half of all the time spent parsing HCL. This module hands
//! hcl-edit the text with each plain string literal emptied (`"bucket-123"` becomes `""`),
//! then puts the contents back into the parsed body by where each literal starts.
//!
//! A literal is emptied only when nothing can depend on its content: it is on one line, holds
//! no escape, interpolation or directive, stands outside comments, heredocs and
//! interpolations, and is not an object key (emptied keys would collide). Anything the
//! scanner is unsure of (a heredoc, an unterminated comment or string) makes it leave the
//! whole text alone. Emptying keeps every line break, so the lines computed from the
//! shortened text are the original's; the byte offsets of the parsed body are the shortened
//! text's, which is what the caller measures lines against.

use hcl_edit::visit_mut::VisitMut;
use hcl_edit::{Decorated, Span};
use std::collections::HashMap;

/// Text for hcl-edit, and the contents to put back.
pub(super) struct Shortened<'a> {
    /// The text with plain string literals emptied.
    pub text: String,
    /// Each emptied literal's content, by the offset of its opening quote in `text`.
    contents: HashMap<usize, &'a str>,
}

impl Shortened<'_> {
    /// Puts every emptied literal's content back into `body`.
    pub fn restore(&self, body: &mut hcl_edit::structure::Body) {
        let mut restore = Restore {
            contents: &self.contents,
        };
        restore.visit_body_mut(body);
    }
}

struct Restore<'s, 'a> {
    contents: &'s HashMap<usize, &'a str>,
}

impl VisitMut for Restore<'_, '_> {
    fn visit_string_mut(&mut self, node: &mut Decorated<String>) {
        let content = node
            .span()
            .and_then(|span| self.contents.get(&span.start))
            .filter(|_| node.value().is_empty());
        if let Some(content) = content {
            *node.value_mut() = (*content).to_owned();
        }
    }
}

/// `text` with its plain string literals emptied, or `None` when it has none to empty or the
/// scanner is unsure of it.
pub(super) fn shorten(text: &str) -> Option<Shortened<'_>> {
    let bytes = text.as_bytes();
    let mut out = String::with_capacity(text.len());
    let mut contents = HashMap::new();
    // Unchanged text from here on is copied when the next literal is emptied.
    let mut copied = 0;
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'#' => i = line_end(bytes, i),
            b'/' if bytes.get(i + 1) == Some(&b'/') => i = line_end(bytes, i),
            b'/' if bytes.get(i + 1) == Some(&b'*') => {
                i += 2 + text[i + 2..].find("*/")? + 2;
            }
            // A heredoc's body is template text, not HCL.
            b'<' if bytes.get(i + 1) == Some(&b'<') => return None,
            b'"' => {
                let (end, plain) = string_end(bytes, i, 0)?;
                let key = next_solid(bytes, end).is_some_and(|b| b == b'=' || b == b':');
                if plain && !key && end > i + 2 {
                    out.push_str(&text[copied..=i]);
                    contents.insert(out.len() - 1, &text[i + 1..end - 1]);
                    out.push('"');
                    copied = end;
                }
                i = end;
            }
            _ => i += 1,
        }
    }
    if contents.is_empty() {
        return None;
    }
    out.push_str(&text[copied..]);
    Some(Shortened {
        text: out,
        contents,
    })
}

/// How deep strings may nest in interpolations before the scanner leaves the text alone.
const MOST_NESTING: usize = 32;

fn line_end(bytes: &[u8], from: usize) -> usize {
    bytes[from..]
        .iter()
        .position(|&b| b == b'\n')
        .map_or(bytes.len(), |n| from + n)
}

/// The first byte after `from` that is not a space or tab.
fn next_solid(bytes: &[u8], from: usize) -> Option<u8> {
    bytes[from..]
        .iter()
        .copied()
        .find(|&b| b != b' ' && b != b'\t')
}

/// Where the string literal opening at `start` ends (just past its closing quote), and whether
/// it is plain (no escape, interpolation or directive). Interpolations are followed through
/// their nested braces and strings. `None` when the scanner cannot tell (a line break, a
/// comment or heredoc inside an interpolation, no closing quote).
fn string_end(bytes: &[u8], start: usize, nesting: usize) -> Option<(usize, bool)> {
    // Strings nest in interpolations; past this depth the scanner gives up rather than
    // recurse further.
    if nesting > MOST_NESTING {
        return None;
    }
    let mut plain = true;
    let mut i = start + 1;
    loop {
        match *bytes.get(i)? {
            b'"' => return Some((i + 1, plain)),
            b'\n' | b'\r' => return None,
            b'\\' => {
                plain = false;
                i += 2;
            }
            // `$${` and `%%{` are escapes of the markers below.
            b'$' | b'%'
                if bytes.get(i + 1) == Some(&bytes[i]) && bytes.get(i + 2) == Some(&b'{') =>
            {
                plain = false;
                i += 3;
            }
            b'$' | b'%' if bytes.get(i + 1) == Some(&b'{') => {
                plain = false;
                i = interpolation_end(bytes, i + 2, nesting)?;
            }
            _ => i += 1,
        }
    }
}

/// Where the interpolation whose body starts at `from` ends (just past its `}`).
fn interpolation_end(bytes: &[u8], from: usize, nesting: usize) -> Option<usize> {
    let mut braces = 0usize;
    let mut i = from;
    loop {
        match *bytes.get(i)? {
            b'{' => braces += 1,
            b'}' if braces == 0 => return Some(i + 1),
            b'}' => braces -= 1,
            b'"' => {
                i = string_end(bytes, i, nesting + 1)?.0;
                continue;
            }
            b'#' | b'\n' | b'\r' => return None,
            b'/' if matches!(bytes.get(i + 1), Some(b'/' | b'*')) => return None,
            b'<' if bytes.get(i + 1) == Some(&b'<') => return None,
            _ => {}
        }
        i += 1;
    }
}

#[cfg(test)]
mod tests;
