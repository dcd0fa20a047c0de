//! XA505 cannot-pass-deploy-role: an action role may not pass CloudFormation its deployment role.

use xacct_graph::EdgeKind;
use xacct_iam::Side;

use crate::registry::{declare_rule, Check};
use crate::rules::PushAbout;
use crate::rules::{deny_on, statement_json, WorkspaceContext};
use crate::Diagnostic;

declare_rule!(
    "XA505",
    "cannot-pass-deploy-role",
    Error,
    "The action role may not iam:PassRole the CloudFormation deployment role.",
    Check::Workspace(check)
);

fn check(cx: &WorkspaceContext<'_>, out: &mut Vec<Diagnostic>) {
    let explained = crate::rules::xa508::explained(cx);
    for (check_index, c) in cx.graph.checks_not_allowed_of(EdgeKind::CanPass) {
        // A condition that never holds is the root cause: XA508's one finding.
        if explained.contains(&check_index) {
            continue;
        }
        if c.identity_policies.is_empty() {
            continue;
        }
        if let Some(diag) =
            cx.boundary_refusal(&RULE, c, "pass the deployment role to CloudFormation")
        {
            out.push_about(check_index, diag);
            continue;
        }
        let deny = deny_on(&c.outcome, Side::Identity);
        if !c.outcome.misses(Side::Identity) && deny.is_none() {
            continue;
        }
        // A StackSets action passes the administration role it names (`AdministrationRoleArn`);
        // a CloudFormation action its deployment role (`RoleArn`).
        let stack_set = cx
            .action(&c.need)
            .is_some_and(xacct_model::stacksets::is_stack_set_action);
        let (role, config, fails) = if stack_set {
            (
                "the StackSets administration role",
                "AdministrationRoleArn",
                "the stack set operation fails with AccessDenied",
            )
        } else {
            (
                "the deployment role",
                "RoleArn",
                "the deployment fails with AccessDenied",
            )
        };
        let diag = match deny {
            Some(proof) => cx.at_deny(
                &RULE,
                proof,
                &c.need,
                format!(
                    "a Deny in {}, the role of {}, blocks it from passing {role} `{}` to CloudFormation (iam:PassRole): {fails}",
                    cx.deny_place(proof, format!("a policy of `{}`", c.principal)),
                    cx.who(&c.need),
                    c.resource
                ),
                &format!("iam:PassRole on `{}`", c.resource),
            ),
            None => {
                let target = cx.identity_policy_granting(
                    &c.identity_policies,
                    &[c.iam_action, "cloudformation:CreateStack"],
                );
                let (file, span) = cx.policy_anchor(target);
                cx.diag(&RULE, file, span, format!(
                    "`{}`, the role of {}, may not pass {role} `{}` to CloudFormation (iam:PassRole): {fails}",
                    c.principal,
                    cx.who(&c.need),
                    c.resource
                ))
                .help(format!(
                    "add to a policy of `{}`: {}",
                    c.principal,
                    statement_json(None, &["iam:PassRole"], Some(&c.resource))
                ))
                .fix_opt(cx.add_statement(
                    target,
                    "the role's policy",
                    None,
                    &["iam:PassRole"],
                    Some(&c.resource),
                ))
            }
        };
        // The passed role is what the request is about: show where the pipeline names it.
        let unit = cx.pipeline(&c.need);
        let diag = match cx.action(&c.need).and_then(|a| a.config(config)) {
            Some(passed) => diag.label_in(unit.file, passed.span, format!("{role} is named here")),
            None => diag,
        };
        out.push_about(check_index, diag);
    }
}
