use super::super::files::testkit::{ids, Case};
use super::*;
use crate::analyze::FileKind;
use crate::change::Side;
use proptest::prelude::*;

fn run(case: Case) -> Vec<Finding> {
    case.run(analyze)
}

/// The 1-based line of the first line of `text` containing `needle`.
fn line_of(text: &str, needle: &str) -> u32 {
    let index = text
        .lines()
        .position(|l| l.contains(needle))
        .unwrap_or_else(|| panic!("{needle:?} not in the fixture"));
    index as u32 + 1
}

/// A hand-written template with short-form tags.
const STACK: &str = "\
AWSTemplateFormatVersion: '2010-09-09'
Description: Shop storage   # the data tier
Parameters:
  Env:
    Type: String
Resources:
  Database:
    Type: AWS::RDS::DBInstance
    Properties:
      DBInstanceClass: db.t3.micro
      Engine: postgres
      DBName: shop
      StorageEncrypted: true
      KmsKeyId: !Ref DataKey
      DeletionProtection: true
      BackupRetentionPeriod: 7
  DataKey:
    Type: AWS::KMS::Key
    DeletionPolicy: Retain
    UpdateReplacePolicy: Retain
    Properties:
      Description: !Sub 'shop-${Env}'
  Orders:
    Type: AWS::DynamoDB::Table
    Properties:
      TableName: !Sub 'orders-${Env}'
      BillingMode: PAY_PER_REQUEST
      KeySchema:
        - AttributeName: id
          KeyType: HASH
      AttributeDefinitions:
        - AttributeName: id
          AttributeType: S
      PointInTimeRecoverySpecification:
        PointInTimeRecoveryEnabled: true
  Handler:
    Type: AWS::Lambda::Function
    Properties:
      Runtime: python3.12
      Handler: app.handler
      Role: !GetAtt HandlerRole.Arn
      Environment:
        Variables:
          TABLE: !Ref Orders
  HandlerRole:
    Type: AWS::IAM::Role
    Properties:
      AssumeRolePolicyDocument:
        Statement:
          - Effect: Allow
            Principal: {Service: lambda.amazonaws.com}
            Action: sts:AssumeRole
Outputs:
  TableName:
    Value: !Ref Orders
";

const PATH: &str = "infra/shop.yaml";

fn modified(head: &str) -> Vec<Finding> {
    run(Case::modified(PATH, STACK, head))
}

/// STACK without the resource that starts at `start` and ends before `next`.
fn without(start: &str, next: &str) -> String {
    let from = STACK.find(start).expect("start");
    let to = STACK.find(next).expect("next");
    format!("{}{}", &STACK[..from], &STACK[to..])
}

// --- resource-removed ---------------------------------------------------------------------

#[test]
fn removing_a_database_is_critical_and_points_at_its_base_lines() {
    let head = without("  Database:\n", "  DataKey:\n");
    let f = modified(&head);
    assert_eq!(ids(&f), ["cloudformation/resource-removed"]);
    assert_eq!(f[0].severity, Severity::Critical);
    assert_eq!(f[0].tags, [Tag::Destructive, Tag::Infra]);
    assert_eq!(f[0].location.side, Side::Base);
    assert_eq!(
        (f[0].location.line, f[0].location.end_line),
        (
            Some(line_of(STACK, "Type: AWS::RDS::DBInstance")),
            Some(line_of(STACK, "BackupRetentionPeriod"))
        )
    );
    let m = &f[0].message;
    assert!(
        m.contains("AWS::RDS::DBInstance Database is removed from infra/shop.yaml"),
        "{m}"
    );
    assert!(m.contains("default for it is a final snapshot"), "{m}");
}

#[test]
fn removing_a_stateless_resource_is_high() {
    let head = without("  Handler:\n", "  HandlerRole:\n");
    let f = modified(&head);
    assert_eq!(ids(&f), ["cloudformation/resource-removed"]);
    assert_eq!(f[0].severity, Severity::High);
    assert!(f[0].message.contains("AWS::Lambda::Function Handler"));
}

#[test]
fn removing_a_retained_resource_is_an_orphan_not_a_deletion() {
    let head = without("  DataKey:\n", "  Orders:\n");
    let f = modified(&head);
    assert_eq!(ids(&f), ["cloudformation/resource-removed"]);
    // A key holds what it encrypts, so orphaning it is medium rather than low.
    assert_eq!(f[0].severity, Severity::Medium);
    assert!(f[0].message.contains("orphaned"), "{}", f[0].message);
    assert!(f[0].message.contains("DeletionPolicy is Retain"));
    // Nothing is deleted, so it is not destructive, and the advice is not to add Retain.
    assert_eq!(f[0].tags, vec![Tag::Infra]);
    assert!(f[0]
        .safer
        .as_deref()
        .unwrap_or("")
        .contains("stays in the account"));

    let retained_function = "Resources:\n  Fn:\n    Type: AWS::Lambda::Function\n    DeletionPolicy: RetainExceptOnCreate\n";
    let f = run(Case::modified(PATH, retained_function, "Resources: {}\n"));
    assert_eq!(f[0].severity, Severity::Low);
    assert!(f[0].message.contains("RetainExceptOnCreate"));
}

#[test]
fn an_explicit_snapshot_policy_softens_a_removal_only_where_snapshots_exist() {
    let volume = "Resources:\n  Data:\n    Type: AWS::EC2::Volume\n    DeletionPolicy: Snapshot\n    Properties:\n      Size: 100\n";
    let f = run(Case::modified(PATH, volume, "Resources: {}\n"));
    assert_eq!(ids(&f), ["cloudformation/resource-removed"]);
    assert_eq!(f[0].severity, Severity::High);
    assert!(f[0].message.contains("final snapshot"), "{}", f[0].message);

    // S3 has no snapshots: the bucket is deleted all the same.
    let bucket = volume.replace("AWS::EC2::Volume", "AWS::S3::Bucket");
    let f = run(Case::modified(PATH, &bucket, "Resources: {}\n"));
    assert_eq!(f[0].severity, Severity::Critical);
}

#[test]
fn an_instance_in_a_cluster_has_no_default_snapshot() {
    let aurora = "Resources:\n  Writer:\n    Type: AWS::RDS::DBInstance\n    Properties:\n      DBClusterIdentifier: !Ref Cluster\n";
    let f = run(Case::modified(PATH, aurora, "Resources: {}\n"));
    assert_eq!(f[0].severity, Severity::Critical);
    assert!(!f[0].message.contains("snapshot"), "{}", f[0].message);
}

#[test]
fn deleting_a_template_reports_each_resource_once_on_the_base_side() {
    let f = Case::deleted(PATH, STACK).run(crate::analyze::analyze_file);
    assert_eq!(
        ids(&f),
        ["cloudformation/resource-removed"; 5],
        "no whole-file finding on top: {f:?}"
    );
    assert!(f.iter().all(|x| x.location.side == Side::Base));
    assert!(
        f[0].message.contains("goes with the deleted template"),
        "{}",
        f[0].message
    );
}

#[test]
fn a_deleted_template_that_does_not_parse_is_unparseable_on_the_base_side() {
    let f = run(Case::deleted(PATH, "Resources:\n  A: [\n").with_kind(FileKind::CloudFormation));
    assert_eq!(ids(&f), ["cloudformation/unparseable"]);
    assert_eq!(f[0].location.side, Side::Base);
}

// --- quiet changes ------------------------------------------------------------------------

#[test]
fn adding_resources_or_a_whole_template_is_quiet() {
    let head = format!(
        "{}  Audit:\n    Type: AWS::S3::Bucket\n    Properties:\n      BucketName: audit\n{}",
        &STACK[..STACK.find("Outputs:").unwrap_or_default()],
        &STACK[STACK.find("Outputs:").unwrap_or_default()..]
    );
    assert!(modified(&head).is_empty());
    assert!(run(Case::added(PATH, STACK)).is_empty());
}

#[test]
fn comments_formatting_and_reordering_are_quiet() {
    let handler = STACK.find("  Handler:\n").unwrap_or_default();
    let outputs = STACK.find("Outputs:").unwrap_or_default();
    let resources = STACK.find("  Database:\n").unwrap_or_default();
    // The Lambda and its role first, then the rest; a comment and flow style here and there.
    let head = format!(
        "{}{}{}{}{}",
        &STACK[..resources],
        &STACK[handler..outputs],
        &STACK[resources..handler],
        "  # nothing below changes\n",
        &STACK[outputs..]
    )
    .replace(
        "      BackupRetentionPeriod: 7\n",
        "      BackupRetentionPeriod: 7   # a week\n",
    )
    .replace(
        "      KeySchema:\n        - AttributeName: id\n          KeyType: HASH\n",
        "      KeySchema: [{KeyType: HASH, AttributeName: id}]\n",
    );
    assert_ne!(head, STACK);
    assert!(modified(&head).is_empty(), "{:?}", modified(&head));
}

