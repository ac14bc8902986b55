use super::analyze;
use crate::analyze::files::testkit::{ids, Case};
use crate::change::Side;
use crate::finding::{Finding, Severity};

fn run(path: &str, base: &str, head: &str) -> Vec<Finding> {
    Case::modified(path, base, head).run(analyze)
}

const PULUMI_TS: &str = r#"import * as aws from "@pulumi/aws";

// The uploads bucket. new aws.s3.BucketV2("commented", {}) is not code.
const bucket = new aws.s3.BucketV2("data", {
    bucket: "acme-data",
    forceDestroy: false,
}, { protect: true });

const db = new aws.rds.Instance("db", {
    identifier: "acme-prod",
    engine: "postgres",
    deletionProtection: true,
    skipFinalSnapshot: false,
});

const table = new aws.dynamodb.Table("orders", {
    hashKey: "id",
    billingMode: "PAY_PER_REQUEST",
});

const role = new aws.iam.Role("worker", { assumeRolePolicy: policy });
"#;

#[test]
fn removing_a_pulumi_table_is_critical_at_its_base_lines() {
    let head = PULUMI_TS.replace(
        "const table = new aws.dynamodb.Table(\"orders\", {\n    hashKey: \"id\",\n    billingMode: \"PAY_PER_REQUEST\",\n});\n",
        "",
    );
    let f = run("index.ts", PULUMI_TS, &head);
    assert_eq!(ids(&f), ["pulumi/resource-removed"]);
    assert_eq!(f[0].severity, Severity::Critical);
    assert_eq!(f[0].location.side, Side::Base);
    assert_eq!(
        (f[0].location.line, f[0].location.end_line),
        (Some(16), Some(19))
    );
    assert!(
        f[0].message.contains("`orders` (aws.dynamodb.Table)"),
        "{}",
        f[0].message
    );
    // A resource that holds no data is medium.
    let head = PULUMI_TS.replace(
        "const role = new aws.iam.Role(\"worker\", { assumeRolePolicy: policy });\n",
        "",
    );
    let f = run("index.ts", PULUMI_TS, &head);
    assert_eq!(ids(&f), ["pulumi/resource-removed"]);
    assert_eq!(f[0].severity, Severity::Medium);
}

#[test]
fn the_probe_program_reports_every_destructive_edit() {
    let head = PULUMI_TS
        .replace(
            "forceDestroy: false,\n}, { protect: true });",
            "forceDestroy: true,\n});",
        )
        .replace("Instance(\"db\"", "Instance(\"database\"")
        .replace("deletionProtection: true", "deletionProtection: false");
    let f = run("index.ts", PULUMI_TS, &head);
    let mut found = ids(&f);
    found.sort_unstable();
    assert_eq!(
        found,
        [
            "pulumi/protection-removed",
            "pulumi/protection-weakened",
            "pulumi/renamed",
        ]
    );
    let renamed = f.iter().find(|f| f.rule.as_str() == "pulumi/renamed");
    let renamed = renamed.expect("renamed");
    assert_eq!(renamed.severity, Severity::Critical);
    assert_eq!(renamed.location.line, Some(9));
    assert!(renamed.message.contains("aliases"), "{}", renamed.message);
    let force = f
        .iter()
        .find(|f| f.message.contains("forceDestroy"))
        .expect("force");
    assert_eq!(
        (force.location.line, force.severity),
        (Some(6), Severity::High)
    );
}

#[test]
fn a_rename_with_aliases_additions_tags_and_comments_are_quiet() {
    let aliased = PULUMI_TS.replace(
        "new aws.iam.Role(\"worker\", { assumeRolePolicy: policy });",
        "new aws.iam.Role(\"worker-role\", { assumeRolePolicy: policy }, { aliases: [{ name: \"worker\" }] });",
    );
    assert!(run("index.ts", PULUMI_TS, &aliased).is_empty());
    let benign = PULUMI_TS
        .replace(
            "billingMode: \"PAY_PER_REQUEST\",",
            "billingMode: \"PAY_PER_REQUEST\",\n    tags: { team: \"orders\" },",
        )
        .replace(
            "// The uploads bucket.",
            "// The bucket for uploads; new aws.s3.BucketV2(\"x\", {}) in a comment.",
        )
        .replace(
            "    identifier: \"acme-prod\",\n    engine: \"postgres\",",
            "    engine: \"postgres\", identifier: \"acme-prod\",",
        )
        + "\nconst queue = new aws.sqs.Queue(\"jobs\");\n";
    assert!(run("index.ts", PULUMI_TS, &benign).is_empty());
    // Turning a protection on is not a finding either.
    let stronger = PULUMI_TS.replace("const table = new aws.dynamodb.Table(\"orders\", {\n", "const table = new aws.dynamodb.Table(\"orders\", {\n    deletionProtectionEnabled: true,\n");
    assert!(run("index.ts", PULUMI_TS, &stronger).is_empty());
}

#[test]
fn a_protection_from_a_variable_is_unknown_and_replacing_it_with_false_is_reported() {
    let computed = PULUMI_TS.replace("deletionProtection: true", "deletionProtection: isProd");
    assert!(run("index.ts", PULUMI_TS, &computed).is_empty());
    let literal = PULUMI_TS.replace("deletionProtection: true", "deletionProtection: false");
    assert_eq!(
        ids(&run("index.ts", &computed, &literal)),
        ["pulumi/protection-weakened"]
    );
    // A weak fallback is quoted as written, strings and all.
    let fallback = PULUMI_TS.replace(
        "deletionProtection: true",
        "deletionProtection: config.getBoolean(\"protect\") ?? false",
    );
    let f = run("index.ts", PULUMI_TS, &fallback);
    assert_eq!(ids(&f), ["pulumi/protection-weakened"]);
    assert!(
        f[0].message
            .contains("from `true` to `config.getBoolean(\"protect\") ?? false`"),
        "{}",
        f[0].message
    );
}

const PULUMI_PY: &str = r#"import pulumi
import pulumi_aws as aws

config = pulumi.Config("acme")
bucket = aws.s3.BucketV2("data", bucket="acme-data",
    opts=pulumi.ResourceOptions(protect=True))
table = aws.dynamodb.Table("orders", hash_key="id", billing_mode="PAY_PER_REQUEST",
    attributes=[{"name": "id", "type": "S"}], deletion_protection_enabled=True)
pulumi.export("bucket", bucket.id)
"#;

#[test]
fn python_programs_protect_false_and_a_removed_table() {
    let head = "import pulumi\nimport pulumi_aws as aws\n\nconfig = pulumi.Config(\"acme\")\nbucket = aws.s3.BucketV2(\"data\", bucket=\"acme-data\",\n    opts=pulumi.ResourceOptions(protect=False))\npulumi.export(\"bucket\", bucket.id)\n";
    let f = run("__main__.py", PULUMI_PY, head);
    assert_eq!(
        ids(&f),
        ["pulumi/resource-removed", "pulumi/protection-removed"]
    );
    assert_eq!(f[0].severity, Severity::Critical);
    assert_eq!(f[0].location.line, Some(7));
    assert_eq!(f[1].location.line, Some(6));
    // `pulumi.Config` and `pulumi.export` are not resources: removing them is quiet.
    let without_export = PULUMI_PY.replace("pulumi.export(\"bucket\", bucket.id)\n", "");
    assert!(run("__main__.py", PULUMI_PY, &without_export).is_empty());
}

