//! XA405 s3-deploy-object-ownership: an S3 deploy action uploads into another account's bucket
//! as a foreign principal, without `bucket-owner-full-control`.

use crate::registry::{declare_rule, Check};
use crate::rules::{has_variable, WorkspaceContext};
use crate::Diagnostic;

declare_rule!(
    "XA405",
    "s3-deploy-object-ownership",
    Warning,
    "An S3 deploy action writes into a bucket of another account without a role in that account and without CannedACL bucket-owner-full-control.",
    Check::Workspace(check)
);

fn check(cx: &WorkspaceContext<'_>, out: &mut Vec<Diagnostic>) {
    for unit in &cx.workspace.pipelines {
        for (s, a, action) in unit.doc.pipeline.actions() {
            if !(action.is("AWS", "S3") && action.category() == "Deploy") {
                continue;
            }
            let Some(bucket) = action
                .config("BucketName")
                .filter(|b| !has_variable(&b.value))
            else {
                continue;
            };
            let (Some(bucket_account), Some(runs_in)) = (
                cx.workspace.bucket_account(&bucket.value),
                &unit.accounts.of(s, a).account,
            ) else {
                continue;
            };
            if bucket_account == runs_in.value {
                continue;
            }
            if action
                .config("CannedACL")
                .is_some_and(|acl| acl.value == "bucket-owner-full-control")
            {
                continue;
            }
            // With BucketOwnerEnforced the bucket owner owns every object: nothing to fix here.
            let enforced = cx.workspace.ownership.iter().any(|o| {
                o.bucket.as_deref() == Some(bucket.value.as_str())
                    && o.ownership.value == "BucketOwnerEnforced"
            });
            if enforced {
                continue;
            }
            out.push(
                cx.diag(&RULE, unit.file, bucket.span, format!(
                    "S3 deploy action `{}` uploads into `{}`, a bucket of account {bucket_account}, from account {}: the objects stay owned by account {}, and the bucket's account cannot read them",
                    action.display_name(),
                    bucket.value,
                    runs_in.value,
                    runs_in.value
                ))
                .label_opt_in(unit.file, runs_in.origin.span(), format!("the action runs in account {}", runs_in.value))
                .help(format!(
                    "give the action a `roleArn` in account {bucket_account} (as the Scale Factory example does), or add `\"CannedACL\": \"bucket-owner-full-control\"` to its configuration, or set the bucket's Object Ownership to BucketOwnerEnforced"
                )),
            );
        }
    }
}
