//! packs: what each tool's destructive invocations look like. A lexed command is unwrapped
//! (`sudo`, `env`, assignments, `bash -c '…'`) down to the program that runs, and that
//! program's pack decides whether its arguments destroy something.

mod cmdlets;
mod http_api;
mod preview;
mod subcommands;

use super::container;
use super::lex::{self, Word};
use super::{
    AUTO_APPROVE_ADDED, CLOUD_DELETE, DATABASE_DROP, GIT_FORCE_PUSH, HELM_UNINSTALL,
    KUBECTL_DELETE, PROTECTION_DISABLED, RM_RF, SECRETS_OR_BACKUPS_DELETE, SHELL_UNPARSEABLE,
    STACK_DESTROY, TERRAFORM_DESTROY, TERRAFORM_REPLACE, TERRAFORM_STATE_RM, VOLUME_DELETE,
};
use crate::finding::Severity;
use crate::rules::Rule;
use regex::Regex;
use std::sync::LazyLock;

/// One destructive invocation.
#[derive(Debug, Clone)]
pub struct Hit {
    pub rule: &'static Rule,
    pub severity: Severity,
    pub message: String,
    /// Two hits with the same identity are the same command: one on the base side makes the
    /// head's copy old, not new.
    pub identity: String,
    /// The safer way for this command in particular, when it names what it acts on; the
    /// rule's own advice otherwise.
    pub safer: Option<String>,
}

/// How deep `bash -c "bash -c '…'"` is followed.
const MAX_NESTING: u8 = 6;

/// Every destructive thing `words` (one simple command) does.
pub fn match_command(words: &[Word], stdin: Option<&str>) -> Vec<Hit> {
    let mut hits = Vec::new();
    match_nested(words, stdin, 0, &mut hits);
    hits
}

fn match_nested(words: &[Word], stdin: Option<&str>, depth: u8, hits: &mut Vec<Hit>) {
    let Some(at) = program_index(words) else {
        return;
    };
    let mut program = program_name(&words[at].text);
    // PowerShell's names are case-insensitive: `Remove-AzResourceGroup` is matched (and
    // identified) as `remove-azresourcegroup`.
    if program.contains('-') && program.bytes().any(|b| b.is_ascii_uppercase()) {
        program = program.to_ascii_lowercase();
    }
    let args = &words[at + 1..];
    let call = Call {
        program: &program,
        args,
        stdin,
        words: &words[at..],
    };
    if let Some(script) = shell_script(&call).filter(|_| depth < MAX_NESTING) {
        for nested in lex::lex(&script, 1).commands {
            match_nested(&nested.words, nested.stdin.as_deref(), depth + 1, hits);
        }
        return;
    }
    match powershell_script(&call).filter(|_| depth < MAX_NESTING) {
        Some(PowerShellScript::Text(script)) => {
            for nested in super::pwsh_lex::lex(&script, 1).commands {
                match_nested(&nested.words, nested.stdin.as_deref(), depth + 1, hits);
            }
            return;
        }
        Some(PowerShellScript::Encoded) => {
            hits.push(call.hit(
                &SHELL_UNPARSEABLE,
                SHELL_UNPARSEABLE.severity,
                format!(
                    "`{}` runs a base64-encoded PowerShell script that twokey cannot read; put the script in the change as text so its commands can be reviewed.",
                    call.shown()
                ),
            ));
            return;
        }
        None => {}
    }
    if let Some(inner) = exec_command(&call).filter(|_| depth < MAX_NESTING) {
        match_nested(inner, stdin, depth + 1, hits);
        return;
    }
    if let Some(started) = container::started(&program, call.words).filter(|_| depth < MAX_NESTING)
    {
        let from = hits.len();
        match_nested(&started.argv, stdin, depth + 1, hits);
        // The identity stays the inner command's: the same destroy moved into a container
        // (or onto a newer image tag) is not a new one.
        for hit in &mut hits[from..] {
            hit.message = format!("{}, {}", started.place(), hit.message);
        }
        return;
    }
    let found = match program.as_str() {
        // `gitlab-terraform` and `gitlab-tofu`: GitLab's wrappers, same subcommands.
        "terraform" | "tofu" | "terragrunt" | "gitlab-terraform" | "gitlab-tofu" => {
            terraform(&call)
        }
        "pulumi" | "cdk" | "cdktf" | "sam" | "serverless" | "sls" => stack(&call),
        "kubectl" | "oc" => kubectl(&call),
        "helm" | "helmfile" => helm(&call),
        "flux" | "argocd" => gitops(&call),
        "rm" => rm(&call),
        "aws" => aws(&call),
        "gcloud" | "gsutil" | "az" => cloud(&call),
        "doctl" | "hcloud" | "linode-cli" | "scw" | "oci" | "ibmcloud" | "fly" | "flyctl"
        | "heroku" | "vercel" | "netlify" | "gh" | "eksctl" => {
            let mut hits = other_cloud(&call);
            preview::soften(&call, &mut hits);
            hits
        }
        "curl" | "wget" | "http" | "https" | "xh" => http_api::judge(&call),

        "vault" | "velero" => secrets_or_backups(&call),
        "find" => find(&call),
        "docker" | "docker-compose" | "podman" => docker(&call),
        "git" => git(&call),
        name if cmdlets::is_cmdlet(name) => cmdlets::judge(&call),
        // Database clients first (`supabase db reset` is theirs), then the platform and
        // data-store CLIs whose subcommands destroy, looked up by program name.
        _ => match database(&call) {
            found if !found.is_empty() => found,
            _ => subcommands::rows(&program)
                .map(|rows| subcommands::judge(&call, rows))
                .unwrap_or_default(),
        },
    };
    hits.extend(found);
}

/// A program and its arguments, as the pack sees them.
struct Call<'a> {
    program: &'a str,
    args: &'a [Word],
    stdin: Option<&'a str>,
    /// The program and its arguments, for messages.
    words: &'a [Word],
}

impl Call<'_> {
    /// The command as a reviewer would recognise it. Built only for a hit: most commands
    /// in a script match nothing.
    fn shown(&self) -> String {
        shown(self.words)
    }
    fn hit(&self, rule: &'static Rule, severity: Severity, message: String) -> Hit {
        let argv: Vec<&str> = self.args.iter().map(|w| w.text.as_str()).collect();
        Hit {
            rule,
            severity,
            message,
            identity: format!(
                "{}\u{1f}{}\u{1f}{}\u{1f}{}",
                rule.id,
                self.program,
                argv.join("\u{1f}"),
                self.stdin.unwrap_or("")
            ),
            safer: None,
        }
    }
    fn texts(&self) -> impl Iterator<Item = &str> {
        self.args.iter().map(|w| w.text.as_str())
    }
    /// Whether a flag is given, as `-x`, `--x` or `--x=value`.
    fn has(&self, flag: &str) -> bool {
        self.texts().take_while(|t| *t != "--").any(|t| {
            t == flag
                || t.strip_prefix(flag)
                    .is_some_and(|rest| rest.starts_with('='))
        })
    }
    /// The value of a flag given as `--x value`, `--x=value` or, for short flags, `-xvalue`.
    fn value(&self, flag: &str) -> Option<&str> {
        let texts: Vec<&str> = self.texts().collect();
        for (i, t) in texts.iter().enumerate() {
            if *t == flag {
                return texts.get(i + 1).copied();
            }
            if let Some(rest) = t.strip_prefix(flag) {
                if let Some(v) = rest.strip_prefix('=') {
                    return Some(v);
                }
                if !flag.starts_with("--") && !rest.is_empty() {
                    return Some(rest);
                }
            }
        }
        None
    }
    /// Every value of a flag that may be repeated (`-replace=a -replace b`).
    fn values(&self, flag: &str) -> Vec<&str> {
        let texts: Vec<&str> = self.texts().take_while(|t| *t != "--").collect();
        let mut out = Vec::new();
        for (i, t) in texts.iter().enumerate() {
            if *t == flag {
                out.extend(texts.get(i + 1).copied());
            } else if let Some(v) = t.strip_prefix(flag).and_then(|r| r.strip_prefix('=')) {
                out.push(v);
            }
        }
        out
    }
    /// The arguments that are not flags, skipping the values of flags that take one.
    fn positional(&self, takes_value: &[&str]) -> Vec<&str> {
        let mut out = Vec::new();
        let mut texts = self.texts();
        while let Some(t) = texts.next() {
            if t == "--" {
                out.extend(texts.by_ref());
                break;
            }
            if t.starts_with('-') && t.len() > 1 {
                if !t.contains('=') && takes_value.contains(&t) {
                    texts.next();
                }
                continue;
            }
            out.push(t);
        }
        out
    }
}

