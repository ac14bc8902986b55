//! detect: signals → Authorship (being written).

use super::{AgentCatalogue, Authorship};
use crate::change::Change;

pub fn detect(_change: &Change, _catalogue: &AgentCatalogue) -> Authorship {
    Authorship::default()
}
