//! component_type: the type token a Pulumi component registers itself under
//! (`super("acme:storage:Storage", name, …)`, `super().__init__("…", name, …)`, C#'s
//! `: base("…", name)`, Go's `ctx.RegisterComponentResource("…", name, …)`). The URN of each
//! instance holds that token, and so does the URN of every child parented under it: a new
//! token deletes and recreates them all, unless `aliases` names the old type (which keeps
//! the old token written in the code). Pure.

use crate::analyze::orm::scan::Source;

/// A type token passed to a component's registration call.
pub(super) struct Registered {
    pub token: String,
    pub line: u32,
}

/// The calls a component registers itself with.
const REGISTRATIONS: &[&str] = &["super", "__init__", "base", "RegisterComponentResource"];

/// `package:module:Type`: three non-empty parts of name characters.
fn is_token(text: &str) -> bool {
    let parts: Vec<&str> = text.split(':').collect();
    parts.len() == 3
        && parts.iter().all(|p| {
            !p.is_empty()
                && p.bytes()
                    .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'-' | b'.' | b'/'))
        })
}

/// The type tokens a side's components register, in source order.
pub(super) fn registered(src: &Source) -> Vec<Registered> {
    let code = &src.code;
    src.literals_in(0..code.len())
        .filter_map(|lit| {
            let token = src.text.get(lit.content.clone())?;
            if lit.interpolated || !is_token(token) {
                return None;
            }
            // The literal must be the first argument: `name(` right before it.
            let before = std::str::from_utf8(&code[..lit.anchor]).ok()?.trim_end();
            let callee = before.strip_suffix('(')?.trim_end();
            REGISTRATIONS
                .iter()
                .any(|r| {
                    callee.ends_with(r)
                        && !callee[..callee.len() - r.len()]
                            .ends_with(|c: char| c.is_ascii_alphanumeric() || c == '_')
                })
                .then(|| Registered {
                    token: token.to_owned(),
                    line: src.line_of(lit.anchor),
                })
        })
        .collect()
}

/// The component types that change token between the sides, paired in order: the old token
/// gone from the head (not kept as an alias) and a new one registered.
pub(super) fn changed(base: &Source, head: &Source) -> Vec<(String, String, u32)> {
    let was = registered(base);
    let now = registered(head);
    let written = head.literal_values(0..head.code.len());
    let gone = was.iter().filter(|w| !written.contains(&w.token));
    let came = now
        .iter()
        .filter(|n| !was.iter().any(|w| w.token == n.token));
    gone.zip(came)
        .map(|(w, n)| (w.token.clone(), n.token.clone(), n.line))
        .collect()
}