fn shown(words: &[Word]) -> String {
    // A word with spaces in it is shown quoted, so `psql -c "DROP TABLE users"` does not read
    // as a command with two more arguments.
    let text: Vec<String> = words
        .iter()
        .map(|w| {
            let t = w.text.as_str();
            if !t.contains(char::is_whitespace) {
                t.to_owned()
            } else if t.contains('\'') {
                format!("\"{t}\"")
            } else {
                format!("'{t}'")
            }
        })
        .collect();
    let text = text.join(" ");
    let text = text.split_whitespace().collect::<Vec<_>>().join(" ");
    if text.chars().count() > 120 {
        let cut: String = text.chars().take(117).collect();
        format!("{cut}…")
    } else {
        text
    }
}

fn program_name(word: &str) -> String {
    let base = word.rsplit('/').next().unwrap_or(word);
    base.strip_suffix(".exe").unwrap_or(base).to_owned()
}

fn is_assignment(word: &str) -> bool {
    word.split_once('=').is_some_and(|(name, _)| {
        !name.is_empty()
            && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
            && !name.starts_with(|c: char| c.is_ascii_digit())
    })
}

/// Skips what runs a program without being it: assignments, keywords, `sudo`, `env`, `nice`,
/// `timeout` and friends.
fn program_index(words: &[Word]) -> Option<usize> {
    let mut i = 0;
    while let Some(word) = words.get(i) {
        let t = word.text.as_str();
        if is_assignment(t) {
            i += 1;
            continue;
        }
        let skip_flags = |mut i: usize, with_value: &[&str]| {
            while let Some(w) = words.get(i).map(|w| w.text.as_str()) {
                if w == "--" {
                    return i + 1;
                }
                if !w.starts_with('-') {
                    break;
                }
                i += if with_value.contains(&w) { 2 } else { 1 };
            }
            i
        };
        i = match program_name(t).as_str() {
            "{" | "}" | "!" | "if" | "then" | "do" | "else" | "elif" | "while" | "until"
            | "time" | "nohup" | "builtin" | "command" | "exec" => i + 1,
            "sudo" | "doas" => skip_flags(
                i + 1,
                &["-u", "-g", "-C", "-D", "-h", "-p", "-r", "-t", "-U", "-T"],
            ),
            "env" => skip_flags(i + 1, &["-u", "-C", "-S", "--unset", "--chdir"]),
            "npx" | "bunx" | "pnpx" => skip_flags(i + 1, &["-p", "--package"]),
            // `yarn cdk destroy`, `pnpm exec cdk destroy`, `npm exec -- cdk destroy`: the
            // package manager runs the tool named next (or a script of that name, which no
            // pack knows).
            "yarn" | "pnpm" | "bun" | "npm" => {
                let j = skip_flags(i + 1, &["--cwd", "-C", "--dir", "--filter", "-F"]);
                let runs = words.get(j).map(|w| w.text.as_str());
                match runs {
                    Some("exec" | "x" | "dlx") => {
                        skip_flags(j + 1, &["-p", "--package", "-w", "--workspace"])
                    }
                    Some("run") if t != "npm" => j + 1,
                    _ if t != "npm" => j,
                    _ => return Some(i),
                }
            }
            // `bundle exec rails db:reset`, `poetry run python manage.py flush`: the tool
            // named after `exec`/`run` is what runs.
            "bundle" | "poetry" | "pipenv" | "uv"
                if words
                    .get(i + 1)
                    .is_some_and(|w| matches!(w.text.as_str(), "exec" | "run")) =>
            {
                skip_flags(i + 2, &[])
            }
            "nice" | "ionice" | "stdbuf" | "chronic" => skip_flags(i + 1, &["-n", "-c"]),
            // The init processes containers start their command under (`command:
            // ["dumb-init", "--", "sh", "-c", …]`).
            "dumb-init" => skip_flags(i + 1, &["-r", "--rewrite"]),
            "tini" | "tini-static" => skip_flags(i + 1, &["-p", "-e", "-l"]),
            "timeout" => skip_flags(i + 1, &["-s", "-k", "--signal", "--kill-after"]) + 1,
            // `… | xargs -r kubectl delete`: the command runs once per line read.
            "xargs" => skip_flags(
                i + 1,
                &[
                    "-I",
                    "-n",
                    "-P",
                    "-L",
                    "-d",
                    "-E",
                    "-s",
                    "-a",
                    "--max-args",
                    "--replace",
                    "--delimiter",
                    "--arg-file",
                    "--max-procs",
                ],
            ),
            _ => return Some(i),
        };
    }
    None
}

/// `bash -c 'script'`, `sh -ec "…"`, `eval "…"`: the text that is run.
fn shell_script(call: &Call) -> Option<String> {
    match call.program {
        "sh" | "bash" | "zsh" | "dash" | "ksh" => {
            let texts: Vec<&str> = call.texts().collect();
            let at = texts
                .iter()
                .position(|t| t.starts_with('-') && !t.starts_with("--") && t.contains('c'))?;
            texts[at + 1..]
                .iter()
                .find(|t| !t.starts_with('-'))
                .map(|s| s.to_string())
        }
        "eval" => Some(call.texts().collect::<Vec<_>>().join(" ")),
        _ => None,
    }
}

/// What a PowerShell command line runs.
enum PowerShellScript {
    Text(String),
    /// `-EncodedCommand`: base64 twokey does not decode, so cannot judge.
    Encoded,
}

/// `pwsh -Command '…'`, `powershell -c "…"`, `Invoke-Expression "…"`: the PowerShell text
/// that is run. `pwsh -File x.ps1` runs a file, which is judged as a file of its own.
fn powershell_script(call: &Call) -> Option<PowerShellScript> {
    let joined = |words: &[Word]| {
        words
            .iter()
            .map(|w| w.text.as_str())
            .collect::<Vec<_>>()
            .join(" ")
    };
    match call.program {
        "invoke-expression" | "iex" => Some(PowerShellScript::Text(joined(call.args))),
        "start-process" | "saps" => cmdlets::started_process(call).map(PowerShellScript::Text),
        "pwsh" | "powershell" | "pwsh-preview" => {
            for (i, word) in call.args.iter().enumerate() {
                let lower = word.text.to_ascii_lowercase();
                let Some(flag) = lower.strip_prefix(['-', '/']) else {
                    // Windows PowerShell reads a first bare argument as the command; pwsh
                    // reads it as a file.
                    return (call.program == "powershell" && i == 0)
                        .then(|| PowerShellScript::Text(joined(call.args)));
                };
                if flag == "c" || (flag.len() >= 3 && "command".starts_with(flag)) {
                    return Some(PowerShellScript::Text(joined(&call.args[i + 1..])));
                }
                if flag == "e"
                    || flag == "ec"
                    || (flag.len() >= 3 && "encodedcommand".starts_with(flag))
                {
                    return Some(PowerShellScript::Encoded);
                }
                if flag == "f" || (flag.len() >= 2 && "file".starts_with(flag)) {
                    return None;
                }
            }
            None
        }
        _ => None,
    }
}

/// The command run inside a container or pod: `docker exec -i db psql …`,
/// `docker compose exec db psql …`, `kubectl exec db-0 -- psql …`.
fn exec_command<'a>(call: &Call<'a>) -> Option<&'a [Word]> {
    let args = call.args;
    let text = |i: usize| args.get(i).map(|w| w.text.as_str());
    match call.program {
        "docker" | "podman" | "docker-compose" => {
            let mut i = 0;
            if text(0) == Some("compose") {
                i = 1;
            }
            // Compose's own flags before `exec` (`-f file`, `-p project`).
            while let Some(t) = text(i).filter(|t| t.starts_with('-')) {
                i += if matches!(t, "-f" | "--file" | "-p" | "--project-name") {
                    2
                } else {
                    1
                };
            }
            if text(i) != Some("exec") {
                return None;
            }
            i += 1;
            // `exec`'s flags, then the container (or service), then the command.
            while let Some(t) = text(i).filter(|t| t.starts_with('-')) {
                let takes_value = matches!(
                    t,
                    "-e" | "--env"
                        | "-u"
                        | "--user"
                        | "-w"
                        | "--workdir"
                        | "--env-file"
                        | "--detach-keys"
                        | "--index"
                );
                i += if takes_value { 2 } else { 1 };
            }
            args.get(i + 1..).filter(|rest| !rest.is_empty())
        }
        "kubectl" | "oc" if text(0) == Some("exec") => {
            let dashes = args.iter().position(|w| w.text == "--")?;
            args.get(dashes + 1..).filter(|rest| !rest.is_empty())
        }
        _ => None,
    }
}

