//! Installing and packaging: `xacct --version` with the git revision (build.rs), shell
//! completions and man pages generated from the clap definitions, `cargo install --path
//! crates/xacct`, and the root package pre-commit installs (`cargo install --path .`), which must
//! build the same binary with the same dependencies.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

// The build script's functions, tested where they cannot be reached by a build: a tree without
// git, a published crate's `.cargo_vcs_info.json`.
#[allow(dead_code)]
#[path = "../build.rs"]
mod build_script;

fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../..")
        .canonicalize()
        .unwrap()
}

fn xacct(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_xacct"))
        .args(args)
        .output()
        .unwrap()
}

fn stdout(output: &Output) -> String {
    assert!(output.status.success(), "{output:?}");
    String::from_utf8(output.stdout.clone()).unwrap()
}

fn has(program: &str) -> bool {
    Command::new(program)
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success())
}

#[test]
fn version_names_the_package_version_and_the_git_revision() {
    let version = stdout(&xacct(&["--version"]));
    let version = version.trim_end();
    let prefix = concat!("xacct ", env!("CARGO_PKG_VERSION"));
    assert!(version.starts_with(prefix), "{version}");
    let in_git = Command::new("git")
        .args(["rev-parse", "--git-dir"])
        .current_dir(repo_root())
        .output()
        .is_ok_and(|o| o.status.success());
    if !in_git {
        assert_eq!(version, prefix, "no git, so no revision");
        return;
    }
    let revision = version
        .strip_prefix(prefix)
        .and_then(|rest| rest.strip_prefix(" ("))
        .and_then(|rest| rest.strip_suffix(')'))
        .unwrap_or_else(|| panic!("`{version}` has no `(REVISION)`"));
    assert!(
        revision.len() >= 7 && revision.bytes().all(|b| b.is_ascii_hexdigit()),
        "{version}"
    );
    // A commit of this repository (not necessarily HEAD: others may commit after the build).
    let known = Command::new("git")
        .args(["cat-file", "-e", &format!("{revision}^{{commit}}")])
        .current_dir(repo_root())
        .status()
        .unwrap();
    assert!(
        known.success(),
        "{revision} is no commit of this repository"
    );
}

