//! commands: what a service runs. A service's `entrypoint` and `command` run every time its
//! containers start, with the service's credentials and volumes: `rails db:reset`,
//! `flyway clean` or `rm -rf /data/*` there is a reset on every deploy. The command line is
//! built as Compose builds it (the entrypoint, then the command; the image's own entrypoint
//! for the tool images twokey knows) and judged by the commands analyzer, as a pipeline
//! step's is; only what the head runs that the base did not is new.

use super::model::field;
use crate::analyze::commands::{entrypoint, Interpreter, Script};
use crate::yaml::{Node, Value};

const SHELLS: &[&str] = &["sh", "bash", "ash", "dash", "zsh", "ksh"];

/// A word of a command line and its line; `raw` for the string form, which Compose splits
/// as a shell would, so it is handed to the lexer as it is written.
struct Word<'a> {
    text: &'a str,
    line: u32,
    raw: bool,
}

/// The scripts every service of `doc` runs.
pub(super) fn scripts(doc: &Node) -> Vec<Script> {
    doc.get("services")
        .map(Node::as_map)
        .unwrap_or_default()
        .iter()
        .filter_map(|(_, service)| service_script(service))
        .collect()
}

fn service_script(service: &Node) -> Option<Script> {
    let entry = words(field(service, "entrypoint"));
    let command = words(field(service, "command"));
    if entry.is_none() && command.is_none() {
        return None;
    }
    let image = field(service, "image").and_then(Node::as_str).unwrap_or("");
    let line = command
        .as_ref()
        .or(entry.as_ref())
        .and_then(|w| w.first())
        .map_or(service.line, |w| w.line);
    let argv: Vec<Word> = match entry {
        Some(entry) => entry
            .into_iter()
            .chain(command.unwrap_or_default())
            .collect(),
        // Without an entrypoint the image's runs the command; twokey knows it for tool images
        // (`flyway/flyway` runs `flyway`).
        None => entrypoint(image)
            .map(|tool| Word {
                text: tool,
                line,
                raw: false,
            })
            .into_iter()
            .chain(command.unwrap_or_default())
            .collect(),
    };
    command_line(&argv)
}

fn words(node: Option<&Node>) -> Option<Vec<Word<'_>>> {
    let node = node?;
    match &node.value {
        Value::Scalar(text) => Some(vec![Word {
            text,
            line: node.line,
            raw: true,
        }]),
        Value::Seq(items) => Some(
            items
                .iter()
                .filter_map(|i| {
                    Some(Word {
                        text: i.as_str()?,
                        line: i.line,
                        raw: false,
                    })
                })
                .collect(),
        ),
        _ => None,
    }
}

/// The script of an exec-form command line: a shell's `-c` argument, or the words joined,
/// each list word quoted so it stays one word.
fn command_line(argv: &[Word]) -> Option<Script> {
    let first = argv.first()?;
    let program = first.text.rsplit('/').next().unwrap_or(first.text);
    if !first.raw && SHELLS.contains(&program) {
        if let Some(at) = argv.iter().position(|w| {
            w.text.starts_with('-') && !w.text.starts_with("--") && w.text.contains('c')
        }) {
            // `["/bin/sh", "-c"]` with the command as the script, list or string.
            let rest: Vec<&str> = argv[at + 1..].iter().map(|w| w.text).collect();
            let line = argv.get(at + 1).map_or(first.line, |w| w.line);
            return Some(script(rest.join(" "), line));
        }
    }
    let text: Vec<String> = argv
        .iter()
        .map(|w| {
            if w.raw
                || !w
                    .text
                    .contains(|c: char| c.is_whitespace() || "'\"$;&|<>".contains(c))
            {
                w.text.to_owned()
            } else {
                format!("'{}'", w.text.replace('\'', "'\\''"))
            }
        })
        .collect();
    Some(script(text.join(" "), first.line))
}

fn script(text: String, first_line: u32) -> Script {
    Script {
        // `$$` is Compose's escape for a literal `$`; a single `$` is interpolated by Compose
        // from the environment, which twokey cannot see, as a shell variable may be empty.
        text: text.replace("$$", "$"),
        first_line,
        interpreter: Interpreter::Other,
        make_variables: false,
        image_build: false,
    }
}
