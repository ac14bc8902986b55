//! reviews: the reviews a pull request has, in GitHub's own shape, and the team memberships
//! that make a reviewer an owner. The App and the Action fetch them from the API; the CLI can
//! simulate them with `--reviews FILE` (the JSON of `GET /repos/{o}/{r}/pulls/{n}/reviews`).

use crate::change::{Account, AccountType, Login, Revision};
use serde::Deserialize;
use std::collections::{BTreeMap, HashMap};

/// A review's state, as GitHub reports it. The REST API spells states in capitals; webhook
/// payloads (`pull_request_review.review.state`) in lower case, with the same meaning.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum ReviewState {
    #[serde(alias = "approved")]
    Approved,
    #[serde(alias = "changes_requested")]
    ChangesRequested,
    #[serde(alias = "commented")]
    Commented,
    #[serde(alias = "dismissed")]
    Dismissed,
    #[serde(alias = "pending")]
    Pending,
}

/// The login GitHub shows for an account that was deleted. The REST API gives such a review
/// `"user": null`; both are read as this login, whose approval can never count.
pub const DELETED_ACCOUNT: &str = "ghost";

/// Whether the login is GitHub's placeholder for a deleted account.
pub fn is_deleted_account(login: &Login) -> bool {
    login.same_as(&Login::new(DELETED_ACCOUNT))
}

/// One submitted review.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct Review {
    #[serde(rename = "user", deserialize_with = "account_or_deleted")]
    pub reviewer: Account,
    pub state: ReviewState,
    /// The commit the review was given on.
    #[serde(default)]
    pub commit_id: Option<Revision>,
    #[serde(default)]
    pub submitted_at: Option<String>,
}

/// `"user": null` is how the API shows a review whose author deleted their account.
fn account_or_deleted<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Account, D::Error> {
    Ok(
        Option::<Account>::deserialize(d)?.unwrap_or_else(|| Account {
            login: Login::new(DELETED_ACCOUNT),
            account_type: AccountType::User,
            id: None,
        }),
    )
}

impl Review {
    pub fn new(login: &str, account_type: AccountType, state: ReviewState, commit: &str) -> Review {
        Review {
            reviewer: Account {
                login: Login::new(login),
                account_type,
                id: None,
            },
            state,
            commit_id: Some(Revision::new(commit)),
            submitted_at: None,
        }
    }

    /// Whether both reviews carry a readable `submitted_at` and this one was submitted first.
    /// Without both times the order of the list decides, as the API returns it oldest first.
    fn submitted_before(&self, other: &Review) -> bool {
        let at = |r: &Review| r.submitted_at.as_deref().and_then(instant);
        matches!((at(self), at(other)), (Some(a), Some(b)) if a < b)
    }
}

/// The reviews of one pull request, in submission order, and the members of owner teams.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Reviews {
    pub reviews: Vec<Review>,
    /// `@org/team` → member logins.
    pub teams: BTreeMap<String, Vec<Login>>,
}

const SHAPE: &str = "expected GitHub's review list ([{\"user\": {\"login\": …, \"type\": \"User\"}, \"state\": \"APPROVED\", \"commit_id\": …}]) or {\"reviews\": [...], \"teams\": {\"@org/team\": [logins]}}";

