//! XA402 role-policy-missing-s3: the acting role's own policies do not allow the artifact
//! reads or writes.

use std::collections::HashSet;

use xacct_graph::EdgeKind;
use xacct_iam::Side;

use crate::registry::{declare_rule, Check};
use crate::rules::xa401::{bucket_objects, s3_actions};
use crate::rules::PushAbout;
use crate::rules::{statement_json, WorkspaceContext};
use crate::Diagnostic;

declare_rule!(
    "XA402",
    "role-policy-missing-s3",
    Error,
    "The action role's own policies do not allow the S3 actions on the artifact bucket (cross-account access needs both sides).",
    Check::Workspace(check)
);

fn check(cx: &WorkspaceContext<'_>, out: &mut Vec<Diagnostic>) {
    let mut seen = HashSet::new();
    let explained = crate::rules::xa508::explained(cx);
    for (check_index, c) in cx
        .graph
        .checks_not_allowed_of(EdgeKind::CanRead)
        .chain(cx.graph.checks_not_allowed_of(EdgeKind::CanWrite))
    {
        // A condition that never holds is the root cause: XA508's one finding.
        if explained.contains(&check_index) {
            continue;
        }
        let Some(&first) = c.identity_policies.first() else {
            continue;
        };
        let (what, actions) = s3_actions(c);
        // A Deny of the role's own (a guardrail) defeats whatever allows the access.
        if let Some(diag) = cx.identity_deny(&RULE, c, what) {
            if seen.insert((c.kind, c.principal.clone(), bucket_objects(&c.resource))) {
                out.push_about(check_index, diag);
            }
            continue;
        }
        // Once per role, direction and bucket: each artifact bucket needs its own allow.
        if !c.outcome.misses(Side::Identity)
            || !seen.insert((c.kind, c.principal.clone(), bucket_objects(&c.resource)))
        {
            continue;
        }
        let (file, span) = cx
            .identity_anchor(&c.identity_policies, c.iam_action)
            .unwrap_or(cx.policy_anchor(first));
        let mut diag = cx.diag(
            &RULE,
            file,
            span,
            format!(
                "no policy of `{}` ({}) allows {} on `{}`, so it cannot {what}",
                c.principal,
                cx.who(&c.need),
                c.iam_action,
                bucket_objects(&c.resource)
            ),
        );
        if let Some((file, span, text)) = cx.role_site(&c.need) {
            diag = diag.label_in(file, span, text);
        }
        out.push_about(
            check_index,
            diag.help(format!(
                "add to a policy of `{}`: {}",
                c.principal,
                statement_json(None, actions, Some(&bucket_objects(&c.resource)))
            ))
            .fix_opt(cx.add_statement(
                cx.identity_policy_for(&c.identity_policies, c.iam_action),
                "the role's policy",
                None,
                actions,
                Some(&bucket_objects(&c.resource)),
            )),
        );
    }
}
