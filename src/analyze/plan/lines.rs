//! lines: finds the line of each resource change's `"address"` in the plan text, so a finding
//! points at its entry. Owns positions only; what the entries mean is the parent's. Pure.
//!
//! serde does not report where a value was, so the text is scanned. Three things matter on
//! real plans. Terraform writes JSON with Go's encoder, which escapes `<`, `>` and `&` as
//! `\u003c`…, so an address is compared after decoding the JSON string, not as raw text. A
//! change's `before` and `after` values can hold attributes named `address` too (an IP
//! address, or another resource's address), so the scan counts how deeply objects and arrays
//! nest and takes only the `"address"` key at the depth of an entry's own keys. And a plan can
//! hold thousands of changes in a hundred megabytes, so the scan only ever moves forward and
//! looks at each byte once: entries are looked up in file order.

/// A forward-only cursor over the entries of one section (`"resource_changes": [ … ]`).
pub(super) struct Lines<'t> {
    text: &'t str,
    /// Byte offset: nothing before it is looked at again.
    cursor: usize,
    /// The 1-based line the cursor is on.
    line: usize,
    /// The objects and arrays open at the cursor, counted from the section's array (1 just
    /// inside it); 0 when there is no section.
    depth: usize,
    /// The depth of the object whose `"address"` key is an entry's: [`ENTRY`] or [`DEFERRED`].
    entry: usize,
    /// Lines of the file before `text` (a later document of a concatenation), added to each
    /// line found.
    base: usize,
}

/// An entry's address is one of its own keys: `[{"address": …}]`.
pub(super) const ENTRY: usize = 2;
/// A deferred change's address is in its `resource_change`: `[{"resource_change": {"address": …}}]`.
pub(super) const DEFERRED: usize = 3;

const KEY: &[u8] = b"\"address\"";

impl<'t> Lines<'t> {
    /// A cursor just inside the array of `section` (a quoted top-level key such as
    /// `"resource_changes"`), whose entries hold their address at depth `entry`. When the text
    /// has no such array, the cursor finds nothing.
    pub fn after(text: &'t str, section: &str, entry: usize) -> Lines<'t> {
        let mut from = 0;
        while let Some(i) = text
            .get(from..)
            .filter(|_| !section.is_empty())
            .and_then(|t| t.find(section))
        {
            from += i + section.len();
            // A key (followed by `:`) whose value is an array; a string value equal to the
            // section's name is not it.
            let Some(value) = text[from..].trim_start().strip_prefix(':') else {
                continue;
            };
            let Some(inside) = value.trim_start().strip_prefix('[') else {
                continue;
            };
            let cursor = text.len() - inside.len();
            let line = 1 + newlines(&text.as_bytes()[..cursor]);
            return Lines {
                text,
                cursor,
                line,
                depth: 1,
                entry,
                base: 0,
            };
        }
        Lines {
            text,
            cursor: text.len(),
            line: 1,
            depth: 0,
            entry,
            base: 0,
        }
    }

    /// The same cursor, for a `text` that starts after `lines` lines of its file.
    pub fn below(self, lines: usize) -> Lines<'t> {
        Lines {
            base: lines,
            ..self
        }
    }

    /// The line of the next entry whose own `"address"` is `address`, after the cursor, which
    /// then moves past it. `None` (the cursor stays) when the section has no more such entry.
    pub fn line_of(&mut self, address: &str) -> Option<u32> {
        let bytes = self.text.as_bytes();
        let (mut i, mut line, mut depth) = (self.cursor, self.line, self.depth);
        while depth > 0 && i < bytes.len() {
            match bytes[i] {
                b'\n' => line += 1,
                b'{' | b'[' => depth += 1,
                b'}' | b']' => depth -= 1,
                b'"' => {
                    let end = string_end(bytes, i);
                    if depth == self.entry && &bytes[i..end] == KEY {
                        if let Some((at, value_end)) = self.value_of(end, address) {
                            self.line = line + newlines(&bytes[end..at]);
                            self.cursor = value_end;
                            self.depth = depth;
                            return u32::try_from(self.line + self.base).ok();
                        }
                    }
                    // A JSON string holds no raw newline, but arbitrary text can.
                    line += newlines(&bytes[i..end]);
                    i = end;
                    continue;
                }
                _ => {}
            }
            i += 1;
        }
        None
    }

