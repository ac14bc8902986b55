//! The workflow checks on whole files, with the called files in the snapshot.

use crate::analyze::commands::analyze;
use crate::analyze::files::testkit::{ids, Case};
use crate::change::{Content, Side};
use crate::finding::{Finding, Severity};

const CI: &str = ".github/workflows/ci.yml";

const TF_DESTROY: &str = "\
on:
  workflow_call:
    inputs:
      env: {type: string, required: true}
jobs:
  destroy:
    runs-on: ubuntu-latest
    steps:
      - run: terraform -chdir=envs/${{ inputs.env }} destroy -auto-approve
";

const TF_ACTION: &str = "\
on:
  workflow_call:
    inputs:
      action: {type: string, default: plan}
      destroy: {type: boolean, default: false}
jobs:
  tf:
    runs-on: ubuntu-latest
    steps:
      - run: terraform ${{ inputs.action }} -input=false
      - run: terraform apply ${{ inputs.destroy && '-destroy' || '' }} tfplan
";

const TEARDOWN: &str = "\
name: teardown
runs:
  using: composite
  steps:
    - run: pulumi destroy --yes
      shell: bash
";

const BUILD: &str = "\
on: push
jobs:
  build:
    runs-on: ubuntu-latest
    steps:
      - run: make test
";

fn run(base: &str, head: &str, called: &[(&str, &str)]) -> Vec<Finding> {
    let mut case = Case::modified(CI, base, head);
    for (path, text) in called {
        case.snapshot.files.push((
            Side::Head,
            (*path).to_owned(),
            Content::Text((*text).into()),
        ));
    }
    case.run(analyze)
}

fn with_job(job: &str) -> String {
    format!("{BUILD}{job}")
}

const CALL_DESTROY: &str =
    "  teardown:\n    uses: ./.github/workflows/tf-destroy.yml\n    with: {env: prod}\n";
const CALLED: &[(&str, &str)] = &[
    (".github/workflows/tf-destroy.yml", TF_DESTROY),
    (".github/workflows/tf-action.yml", TF_ACTION),
    (".github/actions/teardown/action.yml", TEARDOWN),
];

#[test]
fn a_new_call_to_a_destroying_reusable_workflow_is_its_destroy_at_the_call() {
    let f = run(BUILD, &with_job(CALL_DESTROY), CALLED);
    assert_eq!(ids(&f), ["shell/terraform-destroy"]);
    assert_eq!(f[0].severity, Severity::Critical);
    assert_eq!(f[0].location.line, Some(8));
    assert!(f[0].message.contains("tf-destroy.yml"), "{}", f[0].message);
}

#[test]
fn a_call_the_base_already_made_is_quiet_renamed_or_moved() {
    let base = with_job(CALL_DESTROY);
    let head = format!(
        "on: push\njobs:\n{}  build:\n    runs-on: ubuntu-latest\n    concurrency: x\n    steps:\n      - run: make test\n",
        CALL_DESTROY.replace("teardown:", "nuke:")
    );
    assert!(run(&base, &head, CALLED).is_empty());
    // A reusable workflow that only plans is quiet even when new.
    let plan = "on: workflow_call\njobs:\n  p:\n    runs-on: ubuntu-latest\n    steps:\n      - run: terraform plan\n";
    let call = "  p:\n    uses: ./.github/workflows/plan.yml\n";
    assert!(run(
        BUILD,
        &with_job(call),
        &[(".github/workflows/plan.yml", plan)]
    )
    .is_empty());
}

#[test]
fn a_new_composite_action_step_is_judged_by_its_steps() {
    let head = format!("{BUILD}      - uses: ./.github/actions/teardown\n");
    assert_eq!(ids(&run(BUILD, &head, CALLED)), ["shell/stack-destroy"]);
}

#[test]
fn a_destroy_step_moved_into_a_called_workflow_is_not_new() {
    let inline = with_job("  tf:\n    runs-on: ubuntu-latest\n    steps:\n      - run: terraform destroy -input=false\n");
    let called = with_job(
        "  tf:\n    uses: ./.github/workflows/tf-action.yml\n    with: {action: destroy}\n",
    );
    assert!(run(&inline, &called, CALLED).is_empty());
    // Kept as a step as well, the call's copy is a second destroy.
    let both = format!("{called}  old:\n    runs-on: ubuntu-latest\n    steps:\n      - run: terraform destroy -input=false\n");
    assert_eq!(
        ids(&run(&inline, &both, CALLED)),
        ["shell/terraform-destroy"]
    );
}

