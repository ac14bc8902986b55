//! dockerfile: the shell a Dockerfile (or Containerfile, or Earthfile) runs, and where it runs.
//!
//! `RUN` (and `ONBUILD RUN`, which runs in the builds of images made from this one) runs inside
//! the image build: the files it deletes are the layer being built, and no Docker daemon is
//! reachable, so `rm -rf` and volume deletes there destroy nothing that outlives the build;
//! what it does over the network (`terraform destroy`, `aws s3 rm`, `psql -c 'DROP …'`) is as
//! real as anywhere. `CMD` and `ENTRYPOINT` run in every container started from the image,
//! against whatever is mounted into it, so everything they do counts. In an Earthfile, a target
//! that says `LOCALLY` runs its `RUN`s on the host, so they count too.
//!
//! Handles line continuations with the file's escape character (`# escape=\``, used by
//! Windows images), comment lines inside a continued instruction (Docker drops them),
//! BuildKit flags (`RUN --mount=…`), the exec form (`RUN ["rm", "-rf", "/data"]`) and
//! heredocs (`RUN <<EOF … EOF`). Pure: text in, scripts out.

use super::extract::{Extracted, Interpreter, Script};

/// Where a Dockerfile instruction's commands run.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Stage {
    /// `RUN`: in the image build, on the layer being built.
    Build,
    /// `CMD`, `ENTRYPOINT`: in every container started from the image.
    Container,
}

/// The instructions that run commands, and where.
fn instruction(line: &str) -> Option<(Stage, &str)> {
    let (word, rest) = split_word(line);
    let stage = if word.eq_ignore_ascii_case("RUN") {
        Stage::Build
    } else if word.eq_ignore_ascii_case("CMD") || word.eq_ignore_ascii_case("ENTRYPOINT") {
        Stage::Container
    } else if word.eq_ignore_ascii_case("ONBUILD") {
        // `ONBUILD RUN …` runs in the build of every image built FROM this one.
        let (inner, rest) = split_word(rest);
        return inner
            .eq_ignore_ascii_case("RUN")
            .then_some((Stage::Build, rest));
    } else {
        return None;
    };
    Some((stage, rest))
}

/// An Earthfile target's header (`build:`, `deploy-prod:`): unindented, one word, a colon.
fn is_target(line: &str) -> bool {
    line.strip_suffix(':').is_some_and(|name| {
        !name.is_empty()
            && !line.starts_with([' ', '\t'])
            && name
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
    })
}

/// The first word of `line` and what follows it, trimmed.
fn split_word(line: &str) -> (&str, &str) {
    let line = line.trim_start();
    match line.split_once([' ', '\t']) {
        Some((word, rest)) => (word, rest.trim_start()),
        None => (line, ""),
    }
}

/// The escape character the file's parser directives set: `\` unless `# escape=\``.
/// Directives are comment lines at the very top, before any instruction or blank line.
/// What a `SHELL ["…", …]` instruction runs the `RUN`s that follow with.
fn shell_form_interpreter(lower: &str) -> Interpreter {
    if lower.contains("pwsh") || lower.contains("powershell") {
        Interpreter::PowerShell
    } else if lower.contains("cmd") {
        Interpreter::Other
    } else {
        Interpreter::Posix
    }
}

fn escape_char(lines: &[&str]) -> char {
    for line in lines {
        let Some(directive) = line.trim().strip_prefix('#') else {
            break;
        };
        let Some((key, value)) = directive.split_once('=') else {
            break;
        };
        if key.trim().eq_ignore_ascii_case("escape") && value.trim() == "`" {
            return '`';
        }
    }
    '\\'
}

