//! subcommands: platform and data-store CLIs whose destructive invocations are a subcommand,
//! perhaps with a flag (`neonctl branches delete`, `rabbitmqctl delete_vhost`,
//! `kafka-topics --delete`, `mc rb --force`). One table row per invocation says what goes
//! away and the safer way, so a message names the tool, the thing lost and the alternative.
//!
//! The table is looked up by program name: a command whose program is not one of these never
//! reaches a row. Only wrangler's and bq's SQL (`d1 execute --command`, `bq query 'DROP …'`)
//! needs more than a row, and is read by [`sql`].

use super::{
    destructive_sql, preview, Call, Hit, CLOUD_DELETE, DATABASE_DROP, SECRETS_OR_BACKUPS_DELETE,
};
use crate::finding::Severity;
use crate::rules::Rule;

/// One destructive invocation of a tool.
pub(super) struct Row {
    /// The leading subcommand words; `a|b` accepts either spelling.
    words: &'static [&'static str],
    /// The invocation destroys only with one of these flags; none listed: always.
    flags: &'static [&'static str],
    rule: &'static Rule,
    severity: Severity,
    /// What is lost, completing "`command` …".
    what: &'static str,
    safer: &'static str,
}

const fn row(
    words: &'static [&'static str],
    flags: &'static [&'static str],
    rule: &'static Rule,
    severity: Severity,
    what: &'static str,
    safer: &'static str,
) -> Row {
    Row {
        words,
        flags,
        rule,
        severity,
        what,
        safer,
    }
}

use Severity::{Critical, High, Medium};

const RAILWAY_SAFER: &str = "Delete Railway projects by hand from the dashboard after backing up their databases; to undo a bad release, redeploy the previous deployment (`railway redeploy`) instead of removing the live one.";
const RAILWAY: &[Row] = &[
    row(
        &["down"],
        &[],
        &CLOUD_DELETE,
        Medium,
        "removes the service's latest deployment, taking it offline until the next deploy",
        RAILWAY_SAFER,
    ),
    row(
        &["delete"],
        &[],
        &CLOUD_DELETE,
        Critical,
        "deletes the Railway project with every service, database and volume in it",
        RAILWAY_SAFER,
    ),
];

const RENDER: &[Row] = &[row(
    &["services", "delete"],
    &[],
    &CLOUD_DELETE,
    High,
    "deletes the Render service with its disk and deploy history",
    "Suspend the service (`render services suspend`) and delete it by hand from the dashboard once nothing depends on it; remove it from `render.yaml` so the blueprint shows the deletion.",
)];

const SUPABASE_SAFER: &str = "Take a backup (`supabase db dump`) and delete projects by hand from the dashboard; keep project and branch deletion out of pipelines that can reach production.";
const SUPABASE: &[Row] = &[
    row(
        &["projects", "delete"],
        &[],
        &CLOUD_DELETE,
        Critical,
        "deletes the Supabase project with its database, storage buckets and auth users",
        SUPABASE_SAFER,
    ),
    row(
        &["branches", "delete"],
        &[],
        &DATABASE_DROP,
        High,
        "deletes the Supabase branch and its database",
        SUPABASE_SAFER,
    ),
];

const NEON_SAFER: &str = "Delete Neon branches and projects by hand (or let a preview branch expire) after checking nothing writes to them; keep production's branch protected.";
const NEON: &[Row] = &[
    row(
        &["projects|project", "delete"],
        &[],
        &CLOUD_DELETE,
        Critical,
        "deletes the Neon project with every branch and database in it",
        NEON_SAFER,
    ),
    row(
        &["databases|database|db", "delete"],
        &[],
        &DATABASE_DROP,
        Critical,
        "drops the Neon database and every table in it",
        NEON_SAFER,
    ),
    row(
        &["branches|branch", "delete"],
        &[],
        &DATABASE_DROP,
        High,
        "deletes the Neon branch and every write made on it",
        NEON_SAFER,
    ),
    row(
        &["branches|branch", "reset|restore"],
        &[],
        &DATABASE_DROP,
        High,
        "resets the Neon branch, discarding the writes made on it",
        NEON_SAFER,
    ),
];