#[test]
fn an_input_the_caller_computes_in_part_still_says_destroy() {
    // `terraform ${{ inputs.action }}` with `action: destroy -var pr=${{ … }}`: the pull
    // request number is unknown here, the destroy is not.
    let call = |with: &str| {
        with_job(&format!(
            "  tf:\n    uses: ./.github/workflows/tf-action.yml\n    with:\n      action: {with}\n"
        ))
    };
    let f = run(
        BUILD,
        &call("destroy -auto-approve -var pr=${{ github.event.number }}"),
        CALLED,
    );
    assert_eq!(ids(&f), ["shell/terraform-destroy"], "{f:?}");
    // Wholly computed, it stays unknown, and so does a test of a partly computed one.
    assert!(run(BUILD, &call("${{ github.event.inputs.verb }}"), CALLED).is_empty());
    assert!(!super::expr::partly_known("${{ a }} ${{ b }}"));
    assert!(super::expr::partly_known("plan ${{ a }}"));
}

#[test]
fn inputs_passed_to_an_existing_call_that_now_select_a_destroy() {
    let call = |with: &str| {
        with_job(&format!(
            "  tf:\n    uses: ./.github/workflows/tf-action.yml\n    with: {{{with}}}\n"
        ))
    };
    let f = run(&call("action: plan"), &call("action: destroy"), CALLED);
    assert_eq!(ids(&f), ["shell/terraform-destroy"]);
    assert!(
        f[0].message.contains("`action: destroy`"),
        "{}",
        f[0].message
    );
    let f = run(
        &call("action: plan"),
        &call("action: plan, destroy: true"),
        CALLED,
    );
    assert_eq!(ids(&f), ["shell/terraform-destroy"]);
    // The default, spelled out, changes nothing.
    assert!(run(
        &call("action: plan"),
        &call("action: plan, destroy: false"),
        CALLED
    )
    .is_empty());
}

#[test]
fn a_called_file_that_cannot_be_read_needs_a_human_when_the_call_is_new() {
    let call = "  t:\n    uses: ./.github/workflows/broken.yml\n";
    let f = run(
        BUILD,
        &with_job(call),
        &[(".github/workflows/broken.yml", "jobs: [\n")],
    );
    assert_eq!(ids(&f), ["workflow/unparseable"]);
    let f = run(BUILD, &with_job(call), &[]);
    assert_eq!(ids(&f), ["workflow/unparseable"]);
    assert!(f[0].message.contains("does not exist"), "{}", f[0].message);
    // The same call already on the base reads nothing.
    assert!(run(&with_job(call), &with_job(call), &[]).is_empty());
}

#[test]
fn remote_calls_are_named_only_when_new_and_saying_destroy() {
    let remote = |uses: &str| with_job(&format!("  r:\n    uses: {uses}\n"));
    let f = run(
        BUILD,
        &remote("acme/infra/.github/workflows/destroy.yml@v1"),
        &[],
    );
    assert_eq!(ids(&f), ["workflow/destroy-call-unread"]);
    assert!(run(
        BUILD,
        &remote("acme/infra/.github/workflows/deploy.yml@v1"),
        &[]
    )
    .is_empty());
    assert!(run(
        &remote("acme/infra/.github/workflows/destroy.yml@v1"),
        &remote("acme/infra/.github/workflows/destroy.yml@v2"),
        &[]
    )
    .is_empty());
}

fn nuke(on: &str, step_if: Option<&str>) -> String {
    let guard = step_if.map_or(String::new(), |c| format!("      - if: {c}\n  "));
    format!("on: {on}\njobs:\n  destroy:\n    runs-on: ubuntu-latest\n    steps:\n      - run: terraform init\n{guard}{}    run: terraform destroy -auto-approve\n", if step_if.is_some() { "  " } else { "      - " })
}

