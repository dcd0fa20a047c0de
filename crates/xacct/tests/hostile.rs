//! Hostile input, one test per class of failure issue 12 names: whatever a file, a path, a
//! config or an argument holds, xacct never crashes, hangs, reads or prints what lies outside
//! the lint roots, forges output lines or loses the other files' findings. The committed
//! corpus is `testdata/hostile/` (its README says what each file does); what cannot be
//! committed (FIFOs, links, sparse files, odd names, very large files) is made here in a
//! scratch folder. docs/robustness.md lists the guarantees these tests hold the program to.

use std::ffi::OsStr;
use std::os::unix::ffi::OsStrExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

mod common;
use common::{copy_tree, repo_root, scratch};

/// Runs xacct in `dir`, killing it (and failing) past `limit`: a hang is a failure, not a
/// stuck test run.
fn run_within(dir: &Path, args: &[&OsStr], limit: Duration) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_xacct"))
        .current_dir(dir)
        .args(args)
        .env_remove("NO_COLOR")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // Read the pipes on threads, so a large output cannot block the child.
    let mut stdout = child.stdout.take().unwrap();
    let mut stderr = child.stderr.take().unwrap();
    let out = std::thread::spawn(move || {
        let mut buf = Vec::new();
        std::io::Read::read_to_end(&mut stdout, &mut buf).unwrap();
        buf
    });
    let err = std::thread::spawn(move || {
        let mut buf = Vec::new();
        std::io::Read::read_to_end(&mut stderr, &mut buf).unwrap();
        buf
    });
    let started = Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        if started.elapsed() > limit {
            let _ = child.kill();
            let _ = child.wait();
            panic!("xacct {args:?} in {} ran past {limit:?}", dir.display());
        }
        std::thread::sleep(Duration::from_millis(5));
    };
    Output {
        status,
        stdout: out.join().unwrap(),
        stderr: err.join().unwrap(),
    }
}

/// [`run_within`] with string arguments and a generous bound (debug builds on a loaded machine).
fn run(dir: &Path, args: &[&str]) -> Output {
    let args: Vec<&OsStr> = args.iter().map(OsStr::new).collect();
    run_within(dir, &args, Duration::from_secs(120))
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8(bytes.to_vec()).expect("output is UTF-8")
}

/// The raw characters no output may carry: C0 controls but tab and newline, DEL, C1, and the
/// invisible reordering characters.
fn raw_controls(bytes: &[u8]) -> Vec<char> {
    String::from_utf8_lossy(bytes)
        .chars()
        .filter(|&c| {
            (c < ' ' && c != '\n' && c != '\t')
                || ('\u{7f}'..='\u{9f}').contains(&c)
                || matches!(c, '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}' | '\u{061c}')
        })
        .collect()
}

fn hostile(name: &str) -> String {
    format!("testdata/hostile/{name}")
}

/// A scratch copy of the walkthrough setup (policies and pipeline as CLI output).
fn walkthrough(name: &str) -> PathBuf {
    let dir = scratch(name);
    copy_tree(&repo_root().join("testdata/setups/walkthrough"), &dir);
    dir
}

/// The largest resident set of the children waited for so far, in bytes.
fn children_peak_rss() -> u64 {
    // SAFETY: getrusage writes into the struct we hand it.
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    unsafe { libc::getrusage(libc::RUSAGE_CHILDREN, &mut usage) };
    usage.ru_maxrss as u64 * 1024
}

// 1. Text output panicked on any invalid UTF-8 byte, and every file's findings were lost.
#[test]
fn class_01_invalid_utf8_never_breaks_text_output() {
    let out = run(
        &repo_root(),
        &[
            "lint",
            "--format",
            "text",
            &hostile("invalid-utf8.json"),
            "testdata/examples/qa-cloudformation-passrole/pipeline.json",
        ],
    );
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(text(&out.stderr), "");
    let shown = text(&out.stdout);
    assert!(shown.contains(
        "× cannot read the file: the file is not valid UTF-8 (invalid byte 0xff at offset 2215)"
    ));
    assert!(
        shown.contains("[testdata/hostile/invalid-utf8.json:85:31]"),
        "{shown}"
    );
    // The other file's finding is still there.
    assert!(shown.contains("[testdata/examples/qa-cloudformation-passrole/pipeline.json:97:26]"));
    assert!(shown.ends_with("2 errors, 0 warnings, 0 infos in 2 files (1 checked)\n"));
}

