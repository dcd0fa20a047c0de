//! What a project adopting xacct relies on (issue 17): fingerprints that stay put however and
//! from where xacct is run, SARIF that code scanning can place and always gets, the options
//! users reach for from ruff and eslint, and discovery that respects the repository.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::Output;

use serde_json::Value;

mod common;
use common::{copy_tree, repo_root, stdout, xacct};

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

/// A scratch repository (it holds `.git`) under the target directory, emptied first, canonical.
fn repository(name: &str) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR"))
        .join("adoption")
        .join(name);
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(dir.join(".git")).unwrap();
    dir.canonicalize().unwrap()
}

/// A repository with two setups under `infra/`: `jenkins` (one pipeline, no config, an XA202
/// naming two accounts) and `qa` (templates with an `xacct.toml` that names those accounts).
fn two_setups(name: &str) -> PathBuf {
    let dir = repository(name);
    let examples = repo_root().join("testdata/examples");
    copy_tree(
        &examples.join("jenkins-cross-account"),
        &dir.join("infra/jenkins"),
    );
    std::fs::remove_file(dir.join("infra/jenkins/pipeline.json.expected")).unwrap();
    copy_tree(&examples.join("qa-passrole-cfn"), &dir.join("infra/qa"));
    dir
}

/// (code, message, fingerprint) of each finding of a JSON run, sorted.
fn findings(out: &Output) -> BTreeSet<(String, String, String)> {
    let json: Value = serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("not JSON ({e}): {}{}", stdout(out), stderr(out)));
    json["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| {
            (
                d["code"].as_str().unwrap().to_string(),
                d["message"].as_str().unwrap().to_string(),
                d["fingerprint"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

fn json_run(dir: &Path, paths: &[&str]) -> BTreeSet<(String, String, String)> {
    let mut args = vec!["lint", "--format", "json"];
    args.extend_from_slice(paths);
    findings(&xacct(dir, &args))
}

#[test]
fn fingerprints_do_not_depend_on_path_style_order_or_working_folder() {
    let dir = two_setups("fingerprints");
    let infra = dir.join("infra");
    let jenkins_abs = infra.join("jenkins/pipeline.json");
    let qa_abs = infra.join("qa");
    let reference = json_run(&dir, &["infra"]);
    // qa's six findings (two of them XA515: its bucket policy names two roles of the dev
    // template) and jenkins' XA202.
    assert_eq!(reference.len(), 8, "{reference:#?}");
    let runs = [
        json_run(&infra, &["."]),
        json_run(&infra.join("jenkins"), &["pipeline.json", "../qa"]),
        json_run(&infra.join("jenkins"), &["../qa/", "./pipeline.json"]),
        json_run(
            &dir.join(".."),
            &[qa_abs.to_str().unwrap(), jenkins_abs.to_str().unwrap()],
        ),
        json_run(
            &dir,
            &["./infra/jenkins/pipeline.json", "infra/qa", "infra"],
        ),
    ];
    for run in runs {
        assert_eq!(run, reference);
    }
    // The sibling's `[accounts]` names stay in its own messages.
    let jenkins: Vec<_> = reference.iter().filter(|f| f.0 == "XA202").collect();
    assert_eq!(
        jenkins[0].1,
        "Jenkins build action `JenkinsBuild` (provider JenkinsProviderName) runs in account 222222222222 through its `roleArn`, but Jenkins build actions cannot run in another account than the pipeline account 111111111111"
    );
    assert!(reference.iter().any(|f| f.0 == "XA902"
        && f.1
            .contains("grants account 222222222222 (dev) every action")));
    // Alone, the pipeline has the fingerprint it has beside the sibling.
    let alone = json_run(&infra.join("jenkins"), &["pipeline.json"]);
    assert_eq!(
        alone.into_iter().collect::<Vec<_>>(),
        jenkins.into_iter().cloned().collect::<Vec<_>>()
    );
    // Renaming an account changes messages, not fingerprints.
    let config = infra.join("qa/xacct.toml");
    let text = std::fs::read_to_string(&config).unwrap();
    std::fs::write(
        &config,
        text.replace("dev = ", "development = ")
            .replace("\"dev\"", "\"development\""),
    )
    .unwrap();
    let renamed = json_run(&dir, &["infra"]);
    let prints = |set: &BTreeSet<(String, String, String)>| -> BTreeSet<String> {
        set.iter().map(|f| f.2.clone()).collect()
    };
    assert_eq!(prints(&renamed), prints(&reference));
    assert!(renamed.iter().any(|f| f.1.contains("(development)")));
}

/// FNV-1a over parts each ended by 0xff: xacct 0.1's fingerprint hash.
fn fnv1a(parts: &[&str]) -> u64 {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for part in parts {
        for byte in part.bytes().chain(std::iter::once(0xff)) {
            hash ^= u64::from(byte);
            hash = hash.wrapping_mul(0x0100_0000_01b3);
        }
    }
    hash
}

#[test]
fn baselines_written_with_the_first_fingerprints_still_match() {
    let dir = repository("legacy-baseline");
    copy_tree(&repo_root().join("testdata/setups/walkthrough"), &dir);
    let pipeline = dir.join("tools-111111111111/pipeline.json");
    let text = std::fs::read_to_string(&pipeline).unwrap();
    std::fs::write(
        &pipeline,
        text.replace(
            r#""ProjectName": "MyAppBuild""#,
            r#""ProjectName": "MyAppBuild", "ProjectName": "Dup""#,
        ),
    )
    .unwrap();
    let out = xacct(&dir, &["lint", "--format", "json", "."]);
    let json: Value = serde_json::from_slice(&out.stdout).unwrap();
    let diagnostics = json["diagnostics"].as_array().unwrap();
    assert_eq!(diagnostics.len(), 2);
    // What 0.1 wrote: code, the path relative to the baseline's folder, the message and the
    // covered text, numbered by occurrence.
    let legacy: Vec<Value> = diagnostics
        .iter()
        .map(|d| {
            let path = d["path"].as_str().unwrap().trim_start_matches("./");
            let text = std::fs::read_to_string(dir.join(path)).unwrap();
            let covered = &text[d["start"]["offset"].as_u64().unwrap() as usize
                ..d["end"]["offset"].as_u64().unwrap() as usize];
            let base = fnv1a(&[
                d["code"].as_str().unwrap(),
                path,
                d["message"].as_str().unwrap(),
                covered.trim(),
            ]);
            let fingerprint = format!("{:016x}", fnv1a(&[&format!("{base:016x}"), "1"]));
            assert_ne!(fingerprint, d["fingerprint"].as_str().unwrap());
            serde_json::json!({"code": d["code"], "path": path, "fingerprint": fingerprint})
        })
        .collect();
    std::fs::write(
        dir.join("old-baseline.json"),
        serde_json::json!({"version": 1, "findings": legacy}).to_string(),
    )
    .unwrap();
    let out = xacct(
        &dir,
        &[
            "lint",
            "--format",
            "text",
            "--baseline",
            "old-baseline.json",
            ".",
        ],
    );
    assert_eq!(out.status.code(), Some(0), "{}", stdout(&out));
    assert!(
        stdout(&out).contains("2 findings hidden by the baseline old-baseline.json\n"),
        "{}",
        stdout(&out)
    );
    // Written again, it records today's fingerprints, the JSON output's.
    let out = xacct(
        &dir,
        &["lint", "--write-baseline", "new-baseline.json", "."],
    );
    assert_eq!(out.status.code(), Some(0));
    let written: Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join("new-baseline.json")).unwrap())
            .unwrap();
    let recorded: BTreeSet<&str> = written["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["fingerprint"].as_str().unwrap())
        .collect();
    let reported: BTreeSet<&str> = diagnostics
        .iter()
        .map(|d| d["fingerprint"].as_str().unwrap())
        .collect();
    assert_eq!(recorded, reported);
}

#[test]
fn every_config_error_is_said_at_once() {
    let dir = repository("config-errors");
    std::fs::write(
        dir.join("xacct.toml"),
        "region = \"mars-1\"\nselect = [\"XB1\", \"XA5\"]\n[accounts]\nci = \"12\"\n[severity]\nXA503 = \"fatal\"\n[limits]\nfoo = 3\n",
    )
    .unwrap();
    std::fs::write(dir.join("p.json"), "{}").unwrap();
    let out = xacct(&dir, &["lint", "--color", "never", "."]);
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(stdout(&out), "");
    let said: Vec<String> = stderr(&out)
        .lines()
        .filter_map(|l| l.trim().strip_prefix("× invalid config: "))
        .map(str::to_string)
        .collect();
    assert_eq!(
        said,
        [
            "`mars-1` is not an AWS region name (e.g. us-east-1)",
            "select: `XB1` is no rule code or prefix of codes (such as `XA503`, `XA5` or `ALL`); did you mean `XA1`? `xacct rules` lists them",
            "account `ci`: `12` is not a 12-digit account ID",
            "[severity] XA503: `fatal` is no severity (`error`, `warning` or `info`)",
            "[limits]: unknown limit `foo` (one of file-size, depth, alias-bytes, eval-steps, line-width)",
        ]
    );
    // A sub-project's config: each mistake is an XA008 finding.
    let sub = repository("config-errors-sub");
    std::fs::create_dir_all(sub.join("app")).unwrap();
    std::fs::write(
        sub.join("app/xacct.toml"),
        "region = \"mars-1\"\n[accounts]\nci = \"12\"\n",
    )
    .unwrap();
    std::fs::write(sub.join("app/p.json"), "{}").unwrap();
    let out = xacct(&sub, &["lint", "--format", "compact", "."]);
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(
        stdout(&out),
        "app/xacct.toml:1:10: error[XA008] invalid config: `mars-1` is not an AWS region name (e.g. us-east-1); the 1 file it governs is not linted\n\
         app/xacct.toml:3:6: error[XA008] invalid config: account `ci`: `12` is not a 12-digit account ID; the 1 file it governs is not linted\n"
    );
}

fn xacct_env(dir: &Path, args: &[&str], env: &[(&str, &str)]) -> Output {
    std::process::Command::new(env!("CARGO_BIN_EXE_xacct"))
        .current_dir(dir)
        .args(args)
        .env_remove("NO_COLOR")
        .env_remove("FORCE_COLOR")
        .envs(env.iter().copied())
        .output()
        .unwrap()
}

/// One pipeline with one error (XA202), as `p.json` of a scratch repository.
fn one_error(name: &str) -> PathBuf {
    let dir = repository(name);
    std::fs::copy(
        repo_root().join("testdata/examples/jenkins-cross-account/pipeline.json"),
        dir.join("p.json"),
    )
    .unwrap();
    dir
}

const XA202_COMPACT: &str = "p.json:65:24: error[XA202] Jenkins build action `JenkinsBuild` (provider JenkinsProviderName) runs in account 222222222222 through its `roleArn`, but Jenkins build actions cannot run in another account than the pipeline account 111111111111\n";

#[test]
fn exit_zero_quiet_and_output_file() {
    let dir = one_error("options");
    let out = xacct(
        &dir,
        &["lint", "--format", "compact", "--exit-zero", "p.json"],
    );
    assert_eq!(out.status.code(), Some(0));
    assert_eq!(stdout(&out), XA202_COMPACT);
    // --exit-zero does not hide a run that could not start.
    let out = xacct(&dir, &["lint", "--exit-zero", "--region", "mars", "p.json"]);
    assert_eq!(out.status.code(), Some(2));

    // --quiet: the findings, no summary line.
    let loud = stdout(&xacct(&dir, &["lint", "--color", "never", "p.json"]));
    assert!(
        loud.ends_with("\n1 error, 0 warnings, 0 infos in 1 file (1 checked)\n"),
        "{loud}"
    );
    let quiet = xacct(&dir, &["lint", "--color", "never", "--quiet", "p.json"]);
    assert_eq!(quiet.status.code(), Some(1));
    assert_eq!(
        stdout(&quiet),
        loud.strip_suffix("1 error, 0 warnings, 0 infos in 1 file (1 checked)\n")
            .unwrap()
    );
    let statistics = xacct(&dir, &["lint", "-q", "--statistics", "p.json"]);
    assert_eq!(
        stdout(&statistics),
        "1\tXA202\tcross-account-unsupported-provider\n"
    );

    // --output-file: the output there, nothing on standard output, the same status.
    let out = xacct(
        &dir,
        &[
            "lint",
            "--format",
            "compact",
            "--output-file",
            "out/findings.txt",
            "p.json",
        ],
    );
    assert_eq!(
        out.status.code(),
        Some(2),
        "no folder `out`: {}",
        stderr(&out)
    );
    std::fs::create_dir(dir.join("out")).unwrap();
    let out = xacct(
        &dir,
        &[
            "lint",
            "--format",
            "compact",
            "-o",
            "out/findings.txt",
            "p.json",
        ],
    );
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert_eq!(stdout(&out), "");
    assert_eq!(
        std::fs::read_to_string(dir.join("out/findings.txt")).unwrap(),
        XA202_COMPACT
    );
    // Never through a link: the link and its target stay as they are.
    std::fs::write(dir.join("target.txt"), "keep").unwrap();
    std::os::unix::fs::symlink(dir.join("target.txt"), dir.join("link.txt")).unwrap();
    let out = xacct(
        &dir,
        &["lint", "--format", "compact", "-o", "link.txt", "p.json"],
    );
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).starts_with("error: cannot write the output file link.txt: "),
        "{}",
        stderr(&out)
    );
    assert_eq!(
        std::fs::read_to_string(dir.join("target.txt")).unwrap(),
        "keep"
    );
    assert!(std::fs::symlink_metadata(dir.join("link.txt"))
        .unwrap()
        .file_type()
        .is_symlink());
}

