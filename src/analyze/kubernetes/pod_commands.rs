//! pod_commands: what the containers of a manifest run. A Job, a CronJob, an init container
//! or a Helm hook runs its `command` and `args` inside the cluster, with whatever credentials
//! it is given: `psql -c 'DROP TABLE …'`, `rails db:reset`, `aws s3 rm --recursive`. A
//! container is any map with an `image` and a `command`, `args` or `script` (every workload's
//! pod template, Tekton steps, Argo Workflows templates), so no list of kinds can miss one.
//! Its command line is judged by the commands analyzer, as a pipeline step's is; what the head
//! runs that the base did not is new.

mod references;

use crate::analyze::commands::{self, content_line, entrypoint, Interpreter, Script};
use crate::analyze::FileView;
use crate::finding::Finding;
use crate::yaml::{Node, Value};
use references::{Env, Place};

/// The keys a container's command can stand under, as YAML and as JSON write them. A manifest
/// without any of them (most ConfigMaps, Services, RBAC) is passed over before anything is
/// walked.
const COMMAND_KEYS: &[&str] = &[
    "command:",
    "args:",
    "script:",
    "\"command\"",
    "\"args\"",
    "\"script\"",
];

/// Shells whose `-c` argument is a script of its own.
const SHELLS: &[&str] = &["sh", "bash", "ash", "dash", "zsh", "ksh"];

/// Where a container keeps commands besides its own: lifecycle hooks and exec probes run
/// inside it too (a `preStop` hook's `rm -rf` runs on the same volume).
const EXEC_HANDLERS: &[&[&str]] = &[
    &["lifecycle", "postStart", "exec"],
    &["lifecycle", "preStop", "exec"],
    &["livenessProbe", "exec"],
    &["readinessProbe", "exec"],
    &["startupProbe", "exec"],
];

pub(super) fn analyze(view: &FileView, base: &[Node], head: &[Node]) -> Vec<Finding> {
    let Some(text) = view.new_text() else {
        return Vec::new();
    };
    if !COMMAND_KEYS.iter().any(|key| text.contains(key)) {
        return Vec::new();
    }
    let head_scripts = scripts(head, text);
    if head_scripts.is_empty() {
        return Vec::new();
    }
    let base_scripts = view.old_text().map_or_else(Vec::new, |t| scripts(base, t));
    commands::analyze_scripts(view, base_scripts, head_scripts)
}

/// The scripts of every container in `docs`; `text` is the file they were read from.
fn scripts(docs: &[Node], text: &str) -> Vec<Script> {
    let lines: Vec<&str> = text.lines().collect();
    let mut out = Vec::new();
    for doc in docs {
        containers(doc, &lines, &mut out);
    }
    out
}

fn containers(node: &Node, lines: &[&str], out: &mut Vec<Script>) {
    match &node.value {
        Value::Map(entries) => {
            if node.get("image").is_some() {
                container_scripts(node, lines, out);
            }
            for (_, value) in entries {
                containers(value, lines, out);
            }
        }
        Value::Seq(items) => {
            for item in items {
                containers(item, lines, out);
            }
        }
        Value::Tagged(_, inner) => containers(inner, lines, out),
        Value::Null | Value::Scalar(_) => {}
    }
}

/// A command line's words and the lines they stand on.
type Argv<'a> = Vec<(&'a str, u32)>;

/// What one container runs: a Tekton step's `script`, or its `command` and `args` as one
/// command line (a shell's `-c` argument, or an Argo script template's `source`, as the
/// script it is), and the commands of its lifecycle hooks and exec probes.
fn container_scripts(container: &Node, lines: &[&str], out: &mut Vec<Script>) {
    let env = Env::of(container);
    for path in EXEC_HANDLERS {
        let handler = path.iter().try_fold(container, |node, key| node.get(key));
        if let Some(argv) = handler.and_then(|h| words(h.get("command"))) {
            out.extend(command_line(&argv, &env, None, lines));
        }
    }
    if let Some(script) = container.get("script").filter(|s| s.as_str().is_some()) {
        out.extend(script_text(script, lines));
        return;
    }
    let args = words(container.get("args")).unwrap_or_default();
    let argv: Argv = match words(container.get("command")) {
        Some(command) => command.into_iter().chain(args).collect(),
        // Without a `command`, the image's entrypoint runs the `args`; twokey knows it for
        // the tool images (`amazon/aws-cli`, `bitnami/kubectl`, `flyway/flyway`). Any other
        // image's `args` are read as the command, as if the entrypoint passed them on.
        None => {
            let image = container.get("image").and_then(Node::as_str).unwrap_or("");
            let line = args.first().map_or(container.line, |(_, line)| *line);
            entrypoint(image)
                .map(|tool| (tool, line))
                .into_iter()
                .chain(args)
                .collect()
        }
    };
    out.extend(command_line(&argv, &env, container.get("source"), lines));
}

