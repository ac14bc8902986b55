use super::analyze;
use crate::analyze::files::testkit::{ids, Case};
use crate::analyze::FileKind;
use crate::change::Side;
use crate::finding::{Finding, Severity};

const PG: &str = "\
services:
  web:
    image: ghcr.io/acme/web:1.4.2
    depends_on: [db]
  db:
    image: postgres:16-alpine
    volumes:
      - pgdata:/var/lib/postgresql/data
      - ./init.sql:/docker-entrypoint-initdb.d/init.sql:ro
volumes:
  pgdata:
";

fn run_at(path: &str, base: &str, head: &str) -> Vec<Finding> {
    Case::modified(path, base, head)
        .with_kind(FileKind::ComposeDeployed)
        .run(analyze)
}

fn run(base: &str, head: &str) -> Vec<Finding> {
    run_at("docker-compose.yml", base, head)
}

fn found(f: &[Finding]) -> Vec<(&str, Severity)> {
    f.iter().map(|f| (f.rule.0, f.severity)).collect()
}

const MOUNT: &str = "      - pgdata:/var/lib/postgresql/data\n";

#[test]
fn a_databases_volume_dropped_or_swapped_for_a_throwaway_mount_is_high_at_its_line() {
    let f = run(PG, &PG.replace(MOUNT, ""));
    assert_eq!(found(&f), [("compose/data-volume-removed", Severity::High)]);
    assert_eq!(
        (f[0].location.side, f[0].location.line),
        (Side::Base, Some(8))
    );
    assert!(f[0].message.contains("PostgreSQL"), "{}", f[0].message);
    let tmpfs = PG.replace(MOUNT, "").replace(
        "    volumes:\n",
        "    tmpfs: /var/lib/postgresql/data\n    volumes:\n",
    );
    assert_eq!(
        found(&run(PG, &tmpfs)),
        [("compose/data-volume-removed", Severity::High)]
    );
    let anonymous = PG.replace("pgdata:/var", "/var");
    assert_eq!(
        found(&run(PG, &anonymous)),
        [("compose/data-volume-removed", Severity::High)]
    );
}

#[test]
fn another_services_named_volume_dropped_is_medium() {
    let base = "services:\n  app:\n    image: ghcr.io/acme/app:1\n    volumes:\n      - uploads:/app/uploads\nvolumes:\n  uploads:\n";
    let f = run(base, "services:\n  app:\n    image: ghcr.io/acme/app:1\n");
    assert_eq!(
        found(&f),
        [("compose/data-volume-removed", Severity::Medium)]
    );
}

#[test]
fn a_volume_renamed_or_rebound_is_replaced_and_a_rename_keeping_the_docker_name_is_not() {
    let f = run(PG, &PG.replace("pgdata", "postgres_data"));
    assert_eq!(
        found(&f),
        [("compose/data-volume-replaced", Severity::High)]
    );
    assert_eq!(f[0].location.side, Side::Head);
    let bind = PG.replace("pgdata:/var", "./data/pg:/var");
    assert_eq!(
        found(&run(PG, &bind)),
        [("compose/data-volume-replaced", Severity::High)]
    );
    let kept = PG.replace("pgdata", "postgres_data").replace(
        "  postgres_data:\n",
        "  postgres_data:\n    name: myapp_pgdata\n",
    );
    let named = PG.replace("  pgdata:\n", "  pgdata:\n    name: myapp_pgdata\n");
    assert!(run(&named, &kept).is_empty());
    // Long syntax for the same mount is the same mount.
    let long = PG.replace(
        MOUNT,
        "      - type: volume\n        source: pgdata\n        target: /var/lib/postgresql/data\n",
    );
    assert!(run(PG, &long).is_empty());
}

#[test]
fn dropping_external_from_a_data_volume_is_reported_and_adding_it_is_not() {
    let external = PG.replace("  pgdata:\n", "  pgdata:\n    external: true\n");
    let f = run(&external, PG);
    assert_eq!(
        found(&f),
        [("compose/volume-external-dropped", Severity::High)]
    );
    assert!(run(PG, &external).is_empty());
}

#[test]
fn a_database_service_removed_is_medium_in_compose_high_in_a_stack_and_a_rename_is_quiet() {
    let without = "services:\n  web:\n    image: ghcr.io/acme/web:1.4.2\nvolumes:\n  pgdata:\n";
    let f = run(PG, without);
    assert_eq!(
        found(&f),
        [("compose/database-service-removed", Severity::Medium)]
    );
    let f = run_at("deploy/docker-stack.yml", PG, without);
    assert_eq!(
        found(&f),
        [("compose/database-service-removed", Severity::High)]
    );
    let renamed = PG
        .replace("  db:\n", "  postgres:\n")
        .replace("[db]", "[postgres]");
    assert!(run(PG, &renamed).is_empty());
    // A stateless service removed is no database removed.
    let no_web = PG.replace(
        "  web:\n    image: ghcr.io/acme/web:1.4.2\n    depends_on: [db]\n",
        "",
    );
    assert!(run(PG, &no_web).is_empty());
}