#[test]
fn force_color_and_an_empty_no_color() {
    let dir = one_error("colour");
    let colored = |env: &[(&str, &str)]| {
        stdout(&xacct_env(&dir, &["lint", "p.json"], env)).contains("\u{1b}[")
    };
    // Piped: no colour, unless forced.
    assert!(!colored(&[]));
    assert!(colored(&[("FORCE_COLOR", "1")]));
    assert!(!colored(&[("FORCE_COLOR", "")]));
    // NO_COLOR wins, but only when it has a value.
    assert!(!colored(&[("FORCE_COLOR", "1"), ("NO_COLOR", "1")]));
    assert!(colored(&[("FORCE_COLOR", "1"), ("NO_COLOR", "")]));
    // The flag wins over both.
    assert!(!stdout(&xacct_env(
        &dir,
        &["lint", "--color", "never", "p.json"],
        &[("FORCE_COLOR", "1")]
    ))
    .contains("\u{1b}["));
}

#[test]
fn unknown_codes_in_a_template_suppression_are_findings_with_a_suggestion() {
    let dir = repository("suppression-codes");
    copy_tree(&repo_root().join("testdata/examples/qa-passrole-cfn"), &dir);
    let dev = dir.join("dev.yaml");
    let text = std::fs::read_to_string(&dev).unwrap();
    let marked = "  CrossAccountRole:\n    Type: AWS::IAM::Role\n";
    assert!(text.contains(marked));
    std::fs::write(
        &dev,
        text.replacen(
            marked,
            &format!("{marked}    Metadata:\n      xacct:\n        ignore: [XA530, bucket-policy-missing-grant, XA5]\n"),
            1,
        ),
    )
    .unwrap();
    let out = xacct(
        &dir,
        &["lint", "--format", "compact", "--select", "XA003", "."],
    );
    assert_eq!(
        stdout(&out),
        "./dev.yaml:21:18: error[XA003] `Metadata.xacct.ignore` of resource `CrossAccountRole`: `XA530` is no rule code or prefix of codes (such as `XA503`, `XA5` or `ALL`); did you mean `XA503`? `xacct rules` lists them\n\
         ./dev.yaml:21:25: error[XA003] `Metadata.xacct.ignore` of resource `CrossAccountRole`: `bucket-policy-missing-grant` is no rule code or prefix of codes (such as `XA503`, `XA5` or `ALL`); did you mean `XA401`? `xacct rules` lists them\n"
    );
    // The known prefix still suppresses.
    let all = stdout(&xacct(&dir, &["lint", "--format", "compact", "."]));
    assert!(!all.contains("[XA503]"), "{all}");
}

