//! retention: the settings of custom resources by which a controller deletes data on a
//! schedule, and whether an edit makes it delete sooner: a Strimzi KafkaTopic's
//! `retention.ms` and `retention.bytes` (Kafka deletes the log segments past them on its
//! next pass, messages included) and `cleanup.policy` leaving `compact`, a Velero
//! Schedule's backup `ttl`, and CloudNativePG's backup `retentionPolicy` (a Cluster's
//! `spec.backup`, or a Barman Cloud plugin ObjectStore's `spec`). No object is removed, so nothing else in the change says
//! "delete". The Kubernetes counterpart of `terraform/retention-shortened`.
//!
//! Judged only when both sides are known: a value written on both sides, or left out where
//! its default is known (Velero's 30 days) or where the base kept data forever. A template or
//! an unreadable value is not a shortening.

use super::{FileView, ObjectId};
use crate::change::Side;
use crate::finding::{Finding, RuleId, Severity, Tag};
use crate::rules::Rule;
use crate::yaml::Node;

pub const RETENTION_SHORTENED: Rule = Rule {
    id: RuleId("kubernetes/retention-shortened"),
    severity: Severity::Medium,
    tags: &[Tag::Destructive, Tag::Infra],
    summary: "A custom resource's data retention was lowered: a Strimzi KafkaTopic's `retention.ms` or `retention.bytes` (or its `cleanup.policy` no longer `compact`), a Velero Schedule's backup `ttl`, or a CloudNativePG backup `retentionPolicy`.",
    why: "Retention settings are deletion schedules: Kafka deletes the log segments older or larger than a topic's retention on its next pass (`-1` kept them forever; a compacted topic kept the last message of every key), and Velero deletes each backup a Schedule takes once its `ttl` (720h when left out) has passed, so the window you can restore from shrinks. No object is removed, so the change reads as a simple edit.",
    example: "kind: KafkaTopic\nspec:\n  config:\n-   retention.ms: 604800000\n+   retention.ms: 3600000",
    safer: "Keep the longer retention; if less must be kept, copy out (MirrorMaker, a sink, `velero backup download`) the messages or backups that would be deleted first, and lower the retention in its own reviewed change.",
};

/// Velero's backup ttl when a Schedule's template leaves it out (its server's
/// `--default-backup-ttl`, 720h unless changed).
const VELERO_DEFAULT_TTL_SECONDS: u64 = 720 * 3600;

/// How long, or how much, a setting keeps.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Keep {
    Up(u64),
    Forever,
}

/// Findings for an object declared on both sides.
pub(super) fn compare(view: &FileView, id: &ObjectId, old: &Node, new: &Node) -> Vec<Finding> {
    if id.is("kafka.strimzi.io", "KafkaTopic") {
        kafka_topic(view, id, old, new)
    } else if id.is("velero.io", "Schedule") {
        velero_schedule(view, id, old, new).into_iter().collect()
    } else if id.is("postgresql.cnpg.io", "Cluster") {
        cnpg_backups(view, id, old, new, &["spec", "backup", "retentionPolicy"])
            .into_iter()
            .collect()
    } else if id.is("barmancloud.cnpg.io", "ObjectStore") {
        cnpg_backups(view, id, old, new, &["spec", "retentionPolicy"])
            .into_iter()
            .collect()
    } else {
        Vec::new()
    }
}

/// A Kafka retention setting: a whole number, `-1` for no limit.
fn kafka_limit(node: &Node) -> Option<Keep> {
    let text = node.as_str()?.trim();
    if text == "-1" {
        return Some(Keep::Forever);
    }
    text.parse().ok().map(Keep::Up)
}

