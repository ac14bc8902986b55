use super::super::super::files::testkit::{ids, Case};
use super::*;
use crate::analyze::{analyze_file, FileKind};

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

/// A service with functions, a table, a bucket and an override of a generated log group.
const SERVICE: &str = "\
service: shop
frameworkVersion: '3'

provider:
  name: aws
  runtime: nodejs20.x
  stage: ${opt:stage, 'dev'}
  environment:
    ORDERS: ${self:custom.ordersTable}

custom:
  ordersTable: orders-${sls:stage}   # the table's physical name

functions:
  createOrder:
    handler: src/orders.create
    events:
      - httpApi: POST /orders
  nightlyReport:
    handler: src/report.run
    events:
      - schedule: rate(1 day)
      - schedule: cron(0 12 * * ? *)

resources:
  Resources:
    Orders:
      Type: AWS::DynamoDB::Table
      DeletionPolicy: Retain
      Properties:
        TableName: ${self:custom.ordersTable}
        BillingMode: PAY_PER_REQUEST
        KeySchema:
          - AttributeName: id
            KeyType: HASH
        AttributeDefinitions:
          - AttributeName: id
            AttributeType: S
        DeletionProtectionEnabled: true
    Uploads:
      Type: AWS::S3::Bucket
      Properties:
        VersioningConfiguration:
          Status: Enabled
    NightlyReportLogGroup:
      DeletionPolicy: Retain
      Properties:
        RetentionInDays: 30
  Outputs:
    OrdersTable:
      Value: !Ref Orders
";

const PATH: &str = "services/shop/serverless.yml";

fn modified(head: &str) -> Vec<Finding> {
    run(Case::modified(PATH, SERVICE, head))
}

/// SERVICE without the lines from `start` up to `next`.
fn without(start: &str, next: &str) -> String {
    let from = SERVICE.find(start).expect("start");
    let to = SERVICE.find(next).expect("next");
    format!("{}{}", &SERVICE[..from], &SERVICE[to..])
}

// --- resources: the CloudFormation checks ------------------------------------------------

#[test]
fn removing_a_bucket_from_resources_is_resource_removed_at_its_lines() {
    let f = modified(&without("    Uploads:\n", "    NightlyReportLogGroup:\n"));
    assert_eq!(ids(&f), ["cloudformation/resource-removed"]);
    assert_eq!(f[0].severity, Severity::Critical);
    assert_eq!(f[0].location.side, Side::Base);
    assert_eq!(
        (f[0].location.line, f[0].location.end_line),
        (
            Some(line_of(SERVICE, "Type: AWS::S3::Bucket")),
            Some(line_of(SERVICE, "Status: Enabled"))
        )
    );
    let m = &f[0].message;
    assert!(
        m.contains("AWS::S3::Bucket Uploads is removed from services/shop/serverless.yml"),
        "{m}"
    );
    assert!(m.contains("the next `serverless deploy` deletes it"), "{m}");
}

#[test]
fn removing_a_retained_table_orphans_it() {
    let f = modified(&without("    Orders:\n", "    Uploads:\n"));
    assert_eq!(ids(&f), ["cloudformation/resource-removed"]);
    assert_eq!(f[0].severity, Severity::Medium);
    assert!(f[0].message.contains("orphaned"), "{}", f[0].message);
}

#[test]
fn a_new_logical_id_is_logical_id_changed_with_advice_for_a_service() {
    let head = SERVICE.replace("    Uploads:\n", "    UploadsBucket:\n");
    let f = modified(&head);
    assert_eq!(ids(&f), ["cloudformation/logical-id-changed"]);
    assert_eq!(
        f[0].location.line,
        Some(line_of(&head, "Type: AWS::S3::Bucket"))
    );
    let safer = f[0].safer.as_deref().unwrap_or("");
    assert!(safer.contains("under `resources.Resources`"), "{safer}");
    assert!(!safer.contains("CDK"), "{safer}");
}

#[test]
fn changing_the_table_name_replaces_the_table() {
    let head = SERVICE.replace(
        "TableName: ${self:custom.ordersTable}",
        "TableName: ${self:custom.ordersTable}-v2",
    );
    let f = modified(&head);
    assert_eq!(ids(&f), ["cloudformation/replacement-property"]);
    assert_eq!(f[0].severity, Severity::Critical);
    assert_eq!(f[0].location.line, Some(line_of(&head, "TableName:")));
}

