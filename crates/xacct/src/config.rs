//! `xacct.toml`: account names, what policy files govern when they cannot say, the default
//! region, where templates are deployed, and which rules are reported at which severity
//! (`select`, `extend-select`, `ignore`, `[severity]`, `per-file-ignores`; see [`crate::select`])
//! and which files are not linted (`exclude`). Found by walking up from each file's folder, or
//! named with `--config`.
//!
//! Every mistake is an error with a span in the config file; an unknown key is never ignored.

use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};

use serde::Deserialize;
use toml::Spanned;
use xacct_input::StackFacts;
use xacct_model::arn::{is_region_name, AccountId, Arn};
use xacct_model::workspace::Binding;
use xacct_model::KeyRef;
use xacct_rules::Severity;
use xacct_syntax::FileId;

use crate::paths::normalize;
use crate::patterns::{Pattern, PatternError};
use crate::select::{Layer, Selector};

/// The file name looked for.
pub const FILE_NAME: &str = "xacct.toml";

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawConfig {
    region: Option<Spanned<String>>,
    #[serde(default)]
    accounts: BTreeMap<String, Spanned<String>>,
    #[serde(default)]
    bind: Vec<Spanned<RawBind>>,
    #[serde(default)]
    parameters: BTreeMap<String, Spanned<toml::Value>>,
    #[serde(default)]
    stack: Vec<Spanned<RawStack>>,
    select: Option<Vec<Spanned<String>>>,
    #[serde(default, rename = "extend-select")]
    extend_select: Vec<Spanned<String>>,
    #[serde(default)]
    ignore: Vec<Spanned<String>>,
    #[serde(default)]
    severity: BTreeMap<Spanned<String>, Spanned<String>>,
    #[serde(default, rename = "per-file-ignores")]
    per_file_ignores: BTreeMap<Spanned<String>, Vec<Spanned<String>>>,
    #[serde(default)]
    exclude: Vec<Spanned<String>>,
    #[serde(default)]
    limits: BTreeMap<Spanned<String>, Spanned<toml::Value>>,
}

/// `[[stack]]`: where the templates matching `file` are deployed.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawStack {
    file: Spanned<String>,
    account: Option<Spanned<String>>,
    region: Option<Spanned<String>>,
    name: Option<Spanned<String>>,
    #[serde(default)]
    parameters: BTreeMap<String, Spanned<toml::Value>>,
    #[serde(default)]
    resources: BTreeMap<String, String>,
}

/// The keys of rule selection, taken out of [`RawConfig`].
struct RawRules {
    select: Option<Vec<Spanned<String>>>,
    extend_select: Vec<Spanned<String>>,
    ignore: Vec<Spanned<String>>,
    severity: BTreeMap<Spanned<String>, Spanned<String>>,
    per_file_ignores: BTreeMap<Spanned<String>, Vec<Spanned<String>>>,
    exclude: Vec<Spanned<String>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawBind {
    file: Spanned<String>,
    role: Option<Spanned<String>>,
    bucket: Option<Spanned<String>>,
    key: Option<Spanned<String>>,
    /// A managed policy ARN: the file holds that policy (a permissions boundary's document).
    policy: Option<Spanned<String>>,
    /// Account IDs or `[accounts]` names: the file holds an SCP or RCP that applies to them.
    accounts: Option<Spanned<Vec<Spanned<String>>>>,
}

/// A config, checked.
#[derive(Debug, Default)]
pub struct Config {
    /// The default pipeline region.
    pub region: Option<String>,
    /// Account names, for messages.
    pub accounts: BTreeMap<String, AccountId>,
    /// Template parameter values for every template.
    pub parameters: BTreeMap<String, String>,
    binds: PathRules<Binding>,
    stacks: PathRules<StackFacts>,
    /// `select`, `extend-select` and `ignore`.
    pub rules: Layer,
    /// `[severity]`: severities by code or prefix.
    pub severity: Vec<(Selector, Severity)>,
    per_file_ignores: Vec<PerFileIgnore>,
    exclude: Vec<FilePattern>,
    /// The config's folder (normalised, absolute): its paths are relative to it.
    folder: PathBuf,
    /// `[limits]`, for the files it governs.
    pub limits: xacct_input::Limits,
}

/// A glob of `per-file-ignores` or `exclude`, as ruff reads them: relative to the config's
/// folder, or, without a `/`, matching a file's (or for `exclude` a folder's) own name
/// anywhere below it.
#[derive(Debug)]
struct FilePattern {
    /// Matched against the absolute path (the glob joined to the config's folder).
    absolute: Pattern,
    /// Matched against names, when the glob has no `/`.
    name: Option<Pattern>,
}

impl FilePattern {
    fn new(base: &Path, glob: &str) -> Result<FilePattern, PatternError> {
        let absolute = under(base, glob)?;
        let name = if glob.contains('/') {
            None
        } else {
            Some(Pattern::new(glob, true)?)
        };
        Ok(FilePattern { absolute, name })
    }

