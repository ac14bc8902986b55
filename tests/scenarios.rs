//! Incidents as a platform team meets them, end to end through the binary: an agent carries
//! out one destructive intent quietly, its operator approves, so do a bot and an AI reviewer,
//! and a colleague. And a harmless agent change, which one colleague's approval lets through.

mod support;
use support::{rules, Commit, Repo};

/// The operator's approval, a colleague's, a bot's and an AI reviewer's, all on `head`.
fn reviews(repo: &Repo, operator: &str, head: &str) -> String {
    let file = repo.path().join("reviews.json");
    let review = |login: &str, kind: &str| {
        format!(
            r#"{{"user": {{"login": "{login}", "type": "{kind}"}}, "state": "APPROVED", "commit_id": "{head}"}}"#
        )
    };
    let list = [
        review(operator, "User"),
        review("carol", "User"),
        review("dependabot[bot]", "Bot"),
        review("copilot-pull-request-reviewer[bot]", "Bot"),
        review("coderabbitai", "User"),
    ];
    std::fs::write(&file, format!("[{}]", list.join(","))).unwrap();
    file.to_str().unwrap().to_owned()
}

const NAMESPACE: &str = "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: payments\n";
const DEPLOYMENT: &str = "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: payments-api\n  namespace: payments\nspec:\n  replicas: 3\n";
const PAYMENTS: &str = "apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nresources:\n  - namespace.yaml\n  - deployment.yaml\n";

/// Copilot removes a namespace, its workload and its kustomization from a GitOps repository,
/// and drops the directory from the cluster's kustomization.
fn gitops_namespace_removed() -> (Repo, String, String) {
    let repo = Repo::new();
    repo.write("clusters/prod/payments/namespace.yaml", NAMESPACE)
        .write("clusters/prod/payments/deployment.yaml", DEPLOYMENT)
        .write("clusters/prod/payments/kustomization.yaml", PAYMENTS)
        .write(
            "clusters/prod/kustomization.yaml",
            "apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nresources:\n  - payments\n",
        );
    let base = repo.commit_all("Payments in prod");
    repo.checkout_new("copilot/fix-142");
    repo.remove("clusters/prod/payments/namespace.yaml")
        .remove("clusters/prod/payments/deployment.yaml")
        .remove("clusters/prod/payments/kustomization.yaml")
        .write(
            "clusters/prod/kustomization.yaml",
            "apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nresources: []\n",
        );
    let head = repo.commit(Commit {
        author: "copilot-swe-agent[bot]",
        email: "198982749+Copilot@users.noreply.github.com",
        message: "Remove unused payments namespace\n\nCo-authored-by: bob <4242+bob@users.noreply.github.com>",
    });
    (repo, base, head)
}

