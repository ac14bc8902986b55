//! extract: finds the shell text inside a file that runs commands (a workflow's `run:` steps,
//! a GitLab `script:`, a Dockerfile `RUN`, a Makefile recipe, a `package.json` script), with
//! the line each piece starts on, so findings point into the file the reviewer sees.

use super::platform_config::Platform;
use crate::analyze::classify::{is_env0_config, is_jenkinsfile, is_spacelift_config, is_taskfile};
use crate::analyze::FileKind;
use crate::change::RepoPath;
use crate::yaml::{self, Node, Value};

/// Shell text found in a file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Script {
    pub text: String,
    /// The file line the text's first line stands on.
    pub first_line: u32,
    /// What runs the text, and so how it is split into commands.
    pub interpreter: Interpreter,
    /// Expansions in the text are make variables, substituted by make rather than the
    /// shell: never word-split, so only what they leave when empty matters.
    pub make_variables: bool,
    /// Runs inside an image build (a Dockerfile `RUN`), on the layer being built: deleting
    /// files or volumes there destroys nothing that outlives the build.
    pub image_build: bool,
}

/// What runs a script. PowerShell has a lexer of its own ([`super::pwsh_lex`]); anything else
/// that is not a POSIX shell (cmd, Python) is `Other`: its commands are still matched through
/// the shell lexer, but its quoting is not held to the shell's rules.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Interpreter {
    Posix,
    PowerShell,
    Other,
}

impl Interpreter {
    /// Run by something other than a POSIX shell.
    #[cfg(test)]
    pub fn foreign(self) -> bool {
        self != Interpreter::Posix
    }
    /// The interpreter a `shell:`/`scriptType:` value names.
    pub fn named(shell: &str) -> Interpreter {
        let program = shell.split_whitespace().next().unwrap_or("");
        let program = program.rsplit(['/', '\\']).next().unwrap_or(program);
        let program = program.to_ascii_lowercase();
        let program = program.strip_suffix(".exe").unwrap_or(&program);
        if matches!(program, "bash" | "sh" | "zsh" | "dash" | "ksh") {
            Interpreter::Posix
        } else if matches!(program, "pwsh" | "powershell" | "ps" | "pscore") {
            Interpreter::PowerShell
        } else {
            Interpreter::Other
        }
    }
}

/// The scripts of one side of a file, or why they could not be found.
#[derive(Debug, Default)]
pub struct Extracted {
    pub scripts: Vec<Script>,
    /// The file itself could not be parsed (broken YAML or JSON): the line and the reason.
    pub failure: Option<(Option<u32>, String)>,
}

/// Keys whose values are shell in CI systems other than GitHub Actions: GitLab
/// (`script`, `before_script`, `after_script`), CircleCI (`run`, `command`), Azure Pipelines
/// (`script`, `bash`, `inlineScript`, the `Inline` script of `AzurePowerShell@5`), Buildkite
/// (`command`, `commands`), Bitbucket and Travis.
const CI_SCRIPT_KEYS: &[&str] = &[
    "run",
    "script",
    "before_script",
    "after_script",
    "command",
    "commands",
    "bash",
    "sh",
    "inlineScript",
    "Inline",
    "install",
    "before_install",
    "after_success",
    "deploy",
    "pwsh",
    "powershell",
];

/// go-task: a task's `cmds:` (strings, or `cmd:` maps), `defer:` clean-ups, and the `sh:` of
/// dynamic variables.
const TASKFILE_KEYS: &[&str] = &["cmds", "cmd", "defer", "sh"];

/// The keys of a Render blueprint's services (and cron jobs) that hold commands.
const RENDER_KEYS: &[&str] = &["buildCommand", "preDeployCommand", "startCommand"];

/// Spacelift's hooks (in `.spacelift/config.yml`, under `stack_defaults:` or a stack): lists
/// of shell commands run around each phase of a run.
const SPACELIFT_HOOKS: &[&str] = &[
    "before_init",
    "after_init",
    "before_plan",
    "after_plan",
    "before_apply",
    "after_apply",
    "before_perform",
    "after_perform",
    "before_destroy",
    "after_destroy",
    "after_run",
];

/// env0's custom flows (`env0.yml`): each step's `before:` and `after:` lists, whose items are
/// commands or maps with a `run:`.
const ENV0_KEYS: &[&str] = &["before", "after", "run"];

/// Script keys whose text PowerShell runs (Azure Pipelines' `pwsh:` and `powershell:` steps).
const POWERSHELL_KEYS: &[&str] = &["pwsh", "powershell"];

