//! classify: which changed files are infrastructure, and of what kind.
//!
//! By path first; by content where the path is ambiguous (a `.yaml` file is Kubernetes when it
//! has `apiVersion` and `kind`, CloudFormation when it has `AWSTemplateFormatVersion` or
//! `Type: AWS::…` resources).

use crate::analyze::orm;
use crate::change::{Content, RepoPath};
use serde::Serialize;

/// What a file is, as far as the analyzers care.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum FileKind {
    /// `.tf`, `.tf.json`, `.tofu`: Terraform or OpenTofu configuration.
    Terraform,
    /// `terragrunt.hcl`, `.hcl` beside Terraform.
    Terragrunt,
    /// `.tfvars`.
    TerraformVars,
    /// Terraform Stacks configuration: components (`*.tfcomponent.hcl`, the beta's
    /// `*.tfstack.hcl`) and deployments (`*.tfdeploy.hcl`).
    TerraformStack,
    Kubernetes,
    /// A Helm chart (`Chart.yaml`, `values*.yaml`, `templates/`).
    Helm,
    /// `kustomization.yaml`.
    Kustomize,
    CloudFormation,
    /// A Serverless Framework service (`serverless.yml`): one CloudFormation stack.
    Serverless,
    /// A Pulumi YAML program (`Pulumi.yaml`) or a stack's settings (`Pulumi.<stack>.yaml`).
    Pulumi,
    /// Infrastructure as code in a general-purpose language: a Pulumi program or an AWS CDK
    /// app in TypeScript/JavaScript, Python, Go, C# or Java, told by what it imports.
    IacProgram,
    Ansible,
    Dockerfile,
    /// A SQL file: plain SQL migrations and schema scripts.
    Sql,
    /// An ORM migration in a host language (Django, Rails, Alembic, Laravel, Knex, Sequelize,
    /// TypeORM, Ecto, EF Core, Flyway Java/Kotlin), a Prisma, Atlas HCL or Drizzle schema, or a
    /// Liquibase changelog.
    OrmMigration,
    /// A GitHub Actions workflow.
    Workflow,
    /// Another CI system's pipeline (GitLab, CircleCI, Azure Pipelines, Buildkite, Jenkins,
    /// Bitbucket, Travis), or Atlantis' repo config with its custom workflows.
    CiPipeline,
    /// A shell script.
    Shell,
    /// `Makefile`, `Justfile`, `package.json` scripts, `Taskfile.yml`, `Earthfile`: build files
    /// that run commands.
    BuildScript,
    /// An IAM policy document.
    IamPolicy,
    /// A GitHub repository ruleset exported as JSON and kept outside `.github/rulesets/`
    /// (applied by a script or read by Terraform): branch protection, not infrastructure.
    Ruleset,
    /// Application code or config that can make its ORM drop or rewrite the database when
    /// it runs (`ddl-auto: create`, `synchronize: true`, `db.drop_all()`): told by a cheap
    /// look at its bytes, not infrastructure.
    AppDatabase,
    /// A Docker Compose file (`docker-compose.yml`, `compose.yaml`, `compose.<env>.yaml`): the
    /// containers of a developer's machine as often as a server's, so not infrastructure by
    /// itself (`infra_paths` makes it so); its data volumes and services are still judged.
    Compose,
    /// A Compose file that is deployed: a Swarm stack file (`docker-stack.yml`, `stack.yml`)
    /// or a Compose file with a production profile (`docker-compose.prod.yml`).
    ComposeDeployed,
    /// The `.env` beside a Compose file, which Compose reads for `COMPOSE_PROJECT_NAME` and
    /// the `${VAR}`s the file interpolates. Given by the engine, which can see the directory;
    /// the path alone classifies a `.env` as `Other`.
    ComposeEnv,
    /// A HashiCorp Nomad job specification (`*.nomad`, `*.nomad.hcl`, or a `.hcl` file
    /// declaring a `job`).
    Nomad,
    /// Anything else: application code, docs, data.
    Other,
}

impl FileKind {
    /// Whether the file is infrastructure code (the `infra` tag).
    pub fn is_infra(self) -> bool {
        !matches!(
            self,
            FileKind::Other
                | FileKind::Shell
                | FileKind::BuildScript
                | FileKind::Ruleset
                | FileKind::AppDatabase
                | FileKind::Compose
                | FileKind::ComposeEnv
        )
    }
    /// Whether the file holds commands that the commands analyzer should read.
    pub fn runs_commands(self) -> bool {
        matches!(
            self,
            FileKind::Workflow
                | FileKind::CiPipeline
                | FileKind::Shell
                | FileKind::BuildScript
                | FileKind::Dockerfile
                | FileKind::Ansible
                // A unit's `before_hook`/`after_hook` `execute` lists.
                | FileKind::Terragrunt
        )
    }
    pub fn as_str(self) -> &'static str {
        match self {
            FileKind::Terraform => "terraform",
            FileKind::Terragrunt => "terragrunt",
            FileKind::TerraformVars => "terraform-vars",
            FileKind::TerraformStack => "terraform-stack",
            FileKind::Kubernetes => "kubernetes",
            FileKind::Helm => "helm",
            FileKind::Kustomize => "kustomize",
            FileKind::CloudFormation => "cloudformation",
            FileKind::Serverless => "serverless",
            FileKind::Pulumi => "pulumi",
            FileKind::IacProgram => "iac-program",
            FileKind::Ansible => "ansible",
            FileKind::Dockerfile => "dockerfile",
            FileKind::Sql => "sql",
            FileKind::OrmMigration => "orm-migration",
            FileKind::Workflow => "workflow",
            FileKind::CiPipeline => "ci-pipeline",
            FileKind::Shell => "shell",
            FileKind::BuildScript => "build-script",
            FileKind::IamPolicy => "iam-policy",
            FileKind::Ruleset => "ruleset",
            FileKind::AppDatabase => "app-database",
            FileKind::Compose => "compose",
            FileKind::ComposeDeployed => "compose-deployed",
            FileKind::ComposeEnv => "compose-env",
            FileKind::Nomad => "nomad",
            FileKind::Other => "other",
        }
    }
}

