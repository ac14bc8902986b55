//! plain: a fast path through the block-style YAML most manifests are written in.
//!
//! saphyr's scanner reads a character at a time through a lookahead buffer, and on a large
//! change it was a fifth of all the work. Most manifests use a small part of YAML: block
//! mappings and sequences, single-line plain or quoted scalars, comments, `[]`/`{}`, and `---`
//! between documents. For text made only of those, this module produces the events saphyr's
//! parser would, at the positions the tree builder reads (every node's line, every key's line
//! and column), and the builder in [`super::events`] turns them into nodes exactly as it does
//! saphyr's. Anything else (a tab, a block or multi-line scalar, an anchor, an alias, a tag, a
//! flow collection with something in it, an escape in a quoted scalar, a directive) makes it
//! give up, and saphyr reads the whole text into a fresh builder. A property test checks that
//! whenever this path answers, the nodes (or the error) are saphyr's.

use saphyr_parser::{Event, Marker, ScalarStyle, Span, SpannedEventReceiver};
use std::borrow::Cow;

/// One event and where it starts (the builder reads only the start).
#[cfg(test)]
pub(super) type Spanned<'a> = (Event<'a>, Span);

/// The events of `text` as saphyr's parser gives them, or `None` when the text uses anything
/// outside the plain subset.
#[cfg(test)]
pub(super) fn events(text: &str) -> Option<Vec<Spanned<'_>>> {
    struct Collect<'a>(Vec<Spanned<'a>>);
    impl<'a> SpannedEventReceiver<'a> for Collect<'a> {
        fn on_event(&mut self, event: Event<'a>, span: Span) {
            self.0.push((event, span));
        }
    }
    let mut out = Collect(Vec::new());
    read(text, &mut out)?;
    Some(out.0)
}

/// Hands `sink` the events of `text` as saphyr's parser gives them, as they are read; `None`
/// when the text uses anything outside the plain subset, with the events so far already
/// handed over (the caller starts again with saphyr).
pub(super) fn read<'t>(text: &'t str, sink: &mut impl SpannedEventReceiver<'t>) -> Option<()> {
    if text.bytes().any(|b| b == b'\t' || b == b'\r') || text.starts_with('\u{feff}') {
        return None;
    }
    let items = lines(text)?;
    let mut out = Reader::new(sink, &[]);
    out.push(Event::StreamStart, 1, 0, 0);
    let events = out.sink;
    let end = end_of_stream(text);
    // Documents run from one `---` to the next; content before the first is an implicit one.
    let mut start = 0;
    let mut explicit: Option<&Item> = None;
    loop {
        let next = items[start..]
            .iter()
            .position(|i| matches!(i, Item::Marker(_)))
            .map(|k| start + k);
        let content = &items[start..next.unwrap_or(items.len())];
        let lines: Vec<Line<'_>> = content
            .iter()
            .filter_map(|i| match i {
                Item::Content(l) => Some(*l),
                Item::Marker(_) => None,
            })
            .collect();
        // Where the token after this document is: the next `---`, or the end of the stream.
        let after = next.map_or(end, |k| match items[k] {
            Item::Marker(m) => m,
            Item::Content(l) => (l.no, l.start),
        });
        match (explicit, lines.first()) {
            (None, None) => {}
            (Some(Item::Marker((no, offset))), None) => {
                let mut out = Reader::new(&mut *events, &lines);
                out.push(Event::DocumentStart(true), *no, 0, *offset);
                // An empty document is a null, where the next token stands.
                out.scalar("", ScalarStyle::Plain, after.0, 0, after.1);
                out.push(Event::DocumentEnd, after.0, 0, after.1);
            }
            (explicit, Some(first)) => {
                let mut out = Reader::new(&mut *events, &lines);
                match explicit {
                    Some(Item::Marker((no, offset))) => {
                        out.push(Event::DocumentStart(true), *no, 0, *offset)
                    }
                    _ => out.push(
                        Event::DocumentStart(false),
                        first.no,
                        first.indent,
                        first.start,
                    ),
                }
                out.block(first.indent)?;
                // The root must hold every line of its document.
                if out.peek().is_some() {
                    return None;
                }
                out.push(Event::DocumentEnd, after.0, 0, after.1);
            }
            (Some(Item::Content(_)), None) => return None,
        }
        match next {
            Some(k) => {
                explicit = Some(&items[k]);
                start = k + 1;
            }
            None => break,
        }
    }
    let mut out = Reader::new(events, &[]);
    out.push(Event::StreamEnd, end.0, 0, end.1);
    Some(())
}