pub fn scripts(kind: FileKind, path: &RepoPath, text: &str) -> Extracted {
    let name = path.file_name().to_ascii_lowercase();
    if let (FileKind::BuildScript, Some(platform)) = (kind, Platform::of(&name)) {
        return super::platform_config::scripts(platform, name.ends_with(".json"), text);
    }
    match kind {
        FileKind::Shell => Extracted {
            scripts: vec![Script {
                text: text.to_owned(),
                first_line: 1,
                interpreter: if is_powershell_script(&name) {
                    Interpreter::PowerShell
                } else {
                    Interpreter::Posix
                },
                make_variables: false,
                image_build: false,
            }],
            failure: None,
        },
        FileKind::Dockerfile => super::dockerfile::scripts(text),
        FileKind::BuildScript if name == "package.json" => package_json(text),
        FileKind::BuildScript if name == "justfile" || name == ".justfile" => justfile(text),
        FileKind::BuildScript if is_taskfile(&name) => yaml_scripts(text, TASKFILE_KEYS, false),
        // Earthly's targets run `RUN` instructions as a Dockerfile does.
        FileKind::BuildScript if name == "earthfile" => super::dockerfile::scripts(text),
        FileKind::BuildScript if crate::analyze::classify::is_procfile(&name) => procfile(text),
        // Render's blueprint: each service's build, pre-deploy and start commands.
        FileKind::BuildScript if name == "render.yaml" || name == "render.yml" => {
            yaml_scripts(text, RENDER_KEYS, false)
        }
        FileKind::BuildScript => makefile(text),
        FileKind::Workflow => yaml_scripts(text, &["run"], true),
        FileKind::CiPipeline if is_jenkinsfile(&name) => super::jenkins::scripts(text),
        FileKind::CiPipeline if is_spacelift_config(path) => {
            yaml_scripts(text, SPACELIFT_HOOKS, false)
        }
        FileKind::CiPipeline if is_env0_config(&name) => yaml_scripts(text, ENV0_KEYS, false),
        FileKind::CiPipeline => yaml_scripts(text, CI_SCRIPT_KEYS, false),
        FileKind::Ansible => ansible_tasks(text),
        FileKind::Terragrunt => super::terragrunt_hooks::scripts(text),
        _ => Extracted::default(),
    }
}

/// Task modules whose argument is a command line (free form, or `cmd:` under them).
const ANSIBLE_COMMAND_MODULES: &[&str] = &[
    "shell",
    "command",
    "raw",
    "ansible.builtin.shell",
    "ansible.builtin.command",
    "ansible.builtin.raw",
    "ansible.legacy.shell",
    "ansible.legacy.command",
    "cmd",
];

/// The command lines of an Ansible playbook or task file. They are Jinja templates before
/// they are shell (`{% if %}`, `{{ var }}`), so a line the shell lexer cannot read is not an
/// error here, and a file that is not YAML is the Ansible analyzer's to report.
fn ansible_tasks(text: &str) -> Extracted {
    let mut extracted = yaml_scripts(text, ANSIBLE_COMMAND_MODULES, false);
    extracted.failure = None;
    for script in &mut extracted.scripts {
        script.interpreter = Interpreter::Other;
    }
    if let Ok(docs) = yaml::parse_documents(text) {
        let lines: Vec<&str> = text.lines().collect();
        for doc in &docs {
            ansible_other_forms(doc, &lines, &mut extracted.scripts);
        }
    }
    extracted
}

/// Windows command modules: their text is PowerShell (`win_shell`) or a command line run
/// without a shell (`win_command`), read the PowerShell way either way.
const ANSIBLE_WINDOWS_MODULES: &[&str] = &[
    "win_shell",
    "win_command",
    "ansible.windows.win_shell",
    "ansible.windows.win_command",
];

/// The command lines the generic walk misses: `command: {argv: [...]}` (a list of words,
/// joined here as the shell would read them), `local_action`/`action: command …` written as
/// one string, and the Windows modules.
fn ansible_other_forms(node: &Node, lines: &[&str], out: &mut Vec<Script>) {
    match &node.value {
        Value::Map(entries) => {
            for (key, value) in entries {
                let key = key.as_str();
                if ANSIBLE_COMMAND_MODULES.contains(&key) {
                    if let Some(argv) = value.get("argv") {
                        let words: Vec<String> = argv
                            .as_seq()
                            .iter()
                            .filter_map(|w| w.as_str())
                            .map(|w| {
                                if w.contains(char::is_whitespace) {
                                    format!("'{}'", w.replace('\'', ""))
                                } else {
                                    w.to_owned()
                                }
                            })
                            .collect();
                        if !words.is_empty() {
                            out.push(Script {
                                text: words.join(" "),
                                first_line: content_line(argv.line, lines),
                                interpreter: Interpreter::Other,
                                make_variables: false,
                                image_build: false,
                            });
                        }
                    }
                } else if key == "local_action" || key == "action" {
                    let command = value.as_str().and_then(|t| {
                        let (module, rest) = t.trim().split_once(char::is_whitespace)?;
                        ANSIBLE_COMMAND_MODULES.contains(&module).then_some(rest)
                    });
                    if let Some(command) = command {
                        out.push(Script {
                            text: command.trim().to_owned(),
                            first_line: content_line(value.line, lines),
                            interpreter: Interpreter::Other,
                            make_variables: false,
                            image_build: false,
                        });
                    }
                } else if ANSIBLE_WINDOWS_MODULES.contains(&key) {
                    let text = value.as_str().or_else(|| value.get("cmd")?.as_str());
                    if let Some(text) = text {
                        out.push(Script {
                            text: text.to_owned(),
                            first_line: content_line(value.line, lines),
                            interpreter: Interpreter::PowerShell,
                            make_variables: false,
                            image_build: false,
                        });
                    }
                    continue;
                }
                ansible_other_forms(value, lines, out);
            }
        }
        Value::Seq(items) => items
            .iter()
            .for_each(|i| ansible_other_forms(i, lines, out)),
        Value::Tagged(_, inner) => ansible_other_forms(inner, lines, out),
        Value::Null | Value::Scalar(_) => {}
    }
}