#[test]
fn standard_input_is_linted_as_the_file_it_names() {
    let dir = one_error("stdin");
    let pipeline = std::fs::read(dir.join("p.json")).unwrap();
    let run = |args: &[&str], input: &[u8]| -> Output {
        use std::io::Write;
        let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_xacct"))
            .current_dir(&dir)
            .args(args)
            .stdin(std::process::Stdio::piped())
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .unwrap();
        // A child that stops reading early closes the pipe: not a failure of the test.
        let _ = child.stdin.take().unwrap().write_all(input);
        child.wait_with_output().unwrap()
    };
    let out = run(
        &[
            "lint",
            "--format",
            "compact",
            "--stdin-filename",
            "infra/edited.json",
            "-",
        ],
        &pipeline,
    );
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert_eq!(
        stdout(&out),
        XA202_COMPACT.replace("p.json:", "infra/edited.json:")
    );
    // The name's config applies: its limits bound the read, its excludes skip it.
    std::fs::create_dir_all(dir.join("infra")).unwrap();
    std::fs::write(dir.join("infra/xacct.toml"), "[limits]\nfile-size = 100\n").unwrap();
    let out = run(
        &[
            "lint",
            "--format",
            "compact",
            "--stdin-filename",
            "infra/edited.json",
            "-",
        ],
        &pipeline,
    );
    assert_eq!(
        stdout(&out),
        "infra/edited.json:1:1: error[XA005] cannot read the file: the file is 101 bytes, more than the limit of 100 bytes\n"
    );
    std::fs::write(dir.join("infra/xacct.toml"), "exclude = [\"edited.*\"]\n").unwrap();
    let out = run(
        &[
            "lint",
            "--format",
            "compact",
            "--stdin-filename",
            "infra/edited.json",
            "-",
        ],
        &pipeline,
    );
    assert_eq!((out.status.code(), stdout(&out)), (Some(0), String::new()));
    let out = run(
        &[
            "lint",
            "--format",
            "compact",
            "--exclude",
            "infra/*",
            "--stdin-filename",
            "infra/other.json",
            "-",
        ],
        &pipeline,
    );
    assert_eq!((out.status.code(), stdout(&out)), (Some(0), String::new()));
    // The name's extension tells YAML from JSON; a buffer that is no AWS document is skipped,
    // as a file found by walking is.
    let out = run(
        &[
            "lint",
            "--format",
            "compact",
            "--stdin-filename",
            "t.yaml",
            "-",
        ],
        b"AWSTemplateFormatVersion: '2010-09-09'\nResources: [\n",
    );
    assert_eq!(
        stdout(&out),
        "t.yaml:3:1: error[XA001] invalid YAML: while parsing a node, did not find expected node content\n"
    );
    for (name, text) in [
        ("tsconfig.json", &b"{\n  // comment\n}\n"[..]),
        ("package.json", b"{\"name\": \"x\"}"),
        ("workflow.yaml", b"on: [push\n"),
    ] {
        let out = run(
            &["lint", "--format", "compact", "--stdin-filename", name, "-"],
            text,
        );
        assert_eq!(
            (out.status.code(), stdout(&out)),
            (Some(0), String::new()),
            "{name}"
        );
    }
    // A name without `-` is a mistake.
    let out = run(&["lint", "--stdin-filename", "t.yaml", "."], b"");
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(
        stderr(&out),
        "error: --stdin-filename names the file read from standard input: add the path `-`\n"
    );
}

