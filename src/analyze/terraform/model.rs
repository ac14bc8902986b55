//! model: a Terraform file reduced to what the destruction checks compare: the addressable
//! blocks (resources, data sources, modules, providers) with their literal settings and lines,
//! the `moved` and `removed` blocks, the `locals`, and the state backend. Values that are not
//! literals are kept as canonical source text (comments and layout dropped), so a check can
//! tell "unknown" from "absent", and a reformatted expression from a changed one.

use hcl_edit::expr::{Expression, ObjectKey, TraversalOperator};
use hcl_edit::structure::{Block, Body};
use hcl_edit::Span;
use std::collections::{BTreeMap, BTreeSet};

/// What kind of top-level block an [`Item`] is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ItemKind {
    Resource,
    Data,
    Module,
    Provider,
}

/// A literal value, or the trimmed source text of anything else.
#[derive(Debug, Clone, PartialEq)]
pub enum Lit {
    Bool(bool),
    Num(f64),
    Str(String),
    Null,
    /// A list or object holding only literals, in canonical text: its value is known.
    Data(String),
    /// Not a literal: a reference, a call, a template. Its canonical source text.
    Expr(String),
}

impl Lit {
    pub fn as_bool(&self) -> Option<bool> {
        match self {
            Lit::Bool(b) => Some(*b),
            // HCL converts the strings "true" and "false" where a bool is expected.
            Lit::Str(s) if s == "true" => Some(true),
            Lit::Str(s) if s == "false" => Some(false),
            _ => None,
        }
    }
    pub fn as_num(&self) -> Option<f64> {
        match self {
            Lit::Num(n) => Some(*n),
            Lit::Str(s) => s.trim().parse().ok(),
            _ => None,
        }
    }
    pub fn render(&self) -> String {
        match self {
            Lit::Bool(b) => b.to_string(),
            Lit::Num(n) => n.to_string(),
            Lit::Str(s) => format!("\"{s}\""),
            Lit::Null => "null".to_owned(),
            Lit::Data(e) | Lit::Expr(e) => e.clone(),
        }
    }
    /// Whether the value is known from the text alone (not a reference, call or template).
    pub fn is_known(&self) -> bool {
        !matches!(self, Lit::Expr(_))
    }
    /// Whether two values are the same as Terraform sees them: `5`, `"5"` and `5.0` are one
    /// number, `true` and `"true"` one bool; lists, objects and expressions compare by their
    /// canonical text.
    pub fn same(&self, other: &Lit) -> bool {
        match (self, other) {
            (Lit::Str(a), Lit::Str(b)) => a == b,
            (Lit::Num(_), _) | (_, Lit::Num(_)) => match (self.as_num(), other.as_num()) {
                (Some(a), Some(b)) => a == b,
                _ => false,
            },
            (Lit::Bool(_), _) | (_, Lit::Bool(_)) => match (self.as_bool(), other.as_bool()) {
                (Some(a), Some(b)) => a == b,
                _ => false,
            },
            _ => self == other,
        }
    }
}

/// The keys a literal `for_each` names, or `None` when it is not a literal collection.
pub type Keys = Option<BTreeSet<String>>;

/// A setting inside an item: its value and the 1-based line it is on.
#[derive(Debug, Clone, PartialEq)]
pub struct Setting {
    pub value: Lit,
    pub line: u32,
}

/// One addressable top-level block.
#[derive(Debug, Clone)]
pub struct Item {
    pub kind: ItemKind,
    /// `aws_s3_bucket.logs`, `data.aws_ami.x`, `module.net`, `provider.aws.east`.
    pub address: String,
    /// The resource type; `module` for modules, the provider name for providers.
    pub rtype: String,
    pub line: u32,
    pub end_line: u32,
    /// Every attribute in the block, nested blocks included, by dotted path
    /// (`versioning.enabled`, `lifecycle.prevent_destroy`). A repeated nested block keeps its
    /// first occurrence at the plain path and the later ones by position (`rule[1].id`,
    /// `rule[2].id`), so checks written for a single block see the first one unchanged.
    pub settings: BTreeMap<String, Setting>,
    /// The keys of a literal `for_each`, when there is one.
    pub for_each_keys: Keys,
    /// The attributes `lifecycle { ignore_changes = [...] }` names (first path segment), or
    /// `all`; empty when there is none or it is computed.
    pub ignore_changes: Vec<String>,
}