#[test]
fn a_template_renamed_without_changes_is_quiet() {
    let f = run(Case::renamed(PATH, "infra/shop-storage.yaml", STACK, STACK));
    assert!(f.is_empty(), "{f:?}");
}

#[test]
fn changing_unrelated_properties_under_the_same_logical_id_is_quiet() {
    let head = STACK
        .replace("db.t3.micro", "db.r6g.large")
        .replace("python3.12", "python3.13")
        .replace("PAY_PER_REQUEST", "PROVISIONED");
    assert!(modified(&head).is_empty(), "{:?}", modified(&head));
}

#[test]
fn short_form_tags_and_long_forms_are_the_same_value() {
    let head = STACK
        .replace("KmsKeyId: !Ref DataKey", "KmsKeyId: {Ref: DataKey}")
        .replace(
            "TableName: !Sub 'orders-${Env}'",
            "TableName:\n        Fn::Sub: orders-${Env}",
        )
        .replace(
            "Role: !GetAtt HandlerRole.Arn",
            "Role: {'Fn::GetAtt': [HandlerRole, Arn]}",
        );
    assert!(modified(&head).is_empty(), "{:?}", modified(&head));
    // A real change in the same spots is seen.
    let f = modified(&STACK.replace("KmsKeyId: !Ref DataKey", "KmsKeyId: {Ref: OtherKey}"));
    assert_eq!(ids(&f), ["cloudformation/replacement-property"]);
}

/// STACK's resources in JSON, as `cdk synth` or a converter would write them.
const STACK_JSON: &str = r#"{
 "AWSTemplateFormatVersion": "2010-09-09",
 "Resources": {
  "Database": {
   "Type": "AWS::RDS::DBInstance",
   "Properties": {
    "DBInstanceClass": "db.t3.micro", "Engine": "postgres", "DBName": "shop",
    "StorageEncrypted": true, "KmsKeyId": {"Ref": "DataKey"},
    "DeletionProtection": true, "BackupRetentionPeriod": 7
   }
  },
  "DataKey": {
   "Type": "AWS::KMS::Key", "DeletionPolicy": "Retain", "UpdateReplacePolicy": "Retain",
   "Properties": {"Description": {"Fn::Sub": "shop-${Env}"}}
  },
  "Orders": {
   "Type": "AWS::DynamoDB::Table",
   "Properties": {
    "TableName": {"Fn::Sub": "orders-${Env}"},
    "BillingMode": "PAY_PER_REQUEST",
    "KeySchema": [{"AttributeName": "id", "KeyType": "HASH"}],
    "AttributeDefinitions": [{"AttributeName": "id", "AttributeType": "S"}],
    "PointInTimeRecoverySpecification": {"PointInTimeRecoveryEnabled": true}
   }
  },
  "Handler": {
   "Type": "AWS::Lambda::Function",
   "Properties": {
	"Runtime": "python3.12", "Handler": "app.handler",
	"Role": {"Fn::GetAtt": "HandlerRole.Arn"},
	"Environment": {"Variables": {"TABLE": {"Ref": "Orders"}}}
   }
  },
  "HandlerRole": {
   "Type": "AWS::IAM::Role",
   "Properties": {"AssumeRolePolicyDocument": {"Statement": [{"Effect": "Allow",
    "Principal": {"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole"}]}}
  }
 }
}
"#;

#[test]
fn converting_the_template_from_yaml_to_json_is_quiet() {
    assert!(STACK_JSON.contains('\t'), "the fixture keeps a tab");
    let f = run(Case::renamed(PATH, "infra/shop.json", STACK, STACK_JSON));
    assert!(f.is_empty(), "{f:?}");
}

// --- logical-id-changed (CDK) -------------------------------------------------------------

fn cdk_template(bucket_id: &str, key_id: &str, path: &str) -> String {
    format!(
        r#"{{
 "Resources": {{
  "{key_id}": {{
   "Type": "AWS::KMS::Key",
   "Properties": {{"EnableKeyRotation": true}},
   "UpdateReplacePolicy": "Retain",
   "DeletionPolicy": "Retain",
   "Metadata": {{"aws:cdk:path": "ShopStack/{path}/Key/Resource"}}
  }},
  "{bucket_id}": {{
   "Type": "AWS::S3::Bucket",
   "Properties": {{
    "BucketEncryption": {{
     "ServerSideEncryptionConfiguration": [
      {{"ServerSideEncryptionByDefault": {{"KMSMasterKeyID": {{"Fn::GetAtt": ["{key_id}", "Arn"]}}, "SSEAlgorithm": "aws:kms"}}}}
     ]
    }},
    "VersioningConfiguration": {{"Status": "Enabled"}}
   }},
   "UpdateReplacePolicy": "Delete",
   "DeletionPolicy": "Delete",
   "Metadata": {{"aws:cdk:path": "ShopStack/{path}/Bucket/Resource"}}
  }},
  "CDKMetadata": {{
   "Type": "AWS::CDK::Metadata",
   "Properties": {{"Analytics": "v2:deflate64:H4sIAAAAAAAA"}},
   "Metadata": {{"aws:cdk:path": "ShopStack/CDKMetadata/Default"}}
  }}
 }}
}}
"#
    )
}

const CDK_PATH: &str = "cdk.out/ShopStack.template.json";

#[test]
fn a_construct_moved_in_a_cdk_app_is_one_logical_id_change_per_resource() {
    let base = cdk_template("MyBucketF68F3FF0", "MyKey6AB29FA6", "My");
    let head = cdk_template("StorageBucket19DB2FF8", "StorageKey11A9B2E4", "Storage");
    let f = run(Case::modified(CDK_PATH, &base, &head));
    assert_eq!(
        ids(&f),
        [
            "cloudformation/logical-id-changed",
            "cloudformation/logical-id-changed"
        ],
        "{f:?}"
    );
    // The key is retained: orphaned (medium); the bucket is deleted (critical).
    let key = &f[0];
    assert_eq!(key.severity, Severity::Medium);
    assert!(key.message.contains("orphaned"), "{}", key.message);
    let bucket = &f[1];
    assert_eq!(bucket.severity, Severity::Critical);
    assert_eq!(bucket.location.side, Side::Head);
    assert_eq!(
        bucket.location.line,
        Some(line_of(&head, "\"StorageBucket19DB2FF8\""))
    );
    assert!(
        bucket
            .message
            .contains("AWS::S3::Bucket MyBucketF68F3FF0 is now StorageBucket19DB2FF8"),
        "{}",
        bucket.message
    );
    assert!(bucket
        .safer
        .as_deref()
        .unwrap_or("")
        .contains("overrideLogicalId(\"MyBucketF68F3FF0\")"));
}

#[test]
fn a_new_logical_id_with_different_properties_is_a_removal_and_an_addition() {
    let base = cdk_template("MyBucketF68F3FF0", "MyKey6AB29FA6", "My");
    let head = cdk_template("StorageBucket19DB2FF8", "MyKey6AB29FA6", "My")
        .replace("\"Status\": \"Enabled\"", "\"Status\": \"Suspended\"");
    let f = run(Case::modified(CDK_PATH, &base, &head));
    assert_eq!(ids(&f), ["cloudformation/resource-removed"]);
    assert_eq!(f[0].location.side, Side::Base);
    assert_eq!(f[0].severity, Severity::Critical);
}

#[test]
fn an_unchanged_cdk_template_is_quiet() {
    let t = cdk_template("MyBucketF68F3FF0", "MyKey6AB29FA6", "My");
    assert!(run(Case::modified(CDK_PATH, &t, &t)).is_empty());
}

// --- type-changed -------------------------------------------------------------------------

#[test]
fn changing_a_type_under_the_same_logical_id_is_type_changed_at_the_type_line() {
    let base = "Resources:\n  Events:\n    Type: AWS::SNS::Topic\n";
    let head = "Resources:\n  Events:\n    Type: AWS::SQS::Queue\n";
    let f = run(Case::modified(PATH, base, head));
    assert_eq!(ids(&f), ["cloudformation/type-changed"]);
    assert_eq!(f[0].severity, Severity::Medium);
    assert_eq!(
        (f[0].location.side, f[0].location.line),
        (Side::Head, Some(3))
    );
    assert!(f[0].message.contains("not permitted"), "{}", f[0].message);

    let f = run(Case::modified(
        PATH,
        &head.replace("Events", "Jobs"),
        "Resources:\n  Jobs:\n    Type: AWS::SNS::Topic\n",
    ));
    assert_eq!(f[0].severity, Severity::High, "a queue holds messages");
}