impl Reviews {
    /// Parses a reviews file: GitHub's review list, or `{"reviews": [...], "teams": {...}}`.
    /// Anything else is an error that says what the file holds instead: a file that cannot
    /// be read as reviews must never be taken for "no reviews".
    pub fn from_json(text: &str) -> Result<Reviews, String> {
        let value: serde_json::Value =
            serde_json::from_str(text).map_err(|e| format!("not valid JSON: {e}"))?;
        let (items, teams) = match value {
            serde_json::Value::Array(items) => (items, None),
            serde_json::Value::Object(mut map) => {
                if !map.contains_key("reviews") {
                    // What the API answers instead of a list: {"message": "Not Found", …}.
                    if let Some(serde_json::Value::String(m)) = map.get("message") {
                        return Err(format!(
                            "this is a GitHub API error response (\"{m}\"), not a review list; check the repository, the pull request number and the token's access, then fetch the reviews again"
                        ));
                    }
                    return Err(format!("an object without a `reviews` list; {SHAPE}"));
                }
                // A misspelt `teams` would otherwise be dropped, and every owner with it.
                if let Some(key) = map
                    .keys()
                    .find(|k| !matches!(k.as_str(), "reviews" | "teams"))
                {
                    return Err(format!(
                        "unknown key `{key}` beside `reviews`; the keys are `reviews` and `teams`"
                    ));
                }
                let items = match map.remove("reviews") {
                    Some(serde_json::Value::Array(items)) => items,
                    Some(other) => {
                        return Err(format!(
                            "`reviews` is {}, not a list; {SHAPE}",
                            json_kind(&other)
                        ))
                    }
                    None => unreachable!("checked above"),
                };
                (items, map.remove("teams"))
            }
            other => {
                return Err(format!(
                    "the file holds {}, not a review list; {SHAPE}",
                    json_kind(&other)
                ))
            }
        };
        // Name the review that does not fit and why (an unknown state, a missing login),
        // rather than only the shape the file as a whole should have.
        let reviews = items
            .into_iter()
            .enumerate()
            .map(|(i, item)| {
                serde_json::from_value::<Review>(item)
                    .map_err(|e| format!("review {} of the list: {e}; {SHAPE}", i + 1))
            })
            .collect::<Result<Vec<_>, _>>()?;
        let teams = match teams {
            None | Some(serde_json::Value::Null) => BTreeMap::new(),
            Some(t) => serde_json::from_value(t)
                .map_err(|e| format!("teams: {e}; expected {{\"@org/team\": [\"login\", ...]}}"))?,
        };
        Ok(Reviews { reviews, teams })
    }

    /// Each reviewer's standing review: the latest one that approves, requests changes or is
    /// dismissed. Comments do not override an earlier approval, as on GitHub. "Latest" is by
    /// `submitted_at` where both reviews carry one (a file assembled from several pages need
    /// not be in order), else by position in the list. Reviews by deleted accounts are kept
    /// apart: `ghost` stands for many people.
    pub fn standing(&self) -> Vec<&Review> {
        let mut order: Vec<&Review> = Vec::new();
        // Lower-cased login → index in `order`: linear in the length of the list.
        let mut slots: HashMap<String, usize> = HashMap::new();
        for review in &self.reviews {
            if matches!(review.state, ReviewState::Commented | ReviewState::Pending) {
                continue;
            }
            let login = &review.reviewer.login;
            if is_deleted_account(login) {
                order.push(review);
                continue;
            }
            match slots.get(&login.as_str().to_ascii_lowercase()) {
                Some(&i) => {
                    if !review.submitted_before(order[i]) {
                        order[i] = review;
                    }
                }
                None => {
                    slots.insert(login.as_str().to_ascii_lowercase(), order.len());
                    order.push(review);
                }
            }
        }
        order
    }
}

fn json_kind(value: &serde_json::Value) -> &'static str {
    match value {
        serde_json::Value::Null => "null",
        serde_json::Value::Bool(_) => "a boolean",
        serde_json::Value::Number(_) => "a number",
        serde_json::Value::String(_) => "a string",
        serde_json::Value::Array(_) => "a list",
        serde_json::Value::Object(_) => "an object",
    }
}

