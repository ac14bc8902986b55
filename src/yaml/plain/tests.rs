use super::super::build;
use super::*;
use proptest::prelude::*;

/// The fast path reads `text`, and makes of it what saphyr makes, errors included.
fn assert_same(text: &str) {
    assert!(events(text).is_some(), "the fast path gave up on {text:?}");
    for repeated in [false, true] {
        assert_eq!(
            build(text, repeated, true),
            build(text, repeated, false),
            "on {text:?}"
        );
    }
}

#[test]
fn a_manifest_reads_as_saphyr_reads_it() {
    assert_same(
        "# a deployment\n---\napiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web # the name\n  labels:\n    app.kubernetes.io/name: web\n    \"quoted key\": 'single'\nspec:\n  replicas: 3\n  template:\n    spec:\n      containers:\n        - name: web\n          image: nginx:1.25\n          args: []\n          env:\n          - name: A\n            value: \"1\"\n          - name: EMPTY\n            value:\n          resources: {}\n      volumes:\n      -\n      - name: data\n        persistentVolumeClaim:\n          claimName: data\n---\n---\napiVersion: v1\nkind: ConfigMap\ndata:\n  url: http://example.com:8080/x\n  color: #fff\n  neg: -1\n  t: true\n  n: null\n  f: 1.50\n",
    );
    assert_same("");
    assert_same("# only a comment\n");
    assert_same("---");
    assert_same("a: 1\n---\n");
    assert_same("  a: 1\n  b:\n  - x\n");
}

#[test]
fn a_repeated_key_is_the_same_error_or_the_last_value() {
    let text = "a: 1\nb:\n  c: 2\n  c: 3\n";
    assert_same(text);
    let error = build(text, false, true).unwrap_err();
    assert_eq!((error.line, error.column), (4, 3));
}

#[test]
fn what_the_plain_subset_does_not_cover_is_left_to_saphyr() {
    for text in [
        "a: |\n  block\n",
        "a: >\n  folded\n",
        "a: &x 1\nb: *x\n",
        "a: !Ref b\n",
        "a: [1, 2]\n",
        "a: {b: 1}\n",
        "a: \"esc\\n\"\n",
        "a: 'it''s'\n",
        "a: multi\n  line\n",
        "a:\tb\n",
        "a: b\r\n",
        "%YAML 1.2\n---\na: 1\n",
        "--- a\n",
        "a: 1\n...\n",
        "- - nested\n",
        "? complex\n: key\n",
        "<<: {a: 1}\n",
        "a: b: c\n",
        "just a scalar\n",
        "key : spaced\n",
        "\u{feff}a: 1\n",
    ] {
        assert!(events(text).is_none(), "{text:?}");
    }
}

/// Lines YAML is made of, the plain ones and their neighbours.
const PIECES: &[&str] = &[
    "a:",
    "b: 1",
    "c: x y",
    "d: 'q'",
    "e: \"dq\"",
    "f: []",
    "g: {}",
    "h: -2",
    "i: #c",
    "j: k:l",
    "- ",
    "- x",
    "- m: 1",
    "-",
    "\"k k\": v",
    "'s': v",
    "n: true",
    "o: ~",
    "p: 0x1F",
    "a: 2",
    "# comment",
    "",
    "---",
    "--- # c",
    "q: x # c",
    "r: http://h:1",
    "s: b#c",
    "t: :x",
    "u: a: b",
    "v: |",
    "w: &a x",
    "x: *a",
    "y: !t z",
    "z: [1]",
    "- - y",
    "...",
    "k:\tv",
    "é: ü",
];

fn text_of(lines: &[(usize, usize)]) -> String {
    lines
        .iter()
        .map(|&(indent, piece)| format!("{}{}\n", " ".repeat(indent), PIECES[piece]))
        .collect()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(4096))]

    /// Whenever the fast path answers, the nodes (or the error) are saphyr's.
    #[test]
    fn the_fast_path_never_disagrees_with_saphyr(
        lines in proptest::collection::vec((0usize..7, 0..PIECES.len()), 0..14),
        trailing_break in any::<bool>(),
    ) {
        let mut text = text_of(&lines);
        if !trailing_break {
            text.pop();
        }
        if events(&text).is_some() {
            for repeated in [false, true] {
                prop_assert_eq!(build(&text, repeated, true), build(&text, repeated, false), "on {:?}", text);
            }
        }
    }
}

/// A YAML tree to write out in block style.
#[derive(Debug, Clone)]
enum Tree {
    Scalar(usize),
    Null,
    EmptySeq,
    EmptyMap,
    Map(Vec<(usize, Tree)>),
    Seq(Vec<Tree>),
}

/// Scalars, mostly plain-subset ones, a few the fast path must refuse.
const SCALARS: &[&str] = &[
    "web",
    "nginx:1.25",
    "3",
    "-1",
    "1.50",
    "0x1F",
    "true",
    "False",
    "null",
    "~",
    "a b  c",
    "http://h:8080/x",
    "b#c",
    "'single'",
    "\"double\"",
    "''",
    "\"\"",
    "é ü",
    "yes",
    "1e3",
    "'it''s'",
    "*alias",
    "k: v",
    "\"esc\\t\"",
    ".5",
    "+1",
    "0o17",
    ".inf",
    "-",
];

const KEYS: &[&str] = &[
    "a",
    "b",
    "name",
    "\"q k\"",
    "'s'",
    "app.kubernetes.io/name",
    "1",
    "true",
    "~",
];

fn pick(style: &mut impl Iterator<Item = u8>, n: u8) -> u8 {
    style.next().unwrap_or(0) % n
}

