use super::*;
use crate::analyze::files::testkit::Case;
use crate::change::Side;
use crate::finding::Tag;
use proptest::prelude::*;

fn ids(findings: &[Finding]) -> Vec<&'static str> {
    findings.iter().map(|f| f.rule.as_str()).collect()
}

fn added_file(path: &str, new: &str) -> Vec<Finding> {
    Case::added(path, new).run(analyze)
}

fn modified(path: &str, old: &str, new: &str) -> Vec<Finding> {
    Case::modified(path, old, new).run(analyze)
}

// ---- Django ----

const DJANGO: &str = "from django.db import migrations\n\n\nclass Migration(migrations.Migration):\n    dependencies = [(\"shop\", \"0001_initial\")]\n\n    operations = [\n";
const DJANGO_PATH: &str = "shop/migrations/0002_auto.py";

fn django(ops: &str) -> String {
    format!("{DJANGO}{ops}    ]\n")
}

#[test]
fn django_remove_field_added_is_a_column_drop_at_its_head_line() {
    let f = added_file(
        DJANGO_PATH,
        &django("        migrations.RemoveField(\n            model_name=\"order\",\n            name=\"coupon\",\n        ),\n"),
    );
    assert_eq!(ids(&f), ["sql/drop-column"]);
    assert_eq!(
        (f[0].location.line, f[0].location.end_line),
        (Some(8), Some(11))
    );
    assert_eq!(f[0].location.side, Side::Head);
    assert!(f[0].message.contains("order.coupon"), "{}", f[0].message);
    assert!(f[0].tags.contains(&Tag::Destructive));
}

#[test]
fn a_squash_of_migrations_already_in_the_repository_raises_no_bar() {
    let ops = "        migrations.RemoveField(model_name=\"order\", name=\"coupon\"),\n";
    let squashed = django(ops).replace(
        "    dependencies = ",
        "    replaces = [(\"shop\", \"0002_auto\"), (\"shop\", \"0003_drop\")]\n\n    dependencies = ",
    );
    let case = |base_has: &[&str]| {
        let mut case = Case::added("shop/migrations/0002_squashed_0003.py", &squashed);
        for name in base_has {
            let path = format!("shop/migrations/{name}.py");
            case = case
                .with_file(Side::Base, &path, "")
                .with_file(Side::Head, &path, "");
        }
        case.run(analyze)
    };
    let f = case(&["0002_auto", "0003_drop"]);
    assert_eq!(ids(&f), ["sql/drop-column"]);
    assert_eq!(f[0].severity, Severity::Low);
    assert!(!f[0].tags.contains(&Tag::Destructive), "{:?}", f[0].tags);
    // A replaced migration this change adds may still run its drop where data lives.
    let f = case(&["0002_auto"]);
    assert!(f[0].tags.contains(&Tag::Destructive));
}

#[test]
fn a_squashed_django_migration_repeating_a_drop_ranks_low_and_says_why() {
    let ops = "        migrations.RemoveField(model_name=\"order\", name=\"coupon\"),\n";
    let squashed = django(ops).replace(
        "    dependencies = ",
        "    replaces = [(\"shop\", \"0002_auto\"), (\"shop\", \"0003_drop\")]\n\n    dependencies = ",
    );
    let f = added_file("shop/migrations/0002_squashed_0003.py", &squashed);
    assert_eq!(ids(&f), ["sql/drop-column"]);
    assert_eq!(f[0].severity, Severity::Low);
    assert!(f[0].tags.contains(&Tag::Destructive));
    assert!(
        f[0].message.contains("squashed migration"),
        "{}",
        f[0].message
    );
    // `replaces` in a comment or a string is not a squash.
    for note in [
        "    # replaces = [(\"shop\", \"0001\")]\n",
        "    help = \"replaces = old\"\n",
    ] {
        let plain =
            django(ops).replace("    dependencies = ", &format!("{note}    dependencies = "));
        let f = added_file(DJANGO_PATH, &plain);
        assert_eq!(f[0].severity, Severity::High, "{note}");
    }
}

#[test]
fn django_remove_field_already_in_the_base_is_quiet() {
    let old = django("        migrations.RemoveField(model_name=\"order\", name=\"coupon\"),\n");
    let new = django("        # tidy\n        migrations.RemoveField(\n            model_name=\"order\", name=\"coupon\"\n        ),\n        migrations.AddField(model_name=\"order\", name=\"x\", field=models.IntegerField(null=True)),\n");
    assert!(modified(DJANGO_PATH, &old, &new).is_empty());
}

const DJANGO_INITIAL: &str = "from django.db import migrations, models\n\n\nclass Migration(migrations.Migration):\n    initial = True\n    dependencies = []\n    operations = [\n        migrations.CreateModel(\n            name=\"Invoice\",\n            fields=[\n                (\"id\", models.BigAutoField(auto_created=True, primary_key=True, serialize=False)),\n                (\"number\", models.CharField(max_length=32, unique=True)),\n                (\"amount\", models.DecimalField(decimal_places=2, max_digits=12)),\n            ],\n        ),\n    ]\n";

fn django_alter(field: &str) -> Vec<Finding> {
    let new = django(&format!(
        "        migrations.AlterField(\n            model_name=\"invoice\",\n            name=\"number\",\n            field={field},\n        ),\n"
    ));
    Case::added(DJANGO_PATH, &new)
        .with_file(
            Side::Head,
            "shop/migrations/0001_initial.py",
            DJANGO_INITIAL,
        )
        .run(analyze)
}

#[test]
fn django_alter_field_that_widens_or_documents_the_field_is_quiet() {
    for field in [
        "models.CharField(max_length=64, unique=True)",
        "models.CharField(help_text=\"Printed on the invoice\", max_length=32, unique=True, verbose_name=\"number\")",
    ] {
        assert!(ids(&django_alter(field)).is_empty(), "{field}");
    }
}

#[test]
fn django_alter_field_that_narrows_retypes_or_has_no_history_still_counts() {
    for field in [
        "models.CharField(max_length=16, unique=True)",
        "models.IntegerField(unique=True)",
    ] {
        assert_eq!(
            ids(&django_alter(field)),
            ["sql/column-type-narrowed"],
            "{field}"
        );
    }
    // Without the earlier migration twokey cannot compare, and says so.
    let alone = django("        migrations.AlterField(model_name=\"invoice\", name=\"number\", field=models.CharField(max_length=64, unique=True)),\n");
    assert_eq!(
        ids(&added_file(DJANGO_PATH, &alone)),
        ["sql/column-type-narrowed"]
    );
}

#[test]
fn django_operations_map_to_the_sql_rules() {
    let f = added_file(
        DJANGO_PATH,
        &django(
            "        migrations.DeleteModel(name=\"Coupon\"),\n        migrations.AlterField(model_name=\"order\", name=\"total\", field=models.IntegerField()),\n        migrations.RenameField(\"order\", \"total\", \"amount\"),\n        migrations.RenameModel(old_name=\"Order\", new_name=\"Purchase\"),\n        migrations.RemoveIndex(model_name=\"order\", name=\"order_idx\"),\n",
        ),
    );
    assert_eq!(
        ids(&f),
        [
            "sql/drop-table",
            "sql/column-type-narrowed",
            "sql/rename",
            "sql/rename",
            "sql/drop-index"
        ]
    );
    assert!(f[0].message.contains("Coupon"));
    assert_eq!(f[1].severity, Severity::Medium);
    assert!(
        f[2].message.contains("order.total to amount"),
        "{}",
        f[2].message
    );
    assert!(f[3].message.contains("Order to Purchase"));
    assert_eq!(f[4].severity, Severity::Low);
}

#[test]
fn django_postgres_remove_index_concurrently_is_an_index_drop_and_its_add_is_quiet() {
    let ops = "        RemoveIndexConcurrently(model_name=\"order\", name=\"order_idx\"),\n";
    let f = added_file(DJANGO_PATH, &django(ops));
    assert_eq!(ids(&f), ["sql/drop-index"]);
    assert_eq!(f[0].severity, Severity::Low);
    assert!(
        f[0].message
            .starts_with("RemoveIndexConcurrently drops the index order_idx of order"),
        "{}",
        f[0].message
    );
    let add = "        AddIndexConcurrently(model_name=\"order\", index=models.Index(fields=[\"a\"], name=\"a_idx\")),\n";
    assert!(added_file(DJANGO_PATH, &django(add)).is_empty());
}

#[test]
fn django_run_sql_goes_through_the_sql_checker_forward_only() {
    let f = added_file(
        DJANGO_PATH,
        &django("        migrations.RunSQL(\n            sql=\"\"\"\n                DELETE FROM shop_cart;\n            \"\"\",\n            reverse_sql=\"DROP TABLE shop_backup;\",\n        ),\n"),
    );
    assert_eq!(ids(&f), ["sql/delete-without-where"]);
    assert!(
        f[0].message.starts_with("migrations.RunSQL runs SQL"),
        "{}",
        f[0].message
    );
    assert_eq!(f[0].location.line, Some(8));
    // Harmless SQL is quiet, and so is the same RunSQL in the base.
    assert!(added_file(
        DJANGO_PATH,
        &django("        migrations.RunSQL(\"CREATE INDEX i ON t (a);\"),\n")
    )
    .is_empty());
}

#[test]
fn django_run_sql_twokey_cannot_parse_but_that_drops_needs_a_human() {
    let f = added_file(
        DJANGO_PATH,
        &django("        migrations.RunSQL(\"DROP TABLE %s CASCADE (\" % name),\n"),
    );
    assert_eq!(ids(&f), ["sql/unparseable"]);
}

#[test]
fn django_run_sql_templates_and_do_blocks_need_a_human_only_when_they_may_destroy() {
    for quiet in [
        "migrations.RunSQL(\"ALTER TABLE %s ADD COLUMN flag boolean\" % name)",
        "migrations.RunSQL(\"DO $$ BEGIN CREATE ROLE app; END $$;\")",
    ] {
        let f = added_file(DJANGO_PATH, &django(&format!("        {quiet},\n")));
        assert!(f.is_empty(), "{quiet}: {f:?}");
    }
    let f = added_file(
        DJANGO_PATH,
        &django("        migrations.RunSQL(\"DO $$ BEGIN EXECUTE 'TRUNCATE ' || t; END $$;\"),\n"),
    );
    assert_eq!(ids(&f), ["sql/unparseable"]);
    // The EXECUTE runs a TRUNCATE: the worst word is named, and makes it destructive.
    assert!(f[0].message.contains("TRUNCATE"), "{}", f[0].message);
    assert_eq!(f[0].severity, crate::finding::Severity::High);
}

#[test]
fn django_state_operations_keep_the_table_and_database_operations_do_not() {
    let ops = "migrations.SeparateDatabaseAndState(\n            state_operations=[\n                migrations.DeleteModel(name=\"Legacy\"),\n                migrations.RemoveField(\"order\", \"notes\"),\n            ],\n            database_operations=[migrations.RemoveField(\"order\", \"memo\")],\n        ),";
    let f = added_file(DJANGO_PATH, &django(ops));
    assert_eq!(ids(&f), ["sql/drop-column"]);
    assert!(f[0].message.contains("order.memo"), "{}", f[0].message);
    let positional =
        "migrations.SeparateDatabaseAndState([], [migrations.DeleteModel(\"Legacy\")]),";
    assert!(added_file(DJANGO_PATH, &django(positional)).is_empty());
}

#[test]
fn django_run_sql_with_driver_parameters_is_read_as_sql() {
    let ops = "migrations.RunSQL(\n            sql=[\n                (\"DELETE FROM zerver_message WHERE flags & %s = 0\", [2048]),\n                (\"UPDATE zerver_realm SET plan = %(plan)s WHERE id = %(id)s\", {}),\n                \"DELETE FROM zerver_draft\",\n            ],\n        ),";
    let f = added_file(DJANGO_PATH, &django(ops));
    assert_eq!(ids(&f), ["sql/delete-without-where"], "{f:?}");
    assert!(f[0].message.contains("zerver_draft"), "{}", f[0].message);
}

#[test]
fn driver_parameters_become_placeholders_and_other_percents_stay() {
    assert_eq!(
        super::bound_parameters("a = %s AND b = %(id)s AND c LIKE 'x%' AND d % 2 = 0 AND %sx"),
        "a = ? AND b = ? AND c LIKE 'x%' AND d % 2 = 0 AND %sx"
    );
}

#[test]
fn sentry_safe_removals_drop_only_with_the_delete_action() {
    let pending = "SafeRemoveField(\n            model_name=\"testtable\",\n            name=\"field\",\n            deletion_action=DeletionAction.MOVE_TO_PENDING,\n        ),\n        SafeDeleteModel(name=\"Legacy\", deletion_action=DeletionAction.MOVE_TO_PENDING),";
    assert!(added_file(DJANGO_PATH, &django(pending)).is_empty());
    let delete = pending.replace("MOVE_TO_PENDING", "DELETE");
    let f = added_file(DJANGO_PATH, &django(&delete));
    assert_eq!(ids(&f), ["sql/drop-column", "sql/drop-table"]);
    assert!(f[0].message.contains("testtable.field"), "{}", f[0].message);
    assert!(f[1].message.contains("Legacy"), "{}", f[1].message);
}

#[test]
fn django_names_in_comments_and_strings_are_not_operations() {
    let f = added_file(
        DJANGO_PATH,
        &django("        # migrations.DeleteModel(name=\"Coupon\"),\n        migrations.RunPython(lambda a, s: print(\"migrations.RemoveField(\")),\n"),
    );
    assert!(f.is_empty(), "{f:?}");
}

// ---- Rails ----

const RAILS_PATH: &str = "db/migrate/20240101000000_cleanup.rb";

#[test]
fn rails_check_constraints_and_ef_core_sequences_dropped_are_low_findings() {
    let rails = "class Loosen < ActiveRecord::Migration[7.1]\n  def change\n    remove_check_constraint :orders, name: \"price_positive\"\n    add_check_constraint :orders, \"qty > 0\", name: \"qty_positive\"\n  end\nend\n";
    let f = added_file(RAILS_PATH, rails);
    assert_eq!(ids(&f), ["sql/drop-constraint"]);
    assert_eq!(f[0].severity, Severity::Low);
    assert_eq!(f[0].location.line, Some(3));
    let up =
        "            migrationBuilder.DropSequence(\n                name: \"OrderNumbers\");\n";
    let down = "            migrationBuilder.DropSequence(name: \"Invoices\");\n";
    let f = added_file(EF_PATH, &ef(up, down));
    assert_eq!(ids(&f), ["sql/drop-sequence-or-function"]);
    assert!(f[0].message.contains("OrderNumbers"), "{}", f[0].message);
}

#[test]
fn rails_gitlab_helpers_that_drop_are_findings_and_their_undo_in_down_is_quiet() {
    let rb = "class Cleanup < Gitlab::Database::Migration[2.2]\n  disable_ddl_transaction!\n\n  def up\n    cleanup_concurrent_column_rename :issues, :closed_by, :closed_by_id\n    remove_concurrent_index_by_name :ci_builds, 'index_ci_builds_on_old'\n    remove_concurrent_index :notes, :legacy_id\n    remove_foreign_key_if_exists :events, :projects\n  end\n\n  def down\n    undo_cleanup_concurrent_column_rename :issues, :closed_by, :closed_by_id\n    remove_concurrent_index :notes, :other_id\n  end\nend\n";
    let f = added_file("db/post_migrate/20240101000000_cleanup.rb", rb);
    assert_eq!(
        ids(&f),
        [
            "sql/drop-column",
            "sql/drop-index",
            "sql/drop-index",
            "sql/drop-constraint"
        ]
    );
    assert!(
        f[0].message
            .contains("issues.closed_by (its data was copied to closed_by_id)"),
        "{}",
        f[0].message
    );
    assert_eq!(f[1].location.line, Some(6));
    let additive = "class Add < Gitlab::Database::Migration[2.2]\n  disable_ddl_transaction!\n\n  def up\n    rename_column_concurrently :issues, :closed_by, :closed_by_id\n    add_concurrent_index :notes, :legacy_id\n  end\n\n  def down\n    undo_rename_column_concurrently :issues, :closed_by, :closed_by_id\n    remove_concurrent_index :notes, :legacy_id\n  end\nend\n";
    assert!(added_file(RAILS_PATH, additive).is_empty());
}

#[test]
fn rails_destroying_each_record_of_a_whole_model_is_a_delete_without_where() {
    let rb = "class Purge < ActiveRecord::Migration[7.1]\n  def up\n    Upload.find_each(&:destroy)\n    Legacy::Export.all.each(&:destroy!)\n    Upload.where(orphan: true).find_each(&:destroy)\n    Upload.find_each(&:touch)\n    project.uploads.each(&:destroy)\n  end\n\n  def down\n    Note.find_each(&:destroy)\n  end\nend\n";
    let f = added_file(RAILS_PATH, rb);
    assert_eq!(
        ids(&f),
        ["sql/delete-without-where", "sql/delete-without-where"]
    );
    assert!(
        f[0].message
            .starts_with("Upload.find_each(&:destroy) without a where"),
        "{}",
        f[0].message
    );
    assert_eq!(f[1].location.line, Some(4));
}

#[test]
fn rails_connection_truncate_empties_the_table_and_other_truncates_are_quiet() {
    let rb = "class Purge < ActiveRecord::Migration[7.1]\n  def up\n    connection.truncate(:sessions)\n    ActiveRecord::Base.connection.truncate_tables(:carts, :cart_items)\n    name.truncate(20)\n  end\n\n  def down\n    connection.truncate(:audits)\n  end\nend\n";
    let f = added_file(RAILS_PATH, rb);
    assert_eq!(ids(&f), ["sql/truncate", "sql/truncate"]);
    assert!(
        f[0].message
            .starts_with("connection.truncate empties sessions"),
        "{}",
        f[0].message
    );
    assert!(
        f[1].message.contains("carts, cart_items"),
        "{}",
        f[1].message
    );
}

#[test]
fn rails_remove_column_in_change_is_a_finding_and_in_down_is_quiet() {
    let forward = "class Cleanup < ActiveRecord::Migration[7.1]\n  def change\n    remove_column :users, :email, :string\n  end\nend\n";
    let f = added_file(RAILS_PATH, forward);
    assert_eq!(ids(&f), ["sql/drop-column"]);
    assert_eq!(f[0].location.line, Some(3));
    assert!(f[0].message.contains("users.email"), "{}", f[0].message);

    let rollback = "class Cleanup < ActiveRecord::Migration[7.1]\n  def up\n    add_column :users, :email, :string\n  end\n\n  def down\n    remove_column :users, :email\n    drop_table :audits\n  end\nend\n";
    let f = added_file(RAILS_PATH, rollback);
    assert!(f.is_empty(), "{f:?}");
}