fn terraform(call: &Call) -> Vec<Hit> {
    if call.has("-help") || call.has("--help") || call.has("-h") {
        return Vec::new();
    }
    let pos = call.positional(&[
        "-var",
        "-var-file",
        "-target",
        "-replace",
        "-lock-timeout",
        "-parallelism",
        "-state",
        "-state-out",
        "-backup",
        "-out",
        "-chdir",
        "--working-dir",
        "--terragrunt-working-dir",
    ]);
    let sub = pos.first().copied().unwrap_or("");
    let destroy_flag = call.has("-destroy") || call.has("--destroy");
    let is_destroy = match call.program {
        "terragrunt" => {
            pos.iter().any(|p| *p == "destroy" || *p == "destroy-all")
                || (pos.contains(&"apply") && destroy_flag)
        }
        _ => sub == "destroy" || (matches!(sub, "apply" | "plan") && destroy_flag),
    };
    let unattended = call.has("-auto-approve")
        || call.has("--auto-approve")
        || call.has("--terragrunt-non-interactive")
        || call.has("--non-interactive");
    if is_destroy {
        let targeted = call.has("-target") || call.has("--target");
        let (severity, scope) = if targeted {
            (Severity::High, "the targeted resources")
        } else {
            (
                Severity::Critical,
                "every resource in the state it runs against",
            )
        };
        let how = if sub == "plan" {
            "plans the destruction of"
        } else if unattended {
            "destroys, without asking,"
        } else {
            "destroys"
        };
        return vec![call.hit(
            &TERRAFORM_DESTROY,
            severity,
            format!("`{}` {how} {scope}.", call.shown()),
        )];
    }
    let applies = sub == "apply" || pos.iter().any(|p| *p == "apply" || *p == "apply-all");
    let plans = sub == "plan" || pos.contains(&"plan");
    let mut hits = Vec::new();
    let mut replaced = call.values("-replace");
    replaced.extend(call.values("--replace"));
    if (applies || plans) && !replaced.is_empty() {
        let (severity, how) = if applies {
            (TERRAFORM_REPLACE.severity, "destroys and recreates")
        } else {
            (Severity::Medium, "plans to destroy and recreate")
        };
        hits.push(call.hit(
            &TERRAFORM_REPLACE,
            severity,
            format!(
                "`{}` {how} {}: what they hold (data, IDs, addresses) goes with the old ones.",
                call.shown(),
                addresses(&replaced)
            ),
        ));
    }
    let rest = |from: usize| pos.get(from..).unwrap_or_default();
    if let Some(at) = pos.iter().position(|p| *p == "taint") {
        hits.push(call.hit(
            &TERRAFORM_REPLACE,
            TERRAFORM_REPLACE.severity,
            format!(
                "`{}` marks {} to be destroyed and recreated by the next apply.",
                call.shown(),
                addresses(rest(at + 1))
            ),
        ));
    }
    let dry_run = call.has("-dry-run") || call.has("--dry-run");
    if let Some(at) = pos
        .windows(2)
        .position(|w| w == ["state", "rm"])
        .filter(|_| !dry_run)
    {
        hits.push(call.hit(
            &TERRAFORM_STATE_RM,
            TERRAFORM_STATE_RM.severity,
            format!(
                "`{}` makes Terraform forget {}: it keeps running unmanaged, and an apply that still declares it creates another.",
                call.shown(),
                addresses(rest(at + 2))
            ),
        ));
    }
    // `terraform apply tfplan` applies a saved plan without asking, with or without
    // `-auto-approve` (Terraform 0.15 and later take no other positional argument): the
    // flag changes nothing there, and the plan was made, and could be shown, before.
    let saved_plan = call.program != "terragrunt" && sub == "apply" && pos.len() > 1;
    if applies && unattended && !saved_plan {
        hits.push(auto_approve(
            call,
            "apply",
            "applies whatever the plan contains, deletions included, with nobody reading it first",
        ));
    }
    hits
}

/// Auto-approval is judged per tool and subcommand, not per exact command line, so editing
/// an already unattended apply is not reported as newly unattended.
/// Resource addresses for a message: `a`, `b`, or "the resource" when none is named.
fn addresses(named: &[&str]) -> String {
    if named.is_empty() {
        return "the resource".to_owned();
    }
    named
        .iter()
        .map(|a| format!("`{a}`"))
        .collect::<Vec<_>>()
        .join(", ")
}

fn auto_approve(call: &Call, sub: &str, what: &str) -> Hit {
    let mut hit = call.hit(
        &AUTO_APPROVE_ADDED,
        AUTO_APPROVE_ADDED.severity,
        format!("`{}` {what}.", call.shown()),
    );
    hit.identity = format!("{}\u{1f}{}\u{1f}{sub}", AUTO_APPROVE_ADDED.id, call.program);
    hit
}

fn stack(call: &Call) -> Vec<Hit> {
    let pos = call.positional(&[
        "-s",
        "--stack",
        "-C",
        "--cwd",
        "--target",
        "--profile",
        "--region",
        "--stage",
        "--app",
        "-a",
    ]);
    let sub = pos.first().copied().unwrap_or("");
    let yes = call.has("--yes") || call.has("-y") || call.has("--force") || call.has("-f");
    let destroy = match call.program {
        "pulumi" => {
            matches!(sub, "destroy" | "down") || (sub == "stack" && pos.get(1) == Some(&"rm"))
        }
        "cdk" | "cdktf" => sub == "destroy",
        "sam" => sub == "delete",
        _ => sub == "remove",
    };
    if destroy {
        let how = if yes {
            "destroys, without asking,"
        } else {
            "destroys"
        };
        return vec![call.hit(
            &STACK_DESTROY,
            STACK_DESTROY.severity,
            format!("`{}` {how} every resource of the stack.", call.shown()),
        )];
    }
    let unattended = match call.program {
        "pulumi" => sub == "up" && (yes || call.has("--skip-preview")),
        "cdk" => sub == "deploy" && call.value("--require-approval") == Some("never"),
        _ => false,
    };
    if unattended {
        return vec![auto_approve(
            call,
            sub,
            "deploys without showing anyone what it replaces or deletes",
        )];
    }
    Vec::new()
}

const KUBECTL_VALUE_FLAGS: &[&str] = &[
    "-n",
    "--namespace",
    "--context",
    "--kubeconfig",
    "-s",
    "--server",
    "--cluster",
    "--user",
    "-l",
    "--selector",
    "-f",
    "--filename",
    "-o",
    "--output",
    "--field-selector",
    "--grace-period",
    "--timeout",
    "-k",
    "--kustomize",
    "--as",
];

fn kubectl(call: &Call) -> Vec<Hit> {
    let pos = call.positional(KUBECTL_VALUE_FLAGS);
    let sub = pos.first().copied().unwrap_or("");
    let dry_run = call.value("--dry-run").is_some_and(|v| v != "none")
        || call.texts().any(|t| t == "--dry-run");
    if dry_run {
        return Vec::new();
    }
    match sub {
        "delete" => {
            let targets = &pos[1..];
            let kinds: Vec<String> = targets
                .iter()
                .flat_map(|t| t.split('/').next().unwrap_or("").split(','))
                .map(|k| k.split('.').next().unwrap_or("").to_ascii_lowercase())
                .collect();
            let cascading = kinds.iter().any(|k| {
                matches!(
                    k.as_str(),
                    "namespace" | "namespaces" | "ns" | "pv" | "persistentvolume" | "persistentvolumes"
                        | "pvc" | "persistentvolumeclaim" | "persistentvolumeclaims" | "crd" | "crds"
                        | "customresourcedefinition" | "customresourcedefinitions" | "statefulset"
                        | "statefulsets" | "sts"
                )
            });
            if only_finished_pods(call, &kinds) {
                return Vec::new();
            }
            let everything = call.has("--all") || call.has("-A") || call.has("--all-namespaces");
            let severity = if cascading || everything {
                Severity::Critical
            } else {
                Severity::High
            };
            let what = if cascading {
                "deletes objects that own data or other objects (a Namespace takes everything in it; a CRD takes every custom resource; a volume takes its data)"
            } else if everything {
                "deletes every matching object"
            } else {
                "deletes live objects from the cluster"
            };
            vec![call.hit(&KUBECTL_DELETE, severity, format!("`{}` {what}.", call.shown()))]
        }
        "replace" if call.has("--force") => vec![call.hit(
            &KUBECTL_DELETE,
            Severity::High,
            format!("`{}` deletes each object and creates it again, dropping its running pods and any state they hold.", call.shown()),
        )],
        "apply" if call.has("--prune") => vec![call.hit(
            &KUBECTL_DELETE,
            Severity::High,
            format!("`{}` deletes every object matching its selector that the applied files do not contain.", call.shown()),
        )],
        _ => Vec::new(),
    }
}

