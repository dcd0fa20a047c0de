//! Fingerprints of findings that survive edits elsewhere in a file, and how and from where the
//! files are named: SARIF's `partialFingerprints`, the JSON output and the baseline key
//! findings by them.
//!
//! A fingerprint is built from what the finding is, never from where it is nor how xacct was
//! run: the rule's code, the file's path relative to its project root ([`project_path`]: the
//! nearest folder above it holding `.git`, else the lint root it was found under), the message
//! with the account names of `[accounts]` taken out (a config's names are presentation: adding
//! or renaming one must not reopen alerts), and the text the primary span covers. Inserting
//! lines above a finding, naming a file by an absolute path or `./p`, or running from another
//! folder changes none of them. Two findings with the same ingredients in one file are told
//! apart by their order.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use xacct_rules::Diagnostic;
use xacct_syntax::FileId;

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

/// The nearest folder at or above `folder` (absolute) that holds `.git` (a folder, or the file
/// of a worktree or submodule): the repository root.
pub fn repository_root(folder: &Path) -> Option<PathBuf> {
    folder
        .ancestors()
        .take(256)
        .find(|dir| std::fs::symlink_metadata(dir.join(".git")).is_ok())
        .map(Path::to_path_buf)
}

/// `path` as a fingerprint knows it: relative to the repository root above it, else to the
/// deepest of `roots` (absolute lint roots) holding it, else its name. Resolved through links
/// when it exists, so `/tmp` and its target agree.
pub fn project_path(path: &Path, roots: &[PathBuf]) -> String {
    let absolute = crate::paths::absolute(path);
    let resolved = absolute.canonicalize().unwrap_or_else(|_| absolute.clone());
    let folder = resolved.parent().unwrap_or(Path::new("/"));
    if let Some(root) = repository_root(folder) {
        if let Ok(relative) = resolved.strip_prefix(&root) {
            return portable_path(relative);
        }
    }
    let deepest = roots
        .iter()
        .filter_map(|root| {
            let root = root.canonicalize().unwrap_or_else(|_| root.clone());
            resolved
                .strip_prefix(&root)
                .ok()
                .filter(|r| !r.as_os_str().is_empty())
                .map(|r| (root.components().count(), r.to_path_buf()))
        })
        .max_by_key(|(depth, _)| *depth);
    match deepest {
        Some((_, relative)) => portable_path(&relative),
        None => resolved
            .file_name()
            .map_or_else(|| portable_path(&resolved), |n| n.to_string_lossy().into()),
    }
}

/// `message` without the account names a config added (`account 111111111111 (tools)` is
/// `account 111111111111`).
pub fn without_account_names(message: &str, names: &[(xacct_model::AccountId, String)]) -> String {
    let mut out = message.to_string();
    for (id, name) in names {
        let named = format!("account {id} ({name})");
        if out.contains(&named) {
            out = out.replace(&named, &format!("account {id}"));
        }
    }
    out
}

/// One fingerprint per finding of `run`, in `run.diagnostics()` order: 16 hex digits.
pub fn fingerprints(run: &LintRun) -> Vec<String> {
    let mut paths = HashMap::new();
    numbered(run.diagnostics().map(|d| ingredients(run, d, &mut paths)))
}

/// One fingerprint per suppressed finding of `run`, in file order, computed as for
/// [`fingerprints`] (a finding keeps its fingerprint when it becomes suppressed, unless an
/// identical one is numbered before it).
pub fn suppressed_fingerprints(run: &LintRun) -> Vec<String> {
    let mut paths = HashMap::new();
    numbered(
        run.files
            .iter()
            .flat_map(|f| f.suppressed.iter().map(|(d, _)| d))
            .map(|d| ingredients(run, d, &mut paths)),
    )
}

/// The fingerprints xacct 0.1 wrote into baselines (code, the path as shown, the message as
/// shown, the covered text), in `run.diagnostics()` order: a baseline written then still
/// matches.
pub fn legacy_fingerprints(run: &LintRun) -> Vec<String> {
    numbered(run.diagnostics().map(|d| {
        let source = run.source(d.file);
        let covered = source.text().get(d.span.range()).unwrap_or("");
        fnv1a(&[
            d.code,
            &portable_path(source.path()),
            &d.message,
            covered.trim(),
        ])
    }))
}

fn numbered(bases: impl Iterator<Item = u64>) -> Vec<String> {
    let mut seen: HashMap<u64, u32> = HashMap::new();
    bases
        .map(|base| {
            let occurrence = seen.entry(base).or_insert(0);
            *occurrence += 1;
            format!(
                "{:016x}",
                fnv1a(&[&format!("{base:016x}"), &occurrence.to_string()])
            )
        })
        .collect()
}

fn ingredients(run: &LintRun, d: &Diagnostic, paths: &mut HashMap<FileId, String>) -> u64 {
    let source = run.source(d.file);
    let path = paths
        .entry(d.file)
        .or_insert_with(|| project_path(source.path(), &run.roots));
    let covered = source.text().get(d.span.range()).unwrap_or("");
    // Versioned: the same ingredients hashed by another scheme must not collide with 0.1's.
    fnv1a(&[
        "v2",
        d.code,
        path,
        &without_account_names(&d.message, &run.account_names),
        covered.trim(),
    ])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn account_names_leave_the_identity() {
        let id = xacct_model::AccountId::parse("111111111111").unwrap();
        let names = vec![(id, "tools".to_string())];
        assert_eq!(
            without_account_names(
                "role of account 111111111111 (tools), not account 111111111111 (tools)",
                &names
            ),
            "role of account 111111111111, not account 111111111111"
        );
        assert_eq!(
            without_account_names("account 111111111111 (dev)", &names),
            "account 111111111111 (dev)"
        );
    }
}
