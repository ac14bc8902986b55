//! jenkins: the scripts of a Jenkins pipeline (a Groovy file): the strings given to its `sh`,
//! `bat`, `powershell` and `pwsh` steps, positional (`sh 'cmd'`) or named
//! (`sh label: 'x', script: "cmd"`, `sh(returnStdout: true, script: '''…''')`). Comments are
//! skipped: a step commented out runs nothing.

use super::extract::{Extracted, Interpreter, Script};

/// Steps whose argument is a script, and what runs it.
const STEPS: &[(&str, Interpreter)] = &[
    ("sh", Interpreter::Posix),
    ("bat", Interpreter::Other),
    ("powershell", Interpreter::PowerShell),
    ("pwsh", Interpreter::PowerShell),
];

pub fn scripts(text: &str) -> Extracted {
    let mut out = Extracted::default();
    let mut at = 0;
    while at < text.len() {
        let rest = &text[at..];
        // A step named inside a comment or a string (`echo 'run sh x'`) is no step; an
        // unclosed string is reported below, by the step it belongs to.
        if let Some(end) = past_comment_or_string(text, at).ok().flatten() {
            at = end;
            continue;
        }
        let Some((step, interpreter)) = step_at(text, at) else {
            at += rest.chars().next().map_or(1, char::len_utf8);
            continue;
        };
        at += step.len();
        match step_script(text, at) {
            Ok(Some((open, body, end))) => {
                out.scripts.push(Script {
                    text: body,
                    first_line: line_of(text, open),
                    interpreter,
                    make_variables: false,
                    image_build: false,
                });
                at = end;
            }
            Ok(None) => {}
            Err(()) => {
                out.failure = Some((
                    Some(line_of(text, at)),
                    format!("a `{step}` step's string is never closed"),
                ));
                break;
            }
        }
    }
    out
}

/// How many `input` approvals the pipeline waits on: the `input` step (`input message: …`,
/// `input(…)`) and the declarative `input { … }` directive of a stage, outside comments and
/// strings. A pipeline that destroys and waits on fewer of them than before lets its destroy
/// run with nobody confirming it.
pub fn input_approvals(text: &str) -> usize {
    let mut count = 0;
    let mut at = 0;
    while at < text.len() {
        let rest = &text[at..];
        match past_comment_or_string(text, at) {
            Ok(Some(end)) => {
                at = end;
                continue;
            }
            Ok(None) => {}
            // An unclosed string is the script reader's failure to report.
            Err(()) => break,
        }
        let before = text[..at].chars().next_back();
        let standalone = !before.is_some_and(|c| c.is_alphanumeric() || c == '_' || c == '.');
        if standalone && rest.starts_with("input") {
            let after = rest["input".len()..].trim_start_matches([' ', '\t']);
            if after.starts_with(['(', '{', '\'', '"'])
                || after.starts_with("message")
                || after.starts_with("id:")
            {
                count += 1;
            }
        }
        at += rest.chars().next().map_or(1, char::len_utf8);
    }
    count
}

/// Where the comment or string starting at `at` ends; `Ok(None)` when none starts there,
/// `Err` for a string that is never closed.
fn past_comment_or_string(text: &str, at: usize) -> Result<Option<usize>, ()> {
    let rest = &text[at..];
    if rest.starts_with("//") {
        return Ok(Some(at + rest.find('\n').unwrap_or(rest.len())));
    }
    if let Some(comment) = rest.strip_prefix("/*") {
        return Ok(Some(
            at + comment.find("*/").map_or(rest.len(), |end| end + 4),
        ));
    }
    Ok(string_at(text, at)?.map(|(_, _, end)| end))
}

/// A step name standing alone at `at` (not part of `shell`, `.sh` or `my_sh`).
fn step_at(text: &str, at: usize) -> Option<(&'static str, Interpreter)> {
    let before = text[..at].chars().next_back();
    if before.is_some_and(|c| c.is_alphanumeric() || c == '_' || c == '.' || c == '$') {
        return None;
    }
    STEPS.iter().copied().find(|(name, _)| {
        text[at..].starts_with(name)
            && text[at + name.len()..]
                .chars()
                .next()
                .is_some_and(|c| !c.is_alphanumeric() && c != '_')
    })
}

/// The script of the step whose arguments start at `at`: the first positional string, or
/// the `script:` named argument. `Ok(None)` when the step has neither (a variable, a call).
fn step_script(text: &str, mut at: usize) -> Result<Option<(usize, String, usize)>, ()> {
    at = skip_blanks(text, at, false);
    if text[at..].starts_with('(') {
        at = skip_blanks(text, at + 1, true);
    }
    loop {
        if let Some(string) = string_at(text, at)? {
            return Ok(Some(string));
        }
        // A named argument: `key: value,`.
        let key_len = text[at..]
            .find(|c: char| !(c.is_alphanumeric() || c == '_'))
            .unwrap_or(text.len() - at);
        if key_len == 0
            || !text[at + key_len..]
                .trim_start_matches([' ', '\t'])
                .starts_with(':')
        {
            return Ok(None);
        }
        let key = &text[at..at + key_len];
        at = skip_blanks(
            text,
            text[at..].find(':').map_or(text.len(), |i| at + i + 1),
            false,
        );
        match string_at(text, at)? {
            Some(string) if key == "script" => return Ok(Some(string)),
            Some((_, _, end)) => at = end,
            None => {
                at += text[at..].find([',', ')', '\n']).unwrap_or(text.len() - at);
            }
        }
        at = skip_blanks(text, at, false);
        if !text[at..].starts_with(',') {
            return Ok(None);
        }
        at = skip_blanks(text, at + 1, true);
    }
}

