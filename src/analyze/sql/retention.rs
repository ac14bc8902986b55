//! Settings that make the database delete data later, on its own: Delta Lake's history
//! retention (`delta.logRetentionDuration`, `delta.deletedFileRetentionDuration`), which
//! bounds what `VACUUM` keeps for time travel and `RESTORE`. Shortened, they lose the old
//! versions a bad migration would be undone from; nothing in the statement reads like a
//! delete. Owns only reading the properties; the finding is made by the caller.
//!
//! The same settings written in forms sqlparser does not read (BigQuery's `SET OPTIONS
//! (partition_expiration_days = …)`, Snowflake's `DATA_RETENTION_TIME_IN_DAYS`, ClickHouse's
//! `MODIFY TTL`, `VACUUM … RETAIN n HOURS`) are destroying words of an unread statement
//! (see `parse`).

use sqlparser::ast::SqlOption;

/// Delta's defaults, in hours: 30 days of log, 7 days of deleted files.
const DELTA_DEFAULTS: &[(&str, u64)] = &[
    ("delta.logretentionduration", 30 * 24),
    ("delta.deletedfileretentionduration", 7 * 24),
];

/// A retention property set below its default: its name and the value given.
pub(super) struct Shortened {
    pub property: String,
    pub value: String,
}

/// The retention properties `options` set shorter than Delta's defaults, or to a value
/// twokey cannot read as a duration (which may be shorter).
pub(super) fn shortened(options: &[SqlOption]) -> Vec<Shortened> {
    options
        .iter()
        .filter_map(|option| {
            let SqlOption::KeyValue { key, value } = option else {
                return None;
            };
            let property = key.to_string();
            let name = property.trim_matches(['\'', '"', '`']).to_ascii_lowercase();
            let default = DELTA_DEFAULTS
                .iter()
                .find_map(|(n, hours)| (*n == name).then_some(*hours))?;
            let value = value.to_string();
            let kept = hours(value.trim_matches(['\'', '"']));
            kept.is_none_or(|h| h < default).then_some(Shortened {
                property: name,
                value,
            })
        })
        .collect()
}

/// `interval 7 days`, `30 days`, `168 hours`, `1 week` in hours.
fn hours(text: &str) -> Option<u64> {
    let mut words = text.split_whitespace();
    let mut first = words.next()?;
    if first.eq_ignore_ascii_case("interval") {
        first = words.next()?;
    }
    let n: u64 = first.parse().ok()?;
    let unit = words.next()?.to_ascii_lowercase();
    let per = match unit.trim_end_matches('s') {
        "hour" => 1,
        "day" => 24,
        "week" => 24 * 7,
        _ => return None,
    };
    if words.next().is_some() {
        return None;
    }
    n.checked_mul(per)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_read_in_hours() {
        assert_eq!(hours("interval 1 days"), Some(24));
        assert_eq!(hours("INTERVAL 2 WEEKS"), Some(336));
        assert_eq!(hours("168 hours"), Some(168));
        assert_eq!(hours("interval 1 fortnight"), None);
        assert_eq!(hours("interval 99999999999999999999 days"), None);
        assert_eq!(hours(""), None);
    }
}
