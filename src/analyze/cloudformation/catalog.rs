//! catalog: what twokey knows about CloudFormation resource types. Which hold data that a
//! recreate does not bring back, which support a `Snapshot` deletion policy, which
//! properties force a replacement, and which SAM types expand to a resource under the same
//! logical ID. Small on purpose: an entry is here only where the AWS documentation (or the
//! CloudFormation registry schema's `createOnlyProperties`) says so.

/// Types whose deletion loses data or identity that recreating them does not bring back.
const STATEFUL: &[&str] = &[
    "AWS::RDS::DBInstance",
    "AWS::RDS::DBCluster",
    "AWS::RDS::GlobalCluster",
    "AWS::DynamoDB::Table",
    "AWS::DynamoDB::GlobalTable",
    "AWS::S3::Bucket",
    "AWS::S3Express::DirectoryBucket",
    "AWS::EFS::FileSystem",
    "AWS::FSx::FileSystem",
    "AWS::EC2::Volume",
    "AWS::KMS::Key",
    "AWS::Route53::HostedZone",
    "AWS::SQS::Queue",
    "AWS::Kinesis::Stream",
    "AWS::ElastiCache::CacheCluster",
    "AWS::ElastiCache::ReplicationGroup",
    "AWS::ElastiCache::ServerlessCache",
    "AWS::ElastiCache::GlobalReplicationGroup",
    "AWS::MemoryDB::Cluster",
    "AWS::OpenSearchService::Domain",
    "AWS::Elasticsearch::Domain",
    "AWS::Neptune::DBCluster",
    "AWS::DocDB::DBCluster",
    "AWS::DocDBElastic::Cluster",
    "AWS::Redshift::Cluster",
    "AWS::RedshiftServerless::Namespace",
    "AWS::Cognito::UserPool",
    "AWS::Logs::LogGroup",
    "AWS::ECR::Repository",
    "AWS::SecretsManager::Secret",
    "AWS::Backup::BackupVault",
    "AWS::MSK::Cluster",
    "AWS::Timestream::Table",
    "AWS::Timestream::Database",
    "AWS::QLDB::Ledger",
    // CloudTrail Lake: the audit events it holds are the record of what happened.
    "AWS::CloudTrail::EventDataStore",
    "AWS::Cassandra::Table",
    "AWS::Serverless::SimpleTable",
    // A nested stack or SAM application takes every resource in it along; a stack set, every
    // stack it deployed, in every account and region.
    "AWS::CloudFormation::Stack",
    "AWS::Serverless::Application",
    "AWS::CloudFormation::StackSet",
];

pub(super) fn is_stateful(kind: &str) -> bool {
    STATEFUL.contains(&kind)
}

/// What deleting a resource of this type loses, for messages.
pub(super) fn loss(kind: &str) -> &'static str {
    match kind {
        "AWS::CloudFormation::Stack" | "AWS::Serverless::Application" => {
            "every resource of the nested stack is deleted with it"
        }
        "AWS::CloudFormation::StackSet" => {
            "every stack instance it deployed goes with it, with everything those stacks hold in every target account and region"
        }
        "AWS::KMS::Key" => {
            "once the key is deleted, everything encrypted under it can no longer be decrypted"
        }
        "AWS::Route53::HostedZone" => "its records go, and a new zone gets new name servers",
        "AWS::Cognito::UserPool" => "its users and their passwords are lost",
        k if is_stateful(k) => "the data it holds is lost",
        _ => "whatever depends on it breaks until it is recreated",
    }
}

/// Types for which `DeletionPolicy: Snapshot` takes a final snapshot (the AWS documentation's
/// list); on any other type it does not keep the data.
const SNAPSHOT_TYPES: &[&str] = &[
    "AWS::EC2::Volume",
    "AWS::ElastiCache::CacheCluster",
    "AWS::ElastiCache::ReplicationGroup",
    "AWS::Neptune::DBCluster",
    "AWS::RDS::DBCluster",
    "AWS::RDS::DBInstance",
    "AWS::Redshift::Cluster",
];

pub(super) fn supports_snapshot(kind: &str) -> bool {
    SNAPSHOT_TYPES.contains(&kind)
}

/// Properties documented as "Update requires: Replacement" (createOnly in the registry
/// schema) for common stateful types, and the property that gives the resource a custom
/// physical name, if any. Conditional cases (an RDS engine change that is or is not an
/// upgrade, for example) are left out.
pub(super) struct Replacing {
    pub kind: &'static str,
    pub properties: &'static [&'static str],
    pub name: Option<&'static str>,
}

