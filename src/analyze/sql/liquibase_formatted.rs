//! Liquibase formatted SQL (`--liquibase formatted sql`, then `--changeset author:id attr:value`
//! lines). The statement comparison of the sql analyzer sees only new statements; Liquibase
//! also runs statements that did not change when their changeSet gets a new identity, is marked
//! `runAlways`, is `runOnChange` and edited, or has its `context`/`labels` widened. This module
//! finds those changeSets' line ranges in the head; deciding when a changeSet runs is shared
//! with the XML/YAML changelogs ([`crate::analyze::orm::liquibase_rerun`]).

use crate::analyze::orm::liquibase_rerun::{runs, RunSettings, Runs};
use crate::analyze::FileView;
use crate::change::Side;

/// A head changeSet that runs although its statements may all have been there before.
pub(super) struct Rerun {
    first: u32,
    last: u32,
    pub why: String,
}

impl Rerun {
    pub fn holds(&self, line: u32) -> bool {
        (self.first..=self.last).contains(&line)
    }
}

struct Header {
    identity: String,
    settings: RunSettings,
    first: u32,
    last: u32,
    /// The statements, comments and blank lines dropped and spaces squeezed: what the
    /// checksum covers (`--rollback` lines are comments).
    body: String,
}

/// Whether a SQL file is a Liquibase formatted changelog: its first line says so.
pub(super) fn is_formatted(text: &str) -> bool {
    text.lines()
        .find(|l| !l.trim().is_empty())
        .is_some_and(|l| marker(l, "liquibase formatted sql").is_some())
}

/// `rest` after `--` and `keyword` (case-insensitive, spaces allowed after the dashes).
fn marker<'a>(line: &'a str, keyword: &str) -> Option<&'a str> {
    let rest = line.trim_start().strip_prefix("--")?.trim_start();
    let head = rest.get(..keyword.len())?;
    head.eq_ignore_ascii_case(keyword)
        .then(|| &rest[keyword.len()..])
}

/// `key:value` pairs of a changeset line; a value may be quoted to hold spaces.
fn attributes(mut rest: &str) -> Vec<(String, String)> {
    let mut out = Vec::new();
    loop {
        rest = rest.trim_start();
        let Some((key, after)) = rest.split_once(':') else {
            return out;
        };
        if key.contains(char::is_whitespace) {
            return out;
        }
        let (value, next) = match after.strip_prefix('"') {
            Some(quoted) => quoted.split_once('"').unwrap_or((quoted, "")),
            None => after.split_once(char::is_whitespace).unwrap_or((after, "")),
        };
        out.push((key.to_owned(), value.to_owned()));
        rest = next;
    }
}

fn headers(text: &str) -> Vec<Header> {
    let mut out: Vec<Header> = Vec::new();
    for (index, line) in text.lines().enumerate() {
        let number = u32::try_from(index + 1).unwrap_or(u32::MAX);
        if let Some(rest) = marker(line, "changeset") {
            let mut words = rest.trim().splitn(2, char::is_whitespace);
            let identity = words.next().unwrap_or("").to_owned();
            let attrs = attributes(words.next().unwrap_or(""));
            let settings = RunSettings::from_attributes(|key| {
                attrs
                    .iter()
                    .find(|(k, _)| k == key)
                    .map(|(_, v)| v.as_str())
            });
            out.push(Header {
                identity,
                settings,
                first: number,
                last: number,
                body: String::new(),
            });
        } else if let Some(open) = out.last_mut() {
            open.last = number;
            let code = line.trim();
            if !code.is_empty() && !code.starts_with("--") {
                open.body
                    .push_str(&code.split_whitespace().collect::<Vec<_>>().join(" "));
                open.body.push('\n');
            }
        }
    }
    out
}

/// The head changeSets that run although the statement comparison may call their
/// statements old. Empty unless the head is a formatted changelog.
pub(super) fn reruns(view: &FileView) -> Vec<Rerun> {
    let head = view.new_text().unwrap_or_default();
    let moved = view.old_text().and_then(|_| {
        crate::analyze::orm::liquibase_rerun::moved(
            view.path_on(Side::Base).as_str(),
            view.path_on(Side::Head).as_str(),
            head,
        )
    });
    compare(view.old_text(), head, moved)
}

fn compare(base: Option<&str>, head: &str, moved: Option<String>) -> Vec<Rerun> {
    if !is_formatted(head) {
        return Vec::new();
    }
    let base = base
        .filter(|b| is_formatted(b))
        .map(headers)
        .unwrap_or_default();
    headers(head)
        .into_iter()
        .filter_map(|set| {
            let before = base.iter().find(|b| b.identity == set.identity);
            let changed = before.is_some_and(|b| b.body != set.body);
            let verdict = match &moved {
                Some(why) => Runs::Again(why.clone()),
                None => runs(before.map(|b| &b.settings), &set.settings, changed),
            };
            let why = match verdict {
                Runs::Again(why) => why,
                Runs::New => format!("Liquibase has no record of the changeSet {}, so it runs it, even where the same statements already ran under another author or id.", set.identity),
                Runs::Edited | Runs::No => return None,
            };
            Some(Rerun {
                first: set.first,
                last: set.last,
                why,
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    const BASE: &str = "--liquibase formatted sql\n\n--changeset ana:1\nCREATE TABLE t (id int);\n\n--changeset ana:2 context:dev\nDELETE FROM t;\n";

    fn lines(base: &str, head: &str) -> Vec<(u32, u32)> {
        compare(Some(base), head, None)
            .iter()
            .map(|r| (r.first, r.last))
            .collect()
    }

    #[test]
    fn unchanged_and_edited_change_sets_do_not_rerun() {
        assert!(lines(BASE, BASE).is_empty());
        assert!(lines(
            BASE,
            &BASE.replace("DELETE FROM t;", "DELETE FROM t WHERE id = 1;")
        )
        .is_empty());
        assert!(lines(
            BASE,
            &BASE.replace("--changeset ana:1", "--changeset ana:1\n--comment: table")
        )
        .is_empty());
    }

    #[test]
    fn a_new_id_run_always_or_a_widened_context_reruns_the_change_set() {
        assert_eq!(lines(BASE, &BASE.replace("ana:2", "ana:2b")), [(6, 7)]);
        assert_eq!(
            lines(
                BASE,
                &BASE.replace("context:dev", "context:dev runAlways:true")
            ),
            [(6, 7)]
        );
        let widened = BASE.replace("context:dev", "context:\"dev or prod\"");
        let found = compare(Some(BASE), &widened, None);
        assert!(found[0].why.contains("`dev or prod`"), "{}", found[0].why);
    }

    #[test]
    fn plain_sql_files_are_not_changelogs() {
        let plain = "-- changeset notes\nDELETE FROM t;\n";
        assert!(!is_formatted(plain));
        assert!(compare(None, plain, None).is_empty());
    }
}
