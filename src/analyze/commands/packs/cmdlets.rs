//! cmdlets: PowerShell cmdlets that destroy, judged by the rules of the command-line tools
//! they stand beside: `Remove-AzResourceGroup` is `az group delete`, `Remove-RDSDBInstance`
//! is `aws rds delete-db-instance`, `Remove-Item -Recurse C:\` is `rm -rf /`, and
//! `Invoke-Sqlcmd -Query "DROP TABLE …"` is `sqlcmd -Q`. Covers Azure (Az, AzureRM and the
//! classic `*-Azure*` names), AWS Tools for PowerShell, `Remove-Item` and the SQL Server
//! query cmdlets.
//!
//! PowerShell binds parameters by name, case-insensitively, and accepts an unambiguous
//! prefix (`-Rec`) and the `-Name:value` form; a switch may be given a value
//! (`-Force:$false`). [`Params`] reads them so. It does not know each cmdlet's parameter
//! sets: a word after a parameter it does not know to be a switch is that parameter's value.

use super::{
    data_dir, destructive_sql, Call, Hit, ALWAYS_SET, CLOUD_DELETE, DATABASE_DROP,
    PROTECTION_DISABLED, RM_RF, SYSTEM_DIRS,
};
use crate::analyze::commands::lex::Word;
use crate::finding::Severity;

/// Verbs of the cmdlets judged here: other verbs (`Get`, `New`, `Set`) never destroy.
const VERBS: &[&str] = &["remove", "invoke", "stop", "edit", "update", "request"];

/// Whether a (lower-case) command name is a cmdlet this pack judges.
pub(super) fn is_cmdlet(program: &str) -> bool {
    program
        .split_once('-')
        .is_some_and(|(verb, noun)| VERBS.contains(&verb) && !noun.is_empty())
}

/// What a cmdlet call destroys; `call.program` is its lower-case name.
pub(super) fn judge(call: &Call) -> Vec<Hit> {
    let params = Params { words: call.args };
    // `-WhatIf` reports what would happen and does nothing.
    if params.switch("whatif") == Some(true) {
        return Vec::new();
    }
    let found = match call.program {
        "remove-item" => remove_item(call, &params),
        "invoke-sqlcmd" | "invoke-dbaquery" | "invoke-sqlcmd2" => sql(call, &params),
        name => match azure_noun(name) {
            Some(noun) => azure(call, &params, noun),
            None => aws(call, &params),
        },
    };
    found.into_iter().collect()
}

/// `Start-Process terraform -ArgumentList 'destroy','-auto-approve'`: the command line the
/// process runs, as PowerShell text.
pub(super) fn started_process(call: &Call) -> Option<String> {
    let params = Params { words: call.args };
    let positional = params.positional();
    let file = params
        .value("filepath")
        .or_else(|| positional.first().map(|w| (*w).clone()))?;
    let arguments = params
        .value("argumentlist")
        .or_else(|| positional.get(1).map(|w| (*w).clone()))
        .map(|w| w.text.replace(',', " "))
        .unwrap_or_default();
    let file = if file.text.contains(char::is_whitespace) {
        format!("'{}'", file.text.replace('\'', "''"))
    } else {
        file.text
    };
    Some(format!("{file} {arguments}"))
}

/// A cmdlet's parameters as written.
struct Params<'a> {
    words: &'a [Word],
}

/// Switches of the cmdlets judged here, so the word after them is not taken as their value.
const SWITCHES: &[&str] = &[
    "force",
    "recurse",
    "whatif",
    "confirm",
    "verbose",
    "debug",
    "asjob",
    "passthru",
    "nowait",
    "deletebucketcontent",
    "inremovedstate",
    "skipfinalsnapshot",
    "terminate",
    "deleteautomatedbackup",
];

/// `-Name` or `-Name:value`: the lower-case name as written, and a value given with it.
fn parameter(text: &str) -> Option<(String, Option<&str>)> {
    let rest = text.strip_prefix('-')?;
    if !rest.starts_with(|c: char| c.is_ascii_alphabetic()) {
        return None;
    }
    Some(match rest.split_once(':') {
        Some((name, value)) => (name.to_ascii_lowercase(), Some(value)),
        None => (rest.to_ascii_lowercase(), None),
    })
}

