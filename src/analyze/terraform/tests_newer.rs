//! The newer Terraform and OpenTofu files and blocks: Stacks component and deployment files,
//! a `.tofu` file overriding the `.tf` file of the same name, and OpenTofu's `enabled`.

use super::tests::{ids, run, run_as, run_in, Fake};
use super::*;
use crate::analyze::FileKind;

/// Runs the Stacks analyzer on `path`; `snapshot` holds the rest of the directory.
fn stack_in(snapshot: Fake, path: &str, before: Option<&str>, after: Option<&str>) -> Vec<Finding> {
    run_as(
        FileKind::TerraformStack,
        stacks::analyze,
        snapshot,
        path,
        before,
        after,
    )
}

fn stack(before: &str, after: &str) -> Vec<Finding> {
    stack_in(
        Fake::default(),
        "stack/main.tfcomponent.hcl",
        Some(before),
        Some(after),
    )
}

const NETWORK: &str = "component \"network\" {\n  source = \"./modules/network\"\n  inputs = { cidr = \"10.0.0.0/16\" }\n}\n";
const DATABASE: &str = "component \"database\" {\n  source = \"./modules/postgres\"\n  inputs = {\n    deletion_protection = true\n  }\n}\n";

#[test]
fn a_removed_component_destroys_its_resources_in_every_deployment() {
    let f = stack(&format!("{NETWORK}{DATABASE}"), NETWORK);
    assert_eq!(ids(&f), ["terraform/module-removed"]);
    assert_eq!(f[0].severity, Severity::Critical);
    assert!(
        f[0].message.contains("component.database"),
        "{}",
        f[0].message
    );
}

#[test]
fn a_component_moved_to_a_sibling_file_is_still_declared() {
    let sibling = Fake::default().with(Side::Head, "stack/data.tfcomponent.hcl", DATABASE);
    let f = stack_in(
        sibling,
        "stack/main.tfcomponent.hcl",
        Some(&format!("{NETWORK}{DATABASE}")),
        Some(NETWORK),
    );
    assert!(f.is_empty(), "{f:?}");
}

#[test]
fn a_stacks_removed_block_destroys_the_component() {
    let removed =
        "removed {\n  from   = component.database\n  source = \"./modules/postgres\"\n}\n";
    let f = stack(
        &format!("{NETWORK}{DATABASE}"),
        &format!("{NETWORK}{removed}"),
    );
    assert_eq!(ids(&f), ["terraform/removed-block-destroys"]);
    assert_eq!(f[0].severity, Severity::Critical);
    // Kept as it was: nothing new.
    let both = format!("{NETWORK}{removed}");
    assert!(stack(&both, &both).is_empty());
}

#[test]
fn component_inputs_are_judged_as_module_arguments() {
    let weaker = DATABASE.replace("deletion_protection = true", "deletion_protection = false");
    let f = stack(DATABASE, &weaker);
    assert_eq!(ids(&f), ["terraform/protection-weakened"]);
    assert!(!f[0].message.contains("if if"), "{}", f[0].message);
    let bigger = DATABASE.replace(
        "  inputs = {\n",
        "  inputs = {\n    instance_class = \"db.r6g.xlarge\"\n",
    );
    assert!(stack(DATABASE, &bigger).is_empty());
}

const DEPLOY: &str = "deployment_auto_approve \"safe\" {\n  check {\n    condition = context.plan.changes.remove == 0\n    reason    = \"removes\"\n  }\n}\n\
deployment_group \"canary\" {\n  auto_approve_checks = [deployment_auto_approve.safe]\n}\n\
deployment \"staging\" {\n  inputs = { region = \"us-east-1\" }\n  deployment_group = deployment_group.canary\n}\n\
deployment \"production\" {\n  inputs = { region = \"eu-west-1\" }\n}\n";

fn deploy(before: &str, after: &str) -> Vec<Finding> {
    stack_in(
        Fake::default(),
        "stack/deployments.tfdeploy.hcl",
        Some(before),
        Some(after),
    )
}

#[test]
fn destroy_true_on_a_deployment_destroys_its_infrastructure() {
    let destroyed = DEPLOY.replace(
        "region = \"eu-west-1\" }\n",
        "region = \"eu-west-1\" }\n  destroy = true\n",
    );
    let f = deploy(DEPLOY, &destroyed);
    assert_eq!(ids(&f), ["terraform/deployment-destroyed"]);
    assert_eq!(f[0].severity, Severity::Critical);
    assert!(f[0].message.contains("production"), "{}", f[0].message);
    // Already being destroyed: dropping the block afterwards is the documented last step.
    let gone = DEPLOY.replace(
        "deployment \"production\" {\n  inputs = { region = \"eu-west-1\" }\n}\n",
        "",
    );
    assert!(deploy(&destroyed, &gone).is_empty());
    assert_eq!(
        ids(&deploy(DEPLOY, &gone)),
        ["terraform/deployment-destroyed"]
    );
}

