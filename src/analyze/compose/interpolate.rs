//! interpolate: the `${VAR}` substitution Compose applies to a file's values, for the few
//! values twokey compares through it (a service's `image`, the project `name`). `$VAR`,
//! `${VAR}`, `${VAR:-default}`, `${VAR-default}`, `${VAR:?error}`, `${VAR:+alt}` and `$$`
//! are read; the variables come from the `.env` beside the file (the shell that runs Compose
//! is unknown). A variable that is neither set nor defaulted, or nested substitution, makes
//! the value unknown (`None`), and an unknown value is never reported. Pure.

use super::dotenv::EnvFile;

/// `text` with its variables substituted from `env`, or `None` when one cannot be.
pub(super) fn resolve(text: &str, env: Option<&EnvFile>) -> Option<String> {
    if !text.contains('$') {
        return Some(text.to_owned());
    }
    let lookup = |key: &str| env.and_then(|e| e.get(key));
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(at) = rest.find('$') {
        out.push_str(&rest[..at]);
        let after = &rest[at + 1..];
        if let Some(tail) = after.strip_prefix('$') {
            out.push('$');
            rest = tail;
        } else if let Some(braced) = after.strip_prefix('{') {
            let end = braced.find('}')?;
            let expr = &braced[..end];
            if expr.contains(['$', '{']) {
                return None;
            }
            out.push_str(&expand(expr, lookup)?);
            rest = &braced[end + 1..];
        } else {
            let end = after
                .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
                .unwrap_or(after.len());
            if end == 0 {
                out.push('$');
                rest = after;
                continue;
            }
            out.push_str(lookup(&after[..end])?);
            rest = &after[end..];
        }
    }
    out.push_str(rest);
    Some(out)
}

/// One `${…}` expression.
fn expand<'a>(expr: &str, lookup: impl Fn(&str) -> Option<&'a str>) -> Option<String> {
    let split = expr.find([':', '-', '?', '+']);
    let Some(at) = split else {
        return lookup(expr).map(str::to_owned);
    };
    let (name, op) = expr.split_at(at);
    let value = lookup(name);
    let (empty_counts, op) = match op.strip_prefix(':') {
        Some(op) => (true, op),
        None => (false, op),
    };
    let set = value.is_some_and(|v| !(empty_counts && v.is_empty()));
    let word = op.get(1..).unwrap_or("");
    match op.chars().next()? {
        '-' => Some(if set {
            value?.to_owned()
        } else {
            word.to_owned()
        }),
        '+' => Some(if set { word.to_owned() } else { String::new() }),
        '?' => set.then(|| value.map(str::to_owned)).flatten(),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn variables_resolve_from_the_env_file_or_their_defaults() {
        let env = EnvFile::read("PG_TAG=16\nEMPTY=\n");
        let r = |t: &str| resolve(t, Some(&env));
        assert_eq!(r("postgres:${PG_TAG}").as_deref(), Some("postgres:16"));
        assert_eq!(
            r("postgres:$PG_TAG-alpine").as_deref(),
            Some("postgres:16-alpine")
        );
        assert_eq!(r("postgres:${MISSING:-15}").as_deref(), Some("postgres:15"));
        assert_eq!(r("postgres:${EMPTY:-15}").as_deref(), Some("postgres:15"));
        assert_eq!(r("postgres:${EMPTY-15}").as_deref(), Some("postgres:"));
        assert_eq!(r("a$$b").as_deref(), Some("a$b"));
        assert_eq!(r("${PG_TAG:+x}${MISSING:+y}").as_deref(), Some("x"));
    }

    #[test]
    fn unset_or_nested_variables_leave_the_value_unknown() {
        assert_eq!(resolve("postgres:${PG_TAG}", None), None);
        assert_eq!(resolve("postgres:${PG_TAG:?set it}", None), None);
        assert_eq!(resolve("postgres:${A:-${B}}", None), None);
        assert_eq!(resolve("postgres:${PG_TAG", None), None);
    }
}