#[test]
fn a_sam_resource_written_as_what_it_expands_to_is_not_a_type_change() {
    let base = "Transform: AWS::Serverless-2016-10-31\nResources:\n  Api:\n    Type: AWS::Serverless::Function\n    Properties:\n      Handler: app.handler\n";
    let head = "Resources:\n  Api:\n    Type: AWS::Lambda::Function\n    Properties:\n      Handler: app.handler\n";
    assert!(run(Case::modified("template.yaml", base, head)).is_empty());
}

// --- replacement-property -----------------------------------------------------------------

#[test]
fn renaming_a_table_replaces_it_and_points_at_the_new_name() {
    let head = STACK.replace("'orders-${Env}'", "'orders-v2-${Env}'");
    let f = modified(&head);
    assert_eq!(ids(&f), ["cloudformation/replacement-property"]);
    assert_eq!(f[0].severity, Severity::Critical);
    assert_eq!(
        (f[0].location.side, f[0].location.line),
        (Side::Head, Some(line_of(&head, "orders-v2")))
    );
    assert!(f[0].message.contains("TableName"), "{}", f[0].message);
    assert!(
        f[0].message.contains("orders-v2-${Env}"),
        "{}",
        f[0].message
    );
}

#[test]
fn a_replacing_change_under_a_fixed_custom_name_fails_the_update_and_is_medium() {
    let head = STACK.replace(
        "        - AttributeName: id\n          KeyType: HASH\n",
        "        - AttributeName: orderId\n          KeyType: HASH\n",
    );
    let f = modified(&head);
    assert_eq!(ids(&f), ["cloudformation/replacement-property"]);
    assert_eq!(f[0].severity, Severity::Medium);
    assert!(
        f[0].message.contains("fails the update"),
        "{}",
        f[0].message
    );
}

#[test]
fn an_update_replace_policy_that_keeps_the_old_resource_lowers_a_replacement() {
    let base = "Resources:\n  Logs:\n    Type: AWS::S3::Bucket\n    UpdateReplacePolicy: Retain\n    Properties:\n      Tags: []\n";
    let head = "Resources:\n  Logs:\n    Type: AWS::S3::Bucket\n    UpdateReplacePolicy: Retain\n    Properties:\n      BucketName: acme-logs\n      Tags: []\n";
    let f = run(Case::modified(PATH, base, head));
    assert_eq!(ids(&f), ["cloudformation/replacement-property"]);
    assert_eq!(f[0].severity, Severity::High);
    assert!(
        f[0].message.contains("(absent) → acme-logs"),
        "{}",
        f[0].message
    );
    assert_eq!(f[0].location.line, Some(6));
}

#[test]
fn encrypting_a_database_forces_a_replacement() {
    let head = STACK.replace("StorageEncrypted: true", "StorageEncrypted: false");
    let f = modified(&head);
    assert_eq!(ids(&f), ["cloudformation/replacement-property"]);
    assert_eq!(f[0].severity, Severity::Critical);
    assert!(f[0].message.contains("StorageEncrypted true → false"));
}

// --- retain-policy-weakened ---------------------------------------------------------------

#[test]
fn retain_to_delete_is_weakened_at_the_policy_line() {
    let head = STACK.replace(
        "    DeletionPolicy: Retain\n",
        "    DeletionPolicy: Delete\n",
    );
    let f = modified(&head);
    assert_eq!(ids(&f), ["cloudformation/retain-policy-weakened"]);
    assert_eq!(f[0].severity, Severity::High);
    assert_eq!(
        f[0].location.line,
        Some(line_of(&head, "DeletionPolicy: Delete"))
    );
    assert!(
        f[0].message
            .contains("DeletionPolicy goes from Retain to Delete"),
        "{}",
        f[0].message
    );
}

#[test]
fn removing_both_policies_reports_each() {
    let head = STACK
        .replace("    DeletionPolicy: Retain\n", "")
        .replace("    UpdateReplacePolicy: Retain\n", "");
    let f = modified(&head);
    assert_eq!(
        ids(&f),
        [
            "cloudformation/retain-policy-weakened",
            "cloudformation/retain-policy-weakened"
        ]
    );
    assert!(f[0].message.contains("(absent: defaults to Delete)"));
    assert!(f[1].message.contains("UpdateReplacePolicy"));
    assert_eq!(f[0].location.line, Some(line_of(&head, "AWS::KMS::Key")));
}

#[test]
fn policies_that_keep_as_much_as_before_are_quiet() {
    // RetainExceptOnCreate keeps an existing resource like Retain does.
    let head = STACK.replace(
        "    DeletionPolicy: Retain\n",
        "    DeletionPolicy: RetainExceptOnCreate\n",
    );
    assert!(modified(&head).is_empty());
    // An RDS instance outside a cluster defaults to Snapshot.
    let rds = |policy: &str| {
        format!("Resources:\n  Db:\n    Type: AWS::RDS::DBInstance\n{policy}    Properties:\n      Engine: postgres\n")
    };
    let f = run(Case::modified(
        PATH,
        &rds("    DeletionPolicy: Snapshot\n"),
        &rds(""),
    ));
    assert!(f.is_empty(), "{f:?}");
    let f = run(Case::modified(
        PATH,
        &rds("    DeletionPolicy: Retain\n"),
        &rds(""),
    ));
    assert_eq!(ids(&f), ["cloudformation/retain-policy-weakened"]);
    assert!(
        f[0].message.contains("defaults to Snapshot"),
        "{}",
        f[0].message
    );
    // Strengthening is quiet.
    assert!(run(Case::modified(
        PATH,
        &rds(""),
        &rds("    DeletionPolicy: Retain\n")
    ))
    .is_empty());
}

#[test]
fn a_policy_twokey_cannot_read_counts_as_delete() {
    let head = STACK.replace(
        "    DeletionPolicy: Retain\n",
        "    DeletionPolicy: !If [IsProd, Retain, Delete]\n",
    );
    let f = modified(&head);
    assert_eq!(ids(&f), ["cloudformation/retain-policy-weakened"]);
    assert!(f[0].message.contains("Fn::If"), "{}", f[0].message);
}

#[test]
fn weakening_a_stateless_resource_is_medium() {
    let base = "Resources:\n  Fn:\n    Type: AWS::Lambda::Function\n    DeletionPolicy: Retain\n";
    let f = run(Case::modified(
        PATH,
        base,
        &base.replace("Retain", "Delete"),
    ));
    assert_eq!(f[0].severity, Severity::Medium);
}

// --- protection-disabled ------------------------------------------------------------------

#[test]
fn turning_off_deletion_protection_on_a_database_is_high_at_its_line() {
    let head = STACK.replace("DeletionProtection: true", "DeletionProtection: false");
    let f = modified(&head);
    assert_eq!(ids(&f), ["cloudformation/protection-disabled"]);
    assert_eq!(f[0].severity, Severity::High);
    assert_eq!(
        f[0].location.line,
        Some(line_of(&head, "DeletionProtection: false"))
    );
    assert!(f[0].message.contains("true → false"), "{}", f[0].message);
}

#[test]
fn a_conditional_protection_replaced_by_a_literal_off_is_turned_off() {
    let base = STACK.replace(
        "DeletionProtection: true",
        "DeletionProtection: !If [IsProd, true, false]",
    );
    let head = STACK.replace("DeletionProtection: true", "DeletionProtection: false");
    let f = run(Case::modified(PATH, &base, &head));
    assert_eq!(ids(&f), ["cloudformation/protection-disabled"]);
    assert_eq!(
        f[0].location.line,
        Some(line_of(&head, "DeletionProtection: false"))
    );
    // One condition for another, or a literal on: nothing the template alone says is lost.
    let other = STACK.replace(
        "DeletionProtection: true",
        "DeletionProtection: !Ref Protect",
    );
    assert!(run(Case::modified(PATH, &base, &other)).is_empty());
    assert!(run(Case::modified(PATH, &base, STACK)).is_empty());
}

#[test]
fn removing_a_protection_is_turning_it_off() {
    let head = STACK
        .replace("      DeletionProtection: true\n", "")
        .replace(
            "      BackupRetentionPeriod: 7\n",
            "      BackupRetentionPeriod: 0\n",
        )
        .replace(
            "      PointInTimeRecoverySpecification:\n        PointInTimeRecoveryEnabled: true\n",
            "",
        );
    let f = modified(&head);
    assert_eq!(ids(&f), ["cloudformation/protection-disabled"; 3], "{f:?}");
    assert!(f[0].message.contains("deletion protection"));
    assert!(f[1].message.contains("automated backups"));
    assert_eq!(
        f[1].location.line,
        Some(line_of(&head, "BackupRetentionPeriod: 0"))
    );
    assert!(f[2].message.contains("point-in-time recovery"));
}

