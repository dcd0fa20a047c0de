//! Which files to lint: explicit files always; folders walked for `*.json`, `*.yaml`, `*.yml`,
//! `*.template` (CloudFormation's own extension), `*.tf` and `*.tfvars`, skipping VCS, build and dependency folders
//! and hidden entries, filtered by `--include`/`--exclude`.
//!
//! Symlinks are not followed while walking: a link to a file is kept (the read gate then
//! refuses it if it leads out of the lint roots), a link to a folder is skipped (what it holds
//! is either in the tree already or outside it), and so is a loop of links (no file, and no
//! mistake worth failing a run for); a dangling link is reported (its file may be a pipeline
//! that went missing). Named on the command line, each is a finding.
//!
//! Ignore files are respected as git and ripgrep do, matched by the `ignore` crate's gitignore
//! matcher (ripgrep's): `.gitignore` in a repository (below a folder holding `.git`), `.ignore`
//! anywhere (it wins over `.gitignore`), each folder's files for what is below it, the deepest
//! folder deciding first, `!` re-including. The walk itself stays ours (walkdir): the `ignore`
//! crate's walker could not walk `cdk.out` when an ignore file lists it. Neither the global
//! git excludes nor `.git/info/exclude` are read: they differ from one clone to the next, and
//! a CI run must see what a developer's run sees. One exception: `cdk.out`, which CDK's own
//! `.gitignore` lists but which is an input xacct reads (the synthesized templates), is walked
//! whatever the ignore files say; `--exclude` and the config's `exclude` still apply to it.
//! Package manifests and tool configs that are never AWS documents (`package.json`,
//! `tsconfig.json`...) are skipped when walked. Each file is linted once, however many times
//! and in whatever form it is named (`p`, `./p`, an absolute path, a folder holding it): the
//! first form is the one shown. A path that does not exist is a finding on that path, not the
//! end of the run.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use ignore::gitignore::{Gitignore, GitignoreBuilder};
use ignore::Match;
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

/// Names of JSON files that are never AWS documents: package manifests and tool configs,
/// skipped when walked (named, they are linted).
const NOT_AWS: &[&str] = &[
    "package.json",
    "package-lock.json",
    "npm-shrinkwrap.json",
    "tsconfig.json",
    "jsconfig.json",
    "cdk.json",
    "cdk.context.json",
    "composer.json",
    "tslint.json",
    "renovate.json",
    "lerna.json",
    "nx.json",
    "angular.json",
    "deno.json",
    "turbo.json",
    "biome.json",
];

/// True for a walked file that is never an AWS document (`tsconfig.base.json` too).
fn never_aws(name: &str) -> bool {
    NOT_AWS.contains(&name) || (name.starts_with("tsconfig.") && name.ends_with(".json"))
}

/// The ignore files of a walk, read once per folder: `.ignore` and (in a repository)
/// `.gitignore`, each compiled by the `ignore` crate's gitignore matcher (ripgrep's), so
/// patterns mean exactly what git makes of them (`**`, anchoring, character classes, escapes,
/// trailing spaces, `!` re-including).
///
/// What decides for a path is the chain of its folders' matchers from its own folder up to the
/// top, kept per folder (keyed by the folder's bytes): a walk asks about every entry, and
/// climbing the folders and hashing each `Path` (component by component) per entry was a third
/// of the walk. Most folders of most trees have no ignore file: their chain is empty, and an
/// entry there costs one lookup.
#[derive(Default)]
pub struct Ignores {
    by_folder: HashMap<PathBuf, std::rc::Rc<Vec<Gitignore>>>,
    chains: HashMap<std::ffi::OsString, std::rc::Rc<Chain>, foldhash::fast::RandomState>,
}

/// The matchers that speak for a folder's entries, the deepest folder's first, each with its
/// folder (which a finding names when the file does not).
type Chain = Vec<(PathBuf, std::rc::Rc<Vec<Gitignore>>)>;