#[test]
fn rails_up_after_down_is_read_again() {
    let text = "class X < ActiveRecord::Migration[7.1]\n  def down\n    create_table :audits do |t|\n      t.string :name\n    end\n  end\n\n  def up\n    drop_table :audits\n  end\nend\n";
    let f = added_file(RAILS_PATH, text);
    assert_eq!(ids(&f), ["sql/drop-table"]);
    assert_eq!(f[0].location.line, Some(9));
}

#[test]
fn rails_revert_and_reversible_down_blocks_are_rollbacks() {
    let text = "class X < ActiveRecord::Migration[7.1]\n  def change\n    reversible do |dir|\n      dir.up { execute \"UPDATE users SET role = 'user'\" }\n      dir.down { execute \"DELETE FROM roles\" }\n    end\n    revert do\n      drop_table :old\n    end\n    rename_column :users, :name, :full_name\n  end\nend\n";
    let f = added_file(RAILS_PATH, text);
    assert_eq!(ids(&f), ["sql/update-without-where", "sql/rename"]);
    assert_eq!(f[0].location.line, Some(4));
    assert_eq!(f[1].location.line, Some(10));
}

#[test]
fn rails_statements_map_to_the_sql_rules() {
    let text = "class X < ActiveRecord::Migration[7.1]\n  def change\n    remove_columns :users, :a, :b\n    remove_reference :orders, :account, index: true\n    remove_index :orders, :created_at\n    change_column :orders, :total, :integer\n    change_column_null :orders, :total, false\n    change_column_null :orders, :note, true\n    rename_table :orders, :purchases\n    execute <<~SQL\n      DROP VIEW order_totals;\n    SQL\n  end\nend\n";
    let f = added_file(RAILS_PATH, text);
    assert_eq!(
        ids(&f),
        [
            "sql/drop-column",
            "sql/drop-column",
            "sql/drop-index",
            "sql/column-type-narrowed",
            "sql/not-null-without-default",
            "sql/rename",
            "sql/drop-view"
        ]
    );
    assert!(f[0].message.contains("a, b"), "{}", f[0].message);
    assert!(
        f[1].message.contains("orders.account_id"),
        "{}",
        f[1].message
    );
    assert_eq!(f[3].severity, Severity::Medium);
    assert_eq!(f[6].location.line, Some(10));
}

#[test]
fn rails_change_table_block_statements_name_their_table() {
    let text = "class X < ActiveRecord::Migration[7.1]\n  def up\n    change_table :users, bulk: true do |t|\n      t.remove :nickname, :avatar_url\n      t.remove_references :company, index: true\n      t.string :bio\n    end\n    change_table(:orders) do |t|\n      t.remove_timestamps\n    end\n  end\n\n  def down\n    change_table :users do |t|\n      t.remove :bio\n    end\n  end\nend\n";
    let f = added_file(RAILS_PATH, text);
    assert_eq!(
        ids(&f),
        ["sql/drop-column", "sql/drop-column", "sql/drop-column"]
    );
    assert_eq!(f[0].location.line, Some(4));
    assert!(
        f[0].message
            .contains("users drops the columns nickname, avatar_url"),
        "{}",
        f[0].message
    );
    assert!(
        f[1].message.contains("users.company_id"),
        "{}",
        f[1].message
    );
    assert!(f[2].message.contains(":orders"), "{}", f[2].message);
    // Outside a change_table block `.remove` is somebody else's method.
    let other = "class X < ActiveRecord::Migration[7.1]\n  def up\n    User.where(legacy: true).each { |u| u.tags.remove :old }\n  end\nend\n";
    assert!(added_file(RAILS_PATH, other).is_empty());
}

#[test]
fn rails_statement_inside_a_brace_block_stops_at_the_brace() {
    let text = "class X < ActiveRecord::Migration[7.1]\n  def change\n    safety_assured { remove_column :posts, :body_html }\n  end\nend\n";
    let f = added_file(RAILS_PATH, text);
    assert_eq!(ids(&f), ["sql/drop-column"]);
    assert!(
        f[0].message.contains("posts.body_html and"),
        "{}",
        f[0].message
    );
}

#[test]
fn rails_sql_through_the_connection_is_checked_like_execute() {
    let text = "class X < ActiveRecord::Migration[7.2]\n  def up\n    connection.execute(<<~SQL.squish)\n      DELETE FROM settings\n    SQL\n    ActiveRecord::Base.connection.execute(\"DROP TABLE legacy_tokens\")\n    Cache.execute(\"DROP TABLE nope\")\n  end\nend\n";
    let f = added_file("db/post_migrate/20240101000000_cleanup.rb", text);
    assert_eq!(ids(&f), ["sql/delete-without-where", "sql/drop-table"]);
    assert_eq!(f[0].location.line, Some(3));
    assert!(f[1].message.contains("legacy_tokens"), "{}", f[1].message);
}

#[test]
fn discourse_droppers_are_drops() {
    let text = "class DropLegacy < ActiveRecord::Migration[7.0]\n  DROPPED_COLUMNS = { user_options: %i[email_always] }\n\n  def up\n    DROPPED_COLUMNS.each { |table, columns| Migration::ColumnDropper.execute_drop(table, columns) }\n    Migration::ColumnDropper.execute_drop(:posts, %i[locked_level])\n    Migration::TableDropper.execute_drop(\"old_tokens\")\n  end\n\n  def down\n    Migration::TableDropper.execute_drop(\"never_forward\")\n  end\nend\n";
    let f = added_file("db/post_migrate/20240101000000_drop_legacy.rb", text);
    assert_eq!(
        ids(&f),
        ["sql/drop-column", "sql/drop-column", "sql/drop-table"]
    );
    assert_eq!(f[0].location.line, Some(5));
    assert!(
        f[1].message.contains("columns locked_level of posts"),
        "{}",
        f[1].message
    );
    assert!(f[2].message.contains("old_tokens"), "{}", f[2].message);
}

#[test]
fn rails_existing_statement_is_quiet_and_a_second_copy_is_new() {
    let old =
        "class X < ActiveRecord::Migration[7.1]\n  def change\n    drop_table :old\n  end\nend\n";
    let same = "class X < ActiveRecord::Migration[7.1]\n  def change\n    # comment\n    drop_table(:old)\n  end\nend\n";
    assert!(modified(
        RAILS_PATH,
        old,
        &same.replace("drop_table(:old)", "drop_table :old")
    )
    .is_empty());
    let twice = "class X < ActiveRecord::Migration[7.1]\n  def change\n    drop_table :old\n    drop_table :old\n  end\nend\n";
    assert_eq!(ids(&modified(RAILS_PATH, old, twice)), ["sql/drop-table"]);
}

// ---- Alembic ----

const ALEMBIC_PATH: &str = "alembic/versions/3f2a_cleanup.py";

fn alembic(upgrade: &str, downgrade: &str) -> String {
    format!("\"\"\"cleanup\n\nRevision ID: 3f2a\n\"\"\"\nfrom alembic import op\nimport sqlalchemy as sa\n\n\ndef upgrade() -> None:\n{upgrade}\n\ndef downgrade() -> None:\n{downgrade}\n")
}

#[test]
fn alembic_unfiltered_session_queries_that_write_are_row_loss() {
    let upgrade = "    session = Session(bind=op.get_bind())\n    session.query(AuditLog).delete()\n    session.query(Order).update({\"status\": \"new\"})\n    session.query(Cart).filter(Cart.stale == True).delete()\n    session.query(Token).filter_by(kind=\"tmp\").update({\"used\": True})\n";
    let downgrade = "    Session(bind=op.get_bind()).query(Order).delete()\n";
    let f = added_file(ALEMBIC_PATH, &alembic(upgrade, downgrade));
    assert_eq!(
        ids(&f),
        ["sql/delete-without-where", "sql/update-without-where"]
    );
    assert!(f[0].message.contains("query(AuditLog)"), "{}", f[0].message);
    assert_eq!(f[0].location.line, Some(11));
}

#[test]
fn alembic_drop_table_in_upgrade_is_a_finding_and_in_downgrade_is_quiet() {
    let f = added_file(
        ALEMBIC_PATH,
        &alembic("    op.drop_table(\"audits\")\n", "    pass\n"),
    );
    assert_eq!(ids(&f), ["sql/drop-table"]);
    assert_eq!(f[0].location.line, Some(10));
    assert!(f[0].message.contains("audits"));
    let f = added_file(
        ALEMBIC_PATH,
        &alembic(
            "    op.create_table(\"audits\", sa.Column(\"id\", sa.Integer))\n",
            "    op.drop_table(\"audits\")\n",
        ),
    );
    assert!(f.is_empty(), "{f:?}");
}

#[test]
fn alembic_operations_and_batch_mode() {
    let up = "    op.drop_column(\"users\", \"email\")\n    with op.batch_alter_table(\"users\") as batch_op:\n        batch_op.drop_column(\"phone\")\n    op.drop_index(\"ix_users_name\", table_name=\"users\")\n    op.drop_constraint(\"fk_orders_user\", \"orders\", type_=\"foreignkey\")\n    op.alter_column(\"users\", \"bio\", type_=sa.String(50), existing_type=sa.Text())\n    op.alter_column(\"users\", \"name\", nullable=False)\n    op.alter_column(\"users\", \"nick\", nullable=True)\n    op.execute(\"TRUNCATE sessions\")\n";
    let f = added_file(ALEMBIC_PATH, &alembic(up, "    pass\n"));
    assert_eq!(
        ids(&f),
        [
            "sql/drop-column",
            "sql/drop-column",
            "sql/drop-index",
            "sql/drop-constraint",
            "sql/column-type-narrowed",
            "sql/not-null-without-default",
            "sql/truncate"
        ]
    );
    assert!(f[0].message.contains("users.email"));
    assert!(f[1].message.contains("users.phone"), "{}", f[1].message);
    // existing_type= is the old type: Text to String(50) provably narrows.
    assert_eq!(f[4].severity, Severity::High);
    assert!(
        f[4].message
            .contains("users.bio from sa.Text() to sa.String(50), which narrows it"),
        "{}",
        f[4].message
    );
}

#[test]
fn alembic_type_changes_are_judged_against_existing_type() {
    let up =
        "    op.alter_column('users', 'name', existing_type=sa.String(100), type_=sa.String(10))
    op.alter_column('users', 'age', existing_type=sa.Integer(), type_=sa.BigInteger())
    op.alter_column('users', 'kind', existing_type=sa.String(20), type_=KindEnum())
    op.alter_column('users', 'bio', type_=sa.String(10))
";
    let f = added_file(
        ALEMBIC_PATH,
        &alembic(
            up,
            "    pass
",
        ),
    );
    assert_eq!(ids(&f), ["sql/column-type-narrowed"; 3]);
    assert_eq!(f[0].severity, Severity::High);
    assert!(
        f[0].message
            .contains("from sa.String(100) to sa.String(10)"),
        "{}",
        f[0].message
    );
    // Integer to BigInteger widens and is quiet; a type twokey does not know is medium with
    // both types named; without existing_type the old type is unknown.
    assert_eq!(f[1].severity, Severity::Medium);
    assert!(
        f[1].message.contains("from sa.String(20) to KindEnum()"),
        "{}",
        f[1].message
    );
    assert_eq!(f[2].severity, Severity::Medium);
    assert!(
        f[2].message.contains("no existing_type"),
        "{}",
        f[2].message
    );
}

#[test]
fn alembic_batch_calls_name_the_batch_table_whatever_the_variable() {
    let up = "    with op.batch_alter_table(\"accounts\", schema=None) as b:\n        b.drop_column(\"token\")\n        b.alter_column(\"name\", new_column_name=\"full_name\")\n";
    let f = added_file(ALEMBIC_PATH, &alembic(up, "    pass\n"));
    assert_eq!(ids(&f), ["sql/drop-column", "sql/rename"]);
    assert!(f[0].message.contains("accounts.token"), "{}", f[0].message);
    assert!(
        f[1].message.contains("accounts.name to full_name"),
        "{}",
        f[1].message
    );
}

#[test]
fn alembic_helpers_called_from_upgrade_run_forward_and_others_do_not() {
    let text = "from alembic import op\n\n\ndef _drop_legacy():\n    op.drop_table(\"legacy\")\n\n\ndef _drop_new():\n    op.drop_table(\"new\")\n\n\ndef upgrade():\n    _drop_legacy()\n\n\ndef downgrade():\n    _drop_new()\n";
    let f = added_file(ALEMBIC_PATH, text);
    assert_eq!(ids(&f), ["sql/drop-table"]);
    assert_eq!(f[0].location.line, Some(5));
    assert!(f[0].message.contains("legacy"), "{}", f[0].message);
}

#[test]
fn alembic_built_sql_interpolating_only_a_quoted_value_is_quiet() {
    let up = "    for value in EVENTS:\n        op.execute(f\"ALTER TYPE auditevent ADD VALUE IF NOT EXISTS '{value}'\")\n        op.execute(f\"DELETE FROM audit WHERE kind = '{value}'\")\n";
    assert_eq!(
        ids(&added_file(ALEMBIC_PATH, &alembic(up, "    pass\n"))),
        Vec::<&str>::new()
    );
}

#[test]
fn alembic_built_sql_interpolating_a_name_or_clause_still_needs_a_human() {
    for call in [
        "op.execute(f\"ALTER TYPE {name} ADD VALUE 'x'\")",
        "op.execute(f\"DELETE FROM audit WHERE {condition}\")",
        "op.execute(f\"DELETE FROM audit WHERE kind = '{a}' OR {b}\")",
        "op.execute(f\"{statement}\")",
    ] {
        let f = added_file(
            ALEMBIC_PATH,
            &alembic(&format!("    {call}\n"), "    pass\n"),
        );
        assert_eq!(ids(&f), ["sql/unparseable"], "{call}");
    }
}

#[test]
fn alembic_existing_call_is_quiet() {
    let old = alembic("    op.drop_table(\"audits\")\n", "    pass\n");
    let new = alembic("    # gone\n    op.drop_table( \"audits\" )\n    op.add_column(\"t\", sa.Column(\"x\", sa.Integer))\n", "    pass\n");
    assert!(modified(ALEMBIC_PATH, &old, &new).is_empty());
}

// ---- Prisma ----

const PRISMA_PATH: &str = "prisma/schema.prisma";
const SCHEMA: &str = "datasource db {\n  provider = \"postgresql\"\n  url      = env(\"DATABASE_URL\")\n}\n\nmodel User {\n  id    Int     @id @default(autoincrement())\n  email String  @unique\n  name  String?\n  posts Post[]\n}\n\nmodel Post {\n  id       Int    @id\n  title    String @db.VarChar(200)\n  author   User   @relation(fields: [authorId], references: [id])\n  authorId Int\n}\n";

#[test]
fn prisma_removed_field_is_reported_at_its_base_line() {
    let f = modified(
        PRISMA_PATH,
        SCHEMA,
        &SCHEMA.replace("  name  String?\n", ""),
    );
    assert_eq!(ids(&f), ["sql/drop-column"]);
    assert_eq!(f[0].location.side, Side::Base);
    assert_eq!(f[0].location.line, Some(9));
    assert!(f[0].message.contains("User.name"));
}

#[test]
fn prisma_removed_model_is_a_table_drop() {
    let head = SCHEMA
        .replace("  posts Post[]\n", "")
        .split("model Post")
        .next()
        .unwrap_or("")
        .to_owned();
    let f = modified(PRISMA_PATH, SCHEMA, &head);
    assert_eq!(ids(&f), ["sql/drop-table"]);
    assert_eq!(f[0].location.line, Some(13));
    assert_eq!(f[0].severity, Severity::High);
}

#[test]
fn prisma_reordered_models_and_removed_relation_fields_are_quiet() {
    let mut parts: Vec<&str> = SCHEMA.split("\n\n").collect();
    parts.swap(1, 2);
    let reordered = parts.join("\n\n");
    assert!(modified(PRISMA_PATH, SCHEMA, &reordered).is_empty());
    // `posts Post[]` is a relation, not a column.
    assert!(modified(PRISMA_PATH, SCHEMA, &SCHEMA.replace("  posts Post[]\n", "")).is_empty());
    // A model renamed but mapped to its old table keeps the table.
    let renamed = SCHEMA
        .replace("model User {", "model Account {\n  @@map(\"User\")")
        .replace("User   @relation", "Account @relation");
    assert!(
        modified(PRISMA_PATH, SCHEMA, &renamed).is_empty(),
        "{:?}",
        modified(PRISMA_PATH, SCHEMA, &renamed)
    );
}

#[test]
fn prisma_narrowed_native_type_is_high_and_required_without_default_is_medium() {
    let head = SCHEMA
        .replace("@db.VarChar(200)", "@db.VarChar(80)")
        .replace("name  String?", "name  String");
    let f = modified(PRISMA_PATH, SCHEMA, &head);
    assert_eq!(
        ids(&f),
        ["sql/not-null-without-default", "sql/column-type-narrowed"]
    );
    assert_eq!(f[0].severity, Severity::Medium);
    // Both types are in the schema, so the narrowing is proven.
    assert_eq!(f[1].severity, Severity::High);
    assert!(f[1].message.contains("which narrows"), "{}", f[1].message);
    assert_eq!(f[1].location.line, Some(15));
    // Widening is quiet; a change twokey cannot judge stays medium.
    let wider = SCHEMA.replace("@db.VarChar(200)", "@db.VarChar(400)");
    assert!(modified(PRISMA_PATH, SCHEMA, &wider).is_empty());
    let unclear = SCHEMA.replace("@db.VarChar(200)", "@db.Uuid");
    let f = modified(PRISMA_PATH, SCHEMA, &unclear);
    assert_eq!(ids(&f), ["sql/column-type-narrowed"]);
    assert_eq!(f[0].severity, Severity::Medium);
}

#[test]
fn prisma_required_field_added_to_an_existing_model_without_default() {
    let head = SCHEMA.replace(
        "model Post {\n",
        "model Post {\n  age Int\n  rank Int @default(0)\n  note String?\n  tags String[]\n",
    );
    assert_ne!(head, SCHEMA);
    let f = modified(PRISMA_PATH, SCHEMA, &head);
    assert_eq!(ids(&f), ["sql/not-null-without-default"]);
    assert!(f[0].message.contains("Post.age"), "{}", f[0].message);
    // A new model's required fields are a new, empty table's.
    let new_model = format!("{SCHEMA}\nmodel Tag {{\n  id Int @id\n  label String\n}}\n");
    assert!(modified(PRISMA_PATH, SCHEMA, &new_model).is_empty());
}