#[test]
fn without_git_the_revision_comes_from_cargo_vcs_info_or_is_left_out() {
    let dir = std::env::temp_dir().join(format!("xacct-no-git-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    // Outside any repository (the temporary folder), git says nothing.
    let no_repo = Command::new("git")
        .args(["rev-parse", "--git-dir"])
        .current_dir(&dir)
        .output()
        .is_ok_and(|o| o.status.success());
    if !no_repo {
        assert_eq!(build_script::from_git(&dir), None);
    }
    assert_eq!(build_script::from_vcs_info(&dir), None);
    // What `cargo package` writes into a published crate.
    std::fs::write(
        dir.join(".cargo_vcs_info.json"),
        "{\n  \"git\": {\n    \"sha1\": \"3f2c1ab9d0e4c5b6a7f8e9d0c1b2a3f4e5d6c7b8\"\n  },\n  \"path_in_vcs\": \"crates/xacct\"\n}",
    )
    .unwrap();
    assert_eq!(
        build_script::from_vcs_info(&dir).as_deref(),
        Some("3f2c1ab")
    );
    std::fs::write(dir.join(".cargo_vcs_info.json"), "{\"git\": {}}").unwrap();
    assert_eq!(build_script::from_vcs_info(&dir), None);
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn completions_are_generated_for_bash_zsh_and_fish() {
    for shell in ["bash", "zsh", "fish", "elvish", "powershell"] {
        let script = stdout(&xacct(&["completions", shell]));
        for word in ["lint", "graph", "explain", "changed", "format"] {
            assert!(script.contains(word), "{shell} completion lacks `{word}`");
        }
    }
    // The bash script parses and completes.
    let script = stdout(&xacct(&["completions", "bash"]));
    let check = format!(
        "{script}\nCOMP_WORDS=(xacct li); COMP_CWORD=1; _xacct xacct li xacct; printf '%s\\n' \"${{COMPREPLY[@]}}\"\n\
         COMP_WORDS=(xacct lint --for); COMP_CWORD=2; _xacct xacct --for lint; printf '%s\\n' \"${{COMPREPLY[@]}}\"\n"
    );
    let output = Command::new("bash")
        .args(["--norc", "--noprofile", "-c", &check])
        .output()
        .unwrap();
    let completed = stdout(&output);
    let words: Vec<&str> = completed.lines().collect();
    assert!(words.contains(&"lint"), "{words:?}");
    assert!(words.contains(&"--format"), "{words:?}");
    // The other shells check their syntax when they are installed.
    for (shell, args) in [("zsh", &["-n"][..]), ("fish", &["--no-execute"][..])] {
        if !has(shell) {
            eprintln!("skipped: {shell} is not installed, its completion script is not parsed");
            continue;
        }
        let path =
            std::env::temp_dir().join(format!("xacct-completion-{}.{shell}", std::process::id()));
        std::fs::write(&path, stdout(&xacct(&["completions", shell]))).unwrap();
        let status = Command::new(shell).args(args).arg(&path).status().unwrap();
        let _ = std::fs::remove_file(&path);
        assert!(status.success(), "{shell} rejects its completion script");
    }
}

#[test]
fn man_pages_are_generated_from_the_options() {
    let page = stdout(&xacct(&["man"]));
    assert!(page.contains(".TH xacct 1"), "{page}");
    for command in ["lint", "graph", "rules", "explain", "completions", "man"] {
        assert!(page.contains(command), "xacct.1 does not list `{command}`");
    }
    let dir = std::env::temp_dir().join(format!("xacct-man-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    stdout(&xacct(&["man", "--dir", dir.to_str().unwrap()]));
    let mut pages: Vec<String> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    pages.sort();
    assert_eq!(
        pages,
        [
            "xacct-access.1",
            "xacct-completions.1",
            "xacct-explain.1",
            "xacct-graph.1",
            "xacct-init.1",
            "xacct-lint.1",
            "xacct-man.1",
            "xacct-rules.1",
            "xacct.1"
        ]
    );
    let lint = std::fs::read_to_string(dir.join("xacct-lint.1")).unwrap();
    for option in ["changed", "format", "fail\\-on", "strict", "config"] {
        assert!(lint.contains(option), "xacct-lint.1 lacks `{option}`");
    }
    // groff reads every page without a warning (`-k`: UTF-8 input, as man runs it).
    if has("groff") {
        for page in &pages {
            let output = Command::new("groff")
                .args(["-k", "-man", "-Tutf8", "-ww", "-z"])
                .arg(dir.join(page))
                .output()
                .unwrap();
            assert!(
                output.status.success() && output.stderr.is_empty(),
                "groff on {page}: {}",
                String::from_utf8_lossy(&output.stderr)
            );
        }
    } else {
        eprintln!("skipped: groff is not installed, the man pages are not formatted");
    }
    let _ = std::fs::remove_dir_all(&dir);
}

fn manifest(path: &Path) -> toml::Table {
    toml::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

#[test]
fn the_root_package_builds_the_same_binary_with_the_same_dependencies() {
    let root = manifest(&repo_root().join("Cargo.toml"));
    let crate_ = manifest(&repo_root().join("crates/xacct/Cargo.toml"));
    assert_eq!(
        root["dependencies"], crate_["dependencies"],
        "the root package (Cargo.toml, for pre-commit) must have exactly crates/xacct's [dependencies]: copy them over"
    );
    let bins = root["bin"].as_array().unwrap();
    assert_eq!(bins.len(), 1);
    assert_eq!(bins[0]["name"].as_str(), Some("xacct"));
    assert_eq!(bins[0]["path"].as_str(), Some("crates/xacct/src/main.rs"));
    assert_eq!(
        root["package"]["build"].as_str(),
        Some("crates/xacct/build.rs")
    );
    // `cargo run` and `cargo build` at the root still mean the crates.
    assert_eq!(
        root["workspace"]["default-members"].as_array().unwrap()[0].as_str(),
        Some("crates/*")
    );
}

#[test]
fn cargo_install_path_crates_xacct_works_offline() {
    let install_root = Path::new(env!("CARGO_TARGET_TMPDIR")).join("install-root");
    let _ = std::fs::remove_dir_all(&install_root);
    let mut cargo = Command::new(std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into()));
    for (key, _) in std::env::vars_os() {
        let key = key.to_string_lossy().into_owned();
        if key.starts_with("CARGO_") && key != "CARGO_HOME" {
            cargo.env_remove(&key);
        }
    }
    let output = cargo
        .current_dir(repo_root())
        .args([
            "install",
            "--quiet",
            "--offline",
            "--path",
            "crates/xacct",
            "--root",
        ])
        .arg(&install_root)
        // The same folder as the pre-commit test's install: dependencies compile once.
        .env(
            "CARGO_TARGET_DIR",
            Path::new(env!("CARGO_TARGET_TMPDIR")).join("precommit-install-target"),
        )
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "cargo install failed:\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let installed = install_root.join("bin/xacct");
    let version = Command::new(&installed).arg("--version").output().unwrap();
    let version = stdout(&version);
    assert!(
        version.starts_with(concat!("xacct ", env!("CARGO_PKG_VERSION"))),
        "{version}"
    );
    let _ = std::fs::remove_dir_all(&install_root);
}
