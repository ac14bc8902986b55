//! commands analyzer: destructive commands that a change adds to CI workflows, pipelines,
//! shell scripts, Dockerfiles and build files.
//!
//! Three steps: `extract` finds the shell text in the file (a `run:` step, a `RUN`
//! instruction, a recipe), `lex` splits it into simple commands the way a shell would, and
//! `packs` says which of them destroy something (`container` hands it the command a
//! `docker run` starts). Both sides are read, and a command is
//! reported only when the head has more copies of it than the base: moving, re-indenting or
//! commenting around an existing `terraform destroy` stays quiet, adding one does not.

mod carried;
mod container;
mod dockerfile;
mod expansions;
mod extract;
mod gitlab_manual;
mod jenkins;
mod lex;
mod packs;
mod platform_config;
mod pwsh_lex;
mod terragrunt_hooks;
mod tool_steps;
pub(crate) mod workflow;

pub(crate) use carried::Carried;

use super::{fresh, unparseable_finding, FileKind, FileView, Unparseable};
use crate::change::{RepoPath, Side};
use crate::finding::{Finding, RuleId, Severity, Tag};
use crate::rules::Rule;
// A Kubernetes container that gives only `args` runs them under its image's entrypoint.
pub(crate) use container::entrypoint;
pub(crate) use extract::{content_line, Interpreter, Script};
use packs::Hit;
// The Ansible analyzer judges a `file: state=absent` path and a query module's SQL the way
// `rm -rf` and `psql -c` are judged here.
pub(crate) use packs::{data_dir, destructive_mongo, destructive_sql};

const DESTRUCTIVE: &[Tag] = &[Tag::Destructive];

pub const TERRAFORM_DESTROY: Rule = Rule {
    id: RuleId("shell/terraform-destroy"),
    severity: Severity::Critical,
    tags: DESTRUCTIVE,
    summary: "A script or CI step runs `terraform destroy` (or `apply -destroy`; OpenTofu, Terragrunt).",
    why: "A destroy deletes every resource in the state it runs against: databases, buckets and networks go with their data. In a pipeline it runs with nobody watching, against whatever workspace the job selects.",
    example: "+ run: terraform destroy -auto-approve",
    safer: "Remove the resources from the configuration and let a reviewed plan show each deletion; if an environment must go, destroy it by hand after reviewing `terraform plan -destroy`.",
};

pub const TERRAFORM_REPLACE: Rule = Rule {
    id: RuleId("shell/terraform-replace"),
    severity: Severity::High,
    tags: DESTRUCTIVE,
    summary: "A script or CI step forces Terraform to destroy and recreate a resource (`apply -replace=ADDR`, `taint ADDR`).",
    why: "Replacing a resource deletes it first: a database or disk loses its data, anything else its identity (IDs, addresses, attached policies). It is the \"delete and recreate\" an agent reaches for when an apply gets stuck, and from a pipeline it happens with nobody reading the plan.",
    example: "+ run: terraform apply -replace=aws_db_instance.main -auto-approve",
    safer: "Run the replacement by hand after reading its plan, with a snapshot or backup taken first; where a recreate is unavoidable, `lifecycle { create_before_destroy = true }` keeps the old resource until the new one exists.",
};

pub const TERRAFORM_STATE_RM: Rule = Rule {
    id: RuleId("shell/terraform-state-rm"),
    severity: Severity::Medium,
    tags: DESTRUCTIVE,
    summary: "A script or CI step removes resources from Terraform's state (`terraform state rm`).",
    why: "The resource keeps running but Terraform no longer manages it: if the configuration still declares it, the next apply creates a second one (or fails on the name), and nothing tracks the first.",
    example: "+ run: terraform state rm module.db",
    safer: "Hand a resource over with a `removed { lifecycle { destroy = false } }` block or a `moved` block in a reviewed change, so the plan shows what happens to it.",
};

pub const AUTO_APPROVE_ADDED: Rule = Rule {
    id: RuleId("shell/auto-approve-added"),
    severity: Severity::Medium,
    tags: DESTRUCTIVE,
    summary: "A pipeline starts applying infrastructure changes without a human approving the plan (`-auto-approve`, `pulumi up --yes`, `cdk deploy --require-approval never`).",
    why: "An unattended apply executes every deletion and replacement the plan contains; the plan is where a human would have seen them. (Applying a saved plan, `terraform apply tfplan`, never asks, so `-auto-approve` added there changes nothing and is not reported.)",
    example: "- run: terraform apply tfplan\n+ run: terraform apply -auto-approve",
    safer: "Save the plan (`terraform plan -out=tfplan`), show it in review, and apply that saved plan after an approval step (a protected environment with required reviewers).",
};