fn skip_blanks(code: &str, at: usize, newlines: bool) -> usize {
    let rest = &code[at.min(code.len())..];
    let trimmed = rest.trim_start_matches(|c: char| {
        c == ' ' || c == '\t' || newlines && matches!(c, '\n' | '\r')
    });
    code.len() - trimmed.len()
}

/// A Groovy string literal at `at`: where its text starts, the text with Groovy's quote and
/// backslash escapes resolved (as the shell receives it), and the end of the literal.
fn string_at(text: &str, at: usize) -> Result<Option<(usize, String, usize)>, ()> {
    let rest = &text[at.min(text.len())..];
    let Some(delimiter) = ["'''", "\"\"\"", "'", "\""]
        .into_iter()
        .find(|d| rest.starts_with(d))
    else {
        return Ok(None);
    };
    let open = at + delimiter.len();
    let mut body = String::new();
    let mut chars = text[open..].char_indices();
    while let Some((i, c)) = chars.next() {
        if text[open + i..].starts_with(delimiter) {
            return Ok(Some((open, body, open + i + delimiter.len())));
        }
        if c == '\\' {
            match chars.next() {
                Some((_, escaped @ ('\\' | '\'' | '"' | '$'))) => body.push(escaped),
                Some((_, other)) => {
                    body.push('\\');
                    body.push(other);
                }
                None => return Err(()),
            }
        } else {
            body.push(c);
        }
    }
    Err(())
}

fn line_of(text: &str, byte: usize) -> u32 {
    text[..byte.min(text.len())].matches('\n').count() as u32 + 1
}

#[cfg(test)]
mod tests {
    use super::*;

    fn found(text: &str) -> Vec<(u32, String, bool)> {
        let extracted = scripts(text);
        assert_eq!(extracted.failure, None);
        extracted
            .scripts
            .into_iter()
            .map(|s| (s.first_line, s.text, s.interpreter.foreign()))
            .collect()
    }

    #[test]
    fn positional_and_named_scripts() {
        let jenkins = "pipeline {\n  stages {\n    stage('x') { steps { sh 'terraform destroy -auto-approve' } }\n    stage('y') { steps { sh(script: \"\"\"\n      helm uninstall web\n    \"\"\") } }\n  }\n}\n";
        let got = found(jenkins);
        assert_eq!(
            got[0],
            (3, "terraform destroy -auto-approve".to_owned(), false)
        );
        assert_eq!(got[1].0, 4);
        assert!(got[1].1.contains("helm uninstall web"));
    }

    #[test]
    fn the_script_argument_after_other_named_arguments() {
        let jenkins = "node {\n  sh label: 'destroy', script: 'terraform destroy'\n  def out = sh(returnStdout: true,\n     script: \"kubectl delete ns ${params.NS}\").trim()\n  sh(label: env.STEP, script: 'helm uninstall web')\n}\n";
        assert_eq!(
            found(jenkins),
            vec![
                (2, "terraform destroy".to_owned(), false),
                (4, "kubectl delete ns ${params.NS}".to_owned(), false),
                (5, "helm uninstall web".to_owned(), false),
            ]
        );
    }

    #[test]
    fn windows_steps_are_foreign_and_escapes_are_resolved() {
        let jenkins = "node {\n  bat 'terraform destroy -auto-approve'\n  powershell \"Remove-Item C:\\\\x\"\n  sh \"psql -c \\\"DROP TABLE users\\\"\"\n}\n";
        assert_eq!(
            found(jenkins),
            vec![
                (2, "terraform destroy -auto-approve".to_owned(), true),
                (3, "Remove-Item C:\\x".to_owned(), true),
                (4, "psql -c \"DROP TABLE users\"".to_owned(), false),
            ]
        );
    }

    #[test]
    fn commented_steps_and_lookalike_names_are_not_scripts() {
        let jenkins = "node {\n  // sh 'terraform destroy'\n  /* old:\n  sh 'kubectl delete ns prod'\n  */\n  echo 'see http://x // sh \"rm -rf /\"'\n  shell 'a'\n  sh_wrapper 'b'\n  cmd.sh 'c'\n  sh script\n}\n";
        assert_eq!(found(jenkins), vec![]);
    }

    #[test]
    fn an_unclosed_string_is_a_failure() {
        assert!(scripts("node {\n  sh '''\n  rm -rf /\n").failure.is_some());
        assert!(scripts("sh label: 'x', script: \"oops").failure.is_some());
        // Odd input never panics.
        for text in [
            "sh",
            "sh(",
            "sh label:",
            "sh label: 'x',",
            "/*",
            "'",
            "sh \\",
        ] {
            let _ = scripts(text);
        }
    }
}
