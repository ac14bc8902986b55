//! tool_steps: pipeline steps that run a tool without a shell line of their own (a GitHub
//! action, an Azure Pipelines task, a GitLab template job, a CircleCI orb job, an Atlantis
//! step) whose inputs name what it does. Each is turned into the command line it runs, so the
//! packs judge `command: destroy` on a Terraform task like `terraform destroy` in a script.
//!
//! Only shapes whose command is certain are listed; anything else is left to the scripts the
//! step does have.

use crate::yaml::{Node, Value};

/// The command a step runs, and the line to report it on.
pub struct ToolStep {
    pub command: String,
    pub line: u32,
    /// The step's inputs are the tool's options, not scripts: they are not read as shell.
    pub inputs_read: bool,
}

/// GitHub actions that destroy a whole Terraform or OpenTofu configuration by their name.
const DESTROY_ACTIONS: &[&str] = &[
    "dflook/terraform-destroy@",
    "dflook/terraform-destroy-workspace@",
    "dflook/tofu-destroy@",
    "dflook/tofu-destroy-workspace@",
];

/// The command `step` (a mapping in a workflow or pipeline) stands for, if it is a tool step.
pub fn command(step: &Node, github: bool) -> Option<ToolStep> {
    let text = |node: &Node, key: &str| node.get(key).and_then(Node::as_str).map(str::to_owned);
    if github {
        let uses = step.get("uses").and_then(Node::as_str)?;
        let inputs = step.get("with");
        let input = |key: &str| inputs.and_then(|with| text(with, key));
        let command = if DESTROY_ACTIONS.iter().any(|a| uses.starts_with(a)) {
            "terraform destroy".to_owned()
        } else if uses.starts_with("pulumi/actions@") {
            // The action never asks: `up` deploys as `pulumi up --yes` does, `destroy`
            // destroys as `pulumi destroy --yes` does. A preview changes nothing.
            match input("command")?.as_str() {
                "up" | "update" => "pulumi up --yes".to_owned(),
                "destroy" => "pulumi destroy --yes".to_owned(),
                _ => return None,
            }
        } else if uses.starts_with("gruntwork-io/terragrunt-action@") {
            // `tg_command` is the Terragrunt command line after `terragrunt` (`plan`,
            // `run-all destroy`); the action runs it without a terminal to ask on.
            format!("terragrunt {}", input("tg_command")?)
        } else if uses.starts_with("hashicorp/terraform-github-actions@") {
            // HashiCorp's retired action: `tf_actions_subcommand` is the Terraform command and
            // `args` its options; it never asks.
            let sub = input("tf_actions_subcommand")?;
            let mut line = format!("terraform {sub}");
            line.extend(input("args").map(|a| format!(" {a}")));
            if matches!(sub.as_str(), "apply" | "destroy") {
                line.push_str(" -auto-approve");
            }
            line
        } else if uses.starts_with("serverless/github-action@") {
            // `args` is the command line after `serverless` (`deploy`, `remove --stage prod`).
            format!("serverless {}", input("args")?)
        } else if uses.starts_with("hashicorp/tfc-workflows-github/actions/create-run@") {
            // A Terraform Cloud run with `is_destroy: true` is a destroy run.
            input("is_destroy").filter(|v| v == "true")?;
            "terraform destroy".to_owned()
        } else {
            return None;
        };
        return Some(ToolStep {
            command,
            line: step.line,
            inputs_read: false,
        });
    }
    if let Some(task) = step.get("task").and_then(Node::as_str) {
        // Azure Pipelines' Terraform tasks (Microsoft's TerraformTaskV1-V5, the Marketplace
        // TerraformCLI): `command:` is the subcommand, `commandOptions:` its arguments.
        let lower = task.to_ascii_lowercase();
        if !(lower.starts_with("terraformtask") || lower.starts_with("terraformcli")) {
            return None;
        }
        let inputs = step.get("inputs")?;
        let given = inputs.get("command")?;
        let sub = given.as_str()?;
        let mut words = vec!["terraform".to_owned(), sub.to_owned()];
        words.extend(text(inputs, "commandOptions").filter(|o| !o.trim().is_empty()));
        // The task applies and destroys without asking: it adds `-auto-approve` itself.
        if matches!(sub, "apply" | "destroy") && !words.iter().any(|w| w.contains("-auto-approve"))
        {
            words.push("-auto-approve".to_owned());
        }
        return Some(ToolStep {
            command: words.join(" "),
            line: given.line,
            inputs_read: true,
        });
    }
    // GitLab's Terraform template: a job extending `.terraform:destroy` runs
    // `gitlab-terraform destroy`, unless it brings its own `script:`.
    let extends = step.get("extends").map(|e| match &e.value {
        Value::Seq(items) => items.iter().filter_map(Node::as_str).collect(),
        _ => e.as_str().into_iter().collect::<Vec<_>>(),
    });
    if extends.is_some_and(|e| e.contains(&".terraform:destroy")) && step.get("script").is_none() {
        return Some(ToolStep {
            command: "gitlab-terraform destroy".to_owned(),
            line: step.line,
            inputs_read: false,
        });
    }
    // Atlantis: `- plan: {extra_args: ["-destroy"]}` plans a destroy, which apply then runs.
    for sub in ["plan", "apply"] {
        let Some(args) = step.path(&[sub, "extra_args"]) else {
            continue;
        };
        let args: Vec<&str> = args.as_seq().iter().filter_map(Node::as_str).collect();
        return Some(ToolStep {
            command: shlex::try_join(std::iter::once("terraform").chain([sub]).chain(args)).ok()?,
            line: step.line,
            inputs_read: false,
        });
    }
    // CircleCI's terraform orb: the `terraform/destroy` job or command.
    if step.get("terraform/destroy").is_some() {
        return Some(ToolStep {
            command: "terraform destroy".to_owned(),
            line: step.line,
            inputs_read: true,
        });
    }
    None
}