const PLANETSCALE_SAFER: &str = "Delete PlanetScale databases and branches by hand after a backup (`pscale backup create`); turn on safe migrations so production branches cannot be deleted from a script.";
const PLANETSCALE: &[Row] = &[
    row(
        &["database|db", "delete"],
        &[],
        &CLOUD_DELETE,
        Critical,
        "deletes the PlanetScale database with every branch and its data",
        PLANETSCALE_SAFER,
    ),
    row(
        &["branch", "delete"],
        &[],
        &DATABASE_DROP,
        High,
        "deletes the PlanetScale branch and its data",
        PLANETSCALE_SAFER,
    ),
];

const FIREBASE_SAFER: &str = "Export the data first (`gcloud firestore export`, or a Realtime Database backup) and delete it by hand; in a pipeline, delete only a named test path against an emulator or a test project.";
const FIREBASE: &[Row] = &[
    row(
        &["firestore:delete"],
        &["--all-collections"],
        &DATABASE_DROP,
        Critical,
        "deletes every document in every Firestore collection",
        FIREBASE_SAFER,
    ),
    row(
        &["firestore:delete"],
        &[],
        &DATABASE_DROP,
        High,
        "deletes Firestore documents (with `-r`, every subcollection below them)",
        FIREBASE_SAFER,
    ),
    row(
        &["database:remove", "/"],
        &[],
        &DATABASE_DROP,
        Critical,
        "deletes the whole Realtime Database",
        FIREBASE_SAFER,
    ),
    row(
        &["database:remove"],
        &[],
        &DATABASE_DROP,
        High,
        "deletes the Realtime Database data at that path and everything below it",
        FIREBASE_SAFER,
    ),
];

/// Two tools are called `atlas`: Ariga's schema tool (`schema clean`) and MongoDB Atlas's CLI
/// (`clusters delete`); their subcommands do not overlap.
const ATLAS: &[Row] = &[
    row(&["schema", "clean"], &[], &DATABASE_DROP, Critical, "drops every table, view and function in the schema", "Drop objects through reviewed migrations (`atlas migrate diff`) and keep `schema clean` to local and test databases."),
    row(&["clusters|cluster", "delete"], &[], &CLOUD_DELETE, Critical, "deletes the MongoDB Atlas cluster with its data", MONGODB_ATLAS_SAFER),
    row(&["serverless", "delete"], &[], &CLOUD_DELETE, Critical, "deletes the MongoDB Atlas serverless instance with its data", MONGODB_ATLAS_SAFER),
    row(&["projects|project", "delete"], &[], &CLOUD_DELETE, Critical, "deletes the MongoDB Atlas project", MONGODB_ATLAS_SAFER),
    row(&["backups", "snapshots", "delete"], &[], &SECRETS_OR_BACKUPS_DELETE, High, "deletes a MongoDB Atlas backup snapshot, a restore point that is gone when it is needed", MONGODB_ATLAS_SAFER),
];
const MONGODB_ATLAS_SAFER: &str = "Turn on the cluster's termination protection, take an on-demand snapshot first, and delete by hand; let the backup policy's retention expire snapshots.";

const WRANGLER_SAFER: &str = "Export the data first (`wrangler d1 export`, `wrangler kv key list` and `get`) and delete Cloudflare databases, buckets and namespaces by hand after removing their bindings from `wrangler.toml` in a reviewed change.";
const WRANGLER: &[Row] = &[
    row(
        &["d1", "delete"],
        &[],
        &CLOUD_DELETE,
        Critical,
        "deletes the D1 database and every row in it",
        WRANGLER_SAFER,
    ),
    row(
        &["r2", "bucket", "delete"],
        &[],
        &CLOUD_DELETE,
        High,
        "deletes the R2 bucket",
        WRANGLER_SAFER,
    ),
    row(
        &["kv", "namespace", "delete"],
        &[],
        &CLOUD_DELETE,
        Critical,
        "deletes the KV namespace and every key in it",
        WRANGLER_SAFER,
    ),
    row(
        &["kv:namespace", "delete"],
        &[],
        &CLOUD_DELETE,
        Critical,
        "deletes the KV namespace and every key in it",
        WRANGLER_SAFER,
    ),
    row(
        &["queues", "delete"],
        &[],
        &CLOUD_DELETE,
        High,
        "deletes the queue and the messages waiting in it",
        WRANGLER_SAFER,
    ),
    row(
        &["delete"],
        &[],
        &CLOUD_DELETE,
        High,
        "deletes the Worker with its routes and the storage of its Durable Objects",
        WRANGLER_SAFER,
    ),
];