// 2. Intrinsic cycles (Ref A→B→A, GetAtt, Sub on itself, FindInMap) and a 10,000-long Ref chain
//    overflowed the stack in `lint`, `init` and `graph`.
#[test]
fn class_02_intrinsic_cycles_and_chains_do_not_overflow() {
    let dir = scratch("hostile-cycles");
    std::fs::copy(
        repo_root().join(hostile("cfn-cycles.yaml")),
        dir.join("cycles.yaml"),
    )
    .unwrap();
    let mut chain = String::from("AWSTemplateFormatVersion: \"2010-09-09\"\nResources:\n");
    for i in 0..10_000 {
        chain.push_str(&format!(
            "  R{i}: {{Type: AWS::IAM::Role, Properties: {{RoleName: !Ref R{}}}}}\n",
            i + 1
        ));
    }
    chain.push_str("  R10000: {Type: AWS::IAM::Role, Properties: {RoleName: last}}\n");
    chain.push_str("  Top: {Type: AWS::IAM::Role, Properties: {RoleName: top, AssumeRolePolicyDocument: {Version: \"2012-10-17\", Statement: [{Effect: Allow, Principal: {AWS: !GetAtt R0.Arn}, Action: sts:AssumeRole}]}}}\n");
    std::fs::write(dir.join("chain.yaml"), chain).unwrap();
    let out = run(
        &dir,
        &["lint", "--format", "compact", "--region", "us-east-1", "."],
    );
    assert_eq!(
        text(&out.stdout),
        "\
./chain.yaml:323:55: error[XA005] intrinsic functions and the references they follow nest deeper than 320 levels; values from here on are left unknown
./cycles.yaml:5:10: error[XA003] `Fn::FindInMap` in `Mappings`: mapping values are literals, CloudFormation allows no intrinsic function there
./cycles.yaml:10:17: error[XA007] circular dependency between resources `A` → `B` → `A`: CloudFormation refuses the template
./cycles.yaml:20:17: error[XA007] circular dependency between resources `C` → `C`: CloudFormation refuses the template
"
    );
    assert_eq!(out.status.code(), Some(1));
    let graph = run(
        &dir,
        &["graph", "--format", "json", "--region", "us-east-1", "."],
    );
    assert_eq!(graph.status.code(), Some(0), "{}", text(&graph.stderr));
    let init = run(&dir, &["init"]);
    assert_eq!(init.status.code(), Some(0), "{}", text(&init.stderr));
}

// 3. Intrinsics were evaluated again and again: 40 resources each `!Sub "${Next}${Next}"`
//    never finished.
#[test]
fn class_03_intrinsics_are_worked_out_once_within_a_budget() {
    let started = Instant::now();
    let out = run(
        &repo_root(),
        &[
            "lint",
            "--format",
            "compact",
            "--region",
            "us-east-1",
            &hostile("cfn-sub-doubling.yaml"),
        ],
    );
    assert_eq!(
        text(&out.stdout),
        "testdata/hostile/cfn-sub-doubling.yaml:20:54: error[XA005] evaluating the template's intrinsic functions takes more steps than the limit; values from here on are left unknown\n"
    );
    // Not a timing claim: a bound far above the few milliseconds it takes, far below "never".
    assert!(started.elapsed() < Duration::from_secs(60));
}

// 4. A minified file whose finding lies past column 65,535 panicked.
#[test]
fn class_04_columns_past_65535_are_exact_in_every_format() {
    let file = hostile("minified-long-line.json");
    let compact = run(&repo_root(), &["lint", "--format", "compact", &file]);
    assert_eq!(
        text(&compact.stdout),
        "\
testdata/hostile/minified-long-line.json:1:349: error[XA107] pipeline.stages[0].name: value is 70000 characters long (at most 100)
testdata/hostile/minified-long-line.json:1:71404: error[XA203] `RoleArn` of CloudFormation action `my-stack` is in account 000000000000, but the action runs in the pipeline account 111111111111: CloudFormation will fail with \"Cross-account pass role is not allowed\"
"
    );
    let shown = text(&run(&repo_root(), &["lint", "--format", "text", &file]).stdout);
    assert!(
        shown.contains("[testdata/hostile/minified-long-line.json:1:71404]"),
        "{shown}"
    );
    let sarif: serde_json::Value =
        serde_json::from_slice(&run(&repo_root(), &["lint", "--format", "sarif", &file]).stdout)
            .unwrap();
    let region = &sarif["runs"][0]["results"][1]["locations"][0]["physicalLocation"]["region"];
    assert_eq!(region["startColumn"], 71404);
    let github = text(&run(&repo_root(), &["lint", "--format", "github", &file]).stdout);
    assert!(github.contains(",col=71404,"), "{github}");
}

