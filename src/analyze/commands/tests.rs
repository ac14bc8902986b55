//! The commands analyzer on whole files: what a change adds is reported, what it only moves
//! or rewords is not.

use super::analyze;
use crate::analyze::files::testkit::{ids, Case};
use crate::analyze::FileKind;
use crate::change::{Content, Side};
use crate::finding::Severity;
use proptest::prelude::*;

const WORKFLOW: &str = "\
name: deploy
on: push
jobs:
  apply:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
      - run: terraform init
      - run: terraform plan -out=tfplan
";

fn with_step(step: &str) -> String {
    format!("{WORKFLOW}      - run: {step}\n")
}

const FLOW: &str = ".github/workflows/deploy.yml";

#[test]
fn a_destroy_step_added_to_a_workflow_is_critical_at_its_line() {
    let f = Case::modified(
        FLOW,
        WORKFLOW,
        &with_step("terraform destroy -auto-approve"),
    )
    .run(analyze);
    assert_eq!(ids(&f), ["shell/terraform-destroy"]);
    assert_eq!(f[0].severity, Severity::Critical);
    assert_eq!(
        (f[0].location.side, f[0].location.line),
        (Side::Head, Some(10))
    );
    assert!(f[0].message.contains("without asking"), "{}", f[0].message);
}

#[test]
fn a_destroy_already_on_the_base_is_not_new_when_moved_or_commented() {
    let base = with_step("terraform destroy -target=aws_instance.tmp");
    let head = "\
name: deploy
on: push
jobs:
  apply:
    runs-on: ubuntu-latest
    steps:
      # tear down the scratch instance first
      - name: cleanup
        run: |
          terraform destroy \\
            -target=aws_instance.tmp
      - uses: actions/checkout@v4
      - run: terraform init
      - run: terraform plan -out=tfplan
";
    assert!(Case::modified(FLOW, &base, head).run(analyze).is_empty());
}

#[test]
fn a_second_copy_is_new_and_reported_where_the_diff_adds_it() {
    let base = with_step("kubectl delete job smoke");
    let head = format!("{base}      - run: echo between\n      - run: kubectl delete job smoke\n");
    let f = Case::modified(FLOW, &base, &head)
        .with_hunk(10, 0, 11, 2)
        .run(analyze);
    assert_eq!(ids(&f), ["shell/kubectl-delete"]);
    assert_eq!(f[0].location.line, Some(12));
}

#[test]
fn auto_approve_added_is_reported_and_editing_an_unattended_apply_is_not() {
    let added = Case::modified(
        FLOW,
        &with_step("terraform apply -var-file=prod.tfvars"),
        &with_step("terraform apply -auto-approve -var-file=prod.tfvars"),
    );
    assert_eq!(ids(&added.run(analyze)), ["shell/auto-approve-added"]);
    let edited = Case::modified(
        FLOW,
        &with_step("terraform apply -auto-approve"),
        &with_step("terraform apply -auto-approve -parallelism=4"),
    );
    assert!(edited.run(analyze).is_empty());
    // The flag added to the apply of a saved plan changes nothing: it never asked.
    let saved = Case::modified(
        FLOW,
        &with_step("terraform apply tfplan"),
        &with_step("terraform apply -auto-approve tfplan"),
    );
    assert!(saved.run(analyze).is_empty());
}

#[test]
fn a_new_shell_script_is_read_whole() {
    let script = "#!/usr/bin/env bash\nset -euo pipefail\n# reset the environment\nrm -rf \"$ENV_ROOT/\"\nterraform -chdir=envs/prod destroy\n";
    let f = Case::added("scripts/reset.sh", script).run(analyze);
    assert_eq!(ids(&f), ["shell/rm-rf", "shell/terraform-destroy"]);
    assert_eq!(f[0].location.line, Some(4));
    assert_eq!(f[1].location.line, Some(5));
}

#[test]
fn a_script_with_a_shebang_and_no_extension_is_a_script() {
    let f = Case::added("bin/nuke", "#!/bin/sh\nhelm uninstall api -n prod\n").run(analyze);
    assert_eq!(ids(&f), ["shell/helm-uninstall"]);
}

#[test]
fn routine_cleanup_in_a_dockerfile_is_quiet_and_a_destructive_run_is_not() {
    let base = "FROM debian:12\nRUN apt-get update\n";
    let quiet = "FROM debian:12\nRUN apt-get update && apt-get install -y curl \\\n && rm -rf /var/lib/apt/lists/*\n";
    assert!(Case::modified("Dockerfile", base, quiet)
        .run(analyze)
        .is_empty());
    let loud = "FROM debian:12\nRUN apt-get update\nRUN [\"aws\", \"s3\", \"rm\", \"s3://shop-assets\", \"--recursive\"]\n";
    assert_eq!(
        ids(&Case::modified("Dockerfile", base, loud).run(analyze)),
        ["shell/cloud-delete"]
    );
}

