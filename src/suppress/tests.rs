use super::*;
use crate::change::Hunk;
use proptest::prelude::*;

fn ok(line: &str) -> Directive {
    parse_line(line)
        .unwrap_or_else(|| panic!("no directive in {line:?}"))
        .unwrap_or_else(|e| panic!("{line:?} is malformed: {e}"))
}

fn malformed(line: &str) -> String {
    parse_line(line)
        .unwrap_or_else(|| panic!("no directive in {line:?}"))
        .expect_err("malformed")
}

#[test]
fn allow_is_read_in_every_comment_syntax() {
    for line in [
            "# twokey:allow terraform/resource-removed -- decommissioned per INC-42",
            "  // twokey:allow terraform/resource-removed -- decommissioned per INC-42",
            "-- twokey:allow terraform/resource-removed -- decommissioned per INC-42",
            "/* twokey:allow terraform/resource-removed -- decommissioned per INC-42 */",
            "<!-- twokey:allow terraform/resource-removed -- decommissioned per INC-42 -->",
            " * twokey:allow terraform/resource-removed -- decommissioned per INC-42",
            "resource \"x\" \"y\" { # twokey:allow terraform/resource-removed -- decommissioned per INC-42",
            "#twokey:allow\tterraform/resource-removed   --   decommissioned per INC-42   ",
        ] {
            let d = ok(line);
            assert_eq!(d.scope, Scope::Line, "{line}");
            assert_eq!(d.pattern, "terraform/resource-removed", "{line}");
            assert_eq!(d.reason, "decommissioned per INC-42", "{line}");
        }
    assert_eq!(
        ok("-- twokey:allow-file sql/drop-table -- fixtures only").scope,
        Scope::File
    );
}

#[test]
fn sql_reason_may_itself_contain_dashes() {
    let d = ok("-- twokey:allow sql/drop-table -- old -- replaced by v2");
    assert_eq!(d.reason, "old -- replaced by v2");
}

#[test]
fn an_allow_without_a_reason_is_malformed() {
    for line in [
        "# twokey:allow terraform/resource-removed",
        "# twokey:allow terraform/resource-removed --",
        "# twokey:allow terraform/resource-removed --   ",
        "/* twokey:allow terraform/resource-removed -- */",
        "# twokey:allow terraform/resource-removed because reasons",
        "# twokey:allow terraform/resource-removed --reason-glued",
    ] {
        assert!(malformed(line).contains("no reason"), "{line}");
    }
    assert!(malformed("# twokey:allow -- why").contains("names no rule"));
    assert!(malformed("# twokey:allow").contains("names no rule"));
}

#[test]
fn an_allow_must_name_a_known_rule_and_an_allowable_one() {
    let e = malformed("# twokey:allow terraform/resource-remove -- typo");
    assert!(
        e.contains("did you mean `terraform/resource-removed`?"),
        "{e}"
    );
    assert!(malformed("# twokey:allow nothing/* -- x").contains("matches no rule"));
    let e = malformed("# twokey:allow terraform/unparseable -- trust me");
    assert!(e.contains("can never be allowed"), "{e}");
    assert!(malformed("# twokey:allow guardrail/* -- x").contains("can never be allowed"));
    assert!(malformed("# twokey:allow git/incomplete-change -- x").contains("never"));
}

#[test]
fn globs_name_families_of_rules() {
    assert_eq!(
        ok("# twokey:allow terraform/* -- sandbox").pattern,
        "terraform/*"
    );
    assert_eq!(ok("# twokey:allow *-removed -- x").pattern, "*-removed");
    // `*` also matches never-allowable rules; they stay un-allowed (see allowable()).
    assert_eq!(ok("# twokey:allow * -- x").pattern, "*");
    assert!(!allowable("terraform/unparseable"));
    assert!(!allowable("terraform/plan-unparseable"));
    assert!(!allowable("guardrail/allow-added"));
    assert!(allowable("terraform/resource-removed"));
}

#[test]
fn text_that_only_mentions_the_marker_is_not_a_directive() {
    assert!(parse_line("description = \"twokey:allow terraform/* -- x\"").is_none());
    assert!(parse_line("# twokey:allowed to fail").is_none());
    assert!(parse_line("# twokey:allow-list is documented").is_none());
    assert!(parse_line("resource \"a\" \"b\" {}").is_none());
}