#[test]
fn prisma_unclosed_model_is_unparseable() {
    let f = modified(PRISMA_PATH, SCHEMA, "model User {\n  id Int @id\n");
    assert_eq!(ids(&f), ["sql/unparseable"]);
}

const ENUM_SCHEMA: &str = "model User {\n  id   Int  @id\n  role Role @default(USER)\n}\n\nenum Role {\n  USER\n  ADMIN // staff only\n  GUEST @map(\"guest\")\n}\n";

#[test]
fn prisma_value_removed_from_an_enum_is_high_and_names_the_enum_and_the_value() {
    let head = ENUM_SCHEMA.replace("  GUEST @map(\"guest\")\n", "");
    let f = modified(PRISMA_PATH, ENUM_SCHEMA, &head);
    assert_eq!(ids(&f), ["sql/column-type-narrowed"]);
    assert_eq!(f[0].severity, Severity::High);
    assert_eq!(f[0].location.side, Side::Base);
    assert_eq!(f[0].location.line, Some(9));
    for part in ["value guest", "enum Role", "User.role"] {
        assert!(f[0].message.contains(part), "{part}: {}", f[0].message);
    }
    // Commenting the value out removes it all the same.
    let commented = ENUM_SCHEMA.replace("  ADMIN //", "  // ADMIN");
    assert_eq!(
        ids(&modified(PRISMA_PATH, ENUM_SCHEMA, &commented)),
        ["sql/column-type-narrowed"]
    );
}

#[test]
fn prisma_enum_values_added_reordered_or_renamed_in_code_only_are_quiet() {
    for head in [
        ENUM_SCHEMA.replace("  USER\n", "  USER\n  OWNER\n"),
        ENUM_SCHEMA.replace("  USER\n  ADMIN // staff only\n", "  ADMIN\n  USER\n"),
        // The database still stores `guest`.
        ENUM_SCHEMA.replace("GUEST @map", "VISITOR @map"),
        // The enum renamed in code, its database type kept.
        ENUM_SCHEMA
            .replace("enum Role {", "enum UserRole {\n  @@map(\"Role\")")
            .replace("role Role", "role UserRole"),
    ] {
        let f = modified(PRISMA_PATH, ENUM_SCHEMA, &head);
        assert!(f.is_empty(), "{head}: {f:?}");
    }
}

#[test]
fn prisma_enum_renamed_whole_is_judged_by_the_values_its_fields_lose() {
    let renamed = ENUM_SCHEMA
        .replace("enum Role {", "enum UserRole {")
        .replace("role Role", "role UserRole");
    let f = modified(PRISMA_PATH, ENUM_SCHEMA, &renamed);
    assert!(f.is_empty(), "{f:?}");
    let narrower = renamed.replace("  ADMIN // staff only\n", "");
    let f = modified(PRISMA_PATH, ENUM_SCHEMA, &narrower);
    assert_eq!(ids(&f), ["sql/column-type-narrowed"]);
    assert_eq!(f[0].severity, Severity::High);
    assert_eq!(f[0].location.side, Side::Head);
    assert!(
        f[0].message
            .contains("enum Role to UserRole, which has no ADMIN"),
        "{}",
        f[0].message
    );
}

#[test]
fn prisma_enum_removed_with_its_fields_leaves_the_field_removal_to_speak() {
    let head = "model User {\n  id   Int  @id\n}\n";
    let f = modified(PRISMA_PATH, ENUM_SCHEMA, head);
    assert_eq!(ids(&f), ["sql/drop-column"]);
    assert!(f[0].message.contains("User.role"), "{}", f[0].message);
    let unclosed = ENUM_SCHEMA.strip_suffix("}\n").unwrap_or("");
    assert_eq!(
        ids(&modified(PRISMA_PATH, ENUM_SCHEMA, unclosed)),
        ["sql/unparseable"]
    );
}

// ---- Liquibase ----

const LIQUIBASE_PATH: &str = "db/changelog/db.changelog-master.yaml";
const CHANGELOG: &str = "databaseChangeLog:\n  - changeSet:\n      id: 1\n      author: ana\n      changes:\n        - dropTable:\n            tableName: legacy\n";

#[test]
fn liquibase_new_change_set_dropping_a_table_is_a_finding() {
    let head = format!("{CHANGELOG}  - changeSet:\n      id: 2\n      author: bo\n      changes:\n        - dropColumn:\n            tableName: users\n            columnName: email\n        - modifyDataType:\n            tableName: users\n            columnName: bio\n            newDataType: varchar(50)\n        - delete:\n            tableName: sessions\n        - sql:\n            sql: DROP VIEW v\n      rollback:\n        - dropTable:\n            tableName: whatever\n");
    let f = modified(LIQUIBASE_PATH, CHANGELOG, &head);
    assert_eq!(
        ids(&f),
        [
            "sql/drop-column",
            "sql/column-type-narrowed",
            "sql/delete-without-where",
            "sql/drop-view"
        ]
    );
    assert_eq!(f[0].location.line, Some(12), "the `- dropColumn:` line");
    assert!(f[0].message.contains("changeSet 2 by bo") && f[0].message.contains("users.email"));
    assert_eq!(f[1].severity, Severity::Medium);
}

#[test]
fn liquibase_old_change_set_unchanged_is_quiet_and_a_brand_new_file_reports_it() {
    let head = format!("{CHANGELOG}  - changeSet:\n      id: 2\n      author: bo\n      changes:\n        - createTable:\n            tableName: t\n");
    assert!(modified(LIQUIBASE_PATH, CHANGELOG, &head).is_empty());
    assert_eq!(
        ids(&added_file(LIQUIBASE_PATH, CHANGELOG)),
        ["sql/drop-table"]
    );
}

#[test]
fn liquibase_json_changelogs_are_read_and_run_on_change_sets_run_again() {
    let json = "{\"databaseChangeLog\": [{\"changeSet\": {\"id\": \"7\", \"author\": \"cy\", \"runOnChange\": true, \"changes\": [{\"sql\": {\"sql\": \"DELETE FROM cache\"}}, {\"renameTable\": {\"oldTableName\": \"a\", \"newTableName\": \"b\"}}]}}]}";
    let f = added_file("db/changelog.json", json);
    assert_eq!(ids(&f), ["sql/delete-without-where", "sql/rename"]);
    let edited = json.replace("\"b\"", "\"c\"");
    assert_eq!(modified("db/changelog.json", json, &edited).len(), 2);
    // Without runOnChange, databases that ran it refuse the edit (checksum), but those that
    // have not run it yet run the edited rename: only what the edit adds is reported.
    let not_rerun = json.replace("\"runOnChange\": true, ", "");
    let f = modified(
        "db/changelog.json",
        &not_rerun,
        &not_rerun.replace("\"b\"", "\"c\""),
    );
    assert_eq!(ids(&f), ["sql/rename"]);
    assert!(f[0].message.contains("checksum"));
}

fn change_set(id: &str, extra: &str, changes: &str) -> String {
    format!("  - changeSet:\n      id: {id}\n      author: bo\n{extra}      changes:\n{changes}")
}

#[test]
fn liquibase_sequences_procedures_and_merged_columns_are_destroyed_and_custom_code_needs_a_human() {
    let head = format!(
        "{CHANGELOG}{}",
        change_set(
            "2",
            "",
            "        - dropSequence:\n            sequenceName: order_seq\n        - dropProcedure:\n            procedureName: recalc\n        - renameSequence:\n            oldSequenceName: a\n            newSequenceName: b\n        - mergeColumns:\n            tableName: users\n            column1Name: first\n            column2Name: last\n            finalColumnName: full_name\n        - customChange:\n            class: com.acme.Purge\n        - executeCommand:\n            executable: psql\n"
        )
    );
    let f = modified(LIQUIBASE_PATH, CHANGELOG, &head);
    assert_eq!(
        ids(&f),
        [
            "sql/drop-sequence-or-function",
            "sql/drop-sequence-or-function",
            "sql/rename",
            "sql/drop-column",
            "sql/drop-column",
            "sql/unparseable",
            "sql/unparseable"
        ]
    );
    assert!(f[4].message.contains("users.last") && f[5].message.contains("com.acme.Purge"));
    let quiet = format!("{CHANGELOG}{}", change_set("2", "", "        - tagDatabase:\n            tag: v2\n        - dropDefaultValue:\n            tableName: users\n            columnName: bio\n"));
    assert!(modified(LIQUIBASE_PATH, CHANGELOG, &quiet).is_empty());
}

#[test]
fn liquibase_modify_data_type_is_judged_against_the_type_an_earlier_change_set_declared() {
    let create = format!("{CHANGELOG}{}", change_set("2", "", "        - createTable:\n            tableName: users\n            columns:\n              - column:\n                  name: bio\n                  type: varchar(2000)\n"));
    let retype = |ty: &str| {
        let head = format!("{create}{}", change_set("3", "", &format!("        - modifyDataType:\n            tableName: users\n            columnName: bio\n            newDataType: {ty}\n")));
        modified(LIQUIBASE_PATH, &create, &head)
    };
    let narrowed = retype("varchar(100)");
    assert_eq!(ids(&narrowed), ["sql/column-type-narrowed"]);
    assert_eq!(narrowed[0].severity, Severity::High);
    assert!(narrowed[0]
        .message
        .contains("from varchar(2000) to varchar(100)"));
    assert!(retype("varchar(4000)").is_empty());
    assert_eq!(retype("${bio.type}")[0].severity, Severity::Medium);
}

#[test]
fn liquibase_sql_file_is_read_from_the_repository_and_a_missing_one_needs_a_human() {
    let head = |path: &str| {
        format!("{CHANGELOG}{}", change_set("2", "", &format!("        - sqlFile:\n            path: {path}\n            relativeToChangelogFile: true\n")))
    };
    let run = |path: &str, sql: &str| {
        Case::modified(LIQUIBASE_PATH, CHANGELOG, &head(path))
            .with_file(Side::Head, "db/changelog/sql/purge.sql", sql)
            .run(analyze)
    };
    let f = run("sql/purge.sql", "TRUNCATE TABLE audit_log;\n");
    assert_eq!(ids(&f), ["sql/truncate"]);
    assert!(f[0].message.contains("sqlFile sql/purge.sql"));
    assert!(run("sql/purge.sql", "INSERT INTO country VALUES ('FR');\n").is_empty());
    assert_eq!(ids(&run("sql/other.sql", "")), ["sql/unparseable"]);
}

#[test]
fn liquibase_run_always_a_widened_context_or_a_removed_continue_precondition_runs_an_applied_change_set(
) {
    let drop =
        "        - dropColumn:\n            tableName: users\n            columnName: email\n";
    let with = |extra: &str| format!("{CHANGELOG}{}", change_set("2", extra, drop));
    let plain = with("");
    let always = modified(LIQUIBASE_PATH, &plain, &with("      runAlways: true\n"));
    assert_eq!(ids(&always), ["sql/drop-column"]);
    assert!(always[0].message.contains("runAlways"));
    let dev = with("      context: dev\n");
    assert_eq!(
        ids(&modified(
            LIQUIBASE_PATH,
            &dev,
            &with("      context: dev or prod\n")
        )),
        ["sql/drop-column"]
    );
    assert_eq!(
        ids(&modified(LIQUIBASE_PATH, &dev, &plain)),
        ["sql/drop-column"]
    );
    let guarded = with("      preConditions:\n        - onFail: CONTINUE\n        - tableExists:\n            tableName: marker\n");
    assert_eq!(
        ids(&modified(LIQUIBASE_PATH, &guarded, &plain)),
        ["sql/drop-column"]
    );
    // Narrowing where it runs, or a MARK_RAN precondition removed, runs nothing new.
    assert!(modified(LIQUIBASE_PATH, &plain, &dev).is_empty());
    let marked = with("      preConditions:\n        - onFail: MARK_RAN\n");
    assert!(modified(LIQUIBASE_PATH, &marked, &plain).is_empty());
}

#[test]
fn liquibase_editing_an_applied_change_set_reports_only_what_the_edit_adds() {
    let base = format!(
        "{CHANGELOG}{}",
        change_set(
            "2",
            "",
            "        - dropColumn:\n            tableName: users\n            columnName: email\n"
        )
    );
    let edited = base.replace("columnName: email", "columnName: phone");
    let f = modified(LIQUIBASE_PATH, &base, &edited);
    assert_eq!(ids(&f), ["sql/drop-column"]);
    assert!(f[0].message.contains("users.phone") && f[0].message.contains("checksum"));
    let forced = edited.replace(
        "      changes:\n        - dropColumn",
        "      validCheckSum: ANY\n      changes:\n        - dropColumn",
    );
    assert_eq!(
        ids(&modified(LIQUIBASE_PATH, &base, &forced)),
        ["sql/drop-column"]
    );
    // Reformatting, or an edit that adds nothing destructive, is quiet.
    let reformatted = format!(
        "# cleanup\n{}",
        base.replace("tableName: users", "tableName: users   # owner: team-a")
    );
    assert!(modified(LIQUIBASE_PATH, &base, &reformatted).is_empty());
}

#[test]
fn liquibase_moved_changelog_runs_its_change_sets_again_unless_its_logical_path_is_pinned() {
    let f =
        Case::renamed(LIQUIBASE_PATH, "db/changelog/v1.yaml", CHANGELOG, CHANGELOG).run(analyze);
    assert_eq!(ids(&f), ["sql/drop-table"]);
    assert!(f[0].message.contains("logicalFilePath"));
    let pinned = CHANGELOG.replace(
        "databaseChangeLog:\n",
        "databaseChangeLog:\n  - logicalFilePath: db/changelog/db.changelog-master.yaml\n",
    );
    assert!(
        Case::renamed(LIQUIBASE_PATH, "db/changelog/v1.yaml", &pinned, &pinned)
            .run(analyze)
            .is_empty()
    );
}

#[test]
fn liquibase_xml_continue_precondition_removed_runs_the_change_set() {
    let set = |pre: &str| {
        format!("<databaseChangeLog>\n  <changeSet id=\"1\" author=\"ana\">\n    {pre}<dropTable tableName=\"legacy\"/>\n  </changeSet>\n</databaseChangeLog>\n")
    };
    let guarded = set("<preConditions onFail=\"CONTINUE\"><tableExists tableName=\"legacy\"/></preConditions>\n    ");
    assert_eq!(
        ids(&modified("db/changelog.xml", &guarded, &set(""))),
        ["sql/drop-table"]
    );
    assert!(modified("db/changelog.xml", &set(""), &guarded).is_empty());
}

#[test]
fn liquibase_broken_yaml_is_unparseable() {
    let f = modified(
        LIQUIBASE_PATH,
        CHANGELOG,
        "databaseChangeLog:\n  - changeSet: [\n",
    );
    assert_eq!(ids(&f), ["sql/unparseable"]);
}

const XML_PATH: &str = "src/main/resources/db/changelog/db.changelog-master.xml";
const XML_CHANGELOG: &str = r#"<?xml version="1.0" encoding="UTF-8"?>
<databaseChangeLog xmlns="http://www.liquibase.org/xml/ns/dbchangelog">
    <changeSet id="1" author="ana">
        <createTable tableName="users">
            <column name="id" type="bigint"/>
        </createTable>
    </changeSet>
</databaseChangeLog>
"#;

fn xml_with(change_set: &str) -> String {
    XML_CHANGELOG.replace(
        "</databaseChangeLog>",
        &format!("{change_set}</databaseChangeLog>"),
    )
}

#[test]
fn liquibase_xml_new_change_sets_are_read_like_yaml_ones() {
    let head = xml_with(
        r#"    <changeSet id="2" author="bo">
        <dropColumn tableName="users">
            <column name="email"/>
            <column name="phone"/>
        </dropColumn>
        <delete tableName="sessions"/>
        <delete tableName="tokens"><where>expires_at &lt; now()</where></delete>
        <sql splitStatements="false"><![CDATA[DROP TABLE audit_log]]></sql>
        <rollback>
            <dropTable tableName="whatever"/>
        </rollback>
    </changeSet>
"#,
    );
    let f = modified(XML_PATH, XML_CHANGELOG, &head);
    assert_eq!(
        ids(&f),
        [
            "sql/drop-column",
            "sql/drop-column",
            "sql/delete-without-where",
            "sql/drop-table"
        ]
    );
    assert_eq!(f[0].location.line, Some(9), "the <dropColumn> line");
    assert!(f[0].message.contains("users.email"), "{}", f[0].message);
    assert!(f[1].message.contains("users.phone"), "{}", f[1].message);
    assert!(f[2].message.contains("sessions"), "{}", f[2].message);
}

#[test]
fn liquibase_xml_old_change_sets_and_creations_are_quiet_and_broken_xml_needs_a_human() {
    let creation = xml_with(
        "    <changeSet id=\"2\" author=\"bo\">\n        <addColumn tableName=\"users\"><column name=\"bio\" type=\"text\"/></addColumn>\n    </changeSet>\n",
    );
    assert!(modified(XML_PATH, XML_CHANGELOG, &creation).is_empty());
    let dropping = XML_CHANGELOG.replace(
        "<createTable tableName=\"users\">\n            <column name=\"id\" type=\"bigint\"/>\n        </createTable>",
        "<dropTable tableName=\"users\"/>",
    );
    assert_eq!(ids(&added_file(XML_PATH, &dropping)), ["sql/drop-table"]);
    assert!(modified(XML_PATH, &dropping, &dropping.replace("ana\">", "ana\"> ")).is_empty());
    let broken = XML_CHANGELOG.replace("</changeSet>", "");
    let f = modified(XML_PATH, XML_CHANGELOG, &broken);
    assert_eq!(ids(&f), ["sql/unparseable"]);
}

proptest::proptest! {
    #[test]
    fn liquibase_xml_reader_never_panics(text in "(<|>|/|=|\"|databaseChangeLog|changeSet|dropTable| |\n|a|id|<!\\[CDATA\\[|\\]\\]>|&lt;|&){0,60}") {
        let _ = added_file(XML_PATH, &format!("<databaseChangeLog>{text}"));
    }
}