#[test]
fn weakening_a_deletion_policy_names_what_now_deletes_it() {
    let head = SERVICE.replacen("DeletionPolicy: Retain", "DeletionPolicy: Delete", 1);
    let f = modified(&head);
    assert_eq!(ids(&f), ["cloudformation/retain-policy-weakened"]);
    assert_eq!(f[0].severity, Severity::High);
    assert_eq!(f[0].location.line, Some(line_of(SERVICE, "DeletionPolicy")));
    assert!(
        f[0].message
            .contains("removing it from `resources`, or `serverless remove`, now deletes it"),
        "{}",
        f[0].message
    );
}

#[test]
fn turning_off_deletion_protection_is_protection_disabled() {
    let head = SERVICE.replace(
        "DeletionProtectionEnabled: true",
        "DeletionProtectionEnabled: false",
    );
    let f = modified(&head);
    assert_eq!(ids(&f), ["cloudformation/protection-disabled"]);
    assert_eq!(f[0].severity, Severity::High);
    assert_eq!(
        f[0].location.line,
        Some(line_of(SERVICE, "DeletionProtectionEnabled"))
    );
}

const FRAGMENTS: &str = "\
service: shop
provider:
  name: aws
resources:
  - ${file(resources/queues.yml)}
  - Resources:
      Orders:
        Type: AWS::DynamoDB::Table
        Properties:
          BillingMode: PAY_PER_REQUEST
  - Resources:
      Events:
        Type: AWS::SQS::Queue
  - Outputs:
      OrdersTable:
        Value: !Ref Orders
";

#[test]
fn resources_written_as_a_list_of_fragments_are_compared_too() {
    let head = FRAGMENTS.replace(
        "  - Resources:\n      Events:\n        Type: AWS::SQS::Queue\n",
        "",
    );
    let f = run(Case::modified(PATH, FRAGMENTS, &head));
    assert_eq!(ids(&f), ["cloudformation/resource-removed"]);
    assert!(f[0].message.contains("AWS::SQS::Queue Events"));
    assert_eq!(
        f[0].location.line,
        Some(line_of(FRAGMENTS, "Type: AWS::SQS::Queue"))
    );
    // Moving a resource from one fragment to another removes nothing.
    let moved = FRAGMENTS.replace(
        "        Type: AWS::DynamoDB::Table\n        Properties:\n          BillingMode: PAY_PER_REQUEST\n  - Resources:\n",
        "        Type: AWS::DynamoDB::Table\n        Properties:\n          BillingMode: PAY_PER_REQUEST\n",
    );
    assert_ne!(moved, FRAGMENTS);
    assert_eq!(
        ids(&run(Case::modified(PATH, FRAGMENTS, &moved))),
        [] as [&str; 0]
    );
}

#[test]
fn a_resource_moved_to_an_included_file_is_quiet_and_one_twokey_cannot_read_is_reported() {
    let head = FRAGMENTS.replace(
        "  - Resources:\n      Events:\n        Type: AWS::SQS::Queue\n",
        "  - ${file(./resources/events.yml):Fragment}\n",
    );
    let events = "Fragment:\n  Resources:\n    Events:\n      Type: AWS::SQS::Queue\n";
    let with_file = Case::modified(PATH, FRAGMENTS, &head).with_file(
        Side::Head,
        "services/shop/resources/events.yml",
        events,
    );
    assert_eq!(ids(&run(with_file)), [] as [&str; 0]);
    // Not there (or under another type): it is gone.
    let other = events.replace("AWS::SQS::Queue", "AWS::SNS::Topic");
    let wrong_type = Case::modified(PATH, FRAGMENTS, &head).with_file(
        Side::Head,
        "services/shop/resources/events.yml",
        &other,
    );
    assert_eq!(ids(&run(wrong_type)), ["cloudformation/resource-removed"]);
    let missing = Case::modified(PATH, FRAGMENTS, &head);
    assert_eq!(ids(&run(missing)), ["cloudformation/resource-removed"]);
}