#[test]
fn every_known_protection_is_watched() {
    let cases: [(&str, &str, &str, &str); 7] = [
        (
            "AWS::Cognito::UserPool",
            "DeletionProtection: ACTIVE",
            "DeletionProtection: INACTIVE",
            "deletion protection",
        ),
        (
            "AWS::DynamoDB::Table",
            "DeletionProtectionEnabled: true",
            "DeletionProtectionEnabled: false",
            "deletion protection",
        ),
        (
            "AWS::S3::Bucket",
            "VersioningConfiguration:\n        Status: Enabled",
            "VersioningConfiguration:\n        Status: Suspended",
            "versioning",
        ),
        (
            "AWS::S3::Bucket",
            "VersioningConfiguration: {Status: Enabled}",
            "Tags: []",
            "versioning",
        ),
        (
            "AWS::ElasticLoadBalancingV2::LoadBalancer",
            "LoadBalancerAttributes:\n        - Key: deletion_protection.enabled\n          Value: 'true'",
            "LoadBalancerAttributes:\n        - Key: deletion_protection.enabled\n          Value: 'false'",
            "deletion_protection.enabled",
        ),
        (
            "AWS::EC2::Instance",
            "DisableApiTermination: true",
            "DisableApiTermination: false",
            "termination protection",
        ),
        (
            "AWS::EFS::FileSystem",
            "BackupPolicy:\n        Status: ENABLED",
            "BackupPolicy:\n        Status: DISABLED",
            "automatic backups",
        ),
    ];
    for (kind, on, off, says) in cases {
        let t =
            |p: &str| format!("Resources:\n  R:\n    Type: {kind}\n    Properties:\n      {p}\n");
        let f = run(Case::modified(PATH, &t(on), &t(off)));
        assert_eq!(
            ids(&f),
            ["cloudformation/protection-disabled"],
            "{kind}: {f:?}"
        );
        assert!(f[0].message.contains(says), "{kind}: {}", f[0].message);
        let expected = if catalog::is_stateful(kind) {
            Severity::High
        } else {
            Severity::Medium
        };
        assert_eq!(f[0].severity, expected, "{kind}");
        // Turning it back on, or leaving it alone, is quiet.
        assert!(
            run(Case::modified(PATH, &t(off), &t(on))).is_empty(),
            "{kind}"
        );
        assert!(
            run(Case::modified(PATH, &t(on), &t(on))).is_empty(),
            "{kind}"
        );
    }
}

#[test]
fn shorter_backups_are_not_disabled_backups() {
    let head = STACK.replace("BackupRetentionPeriod: 7", "BackupRetentionPeriod: 1");
    // Fewer days of backups are a shortened retention, not backups turned off.
    assert_eq!(
        ids(&modified(&head)),
        ["cloudformation/retention-shortened"]
    );
}

// --- unparseable --------------------------------------------------------------------------

#[test]
fn a_head_that_does_not_parse_is_unparseable_with_a_line() {
    let head = STACK.replace(
        "    Properties:\n      Runtime",
        "     Properties: [\n      Runtime",
    );
    let f = modified(&head);
    assert_eq!(ids(&f), ["cloudformation/unparseable"]);
    assert_eq!(f[0].location.side, Side::Head);
    assert!(f[0].location.line.is_some());
    assert_eq!(f[0].tags, [Tag::Infra]);
    assert_eq!(f[0].severity, Severity::High);
}

#[test]
fn a_base_that_does_not_parse_is_unparseable_on_the_base_side() {
    let f = run(Case::modified(PATH, "Resources: {A: [\n", STACK));
    assert_eq!(ids(&f), ["cloudformation/unparseable"]);
    assert_eq!(f[0].location.side, Side::Base);
}

#[test]
fn a_document_that_is_not_a_template_is_unparseable() {
    for (text, says) in [
        (
            "Resources:\n  - Type: AWS::S3::Bucket\n",
            "not a mapping of logical IDs",
        ),
        ("- a\n- b\n", "not a mapping"),
        ("Resources: {}\n---\nResources: {}\n", "single document"),
    ] {
        let f = run(Case::modified(CDK_PATH, "{}", text));
        assert_eq!(ids(&f), ["cloudformation/unparseable"], "{text}");
        assert!(f[0].message.contains(says), "{}", f[0].message);
    }
}

#[test]
fn a_template_without_resources_is_an_empty_template() {
    let f = run(Case::modified(CDK_PATH, "{}", "{\"Outputs\": {}}"));
    assert!(f.is_empty(), "{f:?}");
}

// --- properties ---------------------------------------------------------------------------

/// Mutations of STACK: a line dropped, a line duplicated, or a character inserted.
fn mutate(text: &str, op: u8, at: usize, c: char) -> String {
    let lines: Vec<&str> = text.lines().collect();
    let i = at % lines.len();
    match op % 3 {
        0 => lines
            .iter()
            .enumerate()
            .filter(|(j, _)| *j != i)
            .map(|(_, l)| format!("{l}\n"))
            .collect(),
        1 => lines
            .iter()
            .enumerate()
            .flat_map(|(j, l)| {
                let n = if j == i { 2 } else { 1 };
                std::iter::repeat_n(format!("{l}\n"), n)
            })
            .collect(),
        _ => {
            let mut s = text.to_owned();
            let mut pos = at % (s.len() + 1);
            while !s.is_char_boundary(pos) {
                pos -= 1;
            }
            s.insert(pos, c);
            s
        }
    }
}

fn check_contract(base: &str, head: &str, f: &[Finding]) -> Result<(), TestCaseError> {
    prop_assert!(
        f.iter().all(|x| x.rule.ecosystem() == "cloudformation"),
        "{:?}",
        f
    );
    for (side, text) in [(Side::Base, base), (Side::Head, head)] {
        let broken = template::parse(text).is_err();
        let reported = f
            .iter()
            .any(|x| x.rule == UNPARSEABLE.id && x.location.side == side);
        prop_assert_eq!(broken, reported, "{:?} side: {:?}", side, f);
    }
    Ok(())
}

proptest! {
    #[test]
    fn arbitrary_text_never_panics_and_a_broken_side_is_unparseable(
        base in "[a-zA-Z0-9:\\- \\n\\[\\]{}'\"!&*|>#/.,\\t]{0,200}",
        head in "[a-zA-Z0-9:\\- \\n\\[\\]{}'\"!&*|>#/.,\\t]{0,200}",
    ) {
        let f = run(Case::modified(PATH, &base, &head).with_kind(FileKind::CloudFormation));
        check_contract(&base, &head, &f)?;
    }

    #[test]
    fn mutated_templates_never_panic_and_yield_findings_or_unparseable(
        op in 0u8..3, at in 0usize..4000, c in prop::sample::select(vec![':', '{', '[', '!', ' ', '\t', '-', '"', '\'', 'x', '\n', '#', '&', '*']),
        json in any::<bool>(),
    ) {
        let base = if json { STACK_JSON } else { STACK };
        let head = mutate(base, op, at, c);
        let f = run(Case::modified(PATH, base, &head).with_kind(FileKind::CloudFormation));
        check_contract(base, &head, &f)?;
        // Whatever survives parsing is compared, never waved through as unreadable.
        if template::parse(&head).is_ok() {
            prop_assert!(f.iter().all(|x| x.rule != UNPARSEABLE.id));
        }
    }

    #[test]
    fn an_unchanged_template_is_quiet(
        names in proptest::collection::btree_set("[A-Z][a-zA-Z0-9]{2,12}", 0..6),
        json in any::<bool>(),
    ) {
        let text = template_of(&names, json);
        prop_assert!(run(Case::modified(PATH, &text, &text)).is_empty());
    }

    #[test]
    fn removing_any_one_resource_is_reported_once(
        names in proptest::collection::btree_set("[A-Z][a-zA-Z0-9]{2,12}", 1..6),
        pick in 0usize..6,
        json in any::<bool>(),
    ) {
        let gone = names.iter().nth(pick % names.len()).cloned().unwrap_or_default();
        let mut kept = names.clone();
        kept.remove(&gone);
        let base = template_of(&names, json);
        let head = template_of(&kept, json);
        let f = run(Case::modified(PATH, &base, &head));
        prop_assert_eq!(ids(&f), vec!["cloudformation/resource-removed"]);
        prop_assert_eq!(f[0].severity, Severity::Critical);
        prop_assert!(f[0].message.contains(gone.as_str()));
    }
}