#[test]
fn discovery_respects_ignore_files_links_and_non_aws_json() {
    let dir = repository("discovery");
    let pipeline =
        std::fs::read(repo_root().join("testdata/examples/jenkins-cross-account/pipeline.json"))
            .unwrap();
    let put = |path: &str, bytes: &[u8]| {
        let path = dir.join(path);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, bytes).unwrap();
    };
    for file in [
        "a/p.json",
        "a/old.bak.json",
        "a/keep.bak.json",
        "built/q.json",
        "scratch/r.json",
        "cdk.out/stack.json",
        "sub/s.json",
        "sub/t.json",
    ] {
        put(file, &pipeline);
    }
    // CDK's own `.gitignore` lists cdk.out; xacct still reads it.
    put(
        ".gitignore",
        b"# build output\ncdk.out\n/built/\n*.bak.json\n!keep.bak.json\n",
    );
    put(".ignore", b"scratch\n");
    put("sub/.gitignore", b"t.json\n");
    put(
        "tsconfig.json",
        b"{\n  // the compiler\n  \"compilerOptions\": {}\n}\n",
    );
    put(
        "settings/editor.json",
        b"{\n  /* editor */\n  \"tabSize\": 2\n}\n",
    );
    put("package.json", b"{\"name\": \"x\"}");
    std::os::unix::fs::symlink("loop-b.json", dir.join("loop-a.json")).unwrap();
    std::os::unix::fs::symlink("loop-a.json", dir.join("loop-b.json")).unwrap();
    std::os::unix::fs::symlink("nowhere.json", dir.join("dangling.json")).unwrap();
    std::os::unix::fs::symlink("/etc", dir.join("etc-link")).unwrap();
    std::os::unix::fs::symlink("..", dir.join("a/up")).unwrap();
    let line = |path: &str| {
        format!("{path}:65:24: error[XA202] Jenkins build action `JenkinsBuild` (provider JenkinsProviderName) runs in account 222222222222 through its `roleArn`, but Jenkins build actions cannot run in another account than the pipeline account 111111111111\n")
    };
    let out = xacct(&dir, &["lint", "--format", "compact", "."]);
    assert_eq!(out.status.code(), Some(1));
    // The loop of links is skipped, the dangling link reported.
    let dangling = "./dangling.json:1:1: error[XA001] cannot read the file: No such file or directory (os error 2)\n";
    assert_eq!(
        stdout(&out),
        [
            line("./a/keep.bak.json"),
            line("./a/p.json"),
            line("./cdk.out/stack.json"),
            dangling.to_string(),
            line("./sub/s.json"),
        ]
        .concat()
    );
    // From a folder below, the repository's ignore files still apply.
    let out = xacct(&dir.join("sub"), &["lint", "--format", "compact", "."]);
    assert_eq!(stdout(&out), line("./s.json"));
    // Each file once, however it is named; the first name is shown.
    let absolute = dir.join("a/p.json");
    let out = xacct(
        &dir,
        &[
            "lint",
            "--format",
            "compact",
            "a/p.json",
            "./a/p.json",
            absolute.to_str().unwrap(),
            "a",
            ".",
        ],
    );
    assert_eq!(
        stdout(&out),
        [
            line("a/p.json"),
            line("a/keep.bak.json"),
            line("./cdk.out/stack.json"),
            dangling.to_string(),
            line("./sub/s.json"),
        ]
        .concat()
    );
    // --exclude with a path pattern matches the walked `./a/p.json`.
    let out = xacct(
        &dir,
        &[
            "lint",
            "--format",
            "compact",
            "--exclude",
            "a/*",
            "--exclude",
            "dangling.json",
            ".",
        ],
    );
    assert_eq!(
        stdout(&out),
        [line("./cdk.out/stack.json"), line("./sub/s.json")].concat()
    );
    // Named, an ignored file, a JSON file with comments and a link loop are linted.
    let out = xacct(
        &dir,
        &[
            "lint",
            "--format",
            "compact",
            "scratch/r.json",
            "tsconfig.json",
            "loop-a.json",
        ],
    );
    assert_eq!(
        stdout(&out),
        [
            line("scratch/r.json"),
            "tsconfig.json:2:3: error[XA001] invalid JSON: unexpected `/`, expected a string key\n".to_string(),
            "loop-a.json:1:1: error[XA001] cannot read the file: Too many levels of symbolic links (os error 40)\n".to_string(),
        ]
        .concat()
    );
    // Under --changed (the pre-commit hook), a JSON file with comments is skipped: exit 0.
    let out = xacct(
        &dir,
        &[
            "lint",
            "--format",
            "compact",
            "--changed",
            "tsconfig.json",
            "settings/editor.json",
            "package.json",
        ],
    );
    assert_eq!(
        (out.status.code(), stdout(&out)),
        (Some(0), String::new()),
        "{}",
        stderr(&out)
    );
    // --strict says which were skipped.
    let out = xacct(
        &dir,
        &[
            "lint",
            "--format",
            "compact",
            "--strict",
            "--changed",
            "settings/editor.json",
        ],
    );
    assert_eq!(
        stderr(&out),
        "note: skipped settings/editor.json: JSON with comments, no AWS document (name it to lint it)\n"
    );
}