#[test]
fn removing_an_override_of_a_generated_resource_deletes_nothing_unless_it_kept_it() {
    let plain = SERVICE.replace(
        "    NightlyReportLogGroup:\n      DeletionPolicy: Retain\n",
        "    NightlyReportLogGroup:\n",
    );
    let gone = |base: &str| {
        let head = base.replace(
            &base[base.find("    NightlyReportLogGroup:").expect("override")
                ..base.find("  Outputs:").expect("outputs")],
            "",
        );
        run(Case::modified(PATH, base, &head))
    };
    assert_eq!(ids(&gone(&plain)), [] as [&str; 0]);
    let f = gone(SERVICE);
    assert_eq!(ids(&f), ["cloudformation/retain-policy-weakened"]);
    assert_eq!(f[0].severity, Severity::Medium);
    assert_eq!(f[0].location.side, Side::Base);
    assert_eq!(
        f[0].location.line,
        Some(line_of(SERVICE, "RetentionInDays") - 2)
    );
    assert!(
        f[0].message.contains("override of NightlyReportLogGroup"),
        "{}",
        f[0].message
    );
}

// --- functions -----------------------------------------------------------------------------

#[test]
fn removing_a_function_deletes_its_lambda_and_log_group_and_is_medium() {
    let f = modified(&without("  nightlyReport:\n", "\nresources:\n"));
    assert_eq!(ids(&f), ["serverless/function-removed"]);
    assert_eq!(f[0].severity, Severity::Medium);
    assert_eq!(f[0].tags, [Tag::Destructive, Tag::Infra]);
    assert_eq!(f[0].location.side, Side::Base);
    assert_eq!(
        (f[0].location.line, f[0].location.end_line),
        (
            Some(line_of(SERVICE, "handler: src/report.run")),
            Some(line_of(SERVICE, "cron(0 12"))
        )
    );
    let m = &f[0].message;
    assert!(m.contains("Function nightlyReport is removed from"), "{m}");
    assert!(
        m.contains("/aws/lambda/shop-<stage>-nightlyReport with every log in it"),
        "{m}"
    );
    assert!(m.contains("its events (schedule)"), "{m}");
}

#[test]
fn a_function_under_a_new_key_with_the_same_handler_is_one_rename() {
    let head = SERVICE.replace("  nightlyReport:\n", "  dailyReport:\n");
    let f = modified(&head);
    assert_eq!(ids(&f), ["serverless/function-removed"]);
    assert_eq!(f[0].location.side, Side::Head);
    assert_eq!(
        f[0].location.line,
        Some(line_of(&head, "handler: src/report.run"))
    );
    assert!(
        f[0].message
            .contains("Function nightlyReport is now dailyReport"),
        "{}",
        f[0].message
    );
    assert!(f[0]
        .safer
        .as_deref()
        .unwrap_or("")
        .contains("Keep the key nightlyReport"));
}

#[test]
fn a_function_moved_to_an_included_file_is_quiet() {
    let base = "service: shop\nfunctions:\n  - ping:\n      handler: ping.handler\n  - ${file(fns/a.yml)}\n";
    let head = "service: shop\nfunctions:\n  - ${file(fns/a.yml)}\n  - ${file(fns/b.yml)}\n";
    let case = Case::modified("serverless.yml", base, head).with_file(
        Side::Head,
        "fns/b.yml",
        "ping:\n  handler: ping.handler\n",
    );
    assert_eq!(ids(&run(case)), [] as [&str; 0]);
    let unread = Case::modified("serverless.yml", base, head);
    assert_eq!(ids(&run(unread)), ["serverless/function-removed"]);
}

#[test]
fn editing_a_function_or_adding_one_is_quiet() {
    let head = SERVICE
        .replace("handler: src/report.run", "handler: src/report.main")
        .replace(
            "functions:\n",
            "functions:\n  refund:\n    handler: src/orders.refund\n",
        );
    assert_eq!(ids(&modified(&head)), [] as [&str; 0]);
}

// --- the stack -----------------------------------------------------------------------------

#[test]
fn renaming_the_service_moves_it_to_a_new_stack() {
    let head = SERVICE.replace("service: shop", "service: shop-api");
    let f = modified(&head);
    assert_eq!(ids(&f), ["serverless/stack-renamed"]);
    assert_eq!(f[0].severity, Severity::High);
    assert_eq!(f[0].location.line, Some(1));
    let m = &f[0].message;
    assert!(
        m.contains("from shop-${sls:stage} to shop-api-${sls:stage}"),
        "{m}"
    );
    let pinned = head.replace(
        "  name: aws\n",
        "  name: aws\n  stackName: shop-${sls:stage}\n",
    );
    assert_eq!(ids(&modified(&pinned)), [] as [&str; 0]);
}