// 5. YAML anchors were copied when defined, and the alias budget counted nodes, not bytes: a
//    400 KB bomb ran past 2 GB; a large scalar aliased 90,000 times passed the budget.
#[test]
fn class_05_alias_expansion_is_bounded_in_bytes() {
    let dir = scratch("hostile-aliases");
    // A bomb of anchors nested in anchors, each defined over a large block (copying each
    // definition would be quadratic), and a 4 KiB scalar aliased 90,000 times (360 MB).
    let mut nested = String::from("AWSTemplateFormatVersion: \"2010-09-09\"\nMetadata:\n");
    nested.push_str(&format!("  l0: &l0 [\"{}\"]\n", "z".repeat(20_000)));
    for level in 1..20 {
        nested.push_str(&format!(
            "  l{level}: &l{level} [*l{0}, *l{0}, *l{0}, *l{0}]\n",
            level - 1
        ));
    }
    nested.push_str("Resources: {}\n");
    std::fs::write(dir.join("nested.yaml"), nested).unwrap();
    let mut scalar = format!(
        "AWSTemplateFormatVersion: \"2010-09-09\"\nMetadata:\n  big: &big \"{}\"\n  many:\n",
        "y".repeat(4096)
    );
    for _ in 0..90_000 {
        scalar.push_str("    - *big\n");
    }
    scalar.push_str("Resources: {}\n");
    std::fs::write(dir.join("scalar.yaml"), scalar).unwrap();
    let out = run(&dir, &["lint", "--format", "compact", "."]);
    assert_eq!(
        text(&out.stdout),
        "\
./nested.yaml:8:17: error[XA005] aliases expand into more than 16777216 bytes
./scalar.yaml:4061:7: error[XA005] aliases expand into more than 16777216 bytes
"
    );
    // Bounded memory: the 16 MiB budget and the files, far below the gigabytes of before.
    assert!(
        children_peak_rss() < 512 * 1024 * 1024,
        "peak {} bytes",
        children_peak_rss()
    );
}

// 6. Files outside the linted tree were read and echoed: a cdk.out manifest whose
//    templateFile is absolute or climbs with ../, a symlink to /etc or /proc; `init` wrote a
//    foreign account it read that way into xacct.toml.
#[test]
fn class_06_nothing_outside_the_lint_roots_is_read() {
    let base = scratch("hostile-outside");
    let tree = base.join("repo");
    std::fs::create_dir_all(tree.join("cdk.out")).unwrap();
    // A template outside the tree naming a foreign account, and a secret.
    std::fs::write(
        base.join("outside.template.json"),
        r#"{"Resources": {"R": {"Type": "AWS::IAM::Role", "Properties": {"RoleName": "SECRET-TOKEN", "AssumeRolePolicyDocument": {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::999999999999:root"}, "Action": "sts:AssumeRole"}]}}}}}"#,
    )
    .unwrap();
    let absolute = base.join("outside.template.json");
    std::fs::write(
        tree.join("cdk.out/manifest.json"),
        format!(
            r#"{{"version": "36.0.0", "artifacts": {{
              "Abs": {{"type": "aws:cloudformation:stack", "environment": "aws://999999999999/us-east-1", "properties": {{"templateFile": "{}"}}}},
              "Up": {{"type": "aws:cloudformation:stack", "environment": "aws://999999999999/us-east-1", "properties": {{"templateFile": "../../outside.template.json"}}}},
              "Nested": {{"type": "cdk:cloud-assembly", "properties": {{"directoryName": "../.."}}}}}}}}"#,
            absolute.display()
        ),
    )
    .unwrap();
    std::os::unix::fs::symlink("/etc/passwd", tree.join("passwd.json")).unwrap();
    std::os::unix::fs::symlink("/proc/self/pagemap", tree.join("pagemap.json")).unwrap();
    std::os::unix::fs::symlink("../outside.template.json", tree.join("up.json")).unwrap();
    for format in ["compact", "text", "json", "sarif", "github", "junit"] {
        let out = run(&tree, &["lint", "--format", format, "."]);
        for stream in [&out.stdout, &out.stderr] {
            let shown = String::from_utf8_lossy(stream);
            assert!(!shown.contains("SECRET-TOKEN"), "{format}: {shown}");
            assert!(!shown.contains("root:x:0:0"), "{format}: {shown}");
        }
        assert_eq!(out.status.code(), Some(1), "{format}");
    }
    let compact = run(&tree, &["lint", "--format", "compact", "."]);
    let refused = "error[XA001] not read: it leads outside the folders being linted (a symlink or `..` out of the tree); xacct reads nothing there";
    assert_eq!(
        text(&compact.stdout),
        // Walked files first, then the templates the manifest lists.
        format!(
            "\
./pagemap.json:1:1: {refused}
./passwd.json:1:1: {refused}
./up.json:1:1: {refused}
{}:1:1: {refused}
./cdk.out/../../outside.template.json:1:1: {refused}
",
            absolute.display()
        )
    );
    // Named on the command line, a link out of its folder is refused the same way.
    let named = run(&tree, &["lint", "--format", "compact", "passwd.json"]);
    assert_eq!(text(&named.stdout), format!("passwd.json:1:1: {refused}\n"));
    // `init` learns nothing from outside: no foreign account in the config it writes.
    let init = run(&tree, &["init"]);
    assert_eq!(init.status.code(), Some(0), "{}", text(&init.stderr));
    let config = std::fs::read_to_string(tree.join("xacct.toml")).unwrap();
    assert!(!config.contains("999999999999"), "{config}");
}

