//! Domain newtypes for the strings a change is made of, so that a path is never passed
//! where a login or a revision belongs.

use serde::{Deserialize, Serialize};
use std::fmt;

macro_rules! string_newtype {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        #[serde(transparent)]
        pub struct $name(String);

        impl $name {
            pub fn new(value: impl Into<String>) -> Self {
                $name(value.into())
            }
            pub fn as_str(&self) -> &str {
                &self.0
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }

        impl From<&str> for $name {
            fn from(value: &str) -> Self {
                $name(value.to_owned())
            }
        }
    };
}

string_newtype!(
    /// A revision: a full commit id, or a label such as `WORKTREE` for uncommitted changes.
    Revision
);
string_newtype!(
    /// A repository-relative path with `/` separators.
    RepoPath
);
string_newtype!(
    /// An e-mail address as git records it.
    Email
);
string_newtype!(
    /// A GitHub login. Compared case-insensitively through [`Login::same_as`].
    Login
);

impl RepoPath {
    /// `relative` read from the directory `dir`, with `.` and `..` resolved: where a file's
    /// reference to another (`./patch.yaml`, `../common/x.yml`) points.
    pub fn joined(dir: &str, relative: &str) -> RepoPath {
        let mut parts: Vec<&str> = dir.split('/').filter(|p| !p.is_empty()).collect();
        for part in relative.split('/') {
            match part {
                "" | "." => {}
                ".." => {
                    parts.pop();
                }
                _ => parts.push(part),
            }
        }
        RepoPath(parts.join("/"))
    }
    /// The directory part (`""` at the root).
    pub fn dir(&self) -> &str {
        self.0.rsplit_once('/').map(|(d, _)| d).unwrap_or("")
    }
    /// The last path component.
    pub fn file_name(&self) -> &str {
        self.0.rsplit_once('/').map(|(_, f)| f).unwrap_or(&self.0)
    }
    /// The extension, lower-cased, without the dot.
    pub fn extension(&self) -> Option<String> {
        let name = self.file_name();
        name.rsplit_once('.')
            .filter(|(stem, _)| !stem.is_empty())
            .map(|(_, ext)| ext.to_ascii_lowercase())
    }
}

impl Login {
    /// GitHub logins are case-insensitive.
    pub fn same_as(&self, other: &Login) -> bool {
        self.0.eq_ignore_ascii_case(&other.0)
    }
    /// Whether the login is an app's bot account (`name[bot]`).
    pub fn is_bot_suffix(&self) -> bool {
        self.0.to_ascii_lowercase().ends_with("[bot]")
    }
}

impl Email {
    /// The GitHub login behind a noreply address: `<id>+<login>@users.noreply.github.com`
    /// or the older `<login>@users.noreply.github.com`.
    pub fn noreply_login(&self) -> Option<Login> {
        let local = self.noreply_local()?;
        let login = match local.split_once('+') {
            Some((id, login)) if id.chars().all(|c| c.is_ascii_digit()) => login,
            Some(_) => return None,
            None => local,
        };
        (!login.is_empty()).then(|| Login::new(login))
    }
    /// The numeric account id behind a `<id>+<login>@users.noreply.github.com` address.
    pub fn noreply_id(&self) -> Option<u64> {
        let local = self.noreply_local()?;
        local.split_once('+')?.0.parse().ok()
    }
    fn noreply_local(&self) -> Option<&str> {
        let (local, domain) = self.0.trim().rsplit_once('@')?;
        domain
            .eq_ignore_ascii_case("users.noreply.github.com")
            .then_some(local)
    }
    pub fn eq_ignore_case(&self, other: &Email) -> bool {
        self.0.trim().eq_ignore_ascii_case(other.0.trim())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn noreply_address_with_id_yields_login_and_id() {
        let e = Email::new("198982749+Copilot@users.noreply.github.com");
        assert_eq!(e.noreply_login(), Some(Login::new("Copilot")));
        assert_eq!(e.noreply_id(), Some(198982749));
    }

    #[test]
    fn ordinary_address_has_no_login() {
        assert_eq!(Email::new("ada@example.com").noreply_login(), None);
        assert_eq!(Email::new("1+x@example.com").noreply_id(), None);
    }

    #[test]
    fn path_parts() {
        let p = RepoPath::new("infra/prod/main.TF");
        assert_eq!(p.dir(), "infra/prod");
        assert_eq!(p.file_name(), "main.TF");
        assert_eq!(p.extension().as_deref(), Some("tf"));
        assert_eq!(RepoPath::new(".gitignore").extension(), None);
    }
}
