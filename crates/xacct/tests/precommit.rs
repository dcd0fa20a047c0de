//! The pre-commit hook (`.pre-commit-hooks.yaml`) and the `--changed` mode it runs.
//!
//! `--changed` is checked directly on the binary. The hook itself is checked with the real
//! `pre-commit` framework: a copy of this working tree becomes the hook repository, pre-commit
//! installs it as `language: rust` does (`cargo install --path .`, offline), and commits in a
//! throwaway project are refused or accepted. Without `pre-commit` on PATH that test says so and
//! skips, unless `XACCT_REQUIRE_PRECOMMIT` is set (`.ci/run` sets it when it could install it).

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Instant;

fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../..")
        .canonicalize()
        .unwrap()
}

/// A fresh empty folder under cargo's temporary folder for tests.
fn temp_dir(name: &str) -> PathBuf {
    static COUNT: AtomicUsize = AtomicUsize::new(0);
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!(
        "precommit-{name}-{}-{}",
        std::process::id(),
        COUNT.fetch_add(1, Ordering::Relaxed)
    ));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn copy_tree(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let name = entry.file_name();
        if name == "target" || name == ".git" {
            continue;
        }
        let path = entry.path();
        if entry.file_type().unwrap().is_dir() {
            copy_tree(&path, &to.join(&name));
        } else {
            std::fs::copy(&path, to.join(&name)).unwrap();
        }
    }
}

