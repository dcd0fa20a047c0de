//! End-to-end behaviour of the binary: rendered output (snapshots), exit statuses, discovery,
//! and bad input that must give a clean finding rather than a crash.
//!
//! Snapshots live in `tests/snapshots/`; `XACCT_BLESS=1` rewrites them.

use std::process::Command;

mod common;
use common::{copy_tree, repo_root, scratch, snapshot, stdout, xacct};

#[test]
fn text_output_renders_spans_labels_and_help() {
    let out = xacct(
        &repo_root(),
        &[
            "lint",
            "--color",
            "never",
            "testdata/examples/qa-cloudformation-passrole/pipeline.json",
        ],
    );
    assert_eq!(out.status.code(), Some(1));
    snapshot("qa-passrole.txt", &stdout(&out));
}

#[test]
fn json_output_is_the_documented_contract() {
    let out = xacct(
        &repo_root(),
        &["lint", "--format", "json", "testdata/rules/XA306/fail.json"],
    );
    // A warning alone does not fail the run at the default --fail-on error.
    assert_eq!(out.status.code(), Some(0));
    let text = stdout(&out);
    snapshot("key-elsewhere.json", &text);
    let json: serde_json::Value = serde_json::from_str(&text).unwrap();
    let d = &json["diagnostics"][0];
    assert_eq!(d["code"], "XA306");
    assert_eq!(d["severity"], "warning");
    assert_eq!(
        (d["start"]["line"].as_u64(), d["start"]["column"].as_u64()),
        (Some(9), Some(15))
    );
    assert_eq!(d["labels"][0]["start"]["line"], 103);
    assert_eq!(
        json["summary"],
        serde_json::json!({"files": 1, "errors": 0, "warnings": 1, "infos": 0})
    );
}

#[test]
fn fail_on_decides_the_exit_status() {
    let root = repo_root();
    // A run whose one finding is a warning.
    let file = "testdata/rules/XA306/fail.json";
    assert_eq!(
        xacct(&root, &["lint", "--fail-on", "warning", file])
            .status
            .code(),
        Some(1)
    );
    assert_eq!(
        xacct(&root, &["lint", "--fail-on", "error", file])
            .status
            .code(),
        Some(0)
    );
    let clean = "testdata/examples/walkthrough-codedeploy/pipeline.json";
    let out = xacct(&root, &["lint", "--fail-on", "info", clean]);
    assert_eq!(out.status.code(), Some(0));
    assert_eq!(
        stdout(&out),
        "0 errors, 0 warnings, 0 infos in 1 file (1 checked)\n"
    );
}

#[test]
fn a_missing_path_is_a_finding_and_the_other_paths_are_linted() {
    let out = xacct(
        &repo_root(),
        &[
            "lint",
            "--format",
            "compact",
            "does/not/exist.json",
            "testdata/examples/qa-cloudformation-passrole/pipeline.json",
        ],
    );
    // A run that started is never exit status 2: the missing path is an error finding.
    assert_eq!(out.status.code(), Some(1));
    let text = stdout(&out);
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(
        lines[0],
        "does/not/exist.json:1:1: error[XA001] cannot read the file: No such file or directory (os error 2)"
    );
    assert!(
        lines[1].starts_with(
            "testdata/examples/qa-cloudformation-passrole/pipeline.json:97:26: error[XA203]"
        ),
        "{text}"
    );
    assert_eq!(String::from_utf8_lossy(&out.stderr), "");
}

#[test]
fn a_bad_region_is_a_usage_error() {
    let out = xacct(
        &repo_root(),
        &["lint", "--region", "useast1", "testdata/examples"],
    );
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(
        String::from_utf8_lossy(&out.stderr),
        "error: --region `useast1` is not an AWS region name (e.g. us-east-1)\n"
    );
}

