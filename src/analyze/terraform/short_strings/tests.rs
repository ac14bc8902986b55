use super::super::model::parse_with;
use super::*;
use proptest::prelude::*;

/// Parsed through emptied literals, `text` gives hcl-edit's own body (values, and the text it
/// prints back) and twokey's own model of the file.
fn assert_same(text: &str) {
    let direct = hcl_edit::parser::parse_body(text);
    if let Some(short) = shorten(text) {
        if let Ok(mut body) = hcl_edit::parser::parse_body(&short.text) {
            short.restore(&mut body);
            let direct = direct.as_ref().expect("the original parses too");
            assert_eq!(&body, direct, "on {text:?}");
            assert_eq!(body.to_string(), direct.to_string(), "on {text:?}");
        } else {
            assert!(direct.is_err(), "only the shortened text failed: {text:?}");
        }
    }
    assert_eq!(
        format!("{:?}", parse_with(text, true)),
        format!("{:?}", parse_with(text, false)),
        "on {text:?}"
    );
}

const RESOURCE: &str = "# a bucket\nresource \"aws_s3_bucket\" \"logs\" {\n  bucket        = \"acme-logs-prod\" # the name\n  force_destroy = false\n  tags = { Name = \"logs\", \"quoted key\" = \"v\" }\n  list = [\"a\", \"b\", var.c]\n  tpl  = \"${var.env}-x-${lookup(var.m, \"k\", \"d\")}\"\n  esc  = \"a\\\"b\"\n  dollar = \"$${literal}\"\n  cond = var.x == \"y\" ? \"a\" : \"b\"\n  /* a \"comment\" */\n  // another \"one\n  lifecycle {\n    prevent_destroy = true\n  }\n}\n\nmodule \"db\" {\n  source  = \"terraform-aws-modules/rds/aws\"\n  version = \"~> 6.0\"\n}\n";

#[test]
fn a_file_reads_the_same_through_emptied_literals() {
    let short = shorten(RESOURCE).expect("literals to empty");
    // Line breaks are kept; plain values and labels are emptied, keys, templates and
    // escapes are not.
    assert_eq!(
        short.text.matches('\n').count(),
        RESOURCE.matches('\n').count()
    );
    assert!(
        short.text.contains("resource \"\" \"\" {"),
        "{}",
        short.text
    );
    assert!(
        short.text.contains("\"quoted key\" = \"\""),
        "{}",
        short.text
    );
    assert!(short
        .text
        .contains("\"${var.env}-x-${lookup(var.m, \"k\", \"d\")}\""));
    assert!(short.text.contains("\"a\\\"b\"") && short.text.contains("\"$${literal}\""));
    assert!(short.text.contains("/* a \"comment\" */"));
    assert_same(RESOURCE);
    let file = parse_with(RESOURCE, true).expect("parses");
    let bucket = file.item("aws_s3_bucket.logs").expect("the bucket");
    assert_eq!(bucket.get("bucket").map(|s| s.line), Some(3));
    assert_eq!(
        file.item("module.db").and_then(|m| m.source()).as_deref(),
        Some("terraform-aws-modules/rds/aws")
    );
}

#[test]
fn text_the_scanner_is_unsure_of_is_parsed_as_it_is() {
    for text in [
        "a = <<EOT\n\"x\"\nEOT\n",
        "a = \"open\n",
        "/* unterminated \"x\"\n",
        "a = \"${x # comment}\"\n",
        "a = 1\n",
    ] {
        assert!(shorten(text).is_none(), "{text:?}");
        assert_same(text);
    }
}

#[test]
fn a_broken_file_reports_the_error_its_own_text_gives() {
    let text = "resource \"aws_s3_bucket\" \"b\" {\n  bucket = \"x\"\n  oops\n}\n";
    let short = parse_with(text, true).expect_err("broken");
    let plain = parse_with(text, false).expect_err("broken");
    assert_eq!((short.line, short.reason), (plain.line, plain.reason));
}

/// Pieces of HCL, plain and otherwise.
const PIECES: &[&str] = &[
    "resource \"t\" \"n\" {\n",
    "}\n",
    "  a = \"v\"\n",
    "  b = \"\"\n",
    "  c = \"x y\" # c\n",
    "  d = { k = \"v\", \"q\" = \"w\" }\n",
    "  e = [\"1\", \"2\"]\n",
    "  f = \"${var.x}\"\n",
    "  g = \"a\\\\b\"\n",
    "  h = \"$${x}\"\n",
    "  i = \"%{if true}y%{endif}\"\n",
    "  j = var.a == \"b\" ? \"c\" : \"d\"\n",
    "  # \"comment\"\n",
    "  // \"c\n",
    "/* \"x\" */\n",
    "  k = f(\"a\", \"b\")\n",
    "  l = <<EOT\n\"h\"\nEOT\n",
    "  m = \"é\"\n",
    "  n = \"open\n",
    "  o = \"${ {a = \"b\"}.a }\"\n",
    "locals {\n",
    "  \"bad\" = 1\n",
    "  p = \"q\"\"r\"\n",
    "  s = 1\n",
    "module \"m\" {\n  source = \"./x\"\n}\n",
];

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2048))]

    /// Whatever the text, emptying literals changes neither hcl-edit's reading of it nor
    /// twokey's model.
    #[test]
    fn emptied_literals_change_nothing(picks in proptest::collection::vec(0..PIECES.len(), 0..16)) {
        let text: String = picks.iter().map(|&i| PIECES[i]).collect();
        assert_same(&text);
    }
}

/// Every `.tf` file under `$TWOKEY_TF_CORPUS` reads the same both ways.
/// `TWOKEY_TF_CORPUS=/path cargo test --lib short_strings -- --ignored`
#[test]
#[ignore = "needs a corpus of Terraform files"]
fn a_corpus_reads_the_same_through_emptied_literals() {
    let files = crate::corpus::files("TWOKEY_TF_CORPUS", &["tf"]);
    let mut shortened = 0;
    for (_, text) in &files {
        shortened += usize::from(shorten(text).is_some());
        assert_same(text);
    }
    eprintln!(
        "{shortened} of {} files had literals emptied, all read the same",
        files.len()
    );
}

#[test]
fn strings_nested_deep_in_interpolations_leave_the_text_alone() {
    let deep = format!(
        "a = \"x\"\nb = {}{}\n",
        "\"${".repeat(5000),
        "}\"".repeat(5000)
    );
    assert!(shorten(&deep).is_none());
    let shallow = format!("a = \"x\"\nb = {}{}\n", "\"${".repeat(3), "}\"".repeat(3));
    assert!(shorten(&shallow).is_some());
    assert_same(&shallow);
}