/// A template of buckets named after their logical IDs, in YAML or JSON.
fn template_of(ids: &std::collections::BTreeSet<String>, json: bool) -> String {
    if json {
        let resources: Vec<String> = ids
            .iter()
            .map(|id| {
                format!(
                    "  \"{id}\": {{\"Type\": \"AWS::S3::Bucket\", \"Properties\": {{\"BucketName\": \"{}\"}}}}",
                    id.to_lowercase()
                )
            })
            .collect();
        format!("{{\"Resources\": {{\n{}\n}}}}\n", resources.join(",\n"))
    } else {
        let mut s = String::from("AWSTemplateFormatVersion: '2010-09-09'\nResources:\n");
        for id in ids {
            s.push_str(&format!(
                "  {id}:\n    Type: AWS::S3::Bucket\n    Properties:\n      BucketName: !Sub '{}-${{AWS::Region}}'\n",
                id.to_lowercase()
            ));
        }
        s
    }
}

// --- Fn::ForEach (AWS::LanguageExtensions) -------------------------------------------------

/// A template whose loop stamps out one queue and one alarm per item of `collection`.
fn looped(collection: &str) -> String {
    format!(
        "\
AWSTemplateFormatVersion: '2010-09-09'
Transform: AWS::LanguageExtensions
Resources:
  Fn::ForEach::Queues:
    - Name
    - {collection}
    - Queue${{Name}}:
        Type: AWS::SQS::Queue
        Properties:
          QueueName: !Sub 'jobs-${{Name}}'
      Alarm&{{Name}}:
        Type: AWS::CloudWatch::Alarm
"
    )
}

#[test]
fn dropping_an_item_from_a_literal_loop_removes_what_it_stamped_out() {
    let base = looped("[Orders, Refunds]");
    let head = looped("[Orders]");
    let f = run(Case::modified(PATH, &base, &head));
    assert_eq!(
        ids(&f),
        [
            "cloudformation/resource-removed",
            "cloudformation/resource-removed"
        ]
    );
    assert!(
        f[0].message.contains("AWS::SQS::Queue QueueRefunds"),
        "{}",
        f[0].message
    );
    assert_eq!(f[0].severity, Severity::Critical);
    assert!(f[1].message.contains("AlarmRefunds"), "{}", f[1].message);
}

#[test]
fn nested_literal_loops_are_expanded_with_both_items_in_the_logical_id() {
    let nested = |inner: &str| {
        format!(
            "\
Transform: AWS::LanguageExtensions
Resources:
  Fn::ForEach::Envs:
    - Env
    - [Dev, Prod]
    - Fn::ForEach::Tables:
        - Table
        - {inner}
        - ${{Env}}${{Table}}:
            Type: AWS::DynamoDB::Table
"
        )
    };
    let f = run(Case::modified(
        PATH,
        &nested("[Users, Orders]"),
        &nested("[Users]"),
    ));
    assert_eq!(ids(&f).len(), 2, "{f:?}");
    assert!(f[0].message.contains("DevOrders"), "{}", f[0].message);
    assert!(f[1].message.contains("ProdOrders"), "{}", f[1].message);
}

#[test]
fn adding_items_or_switching_a_loop_to_a_parameter_list_is_quiet() {
    let base = looped("[Orders]");
    assert!(run(Case::modified(PATH, &base, &looped("[Orders, Refunds]"))).is_empty());
    assert!(run(Case::modified(PATH, &base, &looped("!Ref QueueNames"))).is_empty());
    assert!(run(Case::modified(PATH, &looped("!Ref QueueNames"), &base)).is_empty());
}

#[test]
fn removing_a_loop_over_a_parameter_list_is_still_reported() {
    let base = looped("!Ref QueueNames");
    let head = "Resources:\n  Other:\n    Type: AWS::SNS::Topic\n";
    let f = run(Case::modified(PATH, &base, head));
    assert_eq!(ids(&f), ["cloudformation/resource-removed"]);
}

#[test]
fn more_data_holding_types_are_replaced_by_their_create_only_properties() {
    for (kind, property, old, new) in [
        (
            "AWS::RDS::DBCluster",
            "Engine",
            "aurora-postgresql",
            "aurora-mysql",
        ),
        (
            "AWS::Redshift::Cluster",
            "ClusterIdentifier",
            "warehouse",
            "warehouse-v2",
        ),
        (
            "AWS::EC2::Volume",
            "AvailabilityZone",
            "us-east-1a",
            "us-east-1b",
        ),
        (
            "AWS::Cognito::UserPool",
            "UsernameAttributes",
            "[email]",
            "[phone_number]",
        ),
        ("AWS::KMS::Key", "KeySpec", "SYMMETRIC_DEFAULT", "RSA_2048"),
    ] {
        let template = |value: &str| {
            format!("Resources:\n  Thing:\n    Type: {kind}\n    Properties:\n      {property}: {value}\n")
        };
        let f = run(Case::modified(PATH, &template(old), &template(new)));
        assert_eq!(ids(&f), ["cloudformation/replacement-property"], "{kind}");
        assert_eq!(f[0].severity, Severity::Critical, "{kind}");
        assert_eq!(f[0].location.line, Some(5), "{kind}");
    }
    // A property that updates in place stays quiet.
    let pool = |mfa: &str| {
        format!("Resources:\n  Users:\n    Type: AWS::Cognito::UserPool\n    Properties:\n      MfaConfiguration: {mfa}\n")
    };
    assert!(run(Case::modified(PATH, &pool("OFF"), &pool("OPTIONAL"))).is_empty());
}

#[test]
fn a_new_logical_id_under_the_same_custom_name_fails_the_update_rather_than_losing_data() {
    let bucket = |id: &str| {
        format!("Resources:\n  {id}:\n    Type: AWS::S3::Bucket\n    Properties:\n      BucketName: acme-uploads\n")
    };
    let f = run(Case::modified(
        PATH,
        &bucket("UploadsBucket"),
        &bucket("UserUploadsBucket"),
    ));
    assert_eq!(ids(&f), ["cloudformation/logical-id-changed"]);
    assert_eq!(f[0].severity, Severity::Medium);
    assert!(f[0].message.contains("rolls back"), "{}", f[0].message);
    // Without a custom name the new bucket is created empty and the old one deleted.
    let unnamed = |id: &str| {
        format!("Resources:\n  {id}:\n    Type: AWS::S3::Bucket\n    Properties:\n      Tags: []\n")
    };
    let f = run(Case::modified(
        PATH,
        &unnamed("UploadsBucket"),
        &unnamed("UserUploadsBucket"),
    ));
    assert_eq!(f[0].severity, Severity::Critical, "{f:?}");
}

#[test]
fn a_condition_put_on_an_existing_resource_deletes_it_where_false() {
    let db = |condition: &str| {
        format!("Conditions:\n  IsProd: !Equals [!Ref Env, prod]\nResources:\n  Db:\n    Type: AWS::RDS::DBInstance\n{condition}    Properties:\n      Engine: postgres\n")
    };
    let f = run(Case::modified(
        PATH,
        &db(""),
        &db("    Condition: IsProd\n"),
    ));
    assert_eq!(ids(&f), ["cloudformation/resource-removed"]);
    assert_eq!(f[0].severity, Severity::High);
    assert_eq!(f[0].location.line, Some(6));
    assert!(
        f[0].message.contains("condition IsProd"),
        "{}",
        f[0].message
    );
    // The same condition kept, or a new resource with one, is quiet.
    let with = db("    Condition: IsProd\n");
    assert!(run(Case::modified(
        PATH,
        &with,
        &with.replace("postgres", "postgres\n      MultiAZ: true")
    ))
    .is_empty());
    assert!(run(Case::modified(PATH, "Resources: {}\n", &with)).is_empty());
}

// --- found probing real templates ----------------------------------------------------------