/// Whether a `kubectl delete` takes only pods that already ran to completion: every target is
/// a pod kind and `--field-selector` pins `status.phase` to `Succeeded` or `Failed`. Such
/// pods run nothing and hold nothing (their logs went with the node's rotation, their
/// volumes belong to claims that stay), so deleting them is the routine clean-up of finished
/// CI and Job pods. Terms are ANDed, so one pinning term is enough; `!=` is not a pin
/// (`status.phase!=Running` still takes Pending pods).
fn only_finished_pods(call: &Call, kinds: &[String]) -> bool {
    let pods = !kinds.is_empty()
        && kinds
            .iter()
            .all(|k| matches!(k.as_str(), "pod" | "pods" | "po"));
    let selector = call.value("--field-selector").unwrap_or("");
    pods && selector.split(',').any(|term| {
        let term = term.trim();
        let value = term
            .strip_prefix("status.phase==")
            .or_else(|| term.strip_prefix("status.phase="));
        matches!(value, Some("Succeeded" | "Failed"))
    })
}

fn helm(call: &Call) -> Vec<Hit> {
    let pos = call.positional(&[
        "-n",
        "--namespace",
        "--kube-context",
        "--kubeconfig",
        "-f",
        "--file",
        "-e",
        "--environment",
        "-l",
        "--selector",
    ]);
    let sub = pos.first().copied().unwrap_or("");
    let removes = match call.program {
        "helm" => matches!(sub, "uninstall" | "delete" | "del" | "un"),
        _ => matches!(sub, "destroy" | "delete"),
    };
    if removes && !call.has("--dry-run") {
        let release = pos
            .get(1)
            .map(|r| format!(" release {r}"))
            .unwrap_or_default();
        return vec![call.hit(
            &HELM_UNINSTALL,
            HELM_UNINSTALL.severity,
            format!("`{}` deletes every object of the{release} chart, its persistent volume claims included unless the chart keeps them.", call.shown()),
        )];
    }
    Vec::new()
}

/// GitOps controllers delete what they deployed when their object goes: `flux delete
/// kustomization` (Flux prunes what it applied, when pruning is on) or `helmrelease` (the
/// release is uninstalled), `argocd app delete` (cascading by default) and `argocd appset
/// delete` (its Applications go, and with them what they deployed).
fn gitops(call: &Call) -> Vec<Hit> {
    let pos = call.positional(&[
        "-n",
        "--namespace",
        "--context",
        "--kube-context",
        "--kubeconfig",
        "--server",
        "--auth-token",
        "--app-namespace",
        "-N",
        "--propagation-policy",
    ]);
    if call.has("--help") || call.has("-h") {
        return Vec::new();
    }
    let what = match (call.program, pos.as_slice()) {
        ("flux", ["delete", "kustomization" | "ks", name, ..]) => format!(
            "deletes the Flux Kustomization {name}; with `prune: true` Flux then deletes every object it applied, persistent volume claims included"
        ),
        ("flux", ["delete", "helmrelease" | "hr", name, ..]) => format!(
            "deletes the Flux HelmRelease {name}, which uninstalls its release with every object of the chart"
        ),
        ("argocd", ["app", "delete", name, ..])
            if !call.texts().any(|t| t == "--cascade=false") =>
        {
            format!(
                "deletes the Argo CD Application {name} and, cascading (the default), every resource it deployed"
            )
        }
        ("argocd", ["appset", "delete", name, ..]) => format!(
            "deletes the ApplicationSet {name} with every Application it generated, and what those deployed"
        ),
        _ => return Vec::new(),
    };
    vec![call.hit(
        &KUBECTL_DELETE,
        KUBECTL_DELETE.severity,
        format!("`{}` {what}.", call.shown()),
    )]
}

/// Top-level directories whose loss breaks the machine or its data.
const SYSTEM_DIRS: &[&str] = &[
    "bin", "boot", "data", "dev", "etc", "home", "lib", "lib64", "media", "mnt", "opt", "proc",
    "root", "run", "sbin", "srv", "sys", "usr", "var",
];

/// Services whose data lives in `/var/lib/<name>` by default.
const DATA_SERVICES: &[&str] = &[
    "postgresql",
    "pgsql",
    "mysql",
    "mariadb",
    "mongodb",
    "mongo",
    "redis",
    "docker",
    "containerd",
    "etcd",
    "elasticsearch",
    "opensearch",
    "cassandra",
    "clickhouse",
    "influxdb",
    "rabbitmq",
    "kafka",
    "zookeeper",
    "minio",
    "grafana",
    "prometheus",
    "jenkins",
    "gitlab",
    "mssql",
    "neo4j",
    "couchdb",
    "vault",
    "consul",
];

/// A path below the top level that holds data rather than software: a database's data
/// directory (`/var/lib/postgresql`, `/var/opt/mssql`), `/var/lib` itself, or anything under
/// `/srv`, `/mnt`, `/data` and `/backups`, where servers keep served files, mounted volumes
/// and backups.
/// `/var/lib/apt/lists/*` and other caches stay routine.
pub(crate) fn data_dir(path: &str) -> Option<(Severity, String)> {
    let parts: Vec<&str> = path
        .trim_end_matches('*')
        .split('/')
        .filter(|p| !p.is_empty() && *p != ".")
        .collect();
    match parts.as_slice() {
        ["var", "lib"] => Some((
            Severity::Critical,
            "every service's state on the machine".to_owned(),
        )),
        // SQL Server on Linux keeps its databases in `/var/opt/mssql`.
        ["var", "lib" | "opt", service, ..] if DATA_SERVICES.contains(service) => {
            Some((Severity::Critical, format!("{service}'s data directory")))
        }
        ["var", "backups", ..] | ["backup" | "backups", ..] => {
            Some((Severity::High, "backups".to_owned()))
        }
        // Bitnami images keep their persistent volume in `/bitnami/<service>`.
        ["bitnami", service, ..] if DATA_SERVICES.contains(service) => Some((
            Severity::Critical,
            format!("{service}'s data directory (the volume of a Bitnami image)"),
        )),
        ["bitnami", _, ..] => Some((
            Severity::High,
            "data under /bitnami (the volume of a Bitnami image)".to_owned(),
        )),
        [top @ ("srv" | "mnt" | "data"), _, ..] => Some((
            Severity::High,
            format!("data under /{top} (served files and mounted volumes)"),
        )),
        _ => None,
    }
}

fn rm(call: &Call) -> Vec<Hit> {
    let mut recursive = false;
    let mut no_preserve_root = false;
    let mut targets = Vec::new();
    let mut flags_done = false;
    for word in call.args {
        let t = word.text.as_str();
        if !flags_done && t == "--" {
            flags_done = true;
        } else if !flags_done && t.starts_with("--") {
            recursive |= t == "--recursive";
            no_preserve_root |= t == "--no-preserve-root";
        } else if !flags_done && t.starts_with('-') && t.len() > 1 && word.expansions.is_empty() {
            recursive |= t.contains(['r', 'R']);
        } else {
            targets.push(word);
        }
    }
    if !recursive {
        return Vec::new();
    }
    targets
        .into_iter()
        .filter_map(|target| {
            let (severity, why) = rm_danger(target)?;
            let severity = if no_preserve_root {
                Severity::Critical
            } else {
                severity
            };
            Some(call.hit(&RM_RF, severity, format!("`{}` {why}.", call.shown())))
        })
        .take(1)
        .collect()
}

fn rm_danger(target: &Word) -> Option<(Severity, String)> {
    let text = target.text.replace("${HOME}", "$HOME");
    let bare = |s: &str| s.trim_end_matches('*').trim_end_matches('/').to_owned();
    if ["~", "$HOME"].contains(&bare(&text).as_str()) {
        return Some((
            Severity::Critical,
            format!("deletes the home directory ({})", target.text),
        ));
    }
    let if_empty = target.if_empty.as_str();
    // `lost+found` is where fsck puts orphaned blocks, empty on a fresh volume; database
    // images refuse a data directory that holds it, so init containers delete it from the
    // mounted volume. Deleting it takes nothing the service wrote.
    if target.expansions.is_empty() && if_empty.trim_end_matches('/').ends_with("/lost+found") {
        return None;
    }
    let root = matches!(if_empty, "/" | "/*" | "/." | "/.*");
    let guarded = !target.expansions.is_empty() && target.expansions.iter().all(|e| e.guarded);
    if target.expansions.is_empty() {
        let top = if_empty.trim_end_matches('*').trim_end_matches('/');
        let top = top.strip_prefix('/').filter(|t| !t.contains('/'));
        if root || top.is_some_and(|t| SYSTEM_DIRS.contains(&t)) {
            return Some((
                Severity::Critical,
                format!("deletes {} recursively", target.text),
            ));
        }
        return data_dir(if_empty).map(|(severity, what)| {
            (
                severity,
                format!("deletes {} recursively: {what}", target.text),
            )
        });
    }
    if root && !guarded {
        let names: Vec<&str> = target.expansions.iter().map(|e| e.name.as_str()).collect();
        return Some((
            Severity::Critical,
            format!(
                "deletes {if_empty} when {} is empty or unset; guard it with ${{VAR:?}} or check it first",
                names.join(", ")
            ),
        ));
    }
    let risky = target
        .expansions
        .iter()
        .find(|e| !e.quoted && !e.guarded && !looks_temporary(&e.name, &target.text));
    risky.map(|e| {
        (
            Severity::High,
            format!(
                "deletes an unquoted variable path ({}): if {} is empty, has spaces or holds a glob, it deletes something else",
                target.text, e.name
            ),
        )
    })
}

