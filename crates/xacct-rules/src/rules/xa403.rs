//! XA403 bucket-list-missing: the pipeline role or a cross-account role may not list the
//! artifact bucket.

use std::collections::HashSet;

use xacct_graph::EdgeKind;
use xacct_iam::Side;

use crate::registry::{declare_rule, Check};
use crate::rules::PushAbout;
use crate::rules::{statement_json, WorkspaceContext};
use crate::Diagnostic;

declare_rule!(
    "XA403",
    "bucket-list-missing",
    Warning,
    "No s3:ListBucket on the artifact bucket for the pipeline role or a cross-account role.",
    Check::Workspace(check)
);

fn check(cx: &WorkspaceContext<'_>, out: &mut Vec<Diagnostic>) {
    let mut seen = HashSet::new();
    let explained = crate::rules::xa508::explained(cx);
    for (check_index, c) in cx.graph.checks_not_allowed_of(EdgeKind::CanList) {
        // A condition that never holds is the root cause: XA508's one finding.
        if explained.contains(&check_index) {
            continue;
        }
        let cross = c.principal_account.is_some() && c.principal_account != c.resource_account;
        let pipeline_role = cx
            .pipeline(&c.need)
            .doc
            .pipeline
            .role_arn
            .as_ref()
            .is_some_and(|r| *r.value == *c.principal);
        if !(cross || pipeline_role) {
            continue;
        }
        // A Deny of the role's own (a guardrail) defeats whatever allows the listing.
        if let Some(diag) = cx.identity_deny(&RULE, c, "list the artifact bucket") {
            if seen.insert((c.principal.clone(), c.resource.clone())) {
                out.push_about(check_index, diag);
            }
            continue;
        }
        let (diag, help, fix) = if cross && c.outcome.misses(Side::Resource) {
            let Some(policy) = c.resource_policy else {
                continue;
            };
            (
                cx.at_policy(
                    &RULE,
                    policy,
                    &c.need,
                    format!(
                        "the bucket policy does not let `{}` list `{}` (s3:ListBucket)",
                        c.principal, c.resource
                    ),
                ),
                format!(
                    "add to the bucket policy: {}",
                    statement_json(Some(&c.principal), &["s3:ListBucket"], Some(&c.resource))
                ),
                cx.add_statement(
                    policy,
                    "the bucket policy",
                    Some(&c.principal),
                    &["s3:ListBucket"],
                    Some(&c.resource),
                ),
            )
        } else if c.outcome.misses(Side::Identity) {
            let Some(&first) = c.identity_policies.first() else {
                continue;
            };
            let (file, span) = cx
                .identity_anchor(&c.identity_policies, c.iam_action)
                .unwrap_or(cx.policy_anchor(first));
            let mut diag = cx.diag(
                &RULE,
                file,
                span,
                format!(
                    "no policy of `{}` allows s3:ListBucket on `{}`",
                    c.principal, c.resource
                ),
            );
            if let Some((file, span, text)) = cx.role_site(&c.need) {
                diag = diag.label_in(file, span, text);
            }
            (
                diag,
                format!(
                    "add to a policy of `{}`: {}",
                    c.principal,
                    statement_json(None, &["s3:ListBucket"], Some(&c.resource))
                ),
                cx.add_statement(
                    cx.identity_policy_for(&c.identity_policies, c.iam_action),
                    "the role's policy",
                    None,
                    &["s3:ListBucket"],
                    Some(&c.resource),
                ),
            )
        } else {
            continue;
        };
        // Once per role and bucket, and only once a finding is made: a role may list one
        // artifact bucket (one region's store, one pipeline's) and not another.
        if !seen.insert((c.principal.clone(), c.resource.clone())) {
            continue;
        }
        out.push_about(
            check_index,
            diag.help(format!(
                "{help}; without it a missing artifact reads as AccessDenied instead of NoSuchKey"
            ))
            .fix_opt(fix),
        );
    }
}
