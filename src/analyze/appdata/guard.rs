//! guard: whether a destructive call or setting in application code only takes effect
//! outside production: inside `if (process.env.NODE_ENV !== 'production') { … }`,
//! `if app.debug:`, `if (app.Environment.IsDevelopment())`, or as a value such as
//! `synchronize: !isProd`. It reads conditions as words (no evaluation): a condition that
//! names production and negates it, or names development, local, test or debug without
//! negating it, is a development guard.

use crate::analyze::orm::scan::{matching_back, Lang, Source};

/// When a destructive statement takes effect.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum When {
    /// Whenever the code runs or the setting is read.
    Always,
    /// Only outside production, by the condition quoted.
    DevOnly(String),
    /// On a value twokey cannot see (an environment variable, a config lookup), quoted.
    Depends(String),
}

const DEV: &[&str] = &[
    "dev",
    "development",
    "develop",
    "local",
    "localhost",
    "test",
    "testing",
    "debug",
    "isdevelopment",
    "isdev",
    "islocal",
    "istest",
    "isdebug",
    "sandbox",
];
const PROD: &[&str] = &[
    "prod",
    "production",
    "prd",
    "isproduction",
    "isprod",
    "live",
];

/// What a condition says about where it holds: `Some(true)` only outside production,
/// `Some(false)` only in production, `None` when it names neither.
pub(crate) fn outside_production(condition: &str) -> Option<bool> {
    let lower = condition.to_ascii_lowercase();
    let words: Vec<&str> = lower
        .split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|w| !w.is_empty())
        .collect();
    let negated = lower.contains('!') || words.iter().any(|w| matches!(*w, "not" | "unless"));
    if words.iter().any(|w| PROD.contains(w)) {
        Some(negated)
    } else if words.iter().any(|w| DEV.contains(w)) {
        Some(!negated)
    } else {
        None
    }
}

/// A condition for a message: without its `if` and outer parentheses.
pub(crate) fn shown(condition: &str) -> &str {
    let c = condition.trim();
    let c = c
        .strip_prefix("if ")
        .or_else(|| c.strip_prefix("elif "))
        .unwrap_or(c)
        .trim();
    let c = c.strip_suffix(':').unwrap_or(c).trim();
    let wrapped = c.starts_with('(')
        && crate::analyze::orm::scan::matching(c.as_bytes(), 0) == Some(c.len() - 1);
    if wrapped {
        c[1..c.len() - 1].trim()
    } else {
        c
    }
}

/// The development guard around `offset`, if any: the condition of an enclosing `if`
/// that holds only outside production.
pub(crate) fn enclosing(src: &Source, offset: usize) -> Option<String> {
    match src.lang {
        Lang::Python | Lang::Ruby => indented(src, offset),
        _ => braced(src, offset),
    }
}

/// Brace languages: each enclosing block's header, read back to the previous statement.
fn braced(src: &Source, offset: usize) -> Option<String> {
    let code = &src.code;
    let mut depth = 0usize;
    let mut i = offset.min(code.len());
    while i > 0 {
        i -= 1;
        match code[i] {
            b'}' => depth += 1,
            b'{' if depth > 0 => depth -= 1,
            b'{' => {
                if let Some(condition) = if_header(src, i) {
                    if outside_production(&condition) == Some(true) {
                        return Some(condition);
                    }
                }
            }
            _ => {}
        }
    }
    None
}

/// The condition of `if (…) {` or Go's `if … {` whose brace opens at `open`.
fn if_header(src: &Source, open: usize) -> Option<String> {
    let code = &src.code;
    let mut end = open;
    while end > 0 && code[end - 1].is_ascii_whitespace() {
        end -= 1;
    }
    // `if (cond) {`: the parenthesised condition; Go's `if cond {`: back to the statement.
    let start = if end > 0 && code[end - 1] == b')' {
        matching_back(code, end - 1)?
    } else {
        code[..end]
            .iter()
            .rposition(|b| matches!(b, b';' | b'{' | b'}' | b'\n'))
            .map_or(0, |p| p + 1)
    };
    let before = std::str::from_utf8(&code[..start]).ok()?.trim_end();
    let word_if = |s: &str| {
        s.strip_suffix("if")
            .is_some_and(|rest| !rest.ends_with(|c: char| c.is_ascii_alphanumeric() || c == '_'))
    };
    let head = std::str::from_utf8(&code[start..end]).ok()?.trim_start();
    let condition = if word_if(before) {
        &src.text[start..end]
    } else if let Some(rest) = head.strip_prefix("if ") {
        let skip = end - start - rest.len();
        &src.text[start + skip..end]
    } else {
        return None;
    };
    Some(condition.trim().to_owned())
}

