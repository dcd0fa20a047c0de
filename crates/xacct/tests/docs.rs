//! The documentation under `docs/` stays true to the program:
//!
//! - `docs/rules.md` is generated from the rule registry and the pages in `rules/` (the one
//!   source of `xacct explain`, the docs and SARIF help); every rule has a page, every page a
//!   rule, and `xacct explain` prints the page as it is on disk;
//! - blocks marked `<!-- output: xacct ARGS -->` hold what that command prints now;
//! - relative links and their `#anchors` resolve; every `--flag` a documented `xacct` command
//!   line uses exists;
//! - the integration files parse and do what the docs say: the GitHub Actions workflow, the VS
//!   Code problem matcher (run with node's regular expressions, which VS Code uses), the GitLab
//!   Code Quality jq program (run with jq). Without node or jq those two say so and skip.
//!
//! `XACCT_BLESS=1` rewrites `docs/rules.md` and the output blocks.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::process::Command;

use xacct_rules::RULES;

fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../..")
        .canonicalize()
        .unwrap()
}

fn bless() -> bool {
    std::env::var_os("XACCT_BLESS").is_some()
}

fn xacct(args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_xacct"))
        .current_dir(repo_root())
        .args(args)
        .env("NO_COLOR", "1")
        .output()
        .unwrap()
}

/// Every Markdown file of the documentation: README.md, docs/ and rules/.
fn markdown_files() -> Vec<PathBuf> {
    let root = repo_root();
    let mut files = vec![root.join("README.md")];
    for dir in ["docs", "crates/xacct-rules/rules"] {
        for entry in walkdir::WalkDir::new(root.join(dir)).sort_by_file_name() {
            let entry = entry.unwrap();
            if entry.path().extension().is_some_and(|e| e == "md") {
                files.push(entry.into_path());
            }
        }
    }
    files
}

fn relative(path: &Path) -> String {
    path.strip_prefix(repo_root())
        .unwrap_or(path)
        .display()
        .to_string()
}

// ---------------------------------------------------------------------------------------------
// docs/rules.md

/// The family a page names (`**Severity:** error · **Family:** accounts and artifacts`).
fn family(page: &str) -> Option<&str> {
    let line = page.lines().find(|l| l.starts_with("**Severity:**"))?;
    Some(line.split("**Family:**").nth(1)?.trim())
}

fn capitalised(text: &str) -> String {
    let mut chars = text.chars();
    match chars.next() {
        Some(first) if text.chars().all(|c| !c.is_ascii_uppercase()) => {
            first.to_uppercase().chain(chars).collect()
        }
        _ => text.to_string(),
    }
}

/// `docs/rules.md`, from the registry.
fn rules_index() -> String {
    let mut out = String::from(
        "# Rules\n\n\
         <!-- Generated from the rule registry and crates/xacct-rules/rules/*.md by crates/xacct/tests/docs.rs. After adding or\n     \
         changing a rule, run `XACCT_BLESS=1 cargo test -p xacct --test docs` and commit the result. -->\n\n\
         Every rule has one page in [`crates/xacct-rules/rules/`](../crates/xacct-rules/rules/): why the setup breaks (the error AWS gives), a\n\
         failing and a passing example, how to fix it, and when the rule stays silent. That page is the\n\
         only source: `xacct explain CODE` prints it, SARIF output carries it as the rule's help (GitHub\n\
         code scanning shows it beside each alert) and links to it, and this index is generated from the\n\
         same registry. `xacct rules` prints this table in a terminal.\n\n\
         The severity is the rule's default. Codes never change meaning; a rule that is retired keeps\n\
         its code unused. A rule marked *fixable* has fixes that `xacct lint --fix` applies (its\n\
         page says which).\n\n",
    );
    let mut families: BTreeMap<char, (String, Vec<&xacct_rules::Rule>)> = BTreeMap::new();
    for rule in RULES {
        let digit = rule.code.chars().nth(2).unwrap();
        let name = family(rule.page).unwrap_or("other").to_string();
        let entry = families
            .entry(digit)
            .or_insert_with(|| (name.clone(), Vec::new()));
        assert_eq!(
            entry.0, name,
            "rules/{}.md names family `{name}`, its neighbours `{}`",
            rule.code, entry.0
        );
        entry.1.push(rule);
    }
    out.push_str("| family | codes | rules |\n|---|---|---|\n");
    for (digit, (name, rules)) in &families {
        let anchor = slug(&format!("{} (XA{digit}xx)", capitalised(name)));
        out.push_str(&format!(
            "| [{}](#{anchor}) | XA{digit}xx | {} |\n",
            capitalised(name),
            rules.len()
        ));
    }
    for (digit, (name, rules)) in &families {
        out.push_str(&format!(
            "\n## {} (XA{digit}xx)\n\n| code | name | severity | what it finds |\n|---|---|---|---|\n",
            capitalised(name)
        ));
        for rule in rules {
            out.push_str(&format!(
                "| [{code}](../crates/xacct-rules/rules/{code}.md) | `{name}` | {severity} | {summary} |\n",
                code = rule.code,
                name = rule.name,
                severity = rule.severity,
                summary = rule.summary.replace('|', "\\|"),
            ));
            if rule.page.contains("`xacct lint --fix`") {
                out.truncate(out.len() - " |\n".len());
                out.push_str(" *fixable* |\n");
            }
        }
    }
    out
}

