//! plain: a fast path through the plain HCL most Terraform files are written in.
//!
//! hcl-edit parses through combinators that try one alternative after another and keeps every
//! space and comment so that it can print the file back; on a large change, parsing HCL was a
//! quarter of all twokey's work. Most configuration uses a small part of HCL: blocks with
//! quoted labels, one attribute per line, and values that are strings without escapes or
//! interpolation, whole numbers, bools, `null`, references (`var.name`, `aws_vpc.main.id`),
//! and lists and objects of those, on one line or one item a line. For text made only of
//! those, this module builds the very [`TfFile`] the hcl-edit path builds. Anything else (a
//! heredoc, an operator, a call, an index, an escape, a collection nested over several lines,
//! a block comment, a tab, a repeated key) makes it give up, and the caller hands the whole
//! text to hcl-edit. Property tests check, on generated files and on mutations of them, that
//! whenever this path answers, hcl-edit reads the text and the model is the same.

use super::model::{
    nested_path, push_quoted, Backend, Item, ItemKind, Keys, Lit, Moved, Removed, Setting, TfFile,
    Variable,
};
use std::collections::{BTreeMap, BTreeSet};

/// The model of `text`, or `None` when the text uses anything outside the plain subset.
pub(super) fn parse(text: &str) -> Option<TfFile> {
    // Tabs, carriage returns and other control characters are left to hcl-edit.
    if text.bytes().any(|b| b < 0x20 && b != b'\n') {
        return None;
    }
    let mut reader = Reader {
        lines: crate::lines::split(text).enumerate(),
        depth: 0,
    };
    let (body, _) = reader.body(false)?;
    Some(build(&body))
}

/// Nesting deeper than this is left to hcl-edit, which has its own limit.
const MOST_DEPTH: usize = 32;

#[derive(Default)]
struct Body<'t> {
    attrs: Vec<Attr<'t>>,
    blocks: Vec<Block<'t>>,
}

struct Attr<'t> {
    key: &'t str,
    value: Expr<'t>,
    line: u32,
}

struct Block<'t> {
    ident: &'t str,
    labels: Vec<&'t str>,
    body: Body<'t>,
    line: u32,
    end_line: u32,
}

enum Expr<'t> {
    Str(&'t str),
    Num(f64),
    Bool(bool),
    Null,
    /// A reference: identifiers joined by dots.
    Path(&'t str),
    Object(Vec<Entry<'t>>),
    Array(Vec<Expr<'t>>),
}

/// One key of an object, with the line its value starts on.
struct Entry<'t> {
    key: &'t str,
    value: Expr<'t>,
    line: u32,
}

impl<'t> Body<'t> {
    fn attribute(&self, key: &str) -> Option<&Attr<'t>> {
        self.attrs.iter().find(|a| a.key == key)
    }
    fn blocks_named<'b>(&'b self, ident: &'b str) -> impl Iterator<Item = &'b Block<'t>> {
        self.blocks.iter().filter(move |b| b.ident == ident)
    }
}

struct Reader<'t> {
    lines: std::iter::Enumerate<crate::lines::Split<'t>>,
    depth: usize,
}

impl<'t> Reader<'t> {
    /// A body up to its closing `}` (with the line it is on), or to the end of the text.
    fn body(&mut self, nested: bool) -> Option<(Body<'t>, u32)> {
        self.depth += 1;
        if self.depth > MOST_DEPTH {
            return None;
        }
        let mut body = Body::default();
        while let Some((i, raw)) = self.lines.next() {
            let no = u32::try_from(i + 1).ok()?;
            let line = raw.trim_matches(' ');
            if line.is_empty() || is_comment(line) {
                continue;
            }
            if let Some(rest) = line.strip_prefix('}') {
                if !nested || !ends_line(rest) {
                    return None;
                }
                self.depth -= 1;
                return Some((body, no));
            }
            let mut at = Cursor {
                text: line,
                at: 0,
                line: no,
            };
            let ident = at.ident()?;
            let spaced = at.spaces();
            if at.assign() {
                at.spaces();
                let value = match at.opens_lines() {
                    Some(open) => self.collection(open)?,
                    None => at.expr(0)?,
                };
                // A repeated attribute is an error hcl-edit reports.
                if !ends_line(at.rest()) || body.attribute(ident).is_some() {
                    return None;
                }
                body.attrs.push(Attr {
                    key: ident,
                    value,
                    line: no,
                });
                continue;
            }
            // A block's labels and its `{`, each after a space.
            if !spaced {
                return None;
            }
            let mut labels = Vec::new();
            while at.peek() == Some(b'"') {
                labels.push(at.string()?);
                if !at.spaces() {
                    return None;
                }
            }
            if !at.eat(b'{') {
                return None;
            }
            let (inner, end_line) = if at.rest().trim_start_matches(' ').starts_with('}') {
                at.spaces();
                at.eat(b'}');
                (Body::default(), no)
            } else {
                if !ends_line(at.rest()) {
                    return None;
                }
                self.body(true)?
            };
            if !ends_line(at.rest()) {
                return None;
            }
            body.blocks.push(Block {
                ident,
                labels,
                body: inner,
                line: no,
                end_line,
            });
        }
        // The text ended: only the top level may end there.
        (!nested).then_some((body, 0))
    }