#[test]
fn frameworks_are_told_apart_by_path_and_content() {
    assert_eq!(
        Framework::detect("shop/migrations/0002_x.py", "class Migration"),
        Some(Framework::Django)
    );
    assert_eq!(
        Framework::detect("migrations/versions/ab_x.py", ""),
        Some(Framework::Alembic)
    );
    assert_eq!(
        Framework::detect("db/migrate/1_x.rb", ""),
        Some(Framework::Rails)
    );
    assert_eq!(
        Framework::detect("prisma/schema.prisma", ""),
        Some(Framework::Prisma)
    );
    assert_eq!(
        Framework::detect("changelog.yaml", "databaseChangeLog:"),
        Some(Framework::Liquibase)
    );
    assert_eq!(
        Framework::detect("changelog.xml", "<databaseChangeLog>"),
        Some(Framework::Liquibase)
    );
    assert_eq!(Framework::detect("pom.xml", "<project>"), None);
}

// ---- properties ----

fn prisma_schema(models: &[(String, Vec<String>)]) -> String {
    let mut s = String::from("datasource db {\n  provider = \"postgresql\"\n}\n");
    for (name, fields) in models {
        s.push_str(&format!("\nmodel {name} {{\n  id Int @id\n"));
        for f in fields {
            s.push_str(&format!("  {f} String?\n"));
        }
        s.push_str("}\n");
    }
    s
}

proptest! {
    #[test]
    fn scanners_never_panic_on_arbitrary_text(old in "\\PC{0,160}", new in "\\PC{0,160}") {
        for path in [DJANGO_PATH, RAILS_PATH, ALEMBIC_PATH, PRISMA_PATH, LIQUIBASE_PATH, "db/changelog.json", LARAVEL_PATH, "migrations/1_x.js", ECTO_PATH, EF_PATH] {
            let _ = modified(path, &old, &new);
        }
    }

    #[test]
    fn scanners_never_panic_on_migration_shaped_text(s in "(op\\.|migrations\\.|drop_table|RemoveField|remove_column|execute|RunSQL|def upgrade\\(\\):|def down|end|do|\\(|\\)|\"|'|\"\"\"|<<~SQL|SQL|#|,|:x|model X \\{|\\}|\\n|  ){0,40}") {
        for path in [DJANGO_PATH, RAILS_PATH, ALEMBIC_PATH, PRISMA_PATH, LIQUIBASE_PATH] {
            for f in added_file(path, &s) {
                let lines = s.lines().count().max(1) as u32;
                prop_assert!(f.location.line.is_none_or(|l| l >= 1 && l <= lines + 1));
            }
        }
    }

    #[test]
    fn c_like_and_elixir_scanners_never_panic_on_migration_shaped_text(s in "(Schema::drop|\\$table->dropColumn|knex\\.raw|queryRunner\\.query|migrationBuilder\\.DropTable|repo\\(\\)\\.query!|Ecto\\.Adapters\\.SQL\\.query|drop table|remove|execute|function down|def down do|down:|exports\\.down =|end|\\(|\\)|\\{|\\}|\"|'|`|\\$\\{|#\\{|<<<SQL|SQL|//|/\\*|\\*/|#|@\"|~s\\(|,|;|:x|\\n|  ){0,40}") {
        for path in [LARAVEL_PATH, "migrations/1_x.js", "src/migration/1-X.ts", ECTO_PATH, EF_PATH] {
            let text = if path.ends_with(".ts") { format!("implements MigrationInterface\n{s}") } else { s.clone() };
            for f in added_file(path, &text) {
                let lines = text.lines().count().max(1) as u32;
                prop_assert!(f.location.line.is_none_or(|l| l >= 1 && l <= lines + 1));
            }
        }
    }

    #[test]
    fn csharp_type_arguments_never_panic(s in "(migrationBuilder\\.AlterColumn|<|>|string|long\\?|,|\\.|\\[\\]|\\(|\\)|oldClrType: typeof\\(int\\)|maxLength: 5|oldMaxLength: 9|oldNullable: true|\"|// | |\\n){0,40}") {
        for open in 0..s.len() {
            if let Some(end) = scan::type_arguments_end(s.as_bytes(), open) {
                prop_assert!(end > open && end <= s.len());
            }
        }
        let text = ef(&s, "");
        for f in added_file(EF_PATH, &text) {
            let lines = text.lines().count().max(1) as u32;
            prop_assert!(f.location.line.is_none_or(|l| l >= 1 && l <= lines + 1));
        }
    }

    #[test]
    fn prisma_enum_reading_never_panics(old in "(enum |Role|model |User|role Role|\\{|\\}|@map\\(\"|@@map\\(\"|\"\\)|// |A|é|@|\\n| ){0,60}", new in "(enum |Role|model |User|role Role|\\{|\\}|@map\\(\"|@@map\\(\"|\"\\)|// |A|é|@|\\n| ){0,60}") {
        let f = modified(PRISMA_PATH, &old, &new);
        let lines = old.lines().count().max(new.lines().count()).max(1) as u32;
        for f in f {
            prop_assert!(f.location.line.is_none_or(|l| l >= 1 && l <= lines));
        }
    }

    #[test]
    fn prisma_reports_exactly_the_removed_model(
        names in proptest::collection::btree_set("[A-Z][a-z]{2,8}", 1..6),
        fields in proptest::collection::vec(proptest::collection::btree_set("[a-z]{3,8}", 0..4), 6),
        pick in 0usize..6,
    ) {
        let models: Vec<(String, Vec<String>)> = names
            .iter()
            .zip(&fields)
            .map(|(n, f)| (n.clone(), f.iter().filter(|f| f.as_str() != "id").cloned().collect()))
            .collect();
        let removed = pick % models.len();
        let mut head = models.clone();
        let gone = head.remove(removed);
        let f = modified(PRISMA_PATH, &prisma_schema(&models), &prisma_schema(&head));
        prop_assert_eq!(ids(&f), vec!["sql/drop-table"]);
        prop_assert!(f[0].message.contains(&format!("model {} ", gone.0)), "{}", f[0].message);
    }
}

// ---- Laravel ----

const LARAVEL_PATH: &str = "database/migrations/2024_01_01_000000_drop_users.php";

fn laravel(up: &str, down: &str) -> String {
    format!(
        "<?php\n\nuse Illuminate\\Database\\Migrations\\Migration;\nuse Illuminate\\Support\\Facades\\Schema;\n\nreturn new class extends Migration\n{{\n    public function up(): void\n    {{\n{up}    }}\n\n    public function down(): void\n    {{\n{down}    }}\n}};\n"
    )
}

#[test]
fn laravel_schema_and_blueprint_drops_in_up_are_findings_and_down_is_quiet() {
    let up = "        Schema::dropIfExists('users');\n        Schema::table('orders', function (Blueprint $table) {\n            $table->dropColumn('note');\n            $table->dropColumn(['a', 'b']);\n            $table->renameColumn('total', 'amount');\n            $table->dropForeign(['user_id']);\n        });\n        Schema::rename('carts', 'baskets');\n";
    let down = "        Schema::drop('orders');\n        Schema::table('orders', fn (Blueprint $t) => $t->dropColumn('x'));\n";
    let f = added_file(LARAVEL_PATH, &laravel(up, down));
    assert_eq!(
        ids(&f),
        [
            "sql/drop-table",
            "sql/drop-column",
            "sql/drop-column",
            "sql/rename",
            "sql/drop-constraint",
            "sql/rename"
        ]
    );
    assert_eq!(f[0].location.line, Some(10));
    assert!(
        f[0].message
            .contains("Schema::dropIfExists drops the table users"),
        "{}",
        f[0].message
    );
    assert!(
        f[1].message.contains("the column orders.note "),
        "{}",
        f[1].message
    );
    assert!(
        f[2].message.contains("the columns a, b of orders"),
        "{}",
        f[2].message
    );
    assert!(
        f[3].message.contains("orders.total to amount"),
        "{}",
        f[3].message
    );
    assert_eq!(f[4].severity, Severity::Low);
    assert!(
        f[5].message.contains("carts to baskets"),
        "{}",
        f[5].message
    );
}

#[test]
fn laravel_raw_sql_and_unfiltered_query_builder_calls() {
    let up = "        DB::statement('DROP TABLE legacy');\n        DB::table('sessions')->truncate();\n        DB::table('carts')->delete();\n        DB::table('carts')->where('id', 3)->delete();\n        DB::table('users')->update(['flag' => 0]);\n        $user->delete();\n        DB::unprepared(\"DELETE FROM $table\");\n        DB::statement($sql);\n";
    let f = added_file(LARAVEL_PATH, &laravel(up, ""));
    assert_eq!(
        ids(&f),
        [
            "sql/drop-table",
            "sql/truncate",
            "sql/delete-without-where",
            "sql/update-without-where",
            "sql/delete-without-where",
            "sql/unparseable"
        ]
    );
    assert!(
        f[0].message.starts_with("DB::statement runs SQL"),
        "{}",
        f[0].message
    );
    assert!(f[1].message.contains("sessions"));
    // Interpolated SQL is still read where it parses: a DELETE of some table, every row.
    assert!(
        f[4].message.starts_with("DB::unprepared runs SQL"),
        "{}",
        f[4].message
    );
    assert!(f[5].message.contains("`$sql`"), "{}", f[5].message);
}

#[test]
fn laravel_creations_comments_and_reformatting_are_quiet() {
    let up = "        Schema::create('users', function (Blueprint $table) {\n            $table->id();\n            $table->string('email');\n        });\n        // Schema::drop('users');\n        DB::statement('CREATE INDEX i ON users (email)');\n";
    assert!(added_file(LARAVEL_PATH, &laravel(up, "")).is_empty());
    let old = laravel("        Schema::drop('users');\n", "");
    let new = laravel(
        "        Schema::drop(\n            \"users\",\n        );\n",
        "",
    );
    assert!(modified(LARAVEL_PATH, &old, &new).is_empty());
}

// ---- Knex, Sequelize, TypeORM ----

#[test]
fn knex_drops_raw_sql_and_table_builder_columns_skip_down() {
    let js = "exports.up = async function (knex) {\n  await knex.schema.dropTable('users');\n  await knex.schema.table('orders', (table) => {\n    table.dropColumn('note');\n    table.renameColumn('total', 'amount');\n  });\n  await knex.raw('DROP TABLE legacy');\n  await knex.raw(`DELETE FROM ${name}`);\n  await knex('sessions').truncate();\n  await knex('carts').where('id', 1).del();\n};\n\nexports.down = function (knex) {\n  return knex.schema.dropTable('orders');\n};\n";
    let f = added_file("migrations/20240101_drop.js", js);
    assert_eq!(
        ids(&f),
        [
            "sql/drop-table",
            "sql/drop-column",
            "sql/rename",
            "sql/drop-table",
            "sql/unparseable",
            "sql/truncate"
        ]
    );
    assert_eq!(f[0].location.line, Some(2));
    assert!(f[0].message.contains("users"), "{}", f[0].message);
    assert!(f[1].message.contains("orders.note"), "{}", f[1].message);
    assert!(
        f[3].message.starts_with("knex.raw runs SQL"),
        "{}",
        f[3].message
    );
    // An arrow `up` whose whole body is the drop.
    let arrow = "exports.up = knex => knex.schema.dropTableIfExists('users');\nexports.down = knex => knex.schema.createTable('users', t => t.increments());\n";
    assert_eq!(
        ids(&added_file("migrations/1_x.js", arrow)),
        ["sql/drop-table"]
    );
}

#[test]
fn ghost_drop_column_helper_is_a_column_drop_and_its_add_column_helper_is_quiet() {
    let path = "ghost/core/core/server/data/migrations/versions/5.9/2023-01-01-drop-amp.js";
    let drop = "const {createDropColumnMigration} = require('../../utils');\n\nmodule.exports = createDropColumnMigration('posts', 'amp', {\n    type: 'text',\n    nullable: true\n});\n";
    let f = added_file(path, drop);
    assert_eq!(ids(&f), ["sql/drop-column"]);
    assert!(f[0].message.contains("posts.amp"), "{}", f[0].message);
    assert_eq!(f[0].location.line, Some(3));
    let add = "const {createAddColumnMigration} = require('../../utils');\n\nmodule.exports = createAddColumnMigration('posts', 'amp', {\n    type: 'text',\n    nullable: true\n});\n";
    assert!(added_file(path, add).is_empty());
}

#[test]
fn knex_template_literals_without_interpolation_are_read_and_harmless_ones_are_quiet() {
    let js = "export async function up(knex) {\n  await knex.raw(`CREATE INDEX i ON t (a)`);\n  await knex.raw(`ALTER TABLE t\n    DROP COLUMN c`);\n}\nexport async function down(knex) {\n  await knex.raw(`DROP INDEX i`);\n}\n";
    let f = added_file("db/migrations/20240101_idx.ts", js);
    assert_eq!(ids(&f), ["sql/drop-column"]);
    // Building SQL from a value is a human's to read, even when the text looks harmless.
    let built =
        "export async function up(knex) {\n  await knex.raw(`CREATE INDEX ${name} ON t (a)`);\n}\n";
    assert_eq!(
        ids(&added_file("db/migrations/2_x.ts", built)),
        ["sql/unparseable"]
    );
}

#[test]
fn sequelize_query_interface_calls_up_only() {
    let js = "'use strict';\n/** @type {import('sequelize-cli').Migration} */\nmodule.exports = {\n  async up(queryInterface, Sequelize) {\n    await queryInterface.removeColumn('Users', 'email');\n    await queryInterface.dropTable('Legacy');\n    await queryInterface.bulkDelete('Sessions', null, {});\n    await queryInterface.bulkDelete('Carts', { id: 3 });\n    await queryInterface.renameColumn('Users', 'name', 'fullName');\n    await queryInterface.sequelize.query('TRUNCATE \"Logs\"');\n  },\n  async down(queryInterface, Sequelize) {\n    await queryInterface.dropTable('Users');\n  },\n};\n";
    let f = added_file("migrations/20240101-rm.js", js);
    assert_eq!(
        ids(&f),
        [
            "sql/drop-column",
            "sql/drop-table",
            "sql/delete-without-where",
            "sql/rename",
            "sql/truncate"
        ]
    );
    assert!(f[0].message.contains("Users.email"), "{}", f[0].message);
    assert!(f[2].message.contains("Sessions"), "{}", f[2].message);
    assert!(
        f[3].message.contains("Users.name to fullName"),
        "{}",
        f[3].message
    );
}

#[test]
fn typeorm_generated_queries_and_query_runner_methods() {
    let ts = "import { MigrationInterface, QueryRunner } from \"typeorm\";\n\nexport class Drop1700000000000 implements MigrationInterface {\n    name = 'Drop1700000000000'\n\n    public async up(queryRunner: QueryRunner): Promise<void> {\n        await queryRunner.query(`ALTER TABLE \"user\" DROP COLUMN \"email\"`);\n        await queryRunner.dropTable('legacy');\n        await queryRunner.query(`CREATE INDEX \"IDX_1\" ON \"user\" (\"name\") `);\n        await queryRunner.query(sql);\n    }\n\n    public async down(queryRunner: QueryRunner): Promise<void> {\n        await queryRunner.query(`DROP INDEX \"IDX_1\"`);\n        await queryRunner.query(`ALTER TABLE \"user\" ADD \"email\" varchar`);\n    }\n}\n";
    let f = added_file("src/migrations/1700000000000-Drop.ts", ts);
    assert_eq!(
        ids(&f),
        ["sql/drop-column", "sql/drop-table", "sql/unparseable"]
    );
    assert_eq!(f[0].location.line, Some(7));
    assert!(
        f[0].message.starts_with("queryRunner.query runs SQL"),
        "{}",
        f[0].message
    );
    assert!(f[1].message.contains("legacy"));
}

// ---- Ecto ----

const ECTO_PATH: &str = "priv/repo/migrations/20240101000000_drop.exs";

#[test]
fn ecto_drops_removes_renames_and_execute_outside_down() {
    let ex = "defmodule Shop.Repo.Migrations.Drop do\n  use Ecto.Migration\n\n  def up do\n    drop table(:users)\n    drop_if_exists index(:orders, [:email])\n\n    alter table(:orders) do\n      remove :note\n      add :flag, :boolean\n    end\n\n    rename table(:carts), to: table(:baskets)\n    rename table(:orders), :total, to: :amount\n    execute \"TRUNCATE sessions\"\n    execute(\"DROP TABLE legacy\", \"CREATE TABLE legacy (id int)\")\n  end\n\n  def down do\n    drop table(:orders)\n    execute \"DROP TABLE baskets\"\n  end\nend\n";
    let f = added_file(ECTO_PATH, ex);
    assert_eq!(
        ids(&f),
        [
            "sql/drop-table",
            "sql/drop-index",
            "sql/drop-column",
            "sql/rename",
            "sql/rename",
            "sql/truncate",
            "sql/drop-table"
        ]
    );
    assert_eq!(f[0].location.line, Some(5));
    assert!(f[0].message.contains("the table users"), "{}", f[0].message);
    assert!(f[2].message.contains("orders.note"), "{}", f[2].message);
    assert!(
        f[3].message.contains("carts to baskets"),
        "{}",
        f[3].message
    );
    assert!(
        f[4].message.contains("orders.total to amount"),
        "{}",
        f[4].message
    );
    assert!(f[6].message.contains("legacy"), "{}", f[6].message);
}

#[test]
fn ecto_reversible_execute_reads_only_its_up_and_creations_are_quiet() {
    let ex = "defmodule M do\n  use Ecto.Migration\n\n  def change do\n    create table(:users) do\n      add :email, :string\n    end\n    # drop table(:users)\n    execute \"CREATE EXTENSION citext\", \"DROP EXTENSION citext\"\n  end\nend\n";
    assert!(added_file(ECTO_PATH, ex).is_empty());
    let opaque = "defmodule M do\n  use Ecto.Migration\n  def change do\n    execute \"DELETE FROM #{@table}\"\n    execute sql()\n  end\nend\n";
    assert_eq!(
        ids(&added_file(ECTO_PATH, opaque)),
        ["sql/unparseable", "sql/unparseable"]
    );
}

#[test]
fn ecto_sql_run_through_the_repo_is_checked_like_execute() {
    let ex = "defmodule M do\n  use Ecto.Migration\n\n  def up do\n    repo().query!(\"DROP TABLE legacy\")\n    repo().query(\"DELETE FROM sessions\", [])\n    Ecto.Adapters.SQL.query!(repo(), \"TRUNCATE carts\", [])\n    Shop.Repo.query!(\"ALTER TABLE users DROP COLUMN bio\")\n    repo().query! \"DROP TABLE audits\"\n  end\n\n  def down do\n    repo().query!(\"DROP TABLE baskets\")\n  end\nend\n";
    let f = added_file(ECTO_PATH, ex);
    assert_eq!(
        ids(&f),
        [
            "sql/drop-table",
            "sql/delete-without-where",
            "sql/truncate",
            "sql/drop-column",
            "sql/drop-table"
        ]
    );
    assert_eq!(f[0].location.line, Some(5));
    assert!(
        f[0].message.starts_with("repo(…).query! runs SQL"),
        "{}",
        f[0].message
    );
    assert!(f[0].message.contains("legacy"), "{}", f[0].message);
    assert!(
        f[2].message
            .starts_with("Ecto.Adapters.SQL.query! runs SQL"),
        "{}",
        f[2].message
    );
    assert!(f[4].message.contains("audits"), "{}", f[4].message);
}

