//! terragrunt_hooks: the commands a Terragrunt unit runs around Terraform, its
//! `before_hook`, `after_hook` and `error_hook` blocks' `execute` lists (an argv, not a shell
//! line). Each list is quoted back into one command line, so `["kubectl", "delete", …]` is
//! judged like the same command in a script. An element that is not a plain string (a
//! `${get_terragrunt_dir()}` template, a `local.x`) is kept as its source text, quoted: it is
//! one word, and never empty.
//!
//! A file that does not parse yields nothing here: the Terraform analyzer reports it.

use super::extract::{Extracted, Interpreter, Script};
use hcl_edit::expr::Expression;
use hcl_edit::structure::Body;
use hcl_edit::Span;

const HOOKS: &[&str] = &["before_hook", "after_hook", "error_hook"];

pub fn scripts(text: &str) -> Extracted {
    let mut out = Extracted::default();
    // Most units have no hooks: not parsed a second time for nothing.
    if !text.contains("execute") {
        return out;
    }
    let Ok(body) = hcl_edit::parser::parse_body(text) else {
        return out;
    };
    collect(&body, text, &mut out.scripts);
    out
}

fn collect(body: &Body, text: &str, out: &mut Vec<Script>) {
    for block in body.blocks() {
        if block.ident.as_str() == "terraform" {
            collect(&block.body, text, out);
            continue;
        }
        if !HOOKS.contains(&block.ident.as_str()) {
            continue;
        }
        let Some(execute) = block.body.get_attribute("execute") else {
            continue;
        };
        let Expression::Array(items) = &execute.value else {
            continue;
        };
        let argv: Vec<String> = items.iter().map(|item| word(item, text)).collect();
        let Ok(command) = shlex::try_join(argv.iter().map(String::as_str)) else {
            continue;
        };
        let at = execute.span().map_or(0, |r| r.start.min(text.len()));
        out.push(Script {
            text: command,
            first_line: text[..at].matches('\n').count() as u32 + 1,
            interpreter: Interpreter::Posix,
            make_variables: false,
            image_build: false,
        });
    }
}

fn word(item: &Expression, text: &str) -> String {
    if let Expression::String(s) = item {
        return s.value().to_string();
    }
    let source = item.span().and_then(|r| text.get(r)).unwrap_or("").trim();
    source
        .strip_prefix('"')
        .and_then(|s| s.strip_suffix('"'))
        .unwrap_or(source)
        .to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn found(text: &str) -> Vec<(u32, String)> {
        scripts(text)
            .scripts
            .into_iter()
            .map(|s| (s.first_line, s.text))
            .collect()
    }

    #[test]
    fn hook_argvs_become_command_lines_on_their_line() {
        let unit = "terraform {\n  source = \"../app\"\n  before_hook \"clean\" {\n    commands = [\"apply\"]\n    execute  = [\"kubectl\", \"delete\", \"namespace\", \"legacy\"]\n  }\n  after_hook \"purge\" {\n    commands = [\"destroy\"]\n    execute = [\n      \"bash\", \"-c\", \"aws s3 rm s3://x --recursive\",\n    ]\n  }\n  error_hook \"e\" {\n    execute = [\"rm\", \"-rf\", \"${get_terragrunt_dir()}/.terraform\"]\n  }\n}\n";
        assert_eq!(
            found(unit),
            vec![
                (5, "kubectl delete namespace legacy".to_owned()),
                (9, "bash -c 'aws s3 rm s3://x --recursive'".to_owned()),
                (14, "rm -rf '${get_terragrunt_dir()}/.terraform'".to_owned()),
            ]
        );
    }

    #[test]
    fn units_without_hooks_and_broken_files_have_no_commands() {
        assert_eq!(found("inputs = { a = 1 }\n"), vec![]);
        assert_eq!(
            found("terraform {\n  before_hook \"x\" {\n    execute = local.cmd\n  }\n}\n"),
            vec![]
        );
        assert_eq!(found("terraform {"), vec![]);
    }
}
