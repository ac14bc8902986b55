//! enabled: OpenTofu 1.11's `enabled` meta-argument (`lifecycle { enabled = false }` on a
//! resource or module call). A block whose `enabled` turns false has no instance any more, so
//! its object (or every resource of the module) is destroyed, as with `count = 0`; it is
//! `terraform/create-switch-off`. Here only a literal `false` is judged: an expression
//! (`enabled = var.create_db`) depends on a value this file does not show, and is followed
//! by [`super::switches`] when that value changes, as `count` is.

use super::model::{Item, ItemKind};
use super::{data_note, item_severity, CREATE_SWITCH_OFF};
use crate::analyze::FileView;
use crate::change::Side;
use crate::finding::Finding;

const ENABLED: &str = "lifecycle.enabled";

/// Whether the block is switched off by a literal `enabled = false`.
pub(super) fn is_disabled(item: &Item) -> bool {
    item.get(ENABLED).and_then(|s| s.value.as_bool()) == Some(false)
}

/// `enabled` turned to `false` on a resource or module call that was on (or unknown).
pub(super) fn switched_off(view: &FileView, old: &Item, new: &Item, out: &mut Vec<Finding>) {
    if !matches!(new.kind, ItemKind::Resource | ItemKind::Module)
        || !is_disabled(new)
        || is_disabled(old)
    {
        return;
    }
    let line = new.get(ENABLED).map_or(new.line, |s| s.line);
    let (what, data) = match new.kind {
        ItemKind::Module => ("every resource inside it", ""),
        _ => ("its object", data_note(new)),
    };
    out.push(
        Finding::new(
            &CREATE_SWITCH_OFF,
            view.at(Side::Head, line, line),
            format!(
                "`lifecycle {{ enabled = false }}` switches off `{}`, so the next `tofu apply` destroys {what}{data}.",
                new.address
            ),
        )
        .with_severity(item_severity(new))
        .with_subject(&new.address)
        .with_safer(format!(
            "To stop managing it without destroying it, replace the block with \
             `removed {{ from = {}  lifecycle {{ destroy = false }} }}`; otherwise confirm the destroy \
             with the plan, in its own reviewed change.",
            new.address
        )),
    );
}