#[test]
fn a_destroy_that_gains_an_automatic_trigger_runs_more_often() {
    let f = run(
        &nuke("workflow_dispatch", None),
        &nuke("[workflow_dispatch, push]", None),
        &[],
    );
    assert_eq!(ids(&f), ["workflow/destroy-trigger-widened"]);
    assert_eq!(f[0].severity, Severity::Critical);
    // A person starting it is not more often; neither is a trigger its condition excludes.
    assert!(run(
        &nuke("push", None),
        &nuke("[push, workflow_dispatch]", None),
        &[]
    )
    .is_empty());
    let guarded = Some("inputs.confirm == 'yes'");
    assert!(run(
        &nuke("workflow_dispatch", guarded),
        &nuke("[workflow_dispatch, push]", guarded),
        &[]
    )
    .is_empty());
    // A command that does not destroy may start on anything.
    let plan = |on: &str| nuke(on, None).replace("destroy -auto-approve", "plan");
    assert!(run(&plan("workflow_dispatch"), &plan("push"), &[]).is_empty());
}

#[test]
fn a_removed_or_loosened_guard_lets_the_destroy_run() {
    let on = "workflow_dispatch";
    let f = run(
        &nuke(on, Some("inputs.confirm == 'yes'")),
        &nuke(on, None),
        &[],
    );
    assert_eq!(ids(&f), ["workflow/destroy-trigger-widened"]);
    let f = run(&nuke(on, Some("false")), &nuke(on, Some("true")), &[]);
    assert_eq!(ids(&f), ["workflow/destroy-trigger-widened"]);
    let f = run(
        &nuke(on, Some("inputs.confirm == 'yes'")),
        &nuke(
            on,
            Some("inputs.confirm == 'yes' || github.event_name == 'schedule'"),
        ),
        &[],
    );
    assert_eq!(ids(&f), ["workflow/destroy-trigger-widened"]);
    // Tightened, reformatted or rewrapped is the same guard.
    for same in [
        "inputs.confirm == 'yes' && github.actor == 'alice'",
        "${{ inputs.confirm=='yes' }}",
    ] {
        assert!(
            run(
                &nuke(on, Some("inputs.confirm == 'yes'")),
                &nuke(on, Some(same)),
                &[]
            )
            .is_empty(),
            "{same}"
        );
    }
}

#[test]
fn a_default_that_now_selects_a_destroy() {
    let flow = |default: &str| {
        format!("on:\n  workflow_dispatch:\n    inputs:\n      action:\n        type: choice\n        options: [plan, destroy]\n        default: {default}\njobs:\n  tf:\n    runs-on: ubuntu-latest\n    steps:\n      - run: terraform ${{{{ inputs.action }}}} -auto-approve\n")
    };
    let f = run(&flow("plan"), &flow("destroy"), &[]);
    assert_eq!(ids(&f), ["shell/terraform-destroy"]);
    assert_eq!(f[0].location.line, Some(7));
    assert!(run(&flow("destroy"), &flow("plan"), &[]).is_empty());
    let gate = |default: &str| {
        format!("on:\n  workflow_dispatch:\n    inputs:\n      destroy: {{type: boolean, default: {default}}}\njobs:\n  tf:\n    runs-on: ubuntu-latest\n    steps:\n      - if: inputs.destroy\n        run: terraform destroy -auto-approve\n")
    };
    assert_eq!(
        ids(&run(&gate("false"), &gate("true"), &[])),
        ["shell/terraform-destroy"]
    );
}

#[test]
fn an_event_filter_that_lets_more_through_widens_a_destroy() {
    let closed = "\n  pull_request:\n    types: [closed]";
    let f = run(&nuke(closed, None), &nuke("pull_request", None), &[]);
    assert_eq!(ids(&f), ["workflow/destroy-trigger-widened"]);
    let more = "\n  pull_request:\n    types: [closed, synchronize]";
    assert_eq!(
        ids(&run(&nuke(closed, None), &nuke(more, None), &[])),
        ["workflow/destroy-trigger-widened"]
    );
    let ignore = |b: &str| format!("\n  push:\n    branches-ignore: [{b}]");
    assert_eq!(
        ids(&run(
            &nuke(&ignore("main, prod"), None),
            &nuke(&ignore("main"), None),
            &[]
        )),
        ["workflow/destroy-trigger-widened"]
    );
    // Narrowed is quiet.
    assert!(run(&nuke(more, None), &nuke(closed, None), &[]).is_empty());
    let narrowed = "\n  pull_request:\n    types: [closed]\n    branches: [develop]";
    assert!(run(&nuke(closed, None), &nuke(narrowed, None), &[]).is_empty());
}