#[test]
fn deleting_files_in_an_image_build_is_quiet_but_in_the_container_command_it_is_not() {
    let base = "FROM debian:12\nVOLUME /data\nCMD [\"app\"]\n";
    // RUN works on the layer being built: nothing it deletes outlives the build.
    let build = "FROM debian:12\nVOLUME /data\nRUN rm -rf / $OUT/ /data/* && docker volume prune -f\nONBUILD RUN rm -rf /usr\nCMD [\"app\"]\n";
    assert!(Case::modified("Dockerfile", base, build)
        .run(analyze)
        .is_empty());
    // CMD runs in every container, against the volume mounted at /data.
    let runtime =
        "FROM debian:12\nVOLUME /data\nCMD [\"sh\", \"-c\", \"rm -rf /data/* && exec app\"]\n";
    let f = Case::modified("Dockerfile", base, runtime).run(analyze);
    assert_eq!(ids(&f), ["shell/rm-rf"]);
    assert_eq!(f[0].location.line, Some(3));
}

#[test]
fn a_heredoc_run_and_an_onbuild_run_are_read() {
    let base = "# syntax=docker/dockerfile:1\nFROM hashicorp/terraform:1.9\n";
    let head = "# syntax=docker/dockerfile:1\nFROM hashicorp/terraform:1.9\nRUN <<EOF\nterraform init\nterraform destroy -auto-approve\nEOF\nONBUILD RUN kubectl delete namespace staging\n";
    let f = Case::modified("Dockerfile", base, head).run(analyze);
    assert_eq!(ids(&f), ["shell/terraform-destroy", "shell/kubectl-delete"]);
    assert_eq!(f[0].location.line, Some(5));
    let quiet = "# syntax=docker/dockerfile:1\nFROM hashicorp/terraform:1.9\nRUN <<EOF\napt-get update\nrm -rf /var/lib/apt/lists/*\nEOF\n";
    assert!(Case::modified("Dockerfile", base, quiet)
        .run(analyze)
        .is_empty());
}

#[test]
fn a_makefile_recipe_that_deletes_a_namespace() {
    let base = "deploy:\n\tkubectl apply -f k8s/\n";
    let head = "deploy:\n\tkubectl apply -f k8s/\n\nreset:\n\t@kubectl delete namespace $(NS)\n";
    let f = Case::modified("Makefile", base, head).run(analyze);
    assert_eq!(ids(&f), ["shell/kubectl-delete"]);
    assert_eq!(f[0].location.line, Some(5));
}

#[test]
fn a_makefile_destroy_through_a_tool_variable_is_caught_and_a_plan_is_quiet() {
    let base = "TF := terraform -chdir=infra\n\nplan:\n\t$(TF) plan -out=tf.plan\n";
    let quiet = "TF := terraform -chdir=infra\n\nplan:\n\t$(TF) plan -out=tf.plan\n\nfmt:\n\t$(TF) fmt -check\n";
    assert!(Case::modified("Makefile", base, quiet)
        .run(analyze)
        .is_empty());
    let loud = "TF := terraform -chdir=infra\n\nplan:\n\t$(TF) plan -out=tf.plan\n\ndestroy:\n\t$(TF) destroy -auto-approve\n";
    let f = Case::modified("Makefile", base, loud).run(analyze);
    assert_eq!(ids(&f), ["shell/terraform-destroy"]);
    assert_eq!(f[0].location.line, Some(7));
}

#[test]
fn make_variables_are_judged_by_what_they_leave_when_empty() {
    let base = "clean:\n\techo clean\n";
    let routine = "clean:\n\trm -rf $(BUILD_DIR) $(OBJS) ${OUT}\n\trm -rf $$(mktemp -d)\n";
    assert!(Case::modified("Makefile", base, routine)
        .run(analyze)
        .is_empty());
    let root = "clean:\n\trm -rf $(PREFIX)/\n";
    let f = Case::modified("Makefile", base, root).run(analyze);
    assert_eq!(ids(&f), ["shell/rm-rf"]);
    assert_eq!(f[0].severity, Severity::Critical);
}

#[test]
fn a_package_json_reset_script() {
    let base = "{\n  \"scripts\": {\n    \"build\": \"tsc\"\n  }\n}\n";
    let head = "{\n  \"scripts\": {\n    \"build\": \"tsc\",\n    \"db:reset\": \"prisma migrate reset --force\"\n  }\n}\n";
    let f = Case::modified("package.json", base, head).run(analyze);
    assert_eq!(ids(&f), ["shell/database-drop"]);
    assert_eq!(f[0].location.line, Some(4));
}