#[test]
fn a_retained_pulumi_resource_removed_is_low() {
    let base = PULUMI_PY.replace("protect=True", "retain_on_delete=True");
    let head = base.replace(
        "bucket = aws.s3.BucketV2(\"data\", bucket=\"acme-data\",\n    opts=pulumi.ResourceOptions(retain_on_delete=True))\n",
        "",
    );
    let f = run("__main__.py", &base, &head);
    assert_eq!(ids(&f), ["pulumi/resource-removed"]);
    assert_eq!(f[0].severity, Severity::Low);
}

#[test]
fn go_programs_are_read_by_their_new_functions() {
    let base = "package main\n\nimport (\n\t\"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/s3\"\n\t\"github.com/pulumi/pulumi/sdk/v3/go/pulumi\"\n)\n\nfunc main() {\n\tpulumi.Run(func(ctx *pulumi.Context) error {\n\t\t_, err := s3.NewBucketV2(ctx, \"data\", &s3.BucketV2Args{}, pulumi.Protect(true))\n\t\treturn err\n\t})\n}\n";
    let head = base.replace("pulumi.Protect(true)", "pulumi.Protect(false)");
    let f = run("main.go", base, &head);
    assert_eq!(ids(&f), ["pulumi/protection-removed"]);
    assert_eq!(f[0].location.line, Some(10));
    let renamed = base.replace("\"data\"", "\"uploads\"");
    assert_eq!(ids(&run("main.go", base, &renamed)), ["pulumi/renamed"]);
}

const CDK_TS: &str = r#"import { Stack, StackProps, RemovalPolicy } from 'aws-cdk-lib';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';

export class OrdersStack extends Stack {
  constructor(scope: Construct, id: string, props?: StackProps) {
    super(scope, id, { ...props, terminationProtection: true });
    new dynamodb.Table(this, 'OrdersTable', {
      partitionKey: { name: 'pk', type: dynamodb.AttributeType.STRING },
      removalPolicy: RemovalPolicy.RETAIN,
      deletionProtection: true,
    });
    new s3.Bucket(this, 'Uploads', { removalPolicy: RemovalPolicy.RETAIN });
  }
}
"#;

#[test]
fn the_probe_cdk_stack_reports_every_destructive_edit() {
    let head = CDK_TS
        .replace(
            "terminationProtection: true",
            "terminationProtection: false",
        )
        .replace("'OrdersTable'", "'Orders'")
        .replace("RemovalPolicy.RETAIN,\n", "RemovalPolicy.DESTROY,\n")
        .replace("deletionProtection: true", "deletionProtection: false")
        .replace(
            "{ removalPolicy: RemovalPolicy.RETAIN }",
            "{ removalPolicy: RemovalPolicy.DESTROY, autoDeleteObjects: true }",
        );
    let f = run("lib/orders-stack.ts", CDK_TS, &head);
    let lines: Vec<(&str, Option<u32>)> = f
        .iter()
        .map(|f| (f.rule.as_str(), f.location.line))
        .collect();
    assert_eq!(
        lines,
        [
            ("cdk/construct-id-changed", Some(9)),
            ("cdk/protection-weakened", Some(8)),
            ("cdk/protection-weakened", Some(14)),
            ("cdk/removal-policy-destroy", Some(14)),
        ],
        "{f:#?}"
    );
    assert_eq!(f[0].severity, Severity::High);
    assert!(
        f[0].message.contains("overrideLogicalId"),
        "{}",
        f[0].message
    );
    assert!(
        f[1].message.contains("terminationProtection"),
        "{}",
        f[1].message
    );
    assert!(
        f[2].message.contains("autoDeleteObjects"),
        "{}",
        f[2].message
    );
    // The renamed table's own settings are not compared: the id change already replaces it.
}

#[test]
fn cdk_removal_is_judged_by_the_removal_policy() {
    let table = "    new dynamodb.Table(this, 'OrdersTable', {\n      partitionKey: { name: 'pk', type: dynamodb.AttributeType.STRING },\n      removalPolicy: RemovalPolicy.RETAIN,\n      deletionProtection: true,\n    });\n";
    let head = CDK_TS.replace(table, "");
    let f = run("lib/orders-stack.ts", CDK_TS, &head);
    assert_eq!(ids(&f), ["cdk/construct-removed"]);
    assert_eq!(f[0].severity, Severity::Low, "RETAIN leaves it running");
    let destroy = CDK_TS.replace("RemovalPolicy.RETAIN,\n", "RemovalPolicy.DESTROY,\n");
    let f = run("lib/orders-stack.ts", &destroy, &head);
    assert_eq!(ids(&f), ["cdk/construct-removed"]);
    assert_eq!(f[0].severity, Severity::Critical);
    // The policy itself turned to DESTROY on a table that is kept.
    assert_eq!(
        ids(&run("lib/orders-stack.ts", CDK_TS, &destroy)),
        ["cdk/removal-policy-destroy"]
    );
}

#[test]
fn cdk_benign_edits_and_pinned_logical_ids_are_quiet() {
    let benign = CDK_TS
        .replace("{ removalPolicy: RemovalPolicy.RETAIN }", "{\n      removalPolicy: RemovalPolicy.RETAIN,\n      versioned: true, // keep history\n    }")
        .replace("  }\n}\n", "    new s3.Bucket(this, 'Logs');\n  }\n}\n");
    assert!(run("lib/orders-stack.ts", CDK_TS, &benign).is_empty());
    let pinned = CDK_TS.replace(
        "    new dynamodb.Table(this, 'OrdersTable', {",
        "    const t = new dynamodb.Table(this, 'Orders', {",
    ).replace(
        "    new s3.Bucket(this, 'Uploads'",
        "    (t.node.defaultChild as dynamodb.CfnTable).overrideLogicalId('OrdersTable1234');\n    new s3.Bucket(this, 'Uploads'",
    );
    assert!(run("lib/orders-stack.ts", CDK_TS, &pinned).is_empty());
}

#[test]
fn cdk_python_stacks_read_keyword_arguments() {
    let base = "from aws_cdk import Stack, RemovalPolicy, aws_s3 as s3\n\nclass Site(Stack):\n    def __init__(self, scope, id, **kwargs):\n        super().__init__(scope, id, **kwargs)\n        s3.Bucket(self, \"Assets\", removal_policy=RemovalPolicy.RETAIN)\n";
    let head = base.replace(
        "removal_policy=RemovalPolicy.RETAIN",
        "removal_policy=RemovalPolicy.DESTROY, auto_delete_objects=True",
    );
    let f = run("app.py", base, &head);
    assert_eq!(
        ids(&f),
        ["cdk/protection-weakened", "cdk/removal-policy-destroy"]
    );
    assert_eq!(f[0].location.line, Some(6));
}

#[test]
fn files_that_import_no_iac_sdk_are_left_alone() {
    let app = "import express from 'express';\nconst t = new Table('orders', { x: 1 });\n";
    assert!(run("src/app.ts", app, "").is_empty());
}

