//! XA407 source-put-object-acl: a cross-account CodeCommit source role may not set object ACLs.

use std::collections::HashSet;

use xacct_graph::EdgeKind;
use xacct_iam::Side;

use crate::registry::{declare_rule, Check};
use crate::rules::xa401::bucket_objects;
use crate::rules::PushAbout;
use crate::rules::{statement_json, WorkspaceContext};
use crate::Diagnostic;

declare_rule!(
    "XA407",
    "source-put-object-acl",
    Warning,
    "A cross-account CodeCommit source role lacks s3:PutObjectAcl on the artifact bucket.",
    Check::Workspace(check)
);

fn check(cx: &WorkspaceContext<'_>, out: &mut Vec<Diagnostic>) {
    let mut seen = HashSet::new();
    for (check_index, c) in cx.graph.checks_not_allowed_of(EdgeKind::CanPutAcl) {
        let cross = c.principal_account.is_some() && c.principal_account != c.resource_account;
        let Some(&first) = c.identity_policies.first() else {
            continue;
        };
        let denied = cx.identity_deny(
            &RULE,
            c,
            "set the ACL of the source output it uploads (S3 AccessDenied)",
        );
        if !cross || (denied.is_none() && !c.outcome.misses(Side::Identity)) {
            continue;
        }
        // With BucketOwnerEnforced ACLs are disabled and no longer affect permissions: the bucket
        // owner owns every object, whatever the uploader may set.
        let bucket = xacct_model::arn::s3_bucket(&c.resource);
        let enforced = cx.workspace.ownership.iter().any(|o| {
            o.bucket.as_deref() == Some(bucket) && o.ownership.value == "BucketOwnerEnforced"
        });
        if enforced || !seen.insert(c.principal.clone()) {
            continue;
        }
        if let Some(diag) = denied {
            out.push_about(check_index, diag);
            continue;
        }
        let (file, span) = cx
            .identity_anchor(&c.identity_policies, c.iam_action)
            .unwrap_or(cx.policy_anchor(first));
        let mut diag = cx.diag(&RULE, file, span, format!(
            "no policy of `{}` ({}) allows s3:PutObjectAcl on `{}`: CodePipeline's upload of the source output fails with S3 AccessDenied when the role cannot set the object's ACL",
            c.principal,
            cx.who(&c.need),
            bucket_objects(&c.resource)
        ));
        if let Some((file, span, text)) = cx.role_site(&c.need) {
            diag = diag.label_in(file, span, text);
        }
        out.push_about(
            check_index,
            diag.help(format!(
                "add to a policy of `{}` (as the walkthrough's cross-account role has): {}",
                c.principal,
                statement_json(
                    None,
                    &["s3:PutObjectAcl"],
                    Some(&bucket_objects(&c.resource))
                )
            ))
            .fix_opt(cx.add_statement(
                cx.identity_policy_for(&c.identity_policies, c.iam_action),
                "the role's policy",
                None,
                &["s3:PutObjectAcl"],
                Some(&bucket_objects(&c.resource)),
            )),
        );
    }
}
