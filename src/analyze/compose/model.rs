//! model: what a Compose file says about where each service keeps its data, read from the
//! YAML tree. Only the keys the compose checks compare are kept: services (image, mounts,
//! replicas, placement) and the top-level `volumes` they name. Reads; judges nothing.

use crate::analyze::datastores::{self, DataStore};
use crate::yaml::{Node, Value};

/// One side of a Compose file.
#[derive(Debug, Default)]
pub(super) struct Project {
    pub services: Vec<Service>,
    pub volumes: Vec<VolumeDecl>,
    /// Written for Swarm (`docker stack deploy`): a service carries `deploy.placement` or
    /// `deploy.update_config`, which `docker compose up` ignores.
    pub swarm: bool,
    /// The top-level `name:` (the project name), as written, with its line.
    pub name: Option<(String, u32)>,
    /// The top-level `include:` paths (short or long syntax), as written.
    pub includes: Vec<String>,
}

#[derive(Debug, Clone)]
pub(super) struct Service {
    pub name: String,
    pub line: u32,
    pub image: Option<String>,
    /// The line of `image:` (the service's line when it has none of its own).
    pub image_line: u32,
    pub mounts: Vec<Mount>,
    /// `extends:`: the service (in this file, or in `file`) whose keys this one starts from.
    pub extends: Option<Extends>,
    /// `deploy.replicas` or `scale`, with its line.
    pub replicas: Option<(String, u32)>,
    /// `deploy.placement.constraints`, as written, with its line.
    pub placement: Option<(Vec<String>, u32)>,
}

impl Service {
    /// The data store the service's image runs, if twokey knows it.
    pub fn store(&self) -> Option<DataStore> {
        datastores::of_image(self.image.as_deref()?)
    }
    /// The store whose data a mount at `target` holds.
    pub fn holds_data(&self, target: &str) -> Option<DataStore> {
        self.store().filter(|s| datastores::holds_data(*s, target))
    }
    pub fn mount_at(&self, target: &str) -> Option<&Mount> {
        self.mounts.iter().find(|m| m.target == target)
    }
}

/// A service's `extends:` (`extends: db`, or `{file: common.yml, service: postgres}`).
#[derive(Debug, Clone)]
pub(super) struct Extends {
    pub file: Option<String>,
    pub service: String,
}

/// A path inside a service's containers and what is mounted there.
#[derive(Debug, Clone)]
pub(super) struct Mount {
    pub target: String,
    pub source: Source,
    pub read_only: bool,
    pub line: u32,
}

/// What a mount puts at its target.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum Source {
    /// A named volume, by its key under the top-level `volumes`.
    Named(String),
    /// A directory of the host (`./data/pg`, `/srv/pg`, `${PG_DIR}`).
    Host(String),
    /// An anonymous volume: a fresh one each time the container is recreated.
    Anonymous,
    /// Memory: gone when the container stops.
    Tmpfs,
}

/// The Docker volume a named volume is, as Compose names it: a key without `name:` becomes
/// `<project>_<key>` (the project name is the same on both sides, so the key stands for it),
/// and an external volume or one with `name:` is exactly that name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum VolumeName {
    InProject(String),
    Exact(String),
}

impl VolumeName {
    pub fn shown(&self) -> &str {
        match self {
            VolumeName::InProject(n) | VolumeName::Exact(n) => n,
        }
    }
}

#[derive(Debug, Clone)]
pub(super) struct VolumeDecl {
    pub key: String,
    pub line: u32,
    pub external: bool,
    /// `name:` (or the legacy `external: {name: …}`).
    pub name: Option<String>,
}

