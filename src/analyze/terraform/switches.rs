//! switches: variables of any name, and local values, that decide, through `count` or
//! `for_each`, how many instances of their own directory's resources and module calls exist
//! (`count = var.enable_db ? 1 : 0`, `count = var.web_count`,
//! `for_each = var.on ? toset([…]) : toset([])`, `for_each = toset(local.envs)`). When a value
//! changes (a `.tfvars` value, a variable's `default`, a literal in `locals`), every
//! `count`/`for_each` of the head directory that reads it is evaluated with the old and the
//! new value: none left is `create-switch-off`, fewer `count-emptied`, both at the changed
//! value.
//!
//! Evaluated: conditionals, `!`, `&&`, `||`, comparisons and arithmetic over the value and
//! literals, `toset`/`tomap`/`tolist` of it, and literal collections (`toset([])`, `tomap({})`
//! included). Anything else (another local or variable, any other function call) is unknown,
//! and a condition that depends on it is undecided and quiet; a chosen branch that is computed
//! counts as "some instances". A value read by a local that `count`/`for_each` reads
//! (`locals { envs = toset(var.envs) }`, `for_each = local.envs`) is followed through that
//! local, and through a chain of up to [`MOST_HOPS`] locals (`b = local.a`, `a = var.on`):
//! each local is evaluated with the value before it, then the gate with the last one's. A
//! value handed to a call of a module kept in the repository (`replica = var.ha`,
//! `source = "./modules/db"`) is followed into the module's own gates, one module deep.
//! Not followed: a module kept elsewhere, and a local whose value depends on anything else
//! that is unknown.
//!
//! Nothing here runs unless a value changed; each directory is read once per run.

use super::guards::{self, InputRole};
use super::model::{self, Item, ItemKind, Lit, TfFile, Variable};
use super::{
    data_note, data_note_plural, is_config_path, item_severity, limit_list, parse_file, Dir,
    FileView, COUNT_EMPTIED, CREATE_SWITCH_OFF,
};
use crate::change::{RepoPath, Side};
use crate::finding::{Finding, Severity};
use hcl_edit::expr::{BinaryOperator as Op, Expression, TraversalOperator, UnaryOperator};
use std::collections::{BTreeSet, HashMap};
use std::sync::Arc;

/// What a changed value is: a variable (`var.x`) or a local value (`local.x`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Root {
    Var,
    Local,
}

impl Root {
    fn prefix(self) -> &'static str {
        match self {
            Root::Var => "var",
            Root::Local => "local",
        }
    }
}

/// The value an evaluation varies: `var.<path>` or `local.<path>`.
#[derive(Debug, Clone, Copy)]
struct Input<'a> {
    root: Root,
    path: &'a str,
}

/// The meta-argument that sets an item's instances.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Arg {
    Count,
    ForEach,
    /// OpenTofu 1.11's `lifecycle { enabled = … }`.
    Enabled,
}

impl Arg {
    fn key(self) -> &'static str {
        match self {
            Arg::Count => "count",
            Arg::ForEach => "for_each",
            Arg::Enabled => "lifecycle.enabled",
        }
    }
}

/// A resource or module call whose `count` or `for_each` reads a variable.
#[derive(Clone)]
struct Gate {
    item: Item,
    file: RepoPath,
    arg: Arg,
    /// The expression's canonical text.
    text: String,
}

/// A gate that reads a value, directly or through locals (`via`).
struct Use {
    gate: usize,
    /// The locals between the value and the gate: first the one that reads the value, last
    /// the one the gate reads; empty when the gate reads the value itself.
    via: Vec<String>,
}

/// How many locals deep a value is followed towards a gate. Real chains are short (a flag
/// renamed once or twice); the bound also ends a cycle of locals, which Terraform refuses.
pub(super) const MOST_HOPS: usize = 4;

/// Every value `local` reads, directly or through further computed locals, with the chain of
/// locals from the one reading it out to `chain[0]` (the local the gate reads).
fn reached_through(
    computed: &HashMap<&str, &str>,
    chain: &mut Vec<String>,
    out: &mut Vec<((Root, String), Vec<String>)>,
) {
    let Some(text) = chain.last().and_then(|l| computed.get(l.as_str())) else {
        return;
    };
    let (vars, locals) = (names_read(text, Root::Var), names_read(text, Root::Local));
    let via: Vec<String> = chain.iter().rev().cloned().collect();
    for var in vars {
        out.push(((Root::Var, var), via.clone()));
    }
    for local in locals {
        if chain.contains(&local) || chain.len() >= MOST_HOPS {
            continue;
        }
        out.push(((Root::Local, local.clone()), via.clone()));
        chain.push(local);
        reached_through(computed, chain, out);
        chain.pop();
    }
}

/// A protection attribute set straight from a variable: `deletion_protection = var.x`, or
/// per instance `var.x[each.key]` / `lookup(var.x, each.key, …)`; or a module call's
/// `create`/`create_*`/`enabled` switch set from one (`create_db_instance = var.db_on`).
#[derive(Clone)]
pub struct Guarded {
    pub item: Item,
    pub role: InputRole,
    /// The attribute or argument the variable sets.
    pub attribute: String,
    /// Whether the attribute reads the variable's value at the instance's `each.key`.
    pub per_key: bool,
}

/// A head directory's gates by the variables they read, with those variables' blocks and the
/// text of the locals through which gates read variables; and, found in the same pass, the
/// protection attributes that variables set.
pub struct Gates {
    gates: Vec<Gate>,
    by_var: HashMap<(Root, String), Vec<Use>>,
    variables: HashMap<String, (RepoPath, Variable)>,
    locals: HashMap<String, String>,
    guarded: HashMap<String, Vec<Guarded>>,
    /// Arguments of calls to modules kept in the repository that read a value, by the value:
    /// a change to it is followed into the module's own gates.
    handed: HashMap<(Root, String), Vec<Handed>>,
}