pub const STACK_DESTROY: Rule = Rule {
    id: RuleId("shell/stack-destroy"),
    severity: Severity::Critical,
    tags: DESTRUCTIVE,
    summary: "A script or CI step destroys a whole stack (`pulumi destroy`, `cdk destroy`, `sam delete`, `serverless remove`).",
    why: "Destroying a stack deletes every resource it manages, stateful ones included, unless each is individually retained.",
    example: "+ run: pulumi destroy --yes --stack prod",
    safer: "Remove resources from the program and review the preview; protect stateful resources (`protect`, `RemovalPolicy.RETAIN`) before tearing a stack down by hand.",
};

pub const KUBECTL_DELETE: Rule = Rule {
    id: RuleId("shell/kubectl-delete"),
    severity: Severity::High,
    tags: DESTRUCTIVE,
    summary: "A script or CI step deletes Kubernetes objects (`kubectl delete`, `replace --force`, `apply --prune`), or the GitOps object that deployed them (`flux delete kustomization`/`helmrelease`, `argocd app delete`, `argocd appset delete`).",
    why: "Deleting a Namespace deletes everything in it; deleting a PVC or PV can delete the volume's data; pruning deletes whatever the applied files forgot to list.",
    example: "+ run: kubectl delete namespace prod",
    safer: "Remove the object from the manifests and let GitOps or a reviewed `kubectl diff` show the deletion; keep volumes with `persistentVolumeReclaimPolicy: Retain`.",
};

pub const HELM_UNINSTALL: Rule = Rule {
    id: RuleId("shell/helm-uninstall"),
    severity: Severity::High,
    tags: DESTRUCTIVE,
    summary: "A script or CI step uninstalls a Helm release (`helm uninstall`, `helmfile destroy`).",
    why: "Uninstalling deletes every object the release created, including claims on persistent volumes the chart does not mark `helm.sh/resource-policy: keep`.",
    example: "+ run: helm uninstall api -n prod",
    safer: "Scale the release down first, mark stateful objects `helm.sh/resource-policy: keep`, and uninstall by hand after review.",
};

pub const RM_RF: Rule = Rule {
    id: RuleId("shell/rm-rf"),
    severity: Severity::High,
    tags: DESTRUCTIVE,
    summary: "`rm -r` (or PowerShell's `Remove-Item -Recurse`) on a root, drive or system directory, the home directory, or a variable path that could be empty or split.",
    why: "`rm -rf \"$DIR/\"` with `DIR` unset is `rm -rf /`; an unquoted variable with spaces or a glob deletes paths nobody named.",
    example: "+ rm -rf \"$DEPLOY_DIR/\"*",
    safer: "Quote variables and guard them: `rm -rf \"${DEPLOY_DIR:?}/\"*`; delete a known temporary directory (`mktemp -d`) instead of a computed one.",
};

pub const CLOUD_DELETE: Rule = Rule {
    id: RuleId("shell/cloud-delete"),
    severity: Severity::High,
    tags: DESTRUCTIVE,
    summary: "A script or CI step deletes cloud resources from the command line (`aws … delete-*`, `s3 rb --force`, `s3 rm --recursive`, `gcloud … delete`, `az … delete`, `gsutil rm -r`, `doctl`/`hcloud`/`linode-cli`/`scw`/`oci`/`ibmcloud`/`eksctl` deletes, `fly … destroy`, `heroku apps:destroy`/`pg:reset`, `vercel remove`, `netlify sites:delete`, `railway delete`/`down`, `render services delete`, Supabase, Neon and PlanetScale projects, MongoDB Atlas clusters, Cloudflare D1, R2 and KV deletes, `mc rb`, `rclone purge`/`delete`, and at medium `aws s3 sync --delete`, `rclone sync`, `mc mirror --remove` and a per-pull-request preview), or through PowerShell (`Remove-Az…` and AzureRM cmdlets, AWS Tools' `Remove-S3Bucket`, `Remove-RDSDBInstance`, `Remove-CFNStack`…).",
    why: "A CLI delete bypasses the infrastructure code, its plan and its protections; a database, bucket or resource group deleted this way takes its data with it.",
    example: "+ aws rds delete-db-instance --db-instance-identifier prod --skip-final-snapshot",
    safer: "Remove the resource through the infrastructure code so a plan shows it; take a final snapshot or backup; turn on deletion protection for stateful resources.",
};

