//! dotenv: the `.env` file Compose reads from the project directory, kept to what Compose
//! takes from it here: `KEY=VALUE` lines. Blank lines and `#` comments are skipped, an
//! `export ` prefix is dropped, and a value in matching single or double quotes loses them;
//! an unquoted value ends at ` #`. Nothing else of the format (multi-line values, escapes,
//! `${…}` inside values) is read: a value that uses them is compared as written, which can
//! only make two sides look different, never alike. Pure.

/// One side of a `.env` file: its variables in order, each with its line.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub(crate) struct EnvFile {
    vars: Vec<(String, String, u32)>,
}

impl EnvFile {
    pub fn read(text: &str) -> EnvFile {
        let mut vars: Vec<(String, String, u32)> = Vec::new();
        for (n, line) in text.lines().enumerate() {
            let line = line.trim();
            let line = line.strip_prefix("export ").unwrap_or(line);
            if line.is_empty() || line.starts_with('#') {
                continue;
            }
            let Some((key, value)) = line.split_once('=') else {
                continue;
            };
            let key = key.trim();
            if key.is_empty() || key.contains(char::is_whitespace) {
                continue;
            }
            let value = unquote(value.trim());
            let line_no = u32::try_from(n + 1).unwrap_or(u32::MAX);
            // A key set twice takes its last value, as Compose does.
            vars.retain(|(k, _, _)| k != key);
            vars.push((key.to_owned(), value, line_no));
        }
        EnvFile { vars }
    }

    pub fn get(&self, key: &str) -> Option<&str> {
        self.vars
            .iter()
            .find(|(k, _, _)| k == key)
            .map(|(_, v, _)| v.as_str())
    }

    pub fn line(&self, key: &str) -> Option<u32> {
        self.vars
            .iter()
            .find(|(k, _, _)| k == key)
            .map(|(_, _, l)| *l)
    }

    /// The keys whose value differs between `self` and `other`, or that only one sets.
    pub fn changed_keys<'a>(&'a self, other: &'a EnvFile) -> Vec<&'a str> {
        let mut keys: Vec<&str> = self
            .vars
            .iter()
            .chain(&other.vars)
            .map(|(k, _, _)| k.as_str())
            .filter(|k| self.get(k) != other.get(k))
            .collect();
        keys.sort_unstable();
        keys.dedup();
        keys
    }
}

fn unquote(value: &str) -> String {
    for quote in ['"', '\''] {
        if let Some(inner) = value
            .strip_prefix(quote)
            .and_then(|v| v.split_once(quote).map(|(inner, _)| inner))
        {
            return inner.to_owned();
        }
    }
    value
        .split_once(" #")
        .map_or(value, |(v, _)| v)
        .trim_end()
        .to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn key_value_lines_are_read_with_quotes_exports_and_comments_dropped() {
        let env = EnvFile::read(
            "# shop\nexport COMPOSE_PROJECT_NAME=\"shop\"\nPG_TAG=16 # pinned\nEMPTY=\nnot a line\nQ='a b'\nPG_TAG=16.2\n",
        );
        assert_eq!(env.get("COMPOSE_PROJECT_NAME"), Some("shop"));
        assert_eq!(env.get("PG_TAG"), Some("16.2"));
        assert_eq!(env.line("PG_TAG"), Some(7));
        assert_eq!(env.get("EMPTY"), Some(""));
        assert_eq!(env.get("Q"), Some("a b"));
        assert_eq!(env.get("not a line"), None);
        let other = EnvFile::read("COMPOSE_PROJECT_NAME=shop\nPG_TAG=17\n");
        assert_eq!(env.changed_keys(&other), ["EMPTY", "PG_TAG", "Q"]);
    }
}
