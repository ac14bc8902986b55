//! settings: the key/value configuration an application reads at start (Spring's
//! `application.yml` and `.properties`, `persistence.xml`, `hibernate.cfg.xml`, TypeORM's
//! `ormconfig.*`, `.env` files, a compose file's `environment:`, a manifest's `env:`), read
//! into flat [`Setting`]s with their line and profile, and judged by [`Known`]: which keys
//! make an ORM drop or rewrite the schema when the application starts.
//!
//! YAML and JSON go through twokey's YAML reader (JSON is YAML), XML through quick-xml;
//! `.properties` and `.env` lines are read here (`key=value`, nothing more to them).

use super::scope::Scope;
use crate::analyze::Unparseable;
use crate::change::Side;
use crate::yaml::{self, Node, Value};

/// A setting's key reduced the way Spring's relaxed binding compares keys: lower case,
/// only letters and digits, so `spring.jpa.hibernate.ddl-auto`, `ddlAuto` and
/// `SPRING_JPA_HIBERNATE_DDL_AUTO` are one key.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub(crate) struct SettingKey {
    /// The key as written, for messages.
    pub written: String,
    relaxed: String,
    /// The relaxed last segment (`synchronize` of `default.synchronize`).
    last: String,
}

impl SettingKey {
    pub(crate) fn new(written: &str) -> SettingKey {
        let relax = |s: &str| {
            s.chars()
                .filter(char::is_ascii_alphanumeric)
                .collect::<String>()
                .to_ascii_lowercase()
        };
        let last = written.rsplit(['.', '_']).next().unwrap_or(written);
        SettingKey {
            written: written.to_owned(),
            relaxed: relax(written),
            last: relax(last),
        }
    }
}

/// One setting as a file writes it.
#[derive(Debug, Clone)]
pub(crate) struct Setting {
    pub key: SettingKey,
    pub value: String,
    pub line: u32,
    /// The profile of the document it is in (Spring's `on-profile`), or the file's.
    pub scope: Scope,
    /// The document also points the application at an in-memory database
    /// (`jdbc:h2:mem:`), which starts empty whatever the schema mode does.
    pub in_memory: bool,
}

/// The settings that decide what an ORM does to the schema at start.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Known {
    /// `spring.jpa.hibernate.ddl-auto`, `hibernate.hbm2ddl.auto` (any prefix).
    HibernateDdl,
    /// `jakarta.persistence.schema-generation.database.action` (or `javax.`), and Quarkus'
    /// `quarkus.hibernate-orm.database.generation`.
    JpaAction,
    /// `spring.sql.init.mode` and Boot 2's `spring.datasource.initialization-mode`.
    SqlInitMode,
    /// TypeORM's `synchronize` (`TYPEORM_SYNCHRONIZE`).
    TypeOrmSynchronize,
    /// TypeORM's `dropSchema` (`TYPEORM_DROP_SCHEMA`).
    TypeOrmDropSchema,
    /// `spring.liquibase.drop-first`: Liquibase drops the schema before it updates.
    LiquibaseDropFirst,
    /// `spring.flyway.clean-on-validation-error` (`flyway.cleanOnValidationError`): Flyway
    /// cleans the schema when a migration fails validation.
    FlywayCleanOnError,
}

impl Known {
    /// The setting `key` is, if any. Bare `synchronize`/`dropSchema` keys count only in a
    /// TypeORM config file (`typeorm`), where they cannot be another tool's option.
    pub(crate) fn of(key: &SettingKey, typeorm: bool) -> Option<Known> {
        let k = key.relaxed.as_str();
        // Suffixes: the same keys appear under a compose service's `environment:` or a
        // container's `env:` (`services.api.environment.SPRING_JPA_HIBERNATE_DDL_AUTO`).
        if k.ends_with("springjpahibernateddlauto") || k.ends_with("hbm2ddlauto") {
            Some(Known::HibernateDdl)
        } else if k.ends_with("persistenceschemagenerationdatabaseaction")
            || (k.starts_with("quarkushibernateorm") && k.ends_with("databasegeneration"))
        {
            Some(Known::JpaAction)
        } else if k.ends_with("springsqlinitmode")
            || k.ends_with("springdatasourceinitializationmode")
        {
            Some(Known::SqlInitMode)
        } else if k.ends_with("typeormsynchronize") || typeorm && key.last == "synchronize" {
            Some(Known::TypeOrmSynchronize)
        } else if k.ends_with("typeormdropschema") || typeorm && key.last == "dropschema" {
            Some(Known::TypeOrmDropSchema)
        } else if k.ends_with("liquibasedropfirst") {
            Some(Known::LiquibaseDropFirst)
        } else if k.ends_with("flywaycleanonvalidationerror") {
            Some(Known::FlywayCleanOnError)
        } else {
            None
        }
    }