/// Classifies a path, looking at `content` (either side's text) only when the path alone
/// cannot tell.
pub fn classify(path: &RepoPath, content: Option<&str>) -> FileKind {
    let p = path.as_str();
    let lower = p.to_ascii_lowercase();
    let name = path.file_name().to_ascii_lowercase();
    let ext = path.extension();
    let ext = ext.as_deref().unwrap_or("");
    // Tried after each `/`: a path has a few, and a substring search costs more to set up.
    let in_dir = |d: &str| {
        lower.starts_with(d)
            || lower
                .bytes()
                .enumerate()
                .any(|(at, b)| b == b'/' && lower[at + 1..].starts_with(d))
    };

    if lower.ends_with(".tf") || lower.ends_with(".tf.json") || lower.ends_with(".tofu") {
        return FileKind::Terraform;
    }
    if lower.ends_with(".tfvars") || lower.ends_with(".tfvars.json") {
        return FileKind::TerraformVars;
    }
    // Nomad job specifications: by their conventional suffixes, or a `.hcl` file (not one of
    // Terragrunt's names) that declares a `job`.
    if ext == "nomad"
        || name.ends_with(".nomad.hcl")
        || (ext == "hcl"
            && !is_terragrunt_name(&name)
            && content.is_some_and(crate::analyze::nomad::is_job))
    {
        return FileKind::Nomad;
    }
    // Terraform's and OpenTofu's own `.hcl` files, told by name before any `.hcl` is taken
    // for Terragrunt.
    if let Some(kind) = terraform_hcl_kind(&name) {
        return kind;
    }
    // `.hcl` files that are no Terragrunt configuration: the provider lock file `terraform
    // init` writes (versions and hashes, nothing to destroy) and Terramate's `*.tm.hcl`.
    if name == ".terraform.lock.hcl" || name.ends_with(".tm.hcl") {
        return FileKind::Other;
    }
    // Atlas schemas (`schema.hcl`, `app.pg.hcl`, or a file of `table` blocks) are read as
    // declarative database schemas; every other `.hcl` stays Terragrunt, including when
    // the content is not at hand (the engine reads it for the names `needs_content` lists).
    if ext == "hcl" && !is_terragrunt_name(&name) && orm::is_atlas_schema(&name, content) {
        return FileKind::OrmMigration;
    }
    if is_terragrunt_name(&name) || ext == "hcl" {
        return FileKind::Terragrunt;
    }
    if in_dir(".github/workflows/") && matches!(ext, "yml" | "yaml") {
        return FileKind::Workflow;
    }
    if name == ".gitlab-ci.yml"
        // Pipelines split into files the root one `include:`s.
        || (name.ends_with(".gitlab-ci.yml") || name.ends_with(".gitlab-ci.yaml"))
        || (in_dir(".gitlab/ci/") && matches!(ext, "yml" | "yaml"))
        || in_dir(".circleci/")
        || is_azure_pipeline(&name, &lower, ext)
        || in_dir(".buildkite/")
        || is_jenkinsfile(&name)
        || name == "bitbucket-pipelines.yml"
        || name == ".travis.yml"
        // Atlantis' repo-level config: its custom workflows run `run:` steps.
        || name == "atlantis.yaml"
        || name == "atlantis.yml"
        // Terrateam's and Digger's repository config: apply requirements and `run:` steps.
        || in_dir(".terrateam/") && matches!(name.as_str(), "config.yml" | "config.yaml")
        || name == "digger.yml"
        || name == "digger.yaml"
        // Spacelift's runtime config and env0's custom flows: hooks that run shell around
        // init, plan, apply and destroy.
        || is_spacelift_config(path)
        || is_env0_config(&name)
        // The Atlantis server's repo config: a generic name, told by its `repos:` of `id:`s.
        || (matches!(name.as_str(), "repos.yaml" | "repos.yml")
            && content.is_some_and(is_atlantis_server_config))
    {
        return FileKind::CiPipeline;
    }
    // `Dockerfile.prod`, `api.Dockerfile`, and the dash and underscore spellings many
    // repositories use for variants (`Dockerfile-dev`, `Dockerfile_worker`).
    if name == "dockerfile"
        || name.starts_with("dockerfile.")
        || name.starts_with("dockerfile-")
        || name.starts_with("dockerfile_")
        || name.ends_with(".dockerfile")
        || name == "containerfile"
        || name.starts_with("containerfile.")
    {
        return FileKind::Dockerfile;
    }
    // `.psql` and `.pgsql` for Postgres scripts, `.ddl` for schema definitions.
    if matches!(ext, "sql" | "psql" | "pgsql" | "ddl") {
        return FileKind::Sql;
    }
    if name == "schema.prisma"
        || ext == "prisma"
        || (ext == "py" && in_dir("migrations/"))
        || (ext == "py" && in_dir("alembic/versions/"))
        || (ext == "rb" && in_dir("db/migrate/"))
        // Post-deployment migrations (GitLab, Mastodon): where columns and tables are dropped.
        || (ext == "rb" && in_dir("db/post_migrate/"))
        // Rails multi-database migrations: `db/<name>_migrate/` (`migrations_paths`).
        || (ext == "rb" && in_rails_multi_db_dir(&lower))
        // Laravel.
        || (ext == "php" && in_dir("database/migrations/"))
        // Knex, Sequelize and TypeORM (whose default is `src/migration/`).
        || (is_js(ext) && (in_dir("migrations/") || in_dir("migration/")))
        // Ecto: `priv/repo/migrations/`.
        || (ext == "exs" && in_dir("migrations/"))
        // Entity Framework Core.
        || (ext == "cs" && in_dir("migrations/"))
    {
        return FileKind::OrmMigration;
    }
    // Flyway's Java and Kotlin migrations: by their class name first (`V3__Drop.java`), then
    // by where they live (`db/migration/`, Flyway's default location) or, elsewhere, by the
    // class they extend.
    if matches!(ext, "java" | "kt") && is_flyway_class_name(path.file_name()) {
        // `extends BaseJavaMigration`, or `implements JavaMigration` directly.
        if in_dir("db/migration/") || content.is_some_and(|t| t.contains("JavaMigration")) {
            return FileKind::OrmMigration;
        }
    }
    // A TypeORM migration kept elsewhere says what it is.
    if is_js(ext)
        && name.contains("migration")
        && content.is_some_and(|t| t.contains("implements MigrationInterface"))
    {
        return FileKind::OrmMigration;
    }
    // Drizzle table declarations (`pgTable(…)` in a file importing `drizzle-orm`): a
    // declarative schema `drizzle-kit push` applies.
    if is_js(ext) && content.is_some_and(orm::is_drizzle_schema) {
        return FileKind::OrmMigration;
    }
    // PowerShell scripts and modules run commands as shell scripts do (the commands analyzer
    // lexes them as PowerShell). Pester tests (`*.Tests.ps1`) are scripts too: a test that
    // really deletes a resource group deletes it; what a test `Mock`s does not run. Module
    // manifests (`.psd1`) are data.
    if matches!(ext, "sh" | "bash" | "zsh" | "ksh" | "ps1" | "psm1") {
        return FileKind::Shell;
    }
    if name == "makefile"
        || name == "gnumakefile"
        || ext == "mk"
        || name == "justfile"
        || name == ".justfile"
        || name == "package.json"
        || is_taskfile(&name)
        || name == "earthfile"
        || is_procfile(&name)
        || name == "render.yaml"
        || name == "render.yml"
        || crate::analyze::commands::is_platform_config(&name)
    {
        return FileKind::BuildScript;
    }
    if is_serverless(&name, ext, content) {
        return FileKind::Serverless;
    }
    if name == "pulumi.yaml"
        || name == "pulumi.yml"
        || name.starts_with("pulumi.") && matches!(ext, "yaml" | "yml")
    {
        return FileKind::Pulumi;
    }
    // Kustomize reads `Kustomization` (no extension) as well.
    if name == "kustomization.yaml" || name == "kustomization.yml" || name == "kustomization" {
        return FileKind::Kustomize;
    }
    // Values files of a chart kept outside `charts/` (`helm/shop/values-prod.yaml`,
    // `deploy/chart/values.yaml`) still decide what the chart renders.
    let chart_dir = lower.contains("helm") || lower.contains("chart");
    let values = name.starts_with("values") && matches!(ext, "yaml" | "yml");
    // Helm 2 kept a chart's dependencies in `requirements.yaml`, a name Ansible Galaxy
    // uses for roles and collections: told apart by what it lists.
    if (name == "requirements.yaml" || name == "requirements.yml")
        && content.is_some_and(looks_like_helm_requirements)
    {
        return FileKind::Helm;
    }
    if name == "chart.yaml"
        || crate::analyze::kubernetes::helmfile::is_helmfile(path)
        || in_dir("charts/") && (in_dir("templates/") || name.starts_with("values"))
        || chart_dir && values
    {
        return FileKind::Helm;
    }
    let yaml = matches!(ext, "yml" | "yaml");
    // A role's `templates/` holds Jinja templates (of configs, compose files, manifests)
    // rendered onto hosts: they are not tasks, and `{% if %}` lines are not YAML until
    // rendered. Its `files/` are copied as they are, so they are classified by content.
    if in_role_dir(&lower, "templates") {
        return FileKind::Other;
    }
    if let Some(kind) = compose_kind(&name, ext, content) {
        return kind;
    }
    // Only a role's own directories hold tasks and variables; a `roles/` directory of RBAC
    // manifests (`k8s/roles/admin.yaml`, a chart's `templates/roles/`) is not a role.
    let role_file = ["tasks", "handlers", "defaults", "vars", "meta"]
        .iter()
        .any(|sub| in_role_dir(&lower, sub));
    // Next to playbooks live inventories (`hosts.ini`), `ansible.cfg` and READMEs: only the
    // YAML files are plays or task files. Inventory variables (`group_vars/`, `host_vars/`,
    // YAML with or without an extension) feed roles what to create and what to remove.
    // Molecule scenarios and a role's or collection's `tests/` create what they test and
    // destroy it again (`destroy.yml`, `cleanup.yml`, integration targets): scaffolding run
    // against throwaway hosts, not plays run against an estate.
    let test_scaffolding = yaml && in_ansible_tests(&lower);
    if test_scaffolding
        && (role_file
            || in_dir("playbooks/")
            || looks_like_ansible_playbook(content.unwrap_or(""))
            || looks_like_ansible_tasks(content.unwrap_or(""), true))
    {
        return FileKind::Other;
    }
    if (in_dir("playbooks/") || role_file) && yaml
        || (in_dir("group_vars/") || in_dir("host_vars/")) && (yaml || ext.is_empty())
        || name == "playbook.yml"
    {
        return FileKind::Ansible;
    }
    // CDK synthesizes each stack to `cdk.out/<Stack>.template.json` (nested assemblies in
    // `cdk.out/assembly-*/`); the rest of cdk.out (manifest.json, tree.json, *.assets.json)
    // is bookkeeping, classified by content like any other JSON.
    if name.ends_with(".template.json")
        || name.ends_with(".template.yaml")
        || name.ends_with(".template.yml")
    {
        return FileKind::CloudFormation;
    }
    // Editors on Windows may save UTF-8 with a byte-order mark before the first key.
    let text = content.unwrap_or("");
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    if (name == "action.yml" || name == "action.yaml") && looks_like_composite_action(text) {
        // A composite action's `run:` steps run inside the workflows that use it.
        return FileKind::Workflow;
    }
    match ext {
        "xml" if text.contains("databaseChangeLog") => return FileKind::OrmMigration,
        "yml" | "yaml" | "json" => {
            // A Liquibase changelog.
            if text.contains("databaseChangeLog") {
                return FileKind::OrmMigration;
            }
            if looks_like_cloudformation(text) {
                return FileKind::CloudFormation;
            }
            // A chart need not live under `charts/` (`helm/app/`, `deploy/chart/`, an Argo CD
            // app-of-apps chart): a manifest with template actions in a `templates/`
            // directory is a chart template, not YAML until rendered.
            if ext != "json" && in_dir("templates/") && has_go_template_actions(text) {
                return FileKind::Helm;
            }
            if looks_like_kubernetes(text) {
                return FileKind::Kubernetes;
            }
            if ext != "json"
                && (looks_like_ansible_playbook(text)
                    || looks_like_ansible_tasks(text, in_dir("tasks/") || in_dir("handlers/")))
            {
                return FileKind::Ansible;
            }
            if ext != "json" && (looks_like_gitlab_jobs(text) || looks_like_azure_template(text)) {
                return FileKind::CiPipeline;
            }
            if ext == "json" && looks_like_iam_policy(text) {
                return FileKind::IamPolicy;
            }
            if ext == "json" && looks_like_ruleset(text) {
                return FileKind::Ruleset;
            }
        }
        _ => {}
    }
    if crate::analyze::iac_program::EXTENSIONS.contains(&ext)
        && crate::analyze::iac_program::recognises(ext, text)
    {
        return FileKind::IacProgram;
    }
    if crate::analyze::appdata::recognises(path, text) {
        return FileKind::AppDatabase;
    }
    if text.starts_with("#!") {
        let first = text.lines().next().unwrap_or("");
        if ["sh", "bash", "zsh", "dash", "ksh"]
            .iter()
            .any(|s| first.ends_with(s) || first.contains(&format!("{s} ")))
        {
            return FileKind::Shell;
        }
    }
    FileKind::Other
}

