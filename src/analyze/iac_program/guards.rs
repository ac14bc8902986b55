//! guards: the settings in a program that stand between a mistaken delete and lost data
//! (`protect`, `retainOnDelete`, deletion and termination protection, `forceDestroy`,
//! `autoDeleteObjects`, `skipFinalSnapshot`, point-in-time recovery, CDK removal policies),
//! found wherever they are written as `key: value` (TypeScript), `key=value` (Python),
//! `Key = value` (C#) or `key(value)` (Go options, Java builders), and judged on their
//! literal value.
//!
//! A value from a variable, a config lookup or a condition is unknown; a literal weak value
//! that replaces a protective or unknown one weakens the resource, as in the Pulumi YAML
//! analyzer's guards.

use super::constructs::Construct;
use crate::analyze::orm::scan::Source;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Strength {
    Protected,
    Weak,
    Unknown,
}

/// What a guard protects against, for the rule it maps to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Family {
    /// Pulumi's own resource options: `protect`, `retainOnDelete`.
    PulumiOption,
    /// A provider or CloudFormation setting.
    Provider,
    /// A CDK removal policy.
    RemovalPolicy,
}

#[derive(Debug)]
pub(super) struct Guard {
    /// How a reviewer reads the setting.
    pub label: &'static str,
    /// Spellings, lowercased without `_` (`deletion_protection`, `DeletionProtection`).
    keys: &'static [&'static str],
    judge: fn(&str) -> Strength,
    /// What leaving the setting out means for a resource of this callee (`None`: on a
    /// stack or a variable twokey cannot follow).
    absent: fn(Option<&Construct>) -> Strength,
    pub family: Family,
    /// What turning it off does, completing "so …".
    pub effect: &'static str,
}

fn words(value: &str) -> impl Iterator<Item = String> + '_ {
    value
        .split(|c: char| !c.is_ascii_alphanumeric() && c != '_')
        .filter(|w| !w.is_empty())
        .map(str::to_ascii_lowercase)
}

fn boolean(value: &str) -> Option<bool> {
    let (t, f) = words(value).fold((false, false), |(t, f), w| {
        // CloudFormation spells some switches `ACTIVE`/`INACTIVE` (a user pool's
        // `DeletionProtection`).
        (
            t || w == "true" || w == "active",
            f || w == "false" || w == "inactive",
        )
    });
    // `isProd ? true : false` depends on something twokey cannot see.
    match (t, f) {
        (true, false) => Some(true),
        (false, true) => Some(false),
        _ => None,
    }
}

fn true_protects(v: &str) -> Strength {
    match boolean(v) {
        Some(true) => Strength::Protected,
        Some(false) => Strength::Weak,
        None => Strength::Unknown,
    }
}

fn false_protects(v: &str) -> Strength {
    match boolean(v) {
        Some(false) => Strength::Protected,
        Some(true) => Strength::Weak,
        None => Strength::Unknown,
    }
}

fn removal_policy(v: &str) -> Strength {
    // Go's CDK names the enum's members `awscdk.RemovalPolicy_DESTROY`: split on `_` too.
    let words: Vec<String> = words(v)
        .flat_map(|w| w.split('_').map(str::to_owned).collect::<Vec<_>>())
        .collect();
    let destroy = words.iter().any(|w| w == "destroy");
    let keep = words
        .iter()
        .any(|w| w.starts_with("retain") || w == "snapshot");
    // `isProd ? RETAIN : DESTROY` depends on something twokey cannot see, as with booleans.
    match (destroy, keep) {
        (true, false) => Strength::Weak,
        (false, true) => Strength::Protected,
        _ => Strength::Unknown,
    }
}

fn weak(_: Option<&Construct>) -> Strength {
    Strength::Weak
}

fn protected(_: Option<&Construct>) -> Strength {
    Strength::Protected
}

/// Google's databases default to deletion protection on; AWS's and Azure's to off.
fn deletion_protection_default(owner: Option<&Construct>) -> Strength {
    let gcp = owner.is_some_and(|o| o.callee.to_ascii_lowercase().starts_with("gcp."));
    if gcp {
        Strength::Unknown
    } else {
        Strength::Weak
    }
}

/// CDK retains (or snapshots) the data-holding L2 constructs unless told otherwise; a
/// `applyRemovalPolicy` call on a variable is taken to be on one of those.
fn removal_policy_default(owner: Option<&Construct>) -> Strength {
    match owner {
        Some(o) if !super::holds_data(o) => Strength::Unknown,
        _ => Strength::Protected,
    }
}