fn kafka_topic(view: &FileView, id: &ObjectId, old: &Node, new: &Node) -> Vec<Finding> {
    let mut out = Vec::new();
    let (Some(before), Some(after)) =
        (old.path(&["spec", "config"]), new.path(&["spec", "config"]))
    else {
        return out;
    };
    for (key, what) in [
        ("retention.ms", "older than the new limit"),
        ("retention.bytes", "beyond the new size of each partition"),
    ] {
        let Some(was) = before.get(key).and_then(kafka_limit) else {
            continue;
        };
        let now = after.get(key);
        let (is, text) = match now {
            Some(n) => match kafka_limit(n) {
                Some(k) => (k, format!("`{}`", n.as_str().unwrap_or(""))),
                None => continue,
            },
            // Dropped: the broker's default applies, known to be no longer than forever.
            None if was == Keep::Forever => (Keep::Up(0), "the brokers' default".to_owned()),
            None => continue,
        };
        if is >= was {
            continue;
        }
        let was_text = before.get(key).and_then(Node::as_str).unwrap_or("");
        out.push(Finding::new(
            &RETENTION_SHORTENED,
            view.at(Side::Head, now.unwrap_or(after).line, now.unwrap_or(after).line),
            format!("{id} lowers `{key}` from `{was_text}` to {text}: Kafka deletes the messages {what} on its next retention pass, and they cannot be read again."),
        ));
    }
    let policy = |config: &Node| {
        config
            .get("cleanup.policy")
            .and_then(Node::as_str)
            .map(str::to_owned)
    };
    let compacts_only = |p: &Option<String>| {
        p.as_deref().is_some_and(|p| {
            p.split(',').any(|x| x.trim() == "compact")
                && !p.split(',').any(|x| x.trim() == "delete")
        })
    };
    let (was, is) = (policy(before), policy(after));
    // `delete` is Kafka's default, so a policy dropped deletes by retention too; a template
    // left as text reads neither `compact` nor `delete` and is skipped.
    let known = |p: &Option<String>| {
        p.as_deref().is_none_or(|p| {
            p.split(',')
                .all(|x| matches!(x.trim(), "compact" | "delete"))
        })
    };
    if compacts_only(&was) && !compacts_only(&is) && known(&is) {
        let at = after.get("cleanup.policy").unwrap_or(after);
        out.push(Finding::new(
            &RETENTION_SHORTENED,
            view.at(Side::Head, at.line, at.line),
            format!("{id} no longer compacts only (`cleanup.policy: {}` at base): Kafka now deletes whole log segments past the topic's retention, including the last message of keys a compacted topic kept for good.", was.as_deref().unwrap_or("")),
        ));
    }
    out
}

/// A CloudNativePG retention policy (`30d`, `4w`, `6m`), in days (a month as 30), or
/// `Forever` when left out: without one, base backups and WAL are never deleted.
fn cnpg_retention(node: Option<&Node>) -> Option<Keep> {
    let Some(node) = node else {
        return Some(Keep::Forever);
    };
    let text = node.as_str()?.trim();
    let unit = text.chars().last()?;
    // Cut by the character, not a byte: odd input may end in any letter.
    let number = &text[..text.len() - unit.len_utf8()];
    let days = match unit {
        'd' => 1,
        'w' => 7,
        'm' => 30,
        _ => return None,
    };
    number.parse::<u64>().ok()?.checked_mul(days).map(Keep::Up)
}

fn cnpg_backups(
    view: &FileView,
    id: &ObjectId,
    old: &Node,
    new: &Node,
    path: &[&str],
) -> Option<Finding> {
    // A Cluster that takes no backups at either side has nothing to keep.
    old.path(&path[..path.len() - 1])?;
    let section = new.path(&path[..path.len() - 1])?;
    let (was, is) = (
        cnpg_retention(old.path(path))?,
        cnpg_retention(new.path(path))?,
    );
    if is >= was {
        return None;
    }
    let text = |node: &Node| match node.path(path).and_then(Node::as_str) {
        Some(t) => format!("`{t}`"),
        None => "none (kept forever)".to_owned(),
    };
    let at = new.path(path).unwrap_or(section);
    Some(Finding::new(
        &RETENTION_SHORTENED,
        view.at(Side::Head, at.line, at.line),
        format!("{id} lowers its backup `retentionPolicy` from {} to {}: CloudNativePG deletes the base backups and WAL older than that from the object store, and with them every point in time you could restore to before it.", text(old), text(new)),
    ))
}

/// A Go duration as Velero writes it (`720h0m0s`, `72h`, `90m`, `1h30m`), in whole seconds:
/// fine enough to order backup lifetimes.
fn go_duration(text: &str) -> Option<u64> {
    crate::analyze::duration::seconds(text).map(|s| s as u64)
}

