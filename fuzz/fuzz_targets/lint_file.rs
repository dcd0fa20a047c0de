//! The whole lint of one file, as JSON and as a YAML template: decode, parse, load, every rule.
#![no_main]
use libfuzzer_sys::fuzz_target;
use xacct_rules::engine::read_source;
use xacct_rules::{lint_source, LintOptions};
use xacct_syntax::FileId;

fuzz_target!(|data: &[u8]| {
    let options = LintOptions {
        region: Some("us-east-2".into()),
        strict: true,
        ..LintOptions::default()
    };
    for name in ["fuzz.json", "fuzz.yaml"] {
        let (source, error) = read_source(std::path::Path::new(name), data.to_vec());
        let report = lint_source(FileId(0), &source, error.as_ref(), true, &options);
        for d in &report.diagnostics {
            assert!(d.span.start <= d.span.end);
            let _ = source.line_col(d.span.end);
        }
    }
});