/// A line with content: its number (1-based), where it starts, its indentation and the rest.
#[derive(Clone, Copy)]
struct Line<'a> {
    no: usize,
    start: usize,
    indent: usize,
    body: &'a str,
}

enum Item<'a> {
    Content(Line<'a>),
    /// A `---` line: its number and where it starts.
    Marker((usize, usize)),
}

/// The text's lines that matter: content and `---`, without blank and comment-only lines.
fn lines(text: &str) -> Option<Vec<Item<'_>>> {
    let mut out = Vec::new();
    let mut start = 0;
    for (i, raw) in crate::lines::split(text).enumerate() {
        let no = i + 1;
        let here = start;
        start += raw.len() + 1;
        let body = raw.trim_start_matches(' ');
        let indent = raw.len() - body.len();
        if body.is_empty() || body.starts_with('#') {
            continue;
        }
        if indent == 0 && (body.starts_with("---") || body.starts_with("...")) {
            let rest = &body[3..];
            if body.starts_with("---") && (rest.is_empty() || comment_only(rest)) {
                out.push(Item::Marker((no, here)));
                continue;
            }
            // Content after `---`, a document end, or a scalar that merely starts like one.
            return None;
        }
        // Directives.
        if indent == 0 && body.starts_with('%') {
            return None;
        }
        out.push(Item::Content(Line {
            no,
            start: here,
            indent,
            body: body.trim_end_matches(' '),
        }));
    }
    Some(out)
}

/// Where saphyr puts the end of the stream: past the last line break, or on a line of its own
/// after text that ends without one.
fn end_of_stream(text: &str) -> (usize, usize) {
    let breaks = text.bytes().filter(|&b| b == b'\n').count();
    let line = breaks + 1 + usize::from(!text.is_empty() && !text.ends_with('\n'));
    (line, text.len())
}

/// Whether `rest` (after something) is only a comment: whitespace, then `#`.
fn comment_only(rest: &str) -> bool {
    rest.starts_with(' ') && rest.trim_start().starts_with('#')
}

struct Reader<'t, 'l, 's, R> {
    sink: &'s mut R,
    lines: &'l [Line<'t>],
    at: usize,
    /// The rest of the current line after a sequence item's dash (`- key: value`), read in its
    /// place as a line of its own.
    pending: Option<Line<'t>>,
    /// How many blocks the current one is inside.
    depth: usize,
}

/// Deeper than this, the recursive reader leaves the text to saphyr, whose parser keeps its
/// own stack.
const MOST_DEPTH: usize = 128;

