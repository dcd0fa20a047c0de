//! Baselines: `--write-baseline` records a run's findings, `--baseline` reports only the ones
//! it does not record, whatever moved around them.

use std::path::{Path, PathBuf};
use std::process::Output;

mod common;
use common::{copy_tree, repo_root, stdout, xacct};

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

/// Edits a file of `dir`.
fn edit(dir: &Path, file: &str, change: impl FnOnce(String) -> String) {
    let path = dir.join(file);
    let text = std::fs::read_to_string(&path).unwrap();
    std::fs::write(&path, change(text)).unwrap();
}

const PIPELINE: &str = "tools-111111111111/pipeline.json";
const ROLE_POLICY: &str = "tools-111111111111/CodePipeline_Service_Role-policy.json";

/// A copy of the walkthrough (with its config) with two findings: a duplicate key in the
/// pipeline (XA002), which makes the CodeBuild action name a project the pipeline role may not
/// start (XA506, in the role's policy).
fn broken_walkthrough(name: &str) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join(name);
    let _ = std::fs::remove_dir_all(&dir);
    copy_tree(&repo_root().join("testdata/setups/walkthrough"), &dir);
    edit(&dir, PIPELINE, |t| {
        t.replace(
            r#""ProjectName": "MyAppBuild""#,
            r#""ProjectName": "MyAppBuild", "ProjectName": "Dup""#,
        )
    });
    dir
}

fn compact(dir: &Path, extra: &[&str]) -> Output {
    let mut args = vec!["lint", "--format", "compact"];
    args.extend_from_slice(extra);
    args.push(".");
    xacct(dir, &args)
}

#[test]
fn only_findings_new_since_the_baseline_are_reported() {
    let dir = broken_walkthrough("baseline-done-when");
    let before = compact(&dir, &[]);
    assert_eq!(before.status.code(), Some(1));
    assert_eq!(stdout(&before).lines().count(), 2, "{}", stdout(&before));

    // Recording exits 0 and says how many it recorded.
    let written = compact(&dir, &["--write-baseline", "xacct-baseline.json"]);
    assert_eq!(written.status.code(), Some(0), "{}", stderr(&written));
    assert_eq!(stdout(&written), "");
    assert!(
        stderr(&written).contains("recorded 2 findings in xacct-baseline.json"),
        "{}",
        stderr(&written)
    );
    let baseline: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join("xacct-baseline.json")).unwrap())
            .unwrap();
    assert_eq!(baseline["version"], 1);
    let findings = baseline["findings"].as_array().unwrap();
    assert_eq!(findings.len(), 2);
    assert_eq!(findings[0]["code"], "XA506");
    assert_eq!(findings[0]["path"], ROLE_POLICY);
    assert_eq!(findings[1]["code"], "XA002");
    assert_eq!(findings[1]["path"], PIPELINE);
    assert!(findings[1]["message"]
        .as_str()
        .unwrap()
        .contains("`ProjectName` appears twice"));
    assert_eq!(findings[1]["fingerprint"].as_str().unwrap().len(), 16);

    // With the baseline, the run is clean.
    let clean = compact(&dir, &["--baseline", "xacct-baseline.json"]);
    assert_eq!(stdout(&clean), "");
    assert_eq!(clean.status.code(), Some(0));

    // A new finding (the last action's runOrder 0), and lines inserted above the old ones.
    edit(&dir, PIPELINE, |t| {
        let at = t.rfind(r#""runOrder": 1,"#).unwrap();
        let t = format!("{}\"runOrder\": 0,{}", &t[..at], &t[at + 14..]);
        format!(
            "\n\n\n{}",
            t.replacen("\"stages\": [", "\"stages\": [\n\n", 1)
        )
    });
    edit(&dir, ROLE_POLICY, |t| format!("\n\n\n\n{t}"));
    let after = compact(&dir, &["--baseline", "xacct-baseline.json"]);
    assert_eq!(
        stdout(&after),
        "./tools-111111111111/pipeline.json:94:25: error[XA107] pipeline.stages[2].actions[0].runOrder: 0 is out of range (1..=999)\n"
    );
    assert_eq!(after.status.code(), Some(1));
    // Without the baseline, all three are there, moved.
    let all = compact(&dir, &[]);
    assert_eq!(stdout(&all).lines().count(), 3, "{}", stdout(&all));
    assert!(stdout(&all).contains("pipeline.json:58:44: error[XA002]"));

    // The text summary says how many the baseline hid.
    let text = xacct(
        &dir,
        &[
            "lint",
            "--color",
            "never",
            "--baseline",
            "xacct-baseline.json",
            ".",
        ],
    );
    let text = stdout(&text);
    assert!(
        text.ends_with(
            "1 error, 0 warnings, 0 infos in 15 files (14 checked)\n\
             2 findings hidden by the baseline xacct-baseline.json\n"
        ),
        "{text}"
    );
}

