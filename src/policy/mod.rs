//! policy: decides what a change needs before merge. Reads the config (config.rs), models the
//! reviews it is given (reviews.rs) and takes the verdict (evaluate.rs): a pure function that
//! never does I/O, so every decision is testable without a network.

pub mod config;
pub mod evaluate;
pub mod reviews;

pub use config::{Config, ConfigError, ConfigSource};
pub use evaluate::{evaluate, Decision, Excluded, Requirement, Verdict};
pub use reviews::{Review, ReviewState, Reviews};
