//! XA008 invalid-config: a sub-project's `xacct.toml` cannot be used.
//!
//! The run's own config (`--config`, or the current folder's) must be valid for a run to start
//! (exit status 2); a config below it that is broken is this finding instead, on the config
//! file at the fault, and the files it governs are left out while the rest of the run goes on.

use crate::registry::{declare_rule, Check};

declare_rule!(
    "XA008",
    "invalid-config",
    Error,
    "A sub-project's xacct.toml cannot be read or is invalid; the files it governs are not linted, the rest of the run is.",
    Check::Input
);