/// A step given by name alone (`- terraform/destroy` in a CircleCI workflow).
pub fn named(item: &Node) -> Option<ToolStep> {
    (item.as_str()? == "terraform/destroy").then(|| ToolStep {
        command: "terraform destroy".to_owned(),
        line: item.line,
        inputs_read: true,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn step(yaml: &str, github: bool) -> Option<(String, u32, bool)> {
        let docs = crate::yaml::parse_documents(yaml).expect("test YAML parses");
        command(&docs[0], github).map(|s| (s.command, s.line, s.inputs_read))
    }

    #[test]
    fn destroying_actions_are_destroys() {
        let got = |yaml| step(yaml, true).map(|s| s.0);
        assert_eq!(
            got("uses: dflook/terraform-destroy@v1\nwith:\n  path: infra\n").as_deref(),
            Some("terraform destroy")
        );
        assert_eq!(
            got("uses: pulumi/actions@v5\nwith:\n  command: destroy\n  stack-name: prod\n")
                .as_deref(),
            Some("pulumi destroy --yes")
        );
        // The action deploys without asking, as `pulumi up --yes` does.
        assert_eq!(
            got("uses: pulumi/actions@v5\nwith:\n  command: up\n  stack-name: prod\n").as_deref(),
            Some("pulumi up --yes")
        );
        assert_eq!(
            got("uses: hashicorp/tfc-workflows-github/actions/create-run@v1\nwith:\n  is_destroy: true\n")
                .as_deref(),
            Some("terraform destroy")
        );
        assert_eq!(
            got("uses: gruntwork-io/terragrunt-action@v2\nwith:\n  tg_command: run-all destroy\n")
                .as_deref(),
            Some("terragrunt run-all destroy")
        );
        assert_eq!(
            got("uses: serverless/github-action@v3\nwith:\n  args: remove --stage prod\n")
                .as_deref(),
            Some("serverless remove --stage prod")
        );
        assert_eq!(
            got("uses: hashicorp/terraform-github-actions@master\nwith:\n  tf_actions_subcommand: destroy\n")
                .as_deref(),
            Some("terraform destroy -auto-approve")
        );
        for quiet in [
            "uses: dflook/terraform-plan@v1\n",
            "uses: gruntwork-io/terragrunt-action@v2\n",
            "uses: pulumi/actions@v5\nwith:\n  command: preview\n",
            "uses: hashicorp/tfc-workflows-github/actions/create-run@v1\nwith:\n  is_destroy: false\n",
            "run: terraform destroy\n",
        ] {
            assert_eq!(got(quiet), None, "{quiet}");
        }
    }

    #[test]
    fn azure_terraform_tasks_run_their_command() {
        let task = "task: TerraformTaskV4@4\ninputs:\n  provider: azurerm\n  command: destroy\n  commandOptions: -var-file=prod.tfvars\n";
        assert_eq!(
            step(task, false),
            Some((
                "terraform destroy -var-file=prod.tfvars -auto-approve".to_owned(),
                4,
                true
            ))
        );
        // The task approves its own apply; a plan asks nothing.
        let apply = task.replace("command: destroy", "command: apply");
        assert_eq!(
            step(&apply, false).map(|s| s.0).as_deref(),
            Some("terraform apply -var-file=prod.tfvars -auto-approve")
        );
        let plan = task.replace("command: destroy", "command: plan");
        assert_eq!(
            step(&plan, false).map(|s| s.0).as_deref(),
            Some("terraform plan -var-file=prod.tfvars")
        );
        assert_eq!(
            step("task: AzureCLI@2\ninputs:\n  command: x\n", false),
            None
        );
        assert_eq!(step("task: TerraformCLI@1\ninputs: {}\n", false), None);
    }

    #[test]
    fn gitlab_destroy_template_atlantis_destroy_plans_and_the_terraform_orb() {
        let command = |yaml| step(yaml, false).map(|s| s.0);
        assert_eq!(
            command("extends: [.terraform:destroy]\nwhen: manual\n").as_deref(),
            Some("gitlab-terraform destroy")
        );
        assert_eq!(
            command("extends: .terraform:destroy\nscript: [echo]\n"),
            None
        );
        assert_eq!(command("extends: .terraform:build\n"), None);
        assert_eq!(
            command("plan:\n  extra_args: [\"-destroy\", \"-lock=false\"]\n").as_deref(),
            Some("terraform plan -destroy '-lock=false'")
        );
        assert_eq!(command("plan:\n  steps: [init, plan]\n"), None);
        assert_eq!(
            command("terraform/destroy:\n  path: infra\n").as_deref(),
            Some("terraform destroy")
        );
        assert_eq!(command("terraform/plan:\n  path: infra\n"), None);
    }
}