#[test]
fn a_deleted_stack_file_reports_its_database_services_and_a_deleted_compose_file_does_not() {
    let f = Case::deleted("docker-stack.yml", PG)
        .with_kind(FileKind::ComposeDeployed)
        .run(analyze);
    assert_eq!(
        found(&f),
        [("compose/database-service-removed", Severity::High)]
    );
    let plain = Case::deleted("docker-compose.yml", PG).with_kind(FileKind::Compose);
    assert!(plain.run(analyze).is_empty());
}

#[test]
fn a_database_scaled_to_zero_or_moved_in_a_stack_is_medium_and_a_web_service_is_not() {
    let stack = |db: &str, web: &str, constraint: &str| {
        format!("services:\n  web:\n    image: nginx\n    deploy:\n      replicas: {web}\n  db:\n    image: postgres:16\n    volumes:\n      - pg:/var/lib/postgresql/data\n    deploy:\n      replicas: {db}\n      placement:\n        constraints: [{constraint}]\nvolumes:\n  pg:\n")
    };
    let base = stack("1", "3", "node.labels.db == true");
    let f = run_at(
        "docker-stack.yml",
        &base,
        &stack("0", "3", "node.labels.db == true"),
    );
    assert_eq!(
        found(&f),
        [("compose/database-scaled-to-zero", Severity::Medium)]
    );
    assert!(run_at(
        "docker-stack.yml",
        &base,
        &stack("1", "0", "node.labels.db == true")
    )
    .is_empty());
    let f = run_at(
        "docker-stack.yml",
        &base,
        &stack("1", "3", "node.role == worker"),
    );
    assert_eq!(found(&f), [("compose/database-moved", Severity::Medium)]);
}

#[test]
fn a_service_command_newly_resetting_the_database_is_reported() {
    let base =
        "services:\n  web:\n    image: ghcr.io/acme/rails:1\n    command: bundle exec rails s\n";
    let f = run(
        base,
        &base.replace(
            "bundle exec rails s",
            "sh -c 'bin/rails db:reset && bin/rails s'",
        ),
    );
    assert_eq!(ids(&f), ["shell/database-drop"]);
    let flyway = "services:\n  migrate:\n    image: flyway/flyway:10\n    command: [\"-url=jdbc:postgresql://db/app\", \"migrate\"]\n";
    let f = run(
        flyway,
        &flyway.replace("\"migrate\"]", "\"clean\", \"migrate\"]"),
    );
    assert_eq!(ids(&f), ["shell/database-drop"]);
    assert!(run(base, &base.replace("rails:1", "rails:2")).is_empty());
    // `$$` is Compose's escape for a literal `$`.
    let sh = "services:\n  init:\n    image: alpine\n    entrypoint: [\"/bin/sh\", \"-c\"]\n    command: [\"echo ready\"]\n";
    assert!(run(sh, &sh.replace("echo ready", "echo $$HOSTNAME")).is_empty());
    let f = run(
        sh,
        &sh.replace("echo ready", "rm -rf /var/lib/postgresql/data/*"),
    );
    assert_eq!(ids(&f), ["shell/rm-rf"]);
}

#[test]
fn development_test_and_example_files_are_not_judged() {
    for path in [
        "docker-compose.override.yml",
        "compose.dev.yaml",
        "compose.test.yml",
        "docker-compose.ci.yml",
        "tests/docker-compose.yml",
        "examples/blog/docker-compose.yml",
    ] {
        assert!(
            run_at(path, PG, &PG.replace(MOUNT, "")).is_empty(),
            "{path}"
        );
    }
}

#[test]
fn an_unparseable_side_needs_a_human_and_cosmetic_edits_are_quiet() {
    let f = run(PG, &PG.replace("services:\n", "services:\n  web: [\n"));
    assert_eq!(found(&f), [("compose/unparseable", Severity::Medium)]);
    let commented = format!(
        "# production\n{}",
        PG.replace("  db:\n", "  # the database\n  db:\n")
    );
    assert!(run(PG, &commented).is_empty());
    assert!(run(
        PG,
        &PG.replace("postgres:16-alpine", "postgres:16.4-alpine")
    )
    .is_empty());
    assert!(Case::added("docker-compose.yml", PG)
        .with_kind(FileKind::ComposeDeployed)
        .run(analyze)
        .is_empty());
}

