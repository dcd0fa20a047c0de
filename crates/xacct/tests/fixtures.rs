//! Runs the `xacct` binary on every fixture under `testdata/rules/` and `testdata/examples/`
//! and compares its compact output with the `.expected` file beside the fixture.
//!
//! `XACCT_BLESS=1 cargo test -p xacct --test fixtures` rewrites the expected files; review the
//! diff before committing it.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::Command;

mod common;
use common::{fixtures_in, repo_root, run_fixture, run_lint};

struct Outcome {
    stdout: String,
    status: i32,
}

fn lint(relative: &Path, extra: &[&str]) -> Outcome {
    outcome(run_lint(relative, "json", extra))
}

/// The expected-file form of a run: each finding as compact output, then each of its labels
/// indented (`    label path:line:col: message`), so fixtures pin secondary spans too.
fn outcome(output: std::process::Output) -> Outcome {
    let json: serde_json::Value = serde_json::from_slice(&output.stdout).expect("JSON output");
    let mut text = String::new();
    let at = |v: &serde_json::Value| {
        format!(
            "{}:{}:{}",
            v["path"].as_str().unwrap(),
            v["start"]["line"],
            v["start"]["column"]
        )
    };
    for d in json["diagnostics"].as_array().unwrap() {
        text.push_str(&format!(
            "{}: {}[{}] {}\n",
            at(d),
            d["severity"].as_str().unwrap(),
            d["code"].as_str().unwrap(),
            d["message"].as_str().unwrap()
        ));
        for label in d["labels"].as_array().unwrap() {
            text.push_str(&format!(
                "    label {}: {}\n",
                at(label),
                label["message"].as_str().unwrap()
            ));
        }
    }
    Outcome {
        stdout: text,
        status: output.status.code().unwrap_or(-1),
    }
}

/// Lints a fixture (see `common::run_fixture`) into its expected-file form.
fn lint_fixture(fixture: &Path) -> Outcome {
    outcome(run_fixture(fixture, "json"))
}

/// Compares (or, when blessing, writes) the expected output; returns a failure description.
/// A file fixture's expectation is `FILE.expected`; a folder's is `FOLDER.expected` beside it.
fn check_expected(fixture: &Path, actual: &str) -> Option<String> {
    let expected_path = PathBuf::from(format!("{}.expected", fixture.display()));
    if std::env::var_os("XACCT_BLESS").is_some() {
        std::fs::write(&expected_path, actual).unwrap();
        return None;
    }
    let expected = std::fs::read_to_string(&expected_path).unwrap_or_else(|_| {
        panic!(
            "{} has no expected output; run with XACCT_BLESS=1",
            fixture.display()
        )
    });
    (expected != actual).then(|| {
        format!(
            "{}:\n--- expected\n{expected}--- actual\n{actual}",
            fixture.display()
        )
    })
}

fn rule_codes() -> BTreeSet<String> {
    let output = Command::new(env!("CARGO_BIN_EXE_xacct"))
        .args(["rules", "--format", "json"])
        .output()
        .unwrap();
    let rules: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    rules
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["code"].as_str().unwrap().to_string())
        .collect()
}

