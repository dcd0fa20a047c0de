//! Replays the inputs that once made a fuzz target fail (fuzz/regressions/): each must now be
//! parsed and linted, as JSON and as YAML, without a panic and with well-formed spans.

use xacct_rules::{lint_bytes, LintOptions};
use xacct_syntax::FileId;

#[test]
fn fuzz_regressions_do_not_fail_any_more() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fuzz/regressions");
    let options = LintOptions {
        input: xacct_input::Options {
            region: Some("us-east-2".into()),
            ..Default::default()
        },
        strict: true,
        ..LintOptions::default()
    };
    let mut replayed = 0;
    for entry in std::fs::read_dir(&dir).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_some_and(|e| e == "md") {
            continue;
        }
        let bytes = std::fs::read(&path).unwrap();
        if let Ok(text) = std::str::from_utf8(&bytes) {
            let _ = xacct_syntax::json::parse(text);
            let _ = xacct_syntax::yaml::parse(text);
        }
        for name in ["fuzz.json", "fuzz.yaml"] {
            let (source, report) = lint_bytes(
                FileId(0),
                std::path::Path::new(name),
                bytes.clone(),
                true,
                &options,
            );
            for d in &report.diagnostics {
                assert!(d.span.start <= d.span.end, "{}", path.display());
                let _ = source.line_col(d.span.end);
            }
        }
        replayed += 1;
    }
    // The folder holds its README at least; the count is for the log.
    eprintln!("replayed {replayed} fuzz regressions");
}