#[test]
fn brace_globs_in_config_patterns() {
    let dir = one_error("braces");
    for name in ["dev.json", "test.json", "prod.json"] {
        std::fs::copy(dir.join("p.json"), dir.join(name)).unwrap();
    }
    std::fs::remove_file(dir.join("p.json")).unwrap();
    std::fs::write(
        dir.join("xacct.toml"),
        "exclude = [\"{dev,test}.json\"]\n[per-file-ignores]\n\"{prod,other}.json\" = [\"XA2\"]\n",
    )
    .unwrap();
    let out = xacct(&dir, &["lint", "--format", "compact", "."]);
    assert_eq!(
        (out.status.code(), stdout(&out)),
        (Some(0), String::new()),
        "{}",
        stderr(&out)
    );
    std::fs::write(dir.join("xacct.toml"), "exclude = [\"{dev,test}.json\"]\n").unwrap();
    let out = xacct(&dir, &["lint", "--format", "compact", "."]);
    assert_eq!(stdout(&out), XA202_COMPACT.replace("p.json", "./prod.json"));
}

#[test]
fn statistics_as_json() {
    let dir = two_setups("statistics");
    let out = xacct(&dir, &["lint", "--statistics", "--format", "json", "infra"]);
    assert_eq!(out.status.code(), Some(1));
    let rows: Value = serde_json::from_slice(&out.stdout).unwrap();
    let text = stdout(&xacct(&dir, &["lint", "--statistics", "-q", "infra"]));
    // The same rows as the text, in the same order.
    let from_text: Vec<Value> = text
        .lines()
        .map(|l| {
            let cells: Vec<&str> = l.split('\t').map(str::trim).collect();
            serde_json::json!({"code": cells[1], "name": cells[2], "count": cells[0].parse::<u64>().unwrap()})
        })
        .collect();
    assert_eq!(rows, Value::Array(from_text));
    assert_eq!(
        rows,
        serde_json::json!([
            {"code": "XA515", "name": "principal-role-deploy-order", "count": 2},
            {"code": "XA902", "name": "broad-foreign-grant", "count": 2},
            {"code": "XA202", "name": "cross-account-unsupported-provider", "count": 1},
            {"code": "XA503", "name": "action-role-trust-too-broad", "count": 1},
            {"code": "XA513", "name": "action-role-s3-on-every-bucket", "count": 1},
            {"code": "XA903", "name": "insecure-transport-allowed", "count": 1},
        ])
    );
    let out = xacct(
        &dir,
        &["lint", "--statistics", "--format", "sarif", "infra"],
    );
    assert_eq!(out.status.code(), Some(2));
}

