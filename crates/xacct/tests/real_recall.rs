//! Measures xacct against reviewers: each public sample under `testdata/real/` has an
//! `expected.txt` listing the findings a careful reviewer expects (one a line,
//! `PATH:LINE CODE reason`, `XA???` for a problem no rule covers yet, `#` comments). The test
//! lints each sample (compact output), matches findings to entries by (path, line, code), and
//! prints true positives, false positives and misses per sample. It fails on any false positive,
//! and when the total recall falls below the floor in `testdata/real/RECALL` (a percentage,
//! raised as xacct learns; it may never go down).
//!
//! A false positive that has been reviewed and reported for fixing is written down as such, a
//! line `!PATH:LINE CODE why it is wrong`: it counts against precision but does not fail the
//! test, and the test fails once xacct no longer reports it, so the line is removed with the fix.
//!
//! `cargo test -p xacct --test real_recall -- --nocapture` prints the table.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

mod common;
use common::{fixtures_in, repo_root, run_fixture};

/// Where a finding points and what it is: the comparison key.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
struct Key {
    /// Relative to the sample folder, `/`-separated.
    path: String,
    line: u32,
    /// `XA201`, or `XA???` for a problem no rule covers.
    code: String,
}

/// One line of an `expected.txt`.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Entry {
    key: Key,
    reason: String,
    /// A `!` line: xacct reports this, and the reviewer says it is wrong.
    false_positive: bool,
}

/// The code of a problem no rule covers yet: expected, never reported, always a miss.
const UNCOVERED: &str = "XA???";

fn is_code(code: &str) -> bool {
    code == UNCOVERED
        || (code.len() == 5
            && code.starts_with("XA")
            && code[2..].chars().all(|c| c.is_ascii_digit()))
}

/// Parses an `expected.txt`: blank lines and lines starting with `#` are skipped; every other
/// line must be `PATH:LINE CODE reason` with a reason, or `!PATH:LINE CODE why` for a known
/// false positive (of a rule's code, not `XA???`).
fn parse_expected(text: &str) -> Result<Vec<Entry>, String> {
    let mut entries = Vec::new();
    for (n, raw) in text.lines().enumerate() {
        let line = raw.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let bad = |why: &str| format!("line {}: {why}: {raw}", n + 1);
        let (false_positive, line) = match line.strip_prefix('!') {
            Some(rest) => (true, rest),
            None => (false, line),
        };
        let mut words = line.split_whitespace();
        let at = words.next().unwrap_or_default();
        let code = words.next().unwrap_or_default();
        let reason = words.collect::<Vec<_>>().join(" ");
        let (path, number) = at.rsplit_once(':').ok_or_else(|| bad("no PATH:LINE"))?;
        let line_number: u32 = number.parse().map_err(|_| bad("LINE is not a number"))?;
        if path.is_empty() || line_number == 0 {
            return Err(bad("empty PATH or line 0"));
        }
        if !is_code(code) {
            return Err(bad("CODE is neither XAnnn nor XA???"));
        }
        if reason.is_empty() {
            return Err(bad("no reason"));
        }
        if false_positive && code == UNCOVERED {
            return Err(bad("a false positive has a rule's code"));
        }
        entries.push(Entry {
            key: Key {
                path: path.to_string(),
                line: line_number,
                code: code.to_string(),
            },
            reason,
            false_positive,
        });
    }
    Ok(entries)
}

/// The key of one line of compact output (`path:line:col: severity[CODE] message`), with the
/// path made relative to the sample: `./` (a folder linted from its root) or `prefix` (a file
/// linted from the repository root) removed.
fn parse_reported(line: &str, prefix: &str) -> Option<Key> {
    let (location, rest) = line.split_once(": ")?;
    let mut fields = location.rsplitn(3, ':');
    let _column = fields.next()?;
    let line_number: u32 = fields.next()?.parse().ok()?;
    let path = fields.next()?;
    let path = path
        .strip_prefix("./")
        .or_else(|| path.strip_prefix(prefix))
        .unwrap_or(path);
    let code = rest.split_once('[')?.1.split_once(']')?.0;
    Some(Key {
        path: path.to_string(),
        line: line_number,
        code: code.to_string(),
    })
}

