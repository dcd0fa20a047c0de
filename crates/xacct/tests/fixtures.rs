//! Runs the `xacct` binary on every fixture under `testdata/rules/` and `testdata/examples/`
//! and compares its compact output with the `.expected` file beside the fixture.
//!
//! `XACCT_BLESS=1 cargo test -p xacct --test fixtures` rewrites the expected files; review the
//! diff before committing it.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::Command;

mod common;
use common::{copy_tree, repo_root};

struct Outcome {
    stdout: String,
    status: i32,
}

fn lint(relative: &Path, extra: &[&str]) -> Outcome {
    let output = Command::new(env!("CARGO_BIN_EXE_xacct"))
        .current_dir(repo_root())
        .args(["lint", "--format", "json"])
        .args(extra)
        .arg(relative)
        .output()
        .expect("run xacct");
    outcome(output)
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

/// The extensions of file fixtures: JSON inputs and CloudFormation templates.
const FIXTURE_EXTENSIONS: &[&str] = &["json", "yaml", "yml", "template"];

/// True for a template fixture: linted with `--region us-east-2`, the region the JSON fixtures'
/// `metadata.pipelineArn` gives (a template alone does not say where it is deployed).
fn is_template_file(path: &Path) -> bool {
    path.extension()
        .is_some_and(|e| e == "yaml" || e == "yml" || e == "template")
}

/// Fixtures under `dir`: files, folders with a `BASE` (an overlay on a setup) and folders with
/// an `xacct.toml` (a setup of their own, linted from its root).
fn fixtures_in(dir: &Path) -> Vec<PathBuf> {
    let mut found = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() && (path.join("BASE").is_file() || path.join("xacct.toml").is_file()) {
            found.push(path);
        } else if path.is_dir() {
            found.extend(fixtures_in(&path));
        } else if path
            .extension()
            .and_then(|e| e.to_str())
            .is_some_and(|e| FIXTURE_EXTENSIONS.contains(&e))
        {
            found.push(path);
        }
    }
    found.sort();
    found
}

/// A multi-file fixture: a folder with a `BASE` file whose first line names a setup (relative
/// to the folder) and whose other lines `-path` name files of the setup to leave out; the
/// folder's other files replace or add to the setup's, except `ARGS`, which holds extra
/// arguments of `xacct lint`, one a line, and `ENV`, variables of the run (`NAME=value`).
/// Builds the setup in a scratch folder.
fn assemble(fixture: &Path) -> PathBuf {
    let base_spec = std::fs::read_to_string(fixture.join("BASE")).unwrap();
    let mut lines = base_spec.lines();
    let base = fixture
        .join(lines.next().unwrap().trim())
        .canonicalize()
        .unwrap();
    let name = fixture
        .strip_prefix(repo_root())
        .unwrap()
        .to_string_lossy()
        .replace('/', "_");
    let target = Path::new(env!("CARGO_TARGET_TMPDIR"))
        .join("setups")
        .join(name);
    let _ = std::fs::remove_dir_all(&target);
    copy_tree(&base, &target);
    copy_tree(fixture, &target);
    let _ = std::fs::remove_file(target.join("BASE"));
    let _ = std::fs::remove_file(target.join("ARGS"));
    let _ = std::fs::remove_file(target.join("ENV"));
    for removed in lines.filter_map(|l| l.trim().strip_prefix('-')) {
        std::fs::remove_file(target.join(removed.trim())).unwrap();
    }
    target
}

/// Lints a fixture: a file from the repository root, or an assembled setup from its own root
/// (so its `xacct.toml` applies and paths print as `./account/file.json`).
fn lint_fixture(fixture: &Path) -> Outcome {
    if fixture.is_dir() {
        let dir = if fixture.join("BASE").is_file() {
            assemble(fixture)
        } else {
            fixture.to_path_buf()
        };
        let args = std::fs::read_to_string(fixture.join("ARGS")).unwrap_or_default();
        // `ENV`: variables for the run, `NAME=value` a line.
        let env = std::fs::read_to_string(fixture.join("ENV")).unwrap_or_default();
        let output = Command::new(env!("CARGO_BIN_EXE_xacct"))
            .current_dir(&dir)
            .envs(env.lines().filter_map(|l| l.trim().split_once('=')))
            .args(["lint", "--format", "json"])
            .args(args.lines().map(str::trim).filter(|l| !l.is_empty()))
            .arg(".")
            .output()
            .expect("run xacct");
        return outcome(output);
    }
    let extra: &[&str] = if is_template_file(fixture) {
        &["--region", "us-east-2"]
    } else {
        &[]
    };
    lint(fixture.strip_prefix(repo_root()).unwrap(), extra)
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
    for entry in std::fs::read_dir(root.join("rules")).unwrap() {
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