/// A module call's argument computed from this directory's values (`replica = var.ha`), to
/// a module whose directory twokey can read.
struct Handed {
    /// The call's address, `module.db`.
    call: String,
    /// The module's directory.
    dir: String,
    argument: String,
    /// The argument's expression, canonical text.
    text: String,
}

impl Gates {
    /// Reads every configuration file of `dir` at head, changed by this change or not: the
    /// `count` that a `.tfvars` edit switches is usually in a file nobody touched.
    fn read(view: &FileView, dir: &str) -> Gates {
        let mut paths: Vec<RepoPath> = view
            .snapshot
            .list_dir(Side::Head, dir)
            .into_iter()
            .filter(is_config_path)
            .collect();
        paths.sort();
        let files: Vec<(RepoPath, Arc<TfFile>)> = paths
            .into_iter()
            .filter_map(|p| head_file(view, &p).map(|f| (p, f)))
            .collect();
        // Computed locals by name, the first declaration winning as in the model: the ones a
        // gate reads are followed back to the variables they read.
        let mut computed: HashMap<&str, &str> = HashMap::new();
        for (_, file) in &files {
            for (name, value) in &file.locals {
                if let Lit::Expr(text) = value {
                    computed.entry(name.as_str()).or_insert(text.as_str());
                }
            }
        }
        let mut gates = Vec::new();
        let mut by_var: HashMap<(Root, String), Vec<Use>> = HashMap::new();
        let mut locals = HashMap::new();
        let mut guarded: HashMap<String, Vec<Guarded>> = HashMap::new();
        let mut handed: HashMap<(Root, String), Vec<Handed>> = HashMap::new();
        for (path, file) in &files {
            for item in file.destroyable() {
                if let Some(module_dir) = super::modules::local_dir(dir, item) {
                    for (argument, setting) in &item.settings {
                        let Lit::Expr(text) = &setting.value else {
                            continue;
                        };
                        if super::modules::META.contains(&argument.as_str())
                            || argument.contains('.')
                        {
                            continue;
                        }
                        for root in [Root::Var, Root::Local] {
                            for name in names_read(text, root) {
                                handed.entry((root, name)).or_default().push(Handed {
                                    call: item.address.clone(),
                                    dir: module_dir.as_str().to_owned(),
                                    argument: argument.clone(),
                                    text: text.clone(),
                                });
                            }
                        }
                    }
                }
                for (at, setting) in &item.settings {
                    let Lit::Expr(text) = &setting.value else {
                        continue;
                    };
                    let role = match guards::guard_at(at, item.kind, &item.rtype) {
                        Some(guard) => InputRole::Guard(guard),
                        None if item.kind == ItemKind::Module => {
                            match super::modules::argument_role(at) {
                                Some(role @ InputRole::CreateSwitch) => role,
                                _ => continue,
                            }
                        }
                        None => continue,
                    };
                    if let Some((name, per_key)) = passed_variable(text) {
                        guarded.entry(name).or_default().push(Guarded {
                            item: item.clone(),
                            role,
                            attribute: at.clone(),
                            per_key,
                        });
                    }
                }
                for arg in [Arg::Count, Arg::ForEach, Arg::Enabled] {
                    let Some(Lit::Expr(text)) = item.get(arg.key()).map(|s| &s.value) else {
                        continue;
                    };
                    let names: Vec<(Root, String)> = [Root::Var, Root::Local]
                        .into_iter()
                        .flat_map(|root| names_read(text, root).into_iter().map(move |n| (root, n)))
                        .collect();
                    if names.is_empty() {
                        continue;
                    }
                    let gate = gates.len();
                    for (root, name) in names {
                        if root == Root::Local {
                            let mut reached = Vec::new();
                            reached_through(&computed, &mut vec![name.clone()], &mut reached);
                            for (value, via) in reached {
                                for local in &via {
                                    if let Some(text) = computed.get(local.as_str()) {
                                        locals.insert(local.clone(), (*text).to_owned());
                                    }
                                }
                                by_var.entry(value).or_default().push(Use { gate, via });
                            }
                        }
                        by_var.entry((root, name)).or_default().push(Use {
                            gate,
                            via: Vec::new(),
                        });
                    }
                    gates.push(Gate {
                        item: item.clone(),
                        file: path.clone(),
                        arg,
                        text: text.clone(),
                    });
                }
            }
        }
        let variables = files
            .iter()
            .flat_map(|(p, f)| f.variables.iter().map(move |v| (p, v)))
            .filter(|(_, v)| by_var.contains_key(&(Root::Var, v.name.clone())))
            .map(|(p, v)| (v.name.clone(), (p.clone(), v.clone())))
            .collect();
        Gates {
            gates,
            by_var,
            variables,
            locals,
            guarded,
            handed,
        }
    }
}

/// The variable an attribute's value is, whole (`var.x`) or at the instance's key
/// (`var.x[each.key]`, `lookup(var.x, each.key, …)`: `true`); `None` for anything else.
fn passed_variable(text: &str) -> Option<(String, bool)> {
    let each_key = |e: &Expression| model::traversal_address(e).as_deref() == Some("each.key");
    let var_at = |e: &Expression| -> Option<(String, bool)> {
        let Expression::Traversal(t) = e else {
            return None;
        };
        if !matches!(&t.expr, Expression::Variable(v) if v.as_str() == "var") {
            return None;
        }
        let ops: Vec<&TraversalOperator> = t.operators.iter().map(|o| o.value()).collect();
        match ops[..] {
            [TraversalOperator::GetAttr(name)] => Some((name.as_str().to_owned(), false)),
            [TraversalOperator::GetAttr(name), TraversalOperator::Index(key)] if each_key(key) => {
                Some((name.as_str().to_owned(), true))
            }
            _ => None,
        }
    };
    match &expression(text)? {
        Expression::FuncCall(call)
            if call.name.namespace.is_empty() && call.name.name.as_str() == "lookup" =>
        {
            let mut args = call.args.iter();
            let (map, key) = (args.next()?, args.next()?);
            match var_at(map)? {
                (name, false) if each_key(key) => Some((name, true)),
                _ => None,
            }
        }
        other => var_at(other),
    }
}