    fn matches(&self, absolute: &Path) -> bool {
        self.absolute.matches(absolute)
            || self.name.as_ref().is_some_and(|name| {
                absolute
                    .file_name()
                    .is_some_and(|n| name.matches(Path::new(n)))
            })
    }
}

/// A config glob made absolute: the config's folder (its own characters taken literally, so a
/// folder named `[prod]` is no class) joined with the glob, `.` segments dropped.
fn under(base: &Path, glob: &str) -> Result<Pattern, PatternError> {
    let glob = glob.strip_prefix("./").unwrap_or(glob);
    let folder = globset::escape(&base.to_string_lossy());
    let joined = if glob.starts_with('/') {
        glob.to_string()
    } else {
        format!("{}/{glob}", folder.trim_end_matches('/'))
    };
    Pattern::new(&joined.replace("/./", "/"), true)
}

/// A `per-file-ignores` entry: the rules ignored in files matching the glob (or, for a glob
/// starting with `!`, in files not matching it).
#[derive(Debug)]
struct PerFileIgnore {
    pattern: FilePattern,
    negated: bool,
    ignore: Vec<Selector>,
}

/// Values for files, by pattern; the first entry whose pattern matches a file wins. Patterns
/// without wildcards (most `[[bind]]` entries name one file) are looked up in a map, so a run
/// over thousands of files and bindings is not files × bindings glob matches.
#[derive(Debug)]
struct PathRules<T> {
    exact: HashMap<PathBuf, (usize, T)>,
    globs: Vec<(usize, Pattern, T)>,
    len: usize,
}

impl<T> Default for PathRules<T> {
    fn default() -> Self {
        PathRules {
            exact: HashMap::new(),
            globs: Vec::new(),
            len: 0,
        }
    }
}

impl<T> PathRules<T> {
    /// Adds the value for the files of `glob` (relative to `base`).
    fn push(&mut self, base: &Path, glob: &str, value: T) -> Result<(), PatternError> {
        // Most entries name one file: no pattern to compile for those.
        if crate::patterns::is_literal(glob) {
            self.exact
                .entry(normalize(&base.join(glob)))
                .or_insert((self.len, value));
        } else {
            self.globs.push((self.len, under(base, glob)?, value));
        }
        self.len += 1;
        Ok(())
    }

    fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// The value for a normalised absolute path.
    fn get(&self, absolute: &Path) -> Option<&T> {
        let exact = self.exact.get(absolute).map(|(i, v)| (*i, v));
        let glob = self
            .globs
            .iter()
            .take_while(|(i, _, _)| exact.is_none_or(|(e, _)| *i < e))
            .find(|(_, p, _)| p.matches(absolute))
            .map(|(i, _, v)| (*i, v));
        glob.or(exact).map(|(_, v)| v)
    }
}

/// A mistake in the config, with the byte range it concerns.
#[derive(Debug, thiserror::Error)]
#[error("{message}")]
pub struct ConfigError {
    /// The config file.
    pub path: PathBuf,
    /// Its text.
    pub text: String,
    /// What is wrong.
    pub message: String,
    /// Where.
    pub span: std::ops::Range<usize>,
    /// The other mistakes of the same file, in the order they are in it.
    pub more: Vec<ConfigError>,
}

/// The configs of a run: `--config` for every file, or for each file the nearest
/// `xacct.toml` in its folder or above (as ruff finds the nearest `pyproject.toml`), else the
/// one above the current folder.
#[derive(Debug, Default)]
pub struct ConfigSet {
    configs: Vec<Config>,
    /// The index into `configs` of each folder's config, by the folder as the run's paths
    /// write it (a file's config is its folder's: one entry per folder, not per file).
    of_folder: HashMap<PathBuf, usize>,
    /// The config named with `--config`, which governs every file.
    named: Option<usize>,
    /// Configs below the run's own that could not be read or checked.
    broken: Vec<BrokenConfig>,
}

/// A sub-project's config that could not be used.
#[derive(Debug)]
pub struct BrokenConfig {
    /// Its index in the run's configs (a default stands in for it).
    index: usize,
    /// What is wrong.
    pub error: ConfigError,
    /// How many files it governs (not linted).
    pub files: usize,
}

impl ConfigSet {
    /// Finds and checks the configs of `files`. A mistake in the run's own config (`--config`,
    /// or the current folder's) is an error: the run cannot start. A mistake in a config
    /// below it (a sub-project's) is kept in [`ConfigSet::broken`]: that config's files are
    /// not linted, and the rest of the run goes on.
    pub fn load(
        named: Option<&Path>,
        files: &[crate::discover::Candidate],
    ) -> Result<ConfigSet, ConfigError> {
        let mut set = ConfigSet::default();
        let mut loaded: HashMap<PathBuf, usize> = HashMap::new();
        let mut load = |path: PathBuf,
                        found: bool,
                        top: bool,
                        set: &mut ConfigSet|
         -> Result<usize, ConfigError> {
            if let Some(&index) = loaded.get(&path) {
                return Ok(index);
            }
            let config = match load(&path, found) {
                Ok(config) => config,
                Err(e) if top => return Err(e),
                Err(e) => {
                    set.broken.push(BrokenConfig {
                        index: set.configs.len(),
                        error: e,
                        files: 0,
                    });
                    Config::default()
                }
            };
            set.configs.push(config);
            loaded.insert(path, set.configs.len() - 1);
            Ok(set.configs.len() - 1)
        };
        if let Some(path) = named {
            let index = load(path.to_path_buf(), false, true, &mut set)?;
            set.named = Some(index);
            return Ok(set);
        }
        let fallback = std::env::current_dir().ok().and_then(|dir| find(&dir));
        // The current folder's config is checked even when it governs no file: a mistake in
        // it is never silent.
        if let Some(path) = &fallback {
            load(path.clone(), true, true, &mut set)?;
        }
        let mut by_folder: HashMap<PathBuf, Option<PathBuf>> = HashMap::new();
        // The walk gives a folder's files one after another: a file in the folder of the file
        // before, as written, has that folder's config already (tens of thousands of files in
        // an organisation's run, a few hundred folders).
        let mut last: Option<&Path> = None;
        for file in files {
            let written = file.path.parent();
            if last.is_some() && written == last {
                continue;
            }
            last = written;
            let folder = std::path::absolute(&file.path)
                .ok()
                .and_then(|p| p.parent().map(normalize))
                .unwrap_or_default();
            let found = by_folder
                .entry(folder.clone())
                .or_insert_with(|| find(&folder).or_else(|| fallback.clone()))
                .clone();
            if let Some(path) = found {
                let top = fallback.as_ref() == Some(&path);
                let index = load(path, true, top, &mut set)?;
                set.of_folder
                    .entry(folder_of(&file.path).to_path_buf())
                    .or_insert(index);
            }
        }
        Ok(set)
    }

    /// Takes out of `files` those a broken config governs (they cannot be linted as their
    /// config says), counting them. `companions` are indexes into `files`: they are renumbered.
    pub fn drop_broken(
        &mut self,
        files: &mut Vec<crate::discover::Candidate>,
        companions: &mut std::collections::HashSet<FileId>,
    ) {
        if self.broken.is_empty() {
            return;
        }
        let broken: HashMap<usize, usize> = self
            .broken
            .iter()
            .enumerate()
            .map(|(at, b)| (b.index, at))
            .collect();
        let mut kept = Vec::with_capacity(files.len());
        let mut renumbered = std::collections::HashSet::new();
        for (index, candidate) in std::mem::take(files).into_iter().enumerate() {
            let governed = self
                .index_of(&candidate.path)
                .and_then(|config| broken.get(&config));
            if let Some(&at) = governed {
                self.broken[at].files += 1;
                continue;
            }
            if companions.contains(&FileId(index as u32)) {
                renumbered.insert(FileId(kept.len() as u32));
            }
            kept.push(candidate);
        }
        *files = kept;
        *companions = renumbered;
    }