// 7. Control characters from file names, keys and values were printed raw in text, compact and
//    github output and on stderr (config keys, path arguments, `--select`, `explain`).
#[test]
fn class_07_control_characters_are_escaped_in_every_output() {
    let dir = scratch("hostile-controls");
    std::fs::copy(
        repo_root().join(hostile("control-characters.json")),
        dir.join("control.json"),
    )
    .unwrap();
    std::fs::copy(
        repo_root().join(hostile("raw-reordering-characters.json")),
        dir.join("raw.json"),
    )
    .unwrap();
    // A file whose name holds an escape sequence and a line break.
    let odd = OsStr::from_bytes(b"odd\x1b[31m\r\nname.json");
    std::fs::write(dir.join(odd), "{\"pipeline\": {\"name\": \"p\",").unwrap();
    for format in ["text", "compact", "json", "sarif", "github", "junit"] {
        let out = run(&dir, &["lint", "--color", "never", "--format", format, "."]);
        assert_eq!(out.status.code(), Some(1), "{format}");
        assert_eq!(raw_controls(&out.stdout), Vec::<char>::new(), "{format}");
        assert_eq!(raw_controls(&out.stderr), Vec::<char>::new(), "{format}");
    }
    let compact = text(&run(&dir, &["lint", "--format", "compact", "."]).stdout);
    assert!(
        compact.contains("./odd\\u{1b}[31m\\u{d}\\u{a}name.json:1:27: error[XA001]"),
        "{compact}"
    );
    assert!(compact.contains("`RoleArn` of action `my-stack\\u{1b}[31mRED\\u{1b}]0;title\\u{7}\\u{d}\\u{a}forged.json:1:1: error[XA999] fake\\u{9b}2J\\u{202e}evil`"), "{compact}");
    // Every line of compact output is one finding: none was forged.
    assert!(compact.lines().all(|l| l.starts_with("./")), "{compact}");
    // Arguments and config keys echoed on stderr.
    let stderr_of = |args: &[&OsStr]| run_within(&dir, args, Duration::from_secs(60)).stderr;
    let escaped = OsStr::from_bytes(b"\x1b[2J\x07");
    for args in [
        vec![OsStr::new("explain"), escaped],
        vec![
            OsStr::new("lint"),
            OsStr::new("--select"),
            escaped,
            OsStr::new("."),
        ],
        vec![
            OsStr::new("lint"),
            OsStr::new("--region"),
            escaped,
            OsStr::new("."),
        ],
        vec![
            OsStr::new("lint"),
            OsStr::new("--exclude"),
            OsStr::from_bytes(b"[\x1b"),
            OsStr::new("."),
        ],
    ] {
        let err = stderr_of(&args);
        assert!(!err.is_empty(), "{args:?}");
        assert_eq!(
            raw_controls(&err),
            Vec::<char>::new(),
            "{args:?}: {}",
            String::from_utf8_lossy(&err)
        );
    }
    let config_dir = scratch("hostile-controls-config");
    std::fs::write(config_dir.join("xacct.toml"), "\"\x1b[31mkey\" = 1\n").unwrap();
    let err = run(&config_dir, &["lint", "."]).stderr;
    assert!(String::from_utf8_lossy(&err).contains("\\u{1b}[31mkey"));
    assert_eq!(raw_controls(&err), Vec::<char>::new());
}

// 8. `--threads` took 65,535, and rayon panicked when the system refused a thread.
#[test]
fn class_08_threads_are_bounded_and_a_refusal_falls_back() {
    let out = run(
        &repo_root(),
        &["lint", "--threads", "65535", "testdata/examples"],
    );
    assert_eq!(out.status.code(), Some(2));
    assert!(
        text(&out.stderr).contains("65535 is not in 1..=256"),
        "{}",
        text(&out.stderr)
    );
    // With 4 GiB of address space, 256 threads of 64 MiB stacks cannot start: one thread does
    // the work, says so, and finds the same.
    let one = run(
        &repo_root(),
        &[
            "lint",
            "--format",
            "compact",
            "--threads",
            "1",
            "testdata/examples",
        ],
    );
    let refused = Command::new("sh")
        .current_dir(repo_root())
        .arg("-c")
        .arg(format!(
            "ulimit -v 4194304 && exec {} lint --format compact --threads 256 testdata/examples",
            env!("CARGO_BIN_EXE_xacct")
        ))
        .output()
        .unwrap();
    assert_eq!(text(&refused.stdout), text(&one.stdout));
    assert_eq!(refused.status.code(), one.status.code());
    assert!(
        text(&refused.stderr).starts_with("warning: cannot start 256 threads"),
        "{}",
        text(&refused.stderr)
    );
}