#[test]
fn compose_files_are_told_by_a_top_level_services_map() {
    assert!(super::looks_like_compose(
        "version: '3.8'\nservices:\n  web:\n    image: nginx\n"
    ));
    assert!(!super::looks_like_compose(
        "test:\n  services:\n    - postgres\n"
    ));
    assert!(!super::looks_like_compose("services:\n  - postgres:16\n"));
}

#[test]
fn a_database_image_moved_to_another_major_over_the_same_volume_is_a_medium_prompt() {
    let f = run(PG, &PG.replace("postgres:16-alpine", "postgres:17-alpine"));
    assert_eq!(
        found(&f),
        [("compose/database-major-upgrade", Severity::Medium)]
    );
    assert_eq!(
        (f[0].location.side, f[0].location.line),
        (Side::Head, Some(6))
    );
    assert!(!f[0].tags.contains(&crate::finding::Tag::Destructive));
    assert!(
        f[0].message.contains("refuses to start"),
        "{}",
        f[0].message
    );
    // Through the default of a variable.
    let var = |tag: &str| {
        PG.replace(
            "postgres:16-alpine",
            &format!("postgres:${{PG_TAG:-{tag}}}"),
        )
    };
    assert_eq!(
        ids(&run(&var("15"), &var("16"))),
        ["compose/database-major-upgrade"]
    );
}

#[test]
fn a_minor_a_digest_a_service_without_data_or_a_new_volume_is_no_major_upgrade() {
    assert!(run(
        PG,
        &PG.replace("postgres:16-alpine", "postgres:16.4-alpine")
    )
    .is_empty());
    let digest = PG.replace("postgres:16-alpine", "postgres:16-alpine@sha256:abcd");
    assert!(run(&digest, &digest.replace("abcd", "ef01")).is_empty());
    let bare = PG.replace(MOUNT, "");
    assert!(run(&bare, &bare.replace("postgres:16", "postgres:17")).is_empty());
    // A new volume starts empty: that is the volume's finding, not a failed upgrade.
    let moved = PG
        .replace("postgres:16-alpine", "postgres:17-alpine")
        .replace("pgdata", "pg17");
    assert_eq!(ids(&run(PG, &moved)), ["compose/data-volume-replaced"]);
    assert!(run_at(
        "docker-compose.override.yml",
        PG,
        &PG.replace("postgres:16", "postgres:17")
    )
    .is_empty());
}

fn at(path: &str, base: &str, head: &str) -> Case {
    Case::modified(path, base, head).with_kind(FileKind::Compose)
}

#[test]
fn a_project_renamed_moves_every_unnamed_volume_to_a_new_empty_one() {
    let path = "deploy/shop/docker-compose.yml";
    let f = at(path, PG, &format!("name: shop-prod\n{PG}")).run(analyze);
    assert_eq!(found(&f), [("compose/project-renamed", Severity::High)]);
    assert_eq!(
        (f[0].location.side, f[0].location.line),
        (Side::Head, Some(1))
    );
    assert!(f[0].message.contains("`pgdata`"), "{}", f[0].message);
    let web = |name: &str| {
        format!("name: {name}\nservices:\n  web:\n    image: acme/web:1\n    volumes:\n      - uploads:/app/uploads\nvolumes:\n  uploads:\n")
    };
    assert_eq!(
        found(&at(path, &web("a"), &web("b")).run(analyze)),
        [("compose/project-renamed", Severity::Medium)]
    );
}

#[test]
fn a_name_equal_to_the_directory_pinned_volumes_or_an_env_override_keep_the_project() {
    let path = "deploy/shop/docker-compose.yml";
    assert!(at(path, PG, &format!("name: shop\n{PG}"))
        .run(analyze)
        .is_empty());
    let pinned = PG.replace("  pgdata:\n", "  pgdata:\n    name: shop_pgdata\n");
    assert!(at(
        path,
        &format!("name: a\n{pinned}"),
        &format!("name: b\n{pinned}")
    )
    .run(analyze)
    .is_empty());
    let overridden = at(path, &format!("name: a\n{PG}"), &format!("name: b\n{PG}"))
        .with_file(
            Side::Base,
            "deploy/shop/.env",
            "COMPOSE_PROJECT_NAME=shop\n",
        )
        .with_file(
            Side::Head,
            "deploy/shop/.env",
            "COMPOSE_PROJECT_NAME=shop\n",
        );
    assert!(overridden.run(analyze).is_empty());
    // At the root the project is named after the checkout directory, which is unknown.
    assert!(at("docker-compose.yml", PG, &format!("name: app\n{PG}"))
        .run(analyze)
        .is_empty());
}

