//! `xacct graph`: the walkthrough setup as Mermaid (snapshot) and DOT (rendered by Graphviz),
//! and a broken copy whose broken edge is red and carries its finding's code.
//!
//! Graphviz is not part of the Rust toolchain: without `dot` on the PATH the rendering check is
//! skipped, unless `XACCT_REQUIRE_DOT` is set (`.ci/run` installs Graphviz and sets it).

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

mod common;
use common::{copy_tree, repo_root, snapshot};

fn graph(dir: &Path, format: &str) -> String {
    let output = Command::new(env!("CARGO_BIN_EXE_xacct"))
        .current_dir(dir)
        .args(["graph", "--format", format, "."])
        .output()
        .unwrap();
    assert!(output.status.success(), "xacct graph failed: {output:?}");
    String::from_utf8(output.stdout).unwrap()
}

/// The walkthrough setup with the pipeline role's `sts:AssumeRole` grant taken away (the XA501
/// fixture), in a scratch folder of its own per test (tests run in parallel).
fn broken_walkthrough(test: &str) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!("graph-{test}"));
    let _ = std::fs::remove_dir_all(&dir);
    copy_tree(&repo_root().join("testdata/setups/walkthrough"), &dir);
    copy_tree(&repo_root().join("testdata/rules/XA501/fail"), &dir);
    std::fs::remove_file(dir.join("BASE")).unwrap();
    dir
}

/// Renders DOT with Graphviz; `None` when Graphviz is absent and not required.
fn render_with_graphviz(dot: &str) -> Option<String> {
    let child = Command::new("dot")
        .arg("-Tsvg")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn();
    let mut child = match child {
        Ok(child) => child,
        Err(e) => {
            assert!(
                std::env::var_os("XACCT_REQUIRE_DOT").is_none(),
                "XACCT_REQUIRE_DOT is set but Graphviz `dot` cannot run: {e}"
            );
            eprintln!("skipping the Graphviz check: `dot` is not installed ({e})");
            return None;
        }
    };
    use std::io::Write;
    child
        .stdin
        .take()
        .unwrap()
        .write_all(dot.as_bytes())
        .unwrap();
    let output = child.wait_with_output().unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        output.status.success() && stderr.trim().is_empty(),
        "dot rejected the graph: {stderr}\n{dot}"
    );
    Some(String::from_utf8(output.stdout).unwrap())
}

#[test]
fn the_walkthrough_graph_in_mermaid() {
    let text = graph(&repo_root().join("testdata/setups/walkthrough"), "mermaid");
    snapshot("walkthrough.mmd", &text);
    assert!(!text.contains("XA"), "a clean setup has no broken edge");
}

#[test]
fn the_walkthrough_graph_renders_with_graphviz() {
    let dot = graph(&repo_root().join("testdata/setups/walkthrough"), "dot");
    assert!(!dot.contains("#dd0000"), "a clean setup has no red edge");
    if let Some(svg) = render_with_graphviz(&dot) {
        assert!(svg.contains("<svg") && svg.contains("CrossAccount_Role"));
    }
}

#[test]
fn a_broken_edge_is_red_and_names_its_finding() {
    let dir = broken_walkthrough("red-edge");
    let dot = graph(&dir, "dot");
    let red: Vec<&str> = dot.lines().filter(|l| l.contains("#dd0000")).collect();
    assert_eq!(red.len(), 1, "{dot}");
    assert!(
        red[0].contains("label=\"can-assume: XA501\""),
        "the pipeline role's assume edge is the broken one: {}",
        red[0]
    );
    if let Some(svg) = render_with_graphviz(&dot) {
        assert!(svg.contains("XA501") && svg.contains("#dd0000"));
    }

    let mermaid = graph(&dir, "mermaid");
    let edges: Vec<&str> = mermaid
        .lines()
        .filter(|l| l.trim_start().starts_with('n') && l.contains("-->"))
        .collect();
    let broken = edges
        .iter()
        .position(|l| l.contains("\"can-assume: XA501\""))
        .expect("the broken edge carries its code");
    assert!(
        mermaid
            .lines()
            .any(|l| l.trim()
                == format!("linkStyle {broken} stroke:#d00,stroke-width:2px,color:#d00")),
        "edge {broken} is drawn red:\n{mermaid}"
    );
}