pub const PROTECTION_DISABLED: Rule = Rule {
    id: RuleId("shell/protection-disabled"),
    severity: Severity::High,
    tags: DESTRUCTIVE,
    summary: "A script or CI step turns off a resource's deletion or termination protection (`aws cloudformation update-termination-protection --no-enable-termination-protection`, `aws rds modify-db-instance --no-deletion-protection`, `aws ec2 modify-instance-attribute --no-disable-api-termination`, `aws dynamodb update-table --no-deletion-protection-enabled`, an ELB's `deletion_protection.enabled=false`).",
    why: "The protection is what makes a mistaken delete fail: a stack teardown, a `terraform destroy`, a console click or a CLI `delete-*` all stop at it. Turned off from a pipeline, it stays off for whatever runs next, and nobody reviewed which deletion it was for.",
    example: "+ run: aws rds modify-db-instance --db-instance-identifier prod --no-deletion-protection",
    safer: "Keep the protection on; when a resource really must go, turn its protection off in a separate, reviewed change just before the planned deletion.",
};

pub const GIT_FORCE_PUSH: Rule = Rule {
    id: RuleId("shell/git-force-push"),
    severity: Severity::High,
    tags: DESTRUCTIVE,
    summary: "A script or CI step force-pushes or deletes a remote branch, or hard-resets a branch to an older commit.",
    why: "A force push replaces the remote branch's history: commits others pushed disappear from it, and on a protected branch it defeats review. `git reset --hard HEAD~n` is how such a rewrite starts (medium).",
    example: "+ git push --force origin main",
    safer: "Push new commits instead (revert rather than rewrite); if a rewrite is needed, use `--force-with-lease` on a branch only you use.",
};

pub const DATABASE_DROP: Rule = Rule {
    id: RuleId("shell/database-drop"),
    severity: Severity::High,
    tags: DESTRUCTIVE,
    summary: "A command drops or empties a database (`DROP`/`TRUNCATE` through psql, mysql or `Invoke-Sqlcmd`, `dropdb`, Redis `FLUSHALL`, Mongo `dropDatabase`, Cassandra `DROP KEYSPACE`, `influx bucket delete`, `etcdctl del --prefix`, `rails db:drop`, `prisma migrate reset`, `flyway clean`, `liquibase drop-all`, `alembic downgrade base`, `supabase db reset --linked`; Neon and PlanetScale branch deletes, `firebase firestore:delete`/`database:remove`, `atlas schema clean`, `wrangler d1 execute`, `bq rm`, `snowsql`, ClickHouse; a Kafka topic, RabbitMQ queue or vhost, Consul prefix or Redis key pattern deleted; an Elasticsearch/OpenSearch index or CouchDB database deleted over HTTP with `curl`), also inside `docker exec` or `kubectl exec`.",
    why: "These commands delete data outside any reviewed migration; only a backup brings it back.",
    example: "+ psql \"$DATABASE_URL\" -c 'DROP TABLE users'",
    safer: "Make the change a reviewed migration, take a backup first, and keep reset tasks out of pipelines that can reach production.",
};

pub const SHELL_UNPARSEABLE: Rule = Rule {
    id: RuleId("shell/unparseable"),
    severity: Severity::Medium,
    tags: &[Tag::Infra],
    summary: "A script could not be split into commands (an unterminated quote or substitution), or runs a PowerShell script encoded in base64.",
    why: "twokey cannot tell what commands a script it cannot read runs, so it fails closed and asks for a human.",
    example: "+ run: echo 'never closed",
    safer: "Close the quote or substitution; `bash -n script.sh` (for PowerShell, the parse errors `pwsh` reports) finds the spot.",
};

pub const PIPELINE_UNPARSEABLE: Rule = Rule {
    id: RuleId("workflow/unparseable"),
    severity: Severity::Medium,
    tags: &[Tag::Infra],
    summary: "A workflow, pipeline or package.json could not be parsed.",
    why: "twokey cannot see the commands of a pipeline it cannot parse, so it fails closed and asks for a human.",
    example: "+ jobs:\n+   deploy: [",
    safer: "Fix the syntax (`actionlint` for GitHub workflows); the CI system would reject the file too.",
};

pub const VOLUME_DELETE: Rule = Rule {
    id: RuleId("shell/volume-delete"),
    severity: Severity::High,
    tags: DESTRUCTIVE,
    summary: "A script or CI step deletes container volumes (`docker volume rm`/`prune`, `docker system prune --volumes`, `docker compose down -v`).",
    why: "Named volumes are where containers keep their data (a database's files, uploads); on a server or a self-hosted runner, deleting them loses that data for good.",
    example: "+ run: docker compose down -v",
    safer: "Stop the containers without `-v` and remove a volume by name, by hand, after backing it up.",
};

