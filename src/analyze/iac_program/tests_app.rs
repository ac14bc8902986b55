//! SST v3 and Amplify Gen 2 apps, as a reviewer would see their diffs.

use super::analyze;
use crate::analyze::files::testkit::{ids, Case};
use crate::finding::{Finding, Severity};

fn run(path: &str, base: &str, head: &str) -> Vec<Finding> {
    Case::modified(path, base, head).run(analyze)
}

const SST: &str = r#"/// <reference path="./.sst/platform/config.d.ts" />
export default $config({
  app(input) {
    return {
      name: "shop",
      removal: input?.stage === "production" ? "retain" : "remove",
      protect: ["production"].includes(input?.stage),
      home: "aws",
      providers: { aws: { region: "us-east-1" } },
    };
  },
  async run() {
    const table = new sst.aws.Dynamo("Orders", {
      fields: { pk: "string" },
      primaryIndex: { hashKey: "pk" },
    });
    const db = new sst.aws.Postgres("Database", { vpc });
    const bucket = new sst.aws.Bucket("Uploads", {
      transform: { bucket: { forceDestroy: false } },
    });
    new sst.aws.Function("Api", { handler: "src/api.handler", link: [table, db], memory: "512 MB" });
  },
});
"#;

fn sst(from: &str, to: &str) -> Vec<Finding> {
    assert!(SST.contains(from), "{from}");
    run("sst.config.ts", SST, &SST.replace(from, to))
}

#[test]
fn sst_database_removed_from_run_is_deleted_with_its_data_even_where_removal_retains() {
    let f = sst(
        "    const db = new sst.aws.Postgres(\"Database\", { vpc });\n",
        "",
    );
    assert_eq!(ids(&f), ["pulumi/resource-removed"]);
    assert_eq!(f[0].severity, Severity::Critical);
    assert!(f[0].message.contains("`sst deploy`"), "{}", f[0].message);
}

#[test]
fn sst_table_removed_survives_only_where_the_stage_retains_it() {
    let f = sst(
        "    const table = new sst.aws.Dynamo(\"Orders\", {\n      fields: { pk: \"string\" },\n      primaryIndex: { hashKey: \"pk\" },\n    });\n",
        "",
    );
    assert_eq!(ids(&f), ["pulumi/resource-removed"]);
    assert_eq!(f[0].severity, Severity::High);
    assert!(
        f[0].message.contains("depends on the stage"),
        "{}",
        f[0].message
    );
}

#[test]
fn sst_component_renamed_is_replaced_unless_aliased() {
    let f = sst("Dynamo(\"Orders\"", "Dynamo(\"OrdersTable\"");
    assert_eq!(ids(&f), ["pulumi/renamed"]);
    assert!(f[0].message.contains("aliases: [{ name: \"Orders\" }]"));
    let aliased = sst(
        "new sst.aws.Postgres(\"Database\", { vpc })",
        "new sst.aws.Postgres(\"MainDb\", { vpc }, { aliases: [{ name: \"Database\" }] })",
    );
    assert!(aliased.is_empty(), "{aliased:?}");
}

#[test]
fn sst_removal_losing_its_production_retain_is_protection_removed() {
    let f = sst(
        "input?.stage === \"production\" ? \"retain\" : \"remove\"",
        "\"remove\"",
    );
    assert_eq!(ids(&f), ["pulumi/protection-removed"]);
    assert_eq!(f[0].severity, Severity::High);
    // Unset is SST's default, `retain`: dropping a conditional policy weakens nothing.
    let unset = sst(
        "      removal: input?.stage === \"production\" ? \"retain\" : \"remove\",\n",
        "",
    );
    assert!(unset.is_empty(), "{unset:?}");
}

#[test]
fn sst_protect_dropped_is_protection_removed() {
    let f = sst(
        "      protect: [\"production\"].includes(input?.stage),\n",
        "",
    );
    assert_eq!(ids(&f), ["pulumi/protection-removed"]);
}

#[test]
fn sst_home_and_region_moves_recreate_the_stage() {
    assert_eq!(
        ids(&sst("home: \"aws\"", "home: \"cloudflare\"")),
        ["pulumi/stack-region-changed"]
    );
    assert_eq!(
        ids(&sst("\"us-east-1\"", "\"eu-west-1\"")),
        ["pulumi/stack-region-changed"]
    );
    assert_eq!(
        ids(&sst("name: \"shop\"", "name: \"shop-v2\"")),
        ["pulumi/renamed"]
    );
}

#[test]
fn sst_dynamo_key_changed_replaces_the_table() {
    let f = sst("hashKey: \"pk\"", "hashKey: \"id\"");
    assert_eq!(ids(&f), ["pulumi/replacement-property"]);
}

#[test]
fn sst_transform_force_destroy_is_protection_weakened() {
    let f = sst("forceDestroy: false", "forceDestroy: true");
    assert_eq!(ids(&f), ["pulumi/protection-weakened"]);
}

