//! data_operators: the catalogue of custom resources through which operators run stateful
//! clusters (search engines, document stores, brokers, wide-column and analytical databases,
//! object stores), and where each one's spec says how many members hold data and on what
//! storage. Pure data and one lookup; [`members`](super::members) compares, and
//! [`databases`](super::databases) says what deleting or stopping one does.
//!
//! The lookup is one `match` on the object's group and kind, so objects of other kinds pay
//! two string comparisons per arm they pass, and nothing else.

use super::ObjectId;

/// A path of mapping keys inside an object or one of its list items.
pub(super) type Path = &'static [&'static str];

/// What the members a count removes take with them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Loss {
    /// Other members hold copies of the same data: redundancy and quorum margin go, the data
    /// stays (medium).
    Copies,
    /// The removed members hold data no other member has (shards, brokers' partitions, a
    /// MinIO pool's erasure sets): it goes unless moved first (high).
    Data,
}

/// A count of members that hold data, and what lowering it does.
#[derive(Debug)]
pub(super) struct Count {
    pub path: Path,
    /// The operator's value when the field is left out; `None` when unknown, so a count
    /// dropped is not read as lowered.
    pub default: Option<i64>,
    /// What one member is, as a reviewer calls it ("replica set member").
    pub member: &'static str,
    pub loss: Loss,
}

/// Where a volume claim spec sits, and the keys of its storage class and size in it.
#[derive(Debug)]
pub(super) struct Storage {
    pub path: Path,
    /// When `path` leads to a list of claim templates: the key that names each one.
    pub each: Option<Path>,
    pub class: Path,
    pub size: Path,
}

/// A list of named member groups (ECK nodeSets, k8ssandra datacenters, MinIO pools): each
/// group is known by its name, so renaming one removes it and adds an empty one.
#[derive(Debug)]
pub(super) struct Group {
    pub path: Path,
    pub name: Path,
    /// What one group is, as its CRD calls it ("nodeSet").
    pub member: &'static str,
    /// What removing a group (or scaling it to zero) does, as a clause.
    pub loses: &'static str,
    pub counts: &'static [Count],
    pub storage: &'static [Storage],
}

/// A stateful cluster resource: what it runs, and where its members and storage are written.
#[derive(Debug)]
pub(super) struct DataKind {
    /// What the resource is, for messages ("Elasticsearch cluster").
    pub what: &'static str,
    pub groups: &'static [Group],
    pub counts: &'static [Count],
    pub storage: &'static [Storage],
}

const CLAIM_SPEC: (Path, Path) = (&["storageClassName"], &["resources", "requests", "storage"]);
const TEMPLATE_SPEC: (Path, Path) = (
    &["spec", "storageClassName"],
    &["spec", "resources", "requests", "storage"],
);

const fn claim(path: Path) -> Storage {
    Storage {
        path,
        each: None,
        class: CLAIM_SPEC.0,
        size: CLAIM_SPEC.1,
    }
}

const fn templates(path: Path, each: Path) -> Storage {
    Storage {
        path,
        each: Some(each),
        class: TEMPLATE_SPEC.0,
        size: TEMPLATE_SPEC.1,
    }
}

const fn copies(path: Path, default: Option<i64>, member: &'static str) -> Count {
    Count {
        path,
        default,
        member,
        loss: Loss::Copies,
    }
}

const fn holding(path: Path, default: Option<i64>, member: &'static str) -> Count {
    Count {
        path,
        default,
        member,
        loss: Loss::Data,
    }
}

const NONE: DataKind = DataKind {
    what: "",
    groups: &[],
    counts: &[],
    storage: &[],
};

static ELASTICSEARCH: DataKind = DataKind {
    what: "Elasticsearch cluster",
    groups: &[Group {
        path: &["spec", "nodeSets"],
        name: &["name"],
        member: "nodeSet",
        loses: "ECK moves the shards off its nodes, deletes them and deletes their PersistentVolumeClaims (whatever `volumeClaimDeletePolicy` says); shards with no replica elsewhere, or that the remaining nodes cannot hold, are lost or block the change",
        // ECK migrates shards off a node before removing it, so the remaining copies decide.
        counts: &[copies(&["count"], None, "Elasticsearch node")],
        storage: &[templates(&["volumeClaimTemplates"], &["metadata", "name"])],
    }],
    ..NONE
};

