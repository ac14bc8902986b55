//! readme: the README's internal links, and the sections the built-in config points readers
//! to, name headings that exist.

const README: &str = include_str!("../README.md");
const DEFAULT_CONFIG: &str = include_str!("../config/default.yml");

/// GitHub's anchor for a heading: lower case, punctuation dropped, spaces as hyphens.
fn anchor(heading: &str) -> String {
    heading
        .to_lowercase()
        .chars()
        .filter(|c| c.is_alphanumeric() || matches!(c, '-' | '_' | ' '))
        .map(|c| if c == ' ' { '-' } else { c })
        .collect()
}

fn headings() -> Vec<&'static str> {
    let mut in_code = false;
    let mut out = Vec::new();
    for line in README.lines() {
        if line.starts_with("```") {
            in_code = !in_code;
        } else if !in_code && line.starts_with('#') {
            out.push(line.trim_start_matches('#').trim());
        }
    }
    out
}

/// The text after each `open` up to the next `close`.
fn between<'a>(text: &'a str, open: &str, close: char) -> Vec<&'a str> {
    text.split(open)
        .skip(1)
        .filter_map(|rest| rest.split_once(close).map(|(inside, _)| inside))
        .collect()
}

#[test]
fn every_internal_link_in_the_readme_names_a_heading() {
    let anchors: Vec<String> = headings().into_iter().map(anchor).collect();
    let links = between(README, "](#", ')');
    assert!(!links.is_empty());
    for link in links {
        assert!(
            anchors.iter().any(|a| a == link),
            "README links to #{link}, but no heading has that anchor: {anchors:?}"
        );
    }
}

#[test]
fn the_sections_the_default_config_names_are_in_the_readme() {
    let headings = headings();
    let named = between(DEFAULT_CONFIG, "README, \"", '"');
    assert!(!named.is_empty());
    for section in named {
        assert!(
            headings.contains(&section),
            "config/default.yml points to the README's \"{section}\", which has no such heading"
        );
    }
}

#[test]
fn anchors_follow_github() {
    assert_eq!(
        anchor("The JSON report (`--format json`), schema version 1"),
        "the-json-report---format-json-schema-version-1"
    );
    assert_eq!(anchor("Allowing a finding"), "allowing-a-finding");
}