impl Item {
    pub fn get(&self, path: &str) -> Option<&Setting> {
        self.settings.get(path)
    }
    /// A module's `source`, as written.
    pub fn source(&self) -> Option<String> {
        self.get("source").map(|s| match &s.value {
            Lit::Str(v) => v.clone(),
            other => other.render(),
        })
    }
    /// Whether `ignore_changes` covers the attribute at `path` (dotted).
    pub fn ignores(&self, path: &str) -> bool {
        let head = path.split('.').next().unwrap_or(path);
        self.ignore_changes.iter().any(|i| i == "all" || i == head)
    }
}

/// A `moved { from = …  to = … }` block, addresses with their instance keys stripped.
#[derive(Debug, Clone, PartialEq)]
pub struct Moved {
    pub from: String,
    pub to: String,
    pub line: u32,
}

/// A `removed { from = … }` block.
#[derive(Debug, Clone, PartialEq)]
pub struct Removed {
    pub from: String,
    /// `lifecycle { destroy = … }`; Terraform destroys unless it is literally `false`.
    pub destroys: bool,
    pub line: u32,
}

/// Where the state lives: `terraform { backend "<kind>" { … } }`, or `terraform { cloud { … } }`
/// (kind `cloud`).
#[derive(Debug, Clone, PartialEq)]
pub struct Backend {
    pub kind: String,
    pub line: u32,
    /// Its settings by dotted path (`bucket`, `workspaces.name`).
    pub settings: BTreeMap<String, Setting>,
}

/// A `variable "name" { default = … }` block: the value the module uses when no `.tfvars`
/// file, `-var` or caller sets it.
#[derive(Debug, Clone, PartialEq)]
pub struct Variable {
    pub name: String,
    pub line: u32,
    /// The default by input path: `name` for a plain value, `name.key` for each key of an
    /// object literal (`versioning = { enabled = true }` gives `versioning.enabled`).
    pub defaults: BTreeMap<String, Setting>,
}

/// A parsed Terraform file.
#[derive(Debug, Clone, Default)]
pub struct TfFile {
    pub items: Vec<Item>,
    pub moved: Vec<Moved>,
    pub removed: Vec<Removed>,
    pub backend: Option<Backend>,
    pub variables: Vec<Variable>,
    /// The `locals { … }` values by name, the first declaration of a name winning.
    pub locals: BTreeMap<String, Lit>,
}

impl TfFile {
    pub fn item(&self, address: &str) -> Option<&Item> {
        self.items.iter().find(|i| i.address == address)
    }
    /// Resources and modules: what a plan can destroy.
    pub fn destroyable(&self) -> impl Iterator<Item = &Item> {
        self.items
            .iter()
            .filter(|i| matches!(i.kind, ItemKind::Resource | ItemKind::Module))
    }
}

/// Why a file could not be parsed, and where.
#[derive(Debug, Clone)]
pub struct ParseError {
    pub line: Option<u32>,
    pub reason: String,
}

/// Byte offset to 1-based line number.
pub struct Lines {
    starts: Vec<usize>,
}

impl Lines {
    pub fn new(text: &str) -> Self {
        let mut starts = vec![0];
        starts.extend(text.match_indices('\n').map(|(i, _)| i + 1));
        Lines { starts }
    }
    fn line(&self, offset: usize) -> u32 {
        let idx = match self.starts.binary_search(&offset) {
            Ok(i) => i,
            Err(i) => i.saturating_sub(1),
        };
        u32::try_from(idx + 1).unwrap_or(u32::MAX)
    }
    pub(crate) fn span(&self, span: Option<std::ops::Range<usize>>) -> (u32, u32) {
        match span {
            Some(r) => {
                let start = self.line(r.start);
                // The span's end is exclusive; the last byte is on the closing line.
                let end = self.line(r.end.saturating_sub(1).max(r.start));
                (start, end)
            }
            None => (1, 1),
        }
    }
}

/// Parses HCL Terraform source: plain text by [`super::plain`], the rest by hcl-edit.
pub fn parse(text: &str) -> Result<TfFile, ParseError> {
    match super::plain::parse(text) {
        Some(file) => Ok(file),
        None => parse_with(text, true),
    }
}

