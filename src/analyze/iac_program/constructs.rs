//! constructs: the resources a program declares, found by the shape of their constructor
//! calls in the masked code of a [`Source`]. It never evaluates anything: a name it cannot
//! read as a literal is not a name it can follow.
//!
//! Two shapes cover the SDKs:
//! - *named*: `new aws.s3.Bucket("name", …)` (TypeScript, C#, Java need `new`; Python
//!   `aws.s3.Bucket("name", …)` has none). The callee must be qualified or take a second
//!   argument, so `new Error("boom")` is not a resource.
//! - *scoped*: a scope, then the name: CDK's `new dynamodb.Table(this, 'Id', …)` and
//!   `Table(self, "Id", …)`, Java's `Table.Builder.create(this, "Id")`, and Go's
//!   `s3.NewBucket(ctx, "name", …)` / `awsdynamodb.NewTable(stack, jsii.String("Id"), …)`.
//!
//! CDK constructs always take their scope first, so in a CDK app only the scoped shape
//! counts (`new iam.ServicePrincipal('lambda.amazonaws.com')` and `new lambda.AssetCode('src')`
//! are values, not constructs); Go resources are always `New…` functions taking `ctx`
//! (`errors.New("…")` and `ctx.Export("…", …)` are not).
//!
//! Not followed: names built from variables, template literals or f-strings; resources made
//! in loops or helper functions (each call site is one resource to this module). Such calls
//! are kept apart, under their name as written, only to pair a call with itself.

use crate::analyze::orm::scan::{self, RawCall, Source};
use std::ops::Range;

/// One resource (or CDK construct) declared by a constructor call.
#[derive(Debug, Clone)]
pub(crate) struct Construct {
    /// The callee as written, without Go's `New` or Java's `.Builder.create`:
    /// `aws.dynamodb.Table`, `s3.BucketV2`, `Table`.
    pub callee: String,
    /// The last segment of the callee: what `Table` or `Bucket` it is.
    pub kind: String,
    /// The logical name (Pulumi) or construct id (CDK).
    pub name: String,
    /// The scope argument as written (`this`, `self`, `storage`), whitespace removed; empty
    /// for the named shape.
    pub scope: String,
    /// The call with its arguments and any chained builder calls: where its settings are.
    pub extent: Range<usize>,
    /// Inside the call's parentheses.
    pub args: Range<usize>,
    /// Whether it was written in the scoped shape, `(scope, "id", props)`.
    pub scoped: bool,
    /// A Pulumi component declared in the same file: its children's names and URNs are
    /// made from its own, so renaming it renames them all.
    pub component: bool,
    /// Written as Java's `Kind.Builder.create(scope, "id")`, its props chained after it.
    pub callee_is_builder: bool,
    /// The CDK service module an L1 construct named alone (`new CfnBucket(…)`) was imported
    /// from (`s3`), when the file's imports say.
    pub module: Option<String>,
    pub line: u32,
    pub end_line: u32,
}

impl Construct {
    /// Stacks, stages and apps group resources; one left out of a CDK app is no longer
    /// deployed, which deletes nothing. A nested stack is a resource of its parent, deleted
    /// (with all it holds) on the parent's next deploy: one named `…NestedStack` is not a
    /// container (a class extending `NestedStack` under another name cannot be told apart).
    pub fn is_container(&self) -> bool {
        (self.kind.ends_with("Stack") && !self.kind.ends_with("NestedStack"))
            || self.kind.ends_with("Stage")
            || self.kind == "App"
    }

    /// The arguments of its call as the language writes them (keywords in Python).
    pub fn call_args(&self, src: &Source) -> Vec<scan::Arg> {
        src.args(&RawCall {
            name: "",
            start: self.extent.start,
            args: self.args.clone(),
            line: self.line,
            end_line: self.end_line,
        })
    }
}

/// Calls that look like constructors but declare nothing a deploy could delete.
const NOT_RESOURCES: &[&str] = &[
    "CfnOutput",
    "CfnParameter",
    "CfnCondition",
    "CfnMapping",
    "CfnRule",
    "Error",
    "Exception",
];

/// The SDKs' own helpers (`pulumi.Config`, `pulumi.StackReference`, `jsii.String`) are not
/// provider resources.
const SDK_ROOTS: &[&str] = &["pulumi", "Pulumi", "jsii", "JSII"];