#[test]
fn restoring_a_database_from_a_snapshot_or_dropping_the_snapshot_replaces_it() {
    // The RDS docs: leaving DBSnapshotIdentifier out of a later update creates an empty
    // instance, and a different one restores a new instance; either way the original goes.
    let restored = STACK.replace(
        "      DBName: shop\n",
        "      DBName: shop\n      DBSnapshotIdentifier: shop-final\n",
    );
    for (base, head) in [
        (STACK.to_owned(), restored.clone()),
        (restored.clone(), STACK.to_owned()),
    ] {
        let f = run(Case::modified(PATH, &base, &head));
        assert_eq!(ids(&f), ["cloudformation/replacement-property"], "{f:?}");
        assert!(
            f[0].message.contains("DBSnapshotIdentifier"),
            "{}",
            f[0].message
        );
        assert_eq!(f[0].severity, Severity::Critical);
    }
    // Kept as it was: quiet.
    assert!(run(Case::modified(
        PATH,
        &restored,
        &restored.replace("db.t3.micro", "db.t3.small")
    ))
    .is_empty());

    let cluster = |extra: &str| {
        format!("Resources:\n  Cluster:\n    Type: AWS::RDS::DBCluster\n    Properties:\n      Engine: aurora-postgresql\n{extra}")
    };
    let f = run(Case::modified(
        PATH,
        &cluster("      SnapshotIdentifier: arn:aws:rds:us-east-1:1:cluster-snapshot:s1\n"),
        &cluster(""),
    ));
    assert_eq!(ids(&f), ["cloudformation/replacement-property"], "{f:?}");
    assert!(
        f[0].message.contains("SnapshotIdentifier"),
        "{}",
        f[0].message
    );
    let f = run(Case::modified(
        PATH,
        &cluster("      MasterUsername: root\n"),
        &cluster("      MasterUsername: admin\n"),
    ));
    assert_eq!(ids(&f), ["cloudformation/replacement-property"], "{f:?}");
}

#[test]
fn writing_out_or_dropping_a_default_is_not_a_replacement() {
    let queue = |extra: &str| {
        format!("Resources:\n  Jobs:\n    Type: AWS::SQS::Queue\n    Properties:\n      VisibilityTimeout: 30\n{extra}")
    };
    for written in ["      FifoQueue: false\n", "      FifoQueue: 'False'\n"] {
        assert!(
            run(Case::modified(PATH, &queue(""), &queue(written))).is_empty(),
            "{written}"
        );
        assert!(
            run(Case::modified(PATH, &queue(written), &queue(""))).is_empty(),
            "{written}"
        );
    }
    // Not the default: a FIFO queue is a new queue.
    let f = run(Case::modified(
        PATH,
        &queue(""),
        &queue("      FifoQueue: true\n"),
    ));
    assert_eq!(ids(&f), ["cloudformation/replacement-property"], "{f:?}");
    // A default twokey does not know still counts as a change.
    let f = run(Case::modified(
        PATH,
        &STACK.replace("      StorageEncrypted: true\n", ""),
        STACK,
    ));
    assert_eq!(ids(&f), ["cloudformation/replacement-property"], "{f:?}");
}

const SIMPLE_TABLE: &str = "\
Transform: AWS::Serverless-2016-10-31
Resources:
  Orders:
    Type: AWS::Serverless::SimpleTable
    Properties:
      TableName: orders
      PrimaryKey:
        Name: id
        Type: String
";

fn dynamodb_table(key: &str) -> String {
    format!(
        "Transform: AWS::Serverless-2016-10-31\nResources:\n  Orders:\n    Type: AWS::DynamoDB::Table\n    Properties:\n      TableName: orders\n      BillingMode: PAY_PER_REQUEST\n      AttributeDefinitions:\n        - AttributeName: {key}\n          AttributeType: S\n      KeySchema:\n        - AttributeName: {key}\n          KeyType: HASH\n      PointInTimeRecoverySpecification:\n        PointInTimeRecoveryEnabled: true\n"
    )
}

#[test]
fn a_simple_table_rewritten_as_the_table_it_expands_to_keeps_its_data() {
    // SAM expands a SimpleTable to a DynamoDB table under the same logical ID, keyed by
    // PrimaryKey: the same key and name is the same table.
    assert!(run(Case::modified(PATH, SIMPLE_TABLE, &dynamodb_table("id"))).is_empty());
    // Without PrimaryKey, SAM keys the table by `id`.
    let default_key = SIMPLE_TABLE.replace(
        "      PrimaryKey:\n        Name: id\n        Type: String\n",
        "",
    );
    assert!(run(Case::modified(PATH, &default_key, &dynamodb_table("id"))).is_empty());
    // A different key replaces it, whichever way the rewrite goes.
    let f = run(Case::modified(PATH, SIMPLE_TABLE, &dynamodb_table("pk")));
    assert_eq!(ids(&f), ["cloudformation/replacement-property"], "{f:?}");
    assert!(f[0].message.contains("KeySchema"), "{}", f[0].message);
    let f = run(Case::modified(PATH, &dynamodb_table("pk"), SIMPLE_TABLE));
    assert_eq!(
        ids(&f),
        [
            "cloudformation/replacement-property",
            "cloudformation/protection-disabled"
        ],
        "{f:?}"
    );
}

const GATED: &str = "\
Parameters:
  Env: {Type: String}
Conditions:
  IsProd: !Equals [!Ref Env, prod]
  ProdInUs: !And [!Condition IsProd, !Equals [!Ref 'AWS::Region', us-east-1]]
Resources:
  Archive:
    Type: AWS::S3::Bucket
    Condition: IsProd
  Replica:
    Type: AWS::DynamoDB::Table
    Condition: ProdInUs
    Properties:
      KeySchema: [{AttributeName: id, KeyType: HASH}]
  Topic:
    Type: AWS::SNS::Topic
";

#[test]
fn a_changed_condition_may_delete_what_it_gates() {
    let head = GATED.replace("[!Ref Env, prod]", "[!Ref Env, production]");
    let f = run(Case::modified(PATH, GATED, &head));
    assert_eq!(
        ids(&f),
        [
            "cloudformation/resource-removed",
            "cloudformation/resource-removed"
        ],
        "{f:?}"
    );
    // Graded below a certain deletion: which stacks turn false is not in the template.
    assert!(f.iter().all(|f| f.severity == Severity::Medium), "{f:?}");
    let prod = f
        .iter()
        .find(|f| f.message.contains("condition IsProd"))
        .expect("IsProd");
    assert_eq!(prod.location.line, Some(line_of(&head, "IsProd: !Equals")));
    assert!(
        prod.message.contains("AWS::S3::Bucket Archive exists only"),
        "{}",
        prod.message
    );
    // ProdInUs builds on IsProd, so it changes with it.
    let nested = f
        .iter()
        .find(|f| f.message.contains("condition ProdInUs"))
        .expect("ProdInUs");
    assert!(
        nested.message.contains("builds on a condition"),
        "{}",
        nested.message
    );
    assert!(nested.message.contains("Replica"), "{}", nested.message);
}

#[test]
fn conditions_rewritten_or_renamed_without_changing_their_outcome_are_quiet() {
    let long = GATED.replace(
        "IsProd: !Equals [!Ref Env, prod]",
        "IsProd:\n    Fn::Equals:\n      - Ref: Env\n      - prod",
    );
    assert!(run(Case::modified(PATH, GATED, &long)).is_empty());
    // Renamed, same definition, and the resource follows the new name.
    let renamed = GATED
        .replace("  IsProd: !Equals", "  IsProduction: !Equals")
        .replace("!Condition IsProd", "!Condition IsProduction")
        .replace("    Condition: IsProd\n", "    Condition: IsProduction\n");
    assert!(run(Case::modified(PATH, GATED, &renamed)).is_empty());
    // A changed condition that gates nothing is quiet.
    let unused = GATED
        .replace("    Condition: IsProd\n", "")
        .replace("    Condition: ProdInUs\n", "");
    let head = unused.replace("[!Ref Env, prod]", "[!Ref Env, production]");
    assert!(run(Case::modified(PATH, &unused, &head)).is_empty());
}

#[test]
fn a_sub_with_an_empty_variable_map_is_the_same_sub() {
    let bucket = |name: &str| {
        format!("Resources:\n  Data:\n    Type: AWS::S3::Bucket\n    Properties:\n      BucketName:\n{name}")
    };
    let short = bucket("        !Sub '${AWS::StackName}-data'\n");
    let listed = bucket("        Fn::Sub:\n          - '${AWS::StackName}-data'\n          - {}\n");
    assert!(run(Case::modified(PATH, &short, &listed)).is_empty());
    // With variables, or another text, it is a new name.
    let other = bucket("        Fn::Sub:\n          - '${AWS::StackName}-store'\n          - {}\n");
    let f = run(Case::modified(PATH, &short, &other));
    assert_eq!(ids(&f), ["cloudformation/replacement-property"], "{f:?}");
}

// ---- retention ------------------------------------------------------------------------------

/// A template of the resources whose retention is compared, with `{…}` slots for the values.
fn retention_stack(logs: &str, bucket_rules: &str, backup: &str, db: &str) -> String {
    format!(
        "Resources:
  Logs:
    Type: AWS::Logs::LogGroup
    Properties:
      LogGroupName: app{logs}
  Archive:
    Type: AWS::S3::Bucket
    Properties:
      BucketName: archive
      VersioningConfiguration:
        Status: Enabled
      LifecycleConfiguration:
        Rules:{bucket_rules}
  Plan:
    Type: AWS::Backup::BackupPlan
    Properties:
      BackupPlan:
        BackupPlanName: nightly
        BackupPlanRule:
          - RuleName: daily
            TargetBackupVault: main
            Lifecycle:
              DeleteAfterDays: {backup}
  Db:
    Type: AWS::RDS::DBInstance
    Properties:
      DBInstanceClass: db.t3.micro
      Engine: postgres{db}
"
    )
}