/// A Helm 2 `requirements.yaml`: a top-level `dependencies:` list whose entries name a
/// `repository:`, and no Ansible Galaxy `roles:` or `collections:`. A look at the lines; the
/// analyzer parses it.
fn looks_like_helm_requirements(text: &str) -> bool {
    let top = |key: &str| text.lines().any(|l| l.trim_end() == key);
    top("dependencies:")
        && !top("roles:")
        && !top("collections:")
        && text.lines().any(|l| {
            let entry = l.trim_start().trim_start_matches("- ");
            l.starts_with([' ', '-']) && entry.starts_with("repository:")
        })
}

/// A Compose file by its name (`docker-compose.yml`, `compose.yaml`, `compose.prod.yaml`,
/// `docker-compose-dev.yml`, `app.compose.yml`), or a Swarm stack file (`docker-stack.yml`,
/// `stack.yml`, `stack.prod.yml`) whose name says `stack` and whose content has a top-level
/// `services` map. Deployed when it is a stack file or its name has a production word.
/// Serverless Compose (`serverless-compose.yml`) is no Docker Compose.
fn compose_kind(name: &str, ext: &str, content: Option<&str>) -> Option<FileKind> {
    if !matches!(ext, "yml" | "yaml") {
        return None;
    }
    let stem = name.strip_suffix(ext)?.strip_suffix('.')?;
    // No allocation: every YAML file of a change that is nothing else comes here.
    let compose = ["docker-compose", "compose", "podman-compose"]
        .iter()
        .any(|c| {
            stem.strip_prefix(c)
                .is_some_and(|rest| rest.is_empty() || rest.starts_with(['.', '-', '_']))
        })
        || stem.ends_with(".compose")
        || (stem.ends_with("-compose") && !stem.starts_with("serverless"));
    let stack =
        stem.contains("stack") && content.is_some_and(crate::analyze::compose::looks_like_compose);
    if !compose && !stack {
        return None;
    }
    let production = stem
        .split(['.', '-', '_'])
        .any(|w| matches!(w, "prod" | "production" | "prd" | "live" | "swarm"));
    Some(if stack || production {
        FileKind::ComposeDeployed
    } else {
        FileKind::Compose
    })
}

/// GitLab CI jobs in a file only an `include:` finds (`ci/deploy.yml`, a shared templates
/// project): a top-level job whose own keys give a `script` and one of the keys only GitLab
/// jobs have. Travis' top-level `script:` and Ansible's task lists (`- script: …`) are not
/// jobs. A line scan: every YAML file of a change that is nothing else comes here.
fn looks_like_gitlab_jobs(text: &str) -> bool {
    const GLOBAL: &[&str] = &[
        "stages",
        "include",
        "variables",
        "default",
        "workflow",
        "image",
        "services",
        "cache",
        "before_script",
        "after_script",
        "spec",
    ];
    const JOB_ONLY: &[&str] = &[
        "stage",
        "extends",
        "rules",
        "needs",
        "only",
        "except",
        "environment",
        "trigger",
        "artifacts",
        "allow_failure",
        "resource_group",
        "interruptible",
        "dependencies",
    ];
    let mut in_job = false;
    let mut level: Option<usize> = None;
    let (mut script, mut job_only) = (false, false);
    for line in text.lines() {
        let body = line.trim_start();
        if body.is_empty() || body.starts_with('#') || line.starts_with("---") {
            continue;
        }
        let indent = line.len() - body.len();
        let key = body
            .split_once(':')
            .map(|(k, _)| k.trim().trim_matches(['"', '\'']));
        if indent == 0 {
            if script && job_only {
                return true;
            }
            (script, job_only, level) = (false, false, None);
            in_job = !body.starts_with('-')
                && key.is_some_and(|k| !k.is_empty() && !GLOBAL.contains(&k));
            continue;
        }
        if !in_job || *level.get_or_insert(indent) != indent {
            continue;
        }
        match key {
            Some("script" | "before_script" | "after_script") => script = true,
            Some(k) if JOB_ONLY.contains(&k) => job_only = true,
            _ => {}
        }
    }
    script && job_only
}

/// An Azure Pipelines template kept outside the directories [`is_azure_pipeline`] knows
/// (`eng/pipelines/`, `templates/`): top-level `steps`, `jobs` or `stages` holding items of
/// the kinds only Azure Pipelines has. (A GitHub workflow's steps are `run`/`uses`.)
fn looks_like_azure_template(text: &str) -> bool {
    const ITEMS: &[&str] = &[
        "- script:",
        "- bash:",
        "- pwsh:",
        "- powershell:",
        "- task:",
        "- job:",
        "- deployment:",
        "- stage:",
    ];
    let top = text
        .lines()
        .any(|l| matches!(l.trim_end(), "steps:" | "jobs:" | "stages:"));
    top && text
        .lines()
        .any(|l| ITEMS.iter().any(|item| l.trim_start().starts_with(item)))
}

/// A go-task file: `Taskfile.yml` and the variants `task` reads (`Taskfile.dist.yaml`).
/// A Procfile (Heroku, Dokku, Foreman): `Procfile`, `Procfile.web`. Its `release:` process
/// runs before every deploy.
/// Spacelift's runtime config: `config.yml` in a project's `.spacelift/` directory.
pub(crate) fn is_spacelift_config(path: &RepoPath) -> bool {
    let dir = path.dir();
    let parent = dir.rsplit('/').next().unwrap_or(dir);
    parent == ".spacelift"
        && matches!(
            path.file_name().to_ascii_lowercase().as_str(),
            "config.yml" | "config.yaml"
        )
}

/// env0's custom flows, by their file's name (lowercase).
pub(crate) fn is_env0_config(name: &str) -> bool {
    matches!(name, "env0.yml" | "env0.yaml")
}

pub(crate) fn is_procfile(name: &str) -> bool {
    name == "procfile" || name.starts_with("procfile.")
}

pub(crate) fn is_taskfile(name: &str) -> bool {
    matches!(
        name,
        "taskfile.yml" | "taskfile.yaml" | "taskfile.dist.yml" | "taskfile.dist.yaml"
    )
}

/// A Jenkins pipeline: `Jenkinsfile`, and the variants teams keep beside it for other jobs
/// (`Jenkinsfile.destroy`, `Jenkinsfile-prod`, `teardown.jenkinsfile`).
/// Notes about one (`Jenkinsfile.md`) are not.
pub(crate) fn is_jenkinsfile(name: &str) -> bool {
    let notes = [".md", ".txt", ".rst", ".adoc", ".html"]
        .iter()
        .any(|ext| name.ends_with(ext));
    name == "jenkinsfile"
        || !notes
            && ["jenkinsfile.", "jenkinsfile-", "jenkinsfile_"]
                .iter()
                .any(|prefix| name.starts_with(prefix))
        || name.ends_with(".jenkinsfile")
}

/// The kind of a file Terraform or OpenTofu reads by a compound `.hcl` (or `.json`) suffix,
/// when `name` (lower case) has one. Stacks files configure infrastructure. Test files
/// (`*.tftest.hcl`, `*.tofutest.hcl`) apply and destroy in a throwaway test environment, mock
/// data (`*.tfmock.hcl`) only feeds those tests, and query files (`*.tfquery.hcl`, whose
/// `list` blocks search for existing objects to import) read: none of them touches what a
/// plan of the configuration manages, so they are no infrastructure.
fn terraform_hcl_kind(name: &str) -> Option<FileKind> {
    const STACKS: [&str; 3] = [".tfcomponent.hcl", ".tfstack.hcl", ".tfdeploy.hcl"];
    const QUIET: [&str; 7] = [
        ".tftest.hcl",
        ".tftest.json",
        ".tofutest.hcl",
        ".tofutest.json",
        ".tfmock.hcl",
        ".tfmock.json",
        ".tfquery.hcl",
    ];
    if STACKS.iter().any(|s| name.ends_with(s)) {
        Some(FileKind::TerraformStack)
    } else if QUIET.iter().any(|s| name.ends_with(s)) {
        Some(FileKind::Other)
    } else {
        None
    }
}

