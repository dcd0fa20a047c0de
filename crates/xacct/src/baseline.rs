//! Baselines: `xacct lint --write-baseline FILE` records the findings of a run, and
//! `xacct lint --baseline FILE` reports only the findings that are not in it, so a project can
//! adopt xacct (or a new rule) without fixing everything first.
//!
//! A finding is recorded by its code, its path and its fingerprint ([`crate::fingerprint`]),
//! with its message for the people reading the file. Paths are relative to the folder of the
//! baseline file, and fingerprints are computed with those paths, so a baseline matches
//! whichever folder xacct runs from and however the files are named on the command line.
//! Fingerprints do not depend on positions: inserting lines above a recorded finding keeps it
//! hidden. Matching counts duplicates: a baseline entry hides one finding.
//!
//! ```json
//! {"version": 1,
//!  "findings": [{"code": "XA201", "path": "tools/pipeline.json",
//!                "fingerprint": "3f2a…", "message": "…"}]}
//! ```

use std::collections::HashMap;
use std::path::{Component, Path, PathBuf};

use crate::paths::absolute;

use serde::{Deserialize, Serialize};
use xacct_syntax::SourceFile;

use crate::fingerprint::{fingerprints, legacy_fingerprints, portable_path};
use crate::lint::{LintRun, LintedFile};

/// The format's version: readers refuse any other.
const VERSION: u32 = 1;

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct BaselineFile {
    version: u32,
    findings: Vec<Entry>,
}

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct Entry {
    code: String,
    path: String,
    fingerprint: String,
    /// For people; not matched.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    message: Option<String>,
}

/// A baseline, read.
pub struct Baseline {
    path: PathBuf,
    /// How many findings each (code, path, fingerprint) may hide.
    entries: HashMap<(String, String, String), usize>,
}

/// What applying a baseline did.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Applied {
    /// Findings hidden.
    pub hidden: usize,
    /// Entries that matched nothing (findings fixed since).
    pub unmatched: usize,
}

/// `path` relative to `base` (both absolute and normalised), with `..` where needed; the
/// absolute path when they share no root (another drive).
fn relative_to(path: &Path, base: &Path) -> PathBuf {
    let path_parts: Vec<Component> = path.components().collect();
    let base_parts: Vec<Component> = base.components().collect();
    let common = path_parts
        .iter()
        .zip(&base_parts)
        .take_while(|(a, b)| a == b)
        .count();
    if common == 0 {
        return path.to_path_buf();
    }
    let mut out = PathBuf::new();
    for _ in common..base_parts.len() {
        out.push("..");
    }
    for part in &path_parts[common..] {
        out.push(part);
    }
    out
}

/// The folder the baseline's paths are relative to.
fn folder_of(baseline: &Path) -> PathBuf {
    absolute(baseline)
        .parent()
        .map_or_else(PathBuf::new, Path::to_path_buf)
}

/// A reported finding as a baseline keys it.
struct Keyed {
    code: String,
    /// Relative to the baseline's folder.
    path: String,
    fingerprint: String,
    /// The fingerprint xacct 0.1 gave it, which older baselines record.
    legacy: String,
    message: String,
}

/// Every reported finding of `run`, the paths relative to `folder`.
fn keyed(run: &LintRun, folder: &Path) -> Vec<Keyed> {
    // 0.1 built fingerprints from the path as the run shows it, relative to `folder`.
    // Only files with findings keep their text (the fingerprint covers the finding's text).
    let relative = LintRun {
        files: run
            .files
            .iter()
            .map(|f| {
                let path = relative_to(&absolute(f.source.path()), folder);
                let text = if f.diagnostics.is_empty() {
                    String::new()
                } else {
                    f.source.text().to_string()
                };
                LintedFile {
                    source: SourceFile::new(path, text),
                    diagnostics: f.diagnostics.clone(),
                    suppressed: Vec::new(),
                    outcome: f.outcome,
                }
            })
            .collect(),
        ..LintRun::default()
    };
    relative
        .diagnostics()
        .zip(fingerprints(run))
        .zip(legacy_fingerprints(&relative))
        .map(|((d, fingerprint), legacy)| Keyed {
            code: d.code.to_string(),
            path: portable_path(relative.source(d.file).path()),
            fingerprint,
            legacy,
            message: d.message.clone(),
        })
        .collect()
}