const RULES_90: &str = "
          - Id: logs
            Status: Enabled
            ExpirationInDays: 90
            NoncurrentVersionExpiration:
              NoncurrentDays: 30";

#[test]
fn lowered_retentions_are_reported_at_their_values_and_ranked_by_what_they_keep() {
    let base = retention_stack(
        "\n      RetentionInDays: 365",
        RULES_90,
        "35",
        "\n      BackupRetentionPeriod: 14",
    );
    let head = retention_stack(
        "\n      RetentionInDays: 7",
        &RULES_90
            .replace("90", "30")
            .replace("NoncurrentDays: 30", "NoncurrentDays: 1"),
        "7",
        "\n      BackupRetentionPeriod: 3",
    );
    let f = run(Case::modified(PATH, &base, &head));
    let found: Vec<(&str, Severity, u32)> = f
        .iter()
        .map(|f| {
            (
                f.rule.0,
                f.severity,
                f.location.line.expect("points at the value"),
            )
        })
        .collect();
    assert_eq!(
        found,
        vec![
            (
                "cloudformation/retention-shortened",
                Severity::Medium,
                line_of(&head, "RetentionInDays: 7")
            ),
            (
                "cloudformation/retention-shortened",
                Severity::Medium,
                line_of(&head, "ExpirationInDays: 30")
            ),
            (
                "cloudformation/retention-shortened",
                Severity::High,
                line_of(&head, "NoncurrentDays: 1")
            ),
            (
                "cloudformation/retention-shortened",
                Severity::High,
                line_of(&head, "DeleteAfterDays: 7")
            ),
            (
                "cloudformation/retention-shortened",
                Severity::High,
                line_of(&head, "BackupRetentionPeriod: 3")
            ),
        ]
    );
    assert!(
        f[0].message.contains("365 days → 7 days"),
        "{}",
        f[0].message
    );
    assert!(f.iter().all(|f| f.tags.contains(&Tag::Destructive)));
}

#[test]
fn a_limit_where_there_was_none_shortens_and_a_longer_one_does_not() {
    // No retention kept logs forever; a new lifecycle rule expires what the bucket holds; a
    // database that kept 7 days of backups falls back to the default single day.
    let base = retention_stack(
        "",
        "\n          - Id: tmp\n            Status: Disabled\n            ExpirationInDays: 1",
        "35",
        "\n      BackupRetentionPeriod: 7",
    );
    let head = retention_stack(
        "\n      RetentionInDays: 3653",
        "\n          - Id: tmp\n            Status: Enabled\n            ExpirationInDays: 1\n          - Id: old\n            ExpirationDate: '2030-01-01T00:00:00Z'",
        "35",
        "",
    );
    let f = run(Case::modified(PATH, &base, &head));
    let messages: Vec<&str> = f.iter().map(|f| f.message.as_str()).collect();
    assert_eq!(
        ids(&f),
        vec!["cloudformation/retention-shortened"; 4],
        "{messages:#?}"
    );
    assert!(messages[0].contains("none: kept forever → 3653 days"));
    assert!(messages[1].contains("rule `tmp`"));
    assert!(messages[2].contains("rule `old` expiration date"));
    assert!(
        messages[3].contains("7 days → 1 day by default"),
        "{}",
        messages[3]
    );

    // Lengthened, unchanged, computed, or turned off (another rule's business): quiet.
    let quiet_base = retention_stack(
        "\n      RetentionInDays: 7",
        RULES_90,
        "35",
        "\n      BackupRetentionPeriod: 7",
    );
    for head in [
        retention_stack(
            "\n      RetentionInDays: 30",
            &RULES_90.replace("90", "365"),
            "90",
            "\n      BackupRetentionPeriod: 35",
        ),
        retention_stack(
            "\n      RetentionInDays: !Ref Days",
            RULES_90,
            "!Ref Keep",
            "\n      BackupRetentionPeriod: 7",
        ),
        retention_stack(
            "\n      RetentionInDays: 7",
            &RULES_90.replace("Enabled", "Disabled"),
            "35",
            "\n      BackupRetentionPeriod: 7",
        ),
    ] {
        let f = run(Case::modified(PATH, &quiet_base, &head));
        assert!(ids(&f).is_empty(), "{f:#?}");
    }
    let off = retention_stack(
        "\n      RetentionInDays: 7",
        RULES_90,
        "35",
        "\n      BackupRetentionPeriod: 0",
    );
    let f = run(Case::modified(PATH, &quiet_base, &off));
    assert_eq!(ids(&f), vec!["cloudformation/protection-disabled"]);
}

#[test]
fn a_new_backup_rule_or_resource_deletes_nothing_that_exists() {
    let base = "Resources:\n  Plan:\n    Type: AWS::Backup::BackupPlan\n    Properties:\n      BackupPlan:\n        BackupPlanName: p\n        BackupPlanRule:\n          - RuleName: daily\n            TargetBackupVault: main\n";
    let head = format!("{base}          - RuleName: hourly\n            TargetBackupVault: main\n            Lifecycle:\n              DeleteAfterDays: 1\n  Logs:\n    Type: AWS::Logs::LogGroup\n    Properties:\n      RetentionInDays: 1\n");
    assert!(ids(&run(Case::modified(PATH, base, &head))).is_empty());
}

// --- round 2: ElastiCache, stateless replacements, stack sets, KMS, inputs, RDS engines -------

/// A one-resource template, for the cases below.
fn one(resource: &str) -> String {
    format!("AWSTemplateFormatVersion: '2010-09-09'\n{resource}")
}

fn between(base: &str, head: &str) -> Vec<Finding> {
    run(Case::modified("stack.yaml", base, head))
}

const CACHE: &str = "Resources:
  Sessions:
    Type: AWS::ElastiCache::CacheCluster
    Properties:
      Engine: redis
      CacheNodeType: cache.t3.micro
      NumCacheNodes: 1
      Port: 6379
";

#[test]
fn a_cache_clusters_engine_or_port_replaces_it_but_its_node_type_does_not() {
    let base = one(CACHE);
    let f = between(&base, &base.replace("Engine: redis", "Engine: memcached"));
    assert_eq!(ids(&f), ["cloudformation/replacement-property"]);
    assert_eq!(f[0].severity, Severity::Critical);
    assert!(
        f[0].message.contains("Engine redis → memcached"),
        "{}",
        f[0].message
    );
    assert_eq!(
        ids(&between(&base, &base.replace("6379", "6380"))),
        ["cloudformation/replacement-property"]
    );
    assert!(between(&base, &base.replace("cache.t3.micro", "cache.t3.small")).is_empty());
}