fn env_case(base: &str, head: &str, compose: &str) -> Case {
    Case::modified("deploy/shop/.env", base, head)
        .with_kind(FileKind::ComposeEnv)
        .with_file(Side::Head, "deploy/shop/docker-compose.yml", compose)
}

#[test]
fn an_env_file_renaming_the_project_or_moving_a_database_tag_is_reported_at_its_line() {
    let f = env_case(
        "TZ=UTC\nCOMPOSE_PROJECT_NAME=shop\n",
        "TZ=UTC\nCOMPOSE_PROJECT_NAME=shop2\n",
        PG,
    )
    .run(super::env_file::analyze);
    assert_eq!(found(&f), [("compose/project-renamed", Severity::High)]);
    assert_eq!(f[0].location.line, Some(2));
    let tagged = PG.replace("postgres:16-alpine", "postgres:${PG_TAG}");
    let f = env_case("PG_TAG=15\n", "PG_TAG=16\n", &tagged).run(super::env_file::analyze);
    assert_eq!(ids(&f), ["compose/database-major-upgrade"]);
}

#[test]
fn an_env_file_change_that_renames_nothing_is_quiet() {
    let tagged = PG.replace("postgres:16-alpine", "postgres:${PG_TAG}");
    assert!(
        env_case("PG_TAG=15\nTZ=UTC\n", "PG_TAG=15\nTZ=CET\n", &tagged)
            .run(super::env_file::analyze)
            .is_empty()
    );
    assert!(
        env_case("TZ=UTC\n", "COMPOSE_PROJECT_NAME=shop\nTZ=UTC\n", PG)
            .run(super::env_file::analyze)
            .is_empty()
    );
}

const COMMON: &str = "services:\n  postgres:\n    image: postgres:16-alpine\n    volumes:\n      - pgdata:/var/lib/postgresql/data\n";

#[test]
fn volumes_kept_through_extends_or_include_are_not_removed() {
    let extends = PG.replace(
        "    image: postgres:16-alpine\n    volumes:\n      - pgdata:/var/lib/postgresql/data\n",
        "    extends:\n      file: common.yml\n      service: postgres\n    volumes:\n",
    );
    let case =
        |head: &str| Case::modified("docker-compose.yml", PG, head).with_kind(FileKind::Compose);
    assert!(case(&extends)
        .with_file(Side::Head, "common.yml", COMMON)
        .run(analyze)
        .is_empty());
    let db = "services:\n  db:\n    image: postgres:16-alpine\n    volumes:\n      - pgdata:/var/lib/postgresql/data\nvolumes:\n  pgdata:\n";
    let include = "include:\n  - path: ./db/compose.yaml\nservices:\n  web:\n    image: ghcr.io/acme/web:1.4.2\n";
    assert!(case(include)
        .with_file(Side::Head, "db/compose.yaml", db)
        .run(analyze)
        .is_empty());
}

#[test]
fn volumes_an_extended_file_does_not_keep_are_still_removed() {
    let extends = PG.replace(
        "    image: postgres:16-alpine\n    volumes:\n      - pgdata:/var/lib/postgresql/data\n",
        "    extends:\n      file: common.yml\n      service: postgres\n    volumes:\n",
    );
    let case = Case::modified("docker-compose.yml", PG, &extends).with_kind(FileKind::Compose);
    assert_eq!(ids(&case.run(analyze)), ["compose/data-volume-removed"]);
    let bare = "services:\n  postgres:\n    image: postgres:16-alpine\n";
    let case = Case::modified("docker-compose.yml", PG, &extends)
        .with_kind(FileKind::Compose)
        .with_file(Side::Head, "common.yml", bare);
    assert_eq!(ids(&case.run(analyze)), ["compose/data-volume-removed"]);
    // A bind that moves into an included file's directory is another host directory.
    let bind = PG.replace("pgdata:/var", "./pgdata:/var");
    let include =
        "include:\n  - db/compose.yaml\nservices:\n  web:\n    image: ghcr.io/acme/web:1.4.2\n";
    let db = "services:\n  db:\n    image: postgres:16-alpine\n    volumes:\n      - ./pgdata:/var/lib/postgresql/data\n";
    let case = Case::modified("docker-compose.yml", &bind, include)
        .with_kind(FileKind::Compose)
        .with_file(Side::Head, "db/compose.yaml", db);
    assert_eq!(ids(&case.run(analyze)), ["compose/data-volume-replaced"]);
}