#[test]
fn a_gitlab_job_that_force_pushes() {
    let base = "deploy:\n  script:\n    - make deploy\n";
    let head = "deploy:\n  script:\n    - make deploy\n    - git push --force origin HEAD:main\n";
    let f = Case::modified(".gitlab-ci.yml", base, head).run(analyze);
    assert_eq!(ids(&f), ["shell/git-force-push"]);
}

#[test]
fn a_destroy_added_to_a_spacelift_or_env0_hook_is_reported() {
    let base =
        "version: \"1\"\nstacks:\n  prod:\n    before_apply:\n      - terraform fmt -check\n";
    let head = "version: \"1\"\nstacks:\n  prod:\n    before_apply:\n      - terraform fmt -check\n      - terraform destroy -auto-approve\n";
    let f = Case::modified(".spacelift/config.yml", base, head).run(analyze);
    assert_eq!(ids(&f), ["shell/terraform-destroy"]);
    assert_eq!(f[0].location.line, Some(6));
    assert!(Case::modified(".spacelift/config.yml", head, head)
        .run(analyze)
        .is_empty());
    let base =
        "version: 2\ndeploy:\n  steps:\n    terraformPlan:\n      before:\n        - echo plan\n";
    let head = "version: 2\ndeploy:\n  steps:\n    terraformPlan:\n      before:\n        - echo plan\n        - name: reset\n          run: kubectl delete namespace prod\n";
    let f = Case::modified("env0.yml", base, head).run(analyze);
    assert_eq!(ids(&f), ["shell/kubectl-delete"]);
    assert_eq!(f[0].location.line, Some(8));
}

#[test]
fn an_unterminated_quote_needs_a_human() {
    let f = Case::added("scripts/x.sh", "#!/bin/bash\necho ok\necho 'never closed\n").run(analyze);
    assert_eq!(ids(&f), ["shell/unparseable"]);
    assert_eq!(f[0].location.line, Some(3));
}

#[test]
fn a_broken_workflow_needs_a_human() {
    let f = Case::modified(FLOW, WORKFLOW, "jobs:\n  apply: [\n").run(analyze);
    assert_eq!(ids(&f), ["workflow/unparseable"]);
}

#[test]
fn powershell_steps_are_not_held_to_shell_quoting() {
    let head = format!("{WORKFLOW}      - shell: pwsh\n        run: Write-Host \"it`\"s\"\n");
    assert!(Case::modified(FLOW, WORKFLOW, &head)
        .run(analyze)
        .is_empty());
}

#[test]
fn deleting_a_script_runs_nothing() {
    assert!(Case::deleted("scripts/nuke.sh", "terraform destroy\n")
        .run(analyze)
        .is_empty());
}

#[test]
fn an_unreadable_base_fails_closed() {
    let f = Case::modified(FLOW, WORKFLOW, &with_step("helm uninstall web"))
        .with_content(Side::Base, Content::Binary)
        .run(analyze);
    assert_eq!(ids(&f), ["shell/helm-uninstall"]);
}

#[test]
fn comments_and_echoes_of_destructive_commands_are_quiet() {
    let head = with_step("echo \"run terraform destroy by hand\"  # never: kubectl delete ns prod");
    assert!(Case::modified(FLOW, WORKFLOW, &head)
        .run(analyze)
        .is_empty());
}

proptest! {
    #[test]
    fn any_text_in_any_command_file_is_analysed_without_panicking(
        text in "\\PC{0,300}",
        kind in prop::sample::select(vec![
            (FileKind::Workflow, FLOW),
            (FileKind::CiPipeline, ".gitlab-ci.yml"),
            (FileKind::CiPipeline, "Jenkinsfile"),
            (FileKind::Shell, "x.sh"),
            (FileKind::Shell, "x.ps1"),
            (FileKind::Dockerfile, "Dockerfile"),
            (FileKind::BuildScript, "Makefile"),
            (FileKind::BuildScript, "justfile"),
            (FileKind::BuildScript, "package.json"),
            (FileKind::BuildScript, "Taskfile.yml"),
            (FileKind::BuildScript, "Earthfile"),
            (FileKind::CiPipeline, "atlantis.yaml"),
            (FileKind::CiPipeline, ".spacelift/config.yml"),
            (FileKind::CiPipeline, "env0.yml"),
            (FileKind::CiPipeline, "azure-pipelines.yml"),
            (FileKind::Terragrunt, "terragrunt.hcl"),
        ]),
    ) {
        let (kind, path) = kind;
        let findings = Case::added(path, &text).with_kind(kind).run(analyze);
        for f in findings {
            prop_assert_eq!(f.location.side, Side::Head);
            prop_assert!(f.location.line.is_none_or(|l| l >= 1));
        }
    }
}

