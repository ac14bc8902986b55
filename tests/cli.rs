//! The command line as a user meets it: exit codes, errors, formats, config from the base.

mod support;
use support::{rules, run_twokey, Repo};

fn repo_with_base() -> (Repo, String) {
    let repo = Repo::new();
    repo.write("src/app.py", "print('hi')\n").write(
        "infra/db.tf",
        "resource \"aws_s3_bucket\" \"logs\" {\n  bucket = \"acme-logs\"\n}\n",
    );
    let base = repo.commit_all("base");
    (repo, base)
}

#[test]
fn a_human_change_to_application_code_is_ok_and_untagged() {
    let (repo, base) = repo_with_base();
    repo.write("src/app.py", "print('hello')\n");
    repo.commit_all("Say hello");
    let report = repo
        .twokey(&["check", "--base", &base, "--format", "json"])
        .json();
    assert_eq!(report["verdict"], "ok");
    assert_eq!(report["tags"], serde_json::json!([]));
    assert_eq!(report["requirement"]["approvals"], 0);
    assert_eq!(report["files"]["changed"], 1);
}

#[test]
fn the_default_base_is_main_when_there_is_no_remote() {
    let (repo, _) = repo_with_base();
    repo.checkout_new("feature");
    repo.remove("infra/db.tf");
    repo.commit_all("Remove the logs bucket");
    let report = repo.twokey(&["check", "--format", "json"]).json();
    let found = rules(&report);
    // The Terraform analyzer reports the deleted file's bucket by address.
    assert!(
        found.contains(&"terraform/resource-removed".to_owned()),
        "{found:?}"
    );
    assert_eq!(report["verdict"], "review-required");
}

#[test]
fn worktree_mode_sees_uncommitted_changes() {
    let (repo, base) = repo_with_base();
    repo.write("infra/db.tf", "resource \"aws_s3_bucket\" \"logs\" {\n  bucket        = \"acme-logs\"\n  force_destroy = true\n}\n");
    let committed = repo
        .twokey(&["check", "--base", &base, "--format", "json"])
        .json();
    assert!(rules(&committed).is_empty());
    let report = repo
        .twokey(&["check", "--base", &base, "--worktree", "--format", "json"])
        .json();
    assert_eq!(report["head"], "WORKTREE");
    assert_eq!(rules(&report), vec!["terraform/protection-weakened"]);
    assert_eq!(report["findings"][0]["line"], 3);
}

#[test]
fn fail_on_turns_a_match_into_exit_1() {
    let (repo, base) = repo_with_base();
    repo.remove("infra/db.tf");
    repo.commit_all("drop");
    assert_eq!(repo.twokey(&["check", "--base", &base]).code, 0);
    assert_eq!(
        repo.twokey(&["check", "--base", &base, "--fail-on", "destructive"])
            .code,
        1
    );
    assert_eq!(
        repo.twokey(&["check", "--base", &base, "--fail-on", "high"])
            .code,
        1
    );
    assert_eq!(
        repo.twokey(&["check", "--base", &base, "--fail-on", "guardrail"])
            .code,
        0
    );
    let bad = repo.twokey(&["check", "--base", &base, "--fail-on", "scary"]);
    assert_eq!(bad.code, 2);
    assert!(bad.stderr.contains("expected a tag"), "{}", bad.stderr);
    assert!(!bad.stderr.contains("did you mean"), "{}", bad.stderr);
    for (typo, meant) in [("Destructive", "destructive"), ("crit", "critical")] {
        let near = repo.twokey(&["check", "--base", &base, "--fail-on", typo]);
        assert_eq!(near.code, 2);
        assert!(
            near.stderr.contains(&format!("did you mean `{meant}`?")),
            "{}",
            near.stderr
        );
    }
}

#[test]
fn outside_a_repository_is_a_clear_usage_error() {
    let dir = tempfile::tempdir().unwrap();
    let run = run_twokey(dir.path(), &["check"]);
    assert_eq!(run.code, 2);
    assert!(run.stderr.starts_with("twokey: error:"), "{}", run.stderr);
    assert!(
        !run.stderr.contains("panicked") && !run.stderr.contains("backtrace"),
        "{}",
        run.stderr
    );
}

#[test]
fn an_unknown_revision_is_a_clear_error() {
    let (repo, _) = repo_with_base();
    let run = repo.twokey(&["check", "--base", "no-such-branch"]);
    assert_eq!(run.code, 2);
    assert!(run.stderr.contains("no-such-branch"), "{}", run.stderr);
}

#[test]
fn config_comes_from_the_base_and_a_change_to_it_is_a_guardrail() {
    let repo = Repo::new();
    repo.write(".github/twokey.yml", "version: 1\nowners: [olga]\ntiers:\n  - name: infra\n    when: {tags: [infra]}\n    approvals: 3\n")
        .write("infra/db.tf", "resource \"aws_s3_bucket\" \"logs\" {\n  bucket = \"acme-logs\"\n}\n");
    let base = repo.commit_all("base with a strict policy");
    // The change tries to loosen its own gate while touching infrastructure.
    repo.write(".github/twokey.yml", "version: 1\nowners: [olga]\ntiers:\n  - name: infra\n    when: {tags: [infra]}\n    approvals: 0\n")
        .write("infra/db.tf", "resource \"aws_s3_bucket\" \"logs\" {\n  bucket = \"acme-logs\"\n  tags   = {}\n}\n");
    repo.commit_all("loosen");
    let report = repo
        .twokey(&["check", "--base", &base, "--format", "json"])
        .json();
    assert_eq!(report["config"], ".github/twokey.yml at the base revision");
    assert_eq!(
        report["requirement"]["approvals"], 3,
        "the base policy governs"
    );
    assert!(rules(&report).contains(&"guardrail/config-changed".to_owned()));
    assert!(report["tags"]
        .as_array()
        .unwrap()
        .iter()
        .any(|t| t == "guardrail"));
}

#[test]
fn a_broken_config_on_the_base_is_exit_2_with_line_and_column() {
    let repo = Repo::new();
    repo.write(".github/twokey.yml", "version: 1\nownerz: [a]\n");
    let base = repo.commit_all("base");
    repo.write("x.txt", "x");
    repo.commit_all("x");
    let run = repo.twokey(&["check", "--base", &base]);
    assert_eq!(run.code, 2);
    assert!(
        run.stderr
            .contains(".github/twokey.yml (base revision):2:1"),
        "{}",
        run.stderr
    );
    assert!(
        run.stderr.contains("did you mean `owners`?"),
        "{}",
        run.stderr
    );
}