/// Writes the findings of `run` to `path`; returns how many.
pub fn write(path: &Path, run: &LintRun) -> Result<usize, String> {
    let findings: Vec<Entry> = keyed(run, &folder_of(path))
        .into_iter()
        .map(|k| Entry {
            code: k.code,
            path: k.path,
            fingerprint: k.fingerprint,
            message: Some(k.message),
        })
        .collect();
    let count = findings.len();
    let file = BaselineFile {
        version: VERSION,
        findings,
    };
    let mut text = serde_json::to_string_pretty(&file).map_err(|e| e.to_string())?;
    text.push('\n');
    // Whole or not at all, and never through a link or into a FIFO.
    xacct_input::gate::write_atomic(path, text.as_bytes())
        .map_err(|e| format!("cannot write the baseline {}: {e}", path.display()))?;
    Ok(count)
}

/// The most bytes a baseline may have (it is read whole): a million findings fit.
const MAX_BASELINE_SIZE: u64 = 256 * 1024 * 1024;

/// Reads and checks a baseline file.
pub fn load(path: &Path) -> Result<Baseline, String> {
    let text = xacct_input::gate::read_followed(path, MAX_BASELINE_SIZE)
        .map_err(|e| e.to_string())
        .and_then(|bytes| String::from_utf8(bytes).map_err(|_| "it is not UTF-8 text".to_string()))
        .map_err(|e| format!("cannot read the baseline {}: {e}", path.display()))?;
    let file: BaselineFile = serde_json::from_str(&text).map_err(|e| {
        format!(
            "{}: not a baseline xacct wrote ({{\"version\": 1, \"findings\": [...]}}): {e}",
            path.display()
        )
    })?;
    if file.version != VERSION {
        return Err(format!(
            "{}: baseline version {} is not one this xacct reads (version {VERSION})",
            path.display(),
            file.version
        ));
    }
    let mut entries: HashMap<(String, String, String), usize> = HashMap::new();
    for (i, entry) in file.findings.into_iter().enumerate() {
        let fingerprint_ok = entry.fingerprint.len() == 16
            && entry.fingerprint.bytes().all(|b| b.is_ascii_hexdigit());
        if !fingerprint_ok {
            return Err(format!(
                "{}: findings[{i}]: fingerprint `{}` is not 16 hexadecimal digits",
                path.display(),
                entry.fingerprint
            ));
        }
        *entries
            .entry((
                entry.code,
                entry.path,
                entry.fingerprint.to_ascii_lowercase(),
            ))
            .or_insert(0) += 1;
    }
    Ok(Baseline {
        path: path.to_path_buf(),
        entries,
    })
}

impl Baseline {
    /// The file it was read from.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Removes from `run` the findings the baseline records, one per entry.
    pub fn apply(&self, run: &mut LintRun) -> Applied {
        let mut left = self.entries.clone();
        let keys = keyed(run, &folder_of(&self.path));
        // An entry matches by today's fingerprint, or by the one xacct 0.1 wrote.
        let mut hidden = keys.into_iter().map(|k| {
            for fingerprint in [k.fingerprint, k.legacy] {
                if let Some(n) = left.get_mut(&(k.code.clone(), k.path.clone(), fingerprint)) {
                    if *n > 0 {
                        *n -= 1;
                        return true;
                    }
                }
            }
            false
        });
        let mut applied = Applied::default();
        for file in &mut run.files {
            file.diagnostics.retain(|_| {
                let hide = hidden.next().unwrap_or(false);
                applied.hidden += usize::from(hide);
                !hide
            });
        }
        applied.unmatched = left.values().sum();
        applied
    }
}

/// The line the text output adds under its summary.
pub fn summary(applied: &Applied, path: &Path) -> String {
    let plural = |n: usize, word: &str| format!("{n} {word}{}", if n == 1 { "" } else { "s" });
    let mut line = format!(
        "{} hidden by the baseline {}",
        plural(applied.hidden, "finding"),
        path.display()
    );
    if applied.unmatched > 0 {
        let entries = match applied.unmatched {
            1 => "1 entry".to_string(),
            n => format!("{n} entries"),
        };
        line.push_str(&format!(
            " ({entries} no longer found: --write-baseline rewrites it)"
        ));
    }
    line
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn relative_paths_climb_out_of_the_baseline_folder() {
        assert_eq!(
            relative_to(Path::new("/repo/infra/a.json"), Path::new("/repo")),
            PathBuf::from("infra/a.json")
        );
        assert_eq!(
            relative_to(Path::new("/repo/infra/a.json"), Path::new("/repo/ci")),
            PathBuf::from("../infra/a.json")
        );
    }

    #[test]
    fn the_summary_line_counts() {
        let path = Path::new("xacct-baseline.json");
        assert_eq!(
            summary(
                &Applied {
                    hidden: 1,
                    unmatched: 0
                },
                path
            ),
            "1 finding hidden by the baseline xacct-baseline.json"
        );
        assert_eq!(
            summary(&Applied { hidden: 3, unmatched: 2 }, path),
            "3 findings hidden by the baseline xacct-baseline.json (2 entries no longer found: --write-baseline rewrites it)"
        );
    }
}