/// Whether `written` names the parameter `full`: in full, or by a prefix of two letters or
/// more (one for `-r`, which `Remove-Item` takes as `-Recurse`).
fn names(written: &str, full: &str) -> bool {
    written == full
        || (written.len() >= 2 && full.starts_with(written))
        || (written == "r" && full == "recurse")
}

fn boolean(text: &str) -> Option<bool> {
    match text.to_ascii_lowercase().as_str() {
        "$true" | "1" | "true" => Some(true),
        "$false" | "0" | "false" => Some(false),
        _ => None,
    }
}

impl<'a> Params<'a> {
    /// The value of `-Name value` or `-Name:value`.
    fn value(&self, full: &str) -> Option<Word> {
        let mut words = self.words.iter();
        while let Some(word) = words.next() {
            let Some((name, attached)) = parameter(&word.text) else {
                continue;
            };
            if !names(&name, full) {
                continue;
            }
            return match attached {
                Some(value) => Some(Word {
                    text: value.to_owned(),
                    expansions: Vec::new(),
                    if_empty: value.to_owned(),
                }),
                None => words.next().cloned(),
            };
        }
        None
    }

    /// A switch or boolean parameter: `-Force`, `-Force:$false`, `-SkipFinalSnapshot $true`.
    fn switch(&self, full: &str) -> Option<bool> {
        for (i, word) in self.words.iter().enumerate() {
            let Some((name, attached)) = parameter(&word.text) else {
                continue;
            };
            if !names(&name, full) {
                continue;
            }
            return Some(match attached {
                Some(value) => boolean(value).unwrap_or(true),
                None => self
                    .words
                    .get(i + 1)
                    .and_then(|w| boolean(&w.text))
                    .unwrap_or(true),
            });
        }
        None
    }

    /// The words bound by position, in order.
    fn positional(&self) -> Vec<&'a Word> {
        let mut out = Vec::new();
        let mut i = 0;
        while let Some(word) = self.words.get(i) {
            i += 1;
            if word.text.starts_with('@') {
                continue;
            }
            let Some((name, attached)) = parameter(&word.text) else {
                out.push(word);
                continue;
            };
            if attached.is_some() {
                continue;
            }
            let next = self.words.get(i).map(|w| w.text.as_str());
            let is_switch = SWITCHES.iter().any(|s| names(&name, s));
            if !is_switch || next.and_then(boolean).is_some() {
                i += 1;
            }
        }
        out
    }

    /// The first of these parameters given, or else the first positional word.
    fn named_or_first(&self, names: &[&str]) -> Option<String> {
        names
            .iter()
            .find_map(|n| self.value(n))
            .or_else(|| self.positional().first().map(|w| (*w).clone()))
            .map(|w| w.text)
    }
}

/// Removes recursively what PowerShell's `Remove-Item -Recurse` (and its aliases) names: the
/// same judgement as `rm -r`, with Windows' drives, system folders and environment.
fn remove_item(call: &Call, params: &Params) -> Option<Hit> {
    if params.switch("recurse") != Some(true) {
        return None;
    }
    let mut targets: Vec<Word> = ["path", "literalpath", "pspath"]
        .iter()
        .filter_map(|p| params.value(p))
        .collect();
    // `Remove-Item a, b` passes a list: its items are separate words ending in commas.
    for word in params.positional() {
        let continues = word.text.ends_with(',');
        targets.push(word.clone());
        if !continues {
            break;
        }
    }
    let mut pieces = Vec::new();
    for target in targets {
        if target.expansions.is_empty() && target.text.contains(',') {
            pieces.extend(
                target
                    .text
                    .split(',')
                    .map(str::trim)
                    .filter(|p| !p.is_empty())
                    .map(|p| Word {
                        text: p.to_owned(),
                        expansions: Vec::new(),
                        if_empty: p.to_owned(),
                    }),
            );
        } else {
            pieces.push(target);
        }
    }
    pieces.iter().find_map(|target| {
        let (severity, why) = path_danger(target)?;
        Some(call.hit(&RM_RF, severity, format!("`{}` {why}.", call.shown())))
    })
}