#[test]
fn sst_settings_that_cannot_be_read_need_a_human() {
    let f = sst("  app(input) {\n    return {", "  app: settings({");
    assert!(ids(&f).contains(&"sst/unparseable"), "{:?}", ids(&f));
}

#[test]
fn sst_everyday_edits_are_quiet() {
    for (from, to) in [
        ("src/api.handler", "src/http.main"),
        ("\"512 MB\"", "\"1024 MB\""),
        ("link: [table, db]", "link: [table, db, bucket]"),
        ("  async run() {", "  console: { autodeploy: { runner: { engine: \"codebuild\" } } },\n  async run() {"),
        ("    const bucket", "    // uploads from the web app\n    const bucket"),
        ("primaryIndex: { hashKey: \"pk\" },", "primaryIndex: { hashKey: \"pk\" },\n      globalIndexes: { ByStatus: { hashKey: \"status\" } },"),
        ("    new sst.aws.Function", "    new sst.aws.Queue(\"Jobs\");\n    new sst.aws.Function"),
    ] {
        let f = sst(from, to);
        assert!(f.is_empty(), "{to}: {f:?}");
    }
}

const DATA: &str = r#"import { type ClientSchema, a, defineData } from "@aws-amplify/backend";

const schema = a.schema({
  Todo: a
    .model({ content: a.string(), done: a.boolean() })
    .authorization((allow) => [allow.owner()]),
  Order: a
    .model({ orderId: a.id().required(), total: a.float() })
    .identifier(["orderId"])
    .authorization((allow) => [allow.authenticated()]),
  Address: a.customType({ street: a.string() }),
});

export type Schema = ClientSchema<typeof schema>;
export const data = defineData({ schema });
"#;

fn data(from: &str, to: &str) -> Vec<Finding> {
    assert!(DATA.contains(from), "{from}");
    run("amplify/data/resource.ts", DATA, &DATA.replace(from, to))
}

#[test]
fn amplify_model_removed_deletes_its_table() {
    let f = data(
        "  Todo: a\n    .model({ content: a.string(), done: a.boolean() })\n    .authorization((allow) => [allow.owner()]),\n",
        "",
    );
    assert_eq!(ids(&f), ["cdk/construct-removed"]);
    assert_eq!(f[0].severity, Severity::Critical);
    assert!(f[0].message.contains("Model `Todo`"), "{}", f[0].message);
}

#[test]
fn amplify_model_renamed_is_a_new_empty_table() {
    let f = data("  Todo: a", "  Task: a");
    assert_eq!(ids(&f), ["cdk/construct-id-changed"]);
}

#[test]
fn amplify_identifier_changed_replaces_the_table() {
    let f = data(
        ".identifier([\"orderId\"])",
        ".identifier([\"total\", \"orderId\"])",
    );
    assert_eq!(ids(&f), ["cdk/replacement-property"]);
}

#[test]
fn amplify_schema_that_cannot_be_read_needs_a_human() {
    let f = data("const schema = a.schema({", "const schema = build({");
    assert_eq!(ids(&f), ["amplify/unparseable"]);
}

#[test]
fn amplify_schema_edits_that_keep_every_table_are_quiet() {
    for (from, to) in [
        ("done: a.boolean() }", "done: a.boolean(), due: a.date() }"),
        ("done: a.boolean() }", "}"),
        ("  Address: a.customType({ street: a.string() }),\n", ""),
        (
            "[allow.owner()]",
            "[allow.owner(), allow.groups([\"admins\"])]",
        ),
        (
            "    .identifier([\"orderId\"])",
            "    .identifier([\"orderId\"])\n    .secondaryIndexes((index) => [index(\"total\")])",
        ),
        (
            "  Address:",
            "  Invoice: a.model({ amount: a.float() }),\n  Address:",
        ),
    ] {
        let f = data(from, to);
        assert!(f.is_empty(), "{to}: {f:?}");
    }
}

const AUTH: &str = r#"import { defineAuth } from "@aws-amplify/backend";

export const auth = defineAuth({
  loginWith: { email: true },
  userAttributes: {
    givenName: { required: false, mutable: true },
  },
});
"#;

fn auth(from: &str, to: &str) -> Vec<Finding> {
    assert!(AUTH.contains(from), "{from}");
    run("amplify/auth/resource.ts", AUTH, &AUTH.replace(from, to))
}

#[test]
fn amplify_sign_in_and_attribute_changes_replace_the_user_pool() {
    for (from, to) in [
        ("{ email: true }", "{ phone: true }"),
        ("{ email: true }", "{ email: true, phone: true }"),
        ("required: false", "required: true"),
        ("mutable: true", "mutable: false"),
        (
            "    givenName:",
            "    familyName: { required: true },\n    givenName:",
        ),
    ] {
        let f = auth(from, to);
        assert_eq!(ids(&f), ["cdk/replacement-property"], "{to}");
        assert_eq!(f[0].severity, Severity::Critical);
    }
}