#[test]
fn the_graph_as_json_lists_checks_with_their_outcomes() {
    let dir = broken_walkthrough("json");
    let json: serde_json::Value = serde_json::from_str(&graph(&dir, "json")).unwrap();
    let checks = json["checks"].as_array().unwrap();
    let broken: Vec<&serde_json::Value> = checks
        .iter()
        .filter(|c| c["outcome"] != "allowed")
        .collect();
    // The walkthrough's two `Staging` actions run as `CrossAccount_Role`: one question each,
    // one root cause, so the one XA501 finding marks both.
    assert_eq!(broken.len(), 2, "{broken:?}");
    assert_eq!(broken[0]["need"]["action"], 0);
    assert_eq!(broken[1]["need"]["action"], 1);
    assert_eq!(broken[1]["findings"], serde_json::json!(["XA501"]));
    let c = broken[0];
    assert_eq!(c["kind"], "can-assume");
    assert_eq!(
        c["principal"],
        "arn:aws:iam::111111111111:role/service-role/CodePipeline_Service_Role"
    );
    assert_eq!(
        c["resource"],
        "arn:aws:iam::222222222222:role/CrossAccount_Role"
    );
    assert_eq!(c["outcome"], "not-allowed");
    assert_eq!(c["missing"], "identity");
    assert_eq!(c["findings"], serde_json::json!(["XA501"]));
    // The edge that carries the check.
    let edge = json["edges"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["check"] == c["index"])
        .expect("an edge for the check");
    assert_eq!(edge["kind"], "can-assume");
}

#[test]
fn account_boxes_carry_the_config_names_in_mermaid_and_dot() {
    let dir = repo_root().join("testdata/setups/walkthrough");
    let mermaid = graph(&dir, "mermaid");
    for line in [
        "  subgraph acct_111111111111[\"account 111111111111 (tools)\"]",
        "  subgraph acct_222222222222[\"account 222222222222 (prod)\"]",
    ] {
        assert!(
            mermaid.lines().any(|l| l == line),
            "no `{line}` in\n{mermaid}"
        );
    }
    let dot = graph(&dir, "dot");
    for line in [
        "    label=\"account 111111111111 (tools)\";",
        "    label=\"account 222222222222 (prod)\";",
    ] {
        assert!(dot.lines().any(|l| l == line), "no `{line}` in\n{dot}");
    }

    // Without `[accounts]` the boxes show the bare IDs.
    let bare = Path::new(env!("CARGO_TARGET_TMPDIR")).join("graph-unnamed-accounts");
    let _ = std::fs::remove_dir_all(&bare);
    copy_tree(&dir, &bare);
    let config = std::fs::read_to_string(bare.join("xacct.toml")).unwrap();
    let without: String = config
        .lines()
        .filter(|l| {
            ![
                "[accounts]",
                "tools = \"111111111111\"",
                "prod = \"222222222222\"",
            ]
            .contains(l)
        })
        .map(|l| format!("{l}\n"))
        .collect();
    assert_eq!(config.lines().count(), without.lines().count() + 3);
    std::fs::write(bare.join("xacct.toml"), without).unwrap();
    let mermaid = graph(&bare, "mermaid");
    assert!(
        mermaid
            .lines()
            .any(|l| l == "  subgraph acct_111111111111[\"account 111111111111\"]"),
        "{mermaid}"
    );
    assert!(!mermaid.contains("(tools)"), "{mermaid}");
    let dot = graph(&bare, "dot");
    assert!(
        dot.lines()
            .any(|l| l == "    label=\"account 222222222222\";"),
        "{dot}"
    );
}
