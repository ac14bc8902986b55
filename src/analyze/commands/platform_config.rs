//! platform_config: the commands a PaaS runs on every deploy, from its config file: Fly.io's
//! `fly.toml` (`[deploy] release_command`, `[processes]`), Railway's `railway.toml` or
//! `railway.json` (`build.buildCommand`, `deploy.preDeployCommand`, `deploy.startCommand`)
//! and Netlify's `netlify.toml` (`[build] command`). A release command that resets the
//! database wipes it before every deploy, so these are scripts like a pipeline's steps.
//!
//! TOML is read with the `toml` crate and JSON with serde_json; neither keeps positions, so a
//! command is located by looking for its keys in order, table by table.

use super::extract::{Extracted, Interpreter, Script};

/// Which platform a file configures, by its name (lowercase).
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) enum Platform {
    Fly,
    Railway,
    Netlify,
}

impl Platform {
    pub(crate) fn of(name: &str) -> Option<Platform> {
        match name {
            "fly.toml" => Some(Platform::Fly),
            // `fly.production.toml`, passed with `fly deploy -c`.
            _ if name.starts_with("fly.") && name.ends_with(".toml") => Some(Platform::Fly),
            "railway.toml" | "railway.json" => Some(Platform::Railway),
            "netlify.toml" => Some(Platform::Netlify),
            _ => None,
        }
    }

    /// The paths of the keys that hold commands. `*` takes every value of a table.
    fn keys(self) -> &'static [&'static [&'static str]] {
        match self {
            Platform::Fly => &[
                &["deploy", "release_command"],
                &["processes", "*"],
                &["experimental", "cmd"],
            ],
            Platform::Railway => &[
                &["build", "buildCommand"],
                &["deploy", "preDeployCommand"],
                &["deploy", "startCommand"],
            ],
            Platform::Netlify => &[&["build", "command"]],
        }
    }
}

/// The commands of a platform's config file. A file that does not parse is a failure: the
/// platform would refuse it too, and what it runs is unknown.
pub(crate) fn scripts(platform: Platform, json: bool, text: &str) -> Extracted {
    let parsed: Result<serde_json::Value, String> = if json {
        serde_json::from_str(text).map_err(|e| e.to_string())
    } else {
        toml::from_str::<toml::Table>(text)
            .map_err(|e| e.message().to_owned())
            .and_then(|table| serde_json::to_value(table).map_err(|e| e.to_string()))
    };
    let root = match parsed {
        Ok(root) => root,
        Err(message) => {
            return Extracted {
                scripts: Vec::new(),
                failure: Some((None, message)),
            }
        }
    };
    let mut out = Extracted::default();
    for path in platform.keys() {
        let mut found = Vec::new();
        values_at(&root, path, &mut Vec::new(), &mut found);
        for (keys, command) in found {
            let keys: Vec<&str> = keys.iter().map(String::as_str).collect();
            out.scripts.push(Script {
                text: command,
                first_line: line_of_path(text, &keys),
                interpreter: Interpreter::Posix,
                make_variables: false,
                image_build: false,
            });
        }
    }
    out
}

/// The commands at `path` with the path of keys each stands under (`*` replaced by the key it
/// took): a string, or a list of strings (Railway's `preDeployCommand` may be either; a list
/// of words is one command).
fn values_at(
    node: &serde_json::Value,
    path: &[&str],
    at: &mut Vec<String>,
    out: &mut Vec<(Vec<String>, String)>,
) {
    let Some((first, rest)) = path.split_first() else {
        return;
    };
    let children: Vec<(&String, &serde_json::Value)> = match (node.as_object(), *first) {
        (Some(map), "*") => map.iter().collect(),
        (Some(map), key) => map.get_key_value(key).into_iter().collect(),
        (None, _) => Vec::new(),
    };
    for (key, child) in children {
        at.push(key.clone());
        if !rest.is_empty() {
            values_at(child, rest, at, out);
            at.pop();
            continue;
        }
        let command = match child {
            serde_json::Value::String(s) => Some(s.clone()),
            serde_json::Value::Array(items) => {
                let words: Vec<&str> = items.iter().filter_map(|i| i.as_str()).collect();
                (!words.is_empty()).then(|| words.join(" "))
            }
            _ => None,
        };
        if let Some(command) = command {
            out.push((at.clone(), command));
        }
        at.pop();
    }
}

/// The line of the value at `path`: each name looked for after the line of the one before
/// (a TOML table header `[deploy]`, a key `release_command =`, a JSON key `"deploy":`), so
/// `app` under `[processes]` is not the top-level `app`. Line 1 when a name is not found.
fn line_of_path(text: &str, path: &[&str]) -> u32 {
    let lines: Vec<&str> = text.lines().collect();
    let mut from = 0;
    for name in path {
        let names = |line: &&str| {
            let line = line.trim_start();
            let header = line
                .strip_prefix('[')
                .map(|l| l.trim_start_matches('['))
                .is_some_and(|l| {
                    l.strip_prefix(name)
                        .is_some_and(|r| r.starts_with([']', '.']))
                });
            let key = line
                .strip_prefix('"')
                .unwrap_or(line)
                .strip_prefix(name)
                .is_some_and(|r| {
                    r.trim_start_matches('"')
                        .trim_start()
                        .starts_with(['=', ':'])
                });
            header || key
        };
        match lines.iter().skip(from).position(names) {
            Some(at) => from += at,
            None => return 1,
        }
    }
    u32::try_from(from + 1).unwrap_or(u32::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn commands(platform: Platform, json: bool, text: &str) -> Vec<(u32, String)> {
        let got = scripts(platform, json, text);
        assert!(got.failure.is_none(), "{:?}", got.failure);
        got.scripts
            .into_iter()
            .map(|s| (s.first_line, s.text))
            .collect()
    }

    #[test]
    fn release_commands_processes_and_build_commands_are_read_at_their_lines() {
        let fly = "app = 'shop'\n\n[deploy]\n  release_command = 'bin/rails db:migrate'\n\n[processes]\n  app = 'bin/rails server'\n  worker = 'bundle exec sidekiq'\n";
        assert_eq!(
            commands(Platform::Fly, false, fly),
            [
                (4, "bin/rails db:migrate".to_owned()),
                (7, "bin/rails server".to_owned()),
                (8, "bundle exec sidekiq".to_owned()),
            ]
        );
        let railway = "{\n  \"deploy\": {\n    \"preDeployCommand\": [\"npm\", \"run\", \"migrate\"],\n    \"startCommand\": \"node server.js\"\n  }\n}\n";
        assert_eq!(
            commands(Platform::Railway, true, railway),
            [
                (3, "npm run migrate".to_owned()),
                (4, "node server.js".to_owned())
            ]
        );
        let netlify = "[build]\ncommand = \"npm run build\"\npublish = \"dist\"\n";
        assert_eq!(
            commands(Platform::Netlify, false, netlify),
            [(2, "npm run build".to_owned())]
        );
    }

    #[test]
    fn a_broken_file_is_a_failure_and_names_are_recognised() {
        assert!(
            scripts(Platform::Fly, false, "[deploy\nrelease_command = 1")
                .failure
                .is_some()
        );
        assert_eq!(Platform::of("fly.production.toml"), Some(Platform::Fly));
        assert_eq!(Platform::of("flyway.conf"), None);
        assert_eq!(Platform::of("pyproject.toml"), None);
    }
}