/// Variables every runner sets to a directory, never empty or split: `$HOME/.cache/x` is a
/// path under home, not a guess.
const ALWAYS_SET: &[&str] = &[
    "HOME",
    "PWD",
    "GITHUB_WORKSPACE",
    "RUNNER_TEMP",
    "RUNNER_TOOL_CACHE",
    "CI_PROJECT_DIR",
    "CI_BUILDS_DIR",
    "WORKSPACE",
    "BUILD_SOURCESDIRECTORY",
    "AGENT_TEMPDIRECTORY",
    "CIRCLE_WORKING_DIRECTORY",
    "BITBUCKET_CLONE_DIR",
];

/// Temporary directories, build output and runner directories: deleting below them is
/// routine.
fn looks_temporary(name: &str, text: &str) -> bool {
    if ALWAYS_SET.contains(&name) {
        return true;
    }
    let upper = name.to_ascii_uppercase();
    ["TMP", "TEMP", "BUILD", "DIST", "CACHE", "OUT"]
        .iter()
        .any(|s| upper.contains(s))
        || (name == "$(…)" && text.contains("mktemp"))
}

/// `aws` flags that take no value besides the `--no-…` switches; every other `--flag` takes
/// one.
const AWS_BOOLEAN_FLAGS: &[&str] = &[
    "--debug",
    "--recursive",
    "--force",
    "--skip-final-snapshot",
    "--dryrun",
    "--dry-run",
    "--quiet",
    "--force-delete-without-recovery",
    "--delete-automated-backups",
    "--apply-immediately",
    "--deletion-protection",
    "--deletion-protection-enabled",
    "--enable-termination-protection",
    "--disable-api-termination",
];

/// Operations whose names say delete but which only tidy up (a queue message, a tag).
const AWS_ROUTINE_DELETES: &[&str] = &[
    "delete-tags",
    "delete-message",
    "delete-message-batch",
    "delete-object-tagging",
    "delete-bucket-tagging",
    "delete-alarms",
    "delete-login-profile",
];

/// Operations that take data or a whole environment with them.
const AWS_STATEFUL_DELETES: &[&str] = &[
    "delete-db-instance",
    "delete-db-cluster",
    "delete-table",
    "delete-bucket",
    "delete-stack",
    "delete-file-system",
    "delete-volume",
    "delete-cluster",
    "delete-hosted-zone",
    "schedule-key-deletion",
    "delete-secret",
    "delete-repository",
    "terminate-instances",
    "delete-replication-group",
    "delete-stream",
    "delete-backup-vault",
    "delete-db-snapshot",
    "delete-snapshot",
    "delete-global-cluster",
    "delete-domain",
    "delete-keyspace",
];

fn aws(call: &Call) -> Vec<Hit> {
    let mut pos = Vec::new();
    let mut texts = call.texts();
    while let Some(t) = texts.next() {
        if t.starts_with("--") {
            // Every `--no-x` is the off switch of a boolean `--x`.
            if !t.contains('=') && !t.starts_with("--no-") && !AWS_BOOLEAN_FLAGS.contains(&t) {
                texts.next();
            }
        } else if !t.starts_with('-') {
            pos.push(t);
        }
    }
    let (service, op) = (
        pos.first().copied().unwrap_or(""),
        pos.get(1).copied().unwrap_or(""),
    );
    if call.has("--dryrun") || call.has("--dry-run") {
        return Vec::new();
    }
    if let Some(hit) = aws_protection_off(call, service, op) {
        return vec![hit];
    }
    let found = match (service, op) {
        ("s3", "rb") if call.has("--force") => Some((
            Severity::Critical,
            "deletes the bucket and every object in it".to_owned(),
        )),
        ("s3", "rb") => Some((Severity::High, "deletes the bucket".to_owned())),
        ("s3", "rm") if call.has("--recursive") => Some((
            Severity::High,
            "deletes every object under the prefix".to_owned(),
        )),
        // A deploy's `sync --delete` from a build directory is common, but an empty or wrong
        // source empties the destination: worth a look, not a block.
        ("s3", "sync") if call.has("--delete") => Some((
            Severity::Medium,
            "deletes every object at the destination that the source does not have".to_owned(),
        )),
        ("cloudformation", "delete-stack") => {
            let stack = call
                .value("--stack-name")
                .map_or("the stack".to_owned(), |s| format!("the stack `{s}`"));
            let mut hit = call.hit(
                &CLOUD_DELETE,
                Severity::Critical,
                format!(
                    "`{}` deletes {stack} and every resource it created (tables, buckets, databases), except those marked `DeletionPolicy: Retain`.",
                    call.shown()
                ),
            );
            hit.safer = Some(format!(
                "Keep {stack}; to rename a stack, set `DeletionPolicy: Retain` on its stateful resources first, then import them into the new stack (a change set of type IMPORT) before the old one is deleted."
            ));
            return vec![hit];
        }
        (_, op)
            if (op.starts_with("delete-")
                || op.starts_with("terminate-")
                || op == "schedule-key-deletion")
                && !AWS_ROUTINE_DELETES.contains(&op) =>
        {
            let stateful = AWS_STATEFUL_DELETES.contains(&op);
            let mut what = format!("runs {service} {op}");
            if call.has("--skip-final-snapshot") {
                what.push_str(" without a final snapshot");
            }
            if call.has("--force-delete-without-recovery") {
                what.push_str(" without a recovery window");
            }
            let severity = if stateful {
                Severity::Critical
            } else {
                Severity::High
            };
            Some((severity, what))
        }
        _ => None,
    };
    found
        .map(|(severity, what)| {
            vec![call.hit(
                &CLOUD_DELETE,
                severity,
                format!("`{}` {what}.", call.shown()),
            )]
        })
        .unwrap_or_default()
}

/// An ELB attribute list (shorthand or JSON, in either key order) that sets
/// `deletion_protection.enabled` to false.
static ELB_PROTECTION_OFF: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r#"(?i)deletion_protection\.enabled"?\s*,\s*"?value"?\s*[=:]\s*"?false|value"?\s*[=:]\s*"?false"?\s*,\s*"?key"?\s*[=:]\s*"?deletion_protection\.enabled"#)
        .expect("the ELB attribute pattern is valid")
});

/// An `aws` call that switches off the protection that makes deleting a resource fail, with
/// the resource it names.
fn aws_protection_off(call: &Call, service: &str, op: &str) -> Option<Hit> {
    let (protection, resource, id_flag) = match (service, op) {
        ("cloudformation", "update-termination-protection")
            if call.has("--no-enable-termination-protection") =>
        {
            (
                "termination protection",
                "CloudFormation stack",
                "--stack-name",
            )
        }
        ("rds", "modify-db-instance") if call.has("--no-deletion-protection") => (
            "deletion protection",
            "RDS DB instance",
            "--db-instance-identifier",
        ),
        ("rds" | "docdb" | "neptune", "modify-db-cluster")
            if call.has("--no-deletion-protection") =>
        {
            (
                "deletion protection",
                "DB cluster",
                "--db-cluster-identifier",
            )
        }
        ("rds" | "neptune", "modify-global-cluster") if call.has("--no-deletion-protection") => (
            "deletion protection",
            "global DB cluster",
            "--global-cluster-identifier",
        ),
        ("ec2", "modify-instance-attribute")
            if call.has("--no-disable-api-termination")
                || (call.value("--attribute") == Some("disableApiTermination")
                    && call
                        .value("--value")
                        .is_some_and(|v| v.eq_ignore_ascii_case("false"))) =>
        {
            ("termination protection", "EC2 instance", "--instance-id")
        }
        ("elbv2", "modify-load-balancer-attributes")
            if ELB_PROTECTION_OFF.is_match(&call.texts().collect::<Vec<_>>().join(" ")) =>
        {
            (
                "deletion protection",
                "load balancer",
                "--load-balancer-arn",
            )
        }
        ("dynamodb", "update-table") if call.has("--no-deletion-protection-enabled") => {
            ("deletion protection", "DynamoDB table", "--table-name")
        }
        _ => return None,
    };
    let resource = match call.value(id_flag) {
        Some(id) => format!("the {resource} `{id}`"),
        None => format!("the {resource}"),
    };
    let mut hit = call.hit(
        &PROTECTION_DISABLED,
        PROTECTION_DISABLED.severity,
        format!(
            "`{}` turns off {protection} on {resource}: a delete of it, by hand, by a stack or by a destroy, no longer fails.",
            call.shown()
        ),
    );
    hit.safer = Some(format!(
        "Keep {protection} on {resource}; if it must go, turn the protection off in a separate, reviewed change just before the planned deletion."
    ));
    Some(hit)
}