impl<'t, 'l, 's, R: SpannedEventReceiver<'t>> Reader<'t, 'l, 's, R> {
    /// A reader of one document's lines, handing its events to `sink`.
    fn new(sink: &'s mut R, lines: &'l [Line<'t>]) -> Self {
        Reader {
            sink,
            lines,
            at: 0,
            pending: None,
            depth: 0,
        }
    }

    fn push(&mut self, event: Event<'t>, line: usize, col: usize, index: usize) {
        let mark = Marker::new(index, line, col);
        self.sink.on_event(event, Span::new(mark, mark));
    }

    fn scalar(&mut self, text: &'t str, style: ScalarStyle, line: usize, col: usize, index: usize) {
        self.push(
            Event::Scalar(Cow::Borrowed(text), style, 0, None),
            line,
            col,
            index,
        );
    }

    fn peek(&self) -> Option<Line<'t>> {
        self.pending.or_else(|| self.lines.get(self.at).copied())
    }

    /// Moves past the current line (a sequence item's rest stands for the line it is on).
    fn advance(&mut self) {
        self.pending = None;
        self.at += 1;
    }

    /// The block node whose first line is the current one, at `indent`.
    fn block(&mut self, indent: usize) -> Option<()> {
        let line = self.peek()?;
        self.depth += 1;
        if self.depth > MOST_DEPTH {
            return None;
        }
        let read = if is_item(line.body) {
            self.sequence(indent)
        } else {
            self.mapping(indent)
        };
        self.depth -= 1;
        read
    }

    fn sequence(&mut self, indent: usize) -> Option<()> {
        let first = self.peek()?;
        self.push(
            Event::SequenceStart(0, None),
            first.no,
            indent,
            first.start + indent,
        );
        while let Some(line) = self
            .peek()
            .filter(|l| l.indent == indent && is_item(l.body))
        {
            let after = &line.body[1..];
            let content = after.trim_start_matches(' ');
            let col = indent + 1 + (after.len() - content.len());
            if content.is_empty() || content.starts_with('#') {
                self.advance();
                match self.peek() {
                    Some(next) if next.indent > indent => self.block(next.indent)?,
                    _ => self.scalar(
                        "",
                        ScalarStyle::Plain,
                        line.no,
                        indent + 1,
                        line.start + indent + 1,
                    ),
                }
                continue;
            }
            if is_item(content) {
                return None;
            }
            let rest = Line {
                no: line.no,
                start: line.start,
                indent: col,
                body: content,
            };
            if key(content).is_some() {
                self.pending = Some(rest);
                self.mapping(col)?;
            } else {
                self.value(rest, col)?;
                self.advance();
                self.no_continuation(indent)?;
            }
        }
        let (no, index) = self.next_mark();
        self.push(Event::SequenceEnd, no, 0, index);
        Some(())
    }

    fn mapping(&mut self, indent: usize) -> Option<()> {
        let first = self.peek()?;
        self.push(
            Event::MappingStart(0, None),
            first.no,
            indent,
            first.start + first.indent,
        );
        while let Some(line) = self.peek().filter(|l| l.indent == indent) {
            let (name, style, rest) = key(line.body)?;
            self.scalar(name, style, line.no, indent, line.start + indent);
            let value = rest.trim_start_matches(' ');
            let value_col = indent + (line.body.len() - value.len());
            if value.is_empty() || value.starts_with('#') {
                // The value is on the lines below, or a sequence at the key's own indentation,
                // or nothing (a null where the `:` stands).
                self.advance();
                match self.peek() {
                    Some(next) if next.indent > indent => self.block(next.indent)?,
                    Some(next) if next.indent == indent && is_item(next.body) => {
                        self.sequence(indent)?
                    }
                    _ => {
                        let colon = indent + (line.body.len() - rest.len()) - 1;
                        self.scalar("", ScalarStyle::Plain, line.no, colon, line.start + colon);
                    }
                }
                continue;
            }
            let here = Line {
                no: line.no,
                start: line.start,
                indent: value_col,
                body: value,
            };
            self.value(here, value_col)?;
            self.advance();
            self.no_continuation(indent)?;
        }
        if self.peek().is_some_and(|l| l.indent > indent) {
            return None;
        }
        let (no, index) = self.next_mark();
        self.push(Event::MappingEnd, no, 0, index);
        Some(())
    }

    /// A value written on its key's or its dash's line: a scalar, `[]` or `{}`.
    fn value(&mut self, line: Line<'t>, col: usize) -> Option<()> {
        let at = line.start + col;
        for (open, close, start, end) in [
            ("[", "]", Event::SequenceStart(0, None), Event::SequenceEnd),
            ("{", "}", Event::MappingStart(0, None), Event::MappingEnd),
        ] {
            if let Some(rest) = line.body.strip_prefix(open) {
                let rest = rest.trim_start_matches(' ').strip_prefix(close)?;
                if !(rest.is_empty() || comment_only(rest)) {
                    return None;
                }
                self.push(start, line.no, col, at);
                self.push(end, line.no, col + 1, at + 1);
                return Some(());
            }
        }
        let (text, style) = scalar(line.body)?;
        self.scalar(text, style, line.no, col, at);
        Some(())
    }

    /// After a value on its own line, a line indented deeper would continue a plain scalar
    /// over several lines, which this reader leaves to saphyr.
    fn no_continuation(&self, indent: usize) -> Option<()> {
        match self.peek() {
            Some(next) if next.indent > indent => None,
            _ => Some(()),
        }
    }

    /// Where the next token starts: the next line, or the end of the document's lines.
    fn next_mark(&self) -> (usize, usize) {
        self.peek().map_or((0, 0), |l| (l.no, l.start))
    }
}

