//! XA005 limit-exceeded: a file goes past a limit xacct keeps against hostile input.
//!
//! Reported by `xacct-input` while reading (file size, nesting, YAML alias expansion,
//! intrinsic evaluation steps); the finding names the limit and how to raise it.

use crate::registry::{declare_rule, Check};

declare_rule!(
    "XA005",
    "limit-exceeded",
    Error,
    "A file goes past a limit xacct keeps so that no input can exhaust memory, stack or time (size, nesting, alias expansion, intrinsic evaluation).",
    Check::Input
);
