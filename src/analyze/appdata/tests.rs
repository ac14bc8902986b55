//! Before/after pairs as a reviewer sees them: the whole dispatch (classification by path
//! and content, then the analyzer), so a file the engine would not read stays quiet here too.

use crate::analyze::analyze_file;
use crate::analyze::files::testkit::{ids, Case};
use crate::analyze::FileKind;
use crate::finding::{Finding, Severity, Tag};

const RESET: &str = "orm/schema-reset-on-start";
const DROPS: &str = "orm/app-drops-data";

fn modified(path: &str, old: &str, new: &str) -> Vec<Finding> {
    Case::modified(path, old, new).run(analyze_file)
}

fn one(findings: &[Finding], rule: &str, severity: Severity) -> String {
    assert_eq!(ids(findings), [rule], "{findings:#?}");
    assert_eq!(findings[0].severity, severity, "{}", findings[0].message);
    assert!(findings[0].tags.contains(&Tag::Destructive));
    findings[0].message.clone()
}

const SPRING: &str = "spring:\n  datasource:\n    url: jdbc:postgresql://db/shop\n  jpa:\n    hibernate:\n      ddl-auto: validate\n";

fn spring(value: &str) -> String {
    SPRING.replace("ddl-auto: validate", &format!("ddl-auto: {value}"))
}

#[test]
fn ddl_auto_turned_to_create_in_the_default_profile_is_high_at_its_line() {
    let f = modified(
        "src/main/resources/application.yml",
        SPRING,
        &spring("create"),
    );
    let message = one(&f, RESET, Severity::High);
    assert_eq!(f[0].location.line, Some(6));
    assert!(message.contains("drop every mapped table"), "{message}");
    assert!(
        message.contains("`validate`"),
        "names the safe value: {message}"
    );
    // The same in `.properties`, and with a placeholder whose default is `create-drop`.
    let props = "spring.jpa.hibernate.ddl-auto=validate\n";
    let f = modified(
        "src/main/resources/application.properties",
        props,
        "spring.jpa.hibernate.ddl-auto=${DDL:create-drop}\n",
    );
    one(&f, RESET, Severity::High);
}

#[test]
fn safe_schema_modes_and_unchanged_or_moved_resets_are_quiet() {
    let path = "src/main/resources/application.yml";
    for value in ["update", "none", "validate", "${DDL:update}"] {
        assert!(modified(path, SPRING, &spring(value)).is_empty(), "{value}");
    }
    let create = spring("create");
    let moved = "spring:\n  jpa:\n    hibernate:\n      ddl-auto: create\n  datasource:\n    url: jdbc:postgresql://db/shop\n";
    assert!(modified(path, &create, moved).is_empty());
    assert!(modified(path, &create, &spring("create-drop")).is_empty());
    let commented = SPRING.replace("validate", "validate # never create-drop");
    assert!(modified(path, SPRING, &commented).is_empty());
}

#[test]
fn profiles_decide_the_rank_and_test_profiles_are_not_reviewed() {
    let dev = modified(
        "src/main/resources/application-dev.yml",
        SPRING,
        &spring("create-drop"),
    );
    one(&dev, RESET, Severity::Low);
    let prod = modified(
        "src/main/resources/application-prod.yml",
        SPRING,
        &spring("create"),
    );
    one(&prod, RESET, Severity::High);
    for path in [
        "src/main/resources/application-test.yml",
        "src/test/resources/application.yml",
    ] {
        assert!(
            modified(path, SPRING, &spring("create-drop")).is_empty(),
            "{path}"
        );
    }
    let doc = |profile: &str, value: &str| {
        format!("{SPRING}---\nspring:\n  config:\n    activate:\n      on-profile: {profile}\n  jpa:\n    hibernate:\n      ddl-auto: {value}\n")
    };
    let path = "src/main/resources/application.yml";
    assert!(modified(path, &doc("test", "validate"), &doc("test", "create-drop")).is_empty());
    let local = modified(path, &doc("local", "validate"), &doc("local", "create"));
    one(&local, RESET, Severity::Low);
    let quarkus = modified(
        "src/main/resources/application.properties",
        "x=1\n",
        "x=1\n%dev.quarkus.hibernate-orm.database.generation=drop-and-create\n%test.quarkus.hibernate-orm.database.generation=drop-and-create\n",
    );
    one(&quarkus, RESET, Severity::Low);
}

#[test]
fn an_in_memory_database_makes_a_reset_low() {
    let mem = SPRING.replace("jdbc:postgresql://db/shop", "jdbc:h2:mem:demo");
    let f = modified(
        "src/main/resources/application.yml",
        &mem,
        &mem.replace("validate", "create-drop"),
    );
    assert!(one(&f, RESET, Severity::Low).contains("in-memory"));
}