/// What one sample scored.
#[derive(Debug, Default, PartialEq, Eq)]
struct Score {
    true_positives: Vec<Key>,
    /// Reported, not expected.
    false_positives: Vec<Key>,
    /// Reported and listed as known false positives (`!` lines).
    known_false_positives: Vec<Key>,
    /// Known false positives no longer reported: their `!` lines are stale.
    stale: Vec<Key>,
    /// Expected (`XA???` included), not reported.
    misses: Vec<Key>,
}

/// Matches reported findings to expected entries by key, each entry at most once (a key listed
/// twice needs two findings).
fn score(expected: &[Entry], reported: &[Key]) -> Score {
    let mut open: BTreeMap<&Key, usize> = BTreeMap::new();
    let mut known: BTreeMap<&Key, usize> = BTreeMap::new();
    for entry in expected {
        let table = if entry.false_positive {
            &mut known
        } else {
            &mut open
        };
        *table.entry(&entry.key).or_default() += 1;
    }
    let mut result = Score::default();
    for key in reported {
        if let Some(n) = open.get_mut(key).filter(|n| **n > 0) {
            *n -= 1;
            result.true_positives.push(key.clone());
        } else if let Some(n) = known.get_mut(key).filter(|n| **n > 0) {
            *n -= 1;
            result.known_false_positives.push(key.clone());
        } else {
            result.false_positives.push(key.clone());
        }
    }
    for (key, n) in open {
        result.misses.extend(std::iter::repeat_n(key.clone(), n));
    }
    for (key, n) in known {
        result.stale.extend(std::iter::repeat_n(key.clone(), n));
    }
    result
}