/// Whether a line's content is a sequence entry: `-` alone or followed by a space.
fn is_item(body: &str) -> bool {
    body == "-" || body.starts_with("- ")
}

/// Characters that may not start a plain scalar in the plain subset: flow indicators,
/// comments, anchors, aliases, tags, block scalars, quotes, directives, reserved characters,
/// and the `?`/`:`/`-` indicators.
fn starts_specially(text: &str) -> bool {
    matches!(
        text.as_bytes().first(),
        Some(
            b'[' | b']'
                | b'{'
                | b'}'
                | b','
                | b'#'
                | b'&'
                | b'*'
                | b'!'
                | b'|'
                | b'>'
                | b'\''
                | b'"'
                | b'%'
                | b'@'
                | b'`'
                | b'?'
                | b':'
                | b'-'
        )
    )
}

/// A mapping key at the start of `body`: its text, its style, and what follows the `:`.
fn key(body: &str) -> Option<(&str, ScalarStyle, &str)> {
    let (name, style, rest) = match quoted(body) {
        Some((name, style, rest)) => (name, style, rest.strip_prefix(':')?),
        None => {
            if starts_specially(body) {
                return None;
            }
            let colon = separator(body)?;
            let name = &body[..colon];
            // A comment inside, a space before the `:` (saphyr trims it; this reader does
            // not), or the merge key, which the loader reads specially.
            if pair(name, b' ', b'#').is_some() || name.ends_with(' ') || name == "<<" {
                return None;
            }
            (name, ScalarStyle::Plain, &body[colon + 1..])
        }
    };
    (rest.is_empty() || rest.starts_with(' ')).then_some((name, style, rest))
}

/// Where the first `:` that separates a key from its value is: followed by a space or ending
/// the line.
fn separator(body: &str) -> Option<usize> {
    let bytes = body.as_bytes();
    bytes
        .iter()
        .enumerate()
        .find(|&(i, &b)| b == b':' && bytes.get(i + 1).is_none_or(|&n| n == b' '))
        .map(|(i, _)| i)
}

/// A quoted scalar at the start of `text` without escapes: its content, its style and what
/// follows the closing quote.
fn quoted(text: &str) -> Option<(&str, ScalarStyle, &str)> {
    let (quote, style) = match text.as_bytes().first()? {
        b'"' => (b'"', ScalarStyle::DoubleQuoted),
        b'\'' => (b'\'', ScalarStyle::SingleQuoted),
        _ => return None,
    };
    let close = 1 + text.as_bytes()[1..].iter().position(|&b| b == quote)?;
    let content = &text[1..close];
    let rest = &text[close + 1..];
    // A backslash escapes in double quotes; a doubled quote continues single quotes.
    if (quote == b'"' && content.contains('\\')) || rest.starts_with(quote as char) {
        return None;
    }
    Some((content, style, rest))
}

/// A value scalar filling the rest of a line (a comment may follow): plain or quoted.
fn scalar(text: &str) -> Option<(&str, ScalarStyle)> {
    if let Some((content, style, rest)) = quoted(text) {
        return (rest.is_empty() || comment_only(rest)).then_some((content, style));
    }
    if starts_specially(text) && !starts_like_a_number(text) {
        return None;
    }
    let plain = match pair(text, b' ', b'#') {
        Some(at) => text[..at].trim_end_matches(' '),
        None => text,
    };
    // A `: ` inside (or a `:` ending it) makes it a key where no key can be.
    if pair(plain, b':', b' ').is_some() || plain.ends_with(':') {
        return None;
    }
    Some((plain, ScalarStyle::Plain))
}

/// Where `first` is first followed by `second` in `text`. A line is short, and searching it
/// with a `&str` pattern cost more in setting up the searcher than in scanning.
fn pair(text: &str, first: u8, second: u8) -> Option<usize> {
    text.as_bytes()
        .windows(2)
        .position(|w| w[0] == first && w[1] == second)
}

/// `-1`, `-0.5`: a dash that starts a number, not a sequence entry.
fn starts_like_a_number(text: &str) -> bool {
    let b = text.as_bytes();
    b.first() == Some(&b'-') && b.get(1).is_some_and(u8::is_ascii_digit)
}

#[cfg(test)]
mod tests;