fn change(status: FileStatus, hunks: Vec<Hunk>) -> FileChange {
    FileChange {
        status,
        old_path: (status != FileStatus::Added).then(|| RepoPath::new("infra/main.tf")),
        new_path: Some(RepoPath::new("infra/main.tf")),
        old_kind: crate::change::EntryKind::File,
        new_kind: crate::change::EntryKind::File,
        binary: false,
        hunks,
        added_lines: 0,
        deleted_lines: 0,
        lines_deferred: false,
        old_size: None,
        new_size: None,
    }
}

fn change_of(files: Vec<FileChange>) -> Change {
    Change {
        base: crate::change::Revision::new("0"),
        head: crate::change::Revision::new("1"),
        branch: None,
        files,
        commits: Vec::new(),
        pull_request: None,
        completeness: Default::default(),
    }
}

fn finding(side: Side, line: u32) -> Finding {
    Finding::new(
        &crate::analyze::terraform::RESOURCE_REMOVED,
        Location::lines(RepoPath::new("infra/main.tf"), side, line, line + 2),
        "m",
    )
}

const ALLOW: &str = "# twokey:allow terraform/resource-removed -- decommissioned per INC-42\n";

#[test]
fn an_allow_covers_its_line_and_the_next_only() {
    let text = format!("{ALLOW}resource \"a\" \"b\" {{}}\n\nresource \"a\" \"c\" {{}}\n");
    let file = change(FileStatus::Modified, vec![]);
    let a = FileAllows::from_texts(&file, Some(&text), Some(&text), || {
        Cow::Borrowed(&file.hunks)
    });
    let covered = a.covering(&finding(Side::Base, 2)).expect("line after");
    assert_eq!(covered.at, "infra/main.tf:1");
    assert_eq!(covered.reason, "decommissioned per INC-42");
    assert!(a.covering(&finding(Side::Base, 1)).is_some(), "same line");
    assert!(a.covering(&finding(Side::Base, 4)).is_none(), "too far");
    let mut other = finding(Side::Base, 2);
    other.rule = crate::analyze::terraform::MODULE_REMOVED.id;
    assert!(a.covering(&other).is_none(), "another rule");
}

#[test]
fn an_allow_the_change_adds_covers_nothing_and_is_reported() {
    let base = "resource \"a\" \"b\" {\n  count = 2\n}\n";
    let head = format!("{ALLOW}resource \"a\" \"b\" {{\n  count = 0\n}}\n");
    let file = change(
        FileStatus::Modified,
        vec![Hunk {
            old_start: 0,
            old_lines: 0,
            new_start: 1,
            new_lines: 1,
        }],
    );
    let a = FileAllows::from_texts(&file, Some(base), Some(&head), || {
        Cow::Borrowed(&file.hunks)
    });
    assert!(a.covering(&finding(Side::Head, 2)).is_none());
    let added = a.added_findings();
    assert_eq!(added.len(), 1);
    assert_eq!(added[0].rule, ALLOW_ADDED.id);
    assert_eq!(added[0].location.line, Some(1));
    assert!(added[0].message.contains("base branch first"));
}

#[test]
fn an_existing_allow_moved_to_another_line_counts_as_added() {
    let base = format!("{ALLOW}resource \"a\" \"b\" {{}}\nresource \"a\" \"c\" {{}}\n");
    let head = format!("resource \"a\" \"b\" {{}}\n{ALLOW}resource \"a\" \"c\" {{}}\n");
    let file = change(
        FileStatus::Modified,
        vec![
            Hunk {
                old_start: 1,
                old_lines: 1,
                new_start: 0,
                new_lines: 0,
            },
            Hunk {
                old_start: 2,
                old_lines: 0,
                new_start: 2,
                new_lines: 1,
            },
        ],
    );
    let a = FileAllows::from_texts(&file, Some(&base), Some(&head), || {
        Cow::Borrowed(&file.hunks)
    });
    assert!(a.covering(&finding(Side::Head, 3)).is_none());
    assert_eq!(a.added_findings()[0].rule, ALLOW_ADDED.id);
}

#[test]
fn without_a_line_diff_an_allow_missing_from_the_base_is_added() {
    let head = format!("{ALLOW}resource \"a\" \"b\" {{}}\n");
    let file = change(FileStatus::Modified, vec![]);
    let a = FileAllows::from_texts(
        &file,
        Some("resource \"a\" \"b\" {}\n"),
        Some(&head),
        || Cow::Borrowed(&file.hunks),
    );
    assert!(a.covering(&finding(Side::Head, 2)).is_none());
    assert_eq!(a.added_findings().len(), 1);
}