fn cloud(call: &Call) -> Vec<Hit> {
    let pos = call.positional(&[
        "--project",
        "--zone",
        "--region",
        "--format",
        "--account",
        "--configuration",
        "--impersonate-service-account",
        "-g",
        "--resource-group",
        "-n",
        "--name",
        "--subscription",
        "-o",
        "--output",
        "--location",
    ]);
    let recursive = call.has("-r")
        || call.has("-R")
        || call.has("--recursive")
        || call.texts().any(|t| t == "-rf" || t == "-fr");
    let (deletes, stateful) = match call.program {
        "gsutil" => {
            let sub = pos.first().copied().unwrap_or("");
            (sub == "rb" || (sub == "rm" && recursive), true)
        }
        "gcloud" => {
            let deletes = pos.iter().any(|p| matches!(*p, "delete" | "destroy"))
                || (pos.first() == Some(&"storage") && pos.get(1) == Some(&"rm") && recursive);
            let stateful = pos.iter().any(|p| {
                matches!(
                    *p,
                    "projects"
                        | "sql"
                        | "clusters"
                        | "buckets"
                        | "storage"
                        | "disks"
                        | "spanner"
                        | "bigtable"
                        | "filestore"
                        | "redis"
                        | "kms"
                        | "firestore"
                )
            });
            (deletes, stateful)
        }
        _ => {
            // `az storage blob delete-batch`: every blob the pattern matches.
            let deletes = pos.contains(&"delete") || pos.contains(&"delete-batch");
            let stateful = matches!(
                pos.first().copied().unwrap_or(""),
                "group"
                    | "sql"
                    | "cosmosdb"
                    | "storage"
                    | "aks"
                    | "keyvault"
                    | "postgres"
                    | "mysql"
                    | "disk"
            );
            (deletes, stateful)
        }
    };
    cloud_delete(call, deletes, stateful)
}

/// A cloud CLI's delete: critical when what goes holds data.
fn cloud_delete(call: &Call, deletes: bool, stateful: bool) -> Vec<Hit> {
    if !deletes {
        return Vec::new();
    }
    let (severity, what) = if stateful {
        (Severity::Critical, "resources and the data in them")
    } else {
        (Severity::High, "resources")
    };
    let provider = if call.program == "az" {
        "Azure"
    } else {
        "Google Cloud"
    };
    vec![call.hit(
        &CLOUD_DELETE,
        severity,
        format!("`{}` deletes {provider} {what}.", call.shown()),
    )]
}

/// Resource kinds whose deletion takes data with it, as the smaller clouds' CLIs name them.
const STATEFUL_WORDS: &[&str] = &[
    "database",
    "databases",
    "db",
    "rdb",
    "volume",
    "volumes",
    "bucket",
    "buckets",
    "cluster",
    "kubernetes",
    "spaces",
    "autonomous-database",
    "postgres",
    "mysql",
    "redis",
    "storage",
];

/// DigitalOcean, Hetzner, Linode, Scaleway, Oracle and IBM Cloud name the verb after the
/// resource (`doctl databases delete ID`); Fly.io destroys, and Heroku puts the verb after a
/// colon (`apps:destroy`, `pg:reset`).
fn other_cloud(call: &Call) -> Vec<Hit> {
    let pos = call.positional(&[
        "--context",
        "-c",
        "--app",
        "-a",
        "--region",
        "-r",
        "--profile",
        "--config-file",
        "-t",
        "--access-token",
        "-o",
        "--output",
        "--format",
    ]);
    if call.has("--help") || call.has("-h") {
        return Vec::new();
    }
    let (deletes, stateful) = match call.program {
        "fly" | "flyctl" => (
            pos.iter().any(|p| matches!(*p, "destroy"))
                || pos
                    .windows(2)
                    .any(|w| w[0] == "volumes" && w[1] == "delete"),
            pos.iter()
                .any(|p| matches!(*p, "apps" | "volumes" | "volume" | "postgres" | "pg")),
        ),
        "vercel" => (matches!(pos.first().copied(), Some("remove" | "rm")), false),
        "netlify" => (pos.first() == Some(&"sites:delete"), false),
        // `gh repo delete`: the repository with its issues, pull requests and releases.
        "gh" => (matches!(pos.as_slice(), ["repo", "delete", ..]), true),
        "heroku" => {
            let verb = pos.first().copied().unwrap_or("");
            (
                matches!(
                    verb,
                    "apps:destroy"
                        | "destroy"
                        | "pg:reset"
                        | "addons:destroy"
                        | "addons:remove"
                        | "redis:reset"
                ),
                true,
            )
        }
        _ => (
            pos.iter().any(|p| {
                matches!(*p, "delete" | "destroy" | "rm" | "remove" | "terminate")
                    || p.ends_with("-delete")
            }),
            // `ibmcloud cos bucket-delete` names the kind in the verb.
            pos.iter()
                .any(|p| STATEFUL_WORDS.contains(&p.strip_suffix("-delete").unwrap_or(p))),
        ),
    };
    if !deletes {
        return Vec::new();
    }
    let (what, safer) = platform_loss(call.program, &pos, stateful);
    let severity = if stateful {
        Severity::Critical
    } else {
        Severity::High
    };
    let mut hit = call.hit(
        &CLOUD_DELETE,
        severity,
        format!("`{}` {what}.", call.shown()),
    );
    hit.safer = safer.map(str::to_owned);
    vec![hit]
}

/// What a smaller cloud's or a PaaS's delete takes with it, and the safer way where the tool
/// has one of its own.
fn platform_loss(program: &str, pos: &[&str], stateful: bool) -> (String, Option<&'static str>) {
    let provider = match program {
        "doctl" => "DigitalOcean",
        "hcloud" => "Hetzner Cloud",
        "linode-cli" => "Linode",
        "scw" => "Scaleway",
        "oci" => "Oracle Cloud",
        "ibmcloud" => "IBM Cloud",
        "fly" | "flyctl" => "Fly.io",
        "heroku" => "Heroku",
        "vercel" => "Vercel",
        "netlify" => "Netlify",
        "gh" => "GitHub",
        _ => "EKS",
    };
    const HEROKU_SAFER: &str = "Capture a backup first (`heroku pg:backups:capture`), and destroy or reset by hand after checking the app name; keep these out of pipelines that can reach production.";
    const FLY_SAFER: &str = "Snapshot volumes first (`fly volumes snapshots create`) and destroy apps and volumes by hand after checking the name.";
    let what = match (program, pos.first().copied().unwrap_or("")) {
        ("heroku", "pg:reset") => "erases every table in the Heroku Postgres database".to_owned(),
        ("heroku", "redis:reset") => "erases every key in the Heroku Redis database".to_owned(),
        ("heroku", "addons:destroy" | "addons:remove") => {
            "destroys the Heroku add-on and the data it holds (a database add-on's data included)".to_owned()
        }
        ("heroku", _) => "destroys the Heroku app with its add-ons, databases included".to_owned(),
        ("fly" | "flyctl", _) if pos.iter().any(|p| p.starts_with("volume")) => {
            "destroys the Fly.io volume and the data on it".to_owned()
        }
        ("fly" | "flyctl", _) if pos.contains(&"apps") || pos.contains(&"postgres") => {
            "destroys the Fly.io app with its machines and volumes (a Postgres app's data included)".to_owned()
        }
        ("gh", _) => "deletes the GitHub repository with its issues, pull requests and releases".to_owned(),
        ("vercel", _) => "removes the Vercel deployments or project it names (a removed production deployment takes the site down)".to_owned(),
        ("netlify", _) => "deletes the Netlify site with its deploys, forms and environment variables".to_owned(),
        _ => {
            let kind = pos
                .iter()
                .find_map(|p| STATEFUL_WORDS.iter().find(|w| p.strip_suffix("-delete").unwrap_or(p) == **w));
            match kind {
                Some(kind) if stateful => format!("deletes {provider} resources ({kind}) and the data in them"),
                _ => format!("deletes {provider} resources"),
            }
        }
    };
    let safer = match program {
        "heroku" => Some(HEROKU_SAFER),
        "fly" | "flyctl" => Some(FLY_SAFER),
        _ => None,
    };
    (what, safer)
}

fn secrets_or_backups(call: &Call) -> Vec<Hit> {
    let pos = call.positional(&[
        "-address",
        "-namespace",
        "-ns",
        "--namespace",
        "-n",
        "--kubeconfig",
    ]);
    let what = match (call.program, pos.as_slice()) {
        ("vault", ["secrets", "disable", ..]) => "deletes every secret in that secrets engine",
        ("vault", ["kv", "metadata", "delete", ..]) => {
            "deletes every version of the secret and its history"
        }
        ("vault", ["kv", "destroy", ..]) => "destroys secret versions beyond recovery",
        ("velero", ["backup", "delete", ..]) => "deletes backups and the data they hold",
        _ => return Vec::new(),
    };
    vec![call.hit(
        &SECRETS_OR_BACKUPS_DELETE,
        SECRETS_OR_BACKUPS_DELETE.severity,
        format!("`{}` {what}.", call.shown()),
    )]
}