fn yaml_scripts(text: &str, keys: &[&str], github: bool) -> Extracted {
    let docs = match yaml::parse_documents(text) {
        Ok(docs) => docs,
        Err(e) => {
            return Extracted {
                scripts: Vec::new(),
                failure: Some((Some(e.line), e.message)),
            }
        }
    };
    let lines: Vec<&str> = text.lines().collect();
    let mut out = Extracted::default();
    for doc in &docs {
        let from = out.scripts.len();
        if !github && text.contains("!reference") {
            let resolved = resolve_references(doc, doc, 0, &mut { MAX_REFERENCED_ITEMS });
            collect_yaml(
                &resolved,
                keys,
                github,
                Interpreter::Posix,
                &lines,
                &mut out.scripts,
            );
        } else {
            collect_yaml(
                doc,
                keys,
                github,
                Interpreter::Posix,
                &lines,
                &mut out.scripts,
            );
        }
        super::expansions::expand(doc, &mut out.scripts, from, github);
    }
    out
}

/// How deep GitLab follows `!reference` tags inside referenced sections.
const MAX_REFERENCE_DEPTH: u8 = 10;
/// How many items references may pull in all: references to references can multiply.
const MAX_REFERENCED_ITEMS: usize = 10_000;

/// GitLab's `!reference [.job, script]` in a list, replaced by the list it names, on the
/// line of the tag: a job that pulls a hidden template's `terraform destroy` into its script
/// runs it. A reference that names nothing stays as it is (and runs nothing known).
fn resolve_references(root: &Node, node: &Node, depth: u8, budget: &mut usize) -> Node {
    let value = match &node.value {
        Value::Map(entries) => Value::Map(
            entries
                .iter()
                .map(|(k, v)| (k.clone(), resolve_references(root, v, depth, budget)))
                .collect(),
        ),
        Value::Seq(items) => {
            let mut out = Vec::with_capacity(items.len());
            for item in items {
                let target =
                    referenced(root, item).filter(|_| depth < MAX_REFERENCE_DEPTH && *budget > 0);
                match target {
                    Some(target) => {
                        let resolved = resolve_references(root, target, depth + 1, budget);
                        let pulled = match resolved.value {
                            Value::Seq(pulled) => pulled,
                            _ => vec![resolved],
                        };
                        *budget = budget.saturating_sub(pulled.len().max(1));
                        out.extend(pulled.into_iter().map(|mut n| {
                            n.line = item.line;
                            n.end_line = item.end_line;
                            n
                        }));
                    }
                    None => out.push(resolve_references(root, item, depth, budget)),
                }
            }
            Value::Seq(out)
        }
        Value::Tagged(tag, inner) => Value::Tagged(
            tag.clone(),
            Box::new(resolve_references(root, inner, depth, budget)),
        ),
        Value::Null | Value::Scalar(_) => node.value.clone(),
    };
    Node { value, ..*node }
}

/// What `!reference [a, b, c]` points at in `root`.
fn referenced<'a>(root: &'a Node, item: &Node) -> Option<&'a Node> {
    let Value::Tagged(tag, path) = &item.value else {
        return None;
    };
    if tag != "reference" {
        return None;
    }
    let keys: Vec<&str> = path.as_seq().iter().filter_map(Node::as_str).collect();
    (!keys.is_empty()).then(|| root.path(&keys)).flatten()
}

fn collect_yaml(
    node: &Node,
    keys: &[&str],
    github: bool,
    interpreter: Interpreter,
    lines: &[&str],
    out: &mut Vec<Script>,
) {
    match &node.value {
        Value::Map(entries) => {
            let interpreter = runs_foreign_shell(node).unwrap_or(interpreter);
            if let Some(step) = super::tool_steps::command(node, github) {
                out.push(tool_script(step.command, step.line));
                if step.inputs_read {
                    return;
                }
            }
            for (key, value) in entries {
                if keys.contains(&key.as_str()) {
                    let interpreter = if POWERSHELL_KEYS.contains(&key.as_str()) {
                        Interpreter::PowerShell
                    } else {
                        interpreter
                    };
                    push_scalars(value, interpreter, lines, out);
                    // CircleCI's `run: {command: …}` is a map under a script key.
                    if !github {
                        collect_yaml(value, keys, github, interpreter, lines, out);
                    }
                } else {
                    collect_yaml(value, keys, github, interpreter, lines, out);
                }
            }
        }
        Value::Seq(items) => {
            for item in items {
                if let Some(step) = super::tool_steps::named(item).filter(|_| !github) {
                    out.push(tool_script(step.command, step.line));
                }
                collect_yaml(item, keys, github, interpreter, lines, out);
            }
        }
        Value::Tagged(_, inner) => collect_yaml(inner, keys, github, interpreter, lines, out),
        Value::Null | Value::Scalar(_) => {}
    }
}

/// The scripts one CI job runs (its `script`, `before_script`, `after_script`, … at any depth).
pub(super) fn job_scripts(job: &Node, lines: &[&str]) -> Vec<Script> {
    let mut out = Vec::new();
    collect_yaml(
        job,
        CI_SCRIPT_KEYS,
        false,
        Interpreter::Posix,
        lines,
        &mut out,
    );
    out
}

/// The scripts one GitHub Actions step runs (its `run:`, or the command a tool action stands
/// for), `interpreter` being its job's default shell.
pub fn github_step_scripts(step: &Node, interpreter: Interpreter, lines: &[&str]) -> Vec<Script> {
    let mut out = Vec::new();
    collect_yaml(step, &["run"], true, interpreter, lines, &mut out);
    out
}

/// The shell a job's `defaults: run: shell:` names, if any.
pub fn job_shell(job: &Node) -> Option<Interpreter> {
    runs_foreign_shell(job)
}

