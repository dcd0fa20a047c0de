//! Fingerprints of findings that survive edits elsewhere in a file: SARIF's
//! `partialFingerprints` and the baseline both key findings by them.
//!
//! A fingerprint is built from what the finding is about, never from where it is: the rule's
//! code, the file's path, the message (which names the values involved, not positions) and the
//! text the primary span covers. Inserting lines above a finding changes none of them. Two
//! findings with the same ingredients in one file are told apart by their order.

use std::collections::HashMap;

use xacct_rules::Diagnostic;

use crate::lint::LintRun;

/// FNV-1a, 64 bits: stable across Rust versions and platforms (std's hasher is not), and
/// enough to tell findings of one repository apart.
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

/// The path as fingerprints and baselines record it: `/` separators, no leading `./`.
pub fn portable_path(path: &std::path::Path) -> String {
    let text = path.to_string_lossy().replace('\\', "/");
    text.trim_start_matches("./").to_string()
}

/// One fingerprint per finding of `run`, in `run.diagnostics()` order: 16 hex digits.
pub fn fingerprints(run: &LintRun) -> Vec<String> {
    numbered(run, run.diagnostics())
}

/// One fingerprint per suppressed finding of `run`, in file order, computed as for
/// [`fingerprints`] (a finding keeps its fingerprint when it becomes suppressed, unless an
/// identical one is numbered before it).
pub fn suppressed_fingerprints(run: &LintRun) -> Vec<String> {
    numbered(
        run,
        run.files
            .iter()
            .flat_map(|f| f.suppressed.iter().map(|(d, _)| d)),
    )
}

fn numbered<'a>(run: &LintRun, findings: impl Iterator<Item = &'a Diagnostic>) -> Vec<String> {
    let mut seen: HashMap<u64, u32> = HashMap::new();
    findings
        .map(|d| {
            let base = ingredients(run, d);
            let occurrence = seen.entry(base).or_insert(0);
            *occurrence += 1;
            format!(
                "{:016x}",
                fnv1a(&[&format!("{base:016x}"), &occurrence.to_string()])
            )
        })
        .collect()
}

fn ingredients(run: &LintRun, d: &Diagnostic) -> u64 {
    let source = run.source(d.file);
    let covered = source.text().get(d.span.range()).unwrap_or("");
    fnv1a(&[
        d.code,
        &portable_path(source.path()),
        &d.message,
        covered.trim(),
    ])
}
