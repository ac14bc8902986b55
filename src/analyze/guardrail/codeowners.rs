//! codeowners: what a CODEOWNERS edit takes away. Each line is a pattern and the owners
//! whose review it requires; a pattern dropped, or an owner dropped from one, no longer
//! requires that review. A pattern added later in the file takes precedence over earlier
//! ones for the paths it matches, so it can also hand those paths to other owners.

use std::collections::{BTreeSet, HashMap};

/// One rule of the file: a pattern and its owners, in file order.
struct Entry<'a> {
    pattern: &'a str,
    owners: BTreeSet<&'a str>,
}

/// The rules of a CODEOWNERS file. Comments and blank lines say nothing; GitLab's section
/// headers (`[Section]`, `^[Optional]`) group rules but are not rules.
fn entries(text: &str) -> Vec<Entry<'_>> {
    text.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .filter(|l| !l.starts_with('[') && !l.starts_with("^["))
        .filter_map(|l| {
            let mut words = l.split_whitespace();
            let pattern = words.next()?;
            let owners = words.take_while(|w| !w.starts_with('#')).collect();
            Some(Entry { pattern, owners })
        })
        .collect()
}

/// What the head no longer requires that the base did, as short phrases (at most `limit`,
/// then how many more).
pub(super) fn losses(base: &str, head: &str, limit: usize) -> Vec<String> {
    let before = entries(base);
    // The head's owners by pattern, lower-cased (logins and teams ignore case); the last rule
    // for a pattern is the one that applies, so it overwrites earlier ones.
    let after: HashMap<&str, BTreeSet<String>> = entries(head)
        .into_iter()
        .map(|e| {
            let owners = e.owners.iter().map(|o| o.to_ascii_lowercase()).collect();
            (e.pattern, owners)
        })
        .collect();
    let mut out = Vec::new();
    let mut seen = BTreeSet::new();
    for entry in before.iter().rev() {
        if !seen.insert(entry.pattern) || entry.owners.is_empty() {
            continue;
        }
        let list = |owners: &[&str]| owners.join(" ");
        match after.get(entry.pattern) {
            None => out.push(format!(
                "`{}` no longer requires {}",
                entry.pattern,
                list(&entry.owners.iter().copied().collect::<Vec<_>>())
            )),
            Some(now) => {
                let lost: Vec<&str> = entry
                    .owners
                    .iter()
                    .copied()
                    .filter(|o| !now.contains(&o.to_ascii_lowercase()))
                    .collect();
                if !lost.is_empty() {
                    out.push(format!(
                        "`{}` no longer requires {}",
                        entry.pattern,
                        list(&lost)
                    ));
                }
            }
        }
    }
    out.reverse();
    out.extend(takeovers(&before, &entries(head)));
    if out.len() > limit {
        let more = out.len() - limit;
        out.truncate(limit);
        out.push(format!("{more} more"));
    }
    out
}

/// Rules the head adds after a rule the base already had, for paths both may match: the
/// last match wins, so those paths stop requiring the older rule's owners. The catch-all
/// (`*`) is skipped when the new rule names owners, since handing a new directory to its
/// team is the file's everyday edit; a rule without owners takes the catch-all's review too.
fn takeovers(before: &[Entry<'_>], head: &[Entry<'_>]) -> Vec<String> {
    let known: BTreeSet<&str> = before.iter().map(|e| e.pattern).collect();
    let mut out = Vec::new();
    for (k, added) in head.iter().enumerate() {
        if known.contains(added.pattern) {
            continue;
        }
        let owners: BTreeSet<String> = added
            .owners
            .iter()
            .map(|o| o.to_ascii_lowercase())
            .collect();
        for older in &head[..k] {
            let catch_all = matches!(older.pattern, "*" | "/*" | "**" | "/**");
            if !known.contains(older.pattern)
                || older.pattern == added.pattern
                || (catch_all && !owners.is_empty())
                || !may_overlap(added.pattern, older.pattern)
            {
                continue;
            }
            let lost: Vec<&str> = older
                .owners
                .iter()
                .copied()
                .filter(|o| !owners.contains(&o.to_ascii_lowercase()))
                .collect();
            if lost.is_empty() {
                continue;
            }
            let to = if added.owners.is_empty() {
                "no one".to_owned()
            } else {
                added.owners.iter().copied().collect::<Vec<_>>().join(" ")
            };
            out.push(format!(
                "`{}`, added after `{}`, hands the paths both match from {} to {to}",
                added.pattern,
                older.pattern,
                lost.join(" ")
            ));
        }
    }
    out
}