const REPLACING: &[Replacing] = &[
    Replacing {
        kind: "AWS::RDS::DBInstance",
        properties: &[
            "DBInstanceIdentifier",
            "DBName",
            "DBClusterIdentifier",
            "StorageEncrypted",
            "KmsKeyId",
            "MasterUsername",
            "CharacterSetName",
            "DBSubnetGroupName",
            "Timezone",
            "Port",
            // Only a change to another engine (see `equivalent`): a version upgrade is not one.
            "Engine",
            // Restored from a snapshot: the docs say that leaving it out of a later update
            // creates an empty instance, and a different one restores a new instance; either
            // way the original is deleted.
            "DBSnapshotIdentifier",
        ],
        name: Some("DBInstanceIdentifier"),
    },
    Replacing {
        kind: "AWS::RDS::DBCluster",
        properties: &[
            "DBClusterIdentifier",
            "DatabaseName",
            "Engine",
            "EngineMode",
            "StorageEncrypted",
            "KmsKeyId",
            "AvailabilityZones",
            "DBSubnetGroupName",
            "MasterUsername",
            // createOnly: removing it after a restore replaces the cluster with an empty one.
            "SnapshotIdentifier",
            "SourceDBClusterIdentifier",
        ],
        name: Some("DBClusterIdentifier"),
    },
    Replacing {
        kind: "AWS::DynamoDB::Table",
        properties: &["TableName", "KeySchema", "LocalSecondaryIndexes"],
        name: Some("TableName"),
    },
    Replacing {
        kind: "AWS::Serverless::SimpleTable",
        properties: &["TableName", "PrimaryKey"],
        name: Some("TableName"),
    },
    Replacing {
        kind: "AWS::S3::Bucket",
        properties: &["BucketName"],
        name: Some("BucketName"),
    },
    Replacing {
        kind: "AWS::EFS::FileSystem",
        properties: &[
            "Encrypted",
            "KmsKeyId",
            "PerformanceMode",
            "AvailabilityZoneName",
        ],
        name: None,
    },
    Replacing {
        kind: "AWS::SQS::Queue",
        properties: &["QueueName", "FifoQueue"],
        name: Some("QueueName"),
    },
    Replacing {
        kind: "AWS::Kinesis::Stream",
        properties: &["Name"],
        name: Some("Name"),
    },
    Replacing {
        kind: "AWS::Route53::HostedZone",
        properties: &["Name"],
        name: None,
    },
    Replacing {
        // The registry schema's createOnlyProperties, less the snapshot it was seeded from.
        kind: "AWS::ElastiCache::ReplicationGroup",
        properties: &[
            "ReplicationGroupId",
            "AtRestEncryptionEnabled",
            "KmsKeyId",
            "Port",
            "CacheSubnetGroupName",
            "DataTieringEnabled",
            "NetworkType",
            "PreferredCacheClusterAZs",
        ],
        name: Some("ReplicationGroupId"),
    },
    Replacing {
        // A single-node cache (often a Redis that holds sessions or queues): a new engine,
        // name, port or subnet group is a new, empty cluster.
        kind: "AWS::ElastiCache::CacheCluster",
        properties: &[
            "ClusterName",
            "Engine",
            "Port",
            "CacheSubnetGroupName",
            "NetworkType",
        ],
        name: Some("ClusterName"),
    },
    Replacing {
        kind: "AWS::Logs::LogGroup",
        properties: &["LogGroupName"],
        name: Some("LogGroupName"),
    },
    Replacing {
        kind: "AWS::ECR::Repository",
        properties: &["RepositoryName"],
        name: Some("RepositoryName"),
    },
    Replacing {
        kind: "AWS::SecretsManager::Secret",
        properties: &["Name"],
        name: Some("Name"),
    },
    Replacing {
        kind: "AWS::OpenSearchService::Domain",
        properties: &["DomainName"],
        name: Some("DomainName"),
    },
    Replacing {
        kind: "AWS::Elasticsearch::Domain",
        properties: &["DomainName"],
        name: Some("DomainName"),
    },
    Replacing {
        kind: "AWS::Neptune::DBCluster",
        properties: &["DBClusterIdentifier", "StorageEncrypted", "KmsKeyId"],
        name: Some("DBClusterIdentifier"),
    },
    Replacing {
        kind: "AWS::DocDB::DBCluster",
        properties: &[
            "DBClusterIdentifier",
            "StorageEncrypted",
            "KmsKeyId",
            "MasterUsername",
        ],
        name: Some("DBClusterIdentifier"),
    },
    Replacing {
        kind: "AWS::Redshift::Cluster",
        properties: &["ClusterIdentifier", "DBName", "MasterUsername"],
        name: Some("ClusterIdentifier"),
    },
    Replacing {
        kind: "AWS::EC2::Volume",
        properties: &["AvailabilityZone", "SnapshotId"],
        name: None,
    },
    Replacing {
        // Changing how users sign in recreates the pool: every user and password is lost.
        kind: "AWS::Cognito::UserPool",
        properties: &["UsernameAttributes", "AliasAttributes"],
        name: None,
    },
    Replacing {
        kind: "AWS::DynamoDB::GlobalTable",
        properties: &["TableName", "KeySchema", "LocalSecondaryIndexes"],
        name: Some("TableName"),
    },
    Replacing {
        kind: "AWS::MemoryDB::Cluster",
        properties: &["ClusterName"],
        name: Some("ClusterName"),
    },
    Replacing {
        kind: "AWS::MSK::Cluster",
        properties: &["ClusterName"],
        name: Some("ClusterName"),
    },
    Replacing {
        kind: "AWS::Backup::BackupVault",
        properties: &["BackupVaultName", "EncryptionKeyArn"],
        name: Some("BackupVaultName"),
    },
    Replacing {
        kind: "AWS::FSx::FileSystem",
        properties: &["FileSystemType", "SubnetIds", "KmsKeyId"],
        name: None,
    },
    Replacing {
        // A new key spec or usage schedules the old key for deletion.
        kind: "AWS::KMS::Key",
        properties: &["KeySpec", "KeyUsage"],
        name: None,
    },
    Replacing {
        kind: "AWS::EC2::Instance",
        properties: &["ImageId", "AvailabilityZone"],
        name: None,
    },
    Replacing {
        kind: "AWS::EKS::Cluster",
        properties: &["Name", "RoleArn"],
        name: Some("Name"),
    },
    Replacing {
        kind: "AWS::CloudFormation::StackSet",
        properties: &["StackSetName", "PermissionModel"],
        name: Some("StackSetName"),
    },
    Replacing {
        kind: "AWS::EC2::VPC",
        properties: &["CidrBlock"],
        name: None,
    },
];

