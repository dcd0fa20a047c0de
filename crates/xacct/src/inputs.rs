//! What `lint`, `graph` and `access` read: the paths and options that pick the files, and
//! [`prepare`], which checks them and the configs and finds the files.

use std::path::{Path, PathBuf};

use crate::{changed, config, discover, escape, pool, render, stacks, Prepared, Trouble};

/// What to read: shared by `lint`, `graph` and `access`.
#[derive(clap::Args)]
pub struct InputArgs {
    /// Files or folders to read (folders are walked for `*.json`, `*.yaml`, `*.yml`,
    /// `*.template`, `*.tf` and `*.tfvars`); `-` reads standard input (see `--stdin-filename`).
    #[arg(default_value = ".")]
    pub paths: Vec<PathBuf>,
    /// The name of the file read from standard input (`-`): its kind, its config, its
    /// excludes and the path shown are this file's, as if it were on disk there.
    #[arg(long, value_name = "NAME")]
    pub stdin_filename: Option<PathBuf>,
    /// The pipeline region, for files that do not say (a `get-pipeline` output's ARN does).
    #[arg(long)]
    pub region: Option<String>,
    /// Read only files whose path matches one of these globs (when walking folders).
    #[arg(long, value_name = "GLOB")]
    pub include: Vec<String>,
    /// Skip files and folders whose path matches one of these globs.
    #[arg(long, value_name = "GLOB")]
    pub exclude: Vec<String>,
    /// Worker threads for reading, parsing and checking files (default: one per core, at
    /// most 256). Output is the same whatever the number.
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u16).range(1..=pool::MAX_THREADS as i64))]
    pub threads: Option<u16>,
    /// The config file for every file (default: for each file, the nearest `xacct.toml` in its
    /// folder or above, else the one of the current folder).
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// The paths are changed files (as pre-commit passes them): lint each with the other files
    /// under the folder of its `xacct.toml`, report only findings that involve a named file, and
    /// skip a named file that is no document xacct knows.
    #[arg(long)]
    pub changed: bool,
}

impl InputArgs {
    /// The worker threads to start: `--threads`, else one when the run reads one small file
    /// alone (one path, standard input or a file below a megabyte, not `--changed`: an
    /// editor's buffer, a hook's single file), else one per core. One file is loaded on one
    /// thread whatever the pool, and for a small one starting a second costs more than it can
    /// save (a third of a millisecond of the 3 ms a cold run takes: the thread, its stack and
    /// its allocator cache). A large file (an account's `get-pipeline` outputs in one list, a
    /// plan) keeps the pool: its pipelines' questions and rules run in parallel.
    pub fn worker_threads(&self) -> Option<u16> {
        let one_file = match self.paths.as_slice() {
            [path] if path.as_os_str() == "-" => true,
            [path] => std::fs::metadata(path).is_ok_and(|m| m.is_file() && m.len() < 1 << 20),
            _ => false,
        };
        self.threads.or((one_file && !self.changed).then_some(1))
    }
}

/// Checks the arguments and the configs and finds the files; what is wrong when the run
/// cannot start (a bad argument, or the run's own config is unreadable or invalid: every
/// mistake in it), said on standard error already. A path that does not exist, a broken file
/// or a broken sub-project config is a finding instead.
pub fn prepare(input: &InputArgs, strict: bool) -> Result<Prepared, Vec<Trouble>> {
    prepare_with(input, strict, &Default::default())
}