static MONGODB_COMMUNITY: DataKind = DataKind {
    what: "MongoDB replica set",
    counts: &[copies(&["spec", "members"], None, "replica set member")],
    storage: &[templates(
        &["spec", "statefulSet", "spec", "volumeClaimTemplates"],
        &["metadata", "name"],
    )],
    ..NONE
};

static MONGODB_ENTERPRISE: DataKind = DataKind {
    what: "MongoDB deployment",
    counts: &[
        holding(&["spec", "shardCount"], None, "shard"),
        copies(&["spec", "mongodsPerShardCount"], None, "mongod per shard"),
        copies(&["spec", "members"], None, "replica set member"),
    ],
    ..NONE
};

static PERCONA_MONGODB: DataKind = DataKind {
    what: "Percona Server for MongoDB cluster",
    groups: &[Group {
        path: &["spec", "replsets"],
        name: &["name"],
        member: "replset",
        loses: "the operator deletes its members, and in a sharded cluster the data of that shard goes with them unless it was drained first",
        counts: &[copies(&["size"], None, "replica set member")],
        storage: &[claim(&["volumeSpec", "persistentVolumeClaim"])],
    }],
    ..NONE
};

static PERCONA_XTRADB: DataKind = DataKind {
    what: "Percona XtraDB Cluster",
    counts: &[copies(&["spec", "pxc", "size"], None, "PXC node")],
    storage: &[claim(&[
        "spec",
        "pxc",
        "volumeSpec",
        "persistentVolumeClaim",
    ])],
    ..NONE
};

static PERCONA_MYSQL: DataKind = DataKind {
    what: "Percona Server for MySQL cluster",
    counts: &[copies(&["spec", "mysql", "size"], None, "MySQL node")],
    storage: &[claim(&[
        "spec",
        "mysql",
        "volumeSpec",
        "persistentVolumeClaim",
    ])],
    ..NONE
};

static POSTGRES_INSTANCES: DataKind = DataKind {
    what: "PostgreSQL cluster",
    groups: &[Group {
        path: &["spec", "instances"],
        name: &["name"],
        member: "instance set",
        loses: "the operator deletes its PostgreSQL instances and their PersistentVolumeClaims; if it held the primary, the cluster fails over",
        counts: &[copies(&["replicas"], Some(1), "PostgreSQL instance")],
        storage: &[claim(&["dataVolumeClaimSpec"])],
    }],
    ..NONE
};

static RABBITMQ: DataKind = DataKind {
    what: "RabbitMQ cluster",
    // The operator does not support scaling down: quorum queues and streams lose members
    // and the cluster is left for an operator to repair.
    counts: &[copies(&["spec", "replicas"], Some(1), "RabbitMQ node")],
    storage: &[Storage {
        path: &["spec", "persistence"],
        each: None,
        class: &["storageClassName"],
        size: &["storage"],
    }],
    ..NONE
};

static REDIS_FAILOVER: DataKind = DataKind {
    what: "Redis failover",
    counts: &[copies(
        &["spec", "redis", "replicas"],
        None,
        "Redis replica",
    )],
    storage: &[claim(&[
        "spec",
        "redis",
        "storage",
        "persistentVolumeClaim",
        "spec",
    ])],
    ..NONE
};

static OT_REDIS_CLUSTER: DataKind = DataKind {
    what: "Redis cluster",
    // Each leader owns hash slots: fewer leaders means slots, and their keys, move or go.
    counts: &[holding(&["spec", "clusterSize"], None, "Redis leader")],
    storage: &[claim(&["spec", "storage", "volumeClaimTemplate", "spec"])],
    ..NONE
};

static OT_REDIS: DataKind = DataKind {
    what: "Redis deployment",
    counts: &[copies(&["spec", "clusterSize"], None, "Redis replica")],
    storage: &[claim(&["spec", "storage", "volumeClaimTemplate", "spec"])],
    ..NONE
};