#[test]
fn config_validate_and_default() {
    let dir = tempfile::tempdir().unwrap();
    let default = run_twokey(dir.path(), &["config", "default"]);
    assert_eq!(default.code, 0);
    let file = dir.path().join("twokey.yml");
    std::fs::write(&file, &default.stdout).unwrap();
    let ok = run_twokey(dir.path(), &["config", "validate", file.to_str().unwrap()]);
    assert_eq!(ok.code, 0, "{}", ok.stderr);
    assert!(ok.stdout.contains("valid (5 tiers"), "{}", ok.stdout);
    assert!(
        ok.stderr.contains(
            "tiers destructive, guardrail ask for approvals from owners, but `owners` is empty"
        ),
        "{}",
        ok.stderr
    );
    std::fs::write(&file, "version: 1\nowners: ['@acme/platform']\n").unwrap();
    let owned = run_twokey(dir.path(), &["config", "validate", file.to_str().unwrap()]);
    assert_eq!(owned.code, 0, "{}", owned.stderr);
    assert!(owned.stderr.is_empty(), "{}", owned.stderr);
    std::fs::write(
        &file,
        "version: 1\ntiers:\n  - name: x\n    when: {tags: [infra]}\n    approvals: many\n",
    )
    .unwrap();
    let bad = run_twokey(dir.path(), &["config", "validate", file.to_str().unwrap()]);
    assert_eq!(bad.code, 2);
    assert!(bad.stderr.contains(":5:"), "{}", bad.stderr);
    let missing = run_twokey(dir.path(), &["config", "validate"]);
    assert_eq!(missing.code, 2);
    assert!(
        missing.stderr.contains(".github/twokey.yml")
            && missing.stderr.contains("twokey config validate PATH"),
        "{}",
        missing.stderr
    );
    // A file named on the command line gets no hint about where to look.
    let named = run_twokey(dir.path(), &["config", "validate", "nope.yml"]);
    assert_eq!(named.code, 2);
    assert!(
        !named.stderr.contains("repository's root"),
        "{}",
        named.stderr
    );
}

#[test]
fn rules_and_explain() {
    let dir = tempfile::tempdir().unwrap();
    let list = run_twokey(dir.path(), &["rules"]);
    assert_eq!(list.code, 0);
    assert!(list.stdout.contains("terraform/renamed-without-moved"));
    assert!(list.stdout.contains("sql/drop-table"));
    let one = run_twokey(dir.path(), &["explain", "terraform/renamed-without-moved"]);
    assert_eq!(one.code, 0);
    for part in [
        "What it does",
        "Why this is bad",
        "Example",
        "Safer",
        "moved",
    ] {
        assert!(one.stdout.contains(part), "missing {part}: {}", one.stdout);
    }
    let unknown = run_twokey(dir.path(), &["explain", "sql/drop-tabel"]);
    assert_eq!(unknown.code, 2);
    assert!(
        unknown.stderr.contains("did you mean `sql/drop-table`?"),
        "{}",
        unknown.stderr
    );
}

#[test]
fn sarif_is_valid_2_1_0_with_rules_and_fingerprints() {
    let (repo, base) = repo_with_base();
    repo.write("infra/db.tf", "resource \"aws_s3_bucket\" \"logs\" {\n  bucket        = \"acme-logs\"\n  force_destroy = true\n}\n");
    repo.commit_all("force");
    let sarif: serde_json::Value = serde_json::from_str(
        &repo
            .twokey(&["check", "--base", &base, "--format", "sarif"])
            .stdout,
    )
    .unwrap();
    assert_eq!(sarif["version"], "2.1.0");
    let run = &sarif["runs"][0];
    let rules = run["tool"]["driver"]["rules"].as_array().unwrap();
    assert!(rules.len() > 10);
    assert!(rules.iter().all(|r| r["help"]["text"].is_string()));
    let result = &run["results"][0];
    assert_eq!(result["ruleId"], "terraform/protection-weakened");
    let index = result["ruleIndex"].as_u64().unwrap() as usize;
    assert_eq!(rules[index]["id"], "terraform/protection-weakened");
    assert_eq!(
        result["locations"][0]["physicalLocation"]["region"]["startLine"],
        3
    );
    assert!(result["partialFingerprints"]["twokeyFinding/v1"].is_string());
}

#[test]
fn markdown_carries_the_marker_the_table_and_the_verdict() {
    let (repo, base) = repo_with_base();
    repo.remove("infra/db.tf");
    repo.commit_all("drop");
    let md = repo
        .twokey(&["check", "--base", &base, "--format", "markdown"])
        .stdout;
    assert!(
        md.starts_with("<!-- twokey:report -->\n### ⛔ twokey: Needs 2 approvals (destructive"),
        "{md}"
    );
    assert!(md.contains("| Severity | Rule | Where | What goes away | Safer |"));
    assert!(md.contains("`terraform/resource-removed`"));
}

#[test]
fn a_plan_file_is_authoritative() {
    let (repo, base) = repo_with_base();
    let plan = r#"{"format_version":"1.2","terraform_version":"1.9.0","resource_changes":[
      {"address":"aws_db_instance.main","mode":"managed","type":"aws_db_instance","name":"main",
       "change":{"actions":["delete","create"],"before":{},"after":{}},"action_reason":"replace_because_cannot_update"}]}"#;
    let file = repo.path().join("plan.json");
    std::fs::write(&file, plan).unwrap();
    let report = repo
        .twokey(&[
            "check",
            "--base",
            &base,
            "--plan",
            file.to_str().unwrap(),
            "--format",
            "json",
        ])
        .json();
    assert_eq!(rules(&report), vec!["terraform/plan-replace"]);
    assert!(report["findings"][0]["message"]
        .as_str()
        .unwrap()
        .contains("aws_db_instance.main"));
    let missing = repo.twokey(&["check", "--base", &base, "--plan", "nope.json"]);
    assert_eq!(missing.code, 2);
    assert!(
        missing.stderr.contains("cannot read plan nope.json"),
        "{}",
        missing.stderr
    );
    // Read before the change is: the error is all a typo earns, not a note about the range
    // first (with no --base, HEAD is where the default branch is here).
    let missing = repo.twokey(&["check", "--plan", "nope.json"]);
    assert_eq!(missing.code, 2);
    assert!(
        missing
            .stderr
            .starts_with("twokey: error: cannot read plan"),
        "{}",
        missing.stderr
    );
}