/// An RFC 3339 time as GitHub writes it (`2026-11-01T10:00:00Z`, optionally with a fraction
/// or an offset) as (seconds since 1970-01-01 UTC, nanoseconds), for ordering only. `None` for
/// anything else, so that an odd time falls back to the order of the list.
fn instant(s: &str) -> Option<(i64, u32)> {
    let s = s.trim();
    let num = |r: std::ops::Range<usize>| -> Option<i64> {
        let part = s.get(r)?;
        part.bytes()
            .all(|b| b.is_ascii_digit())
            .then(|| part.parse().ok())?
    };
    let b = s.as_bytes();
    if b.len() < 20 || b[4] != b'-' || b[7] != b'-' || !matches!(b[10], b'T' | b't' | b' ') {
        return None;
    }
    if b[13] != b':' || b[16] != b':' {
        return None;
    }
    let (year, month, day) = (num(0..4)?, num(5..7)?, num(8..10)?);
    let (hour, minute, second) = (num(11..13)?, num(14..16)?, num(17..19)?);
    if !(1..=12).contains(&month) || !(1..=31).contains(&day) || hour > 23 || minute > 59 {
        return None;
    }
    let mut rest = &s[19..];
    let mut nanos = 0u32;
    if let Some(frac) = rest.strip_prefix('.') {
        let digits = frac.bytes().take_while(u8::is_ascii_digit).count();
        if digits == 0 {
            return None;
        }
        let padded = format!("{:0<9}", &frac[..digits.min(9)]);
        nanos = padded.parse().ok()?;
        rest = &frac[digits..];
    }
    let offset = match rest {
        "Z" | "z" => 0,
        _ => {
            let sign = match rest.as_bytes().first()? {
                b'+' => 1,
                b'-' => -1,
                _ => return None,
            };
            let (h, m) = rest[1..].split_once(':')?;
            if h.len() != 2 || m.len() != 2 {
                return None;
            }
            sign * (h.parse::<i64>().ok()? * 3600 + m.parse::<i64>().ok()? * 60)
        }
    };
    // Days from the civil date (Howard Hinnant's algorithm).
    let y = if month <= 2 { year - 1 } else { year };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (month + 9) % 12;
    let doy = (153 * mp + 2) / 5 + day - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    let days = era * 146_097 + doe - 719_468;
    Some((
        days * 86_400 + hour * 3600 + minute * 60 + second - offset,
        nanos,
    ))
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
    fn an_account_type_github_adds_later_is_read_as_unknown() {
        let r = Reviews::from_json(
            r#"[{"user": {"login": "acme-enterprise", "type": "Enterprise"}, "state": "APPROVED", "commit_id": "abc"}]"#,
        )
        .unwrap();
        assert_eq!(r.reviews[0].reviewer.account_type, AccountType::Unknown);
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

    #[test]
    fn a_review_by_a_deleted_account_reads_as_ghost() {
        let r = Reviews::from_json(
            r#"[{"user": null, "state": "APPROVED", "commit_id": "abc"},
                {"user": {"login": "carol", "id": 7, "type": "User"}, "state": "APPROVED"}]"#,
        )
        .unwrap();
        assert!(is_deleted_account(&r.reviews[0].reviewer.login));
        assert_eq!(r.reviews[1].reviewer.id, Some(7));
        // A review without any `user` key is still malformed, not a deleted account.
        let e = Reviews::from_json(r#"[{"state": "APPROVED"}]"#).unwrap_err();
        assert!(e.contains("missing field `user`"), "{e}");
    }

    #[test]
    fn a_github_error_response_is_named_as_one() {
        let e = Reviews::from_json(
            r#"{"message": "Not Found", "documentation_url": "https://docs.github.com/rest", "status": "404"}"#,
        )
        .unwrap_err();
        assert!(
            e.starts_with("this is a GitHub API error response (\"Not Found\")"),
            "{e}"
        );
        assert!(!e.contains("untagged"), "{e}");
    }

    #[test]
    fn a_file_that_is_not_a_review_list_says_what_it_holds() {
        for (text, holds) in [
            (r#""reviews""#, "the file holds a string"),
            ("42", "the file holds a number"),
            ("null", "the file holds null"),
            ("{}", "an object without a `reviews` list"),
            (r#"{"reviews": null}"#, "`reviews` is null, not a list"),
            (
                r#"{"reviews": {"a": 1}}"#,
                "`reviews` is an object, not a list",
            ),
        ] {
            let e = Reviews::from_json(text).unwrap_err();
            assert!(e.starts_with(holds), "{text}: {e}");
            assert!(!e.contains("untagged"), "{e}");
        }
    }

    #[test]
    fn a_misspelt_teams_key_is_an_error_not_an_empty_team() {
        let e = Reviews::from_json(r#"{"reviews": [], "team": {"@acme/platform": ["carol"]}}"#)
            .unwrap_err();
        assert!(e.starts_with("unknown key `team`"), "{e}");
        let e = Reviews::from_json(r#"{"reviews": [], "teams": ["carol"]}"#).unwrap_err();
        assert!(e.starts_with("teams: "), "{e}");
        assert!(Reviews::from_json(r#"{"reviews": [], "teams": null}"#).is_ok());
    }

    #[test]
    fn webhook_spelling_of_states_reads_the_same() {
        let r = Reviews::from_json(
            r#"[{"user": {"login": "a"}, "state": "approved"},
                {"user": {"login": "b"}, "state": "changes_requested"}]"#,
        )
        .unwrap();
        assert_eq!(r.reviews[0].state, ReviewState::Approved);
        assert_eq!(r.reviews[1].state, ReviewState::ChangesRequested);
        assert!(Reviews::from_json(r#"[{"user": {"login": "a"}, "state": "Approved"}]"#).is_err());
    }

    fn timed(login: &str, state: ReviewState, at: Option<&str>) -> Review {
        let mut r = Review::new(login, AccountType::User, state, "abc");
        r.submitted_at = at.map(str::to_owned);
        r
    }

    #[test]
    fn the_latest_review_is_the_latest_submitted_not_the_last_listed() {
        let r = Reviews {
            reviews: vec![
                timed(
                    "dan",
                    ReviewState::ChangesRequested,
                    Some("2026-01-02T10:00:00Z"),
                ),
                timed("Dan", ReviewState::Approved, Some("2026-01-01T10:00:00Z")),
            ],
            ..Default::default()
        };
        let standing = r.standing();
        assert_eq!(standing.len(), 1);
        assert_eq!(standing[0].state, ReviewState::ChangesRequested);
        // Without times on both, the list's order decides.
        let r = Reviews {
            reviews: vec![
                timed(
                    "dan",
                    ReviewState::ChangesRequested,
                    Some("2026-01-02T10:00:00Z"),
                ),
                timed("dan", ReviewState::Approved, None),
            ],
            ..Default::default()
        };
        assert_eq!(r.standing()[0].state, ReviewState::Approved);
        // An offset is honoured: 11:30+02:00 is before 10:00Z.
        let r = Reviews {
            reviews: vec![
                timed("dan", ReviewState::Approved, Some("2026-01-01T10:00:00Z")),
                timed(
                    "dan",
                    ReviewState::Dismissed,
                    Some("2026-01-01T11:30:00+02:00"),
                ),
            ],
            ..Default::default()
        };
        assert_eq!(r.standing()[0].state, ReviewState::Approved);
    }

    #[test]
    fn reviews_by_deleted_accounts_stand_apart() {
        let r = Reviews {
            reviews: vec![
                timed("ghost", ReviewState::ChangesRequested, None),
                timed("ghost", ReviewState::Approved, None),
            ],
            ..Default::default()
        };
        assert_eq!(r.standing().len(), 2, "ghost stands for many people");
    }

    #[test]
    fn submitted_at_times() {
        assert_eq!(instant("1970-01-01T00:00:00Z"), Some((0, 0)));
        assert_eq!(instant("2000-03-01T00:00:00Z"), Some((951_868_800, 0)));
        assert_eq!(instant("1970-01-01T01:00:00+01:00"), Some((0, 0)));
        assert_eq!(instant("1970-01-01T00:00:00.25Z"), Some((0, 250_000_000)));
        for bad in [
            "",
            "yesterday",
            "2026-13-01T00:00:00Z",
            "2026-01-01T00:00:00",
            "2026-01-01T00:00:00.Z",
            "2026-01-01T00:00:00+1",
        ] {
            assert_eq!(instant(bad), None, "{bad}");
        }
    }

    proptest! {
        #[test]
        fn arbitrary_input_never_panics(s in "\\PC{0,200}") {
            let _ = Reviews::from_json(&s);
        }

        #[test]
        fn arbitrary_times_never_panic(s in "[0-9T:.Z+ -]{0,40}") {
            let _ = instant(&s);
        }
    }
}
