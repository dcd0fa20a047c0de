//! Bad input never panics, hangs or hides the other files' findings (testdata/bad/README.md),
//! and output never depends on the number of threads.

use std::path::Path;
use std::process::{Command, Output};

mod common;
use common::{repo_root, scratch};

fn xacct(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_xacct"))
        .current_dir(dir)
        .args(args)
        .output()
        .unwrap()
}

/// `(file, first line of compact output, exit status)` of each committed bad input.
const BAD: &[(&str, &str, i32)] = &[
    (
        "arn-20-colons.json",
        "4:16: error[XA103] the pipeline `roleArn` `arn::::::::::::::::::::` is not a valid ARN",
        1,
    ),
    (
        "bom.json",
        "1:1: error[XA001] the file starts with a UTF-8 byte-order mark",
        1,
    ),
    (
        "duplicate-keys-everywhere.json",
        "4:5: error[XA002] key `name` appears twice in this object",
        1,
    ),
    (
        "empty.json",
        "1:1: error[XA001] cannot read the file: the file is empty",
        1,
    ),
    (
        "image.png.json",
        "1:1: error[XA001] cannot read the file: the file is binary (PNG image)",
        1,
    ),
    (
        "invalid-utf8.json",
        "1:47: error[XA001] cannot read the file: the file is not valid UTF-8",
        1,
    ),
    (
        "nested-100000.json",
        "1:257: error[XA005] nesting is deeper than 256 levels",
        1,
    ),
    (
        "nested-100000.yaml",
        "1:256: error[XA005] nesting is deeper than 255 levels",
        1,
    ),
    (
        "nul-bytes.json",
        "1:1: error[XA001] cannot read the file: the file is binary (NUL byte at offset 14)",
        1,
    ),
    (
        "number-10000-digits.json",
        "1:23: error[XA104] the pipeline has neither `artifactStore` nor `artifactStores`",
        1,
    ),
    (
        "statement-object.json",
        "1:1: info[XA003] cannot tell which role this identity policy governs",
        0,
    ),
    (
        "truncated.yaml",
        "6:1: error[XA001] invalid YAML: while parsing a node, did not find expected node content",
        1,
    ),
    (
        "utf16.json",
        "1:1: error[XA001] cannot read the file: the file is UTF-16 encoded",
        1,
    ),
    (
        "whitespace.json",
        "1:1: error[XA001] cannot read the file: the file is empty",
        1,
    ),
    (
        "wrong-shape.json",
        "1:1: info[XA003] cannot tell which role this identity policy governs",
        1,
    ),
    (
        "yaml-alias-bomb.yaml",
        "6:17: error[XA005] aliases expand into more than 16777216 bytes",
        1,
    ),
];