/// The command a tool step stands for ([`super::tool_steps`]): built from the step's
/// inputs, so always a plain command line.
fn tool_script(command: String, line: u32) -> Script {
    Script {
        text: command,
        first_line: line,
        interpreter: Interpreter::Posix,
        make_variables: false,
        image_build: false,
    }
}

fn push_scalars(node: &Node, interpreter: Interpreter, lines: &[&str], out: &mut Vec<Script>) {
    match &node.value {
        Value::Scalar(text) => out.push(Script {
            text: text.clone(),
            first_line: content_line(node.line, lines),
            interpreter,
            make_variables: false,
            image_build: false,
        }),
        // GitLab's `script:` is a list of commands.
        Value::Seq(items) => {
            for item in items {
                if let Value::Scalar(_) = item.value {
                    push_scalars(item, interpreter, lines, out);
                }
            }
        }
        _ => {}
    }
}

/// Whether the scripts under `node` run in something other than a POSIX shell, when `node`
/// says so; `None` leaves it to the enclosing node.
/// - GitHub Actions: a step's `shell:`, or the `defaults: run: shell:` of its job or
///   workflow, which a step's own `shell:` overrides.
/// - Azure Pipelines: the PowerShell tasks, and `scriptType:` of an `AzureCLI` task.
fn runs_foreign_shell(node: &Node) -> Option<Interpreter> {
    let shell = node
        .get("shell")
        .or_else(|| node.path(&["defaults", "run", "shell"]))
        .or_else(|| node.get("scriptType"))
        .and_then(Node::as_str);
    if let Some(shell) = shell {
        return Some(Interpreter::named(shell));
    }
    let task = node.get("task").and_then(Node::as_str)?;
    let task = task.to_ascii_lowercase();
    (task.starts_with("powershell@") || task.starts_with("azurepowershell@"))
        .then_some(Interpreter::PowerShell)
}

/// `.ps1` scripts and `.psm1` modules (see [`crate::analyze::classify`]).
fn is_powershell_script(lower_name: &str) -> bool {
    lower_name.ends_with(".ps1") || lower_name.ends_with(".psm1")
}

/// A block scalar (`run: |`) starts on the line after its indicator; a plain or quoted one on
/// the line it stands on.
pub(crate) fn content_line(line: u32, lines: &[&str]) -> u32 {
    let Some(source) = lines.get(line.saturating_sub(1) as usize) else {
        return line;
    };
    let code = source.split(" #").next().unwrap_or(source).trim_end();
    let indicator = code
        .trim_end_matches(|c: char| c.is_ascii_digit() || c == '-' || c == '+')
        .ends_with(['|', '>']);
    if indicator {
        line + 1
    } else {
        line
    }
}

/// Makefile recipe lines (tab-indented), with `@`, `-` and `+` prefixes removed and make's
/// `$$` turned back into the shell's `$`.
fn makefile(text: &str) -> Extracted {
    let tools = make_literal_variables(text);
    let mut out = recipe_lines(text, |line| line.starts_with('\t'), true);
    for script in &mut out.scripts {
        script.text = name_make_tools(&script.text, &tools);
    }
    out
}

/// Make variables given a literal value (`TF := terraform -chdir=infra`, `KUBECTL ?= kubectl`),
/// in definition order; a value built from earlier literals is resolved, any other `$` drops it.
fn make_literal_variables(text: &str) -> Vec<(String, String)> {
    static ASSIGNMENT: std::sync::LazyLock<regex::Regex> = std::sync::LazyLock::new(|| {
        regex::Regex::new(
            r"^(?:(?:export|override)\s+)?([A-Za-z_][A-Za-z0-9_]*)\s*(?:\?|::?)?=\s*(.*?)\s*$",
        )
        .expect("the make assignment pattern is valid")
    });
    let mut known: Vec<(String, String)> = Vec::new();
    for line in text.lines().filter(|line| !line.starts_with('\t')) {
        let Some(caps) = ASSIGNMENT.captures(line) else {
            continue;
        };
        let value = name_make_tools_everywhere(&caps[2], &known);
        known.retain(|(name, _)| name != &caps[1]);
        if !value.is_empty() && !value.contains('$') && !value.contains('#') {
            known.push((caps[1].to_owned(), value));
        }
    }
    known
}

fn name_make_tools_everywhere(value: &str, known: &[(String, String)]) -> String {
    known.iter().fold(value.to_owned(), |acc, (name, literal)| {
        acc.replace(&format!("$({name})"), literal)
            .replace(&format!("${{{name}}}"), literal)
    })
}

/// `$(TF) destroy` runs whatever `TF` names: a make variable with a literal value, in command
/// position, is replaced by that value so the tool is recognised. Elsewhere (`-var-file=$(ENV)`)
/// variables stay unknown, since the caller may override them.
fn name_make_tools(recipe: &str, known: &[(String, String)]) -> String {
    let mut out = recipe.to_owned();
    for (name, literal) in known {
        let reference = format!("${{{name}}}");
        let mut from = 0;
        while let Some(found) = out[from..].find(&reference) {
            let at = from + found;
            let before = out[..at].trim_end();
            let command_position = before.is_empty()
                || ["&&", "||", ";", "|", "(", "{"]
                    .iter()
                    .any(|separator| before.ends_with(separator));
            if command_position {
                out.replace_range(at..at + reference.len(), literal);
                from = at + literal.len();
            } else {
                from = at + reference.len();
            }
        }
    }
    out
}

/// Justfile recipe bodies: indented lines.
fn justfile(text: &str) -> Extracted {
    recipe_lines(text, |line| line.starts_with([' ', '\t']), false)
}