#[test]
fn an_auto_approve_rule_that_stops_checking_removals_is_reported() {
    let loose = DEPLOY.replace(
        "context.plan.changes.remove == 0",
        "context.plan.changes.total < 100",
    );
    let f = deploy(DEPLOY, &loose);
    assert_eq!(ids(&f), ["terraform/auto-approve-deletes"]);
    assert!(f[0].message.contains("`staging`"), "{}", f[0].message);
    let strict = DEPLOY.replace(
        "context.plan.changes.remove == 0",
        "context.plan.changes.total == 0",
    );
    assert!(deploy(DEPLOY, &strict).is_empty());
    // An alternative that skips the check lets a destroying plan through on it.
    let either = DEPLOY.replace(
        "context.plan.changes.remove == 0",
        "context.plan.changes.remove == 0 || context.plan.deployment == deployment.staging",
    );
    assert_eq!(
        ids(&deploy(DEPLOY, &either)),
        ["terraform/auto-approve-deletes"]
    );
    let both = DEPLOY.replace(
        "context.plan.changes.remove == 0",
        "context.plan.changes.remove == 0 || context.plan.changes.total == 0",
    );
    assert!(deploy(DEPLOY, &both).is_empty());
    let legacy = |c: &str| {
        format!("orchestrate \"auto_approve\" \"safe\" {{\n  check {{\n    condition = {c}\n    reason = \"x\"\n  }}\n}}\n")
    };
    let f = deploy(
        &legacy("context.plan.changes.remove == 0"),
        &legacy("context.plan.applyable"),
    );
    assert_eq!(ids(&f), ["terraform/auto-approve-deletes"]);
}

#[test]
fn a_stacks_file_that_does_not_parse_needs_a_human() {
    let f = deploy(DEPLOY, "deployment \"production\" {\n  inputs = {{\n}\n");
    assert_eq!(ids(&f), ["terraform/unparseable"]);
}

const BUCKET: &str = "resource \"aws_s3_bucket\" \"assets\" {\n  bucket = \"acme-assets\"\n}\n";
const DB: &str = "resource \"aws_db_instance\" \"main\" {\n  engine              = \"postgres\"\n  deletion_protection = true\n}\n";

#[test]
fn a_tofu_file_added_beside_a_tf_file_hides_what_only_the_tf_file_declares() {
    let tf = Fake::default()
        .with(Side::Base, "infra/main.tf", &format!("{BUCKET}{DB}"))
        .with(Side::Head, "infra/main.tf", &format!("{BUCKET}{DB}"));
    let f = run_in(tf, "infra/main.tofu", None, Some(BUCKET));
    assert_eq!(ids(&f), ["terraform/resource-removed"]);
    assert!(
        f[0].message.contains("overrides it for OpenTofu"),
        "{}",
        f[0].message
    );
    let tf = Fake::default()
        .with(Side::Base, "infra/main.tf", &format!("{BUCKET}{DB}"))
        .with(Side::Head, "infra/main.tf", &format!("{BUCKET}{DB}"));
    assert!(run_in(tf, "infra/main.tofu", None, Some(&format!("{BUCKET}{DB}"))).is_empty());
}

#[test]
fn a_deleted_tofu_file_is_judged_against_the_tf_file_that_returns() {
    let weaker = DB.replace("deletion_protection = true", "deletion_protection = false");
    let tf = |text: &str| {
        Fake::default()
            .with(Side::Base, "infra/main.tf", text)
            .with(Side::Head, "infra/main.tf", text)
    };
    let f = run_in(tf(DB), "infra/main.tofu", Some(DB), None);
    assert!(f.is_empty(), "{f:?}");
    let f = run_in(tf(&weaker), "infra/main.tofu", Some(DB), None);
    assert_eq!(ids(&f), ["terraform/protection-weakened"]);
}

#[test]
fn a_tf_file_hidden_by_a_tofu_file_declares_nothing_for_opentofu() {
    // main.tf changes too (so it is read), but main.tofu hides it.
    let snapshot = Fake::default()
        .with(Side::Base, "infra/main.tf", &format!("{BUCKET}{DB}"))
        .with(Side::Head, "infra/main.tf", &format!("{DB}{BUCKET}"));
    let f = run_in(
        snapshot,
        "infra/main.tofu",
        Some(&format!("{BUCKET}{DB}")),
        Some(BUCKET),
    );
    assert_eq!(ids(&f), ["terraform/resource-removed"]);
}

#[test]
fn lifecycle_enabled_false_destroys_like_count_zero() {
    let off = DB.replace(
        "  deletion_protection = true\n",
        "  deletion_protection = true\n  lifecycle {\n    enabled = false\n  }\n",
    );
    let on = off.replace("enabled = false", "enabled = true");
    let f = run(DB, &off);
    assert_eq!(ids(&f), ["terraform/create-switch-off"]);
    assert_eq!(f[0].severity, Severity::Critical);
    assert!(run(&off, &on).is_empty());
    assert!(run(
        &on,
        &on.replace("enabled = true", "enabled = var.create_db")
    )
    .is_empty());
    // Already off: removing the block destroys nothing more.
    assert!(run(&format!("{off}{BUCKET}"), BUCKET).is_empty());
    let module = "module \"cache\" {\n  source = \"./modules/redis\"\n}\n";
    let module_off = module.replace("}\n", "  lifecycle {\n    enabled = false\n  }\n}\n");
    assert_eq!(
        ids(&run(module, &module_off)),
        ["terraform/create-switch-off"]
    );
}
