//! XA405 s3-deploy-object-ownership: an S3 deploy action uploads into another account's bucket
//! as a foreign principal, without `bucket-owner-full-control`.

use crate::registry::{declare_rule, Check};
use crate::rules::{has_variable, WorkspaceContext};
use crate::{Diagnostic, Severity};

declare_rule!(
    "XA405",
    "s3-deploy-object-ownership",
    Error,
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
            let acl = action.config("CannedACL");
            // A variable's ACL is known only at run time.
            if acl.is_some_and(|acl| has_variable(&acl.value)) {
                continue;
            }
            let acl = acl.map(|acl| acl.value.as_str());
            if acl == Some("bucket-owner-full-control") {
                continue;
            }
            // With BucketOwnerEnforced the bucket owner owns every object: nothing to fix here.
            let setting = cx
                .workspace
                .ownership
                .iter()
                .find(|o| o.bucket.as_deref() == Some(bucket.value.as_str()));
            if setting.is_some_and(|o| o.ownership.value == "BucketOwnerEnforced") {
                continue;
            }
            // `bucket-owner-read` grants the bucket's account READ: only control is lost.
            let effect = if acl == Some("bucket-owner-read") {
                "; the bucket's account may read them (`bucket-owner-read`), but its bucket policy does not apply to them and it cannot manage their permissions"
            } else {
                ", and the bucket's account cannot read them"
            };
            // Without the bucket's ownership setting, S3's default since April 2023 may apply.
            let unless = if setting.is_none() {
                ", unless the bucket enforces bucket-owner ownership (BucketOwnerEnforced, the default for buckets created since April 2023)"
            } else {
                ""
            };
            // The blog: objects another account uploads stay its own, so a pipeline of the
            // bucket's account "won't be able to use the objects": a failure when the bucket is
            // known not to enforce ownership and the bucket's account gets no read; a warning
            // when its setting is not given or `bucket-owner-read` leaves it reading.
            let severity = if setting.is_none() || acl == Some("bucket-owner-read") {
                Severity::Warning
            } else {
                Severity::Error
            };
            let mut diag = cx
                .diag(&RULE, unit.file, bucket.span, format!(
                    "S3 deploy action `{}` uploads into `{}`, a bucket of account {bucket_account}, from account {}: the objects stay owned by account {}{effect}{unless}",
                    action.display_name(),
                    bucket.value,
                    runs_in.value,
                    runs_in.value,
                ))
                .label_opt_in(unit.file, runs_in.origin.span(), format!("the action runs in account {}", runs_in.value))
                .severity(severity);
            if let Some(setting) = setting {
                diag = diag.label_in(
                    setting.file,
                    setting.ownership.span,
                    format!("Object Ownership is {} here", setting.ownership.value),
                );
            }
            out.push(diag.help(format!(
                "give the action a `roleArn` in account {bucket_account} (as the Scale Factory example does), or add `\"CannedACL\": \"bucket-owner-full-control\"` to its configuration, or set the bucket's Object Ownership to BucketOwnerEnforced"
            )));
        }
    }
}