/// The words of a `command` or `args` value (one scalar is one word); `None` without one.
fn words(node: Option<&Node>) -> Option<Argv<'_>> {
    match &node?.value {
        Value::Scalar(one) => Some(vec![(one.as_str(), node?.line)]),
        Value::Seq(items) => Some(
            items
                .iter()
                .filter_map(|i| Some((i.as_str()?, i.line)))
                .collect(),
        ),
        _ => None,
    }
}

/// A Tekton step's `script`, unless its shebang names another language.
fn script_text(script: &Node, lines: &[&str]) -> Option<Script> {
    let text = script.as_str()?;
    let first = text.lines().next().unwrap_or("");
    if first.starts_with("#!") && !SHELLS.iter().any(|sh| first.ends_with(sh)) {
        return None;
    }
    Some(shell_script(
        references::in_shell(text, Place::Script),
        text_start(script.line, text, lines),
    ))
}

/// The script an exec-form command line runs: a shell's `-c` argument or `source` (Argo), or
/// the words themselves, each kept on its own line so a finding spans the lines it stands on.
fn command_line(argv: &Argv, env: &Env, source: Option<&Node>, lines: &[&str]) -> Option<Script> {
    let (program, first_line) = *argv.first()?;
    let name = program.rsplit('/').next().unwrap_or(program);
    if SHELLS.contains(&name) {
        // `["/bin/sh", "-c", "rails db:migrate && …"]`: the script after `-c`; Kubernetes
        // replaces its `$(NAME)`s before the shell reads it.
        if let Some(at) = argv
            .iter()
            .position(|(w, _)| w.starts_with('-') && !w.starts_with("--") && w.contains('c'))
        {
            let (script, script_line) = argv.get(at + 1)?;
            return Some(shell_script(
                references::in_shell(script, Place::CommandLine(env)),
                text_start(*script_line, script, lines),
            ));
        }
        // Argo Workflows' script template: the shell runs `source`.
        if let Some(source) = source.filter(|s| s.as_str().is_some()) {
            return script_text(source, lines);
        }
    }
    let mut text = String::new();
    let mut line = first_line;
    for (i, (word, word_line)) in argv.iter().enumerate() {
        if *word_line > line {
            // A line continuation per YAML line, so the lexer counts the same lines.
            for _ in line..*word_line {
                text.push_str(" \\\n");
            }
            line = *word_line;
        } else if i > 0 {
            text.push(' ');
        }
        text.push_str(&references::exec_word(word, env));
    }
    Some(shell_script(text, first_line))
}

/// The line a scalar's first line of text stands on. A block scalar (`|`) starts on the line
/// after its indicator, but a chart's script often opens with a line that held only a
/// template action (`{{- if … }}`), blank once read: the text then starts with an empty line,
/// and the parser marks the scalar where its first non-blank line is. That line, found in the
/// file, less the empty lines before it, is where the text starts.
fn text_start(node_line: u32, text: &str, lines: &[&str]) -> u32 {
    let start = content_line(node_line, lines);
    let leading = text.bytes().take_while(|b| *b == b'\n').count();
    let Some(first) = text.lines().map(str::trim).find(|l| !l.is_empty()) else {
        return start;
    };
    if leading == 0 {
        return start;
    }
    let from = start.saturating_sub(1) as usize;
    lines
        .iter()
        .enumerate()
        .skip(from)
        .take(leading + 2)
        .find(|(_, l)| l.trim() == first)
        .and_then(|(i, _)| u32::try_from(i + 1).ok())
        .map_or(start, |at| at.saturating_sub(leading as u32))
}

fn shell_script(text: String, first_line: u32) -> Script {
    Script {
        text,
        first_line,
        // Exec form and YAML strings follow no shell's quoting to the letter: matched, never
        // reported as unreadable.
        interpreter: Interpreter::Other,
        make_variables: false,
        image_build: false,
    }
}

#[cfg(test)]
mod tests {
    use crate::analyze::files::testkit::{ids, Case};
    use crate::analyze::kubernetes::analyze;
    use crate::analyze::FileKind;
    use crate::change::Side;

