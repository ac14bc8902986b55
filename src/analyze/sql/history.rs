//! history: the column types declared by the migrations that ran before this one, for a
//! migration that changes a column's type (`ALTER COLUMN … TYPE`, `MODIFY`, `CHANGE`) or drops
//! a column (a generated one loses no data) of a table it does not create. Flyway (`V1__init.sql`, `V3__widen.sql`), golang-migrate and
//! numbered plain migrations keep every version in one directory, so the earlier files there,
//! read in version order, say what the column was: `VARCHAR(100)` made `VARCHAR(255)` is then
//! a widening, not a change twokey cannot judge. Prisma keeps each migration in a directory
//! of its own (`prisma/migrations/20240101120000_init/migration.sql`), named by timestamp:
//! the directories before this one's are read.
//!
//! Owns only finding and ordering those files. Reads them through the snapshot, and only when
//! a head statement changes a column's type or drops one; rollback files (`U2__`, `*.down.sql`) and
//! repeatable ones (`R__`) never ran before this one as forward schema, so they are skipped.

use super::{dialect_for, parse_any, Scope};
use crate::analyze::FileView;
use crate::change::{RepoPath, Side};
use sqlparser::ast::{AlterColumnOperation, AlterTableOperation, Statement};
use std::cmp::Ordering;

/// At most this many earlier files are read: the newest ones, which is where a column's last
/// definition usually is; a type declared further back stays unknown, as before.
const MAX_EARLIER: usize = 200;

/// What a head statement needs to know about the columns earlier migrations declared.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(super) enum Need {
    Nothing,
    /// A dropped column: only whether it was computed from others (`GENERATED`, `VIRTUAL`,
    /// `STORED`), so files that never say so are not parsed.
    Computed,
    /// A retyped column: its old type.
    Types,
}

/// What `statement` needs from the earlier migrations: the old types when it changes a
/// column's type, whether a column was computed when it drops one.
pub(super) fn need(statement: &Statement) -> Need {
    let Statement::AlterTable(alter) = statement else {
        return Need::Nothing;
    };
    alter
        .operations
        .iter()
        .map(|op| match op {
            AlterTableOperation::AlterColumn {
                op: AlterColumnOperation::SetDataType { .. },
                ..
            }
            | AlterTableOperation::ModifyColumn { .. }
            | AlterTableOperation::ChangeColumn { .. } => Need::Types,
            AlterTableOperation::DropColumn { .. } => Need::Computed,
            _ => Need::Nothing,
        })
        .max()
        .unwrap_or(Need::Nothing)
}

/// Whether `text` may declare a computed column: a cheap scan that spares parsing the
/// earlier files of a migration that only drops columns.
fn may_compute(text: &str) -> bool {
    text.as_bytes().windows(6).any(|w| {
        w.eq_ignore_ascii_case(b"genera")
            || w.eq_ignore_ascii_case(b"virtua")
            || w.eq_ignore_ascii_case(b"stored")
    })
}

/// Notes in `scope` the column types the earlier migrations of the file's directory
/// declare, oldest first, so that later definitions win.
pub(super) fn note_earlier_types(view: &FileView, scope: &mut Scope, need: Need) {
    let path = view.path();
    let own = path.file_name();
    let earlier: Vec<RepoPath> = match prisma_migrations(path) {
        // Prisma keeps each migration in a directory of its own, named by its timestamp.
        Some((root, this)) => view
            .snapshot
            .list_subdirs(Side::Head, root)
            .into_iter()
            .filter(|d| d.as_str() < this)
            .map(|d| RepoPath::new(format!("{root}/{d}/{PRISMA_FILE}")))
            .collect(),
        None => {
            let mut earlier: Vec<_> = view
                .snapshot
                .list_dir(Side::Head, path.dir())
                .into_iter()
                .filter(|p| {
                    let name = p.file_name();
                    forward(name) && version_order(name, own) == Ordering::Less
                })
                .collect();
            earlier.sort_by(|a, b| version_order(a.file_name(), b.file_name()));
            earlier
        }
    };
    let skip = earlier.len().saturating_sub(MAX_EARLIER);
    let fallbacks = dialect_for(view).fallbacks();
    for p in &earlier[skip..] {
        let content = view.snapshot.read(Side::Head, p);
        let Some(text) = content.text() else {
            continue;
        };
        if need < Need::Types && !may_compute(text) {
            continue;
        }
        if let Ok((_, statements)) = parse_any(text, &fallbacks) {
            for located in &statements.read {
                scope.note_types(&located.statement);
            }
        }
    }
}

