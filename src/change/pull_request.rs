//! pull_request: the facts twokey uses from a pull request as `GET /repos/{o}/{r}/pulls/{n}`
//! returns it (number, author, assignees, labels, title, body), read into
//! [`PullRequestFacts`]. Reads JSON only; what the facts mean is for authorship and policy.

use super::{Account, AccountType, Login, PullRequestFacts};
use serde::Deserialize;

/// The fields read; GitHub sends many more, which are ignored.
#[derive(Deserialize)]
struct ApiPullRequest {
    #[serde(default)]
    number: Option<u64>,
    /// `null` when the author deleted their account; absent is an error, hence the
    /// deserializer (serde would read a missing `Option` as `None`).
    #[serde(deserialize_with = "present")]
    user: Option<Account>,
    #[serde(default)]
    assignees: Option<Vec<Account>>,
    #[serde(default)]
    labels: Option<Vec<ApiLabel>>,
    #[serde(default)]
    title: Option<String>,
    #[serde(default)]
    body: Option<String>,
}

fn present<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<Account>, D::Error> {
    Option::<Account>::deserialize(d)
}

#[derive(Deserialize)]
struct ApiLabel {
    name: String,
}

impl PullRequestFacts {
    /// Reads the API's pull request object. `user` must be present: a pull request whose
    /// author is not said is not one the API returned, and without its author nobody could
    /// tell whether the author approved their own change. A deleted author reads as `ghost`.
    pub fn from_api(value: serde_json::Value) -> Result<PullRequestFacts, String> {
        let pr: ApiPullRequest = serde_json::from_value(value).map_err(|e| {
            format!("{e}; expected the pull request as GET /repos/{{owner}}/{{repo}}/pulls/{{n}} returns it, with its `user`")
        })?;
        Ok(PullRequestFacts {
            number: pr.number,
            author: Some(pr.user.unwrap_or_else(|| Account {
                login: Login::new("ghost"),
                account_type: AccountType::User,
                id: None,
            })),
            assignees: pr.assignees.unwrap_or_default(),
            labels: pr
                .labels
                .unwrap_or_default()
                .into_iter()
                .map(|l| l.name)
                .collect(),
            title: pr.title.unwrap_or_default(),
            body: pr.body.unwrap_or_default(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_the_author_and_the_text_of_an_api_pull_request() {
        let pr = PullRequestFacts::from_api(serde_json::json!({
            "url": "https://api.github.com/repos/acme/infra/pulls/42", "id": 1, "number": 42,
            "state": "open", "title": "Drop the database",
            "user": {"login": "alice", "id": 1001, "type": "User", "site_admin": false},
            "body": null, "labels": [{"id": 1, "name": "infra"}],
            "assignees": [{"login": "Copilot", "id": 198982749, "type": "Bot"}],
            "head": {"ref": "copilot/fix-12", "sha": "abc"}
        }))
        .unwrap();
        assert_eq!(pr.number, Some(42));
        assert_eq!(pr.author.unwrap().id, Some(1001));
        assert_eq!(pr.assignees[0].account_type, AccountType::Bot);
        assert_eq!(pr.labels, vec!["infra"]);
        assert_eq!(pr.body, "");
    }

    #[test]
    fn a_pull_request_without_its_author_is_an_error_and_a_deleted_author_is_ghost() {
        let e = PullRequestFacts::from_api(serde_json::json!({"number": 42})).unwrap_err();
        assert!(e.starts_with("missing field `user`"), "{e}");
        let pr = PullRequestFacts::from_api(serde_json::json!({"user": null})).unwrap();
        assert_eq!(pr.author.unwrap().login.as_str(), "ghost");
    }
}
