//! kubernetes analyzer (being written).

use super::FileView;
use crate::finding::Finding;
use crate::rules::Rule;

pub const RULES: &[&Rule] = &[];

pub fn analyze(_view: &FileView) -> Vec<Finding> {
    Vec::new()
}
