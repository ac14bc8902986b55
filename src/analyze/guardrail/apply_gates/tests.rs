//! Before/after pairs for the gates of Terraform automation.

use super::super::super::files::testkit::{ids, Case};
use super::*;
use crate::finding::Finding;

const APPROVAL: &str = "guardrail/apply-approval-removed";
const DESTROY: &str = "guardrail/apply-destroy-allowed";

fn run(case: Case) -> Vec<Finding> {
    case.run(analyze)
}

fn modified(path: &str, old: &str, new: &str) -> Vec<&'static str> {
    ids(&run(Case::modified(path, old, new)))
}

fn atlantis(reqs: &str) -> String {
    format!("version: 3\nprojects:\n- name: prod\n  dir: envs/prod\n  apply_requirements: {reqs}\n")
}

fn workspace(body: &str) -> String {
    format!("resource \"tfe_workspace\" \"prod\" {{\n  name = \"prod\"\n{body}}}\n")
}

fn environment(body: &str) -> String {
    format!("resource \"github_repository_environment\" \"prod\" {{\n  repository  = \"infra\"\n  environment = \"production\"\n{body}}}\n")
}

const REVIEWERS: &str = "  reviewers {\n    teams = [data.github_team.platform.id]\n  }\n";

#[test]
fn dropping_approved_from_an_atlantis_project_is_reported_at_its_line() {
    let f = run(Case::modified(
        "atlantis.yaml",
        &atlantis("[approved, mergeable]"),
        &atlantis("[mergeable]"),
    ));
    assert_eq!(ids(&f), [APPROVAL]);
    assert_eq!(f[0].location.line, Some(5));
    assert!(f[0].message.contains("`approved`"), "{}", f[0].message);
}

#[test]
fn removing_the_requirements_key_or_the_file_is_reported() {
    let bare = "version: 3\nprojects:\n- name: prod\n  dir: envs/prod\n";
    assert_eq!(
        modified("atlantis.yaml", &atlantis("[approved]"), bare),
        [APPROVAL]
    );
    let f = run(Case::deleted("atlantis.yaml", &atlantis("[approved]")));
    assert_eq!(ids(&f), [APPROVAL]);
}

#[test]
fn adding_reordering_or_reformatting_atlantis_requirements_is_quiet() {
    let a = "atlantis.yaml";
    assert!(modified(
        a,
        &atlantis("[mergeable]"),
        &atlantis("[approved, mergeable]")
    )
    .is_empty());
    assert!(modified(
        a,
        &atlantis("[approved, mergeable]"),
        &atlantis("[mergeable, approved]")
    )
    .is_empty());
    assert!(modified(a, &atlantis("[approved]"), &atlantis("\n  - approved")).is_empty());
    // Renaming the project keeps its directory, which is what Atlantis runs.
    let renamed = atlantis("[approved]").replace("name: prod", "name: production");
    assert!(modified(a, &atlantis("[approved]"), &renamed).is_empty());
}

#[test]
fn the_atlantis_server_config_may_not_widen_overrides_or_allow_custom_workflows() {
    let srv = |body: &str| format!("repos:\n- id: /.*/\n  apply_requirements: [approved]\n{body}");
    let p = "atlantis/repos.yaml";
    assert_eq!(
        modified(
            p,
            &srv("  allowed_overrides: [workflow]\n"),
            &srv("  allowed_overrides: [workflow, apply_requirements]\n")
        ),
        [APPROVAL]
    );
    assert_eq!(
        modified(p, &srv(""), &srv("  allow_custom_workflows: true\n")),
        [APPROVAL]
    );
    assert_eq!(
        modified(
            p,
            &srv("  policy_check: true\n"),
            &srv("  policy_check: false\n")
        ),
        [APPROVAL]
    );
    // Letting repositories delete their merged branches decides nothing about applies.
    assert!(modified(
        p,
        &srv("  allowed_overrides: [workflow]\n"),
        &srv("  allowed_overrides: [workflow, delete_source_branch_on_merge]\n")
    )
    .is_empty());
}

#[test]
fn a_repos_yaml_that_is_not_atlantis_is_quiet() {
    assert!(modified("repos.yaml", "repos:\n- name: a\n", "repos:\n- name: b\n").is_empty());
}

#[test]
fn terrateam_autoapply_and_weaker_apply_requirements_are_reported() {
    let p = ".terrateam/config.yml";
    assert_eq!(
        modified(
            p,
            "when_modified:\n  autoapply: false\n",
            "when_modified:\n  autoapply: true\n"
        ),
        [APPROVAL]
    );
    let req = |on: &str, n: u32| {
        format!("apply_requirements:\n  checks:\n    - tag_query: ''\n      approved:\n        enabled: {on}\n        any_of_count: {n}\n")
    };
    assert_eq!(modified(p, &req("true", 2), &req("false", 2)), [APPROVAL]);
    assert_eq!(modified(p, &req("true", 2), &req("true", 1)), [APPROVAL]);
    assert!(modified(p, &req("false", 1), &req("true", 2)).is_empty());
    assert!(modified(
        p,
        "when_modified:\n  autoplan: false\n",
        "when_modified:\n  autoplan: true\n"
    )
    .is_empty());
}