    /// The configs that could not be used, with what is wrong and how many files they govern.
    pub fn broken(&self) -> &[BrokenConfig] {
        &self.broken
    }

    /// The config that governs `path`, if any.
    pub fn of(&self, path: &Path) -> Option<&Config> {
        self.index_of(path).map(|i| &self.configs[i])
    }

    /// Which of the run's configs governs `path` (the same number for files of one config).
    pub fn index_of(&self, path: &Path) -> Option<usize> {
        self.named
            .or_else(|| self.of_folder.get(folder_of(path)).copied())
    }

    /// True when `exclude` excludes a walked file, as ruff decides it while walking: each
    /// entry on the way to the file (a folder, then the file) is matched against the config
    /// of the folder it is in, so a config's `exclude` can skip a folder that has a config of
    /// its own.
    pub fn excludes(&self, path: &Path) -> bool {
        let Ok(absolute) = std::path::absolute(path) else {
            return false;
        };
        let absolute = normalize(&absolute);
        // The configs whose folder holds the file, nearest first (the file's own first).
        let mut chain: Vec<&Config> = self
            .configs
            .iter()
            .filter(|c| absolute.starts_with(&c.folder))
            .collect();
        chain.sort_by_key(|c| std::cmp::Reverse(c.folder.components().count()));
        if chain.is_empty() {
            // A config for files outside its folder (`--config`, the current folder's).
            return self.of(path).is_some_and(|c| {
                absolute
                    .ancestors()
                    .take_while(|a| a.parent().is_some())
                    .any(|a| c.excluded_entry(a))
            });
        }
        let mut inner: Option<&Path> = None;
        for config in chain {
            let governed = absolute
                .ancestors()
                .take_while(|a| *a != config.folder.as_path())
                .filter(|a| inner.is_none_or(|i| !a.starts_with(i) || *a == i));
            if governed.into_iter().any(|a| config.excluded_entry(a)) {
                return true;
            }
            inner = Some(&config.folder);
        }
        false
    }

    /// Drops the files found by walking that their config's `exclude` matches (files named on
    /// the command line are always linted, as with `--exclude`). `companions` are indexes
    /// into `files`: they are renumbered.
    pub fn drop_excluded(
        &self,
        files: &mut Vec<crate::discover::Candidate>,
        companions: &mut std::collections::HashSet<FileId>,
    ) {
        if self.configs.iter().all(|c| c.exclude.is_empty()) {
            return;
        }
        let mut kept = Vec::with_capacity(files.len());
        let mut renumbered = std::collections::HashSet::new();
        for (index, candidate) in std::mem::take(files).into_iter().enumerate() {
            let excluded = !candidate.explicit && self.excludes(&candidate.path);
            if excluded {
                continue;
            }
            if companions.contains(&FileId(index as u32)) {
                renumbered.insert(FileId(kept.len() as u32));
            }
            kept.push(candidate);
        }
        *files = kept;
        *companions = renumbered;
    }

    /// Every `[accounts]` name, for messages (the first config to name an account wins).
    pub fn account_names(&self) -> Vec<(AccountId, String)> {
        let mut names: Vec<(AccountId, String)> = Vec::new();
        for config in &self.configs {
            for (name, id) in &config.accounts {
                if !names.iter().any(|(known, _)| known == id) {
                    names.push((*id, name.clone()));
                }
            }
        }
        names
    }

