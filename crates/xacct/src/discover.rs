//! Which files to lint: explicit files always; folders walked for `*.json`, `*.yaml`, `*.yml`
//! and `*.template` (CloudFormation's own extension), skipping VCS,
//! build and dependency folders and hidden entries, filtered by `--include`/`--exclude`.

use std::path::{Path, PathBuf};

use glob::{MatchOptions, Pattern, PatternError};
use walkdir::WalkDir;

/// Folders never worth walking into.
const SKIPPED_DIRS: &[&str] = &[
    ".git",
    "target",
    "node_modules",
    ".terraform",
    "cdk.out.bak",
];

/// The extensions of files found by walking a folder (without `--include`).
pub const WALKED_EXTENSIONS: &[&str] = &["json", "yaml", "yml", "template"];

/// `--include` and `--exclude` globs.
pub struct Filter {
    include: Vec<Pattern>,
    exclude: Vec<Pattern>,
}

/// A bad glob.
#[derive(Debug, thiserror::Error)]
#[error("invalid glob `{glob}`: {source}")]
pub struct FilterError {
    glob: String,
    source: PatternError,
}

const MATCH: MatchOptions = MatchOptions {
    case_sensitive: true,
    require_literal_separator: false,
    require_literal_leading_dot: false,
};

impl Filter {
    /// Compiles the globs.
    pub fn new(include: &[String], exclude: &[String]) -> Result<Filter, FilterError> {
        let compile = |globs: &[String]| {
            globs
                .iter()
                .map(|g| {
                    Pattern::new(g).map_err(|source| FilterError {
                        glob: g.clone(),
                        source,
                    })
                })
                .collect::<Result<Vec<_>, _>>()
        };
        Ok(Filter {
            include: compile(include)?,
            exclude: compile(exclude)?,
        })
    }

    fn excluded(&self, path: &Path) -> bool {
        let name = path.file_name().map(Path::new);
        self.exclude.iter().any(|p| {
            p.matches_path_with(path, MATCH) || name.is_some_and(|n| p.matches_path_with(n, MATCH))
        })
    }

    fn included(&self, path: &Path) -> bool {
        if self.include.is_empty() {
            return path
                .extension()
                .and_then(|e| e.to_str())
                .is_some_and(|e| WALKED_EXTENSIONS.contains(&e));
        }
        let name = path.file_name().map(Path::new);
        self.include.iter().any(|p| {
            p.matches_path_with(path, MATCH) || name.is_some_and(|n| p.matches_path_with(n, MATCH))
        })
    }
}

/// A file to lint.
pub struct Candidate {
    /// The path as it will be shown.
    pub path: PathBuf,
    /// True when the user named it (rather than a folder holding it).
    pub explicit: bool,
    /// A walk error for this entry (e.g. a symlink loop or an unreadable folder).
    pub error: Option<std::io::Error>,
}

/// The result of discovery.
pub struct Discovered {
    /// Files, in a stable order.
    pub files: Vec<Candidate>,
    /// Paths the user named that do not exist.
    pub missing: Vec<PathBuf>,
}

/// Finds the files to lint under `paths`.
pub fn discover(paths: &[PathBuf], filter: &Filter) -> Discovered {
    let mut files = Vec::new();
    let mut missing = Vec::new();
    for root in paths {
        let Ok(meta) = std::fs::metadata(root) else {
            if std::fs::symlink_metadata(root).is_ok() {
                // A dangling or looping symlink the user named: report it as unreadable.
                let error = std::fs::metadata(root).err();
                files.push(Candidate {
                    path: root.clone(),
                    explicit: true,
                    error,
                });
            } else {
                missing.push(root.clone());
            }
            continue;
        };
        if !meta.is_dir() {
            files.push(Candidate {
                path: root.clone(),
                explicit: true,
                error: None,
            });
            continue;
        }
        let walker = WalkDir::new(root)
            .follow_links(true)
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
                Ok(entry) if entry.file_type().is_file() => {
                    if filter.included(entry.path()) {
                        files.push(Candidate {
                            path: entry.into_path(),
                            explicit: false,
                            error: None,
                        });
                    }
                }
                Ok(_) => {}
                Err(error) => {
                    // A loop, or a folder or file that cannot be read: reported, never skipped,
                    // so a permissions problem cannot hide a pipeline.
                    let path = error.path().map_or_else(|| root.clone(), Path::to_path_buf);
                    // The finding carries the path already: keep the OS's words only, except
                    // for a loop, which walkdir describes best.
                    let io = match (error.loop_ancestor(), error.io_error()) {
                        (None, Some(io)) => std::io::Error::new(io.kind(), io.to_string()),
                        _ => std::io::Error::other(error.to_string()),
                    };
                    files.push(Candidate {
                        path,
                        explicit: false,
                        error: Some(io),
                    });
                }
            }
        }
    }
    Discovered { files, missing }
}
