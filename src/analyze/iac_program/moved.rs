//! moved: a resource that keeps its type and name but changes its place in the tree. In CDK
//! the construct path (`Stack/Data/Items`) is what the logical ID is made of, so a construct
//! passed a different scope (`this` to `storage`) is a new resource to CloudFormation. In
//! Pulumi a resource's URN is made of its parent's type chain, so a `parent` option added or
//! removed is a delete and a create unless `aliases` says where it was (one parent changed
//! for another may be of the same type, and keep the URN). Pure.

use super::constructs::Construct;
use super::guards::{is_ident, key_join, value_at};
use crate::analyze::orm::scan::{Lang, Source};
use std::ops::Range;

fn squeezed(text: &str) -> String {
    text.split_whitespace().collect()
}

/// `this`/`self` (the class being built) or a plain variable name.
fn plain(scope: &str) -> bool {
    scope.bytes().all(is_ident)
}

/// Whether a CDK construct's scope changed between the sides, read as a move: not when
/// both are plain variables and the one is consistently renamed to the other.
pub(super) fn scope_moved(base: &Source, old: &Construct, head: &Source, new: &Construct) -> bool {
    if old.scope.is_empty() || new.scope.is_empty() || old.scope == new.scope {
        return false;
    }
    let is_self = |s: &str| matches!(s, "this" | "self");
    let uses = |src: &Source, name: &str| {
        let code = &src.code;
        code.windows(name.len()).enumerate().any(|(i, w)| {
            w == name.as_bytes()
                && (i == 0 || !is_ident(code[i - 1]))
                && code.get(i + name.len()).is_none_or(|b| !is_ident(*b))
        })
    };
    let renamed_variable = plain(&old.scope)
        && plain(&new.scope)
        && !is_self(&old.scope)
        && !is_self(&new.scope)
        && !uses(head, &old.scope)
        && !uses(base, &new.scope);
    !renamed_variable
}

/// Where a Pulumi resource's options are: the argument after its properties (TypeScript,
/// C#, Java), `opts=` (Python), every argument after the properties (Go's variadic options).
fn option_ranges(src: &Source, c: &Construct) -> Vec<Range<usize>> {
    let args = c.call_args(src);
    if src.lang == Lang::Python {
        return args
            .into_iter()
            .filter(|a| a.keyword.as_deref() == Some("opts"))
            .map(|a| a.value)
            .collect();
    }
    let first = if c.scoped { 3 } else { 2 };
    args.into_iter()
        .filter(|a| a.keyword.is_none())
        .skip(first)
        .map(|a| a.value)
        .collect()
}

/// The `parent` a Pulumi resource's options name, squeezed; `None` when it has none (or
/// names the root stack resource).
pub(super) fn parent(src: &Source, c: &Construct) -> Option<String> {
    let code = &src.code;
    for range in option_ranges(src, c) {
        let mut i = range.start;
        while i < range.end {
            let starts = is_ident(code[i]) && (i == 0 || !is_ident(code[i - 1]));
            if !starts {
                i += 1;
                continue;
            }
            let end = (i..range.end)
                .find(|&j| !is_ident(code[j]))
                .unwrap_or(range.end);
            let word = &code[i..end];
            i = end;
            if !word.eq_ignore_ascii_case(b"parent") {
                continue;
            }
            // `parent: p`, `parent=p`, `Parent = p`, Go's `pulumi.Parent(p)`; this reader
            // has always taken a `::` after the word as a join too.
            if let Some((":" | "::" | "=" | "(", from)) = key_join(code, end) {
                let value = value_at(code, from);
                let value = squeezed(&src.text[value.start..value.end.min(range.end)]);
                // The stack itself is where a resource without a parent lives.
                let root = value.to_ascii_lowercase().replace('_', "");
                return (!root.ends_with("rootstackresource")).then_some(value);
            }
        }
    }
    None
}
