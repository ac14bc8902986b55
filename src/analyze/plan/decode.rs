//! decode: turns the bytes of a `--plan` file into JSON text, or says in a reviewer's words
//! why they are not JSON text. Owns encodings only; whether the text is a plan is the
//! parent's question. Pure.
//!
//! Plans reach twokey the way CI jobs write them: Windows PowerShell's `>` writes UTF-16 with
//! a byte-order mark, `Out-File -Encoding utf8` writes UTF-8 with one, and a common mistake is
//! to pass the saved binary plan (`plan.out`, a zip archive) instead of `terraform show -json`.
//! The first two are the same JSON and are read; the last is named for what it is.

use std::borrow::Cow;

const UTF8_BOM: &[u8] = b"\xEF\xBB\xBF";
const UTF16_LE_BOM: &[u8] = b"\xFF\xFE";
const UTF16_BE_BOM: &[u8] = b"\xFE\xFF";
/// Every zip archive, and so every saved binary Terraform plan, starts with this.
const ZIP_MAGIC: &[u8] = b"PK\x03\x04";

/// The text of a plan file, or why it has none.
pub(super) fn decode(bytes: &[u8]) -> Result<Cow<'_, str>, String> {
    if let Some(rest) = bytes.strip_prefix(UTF8_BOM) {
        return utf8(rest);
    }
    if let Some(rest) = bytes.strip_prefix(UTF16_LE_BOM) {
        return utf16(rest, u16::from_le_bytes);
    }
    if let Some(rest) = bytes.strip_prefix(UTF16_BE_BOM) {
        return utf16(rest, u16::from_be_bytes);
    }
    if bytes.starts_with(ZIP_MAGIC) {
        return Err(
            "it is a binary plan file (a zip archive), not the JSON that `terraform show -json` prints"
                .to_owned(),
        );
    }
    utf8(bytes)
}

fn utf8(bytes: &[u8]) -> Result<Cow<'_, str>, String> {
    std::str::from_utf8(bytes)
        .map(Cow::Borrowed)
        .map_err(|e| format!("it is not UTF-8 text (byte {})", e.valid_up_to()))
}

fn utf16(bytes: &[u8], unit: fn([u8; 2]) -> u16) -> Result<Cow<'_, str>, String> {
    if bytes.len() % 2 != 0 {
        return Err("it has a UTF-16 byte-order mark but an odd number of bytes".to_owned());
    }
    let units: Vec<u16> = bytes
        .chunks_exact(2)
        .map(|pair| unit([pair[0], pair[1]]))
        .collect();
    String::from_utf16(&units)
        .map(Cow::Owned)
        .map_err(|_| "it has a UTF-16 byte-order mark but is not valid UTF-16".to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    const JSON: &str = r#"{"format_version":"1.2"}"#;

    fn utf16_bytes(text: &str, big_endian: bool) -> Vec<u8> {
        let mut out = if big_endian {
            UTF16_BE_BOM.to_vec()
        } else {
            UTF16_LE_BOM.to_vec()
        };
        for unit in text.encode_utf16() {
            let pair = if big_endian {
                unit.to_be_bytes()
            } else {
                unit.to_le_bytes()
            };
            out.extend(pair);
        }
        out
    }

    #[test]
    fn plain_utf8_is_borrowed_as_is() {
        assert!(matches!(decode(JSON.as_bytes()), Ok(Cow::Borrowed(JSON))));
    }

    #[test]
    fn powershell_encodings_are_the_same_json() {
        let bom = [UTF8_BOM, JSON.as_bytes()].concat();
        assert_eq!(decode(&bom).unwrap(), JSON);
        assert_eq!(decode(&utf16_bytes(JSON, false)).unwrap(), JSON);
        assert_eq!(decode(&utf16_bytes(JSON, true)).unwrap(), JSON);
    }

    #[test]
    fn a_binary_plan_is_named_for_what_it_is() {
        let zip = b"PK\x03\x04\x14\x00\x08\x00tfplan\xff\xfe";
        let reason = decode(zip).unwrap_err();
        assert!(reason.contains("binary plan file"), "{reason}");
        assert!(reason.contains("terraform show -json"), "{reason}");
    }

    #[test]
    fn other_bytes_are_not_text() {
        assert!(decode(b"\x00\xff\x10").unwrap_err().contains("not UTF-8"));
        assert!(decode(b"\xFF\xFE\x00").unwrap_err().contains("odd number"));
        // An unpaired surrogate.
        assert!(decode(b"\xFF\xFE\x00\xD8")
            .unwrap_err()
            .contains("not valid UTF-16"));
    }

    proptest! {
        #[test]
        fn any_text_in_any_read_encoding_decodes_to_itself(text in "\\PC{0,60}") {
            let bom = [UTF8_BOM, text.as_bytes()].concat();
            prop_assert_eq!(decode(&bom).unwrap(), text.as_str());
            for big_endian in [false, true] {
                let bytes = utf16_bytes(&text, big_endian);
                prop_assert_eq!(decode(&bytes).unwrap(), text.as_str());
            }
            // Without a mark, text is read as is, unless it opens like a mark or a zip
            // archive, which no JSON text does.
            if !text.starts_with('\u{feff}') && !text.starts_with("PK\u{3}\u{4}") {
                prop_assert_eq!(decode(text.as_bytes()).unwrap(), text.as_str());
            }
        }

        #[test]
        fn arbitrary_bytes_decode_or_say_why(
            prefix in prop_oneof![
                Just(&b""[..]), Just(UTF8_BOM), Just(UTF16_LE_BOM), Just(UTF16_BE_BOM), Just(ZIP_MAGIC),
            ],
            bytes in proptest::collection::vec(any::<u8>(), 0..64),
        ) {
            let bytes = [prefix, &bytes].concat();
            match decode(&bytes) {
                Ok(text) => prop_assert!(!text.is_empty() || bytes.len() <= 3),
                Err(reason) => prop_assert!(reason.starts_with("it "), "{}", reason),
            }
        }
    }
}