#[test]
fn digger_applying_on_a_pull_request_event_is_reported_but_after_merge_is_not() {
    let wf = |event: &str, cmds: &str| {
        format!("workflows:\n  default:\n    workflow_configuration:\n      {event}: [{cmds}]\n")
    };
    assert_eq!(
        modified(
            "digger.yml",
            &wf("on_pull_request_pushed", "digger plan"),
            &wf("on_pull_request_pushed", "digger plan, digger apply")
        ),
        [APPROVAL]
    );
    assert!(modified(
        "digger.yml",
        &wf("on_commit_to_default", "digger unlock"),
        &wf("on_commit_to_default", "digger apply")
    )
    .is_empty());
}

#[test]
fn hcp_terraform_auto_apply_and_local_execution_are_reported() {
    assert_eq!(
        modified(
            "main.tf",
            &workspace("  auto_apply = false\n"),
            &workspace("  auto_apply = true\n")
        ),
        [APPROVAL]
    );
    assert_eq!(
        modified(
            "main.tf",
            &workspace(""),
            &workspace("  auto_apply = var.auto\n")
        ),
        [APPROVAL]
    );
    assert_eq!(
        modified(
            "main.tf",
            &workspace("  execution_mode = \"remote\"\n"),
            &workspace("  execution_mode = \"local\"\n")
        ),
        [APPROVAL]
    );
    assert!(modified(
        "main.tf",
        &workspace("  auto_apply = true\n"),
        &workspace("  auto_apply = false\n")
    )
    .is_empty());
    assert!(modified(
        "main.tf",
        &workspace("  execution_mode = \"remote\"\n"),
        &workspace("  execution_mode = \"agent\"\n")
    )
    .is_empty());
}

#[test]
fn a_new_workspace_is_news_only_when_looser_than_the_default() {
    let before = "resource \"null_resource\" \"x\" {}\n";
    assert_eq!(
        modified(
            "main.tf",
            before,
            &format!("{before}{}", workspace("  auto_apply = true\n"))
        ),
        [APPROVAL]
    );
    // `allow_destroy_plan` is already true by default: saying so changes nothing.
    assert!(modified(
        "main.tf",
        before,
        &format!("{before}{}", workspace("  allow_destroy_plan = true\n"))
    )
    .is_empty());
}

#[test]
fn allowing_destroy_plans_is_destructive() {
    let f = run(Case::modified(
        "main.tf",
        &workspace("  allow_destroy_plan = false\n"),
        &workspace(""),
    ));
    assert_eq!(ids(&f), [DESTROY]);
    assert!(f[0].tags.contains(&Tag::Destructive));
    assert_eq!(f[0].subject.as_deref(), Some("tfe_workspace.prod"));
}

#[test]
fn lowering_policy_enforcement_is_reported_and_raising_it_is_quiet() {
    let policy = |mode: &str| {
        format!("resource \"tfe_sentinel_policy\" \"p\" {{\n  name = \"p\"\n  enforce_mode = \"{mode}\"\n}}\n")
    };
    assert_eq!(
        modified("main.tf", &policy("hard-mandatory"), &policy("advisory")),
        [APPROVAL]
    );
    assert_eq!(
        modified(
            "main.tf",
            &policy("hard-mandatory"),
            &policy("soft-mandatory")
        ),
        [APPROVAL]
    );
    assert!(modified("main.tf", &policy("advisory"), &policy("hard-mandatory")).is_empty());
}

#[test]
fn removing_a_policy_set_is_reported_unless_moved_or_kept() {
    let set = "resource \"tfe_policy_set\" \"s\" {\n  name = \"guard\"\n}\n";
    let other = "resource \"null_resource\" \"x\" {}\n";
    assert_eq!(
        modified("main.tf", &format!("{set}{other}"), other),
        [APPROVAL]
    );
    let moved = "resource \"tfe_policy_set\" \"guard\" {\n  name = \"guard\"\n}\nmoved {\n  from = tfe_policy_set.s\n  to   = tfe_policy_set.guard\n}\n";
    assert!(modified("main.tf", set, moved).is_empty());
    let kept = format!("removed {{\n  from = tfe_policy_set.s\n  lifecycle {{\n    destroy = false\n  }}\n}}\n{other}");
    assert!(modified("main.tf", &format!("{set}{other}"), &kept).is_empty());
}

