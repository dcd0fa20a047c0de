//! XA000 internal-error: xacct itself failed on a file.
//!
//! The last net: each file's work runs under `catch_unwind`, and a panic becomes this finding
//! on the file instead of the end of the run. No known input reaches it (the hostile-input
//! corpus and the fuzz targets check that); when one does, it is a bug to report.

use crate::registry::{declare_rule, Check};

declare_rule!(
    "XA000",
    "internal-error",
    Error,
    "xacct itself failed on a file (a bug): the file's other findings are missing.",
    Check::Input
);
