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
    for command in [
        "lint",
        "graph",
        "rules",
        "explain",
        "completions",
        "man",
        "server",
    ] {
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
            "xacct-server.1",
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
    // Platform-specific ones too (the allocator on glibc): a build for one platform alone breaks.
    assert_eq!(
        root.get("target"),
        crate_.get("target"),
        "the root package must have exactly crates/xacct's [target.'cfg(…)'.dependencies]: copy them over"
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

// The distribution recipes (the wheel, the pre-commit hooks, the Action, the image, the release
// workflow) are built only by a pushed tag. These checks keep them naming the same program,
// version and archives, without building anything.

fn read(path: &str) -> String {
    std::fs::read_to_string(repo_root().join(path)).unwrap_or_else(|e| panic!("{path}: {e}"))
}

fn workspace_package() -> toml::Table {
    manifest(&repo_root().join("Cargo.toml"))["workspace"]["package"]
        .as_table()
        .unwrap()
        .clone()
}

#[test]
fn the_wheel_is_the_crate_binary_under_the_same_name_and_version() {
    let wheel: toml::Table = toml::from_str(&read("crates/xacct/pyproject.toml")).unwrap();
    let project = &wheel["project"];
    assert_eq!(project["name"].as_str(), Some(env!("CARGO_PKG_NAME")));
    assert_eq!(project["version"].as_str(), Some(env!("CARGO_PKG_VERSION")));
    assert_eq!(
        project["license"]["text"].as_str(),
        workspace_package()["license"].as_str()
    );
    assert_eq!(wheel["tool"]["maturin"]["bindings"].as_str(), Some("bin"));
    assert_eq!(
        wheel["build-system"]["build-backend"].as_str(),
        Some("maturin")
    );

    // The root pyproject.toml is what the python hook installs: it pins this very wheel.
    let shim: toml::Table = toml::from_str(&read("pyproject.toml")).unwrap();
    assert_eq!(
        shim["project"]["version"].as_str(),
        Some(env!("CARGO_PKG_VERSION"))
    );
    let dependencies = shim["project"]["dependencies"].as_array().unwrap();
    assert_eq!(
        dependencies,
        &vec![toml::Value::String(
            concat!("xacct==", env!("CARGO_PKG_VERSION")).into()
        )]
    );
}

/// The hooks of `.pre-commit-hooks.yaml`, each as its `key: value` lines.
fn hooks() -> Vec<Vec<(String, String)>> {
    let text = read(".pre-commit-hooks.yaml");
    let mut hooks: Vec<Vec<(String, String)>> = Vec::new();
    for line in text.lines() {
        if line.starts_with('#') || line.trim().is_empty() || line.trim_start().starts_with('#') {
            continue;
        }
        let (first, rest) = match line.strip_prefix("- ") {
            Some(rest) => (true, rest),
            None => (false, line.trim_start()),
        };
        let Some((key, value)) = rest.split_once(':') else {
            panic!("not a `key: value` line: {line}")
        };
        if first {
            hooks.push(Vec::new());
        }
        hooks
            .last_mut()
            .expect("a hook starts with `- id:`")
            .push((key.to_string(), value.trim().to_string()));
    }
    hooks
}

fn field<'h>(hook: &'h [(String, String)], key: &str) -> &'h str {
    hook.iter()
        .find(|(k, _)| k == key)
        .map(|(_, v)| v.as_str())
        .unwrap_or_else(|| panic!("no `{key}` in {hook:?}"))
}

#[test]
fn the_hooks_file_has_the_source_hook_and_the_python_hook_running_the_same_command() {
    let hooks = hooks();
    let ids: Vec<&str> = hooks.iter().map(|h| field(h, "id")).collect();
    assert_eq!(ids, ["xacct", "xacct-python"]);
    assert_eq!(field(&hooks[0], "language"), "rust");
    assert_eq!(field(&hooks[1], "language"), "python");
    for key in [
        "entry",
        "types_or",
        "require_serial",
        "minimum_pre_commit_version",
    ] {
        assert_eq!(
            field(&hooks[0], key),
            field(&hooks[1], key),
            "`{key}` differs"
        );
    }
    assert_eq!(field(&hooks[0], "entry"), "xacct lint --changed");
}