#[test]
fn spacelift_autodeploy_and_removed_approval_policies_are_reported() {
    let stack = |v: &str| {
        format!(
            "resource \"spacelift_stack\" \"prod\" {{\n  name = \"prod\"\n  autodeploy = {v}\n}}\n"
        )
    };
    assert_eq!(
        modified("main.tf", &stack("false"), &stack("true")),
        [APPROVAL]
    );
    let other = "resource \"null_resource\" \"x\" {}\n";
    let policy = |t: &str| {
        format!(
            "resource \"spacelift_policy\" \"p\" {{\n  name = \"p\"\n  type = \"{t}\"\n}}\n{other}"
        )
    };
    assert_eq!(modified("main.tf", &policy("APPROVAL"), other), [APPROVAL]);
    assert!(modified("main.tf", &policy("NOTIFICATION"), other).is_empty());
    let attachment = format!("resource \"spacelift_policy_attachment\" \"a\" {{\n  policy_id = spacelift_policy.p.id\n  stack_id  = spacelift_stack.prod.id\n}}\n{other}");
    assert_eq!(modified("main.tf", &attachment, other), [APPROVAL]);
    assert!(modified("main.tf", other, &attachment).is_empty());
}

#[test]
fn env0_automatic_approval_and_enabled_destroys_are_reported() {
    let env = |v: &str| {
        format!("resource \"env0_environment\" \"prod\" {{\n  name = \"prod\"\n  approve_plan_automatically = {v}\n}}\n")
    };
    assert_eq!(modified("main.tf", &env("false"), &env("true")), [APPROVAL]);
    assert!(modified("main.tf", &env("true"), &env("false")).is_empty());
    let policy = |v: &str| {
        format!("resource \"env0_project_policy\" \"p\" {{\n  project_id = \"p\"\n  disable_destroy_environments = {v}\n}}\n")
    };
    assert_eq!(
        modified("main.tf", &policy("true"), &policy("false")),
        [DESTROY]
    );
}

#[test]
fn a_github_environment_losing_reviewers_or_its_wait_is_reported() {
    assert_eq!(
        modified("main.tf", &environment(REVIEWERS), &environment("")),
        [APPROVAL]
    );
    let self_review = |v: &str| environment(&format!("{REVIEWERS}  prevent_self_review = {v}\n"));
    assert_eq!(
        modified("main.tf", &self_review("true"), &self_review("false")),
        [APPROVAL]
    );
    let wait = |n: u32| environment(&format!("{REVIEWERS}  wait_timer = {n}\n"));
    assert_eq!(modified("main.tf", &wait(30), &wait(5)), [APPROVAL]);
    assert!(modified("main.tf", &wait(5), &wait(30)).is_empty());
    assert!(modified("main.tf", &environment(""), &environment(REVIEWERS)).is_empty());
    assert!(modified(
        "main.tf",
        &environment(REVIEWERS),
        &environment(&REVIEWERS.replace("platform", "sre"))
    )
    .is_empty());
}

#[test]
fn environment_secrets_and_unrelated_terraform_are_quiet() {
    let secret = |env: &str| {
        format!("resource \"github_actions_environment_secret\" \"s\" {{\n  environment = \"{env}\"\n}}\n")
    };
    assert!(modified("main.tf", &secret("production"), &secret("staging")).is_empty());
    assert!(modified(
        "main.tf",
        &workspace("  description = \"a\"\n"),
        &workspace("  description = \"b\"\n")
    )
    .is_empty());
}

#[test]
fn automation_files_are_known_by_name() {
    assert_eq!(tool("atlantis.yaml"), Some(Tool::AtlantisRepo));
    assert_eq!(tool("ops/repos.yml"), Some(Tool::AtlantisServer));
    assert_eq!(tool(".terrateam/config.yml"), Some(Tool::Terrateam));
    assert_eq!(tool("digger.yaml"), Some(Tool::Digger));
    assert_eq!(tool("app/config.yml"), None);
}

#[test]
fn tfe_force_delete_and_spacelift_deletion_protection_are_protections() {
    let tf = |c: Case| ids(&c.run(crate::analyze::terraform::analyze));
    assert_eq!(
        tf(Case::modified(
            "main.tf",
            &workspace(""),
            &workspace("  force_delete = true\n")
        )),
        ["terraform/protection-weakened"]
    );
    let stack = |body: &str| {
        format!("resource \"spacelift_stack\" \"prod\" {{\n  name = \"prod\"\n{body}}}\n")
    };
    assert_eq!(
        tf(Case::modified(
            "main.tf",
            &stack("  protect_from_deletion = true\n"),
            &stack("")
        )),
        ["terraform/protection-weakened"]
    );
    assert!(tf(Case::modified(
        "main.tf",
        &stack(""),
        &stack("  protect_from_deletion = true\n")
    ))
    .is_empty());
}

#[test]
fn changing_the_cloud_blocks_workspace_tags_moves_the_state() {
    let cloud = |tag: &str| {
        format!("terraform {{\n  cloud {{\n    organization = \"acme\"\n    workspaces {{\n      tags = [\"{tag}\"]\n    }}\n  }}\n}}\n")
    };
    let f = Case::modified("main.tf", &cloud("app"), &cloud("other"))
        .run(crate::analyze::terraform::analyze);
    assert_eq!(ids(&f), ["terraform/backend-changed"]);
}
