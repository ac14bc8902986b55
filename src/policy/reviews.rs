//! reviews: the reviews a pull request has, in GitHub's own shape, and the team memberships
//! that make a reviewer an owner. The App and the Action fetch them from the API; the CLI can
//! simulate them with `--reviews FILE` (the JSON of `GET /repos/{o}/{r}/pulls/{n}/reviews`).

use crate::change::{Account, AccountType, Login, PullRequestFacts, Revision};
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

/// A review's id as the API numbers them. Ids grow with every review GitHub stores, so they
/// order two reviews submitted within the same second, and a review listed twice (pages
/// fetched while a review was being added overlap) is known by its id.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Deserialize)]
#[serde(transparent)]
pub struct ReviewId(pub u64);

impl std::fmt::Display for ReviewId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.0.fmt(f)
    }
}

/// One submitted review.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct Review {
    /// Absent in hand-written files; the API always sends it.
    #[serde(default)]
    pub id: Option<ReviewId>,
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
            id: None,
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

    /// Whether this review was submitted before `other`: by `submitted_at` where both carry a
    /// readable, different time; else by id, which GitHub hands out in order (two reviews can
    /// share a second, and `submitted_at` has no finer grain); else not, so that the order of
    /// the list decides, as the API returns it oldest first.
    fn submitted_before(&self, other: &Review) -> bool {
        let at = |r: &Review| r.submitted_at.as_deref().and_then(instant);
        match (at(self), at(other)) {
            (Some(a), Some(b)) if a != b => a < b,
            _ => matches!((self.id, other.id), (Some(a), Some(b)) if a < b),
        }
    }
}

/// The reviews of one pull request, in submission order, and the members of owner teams.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Reviews {
    pub reviews: Vec<Review>,
    /// `@org/team` → member logins.
    pub teams: BTreeMap<String, Vec<Login>>,
    /// The pull request itself, when the file gives it (`"pull_request"`, as
    /// `GET /repos/{o}/{r}/pulls/{n}` returns it): its author never counts as a reviewer. The
    /// App and the Action read it from the API; the CLI only knows it from this file.
    pub pull_request: Option<PullRequestFacts>,
}

const SHAPE: &str = "expected GitHub's review list ([{\"user\": {\"login\": …, \"type\": \"User\"}, \"state\": \"APPROVED\", \"commit_id\": …}]) or {\"reviews\": [...], \"teams\": {\"@org/team\": [logins]}, \"pull_request\": {…}}";

