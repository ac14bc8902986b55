//! The `twokey` command: argument parsing and dispatch only. Each subcommand wires a source to
//! the engine and the engine to a report.

use clap::{Args, Parser, Subcommand, ValueEnum};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use twokey::change::{Content, RepoPath, Side, Snapshot};
use twokey::engine::{self, Outcome, PlanFile};
use twokey::finding::{Severity, Tag};
use twokey::policy::config::{DEFAULT_YAML, REPO_CONFIG_PATHS};

/// A large change allocates and frees millions of small parse-tree nodes across threads;
/// mimalloc's per-thread free lists make that a quarter of the cost of the system allocator's.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;
use twokey::policy::{Config, ConfigSource, Decision, Reviews};
use twokey::report;
use twokey::rules;
use twokey::source::{GitOptions, GitSource};

#[derive(Parser)]
#[command(
    name = "twokey",
    version,
    about = "Tags destructive diffs and requires an independent second approval for AI-agent and infrastructure changes.",
    propagate_version = true
)]
struct Cli {
    /// When to use colour in text output.
    #[arg(long, value_enum, default_value = "auto", global = true)]
    color: ColorWhen,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Analyse a local change (a dry run of the check the App and Action post).
    Check(CheckArgs),
    /// List every rule.
    Rules {
        #[arg(long, value_enum, default_value = "text")]
        format: RulesFormat,
    },
    /// Show one rule: what it catches, why it destroys, an example and the safer way.
    Explain {
        /// A rule id, for example terraform/renamed-without-moved.
        rule: String,
    },
    /// Validate a config file or print the built-in default.
    #[command(subcommand)]
    Config(ConfigCommand),
}

#[derive(Subcommand)]
enum ConfigCommand {
    /// Check a config file (default: .github/twokey.yml) and report errors with line and column.
    Validate { file: Option<PathBuf> },
    /// Print the built-in default config.
    Default,
}

#[derive(Args)]
struct CheckArgs {
    /// The repository (default: the one containing the current directory).
    #[arg(long, value_name = "DIR")]
    repo: Option<PathBuf>,
    /// The base revision (default: the remote default branch, else main or master). As in a pull request, the change is compared from the merge-base of base and head.
    #[arg(long, value_name = "REV")]
    base: Option<String>,
    /// The head revision (default: HEAD).
    #[arg(long, value_name = "REV")]
    head: Option<String>,
    /// The branch under review, for agent detection by branch name when the checkout is detached (default: $GITHUB_HEAD_REF in a pull request workflow, else the branch of HEAD or of --head).
    #[arg(long, value_name = "NAME")]
    branch: Option<String>,
    /// Include uncommitted and untracked changes, as an agent about to commit would.
    #[arg(long, conflicts_with = "head")]
    worktree: bool,
    /// A Terraform plan in JSON (`terraform show -json plan.out`); repeatable. Authoritative where given.
    #[arg(long, value_name = "FILE")]
    plan: Vec<PathBuf>,
    /// Use this config instead of .github/twokey.yml at the base revision (for trying a policy out).
    #[arg(long, value_name = "FILE")]
    config: Option<PathBuf>,
    /// Simulate reviews: GitHub's review list JSON, or {"reviews": [...], "teams": {...}}.
    #[arg(long, value_name = "FILE")]
    reviews: Option<PathBuf>,
    #[arg(long, value_enum, default_value = "text")]
    format: Format,
    /// Exit 1 when the change carries this tag, has a finding at or above this severity, or
    /// (`review-required`) still needs review. Repeatable.
    #[arg(long, value_name = "TAG|SEVERITY", value_parser = parse_fail_on)]
    fail_on: Vec<FailOn>,
}

#[derive(Clone, Copy, ValueEnum)]
enum Format {
    Text,
    Json,
    Sarif,
    Markdown,
}

#[derive(Clone, Copy, ValueEnum)]
enum RulesFormat {
    Text,
    Json,
    Markdown,
}

#[derive(Clone, Copy, ValueEnum)]
enum ColorWhen {
    Auto,
    Always,
    Never,
}

#[derive(Clone, Copy, Debug)]
enum FailOn {
    Tag(Tag),
    Severity(Severity),
    ReviewRequired,
}

fn parse_fail_on(s: &str) -> Result<FailOn, String> {
    if let Some(t) = Tag::parse(s) {
        return Ok(FailOn::Tag(t));
    }
    if let Some(sev) = Severity::parse(s) {
        return Ok(FailOn::Severity(sev));
    }
    if s == "review-required" {
        return Ok(FailOn::ReviewRequired);
    }
    let mut names: Vec<&str> = Tag::ALL.iter().map(|t| t.as_str()).collect();
    names.extend(Severity::ALL.iter().map(|s| s.as_str()));
    names.push("review-required");
    let hint = twokey::policy::config::did_you_mean(s, &names);
    Err(format!("expected a tag (agent-authored, infra, destructive, guardrail), a severity (low, medium, high, critical) or review-required{hint}"))
}