/// Windows folders whose loss breaks the machine.
const WINDOWS_SYSTEM_DIRS: &[&str] = &[
    "windows",
    "program files",
    "program files (x86)",
    "programdata",
    "users",
];

/// Variables that name the home folder.
const HOME_VARIABLES: &[&str] = &[
    "$home",
    "~",
    "$env:userprofile",
    "${env:userprofile}",
    "$env:home",
];

/// Variables that name a drive or a system folder.
const SYSTEM_VARIABLES: &[&str] = &[
    "$env:systemdrive",
    "$env:systemroot",
    "$env:windir",
    "$env:programfiles",
    "${env:programfiles(x86)}",
    "$env:programdata",
    "$env:allusersprofile",
    "$pshome",
];

/// Variables Windows, PowerShell or a CI agent always set to a folder (never empty), besides
/// the runners' own in [`ALWAYS_SET`].
const WINDOWS_ALWAYS_SET: &[&str] = &[
    "TEMP",
    "TMP",
    "USERPROFILE",
    "SYSTEMDRIVE",
    "SYSTEMROOT",
    "WINDIR",
    "PROGRAMFILES",
    "PROGRAMDATA",
    "APPDATA",
    "LOCALAPPDATA",
    "PSSCRIPTROOT",
    "PSHOME",
    "BUILD_ARTIFACTSTAGINGDIRECTORY",
    "BUILD_STAGINGDIRECTORY",
    "BUILD_BINARIESDIRECTORY",
    "BUILD_REPOSITORY_LOCALPATH",
    "PIPELINE_WORKSPACE",
    "AGENT_BUILDDIRECTORY",
    "AGENT_WORKFOLDER",
    "SYSTEM_DEFAULTWORKINGDIRECTORY",
    "SYSTEM_ARTIFACTSDIRECTORY",
];

/// Whether a variable (as the lexer names it: `env:TEMP`, `PSScriptRoot`, `{env:TEMP}`) is
/// always set.
fn always_set(name: &str) -> bool {
    let name = name.trim_matches(['{', '}']);
    let bare = name.rsplit([':', '.']).next().unwrap_or(name);
    let upper = bare.to_ascii_uppercase();
    let whole = name.to_ascii_uppercase();
    [upper.as_str(), whole.as_str()]
        .iter()
        .any(|n| ALWAYS_SET.contains(n) || WINDOWS_ALWAYS_SET.contains(n))
}

fn path_danger(target: &Word) -> Option<(Severity, String)> {
    let text = target.text.replace('\\', "/");
    let lower = text.to_ascii_lowercase();
    let bare = lower.trim_end_matches(['*', '/']);
    if HOME_VARIABLES.contains(&bare) {
        return Some((
            Severity::Critical,
            format!("deletes the home folder ({})", target.text),
        ));
    }
    if SYSTEM_VARIABLES.contains(&bare) {
        return Some((
            Severity::Critical,
            format!(
                "deletes {} recursively: a drive or system folder",
                target.text
            ),
        ));
    }
    if target.expansions.is_empty() {
        return literal_path_danger(&target.text, bare);
    }
    let empty = target.if_empty.replace('\\', "/");
    let root = matches!(empty.as_str(), "/" | "/*" | "/." | "/.*");
    let unset: Vec<&str> = target
        .expansions
        .iter()
        .filter(|e| !always_set(&e.name))
        .map(|e| e.name.as_str())
        .collect();
    (root && !unset.is_empty()).then(|| {
        (
            Severity::Critical,
            format!(
                "deletes {} (the root of the current drive) when ${} is empty or unset; check it first (`if (-not $x) {{ throw }}`)",
                target.if_empty,
                unset.join(", $")
            ),
        )
    })
}