const COMPOSITE: &str = "\
name: deploy
runs:
  using: composite
  steps:
    - run: helm upgrade --install web ./chart
      shell: bash
";

#[test]
fn a_delete_step_added_to_a_composite_action_is_reported_at_its_line() {
    let head =
        format!("{COMPOSITE}    - run: kubectl delete namespace \"$ENV\"\n      shell: bash\n");
    let f = Case::modified(".github/actions/deploy/action.yml", COMPOSITE, &head)
        .run(crate::analyze::analyze_file);
    assert_eq!(ids(&f), ["shell/kubectl-delete"]);
    assert_eq!(f[0].location.line, Some(7));
    let quiet = Case::modified(
        ".github/actions/deploy/action.yml",
        COMPOSITE,
        &COMPOSITE.replace("web", "api"),
    )
    .run(crate::analyze::analyze_file);
    assert!(quiet.is_empty(), "{quiet:?}");
}

const PLAY: &str = "\
- name: Maintain the orders database
  hosts: dbservers
  tasks:
    - name: Vacuum
      ansible.builtin.command: vacuumdb --all
";

#[test]
fn a_destructive_command_added_to_an_ansible_task_is_reported_at_its_line() {
    let head = format!(
        "{PLAY}    - name: Start over\n      ansible.builtin.shell: rm -rf ~/\n    - name: Clean\n      command:\n        cmd: dropdb orders\n"
    );
    let f = Case::modified("playbooks/db.yml", PLAY, &head).run(analyze);
    assert_eq!(ids(&f), ["shell/rm-rf", "shell/database-drop"]);
    assert_eq!(f[0].location.line, Some(7));
    assert_eq!(f[1].location.line, Some(10));
}

#[test]
fn argv_lists_local_actions_and_windows_modules_are_ansible_commands_too() {
    let head = format!(
        "{PLAY}    - ansible.builtin.command:\n        argv: [aws, s3, rb, 's3://prod-logs', --force]\n    - local_action: command terraform destroy -auto-approve\n    - ansible.windows.win_shell: Remove-Item -Recurse -Force C:\\\n"
    );
    let f = Case::modified("playbooks/db.yml", PLAY, &head).run(analyze);
    assert_eq!(
        ids(&f),
        [
            "shell/cloud-delete",
            "shell/terraform-destroy",
            "shell/rm-rf"
        ]
    );
    assert_eq!(f[0].location.line, Some(7));
    assert_eq!(f[1].location.line, Some(8));
    // The same forms running something harmless are quiet.
    let quiet = format!(
        "{PLAY}    - ansible.builtin.command:\n        argv: [aws, s3, ls, 's3://prod-logs']\n    - local_action: command terraform plan\n    - ansible.windows.win_command: whoami\n"
    );
    assert!(Case::modified("playbooks/db.yml", PLAY, &quiet)
        .run(analyze)
        .is_empty());
}

#[test]
fn jinja_in_ansible_commands_is_not_a_shell_error_and_old_commands_stay_quiet() {
    let head = format!(
        "{PLAY}    - name: Report\n      ansible.builtin.shell: echo {{% if x %}}\"{{{{ y }}}}{{% endif %}}\n"
    );
    assert!(Case::modified("playbooks/db.yml", PLAY, &head)
        .run(analyze)
        .is_empty());
}

#[test]
fn turning_deletion_protection_off_in_a_step_is_reported_with_the_resource() {
    let step = "aws rds modify-db-instance --db-instance-identifier prod --no-deletion-protection";
    let f = Case::modified(FLOW, WORKFLOW, &with_step(step)).run(analyze);
    assert_eq!(ids(&f), ["shell/protection-disabled"]);
    assert_eq!(f[0].severity, Severity::High);
    assert_eq!(f[0].location.line, Some(10));
    assert!(f[0].message.contains("`prod`"), "{}", f[0].message);
    assert!(
        f[0].safer
            .as_deref()
            .unwrap_or("")
            .contains("Keep deletion protection on the RDS DB instance `prod`"),
        "{:?}",
        f[0].safer
    );
}

#[test]
fn a_protection_switch_off_already_on_the_base_stays_quiet() {
    let step = "aws cloudformation update-termination-protection --no-enable-termination-protection --stack-name scratch";
    let base = with_step(step);
    let head = format!("{}      - run: echo moved\n      - run: {step}\n", WORKFLOW);
    assert!(Case::modified(FLOW, &base, &head).run(analyze).is_empty());
}