/// An Azure Pipelines definition: `azure-pipelines.yml` in either extension and its variants
/// (`azure-pipelines-prod.yml`), and any YAML under the `.azure-pipelines/` or
/// `azure-pipelines/` directory where templates and stage files are kept.
fn is_azure_pipeline(name: &str, lower: &str, ext: &str) -> bool {
    let yaml = matches!(ext, "yml" | "yaml");
    yaml && (name.starts_with("azure-pipelines")
        || lower.starts_with(".azure-pipelines/")
        || lower.starts_with("azure-pipelines/")
        || lower.contains("/.azure-pipelines/")
        || lower.contains("/azure-pipelines/"))
}

/// A YAML file twokey could not read (too large, binary, not UTF-8), so could not classify by
/// content: it may be a manifest. twokey cannot tell, so it treats it as infrastructure it
/// cannot read, which needs a human, rather than as anything else, which would pass.
pub fn unclassifiable(path: &RepoPath, old: &Content, new: &Content) -> bool {
    let unread =
        |c: &Content| matches!(c, Content::TooLarge(_) | Content::Binary | Content::NotUtf8);
    matches!(path.extension().as_deref(), Some("yml" | "yaml")) && (unread(old) || unread(new))
}

/// Whether [`classify`] may answer differently once it sees the content: YAML and JSON files,
/// files without an extension (scripts with a shebang), JavaScript/TypeScript files whose name
/// says they may be a TypeORM migration, Kotlin files named like a Flyway migration (whose
/// class says so outside `db/migration/`), and source files in the languages Pulumi and CDK
/// programs are written in (only their first 16 KiB are searched for imports, so a large
/// change of application code costs one blob read per file, no parse).
pub fn needs_content(path: &RepoPath) -> bool {
    let ext = path.extension();
    let ext = ext.as_deref();
    matches!(
        ext,
        None | Some("yml" | "yaml" | "json" | "template" | "xml")
    ) || ext.is_some_and(|e| crate::analyze::iac_program::EXTENSIONS.contains(&e))
        || (ext.is_some_and(is_js) && path.file_name().to_ascii_lowercase().contains("migration"))
        || (ext == Some("kt") && is_flyway_class_name(path.file_name()))
        || (ext == Some("hcl") && !is_terragrunt_name(&path.file_name().to_ascii_lowercase()))
        || crate::analyze::appdata::wants_content(path)
}

/// Whether a `repos.yaml` is the Atlantis server's repo config: a top-level `repos:` list
/// whose entries have an `id:`. A cheap look at the lines; the analyzer parses it.
fn is_atlantis_server_config(text: &str) -> bool {
    text.lines().any(|l| l.trim_end() == "repos:")
        && text.lines().any(|l| {
            l.trim_start()
                .trim_start_matches("- ")
                .trim_start()
                .starts_with("id:")
        })
}

/// Terragrunt's own file names and the shared files units include by convention: never an
/// Atlas schema, whatever they hold.
fn is_terragrunt_name(name: &str) -> bool {
    matches!(
        name,
        "terragrunt.hcl" | "terragrunt.stack.hcl" | "root.hcl" | "atlas.hcl"
    )
}

/// A Flyway migration's class file name: `V<version>__<desc>`, `R__<desc>` (repeatable) or
/// `U<version>__<desc>` (undo), the version digits and underscores (`V1_2__Add.java`), the
/// prefixes upper-case as Flyway requires.
pub fn is_flyway_class_name(name: &str) -> bool {
    let Some((stem, ext)) = name.rsplit_once('.') else {
        return false;
    };
    if !matches!(ext, "java" | "kt") {
        return false;
    }
    let Some((head, desc)) = stem.split_once("__") else {
        return false;
    };
    let version = match head.as_bytes().first() {
        Some(b'V' | b'U') => &head[1..],
        Some(b'R') if head.len() == 1 => "",
        _ => return false,
    };
    let version_ok = match head.as_bytes()[0] {
        b'R' => true,
        _ => {
            version.starts_with(|c: char| c.is_ascii_digit())
                && version.chars().all(|c| c.is_ascii_digit() || c == '_')
        }
    };
    version_ok && !desc.is_empty() && desc.chars().all(|c| c.is_alphanumeric() || c == '_')
}

fn is_js(ext: &str) -> bool {
    matches!(ext, "js" | "ts" | "mjs" | "cjs" | "mts" | "cts")
}

/// `roles/<role>/<sub>/…`: a directory of an Ansible role, at the root or below.
fn in_role_dir(lower: &str, sub: &str) -> bool {
    let parts: Vec<&str> = lower.split('/').collect();
    parts.len() > 3
        && parts[..parts.len() - 1]
            .windows(3)
            .any(|w| w[0] == "roles" && w[2] == sub)
}

/// Under a `molecule/` or `tests/` directory (not a role named `tests`).
fn in_ansible_tests(lower: &str) -> bool {
    let parts: Vec<&str> = lower.split('/').collect();
    let dirs = &parts[..parts.len().saturating_sub(1)];
    dirs.iter()
        .enumerate()
        .any(|(i, dir)| *dir == "molecule" || *dir == "tests" && (i == 0 || dirs[i - 1] != "roles"))
}

/// `db/<name>_migrate/` (Rails 6+ multi-database setups), at the root or below.
fn in_rails_multi_db_dir(lower: &str) -> bool {
    lower
        .split('/')
        .collect::<Vec<_>>()
        .windows(2)
        .any(|w| w[0] == "db" && w[1].len() > "_migrate".len() && w[1].ends_with("_migrate"))
}

/// `serverless.yml` (`.yaml`, `.json`) by name, wherever it lives: the file `serverless
/// deploy` reads. Per-stage variants passed with `--config` (`serverless.prod.yml`,
/// `serverless-api.yml`) only when they declare a `service`, which `serverless-compose.yml`
/// and other tools' files do not.
fn is_serverless(name: &str, ext: &str, content: Option<&str>) -> bool {
    let Some(stem) = name.strip_suffix(ext).and_then(|s| s.strip_suffix('.')) else {
        return false;
    };
    if !matches!(ext, "yml" | "yaml" | "json") {
        return false;
    }
    if stem == "serverless" {
        return true;
    }
    let variant = stem.starts_with("serverless.") || stem.starts_with("serverless-");
    variant
        && ext != "json"
        && content.is_some_and(|t| t.lines().any(|l| l.starts_with("service:")))
}

fn looks_like_cloudformation(text: &str) -> bool {
    text.contains("AWSTemplateFormatVersion")
        || (text.contains("Resources")
            && (text.contains("Type: AWS::")
                || text.contains("Type: 'AWS::")
                || text.contains("Type: \"AWS::")
                || text.contains("\"Type\": \"AWS::")
                || text.contains("\"Type\":\"AWS::")
                // SAM, in either syntax: `Transform: AWS::Serverless-2016-10-31`.
                || text.contains("AWS::Serverless-2016-10-31")))
}

/// A top-level `apiVersion` and `kind`, with at least one `apiVersion` that is not a tool's
/// configuration (a Backstage catalog or a Skaffold config has the same shape).
fn looks_like_kubernetes(text: &str) -> bool {
    let first = text.trim_start();
    if first.starts_with('{') || first.starts_with('[') {
        return looks_like_json_manifest(text);
    }
    let mut cluster_api = false;
    let mut kind = false;
    for line in text.lines() {
        if let Some(api) = line.strip_prefix("apiVersion:") {
            let api = api.split(" #").next().unwrap_or("");
            let api = api.trim().trim_matches(|c| c == '"' || c == '\'');
            cluster_api |= !crate::analyze::kubernetes::tool_config::is_tool_config(api);
        }
        kind |= line.starts_with("kind:");
        if cluster_api && kind {
            return true;
        }
    }
    false
}

/// A manifest written as JSON (`kubectl apply -f x.json`, `kubectl get -o json`, a `.yaml`
/// in flow style): a quoted `"apiVersion"` naming a cluster API, and a `"kind"`.
fn looks_like_json_manifest(text: &str) -> bool {
    let value_of = |key: &str| -> Option<&str> {
        let at = text.find(key)? + key.len();
        let rest = text[at..].trim_start().strip_prefix(':')?.trim_start();
        let rest = rest.strip_prefix('"')?;
        rest.split('"').next()
    };
    let Some(api) = value_of("\"apiVersion\"") else {
        return false;
    };
    value_of("\"kind\"").is_some() && !crate::analyze::kubernetes::tool_config::is_tool_config(api)
}

/// Go template actions (`{{ .Values.x }}`), as opposed to the `${{ … }}` expressions of
/// GitHub Actions and Backstage software templates.
fn has_go_template_actions(text: &str) -> bool {
    text.match_indices("{{")
        .any(|(at, _)| !text[..at].ends_with('$'))
}

/// A GitHub Actions metadata file whose steps run shell: `runs:` with `using: composite`.
fn looks_like_composite_action(text: &str) -> bool {
    text.lines().any(|l| l.starts_with("runs:"))
        && text.lines().any(|l| {
            l.trim_start()
                .strip_prefix("using:")
                .is_some_and(|v| v.trim().trim_matches(|c| c == '"' || c == '\'') == "composite")
        })
}

