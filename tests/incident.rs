//! The incident twokey exists for, end to end through the binary: an agent renames a Terraform
//! environment module without a `moved` block (destroy and recreate) and turns off a database's
//! deletion protection. The person who launched the agent then approves.

mod support;
use support::{rules, Commit, Repo};

const BASE_TF: &str = r#"module "prod_environment" {
  source = "./modules/environment"
  name   = "prod"
}

resource "aws_db_instance" "main" {
  identifier          = "prod-db"
  engine              = "postgres"
  instance_class      = "db.t3.large"
  deletion_protection = true
}
"#;

const HEAD_TF: &str = r#"module "production" {
  source = "./modules/environment"
  name   = "prod"
}

resource "aws_db_instance" "main" {
  identifier          = "prod-db"
  engine              = "postgres"
  instance_class      = "db.t3.large"
  deletion_protection = false
}
"#;

fn incident_repo() -> (Repo, String, String) {
    let repo = Repo::new();
    repo.write("infra/main.tf", BASE_TF)
        .write("README.md", "# app\n");
    let base = repo.commit_all("Initial infrastructure");
    repo.checkout_new("claude/recreate-environment");
    repo.write("infra/main.tf", HEAD_TF);
    let head = repo.commit(Commit {
        author: "claude[bot]",
        email: "209825114+claude[bot]@users.noreply.github.com",
        message: "Delete and recreate the environment\n\nThe environment drifted; recreating it is simpler.\n\nCo-authored-by: Ada Lovelace <12345+ada@users.noreply.github.com>",
    });
    (repo, base, head)
}

#[test]
fn agent_renames_environment_module_and_disables_deletion_protection() {
    let (repo, base, head) = incident_repo();
    let run = repo.twokey(&["check", "--base", &base, "--format", "json"]);
    assert_eq!(run.code, 0, "stderr: {}", run.stderr);
    let report = run.json();
    assert_eq!(report["schema_version"], 1);
    assert_eq!(report["head"], head.as_str());
    assert_eq!(report["verdict"], "review-required");
    let tags = report["tags"].as_array().unwrap();
    for tag in ["agent-authored", "infra", "destructive"] {
        assert!(
            tags.iter().any(|t| t == tag),
            "missing tag {tag} in {tags:?}"
        );
    }
    let found = rules(&report);
    assert!(
        found.contains(&"terraform/renamed-without-moved".to_owned()),
        "{found:?}"
    );
    assert!(
        found.contains(&"terraform/protection-weakened".to_owned()),
        "{found:?}"
    );
    assert_eq!(report["requirement"]["approvals"], 2);
    assert_eq!(report["agent"]["detected"], true);
    assert!(report["agent"]["agents"]
        .as_array()
        .unwrap()
        .iter()
        .any(|a| a == "claude-code"));
    let operators = report["agent"]["operators"].as_array().unwrap();
    assert!(
        operators.iter().any(|o| o["login"] == "ada"),
        "operators: {operators:?}"
    );
    let excluded = report["requirement"]["excluded"].as_array().unwrap();
    assert!(
        excluded
            .iter()
            .any(|e| e["who"] == "@ada" && e["reason"].as_str().unwrap().contains("operator")),
        "excluded: {excluded:?}"
    );
}

#[test]
fn the_operators_approval_does_not_count() {
    let (repo, base, head) = incident_repo();
    let reviews = format!(
        r#"{{"reviews": [
            {{"user": {{"login": "ada", "type": "User"}}, "state": "APPROVED", "commit_id": "{head}"}},
            {{"user": {{"login": "copilot-pull-request-reviewer[bot]", "type": "Bot"}}, "state": "APPROVED", "commit_id": "{head}"}},
            {{"user": {{"login": "carol", "type": "User"}}, "state": "APPROVED", "commit_id": "{head}"}}
        ]}}"#
    );
    let run = repo.check_with_reviews(
        &base,
        &reviews,
        &["--format", "json", "--fail-on", "review-required"],
    );
    assert_eq!(run.code, 1, "review still required: {}", run.stdout);
    let report = run.json();
    assert_eq!(report["verdict"], "review-required");
    let counted = report["reviews"]["counted"].as_array().unwrap();
    assert_eq!(counted, &vec![serde_json::json!("carol")]);
    let ignored = report["reviews"]["ignored"].as_array().unwrap();
    assert!(
        ignored
            .iter()
            .any(|i| i["who"] == "@ada" && i["reason"].as_str().unwrap().contains("operator")),
        "{ignored:?}"
    );
    assert!(
        ignored
            .iter()
            .any(|i| i["who"] == "@copilot-pull-request-reviewer[bot]"),
        "{ignored:?}"
    );
}