    /// Where the string value after the key ending at `key_end` starts and ends, when it
    /// decodes to `address`.
    fn value_of(&self, key_end: usize, address: &str) -> Option<(usize, usize)> {
        let value = self.text[key_end..]
            .trim_start()
            .strip_prefix(':')?
            .trim_start();
        if !value.starts_with('"') {
            return None;
        }
        let at = self.text.len() - value.len();
        let mut strings = serde_json::Deserializer::from_str(value).into_iter::<String>();
        let decoded = strings.next()?.ok()?;
        (decoded == address).then(|| (at, at + strings.byte_offset()))
    }
}

/// The offset just past the string that opens at `start` (past the end of the text when it
/// is not closed).
fn string_end(bytes: &[u8], start: usize) -> usize {
    let mut i = start + 1;
    while i < bytes.len() {
        match bytes[i] {
            b'\\' => i += 2,
            b'"' => return i + 1,
            _ => i += 1,
        }
    }
    bytes.len()
}

fn newlines(bytes: &[u8]) -> usize {
    bytes.iter().filter(|&&b| b == b'\n').count()
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn entries_are_found_in_order_on_their_lines() {
        let text =
            "{\n\"resource_changes\": [\n {\"address\": \"a.b\"},\n {\"address\" : \"a.c\"}\n]}";
        let mut lines = Lines::after(text, "\"resource_changes\"", ENTRY);
        assert_eq!(lines.line_of("a.b"), Some(3));
        assert_eq!(lines.line_of("a.c"), Some(4));
        // Already passed: the cursor only moves forward.
        assert_eq!(lines.line_of("a.b"), None);
    }

    #[test]
    fn go_escaped_addresses_are_found() {
        let text = "{\"resource_changes\": [\n{\"address\": \"x.y[\\\"a\\u0026b\\u003e\\\"]\"}]}";
        let mut lines = Lines::after(text, "\"resource_changes\"", ENTRY);
        assert_eq!(lines.line_of("x.y[\"a&b>\"]"), Some(2));
    }

    #[test]
    fn attributes_named_address_and_earlier_sections_are_skipped() {
        let text = "{\"resource_drift\": [{\"address\": \"g.ip\"}],\n\"resource_changes\": [\n{\"address\": \"g.a\", \"change\": {\"before\": {\"address\": \"10.0.0.1\"}}},\n{\"address\": \"g.ip\"}]}";
        let mut lines = Lines::after(text, "\"resource_changes\"", ENTRY);
        assert_eq!(lines.line_of("g.ip"), Some(4));
    }

    #[test]
    fn an_attribute_holding_a_later_entrys_address_is_not_that_entry() {
        // `a.first`'s values name `a.later` (an attribute called `address`, nested in an object
        // and in a list of objects); only the entry's own key is `a.later`'s line.
        let text = r#"{"resource_changes": [
  {"address": "a.first", "change": {
    "before": {"address": "a.later"},
    "after": {"peers": [{"address": "a.later"}]}}},
  {"address": "a.later"}
]}"#;
        let mut lines = Lines::after(text, "\"resource_changes\"", ENTRY);
        assert_eq!(lines.line_of("a.later"), Some(5));
    }

    #[test]
    fn a_deferred_change_is_found_in_its_resource_change_and_the_section_ends_at_its_array() {
        let text = r#"{"deferred_changes": [
  {"reason": "provider_config_unknown", "resource_change": {"address": "a.x",
    "change": {"before": {"address": "a.y"}}}},
  {"reason": "deferred_prereq", "resource_change": {"address": "a.y"}}
],
"prior_state": {"address": "a.z"}}"#;
        let mut lines = Lines::after(text, "\"deferred_changes\"", DEFERRED);
        assert_eq!(lines.line_of("a.y"), Some(4));
        // Past the section's end: nothing, however the rest of the plan names it.
        assert_eq!(lines.line_of("a.z"), None);
        let mut none = Lines::after(text, "\"resource_changes\"", ENTRY);
        assert_eq!(none.line_of("a.x"), None);
    }

    /// Addresses as Terraform writes them: a resource and an index key that may hold any
    /// character, quotes and backslashes included.
    fn address() -> impl Strategy<Value = String> {
        (
            "[a-z_]{1,6}\\.[a-z_]{1,6}",
            proptest::option::of("[\"\\\\&<>a-z\\u{e9}\\u{1F600}\\n\\t {}\\[\\]]{0,8}"),
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
            deferred in any::<bool>(),
        ) {
            let addresses: Vec<String> = addresses.into_iter().collect();
            let other = |i: usize| addresses.get(i).map_or("10.0.0.1", String::as_str);
            // Each entry's values also hold attributes named `address`: the previous entry's
            // address (already passed) and the next one's (still to come, in an object and in
            // a list of objects), which must not be taken for that entry.
            let changes: Vec<serde_json::Value> = addresses
                .iter()
                .enumerate()
                .map(|(i, a)| {
                    let change = serde_json::json!({
                        "address": a,
                        "change": {
                            "before": {"address": other(i.wrapping_sub(1))},
                            "after": {"address": other(i + 1), "nic": [{"address": other(i + 1)}]},
                        },
                    });
                    if deferred {
                        serde_json::json!({"reason": "deferred_prereq", "resource_change": change})
                    } else {
                        change
                    }
                })
                .collect();
            let (section, entry, indent) = if deferred {
                ("deferred_changes", DEFERRED, "        \"address\": ")
            } else {
                ("resource_changes", ENTRY, "      \"address\": ")
            };
            // Other parts of the plan name the addresses too: before and after the section.
            let mut plan = serde_json::json!({
                "prior_state": {"address": addresses[0]},
                "zz_after": {"address": addresses[addresses.len() - 1]},
            });
            plan[section] = serde_json::Value::from(changes);
            let mut text = serde_json::to_string_pretty(&plan).unwrap();
            if go_escapes {
                // Go's encoder: `&`, `<` and `>` only ever appear inside strings.
                text = text.replace('&', "\\u0026").replace('<', "\\u003c").replace('>', "\\u003e");
            }
            // serde_json's pretty printer puts an entry's own address at six spaces (eight in
            // a deferred change's `resource_change`); the nested ones are deeper.
            let written: Vec<u32> = text
                .lines()
                .enumerate()
                .filter(|(_, l)| l.starts_with(indent))
                .map(|(i, _)| i as u32 + 1)
                .collect();
            prop_assert_eq!(written.len(), addresses.len());
            let mut lines = Lines::after(&text, &format!("\"{section}\""), entry);
            for (a, line) in addresses.iter().zip(written) {
                prop_assert_eq!(lines.line_of(a), Some(line), "{} in\n{}", a, text);
            }
        }

        #[test]
        fn arbitrary_text_never_panics(
            text in "(\\PC|\n|\"|\\\\|:|\\[|\\]|\\{|\\}){0,120}",
            section in "\\PC{0,10}",
            address in "\\PC{0,10}",
            entry in 0usize..4,
        ) {
            let mut lines = Lines::after(&text, &section, entry);
            let first = lines.line_of(&address);
            if let Some(line) = first {
                prop_assert!(line as usize <= text.lines().count().max(1));
            }
            let _ = lines.line_of(&address);
        }
    }
}
