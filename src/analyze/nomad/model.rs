//! model: the parts of a Nomad job specification the nomad checks compare, read from the HCL
//! body with hcl-edit: jobs, their groups (`count`, `volume` blocks, `ephemeral_disk`) and
//! tasks (image, volume mounts, command line). Reads; judges nothing.

use crate::analyze::datastores::{self, DataStore};
use crate::analyze::terraform::model::{lit, Lit};
use hcl_edit::expr::Expression;
use hcl_edit::structure::{Block, Body};
use hcl_edit::Span;

#[derive(Debug)]
pub(super) struct Job {
    pub name: String,
    pub line: u32,
    pub groups: Vec<Group>,
}

#[derive(Debug)]
pub(super) struct Group {
    pub name: String,
    pub line: u32,
    /// `count`, when written as a number, with its line.
    pub count: Option<(f64, u32)>,
    /// `ephemeral_disk { sticky, migrate }` set to true, with the block's line.
    pub sticky: bool,
    pub migrate: bool,
    pub disk_line: Option<u32>,
    pub volumes: Vec<Volume>,
    pub tasks: Vec<Task>,
}

/// A group's `volume` block: a host volume or a CSI volume claimed by its allocations.
#[derive(Debug)]
pub(super) struct Volume {
    pub name: String,
    pub line: u32,
    pub kind: String,
    pub source: String,
    pub read_only: bool,
}

#[derive(Debug)]
pub(super) struct Task {
    pub name: String,
    pub line: u32,
    pub image: Option<String>,
    /// The line of `config { image = … }` (the task's line when it has none).
    pub image_line: u32,
    /// `volume_mount { volume, destination }`.
    pub volume_mounts: Vec<(String, String)>,
    /// A Docker task's `config { volumes = ["/host:/container"] }` binds.
    pub binds: Vec<Bind>,
    /// `config { command, args }`, each word with its line.
    pub command: Option<(String, u32)>,
    pub args: Vec<(String, u32)>,
}

#[derive(Debug)]
pub(super) struct Bind {
    pub host: String,
    pub destination: String,
    pub line: u32,
}

impl Group {
    /// The data store one of the group's tasks runs.
    pub fn store(&self) -> Option<DataStore> {
        self.tasks
            .iter()
            .find_map(|t| datastores::of_image(t.image.as_deref()?))
    }
    /// Whether the group keeps data that outlives an allocation: a writable volume, a sticky
    /// or migrating disk, or a database's task.
    pub fn stateful(&self) -> bool {
        self.volumes.iter().any(|v| !v.read_only)
            || self.sticky
            || self.migrate
            || self.store().is_some()
    }
    /// Where the group's tasks mount the volume named `volume`.
    pub fn mounted_at(&self, volume: &str) -> Option<&str> {
        self.tasks
            .iter()
            .flat_map(|t| &t.volume_mounts)
            .find(|(v, _)| v == volume)
            .map(|(_, d)| d.as_str())
    }
}

/// Lines of a text, from byte offsets.
pub(super) struct Lines<'a>(pub &'a str);

impl Lines<'_> {
    fn at(&self, span: Option<std::ops::Range<usize>>) -> u32 {
        let offset = span.map_or(0, |r| r.start).min(self.0.len());
        let newlines = self.0.as_bytes()[..offset]
            .iter()
            .filter(|b| **b == b'\n')
            .count();
        u32::try_from(newlines + 1).unwrap_or(u32::MAX)
    }
}

pub(super) fn jobs(body: &Body, text: &str) -> Vec<Job> {
    let lines = Lines(text);
    body.get_blocks("job")
        .map(|job| Job {
            name: label(job),
            line: lines.at(job.span()),
            groups: job
                .body
                .get_blocks("group")
                .map(|g| group(g, &lines))
                .collect(),
        })
        .collect()
}

fn label(block: &Block) -> String {
    block
        .labels
        .first()
        .map(|l| l.as_str().to_owned())
        .unwrap_or_default()
}

fn attr<'a>(body: &'a Body, key: &str) -> Option<&'a Expression> {
    body.get_attribute(key).map(|a| &a.value)
}

/// A string attribute's text: a literal, or a template's source without its quotes.
fn text(expr: &Expression) -> String {
    match lit(expr) {
        Lit::Str(s) => s,
        other => other.render().trim_matches('"').to_owned(),
    }
}

fn flag(body: &Body, key: &str) -> bool {
    attr(body, key).is_some_and(|e| lit(e).as_bool() == Some(true))
}

fn group(block: &Block, lines: &Lines) -> Group {
    let body = &block.body;
    let disk = body.get_blocks("ephemeral_disk").next();
    Group {
        name: label(block),
        line: lines.at(block.span()),
        count: body
            .get_attribute("count")
            .and_then(|a| Some((lit(&a.value).as_num()?, lines.at(a.span())))),
        sticky: disk.is_some_and(|d| flag(&d.body, "sticky")),
        migrate: disk.is_some_and(|d| flag(&d.body, "migrate")),
        disk_line: disk.map(|d| lines.at(d.span())),
        volumes: body
            .get_blocks("volume")
            .map(|v| Volume {
                name: label(v),
                line: lines.at(v.span()),
                kind: attr(&v.body, "type")
                    .map(text)
                    .unwrap_or_else(|| "host".to_owned()),
                source: attr(&v.body, "source").map(text).unwrap_or_default(),
                read_only: flag(&v.body, "read_only"),
            })
            .collect(),
        tasks: body.get_blocks("task").map(|t| task(t, lines)).collect(),
    }
}

fn task(block: &Block, lines: &Lines) -> Task {
    let body = &block.body;
    let config = body.get_blocks("config").next().map(|c| &c.body);
    let words = |key: &str| -> Vec<(String, u32)> {
        let Some(a) = config.and_then(|c| c.get_attribute(key)) else {
            return Vec::new();
        };
        match &a.value {
            Expression::Array(items) => items
                .iter()
                .map(|e| (text(e), lines.at(e.span().or(a.span()))))
                .collect(),
            other => vec![(text(other), lines.at(a.span()))],
        }
    };
    let binds = words("volumes")
        .into_iter()
        .filter_map(|(spec, line)| {
            let mut parts = spec.split(':');
            let host = parts.next()?.to_owned();
            let destination = parts.next()?.to_owned();
            Some(Bind {
                host,
                destination,
                line,
            })
        })
        .collect();
    let image = config.and_then(|c| c.get_attribute("image"));
    Task {
        name: label(block),
        line: lines.at(block.span()),
        image: image.map(|a| text(&a.value)),
        image_line: image.map_or(lines.at(block.span()), |a| lines.at(a.span())),
        volume_mounts: body
            .get_blocks("volume_mount")
            .filter_map(|m| {
                let volume = attr(&m.body, "volume").map(text)?;
                let destination = attr(&m.body, "destination").map(text).unwrap_or_default();
                Some((volume, destination))
            })
            .collect(),
        binds,
        command: words("command").into_iter().next(),
        args: words("args"),
    }
}