    /// A list or object written over lines, after the line that opened it: its items (a
    /// list's separated by commas, an object's by line breaks or commas), and the closing
    /// bracket on a line of its own. An item itself over several lines is left to hcl-edit.
    fn collection(&mut self, open: u8) -> Option<Expr<'t>> {
        let object = open == b'{';
        let close = if object { '}' } else { ']' };
        let mut entries: Vec<Entry<'t>> = Vec::new();
        let mut items = Vec::new();
        // Whether another list item may follow: the last one ended with a comma.
        let mut separated = true;
        for (i, raw) in self.lines.by_ref() {
            let no = u32::try_from(i + 1).ok()?;
            let line = raw.trim_matches(' ');
            if line.is_empty() || is_comment(line) {
                continue;
            }
            if let Some(rest) = line.strip_prefix(close) {
                return ends_line(rest).then_some(if object {
                    Expr::Object(entries)
                } else {
                    Expr::Array(items)
                });
            }
            let mut at = Cursor {
                text: line,
                at: 0,
                line: no,
            };
            // The items on this line: more than one only with commas between.
            loop {
                if object {
                    push_entry(&mut entries, at.entry(1)?)?;
                } else {
                    if !separated {
                        return None;
                    }
                    items.push(at.expr(1)?);
                    separated = false;
                }
                let after = at.at;
                at.spaces();
                if !at.eat(b',') {
                    at.at = after;
                    if ends_line(at.rest()) {
                        break;
                    }
                    return None;
                }
                separated = true;
                if ends_line(at.rest()) {
                    break;
                }
                at.spaces();
            }
        }
        None
    }
}

/// Adds an object's entry; `None` for a name already there, which hcl-edit refuses (or, for
/// `"a"` beside `a`, reads as two keys where this module would see one).
fn push_entry<'t>(entries: &mut Vec<Entry<'t>>, entry: Entry<'t>) -> Option<()> {
    if entries.iter().any(|e| e.key == entry.key) {
        return None;
    }
    entries.push(entry);
    Some(())
}

/// Whether a line's content is a comment.
fn is_comment(line: &str) -> bool {
    line.starts_with('#') || line.starts_with("//")
}

/// Whether what is left of a line after a token is nothing, or spaces and a comment.
fn ends_line(rest: &str) -> bool {
    rest.is_empty() || (rest.starts_with(' ') && is_comment(rest.trim_start_matches(' ')))
}

/// Words that are not references where they stand as a value or a key (`for` starts a `for`
/// expression inside brackets; `true` as a key is an expression key).
fn reserved(word: &str) -> bool {
    matches!(
        word,
        "true" | "false" | "null" | "for" | "in" | "if" | "else" | "endif" | "endfor"
    )
}

/// A position in one line's content.
struct Cursor<'t> {
    text: &'t str,
    at: usize,
    /// The line's number.
    line: u32,
}

impl<'t> Cursor<'t> {
    fn peek(&self) -> Option<u8> {
        self.text.as_bytes().get(self.at).copied()
    }