#[test]
fn rules_index_is_generated_from_the_registry() {
    let path = repo_root().join("docs/rules.md");
    let generated = rules_index();
    if bless() {
        std::fs::write(&path, &generated).unwrap();
        return;
    }
    let on_disk = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        on_disk == generated,
        "docs/rules.md is stale: run `XACCT_BLESS=1 cargo test -p xacct --test docs`"
    );
}

#[test]
fn every_rule_has_a_page_and_every_page_a_rule() {
    let dir = repo_root().join("crates/xacct-rules/rules");
    let pages: BTreeSet<String> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter_map(|n| n.strip_suffix(".md").map(str::to_string))
        .filter(|n| n != "README")
        .collect();
    let codes: BTreeSet<String> = RULES.iter().map(|r| r.code.to_string()).collect();
    let without_rule: Vec<_> = pages.difference(&codes).collect();
    let without_page: Vec<_> = codes.difference(&pages).collect();
    assert!(
        without_rule.is_empty(),
        "pages with no rule in the registry: {without_rule:?}"
    );
    assert!(
        without_page.is_empty(),
        "rules with no page: {without_page:?}"
    );
    for rule in RULES {
        let on_disk = std::fs::read_to_string(dir.join(format!("{}.md", rule.code))).unwrap();
        assert!(
            on_disk == rule.page,
            "rules/{}.md differs from the page built in",
            rule.code
        );
        let explained = xacct(&["explain", rule.code]);
        assert!(explained.status.success());
        assert!(
            explained.stdout == on_disk.as_bytes(),
            "`xacct explain {}` is not rules/{}.md",
            rule.code,
            rule.code
        );
        // The docs index links every page.
        let index = std::fs::read_to_string(repo_root().join("docs/rules.md")).unwrap();
        assert!(
            index.contains(&format!("(../crates/xacct-rules/rules/{}.md)", rule.code)),
            "docs/rules.md does not link {}",
            rule.code
        );
    }
}

// ---------------------------------------------------------------------------------------------
// Output blocks

const OUTPUT_MARK: &str = "<!-- output: xacct ";

#[test]
fn output_blocks_are_what_the_commands_print() {
    let mut stale = Vec::new();
    for path in markdown_files() {
        if !path.starts_with(repo_root().join("docs")) {
            continue;
        }
        let text = std::fs::read_to_string(&path).unwrap();
        if !text.contains(OUTPUT_MARK) {
            continue;
        }
        let mut out = String::new();
        let mut lines = text.split_inclusive('\n').peekable();
        while let Some(line) = lines.next() {
            out.push_str(line);
            let Some(args) = line
                .trim_end()
                .strip_prefix(OUTPUT_MARK)
                .and_then(|rest| rest.strip_suffix(" -->"))
            else {
                continue;
            };
            let fence = lines.next().unwrap_or_default();
            assert!(
                fence.starts_with("```"),
                "{}: `{}` must be followed by a fenced block",
                relative(&path),
                line.trim_end()
            );
            out.push_str(fence);
            let mut old = String::new();
            for line in lines.by_ref() {
                if line.trim_end() == "```" {
                    break;
                }
                old.push_str(line);
            }
            let args: Vec<&str> = args.split_whitespace().collect();
            let output = xacct(&args);
            // 0 and 1 are answers (clean or findings, allowed or denied), and so is `access`'s
            // 3 (unknown); 2 means the command could not run.
            let answered = |c: i32| c <= 1 || (args.first() == Some(&"access") && c == 3);
            assert!(
                output.status.code().is_some_and(answered),
                "`xacct {}` failed: {}",
                args.join(" "),
                String::from_utf8_lossy(&output.stderr)
            );
            let new = String::from_utf8(output.stdout).unwrap();
            if new != old {
                stale.push(format!("{}: xacct {}", relative(&path), args.join(" ")));
            }
            out.push_str(&new);
            out.push_str("```\n");
        }
        if bless() {
            std::fs::write(&path, out).unwrap();
        }
    }
    assert!(
        bless() || stale.is_empty(),
        "stale output blocks (run `XACCT_BLESS=1 cargo test -p xacct --test docs`):\n{}",
        stale.join("\n")
    );
}

