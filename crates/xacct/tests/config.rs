//! Rule selection in `xacct.toml` (`select`, `extend-select`, `ignore`, `[severity]`,
//! `per-file-ignores`, `exclude`) and on the command line (`--select`, `--extend-select`,
//! `--ignore`), with ruff's semantics; every mistake is an error pointing into the config.

use std::path::{Path, PathBuf};
use std::process::Output;

mod common;
use common::{copy_tree, repo_root, xacct};

/// A copy of the walkthrough, without its config, broken three ways: a duplicate key in the
/// pipeline (XA002), which makes the CodeBuild action name a project the pipeline role may not
/// start (XA506, in the role's policy), and every `runOrder` 0 (XA107, three times).
fn broken_walkthrough(name: &str) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join(name);
    let _ = std::fs::remove_dir_all(&dir);
    copy_tree(&repo_root().join("testdata/setups/walkthrough"), &dir);
    let pipeline = dir.join("tools-111111111111/pipeline.json");
    let text = std::fs::read_to_string(&pipeline)
        .unwrap()
        .replace(
            r#""ProjectName": "MyAppBuild""#,
            r#""ProjectName": "MyAppBuild", "ProjectName": "Dup""#,
        )
        .replace(r#""runOrder": 1,"#, r#""runOrder": 0,"#);
    std::fs::write(&pipeline, text).unwrap();
    dir
}

/// Writes the config: the walkthrough's own with `extra`, whose top-level keys go first and
/// whose tables go last (so that line numbers in `extra` are the config's).
fn configure(dir: &Path, extra: &str) {
    let own = std::fs::read_to_string(repo_root().join("testdata/setups/walkthrough/xacct.toml"))
        .unwrap();
    let (top, tables) = match extra.find("\n[") {
        Some(at) => (&extra[..at], &extra[at + 1..]),
        None if extra.starts_with('[') => ("", extra),
        None => (extra, ""),
    };
    let text = if top.is_empty() {
        format!("{own}\n{tables}\n")
    } else {
        format!("{top}\n{own}\n{tables}\n")
    };
    std::fs::write(dir.join("xacct.toml"), text).unwrap();
}

/// `severity[CODE]` of every finding, in output order.
fn codes(out: &Output) -> Vec<String> {
    String::from_utf8(out.stdout.clone())
        .unwrap()
        .lines()
        .map(|l| {
            let rest = l.split(": ").nth(1).unwrap_or(l);
            rest.split(' ').next().unwrap_or("").to_string()
        })
        .collect()
}

fn own_lines() -> usize {
    std::fs::read_to_string(repo_root().join("testdata/setups/walkthrough/xacct.toml"))
        .unwrap()
        .lines()
        .count()
}

