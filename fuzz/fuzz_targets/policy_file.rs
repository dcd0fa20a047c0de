//! Every AWS CLI shape that holds policies, and the policy grammar.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    if let Ok(doc) = xacct_syntax::json::parse(text) {
        let _ = xacct_input::cli::load_policy_file(&doc.root, text, xacct_input::Syntax::Json, &Default::default());
        let _ = xacct_model::policy::load_policy(&doc.root);
    }
});
