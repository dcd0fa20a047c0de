//! XA505 cannot-pass-deploy-role: an action role may not pass CloudFormation its deployment role.

use xacct_graph::{EdgeKind, Outcome};
use xacct_iam::Side;

use crate::registry::{declare_rule, Check};
use crate::rules::PushAbout;
use crate::rules::{statement_json, WorkspaceContext};
use crate::Diagnostic;

declare_rule!(
    "XA505",
    "cannot-pass-deploy-role",
    Error,
    "The action role may not iam:PassRole the CloudFormation deployment role.",
    Check::Workspace(check)
);

fn check(cx: &WorkspaceContext<'_>, out: &mut Vec<Diagnostic>) {
    for (check_index, c) in cx.graph.checks_of(EdgeKind::CanPass) {
        if c.identity_policies.is_empty() {
            continue;
        }
        let deny = match &c.outcome {
            Outcome::Denied(proofs) => proofs.iter().find(|p| p.side == Side::Identity),
            _ => None,
        };
        if !c.outcome.misses(Side::Identity) && deny.is_none() {
            continue;
        }
        let (file, span) = match deny {
            Some(proof) => (proof.file, proof.anchor),
            None => cx.policy_anchor(cx.identity_policy_granting(
                &c.identity_policies,
                &[&c.iam_action, "cloudformation:CreateStack"],
            )),
        };
        let mut diag = cx.diag(&RULE, file, span, format!(
            "`{}`, the role of {}, may not pass the deployment role `{}` to CloudFormation (iam:PassRole): the deployment fails with AccessDenied",
            c.principal,
            cx.who(&c.need),
            c.resource
        ));
        let unit = cx.pipeline(&c.need);
        if let Some(deploy_role) = cx.action(&c.need).and_then(|a| a.config("RoleArn")) {
            diag = diag.label_in(
                unit.file,
                deploy_role.span,
                "the deployment role is named here",
            );
        }
        out.push_about(
            check_index,
            diag.help(format!(
                "add to a policy of `{}`: {}",
                c.principal,
                statement_json(None, &["iam:PassRole"], Some(&c.resource))
            )),
        );
    }
}
