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
    if out.len() > limit {
        let more = out.len() - limit;
        out.truncate(limit);
        out.push(format!("{more} more"));
    }
    out
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
