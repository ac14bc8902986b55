use super::super::model::parse_with;
use super::*;
use proptest::prelude::*;

/// The model this module builds and hcl-edit's, as text (floats and all).
fn both(text: &str) -> (Option<String>, String) {
    (
        parse(text).map(|f| format!("{f:?}")),
        format!("{:?}", parse_with(text, false)),
    )
}

/// `text` is read here, and to the model hcl-edit's body gives.
fn assert_same(text: &str) {
    let (plain, hcl) = both(text);
    let plain = plain.unwrap_or_else(|| panic!("left to hcl-edit: {text:?}"));
    assert!(hcl.starts_with("Ok("), "hcl-edit refused {text:?}: {hcl}");
    assert_eq!(format!("Ok({plain})"), hcl, "on {text:?}");
}

const EVERYTHING: &str = r#"# header
terraform {
  backend "s3" {
    bucket = "state" # where
    key    = "prod/terraform.tfstate"
  }
}

resource "aws_s3_bucket" "logs" {
  bucket        = "acme-logs"
  force_destroy = false
  count         = 3
  tags          = { Name = "logs", "quoted key" = "v", n = 007 }
  list          = ["a", "b", var.c, ]
  empty         = {}
  nothing       = null
  ref           = aws_kms_key.main.arn
  for_each      = { a = 1, b = { c = true } }
  // a comment
  versioning {
    enabled = true
  }
  dynamic "rule" {
    for_each = var.rules
    content {
      id = "dyn"
    }
  }
  rule {
    id = "second"
  }
  lifecycle {
    prevent_destroy = true
    ignore_changes  = [tags, "bucket.name", 3]
  }
}

data "aws_ami" "a" {}
module "db" {
  source   = "terraform-aws-modules/rds/aws"
  settings = { deletion_protection = false, nested = { x = "y" } }
  tags = {
    # who owns it
    Owner = "data", Team = "core"
    "cost-center" = 42 # billing

    nested = { a = [1, 2] }
  }
  subnets = [
    "a",
    var.b, # second
    [1]
  ]
  none = [
  ]
}
provider "aws" {
  alias  = "east"
  region = "us-east-1"
}
variable "versioning" {
  type    = string
  default = { enabled = true }
}
locals {
  env = "prod"
  ids = [1, 2]
}
moved {
  from = aws_s3_bucket.old
  to   = aws_s3_bucket.logs
}
removed {
  from = aws_s3_bucket.gone
  lifecycle {
    destroy = false
  }
}
output "x" { }
"#;

#[test]
fn a_file_of_every_plain_construct_reads_as_hcl_edit_reads_it() {
    assert_same(EVERYTHING);
    let file = parse(EVERYTHING).expect("plain");
    let logs = file.item("aws_s3_bucket.logs").expect("the bucket");
    assert_eq!((logs.line, logs.end_line), (9, 36));
    assert_eq!(logs.get("rule[1].id").map(|s| s.line), Some(30));
    assert_eq!(logs.ignore_changes, ["tags", "bucket"]);
    assert_eq!(file.moved[0].to, "aws_s3_bucket.logs");
    assert!(!file.removed[0].destroys);
    assert_eq!(file.backend.as_ref().map(|b| b.kind.as_str()), Some("s3"));
    assert_eq!(file.item("provider.aws.east").map(|p| p.line), Some(57));
    let db = file.item("module.db").expect("the module");
    let line = |path: &str| db.get(path).map(|s| s.line);
    assert_eq!(line("tags.Owner"), Some(44));
    assert_eq!(line("tags.Team"), Some(44));
    assert_eq!(line("tags.cost-center"), Some(45));
    assert_eq!(line("tags.nested.a"), Some(47));
    assert_eq!(
        db.get("subnets").map(|s| s.value.render()),
        Some("[\"a\", var.b, [1]]".to_owned())
    );
}