/// The targets the release workflow builds binaries for.
fn release_targets() -> Vec<String> {
    let workflow = read(".github/workflows/release.yml");
    workflow
        .lines()
        .filter_map(|l| l.trim().strip_prefix("- { target: "))
        .map(|l| l.split(',').next().unwrap().trim().to_string())
        .collect()
}

#[test]
fn the_action_downloads_archives_the_release_workflow_publishes() {
    let targets = release_targets();
    assert_eq!(
        targets,
        [
            "x86_64-unknown-linux-musl",
            "aarch64-unknown-linux-musl",
            "x86_64-apple-darwin",
            "aarch64-apple-darwin",
            "x86_64-pc-windows-msvc"
        ]
    );
    let workflow = read(".github/workflows/release.yml");
    for name in [
        "name=xacct-${{ matrix.target }}",
        "\"dist/$name.tar.gz\"",
        "\"../dist/$name.zip\"",
        "\"$archive.sha256\"",
        "cargo publish --dry-run --locked --workspace",
        "PyO3/maturin-action@v1",
        "working-directory: crates/xacct",
    ] {
        assert!(workflow.contains(name), "release.yml lacks `{name}`");
    }

    let action = read("action.yml");
    let mut offered: Vec<&str> = action
        .lines()
        .filter_map(|l| l.trim().split_once(") target="))
        .map(|(_, t)| t.trim_end_matches(" ;;").trim())
        .collect();
    offered.sort_unstable();
    let mut built: Vec<&str> = targets.iter().map(String::as_str).collect();
    built.sort_unstable();
    assert_eq!(offered, built, "action.yml offers what release.yml builds");
    for name in [
        "archive=\"xacct-$target.zip\"",
        "archive=\"xacct-$target.tar.gz\"",
        "$base/$archive.sha256",
        "sha256sum -c",
        "xacct lint $PATHS $ARGS --format sarif -o \"$SARIF\"",
        "uses: github/codeql-action/upload-sarif@v3",
        "using: composite",
    ] {
        assert!(action.contains(name), "action.yml lacks `{name}`");
    }
    // The command the action runs exists as written.
    let help = stdout(&xacct(&["lint", "--help"]));
    for option in ["--format <FORMAT>", "-o, --output-file", "sarif"] {
        assert!(help.contains(option), "lint --help lacks `{option}`");
    }
}

#[test]
fn the_image_builds_the_binary_statically_into_an_empty_image() {
    let dockerfile = read("Dockerfile");
    let instructions: Vec<&str> = dockerfile
        .lines()
        .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
        .collect();
    assert!(instructions[0].starts_with("FROM rust:1-alpine AS build"));
    for line in [
        "RUN cargo build --release --locked -p xacct \\",
        "FROM scratch",
        "COPY --from=build /build/target/release/xacct /xacct",
        "ENTRYPOINT [\"/xacct\"]",
    ] {
        assert!(instructions.contains(&line), "Dockerfile lacks `{line}`");
    }
    let ignored = read(".dockerignore");
    for path in ["target/", ".git/"] {
        assert!(
            ignored.lines().any(|l| l == path),
            ".dockerignore lacks {path}"
        );
    }
    // The rule pages are compiled in (xacct-rules includes its rules/XANNN.md): never ignored.
    assert!(!ignored
        .lines()
        .any(|l| !l.starts_with('#') && (l.starts_with("crates") || l.contains("rules"))));
}