static K8SSANDRA: DataKind = DataKind {
    what: "Cassandra cluster",
    groups: &[Group {
        path: &["spec", "cassandra", "datacenters"],
        name: &["metadata", "name"],
        member: "datacenter",
        loses: "k8ssandra deletes the datacenter's Cassandra nodes and their PersistentVolumeClaims; keyspaces still replicated to it lose those replicas, and keyspaces replicated only there lose their data",
        counts: &[copies(&["size"], None, "Cassandra node")],
        storage: &[claim(&["storageConfig", "cassandraDataVolumeClaimSpec"])],
    }],
    storage: &[claim(&[
        "spec",
        "cassandra",
        "storageConfig",
        "cassandraDataVolumeClaimSpec",
    ])],
    ..NONE
};

static CASSANDRA_DATACENTER: DataKind = DataKind {
    what: "Cassandra datacenter",
    counts: &[copies(&["spec", "size"], None, "Cassandra node")],
    storage: &[claim(&[
        "spec",
        "storageConfig",
        "cassandraDataVolumeClaimSpec",
    ])],
    ..NONE
};

static VITESS: DataKind = DataKind {
    what: "Vitess cluster",
    groups: &[Group {
        path: &["spec", "keyspaces"],
        name: &["name"],
        member: "keyspace",
        loses: "the operator turns down its tablets and their volumes, and the keyspace's tables with them",
        counts: &[],
        storage: &[],
    }],
    ..NONE
};

static TIDB: DataKind = DataKind {
    what: "TiDB cluster",
    counts: &[
        copies(&["spec", "tikv", "replicas"], None, "TiKV store"),
        copies(&["spec", "pd", "replicas"], None, "PD member"),
        copies(&["spec", "tiflash", "replicas"], None, "TiFlash store"),
    ],
    storage: &[
        Storage {
            path: &["spec", "tikv"],
            each: None,
            class: &["storageClassName"],
            size: &["requests", "storage"],
        },
        Storage {
            path: &["spec", "pd"],
            each: None,
            class: &["storageClassName"],
            size: &["requests", "storage"],
        },
    ],
    ..NONE
};

static CLICKHOUSE: DataKind = DataKind {
    what: "ClickHouse installation",
    groups: &[Group {
        path: &["spec", "configuration", "clusters"],
        name: &["name"],
        member: "cluster",
        loses: "the Altinity operator deletes its hosts and, unless their claims are kept with `reclaimPolicy: Retain`, their volumes and every table stored on them",
        counts: &[
            // The operator does not move a removed shard's parts anywhere.
            holding(&["layout", "shardsCount"], Some(1), "shard"),
            copies(&["layout", "replicasCount"], Some(1), "replica"),
        ],
        storage: &[],
    }],
    storage: &[templates(
        &["spec", "templates", "volumeClaimTemplates"],
        &["name"],
    )],
    ..NONE
};

static KAFKA_NODE_POOL: DataKind = DataKind {
    what: "Kafka node pool",
    counts: &[holding(&["spec", "replicas"], None, "Kafka node")],
    storage: &[
        Storage {
            path: &["spec", "storage"],
            each: None,
            class: &["class"],
            size: &["size"],
        },
        Storage {
            path: &["spec", "storage", "volumes"],
            each: Some(&["id"]),
            class: &["class"],
            size: &["size"],
        },
    ],
    ..NONE
};

static KAFKA: DataKind = DataKind {
    what: "Kafka cluster",
    counts: &[
        holding(&["spec", "kafka", "replicas"], None, "Kafka broker"),
        copies(&["spec", "zookeeper", "replicas"], None, "ZooKeeper node"),
    ],
    storage: &[
        Storage {
            path: &["spec", "kafka", "storage"],
            each: None,
            class: &["class"],
            size: &["size"],
        },
        Storage {
            path: &["spec", "kafka", "storage", "volumes"],
            each: Some(&["id"]),
            class: &["class"],
            size: &["size"],
        },
    ],
    ..NONE
};