// ---------------------------------------------------------------------------------------------
// Links and flags

/// GitHub's anchor of a heading: lower case, punctuation dropped, spaces as hyphens.
fn slug(heading: &str) -> String {
    heading
        .trim()
        .to_lowercase()
        .chars()
        .filter_map(|c| match c {
            ' ' => Some('-'),
            c if c.is_alphanumeric() || c == '-' || c == '_' => Some(c),
            _ => None,
        })
        .collect()
}

/// The anchors of a Markdown file's headings (outside fenced blocks), GitHub style, with `-1`,
/// `-2` … for repeats.
fn anchors(text: &str) -> BTreeSet<String> {
    let mut seen: BTreeMap<String, usize> = BTreeMap::new();
    let mut out = BTreeSet::new();
    let mut fenced = false;
    for line in text.lines() {
        if line.trim_start().starts_with("```") {
            fenced = !fenced;
            continue;
        }
        if fenced || !line.starts_with('#') {
            continue;
        }
        let heading = line.trim_start_matches('#');
        let base = slug(&heading.replace('`', ""));
        let count = seen.entry(base.clone()).or_insert(0);
        out.insert(if *count == 0 {
            base.clone()
        } else {
            format!("{base}-{count}")
        });
        *count += 1;
    }
    out
}

/// The targets of the inline links `[text](target)` outside fenced blocks and code spans.
fn links(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut fenced = false;
    for line in text.lines() {
        if line.trim_start().starts_with("```") {
            fenced = !fenced;
            continue;
        }
        if fenced {
            continue;
        }
        // Drop code spans: `[a](b)` inside backticks is no link.
        let mut plain = String::new();
        for (i, part) in line.split('`').enumerate() {
            if i % 2 == 0 {
                plain.push_str(part);
            }
        }
        let mut rest = plain.as_str();
        while let Some(at) = rest.find("](") {
            rest = &rest[at + 2..];
            let Some(end) = rest.find(')') else { break };
            out.push(rest[..end].to_string());
            rest = &rest[end..];
        }
    }
    out
}

#[test]
fn relative_links_resolve() {
    let mut broken = Vec::new();
    for path in markdown_files() {
        let text = std::fs::read_to_string(&path).unwrap();
        for target in links(&text) {
            let target = target.split_whitespace().next().unwrap_or_default();
            if target.contains("://") || target.starts_with("mailto:") || target.is_empty() {
                continue;
            }
            let (file, anchor) = match target.split_once('#') {
                Some((file, anchor)) => (file, Some(anchor)),
                None => (target, None),
            };
            let resolved = if file.is_empty() {
                path.clone()
            } else {
                path.parent().unwrap().join(file)
            };
            if !resolved.exists() {
                broken.push(format!("{}: {target} (no such file)", relative(&path)));
                continue;
            }
            if let Some(anchor) = anchor {
                if resolved.extension().is_some_and(|e| e == "md") {
                    let target_text = std::fs::read_to_string(&resolved).unwrap();
                    if !anchors(&target_text).contains(anchor) {
                        broken.push(format!("{}: {target} (no such heading)", relative(&path)));
                    }
                }
            }
        }
    }
    assert!(broken.is_empty(), "broken links:\n{}", broken.join("\n"));
}