impl Reviews {
    /// Parses a reviews file: GitHub's review list, or `{"reviews": [...], "teams": {...}}`.
    /// Anything else is an error that says what the file holds instead: a file that cannot
    /// be read as reviews must never be taken for "no reviews".
    pub fn from_json(text: &str) -> Result<Reviews, String> {
        // Windows tools (PowerShell's `Out-File`, Notepad) start a UTF-8 file with a byte-order
        // mark, which is not JSON but says nothing about the reviews.
        let text = text.strip_prefix('\u{feff}').unwrap_or(text);
        let value: serde_json::Value = serde_json::from_str(text).map_err(|e| {
            let pages = if text.trim_start().starts_with('[')
                && e.to_string().contains("trailing characters")
            {
                " (`gh api --paginate` prints one list per page: add `--slurp`, whose list of pages twokey reads)"
            } else {
                ""
            };
            format!("not valid JSON: {e}{pages}")
        })?;
        let (items, teams, pull_request) = match value {
            serde_json::Value::Array(items) => (items, None, None),
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
                    .find(|k| !matches!(k.as_str(), "reviews" | "teams" | "pull_request"))
                {
                    return Err(format!(
                        "unknown key `{key}` beside `reviews`; the keys are `reviews`, `teams` and `pull_request`"
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
                let pull_request = match map.remove("pull_request") {
                    None | Some(serde_json::Value::Null) => None,
                    Some(pr) => Some(
                        PullRequestFacts::from_api(pr).map_err(|e| format!("pull_request: {e}"))?,
                    ),
                };
                (items, map.remove("teams"), pull_request)
            }
            other => {
                return Err(format!(
                    "the file holds {}, not a review list; {SHAPE}",
                    json_kind(&other)
                ))
            }
        };
        let items = pages::flatten(items)?;
        // Name the review that does not fit and why (an unknown state, a missing login),
        // rather than only the shape the file as a whole should have.
        let mut reviews: Vec<Review> = Vec::with_capacity(items.len());
        let mut seen: HashMap<ReviewId, (String, serde_json::Value)> = HashMap::new();
        for (place, item) in items {
            let review = serde_json::from_value::<Review>(item.clone())
                .map_err(|e| format!("{place}: {e}; {SHAPE}"))?;
            if let Some(id) = review.id {
                match seen.get(&id) {
                    // Overlapping pages list a review twice: the same review, read once.
                    Some((_, first)) if *first == item => continue,
                    // Two different reviews under one id: the file was put together wrongly,
                    // and which of them GitHub holds cannot be told.
                    Some((first_place, _)) => {
                        return Err(format!(
                            "{place} has id {id}, as {first_place} does, but says something else; a review id names one review, so the file was assembled from inconsistent pages or edited by hand: fetch the reviews again"
                        ))
                    }
                    None => {
                        seen.insert(id, (place.clone(), item));
                    }
                }
            }
            reviews.push(review);
        }
        let teams = match teams {
            None | Some(serde_json::Value::Null) => BTreeMap::new(),
            Some(t) => serde_json::from_value(t)
                .map_err(|e| format!("teams: {e}; expected {{\"@org/team\": [\"login\", ...]}}"))?,
        };
        Ok(Reviews {
            reviews,
            teams,
            pull_request,
        })
    }

    /// Each reviewer's standing review: the latest one that approves, requests changes or is
    /// dismissed. Comments do not override an earlier approval, as on GitHub. "Latest" is by
    /// `submitted_at` where both reviews carry one (a file assembled from several pages need
    /// not be in order), then by review id, else by position in the list. A reviewer is one
    /// account: the same login in any case, or the same account id under another login (a
    /// file stitched together across a rename), so one person never stands twice. Reviews by
    /// deleted accounts are kept apart: `ghost` stands for many people.
    pub fn standing(&self) -> Vec<&Review> {
        let mut order: Vec<&Review> = Vec::new();
        // Lower-cased login, and account id, → index in `order`: linear in the list's length.
        let mut by_login: HashMap<String, usize> = HashMap::new();
        let mut by_id: HashMap<u64, usize> = HashMap::new();
        for review in &self.reviews {
            if matches!(review.state, ReviewState::Commented | ReviewState::Pending) {
                continue;
            }
            let login = &review.reviewer.login;
            if is_deleted_account(login) {
                order.push(review);
                continue;
            }
            let key = login.as_str().to_ascii_lowercase();
            let id = review.reviewer.id;
            let slot = by_login
                .get(&key)
                .or_else(|| id.and_then(|id| by_id.get(&id)))
                .copied();
            let slot = match slot {
                Some(i) => {
                    if !review.submitted_before(order[i]) {
                        order[i] = review;
                    }
                    i
                }
                None => {
                    order.push(review);
                    order.len() - 1
                }
            };
            by_login.insert(key, slot);
            if let Some(id) = id {
                by_id.insert(id, slot);
            }
        }
        order
    }
}

/// pages: the review list as `gh api --paginate --slurp` writes it, one list per page inside
/// a list, read as the one list it is. Owns only that shape and the names of items in errors.
mod pages {
    use serde_json::Value;

    /// Each review with where it sits ("review 3 of the list", "review 2 of page 4"). A list
    /// of lists is a list of pages; a list mixing pages and reviews is neither, and an error.
    pub(super) fn flatten(items: Vec<Value>) -> Result<Vec<(String, Value)>, String> {
        let is_page = |v: &Value| v.is_array();
        if items.is_empty() || !items.iter().any(is_page) {
            return Ok(items
                .into_iter()
                .enumerate()
                .map(|(i, v)| (format!("review {} of the list", i + 1), v))
                .collect());
        }
        let mut out = Vec::new();
        for (p, page) in items.into_iter().enumerate() {
            let reviews = match page {
                Value::Array(reviews) => reviews,
                other => {
                    return Err(format!(
                        "item {} of the list is {} while others are lists: expected either one review list or, as `gh api --paginate --slurp` writes it, a list of pages that are each a review list",
                        p + 1,
                        super::json_kind(&other)
                    ))
                }
            };
            out.extend(
                reviews
                    .into_iter()
                    .enumerate()
                    .map(|(i, v)| (format!("review {} of page {}", i + 1, p + 1), v)),
            );
        }
        Ok(out)
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
        let r = Reviews::from_json(
            r#"{"reviews": [], "pull_request": {"number": 42, "user": {"login": "alice", "id": 1001, "type": "User"}}}"#,
        )
        .unwrap();
        let author = r.pull_request.unwrap().author.unwrap();
        assert_eq!(author.login.as_str(), "alice");
        let e =
            Reviews::from_json(r#"{"reviews": [], "pull_request": {"number": 42}}"#).unwrap_err();
        assert!(e.starts_with("pull_request: missing field `user`"), "{e}");
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

    fn with_id(login: &str, state: ReviewState, id: u64, at: &str) -> Review {
        let mut r = timed(login, state, Some(at));
        r.id = Some(ReviewId(id));
        r
    }

    #[test]
    fn reviews_submitted_in_the_same_second_are_ordered_by_id() {
        let at = "2026-03-01T10:00:00Z";
        let r = Reviews {
            reviews: vec![
                with_id("carol", ReviewState::ChangesRequested, 11, at),
                with_id("carol", ReviewState::Approved, 10, at),
            ],
            ..Default::default()
        };
        assert_eq!(r.standing()[0].state, ReviewState::ChangesRequested);
        // A readable, different time still wins over the id.
        let r = Reviews {
            reviews: vec![
                with_id("carol", ReviewState::ChangesRequested, 11, at),
                with_id("carol", ReviewState::Approved, 10, "2026-03-01T10:00:01Z"),
            ],
            ..Default::default()
        };
        assert_eq!(r.standing()[0].state, ReviewState::Approved);
    }

    #[test]
    fn one_account_under_two_logins_stands_once() {
        let mut old = timed("carol-old", ReviewState::Approved, None);
        old.reviewer.id = Some(7);
        let mut new = timed("carol", ReviewState::ChangesRequested, None);
        new.reviewer.id = Some(7);
        let mut again = timed("CAROL-OLD", ReviewState::Dismissed, None);
        again.reviewer.id = None;
        let r = Reviews {
            reviews: vec![old, new.clone()],
            ..Default::default()
        };
        assert_eq!(
            r.standing(),
            vec![&new],
            "the renamed account is one reviewer"
        );
        let r = Reviews {
            reviews: vec![r.reviews[0].clone(), new, again.clone()],
            ..Default::default()
        };
        assert_eq!(r.standing(), vec![&again], "either name finds the reviewer");
    }

    fn api_review(id: u64, state: &str) -> String {
        format!(
            r#"{{"id": {id}, "user": {{"login": "carol", "id": 7, "type": "User"}}, "state": "{state}", "commit_id": "abc", "submitted_at": "2026-03-01T10:00:0{id}Z"}}"#
        )
    }

    #[test]
    fn a_review_listed_twice_is_read_once_but_two_reviews_under_one_id_are_an_error() {
        let twice = format!(
            "[{}, {}]",
            api_review(1, "APPROVED"),
            api_review(1, "APPROVED")
        );
        assert_eq!(Reviews::from_json(&twice).unwrap().reviews.len(), 1);
        let clash = format!(
            "[{}, {}]",
            api_review(1, "APPROVED"),
            api_review(1, "CHANGES_REQUESTED")
        );
        let e = Reviews::from_json(&clash).unwrap_err();
        assert!(
            e.starts_with("review 2 of the list has id 1, as review 1 of the list does"),
            "{e}"
        );
        assert!(e.contains("fetch the reviews again"), "{e}");
        let e = Reviews::from_json(r#"[{"id": "x", "user": {"login": "a"}, "state": "APPROVED"}]"#)
            .unwrap_err();
        assert!(e.starts_with("review 1 of the list: invalid type"), "{e}");
    }

    #[test]
    fn a_byte_order_mark_is_not_part_of_the_json() {
        let text = format!("\u{feff}[{}]", api_review(1, "APPROVED"));
        assert_eq!(Reviews::from_json(&text).unwrap().reviews.len(), 1);
    }

    #[test]
    fn slurped_pages_read_as_one_list() {
        let text = format!(
            "[[{}], [], [{}]]",
            api_review(1, "APPROVED"),
            api_review(2, "CHANGES_REQUESTED")
        );
        let r = Reviews::from_json(&text).unwrap();
        assert_eq!(r.reviews.len(), 2);
        assert_eq!(r.standing()[0].state, ReviewState::ChangesRequested);
        let e =
            Reviews::from_json(r#"[[{"user": {"login": "a"}, "state": "APPROVE"}]]"#).unwrap_err();
        assert!(e.starts_with("review 1 of page 1: unknown variant"), "{e}");
        let e = Reviews::from_json(r#"[[], {"message": "API rate limit exceeded"}]"#).unwrap_err();
        assert!(
            e.starts_with("item 2 of the list is an object while others are lists"),
            "{e}"
        );
    }

    #[test]
    fn pages_printed_back_to_back_are_invalid_json_with_a_hint() {
        let text = format!(
            "[{}][{}]",
            api_review(1, "APPROVED"),
            api_review(2, "APPROVED")
        );
        let e = Reviews::from_json(&text).unwrap_err();
        assert!(e.starts_with("not valid JSON: trailing characters"), "{e}");
        assert!(e.contains("--slurp"), "{e}");
        assert!(!Reviews::from_json("{").unwrap_err().contains("--slurp"));
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