const KAFKA_SAFER: &str = "Delete topics by hand after checking their consumers; to drop old data, lower the topic's `retention.ms` instead of deleting it.";
const KAFKA_TOPICS: &[Row] = &[row(
    &[],
    &["--delete"],
    &DATABASE_DROP,
    High,
    "deletes the Kafka topic and every message in it",
    KAFKA_SAFER,
)];
const KAFKA_DELETE_RECORDS: &[Row] = &[row(
    &[],
    &[],
    &DATABASE_DROP,
    High,
    "deletes every Kafka message below the given offsets",
    KAFKA_SAFER,
)];

const RABBIT_SAFER: &str = "Delete queues and virtual hosts by hand after their consumers are drained and stopped; define them in a reviewed definitions file so removal is a reviewed change.";
const RABBITMQCTL: &[Row] = &[
    row(
        &["delete_queue"],
        &[],
        &DATABASE_DROP,
        High,
        "deletes the RabbitMQ queue and the messages in it",
        RABBIT_SAFER,
    ),
    row(
        &["purge_queue"],
        &[],
        &DATABASE_DROP,
        High,
        "discards every message waiting in the RabbitMQ queue",
        RABBIT_SAFER,
    ),
    row(
        &["delete_vhost"],
        &[],
        &DATABASE_DROP,
        Critical,
        "deletes the RabbitMQ virtual host with every queue, exchange and message in it",
        RABBIT_SAFER,
    ),
    row(
        &["reset|force_reset"],
        &[],
        &DATABASE_DROP,
        Critical,
        "wipes the RabbitMQ node: every queue, message, user and virtual host",
        RABBIT_SAFER,
    ),
];
const RABBITMQADMIN: &[Row] = &[
    row(
        &["delete", "vhost"],
        &[],
        &DATABASE_DROP,
        Critical,
        "deletes the RabbitMQ virtual host with every queue, exchange and message in it",
        RABBIT_SAFER,
    ),
    row(
        &["delete", "queue"],
        &[],
        &DATABASE_DROP,
        High,
        "deletes the RabbitMQ queue and the messages in it",
        RABBIT_SAFER,
    ),
    row(
        &["purge", "queue"],
        &[],
        &DATABASE_DROP,
        High,
        "discards every message waiting in the RabbitMQ queue",
        RABBIT_SAFER,
    ),
];

const CONSUL: &[Row] = &[row(
    &["kv", "delete"],
    &["-recurse", "--recurse"],
    &DATABASE_DROP,
    High,
    "deletes every Consul key under the prefix",
    "Delete the keys you mean by name, after `consul kv export` of the prefix; keep recursive deletes out of pipelines.",
)];

const OBJECT_STORE_SAFER: &str = "Back up or version the bucket first and delete by hand; for a deploy, copy without deleting (`rclone copy`, `mc mirror` without `--remove`) or enable versioning so removed objects can be restored.";
const MINIO: &[Row] = &[
    row(
        &["rb"],
        &["--force"],
        &CLOUD_DELETE,
        Critical,
        "deletes the bucket and every object in it",
        OBJECT_STORE_SAFER,
    ),
    row(
        &["rb"],
        &[],
        &CLOUD_DELETE,
        High,
        "deletes the bucket",
        OBJECT_STORE_SAFER,
    ),
    row(
        &["rm"],
        &["--recursive", "-r"],
        &CLOUD_DELETE,
        High,
        "deletes every object under the prefix",
        OBJECT_STORE_SAFER,
    ),
    row(
        &["mirror"],
        &["--remove"],
        &CLOUD_DELETE,
        Medium,
        "deletes objects at the target that the source does not have",
        OBJECT_STORE_SAFER,
    ),
];
const RCLONE: &[Row] = &[
    row(&["purge"], &[], &CLOUD_DELETE, High, "deletes the path and everything in it", OBJECT_STORE_SAFER),
    row(&["delete"], &[], &CLOUD_DELETE, High, "deletes every file under the path that the filters match", OBJECT_STORE_SAFER),
    row(&["sync"], &[], &CLOUD_DELETE, Medium, "deletes files at the destination that the source does not have (an empty or wrong source empties it)", OBJECT_STORE_SAFER),
];

const BQ_SAFER: &str = "Drop tables and datasets through a reviewed migration, after a snapshot (`bq cp` or table snapshots); let time travel or a dataset expiration retire data instead.";
const BQ: &[Row] = &[
    row(
        &["rm"],
        &["-r", "--recursive", "-d", "--dataset"],
        &DATABASE_DROP,
        Critical,
        "deletes the BigQuery dataset with every table in it",
        BQ_SAFER,
    ),
    row(
        &["rm"],
        &[],
        &DATABASE_DROP,
        High,
        "deletes the BigQuery table",
        BQ_SAFER,
    ),
];