    fn rest(&self) -> &'t str {
        &self.text[self.at..]
    }

    fn eat(&mut self, b: u8) -> bool {
        let found = self.peek() == Some(b);
        self.at += usize::from(found);
        found
    }

    /// Skips spaces; whether there were any.
    fn spaces(&mut self) -> bool {
        let start = self.at;
        while self.peek() == Some(b' ') {
            self.at += 1;
        }
        self.at > start
    }

    /// The bracket of a list or object that opens here and goes on over the next lines,
    /// moved past.
    fn opens_lines(&mut self) -> Option<u8> {
        let open = self.peek().filter(|b| matches!(b, b'{' | b'['))?;
        let goes_on = ends_line(&self.rest()[1..]);
        self.at += usize::from(goes_on);
        goes_on.then_some(open)
    }

    /// An `=` that is not `==` or `=>`.
    fn assign(&mut self) -> bool {
        let bytes = self.text.as_bytes();
        if bytes.get(self.at) == Some(&b'=') && !matches!(bytes.get(self.at + 1), Some(b'=' | b'>'))
        {
            self.at += 1;
            return true;
        }
        false
    }

    /// An identifier of letters, digits and `_`. HCL lets `-` continue one, and anything
    /// outside ASCII may too: those are left to hcl-edit.
    fn ident(&mut self) -> Option<&'t str> {
        let bytes = self.text.as_bytes();
        let start = self.at;
        if !bytes
            .get(start)
            .is_some_and(|b| b.is_ascii_alphabetic() || *b == b'_')
        {
            return None;
        }
        let len = bytes[start..]
            .iter()
            .position(|b| !(b.is_ascii_alphanumeric() || *b == b'_'))
            .unwrap_or(bytes.len() - start);
        self.at = start + len;
        if matches!(self.peek(), Some(b'-') | Some(0x80..)) {
            return None;
        }
        Some(&self.text[start..self.at])
    }

    /// A quoted string with no escape, interpolation or directive in it: its content.
    fn string(&mut self) -> Option<&'t str> {
        if !self.eat(b'"') {
            return None;
        }
        let rest = self.rest();
        let bytes = rest.as_bytes();
        let mut close = 0;
        loop {
            match *bytes.get(close)? {
                b'"' => break,
                b'\\' => return None,
                b'$' | b'%' if bytes.get(close + 1) == Some(&b'{') => return None,
                _ => close += 1,
            }
        }
        self.at += close + 1;
        Some(&rest[..close])
    }

    /// A value: a literal, a reference, or a one-line list or object of those.
    fn expr(&mut self, depth: usize) -> Option<Expr<'t>> {
        if depth > MOST_DEPTH {
            return None;
        }
        match self.peek()? {
            b'"' => self.string().map(Expr::Str),
            b'0'..=b'9' => {
                let bytes = self.text.as_bytes();
                let start = self.at;
                let len = bytes[start..]
                    .iter()
                    .position(|b| !b.is_ascii_digit())
                    .unwrap_or(bytes.len() - start);
                self.at = start + len;
                // A fraction, an exponent or a number glued to a word is left to hcl-edit;
                // up to 15 digits a whole number is exact as a float.
                if len > 15
                    || matches!(self.peek(), Some(b) if b.is_ascii_alphanumeric() || b == b'_' || b == b'.')
                {
                    return None;
                }
                self.text[start..self.at].parse().ok().map(Expr::Num)
            }
            b'{' => {
                self.at += 1;
                let mut entries: Vec<Entry<'t>> = Vec::new();
                self.items(b'}', |at| push_entry(&mut entries, at.entry(depth + 1)?))?;
                Some(Expr::Object(entries))
            }
            b'[' => {
                self.at += 1;
                let mut items = Vec::new();
                self.items(b']', |at| {
                    items.push(at.expr(depth + 1)?);
                    Some(())
                })?;
                Some(Expr::Array(items))
            }
            _ => {
                let start = self.at;
                let first = self.ident()?;
                match first {
                    "true" | "false" | "null" if self.peek() == Some(b'.') => return None,
                    "true" => return Some(Expr::Bool(true)),
                    "false" => return Some(Expr::Bool(false)),
                    "null" => return Some(Expr::Null),
                    word if reserved(word) => return None,
                    _ => {}
                }
                while self.eat(b'.') {
                    self.ident()?;
                }
                // A call, an index or a splat follows: not plain.
                if matches!(self.peek(), Some(b'(' | b'[' | b'.')) {
                    return None;
                }
                Some(Expr::Path(&self.text[start..self.at]))
            }
        }
    }

    /// An object's `key = value` (see [`push_entry`] for repeated names).
    fn entry(&mut self, depth: usize) -> Option<Entry<'t>> {
        let key = match self.peek()? {
            b'"' => self.string()?,
            _ => self.ident().filter(|k| !reserved(k))?,
        };
        self.spaces();
        if !self.assign() {
            return None;
        }
        self.spaces();
        let value = self.expr(depth)?;
        Some(Entry {
            key,
            value,
            line: self.line,
        })
    }

    /// The items of a list or object after its opening bracket, each read by `item`, up to
    /// `close`: separated by commas, a trailing one allowed.
    fn items(&mut self, close: u8, mut item: impl FnMut(&mut Self) -> Option<()>) -> Option<()> {
        self.spaces();
        if self.eat(close) {
            return Some(());
        }
        loop {
            item(self)?;
            self.spaces();
            if self.eat(close) {
                return Some(());
            }
            if !self.eat(b',') {
                return None;
            }
            self.spaces();
            if self.eat(close) {
                return Some(());
            }
        }
    }
}