#[test]
fn a_destroy_run_in_a_terraform_container_is_new_only_once() {
    let f = Case::modified(
        FLOW,
        WORKFLOW,
        &with_step(
            "docker run --rm -v $PWD:/w -w /w hashicorp/terraform:1.7 destroy -auto-approve",
        ),
    )
    .run(analyze);
    assert_eq!(ids(&f), ["shell/terraform-destroy"]);
    assert_eq!(f[0].severity, Severity::Critical);
    assert!(
        f[0].message
            .starts_with("In a `hashicorp/terraform:1.7` container"),
        "{}",
        f[0].message
    );
    // A newer image tag runs the same destroy: not a new one.
    let bumped = Case::modified(
        FLOW,
        &with_step("docker run --rm hashicorp/terraform:1.6 destroy -auto-approve"),
        &with_step("docker run --rm hashicorp/terraform:1.7 destroy -auto-approve"),
    );
    assert!(bumped.run(analyze).is_empty());
}

#[test]
fn deploy_steps_that_never_ask_are_unattended_applies() {
    // pulumi/actions runs `pulumi up --yes`; Azure's Terraform task adds `-auto-approve`.
    let pulumi = format!("{WORKFLOW}      - uses: pulumi/actions@v5\n        with:\n          command: up\n          stack-name: prod\n");
    let f = Case::modified(FLOW, WORKFLOW, &pulumi).run(analyze);
    assert_eq!(ids(&f), ["shell/auto-approve-added"]);
    assert_eq!(f[0].location.line, Some(10));
    let azure = "steps:\n  - script: terraform init\n";
    let apply = format!("{azure}  - task: TerraformTaskV4@4\n    inputs:\n      provider: azurerm\n      command: apply\n");
    let f = Case::modified("azure-pipelines.yml", azure, &apply).run(analyze);
    assert_eq!(ids(&f), ["shell/auto-approve-added"]);
    // A preview, a plan, or a deploy step already there asks nothing new.
    let preview = pulumi.replace("command: up", "command: preview");
    assert!(Case::modified(FLOW, WORKFLOW, &preview)
        .run(analyze)
        .is_empty());
    let plan = apply.replace("command: apply", "command: plan");
    assert!(Case::modified("azure-pipelines.yml", azure, &plan)
        .run(analyze)
        .is_empty());
    let more = format!("{pulumi}      - run: echo done\n");
    assert!(Case::modified(FLOW, &pulumi, &more).run(analyze).is_empty());
}

const PS1: &str = "scripts/cleanup.ps1";
const PS_BASE: &str = "Set-StrictMode -Version Latest\nWrite-Host 'start'\n";

fn ps1(added: &str) -> Vec<crate::finding::Finding> {
    Case::modified(PS1, PS_BASE, &format!("{PS_BASE}{added}\n")).run(analyze)
}

#[test]
fn a_powershell_script_that_deletes_a_resource_group_is_critical_at_its_line() {
    let f = ps1("Remove-AzResourceGroup -Name rg-prod -Force -Confirm:$false");
    assert_eq!(ids(&f), ["shell/cloud-delete"]);
    assert_eq!(f[0].severity, Severity::Critical);
    assert_eq!(f[0].location.line, Some(3));
    assert!(f[0].message.contains("rg-prod"), "{}", f[0].message);
}

#[test]
fn powershell_text_that_only_mentions_a_removal_is_quiet() {
    for quiet in [
        "# Remove-AzResourceGroup -Name rg-prod -Force",
        "<#\nRemove-AzResourceGroup -Name rg-prod\n#>",
        "Write-Host \"Run Remove-AzResourceGroup -Name rg-prod to clean up\"",
        "Remove-AzResourceGroup -Name rg-prod -Force -WhatIf",
        "Remove-AzResourceGroupDeployment -ResourceGroupName rg -Name old",
        "Get-AzResourceGroup | Format-Table\nNew-AzResourceGroup -Name rg -Location westeurope",
        "Remove-Item -Recurse -Force \"$env:TEMP\\build-*\", ./bin, ./obj",
    ] {
        assert_eq!(ids(&ps1(quiet)), Vec::<&str>::new(), "{quiet}");
    }
}

#[test]
fn a_powershell_removal_already_on_the_base_is_not_new_when_wrapped_in_a_block() {
    let base = format!("{PS_BASE}Remove-AzResourceGroup -Name rg-tmp -Force\n");
    let head = format!("{PS_BASE}# scratch only\nif ($true) {{\n    Remove-AzResourceGroup -Name rg-tmp -Force\n}}\n");
    assert!(Case::modified(PS1, &base, &head).run(analyze).is_empty());
}