const NOMAD_SAFER: &str = "Stop jobs by hand once traffic is drained, and keep `-purge` and volume deletes out of pipelines; snapshot a CSI volume before deleting it.";
// `nomad job stop` and its pre-1.0 spelling `nomad stop` do the same.
const NOMAD_PURGE: &str =
    "stops every allocation of the Nomad job and purges it, with its versions to revert to";
const NOMAD_STOP: &str =
    "stops every allocation of the Nomad job: what it serves is down until it is run again";
const NOMAD: &[Row] = &[
    row(
        &["job", "stop"],
        &["-purge", "--purge"],
        &CLOUD_DELETE,
        High,
        NOMAD_PURGE,
        NOMAD_SAFER,
    ),
    row(
        &["job", "stop"],
        &[],
        &CLOUD_DELETE,
        Medium,
        NOMAD_STOP,
        NOMAD_SAFER,
    ),
    row(
        &["volume", "delete"],
        &[],
        &CLOUD_DELETE,
        Critical,
        "deletes the Nomad CSI volume and the data on it",
        NOMAD_SAFER,
    ),
    row(
        &["var", "purge"],
        &[],
        &SECRETS_OR_BACKUPS_DELETE,
        High,
        "deletes the Nomad variable and every secret in it",
        NOMAD_SAFER,
    ),
    // `nomad stop`: the pre-1.0 spelling of `nomad job stop`, still accepted.
    row(
        &["stop"],
        &["-purge", "--purge"],
        &CLOUD_DELETE,
        High,
        NOMAD_PURGE,
        NOMAD_SAFER,
    ),
    row(
        &["stop"],
        &[],
        &CLOUD_DELETE,
        Medium,
        NOMAD_STOP,
        NOMAD_SAFER,
    ),
    row(
        &["namespace", "delete"],
        &[],
        &CLOUD_DELETE,
        High,
        "deletes the Nomad namespace, and with it the ACL policies, quotas and variables scoped to it",
        NOMAD_SAFER,
    ),
    row(
        &["volume", "deregister"],
        &["-force", "--force"],
        &CLOUD_DELETE,
        Medium,
        "forces the CSI volume out of Nomad while allocations may still claim it: their writes can be lost, and the volume is no longer scheduled",
        NOMAD_SAFER,
    ),
];

const OPENSTACK_SAFER: &str = "Snapshot volumes and servers first (`openstack volume snapshot create`), and delete by hand; remove the resource from the Heat or Terraform template so its deletion is reviewed there.";
const OPENSTACK: &[Row] = &[
    row(
        &["volume", "delete"],
        &[],
        &CLOUD_DELETE,
        Critical,
        "deletes the OpenStack volume and the data on it",
        OPENSTACK_SAFER,
    ),
    row(
        &["stack", "delete"],
        &[],
        &CLOUD_DELETE,
        Critical,
        "deletes the Heat stack and every resource it created",
        OPENSTACK_SAFER,
    ),
    row(
        &[
            "server|network|subnet|router|image|container|object|share|database",
            "delete",
        ],
        &[],
        &CLOUD_DELETE,
        High,
        "deletes the OpenStack resource",
        OPENSTACK_SAFER,
    ),
];

const CLOUD_FOUNDRY_SAFER: &str = "Stop the app (`cf stop`) and delete it by hand once nothing depends on it; back up a service instance's data before `cf delete-service`.";
const CLOUD_FOUNDRY: &[Row] = &[
    row(
        &["delete-service"],
        &[],
        &CLOUD_DELETE,
        Critical,
        "deletes the Cloud Foundry service instance (a database or store) and its data",
        CLOUD_FOUNDRY_SAFER,
    ),
    row(
        &["delete-space|delete-org"],
        &[],
        &CLOUD_DELETE,
        Critical,
        "deletes the Cloud Foundry space or org with every app and service instance in it",
        CLOUD_FOUNDRY_SAFER,
    ),
    row(
        &["delete"],
        &[],
        &CLOUD_DELETE,
        High,
        "deletes the Cloud Foundry app",
        CLOUD_FOUNDRY_SAFER,
    ),
];