    /// What each file is bound to, by its own config.
    pub fn bindings(&self, files: &[(FileId, &Path)]) -> HashMap<FileId, Binding> {
        use rayon::prelude::*;
        if self.configs.iter().all(|c| c.binds.is_empty()) {
            return HashMap::new();
        }
        // One lookup of each file's config, on every thread: a path's hash takes it apart into
        // components, and an organisation's run has tens of thousands of files.
        files
            .par_iter()
            .filter_map(|&(id, path)| Some((id, self.of(path)?.binding_of(path)?)))
            .collect()
    }
}

/// The folder of a file as its path writes it (`""` for a bare file name), which decides its
/// config.
fn folder_of(path: &Path) -> &Path {
    path.parent().unwrap_or(Path::new(""))
}

/// Finds `xacct.toml` in `start` or the nearest folder above it.
pub fn find(start: &Path) -> Option<PathBuf> {
    start
        .ancestors()
        .map(|dir| dir.join(FILE_NAME))
        .find(|p| p.is_file())
}

/// What a `[[bind]]` entry must hold.
const BIND_NEEDS: &str =
    "a [[bind]] entry needs `file` and exactly one of `role`, `bucket`, `key`, `policy` or `accounts`";

/// An account ID, or the ID of a name from `[accounts]`, reporting anything else at it.
fn account_named(
    config: &Config,
    account: &Spanned<String>,
    path: &Path,
    text: &str,
) -> Result<AccountId, ConfigError> {
    AccountId::parse(account.get_ref())
        .or_else(|| config.accounts.get(account.get_ref()).copied())
        .ok_or_else(|| {
            error(
                path,
                text,
                account.span(),
                format!(
                    "`{}` is neither a 12-digit account ID nor a name in [accounts]",
                    account.get_ref()
                ),
            )
        })
}

/// Adds a `[[bind]]` entry, reporting a bad file pattern at it.
fn push_bind(
    config: &mut Config,
    base: &Path,
    file: &Spanned<String>,
    binding: Binding,
    path: &Path,
    text: &str,
) -> Result<(), ConfigError> {
    config
        .binds
        .push(base, file.get_ref(), binding)
        .map_err(|e| {
            error(
                path,
                text,
                file.span(),
                format!("invalid file pattern: {e}"),
            )
        })
}

fn error(
    path: &Path,
    text: &str,
    span: std::ops::Range<usize>,
    message: impl Into<String>,
) -> ConfigError {
    ConfigError {
        path: path.to_path_buf(),
        text: text.to_string(),
        message: message.into(),
        span,
        more: Vec::new(),
    }
}

/// The most bytes a config may have: far beyond any real one, and it is read whole.
pub const MAX_CONFIG_SIZE: u64 = 4 * 1024 * 1024;

/// Reads and checks a config file: a regular file (never a FIFO or a device), of at most
/// [`MAX_CONFIG_SIZE`] bytes, and, when it was found rather than named, not a link out of the
/// folder it was found in.
pub fn load(path: &Path, found: bool) -> Result<Config, ConfigError> {
    let cannot = |e: &dyn std::fmt::Display| {
        error(
            path,
            "",
            0..0,
            format!("cannot read {}: {e}", crate::escape::path(path)),
        )
    };
    let bytes = if found {
        let mut gate = xacct_input::Gate::new();
        gate.add_named(path);
        gate.read(path, MAX_CONFIG_SIZE)
    } else {
        xacct_input::gate::read_followed(path, MAX_CONFIG_SIZE)
    }
    .map_err(|e| cannot(&e))?;
    let text =
        String::from_utf8(bytes).map_err(|e| cannot(&format!("it is not UTF-8 text ({e})")))?;
    let raw: RawConfig = toml::from_str(&text).map_err(|e| {
        error(
            path,
            &text,
            e.span().unwrap_or(0..0),
            e.message().trim().to_string(),
        )
    })?;
    let rules = RawRules {
        select: raw.select,
        extend_select: raw.extend_select,
        ignore: raw.ignore,
        severity: raw.severity,
        per_file_ignores: raw.per_file_ignores,
        exclude: raw.exclude,
    };
    let mut config = Config::default();
    // Every mistake is collected, so that one run shows them all.
    let mut errors: Vec<ConfigError> = Vec::new();
    if let Some(region) = raw.region {
        if !is_region_name(region.get_ref()) {
            errors.push(error(
                path,
                &text,
                region.span(),
                format!(
                    "`{}` is not an AWS region name (e.g. us-east-1)",
                    region.get_ref()
                ),
            ));
        }
        config.region = Some(region.into_inner());
    }
    for (name, id) in raw.accounts {
        match AccountId::parse(id.get_ref()) {
            Some(account) => {
                config.accounts.insert(name, account);
            }
            None => errors.push(error(
                path,
                &text,
                id.span(),
                format!(
                    "account `{name}`: `{}` is not a 12-digit account ID",
                    id.get_ref()
                ),
            )),
        }
    }
    let absolute = std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf());
    let base = normalize(absolute.parent().unwrap_or(Path::new(".")));
    for bind in raw.bind {
        let one = || -> Result<(), ConfigError> {
            let span = bind.span();
            let bind = bind.into_inner();
            let given = [
                bind.role.is_some(),
                bind.bucket.is_some(),
                bind.key.is_some(),
                bind.policy.is_some(),
                bind.accounts.is_some(),
            ];
            if given.iter().filter(|g| **g).count() != 1 {
                return Err(error(path, &text, span, BIND_NEEDS));
            }
            if let Some(policy) = bind.policy {
                let ok = Arn::parse(policy.get_ref()).is_ok_and(|a| {
                    a.service == "iam"
                        && a.resource.starts_with("policy/")
                        && (a.account == "aws" || a.account_id().is_some())
                });
                if !ok {
                    return Err(error(
                        path,
                        &text,
                        policy.span(),
                        format!(
                            "`{}` is not an IAM managed policy ARN (arn:aws:iam::ACCOUNT:policy/NAME)",
                            policy.get_ref()
                        ),
                    ));
                }
                push_bind(
                    &mut config,
                    &base,
                    &bind.file,
                    Binding::Policy(policy.into_inner()),
                    path,
                    &text,
                )?;
                return Ok(());
            }
            if let Some(accounts) = bind.accounts {
                let list_span = accounts.span();
                let mut ids = Vec::new();
                for account in accounts.into_inner() {
                    ids.push(account_named(&config, &account, path, &text)?);
                }
                if ids.is_empty() {
                    return Err(error(
                        path,
                        &text,
                        list_span,
                        "`accounts` lists no account: name the accounts the SCP or RCP applies to",
                    ));
                }
                push_bind(
                    &mut config,
                    &base,
                    &bind.file,
                    Binding::Accounts(ids),
                    path,
                    &text,
                )?;
                return Ok(());
            }
            let binding = match (bind.role, bind.bucket, bind.key) {
                (Some(role), None, None) => {
                    let ok = Arn::parse(role.get_ref()).is_ok_and(|a| {
                        a.service == "iam"
                            && a.resource.starts_with("role/")
                            && a.account_id().is_some()
                    });
                    if !ok {
                        return Err(error(
                            path,
                            &text,
                            role.span(),
                            format!(
                                "`{}` is not an IAM role ARN (arn:aws:iam::ACCOUNT:role/NAME)",
                                role.get_ref()
                            ),
                        ));
                    }
                    Binding::Role(role.into_inner())
                }
                (None, None, Some(key)) => {
                    if !matches!(KeyRef::parse(key.get_ref()), Ok(KeyRef::KeyArn { .. })) {
                        return Err(error(
                            path,
                            &text,
                            key.span(),
                            format!(
                                "`{}` is not a KMS key ARN (arn:aws:kms:REGION:ACCOUNT:key/KEY-ID)",
                                key.get_ref()
                            ),
                        ));
                    }
                    Binding::Key(key.into_inner())
                }
                (None, Some(bucket), None) => Binding::Bucket(bucket.into_inner()),
                _ => return Err(error(path, &text, span, BIND_NEEDS)),
            };
            push_bind(&mut config, &base, &bind.file, binding, path, &text)?;
            Ok(())
        };
        if let Err(e) = one() {
            errors.push(e);
        }
    }
    match parameter_values(path, &text, raw.parameters) {
        Ok(values) => config.parameters = values,
        Err(e) => errors.push(e),
    }
    for stack in raw.stack {
        let one = || -> Result<(), ConfigError> {
            let stack = stack.into_inner();
            let account = match &stack.account {
                None => None,
                // An account ID, or a name from [accounts].
                Some(account) => Some(account_named(&config, account, path, &text)?),
            };
            if let Some(region) = stack
                .region
                .as_ref()
                .filter(|r| !is_region_name(r.get_ref()))
            {
                return Err(error(
                    path,
                    &text,
                    region.span(),
                    format!(
                        "`{}` is not an AWS region name (e.g. us-east-1)",
                        region.get_ref()
                    ),
                ));
            }
            let facts = StackFacts {
                account,
                region: stack.region.map(Spanned::into_inner),
                name: stack.name.map(Spanned::into_inner),
                parameters: parameter_values(path, &text, stack.parameters)?,
                resources: stack.resources,
                ..StackFacts::default()
            };
            config
                .stacks
                .push(&base, stack.file.get_ref(), facts)
                .map_err(|e| {
                    error(
                        path,
                        &text,
                        stack.file.span(),
                        format!("invalid file pattern: {e}"),
                    )
                })?;
            Ok(())
        };
        if let Err(e) = one() {
            errors.push(e);
        }
    }
    rule_settings(&mut config, path, &text, &base, &rules, &mut errors);
    for (key, value) in &raw.limits {
        let mut one = || -> Result<(), ConfigError> {
            let Some(limit) = xacct_input::Limit::from_key(key.get_ref()) else {
                let known: Vec<&str> = xacct_input::limits::ALL.iter().map(|l| l.key()).collect();
                return Err(error(
                    path,
                    &text,
                    key.span(),
                    format!(
                        "[limits]: unknown limit `{}` (one of {})",
                        key.get_ref(),
                        known.join(", ")
                    ),
                ));
            };
            let number = match value.get_ref() {
                toml::Value::Integer(n) => u64::try_from(*n).ok(),
                _ => None,
            };
            let set = number
                .ok_or_else(|| "must be a whole number".to_string())
                .and_then(|n| config.limits.set(limit, n).map_err(|e| e.to_string()));
            if let Err(reason) = set {
                return Err(error(
                    path,
                    &text,
                    value.span(),
                    format!("[limits] {}: {reason}", limit.key()),
                ));
            }
            Ok(())
        };
        if let Err(e) = one() {
            errors.push(e);
        }
    }
    if !errors.is_empty() {
        errors.sort_by_key(|e| (e.span.start, e.span.end));
        let mut first = errors.remove(0);
        first.more = errors;
        return Err(first);
    }
    config.folder = base;
    Ok(config)
}