/// An error for the person at the terminal: what happened and what to do. Exit code 2.
struct Failure(String);

impl<E: std::fmt::Display> From<E> for Failure {
    fn from(e: E) -> Self {
        Failure(e.to_string())
    }
}

fn main() -> ExitCode {
    // A bug must not greet a user with a backtrace: say what to do instead.
    std::panic::set_hook(Box::new(|info| {
        eprintln!("twokey: internal error: {info}\nThis is a bug in twokey; please report it with the command you ran.");
    }));
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_env("TWOKEY_LOG")
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("warn")),
        )
        .with_writer(std::io::stderr)
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
        .without_time()
        .init();

    let cli = Cli::parse();
    let choice = match cli.color {
        ColorWhen::Auto => anstream::ColorChoice::Auto,
        ColorWhen::Always => anstream::ColorChoice::Always,
        ColorWhen::Never => anstream::ColorChoice::Never,
    };
    choice.write_global();
    match dispatch(cli.command) {
        Ok(code) => code,
        Err(Failure(message)) => {
            eprintln!("twokey: error: {message}");
            ExitCode::from(2)
        }
    }
}

fn dispatch(command: Command) -> Result<ExitCode, Failure> {
    match command {
        Command::Check(args) => check(args),
        Command::Rules { format } => {
            print(&render_rules(format));
            Ok(ExitCode::SUCCESS)
        }
        Command::Explain { rule } => {
            let Some(r) = rules::find(&rule) else {
                let ids: Vec<&str> = rules::catalogue().iter().map(|r| r.id.as_str()).collect();
                let hint = twokey::policy::config::did_you_mean(&rule, &ids);
                return Err(Failure(format!(
                    "no rule `{rule}`{hint}; `twokey rules` lists them all"
                )));
            };
            print(&explain(r));
            Ok(ExitCode::SUCCESS)
        }
        Command::Config(ConfigCommand::Default) => {
            print(DEFAULT_YAML);
            Ok(ExitCode::SUCCESS)
        }
        Command::Config(ConfigCommand::Validate { file }) => {
            let named = file.is_some();
            // Without a file, the one a check would read: `.github/twokey.yml`, else `.yaml`.
            // With both, a check stops (exit 2): validating one of them would call it valid.
            if !named && REPO_CONFIG_PATHS.iter().all(|p| PathBuf::from(p).exists()) {
                return Err(Failure(format!(
                    "both {} and {} exist; twokey reads one policy file (a check with both on the base stops with exit code 2), so keep one and delete the other, or name the one to validate: `twokey config validate PATH`",
                    REPO_CONFIG_PATHS[0], REPO_CONFIG_PATHS[1]
                )));
            }
            let path = file.unwrap_or_else(|| {
                REPO_CONFIG_PATHS
                    .iter()
                    .map(PathBuf::from)
                    .find(|p| p.exists())
                    .unwrap_or_else(|| PathBuf::from(REPO_CONFIG_PATHS[0]))
            });
            let text = std::fs::read_to_string(&path).map_err(|e| {
                let hint = if named {
                    ""
                } else {
                    "; run it at the repository's root, or pass the file: `twokey config validate PATH` (`twokey config default` prints a starting point)"
                };
                if e.kind() == std::io::ErrorKind::InvalidData {
                    return Failure(format!(
                        "{} is not UTF-8 text; a config is a UTF-8 YAML file: save it as UTF-8",
                        path.display()
                    ));
                }
                Failure(format!("cannot read {}: {e}{hint}", path.display()))
            })?;
            let config = Config::parse(&text, &path.display().to_string())?;
            let count = |n: usize, one: &str, many: &str| {
                format!("{n} {}", if n == 1 { one } else { many })
            };
            print(&format!(
                "{}: valid ({}, {}, {})\n",
                path.display(),
                count(config.tiers.len(), "tier", "tiers"),
                count(config.owners.len(), "owner", "owners"),
                count(config.agents.len(), "extra agent", "extra agents")
            ));
            // Valid, but a tier asking for owners with none listed can never be met: every
            // change it applies to stays blocked (fail closed). Say so before a team finds out
            // on its first pull request.
            let asking: Vec<&str> = config
                .tiers
                .iter()
                .filter(|t| t.from_owners > 0)
                .map(|t| t.name.as_str())
                .collect();
            if config.owners.is_empty() && !asking.is_empty() {
                eprintln!(
                    "twokey: note: tiers {} ask for approvals from owners, but `owners` is empty: the changes they apply to cannot be approved until you list owner logins or @org/team names under `owners`.",
                    asking.join(", ")
                );
            }
            Ok(ExitCode::SUCCESS)
        }
    }
}