#[test]
fn the_text_report_names_the_lines_and_the_safer_way() {
    let (repo, base, _) = incident_repo();
    let run = repo.twokey(&["check", "--base", &base]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(
        run.stdout
            .contains("review-required Needs 2 approvals (destructive"),
        "{}",
        run.stdout
    );
    assert!(
        run.stdout.contains("infra/main.tf:10"),
        "deletion_protection line: {}",
        run.stdout
    );
    assert!(
        run.stdout.contains("moved"),
        "the safer way mentions a moved block: {}",
        run.stdout
    );
    assert!(run.stdout.contains("@ada"), "{}", run.stdout);
}

#[test]
fn a_proper_moved_block_and_kept_protection_is_not_destructive() {
    let repo = Repo::new();
    repo.write("infra/main.tf", BASE_TF);
    let base = repo.commit_all("base");
    let fixed = BASE_TF.replace("module \"prod_environment\"", "module \"production\"")
        + "\nmoved {\n  from = module.prod_environment\n  to   = module.production\n}\n";
    repo.write("infra/main.tf", &fixed);
    repo.commit_all("Rename the environment module, keeping its state");
    let report = repo
        .twokey(&["check", "--base", &base, "--format", "json"])
        .json();
    assert!(rules(&report).is_empty(), "{:?}", report["findings"]);
    let tags = report["tags"].as_array().unwrap();
    assert!(!tags.iter().any(|t| t == "destructive"));
    assert!(tags.iter().any(|t| t == "infra"));
    assert_eq!(report["requirement"]["approvals"], 1);
}

/// One review as `GET /repos/{o}/{r}/pulls/{n}/reviews` lists it (the fields twokey reads,
/// and a few it does not). Each gets its own id, as on GitHub: one id is one review.
fn api_review(user: &str, state: &str, commit: &str, at: &str) -> String {
    static NEXT_ID: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(80);
    let id = NEXT_ID.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    format!(
        r#"{{"id": {id}, "node_id": "PRR_x", "user": {user}, "body": "", "state": "{state}",
            "commit_id": "{commit}", "submitted_at": "{at}", "author_association": "MEMBER"}}"#
    )
}

#[test]
fn a_tricky_review_history_from_the_api_counts_nobody_it_should_not() {
    let (repo, base, head) = incident_repo();
    let reviews = [
        // The operator, since renamed: her commits carry 12345+ada@users.noreply.github.com.
        api_review(
            r#"{"login": "ada-lovelace", "id": 12345, "type": "User"}"#,
            "APPROVED",
            &head,
            "2026-11-01T10:00:00Z",
        ),
        // A deleted account.
        api_review("null", "APPROVED", &head, "2026-11-01T10:05:00Z"),
        // Listed last but submitted first: dan's standing review asks for changes.
        api_review(
            r#"{"login": "dan", "id": 8, "type": "User"}"#,
            "CHANGES_REQUESTED",
            &head,
            "2026-11-01T11:00:00Z",
        ),
        api_review(
            r#"{"login": "carol", "id": 7, "type": "User"}"#,
            "APPROVED",
            &head,
            "2026-11-01T10:10:00Z",
        ),
        api_review(
            r#"{"login": "dan", "id": 8, "type": "User"}"#,
            "APPROVED",
            &head,
            "2026-11-01T10:30:00Z",
        ),
    ];
    let reviews = format!("[{}]", reviews.join(","));
    let run = repo.check_with_reviews(&base, &reviews, &["--format", "json"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let report = run.json();
    assert_eq!(report["verdict"], "review-required");
    assert_eq!(report["reviews"]["counted"], serde_json::json!(["carol"]));
    assert_eq!(
        report["reviews"]["changes_requested"],
        serde_json::json!(["dan"])
    );
    let ignored = report["reviews"]["ignored"].to_string();
    assert!(ignored.contains("@ada-lovelace"), "{ignored}");
    assert!(ignored.contains("a deleted account"), "{ignored}");

    // The text report says which approvals do not count, under a heading of their own.
    let run = repo.check_with_reviews(&base, &reviews, &[]);
    assert!(
        run.stdout
            .contains("reviews that do not count:\n  - @ada-lovelace: approval does not count: the agent's operator"),
        "{}",
        run.stdout
    );
}

#[test]
fn a_github_error_response_saved_as_the_reviews_file_is_a_usage_error() {
    let (repo, base, _) = incident_repo();
    let run = repo.check_with_reviews(
        &base,
        r#"{"message": "Bad credentials", "documentation_url": "https://docs.github.com/rest"}"#,
        &[],
    );
    assert_eq!(run.code, 2, "{}", run.stdout);
    assert!(
        run.stderr
            .contains("this is a GitHub API error response (\"Bad credentials\")"),
        "{}",
        run.stderr
    );
}
