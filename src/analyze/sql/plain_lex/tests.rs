use super::*;
use proptest::prelude::*;
use sqlparser::tokenizer::Tokenizer;

const DIALECTS: [DialectName; 5] = [
    DialectName::Generic,
    DialectName::Postgres,
    DialectName::MySql,
    DialectName::Sqlite,
    DialectName::MsSql,
];

fn sqlparser_tokens(text: &str, dialect: DialectName) -> Option<Vec<TokenWithSpan>> {
    Tokenizer::new(dialect.dialect().as_ref(), text)
        .tokenize_with_location()
        .ok()
}

/// The fast path answers for `text` in every default dialect, and says what sqlparser says.
fn assert_same(text: &str) {
    for dialect in DIALECTS {
        let ours = tokens(text, dialect)
            .unwrap_or_else(|| panic!("{dialect:?} gave up on plain text {text:?}"));
        assert_eq!(
            Some(ours),
            sqlparser_tokens(text, dialect),
            "{dialect:?} on {text:?}"
        );
    }
}

#[test]
fn a_plain_migration_gives_sqlparsers_tokens_and_spans() {
    assert_same(
        "-- add the billing columns\nALTER TABLE public.accounts ADD COLUMN plan varchar(32) NOT NULL DEFAULT 'free';\n\
         CREATE INDEX accounts_plan ON accounts (plan, created_at);\n\tUPDATE accounts SET plan = 'pro' WHERE id = 42;\n\
         INSERT INTO t (a, b) VALUES (1, 'two\nlines'), (3 + 4, '');\nSELECT count(*) FROM t;",
    );
    assert_same("");
    assert_same("DROP TABLE users");
}

#[test]
fn words_read_as_keywords_whatever_their_case_and_others_as_names() {
    let words = tokens("Alter tAbLe orders_2024 add", DialectName::Postgres).unwrap();
    let keywords: Vec<Keyword> = words
        .iter()
        .filter_map(|t| match &t.token {
            Token::Word(w) => Some(w.keyword),
            _ => None,
        })
        .collect();
    assert_eq!(
        keywords,
        [
            Keyword::ALTER,
            Keyword::TABLE,
            Keyword::NoKeyword,
            Keyword::ADD
        ]
    );
}

#[test]
fn every_keyword_fits_the_lookup_buffer() {
    assert!(ALL_KEYWORDS.iter().all(|k| k.len() <= 64));
    assert_eq!(keyword("current_timestamp"), Keyword::CURRENT_TIMESTAMP);
    assert_eq!(keyword(&"x".repeat(70)), Keyword::NoKeyword);
}

#[test]
fn what_the_plain_subset_does_not_cover_is_left_to_sqlparser() {
    for text in [
        "SELECT E'a\\n'",
        "SELECT N'x'",
        "SELECT 'it''s'",
        "SELECT 'a\\b'",
        "SELECT 'open",
        "COPY t FROM stdin;\n1\t2\n\\.\n",
        "SELECT 1.5",
        "SELECT .5",
        "SELECT t.1",
        "SELECT 0x1F",
        "SELECT 1e5",
        "SELECT 12abc",
        "/* c */ SELECT 1",
        "DO $$ BEGIN END $$",
        "SELECT \"Quoted\"",
        "SELECT [x]",
        "SELECT `x`",
        "SELECT café",
        "SELECT 1;\r\n",
        "-- c\r\nSELECT 1",
        "--x\nSELECT 1",
        "SELECT a - b",
        "SELECT a => b",
        "SELECT a == b",
        "SELECT @v",
        "SELECT _x",
        "SELECT x$",
        "SELECT a <> b",
        "SELECT 1 / 2",
        "# mysql comment\nSELECT 1",
    ] {
        for dialect in DIALECTS {
            assert_eq!(tokens(text, dialect), None, "{dialect:?} on {text:?}");
        }
    }
    assert_eq!(tokens("SELECT 1", DialectName::Snowflake), None);
}

/// Pieces of plain SQL, some of which change meaning when glued together (`e` then `'a b'`
/// is an escaped string, `1` then `x` a MySQL name).
const EDGES: &[&str] = &[
    "ALTER", "table", "Users", "add", "c_1", "x", "e", "E", "n", "N", "b", "X", "u", "U", "r", "q",
    "drop", "1", "0", "42", " ", " ", "\t", "\n", "(", ")", ",", ";", "*", "+", "=", ".", "'",
    "'a b'", "''", "'\n'", "'é'", "-- note", "-- é", "--",
];

/// Pieces next to plain SQL that are not plain.
const OTHERS: &[&str] = &[
    "copy", "\r", "\\", "-", "/", "$", "$$", "@", "#", "\"", "`", "[", "]", "_", "é", "<", ">",
    ":", "?", "&", "|", "0x", "1.5", "e5",
];

fn text_of(picks: &[usize]) -> String {
    picks
        .iter()
        .map(|&i| {
            EDGES
                .get(i)
                .copied()
                .unwrap_or_else(|| OTHERS[i - EDGES.len()])
        })
        .collect()
}

fn agrees(text: &str) -> Result<(), TestCaseError> {
    for dialect in DIALECTS {
        if let Some(ours) = tokens(text, dialect) {
            prop_assert_eq!(
                Some(ours),
                sqlparser_tokens(text, dialect),
                "{:?} on {:?}",
                dialect,
                text
            );
        }
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2048))]

    /// Whenever the fast path answers, sqlparser's tokenizer answers the same, spans included:
    /// on plain pieces glued in every order, where the fast path mostly answers...
    #[test]
    fn the_fast_path_never_disagrees_with_sqlparser_on_plain_pieces(
        picks in proptest::collection::vec(0..EDGES.len(), 0..24),
    ) {
        agrees(&text_of(&picks))?;
    }

    /// ...and with the pieces next to them mixed in, where it must know to give up.
    #[test]
    fn the_fast_path_never_disagrees_with_sqlparser_on_mixed_text(
        picks in proptest::collection::vec(0..EDGES.len() + OTHERS.len(), 0..24),
    ) {
        agrees(&text_of(&picks))?;
    }

    /// Text of plain pieces alone is always taken by the fast path, and agrees.
    #[test]
    fn plain_text_is_always_taken(
        picks in proptest::collection::vec(0..12usize, 0..24),
    ) {
        const PLAIN: [&str; 12] = [" ALTER", " table", " t_1", " ADD", " 42", " (", ")", ",", ";", "\n", " 'v al'", "\n-- note\n"];
        let text: String = picks.iter().map(|&i| PLAIN[i]).collect();
        assert_same(&text);
    }
}