#[test]
fn plain_shapes_read_the_same() {
    let mut text = String::new();
    for i in 0..12 {
        text.push_str(&format!(
            "resource \"aws_s3_bucket\" \"b{i}\" {{\n  bucket = \"bucket-{i}\"\n  tags = {{ Name = \"n{i}\" }}\n}}\n"
        ));
    }
    assert_same(&text);
    assert_same("");
    assert_same("\n\n# only a comment\n");
    assert_same("x {\n  a = 1\n}");
    // Comments after brackets, and a comment that hides what follows on its line.
    assert_same("x \"a b\" \"#c\" {\n  a = 1\n} # end\ny {} // empty\n");
    assert_same("module \"m\" {\n  tags = { # owners\n    a = \"b\" # who\n  } # done\n}\n");
    assert_same("x { # a { b }\n  c = 1\n}\n");
    assert_same("a = [ # first\n  1, 2, # more\n  3\n]\n");
    // Words that are keywords as values are names as keys, block types and attributes.
    assert_same("null = 1\ntrue {\n  for = \"\u{7f}\"\n}\na = x.for\n");
}

#[test]
fn anything_outside_the_plain_subset_is_left_to_hcl_edit() {
    for text in [
        "a = <<EOF\nx\nEOF\n",
        "a = \"${var.x}\"\n",
        "a = \"%{ if x }y%{ endif }\"\n",
        "a = \"a\\\"b\"\n",
        "a = \"$${x}\"\n",
        "a =\t1\n",
        "a = 1\r\n",
        "a = {\n  b = {\n    c = 1\n  }\n}\n",
        "a = [\n  1\n  2\n]\n",
        "a = {\n  b = 1 c = 2\n}\n",
        "a = {\n  b = 1\n  b = 2\n}\n",
        "a = [\n  1,\n]\nb = 1 ]\n",
        "a = [ # open\n  1\n",
        "/* block */\na = 1\n",
        "a = 1\na = 2\n",
        "a = f(1)\n",
        "a = b[0]\n",
        "a = b.*.id\n",
        "a = 1 + 2\n",
        "a = -1\n",
        "a = 1.5\n",
        "a = 1e3\n",
        "a = x ? 1 : 2\n",
        "a = foo-bar\n",
        "a = [for x in y : x]\n",
        "a = { true = 1 }\n",
        "a = { b = 1, \"b\" = 2 }\n",
        "a = 1234567890123456\n",
        "a = \"x\"# glued comment\n",
        "x \"l\" { a = 1 }\n",
        "x{\n}\n",
        "x \"${y}\" {\n}\n",
        "x {\n",
        "}\n",
        "x \"a\"\n{\n}\n",
        "\u{feff}a = 1\n",
        "é = 1\n",
    ] {
        assert!(parse(text).is_none(), "read {text:?}");
    }
}

/// Words for identifiers, with the ones the model looks for.
fn word() -> impl Strategy<Value = &'static str> {
    prop::sample::select(vec![
        "a",
        "b",
        "_x",
        "bucket",
        "tags",
        "for_each",
        "alias",
        "ignore_changes",
        "default",
        "source",
        "from",
        "to",
        "destroy",
        "enabled",
        "lifecycle",
        "content",
        "dynamic",
        "rule",
        "backend",
        "cloud",
        "all",
        "var",
        "string",
    ])
}

fn block_word() -> impl Strategy<Value = &'static str> {
    prop::sample::select(vec![
        "resource",
        "data",
        "module",
        "provider",
        "variable",
        "locals",
        "terraform",
        "moved",
        "removed",
        "output",
        "lifecycle",
        "dynamic",
        "content",
        "backend",
        "cloud",
        "rule",
    ])
}

fn string() -> impl Strategy<Value = String> {
    "[a-z0-9 #/.:=é$%}-]{0,8}".prop_map(|s| format!("\"{s}\""))
}