#[test]
fn remove_item_is_judged_like_rm() {
    let f = ps1("Remove-Item \"$env:DEPLOY_DIR\\*\" -Recurse -Force");
    assert_eq!(ids(&f), ["shell/rm-rf"]);
    assert_eq!(f[0].severity, Severity::Critical);
    assert_eq!(ids(&ps1("rm -r -fo C:\\")), ["shell/rm-rf"]);
}

#[test]
fn an_unterminated_powershell_string_fails_closed() {
    let f = ps1("Remove-AzResourceGroup -Name \"rg-prod -Force");
    assert_eq!(ids(&f), ["shell/unparseable"]);
}

#[test]
fn powershell_steps_of_pipelines_are_read_as_powershell() {
    let azure_base = "steps:\n  - script: echo hi\n";
    let azure = format!("{azure_base}  - pwsh: |\n      Remove-Item -Recurse -Force \"$(Agent.TempDirectory)\\*\"\n      Remove-AzSqlDatabase `\n        -ResourceGroupName rg -ServerName s -DatabaseName orders\n");
    let f = Case::modified("azure-pipelines.yml", azure_base, &azure).run(analyze);
    assert_eq!(ids(&f), ["shell/cloud-delete"]);
    assert_eq!(f[0].location.line, Some(5));

    let workflow = format!("{WORKFLOW}      - shell: pwsh\n        run: Invoke-Sqlcmd -ServerInstance db -Query \"DROP TABLE dbo.Users\"\n");
    let f = Case::modified(FLOW, WORKFLOW, &workflow).run(analyze);
    assert_eq!(ids(&f), ["shell/database-drop"]);

    let jenkins_base = "node {\n  echo 'hi'\n}\n";
    let jenkins = "node {\n  echo 'hi'\n  powershell 'Remove-S3Bucket -BucketName data -DeleteBucketContent -Force'\n}\n";
    let f = Case::modified("Jenkinsfile", jenkins_base, jenkins).run(analyze);
    assert_eq!(ids(&f), ["shell/cloud-delete"]);
    assert_eq!(f[0].severity, Severity::Critical);
}

#[test]
fn a_shell_script_that_starts_powershell_is_read_through() {
    let base = "#!/bin/bash\necho start\n";
    let head = format!("{base}pwsh -NoProfile -Command \"Remove-AzResourceGroup -Name rg-prod -Force\"\npwsh -EncodedCommand UgBlAG0AbwB2AGUA\n");
    let f = Case::modified("scripts/down.sh", base, &head).run(analyze);
    assert_eq!(ids(&f), ["shell/cloud-delete", "shell/unparseable"]);
}

#[test]
fn a_pester_test_does_not_run_what_it_mocks() {
    let test = "Describe 'cleanup' {\n  It 'removes' {\n    Mock Remove-AzResourceGroup { }\n    Remove-AzResourceGroup -Name rg-test -Force\n  }\n  AfterAll { Remove-AzVM -Name vm-it -Force }\n}\n";
    let f = Case::added("tests/Cleanup.Tests.ps1", test).run(analyze);
    assert_eq!(ids(&f), ["shell/cloud-delete"]);
    assert!(f[0].message.contains("Remove-AzVM"), "{}", f[0].message);
}

#[test]
fn a_destroy_an_env_value_or_a_matrix_entry_selects_is_new_where_the_step_reads_it() {
    let with_env = |cmd: &str| {
        format!("{WORKFLOW}      - env:\n          TF_COMMAND: {cmd}\n        run: terraform $TF_COMMAND -auto-approve\n")
    };
    // Only the value changed: the unchanged step now destroys.
    let f = Case::modified(FLOW, &with_env("apply"), &with_env("destroy")).run(analyze);
    assert_eq!(ids(&f), ["shell/terraform-destroy"]);
    assert_eq!(f[0].location.line, Some(12));
    assert!(
        Case::modified(FLOW, &with_env("apply"), &with_env("apply -refresh-only"))
            .run(analyze)
            .is_empty()
    );
    let matrix = |actions: &str| {
        WORKFLOW
            .replace(
                "    runs-on: ubuntu-latest\n",
                &format!("    runs-on: ubuntu-latest\n    strategy:\n      matrix:\n        action: [{actions}]\n"),
            )
            .replace("terraform plan -out=tfplan", "terraform ${{ matrix.action }} -input=false")
    };
    let f = Case::modified(FLOW, &matrix("plan"), &matrix("plan, destroy")).run(analyze);
    assert_eq!(ids(&f), ["shell/terraform-destroy"]);
    assert!(
        Case::modified(FLOW, &matrix("plan"), &matrix("plan, validate"))
            .run(analyze)
            .is_empty()
    );
}

