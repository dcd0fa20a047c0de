//! `xacct lint --format …`: every format on one fixed setup (snapshots), and each checked the way
//! its consumer reads it.
//!
//! - `sarif`: validated against the SARIF 2.1.0 JSON schema (`testdata/sarif/`, with the
//!   `jsonschema` crate, formats included); GitHub code scanning's requirements (`ruleId`, a rule
//!   for each, `startLine`, relative URIs, `partialFingerprints` that survive line shifts and
//!   leave GitHub's own `primaryLocationLineHash` to it). With `XACCT_SARIF_MULTITOOL` naming
//!   Microsoft's SARIF Multitool (npm `@microsoft/sarif-multitool-linux`, the validator behind
//!   the SARIF web validator), also its `validate` with the SARIF and GitHub rule sets.
//! - `github`: each line read back as the Actions runner reads workflow commands (a port of its
//!   parsing and unescaping), and written again by the Actions toolkit itself (`@actions/core`,
//!   fetched with `npm pack` when node and npm are there; the check is skipped with a message
//!   otherwise, or fails when `XACCT_REQUIRE_CONSUMERS` is set).
//! - `junit`: parsed as XML (`roxmltree`), a test case per file, a failure per finding.
//! - `text`: the summary line, the time on a terminal, `--statistics`.
//!
//! Snapshots live in `tests/snapshots/formats-*`; `XACCT_BLESS=1` rewrites them.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use serde_json::Value;

mod common;
use common::{copy_tree, repo_root, snapshot, stdout, xacct};

fn json_of(output: &Output) -> Value {
    serde_json::from_slice(&output.stdout).unwrap_or_else(|e| {
        panic!(
            "not JSON ({e}): {}",
            String::from_utf8_lossy(&output.stdout)
        )
    })
}

/// A scratch folder under the target directory, emptied first (canonical, as the binary's
/// current folder will be); a repository of its own (`.git`), so that SARIF's URIs are
/// relative to it and not to the checkout holding the target directory.
fn scratch(name: &str) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR"))
        .join("formats")
        .join(name);
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(dir.join(".git")).unwrap();
    dir.canonicalize().unwrap()
}

/// The fixed setup: `testdata/setups/walkthrough` with the failing bucket policy of
/// `testdata/rules/XA401/fail` laid over it (one broken file, a finding with a label in another
/// file), as `<scratch>/setup`. Lint it from `<scratch>` as `setup`.
fn broken_walkthrough(name: &str) -> PathBuf {
    let dir = scratch(name);
    let setup = dir.join("setup");
    let root = repo_root();
    copy_tree(&root.join("testdata/setups/walkthrough"), &setup);
    let overlay = root.join("testdata/rules/XA401/fail");
    let base = std::fs::read_to_string(overlay.join("BASE")).unwrap();
    assert_eq!(
        overlay
            .join(base.lines().next().unwrap().trim())
            .canonicalize()
            .unwrap(),
        root.join("testdata/setups/walkthrough"),
        "the XA401 fixture no longer overlays the walkthrough"
    );
    copy_tree(&overlay, &setup);
    std::fs::remove_file(setup.join("BASE")).unwrap();
    dir
}

/// The setup's SARIF with the scratch folder's URI replaced, so the snapshot does not depend
/// on where the repository is.
fn portable_sarif(text: &str, dir: &Path) -> String {
    text.replace(&format!("file://{}/", dir.display()), "file:///SCRATCH/")
}

#[test]
fn every_format_on_the_broken_walkthrough() {
    let dir = broken_walkthrough("snapshots");
    let lint = |format: &str| {
        let out = xacct(
            &dir,
            &["lint", "--color", "never", "--format", format, "setup"],
        );
        assert_eq!(out.status.code(), Some(1), "{format}: {out:?}");
        stdout(&out)
    };
    snapshot("formats-walkthrough.txt", &lint("text"));
    snapshot("formats-walkthrough.compact", &lint("compact"));
    snapshot("formats-walkthrough.json", &lint("json"));
    snapshot(
        "formats-walkthrough.sarif",
        &portable_sarif(&lint("sarif"), &dir),
    );
    snapshot("formats-walkthrough.github", &lint("github"));
    snapshot("formats-walkthrough.junit.xml", &lint("junit"));
    let statistics = xacct(&dir, &["lint", "--statistics", "setup"]);
    assert_eq!(statistics.status.code(), Some(1));
    snapshot("formats-walkthrough-statistics.txt", &stdout(&statistics));
}

// ---------------------------------------------------------------------------------------------
// SARIF

fn sarif_validator() -> jsonschema::Validator {
    let path = repo_root().join("testdata/sarif/sarif-schema-2.1.0.json");
    let text = std::fs::read_to_string(&path).unwrap();
    let schema: Value = serde_json::from_str(text.trim_start_matches('\u{feff}')).unwrap();
    jsonschema::options()
        .should_validate_formats(true)
        .build(&schema)
        .expect("the vendored SARIF schema compiles")
}

fn schema_errors(validator: &jsonschema::Validator, log: &Value) -> Vec<String> {
    validator
        .iter_errors(log)
        .map(|e| format!("{} at {}", e, e.instance_path()))
        .collect()
}

/// Runs `xacct lint --format sarif` and checks the log against the schema.
fn sarif(dir: &Path, args: &[&str]) -> Value {
    let mut all = vec!["lint", "--format", "sarif"];
    all.extend_from_slice(args);
    let out = xacct(dir, &all);
    assert!(
        matches!(out.status.code(), Some(0 | 1)),
        "xacct failed: {out:?}"
    );
    let log = json_of(&out);
    let errors = schema_errors(&sarif_validator(), &log);
    assert!(
        errors.is_empty(),
        "not valid SARIF 2.1.0 ({args:?}):\n{}",
        errors.join("\n")
    );
    log
}