/// Why a walked file or folder was left out.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SkipReason {
    /// A line of an ignore file: the file and the pattern as written.
    Ignored { file: PathBuf, pattern: String },
    /// A package manifest or tool config (`package.json`, `tsconfig.json`...).
    NeverAws,
}

impl std::fmt::Display for SkipReason {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            SkipReason::Ignored { file, pattern } => write!(
                f,
                "ignored by `{}` in {}",
                crate::escape::line(pattern),
                crate::escape::path(file)
            ),
            SkipReason::NeverAws => {
                f.write_str("a package manifest or tool config, no AWS document")
            }
        }
    }
}

impl Ignores {
    /// The matchers of `folder`'s ignore files, the one that wins first: `.ignore`, then
    /// `.gitignore` (in a repository), as ripgrep orders them.
    fn matchers(&mut self, folder: &Path, in_repository: bool) -> std::rc::Rc<Vec<Gitignore>> {
        self.by_folder
            .entry(folder.to_path_buf())
            .or_insert_with(|| {
                let names: &[&str] = if in_repository {
                    &[".ignore", ".gitignore"]
                } else {
                    &[".ignore"]
                };
                let mut matchers = Vec::new();
                for name in names {
                    let path = folder.join(name);
                    // Through the gate's reader (a regular file, bounded, no link followed),
                    // then line by line into the matcher, which never opens a file itself.
                    let Ok(bytes) = xacct_input::gate::read_regular(&path, 1024 * 1024) else {
                        continue;
                    };
                    let mut builder = GitignoreBuilder::new(folder);
                    for line in String::from_utf8_lossy(&bytes).lines() {
                        // A line git cannot use is skipped, as git skips it.
                        let _ = builder.add_line(Some(path.clone()), line);
                    }
                    if let Ok(matcher) = builder.build() {
                        matchers.push(matcher);
                    }
                }
                std::rc::Rc::new(matchers)
            })
            .clone()
    }

    /// Why the ignore files of the folders from `top` down to `path`'s (both absolute) leave
    /// `path` out, if they do: the deepest folder's files decide first, as in git; a `!`
    /// pattern there keeps the path whatever the folders above say. What the walk does not
    /// enter is never asked about, so a file below an ignored folder cannot come back (git's
    /// rule too).
    pub fn ignored(
        &mut self,
        path: &Path,
        is_folder: bool,
        top: &Path,
        in_repository: bool,
    ) -> Option<SkipReason> {
        let below = path.strip_prefix(top).ok()?;
        if below.components().any(|c| c.as_os_str() == "cdk.out") {
            return None;
        }
        let folder = path.parent()?;
        let chain = match self.chains.get(folder.as_os_str()) {
            Some(chain) => chain.clone(),
            None => {
                let chain = std::rc::Rc::new(self.chain(folder, top, in_repository));
                self.chains
                    .insert(folder.as_os_str().to_os_string(), chain.clone());
                chain
            }
        };
        for (folder, matchers) in chain.iter() {
            for matcher in matchers.iter() {
                match matcher.matched(path, is_folder) {
                    Match::None => {}
                    Match::Whitelist(_) => return None,
                    Match::Ignore(glob) => {
                        return Some(SkipReason::Ignored {
                            file: glob
                                .from()
                                .map_or_else(|| folder.to_path_buf(), Path::to_path_buf),
                            pattern: glob.original().to_string(),
                        })
                    }
                }
            }
        }
        None
    }

    /// The matchers of `folder` and of each folder above it up to `top`, the deepest first;
    /// folders without ignore files left out.
    fn chain(&mut self, folder: &Path, top: &Path, in_repository: bool) -> Chain {
        let mut chain = Vec::new();
        let mut at = folder;
        loop {
            let matchers = self.matchers(at, in_repository);
            if !matchers.is_empty() {
                chain.push((at.to_path_buf(), matchers));
            }
            if at == top {
                return chain;
            }
            match at.parent() {
                Some(parent) => at = parent,
                None => return chain,
            }
        }
    }
}

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
    /// True when `bytes` came from standard input, are a text `--fix` changed in memory, or
    /// an editor's unsaved buffer (`xacct server`): the text cannot be read again (a file of
    /// that name on disk is another text).
    pub from_stdin: bool,
    /// Its canonical path, when the walk knows it: a file (no link) below a canonical root,
    /// reached through folders that are no links.
    pub canonical: Option<PathBuf>,
}