pub(super) const GUARDS: &[Guard] = &[
    Guard {
        label: "protect",
        keys: &["protect"],
        judge: true_protects,
        absent: weak,
        family: Family::PulumiOption,
        effect: "nothing now stops `pulumi up` or `pulumi destroy` from deleting it",
    },
    Guard {
        label: "retainOnDelete",
        keys: &["retainondelete"],
        judge: true_protects,
        absent: weak,
        family: Family::PulumiOption,
        effect: "removing it from the program now deletes the cloud resource too",
    },
    Guard {
        label: "deletionProtection",
        keys: &[
            "deletionprotection",
            "deletionprotectionenabled",
            "enabledeletionprotection",
        ],
        judge: true_protects,
        absent: deletion_protection_default,
        family: Family::Provider,
        effect: "the provider will now delete it when asked",
    },
    Guard {
        label: "terminationProtection",
        keys: &["terminationprotection", "disableapitermination"],
        judge: true_protects,
        absent: weak,
        family: Family::Provider,
        effect: "the stack or instance can now be deleted",
    },
    Guard {
        label: "forceDestroy",
        keys: &["forcedestroy"],
        judge: false_protects,
        absent: protected,
        family: Family::Provider,
        effect: "deleting it deletes every object inside instead of failing",
    },
    Guard {
        label: "autoDeleteObjects",
        keys: &["autodeleteobjects"],
        judge: false_protects,
        absent: protected,
        family: Family::Provider,
        effect: "deleting the bucket first empties it, objects and all",
    },
    Guard {
        label: "skipFinalSnapshot",
        keys: &["skipfinalsnapshot"],
        judge: false_protects,
        absent: protected,
        family: Family::Provider,
        effect: "deleting it keeps no final snapshot of the data",
    },
    Guard {
        label: "pointInTimeRecovery",
        // CDK's `pointInTimeRecovery: true` and the nested
        // `pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true }`; Pulumi's
        // `pointInTimeRecovery: { enabled: true }`.
        keys: &["pointintimerecovery", "pointintimerecoveryenabled"],
        judge: true_protects,
        absent: weak,
        family: Family::Provider,
        effect: "the table's continuous backups are deleted, and it can no longer be restored to an earlier point",
    },
    Guard {
        label: "removalPolicy",
        keys: &["removalpolicy", "applyremovalpolicy"],
        judge: removal_policy,
        absent: removal_policy_default,
        family: Family::RemovalPolicy,
        effect: "CloudFormation deletes the resource and its data when it leaves the stack or is replaced",
    },
];

impl Guard {
    pub fn absent(&self, owner: Option<&Construct>) -> Strength {
        (self.absent)(owner)
    }
}

/// One setting as written: which guard, its owner (an index into the side's constructs;
/// `None` for a stack's props or a call on a variable), its strength and where it is.
#[derive(Debug, Clone)]
pub(super) struct Setting {
    pub guard: &'static Guard,
    pub owner: Option<usize>,
    pub strength: Strength,
    /// The value as written, on one line, for messages (the guard judged its string
    /// literal's content, or its code with strings masked).
    pub written: String,
    pub line: u32,
}

/// A byte of an identifier as the scanners of this module read one (no `$`).
pub(super) fn is_ident(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_'
}

/// What follows a key that ends at `end`, spaces and tabs skipped, when it can join the key
/// to a value: `":"`, `"::"`, `"="` or `"("`, and where the value starts. `==` compares and
/// `=>` maps, so neither joins; each caller names the joins its languages use.
pub(super) fn key_join(code: &[u8], end: usize) -> Option<(&'static str, usize)> {
    let mut sep = end;
    while code.get(sep).is_some_and(|b| *b == b' ' || *b == b'\t') {
        sep += 1;
    }
    let next = code.get(sep + 1).copied();
    let join = match code.get(sep)? {
        b':' if next == Some(b':') => "::",
        b':' => ":",
        b'=' if !matches!(next, Some(b'=' | b'>')) => "=",
        b'(' => "(",
        _ => return None,
    };
    Some((join, sep + 1))
}

/// Every guard setting in `src`, owned by the innermost construct whose call holds it.
pub(super) fn settings(src: &Source, constructs: &[Construct]) -> Vec<Setting> {
    let code = &src.code;
    let mut out = Vec::new();
    let mut i = 0;
    while i < code.len() {
        if !is_ident(code[i]) || (i > 0 && is_ident(code[i - 1])) {
            i += 1;
            continue;
        }
        let end = (i..code.len())
            .find(|&j| !is_ident(code[j]))
            .unwrap_or(code.len());
        let word: String = code[i..end]
            .iter()
            .filter(|b| **b != b'_')
            .map(|b| b.to_ascii_lowercase() as char)
            .collect();
        let at = i;
        i = end;
        let Some(guard) = GUARDS.iter().find(|g| g.keys.contains(&word.as_str())) else {
            continue;
        };
        // `key: v`, `key = v`, and Java's builder `key(v)`.
        let Some((":" | "=" | "(", from)) = key_join(code, end) else {
            continue;
        };
        let range = value_at(code, from);
        let masked = std::str::from_utf8(&code[range.clone()])
            .unwrap_or("")
            .trim();
        // A value that is one string literal is judged on its content (`"INACTIVE"`); any
        // other on its code, so a string elsewhere in it cannot pass for a keyword.
        let literal = src.literal_values(range.clone());
        let value = match literal.as_slice() {
            [one] if masked.starts_with(['"', '\'']) && masked.ends_with(['"', '\'']) => {
                one.as_str()
            }
            _ => masked,
        };
        let owner = constructs
            .iter()
            .enumerate()
            .filter(|(_, c)| c.extent.contains(&at))
            .min_by_key(|(_, c)| c.extent.len())
            .map(|(n, _)| n);
        let written = src.text.get(range).map_or(masked, str::trim);
        out.push(Setting {
            guard,
            owner,
            strength: (guard.judge)(value),
            written: written.split_whitespace().collect::<Vec<_>>().join(" "),
            line: src.line_of(at),
        });
    }
    out
}

/// A value runs to the next `,` `;` or newline outside brackets, or to the bracket that
/// closes around it.
pub(super) fn value_at(code: &[u8], from: usize) -> std::ops::Range<usize> {
    let mut depth = 0usize;
    for (i, b) in code.iter().enumerate().skip(from) {
        match b {
            b'(' | b'[' | b'{' => depth += 1,
            b')' | b']' | b'}' if depth == 0 => return from..i,
            b')' | b']' | b'}' => depth -= 1,
            b',' | b';' | b'\n' if depth == 0 => return from..i,
            _ => {}
        }
    }
    from..code.len()
}