/// Runs git in `dir` with no user or system config (no global excludes file), as a CI runner.
fn git(dir: &Path, args: &[&str]) -> String {
    let out = std::process::Command::new("git")
        .current_dir(dir)
        .args(args)
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .output()
        .expect("git runs (the repository is a git clone)");
    assert!(out.status.success(), "git {args:?}: {}", stderr(&out));
    String::from_utf8(out.stdout).unwrap()
}

/// Ignore files mean what git makes of them: the files xacct walks in a repository are exactly
/// the JSON files `git ls-files --others --exclude-standard` lists, over patterns where a
/// hand-made matcher goes wrong (anchoring, `**`, classes, escapes, trailing spaces, folders
/// only, `!` under an ignored folder, a deeper file overriding a shallower one).
#[test]
fn ignore_files_agree_with_git() {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("adoption/git-agrees");
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let dir = dir.canonicalize().unwrap();
    git(&dir, &["init", "-q"]);
    let pipeline =
        std::fs::read(repo_root().join("testdata/examples/jenkins-cross-account/pipeline.json"))
            .unwrap();
    let put = |path: &str, bytes: &[u8]| {
        let path = dir.join(path);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, bytes).unwrap();
    };
    let files = [
        "a.json",
        "b.json",
        "c.json",
        "#hash.json",
        "space.json",
        "important.json",
        "impossible.json",
        "root-only.json",
        "x/root-only.json",
        "logs/l.json",
        "x/logs/l.json",
        "x/y/logs/deep.json",
        "doc/d.json",
        "x/doc/d.json",
        "m/n/o/p.json",
        "m/p.json",
        "gone/kept.json",
        "gone/other.json",
        "build",
        "q/build/b.json",
        "q/r/s.json",
        "q/r/t.json",
        "q/r/u.json",
        "v/w.json",
        "v/keep/w.json",
    ];
    for file in files {
        put(file, &pipeline);
    }
    put(
        ".gitignore",
        b"[ab].json\n\\#hash.json\nspace.json   \n/root-only.json\n**/logs\ndoc/*.json\nm/**/p.json\ngone/\n!gone/kept.json\nbuild/\nimp*.json\n!important.json\nt.json\n",
    );
    // A deeper file decides first: it ignores what the root re-included, and re-includes what
    // the root ignored.
    put("q/.gitignore", b"r/s.json\n!r/t.json\n");
    put("q/r/.gitignore", b"u.json\n");
    put("v/.gitignore", b"*\n!keep/\n!keep/*.json\n!.gitignore\n");
    let listed: BTreeSet<String> = git(
        &dir,
        &["ls-files", "--others", "--exclude-standard", "--", "*.json"],
    )
    .lines()
    .map(|l| l.trim_matches('"').replace("\\043", "#"))
    .collect();
    let out = xacct(&dir, &["lint", "--format", "compact", "."]);
    let linted: BTreeSet<String> = stdout(&out)
        .lines()
        .map(|l| {
            l.split(':')
                .next()
                .unwrap()
                .trim_start_matches("./")
                .to_string()
        })
        .collect();
    assert_eq!(linted, listed);
    // Not a vacuous agreement: some files are in, some out.
    assert_eq!(
        listed.iter().map(String::as_str).collect::<Vec<_>>(),
        [
            "c.json",
            "important.json",
            "q/r/t.json",
            "v/keep/w.json",
            "x/doc/d.json",
            "x/root-only.json"
        ]
    );
}

