//! XA002 duplicate-key: an object holds the same key twice.
//!
//! Reported by `xacct-input` while parsing: the primary span is the later key (whose value
//! wins), a label marks the first.

use crate::registry::{declare_rule, Check};

declare_rule!(
    "XA002",
    "duplicate-key",
    Error,
    "An object holds the same key twice; the later value silently replaces the earlier one.",
    Check::Input
);