/// A playbook kept outside `playbooks/` (`site.yml`, `deploy.yml` at the root): a list of plays,
/// each naming its `hosts`, or importing another playbook. Plays start at the top level, so
/// the keys are looked for there (`- hosts:`) or as the first level of a play (`  hosts:`).
fn looks_like_ansible_playbook(text: &str) -> bool {
    let mut hosts = false;
    let mut work = false;
    for line in text.lines() {
        let key = line
            .strip_prefix("- ")
            .or_else(|| line.strip_prefix("  "))
            .and_then(|rest| rest.split_once(':'))
            .map(|(k, _)| k);
        match key {
            Some("hosts") => hosts = true,
            Some("tasks" | "roles" | "pre_tasks" | "post_tasks" | "handlers") => work = true,
            Some("import_playbook" | "ansible.builtin.import_playbook") => return true,
            _ => {}
        }
        if hosts && work {
            return true;
        }
    }
    false
}

/// Collections whose modules a task names in full (`ansible.builtin.file:`).
const ANSIBLE_COLLECTIONS: &[&str] = &[
    "ansible.builtin.",
    "ansible.posix.",
    "ansible.windows.",
    "community.",
    "amazon.aws.",
    "azure.azcollection.",
    "google.cloud.",
    "kubernetes.core.",
    "containers.podman.",
    "openstack.cloud.",
];

/// A task file kept outside a role (`ansible/tasks/cleanup.yml`, `deploy/db-tasks.yml`): a
/// top-level list of tasks that names a module by its collection, or, in a `tasks/` or
/// `handlers/` directory, any list of named tasks. Workflow steps are nested under `steps:`,
/// so they never start a line with `- name:`.
fn looks_like_ansible_tasks(text: &str, in_tasks_dir: bool) -> bool {
    let mut listed = false;
    for line in text.lines() {
        if line.starts_with("- ") {
            if in_tasks_dir && line.starts_with("- name:") {
                return true;
            }
            listed = true;
        }
        let key = line.trim_start().trim_start_matches("- ");
        if listed
            && ANSIBLE_COLLECTIONS.iter().any(|c| {
                key.strip_prefix(c).is_some_and(|rest| {
                    rest.split_once(':')
                        .is_some_and(|(module, _)| !module.is_empty() && !module.contains(' '))
                })
            })
        {
            return true;
        }
    }
    false
}

fn looks_like_iam_policy(text: &str) -> bool {
    text.contains("\"Statement\"") && text.contains("\"Effect\"") && text.contains("\"Version\"")
}

