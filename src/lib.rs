//! twokey: a change-review gate for pull requests written by AI coding agents and pull
//! requests that touch infrastructure.
//!
//! The flow runs one way: a source produces a [`change::Change`]; [`analyze`] turns each file
//! into [`finding::Finding`]s; [`authorship`] says who wrote it; [`policy::evaluate`] takes the
//! verdict; [`report`] renders it. Front-ends (the CLI, later the Action and the App) only wire
//! a source to the engine and the engine to an output.

pub mod analyze;
pub mod authorship;
pub mod change;
#[cfg(test)]
pub(crate) mod corpus;
pub mod engine;
pub mod finding;
pub(crate) mod lines;
pub mod policy;
pub mod report;
pub mod rules;
pub mod source;
pub mod suppress;
pub mod work;
pub mod yaml;
