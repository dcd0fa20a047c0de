//! `xacct lint --fix` and `--diff`: every fixture with a fixable finding lints clean of it once
//! fixed, diffs are exact, formatting and comments stay, and nothing outside the lint roots is
//! ever written.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

mod common;
use common::{copy_tree, fixtures_in, is_template_file, repo_root, scratch};

/// A fixture copied into a scratch folder: the folder, the arguments of its lint (the path
/// last) and its environment.
struct Copy {
    dir: PathBuf,
    args: Vec<String>,
    env: Vec<(String, String)>,
}

fn copy_fixture(fixture: &Path, name: &str) -> Copy {
    let dir = scratch(name);
    if fixture.is_dir() {
        // As `common::assemble` builds a setup, but into this test's own folder: tests of this
        // file run in parallel on the same fixtures.
        if let Ok(spec) = std::fs::read_to_string(fixture.join("BASE")) {
            let mut lines = spec.lines();
            copy_tree(&fixture.join(lines.next().unwrap().trim()), &dir);
            copy_tree(fixture, &dir);
            let _ = std::fs::remove_file(dir.join("BASE"));
            for removed in lines.filter_map(|l| l.trim().strip_prefix('-')) {
                std::fs::remove_file(dir.join(removed.trim())).unwrap();
            }
        } else {
            copy_tree(fixture, &dir);
        }
        let _ = std::fs::remove_file(dir.join("ARGS"));
        let _ = std::fs::remove_file(dir.join("ENV"));
        let mut args: Vec<String> = std::fs::read_to_string(fixture.join("ARGS"))
            .unwrap_or_default()
            .lines()
            .map(str::trim)
            .filter(|l| !l.is_empty())
            .map(str::to_string)
            .collect();
        args.push(".".into());
        let env = std::fs::read_to_string(fixture.join("ENV"))
            .unwrap_or_default()
            .lines()
            .filter_map(|l| l.trim().split_once('='))
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        Copy { dir, args, env }
    } else {
        let file = fixture.file_name().unwrap();
        std::fs::copy(fixture, dir.join(file)).unwrap();
        let mut args = Vec::new();
        if is_template_file(fixture) {
            args.extend(["--region".to_string(), "us-east-2".to_string()]);
        }
        args.push(file.to_string_lossy().into_owned());
        Copy {
            dir,
            args,
            env: Vec::new(),
        }
    }
}

fn run(copy: &Copy, extra: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_xacct"))
        .current_dir(&copy.dir)
        .envs(copy.env.iter().map(|(k, v)| (k, v)))
        .arg("lint")
        .args(extra)
        .args(&copy.args)
        .output()
        .unwrap()
}

/// The findings of a JSON run: (code, severity, message, applicabilities of its fixes).
fn findings(output: &Output) -> Vec<(String, String, String, Vec<String>)> {
    let json: serde_json::Value = serde_json::from_slice(&output.stdout).expect("JSON output");
    json["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| {
            (
                d["code"].as_str().unwrap().to_string(),
                d["severity"].as_str().unwrap().to_string(),
                d["message"].as_str().unwrap().to_string(),
                d["fixes"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|f| f["applicability"].as_str().unwrap().to_string())
                    .collect(),
            )
        })
        .collect()
}

/// Every failing fixture of every rule.
fn failing_fixtures() -> Vec<PathBuf> {
    fixtures_in(&repo_root().join("testdata/rules"))
        .into_iter()
        .filter(|f| {
            f.file_name()
                .is_some_and(|n| n.to_string_lossy().starts_with("fail"))
        })
        .collect()
}