/// The protection attributes of `dir` at head that the variable `name` sets directly.
pub fn guarded_by(view: &FileView, dir: &str, name: &str, out: &mut Vec<Guarded>) {
    if let Some(found) = gates(view, dir).guarded.get(name) {
        out.extend(found.iter().cloned());
    }
}

fn gates(view: &FileView, dir: &str) -> Arc<Gates> {
    view.memo
        .terraform_gates
        .get_or_load(&dir.to_owned(), || Arc::new(Gates::read(view, dir)))
}

/// A head file of the directory, parsed (from the memo when its own review parsed it). A
/// file that can neither read nor declare a variable is not parsed; one that does not parse
/// is left out, since its own review reports it.
fn head_file(view: &FileView, path: &RepoPath) -> Option<Arc<TfFile>> {
    let content = view.snapshot.read(Side::Head, path);
    let text = content.text()?;
    if !text.contains("var.") && !text.contains("variable") && !text.contains("local.") {
        return None;
    }
    view.memo
        .terraform_files
        .get_or_load(&(Side::Head, path.clone()), || {
            parse_file(path, text).map(Arc::new)
        })
        .ok()
}

/// The variables or locals an expression's text names (`local.x` → `x`).
fn names_read(text: &str, root: Root) -> BTreeSet<String> {
    let ident = |c: char| c.is_alphanumeric() || c == '_' || c == '-';
    let marker = format!("{}.", root.prefix());
    text.match_indices(marker.as_str())
        .filter(|(i, _)| {
            !text[..*i]
                .chars()
                .next_back()
                .is_some_and(|c| ident(c) || c == '.')
        })
        .filter_map(|(i, m)| {
            let rest = &text[i + m.len()..];
            let end = rest.find(|c: char| !ident(c)).unwrap_or(rest.len());
            (end > 0).then(|| rest[..end].to_owned())
        })
        .collect()
}

/// The root variable of an input path (`settings.enabled` → `settings`).
fn variable_of(path: &str) -> &str {
    path.split('.').next().unwrap_or(path)
}

/// The default a gated variable of `dir` has on `side`, at input path `path`. `None` when the
/// variable gates nothing there, has no default, or is not declared on that side.
pub fn default_of(view: &FileView, dir: &str, path: &str, side: Side) -> Option<Lit> {
    let gates = gates(view, dir);
    let name = variable_of(path);
    let (file, head) = gates.variables.get(name)?;
    // A file the change does not touch declares the same default on both sides.
    if side == Side::Base && view.memo.worth_reading(file) {
        let base = Dir::load(view, Side::Base, dir, None);
        return base
            .variable(name)
            .and_then(|v| v.defaults.get(path))
            .map(|s| s.value.clone());
    }
    head.defaults.get(path).map(|s| s.value.clone())
}

/// A value as far as the evaluation knows it.
#[derive(Debug, Clone, PartialEq)]
enum Val {
    Bool(bool),
    Num(f64),
    Str(String),
    Null,
    /// A literal collection, by the keys `for_each` makes of it.
    Keys(BTreeSet<String>),
    /// A value that is there but computed (a local, a call, another variable): its text.
    Computed(String),
    /// Undecided: it depends on something twokey does not know.
    Unknown,
}

impl Val {
    /// A variable's value from its literal; `None` for a computed one.
    fn of(lit: &Lit) -> Option<Val> {
        Some(match lit {
            Lit::Bool(b) => Val::Bool(*b),
            Lit::Num(n) => Val::Num(*n),
            Lit::Str(s) => Val::Str(s.clone()),
            Lit::Null => Val::Null,
            Lit::Data(text) => hcl_edit::parser::parse_expr(text)
                .ok()
                .and_then(|e| model::literal_keys(&e))
                .map_or_else(|| Val::Computed(text.clone()), Val::Keys),
            Lit::Expr(_) => return None,
        })
    }
    /// As a condition: HCL converts the strings "true" and "false".
    fn truth(&self) -> Option<bool> {
        match self {
            Val::Bool(b) => Some(*b),
            Val::Str(s) if s == "true" => Some(true),
            Val::Str(s) if s == "false" => Some(false),
            _ => None,
        }
    }
    fn num(&self) -> Option<f64> {
        match self {
            Val::Num(n) => Some(*n),
            Val::Str(s) => s.trim().parse().ok(),
            _ => None,
        }
    }
    /// The value as a literal a module argument could be given: a scalar, or a collection
    /// by its keys (what `count` and `for_each` inside the module read of it).
    fn literal(&self) -> Option<Lit> {
        match self {
            Val::Keys(keys) => Some(Lit::Data(format!(
                "[{}]",
                keys.iter()
                    .map(|k| format!("{k:?}"))
                    .collect::<Vec<_>>()
                    .join(", ")
            ))),
            other => other.scalar(),
        }
    }
    fn scalar(&self) -> Option<Lit> {
        match self {
            Val::Bool(b) => Some(Lit::Bool(*b)),
            Val::Num(n) => Some(Lit::Num(*n)),
            Val::Str(s) => Some(Lit::Str(s.clone())),
            Val::Null => Some(Lit::Null),
            _ => None,
        }
    }
}

/// A `count` or `for_each` expression back from its canonical text (the JSON syntax keeps
/// it as one `"${…}"` string); `None` when it does not parse.
fn expression(text: &str) -> Option<Expression> {
    let inner = text
        .strip_prefix("${")
        .and_then(|t| t.strip_suffix('}'))
        .unwrap_or(text);
    hcl_edit::parser::parse_expr(inner).ok()
}