#[test]
fn a_terragrunt_run_all_plan_is_read_unit_by_unit_and_a_directory_is_a_usage_error() {
    let (repo, base) = repo_with_base();
    // `terragrunt run-all show -json` prints one plan per unit, one after the other.
    let unit = |address: &str, actions: &str| {
        format!(
            r#"{{"format_version":"1.2","resource_changes":[{{"address":"{address}","mode":"managed","type":"aws_s3_bucket","name":"b","change":{{"actions":{actions}}}}}]}}"#
        )
    };
    let plans = [
        unit("aws_s3_bucket.kept", r#"["update"]"#),
        unit("aws_s3_bucket.gone", r#"["delete"]"#),
    ]
    .join("\n");
    let file = repo.path().join("run-all.json");
    std::fs::write(&file, plans).unwrap();
    let args = ["check", "--base", &base, "--format", "json", "--plan"];
    let report = repo
        .twokey(&[&args[..], &[file.to_str().unwrap()]].concat())
        .json();
    assert_eq!(rules(&report), vec!["terraform/plan-delete"]);
    assert_eq!(report["findings"][0]["subject"], "aws_s3_bucket.gone");
    assert_eq!(report["findings"][0]["line"], 2);
    // A directory is not a plan file that says something wrong: it is the wrong argument.
    let dir = repo.twokey(&[&args[..], &[repo.path().to_str().unwrap()]].concat());
    assert_eq!(dir.code, 2, "{}", dir.stderr);
    assert!(dir.stderr.contains("cannot read plan"), "{}", dir.stderr);
}

#[test]
fn a_binary_plan_is_a_finding_and_a_powershell_plan_is_read() {
    let (repo, base) = repo_with_base();
    // The saved plan itself (a zip archive) instead of its JSON: fail closed, with a finding
    // that says what was passed, not a usage error about UTF-8.
    let binary = repo.path().join("plan.out");
    std::fs::write(&binary, b"PK\x03\x04\x14\x00\x08\x00tfplan\xff\xfe").unwrap();
    let report = repo
        .twokey(&[
            "check",
            "--base",
            &base,
            "--plan",
            binary.to_str().unwrap(),
            "--format",
            "json",
        ])
        .json();
    assert_eq!(rules(&report), vec!["terraform/plan-unparseable"]);
    assert!(report["findings"][0]["message"]
        .as_str()
        .unwrap()
        .contains("binary plan file"));
    // `terraform show -json plan.out > plan.json` in Windows PowerShell writes UTF-16.
    let plan = r#"{"format_version":"1.2","resource_changes":[
      {"address":"aws_s3_bucket.logs","mode":"managed","type":"aws_s3_bucket","name":"logs","change":{"actions":["delete"]}}]}"#;
    let mut utf16 = vec![0xFF, 0xFE];
    utf16.extend(plan.encode_utf16().flat_map(u16::to_le_bytes));
    let file = repo.path().join("plan.json");
    std::fs::write(&file, utf16).unwrap();
    let report = repo
        .twokey(&[
            "check",
            "--base",
            &base,
            "--plan",
            file.to_str().unwrap(),
            "--format",
            "json",
        ])
        .json();
    assert_eq!(rules(&report), vec!["terraform/plan-delete"]);
}

#[test]
fn a_plan_names_the_attribute_forcing_replacement_and_forgets_quietly() {
    let (repo, base) = repo_with_base();
    let plan = r#"{
  "format_version": "1.2",
  "terraform_version": "1.9.5",
  "planned_values": { "root_module": {} },
  "resource_changes": [
    {
      "address": "aws_rds_cluster.orders",
      "mode": "managed",
      "type": "aws_rds_cluster",
      "name": "orders",
      "change": {
        "actions": ["delete", "create"],
        "before": { "kms_key_id": "arn:aws:kms:us-east-1:1:key/a" },
        "after": { "kms_key_id": "arn:aws:kms:us-east-1:1:key/b" },
        "replace_paths": [["kms_key_id"]]
      },
      "action_reason": "replace_because_cannot_update"
    },
    {
      "address": "aws_s3_bucket.legacy",
      "mode": "managed",
      "type": "aws_s3_bucket",
      "name": "legacy",
      "change": { "actions": ["forget"], "before": {}, "after": null },
      "action_reason": "delete_because_no_resource_config"
    }
  ]
}"#;
    let file = repo.path().join("plan.json");
    std::fs::write(&file, plan).unwrap();
    let report = repo
        .twokey(&[
            "check",
            "--base",
            &base,
            "--plan",
            file.to_str().unwrap(),
            "--format",
            "json",
        ])
        .json();
    // The forgotten bucket stays running: only the replacement is reported.
    assert_eq!(rules(&report), vec!["terraform/plan-replace"]);
    let finding = &report["findings"][0];
    assert_eq!(finding["severity"], "critical");
    let message = finding["message"].as_str().unwrap();
    assert!(message.contains("aws_rds_cluster.orders"), "{message}");
    assert!(
        message.contains("changing `kms_key_id` forces it"),
        "{message}"
    );
    assert!(!message.contains("legacy"), "{message}");
}

#[test]
fn a_destroy_step_added_to_a_workflow_is_found_through_the_binary() {
    let (repo, base) = repo_with_base();
    repo.write(
        ".github/workflows/deploy.yml",
        "on: push\njobs:\n  apply:\n    runs-on: ubuntu-latest\n    steps:\n      - run: |\n          cd infra\n          terraform destroy -auto-approve\n",
    );
    repo.commit_all("Recreate the environment");
    let report = repo
        .twokey(&["check", "--base", &base, "--format", "json"])
        .json();
    assert_eq!(rules(&report), vec!["shell/terraform-destroy"]);
    let finding = &report["findings"][0];
    assert_eq!(finding["path"], ".github/workflows/deploy.yml");
    assert_eq!(finding["line"], 8);
    assert_eq!(finding["severity"], "critical");
    assert_eq!(report["verdict"], "review-required");
    assert!(report["tags"]
        .as_array()
        .unwrap()
        .contains(&serde_json::json!("destructive")));
}

#[test]
fn a_copy_of_a_statement_is_new_on_the_line_the_commit_adds() {
    // The binary leaves a file's changed lines to the engine, which computes them as it reads
    // the file. Keys alone cannot tell which of two equal statements is new (they would take
    // the later one); the changed lines can.
    let (repo, _) = repo_with_base();
    repo.write(
        "db/migrations/001_cleanup.sql",
        "CREATE TABLE audit (id int);\nDROP TABLE legacy_events;\n",
    );
    let base = repo.commit_all("Drop the legacy table");
    repo.write(
        "db/migrations/001_cleanup.sql",
        "DROP TABLE legacy_events;\nCREATE TABLE audit (id int);\nDROP TABLE legacy_events;\n",
    );
    repo.commit_all("Drop it first");
    let report = repo
        .twokey(&["check", "--base", &base, "--format", "json"])
        .json();
    assert_eq!(rules(&report), vec!["sql/drop-table"]);
    assert_eq!(report["findings"][0]["line"], 1);
}