pub const SECRETS_OR_BACKUPS_DELETE: Rule = Rule {
    id: RuleId("shell/secrets-or-backups-delete"),
    severity: Severity::High,
    tags: DESTRUCTIVE,
    summary: "A script or CI step deletes secrets or backups for good (`vault secrets disable`, `vault kv metadata delete`, `vault kv destroy`, `velero backup delete`, an Elasticsearch snapshot deleted over HTTP).",
    why: "Disabling a Vault secrets engine deletes every secret in it, and deleting a key's metadata or destroying its versions cannot be undone; a deleted Velero backup is the restore that is no longer there when it is needed.",
    example: "+ run: vault secrets disable kv-prod",
    safer: "Delete secrets and backups by hand after checking what depends on them; for Vault KV, `vault kv delete` keeps the versions recoverable; let backups expire through their retention (`--ttl`) instead.",
};

pub const RULES: &[&Rule] = &[
    &TERRAFORM_DESTROY,
    &TERRAFORM_REPLACE,
    &TERRAFORM_STATE_RM,
    &AUTO_APPROVE_ADDED,
    &STACK_DESTROY,
    &KUBECTL_DELETE,
    &HELM_UNINSTALL,
    &RM_RF,
    &CLOUD_DELETE,
    &PROTECTION_DISABLED,
    &VOLUME_DELETE,
    &SECRETS_OR_BACKUPS_DELETE,
    &GIT_FORCE_PUSH,
    &DATABASE_DROP,
    &SHELL_UNPARSEABLE,
    &PIPELINE_UNPARSEABLE,
    &workflow::DESTROY_TRIGGER_WIDENED,
    &workflow::DESTROY_CALL_UNREAD,
];

/// A destructive command and the lines it stands on.
struct Located {
    hit: Hit,
    line: u32,
    end_line: u32,
}

