//! The loaded workspace of a server session: every file's source and per-file result kept
//! between edits, so that a change loads the changed file alone and runs the workspace phase
//! again over the others' loaded documents (copied, not read or parsed again).

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};

use xacct_graph::{Footprint, TrustGraph};
use xacct_input::Gate;
use xacct_model::workspace::{Binding, Workspace};
use xacct_rules::engine::{GraphFrom, LoadedFile};
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
    /// Each file's per-file result, documents included: what every workspace phase starts
    /// from. Shared with the thread that copies it ahead of the next run.
    loaded: Arc<Vec<LoadedFile>>,
    /// A copy of `loaded` being made in the background after each run: the workspace phase
    /// consumes its documents, and copying them is a fifth of an edit's time, better spent
    /// while the editor is idle.
    spare: Option<std::thread::JoinHandle<Vec<LoadedFile>>>,
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
            loaded: Arc::new(loaded),
            spare: None,
            buffers,
            pending: Default::default(),
            relink: false,
            run: LintRun::default(),
            workspace: Workspace::default(),
            graph: TrustGraph::empty(),
            last_asked: 0,
            last_check: Duration::ZERO,
            last_load: started.elapsed(),
            last_loaded: 0,
            last_copy: Duration::ZERO,
        };
        session.last_loaded = session.loaded.len();
        session.check(None, None);
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
        // The copy made since the last run, if it is done (else it is waited for: it is
        // needed now). Its thread has let go of `loaded` once joined.
        let mut spare = self.spare.take().and_then(|copying| copying.join().ok());
        for i in pending {
            let candidate = self.candidate(i);
            let (source, loaded) =
                lint::load_file(&self.gate, FileId(i as u32), candidate, &self.options);
            self.sources[i] = source;
            if let Some(copy) = spare.as_mut().and_then(|copy| copy.get_mut(i)) {
                *copy = loaded.clone();
            }
            Arc::make_mut(&mut self.loaded)[i] = loaded;
        }
        self.last_load = started.elapsed();
        self.check(Some(&before), spare);
        true
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

    /// The workspace phase over every file's loaded documents, then what `xacct lint` does
    /// after it: broken configs, account names, the configs' rule selection and severities.
    /// With `changed` (what the files changed since the last run held then), the last run's
    /// graph is updated rather than built again.
    fn check(&mut self, changed: Option<&[Footprint]>, spare: Option<Vec<LoadedFile>>) {
        let started = Instant::now();
        let loaded = match spare {
            Some(copy) if copy.len() == self.loaded.len() => copy,
            _ => self.loaded.as_ref().clone(),
        };
        self.last_copy = started.elapsed();
        let previous = std::mem::replace(&mut self.graph, TrustGraph::empty());
        let from = match changed {
            Some(before) => GraphFrom::Update {
                previous: &previous,
                before,
                bounds_before: self.workspace.has_bounds(),
            },
            None => GraphFrom::Fresh { draw: false },
        };
        let checked = lint::check_loaded(loaded, &self.bindings, &self.options, from);
        drop(previous);
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
        let old = std::mem::replace(&mut self.workspace, checked.workspace);
        self.last_asked = checked.graph.asked();
        self.graph = checked.graph;
        self.last_check = started.elapsed();
        // Freeing the last workspace (a third of an edit's time) and copying the documents
        // for the next run happen after the diagnostics are out, on threads of their own; where
        // the system refuses a thread, the copy is made when needed.
        // (When the thread cannot start, the closure, and the workspace with it, is dropped
        // here.)
        let _ = std::thread::Builder::new()
            .name("xacct-free".to_string())
            .spawn(move || drop(old));
        let kept = Arc::clone(&self.loaded);
        self.spare = std::thread::Builder::new()
            .name("xacct-copy".to_string())
            .spawn(move || kept.as_ref().clone())
            .ok();
    }
}
