//! No input makes the lint panic: arbitrary bytes, and realistic pipelines with random edits
//! (values swapped for other types, fields dropped, strings replaced with odd ARNs).

use proptest::prelude::*;
use xacct_rules::LintOptions;
use xacct_syntax::FileId;

const SEED_PIPELINE: &str =
    include_str!("../../../testdata/examples/walkthrough-codedeploy/pipeline.json");

const SEED_TEMPLATE: &str =
    include_str!("../../../testdata/setups/walkthrough-cfn/tools-111111111111/pipeline.yaml");

fn lint_bytes(bytes: Vec<u8>) {
    lint_bytes_as("fuzz.json", bytes);
}

fn lint_bytes_as(name: &str, bytes: Vec<u8>) {
    let options = LintOptions {
        input: xacct_input::Options {
            region: Some("us-east-2".into()),
            ..Default::default()
        },
        strict: true,
        ..LintOptions::default()
    };
    let (source, report) =
        xacct_rules::lint_bytes(FileId(0), std::path::Path::new(name), bytes, true, &options);
    for d in &report.diagnostics {
        // Every span must be renderable.
        let _ = source.line_col(d.span.start);
        let _ = source.line_col(d.span.end);
        assert!(d.span.start <= d.span.end);
    }
}

/// Replacements that stress the model: other types, odd ARNs, empty and huge values.
fn replacement() -> impl Strategy<Value = String> {
    prop_oneof![
        Just("null".to_string()),
        Just("{}".to_string()),
        Just("[]".to_string()),
        Just("[{}]".to_string()),
        Just("0".to_string()),
        Just("-1".to_string()),
        Just("1e400".to_string()),
        Just("true".to_string()),
        Just("\"\"".to_string()),
        Just("\"arn:\"".to_string()),
        Just("\"arn:aws:iam::1:role/\"".to_string()),
        Just(format!("\"{}\"", ":".repeat(20))),
        Just("\"alias/aws/s3\"".to_string()),
        Just("\"us-west-2\"".to_string()),
        Just("\"#{A.B}::x\"".to_string()),
        "\"[a-zA-Z0-9:/#{}.-]{0,40}\"",
    ]
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, .. ProptestConfig::default() })]

    #[test]
    fn arbitrary_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..512)) {
        lint_bytes(bytes);
    }

    #[test]
    fn edited_pipelines_never_panic(edits in proptest::collection::vec((0usize..4000, replacement()), 1..6)) {
        // Replace the JSON string or number starting at (or after) each chosen offset.
        let mut text = SEED_PIPELINE.to_string();
        for (at, with) in edits {
            let at = at % text.len();
            let Some(start) = text[at..].find(['"', '1', '2']).map(|i| i + at) else { continue };
            let end = if text.as_bytes()[start] == b'"' {
                text[start + 1..].find('"').map(|i| start + i + 2)
            } else {
                text[start..].find(|c: char| !c.is_ascii_digit()).map(|i| start + i)
            };
            if let Some(end) = end {
                text.replace_range(start..end, &with);
            }
        }
        lint_bytes(text.into_bytes());
    }

    #[test]
    fn arbitrary_bytes_as_yaml_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..512)) {
        lint_bytes_as("fuzz.yaml", bytes);
    }

    #[test]
    fn edited_templates_never_panic(edits in proptest::collection::vec((0usize..9000, "[a-zA-Z0-9:!&*|>{}\\[\\],${}. -]{0,12}"), 1..6)) {
        // Overwrite a few bytes of the walkthrough's pipeline template at char boundaries.
        let mut text = SEED_TEMPLATE.to_string();
        for (at, with) in edits {
            let mut at = at % text.len();
            while !text.is_char_boundary(at) {
                at -= 1;
            }
            let mut end = (at + with.len()).min(text.len());
            while !text.is_char_boundary(end) {
                end += 1;
            }
            text.replace_range(at..end, &with);
        }
        lint_bytes_as("fuzz.yaml", text.into_bytes());
    }

    #[test]
    fn truncated_templates_never_panic(cut in 0usize..9000) {
        let cut = cut % SEED_TEMPLATE.len();
        lint_bytes_as("fuzz.yaml", SEED_TEMPLATE.as_bytes()[..cut].to_vec());
    }

    #[test]
    fn truncated_pipelines_never_panic(cut in 0usize..4000) {
        let cut = cut % SEED_PIPELINE.len();
        lint_bytes(SEED_PIPELINE.as_bytes()[..cut].to_vec());
    }
}
