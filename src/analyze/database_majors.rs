//! database_majors: whether a database server's image moved to another major version, and
//! what that does to the files it left on its volume. Shared by every analyzer that sees a
//! server's image next to the data it keeps (Kubernetes workloads, Compose services, Nomad
//! tasks), so the three judge `postgres:15` → `postgres:16` alike. Pure lookups on image
//! references; the release lines come from `versions`.

use crate::analyze::versions;

/// What a major version does to the files a server wrote, as a message clause.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Effect(pub &'static str);

pub const POSTGRES: Effect = Effect(
    "PostgreSQL refuses to start on a data directory written by another major version: \
     the server stops at start-up until the data is migrated with `pg_upgrade` or a dump and restore",
);
pub const IN_PLACE: Effect = Effect(
    "the server converts its data files in place on first start, one way: rolling the \
     image back afterwards cannot read them",
);

/// How an image's tag says which major of the server it runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Tagged {
    /// The tag starts with the server's version (`postgres:16.1-alpine`, `postgis:16-3.4`).
    Leading,
    /// The tag starts with an extension's version and names the PostgreSQL major in a
    /// `pgNN` part (`timescaledb:2.14.2-pg16`, `pgvector:pg16`, `timescaledb-ha:pg16-ts2.14`).
    PgSuffix,
}

/// Database servers by image name (the last path segment), with what a major does to their
/// files and where the tag says the major. Redis reads files of older majors, so it is absent.
const SERVERS: &[(&str, Effect, Tagged)] = &[
    ("postgres", POSTGRES, Tagged::Leading),
    ("postgresql", POSTGRES, Tagged::Leading),
    ("postgis", POSTGRES, Tagged::Leading),
    ("timescaledb", POSTGRES, Tagged::PgSuffix),
    ("timescaledb-ha", POSTGRES, Tagged::PgSuffix),
    ("pgvector", POSTGRES, Tagged::PgSuffix),
    ("mysql", IN_PLACE, Tagged::Leading),
    ("mysql-server", IN_PLACE, Tagged::Leading),
    ("percona-server", IN_PLACE, Tagged::Leading),
    ("mariadb", IN_PLACE, Tagged::Leading),
    ("mongo", IN_PLACE, Tagged::Leading),
    ("mongodb", IN_PLACE, Tagged::Leading),
    ("mongodb-community-server", IN_PLACE, Tagged::Leading),
    ("elasticsearch", IN_PLACE, Tagged::Leading),
    ("opensearch", IN_PLACE, Tagged::Leading),
];

/// An image reference's name (last path segment) and tag: `docker.io/bitnami/postgresql:16.1.0-debian-11-r15@sha256:…`
/// is (`postgresql`, `16.1.0-debian-11-r15`). No tag (`latest`) is no version.
fn name_and_tag(image: &str) -> Option<(&str, &str)> {
    let image = image.split('@').next()?.trim();
    let last = image.rsplit('/').next()?;
    last.split_once(':')
}

/// The `NN` of a tag's `pgNN` part: `2.14.2-pg16` and `pg16-ts2.14` are 16.
fn pg_major(tag: &str) -> Option<&str> {
    tag.split(['-', '_']).find_map(|part| {
        let digits = part.strip_prefix("pg")?;
        let end = digits
            .find(|c: char| !c.is_ascii_digit())
            .unwrap_or(digits.len());
        (end > 0).then(|| &digits[..end])
    })
}

/// What moving from image `was` to `now` does to the server's data, when both run the same
/// server at different majors. A digest, a minor, `latest` or another image is `None`.
pub fn major_change(was: &str, now: &str) -> Option<Effect> {
    let (name_was, tag_was) = name_and_tag(was)?;
    let (name_now, tag_now) = name_and_tag(now)?;
    if !name_was.eq_ignore_ascii_case(name_now) {
        return None;
    }
    let (_, effect, tagged) = SERVERS
        .iter()
        .find(|(n, _, _)| n.eq_ignore_ascii_case(name_now))?;
    let changed = match tagged {
        Tagged::Leading => versions::line_changed(tag_was, tag_now),
        Tagged::PgSuffix => matches!(
            (pg_major(tag_was), pg_major(tag_now)),
            (Some(a), Some(b)) if a != b
        ),
    };
    changed.then_some(*effect)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_database_servers_major_is_told_from_its_minor_a_digest_and_other_images() {
        assert_eq!(
            major_change("postgres:15.5", "postgres:16.1"),
            Some(POSTGRES)
        );
        assert!(
            major_change("postgres:15-alpine", "docker.io/library/postgres:16-alpine").is_some()
        );
        assert!(major_change(
            "bitnami/postgresql:15.4.0-debian-11-r45",
            "bitnami/postgresql:16.1.0-debian-11-r15"
        )
        .is_some());
        assert_eq!(major_change("mysql:5.7.44", "mysql:8.0.36"), Some(IN_PLACE));
        assert!(major_change("postgis/postgis:15-3.4", "postgis/postgis:16-3.4").is_some());
        assert!(major_change("postgres:15.4", "postgres:15.5").is_none());
        assert!(major_change("postgres:15.5@sha256:aa", "postgres:15.5@sha256:bb").is_none());
        assert!(major_change("redis:6.2", "redis:7.2").is_none());
        assert!(major_change("mysql:8.0", "mysql:8.4").is_none());
        assert!(major_change("ghcr.io/acme/orders:1.9.0", "ghcr.io/acme/orders:2.0.0").is_none());
        assert!(major_change("postgres", "postgres:16").is_none());
        assert!(major_change("postgres:latest", "postgres:16").is_none());
    }

    #[test]
    fn extension_images_are_judged_by_the_postgresql_major_their_tag_names() {
        assert!(major_change(
            "timescale/timescaledb:2.11.0-pg15",
            "timescale/timescaledb:2.14.2-pg16"
        )
        .is_some());
        assert!(major_change("pgvector/pgvector:pg15", "pgvector/pgvector:pg16").is_some());
        // The extension's own major is no PostgreSQL major.
        assert!(major_change(
            "timescale/timescaledb:1.7.5-pg16",
            "timescale/timescaledb:2.14.2-pg16"
        )
        .is_none());
        assert!(major_change(
            "timescale/timescaledb:2.11.0",
            "timescale/timescaledb:2.14.2"
        )
        .is_none());
    }
}
