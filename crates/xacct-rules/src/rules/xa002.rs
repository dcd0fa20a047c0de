//! XA002 duplicate-key: an object holds the same key twice.

use xacct_syntax::json::DuplicateKey;
use xacct_syntax::FileId;

use crate::registry::{declare_rule, Check};
use crate::Diagnostic;

declare_rule!(
    "XA002",
    "duplicate-key",
    Error,
    "An object holds the same key twice; the later value silently replaces the earlier one.",
    Check::Input
);

/// A duplicated key: the primary span is the later key (whose value wins).
pub fn from_duplicate(file: FileId, duplicate: &DuplicateKey) -> Diagnostic {
    Diagnostic::new(
        &RULE,
        file,
        duplicate.second,
        format!(
            "key `{}` appears twice in this object; AWS tools keep only this later value",
            duplicate.key
        ),
    )
    .label(
        duplicate.first,
        "first occurrence: its value is silently ignored",
    )
    .help(format!(
        "keep one `{}`: delete the occurrence you do not mean",
        duplicate.key
    ))
}
