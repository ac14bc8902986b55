//! view_swap: a view dropped and created again under the same name in one file, the way a
//! view's columns are changed (Postgres's `CREATE OR REPLACE VIEW` cannot drop, rename or
//! retype a column, so Flyway repeatable migrations and hand-written ones write
//! `DROP VIEW IF EXISTS v; CREATE VIEW v AS …`). A plain view holds no rows, so nothing is lost
//! when its new definition follows. Owns only recognising the pattern in one file's
//! statements; materialized views (their rows must be computed again) and `CASCADE` (it takes
//! the dependent views, which are not created again) never qualify.

use super::normalize_name;
use sqlparser::ast::{ObjectType, Statement};
use std::collections::HashSet;

/// The plain views `statements` drop (without `CASCADE`) and then create again under the same
/// name, by normalised name.
pub(super) fn redefined_views<'a>(
    statements: impl Iterator<Item = &'a Statement>,
) -> HashSet<String> {
    let mut dropped: HashSet<String> = HashSet::new();
    let mut redefined = HashSet::new();
    for statement in statements {
        match statement {
            Statement::Drop {
                object_type: ObjectType::View,
                names,
                cascade: false,
                ..
            } => dropped.extend(names.iter().map(normalize_name)),
            Statement::CreateView(view) if !view.materialized => {
                let name = normalize_name(&view.name);
                if dropped.contains(&name) {
                    redefined.insert(name);
                }
            }
            _ => {}
        }
    }
    redefined
}

#[cfg(test)]
mod tests {
    use super::*;
    use sqlparser::dialect::PostgreSqlDialect;
    use sqlparser::parser::Parser;

    fn redefined(sql: &str) -> Vec<String> {
        let statements = Parser::parse_sql(&PostgreSqlDialect {}, sql).expect("parses");
        let mut out: Vec<String> = redefined_views(statements.iter()).into_iter().collect();
        out.sort();
        out
    }

    #[test]
    fn a_view_dropped_then_created_again_is_redefined() {
        assert_eq!(
            redefined("DROP VIEW IF EXISTS active;\nCREATE VIEW active AS SELECT id FROM c;"),
            ["active"]
        );
    }

    #[test]
    fn cascade_materialized_other_names_and_creation_first_are_not() {
        assert!(redefined("DROP VIEW a CASCADE;\nCREATE VIEW a AS SELECT 1;").is_empty());
        assert!(redefined("DROP VIEW a;\nCREATE VIEW b AS SELECT 1;").is_empty());
        assert!(redefined("CREATE VIEW a AS SELECT 1;\nDROP VIEW a;").is_empty());
        assert!(
            redefined("DROP MATERIALIZED VIEW m;\nCREATE MATERIALIZED VIEW m AS SELECT 1;")
                .is_empty()
        );
    }
}
