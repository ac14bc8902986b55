//! data: the models of an Amplify Gen 2 data schema (`a.schema({ Todo: a.model({…}), … })`),
//! each a DynamoDB table named after it. Custom types, enums and queries are not tables.

use super::super::object;
use super::UNPARSEABLE;
use crate::analyze::iac_program::{CONSTRUCT_ID_CHANGED, CONSTRUCT_REMOVED, REPLACEMENT_PROPERTY};
use crate::analyze::orm::scan::{self, Source};
use crate::analyze::FileView;
use crate::change::Side;
use crate::finding::{Finding, Severity};

struct Model {
    name: String,
    /// The fields of `.identifier([…])`; empty for the default `id`.
    identifier: Vec<String>,
    line: u32,
}

/// The models of a side's schemas (every `a.schema({…})`, as `a.combine` takes several);
/// `None` when it defines data without a schema literal, or one is not an object literal.
fn models(src: &Source) -> Option<Vec<Model>> {
    let schemas = object::calls(src, "a.schema");
    if schemas.is_empty() && !object::calls(src, "defineData").is_empty() {
        return None;
    }
    let mut entries = Vec::new();
    for open in schemas {
        entries.extend(object::first_arg_object(src, open)?);
    }
    Some(
        entries
            .iter()
            .filter_map(|e| {
                let written: String = object::code(src, e.value.clone())
                    .split_whitespace()
                    .collect();
                if !written.starts_with("a.model(") {
                    return None;
                }
                let code = std::str::from_utf8(&src.code[e.value.clone()]).unwrap_or("");
                let identifier = code
                    .find(".identifier(")
                    .and_then(|at| {
                        let open = e.value.start + at + ".identifier".len();
                        let close = scan::matching(&src.code, open)?;
                        Some(src.literal_values(open..close))
                    })
                    .unwrap_or_default();
                Some(Model {
                    name: e.key.clone(),
                    identifier,
                    line: e.line,
                })
            })
            .collect(),
    )
}

const RETAIN_HINT: &str = "unless backend.ts retains it (`amplifyDynamoDbTables[…].applyRemovalPolicy(RemovalPolicy.RETAIN)`)";

pub(super) fn changes(view: &FileView, base: &Source, head: &Source) -> Vec<Finding> {
    let (was, now) = match (models(base), models(head)) {
        (Some(w), Some(n)) => (w, n),
        (w, _) => {
            let side = if w.is_none() { Side::Base } else { Side::Head };
            return vec![Finding::new(
                &UNPARSEABLE,
                view.at(side, 1, 1),
                "This Amplify data resource calls `defineData` without an `a.schema({…})` literal twokey can read, so which models (DynamoDB tables) the change removes or renames is unknown. Review the tables the branch deployment would delete before merging.",
            )];
        }
    };
    let mut added = now.iter().filter(|n| !was.iter().any(|w| w.name == n.name));
    let mut out = Vec::new();
    for old in &was {
        match now.iter().find(|n| n.name == old.name) {
            Some(new) if new.identifier != old.identifier => {
                let shown = |m: &Model| {
                    if m.identifier.is_empty() {
                        "`id` (the default)".to_owned()
                    } else {
                        format!("`{}`", m.identifier.join(", "))
                    }
                };
                out.push(
                    Finding::new(
                        &REPLACEMENT_PROPERTY,
                        view.at(Side::Head, new.line, new.line),
                        format!("Model `{}`'s identifier changes from {} to {}: a DynamoDB table's key schema cannot change, so the next deploy replaces its table, creating a new, empty one and deleting the old one with its records {RETAIN_HINT}. Safer: keep the identifier; add a secondary index for the new access pattern, or migrate the records into a new model.", old.name, shown(old), shown(new)),
                    )
                    .with_severity(Severity::Critical),
                );
            }
            Some(_) => {}
            None => {
                let finding = match added.next() {
                    Some(new) => Finding::new(
                        &CONSTRUCT_ID_CHANGED,
                        view.at(Side::Head, new.line, new.line),
                        format!("Model `{}` is renamed to `{}`: its table is named after the model, so the next deploy creates a new, empty `{}` table and deletes `{}`'s table with every record {RETAIN_HINT}. Safer: keep the model's name; to rename, add the new model beside the old one, copy the records, and remove the old one in its own reviewed change.", old.name, new.name, new.name, old.name),
                    ),
                    None => Finding::new(
                        &CONSTRUCT_REMOVED,
                        view.at(Side::Base, old.line, old.line),
                        format!("Model `{}` is removed from the data schema, so the next deploy deletes its DynamoDB table with every record {RETAIN_HINT}. Safer: keep the model (hide it from clients with `.disableOperations([...])` if unused), or retain or back up its table and deploy before removing it.", old.name),
                    ),
                };
                out.push(finding.with_severity(Severity::Critical));
            }
        }
    }
    out
}