#[test]
fn a_moved_block_in_another_file_of_the_module_explains_a_rename() {
    let repo = Repo::new();
    repo.write(
        "infra/db.tf",
        "resource \"aws_db_instance\" \"main\" {\n  engine = \"postgres\"\n}\n",
    )
    .write("infra/outputs.tf", "output \"id\" {\n  value = 1\n}\n");
    let base = repo.commit_all("base");
    repo.write(
        "infra/db.tf",
        "resource \"aws_db_instance\" \"primary\" {\n  engine = \"postgres\"\n}\n",
    )
    .write(
        "infra/moves.tf",
        "moved {\n  from = aws_db_instance.main\n  to   = aws_db_instance.primary\n}\n",
    );
    repo.commit_all("Rename the database with a moved block");
    let report = repo
        .twokey(&["check", "--base", &base, "--format", "json"])
        .json();
    assert!(rules(&report).is_empty(), "{:?}", rules(&report));

    // The same rename without the moved block is destroy-and-create.
    repo.remove("infra/moves.tf");
    repo.commit_all("Drop the moved block");
    let report = repo
        .twokey(&["check", "--base", &base, "--format", "json"])
        .json();
    assert_eq!(rules(&report), vec!["terraform/renamed-without-moved"]);
}

#[test]
fn a_manifest_moved_to_a_sibling_file_is_not_a_deletion() {
    let repo = Repo::new();
    let web =
        "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\nspec:\n  replicas: 2\n";
    let api =
        "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: api\nspec:\n  replicas: 2\n";
    repo.write("k8s/web.yaml", web).write("k8s/api.yaml", api);
    let base = repo.commit_all("base");
    repo.write("k8s/api.yaml", &format!("{api}---\n{web}"))
        .remove("k8s/web.yaml");
    repo.commit_all("Keep both deployments in one file");
    let report = repo
        .twokey(&["check", "--base", &base, "--format", "json"])
        .json();
    let found = rules(&report);
    assert!(
        !found.contains(&"kubernetes/object-deleted".to_owned()),
        "{found:?}"
    );
}

/// A change large enough to be analysed on several threads: deletions, renames, a weakened
/// protection and a destroy step spread over many directories.
fn wide_change() -> (Repo, String) {
    let repo = Repo::new();
    for d in 0..12 {
        for f in 0..15 {
            repo.write(
                &format!("infra/m{d}/r{f}.tf"),
                &format!(
                    "resource \"aws_s3_bucket\" \"b{d}_{f}\" {{\n  bucket = \"b-{d}-{f}\"\n}}\n"
                ),
            );
            repo.write(
                &format!("k8s/a{d}/cm{f}.yaml"),
                &format!("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cm-{d}-{f}\ndata:\n  k: v\n"),
            );
        }
    }
    let base = repo.commit_all("base");
    for d in 0..12 {
        repo.remove(&format!("infra/m{d}/r3.tf"));
        repo.remove(&format!("k8s/a{d}/cm4.yaml"));
        repo.remove(&format!("infra/m{d}/r8.tf"));
        repo.write(
            &format!("k8s/a{d}/cm7.yaml"),
            &format!("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cm-{d}-7\ndata:\n  k: changed\n"),
        );
        repo.write(
            &format!("infra/m{d}/r5.tf"),
            &format!("resource \"aws_s3_bucket\" \"renamed_{d}\" {{\n  bucket = \"b-{d}-5\"\n}}\n"),
        );
        repo.write(
            &format!("infra/m{d}/r6.tf"),
            &format!("resource \"aws_s3_bucket\" \"b{d}_6\" {{\n  bucket = \"b-{d}-6\"\n  force_destroy = true\n}}\n"),
        );
    }
    repo.write(".github/workflows/nuke.yml", "on: push\njobs:\n  a:\n    runs-on: ubuntu-latest\n    steps:\n      - run: terraform destroy\n");
    repo.commit_all("A wide change");
    (repo, base)
}

#[test]
fn the_report_does_not_depend_on_the_number_of_threads() {
    let (repo, base) = wide_change();
    let args = ["check", "--base", base.as_str(), "--format", "json"];
    let serial = support::run_twokey_with(repo.path(), &args, &[("TWOKEY_THREADS", "1")]);
    let parallel = support::run_twokey_with(repo.path(), &args, &[("TWOKEY_THREADS", "4")]);
    assert_eq!(serial.code, 0, "{}", serial.stderr);
    let found = rules(&serial.json());
    // Enough files that the parallel path runs (the engine goes parallel from 64 files).
    assert!(serial.json()["files"]["changed"].as_u64() > Some(64));
    assert!(found.len() > 40, "{found:?}");
    for rule in [
        "terraform/renamed-without-moved",
        "terraform/protection-weakened",
        "kubernetes/object-deleted",
        "shell/terraform-destroy",
    ] {
        assert!(
            found.contains(&rule.to_owned()),
            "{rule} missing from {found:?}"
        );
    }
    assert_eq!(serial.stdout, parallel.stdout);
}

#[test]
fn a_bad_thread_count_is_a_usage_error() {
    let (repo, base) = repo_with_base();
    let run = support::run_twokey_with(
        repo.path(),
        &["check", "--base", &base],
        &[("TWOKEY_THREADS", "zero")],
    );
    assert_eq!(run.code, 2);
    assert!(run.stderr.contains("TWOKEY_THREADS"), "{}", run.stderr);
}

#[test]
fn a_workflow_granting_write_all_is_a_guardrail_that_needs_an_owner() {
    let (repo, _) = repo_with_base();
    repo.write(
        ".github/workflows/release.yml",
        "on: push\npermissions:\n  contents: read\njobs:\n  release:\n    runs-on: ubuntu-latest\n    steps:\n      - run: make release\n",
    );
    let with_workflow = repo.commit_all("Add the release workflow");
    repo.write(
        ".github/workflows/release.yml",
        "on: push\npermissions: write-all\njobs:\n  release:\n    runs-on: ubuntu-latest\n    steps:\n      - run: make release\n",
    );
    repo.commit_all("Let the release job push tags");
    let report = repo
        .twokey(&["check", "--base", &with_workflow, "--format", "json"])
        .json();
    assert_eq!(rules(&report), ["guardrail/permissions-widened"]);
    assert_eq!(report["findings"][0]["line"], 2);
    assert_eq!(report["findings"][0]["severity"], "high");
    // CI workflows are infrastructure too.
    assert_eq!(report["tags"], serde_json::json!(["infra", "guardrail"]));
    assert_eq!(report["requirement"]["from_owners"], 1);
}

