//! The xacct command line as a library: discovery, configs, the run over all files, output
//! formats, baselines, `init`, `graph`. `main.rs` parses the arguments and calls in here; the
//! fuzz targets read configs and baselines through it.

pub mod access;
pub mod baseline;
pub mod changed;
pub mod config;
pub mod discover;
pub mod escape;
pub mod fingerprint;
pub mod fix;
pub mod graph_cmd;
pub mod init;
pub mod inputs;
pub mod lint;
pub mod paths;
pub mod patterns;
pub mod pool;
pub mod render;
pub mod select;
pub mod server;
pub mod stacks;

/// Exit statuses: a contract for CI scripts (README, "Exit status").
pub const EXIT_CLEAN: u8 = 0;
/// Findings at or above `--fail-on`.
pub const EXIT_FINDINGS: u8 = 1;
/// The run could not start.
pub const EXIT_TROUBLE: u8 = 2;

/// A reason the run could not start (exit status 2): said on standard error, and in a SARIF
/// log as a tool execution notification.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Trouble {
    /// What is wrong (unescaped: each output escapes it).
    pub message: String,
    /// The file it is in, if any (a config, a baseline).
    pub path: Option<std::path::PathBuf>,
    /// Line and column (1-based, characters) in that file.
    pub at: Option<(u32, u32)>,
}

impl Trouble {
    /// A trouble with no place.
    pub fn plain(message: impl Into<String>) -> Trouble {
        Trouble {
            message: message.into(),
            path: None,
            at: None,
        }
    }

    /// Every mistake of a config, each at its place.
    pub fn of_config(error: &config::ConfigError) -> Vec<Trouble> {
        std::iter::once(error)
            .chain(error.more.iter())
            .map(|e| {
                let file = xacct_syntax::SourceFile::new(&e.path, e.text.clone());
                let at = (!e.text.is_empty()).then(|| {
                    let at = file.line_col(e.span.start.min(e.text.len()) as u32);
                    (at.line, at.column)
                });
                Trouble {
                    message: format!("invalid config: {}", e.message),
                    path: Some(e.path.clone()),
                    at,
                }
            })
            .collect()
    }
}

/// Everything a command needs before linting: the files, their bindings, the options.
pub struct Prepared {
    /// What may be read: the lint roots.
    pub gate: xacct_input::Gate,
    /// The files to read.
    pub files: Vec<discover::Candidate>,
    /// What files govern, from the config.
    pub bindings: std::collections::HashMap<xacct_syntax::FileId, xacct_model::workspace::Binding>,
    /// Lint options.
    pub options: xacct_rules::LintOptions,
    /// With `--changed`: the files read only for context, whose own findings are not reported.
    pub companions: std::collections::HashSet<xacct_syntax::FileId>,
    /// The configs of the files (rule selection and severities are applied after the run).
    pub configs: config::ConfigSet,
    /// What the walk left out and why (`-v` and `--strict` say it).
    pub skipped: Vec<(std::path::PathBuf, discover::SkipReason)>,
    /// How long the walk, the configs and reading took (`--timings`).
    pub phases: xacct_rules::Phases,
}
