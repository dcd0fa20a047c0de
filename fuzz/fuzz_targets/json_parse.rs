//! The spanned JSON parser, and JSON-in-a-string as `get-bucket-policy` prints it.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    if let Ok(doc) = xacct_syntax::json::parse(text) {
        let len = text.len() as u32;
        assert!(doc.root.span.end <= len);
    }
    // The same bytes as the body of a string.
    let outer = format!("{{\"Policy\": {:?}}}", text);
    if let Ok(doc) = xacct_syntax::json::parse(&outer) {
        if let Some(policy) = doc.root.get("Policy") {
            let _ = xacct_syntax::json::parse_embedded(&outer, policy.span, &Default::default());
        }
    }
});
