//! XA006 cannot-evaluate: with `--strict`, a value xacct cannot evaluate, so the checks that
//! need it stay silent.
//!
//! Reported by `xacct-input` while loading (an intrinsic function whose result only
//! CloudFormation knows, such as `Fn::Transform`); shown only with `--strict`, as XA004 is.

use crate::registry::{declare_rule, Check};

declare_rule!(
    "XA006",
    "cannot-evaluate",
    Info,
    "With --strict: a value xacct cannot evaluate (such as a policy built by Fn::Transform), so the checks that need it stay unknown.",
    Check::Input
);