/// The value of `expr` when the input (`var.enable_db`, `var.settings.enabled`,
/// `local.envs`) is `value`. `toset`, `tomap` and `tolist` keep the keys `for_each` makes.
fn eval(expr: &Expression, input: Input, value: &Val) -> Val {
    match expr {
        Expression::Parenthesis(p) => eval(p.inner(), input, value),
        Expression::Conditional(c) => match eval(&c.cond_expr, input, value).truth() {
            Some(true) => eval(&c.true_expr, input, value),
            Some(false) => eval(&c.false_expr, input, value),
            None => Val::Unknown,
        },
        Expression::UnaryOp(op) => {
            let v = eval(&op.expr, input, value);
            let out = match op.operator.value() {
                UnaryOperator::Not => v.truth().map(|b| Val::Bool(!b)),
                UnaryOperator::Neg => v.num().map(|n| Val::Num(-n)),
            };
            out.unwrap_or(Val::Unknown)
        }
        Expression::BinaryOp(op) => binary(
            *op.operator.value(),
            &eval(&op.lhs_expr, input, value),
            &eval(&op.rhs_expr, input, value),
        ),
        Expression::Traversal(_) if reads(expr, input) => value.clone(),
        Expression::FuncCall(call)
            if call.name.namespace.is_empty()
                && matches!(call.name.name.as_str(), "toset" | "tomap" | "tolist")
                && call.args.len() == 1
                && model::literal_keys(expr).is_none() =>
        {
            match call.args.iter().next().map(|arg| eval(arg, input, value)) {
                Some(keys @ Val::Keys(_)) => keys,
                Some(Val::Unknown) | None => Val::Unknown,
                Some(_) => leaf(expr),
            }
        }
        other => leaf(other),
    }
}

/// Whether `expr` is the input (`var.a.b`, `var.a["b"]` for `var` at path `a.b`).
fn reads(expr: &Expression, input: Input) -> bool {
    let Expression::Traversal(t) = expr else {
        return false;
    };
    if !matches!(&t.expr, Expression::Variable(v) if v.as_str() == input.root.prefix()) {
        return false;
    }
    let mut want = input.path.split('.');
    for op in &t.operators {
        let Some(segment) = want.next() else {
            return false;
        };
        let same = match op.value() {
            TraversalOperator::GetAttr(ident) => ident.as_str() == segment,
            TraversalOperator::Index(e) => matches!(model::lit(e), Lit::Str(s) if s == segment),
            _ => false,
        };
        if !same {
            return false;
        }
    }
    want.next().is_none()
}

/// Three-valued: `false && unknown` is false whatever the unknown is.
fn binary(op: Op, lhs: &Val, rhs: &Val) -> Val {
    let (a, b) = (lhs.truth(), rhs.truth());
    match op {
        Op::And => match (a, b) {
            (Some(false), _) | (_, Some(false)) => Val::Bool(false),
            (Some(true), Some(true)) => Val::Bool(true),
            _ => Val::Unknown,
        },
        Op::Or => match (a, b) {
            (Some(true), _) | (_, Some(true)) => Val::Bool(true),
            (Some(false), Some(false)) => Val::Bool(false),
            _ => Val::Unknown,
        },
        Op::Eq | Op::NotEq => match (lhs.scalar(), rhs.scalar()) {
            (Some(x), Some(y)) => Val::Bool(x.same(&y) == (op == Op::Eq)),
            _ => Val::Unknown,
        },
        _ => match (lhs.num(), rhs.num()) {
            (Some(x), Some(y)) => arithmetic(op, x, y),
            _ => Val::Unknown,
        },
    }
}

fn arithmetic(op: Op, x: f64, y: f64) -> Val {
    match op {
        Op::Less => Val::Bool(x < y),
        Op::LessEq => Val::Bool(x <= y),
        Op::Greater => Val::Bool(x > y),
        Op::GreaterEq => Val::Bool(x >= y),
        Op::Plus => Val::Num(x + y),
        Op::Minus => Val::Num(x - y),
        Op::Mul => Val::Num(x * y),
        Op::Div if y != 0.0 => Val::Num(x / y),
        Op::Mod if y != 0.0 => Val::Num(x % y),
        _ => Val::Unknown,
    }
}

fn leaf(expr: &Expression) -> Val {
    if let Some(keys) = model::literal_keys(expr) {
        return Val::Keys(keys);
    }
    match model::lit(expr) {
        Lit::Bool(b) => Val::Bool(b),
        Lit::Num(n) => Val::Num(n),
        Lit::Str(s) => Val::Str(s),
        Lit::Null => Val::Null,
        Lit::Data(text) | Lit::Expr(text) => Val::Computed(text),
    }
}

/// The instances an item loses when its `count`/`for_each` goes from one value to another.
#[derive(Debug, PartialEq)]
enum Loss {
    /// None are left.
    All { was: String, now: String },
    /// Some are left; `lost` are the keys that go (`[2]`, `["eu"]`).
    Some {
        was: String,
        now: String,
        lost: Vec<String>,
    },
}

fn loss(arg: Arg, old: &Val, new: &Val) -> Option<Loss> {
    match arg {
        Arg::Count => count_loss(old, new.num()?),
        Arg::ForEach => each_loss(old, new),
        // Off where it was on: the block's whole object goes, as with `count = 0`.
        Arg::Enabled => (old.truth()? && !new.truth()?).then(|| Loss::All {
            was: "1".to_owned(),
            now: "0".to_owned(),
        }),
    }
}

fn count_loss(old: &Val, now: f64) -> Option<Loss> {
    let rendered = Lit::Num(now).render();
    let was = match old {
        Val::Computed(text) => {
            return (now <= 0.0).then(|| Loss::All {
                was: format!("`{text}`"),
                now: rendered,
            })
        }
        other => other.num()?,
    };
    if !(was.is_finite() && now.is_finite() && was > 0.0 && now < was) {
        return None;
    }
    let was_text = Lit::Num(was).render();
    if now <= 0.0 {
        return Some(Loss::All {
            was: was_text,
            now: rendered,
        });
    }
    // Counts are small integers; the bound keeps a silly value cheap.
    let lost = (now as u64..was.min(10_000.0) as u64)
        .map(|i| format!("[{i}]"))
        .collect();
    Some(Loss::Some {
        was: was_text,
        now: rendered,
        lost,
    })
}

