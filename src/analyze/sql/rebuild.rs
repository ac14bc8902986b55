//! rebuild: the table rebuild SQLite needs for most schema changes, and that Prisma
//! ("RedefineTables"), Django, Alembic's batch mode and TypeORM write for it: create `new_t`,
//! copy the rows with `INSERT INTO new_t … SELECT … FROM t`, drop `t`, rename `new_t` to `t`.
//! The `DROP TABLE t` in it loses only what the copy leaves out, so it is not the drop of a
//! table with all its rows. Owns only recognising the pattern in one file's statements.

use super::normalize_name;
use sqlparser::ast::{
    AlterTableOperation, ObjectName, RenameTableNameKind, SetExpr, Statement, TableFactor,
    TableObject,
};
use std::collections::HashSet;

/// The tables `statements` rebuild, by normalised name: each is dropped after its rows were
/// copied into a table the same statements create, which is then renamed to its name.
pub(super) fn rebuilt_tables<'a>(
    statements: impl Iterator<Item = &'a Statement>,
) -> HashSet<String> {
    let mut created: HashSet<String> = HashSet::new();
    // (copy, source): rows of `source` copied into `copy`, in file order.
    let mut copied: Vec<(String, String)> = Vec::new();
    // Tables dropped after their rows were copied into a created table: (table, copy).
    let mut dropped: Vec<(String, String)> = Vec::new();
    let mut rebuilt = HashSet::new();
    for statement in statements {
        match statement {
            Statement::CreateTable(create) => {
                created.insert(normalize_name(&create.name));
            }
            Statement::Insert(insert) => {
                let (TableObject::TableName(target), Some(source)) =
                    (&insert.table, &insert.source)
                else {
                    continue;
                };
                let target = normalize_name(target);
                if let (true, Some(from)) = (created.contains(&target), only_source(&source.body)) {
                    copied.push((target, normalize_name(from)));
                }
            }
            Statement::Drop { names, .. } => {
                for name in names.iter().map(normalize_name) {
                    if let Some((copy, _)) = copied.iter().find(|(_, source)| *source == name) {
                        dropped.push((name, copy.clone()));
                    }
                }
            }
            Statement::AlterTable(alter) => {
                let from = normalize_name(&alter.name);
                for op in &alter.operations {
                    let AlterTableOperation::RenameTable { table_name } = op else {
                        continue;
                    };
                    let (RenameTableNameKind::As(to) | RenameTableNameKind::To(to)) = table_name;
                    let to = normalize_name(to);
                    if dropped.iter().any(|(t, copy)| *t == to && *copy == from) {
                        rebuilt.insert(to);
                    }
                }
            }
            _ => {}
        }
    }
    rebuilt
}

/// The one table a `SELECT` reads from, with no joins: the shape of a copy.
fn only_source(body: &SetExpr) -> Option<&ObjectName> {
    let SetExpr::Select(select) = body else {
        return None;
    };
    match select.from.as_slice() {
        [only] if only.joins.is_empty() => match &only.relation {
            TableFactor::Table { name, .. } => Some(name),
            _ => None,
        },
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use sqlparser::dialect::SQLiteDialect;
    use sqlparser::parser::Parser;

    fn rebuilt(sql: &str) -> Vec<String> {
        let statements = Parser::parse_sql(&SQLiteDialect {}, sql).expect("parses");
        let mut out: Vec<String> = rebuilt_tables(statements.iter()).into_iter().collect();
        out.sort();
        out
    }

    const REBUILD: &str = r#"
CREATE TABLE "new_User" ("id" INTEGER NOT NULL PRIMARY KEY, "email" TEXT NOT NULL);
INSERT INTO "new_User" ("email", "id") SELECT "email", "id" FROM "User";
DROP TABLE "User";
ALTER TABLE "new_User" RENAME TO "User";
"#;

    #[test]
    fn a_copy_dropped_and_renamed_back_is_a_rebuild() {
        assert_eq!(rebuilt(REBUILD), ["user"]);
    }

    #[test]
    fn any_missing_step_leaves_a_plain_drop() {
        let without = |needle: &str| {
            REBUILD
                .lines()
                .filter(|l| !l.starts_with(needle))
                .collect::<Vec<_>>()
                .join("\n")
        };
        // No copy, no rename back, a copy into a table that already existed.
        assert!(rebuilt(&without("INSERT")).is_empty());
        assert!(rebuilt(&without("ALTER")).is_empty());
        assert!(rebuilt(&without("CREATE")).is_empty());
        // Renamed to another name: `User` is gone.
        assert!(
            rebuilt(&REBUILD.replace(r#"RENAME TO "User""#, r#"RENAME TO "Account""#)).is_empty()
        );
        // Rows copied from elsewhere, or joined with another table.
        assert!(rebuilt(&REBUILD.replace(r#"FROM "User""#, r#"FROM "Old""#)).is_empty());
        assert!(rebuilt(&REBUILD.replace(
            r#"FROM "User""#,
            r#"FROM "User" JOIN "Team" ON "Team"."id" = "User"."id""#
        ))
        .is_empty());
        // The drop before the copy: nothing was copied yet.
        let early = r#"
CREATE TABLE "new_User" ("id" INTEGER);
DROP TABLE "User";
INSERT INTO "new_User" ("id") SELECT "id" FROM "User";
ALTER TABLE "new_User" RENAME TO "User";
"#;
        assert!(rebuilt(early).is_empty());
    }
}
