//! XA401 bucket-policy-missing-grant: the artifact bucket's policy does not let a cross-account
//! role read its inputs or write its outputs.

use std::collections::HashSet;

use xacct_graph::EdgeKind;
use xacct_iam::Side;

use crate::registry::{declare_rule, Check};
use crate::rules::PushAbout;
use crate::rules::{statement_json, WorkspaceContext};
use crate::Diagnostic;

declare_rule!(
    "XA401",
    "bucket-policy-missing-grant",
    Error,
    "The artifact bucket policy does not let a cross-account action read (s3:GetObject*) its inputs or write (s3:PutObject) its outputs.",
    Check::Workspace(check)
);

/// What reading or writing artifacts takes, as the walkthrough grants it.
pub(crate) fn s3_actions(c: &xacct_graph::Check) -> (&'static str, &'static [&'static str]) {
    if c.need.artifacts == xacct_graph::Artifacts::Replica {
        return (
            "copy the action's input artifacts into the store of its region (replication)",
            &["s3:PutObject"],
        );
    }
    match c.kind {
        EdgeKind::CanRead if c.need.artifacts == xacct_graph::Artifacts::Stack => {
            ("read the artifact its stack deploys", &["s3:GetObject*"])
        }
        EdgeKind::CanRead => ("read its input artifacts", &["s3:GetObject*"]),
        _ => ("write its output artifacts", &["s3:PutObject"]),
    }
}

/// `arn:aws:s3:::bucket/*` for an object ARN.
pub(crate) fn bucket_objects(object: &str) -> String {
    let bucket = xacct_model::arn::s3_bucket(object);
    format!("arn:aws:s3:::{bucket}/*")
}

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
        let Some(bucket_policy) = c.resource_policy else {
            continue;
        };
        // Across accounts, or with the bucket's account unknown: either way the missing
        // bucket-policy allow is the side to fix. Only when both accounts are known to differ
        // is it certain that both sides must allow, and the message says so.
        let cross = c.principal_account.is_some() && c.principal_account != c.resource_account;
        let known_cross = matches!(
            (c.principal_account, c.resource_account),
            (Some(a), Some(b)) if a != b
        );
        if !cross
            || !c.outcome.misses(Side::Resource)
            || !seen.insert((c.kind, c.principal.clone(), bucket_policy))
        {
            continue;
        }
        let (what, actions) = s3_actions(c);
        let artifacts: Vec<String> = c
            .need
            .artifact_names(cx.workspace)
            .iter()
            .map(|a| format!("`{}`", a.value))
            .collect();
        let account = c
            .principal_account
            .map(|a| a.to_string())
            .unwrap_or_default();
        let direction = if c.kind == EdgeKind::CanRead {
            "from"
        } else {
            "to"
        };
        let why = if known_cross {
            ": cross-account access needs an allow in the bucket policy too"
        } else {
            ""
        };
        out.push_about(check_index,
            cx.at_policy(&RULE, bucket_policy, &c.need, format!(
                "the bucket policy does not let `{}` ({}, account {account}) {what} ({}) {direction} `{}`{why}",
                c.principal,
                cx.who(&c.need),
                artifacts.join(", "),
                bucket_objects(&c.resource)
            ))
            .help(format!(
                "add to the bucket policy: {}",
                statement_json(Some(&c.principal), actions, Some(&bucket_objects(&c.resource)))
            ))
            .fix_opt(cx.add_statement(
                bucket_policy,
                "the bucket policy",
                Some(&c.principal),
                actions,
                Some(&bucket_objects(&c.resource)),
            )),
        );
    }
}