#[test]
fn a_bad_glob_is_a_usage_error() {
    let out = xacct(
        &repo_root(),
        &["lint", "--exclude", "[", "testdata/examples"],
    );
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn bad_input_gets_a_finding_and_the_other_files_are_still_linted() {
    let dir = scratch("bad-input");
    std::fs::write(dir.join("a-empty.json"), "").unwrap();
    std::fs::write(dir.join("b-binary.json"), b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR").unwrap();
    std::fs::write(dir.join("c-utf16.json"), b"\xff\xfe{\0}\0").unwrap();
    std::fs::write(dir.join("d-latin1.json"), b"{\"name\": \"caf\xe9\"}").unwrap();
    std::fs::write(dir.join("e-deep.json"), "[".repeat(100_000)).unwrap();
    std::fs::write(
        dir.join("f-truncated.json"),
        "{\"pipeline\": {\"name\": \"x\",",
    )
    .unwrap();
    std::fs::write(
        dir.join("g-statement-object.json"),
        "{\"Version\": \"2012-10-17\", \"Statement\": {}}",
    )
    .unwrap();
    std::fs::copy(
        repo_root().join("testdata/examples/qa-cloudformation-passrole/pipeline.json"),
        dir.join("h-pipeline.json"),
    )
    .unwrap();
    std::fs::write(dir.join("notes.txt"), "not linted: not JSON").unwrap();
    std::fs::create_dir(dir.join("node_modules")).unwrap();
    std::fs::write(dir.join("node_modules/broken.json"), "{").unwrap();
    let out = xacct(&dir, &["lint", "--format", "compact", "."]);
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(
        stdout(&out),
        "\
./a-empty.json:1:1: error[XA001] cannot read the file: the file is empty
./b-binary.json:1:1: error[XA001] cannot read the file: the file is binary (PNG image), not a text document
./c-utf16.json:1:1: error[XA001] cannot read the file: the file is UTF-16 encoded (as PowerShell's `>` writes it); xacct reads UTF-8
./d-latin1.json:1:14: error[XA001] cannot read the file: the file is not valid UTF-8 (invalid byte 0xe9 at offset 13)
./e-deep.json:1:257: error[XA005] nesting is deeper than 256 levels
./f-truncated.json:1:27: error[XA001] invalid JSON: unexpected end of file, expected a string key
./g-statement-object.json:1:1: info[XA003] cannot tell which role this identity policy governs
./g-statement-object.json:1:40: error[XA003] invalid policy: the statement has neither `Action` nor `NotAction`
./g-statement-object.json:1:40: error[XA003] invalid policy: the statement has no `Effect`
./h-pipeline.json:97:26: error[XA203] `RoleArn` of CloudFormation action `my-stack` is in account 000000000000, but the action runs in the pipeline account 111111111111: CloudFormation will fail with \"Cross-account pass role is not allowed\"
"
    );
}

#[test]
fn nothing_readable_is_a_finding_not_trouble() {
    // Exit status 2 is for a run that cannot start; an unreadable file is an error finding.
    let dir = scratch("nothing-readable");
    std::fs::write(dir.join("empty.json"), "").unwrap();
    let out = xacct(&dir, &["lint", "empty.json"]);
    assert_eq!(out.status.code(), Some(1));
}

#[test]
fn an_explicit_unknown_document_is_reported_a_walked_one_is_not() {
    let dir = scratch("unknown-doc");
    std::fs::write(
        dir.join("package.json"),
        "{\"name\": \"app\", \"version\": \"1.0.0\"}",
    )
    .unwrap();
    let walked = xacct(&dir, &["lint", "--format", "compact", "."]);
    assert_eq!(
        (walked.status.code(), stdout(&walked).as_str()),
        (Some(0), "")
    );
    let named = xacct(&dir, &["lint", "--format", "compact", "package.json"]);
    assert_eq!(named.status.code(), Some(1));
    assert_eq!(
        stdout(&named),
        "package.json:1:1: error[XA003] not a document xacct knows: found an object with keys `name`, `version`\n"
    );
}

#[cfg(unix)]
#[test]
fn symlink_loops_and_fifos_do_not_hang_or_crash() {
    let dir = scratch("loops");
    std::fs::create_dir(dir.join("sub")).unwrap();
    std::os::unix::fs::symlink("..", dir.join("sub/up")).unwrap();
    std::fs::write(
        dir.join("sub/ok.json"),
        "{\"AWSTemplateFormatVersion\": \"2010-09-09\"}",
    )
    .unwrap();
    let fifo = dir.join("pipe.json");
    let made = Command::new("mkfifo")
        .arg(&fifo)
        .status()
        .map(|s| s.success())
        .unwrap_or(false);
    let out = xacct(&dir, &["lint", "--format", "compact", "."]);
    let text = stdout(&out);
    // Links to folders are not followed (what they hold is in the tree or outside it), so a
    // loop is no trouble at all; a FIFO found by walking is no regular file and is skipped.
    assert_eq!(text, "");
    assert_eq!(out.status.code(), Some(0));
    if made {
        // Named explicitly, it is reported, never read (reading would block).
        let named = xacct(&dir, &["lint", "--format", "compact", "pipe.json"]);
        assert_eq!(
            stdout(&named),
            "pipe.json:1:1: error[XA001] cannot read the file: it is a FIFO (named pipe), not a regular file\n"
        );
        assert_eq!(named.status.code(), Some(1));
    }
}

#[test]
fn include_and_exclude_filter_walked_files() {
    let root = repo_root();
    let out = xacct(
        &root,
        &[
            "lint",
            "--format",
            "compact",
            "--exclude",
            "*alias*",
            "--exclude",
            "qa-*",
            "testdata/examples",
        ],
    );
    let text = stdout(&out);
    assert!(!text.contains("XA302") && !text.contains("XA203"), "{text}");
    assert!(text.contains("XA304") && text.contains("XA202"), "{text}");
    let out = xacct(
        &root,
        &[
            "lint",
            "--format",
            "compact",
            "--include",
            "*/qa-*/*.json",
            "testdata/examples",
        ],
    );
    assert_eq!(stdout(&out).lines().count(), 1);
}

#[test]
fn rules_and_explain() {
    let root = repo_root();
    let rules = stdout(&xacct(&root, &["rules"]));
    assert!(
        rules
            .lines()
            .any(|l| l.starts_with("XA201  artifact-crosses-foreign-accounts")),
        "{rules}"
    );
    let page = xacct(&root, &["explain", "xa203"]);
    assert_eq!(page.status.code(), Some(0));
    assert_eq!(
        stdout(&page),
        std::fs::read_to_string(root.join("crates/xacct-rules/rules/XA203.md")).unwrap()
    );
    let by_name = xacct(&root, &["explain", "cfn-role-account-mismatch"]);
    assert_eq!(stdout(&by_name), stdout(&page));
    assert_eq!(xacct(&root, &["explain", "XA999"]).status.code(), Some(2));
}

#[test]
fn config_mistakes_point_into_the_config_and_stop_the_run() {
    let dir = scratch("config-errors");
    std::fs::write(
        dir.join("xacct.toml"),
        "region = \"us-east-2\"\n[accounts]\nprod = \"4444\"\n",
    )
    .unwrap();
    let out = xacct(&dir, &["lint", "--color", "never", "."]);
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("invalid config: account `prod`: `4444` is not a 12-digit account ID"),
        "{stderr}"
    );
    assert!(stderr.contains("xacct.toml:3:8"), "{stderr}");
    std::fs::write(dir.join("xacct.toml"), "regoin = \"us-east-2\"\n").unwrap();
    let out = xacct(&dir, &["lint", "."]);
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("unknown field `regoin`"), "{stderr}");
    std::fs::write(
        dir.join("xacct.toml"),
        "[[bind]]\nfile = \"a.json\"\nrole = \"arn:aws:iam::1:role/x\"\n",
    )
    .unwrap();
    let stderr = String::from_utf8_lossy(&xacct(&dir, &["lint", "."]).stderr).to_string();
    assert!(
        stderr.contains("`arn:aws:iam::1:role/x` is not an IAM role ARN"),
        "{stderr}"
    );
}

#[test]
fn a_binding_ties_a_policy_file_to_its_subject() {
    let dir = scratch("config-bind");
    std::fs::create_dir(dir.join("policies")).unwrap();
    let policy = r#"{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}]}"#;
    std::fs::write(dir.join("policies/deployer.json"), policy).unwrap();
    std::fs::write(dir.join("policies/other.json"), policy).unwrap();
    let unbound = xacct(&dir, &["lint", "--format", "compact", "."]);
    assert_eq!(
        stdout(&unbound),
        "./policies/deployer.json:1:1: info[XA003] cannot tell which role this identity policy governs\n\
         ./policies/other.json:1:1: info[XA003] cannot tell which role this identity policy governs\n"
    );
    std::fs::write(
        dir.join("xacct.toml"),
        "[[bind]]\nfile = \"policies/deployer.json\"\nrole = \"arn:aws:iam::222222222222:role/Deployer\"\n",
    )
    .unwrap();
    let bound = xacct(&dir, &["lint", "--format", "compact", "."]);
    assert_eq!(stdout(&bound), "./policies/other.json:1:1: info[XA003] cannot tell which role this identity policy governs\n");
    // The same from a subfolder: the config is found above, patterns stay relative to it.
    let sub = xacct(&dir.join("policies"), &["lint", "--format", "compact", "."]);
    assert_eq!(
        stdout(&sub),
        "./other.json:1:1: info[XA003] cannot tell which role this identity policy governs\n"
    );
}

#[test]
fn a_missing_grant_in_get_bucket_policy_output_points_inside_the_embedded_string() {
    // The walkthrough setup without the bucket policy's cross-account grant: the bucket policy
    // is `aws s3api get-bucket-policy` output, a JSON document inside a JSON string.
    let dir = scratch("embedded-bucket-policy");
    copy_tree(&repo_root().join("testdata/setups/walkthrough"), &dir);
    let policy_path = dir.join("tools-111111111111/artifact-bucket-policy.json");
    let outer: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&policy_path).unwrap()).unwrap();
    let mut inner: serde_json::Value =
        serde_json::from_str(outer["Policy"].as_str().unwrap()).unwrap();
    inner["Statement"]
        .as_array_mut()
        .unwrap()
        .retain(|s| s["Sid"] != "CrossAccountArtifacts");
    let text = format!(
        "{{\n    \"Policy\": {}\n}}\n",
        serde_json::to_string(&serde_json::to_string(&inner).unwrap()).unwrap()
    );
    std::fs::write(&policy_path, &text).unwrap();
    let out = xacct(&dir, &["lint", "--format", "json", "."]);
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    // (The instance role of account 222222222222 loses the grant too: XA507, a warning.)
    let findings: Vec<&serde_json::Value> = json["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|d| d["severity"] == "error")
        .collect();
    assert_eq!(findings.len(), 1, "{}", stdout(&out));
    let d = findings[0];
    assert_eq!(d["code"], "XA401");
    assert_eq!(
        d["path"],
        "./tools-111111111111/artifact-bucket-policy.json"
    );
    // The span covers `\"Statement\"` inside the string, escapes included, on line 2.
    let (start, end) = (
        d["start"]["offset"].as_u64().unwrap() as usize,
        d["end"]["offset"].as_u64().unwrap() as usize,
    );
    assert_eq!(&text[start..end], r#"\"Statement\""#);
    let column = text[..start].rsplit('\n').next().unwrap().chars().count() + 1;
    assert_eq!(
        (d["start"]["line"].as_u64(), d["start"]["column"].as_u64()),
        (Some(2), Some(column as u64))
    );
    // The secondary label is in the other file: where the pipeline names the role.
    assert_eq!(d["labels"][0]["path"], "./tools-111111111111/pipeline.json");
    assert_eq!(d["labels"][0]["start"]["line"], 90);
}

#[test]
fn cdk_stacks_take_their_accounts_from_the_manifest() {
    // The pipeline stack's template says `Fn::GetAtt PipelineRole.Arn`; only the manifest's
    // `aws://111111111111/us-east-2` makes it a role of 111111111111.
    let out = xacct(
        &repo_root(),
        &[
            "lint",
            "--format",
            "json",
            "--strict",
            "testdata/cdk/pipeline/cdk.out",
        ],
    );
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let messages: Vec<&str> = json["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["message"].as_str().unwrap())
        .collect();
    assert!(
        messages.iter().any(|m| m.contains("`arn:aws:iam::111111111111:role/${PipelineRoleB27FAA37}` may sts:AssumeRole on `arn:aws:iam::222222222222:role/cdk-hnb659fds-deploy-role-222222222222-us-east-2`")),
        "{messages:#?}"
    );
    // And the mistake is found in the pipeline stack, at the action's deployment role.
    let out = xacct(
        &repo_root(),
        &[
            "lint",
            "--format",
            "json",
            "testdata/cdk/release-mistake/cdk.out",
        ],
    );
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let d = &json["diagnostics"][0];
    assert_eq!(d["code"], "XA203");
    assert_eq!(
        d["path"],
        "testdata/cdk/release-mistake/cdk.out/ReleaseStack.template.json"
    );
    assert!(d["message"]
        .as_str()
        .unwrap()
        .contains("runs in account 222222222222"));
}

#[test]
fn each_file_takes_the_nearest_config() {
    // From the repository root, each setup's own xacct.toml (its [[bind]], [[stack]],
    // [parameters] and region) applies to its files, as ruff's nearest pyproject.toml does.
    let out = xacct(
        &repo_root(),
        &[
            "lint",
            "--format",
            "compact",
            "--strict",
            "--fail-on",
            "info",
            "testdata/setups/walkthrough/",
            "testdata/setups/walkthrough-cfn/",
        ],
    );
    assert_eq!(stdout(&out), "");
    assert_eq!(out.status.code(), Some(0));
}

#[test]
fn terraform_folders_are_read_as_one_module_whichever_file_is_named() {
    let dir = scratch("terraform-only");
    std::fs::write(
        dir.join("main.tf"),
        "resource \"aws_kms_key\" \"k\" {\n  policy = data.aws_iam_policy_document.d.json\n}\n",
    )
    .unwrap();
    std::fs::write(
        dir.join("policy.tf"),
        "data \"aws_iam_policy_document\" \"d\" {\n  statement {\n    actions   = [\"kms:Decrypt\"]\n    resources = [\"*\"]\n    principals {\n      type        = \"AWS\"\n      identifiers = [\"*\"]\n    }\n  }\n}\n",
    )
    .unwrap();
    // A named file brings its folder's other files: they are one module.
    for (named, shown) in [(".", "./policy.tf"), ("main.tf", "policy.tf")] {
        let args = ["lint", named, "--format", "compact"];
        let out = xacct(&dir, &args);
        assert_eq!(out.status.code(), Some(1), "{args:?}");
        assert_eq!(
            stdout(&out),
            format!(
                "{shown}:2:3: error[XA317] no statement of this key policy allows kms:PutKeyPolicy to a principal of the key's account: KMS refuses the policy unless BypassPolicyLockoutSafetyCheck is set (\"The new key policy will not allow you to update the key policy in the future\"), and with it set no principal could change the policy again\n\
                 {shown}:7:22: error[XA901] this key policy allows everyone (*) to kms:Decrypt with no condition\n"
            ),
            "{args:?}"
        );
        assert_eq!(String::from_utf8_lossy(&out.stderr), "", "{args:?}");
    }
}

#[test]
fn bindings_of_organization_policies_and_managed_policies_are_checked() {
    let dir = scratch("config-bind-organization");
    let scp = r#"{"Policy": {"PolicySummary": {"Name": "Guard", "Type": "SERVICE_CONTROL_POLICY"}, "Content": "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Deny\",\"Action\":\"kms:*\",\"Resource\":\"*\"}]}"}}"#;
    std::fs::write(dir.join("scp.json"), scp).unwrap();
    // Tied to nothing: an info with the entry to add.
    let out = xacct(&dir, &["lint", "--format", "compact", "."]);
    assert_eq!(
        stdout(&out),
        "./scp.json:1:95: info[XA003] cannot tell which accounts this service control policy applies to\n"
    );
    let cases = [
        (
            "[[bind]]\nfile = \"scp.json\"\naccounts = [\"prod\"]\n",
            "`prod` is neither a 12-digit account ID nor a name in [accounts]",
            "xacct.toml:3:13",
        ),
        (
            "[[bind]]\nfile = \"scp.json\"\naccounts = []\n",
            "`accounts` lists no account",
            "xacct.toml:3:12",
        ),
        (
            "[[bind]]\nfile = \"b.json\"\npolicy = \"arn:aws:iam::222222222222:role/Boundary\"\n",
            "`arn:aws:iam::222222222222:role/Boundary` is not an IAM managed policy ARN",
            "xacct.toml:3:10",
        ),
        (
            "[[bind]]\nfile = \"scp.json\"\naccounts = [\"222222222222\"]\nkey = \"arn:aws:kms:us-east-2:111111111111:key/1234abcd-12ab-34cd-56ef-1234567890ab\"\n",
            "exactly one of `role`, `bucket`, `key`, `policy` or `accounts`",
            "xacct.toml:1:1",
        ),
    ];
    for (config, message, at) in cases {
        std::fs::write(dir.join("xacct.toml"), config).unwrap();
        let out = xacct(&dir, &["lint", "--color", "never", "."]);
        assert_eq!(out.status.code(), Some(2), "{config}");
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(stderr.contains(message), "{config}: {stderr}");
        assert!(stderr.contains(at), "{config}: {stderr}");
    }
    // Tied to an account by name: no finding.
    std::fs::write(
        dir.join("xacct.toml"),
        "[accounts]\nprod = \"222222222222\"\n[[bind]]\nfile = \"scp.json\"\naccounts = [\"prod\"]\n",
    )
    .unwrap();
    let out = xacct(&dir, &["lint", "--format", "compact", "."]);
    assert_eq!((out.status.code(), stdout(&out)), (Some(0), String::new()));
}

#[test]
fn timings_name_every_phase_in_order_on_standard_error_only() {
    let args = ["lint", "--format", "compact", "testdata/setups/walkthrough"];
    let plain = xacct(&repo_root(), &args);
    let timed = xacct(&repo_root(), &[&args[..], &["--timings"]].concat());
    // The findings and the exit status are the run's own: timings only add a line on stderr.
    assert_eq!(timed.status.code(), plain.status.code());
    assert_eq!(stdout(&timed), stdout(&plain));
    let stderr = String::from_utf8_lossy(&timed.stderr);
    let line = stderr
        .lines()
        .find(|l| l.starts_with("timings: "))
        .unwrap_or_else(|| panic!("no timings line in {stderr:?}"));
    let phases: Vec<&str> = line["timings: ".len()..]
        .split(", ")
        .map(|part| {
            let (name, value) = part.split_once(' ').unwrap();
            let number = value.strip_suffix(" ms").unwrap();
            assert!(number.parse::<f64>().is_ok(), "{part:?} in {line:?}");
            name
        })
        .collect();
    assert_eq!(
        phases,
        [
            "discover", "configs", "read", "load", "assemble", "graph", "rules", "place", "texts",
            "report", "total"
        ]
    );
    assert!(!String::from_utf8_lossy(&plain.stderr).contains("timings:"));
}

/// On glibc Linux the binary allocates with jemalloc and hands it its options (main.rs): the
/// allocator itself says which it read (`confirm_conf`), and that the environment still
/// overrides them.
#[cfg(all(target_os = "linux", target_env = "gnu"))]
#[test]
fn jemalloc_reads_the_binary_s_options() {
    let out = Command::new(env!("CARGO_BIN_EXE_xacct"))
        .current_dir(repo_root())
        .args(["lint", "testdata/rules/XA306/fail.json"])
        .env("_RJEM_MALLOC_CONF", "confirm_conf:true")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    let stderr = String::from_utf8_lossy(&out.stderr);
    let from_binary = stderr
        .lines()
        .find(|l| l.contains("global variable malloc_conf)"))
        .unwrap_or_else(|| panic!("jemalloc confirmed no options in {stderr:?}"));
    assert!(
        from_binary.ends_with(": \"oversize_threshold:1048576\""),
        "{from_binary}"
    );
    assert!(stderr.contains("-- Set conf value: oversize_threshold:1048576"));
    assert!(stderr.contains("-- Set conf value: confirm_conf:true"));
}
