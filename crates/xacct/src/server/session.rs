//! The loaded workspace of a server session: every file's source and per-file result kept
//! between edits, so that a change loads the changed file alone and runs the workspace phase
//! again over the others' loaded documents (copied, not read or parsed again).

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use xacct_graph::{Footprint, TrustGraph};
use xacct_input::Gate;
use xacct_model::workspace::{Binding, Workspace};
use xacct_rules::engine::{self, FileSide, GraphFrom, LoadedFile};
use xacct_rules::{Diagnostic, LintOptions};
use xacct_syntax::{FileId, SourceFile};

use crate::config::ConfigSet;
use crate::discover::Candidate;
use crate::inputs::{buffer_candidate, prepare_with, InputArgs};
use crate::lint::{self, LintRun, LintedFile};
use crate::{select, Trouble};

/// What a server knows of its workspace.
pub struct Session {
    /// The workspace folders, absolute: the lint roots.
    pub roots: Vec<PathBuf>,
    gate: Gate,
    bindings: HashMap<FileId, Binding>,
    options: LintOptions,
    /// The configs of the files.
    pub configs: ConfigSet,
    /// Each file's path as linted (absolute: the roots are), by [`FileId`].
    paths: Vec<PathBuf>,
    explicit: Vec<bool>,
    by_path: HashMap<PathBuf, usize>,
    /// Each file's text (as on disk, or the editor's buffer), by [`FileId`].
    sources: Vec<SourceFile>,
    /// Each file's per-file result, documents included: what a whole workspace phase starts
    /// from (an edit that cannot be swapped into the last workspace).
    loaded: Vec<LoadedFile>,
    /// What the last run kept of each file besides its workspace units.
    sides: Vec<FileSide>,
    /// The editor's buffers of open files, by absolute path.
    buffers: HashMap<PathBuf, String>,
    /// The files whose buffer changed (or closed) since the last run.
    pending: std::collections::BTreeSet<usize>,
    /// A changed file links to others: the next run loads everything again.
    relink: bool,
    /// The last run's findings (its files' texts are empty: [`Session::source`] has them,
    /// except for broken configs added after the files).
    pub run: LintRun,
    /// The last run's workspace: what hover and definition answer from.
    pub workspace: Workspace,
    /// The last run's trust graph: a change asks again only what it may move.
    graph: TrustGraph,
    /// How many pipelines the last workspace phase asked again (all of them after a reload).
    pub last_asked: usize,
    /// Whether the last workspace phase swapped the changed files into the last run's
    /// workspace (rather than assembling it from every file's documents).
    pub last_swapped: bool,
    /// How long the last workspace phase took.
    pub last_check: Duration,
    /// How long the last load took: of the changed file alone, or of the whole workspace
    /// (walk, configs, reads and per-file phase) after a reload.
    pub last_load: Duration,
    /// How many files the last load loaded.
    pub last_loaded: usize,
    /// How long copying the loaded documents for the last workspace phase took (part of
    /// [`Session::last_check`]).
    pub last_copy: Duration,
}

impl Session {
    /// Finds, reads and lints every file under `roots`, as `xacct lint ROOTS...` would, with
    /// `buffers` standing for the files they name.
    pub fn load(
        roots: Vec<PathBuf>,
        buffers: HashMap<PathBuf, String>,
    ) -> Result<Session, Vec<Trouble>> {
        let args = InputArgs {
            paths: roots.clone(),
            stdin_filename: None,
            region: None,
            include: Vec::new(),
            exclude: Vec::new(),
            threads: None,
            config: None,
            changed: false,
        };
        let overlay: std::collections::BTreeMap<PathBuf, String> = buffers
            .iter()
            .map(|(p, t)| (p.clone(), t.clone()))
            .collect();
        let started = Instant::now();
        let prepared = prepare_with(&args, false, &overlay)?;
        let paths: Vec<PathBuf> = prepared.files.iter().map(|c| c.path.clone()).collect();
        let explicit = prepared.files.iter().map(|c| c.explicit).collect();
        let by_path = paths
            .iter()
            .enumerate()
            .map(|(i, p)| (crate::paths::absolute(p), i))
            .collect();
        let (sources, loaded) = lint::load_files(&prepared.gate, prepared.files, &prepared.options);
        let mut session = Session {
            roots,
            gate: prepared.gate,
            bindings: prepared.bindings,
            options: prepared.options,
            configs: prepared.configs,
            paths,
            explicit,
            by_path,
            sources,
            loaded,
            sides: Vec::new(),
            buffers,
            pending: Default::default(),
            relink: false,
            run: LintRun::default(),
            workspace: Workspace::default(),
            graph: TrustGraph::empty(),
            last_asked: 0,
            last_swapped: false,
            last_check: Duration::ZERO,
            last_load: started.elapsed(),
            last_loaded: 0,
            last_copy: Duration::ZERO,
        };
        session.last_loaded = session.loaded.len();
        session.check(None);
        Ok(session)
    }