/// Whether two CODEOWNERS patterns can match a path in common, erring towards yes. Only two
/// patterns rooted at the top (a `/` at the start or inside) whose fixed leading parts
/// diverge, like `/infra/` and `/docs/`, are known apart; a pattern that can match at any
/// depth (`*.tf`, `docs/`) may meet any other.
fn may_overlap(a: &str, b: &str) -> bool {
    let rooted = |p: &str| p.trim_end_matches('/').contains('/');
    if !rooted(a) || !rooted(b) {
        return true;
    }
    let fixed = |p: &'_ str| -> String {
        let p = p.trim_start_matches('/');
        let end = p.find(['*', '?', '[']).unwrap_or(p.len());
        p[..end].to_owned()
    };
    let (a, b) = (fixed(a), fixed(b));
    a.starts_with(&b) || b.starts_with(&a)
}

#[cfg(test)]
mod tests {
    use super::losses;
    use proptest::prelude::*;

    const BASE: &str = "\
# Platform owns the infrastructure.
*            @acme/reviewers
/infra/      @acme/platform @alice
/db/         @acme/dba   # schema changes
[Docs]
/docs/       @acme/writers
";

    #[test]
    fn dropped_patterns_and_owners_are_named() {
        let head = BASE
            .replace("/infra/      @acme/platform @alice", "/infra/      @alice")
            .replace("/db/         @acme/dba   # schema changes\n", "");
        assert_eq!(
            losses(BASE, &head, 5),
            [
                "`/infra/` no longer requires @acme/platform",
                "`/db/` no longer requires @acme/dba"
            ]
        );
    }

    #[test]
    fn reordering_recasing_comments_and_new_owners_take_nothing_away() {
        let head = format!(
            "{}\n/billing/ @acme/payments\n",
            BASE.replace("@acme/platform", "@Acme/Platform @bob")
                .replace("# schema changes", "")
        );
        assert!(losses(BASE, &head, 5).is_empty());
        assert!(losses("", BASE, 5).is_empty());
    }

    #[test]
    fn a_rule_added_after_an_owned_one_names_the_paths_it_takes_over() {
        let head = format!("{BASE}*.tf @mallory\n/db/migrations/\n/docs/ @acme/writers @bob\n");
        assert_eq!(
            losses(BASE, &head, 9),
            [
                "`*.tf`, added after `/infra/`, hands the paths both match from @acme/platform @alice to @mallory",
                "`*.tf`, added after `/db/`, hands the paths both match from @acme/dba to @mallory",
                "`*.tf`, added after `/docs/`, hands the paths both match from @acme/writers to @mallory",
                "`/db/migrations/`, added after `*`, hands the paths both match from @acme/reviewers to no one",
                "`/db/migrations/`, added after `/db/`, hands the paths both match from @acme/dba to no one",
            ]
        );
        // Rules rooted apart (`/billing/` and `/infra/`) share no path, a new directory
        // handed to its team from the catch-all takes no owner's review away, and a narrower
        // rule keeping the same owners (in any case) keeps their review.
        let head =
            format!("{BASE}/billing/ @acme/payments\n/infra/modules/ @acme/platform @Alice\n");
        assert!(
            losses(BASE, &head, 9).is_empty(),
            "{:?}",
            losses(BASE, &head, 9)
        );
    }

    #[test]
    fn patterns_overlap_unless_rooted_apart() {
        assert!(super::may_overlap("*.tf", "/infra/"));
        assert!(super::may_overlap("/infra/db/", "/infra/"));
        assert!(super::may_overlap("/infra/*.tf", "/infra/"));
        assert!(super::may_overlap("docs/", "/infra/"));
        assert!(!super::may_overlap("/billing/", "/infra/"));
        assert!(!super::may_overlap("/a/b/c", "/a/x/"));
    }

    #[test]
    fn many_losses_are_cut_short() {
        let base: String = (0..9).map(|i| format!("/p{i}/ @o{i}\n")).collect();
        let got = losses(&base, "", 3);
        assert_eq!(got.len(), 4);
        assert_eq!(got[3], "6 more");
    }

    proptest! {
        #[test]
        fn a_file_compared_with_itself_loses_nothing(text in "[ -~\n]{0,200}") {
            prop_assert!(losses(&text, &text, 5).is_empty());
        }
    }
}
