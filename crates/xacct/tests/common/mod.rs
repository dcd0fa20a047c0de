//! Helpers shared by the binary's integration tests: where the repository is, running
//! `xacct`, snapshots and scratch folders.
// Each test crate uses some of these, and the compiler warns of the others per crate.
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// The repository's root folder.
pub fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../..")
        .canonicalize()
        .unwrap()
}

/// Runs the binary in `dir` (with `NO_COLOR` unset, so that colour choices are the flags').
pub fn xacct(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_xacct"))
        .current_dir(dir)
        .args(args)
        .env_remove("NO_COLOR")
        .output()
        .unwrap()
}

/// A run's standard output, which must be UTF-8.
pub fn stdout(output: &Output) -> String {
    String::from_utf8(output.stdout.clone()).unwrap()
}

/// Compares with (or, with `XACCT_BLESS`, writes) `tests/snapshots/NAME`.
pub fn snapshot(name: &str, actual: &str) {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/snapshots")
        .join(name);
    if std::env::var_os("XACCT_BLESS").is_some() {
        std::fs::write(&path, actual).unwrap();
        return;
    }
    let expected = std::fs::read_to_string(&path)
        .unwrap_or_else(|_| panic!("no snapshot {name}; run with XACCT_BLESS=1"));
    assert_eq!(expected, actual, "snapshot {name} differs");
}

/// A scratch folder under the target directory, emptied first.
pub fn scratch(name: &str) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join(name);
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// Copies a folder tree.
pub fn copy_tree(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let path = entry.unwrap().path();
        let dest = to.join(path.file_name().unwrap());
        if path.is_dir() {
            copy_tree(&path, &dest);
        } else {
            std::fs::copy(&path, &dest).unwrap();
        }
    }
}

/// Runs `xacct lint --format FORMAT` from the repository root on a path relative to it.
pub fn run_lint(relative: &Path, format: &str, extra: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_xacct"))
        .current_dir(repo_root())
        .args(["lint", "--format", format])
        .args(extra)
        .arg(relative)
        .output()
        .expect("run xacct")
}

/// The extensions of file fixtures: JSON inputs and CloudFormation templates.
pub const FIXTURE_EXTENSIONS: &[&str] = &["json", "yaml", "yml", "template"];

/// True for a template fixture: linted with `--region us-east-2`, the region the JSON fixtures'
/// `metadata.pipelineArn` gives (a template alone does not say where it is deployed).
pub fn is_template_file(path: &Path) -> bool {
    path.extension()
        .is_some_and(|e| e == "yaml" || e == "yml" || e == "template")
}

/// Fixtures under `dir`: files, folders with a `BASE` (an overlay on a setup) and folders with
/// an `xacct.toml` (a setup of their own, linted from its root).
pub fn fixtures_in(dir: &Path) -> Vec<PathBuf> {
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
pub fn assemble(fixture: &Path) -> PathBuf {
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

/// Lints a fixture with `--format FORMAT`: a file from the repository root (a template with
/// `--region us-east-2`), or a folder from its own root (an assembled setup for a `BASE`
/// overlay), so its `xacct.toml` applies and paths print as `./account/file.json`.
pub fn run_fixture(fixture: &Path, format: &str) -> Output {
    if fixture.is_dir() {
        let dir = if fixture.join("BASE").is_file() {
            assemble(fixture)
        } else {
            fixture.to_path_buf()
        };
        let args = std::fs::read_to_string(fixture.join("ARGS")).unwrap_or_default();
        // `ENV`: variables for the run, `NAME=value` a line.
        let env = std::fs::read_to_string(fixture.join("ENV")).unwrap_or_default();
        return Command::new(env!("CARGO_BIN_EXE_xacct"))
            .current_dir(&dir)
            .envs(env.lines().filter_map(|l| l.trim().split_once('=')))
            .args(["lint", "--format", format])
            .args(args.lines().map(str::trim).filter(|l| !l.is_empty()))
            .arg(".")
            .output()
            .expect("run xacct");
    }
    let extra: &[&str] = if is_template_file(fixture) {
        &["--region", "us-east-2"]
    } else {
        &[]
    };
    run_lint(fixture.strip_prefix(repo_root()).unwrap(), format, extra)
}
