//! iac_program: infrastructure written as code — Pulumi programs in TypeScript/JavaScript,
//! Python, Go, C# or Java, and AWS CDK apps (`lib/*.ts`, `app.py`, stacks in any CDK
//! language). Only the program's source is in the diff (`cdk.out/` is usually ignored, and
//! Pulumi has no template at all), so this module reads it at token level with the shared
//! [`scan`](crate::analyze::orm::scan) lexer: comments and strings masked, brackets balanced.
//!
//! It compares the two sides by the resources they declare ([`constructs`]): a Pulumi
//! logical name or CDK construct id that disappears is a delete, one that comes back under a
//! new name is a replacement (Pulumi, unless the new call has `aliases`; CDK, where the
//! construct id is the logical ID, unless an `overrideLogicalId` call is added). And it
//! compares the [`guards`] each resource (or the stack) sets: `protect`, `retainOnDelete`,
//! removal policies, deletion and termination protection, `forceDestroy` and friends.
//!
//! It does not parse or run the program: names and settings that come from variables,
//! loops, helper functions or config are unknown, and stay quiet rather than guessed. A call
//! whose computed name is written the same on both sides (`f"{name}-table"` in a component)
//! is still the same call: its parent and replacing properties are compared. What
//! `pulumi preview` or `cdk diff` would show remains the authority; this is what a reviewer
//! would spot in the diff, spotted for them.

mod amplify;
mod component_type;
pub(crate) mod constructs;
mod environment;
mod guards;
mod moved;
mod object;
mod overrides;
mod replacement;
mod sst;
#[cfg(test)]
mod tests;
#[cfg(test)]
mod tests_app;

use super::FileView;
use crate::analyze::orm::lex::Lang;
use crate::analyze::orm::scan::Source;
use crate::analyze::pulumi;
use crate::change::Side;
use crate::finding::{Finding, RuleId, Severity, Tag};
use crate::rules::Rule;
use constructs::Construct;
use guards::{Family, Setting, Strength};

const DESTRUCTIVE: &[Tag] = &[Tag::Destructive, Tag::Infra];

pub const CONSTRUCT_REMOVED: Rule = Rule {
    id: RuleId("cdk/construct-removed"),
    severity: Severity::High,
    tags: DESTRUCTIVE,
    summary: "A construct is removed from a CDK app's code, or changes type under its id (`Table` to `TableV2`), so the next `cdk deploy` deletes its resources.",
    why: "CloudFormation deletes every resource that leaves the template, unless its removal policy retains it. \
          Critical for data-holding resources set to `RemovalPolicy.DESTROY` (and for L1 `Cfn*` ones, which \
          default to delete); medium where CDK's default for the type is RETAIN; low when the code says RETAIN.",
    example: "-    new dynamodb.Table(this, 'Orders', { partitionKey, removalPolicy: RemovalPolicy.DESTROY });",
    safer: "Set `removalPolicy: RemovalPolicy.RETAIN` and deploy before removing the construct, so the data outlives the stack.",
};

pub const CONSTRUCT_ID_CHANGED: Rule = Rule {
    id: RuleId("cdk/construct-id-changed"),
    severity: Severity::High,
    tags: DESTRUCTIVE,
    summary: "A CDK construct's id changes, so its logical ID changes and CloudFormation replaces the resource; or a stack moves to another literal account, region or stack name, which is another stack.",
    why: "The logical ID is derived from the construct path. A new id, or another scope, is a new resource: \
          CloudFormation creates an empty one and deletes (or, if retained, orphans) the old one, along with its \
          data. A stack's (or stage's) id names its CloudFormation stack: renamed, the next deploy creates a second \
          stack with new, empty resources and leaves the old one running, unless `stackName` pins the old name.",
    example: "-    new dynamodb.Table(this, 'OrdersTable', {…});\n+    new dynamodb.Table(this, 'Orders', {…});",
    safer: "Keep the id; or pin the old logical ID with `(table.node.defaultChild as CfnTable).overrideLogicalId('<old id>')`.",
};

pub const REMOVAL_POLICY_DESTROY: Rule = Rule {
    id: RuleId("cdk/removal-policy-destroy"),
    severity: Severity::High,
    tags: DESTRUCTIVE,
    summary: "A CDK removal policy is changed to `RemovalPolicy.DESTROY` where it retained or snapshotted the resource.",
    why: "With DESTROY, CloudFormation deletes the resource and its data whenever it leaves the stack or is \
          replaced. Data-holding L2 constructs (tables, buckets, databases, file systems) retain by default.",
    example: "-      removalPolicy: RemovalPolicy.RETAIN,\n+      removalPolicy: RemovalPolicy.DESTROY,",
    safer: "Keep `RemovalPolicy.RETAIN` (or `SNAPSHOT` for databases); use DESTROY only in throwaway stacks, chosen by environment.",
};

