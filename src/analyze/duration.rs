//! duration: a length of time as configuration writes it, in seconds. Go's and Google's
//! runs of a number and a unit (`720h0m0s`, `1h30m`, `600.5s`, `7d`, `250ms`) and ISO 8601
//! (`P30D`, `PT12H`, `P1Y2M3W4DT5H6M7S`). Retention settings in Terraform providers,
//! Velero and others use one or the other; what they keep is compared through this.

const MINUTE: f64 = 60.0;
const HOUR: f64 = 3_600.0;
const DAY: f64 = 86_400.0;

/// The seconds `text` stands for, or `None` when it is not a duration. In ISO 8601 a year
/// counts 365 days and a month 30: a change between calendar units and days compares
/// approximately, which only matters near equality. A bare `0` is zero, as in Go.
pub fn seconds(text: &str) -> Option<f64> {
    let text = text.trim();
    if text == "0" {
        return Some(0.0);
    }
    if let Some(period) = text.strip_prefix(['P', 'p']) {
        return iso(period);
    }
    runs(text, |unit| match unit {
        "ns" => Some(1e-9),
        "us" | "µs" => Some(1e-6),
        "ms" => Some(1e-3),
        "s" => Some(1.0),
        "m" => Some(MINUTE),
        "h" => Some(HOUR),
        "d" => Some(DAY),
        _ => None,
    })
}

/// `1Y2M3W4DT5H6M7S` (after the `P`): before the `T`, M is months; after it, minutes.
fn iso(text: &str) -> Option<f64> {
    let (date, time) = match text.split_once(['T', 't']) {
        Some((d, t)) if !t.is_empty() => (d, Some(t)),
        Some(_) => return None,
        None => (text, None),
    };
    let date_unit = |unit: &str| match unit.to_ascii_uppercase().as_str() {
        "Y" => Some(365.0 * DAY),
        "M" => Some(30.0 * DAY),
        "W" => Some(7.0 * DAY),
        "D" => Some(DAY),
        _ => None,
    };
    let time_unit = |unit: &str| match unit.to_ascii_uppercase().as_str() {
        "H" => Some(HOUR),
        "M" => Some(MINUTE),
        "S" => Some(1.0),
        _ => None,
    };
    // `P` alone, or `PT` with nothing after it, is no duration.
    let days = if date.is_empty() {
        time?;
        0.0
    } else {
        runs(date, date_unit)?
    };
    let hours = match time {
        Some(t) => runs(t, time_unit)?,
        None => 0.0,
    };
    Some(days + hours)
}

/// The sum of `<number><unit>` runs, each number times its unit's seconds (`unit`); `None`
/// unless the whole text is one or more such runs.
fn runs(text: &str, unit: impl Fn(&str) -> Option<f64>) -> Option<f64> {
    let mut total = 0.0;
    let mut rest = text;
    let mut count = 0;
    while !rest.is_empty() {
        let number_end = rest.find(|c: char| !(c.is_ascii_digit() || c == '.'))?;
        let number: f64 = rest[..number_end].parse().ok()?;
        let tail = &rest[number_end..];
        let unit_end = tail
            .find(|c: char| c.is_ascii_digit() || c == '.')
            .unwrap_or(tail.len());
        total += number * unit(&tail[..unit_end])?;
        rest = &tail[unit_end..];
        count += 1;
    }
    (count > 0 && total.is_finite()).then_some(total)
}

#[cfg(test)]
mod tests {
    use super::seconds;
    use proptest::prelude::*;

    #[test]
    fn go_google_and_iso_forms_read_as_seconds() {
        for (text, expected) in [
            ("720h0m0s", 720.0 * 3_600.0),
            ("1h30m", 5_400.0),
            ("600.5s", 600.5),
            ("7d", 7.0 * 86_400.0),
            ("250ms", 0.25),
            ("0", 0.0),
            ("P30D", 30.0 * 86_400.0),
            ("PT12H", 43_200.0),
            ("P1W", 7.0 * 86_400.0),
            ("P1M", 30.0 * 86_400.0),
            ("PT1M", 60.0),
            (" 24h ", 86_400.0),
        ] {
            assert_eq!(seconds(text), Some(expected), "{text}");
        }
        for text in [
            "", "P", "PT", "P1DT", "h", "12", "1x", "1h30", "forever", "-1h", "1..5s",
        ] {
            assert_eq!(seconds(text), None, "{text}");
        }
    }

    proptest! {
        #[test]
        fn a_length_written_in_any_unit_reads_the_same(n in 0u32..100_000) {
            let n = f64::from(n);
            prop_assert_eq!(seconds(&format!("{n}h")), seconds(&format!("{}m", n * 60.0)));
            prop_assert_eq!(seconds(&format!("{n}d")), seconds(&format!("P{n}D")));
            prop_assert_eq!(seconds(&format!("{n}s")), Some(n));
            prop_assert_eq!(seconds(&format!("PT{n}H")), Some(n * 3_600.0));
        }

        #[test]
        fn any_text_is_a_finite_length_or_none(text in "\\PC{0,12}|[0-9.PTYMWDHSmsuµn]{0,12}") {
            if let Some(s) = seconds(&text) {
                prop_assert!(s.is_finite() && s >= 0.0, "{text:?} gave {s}");
            }
        }
    }
}
