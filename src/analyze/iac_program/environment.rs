//! environment: where a CDK stack is deployed, as its props write it (`env: { account,
//! region }`, Python's `env=Environment(account=…, region=…)`, Go's
//! `Region: jsii.String("…")`, Java's `.region("…")`), and the CloudFormation stack name it
//! pins (`stackName`). The construct id stays, but another account, region or stack name is
//! another CloudFormation stack: the next deploy builds every resource
//! anew and empty there, and leaves the old stack with its data where it was.

use super::constructs::Construct;
use super::guards::{is_ident, key_join, value_at};
use crate::analyze::orm::scan::Source;

/// The settings that place a stack. A literal `stackName` names the CloudFormation stack
/// whatever the construct id: changed, it is another stack as surely as another region is.
pub(super) const PLACES: &[&str] = &["account", "region", "stackName"];

/// The literal value of `key` (`region` or `account`) in the construct's call, when it is
/// written exactly once and as a plain literal (in Go, wrapped in `jsii.String`); `None` when
/// absent, repeated or computed (`process.env.CDK_DEFAULT_REGION`).
pub(super) fn literal(src: &Source, c: &Construct, key: &str) -> Option<String> {
    let code = &src.code;
    let mut found = None;
    let mut i = c.args.start;
    while i < c.extent.end.min(code.len()) {
        if !is_ident(code[i]) || (i > 0 && is_ident(code[i - 1])) {
            i += 1;
            continue;
        }
        let end = (i..code.len())
            .find(|&j| !is_ident(code[j]))
            .unwrap_or(code.len());
        // `stackName`, Python's `stack_name`, C#'s `StackName`.
        let word: Vec<u8> = code[i..end]
            .iter()
            .copied()
            .filter(|b| *b != b'_')
            .collect();
        i = end;
        if !word.eq_ignore_ascii_case(key.as_bytes()) {
            continue;
        }
        let Some((":" | "=" | "(", from)) = key_join(code, end) else {
            continue;
        };
        let range = value_at(code, from);
        let masked = std::str::from_utf8(&code[range.clone()]).unwrap_or("");
        // What is left of the value without its literal must be quotes, brackets and Go's
        // `jsii.String` wrapper: anything else computes the value.
        let rest: String = masked
            .replace("jsii.String", "")
            .chars()
            .filter(|ch| !matches!(ch, '"' | '\'' | '`' | '(' | ')' | ' ' | '\t'))
            .collect();
        let values = src.literal_values(range);
        // A template literal with a placeholder is computed too.
        let value = match (rest.is_empty(), values.as_slice()) {
            (true, [one]) if !one.contains("${") => one.clone(),
            _ => return None,
        };
        if found.replace(value).is_some() {
            return None;
        }
    }
    found
}

#[cfg(test)]
mod tests {
    use super::literal;
    use crate::analyze::iac_program::constructs::{self, Syntax};
    use crate::analyze::iac_program::Flavor;
    use crate::analyze::orm::scan::{Lang, Source};

    fn region(text: &str, ext: &str) -> Option<String> {
        let lang = match ext {
            "py" => Lang::Python,
            "cs" => Lang::CSharp,
            _ => Lang::Js,
        };
        let src = Source::new(text, lang);
        let found = constructs::find(&src, Syntax::of(ext, Flavor::Cdk));
        let stack = found.constructs.iter().find(|c| c.is_container())?;
        literal(&src, stack, "region")
    }

    #[test]
    fn a_literal_region_is_read_in_each_language() {
        for (text, ext) in [
            ("new ShopStack(app, 'Shop', { env: { account: '1', region: 'eu-west-1' } });", "ts"),
            ("ShopStack(app, \"Shop\", env=cdk.Environment(account=\"1\", region=\"eu-west-1\"))", "py"),
            ("NewShopStack(app, jsii.String(\"Shop\"), &ShopStackProps{StackProps: awscdk.StackProps{Env: &awscdk.Environment{Region: jsii.String(\"eu-west-1\")}}})", "go"),
        ] {
            assert_eq!(region(text, ext).as_deref(), Some("eu-west-1"), "{text}");
        }
        for computed in [
            "new ShopStack(app, 'Shop', { env: { region: process.env.CDK_DEFAULT_REGION } });",
            "new ShopStack(app, 'Shop', { env: { region: `${prefix}-1` } });",
            "new ShopStack(app, 'Shop', { env: prodEnv });",
            "new ShopStack(app, 'Shop', {});",
        ] {
            assert_eq!(region(computed, "ts"), None, "{computed}");
        }
    }
}