fn print(s: &str) {
    let mut out = anstream::stdout();
    // A closed pipe (`twokey rules | head`) is not an error worth reporting.
    let _ = out.write_all(s.as_bytes());
    let _ = out.flush();
}

/// Like [`print`], for output that holds no terminal escapes.
fn print_raw(s: &str) {
    let mut out = std::io::stdout().lock();
    let _ = out.write_all(s.as_bytes());
    let _ = out.flush();
}

fn check(args: CheckArgs) -> Result<ExitCode, Failure> {
    let dir = match &args.repo {
        Some(d) => d.clone(),
        None => std::env::current_dir()?,
    };
    let source = GitSource::discover(&dir)?;
    let threads = threads_from_env()?;
    // The files named on the command line are read first: a typo in one is reported before
    // any note about the change.
    let plans = args
        .plan
        .iter()
        .map(|p| {
            let bytes = std::fs::read(p)
                .map_err(|e| Failure(format!("cannot read plan {}: {e}", p.display())))?;
            Ok(PlanFile {
                path: RepoPath::new(p.display().to_string()),
                bytes,
            })
        })
        .collect::<Result<Vec<_>, Failure>>()?;
    let reviews = match &args.reviews {
        Some(p) => {
            let text = std::fs::read_to_string(p)
                .map_err(|e| Failure(format!("cannot read reviews {}: {e}", p.display())))?;
            Some(Reviews::from_json(&text).map_err(|e| Failure(format!("{}: {e}", p.display())))?)
        }
        None => None,
    };

    let mut options = GitOptions {
        base: args.base.clone(),
        head: args.head.clone(),
        branch: args.branch.clone().or_else(|| {
            std::env::var("GITHUB_HEAD_REF")
                .ok()
                .filter(|b| !b.trim().is_empty())
        }),
        worktree: args.worktree,
        max_file_bytes: Config::builtin().analysis.max_file_bytes,
        threads,
        defer_lines: true,
    };
    let started = std::time::Instant::now();
    let mut change = source.load(&options)?;
    // git knows no pull request; a reviews file that gives one says who opened it, and that
    // person never counts as a reviewer.
    if let Some(pr) = reviews.as_ref().and_then(|r| r.pull_request.clone()) {
        change.pull_request = Some(pr);
    }
    tracing::debug!(
        files = change.files.len(),
        commits = change.commits.len(),
        elapsed_ms = started.elapsed().as_millis() as u64,
        "change loaded"
    );
    if change.files.is_empty() && change.commits.is_empty() && args.base.is_none() && !args.worktree
    {
        // An empty change is a pass; say why, so "no review required" is not read as a
        // verdict on work that was never compared.
        eprintln!("twokey: note: the head is where the default branch is, so there is nothing to compare; pass --base to compare with another revision, or --worktree to include uncommitted changes.");
    }
    let (config, config_source) = {
        let snapshot = source.snapshot(&change, &options)?;
        load_config(args.config.as_deref(), &snapshot)?
    };
    options.max_file_bytes = config.analysis.max_file_bytes;
    let snapshot = source.snapshot(&change, &options)?;
    tracing::debug!(
        elapsed_ms = started.elapsed().as_millis() as u64,
        "config loaded"
    );
    let outcome = engine::run(engine::Input {
        change: &change,
        snapshot: &snapshot,
        config: &config,
        config_source,
        plans: &plans,
        reviews: reviews.as_ref(),
        readers: Some(&source.readers(&change, &options)),
        threads,
    });
    tracing::debug!(
        findings = outcome.findings.len(),
        elapsed_ms = started.elapsed().as_millis() as u64,
        "analysis done"
    );
    match args.format {
        Format::Text => print(&report::text::render(&outcome)),
        Format::Markdown => print(&report::markdown::render(&outcome)),
        // Machine formats escape every control character themselves, so they skip the
        // terminal adapter, which would otherwise scan megabytes for colour codes.
        Format::Json => {
            let mut out = std::io::BufWriter::with_capacity(1 << 16, std::io::stdout().lock());
            // As in `print`: a reader that stops early (`| head`) is not an error to report.
            let _ = report::json::write(&outcome, &mut out, threads).and_then(|()| out.flush());
        }
        Format::Sarif => print_raw(&report::sarif::render(&outcome)),
    }
    tracing::debug!(
        elapsed_ms = started.elapsed().as_millis() as u64,
        "report written"
    );
    let code = if fails(&outcome, &args.fail_on) {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    };
    // The process ends here: freeing a large change's files and findings node by node would
    // only delay the exit the caller is waiting for.
    std::mem::forget((change, outcome, snapshot));
    Ok(code)
}