/// [`prepare`], with some files' text given: they are read from `overrides` rather than disk,
/// by everything that reads them (stacks and Terraform configurations linked across files
/// included), as standard input stands for the file `--stdin-filename` names. `--fix` lints
/// its fixed text again before writing it; `xacct server` lints an editor's unsaved buffers.
/// A key is a path as found or made absolute; a text naming no found file is not linted.
pub fn prepare_with(
    input: &InputArgs,
    strict: bool,
    overrides: &std::collections::BTreeMap<PathBuf, String>,
) -> Result<Prepared, Vec<Trouble>> {
    let filter = discover::Filter::new(&input.include, &input.exclude).map_err(|e| {
        eprintln!("error: {}", escape::line(&e.to_string()));
        vec![Trouble::plain(e.to_string())]
    })?;
    if let Some(region) = input
        .region
        .as_deref()
        .filter(|r| !xacct_model::arn::is_region_name(r))
    {
        let message = format!("--region `{region}` is not an AWS region name (e.g. us-east-1)");
        eprintln!("error: {}", escape::line(&message));
        return Err(vec![Trouble::plain(message)]);
    }
    let stdin = Path::new("-");
    let stdin_name = match (
        &input.stdin_filename,
        input.paths.iter().any(|p| p == stdin),
    ) {
        (Some(name), true) => Some(name.clone()),
        (None, true) => Some(stdin.to_path_buf()),
        (Some(_), false) => {
            let message =
                "--stdin-filename names the file read from standard input: add the path `-`";
            eprintln!("error: {message}");
            return Err(vec![Trouble::plain(message)]);
        }
        (None, false) => None,
    };
    let paths: Vec<PathBuf> = input
        .paths
        .iter()
        .filter(|p| p.as_path() != stdin)
        .cloned()
        .collect();
    let mut since = std::time::Instant::now();
    let mut phases = xacct_rules::Phases::default();
    let mut discovered = discover::discover(&paths, &filter);
    phases.mark("discover", &mut since);
    // Standard input stands for the file it names: found among the others (once), so that it
    // takes that file's config, and read only once that config says how much may be read. It
    // is linted as a found file: an editor hands every JSON and YAML buffer, and one that is
    // no AWS document is skipped silently.
    let stdin_at = stdin_name.as_ref().map(|name| {
        discovered
            .files
            .retain(|c| crate::paths::absolute(&c.path) != crate::paths::absolute(name));
        discovered.files.push(discover::Candidate {
            path: name.clone(),
            explicit: false,
            error: None,
            bytes: None,
            from_stdin: true,
            canonical: None,
        });
        discovered.files.len() - 1
    });
    // What may be read: below each folder named, and beside each file named.
    let mut gate = xacct_input::Gate::new();
    for path in &paths {
        gate.add_named(path);
    }
    let mut companions = if input.changed {
        changed::add_companions(
            &mut gate,
            &mut discovered.files,
            input.config.as_deref(),
            &filter,
        )
    } else {
        Default::default()
    };
    let mut configs =
        config::ConfigSet::load(input.config.as_deref(), &discovered.files).map_err(|e| {
            render::text::config_error(&e);
            Trouble::of_config(&e)
        })?;
    if let (Some(at), Some(name)) = (stdin_at, &stdin_name) {
        // Excluded by `--exclude` or the config, as the file it names would be when walked:
        // nothing is linted (editors pass every buffer).
        if filter.excluded(name) || configs.excludes(name) {
            discovered.files.remove(at);
        } else {
            let limit = configs.of(name).map_or_else(
                || xacct_input::Limits::default().file_size,
                |c| c.limits.file_size,
            );
            // Past the limit, the lint says so (XA005) as for a file.
            match xacct_input::gate::read_stdin(limit) {
                Ok(bytes) => discovered.files[at].bytes = Some(bytes),
                Err(e) => discovered.files[at].error = Some(e),
            }
        }
    }
    configs.drop_excluded(&mut discovered.files, &mut companions);
    configs.drop_broken(&mut discovered.files, &mut companions);
    if !overrides.is_empty() {
        for candidate in &mut discovered.files {
            let text = overrides
                .get(&candidate.path)
                .or_else(|| overrides.get(&crate::paths::absolute(&candidate.path)));
            if let Some(text) = text {
                take_buffer(candidate, text.as_bytes(), &configs);
            }
        }
    }
    phases.mark("configs", &mut since);
    let settings = stacks::settings(
        &gate,
        &mut discovered.files,
        &configs,
        input.region.as_deref(),
    );
    let options = xacct_rules::LintOptions {
        input: xacct_input::Options {
            region: input.region.clone(),
            files: settings,
        },
        strict,
        // Named per file after the run (`lint::name_accounts`): one setup's names must not
        // reach another's messages.
        account_names: Vec::new(),
    };
    let paths: Vec<_> = discovered
        .files
        .iter()
        .enumerate()
        .map(|(i, c)| (xacct_syntax::FileId(i as u32), c.path.as_path()))
        .collect();
    let bindings = configs.bindings(&paths);
    phases.mark("read", &mut since);
    Ok(Prepared {
        phases,
        gate,
        skipped: discovered.skipped,
        files: discovered.files,
        bindings,
        options,
        companions,
        configs,
    })
}

/// The candidate for a file whose bytes are given (an editor's buffer): see [`take_buffer`].
pub fn buffer_candidate(
    path: PathBuf,
    bytes: &[u8],
    configs: &config::ConfigSet,
) -> discover::Candidate {
    let mut candidate = discover::Candidate {
        path,
        explicit: false,
        error: None,
        bytes: None,
        from_stdin: true,
        canonical: None,
    };
    take_buffer(&mut candidate, bytes, configs);
    candidate
}

/// Makes `bytes` stand for the candidate's file, held to the size limit of its config by the
/// gate's bounded read (past it, an XA005 finding as for a file). As standard input's, the
/// text cannot be read again: the file on disk holds another (until `--fix` writes it, or the
/// editor saves it).
fn take_buffer(candidate: &mut discover::Candidate, bytes: &[u8], configs: &config::ConfigSet) {
    let limit = configs.of(&candidate.path).map_or_else(
        || xacct_input::Limits::default().file_size,
        |c| c.limits.file_size,
    );
    match xacct_input::gate::read_buffer(bytes, limit) {
        Ok(bytes) => {
            candidate.bytes = Some(bytes);
            candidate.error = None;
        }
        Err(e) => {
            candidate.bytes = None;
            candidate.error = Some(e);
        }
    }
    candidate.from_stdin = true;
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::Parser;

    #[derive(Parser)]
    struct Args {
        #[command(flatten)]
        input: InputArgs,
    }

    fn threads(args: &[&str]) -> Option<u16> {
        Args::parse_from(std::iter::once("xacct").chain(args.iter().copied()))
            .input
            .worker_threads()
    }

    #[test]
    fn one_small_file_runs_on_one_worker_and_anything_larger_on_the_pool() {
        let dir = std::env::temp_dir().join(format!("xacct-threads-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let small = dir.join("small.json");
        std::fs::write(&small, "{}").unwrap();
        let large = dir.join("large.json");
        std::fs::write(&large, vec![b' '; 1 << 20]).unwrap();
        let (small, large, folder) = (
            small.to_str().unwrap(),
            large.to_str().unwrap(),
            dir.to_str().unwrap(),
        );
        assert_eq!(threads(&[small]), Some(1));
        assert_eq!(threads(&["-"]), Some(1));
        // `--threads` always wins.
        assert_eq!(threads(&["--threads", "3", small]), Some(3));
        assert_eq!(threads(&["--threads", "2", folder]), Some(2));
        // One per core: a folder, two files, a file of a megabyte, `--changed` (the file
        // is linted with the rest of its setup), a path that does not exist.
        assert_eq!(threads(&[folder]), None);
        assert_eq!(threads(&[small, small]), None);
        assert_eq!(threads(&[large]), None);
        assert_eq!(threads(&["--changed", small]), None);
        assert_eq!(threads(&[&format!("{folder}/missing.json")]), None);
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