fn recipe_lines(text: &str, is_recipe: impl Fn(&str) -> bool, make: bool) -> Extracted {
    let lines: Vec<&str> = text.lines().collect();
    let mut out = Extracted::default();
    let mut i = 0;
    while i < lines.len() {
        if !is_recipe(lines[i]) || lines[i].trim().is_empty() {
            i += 1;
            continue;
        }
        let start = i;
        let mut body = vec![lines[i].trim_start().trim_start_matches(['@', '-', '+'])];
        while body.last().is_some_and(|l| l.trim_end().ends_with('\\')) && i + 1 < lines.len() {
            i += 1;
            body.push(lines[i]);
        }
        i += 1;
        let joined = body.join("\n");
        out.scripts.push(Script {
            text: if make { make_to_shell(&joined) } else { joined },
            first_line: start as u32 + 1,
            interpreter: Interpreter::Posix,
            make_variables: make,
            image_build: false,
        });
    }
    out
}

/// A recipe line as the shell will see it: make's `$(NAME)` and `${NAME}` references become
/// shell variables (marked as make's, see [`Script::make_variables`]), function calls such
/// as `$(shell …)` stay substitutions, and `$$` is the shell's own `$`.
fn make_to_shell(recipe: &str) -> String {
    static MAKE_VARIABLE: std::sync::LazyLock<regex::Regex> = std::sync::LazyLock::new(|| {
        regex::Regex::new(r"\$[({]([A-Za-z_][A-Za-z0-9_]*)[)}]")
            .expect("the make variable pattern is valid")
    });
    // `$$` first, so `$$(cmd)` stays a shell substitution and is not read as a make variable.
    const ESCAPED: &str = "\u{1}";
    let protected = recipe.replace("$$", ESCAPED);
    MAKE_VARIABLE
        .replace_all(&protected, "$${$1}")
        .replace(ESCAPED, "$")
}

/// `package.json` `scripts`: each value is run by `sh -c`.
fn package_json(text: &str) -> Extracted {
    let value: serde_json::Value = match serde_json::from_str(text) {
        Ok(v) => v,
        Err(e) => {
            return Extracted {
                scripts: Vec::new(),
                failure: Some((Some(e.line() as u32), e.to_string())),
            }
        }
    };
    let Some(scripts) = value.get("scripts").and_then(|s| s.as_object()) else {
        return Extracted::default();
    };
    let from = text.find("\"scripts\"").unwrap_or(0);
    let mut out = Extracted::default();
    for (name, command) in scripts {
        let Some(command) = command.as_str() else {
            continue;
        };
        let key = format!("\"{name}\"");
        let at = text[from..].find(&key).map_or(from, |i| from + i);
        out.scripts.push(Script {
            text: command.to_owned(),
            first_line: line_of(text, at),
            interpreter: Interpreter::Posix,
            make_variables: false,
            image_build: false,
        });
    }
    out
}

/// A Procfile's processes: `name: command`, one a line (`release:` runs before every deploy).
/// Blank lines and `#` comments are not processes.
fn procfile(text: &str) -> Extracted {
    let mut out = Extracted::default();
    for (n, line) in text.lines().enumerate() {
        let Some((name, command)) = line.split_once(':') else {
            continue;
        };
        let name = name.trim();
        if name.is_empty()
            || name.starts_with('#')
            || !name
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
        {
            continue;
        }
        out.scripts.push(Script {
            text: command.trim().to_owned(),
            first_line: u32::try_from(n + 1).unwrap_or(u32::MAX),
            interpreter: Interpreter::Posix,
            make_variables: false,
            image_build: false,
        });
    }
    out
}

fn line_of(text: &str, byte: usize) -> u32 {
    text[..byte.min(text.len())].matches('\n').count() as u32 + 1
}

#[cfg(test)]
mod tests {
    use super::*;

    fn found(kind: FileKind, path: &str, text: &str) -> Vec<(u32, String)> {
        let extracted = scripts(kind, &RepoPath::new(path), text);
        assert_eq!(extracted.failure, None);
        extracted
            .scripts
            .into_iter()
            .map(|s| (s.first_line, s.text))
            .collect()
    }

    #[test]
    fn workflow_run_steps_with_their_lines() {
        let workflow = "on: push\njobs:\n  deploy:\n    steps:\n      - run: make plan\n      - name: apply\n        run: |\n          terraform init\n          terraform apply -auto-approve\n";
        let got = found(FileKind::Workflow, ".github/workflows/deploy.yml", workflow);
        assert_eq!(got[0], (5, "make plan".to_owned()));
        assert_eq!(got[1].0, 8);
        assert!(got[1].1.starts_with("terraform init\n"));
    }

    #[test]
    fn workflow_steps_in_powershell_are_foreign() {
        let workflow = "jobs:\n  a:\n    steps:\n      - shell: pwsh\n        run: Remove-Item -Recurse C:\\x\n";
        let extracted = scripts(
            FileKind::Workflow,
            &RepoPath::new(".github/workflows/a.yml"),
            workflow,
        );
        assert_eq!(extracted.scripts[0].interpreter, Interpreter::PowerShell);
    }