fn each_loss(old: &Val, new: &Val) -> Option<Loss> {
    let Val::Keys(now) = new else {
        return None;
    };
    let keys = |k: &BTreeSet<String>| {
        let quoted: Vec<String> = k.iter().map(|k| format!("{k:?}")).collect();
        format!("[{}]", quoted.join(", "))
    };
    match old {
        Val::Computed(text) if now.is_empty() => Some(Loss::All {
            was: format!("`{text}`"),
            now: "[]".to_owned(),
        }),
        Val::Keys(was) => {
            let lost: Vec<String> = was.difference(now).map(|k| format!("[{k:?}]")).collect();
            match (lost.is_empty(), now.is_empty()) {
                (true, _) => None,
                (false, true) => Some(Loss::All {
                    was: keys(was),
                    now: "[]".to_owned(),
                }),
                (false, false) => Some(Loss::Some {
                    was: keys(was),
                    now: keys(now),
                    lost,
                }),
            }
        }
        _ => None,
    }
}

/// A changed value, and how the finding names it.
pub struct Changed<'a> {
    /// A variable's or a local's.
    pub root: Root,
    /// The input path (`enable_db`, `settings.enabled`).
    pub path: &'a str,
    pub before: &'a Lit,
    pub after: &'a Lit,
    /// Where the changed value is (the base side when it was removed).
    pub side: Side,
    pub line: u32,
    /// The sentence's opening: "`enable_db` in terraform.tfvars changed from true to false".
    pub what: String,
    /// Which runs it affects: "in every run that uses this file".
    pub scope: &'a str,
    /// The module call whose own directory is evaluated, when the value is one of its
    /// arguments (`module.db`): the gates' addresses are shown under it.
    pub within: Option<&'a str>,
    /// The caller's value the argument was computed from, as the safer way names it
    /// (`` `ha` at true ``); `None` when the argument itself was changed.
    pub from: Option<String>,
}

impl Changed<'_> {
    /// What a config allow-list names the finding by: the module call whose argument it is,
    /// else the variable or local.
    fn subject(&self) -> String {
        match self.within {
            Some(call) => call.to_owned(),
            None => format!("{}.{}", self.root.prefix(), variable_of(self.path)),
        }
    }
    /// How a safer way names it: a local by its reference, a variable's input by its path.
    fn shown(&self) -> String {
        match self.root {
            Root::Var => self.path.to_owned(),
            Root::Local => format!("local.{}", self.path),
        }
    }
}

/// What a changed value does to the resources and module calls of the head directory `dir`:
/// switched off (`create-switch-off`) or left with fewer instances (`count-emptied`).
/// Quiet unless both values are literals and differ.
pub fn findings(view: &FileView, dir: &str, changed: &Changed) -> Vec<Finding> {
    if changed.before.same(changed.after) {
        return Vec::new();
    }
    let (Some(old), Some(new)) = (Val::of(changed.before), Val::of(changed.after)) else {
        return Vec::new();
    };
    let gates = gates(view, dir);
    let key = (changed.root, variable_of(changed.path).to_owned());
    let mut out = Vec::new();
    // One module level deep: a value of a module's own caller is not followed further.
    if changed.within.is_none() {
        for handed in gates.handed.get(&key).into_iter().flatten() {
            out.extend(through_module_call(view, changed, handed, &old, &new));
        }
    }
    let Some(indices) = gates.by_var.get(&key) else {
        return out;
    };
    let mut base: Option<Dir> = None;
    let mut off = Vec::new();
    let mut fewer = Vec::new();
    // A gate that reads the variable both directly and through a local is judged once.
    let mut seen = BTreeSet::new();
    for used in indices {
        let Some(gate) = gates.gates.get(used.gate) else {
            continue;
        };
        if !seen.insert(used.gate) {
            continue;
        }
        let Some(expr) = expression(&gate.text) else {
            continue;
        };
        let input = Input {
            root: changed.root,
            path: changed.path,
        };
        // Each local in turn, from the one that reads the value; then the gate, with the
        // last local's value.
        let Some(chain) = used
            .via
            .iter()
            .map(|local| gates.locals.get(local).and_then(|t| expression(t)))
            .collect::<Option<Vec<Expression>>>()
        else {
            continue;
        };
        let through = |value: &Val| {
            let mut value = value.clone();
            let mut reads = input;
            for (local, inner) in used.via.iter().zip(&chain) {
                value = eval(inner, reads, &value);
                reads = Input {
                    root: Root::Local,
                    path: local,
                };
            }
            eval(&expr, reads, &value)
        };
        let (was, now) = (through(&old), through(&new));
        let Some(loss) = loss(gate.arg, &was, &now) else {
            continue;
        };
        // An item this change adds has nothing to destroy yet. A file the change does not
        // touch holds the same items on both sides.
        let existed = !view.memo.worth_reading(&gate.file)
            || base
                .get_or_insert_with(|| Dir::load(view, Side::Base, dir, None))
                .has(&gate.item.address);
        if !existed {
            continue;
        }
        let mut gate = gate.clone();
        if let Some(call) = changed.within {
            gate.item.address = format!("{call}.{}", gate.item.address);
        }
        let hit = (gate, loss, used.via.last().cloned());
        match hit.1 {
            Loss::All { .. } => off.push(hit),
            Loss::Some { .. } => fewer.push(hit),
        }
    }
    if !off.is_empty() {
        out.push(switched_off(view, changed, &off));
    }
    if !fewer.is_empty() {
        out.push(thinned(view, changed, &fewer));
    }
    out
}