#[test]
fn cdk_values_built_from_a_string_are_not_constructs() {
    let base = CDK_TS.replace(
        "    new s3.Bucket(this, 'Uploads'",
        "    const role = new iam.Role(this, 'FnRole', { assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com') });\n    const code = new lambda.AssetCode('src');\n    new s3.Bucket(this, 'Uploads'",
    );
    // A principal or an asset directory changes a property, not a construct id.
    let head = base
        .replace("'lambda.amazonaws.com'", "'states.amazonaws.com'")
        .replace(
            "new lambda.AssetCode('src')",
            "lambda.Code.fromAsset('dist')",
        );
    assert!(run("lib/orders-stack.ts", &base, &head).is_empty());
    let py = "from aws_cdk import aws_iam as iam\n\nrole = iam.Role(self, \"Role\", assumed_by=iam.ServicePrincipal(\"lambda.amazonaws.com\"))\n";
    let edited = py.replace("\"lambda.amazonaws.com\"", "\"edgelambda.amazonaws.com\"");
    assert!(run("stack.py", py, &edited).is_empty());
    // The role itself, declared with a scope, is still a construct.
    let renamed = base.replace("'FnRole'", "'FunctionRole'");
    assert_eq!(
        ids(&run("lib/orders-stack.ts", &base, &renamed)),
        ["cdk/construct-id-changed"]
    );
}

#[test]
fn go_calls_that_are_not_new_functions_are_not_resources() {
    let base = "package main\n\nimport (\n\t\"errors\"\n\t\"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/s3\"\n\t\"github.com/pulumi/pulumi/sdk/v3/go/pulumi\"\n)\n\nfunc main() {\n\tpulumi.Run(func(ctx *pulumi.Context) error {\n\t\tb, err := s3.NewBucketV2(ctx, \"data\", nil)\n\t\tif err != nil {\n\t\t\treturn errors.New(\"bucket failed\")\n\t\t}\n\t\tctx.Export(\"bucketName\", b.ID())\n\t\treturn nil\n\t})\n}\n";
    let head = base
        .replace("errors.New(\"bucket failed\")", "errors.New(\"no bucket\")")
        .replace("\t\tctx.Export(\"bucketName\", b.ID())\n", "");
    assert!(run("main.go", base, &head).is_empty());
}

#[test]
fn a_resource_moved_into_a_helper_or_a_loop_under_its_name_is_quiet() {
    let role = "const role = new aws.iam.Role(\"worker\", { assumeRolePolicy: policy });\n";
    let helper = PULUMI_TS.replace(
        role,
        "function makeRole(name: string) {\n    return new aws.iam.Role(name, { assumeRolePolicy: policy });\n}\nconst role = makeRole(\"worker\");\n",
    );
    assert!(run("index.ts", PULUMI_TS, &helper).is_empty());
    let looped = PULUMI_PY.replace(
        "bucket = aws.s3.BucketV2(\"data\", bucket=\"acme-data\",\n    opts=pulumi.ResourceOptions(protect=True))\n",
        "buckets = [aws.s3.BucketV2(name, bucket=\"acme-\" + name,\n    opts=pulumi.ResourceOptions(protect=True)) for name in [\"data\"]]\nbucket = buckets[0]\n",
    );
    assert!(run("__main__.py", PULUMI_PY, &looped).is_empty());
    // The helper must still be called with the old name: otherwise the resource is gone.
    let other = helper.replace("makeRole(\"worker\")", "makeRole(\"builder\")");
    assert_eq!(
        ids(&run("index.ts", PULUMI_TS, &other)),
        ["pulumi/resource-removed"]
    );
}

#[test]
fn a_pulumi_property_that_forces_a_replacement_is_reported_at_its_line() {
    let f = run(
        "index.ts",
        PULUMI_TS,
        &PULUMI_TS.replace("hashKey: \"id\"", "hashKey: \"orderId\""),
    );
    assert_eq!(ids(&f), ["pulumi/replacement-property"]);
    assert_eq!(
        (f[0].location.line, f[0].severity),
        (Some(17), Severity::Critical)
    );
    for part in ["`hashKey`", "`orders`", "\"id\"", "\"orderId\""] {
        assert!(f[0].message.contains(part), "{part}: {}", f[0].message);
    }
    // Python's keyword arguments, a retained table: replaced, the old one left running.
    let py = PULUMI_PY.replace("hash_key=\"id\"", "hash_key=\"order_id\"");
    let f = run("__main__.py", PULUMI_PY, &py);
    assert_eq!(ids(&f), ["pulumi/replacement-property"]);
    assert_eq!(f[0].severity, Severity::Critical);
    let retained = PULUMI_PY.replace(
        "deletion_protection_enabled=True)",
        "deletion_protection_enabled=True, opts=pulumi.ResourceOptions(retain_on_delete=True))",
    );
    let py = retained.replace("hash_key=\"id\"", "hash_key=\"order_id\"");
    let f = run("__main__.py", &retained, &py);
    assert_eq!(ids(&f), ["pulumi/replacement-property"]);
    assert_eq!(f[0].severity, Severity::High);
}

#[test]
fn go_and_csharp_replacement_properties_are_read_through_their_wrappers() {
    let go = "package main\n\nimport (\n\t\"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/dynamodb\"\n\t\"github.com/pulumi/pulumi/sdk/v3/go/pulumi\"\n)\n\nfunc main() {\n\tpulumi.Run(func(ctx *pulumi.Context) error {\n\t\t_, err := dynamodb.NewTable(ctx, \"orders\", &dynamodb.TableArgs{\n\t\t\tHashKey: pulumi.String(\"id\"),\n\t\t})\n\t\treturn err\n\t})\n}\n";
    let f = run(
        "main.go",
        go,
        &go.replace("String(\"id\")", "String(\"pk\")"),
    );
    assert_eq!(ids(&f), ["pulumi/replacement-property"]);
    assert_eq!(f[0].location.line, Some(11));
    // C# names the type alone: its module comes from the `using` lines.
    let cs = "using Pulumi;\nusing Pulumi.Aws.S3;\nusing Pulumi.Aws.DynamoDB;\n\nreturn await Deployment.RunAsync(() =>\n{\n    var table = new Table(\"orders\", new TableArgs\n    {\n        HashKey = \"id\",\n    });\n});\n";
    let f = run("Program.cs", cs, &cs.replace("\"id\"", "\"pk\""));
    assert_eq!(ids(&f), ["pulumi/replacement-property"]);
    assert_eq!(f[0].location.line, Some(9));
}