#[test]
fn an_agent_removing_a_namespace_from_gitops_is_reported_once_per_object() {
    let (repo, base, head) = gitops_namespace_removed();
    let file = reviews(&repo, "bob", &head);
    let run = repo.twokey(&[
        "check",
        "--base",
        &base,
        "--reviews",
        &file,
        "--format",
        "json",
    ]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let report = run.json();
    assert_eq!(report["verdict"], "review-required");
    let mut found = rules(&report);
    found.sort();
    // The namespace, the workload and the dropped entry; not the kustomization that listed
    // only the deleted manifests a fourth time.
    assert_eq!(
        found,
        [
            "kubernetes/kustomize-resource-dropped",
            "kubernetes/namespace-deleted",
            "kubernetes/object-deleted"
        ]
    );
    assert_eq!(report["reviews"]["counted"], serde_json::json!(["carol"]));
    let ignored = report["reviews"]["ignored"].to_string();
    for who in [
        "@bob",
        "@dependabot[bot]",
        "@copilot-pull-request-reviewer[bot]",
        "@coderabbitai",
    ] {
        assert!(ignored.contains(who), "{who} in {ignored}");
    }

    // The pull-request comment keeps who could never count apart from the reviews posted.
    let md = repo
        .twokey(&[
            "check",
            "--base",
            &base,
            "--reviews",
            &file,
            "--format",
            "markdown",
        ])
        .stdout;
    let (never, posted) = md
        .split_once("**Reviews that do not count:**")
        .unwrap_or_else(|| panic!("{md}"));
    assert!(
        never.contains("**Approvals that will not count:**\n- @bob: operator of copilot"),
        "{md}"
    );
    assert!(
        posted.contains("- @bob: approval does not count: the agent's operator"),
        "{md}"
    );
    assert!(
        posted.contains("- @coderabbitai: approval does not count: an AI reviewer"),
        "{md}"
    );
}

#[test]
fn an_agent_renaming_a_stack_by_deleting_it_in_ci_names_the_stack_and_what_goes() {
    let repo = Repo::new();
    let workflow = |steps: &str| {
        format!("name: deploy\non: {{push: {{branches: [main]}}}}\njobs:\n  deploy:\n    runs-on: ubuntu-latest\n    steps:\n      - uses: actions/checkout@v4\n{steps}")
    };
    repo.write(
        ".github/workflows/deploy.yml",
        &workflow("      - run: sam deploy --stack-name orders-prod\n"),
    );
    let base = repo.commit_all("Deploy the orders stack");
    repo.checkout_new("codex/rename-stack");
    repo.write(
        ".github/workflows/deploy.yml",
        &workflow("      - run: aws cloudformation delete-stack --stack-name orders-prod\n      - run: sam deploy --stack-name orders-production\n"),
    );
    let head = repo.commit(Commit {
        author: "Erin Ops",
        email: "erin@acme.example",
        message: "Rename the orders stack",
    });
    let file = reviews(&repo, "erin", &head);
    let run = repo.twokey(&["check", "--base", &base, "--reviews", &file]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let out = &run.stdout;
    assert!(out.contains("agent-authored: codex"), "{out}");
    assert!(
        out.contains("shell/cloud-delete .github/workflows/deploy.yml:8"),
        "{out}"
    );
    assert!(
        out.contains("deletes the stack `orders-prod` and every resource it created"),
        "{out}"
    );
    assert!(out.contains("DeletionPolicy: Retain"), "{out}");
    assert!(
        out.contains("review-required Needs 2 approvals (destructive"),
        "{out}"
    );
    assert!(
        out.contains("@erin: approval does not count: a commit author"),
        "{out}"
    );
}

#[test]
fn a_harmless_agent_docs_change_passes_with_one_colleagues_approval() {
    let repo = Repo::new();
    repo.write("docs/runbook.md", "# Runbook\n").write(
        "infra/main.tf",
        "resource \"aws_s3_bucket\" \"data\" {\n  bucket = \"acme-data\"\n}\n",
    );
    let base = repo.commit_all("base");
    repo.checkout_new("cursor/docs-runbook");
    repo.write(
        "docs/runbook.md",
        "# Runbook\n\nNever delete the namespace.\n",
    );
    let head = repo.commit(Commit {
        author: "Frank Fin",
        email: "frank@acme.example",
        message: "Expand the runbook\n\nCo-authored-by: Cursor Agent <cursoragent@cursor.com>",
    });
    let dry = repo.twokey(&[
        "check",
        "--base",
        &base,
        "--format",
        "json",
        "--fail-on",
        "review-required",
    ]);
    assert_eq!(dry.code, 1, "{}", dry.stdout);
    let report = dry.json();
    assert_eq!(report["tags"], serde_json::json!(["agent-authored"]));
    assert_eq!(report["requirement"]["approvals"], 1);
    assert!(rules(&report).is_empty());

    let file = reviews(&repo, "frank", &head);
    let run = repo.twokey(&[
        "check",
        "--base",
        &base,
        "--reviews",
        &file,
        "--fail-on",
        "review-required",
    ]);
    assert_eq!(run.code, 0, "{}", run.stdout);
    assert!(
        run.stdout
            .contains("ok Approved by @carol (agent-authored)"),
        "{}",
        run.stdout
    );
    assert!(
        run.stdout
            .contains("@frank: approval does not count: the agent's operator"),
        "{}",
        run.stdout
    );
}