pub const PROTECTION_WEAKENED: Rule = Rule {
    id: RuleId("cdk/protection-weakened"),
    severity: Severity::High,
    tags: DESTRUCTIVE,
    summary: "A protection is turned off in CDK app code (termination or deletion protection, `autoDeleteObjects`, final snapshots…).",
    why: "`terminationProtection` keeps a stack from being deleted, `deletionProtection` a database or table; \
          `autoDeleteObjects: true` empties a bucket before deleting it. Turning them off is usually the first step of a delete.",
    example: "-    super(scope, id, { ...props, terminationProtection: true });\n+    super(scope, id, { ...props, terminationProtection: false });",
    safer: "Keep the protection on; if a delete is really intended, do it in its own reviewed change with the `cdk diff` that needs it.",
};

pub const REPLACEMENT_PROPERTY: Rule = Rule {
    id: RuleId("cdk/replacement-property"),
    severity: Severity::High,
    tags: DESTRUCTIVE,
    summary: "A construct property that cannot be updated in place changed in CDK app code (a table's name or keys, a bucket's name…, or an L1 `Cfn*` construct's create-only CloudFormation property), so CloudFormation replaces the resource.",
    why: "`tableName`, `partitionKey` and `sortKey` of a table, `bucketName` of a bucket, a database's \
          `instanceIdentifier` or `clusterIdentifier`, a queue's `queueName` or `fifo` and a few more map to \
          create-only CloudFormation properties: CloudFormation creates a new, empty resource and deletes the old one \
          (or orphans it, if retained). Only a change between two literal values is reported. Critical where the \
          removal policy is DESTROY, high otherwise.",
    example: "-      partitionKey: { name: 'itemId', type: dynamodb.AttributeType.STRING },\n+      partitionKey: { name: 'id', type: dynamodb.AttributeType.STRING },",
    safer: "Keep the property; to change it, add a second construct beside the old one, migrate the data, and remove the old one in its own reviewed change (with `RemovalPolicy.RETAIN` if its data must survive).",
};

pub const RULES: &[&Rule] = &[
    &CONSTRUCT_REMOVED,
    &CONSTRUCT_ID_CHANGED,
    &REMOVAL_POLICY_DESTROY,
    &PROTECTION_WEAKENED,
    &REPLACEMENT_PROPERTY,
    &amplify::UNPARSEABLE,
    &sst::UNPARSEABLE,
];

/// Which tool deploys the program: their names and protections mean different things.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Flavor {
    Pulumi,
    Cdk,
    /// SST v3 (`sst.config.ts`, `infra/*.ts`): Pulumi underneath, with its own app settings
    /// ([`sst`]) and command (`sst deploy`).
    Sst,
}

/// The file extensions a program may be written in.
pub const EXTENSIONS: &[&str] = &["ts", "js", "mjs", "py", "go", "cs", "java"];

/// How far into a file its imports are looked for: past any licence header, well short of
/// reading a large source file whole.
const IMPORTS_WITHIN: usize = 16 * 1024;

/// Whether a source file is a Pulumi program or CDK app, by what it imports near its top.
/// CDK wins when both appear (`@pulumi/cdk` programs build CDK constructs).
/// Where the part of a file its imports are looked for in ends.
fn imports_end(text: &str) -> usize {
    let mut cut = text.len().min(IMPORTS_WITHIN);
    while !text.is_char_boundary(cut) {
        cut -= 1;
    }
    cut
}

pub fn detect(ext: &str, text: &str) -> Option<Flavor> {
    let head = &text[..imports_end(text)];
    if matches!(ext, "ts" | "js" | "mjs") && sst::marks(head) {
        return Some(Flavor::Sst);
    }
    let (cdk, pulumi): (&[&str], &[&str]) = match ext {
        "ts" | "js" | "mjs" => (&["aws-cdk-lib", "@aws-cdk/"], &["@pulumi/"]),
        "py" => (&["aws_cdk"], &["import pulumi", "from pulumi"]),
        "go" => (
            &["github.com/aws/aws-cdk-go/"],
            &["github.com/pulumi/pulumi"],
        ),
        "cs" => (&["Amazon.CDK"], &["using Pulumi"]),
        "java" => (&["software.amazon.awscdk"], &["com.pulumi"]),
        _ => return None,
    };
    if cdk.iter().any(|m| head.contains(m)) {
        Some(Flavor::Cdk)
    } else if pulumi.iter().any(|m| head.contains(m)) {
        Some(Flavor::Pulumi)
    } else {
        None
    }
}

/// Whether a source file is read by this module: a Pulumi program, a CDK app, an SST app,
/// or part of an Amplify Gen 2 backend. Only its first 16 KiB are searched, never parsed.
pub fn recognises(ext: &str, text: &str) -> bool {
    detect(ext, text).is_some() || amplify::detect(ext, &text[..imports_end(text)])
}

