//! YAML into the spanned tree, CloudFormation tags included: spans stay on char boundaries.
#![no_main]
use libfuzzer_sys::fuzz_target;

fn check(text: &str, node: &xacct_syntax::json::Node<'_>) {
    assert!(text.get(node.span.range()).is_some());
    match &node.value {
        xacct_syntax::json::Value::Array(items) => items.iter().for_each(|n| check(text, n)),
        xacct_syntax::json::Value::Object(members) => members.iter().for_each(|m| {
            assert!(text.get(m.key_span.range()).is_some());
            check(text, &m.value);
        }),
        _ => {}
    }
}

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    if let Ok(doc) = xacct_syntax::yaml::parse(text) {
        check(text, &doc.root);
    }
});