#[test]
fn documented_command_lines_use_existing_flags() {
    let mut help: BTreeMap<String, String> = BTreeMap::new();
    let mut unknown = Vec::new();
    for path in markdown_files() {
        if path.starts_with(repo_root().join("crates/xacct-rules/rules")) {
            continue;
        }
        let text = std::fs::read_to_string(&path).unwrap();
        for line in text.lines() {
            // Command lines in code blocks and spans: `xacct SUBCOMMAND … --flag …`.
            for (i, piece) in line.split("xacct ").enumerate() {
                if i == 0 {
                    continue;
                }
                let mut words = piece.split_whitespace();
                let Some(sub) = words.next() else { continue };
                if ![
                    "lint",
                    "graph",
                    "rules",
                    "explain",
                    "completions",
                    "man",
                    "server",
                ]
                .contains(&sub)
                {
                    continue;
                }
                let usage = help
                    .entry(sub.to_string())
                    .or_insert_with(|| String::from_utf8(xacct(&[sub, "--help"]).stdout).unwrap());
                for word in words.take_while(|w| !w.starts_with('#') && !w.starts_with('`')) {
                    let flag = word
                        .split('=')
                        .next()
                        .unwrap()
                        .trim_end_matches([',', '"', '\'', ')', ']', ';', '`']);
                    let is_flag = flag.strip_prefix("--").is_some_and(|name| {
                        name.starts_with(|c: char| c.is_ascii_lowercase())
                            && name.bytes().all(|b| b.is_ascii_lowercase() || b == b'-')
                    });
                    if is_flag && !usage.contains(flag) {
                        unknown.push(format!("{}: xacct {sub} {flag}", relative(&path)));
                    }
                }
            }
        }
    }
    assert!(
        unknown.is_empty(),
        "documented flags that do not exist:\n{}",
        unknown.join("\n")
    );
}

#[test]
fn options_tables_name_existing_lint_flags() {
    let usage = String::from_utf8(xacct(&["lint", "--help"]).stdout).unwrap();
    let mut named = 0;
    let mut unknown = Vec::new();
    for path in [
        repo_root().join("README.md"),
        repo_root().join("docs/configuration.md"),
    ] {
        let text = std::fs::read_to_string(&path).unwrap();
        // The first cell of each row of an options table: `| `--flag VALUE`, `-f` | meaning |`.
        for line in text.lines().filter(|l| l.starts_with("| `-")) {
            let cell = line.split('|').nth(1).unwrap_or("");
            for word in cell.split(|c: char| c == '`' || c == ',' || c.is_whitespace()) {
                let is_flag = word.strip_prefix("--").is_some_and(|name| {
                    !name.is_empty() && name.bytes().all(|b| b.is_ascii_lowercase() || b == b'-')
                });
                if is_flag {
                    named += 1;
                    if !usage.contains(&format!("{word} ")) && !usage.contains(&format!("{word}\n"))
                    {
                        unknown.push(format!("{}: {word}", relative(&path)));
                    }
                }
            }
        }
    }
    assert!(
        named >= 25,
        "only {named} flags found in the options tables"
    );
    assert!(
        unknown.is_empty(),
        "options tables name flags `xacct lint --help` lacks:\n{}",
        unknown.join("\n")
    );
}

// ---------------------------------------------------------------------------------------------
// Integration files

#[test]
fn github_actions_workflow_lints_and_uploads_sarif() {
    let path = repo_root().join("docs/github-actions/xacct.yml");
    let text = std::fs::read_to_string(&path).unwrap();
    xacct_syntax::yaml::parse(&text).unwrap_or_else(|e| panic!("{}: {e:?}", relative(&path)));
    for needed in [
        "security-events: write",
        "cargo install --locked",
        "--format sarif",
        "github/codeql-action/upload-sarif@",
        "sarif_file: xacct.sarif",
    ] {
        assert!(
            text.contains(needed),
            "{} lacks `{needed}`",
            relative(&path)
        );
    }
    // What the workflow runs is accepted by this xacct.
    let output = xacct(&["lint", "--format", "sarif", "testdata/setups/walkthrough/"]);
    assert_eq!(output.status.code(), Some(0));
    let sarif: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(sarif["version"], "2.1.0");
}

fn has(program: &str) -> bool {
    Command::new(program)
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success())
}

