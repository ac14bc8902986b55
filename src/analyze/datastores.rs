//! datastores: which container images are databases (and other stores of data), and where
//! inside the container they keep it. Shared by the analyzers of files that mount volumes
//! into containers (Compose and Swarm stacks, Nomad jobs): a volume that leaves
//! `/var/lib/postgresql/data` of a `postgres` container leaves the database empty, one that
//! leaves an `nginx` cache loses nothing that matters. Pure lookups on strings.

/// A store of data a container image runs, named as a reviewer knows it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DataStore {
    pub name: &'static str,
    /// Where the image keeps its data by default (a mount at or under one holds it).
    data_paths: &'static [&'static str],
}

/// Images by the last part of their repository (`postgres`, `bitnami/postgresql`,
/// `docker.elastic.co/elasticsearch/elasticsearch`): the word the repository starts with.
const STORES: &[(&[&str], DataStore)] = &[
    (
        &[
            "postgres",
            "postgresql",
            "postgis",
            "timescaledb",
            "pgvector",
            "supabase-postgres",
        ],
        DataStore {
            name: "PostgreSQL",
            data_paths: &[
                "/var/lib/postgresql",
                "/bitnami/postgresql",
                "/home/postgres/pgdata",
            ],
        },
    ),
    (
        &["mysql", "mariadb", "percona", "percona-server"],
        DataStore {
            name: "MySQL",
            data_paths: &["/var/lib/mysql", "/bitnami/mysql", "/bitnami/mariadb"],
        },
    ),
    (
        &["mongo", "mongodb"],
        DataStore {
            name: "MongoDB",
            data_paths: &["/data/db", "/data/configdb", "/bitnami/mongodb"],
        },
    ),
    (
        &[
            "redis",
            "valkey",
            "keydb",
            "redis-stack",
            "redis-stack-server",
        ],
        DataStore {
            name: "Redis",
            data_paths: &["/data", "/bitnami/redis"],
        },
    ),
    (
        &["elasticsearch", "opensearch"],
        DataStore {
            name: "Elasticsearch",
            data_paths: &[
                "/usr/share/elasticsearch/data",
                "/usr/share/opensearch/data",
                "/bitnami/elasticsearch",
            ],
        },
    ),
    (
        &["minio"],
        DataStore {
            name: "MinIO",
            data_paths: &["/data", "/export", "/bitnami/minio"],
        },
    ),
    (
        &["clickhouse-server", "clickhouse"],
        DataStore {
            name: "ClickHouse",
            data_paths: &["/var/lib/clickhouse"],
        },
    ),
    (
        &["cassandra", "scylla"],
        DataStore {
            name: "Cassandra",
            data_paths: &["/var/lib/cassandra", "/var/lib/scylla"],
        },
    ),
    (
        &["mssql-server", "mssql", "azure-sql-edge"],
        DataStore {
            name: "SQL Server",
            data_paths: &["/var/opt/mssql"],
        },
    ),
    (
        &["influxdb"],
        DataStore {
            name: "InfluxDB",
            data_paths: &["/var/lib/influxdb", "/var/lib/influxdb2"],
        },
    ),
    (
        &["rabbitmq"],
        DataStore {
            name: "RabbitMQ",
            data_paths: &["/var/lib/rabbitmq"],
        },
    ),
    (
        &["neo4j"],
        DataStore {
            name: "Neo4j",
            data_paths: &["/data"],
        },
    ),
    (
        &["couchdb"],
        DataStore {
            name: "CouchDB",
            data_paths: &["/opt/couchdb/data"],
        },
    ),
    (
        &["etcd"],
        DataStore {
            name: "etcd",
            data_paths: &["/etcd-data", "/var/lib/etcd", "/bitnami/etcd"],
        },
    ),
];

/// Paths inside a store's container that hold configuration or scratch space, not its data:
/// a mount there is not the database's files even when the image is a database.
const NOT_DATA: &[&str] = &[
    "/etc",
    "/docker-entrypoint-initdb.d",
    "/run",
    "/var/run",
    "/tmp",
    "/var/log",
    "/usr/local/etc",
    "/backups",
];

/// The store `image` runs (`postgres:16-alpine`, `bitnami/postgresql:16`,
/// `docker.io/library/mongo@sha256:…`), if it is one twokey knows.
pub fn of_image(image: &str) -> Option<DataStore> {
    let repository = image.split(['@']).next().unwrap_or(image);
    let last = repository.rsplit('/').next().unwrap_or(repository);
    // A tag follows the last `:` of the last part (a registry port sits before a `/`).
    let name = last.split(':').next().unwrap_or(last).to_ascii_lowercase();
    STORES
        .iter()
        .find(|(names, _)| names.iter().any(|n| name == *n))
        .map(|(_, store)| *store)
}

/// Whether a mount at `target` inside a container of `store` holds its data: at or under one
/// of its data paths, or anywhere but its configuration and scratch directories (a volume a
/// database mounts is there for its files, whatever `PGDATA` says).
pub fn holds_data(store: DataStore, target: &str) -> bool {
    let target = target.trim_end_matches('/');
    let under = |base: &str| target == base || target.starts_with(&format!("{base}/"));
    if store.data_paths.iter().any(|p| under(p)) {
        return true;
    }
    !target.is_empty() && !NOT_DATA.iter().any(|p| under(p)) && !is_file_like(target)
}

/// A mount of one file (`/etc/mysql/conf.d/my.cnf`, `init.sql`): configuration, not data.
fn is_file_like(target: &str) -> bool {
    let last = target.rsplit('/').next().unwrap_or(target);
    last.rsplit_once('.').is_some_and(|(stem, ext)| {
        !stem.is_empty() && ext.len() <= 5 && ext.chars().all(|c| c.is_ascii_alphanumeric())
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn images_are_known_by_the_last_part_of_their_repository_without_tag_or_digest() {
        for image in [
            "postgres:16-alpine",
            "bitnami/postgresql:16",
            "docker.io/library/postgres@sha256:abcd",
            "registry.example.com:5000/postgis/postgis:16-3.4",
        ] {
            assert_eq!(
                of_image(image).map(|s| s.name),
                Some("PostgreSQL"),
                "{image}"
            );
        }
        assert_eq!(of_image("mongo:7").map(|s| s.name), Some("MongoDB"));
        assert_eq!(of_image("ghcr.io/acme/postgres-exporter:1"), None);
        assert_eq!(of_image("nginx:1.27"), None);
    }

    #[test]
    fn a_stores_data_paths_hold_data_and_its_config_files_do_not() {
        let pg = of_image("postgres").expect("known");
        assert!(holds_data(pg, "/var/lib/postgresql/data"));
        assert!(holds_data(pg, "/pgdata"));
        assert!(!holds_data(pg, "/docker-entrypoint-initdb.d"));
        assert!(!holds_data(pg, "/docker-entrypoint-initdb.d/init.sql"));
        assert!(!holds_data(pg, "/etc/postgresql/postgresql.conf"));
        assert!(!holds_data(pg, "/tmp"));
    }
}