/// A changed value that a module call hands on as an argument, followed into the module:
/// the argument is evaluated with the old and the new value, and the module's own gates
/// with the argument's.
fn through_module_call(
    view: &FileView,
    changed: &Changed,
    handed: &Handed,
    old: &Val,
    new: &Val,
) -> Vec<Finding> {
    let Some(expr) = expression(&handed.text) else {
        return Vec::new();
    };
    let input = Input {
        root: changed.root,
        path: changed.path,
    };
    let (Some(before), Some(after)) = (
        eval(&expr, input, old).literal(),
        eval(&expr, input, new).literal(),
    ) else {
        return Vec::new();
    };
    if before.same(&after) {
        return Vec::new();
    }
    let inner = Changed {
        root: Root::Var,
        path: &handed.argument,
        before: &before,
        after: &after,
        side: changed.side,
        line: changed.line,
        what: format!(
            "{}, which sets argument `{}` of `{}` to {}",
            changed.what,
            handed.argument,
            handed.call,
            after.render()
        ),
        scope: changed.scope,
        within: Some(&handed.call),
        from: Some(format!(
            "`{}` at {}",
            changed.shown(),
            changed.before.render()
        )),
    };
    findings(view, &handed.dir, &inner)
}

/// Local values whose literal changed in this file, followed to the `count`/`for_each` of the
/// directory that read them: `envs = ["dev", "prod"]` becoming `["dev"]` destroys what
/// `for_each = toset(local.envs)` made for `prod`, in whichever file it is declared.
pub fn locals(view: &FileView, base: &TfFile, head: &TfFile, out: &mut Vec<Finding>) {
    let Some(text) = view.new_text() else {
        return;
    };
    let dir = view.path_on(Side::Head).dir();
    for (name, after) in &head.locals {
        let Some(before) = base.locals.get(name) else {
            continue;
        };
        if before.same(after) || !before.is_known() || !after.is_known() {
            continue;
        }
        let changed = Changed {
            root: Root::Local,
            path: name,
            before,
            after,
            side: Side::Head,
            line: local_line(text, name),
            what: format!(
                "`local.{name}` in {} changed from {} to {}",
                view.path_on(Side::Head),
                before.render(),
                after.render()
            ),
            scope: "in every run of this configuration",
            within: None,
            from: None,
        };
        out.extend(findings(view, dir, &changed));
    }
}

/// The line that assigns `name` (`  name = …`), the first one; 1 when none is found.
fn local_line(text: &str, name: &str) -> u32 {
    text.lines()
        .position(|line| {
            line.trim_start()
                .strip_prefix(name)
                .is_some_and(|rest| rest.trim_start().starts_with('='))
        })
        .map_or(1, |i| u32::try_from(i + 1).unwrap_or(u32::MAX))
}

/// A gate that loses instances (its address as the message shows it), and the local it reads
/// the changed variable through.
type Hit = (Gate, Loss, Option<String>);

fn effect(gate: &Gate, loss: &Loss, via: Option<&str>) -> String {
    let address = &gate.item.address;
    let what = match (gate.arg, loss) {
        (Arg::Count, Loss::All { was, now } | Loss::Some { was, now, .. }) => {
            format!("`count` of `{address}` goes from {was} to {now}")
        }
        (Arg::ForEach, Loss::All { was, .. }) => {
            format!("`for_each` of `{address}` goes from {was} to an empty collection")
        }
        (Arg::ForEach, Loss::Some { lost, .. }) => {
            format!("`for_each` of `{address}` loses {}", lost.join(", "))
        }
        (Arg::Enabled, _) => format!("`lifecycle {{ enabled }}` of `{address}` turns false"),
    };
    match via {
        Some(local) => format!("through `local.{local}`, {what}"),
        None => what,
    }
}

/// "a", "a and b", "a, b and c".
fn and_list(items: Vec<String>) -> String {
    match items.split_last() {
        Some((last, rest)) if !rest.is_empty() => format!("{} and {last}", rest.join(", ")),
        Some((last, _)) => last.clone(),
        None => String::new(),
    }
}

/// What else goes with the destroyed objects: what the heaviest of them holds.
fn note(gates: &[Hit], plural: bool) -> &'static str {
    let heaviest = gates
        .iter()
        .map(|(g, _, _)| &g.item)
        .max_by_key(|i| (i.kind == ItemKind::Module, item_severity(i)));
    match heaviest {
        Some(item) if plural => data_note_plural(item),
        Some(item) => data_note(item),
        None => "",
    }
}

fn severity(gates: &[Hit]) -> Severity {
    gates
        .iter()
        .map(|(g, _, _)| item_severity(&g.item))
        .max()
        .unwrap_or(Severity::High)
}

fn effects(gates: &[Hit]) -> String {
    and_list(
        gates
            .iter()
            .map(|(g, l, via)| effect(g, l, via.as_deref()))
            .collect(),
    )
}

fn switched_off(view: &FileView, changed: &Changed, off: &[Hit]) -> Finding {
    let single = |loss: &Loss| matches!(loss, Loss::All { was, .. } if was == "1");
    let addresses: Vec<String> = off
        .iter()
        .map(|(g, loss, _)| match single(loss) {
            true => format!("`{}`", g.item.address),
            false => format!("every instance of `{}`", g.item.address),
        })
        .collect();
    let plural = off.len() > 1 || !off.iter().all(|(_, loss, _)| single(loss));
    let first = off
        .first()
        .map_or("<address>", |(g, _, _)| g.item.address.as_str());
    let targets = and_list(addresses);
    let managed = and_list(
        off.iter()
            .map(|(g, _, _)| format!("`{}`", g.item.address))
            .collect(),
    );
    Finding::new(
        &CREATE_SWITCH_OFF,
        view.at(changed.side, changed.line, changed.line),
        format!(
            "{}: {}, so the next apply destroys {targets}{}, {}.",
            changed.what,
            effects(off),
            note(off, plural),
            changed.scope
        ),
    )
    .with_severity(severity(off))
    .with_subject(changed.subject())
    .with_safer(match changed.within {
        Some(call) => keep_argument(changed, call),
        None => format!(
            "Keep `{}` at {}. To stop managing {managed} without destroying {}, delete the block \
             and add `removed {{ from = {first}  lifecycle {{ destroy = false }} }}`; otherwise \
             confirm the destroy with the plan, in its own reviewed change.",
            changed.shown(),
            changed.before.render(),
            if off.len() > 1 { "them" } else { "it" },
        ),
    })
}