fn velero_schedule(view: &FileView, id: &ObjectId, old: &Node, new: &Node) -> Option<Finding> {
    let path = ["spec", "template", "ttl"];
    let ttl = |node: &Node| match node.path(&path) {
        None => Some((
            VELERO_DEFAULT_TTL_SECONDS,
            "720h (Velero's default)".to_owned(),
        )),
        Some(t) => {
            let text = t.as_str()?;
            Some((go_duration(text)?, format!("`{text}`")))
        }
    };
    let (was, was_text) = ttl(old)?;
    let (is, is_text) = ttl(new)?;
    // `0` asks for no expiry at all in some Velero versions and the default in others.
    if is >= was || is == 0 || was == 0 {
        return None;
    }
    let at = new
        .path(&path)
        .or_else(|| new.path(&["spec", "template"]))
        .unwrap_or(new);
    Some(Finding::new(
        &RETENTION_SHORTENED,
        view.at(Side::Head, at.line, at.line),
        format!("{id} lowers its backups' `ttl` from {was_text} to {is_text}: Velero deletes every backup it takes from now on that much sooner, so the oldest point you can restore from moves closer."),
    ))
}

#[cfg(test)]
mod tests {
    use super::go_duration;
    use crate::analyze::files::testkit::{ids, Case};
    use crate::analyze::kubernetes::analyze;
    use crate::finding::{Finding, Severity};

    fn run(base: &str, head: &str) -> Vec<Finding> {
        Case::modified("kafka/topics.yaml", base, head).run(analyze)
    }

    const TOPIC: &str = "\
apiVersion: kafka.strimzi.io/v1beta2
kind: KafkaTopic
metadata:
  name: orders
  labels:
    strimzi.io/cluster: events
spec:
  partitions: 12
  replicas: 3
  config:
    retention.ms: 604800000
    retention.bytes: \"1073741824\"
    cleanup.policy: compact
";

    #[test]
    fn a_topic_keeping_messages_for_less_time_or_space_is_shortened() {
        let f = run(TOPIC, &TOPIC.replace("604800000", "3600000"));
        assert_eq!(ids(&f), ["kubernetes/retention-shortened"]);
        assert_eq!(f[0].severity, Severity::Medium);
        assert_eq!(f[0].location.line, Some(11));
        assert!(
            f[0].message.contains("`604800000` to `3600000`"),
            "{}",
            f[0].message
        );
        let f = run(TOPIC, &TOPIC.replace("\"1073741824\"", "1048576"));
        assert_eq!(ids(&f), ["kubernetes/retention-shortened"]);
        // Forever, then a limit or the brokers' default.
        let forever = TOPIC.replace("604800000", "-1");
        assert_eq!(
            ids(&run(&forever, TOPIC)),
            ["kubernetes/retention-shortened"]
        );
        let dropped = forever.replace("    retention.ms: -1\n", "");
        assert_eq!(
            ids(&run(&forever, &dropped)),
            ["kubernetes/retention-shortened"]
        );
        // A compacted topic starting to delete.
        let f = run(TOPIC, &TOPIC.replace("compact\n", "compact,delete\n"));
        assert_eq!(ids(&f), ["kubernetes/retention-shortened"]);
        assert_eq!(f[0].location.line, Some(13));
    }

    #[test]
    fn a_topic_keeping_as_much_or_more_is_quiet() {
        assert!(run(TOPIC, &TOPIC.replace("604800000", "1209600000")).is_empty());
        assert!(run(TOPIC, &TOPIC.replace("604800000", "-1")).is_empty());
        assert!(run(TOPIC, &TOPIC.replace("604800000", "\"604800000\"")).is_empty());
        // A finite retention dropped for the brokers' default may be longer or shorter.
        assert!(run(TOPIC, &TOPIC.replace("    retention.ms: 604800000\n", "")).is_empty());
        // A template is not known to be shorter.
        let templated = TOPIC.replace("604800000", "\"{{ .Values.retention }}\"");
        assert!(run(TOPIC, &templated).is_empty());
        assert!(run(
            TOPIC,
            &TOPIC.replace("compact\n", "\"{{ .Values.policy }}\"\n")
        )
        .is_empty());
        let deleting = TOPIC.replace("compact\n", "delete\n");
        assert!(run(&deleting, TOPIC).is_empty());
    }