    /// Whether `value` makes the setting destructive: `Some(true)` it does, `Some(false)` it
    /// does not, `None` it cannot be told (a placeholder without a default). Spring's
    /// `${NAME:default}` is judged by its default.
    pub(crate) fn destroys(self, value: &str) -> Option<bool> {
        let value = value.trim().trim_matches(['"', '\'']);
        let value = match value.strip_prefix("${") {
            Some(inner) => inner.trim_end_matches('}').split_once(':')?.1,
            None => value,
        };
        let v: String = value
            .chars()
            .filter(char::is_ascii_alphanumeric)
            .collect::<String>()
            .to_ascii_lowercase();
        Some(match self {
            Known::HibernateDdl => matches!(v.as_str(), "create" | "createdrop" | "drop"),
            Known::JpaAction => matches!(v.as_str(), "dropandcreate" | "drop"),
            Known::SqlInitMode => v == "always",
            Known::TypeOrmSynchronize
            | Known::TypeOrmDropSchema
            | Known::LiquibaseDropFirst
            | Known::FlywayCleanOnError => matches!(v.as_str(), "true" | "1" | "yes"),
        })
    }
}

/// How a settings file is written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Format {
    /// YAML or JSON.
    Tree,
    /// `.properties` and `.env`: `key=value` lines.
    Lines,
    Xml,
}

impl Format {
    pub(crate) fn of(name: &str) -> Option<Format> {
        let lower = name.to_ascii_lowercase();
        let ext = lower.rsplit_once('.').map_or("", |(_, e)| e);
        if lower == ".env" || lower.starts_with(".env.") || ext == "env" {
            return Some(Format::Lines);
        }
        match ext {
            "yml" | "yaml" | "json" => Some(Format::Tree),
            "properties" => Some(Format::Lines),
            "xml" => Some(Format::Xml),
            _ => None,
        }
    }
}

/// The settings of one side of a file.
pub(crate) fn read(
    format: Format,
    side: Side,
    text: &str,
    file_scope: Scope,
    typeorm: bool,
) -> Result<Vec<Setting>, Unparseable> {
    let mut out = match format {
        Format::Tree => tree(side, text, file_scope, typeorm)?,
        Format::Lines => Ok(lines(text, file_scope))?,
        Format::Xml => xml(side, text, file_scope)?,
    };
    out.retain(|s| !s.value.is_empty());
    Ok(out)
}

/// The parts of a document that carry their own profile: TypeORM's named connections
/// (`[{ name: test, … }]`, or `test:` at the top of `ormconfig.yml`), else the document.
fn units(doc: &Node, typeorm: bool) -> Vec<(Option<Scope>, &Node)> {
    match &doc.value {
        Value::Seq(items) if typeorm => items
            .iter()
            .map(|item| {
                (
                    item.get("name")
                        .and_then(Node::as_str)
                        .map(Scope::of_profile),
                    item,
                )
            })
            .collect(),
        Value::Map(entries) if typeorm && entries.iter().all(|(_, v)| !v.as_map().is_empty()) => {
            entries
                .iter()
                .map(|(name, v)| (Some(Scope::of_profile(name)), v))
                .collect()
        }
        _ => vec![(None, doc)],
    }
}