#[test]
fn ecto_repo_queries_that_read_are_commented_or_interpolated_follow_execute() {
    let quiet = "defmodule M do\n  use Ecto.Migration\n  def change do\n    # repo().query!(\"DROP TABLE legacy\")\n    repo().query!(\"SELECT count(*) FROM users\")\n    repo().query!(\"DELETE FROM sessions WHERE expired\")\n    Reports.query(\"DROP TABLE x\")\n  end\nend\n";
    let f = added_file(ECTO_PATH, quiet);
    assert!(f.is_empty(), "{f:?}");
    let built = "defmodule M do\n  use Ecto.Migration\n  def change do\n    repo().query!(\"DELETE FROM #{@table}\")\n    repo().query!(sql)\n  end\nend\n";
    assert_eq!(
        ids(&added_file(ECTO_PATH, built)),
        ["sql/unparseable", "sql/unparseable"]
    );
    // Already in the base: not new.
    let old = "defmodule M do\n  use Ecto.Migration\n  def up do\n    repo().query!(\"DROP TABLE legacy\")\n  end\nend\n";
    let new = old.replace("  def up do\n", "  def up do\n    create table(:t)\n");
    assert!(modified(ECTO_PATH, old, &new).is_empty());
}

#[test]
fn ecto_repo_bulk_writes_over_every_row_are_unfiltered_deletes_and_updates() {
    let ex = "defmodule M do\n  use Ecto.Migration\n  import Ecto.Query\n\n  def up do\n    repo().delete_all(\"sessions\")\n    from(u in \"users\") |> repo().update_all(set: [admin: false])\n    Shop.Repo.delete_all(from c in Cart, select: c.id)\n    Goal\n    |> repo().delete_all()\n  end\n\n  def down do\n    repo().delete_all(\"audits\")\n  end\nend\n";
    let f = added_file(ECTO_PATH, ex);
    assert_eq!(
        ids(&f),
        [
            "sql/delete-without-where",
            "sql/update-without-where",
            "sql/delete-without-where",
            "sql/delete-without-where"
        ]
    );
    assert!(f[0].message.contains("sessions"), "{}", f[0].message);
    assert!(
        f[1].message
            .starts_with("repo(…).update_all over the table users with no where"),
        "{}",
        f[1].message
    );
    assert!(f[2].message.contains("the schema Cart"), "{}", f[2].message);
    assert!(f[3].message.contains("Goal"), "{}", f[3].message);
    assert_eq!(f[3].location.line, Some(10));
}

#[test]
fn ecto_repo_bulk_writes_that_filter_or_are_not_the_repos_stay_quiet() {
    let ex = "defmodule M do\n  use Ecto.Migration\n  import Ecto.Query\n\n  def up do\n    from(s in \"sessions\", where: s.expired == true) |> repo().delete_all()\n    repo().update_all(from(u in \"users\", join: o in \"orgs\", on: o.id == u.org_id), set: [x: 1])\n    User |> where([u], u.admin) |> repo().update_all(set: [admin: false])\n    repo().delete_all(query)\n    Cache.delete_all(\"sessions\")\n  end\nend\n";
    let f = added_file(ECTO_PATH, ex);
    assert!(f.is_empty(), "{f:?}");
}

// ---- EF Core ----

const EF_PATH: &str = "src/Shop.Data/Migrations/20240101000000_Drop.cs";

fn ef(up: &str, down: &str) -> String {
    format!("using Microsoft.EntityFrameworkCore.Migrations;\n\n#nullable disable\n\nnamespace Shop.Data.Migrations\n{{\n    /// <inheritdoc />\n    public partial class Drop : Migration\n    {{\n        /// <inheritdoc />\n        protected override void Up(MigrationBuilder migrationBuilder)\n        {{\n{up}        }}\n\n        /// <inheritdoc />\n        protected override void Down(MigrationBuilder migrationBuilder)\n        {{\n{down}        }}\n    }}\n}}\n")
}

#[test]
fn ef_core_operations_in_up_are_findings_and_down_is_quiet() {
    let up = "            migrationBuilder.DropTable(\n                name: \"Users\");\n\n            migrationBuilder.DropColumn(\n                name: \"Email\",\n                table: \"Orders\",\n                schema: \"billing\");\n\n            migrationBuilder.RenameColumn(\n                name: \"Total\",\n                table: \"Orders\",\n                newName: \"Amount\");\n\n            migrationBuilder.DropForeignKey(\n                name: \"FK_Orders_Users\",\n                table: \"Orders\");\n\n            migrationBuilder.Sql(\"DELETE FROM Sessions\");\n            migrationBuilder.Sql(@\"UPDATE Carts\n                SET Total = 0\");\n";
    let down = "            migrationBuilder.DropTable(name: \"Baskets\");\n";
    let f = added_file(EF_PATH, &ef(up, down));
    assert_eq!(
        ids(&f),
        [
            "sql/drop-table",
            "sql/drop-column",
            "sql/rename",
            "sql/drop-constraint",
            "sql/delete-without-where",
            "sql/update-without-where"
        ]
    );
    assert_eq!(
        (f[0].location.line, f[0].location.end_line),
        (Some(13), Some(14))
    );
    assert!(f[0].message.contains("the table Users"), "{}", f[0].message);
    assert!(
        f[1].message.contains("billing.Orders.Email"),
        "{}",
        f[1].message
    );
    assert!(
        f[2].message.contains("Orders.Total to Amount"),
        "{}",
        f[2].message
    );
    assert!(
        f[4].message.starts_with("migrationBuilder.Sql runs SQL"),
        "{}",
        f[4].message
    );
}

#[test]
fn ef_core_creations_and_interpolated_sql() {
    let up = "            migrationBuilder.CreateTable(\n                name: \"Users\",\n                columns: table => new { Id = table.Column<int>(nullable: false) });\n            migrationBuilder.AddColumn<string>(name: \"Email\", table: \"Users\", nullable: true);\n";
    assert!(added_file(EF_PATH, &ef(up, "")).is_empty());
    let built = "            migrationBuilder.Sql($\"DROP TABLE {table}\");\n";
    assert_eq!(
        ids(&added_file(EF_PATH, &ef(built, ""))),
        ["sql/unparseable"]
    );
}

fn ef_alter(args: &str) -> String {
    format!("            migrationBuilder.AlterColumn<string>(\n                name: \"Name\",\n                table: \"Users\",\n                {args});\n")
}

#[test]
fn ef_core_alter_column_that_narrows_is_high_and_widening_is_quiet() {
    for narrowing in [
        ef_alter("type: \"nvarchar(50)\",\n                maxLength: 50,\n                nullable: true,\n                oldClrType: typeof(string),\n                oldType: \"nvarchar(200)\",\n                oldMaxLength: 200,\n                oldNullable: true"),
        ef_alter("maxLength: 50,\n                oldClrType: typeof(string),\n                oldMaxLength: 200"),
        ef_alter("maxLength: 50,\n                oldClrType: typeof(string)"),
        ef_alter("type: \"nvarchar(80)\",\n                oldClrType: typeof(string),\n                oldType: \"nvarchar(max)\""),
        "            migrationBuilder.AlterColumn<int>(\n                name: \"Total\",\n                table: \"Users\",\n                type: \"int\",\n                oldClrType: typeof(long),\n                oldType: \"bigint\");\n".to_owned(),
        "            migrationBuilder.AlterColumn<int>(name: \"Total\", table: \"Users\", oldClrType: typeof(long));\n".to_owned(),
    ] {
        let f = added_file(EF_PATH, &ef(&narrowing, ""));
        assert_eq!(ids(&f), ["sql/column-type-narrowed"], "{narrowing}");
        assert_eq!(f[0].severity, Severity::High, "{narrowing}");
        assert!(f[0].message.contains("which narrows it"), "{}", f[0].message);
        assert!(f[0].message.contains("Users."), "{}", f[0].message);
        // The same call in Down() is the rollback, and commented out it is nothing.
        assert!(added_file(EF_PATH, &ef("", &narrowing)).is_empty());
        let commented: String = narrowing.lines().map(|l| format!("// {l}\n")).collect();
        assert!(added_file(EF_PATH, &ef(&commented, "")).is_empty());
    }
    for widening in [
        ef_alter("type: \"nvarchar(400)\",\n                maxLength: 400,\n                oldClrType: typeof(string),\n                oldType: \"nvarchar(200)\",\n                oldMaxLength: 200"),
        ef_alter("maxLength: 400,\n                oldClrType: typeof(string),\n                oldMaxLength: 200"),
        ef_alter("type: \"nvarchar(max)\",\n                oldClrType: typeof(string),\n                oldType: \"nvarchar(200)\""),
        ef_alter("oldClrType: typeof(string),\n                oldMaxLength: 200"),
        "            migrationBuilder.AlterColumn<long>(name: \"Total\", table: \"Users\", type: \"bigint\", oldClrType: typeof(int), oldType: \"int\");\n".to_owned(),
        "            migrationBuilder.AlterColumn<long>(name: \"Total\", table: \"Users\", oldClrType: typeof(int));\n".to_owned(),
    ] {
        let f = added_file(EF_PATH, &ef(&widening, ""));
        assert!(f.is_empty(), "{widening}: {f:?}");
    }
}

#[test]
fn ef_core_alter_column_twokey_cannot_judge_is_medium() {
    let guid = "            migrationBuilder.AlterColumn<Guid>(name: \"Key\", table: \"Users\", type: \"uuid\", oldClrType: typeof(string), oldType: \"text\");\n";
    let f = added_file(EF_PATH, &ef(guid, ""));
    assert_eq!(ids(&f), ["sql/column-type-narrowed"]);
    assert_eq!(f[0].severity, Severity::Medium);
    // Hand-written, without the old type: the change may narrow.
    let bare =
        "            migrationBuilder.AlterColumn<string>(\"Name\", \"Users\", maxLength: 20);\n";
    let f = added_file(EF_PATH, &ef(bare, ""));
    assert_eq!(ids(&f), ["sql/column-type-narrowed"]);
    assert_eq!(f[0].severity, Severity::Medium);
    assert!(f[0].message.contains("Users.Name"), "{}", f[0].message);
}

#[test]
fn ef_core_alter_column_to_not_null_needs_a_default_value() {
    for required in [
        ef_alter("type: \"nvarchar(max)\",\n                nullable: false,\n                oldClrType: typeof(string),\n                oldType: \"nvarchar(max)\",\n                oldNullable: true"),
        ef_alter("oldClrType: typeof(string),\n                oldNullable: true"),
    ] {
        let f = added_file(EF_PATH, &ef(&required, ""));
        assert_eq!(ids(&f), ["sql/not-null-without-default"], "{required}");
        assert_eq!(f[0].severity, Severity::Medium);
        assert!(f[0].message.contains("Users.Name NOT NULL"), "{}", f[0].message);
        assert!(added_file(EF_PATH, &ef("", &required)).is_empty());
    }
    for quiet in [
        // EF Core's scaffolding fills the NULLs with the default before altering.
        ef_alter("type: \"nvarchar(max)\",\n                nullable: false,\n                defaultValue: \"\",\n                oldClrType: typeof(string),\n                oldType: \"nvarchar(max)\",\n                oldNullable: true"),
        ef_alter("nullable: false,\n                defaultValueSql: \"N'none'\",\n                oldClrType: typeof(string),\n                oldNullable: true"),
        // Allowing NULL, or keeping NOT NULL, forbids nothing new.
        ef_alter("nullable: true,\n                oldClrType: typeof(string)"),
        ef_alter("nullable: false,\n                oldClrType: typeof(string)"),
    ] {
        let f = added_file(EF_PATH, &ef(&quiet, ""));
        assert!(f.is_empty(), "{quiet}: {f:?}");
    }
}

#[test]
fn ef_core_delete_data_of_seeded_rows_is_a_bounded_delete_and_quiet() {
    let up = "            migrationBuilder.DeleteData(\n                table: \"Roles\",\n                keyColumn: \"Id\",\n                keyValue: 3);\n            migrationBuilder.DeleteData(\n                table: \"Roles\",\n                keyColumn: \"Id\",\n                keyValues: new object[] { 4, 5 });\n";
    assert!(added_file(EF_PATH, &ef(up, "")).is_empty());
}

#[test]
fn new_frameworks_are_told_apart_by_path_and_content() {
    assert_eq!(
        Framework::detect(LARAVEL_PATH, ""),
        Some(Framework::Laravel)
    );
    assert_eq!(Framework::detect(ECTO_PATH, ""), Some(Framework::Ecto));
    assert_eq!(Framework::detect(EF_PATH, ""), Some(Framework::EfCore));
    assert_eq!(
        Framework::detect("migrations/1.js", "exports.up = knex => 1"),
        Some(Framework::Knex)
    );
    assert_eq!(
        Framework::detect(
            "migrations/1.js",
            "module.exports = { async up(queryInterface) {} }"
        ),
        Some(Framework::Sequelize)
    );
    assert_eq!(
        Framework::detect(
            "src/migration/1.ts",
            "class X implements MigrationInterface {}"
        ),
        Some(Framework::TypeOrm)
    );
    // A Sequelize migration whose parameter has another name still calls its methods.
    assert_eq!(
        Framework::detect(
            "migrations/1.js",
            "module.exports = { up: (qi) => qi.removeColumn('a', 'b') }"
        ),
        Some(Framework::Sequelize)
    );
    assert_eq!(
        Framework::detect(
            "migrations/1.js",
            "module.exports = class X { async up(queryRunner) {} }"
        ),
        Some(Framework::TypeOrm)
    );
}

// ---- formatting-only edits ----

#[test]
fn reformatting_an_old_migration_does_not_make_its_calls_new() {
    // black/ruff: quote style, exploded arguments with a magic trailing comma.
    let old = alembic("    op.drop_column('users', 'email')\n", "    pass\n");
    let new = alembic(
        "    op.drop_column(\n        \"users\",\n        \"email\",\n    )\n",
        "    pass\n",
    );
    assert!(modified(ALEMBIC_PATH, &old, &new).is_empty());
    let old = django("        migrations.RemoveField(model_name='user', name='email'),\n");
    let new = django("        migrations.RemoveField(\n            model_name=\"user\",\n            name=\"email\",\n        ),\n");
    assert!(modified(DJANGO_PATH, &old, &new).is_empty());
    // RuboCop and hand edits: parentheses, strings for symbols.
    let rails = |body: &str| {
        format!("class X < ActiveRecord::Migration[7.1]\n  def change\n    {body}\n  end\nend\n")
    };
    let old = rails("remove_column :users, :email");
    for same in [
        "remove_column(:users, :email)",
        "remove_column \"users\", 'email'",
    ] {
        assert!(
            modified(RAILS_PATH, &old, &rails(same)).is_empty(),
            "{same}"
        );
    }
    // Another column is another call.
    assert_eq!(
        ids(&modified(
            RAILS_PATH,
            &old,
            &rails("remove_column :users, :name")
        )),
        ["sql/drop-column"]
    );
}

#[test]
fn reformatted_calls_keep_strings_that_differ_apart() {
    let old = alembic("    op.execute('DELETE FROM a')\n", "    pass\n");
    let new = alembic("    op.execute(\"DELETE FROM b\")\n", "    pass\n");
    assert_eq!(
        ids(&modified(ALEMBIC_PATH, &old, &new)),
        ["sql/delete-without-where"]
    );
}

#[test]
fn rails_block_forms_name_the_table_not_the_block() {
    let text = "class X < ActiveRecord::Migration[7.1]\n  def change\n    drop_table :users do |t|\n      t.string :email\n    end\n    change_table :accounts do |t|\n      t.rename :name, :full_name\n      t.remove :email\n    end\n  end\nend\n";
    let f = added_file(RAILS_PATH, text);
    assert_eq!(ids(&f), ["sql/drop-table", "sql/rename", "sql/drop-column"]);
    assert!(
        f[0].message.contains("drops the table users and"),
        "{}",
        f[0].message
    );
    assert!(
        f[1].message.contains("renames accounts.name to full_name"),
        "{}",
        f[1].message
    );
    assert!(
        f[2].message
            .contains("drops the column accounts.email and its data"),
        "{}",
        f[2].message
    );
}

#[test]
fn rails_multi_database_migrations_are_read_like_db_migrate() {
    let text = "class DropDogs < ActiveRecord::Migration[7.1]\n  def change\n    drop_table :dogs\n  end\nend\n";
    let f = added_file("db/animals_migrate/20240101000000_drop_dogs.rb", text);
    assert_eq!(ids(&f), ["sql/drop-table"]);
    assert!(f[0].message.contains("dogs"));
}

// ---- data destroyed by ORM code, and SQL twokey cannot see ----

#[test]
fn rails_bulk_writes_on_a_whole_model_are_deletes_and_updates_without_where() {
    let text = "class X < ActiveRecord::Migration[7.1]\n  def up\n    User.delete_all\n    User.unscoped.update_all(email: nil)\n    Billing::Invoice.all.destroy_all\n    User.where(legacy: true).delete_all\n    User.inactive.update_all(flag: 1)\n    user.posts.delete_all\n  end\n\n  def down\n    Post.delete_all\n  end\nend\n";
    let f = added_file(RAILS_PATH, text);
    assert_eq!(
        ids(&f),
        [
            "sql/delete-without-where",
            "sql/update-without-where",
            "sql/delete-without-where"
        ]
    );
    assert_eq!(f[0].location.line, Some(3));
    assert!(
        f[0].message.starts_with("User.delete_all"),
        "{}",
        f[0].message
    );
    assert!(
        f[2].message.contains("Invoice.destroy_all"),
        "{}",
        f[2].message
    );
}

