//! The whole lint of one file, as JSON and as a YAML template: decode, parse, load, every rule.
#![no_main]
use libfuzzer_sys::fuzz_target;
use xacct_rules::{lint_bytes, LintOptions};
use xacct_syntax::FileId;

fuzz_target!(|data: &[u8]| {
    let options = LintOptions {
        input: xacct_input::Options {
            region: Some("us-east-2".into()),
            ..Default::default()
        },
        strict: true,
        ..LintOptions::default()
    };
    for name in ["fuzz.json", "fuzz.yaml"] {
        let (source, report) =
            lint_bytes(FileId(0), std::path::Path::new(name), data.to_vec(), true, &options);
        for d in &report.diagnostics {
            assert!(d.span.start <= d.span.end);
            let _ = source.line_col(d.span.end);
        }
    }
});