/// The safer way for a module call's argument: keep it, or the caller's value it is
/// computed from.
fn keep_argument(changed: &Changed, call: &str) -> String {
    let keep = match &changed.from {
        Some(from) => format!(
            "Keep {from}, so that argument `{}` of `{call}` stays {}",
            changed.path,
            changed.before.render()
        ),
        None => format!(
            "Keep argument `{}` of `{call}` at {}",
            changed.path,
            changed.before.render()
        ),
    };
    format!("{keep}, or confirm each destroyed instance with the plan, in its own reviewed change.")
}

fn thinned(view: &FileView, changed: &Changed, fewer: &[Hit]) -> Finding {
    let instances: Vec<String> = fewer
        .iter()
        .flat_map(|(g, l, _)| match l {
            Loss::Some { lost, .. } => lost
                .iter()
                .map(|k| format!("`{}{k}`", g.item.address))
                .collect(),
            Loss::All { .. } => Vec::new(),
        })
        .collect();
    Finding::new(
        &COUNT_EMPTIED,
        view.at(changed.side, changed.line, changed.line),
        format!(
            "{}: {}, so the next apply destroys {}{}, {}.",
            changed.what,
            effects(fewer),
            limit_list(instances),
            note(fewer, true),
            changed.scope
        ),
    )
    .with_severity(severity(fewer))
    .with_subject(changed.subject())
    .with_safer(match changed.within {
        Some(call) => keep_argument(changed, call),
        None => format!(
            "Keep `{}` at {}, or confirm each destroyed instance with the plan; if instances \
             should survive under other keys, add `moved` blocks for them.",
            changed.shown(),
            changed.before.render()
        ),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// What canonical text gives with the input at `path` set to `value`; unknown when the
    /// text does not parse.
    fn evaluate(text: &str, path: &str, value: &Val) -> Val {
        let input = Input {
            root: Root::Var,
            path,
        };
        expression(text).map_or(Val::Unknown, |e| eval(&e, input, value))
    }

    fn eval_text(text: &str, path: &str, value: Val) -> Val {
        evaluate(text, path, &value)
    }

    #[test]
    fn conditionals_on_the_variable_are_decided() {
        let on = || Val::Bool(true);
        let off = || Val::Bool(false);
        assert_eq!(
            eval_text("var.enable_db ? 1 : 0", "enable_db", off()),
            Val::Num(0.0)
        );
        assert_eq!(eval_text("!var.x ? 1 : 0", "x", on()), Val::Num(0.0));
        assert_eq!(
            eval_text("var.x == false ? 0 : 2", "x", on()),
            Val::Num(2.0)
        );
        assert_eq!(eval_text("var.x != true ? 0 : 2", "x", on()), Val::Num(2.0));
        assert_eq!(
            eval_text("var.x ? toset([\"a\"]) : toset([])", "x", off()),
            Val::Keys(BTreeSet::new())
        );
        assert_eq!(
            eval_text("var.x ? var.names : {}", "x", on()),
            Val::Computed("var.names".to_owned())
        );
        assert_eq!(eval_text("var.n", "n", Val::Num(3.0)), Val::Num(3.0));
        assert_eq!(
            eval_text("var.n > 0 ? 1 : 0", "n", Val::Str("0".into())),
            Val::Num(0.0)
        );
        assert_eq!(eval_text("var.s.on ? 1 : 0", "s.on", off()), Val::Num(0.0));
        // JSON syntax keeps the expression in a string.
        assert_eq!(eval_text("${var.x ? 1 : 0}", "x", off()), Val::Num(0.0));
    }

    #[test]
    fn what_the_variable_does_not_decide_is_unknown() {
        let off = Val::Bool(false);
        assert_eq!(
            eval_text("var.other ? 1 : 0", "x", off.clone()),
            Val::Unknown
        );
        assert_eq!(
            eval_text("var.x || var.y ? 1 : 0", "x", off.clone()),
            Val::Unknown
        );
        assert_eq!(
            eval_text("var.x && var.y ? 1 : 0", "x", off.clone()),
            Val::Num(0.0)
        );
        assert_eq!(
            eval_text("local.on ? 1 : 0", "x", off.clone()),
            Val::Unknown
        );
        assert_eq!(eval_text("var.xy ? 1 : 0", "x", off.clone()), Val::Unknown);
        assert_eq!(eval_text("var.x ? 1 : ", "x", off), Val::Unknown);
    }

    #[test]
    fn losses_compare_counts_and_keys() {
        let keys = |k: &[&str]| Val::Keys(k.iter().map(|s| (*s).to_owned()).collect());
        assert!(matches!(
            loss(Arg::Count, &Val::Num(1.0), &Val::Num(0.0)),
            Some(Loss::All { .. })
        ));
        assert_eq!(
            loss(Arg::Count, &Val::Num(3.0), &Val::Num(1.0)),
            Some(Loss::Some {
                was: "3".into(),
                now: "1".into(),
                lost: vec!["[1]".into(), "[2]".into()]
            })
        );
        assert_eq!(loss(Arg::Count, &Val::Num(0.0), &Val::Num(2.0)), None);
        assert_eq!(loss(Arg::Count, &Val::Unknown, &Val::Num(0.0)), None);
        assert!(matches!(
            loss(Arg::Count, &Val::Computed("var.n".into()), &Val::Num(0.0)),
            Some(Loss::All { .. })
        ));
        assert!(matches!(
            loss(Arg::ForEach, &keys(&["a"]), &keys(&[])),
            Some(Loss::All { .. })
        ));
        assert!(matches!(
            loss(Arg::ForEach, &keys(&["a", "b"]), &keys(&["a"])),
            Some(Loss::Some { .. })
        ));
        assert_eq!(loss(Arg::ForEach, &keys(&[]), &keys(&["a"])), None);
        assert_eq!(loss(Arg::ForEach, &Val::Unknown, &keys(&[])), None);
    }

    #[test]
    fn type_conversions_keep_the_keys_for_each_makes() {
        let keys = |k: &[&str]| Val::Keys(k.iter().map(|s| (*s).to_owned()).collect());
        for text in ["toset(var.x)", "tomap(var.x)", "var.x"] {
            assert_eq!(
                eval_text(text, "x", keys(&["a", "b"])),
                keys(&["a", "b"]),
                "{text}"
            );
        }
        assert_eq!(
            eval_text("var.on ? toset(var.x) : toset([])", "on", Val::Bool(false)),
            keys(&[])
        );
        // Anything else done with the value is not followed.
        assert!(matches!(
            eval_text("toset(concat(var.x, [\"c\"]))", "x", keys(&["a"])),
            Val::Computed(_)
        ));
        assert_eq!(
            eval_text("toset(var.y ? [] : [])", "x", keys(&["a"])),
            Val::Unknown
        );
    }

    #[test]
    fn a_variable_passed_whole_or_at_each_key_is_recognised() {
        let var = |t: &str| passed_variable(t);
        assert_eq!(var("var.protect"), Some(("protect".into(), false)));
        assert_eq!(var("var.protect[each.key]"), Some(("protect".into(), true)));
        assert_eq!(
            var("lookup(var.protect, each.key, true)"),
            Some(("protect".into(), true))
        );
        for other in [
            "var.protect.main",
            "var.protect[\"main\"]",
            "!var.protect",
            "local.protect",
            "lookup(var.protect, \"main\")",
            "var.a ? true : false",
            "",
        ] {
            assert_eq!(var(other), None, "{other}");
        }
    }

    #[test]
    fn variables_are_read_by_whole_name() {
        let names = |t: &str| names_read(t, Root::Var).into_iter().collect::<Vec<_>>();
        assert_eq!(names("var.a && var.b-c ? 1 : 0"), ["a", "b-c"]);
        assert_eq!(names("myvar.a + local.var.b"), Vec::<String>::new());
        let locals = |t: &str| names_read(t, Root::Local).into_iter().collect::<Vec<_>>();
        assert_eq!(locals("toset(local.envs) + var.local.x"), ["envs"]);
    }

    /// A boolean expression over `var.x` and literals, with its value for a given `x`.
    #[derive(Debug, Clone)]
    enum B {
        X,
        Lit(bool),
        Not(Box<B>),
        And(Box<B>, Box<B>),
        Or(Box<B>, Box<B>),
        Eq(Box<B>, bool),
    }

    impl B {
        fn value(&self, x: bool) -> bool {
            match self {
                B::X => x,
                B::Lit(b) => *b,
                B::Not(b) => !b.value(x),
                B::And(a, b) => a.value(x) && b.value(x),
                B::Or(a, b) => a.value(x) || b.value(x),
                B::Eq(a, b) => a.value(x) == *b,
            }
        }
        /// Fully parenthesised source; the model's canonical text keeps only what matters.
        fn source(&self) -> String {
            match self {
                B::X => "var.x".to_owned(),
                B::Lit(b) => b.to_string(),
                B::Not(b) => format!("!({})", b.source()),
                B::And(a, b) => format!("({}) && ({})", a.source(), b.source()),
                B::Or(a, b) => format!("({}) || ({})", a.source(), b.source()),
                B::Eq(a, b) => format!("({}) == {b}", a.source()),
            }
        }
    }

    fn boolean() -> impl Strategy<Value = B> {
        let leaf = prop_oneof![Just(B::X), any::<bool>().prop_map(B::Lit)];
        leaf.prop_recursive(4, 24, 2, |inner| {
            prop_oneof![
                inner.clone().prop_map(|b| B::Not(Box::new(b))),
                (inner.clone(), inner.clone()).prop_map(|(a, b)| B::And(Box::new(a), Box::new(b))),
                (inner.clone(), inner.clone()).prop_map(|(a, b)| B::Or(Box::new(a), Box::new(b))),
                (inner, any::<bool>()).prop_map(|(a, b)| B::Eq(Box::new(a), b)),
            ]
        })
    }

    /// The canonical text the model keeps for `count = <source>`.
    fn canonical(source: &str) -> Option<String> {
        let file = model::parse(&format!(
            "resource \"a\" \"b\" {{\n  count = {source}\n}}\n"
        ))
        .ok()?;
        match &file.item("a.b")?.get("count")?.value {
            Lit::Expr(text) => Some(text.clone()),
            _ => None,
        }
    }

    proptest! {
        #[test]
        fn evaluating_canonical_text_agrees_with_the_expression(
            cond in boolean(),
            x in any::<bool>(),
            yes in 0u8..4,
            no in 0u8..4,
        ) {
            let source = format!("({}) ? {yes} : {no}", cond.source());
            let text = canonical(&source).expect("a conditional is an expression");
            let expected = if cond.value(x) { yes } else { no };
            prop_assert_eq!(
                evaluate(&text, "x", &Val::Bool(x)),
                Val::Num(f64::from(expected)),
                "{} (canonical: {})", source, text
            );
        }

        #[test]
        fn evaluating_any_text_never_panics(text in "\\PC{0,60}", n in any::<f64>()) {
            let _ = evaluate(&text, "x", &Val::Num(n));
            let _ = evaluate(&text, "x.y", &Val::Bool(true));
            let _ = names_read(&text, Root::Local);
        }

        #[test]
        fn evaluating_operator_soup_never_panics(
            parts in proptest::collection::vec(
                proptest::sample::select(vec![
                    "var.x", "!", "?", ":", "1", "0", "(", ")", "&&", "||", "==", "-", "/", "%",
                    "[]", "{}", "toset([])", "\"a\"", "null", "true", "var.x.y", "${", "}",
                ]),
                0..16,
            ),
        ) {
            let text = parts.join(" ");
            let _ = evaluate(&text, "x", &Val::Num(0.0));
            let _ = evaluate(&text, "x", &Val::Bool(false));
        }
    }
}
