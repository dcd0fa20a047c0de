//! XA501 pipeline-role-cannot-assume: the pipeline role may not assume an action's role.

use xacct_graph::EdgeKind;
use xacct_iam::Side;

use crate::registry::{declare_rule, Check};
use crate::rules::PushAbout;
use crate::rules::{deny_on, WorkspaceContext};
use crate::Diagnostic;

declare_rule!(
    "XA501",
    "pipeline-role-cannot-assume",
    Error,
    "The pipeline role's policies do not allow sts:AssumeRole on an action's roleArn.",
    Check::Workspace(check)
);

fn check(cx: &WorkspaceContext<'_>, out: &mut Vec<Diagnostic>) {
    let mut once = crate::rules::OncePer::default();
    let explained = crate::rules::xa508::explained(cx);
    for (check_index, c) in cx.graph.checks_not_allowed_of(EdgeKind::CanAssume) {
        // A condition that never holds is the root cause: XA508's one finding.
        if explained.contains(&check_index) {
            continue;
        }
        // CodePipeline assuming the pipeline role is XA504's.
        if c.principal_account.is_none() || c.identity_policies.is_empty() {
            continue;
        }
        let boundary = cx.boundary_refusal(&RULE, c, "assume the role of the action");
        let deny = deny_on(&c.outcome, Side::Identity);
        if boundary.is_none() && !c.outcome.misses(Side::Identity) && deny.is_none() {
            continue;
        }
        // Every action that runs as the role meets the same refusal: one finding.
        if !once.first(
            (c.principal.clone(), c.resource.clone()),
            out,
            cx,
            &c.need,
            Some(check_index),
        ) {
            continue;
        }
        if let Some(diag) = boundary {
            out.push_about(check_index, diag);
            continue;
        }
        let message = format!(
            "the pipeline role `{}` may not assume `{}`, the role of {}: CodePipeline will fail with \"Pipeline role … is not authorized to perform AssumeRole on action role …\"",
            c.principal,
            c.resource,
            cx.who(&c.need)
        );
        let diag = match deny {
            Some(proof) => cx.at_deny(
                &RULE,
                proof,
                &c.need,
                message,
                &format!("sts:AssumeRole on `{}`", c.resource),
            ),
            None => cx.assume_missing_in_identity(&RULE, c, message, "the pipeline role"),
        };
        out.push_about(check_index, diag);
    }
}
