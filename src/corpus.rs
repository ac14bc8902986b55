//! corpus: the text files under a directory named by an environment variable, for the
//! ignored tests that compare a fast path with its library on real files.

use std::path::PathBuf;

/// Every readable file under `$var` whose extension is one of `extensions`, with its text.
pub(crate) fn files(var: &str, extensions: &[&str]) -> Vec<(PathBuf, String)> {
    let root = std::env::var(var).unwrap_or_else(|_| panic!("set {var} to a directory"));
    let mut dirs = vec![PathBuf::from(root)];
    let mut out = Vec::new();
    while let Some(dir) = dirs.pop() {
        let Ok(entries) = std::fs::read_dir(&dir) else {
            continue;
        };
        for path in entries.flatten().map(|e| e.path()) {
            if path.is_dir() {
                dirs.push(path);
            } else if path
                .extension()
                .is_some_and(|e| extensions.iter().any(|x| e == *x))
            {
                if let Ok(text) = std::fs::read_to_string(&path) {
                    out.push((path, text));
                }
            }
        }
    }
    out
}