#[test]
fn removing_a_database_from_a_cloudformation_template_is_critical_and_destructive() {
    let repo = Repo::new();
    let template = "\
AWSTemplateFormatVersion: '2010-09-09'
Resources:
  Database:
    Type: AWS::RDS::DBInstance
    Properties:
      DBInstanceClass: db.t3.micro
      Engine: postgres
      MasterUsername: !Ref DbUser
  Uploads:
    Type: AWS::S3::Bucket
";
    repo.write("infra/stack.yaml", template);
    let base = repo.commit_all("base");
    let without_database = template.replace(
        "  Database:\n    Type: AWS::RDS::DBInstance\n    Properties:\n      DBInstanceClass: db.t3.micro\n      Engine: postgres\n      MasterUsername: !Ref DbUser\n",
        "",
    );
    assert_ne!(without_database, template);
    repo.write("infra/stack.yaml", &without_database);
    repo.commit_all("Drop the old database");
    let report = repo
        .twokey(&["check", "--base", &base, "--format", "json"])
        .json();
    assert_eq!(rules(&report), vec!["cloudformation/resource-removed"]);
    let finding = &report["findings"][0];
    assert_eq!(finding["severity"], "critical");
    assert_eq!(finding["tags"], serde_json::json!(["destructive", "infra"]));
    assert_eq!(finding["path"], "infra/stack.yaml");
    assert_eq!(finding["side"], "base");
    assert_eq!(finding["line"], 4);
    assert!(report["tags"]
        .as_array()
        .expect("tags")
        .contains(&serde_json::json!("destructive")));
    assert_eq!(report["verdict"], "review-required");
}

#[test]
fn a_table_and_a_function_removed_from_serverless_yml_are_found_through_the_binary() {
    let repo = Repo::new();
    let service = "\
service: shop
provider:
  name: aws
  runtime: nodejs20.x
functions:
  report:
    handler: src/report.run
  checkout:
    handler: src/checkout.run
resources:
  Resources:
    Orders:
      Type: AWS::DynamoDB::Table
      Properties:
        TableName: ${self:service}-orders-${sls:stage}
        BillingMode: PAY_PER_REQUEST
    Events:
      Type: AWS::SNS::Topic
";
    repo.write("services/shop/serverless.yml", service);
    let base = repo.commit_all("base");
    let head = service
        .replace("  report:\n    handler: src/report.run\n", "")
        .replace(
            "    Orders:\n      Type: AWS::DynamoDB::Table\n      Properties:\n        TableName: ${self:service}-orders-${sls:stage}\n        BillingMode: PAY_PER_REQUEST\n",
            "",
        );
    repo.write("services/shop/serverless.yml", &head);
    repo.commit_all("Drop the report and the orders table");
    let report = repo
        .twokey(&["check", "--base", &base, "--format", "json"])
        .json();
    let mut found = rules(&report);
    found.sort();
    assert_eq!(
        found,
        [
            "cloudformation/resource-removed",
            "serverless/function-removed"
        ]
    );
    let findings = report["findings"].as_array().expect("findings");
    let table = findings
        .iter()
        .find(|f| f["rule"] == "cloudformation/resource-removed")
        .expect("the table");
    assert_eq!(table["severity"], "critical");
    assert_eq!(table["path"], "services/shop/serverless.yml");
    assert_eq!(table["side"], "base");
    assert_eq!(table["line"], 13);
    assert!(table["message"]
        .as_str()
        .expect("message")
        .contains("the next `serverless deploy` deletes it"));
    let function = findings
        .iter()
        .find(|f| f["rule"] == "serverless/function-removed")
        .expect("the function");
    assert_eq!(function["severity"], "medium");
    assert_eq!(function["line"], 7);
    assert_eq!(report["verdict"], "review-required");
    assert!(report["tags"]
        .as_array()
        .expect("tags")
        .contains(&serde_json::json!("destructive")));
}

#[test]
fn a_django_migration_that_removes_a_field_is_found_through_the_binary() {
    let (repo, _) = repo_with_base();
    let migration = |ops: &str| {
        format!("from django.db import migrations\n\n\nclass Migration(migrations.Migration):\n    dependencies = [(\"shop\", \"0001_initial\")]\n\n    operations = [\n{ops}    ]\n")
    };
    repo.write(
        "shop/migrations/0002_cleanup.py",
        &migration("        migrations.AddField(model_name=\"order\", name=\"note\", field=models.TextField(null=True)),\n"),
    );
    let base = repo.commit_all("Add a note to orders");
    repo.write(
        "shop/migrations/0002_cleanup.py",
        &migration("        migrations.AddField(model_name=\"order\", name=\"note\", field=models.TextField(null=True)),\n        migrations.RemoveField(\n            model_name=\"order\",\n            name=\"coupon\",\n        ),\n"),
    );
    repo.commit_all("Drop the coupon column");
    let report = repo
        .twokey(&["check", "--base", &base, "--format", "json"])
        .json();
    assert_eq!(rules(&report), vec!["sql/drop-column"]);
    let finding = &report["findings"][0];
    assert_eq!(finding["path"], "shop/migrations/0002_cleanup.py");
    assert_eq!(finding["line"], 9);
    assert!(
        finding["message"]
            .as_str()
            .is_some_and(|m| m.contains("order.coupon")),
        "{finding}"
    );
    assert_eq!(report["verdict"], "review-required");
    let tags = report["tags"].as_array().cloned().unwrap_or_default();
    assert!(tags.contains(&serde_json::json!("destructive")), "{tags:?}");
}

#[test]
fn a_yaml_file_too_large_to_classify_needs_a_human() {
    let (repo, base) = repo_with_base();
    let docs: Vec<String> = (0..30_000)
        .map(|i| {
            format!(
                "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cm{i}\ndata:\n  k: \"{i}\"\n"
            )
        })
        .collect();
    repo.write("deploy/huge.yaml", &docs.join("---\n"));
    repo.write("docs/small.yaml", "title: notes\n");
    repo.commit_all("A manifest over the size limit");
    let report = repo
        .twokey(&["check", "--base", &base, "--format", "json"])
        .json();
    assert_eq!(rules(&report), ["git/unreadable-infra-file"]);
    assert_eq!(
        report["files"]["infra"],
        serde_json::json!(["deploy/huge.yaml"])
    );
    assert_eq!(
        report["files"]["not_analysed"][0]["path"],
        "deploy/huge.yaml"
    );
    assert_eq!(report["verdict"], "review-required");
}