#[test]
fn a_stack_name_changes_unless_it_is_written_as_the_default() {
    let with = |name: &str| {
        SERVICE.replace(
            "  name: aws\n",
            &format!("  name: aws\n  stackName: {name}\n"),
        )
    };
    assert_eq!(
        ids(&modified(&with("${self:service}-${opt:stage}"))),
        [] as [&str; 0]
    );
    let f = modified(&with("shop-prod"));
    assert_eq!(ids(&f), ["serverless/stack-renamed"]);
    assert_eq!(
        f[0].location.line,
        Some(line_of(&with("shop-prod"), "stackName"))
    );
}

// --- what stays quiet ----------------------------------------------------------------------

#[test]
fn comments_reordering_variables_and_custom_edits_are_quiet() {
    let commented = SERVICE
        .replace(
            "service: shop\n",
            "# the shop service\nservice: shop   # stack name\n",
        )
        .replace(
            "    Orders:\n",
            "    # orders, one per checkout\n    Orders:\n",
        );
    assert_eq!(ids(&modified(&commented)), [] as [&str; 0]);
    // Sections and resources in another order.
    let reordered = format!(
        "{}{}",
        &SERVICE[SERVICE.find("resources:").expect("resources")..],
        &SERVICE[..SERVICE.find("resources:").expect("resources")]
    );
    assert_eq!(ids(&modified(&reordered)), [] as [&str; 0]);
    let swapped = SERVICE
        .replace("    Uploads:\n", "    Tmp:\n")
        .replace("    Orders:\n", "    Uploads:\n")
        .replace("    Tmp:\n", "    Orders:\n");
    assert_eq!(ids(&modified(&swapped)), ["cloudformation/type-changed"; 2]);
    let custom = SERVICE.replace("runtime: nodejs20.x", "runtime: nodejs22.x");
    assert_eq!(ids(&modified(&custom)), [] as [&str; 0]);
}

#[test]
fn adding_a_resource_or_a_whole_service_is_quiet() {
    let head = SERVICE.replace(
        "  Outputs:\n",
        "    Audit:\n      Type: AWS::DynamoDB::Table\n  Outputs:\n",
    );
    assert_eq!(ids(&modified(&head)), [] as [&str; 0]);
    assert_eq!(ids(&run(Case::added(PATH, SERVICE))), [] as [&str; 0]);
}

#[test]
fn a_serverless_yml_that_is_not_a_service_is_left_alone_but_must_parse() {
    let base = SERVICE.replace("service: shop\n", "");
    let head =
        without("    Uploads:\n", "    NightlyReportLogGroup:\n").replace("service: shop\n", "");
    assert_eq!(
        ids(&run(Case::modified(PATH, &base, &head))),
        [] as [&str; 0]
    );
    let broken = run(Case::modified(PATH, &base, "resources: [\n"));
    assert_eq!(ids(&broken), ["serverless/unparseable"]);
}

// --- what cannot be read, and deleted files ------------------------------------------------

#[test]
fn a_service_that_does_not_parse_is_unparseable_with_a_line() {
    let head = SERVICE.replace(
        "      Properties:\n        VersioningConfiguration",
        "     Properties:\n        VersioningConfiguration",
    );
    let f = modified(&head);
    assert_eq!(ids(&f), ["serverless/unparseable"]);
    assert_eq!(f[0].location.side, Side::Head);
    assert!(f[0].location.line.is_some());
    assert!(f[0].message.contains("a human must review it"));
    let not_a_map = run(Case::modified(PATH, SERVICE, "- service\n"));
    assert_eq!(ids(&not_a_map), ["serverless/unparseable"]);
    assert!(not_a_map[0].message.contains("not a mapping"));
}