/// The scripts of a Dockerfile's `RUN`, `ONBUILD RUN`, `CMD` and `ENTRYPOINT` instructions.
pub fn scripts(text: &str) -> Extracted {
    let lines: Vec<&str> = text.lines().collect();
    let escape = escape_char(&lines);
    // A Windows image runs cmd or PowerShell, not a POSIX shell: match its commands, but do
    // not hold its quoting to the shell's rules.
    let mut interpreter = if escape == '`' {
        Interpreter::Other
    } else {
        Interpreter::Posix
    };
    // An Earthfile target after `LOCALLY` runs its `RUN`s on the host, not in a build.
    let mut locally = false;
    let mut out = Extracted::default();
    let mut i = 0;
    while i < lines.len() {
        let (word, rest) = split_word(lines[i]);
        if word.eq_ignore_ascii_case("LOCALLY") {
            locally = true;
        } else if is_target(lines[i]) {
            locally = false;
        }
        if word.eq_ignore_ascii_case("SHELL") {
            let lower = rest.to_ascii_lowercase();
            interpreter = shell_form_interpreter(&lower);
        }
        let Some((stage, body)) = instruction(lines[i]) else {
            i += 1;
            continue;
        };
        let start = i;
        // `RUN --mount=type=bind,source=/var/run/docker.sock,…` reaches the host's daemon:
        // volumes it deletes are real ones.
        let daemon = body.contains("docker.sock") && body.starts_with("--");
        let mut body = vec![strip_run_flags(body).to_owned()];
        while body.last().is_some_and(|l| l.trim_end().ends_with(escape)) && i + 1 < lines.len() {
            i += 1;
            let next = lines[i];
            // Docker drops comment lines inside a continued instruction; keep the line count.
            body.push(if next.trim_start().starts_with('#') {
                escape.to_string()
            } else {
                next.to_owned()
            });
        }
        if escape != '\\' {
            // The shell lexer knows `\` as the continuation; a backtick one is whitespace.
            for line in &mut body {
                if let Some(stripped) = line.trim_end().strip_suffix(escape) {
                    *line = stripped.to_owned();
                }
            }
        }
        i += 1;
        let joined = body.join("\n");
        let (script, first_line, shebang) = match heredocs(&joined) {
            Some(ends) => {
                let (script, first, shebang, next) =
                    with_heredocs(&joined, &ends, &lines, i, start);
                i = next;
                (script, first, shebang)
            }
            None => (exec_form(&joined).unwrap_or(joined), start + 1, false),
        };
        out.scripts.push(Script {
            text: script,
            first_line: first_line as u32,
            interpreter: if shebang {
                Interpreter::Other
            } else {
                interpreter
            },
            make_variables: false,
            image_build: stage == Stage::Build && !locally && !daemon,
        });
    }
    out
}