#[test]
fn amplify_auth_edits_the_pool_can_take_are_quiet() {
    for (from, to) in [
        (
            "{ email: true }",
            "{ email: { verificationEmailSubject: \"Welcome\" } }",
        ),
        (
            "    givenName:",
            "    nickname: { required: false },\n    givenName:",
        ),
        ("});", "  groups: [\"ADMINS\"],\n});"),
    ] {
        let f = auth(from, to);
        assert!(f.is_empty(), "{to}: {f:?}");
    }
}

const STORAGE: &str = r#"import { defineStorage } from "@aws-amplify/backend";

export const storage = defineStorage({
  name: "photos",
  removalPolicy: "retain",
  access: (allow) => ({ "media/*": [allow.authenticated.to(["read"])] }),
});
"#;

#[test]
fn amplify_storage_renamed_or_unretained_loses_the_bucket() {
    let path = "amplify/storage/resource.ts";
    let renamed = run(path, STORAGE, &STORAGE.replace("\"photos\"", "\"media\""));
    assert_eq!(ids(&renamed), ["cdk/construct-id-changed"]);
    assert_eq!(renamed[0].severity, Severity::High);
    let unretained = run(
        path,
        STORAGE,
        &STORAGE.replace("  removalPolicy: \"retain\",\n", ""),
    );
    assert_eq!(ids(&unretained), ["cdk/removal-policy-destroy"]);
    // Without `retain`, Amplify's default `destroy` empties the old bucket: critical.
    let base = STORAGE.replace("  removalPolicy: \"retain\",\n", "");
    let f = run(path, &base, &base.replace("\"photos\"", "\"media\""));
    assert_eq!(f[0].severity, Severity::Critical);
    let quiet = run(
        path,
        STORAGE,
        &STORAGE.replace("[\"read\"]", "[\"read\", \"write\"]"),
    );
    assert!(quiet.is_empty(), "{quiet:?}");
}

const BACKEND: &str = r#"import { defineBackend } from "@aws-amplify/backend";
import { auth } from "./auth/resource";
import { storage } from "./storage/resource";
import { sayHello } from "./functions/say-hello/resource";

const backend = defineBackend({
  auth,
  storage,
  sayHello,
});
const { cfnUserPool } = backend.auth.resources.cfnResources;
cfnUserPool.deletionProtection = "ACTIVE";
"#;

#[test]
fn amplify_backend_dropping_storage_deletes_the_bucket_and_a_function_is_quiet() {
    let path = "amplify/backend.ts";
    let f = run(path, BACKEND, &BACKEND.replace("  storage,\n", ""));
    assert_eq!(ids(&f), ["cdk/construct-removed"]);
    assert_eq!(f[0].severity, Severity::Critical);
    let quiet = run(path, BACKEND, &BACKEND.replace("  sayHello,\n", ""));
    assert!(quiet.is_empty(), "{quiet:?}");
}

#[test]
fn amplify_user_pool_deletion_protection_inactive_is_weakened() {
    let f = run(
        "amplify/backend.ts",
        &format!("import {{ Stack }} from \"aws-cdk-lib\";\n{BACKEND}"),
        &format!(
            "import {{ Stack }} from \"aws-cdk-lib\";\n{}",
            BACKEND.replace("\"ACTIVE\"", "\"INACTIVE\"")
        ),
    );
    assert_eq!(ids(&f), ["cdk/protection-weakened"]);
}

#[test]
fn sst_region_no_longer_pinned_may_move_the_stage() {
    let f = sst("      providers: { aws: { region: \"us-east-1\" } },\n", "");
    assert_eq!(ids(&f), ["pulumi/stack-region-changed"]);
    assert_eq!(f[0].severity, Severity::Medium);
}

const COMBINED: &str = r#"import { a, defineData } from "@aws-amplify/backend";
const catalog = a.schema({ Product: a.model({ title: a.string() }) });
const orders = a.schema({
  Order: a.model({ total: a.float() }),
  Refund: a.model({ amount: a.float() }),
});
export const data = defineData({ schema: a.combine([catalog, orders]) });
"#;

#[test]
fn amplify_combined_schemas_are_all_read() {
    let path = "amplify/data/resource.ts";
    let refund = "  Refund: a.model({ amount: a.float() }),\n";
    let f = run(path, COMBINED, &COMBINED.replace(refund, ""));
    assert_eq!(ids(&f), ["cdk/construct-removed"]);
    // Moved from one schema to the other, it is still a model of the app.
    let moved = COMBINED.replace(refund, "").replace(
        "a.schema({ Product",
        "a.schema({ Refund: a.model({ amount: a.float() }), Product",
    );
    assert!(run(path, COMBINED, &moved).is_empty());
}

#[test]
fn amplify_backend_entry_given_another_key_is_quiet() {
    let f = run(
        "amplify/backend.ts",
        BACKEND,
        &BACKEND.replace("  storage,\n", "  photos: storage,\n"),
    );
    assert!(f.is_empty(), "{f:?}");
}
