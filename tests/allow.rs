//! Allows through the binary: an allow the base already has covers a finding; one the change
//! under review adds covers nothing and is itself a guardrail finding.

mod support;
use serde_json::Value;
use support::{rules, Repo};

const DB: &str = "resource \"aws_db_instance\" \"legacy\" {\n  engine = \"postgres\"\n}\n";
const BUCKET: &str = "resource \"aws_s3_bucket\" \"logs\" {\n  bucket = \"acme-logs\"\n}\n";
const ALLOW: &str = "# twokey:allow terraform/resource-removed -- decommissioned per INC-42\n";

fn check(repo: &Repo, base: &str) -> Value {
    let run = repo.twokey(&["check", "--base", base, "--format", "json"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    run.json()
}

fn finding<'r>(report: &'r Value, rule: &str) -> &'r Value {
    report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["rule"] == rule)
        .unwrap_or_else(|| panic!("no {rule} in {:?}", rules(report)))
}

fn tiers(report: &Value) -> Vec<String> {
    report["requirement"]["tiers"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t.as_str().unwrap().to_owned())
        .collect()
}

#[test]
fn an_allow_the_base_already_has_covers_the_removal_it_sits_above() {
    let repo = Repo::new();
    repo.write("infra/db.tf", &format!("{BUCKET}\n{ALLOW}{DB}"));
    let base = repo.commit_all("base: the legacy database may go");
    repo.write("infra/db.tf", BUCKET);
    repo.commit_all("Remove the legacy database");
    let report = check(&repo, &base);
    let removed = finding(&report, "terraform/resource-removed");
    assert_eq!(removed["subject"], "aws_db_instance.legacy");
    assert_eq!(removed["allowed"]["by"], "inline");
    assert_eq!(removed["allowed"]["reason"], "decommissioned per INC-42");
    assert_eq!(removed["allowed"]["at"], "infra/db.tf:5");
    assert!(
        !tiers(&report).contains(&"destructive".to_owned()),
        "{report}"
    );
    assert!(
        !report["tags"]
            .as_array()
            .unwrap()
            .iter()
            .any(|t| t == "destructive"),
        "{report}"
    );
    assert!(!rules(&report).contains(&"guardrail/allow-added".to_owned()));
    // Severity-based --fail-on ignores what is allowed.
    let fail = repo.twokey(&["check", "--base", &base, "--fail-on", "critical"]);
    assert_eq!(fail.code, 0, "{}", fail.stdout);
    // Every format says it is allowed.
    let text = repo.twokey(&["check", "--base", &base]).stdout;
    assert!(
        text.contains("allowed: decommissioned per INC-42 (infra/db.tf:5)"),
        "{text}"
    );
    let md = repo
        .twokey(&["check", "--base", &base, "--format", "markdown"])
        .stdout;
    assert!(md.contains("<details><summary>Allowed (1)"), "{md}");
    let sarif: Value = serde_json::from_str(
        &repo
            .twokey(&["check", "--base", &base, "--format", "sarif"])
            .stdout,
    )
    .unwrap();
    let result = sarif["runs"][0]["results"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["ruleId"] == "terraform/resource-removed")
        .unwrap();
    assert_eq!(result["suppressions"][0]["kind"], "inSource");
    assert!(result["suppressions"][0]["justification"]
        .as_str()
        .unwrap()
        .starts_with("decommissioned per INC-42"));
}

#[test]
fn an_allow_added_by_the_change_itself_covers_nothing_and_is_a_guardrail() {
    let repo = Repo::new();
    repo.write("infra/db.tf", &format!("{BUCKET}\n{DB}"));
    let base = repo.commit_all("base");
    // The agent deletes the database and writes itself an allow for it.
    repo.write("infra/db.tf", &format!("{ALLOW}{BUCKET}"));
    repo.commit_all("Remove the legacy database");
    let report = check(&repo, &base);
    let removed = finding(&report, "terraform/resource-removed");
    assert!(removed.get("allowed").is_none(), "{removed}");
    let added = finding(&report, "guardrail/allow-added");
    assert_eq!(added["line"], 1);
    assert_eq!(added["severity"], "medium");
    assert!(added["message"]
        .as_str()
        .unwrap()
        .contains("base branch first"));
    let t = tiers(&report);
    assert!(t.contains(&"destructive".to_owned()), "{t:?}");
    assert!(t.contains(&"guardrail".to_owned()), "{t:?}");
}

#[test]
fn an_allow_without_a_reason_added_by_the_change_is_reported_as_malformed() {
    let repo = Repo::new();
    repo.write("infra/db.tf", &format!("{BUCKET}\n{DB}"));
    let base = repo.commit_all("base");
    repo.write(
        "infra/db.tf",
        &format!("# twokey:allow terraform/resource-removed\n{BUCKET}"),
    );
    repo.commit_all("Remove the legacy database");
    let report = check(&repo, &base);
    assert!(finding(&report, "terraform/resource-removed")
        .get("allowed")
        .is_none());
    let bad = finding(&report, "guardrail/malformed-allow");
    assert!(
        bad["message"].as_str().unwrap().contains("no reason"),
        "{bad}"
    );
}

