//! pod_commands: what the containers of a manifest run. A Job, a CronJob, an init container
//! or a Helm hook runs its `command` and `args` inside the cluster, with whatever credentials
//! it is given: `psql -c 'DROP TABLE …'`, `rails db:reset`, `aws s3 rm --recursive`. A
//! container is any map with an `image` and a `command`, `args` or `script` (every workload's
//! pod template, Tekton steps, Argo Workflows templates), so no list of kinds can miss one.
//! Its command line is judged by the commands analyzer, as a pipeline step's is; what the head
//! runs that the base did not is new.

use crate::analyze::commands::{self, content_line, Interpreter, Script};
use crate::analyze::FileView;
use crate::finding::Finding;
use crate::yaml::{Node, Value};

/// The keys a container's command can stand under. A manifest without any of them (most
/// ConfigMaps, Services, RBAC) is passed over before anything is walked.
const COMMAND_KEYS: &[&str] = &["command:", "args:", "script:"];

/// Shells whose `-c` argument is a script of its own.
const SHELLS: &[&str] = &["sh", "bash", "ash", "dash", "zsh", "ksh"];

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
                out.extend(container_script(node, lines));
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

/// What one container runs: its `command` and `args` as one command line (a shell's `-c`
/// script as the script it is), or a Tekton step's `script`.
fn container_script(container: &Node, lines: &[&str]) -> Option<Script> {
    if let Some(script) = container.get("script").filter(|s| s.as_str().is_some()) {
        let text = script.as_str()?;
        // A script with a shebang for anything but a shell is another language.
        let first = text.lines().next().unwrap_or("");
        if first.starts_with("#!") && !SHELLS.iter().any(|sh| first.ends_with(sh)) {
            return None;
        }
        return Some(shell_script(text, content_line(script.line, lines)));
    }
    let words = |key: &str| -> Vec<(&str, u32)> {
        match container.get(key) {
            Some(node) => match &node.value {
                Value::Scalar(one) => vec![(one.as_str(), node.line)],
                Value::Seq(items) => items
                    .iter()
                    .filter_map(|i| Some((i.as_str()?, i.line)))
                    .collect(),
                _ => Vec::new(),
            },
            None => Vec::new(),
        }
    };
    let argv: Vec<(&str, u32)> = words("command").into_iter().chain(words("args")).collect();
    let (program, line) = *argv.first()?;
    let name = program.rsplit('/').next().unwrap_or(program);
    if SHELLS.contains(&name) {
        // `["/bin/sh", "-c", "rails db:migrate && …"]`: the script after `-c`.
        if let Some(at) = argv
            .iter()
            .position(|(w, _)| w.starts_with('-') && w.contains('c'))
        {
            let (script, script_line) = argv.get(at + 1)?;
            return Some(shell_script(script, content_line(*script_line, lines)));
        }
    }
    let text: Vec<String> = argv
        .iter()
        .map(|(w, _)| shlex::try_quote(w).map_or_else(|_| (*w).to_owned(), |q| q.into_owned()))
        .collect();
    Some(shell_script(&text.join(" "), line))
}

fn shell_script(text: &str, first_line: u32) -> Script {
    Script {
        text: text.to_owned(),
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