/// `TWOKEY_THREADS`: how many threads analyse files (default: the machine's cores; 1 for a
/// serial run).
fn threads_from_env() -> Result<Option<usize>, Failure> {
    match std::env::var("TWOKEY_THREADS") {
        Err(_) => Ok(None),
        Ok(v) => match v.trim().parse::<usize>() {
            Ok(n) if n >= 1 => Ok(Some(n)),
            _ => Err(Failure(format!(
                "TWOKEY_THREADS must be a whole number of at least 1, not '{v}'."
            ))),
        },
    }
}

/// The policy in force: `--config`, else `.github/twokey.yml` at the BASE revision (never the
/// head: the change under review must not loosen its own gate), else the built-in default.
fn load_config(
    explicit: Option<&Path>,
    snapshot: &dyn Snapshot,
) -> Result<(Config, ConfigSource), Failure> {
    if let Some(path) = explicit {
        let text = std::fs::read_to_string(path)
            .map_err(|e| Failure(format!("cannot read config {}: {e}", path.display())))?;
        let name = path.display().to_string();
        return Ok((Config::parse(&text, &name)?, ConfigSource::File(name)));
    }
    let present: Vec<(&str, Content)> = REPO_CONFIG_PATHS
        .iter()
        .map(|p| (*p, snapshot.read(Side::Base, &RepoPath::new(*p))))
        .filter(|(_, content)| !matches!(content, Content::Absent))
        .collect();
    // Only one is read: with both, a team could edit the one that does not govern and never
    // know. Say so rather than choose silently.
    if let [(first, _), (second, _), ..] = present.as_slice() {
        return Err(Failure(format!(
            "both {first} and {second} exist at the base revision; twokey reads one policy file, so keep one and delete the other on the base branch"
        )));
    }
    for (candidate, content) in present {
        let what = match content {
            Content::Absent => continue,
            Content::Text(text) => {
                let name = format!("{candidate} (base revision)");
                let config = Config::parse(&text, &name).map_err(|e| {
                    Failure(format!("{e}\nThe base branch's config governs this change; fix it there (`twokey config validate`)."))
                })?;
                return Ok((config, ConfigSource::Base(candidate.to_string())));
            }
            Content::Binary => "holds binary data".to_owned(),
            Content::NotUtf8 => "is not UTF-8 text".to_owned(),
            Content::TooLarge(n) => format!("is {n} bytes, more than twokey reads"),
            Content::Submodule => "is a submodule".to_owned(),
            Content::Symlink => "is a symbolic link, which twokey does not follow".to_owned(),
        };
        return Err(Failure(format!(
            "{candidate} at the base revision {what}; a config is a UTF-8 YAML file (save it as UTF-8, `twokey config validate` checks it), fixed on the base branch"
        )));
    }
    Ok((Config::builtin(), ConfigSource::BuiltIn))
}

fn fails(o: &Outcome, fail_on: &[FailOn]) -> bool {
    fail_on.iter().any(|f| match f {
        FailOn::Tag(t) => o.verdict.tags.contains(t),
        FailOn::Severity(s) => o.findings.iter().any(|x| x.counts() && x.severity >= *s),
        FailOn::ReviewRequired => o.verdict.decision == Decision::ReviewRequired,
    })
}

fn render_rules(format: RulesFormat) -> String {
    let all = rules::catalogue();
    match format {
        RulesFormat::Text => all
            .iter()
            .map(|r| {
                format!(
                    "{:<42} {:<8} {}\n",
                    r.id.as_str(),
                    r.severity.as_str(),
                    r.summary
                )
            })
            .collect(),
        RulesFormat::Json => {
            let v: Vec<serde_json::Value> = all
                .iter()
                .map(|r| {
                    serde_json::json!({
                        "id": r.id, "severity": r.severity, "tags": r.tags,
                        "summary": r.summary, "why": r.why, "example": r.example, "safer": r.safer,
                    })
                })
                .collect();
            serde_json::to_string_pretty(&v).unwrap_or_default() + "\n"
        }
        RulesFormat::Markdown => rules::markdown_table(),
    }
}

fn explain(r: &rules::Rule) -> String {
    let tags: Vec<&str> = r.tags.iter().map(|t| t.as_str()).collect();
    format!(
        "{id}  ({severity}; {tags})\n\nWhat it does\n  {summary}\n\nWhy this is bad\n  {why}\n\nExample\n{example}\n\nSafer\n  {safer}\n",
        id = r.id,
        severity = r.severity,
        tags = tags.join(", "),
        summary = r.summary,
        why = r.why,
        example = r
            .example
            .lines()
            .map(|l| format!("  {l}"))
            .collect::<Vec<_>>()
            .join("\n"),
        safer = r.safer
    )
}
