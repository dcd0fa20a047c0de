//! Which files to lint: explicit files always; folders walked for `*.json`, `*.yaml`, `*.yml`,
//! `*.template` (CloudFormation's own extension), `*.tf` and `*.tfvars`, skipping VCS, build and dependency folders
//! and hidden entries, filtered by `--include`/`--exclude`.
//!
//! Symlinks are not followed while walking: a link to a file is kept (the read gate then
//! refuses it if it leads out of the lint roots), a link to a folder is skipped (what it holds
//! is either in the tree already or outside it). Each file is linted once, however many times
//! and in whatever form it is named (`p`, `./p`, an absolute path, a folder holding it): the
//! first form is the one shown. A path that does not exist is a finding on that path, not the
//! end of the run.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use walkdir::WalkDir;

use crate::patterns::{without_dots, Pattern, PatternError};

/// Folders never worth walking into.
const SKIPPED_DIRS: &[&str] = &[
    ".git",
    "target",
    "node_modules",
    ".terraform",
    "cdk.out.bak",
];

/// The extensions of files found by walking a folder (without `--include`): Terraform's
/// `.tf` and `.tfvars` with the JSON and YAML of the other inputs (a plan is JSON, told by
/// its content).
pub const WALKED_EXTENSIONS: &[&str] = &["json", "yaml", "yml", "template", "tf", "tfvars"];

/// `--include` and `--exclude` globs.
pub struct Filter {
    include: Vec<Pattern>,
    exclude: Vec<Pattern>,
}

impl Filter {
    /// Compiles the globs.
    pub fn new(include: &[String], exclude: &[String]) -> Result<Filter, PatternError> {
        let compile = |globs: &[String]| {
            globs
                .iter()
                .map(|g| Pattern::new(g, false))
                .collect::<Result<Vec<_>, _>>()
        };
        Ok(Filter {
            include: compile(include)?,
            exclude: compile(exclude)?,
        })
    }

    /// True when an `--exclude` glob matches the path or its name.
    pub fn excluded(&self, path: &Path) -> bool {
        let name = path.file_name().map(Path::new);
        self.exclude
            .iter()
            .any(|p| p.matches(path) || name.is_some_and(|n| p.matches(n)))
    }

    fn included(&self, path: &Path) -> bool {
        if self.include.is_empty() {
            return path
                .extension()
                .and_then(|e| e.to_str())
                .is_some_and(|e| WALKED_EXTENSIONS.contains(&e));
        }
        let name = path.file_name().map(Path::new);
        self.include
            .iter()
            .any(|p| p.matches(path) || name.is_some_and(|n| p.matches(n)))
    }
}

/// A file to lint.
pub struct Candidate {
    /// The path as it will be shown.
    pub path: PathBuf,
    /// True when the user named it (rather than a folder holding it).
    pub explicit: bool,
    /// A walk error for this entry (e.g. an unreadable folder, or a path that does not exist).
    pub error: Option<xacct_input::ReadError>,
    /// Its bytes, when they were read already (a CDK manifest, read for its stacks): each file
    /// is read once.
    pub bytes: Option<Vec<u8>>,
    /// Its canonical path, when the walk knows it: a file (no link) below a canonical root,
    /// reached through folders that are no links.
    pub canonical: Option<PathBuf>,
}

/// The result of discovery.
pub struct Discovered {
    /// Files, in a stable order, each once.
    pub files: Vec<Candidate>,
}

/// The identity of a file, however it is named: its canonical path, or for a path that cannot
/// be resolved, the path itself without `.` components.
fn identity(path: &Path) -> PathBuf {
    path.canonicalize()
        .unwrap_or_else(|_| crate::paths::absolute(&without_dots(path)))
}

/// Adds `candidate`, whose identity is `key`, unless the same file is there already (then a
/// name on the command line still makes it explicit).
fn add(
    files: &mut Vec<Candidate>,
    seen: &mut HashMap<std::ffi::OsString, usize>,
    key: PathBuf,
    candidate: Candidate,
) {
    // Keyed by the path's bytes: identities are normalised, and hashing a `Path` walks its
    // components, which costs more than the rest of discovery.
    let key = key.into_os_string();
    match seen.get(&key) {
        Some(&at) => files[at].explicit |= candidate.explicit,
        None => {
            seen.insert(key, files.len());
            files.push(candidate);
        }
    }
}

/// Finds the files to lint under `paths`.
pub fn discover(paths: &[PathBuf], filter: &Filter) -> Discovered {
    let mut files = Vec::new();
    let mut seen = HashMap::new();
    for root in paths {
        let meta = std::fs::metadata(root);
        if !meta.as_ref().is_ok_and(|m| m.is_dir()) {
            // A file, a dangling or looping link, or nothing at all: the read says which.
            let error = match meta {
                Err(e) if std::fs::symlink_metadata(root).is_err() => {
                    Some(xacct_input::ReadError::from(e))
                }
                _ => None,
            };
            add(
                &mut files,
                &mut seen,
                identity(root),
                Candidate {
                    path: root.clone(),
                    explicit: true,
                    error,
                    bytes: None,
                    canonical: None,
                },
            );
            continue;
        }
        // Below a canonical root, a walked path is canonical but for a last component that is
        // a link: one resolution per root, not one per file.
        let canonical_root = identity(root);
        let walker = WalkDir::new(root)
            .follow_links(false)
            .sort_by_file_name()
            .into_iter();
        let walker = walker.filter_entry(|entry| {
            if entry.depth() == 0 {
                return true;
            }
            let name = entry.file_name().to_string_lossy();
            let skip = entry.file_type().is_dir() && SKIPPED_DIRS.contains(&name.as_ref())
                || name.starts_with('.')
                || filter.excluded(entry.path());
            !skip
        });
        for entry in walker {
            match entry {
                Ok(entry) => {
                    let kind = entry.file_type();
                    // A link is taken for a file unless it leads to a folder; where it leads
                    // is the read gate's to judge.
                    let file_like = kind.is_file()
                        || (kind.is_symlink()
                            && !std::fs::metadata(entry.path()).is_ok_and(|m| m.is_dir()));
                    if file_like && filter.included(entry.path()) {
                        let walked = entry
                            .path()
                            .strip_prefix(root)
                            .ok()
                            .filter(|_| !kind.is_symlink() && canonical_root.is_absolute())
                            .map(|relative| canonical_root.join(relative));
                        let key = walked.clone().unwrap_or_else(|| identity(entry.path()));
                        add(
                            &mut files,
                            &mut seen,
                            key,
                            Candidate {
                                path: entry.into_path(),
                                explicit: false,
                                error: None,
                                bytes: None,
                                canonical: walked,
                            },
                        );
                    }
                }
                Err(error) => {
                    // A folder or file that cannot be read: reported, never skipped, so a
                    // permissions problem cannot hide a pipeline.
                    let path = error.path().map_or_else(|| root.clone(), Path::to_path_buf);
                    let io = match error.io_error() {
                        Some(io) => std::io::Error::new(io.kind(), io.to_string()),
                        None => std::io::Error::other(error.to_string()),
                    };
                    add(
                        &mut files,
                        &mut seen,
                        identity(&path),
                        Candidate {
                            path,
                            explicit: false,
                            error: Some(xacct_input::ReadError::from(io)),
                            bytes: None,
                            canonical: None,
                        },
                    );
                }
            }
        }
    }
    Discovered { files }
}
