//! Protections and retentions found missing when twokey was checked against its peers'
//! catalogues (Checkov, Trivy/defsec, KICS, cfn-lint) and the AWS documentation: each row
//! turns one off, or shortens it; the same edit undone, and the untouched template, are quiet.

use super::super::files::testkit::{ids, Case};
use super::*;

const PATH: &str = "infra/peers.yaml";

/// A one-resource template of `kind` with `props` (indented for `Properties`).
fn template(kind: &str, props: &str) -> String {
    format!("Resources:\n  R:\n    Type: {kind}\n    Properties:\n      {props}\n")
}

fn run(before: &str, after: &str) -> Vec<Finding> {
    Case::modified(PATH, before, after).run(analyze)
}

const DISABLED: &str = "cloudformation/protection-disabled";
const SHORTENED: &str = "cloudformation/retention-shortened";

#[test]
fn protections_and_retentions_from_peers_are_watched() {
    // (kind, protective properties, weak properties, rule, words the message must hold)
    let rows: &[(&str, &str, &str, &str, &str)] = &[
        ("AWS::RDS::DBInstance", "Engine: postgres\n      DeleteAutomatedBackups: false", "Engine: postgres\n      DeleteAutomatedBackups: true", DISABLED, "automated backups"),
        ("AWS::RDS::DBCluster", "Engine: aurora-mysql\n      DeleteAutomatedBackups: false", "Engine: aurora-mysql", DISABLED, "automated backups"),
        ("AWS::Redshift::Cluster", "AutomatedSnapshotRetentionPeriod: 7", "AutomatedSnapshotRetentionPeriod: 0", DISABLED, "automated snapshots"),
        ("AWS::ElastiCache::ReplicationGroup", "SnapshotRetentionLimit: 7", "SnapshotRetentionLimit: 0", DISABLED, "automatic snapshots"),
        ("AWS::ElastiCache::CacheCluster", "Engine: redis\n      SnapshotRetentionLimit: 7", "Engine: redis", DISABLED, "automatic snapshots"),
        ("AWS::FSx::FileSystem", "WindowsConfiguration:\n        AutomaticBackupRetentionDays: 7", "WindowsConfiguration:\n        AutomaticBackupRetentionDays: 0", DISABLED, "automatic backups"),
        ("AWS::EC2::LaunchTemplate", "LaunchTemplateData:\n        DisableApiTermination: true", "LaunchTemplateData:\n        DisableApiTermination: false", DISABLED, "termination protection"),
        ("AWS::CloudTrail::EventDataStore", "TerminationProtectionEnabled: true", "TerminationProtectionEnabled: false", DISABLED, "termination protection"),
        ("AWS::ECR::Repository", "RepositoryName: app", "RepositoryName: app\n      EmptyOnDelete: true", DISABLED, "every image"),
        ("AWS::DynamoDB::GlobalTable", "Replicas:\n        - Region: us-east-1\n          PointInTimeRecoverySpecification: {PointInTimeRecoveryEnabled: true}", "Replicas:\n        - Region: us-east-1\n          PointInTimeRecoverySpecification: {PointInTimeRecoveryEnabled: false}", DISABLED, "us-east-1 replica"),
        ("AWS::DynamoDB::GlobalTable", "Replicas:\n        - Region: eu-west-1\n          DeletionProtectionEnabled: true", "Replicas:\n        - Region: eu-west-1\n          DeletionProtectionEnabled: false", DISABLED, "eu-west-1 replica"),
        ("AWS::EC2::Instance", "BlockDeviceMappings:\n        - DeviceName: /dev/sdf\n          Ebs: {VolumeSize: 100, DeleteOnTermination: false}", "BlockDeviceMappings:\n        - DeviceName: /dev/sdf\n          Ebs: {VolumeSize: 100}", DISABLED, "/dev/sdf"),
        ("AWS::Redshift::Cluster", "AutomatedSnapshotRetentionPeriod: 35", "AutomatedSnapshotRetentionPeriod: 7", SHORTENED, "snapshots"),
        ("AWS::ElastiCache::ReplicationGroup", "SnapshotRetentionLimit: 7", "SnapshotRetentionLimit: 1", SHORTENED, "snapshots"),
        ("AWS::CloudTrail::EventDataStore", "RetentionPeriod: 2557", "RetentionPeriod: 90", SHORTENED, "RetentionPeriod"),
        ("AWS::DynamoDB::Table", "PointInTimeRecoverySpecification:\n        PointInTimeRecoveryEnabled: true\n        RecoveryPeriodInDays: 35", "PointInTimeRecoverySpecification:\n        PointInTimeRecoveryEnabled: true\n        RecoveryPeriodInDays: 7", SHORTENED, "point in time"),
    ];
    for &(kind, on, off, rule, says) in rows {
        let (on, off) = (template(kind, on), template(kind, off));
        let f = run(&on, &off);
        assert_eq!(ids(&f), [rule], "{kind}: {f:?}");
        assert!(f[0].message.contains(says), "{kind}: {}", f[0].message);
        let stateful = catalog::is_stateful(kind);
        // A protection of a type holding data is high; a shorter retention is high when it is
        // backups or recovery, medium for the audit events themselves.
        let expected = match (rule, kind) {
            (DISABLED, _) if !stateful => Severity::Medium,
            (SHORTENED, "AWS::CloudTrail::EventDataStore") => Severity::Medium,
            _ => Severity::High,
        };
        assert_eq!(f[0].severity, expected, "{kind}: {}", f[0].message);
        assert!(run(&off, &on).is_empty(), "{kind}: undone");
        assert!(run(&on, &on).is_empty(), "{kind}: untouched");
    }
}

#[test]
fn defaults_that_keep_the_protection_on_are_quiet_when_written_out_or_dropped() {
    let rows: &[(&str, &str, &str)] = &[
        // Redshift keeps 1 day of automated snapshots unless told otherwise.
        ("AWS::Redshift::Cluster", "AutomatedSnapshotRetentionPeriod: 1", "NodeType: ra3.xlplus"),
        // An event data store is termination-protected unless told otherwise.
        ("AWS::CloudTrail::EventDataStore", "TerminationProtectionEnabled: true", "Name: lake"),
        // A root volume deleted on termination stays so when its size changes.
        ("AWS::EC2::Instance", "BlockDeviceMappings:\n        - DeviceName: /dev/xvda\n          Ebs: {VolumeSize: 100}", "BlockDeviceMappings:\n        - DeviceName: /dev/xvda\n          Ebs: {VolumeSize: 200}"),
        // A new replica created without deletion protection removes nothing.
        ("AWS::DynamoDB::GlobalTable", "Replicas:\n        - Region: us-east-1", "Replicas:\n        - Region: us-east-1\n        - Region: eu-west-1\n          DeletionProtectionEnabled: false"),
        // A Lustre scratch file system has no backups to turn off.
        ("AWS::FSx::FileSystem", "LustreConfiguration:\n        DeploymentType: SCRATCH_2", "LustreConfiguration:\n        DeploymentType: SCRATCH_2\n        ImportPath: s3://x"),
    ];
    for &(kind, before, after) in rows {
        let f = run(&template(kind, before), &template(kind, after));
        assert!(f.is_empty(), "{kind}: {f:?}");
    }
}