#[test]
fn every_crate_is_publishable_under_one_version_licence_and_rust_version() {
    let root = manifest(&repo_root().join("Cargo.toml"));
    let package = workspace_package();
    let version = package["version"].as_str().unwrap();
    assert_eq!(version, env!("CARGO_PKG_VERSION"));
    assert_eq!(package["license"].as_str(), Some("MIT OR Apache-2.0"));
    for file in ["LICENSE-MIT", "LICENSE-APACHE"] {
        assert!(repo_root().join(file).is_file(), "{file} is missing");
    }
    // crates.io refuses path-only dependencies: each workspace crate carries its version.
    let dependencies = root["workspace"]["dependencies"].as_table().unwrap();
    let mut local = 0;
    for (name, spec) in dependencies {
        if let Some(path) = spec.get("path") {
            local += 1;
            assert_eq!(
                spec.get("version").and_then(toml::Value::as_str),
                Some(version),
                "{name} ({path:?}) needs `version = \"{version}\"`"
            );
        }
    }
    assert_eq!(local, 6);
    let rust_version = package["rust-version"].as_str().unwrap();
    for entry in std::fs::read_dir(repo_root().join("crates")).unwrap() {
        let path = entry.unwrap().path().join("Cargo.toml");
        let crate_ = manifest(&path);
        for key in ["version", "edition", "rust-version", "license"] {
            assert_eq!(
                crate_["package"][key]
                    .get("workspace")
                    .and_then(toml::Value::as_bool),
                Some(true),
                "{}: `{key}.workspace = true`",
                path.display()
            );
        }
    }
    // The docs name the same oldest Rust.
    let getting_started = read("docs/getting-started.md");
    let words = getting_started
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ");
    assert!(
        words.contains(&format!("Rust toolchain ({rust_version} or newer)")),
        "docs/getting-started.md must name Rust {rust_version}"
    );
}

/// crates.io packages a crate's own folder only: a file compiled in from outside it (the rule
/// pages once lay in the repository's `rules/`) makes `cargo publish` fail, which only a release
/// tag would show. Every `include_str!`/`include_bytes!` of product code must stay inside its crate.
#[test]
fn every_file_compiled_in_lies_inside_its_crate() {
    let mut seen = 0;
    for entry in std::fs::read_dir(repo_root().join("crates")).unwrap() {
        let krate = entry.unwrap().path();
        let crate_dir = krate.canonicalize().unwrap();
        for file in walkdir::WalkDir::new(krate.join("src")) {
            let file = file.unwrap();
            if file.path().extension().is_none_or(|e| e != "rs") {
                continue;
            }
            let text = std::fs::read_to_string(file.path()).unwrap();
            for macro_ in ["include_str!(", "include_bytes!("] {
                for (at, _) in text.match_indices(macro_) {
                    // The first string literal: the whole path, or the fixed folder part of a
                    // `concat!`.
                    let rest = &text[at + macro_.len()..];
                    let Some(open) = rest.find('"') else { continue };
                    let literal = &rest[open + 1..];
                    let literal = &literal[..literal.find('"').unwrap()];
                    // A path in a macro (the registry's `declare_rule!`) is relative to the
                    // file that invokes it, somewhere under src/: try the including file's
                    // folder, then every folder of src/.
                    let bases = std::iter::once(file.path().parent().unwrap().to_path_buf()).chain(
                        walkdir::WalkDir::new(krate.join("src"))
                            .into_iter()
                            .map(|e| e.unwrap().into_path())
                            .filter(|p| p.is_dir()),
                    );
                    let resolved: Vec<PathBuf> = bases
                        .map(|base| base.join(literal))
                        .filter(|target| target.exists())
                        .map(|target| target.canonicalize().unwrap())
                        .collect();
                    assert!(
                        !resolved.is_empty(),
                        "{}: {literal} leads nowhere",
                        file.path().display()
                    );
                    for target in resolved {
                        assert!(
                            target.starts_with(&crate_dir),
                            "{} compiles in {}, outside {}: crates.io would not package it",
                            file.path().display(),
                            target.display(),
                            crate_dir.display()
                        );
                    }
                    seen += 1;
                }
            }
        }
    }
    // The two vendored catalogues of xacct-model and the rule pages of xacct-rules, at least.
    assert!(seen >= 3, "found only {seen} included files");
}
