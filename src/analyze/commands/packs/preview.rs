//! preview: recognises the deletion of a per-pull-request preview (an app, a database branch)
//! by the pull request's number in its name, and lowers it to medium.
//!
//! A workflow that runs when a pull request closes and deletes `shop-pr-${{ github.event.number }}`
//! tidies up what the same pull request created: the name cannot be production's. It is still
//! reported (a reviewer should see what a pipeline deletes, and a wrong name pattern deletes
//! the wrong thing), but it should not demand what deleting a named production app demands.
//! Only a name built from a pull-request number counts: a literal `shop-preview` may be a
//! long-lived environment, and a branch name (`github.head_ref`) may be `main`.

use super::{Call, Hit};
use crate::finding::Severity;

/// GitHub expressions that give the pull request's number.
const PR_EXPRESSIONS: &[&str] = &[
    "github.event.number",
    "github.event.pull_request.number",
    "github.event.issue.number",
];

/// Variables CI systems (and workflows, by convention) set to the pull or merge request's
/// number: GitHub (by convention), GitLab, Jenkins, CircleCI, Bitbucket, Azure Pipelines,
/// Vercel, Heroku review apps.
const PR_VARIABLES: &[&str] = &[
    "PR_NUMBER",
    "PR",
    "PR_ID",
    "PULL_NUMBER",
    "PULL_REQUEST_NUMBER",
    "GITHUB_PR_NUMBER",
    "CI_MERGE_REQUEST_IID",
    "CHANGE_ID",
    "CIRCLE_PR_NUMBER",
    "BITBUCKET_PR_ID",
    "SYSTEM_PULLREQUEST_PULLREQUESTNUMBER",
    "VERCEL_GIT_PULL_REQUEST_ID",
    "HEROKU_PR_NUMBER",
];

/// Whether one of the command's arguments is named from a pull request's number.
pub(super) fn per_pull_request(call: &Call) -> bool {
    call.args.iter().any(|word| {
        word.expansions
            .iter()
            .any(|e| PR_VARIABLES.contains(&e.name.as_str()))
            || PR_EXPRESSIONS.iter().any(|x| word.text.contains(x))
    })
}

/// Lowers deletions of a per-pull-request preview to medium, saying why.
pub(super) fn soften(call: &Call, hits: &mut [Hit]) {
    if hits.is_empty() || !per_pull_request(call) {
        return;
    }
    for hit in hits {
        if hit.severity > Severity::Medium {
            hit.severity = Severity::Medium;
            if let Some(body) = hit.message.strip_suffix('.') {
                hit.message = format!(
                    "{body}; the name carries the pull request's number, so this looks like a per-PR preview being cleaned up (medium: check the name cannot match a shared environment)."
                );
            }
        }
    }
}