/// `find PATH… -delete` (or `-exec rm {} +`): judged by its starting points, as `rm -r` is by
/// its targets.
fn find(call: &Call) -> Vec<Hit> {
    let execs_rm = call.args.windows(2).any(|pair| {
        matches!(
            pair[0].text.as_str(),
            "-exec" | "-execdir" | "-ok" | "-okdir"
        ) && program_name(&pair[1].text) == "rm"
    });
    if !execs_rm && !call.texts().any(|t| t == "-delete") {
        return Vec::new();
    }
    call.args
        .iter()
        .skip_while(|w| matches!(w.text.as_str(), "-H" | "-L" | "-P"))
        .take_while(|w| !w.text.starts_with('-') && !matches!(w.text.as_str(), "(" | "!"))
        .find_map(rm_danger)
        .map(|(severity, why)| {
            // `-mtime +7` and the like delete only what has aged past a limit: a rotation,
            // which keeps everything newer. Still worth a look (the path and the age), but
            // not a wipe.
            let age = call.args.windows(2).find_map(|pair| {
                AGE_TESTS
                    .contains(&pair[0].text.as_str())
                    .then(|| format!("{} {}", pair[0].text, pair[1].text))
            });
            match age {
                Some(age) => call.hit(
                    &RM_RF,
                    severity.min(Severity::Medium),
                    format!(
                        "`{}` {why}, but only what its `{age}` test selects: a rotation that keeps newer files.",
                        call.shown()
                    ),
                ),
                None => call.hit(&RM_RF, severity, format!("`{}` {why}.", call.shown())),
            }
        })
        .into_iter()
        .collect()
}

/// The words of a command line that are not flags (`flyway -url=… clean`: its `-key=value`
/// settings are one word each).
fn positional<'a>(texts: &'a [&'a str]) -> impl Iterator<Item = &'a str> + 'a {
    texts.iter().copied().filter(|t| !t.starts_with('-'))
}

/// `find` tests that select files by age.
const AGE_TESTS: &[&str] = &[
    "-mtime", "-mmin", "-atime", "-amin", "-ctime", "-cmin", "-newer", "-newermt",
];

fn docker(call: &Call) -> Vec<Hit> {
    let pos = call.positional(&[
        "-f",
        "--file",
        "-p",
        "--project-name",
        "--filter",
        "-H",
        "--host",
        "--context",
    ]);
    let volumes = call.has("-v") || call.has("--volumes");
    // `docker compose rm -fsv`: short flags run together.
    let short_v = volumes
        || call
            .texts()
            .any(|t| t.starts_with('-') && !t.starts_with("--") && t.contains('v'));
    let compose = call.program == "docker-compose" || pos.first() == Some(&"compose");
    let sub = if call.program == "docker-compose" {
        &pos[..]
    } else {
        pos.get(1..).unwrap_or(&[])
    };
    const ANONYMOUS: &str = "removes the containers' anonymous volumes, where images such as postgres and mysql keep their data unless a named volume is mounted";
    let (rule, severity, what) = match pos.as_slice() {
        ["volume", "rm" | "remove" | "prune", ..] => {
            (&VOLUME_DELETE, Severity::High, "deletes container volumes and the data in them")
        }
        ["system", "prune", ..] if volumes => (
            &VOLUME_DELETE,
            Severity::High,
            "prunes every unused volume along with the data in it",
        ),
        // Swarm: a stack or service removed stops every task; a pruning deploy removes the
        // services the stack file no longer lists.
        ["stack", "rm" | "remove" | "down", ..] => (
            &CLOUD_DELETE,
            Severity::High,
            "removes every service of the Swarm stack: what they serve is down, and their volumes are left behind on the nodes",
        ),
        ["service", "rm" | "remove", ..] => (
            &CLOUD_DELETE,
            Severity::High,
            "removes the Swarm service and every task of it",
        ),
        ["stack", "deploy" | "up", ..] if call.has("--prune") => (
            &CLOUD_DELETE,
            Severity::Medium,
            "removes every service of the stack that the stack file no longer lists",
        ),
        ["rm" | "container", ..] if !compose && short_v && (pos[0] == "rm" || pos.get(1) == Some(&"rm")) => {
            (&VOLUME_DELETE, Severity::High, ANONYMOUS)
        }
        _ if compose => match sub {
            ["down", ..] if volumes => (
                &VOLUME_DELETE,
                Severity::High,
                "removes the project's volumes along with its containers",
            ),
            ["rm", ..] if short_v => (&VOLUME_DELETE, Severity::High, ANONYMOUS),
            ["up" | "create", ..] if call.has("-V") || call.has("--renew-anon-volumes") => (
                &VOLUME_DELETE,
                Severity::Medium,
                "recreates the containers' anonymous volumes empty instead of keeping their data",
            ),
            _ => return Vec::new(),
        },
        _ => return Vec::new(),
    };
    vec![call.hit(rule, severity, format!("`{}` {what}.", call.shown()))]
}

fn git(call: &Call) -> Vec<Hit> {
    let pos = call.positional(&[
        "-C",
        "-c",
        "--git-dir",
        "--work-tree",
        "-o",
        "--push-option",
        "--repo",
    ]);
    if pos.first() == Some(&"reset") {
        return git_reset(call, &pos);
    }
    if pos.first() != Some(&"push") {
        return Vec::new();
    }
    let short_force = call
        .texts()
        .any(|t| t.starts_with('-') && !t.starts_with("--") && t.contains('f'));
    let force = short_force
        || call.has("--force")
        || call.has("--mirror")
        || pos.iter().skip(2).any(|r| r.starts_with('+'));
    let lease = call.has("--force-with-lease");
    let delete = call.has("--delete")
        || call.texts().any(|t| t == "-d")
        || pos.iter().skip(2).any(|r| r.starts_with(':'));
    let (severity, what) = if force {
        (
            Severity::High,
            "overwrites the remote branch's history; commits others pushed are lost",
        )
    } else if lease {
        (Severity::Medium, "rewrites the remote branch's history (with a lease, which only protects against concurrent pushes)")
    } else if delete {
        (Severity::Medium, "deletes a remote branch")
    } else {
        return Vec::new();
    };
    vec![call.hit(
        &GIT_FORCE_PUSH,
        severity,
        format!("`{}` {what}.", call.shown()),
    )]
}

/// `git reset --hard` to an older commit of the checked-out branch. Syncing to a remote branch
/// (`origin/main`) or to `HEAD` discards only the job's own edits, which is what CI does.
fn git_reset(call: &Call, pos: &[&str]) -> Vec<Hit> {
    if !call.has("--hard") {
        return Vec::new();
    }
    let Some(target) = pos.get(1) else {
        return Vec::new();
    };
    let backwards = target.contains('~')
        || target.contains('^')
        || (target.len() >= 7 && target.chars().all(|c| c.is_ascii_hexdigit()));
    if !backwards {
        return Vec::new();
    }
    vec![call.hit(
        &GIT_FORCE_PUSH,
        Severity::Medium,
        format!(
            "`{}` drops commits from the checked-out branch; pushed with `--force` afterwards, they are gone for everyone.",
            call.shown()
        ),
    )]
}

static DESTRUCTIVE_SQL: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r#"(?is)\b(drop\s+(?:database|schema|table|view|materialized\s+view|index)|truncate(?:\s+table)?)\s+(?:if\s+exists\s+)?([\w."`\[\]]+)|\b(delete\s+from)\s+([\w."`\[\]]+)\s*(?:;|$)"#)
        .expect("the destructive SQL pattern is valid")
});

static DESTRUCTIVE_CQL: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)\b(drop\s+(?:keyspace|table|materialized\s+view)|truncate)\s+(?:if\s+exists\s+)?[\w.]+")
        .expect("the CQL pattern is valid")
});

static DESTRUCTIVE_MONGO: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)dropDatabase\s*\(|\.drop\s*\(\s*\)|\.deleteMany\s*\(\s*\{\s*\}\s*\)")
        .expect("the mongo pattern is valid")
});

/// The Mongo shell call that drops or empties data in `script` (`db.dropDatabase()`,
/// `db.orders.drop()`, `deleteMany({})`), as written.
pub(crate) fn destructive_mongo(script: &str) -> Option<String> {
    DESTRUCTIVE_MONGO
        .find(script)
        .map(|m| m.as_str().trim_end_matches('(').to_owned())
}