    const SCHEDULE: &str = "\
apiVersion: velero.io/v1
kind: Schedule
metadata:
  name: daily
  namespace: velero
spec:
  schedule: \"0 3 * * *\"
  template:
    ttl: 720h0m0s
    includedNamespaces: [\"*\"]
";

    #[test]
    fn a_schedule_keeping_its_backups_for_less_time_is_shortened() {
        let f = run(SCHEDULE, &SCHEDULE.replace("720h0m0s", "24h0m0s"));
        assert_eq!(ids(&f), ["kubernetes/retention-shortened"]);
        assert_eq!(f[0].location.line, Some(9));
        // Velero's default of 30 days, then a week.
        let default = SCHEDULE.replace("    ttl: 720h0m0s\n", "");
        let week = SCHEDULE.replace("720h0m0s", "168h");
        assert_eq!(
            ids(&run(&default, &week)),
            ["kubernetes/retention-shortened"]
        );
        let year = SCHEDULE.replace("720h0m0s", "8760h");
        assert_eq!(
            ids(&run(&year, &default)),
            ["kubernetes/retention-shortened"]
        );
    }

    #[test]
    fn a_schedule_keeping_its_backups_as_long_is_quiet() {
        assert!(run(SCHEDULE, &SCHEDULE.replace("720h0m0s", "720h")).is_empty());
        assert!(run(SCHEDULE, &SCHEDULE.replace("    ttl: 720h0m0s\n", "")).is_empty());
        assert!(run(SCHEDULE, &SCHEDULE.replace("720h0m0s", "2160h")).is_empty());
        assert!(run(
            SCHEDULE,
            &SCHEDULE.replace("720h0m0s", "\"{{ .Values.ttl }}\"")
        )
        .is_empty());
        assert!(run(SCHEDULE, &SCHEDULE.replace("720h0m0s", "a month")).is_empty());
    }

    const CLUSTER: &str = "\
apiVersion: postgresql.cnpg.io/v1
kind: Cluster
metadata:
  name: orders-db
spec:
  instances: 3
  backup:
    retentionPolicy: \"30d\"
    barmanObjectStore:
      destinationPath: s3://backups/orders
";

    #[test]
    fn a_database_keeping_its_backups_for_less_time_is_shortened() {
        let f = run(CLUSTER, &CLUSTER.replace("30d", "7d"));
        assert_eq!(ids(&f), ["kubernetes/retention-shortened"]);
        assert_eq!(f[0].location.line, Some(8));
        let forever = CLUSTER.replace("    retentionPolicy: \"30d\"\n", "");
        assert_eq!(
            ids(&run(&forever, CLUSTER)),
            ["kubernetes/retention-shortened"]
        );
        assert_eq!(
            ids(&run(CLUSTER, &CLUSTER.replace("30d", "3w"))),
            ["kubernetes/retention-shortened"]
        );
        let store = "apiVersion: barmancloud.cnpg.io/v1\nkind: ObjectStore\nmetadata:\n  name: store\nspec:\n  retentionPolicy: 6m\n";
        assert_eq!(
            ids(&run(store, &store.replace("6m", "1m"))),
            ["kubernetes/retention-shortened"]
        );
    }

    #[test]
    fn a_database_keeping_its_backups_as_long_is_quiet() {
        assert!(run(CLUSTER, &CLUSTER.replace("30d", "1m")).is_empty());
        assert!(run(CLUSTER, &CLUSTER.replace("30d", "8w")).is_empty());
        assert!(run(
            CLUSTER,
            &CLUSTER.replace("    retentionPolicy: \"30d\"\n", "")
        )
        .is_empty());
        assert!(run(CLUSTER, &CLUSTER.replace("30d", "thirty days")).is_empty());
        assert!(run(CLUSTER, &CLUSTER.replace("30d", "3é")).is_empty());
        assert!(run(CLUSTER, &CLUSTER.replace("30d", "")).is_empty());
        // A cluster that starts taking backups with a retention deletes nothing it had.
        let i = CLUSTER.find("  backup:").unwrap_or(CLUSTER.len());
        assert!(run(&CLUSTER[..i], CLUSTER).is_empty());
    }

    #[test]
    fn go_durations_read_in_seconds() {
        assert_eq!(go_duration("720h0m0s"), Some(720 * 3600));
        assert_eq!(go_duration("1h30m"), Some(5400));
        assert_eq!(go_duration("1.5h"), Some(5400));
        assert_eq!(go_duration("90s"), Some(90));
        assert_eq!(go_duration("0"), Some(0));
        // Go has no days, so Velero refuses `3d`; read anyway, it orders as it would mean.
        assert_eq!(go_duration("3d"), Some(3 * 86_400));
        for junk in ["", "h", "30", "1h-2m", "NaNh", "1e400h"] {
            assert!(junk.is_empty() || go_duration(junk).is_none(), "{junk}");
        }
    }
}