impl Project {
    pub fn read(doc: &Node) -> Project {
        let volumes: Vec<VolumeDecl> = doc
            .get("volumes")
            .map(Node::as_map)
            .unwrap_or_default()
            .iter()
            .map(|(key, node)| volume_decl(key, node))
            .collect();
        let services: Vec<Service> = doc
            .get("services")
            .map(Node::as_map)
            .unwrap_or_default()
            .iter()
            .map(|(name, node)| service(name, node))
            .collect();
        let swarm = doc
            .get("services")
            .map(Node::as_map)
            .unwrap_or_default()
            .iter()
            .any(|(_, s)| {
                field(s, "deploy").is_some_and(|d| {
                    d.get("placement").is_some() || d.get("update_config").is_some()
                })
            });
        let name = doc
            .get("name")
            .and_then(|n| Some((n.as_str()?.to_owned(), n.line)));
        // `include: [a.yml, {path: b.yml}]`; `path` may itself list several files.
        let includes = doc
            .get("include")
            .map(Node::as_seq)
            .unwrap_or_default()
            .iter()
            .flat_map(|entry| match entry.get("path") {
                Some(path) if path.as_str().is_none() => path.as_seq().iter().collect(),
                Some(path) => vec![path],
                None => vec![entry],
            })
            .filter_map(|n| n.as_str().map(str::to_owned))
            .collect();
        Project {
            services,
            volumes,
            swarm,
            name,
            includes,
        }
    }

    pub fn service(&self, name: &str) -> Option<&Service> {
        self.services.iter().find(|s| s.name == name)
    }

    pub fn volume(&self, key: &str) -> Option<&VolumeDecl> {
        self.volumes.iter().find(|v| v.key == key)
    }

    /// The Docker volume a named mount's key refers to.
    pub fn volume_name(&self, key: &str) -> VolumeName {
        match self.volume(key) {
            Some(VolumeDecl { name: Some(n), .. }) => VolumeName::Exact(n.clone()),
            Some(VolumeDecl { external: true, .. }) => VolumeName::Exact(key.to_owned()),
            _ => VolumeName::InProject(key.to_owned()),
        }
    }

    /// What a mount's source is, comparable across sides: a named volume by the Docker
    /// volume it is, a host directory by its path.
    pub fn identity(&self, source: &Source) -> Option<Identity> {
        match source {
            Source::Named(key) => Some(Identity::Volume(self.volume_name(key))),
            Source::Host(path) => Some(Identity::Host(path.clone())),
            Source::Anonymous | Source::Tmpfs => None,
        }
    }

    /// Whether any service mounts `identity` (wherever): data that moved with a renamed
    /// service or to another path is still mounted.
    pub fn mounts(&self, identity: &Identity) -> bool {
        self.services
            .iter()
            .flat_map(|s| &s.mounts)
            .any(|m| self.identity(&m.source).as_ref() == Some(identity))
    }
}

/// Where a mount's data lives, outside any container.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum Identity {
    Volume(VolumeName),
    Host(String),
}

impl Identity {
    pub fn shown(&self) -> String {
        match self {
            Identity::Volume(v) => format!("the volume `{}`", v.shown()),
            Identity::Host(p) => format!("the host directory `{p}`"),
        }
    }
}

/// A service's key, or the same key from the maps it merges in (`<<: *db`).
pub(super) fn field<'a>(node: &'a Node, key: &str) -> Option<&'a Node> {
    node.get(key).or_else(|| {
        let merged = node.get("<<")?;
        match &merged.value {
            Value::Seq(items) => items.iter().find_map(|m| m.get(key)),
            _ => merged.get(key),
        }
    })
}

fn volume_decl(key: &str, node: &Node) -> VolumeDecl {
    let external = node.get("external");
    let legacy_name = external.and_then(|e| e.get("name")).and_then(Node::as_str);
    VolumeDecl {
        key: key.to_owned(),
        line: node.line.max(1),
        external: external.is_some_and(|e| e.as_str() == Some("true") || e.get("name").is_some()),
        name: node
            .get("name")
            .and_then(Node::as_str)
            .or(legacy_name)
            .map(str::to_owned),
    }
}