#[test]
fn sql_init_always_is_a_reset_only_when_the_script_beside_it_drops() {
    let path = "src/main/resources/application.yml";
    let always = format!("{SPRING}  sql:\n    init:\n      mode: always\n");
    let run = |script: &str| {
        Case::modified(path, SPRING, &always)
            .with_file(
                crate::change::Side::Head,
                "src/main/resources/schema.sql",
                script,
            )
            .run(analyze_file)
    };
    let f = run("DROP TABLE IF EXISTS orders;\nCREATE TABLE orders (id int);\n");
    assert!(one(&f, RESET, Severity::High).contains("DROP TABLE IF EXISTS orders"));
    assert!(run("CREATE TABLE IF NOT EXISTS orders (id int);\n").is_empty());
    assert!(
        Case::modified(path, SPRING, &always)
            .run(analyze_file)
            .is_empty(),
        "no script"
    );
}

#[test]
fn persistence_xml_and_hibernate_cfg_are_read_as_xml_without_their_comments() {
    let unit = |v: &str| {
        format!("<persistence>\n  <persistence-unit name=\"shop\">\n    <properties>\n      <property name=\"hibernate.hbm2ddl.auto\" value=\"{v}\"/>\n    </properties>\n  </persistence-unit>\n</persistence>\n")
    };
    let path = "src/main/resources/META-INF/persistence.xml";
    let f = modified(path, &unit("validate"), &unit("create"));
    one(&f, RESET, Severity::High);
    assert_eq!(f[0].location.line, Some(4));
    let commented = unit("validate").replace("    </properties>", "      <!-- <property name=\"hibernate.hbm2ddl.auto\" value=\"create\"/> -->\n    </properties>");
    assert!(modified(path, &unit("validate"), &commented).is_empty());
    let cfg = |v: &str| {
        format!("<hibernate-configuration>\n  <session-factory>\n    <property name=\"hbm2ddl.auto\">{v}</property>\n  </session-factory>\n</hibernate-configuration>\n")
    };
    one(
        &modified(
            "src/main/resources/hibernate.cfg.xml",
            &cfg("update"),
            &cfg("create-drop"),
        ),
        RESET,
        Severity::High,
    );
}

#[test]
fn a_settings_file_that_cannot_be_parsed_needs_a_human() {
    let broken = SPRING.replace("ddl-auto: validate", "ddl-auto: create\n    : [");
    let f = modified("src/main/resources/application.yml", SPRING, &broken);
    assert!(one(&f, RESET, Severity::Medium).contains("could not be parsed"));
}

const DS: &str = "import { DataSource } from 'typeorm';\n\nexport const AppDataSource = new DataSource({\n  type: 'postgres',\n  synchronize: false,\n});\n";

#[test]
fn typeorm_synchronize_is_ranked_by_what_its_value_depends_on() {
    let path = "src/data-source.ts";
    let with = |v: &str| DS.replace("synchronize: false", &format!("synchronize: {v}"));
    let cases = [
        ("true", Severity::High),
        (
            "process.env.NODE_ENV === \"development\" ? true : true",
            Severity::High,
        ),
        ("process.env.NODE_ENV !== 'production'", Severity::Low),
        ("!isProd", Severity::Low),
        ("process.env.DB_SYNC === 'true'", Severity::Medium),
    ];
    for (value, severity) in cases {
        one(&modified(path, DS, &with(value)), RESET, severity);
    }
    let drop = DS.replace(
        "synchronize: false,",
        "synchronize: false,\n  dropSchema: true,",
    );
    one(&modified(path, DS, &drop), RESET, Severity::High);
    let guarded = format!("{DS}\nif (process.env.NODE_ENV !== 'production') {{\n  AppDataSource.setOptions({{ synchronize: true }});\n}}\n");
    one(&modified(path, DS, &guarded), RESET, Severity::Low);
}

#[test]
fn typeorm_types_comments_tests_and_unchanged_options_are_quiet() {
    let iface = "export interface Db {\n  synchronize: boolean;\n  dropSchema: boolean;\n}\n";
    assert!(modified("src/config.ts", "export {}\n", iface).is_empty());
    let comment = DS.replace(
        "synchronize: false,",
        "synchronize: false, // synchronize: true drops columns",
    );
    assert!(modified("src/data-source.ts", DS, &comment).is_empty());
    let on = DS.replace("synchronize: false", "synchronize: true");
    assert!(modified("src/data-source.ts", &on, &on.replace("postgres", "mysql")).is_empty());
    for path in [
        "src/users/users.service.spec.ts",
        "test/utils/db.ts",
        "apps/api/test/app.e2e-spec.ts",
    ] {
        assert!(modified(path, DS, &on).is_empty(), "{path}");
    }
}

