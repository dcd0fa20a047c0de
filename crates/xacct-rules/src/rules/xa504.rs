//! XA504 pipeline-role-trust: the pipeline role does not trust CodePipeline, or is not in the
//! pipeline account.

use xacct_graph::EdgeKind;
use xacct_iam::Side;

use crate::registry::{declare_rule, Check};
use crate::rules::PushAbout;
use crate::rules::{arn_account, deny_on, WorkspaceContext};
use crate::Diagnostic;

declare_rule!(
    "XA504",
    "pipeline-role-trust",
    Error,
    "The pipeline role does not trust codepipeline.amazonaws.com, or is not in the pipeline account.",
    Check::Workspace(check)
);

fn check(cx: &WorkspaceContext<'_>, out: &mut Vec<Diagnostic>) {
    for unit in &cx.workspace.pipelines {
        let (Some(home), Some(role)) = (&unit.accounts.pipeline, &unit.doc.pipeline.role_arn)
        else {
            continue;
        };
        let Some(role_account) = arn_account(&role.value) else {
            continue;
        };
        if role_account != home.value {
            out.push(
                cx.diag(&RULE, unit.file, role.span, format!(
                    "the pipeline role `{}` is in account {role_account}, but the pipeline is in account {}; a pipeline's service role must be in its own account",
                    role.value, home.value
                ))
                .label_opt_in(unit.file, home.origin.span(), "the pipeline account comes from here")
                .help("use a service role of the pipeline account; reach other accounts through action roles"),
            );
        }
    }
    for (check_index, c) in cx.graph.checks_not_allowed_of(EdgeKind::CanAssume) {
        // The service's own question: may CodePipeline assume the pipeline role?
        if c.principal_account.is_some() {
            continue;
        }
        let Some(trust) = c.resource_policy else {
            continue;
        };
        let deny = deny_on(&c.outcome, Side::Resource);
        if !c.outcome.misses(Side::Resource) && deny.is_none() {
            continue;
        }
        let diag = match deny {
            Some(proof) => cx.at_deny(
                &RULE,
                proof,
                &c.need,
                format!(
                    "a Deny in {} blocks `{}` from assuming it; CodePipeline cannot run the pipeline",
                    cx.deny_place(
                        proof,
                        format!("the trust policy of the pipeline role `{}`", c.resource)
                    ),
                    c.principal
                ),
                &format!("sts:AssumeRole by `{}`", c.principal),
            ),
            None => cx
                .at_policy(&RULE, trust, &c.need, format!(
                    "the trust policy of the pipeline role `{}` does not let `{}` assume it; CodePipeline cannot run the pipeline",
                    c.resource, c.principal
                ))
                .help(format!(
                    "add to the trust policy: {{\"Effect\": \"Allow\", \"Principal\": {{\"Service\": \"{}\"}}, \"Action\": \"sts:AssumeRole\"}}",
                    c.principal
                )),
        };
        out.push_about(check_index, diag);
    }
}