/// [`parse`], with hcl-edit handed the text with its plain string literals emptied when
/// `shorten` allows (see [`super::short_strings`]; the tests compare both ways).
pub(super) fn parse_with(text: &str, shorten: bool) -> Result<TfFile, ParseError> {
    let parse = |text: &str| {
        hcl_edit::parser::parse_body(text).map_err(|e| ParseError {
            line: u32::try_from(e.location().line()).ok(),
            reason: e.message().trim().to_owned(),
        })
    };
    let short = shorten
        .then(|| super::short_strings::shorten(text))
        .flatten();
    // Offsets in the body are those of the text it was parsed from, and so are the lines.
    let (body, lines) = match short.as_ref().map(|s| (s, parse(&s.text))) {
        Some((short, Ok(mut body))) => {
            short.restore(&mut body);
            (body, Lines::new(&short.text))
        }
        // A broken file is reported as its own text reads.
        _ => (parse(text)?, Lines::new(text)),
    };
    let mut file = TfFile::default();
    for block in body.blocks() {
        let (line, end_line) = lines.span(block.span());
        let labels: Vec<&str> = block.labels.iter().map(|l| l.as_str()).collect();
        let item = |kind, address: String, rtype: &str| {
            let mut settings = BTreeMap::new();
            flatten(&block.body, "", &lines, &mut settings);
            // A module's arguments are its variables, often objects
            // (`versioning = { enabled = true }`): their keys are compared one by one.
            if kind == ItemKind::Module {
                for attr in block.body.attributes() {
                    let prefix = format!("{}.", attr.key.as_str());
                    flatten_object(&attr.value, &prefix, &lines, &mut settings);
                }
            }
            Item {
                kind,
                address,
                rtype: rtype.to_owned(),
                line,
                end_line,
                for_each_keys: block
                    .body
                    .get_attribute("for_each")
                    .and_then(|a| literal_keys(&a.value)),
                ignore_changes: block
                    .body
                    .get_blocks("lifecycle")
                    .find_map(|l| l.body.get_attribute("ignore_changes"))
                    .map(|a| ignored(&a.value))
                    .unwrap_or_default(),
                settings,
            }
        };
        match (block.ident.as_str(), labels.as_slice()) {
            ("resource", [t, n]) => {
                file.items
                    .push(item(ItemKind::Resource, format!("{t}.{n}"), t))
            }
            ("data", [t, n]) => file
                .items
                .push(item(ItemKind::Data, format!("data.{t}.{n}"), t)),
            ("module", [n]) => {
                file.items
                    .push(item(ItemKind::Module, format!("module.{n}"), "module"))
            }
            ("provider", [n]) => {
                let alias = block
                    .body
                    .get_attribute("alias")
                    .and_then(|a| a.value.as_str().map(str::to_owned));
                let address = match alias {
                    Some(a) => format!("provider.{n}.{a}"),
                    None => format!("provider.{n}"),
                };
                file.items.push(item(ItemKind::Provider, address, n));
            }
            ("terraform", []) => {
                for inner in block.body.blocks() {
                    let kind = match (inner.ident.as_str(), inner.labels.as_slice()) {
                        ("backend", [kind]) => kind.as_str().to_owned(),
                        ("cloud", []) => "cloud".to_owned(),
                        _ => continue,
                    };
                    let mut settings = BTreeMap::new();
                    flatten(&inner.body, "", &lines, &mut settings);
                    file.backend.get_or_insert(Backend {
                        kind,
                        line: lines.span(inner.span()).0,
                        settings,
                    });
                }
            }
            ("variable", [name]) => {
                let mut defaults = BTreeMap::new();
                if let Some(attr) = block.body.get_attribute("default") {
                    let name: &str = name;
                    defaults.insert(
                        name.to_owned(),
                        Setting {
                            value: lit(&attr.value),
                            line: lines.span(attr.span()).0,
                        },
                    );
                    flatten_object(&attr.value, &format!("{name}."), &lines, &mut defaults);
                }
                file.variables.push(Variable {
                    name: (*name).to_owned(),
                    line,
                    defaults,
                });
            }
            ("locals", []) => {
                for attr in block.body.attributes() {
                    file.locals
                        .entry(attr.key.as_str().to_owned())
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
                        .get_blocks("lifecycle")
                        .find_map(|l| l.body.get_attribute("destroy"))
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
    Ok(file)
}

/// Collects every attribute under `body` by dotted path.
fn flatten(body: &Body, prefix: &str, lines: &Lines, out: &mut BTreeMap<String, Setting>) {
    for attr in body.attributes() {
        let path = [prefix, attr.key.as_str()].concat();
        let line = lines.span(attr.span()).0;
        out.entry(path).or_insert_with(|| Setting {
            value: lit(&attr.value),
            line,
        });
    }
    // How many blocks of each name this body has produced so far: a `dynamic "x"` counts as
    // one `x`, since its `for_each` is not followed.
    let mut seen: Vec<(&str, usize)> = Vec::new();
    for block in body.blocks() {
        // `dynamic "x" { content { … } }` generates `x` blocks: its `content` is read as the
        // block it generates. A setting that uses the iterator is an expression there, so
        // only literals (`enabled = false`) are judged; whether `for_each` yields any block
        // at all is not followed.
        if block.ident.as_str() == "dynamic" {
            if let Some(label) = block.labels.first() {
                let nested = nested_path(prefix, label.as_str(), &mut seen);
                for content in block.body.get_blocks("content") {
                    flatten(&content.body, &nested, lines, out);
                }
            }
            continue;
        }
        let nested = nested_path(prefix, block.ident.as_str(), &mut seen);
        flatten(&block.body, &nested, lines, out);
    }
}

/// The path prefix of the next block named `name` in one body: `name.` for the first,
/// `name[1].`, `name[2].`… for the ones repeating it.
pub(super) fn nested_path<'b>(
    prefix: &str,
    name: &'b str,
    seen: &mut Vec<(&'b str, usize)>,
) -> String {
    let index = match seen.iter_mut().find(|(n, _)| *n == name) {
        Some((_, count)) => {
            *count += 1;
            *count - 1
        }
        None => {
            seen.push((name, 1));
            0
        }
    };
    match index {
        0 => [prefix, name, "."].concat(),
        i => format!("{prefix}{name}[{i}]."),
    }
}

/// Every key of an object literal by dotted path under `prefix`, nested objects included.
/// Anything that is not an object literal adds nothing: its value is unknown key by key.
pub fn flatten_object(
    expr: &Expression,
    prefix: &str,
    lines: &Lines,
    out: &mut BTreeMap<String, Setting>,
) {
    let Expression::Object(obj) = unwrap_parens(expr) else {
        return;
    };
    for (key, value) in obj.iter() {
        let Some(name) = object_key_name(key) else {
            continue;
        };
        let path = [prefix, name.as_ref()].concat();
        out.entry(path.clone()).or_insert_with(|| Setting {
            value: lit(value.expr()),
            line: lines.span(value.expr().span()).0,
        });
        flatten_object(value.expr(), &[path.as_str(), "."].concat(), lines, out);
    }
}

fn unwrap_parens(expr: &Expression) -> &Expression {
    match expr {
        Expression::Parenthesis(p) => unwrap_parens(p.inner()),
        other => other,
    }
}

/// The literal value of an expression, or its canonical source text.
pub fn lit(expr: &Expression) -> Lit {
    match unwrap_parens(expr) {
        Expression::Bool(b) => Lit::Bool(*b.value()),
        Expression::Number(n) => match n.value().as_f64() {
            Some(f) => Lit::Num(f),
            None => Lit::Expr(n.value().to_string()),
        },
        Expression::String(s) => Lit::Str(s.value().clone()),
        Expression::Null(_) => Lit::Null,
        other => {
            let mut text = String::new();
            if canon(other, &mut text) {
                Lit::Data(text)
            } else {
                Lit::Expr(text)
            }
        }
    }
}

/// How tightly an expression binds as an operand (HCL's operator precedence; higher binds
/// tighter). Parentheses around an operand are written back only when its precedence is
/// below what its place needs, so canonical text reads back as the same expression.
fn precedence(expr: &Expression) -> u8 {
    use hcl_edit::expr::BinaryOperator as Op;
    match expr {
        Expression::Parenthesis(p) => precedence(p.inner()),
        Expression::Conditional(_) => 0,
        Expression::BinaryOp(op) => match op.operator.value() {
            Op::Or => 1,
            Op::And => 2,
            Op::Eq | Op::NotEq => 3,
            Op::Less | Op::LessEq | Op::Greater | Op::GreaterEq => 4,
            Op::Plus | Op::Minus => 5,
            Op::Mul | Op::Div | Op::Mod => 6,
        },
        Expression::UnaryOp(_) => 7,
        _ => 8,
    }
}

/// [`canon`] for an operand that needs at least precedence `min` to stand unparenthesised.
fn canon_operand(expr: &Expression, min: u8, out: &mut String) -> bool {
    if precedence(expr) >= min {
        return canon(expr, out);
    }
    out.push('(');
    let known = canon(expr, out);
    out.push(')');
    known
}

/// Writes `text` quoted and escaped as Rust's `{:?}` does. Most strings of a configuration
/// are plain printable ASCII, which that leaves as it is, and a settings-heavy file has
/// thousands of them: those skip the formatting machinery.
pub(super) fn push_quoted(text: &str, out: &mut String) {
    if text
        .bytes()
        .all(|b| (b' '..=b'~').contains(&b) && b != b'"' && b != b'\\')
    {
        out.push('"');
        out.push_str(text);
        out.push('"');
    } else {
        use std::fmt::Write as _;
        let _ = write!(out, "{text:?}");
    }
}

/// Writes `expr` in one canonical form, so that comments, line breaks, spacing, trailing
/// commas and redundant parentheses do not count as a change; returns whether the value is
/// made of literals only. Parentheses that change the meaning are kept. Templates and `for`
/// expressions keep their text with whitespace runs collapsed: rare in the settings
/// compared, and still layout-tolerant.
fn canon(expr: &Expression, out: &mut String) -> bool {
    let list = |items: &mut dyn Iterator<Item = &Expression>, out: &mut String| {
        let mut known = true;
        for (i, e) in items.enumerate() {
            if i > 0 {
                out.push_str(", ");
            }
            known &= canon(e, out);
        }
        known
    };
    match expr {
        Expression::Parenthesis(p) => canon(p.inner(), out),
        Expression::Null(_) | Expression::Bool(_) | Expression::Number(_) => {
            out.push_str(lit(expr).render().as_str());
            true
        }
        Expression::String(s) => {
            push_quoted(s.value().as_str(), out);
            true
        }
        Expression::Array(arr) => {
            out.push('[');
            let known = list(&mut arr.iter(), out);
            out.push(']');
            known
        }
        Expression::Object(obj) => {
            out.push('{');
            let mut known = true;
            for (i, (k, v)) in obj.iter().enumerate() {
                if i > 0 {
                    out.push_str(", ");
                }
                match k {
                    ObjectKey::Ident(id) => push_quoted(id.as_str(), out),
                    ObjectKey::Expression(e) => known &= canon(e, out),
                }
                out.push_str(" = ");
                known &= canon(v.expr(), out);
            }
            out.push('}');
            known
        }
        Expression::Variable(v) => {
            out.push_str(v.as_str());
            false
        }
        Expression::Traversal(t) => {
            canon_operand(&t.expr, 8, out);
            for op in &t.operators {
                match op.value() {
                    TraversalOperator::GetAttr(ident) => {
                        out.push('.');
                        out.push_str(ident.as_str());
                    }
                    TraversalOperator::Index(e) => {
                        out.push('[');
                        canon(e, out);
                        out.push(']');
                    }
                    TraversalOperator::LegacyIndex(i) => out.push_str(&format!("[{}]", i.value())),
                    TraversalOperator::AttrSplat(_) => out.push_str(".*"),
                    TraversalOperator::FullSplat(_) => out.push_str("[*]"),
                }
            }
            false
        }
        Expression::FuncCall(call) => {
            for ns in &call.name.namespace {
                out.push_str(ns.as_str());
                out.push_str("::");
            }
            out.push_str(call.name.name.as_str());
            out.push('(');
            list(&mut call.args.iter(), out);
            if call.args.expand_final() {
                out.push_str("...");
            }
            out.push(')');
            false
        }
        Expression::Conditional(c) => {
            canon_operand(&c.cond_expr, 1, out);
            out.push_str(" ? ");
            canon_operand(&c.true_expr, 1, out);
            out.push_str(" : ");
            canon(&c.false_expr, out);
            false
        }
        Expression::UnaryOp(op) => {
            out.push_str(op.operator.value().as_str());
            canon_operand(&op.expr, 7, out);
            false
        }
        Expression::BinaryOp(op) => {
            // Left-associative: an operand of the same precedence needs parentheses only
            // on the right.
            let own = precedence(expr);
            canon_operand(&op.lhs_expr, own, out);
            out.push(' ');
            out.push_str(op.operator.value().as_str());
            out.push(' ');
            canon_operand(&op.rhs_expr, own + 1, out);
            false
        }
        other => {
            let text = other.to_string();
            out.push_str(&text.split_whitespace().collect::<Vec<_>>().join(" "));
            false
        }
    }
}

/// The attributes an `ignore_changes` expression names: `all`, or each list element's first
/// path segment (`tags["Name"]` → `tags`; the legacy quoted form too).
fn ignored(expr: &Expression) -> Vec<String> {
    match unwrap_parens(expr) {
        Expression::Variable(v) if v.as_str() == "all" => vec!["all".to_owned()],
        Expression::Array(arr) => arr
            .iter()
            .filter_map(|e| match lit(e) {
                Lit::Str(s) => Some(s),
                _ => traversal_address(e),
            })
            .filter_map(|a| a.split('.').next().map(str::to_owned))
            .collect(),
        Expression::String(s) if s.value() == "all" => vec!["all".to_owned()],
        _ => Vec::new(),
    }
}

/// The keys of a literal `for_each`: an object's keys, or a list/set of strings, possibly
/// wrapped in `toset(…)`/`tomap(…)`. `None` for anything computed.
pub fn literal_keys(expr: &Expression) -> Keys {
    match unwrap_parens(expr) {
        Expression::Object(obj) => obj
            .iter()
            .map(|(k, _)| match k {
                ObjectKey::Ident(i) => Some(i.as_str().to_owned()),
                ObjectKey::Expression(e) => match lit(e) {
                    Lit::Str(s) => Some(s),
                    _ => None,
                },
            })
            .collect(),
        Expression::Array(arr) => arr
            .iter()
            .map(|e| match lit(e) {
                Lit::Str(s) => Some(s),
                _ => None,
            })
            .collect(),
        Expression::FuncCall(call)
            if call.name.namespace.is_empty()
                && matches!(call.name.name.as_str(), "toset" | "tomap")
                && call.args.len() == 1 =>
        {
            call.args.get(0).and_then(literal_keys)
        }
        _ => None,
    }
}

fn address_attr(block: &Block, key: &str) -> Option<String> {
    block
        .body
        .get_attribute(key)
        .and_then(|a| traversal_address(&a.value))
}

/// A reference such as `module.a["x"].aws_s3_bucket.b[0]` as an address without instance
/// keys (`module.a.aws_s3_bucket.b`): `moved` and `removed` act on the whole block.
pub fn traversal_address(expr: &Expression) -> Option<String> {
    match unwrap_parens(expr) {
        Expression::Variable(v) => Some(v.as_str().to_owned()),
        Expression::Traversal(t) => {
            let mut out = traversal_address(&t.expr)?;
            for op in &t.operators {
                match op.value() {
                    TraversalOperator::GetAttr(ident) => {
                        out.push('.');
                        out.push_str(ident.as_str());
                    }
                    TraversalOperator::Index(_) | TraversalOperator::LegacyIndex(_) => {}
                    TraversalOperator::AttrSplat(_) | TraversalOperator::FullSplat(_) => {
                        return None
                    }
                }
            }
            Some(out)
        }
        _ => None,
    }
}

/// An object key as a name: an identifier, or a literal string (`"versioning" = …`); `None`
/// for a computed key, which no setting can be read from.
pub(super) fn object_key_name(key: &ObjectKey) -> Option<String> {
    match key {
        ObjectKey::Ident(id) => Some(id.as_str().to_owned()),
        ObjectKey::Expression(e) => match lit(e) {
            Lit::Str(s) => Some(s),
            _ => None,
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    proptest::proptest! {
        #[test]
        fn quoting_is_what_debug_formatting_writes(text in "(\\PC|[\"\\\\\t\n\u{7f}\u{301}])*") {
            let mut out = String::new();
            push_quoted(&text, &mut out);
            proptest::prop_assert_eq!(out, format!("{text:?}"));
        }
    }

    #[test]
    fn blocks_get_addresses_and_lines() {
        let f = parse(
            "# header\nresource \"aws_s3_bucket\" \"logs\" {\n  bucket = \"x\"\n}\n\nmodule \"net\" {\n  source = \"./net\"\n}\ndata \"aws_ami\" \"a\" {}\n",
        )
        .unwrap();
        let b = f.item("aws_s3_bucket.logs").unwrap();
        assert_eq!((b.line, b.end_line), (2, 4));
        assert_eq!(b.get("bucket").unwrap().line, 3);
        let m = f.item("module.net").unwrap();
        assert_eq!(m.line, 6);
        assert_eq!(m.source().as_deref(), Some("./net"));
        assert_eq!(f.item("data.aws_ami.a").unwrap().kind, ItemKind::Data);
    }

    #[test]
    fn nested_settings_are_dotted() {
        let f =
            parse("resource \"a\" \"b\" {\n  lifecycle {\n    prevent_destroy = true\n  }\n}\n")
                .unwrap();
        let s = f
            .item("a.b")
            .unwrap()
            .get("lifecycle.prevent_destroy")
            .unwrap();
        assert_eq!(s.value, Lit::Bool(true));
        assert_eq!(s.line, 3);
    }

    #[test]
    fn repeated_blocks_keep_the_first_at_the_plain_path_and_the_rest_by_position() {
        let f = parse(
            "resource \"a\" \"b\" {\n  rule {\n    id = \"x\"\n  }\n  dynamic \"rule\" {\n    for_each = [1]\n    content {\n      id = \"y\"\n    }\n  }\n  rule {\n    id = \"z\"\n  }\n}\n",
        )
        .unwrap();
        let b = f.item("a.b").unwrap();
        let id = |p: &str| b.get(p).map(|s| s.value.clone());
        assert_eq!(id("rule.id"), Some(Lit::Str("x".to_owned())));
        assert_eq!(id("rule[1].id"), Some(Lit::Str("y".to_owned())));
        assert_eq!(id("rule[2].id"), Some(Lit::Str("z".to_owned())));
        assert_eq!(b.get("rule[2].id").unwrap().line, 12);
    }

    #[test]
    fn moved_addresses_drop_instance_keys() {
        let f = parse("moved {\n  from = module.a[\"x\"].aws_s3_bucket.b[0]\n  to = module.c\n}\n")
            .unwrap();
        assert_eq!(f.moved[0].from, "module.a.aws_s3_bucket.b");
        assert_eq!(f.moved[0].to, "module.c");
    }

    #[test]
    fn removed_destroys_unless_destroy_is_false() {
        let f = parse(
            "removed {\n  from = aws_s3_bucket.a\n}\nremoved {\n  from = aws_s3_bucket.b\n  lifecycle {\n    destroy = false\n  }\n}\n",
        )
        .unwrap();
        assert!(f.removed[0].destroys);
        assert!(!f.removed[1].destroys);
    }

    #[test]
    fn literal_for_each_keys() {
        let keys = |src: &str| literal_keys(&hcl_edit::parser::parse_expr(src).unwrap());
        assert_eq!(keys("toset([\"a\", \"b\"])").unwrap().len(), 2);
        assert_eq!(keys("{ a = 1, \"b\" = 2 }").unwrap().len(), 2);
        assert!(keys("{}").unwrap().is_empty());
        assert_eq!(keys("var.names"), None);
        assert_eq!(keys("[var.a]"), None);
    }

    #[test]
    fn canonical_text_keeps_only_the_parentheses_that_matter() {
        let text = |src: &str| lit(&hcl_edit::parser::parse_expr(src).unwrap()).render();
        assert_eq!(text("(var.a ? 1 : 0) * 2"), "(var.a ? 1 : 0) * 2");
        assert_eq!(text("!(var.a && var.b)"), "!(var.a && var.b)");
        assert_eq!(text("var.a - (var.b - 1)"), "var.a - (var.b - 1)");
        assert_eq!(text("(var.a - var.b) - 1"), "var.a - var.b - 1");
        assert_eq!(text("((var.a)) ? (1) : (0)"), "var.a ? 1 : 0");
        assert_eq!(
            text("(var.a || var.b) && var.c"),
            "(var.a || var.b) && var.c"
        );
        assert_eq!(text("var.a || var.b && var.c"), "var.a || var.b && var.c");
        assert_eq!(text("(var.a ? x : y).id"), "(var.a ? x : y).id");
    }

    #[test]
    fn parse_error_reports_a_line() {
        let e = parse("resource \"a\" \"b\" {\n  x = \n").unwrap_err();
        assert!(e.line.is_some());
    }
}