/// The model of a body read by this module, as `model::parse` builds it from hcl-edit's.
fn build(body: &Body<'_>) -> TfFile {
    let mut file = TfFile::default();
    for block in &body.blocks {
        let line = block.line;
        let item = |kind, address: String, rtype: &str| {
            let mut settings = BTreeMap::new();
            flatten(&block.body, "", &mut settings);
            if kind == ItemKind::Module {
                for attr in &block.body.attrs {
                    let prefix = [attr.key, "."].concat();
                    flatten_object(&attr.value, &prefix, &mut settings);
                }
            }
            Item {
                kind,
                address,
                rtype: rtype.to_owned(),
                line,
                end_line: block.end_line,
                for_each_keys: block
                    .body
                    .attribute("for_each")
                    .and_then(|a| literal_keys(&a.value)),
                ignore_changes: block
                    .body
                    .blocks_named("lifecycle")
                    .find_map(|l| l.body.attribute("ignore_changes"))
                    .map(|a| ignored(&a.value))
                    .unwrap_or_default(),
                settings,
            }
        };
        match (block.ident, block.labels.as_slice()) {
            ("resource", [t, n]) => {
                file.items
                    .push(item(ItemKind::Resource, [t, ".", n].concat(), t));
            }
            ("data", [t, n]) => {
                file.items
                    .push(item(ItemKind::Data, ["data.", t, ".", n].concat(), t));
            }
            ("module", [n]) => {
                file.items
                    .push(item(ItemKind::Module, ["module.", n].concat(), "module"));
            }
            ("provider", [n]) => {
                let address = match block.body.attribute("alias").map(|a| &a.value) {
                    Some(Expr::Str(alias)) => ["provider.", n, ".", alias].concat(),
                    _ => ["provider.", n].concat(),
                };
                file.items.push(item(ItemKind::Provider, address, n));
            }
            ("terraform", []) => {
                for inner in &block.body.blocks {
                    let kind = match (inner.ident, inner.labels.as_slice()) {
                        ("backend", [kind]) => (*kind).to_owned(),
                        ("cloud", []) => "cloud".to_owned(),
                        _ => continue,
                    };
                    let mut settings = BTreeMap::new();
                    flatten(&inner.body, "", &mut settings);
                    file.backend.get_or_insert(Backend {
                        kind,
                        line: inner.line,
                        settings,
                    });
                }
            }
            ("variable", [name]) => {
                let mut defaults = BTreeMap::new();
                if let Some(attr) = block.body.attribute("default") {
                    defaults.insert(
                        (*name).to_owned(),
                        Setting {
                            value: lit(&attr.value),
                            line: attr.line,
                        },
                    );
                    let prefix = [name, "."].concat();
                    flatten_object(&attr.value, &prefix, &mut defaults);
                }
                file.variables.push(Variable {
                    name: (*name).to_owned(),
                    line,
                    defaults,
                });
            }
            ("locals", []) => {
                for attr in &block.body.attrs {
                    file.locals
                        .entry(attr.key.to_owned())
                        .or_insert_with(|| lit(&attr.value));
                }
            }
            ("moved", []) => {
                let from = address_attr(block, "from");
                let to = address_attr(block, "to");
                if let (Some(from), Some(to)) = (from, to) {
                    file.moved.push(Moved { from, to, line });
                }
            }
            ("removed", []) => {
                if let Some(from) = address_attr(block, "from") {
                    let destroy = block
                        .body
                        .blocks_named("lifecycle")
                        .find_map(|l| l.body.attribute("destroy"))
                        .map(|a| lit(&a.value));
                    let destroys = !matches!(destroy.and_then(|d| d.as_bool()), Some(false));
                    file.removed.push(Removed {
                        from,
                        destroys,
                        line,
                    });
                }
            }
            _ => {}
        }
    }
    file
}

