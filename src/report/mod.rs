//! report: renders an [`Outcome`](crate::engine::Outcome) for people and machines. Renderers
//! only format; they decide nothing.

pub mod json;
pub mod markdown;
pub mod sarif;
pub mod text;

use crate::change::Side;
use crate::finding::Finding;

/// `path:line` (or `path`) with `(base)` for a line that exists only in the base revision.
pub fn where_(f: &Finding) -> String {
    let base = if f.location.side == Side::Base {
        " (base)"
    } else {
        ""
    };
    match (f.location.line, f.location.end_line) {
        (Some(l), Some(e)) if e > l => format!("{}:{l}-{e}{base}", f.location.path),
        (Some(l), _) => format!("{}:{l}{base}", f.location.path),
        (None, _) => format!("{}{base}", f.location.path),
    }
}
