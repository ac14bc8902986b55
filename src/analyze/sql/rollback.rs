//! Rollback SQL: what a migration tool runs only when someone rolls a migration back by hand.
//! Nearly every "create X" migration ships a "drop X" rollback; reporting those as destruction
//! would tag every ordinary migration pull request destructive and teach reviewers to ignore
//! the tag. Rails' `def down`, Alembic's `downgrade()` and Liquibase's `<rollback>` are
//! skipped by their own analyzers for the same reason.

use std::borrow::Cow;

/// A whole file of rollback SQL, by the naming conventions of the tools that use one:
/// golang-migrate, sqlx and others (`…down.sql`), Diesel (`<version>/down.sql`), Flyway undo
/// migrations (`U<version>__….sql`), sqitch (`revert/…`), and `down/` or `rollback/`
/// directories.
pub(super) fn is_rollback_file(path: &str) -> bool {
    super::sql_file_named(path, |dirs, stem| {
        let flyway_undo = stem.starts_with('u')
            && stem[1..].split_once("__").is_some_and(|(version, _)| {
                !version.is_empty()
                    && version
                        .bytes()
                        .all(|b| b.is_ascii_digit() || b == b'.' || b == b'_')
            });
        stem == "down"
            || stem.ends_with(".down")
            || stem.ends_with("_down")
            || flyway_undo
            // Only a directory of the migrations tree: `revert/` in sqitch, `down/` elsewhere.
            || dirs
                .iter()
                .any(|d| matches!(*d, "revert" | "down" | "rollback" | "rollbacks"))
    })
}

/// `text` with its rollback sections blanked out, lines kept: goose's `-- +goose Down` and
/// dbmate's `-- migrate:down` run only on rollback, until the next `Up` marker.
pub(super) fn forward_only(text: &str) -> Cow<'_, str> {
    #[derive(PartialEq)]
    enum Marker {
        Up,
        Down,
    }
    let marker = |line: &str| {
        let line = line.trim();
        // Most lines are SQL, not comments: lower-case only the ones that can be markers.
        if !line.starts_with("--") {
            return None;
        }
        let line = line.to_ascii_lowercase();
        let rest = line.strip_prefix("--")?.trim_start();
        let direction = rest
            .strip_prefix("+goose")
            .or_else(|| rest.strip_prefix("migrate:"))?
            .trim_start();
        if direction.starts_with("down") {
            Some(Marker::Down)
        } else if direction.starts_with("up") {
            Some(Marker::Up)
        } else {
            None
        }
    };
    if !text.lines().any(|l| marker(l) == Some(Marker::Down)) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len());
    let mut down = false;
    for line in text.split_inclusive('\n') {
        match marker(line) {
            Some(m) => down = m == Marker::Down,
            None if down => {
                out.push_str(&line[line.trim_end_matches(['\n', '\r']).len()..]);
                continue;
            }
            None => {}
        }
        out.push_str(line);
    }
    Cow::Owned(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rollback_files_are_known_by_their_tools_names() {
        for path in [
            "db/migrations/000005_create_orders.down.sql",
            "migrations/2024-01-01-000000_orders/down.sql",
            "db/migration/U2__undo_orders.sql",
            "sqitch/revert/orders.sql",
            "migrations/down/005.sql",
            "db/20240101_orders_down.sql",
        ] {
            assert!(is_rollback_file(path), "{path}");
        }
        for path in [
            "db/migrations/000005_create_orders.up.sql",
            "migrations/2024-01-01-000000_orders/up.sql",
            "db/migration/V2__orders.sql",
            "db/migration/Users__seed.sql",
            "sqitch/deploy/orders.sql",
            "db/teardown.sql",
            "db/migrations/005_shutdown.sql",
        ] {
            assert!(!is_rollback_file(path), "{path}");
        }
    }

    #[test]
    fn down_sections_are_blanked_and_lines_kept() {
        let goose = "-- +goose Up\nCREATE TABLE a (id INT);\n-- +goose Down\nDROP TABLE users;\n-- +goose Up\nDROP TABLE b;\n";
        let kept = forward_only(goose);
        assert_eq!(
            kept,
            "-- +goose Up\nCREATE TABLE a (id INT);\n-- +goose Down\n\n-- +goose Up\nDROP TABLE b;\n"
        );
        let dbmate = "-- migrate:up\r\nALTER TABLE t ADD c INT;\r\n-- migrate:down\r\nALTER TABLE t DROP c;\r\n";
        let kept = forward_only(dbmate);
        assert_eq!(kept.lines().count(), 4);
        assert!(!kept.contains("DROP"));
        let plain = "DROP TABLE users; -- not a marker: +goose Down\n";
        assert!(matches!(forward_only(plain), Cow::Borrowed(_)));
    }
}