#[test]
fn computed_ignored_nested_and_in_place_properties_are_not_replacements() {
    let quiet = |base: &str, head: &str| {
        assert!(run("index.ts", base, head).is_empty(), "{head}");
    };
    // In place: billing mode; a nested `name` is an attribute, not the table's name.
    quiet(
        PULUMI_TS,
        &PULUMI_TS.replace("\"PAY_PER_REQUEST\"", "\"PROVISIONED\""),
    );
    let attrs = PULUMI_TS.replace(
        "    hashKey: \"id\",\n",
        "    hashKey: \"id\",\n    attributes: [{ name: \"id\", type: \"S\" }],\n",
    );
    quiet(&attrs, &attrs.replace("name: \"id\"", "name: \"pk\""));
    // A value twokey cannot evaluate, on either side.
    let computed = PULUMI_TS.replace("hashKey: \"id\"", "hashKey: keyName");
    quiet(PULUMI_TS, &computed);
    quiet(
        &computed,
        &PULUMI_TS.replace("hashKey: \"id\"", "hashKey: \"pk\""),
    );
    // Listed in ignoreChanges: Pulumi leaves the real table alone.
    let ignoring = PULUMI_TS.replace(
        "    billingMode: \"PAY_PER_REQUEST\",\n});",
        "    billingMode: \"PAY_PER_REQUEST\",\n}, { ignoreChanges: [\"hashKey\"] });",
    );
    quiet(
        &ignoring,
        &ignoring.replace("hashKey: \"id\"", "hashKey: \"pk\""),
    );
    // A renamed resource is reported once, as renamed.
    let renamed = PULUMI_TS
        .replace("Table(\"orders\"", "Table(\"orders2\"")
        .replace("hashKey: \"id\"", "hashKey: \"pk\"");
    assert_eq!(
        ids(&run("index.ts", PULUMI_TS, &renamed)),
        ["pulumi/renamed"]
    );
}

#[test]
fn a_cdk_table_key_or_bucket_name_change_replaces_the_resource() {
    let f = run(
        "lib/orders-stack.ts",
        CDK_TS,
        &CDK_TS.replace("name: 'pk'", "name: 'orderId'"),
    );
    assert_eq!(ids(&f), ["cdk/replacement-property"]);
    assert_eq!(
        (f[0].location.line, f[0].severity),
        (Some(10), Severity::High)
    );
    assert!(f[0].message.contains("`partitionKey`"), "{}", f[0].message);
    let destroy = CDK_TS.replace("RemovalPolicy.RETAIN,\n", "RemovalPolicy.DESTROY,\n");
    let f = run(
        "lib/orders-stack.ts",
        &destroy,
        &destroy.replace("name: 'pk'", "name: 'orderId'"),
    );
    assert_eq!(f[0].severity, Severity::Critical);
    let py = "from aws_cdk import Stack, aws_s3 as s3\n\nclass Site(Stack):\n    def __init__(self, scope, id):\n        super().__init__(scope, id)\n        s3.Bucket(self, \"Assets\", bucket_name=\"acme-assets\", versioned=True)\n";
    let f = run("app.py", py, &py.replace("\"acme-assets\"", "\"acme-www\""));
    assert_eq!(ids(&f), ["cdk/replacement-property"]);
    // In place, or computed: quiet.
    assert!(run(
        "app.py",
        py,
        &py.replace("versioned=True", "versioned=False")
    )
    .is_empty());
    assert!(run(
        "app.py",
        py,
        &py.replace("\"acme-assets\"", "f\"acme-{stage}\"")
    )
    .is_empty());
}

#[test]
fn a_cdk_construct_moved_under_another_scope_changes_its_logical_id() {
    let moved = CDK_TS.replace(
        "    new dynamodb.Table(this, 'OrdersTable', {",
        "    const data = new Construct(this, 'Data');\n    new dynamodb.Table(data, 'OrdersTable', {",
    );
    let f = run("lib/orders-stack.ts", CDK_TS, &moved);
    assert_eq!(ids(&f), ["cdk/construct-id-changed"]);
    assert_eq!(
        (f[0].location.line, f[0].severity),
        (Some(10), Severity::High)
    );
    assert!(
        f[0].message.contains("`this` to `data`"),
        "{}",
        f[0].message
    );
    // Pinned with overrideLogicalId, or a scope variable merely renamed: quiet.
    let pinned = moved.replace(
        "    new s3.Bucket(this, 'Uploads'",
        "    (data.node.findChild('OrdersTable').node.defaultChild as dynamodb.CfnTable).overrideLogicalId('OrdersTable1234');\n    new s3.Bucket(this, 'Uploads'",
    );
    assert!(run("lib/orders-stack.ts", CDK_TS, &pinned).is_empty());
    let renamed = moved
        .replace("const data =", "const storage =")
        .replace("Table(data,", "Table(storage,");
    assert!(run("lib/orders-stack.ts", &moved, &renamed).is_empty());
}

#[test]
fn a_pulumi_parent_added_without_aliases_is_a_rename() {
    let parented = PULUMI_TS.replace(
        "new aws.iam.Role(\"worker\", { assumeRolePolicy: policy });",
        "new aws.iam.Role(\"worker\", { assumeRolePolicy: policy }, { parent: bucket });",
    );
    let f = run("index.ts", PULUMI_TS, &parented);
    assert_eq!(ids(&f), ["pulumi/renamed"]);
    assert!(
        f[0].message.contains("rootStackResource"),
        "{}",
        f[0].message
    );
    // Removed again, in Go this time: also a new URN.
    let go = "package main\n\nimport (\n\t\"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/s3\"\n\t\"github.com/pulumi/pulumi/sdk/v3/go/pulumi\"\n)\n\nfunc main() {\n\tpulumi.Run(func(ctx *pulumi.Context) error {\n\t\t_, err := s3.NewBucketV2(ctx, \"data\", nil, pulumi.Parent(component))\n\t\treturn err\n\t})\n}\n";
    let f = run("main.go", go, &go.replace(", pulumi.Parent(component)", ""));
    assert_eq!(ids(&f), ["pulumi/renamed"]);
    // With an alias, between two parents, or a property called parent: quiet.
    let aliased = PULUMI_TS.replace(
        "new aws.iam.Role(\"worker\", { assumeRolePolicy: policy });",
        "new aws.iam.Role(\"worker\", { assumeRolePolicy: policy }, { parent: bucket, aliases: [{ parent: pulumi.rootStackResource }] });",
    );
    assert!(run("index.ts", PULUMI_TS, &aliased).is_empty());
    assert!(run(
        "index.ts",
        &parented,
        &parented.replace("parent: bucket", "parent: other")
    )
    .is_empty());
    let folder = "import * as gcp from \"@pulumi/gcp\";\nconst f = new gcp.organizations.Folder(\"team\", { displayName: \"Team\", parent: \"organizations/1\" });\n";
    let moved = folder.replace(", parent: \"organizations/1\"", ", parent: \"folders/2\"");
    assert!(ids(&run("index.ts", folder, &moved))
        .iter()
        .all(|id| *id != "pulumi/renamed"));
}

