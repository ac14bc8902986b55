//! not_json: says why the text of a `--plan` file is not JSON, naming the usual culprits so
//! the person at the terminal knows what to change in the job that wrote it. Pure.
//!
//! What reaches `--plan` instead of `terraform show -json` alone: the log of
//! hashicorp/setup-terraform's wrapper (its `[command]…` line before the JSON and `::debug::`
//! lines after it), Terraform's own messages captured with the JSON (`2>&1`), and a file cut
//! short by a failed job.

/// Marks of hashicorp/setup-terraform's wrapper, which prints them into stdout around the
/// command's own output unless `terraform_wrapper: false`.
const WRAPPER_MARKS: &[&str] = &["[command]", "::debug::"];

/// The reason `rest` (the text from where a JSON document should start) failed to parse.
pub(super) fn reason(rest: &str, error: &serde_json::Error) -> String {
    let start = rest.trim_start();
    if WRAPPER_MARKS.iter().any(|mark| start.starts_with(mark)) {
        return format!(
            "it holds the log of hashicorp/setup-terraform's wrapper, not only the plan JSON: `{}`; set `terraform_wrapper: false` on that step",
            first_line(start)
        );
    }
    if !start.starts_with(['{', '[']) {
        return format!(
            "it has `{}` where the JSON should start; save only what `terraform show -json` prints on stdout",
            first_line(start)
        );
    }
    if error.is_eof() {
        return format!("it ends in the middle of the JSON, so it was cut short: {error}");
    }
    format!("invalid JSON: {error}")
}

/// The first line of `text`, at most 60 characters, without backticks (it is quoted in them).
fn first_line(text: &str) -> String {
    let line = text.lines().next().unwrap_or("").trim_end();
    let mut out: String = line
        .chars()
        .take(60)
        .map(|c| if c == '`' { '\'' } else { c })
        .collect();
    if line.chars().nth(60).is_some() {
        out.push('…');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn why(text: &str) -> String {
        let error = serde_json::from_str::<serde_json::Value>(text).unwrap_err();
        reason(text, &error)
    }

    #[test]
    fn the_setup_terraform_wrapper_is_named_with_its_switch() {
        let r = why("[command]/home/runner/work/_temp/x/terraform-bin show -json tfplan\n{}");
        assert!(r.contains("setup-terraform"), "{r}");
        assert!(r.contains("terraform_wrapper: false"), "{r}");
        assert!(
            r.contains("`[command]/home/runner/work/_temp/x/terraform-bin show -json …`"),
            "{r}"
        );
        assert!(why("\n::debug::exitcode: 0").contains("terraform_wrapper: false"));
    }

    #[test]
    fn text_before_the_json_is_quoted() {
        let r = why("Acquiring state lock. This may take a `few` moments...\n{}");
        assert!(
            r.contains("`Acquiring state lock. This may take a 'few' moments...`"),
            "{r}"
        );
        assert!(r.contains("stdout"), "{r}");
    }

    #[test]
    fn a_cut_file_is_called_cut_and_other_errors_are_quoted() {
        assert!(why("{\"format_version\": \"1.2\", \"resource_").contains("cut short"));
        assert!(why("{\"a\" 1}").starts_with("invalid JSON: expected `:`"));
    }
}