    const JOB: &str = "\
apiVersion: batch/v1
kind: CronJob
metadata:
  name: maintenance
spec:
  schedule: '0 3 * * *'
  jobTemplate:
    spec:
      template:
        spec:
          restartPolicy: Never
          initContainers:
            - name: wait
              image: busybox
              command: [sh, -c, 'until nc -z db 5432; do sleep 1; done']
          containers:
            - name: task
              image: postgres:16
              command: [psql]
              args: [-c, VACUUM ANALYZE orders]
";

    fn run(base: &str, head: &str) -> Vec<crate::finding::Finding> {
        Case::modified("k8s/job.yaml", base, head)
            .with_kind(FileKind::Kubernetes)
            .run(analyze)
    }

    #[test]
    fn a_container_newly_running_a_destructive_command_is_reported_at_its_line() {
        let f = run(
            JOB,
            &JOB.replace("VACUUM ANALYZE orders", "TRUNCATE orders"),
        );
        assert_eq!(ids(&f), ["shell/database-drop"]);
        assert_eq!(
            (f[0].location.side, f[0].location.line),
            (Side::Head, Some(19))
        );
        // A shell's `-c` script is read as a script.
        let f = run(
            JOB,
            &JOB.replace("until nc -z db 5432; do sleep 1; done", "rm -rf /data/*"),
        );
        assert_eq!(ids(&f), ["shell/rm-rf"]);
        assert_eq!(f[0].location.line, Some(15));
        // A Tekton step's script.
        let task = "apiVersion: tekton.dev/v1\nkind: Task\nmetadata:\n  name: t\nspec:\n  steps:\n    - name: s\n      image: hashicorp/terraform\n      script: |\n        terraform init\n        terraform plan\n";
        let f = run(
            task,
            &task.replace("terraform plan", "terraform destroy -auto-approve"),
        );
        assert_eq!(ids(&f), ["shell/terraform-destroy"]);
        assert_eq!(f[0].location.line, Some(11));
    }

    /// A Pod whose one container runs `spec` (the lines from `command:` on, indented 6).
    fn pod(spec: &str) -> String {
        format!("apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\nspec:\n  containers:\n    - name: c\n      image: {spec}")
    }

    fn severities(f: &[crate::finding::Finding]) -> Vec<(&str, crate::finding::Severity)> {
        f.iter().map(|f| (f.rule.0, f.severity)).collect()
    }

    #[test]
    fn kubernetes_variable_references_are_expanded_not_run() {
        use crate::finding::Severity::{Critical, High};
        let env = |value: &str| {
            format!("busybox\n      env:\n        - name: DIR\n          value: {value}\n")
        };
        let base = pod(&format!(
            "{}      command: [sh, -c, 'echo ready']\n",
            env("/tmp/cache")
        ));
        // `$(DIR)` is the env's value, not a program named DIR whose output may be empty.
        let tmp = base.replace("echo ready", "rm -rf $(DIR)/*");
        assert!(run(&base, &tmp).is_empty());
        let f = run(&base, &tmp.replace("/tmp/cache", "/srv/www"));
        assert_eq!(severities(&f), [("shell/rm-rf", High)]);
        // Exec form: no shell, but the same expansion.
        let exec = pod(&format!(
            "{}      command: [rm, -rf, $(DIR)]\n",
            env("/var/lib/postgresql/data")
        ));
        assert_eq!(severities(&run(&base, &exec)), [("shell/rm-rf", Critical)]);
        // A value twokey cannot know may be empty, as a shell variable may.
        let unknown = pod("busybox\n      command: [sh, -c, 'rm -rf $(TARGET)/*']\n");
        assert_eq!(
            severities(&run(&base, &unknown)),
            [("shell/rm-rf", Critical)]
        );
        // `$$` is Kubernetes' escape: `$$(date)` is the shell's `$(date)`.
        assert!(run(&base, &base.replace("echo ready", "echo $$(date)")).is_empty());
    }

    #[test]
    fn args_alone_run_under_a_tool_images_entrypoint() {
        let base =
            pod("amazon/aws-cli:2.15.0\n      args: [s3, sync, /exports, 's3://exports/']\n");
        assert!(run(&base, &base.replace("2.15.0", "2.17.0")).is_empty());
        let f = run(&base, &base.replace("sync, /exports,", "rm, --recursive,"));
        assert_eq!(ids(&f), ["shell/cloud-delete"]);
        assert_eq!(f[0].location.line, Some(9));
        // The entrypoint written out as `command` is the same command line.
        let written = base.replace("      args:", "      command: [aws]\n      args:");
        assert!(run(&base, &written).is_empty());
        let flyway = pod("flyway/flyway:10\n      args: [-cleanDisabled=false, clean]\n");
        assert_eq!(ids(&run("", &flyway)), ["shell/database-drop"]);
    }