#[test]
fn raw_sql_given_no_literal_needs_a_human() {
    let rails = "class X < ActiveRecord::Migration[7.1]\n  def up\n    execute(sql)\n    execute <<~SQL\n      CREATE INDEX i ON t (a);\n    SQL\n  end\nend\n";
    let f = added_file(RAILS_PATH, rails);
    assert_eq!(ids(&f), ["sql/unparseable"]);
    assert!(f[0].message.contains("`sql`"), "{}", f[0].message);
    let f = added_file(
        DJANGO_PATH,
        &format!("SQL = 'DROP TABLE legacy'\n{}", django("        migrations.RunSQL(SQL),\n        migrations.RunSQL(migrations.RunSQL.noop),\n")),
    );
    assert_eq!(ids(&f), ["sql/unparseable"]);
    assert!(
        f[0].message
            .starts_with("migrations.RunSQL runs SQL held in `SQL`"),
        "{}",
        f[0].message
    );
    // A SQLAlchemy query in Alembic reads rows; it is not SQL text.
    let reads = alembic(
        "    conn = op.get_bind()\n    conn.execute(sa.select(users.c.id))\n",
        "    pass\n",
    );
    assert!(added_file(ALEMBIC_PATH, &reads).is_empty());
}

const RUN_PYTHON: &str = "from django.db import migrations\n\n\ndef forwards(apps, schema_editor):\n    User = apps.get_model(\"shop\", \"User\")\n    User.objects.all().delete()\n    apps.get_model(\"shop\", \"Cart\").objects.update(total=0)\n    User.objects.filter(legacy=True).delete()\n    User.objects.all().update(email=None)\n    schema_editor.execute(\"DROP TABLE shop_legacy\")\n\n\ndef backwards(apps, schema_editor):\n    apps.get_model(\"shop\", \"Order\").objects.all().delete()\n    schema_editor.execute(\"DROP TABLE shop_other\")\n\n\nclass Migration(migrations.Migration):\n    operations = [\n        migrations.RunPython(forwards, backwards),\n    ]\n";

#[test]
fn django_run_python_unfiltered_writes_and_schema_editor_sql_forward_only() {
    let f = added_file(DJANGO_PATH, RUN_PYTHON);
    assert_eq!(
        ids(&f),
        [
            "sql/delete-without-where",
            "sql/update-without-where",
            "sql/update-without-where",
            "sql/drop-table"
        ]
    );
    assert_eq!(f[0].location.line, Some(6));
    assert!(f[0].message.starts_with("User.objects"), "{}", f[0].message);
    assert!(f[1].message.contains("Cart"), "{}", f[1].message);
    assert!(
        f[3].message.starts_with("schema_editor.execute runs SQL"),
        "{}",
        f[3].message
    );
    // With a keyword reverse the same function is skipped.
    let keyword = RUN_PYTHON.replace(
        "RunPython(forwards, backwards)",
        "RunPython(code=forwards, reverse_code=backwards)",
    );
    assert_eq!(added_file(DJANGO_PATH, &keyword).len(), 4);
}

// ---- required columns added without a default ----

#[test]
fn alembic_add_column_not_null_without_server_default() {
    let up = "    op.add_column('users', sa.Column('age', sa.Integer(), nullable=False))\n    op.add_column('users', sa.Column('tier', sa.Integer(), nullable=False, server_default='0'))\n    op.add_column('users', sa.Column('nick', sa.String(), nullable=True))\n    with op.batch_alter_table('orders') as batch_op:\n        batch_op.add_column(sa.Column('total', sa.Integer(), nullable=False, default=0))\n";
    let f = added_file(ALEMBIC_PATH, &alembic(up, "    pass\n"));
    assert_eq!(
        ids(&f),
        [
            "sql/not-null-without-default",
            "sql/not-null-without-default"
        ]
    );
    assert_eq!(f[0].severity, Severity::Medium);
    assert!(f[0].message.contains("users.age"), "{}", f[0].message);
    assert!(f[1].message.contains("orders.total"), "{}", f[1].message);
}

#[test]
fn django_add_field_is_required_unless_null_or_default() {
    let ops = "        migrations.AddField(model_name='order', name='age', field=models.IntegerField()),\n        migrations.AddField(model_name='order', name='user', field=models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, to='shop.user')),\n        migrations.AddField(model_name='order', name='note', field=models.TextField(null=True)),\n        migrations.AddField(model_name='order', name='flag', field=models.BooleanField(default=False)),\n        migrations.AddField(model_name='order', name='tags', field=models.ManyToManyField(to='shop.tag')),\n        migrations.AddField(model_name='order', name='money', field=shop.fields.MoneyField(max_digits=9)),\n";
    let f = added_file(DJANGO_PATH, &django(ops));
    assert_eq!(
        ids(&f),
        [
            "sql/not-null-without-default",
            "sql/not-null-without-default",
            "sql/not-null-without-default"
        ]
    );
    assert!(
        f[0].message.contains("order.age as IntegerField"),
        "{}",
        f[0].message
    );
    assert!(
        f[1].message.contains("order.user as ForeignKey"),
        "{}",
        f[1].message
    );
    assert!(f[2].message.contains("MoneyField"), "{}", f[2].message);
    // A model created in the same migration has no rows.
    let created = django("        migrations.CreateModel(name='Order', fields=[]),\n        migrations.AddField(model_name='order', name='age', field=models.IntegerField()),\n");
    assert!(added_file(DJANGO_PATH, &created).is_empty());
}

#[test]
fn rails_add_column_null_false_without_default() {
    let text = "class X < ActiveRecord::Migration[7.1]\n  def change\n    add_column :users, :age, :integer, null: false\n    add_column :users, :tier, :integer, null: false, default: 0\n    add_column :users, :nick, :string\n    add_reference :users, :org, null: false, foreign_key: true\n    create_table :pets do |t|\n      t.string :name\n    end\n    add_column :pets, :kind, :string, null: false\n  end\nend\n";
    let f = added_file(RAILS_PATH, text);
    assert_eq!(
        ids(&f),
        [
            "sql/not-null-without-default",
            "sql/not-null-without-default"
        ]
    );
    assert!(f[0].message.contains("users.age"), "{}", f[0].message);
    assert!(f[1].message.contains("users.org_id"), "{}", f[1].message);
}

#[test]
fn alembic_messages_name_the_call_as_written_and_the_schema() {
    let up = "    op.drop_table(table_name='users', schema='billing')\n    conn = op.get_bind()\n    conn.execute(sa.text('DELETE FROM sessions'))\n    with op.batch_alter_table('orders') as batch_op:\n        batch_op.drop_column('note')\n    op.drop_column('carts', 'total', schema=None)\n";
    let f = added_file(ALEMBIC_PATH, &alembic(up, "    pass\n"));
    assert_eq!(
        ids(&f),
        [
            "sql/drop-table",
            "sql/delete-without-where",
            "sql/drop-column",
            "sql/drop-column"
        ]
    );
    assert!(
        f[0].message
            .starts_with("op.drop_table drops the table billing.users "),
        "{}",
        f[0].message
    );
    assert!(
        f[1].message.starts_with("conn.execute runs SQL"),
        "{}",
        f[1].message
    );
    assert!(
        f[2].message
            .starts_with("batch_op.drop_column drops the column orders.note"),
        "{}",
        f[2].message
    );
    assert!(
        f[3].message
            .starts_with("op.drop_column drops the column carts.total"),
        "{}",
        f[3].message
    );
}

#[test]
fn rails_scenic_drop_view_is_a_view_drop() {
    let text = "class X < ActiveRecord::Migration[7.1]\n  def change\n    drop_view :active_users, revert_to_version: 2\n    create_view :recent_users\n  end\nend\n";
    let f = added_file(RAILS_PATH, text);
    assert_eq!(ids(&f), ["sql/drop-view"]);
    assert!(
        f[0].message.contains("the view active_users"),
        "{}",
        f[0].message
    );
}

#[test]
fn ef_core_verbatim_sql_with_doubled_quotes_is_read_as_sql() {
    let up = "            migrationBuilder.Sql(@\"DELETE FROM \"\"Sessions\"\";\");\n";
    let f = added_file(EF_PATH, &ef(up, ""));
    assert_eq!(ids(&f), ["sql/delete-without-where"]);
    assert!(
        f[0].message.to_lowercase().contains("from sessions"),
        "{}",
        f[0].message
    );
}

#[test]
fn code_outside_a_recognised_rollback_is_read_as_forward_code() {
    // A helper is not `down`, whoever calls it: reading it costs a finding at worst.
    let php = "<?php\nreturn new class extends Migration {\n    public function up(): void { $this->cleanup(); }\n    private function cleanup(): void { Schema::drop('legacy'); }\n    public function down(): void { Schema::drop('other'); }\n};\n";
    let f = added_file(LARAVEL_PATH, php);
    assert_eq!(ids(&f), ["sql/drop-table"]);
    assert!(f[0].message.contains("legacy"), "{}", f[0].message);
    // A call named down is not a rollback either.
    let js = "exports.up = async (knex) => {\n  await down(knex);\n  await knex.schema.dropTable('users');\n};\n";
    assert_eq!(
        ids(&added_file("migrations/3_x.js", js)),
        ["sql/drop-table"]
    );
}

#[test]
fn other_javascript_tools_in_migrations_are_read_by_the_calls_they_share() {
    // node-pg-migrate.
    let js = "exports.up = (pgm) => {\n  pgm.dropTable('legacy');\n  pgm.sql('TRUNCATE sessions');\n};\nexports.down = (pgm) => {\n  pgm.sql('DROP TABLE users');\n};\n";
    let f = added_file("migrations/1700000000000_drop.js", js);
    assert_eq!(ids(&f), ["sql/drop-table", "sql/truncate"]);
    assert!(
        f[0].message
            .starts_with("pgm.dropTable drops the table legacy"),
        "{}",
        f[0].message
    );
    assert!(
        f[1].message.starts_with("pgm.sql runs SQL"),
        "{}",
        f[1].message
    );
}

#[test]
fn removals_keep_their_identity_whatever_the_optional_arguments() {
    let rails = |body: &str| {
        format!("class X < ActiveRecord::Migration[7.1]\n  def change\n    {body}\n  end\nend\n")
    };
    let old = rails("remove_column :users, :email");
    let new = rails("remove_column(:users, :email, :string, null: true)");
    assert!(modified(RAILS_PATH, &old, &new).is_empty());
    let old = django("        migrations.RemoveField(model_name='order', name='coupon'),\n        migrations.DeleteModel(name='Legacy'),\n");
    let new = django("        migrations.RemoveField('order', 'coupon'),\n        migrations.DeleteModel('Legacy'),\n");
    assert!(modified(DJANGO_PATH, &old, &new).is_empty());
    // Another field of the same model is another removal.
    let other = django("        migrations.RemoveField('order', 'note'),\n        migrations.DeleteModel('Legacy'),\n");
    assert_eq!(
        ids(&modified(DJANGO_PATH, &old, &other)),
        ["sql/drop-column"]
    );
}

// ---- Column redefinitions, renamed tables and the statements found probing real projects ----

#[test]
fn laravel_change_redefines_a_column_at_medium_and_only_forward() {
    let up = "        Schema::table('contacts', function (Blueprint $table) {\n            $table->string('nickname', 50)->change();\n            $table->integer('age')->nullable()->change();\n        });\n";
    let down = "        Schema::table('contacts', function (Blueprint $table) {\n            $table->text('nickname')->change();\n        });\n";
    let f = added_file(LARAVEL_PATH, &laravel(up, down));
    assert_eq!(
        ids(&f),
        ["sql/column-type-narrowed", "sql/column-type-narrowed"]
    );
    assert_eq!(f[0].severity, Severity::Medium);
    assert_eq!(f[0].location.line, Some(11));
    assert!(
        f[0].message.contains("contacts.nickname as string(50)")
            && f[0].message.contains("restates no nullability"),
        "{}",
        f[0].message
    );
    assert!(
        f[1].message.contains("restates only nullable"),
        "{}",
        f[1].message
    );

    // An old redefinition stays quiet when another column is added beside it; a second,
    // different one is new.
    let old = laravel(up, "");
    let new = laravel(&up.replace("        });\n", "            $table->boolean('vip')->default(false);\n            $table->string('city', 20)->change();\n        });\n"), "");
    let f = modified(LARAVEL_PATH, &old, &new);
    assert_eq!(ids(&f), ["sql/column-type-narrowed"]);
    assert!(f[0].message.contains("contacts.city"), "{}", f[0].message);
}

#[test]
fn laravel_drop_foreign_id_for_drops_the_column_named_after_the_model() {
    let up = "        Schema::table('posts', function (Blueprint $table) {\n            $table->dropForeignIdFor(\\App\\Models\\TeamUser::class);\n            $table->dropConstrainedForeignIdFor(User::class, 'owner_id');\n            $table->foreignIdFor(Account::class)->nullable();\n        });\n";
    let f = added_file(LARAVEL_PATH, &laravel(up, ""));
    assert_eq!(ids(&f), ["sql/drop-column", "sql/drop-column"]);
    assert!(
        f[0].message.contains("posts.team_user_id"),
        "{}",
        f[0].message
    );
    assert!(f[1].message.contains("posts.owner_id"), "{}", f[1].message);
}

#[test]
fn knex_alter_redefines_a_column_and_down_is_quiet() {
    let js = "exports.up = function (knex) {\n  return knex.schema.alterTable('posts', (table) => {\n    table.string('title', 50).notNullable().alter();\n    table.integer('views').defaultTo(0);\n  });\n};\n\nexports.down = function (knex) {\n  return knex.schema.alterTable('posts', (table) => {\n    table.text('title').alter();\n  });\n};\n";
    let f = added_file("migrations/20240101_title.js", js);
    assert_eq!(ids(&f), ["sql/column-type-narrowed"]);
    assert_eq!(f[0].severity, Severity::Medium);
    assert_eq!(f[0].location.line, Some(3));
    assert!(
        f[0].message.contains("posts.title as string(50)")
            && f[0].message.contains("restates only notNullable"),
        "{}",
        f[0].message
    );
}

#[test]
fn a_rollback_arrow_wrapped_to_the_next_line_is_quiet_and_the_forward_one_still_counts() {
    let quiet = "module.exports = {\n  up: async (queryInterface, Sequelize) => {\n    await queryInterface.addColumn('Users', 'age', { type: Sequelize.INTEGER });\n  },\n\n  down: async (queryInterface) =>\n    queryInterface.removeColumn('Users', 'age'),\n};\n";
    assert!(ids(&added_file("migrations/20240201-add-age.js", quiet)).is_empty());
    let knex = "export const up = (knex) =>\n  knex.schema.alterTable('users', (t) => {\n    t.string('zip');\n  });\n\nexport const down = (knex) =>\n  knex.schema.alterTable('users', (t) => {\n    t.dropColumn('zip');\n  });\n";
    assert!(ids(&added_file("migrations/20240301_add_zip.mjs", knex)).is_empty());
    // The same wrapping in the forward function is still read.
    let drops = "module.exports = {\n  up: async (queryInterface) =>\n    queryInterface.removeColumn('Users', 'age'),\n\n  down: async (queryInterface, Sequelize) =>\n    queryInterface.addColumn('Users', 'age', { type: Sequelize.INTEGER }),\n};\n";
    assert_eq!(
        ids(&added_file("migrations/20240201-drop-age.js", drops)),
        ["sql/drop-column"]
    );
}

#[test]
fn rails_change_column_to_unbounded_text_is_quiet_and_other_types_still_count() {
    let migration = |to: &str| {
        format!("class ChangeBio < ActiveRecord::Migration[7.1]\n  def up\n    change_column :users, :bio, {to}\n  end\n\n  def down\n    change_column :users, :bio, :string\n  end\nend\n")
    };
    let path = "db/migrate/20240301000000_change_bio.rb";
    assert!(ids(&added_file(path, &migration(":text"))).is_empty());
    for to in [":string", ":text, limit: 255", ":integer"] {
        assert_eq!(
            ids(&added_file(path, &migration(to))),
            ["sql/column-type-narrowed"],
            "{to}"
        );
    }
}

#[test]
fn sequelize_change_column_is_a_redefinition_twokey_cannot_judge() {
    let js = "module.exports = {\n  async up(queryInterface, Sequelize) {\n    await queryInterface.changeColumn('Users', 'bio', { type: Sequelize.STRING(100), allowNull: false });\n  },\n  async down(queryInterface, Sequelize) {\n    await queryInterface.changeColumn('Users', 'bio', { type: Sequelize.TEXT });\n  },\n};\n";
    let f = added_file("migrations/20240101-bio.js", js);
    assert_eq!(ids(&f), ["sql/column-type-narrowed"]);
    assert_eq!(f[0].severity, Severity::Medium);
    assert!(f[0].message.contains("Users.bio"), "{}", f[0].message);
}

#[test]
fn typeorm_change_column_may_drop_and_re_add_the_column() {
    let ts = "import { MigrationInterface, QueryRunner, TableColumn } from \"typeorm\";\n\nexport class Name1700000000000 implements MigrationInterface {\n    public async up(queryRunner: QueryRunner): Promise<void> {\n        await queryRunner.changeColumn(\"user\", \"name\", new TableColumn({ name: \"name\", type: \"varchar\", length: \"50\" }));\n    }\n\n    public async down(queryRunner: QueryRunner): Promise<void> {\n        await queryRunner.changeColumn(\"user\", \"name\", new TableColumn({ name: \"name\", type: \"text\" }));\n    }\n}\n";
    let f = added_file("src/migration/1700000000000-Name.ts", ts);
    assert_eq!(ids(&f), ["sql/drop-column"]);
    assert_eq!(f[0].severity, Severity::Medium);
    assert_eq!(f[0].location.line, Some(5));
    assert!(
        f[0].message.contains("drops the column and adds it again"),
        "{}",
        f[0].message
    );
}

#[test]
fn django_alter_model_table_renames_the_table_unless_the_migration_created_it() {
    let f = added_file(
        DJANGO_PATH,
        &django("        migrations.AlterModelTable(name=\"order\", table=\"shop_orders\"),\n        migrations.AlterModelTable(\"cart\", None),\n"),
    );
    assert_eq!(ids(&f), ["sql/rename", "sql/rename"]);
    assert!(
        f[0].message.contains("order to shop_orders"),
        "{}",
        f[0].message
    );
    assert!(
        f[1].message.contains("Django's default name"),
        "{}",
        f[1].message
    );

    let created = django("        migrations.CreateModel(name=\"Order\", fields=[(\"id\", models.AutoField(primary_key=True))]),\n        migrations.AlterModelTable(name=\"order\", table=\"shop_orders\"),\n        migrations.SeparateDatabaseAndState(state_operations=[migrations.AlterModelTable(name=\"cart\", table=\"carts\")]),\n");
    assert!(added_file(DJANGO_PATH, &created).is_empty());
}