/// A path without variables: a drive root, a system folder, or a data folder.
fn literal_path_danger(shown: &str, bare: &str) -> Option<(Severity, String)> {
    let (drive, path) = match bare.as_bytes() {
        [letter, b':', ..] if letter.is_ascii_alphabetic() => (Some(&bare[..2]), &bare[2..]),
        _ => (None, bare),
    };
    let parts: Vec<&str> = path.split('/').filter(|p| !p.is_empty()).collect();
    match (drive, parts.as_slice()) {
        (Some(drive), []) => Some((
            Severity::Critical,
            format!(
                "deletes everything on the {} drive",
                drive.to_ascii_uppercase()
            ),
        )),
        (None, []) if shown.starts_with(['/', '\\']) => {
            Some((Severity::Critical, format!("deletes {shown} recursively")))
        }
        (Some(_), [top]) if WINDOWS_SYSTEM_DIRS.contains(top) => Some((
            Severity::Critical,
            format!("deletes {shown} recursively: a Windows system folder"),
        )),
        (None, [top]) if shown.starts_with('/') && SYSTEM_DIRS.contains(top) => {
            Some((Severity::Critical, format!("deletes {shown} recursively")))
        }
        _ if drive.is_some() || shown.starts_with('/') => data_dir(path)
            .map(|(severity, what)| (severity, format!("deletes {shown} recursively: {what}"))),
        _ => None,
    }
}

fn sql(call: &Call, params: &Params) -> Option<Hit> {
    // `Invoke-Sqlcmd` takes its query first by position; `Invoke-DbaQuery` names it.
    let query = match call.program {
        "invoke-sqlcmd" => params.named_or_first(&["query"]),
        _ => params.value("query").map(|w| w.text),
    }?;
    let sql = destructive_sql(&query)?;
    let severity = if sql.starts_with("DROP DATABASE") || sql.starts_with("DROP SCHEMA") {
        Severity::Critical
    } else {
        Severity::High
    };
    Some(call.hit(
        &DATABASE_DROP,
        severity,
        format!("`{}` runs {sql}.", call.shown()),
    ))
}

/// `remove-azresourcegroup` → `resourcegroup`, for the Az, AzureRM and classic Azure
/// modules.
fn azure_noun(name: &str) -> Option<&str> {
    let rest = name.strip_prefix("remove-")?;
    ["azurerm", "azure", "az"]
        .iter()
        .find_map(|prefix| rest.strip_prefix(prefix))
        .filter(|noun| !noun.is_empty())
}

/// Removals that delete a record or a local setting, not a resource.
const AZURE_ROUTINE: &[&str] = &[
    "tag",
    "resourcegroupdeployment",
    "deployment",
    "subscriptiondeployment",
    "managementgroupdeployment",
    "tenantdeployment",
    "context",
    "environment",
    "account",
];

/// Nouns whose removal takes data with it (as `az group`, `sql`, `storage`, `cosmosdb`,
/// `keyvault`, `postgres`, `mysql`, `disk` and `aks` deletes are judged).
const AZURE_STATEFUL: &[&str] = &[
    "resourcegroup",
    "sql",
    "storage",
    "cosmosdb",
    "postgresql",
    "mysql",
    "mariadb",
    "rediscache",
    "redisenterprise",
    "disk",
    "snapshot",
    "aks",
    "recoveryservices",
    "datalake",
    "kusto",
    "synapse",
];

fn azure(call: &Call, params: &Params, noun: &str) -> Option<Hit> {
    if AZURE_ROUTINE.contains(&noun) {
        return None;
    }
    let shown = call.shown();
    let (rule, severity, message) = match noun {
        "resourcelock" | "managementlock" => (
            &PROTECTION_DISABLED,
            PROTECTION_DISABLED.severity,
            format!("`{shown}` removes a lock that stops Azure resources from being deleted or changed."),
        ),
        "resourcegroup" => {
            let group = params
                .named_or_first(&["name", "resourcegroupname"])
                .map_or("the resource group".to_owned(), |n| {
                    format!("the resource group {n}")
                });
            (
                &CLOUD_DELETE,
                Severity::Critical,
                format!("`{shown}` deletes {group} and every resource in it (databases, storage accounts, key vaults) with their data."),
            )
        }
        "keyvault" if params.switch("inremovedstate") == Some(true) => (
            &CLOUD_DELETE,
            Severity::Critical,
            format!("`{shown}` purges a deleted key vault: its keys, secrets and certificates cannot be recovered."),
        ),
        "keyvault" => (
            &CLOUD_DELETE,
            Severity::High,
            format!("`{shown}` deletes a key vault (recoverable until its soft-delete retention ends, unless purged)."),
        ),
        _ => {
            let stateful = AZURE_STATEFUL.iter().any(|s| noun.starts_with(s));
            (
                &CLOUD_DELETE,
                if stateful {
                    Severity::Critical
                } else {
                    Severity::High
                },
                format!("`{shown}` deletes Azure resources."),
            )
        }
    };
    Some(call.hit(rule, severity, message))
}

