//! commands: what a job's tasks run. A task's `config { command, args }` runs at every
//! allocation (a periodic batch job's, on its schedule): `psql -c 'DROP …'` or `rm -rf` there
//! runs unattended. Judged by the commands analyzer, as a pipeline step's is.

use super::model::Job;
use crate::analyze::commands::{entrypoint, Interpreter, Script};

const SHELLS: &[&str] = &["sh", "bash", "ash", "dash", "zsh", "ksh"];

pub(super) fn scripts(jobs: &[Job]) -> Vec<Script> {
    jobs.iter()
        .flat_map(|j| &j.groups)
        .flat_map(|g| &g.tasks)
        .filter_map(|task| {
            let program = match &task.command {
                Some(c) => Some(c.clone()),
                // A Docker task without `command` runs its image's entrypoint with the args.
                None => task
                    .image
                    .as_deref()
                    .and_then(entrypoint)
                    .map(|tool| (tool.to_owned(), task.line)),
            };
            let words: Vec<&(String, u32)> = program.iter().chain(&task.args).collect();
            let (first, line) = words.first().map(|(w, l)| (w.as_str(), *l))?;
            let name = first.rsplit('/').next().unwrap_or(first);
            if SHELLS.contains(&name) {
                if let Some(at) = words
                    .iter()
                    .position(|(w, _)| w.starts_with('-') && w.contains('c'))
                {
                    let (text, line) = words.get(at + 1)?;
                    return Some(script(text.clone(), *line));
                }
            }
            let text: Vec<String> = words
                .iter()
                .map(|(w, _)| {
                    if w.contains(char::is_whitespace) {
                        format!("'{}'", w.replace('\'', "'\\''"))
                    } else {
                        w.clone()
                    }
                })
                .collect();
            Some(script(text.join(" "), line))
        })
        .collect()
}

fn script(text: String, first_line: u32) -> Script {
    Script {
        // Nomad interpolates `${NOMAD_…}` and `${env["…"]}` before the task runs; as with a
        // shell variable, twokey cannot see the value.
        text,
        first_line,
        interpreter: Interpreter::Other,
        make_variables: false,
        image_build: false,
    }
}