#[test]
fn typeorm_env_and_ormconfig_files_are_settings() {
    let f = modified(
        ".env",
        "TYPEORM_SYNCHRONIZE=false\n",
        "TYPEORM_SYNCHRONIZE=true\n",
    );
    one(&f, RESET, Severity::High);
    assert!(modified(".env.test", "X=1\n", "TYPEORM_SYNCHRONIZE=true\n").is_empty());
    let json = |v: &str| format!("{{\n  \"type\": \"postgres\",\n  \"synchronize\": {v}\n}}\n");
    one(
        &modified("ormconfig.json", &json("false"), &json("true")),
        RESET,
        Severity::High,
    );
    let named = "[{\"name\": \"default\", \"synchronize\": false}, {\"name\": \"test\", \"synchronize\": true, \"dropSchema\": true}]\n";
    assert!(modified(
        "ormconfig.json",
        "[{\"name\": \"default\", \"synchronize\": false}]\n",
        named
    )
    .is_empty());
    // A bare `synchronize` key elsewhere is another tool's.
    assert!(modified(
        "config/sync.yml",
        "synchronize: false\n",
        "synchronize: true\n"
    )
    .is_empty());
}

#[test]
fn env_settings_in_compose_files_and_manifests_are_read() {
    let compose = |v: &str| {
        format!("services:\n  api:\n    image: shop/api\n    environment:\n      - SPRING_JPA_HIBERNATE_DDL_AUTO={v}\n")
    };
    let f = modified(
        "docker-compose.yml",
        &compose("validate"),
        &compose("create"),
    );
    assert!(one(&f, RESET, Severity::High).starts_with("`SPRING_JPA_HIBERNATE_DDL_AUTO: create`"));
    let manifest = |v: &str| {
        format!("apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: api\nspec:\n  template:\n    spec:\n      containers:\n        - name: api\n          env:\n            - name: TYPEORM_SYNCHRONIZE\n              value: \"{v}\"\n")
    };
    let f = modified("k8s/api.yaml", &manifest("false"), &manifest("true"));
    assert_eq!(ids(&f), [RESET]);
    assert!(modified(
        "k8s/api.yaml",
        &manifest("true"),
        &manifest("true").replace("api", "web")
    )
    .is_empty());
}

const SEQ: &str = "const { Sequelize } = require('sequelize');\nconst sequelize = new Sequelize(url);\nasync function start() {\n  await sequelize.sync();\n}\n";

#[test]
fn sequelize_sync_force_is_high_alter_medium_and_a_match_guard_low() {
    let path = "src/server.js";
    let sync = |args: &str| SEQ.replace("sequelize.sync()", &format!("sequelize.sync({args})"));
    one(
        &modified(path, SEQ, &sync("{ force: true }")),
        RESET,
        Severity::High,
    );
    one(
        &modified(path, SEQ, &sync("{ alter: true }")),
        RESET,
        Severity::Medium,
    );
    one(
        &modified(path, SEQ, &sync("{ force: true, match: /_dev$/ }")),
        RESET,
        Severity::Low,
    );
    one(
        &modified(
            path,
            SEQ,
            &sync("{ force: process.env.NODE_ENV === 'test' }"),
        ),
        RESET,
        Severity::Low,
    );
    assert!(modified(path, SEQ, &sync("{ force: false }")).is_empty());
    let drop = SEQ.replace("await sequelize.sync();", "await sequelize.drop();");
    one(&modified(path, SEQ, &drop), DROPS, Severity::High);
    // Without Sequelize in the file, `sync` is someone else's.
    let other = "repo.sync({ force: true });\n";
    assert!(modified("src/git.js", "x();\n", other).is_empty());
}

