//! rendered: the report's findings rendered on several threads, a round of them at a time, as
//! exactly the bytes `serde_json`'s pretty printer writes for them in place.
//!
//! Each finding is rendered by a pretty printer set two levels deep, where the report's list
//! elements stand, and the pieces are written in place of the empty list of a report rendered
//! without them. The tests check the spliced output byte for byte against serializing the
//! whole report in one go.

use super::FindingJson;
use crate::finding::Finding;

/// What a report rendered without its findings holds in their place.
pub(super) const EMPTY: &[u8] = b"[]";

/// Findings rendered as one piece. A worker renders at most one piece ahead of the writer,
/// which keeps the rendered text held at once to a few hundred kilobytes per thread, however
/// many findings there are.
const PER_PIECE: usize = 128;

/// Where the empty list of the top-level `findings` key starts, in a report rendered without
/// findings. Only a top-level key follows a line break and exactly two spaces: deeper keys
/// are indented further, and no string holds a raw line break.
pub(super) fn empty_findings_at(report: &[u8]) -> Option<usize> {
    const KEY: &[u8] = b"\n  \"findings\": ";
    let at = report.windows(KEY.len()).position(|w| w == KEY)? + KEY.len();
    report[at..].starts_with(EMPTY).then_some(at)
}

/// Writes the findings' list as the report prints it, rendered on up to `threads` threads.
pub(super) fn write(
    findings: &[Finding],
    threads: Option<usize>,
    out: &mut impl std::io::Write,
) -> std::io::Result<()> {
    write_in_pieces(findings, threads, PER_PIECE, out)
}

/// Pieces are dealt round-robin: thread `t` of `n` renders pieces `t`, `t + n`, … and the
/// calling thread, which renders the first, writes them all in order.
fn write_in_pieces(
    findings: &[Finding],
    threads: Option<usize>,
    per_piece: usize,
    out: &mut impl std::io::Write,
) -> std::io::Result<()> {
    if findings.is_empty() {
        return out.write_all(EMPTY);
    }
    let pieces: Vec<&[Finding]> = findings.chunks(per_piece.max(1)).collect();
    let threads = crate::work::threads(threads).min(pieces.len());
    let render = |k: usize, piece: &[Finding]| elements(piece, k == 0);
    std::thread::scope(|scope| {
        let workers: Vec<_> = (1..threads)
            .map(|t| {
                let (ready, rendered) = std::sync::mpsc::sync_channel(1);
                let pieces = &pieces;
                scope.spawn(move || {
                    for k in (t..pieces.len()).step_by(threads) {
                        // The writer stopped (an error): nothing more to render.
                        if ready.send(render(k, pieces[k])).is_err() {
                            break;
                        }
                    }
                });
                rendered
            })
            .collect();
        for (k, piece) in pieces.iter().enumerate() {
            let rendered = match k % threads {
                0 => render(k, piece)?,
                t => workers[t - 1].recv().map_err(|_| {
                    std::io::Error::other("a thread rendering the report stopped early")
                })??,
            };
            out.write_all(&rendered)?;
        }
        Ok::<_, std::io::Error>(())
    })?;
    out.write_all(b"\n  ]")
}

/// Consecutive list elements, each after the separator the pretty printer puts before it;
/// the list's opening bracket before the first of all.
fn elements(findings: &[Finding], opens_the_list: bool) -> std::io::Result<Vec<u8>> {
    use serde::Serialize;
    let mut out = Vec::with_capacity(findings.len() * 640);
    for (i, finding) in findings.iter().enumerate() {
        out.extend_from_slice(if i == 0 && opens_the_list {
            b"[\n    "
        } else {
            b",\n    "
        });
        let mut serializer = serde_json::Serializer::with_formatter(&mut out, in_the_list()?);
        FindingJson(finding).serialize(&mut serializer)?;
    }
    Ok(out)
}