fn xacct(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_xacct"))
        .current_dir(dir)
        .args(args)
        .output()
        .unwrap()
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// The walkthrough setup (clean) copied into `dir/infra`.
fn walkthrough_in(dir: &Path) -> PathBuf {
    let infra = dir.join("infra");
    copy_tree(&repo_root().join("testdata/setups/walkthrough"), &infra);
    infra
}

const KMS_POLICY: &str = "infra/prod-222222222222/CrossAccount_Role-kms.json";

/// Takes kms:Decrypt away from the prod deploy role: XA313 on that policy, with labels on the
/// key policy and the pipeline.
fn break_kms_policy(dir: &Path) {
    let path = dir.join(KMS_POLICY);
    let policy = std::fs::read_to_string(&path).unwrap();
    assert!(policy.contains("\"kms:Decrypt\""));
    std::fs::write(
        &path,
        policy.replace("\"kms:Decrypt\"", "\"kms:DescribeKey\""),
    )
    .unwrap();
}

fn compact_lines(output: &Output) -> Vec<String> {
    text(&output.stdout).lines().map(str::to_string).collect()
}

#[test]
fn changed_policy_is_linted_with_the_rest_of_its_setup() {
    let dir = temp_dir("changed-policy");
    walkthrough_in(&dir);
    break_kms_policy(&dir);
    // Alone, the policy relates to nothing: no finding.
    let alone = xacct(&dir, &["lint", "--format", "compact", KMS_POLICY]);
    assert_eq!(compact_lines(&alone), Vec::<String>::new(), "{alone:?}");
    assert_eq!(alone.status.code(), Some(0));
    // With --changed, the pipeline, the key policy and the roles come along from infra/.
    let changed = xacct(
        &dir,
        &["lint", "--changed", "--format", "compact", KMS_POLICY],
    );
    let lines = compact_lines(&changed);
    assert_eq!(lines.len(), 1, "{lines:?}");
    assert!(
        lines[0].starts_with(&format!("{KMS_POLICY}:6:9: error[XA313] ")),
        "{lines:?}"
    );
    assert_eq!(changed.status.code(), Some(1));
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn changed_reports_only_findings_that_involve_a_named_file() {
    let dir = temp_dir("changed-scope");
    walkthrough_in(&dir);
    break_kms_policy(&dir);
    // The finding is on the kms policy, with labels on the key policy and the pipeline: changing
    // the pipeline brings it up too.
    let pipeline = "infra/tools-111111111111/pipeline.json";
    let output = xacct(&dir, &["lint", "--changed", "--format", "json", pipeline]);
    let json: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    let codes: Vec<_> = json["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| (d["code"].as_str().unwrap(), d["path"].as_str().unwrap()))
        .collect();
    assert_eq!(codes, [("XA313", KMS_POLICY)]);
    // A role's trust policy takes no part in it: nothing to report, exit 0.
    let role = "infra/prod-222222222222/CrossAccount_Role.json";
    let output = xacct(&dir, &["lint", "--changed", "--format", "compact", role]);
    assert_eq!(compact_lines(&output), Vec::<String>::new());
    assert_eq!(output.status.code(), Some(0));
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn changed_skips_json_and_yaml_that_are_no_aws_document() {
    let dir = temp_dir("changed-unknown");
    walkthrough_in(&dir);
    std::fs::write(dir.join("infra/package.json"), "{\"name\": \"site\"}\n").unwrap();
    std::fs::write(dir.join("infra/compose.yaml"), "services:\n  web: {}\n").unwrap();
    // Named plainly, a file that is no AWS document is an error (XA003)...
    let plain = xacct(&dir, &["lint", "--format", "compact", "infra/package.json"]);
    assert!(text(&plain.stdout).contains("XA003"), "{plain:?}");
    // ...but a hook is handed every JSON and YAML file of a commit: --changed skips them.
    let changed = xacct(
        &dir,
        &[
            "lint",
            "--changed",
            "--format",
            "compact",
            "infra/package.json",
            "infra/compose.yaml",
        ],
    );
    assert_eq!(compact_lines(&changed), Vec::<String>::new(), "{changed:?}");
    assert_eq!(changed.status.code(), Some(0));
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn changed_files_no_config_governs_are_linted_together_and_alone() {
    let dir = temp_dir("changed-no-config");
    let infra = walkthrough_in(&dir);
    std::fs::remove_file(infra.join("xacct.toml")).unwrap();
    break_kms_policy(&dir);
    // No xacct.toml: no companions, so the policy relates to nothing named.
    let output = xacct(
        &dir,
        &["lint", "--changed", "--format", "compact", KMS_POLICY],
    );
    assert_eq!(compact_lines(&output), Vec::<String>::new(), "{output:?}");
    // `--config` names the setup's config explicitly: its folder is the setup.
    std::fs::write(infra.join("setup.toml"), "region = \"us-east-2\"\n[[bind]]\nfile = \"tools-111111111111/artifact-key-policy.json\"\nkey = \"arn:aws:kms:us-east-2:111111111111:key/1234abcd-12ab-34cd-56ef-1234567890ab\"\n").unwrap();
    let output = xacct(
        &dir,
        &[
            "lint",
            "--changed",
            "--config",
            "infra/setup.toml",
            "--format",
            "compact",
            KMS_POLICY,
        ],
    );
    let lines = compact_lines(&output);
    assert_eq!(lines.len(), 1, "{output:?}");
    assert!(lines[0].contains("error[XA313]"), "{lines:?}");
    let _ = std::fs::remove_dir_all(&dir);
}

// ---------------------------------------------------------------------------------------------
// The real pre-commit framework.

fn precommit_available() -> bool {
    let found = Command::new("pre-commit")
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success());
    if !found {
        assert!(
            std::env::var_os("XACCT_REQUIRE_PRECOMMIT").is_none(),
            "XACCT_REQUIRE_PRECOMMIT is set but `pre-commit` cannot be run"
        );
        eprintln!(
            "skipped: `pre-commit` is not on PATH (pip install pre-commit; .ci/run does, and then requires this test)"
        );
    }
    found
}

/// A command in `dir` with a clean environment for git, pre-commit and the nested cargo.
fn command(program: &str, dir: &Path, home: &Path) -> Command {
    let mut command = Command::new(program);
    command.current_dir(dir);
    // What cargo sets for this test must not leak into the `cargo install` pre-commit runs.
    for (key, _) in std::env::vars_os() {
        let key = key.to_string_lossy().into_owned();
        if [
            "CARGO_PKG_",
            "CARGO_MANIFEST_",
            "CARGO_CRATE_",
            "CARGO_BIN_",
            "CARGO_PRIMARY_",
        ]
        .iter()
        .any(|p| key.starts_with(p))
        {
            command.env_remove(&key);
        }
    }
    command
        // pre-commit's environments (its clone of the hook repository, the installed binary).
        .env("PRE_COMMIT_HOME", home.join("pre-commit"))
        // The install must work without the network, from what this build already fetched...
        .env("CARGO_NET_OFFLINE", "true")
        // ...and reuses the compiled dependencies of earlier runs (the hook repository's path is
        // new every time, so its own crates are always rebuilt).
        .env(
            "CARGO_TARGET_DIR",
            Path::new(env!("CARGO_TARGET_TMPDIR")).join("precommit-install-target"),
        )
        .env("GIT_AUTHOR_NAME", "xacct test")
        .env("GIT_AUTHOR_EMAIL", "test@example.com")
        .env("GIT_COMMITTER_NAME", "xacct test")
        .env("GIT_COMMITTER_EMAIL", "test@example.com")
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("GIT_CONFIG_GLOBAL", home.join("gitconfig"))
        .env_remove("GIT_DIR")
        .env_remove("GIT_WORK_TREE")
        .env_remove("GIT_INDEX_FILE");
    command
}

fn run(mut command: Command) -> Output {
    command.output().unwrap()
}

fn ok(output: Output) -> Output {
    assert!(
        output.status.success(),
        "failed: {}\n{}",
        text(&output.stdout),
        text(&output.stderr)
    );
    output
}

fn git(dir: &Path, home: &Path, args: &[&str]) -> Output {
    let mut c = command("git", dir, home);
    c.args(args);
    run(c)
}

fn head(dir: &Path, home: &Path) -> String {
    text(&ok(git(dir, home, &["rev-parse", "HEAD"])).stdout)
        .trim()
        .to_string()
}

/// This working tree as a git repository of its own: what a user's `repo:` would clone.
fn hook_repository(dir: &Path, home: &Path) -> (PathBuf, String) {
    let root = repo_root();
    let repo = dir.join("hook-repo");
    std::fs::create_dir_all(&repo).unwrap();
    for file in ["Cargo.toml", "Cargo.lock", ".pre-commit-hooks.yaml"] {
        std::fs::copy(root.join(file), repo.join(file)).unwrap();
    }
    // The crates hold everything the binary compiles in (the rule pages too).
    copy_tree(&root.join("crates"), &repo.join("crates"));
    ok(git(&repo, home, &["init", "-q", "-b", "main"]));
    ok(git(&repo, home, &["add", "."]));
    ok(git(&repo, home, &["commit", "-q", "-m", "hook"]));
    let rev = head(&repo, home);
    (repo, rev)
}

#[test]
fn precommit_refuses_a_commit_that_breaks_the_setup_and_accepts_a_fix() {
    if !precommit_available() {
        return;
    }
    let dir = temp_dir("framework");
    let home = dir.join("home");
    std::fs::create_dir_all(&home).unwrap();
    std::fs::write(home.join("gitconfig"), "").unwrap();
    let (hook_repo, rev) = hook_repository(&dir, &home);

    // The user's project: a clean setup under infra/ with its xacct.toml.
    let project = dir.join("project");
    std::fs::create_dir_all(&project).unwrap();
    walkthrough_in(&project);
    std::fs::write(
        project.join(".pre-commit-config.yaml"),
        format!(
            "repos:\n  - repo: {}\n    rev: {rev}\n    hooks:\n      - id: xacct\n        args: [--format, compact]\n",
            hook_repo.display()
        ),
    )
    .unwrap();
    ok(git(&project, &home, &["init", "-q", "-b", "main"]));
    ok(git(&project, &home, &["add", "."]));
    ok(git(&project, &home, &["commit", "-q", "-m", "base"]));
    let mut install = command("pre-commit", &project, &home);
    install.arg("install");
    ok(run(install));

    // A commit with a failing file (the kms policy loses kms:Decrypt) and a passing one (a new
    // JSON file that is no AWS document): refused, and the output names the finding.
    let base = head(&project, &home);
    break_kms_policy(&project);
    std::fs::write(
        project.join("infra/notes.json"),
        "{\"owner\": \"platform\"}\n",
    )
    .unwrap();
    ok(git(
        &project,
        &home,
        &["add", KMS_POLICY, "infra/notes.json"],
    ));
    let started = Instant::now();
    let refused = git(&project, &home, &["commit", "-m", "drop kms:Decrypt"]);
    let install_and_run = started.elapsed();
    let said = format!("{}{}", text(&refused.stdout), text(&refused.stderr));
    assert!(
        !refused.status.success(),
        "the commit went through:\n{said}"
    );
    assert!(
        said.contains(&format!("{KMS_POLICY}:6:9: error[XA313]")),
        "no XA313 in the hook's output:\n{said}"
    );
    assert!(!said.contains("notes.json"), "{said}");
    assert_eq!(head(&project, &home), base, "HEAD moved");

    // The fix: the policy as it was, with the passing file: accepted.
    let fixed = std::fs::read_to_string(
        repo_root()
            .join("testdata/setups/walkthrough/prod-222222222222/CrossAccount_Role-kms.json"),
    )
    .unwrap();
    std::fs::write(project.join(KMS_POLICY), fixed).unwrap();
    ok(git(&project, &home, &["add", KMS_POLICY]));
    let accepted = git(&project, &home, &["commit", "-m", "keep kms:Decrypt"]);
    let said = format!("{}{}", text(&accepted.stdout), text(&accepted.stderr));
    assert!(accepted.status.success(), "refused:\n{said}");
    assert!(said.contains("xacct"), "the hook did not run:\n{said}");
    assert_ne!(head(&project, &home), base);

    // Information, never an assertion: the installed (release) binary on 20 files of a commit,
    // and a whole `pre-commit run` on them.
    let binary = find_installed(&home.join("pre-commit")).expect("pre-commit installed xacct");
    copy_tree(
        &repo_root().join("testdata/examples"),
        &project.join("infra/examples"),
    );
    let twenty = first_files(&project.join("infra"), &project, 20);
    assert_eq!(twenty.len(), 20);
    let mut times = Vec::new();
    for _ in 0..5 {
        let mut lint = command(binary.to_str().unwrap(), &project, &home);
        lint.args(["lint", "--changed", "--format", "compact"])
            .args(&twenty);
        let started = Instant::now();
        let output = run(lint);
        times.push(started.elapsed());
        assert!(output.status.code().is_some_and(|c| c <= 1), "{output:?}");
    }
    times.sort();
    let mut hook = command("pre-commit", &project, &home);
    hook.args(["run", "xacct", "--files"]).args(&twenty);
    let started = Instant::now();
    let _ = run(hook);
    let whole = started.elapsed();
    eprintln!(
        "information: first commit (cargo install of the hook + run) {:.1} s; xacct lint --changed on 20 files: median {:.0} ms (min {:.0} ms); `pre-commit run` on them {:.0} ms",
        install_and_run.as_secs_f64(),
        times[2].as_secs_f64() * 1000.0,
        times[0].as_secs_f64() * 1000.0,
        whole.as_secs_f64() * 1000.0
    );
    let _ = std::fs::remove_dir_all(&dir);
}

/// The `xacct` that pre-commit installed under its home.
fn find_installed(dir: &Path) -> Option<PathBuf> {
    for entry in std::fs::read_dir(dir).ok()?.flatten() {
        let path = entry.path();
        if path.is_dir() {
            if let Some(found) = find_installed(&path) {
                return Some(found);
            }
        } else if path.file_name().is_some_and(|n| n == "xacct")
            && path.parent().is_some_and(|p| p.ends_with("bin"))
        {
            return Some(path);
        }
    }
    None
}

/// The first `n` JSON and YAML files under `dir`, sorted, relative to `base`.
fn first_files(dir: &Path, base: &Path, n: usize) -> Vec<String> {
    fn walk(dir: &Path, out: &mut Vec<PathBuf>) {
        let mut entries: Vec<_> = std::fs::read_dir(dir).unwrap().flatten().collect();
        entries.sort_by_key(|e| e.file_name());
        for entry in entries {
            let path = entry.path();
            if path.is_dir() {
                walk(&path, out);
            } else if path
                .extension()
                .is_some_and(|e| e == "json" || e == "yaml" || e == "yml")
            {
                out.push(path);
            }
        }
    }
    let mut files = Vec::new();
    walk(dir, &mut files);
    files
        .into_iter()
        .take(n)
        .map(|p| p.strip_prefix(base).unwrap().to_string_lossy().into_owned())
        .collect()
}