#[test]
fn every_bad_input_gets_a_clean_finding() {
    let root = repo_root();
    let mut listed: Vec<String> = BAD.iter().map(|(f, _, _)| f.to_string()).collect();
    listed.sort();
    let mut present: Vec<String> = std::fs::read_dir(root.join("testdata/bad"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().to_string())
        .filter(|n| n != "README.md")
        .collect();
    present.sort();
    assert_eq!(
        listed, present,
        "every file of testdata/bad is checked here"
    );
    let mut failures = Vec::new();
    for (file, first, status) in BAD {
        let path = format!("testdata/bad/{file}");
        let out = xacct(&root, &["lint", "--format", "compact", &path]);
        let text = String::from_utf8_lossy(&out.stdout);
        let want = format!("{path}:{first}");
        if !text.lines().next().unwrap_or("").starts_with(&want)
            || out.status.code() != Some(*status)
        {
            failures.push(format!(
                "{file}: want `{want}…` and status {status}, got status {:?}:\n{text}{}",
                out.status.code(),
                String::from_utf8_lossy(&out.stderr)
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn broken_files_never_hide_the_others() {
    // Every bad input and one real setup in one run: the setup's finding is still reported,
    // each broken file is counted, and the findings decide the status (1), not the trouble (2).
    let root = repo_root();
    let out = xacct(
        &root,
        &[
            "lint",
            "--format",
            "json",
            "testdata/bad",
            "testdata/examples/qa-cloudformation-passrole/pipeline.json",
        ],
    );
    assert_eq!(out.status.code(), Some(1));
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let codes: Vec<(&str, &str)> = json["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| (d["path"].as_str().unwrap(), d["code"].as_str().unwrap()))
        .collect();
    assert!(codes.contains(&(
        "testdata/examples/qa-cloudformation-passrole/pipeline.json",
        "XA203"
    )));
    for (file, first, _) in BAD {
        // A walked YAML file that does not parse is reported only when it looks like a
        // template; this one is brackets only.
        if *file == "nested-100000.yaml" {
            continue;
        }
        let code = &first[first.find('[').unwrap() + 1..first.find(']').unwrap()];
        assert!(
            codes.contains(&(&format!("testdata/bad/{file}") as &str, code)),
            "{file} {code}: {codes:?}"
        );
    }
    assert_eq!(json["summary"]["files"], BAD.len() + 1);
    // Named explicitly, it is reported like any other.
    let named = xacct(
        &root,
        &[
            "lint",
            "--format",
            "compact",
            "testdata/bad/nested-100000.yaml",
        ],
    );
    assert!(String::from_utf8_lossy(&named.stdout).contains("error[XA005] nesting is deeper"));
}

#[test]
fn large_inputs_links_and_special_files() {
    let dir = scratch("large-inputs");
    // 100 MB: a policy padded with whitespace; 10 MB: one string.
    let mut big = String::from("{\"Version\": \"2012-10-17\", \"Statement\": []");
    big.push_str(&" ".repeat(100 * 1024 * 1024));
    big.push('}');
    std::fs::write(dir.join("big.json"), &big).unwrap();
    drop(big);
    let sid = "x".repeat(10 * 1024 * 1024);
    std::fs::write(
        dir.join("long-string.json"),
        format!("{{\"Statement\": [{{\"Sid\": \"{sid}\", \"Effect\": \"Allow\", \"Action\": \"s3:GetObject\", \"Resource\": \"*\"}}]}}"),
    )
    .unwrap();
    // A symlink loop (a link to a folder: not followed) and a dangling link in a walked folder.
    std::fs::create_dir(dir.join("loop")).unwrap();
    std::os::unix::fs::symlink("..", dir.join("loop/up")).unwrap();
    std::os::unix::fs::symlink("missing.json", dir.join("dangling.json")).unwrap();
    // A folder named like a file.
    std::fs::create_dir(dir.join("folder.json")).unwrap();
    let out = xacct(&dir, &["lint", "--format", "compact", "."]);
    let text = String::from_utf8_lossy(&out.stdout);
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(
        lines,
        [
            "./big.json:1:1: info[XA003] cannot tell which role this identity policy governs",
            "./dangling.json:1:1: error[XA001] cannot read the file: No such file or directory (os error 2)",
            "./long-string.json:1:1: info[XA003] cannot tell which role this identity policy governs",
        ],
        "{text}"
    );
    assert_eq!(out.status.code(), Some(1));
}

#[test]
fn output_does_not_depend_on_the_number_of_threads() {
    let root = repo_root();
    let args = |threads: &'static str| {
        vec![
            "lint",
            "--format",
            "json",
            "--strict",
            "--threads",
            threads,
            "testdata/rules",
            "testdata/examples",
            "testdata/real",
            "testdata/setups",
            "testdata/cdk",
            "testdata/bad",
        ]
    };
    let one = xacct(&root, &args("1"));
    let many = xacct(&root, &args("4"));
    assert!(!one.stdout.is_empty());
    assert_eq!(
        String::from_utf8_lossy(&one.stdout),
        String::from_utf8_lossy(&many.stdout)
    );
    assert_eq!(one.status.code(), many.status.code());
}

/// The trust graph of a large run is built in ranges of pipelines, each by a builder of its
/// own, and joined (`xacct_graph`, `MAX_PIPELINES_PER_RANGE`, on one thread too): a debug
/// build takes the range size from `XACCT_GRAPH_RANGE`, so that this run of a few hundred
/// pipelines is joined from ranges of one and of seven pipelines, and must say what one range
/// says.
#[test]
fn output_does_not_depend_on_how_the_graph_is_split() {
    let root = repo_root();
    let args = [
        "lint",
        "--format",
        "json",
        "--strict",
        "--threads",
        "1",
        "testdata/rules",
        "testdata/examples",
        "testdata/real",
        "testdata/setups",
    ];
    let run = |range: Option<&str>| {
        let mut command = Command::new(env!("CARGO_BIN_EXE_xacct"));
        command.current_dir(&root).args(args);
        match range {
            Some(range) => command.env("XACCT_GRAPH_RANGE", range),
            None => command.env_remove("XACCT_GRAPH_RANGE"),
        };
        command.output().unwrap()
    };
    let whole = run(None);
    let text = String::from_utf8_lossy(&whole.stdout).into_owned();
    let json: serde_json::Value = serde_json::from_str(&text).unwrap();
    // Findings of the graph's rules are among them (else the comparison proves nothing).
    let codes: Vec<&str> = json["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|d| d["code"].as_str())
        .collect();
    for code in ["XA402", "XA506", "XA511"] {
        assert!(codes.contains(&code), "no {code} among {codes:?}");
    }
    for range in ["1", "7"] {
        let split = run(Some(range));
        assert_eq!(
            String::from_utf8_lossy(&split.stdout),
            text,
            "ranges of {range}"
        );
        assert_eq!(split.status.code(), whole.status.code());
    }
}
