//! report: renders an [`Outcome`](crate::engine::Outcome) for people and machines. Renderers
//! only format; they decide nothing.

pub mod json;
pub mod markdown;
pub mod sarif;
pub mod text;

use crate::change::Side;
use crate::finding::Finding;

/// "1 file changed", "3 files changed".
pub fn files_changed(n: usize) -> String {
    if n == 1 {
        "1 file changed".to_owned()
    } else {
        format!("{n} files changed")
    }
}

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

#[cfg(test)]
mod tests {
    #[test]
    fn file_counts_read_as_english() {
        assert_eq!(super::files_changed(1), "1 file changed");
        assert_eq!(super::files_changed(0), "0 files changed");
        assert_eq!(super::files_changed(12), "12 files changed");
    }
}