/// The name Prisma gives every migration's SQL.
const PRISMA_FILE: &str = "migration.sql";

/// For a Prisma migration (`prisma/migrations/20240101120000_init/migration.sql`), the
/// migrations directory and this migration's own directory name.
fn prisma_migrations(path: &RepoPath) -> Option<(&str, &str)> {
    if path.file_name() != PRISMA_FILE {
        return None;
    }
    let (root, this) = path.dir().rsplit_once('/')?;
    (root.ends_with("migrations") && this.starts_with(|c: char| c.is_ascii_digit()))
        .then_some((root, this))
}

/// A forward migration: SQL, versioned, neither a rollback nor a repeatable.
fn forward(name: &str) -> bool {
    let lower = name.to_ascii_lowercase();
    lower.ends_with(".sql")
        && !lower.ends_with(".down.sql")
        && !lower.ends_with("_down.sql")
        && !name.starts_with("U")
        && !name.starts_with("R__")
        && name
            .trim_start_matches('V')
            .starts_with(|c: char| c.is_ascii_digit())
}

/// Orders migration names by version: runs of digits compare as numbers (`V10__` after
/// `V9__`, `V1_2__` after `V1_1__`), everything else as text.
fn version_order(a: &str, b: &str) -> Ordering {
    fn parts(s: &str) -> Vec<(u128, &str)> {
        let mut out = Vec::new();
        let mut rest = s;
        while !rest.is_empty() {
            let digits = rest.len() - rest.trim_start_matches(|c: char| c.is_ascii_digit()).len();
            if digits > 0 {
                out.push((rest[..digits].parse().unwrap_or(u128::MAX), ""));
                rest = &rest[digits..];
            } else {
                let text =
                    rest.len() - rest.trim_start_matches(|c: char| !c.is_ascii_digit()).len();
                out.push((0, &rest[..text]));
                rest = &rest[text..];
            }
        }
        out
    }
    parts(a).cmp(&parts(b))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prisma_migrations_are_known_by_their_directory() {
        let path = RepoPath::new("prisma/migrations/20240101120000_init/migration.sql");
        assert_eq!(
            prisma_migrations(&path),
            Some(("prisma/migrations", "20240101120000_init"))
        );
        for other in [
            "db/migration.sql",
            "prisma/migrations/notes/migration.sql",
            "db/V1__a.sql",
        ] {
            assert_eq!(prisma_migrations(&RepoPath::new(other)), None, "{other}");
        }
    }

    #[test]
    fn versions_order_numerically() {
        assert_eq!(version_order("V9__a.sql", "V10__b.sql"), Ordering::Less);
        assert_eq!(version_order("V1_2__a.sql", "V1_10__a.sql"), Ordering::Less);
        assert_eq!(
            version_order("000002_x.up.sql", "000001_y.up.sql"),
            Ordering::Greater
        );
    }

    #[test]
    fn rollbacks_and_repeatables_are_not_forward_migrations() {
        assert!(forward("V1__init.sql") && forward("000001_init.up.sql"));
        for name in [
            "U2__undo.sql",
            "R__views.sql",
            "000001_init.down.sql",
            "notes.sql",
        ] {
            assert!(!forward(name), "{name}");
        }
    }
}