    /// The file at `path` (absolute), if it is one of the run's.
    pub fn file_of(&self, path: &Path) -> Option<FileId> {
        self.by_path.get(path).map(|&i| FileId(i as u32))
    }

    /// The text of a file of the run (a broken config's included).
    pub fn source(&self, file: FileId) -> Option<&SourceFile> {
        let i = file.0 as usize;
        self.sources
            .get(i)
            .or_else(|| self.run.files.get(i).map(|f| &f.source))
    }

    /// The absolute path of a file of the run.
    pub fn path(&self, file: FileId) -> Option<PathBuf> {
        self.source(file).map(|s| crate::paths::absolute(s.path()))
    }

    /// Every file of the last run with its findings.
    pub fn findings(&self) -> impl Iterator<Item = (FileId, &[Diagnostic])> {
        self.run
            .files
            .iter()
            .enumerate()
            .map(|(i, f)| (FileId(i as u32), f.diagnostics.as_slice()))
    }

    /// True when a change to this file must be seen by other files' loading, not only by
    /// the workspace phase: Terraform files are evaluated together, and templates that export,
    /// import or nest hand each other values before they load. Such a change reloads the run.
    fn links(path: &Path, text: &str) -> bool {
        xacct_input::terraform::is_terraform_path(path)
            || xacct_input::cfn::stacks::may_link(text)
            || path.file_name().is_some_and(|n| n == "manifest.json")
    }

    /// The editor opened or changed a file: its buffer stands for it from now on, linted at
    /// the next [`Session::flush`]. Returns whether the run must change: false when the text
    /// is the one it has already, or when the file is none of the run's (outside the roots,
    /// excluded, or not found by the walk): nothing is read then.
    pub fn set_buffer(&mut self, path: &Path, text: String) -> bool {
        let Some(&i) = self.by_path.get(path) else {
            return false;
        };
        let current = match self.buffers.get(path) {
            Some(buffer) => buffer.as_str(),
            None => self.sources[i].text(),
        };
        // An open of an unchanged file, or a change that changes nothing: nothing to do.
        if current == text {
            self.buffers.insert(path.to_path_buf(), text);
            return false;
        }
        self.relink |= Self::links(path, &text) || Self::links(path, current);
        self.buffers.insert(path.to_path_buf(), text);
        self.pending.insert(i);
        true
    }

    /// The editor closed a file: the disk's content stands for it again (read through the
    /// gate at the next [`Session::flush`]).
    pub fn drop_buffer(&mut self, path: &Path) -> bool {
        let Some(old) = self.buffers.remove(path) else {
            return false;
        };
        let Some(&i) = self.by_path.get(path) else {
            return false;
        };
        self.relink |= Self::links(path, &old) || Self::links(path, self.sources[i].text());
        self.pending.insert(i);
        true
    }

    /// True when buffers changed since the last run.
    pub fn is_pending(&self) -> bool {
        self.relink || !self.pending.is_empty()
    }

    /// Lints what changed since the last run: each changed file loaded again (from its buffer,
    /// or the disk once closed), then one workspace phase over all; or, when a changed file
    /// links to others, the whole run again. Edits that come faster than a run are linted
    /// together. Returns whether anything ran.
    pub fn flush(&mut self) -> bool {
        if self.relink {
            self.reload();
            return true;
        }
        if self.pending.is_empty() {
            return false;
        }
        let started = Instant::now();
        let pending = std::mem::take(&mut self.pending);
        self.last_loaded = pending.len();
        // What the changed files held before: the graph asks again only the pipelines that
        // mention it (or what they hold now).
        let before: Vec<Footprint> = pending
            .iter()
            .map(|&i| Footprint::of(&self.workspace, FileId(i as u32)))
            .collect();
        let mut changed = Vec::with_capacity(pending.len());
        for i in pending {
            let candidate = self.candidate(i);
            let (source, loaded) =
                lint::load_file(&self.gate, FileId(i as u32), candidate, &self.options);
            self.sources[i] = source;
            self.loaded[i] = loaded.clone();
            changed.push(loaded);
        }
        self.last_load = started.elapsed();
        self.update(changed, &before);
        true
    }