/// Samples: the folders of `testdata/real/` that hold an `expected.txt`.
fn samples() -> Vec<PathBuf> {
    let mut found: Vec<PathBuf> = std::fs::read_dir(repo_root().join("testdata/real"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.join("expected.txt").is_file())
        .collect();
    found.sort();
    found
}

/// Lints a sample as the fixture test does (a folder with `xacct.toml` as one setup, else
/// each file on its own) and returns the keys of its findings.
fn lint_sample(sample: &Path) -> Vec<Key> {
    let root = repo_root();
    let prefix = format!("{}/", sample.strip_prefix(&root).unwrap().display());
    let fixtures = if sample.join("xacct.toml").is_file() {
        vec![sample.to_path_buf()]
    } else {
        fixtures_in(sample)
    };
    let mut keys = Vec::new();
    for fixture in fixtures {
        let output = run_fixture(&fixture, "compact");
        let stdout = String::from_utf8(output.stdout).expect("UTF-8 output");
        for line in stdout.lines().filter(|l| !l.trim().is_empty()) {
            keys.push(
                parse_reported(line, &prefix)
                    .unwrap_or_else(|| panic!("not a compact finding: {line}")),
            );
        }
    }
    keys
}

/// Checks that every entry names a file of the sample and a line it has.
fn check_entries(sample: &Path, entries: &[Entry]) -> Vec<String> {
    let mut problems = Vec::new();
    for entry in entries {
        let file = sample.join(&entry.key.path);
        match std::fs::read_to_string(&file) {
            Ok(text) if (entry.key.line as usize) <= text.lines().count() => {}
            Ok(_) => problems.push(format!(
                "{}: {} has no line {}",
                sample.display(),
                entry.key.path,
                entry.key.line
            )),
            Err(_) => problems.push(format!("{}: no file {}", sample.display(), entry.key.path)),
        }
    }
    problems
}

fn percent(part: usize, whole: usize) -> f64 {
    if whole == 0 {
        100.0
    } else {
        100.0 * part as f64 / whole as f64
    }
}

#[test]
fn real_samples_recall_and_precision() {
    let samples = samples();
    assert!(!samples.is_empty(), "no testdata/real/*/expected.txt");
    let mut problems = Vec::new();
    let mut table =
        String::from("sample                                        TP   FP  miss  recall\n");
    let (mut tp, mut fp, mut miss) = (0, 0, 0);
    for sample in &samples {
        let name = sample.file_name().unwrap().to_string_lossy().to_string();
        let text = std::fs::read_to_string(sample.join("expected.txt")).unwrap();
        let entries = match parse_expected(&text) {
            Ok(entries) => entries,
            Err(e) => {
                problems.push(format!("{name}/expected.txt {e}"));
                continue;
            }
        };
        problems.extend(check_entries(sample, &entries));
        let s = score(&entries, &lint_sample(sample));
        for key in &s.false_positives {
            problems.push(format!(
                "{name}: reported, not expected: {}:{} {}",
                key.path, key.line, key.code
            ));
        }
        for key in &s.stale {
            problems.push(format!(
                "{name}: known false positive no longer reported (remove its `!` line): {}:{} {}",
                key.path, key.line, key.code
            ));
        }
        let reported_wrongly = s.false_positives.len() + s.known_false_positives.len();
        let covered = s.true_positives.len() + s.misses.len();
        table.push_str(&format!(
            "{name:<44} {:>3}  {:>3}  {:>4}  {:>5.1}%\n",
            s.true_positives.len(),
            reported_wrongly,
            s.misses.len(),
            percent(s.true_positives.len(), covered)
        ));
        for key in &s.known_false_positives {
            table.push_str(&format!(
                "    false positive {}:{} {}\n",
                key.path, key.line, key.code
            ));
        }
        for key in &s.misses {
            table.push_str(&format!(
                "    missed {}:{} {}\n",
                key.path, key.line, key.code
            ));
        }
        tp += s.true_positives.len();
        fp += reported_wrongly;
        miss += s.misses.len();
    }
    let recall = percent(tp, tp + miss);
    let precision = percent(tp, tp + fp);
    table.push_str(&format!(
        "total: {tp} true positives, {fp} false positives, {miss} misses; \
         recall {recall:.1}%, precision {precision:.1}%\n"
    ));
    println!("{table}");
    // The documentation quotes the totals; it must quote today's.
    let totals = table.lines().last().unwrap_or_default().to_string();
    let docs = std::fs::read_to_string(repo_root().join("docs/real-world.md")).unwrap();
    if !docs.contains(&totals) {
        problems.push(format!(
            "docs/real-world.md does not quote today's totals: `{totals}`"
        ));
    }
    let floor_text = std::fs::read_to_string(repo_root().join("testdata/real/RECALL")).unwrap();
    let floor: f64 = floor_text
        .trim()
        .parse()
        .expect("testdata/real/RECALL holds one number");
    if recall < floor {
        problems.push(format!(
            "total recall {recall:.1}% is below the floor {floor}% of testdata/real/RECALL"
        ));
    }
    assert!(problems.is_empty(), "{}\n{table}", problems.join("\n"));
}

#[test]
fn expected_lines_parse_and_bad_ones_are_refused() {
    let text = "# a comment\n\n\
        tools-111111111111/pipeline.yaml:12 XA203 the CloudFormation role is in prod\n\
        prod-222222222222/role.yaml:7   XA???   trusts the root of a role no pipeline names\n";
    let entries = parse_expected(text).unwrap();
    assert_eq!(
        entries,
        [
            Entry {
                key: Key {
                    path: "tools-111111111111/pipeline.yaml".into(),
                    line: 12,
                    code: "XA203".into()
                },
                reason: "the CloudFormation role is in prod".into(),
                false_positive: false,
            },
            Entry {
                key: Key {
                    path: "prod-222222222222/role.yaml".into(),
                    line: 7,
                    code: "XA???".into()
                },
                reason: "trusts the root of a role no pipeline names".into(),
                false_positive: false,
            }
        ]
    );
    let known = parse_expected("!key.yaml:198 XA901 kms:CallerAccount narrows the caller").unwrap();
    assert!(known[0].false_positive);
    assert_eq!(known[0].key.code, "XA901");
    for bad in [
        "pipeline.yaml XA203 no line number",
        "pipeline.yaml:x XA203 line is not a number",
        "pipeline.yaml:0 XA203 line zero",
        "pipeline.yaml:3 XB203 not a code",
        "pipeline.yaml:3 XA20 short code",
        "pipeline.yaml:3 XA203",
        "!pipeline.yaml:3 XA??? a false positive of no rule",
    ] {
        assert!(parse_expected(bad).is_err(), "accepted: {bad}");
    }
}

#[test]
fn reported_lines_become_sample_relative_keys() {
    let key = |path: &str, line, code: &str| Key {
        path: path.into(),
        line,
        code: code.into(),
    };
    assert_eq!(
        parse_reported(
            "./prod-444444444444/deployer.yaml:50:23: warning[XA902] the policy of `x`: y",
            "testdata/real/refarch/"
        ),
        Some(key("prod-444444444444/deployer.yaml", 50, "XA902"))
    );
    assert_eq!(
        parse_reported(
            "testdata/real/aws-cdk/Stack.template.json:9:1: info[XA903] the policy",
            "testdata/real/aws-cdk/"
        ),
        Some(key("Stack.template.json", 9, "XA903"))
    );
    assert_eq!(parse_reported("no finding here", "x/"), None);
}

#[test]
fn matching_counts_each_entry_once_and_never_matches_another_line() {
    let key = |path: &str, line, code: &str| Key {
        path: path.into(),
        line,
        code: code.into(),
    };
    let entry = |k: Key| Entry {
        key: k,
        reason: "r".into(),
        false_positive: false,
    };
    let expected = [
        entry(key("a.yaml", 10, "XA503")),
        entry(key("a.yaml", 20, "XA902")),
        entry(key("a.yaml", 30, UNCOVERED)),
    ];
    // Right file and code on the wrong line is no match: a false positive and a miss.
    let reported = [
        key("a.yaml", 10, "XA503"),
        key("a.yaml", 10, "XA503"),
        key("a.yaml", 21, "XA902"),
    ];
    let s = score(&expected, &reported);
    assert_eq!(s.true_positives, [key("a.yaml", 10, "XA503")]);
    assert_eq!(
        s.false_positives,
        [key("a.yaml", 10, "XA503"), key("a.yaml", 21, "XA902")]
    );
    assert_eq!(
        s.misses,
        [key("a.yaml", 20, "XA902"), key("a.yaml", 30, UNCOVERED)]
    );
}

#[test]
fn known_false_positives_count_against_precision_and_go_stale_when_fixed() {
    let key = |line, code: &str| Key {
        path: "k.yaml".into(),
        line,
        code: code.into(),
    };
    let known = |k: Key| Entry {
        key: k,
        reason: "wrong".into(),
        false_positive: true,
    };
    let expected = [known(key(198, "XA901")), known(key(5, "XA902"))];
    let s = score(&expected, &[key(198, "XA901"), key(198, "XA503")]);
    assert!(s.true_positives.is_empty());
    assert_eq!(s.known_false_positives, [key(198, "XA901")]);
    // Another finding at the same place is a new false positive, not the known one.
    assert_eq!(s.false_positives, [key(198, "XA503")]);
    // The known false positive at line 5 is no longer reported: its line is stale.
    assert_eq!(s.stale, [key(5, "XA902")]);
    assert!(s.misses.is_empty());
}