fn tree(
    side: Side,
    text: &str,
    file_scope: Scope,
    typeorm: bool,
) -> Result<Vec<Setting>, Unparseable> {
    let docs = yaml::parse_documents_with_repeated_keys(text).map_err(|e| Unparseable {
        side,
        line: Some(e.line),
        reason: e.message,
    })?;
    let mut out = Vec::new();
    for (named, unit) in docs.iter().flat_map(|doc| units(doc, typeorm)) {
        let mut flat = Vec::new();
        flatten(unit, "", &mut flat);
        let profile = named.filter(|p| *p != Scope::Default).or_else(|| {
            flat.iter()
                .find(|(k, _, _)| {
                    let key = SettingKey::new(k);
                    key.relaxed == "springconfigactivateonprofile"
                        || key.relaxed == "springprofiles"
                })
                .map(|(_, v, _)| Scope::of_profile(v))
        });
        let scope = profile.unwrap_or(file_scope);
        let in_memory = flat.iter().any(|(k, v, _)| in_memory(k, v));
        out.extend(
            flat.into_iter()
                .map(|(k, value, line)| profiled(&k, value, line, scope, in_memory)),
        );
    }
    Ok(out)
}

/// A setting, with Quarkus' profile prefix (`%dev.quarkus.…`) read as its profile.
fn profiled(key: &str, value: String, line: u32, scope: Scope, in_memory: bool) -> Setting {
    let (key, scope) = match key.strip_prefix('%').and_then(|k| k.split_once('.')) {
        Some((profile, rest)) => (rest, Scope::of_profile(profile)),
        None => (key, scope),
    };
    Setting {
        key: SettingKey::new(key),
        value,
        line,
        scope,
        in_memory,
    }
}

/// Every scalar under its dotted path. Sequences add no segment; a `KEY=value` item (a
/// compose `environment:` list) and a `{name, value}` item (a container's `env:`) add
/// their key.
fn flatten(node: &Node, prefix: &str, out: &mut Vec<(String, String, u32)>) {
    let join = |k: &str| {
        if prefix.is_empty() {
            k.to_owned()
        } else {
            format!("{prefix}.{k}")
        }
    };
    match &node.value {
        Value::Map(entries) => {
            let name = node.get("name").and_then(Node::as_str);
            let value = node.get("value").and_then(Node::as_str);
            if let (Some(name), Some(value)) = (name, value) {
                out.push((join(name), value.to_owned(), node.line));
            }
            for (k, v) in entries {
                flatten(v, &join(k), out);
            }
        }
        Value::Seq(items) => {
            for item in items {
                match item.as_str().and_then(|s| s.split_once('=')) {
                    Some((k, v)) if !k.contains(' ') => {
                        out.push((join(k.trim()), v.trim().to_owned(), item.line));
                    }
                    _ => flatten(item, prefix, out),
                }
            }
        }
        Value::Tagged(_, inner) => flatten(inner, prefix, out),
        Value::Scalar(s) => out.push((prefix.to_owned(), s.clone(), node.line)),
        Value::Null => {}
    }
}

/// A datasource URL of an in-memory database.
fn in_memory(key: &str, value: &str) -> bool {
    let k = SettingKey::new(key);
    let v = value.to_ascii_lowercase();
    (k.relaxed.ends_with("url") || k.last == "database")
        && (v.contains(":h2:mem:")
            || v.contains(":hsqldb:mem:")
            || v.contains(":derby:memory:")
            || v == ":memory:")
}

/// `.properties` and `.env` lines: `key=value` (`key: value` in `.properties`), `#` and `!`
/// comments, `export` before an env key; `#---` separates Spring's documents.
fn lines(text: &str, file_scope: Scope) -> Vec<Setting> {
    let mut docs: Vec<Vec<(String, String, u32)>> = vec![Vec::new()];
    for (n, line) in text.lines().enumerate() {
        let t = line.trim();
        if t == "#---" || t == "!---" {
            docs.push(Vec::new());
            continue;
        }
        if t.is_empty() || t.starts_with('#') || t.starts_with('!') {
            continue;
        }
        let t = t.strip_prefix("export ").unwrap_or(t);
        let Some(at) = t.find(['=', ':']) else {
            continue;
        };
        let (k, v) = (t[..at].trim(), t[at + 1..].trim());
        // An env value's trailing comment: `TYPEORM_SYNCHRONIZE=true # for now`.
        let v = v.split(" #").next().unwrap_or(v).trim();
        let line = u32::try_from(n + 1).unwrap_or(u32::MAX);
        if let Some(doc) = docs.last_mut() {
            doc.push((k.to_owned(), v.to_owned(), line));
        }
    }
    let mut out = Vec::new();
    for doc in docs {
        let profile = doc
            .iter()
            .find(|(k, _, _)| SettingKey::new(k).relaxed == "springconfigactivateonprofile")
            .map(|(_, v, _)| Scope::of_profile(v));
        let scope = profile.unwrap_or(file_scope);
        let in_memory = doc.iter().any(|(k, v, _)| in_memory(k, v));
        out.extend(
            doc.into_iter()
                .map(|(k, value, line)| profiled(&k, value, line, scope, in_memory)),
        );
    }
    out
}

