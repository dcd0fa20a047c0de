//! XA517 function-policy-refuses-invoke: a Lambda invoke action names a function of another
//! account, and that function's resource policy does not let the action role invoke it.

use xacct_graph::EdgeKind;
use xacct_iam::Side;

use crate::registry::{declare_rule, Check};
use crate::rules::{arn_account, deny_on, statement_json, PushAbout, WorkspaceContext};
use crate::Diagnostic;

declare_rule!(
    "XA517",
    "function-policy-refuses-invoke",
    Error,
    "A Lambda invoke action names a function of another account whose resource policy does not let the action role invoke it.",
    Check::Workspace(check)
);

fn check(cx: &WorkspaceContext<'_>, out: &mut Vec<Diagnostic>) {
    let explained = crate::rules::xa508::explained(cx);
    for (index, c) in cx.graph.checks_not_allowed_of(EdgeKind::CanCall) {
        // A condition that never holds is the root cause: XA508's one finding.
        if explained.contains(&index) || c.iam_action != "lambda:InvokeFunction" {
            continue;
        }
        // Only across accounts must the function's policy allow (IAM user guide,
        // "Cross-account policy evaluation logic"); in the role's own account either side
        // suffices ("Policy evaluation for requests within a single account"), and a refusal
        // of both is the role's missing grant, XA506's finding.
        let Some(policy) = c.resource_policy else {
            continue;
        };
        let role_account = arn_account(&c.principal);
        if role_account.is_none() || role_account == c.resource_account {
            continue;
        }
        let who = cx.who(&c.need);
        let fails = format!("the Lambda {who} fails with AccessDenied");
        if let Some(proof) = deny_on(&c.outcome, Side::Resource) {
            out.push_about(
                index,
                cx.at_deny(
                    &RULE,
                    proof,
                    &c.need,
                    format!(
                        "a Deny in {} blocks lambda:InvokeFunction by `{}`: {fails}",
                        cx.deny_place(
                            proof,
                            format!("the policy of the Lambda function `{}`", c.resource)
                        ),
                        c.principal
                    ),
                    &format!("lambda:InvokeFunction by `{}`", c.principal),
                ),
            );
            continue;
        }
        if !c.outcome.misses(Side::Resource) {
            continue;
        }
        let home = role_account.map(|a| a.to_string()).unwrap_or_default();
        let statement = statement_json(
            Some(&c.principal),
            &["lambda:InvokeFunction"],
            Some(&c.resource),
        );
        out.push_about(
            index,
            cx.at_policy(
                &RULE,
                policy,
                &c.need,
                format!(
                    "the policy of the Lambda function `{}` lets neither `{}` nor its account {home} invoke it: {fails}",
                    c.resource, c.principal
                ),
            )
            .help(format!(
                "add to the function's policy (`aws lambda add-permission`, `AWS::Lambda::Permission`, `aws_lambda_permission`): {statement}"
            ))
            .fix_opt(cx.add_statement(
                policy,
                "the function's policy",
                Some(&c.principal),
                &["lambda:InvokeFunction"],
                Some(&c.resource),
            )),
        );
    }
}