#[test]
fn a_cleanup_workflow_deleting_the_pull_requests_preview_is_medium() {
    let cleanup = |step: &str| {
        format!("on:\n  pull_request:\n    types: [closed]\njobs:\n  cleanup:\n    runs-on: ubuntu-latest\n    steps:\n      - run: {step}\n")
    };
    let base = cleanup("echo done");
    let f = Case::modified(
        FLOW,
        &base,
        &cleanup("flyctl apps destroy \"shop-pr-${{ github.event.number }}\" --yes"),
    )
    .run(analyze);
    assert_eq!(ids(&f), ["shell/cloud-delete"]);
    assert_eq!(f[0].severity, Severity::Medium);
    let f = Case::modified(FLOW, &base, &cleanup("flyctl apps destroy shop --yes")).run(analyze);
    assert_eq!(f[0].severity, Severity::Critical);
}

#[test]
fn a_makefile_target_that_deletes_an_elasticsearch_index() {
    let f = Case::modified(
        "Makefile",
        "reindex:\n\techo start\n",
        "reindex:\n\techo start\n\tcurl -X DELETE $(ES_URL)/products\n",
    )
    .run(analyze);
    assert_eq!(ids(&f), ["shell/database-drop"]);
    assert!(
        f[0].message.contains("Elasticsearch index"),
        "{}",
        f[0].message
    );
}

#[test]
fn a_release_process_that_resets_the_database_runs_before_every_deploy() {
    let base = "web: bundle exec puma\nrelease: bin/rails db:migrate\n";
    let f = Case::modified(
        "Procfile",
        base,
        &base.replace("db:migrate", "db:schema:load"),
    )
    .run(analyze);
    assert_eq!(ids(&f), ["shell/database-drop"]);
    assert_eq!(f[0].location.line, Some(2));
    let worker = format!("{base}worker: bundle exec sidekiq\n");
    assert!(Case::modified("Procfile", base, &worker)
        .run(analyze)
        .is_empty());
}

#[test]
fn a_platform_release_command_that_resets_the_database_is_reported_at_its_line() {
    let fly = "app = 'shop'\n\n[deploy]\n  release_command = 'bin/rails db:migrate'\n";
    let f = Case::modified("fly.toml", fly, &fly.replace("db:migrate", "db:reset")).run(analyze);
    assert_eq!(ids(&f), ["shell/database-drop"]);
    assert_eq!(f[0].location.line, Some(4));
    let broken = Case::modified("fly.toml", fly, "[deploy\n").run(analyze);
    assert_eq!(ids(&broken), ["workflow/unparseable"]);
    let scaled = format!("{fly}\n[[vm]]\n  memory = '1gb'\n");
    assert!(Case::modified("fly.toml", fly, &scaled)
        .run(analyze)
        .is_empty());
}

#[test]
fn a_makefile_turned_into_a_taskfile_carries_its_destroy_over() {
    use crate::analyze::files::testkit::Case;
    use crate::change::Side;
    let make = "destroy:\n\tterraform -chdir=envs/$(ENV) destroy\n";
    let task = "version: '3'\ntasks:\n  destroy:\n    cmds:\n      - terraform -chdir=envs/{{.ENV}} destroy\n";
    let run = |case: Case| case.run(analyze);
    let moved = Case::added("Taskfile.yml", task).with_changed_file(Side::Base, "Makefile", make);
    assert!(run(moved).is_empty());
    // Without the Makefile going, or with a second copy, the destroy is new.
    assert_eq!(
        run(Case::added("Taskfile.yml", task)).len(),
        1,
        "no Makefile deleted"
    );
    let twice = task.replace(
        " destroy\n",
        " destroy\n      - terraform -chdir=envs/{{.ENV}} destroy\n",
    );
    let f =
        run(Case::added("Taskfile.yml", &twice).with_changed_file(Side::Base, "Makefile", make));
    assert_eq!(f.len(), 2, "{f:?}");
}