fn value() -> impl Strategy<Value = String> {
    let leaf = prop_oneof![
        string(),
        (0u64..10_000_000_000_000).prop_map(|n| n.to_string()),
        prop::sample::select(vec!["true", "false", "null", "0", "007"]).prop_map(str::to_owned),
        (word(), prop::collection::vec(word(), 0..3)).prop_map(|(first, rest)| [first.to_owned()]
            .into_iter()
            .chain(rest.into_iter().map(str::to_owned))
            .collect::<Vec<_>>()
            .join(".")),
    ];
    leaf.prop_recursive(2, 12, 3, |inner| {
        prop_oneof![
            (prop::collection::vec(inner.clone(), 0..4), any::<bool>()).prop_map(
                |(items, tight)| {
                    if tight || items.is_empty() {
                        format!("[{}]", items.join(","))
                    } else {
                        format!("[{}, ]", items.join(", "))
                    }
                }
            ),
            (
                prop::collection::btree_map(
                    prop_oneof![word().prop_map(str::to_owned), string()],
                    inner,
                    0..4
                ),
                any::<bool>()
            )
                .prop_map(|(entries, tight)| {
                    let entries: Vec<String> = entries
                        .into_iter()
                        // One name per object: `a` and `"a"` would both be `a` here.
                        .fold(Vec::<(String, String)>::new(), |mut out, (k, v)| {
                            if !out
                                .iter()
                                .any(|(seen, _)| seen.trim_matches('"') == k.trim_matches('"'))
                            {
                                out.push((k, v));
                            }
                            out
                        })
                        .into_iter()
                        .map(|(k, v)| {
                            if tight {
                                format!("{k}={v}")
                            } else {
                                format!("{k} = {v}")
                            }
                        })
                        .collect();
                    if tight {
                        format!("{{{}}}", entries.join(","))
                    } else {
                        format!("{{ {} }}", entries.join(", "))
                    }
                }),
        ]
    })
}

/// A list or object over lines: an item a line, with comments, blank lines and the
/// separators HCL allows (an object's items may end with a comma, a list's must but the last).
fn multi_line_value() -> impl Strategy<Value = String> {
    let key = prop_oneof![word().prop_map(str::to_owned), string()];
    let filler = prop::sample::select(vec!["", "", "", "    # note\n", "\n"]);
    prop_oneof![
        prop::collection::vec((key, value(), any::<bool>(), filler.clone()), 0..4).prop_map(
            |items| {
                let mut text = String::from("{\n");
                let mut names: Vec<String> = Vec::new();
                for (k, v, comma, filler) in items {
                    let name = k.trim_matches('"').to_owned();
                    if names.contains(&name) {
                        continue;
                    }
                    names.push(name);
                    text.push_str(filler);
                    let comma = if comma { "," } else { "" };
                    text.push_str(&format!("    {k} = {v}{comma}\n"));
                }
                text.push_str("  }");
                text
            }
        ),
        (
            prop::collection::vec((value(), filler), 0..4),
            any::<bool>()
        )
            .prop_map(|(items, trailing)| {
                let mut text = String::from("[\n");
                let count = items.len();
                for (i, (v, filler)) in items.into_iter().enumerate() {
                    text.push_str(filler);
                    let comma = if i + 1 < count || trailing { "," } else { "" };
                    text.push_str(&format!("    {v}{comma}\n"));
                }
                text.push_str("  ]");
                text
            }),
    ]
}