/// AWS Tools for PowerShell cmdlets that delete, whether what goes holds data (as
/// [`super::aws`] judges the same operations), and what they delete.
const AWS_DELETES: &[(&str, bool, &str)] = &[
    ("remove-ec2instance", false, "terminates EC2 instances"),
    ("remove-ec2volume", true, "deletes an EBS volume"),
    ("remove-ec2snapshot", true, "deletes an EBS snapshot"),
    ("remove-ec2vpc", false, "deletes a VPC"),
    (
        "remove-rdsdbinstance",
        true,
        "deletes an RDS database instance",
    ),
    (
        "remove-rdsdbcluster",
        true,
        "deletes an RDS database cluster",
    ),
    ("remove-rdsdbsnapshot", true, "deletes an RDS snapshot"),
    (
        "remove-rdsdbclustersnapshot",
        true,
        "deletes an RDS cluster snapshot",
    ),
    (
        "remove-rdsglobalcluster",
        true,
        "deletes an RDS global cluster",
    ),
    (
        "remove-ddbtable",
        true,
        "deletes a DynamoDB table with its items",
    ),
    ("remove-ddbbackup", true, "deletes a DynamoDB backup"),
    ("remove-ekscluster", true, "deletes an EKS cluster"),
    ("remove-ecscluster", true, "deletes an ECS cluster"),
    (
        "remove-ecrrepository",
        true,
        "deletes an ECR repository and its images",
    ),
    ("remove-efsfilesystem", true, "deletes an EFS file system"),
    (
        "remove-r53hostedzone",
        true,
        "deletes a Route 53 hosted zone",
    ),
    ("remove-secsecret", true, "deletes a Secrets Manager secret"),
    (
        "request-kmskeydeletion",
        true,
        "schedules a KMS key for deletion: what it encrypts becomes unreadable",
    ),
    (
        "remove-ecreplicationgroup",
        true,
        "deletes an ElastiCache replication group",
    ),
    (
        "remove-eccachecluster",
        false,
        "deletes an ElastiCache cluster",
    ),
    ("remove-rscluster", true, "deletes a Redshift cluster"),
    ("remove-kinstream", true, "deletes a Kinesis stream"),
    ("remove-bakbackupvault", true, "deletes an AWS Backup vault"),
    ("remove-osdomain", true, "deletes an OpenSearch domain"),
    ("remove-esdomain", true, "deletes an Elasticsearch domain"),
    ("remove-lmfunction", false, "deletes a Lambda function"),
    (
        "remove-sqsqueue",
        false,
        "deletes an SQS queue and its messages",
    ),
    ("remove-snstopic", false, "deletes an SNS topic"),
    ("remove-elb2loadbalancer", false, "deletes a load balancer"),
    (
        "remove-asautoscalinggroup",
        false,
        "deletes an Auto Scaling group",
    ),
    (
        "remove-cwlloggroup",
        false,
        "deletes a CloudWatch log group and its logs",
    ),
    ("remove-iamrole", false, "deletes an IAM role"),
    ("remove-iamuser", false, "deletes an IAM user"),
];

/// AWS Tools cmdlets that turn a protection off when a parameter is `$false`.
const AWS_PROTECTIONS: &[(&str, &str)] = &[
    ("edit-rdsdbinstance", "deletionprotection"),
    ("edit-rdsdbcluster", "deletionprotection"),
    ("update-ddbtable", "deletionprotectionenabled"),
    ("edit-ec2instanceattribute", "disableapitermination"),
    (
        "update-cfnterminationprotection",
        "enableterminationprotection",
    ),
];

