//! http_api: data stores driven over HTTP from `curl`, `wget` or HTTPie: Elasticsearch and
//! OpenSearch (`DELETE /index`, `DELETE /_all`, `_delete_by_query`, a deleted snapshot) and
//! CouchDB (`DELETE /db`).
//!
//! A request is judged only when its URL is recognisably one of those stores: the port they
//! listen on (9200, 9243, 5984), a host or variable named after them (`es`, `$ES_URL`,
//! `opensearch`, `couchdb`), or an endpoint only Elasticsearch has (`_delete_by_query`). A
//! `DELETE` to any other API (a cache entry, a GitHub resource) stays quiet: twokey cannot
//! tell what it removes. Requests that only read, or tidy up (a scroll, a single document,
//! an index template), are quiet too.

use super::{Call, Hit, DATABASE_DROP, SECRETS_OR_BACKUPS_DELETE};
use crate::finding::Severity;

const ES_SAFER: &str = "Take a snapshot first (`PUT _snapshot/<repo>/<name>`) and delete indices by hand; retire old data with an index lifecycle (ILM/ISM) policy, and set `action.destructive_requires_name: true` so wildcards and `_all` are refused.";
const SNAPSHOT_SAFER: &str = "Let the snapshot lifecycle policy (SLM) expire snapshots by its retention rules instead of deleting them from a script.";
const COUCH_SAFER: &str = "Replicate the database to a backup first and delete it by hand; keep database deletion out of pipelines.";

/// `curl` options that take a value, so that value is not read as the URL.
const CURL_VALUE_FLAGS: &[&str] = &[
    "-X",
    "--request",
    "--url",
    "-H",
    "--header",
    "-d",
    "--data",
    "--data-raw",
    "--data-binary",
    "--data-urlencode",
    "--json",
    "-u",
    "--user",
    "-o",
    "--output",
    "-A",
    "--user-agent",
    "-e",
    "--referer",
    "-F",
    "--form",
    "-T",
    "--upload-file",
    "-w",
    "--write-out",
    "-m",
    "--max-time",
    "--connect-timeout",
    "--retry",
    "--cacert",
    "--cert",
    "--key",
    "-b",
    "--cookie",
    "-c",
    "--cookie-jar",
    "-K",
    "--config",
    "-x",
    "--proxy",
    "--resolve",
    "-E",
    "--retry-delay",
    "--retry-max-time",
    "--oauth2-bearer",
    "--aws-sigv4",
];

/// What the store at a URL is.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Store {
    Elasticsearch,
    CouchDb,
}

/// The HTTP method and the URL of a request, as far as they can be read.
fn request<'a>(call: &'a Call) -> Option<(String, &'a str)> {
    match call.program {
        "curl" => {
            let method = call
                .value("-X")
                .or(call.value("--request"))
                .unwrap_or("GET")
                .to_ascii_uppercase();
            let pos = call.positional(CURL_VALUE_FLAGS);
            let url = call.value("--url").or(pos.first().copied())?;
            Some((method, url))
        }
        "wget" => {
            let method = call.value("--method").unwrap_or("GET").to_ascii_uppercase();
            let url = call
                .positional(&["-O", "-o", "--header", "--body-data"])
                .first()
                .copied()?;
            Some((method, url))
        }
        // HTTPie: `http [METHOD] URL [items]`; without a method it is GET (or POST with data).
        _ => {
            let pos = call.positional(&["-a", "--auth", "--session", "-A", "--auth-type"]);
            match pos.as_slice() {
                [method, url, ..] if method.chars().all(|c| c.is_ascii_uppercase()) => {
                    Some((method.to_string(), url))
                }
                [url, ..] => Some(("GET".to_owned(), url)),
                [] => None,
            }
        }
    }
}

/// The store a URL points at, from its port, its host or the variable that holds it. Only
/// the host part is read: `es` further down a path is a language code, not a search cluster.
fn store(url: &str, path: &[&str]) -> Option<Store> {
    let rest = url.split_once("://").map_or(url, |(_, r)| r);
    let host = rest.split(['/', '?', '#']).next().unwrap_or(rest);
    let lower = host.to_ascii_lowercase();
    let names = lower.split(|c: char| !c.is_ascii_alphanumeric());
    let mut named = None;
    for name in names {
        match name {
            "9200" | "9243" | "es" | "elastic" | "elasticsearch" | "opensearch" | "os" => {
                named = Some(Store::Elasticsearch);
            }
            "5984" | "couch" | "couchdb" => named = named.or(Some(Store::CouchDb)),
            _ => {}
        }
    }
    named.or_else(|| {
        path.contains(&"_delete_by_query")
            .then_some(Store::Elasticsearch)
    })
}

/// The path's segments: what follows the scheme and host, without the query string. A URL
/// that starts with a variable (`$ES_URL/orders`) has the variable for its host.
fn segments(url: &str) -> Vec<&str> {
    let url = url.split(['?', '#']).next().unwrap_or(url);
    let rest = url.split_once("://").map_or(url, |(_, r)| r);
    rest.split('/').skip(1).filter(|s| !s.is_empty()).collect()
}

/// What an HTTP request to a data store destroys.
pub(super) fn judge(call: &Call) -> Vec<Hit> {
    let Some((method, url)) = request(call) else {
        return Vec::new();
    };
    let path = segments(url);
    let Some(store) = store(url, &path) else {
        return Vec::new();
    };
    let found = match store {
        Store::Elasticsearch => elasticsearch(&method, &path),
        Store::CouchDb => (method == "DELETE" && path.len() == 1).then_some((
            &DATABASE_DROP,
            Severity::High,
            "deletes the CouchDB database and every document in it".to_owned(),
            COUCH_SAFER,
        )),
    };
    found
        .map(|(rule, severity, what, safer)| {
            let mut hit = call.hit(rule, severity, format!("`{}` {what}.", call.shown()));
            hit.safer = Some(safer.to_owned());
            vec![hit]
        })
        .unwrap_or_default()
}

type Verdict = (&'static crate::rules::Rule, Severity, String, &'static str);

fn elasticsearch(method: &str, path: &[&str]) -> Option<Verdict> {
    if path.contains(&"_delete_by_query") {
        return Some((
            &DATABASE_DROP,
            Severity::High,
            "deletes every Elasticsearch document the query matches".to_owned(),
            ES_SAFER,
        ));
    }
    if method != "DELETE" {
        return None;
    }
    match path {
        ["_all" | "*", ..] => Some((
            &DATABASE_DROP,
            Severity::Critical,
            "deletes every Elasticsearch index and all the documents in them".to_owned(),
            ES_SAFER,
        )),
        ["_snapshot", _, _, ..] => Some((
            &SECRETS_OR_BACKUPS_DELETE,
            SECRETS_OR_BACKUPS_DELETE.severity,
            "deletes an Elasticsearch snapshot, a restore point that is gone when it is needed"
                .to_owned(),
            SNAPSHOT_SAFER,
        )),
        ["_data_stream", stream] => Some((
            &DATABASE_DROP,
            Severity::High,
            format!(
                "deletes the data stream `{stream}` and every backing index with its documents"
            ),
            ES_SAFER,
        )),
        // `_search/scroll`, `_pit`, templates, policies, pipelines: nothing with data in it.
        [first, ..] if first.starts_with('_') => None,
        [index] | [index, "_all"] => Some((
            &DATABASE_DROP,
            Severity::High,
            format!("deletes the Elasticsearch index `{index}` and every document in it"),
            ES_SAFER,
        )),
        // `index/_doc/42`, `index/_alias/a`: one document or an alias.
        _ => None,
    }
}