/// One line of a body: an attribute, a comment, a blank line, or a nested block.
#[derive(Clone, Debug)]
enum Entry {
    Attr(&'static str, String, bool),
    Comment(&'static str),
    Blank,
    Block(&'static str, Vec<&'static str>, Vec<Entry>),
}

fn entries(depth: u32) -> BoxedStrategy<Vec<Entry>> {
    let attr = (
        word(),
        prop_oneof![3 => value(), 1 => multi_line_value()],
        any::<bool>(),
    )
        .prop_map(|(k, v, c)| Entry::Attr(k, v, c));
    let other = prop_oneof![
        prop::sample::select(vec!["# note", "// note {", "#"]).prop_map(Entry::Comment),
        Just(Entry::Blank),
    ];
    if depth == 0 {
        return prop::collection::vec(prop_oneof![3 => attr, 1 => other], 0..5).boxed();
    }
    let block = (
        block_word(),
        prop::collection::vec(
            prop::sample::select(vec!["aws_s3_bucket", "b", "logs", "s3", "x y", ""]),
            0..3,
        ),
        entries(depth - 1),
    )
        .prop_map(|(w, labels, body)| Entry::Block(w, labels, body));
    prop::collection::vec(prop_oneof![3 => attr, 1 => other, 2 => block], 0..6).boxed()
}

fn render(entries: &[Entry], indent: usize, out: &mut String) {
    let pad = " ".repeat(indent);
    let mut keys = Vec::new();
    for entry in entries {
        match entry {
            Entry::Attr(k, v, comment) => {
                // hcl-edit refuses a repeated attribute.
                if keys.contains(k) {
                    continue;
                }
                keys.push(*k);
                let tail = if *comment { " # why" } else { "" };
                out.push_str(&format!("{pad}{k} = {v}{tail}\n"));
            }
            Entry::Comment(c) => out.push_str(&format!("{pad}{c}\n")),
            Entry::Blank => out.push('\n'),
            Entry::Block(w, labels, body) => {
                let labels: String = labels.iter().map(|l| format!(" \"{l}\"")).collect();
                if body.is_empty() {
                    out.push_str(&format!("{pad}{w}{labels} {{}}\n"));
                } else {
                    out.push_str(&format!("{pad}{w}{labels} {{\n"));
                    render(body, indent + 2, out);
                    out.push_str(&format!("{pad}}}\n"));
                }
            }
        }
    }
}

fn file() -> impl Strategy<Value = String> {
    entries(3).prop_map(|entries| {
        let mut text = String::new();
        render(&entries, 0, &mut text);
        text
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn generated_plain_files_read_as_hcl_edit_reads_them(text in file()) {
        assert_same(&text);
    }

    /// An edit can make the text invalid or move it out of the subset; whenever this module
    /// still answers, hcl-edit must read the text, to the same model.
    #[test]
    fn an_edited_file_is_read_as_hcl_edit_reads_it_or_left_to_it(
        text in file(),
        at in any::<prop::sample::Index>(),
        edit in prop::sample::select(vec![
            "", "{", "}", "\"", "=", ",", "[", "]", " ", "\n", "#", "/", "*", "$", "\\",
            "-", ".", "(", "\t", "a", "1", "${", "<<", "==", "true",
        ]),
        delete in 0usize..3,
    ) {
        let chars: Vec<char> = text.chars().collect();
        let at = at.index(chars.len() + 1);
        let end = (at + delete).min(chars.len());
        let edited: String = chars[..at]
            .iter()
            .chain(edit.chars().collect::<Vec<_>>().iter())
            .chain(chars[end..].iter())
            .collect();
        let (plain, hcl) = both(&edited);
        if let Some(plain) = plain {
            prop_assert_eq!(format!("Ok({plain})"), hcl, "on {:?}", edited);
        }
    }
}

/// Every `.tf` file under `$TWOKEY_TF_CORPUS` that this module reads, it reads as hcl-edit does.
/// `TWOKEY_TF_CORPUS=/path cargo test --lib terraform::plain -- --ignored`
#[test]
#[ignore = "needs a corpus of Terraform files"]
fn a_corpus_reads_as_hcl_edit_reads_it() {
    let files = crate::corpus::files("TWOKEY_TF_CORPUS", &["tf"]);
    let mut read = 0;
    for (path, text) in &files {
        let (plain, hcl) = both(text);
        if let Some(plain) = plain {
            read += 1;
            assert_eq!(format!("Ok({plain})"), hcl, "on {}", path.display());
        }
    }
    eprintln!(
        "{read} of {} files read here, all as hcl-edit reads them",
        files.len()
    );
}
