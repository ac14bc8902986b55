//! vars: deletions asked of a role through its variables. Roles for databases loop over a
//! list the inventory gives them (`mysql_databases`, `postgresql_users`) and pass each
//! item's `state` to the module, so an item marked `state: absent` in `group_vars/`,
//! `host_vars/`, a role's defaults or a play's `vars:` drops what it names on the next run.

use crate::finding::Severity;
use crate::yaml::{Node, Value};

/// A list item marked for removal.
pub struct Marked {
    /// The variable: `mysql_databases`.
    pub variable: String,
    pub name: String,
    pub severity: Severity,
    /// The `state: absent` line.
    pub line: u32,
}

/// What a list variable holds, by the end of its name, and the severity of removing one.
const LISTS: &[(&str, Severity)] = &[
    ("_databases", Severity::Critical),
    ("_dbs", Severity::Critical),
    ("_schemas", Severity::Critical),
    ("_buckets", Severity::Critical),
    ("_volumes", Severity::Critical),
    ("_users", Severity::Medium),
];

pub fn marked(node: &Node, out: &mut Vec<Marked>) {
    match &node.value {
        Value::Seq(items) => items.iter().for_each(|i| marked(i, out)),
        Value::Map(entries) => {
            for (key, value) in entries {
                match LISTS.iter().find(|(end, _)| key.ends_with(end)) {
                    Some((_, severity)) if matches!(value.value, Value::Seq(_)) => {
                        out.extend(value.as_seq().iter().filter_map(|item| {
                            let state = item.get("state")?;
                            (state.as_str()? == "absent").then(|| Marked {
                                variable: key.clone(),
                                name: ["name", "db", "bucket"]
                                    .iter()
                                    .find_map(|k| item.get(k)?.as_str())
                                    .unwrap_or_default()
                                    .to_owned(),
                                severity: *severity,
                                line: state.line,
                            })
                        }));
                    }
                    _ => marked(value, out),
                }
            }
        }
        Value::Tagged(_, inner) => marked(inner, out),
        _ => {}
    }
}

/// A variable that reads like a module's `state` (`app_db_state`, `state`) set to delete.
pub struct StateVar {
    pub variable: String,
    pub value: String,
    pub line: u32,
}

/// The top-level variables of a variables file (role defaults, `group_vars/`) named
/// `state` or `…_state` and set to `absent` or `terminated`.
pub fn states(doc: &Node, out: &mut Vec<StateVar>) {
    for (key, value) in doc.as_map() {
        if key != "state" && !key.ends_with("_state") {
            continue;
        }
        if let Some(v) = value
            .as_str()
            .filter(|v| matches!(*v, "absent" | "terminated"))
        {
            out.push(StateVar {
                variable: key.clone(),
                value: v.to_owned(),
                line: value.line,
            });
        }
    }
}

/// Words in a state variable's name that say it governs data or a running machine, for when
/// the role that reads it cannot be found (`group_vars/`): `app_db_state` is a database,
/// `nginx_state` a package.
const STATEFUL_WORDS: &[&str] = &[
    "db",
    "database",
    "data",
    "volume",
    "bucket",
    "disk",
    "storage",
    "cluster",
    "instance",
    "vm",
    "server",
    "stack",
    "namespace",
    "postgres",
    "postgresql",
    "mysql",
    "mariadb",
    "mongo",
    "mongodb",
    "redis",
    "elasticsearch",
    "opensearch",
];

pub fn names_stateful(variable: &str) -> bool {
    variable
        .split('_')
        .any(|w| STATEFUL_WORDS.contains(&w.to_ascii_lowercase().as_str()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(text: &str) -> Vec<(String, String, Severity, u32)> {
        let mut out = Vec::new();
        for doc in crate::yaml::parse_documents(text).unwrap() {
            marked(&doc, &mut out);
        }
        out.into_iter()
            .map(|m| (m.variable, m.name, m.severity, m.line))
            .collect()
    }

    #[test]
    fn items_marked_absent_in_lists_of_databases_and_users_are_found() {
        let text = "mysql_databases:\n  - name: shop\n  - name: legacy\n    state: absent\nmysql_users:\n  - {name: app, state: absent}\n";
        assert_eq!(
            names(text),
            [
                (
                    "mysql_databases".into(),
                    "legacy".into(),
                    Severity::Critical,
                    4
                ),
                ("mysql_users".into(), "app".into(), Severity::Medium, 6),
            ]
        );
    }

    #[test]
    fn other_lists_and_present_items_are_not() {
        let text = "nginx_vhosts:\n  - {server_name: a, state: absent}\npostgresql_databases:\n  - {name: shop, state: present}\n";
        assert!(names(text).is_empty());
    }
}