/// `<property name="k" value="v"/>` (persistence.xml), `<property name="k">v</property>`
/// (hibernate.cfg.xml), `<prop key="k">v</prop>` and `<entry key="k" value="v"/>` (Spring
/// XML): any element naming a key by `name` or `key`, its value by `value` or its text.
fn xml(side: Side, text: &str, file_scope: Scope) -> Result<Vec<Setting>, Unparseable> {
    use quick_xml::events::Event;
    let mut reader = quick_xml::Reader::from_str(text);
    let line_at = |pos: u64| {
        let pos = usize::try_from(pos).unwrap_or(usize::MAX).min(text.len());
        let newlines = text.as_bytes()[..pos]
            .iter()
            .filter(|b| **b == b'\n')
            .count();
        u32::try_from(newlines + 1).unwrap_or(u32::MAX)
    };
    let mut out = Vec::new();
    // The key of an element whose value is its text, waiting for that text.
    let mut open: Option<(String, u32)> = None;
    loop {
        let pos = reader.buffer_position();
        let event = reader.read_event().map_err(|e| Unparseable {
            side,
            line: Some(line_at(reader.error_position())),
            reason: e.to_string(),
        })?;
        match event {
            Event::Start(e) | Event::Empty(e) => {
                let mut key = None;
                let mut value = None;
                for attr in e.attributes().flatten() {
                    let v = attr.unescape_value().map(|v| v.into_owned()).ok();
                    match attr.key.local_name().as_ref() {
                        b"name" | b"key" => key = v,
                        b"value" => value = v,
                        _ => {}
                    }
                }
                // `pos` is where the tag starts; skip the whitespace before it.
                let tag_at = text
                    .get(usize::try_from(pos).unwrap_or(0)..)
                    .map_or(0, |t| t.len() - t.trim_start().len());
                let line = line_at(pos + tag_at as u64);
                match (key, value) {
                    (Some(k), Some(v)) => out.push((k, v, line)),
                    (Some(k), None) => open = Some((k, line)),
                    _ => open = None,
                }
            }
            Event::Text(t) => {
                if let Some((k, line)) = open.take() {
                    let v = t
                        .unescape()
                        .map(|v| v.trim().to_owned())
                        .unwrap_or_default();
                    out.push((k, v, line));
                }
            }
            Event::End(_) => open = None,
            Event::Eof => break,
            _ => {}
        }
    }
    let in_memory = out.iter().any(|(k, v, _)| in_memory(k, v));
    Ok(out
        .into_iter()
        .map(|(k, value, line)| Setting {
            key: SettingKey::new(&k),
            value,
            line,
            scope: file_scope,
            in_memory,
        })
        .collect())
}

impl SettingKey {
    /// The key for a message: an environment variable's own name
    /// (`SPRING_JPA_HIBERNATE_DDL_AUTO`) rather than the path to it in a compose file or a
    /// manifest.
    pub(crate) fn shown(&self) -> &str {
        let last = self.written.rsplit('.').next().unwrap_or(&self.written);
        let env = last.contains('_')
            && last
                .bytes()
                .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit() || b == b'_');
        if env {
            last
        } else {
            &self.written
        }
    }
    /// The relaxed form, for keys that compare settings across sides.
    pub(crate) fn relaxed_text(&self) -> &str {
        &self.relaxed
    }
}