fn aws(call: &Call, params: &Params) -> Option<Hit> {
    let shown = call.shown();
    let name = call.program;
    if let Some((_, param)) = AWS_PROTECTIONS.iter().find(|(c, _)| *c == name) {
        return (params.switch(param) == Some(false)).then(|| {
            call.hit(
                &PROTECTION_DISABLED,
                PROTECTION_DISABLED.severity,
                format!("`{shown}` turns off the protection that makes a delete fail."),
            )
        });
    }
    let (severity, what) = match name {
        "remove-s3bucket" if params.switch("deletebucketcontent") == Some(true) => (
            Severity::Critical,
            "deletes the bucket and every object in it".to_owned(),
        ),
        "remove-s3bucket" => (Severity::High, "deletes the bucket".to_owned()),
        "remove-s3object" if params.value("keyprefix").is_some() => (
            Severity::High,
            "deletes every object under the prefix".to_owned(),
        ),
        "remove-s3object" => (Severity::High, "deletes objects from a bucket".to_owned()),
        "stop-ec2instance" if params.switch("terminate") == Some(true) => {
            (Severity::High, "terminates EC2 instances".to_owned())
        }
        "remove-cfnstack" => {
            let stack = params
                .named_or_first(&["stackname"])
                .map_or("the stack".to_owned(), |s| format!("the stack `{s}`"));
            (
                Severity::Critical,
                format!("deletes {stack} and every resource it created (tables, buckets, databases), except those marked `DeletionPolicy: Retain`"),
            )
        }
        _ => {
            let (_, stateful, what) = AWS_DELETES.iter().find(|(c, _, _)| *c == name)?;
            let mut what = (*what).to_owned();
            if params.switch("skipfinalsnapshot") == Some(true) {
                what.push_str(" without a final snapshot");
            }
            let severity = if *stateful {
                Severity::Critical
            } else {
                Severity::High
            };
            (severity, what)
        }
    };
    Some(call.hit(&CLOUD_DELETE, severity, format!("`{shown}` {what}.")))
}

#[cfg(test)]
mod tests {
    use crate::analyze::commands::packs::match_command;
    use crate::analyze::commands::pwsh_lex;
    use crate::finding::Severity;

    /// The rule and severity of every hit in a PowerShell script.
    fn hits(script: &str) -> Vec<(&'static str, Severity)> {
        pwsh_lex::lex(script, 1)
            .commands
            .iter()
            .flat_map(|c| match_command(&c.words, None))
            .map(|h| (h.rule.id.0, h.severity))
            .collect()
    }

    const CLOUD: &str = "shell/cloud-delete";

    #[test]
    fn azure_removals_by_what_they_take_with_them() {
        use Severity::{Critical, High};
        for (script, severity) in [
            ("Remove-AzResourceGroup rg-prod -Force", Critical),
            ("Remove-AzureRmResourceGroup -Name rg -Force", Critical),
            (
                "Remove-AzSqlDatabase -ResourceGroupName rg -ServerName s -DatabaseName d",
                Critical,
            ),
            (
                "remove-azcosmosdbaccount -resourcegroupname rg -name c",
                Critical,
            ),
            (
                "Remove-AzKeyVault -VaultName kv -InRemovedState -Location westeurope",
                Critical,
            ),
            ("Remove-AzKeyVault -VaultName kv -Force", High),
            ("Remove-AzVM -ResourceGroupName rg -Name vm -Force", High),
            ("Az.Resources\\Remove-AzResourceGroup -Name rg", Critical),
        ] {
            assert_eq!(hits(script), [(CLOUD, severity)], "{script}");
        }
        assert_eq!(
            hits("Remove-AzResourceLock -LockName l -ResourceGroupName rg"),
            [("shell/protection-disabled", Severity::High)]
        );
        for quiet in [
            "Remove-AzTag -Name env",
            "Remove-AzResourceGroupDeployment -ResourceGroupName rg -Name d",
            "Remove-AzResourceGroup -Name rg -WhatIf",
            "Get-AzResourceGroup -Name rg",
        ] {
            assert_eq!(hits(quiet), [], "{quiet}");
        }
    }