    #[test]
    fn a_job_default_shell_makes_its_steps_foreign_unless_a_step_names_its_own() {
        let workflow = "defaults:\n  run:\n    shell: bash\njobs:\n  win:\n    defaults:\n      run:\n        shell: pwsh\n    steps:\n      - run: terraform plan `\n          -out=tfplan\n      - shell: bash\n        run: make\n  linux:\n    steps:\n      - run: make\n";
        let extracted = scripts(
            FileKind::Workflow,
            &RepoPath::new(".github/workflows/a.yml"),
            workflow,
        );
        let foreign: Vec<bool> = extracted
            .scripts
            .iter()
            .map(|s| s.interpreter.foreign())
            .collect();
        assert_eq!(foreign, [true, false, false]);
    }

    #[test]
    fn azure_powershell_steps_and_tasks_run_in_powershell() {
        let azure = "steps:\n  - pwsh: terraform destroy -auto-approve\n  - powershell: Write-Host hi\n  - task: PowerShell@2\n    inputs:\n      targetType: inline\n      script: terraform plan `\n  - task: AzureCLI@2\n    inputs:\n      scriptType: pscore\n      inlineScript: az group list\n  - task: AzureCLI@2\n    inputs:\n      scriptType: bash\n      inlineScript: az group list\n  - task: AzurePowerShell@5\n    inputs:\n      ScriptType: InlineScript\n      Inline: Remove-AzVM -Name a\n  - script: make\n";
        let extracted = scripts(
            FileKind::CiPipeline,
            &RepoPath::new("azure-pipelines.yml"),
            azure,
        );
        let got: Vec<(&str, Interpreter)> = extracted
            .scripts
            .iter()
            .map(|s| (s.text.as_str(), s.interpreter))
            .collect();
        use Interpreter::{Posix, PowerShell};
        assert_eq!(
            got,
            [
                ("terraform destroy -auto-approve", PowerShell),
                ("Write-Host hi", PowerShell),
                ("terraform plan `", PowerShell),
                ("az group list", PowerShell),
                ("az group list", Posix),
                ("Remove-AzVM -Name a", PowerShell),
                ("make", Posix),
            ]
        );
    }

    #[test]
    fn gitlab_script_lists_and_circleci_commands() {
        let gitlab =
            "deploy:\n  script:\n    - terraform init\n    - terraform destroy -auto-approve\n";
        let got = found(FileKind::CiPipeline, ".gitlab-ci.yml", gitlab);
        assert_eq!(
            got,
            vec![
                (3, "terraform init".to_owned()),
                (4, "terraform destroy -auto-approve".to_owned())
            ]
        );
        let circle = "jobs:\n  a:\n    steps:\n      - run:\n          name: wipe\n          command: kubectl delete ns prod\n";
        let got = found(FileKind::CiPipeline, ".circleci/config.yml", circle);
        assert_eq!(got, vec![(6, "kubectl delete ns prod".to_owned())]);
    }

    #[test]
    fn spacelift_hooks_and_env0_flow_steps() {
        let spacelift = "version: \"1\"\nstack_defaults:\n  before_init:\n    - terraform fmt -check\nstacks:\n  prod:\n    before_apply:\n      - terraform destroy -auto-approve\n    environment:\n      TF_VAR_x: y\n";
        let got = found(FileKind::CiPipeline, ".spacelift/config.yml", spacelift);
        assert_eq!(
            got,
            vec![
                (4, "terraform fmt -check".to_owned()),
                (8, "terraform destroy -auto-approve".to_owned())
            ]
        );
        let env0 = "version: 2\ndeploy:\n  steps:\n    terraformApply:\n      before:\n        - echo starting\n        - name: wipe\n          run: rm -rf $STATE_DIR\n      after: [echo done]\n";
        let got = found(FileKind::CiPipeline, "env0.yml", env0);
        assert_eq!(
            got,
            vec![
                (6, "echo starting".to_owned()),
                (8, "rm -rf $STATE_DIR".to_owned()),
                (9, "echo done".to_owned())
            ]
        );
    }

    #[test]
    fn taskfile_commands_and_earthfile_runs() {
        let taskfile = "version: '3'\nvars:\n  SHA:\n    sh: git rev-parse HEAD\ntasks:\n  down:\n    cmds:\n      - terraform destroy -auto-approve\n      - cmd: kubectl delete ns {{.NS}}\n        ignore_error: true\n      - task: cleanup\n      - defer: rm -rf tmp\n";
        assert_eq!(
            found(FileKind::BuildScript, "Taskfile.yml", taskfile),
            vec![
                (4, "git rev-parse HEAD".to_owned()),
                (8, "terraform destroy -auto-approve".to_owned()),
                (9, "kubectl delete ns {{.NS}}".to_owned()),
                (12, "rm -rf tmp".to_owned()),
            ]
        );
        let earthfile = "VERSION 0.8\ndown:\n    FROM hashicorp/terraform\n    RUN --push terraform destroy -auto-approve\n";
        assert_eq!(
            found(FileKind::BuildScript, "Earthfile", earthfile),
            vec![(4, "terraform destroy -auto-approve".to_owned())]
        );
    }

    #[test]
    fn tool_steps_are_read_as_the_commands_they_run() {
        let azure = "steps:\n  - task: TerraformTaskV4@4\n    inputs:\n      command: destroy\n  - script: make\n";
        assert_eq!(
            found(FileKind::CiPipeline, "azure-pipelines.yml", azure),
            vec![
                (4, "terraform destroy -auto-approve".to_owned()),
                (5, "make".to_owned())
            ]
        );
        let workflow = "jobs:\n  a:\n    steps:\n      - uses: dflook/terraform-destroy@v1\n";
        assert_eq!(
            found(FileKind::Workflow, ".github/workflows/a.yml", workflow),
            vec![(4, "terraform destroy".to_owned())]
        );
        let circle =
            "workflows:\n  w:\n    jobs:\n      - terraform/plan\n      - terraform/destroy\n";
        assert_eq!(
            found(FileKind::CiPipeline, ".circleci/config.yml", circle),
            vec![(5, "terraform destroy".to_owned())]
        );
    }