/// The rows of a program this pack knows; `None` sends the command on to other packs.
pub(super) fn rows(program: &str) -> Option<&'static [Row]> {
    Some(match program {
        "railway" => RAILWAY,
        "render" => RENDER,
        "supabase" => SUPABASE,
        "neonctl" | "neon" => NEON,
        "pscale" => PLANETSCALE,
        "firebase" => FIREBASE,
        "atlas" => ATLAS,
        "wrangler" => WRANGLER,
        "kafka-topics" | "kafka-topics.sh" => KAFKA_TOPICS,
        "kafka-delete-records" | "kafka-delete-records.sh" => KAFKA_DELETE_RECORDS,
        "rabbitmqctl" => RABBITMQCTL,
        "rabbitmqadmin" => RABBITMQADMIN,
        "consul" => CONSUL,
        "mc" | "mcli" => MINIO,
        "rclone" => RCLONE,
        "bq" => BQ,
        "nomad" => NOMAD,
        "openstack" => OPENSTACK,
        "cf" | "cf7" | "cf8" => CLOUD_FOUNDRY,
        _ => return None,
    })
}

/// What `call` destroys, by the rows of its program.
pub(super) fn judge(call: &Call, rows: &[Row]) -> Vec<Hit> {
    if rehearsal(call) {
        return Vec::new();
    }
    let mut hits = sql(call);
    if hits.is_empty() {
        let pos = call.positional(GLOBAL_VALUE_FLAGS);
        hits.extend(rows.iter().find(|r| matches(call, &pos, r)).map(|r| {
            let mut hit = call.hit(
                r.rule,
                r.severity,
                format!("`{}` {}.", call.shown(), r.what),
            );
            hit.safer = Some(r.safer.to_owned());
            hit
        }));
    }
    preview::soften(call, &mut hits);
    hits
}

/// A run that only shows what it would do.
fn rehearsal(call: &Call) -> bool {
    call.has("--dry-run")
        || call.has("--dryrun")
        || call.has("--help")
        || (call.program == "rclone"
            && (call.has("-n") || call.has("-i") || call.has("--interactive")))
}

/// Options of these tools that take a value and may stand before the subcommand
/// (`rabbitmqctl -n rabbit@db delete_queue q`, `mc --config-dir d rb x`), so their value is
/// not read as it. Only options that take a value in every tool here are listed.
const GLOBAL_VALUE_FLAGS: &[&str] = &[
    "-n",
    "--node",
    "-H",
    "--host",
    "-P",
    "--port",
    "-V",
    "--vhost",
    "--config",
    "--config-dir",
    "--project",
    "--project-id",
    "--org",
    "--org-id",
    "--profile",
    "--context",
    "--bootstrap-server",
    "--command-config",
    "--api-key",
    "--account-id",
    "--environment",
    "--service",
    "--http-addr",
    "--token",
];

/// Whether `row` describes the call: its words are the leading subcommand words, so a
/// resource named `delete` later on (`railway variables delete X`) is not read as the verb.
fn matches(call: &Call, pos: &[&str], row: &Row) -> bool {
    if !row.flags.is_empty() && !row.flags.iter().any(|f| call.has(f)) {
        return false;
    }
    row.words.iter().enumerate().all(|(i, want)| {
        pos.get(i)
            .is_some_and(|got| want.split('|').any(|w| w == *got))
    })
}

/// SQL handed to a cloud database through its CLI: `wrangler d1 execute DB --command '…'`
/// (not with `--local`, which is the developer's own copy) and `bq query '…'`.
fn sql(call: &Call) -> Vec<Hit> {
    let pos = call.positional(&["--command", "--file", "--query", "-q"]);
    let text = match (call.program, pos.as_slice()) {
        ("wrangler", ["d1", "execute", ..]) if !call.has("--local") => {
            call.value("--command").or(call.stdin)
        }
        ("bq", ["query", rest @ ..]) => rest
            .iter()
            .copied()
            .chain(call.stdin)
            .find(|s| destructive_sql(s).is_some()),
        _ => None,
    };
    let Some(found) = text.and_then(destructive_sql) else {
        return Vec::new();
    };
    let (store, safer) = if call.program == "bq" {
        ("BigQuery", BQ_SAFER)
    } else {
        ("the remote D1 database", WRANGLER_SAFER)
    };
    let severity = if found.starts_with("DROP DATABASE") || found.starts_with("DROP SCHEMA") {
        Critical
    } else {
        High
    };
    let mut hit = call.hit(
        &DATABASE_DROP,
        severity,
        format!("`{}` runs {found} on {store}.", call.shown()),
    );
    hit.safer = Some(safer.to_owned());
    vec![hit]
}