/// Lints a copy of the fixture with `--fix` (and `extra`), then again: every finding that had
/// a fix of the kind applied is gone, and no error appeared that was not there before.
fn fix_clears(fixture: &Path, unsafe_fixes: bool) -> Option<Result<Vec<String>, String>> {
    let kind = if unsafe_fixes { "needs-review" } else { "safe" };
    let name = format!(
        "fix-{}-{kind}",
        fixture
            .strip_prefix(repo_root())
            .unwrap()
            .to_string_lossy()
            .replace('/', "_")
    );
    let copy = copy_fixture(fixture, &name);
    let before = findings(&run(&copy, &["--format", "json"]));
    // The first fix a finding offers is the one applied, if of an applied kind.
    let fixable: Vec<_> = before
        .iter()
        .filter(|f| match f.3.first().map(String::as_str) {
            Some("safe") => !unsafe_fixes,
            Some("needs-review") => unsafe_fixes,
            _ => false,
        })
        .collect();
    if fixable.is_empty() {
        return None;
    }
    let mut flags = vec!["--fix", "--format", "json"];
    if unsafe_fixes {
        flags.push("--unsafe-fixes");
    }
    let fixed = run(&copy, &flags);
    let stderr = String::from_utf8_lossy(&fixed.stderr).to_string();
    let after = findings(&run(&copy, &["--format", "json"]));
    let mut problems = Vec::new();
    if !stderr.contains("Fixed ") {
        problems.push(format!("no summary on stderr: {stderr}"));
    }
    for f in &fixable {
        if after.iter().any(|a| a.0 == f.0 && a.2 == f.2) {
            problems.push(format!("still there: {}[{}] {}", f.1, f.0, f.2));
        }
    }
    for a in after.iter().filter(|a| a.1 == "error") {
        if !before.iter().any(|b| b.0 == a.0 && b.2 == a.2) {
            problems.push(format!("new: error[{}] {}", a.0, a.2));
        }
    }
    // What the fixed run reported is what a fresh run reports.
    if findings(&fixed) != after {
        problems.push("the --fix run reported other findings than a fresh run".into());
    }
    Some(if problems.is_empty() {
        Ok(fixable.iter().map(|f| f.0.clone()).collect())
    } else {
        Err(format!(
            "{}:\n  {}",
            fixture.display(),
            problems.join("\n  ")
        ))
    })
}