    #[test]
    fn gitlab_references_pull_the_named_list_onto_their_line() {
        let gitlab = ".teardown:\n  script:\n    - terraform destroy -auto-approve\nnuke:\n  script:\n    - echo start\n    - !reference [.teardown, script]\n    - !reference [.missing, script]\n";
        assert_eq!(
            found(FileKind::CiPipeline, ".gitlab-ci.yml", gitlab),
            vec![
                (3, "terraform destroy -auto-approve".to_owned()),
                (6, "echo start".to_owned()),
                (7, "terraform destroy -auto-approve".to_owned()),
            ]
        );
        // References to themselves end, however many there are.
        let looped = format!(
            "a:\n  script:\n{}",
            "    - !reference [a, script]\n".repeat(8)
        );
        let _ = found(FileKind::CiPipeline, ".gitlab-ci.yml", &looped);
    }

    #[test]
    fn a_dispatch_choice_in_a_step_is_read_as_each_option() {
        let workflow = "on:\n  workflow_dispatch:\n    inputs:\n      action:\n        type: choice\n        options: [plan, destroy]\n      env:\n        type: string\njobs:\n  a:\n    steps:\n      - run: terraform ${{ github.event.inputs.action }} -var-file=${{ inputs.env }}.tfvars\n";
        let got: Vec<String> = found(FileKind::Workflow, ".github/workflows/a.yml", workflow)
            .into_iter()
            .map(|(_, text)| text)
            .collect();
        assert_eq!(
            got,
            [
                "terraform ${{ github.event.inputs.action }} -var-file=${{ inputs.env }}.tfvars",
                "terraform plan -var-file=${{ inputs.env }}.tfvars",
                "terraform destroy -var-file=${{ inputs.env }}.tfvars",
            ]
        );
    }

    fn texts(workflow: &str) -> Vec<String> {
        found(FileKind::Workflow, ".github/workflows/a.yml", workflow)
            .into_iter()
            .map(|(_, text)| text)
            .collect()
    }

    #[test]
    fn a_matrix_in_a_step_is_read_as_each_entry_and_each_include_as_one() {
        let listed = "on: push\njobs:\n  a:\n    strategy:\n      matrix:\n        action: [plan, destroy]\n    steps:\n      - run: terraform ${{ matrix.action }}\n  b:\n    steps:\n      - run: echo ${{ matrix.action }}\n";
        // Job `b` has no matrix of its own: its step is left as written.
        assert_eq!(
            texts(listed),
            [
                "terraform ${{ matrix.action }}",
                "echo ${{ matrix.action }}",
                "terraform plan",
                "terraform destroy",
            ]
        );
        let included = "on: push\njobs:\n  a:\n    strategy:\n      matrix:\n        include:\n          - {env: dev, cmd: destroy}\n          - {env: prod, cmd: apply}\n    steps:\n      - run: terraform ${{ matrix.cmd }} -var-file=${{matrix.env}}.tfvars\n";
        assert_eq!(
            texts(included)[1..],
            [
                "terraform destroy -var-file=dev.tfvars",
                "terraform apply -var-file=prod.tfvars"
            ]
        );
        // A matrix an expression builds names no values.
        let computed = "on: push\njobs:\n  a:\n    strategy:\n      matrix: ${{ fromJSON(needs.p.outputs.m) }}\n    steps:\n      - run: terraform ${{ matrix.cmd }}\n";
        assert_eq!(texts(computed), ["terraform ${{ matrix.cmd }}"]);
    }

    #[test]
    fn env_literals_replace_their_variables_innermost_first() {
        let workflow = "on: push\nenv:\n  CMD: plan\n  DIR: infra\njobs:\n  a:\n    env:\n      CMD: apply\n    steps:\n      - env:\n          CMD: destroy\n        run: terraform -chdir=$DIR $CMD\n      - run: terraform ${CMD} && echo ${{ env.DIR }} $CMDS\n  b:\n    steps:\n      - run: terraform $CMD\n";
        assert_eq!(
            texts(workflow),
            [
                "terraform -chdir=infra destroy",
                "terraform apply && echo infra $CMDS",
                "terraform plan",
            ]
        );
        // A script that sets the variable itself, and a value that is an expression, keep
        // their variables.
        let own = "on: push\njobs:\n  a:\n    env:\n      CMD: destroy\n      WHO: ${{ inputs.who }}\n    steps:\n      - run: |\n          CMD=plan\n          terraform $CMD\n      - run: echo $WHO\n";
        assert_eq!(texts(own), ["CMD=plan\nterraform $CMD\n", "echo $WHO"]);
    }