fn tree() -> impl Strategy<Value = Tree> {
    let leaf = prop_oneof![
        6 => (0..SCALARS.len()).prop_map(Tree::Scalar),
        1 => Just(Tree::Null),
        1 => Just(Tree::EmptySeq),
        1 => Just(Tree::EmptyMap),
    ];
    leaf.prop_recursive(4, 40, 5, |inner| {
        prop_oneof![
            proptest::collection::vec((0..KEYS.len(), inner.clone()), 1..5).prop_map(Tree::Map),
            proptest::collection::vec(inner, 1..5).prop_map(Tree::Seq),
        ]
    })
}

/// Writes `tree` at `indent`; `style` picks between the layouts YAML allows (a sequence at
/// its key's indentation or deeper, a compact `- key:` or a mapping on the next line, a
/// comment after a value) and where to break it (a stray indentation, a tab).
fn write(tree: &Tree, indent: usize, style: &mut impl Iterator<Item = u8>, out: &mut String) {
    let pad = " ".repeat(indent);
    match tree {
        Tree::Map(entries) => {
            for (key, value) in entries {
                out.push_str(&pad);
                out.push_str(KEYS[*key]);
                out.push(':');
                inline_or_below(value, indent, pick(style, 4) == 0, style, out);
            }
        }
        Tree::Seq(items) => {
            for item in items {
                out.push_str(&pad);
                out.push('-');
                match item {
                    Tree::Map(entries) if pick(style, 2) == 0 => {
                        // Compact: the first key on the dash's line, the rest under it.
                        let (key, value) = &entries[0];
                        out.push(' ');
                        out.push_str(KEYS[*key]);
                        out.push(':');
                        inline_or_below(value, indent + 2, false, style, out);
                        write(&Tree::Map(entries[1..].to_vec()), indent + 2, style, out);
                    }
                    _ => inline_or_below(item, indent, false, style, out),
                }
            }
        }
        other => inline_or_below(other, indent, false, style, out),
    }
}

fn inline_or_below(
    value: &Tree,
    indent: usize,
    same_indent_seq: bool,
    style: &mut impl Iterator<Item = u8>,
    out: &mut String,
) {
    match value {
        Tree::Scalar(s) => {
            out.push(' ');
            out.push_str(SCALARS[*s]);
            if pick(style, 4) == 0 {
                out.push_str(" # note");
            }
            out.push('\n');
        }
        Tree::Null => out.push('\n'),
        Tree::EmptySeq => out.push_str(" []\n"),
        Tree::EmptyMap => out.push_str(" {}\n"),
        Tree::Seq(_) if same_indent_seq => {
            out.push('\n');
            write(value, indent, style, out);
        }
        nested => {
            out.push('\n');
            if pick(style, 6) == 0 {
                out.push_str("\n# between\n");
            }
            let deeper = indent + 2 + 2 * usize::from(pick(style, 3) == 0);
            write(nested, deeper, style, out);
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(4096))]

    /// Manifests as people write them: whenever the fast path answers (and it mostly does),
    /// the nodes or the error are saphyr's; and across documents.
    #[test]
    fn the_fast_path_reads_block_yaml_as_saphyr_does(
        docs in proptest::collection::vec(tree(), 1..3),
        style in proptest::collection::vec(any::<u8>(), 64),
        explicit_start in any::<bool>(),
    ) {
        let mut style = style.into_iter().cycle();
        let mut text = String::new();
        for (i, doc) in docs.iter().enumerate() {
            if i > 0 || explicit_start {
                text.push_str("---\n");
            }
            write(doc, 0, &mut style, &mut text);
        }
        if events(&text).is_some() {
            for repeated in [false, true] {
                prop_assert_eq!(build(&text, repeated, true), build(&text, repeated, false), "on {:?}", text);
            }
        }
    }
}

#[test]
fn most_generated_manifests_take_the_fast_path() {
    use proptest::strategy::ValueTree;
    let mut runner = proptest::test_runner::TestRunner::deterministic();
    let (mut taken, mut total) = (0, 0);
    for _ in 0..500 {
        let doc = tree().new_tree(&mut runner).expect("tree").current();
        let mut style = [1u8, 2, 3, 5, 7].into_iter().cycle();
        let mut text = String::new();
        write(&doc, 0, &mut style, &mut text);
        total += 1;
        taken += usize::from(events(&text).is_some());
    }
    // The generator's refusals (aliases, escapes, `k: v` values) are a minority: if the fast
    // path stopped answering, the property above would check nothing.
    assert!(taken * 3 > total, "{taken} of {total}");
}

/// Every `.yaml`/`.yml` file under `$TWOKEY_YAML_CORPUS` (real files: run it on a checkout of
/// charts or manifests) reads the same through the fast path as through saphyr.
/// `TWOKEY_YAML_CORPUS=/path cargo test --lib yaml::plain -- --ignored`
#[test]
#[ignore = "needs a corpus of YAML files"]
fn a_corpus_reads_the_same_through_the_fast_path() {
    let files = crate::corpus::files("TWOKEY_YAML_CORPUS", &["yaml", "yml"]);
    let mut taken = 0;
    for (path, text) in &files {
        if events(text).is_some() {
            taken += 1;
            assert_eq!(
                build(text, false, true),
                build(text, false, false),
                "{}",
                path.display()
            );
        }
    }
    eprintln!(
        "{taken} of {} files took the fast path, all read the same",
        files.len()
    );
}

#[test]
fn deep_nesting_is_left_to_saphyr_instead_of_recursing() {
    let deep: String = (0..5000)
        .map(|i| format!("{}k{i}:\n", " ".repeat(i)))
        .collect();
    assert!(events(&deep).is_none());
    let shallow: String = (0..20)
        .map(|i| format!("{}k{i}:\n", " ".repeat(i)))
        .collect();
    assert_same(&shallow);
}