/// Every attribute under `body` by dotted path, as `model::flatten` collects them.
fn flatten(body: &Body<'_>, prefix: &str, out: &mut BTreeMap<String, Setting>) {
    for attr in &body.attrs {
        out.entry([prefix, attr.key].concat())
            .or_insert_with(|| Setting {
                value: lit(&attr.value),
                line: attr.line,
            });
    }
    let mut seen: Vec<(&str, usize)> = Vec::new();
    for block in &body.blocks {
        if block.ident == "dynamic" {
            if let Some(label) = block.labels.first() {
                let nested = nested_path(prefix, label, &mut seen);
                for content in block.body.blocks_named("content") {
                    flatten(&content.body, &nested, out);
                }
            }
            continue;
        }
        let nested = nested_path(prefix, block.ident, &mut seen);
        flatten(&block.body, &nested, out);
    }
}

/// Every key of an object literal by dotted path under `prefix`, nested objects included,
/// each on the line its value starts on.
fn flatten_object(expr: &Expr<'_>, prefix: &str, out: &mut BTreeMap<String, Setting>) {
    let Expr::Object(entries) = expr else {
        return;
    };
    for entry in entries {
        let path = [prefix, entry.key].concat();
        out.entry(path.clone()).or_insert_with(|| Setting {
            value: lit(&entry.value),
            line: entry.line,
        });
        flatten_object(&entry.value, &[path.as_str(), "."].concat(), out);
    }
}

fn lit(expr: &Expr<'_>) -> Lit {
    match expr {
        Expr::Str(s) => Lit::Str((*s).to_owned()),
        Expr::Num(n) => Lit::Num(*n),
        Expr::Bool(b) => Lit::Bool(*b),
        Expr::Null => Lit::Null,
        Expr::Path(p) => Lit::Expr((*p).to_owned()),
        Expr::Object(_) | Expr::Array(_) => {
            let mut text = String::new();
            if canon(expr, &mut text) {
                Lit::Data(text)
            } else {
                Lit::Expr(text)
            }
        }
    }
}

/// The canonical text `model::canon` writes; whether the value is made of literals only.
fn canon(expr: &Expr<'_>, out: &mut String) -> bool {
    match expr {
        Expr::Str(s) => push_quoted(s, out),
        Expr::Num(_) | Expr::Bool(_) | Expr::Null => out.push_str(&lit(expr).render()),
        Expr::Path(p) => {
            out.push_str(p);
            return false;
        }
        Expr::Array(items) => return canon_list(out, ['[', ']'], items, canon),
        Expr::Object(entries) => {
            return canon_list(out, ['{', '}'], entries, |entry, out| {
                push_quoted(entry.key, out);
                out.push_str(" = ");
                canon(&entry.value, out)
            })
        }
    }
    true
}

/// Writes `items` between `brackets`, separated by `, `; whether all are made of literals.
fn canon_list<T>(
    out: &mut String,
    [open, close]: [char; 2],
    items: &[T],
    mut write: impl FnMut(&T, &mut String) -> bool,
) -> bool {
    out.push(open);
    let mut known = true;
    for (i, item) in items.iter().enumerate() {
        if i > 0 {
            out.push_str(", ");
        }
        known &= write(item, out);
    }
    out.push(close);
    known
}

/// The keys of a literal `for_each`, as `model::literal_keys` reads them.
fn literal_keys(expr: &Expr<'_>) -> Keys {
    match expr {
        Expr::Object(entries) => Some(entries.iter().map(|e| e.key.to_owned()).collect()),
        Expr::Array(items) => items
            .iter()
            .map(|e| match e {
                Expr::Str(s) => Some((*s).to_owned()),
                _ => None,
            })
            .collect::<Option<BTreeSet<String>>>(),
        _ => None,
    }
}

/// The attributes an `ignore_changes` expression names, as `model::ignored` reads them.
fn ignored(expr: &Expr<'_>) -> Vec<String> {
    match expr {
        Expr::Path("all") | Expr::Str("all") => vec!["all".to_owned()],
        Expr::Array(items) => items
            .iter()
            .filter_map(|e| match e {
                Expr::Str(s) | Expr::Path(s) => s.split('.').next().map(str::to_owned),
                _ => None,
            })
            .collect(),
        _ => Vec::new(),
    }
}

fn address_attr(block: &Block<'_>, key: &str) -> Option<String> {
    match block.body.attribute(key).map(|a| &a.value) {
        Some(Expr::Path(p)) => Some((*p).to_owned()),
        _ => None,
    }
}

#[cfg(test)]
mod tests;
