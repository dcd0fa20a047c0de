//! `xacct init`: a starter config inferred from the files of the current folder.

use std::path::{Path, PathBuf};
use std::process::Output;

mod common;
use common::{copy_tree, repo_root, stdout, xacct};

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

/// A copy of a setup of the repository under the target folder.
fn copy_of(setup: &str, name: &str) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join(name);
    let _ = std::fs::remove_dir_all(&dir);
    copy_tree(&repo_root().join(setup), &dir);
    dir
}

/// `xacct init` in `dir`, which must succeed.
fn init(dir: &Path) -> String {
    let out = xacct(dir, &["init"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    std::fs::read_to_string(dir.join("xacct.toml")).unwrap()
}

/// The JSON output of a strict lint of `dir`, and the exit status at `--fail-on info`.
fn lint(dir: &Path) -> (String, Option<i32>) {
    let out = xacct(
        dir,
        &[
            "lint",
            "--format",
            "json",
            "--strict",
            "--fail-on",
            "info",
            ".",
        ],
    );
    assert_ne!(out.status.code(), Some(2), "{}", stderr(&out));
    // The two setups are two folders of one repository: their fingerprints differ by the path.
    let findings: String = stdout(&out)
        .lines()
        .filter(|l| !l.trim_start().starts_with("\"fingerprint\""))
        .collect::<Vec<_>>()
        .join("\n");
    (findings, out.status.code())
}

/// The lines of a config that are not comments or blank.
fn settings(config: &str) -> Vec<&str> {
    config
        .lines()
        .filter(|l| !l.trim().is_empty() && !l.starts_with('#'))
        .collect()
}

#[test]
fn init_on_the_walkthrough_finds_what_the_hand_written_config_finds() {
    let hand = copy_of("testdata/setups/walkthrough", "init-walkthrough-hand");
    let generated = copy_of("testdata/setups/walkthrough", "init-walkthrough");
    std::fs::remove_file(generated.join("xacct.toml")).unwrap();
    let out = xacct(&generated, &["init"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert_eq!(
        stdout(&out),
        "wrote xacct.toml from 14 files: 2 accounts, region us-east-2, 1 binding, 0 stacks\n"
    );
    let config = std::fs::read_to_string(generated.join("xacct.toml")).unwrap();
    assert_eq!(
        settings(&config),
        [
            "region = \"us-east-2\"",
            "[accounts]",
            "prod = \"222222222222\"",
            "tools = \"111111111111\"",
            "[[bind]]",
            "file = \"tools-111111111111/artifact-key-policy.json\"",
            "key = \"arn:aws:kms:us-east-2:111111111111:key/1234abcd-12ab-34cd-56ef-1234567890ab\"",
        ],
        "{config}"
    );
    // Lint clean, --strict, as with the hand-written config.
    let (by_hand, status) = lint(&hand);
    assert_eq!(status, Some(0), "{by_hand}");
    assert_eq!(lint(&generated), (by_hand, status));

    // And the same findings when the setup is broken: the key policy, which only the binding
    // ties to its key, no longer lets the production account decrypt (account names in the
    // messages included).
    for dir in [&hand, &generated] {
        let path = dir.join("tools-111111111111/artifact-key-policy.json");
        let text = std::fs::read_to_string(&path)
            .unwrap()
            .replace(r#",\"arn:aws:iam::222222222222:root\""#, "");
        std::fs::write(&path, text).unwrap();
    }
    let (by_hand, status) = lint(&hand);
    assert_eq!(status, Some(1), "{by_hand}");
    assert!(by_hand.contains("XA311"), "{by_hand}");
    assert!(by_hand.contains("account 222222222222 (prod)"), "{by_hand}");
    assert_eq!(lint(&generated), (by_hand, status));
}

#[test]
fn init_refuses_to_overwrite_without_force() {
    let dir = copy_of("testdata/setups/walkthrough", "init-overwrite");
    let before = std::fs::read_to_string(dir.join("xacct.toml")).unwrap();
    let out = xacct(&dir, &["init"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("xacct.toml exists already"),
        "{}",
        stderr(&out)
    );
    assert_eq!(
        std::fs::read_to_string(dir.join("xacct.toml")).unwrap(),
        before
    );
    let out = xacct(&dir, &["init", "--force"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let after = std::fs::read_to_string(dir.join("xacct.toml")).unwrap();
    assert_ne!(after, before);
    assert!(after.starts_with("# xacct.toml, written by `xacct init`"));
}

#[test]
fn an_ambiguous_key_is_left_commented_out() {
    let dir = copy_of("testdata/setups/walkthrough", "init-ambiguous-key");
    std::fs::remove_file(dir.join("xacct.toml")).unwrap();
    // A second pipeline in the same account, with another key.
    let text = std::fs::read_to_string(dir.join("tools-111111111111/pipeline.json"))
        .unwrap()
        .replace("MyFirstPipeline", "MySecondPipeline")
        .replace(
            "1234abcd-12ab-34cd-56ef-1234567890ab",
            "5678abcd-12ab-34cd-56ef-1234567890ab",
        );
    std::fs::write(dir.join("tools-111111111111/second-pipeline.json"), text).unwrap();
    let config = init(&dir);
    assert!(!settings(&config).contains(&"[[bind]]"), "{config}");
    assert!(
        config.contains(
            "# tools-111111111111/artifact-key-policy.json: which key? the artifact stores in account \
             111111111111 use `arn:aws:kms:us-east-2:111111111111:key/1234abcd-12ab-34cd-56ef-1234567890ab`, \
             `arn:aws:kms:us-east-2:111111111111:key/5678abcd-12ab-34cd-56ef-1234567890ab`.\n\
             # [[bind]]\n\
             # file = \"tools-111111111111/artifact-key-policy.json\"\n\
             # key = \"arn:aws:kms:us-east-2:111111111111:key/1234abcd-12ab-34cd-56ef-1234567890ab\"\n"
        ),
        "{config}"
    );
    // The config is valid as written.
    lint(&dir);
}

#[test]
fn accounts_come_from_folders_and_arns_and_regions_from_pipeline_arns() {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("init-accounts");
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(dir.join("333333333333")).unwrap();
    std::fs::create_dir_all(dir.join("eu-prod-444444444444")).unwrap();
    let root = repo_root().join("testdata/setups/walkthrough");
    // One pipeline in us-east-2, one in eu-west-1: no region.
    std::fs::copy(
        root.join("tools-111111111111/pipeline.json"),
        dir.join("333333333333/pipeline.json"),
    )
    .unwrap();
    let text = std::fs::read_to_string(root.join("tools-111111111111/pipeline.json"))
        .unwrap()
        .replace(
            "arn:aws:codepipeline:us-east-2",
            "arn:aws:codepipeline:eu-west-1",
        );
    std::fs::write(dir.join("eu-prod-444444444444/pipeline.json"), text).unwrap();
    // A bucket policy names an account as a principal.
    std::fs::write(
        dir.join("eu-prod-444444444444/bucket-policy.json"),
        r#"{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::b/*", "Principal": {"AWS": "555555555555"}}]}"#,
    )
    .unwrap();
    // A bare identity policy names no role: a binding to complete.
    std::fs::write(
        dir.join("eu-prod-444444444444/deployer.json"),
        r#"{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}]}"#,
    )
    .unwrap();
    let out = xacct(&dir, &["init"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(
        stdout(&out).ends_with("; 1 entry to complete (commented out)\n"),
        "{}",
        stdout(&out)
    );
    let config = std::fs::read_to_string(dir.join("xacct.toml")).unwrap();
    assert_eq!(
        settings(&config),
        [
            "[accounts]",
            "account-111111111111 = \"111111111111\"",
            "account-222222222222 = \"222222222222\"",
            "account-333333333333 = \"333333333333\"",
            "account-555555555555 = \"555555555555\"",
            "eu-prod = \"444444444444\"",
        ],
        "{config}"
    );
    assert!(
        config.contains("# (eu-west-1, us-east-2).\n# region = \"eu-west-1\""),
        "{config}"
    );
    assert!(
        config.contains("# role = \"arn:aws:iam::444444444444:role/NAME\""),
        "{config}"
    );
    lint(&dir);
}

#[test]
fn templates_whose_folder_names_the_account_get_a_stack() {
    let dir = copy_of("testdata/setups/walkthrough-cfn", "init-cfn");
    std::fs::remove_file(dir.join("xacct.toml")).unwrap();
    std::fs::create_dir_all(dir.join("shared")).unwrap();
    std::fs::copy(
        dir.join("prod-222222222222/codedeploy-roles.yaml"),
        dir.join("shared/roles.yaml"),
    )
    .unwrap();
    let config = init(&dir);
    assert_eq!(
        settings(&config),
        [
            "[accounts]",
            "prod = \"222222222222\"",
            "tools = \"111111111111\"",
            "[[stack]]",
            "file = \"prod-222222222222/codedeploy-roles.yaml\"",
            "account = \"prod\"",
            "[[stack]]",
            "file = \"prod-222222222222/static-assets.yaml\"",
            "account = \"prod\"",
            "[[stack]]",
            "file = \"tools-111111111111/pipeline.yaml\"",
            "account = \"tools\"",
            "[parameters]",
            "ProdAccountId = \"222222222222\"",
            "ToolsAccountId = \"111111111111\"",
        ],
        "{config}"
    );
    assert!(
        config.contains(
            "# shared/roles.yaml: which account is it deployed to?\n# [[stack]]\n# file = \"shared/roles.yaml\"\n"
        ),
        "{config}"
    );
    lint(&dir);
}

#[test]
fn cdk_stacks_are_told_by_their_manifest() {
    let dir = copy_of("testdata/cdk/release-mistake", "init-cdk");
    let config = init(&dir);
    assert!(!config.contains("\n[[stack]]"), "{config}");
    assert!(!config.contains("# [[stack]]"), "{config}");
    assert!(config.contains("\n[accounts]\n"), "{config}");
    lint(&dir);
}

#[test]
fn every_example_gets_a_config_that_loads() {
    let dir = copy_of("testdata/examples", "init-examples");
    init(&dir);
    lint(&dir);
    let empty = Path::new(env!("CARGO_TARGET_TMPDIR")).join("init-empty");
    let _ = std::fs::remove_dir_all(&empty);
    std::fs::create_dir_all(&empty).unwrap();
    let config = init(&empty);
    assert_eq!(settings(&config), ["[accounts]"], "{config}");
}

#[test]
fn init_proposes_account_parameters_so_the_second_run_links_accounts() {
    let dir = copy_of("testdata/setups/walkthrough-cfn", "init-parameters");
    std::fs::remove_file(dir.join("xacct.toml")).unwrap();
    let config = init(&dir);
    let lines = settings(&config);
    // The account parameters without a default, named after the folders' accounts.
    assert!(
        lines.contains(&"ProdAccountId = \"222222222222\""),
        "{config}"
    );
    assert!(
        lines.contains(&"ToolsAccountId = \"111111111111\""),
        "{config}"
    );
    // Another parameter without a default is left to complete.
    assert!(config.contains("# ArtifactKeyArn = \"VALUE\""), "{config}");
    // The second run: the prod role's trust names the tools account's pipeline role, and the
    // key policy names the prod account: both are settled, nothing is left unverified for
    // want of an account.
    let out = xacct(&dir, &["lint", "--format", "compact", "--strict", "."]);
    let text = stdout(&out);
    assert!(
        !text.contains("${ProdAccountId}") && !text.contains("${ToolsAccountId}"),
        "{text}"
    );
}
