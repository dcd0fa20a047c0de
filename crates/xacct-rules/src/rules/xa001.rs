//! XA001 parse-error: a file cannot be read or parsed.
//!
//! Reported by `xacct-input` while reading (undecodable bytes, a syntax error, a byte-order
//! mark, a file that is not regular or lies outside the lint roots); the engine turns each
//! such issue into this rule's finding.

use crate::registry::{declare_rule, Check};

declare_rule!(
    "XA001",
    "parse-error",
    Error,
    "A file cannot be read or parsed as JSON.",
    Check::Input
);