const ALLOW_SANDBOX: &str = "version: 1\nallow:\n  - rules: [\"terraform/resource-removed\"]\n    paths: [\"sandbox/**\"]\n    reason: sandbox environments are disposable\n";

#[test]
fn a_config_allow_list_on_the_base_covers_matching_paths_only() {
    let repo = Repo::new();
    repo.write(".github/twokey.yml", ALLOW_SANDBOX)
        .write("sandbox/db.tf", DB)
        .write("prod/db.tf", DB);
    let base = repo.commit_all("base");
    repo.write("sandbox/db.tf", "").write("prod/db.tf", "");
    repo.commit_all("Remove both databases");
    let report = check(&repo, &base);
    let all = report["findings"].as_array().unwrap();
    let removed = |path: &str| {
        all.iter()
            .find(|f| f["rule"] == "terraform/resource-removed" && f["path"] == path)
            .unwrap_or_else(|| panic!("no removal in {path}: {report}"))
    };
    assert_eq!(removed("sandbox/db.tf")["allowed"]["by"], "config");
    assert_eq!(removed("sandbox/db.tf")["allowed"]["at"], "config allow[0]");
    assert_eq!(
        removed("sandbox/db.tf")["allowed"]["reason"],
        "sandbox environments are disposable"
    );
    assert!(removed("prod/db.tf").get("allowed").is_none());
    assert!(tiers(&report).contains(&"destructive".to_owned()));
}

#[test]
fn a_config_allow_list_added_only_on_the_head_does_not_apply() {
    let repo = Repo::new();
    repo.write(".github/twokey.yml", "version: 1\n")
        .write("sandbox/db.tf", DB);
    let base = repo.commit_all("base");
    repo.write(".github/twokey.yml", ALLOW_SANDBOX)
        .write("sandbox/db.tf", "");
    repo.commit_all("Allow sandbox removals and remove the sandbox database");
    let report = check(&repo, &base);
    assert!(finding(&report, "terraform/resource-removed")
        .get("allowed")
        .is_none());
    assert!(rules(&report).contains(&"guardrail/config-changed".to_owned()));
    assert!(tiers(&report).contains(&"destructive".to_owned()));
}

#[test]
fn a_config_allow_without_a_reason_is_exit_2_with_line_and_column() {
    let repo = Repo::new();
    repo.write(
        ".github/twokey.yml",
        "version: 1\nallow:\n  - rules: [\"terraform/*\"]\n    paths: [\"sandbox/**\"]\n",
    );
    let base = repo.commit_all("base");
    repo.write("x.txt", "x");
    repo.commit_all("x");
    let run = repo.twokey(&["check", "--base", &base]);
    assert_eq!(run.code, 2, "{}", run.stdout);
    assert!(
        run.stderr.contains(".github/twokey.yml (base revision):3:"),
        "{}",
        run.stderr
    );
    assert!(run.stderr.contains("reason"), "{}", run.stderr);
}

#[test]
fn a_kubernetes_object_allow_list_matches_the_object_not_the_file() {
    let repo = Repo::new();
    let ns = |name: &str| format!("apiVersion: v1\nkind: Namespace\nmetadata:\n  name: {name}\n");
    repo.write(
        ".github/twokey.yml",
        "version: 1\nallow:\n  - objects: [\"*/Namespace/preview-*\"]\n    reason: preview namespaces are torn down by design\n",
    )
    .write("k8s/ns.yaml", &format!("{}---\n{}", ns("preview-42"), ns("prod")));
    let base = repo.commit_all("base");
    repo.write("k8s/ns.yaml", "");
    repo.commit_all("Remove namespaces");
    let report = check(&repo, &base);
    let deleted: Vec<&Value> = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["rule"] == "kubernetes/namespace-deleted")
        .collect();
    assert_eq!(deleted.len(), 2, "{report}");
    let by_subject = |s: &str| *deleted.iter().find(|f| f["subject"] == s).unwrap();
    assert_eq!(
        by_subject("Namespace/preview-42")["allowed"]["by"],
        "config"
    );
    assert!(by_subject("Namespace/prod").get("allowed").is_none());
}

#[test]
fn explain_knows_the_allow_rules() {
    let dir = tempfile::tempdir().unwrap();
    for rule in ["guardrail/allow-added", "guardrail/malformed-allow"] {
        let run = support::run_twokey(dir.path(), &["explain", rule]);
        assert_eq!(run.code, 0, "{}", run.stderr);
        assert!(run.stdout.contains("Why this is bad"), "{}", run.stdout);
    }
}