/// Reads `select`, `extend-select`, `ignore`, `[severity]`, `per-file-ignores` and `exclude`.
fn rule_settings(
    config: &mut Config,
    path: &Path,
    text: &str,
    base: &Path,
    raw: &RawRules,
    errors: &mut Vec<ConfigError>,
) {
    let selectors = |key: &str, items: &[Spanned<String>], ignoring: bool| {
        items
            .iter()
            .map(|item| {
                let parsed = if ignoring {
                    Selector::parse_ignore(item.get_ref())
                } else {
                    Selector::parse(item.get_ref())
                };
                parsed.map_err(|e| error(path, text, item.span(), format!("{key}: {e}")))
            })
            .collect::<Vec<_>>()
    };
    // Each bad selector is an error of its own; the good ones are kept.
    let mut keep = |results: Vec<Result<Selector, ConfigError>>| -> Vec<Selector> {
        results
            .into_iter()
            .filter_map(|r| r.map_err(|e| errors.push(e)).ok())
            .collect()
    };
    config.rules = Layer {
        select: raw
            .select
            .as_deref()
            .map(|items| keep(selectors("select", items, false))),
        extend_select: keep(selectors("extend-select", &raw.extend_select, false)),
        ignore: keep(selectors("ignore", &raw.ignore, true)),
    };
    let mut per_file = Vec::new();
    for (glob, codes) in &raw.per_file_ignores {
        per_file.push((glob, keep(selectors("per-file-ignores", codes, true))));
    }
    let mut seen: HashMap<Selector, std::ops::Range<usize>> = HashMap::new();
    for (key, value) in &raw.severity {
        let mut one = || -> Result<(), ConfigError> {
            let selector = Selector::parse(key.get_ref())
                .map_err(|e| error(path, text, key.span(), format!("[severity]: {e}")))?;
            if seen.insert(selector.clone(), key.span()).is_some() {
                return Err(error(
                    path,
                    text,
                    key.span(),
                    format!("[severity]: `{selector}` is given twice"),
                ));
            }
            let severity = match value.get_ref().as_str() {
                "error" => Severity::Error,
                "warning" => Severity::Warning,
                "info" => Severity::Info,
                other => {
                    return Err(error(
                        path,
                        text,
                        value.span(),
                        format!(
                            "[severity] {selector}: `{other}` is no severity (`error`, `warning` or `info`)"
                        ),
                    ))
                }
            };
            config.severity.push((selector, severity));
            Ok(())
        };
        if let Err(e) = one() {
            errors.push(e);
        }
    }
    for (glob, ignore) in per_file {
        let (negated, pattern_text) = match glob.get_ref().strip_prefix('!') {
            Some(rest) => (true, rest),
            None => (false, glob.get_ref().as_str()),
        };
        match FilePattern::new(base, pattern_text) {
            Ok(pattern) => config.per_file_ignores.push(PerFileIgnore {
                pattern,
                negated,
                ignore,
            }),
            Err(e) => errors.push(error(
                path,
                text,
                glob.span(),
                format!("per-file-ignores: invalid file pattern: {e}"),
            )),
        }
    }
    for glob in &raw.exclude {
        match FilePattern::new(base, glob.get_ref()) {
            Ok(pattern) => config.exclude.push(pattern),
            Err(e) => errors.push(error(
                path,
                text,
                glob.span(),
                format!("exclude: invalid file pattern: {e}"),
            )),
        }
    }
}

