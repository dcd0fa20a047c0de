//! Properties of the JSON parser: it never panics, and it accepts exactly what serde_json
//! accepts (modulo our depth bound and serde_json's own recursion limit of 128).

use proptest::prelude::*;
use xacct_syntax::json::parse;

/// JSON-ish text: structural characters, literals, escapes and multi-byte characters, so that
/// random inputs reach deep into the grammar rather than failing at the first byte.
fn jsonish() -> impl Strategy<Value = String> {
    let token = prop_oneof![
        Just("{"),
        Just("}"),
        Just("["),
        Just("]"),
        Just(","),
        Just(":"),
        Just("\""),
        Just("\\"),
        Just("\\u"),
        Just("d800"),
        Just("00e4"),
        Just("true"),
        Just("null"),
        Just("fals"),
        Just("0"),
        Just("-"),
        Just("1.5e3"),
        Just("."),
        Just("e"),
        Just(" "),
        Just("\n"),
        Just("ä"),
        Just("😀"),
        Just("\"a\""),
        Just("\"a\":1"),
        Just("\u{1}"),
    ];
    proptest::collection::vec(token, 0..40).prop_map(|tokens| tokens.concat())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 2000, .. ProptestConfig::default() })]

    #[test]
    fn never_panics_on_bytes(bytes in proptest::collection::vec(any::<u8>(), 0..256)) {
        if let Ok(text) = std::str::from_utf8(&bytes) {
            let _ = parse(text);
        }
    }

    #[test]
    fn agrees_with_serde_json(text in jsonish()) {
        let ours = parse(&text);
        let theirs = serde_json::from_str::<serde_json::Value>(&text);
        prop_assert_eq!(ours.is_ok(), theirs.is_ok(), "{:?}: ours {:?}", text, ours.err());
        if let Err(e) = ours {
            prop_assert!(e.span.start as usize <= text.len() && e.span.end as usize <= text.len());
            prop_assert!(text.is_char_boundary(e.span.start as usize));
        }
    }
}