#[test]
fn ecto_modify_with_from_is_judged_like_sql_and_without_it_needs_a_human() {
    let body = "    alter table(:users) do\n      modify :bio, :text, from: :string\n      modify :code, :string, size: 10, from: {:string, size: 40}\n      modify :age, :bigint, from: :integer\n      modify :name, :string\n      modify :owner_id, references(:users), from: references(:accounts)\n    end\n";
    let ex = format!("defmodule Shop.Repo.Migrations.Types do\n  use Ecto.Migration\n\n  def change do\n{body}  end\nend\n");
    let f = added_file(ECTO_PATH, &ex);
    assert_eq!(
        ids(&f),
        [
            "sql/column-type-narrowed",
            "sql/column-type-narrowed",
            "sql/column-type-narrowed"
        ]
    );
    let lines: Vec<_> = f.iter().map(|x| (x.location.line, x.severity)).collect();
    assert_eq!(
        lines,
        [
            (Some(7), Severity::High),
            (Some(9), Severity::Medium),
            (Some(10), Severity::Medium)
        ]
    );
    assert!(f[0].message.contains("users.code"), "{}", f[0].message);
    assert!(f[1].message.contains("no `from:`"), "{}", f[1].message);
}

#[test]
fn rails_statement_modifiers_guard_the_statement_and_are_not_its_arguments() {
    let body = "class Cleanup < ActiveRecord::Migration[7.1]\n  def change\n    remove_column :users, :legacy_id if column_exists?(:users, :legacy_id)\n    drop_table :audits unless ENV[\"KEEP\"]\n  end\nend\n";
    let f = added_file(RAILS_PATH, body);
    assert_eq!(ids(&f), ["sql/drop-column", "sql/drop-table"]);
    assert!(
        f[0].message.contains("users.legacy_id and its data"),
        "{}",
        f[0].message
    );
    assert!(
        f[1].message.contains("drop_table :audits drops"),
        "{}",
        f[1].message
    );

    // Guarding an old removal does not make it new.
    let old = "class Cleanup < ActiveRecord::Migration[7.1]\n  def change\n    remove_column :users, :legacy_id\n  end\nend\n";
    let new = "class Cleanup < ActiveRecord::Migration[7.1]\n  def change\n    remove_column :users, :legacy_id if column_exists?(:users, :legacy_id)\n  end\nend\n";
    assert!(modified(RAILS_PATH, old, new).is_empty());
}

#[test]
fn rails_connection_exec_methods_run_sql_like_execute() {
    let body = "class Cleanup < ActiveRecord::Migration[7.1]\n  def up\n    connection.exec_query(\"DELETE FROM audits\")\n    ActiveRecord::Base.connection.exec_update(\"UPDATE users SET admin = false\")\n    connection.exec_query(\"SELECT id FROM users WHERE admin\")\n  end\n\n  def down\n    connection.exec_delete(\"DELETE FROM users\")\n  end\nend\n";
    let f = added_file(RAILS_PATH, body);
    assert_eq!(
        ids(&f),
        ["sql/delete-without-where", "sql/update-without-where"]
    );
    assert!(
        f[0].message.starts_with("connection.exec_query runs SQL"),
        "{}",
        f[0].message
    );
}

#[test]
fn statements_inside_one_long_block_are_read_with_their_table() {
    // Thousands of statements in one `Schema::table` or `alter table` block: each names the
    // block's table (and the scan stays linear: the block is read once, not per statement).
    let drops: String = (0..3000)
        .map(|i| format!("            $table->dropColumn('c{i}');\n"))
        .collect();
    let up = format!(
        "        Schema::table('wide', function (Blueprint $table) {{\n{drops}        }});\n"
    );
    let f = added_file(LARAVEL_PATH, &laravel(&up, ""));
    assert_eq!(f.len(), 3000);
    assert!(
        f[2999].message.contains("wide.c2999"),
        "{}",
        f[2999].message
    );

    let removes: String = (0..3000).map(|i| format!("      remove :c{i}\n")).collect();
    let ex = format!("defmodule Shop.Repo.Migrations.Wide do\n  use Ecto.Migration\n\n  def change do\n    alter table(:wide) do\n{removes}    end\n    remove :outside\n  end\nend\n");
    let f = added_file(ECTO_PATH, &ex);
    assert_eq!(f.len(), 3001);
    assert!(
        f[2999].message.contains("wide.c2999"),
        "{}",
        f[2999].message
    );
    assert!(f[3000].message.contains("?.outside"), "{}", f[3000].message);
}

// ---- Flyway Java and Kotlin migrations ----

const FLYWAY_JAVA_PATH: &str = "src/main/java/com/shop/db/migration/V7__Purge_sessions.java";
const FLYWAY_KOTLIN_PATH: &str = "src/main/kotlin/db/migration/V8__Drop_legacy.kt";

fn java_migration(class: &str, body: &str) -> String {
    format!(
        "package com.shop.db.migration;\n\nimport org.flywaydb.core.api.migration.BaseJavaMigration;\nimport org.flywaydb.core.api.migration.Context;\n\npublic class {class} extends BaseJavaMigration {{\n    @Override\n    public void migrate(Context context) throws Exception {{\n{body}    }}\n}}\n"
    )
}

#[test]
fn flyway_java_statements_are_judged_as_sql() {
    let body = "        try (Statement st = context.getConnection().createStatement()) {\n            st.execute(\"DROP TABLE sessions\");\n            st.executeUpdate(\"DELETE FROM audit_log\");\n            st.addBatch(\"UPDATE users SET flag = 0\");\n        }\n        new JdbcTemplate(new SingleConnectionDataSource(context.getConnection(), true))\n            .execute(\"ALTER TABLE users \" +\n                     \"DROP COLUMN legacy_id\");\n        jdbc.update(\"TRUNCATE carts\");\n        jdbc.batchUpdate(\"DELETE FROM t WHERE id = 1\", \"DROP VIEW v\");\n        jdbc.batchUpdate(\"DELETE FROM t WHERE id = ?\", rows);\n";
    let f = added_file(
        FLYWAY_JAVA_PATH,
        &java_migration("V7__Purge_sessions", body),
    );
    assert_eq!(
        ids(&f),
        [
            "sql/drop-table",
            "sql/delete-without-where",
            "sql/update-without-where",
            "sql/drop-column",
            "sql/truncate",
            "sql/drop-view"
        ]
    );
    assert_eq!(f[0].location.line, Some(10));
    assert!(
        f[0].message.starts_with("st.execute runs SQL"),
        "{}",
        f[0].message
    );
    assert!(f[3].message.contains("legacy_id"), "{}", f[3].message);
}

#[test]
fn flyway_java_reads_text_blocks_and_prepared_statements() {
    let body = "        var c = context.getConnection();\n        c.createStatement().execute(\"\"\"\n            DROP TABLE orders_archive\n            \"\"\");\n        try (PreparedStatement ps = c.prepareStatement(\"DELETE FROM carts\")) {\n            ps.execute();\n        }\n";
    let f = added_file(
        FLYWAY_JAVA_PATH,
        &java_migration("V7__Purge_sessions", body),
    );
    assert_eq!(ids(&f), ["sql/drop-table", "sql/delete-without-where"]);
}

#[test]
fn flyway_java_reads_and_words_in_comments_or_logs_are_quiet() {
    let body = "        // st.execute(\"DROP TABLE sessions\");\n        /* DROP TABLE carts */\n        log.info(\"DROP TABLE sessions is not run here\");\n        st.execute(\"SELECT count(*) FROM sessions\");\n        st.executeUpdate(\"DELETE FROM sessions WHERE expires_at < now()\");\n        st.execute(\"CREATE TABLE t (id int)\");\n        ps.execute();\n        dsl.update(USERS);\n        st.execute(\"UPDATE users SET a = 1 WHERE id = '\" + id + \"'\");\n";
    let f = added_file(
        FLYWAY_JAVA_PATH,
        &java_migration("V7__Purge_sessions", body),
    );
    assert!(f.is_empty(), "{f:?}");
}

#[test]
fn flyway_java_sql_built_at_run_time_needs_a_human() {
    for call in [
        "st.execute(\"DROP TABLE \" + table);",
        "st.execute(String.format(\"DELETE FROM %s\", table));",
        "st.execute(\"TRUNCATE %s\".formatted(table));",
        "st.execute(sql);",
        "st.execute(\"SELECT * FROM \" + table);",
    ] {
        let body = format!("        {call}\n");
        let f = added_file(
            FLYWAY_JAVA_PATH,
            &java_migration("V7__Purge_sessions", &body),
        );
        assert_eq!(ids(&f), ["sql/unparseable"], "{call}");
    }
}

#[test]
fn flyway_sql_held_in_a_variable_assigned_a_literal_is_read() {
    let body = "        String create = \"CREATE TABLE IF NOT EXISTS tags (\"\n            + \"id int PRIMARY KEY)\";\n        PreparedStatement ps = connection.prepareStatement(create);\n        ps.execute();\n        statement.execute(DROP_OLD);\n        statement.execute(helper(\"x\"));\n    }\n    private static final String DROP_OLD = \"DROP TABLE tags_old\";\n    {\n";
    let f = added_file(
        FLYWAY_JAVA_PATH,
        &java_migration("V7__Purge_sessions", body),
    );
    assert_eq!(ids(&f), ["sql/drop-table", "sql/unparseable"], "{f:?}");
    // Changing only what the constant holds makes its call new.
    let old = java_migration(
        "V7__Purge_sessions",
        "        st.execute(SQL);\n    }\n    static final String SQL = \"SELECT 1\";\n    {\n",
    );
    let new = old.replace("\"SELECT 1\"", "\"TRUNCATE carts\"");
    assert_eq!(
        ids(&modified(FLYWAY_JAVA_PATH, &old, &new)),
        ["sql/truncate"]
    );
    let kotlin = "class V8__Drop_legacy : BaseJavaMigration() {\n    override fun migrate(context: Context) {\n        val sql: String = \"\"\"\n            DROP TABLE legacy\n        \"\"\"\n            .trimIndent()\n        context.connection.createStatement().use { it.execute(sql) }\n    }\n}\n";
    assert_eq!(
        ids(&added_file(FLYWAY_KOTLIN_PATH, kotlin)),
        ["sql/drop-table"]
    );
}

#[test]
fn flyway_undo_and_unchanged_statements_are_quiet() {
    let body = "        st.execute(\"DROP TABLE sessions\");\n";
    let undo = "src/main/java/db/migration/U7__Purge_sessions.java";
    assert!(added_file(undo, &java_migration("U7__Purge_sessions", body)).is_empty());
    let old = java_migration("V7__Purge_sessions", body);
    let new = old.replace("st.execute(\"DROP TABLE sessions\");", "st.execute(\n            \"DROP TABLE sessions\"\n        );\n        st.execute(\"SELECT 1\");");
    assert!(modified(FLYWAY_JAVA_PATH, &old, &new).is_empty());
}

#[test]
fn an_edited_flyway_repeatable_java_migration_runs_all_its_statements_again() {
    let old = java_migration(
        "R__Refresh",
        "        st.execute(\"TRUNCATE report_cache\");\n",
    );
    let new = old.replace(
        "TRUNCATE report_cache\");",
        "TRUNCATE report_cache\");\n        st.execute(\"SELECT 1\");",
    );
    let path = "src/main/java/db/migration/R__Refresh.java";
    assert_eq!(ids(&modified(path, &old, &new)), ["sql/truncate"]);
}

#[test]
fn flyway_kotlin_raw_strings_and_templates() {
    let text = "package db.migration\n\nclass V8__Drop_legacy : BaseJavaMigration() {\n    override fun migrate(context: Context) {\n        context.connection.createStatement().use {\n            it.execute(\"\"\"\n                |ALTER TABLE users\n                |  DROP COLUMN legacy\n            \"\"\".trimMargin())\n            it.execute(\"\"\"\n                DELETE FROM carts\n            \"\"\".trimIndent())\n            it.execute(\"DROP TABLE $table\")\n            it.execute(\"UPDATE t SET a = 1 WHERE id = '${id}'\")\n            it.execute(\"SELECT 1\") // DROP TABLE x\n        }\n    }\n}\n";
    let f = added_file(FLYWAY_KOTLIN_PATH, text);
    assert_eq!(
        ids(&f),
        [
            "sql/drop-column",
            "sql/delete-without-where",
            "sql/drop-table"
        ]
    );
    assert!(f[2].message.contains("$table"), "{}", f[2].message);
    assert_eq!(
        Framework::detect(FLYWAY_KOTLIN_PATH, ""),
        Some(Framework::Flyway)
    );
}

#[test]
fn flyway_sql_returned_by_a_method_or_held_in_a_qualified_field_is_read() {
    let body = "        st.execute(sql());\n        st.execute(this.purge);\n        st.execute(V7__Purge_sessions.CLEAN);\n        st.addBatch(dropSql(\"carts\"));\n    }\n    private String sql() {\n        return \"DROP TABLE \" +\n            \"legacy_users\";\n    }\n    private final String purge = \"TRUNCATE sessions\";\n    private static final String CLEAN = \"DELETE FROM cache\";\n    private static String dropSql(String t) throws SQLException {\n        return \"DROP TABLE \" + t;\n    }\n    {\n";
    let f = added_file(
        FLYWAY_JAVA_PATH,
        &java_migration("V7__Purge_sessions", body),
    );
    assert_eq!(
        ids(&f),
        [
            "sql/drop-table",
            "sql/truncate",
            "sql/delete-without-where",
            "sql/unparseable"
        ],
        "{f:?}"
    );
    assert!(f[0].message.contains("legacy_users"), "{}", f[0].message);
    // Built from its parameter: ranked by the DROP it holds.
    assert!(
        f[3].tags.contains(&crate::finding::Tag::Destructive),
        "{f:?}"
    );
    let kotlin = "class V8__Drop_legacy : BaseJavaMigration() {\n    private fun drop() = \"ALTER TABLE users DROP COLUMN email\"\n    private fun create(): String {\n        return \"\"\"\n            CREATE TABLE audit (id BIGINT)\n        \"\"\".trimIndent()\n    }\n    override fun migrate(context: Context) {\n        context.connection.createStatement().use { it.execute(drop()); it.execute(create()) }\n    }\n}\n";
    assert_eq!(
        ids(&added_file(FLYWAY_KOTLIN_PATH, kotlin)),
        ["sql/drop-column"]
    );
}

#[test]
fn flyway_kotlin_getters_and_jooq_base_classes_are_read() {
    let getter = "class V8__Drop_legacy : BaseJavaMigration() {\n    private val sql get() = \"DROP TABLE legacy\"\n    override fun migrate(context: Context) {\n        context.connection.createStatement().use { it.execute(sql) }\n    }\n}\n";
    assert_eq!(
        ids(&added_file(FLYWAY_KOTLIN_PATH, getter)),
        ["sql/drop-table"]
    );
    // A jOOQ migration base class in the same package needs no import to be read.
    let base = "public class V7__Purge_sessions extends JooqMigration {\n    protected void migrate(Ctx ctx) {\n        ctx.dropTable(\"legacy\").execute();\n    }\n}\n";
    assert_eq!(ids(&added_file(FLYWAY_JAVA_PATH, base)), ["sql/drop-table"]);
}

#[test]
fn flyway_methods_and_fields_that_only_create_are_quiet() {
    let body = "        st.execute(sql());\n        st.execute(this.index);\n    }\n    private String sql() {\n        String s = \"CREATE TABLE audit (id BIGINT)\";\n        return s;\n    }\n    private final String index = \"CREATE INDEX i ON audit (id)\";\n    {\n";
    let f = added_file(
        FLYWAY_JAVA_PATH,
        &java_migration("V7__Purge_sessions", body),
    );
    assert!(f.is_empty(), "{f:?}");
    // A method of another class says nothing the file can read: a human reads it.
    let other = java_migration("V7__Purge_sessions", "        st.execute(Sql.cleanup());\n");
    assert_eq!(
        ids(&added_file(FLYWAY_JAVA_PATH, &other)),
        ["sql/unparseable"]
    );
}

#[test]
fn flyway_batch_update_of_a_string_array_runs_each_statement() {
    let body = "        JdbcTemplate t = new JdbcTemplate(new SingleConnectionDataSource(context.getConnection(), true));\n        t.batchUpdate(new String[] {\"CREATE TABLE a (id INT)\", \"DROP TABLE tokens\"});\n        String[] more = {\"TRUNCATE carts\", \"CREATE INDEX i ON a (id)\"};\n        t.batchUpdate(more);\n        t.batchUpdate(List.of(\"DELETE FROM cache\").toArray(new String[0]));\n";
    let f = added_file(
        FLYWAY_JAVA_PATH,
        &java_migration("V7__Purge_sessions", body),
    );
    assert_eq!(
        ids(&f),
        ["sql/drop-table", "sql/truncate", "sql/delete-without-where"],
        "{f:?}"
    );
    let quiet = "        template.batchUpdate(new String[] {\"CREATE TABLE a (id INT)\", \"CREATE INDEX i ON a (id)\"});\n        template.batchUpdate(\"UPDATE users SET tier = ? WHERE id = ?\", rows);\n";
    let f = added_file(
        FLYWAY_JAVA_PATH,
        &java_migration("V7__Purge_sessions", quiet),
    );
    assert!(f.is_empty(), "{f:?}");
    let kotlin = "class V8__Drop_legacy : BaseJavaMigration() {\n    override fun migrate(context: Context) {\n        val t = JdbcTemplate(SingleConnectionDataSource(context.connection, true))\n        t.batchUpdate(*arrayOf(\"TRUNCATE TABLE a\", \"CREATE TABLE b (id INT)\"))\n    }\n}\n";
    assert_eq!(
        ids(&added_file(FLYWAY_KOTLIN_PATH, kotlin)),
        ["sql/truncate"]
    );
}

#[test]
fn sql_built_from_the_class_own_helpers_is_read_through_them() {
    let class = |helpers: &str| {
        format!(
            "package com.shop.db.migration;\n\npublic class V7__Purge_sessions extends BaseJavaMigration {{\n    private static final String TABLE = \"sessions\";\n{helpers}\n    @Override\n    public void migrate(Context context) throws Exception {{\n        try (Statement st = context.getConnection().createStatement()) {{\n            st.execute(sql() + \" CASCADE\");\n        }}\n    }}\n}}\n"
        )
    };
    // Two helpers deep, through a constant: the statement is read whole.
    let f = added_file(
        FLYWAY_JAVA_PATH,
        &class("    private String base() { return \"DROP TABLE \" + TABLE; }\n    private String sql() { return base(); }\n"),
    );
    assert_eq!(ids(&f), ["sql/drop-table"], "{f:?}");
    assert!(f[0].message.contains("sessions"), "{}", f[0].message);
    // Built from what the class creates: quiet.
    let f = added_file(
        FLYWAY_JAVA_PATH,
        &class("    private String sql() { return \"CREATE INDEX i ON \" + TABLE + \" (id)\"; }\n"),
    );
    assert!(f.is_empty(), "{f:?}");
    // A piece the file does not hold (a parameter) keeps the statement in a human's hands.
    let f = added_file(
        FLYWAY_JAVA_PATH,
        &class("    private String sql() { return \"DROP TABLE \" + System.getenv(\"T\"); }\n"),
    );
    assert!(
        !f.is_empty()
            && f.iter()
                .all(|x| x.rule.as_str() != "sql/drop-table" || x.message.contains("built")),
        "{f:?}"
    );
    // Helpers that call each other in a ring end.
    let f = added_file(
        FLYWAY_JAVA_PATH,
        &class("    private String sql() { return \"DROP TABLE \" + other(); }\n    private String other() { return sql(); }\n"),
    );
    assert!(!f.is_empty(), "{f:?}");
}

