//! `--changed`: the paths are the files a commit changes, as pre-commit passes them.
//!
//! A pre-commit hook is given the changed files only, but xacct's cross-file rules need the rest
//! of the setup: the policies of a pipeline, the other stacks of a deployment. So each named file
//! is linted together with its *companions*, every other file under the folder of the
//! `xacct.toml` that governs it (the nearest one in its folder or above, or `--config`'s when the
//! file is under its folder), walked as `xacct lint FOLDER` would walk it. A file that no config
//! governs has no companions: the named files are then linted together, and alone.
//!
//! Findings are reported when they involve a named file: their main location, or one of their
//! labels, is in one (a finding on a companion's policy whose label points at the changed
//! pipeline is about the change). Findings that only concern companions are dropped, and so
//! are companions' suppressed findings: the hook speaks of what the commit touches.
//!
//! A named file that is no document xacct knows (a `package.json`, a workflow YAML) is skipped
//! silently, as a file found in a folder is: a hook for JSON and YAML files is handed them all.
//! So is a named file that no longer exists (a commit that deletes it): its companions are
//! still linted, and findings that involve it cannot exist.

use std::collections::{BTreeSet, HashSet};
use std::path::{Path, PathBuf};

use crate::paths::{absolute, display};

use xacct_rules::Outcome;
use xacct_syntax::FileId;

use crate::config;
use crate::discover::{self, Candidate, Filter};
use crate::lint::LintRun;

/// The folder whose files are `file`'s companions, if a config governs it.
fn setup_folder(file: &Path, named_config: Option<&Path>) -> Option<PathBuf> {
    let file = absolute(file);
    match named_config {
        Some(config) => {
            let folder = absolute(config).parent()?.to_path_buf();
            file.starts_with(&folder).then_some(folder)
        }
        None => {
            let found = config::find(file.parent()?)?;
            Some(absolute(&found).parent()?.to_path_buf())
        }
    }
}

/// Makes the named files walked ones, drops those that no longer exist, and appends their
/// companions to `files` (their folders become lint roots of `gate`). Returns the ids of the
/// companions, which [`report_only_changed`] leaves out of the report.
pub fn add_companions(
    gate: &mut xacct_input::Gate,
    files: &mut Vec<Candidate>,
    named_config: Option<&Path>,
    filter: &Filter,
) -> HashSet<FileId> {
    files.retain(|c| !matches!(c.error, Some(xacct_input::ReadError::NotFound)));
    let mut folders = BTreeSet::new();
    let mut known = HashSet::new();
    for candidate in files.iter_mut() {
        // Skipped silently when it is no document xacct knows, as in a folder.
        candidate.explicit = false;
        known.insert(absolute(&candidate.path));
        if candidate.error.is_none() {
            folders.extend(setup_folder(&candidate.path, named_config));
        }
    }
    let cwd = std::env::current_dir().ok().map(|d| absolute(&d));
    let mut companions = HashSet::new();
    for folder in folders {
        gate.add_root(&folder);
        let walked = discover::discover(std::slice::from_ref(&folder), filter);
        for candidate in walked.files {
            // A companion that cannot be read concerns no named file: it is not reported.
            if candidate.error.is_some() || !known.insert(absolute(&candidate.path)) {
                continue;
            }
            companions.insert(FileId(files.len() as u32));
            files.push(Candidate {
                path: display(&candidate.path, cwd.as_deref()),
                ..candidate
            });
        }
    }
    companions
}

/// Drops the findings that involve no named file, and marks companions as not checked so that
/// the exit status speaks of the named files only.
pub fn report_only_changed(run: &mut LintRun, companions: &HashSet<FileId>) {
    if companions.is_empty() {
        return;
    }
    let involves_named = |d: &xacct_rules::Diagnostic| {
        !companions.contains(&d.file) || d.labels.iter().any(|l| !companions.contains(&l.file))
    };
    for (index, file) in run.files.iter_mut().enumerate() {
        if !companions.contains(&FileId(index as u32)) {
            continue;
        }
        file.diagnostics.retain(involves_named);
        file.suppressed.retain(|(d, _)| involves_named(d));
        file.outcome = Outcome::NotChecked;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn companions_are_shown_relative_below_the_current_folder() {
        let cwd = Path::new("/work/repo");
        assert_eq!(
            display(Path::new("/work/repo/infra/a.json"), Some(cwd)),
            PathBuf::from("infra/a.json")
        );
    }
}