#[test]
fn turning_on_encryption_at_rest_replaces_a_replication_group() {
    let base = one("Resources:
  Redis:
    Type: AWS::ElastiCache::ReplicationGroup
    Properties:
      ReplicationGroupDescription: sessions
      NumCacheClusters: 2
");
    let head = base.replace(
        "NumCacheClusters: 2\n",
        "NumCacheClusters: 2\n      AtRestEncryptionEnabled: true\n",
    );
    assert_eq!(
        ids(&between(&base, &head)),
        ["cloudformation/replacement-property"]
    );
    // Writing out the default is no change, nor is the description.
    let explicit = base.replace(
        "NumCacheClusters: 2\n",
        "NumCacheClusters: 2\n      AtRestEncryptionEnabled: false\n",
    );
    assert!(between(&base, &explicit).is_empty());
    assert!(between(
        &base,
        &base.replace("description: sessions", "description: user sessions")
    )
    .is_empty());
}

#[test]
fn replacing_a_resource_that_holds_no_data_is_high_not_critical() {
    let base = one("Resources:
  Web:
    Type: AWS::EC2::Instance
    Properties:
      ImageId: ami-0abc
      InstanceType: t3.small
");
    let f = between(&base, &base.replace("ami-0abc", "ami-0def"));
    assert_eq!(ids(&f), ["cloudformation/replacement-property"]);
    assert_eq!(f[0].severity, Severity::High);
    assert!(between(&base, &base.replace("t3.small", "t3.large")).is_empty());
}

const STACK_SET: &str = "Resources:
  Baseline:
    Type: AWS::CloudFormation::StackSet
    Properties:
      StackSetName: baseline
      PermissionModel: SERVICE_MANAGED
      AutoDeployment:
        Enabled: true
        RetainStacksOnAccountRemoval: true
      TemplateURL: https://s3.amazonaws.com/cfn/baseline.yaml
      StackInstancesGroup:
        - DeploymentTargets:
            OrganizationalUnitIds: [ou-abcd-1111]
          Regions: [eu-west-1, us-east-1]
  Alerts:
    Type: AWS::SNS::Topic
";

#[test]
fn removing_a_stack_set_is_critical_because_its_stacks_go_with_it() {
    let base = one(STACK_SET);
    let head = one("Resources:\n  Alerts:\n    Type: AWS::SNS::Topic\n");
    let f = between(&base, &head);
    assert_eq!(ids(&f), ["cloudformation/resource-removed"]);
    assert_eq!(f[0].severity, Severity::Critical);
    assert!(
        f[0].message.contains("every stack instance it deployed"),
        "{}",
        f[0].message
    );
}

#[test]
fn a_region_or_target_leaving_a_stack_set_deletes_its_stack_instances() {
    let base = one(STACK_SET);
    let f = between(
        &base,
        &base.replace("[eu-west-1, us-east-1]", "[eu-west-1]"),
    );
    assert_eq!(ids(&f), ["cloudformation/stack-instances-removed"]);
    assert_eq!(f[0].severity, Severity::High);
    assert!(
        f[0].message
            .contains("organizational unit ou-abcd-1111 in us-east-1"),
        "{}",
        f[0].message
    );
    assert_eq!(
        f[0].location.line,
        Some(line_of(&base, "- DeploymentTargets"))
    );
    let swapped = between(&base, &base.replace("ou-abcd-1111", "ou-abcd-2222"));
    assert_eq!(ids(&swapped), ["cloudformation/stack-instances-removed"]);
    // A region added, or the template updated, deletes nothing.
    let added = base.replace(
        "[eu-west-1, us-east-1]",
        "[eu-west-1, us-east-1, ap-south-1]",
    );
    assert!(between(&base, &added).is_empty());
    assert!(between(&base, &base.replace("baseline.yaml", "baseline-v2.yaml")).is_empty());
}

#[test]
fn a_stack_set_that_stops_retaining_stacks_of_leaving_accounts_is_a_protection_off() {
    let base = one(STACK_SET);
    let head = base.replace(
        "RetainStacksOnAccountRemoval: true",
        "RetainStacksOnAccountRemoval: false",
    );
    let f = between(&base, &head);
    assert_eq!(ids(&f), ["cloudformation/protection-disabled"]);
    assert!(
        f[0].message.contains("RetainStacksOnAccountRemoval"),
        "{}",
        f[0].message
    );
    // Turning automatic deployment off deletes nothing when an account leaves.
    let off = base.replace(
        "        Enabled: true\n        RetainStacksOnAccountRemoval: true\n",
        "        Enabled: false\n",
    );
    assert!(between(&base, &off).is_empty());
}

#[test]
fn a_shorter_kms_deletion_window_is_retention_shortened() {
    let base = one("Resources:
  Key:
    Type: AWS::KMS::Key
    Properties:
      PendingWindowInDays: 30
");
    let f = between(&base, &base.replace("30", "7"));
    assert_eq!(ids(&f), ["cloudformation/retention-shortened"]);
    assert_eq!(f[0].severity, Severity::High);
    assert!(
        f[0].message.contains("(30 days → 7 days)"),
        "{}",
        f[0].message
    );
    // Absent is 30 days: dropping an explicit 30 changes nothing, and a longer one is fine.
    assert!(between(&base, &base.replace("      PendingWindowInDays: 30\n", "")).is_empty());
    let short = base.replace("30", "7");
    assert!(between(&short, &base).is_empty());
}

const PROTECTED_BY_PARAMETER: &str = "Parameters:
  Protect:
    Type: String
    Default: 'true'
  Size:
    Type: String
    Default: small
Resources:
  Db:
    Type: AWS::RDS::DBInstance
    Properties:
      Engine: postgres
      DBInstanceClass: db.t3.micro
      DeletionProtection: !Ref Protect
";

#[test]
fn a_parameter_default_that_turns_a_protection_off_is_reported_for_stacks_using_it() {
    let base = one(PROTECTED_BY_PARAMETER);
    let f = between(&base, &base.replace("Default: 'true'", "Default: 'false'"));
    assert_eq!(ids(&f), ["cloudformation/protection-disabled"]);
    // Stacks that pass their own value keep it: never more than medium.
    assert_eq!(f[0].severity, Severity::Medium);
    assert!(
        f[0].message.contains("default of Protect"),
        "{}",
        f[0].message
    );
    assert_eq!(
        f[0].location.line,
        Some(line_of(&base, "DeletionProtection"))
    );
    // Another parameter's default, or a protection turned on, is quiet.
    assert!(between(&base, &base.replace("Default: small", "Default: large")).is_empty());
    let off = base.replace("Default: 'true'", "Default: 'false'");
    assert!(between(&off, &base).is_empty());
}

const AMI_MAPPING: &str = "Mappings:
  AmiByRegion:
    eu-west-1: {Ami: ami-0abc}
    us-east-1: {Ami: ami-0123}
  Names:
    prod: {Bucket: shop-prod}
    dev: {Bucket: shop-dev}
Resources:
  Web:
    Type: AWS::EC2::Instance
    Properties:
      ImageId: !FindInMap [AmiByRegion, !Ref 'AWS::Region', Ami]
      InstanceType: t3.small
  Assets:
    Type: AWS::S3::Bucket
    Properties:
      BucketName: {'Fn::FindInMap': [Names, prod, Bucket]}
      VersioningConfiguration: {Status: Enabled}
";

#[test]
fn a_mapping_change_that_replaces_what_reads_it_is_reported() {
    let base = one(AMI_MAPPING);
    let f = between(&base, &base.replace("ami-0abc", "ami-0fff"));
    assert_eq!(ids(&f), ["cloudformation/replacement-property"]);
    assert!(
        f[0].message.contains("AWS::EC2::Instance Web"),
        "{}",
        f[0].message
    );
    assert!(f[0].message.contains("Mappings"), "{}", f[0].message);
    let f = between(
        &base,
        &base.replace("Bucket: shop-prod", "Bucket: shop-prod-2"),
    );
    assert_eq!(ids(&f), ["cloudformation/replacement-property"]);
    assert_eq!(f[0].severity, Severity::Critical);
    // An entry no resource reads is quiet.
    assert!(between(
        &base,
        &base.replace("Bucket: shop-dev", "Bucket: shop-dev-2")
    )
    .is_empty());
}

#[test]
fn a_db_instance_moved_to_another_engine_is_replaced_but_not_a_cdb_conversion() {
    let base = one("Resources:
  Db:
    Type: AWS::RDS::DBInstance
    Properties:
      Engine: oracle-ee
      DBInstanceClass: db.m5.large
");
    let f = between(&base, &base.replace("oracle-ee", "postgres"));
    assert_eq!(ids(&f), ["cloudformation/replacement-property"]);
    assert!(between(&base, &base.replace("oracle-ee", "oracle-ee-cdb")).is_empty());
    assert!(between(&base, &base.replace("oracle-ee", "Oracle-EE")).is_empty());
}

#[test]
fn a_template_converted_to_json_under_the_same_name_is_compared_with_its_successor() {
    let yaml = "AWSTemplateFormatVersion: '2010-09-09'\nResources:\n  Orders:\n    Type: AWS::DynamoDB::Table\n    Properties:\n      TableName: orders\n  Queue:\n    Type: AWS::SQS::Queue\n";
    let json = "{\"AWSTemplateFormatVersion\": \"2010-09-09\", \"Resources\": {\"Orders\": {\"Type\": \"AWS::DynamoDB::Table\", \"Properties\": {\"TableName\": \"orders\"}}, \"Queue\": {\"Type\": \"AWS::SQS::Queue\"}}}";
    let converted =
        Case::deleted("infra/orders.yaml", yaml).with_file(Side::Head, "infra/orders.json", json);
    assert!(run(converted).is_empty());
    // A resource the conversion drops is still removed.
    let dropped = json.replace(", \"Queue\": {\"Type\": \"AWS::SQS::Queue\"}", "");
    let f = run(Case::deleted("infra/orders.yaml", yaml).with_file(
        Side::Head,
        "infra/orders.json",
        &dropped,
    ));
    assert_eq!(ids(&f), ["cloudformation/resource-removed"]);
    // A JSON file already there at the base is another template, not the successor.
    let both = Case::deleted("infra/orders.yaml", yaml)
        .with_file(Side::Base, "infra/orders.json", json)
        .with_file(Side::Head, "infra/orders.json", json);
    assert_eq!(ids(&run(both)).len(), 2);
}
