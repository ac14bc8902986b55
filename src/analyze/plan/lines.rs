//! lines: finds the line of each resource change's `"address"` in the plan text, so a finding
//! points at its entry. Owns positions only; what the entries mean is the parent's. Pure.
//!
//! serde does not report where a value was, so the text is scanned. Two things matter on
//! real plans. Terraform writes JSON with Go's encoder, which escapes `<`, `>` and `&` as
//! `\u003c`…, so an address is compared after decoding the JSON string, not as raw text. And
//! a plan can hold thousands of changes in a hundred megabytes, so the scan only ever moves
//! forward and counts each newline once: entries are looked up in file order.

/// A forward-only cursor over the plan text.
pub(super) struct Lines<'t> {
    text: &'t str,
    /// Byte offset: nothing before it is looked at again.
    cursor: usize,
    /// The 1-based line the cursor is on.
    line: usize,
}

const KEY: &str = "\"address\"";

impl<'t> Lines<'t> {
    /// A cursor that starts at the first occurrence of `section` (a quoted top-level key such
    /// as `"resource_changes"`), or at the start when the text does not have it.
    pub fn after(text: &'t str, section: &str) -> Lines<'t> {
        let cursor = text.find(section).unwrap_or(0);
        let line = 1 + text.as_bytes()[..cursor]
            .iter()
            .filter(|&&b| b == b'\n')
            .count();
        Lines { text, cursor, line }
    }

    /// The line of the next `"address": "<address>"` after the cursor, which then moves past
    /// it. `None` (the cursor stays) when there is none.
    pub fn line_of(&mut self, address: &str) -> Option<u32> {
        let mut from = self.cursor;
        while let Some(i) = self.text.get(from..)?.find(KEY) {
            from += i + KEY.len();
            let Some(value) = self.text[from..].trim_start().strip_prefix(':') else {
                continue;
            };
            let value = value.trim_start();
            if !value.starts_with('"') {
                continue;
            }
            let at = self.text.len() - value.len();
            let mut strings = serde_json::Deserializer::from_str(value).into_iter::<String>();
            let Some(Ok(decoded)) = strings.next() else {
                continue;
            };
            // A JSON string holds no raw newline, so its end is on the line it starts on.
            let end = at + strings.byte_offset();
            if decoded == address {
                self.line += self.text.as_bytes()[self.cursor..at]
                    .iter()
                    .filter(|&&b| b == b'\n')
                    .count();
                self.cursor = end;
                return u32::try_from(self.line).ok();
            }
            from = end;
        }
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn entries_are_found_in_order_on_their_lines() {
        let text =
            "{\n\"resource_changes\": [\n {\"address\": \"a.b\"},\n {\"address\" : \"a.c\"}\n]}";
        let mut lines = Lines::after(text, "\"resource_changes\"");
        assert_eq!(lines.line_of("a.b"), Some(3));
        assert_eq!(lines.line_of("a.c"), Some(4));
        // Already passed: the cursor only moves forward.
        assert_eq!(lines.line_of("a.b"), None);
    }

    #[test]
    fn go_escaped_addresses_are_found() {
        let text = "{\"resource_changes\": [\n{\"address\": \"x.y[\\\"a\\u0026b\\u003e\\\"]\"}]}";
        let mut lines = Lines::after(text, "\"resource_changes\"");
        assert_eq!(lines.line_of("x.y[\"a&b>\"]"), Some(2));
    }

    #[test]
    fn attributes_named_address_and_earlier_sections_are_skipped() {
        let text = "{\"resource_drift\": [{\"address\": \"g.ip\"}],\n\"resource_changes\": [\n{\"address\": \"g.a\", \"change\": {\"before\": {\"address\": \"10.0.0.1\"}}},\n{\"address\": \"g.ip\"}]}";
        let mut lines = Lines::after(text, "\"resource_changes\"");
        assert_eq!(lines.line_of("g.ip"), Some(4));
    }

    /// Addresses as Terraform writes them: a resource and an index key that may hold any
    /// character, quotes and backslashes included.
    fn address() -> impl Strategy<Value = String> {
        (
            "[a-z_]{1,6}\\.[a-z_]{1,6}",
            proptest::option::of("[\"\\\\&<>a-z\\u{e9}\\u{1F600}\\n\\t ]{0,8}"),
        )
            .prop_map(|(r, key)| match key {
                Some(k) => format!("{r}[{}]", serde_json::to_string(&k).unwrap()),
                None => r,
            })
    }

    proptest! {
        #[test]
        fn each_address_is_found_on_the_line_serde_json_wrote_it(
            addresses in proptest::collection::btree_set(address(), 1..6),
            go_escapes in any::<bool>(),
        ) {
            let addresses: Vec<String> = addresses.into_iter().collect();
            // Each entry also holds an attribute named `address`, with the previous entry's
            // address (already passed), which must not be taken for anything. (A value equal
            // to a later entry's address would be: the scan does not track nesting.)
            let changes: Vec<serde_json::Value> = addresses
                .iter()
                .enumerate()
                .map(|(i, a)| serde_json::json!({
                    "address": a,
                    "change": {"before": {"address": if i == 0 { "10.0.0.1" } else { &addresses[i - 1] }}},
                }))
                .collect();
            let plan = serde_json::json!({
                "prior_state": {"address": addresses[0]},
                "resource_changes": changes,
            });
            let mut text = serde_json::to_string_pretty(&plan).unwrap();
            if go_escapes {
                // Go's encoder: `&`, `<` and `>` only ever appear inside strings.
                text = text.replace('&', "\\u0026").replace('<', "\\u003c").replace('>', "\\u003e");
            }
            // serde_json's pretty printer puts an entry's own address at six spaces.
            let written: Vec<u32> = text
                .lines()
                .enumerate()
                .filter(|(_, l)| l.starts_with("      \"address\": "))
                .map(|(i, _)| i as u32 + 1)
                .collect();
            prop_assert_eq!(written.len(), addresses.len());
            let mut lines = Lines::after(&text, "\"resource_changes\"");
            for (a, line) in addresses.iter().zip(written) {
                prop_assert_eq!(lines.line_of(a), Some(line), "{} in\n{}", a, text);
            }
        }

        #[test]
        fn arbitrary_text_never_panics(
            text in "(\\PC|\n|\"|\\\\|:){0,120}",
            section in "\\PC{0,10}",
            address in "\\PC{0,10}",
        ) {
            let mut lines = Lines::after(&text, &section);
            let first = lines.line_of(&address);
            if let Some(line) = first {
                prop_assert!(line as usize <= text.lines().count().max(1));
            }
            let _ = lines.line_of(&address);
        }
    }
}