#[test]
fn jooq_builders_in_a_flyway_migration_are_judged_as_the_sql_they_run() {
    let body = "        DSLContext dsl = DSL.using(context.getConnection());\n        dsl.dropTable(\"legacy_users\").execute();\n        dsl.truncate(SESSIONS).execute();\n        dsl.deleteFrom(Tables.CARTS).execute();\n        dsl.deleteFrom(USERS).where(DSL.trueCondition()).execute();\n        dsl.alterTable(\"users\").dropColumn(\"email\").execute();\n        dsl.update(USERS).set(USERS.ROLE, \"user\").execute();\n        dsl.dropSchemaIfExists(\"reporting\").cascade().execute();\n        dsl.alterTable(USERS).renameColumn(USERS.NAME).to(\"full_name\").execute();\n        dsl.query(\"DELETE FROM tokens\").execute();\n";
    let f = added_file(
        FLYWAY_JAVA_PATH,
        &format!(
            "import org.jooq.impl.DSL;\n{}",
            java_migration("V7__Purge_sessions", body)
        ),
    );
    let mut got = ids(&f);
    got.sort_unstable();
    assert_eq!(
        got,
        [
            "sql/delete-without-where",
            "sql/delete-without-where",
            "sql/delete-without-where",
            "sql/drop-column",
            "sql/drop-schema",
            "sql/drop-table",
            "sql/rename",
            "sql/truncate",
            "sql/update-without-where",
        ],
        "{f:?}"
    );
    assert!(
        f.iter().any(|x| x.message.contains("DELETE FROM carts")),
        "{f:?}"
    );
    assert!(f.iter().any(|x| x.message.contains("\"email\"")), "{f:?}");
}

#[test]
fn jooq_builders_that_add_or_are_bounded_are_quiet() {
    let body = "        DSLContext dsl = DSL.using(context.getConnection());\n        dsl.createTable(\"audit\").column(\"id\", SQLDataType.BIGINT).execute();\n        dsl.alterTable(\"users\").addColumn(\"phone\", SQLDataType.VARCHAR(20)).execute();\n        dsl.deleteFrom(USERS)\n            .where(USERS.ACTIVE.eq(false))\n            .execute();\n        dsl.update(USERS).set(USERS.ROLE, \"user\").where(USERS.ROLE.isNull()).execute();\n        dsl.alterTable(USERS).alterColumn(USERS.BIO).set(SQLDataType.CLOB).execute();\n        Files.delete(path);\n        int n = dsl.selectCount().from(USERS).fetchOne(0, int.class);\n";
    let f = added_file(
        FLYWAY_JAVA_PATH,
        &format!(
            "import org.jooq.impl.DSL;\n{}",
            java_migration("V7__Purge_sessions", body)
        ),
    );
    assert!(f.is_empty(), "{f:?}");
    let kotlin = "import org.jooq.impl.DSL\nclass V8__Drop_legacy : BaseJavaMigration() {\n    override fun migrate(context: Context) {\n        val ctx = DSL.using(context.connection)\n        ctx.deleteFrom(SESSIONS)\n            .where(SESSIONS.EXPIRED.isTrue)\n            .execute()\n        ctx.alterTable(USERS).dropColumn(USERS.EMAIL).execute()\n    }\n}\n";
    assert_eq!(
        ids(&added_file(FLYWAY_KOTLIN_PATH, kotlin)),
        ["sql/drop-column"]
    );
}

#[test]
fn alembic_core_deletes_and_updates_without_where_are_row_loss() {
    let up = "    users = sa.table(\"users\", sa.column(\"id\"))\n    op.execute(sa.delete(users))\n    op.execute(users.delete())\n    op.execute(sa.update(users).values(active=False))\n    op.execute(sa.table(\"carts\").delete())\n";
    let f = added_file(ALEMBIC_PATH, &alembic(up, "    pass\n"));
    assert_eq!(
        ids(&f),
        [
            "sql/delete-without-where",
            "sql/delete-without-where",
            "sql/update-without-where",
            "sql/delete-without-where"
        ]
    );
    assert!(f[0].message.contains("users"), "{}", f[0].message);
    let quiet = "    op.execute(sa.delete(users).where(users.c.id == 1))\n    op.execute(users.delete(users.c.id == 1))\n    op.execute(sa.update(users).where(users.c.id == 1).values(active=False))\n    op.execute(sa.delete(users, whereclause=users.c.id == 1))\n    op.execute(sa.select(users))\n";
    let f = added_file(
        ALEMBIC_PATH,
        &alembic(quiet, "    op.execute(sa.delete(users))\n"),
    );
    assert!(f.is_empty(), "{f:?}");
}

proptest! {
    #[test]
    fn flyway_scanner_never_panics(s in "(st\\.execute|\\.executeUpdate|jdbc\\.update|prepareStatement|\\(|\\)|\"|\"\"\"|'|\\$|\\$\\{|\\}|\\+|//|/\\*|\\*/|\\.trimMargin\\(\\)|String\\.format|DROP TABLE x|\\||\\n| |sql\\(\\)|this\\.|return |fun |= |new String\\[\\] \\{|\\*arrayOf\\(|List\\.of\\(|\\.toArray\\(|DSL\\.using|dsl\\.dropTable\\(|\\.deleteFrom\\(|\\.alterTable\\(|\\.dropColumn\\(|\\.renameColumn\\(|\\.to\\(|\\.where\\(|\\.execute\\(\\)|,){0,40}") {
        let _ = flyway::calls("V1__x.java", &s);
        let _ = flyway::calls("V1__x.kt", &s);
    }
}

// ---- Declarative schemas: Atlas HCL ----

const ATLAS: &str = r#"schema "public" {
  comment = "standard public schema"
}

table "users" {
  schema = schema.public
  column "id" {
    null = false
    type = bigint
  }
  column "email" {
    null = false
    type = varchar(255)
  }
  column "name" {
    null = true
    type = text
  }
  primary_key {
    columns = [column.id]
  }
}

table "orders" {
  schema = schema.public
  column "id" {
    null = false
    type = int
  }
  primary_key {
    columns = [column.id]
  }
}
"#;

fn without_orders(schema: &str) -> String {
    let at = schema.find("table \"orders\"").unwrap_or(schema.len());
    schema[..at].to_owned()
}

#[test]
fn atlas_table_no_longer_declared_is_a_table_drop_by_schema_apply() {
    let f = modified("db/schema.hcl", ATLAS, &without_orders(ATLAS));
    assert_eq!(ids(&f), ["sql/drop-table"]);
    assert!(f[0].message.contains("public.orders"), "{}", f[0].message);
    assert!(
        f[0].message.contains("atlas schema apply"),
        "{}",
        f[0].message
    );
    assert_eq!(f[0].location.line, Some(24));
}

#[test]
fn atlas_column_removed_renamed_or_narrowed_is_reported_by_column() {
    let dropped = ATLAS.replace(
        "  column \"name\" {\n    null = true\n    type = text\n  }\n",
        "",
    );
    assert_eq!(
        ids(&modified("app.pg.hcl", ATLAS, &dropped)),
        ["sql/drop-column"]
    );
    let renamed = ATLAS.replace("column \"name\"", "column \"full_name\"");
    assert_eq!(
        ids(&modified("schema.my.hcl", ATLAS, &renamed)),
        ["sql/drop-column"]
    );
    let narrowed = ATLAS.replace("varchar(255)", "varchar(50)");
    let f = modified("db/schema.hcl", ATLAS, &narrowed);
    assert_eq!(ids(&f), ["sql/column-type-narrowed"]);
    assert_eq!(f[0].severity, Severity::High);
}

#[test]
fn atlas_schema_block_removed_drops_the_schema_and_its_tables() {
    let base = format!("{ATLAS}\nschema \"audit\" {{\n}}\n\ntable \"log\" {{\n  schema = schema.audit\n  column \"id\" {{\n    type = bigint\n  }}\n}}\n");
    assert_eq!(
        ids(&modified("db/schema.hcl", &base, ATLAS)),
        ["sql/drop-schema", "sql/drop-table"]
    );
}

#[test]
fn atlas_comments_reordering_defaults_widening_and_additions_are_quiet() {
    let base = ATLAS.replace("type = int", "type = int\n    default = 1");
    let head = base
        .replace("type = varchar(255)", "type = varchar(255) // RFC 5321")
        .replace("default = 1", "default = 2")
        .replace("type = int", "type = bigint")
        .replace(
            "  primary_key {\n    columns = [column.id]\n  }\n}\n\ntable \"orders\"",
            "  column \"bio\" {\n    null = true\n    type = text\n  }\n  primary_key {\n    columns = [column.id]\n  }\n}\n\n# placed orders\ntable \"orders\"",
        );
    assert_eq!(
        ids(&modified("db/schema.hcl", &base, &head)),
        Vec::<&str>::new()
    );
}

#[test]
fn atlas_table_moved_to_another_changed_file_of_the_directory_is_not_dropped() {
    let orders = &ATLAS[ATLAS.find("table \"orders\"").unwrap_or(0)..];
    let users = without_orders(ATLAS);
    let moved = Case::modified("db/schema/users.hcl", ATLAS, &users)
        .with_changed_file(Side::Head, "db/schema/orders.hcl", orders)
        .run(analyze);
    assert_eq!(ids(&moved), Vec::<&str>::new());
    // Moved, but a column lost on the way: judged against where it went.
    let narrowed = orders.replace("type = int", "type = smallint");
    let f = Case::modified("db/schema/users.hcl", ATLAS, &users)
        .with_changed_file(Side::Head, "db/schema/orders.hcl", &narrowed)
        .run(analyze);
    assert_eq!(ids(&f), ["sql/column-type-narrowed"]);
}

#[test]
fn atlas_schema_that_cannot_be_parsed_needs_a_human() {
    let broken = format!("{ATLAS}\ntable \"broken\" {{\n  schema = schema.public\n");
    assert_eq!(
        ids(&modified("db/schema.hcl", ATLAS, &broken)),
        ["sql/unparseable"]
    );
}

#[test]
fn atlas_schema_deleted_drops_what_it_declared_and_is_no_migration_deletion() {
    let case = Case::deleted("db/schema.hcl", ATLAS);
    assert_eq!(
        ids(&case.run(analyze)),
        ["sql/drop-schema", "sql/drop-table", "sql/drop-table"]
    );
    assert_eq!(
        ids(&case.run(crate::analyze::files::analyze)),
        Vec::<&str>::new()
    );
}

// ---- Declarative schemas: Drizzle ----

const DRIZZLE: &str = r#"import { pgTable, pgEnum, serial, text, varchar, integer } from "drizzle-orm/pg-core";

export const role = pgEnum("role", ["admin", "editor", "viewer"]);

export const users = pgTable("users", {
  id: serial("id").primaryKey(),
  email: varchar("email", { length: 255 }).notNull(),
  fullName: text("full_name"),
});

export const posts = pgTable("posts", {
  id: serial("id").primaryKey(),
  authorId: integer("author_id").references(() => users.id),
});
"#;

#[test]
fn drizzle_table_or_column_no_longer_declared_is_dropped_by_drizzle_kit() {
    let cut = DRIZZLE.find("export const posts").unwrap_or(DRIZZLE.len());
    let f = modified("src/db/schema.ts", DRIZZLE, &DRIZZLE[..cut]);
    assert_eq!(ids(&f), ["sql/drop-table"]);
    assert!(
        f[0].message.contains("drizzle-kit push"),
        "{}",
        f[0].message
    );
    let f = modified(
        "src/db/schema.ts",
        DRIZZLE,
        &DRIZZLE.replace(
            "fullName: text(\"full_name\")",
            "displayName: text(\"display_name\")",
        ),
    );
    assert_eq!(ids(&f), ["sql/drop-column"]);
    assert!(f[0].message.contains("users.full_name"), "{}", f[0].message);
}

#[test]
fn drizzle_renames_that_keep_database_names_and_widenings_are_quiet() {
    let head = DRIZZLE
        .replace("fullName: text(\"full_name\")", "name: text(\"full_name\")")
        .replace("export const posts", "export const articles")
        .replace(
            "integer(\"author_id\")",
            "bigint(\"author_id\", { mode: \"number\" })",
        )
        .replace("role\", [\"admin\",", "role\", [\"owner\", \"admin\",");
    assert_eq!(
        ids(&modified("src/db/schema.ts", DRIZZLE, &head)),
        Vec::<&str>::new()
    );
}

#[test]
fn drizzle_narrowed_length_required_column_and_lost_enum_value_are_reported() {
    let head = DRIZZLE
        .replace("length: 255", "length: 64")
        .replace(
            "  fullName",
            "  tenantId: integer(\"tenant_id\").notNull(),\n  fullName",
        )
        .replace("\"editor\", ", "");
    assert_eq!(
        ids(&modified("src/db/schema.ts", DRIZZLE, &head)),
        [
            "sql/column-type-narrowed",
            "sql/not-null-without-default",
            "sql/column-type-narrowed"
        ]
    );
}

#[test]
fn drizzle_pg_schema_table_removed_is_qualified_by_its_schema() {
    let base = DRIZZLE.replace(
        "export const posts",
        "export const auth = pgSchema(\"auth\");\n\nexport const tokens = auth.table(\"tokens\", {\n  id: serial(\"id\").primaryKey(),\n});\n\nexport const posts",
    );
    let f = modified("src/db/schema.ts", &base, DRIZZLE);
    assert_eq!(ids(&f), ["sql/drop-table"]);
    assert!(f[0].message.contains("auth.tokens"), "{}", f[0].message);
}

#[test]
fn prisma_model_moved_to_another_changed_file_of_the_schema_directory_is_not_dropped() {
    let user = "model User {\n  id    Int    @id\n  email String\n}\n";
    let post = "model Post {\n  id    Int    @id\n  title String\n}\n";
    let moved = |to: &str| {
        Case::modified(
            "prisma/schema/user.prisma",
            &format!("{user}\n{post}"),
            user,
        )
        .with_changed_file(Side::Head, "prisma/schema/post.prisma", to)
        .run(analyze)
    };
    assert_eq!(ids(&moved(post)), Vec::<&str>::new());
    assert_eq!(
        ids(&moved("model Post {\n  id    Int    @id\n}\n")),
        ["sql/drop-column"]
    );
}

fn rails_change(body: &str) -> Vec<Finding> {
    added_file(
        RAILS_PATH,
        &format!(
            "class Change < ActiveRecord::Migration[7.1]\n  def change\n    {body}\n  end\nend\n"
        ),
    )
}

#[test]
fn rails_create_table_with_force_drops_the_table_first() {
    let f = rails_change("create_table :users, force: true do |t|\n      t.string :email\n    end");
    assert_eq!(ids(&f), ["sql/drop-table"]);
    assert_eq!(f[0].severity, Severity::High);
    assert!(f[0].message.contains("force: true"), "{}", f[0].message);
    let f = rails_change("create_table(:users, force: :cascade) { |t| t.string :email }");
    assert_eq!(ids(&f), ["sql/drop-table"]);
    assert_eq!(f[0].severity, Severity::Critical);
    for quiet in [
        "create_table :users do |t|\n      t.string :email\n    end",
        "create_table :users, force: false do |t|\n      t.string :email\n    end",
    ] {
        assert!(rails_change(quiet).is_empty(), "{quiet}");
    }
}

#[test]
fn rails_renaming_an_enum_value_is_a_rename_and_adding_one_is_quiet() {
    let f = rails_change("rename_enum_value :mood, from: \"sad\", to: \"unhappy\"");
    assert_eq!(ids(&f), ["sql/rename"]);
    assert!(f[0].message.contains("sad"), "{}", f[0].message);
    assert!(rails_change("add_enum_value :mood, \"ecstatic\"").is_empty());
}

#[test]
fn django_alter_field_judged_against_its_history_says_what_it_does() {
    let f = django_alter("models.CharField(max_length=16, unique=True)");
    assert_eq!(ids(&f), ["sql/column-type-narrowed"]);
    assert_eq!(f[0].severity, Severity::High);
    assert!(
        f[0].message.contains("max_length 32 -> 16"),
        "{}",
        f[0].message
    );
    let f = django_alter("models.CharField(db_column=\"invoice_no\", max_length=32, unique=True)");
    assert_eq!(ids(&f), ["sql/rename"]);
    assert!(f[0].message.contains("invoice_no"), "{}", f[0].message);

    let initial = DJANGO_INITIAL.replace(
        "            ],",
        "                (\"note\", models.TextField(null=True)),\n            ],",
    );
    let alter = |field: &str| {
        let new = django(&format!("        migrations.AlterField(model_name=\"invoice\", name=\"note\", field={field}),\n"));
        Case::added(DJANGO_PATH, &new)
            .with_file(Side::Head, "shop/migrations/0001_initial.py", &initial)
            .run(analyze)
    };
    let f = alter("models.TextField()");
    assert_eq!(ids(&f), ["sql/not-null-without-default"]);
    // Django writes the default into the NULL rows before it sets NOT NULL.
    assert!(alter("models.TextField(default=\"\")").is_empty());
}

#[test]
fn django_emptied_unique_or_index_together_drops_them_and_other_values_are_quiet() {
    let run = |op: &str| added_file(DJANGO_PATH, &django(&format!("        migrations.{op},\n")));
    let f = run("AlterUniqueTogether(name=\"invoice\", unique_together=set())");
    assert_eq!(ids(&f), ["sql/drop-constraint"]);
    assert_eq!(f[0].severity, Severity::Low);
    let f = run("AlterIndexTogether(name=\"invoice\", index_together=set())");
    assert_eq!(ids(&f), ["sql/drop-index"]);
    assert!(run(
        "AlterUniqueTogether(name=\"invoice\", unique_together={(\"number\", \"amount\")})"
    )
    .is_empty());
}