#[test]
fn verbose_says_what_the_walk_left_out_and_why() {
    let dir = repository("verbose");
    let put = |path: &str, bytes: &[u8]| {
        let path = dir.join(path);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, bytes).unwrap();
    };
    put(".gitignore", b"build/\n*.gen.json\n");
    put("build/p.json", b"{}");
    put("sub/x.gen.json", b"{}");
    put("sub/notes.json", b"{\"a\": 1}");
    put("package.json", b"{\"name\": \"x\"}");
    put("settings.json", b"{\n  // c\n  \"a\": 1\n}\n");
    let expected = "note: skipped ./build: ignored by `build/` in .gitignore\n\
                    note: skipped ./package.json: a package manifest or tool config, no AWS document\n\
                    note: skipped ./sub/x.gen.json: ignored by `*.gen.json` in .gitignore\n\
                    note: skipped ./settings.json: JSON with comments, no AWS document (name it to lint it)\n\
                    note: skipped ./sub/notes.json: no document xacct checks\n";
    for flag in ["-v", "--verbose", "--strict"] {
        let out = xacct(&dir, &["lint", "--format", "compact", flag, "."]);
        assert_eq!(
            (out.status.code(), stderr(&out).as_str()),
            (Some(0), expected),
            "{flag}"
        );
    }
    // From below, the ignore file is named from there; without the flag, nothing is said.
    let out = xacct(
        &dir.join("sub"),
        &["lint", "--format", "compact", "-v", "."],
    );
    assert_eq!(
        stderr(&out),
        format!(
            "note: skipped ./x.gen.json: ignored by `*.gen.json` in {}\nnote: skipped ./notes.json: no document xacct checks\n",
            dir.join(".gitignore").display()
        )
    );
    let out = xacct(&dir, &["lint", "--format", "compact", "."]);
    assert_eq!(stderr(&out), "");
    // -v and -q say opposite things.
    let out = xacct(&dir, &["lint", "-v", "-q", "."]);
    assert_eq!(out.status.code(), Some(2));
}