/// Whether a resource holds data that a delete loses: a provider module that does
/// (`aws.rds`, `dynamodb`, `s3`, `awsefs`, `aws_sqs`, the list the Pulumi YAML analyzer
/// uses), or a type named like one (`Table`, `Bucket`, `DatabaseCluster`, `FileSystem`…).
pub(crate) fn holds_data(c: &Construct) -> bool {
    let imported = c.module.iter().map(String::as_str);
    let modules = c.callee.split('.').rev().skip(1).chain(imported).map(|m| {
        let m = m.to_ascii_lowercase();
        let m = m
            .strip_prefix("aws_")
            .or_else(|| m.strip_prefix("aws-"))
            .or_else(|| m.strip_prefix("aws"))
            .unwrap_or(&m)
            .to_owned();
        m
    });
    let mut modules = modules;
    modules.any(|m| pulumi::STATEFUL_MODULES.contains(&m.as_str()))
        || [
            "Table",
            "TableV2",
            "Bucket",
            "BucketV2",
            "Database",
            "DatabaseInstance",
            "DatabaseCluster",
            "Volume",
            "FileSystem",
            "Queue",
            "Stream",
            "Disk",
            // Everything in a nested stack is deleted with it.
            "NestedStack",
        ]
        .iter()
        .chain(sst::DATA_KINDS)
        .any(|k| c.kind.ends_with(k))
}

/// L2 constructs CDK retains (or snapshots) by default; anything else, and every L1 `Cfn*`
/// resource, is deleted with the stack unless the code says otherwise.
const RETAINED_BY_DEFAULT: &[&str] = &[
    "Table",
    "TableV2",
    "Bucket",
    "DatabaseInstance",
    "DatabaseCluster",
    "ServerlessCluster",
    "FileSystem",
    "Stream",
    "LogGroup",
    "Key",
    "Secret",
    "UserPool",
    "Repository",
];

/// One side of the program, read.
struct Program<'a> {
    src: Source<'a>,
    constructs: Vec<Construct>,
    /// Kinds of constructor calls whose name is computed.
    computed: Vec<String>,
    /// Calls whose name is computed, by the name as written.
    unnamed: Vec<Construct>,
    settings: Vec<Setting>,
    /// An SST app's removal policies (empty for other flavors, or when unknown).
    removal: sst::Removal,
}