#[test]
fn laravel_and_typeorm_migrations_are_infra_and_their_drops_are_found_through_the_binary() {
    let (repo, base) = repo_with_base();
    repo.write(
        "database/migrations/2024_01_01_000000_drop_users.php",
        "<?php\n\nreturn new class extends Migration\n{\n    public function up(): void\n    {\n        Schema::dropIfExists('users');\n    }\n\n    public function down(): void\n    {\n        Schema::create('users', function (Blueprint $table) {\n            $table->id();\n        });\n    }\n};\n",
    );
    // A TypeORM migration outside a migrations directory is recognised by its interface.
    repo.write(
        "src/db/1700000000000-DropEmailMigration.ts",
        "import { MigrationInterface, QueryRunner } from \"typeorm\";\n\nexport class DropEmail1700000000000 implements MigrationInterface {\n    public async up(queryRunner: QueryRunner): Promise<void> {\n        await queryRunner.query(`ALTER TABLE \"user\" DROP COLUMN \"email\"`);\n    }\n\n    public async down(queryRunner: QueryRunner): Promise<void> {\n        await queryRunner.query(`ALTER TABLE \"user\" ADD \"email\" varchar`);\n    }\n}\n",
    );
    repo.commit_all("Drop users and user.email");
    let report = repo
        .twokey(&["check", "--base", &base, "--format", "json"])
        .json();
    assert_eq!(rules(&report), vec!["sql/drop-table", "sql/drop-column"]);
    let infra = report["files"]["infra"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    assert_eq!(infra.len(), 2, "{infra:?}");
    assert_eq!(report["findings"][0]["line"], 7);
    assert_eq!(report["verdict"], "review-required");
}

#[test]
fn checking_the_default_branch_itself_says_there_is_nothing_to_compare() {
    let (repo, _) = repo_with_base();
    let run = repo.twokey(&["check", "--format", "json"]);
    assert_eq!(run.code, 0);
    assert!(run.stderr.contains("nothing to compare"), "{}", run.stderr);
    assert_eq!(run.json()["files"]["changed"], 0);
    // A change that compares something says nothing of the kind.
    repo.checkout_new("feature");
    repo.write("src/app.py", "print('hello')\n");
    repo.commit_all("Say hello");
    let run = repo.twokey(&["check", "--format", "json"]);
    assert!(!run.stderr.contains("nothing to compare"), "{}", run.stderr);
}

#[test]
fn json_manifests_are_compared_like_yaml_ones() {
    let repo = Repo::new();
    repo.write(
        "k8s/ns.json",
        "{\"apiVersion\":\"v1\",\"kind\":\"Namespace\",\"metadata\":{\"name\":\"shop\"}}\n",
    )
    .write(
        "k8s/list.json",
        "{\"apiVersion\":\"v1\",\"kind\":\"List\",\"items\":[{\"apiVersion\":\"v1\",\"kind\":\"PersistentVolumeClaim\",\"metadata\":{\"name\":\"data\"},\"spec\":{}}]}\n",
    );
    let base = repo.commit_all("base");
    repo.remove("k8s/ns.json");
    repo.write(
        "k8s/list.json",
        "{\"apiVersion\":\"v1\",\"kind\":\"List\",\"items\":[]}\n",
    );
    repo.commit_all("Remove the namespace and the claim");
    let report = repo
        .twokey(&["check", "--base", &base, "--format", "json"])
        .json();
    let mut found = rules(&report);
    found.sort();
    assert_eq!(
        found,
        ["kubernetes/namespace-deleted", "kubernetes/volume-deleted"]
    );
}

#[test]
fn a_cdk_app_that_drops_a_tables_retention_and_a_pulumi_program_that_removes_one_are_found() {
    let repo = Repo::new();
    let stack = "\
import { Stack, StackProps, RemovalPolicy } from 'aws-cdk-lib';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';

export class OrdersStack extends Stack {
  constructor(scope: Construct, id: string, props?: StackProps) {
    super(scope, id, props);
    new dynamodb.Table(this, 'Orders', {
      partitionKey: { name: 'pk', type: dynamodb.AttributeType.STRING },
      removalPolicy: RemovalPolicy.RETAIN,
    });
  }
}
";
    let program = "\
import * as aws from \"@pulumi/aws\";

const table = new aws.dynamodb.Table(\"orders\", { hashKey: \"id\" });
export const name = table.name;
";
    repo.write("cdk.json", "{ \"app\": \"npx ts-node bin/app.ts\" }\n")
        .write("lib/orders-stack.ts", stack)
        .write("pulumi/index.ts", program)
        .write("src/app.ts", "import express from 'express';\n");
    let base = repo.commit_all("base");
    repo.write(
        "lib/orders-stack.ts",
        &stack.replace("RemovalPolicy.RETAIN", "RemovalPolicy.DESTROY"),
    )
    .write(
        "pulumi/index.ts",
        "import * as aws from \"@pulumi/aws\";\n\nexport const name = \"gone\";\n",
    )
    .write(
        "src/app.ts",
        "import express from 'express';\nconst app = express();\n",
    );
    repo.commit_all("Clean up the orders tables");
    let report = repo
        .twokey(&["check", "--base", &base, "--format", "json"])
        .json();
    assert_eq!(
        rules(&report),
        vec!["pulumi/resource-removed", "cdk/removal-policy-destroy"],
        "the critical finding first"
    );
    let findings = report["findings"].as_array().cloned().unwrap_or_default();
    let at = |rule: &str| {
        findings
            .iter()
            .find(|f| f["rule"] == rule)
            .cloned()
            .unwrap_or_default()
    };
    let policy = at("cdk/removal-policy-destroy");
    assert_eq!(policy["path"], "lib/orders-stack.ts");
    assert_eq!(policy["line"], 9);
    let removed = at("pulumi/resource-removed");
    assert_eq!(removed["severity"], "critical");
    assert_eq!(
        (removed["side"].clone(), removed["line"].clone()),
        ("base".into(), 3.into())
    );
    assert_eq!(report["verdict"], "review-required");
    let infra = report["files"]["infra"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    assert!(
        !infra.contains(&serde_json::json!("src/app.ts")),
        "application code stays application code: {infra:?}"
    );
}

#[test]
fn a_claim_newly_wrapped_in_a_helm_if_is_found_through_the_binary() {
    let repo = Repo::new();
    let claim = "apiVersion: v1\nkind: PersistentVolumeClaim\nmetadata:\n  name: {{ include \"app.fullname\" . }}-data\nspec:\n  accessModes: [ReadWriteOnce]\n  resources:\n    requests:\n      storage: {{ .Values.persistence.size }}\n";
    repo.write(
        "charts/app/Chart.yaml",
        "apiVersion: v2\nname: app\nversion: 1.0.0\n",
    )
    .write("charts/app/values.yaml", "persistence:\n  size: 10Gi\n")
    .write("charts/app/templates/pvc.yaml", claim);
    let base = repo.commit_all("base");
    repo.write(
        "charts/app/templates/pvc.yaml",
        &format!("{{{{- if .Values.persistence.enabled }}}}\n{claim}{{{{- end }}}}\n"),
    );
    repo.commit_all("Make persistence optional");
    let report = repo
        .twokey(&["check", "--base", &base, "--format", "json"])
        .json();
    assert_eq!(
        rules(&report),
        vec!["kubernetes/helm-object-made-conditional"]
    );
    let finding = &report["findings"][0];
    assert_eq!(finding["severity"], "high");
    assert_eq!(finding["line"], 1);
    let message = finding["message"].as_str().unwrap_or("");
    assert!(
        message.contains("`.Values.persistence.enabled` evaluates false"),
        "{message}"
    );
    assert_eq!(report["verdict"], "review-required");
}

#[test]
fn a_claim_deleted_from_a_chart_template_is_found_through_the_binary() {
    let repo = Repo::new();
    let claim = "apiVersion: v1\nkind: PersistentVolumeClaim\nmetadata:\n  name: {{ include \"app.fullname\" . }}-data\nspec:\n  accessModes: [ReadWriteOnce]\n  resources:\n    requests:\n      storage: {{ .Values.persistence.size }}\n";
    let config = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {{ include \"app.fullname\" . }}-config\ndata:\n  LOG_LEVEL: {{ .Values.logLevel | quote }}\n";
    let account = "apiVersion: v1\nkind: ServiceAccount\nmetadata:\n  name: {{ include \"app.fullname\" . }}\n";
    repo.write(
        "charts/app/Chart.yaml",
        "apiVersion: v2\nname: app\nversion: 1.0.0\n",
    )
    .write("charts/app/values.yaml", "persistence:\n  size: 10Gi\n")
    .write(
        "charts/app/templates/app.yaml",
        &format!("{claim}---\n{config}---\n{account}"),
    );
    let base = repo.commit_all("base");
    // The claim goes; the ConfigMap moves to a template of its own, spelled differently.
    repo.write("charts/app/templates/app.yaml", account).write(
        "charts/app/templates/config.yaml",
        &config.replace(
            "{{ include \"app.fullname\" . }}",
            "{{include \"app.fullname\" .}}",
        ),
    );
    repo.commit_all("Drop the data claim, split the config out");
    let report = repo
        .twokey(&["check", "--base", &base, "--format", "json"])
        .json();
    assert_eq!(rules(&report), vec!["kubernetes/volume-deleted"]);
    let finding = &report["findings"][0];
    assert_eq!(finding["severity"], "critical");
    assert_eq!(finding["path"], "charts/app/templates/app.yaml");
    assert_eq!(finding["line"], 1);
    let message = finding["message"].as_str().unwrap_or("");
    assert!(
        message.contains("PersistentVolumeClaim {{ include \"app.fullname\" . }}-data is removed"),
        "{message}"
    );
    assert_eq!(report["verdict"], "review-required");
}

#[test]
fn a_tfvars_value_that_switches_off_a_count_in_an_untouched_file_is_found_through_the_binary() {
    let repo = Repo::new();
    repo.write(
        "live/main.tf",
        "variable \"enable_db\" {\n  type    = bool\n  default = true\n}\n\n\
         resource \"aws_db_instance\" \"main\" {\n  count  = var.enable_db ? 1 : 0\n  engine = \"postgres\"\n}\n",
    )
    .write("live/terraform.tfvars", "region    = \"eu-west-1\"\nenable_db = true\n");
    let base = repo.commit_all("base");
    repo.write(
        "live/terraform.tfvars",
        "region    = \"eu-west-1\"\nenable_db = false\n",
    );
    repo.commit_all("Turn the database off");
    let report = repo
        .twokey(&["check", "--base", &base, "--format", "json"])
        .json();
    assert_eq!(rules(&report), vec!["terraform/create-switch-off"]);
    let finding = &report["findings"][0];
    assert_eq!(finding["path"], "live/terraform.tfvars");
    assert_eq!(finding["line"], 2);
    assert_eq!(finding["severity"], "critical");
    assert!(
        finding["message"]
            .as_str()
            .is_some_and(|m| m.contains("`aws_db_instance.main`")),
        "{finding}"
    );
}

#[test]
fn a_stack_moved_to_another_region_is_found_and_its_other_settings_stay_quiet() {
    let repo = Repo::new();
    let program = "name: shop\nruntime: yaml\nresources:\n  site:\n    type: aws:s3:Bucket\n";
    let prod = "config:\n  aws:region: us-east-1\n  shop:replicas: \"2\"\n";
    let dev = "config:\n  aws:region: us-west-2\n  shop:replicas: \"1\"\n";
    repo.write("infra/Pulumi.yaml", program)
        .write("infra/Pulumi.prod.yaml", prod)
        .write("infra/Pulumi.dev.yaml", dev);
    let base = repo.commit_all("base");
    repo.write(
        "infra/Pulumi.prod.yaml",
        &prod.replace("us-east-1", "eu-west-1"),
    )
    .write("infra/Pulumi.dev.yaml", &dev.replace("\"1\"", "\"3\""));
    repo.commit_all("Run prod in Europe");
    let report = repo
        .twokey(&["check", "--base", &base, "--format", "json"])
        .json();
    assert_eq!(rules(&report), vec!["pulumi/stack-region-changed"]);
    let finding = &report["findings"][0];
    assert_eq!(finding["path"], "infra/Pulumi.prod.yaml");
    assert_eq!(finding["line"], 2);
    assert_eq!(finding["severity"], "high");
    let message = finding["message"].as_str().unwrap_or_default();
    for part in ["stack `prod`", "`us-east-1`", "`eu-west-1`"] {
        assert!(message.contains(part), "{part}: {message}");
    }
    assert_eq!(report["verdict"], "review-required");
}

#[test]
fn loosened_branch_protection_names_each_setting_at_its_line() {
    let (repo, _) = repo_with_base();
    let protection = "\
resource \"github_branch_protection\" \"main\" {
  repository_id  = \"R_1\"
  pattern        = \"main\"
  enforce_admins = true

  required_pull_request_reviews {
    required_approving_review_count = 2
  }

  required_status_checks {
    contexts = [\"build\", \"twokey\"]
  }
}
";
    repo.write("infra/github/main.tf", protection);
    let with_protection = repo.commit_all("Protect main");
    repo.write(
        "infra/github/main.tf",
        &protection
            .replace("count = 2", "count = 1")
            .replace("[\"build\", \"twokey\"]", "[\"build\"]")
            .replace("enforce_admins = true", "enforce_admins = false"),
    );
    repo.commit_all("Relax protection");
    let report = repo
        .twokey(&["check", "--base", &with_protection, "--format", "json"])
        .json();
    assert_eq!(
        rules(&report),
        ["guardrail/branch-protection-changed"; 3],
        "{report:#}"
    );
    let mut said: Vec<(u64, String)> = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            assert_eq!(f["severity"], "high");
            (
                f["line"].as_u64().unwrap(),
                f["message"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    said.sort();
    assert!(
        said[0].1.contains("`enforce_admins` is turned off"),
        "{said:?}"
    );
    assert!(said[1].1.contains("lowered from 2 to 1"), "{said:?}");
    assert!(
        said[2]
            .1
            .contains("the `twokey` status check is no longer required"),
        "{said:?}"
    );
    assert_eq!(said.iter().map(|(l, _)| *l).collect::<Vec<_>>(), [4, 7, 11]);
    assert_eq!(report["verdict"], "review-required");
}

#[test]
fn two_config_files_on_the_base_are_an_error_and_one_under_either_name_is_read() {
    let repo = Repo::new();
    repo.write(
        ".github/twokey.yaml",
        "version: 1\ntiers:\n  - name: infra\n    when: {tags: [infra]}\n    approvals: 3\n",
    )
    .write(
        "infra/db.tf",
        "resource \"aws_s3_bucket\" \"logs\" {\n  bucket = \"acme-logs\"\n}\n",
    );
    let base = repo.commit_all("base with a .yaml policy");
    repo.write(
        "infra/db.tf",
        "resource \"aws_s3_bucket\" \"logs\" {\n  bucket = \"acme-logs\"\n  tags   = {}\n}\n",
    );
    repo.commit_all("tag");
    let report = repo
        .twokey(&["check", "--base", &base, "--format", "json"])
        .json();
    assert_eq!(report["config"], ".github/twokey.yaml at the base revision");
    assert_eq!(report["requirement"]["approvals"], 3);
    // `config validate` without a file finds the .yaml one too.
    let validate = repo.twokey(&["config", "validate"]);
    assert_eq!(validate.code, 0, "{}", validate.stderr);
    assert!(
        validate.stdout.contains(".github/twokey.yaml: valid"),
        "{}",
        validate.stdout
    );

    repo.git(&["checkout", "-q", &base]);
    repo.write(".github/twokey.yml", "version: 1\n");
    let both = repo.commit_all("a second policy file");
    repo.write("x.txt", "x");
    repo.commit_all("x");
    let run = repo.twokey(&["check", "--base", &both]);
    assert_eq!(run.code, 2);
    assert!(
        run.stderr
            .contains("both .github/twokey.yml and .github/twokey.yaml"),
        "{}",
        run.stderr
    );
    // `config validate` does not call one of the two valid when a check would stop.
    let validate = repo.twokey(&["config", "validate"]);
    assert_eq!(validate.code, 2, "{}", validate.stdout);
    assert!(
        validate
            .stderr
            .contains("both .github/twokey.yml and .github/twokey.yaml exist"),
        "{}",
        validate.stderr
    );
    let named = repo.twokey(&["config", "validate", ".github/twokey.yml"]);
    assert_eq!(named.code, 0, "{}", named.stderr);
}

#[test]
fn a_config_on_the_base_that_is_not_utf8_is_named_in_words() {
    let repo = Repo::new();
    std::fs::create_dir_all(repo.path().join(".github")).unwrap();
    std::fs::write(
        repo.path().join(".github/twokey.yml"),
        b"version: 1\nowners: [\xff]\n",
    )
    .unwrap();
    let base = repo.commit_all("base");
    repo.write("x.txt", "x");
    repo.commit_all("x");
    let run = repo.twokey(&["check", "--base", &base]);
    assert_eq!(run.code, 2);
    assert!(run.stderr.contains("is not UTF-8 text"), "{}", run.stderr);
    assert!(!run.stderr.contains("NotUtf8"), "{}", run.stderr);
    let validate = repo.twokey(&["config", "validate", ".github/twokey.yml"]);
    assert_eq!(validate.code, 2);
    assert!(
        validate.stderr.contains("is not UTF-8 text"),
        "{}",
        validate.stderr
    );
}

/// A repository whose head adds a queue beside a bucket: infrastructure, nothing destroyed.
fn queue_added() -> (Repo, String, String) {
    let repo = Repo::new();
    repo.write("infra/main.tf", "resource \"aws_s3_bucket\" \"logs\" {}\n");
    let base = repo.commit_all("base");
    repo.write(
        "infra/main.tf",
        "resource \"aws_s3_bucket\" \"logs\" {}\nresource \"aws_sqs_queue\" \"jobs\" {}\n",
    );
    let head = repo.commit_all("queue");
    (repo, base, head)
}

/// A review list as GitHub sends it: every field, `commit_id` on `head`.
fn api_review(id: u64, login: &str, user_id: u64, state: &str, head: &str) -> String {
    format!(
        r#"{{"id": {id}, "node_id": "PRR_kwDO{id}", "user": {{"login": "{login}", "id": {user_id}, "node_id": "U_{user_id}", "type": "User", "site_admin": false}}, "body": "", "state": "{state}", "html_url": "https://github.com/acme/infra/pull/42#pullrequestreview-{id}", "pull_request_url": "https://api.github.com/repos/acme/infra/pulls/42", "author_association": "MEMBER", "_links": {{}}, "submitted_at": "2026-03-01T10:00:00Z", "commit_id": "{head}"}}"#
    )
}

#[test]
fn review_files_from_gh_paginate_slurp_are_read_and_inconsistent_ones_refused() {
    let (repo, base, head) = queue_added();
    let check = |text: &str| repo.check_with_reviews(&base, text, &["--format", "json"]);
    // `gh api --paginate --slurp`, saved by PowerShell with a byte-order mark: carol's
    // approval and, in the same second but with a later id, her request for changes.
    let slurped = format!(
        "\u{feff}[[{}], [{}]]",
        api_review(10, "carol", 7, "APPROVED", &head),
        api_review(11, "carol", 7, "CHANGES_REQUESTED", &head)
    );
    let run = check(&slurped);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let report = run.json();
    assert_eq!(report["verdict"], "review-required");
    assert_eq!(
        report["reviews"]["changes_requested"],
        serde_json::json!(["carol"])
    );
    // The same id saying two things: the file cannot be trusted.
    let clash = format!(
        "[{}, {}]",
        api_review(10, "carol", 7, "APPROVED", &head),
        api_review(10, "carol", 7, "CHANGES_REQUESTED", &head)
    );
    let run = check(&clash);
    assert_eq!(run.code, 2, "{}", run.stdout);
    assert!(run.stderr.contains("has id 10"), "{}", run.stderr);
    assert!(!run.stderr.contains("panicked"), "{}", run.stderr);
}

#[test]
fn the_pull_request_author_given_in_the_reviews_file_never_counts() {
    // Committed by a build account; opened on GitHub by alice.
    let (repo, base, head) = queue_added();
    let reviews = format!(
        r#"{{"reviews": [{}], "pull_request": {{"number": 42, "title": "Add a queue", "body": null, "user": {{"login": "alice", "id": 1001, "type": "User"}}, "head": {{"sha": "{head}"}}}}}}"#,
        api_review(10, "Alice", 1001, "APPROVED", &head)
    );
    let run = repo.check_with_reviews(&base, &reviews, &["--format", "json"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let report = run.json();
    assert_eq!(report["verdict"], "review-required");
    assert_eq!(report["reviews"]["counted"], serde_json::json!([]));
    let ignored = report["reviews"]["ignored"].to_string();
    assert!(ignored.contains("the pull request author"), "{ignored}");
}
