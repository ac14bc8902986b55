//! overrides: logical IDs a CDK app pins with `overrideLogicalId('<id>')`. A migration (CDK
//! v1 to v2, a construct moved into a new stack class) keeps such a call so the resource
//! keeps the logical ID CloudFormation knows it by; a call dropped on the way sends the
//! resource back to the ID CDK derives from its construct path, and CloudFormation creates a
//! new, empty resource and removes the pinned one. Read from the code with comments blanked;
//! only literal IDs are compared (a computed one cannot be told apart).

use super::CONSTRUCT_ID_CHANGED;
use crate::analyze::FileView;
use crate::change::Side;
use crate::finding::Finding;

/// The literal IDs `code` pins, each with its 1-based line.
fn pinned(code: &str) -> Vec<(String, u32)> {
    let mut out = Vec::new();
    for (at, _) in code.match_indices("overrideLogicalId(") {
        let rest = code[at + "overrideLogicalId(".len()..].trim_start();
        let Some(quote) = rest
            .chars()
            .next()
            .filter(|c| matches!(c, '\'' | '"' | '`'))
        else {
            continue;
        };
        let Some(id) = rest[1..].split(quote).next() else {
            continue;
        };
        if id.contains("${") || id.is_empty() {
            continue;
        }
        let line = code[..at].matches('\n').count() + 1;
        out.push((id.to_owned(), u32::try_from(line).unwrap_or(u32::MAX)));
    }
    out
}

/// A finding for each logical ID the base pinned and the head no longer does.
pub(super) fn dropped(view: &FileView, base: &str, head: &str, out: &mut Vec<Finding>) {
    let mut kept: Vec<String> = pinned(head).into_iter().map(|(id, _)| id).collect();
    for (id, line) in pinned(base) {
        if let Some(i) = kept.iter().position(|k| *k == id) {
            kept.swap_remove(i);
            continue;
        }
        out.push(
            Finding::new(
                &CONSTRUCT_ID_CHANGED,
                view.at(Side::Base, line, line),
                format!(
                    "The logical ID `{id}` was pinned with `overrideLogicalId('{id}')`, and the head no longer pins it: the resource goes back to the ID CDK derives from its construct path, so CloudFormation creates a new, empty resource and removes `{id}` (deleted, or orphaned if retained)."
                ),
            )
            .with_subject(id),
        );
    }
}

#[cfg(test)]
mod tests {
    use super::pinned;

    #[test]
    fn literal_pins_are_read_and_computed_ones_are_not() {
        let code = "x.overrideLogicalId('OrdersTable');\ny.overrideLogicalId( \"Bucket\" );\nz.overrideLogicalId(`T${n}`);\nw.overrideLogicalId(name);\n";
        let ids: Vec<(String, u32)> = pinned(code);
        assert_eq!(
            ids,
            [("OrdersTable".to_owned(), 1), ("Bucket".to_owned(), 2)]
        );
    }
}
