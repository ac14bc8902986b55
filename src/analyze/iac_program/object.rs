//! object: the entries of a JavaScript object literal, read from masked code. SST's `app()`
//! settings and Amplify's `define*` props are plain object literals: their keys, and where
//! each value is written, are all the app-framework readers need. Nothing is evaluated;
//! a spread (`...defaults`) is skipped, so what it brings in stays unknown.

use crate::analyze::orm::scan::{self, Source};
use std::ops::Range;

/// One `key: value` (or shorthand `key`, or method `key() {…}`) of an object literal.
#[derive(Debug, Clone)]
pub(super) struct Entry {
    pub key: String,
    /// The value as written (for a shorthand or a method, the whole entry).
    pub value: Range<usize>,
    pub line: u32,
}

fn is_ident(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_' || b == b'$'
}

/// The masked code of `range`, trimmed.
pub(super) fn code<'s>(src: &'s Source, range: Range<usize>) -> &'s str {
    src.code
        .get(range)
        .and_then(|c| std::str::from_utf8(c).ok())
        .unwrap_or("")
        .trim()
}

/// The offsets of the `(` of every call of `name` (`defineStorage`, `a.schema`), where
/// `name` is not the tail of a longer name.
pub(super) fn calls(src: &Source, name: &str) -> Vec<usize> {
    let code = &src.code;
    let needle = format!("{name}(");
    let text = std::str::from_utf8(code).unwrap_or("");
    text.match_indices(&needle)
        .filter(|(at, _)| *at == 0 || !(is_ident(code[at - 1]) || code[at - 1] == b'.'))
        .map(|(at, _)| at + name.len())
        .collect()
}

/// The `{` an object literal opens at, where one follows `from` after whitespace (and an
/// optional `(`, as in `=> ({`).
pub(super) fn object_at(src: &Source, from: usize) -> Option<usize> {
    let code = &src.code;
    let mut i = from;
    while code
        .get(i)
        .is_some_and(|b| b.is_ascii_whitespace() || *b == b'(')
    {
        i += 1;
    }
    (code.get(i) == Some(&b'{')).then_some(i)
}

/// The object literal passed first to the call whose `(` is at `open`.
pub(super) fn first_arg_object(src: &Source, open: usize) -> Option<Vec<Entry>> {
    object_at(src, open + 1).map(|o| entries(src, o))
}

/// The entries of the object literal opening at `open`, in order; empty if `open` is not a
/// `{` or the literal is unterminated.
pub(super) fn entries(src: &Source, open: usize) -> Vec<Entry> {
    let code = &src.code;
    let Some(close) = (code.get(open) == Some(&b'{'))
        .then(|| scan::matching(code, open))
        .flatten()
    else {
        return Vec::new();
    };
    let mut out = Vec::new();
    let (mut depth, mut start, mut colon) = (0usize, open + 1, None);
    for (i, &b) in code.iter().enumerate().take(close + 1).skip(open + 1) {
        let end = i == close;
        if !end {
            match b {
                b'(' | b'[' | b'{' => depth += 1,
                b')' | b']' | b'}' => depth = depth.saturating_sub(1),
                b':' if depth == 0 && colon.is_none() => colon = Some(i),
                _ => {}
            }
        }
        if end || (b == b',' && depth == 0) {
            out.extend(entry(src, start..i, colon));
            start = i + 1;
            colon = None;
        }
    }
    out
}

fn entry(src: &Source, segment: Range<usize>, colon: Option<usize>) -> Option<Entry> {
    let key_range = segment.start..colon.unwrap_or(segment.end);
    let key_code = code(src, key_range.clone());
    if key_code.is_empty() || key_code.starts_with("...") {
        return None;
    }
    let key = if key_code.starts_with(['"', '\'', '`']) {
        src.literal_values(key_range).into_iter().next()?
    } else {
        let bare = key_code
            .trim_start_matches("async ")
            .trim_start_matches("get ")
            .trim_start();
        let len = bare.bytes().take_while(|b| is_ident(*b)).count();
        bare[..len].to_owned()
    };
    if key.is_empty() {
        return None;
    }
    let value = match colon {
        Some(c) => c + 1..segment.end,
        None => segment.clone(),
    };
    let first = (segment.start..segment.end)
        .find(|&i| !src.code[i].is_ascii_whitespace())
        .unwrap_or(segment.start);
    Some(Entry {
        key,
        value,
        line: src.line_of(first),
    })
}

/// The entry named `key`.
pub(super) fn get<'e>(entries: &'e [Entry], key: &str) -> Option<&'e Entry> {
    entries.iter().find(|e| e.key == key)
}

/// The value of an entry that is one string literal; `None` for anything computed.
pub(super) fn literal(src: &Source, range: Range<usize>) -> Option<String> {
    let written = code(src, range.clone());
    let quoted = written.len() >= 2
        && written.starts_with(['"', '\'', '`'])
        && written.ends_with(['"', '\'', '`']);
    let values = src.literal_values(range);
    match (quoted, values.as_slice()) {
        (true, [one]) if !one.contains("${") => Some(one.clone()),
        _ => None,
    }
}

/// The entries of the object literal an entry's value is (`loginWith: { … }`).
pub(super) fn nested(src: &Source, e: &Entry) -> Vec<Entry> {
    object_at(src, e.value.start)
        .map(|o| entries(src, o))
        .unwrap_or_default()
}
