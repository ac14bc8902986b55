//! includes: task files and roles a play or task file pulls in (`import_tasks`,
//! `include_tasks`, `import_role`, `include_role`, a play's `roles:`), with the repository
//! paths they may stand at. A teardown file that sat unused deletes nothing until something
//! includes it, so a new include is judged by what the included file deletes. Pure: it names
//! the candidate paths; the caller reads them.

use super::tasks::short;
use crate::yaml::{Node, Value};

/// One include as written, and where its file may be, most likely first.
pub struct Include {
    /// What is included, as written: `teardown.yml`, `role db`.
    pub what: String,
    pub line: u32,
    pub candidates: Vec<String>,
}

/// Every include in a document of the file at `dir` (its directory, `""` at the root).
pub fn includes(doc: &Node, dir: &str, out: &mut Vec<Include>) {
    match &doc.value {
        Value::Seq(items) => items.iter().for_each(|i| includes(i, dir, out)),
        Value::Map(entries) => {
            for (key, value) in entries {
                match short(key) {
                    "import_tasks" | "include_tasks" => {
                        let file = value.as_str().or_else(|| value.get("file")?.as_str());
                        if let Some(file) = file.filter(|f| !f.contains("{{")) {
                            out.push(Include {
                                what: file.to_owned(),
                                line: value.line,
                                candidates: vec![
                                    join(dir, file),
                                    join(dir, &format!("tasks/{file}")),
                                ],
                            });
                        }
                    }
                    "import_role" | "include_role" => {
                        if let Some(role) = value.get("name").and_then(Node::as_str) {
                            let from = value.get("tasks_from").and_then(Node::as_str);
                            out.extend(role_include(role, from, value.line, dir));
                        }
                    }
                    "roles" => {
                        for entry in value.as_seq() {
                            let role = entry
                                .as_str()
                                .or_else(|| entry.get("role")?.as_str())
                                .or_else(|| entry.get("name")?.as_str());
                            if let Some(role) = role {
                                out.extend(role_include(role, None, entry.line, dir));
                            }
                        }
                    }
                    _ => includes(value, dir, out),
                }
            }
        }
        Value::Tagged(_, inner) => includes(inner, dir, out),
        _ => {}
    }
}

/// A role's task file, looked for in a `roles/` directory beside the including file or any
/// directory above it. A collection's role (`ns.collection.role`) lives outside the
/// repository.
fn role_include(role: &str, tasks_from: Option<&str>, line: u32, dir: &str) -> Option<Include> {
    if role.contains("{{") || role.contains('.') || role.contains('/') {
        return None;
    }
    let from = tasks_from.unwrap_or("main");
    let from = from.trim_end_matches(".yml").trim_end_matches(".yaml");
    let mut candidates = Vec::new();
    let mut at = Some(dir);
    while let Some(d) = at {
        for ext in ["yml", "yaml"] {
            candidates.push(join(d, &format!("roles/{role}/tasks/{from}.{ext}")));
        }
        at = (!d.is_empty()).then(|| d.rsplit_once('/').map_or("", |(parent, _)| parent));
    }
    Some(Include {
        what: format!("role `{role}`"),
        line,
        candidates,
    })
}

fn join(dir: &str, file: &str) -> String {
    if dir.is_empty() {
        file.to_owned()
    } else {
        format!("{dir}/{file}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn found(text: &str, dir: &str) -> Vec<(String, u32, Vec<String>)> {
        let mut out = Vec::new();
        for doc in crate::yaml::parse_documents(text).unwrap() {
            includes(&doc, dir, &mut out);
        }
        out.into_iter()
            .map(|i| (i.what, i.line, i.candidates))
            .collect()
    }

    #[test]
    fn task_files_and_roles_are_looked_for_where_ansible_looks() {
        let tasks = found(
            "- import_tasks: teardown.yml\n- ansible.builtin.include_tasks:\n    file: db.yml\n",
            "roles/app/tasks",
        );
        assert_eq!(tasks[0].2[0], "roles/app/tasks/teardown.yml");
        assert_eq!((tasks[1].0.as_str(), tasks[1].1), ("db.yml", 3));
        let roles = found(
            "- hosts: db\n  roles:\n    - common\n    - {role: teardown}\n    - acme.cloud.vpc\n",
            "playbooks",
        );
        assert_eq!(roles.len(), 2);
        assert_eq!(roles[1].0, "role `teardown`");
        assert_eq!(
            &roles[1].2[..3],
            [
                "playbooks/roles/teardown/tasks/main.yml",
                "playbooks/roles/teardown/tasks/main.yaml",
                "roles/teardown/tasks/main.yml"
            ]
        );
        let from = found("- include_role: {name: db, tasks_from: destroy}\n", "");
        assert_eq!(from[0].2[0], "roles/db/tasks/destroy.yml");
        // A templated name cannot be followed.
        assert!(found("- include_tasks: \"{{ action }}.yml\"\n", "").is_empty());
    }
}
