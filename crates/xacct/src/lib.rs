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
pub mod graph_cmd;
pub mod init;
pub mod inputs;
pub mod lint;
pub mod paths;
pub mod patterns;
pub mod pool;
pub mod render;
pub mod select;
pub mod stacks;

/// Exit statuses: a contract for CI scripts (README, "Exit status").
pub const EXIT_CLEAN: u8 = 0;
/// Findings at or above `--fail-on`.
pub const EXIT_FINDINGS: u8 = 1;
/// The run could not start.
pub const EXIT_TROUBLE: u8 = 2;

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
}
