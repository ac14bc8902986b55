//! branch_pattern: GitHub's branch protection patterns (fnmatch), and whether a new pattern
//! still protects every branch an old one did. A changed pattern that stops covering a
//! branch loosens its protection (see [`protection`](super::protection)).

/// GitHub's branch pattern syntax (fnmatch): `*` any run of characters but `/`, `**` any
/// run, `?` one character but `/`. `None` for bracket expressions, which are not judged.
/// Only the tests match branches; they check [`covers`] against it.
#[cfg(test)]
fn glob_match(pattern: &str, text: &str) -> Option<bool> {
    if pattern.contains('[') {
        return None;
    }
    let text: Vec<Token> = text.chars().map(Token::Char).collect();
    Some(matches(&tokens(pattern, false), &text))
}

/// A piece of a branch pattern.
#[derive(Clone, Copy, PartialEq)]
enum Token {
    Char(char),
    /// `?`: one character, so a non-ASCII branch name counts as GitHub counts it.
    One,
    /// `*`
    Star,
    /// `**`
    Stars,
    /// A bracket expression `[…]`, only when read as a pattern that is covered.
    Class,
}

fn tokens(pattern: &str, classes: bool) -> Vec<Token> {
    let mut out = Vec::new();
    let mut rest = pattern.chars().peekable();
    while let Some(c) = rest.next() {
        let token = match c {
            '*' if rest.next_if_eq(&'*').is_some() => Token::Stars,
            '*' => Token::Star,
            '?' => Token::One,
            '[' if classes && rest.clone().any(|c| c == ']') => {
                rest.by_ref().find(|&c| c == ']');
                Token::Class
            }
            c => Token::Char(c),
        };
        out.push(token);
    }
    out
}

/// Whether the pattern `p` matches everything `t` does, `t` being text (characters only) or
/// itself a pattern. Each wildcard of `p` takes only what it is sure to match: `**`
/// anything, `*` a run without `/` or `**`, `?` one character or `?` other than `/`. Memoised,
/// so that many stars take polynomial time.
fn matches(p: &[Token], t: &[Token]) -> bool {
    fn go(p: &[Token], t: &[Token], i: usize, j: usize, seen: &mut [Option<bool>]) -> bool {
        let at = i * (t.len() + 1) + j;
        if let Some(known) = seen[at] {
            return known;
        }
        let no_slash = |k: usize| match t[k] {
            Token::Char(c) => c != '/',
            Token::One | Token::Star => true,
            Token::Stars | Token::Class => false,
        };
        let result = match p.get(i) {
            None => j == t.len(),
            Some(Token::Stars) => (j..=t.len()).any(|k| go(p, t, i + 1, k, seen)),
            Some(Token::Star) => (j..=t.len())
                .take_while(|&k| k == j || no_slash(k - 1))
                .any(|k| go(p, t, i + 1, k, seen)),
            Some(Token::One) => {
                j < t.len()
                    && matches!(t[j], Token::Char(_) | Token::One)
                    && no_slash(j)
                    && go(p, t, i + 1, j + 1, seen)
            }
            Some(token) => j < t.len() && t[j] == *token && go(p, t, i + 1, j + 1, seen),
        };
        seen[at] = Some(result);
        result
    }
    let mut seen = vec![None; (p.len() + 1) * (t.len() + 1)];
    go(p, t, 0, 0, &mut seen)
}

/// Whether the branch pattern `now` matches every branch `was` matches (when it cannot tell,
/// no). A bracket expression in `was` is covered only by a `**` (or the same text); one in
/// `now` is not judged.
pub(super) fn covers(now: &str, was: &str) -> bool {
    now == was || (!now.contains('[') && matches(&tokens(now, false), &tokens(was, true)))
}

#[cfg(test)]
mod tests {
    use super::glob_match;

    #[test]
    fn branch_patterns_match_as_github_matches_them() {
        assert_eq!(glob_match("main", "main"), Some(true));
        assert_eq!(glob_match("*", "main"), Some(true));
        assert_eq!(glob_match("*", "release/v1"), Some(false));
        assert_eq!(glob_match("**", "release/v1"), Some(true));
        assert_eq!(glob_match("release/*", "release/v1"), Some(true));
        assert_eq!(glob_match("rel?ase/*", "release/v1"), Some(true));
        assert_eq!(glob_match("[mr]ain", "main"), None);
        // `?` is one character, however many bytes it takes.
        assert_eq!(glob_match("caf?", "café"), Some(true));
        assert_eq!(glob_match("caf??", "café"), Some(false));
        assert_eq!(glob_match("rel-?/*", "rel-é/v1"), Some(true));
    }

    mod properties {
        use super::super::{covers, glob_match};
        use proptest::prelude::*;

        proptest! {
            #[test]
            fn a_literal_pattern_matches_itself_and_nothing_else(
                pattern in "[a-z0-9/._-]{1,12}",
                other in "[a-z0-9/._-]{0,12}",
            ) {
                prop_assert_eq!(glob_match(&pattern, &pattern), Some(true));
                prop_assert_eq!(glob_match(&pattern, &other), Some(pattern == other));
            }

            #[test]
            fn a_single_star_never_crosses_a_slash_and_a_double_one_does(
                pattern in "[ab/*?]{0,8}",
                branch in "[ab/]{0,10}",
            ) {
                let matched = glob_match(&pattern, &branch) == Some(true);
                if matched && !pattern.contains("**") {
                    prop_assert_eq!(pattern.matches('/').count(), branch.matches('/').count());
                }
                prop_assert_eq!(glob_match("**", &branch), Some(true));
                prop_assert_eq!(glob_match("*", &branch), Some(!branch.contains('/')));
                // Widening a pattern's every star to `**` keeps what it matched.
                if matched {
                    let wide = pattern.replace('*', "**");
                    prop_assert_eq!(glob_match(&wide, &branch), Some(true));
                }
            }

            #[test]
            fn a_pattern_said_to_cover_another_matches_every_branch_it_matched(
                was in "[ab/*?]{0,6}",
                now in "[ab/*?]{0,6}",
                branches in proptest::collection::vec("[ab/]{0,6}", 1..16),
            ) {
                if covers(&now, &was) {
                    for b in &branches {
                        if glob_match(&was, b) == Some(true) {
                            prop_assert_eq!(glob_match(&now, b), Some(true), "{} covers {} but not {}", now, was, b);
                        }
                    }
                }
                prop_assert!(covers(&was, &was) || was.contains('['));
            }

            #[test]
            fn arbitrary_patterns_never_panic(pattern in "\\PC{0,16}", branch in "\\PC{0,16}") {
                let _ = glob_match(&pattern, &branch);
                let _ = covers(&pattern, &branch);
            }
        }

        #[test]
        fn many_stars_are_matched_in_polynomial_time() {
            let pattern = "*a".repeat(20) + "*b";
            let branch = "a".repeat(60);
            assert_eq!(glob_match(&pattern, &branch), Some(false));
            assert_eq!(
                glob_match(&pattern.replace('*', "**"), &branch),
                Some(false)
            );
        }

        #[test]
        fn narrowing_a_double_star_is_not_covered() {
            // Found by the properties: `*` matched the text `**`, so `release/**` → `release/*`
            // was taken to cover what it covered, though it stops covering `release/a/b`.
            assert!(!covers("release/*", "release/**"));
            assert!(!covers("?", "*"));
            assert!(covers("release/**", "release/*"));
            assert!(covers("*", "?"));
            assert!(covers("**", "[mr]ain"));
            assert!(!covers("*", "[mr]ain"));
        }
    }
}