#[test]
fn point_in_time_recovery_turned_off_is_a_weakened_protection() {
    let base = CDK_TS.replace(
        "      deletionProtection: true,\n",
        "      deletionProtection: true,\n      pointInTimeRecovery: true,\n",
    );
    let f = run(
        "lib/orders-stack.ts",
        &base,
        &base.replace("pointInTimeRecovery: true", "pointInTimeRecovery: false"),
    );
    assert_eq!(ids(&f), ["cdk/protection-weakened"]);
    assert_eq!(
        (f[0].location.line, f[0].severity),
        (Some(13), Severity::High)
    );
    // Removed is off too; the newer nested specification, and Pulumi's object, read alike.
    let f = run(
        "lib/orders-stack.ts",
        &base,
        &base.replace("      pointInTimeRecovery: true,\n", ""),
    );
    assert_eq!(ids(&f), ["cdk/protection-weakened"]);
    let spec = base.replace(
        "pointInTimeRecovery: true",
        "pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true }",
    );
    assert_eq!(
        ids(&run(
            "lib/orders-stack.ts",
            &spec,
            &spec.replace("Enabled: true", "Enabled: false")
        )),
        ["cdk/protection-weakened"]
    );
    let pulumi = PULUMI_TS.replace(
        "    hashKey: \"id\",\n",
        "    hashKey: \"id\",\n    pointInTimeRecovery: { enabled: true },\n",
    );
    assert_eq!(
        ids(&run(
            "index.ts",
            &pulumi,
            &pulumi.replace("enabled: true", "enabled: false")
        )),
        ["pulumi/protection-weakened"]
    );
    // Turned on: quiet.
    assert!(run("lib/orders-stack.ts", CDK_TS, &base).is_empty());
}

#[test]
fn a_renamed_cdk_stack_deploys_a_second_stack_unless_its_name_is_pinned() {
    let app = "#!/usr/bin/env node\nimport * as cdk from 'aws-cdk-lib';\nimport { OrdersStack } from '../lib/orders-stack';\n\nconst app = new cdk.App();\nnew OrdersStack(app, 'OrdersStack', { env: { region: 'us-east-1' } });\n";
    let f = run(
        "bin/app.ts",
        app,
        &app.replace("'OrdersStack',", "'OrdersStackV2',"),
    );
    assert_eq!(ids(&f), ["cdk/construct-id-changed"]);
    assert_eq!(
        (f[0].location.line, f[0].severity),
        (Some(6), Severity::High)
    );
    assert!(f[0].message.contains("stackName"), "{}", f[0].message);
    let pinned = app.replace(
        "'OrdersStack', {",
        "'OrdersStackV2', { stackName: 'OrdersStack',",
    );
    assert!(run("bin/app.ts", app, &pinned).is_empty());
    // Dropped from the app: CDK does not delete a stack it no longer synthesizes.
    let dropped = app.replace(
        "new OrdersStack(app, 'OrdersStack', { env: { region: 'us-east-1' } });\n",
        "",
    );
    assert!(run("bin/app.ts", app, &dropped).is_empty());
    // A nested stack is a resource of its parent: removed, everything in it goes.
    let nested = CDK_TS.replace(
        "    new s3.Bucket(this, 'Uploads'",
        "    new StorageNestedStack(this, 'Storage');\n    new s3.Bucket(this, 'Uploads'",
    );
    let f = run("lib/orders-stack.ts", &nested, CDK_TS);
    assert_eq!(ids(&f), ["cdk/construct-removed"]);
    assert_eq!(f[0].severity, Severity::Critical);
}

#[test]
fn a_construct_that_changes_type_under_its_id_is_a_new_resource() {
    // CDK: Table to TableV2 is a new CloudFormation type under the same id. Retained (here
    // by the code, by default otherwise), the old table is left behind with its data.
    let head = CDK_TS.replace("new dynamodb.Table(this", "new dynamodb.TableV2(this");
    let f = run("lib/orders-stack.ts", CDK_TS, &head);
    assert_eq!(ids(&f), ["cdk/construct-removed"]);
    assert_eq!(f[0].severity, Severity::Medium);
    assert_eq!(
        (f[0].location.side, f[0].location.line),
        (Side::Head, Some(9))
    );
    assert!(
        f[0].message
            .contains("changes type from dynamodb.Table to dynamodb.TableV2"),
        "{}",
        f[0].message
    );
    let defaulted = CDK_TS.replace("      removalPolicy: RemovalPolicy.RETAIN,\n", "");
    let head = defaulted.replace("new dynamodb.Table(this", "new dynamodb.TableV2(this");
    let f = run("lib/orders-stack.ts", &defaulted, &head);
    assert_eq!(ids(&f), ["cdk/construct-removed"]);
    assert_eq!(f[0].severity, Severity::High);
    assert!(f[0].message.contains("new, empty one"), "{}", f[0].message);
    // Pulumi deletes what leaves the program: a data-holding resource retyped is critical,
    // unless `aliases` carries the old type over.
    let head = PULUMI_TS.replace(
        "new aws.dynamodb.Table(\"orders\"",
        "new aws.dynamodb.TableV2(\"orders\"",
    );
    let f = run("index.ts", PULUMI_TS, &head);
    assert_eq!(ids(&f), ["pulumi/resource-removed"]);
    assert_eq!(f[0].severity, Severity::Critical);
    let aliased = PULUMI_TS.replace(
        "const table = new aws.dynamodb.Table(\"orders\", {\n    hashKey: \"id\",\n    billingMode: \"PAY_PER_REQUEST\",\n});",
        "const table = new aws.dynamodb.TableV2(\"orders\", {\n    hashKey: \"id\",\n    billingMode: \"PAY_PER_REQUEST\",\n}, { aliases: [{ type: \"aws:dynamodb/table:Table\" }] });",
    );
    assert!(run("index.ts", PULUMI_TS, &aliased).is_empty());
    // pulumi-aws 7 aliases `aws.s3.BucketV2` to `aws.s3.Bucket` itself.
    let plain = PULUMI_TS.replace("new aws.s3.BucketV2(\"data\"", "new aws.s3.Bucket(\"data\"");
    assert!(run("index.ts", PULUMI_TS, &plain).is_empty());
    // The same types on both sides say nothing.
    assert!(run("lib/orders-stack.ts", CDK_TS, CDK_TS).is_empty());
}

#[test]
fn a_stack_moved_to_another_region_or_account_is_a_new_stack() {
    let app = "import { App } from 'aws-cdk-lib';\nimport { OrdersStack } from '../lib/orders-stack';\n\nconst app = new App();\nnew OrdersStack(app, 'Orders', {\n  env: { account: '111111111111', region: 'us-east-1' },\n});\n";
    let f = run("bin/app.ts", app, &app.replace("us-east-1", "eu-west-1"));
    assert_eq!(ids(&f), ["cdk/construct-id-changed"]);
    assert_eq!(f[0].severity, Severity::High);
    assert!(
        f[0].message.contains("region `us-east-1` to `eu-west-1`"),
        "{}",
        f[0].message
    );
    let f = run(
        "bin/app.ts",
        app,
        &app.replace("111111111111", "222222222222"),
    );
    assert!(
        f[0].message
            .contains("account `111111111111` to `222222222222`"),
        "{}",
        f[0].message
    );
    // An environment read from the CLI's defaults, or other props edited, says nothing.
    let computed = app.replace("'us-east-1'", "process.env.CDK_DEFAULT_REGION");
    assert!(run("bin/app.ts", app, &computed).is_empty());
    let tagged = app.replace("  env:", "  description: 'orders',\n  env:");
    assert!(run("bin/app.ts", app, &tagged).is_empty());
}

