//! reviews: the reviews a pull request has, in GitHub's own shape, and the team memberships
//! that make a reviewer an owner. The App and the Action fetch them from the API; the CLI can
//! simulate them with `--reviews FILE` (the JSON of `GET /repos/{o}/{r}/pulls/{n}/reviews`).

use crate::change::{Account, AccountType, Login, Revision};
use serde::Deserialize;
use std::collections::BTreeMap;

/// A review's state, as GitHub reports it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum ReviewState {
    Approved,
    ChangesRequested,
    Commented,
    Dismissed,
    Pending,
}

/// One submitted review.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct Review {
    #[serde(rename = "user")]
    pub reviewer: Account,
    pub state: ReviewState,
    /// The commit the review was given on.
    #[serde(default)]
    pub commit_id: Option<Revision>,
    #[serde(default)]
    pub submitted_at: Option<String>,
}

impl Review {
    pub fn new(login: &str, account_type: AccountType, state: ReviewState, commit: &str) -> Review {
        Review {
            reviewer: Account {
                login: Login::new(login),
                account_type,
            },
            state,
            commit_id: Some(Revision::new(commit)),
            submitted_at: None,
        }
    }
}

/// The reviews of one pull request, in submission order, and the members of owner teams.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Reviews {
    pub reviews: Vec<Review>,
    /// `@org/team` → member logins.
    pub teams: BTreeMap<String, Vec<Login>>,
}

#[derive(Deserialize)]
#[serde(untagged)]
enum ReviewsFile {
    /// Exactly what the REST API returns.
    Api(Vec<Review>),
    /// The API's list plus team memberships.
    WithTeams {
        reviews: Vec<Review>,
        #[serde(default)]
        teams: BTreeMap<String, Vec<Login>>,
    },
}

impl Reviews {
    /// Parses a reviews file: GitHub's review list, or `{"reviews": [...], "teams": {...}}`.
    pub fn from_json(text: &str) -> Result<Reviews, String> {
        // Parse once strictly to get serde_json's line/column for a malformed file.
        let value: serde_json::Value =
            serde_json::from_str(text).map_err(|e| format!("not valid JSON: {e}"))?;
        const SHAPE: &str = "expected GitHub's review list ([{\"user\": {\"login\": …, \"type\": \"User\"}, \"state\": \"APPROVED\", \"commit_id\": …}]) or {\"reviews\": [...], \"teams\": {\"@org/team\": [logins]}}";
        // Name the review that does not fit and why (an unknown state, a missing login),
        // rather than only the shape the file as a whole should have.
        let reviews = match &value {
            serde_json::Value::Array(items) => Some(items),
            serde_json::Value::Object(map) => map.get("reviews").and_then(|r| r.as_array()),
            _ => None,
        };
        for (i, item) in reviews.into_iter().flatten().enumerate() {
            if let Err(e) = serde_json::from_value::<Review>(item.clone()) {
                return Err(format!("review {} of the list: {e}; {SHAPE}", i + 1));
            }
        }
        let file: ReviewsFile =
            serde_json::from_value(value).map_err(|e| format!("{e}; {SHAPE}"))?;
        Ok(match file {
            ReviewsFile::Api(reviews) => Reviews {
                reviews,
                teams: BTreeMap::new(),
            },
            ReviewsFile::WithTeams { reviews, teams } => Reviews { reviews, teams },
        })
    }

    /// Each reviewer's standing review: the latest one that approves, requests changes or is
    /// dismissed. Comments do not override an earlier approval, as on GitHub.
    pub fn standing(&self) -> Vec<&Review> {
        let mut latest: Vec<&Review> = Vec::new();
        for review in &self.reviews {
            if matches!(review.state, ReviewState::Commented | ReviewState::Pending) {
                continue;
            }
            match latest
                .iter_mut()
                .find(|r| r.reviewer.login.same_as(&review.reviewer.login))
            {
                Some(slot) => *slot = review,
                None => latest.push(review),
            }
        }
        latest
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    const API_SHAPE: &str = r#"[
      {"id": 1, "user": {"login": "carol", "id": 7, "type": "User"}, "body": "", "state": "APPROVED", "commit_id": "abc", "submitted_at": "2026-11-01T10:00:00Z", "author_association": "MEMBER"},
      {"id": 2, "user": {"login": "copilot-pull-request-reviewer[bot]", "type": "Bot"}, "state": "COMMENTED", "commit_id": "abc"},
      {"id": 3, "user": {"login": "Carol", "type": "User"}, "state": "COMMENTED", "commit_id": "def"},
      {"id": 4, "user": {"login": "dan", "type": "User"}, "state": "APPROVED", "commit_id": "abc"},
      {"id": 5, "user": {"login": "dan", "type": "User"}, "state": "CHANGES_REQUESTED", "commit_id": "def"}
    ]"#;

    #[test]
    fn reads_the_rest_api_shape_and_keeps_standing_reviews() {
        let r = Reviews::from_json(API_SHAPE).unwrap();
        assert_eq!(r.reviews.len(), 5);
        let standing = r.standing();
        assert_eq!(standing.len(), 2);
        assert_eq!(
            standing[0].state,
            ReviewState::Approved,
            "a later comment keeps carol's approval"
        );
        assert_eq!(
            standing[1].state,
            ReviewState::ChangesRequested,
            "dan's later review wins"
        );
        assert_eq!(r.reviews[1].reviewer.account_type, AccountType::Bot);
    }

    #[test]
    fn reads_teams_beside_reviews() {
        let r = Reviews::from_json(r#"{"reviews": [], "teams": {"@acme/platform": ["carol"]}}"#)
            .unwrap();
        assert_eq!(r.teams["@acme/platform"], vec![Login::new("carol")]);
    }

    #[test]
    fn malformed_files_are_explained() {
        assert!(Reviews::from_json("{")
            .unwrap_err()
            .contains("not valid JSON"));
        assert!(Reviews::from_json(r#"[{"state": "APPROVED"}]"#)
            .unwrap_err()
            .contains("expected GitHub's review list"));
        let e = Reviews::from_json(
            r#"[{"user": {"login": "a"}, "state": "APPROVED"}, {"user": {"login": "b"}, "state": "APPROVE"}]"#,
        )
        .unwrap_err();
        assert!(
            e.starts_with("review 2 of the list: unknown variant `APPROVE`"),
            "{e}"
        );
        assert!(e.contains("APPROVED"), "{e}");
    }

    proptest! {
        #[test]
        fn arbitrary_input_never_panics(s in "\\PC{0,200}") {
            let _ = Reviews::from_json(&s);
        }
    }
}