#[test]
fn fix_clears_every_fixable_finding_of_every_fixture() {
    let mut failures = Vec::new();
    let mut fixed_rules = std::collections::BTreeSet::new();
    let mut fixtures = 0;
    for fixture in failing_fixtures() {
        for unsafe_fixes in [false, true] {
            match fix_clears(&fixture, unsafe_fixes) {
                None => {}
                Some(Ok(codes)) => {
                    fixtures += 1;
                    // Suppressions (`--unsafe-fixes`) fix any finding in a template.
                    if !unsafe_fixes {
                        fixed_rules.extend(codes);
                    }
                }
                Some(Err(e)) => failures.push(e),
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    eprintln!("{fixtures} fixed fixture runs, rules {fixed_rules:?}");
    // The rules that say in their page that `--fix` fixes them are the ones that did here.
    let documented: std::collections::BTreeSet<String> = xacct_rules_with_fix_line();
    assert_eq!(
        documented, fixed_rules,
        "rule pages that mention --fix vs rules fixed"
    );
    let output = Command::new(env!("CARGO_BIN_EXE_xacct"))
        .args(["rules", "--format", "json"])
        .output()
        .unwrap();
    let rules: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    let fixable: std::collections::BTreeSet<String> = rules
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["fixable"] == true)
        .map(|r| r["code"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(fixable, fixed_rules, "`xacct rules` marks the rules fixed");
}

/// The rules whose page says `xacct lint --fix` fixes them.
fn xacct_rules_with_fix_line() -> std::collections::BTreeSet<String> {
    std::fs::read_dir(repo_root().join("crates/xacct-rules/rules"))
        .unwrap()
        .filter_map(|e| {
            let path = e.unwrap().path();
            let text = std::fs::read_to_string(&path).ok()?;
            text.contains("`xacct lint --fix`")
                .then(|| path.file_stem().unwrap().to_string_lossy().into_owned())
        })
        .collect()
}

/// `--diff` of a fixture: exact, and nothing written.
fn diff_of(fixture: &str) -> String {
    diff_with(fixture, &[])
}

fn diff_with(fixture: &str, extra: &[&str]) -> String {
    let fixture = repo_root().join(fixture);
    let name = format!(
        "diff-{}",
        fixture
            .strip_prefix(repo_root())
            .unwrap()
            .to_string_lossy()
            .replace('/', "_")
    );
    let copy = copy_fixture(&fixture, &name);
    let before = tree_text(&copy.dir);
    let mut flags = vec!["--diff"];
    flags.extend(extra);
    let output = run(&copy, &flags);
    assert_eq!(
        output.status.code(),
        Some(1),
        "--diff exits 1 when there is a change: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert_eq!(tree_text(&copy.dir), before, "--diff writes nothing");
    String::from_utf8(output.stdout).unwrap()
}

/// Every file under `dir` with its text, sorted.
fn tree_text(dir: &Path) -> Vec<(PathBuf, Vec<u8>)> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for entry in std::fs::read_dir(&d).unwrap() {
            let path = entry.unwrap().path();
            let meta = std::fs::symlink_metadata(&path).unwrap();
            if meta.is_dir() {
                stack.push(path);
            } else if meta.is_file() {
                out.push((path.clone(), std::fs::read(&path).unwrap()));
            }
        }
    }
    out.sort();
    out
}

#[test]
fn diff_of_a_json_policy() {
    common::snapshot("fix-XA502-fail.diff", &diff_of("testdata/rules/XA502/fail"));
}

#[test]
fn diff_of_a_policy_in_a_json_string() {
    common::snapshot("fix-XA311-fail.diff", &diff_of("testdata/rules/XA311/fail"));
}

#[test]
fn diff_of_a_cloudformation_yaml_template() {
    // In a template the values may be parameters: the statement needs review.
    let fixture = "testdata/rules/XA401/fail-cfn";
    let copy = copy_fixture(&repo_root().join(fixture), "diff-cfn-safe-only");
    assert_eq!(run(&copy, &["--diff"]).status.code(), Some(0));
    common::snapshot(
        "fix-XA401-fail-cfn.diff",
        &diff_with(fixture, &["--unsafe-fixes"]),
    );
}

#[test]
fn diff_replaces_a_store_alias_with_the_key_arn_the_run_holds() {
    // `aws kms list-aliases` output beside the pipeline: safe.
    common::snapshot(
        "fix-XA302-fail-list-aliases.diff",
        &diff_of("testdata/rules/XA302/fail-list-aliases"),
    );
    // The template's own `AWS::KMS::Alias`: needs review.
    let fixture = "testdata/rules/XA302/fail-cfn-alias-resource";
    let copy = copy_fixture(&repo_root().join(fixture), "diff-alias-cfn-safe-only");
    assert_eq!(run(&copy, &["--diff"]).status.code(), Some(0));
    common::snapshot(
        "fix-XA302-fail-cfn-alias-resource.diff",
        &diff_with(fixture, &["--unsafe-fixes"]),
    );
    // Two aliases of the name for different keys: no fix at all.
    let fixture = "testdata/rules/XA302/fail-two-aliases";
    let copy = copy_fixture(&repo_root().join(fixture), "diff-alias-two");
    assert_eq!(
        run(&copy, &["--diff", "--unsafe-fixes"]).status.code(),
        Some(0)
    );
}

#[test]
fn a_suppression_is_offered_and_never_applied() {
    let fixture = "testdata/rules/XA503/fail-cfn-root";
    let copy = copy_fixture(&repo_root().join(fixture), "diff-suppression-never");
    let before = tree_text(&copy.dir);
    for flags in [
        &["--diff"][..],
        &["--diff", "--unsafe-fixes"],
        &["--fix", "--unsafe-fixes"],
    ] {
        let output = run(&copy, flags);
        // No change to show; XA503 remains, a warning.
        assert_eq!(output.status.code(), Some(0), "{flags:?}");
        let verb = if flags[0] == "--diff" {
            "Would fix"
        } else {
            "Fixed"
        };
        assert_eq!(
            String::from_utf8_lossy(&output.stderr),
            format!("{verb} 0 findings (1 remaining)\n"),
            "{flags:?}"
        );
    }
    assert_eq!(tree_text(&copy.dir), before, "nothing written");
    // The suppression is there for a person (JSON, SARIF, an editor's code action), with the
    // exact text it would insert.
    let json: serde_json::Value =
        serde_json::from_slice(&run(&copy, &["--format", "json"]).stdout).unwrap();
    let fixes = &json["diagnostics"][0]["fixes"];
    common::snapshot(
        "fix-XA503-fail-cfn-root-suppression.json",
        &format!("{}\n", serde_json::to_string_pretty(fixes).unwrap()),
    );
    assert_eq!(fixes[0]["applicability"], "manual");
}

#[test]
fn diff_of_a_terraform_configuration() {
    common::snapshot(
        "fix-XA401-fail-tf.diff",
        &diff_with("testdata/rules/XA401/fail-tf", &["--unsafe-fixes"]),
    );
}

/// The walkthrough with the trust policy of `CrossAccount_Role` replaced by `policy` (at
/// `prod-222222222222/CrossAccount_Role.json`, which must lack the pipeline role's grant).
fn walkthrough_with(name: &str, file: &str, policy: &str) -> PathBuf {
    let dir = scratch(name);
    copy_tree(&repo_root().join("testdata/setups/walkthrough"), &dir);
    std::fs::write(dir.join(file), policy).unwrap();
    dir
}

fn xacct_in(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_xacct"))
        .current_dir(dir)
        .arg("lint")
        .args(args)
        .output()
        .unwrap()
}

const TRUST_FIXED: &str = r#"{
    "Role": {
        "Path": "/",
        "RoleName": "CrossAccount_Role",
        "RoleId": "AROAEXAMPLECROSSACCT",
        "Arn": "arn:aws:iam::222222222222:role/CrossAccount_Role",
        "CreateDate": "2026-06-01T08:10:00+00:00",
        "AssumeRolePolicyDocument": {
            "Version": "2012-10-17",
            "Statement": [
                {
                    "Effect": "Allow",
                    "Principal": {
                        "AWS": "arn:aws:iam::111111111111:role/OldPipelineRole"
                    },
                    "Action": "sts:AssumeRole"
                },
                {
                    "Effect": "Allow",
                    "Principal": {"AWS": "arn:aws:iam::111111111111:role/service-role/CodePipeline_Service_Role"},
                    "Action": "sts:AssumeRole"
                }
            ]
        },
        "MaxSessionDuration": 3600
    }
}
"#;

#[test]
fn fix_writes_the_json_policy_as_its_neighbours_are_written() {
    let trust = "prod-222222222222/CrossAccount_Role.json";
    let original =
        std::fs::read_to_string(repo_root().join("testdata/rules/XA502/fail").join(trust)).unwrap();
    let dir = walkthrough_with("fix-json-whole", trust, &original);
    let output = xacct_in(&dir, &["--fix", "--format", "compact", "."]);
    assert_eq!(
        String::from_utf8_lossy(&output.stderr),
        "Fixed 1 finding (0 remaining)\n"
    );
    assert_eq!(output.status.code(), Some(0));
    assert_eq!(
        std::fs::read_to_string(dir.join(trust)).unwrap(),
        TRUST_FIXED
    );
    // A second run has nothing to fix.
    let again = xacct_in(&dir, &["--fix", "--format", "compact", "."]);
    assert_eq!(
        String::from_utf8_lossy(&again.stderr),
        "Fixed 0 findings (0 remaining)\n"
    );
    assert_eq!(
        std::fs::read_to_string(dir.join(trust)).unwrap(),
        TRUST_FIXED
    );
}

#[test]
fn fix_keeps_the_comments_and_layout_of_a_yaml_template() {
    let fixture = repo_root().join("testdata/rules/XA502/fail-cfn");
    let copy = copy_fixture(&fixture, "fix-yaml-comments");
    let file = copy.dir.join("prod-222222222222/codedeploy-roles.yaml");
    let plain = "      AssumeRolePolicyDocument:
        Version: \"2012-10-17\"
        Statement:
          - Effect: Allow
            Principal:
              AWS: !Sub arn:aws:iam::${ToolsAccountId}:role/OldPipelineRole
            Action: sts:AssumeRole
      Policies:
";
    let commented = "      AssumeRolePolicyDocument:
        Version: \"2012-10-17\"
        # Who may assume the role.
        Statement:
          # The old pipeline, still around.
          - Effect: Allow
            Principal:
              AWS: !Sub arn:aws:iam::${ToolsAccountId}:role/OldPipelineRole   # retired
            Action: sts:AssumeRole  # only this

      # Its own permissions.
      Policies:
";
    let fixed = "      AssumeRolePolicyDocument:
        Version: \"2012-10-17\"
        # Who may assume the role.
        Statement:
          # The old pipeline, still around.
          - Effect: Allow
            Principal:
              AWS: !Sub arn:aws:iam::${ToolsAccountId}:role/OldPipelineRole   # retired
            Action: sts:AssumeRole  # only this
          - Effect: Allow
            Principal:
              AWS: arn:aws:iam::111111111111:role/service-role/CodePipeline_Service_Role
            Action: sts:AssumeRole

      # Its own permissions.
      Policies:
";
    let original = std::fs::read_to_string(&file).unwrap();
    assert_eq!(original.matches(plain).count(), 1);
    let before = original.replace(plain, commented);
    std::fs::write(&file, &before).unwrap();
    let output = run(&copy, &["--fix", "--unsafe-fixes", "--format", "compact"]);
    assert_eq!(
        String::from_utf8_lossy(&output.stderr),
        "Fixed 1 finding (0 remaining)\n"
    );
    assert_eq!(
        std::fs::read_to_string(&file).unwrap(),
        before.replace(commented, fixed)
    );
}

#[test]
fn fix_never_writes_outside_the_roots() {
    use std::os::unix::fs::symlink;
    let trust = "prod-222222222222/CrossAccount_Role.json";
    let failing =
        std::fs::read_to_string(repo_root().join("testdata/rules/XA502/fail").join(trust)).unwrap();
    let dir = walkthrough_with("fix-outside", trust, &failing);
    // The failing trust policy lives outside the root; the root holds a link to it.
    let outside = scratch("fix-outside-elsewhere").join("CrossAccount_Role.json");
    std::fs::write(&outside, &failing).unwrap();
    std::fs::remove_file(dir.join(trust)).unwrap();
    symlink(&outside, dir.join(trust)).unwrap();
    for args in [
        vec!["--fix", "--format", "compact", "."],
        // Named explicitly: still a link that leads out, never read, never written.
        vec!["--fix", "--format", "compact", ".", trust],
        vec!["--fix", "--unsafe-fixes", "--format", "compact", trust],
    ] {
        let output = xacct_in(&dir, &args);
        // (The link is an XA001 finding, whose text cannot be shown: a warning says so.)
        assert!(
            String::from_utf8_lossy(&output.stderr).contains("\nFixed 0 findings")
                || String::from_utf8_lossy(&output.stderr).starts_with("Fixed 0 findings"),
            "{args:?}: {}",
            String::from_utf8_lossy(&output.stderr)
        );
        assert_eq!(std::fs::read_to_string(&outside).unwrap(), failing);
        assert!(std::fs::symlink_metadata(dir.join(trust))
            .unwrap()
            .file_type()
            .is_symlink());
    }
    // Through a linked folder: the walk does not follow it, and so nothing is fixed there.
    let linked = scratch("fix-outside-linked-folder");
    copy_tree(&repo_root().join("testdata/setups/walkthrough"), &linked);
    let prod = linked.join("prod-222222222222");
    let elsewhere = scratch("fix-outside-folder-elsewhere");
    copy_tree(&prod, &elsewhere);
    std::fs::write(elsewhere.join("CrossAccount_Role.json"), &failing).unwrap();
    std::fs::remove_dir_all(&prod).unwrap();
    symlink(&elsewhere, &prod).unwrap();
    let output = xacct_in(&linked, &["--fix", "--format", "compact", "."]);
    assert!(String::from_utf8_lossy(&output.stderr).contains("Fixed 0 findings"));
    assert_eq!(
        std::fs::read_to_string(elsewhere.join("CrossAccount_Role.json")).unwrap(),
        failing
    );
}

#[test]
fn fix_and_diff_refuse_standard_input() {
    let dir = scratch("fix-stdin");
    for flag in ["--fix", "--diff"] {
        let output = xacct_in(&dir, &[flag, "-"]);
        assert_eq!(output.status.code(), Some(2));
        assert_eq!(
            String::from_utf8_lossy(&output.stderr),
            "error: --fix and --diff change files: standard input (`-`) has none to change\n"
        );
    }
}

#[test]
fn fix_leaves_what_the_baseline_records() {
    let trust = "prod-222222222222/CrossAccount_Role.json";
    let failing =
        std::fs::read_to_string(repo_root().join("testdata/rules/XA502/fail").join(trust)).unwrap();
    let dir = walkthrough_with("fix-baseline", trust, &failing);
    let recorded = xacct_in(&dir, &["--write-baseline", "baseline.json", "."]);
    assert_eq!(recorded.status.code(), Some(0));
    let output = xacct_in(&dir, &["--fix", "--baseline", "baseline.json", "."]);
    assert_eq!(
        String::from_utf8_lossy(&output.stderr),
        "Fixed 0 findings (0 remaining)\n"
    );
    assert!(
        String::from_utf8_lossy(&output.stdout).contains("1 finding hidden by the baseline"),
        "{}",
        String::from_utf8_lossy(&output.stdout)
    );
    assert_eq!(std::fs::read_to_string(dir.join(trust)).unwrap(), failing);
}