#[test]
fn an_l1_construct_is_judged_by_its_cloudformation_properties() {
    let stack = "import * as rds from 'aws-cdk-lib/aws-rds';\nimport * as cdk from 'aws-cdk-lib';\n\nexport class DbStack extends cdk.Stack {\n  constructor(scope: Construct, id: string) {\n    super(scope, id);\n    new rds.CfnDBInstance(this, 'Db', {\n      dbInstanceIdentifier: 'orders',\n      dbInstanceClass: 'db.t3.micro',\n      engine: 'postgres',\n    });\n  }\n}\n";
    let f = run(
        "lib/db-stack.ts",
        stack,
        &stack.replace("'orders'", "'orders-v2'"),
    );
    assert_eq!(ids(&f), ["cdk/replacement-property"]);
    assert_eq!(f[0].location.line, Some(8));
    assert!(
        f[0].message.contains("dbInstanceIdentifier"),
        "{}",
        f[0].message
    );
    // Python names the same property in snake case; a resizable property stays quiet.
    let py = "from aws_cdk import aws_rds as rds\nfrom aws_cdk import Stack\n\nclass DbStack(Stack):\n    def __init__(self, scope, id):\n        super().__init__(scope, id)\n        rds.CfnDBInstance(self, \"Db\", db_instance_identifier=\"orders\", db_instance_class=\"db.t3.micro\")\n";
    let f = run(
        "app/db_stack.py",
        py,
        &py.replace("\"orders\"", "\"orders-v2\""),
    );
    assert_eq!(ids(&f), ["cdk/replacement-property"]);
    assert!(run(
        "lib/db-stack.ts",
        stack,
        &stack.replace("db.t3.micro", "db.r6g.large")
    )
    .is_empty());
    assert!(run(
        "app/db_stack.py",
        py,
        &py.replace("db.t3.micro", "db.r6g.large")
    )
    .is_empty());
}

const GO_CDK: &str = "package main\n\nimport (\n\t\"github.com/aws/aws-cdk-go/awscdk/v2\"\n\t\"github.com/aws/aws-cdk-go/awscdk/v2/awsdynamodb\"\n\t\"github.com/aws/jsii-runtime-go\"\n)\n\nfunc NewData(stack awscdk.Stack) {\n\tawsdynamodb.NewTable(stack, jsii.String(\"Orders\"), &awsdynamodb.TableProps{\n\t\tRemovalPolicy: awscdk.RemovalPolicy_RETAIN,\n\t})\n\tawsdynamodb.NewTable(stack, jsii.String(\"Scratch\"), &awsdynamodb.TableProps{\n\t\tRemovalPolicy: awscdk.RemovalPolicy_DESTROY,\n\t})\n}\n";

#[test]
fn go_cdk_removal_policies_are_read_through_their_underscored_names() {
    let head = GO_CDK.replace("RemovalPolicy_RETAIN", "RemovalPolicy_DESTROY");
    let f = run("data.go", GO_CDK, &head);
    assert_eq!(ids(&f), ["cdk/removal-policy-destroy"]);
    assert_eq!(f[0].location.line, Some(11));

    // A table set to DESTROY, removed, goes with its data.
    let head = GO_CDK.replace(
        "\tawsdynamodb.NewTable(stack, jsii.String(\"Scratch\"), &awsdynamodb.TableProps{\n\t\tRemovalPolicy: awscdk.RemovalPolicy_DESTROY,\n\t})\n",
        "",
    );
    let f = run("data.go", GO_CDK, &head);
    assert_eq!(ids(&f), ["cdk/construct-removed"]);
    assert_eq!(f[0].severity, Severity::Critical);

    // RETAIN to SNAPSHOT or RETAIN_ON_UPDATE_OR_DELETE still keeps the data.
    for kept in [
        "RemovalPolicy_SNAPSHOT",
        "RemovalPolicy_RETAIN_ON_UPDATE_OR_DELETE",
    ] {
        let head = GO_CDK.replace("RemovalPolicy_RETAIN,", &format!("{kept},"));
        assert!(run("data.go", GO_CDK, &head).is_empty(), "{kept}");
    }
}

const PY_COMPONENT: &str = "import pulumi\nimport pulumi_aws as aws\n\nclass Storage(pulumi.ComponentResource):\n    def __init__(self, name, opts=None):\n        super().__init__(\"acme:storage:Storage\", name, None, opts)\n        self.table = aws.dynamodb.Table(f\"{name}-table\", hash_key=\"id\",\n            opts=pulumi.ResourceOptions(parent=self))\n\nstorage = Storage(\"data\")\n";

#[test]
fn a_component_declared_in_the_program_is_a_resource_even_called_with_its_name_alone() {
    let head = PY_COMPONENT.replace("Storage(\"data\")", "Storage(\"storage\")");
    let f = run("__main__.py", PY_COMPONENT, &head);
    assert_eq!(ids(&f), ["pulumi/renamed"]);
    assert_eq!(f[0].location.line, Some(10));
    assert!(f[0].message.contains("every resource"), "{}", f[0].message);
    assert_eq!(f[0].severity, Severity::High);

    let head = PY_COMPONENT.replace("storage = Storage(\"data\")\n", "");
    let f = run("__main__.py", PY_COMPONENT, &head);
    assert_eq!(ids(&f), ["pulumi/resource-removed"]);
    assert_eq!(f[0].severity, Severity::High);

    let ts = "import * as pulumi from \"@pulumi/pulumi\";\n\nexport class Site extends pulumi.ComponentResource {\n    constructor(name: string) {\n        super(\"acme:web:Site\", name);\n    }\n}\n\nconst site = new Site(\"www\");\n";
    let head = ts.replace("new Site(\"www\")", "new Site(\"web\")");
    assert_eq!(ids(&run("index.ts", ts, &head)), ["pulumi/renamed"]);
    let cs = "using Pulumi;\n\nclass Site : ComponentResource\n{\n    public Site(string name) : base(\"acme:web:Site\", name) { }\n}\n\nclass MyStack : Stack\n{\n    public MyStack() { var site = new Site(\"www\"); }\n}\n";
    let head = cs.replace("new Site(\"www\")", "new Site(\"web\")");
    assert_eq!(ids(&run("MyStack.cs", cs, &head)), ["pulumi/renamed"]);

    // Renamed with an alias, or a one-argument call of a class that is not a component: quiet.
    let head = PY_COMPONENT.replace(
        "Storage(\"data\")",
        "Storage(\"storage\", opts=pulumi.ResourceOptions(aliases=[pulumi.Alias(name=\"data\")]))",
    );
    assert!(run("__main__.py", PY_COMPONENT, &head).is_empty());
    let plain = "import pulumi\n\nclass Naming:\n    pass\n\nn = Naming(\"data\")\nraise ValueError(\"boom\")\n";
    let head = plain
        .replace("Naming(\"data\")", "Naming(\"other\")")
        .replace("\"boom\"", "\"bang\"");
    assert!(run("__main__.py", plain, &head).is_empty());
}

const JAVA_PULUMI: &str = "package app;\n\nimport com.pulumi.Pulumi;\nimport com.pulumi.aws.dynamodb.Table;\nimport com.pulumi.aws.dynamodb.TableArgs;\n\npublic class App {\n    public static void main(String[] args) {\n        Pulumi.run(ctx -> {\n            var table = new Table(\"orders\", TableArgs.builder()\n                .hashKey(\"id\")\n                .billingMode(\"PAY_PER_REQUEST\")\n                .build());\n        });\n    }\n}\n";