#[test]
fn a_fixed_finding_leaves_an_entry_that_matches_nothing() {
    let dir = broken_walkthrough("baseline-fixed");
    compact(&dir, &["--write-baseline", "baseline.json"]);
    edit(&dir, PIPELINE, |t| {
        t.replace(r#", "ProjectName": "Dup""#, "")
    });
    let out = xacct(
        &dir,
        &[
            "lint",
            "--color",
            "never",
            "--baseline",
            "baseline.json",
            ".",
        ],
    );
    assert_eq!(out.status.code(), Some(0));
    assert!(
        stdout(&out).ends_with(
            "0 findings hidden by the baseline baseline.json (2 entries no longer found: --write-baseline rewrites it)\n"
        ),
        "{}",
        stdout(&out)
    );
}

#[test]
fn a_baseline_matches_from_any_folder_and_path_spelling() {
    let parent = Path::new(env!("CARGO_TARGET_TMPDIR")).join("baseline-paths");
    let _ = std::fs::remove_dir_all(&parent);
    let dir = broken_walkthrough("baseline-paths/setup");
    // Written from the setup's folder, with paths relative to the baseline's folder...
    compact(&dir, &["--write-baseline", "xacct-baseline.json"]);
    // ...it hides the same findings from the folder above, the files named otherwise.
    let out = xacct(
        &parent,
        &[
            "lint",
            "--format",
            "compact",
            "--baseline",
            "setup/xacct-baseline.json",
            "./setup/tools-111111111111/",
            "setup/prod-222222222222",
        ],
    );
    assert_eq!(stdout(&out), "");
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    // A baseline elsewhere records paths that climb out of its folder.
    let written = xacct(
        &dir,
        &["lint", "--write-baseline", "../baselines/setup.json", "."],
    );
    assert_eq!(written.status.code(), Some(2), "the folder does not exist");
    std::fs::create_dir_all(parent.join("baselines")).unwrap();
    compact(&dir, &["--write-baseline", "../baselines/setup.json"]);
    let baseline = std::fs::read_to_string(parent.join("baselines/setup.json")).unwrap();
    assert!(
        baseline.contains(r#""path": "../setup/tools-111111111111/pipeline.json""#),
        "{baseline}"
    );
    let out = compact(&dir, &["--baseline", "../baselines/setup.json"]);
    assert_eq!(stdout(&out), "");
}

#[test]
fn entries_count_duplicates() {
    let dir = broken_walkthrough("baseline-duplicates");
    compact(&dir, &["--write-baseline", "baseline.json"]);
    // An entry hides one finding: the XA002 entry twice over hides nothing more, and a
    // baseline naming it once hides it once.
    let text = std::fs::read_to_string(dir.join("baseline.json")).unwrap();
    let mut baseline: serde_json::Value = serde_json::from_str(&text).unwrap();
    let findings = baseline["findings"].as_array_mut().unwrap();
    let xa002 = findings[1].clone();
    findings.push(xa002);
    std::fs::write(dir.join("baseline.json"), baseline.to_string()).unwrap();
    let out = xacct(
        &dir,
        &[
            "lint",
            "--color",
            "never",
            "--baseline",
            "baseline.json",
            ".",
        ],
    );
    assert!(
        stdout(&out).ends_with(
            "2 findings hidden by the baseline baseline.json (1 entry no longer found: --write-baseline rewrites it)\n"
        ),
        "{}",
        stdout(&out)
    );
}

#[test]
fn a_baseline_of_a_bad_shape_is_a_clear_error() {
    let dir = broken_walkthrough("baseline-bad");
    let case = |text: &str| {
        std::fs::write(dir.join("baseline.json"), text).unwrap();
        let out = compact(&dir, &["--baseline", "baseline.json"]);
        assert_eq!(out.status.code(), Some(2), "{text}");
        assert_eq!(stdout(&out), "");
        stderr(&out)
    };
    let message = case("not json");
    assert!(
        message.starts_with("error: baseline.json: not a baseline xacct wrote"),
        "{message}"
    );
    let message = case(r#"{"version": 1}"#);
    assert!(message.contains("missing field `findings`"), "{message}");
    let message = case(r#"{"version": 2, "findings": []}"#);
    assert!(message.contains("baseline version 2"), "{message}");
    let message = case(r#"{"version": 1, "findings": [{"code": "XA002", "path": "a.json"}]}"#);
    assert!(message.contains("missing field `fingerprint`"), "{message}");
    let message = case(
        r#"{"version": 1, "findings": [{"code": "XA002", "path": "a.json", "fingerprint": "abc"}]}"#,
    );
    assert!(
        message.contains("findings[0]: fingerprint `abc` is not 16 hexadecimal digits"),
        "{message}"
    );
    let message = case(
        r#"{"version": 1, "findings": [{"code": "XA002", "path": "a.json", "fingerprint": "0123456789abcdef", "line": 3}]}"#,
    );
    assert!(message.contains("unknown field `line`"), "{message}");
    let message = case(r#"{"version": 1, "findings": {}}"#);
    assert!(message.contains("expected a sequence"), "{message}");
    // A missing file, too.
    let out = compact(&dir, &["--baseline", "missing.json"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("cannot read the baseline missing.json"));
    // Both at once make no sense.
    let out = compact(
        &dir,
        &["--baseline", "a.json", "--write-baseline", "b.json"],
    );
    assert_eq!(out.status.code(), Some(2));
    // An empty baseline hides nothing.
    std::fs::write(
        dir.join("baseline.json"),
        r#"{"version": 1, "findings": []}"#,
    )
    .unwrap();
    let out = compact(&dir, &["--baseline", "baseline.json"]);
    assert_eq!(stdout(&out).lines().count(), 2);
}

#[test]
fn the_baseline_follows_the_selection() {
    let dir = broken_walkthrough("baseline-selection");
    compact(
        &dir,
        &["--select", "XA0", "--write-baseline", "baseline.json"],
    );
    let out = compact(&dir, &["--baseline", "baseline.json"]);
    // Only XA002 was recorded: XA506 is new to this baseline.
    assert_eq!(stdout(&out).lines().count(), 1, "{}", stdout(&out));
    assert!(stdout(&out).contains("error[XA506]"));
}