    #[test]
    fn gitlab_and_azure_variables_and_gitlab_matrices_are_read_into_their_jobs() {
        let gitlab = "variables:\n  TF_ACTION: plan\n  DIR: {value: infra, description: where}\ndestroy:\n  variables:\n    TF_ACTION: destroy\n  script:\n    - terraform -chdir=$DIR $TF_ACTION\nplan:\n  script:\n    - terraform -chdir=${DIR} $TF_ACTION\nmatrix:\n  parallel:\n    matrix:\n      - ACTION: [plan, destroy]\n  script:\n    - terraform $ACTION\n";
        let got: Vec<String> = found(FileKind::CiPipeline, ".gitlab-ci.yml", gitlab)
            .into_iter()
            .map(|(_, text)| text)
            .collect();
        assert_eq!(
            got,
            [
                "terraform -chdir=infra destroy",
                "terraform -chdir=infra plan",
                "terraform $ACTION",
                "terraform plan",
                "terraform destroy",
            ]
        );
        let azure = "variables:\n  - name: command\n    value: destroy\n  - group: secrets\n  - name: computed\n    value: $[ variables.x ]\nsteps:\n  - script: terraform $(command) $(computed)\n";
        let got: Vec<String> = found(FileKind::CiPipeline, "azure-pipelines.yml", azure)
            .into_iter()
            .map(|(_, text)| text)
            .collect();
        assert_eq!(got, ["terraform destroy $(computed)"]);
    }

    #[test]
    fn broken_workflow_yaml_is_a_failure_with_its_line() {
        let extracted = scripts(
            FileKind::Workflow,
            &RepoPath::new(".github/workflows/a.yml"),
            "jobs:\n  a: [\n",
        );
        assert!(extracted.failure.is_some());
    }

    #[test]
    fn dockerfile_run_instructions_with_continuations_flags_and_exec_form() {
        let dockerfile = "FROM debian\nRUN --mount=type=cache,target=/var/cache apt-get update && \\\n  # clean up\n  rm -rf /var/lib/apt/lists/*\nrun [\"rm\", \"-rf\", \"/data\"]\nCMD [\"app\"]\n";
        let got = found(FileKind::Dockerfile, "Dockerfile", dockerfile);
        assert_eq!(got.len(), 3);
        assert_eq!(got[0].0, 2);
        assert!(got[0].1.starts_with("apt-get update"));
        assert_eq!(got[1], (5, "rm -rf /data".to_owned()));
        // CMD runs in every container started from the image.
        assert_eq!(got[2], (6, "app".to_owned()));
    }

    #[test]
    fn makefile_recipes_lose_their_prefixes_and_double_dollars() {
        let makefile = "VAR = x\nclean:\n\t@rm -rf $$HOME/build\n\t-echo done\n";
        let got = found(FileKind::BuildScript, "Makefile", makefile);
        assert_eq!(
            got,
            vec![
                (3, "rm -rf $HOME/build".to_owned()),
                (4, "echo done".to_owned())
            ]
        );
    }

    #[test]
    fn a_make_variable_naming_a_tool_is_resolved_in_command_position_only() {
        let makefile = "TERRAFORM ?= terraform\nTF := $(TERRAFORM) -chdir=infra\nENV = prod\n\ndestroy:\n\t$(TF) destroy -var-file=$(ENV).tfvars && ${TF} output\n\techo $(TF)\n";
        let got = found(FileKind::BuildScript, "Makefile", makefile);
        assert_eq!(
            got,
            vec![
                (
                    6,
                    "terraform -chdir=infra destroy -var-file=${ENV}.tfvars && terraform -chdir=infra output".to_owned()
                ),
                (7, "echo ${TF}".to_owned())
            ]
        );
    }

    #[test]
    fn a_make_variable_built_from_the_shell_is_left_unknown() {
        let makefile = "TF != which terraform\nK = $(shell which kubectl)\n\nx:\n\t$(TF) destroy\n\t$(K) delete ns a\n";
        let got = found(FileKind::BuildScript, "Makefile", makefile);
        assert_eq!(
            got,
            vec![
                (5, "${TF} destroy".to_owned()),
                (6, "${K} delete ns a".to_owned())
            ]
        );
    }

    #[test]
    fn justfile_recipe_bodies() {
        let justfile = "set shell := [\"bash\", \"-c\"]\n\nnuke:\n    terraform destroy\n";
        assert_eq!(
            found(FileKind::BuildScript, "justfile", justfile),
            vec![(4, "terraform destroy".to_owned())]
        );
    }

    #[test]
    fn procfile_processes_and_render_commands_are_scripts() {
        let procfile = "# processes\nweb: bundle exec puma -C config/puma.rb\nrelease: bin/rails db:migrate\n\nworker:bundle exec sidekiq\n";
        assert_eq!(
            found(FileKind::BuildScript, "Procfile", procfile),
            [
                (2, "bundle exec puma -C config/puma.rb".to_owned()),
                (3, "bin/rails db:migrate".to_owned()),
                (5, "bundle exec sidekiq".to_owned()),
            ]
        );
        let render = "services:\n  - type: web\n    name: shop\n    buildCommand: npm ci\n    preDeployCommand: npx prisma migrate deploy\n    startCommand: npm start\n";
        let got = found(FileKind::BuildScript, "render.yaml", render);
        assert!(
            got.contains(&(5, "npx prisma migrate deploy".to_owned())),
            "{got:?}"
        );
    }

    #[test]
    fn package_json_scripts_point_at_their_key() {
        let package = "{\n  \"name\": \"x\",\n  \"scripts\": {\n    \"build\": \"tsc\",\n    \"reset\": \"prisma migrate reset --force\"\n  }\n}\n";
        let got = found(FileKind::BuildScript, "package.json", package);
        assert!(
            got.contains(&(5, "prisma migrate reset --force".to_owned())),
            "{got:?}"
        );
        let broken = scripts(
            FileKind::BuildScript,
            &RepoPath::new("package.json"),
            "{\"scripts\": {",
        );
        assert!(broken.failure.is_some());
    }
}