/// Compact output of a setup with findings of every severity.
fn compact_examples() -> String {
    String::from_utf8(xacct(&["lint", "--format", "compact", "testdata/examples/"]).stdout).unwrap()
}

#[test]
fn vscode_problem_matcher_reads_the_compact_format() {
    let path = repo_root().join("docs/editors/vscode-tasks.json");
    let tasks: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
    let pattern = &tasks["tasks"][0]["problemMatcher"]["pattern"];
    let regexp = pattern["regexp"].as_str().unwrap();
    if !has("node") {
        eprintln!("skipped: node is not installed, the problem matcher's regexp is not run");
        return;
    }
    // VS Code matches with JavaScript regular expressions: run exactly that.
    let script = format!(
        "const re = new RegExp({}); const p = {};\n\
         const out = require('fs').readFileSync(0, 'utf8').split('\\n').filter(l => l).map(l => {{\n\
           const m = re.exec(l); if (!m) return null;\n\
           return {{file: m[p.file], line: +m[p.line], column: +m[p.column], severity: m[p.severity], code: m[p.code], message: m[p.message]}};\n\
         }});\n\
         console.log(JSON.stringify(out));",
        serde_json::to_string(regexp).unwrap(),
        pattern
    );
    let compact = compact_examples();
    let mut child = Command::new("node")
        .args(["-e", &script])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    std::io::Write::write_all(child.stdin.as_mut().unwrap(), compact.as_bytes()).unwrap();
    let output = child.wait_with_output().unwrap();
    let matched: Vec<serde_json::Value> = serde_json::from_slice(&output.stdout).unwrap();
    let lines: Vec<&str> = compact.lines().collect();
    assert!(lines.len() >= 5);
    assert_eq!(matched.len(), lines.len());
    for (m, line) in matched.iter().zip(lines) {
        let (location, rest) = line.split_once(": ").unwrap();
        let mut parts = location.rsplitn(3, ':');
        let column: u64 = parts.next().unwrap().parse().unwrap();
        let line_no: u64 = parts.next().unwrap().parse().unwrap();
        let file = parts.next().unwrap();
        let (severity, rest) = rest.split_once('[').unwrap();
        let (code, message) = rest.split_once("] ").unwrap();
        assert_eq!(m["file"], file, "{line}");
        assert_eq!(m["line"], line_no, "{line}");
        assert_eq!(m["column"], column, "{line}");
        assert_eq!(m["severity"], severity, "{line}");
        assert!(["error", "warning", "info"].contains(&severity));
        assert_eq!(m["code"], code, "{line}");
        assert_eq!(m["message"], message, "{line}");
    }
}

#[test]
fn gitlab_code_quality_report_from_the_json_output() {
    let program = repo_root().join("docs/gitlab/codequality.jq");
    assert!(program.is_file());
    if !has("jq") {
        eprintln!("skipped: jq is not installed, the Code Quality conversion is not run");
        return;
    }
    let json = xacct(&["lint", "--format", "json", "testdata/examples/"]).stdout;
    let mut child = Command::new("jq")
        .arg("-f")
        .arg(&program)
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    std::io::Write::write_all(child.stdin.as_mut().unwrap(), &json).unwrap();
    let output = child.wait_with_output().unwrap();
    assert!(output.status.success());
    let report: Vec<serde_json::Value> = serde_json::from_slice(&output.stdout).unwrap();
    let input: serde_json::Value = serde_json::from_slice(&json).unwrap();
    assert_eq!(report.len(), input["diagnostics"].as_array().unwrap().len());
    let mut fingerprints = BTreeSet::new();
    for issue in &report {
        // What GitLab's Code Quality report requires of each issue.
        assert!(issue["description"].as_str().is_some_and(|d| !d.is_empty()));
        assert!(issue["check_name"]
            .as_str()
            .is_some_and(|c| c.starts_with("XA")));
        assert!(["info", "minor", "major", "critical", "blocker"]
            .contains(&issue["severity"].as_str().unwrap()));
        assert!(issue["location"]["path"].as_str().is_some());
        assert!(issue["location"]["lines"]["begin"]
            .as_u64()
            .is_some_and(|l| l >= 1));
        assert!(fingerprints.insert(issue["fingerprint"].as_str().unwrap().to_string()));
    }
}