#[test]
fn allow_file_covers_the_whole_file_only_from_the_top() {
    let top =
        "# twokey:allow-file terraform/* -- scratch module\n# more\n\nresource \"a\" \"b\" {}\n";
    let file = change(FileStatus::Modified, vec![]);
    let a = FileAllows::from_texts(&file, Some(top), Some(top), || Cow::Borrowed(&file.hunks));
    assert!(a.covering(&finding(Side::Base, 40)).is_some());
    let mut whole = finding(Side::Head, 1);
    whole.location.line = None;
    assert!(a.covering(&whole).is_some());
    let late = "resource \"a\" \"b\" {}\n# twokey:allow-file terraform/* -- too late\n";
    let a = FileAllows::from_texts(&file, Some(late), Some(late), || Cow::Borrowed(&file.hunks));
    assert!(a.covering(&finding(Side::Base, 3)).is_none());
    assert!(matches!(&a.base[0].parsed, Err(e) if e.contains("before any code")));
}

#[test]
fn a_malformed_allow_added_by_the_change_is_reported_as_such() {
    let head = "# twokey:allow terraform/resource-removed\nresource \"a\" \"b\" {}\n";
    let file = change(FileStatus::Added, vec![]);
    let a = FileAllows::from_texts(&file, None, Some(head), || Cow::Borrowed(&file.hunks));
    let added = a.added_findings();
    assert_eq!(added[0].rule, MALFORMED_ALLOW.id);
    assert!(
        added[0].message.contains("no reason"),
        "{}",
        added[0].message
    );
}

struct NoFiles;
impl Snapshot for NoFiles {
    fn read(&self, _: Side, _: &RepoPath) -> Content {
        Content::Absent
    }
    fn list_dir(&self, _: Side, _: &str) -> Vec<RepoPath> {
        Vec::new()
    }
}

#[test]
fn a_wildcard_allow_never_covers_a_rule_that_fails_closed() {
    let text = "# twokey:allow-file * -- everything here is scratch
resource \"a\" \"b\" {}\n";
    let file = change(FileStatus::Modified, vec![]);
    let scanned =
        FileAllows::from_texts(&file, Some(text), Some(text), || Cow::Borrowed(&file.hunks));
    let mut findings = vec![
        finding(Side::Base, 2),
        Finding::new(
            &crate::analyze::terraform::UNPARSEABLE,
            Location::file(RepoPath::new("infra/main.tf"), Side::Head),
            "m",
        ),
    ];
    let c = change_of(vec![file]);
    let added = apply(
        &mut findings,
        vec![scanned],
        &NoFiles,
        &c,
        &Config::builtin(),
    );
    assert!(findings[0].allowed.is_some());
    assert!(findings[1].allowed.is_none(), "unparseable fails closed");
    assert!(added.is_empty(), "nothing added: the allow is on the base");
}

