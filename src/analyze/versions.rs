//! versions: which release line a version, or the lowest version a constraint admits, belongs
//! to, so a major upgrade can be told from a routine bump. Terraform constraints (`~> 5.0`,
//! `>= 5.0, < 6.0`), Helm and Flux ranges (`17.x.x`, `^9.4.0`, `>=12.0.0 <13.0.0`), git tags
//! (`v1.4.0`, `tags/v2.0.0`) and image tags (`15-alpine`, `16.1.0-debian-11-r15`) all begin a
//! version the same way, numbers separated by dots, and only that beginning is read. No crate
//! in the tree reads Terraform's `~>` and Helm's `x` wildcards alike, and nothing here needs
//! more than the first two numbers. Pure; never fails, only answers `None` for what it cannot
//! read (a commit SHA, a branch, `latest`).

/// The first two numbers of a version: `5.9.0` is 5.9, `17.x.x` is 17 with no minor.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Release {
    major: u64,
    minor: Option<u64>,
}

/// The releases that promise compatibility with each other: one major version, or for a 0.x
/// version one minor version (semver: anything may change before 1.0).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Line(u64, u64);

impl Release {
    /// Reads the leading `major[.minor]` of a version, after an optional `v`. What follows
    /// must end the number (`.`, `-`, `+`, `@`, `_`) or be a wildcard, so a commit SHA that
    /// happens to start with a digit (`8d3f9f5…`) is not a version.
    pub fn parse(text: &str) -> Option<Release> {
        let text = text.trim();
        let text = text
            .strip_prefix('v')
            .or_else(|| text.strip_prefix('V'))
            .unwrap_or(text);
        let (major, rest) = leading_number(text)?;
        if !ends_number(rest) {
            return None;
        }
        let minor = rest
            .strip_prefix('.')
            .and_then(leading_number)
            .filter(|(_, after)| ends_number(after))
            .map(|(minor, _)| minor);
        Some(Release { major, minor })
    }

    pub fn line(self) -> Line {
        match self.major {
            0 => Line(0, self.minor.unwrap_or(0)),
            major => Line(major, 0),
        }
    }
}

fn leading_number(text: &str) -> Option<(u64, &str)> {
    let end = text
        .find(|c: char| !c.is_ascii_digit())
        .unwrap_or(text.len());
    let number = text[..end].parse().ok()?;
    Some((number, &text[end..]))
}

fn ends_number(rest: &str) -> bool {
    rest.is_empty()
        || rest.starts_with(['.', '-', '+', '@', '_'])
        || (rest.len() == 1 && rest.starts_with(['x', 'X', '*']))
}

/// Operators that bound a constraint from below (or pin it), and those that bound it from
/// above or exclude a version, which say nothing about the release in use.
const LOWER: &[&str] = &["~>", ">=", "==", "=", ">", "^", "~"];
const UPPER: &[&str] = &["<=", "<", "!="];

/// The release line of the lowest version a constraint admits: the greatest of its lower
/// bounds and pins. `~> 5.0`, `>= 5.0, < 6.0` and `5.9.0` are all line 5. Clauses are
/// separated by commas (Terraform) or spaces (Helm, Flux); an operator may stand apart from
/// its version (`>= 5.0`). Alternatives (`||`) and constraints with no lower bound (`*`,
/// `< 6.0`) have no floor.
pub fn floor(constraint: &str) -> Option<Line> {
    if constraint.contains("||") {
        return None;
    }
    let mut best: Option<Line> = None;
    let mut pending: Option<bool> = None;
    for token in constraint
        .split(|c: char| c == ',' || c.is_whitespace())
        .filter(|t| !t.is_empty())
    {
        let (lower, rest) = match UPPER.iter().find(|op| token.starts_with(*op)) {
            Some(op) => (false, &token[op.len()..]),
            None => match LOWER.iter().find(|op| token.starts_with(*op)) {
                Some(op) => (true, &token[op.len()..]),
                None => (pending.unwrap_or(true), token),
            },
        };
        if rest.is_empty() {
            pending = Some(lower);
            continue;
        }
        pending = None;
        if !lower {
            continue;
        }
        let line = Release::parse(rest)?.line();
        best = Some(best.map_or(line, |b| b.max(line)));
    }
    best
}

/// Whether two constraints (or versions) admit different release lines: a major upgrade or
/// rollback, or a 0.x minor one. `None` when either side cannot be read.
pub fn line_changed(was: &str, now: &str) -> bool {
    matches!((floor(was), floor(now)), (Some(a), Some(b)) if a != b)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn constraints_of_every_ecosystem_have_the_floor_of_their_lowest_version() {
        for (constraint, line) in [
            ("5.9.0", Line(5, 0)),
            ("~> 5.0", Line(5, 0)),
            (">= 5.0, < 6.0", Line(5, 0)),
            (">=12.0.0 <13.0.0", Line(12, 0)),
            ("17.x.x", Line(17, 0)),
            ("18.x", Line(18, 0)),
            ("^9.4.0", Line(9, 0)),
            ("v1.13.2", Line(1, 0)),
            ("0.43.0", Line(0, 43)),
            ("15-alpine", Line(15, 0)),
            ("16.1.0-debian-11-r15", Line(16, 0)),
            ("15.5@sha256:abc", Line(15, 0)),
            (">= 5.0, >= 5.2", Line(5, 0)),
        ] {
            assert_eq!(floor(constraint), Some(line), "{constraint}");
        }
    }

    #[test]
    fn shas_branches_wildcards_and_upper_bounds_have_no_floor() {
        for constraint in [
            "8d3f9f5c0a1b2c3d4e5f60718293a4b5c6d7e8f9",
            "main",
            "release-2",
            "latest",
            "*",
            "< 6.0",
            ">= 1.0 || >= 2.0",
            "",
        ] {
            assert_eq!(floor(constraint), None, "{constraint}");
        }
    }

    #[test]
    fn only_another_release_line_is_a_changed_line() {
        assert!(line_changed("5.9.0", "6.1.1"));
        assert!(line_changed("~> 6.0", "~> 5.0"));
        assert!(line_changed("0.42.0", "0.43.0"));
        assert!(!line_changed("6.1.0", "6.10.0"));
        assert!(!line_changed("~> 6.0", "~> 6.1"));
        assert!(!line_changed("0.43.0", "0.43.5"));
        assert!(!line_changed("main", "release-2"));
        assert!(!line_changed("15.5", "latest"));
    }
}