#[test]
fn deleting_a_service_reports_each_resource_and_function_and_not_the_file() {
    let f = Case::deleted(PATH, SERVICE).run(analyze_file);
    let mut found = ids(&f);
    found.sort_unstable();
    assert_eq!(
        found,
        [
            "cloudformation/resource-removed",
            "cloudformation/resource-removed",
            "serverless/function-removed",
            "serverless/function-removed"
        ]
    );
    assert!(f.iter().all(|x| x.location.side == Side::Base));
    assert!(f
        .iter()
        .all(|x| x.message.contains("goes with the deleted service file")));
    // Not a service: the file's deletion is what there is to say.
    let other = SERVICE.replace("service: shop\n", "");
    let f = Case::deleted(PATH, &other).run(analyze_file);
    assert_eq!(ids(&f), ["git/infra-file-deleted"]);
    assert!(f[0].message.contains("(serverless)"), "{}", f[0].message);
}

#[test]
fn every_serverless_file_name_is_dispatched_here() {
    for path in ["serverless.yml", "api/serverless.yaml", "serverless.json"] {
        let case = Case::modified(path, SERVICE, "service: [\n");
        assert_eq!(case.kind(), FileKind::Serverless, "{path}");
        assert_eq!(ids(&case.run(analyze_file)), ["serverless/unparseable"]);
    }
}

// --- never a panic, and a broken side is always said ---------------------------------------

/// SERVICE with line `at` dropped (`drop`) or `c` inserted at byte `at`.
fn mutate(at: usize, drop: bool, c: char) -> String {
    if drop {
        let i = at % SERVICE.lines().count();
        return SERVICE
            .lines()
            .enumerate()
            .filter(|(j, _)| *j != i)
            .map(|(_, l)| format!("{l}\n"))
            .collect();
    }
    let mut s = SERVICE.to_owned();
    let mut pos = at % (s.len() + 1);
    while !s.is_char_boundary(pos) {
        pos -= 1;
    }
    s.insert(pos, c);
    s
}

proptest::proptest! {
    #[test]
    fn mutated_services_never_panic_and_a_broken_head_is_unparseable(
        at in 0usize..2000,
        drop in proptest::prelude::any::<bool>(),
        c in proptest::sample::select(vec![':', '{', '[', '!', ' ', '\t', '-', '"', 'x', '\n', '#', '&', '*']),
    ) {
        let head = mutate(at, drop, c);
        let f = run(Case::modified(PATH, SERVICE, &head));
        let broken = read(&head).is_err();
        let reported = f.iter().any(|x| x.rule == UNPARSEABLE.id);
        proptest::prop_assert_eq!(broken, reported, "{:?}", f);
        // Whatever parses is compared, and compared with itself says nothing.
        let unchanged = run(Case::modified(PATH, &head, &head));
        proptest::prop_assert_eq!(unchanged.is_empty(), !broken, "{:?}", unchanged);
    }
}

#[test]
fn a_new_default_stage_or_region_builds_a_new_stack() {
    let head = SERVICE.replace(
        "stage: ${opt:stage, 'dev'}",
        "stage: ${opt:stage, 'staging'}",
    );
    let f = modified(&head);
    assert_eq!(ids(&f), ["serverless/stack-renamed"]);
    assert_eq!(f[0].location.line, Some(line_of(&head, "stage:")));
    assert!(
        f[0].message.contains("from dev to staging")
            && f[0].message.contains("shop-staging instead of shop-dev"),
        "{}",
        f[0].message
    );
    let placed = SERVICE.replace("  runtime:", "  region: us-east-1\n  runtime:");
    let f = run(Case::modified(
        PATH,
        &placed,
        &placed.replace("us-east-1", "eu-west-1"),
    ));
    assert_eq!(ids(&f), ["serverless/stack-renamed"]);
    assert!(
        f[0].message.contains("in eu-west-1 instead of us-east-1"),
        "{}",
        f[0].message
    );
    // The same default written another way, a stage only ever given on the command line,
    // or one computed, say nothing.
    for quiet in [
        SERVICE.replace("stage: ${opt:stage, 'dev'}", "stage: ${opt:stage, \"dev\"}"),
        SERVICE.replace("stage: ${opt:stage, 'dev'}", "stage: ${opt:stage}"),
        SERVICE.replace("stage: ${opt:stage, 'dev'}", "stage: ${env:STAGE}"),
    ] {
        assert!(modified(&quiet).is_empty(), "{quiet}");
    }
}