#[test]
fn a_file_settles_its_own_findings_and_leaves_the_others_to_apply() {
    // main.tf has an allow on its base and adds another; a finding of main.tf's review
    // points at sibling.tf, which holds an allow of its own on both sides.
    let base = format!("{ALLOW}resource \"a\" \"b\" {{}}\n");
    let head = format!("{ALLOW}resource \"a\" \"b\" {{}}\n# twokey:allow sql/drop-table -- new\n");
    let main = change(
        FileStatus::Modified,
        vec![Hunk {
            old_start: 2,
            old_lines: 0,
            new_start: 3,
            new_lines: 1,
        }],
    );
    let main_allows = FileAllows::from_texts(&main, Some(&base), Some(&head), || {
        Cow::Borrowed(&main.hunks)
    });
    let mut sibling = change(FileStatus::Modified, vec![]);
    sibling.old_path = Some(RepoPath::new("infra/sibling.tf"));
    sibling.new_path = Some(RepoPath::new("infra/sibling.tf"));
    let sibling_text = format!("{ALLOW}resource \"a\" \"c\" {{}}\n");
    let sibling_allows =
        FileAllows::from_texts(&sibling, Some(&sibling_text), Some(&sibling_text), || {
            Cow::Borrowed(&[])
        });
    let mut in_sibling = finding(Side::Base, 2);
    in_sibling.location.path = RepoPath::new("infra/sibling.tf");
    let mut findings = vec![finding(Side::Base, 2), in_sibling, finding(Side::Head, 9)];

    let config = Config::builtin();
    let elsewhere = settle_in_file(Some(&main_allows), &mut findings, &config);
    assert_eq!(findings.len(), 4, "three findings and the added allow");
    assert!(
        findings[0].allowed.is_some(),
        "covered by main.tf's base allow"
    );
    assert!(findings[2].allowed.is_none(), "line 9 is out of reach");
    assert_eq!(findings[3].rule, ALLOW_ADDED.id);
    assert_eq!(
        elsewhere,
        [1],
        "the finding in sibling.tf stays where it is"
    );
    assert!(findings[1].allowed.is_none(), "not main.tf's to settle");

    let c = change_of(vec![main, sibling]);
    let added = apply(
        [&mut findings[1]],
        vec![main_allows, sibling_allows],
        &NoFiles,
        &c,
        &config,
    );
    assert!(
        added.is_empty(),
        "a scanned file's added allow is not reported twice"
    );
    let by = findings[1]
        .allowed
        .as_ref()
        .expect("covered by sibling.tf's allow");
    assert_eq!(by.at, "infra/sibling.tf:1");

    // Without its text, a file settles nothing itself.
    let mut unread = vec![finding(Side::Base, 2), finding(Side::Head, 3)];
    assert_eq!(settle_in_file(None, &mut unread, &config), [0, 1]);
    assert!(unread.iter().all(|f| f.allowed.is_none()));
}

#[test]
fn object_patterns() {
    assert!(object_matches(
        "*/Namespace/preview-*",
        "Namespace/preview-42"
    ));
    assert!(object_matches(
        "Namespace/preview-*",
        "Namespace/preview-42"
    ));
    assert!(object_matches("web/Deployment/*", "web/Deployment/api"));
    assert!(object_matches("Deployment/api", "web/Deployment/api"));
    assert!(!object_matches("web/Deployment/*", "db/Deployment/api"));
    assert!(!object_matches("Deployment", "web/Deployment/api"));
    assert!(!object_matches("*/Namespace/preview-*", "Namespace/prod"));
}

proptest! {
    #[test]
    fn random_lines_never_panic(line in "\\PC{0,120}") {
        let _ = parse_line(&line);
        let _ = directives(&line);
    }

    #[test]
    fn lines_around_the_marker_never_panic(
        pre in "[#/*<!-; ]{0,6}", post in "(-file)?[ a-z/*-]{0,40}(\\*/|-->)?"
    ) {
        let _ = parse_line(&format!("{pre}twokey:allow{post}"));
    }

    #[test]
    fn a_written_allow_reads_back_to_its_parts(
        opener in prop::sample::select(vec!["#", "//", "--", "/*", "<!--"]),
        pattern in "[a-z*][a-z/*-]{0,30}",
        reason in "[A-Za-z0-9][A-Za-z0-9 .,:-]{0,60}",
        file in any::<bool>(),
    ) {
        let reason = reason.trim().to_owned();
        let closer = match opener { "/*" => " */", "<!--" => " -->", _ => "" };
        let kw = if file { "twokey:allow-file" } else { "twokey:allow" };
        let line = format!("{opener} {kw} {pattern} -- {reason}{closer}");
        let d = split(&line).expect("a directive").expect("well formed");
        prop_assert_eq!(d.scope, if file { Scope::File } else { Scope::Line });
        prop_assert_eq!(d.pattern, pattern);
        prop_assert_eq!(d.reason, reason);
    }

    #[test]
    fn a_catalogue_rule_reads_back_through_parse_line(
        i in 0usize..1000, reason in "[A-Za-z0-9][A-Za-z0-9 .-]{0,40}"
    ) {
        let allowable: Vec<&Rule> = crate::rules::catalogue()
            .into_iter()
            .filter(|r| allowable(r.id.as_str()))
            .collect();
        let rule = allowable[i % allowable.len()];
        let reason = reason.trim().to_owned();
        let d = parse_line(&format!("# twokey:allow {} -- {reason}", rule.id))
            .expect("a directive")
            .expect("well formed");
        prop_assert_eq!(d.pattern.as_str(), rule.id.as_str());
        prop_assert_eq!(d.reason, reason);
    }
}