#[test]
fn a_gitlab_destroy_job_that_loses_when_manual_runs_in_every_pipeline() {
    let ci = "stages: [deploy, destroy]\ndestroy:\n  stage: destroy\n  script:\n    - terraform destroy -auto-approve\n  when: manual\n";
    let auto = ci.replace("  when: manual\n", "");
    let f = Case::modified(".gitlab-ci.yml", ci, &auto).run(analyze);
    assert_eq!(ids(&f), ["workflow/destroy-trigger-widened"]);
    assert_eq!(f[0].severity, Severity::Critical);
    assert_eq!(f[0].location.line, Some(2));
    assert!(
        f[0].message
            .contains("`destroy` waited to be started by hand"),
        "{}",
        f[0].message
    );
    // Manual through every rule that runs it, then not.
    let ruled = ci.replace(
        "  when: manual\n",
        "  rules:\n    - if: $CI_COMMIT_BRANCH == \"main\"\n      when: manual\n    - when: never\n",
    );
    let loosened = ruled.replace("      when: manual\n", "");
    assert_eq!(
        ids(&Case::modified(".gitlab-ci.yml", &ruled, &loosened).run(analyze)),
        ["workflow/destroy-trigger-widened"]
    );
    // A review app's stop job: medium.
    let stop = ci.replace(
        "  when: manual\n",
        "  environment:\n    name: review/$CI_COMMIT_REF_SLUG\n    action: stop\n  when: manual\n",
    );
    let f = Case::modified(
        ".gitlab-ci.yml",
        &stop,
        &stop.replace("  when: manual\n", ""),
    )
    .run(analyze);
    assert_eq!(f[0].severity, Severity::Medium);
    // Still manual, moved into rules, or a job that destroys nothing: quiet.
    let moved = ci.replace("  when: manual\n", "  rules:\n    - when: manual\n");
    assert!(Case::modified(".gitlab-ci.yml", ci, &moved)
        .run(analyze)
        .is_empty());
    let plan = ci.replace("terraform destroy -auto-approve", "terraform plan");
    assert!(Case::modified(
        ".gitlab-ci.yml",
        &plan,
        &plan.replace("  when: manual\n", "")
    )
    .run(analyze)
    .is_empty());
}

#[test]
fn a_gitlab_destroy_job_that_stops_extending_its_manual_template_runs_in_every_pipeline() {
    let ci = ".manual:\n  when: manual\ndestroy:\n  extends: .manual\n  script:\n    - terraform destroy -auto-approve\n";
    let dropped = ci.replace("  extends: .manual\n", "");
    let f = Case::modified(".gitlab-ci.yml", ci, &dropped).run(analyze);
    assert_eq!(ids(&f), ["workflow/destroy-trigger-widened"]);
    assert_eq!(f[0].location.line, Some(3));
    // The template itself loses the button: every job extending it starts by itself.
    let template = ci.replace("  when: manual\n", "  when: on_success\n");
    assert_eq!(
        ids(&Case::modified(".gitlab-ci.yml", ci, &template).run(analyze)),
        ["workflow/destroy-trigger-widened"]
    );
    // The job's own `when: manual` replacing the template's: still by hand, quiet.
    let own = dropped.replace("  script:", "  when: manual\n  script:");
    assert!(Case::modified(".gitlab-ci.yml", ci, &own)
        .run(analyze)
        .is_empty());
}

#[test]
fn a_jenkins_pipeline_that_destroys_and_loses_its_input_approval_is_widened() {
    let base = "pipeline {\n  agent any\n  stages {\n    stage('Destroy') {\n      input {\n        message 'Destroy staging?'\n      }\n      steps {\n        sh 'terraform destroy -auto-approve'\n      }\n    }\n  }\n}\n";
    let head = base.replace(
        "      input {\n        message 'Destroy staging?'\n      }\n",
        "",
    );
    let f = Case::modified("Jenkinsfile", base, &head).run(analyze);
    assert_eq!(ids(&f), ["workflow/destroy-trigger-widened"]);
    assert_eq!(f[0].severity, Severity::High);
    assert_eq!(f[0].location.line, Some(6));
    // A scripted pipeline's `input` step, and one only commented out, count the same way.
    let scripted =
        "node {\n  input message: 'Destroy?'\n  sh 'terraform destroy -auto-approve'\n}\n";
    let commented = scripted.replace("  input message", "  // input message");
    assert_eq!(
        ids(&Case::modified("Jenkinsfile", scripted, &commented).run(analyze)),
        ["workflow/destroy-trigger-widened"]
    );
    // Kept, reworded, or a pipeline that destroys nothing: quiet.
    let reworded = base.replace("Destroy staging?", "Really destroy staging?");
    assert!(Case::modified("Jenkinsfile", base, &reworded)
        .run(analyze)
        .is_empty());
    let plan = base.replace("terraform destroy -auto-approve", "terraform plan");
    let plan_head = plan.replace(
        "      input {\n        message 'Destroy staging?'\n      }\n",
        "",
    );
    assert!(Case::modified("Jenkinsfile", &plan, &plan_head)
        .run(analyze)
        .is_empty());
}