/// A pretty printer that stands where the report's list elements do, two levels deep (the
/// report's object, its findings list): opening both, written nowhere, sets its indentation.
fn in_the_list() -> std::io::Result<serde_json::ser::PrettyFormatter<'static>> {
    use serde_json::ser::Formatter;
    let mut formatter = serde_json::ser::PrettyFormatter::new();
    formatter.begin_object(&mut std::io::sink())?;
    formatter.begin_array(&mut std::io::sink())?;
    Ok(formatter)
}

#[cfg(test)]
mod tests {
    use super::super::Findings;
    use super::*;
    use crate::analyze::sql::{DROP_INDEX, DROP_TABLE};
    use crate::change::{RepoPath, Side};
    use crate::finding::{Allowance, AllowedBy, Location};
    use serde::ser::SerializeMap;

    /// A report reduced to its findings, serialized in one go: what splicing must reproduce.
    struct OnlyFindings<'a>(&'a [Finding]);

    impl serde::Serialize for OnlyFindings<'_> {
        fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
            let mut m = s.serialize_map(Some(2))?;
            m.serialize_entry("a", &serde_json::json!({"findings": [], "b": [1, 2]}))?;
            m.serialize_entry("findings", &Findings(self.0))?;
            m.serialize_entry("z", "end")?;
            m.end()
        }
    }

    fn spliced(list: &[Finding], threads: usize, per_piece: usize) -> Vec<u8> {
        let rest = serde_json::to_vec_pretty(&OnlyFindings(&[])).expect("serializes");
        let at = empty_findings_at(&rest).expect("the key is there");
        let mut out = rest[..at].to_vec();
        write_in_pieces(list, Some(threads), per_piece, &mut out).expect("renders");
        out.extend(&rest[at + EMPTY.len()..]);
        out
    }

    fn sample(n: usize) -> Vec<Finding> {
        (0..n)
            .map(|i| {
                let rule = if i % 2 == 0 { &DROP_TABLE } else { &DROP_INDEX };
                let path = RepoPath::new(format!("db/{i}/\"quoted\".sql"));
                let message = format!("line one\nline \"two\" {i} \u{e9}\t{{}}");
                let mut f = Finding::new(rule, Location::lines(path, Side::Head, 1, 2), message);
                if i % 3 == 0 {
                    f = f.with_safer("safer\nway").with_subject(format!("t{i}"));
                }
                if i % 4 == 0 {
                    f.allowed = Some(Allowance {
                        by: AllowedBy::Config,
                        reason: "known".to_owned(),
                        at: ".github/twokey.yml".to_owned(),
                    });
                }
                f
            })
            .collect()
    }

    #[test]
    fn spliced_findings_are_byte_for_byte_those_of_one_pass() {
        for n in [0, 1, 2, 7, 40] {
            let list = sample(n);
            let whole = serde_json::to_vec_pretty(&OnlyFindings(&list)).expect("serializes");
            for (threads, per_piece) in [(1, 1024), (1, 3), (3, 1), (4, 5), (16, 2)] {
                assert_eq!(
                    String::from_utf8_lossy(&spliced(&list, threads, per_piece)),
                    String::from_utf8_lossy(&whole),
                    "{n} findings on {threads} threads"
                );
            }
        }
    }

    #[test]
    fn only_the_top_level_findings_key_is_found() {
        let report =
            b"{\n  \"a\": {\n    \"findings\": []\n  },\n  \"findings\": [],\n  \"z\": 1\n}";
        let at = empty_findings_at(report).expect("found");
        assert_eq!(&report[at..at + 2], b"[]");
        assert_eq!(report[..at].iter().filter(|&&b| b == b'\n').count(), 4);
        assert_eq!(
            empty_findings_at(b"{\n  \"findings\": [\n    1\n  ]\n}"),
            None
        );
        assert_eq!(empty_findings_at(b"{\"findings\": []}"), None);
    }
}