fn service(name: &str, node: &Node) -> Service {
    let mut mounts: Vec<Mount> = field(node, "volumes")
        .map(Node::as_seq)
        .unwrap_or_default()
        .iter()
        .filter_map(mount)
        .collect();
    // `tmpfs: /path` or a list of paths (with `:size=…` options).
    if let Some(tmpfs) = field(node, "tmpfs") {
        let paths: Vec<&Node> = match &tmpfs.value {
            Value::Seq(items) => items.iter().collect(),
            _ => vec![tmpfs],
        };
        for p in paths {
            if let Some(path) = p.as_str() {
                mounts.push(Mount {
                    target: path.split(':').next().unwrap_or(path).to_owned(),
                    source: Source::Tmpfs,
                    read_only: false,
                    line: p.line,
                });
            }
        }
    }
    let deploy = field(node, "deploy");
    let replicas = deploy
        .and_then(|d| d.get("replicas"))
        .or_else(|| field(node, "scale"))
        .and_then(|r| Some((r.as_str()?.to_owned(), r.line)));
    let placement = deploy
        .and_then(|d| d.path(&["placement", "constraints"]))
        .map(|c| {
            let mut all: Vec<String> = c
                .as_seq()
                .iter()
                .filter_map(|x| x.as_str().map(str::to_owned))
                .collect();
            all.sort();
            (all, c.line)
        });
    let image = field(node, "image");
    let extends = field(node, "extends").and_then(|e| match e.as_str() {
        Some(service) => Some(Extends {
            file: None,
            service: service.to_owned(),
        }),
        None => Some(Extends {
            file: e.get("file").and_then(Node::as_str).map(str::to_owned),
            service: e.get("service").and_then(Node::as_str)?.to_owned(),
        }),
    });
    Service {
        name: name.to_owned(),
        line: node.line.max(1),
        image: image.and_then(Node::as_str).map(str::to_owned),
        image_line: image.map_or(node.line.max(1), |i| i.line),
        mounts,
        extends,
        replicas,
        placement,
    }
}

/// One entry of a service's `volumes`, short (`pgdata:/var/lib/postgresql/data:rw`) or long
/// (`{type: volume, source: pgdata, target: …}`).
fn mount(node: &Node) -> Option<Mount> {
    if let Some(short) = node.as_str() {
        let parts = split_short(short);
        let (source, target, mode) = match parts.as_slice() {
            [target] => (None, *target, ""),
            [source, target] => (Some(*source), *target, ""),
            [source, target, mode, ..] => (Some(*source), *target, *mode),
            [] => return None,
        };
        return Some(Mount {
            target: target.trim_end_matches('/').to_owned(),
            source: source.map_or(Source::Anonymous, source_of),
            read_only: mode.split(',').any(|m| m == "ro"),
            line: node.line,
        });
    }
    let target = node.get("target").and_then(Node::as_str)?;
    let source = node.get("source").and_then(Node::as_str);
    let source = match (node.get("type").and_then(Node::as_str), source) {
        (Some("tmpfs"), _) => Source::Tmpfs,
        (Some("bind"), Some(path)) => Source::Host(path.to_owned()),
        (_, Some(s)) => source_of(s),
        (_, None) => Source::Anonymous,
    };
    Some(Mount {
        target: target.trim_end_matches('/').to_owned(),
        source,
        read_only: node.get("read_only").and_then(Node::as_str) == Some("true"),
        line: node.line,
    })
}

/// A short-syntax mount split at its colons, except those inside a `${…}` interpolation
/// (`${PG_DIR:-./pg}:/var/lib/postgresql/data`).
fn split_short(short: &str) -> Vec<&str> {
    let mut parts = Vec::new();
    let (mut depth, mut start) = (0usize, 0usize);
    let bytes = short.as_bytes();
    for (i, b) in bytes.iter().enumerate() {
        match b {
            b'{' if i > 0 && bytes[i - 1] == b'$' => depth += 1,
            b'}' if depth > 0 => depth -= 1,
            b':' if depth == 0 => {
                parts.push(&short[start..i]);
                start = i + 1;
            }
            _ => {}
        }
    }
    parts.push(&short[start..]);
    parts
}

/// A short-syntax source: a host path starts with `/`, `.`, `~` or a variable, or holds a
/// `/`; anything else names a volume.
fn source_of(source: &str) -> Source {
    if source.starts_with(['/', '.', '~', '$']) || source.contains('/') || source.contains('\\') {
        Source::Host(source.to_owned())
    } else {
        Source::Named(source.to_owned())
    }
}