#[test]
fn every_rule_fixture_reports_exactly_what_is_expected() {
    let root = repo_root();
    let rules_dir = root.join("testdata/rules");
    let mut failures = Vec::new();
    for code in rule_codes() {
        let dir = rules_dir.join(&code);
        assert!(
            dir.is_dir(),
            "rule {code} has no fixture folder testdata/rules/{code}/"
        );
        let fixtures = fixtures_in(&dir);
        let (mut fails, mut passes) = (0, 0);
        for fixture in fixtures {
            let relative = fixture.strip_prefix(&root).unwrap();
            let name = fixture.file_name().unwrap().to_string_lossy().to_string();
            let outcome = lint_fixture(&fixture);
            let tag = format!("[{code}]");
            if name.starts_with("fail") {
                fails += 1;
                if !outcome
                    .stdout
                    .lines()
                    .any(|l| !l.starts_with(' ') && l.contains(&tag))
                {
                    failures.push(format!(
                        "{}: expected a {code} finding, got:\n{}",
                        relative.display(),
                        outcome.stdout
                    ));
                }
            } else if name.starts_with("pass") {
                passes += 1;
                if !outcome.stdout.is_empty() || outcome.status != 0 {
                    failures.push(format!(
                        "{}: expected no finding, got:\n{}",
                        relative.display(),
                        outcome.stdout
                    ));
                }
            }
            failures.extend(check_expected(&fixture, &outcome.stdout));
        }
        assert!(
            fails > 0 && passes > 0,
            "rule {code} needs at least one fail* and one pass* fixture"
        );
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn every_fixture_folder_is_a_rule() {
    let codes = rule_codes();
    for entry in std::fs::read_dir(repo_root().join("testdata/rules")).unwrap() {
        let entry = entry.unwrap();
        if entry.path().is_dir() {
            let name = entry.file_name().to_string_lossy().to_string();
            assert!(
                codes.contains(&name),
                "testdata/rules/{name}/ belongs to no rule"
            );
        }
    }
}

#[test]
fn examples_report_exactly_what_is_expected() {
    let root = repo_root();
    let mut failures = Vec::new();
    for fixture in fixtures_in(&root.join("testdata/examples")) {
        let outcome = lint_fixture(&fixture);
        failures.extend(check_expected(&fixture, &outcome.stdout));
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn real_samples_report_exactly_what_is_expected() {
    // Public samples, each finding reviewed by hand (testdata/real/README.md).
    let root = repo_root();
    let mut failures = Vec::new();
    for fixture in fixtures_in(&root.join("testdata/real")) {
        let outcome = lint_fixture(&fixture);
        failures.extend(check_expected(&fixture, &outcome.stdout));
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn cdk_assemblies_report_exactly_what_is_expected() {
    // Real `cdk.out` folders (testdata/cdk/README.md): NAME/cdk.out, expected in NAME.expected.
    let root = repo_root();
    let mut failures = Vec::new();
    let mut assemblies: Vec<PathBuf> = std::fs::read_dir(root.join("testdata/cdk"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.join("cdk.out/manifest.json").is_file())
        .collect();
    assemblies.sort();
    assert!(assemblies.len() >= 2, "{assemblies:?}");
    for assembly in assemblies {
        let folder = assembly.join("cdk.out");
        let outcome = lint(folder.strip_prefix(&root).unwrap(), &[]);
        failures.extend(check_expected(&assembly, &outcome.stdout));
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn output_quoted_in_rule_pages_is_current() {
    // A page that quotes a finding must quote what xacct prints today.
    let root = repo_root();
    let mut expected = String::new();
    for dir in ["testdata/rules", "testdata/examples"] {
        for fixture in fixtures_in(&root.join(dir)) {
            expected.push_str(
                &std::fs::read_to_string(format!("{}.expected", fixture.display()))
                    .unwrap_or_default(),
            );
        }
    }
    let current: BTreeSet<&str> = expected.lines().collect();
    let mut stale = Vec::new();
    for entry in std::fs::read_dir(root.join("crates/xacct-rules/rules")).unwrap() {
        let path = entry.unwrap().path();
        let page = std::fs::read_to_string(&path).unwrap();
        for line in page.lines() {
            let quotes_output = (line.starts_with("testdata/") || line.starts_with("./"))
                && ["error[XA", "warning[XA", "info[XA"]
                    .iter()
                    .any(|s| line.contains(s));
            if quotes_output && !current.contains(line) {
                stale.push(format!("{}: {line}", path.display()));
            }
        }
    }
    assert!(
        stale.is_empty(),
        "pages quote output xacct no longer prints:\n{}",
        stale.join("\n")
    );
}

#[test]
fn complete_setups_lint_clean() {
    // Each folder under testdata/setups/ is a complete, correct multi-account setup.
    let root = repo_root();
    for entry in std::fs::read_dir(root.join("testdata/setups")).unwrap() {
        let dir = entry.unwrap().path();
        if !dir.is_dir() {
            continue;
        }
        let output = Command::new(env!("CARGO_BIN_EXE_xacct"))
            .current_dir(&dir)
            .args([
                "lint",
                "--format",
                "compact",
                "--strict",
                "--fail-on",
                "info",
                ".",
            ])
            .output()
            .unwrap();
        let stdout = String::from_utf8_lossy(&output.stdout);
        assert!(
            stdout.is_empty() && output.status.success(),
            "{} is not clean:\n{stdout}",
            dir.display()
        );
    }
}
