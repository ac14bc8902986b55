//! ecto_types: Ecto migration column types (`:string`, `:text`, `{:string, size: 100}`)
//! written as the SQL types the Postgres adapter creates, so that `modify :name, :text,
//! from: :string` can be judged by the sql analyzer's narrowing rules. Only Ecto's
//! primitive types are known; anything else (`references(…)`, a custom type) is `None`,
//! and the change is then reported as one twokey cannot judge.

/// The SQL type of an Ecto type written as `type` with the options `opts` (the `size:`,
/// `precision:` and `scale:` of `modify`'s own options or of a `{type, opts}` tuple), or
/// `None` when twokey does not know it.
pub fn sql_type(ty: &str, opts: &str) -> Option<String> {
    let option = |name: &str| {
        opts.split(',').find_map(|part| {
            let (key, value) = part.split_once(':')?;
            let value = value.trim().trim_end_matches('}').trim();
            (key.trim() == name && value.chars().all(|c| c.is_ascii_digit()) && !value.is_empty())
                .then(|| value.to_owned())
        })
    };
    Some(match ty.trim().trim_start_matches(':') {
        // Ecto's `:string` is `varchar(255)` unless a size is given.
        "string" => format!(
            "VARCHAR({})",
            option("size").unwrap_or_else(|| "255".to_owned())
        ),
        "text" => "TEXT".to_owned(),
        "citext" => "CITEXT".to_owned(),
        "integer" => "INTEGER".to_owned(),
        "bigint" | "id" | "bigserial" => "BIGINT".to_owned(),
        "smallint" => "SMALLINT".to_owned(),
        "float" => "DOUBLE PRECISION".to_owned(),
        "decimal" | "numeric" => match (option("precision"), option("scale")) {
            (Some(p), Some(s)) => format!("NUMERIC({p}, {s})"),
            (Some(p), None) => format!("NUMERIC({p})"),
            _ => "NUMERIC".to_owned(),
        },
        "boolean" => "BOOLEAN".to_owned(),
        "binary" => "BYTEA".to_owned(),
        "uuid" | "binary_id" => "UUID".to_owned(),
        "map" | "jsonb" => "JSONB".to_owned(),
        "date" => "DATE".to_owned(),
        "time" => "TIME(0)".to_owned(),
        "time_usec" => "TIME".to_owned(),
        "naive_datetime" | "utc_datetime" => "TIMESTAMP(0)".to_owned(),
        "naive_datetime_usec" | "utc_datetime_usec" | "timestamp" => "TIMESTAMP".to_owned(),
        _ => return None,
    })
}

/// A type as `modify`'s `from:` writes it, split into the type and its options: `:text`, or
/// the tuple `{:string, size: 100}`.
pub fn split_tuple(written: &str) -> (&str, &str) {
    let written = written.trim();
    match written.strip_prefix('{').and_then(|w| w.strip_suffix('}')) {
        Some(inner) => inner.split_once(',').unwrap_or((inner, "")),
        None => (written, ""),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analyze::sql::types::{compare_text, Verdict};
    use proptest::prelude::*;

    #[test]
    fn ecto_types_become_the_postgres_types_they_create() {
        assert_eq!(sql_type(":string", "").as_deref(), Some("VARCHAR(255)"));
        assert_eq!(
            sql_type(":string", " size: 40").as_deref(),
            Some("VARCHAR(40)")
        );
        assert_eq!(
            sql_type(":decimal", "precision: 10, scale: 2").as_deref(),
            Some("NUMERIC(10, 2)")
        );
        assert_eq!(sql_type("references(:users)", ""), None);
        assert_eq!(
            split_tuple("{:string, size: 100}"),
            (":string", " size: 100")
        );
        assert_eq!(split_tuple(" :text "), (":text", ""));
    }

    proptest! {
        #[test]
        fn widening_a_string_or_decimal_is_never_narrowing(
            a in 1u32..2000,
            b in 1u32..2000,
            (p, s, more_p, more_s) in (1u32..30, 0u32..10, 0u32..10, 0u32..5),
        ) {
            let (small, big) = (a.min(b), a.max(b));
            let written = |size: u32| format!("{{:string, size: {size}}}");
            let old = written(small);
            let (ty, opts) = split_tuple(&old);
            let old = sql_type(ty, opts).unwrap();
            let new = sql_type(":string", &format!("size: {big}")).unwrap();
            let verdict = compare_text(&old, &new);
            prop_assert!(!matches!(verdict, Some(Verdict::Narrows(_))), "{} → {}: {:?}", old, new, verdict);
            // `:string` without a size is 255 wide.
            if small <= 255 {
                let default = sql_type(":string", "").unwrap();
                prop_assert!(!matches!(compare_text(&old, &default), Some(Verdict::Narrows(_))));
            }
            // More digits before and after the point.
            let s = s.min(p);
            let old = sql_type(":decimal", &format!("precision: {p}, scale: {s}")).unwrap();
            let new = sql_type(
                ":decimal",
                &format!("precision: {}, scale: {}", p + more_p + more_s, s + more_s),
            )
            .unwrap();
            let verdict = compare_text(&old, &new);
            prop_assert!(!matches!(verdict, Some(Verdict::Narrows(_))), "{} → {}: {:?}", old, new, verdict);
        }

        #[test]
        fn arbitrary_types_and_options_never_panic(ty in "\\PC{0,12}", opts in "\\PC{0,20}") {
            let (t, o) = split_tuple(&ty);
            let _ = sql_type(t, o);
            let _ = sql_type(&ty, &opts);
        }
    }
}