impl<'a> Program<'a> {
    fn read(text: &'a str, ext: &str, flavor: Flavor) -> Program<'a> {
        // Go and Java read like JavaScript as far as comments and strings go.
        let lang = match ext {
            "py" => Lang::Python,
            "cs" => Lang::CSharp,
            _ => Lang::Js,
        };
        let src = Source::new(text, lang);
        let mut found = constructs::find(&src, constructs::Syntax::of(ext, flavor));
        // A type named alone (`new CfnBucket(…)`, C#'s and Java's `new Instance(…)`) takes
        // its module from the file's imports.
        let imports = &text[..imports_end(text)];
        for c in found
            .constructs
            .iter_mut()
            .filter(|c| !c.callee.contains('.'))
        {
            c.module = match flavor {
                Flavor::Cdk if c.kind.starts_with("Cfn") => {
                    replacement::l1_module(imports, &c.kind)
                }
                Flavor::Cdk => None,
                Flavor::Pulumi | Flavor::Sst => replacement::pulumi_module(imports, c),
            };
        }
        let settings = guards::settings(&src, &found.constructs);
        let removal = if flavor == Flavor::Sst {
            sst::removal(&src)
        } else {
            sst::Removal::default()
        };
        Program {
            removal,
            src,
            constructs: found.constructs,
            computed: found.computed,
            unnamed: found.unnamed,
            settings,
        }
    }

    /// Whether `old` may still be declared here, by a helper function or a loop: a call of
    /// its kind takes a computed name, and its old name is still written as a string
    /// (`makeFunction("api")`, `for name in ["logs", "data"]`). Unknown, so quiet.
    fn may_declare(&self, old: &Construct) -> bool {
        self.computed.contains(&old.kind)
            && self
                .src
                .literal_values(0..self.src.code.len())
                .contains(&old.name)
    }

    /// How many times code (not comments or strings) calls `name(`.
    fn calls(&self, name: &str) -> usize {
        let code = std::str::from_utf8(&self.src.code).unwrap_or("");
        code.matches(&format!("{name}(")).count()
    }

    fn setting(&self, owner: Option<usize>, label: &str) -> Option<&Setting> {
        self.settings
            .iter()
            .find(|s| s.owner == owner && s.guard.label == label)
    }

    /// What becomes of the resource when it leaves the program: `Some(true)` deleted,
    /// `Some(false)` left running; `None` when CDK's default retains it.
    fn deleted_on_removal(&self, at: usize, flavor: Flavor) -> Option<bool> {
        let strength = |label: &str| self.setting(Some(at), label).map(|s| s.strength);
        fate(&self.constructs[at], strength, flavor, &self.removal)
    }

    /// [`Self::deleted_on_removal`] for a call with a computed name: its settings are the
    /// ones within its lines that no named construct owns.
    fn unnamed_deleted_on_removal(&self, c: &Construct, flavor: Flavor) -> Option<bool> {
        let strength = |label: &str| {
            self.settings
                .iter()
                .find(|s| {
                    s.owner.is_none()
                        && s.guard.label == label
                        && (c.line..=c.end_line).contains(&s.line)
                })
                .map(|s| s.strength)
        };
        fate(c, strength, flavor, &self.removal)
    }
}

/// What becomes of `c` when it leaves the program, given how its own settings judge a guard.
fn fate(
    c: &Construct,
    strength: impl Fn(&str) -> Option<Strength>,
    flavor: Flavor,
    removal: &sst::Removal,
) -> Option<bool> {
    match flavor {
        Flavor::Sst => sst::fate(c, strength("retainOnDelete"), removal),
        Flavor::Pulumi => Some(strength("retainOnDelete") != Some(Strength::Protected)),
        Flavor::Cdk => match strength("removalPolicy") {
            Some(Strength::Weak) => Some(true),
            Some(Strength::Protected) => Some(false),
            _ if c.kind.starts_with("Cfn") => Some(true),
            _ if RETAINED_BY_DEFAULT.contains(&c.kind.as_str()) => None,
            _ => Some(true),
        },
    }
}

/// The identity of a construct across sides: its type and name.
fn identity(c: &Construct) -> (&str, &str) {
    (c.kind.as_str(), c.name.as_str())
}

pub fn analyze(view: &FileView) -> Vec<Finding> {
    let ext = view.path().extension().unwrap_or_default();
    let flavor = [view.new_text(), view.old_text()]
        .into_iter()
        .flatten()
        .find_map(|t| detect(&ext, t));
    // An Amplify backend file is read for its `define*` calls, and as a CDK app too when it
    // imports `aws-cdk-lib` for overrides.
    let mut out = amplify::analyze(view, &ext);
    let Some(flavor) = flavor else {
        return out;
    };
    let base = Program::read(view.old_text().unwrap_or(""), &ext, flavor);
    let head = Program::read(view.new_text().unwrap_or(""), &ext, flavor);
    if flavor == Flavor::Cdk && view.new_text().is_some() {
        let code = |p: &Program| String::from_utf8_lossy(&p.src.code).into_owned();
        overrides::dropped(view, &code(&base), &code(&head), &mut out);
    }
    if flavor == Flavor::Sst {
        out.extend(sst::app_changes(view, &base.src, &head.src));
    }

    // Pair constructs by identity, in order: the n-th `Table "orders"` of each side.
    let mut head_taken = vec![false; head.constructs.len()];
    let mut pairs: Vec<(usize, usize)> = Vec::new();
    let mut gone: Vec<usize> = Vec::new();
    for (b, old) in base.constructs.iter().enumerate() {
        let found = head
            .constructs
            .iter()
            .enumerate()
            .find(|(h, new)| !head_taken[*h] && identity(new) == identity(old));
        match found {
            Some((h, _)) => {
                head_taken[h] = true;
                pairs.push((b, h));
            }
            None => gone.push(b),
        }
    }
    // A gone construct whose type reappears under a new name was renamed: the old resource
    // still goes, but a replacement is what the author meant.
    let overrides_added = base.calls("overrideLogicalId") < head.calls("overrideLogicalId");
    for b in gone {
        let old = &base.constructs[b];
        if head.may_declare(old) {
            continue;
        }
        if old.is_container() {
            if flavor == Flavor::Cdk {
                out.extend(stack_renamed(view, &head, old, &mut head_taken));
            }
            continue;
        }
        // The same id under another type (`Table` to `TableV2`, `s3.Bucket` to
        // `s3.BucketV2`) is a new resource type: the old resource goes, a new empty one comes.
        let retyped = head
            .constructs
            .iter()
            .enumerate()
            .find(|(h, new)| !head_taken[*h] && new.name == old.name && !new.is_container());
        if let Some((h, new)) = retyped {
            head_taken[h] = true;
            // Pulumi's `aliases` can carry the old type over to the new one, and a provider
            // can alias its own types.
            let aliased = flavor != Flavor::Cdk
                && (mentions(&head, new, "aliases")
                    || pulumi::provider_aliased(&old.callee, &new.callee));
            if !aliased {
                out.push(retyped_finding(view, flavor, &base, b, new));
            }
            continue;
        }
        let renamed = head
            .constructs
            .iter()
            .enumerate()
            .find(|(h, new)| !head_taken[*h] && new.kind == old.kind);
        match renamed {
            Some((h, new)) => {
                head_taken[h] = true;
                let kept = match flavor {
                    Flavor::Pulumi | Flavor::Sst => mentions(&head, new, "aliases"),
                    Flavor::Cdk => overrides_added,
                };
                if !kept {
                    out.push(renamed_finding(view, flavor, &base, b, new));
                }
            }
            None => out.push(removed_finding(view, flavor, &base, b)),
        }
    }

    // An edit to a resource kept on both sides, given its fate on each side.
    let judge = |old, new, deleted| {
        let sides = Sides {
            base: &base,
            old,
            head: &head,
            new,
        };
        edited(view, flavor, &sides, deleted, overrides_added)
    };
    for &(b, h) in &pairs {
        let (old, new) = (&base.constructs[b], &head.constructs[h]);
        if flavor == Flavor::Cdk && old.is_container() {
            out.extend(stack_placed_elsewhere(view, &base, old, &head, new));
        }
        let deleted = (
            base.deleted_on_removal(b, flavor),
            head.deleted_on_removal(h, flavor),
        );
        out.extend(judge(old, new, deleted));
    }

    // Calls whose name is computed (`f"{name}-table"` in a component, a name from config)
    // are paired with the same call, written the same way, on the other side: whether one
    // was removed or renamed is unknown, but a parent or property changed on it is not.
    // Only a call written once on each side: two helpers each making `Bucket(name, …)` are
    // two resources, and which one went is unknown.
    let once = |p: &Program, c: &Construct| {
        p.unnamed
            .iter()
            .filter(|u| identity(u) == identity(c))
            .count()
            == 1
    };
    for old in base.unnamed.iter().filter(|c| once(&base, c)) {
        let Some(new) = head
            .unnamed
            .iter()
            .find(|new| identity(new) == identity(old))
        else {
            continue;
        };
        if !once(&head, new) {
            continue;
        }
        let deleted = (
            base.unnamed_deleted_on_removal(old, flavor),
            head.unnamed_deleted_on_removal(new, flavor),
        );
        out.extend(judge(old, new, deleted));
    }

    if flavor == Flavor::Pulumi {
        for (was, now, line) in component_type::changed(&base.src, &head.src) {
            out.push(component_retyped(view, &was, &now, line));
        }
    }

    // Guards, per owner present on both sides; settings outside any construct (a stack's
    // props, `bucket.applyRemovalPolicy(…)`) belong to the file.
    let mut owners: Vec<(Option<usize>, Option<usize>)> = vec![(None, None)];
    owners.extend(pairs.iter().map(|&(b, h)| (Some(b), Some(h))));
    for (b, h) in owners {
        for guard in guards::GUARDS {
            // An SST app's own `protect` is read with its other settings, by [`sst`].
            if flavor == Flavor::Sst && b.is_none() && guard.label == "protect" {
                continue;
            }
            if let Some(f) = weakened(view, flavor, &base, &head, guard, b, h) {
                out.push(f);
            }
        }
    }
    out
}

/// A component class that registers under a new type token: every instance, and every
/// child parented under one, gets a new URN.
fn component_retyped(view: &FileView, was: &str, now: &str, line: u32) -> Finding {
    Finding::new(
        &pulumi::RENAMED,
        view.at(Side::Head, line, line),
        format!(
            "A component's type changes from `{was}` to `{now}` without `aliases`: its URN, and the URN of every child parented under it, holds the type, so the next `pulumi up` deletes every instance and all their resources and creates new, empty ones. Safer: keep the type, or pass `aliases: [{{ type: \"{was}\" }}]` in the options the component registers with."
        ),
    )
    .with_severity(Severity::High)
}

/// Whether the construct's call names `word` (as code): `aliases` in its options.
fn mentions(program: &Program, c: &Construct, word: &str) -> bool {
    let code = std::str::from_utf8(&program.src.code[c.extent.clone()]).unwrap_or("");
    code.to_ascii_lowercase().contains(word)
}

fn describe(c: &Construct) -> String {
    format!("`{}` ({})", c.name, c.callee)
}

/// The rule a resource leaving the program meets, and the command that deletes it.
fn removal_rule(flavor: Flavor) -> (&'static Rule, &'static str) {
    match flavor {
        Flavor::Pulumi => (&pulumi::RESOURCE_REMOVED, "`pulumi up`"),
        Flavor::Sst => (&pulumi::RESOURCE_REMOVED, "`sst deploy`"),
        Flavor::Cdk => (&CONSTRUCT_REMOVED, "`cdk deploy`"),
    }
}

fn removed_finding(view: &FileView, flavor: Flavor, base: &Program, at: usize) -> Finding {
    let old = &base.constructs[at];
    let data = holds_data(old);
    let deleted = base.deleted_on_removal(at, flavor);
    let (rule, tool) = removal_rule(flavor);
    let (severity, fate) = match deleted {
        Some(false) => (
            Severity::Low,
            " Its code retains it, so the cloud resource is left running, unmanaged.".to_owned(),
        ),
        None if flavor == Flavor::Sst => (
            if data { Severity::High } else { Severity::Medium },
            " Whether it survives depends on the stage: SST's `removal` keeps it, orphaned with its data, where it is `retain` (`retain-all` for anything but buckets and tables), and deletes it everywhere else.".to_owned(),
        ),
        None => (
            Severity::Medium,
            format!(
                " CDK's default removal policy for a {} is RETAIN, so CloudFormation should orphan it rather than delete it; check nothing sets another.",
                old.kind
            ),
        ),
        Some(true) if data => (Severity::Critical, " Its data goes with it.".to_owned()),
        Some(true) if old.component => (
            Severity::High,
            " It is a component: every resource it declares goes with it.".to_owned(),
        ),
        Some(true) => (Severity::Medium, String::new()),
    };
    let protected = base
        .setting(Some(at), "protect")
        .is_some_and(|s| s.strength == Strength::Protected);
    let note = if protected {
        " It had `protect: true`, so the update will fail at the delete until that is lifted."
    } else {
        ""
    };
    let safer = match flavor {
        Flavor::Pulumi => "set `retainOnDelete: true` (or `protect: true`) and deploy first, or `pulumi state delete` it deliberately",
        Flavor::Cdk => "set `removalPolicy: RemovalPolicy.RETAIN` and deploy before removing it",
        Flavor::Sst => "keep it, or pass `{ retainOnDelete: true }` as its third argument (options) and deploy before removing it; a production stage should keep `removal: \"retain\"`",
    };
    Finding::new(
        rule,
        view.at(Side::Base, old.line, old.end_line),
        format!(
            "{} is removed from the program, so the next {tool} deletes it.{fate}{note} Safer: {safer}.",
            describe(old)
        ),
    )
    .with_severity(severity)
}

/// A construct whose id stays while its type changes: a new resource replaces the old one.
fn retyped_finding(
    view: &FileView,
    flavor: Flavor,
    base: &Program,
    at: usize,
    new: &Construct,
) -> Finding {
    let old = &base.constructs[at];
    let (rule, tool) = removal_rule(flavor);
    // Retained, the old resource is left running unmanaged while the code moves to the new,
    // empty one: the data is not lost but the application stops seeing it.
    let (severity, fate) = match base.deleted_on_removal(at, flavor) {
        Some(true) if holds_data(old) => (Severity::Critical, "deletes the old one with its data"),
        None if flavor == Flavor::Sst => (
            Severity::High,
            "deletes the old one, or orphans it with its data where the stage's `removal` retains it",
        ),
        Some(true) => (Severity::Medium, "deletes the old one"),
        None => (
            Severity::High,
            "orphans the old one (CDK retains this type by default), so its data stays behind while the code uses the new, empty one",
        ),
        Some(false) => (
            Severity::Medium,
            "leaves the old one running, unmanaged, as its code retains it",
        ),
    };
    let safer = match flavor {
        Flavor::Pulumi => "add `aliases: [{ type: \"<old type token>\" }]` only if the provider documents the move as an alias; otherwise keep the old type, or import the existing resource into the new one (`pulumi import`)",
        Flavor::Cdk => "keep the old construct, or retain it, remove it from the stack and import the existing resource into the new construct (`cdk import`), as the construct's migration guide describes",
        Flavor::Sst => "keep the old component; to move the data, deploy the new one beside it, migrate, and remove the old one in its own reviewed change",
    };
    Finding::new(
        rule,
        view.at(Side::Head, new.line, new.end_line),
        format!(
            "`{}` changes type from {} to {} under the same name, so the next {tool} creates a new resource and {fate}. Safer: {safer}.",
            old.name, old.callee, new.callee
        ),
    )
    .with_severity(severity)
}

fn renamed_finding(
    view: &FileView,
    flavor: Flavor,
    base: &Program,
    at: usize,
    new: &Construct,
) -> Finding {
    let old = &base.constructs[at];
    let data = holds_data(old);
    let severity = match (data, base.deleted_on_removal(at, flavor)) {
        // What a component's children hold is not known here; they are all replaced.
        (false, _) if old.component => Severity::High,
        (false, _) => Severity::Medium,
        (true, Some(true)) => Severity::Critical,
        (true, _) => Severity::High,
    };
    let children = if old.component {
        " It is a component: its children are parented (and usually named) under it, so every resource it declares is replaced too."
    } else {
        ""
    };
    let (rule, message) = match flavor {
        Flavor::Sst => (
            &pulumi::RENAMED,
            format!(
                "{} is renamed to `{}` without `aliases`: the component's name is in the URN and the name of every resource it makes, so the next `sst deploy` deletes them (where the stage's `removal` does not retain them) and creates new, empty ones. Safer: keep the name, or pass `{{ aliases: [{{ name: \"{}\" }}] }}` as its third argument (options); Pulumi carries the alias over to the children named after it.",
                describe(old), new.name, old.name
            ),
        ),
        Flavor::Pulumi => (
            &pulumi::RENAMED,
            format!(
                "{} is renamed to `{}` without `aliases`: the next `pulumi up` deletes `{}` and creates a new, empty one.{children} Safer: keep the name, or add `aliases: [{{ name: \"{}\" }}]` to the new resource's options.",
                describe(old), new.name, old.name, old.name
            ),
        ),
        Flavor::Cdk => (
            &CONSTRUCT_ID_CHANGED,
            format!(
                "{}'s construct id changes to `{}`, so its logical ID changes: CloudFormation creates a new, empty {} and removes the old one (deleted, or orphaned if retained). Safer: keep the id, or pin the old logical ID with `overrideLogicalId` on its `node.defaultChild`.",
                describe(old), new.name, old.kind
            ),
        ),
    };
    Finding::new(rule, view.at(Side::Head, new.line, new.line), message).with_severity(severity)
}

/// A CDK stack (or stage) whose id changes: the next `cdk deploy` creates a second
/// CloudFormation stack with new, empty resources, and leaves the old one deployed. Quiet
/// when the new call pins `stackName` (the CloudFormation stack keeps its name), and when
/// the stack is only dropped from the app (which deletes nothing).
fn stack_renamed(
    view: &FileView,
    head: &Program,
    old: &Construct,
    head_taken: &mut [bool],
) -> Option<Finding> {
    let (h, new) = head
        .constructs
        .iter()
        .enumerate()
        .find(|(h, new)| !head_taken[*h] && new.kind == old.kind)?;
    head_taken[h] = true;
    let code = std::str::from_utf8(&head.src.code[new.extent.clone()]).unwrap_or("");
    if code
        .to_ascii_lowercase()
        .replace('_', "")
        .contains("stackname")
    {
        return None;
    }
    Some(
        Finding::new(
            &CONSTRUCT_ID_CHANGED,
            view.at(Side::Head, new.line, new.line),
            format!(
                "{} is renamed to `{}`: the CloudFormation stack name made from it changes, so the next `cdk deploy` creates a new stack with new, empty resources (fixed resource names collide), and leaves the old stack `{}` deployed with its data until `cdk destroy` deletes it. Safer: keep the id, or pin the old name with `stackName: '{}'` in its props.",
                describe(old), new.name, old.name, old.name
            ),
        )
        .with_severity(Severity::High),
    )
}

/// A stack (or stage) kept under its id but given another literal account, region or stack
/// name: a new CloudFormation stack, new and empty, while the old one stays with its data.
fn stack_placed_elsewhere(
    view: &FileView,
    base: &Program,
    old: &Construct,
    head: &Program,
    new: &Construct,
) -> Option<Finding> {
    let moved: Vec<String> = environment::PLACES
        .iter()
        .filter_map(|key| {
            let was = environment::literal(&base.src, old, key)?;
            let now = environment::literal(&head.src, new, key)?;
            (was != now).then(|| format!("{key} `{was}` to `{now}`"))
        })
        .collect();
    if moved.is_empty() {
        return None;
    }
    Some(
        Finding::new(
            &CONSTRUCT_ID_CHANGED,
            view.at(Side::Head, new.line, new.end_line),
            format!(
                "{} moves from {}: that is another CloudFormation stack, so the next `cdk deploy` creates every resource of it anew and empty there, and leaves the old stack, with its data, running where it was until it is destroyed. Safer: keep the account, region and stack name; to move, migrate the data into a stack deployed beside the old one, then retire the old one in its own reviewed change.",
                describe(new),
                moved.join(" and ")
            ),
        )
        .with_severity(Severity::High),
    )
}

/// One resource on both sides of the program.
struct Sides<'s, 'a> {
    base: &'s Program<'a>,
    old: &'s Construct,
    head: &'s Program<'a>,
    new: &'s Construct,
}

/// What an edit to a resource kept on both sides destroys: a move in the tree, or else a
/// property that cannot be updated in place. `deleted` is its fate on each side.
fn edited(
    view: &FileView,
    flavor: Flavor,
    sides: &Sides,
    deleted: (Option<bool>, Option<bool>),
    overrides_added: bool,
) -> Vec<Finding> {
    if let Some(f) = moved_finding(view, flavor, sides, deleted.0, overrides_added) {
        return vec![f];
    }
    let pulumi = flavor != Flavor::Cdk;
    let (base, head) = (&sides.base.src, &sides.head.src);
    let mut changed = replacement::changed(pulumi, base, sides.old, head, sides.new);
    if flavor == Flavor::Sst {
        changed.extend(sst::replaced(base, sides.old, head, sides.new));
    }
    changed
        .iter()
        .map(|changed| replaced_finding(view, flavor, sides.new, deleted.1, changed))
        .collect()
}

/// A resource kept under its name but moved in the tree: a CDK construct given another
/// scope (a new logical ID), a Pulumi resource given another `parent` (a new URN) without
/// `aliases`.
fn moved_finding(
    view: &FileView,
    flavor: Flavor,
    sides: &Sides,
    deleted: Option<bool>,
    overrides_added: bool,
) -> Option<Finding> {
    let Sides {
        base,
        old,
        head,
        new,
    } = *sides;
    let severity = match (holds_data(old), deleted) {
        (false, _) => Severity::Medium,
        (true, Some(true)) => Severity::Critical,
        (true, _) => Severity::High,
    };
    let (rule, message) = match flavor {
        Flavor::Cdk => {
            if overrides_added || !moved::scope_moved(&base.src, old, &head.src, new) {
                return None;
            }
            (
                &CONSTRUCT_ID_CHANGED,
                format!(
                    "{} moves from scope `{}` to `{}`: its construct path, and so its logical ID, changes, so CloudFormation creates a new, empty {} and removes the old one (deleted, or orphaned if retained). Safer: keep it where it was, or pin the old logical ID with `overrideLogicalId` on its `node.defaultChild`.",
                    describe(old), old.scope, new.scope, old.kind
                ),
            )
        }
        Flavor::Pulumi | Flavor::Sst => {
            let (was, now) = (moved::parent(&base.src, old), moved::parent(&head.src, new));
            // A URN holds the parent's type chain, not its name: a move between two
            // parents may keep it (if they are of one type), which twokey cannot tell.
            if was.is_some() == now.is_some() || mentions(head, new, "aliases") {
                return None;
            }
            let shown =
                |p: &Option<String>| p.as_ref().map_or("(none)".to_owned(), |p| format!("`{p}`"));
            let alias = was
                .as_ref()
                .map_or("pulumi.rootStackResource", String::as_str);
            (
                &pulumi::RENAMED,
                format!(
                    "{}'s parent changes from {} to {}, which changes its URN without `aliases`: the next `pulumi up` deletes it and creates a new, empty one. Safer: add `aliases: [{{ parent: {alias} }}]` to its options.",
                    describe(old), shown(&was), shown(&now)
                ),
            )
        }
    };
    Some(
        Finding::new(rule, view.at(Side::Head, new.line, new.line), message)
            .with_severity(severity),
    )
}

fn replaced_finding(
    view: &FileView,
    flavor: Flavor,
    new: &Construct,
    deleted: Option<bool>,
    changed: &replacement::Changed,
) -> Finding {
    let stateful = holds_data(new)
        || changed
            .terraform_type
            .as_deref()
            .is_some_and(crate::analyze::terraform::stateful::stateful);
    let (rule, tool) = match flavor {
        Flavor::Pulumi => (&pulumi::REPLACEMENT_PROPERTY, "`pulumi up`"),
        Flavor::Sst => (&pulumi::REPLACEMENT_PROPERTY, "`sst deploy`"),
        Flavor::Cdk => (&REPLACEMENT_PROPERTY, "`cdk deploy`"),
    };
    let (severity, fate) = match deleted {
        Some(true) if stateful => (
            Severity::Critical,
            "creating a new, empty one and deleting the existing one with everything stored in it",
        ),
        Some(true) => (
            Severity::High,
            "creating a new one and deleting the existing one",
        ),
        None if flavor == Flavor::Sst && stateful => (
            Severity::High,
            "creating a new, empty one and deleting the existing one with its data, or orphaning it where the stage's `removal` retains it",
        ),
        _ => (
            Severity::High,
            "creating a new, empty one; the existing one is retained, but no longer managed or used",
        ),
    };
    Finding::new(
        rule,
        view.at(Side::Head, changed.line, changed.line),
        format!(
            "`{}` of {} changed from `{}` to `{}`, which cannot be updated in place: the next {tool} replaces it, {fate}.",
            changed.property,
            describe(new),
            changed.before,
            changed.after
        ),
    )
    .with_severity(severity)
}

/// A guard turned off between `base` and `head` for one owner: a literal weak value that
/// replaces a protective or unknown one, or a protective value dropped where leaving it out
/// is weak.
fn weakened(
    view: &FileView,
    flavor: Flavor,
    base: &Program,
    head: &Program,
    guard: &'static guards::Guard,
    b: Option<usize>,
    h: Option<usize>,
) -> Option<Finding> {
    let of = |p: &Program, owner: Option<usize>| -> Vec<Setting> {
        p.settings
            .iter()
            .filter(|s| s.owner == owner && s.guard.label == guard.label)
            .cloned()
            .collect()
    };
    let (before, after) = (of(base, b), of(head, h));
    let owner = h.map(|h| &head.constructs[h]);
    let weak_count = |s: &[Setting]| s.iter().filter(|s| s.strength == Strength::Weak).count();
    let was_guarded = if before.is_empty() {
        guard.absent(b.map(|b| &base.constructs[b])) == Strength::Protected
    } else {
        before.iter().any(|s| s.strength != Strength::Weak)
    };
    let (location, was, now) = if weak_count(&after) > weak_count(&before) && was_guarded {
        let new = after
            .iter()
            .filter(|s| s.strength == Strength::Weak)
            .nth(weak_count(&before))?;
        let was = before
            .first()
            .map_or("(unset)".to_owned(), |s| format!("`{}`", s.written));
        (
            view.at(Side::Head, new.line, new.line),
            was,
            format!("`{}`", new.written),
        )
    } else if after.is_empty()
        && guard.absent(owner) == Strength::Weak
        && before.iter().any(|s| s.strength == Strength::Protected)
    {
        let old = before.iter().find(|s| s.strength == Strength::Protected)?;
        let location = match owner {
            Some(o) => view.at(Side::Head, o.line, o.line),
            None => view.at(Side::Base, old.line, old.line),
        };
        (location, format!("`{}`", old.written), "removed".to_owned())
    } else {
        return None;
    };
    let rule = match (guard.family, flavor) {
        (Family::PulumiOption, _) => &pulumi::PROTECTION_REMOVED,
        (Family::RemovalPolicy, _) => &REMOVAL_POLICY_DESTROY,
        (Family::Provider, Flavor::Pulumi | Flavor::Sst) => &pulumi::PROTECTION_WEAKENED,
        (Family::Provider, Flavor::Cdk) => &PROTECTION_WEAKENED,
    };
    let (what, severity) = match owner {
        Some(o) if holds_data(o) => (describe(o), Severity::High),
        Some(o) => (describe(o), Severity::Medium),
        None => (
            "the stack (or a resource set through a variable)".to_owned(),
            Severity::High,
        ),
    };
    let safer = match guard.family {
        Family::PulumiOption => "keep the option on, and lift it only in a change reviewed with the preview that needs it",
        Family::RemovalPolicy => "keep `RemovalPolicy.RETAIN` (or `SNAPSHOT`), and use DESTROY only for throwaway stacks",
        Family::Provider => "keep the protection on; if a delete is really intended, do it in its own reviewed change",
    };
    Some(
        Finding::new(
            rule,
            location,
            format!(
                "`{}` on {what} changed from {was} to {now}, so {}. Safer: {safer}.",
                guard.label, guard.effect
            ),
        )
        .with_severity(severity),
    )
}