// 9. A FIFO as manifest.json, `--config`, `--baseline` or `--write-baseline` hung; `--config
//    /dev/zero` read until memory ran out.
#[test]
fn class_09_special_files_never_block_or_exhaust() {
    let dir = scratch("hostile-fifos");
    std::fs::create_dir(dir.join("cdk.out")).unwrap();
    let fifo = |path: &Path| {
        let c = std::ffi::CString::new(path.as_os_str().as_bytes()).unwrap();
        // SAFETY: a valid NUL-terminated path.
        assert_eq!(unsafe { libc::mkfifo(c.as_ptr(), 0o600) }, 0);
    };
    fifo(&dir.join("cdk.out/manifest.json"));
    fifo(&dir.join("fifo.toml"));
    fifo(&dir.join("fifo-baseline.json"));
    std::fs::copy(
        repo_root().join("testdata/examples/qa-cloudformation-passrole/pipeline.json"),
        dir.join("pipeline.json"),
    )
    .unwrap();
    let walked = run(&dir, &["lint", "--format", "compact", "."]);
    assert_eq!(walked.status.code(), Some(1));
    assert!(text(&walked.stdout).starts_with("./pipeline.json:97:26: error[XA203]"));
    let named = run(
        &dir,
        &["lint", "--format", "compact", "cdk.out/manifest.json"],
    );
    assert_eq!(
        text(&named.stdout),
        "cdk.out/manifest.json:1:1: error[XA001] cannot read the file: it is a FIFO (named pipe), not a regular file\n"
    );
    for (args, want) in [
        (
            vec!["lint", "--config", "fifo.toml", "pipeline.json"],
            "it is a FIFO (named pipe), not a regular file",
        ),
        (
            vec!["lint", "--config", "/dev/zero", "pipeline.json"],
            "it is a device, not a regular file",
        ),
        (
            vec!["lint", "--baseline", "fifo-baseline.json", "pipeline.json"],
            "it is a FIFO (named pipe), not a regular file",
        ),
        (
            vec![
                "lint",
                "--write-baseline",
                "fifo-baseline.json",
                "pipeline.json",
            ],
            "it is not a regular file",
        ),
    ] {
        let out = run(&dir, &args);
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        assert!(
            text(&out.stderr).contains(want),
            "{args:?}: {}",
            text(&out.stderr)
        );
    }
}

// 10. Patterns in `exclude`/`per-file-ignores` could take polynomial time in the glob crate; brace
//     globs silently matched nothing.
#[test]
fn class_10_file_patterns_are_linear_and_take_braces() {
    let dir = scratch("hostile-patterns");
    let long = format!("{}.json", "a".repeat(200));
    std::fs::write(dir.join(&long), "{").unwrap();
    std::fs::write(dir.join("x.json"), "{").unwrap();
    std::fs::write(dir.join("y.yaml"), "Resources: [").unwrap();
    let hostile = format!("{}b", "*a".repeat(60));
    std::fs::write(
        dir.join("xacct.toml"),
        format!(
            "exclude = [\"{hostile}\", \"{{x,y}}.{{json,yaml}}\"]\n[per-file-ignores]\n\"{hostile}\" = [\"XA002\"]\n"
        ),
    )
    .unwrap();
    let out = run(
        &dir,
        &["lint", "--format", "compact", "--exclude", &hostile, "."],
    );
    // The brace glob excluded x.json and y.yaml; the long name is linted (no pattern matches it).
    assert_eq!(
        text(&out.stdout),
        format!("./{long}:1:2: error[XA001] invalid JSON: unexpected end of file, expected a string key\n")
    );
}

