//! Seed files: SQL that fills a database created afresh (a developer's `supabase db reset`, a
//! preview environment, a test fixture), not a migration applied to the live one. A seed
//! that empties a table before filling it is routine there, so its destructive findings rank
//! one step lower and say where such a file runs. They keep the destructive tag: a seed that
//! some pipeline also runs against production would wipe what it truncates.

use crate::finding::{Finding, Tag};

/// `seed.sql`, `seeds.sql`, `seed_users.sql`, `users.seed.sql`, `001_seed.sql`, or any SQL
/// file under a `seed/`, `seeds/` or `seeders/` directory.
pub(super) fn is_seed_file(path: &str) -> bool {
    super::sql_file_named(path, |dirs, stem| {
        // The word opens or closes the name: `002_drop_seed_table.sql` is a migration about one.
        let named = ["seed", "seeds"].iter().any(|w| {
            stem == *w
                || [format!("{w}_"), format!("{w}-")]
                    .iter()
                    .any(|p| stem.starts_with(p.as_str()))
                || [format!("_{w}"), format!("-{w}"), format!(".{w}")]
                    .iter()
                    .any(|s| stem.ends_with(s.as_str()))
        });
        named
            || dirs
                .iter()
                .any(|d| matches!(*d, "seed" | "seeds" | "seeders"))
    })
}

/// Ranks each destructive finding of a seed file one step lower and says why.
pub(super) fn soften(findings: &mut [Finding]) {
    for f in findings
        .iter_mut()
        .filter(|f| f.tags.contains(&Tag::Destructive))
    {
        f.severity = f.severity.lowered();
        f.message.push_str(
            " This is a seed file, which usually fills databases created afresh (local, test and preview environments); make sure no pipeline runs it against one holding data that matters.",
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn seed_files_are_named_so_or_live_in_a_seed_directory() {
        for path in [
            "supabase/seed.sql",
            "db/seeds.sql",
            "db/seed_users.sql",
            "sql/users.seed.sql",
            "db/001-seed.sql",
            "db/seeds/users.sql",
            "database/seeders/Orders.SQL",
        ] {
            assert!(is_seed_file(path), "{path}");
        }
        for path in [
            "db/migrations/001_init.sql",
            "db/seedling.sql",
            "db/migrations/002_drop_seed_table.sql",
            "db/seed.sql.bak",
            "seeds/readme.md",
            "db/reseed.sql",
        ] {
            assert!(!is_seed_file(path), "{path}");
        }
    }
}