/// What a SQL text destroys, for example "DROP TABLE users".
pub(crate) fn destructive_sql(sql: &str) -> Option<String> {
    let caps = DESTRUCTIVE_SQL.captures(sql)?;
    let (verb, object) = match (caps.get(1), caps.get(3)) {
        (Some(v), _) => (v.as_str(), caps.get(2)),
        (None, Some(v)) => (v.as_str(), caps.get(4)),
        (None, None) => return None,
    };
    let verb = verb
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .to_ascii_uppercase();
    Some(format!("{verb} {}", object.map_or("", |o| o.as_str())))
}

/// `redis-cli [options] DEL|UNLINK` whose keys come from elsewhere: none given (so xargs
/// supplies them) or a command substitution. A named key (`DEL cache:home`) is routine.
fn redis_pattern_delete(call: &Call) -> bool {
    let Some(at) = call
        .args
        .iter()
        .position(|w| w.text.eq_ignore_ascii_case("del") || w.text.eq_ignore_ascii_case("unlink"))
    else {
        return false;
    };
    let keys = &call.args[at + 1..];
    keys.is_empty()
        || keys
            .iter()
            .any(|w| w.expansions.iter().any(|e| e.name == "$(…)"))
}

/// Database clients given destructive SQL, database drop tools, and framework tasks that drop
/// or reset a database.
fn database(call: &Call) -> Vec<Hit> {
    let texts: Vec<&str> = call.texts().collect();
    let critical = |what: String| {
        vec![call.hit(
            &DATABASE_DROP,
            Severity::Critical,
            format!("`{}` {what}.", call.shown()),
        )]
    };
    let high = |what: String| {
        vec![call.hit(
            &DATABASE_DROP,
            Severity::High,
            format!("`{}` {what}.", call.shown()),
        )]
    };
    // As in a migration file: a whole database or schema is critical, a table high.
    let ran = |sql: String| {
        if sql.starts_with("DROP DATABASE") || sql.starts_with("DROP SCHEMA") {
            critical(format!("runs {sql}"))
        } else {
            high(format!("runs {sql}"))
        }
    };
    let sql_from = |flags: &[&str]| -> Option<String> {
        flags
            .iter()
            .filter_map(|f| call.value(f))
            .chain(call.stdin)
            .find_map(destructive_sql)
    };
    match call.program {
        "dropdb" => critical("drops a PostgreSQL database".to_owned()),
        "mysqladmin" if texts.iter().any(|t| t.eq_ignore_ascii_case("drop")) => {
            critical("drops a MySQL database".to_owned())
        }
        "psql" => sql_from(&["-c", "--command"]).map(ran).unwrap_or_default(),
        "mysql" | "mariadb" | "cockroach" => {
            sql_from(&["-e", "--execute"]).map(ran).unwrap_or_default()
        }
        "sqlcmd" => sql_from(&["-Q", "-q"]).map(ran).unwrap_or_default(),
        "snowsql" => sql_from(&["-q", "--query"]).map(ran).unwrap_or_default(),
        "clickhouse-client" | "clickhouse" => {
            sql_from(&["--query", "-q"]).map(ran).unwrap_or_default()
        }
        "sqlite3" => texts
            .iter()
            .skip(1)
            .copied()
            .chain(call.stdin)
            .find_map(destructive_sql)
            .map(ran)
            .unwrap_or_default(),
        "redis-cli"
            if texts.iter().any(|t| {
                t.eq_ignore_ascii_case("flushall") || t.eq_ignore_ascii_case("flushdb")
            }) =>
        {
            high("empties the Redis database".to_owned())
        }
        // `redis-cli --scan --pattern 'x*' | xargs redis-cli DEL`: with no key of its own (or
        // a `$(…)` list), DEL deletes whatever a pattern matched.
        "redis-cli" if redis_pattern_delete(call) => {
            high("deletes every Redis key a pattern matched (keys fed in by xargs or a command substitution)".to_owned())
        }
        "mongo" | "mongosh" => call
            .value("--eval")
            .into_iter()
            .chain(call.stdin)
            .find(|s| DESTRUCTIVE_MONGO.is_match(s))
            .map(|_| high("drops or empties MongoDB data".to_owned()))
            .unwrap_or_default(),
        "rails" | "rake" => texts
            .iter()
            .find(|t| {
                matches!(
                    **t,
                    "db:drop" | "db:reset" | "db:purge" | "db:schema:load" | "db:drop:all"
                )
            })
            .map(|t| critical(format!("runs {t}, which deletes the database's data")))
            .unwrap_or_default(),
        // Without `--linked` or `--db-url` it resets the local development database.
        "supabase"
            if texts.starts_with(&["db", "reset"])
                && (call.has("--linked") || call.value("--db-url").is_some()) =>
        {
            critical("resets the linked (remote) database: drops its data and reapplies the migrations and seed".to_owned())
        }
        "prisma" if texts.first() == Some(&"migrate") && texts.get(1) == Some(&"reset") => {
            critical("drops the database and recreates it from the migrations".to_owned())
        }
        "prisma"
            if texts.first() == Some(&"db")
                && (call.has("--force-reset") || call.has("--accept-data-loss")) =>
        {
            high(
                "pushes a schema that may drop tables or columns, and accepts the data loss"
                    .to_owned(),
            )
        }
        "cqlsh" => call
            .value("-e")
            .or(call.value("--execute"))
            .into_iter()
            .chain(call.stdin)
            .find_map(|s| DESTRUCTIVE_CQL.find(s).map(|m| m.as_str().to_owned()))
            .map(|s| high(format!("runs {}", s.to_ascii_uppercase())))
            .unwrap_or_default(),
        "influx" if texts.starts_with(&["bucket", "delete"]) => {
            critical("deletes an InfluxDB bucket and every point in it".to_owned())
        }
        "etcdctl"
            if texts.first() == Some(&"del")
                && (call.has("--prefix") || call.has("--from-key")) =>
        {
            high("deletes every etcd key under the prefix".to_owned())
        }
        "python" | "python3"
            if texts.first().is_some_and(|t| t.ends_with("manage.py"))
                && texts.get(1) == Some(&"flush") =>
        {
            critical("deletes every row of every table (Django flush)".to_owned())
        }
        // django-extensions' resets.
        "python" | "python3"
            if texts.first().is_some_and(|t| t.ends_with("manage.py"))
                && matches!(texts.get(1), Some(&("reset_db" | "reset_schema"))) =>
        {
            critical("drops the database (or schema) and creates it again, empty (django-extensions)".to_owned())
        }
        // Laravel: `migrate:fresh` and `db:wipe` drop every table; `migrate:refresh` and
        // `migrate:reset` run every migration's `down`, which drops them.
        "php"
            if texts.first().is_some_and(|t| t.ends_with("artisan"))
                && matches!(
                    texts.get(1),
                    Some(&("migrate:fresh" | "db:wipe" | "migrate:refresh" | "migrate:reset"))
                ) =>
        {
            critical(format!(
                "runs {}, which drops every table of the database",
                texts[1]
            ))
        }
        // Flyway 9 and later refuse `clean` unless `cleanDisabled=false` is set somewhere
        // (a flag, `flyway.conf`, the environment): where it runs, it has been.
        "flyway" if positional(&texts).any(|t| t == "clean") => critical(
            "drops every object (tables, views, functions) in the schemas Flyway manages".to_owned(),
        ),
        "liquibase" if positional(&texts).any(|t| matches!(t, "drop-all" | "dropAll")) => {
            critical("drops every object in the database schema Liquibase connects to".to_owned())
        }
        "alembic" if texts.windows(2).any(|w| w == ["downgrade", "base"]) => high(
            "runs every migration's downgrade, which drops the tables they created".to_owned(),
        ),
        "typeorm" | "typeorm-ts-node-commonjs" | "typeorm-ts-node-esm"
            if texts.first() == Some(&"schema:drop") =>
        {
            critical("drops every table of the data source's database".to_owned())
        }
        "typeorm" | "typeorm-ts-node-commonjs" | "typeorm-ts-node-esm"
            if texts.first() == Some(&"schema:sync") =>
        {
            high("alters the tables to match the entities, dropping columns and tables no entity declares".to_owned())
        }
        "sequelize" | "sequelize-cli" if texts.first() == Some(&"db:drop") => {
            critical("drops the database".to_owned())
        }
        "sequelize" | "sequelize-cli" if texts.first() == Some(&"db:migrate:undo:all") => {
            high("undoes every migration, running their `down`, which drops tables".to_owned())
        }
        "mikro-orm" | "mikro-orm-esm"
            if matches!(
                texts.first(),
                Some(&("schema:drop" | "schema:fresh" | "migration:fresh"))
            ) =>
        {
            critical(format!("runs {}, which drops every table of the database", texts[0]))
        }
        _ => Vec::new(),
    }
}

#[cfg(test)]
mod tests;