// 11. Quadratic or worse: a `*aaa…b*c` pattern against a 400,000-character name; a cdk.out with
//     16,000 stacks; a 5 GB file allocated before its size was checked.
#[test]
fn class_11_large_inputs_cost_linear_work_and_bounded_memory() {
    // The pattern against the name: in a role's trust policy that the pipeline's action uses.
    let dir = walkthrough("hostile-quadratic");
    let name = "a".repeat(400_000);
    let role = format!("arn:aws:iam::222222222222:role/{name}");
    let pipeline_path = dir.join("tools-111111111111/pipeline.json");
    let pipeline = std::fs::read_to_string(&pipeline_path)
        .unwrap()
        .replace("arn:aws:iam::222222222222:role/CrossAccount_Role", &role);
    std::fs::write(&pipeline_path, pipeline).unwrap();
    let pattern = format!("*{}b*c", "a".repeat(2000));
    std::fs::write(
        dir.join("prod-222222222222/CrossAccount_Role.json"),
        serde_json::json!({"Role": {"Arn": role, "AssumeRolePolicyDocument": {"Version": "2012-10-17", "Statement": [
            {"Effect": "Deny", "Principal": {"AWS": "*"}, "Action": "sts:AssumeRole", "Condition": {"ArnLike": {"aws:PrincipalArn": pattern}}},
            {"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::111111111111:root"}, "Action": "sts:AssumeRole"}]}}})
        .to_string(),
    )
    .unwrap();
    let out = run(&dir, &["lint", "--format", "compact", "."]);
    assert!(out.status.code().is_some(), "{}", text(&out.stderr));
    // A cloud assembly of 16,000 stacks.
    let cdk = scratch("hostile-cdk-16000");
    std::fs::create_dir(cdk.join("cdk.out")).unwrap();
    let mut artifacts = Vec::new();
    for i in 0..16_000 {
        std::fs::write(
            cdk.join(format!("cdk.out/S{i}.template.json")),
            "{\"Resources\": {}}",
        )
        .unwrap();
        artifacts.push(format!(
            r#""S{i}": {{"type": "aws:cloudformation:stack", "environment": "aws://111111111111/us-east-1", "properties": {{"templateFile": "S{i}.template.json"}}}}"#
        ));
    }
    std::fs::write(
        cdk.join("cdk.out/manifest.json"),
        format!(
            r#"{{"version": "36.0.0", "artifacts": {{{}}}}}"#,
            artifacts.join(",")
        ),
    )
    .unwrap();
    let out = run(&cdk, &["lint", "--format", "json", "cdk.out/manifest.json"]);
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(json["summary"]["files"], 16_001);
    // A 5 GB file: its size is checked on the open file, nothing is allocated for it.
    let sparse = scratch("hostile-sparse");
    let file = std::fs::File::create(sparse.join("huge.json")).unwrap();
    file.set_len(5 * 1024 * 1024 * 1024).unwrap();
    let out = run(&sparse, &["lint", "--format", "compact", "."]);
    assert_eq!(
        text(&out.stdout),
        "./huge.json:1:1: error[XA005] cannot read the file: the file is 5368709120 bytes, more than the limit of 134217728 bytes\n"
    );
    assert!(children_peak_rss() < 1024 * 1024 * 1024);
}

// 12. The text renderer repeated the whole source line per finding: a 59 KB one-line file gave
//     477 MB of output.
#[test]
fn class_12_output_is_bounded_per_finding() {
    let dir = scratch("hostile-output-size");
    // One line of 59 KB holding 2,000 duplicate keys.
    let members: Vec<String> = (0..2_000)
        .map(|_| format!("\"k\": \"{}\"", "v".repeat(20)))
        .collect();
    let line = format!(
        "{{\"Version\": \"2012-10-17\", \"Statement\": [], {}}}",
        members.join(", ")
    );
    std::fs::write(dir.join("one-line.json"), &line).unwrap();
    let out = run(&dir, &["lint", "--format", "text", "--color", "never", "."]);
    let findings = text(&out.stdout).matches("XA002(duplicate-key)").count();
    assert_eq!(findings, 1_999);
    // Each finding shows at most a window of its line (240 characters), not the whole line.
    let per_finding = out.stdout.len() / findings;
    assert!(per_finding < 2_000, "{per_finding} bytes per finding");
    let longest = text(&out.stdout)
        .lines()
        .map(|l| l.chars().count())
        .max()
        .unwrap();
    assert!(longest < 300, "a line of {longest} characters");
}