pub(super) fn replacing(kind: &str) -> Option<&'static Replacing> {
    REPLACING.iter().find(|r| r.kind == kind)
}

/// The replacing properties of `AWS::<service>::<resource>`, both named without regard to
/// case: how a CDK L1 construct (`s3.CfnBucket`, `rds.CfnDBInstance`) names its type.
pub(crate) fn replacing_properties(service: &str, resource: &str) -> &'static [&'static str] {
    REPLACING
        .iter()
        .find(|r| {
            let mut parts = r.kind.split("::");
            parts.next() == Some("AWS")
                && parts
                    .next()
                    .is_some_and(|s| s.eq_ignore_ascii_case(service))
                && parts
                    .next()
                    .is_some_and(|t| t.eq_ignore_ascii_case(resource))
        })
        .map_or(&[], |r| r.properties)
}

/// Documented defaults of replacing properties: writing one out, or dropping it, is no
/// change. Only scalars, compared case-insensitively (`false`, `False`).
const DEFAULTS: &[(&str, &str, &str)] = &[
    ("AWS::SQS::Queue", "FifoQueue", "false"),
    ("AWS::RDS::DBInstance", "StorageEncrypted", "false"),
    ("AWS::RDS::DBCluster", "StorageEncrypted", "false"),
    ("AWS::EFS::FileSystem", "Encrypted", "false"),
    (
        "AWS::ElastiCache::ReplicationGroup",
        "AtRestEncryptionEnabled",
        "false",
    ),
    (
        "AWS::ElastiCache::ReplicationGroup",
        "DataTieringEnabled",
        "false",
    ),
    ("AWS::EFS::FileSystem", "PerformanceMode", "generalPurpose"),
    ("AWS::KMS::Key", "KeySpec", "SYMMETRIC_DEFAULT"),
    ("AWS::KMS::Key", "KeyUsage", "ENCRYPT_DECRYPT"),
];

/// The documented default of a replacing property, if twokey knows it.
pub(super) fn default_of(kind: &str, property: &str) -> Option<&'static str> {
    DEFAULTS
        .iter()
        .find(|(k, p, _)| *k == kind && *p == property)
        .map(|(_, _, d)| *d)
}

/// Whether two values of a replacing property that differ as text deploy the same: RDS names
/// engines without regard to case, and converting an Oracle database to the multitenant
/// architecture (`oracle-ee` to `oracle-ee-cdb`) is done in place; any other change of a DB
/// instance's engine (`postgres` to `mysql`, one Oracle or SQL Server edition to another)
/// cannot be, so CloudFormation replaces the instance.
pub(super) fn equivalent(kind: &str, property: &str, a: Option<&str>, b: Option<&str>) -> bool {
    let (Some(a), Some(b)) = (a, b) else {
        return false;
    };
    match (kind, property) {
        ("AWS::RDS::DBInstance", "Engine") => {
            let family = |e: &str| e.to_ascii_lowercase().trim_end_matches("-cdb").to_owned();
            family(a) == family(b)
        }
        _ => false,
    }
}

/// SAM resources whose expansion keeps the logical ID: rewriting one as the resource it
/// expands to is not a change of type as far as the deployed stack is concerned.
const SAM_EXPANSIONS: &[(&str, &str)] = &[
    ("AWS::Serverless::Function", "AWS::Lambda::Function"),
    ("AWS::Serverless::SimpleTable", "AWS::DynamoDB::Table"),
    (
        "AWS::Serverless::StateMachine",
        "AWS::StepFunctions::StateMachine",
    ),
    ("AWS::Serverless::Api", "AWS::ApiGateway::RestApi"),
    ("AWS::Serverless::HttpApi", "AWS::ApiGatewayV2::Api"),
];

/// Whether two `Type`s name the same deployed resource type.
pub(super) fn same_type(a: &str, b: &str) -> bool {
    a == b
        || SAM_EXPANSIONS
            .iter()
            .any(|(sam, cfn)| (a == *sam && b == *cfn) || (a == *cfn && b == *sam))
}
