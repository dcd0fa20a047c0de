//! The read path has one home, and it keeps it: a lint over the product's sources.
//!
//! - Every file the program reads is read by the gate (`crates/xacct-input/src/gate.rs`): no
//!   other product source opens, reads or writes a file's contents.
//! - The rules crate names no input format and opens no file: it receives loaded documents.
//!
//! Test code (`tests.rs` files, and what follows `#[cfg(test)]` in a source) may make scratch
//! files; the bench crate is support, not product.

use std::path::{Path, PathBuf};

fn crates_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

/// The product sources under `dir`, each with its text up to its first `#[cfg(test)]`.
fn sources(dir: &Path) -> Vec<(PathBuf, String)> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                stack.push(path);
            } else if path.extension().is_some_and(|e| e == "rs")
                && path.file_name().is_some_and(|n| n != "tests.rs")
            {
                let text = std::fs::read_to_string(&path).unwrap();
                let product = text
                    .split("#[cfg(test)]")
                    .next()
                    .unwrap_or_default()
                    .to_string();
                out.push((path, product));
            }
        }
    }
    out.sort();
    out
}

/// Lines of `text` that contain one of `needles`, outside comments.
fn uses<'t>(text: &'t str, needles: &[&str]) -> Vec<&'t str> {
    text.lines()
        .filter(|line| !line.trim_start().starts_with("//"))
        .filter(|line| needles.iter().any(|n| line.contains(n)))
        .collect()
}

#[test]
fn only_the_gate_reads_and_writes_files() {
    const FILE_ACCESS: &[&str] = &[
        "fs::read(",
        "fs::read_to_string",
        "File::open",
        "File::create",
        "OpenOptions",
        "fs::write(",
        "fs::copy(",
        "read_to_end(",
    ];
    let gate = crates_dir()
        .join("xacct-input/src/gate.rs")
        .canonicalize()
        .unwrap();
    let mut found = Vec::new();
    for krate in [
        "xacct-syntax",
        "xacct-model",
        "xacct-input",
        "xacct-iam",
        "xacct-graph",
        "xacct-rules",
        "xacct",
    ] {
        for (path, text) in sources(&crates_dir().join(krate).join("src")) {
            if path.canonicalize().unwrap() == gate {
                continue;
            }
            for line in uses(&text, FILE_ACCESS) {
                found.push(format!("{}: {}", path.display(), line.trim()));
            }
        }
    }
    assert!(
        found.is_empty(),
        "files read or written outside the gate:\n{}",
        found.join("\n")
    );
}

#[test]
fn the_rules_know_no_input_format() {
    const FORMATS: &[&str] = &[
        "std::fs",
        "xacct_input::cfn",
        "xacct_input::cdk",
        "xacct_input::cli",
        "xacct_input::compute",
        "xacct_input::pipeline",
        "xacct_input::terraform",
        "xacct_input::detect",
        "xacct_input::gate",
        "DocumentKind",
        "Syntax::",
        "json::parse",
        "yaml::",
        "decode_source",
    ];
    let mut found = Vec::new();
    for (path, text) in sources(&crates_dir().join("xacct-rules/src")) {
        for line in uses(&text, FORMATS) {
            found.push(format!("{}: {}", path.display(), line.trim()));
        }
    }
    assert!(
        found.is_empty(),
        "the rules crate names an input format or reads files:\n{}",
        found.join("\n")
    );
}

#[test]
fn the_lint_itself_catches_what_it_forbids() {
    // The checks above would pass vacuously if they saw no sources.
    assert!(sources(&crates_dir().join("xacct-rules/src")).len() > 40);
    let sample = "let t = std::fs::read_to_string(p);\n// std::fs::read_to_string in a comment\n";
    assert_eq!(uses(sample, &["fs::read_to_string"]).len(), 1);
}