/// The result of discovery.
pub struct Discovered {
    /// Files, in a stable order, each once.
    pub files: Vec<Candidate>,
    /// What the walk left out and why (ignore files, package manifests), in walk order, for
    /// `-v` and `--strict` to say.
    pub skipped: Vec<(PathBuf, SkipReason)>,
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
    seen: &mut HashMap<std::ffi::OsString, usize, foldhash::fast::RandomState>,
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

/// True when the link at `path` leads, link after link, back to one it passed (a loop), or
/// through more links than the system would follow.
fn in_circle(path: &Path) -> bool {
    let mut seen = std::collections::HashSet::new();
    let mut at = crate::paths::absolute(path);
    for _ in 0..40 {
        if !seen.insert(at.clone()) {
            return true;
        }
        match std::fs::read_link(&at) {
            Ok(target) => {
                let folder = at.parent().map(Path::to_path_buf).unwrap_or_default();
                at = crate::paths::absolute(&folder.join(target));
            }
            // Not a link (or gone): the chain ends, in no circle.
            Err(_) => return false,
        }
    }
    true
}

/// Finds the files to lint under `paths`.
pub fn discover(paths: &[PathBuf], filter: &Filter) -> Discovered {
    let mut files = Vec::new();
    let mut skipped = Vec::new();
    let mut seen = HashMap::default();
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
                    from_stdin: false,
                    canonical: None,
                },
            );
            continue;
        }
        // Below a canonical root, a walked path is canonical but for a last component that is
        // a link: one resolution per root, not one per file.
        let canonical_root = identity(root);
        let repository = crate::fingerprint::repository_root(&canonical_root);
        let top = repository.clone().unwrap_or_else(|| canonical_root.clone());
        let mut ignores = Ignores::default();
        let walker = WalkDir::new(root)
            .follow_links(false)
            // By name, as `sort_by_file_name` does, but on the whole path's bytes: siblings
            // share all but their names, and taking each name apart again for every
            // comparison was half a percent of a large run.
            .sort_by(|a, b| a.path().as_os_str().cmp(b.path().as_os_str()))
            .into_iter();
        let walker = walker.filter_entry(|entry| {
            if entry.depth() == 0 {
                return true;
            }
            let name = entry.file_name().to_string_lossy();
            let is_dir = entry.file_type().is_dir();
            if is_dir && SKIPPED_DIRS.contains(&name.as_ref())
                || name.starts_with('.')
                || filter.excluded(entry.path())
            {
                return false;
            }
            if !is_dir && never_aws(&name) {
                skipped.push((entry.path().to_path_buf(), SkipReason::NeverAws));
                return false;
            }
            let absolute = match entry.path().strip_prefix(root) {
                Ok(relative) => canonical_root.join(relative),
                Err(_) => return true,
            };
            match ignores.ignored(&absolute, is_dir, &top, repository.is_some()) {
                Some(reason) => {
                    skipped.push((entry.path().to_path_buf(), reason));
                    false
                }
                None => true,
            }
        });
        for entry in walker {
            match entry {
                Ok(entry) => {
                    let kind = entry.file_type();
                    // A link is taken for a file unless it leads to a folder; where it leads
                    // is the read gate's to judge.
                    // A link is a file unless it leads to a folder or in a circle; a dangling
                    // one is reported (its file may be a pipeline that went missing).
                    let file_like = kind.is_file()
                        || (kind.is_symlink()
                            && match std::fs::metadata(entry.path()) {
                                Ok(meta) => !meta.is_dir(),
                                Err(_) => !in_circle(entry.path()),
                            });
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
                                from_stdin: false,
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
                            from_stdin: false,
                            canonical: None,
                        },
                    );
                }
            }
        }
    }
    Discovered { files, skipped }
}