static MINIO_TENANT: DataKind = DataKind {
    what: "MinIO tenant",
    groups: &[Group {
        path: &["spec", "pools"],
        name: &["name"],
        member: "pool",
        loses: "MinIO places each object in one pool, so the objects stored on this pool are lost unless it was decommissioned first (`mc admin decommission start`)",
        // A pool's erasure sets are fixed when it is created: fewer servers breaks them.
        counts: &[
            holding(&["servers"], None, "server"),
            holding(&["volumesPerServer"], None, "volume per server"),
        ],
        storage: &[claim(&["volumeClaimTemplate", "spec"])],
    }],
    ..NONE
};

static CLOUDNATIVE_PG: DataKind = DataKind {
    what: "PostgreSQL cluster",
    // Fewer instances is how CloudNativePG clusters are sized down (and zero is rejected),
    // so its count is left to review.
    storage: &[Storage {
        path: &["spec", "storage"],
        each: None,
        class: &["storageClass"],
        size: &["size"],
    }],
    ..NONE
};

/// Zalando's `numberOfInstances: 0` is its way to stop a cluster, told by
/// [`databases::stopped`](super::databases::stopped), so its count is not read here.
static ZALANDO: DataKind = DataKind {
    what: "PostgreSQL cluster",
    storage: &[Storage {
        path: &["spec", "volume"],
        each: None,
        class: &["storageClass"],
        size: &["size"],
    }],
    ..NONE
};

static CLICKHOUSE_KEEPER: DataKind = DataKind {
    what: "ClickHouse Keeper ensemble",
    ..NONE
};

/// The stateful cluster resource `id` is, or `None` for every other kind.
pub(super) fn data_kind(id: &ObjectId) -> Option<&'static DataKind> {
    let kind = match (id.group.as_str(), id.kind.as_str()) {
        ("elasticsearch.k8s.elastic.co", "Elasticsearch") => &ELASTICSEARCH,
        ("mongodbcommunity.mongodb.com", "MongoDBCommunity") => &MONGODB_COMMUNITY,
        ("mongodb.com", "MongoDB") => &MONGODB_ENTERPRISE,
        ("psmdb.percona.com", "PerconaServerMongoDB") => &PERCONA_MONGODB,
        ("pxc.percona.com", "PerconaXtraDBCluster") => &PERCONA_XTRADB,
        ("ps.percona.com", "PerconaServerMySQL") => &PERCONA_MYSQL,
        ("postgresql.cnpg.io", "Cluster") => &CLOUDNATIVE_PG,
        ("acid.zalan.do", "postgresql") => &ZALANDO,
        ("pgv2.percona.com", "PerconaPGCluster")
        | ("postgres-operator.crunchydata.com", "PostgresCluster") => &POSTGRES_INSTANCES,
        ("rabbitmq.com", "RabbitmqCluster") => &RABBITMQ,
        ("databases.spotahome.com", "RedisFailover") => &REDIS_FAILOVER,
        ("redis.redis.opstreelabs.in", "RedisCluster") => &OT_REDIS_CLUSTER,
        ("redis.redis.opstreelabs.in", "RedisReplication" | "Redis") => &OT_REDIS,
        ("k8ssandra.io", "K8ssandraCluster") => &K8SSANDRA,
        ("cassandra.datastax.com", "CassandraDatacenter") => &CASSANDRA_DATACENTER,
        ("planetscale.com", "VitessCluster") => &VITESS,
        ("pingcap.com", "TidbCluster") => &TIDB,
        ("clickhouse.altinity.com", "ClickHouseInstallation") => &CLICKHOUSE,
        ("clickhouse-keeper.altinity.com", "ClickHouseKeeperInstallation") => &CLICKHOUSE_KEEPER,
        ("kafka.strimzi.io", "KafkaNodePool") => &KAFKA_NODE_POOL,
        ("kafka.strimzi.io", "Kafka") => &KAFKA,
        ("minio.min.io", "Tenant") => &MINIO_TENANT,
        _ => return None,
    };
    Some(kind)
}