/// Python and Ruby: the `if`/`elif`/`unless` lines indented less than the statement, and a
/// Ruby or Python trailing `… if cond` on the statement's own line.
fn indented(src: &Source, offset: usize) -> Option<String> {
    let lines = src.code_lines();
    let at = usize::try_from(src.line_of(offset)).ok()?.checked_sub(1)?;
    let indent = |l: &str| l.len() - l.trim_start().len();
    let own = lines.get(at)?;
    let column = offset.saturating_sub(
        src.text[..offset.min(src.text.len())]
            .rfind('\n')
            .map_or(0, |p| p + 1),
    );
    if let Some(tail) = own.get(column..) {
        for marker in [" if ", " unless "] {
            if let Some(p) = tail.find(marker) {
                let cond = original_line(src, at)
                    .get(column + p..)
                    .unwrap_or("")
                    .trim();
                if outside_production(cond) == Some(true) {
                    return Some(cond.to_owned());
                }
            }
        }
    }
    let mut limit = indent(own);
    for n in (0..at).rev() {
        let line = lines[n];
        if line.trim().is_empty() || indent(line) >= limit {
            continue;
        }
        limit = indent(line);
        let head = line.trim_start();
        if ["if ", "elif ", "unless "]
            .iter()
            .any(|k| head.starts_with(k))
        {
            let cond = original_line(src, n).trim();
            if outside_production(cond) == Some(true) {
                return Some(cond.trim_end_matches(':').to_owned());
            }
        }
        if limit == 0 {
            break;
        }
    }
    None
}

fn original_line<'a>(src: &Source<'a>, index: usize) -> &'a str {
    src.text.split('\n').nth(index).unwrap_or("")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn conditions_are_read_as_words() {
        assert_eq!(
            outside_production("process.env.NODE_ENV !== 'production'"),
            Some(true)
        );
        assert_eq!(
            outside_production("process.env.NODE_ENV === 'production'"),
            Some(false)
        );
        assert_eq!(outside_production("!isProd"), Some(true));
        assert_eq!(
            outside_production("app.Environment.IsDevelopment()"),
            Some(true)
        );
        assert_eq!(outside_production("app.debug"), Some(true));
        assert_eq!(outside_production("process.env.DB_SYNC === 'true'"), None);
        assert_eq!(outside_production("device.ready"), None);
    }

    #[test]
    fn enclosing_development_guards_are_found_in_brace_and_indented_languages() {
        let js = "if (process.env.NODE_ENV !== 'production') {\n  await ds.synchronize(true);\n}\nawait ds.dropDatabase();\n";
        let src = Source::new(js, Lang::Js);
        let inside = js.find("synchronize").expect("present");
        let outside = js.find("dropDatabase").expect("present");
        assert!(enclosing(&src, inside).is_some());
        assert_eq!(enclosing(&src, outside), None);
        let go = "func x() {\n\tif os.Getenv(\"APP_ENV\") == \"dev\" {\n\t\tdb.Migrator().DropTable(&User{})\n\t}\n}\n";
        let src = Source::new(go, Lang::Js);
        assert!(enclosing(&src, go.find("DropTable").expect("present")).is_some());
        let py =
            "def create_app():\n    if app.debug:\n        db.drop_all()\n    db.create_all()\n";
        let src = Source::new(py, Lang::Python);
        assert_eq!(
            enclosing(&src, py.find("drop_all").expect("present")).as_deref(),
            Some("if app.debug")
        );
        let prod = "if settings.ENV == 'production':\n    db.drop_all()\n";
        let src = Source::new(prod, Lang::Python);
        assert_eq!(
            enclosing(&src, prod.find("drop_all").expect("present")),
            None
        );
    }
}
