//! XA408 bucket-policy-refuses-action: an S3 source action reads from, or an S3 deploy action
//! uploads into, a bucket of another account than its role, and that bucket's policy does not
//! let the role make the call.

use std::collections::BTreeMap;

use xacct_graph::EdgeKind;
use xacct_iam::Side;
use xacct_model::arn::s3_bucket;
use xacct_model::workspace::Governs;

use crate::registry::{declare_rule, Check};
use crate::rules::{deny_on, statement_json, ActionIndex, PushAbout, WorkspaceContext};
use crate::Diagnostic;

declare_rule!(
    "XA408",
    "bucket-policy-refuses-action",
    Error,
    "An S3 source or S3 deploy action uses a bucket of another account whose bucket policy does not let the action role read the source (s3:GetObject, s3:GetObjectVersion, s3:GetBucketVersioning) or upload (s3:PutObject).",
    Check::Workspace(check)
);

/// Pipeline, action, and the file and span of the Deny statement that refuses calls.
type DeniedBy = (usize, ActionIndex, xacct_syntax::FileId, xacct_syntax::Span);

fn check(cx: &WorkspaceContext<'_>, out: &mut Vec<Diagnostic>) {
    // One finding per action and bucket policy: every call the policy leaves out (an S3
    // source reads the object and the bucket's versioning); an explicit Deny is a finding of
    // its own, at the Deny (an added Allow does not override it).
    let mut missing: BTreeMap<(usize, ActionIndex, usize), Vec<usize>> = BTreeMap::new();
    let mut denied: BTreeMap<DeniedBy, Vec<usize>> = BTreeMap::new();
    let explained = crate::rules::xa508::explained(cx);
    for (index, c) in cx.graph.checks_not_allowed_of(EdgeKind::CanCall) {
        // A condition that never holds is the root cause: XA508's one finding.
        if explained.contains(&index) {
            continue;
        }
        let Some(policy) = c.resource_policy else {
            continue;
        };
        if !matches!(cx.policy(policy).governs, Some(Governs::Bucket(_))) {
            continue;
        }
        let Some(at) = c.need.action_index() else {
            continue;
        };
        // Only across accounts must the bucket policy allow (IAM user guide, "Cross-account
        // policy evaluation logic"); in one account either side suffices, and a refusal of
        // both is the role's missing grant, XA506's finding.
        let (Some(role_account), Some(bucket_account)) = (c.principal_account, c.resource_account)
        else {
            continue;
        };
        if role_account == bucket_account {
            continue;
        }
        if let Some(proof) = deny_on(&c.outcome, Side::Resource) {
            denied
                .entry((c.need.pipeline_index(), at, proof.file, proof.span))
                .or_default()
                .push(index);
            continue;
        }
        if c.outcome.misses(Side::Resource) {
            missing
                .entry((c.need.pipeline_index(), at, policy))
                .or_default()
                .push(index);
        }
    }
    for indexes in denied.values() {
        let first = &cx.graph.checks[indexes[0]];
        let Some(proof) = deny_on(&first.outcome, Side::Resource) else {
            continue;
        };
        let on = refused_on(cx, indexes);
        let provider = cx.action(&first.need).map_or("?", |a| a.provider());
        out.push_about(
            indexes[0],
            cx.at_deny(
                &RULE,
                proof,
                &first.need,
                format!(
                    "a Deny in {} blocks {} by `{}`: the {provider} {} fails with AccessDenied",
                    cx.deny_place(
                        proof,
                        format!("the bucket policy of `{}`", s3_bucket(&first.resource))
                    ),
                    on.join(" and "),
                    first.principal,
                    cx.who(&first.need)
                ),
                &format!("{} by `{}`", on.join(" or "), first.principal),
            ),
        );
    }
    for (&(_, _, policy), indexes) in &missing {
        let first = &cx.graph.checks[indexes[0]];
        let on = calls_by_resource(cx, indexes);
        let refused = refused_on(cx, indexes);
        let statements: Vec<String> = on
            .iter()
            .map(|(resource, calls)| statement_json(Some(&first.principal), calls, Some(resource)))
            .collect();
        let provider = cx.action(&first.need).map_or("?", |a| a.provider());
        let role_account = first
            .principal_account
            .map(|a| a.to_string())
            .unwrap_or_default();
        let bucket_account = first
            .resource_account
            .map(|a| a.to_string())
            .unwrap_or_default();
        let mut diag = cx
            .at_policy(
                &RULE,
                policy,
                &first.need,
                format!(
                    "the bucket policy of `{}`, a bucket of account {bucket_account}, does not allow `{}` of account {role_account} {}: the {provider} {} fails with AccessDenied",
                    s3_bucket(&first.resource),
                    first.principal,
                    refused.join(" or "),
                    cx.who(&first.need)
                ),
            )
            .help(format!(
                "across accounts the bucket policy must allow the role too (its own policy is not enough); add to the bucket policy: {}",
                statements.join(" and ")
            ));
        // One statement a fix: a bucket policy statement has one resource here.
        if let [(resource, calls)] = on.as_slice() {
            diag = diag.fix_opt(cx.add_statement(
                policy,
                "the bucket policy",
                Some(&first.principal),
                calls,
                Some(resource),
            ));
        }
        out.push_about(indexes[0], diag);
    }
}

/// The calls some checks ask, by resource: "s3:GetObject, s3:GetObjectVersion on `…`".
fn refused_on(cx: &WorkspaceContext<'_>, indexes: &[usize]) -> Vec<String> {
    calls_by_resource(cx, indexes)
        .iter()
        .map(|(resource, calls)| format!("{} on `{resource}`", calls.join(", ")))
        .collect()
}

/// The IAM actions of some checks on each resource, resources in the order asked.
fn calls_by_resource(
    cx: &WorkspaceContext<'_>,
    indexes: &[usize],
) -> Vec<(String, Vec<&'static str>)> {
    let mut on: Vec<(String, Vec<&'static str>)> = Vec::new();
    for &i in indexes {
        let c = &cx.graph.checks[i];
        let resource = c.resource_shown();
        match on.iter_mut().find(|(r, _)| *r == resource) {
            Some((_, calls)) if !calls.contains(&c.iam_action) => calls.push(c.iam_action),
            Some(_) => {}
            None => on.push((resource, vec![c.iam_action])),
        }
    }
    on
}