    /// The workspace phase after an edit: the changed files' pipelines and policies swapped
    /// into the last run's workspace and only what they may move asked again; else (other
    /// units changed, or their number) the whole phase over every file's documents, the
    /// graph still updated.
    fn update(&mut self, changed: Vec<LoadedFile>, before: &[Footprint]) {
        let started = Instant::now();
        let workspace = std::mem::take(&mut self.workspace);
        let sides = std::mem::take(&mut self.sides);
        let previous = std::mem::replace(&mut self.graph, TrustGraph::empty());
        let bounds_before = workspace.has_bounds();
        let updated = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            engine::check_update(
                workspace,
                sides,
                changed,
                &self.bindings,
                &self.options,
                &previous,
            )
        }));
        match updated {
            Ok(Ok(checked)) => {
                self.last_copy = Duration::ZERO;
                self.take(checked, started);
                self.last_swapped = true;
            }
            Ok(Err(workspace)) => {
                // Freed on a thread of its own (a third of an edit's time otherwise); when
                // the thread cannot start, the closure, and the workspace with it, is
                // dropped here.
                let _ = std::thread::Builder::new()
                    .name("xacct-free".to_string())
                    .spawn(move || drop(workspace));
                self.check(Some((&previous, before, bounds_before)));
            }
            // A bug: the whole phase, which reports its own failure as a finding.
            Err(_) => self.check(None),
        }
    }

    /// Finds, reads and lints everything again (a config changed, files that link, files
    /// changed on disk), the open buffers standing for their files. When the run cannot start
    /// (its config became unusable), the last run stays, with the buffers.
    pub fn reload(&mut self) {
        match Session::load(self.roots.clone(), self.buffers.clone()) {
            Ok(session) => *self = session,
            Err(troubles) => {
                self.relink = false;
                for trouble in troubles {
                    eprintln!("xacct server: {}", crate::escape::line(&trouble.message));
                }
            }
        }
    }

    /// What to load file `i` from: the editor's buffer, else the disk through the gate.
    fn candidate(&self, i: usize) -> Candidate {
        let path = self.paths[i].clone();
        let mut candidate = match self.buffers.get(&crate::paths::absolute(&path)) {
            Some(text) => buffer_candidate(path, text.as_bytes(), &self.configs),
            None => Candidate {
                path,
                explicit: false,
                error: None,
                bytes: None,
                from_stdin: false,
                canonical: None,
            },
        };
        candidate.explicit = self.explicit[i];
        candidate
    }

    /// The workspace phase over every file's loaded documents (copied: they stay for the
    /// next), the graph updated from `previous` when given (the last run's graph, what the
    /// changed files held in its workspace, whether it had bounds).
    fn check(&mut self, previous: Option<(&TrustGraph, &[Footprint], bool)>) {
        let started = Instant::now();
        self.last_swapped = false;
        let loaded = self.loaded.clone();
        self.last_copy = started.elapsed();
        let from = match previous {
            Some((previous, before, bounds_before)) => GraphFrom::Update {
                previous,
                before,
                bounds_before,
            },
            None => GraphFrom::Tracked,
        };
        let checked = lint::check_loaded(loaded, &self.bindings, &self.options, from);
        self.take(checked, started);
    }

    /// Keeps a workspace phase's result, then does what `xacct lint` does after it: broken
    /// configs, account names, the configs' rule selection and severities.
    fn take(&mut self, checked: engine::Checked, started: Instant) {
        let files = checked
            .reports
            .into_iter()
            .zip(&self.paths)
            .map(|(report, path)| LintedFile {
                source: SourceFile::new(path, String::new()),
                diagnostics: report.diagnostics,
                suppressed: report.suppressed,
                outcome: report.outcome,
            })
            .collect();
        let mut run = LintRun {
            files,
            ..LintRun::default()
        };
        lint::add_broken_configs(&mut run, self.configs.broken());
        lint::name_accounts(&mut run, &self.configs, &self.roots);
        select::apply(&mut run, &self.configs, &select::Layer::default());
        self.run = run;
        self.workspace = checked.workspace;
        self.sides = checked.sides;
        self.last_asked = checked.graph.asked();
        self.graph = checked.graph;
        self.last_check = started.elapsed();
    }
}