/// Parameter values as CloudFormation receives them: strings (numbers and booleans as
/// written, lists joined with commas).
fn parameter_values(
    path: &Path,
    text: &str,
    raw: BTreeMap<String, Spanned<toml::Value>>,
) -> Result<BTreeMap<String, String>, ConfigError> {
    let scalar = |v: &toml::Value| match v {
        toml::Value::String(s) => Some(s.clone()),
        toml::Value::Integer(i) => Some(i.to_string()),
        toml::Value::Float(f) => Some(f.to_string()),
        toml::Value::Boolean(b) => Some(b.to_string()),
        _ => None,
    };
    let mut out = BTreeMap::new();
    for (name, value) in raw {
        let span = value.span();
        let text_value = match value.get_ref() {
            toml::Value::Array(items) => items
                .iter()
                .map(scalar)
                .collect::<Option<Vec<_>>>()
                .map(|items| items.join(",")),
            other => scalar(other),
        };
        let Some(text_value) = text_value else {
            return Err(error(
                path,
                text,
                span,
                format!("parameter `{name}`: a value must be a string, number, boolean or a list of them"),
            ));
        };
        out.insert(name, text_value);
    }
    Ok(out)
}

impl Config {
    /// What this config's `[[bind]]` entries bind the file at `path` to, if anything.
    pub fn binding_of(&self, path: &Path) -> Option<Binding> {
        if self.binds.is_empty() {
            return None;
        }
        let absolute = normalize(&std::path::absolute(path).ok()?);
        self.binds.get(&absolute).cloned()
    }
}

impl Config {
    /// The selectors `per-file-ignores` turns off for `path`.
    pub fn ignored_in(&self, path: &Path) -> Vec<&Selector> {
        if self.per_file_ignores.is_empty() {
            return Vec::new();
        }
        let Ok(absolute) = std::path::absolute(path) else {
            return Vec::new();
        };
        let absolute = normalize(&absolute);
        self.per_file_ignores
            .iter()
            .filter(|entry| entry.pattern.matches(&absolute) != entry.negated)
            .flat_map(|entry| &entry.ignore)
            .collect()
    }

    /// True when `exclude` matches a file or folder (a normalised absolute path).
    fn excluded_entry(&self, absolute: &Path) -> bool {
        self.exclude.iter().any(|p| p.matches(absolute))
    }

    /// Where a template is deployed: the first `[[stack]]` whose pattern matches the file.
    pub fn stack_of(&self, path: &Path) -> Option<StackFacts> {
        if self.stacks.is_empty() {
            return None;
        }
        let absolute = normalize(&std::path::absolute(path).ok()?);
        self.stacks.get(&absolute).cloned()
    }
}