const JAVA_CDK: &str = "package app;\n\nimport software.amazon.awscdk.Stack;\nimport software.amazon.awscdk.services.dynamodb.*;\n\npublic class DataStack extends Stack {\n    public DataStack(final Construct scope, final String id) {\n        super(scope, id);\n        Table.Builder.create(this, \"Orders\")\n                .partitionKey(Attribute.builder().name(\"id\").type(AttributeType.STRING).build())\n                .tableName(\"orders\")\n                .billingMode(BillingMode.PAY_PER_REQUEST)\n                .build();\n        new Table(this, \"Audit\", TableProps.builder()\n                .tableName(\"audit\")\n                .build());\n    }\n}\n";

#[test]
fn java_builder_properties_that_force_a_replacement_are_read() {
    let f = run(
        "App.java",
        JAVA_PULUMI,
        &JAVA_PULUMI.replace("\"id\"", "\"pk\""),
    );
    assert_eq!(ids(&f), ["pulumi/replacement-property"]);
    assert_eq!(f[0].location.line, Some(11));

    let f = run(
        "DataStack.java",
        JAVA_CDK,
        &JAVA_CDK.replace("name(\"id\")", "name(\"orderId\")"),
    );
    assert_eq!(ids(&f), ["cdk/replacement-property"]);
    assert_eq!(f[0].location.line, Some(10));
    let f = run(
        "DataStack.java",
        JAVA_CDK,
        &JAVA_CDK.replace("\"audit\"", "\"audit-v2\""),
    );
    assert_eq!(ids(&f), ["cdk/replacement-property"]);
    assert_eq!(f[0].location.line, Some(15));

    // A setting updated in place, or a builder call inside a property's value: quiet.
    let head = JAVA_PULUMI.replace("\"PAY_PER_REQUEST\"", "\"PROVISIONED\"");
    assert!(run("App.java", JAVA_PULUMI, &head).is_empty());
    let head = JAVA_CDK.replace(
        ".billingMode(BillingMode.PAY_PER_REQUEST)",
        ".billingMode(BillingMode.PROVISIONED)",
    );
    assert!(run("DataStack.java", JAVA_CDK, &head).is_empty());
}

#[test]
fn a_component_registered_under_another_type_token_changes_every_child_urn() {
    let head = PY_COMPONENT.replace("\"acme:storage:Storage\"", "\"acme:data:Storage\"");
    let f = run("__main__.py", PY_COMPONENT, &head);
    assert_eq!(ids(&f), ["pulumi/renamed"]);
    assert_eq!(f[0].location.line, Some(6));
    assert!(
        f[0].message.contains("`acme:storage:Storage`"),
        "{}",
        f[0].message
    );

    let go = "package main\n\nimport \"github.com/pulumi/pulumi/sdk/v3/go/pulumi\"\n\nfunc NewSite(ctx *pulumi.Context, name string) (*Site, error) {\n\ts := &Site{}\n\terr := ctx.RegisterComponentResource(\"acme:index:Site\", name, s)\n\treturn s, err\n}\n";
    let head = go.replace("acme:index:Site", "acme:web:Site");
    assert_eq!(ids(&run("site.go", go, &head)), ["pulumi/renamed"]);
    let cs = "using Pulumi;\n\nclass Site : ComponentResource\n{\n    public Site(string name) : base(\"acme:web:Site\", name) { }\n}\n";
    let head = cs.replace("acme:web:Site", "acme:index:Site");
    assert_eq!(ids(&run("Site.cs", cs, &head)), ["pulumi/renamed"]);

    // The old type kept as an alias, a token that is no component's, or an unchanged one: quiet.
    let ts = "import * as pulumi from \"@pulumi/pulumi\";\n\nexport class Site extends pulumi.ComponentResource {\n    constructor(name: string, opts?: pulumi.ComponentResourceOptions) {\n        super(\"acme:web:Site\", name, {}, opts);\n    }\n}\nconst ref = new pulumi.StackReference(\"acme:net:prod\");\n";
    let head = ts.replace(
        "super(\"acme:web:Site\", name, {}, opts)",
        "super(\"acme:index:Site\", name, {}, { ...opts, aliases: [{ type: \"acme:web:Site\" }] })",
    );
    assert!(run("index.ts", ts, &head).is_empty());
    let head = ts.replace("acme:net:prod", "acme:net:staging");
    assert!(run("index.ts", ts, &head).is_empty());
    let head = ts.replace("name, {}, opts", "name, { env: \"x\" }, opts");
    assert!(run("index.ts", ts, &head).is_empty());
}

#[test]
fn a_removal_policy_chosen_by_environment_is_unknown() {
    // The rule's own advice: DESTROY only for throwaway stacks, chosen by environment.
    let head = CDK_TS.replace(
        "new s3.Bucket(this, 'Uploads', { removalPolicy: RemovalPolicy.RETAIN })",
        "new s3.Bucket(this, 'Uploads', { removalPolicy: props.isProd ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY })",
    );
    assert!(run("lib/orders-stack.ts", CDK_TS, &head).is_empty());
    let head = GO_CDK.replace(
        "awscdk.RemovalPolicy_RETAIN,",
        "policy(awscdk.RemovalPolicy_DESTROY, awscdk.RemovalPolicy_RETAIN),",
    );
    assert!(run("data.go", GO_CDK, &head).is_empty());
    // DESTROY alone is still DESTROY.
    let head = CDK_TS.replace(
        "{ removalPolicy: RemovalPolicy.RETAIN }",
        "{ removalPolicy: RemovalPolicy.DESTROY }",
    );
    assert_eq!(
        ids(&run("lib/orders-stack.ts", CDK_TS, &head)),
        ["cdk/removal-policy-destroy"]
    );
}

#[test]
fn an_l1_construct_named_alone_is_found_through_its_import() {
    let cs = "using Amazon.CDK;\nusing Amazon.CDK.AWS.S3;\nusing Amazon.CDK.AWS.RDS;\n\npublic class Legacy : Stack\n{\n    public Legacy(Construct scope, string id) : base(scope, id)\n    {\n        new CfnDBInstance(this, \"Db\", new CfnDBInstanceProps\n        {\n            DbInstanceIdentifier = \"orders\",\n            DbInstanceClass = \"db.t3.micro\"\n        });\n    }\n}\n";
    let f = run("Legacy.cs", cs, &cs.replace("\"orders\"", "\"orders-v2\""));
    assert_eq!(ids(&f), ["cdk/replacement-property"]);
    assert_eq!(f[0].location.line, Some(11));
    assert_eq!(
        f[0].severity,
        Severity::Critical,
        "an RDS instance holds data"
    );
    assert!(run("Legacy.cs", cs, &cs.replace("db.t3.micro", "db.t3.large")).is_empty());

    let java = "package app;\n\nimport software.amazon.awscdk.Stack;\nimport software.amazon.awscdk.services.s3.CfnBucket;\n\npublic class Legacy extends Stack {\n    public Legacy(final Construct scope, final String id) {\n        super(scope, id);\n        CfnBucket.Builder.create(this, \"Logs\").bucketName(\"acme-logs\").build();\n    }\n}\n";
    let f = run(
        "Legacy.java",
        java,
        &java.replace("\"acme-logs\"", "\"acme-logs-2\""),
    );
    assert_eq!(ids(&f), ["cdk/replacement-property"]);

    let py = "from aws_cdk import Stack\nfrom aws_cdk.aws_s3 import CfnBucket\n\nclass Legacy(Stack):\n    def __init__(self, scope, id):\n        super().__init__(scope, id)\n        CfnBucket(self, \"Logs\", bucket_name=\"acme-logs\")\n";
    let f = run(
        "legacy.py",
        py,
        &py.replace("\"acme-logs\"", "\"acme-logs-2\""),
    );
    assert_eq!(ids(&f), ["cdk/replacement-property"]);

    let ts = "import { Stack } from 'aws-cdk-lib';\nimport { CfnBucket } from 'aws-cdk-lib/aws-s3';\n\nexport class Legacy extends Stack {\n  constructor(scope: Construct, id: string) {\n    super(scope, id);\n    new CfnBucket(this, 'Logs', { bucketName: 'acme-logs' });\n  }\n}\n";
    let f = run(
        "lib/legacy.ts",
        ts,
        &ts.replace("'acme-logs'", "'acme-logs-2'"),
    );
    assert_eq!(ids(&f), ["cdk/replacement-property"]);
}

