//! XA406 canned-acl-vs-owner-enforced: a canned ACL on a bucket whose ACLs are disabled.

use crate::registry::{declare_rule, Check};
use crate::rules::{has_variable, WorkspaceContext};
use crate::Diagnostic;

declare_rule!(
    "XA406",
    "canned-acl-vs-owner-enforced",
    Error,
    "A canned ACL other than bucket-owner-full-control on a bucket whose ownership is BucketOwnerEnforced (AccessControlListNotSupported).",
    Check::Workspace(check)
);

fn check(cx: &WorkspaceContext<'_>, out: &mut Vec<Diagnostic>) {
    for unit in &cx.workspace.pipelines {
        for (_, _, action) in unit.doc.pipeline.actions() {
            if !(action.is("AWS", "S3") && action.category() == "Deploy") {
                continue;
            }
            let (Some(bucket), Some(acl)) =
                (action.config("BucketName"), action.config("CannedACL"))
            else {
                continue;
            };
            // A variable's ACL is known only at run time.
            if acl.value == "bucket-owner-full-control" || has_variable(&acl.value) {
                continue;
            }
            let Some(setting) = cx.workspace.ownership.iter().find(|o| {
                o.bucket.as_deref() == Some(bucket.value.as_str())
                    && o.ownership.value == "BucketOwnerEnforced"
            }) else {
                continue;
            };
            out.push(
                cx.diag(&RULE, unit.file, acl.span, format!(
                    "S3 deploy action `{}` sets the canned ACL `{}` on `{}`, whose ACLs are disabled (BucketOwnerEnforced): S3 rejects the upload with AccessControlListNotSupported",
                    action.display_name(),
                    acl.value,
                    bucket.value
                ))
                .label_in(setting.file, setting.ownership.span, "ACLs are disabled here")
                .help("remove `CannedACL` (the bucket owner owns every object already), or set it to `bucket-owner-full-control`"),
            );
        }
    }
}