fn is_ident(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_' || b == b'$'
}

/// How a program's language and tool write a resource declaration.
#[derive(Debug, Clone, Copy)]
pub(super) struct Syntax {
    /// Constructor calls are written with `new` (and so anything else is a method call,
    /// such as C#'s `Console.WriteLine("x")`).
    needs_new: bool,
    /// Go: resources are made by `New<Kind>` functions.
    go: bool,
    /// Only `(scope, "id", …)` declares something: CDK, and every Go program.
    scoped_only: bool,
}

impl Syntax {
    pub(super) fn of(ext: &str, flavor: super::Flavor) -> Syntax {
        let go = ext == "go";
        Syntax {
            needs_new: matches!(ext, "ts" | "js" | "mjs" | "cs" | "java"),
            go,
            scoped_only: go || flavor == super::Flavor::Cdk,
        }
    }
}

/// What a side of a program declares.
#[derive(Debug, Default)]
pub(super) struct Found {
    /// Constructor calls with a literal name, in source order.
    pub constructs: Vec<Construct>,
    /// The kinds of constructor calls whose name is computed (`new aws.s3.Bucket(name, …)`
    /// in a helper function or a loop): one of them may be a resource that only moved there.
    pub computed: Vec<String>,
    /// The calls whose name is computed, with that name as written: the same call on both
    /// sides can still change a property or its parent.
    pub unnamed: Vec<Construct>,
}

/// Every constructor call in `src`.
pub(super) fn find(src: &Source, syntax: Syntax) -> Found {
    let code = &src.code;
    let components = if syntax.scoped_only {
        Vec::new()
    } else {
        component_classes(code)
    };
    let mut found = Found::default();
    for open in (0..code.len()).filter(|&i| code[i] == b'(') {
        let start = (0..open)
            .rev()
            .take_while(|&i| is_ident(code[i]) || code[i] == b'.')
            .last()
            .unwrap_or(open);
        let Ok(mut callee) = std::str::from_utf8(&code[start..open]) else {
            continue;
        };
        let builder = callee.strip_suffix(".Builder.create");
        callee = builder.unwrap_or(callee);
        if callee.is_empty() || callee.starts_with('.') || callee.ends_with('.') {
            continue;
        }
        let root = callee.split('.').next().unwrap_or("");
        let last = callee.rsplit('.').next().unwrap_or("");
        // Go constructors are functions: `NewBucket` makes a `Bucket`.
        let made = last
            .strip_prefix("New")
            .filter(|k| k.starts_with(|c: char| c.is_ascii_uppercase()));
        if syntax.go && made.is_none() {
            continue;
        }
        let kind = made.unwrap_or(last);
        if !kind.starts_with(|c: char| c.is_ascii_uppercase())
            || SDK_ROOTS.contains(&root)
            || NOT_RESOURCES.contains(&kind)
        {
            continue;
        }
        let before = std::str::from_utf8(&code[..start]).unwrap_or("").trim_end();
        let has_new = before.ends_with("new")
            && !before[..before.len() - 3].ends_with(|c: char| is_ident(c as u8));
        if syntax.needs_new && !has_new && builder.is_none() {
            continue;
        }
        let close = scan::matching(code, open).unwrap_or(code.len());
        let call = RawCall {
            name: "",
            start,
            args: open + 1..close,
            line: src.line_of(start),
            end_line: src.line_of(close),
        };
        let args: Vec<_> = src
            .args(&call)
            .into_iter()
            .filter(|a| a.keyword.is_none())
            .collect();
        let scoped = args.len() >= 2 && is_scope(src, &args[0].value);
        let name_arg = if scoped {
            args.get(1)
        } else if syntax.scoped_only {
            None
        } else if args.len() >= 2 || callee.contains('.') || components.contains(&kind) {
            args.first()
        } else {
            None
        };
        let name = name_arg.and_then(|a| literal(src, &a.value));
        if name.is_none() && !args.is_empty() && (scoped || !syntax.scoped_only) {
            // In a CDK app or Go, a call without a scope is no construct at all.
            found.computed.push(kind.to_owned());
        }
        // A computed name is kept as written (`f"{name}-table"`), to pair the call with
        // itself across the sides; never as a name to follow.
        let (name, list) = match (name, name_arg) {
            (Some(name), _) => (name, &mut found.constructs),
            (None, Some(arg)) => {
                let written: String = src.text[arg.value.clone()].split_whitespace().collect();
                if written.is_empty() {
                    continue;
                }
                (written, &mut found.unnamed)
            }
            (None, None) => continue,
        };
        let end = chained_end(code, close);
        let scope = if scoped {
            code_text(src, args[0].value.clone())
                .split_whitespace()
                .collect()
        } else {
            String::new()
        };
        list.push(Construct {
            callee: callee.to_owned(),
            kind: kind.to_owned(),
            name,
            scope,
            args: open + 1..close,
            scoped,
            component: components.contains(&kind),
            callee_is_builder: builder.is_some(),
            module: None,
            extent: start..end,
            line: call.line,
            end_line: src.line_of(end.saturating_sub(1)),
        });
    }
    found
}