    #[test]
    fn hooks_probes_and_argo_script_sources_are_commands_the_container_runs() {
        let base = pod("busybox\n      command: [sh, -c, 'echo ready']\n");
        let hook = base.replace(
            "      command:",
            "      lifecycle:\n        preStop:\n          exec:\n            command: [sh, -c, 'rm -rf /srv/uploads/*']\n      command:",
        );
        let f = run(&base, &hook);
        assert_eq!(ids(&f), ["shell/rm-rf"]);
        assert_eq!(f[0].location.line, Some(12));
        let argo = "apiVersion: argoproj.io/v1alpha1\nkind: WorkflowTemplate\nmetadata:\n  name: w\nspec:\n  templates:\n    - name: prune\n      script:\n        image: alpine\n        command: [sh]\n        source: |\n          echo pruning\n";
        let f = run(
            argo,
            &format!("{argo}          rm -rf {{{{inputs.parameters.dir}}}}/*\n"),
        );
        assert_eq!(ids(&f), ["shell/rm-rf"]);
        assert_eq!(f[0].location.line, Some(13));
        let python = argo
            .replace("[sh]", "[python]")
            .replace("echo pruning", "import shutil; shutil.rmtree('/data')");
        assert!(run("", &python).is_empty());
    }

    #[test]
    fn a_finding_spans_the_command_and_the_args_it_runs() {
        let base = pod(
            "postgres:16\n      command: [psql]\n      args:\n        - -c\n        - VACUUM\n",
        );
        let f = run(&base, &base.replace("VACUUM", "DROP TABLE events"));
        assert_eq!(ids(&f), ["shell/database-drop"]);
        assert_eq!(
            (f[0].location.line, f[0].location.end_line),
            (Some(9), Some(12))
        );
    }

    #[test]
    fn a_script_opening_with_an_empty_line_keeps_its_lines() {
        // A chart's `- |` script often opens with a `{{- if … }}` line, blank once read.
        let base = pod(
            "busybox\n      command: [sh, -c]\n      args:\n        - |\n\n          echo one\n",
        );
        let f = run(
            &base,
            &base.replace("echo one", "echo one\n          rm -rf /srv/www"),
        );
        assert_eq!(
            f.iter().map(|f| f.location.line).collect::<Vec<_>>(),
            [Some(14)]
        );
    }

    #[test]
    fn tekton_workspaces_are_directories_and_parameters_may_be_empty() {
        let task = "apiVersion: tekton.dev/v1\nkind: Task\nmetadata:\n  name: t\nspec:\n  steps:\n    - name: s\n      image: alpine\n      script: |\n        echo start\n";
        let workspace = format!("{task}        rm -rf $(workspaces.source.path)/*\n");
        assert!(run(task, &workspace).is_empty());
        let param = format!("{task}        rm -rf $(params.target)/*\n");
        assert_eq!(ids(&run(task, &param)), ["shell/rm-rf"]);
    }

    #[test]
    fn a_json_manifest_is_read_too() {
        let list = r#"{"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p"}, "spec": {"containers": [{"name": "c", "image": "alpine", "command": ["sh", "-c", "echo hi"]}]}}"#;
        let f = run(list, &list.replace("echo hi", "rm -rf /srv/www/*"));
        assert_eq!(ids(&f), ["shell/rm-rf"]);
    }

    #[test]
    fn commands_already_run_reworded_or_in_another_language_are_quiet() {
        let same = format!("# nightly\n{JOB}");
        assert!(run(JOB, &same).is_empty());
        let truncating = JOB.replace("VACUUM ANALYZE orders", "TRUNCATE orders");
        let moved = truncating.replace("restartPolicy: Never\n", "restartPolicy: OnFailure\n");
        assert!(run(&truncating, &moved).is_empty());
        let python = "apiVersion: tekton.dev/v1\nkind: Task\nmetadata:\n  name: t\nspec:\n  steps:\n    - name: s\n      image: python\n      script: |\n        #!/usr/bin/env python3\n        print('rm -rf /')\n";
        assert!(run("", python).is_empty());
    }
}