/// The terminators of the heredocs an instruction opens (`<<EOF`, `<<-EOF`, `<<'EOF'`), in
/// order; `None` when it opens none.
fn heredocs(instruction: &str) -> Option<Vec<(String, bool)>> {
    static HEREDOC: std::sync::LazyLock<regex::Regex> = std::sync::LazyLock::new(|| {
        regex::Regex::new(r#"<<(-?)\s*(["']?)([A-Za-z_][A-Za-z0-9_]*)["']?"#)
            .expect("the heredoc pattern is valid")
    });
    if instruction.trim_start().starts_with('[') {
        return None;
    }
    let ends: Vec<(String, bool)> = HEREDOC
        .captures_iter(instruction)
        .map(|c| (c[3].to_owned(), &c[1] == "-"))
        .collect();
    (!ends.is_empty()).then_some(ends)
}

/// An instruction with heredocs and the lines after it that they take. A bare `RUN <<EOF`
/// runs the heredoc's body as the script (unless a shebang names another interpreter); a
/// command with heredocs (`RUN psql <<SQL`) is shell whose lexer reads them as standard
/// input. Returns the script, its first line (1-based), whether a shebang makes it foreign,
/// and the index of the line after the last terminator (the file's end when one is missing,
/// as BuildKit then fails the build rather than guess).
fn with_heredocs(
    instruction: &str,
    ends: &[(String, bool)],
    lines: &[&str],
    mut i: usize,
    start: usize,
) -> (String, usize, bool, usize) {
    let mut bodies: Vec<(usize, Vec<&str>, &str)> = Vec::new();
    for (end, strip_tabs) in ends {
        let first = i;
        let mut body = Vec::new();
        let mut terminator = "";
        while i < lines.len() {
            let line = lines[i];
            i += 1;
            let bare = if *strip_tabs {
                line.trim_start_matches('\t')
            } else {
                line
            };
            if bare.trim_end() == end {
                terminator = line;
                break;
            }
            body.push(line);
        }
        bodies.push((first, body, terminator));
    }
    let command = heredoc_markers_removed(instruction);
    match bodies.first() {
        Some((first, body, _)) if command.trim().is_empty() => {
            let shebang = body.first().is_some_and(|l| {
                l.starts_with("#!")
                    && !["sh", "bash", "dash", "ash", "zsh"].iter().any(|s| {
                        l.trim_end().ends_with(&format!("/{s}"))
                            || l.trim_end().ends_with(&format!(" {s}"))
                    })
            });
            (body.join("\n"), first + 1, shebang, i)
        }
        _ => {
            let mut script = instruction.to_owned();
            for (_, body, terminator) in &bodies {
                for line in body.iter().chain(std::iter::once(terminator)) {
                    script.push('\n');
                    script.push_str(line);
                }
            }
            (script, start + 1, false, i)
        }
    }
}

/// An instruction with its heredoc markers taken out: what is left is the command, if any.
fn heredoc_markers_removed(instruction: &str) -> String {
    instruction
        .split_whitespace()
        .filter(|w| !w.starts_with("<<"))
        .collect::<Vec<_>>()
        .join(" ")
}

/// `RUN --mount=… --network=none cmd`: the flags are Docker's, not the command's.
fn strip_run_flags(mut rest: &str) -> &str {
    while rest.starts_with("--") {
        rest = rest
            .split_once([' ', '\t'])
            .map_or("", |(_, after)| after)
            .trim_start();
    }
    rest
}

/// `RUN ["rm", "-rf", "/data"]`: the exec form, quoted back into shell words.
fn exec_form(text: &str) -> Option<String> {
    let trimmed = text.trim();
    if !trimmed.starts_with('[') {
        return None;
    }
    let argv: Vec<String> = serde_json::from_str(trimmed).ok()?;
    shlex::try_join(argv.iter().map(String::as_str)).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn found(text: &str) -> Vec<(u32, String, bool)> {
        scripts(text)
            .scripts
            .into_iter()
            .map(|s| (s.first_line, s.text, s.image_build))
            .collect()
    }

    #[test]
    fn a_bare_heredoc_runs_its_body_as_the_script() {
        let text = "# syntax=docker/dockerfile:1\nFROM alpine\nRUN <<EOF\nset -e\nterraform destroy -auto-approve\nEOF\nCMD [\"app\"]\n";
        assert_eq!(
            found(text),
            [
                (
                    4,
                    "set -e\nterraform destroy -auto-approve".to_owned(),
                    true
                ),
                (7, "app".to_owned(), false),
            ]
        );
    }

    #[test]
    fn a_command_with_a_heredoc_keeps_it_as_standard_input() {
        let text = "FROM postgres\nRUN psql \"$URL\" <<-'SQL'\n\tDROP TABLE users;\n\tSQL\nRUN echo done\n";
        let got = found(text);
        assert_eq!(got.len(), 2);
        assert_eq!(got[0].0, 2);
        assert!(got[0].1.contains("DROP TABLE users;"));
        assert_eq!(got[1], (5, "echo done".to_owned(), true));
    }

    #[test]
    fn a_heredoc_with_a_python_shebang_is_foreign() {
        let text = "FROM python\nRUN <<EOF\n#!/usr/bin/env python3\nprint('rm -rf /')\nEOF\n";
        assert!(scripts(text).scripts[0].interpreter.foreign());
        let sh = "FROM alpine\nRUN <<EOF\n#!/bin/sh\nls\nEOF\n";
        assert!(!scripts(sh).scripts[0].interpreter.foreign());
    }

    #[test]
    fn onbuild_run_is_a_build_command_and_entrypoint_a_container_one() {
        let text =
            "FROM x\nONBUILD RUN make\nONBUILD COPY . .\nENTRYPOINT [\"terraform\", \"destroy\"]\n";
        assert_eq!(
            found(text),
            [
                (2, "make".to_owned(), true),
                (4, "terraform destroy".to_owned(), false),
            ]
        );
    }

    #[test]
    fn an_earthfile_target_run_locally_runs_on_the_host() {
        let text = "VERSION 0.8\nclean:\n    LOCALLY\n    RUN rm -rf ./data\nbuild:\n    FROM alpine\n    RUN rm -rf /tmp/x\n";
        let got: Vec<bool> = scripts(text)
            .scripts
            .iter()
            .map(|s| s.image_build)
            .collect();
        assert_eq!(got, [false, true]);
    }

    #[test]
    fn a_run_with_the_docker_socket_mounted_reaches_the_host() {
        let text = "FROM docker:27\nRUN --mount=type=bind,source=/var/run/docker.sock,target=/var/run/docker.sock docker volume prune -f\nRUN docker volume prune -f\n";
        let got: Vec<(String, bool)> = scripts(text)
            .scripts
            .into_iter()
            .map(|s| (s.text, s.image_build))
            .collect();
        assert_eq!(
            got,
            [
                ("docker volume prune -f".to_owned(), false),
                ("docker volume prune -f".to_owned(), true),
            ]
        );
    }

    #[test]
    fn a_backtick_escape_continues_lines_in_a_windows_image() {
        let text = "# escape=`\nFROM mcr.microsoft.com/windows/servercore:ltsc2022\nRUN kubectl delete ns staging `\n    --wait=false\n";
        let got = scripts(text).scripts;
        assert_eq!(got.len(), 1);
        assert!(got[0].interpreter.foreign());
        assert_eq!(got[0].text, "kubectl delete ns staging \n    --wait=false");
    }
}