fn results(log: &Value) -> &Vec<Value> {
    log["runs"][0]["results"].as_array().unwrap()
}

/// A setup whose template suppresses one finding (XA503, with a reason).
fn suppressing_setup(name: &str) -> PathBuf {
    let dir = scratch(name);
    copy_tree(&repo_root().join("testdata/examples/qa-passrole-cfn"), &dir);
    let dev = dir.join("dev.yaml");
    let text = std::fs::read_to_string(&dev).unwrap();
    let marked = "  CrossAccountRole:\n    Type: AWS::IAM::Role\n";
    assert!(text.contains(marked));
    let text = text.replace(
        marked,
        &format!(
            "{marked}    Metadata:\n      xacct:\n        ignore: [XA503]\n        reason: \"trusted through an SCP: <only> the pipeline role & no other\"\n"
        ),
    );
    std::fs::write(&dev, text).unwrap();
    dir
}

/// Files whose paths need escaping in every format: spaces, `,`, `:`, `%`, non-ASCII; one
/// broken (XA001, whose message quotes the `%` it stumbled on), one a pipeline with findings.
fn odd_paths(name: &str) -> PathBuf {
    let dir = scratch(name);
    let sub = dir.join("od d,1:x%");
    std::fs::create_dir_all(&sub).unwrap();
    std::fs::write(
        sub.join("a,b:c%25 é.json"),
        r#"{"pipeline": {"name": "p", "roleArn": "arn:aws:iam::111111111111:role/r", "stages": []}}"#,
    )
    .unwrap();
    std::fs::write(sub.join("broken.json"), "{%}").unwrap();
    // Walked, but no document xacct checks: skipped silently (and a skipped JUnit case).
    std::fs::write(dir.join("other.json"), r#"{"a": 1}"#).unwrap();
    dir
}

#[test]
fn sarif_validates_against_the_sarif_2_1_0_schema() {
    let root = repo_root();
    let broken = broken_walkthrough("schema");
    let logs = [
        sarif(&broken, &["setup"]),
        sarif(&root, &["--strict", "testdata/examples"]),
        sarif(&root, &["testdata/setups/walkthrough"]),
        sarif(&suppressing_setup("schema-suppressed"), &["."]),
        sarif(&odd_paths("schema-odd"), &["."]),
    ];
    // The clean setup: a run without results is still a complete log.
    assert!(results(&logs[2]).is_empty());
    assert_eq!(
        logs[2]["runs"][0]["tool"]["driver"]["rules"],
        Value::Array(vec![])
    );
    // The validator does check: a level SARIF does not know, a region without a start and a
    // relative URI that is no URI are each refused.
    let validator = sarif_validator();
    let mut bad = logs[0].clone();
    bad["runs"][0]["results"][0]["level"] = "info".into();
    assert!(!schema_errors(&validator, &bad).is_empty());
    let mut bad = logs[0].clone();
    bad["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["region"]["startLine"] =
        0.into();
    assert!(!schema_errors(&validator, &bad).is_empty());
    let mut bad = logs[0].clone();
    bad["runs"][0]["tool"]["driver"]["rules"][0]["helpUri"] = "not a uri".into();
    assert!(!schema_errors(&validator, &bad).is_empty());
}

/// What GitHub code scanning needs of an uploaded log, checked on one.
fn check_github_requirements(log: &Value) {
    let run = &log["runs"][0];
    assert_eq!(log["version"], "2.1.0");
    assert_eq!(run["columnKind"], "unicodeCodePoints");
    let rules = run["tool"]["driver"]["rules"].as_array().unwrap();
    for rule in rules {
        let id = rule["id"].as_str().unwrap();
        assert_eq!(
            rule["helpUri"],
            format!("https://github.com/xacct/xacct/blob/main/crates/xacct-rules/rules/{id}.md")
        );
        assert!(
            rule["help"]["markdown"]
                .as_str()
                .unwrap()
                .starts_with(&format!("# {id}: ")),
            "{id}: the help is the rule page"
        );
        assert_eq!(rule["help"]["text"], rule["help"]["markdown"]);
        for field in ["shortDescription", "fullDescription"] {
            assert!(
                !rule[field]["text"].as_str().unwrap().is_empty(),
                "{id} {field}"
            );
        }
        assert!(["error", "warning", "note"]
            .contains(&rule["defaultConfiguration"]["level"].as_str().unwrap()));
    }
    let codes: Vec<&str> = rules.iter().map(|r| r["id"].as_str().unwrap()).collect();
    let mut sorted = codes.clone();
    sorted.sort_unstable();
    sorted.dedup();
    assert_eq!(codes, sorted, "one descriptor a rule, in code order");
    for result in results(log) {
        let id = result["ruleId"].as_str().expect("ruleId");
        let index = result["ruleIndex"].as_u64().unwrap() as usize;
        assert_eq!(rules[index]["id"], id, "ruleIndex points at the rule");
        assert!(!result["message"]["text"].as_str().unwrap().is_empty());
        let locations = result["locations"].as_array().unwrap();
        assert_eq!(locations.len(), 1);
        let related = result["relatedLocations"]
            .as_array()
            .cloned()
            .unwrap_or_default();
        for location in locations.iter().chain(&related) {
            let physical = &location["physicalLocation"];
            let uri = physical["artifactLocation"]["uri"].as_str().unwrap();
            assert!(
                !uri.contains('\\') && !uri.starts_with("./") && !uri.starts_with('/'),
                "{uri}"
            );
            if !uri.starts_with("file:///") {
                assert_eq!(physical["artifactLocation"]["uriBaseId"], "%SRCROOT%");
            }
            let region = &physical["region"];
            for key in ["startLine", "startColumn", "endLine", "endColumn"] {
                assert!(region[key].as_u64().unwrap() >= 1, "{key}");
            }
            assert!(region["endLine"].as_u64() >= region["startLine"].as_u64());
        }
        for location in &related {
            assert!(!location["message"]["text"].as_str().unwrap().is_empty());
        }
        let fingerprints = result["partialFingerprints"].as_object().unwrap();
        assert!(
            !fingerprints.contains_key("primaryLocationLineHash"),
            "that key is GitHub's to compute"
        );
        let fp = fingerprints["xacct/v2"].as_str().unwrap();
        assert!(fp.len() == 16 && fp.bytes().all(|b| b.is_ascii_hexdigit()));
    }
    // GitHub's limits for one run.
    assert!(results(log).len() <= 25_000);
}

#[test]
fn sarif_meets_github_code_scanning_requirements() {
    let root = repo_root();
    let broken = broken_walkthrough("github-requirements");
    for log in [
        sarif(&broken, &["setup"]),
        sarif(&root, &["--strict", "testdata/examples"]),
        sarif(&suppressing_setup("github-requirements-suppressed"), &["."]),
        sarif(&odd_paths("github-requirements-odd"), &["."]),
    ] {
        check_github_requirements(&log);
    }
}

#[test]
fn sarif_levels_rules_and_labels_follow_the_findings() {
    let root = repo_root();
    let log = sarif(&root, &["--strict", "testdata/examples"]);
    let json = json_of(&xacct(
        &root,
        &["lint", "--strict", "--format", "json", "testdata/examples"],
    ));
    let diagnostics = json["diagnostics"].as_array().unwrap();
    let results = results(&log);
    assert_eq!(results.len(), diagnostics.len());
    let mut levels = std::collections::BTreeSet::new();
    for (r, d) in results.iter().zip(diagnostics) {
        assert_eq!(r["ruleId"], d["code"]);
        let level = match d["severity"].as_str().unwrap() {
            "error" => "error",
            "warning" => "warning",
            "info" => "note",
            other => panic!("severity {other}"),
        };
        assert_eq!(r["level"], level);
        levels.insert(level);
        let text = r["message"]["text"].as_str().unwrap();
        match d["help"].as_str() {
            Some(help) => assert_eq!(
                text,
                format!("{}\nhelp: {help}", d["message"].as_str().unwrap())
            ),
            None => assert_eq!(text, d["message"].as_str().unwrap()),
        }
        let region = &r["locations"][0]["physicalLocation"]["region"];
        assert_eq!(region["startLine"], d["start"]["line"]);
        assert_eq!(region["startColumn"], d["start"]["column"]);
        assert_eq!(region["endLine"], d["end"]["line"]);
        assert_eq!(region["endColumn"], d["end"]["column"]);
        let labels = d["labels"].as_array().unwrap();
        let related = r["relatedLocations"]
            .as_array()
            .cloned()
            .unwrap_or_default();
        assert_eq!(related.len(), labels.len());
        for (i, (loc, label)) in related.iter().zip(labels).enumerate() {
            assert_eq!(loc["id"], i + 1);
            assert_eq!(loc["message"]["text"], label["message"]);
            assert_eq!(
                loc["physicalLocation"]["region"]["startLine"],
                label["start"]["line"]
            );
            assert_eq!(
                loc["physicalLocation"]["artifactLocation"]["uri"],
                label["path"].as_str().unwrap()
            );
        }
    }
    assert_eq!(
        levels.len(),
        3,
        "the examples have errors, warnings and infos"
    );
    // Each rule's default level is the registry's.
    let rules = json_of(&xacct(&root, &["rules", "--format", "json"]));
    for descriptor in log["runs"][0]["tool"]["driver"]["rules"]
        .as_array()
        .unwrap()
    {
        let rule = rules
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["code"] == descriptor["id"])
            .unwrap();
        assert_eq!(descriptor["name"], rule["name"]);
        assert_eq!(descriptor["shortDescription"]["text"], rule["summary"]);
        let level = match rule["severity"].as_str().unwrap() {
            "info" => "note",
            other => other,
        };
        assert_eq!(descriptor["defaultConfiguration"]["level"], level);
    }
}

#[test]
fn sarif_suppressed_findings_are_results_with_their_reason() {
    let dir = suppressing_setup("suppressed");
    let log = sarif(&dir, &["."]);
    let suppressed: Vec<&Value> = results(&log)
        .iter()
        .filter(|r| r.get("suppressions").is_some())
        .collect();
    assert_eq!(suppressed.len(), 1);
    assert_eq!(suppressed[0]["ruleId"], "XA503");
    assert_eq!(
        suppressed[0]["suppressions"],
        serde_json::json!([{"kind": "inSource", "justification": "trusted through an SCP: <only> the pipeline role & no other"}])
    );
    // The other outputs leave it out.
    let compact = stdout(&xacct(&dir, &["lint", "--format", "compact", "."]));
    assert!(!compact.contains("XA503"));
}

fn fingerprints_by_rule(log: &Value) -> Vec<(String, String, u64)> {
    results(log)
        .iter()
        .map(|r| {
            (
                r["ruleId"].as_str().unwrap().to_string(),
                r["partialFingerprints"]["xacct/v2"]
                    .as_str()
                    .unwrap()
                    .to_string(),
                r["locations"][0]["physicalLocation"]["region"]["startLine"]
                    .as_u64()
                    .unwrap(),
            )
        })
        .collect()
}

#[test]
fn sarif_fingerprints_survive_reruns_and_line_shifts() {
    let dir = broken_walkthrough("fingerprints");
    let before = fingerprints_by_rule(&sarif(&dir, &["setup"]));
    assert_eq!(before, fingerprints_by_rule(&sarif(&dir, &["setup"])));
    // Lines added above the finding (JSON allows leading whitespace) move it, not its identity.
    for file in [
        "setup/tools-111111111111/artifact-bucket-policy.json",
        "setup/tools-111111111111/pipeline.json",
    ] {
        let path = dir.join(file);
        let text = std::fs::read_to_string(&path).unwrap();
        std::fs::write(&path, format!("\n\n\n{text}")).unwrap();
    }
    let after = fingerprints_by_rule(&sarif(&dir, &["setup"]));
    assert_eq!(before.len(), after.len());
    for (b, a) in before.iter().zip(&after) {
        assert_eq!((&b.0, &b.1), (&a.0, &a.1));
        assert_eq!(a.2, b.2 + 3, "the finding did move");
    }
    // Different findings, different fingerprints.
    let examples = fingerprints_by_rule(&sarif(&repo_root(), &["--strict", "testdata/examples"]));
    let distinct: std::collections::BTreeSet<_> = examples.iter().map(|e| &e.1).collect();
    assert_eq!(distinct.len(), examples.len());
}

/// The path a relative SARIF location names, decoded.
fn decode_uri(uri: &str) -> PathBuf {
    let bytes = uri.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            out.push(u8::from_str_radix(&uri[i + 1..i + 3], 16).unwrap());
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    PathBuf::from(String::from_utf8(out).unwrap())
}

#[test]
fn sarif_locations_are_relative_to_the_repository_root_and_resolve_to_the_files() {
    let dir = broken_walkthrough("locations");
    let uri_of = |log: &Value| {
        results(log)[0]["locations"][0]["physicalLocation"]["artifactLocation"].clone()
    };
    // The scratch folder is the repository (it holds `.git`): `setup/…` however the files are
    // named and from whichever folder of the repository xacct runs, so that code scanning,
    // which resolves URIs against the checkout's root, finds the file.
    let from_dir = sarif(&dir, &["setup"]);
    let expected = serde_json::json!({"uri": "setup/tools-111111111111/artifact-bucket-policy.json", "uriBaseId": "%SRCROOT%"});
    assert_eq!(uri_of(&from_dir), expected);
    assert_eq!(
        from_dir["runs"][0]["originalUriBaseIds"]["%SRCROOT%"]["uri"],
        format!("file://{}/", dir.display())
    );
    let setup = dir.join("setup");
    let from_setup = sarif(&setup, &["."]);
    assert_eq!(uri_of(&from_setup), expected);
    assert_eq!(
        from_setup["runs"][0]["originalUriBaseIds"]["%SRCROOT%"]["uri"],
        format!("file://{}/", dir.display())
    );
    assert_eq!(uri_of(&sarif(&dir, &[setup.to_str().unwrap()])), expected);
    assert_eq!(
        uri_of(&sarif(&setup.join("prod-222222222222"), &[".."])),
        expected
    );
    // Outside the repository: an absolute file URI, without a base.
    let other = broken_walkthrough("locations-other");
    let outside = sarif(&dir, &[other.join("setup").to_str().unwrap()]);
    assert_eq!(
        uri_of(&outside),
        serde_json::json!({"uri": format!("file://{}/setup/tools-111111111111/artifact-bucket-policy.json", other.display())})
    );
    // Percent-encoded, and each relative URI resolves against `%SRCROOT%` to the file.
    let odd = odd_paths("locations-odd");
    let log = sarif(&odd, &["."]);
    let uris: std::collections::BTreeSet<&str> = results(&log)
        .iter()
        .map(|r| {
            r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
                .as_str()
                .unwrap()
        })
        .collect();
    assert_eq!(
        uris.into_iter().collect::<Vec<_>>(),
        [
            "od%20d,1%3Ax%25/a,b%3Ac%2525%20%C3%A9.json",
            "od%20d,1%3Ax%25/broken.json"
        ]
    );
    for result in results(&log) {
        let uri = result["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
            .as_str()
            .unwrap();
        assert!(odd.join(decode_uri(uri)).is_file(), "{uri}");
    }
}

#[test]
fn sarif_columns_count_code_points() {
    let dir = scratch("columns");
    // Two-, three- and four-byte characters before the finding on its line.
    let text = r#"{"pipeline": {"name": "é€😀", "roleArn": "arn:aws:iam::111111111111:role/r", "stages": []}}"#;
    std::fs::write(dir.join("p.json"), text).unwrap();
    let json = json_of(&xacct(&dir, &["lint", "--format", "json", "p.json"]));
    let log = sarif(&dir, &["p.json"]);
    let results = results(&log);
    let wide = text.find('😀').unwrap();
    assert!(
        json["diagnostics"]
            .as_array()
            .unwrap()
            .iter()
            .any(|d| d["start"]["offset"].as_u64().unwrap() as usize > wide),
        "a finding after the wide characters"
    );
    for (r, d) in results.iter().zip(json["diagnostics"].as_array().unwrap()) {
        let offset = d["start"]["offset"].as_u64().unwrap() as usize;
        let expected = text[..offset].chars().count() as u64 + 1;
        let region = &r["locations"][0]["physicalLocation"]["region"];
        assert_eq!(region["startColumn"].as_u64(), Some(expected));
        let end = d["end"]["offset"].as_u64().unwrap() as usize;
        assert_eq!(
            region["endColumn"].as_u64(),
            Some(text[..end].chars().count() as u64 + 1)
        );
    }
}

/// Where a consumer program is: a path from `var`, else `None` with the reason printed. With
/// `XACCT_REQUIRE_CONSUMERS` set a missing consumer fails the test instead.
fn consumer_missing(what: &str, why: &str) {
    assert!(
        std::env::var_os("XACCT_REQUIRE_CONSUMERS").is_none(),
        "XACCT_REQUIRE_CONSUMERS is set but {what} is not available: {why}"
    );
    eprintln!("skipping the {what} check: {why}");
}

#[test]
fn sarif_passes_microsofts_sarif_multitool() {
    let Some(tool) = std::env::var_os("XACCT_SARIF_MULTITOOL") else {
        consumer_missing(
            "SARIF Multitool",
            "XACCT_SARIF_MULTITOOL does not name it (npm pack @microsoft/sarif-multitool-linux, \
             untar, chmod u+x package/Sarif.Multitool)",
        );
        return;
    };
    let root = repo_root();
    let dir = scratch("multitool");
    let broken = broken_walkthrough("multitool-setup");
    let cases = [
        ("walkthrough", broken.clone(), vec!["setup"]),
        (
            "examples",
            root.clone(),
            vec!["--strict", "testdata/examples"],
        ),
        (
            "suppressed",
            suppressing_setup("multitool-suppressed"),
            vec!["."],
        ),
        ("odd", odd_paths("multitool-odd"), vec!["."]),
    ];
    for (name, cwd, args) in cases {
        let log = sarif(&cwd, &args);
        let input = dir.join(format!("{name}.sarif"));
        std::fs::write(&input, serde_json::to_string_pretty(&log).unwrap()).unwrap();
        let report = dir.join(format!("{name}.validation.sarif"));
        let out = Command::new(&tool)
            .args([
                "validate",
                "--rule-kind",
                "Sarif;Gh",
                "--log",
                "ForceOverwrite",
                "-o",
            ])
            .arg(&report)
            .arg(&input)
            .output()
            .expect("run the SARIF Multitool");
        assert!(out.status.success(), "{out:?}");
        let findings: Value =
            serde_json::from_str(&std::fs::read_to_string(&report).unwrap()).unwrap();
        let problems: Vec<String> = findings["runs"]
            .as_array()
            .unwrap()
            .iter()
            .flat_map(|run| run["results"].as_array().cloned().unwrap_or_default())
            .map(|r| format!("{} {}", r["ruleId"], r["message"]))
            .collect();
        assert!(
            problems.is_empty(),
            "the Multitool objects to {name}:\n{}\n{}",
            problems.join("\n"),
            String::from_utf8_lossy(&out.stdout)
        );
    }
}

// ---------------------------------------------------------------------------------------------
// GitHub annotations

/// A workflow command as the Actions runner reads it: a port of `ActionCommand.TryParseV2`
/// (after leading white space, `::`, the command name up to a space, `key=value` properties
/// split at `,` up to the next `::`, then the data) and of its unescaping (`%0D`, `%0A`, then
/// for properties `%3A` and `%2C`, and `%25` last).
struct RunnerCommand {
    name: String,
    properties: BTreeMap<String, String>,
    /// Property keys in the order they came.
    order: Vec<String>,
    data: String,
}

fn runner_unescape(s: &str, property: bool) -> String {
    let mut s = s.replace("%0D", "\r").replace("%0A", "\n");
    if property {
        s = s.replace("%3A", ":").replace("%2C", ",");
    }
    s.replace("%25", "%")
}

fn runner_parse(line: &str) -> Option<RunnerCommand> {
    let line = line.trim_start();
    let rest = line.strip_prefix("::")?;
    let end = rest.find("::")?;
    let (info, data) = (&rest[..end], &rest[end + 2..]);
    let (name, properties) = match info.find(' ') {
        Some(i) => (&info[..i], Some(&info[i + 1..])),
        None => (info, None),
    };
    let mut command = RunnerCommand {
        name: name.to_string(),
        properties: BTreeMap::new(),
        order: Vec::new(),
        data: runner_unescape(data, false),
    };
    for property in properties
        .unwrap_or("")
        .trim()
        .split(',')
        .filter(|p| !p.is_empty())
    {
        if let Some((key, value)) = property.split_once('=') {
            if !key.is_empty() && !value.is_empty() {
                command.order.push(key.to_string());
                command
                    .properties
                    .insert(key.to_string(), runner_unescape(value, true));
            }
        }
    }
    Some(command)
}

/// The runs whose annotations are checked: severities of every kind, and paths and messages
/// that need escaping.
fn annotation_runs() -> Vec<(PathBuf, Vec<&'static str>)> {
    vec![
        (repo_root(), vec!["--strict", "testdata/examples"]),
        (odd_paths("annotations-odd"), vec!["."]),
        (broken_walkthrough("annotations-setup"), vec!["setup"]),
    ]
}

fn lint_as(dir: &Path, format: &str, args: &[&str]) -> Output {
    let mut all = vec!["lint", "--format", format];
    all.extend_from_slice(args);
    xacct(dir, &all)
}

#[test]
fn github_annotations_read_back_as_the_runner_reads_them() {
    let mut escapes = std::collections::BTreeSet::new();
    for (dir, args) in annotation_runs() {
        let text = stdout(&lint_as(&dir, "github", &args));
        let json = json_of(&lint_as(&dir, "json", &args));
        let diagnostics = json["diagnostics"].as_array().unwrap();
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines.len(), diagnostics.len());
        for (line, d) in lines.iter().zip(diagnostics) {
            for escape in ["%25", "%0A", "%3A", "%2C"] {
                if line.contains(escape) {
                    escapes.insert(escape);
                }
            }
            let command = runner_parse(line).unwrap_or_else(|| panic!("not a command: {line}"));
            let expected_name = match d["severity"].as_str().unwrap() {
                "error" => "error",
                "warning" => "warning",
                _ => "notice",
            };
            assert_eq!(command.name, expected_name);
            let p = &command.properties;
            let path = d["path"].as_str().unwrap();
            assert_eq!(p["file"], path.trim_start_matches("./"));
            assert_eq!(p["title"], d["code"].as_str().unwrap());
            assert_eq!(p["line"], d["start"]["line"].to_string());
            let single_line = p.contains_key("col");
            if single_line {
                assert_eq!(p["col"], d["start"]["column"].to_string());
                assert_eq!(p["endLine"], p["line"]);
                let end_col: u64 = p["endColumn"].parse().unwrap();
                let start_col = d["start"]["column"].as_u64().unwrap();
                let exclusive = d["end"]["column"].as_u64().unwrap();
                // Inclusive: the last character's column (the start's for an empty span).
                assert!(
                    end_col == (exclusive - 1).max(start_col)
                        || d["end"]["line"] != d["start"]["line"],
                    "{line}"
                );
            } else {
                assert!(!p.contains_key("endColumn"));
                assert!(p["endLine"].parse::<u64>().unwrap() > p["line"].parse().unwrap());
            }
            let message = d["message"].as_str().unwrap();
            match d["help"].as_str() {
                Some(help) => assert_eq!(command.data, format!("{message}\nhelp: {help}")),
                None => assert_eq!(command.data, message),
            }
        }
    }
    assert_eq!(escapes.len(), 4, "every escape was exercised: {escapes:?}");
}

/// `@actions/core`, unpacked: from `XACCT_ACTIONS_CORE` (its package folder), else fetched once
/// with `npm pack` into the target directory.
fn actions_core() -> Option<PathBuf> {
    const VERSION: &str = "3.0.1";
    if let Some(dir) = std::env::var_os("XACCT_ACTIONS_CORE") {
        return Some(PathBuf::from(dir));
    }
    let node = Command::new("node").arg("--version").output();
    if !node.is_ok_and(|o| o.status.success()) {
        consumer_missing("@actions/core", "node is not installed");
        return None;
    }
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR"))
        .join("consumers")
        .join(format!("actions-core-{VERSION}"));
    let package = dir.join("package");
    if package.join("lib/command.js").is_file() {
        return Some(package);
    }
    std::fs::create_dir_all(&dir).unwrap();
    let packed = Command::new("npm")
        .current_dir(&dir)
        .args([
            "pack",
            &format!("@actions/core@{VERSION}"),
            "--silent",
            "--fetch-timeout=30000",
            "--fetch-retries=1",
        ])
        .output();
    let tarball = match packed {
        Ok(out) if out.status.success() => String::from_utf8_lossy(&out.stdout).trim().to_string(),
        Ok(out) => {
            consumer_missing(
                "@actions/core",
                &format!("npm pack failed: {}", String::from_utf8_lossy(&out.stderr)),
            );
            return None;
        }
        Err(e) => {
            consumer_missing("@actions/core", &format!("npm cannot run: {e}"));
            return None;
        }
    };
    let untar = Command::new("tar")
        .current_dir(&dir)
        .args(["xzf", &tarball])
        .status()
        .unwrap();
    assert!(untar.success());
    Some(package)
}

#[test]
fn github_annotations_are_what_the_actions_toolkit_writes() {
    let Some(core) = actions_core() else { return };
    // For each of our lines: the values the runner reads from it, written again by the
    // toolkit's own `issueCommand` (properties in our order), must give the same bytes.
    let mut commands = Vec::new();
    let mut ours = String::new();
    for (dir, args) in annotation_runs() {
        let text = stdout(&lint_as(&dir, "github", &args));
        for line in text.lines() {
            let command = runner_parse(line).unwrap();
            let properties: Vec<Value> = command
                .order
                .iter()
                .map(|k| serde_json::json!([k, command.properties[k]]))
                .collect();
            commands.push(serde_json::json!([command.name, properties, command.data]));
            ours.push_str(line);
            ours.push('\n');
        }
    }
    // Strings only the unit tests reach: a CR, and escapes already in the text.
    let tricky = "a\rb\r\nc%0A%25::,x";
    commands.push(serde_json::json!([
        "warning",
        [["file", tricky], ["title", tricky]],
        tricky
    ]));
    ours.push_str("::warning file=a%0Db%0D%0Ac%250A%2525%3A%3A%2Cx,title=a%0Db%0D%0Ac%250A%2525%3A%3A%2Cx::a%0Db%0D%0Ac%250A%2525::,x\n");
    let script = format!(
        "const {{ issueCommand }} = await import({url});\n\
         const commands = JSON.parse(process.argv[1]);\n\
         for (const [name, properties, data] of commands) {{\n\
           issueCommand(name, Object.fromEntries(properties), data);\n\
         }}\n",
        url = serde_json::to_string(&format!("file://{}", core.join("lib/command.js").display()))
            .unwrap()
    );
    let out = Command::new("node")
        .args(["--input-type=module", "-e", &script])
        .arg(serde_json::to_string(&commands).unwrap())
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "node failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let toolkit = String::from_utf8(out.stdout).unwrap();
    for (theirs, mine) in toolkit.lines().zip(ours.lines()) {
        assert_eq!(theirs, mine);
    }
    assert_eq!(toolkit.lines().count(), ours.lines().count());
}

// ---------------------------------------------------------------------------------------------
// JUnit

#[test]
fn junit_is_xml_with_a_case_per_file_and_a_failure_per_finding() {
    let runs = [
        (broken_walkthrough("junit-setup"), vec!["setup"]),
        (repo_root(), vec!["--strict", "testdata/examples"]),
        (odd_paths("junit-odd"), vec!["."]),
        (suppressing_setup("junit-suppressed"), vec!["."]),
    ];
    let mut saw_skipped = false;
    for (dir, args) in runs {
        let xml = stdout(&lint_as(&dir, "junit", &args));
        let json = json_of(&lint_as(&dir, "json", &args));
        let compact = stdout(&lint_as(&dir, "compact", &args));
        let doc =
            roxmltree::Document::parse(&xml).unwrap_or_else(|e| panic!("not XML ({e}):\n{xml}"));
        let root = doc.root_element();
        assert_eq!(root.tag_name().name(), "testsuites");
        let suites: Vec<_> = root.children().filter(|n| n.is_element()).collect();
        assert_eq!(suites.len(), 1, "one testsuite");
        let suite = suites[0];
        assert_eq!(suite.tag_name().name(), "testsuite");
        let cases: Vec<_> = suite.children().filter(|n| n.is_element()).collect();
        assert!(cases.iter().all(|c| c.tag_name().name() == "testcase"));
        assert_eq!(
            cases.len() as u64,
            json["summary"]["files"].as_u64().unwrap(),
            "a case per file"
        );
        assert_eq!(
            suite.attribute("tests"),
            Some(cases.len().to_string().as_str())
        );
        let failures: Vec<_> = cases
            .iter()
            .flat_map(|c| c.children().filter(|n| n.has_tag_name("failure")))
            .collect();
        let failed_cases = cases
            .iter()
            .filter(|c| c.children().any(|n| n.has_tag_name("failure")))
            .count();
        assert_eq!(
            suite.attribute("failures"),
            Some(failed_cases.to_string().as_str())
        );
        assert_eq!(root.attribute("failures"), suite.attribute("failures"));
        let skipped = cases
            .iter()
            .filter(|c| c.children().any(|n| n.has_tag_name("skipped")))
            .count();
        saw_skipped |= skipped > 0;
        assert_eq!(
            suite.attribute("skipped"),
            Some(skipped.to_string().as_str())
        );
        let diagnostics = json["diagnostics"].as_array().unwrap();
        assert_eq!(failures.len(), diagnostics.len(), "a failure per finding");
        let compact_lines: Vec<&str> = compact.lines().collect();
        for ((failure, d), line) in failures.iter().zip(diagnostics).zip(&compact_lines) {
            assert_eq!(failure.attribute("type"), d["code"].as_str());
            assert_eq!(failure.attribute("message"), d["message"].as_str());
            let text = failure.text().unwrap();
            assert_eq!(text.lines().next(), Some(*line), "the compact line");
            if let Some(help) = d["help"].as_str() {
                assert!(text.ends_with(&format!("\nhelp: {help}")));
            }
            let case = failure.parent().unwrap();
            assert_eq!(
                case.attribute("name"),
                Some(d["path"].as_str().unwrap().trim_start_matches("./"))
            );
        }
        // Files without findings pass: a bare test case.
        for case in &cases {
            let name = case.attribute("name").unwrap();
            let has = diagnostics
                .iter()
                .any(|d| d["path"].as_str().unwrap().trim_start_matches("./") == name);
            assert_eq!(
                case.children().any(|n| n.has_tag_name("failure")),
                has,
                "{name}"
            );
        }
    }
    assert!(
        saw_skipped,
        "a walked file that is no document is a skipped case"
    );
}

// ---------------------------------------------------------------------------------------------
// Text

#[test]
fn statistics_count_findings_per_rule_most_first() {
    let root = repo_root();
    let out = xacct(
        &root,
        &["lint", "--strict", "--statistics", "testdata/examples"],
    );
    assert_eq!(out.status.code(), Some(1));
    let text = stdout(&out);
    let json = json_of(&xacct(
        &root,
        &["lint", "--strict", "--format", "json", "testdata/examples"],
    ));
    let mut expected: BTreeMap<String, (usize, String)> = BTreeMap::new();
    for d in json["diagnostics"].as_array().unwrap() {
        expected
            .entry(d["code"].as_str().unwrap().to_string())
            .or_insert((0, d["name"].as_str().unwrap().to_string()))
            .0 += 1;
    }
    let mut lines: Vec<&str> = text.lines().collect();
    let summary = lines.pop().unwrap();
    assert!(
        summary.contains(" in ") && summary.ends_with("checked)"),
        "{summary}"
    );
    assert_eq!(lines.len(), expected.len());
    let mut previous: Option<(usize, String)> = None;
    for line in lines {
        let fields: Vec<&str> = line.split('\t').collect();
        let [count, code, name] = fields[..] else {
            panic!("{line:?}")
        };
        let count: usize = count.trim().parse().unwrap();
        let code = code.trim().to_string();
        assert_eq!(expected[&code], (count, name.to_string()), "{line}");
        if let Some((c, prev)) = &previous {
            assert!(
                *c > count || (*c == count && *prev < code),
                "sorted: {line}"
            );
        }
        previous = Some((count, code));
    }
    // Machine formats have no statistics.
    let out = xacct(
        &root,
        &[
            "lint",
            "--statistics",
            "--format",
            "compact",
            "testdata/examples",
        ],
    );
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(
        String::from_utf8_lossy(&out.stderr),
        "error: --statistics is for --format text or json\n"
    );
}

#[test]
fn the_summary_says_how_long_the_run_took_on_a_terminal() {
    let dir = broken_walkthrough("terminal");
    // Piped: the same bytes every run.
    let piped = stdout(&xacct(&dir, &["lint", "--color", "never", "setup"]));
    assert!(piped.ends_with("1 error, 0 warnings, 0 infos in 14 files (14 checked)\n"));
    // On a terminal (util-linux `script` gives the run one).
    let command = format!("{} lint --color never setup", env!("CARGO_BIN_EXE_xacct"));
    let out = Command::new("script")
        .current_dir(&dir)
        .args(["-qec", &command, "/dev/null"])
        .output();
    let out = match out {
        Ok(out) if out.status.code() == Some(1) => out,
        other => {
            eprintln!("skipping the terminal check: `script` cannot run xacct ({other:?})");
            return;
        }
    };
    let text = String::from_utf8_lossy(&out.stdout).replace("\r\n", "\n");
    let last = text.lines().last().unwrap();
    let timed = last
        .strip_prefix("1 error, 0 warnings, 0 infos in 14 files (14 checked, ")
        .and_then(|rest| rest.strip_suffix(')'))
        .unwrap_or_else(|| panic!("no time in {last:?}"));
    let (number, unit) = timed.split_once(' ').unwrap();
    assert!(unit == "ms" || unit == "s", "{timed}");
    assert!(number.parse::<f64>().is_ok(), "{timed}");
}

#[test]
fn sarif_rules_carry_a_security_severity() {
    let dir = broken_walkthrough("security-severity");
    let log = sarif(&dir, &["--strict", "setup"]);
    let rules = log["runs"][0]["tool"]["driver"]["rules"]
        .as_array()
        .unwrap();
    assert!(!rules.is_empty());
    for rule in rules {
        let expected = match rule["defaultConfiguration"]["level"].as_str().unwrap() {
            "error" => "8.0",
            "warning" => "5.0",
            "note" => "2.0",
            other => panic!("level {other}"),
        };
        assert_eq!(rule["properties"]["security-severity"], expected, "{rule}");
    }
    let xa401 = rules.iter().find(|r| r["id"] == "XA401").unwrap();
    assert_eq!(
        xa401["properties"],
        serde_json::json!({"tags": ["S3"], "security-severity": "8.0"})
    );
    // The least privilege rules are tagged `security`, which GitHub needs to read it.
    let examples = sarif(&repo_root(), &["testdata/examples/qa-passrole-cfn"]);
    let rules = examples["runs"][0]["tool"]["driver"]["rules"]
        .as_array()
        .unwrap();
    let xa902 = rules.iter().find(|r| r["id"] == "XA902").unwrap();
    assert_eq!(
        xa902["properties"],
        serde_json::json!({"tags": ["least privilege", "security"], "security-severity": "5.0"})
    );
}

#[test]
fn sarif_is_a_valid_log_when_the_run_cannot_start() {
    let dir = scratch("sarif-trouble");
    std::fs::write(
        dir.join("xacct.toml"),
        "region = \"mars-1\"\n[accounts]\nci = \"12\"\n",
    )
    .unwrap();
    std::fs::write(dir.join("p.json"), "{}").unwrap();
    let check = |out: &Output| -> Value {
        assert_eq!(out.status.code(), Some(2));
        let log = json_of(out);
        let errors = schema_errors(&sarif_validator(), &log);
        assert!(errors.is_empty(), "{errors:?}");
        log
    };
    let log = check(&xacct(&dir, &["lint", "--format", "sarif", "."]));
    let run = &log["runs"][0];
    assert_eq!(run["results"], serde_json::json!([]));
    assert_eq!(run["invocations"][0]["executionSuccessful"], false);
    assert_eq!(run["invocations"][0]["exitCode"], 2);
    let notes = run["invocations"][0]["toolExecutionNotifications"]
        .as_array()
        .unwrap();
    let said: Vec<(String, u64, u64)> = notes
        .iter()
        .map(|n| {
            let place = &n["locations"][0]["physicalLocation"];
            assert_eq!(
                place["artifactLocation"],
                serde_json::json!({"uri": "xacct.toml", "uriBaseId": "%SRCROOT%"})
            );
            (
                n["message"]["text"].as_str().unwrap().to_string(),
                place["region"]["startLine"].as_u64().unwrap(),
                place["region"]["startColumn"].as_u64().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        said,
        [
            (
                "invalid config: `mars-1` is not an AWS region name (e.g. us-east-1)".to_string(),
                1,
                10
            ),
            (
                "invalid config: account `ci`: `12` is not a 12-digit account ID".to_string(),
                3,
                6
            ),
        ]
    );
    // A bad argument too, without a place.
    let log = check(&xacct(
        &dir,
        &[
            "lint",
            "--format",
            "sarif",
            "--config",
            "/nonexistent/xacct.toml",
            ".",
        ],
    ));
    let note = &log["runs"][0]["invocations"][0]["toolExecutionNotifications"][0];
    assert!(note["message"]["text"]
        .as_str()
        .unwrap()
        .starts_with("invalid config: cannot read /nonexistent/xacct.toml"));
    let log = check(&xacct(
        &dir,
        &["lint", "--format", "sarif", "--region", "mars", "p.json"],
    ));
    assert_eq!(
        log["runs"][0]["invocations"][0]["toolExecutionNotifications"],
        serde_json::json!([{"level": "error", "descriptor": {"id": "arguments"},
            "message": {"text": "--region `mars` is not an AWS region name (e.g. us-east-1)"}}])
    );
}