#[test]
fn a_stack_given_another_literal_stack_name_is_a_new_stack() {
    let py = "import aws_cdk as cdk\nfrom stacks.data import DataStack\n\napp = cdk.App()\nDataStack(app, \"Data\", stack_name=\"shop-data\")\napp.synth()\n";
    let f = run(
        "app.py",
        py,
        &py.replace("\"shop-data\"", "\"shop-data-v2\""),
    );
    assert_eq!(ids(&f), ["cdk/construct-id-changed"]);
    assert!(
        f[0].message
            .contains("stackName `shop-data` to `shop-data-v2`"),
        "{}",
        f[0].message
    );
    let java = "import software.amazon.awscdk.App;\n\npublic class Main {\n    public static void main(String[] args) {\n        App app = new App();\n        new DataStack(app, \"Data\", StackProps.builder().stackName(\"shop-data\").build());\n    }\n}\n";
    let f = run(
        "Main.java",
        java,
        &java.replace("\"shop-data\"", "\"shop-data-2\""),
    );
    assert_eq!(ids(&f), ["cdk/construct-id-changed"]);
    // The id renamed with the old stack name pinned, or a name computed per stage: quiet.
    let pinned = py.replace("(app, \"Data\"", "(app, \"ShopData\"");
    assert!(run("app.py", py, &pinned).is_empty());
    let computed = py.replace("\"shop-data\"", "f\"shop-data-{stage}\"");
    assert!(run("app.py", py, &computed).is_empty());
}

#[test]
fn a_resource_with_a_computed_name_is_still_judged_on_its_parent_and_properties() {
    // The child of a component, named after it, loses its parent: a new URN.
    let head = PY_COMPONENT.replace(
        ",\n            opts=pulumi.ResourceOptions(parent=self))",
        ")",
    );
    let f = run("__main__.py", PY_COMPONENT, &head);
    assert_eq!(ids(&f), ["pulumi/renamed"]);
    assert_eq!(f[0].location.line, Some(7));
    // Its key changed: replaced, data and all.
    let head = PY_COMPONENT.replace("hash_key=\"id\"", "hash_key=\"pk\"");
    let f = run("__main__.py", PY_COMPONENT, &head);
    assert_eq!(ids(&f), ["pulumi/replacement-property"]);
    assert_eq!(f[0].severity, Severity::Critical);
    let ts = "import * as pulumi from \"@pulumi/pulumi\";\nimport * as aws from \"@pulumi/aws\";\n\nconst stack = pulumi.getStack();\nconst table = new aws.dynamodb.Table(`${stack}-orders`, { hashKey: \"id\" });\n";
    let f = run("index.ts", ts, &ts.replace("\"id\"", "\"pk\""));
    assert_eq!(ids(&f), ["pulumi/replacement-property"]);

    // The name expression itself changed, or removed: unknown, so quiet.
    let head = ts.replace("`${stack}-orders`", "`${stack}-orders-v2`");
    assert!(run("index.ts", ts, &head).is_empty());
    let head = ts.replace(
        "const table = new aws.dynamodb.Table(`${stack}-orders`, { hashKey: \"id\" });\n",
        "",
    );
    assert!(run("index.ts", ts, &head).is_empty());
    // A property updated in place: quiet.
    let head = ts.replace(
        "{ hashKey: \"id\" }",
        "{ hashKey: \"id\", tags: { team: \"shop\" } }",
    );
    assert!(run("index.ts", ts, &head).is_empty());
    // Two calls written alike are two resources: one of them dropped is no property change.
    let helpers = "import * as aws from \"@pulumi/aws\";\n\nfunction orders(name: string) {\n    return new aws.dynamodb.Table(name, { hashKey: \"id\" });\n}\nfunction sessions(name: string) {\n    return new aws.dynamodb.Table(name, { hashKey: \"sid\" });\n}\n";
    let head = helpers.replace("function orders(name: string) {\n    return new aws.dynamodb.Table(name, { hashKey: \"id\" });\n}\n", "");
    assert!(run("index.ts", helpers, &head).is_empty());
}

#[test]
fn a_pulumi_type_named_alone_holds_data_by_the_module_it_is_imported_from() {
    let java = "package app;\n\nimport com.pulumi.Pulumi;\nimport com.pulumi.aws.rds.Instance;\nimport com.pulumi.aws.rds.InstanceArgs;\n\npublic class App {\n    public static void main(String[] args) {\n        Pulumi.run(ctx -> {\n            var db = new Instance(\"db\", InstanceArgs.builder().engine(\"postgres\").build());\n        });\n    }\n}\n";
    let head = java.replace("            var db = new Instance(\"db\", InstanceArgs.builder().engine(\"postgres\").build());\n", "");
    let f = run("App.java", java, &head);
    assert_eq!(ids(&f), ["pulumi/resource-removed"]);
    assert_eq!(f[0].severity, Severity::Critical);
    let cs = "using Pulumi;\nusing Pulumi.Aws.Rds;\n\nreturn await Deployment.RunAsync(() =>\n{\n    var db = new Instance(\"db\", new InstanceArgs { Engine = \"postgres\" });\n});\n";
    let head = cs.replace(
        "    var db = new Instance(\"db\", new InstanceArgs { Engine = \"postgres\" });\n",
        "",
    );
    assert_eq!(run("Program.cs", cs, &head)[0].severity, Severity::Critical);
    // An EC2 instance holds no data a delete loses.
    let ec2 = java
        .replace("aws.rds.Instance", "aws.ec2.Instance")
        .replace("aws.rds.InstanceArgs", "aws.ec2.InstanceArgs")
        .replace("engine(\"postgres\")", "ami(\"ami-1\")");
    let head = ec2.replace("            var db = new Instance(\"db\", InstanceArgs.builder().ami(\"ami-1\").build());\n", "");
    assert_eq!(run("App.java", &ec2, &head)[0].severity, Severity::Medium);
}