// 13. A missing path, or a file deleted in `--changed`, ended the run with exit 2; one broken
//     sub-project config aborted a monorepo run with empty JSON.
#[test]
fn class_13_one_bad_path_or_config_never_ends_the_run() {
    let root = repo_root();
    let out = run(
        &root,
        &[
            "lint",
            "--format",
            "compact",
            "missing.json",
            "testdata/examples/qa-cloudformation-passrole/pipeline.json",
        ],
    );
    assert_eq!(out.status.code(), Some(1));
    assert!(text(&out.stdout).starts_with(
        "missing.json:1:1: error[XA001] cannot read the file: No such file or directory (os error 2)\n"
    ));
    // `--changed` with a file the commit deletes: skipped, the setup still linted.
    let dir = walkthrough("hostile-changed");
    let out = run(
        &dir,
        &[
            "lint",
            "--changed",
            "--format",
            "compact",
            "tools-111111111111/deleted.json",
            "tools-111111111111/pipeline.json",
        ],
    );
    assert_eq!(
        (out.status.code(), text(&out.stdout).as_str()),
        (Some(0), ""),
        "{}",
        text(&out.stderr)
    );
    // A monorepo whose one sub-project config is broken.
    let mono = scratch("hostile-monorepo");
    copy_tree(&root.join("testdata/rules/XA008/fail"), &mono);
    let out = run(&mono, &["lint", "--format", "json", "."]);
    assert_eq!(out.status.code(), Some(1));
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let codes: Vec<&str> = json["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["code"].as_str().unwrap())
        .collect();
    assert_eq!(codes, ["XA203", "XA008"]);
}

// 14. Wrong shapes passed silently: `{"Role": 5}`, `"Policy": null`, a URL-encoded trust policy
//     granting `*`, unknown condition operators, YAML documents after the first, `Fn::Transform`
//     in a policy (a false XA003 instead of "cannot evaluate").
#[test]
fn class_14_every_wrong_shape_is_reported_at_its_span() {
    let root = repo_root();
    let out = run(
        &root,
        &[
            "lint",
            "--format",
            "compact",
            "--strict",
            "--region",
            "us-east-2",
            &hostile("shape-role-number.json"),
            &hostile("shape-policy-null.json"),
            &hostile("unknown-operator.json"),
            &hostile("yaml-second-document.yaml"),
            &hostile("cfn-transform-policy.yaml"),
            &hostile("cfn-wrong-shapes.yaml"),
        ],
    );
    assert_eq!(
        text(&out.stdout),
        "\
testdata/hostile/shape-role-number.json:1:10: error[XA003] `Role` must be an object, as `aws iam get-role` prints it; found a number
testdata/hostile/shape-policy-null.json:1:12: error[XA003] `Policy` must be a policy document (an object, or JSON in a string), as `aws s3api get-bucket-policy` prints it; found null
testdata/hostile/unknown-operator.json:1:1: info[XA003] cannot tell which role this identity policy governs
testdata/hostile/unknown-operator.json:9:9: error[XA003] invalid policy: unknown condition operator `StringEqualz`: IAM refuses the policy (\"Invalid Condition type\")
testdata/hostile/unknown-operator.json:12:9: error[XA003] invalid policy: unknown condition operator `stringequals`: IAM refuses the policy (\"Invalid Condition type\"); did you mean `StringEquals`?
testdata/hostile/yaml-second-document.yaml:3:1: error[XA003] a second YAML document: a template, policy or pipeline file holds one, and xacct checked only the first
testdata/hostile/cfn-transform-policy.yaml:12:9: info[XA006] `${Fn::Transform}` is known only when the stack is deployed, so this trust policy cannot be checked: the checks that need it stay unknown
testdata/hostile/cfn-transform-policy.yaml:21:25: info[XA006] `${ReadEffect}` is known only when the stack is deployed, so this identity policy cannot be checked: the checks that need it stay unknown
testdata/hostile/cfn-wrong-shapes.yaml:2:6: error[XA003] resource `A` must be an object with `Type` and `Properties`; found a number
testdata/hostile/cfn-wrong-shapes.yaml:3:13: error[XA003] `Type` of `B` must be a resource type name; found a number
testdata/hostile/cfn-wrong-shapes.yaml:4:41: error[XA003] `Properties` of `C` must be an object; found a list
testdata/hostile/cfn-wrong-shapes.yaml:5:3: error[XA003] resource `D` has no `Type`
testdata/hostile/cfn-wrong-shapes.yaml:6:13: error[XA003] `Parameters` must be an object (a map from logical IDs); found an empty list
"
    );
    // The URL-encoded trust policy (as the IAM API returns it) of the deploy role, granting
    // everyone: decoded, and reported where its `*` is written (`%22%2A%22`).
    let dir = walkthrough("hostile-url-encoded");
    std::fs::copy(
        root.join(hostile("url-encoded-trust-star.json")),
        dir.join("prod-222222222222/CrossAccount_Role.json"),
    )
    .unwrap();
    let out = run(
        &dir,
        &["lint", "--format", "compact", "--select", "XA503", "."],
    );
    assert_eq!(
        text(&out.stdout),
        "./prod-222222222222/CrossAccount_Role.json:5:179: error[XA503] the trust policy of `arn:aws:iam::222222222222:role/CrossAccount_Role` lets everyone (`*`) assume it, where the pipeline role `arn:aws:iam::111111111111:role/service-role/CodePipeline_Service_Role` alone needs to\n"
    );
}

// 15. CR-only line endings gave wrong lines and columns.
#[test]
fn class_15_every_line_ending_counts() {
    let cr = run(
        &repo_root(),
        &[
            "lint",
            "--format",
            "compact",
            &hostile("cr-only-line-endings.json"),
        ],
    );
    assert_eq!(
        text(&cr.stdout),
        "testdata/hostile/cr-only-line-endings.json:97:26: error[XA203] `RoleArn` of CloudFormation action `my-stack` is in account 000000000000, but the action runs in the pipeline account 111111111111: CloudFormation will fail with \"Cross-account pass role is not allowed\"\n"
    );
    let shown = text(
        &run(
            &repo_root(),
            &[
                "lint",
                "--format",
                "text",
                &hostile("cr-only-line-endings.json"),
            ],
        )
        .stdout,
    );
    assert!(
        shown.contains(
            " 97 │               \"RoleArn\": \"arn:aws:iam::000000000000:role/role-to-assume\",\n"
        ),
        "{shown}"
    );
}

// 16. The same file given twice (or as a folder, `p`, `./p` and an absolute path) was reported
//     once per form; `init` wrote through a dangling symlink; the baseline was not written
//     atomically.
#[test]
fn class_16_each_file_once_and_writes_that_cannot_be_redirected() {
    let dir = scratch("hostile-forms");
    std::fs::create_dir(dir.join("p")).unwrap();
    std::fs::copy(
        repo_root().join("testdata/examples/qa-cloudformation-passrole/pipeline.json"),
        dir.join("p/pipeline.json"),
    )
    .unwrap();
    let absolute = dir.join("p/pipeline.json");
    let out = run(
        &dir,
        &[
            "lint",
            "--format",
            "compact",
            "p/pipeline.json",
            "./p/pipeline.json",
            absolute.to_str().unwrap(),
            "p",
            ".",
            "p/../p/pipeline.json",
        ],
    );
    assert_eq!(
        text(&out.stdout),
        "p/pipeline.json:97:26: error[XA203] `RoleArn` of CloudFormation action `my-stack` is in account 000000000000, but the action runs in the pipeline account 111111111111: CloudFormation will fail with \"Cross-account pass role is not allowed\"\n"
    );
    // `init` refuses a dangling link where it would write, and writes nothing elsewhere.
    let init_dir = scratch("hostile-init-link");
    std::os::unix::fs::symlink(
        "/tmp/xacct-init-target-must-not-exist.toml",
        init_dir.join("xacct.toml"),
    )
    .unwrap();
    let out = run(&init_dir, &["init", "--force"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out.stderr).contains("it is a symlink; xacct does not write through symlinks"));
    assert!(!Path::new("/tmp/xacct-init-target-must-not-exist.toml").exists());
    // The baseline is replaced whole, never through a link, and leaves no temporary file.
    std::fs::write(dir.join("elsewhere.json"), "keep").unwrap();
    std::os::unix::fs::symlink("elsewhere.json", dir.join("baseline-link.json")).unwrap();
    let out = run(
        &dir,
        &["lint", "--write-baseline", "baseline-link.json", "p"],
    );
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(
        std::fs::read_to_string(dir.join("elsewhere.json")).unwrap(),
        "keep"
    );
    let out = run(&dir, &["lint", "--write-baseline", "baseline.json", "p"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let out = run(&dir, &["lint", "--write-baseline", "baseline.json", "p"]);
    assert_eq!(out.status.code(), Some(0));
    let leftovers: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .filter_map(|e| e.ok())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.contains(".tmp"))
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");
}

/// The committed corpus, end to end, in every format: exit status 1, a bounded time, no raw
/// control character in any output, and no internal error (XA000: no known input reaches the
/// last net).
#[test]
fn the_hostile_corpus_lints_end_to_end() {
    for format in ["text", "compact", "json", "sarif", "github", "junit"] {
        let started = Instant::now();
        let out = run(
            &repo_root(),
            &[
                "lint",
                "--color",
                "always",
                "--strict",
                "--format",
                format,
                "testdata/hostile",
                "testdata/bad",
            ],
        );
        assert_eq!(
            out.status.code(),
            Some(1),
            "{format}: {}",
            text(&out.stderr)
        );
        assert!(started.elapsed() < Duration::from_secs(60), "{format}");
        // Colour comes only as SGR sequences xacct writes itself (text output).
        let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
        let without_colour = if format == "text" {
            strip_sgr(&stdout)
        } else {
            stdout.clone()
        };
        assert_eq!(
            raw_controls(without_colour.as_bytes()),
            Vec::<char>::new(),
            "{format}"
        );
        assert_eq!(raw_controls(&out.stderr), Vec::<char>::new(), "{format}");
        assert!(!stdout.contains("XA000"), "{format}");
    }
}

/// `\x1b[…m` colour sequences removed.
fn strip_sgr(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(at) = rest.find("\x1b[") {
        out.push_str(&rest[..at]);
        let after = &rest[at + 2..];
        match after.find('m') {
            Some(end)
                if after[..end]
                    .bytes()
                    .all(|b| b.is_ascii_digit() || b == b';') =>
            {
                rest = &after[end + 1..];
            }
            _ => {
                out.push_str("\x1b[");
                rest = after;
            }
        }
    }
    out.push_str(rest);
    out
}

/// The last net: a panic on one file (a debug build's test door) is an XA000 finding on that
/// file, and the other files are still linted.
#[test]
fn a_panic_is_a_finding_on_its_file_and_the_others_go_on() {
    let out = Command::new(env!("CARGO_BIN_EXE_xacct"))
        .current_dir(repo_root())
        .env("XACCT_PANIC_ON", "examples/walkthrough-codedeploy")
        .args(["lint", "--format", "compact", "testdata/examples"])
        .output()
        .unwrap();
    let shown = text(&out.stdout);
    assert!(shown.contains("testdata/examples/walkthrough-codedeploy/pipeline.json:1:1: error[XA000] xacct failed on this file (internal error: XACCT_PANIC_ON matched this file); its other findings are missing"), "{shown}");
    assert!(shown.contains(
        "testdata/examples/qa-cloudformation-passrole/pipeline.json:97:26: error[XA203]"
    ));
    assert_eq!(out.status.code(), Some(1));
}