/// A ruleset as GitHub exports it: `enforcement` and a `rules` list whose entries name a
/// rule `type` (`pull_request`, `deletion`, `non_fast_forward`, …).
fn looks_like_ruleset(text: &str) -> bool {
    text.contains("\"enforcement\"")
        && text.contains("\"rules\"")
        && [
            "\"pull_request\"",
            "\"deletion\"",
            "\"non_fast_forward\"",
            "\"required_status_checks\"",
        ]
        .iter()
        .any(|rule| text.contains(rule))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kind(p: &str, content: &str) -> FileKind {
        classify(&RepoPath::new(p), Some(content))
    }

    #[test]
    fn task_files_outside_roles_are_ansible() {
        let fqcn = "- name: remove old data\n  ansible.builtin.file:\n    path: /srv/old\n    state: absent\n";
        assert_eq!(kind("deploy/db-tasks.yml", fqcn), FileKind::Ansible);
        let short = "- name: remove old data\n  file: path=/srv/old state=absent\n";
        assert_eq!(kind("ansible/tasks/cleanup.yml", short), FileKind::Ansible);
        assert_eq!(kind("ops/handlers/main.yaml", short), FileKind::Ansible);
        // Short module names outside a tasks directory, workflow steps and plain lists are not.
        assert_eq!(kind("deploy/db-tasks.yml", short), FileKind::Other);
        let steps = "steps:\n  - name: build\n    run: make\n";
        assert_eq!(kind("ci/tasks/build.yml", steps), FileKind::Other);
        let doc = "# ansible.builtin.file: mentioned in prose\ntitle: notes\n";
        assert_eq!(kind("docs/notes.yml", doc), FileKind::Other);
    }

    #[test]
    fn a_ruleset_export_is_told_by_its_shape() {
        let ruleset = "{\n  \"name\": \"main\",\n  \"enforcement\": \"active\",\n  \"rules\": [{ \"type\": \"pull_request\" }]\n}\n";
        assert_eq!(kind("ops/github/main.json", ruleset), FileKind::Ruleset);
        assert!(!FileKind::Ruleset.is_infra());
        // ESLint and other tools keep `rules` too, without enforcement.
        let lint = "{ \"rules\": { \"no-unused-vars\": \"error\" } }\n";
        assert_eq!(kind(".eslintrc.json", lint), FileKind::Other);
        assert_eq!(kind("ops/github/main.yml", ruleset), FileKind::Other);
    }

    #[test]
    fn atlas_schemas_are_told_from_terragrunt_by_name_then_content() {
        let table = "table \"users\" {\n  schema = schema.public\n}\n";
        for path in [
            "db/schema.hcl",
            "schema/app.pg.hcl",
            "schema.my.hcl",
            "db/app.lt.hcl",
        ] {
            assert_eq!(kind(path, ""), FileKind::OrmMigration, "{path}");
        }
        assert_eq!(kind("db/schema/users.hcl", table), FileKind::OrmMigration);
        assert_eq!(
            classify(&RepoPath::new("db/schema/users.hcl"), None),
            FileKind::Terragrunt,
            "unread, a .hcl file stays Terragrunt"
        );
        assert!(needs_content(&RepoPath::new("db/schema/users.hcl")));
        let locals = "locals {\n  table = \"users\"\n  schema = schema.x\n}\n";
        for (path, content) in [
            ("live/prod/terragrunt.hcl", table),
            ("live/root.hcl", table),
            ("live/prod/env.hcl", locals),
            (
                "atlas.hcl",
                "env \"local\" {\n  src = \"file://schema.hcl\"\n}\n",
            ),
        ] {
            assert_eq!(kind(path, content), FileKind::Terragrunt, "{path}");
        }
    }

    #[test]
    fn drizzle_schemas_are_told_by_their_import_and_table_calls() {
        let schema = "import { pgTable, text } from \"drizzle-orm/pg-core\";\nexport const t = pgTable(\"t\", { a: text() });\n";
        assert_eq!(kind("src/db/schema.ts", schema), FileKind::OrmMigration);
        let zod = "import { z } from \"zod\";\nexport const s = z.object({ a: z.string() });\n";
        assert_eq!(kind("src/schema.ts", zod), FileKind::Other);
        let query = "import { eq } from \"drizzle-orm\";\nconsole.table(rows);\n";
        assert_eq!(kind("src/report.ts", query), FileKind::Other);
    }

    #[test]
    fn terraform_own_hcl_files_are_told_by_name_before_terragrunt() {
        for path in [
            "stack/components.tfcomponent.hcl",
            "stack/components.tfstack.hcl",
            "deployments.tfdeploy.hcl",
        ] {
            assert_eq!(kind(path, ""), FileKind::TerraformStack, "{path}");
        }
        for path in [
            "tests/bucket.tftest.hcl",
            "tests/bucket.tofutest.hcl",
            "tests/bucket.tftest.json",
            "tests/aws.tfmock.hcl",
            "queries/ec2.tfquery.hcl",
        ] {
            assert_eq!(kind(path, ""), FileKind::Other, "{path}");
        }
        for path in [
            "live/prod/terragrunt.hcl",
            "live/root.hcl",
            "live/prod/env.hcl",
            "terragrunt.stack.hcl",
        ] {
            assert_eq!(kind(path, ""), FileKind::Terragrunt, "{path}");
        }
    }

    #[test]
    fn provider_lock_files_and_terramate_files_are_not_terragrunt() {
        for path in [
            "live/prod/mysql/.terraform.lock.hcl",
            ".terraform.lock.hcl",
            "terramate.tm.hcl",
            "stacks/prod/stack.tm.hcl",
        ] {
            assert_eq!(kind(path, ""), FileKind::Other, "{path}");
        }
    }

    #[test]
    fn terraform_automation_configs_are_pipelines_and_a_plain_repos_yaml_is_not() {
        for path in [
            ".terrateam/config.yml",
            "digger.yml",
            "digger.yaml",
            ".spacelift/config.yml",
            "stacks/prod/.spacelift/config.yaml",
            "env0.yml",
            "infra/env0.yaml",
        ] {
            assert_eq!(kind(path, ""), FileKind::CiPipeline, "{path}");
        }
        let server = "repos:\n- id: /.*/\n  apply_requirements: [approved]\n";
        assert_eq!(kind("atlantis/repos.yaml", server), FileKind::CiPipeline);
        assert_ne!(
            kind("repos.yaml", "repos:\n- name: a\n"),
            FileKind::CiPipeline
        );
        assert_ne!(kind("app/config.yml", "a: 1\n"), FileKind::CiPipeline);
        assert_ne!(kind("spacelift/config.yml", "a: 1\n"), FileKind::CiPipeline);
    }

    #[test]
    fn pipeline_variants_are_pipelines_by_name() {
        for path in [
            "Jenkinsfile.destroy",
            "ci/Jenkinsfile-prod",
            "jenkins/teardown.jenkinsfile",
            "azure-pipelines.yaml",
            "azure-pipelines-prod.yml",
            ".azure-pipelines/deploy.yml",
            "build/azure-pipelines/templates/steps.yaml",
            "atlantis.yaml",
        ] {
            assert_eq!(kind(path, ""), FileKind::CiPipeline, "{path}");
        }
        for path in [
            "Taskfile.yml",
            "deploy/taskfile.dist.yaml",
            "Earthfile",
            "Procfile",
            "Procfile.worker",
            "render.yaml",
            "fly.toml",
            "deploy/fly.staging.toml",
            "railway.json",
            "netlify.toml",
        ] {
            assert_eq!(kind(path, ""), FileKind::BuildScript, "{path}");
        }
        for path in [
            "docs/jenkinsfile.md",
            "src/jenkinsfiles.rs",
            ".azure-pipelines/README.md",
            "azure/pipelines.yml",
        ] {
            assert_eq!(kind(path, ""), FileKind::Other, "{path}");
        }
    }

    #[test]
    fn by_path() {
        assert_eq!(kind("infra/main.tf", ""), FileKind::Terraform);
        assert_eq!(kind("live/prod/terragrunt.hcl", ""), FileKind::Terragrunt);
        assert_eq!(kind("live/prod/env.hcl", ""), FileKind::Terragrunt);
        assert_eq!(kind(".github/workflows/ci.yml", ""), FileKind::Workflow);
        assert_eq!(kind(".gitlab-ci.yml", ""), FileKind::CiPipeline);
        assert_eq!(kind(".gitlab/ci/deploy.yml", ""), FileKind::CiPipeline);
        assert_eq!(kind("ci/review.gitlab-ci.yml", ""), FileKind::CiPipeline);
        assert_eq!(kind(".gitlab/issue_templates/bug.md", ""), FileKind::Other);
        // Jobs kept where only the root file's `include:` finds them.
        let jobs = "# deploy jobs\n.base: &base\n  image: alpine\n\ndeploy:\n  <<: *base\n  stage: deploy\n  script:\n    - terraform apply\n";
        assert_eq!(kind("ci/deploy.yml", jobs), FileKind::CiPipeline);
        let hidden = "'.destroy':\n  extends: .tf\n  script: terraform destroy\n";
        assert_eq!(kind("templates/tf.yaml", hidden), FileKind::CiPipeline);
        let azure =
            "parameters:\n- name: env\nsteps:\n- script: terraform plan\n- task: AzureCLI@2\n";
        assert_eq!(
            kind("eng/pipelines/templates/deploy.yml", azure),
            FileKind::CiPipeline
        );
        let github_like = "jobs:\n  build:\n    steps:\n      - run: make\n";
        assert_eq!(kind("ci/build.yml", github_like), FileKind::Other);
        // Not jobs: Travis' top-level script, an Ansible task list, a config that only names
        // a script, a job-like block without a script.
        for (path, text) in [
            (
                "ci/travis-like.yml",
                "language: go\nscript:\n  - make\nstage: test\n",
            ),
            ("tasks.yml", "- name: run\n  script: run.sh\n  when: x\n"),
            ("config/app.yml", "build:\n  script: make\n  output: dist\n"),
            (
                "ci/notes.yml",
                "deploy:\n  stage: deploy\n  nested:\n    script: x\n",
            ),
        ] {
            assert_eq!(kind(path, text), FileKind::Other, "{path}");
        }
        assert_eq!(kind("db/migrations/001_init.sql", ""), FileKind::Sql);
        assert_eq!(kind("migrations/002_rm.pgsql", ""), FileKind::Sql);
        let json =
            "{\"apiVersion\": \"v1\", \"kind\": \"Namespace\", \"metadata\": {\"name\": \"k\"}}\n";
        assert_eq!(kind("k8s/ns.json", json), FileKind::Kubernetes);
        assert_eq!(kind("k8s/ns.yaml", json), FileKind::Kubernetes);
        assert_eq!(
            kind("app/meta.json", "{\"name\": \"app\", \"kind\": \"lib\"}\n"),
            FileKind::Other
        );
        assert_eq!(
            kind("app/tsconfig.json", "{\"compilerOptions\": {}}\n"),
            FileKind::Other
        );
        assert_eq!(kind("db/tables.ddl", ""), FileKind::Sql);
        assert_eq!(kind("docs/sql.md", ""), FileKind::Other);
        assert_eq!(
            kind("app/migrations/0002_auto.py", ""),
            FileKind::OrmMigration
        );
        assert_eq!(kind("db/migrate/2024_drop.rb", ""), FileKind::OrmMigration);
        assert_eq!(
            kind("db/post_migrate/2024_drop.rb", ""),
            FileKind::OrmMigration
        );
        assert_eq!(
            kind("alembic/versions/3f2a_drop.py", ""),
            FileKind::OrmMigration
        );
        assert_eq!(kind("prisma/schema.prisma", ""), FileKind::OrmMigration);
        assert_eq!(
            kind(
                "db/changelog/db.changelog-master.yaml",
                "databaseChangeLog:\n  - changeSet:\n"
            ),
            FileKind::OrmMigration
        );
        assert_eq!(kind("db/migration/V1__init.sql", ""), FileKind::Sql);
        assert_eq!(kind("services/api/Dockerfile", ""), FileKind::Dockerfile);
        for variant in [
            "docker/Dockerfile-prod",
            "Dockerfile_worker",
            "Containerfile.dev",
        ] {
            assert_eq!(kind(variant, ""), FileKind::Dockerfile, "{variant}");
        }
        // A directory or a file merely named after one is not.
        assert_eq!(kind("docs/dockerfiles.md", ""), FileKind::Other);
        assert_eq!(kind("deploy/kustomization.yaml", ""), FileKind::Kustomize);
        assert_eq!(kind("deploy/Kustomization", ""), FileKind::Kustomize);
        assert_eq!(kind("charts/app/templates/deploy.yaml", ""), FileKind::Helm);
        assert_eq!(kind("scripts/cleanup.sh", ""), FileKind::Shell);
        assert_eq!(kind("scripts/Cleanup.PS1", ""), FileKind::Shell);
        assert_eq!(kind("Ops/Ops.psm1", ""), FileKind::Shell);
        assert_eq!(kind("tests/Cleanup.Tests.ps1", ""), FileKind::Shell);
        assert_eq!(
            kind(
                "Ops/Ops.psd1",
                "@{ FunctionsToExport = @('Remove-AzResourceGroup') }"
            ),
            FileKind::Other
        );
        assert_eq!(kind("Makefile", ""), FileKind::BuildScript);
    }

    #[test]
    fn migrations_of_every_supported_framework_are_orm_migrations() {
        for path in [
            "db/animals_migrate/20240101_drop_dogs.rb",
            "engines/zoo/db/animals_migrate/1_x.rb",
            "database/migrations/2024_01_01_000000_drop_users.php",
            "migrations/20240101_drop.js",
            "db/migrations/20240101-rm.cjs",
            "src/migration/1700000000000-Drop.ts",
            "priv/repo/migrations/20240101000000_drop.exs",
            "src/Shop.Data/Migrations/20240101000000_Drop.cs",
        ] {
            assert_eq!(kind(path, ""), FileKind::OrmMigration, "{path}");
        }
        let typeorm = "export class Drop1700 implements MigrationInterface {}";
        assert_eq!(
            kind("src/db/1700-DropMigration.ts", typeorm),
            FileKind::OrmMigration
        );
        assert!(needs_content(&RepoPath::new(
            "src/db/1700-DropMigration.ts"
        )));
    }

    #[test]
    fn flyway_java_and_kotlin_migrations_are_known_by_name_then_place_or_class() {
        for path in [
            "src/main/java/com/shop/db/migration/V7__Purge_sessions.java",
            "src/main/kotlin/db/migration/V1_2__Drop_legacy.kt",
            "db/migration/R__Refresh_views.java",
            "src/main/java/db/migration/U7__Purge_sessions.java",
        ] {
            assert_eq!(kind(path, ""), FileKind::OrmMigration, "{path}");
        }
        let java = "public class V3__Drop extends BaseJavaMigration {}";
        let elsewhere = "src/main/java/com/shop/flyway/V3__Drop.java";
        assert_eq!(kind(elsewhere, java), FileKind::OrmMigration);
        assert_eq!(kind(elsewhere, "class V3__Drop {}"), FileKind::Other);
        assert!(needs_content(&RepoPath::new(
            "src/main/kotlin/flyway/V3__Drop.kt"
        )));
        // Not Flyway class names, or not Java: application code stays out, unread.
        for path in [
            "src/main/java/db/migration/MigrationHelper.java",
            "src/main/java/db/migration/v3__lower.java",
            "src/main/java/db/migration/V__NoVersion.java",
            "src/main/java/db/migration/Vx__Letters.java",
            "src/main/java/com/shop/UserService.java",
        ] {
            assert_eq!(
                kind(path, "st.execute(\"DROP TABLE x\")"),
                FileKind::Other,
                "{path}"
            );
        }
        assert!(!needs_content(&RepoPath::new(
            "src/main/kotlin/shop/UserService.kt"
        )));
    }

    #[test]
    fn application_code_beside_migrations_is_not_a_migration() {
        for path in [
            "app/models/user.rb",
            "db/seeds.rb",
            "db/migrate_helpers/x.rb",
            "app/Http/Controllers/UserController.php",
            "database/seeders/UserSeeder.php",
            "src/services/drop.ts",
            "lib/shop/repo.ex",
            "src/Shop/Controllers/UsersController.cs",
        ] {
            assert_eq!(kind(path, "drop_table :x"), FileKind::Other, "{path}");
        }
        // A TypeScript file that merely mentions migrations is not one.
        assert_eq!(
            kind("src/runMigrations.ts", "await ds.runMigrations()"),
            FileKind::Other
        );
        // Read, since it could be a Pulumi or CDK program, but nothing in it says so.
        assert!(needs_content(&RepoPath::new("src/services/drop.ts")));
        assert_eq!(
            kind("src/services/drop.ts", "export const drop = () => 1;\n"),
            FileKind::Other
        );
    }

    #[test]
    fn by_content_where_the_path_is_ambiguous() {
        assert_eq!(
            kind("deploy/app.yaml", "apiVersion: v1\nkind: Namespace\n"),
            FileKind::Kubernetes
        );
        assert_eq!(
            kind("stack.yaml", "AWSTemplateFormatVersion: '2010-09-09'\n"),
            FileKind::CloudFormation
        );
        assert_eq!(
            kind(
                "stack.json",
                "{\"Resources\": {\"B\": {\"Type\": \"AWS::S3::Bucket\"}}}"
            ),
            FileKind::CloudFormation
        );
        assert_eq!(kind("docs/config.yaml", "name: x\n"), FileKind::Other);
        assert_eq!(
            kind(
                "deploy/ns.yaml",
                "\u{feff}apiVersion: v1\r\nkind: Namespace\r\nmetadata:\r\n  name: a\r\n"
            ),
            FileKind::Kubernetes
        );
        assert_eq!(
            kind(
                "template.yaml",
                "Transform: AWS::Serverless-2016-10-31\nResources:\n  Fn:\n    Type: 'AWS::Serverless::Function'\n"
            ),
            FileKind::CloudFormation
        );
        assert_eq!(
            kind(
                "sam/template.json",
                "{\"Transform\":\"AWS::Serverless-2016-10-31\",\"Resources\":{}}"
            ),
            FileKind::CloudFormation
        );
        assert_eq!(
            kind("bin/deploy", "#!/usr/bin/env bash\nrm -rf /\n"),
            FileKind::Shell
        );
    }

    const CHART_TEMPLATE: &str = "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: {{ include \"shop.fullname\" . }}\n  labels:\n    {{- include \"shop.labels\" . | nindent 4 }}\n";

    #[test]
    fn helm_requirements_are_told_from_ansible_galaxy_requirements_by_content() {
        let helm = "dependencies:\n  - name: postgresql\n    version: 8.6.4\n    repository: https://charts.bitnami.com/bitnami\n";
        assert_eq!(kind("charts/shop/requirements.yaml", helm), FileKind::Helm);
        assert_eq!(kind("deploy/requirements.yml", helm), FileKind::Helm);
        let galaxy = "---\nroles:\n  - src: geerlingguy.postgresql\n    version: 3.4.0\ncollections:\n  - name: community.postgresql\n";
        assert_ne!(kind("roles/requirements.yml", galaxy), FileKind::Helm);
        assert_ne!(kind("requirements.yml", galaxy), FileKind::Helm);
        let meta = "- src: geerlingguy.postgresql\n  version: 2.1.0\n";
        assert_ne!(kind("roles/db/meta/requirements.yml", meta), FileKind::Helm);
    }

    #[test]
    fn chart_templates_are_helm_wherever_the_chart_lives() {
        for path in [
            "charts/shop/templates/deployment.yaml",
            "helm/shop/templates/deployment.yaml",
            "deploy/chart/templates/deployment.yaml",
            "apps/templates/guestbook.yaml",
        ] {
            assert_eq!(kind(path, CHART_TEMPLATE), FileKind::Helm, "{path}");
        }
        // Without template actions a file in `templates/` is a plain manifest.
        assert_eq!(
            kind(
                "deploy/templates/ns.yaml",
                "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: shop\n"
            ),
            FileKind::Kubernetes
        );
        assert_eq!(kind("helm/shop/values-prod.yaml", "x: 1\n"), FileKind::Helm);
        assert_eq!(kind("deploy/chart/values.yml", "x: 1\n"), FileKind::Helm);
        assert_eq!(kind("config/values.yaml", "x: 1\n"), FileKind::Other);
        // Backstage software templates use `${{ }}`, which is not Helm.
        let scaffolder = "apiVersion: scaffolder.backstage.io/v1beta3\nkind: Template\nmetadata:\n  name: svc\nspec:\n  steps:\n    - input:\n        name: ${{ parameters.name }}\n";
        assert_eq!(
            kind("templates/svc/template.yaml", scaffolder),
            FileKind::Other
        );
        // Outside a `templates/` directory a manifest stays a manifest that must parse.
        assert_eq!(
            kind("deploy/web.yaml", CHART_TEMPLATE),
            FileKind::Kubernetes
        );
    }

    #[test]
    fn tool_configs_shaped_like_manifests_are_not_kubernetes() {
        let catalog = "apiVersion: backstage.io/v1alpha1\nkind: Component\nmetadata:\n  name: shop\nspec:\n  owner: team-a\n---\napiVersion: \"scaffolder.backstage.io/v1beta3\"\nkind: Template\nmetadata:\n  name: svc\n";
        assert_eq!(kind("catalog-info.yaml", catalog), FileKind::Other);
        let skaffold =
            "apiVersion: skaffold/v4beta6 # pinned\nkind: Config\nmetadata:\n  name: shop\n";
        assert_eq!(kind("skaffold.yaml", skaffold), FileKind::Other);
        // One cluster object among them makes the file a manifest.
        let mixed =
            format!("{catalog}---\napiVersion: v1\nkind: Namespace\nmetadata:\n  name: shop\n");
        assert_eq!(kind("catalog-info.yaml", &mixed), FileKind::Kubernetes);
    }

    #[test]
    fn composite_actions_are_workflows_and_other_actions_are_not() {
        let composite = "name: Deploy\nruns:\n  using: \"composite\"\n  steps:\n    - run: make deploy\n      shell: bash\n";
        assert_eq!(
            kind(".github/actions/deploy/action.yml", composite),
            FileKind::Workflow
        );
        assert_eq!(kind("action.yaml", composite), FileKind::Workflow);
        let node = "name: Lint\nruns:\n  using: node20\n  main: dist/index.js\n";
        assert_eq!(kind("action.yml", node), FileKind::Other);
        assert_eq!(
            kind("src/action.yml", "using: composite\n"),
            FileKind::Other
        );
    }

    #[test]
    fn molecule_scenarios_and_ansible_tests_are_scaffolding() {
        let destroy = "- hosts: localhost\n  tasks:\n    - community.docker.docker_volume: {name: pgdata, state: absent}\n";
        for path in [
            "molecule/default/destroy.yml",
            "roles/db/molecule/default/cleanup.yml",
            "roles/db/tests/cleanup.yml",
            "tests/integration/targets/rds_instance/tasks/main.yml",
        ] {
            assert_eq!(kind(path, destroy), FileKind::Other, "{path}");
        }
        // The same play anywhere else, and a file merely named like a test, are Ansible.
        assert_eq!(kind("playbooks/destroy.yml", destroy), FileKind::Ansible);
        assert_eq!(kind("tests.yml", destroy), FileKind::Ansible);
        assert_eq!(
            kind("roles/tests/tasks/main.yml", destroy),
            FileKind::Ansible
        );
    }

    #[test]
    fn only_yaml_task_and_variable_files_of_an_ansible_tree_are_ansible() {
        assert_eq!(kind("playbooks/db.yml", "- hosts: db\n"), FileKind::Ansible);
        assert_eq!(kind("roles/db/tasks/main.yml", ""), FileKind::Ansible);
        assert_eq!(
            kind("group_vars/dbservers.yml", "a: 1\n"),
            FileKind::Ansible
        );
        assert_eq!(kind("inventory/host_vars/db1", "a: 1\n"), FileKind::Ansible);
        // Inventories, configs and docs beside playbooks are not YAML to parse.
        assert_eq!(
            kind("playbooks/README.md", "# Playbooks\n"),
            FileKind::Other
        );
        assert_eq!(kind("playbooks/hosts.ini", "[db]\ndb1\n"), FileKind::Other);
        assert_eq!(
            kind("playbooks/ansible.cfg", "[defaults]\n"),
            FileKind::Other
        );
        // A role's Jinja templates are not tasks, even when named `.yml`.
        let jinja = "{% if tls %}\nport: 443\n{% endif %}\n";
        assert_eq!(
            kind("roles/app/templates/config.yml", jinja),
            FileKind::Other
        );
        let manifest = "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: {{ ns }}\n";
        assert_eq!(
            kind("roles/app/templates/ns.yaml", manifest),
            FileKind::Other
        );
        // A role's files are copied as they are: a manifest there is a manifest.
        let plain = "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: prod\n";
        assert_eq!(kind("roles/app/files/ns.yaml", plain), FileKind::Kubernetes);
        // A chart's `templates/roles/` directory is not a role, nor is a directory of roles.
        let rbac = "apiVersion: rbac.authorization.k8s.io/v1\nkind: Role\nmetadata:\n  name: {{ .Values.name }}\n";
        assert_eq!(
            kind("deploy/app/templates/roles/role.yaml", rbac),
            FileKind::Helm
        );
        let role =
            "apiVersion: rbac.authorization.k8s.io/v1\nkind: Role\nmetadata:\n  name: admin\n";
        assert_eq!(kind("k8s/roles/admin.yaml", role), FileKind::Kubernetes);
    }

    #[test]
    fn playbooks_outside_a_playbooks_directory_are_ansible_by_content() {
        let play = "---\n- name: Databases\n  hosts: dbservers\n  become: true\n  tasks:\n    - name: x\n      ansible.builtin.ping:\n";
        assert_eq!(kind("site.yml", play), FileKind::Ansible);
        let flow = "- hosts: web\n  roles:\n    - nginx\n";
        assert_eq!(kind("deploy/web.yaml", flow), FileKind::Ansible);
        let imports = "- import_playbook: db.yml\n- ansible.builtin.import_playbook: web.yml\n";
        assert_eq!(kind("site.yml", imports), FileKind::Ansible);
        // An inventory names hosts but runs nothing; a compose file or app config neither.
        let inventory = "all:\n  hosts:\n    db1:\n  children:\n    web:\n";
        assert_eq!(kind("inventory.yml", inventory), FileKind::Other);
        let config = "server:\n  port: 8080\ntasks: []\n";
        assert_eq!(kind("config.yml", config), FileKind::Other);
    }

    #[test]
    fn cdk_output_templates_are_cloudformation_and_its_bookkeeping_is_not() {
        assert_eq!(
            kind("cdk.out/ShopStack.template.json", "{}"),
            FileKind::CloudFormation
        );
        assert_eq!(
            kind(
                "cdk.out/assembly-Prod/ProdShopStackA1B2C3D4.template.json",
                "{}"
            ),
            FileKind::CloudFormation
        );
        assert_eq!(
            kind(
                "cdk.out/manifest.json",
                "{\"version\": \"36.0.0\", \"artifacts\": {}}"
            ),
            FileKind::Other
        );
        assert_eq!(
            kind(
                "cdk.out/ShopStack.assets.json",
                "{\"version\": \"36.0.0\", \"files\": {}}"
            ),
            FileKind::Other
        );
        assert_eq!(
            kind(
                "cdk.out/Minified.json",
                "{\"Resources\":{\"B\":{\"Type\":\"AWS::S3::Bucket\"}}}"
            ),
            FileKind::CloudFormation
        );
    }

    #[test]
    fn pulumi_programs_and_cdk_apps_are_infra_by_what_they_import() {
        let programs = [
            ("index.ts", "import * as aws from \"@pulumi/aws\";\n"),
            ("infra/__main__.py", "\"\"\"An AWS Python Pulumi program\"\"\"\nimport pulumi\nimport pulumi_aws as aws\n"),
            ("main.go", "package main\n\nimport (\n\t\"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/s3\"\n)\n"),
            ("Program.cs", "using Pulumi;\nusing Aws = Pulumi.Aws;\n"),
            ("lib/orders-stack.ts", "import { Stack } from 'aws-cdk-lib';\n"),
            ("lib/old-stack.js", "const cdk = require('@aws-cdk/core');\n"),
            ("app.py", "from aws_cdk import App, Stack\n"),
            ("src/main/java/com/acme/AppStack.java", "import software.amazon.awscdk.Stack;\n"),
            ("src/Acme/AcmeStack.cs", "using Amazon.CDK;\n"),
            ("infra/stack.go", "import \"github.com/aws/aws-cdk-go/awscdk/v2\"\n"),
        ];
        for (path, text) in programs {
            assert!(needs_content(&RepoPath::new(path)), "{path}");
            assert_eq!(kind(path, text), FileKind::IacProgram, "{path}");
        }
        assert!(FileKind::IacProgram.is_infra());
        // Application code in the same languages, and imports only mentioned far down a file.
        for (path, text) in [
            ("src/app.ts", "import express from 'express';\n"),
            ("app.py", "import flask\n"),
            ("main.go", "import \"fmt\"\n"),
        ] {
            assert_eq!(kind(path, text), FileKind::Other, "{path}");
        }
        let late = format!("{}import pulumi\n", "x = 1\n".repeat(4000));
        assert_eq!(kind("tool.py", &late), FileKind::Other);
        assert!(!needs_content(&RepoPath::new("src/main.rs")));
    }

    #[test]
    fn sst_and_amplify_apps_are_infra_by_a_cheap_look_at_their_top() {
        for (path, text) in [
            ("sst.config.ts", "/// <reference path=\"./.sst/platform/config.d.ts\" />\nexport default $config({\n"),
            ("infra/storage.ts", "export const bucket = new sst.aws.Bucket(\"Media\");\n"),
            ("amplify/data/resource.ts", "import { a, defineData } from \"@aws-amplify/backend\";\n"),
            ("amplify/backend.ts", "import { defineBackend } from '@aws-amplify/backend';\n"),
        ] {
            assert!(needs_content(&RepoPath::new(path)), "{path}");
            assert_eq!(kind(path, text), FileKind::IacProgram, "{path}");
        }
        // A Lambda handler of either framework is application code.
        for (path, text) in [
            (
                "amplify/functions/say-hello/handler.ts",
                "import type { Handler } from 'aws-lambda';\n",
            ),
            (
                "packages/functions/src/api.ts",
                "import { Resource } from \"sst\";\n",
            ),
        ] {
            assert_eq!(kind(path, text), FileKind::Other, "{path}");
        }
    }

    #[test]
    fn serverless_yml_is_a_serverless_service_by_name_and_its_variants_by_their_service() {
        let with_resources =
            "service: shop\nresources:\n  Resources:\n    T:\n      Type: AWS::DynamoDB::Table\n";
        for path in [
            "serverless.yml",
            "services/api/serverless.yaml",
            "Serverless.yml",
            "serverless.json",
        ] {
            assert_eq!(kind(path, ""), FileKind::Serverless, "{path}");
            // By name before content: its `resources` would read as a template.
            assert_eq!(kind(path, with_resources), FileKind::Serverless, "{path}");
        }
        assert!(FileKind::Serverless.is_infra());
        assert_eq!(FileKind::Serverless.as_str(), "serverless");
        let service = "service: shop\nprovider:\n  name: aws\n";
        assert_eq!(kind("serverless.prod.yml", service), FileKind::Serverless);
        assert_eq!(
            kind("api/serverless-eu.yaml", service),
            FileKind::Serverless
        );
        assert!(needs_content(&RepoPath::new("serverless.prod.yml")));
        // Serverless Compose, a TypeScript service file, docs, and a workflow named after it.
        let compose = "services:\n  api:\n    path: api\n";
        assert_eq!(kind("serverless-compose.yml", compose), FileKind::Other);
        let ts = "import type { AWS } from '@serverless/typescript';\n";
        assert_eq!(kind("serverless.ts", ts), FileKind::Other);
        assert_eq!(kind("docs/serverless.md", ""), FileKind::Other);
        assert_eq!(
            kind(".github/workflows/serverless.yml", ""),
            FileKind::Workflow
        );
    }

    #[test]
    fn application_code_is_not_infra() {
        assert_eq!(kind("src/main.rs", "fn main() {}"), FileKind::Other);
        assert!(!FileKind::Other.is_infra());
        assert!(FileKind::Terraform.is_infra());
    }

    #[test]
    fn compose_stack_and_nomad_files_are_told_by_name_and_content() {
        let services = "services:\n  db:\n    image: postgres:16\n";
        for path in [
            "docker-compose.yml",
            "compose.yaml",
            "compose.dev.yaml",
            "app/docker-compose-local.yml",
        ] {
            assert_eq!(kind(path, services), FileKind::Compose, "{path}");
        }
        for path in [
            "deploy/docker-stack.yml",
            "swarm/stack.yml",
            "docker-compose.prod.yml",
            "compose.production.yaml",
        ] {
            assert_eq!(kind(path, services), FileKind::ComposeDeployed, "{path}");
        }
        assert!(!FileKind::Compose.is_infra());
        assert!(FileKind::ComposeDeployed.is_infra() && FileKind::Nomad.is_infra());
        // A stack file needs a top-level `services` map; Serverless Compose is no Compose.
        assert_eq!(kind("ci/stack.yml", "stack: node\n"), FileKind::Other);
        assert_eq!(
            kind(
                "serverless-compose.yml",
                "services:\n  api:\n    path: api\n"
            ),
            FileKind::Other
        );
        let job = "job \"web\" {\n  group \"web\" {}\n}\n";
        for path in ["nomad/web.nomad", "jobs/web.nomad.hcl", "jobs/web.hcl"] {
            assert_eq!(kind(path, job), FileKind::Nomad, "{path}");
        }
        // A Terragrunt file and a Levant template are not jobs.
        assert_eq!(kind("live/terragrunt.hcl", job), FileKind::Terragrunt);
        assert_eq!(
            kind("live/env.hcl", "locals {\n  env = \"prod\"\n}\n"),
            FileKind::Terragrunt
        );
        assert_eq!(kind("nomad/web.nomad.tpl", job), FileKind::Other);
    }
}