    #[test]
    fn aws_tools_removals_and_their_parameters() {
        use Severity::{Critical, High};
        for (script, severity) in [
            (
                "Remove-S3Bucket -BucketName b -DeleteBucketContent -Force",
                Critical,
            ),
            ("Remove-S3Bucket -BucketName b -Force", High),
            (
                "Remove-S3Object -BucketName b -KeyPrefix logs/ -Force",
                High,
            ),
            (
                "Remove-RDSDBInstance -DBInstanceIdentifier p -SkipFinalSnapshot $true -Force",
                Critical,
            ),
            ("Remove-DDBTable -TableName t -Force", Critical),
            ("Remove-CFNStack -StackName net -Force", Critical),
            ("Remove-EC2Instance -InstanceId i-1 -Force", High),
            ("Stop-EC2Instance -InstanceId i-1 -Terminate", High),
        ] {
            assert_eq!(hits(script), [(CLOUD, severity)], "{script}");
        }
        assert_eq!(
            hits("Edit-RDSDBInstance -DBInstanceIdentifier p -DeletionProtection $false").len(),
            1
        );
        for quiet in [
            "Edit-RDSDBInstance -DBInstanceIdentifier p -DeletionProtection $true",
            "Stop-EC2Instance -InstanceId i-1",
            "Remove-EC2Tag -Resource i-1 -Tag @{ Key = 'env' }",
            "Get-S3Bucket",
        ] {
            assert_eq!(hits(quiet), [], "{quiet}");
        }
    }

    #[test]
    fn remove_item_paths_are_judged_like_rm_targets() {
        use Severity::{Critical, High};
        for (script, severity) in [
            ("Remove-Item -Recurse -Force C:\\", Critical),
            (
                "Remove-Item -LiteralPath 'C:\\Program Files' -Recurse",
                Critical,
            ),
            ("Remove-Item -Recurse $env:USERPROFILE", Critical),
            ("Remove-Item -Recurse -Force $env:SystemDrive\\", Critical),
            ("Remove-Item \"$dir/\" -Recurse", Critical),
            ("Remove-Item -Recurse -Force /etc", Critical),
            ("Remove-Item D:\\Backups\\* -Recurse -Force", High),
            ("ri -Recurse D:\\", Critical),
        ] {
            assert_eq!(hits(script), [("shell/rm-rf", severity)], "{script}");
        }
        for quiet in [
            "Remove-Item C:\\Windows\\Temp\\x.log",
            "Remove-Item -Recurse:$false C:\\",
            "Remove-Item -Recurse -Force $env:TEMP\\*",
            "Remove-Item -Recurse -Force $outDir",
            "Remove-Item -Recurse -Force \"$PSScriptRoot\\out\"",
            "Remove-Item -Recurse -Force \"$(Build.ArtifactStagingDirectory)\\*\"",
            "Remove-Item -Recurse -Force \"${{ github.workspace }}\\out\"",
            "Remove-Item -Recurse -Force C:\\inetpub\\wwwroot\\*",
        ] {
            assert_eq!(hits(quiet), [], "{quiet}");
        }
    }

    #[test]
    fn sql_cmdlets_reuse_the_destructive_sql_judgement() {
        assert_eq!(
            hits("Invoke-Sqlcmd -ServerInstance s -Query \"DROP DATABASE [Prod]\""),
            [("shell/database-drop", Severity::Critical)]
        );
        assert_eq!(
            hits("Invoke-Sqlcmd 'DROP TABLE dbo.Users' -ServerInstance s"),
            [("shell/database-drop", Severity::High)]
        );
        assert_eq!(hits("$q = @\"\nTRUNCATE TABLE dbo.Orders\n\"@\nInvoke-DbaQuery -SqlInstance s -Query $q"), [("shell/database-drop", Severity::High)]);
        assert_eq!(
            hits("Invoke-Sqlcmd -ServerInstance s -Query 'SELECT 1'"),
            []
        );
    }

    #[test]
    fn tools_started_from_powershell_are_matched_by_their_packs() {
        for script in [
            "& kubectl delete ns prod --wait=$false",
            "kubectl --% delete ns prod",
            "az group delete `\n  --name rg `\n  --yes",
            "& \"C:\\tools\\terraform.exe\" destroy \"-auto-approve\"",
            "Invoke-Expression \"terraform destroy -auto-approve\"",
            "Start-Process terraform -ArgumentList 'destroy','-auto-approve' -Wait",
        ] {
            assert_eq!(hits(script).len(), 1, "{script}");
        }
        assert_eq!(
            hits("Write-Output 'terraform destroy'\nterraform plan -out=tfplan"),
            []
        );
    }
}