#[derive(Default)]
struct SideCommands {
    hits: Vec<Located>,
    failure: Option<(&'static Rule, Unparseable)>,
}

/// Whether a file (by its lowercase name) is a PaaS's deploy config that holds commands
/// (`fly.toml`, `railway.toml`, `netlify.toml`).
pub(crate) fn is_platform_config(name: &str) -> bool {
    platform_config::Platform::of(name).is_some()
}

/// Reports the destructive commands the head side adds.
pub fn analyze(view: &FileView) -> Vec<Finding> {
    let Some(head_text) = view.new_text() else {
        // A deleted script runs nothing any more.
        return Vec::new();
    };
    let head = side_commands(view.kind, view.path_on(Side::Head), head_text, Side::Head);
    // A base that cannot be read counts as empty, so every head command is new: fail closed.
    let base = view
        .old_text()
        .map(|t| side_commands(view.kind, view.path_on(Side::Base), t, Side::Base))
        .unwrap_or_default();
    let mut findings = new_commands(view, &base, &head);
    if view.kind == FileKind::Workflow {
        // An added workflow (or an unreadable base) has nothing to compare with: all is new.
        let base_text = view.old_text().unwrap_or("");
        findings.extend(workflow::analyze(view, base_text, head_text));
    }
    if view.kind == FileKind::CiPipeline
        && crate::analyze::classify::is_jenkinsfile(&view.path().file_name().to_ascii_lowercase())
    {
        if let Some(base_text) = view.old_text() {
            findings.extend(approval_removed(view, &base, &head, base_text, head_text));
        }
    }
    if view.kind == FileKind::CiPipeline && gitlab_manual::is_gitlab(view.path().as_str()) {
        if let Some(base_text) = view.old_text() {
            findings.extend(gitlab_manual::check(view, base_text, head_text));
        }
    }
    findings.sort_by_key(|f| f.location.line);
    findings
}

/// Rules about what a command deletes on the machine it runs on (files, Docker volumes): in an
/// image build that machine is the layer being built, and nothing outlives the build.
const BUILD_LOCAL: &[&str] = &["shell/rm-rf", "shell/volume-delete"];

fn side_commands(kind: FileKind, path: &RepoPath, text: &str, side: Side) -> SideCommands {
    let extracted = extract::scripts(kind, path, text);
    let mut out = SideCommands {
        hits: Vec::new(),
        failure: extracted
            .failure
            .map(|(line, reason)| (&PIPELINE_UNPARSEABLE, Unparseable { side, line, reason })),
    };
    judge(extracted.scripts, side, &mut out);
    out
}

/// A Jenkins pipeline that destroys and waits on fewer `input` approvals than it did: its
/// destroys, all already there, may now run with nobody confirming them. Reported once, at
/// the worst destroy, under `workflow/destroy-trigger-widened` (at most high: which stage the
/// approval held back is not read).
fn approval_removed(
    view: &FileView,
    base: &SideCommands,
    head: &SideCommands,
    base_text: &str,
    head_text: &str,
) -> Option<Finding> {
    if jenkins::input_approvals(head_text) >= jenkins::input_approvals(base_text) {
        return None;
    }
    let worst = head
        .hits
        .iter()
        .filter(|h| base.hits.iter().any(|b| b.hit.identity == h.hit.identity))
        .max_by_key(|h| h.hit.severity)?;
    Some(
        Finding::new(
            &workflow::DESTROY_TRIGGER_WIDENED,
            view.at(Side::Head, worst.line, worst.end_line),
            format!(
                "An `input` approval was removed from this Jenkins pipeline, which runs: {} It may now run without anyone confirming it.",
                worst.hit.message
            ),
        )
        .with_severity(worst.hit.severity.min(Severity::High)),
    )
}

/// Reports the destructive commands of `head`'s scripts that `base`'s do not have, for a file
/// another analyzer reads the scripts of (the containers of a Kubernetes manifest).
pub(crate) fn analyze_scripts(
    view: &FileView,
    base: Vec<Script>,
    head: Vec<Script>,
) -> Vec<Finding> {
    new_commands(view, &judged(base, Side::Base), &judged(head, Side::Head))
}

/// The destructive commands of `scripts`, read as one side of a file.
fn judged(scripts: Vec<Script>, side: Side) -> SideCommands {
    let mut out = SideCommands::default();
    judge(scripts, side, &mut out);
    out
}

/// The findings for what `head` runs that `base` did not, and for a head that cannot be read.
fn new_commands(view: &FileView, base: &SideCommands, head: &SideCommands) -> Vec<Finding> {
    let mut findings = Vec::new();
    if let Some((rule, failure)) = &head.failure {
        findings.push(unparseable_finding(rule, view, failure));
    }
    let new = fresh::new_copies(
        view.hunks(),
        base.hits.iter().map(|l| carried::key(&l.hit.identity)),
        head.hits
            .iter()
            .map(|l| (carried::key(&l.hit.identity), l.line)),
    );
    // A hand-run file the change adds may take its commands over from one it deletes (a
    // Makefile turned into a Taskfile): those are not new. Read only when there is one.
    let added_by_hand = view.old_text().is_none() && carried::hand_run(view.kind);
    let carried = (added_by_hand && !new.is_empty()).then(|| carried::of_change(view));
    let new = new.into_iter().filter(|&i| {
        carried
            .as_ref()
            .is_none_or(|c| !c.contains(&carried::key(&head.hits[i].hit.identity)))
    });
    for located in new.map(|i| &head.hits[i]) {
        let mut finding = Finding::new(
            located.hit.rule,
            view.at(Side::Head, located.line, located.end_line),
            located.hit.message.clone(),
        )
        .with_severity(located.hit.severity);
        if let Some(safer) = &located.hit.safer {
            finding = finding.with_safer(safer.clone());
        }
        findings.push(finding);
    }
    findings
}

/// Splits each script into commands and adds the destructive ones to `out`.
fn judge(scripts: Vec<extract::Script>, side: Side, out: &mut SideCommands) {
    for script in scripts {
        // PowerShell has its own lexer; only it and the POSIX one are trusted to report a
        // script they cannot read (cmd or Python text is matched as best the shell lexer can).
        let lexed = match script.interpreter {
            Interpreter::PowerShell => pwsh_lex::lex(&script.text, script.first_line),
            Interpreter::Posix | Interpreter::Other => lex::lex(&script.text, script.first_line),
        };
        if let Some(error) = lexed
            .error
            .filter(|_| script.interpreter != Interpreter::Other)
        {
            out.failure.get_or_insert((
                &SHELL_UNPARSEABLE,
                Unparseable {
                    side,
                    line: Some(error.line),
                    reason: error.message,
                },
            ));
        }
        for mut command in lexed.commands {
            if script.make_variables {
                // make substitutes its variables before the shell splits words.
                for word in &mut command.words {
                    for expansion in &mut word.expansions {
                        expansion.quoted = true;
                    }
                }
            }
            for hit in packs::match_command(&command.words, command.stdin.as_deref()) {
                if script.image_build && BUILD_LOCAL.contains(&hit.rule.id.0) {
                    continue;
                }
                out.hits.push(Located {
                    hit,
                    line: command.line,
                    end_line: command.end_line,
                });
            }
        }
    }
}

#[cfg(test)]
mod tests;