/// The classes a file declares as Pulumi components, by the header of their declaration:
/// `class Site extends pulumi.ComponentResource {`, `class Site(pulumi.ComponentResource):`,
/// `class Site : ComponentResource`. Such a class is a resource even when it is called with
/// its name alone (`Site("www")`), which a plain one-argument call (`ValueError("boom")`)
/// is not. Go components are `New…(ctx, name)` functions, found as any Go resource is.
fn component_classes(code: &[u8]) -> Vec<&str> {
    let text = std::str::from_utf8(code).unwrap_or("");
    let mut out = Vec::new();
    for (at, _) in text.match_indices("class ") {
        if at > 0 && is_ident(code[at - 1]) {
            continue;
        }
        let rest = text[at + "class ".len()..].trim_start();
        let name_len = rest.bytes().take_while(|b| is_ident(*b)).count();
        let (name, header) = rest.split_at(name_len);
        let header = header.split(['{', '\n']).next().unwrap_or("");
        if !name.is_empty() && header.contains("ComponentResource") {
            out.push(name);
        }
    }
    out
}

fn code_text<'s>(src: &'s Source, range: Range<usize>) -> &'s str {
    std::str::from_utf8(&src.code[range]).unwrap_or("").trim()
}

/// `this`, `self`, `scope`, `ctx`, `stack`, `this.storage`: an identifier or a member of
/// one in first place.
fn is_scope(src: &Source, range: &Range<usize>) -> bool {
    let text = code_text(src, range.clone());
    !text.is_empty()
        && !text.starts_with('.')
        && !text.ends_with('.')
        && text.bytes().all(|b| is_ident(b) || b == b'.')
}

/// The content of an argument that is one string literal (Go CDK wraps it in
/// `jsii.String(…)`); `None` for anything computed.
fn literal(src: &Source, range: &Range<usize>) -> Option<String> {
    let code = code_text(src, range.clone());
    let inner = code
        .strip_prefix("jsii.String(")
        .and_then(|c| c.strip_suffix(')'))
        .map_or(code, str::trim);
    let quoted = inner.len() >= 2
        && matches!(inner.as_bytes()[0], b'"' | b'\'' | b'`')
        && inner.as_bytes()[inner.len() - 1] == inner.as_bytes()[0]
        && inner[1..inner.len() - 1].trim().is_empty();
    let value = src.strings_in(range.clone());
    (quoted && !value.contains("${") && !value.is_empty()).then_some(value)
}

/// The end of the call closing at `close`, with the builder calls chained onto it
/// (`….removalPolicy(RemovalPolicy.RETAIN).build()`).
fn chained_end(code: &[u8], close: usize) -> usize {
    let mut end = (close + 1).min(code.len());
    loop {
        let mut i = end;
        while code.get(i).is_some_and(u8::is_ascii_whitespace) {
            i += 1;
        }
        if code.get(i) != Some(&b'.') {
            return end;
        }
        let name_end = (i + 1..code.len())
            .find(|&j| !is_ident(code[j]))
            .unwrap_or(code.len());
        if name_end == i + 1 || code.get(name_end) != Some(&b'(') {
            return end;
        }
        end = scan::matching(code, name_end).map_or(code.len(), |c| c + 1);
    }
}