#[test]
fn reset_calls_in_application_code_are_found_by_language() {
    let cases = [
        ("app/__init__.py", "with app.app_context():\n    db.drop_all()\n    db.create_all()\n", "db.drop_all(…)"),
        ("app/database.py", "def reset():\n    Base.metadata.drop_all(bind=engine)\n", "Base.metadata.drop_all(…)"),
        ("shop/management/commands/seed.py", "call_command('flush', interactive=False)\n", "call_command(…)"),
        ("shop/startup.py", "call_command('migrate', 'shop', 'zero')\n", "call_command(…)"),
        ("app/models.py", "db.drop_tables([User, Tweet])\n", "db.drop_tables(…)"),
        ("internal/db/db.go", "func f() {\n\t_ = db.Migrator().DropTable(&User{})\n}\n", "db.Migrator().DropTable(…)"),
        ("src/Api/Program.cs", "db.Database.EnsureDeleted();\n", "db.Database.EnsureDeleted(…)"),
        ("routes/web.php", "<?php\nArtisan::call('db:wipe', ['--force' => true]);\n", "Artisan::call(…)"),
        ("db/seeds.rb", "ActiveRecord::Schema.define do\n  create_table :users, force: :cascade do |t|\n  end\nend\n", "create_table(…)"),
        ("config/initializers/db.rb", "Rake::Task['db:reset'].invoke\n", "Rake::Task['db:reset']"),
        ("src/db.js", "await mongoose.connection.dropDatabase();\n", "mongoose.connection.dropDatabase(…)"),
        ("src/app.ts", "await orm.schema.refreshDatabase();\n", "orm.schema.refreshDatabase(…)"),
    ];
    for (path, added, shown) in cases {
        let f = modified(path, "\n", &format!("\n{added}"));
        let message = one(&f, DROPS, Severity::High);
        assert!(
            message.starts_with(&format!("`{shown}`")),
            "{path}: {message}"
        );
    }
    let ent = "client.Schema.Create(ctx, migrate.WithDropColumn(true))\n";
    one(
        &modified("cmd/server/migrate.go", "\n", ent),
        RESET,
        Severity::High,
    );
    let java = "class C { void p() { props.put(\"hibernate.hbm2ddl.auto\", \"create-drop\"); } }\n";
    one(
        &modified("src/main/java/shop/JpaConfig.java", "class C {}\n", java),
        RESET,
        Severity::High,
    );
}

#[test]
fn development_guards_rank_low_and_tests_comments_and_safe_calls_are_quiet() {
    let flask =
        "def create_app():\n    if app.debug:\n        db.drop_all()\n    db.create_all()\n";
    one(
        &modified("app/__init__.py", "\n", flask),
        DROPS,
        Severity::Low,
    );
    let cs = "if (app.Environment.IsDevelopment())\n{\n    db.Database.EnsureDeleted();\n}\n";
    let f = modified("src/Api/Program.cs", "\n", cs);
    assert!(one(&f, DROPS, Severity::Low).contains("`app.Environment.IsDevelopment()`"));
    let quiet = [
        ("tests/conftest.py", "Base.metadata.drop_all(engine)\n"),
        ("conftest.py", "Base.metadata.drop_all(engine)\n"),
        ("internal/db/db_test.go", "db.Migrator().DropTable(&User{})\n"),
        ("tests/Shop.Tests/Fixture.cs", "db.Database.EnsureDeleted();\n"),
        ("app/database.py", "# never call Base.metadata.drop_all(engine) here\n"),
        ("app/cli.py", "HELP = 'runs metadata.drop_all(engine)'\n"),
        ("app/main.py", "await Tortoise.generate_schemas(safe=False)\n"),
        ("shop/startup.py", "call_command('migrate', interactive=False)\n"),
        ("src/Api/Program.cs", "db.Database.EnsureCreated();\n"),
        ("routes/web.php", "<?php\nArtisan::call('migrate', ['--force' => true]);\n"),
        ("src/list.js", "const rest = _.chain(items).drop().value();\n"),
        ("db/schema.rb", "ActiveRecord::Schema[7.1].define(version: 1) do\n  create_table \"users\", force: :cascade do |t|\n  end\nend\n"),
        ("docs/examples/app.py", "db.drop_all()\n"),
        ("README.md", "Call `db.drop_all()` to reset.\n"),
    ];
    for (path, added) in quiet {
        assert!(
            modified(path, "\n", &format!("\n{added}")).is_empty(),
            "{path}"
        );
    }
    let unchanged = "def reset():\n    metadata.drop_all(engine)\n";
    let moved = "def reset():\n    # everything\n    metadata.drop_all(engine)\n";
    assert!(modified("app/database.py", unchanged, moved).is_empty());
}

#[test]
fn prisma_raw_sql_goes_to_the_sql_checker_with_parameters_bound() {
    let drop = "await prisma.$executeRaw`DROP TABLE \"Session\"`;\n";
    let f = modified("src/reset.ts", "\n", &format!("\n{drop}"));
    assert_eq!(ids(&f), ["sql/drop-table"]);
    let update = "await prisma.$executeRaw`UPDATE users SET active = true WHERE id = ${id}`;\n";
    assert!(modified("src/reset.ts", "\n", &format!("\n{update}")).is_empty());
}

#[test]
fn ordinary_source_files_are_not_read_as_application_database_code() {
    let kind = |path: &str, text: &str| Case::added(path, text).kind();
    assert_eq!(
        kind("src/util.ts", "export const x = fs.readFileSync('a');\n"),
        FileKind::Other
    );
    assert_eq!(kind("app/views.py", "cache.flush()\n"), FileKind::Other);
    assert_eq!(
        kind("app/models.py", "db.drop_all()\n"),
        FileKind::AppDatabase
    );
    assert_eq!(
        kind("tests/test_models.py", "db.drop_all()\n"),
        FileKind::Other
    );
    assert!(!FileKind::AppDatabase.is_infra());
}