fn lint(dir: &Path, extra: &[&str]) -> Output {
    let mut args = vec!["lint", "--format", "compact"];
    args.extend_from_slice(extra);
    args.push(".");
    xacct(dir, &args)
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

const ALL: [&str; 5] = [
    "error[XA506]",
    "error[XA107]",
    "error[XA107]",
    "error[XA002]",
    "error[XA107]",
];

#[test]
fn every_rule_is_selected_by_default() {
    let dir = broken_walkthrough("config-select-default");
    configure(&dir, "");
    let out = lint(&dir, &[]);
    assert_eq!(codes(&out), ALL);
    assert_eq!(out.status.code(), Some(1));
    configure(&dir, "select = [\"ALL\"]\nignore = []");
    assert_eq!(codes(&lint(&dir, &[])), ALL);
}

#[test]
fn select_ignore_and_extend_select_follow_ruff() {
    let dir = broken_walkthrough("config-select-ruff");
    let case = |config: &str, flags: &[&str]| {
        configure(&dir, config);
        codes(&lint(&dir, flags))
    };
    // ignore removes, by code or prefix.
    assert_eq!(
        case("ignore = [\"XA1\"]", &[]),
        ["error[XA506]", "error[XA002]"]
    );
    assert_eq!(case("ignore = [\"XA107\", \"XA5\"]", &[]), ["error[XA002]"]);
    // select keeps only what it names; extend-select adds to it.
    assert_eq!(case("select = [\"XA5\"]", &[]), ["error[XA506]"]);
    assert_eq!(
        case("select = [\"XA5\"]\nextend-select = [\"XA002\"]", &[]),
        ["error[XA506]", "error[XA002]"]
    );
    assert_eq!(
        case("extend-select = [\"XA002\"]\nignore = [\"XA1\"]", &[]),
        ["error[XA506]", "error[XA002]"]
    );
    // ignore wins at equal specificity; the more specific word wins otherwise.
    assert_eq!(
        case("select = [\"XA0\"]\nignore = [\"XA0\"]", &[]),
        Vec::<String>::new()
    );
    assert_eq!(
        case("select = [\"XA002\"]\nignore = [\"XA0\"]", &[]),
        ["error[XA002]"]
    );
    assert_eq!(
        case(
            "select = [\"XA\"]\nignore = [\"XA10\"]\nextend-select = [\"XA107\"]",
            &[]
        ),
        ALL
    );
    // Codes are read in any case.
    assert_eq!(case("ignore = [\"xa1\", \"Xa5\"]", &[]), ["error[XA002]"]);
    // The command line: --select replaces the config's select and ignore, --ignore and
    // --extend-select adjust them.
    assert_eq!(
        case("ignore = [\"XA1\"]", &["--select", "XA1"]),
        ["error[XA107]", "error[XA107]", "error[XA107]"]
    );
    assert_eq!(
        case("ignore = [\"XA1\"]", &["--ignore", "XA5"]),
        ["error[XA002]"]
    );
    assert_eq!(
        case("select = [\"XA5\"]", &["--extend-select", "XA002,XA107"]),
        ALL
    );
    assert_eq!(
        case("", &["--select", "XA002", "--select", "XA506"]),
        ["error[XA506]", "error[XA002]"]
    );
    // The exit status follows what is reported.
    configure(&dir, "select = [\"XA9\"]");
    assert_eq!(lint(&dir, &[]).status.code(), Some(0));
}

#[test]
fn xa001_is_always_reported() {
    let dir = broken_walkthrough("config-select-xa001");
    std::fs::write(dir.join("broken.json"), "{\"pipeline\": ").unwrap();
    configure(&dir, "select = [\"XA5\"]");
    assert_eq!(codes(&lint(&dir, &[])), ["error[XA001]", "error[XA506]"]);
    configure(&dir, "ignore = [\"XA0\", \"XA1\", \"XA5\"]");
    assert_eq!(codes(&lint(&dir, &[])), ["error[XA001]"]);
    assert_eq!(codes(&lint(&dir, &["--ignore", "ALL"])), ["error[XA001]"]);
    // Naming it is an error, in the config as on the command line.
    configure(&dir, "ignore = [\"XA5\", \"XA001\"]");
    let out = lint(&dir, &["--color", "never"]);
    assert_eq!(out.status.code(), Some(2));
    let message = stderr(&out);
    assert!(message.contains("XA001 cannot be ignored"), "{message}");
    assert!(message.contains("xacct.toml:1:18"), "{message}");
    configure(&dir, "[per-file-ignores]\n\"*.json\" = [\"XA001\"]");
    let out = lint(&dir, &["--color", "never"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("XA001 cannot be ignored"));
    configure(&dir, "");
    let out = lint(&dir, &["--ignore", "XA5,XA001"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("--ignore: XA001 cannot be ignored"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn severities_change_before_fail_on_and_rendering() {
    let dir = broken_walkthrough("config-severity");
    configure(&dir, "[severity]\nXA = \"info\"\nXA107 = \"warning\"");
    let out = lint(&dir, &[]);
    assert_eq!(
        codes(&out),
        [
            "info[XA506]",
            "warning[XA107]",
            "warning[XA107]",
            "info[XA002]",
            "warning[XA107]"
        ]
    );
    // No error is left: the default --fail-on error passes, --fail-on warning does not.
    assert_eq!(out.status.code(), Some(0));
    assert_eq!(lint(&dir, &["--fail-on", "warning"]).status.code(), Some(1));
    let json = xacct(&dir, &["lint", "--format", "json", "."]);
    let json: serde_json::Value = serde_json::from_slice(&json.stdout).unwrap();
    assert_eq!(json["summary"]["errors"], 0);
    assert_eq!(json["summary"]["warnings"], 3);
    assert_eq!(json["summary"]["infos"], 2);
}

#[test]
fn per_file_ignores_match_globs_relative_to_the_config_and_names() {
    let dir = broken_walkthrough("config-per-file-ignores");
    let case = |config: &str| {
        configure(&dir, config);
        codes(&lint(&dir, &[]))
    };
    // A finding belongs to the file of its primary location: XA506 is the policy's.
    assert_eq!(
        case("[per-file-ignores]\n\"tools-*/pipeline.json\" = [\"XA1\", \"XA5\"]"),
        ["error[XA506]", "error[XA002]"]
    );
    assert_eq!(
        case("[per-file-ignores]\n\"tools-111111111111/**\" = [\"XA5\"]"),
        ALL[1..]
    );
    // Without a `/`, the glob matches file names anywhere.
    assert_eq!(
        case("[per-file-ignores]\n\"*-policy.json\" = [\"XA\"]"),
        ALL[1..]
    );
    // `!` negates: every file but those.
    assert_eq!(
        case("[per-file-ignores]\n\"!pipeline.json\" = [\"ALL\"]"),
        ALL[1..]
    );
    assert_eq!(case("[per-file-ignores]\n\"prod-*/**\" = [\"ALL\"]"), ALL);
}

#[test]
fn exclude_skips_walked_files_and_folders_but_not_named_ones() {
    let dir = broken_walkthrough("config-exclude");
    // Without the role's policy, whether it may start the build is unknown: XA506 is silent.
    configure(
        &dir,
        "exclude = [\"CodePipeline_Service_Role-policy.json\"]",
    );
    assert_eq!(codes(&lint(&dir, &[])), ALL[1..]);
    configure(
        &dir,
        "exclude = [\"tools-111111111111/CodePipeline_Service_Role-policy.json\"]",
    );
    assert_eq!(codes(&lint(&dir, &[])), ALL[1..]);
    // A folder excludes what is in it.
    configure(&dir, "exclude = [\"tools-*\"]");
    let out = lint(&dir, &[]);
    assert_eq!(codes(&out), Vec::<String>::new());
    assert_eq!(out.status.code(), Some(0));
    // A file named on the command line is linted all the same.
    let out = xacct(
        &dir,
        &[
            "lint",
            "--format",
            "compact",
            "tools-111111111111/pipeline.json",
        ],
    );
    assert_eq!(codes(&out), ALL[1..]);
    // A config's exclude skips a folder that has a config of its own (as ruff's walk does).
    configure(&dir, "exclude = [\"prod-222222222222\"]");
    std::fs::write(
        dir.join("prod-222222222222/xacct.toml"),
        "[accounts]\nprod = \"222222222222\"\n",
    )
    .unwrap();
    let out = xacct(&dir, &["lint", "--format", "json", "."]);
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(json["summary"]["files"], 5, "{json}");
}

#[test]
fn each_file_follows_its_own_config() {
    let root = Path::new(env!("CARGO_TARGET_TMPDIR")).join("config-select-nearest");
    let _ = std::fs::remove_dir_all(&root);
    std::fs::create_dir_all(&root).unwrap();
    let a = broken_walkthrough("config-select-nearest/a");
    let b = broken_walkthrough("config-select-nearest/b");
    // b: the pipeline alone, in other accounts, so that a's policies govern none of its roles.
    std::fs::remove_dir_all(b.join("prod-222222222222")).unwrap();
    for entry in std::fs::read_dir(b.join("tools-111111111111")).unwrap() {
        let path = entry.unwrap().path();
        if path.file_name().unwrap() != "pipeline.json" {
            std::fs::remove_file(path).unwrap();
        }
    }
    let pipeline = b.join("tools-111111111111/pipeline.json");
    let text = std::fs::read_to_string(&pipeline)
        .unwrap()
        .replace("111111111111", "333333333333")
        .replace("222222222222", "444444444444")
        .replace(
            "codepipeline-us-east-2-1234567890",
            "another-artifact-bucket",
        );
    std::fs::write(&pipeline, text).unwrap();
    configure(&a, "ignore = [\"XA1\"]");
    configure(&b, "select = [\"XA1\"]\n[severity]\nXA107 = \"info\"");
    let out = xacct(&root, &["lint", "--format", "compact", "a", "b"]);
    // XA408 is a's: b's S3 deploy action uploads, as a role of 444444444444, into a's
    // `accountb-static-assets`, a bucket of 222222222222 whose policy (a's file, under a's
    // config) does not allow it.
    assert_eq!(
        codes(&out),
        [
            "error[XA408]",
            "error[XA506]",
            "error[XA002]",
            "info[XA107]",
            "info[XA107]",
            "info[XA107]"
        ]
    );
    // --config names one config for every file.
    let out = xacct(
        &root,
        &[
            "lint",
            "--format",
            "compact",
            "--config",
            "a/xacct.toml",
            "a",
            "b",
        ],
    );
    // b's S3 deploy action, in account 444444444444, writes into a's bucket of 222222222222:
    // under a's config, which selects every rule, XA405 speaks of it, and XA408 of the bucket
    // policy that does not allow the upload.
    assert_eq!(
        codes(&out),
        [
            "error[XA408]",
            "error[XA506]",
            "error[XA002]",
            "error[XA002]",
            "warning[XA405]"
        ]
    );
}

#[test]
fn mistakes_are_errors_pointing_into_the_config() {
    let dir = broken_walkthrough("config-select-errors");
    let case = |config: &str| {
        configure(&dir, config);
        let out = lint(&dir, &["--color", "never"]);
        assert_eq!(out.status.code(), Some(2), "{config}");
        stderr(&out)
    };
    let message = case("select = [\"XA5\", \"XA8\"]");
    assert!(
        message.contains("select: `XA8` is no rule code or prefix of codes"),
        "{message}"
    );
    assert!(message.contains("xacct.toml:1:18"), "{message}");
    let message = case("extend-select = [\"XA9031\"]");
    assert!(message.contains("extend-select: `XA9031`"), "{message}");
    let message = case("ignore = [\"E501\"]");
    assert!(message.contains("ignore: `E501`"), "{message}");
    let message = case("select = \"XA5\"");
    assert!(message.contains("expected a sequence"), "{message}");
    let message = case("[severity]\nXA503 = \"fatal\"");
    assert!(
        message.contains("`fatal` is no severity (`error`, `warning` or `info`)"),
        "{message}"
    );
    // The table's second line, after the walkthrough's config and a blank line.
    let line = own_lines() + 3;
    assert!(
        message.contains(&format!("xacct.toml:{line}:9")),
        "{message}"
    );
    let message = case("[severity]\nXA8 = \"info\"");
    assert!(message.contains("[severity]: `XA8`"), "{message}");
    assert!(
        message.contains(&format!("xacct.toml:{line}:1")),
        "{message}"
    );
    let message = case("[severity]\nXA5 = \"info\"\nxa5 = \"error\"");
    assert!(message.contains("`XA5` is given twice"), "{message}");
    let message = case("[per-file-ignores]\n\"a/[\" = [\"XA5\"]");
    assert!(message.contains("invalid file pattern"), "{message}");
    let message = case("exclude = [\"a/[\"]");
    assert!(
        message.contains("exclude: invalid file pattern"),
        "{message}"
    );
    let message = case("[per-file-ignores]\n\"a/**\" = \"XA5\"");
    assert!(message.contains("expected a sequence"), "{message}");
    let message = case("extend_select = [\"XA5\"]");
    assert!(
        message.contains("unknown field `extend_select`"),
        "{message}"
    );
    // The command line's flags are checked as strictly.
    configure(&dir, "");
    let out = lint(&dir, &["--select", "XA5,XA8"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("--select: `XA8`"), "{}", stderr(&out));
    let out = lint(&dir, &["--extend-select", ""]);
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn limits_are_checked_against_their_ceilings() {
    let dir = broken_walkthrough("config-limits");
    let case = |config: &str| {
        configure(&dir, config);
        let out = lint(&dir, &["--color", "never"]);
        assert_eq!(out.status.code(), Some(2), "{config}");
        stderr(&out)
    };
    let line = own_lines() + 3;
    let message = case("[limits]\ndepth = 5000");
    assert!(
        message.contains("invalid config: [limits] depth: must be between 1 and 1000"),
        "{message}"
    );
    assert!(
        message.contains(&format!("xacct.toml:{line}:9")),
        "{message}"
    );
    let message = case("[limits]\nfile-size = 0");
    assert!(
        message.contains("[limits] file-size: must be between 1 and 4294967295"),
        "{message}"
    );
    let message = case("[limits]\neval-steps = \"many\"");
    assert!(
        message.contains("[limits] eval-steps: must be a whole number"),
        "{message}"
    );
    let message = case("[limits]\nfilesize = 10");
    assert!(
        message.contains("[limits]: unknown limit `filesize` (one of file-size, depth, alias-bytes, eval-steps, line-width)"),
        "{message}"
    );
    // A limit in range applies to the files the config governs: here every file is too large.
    configure(&dir, "[limits]\nfile-size = 100");
    let out = lint(&dir, &[]);
    assert_eq!(out.status.code(), Some(1));
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(
        text.lines()
            .all(|l| l.contains("error[XA005] cannot read the file: the file is")),
        "{text}"
    );
}
