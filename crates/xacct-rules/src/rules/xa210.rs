//! XA210 event-target-cross-account: an EventBridge rule (a source trigger) invokes a target
//! with a role of another account, or sends to a pipeline of another account directly.
//!
//! EventBridge uses a target's role in the rule's own account ("This execution role must be in
//! the same account as the event bus"); `PutTargets` refuses another account's role
//! ("Cross-account pass role is not allowed", run-time failure E2). And the AWS services
//! EventBridge delivers to in other accounts are API Gateway, Kinesis, Lambda, SNS and SQS: a
//! change event reaches another account's pipeline through that account's event bus, where
//! a rule of that account starts the pipeline. One finding a target; silent when the rule's
//! account or the other account is not known.

use crate::registry::{declare_rule, Check};
use crate::rules::WorkspaceContext;
use crate::Diagnostic;

declare_rule!(
    "XA210",
    "event-target-cross-account",
    Error,
    "An EventBridge rule (a source trigger) invokes a target with a role of another account than the rule's, or targets a pipeline of another account directly instead of that account's event bus.",
    Check::Workspace(check)
);

fn check(cx: &WorkspaceContext<'_>, out: &mut Vec<Diagnostic>) {
    for unit in &cx.workspace.event_rules {
        let rule = &unit.rule;
        let Some(account) = rule.account else {
            continue;
        };
        let what = rule.describe();
        for target in &rule.targets {
            let role = target
                .role
                .as_ref()
                .and_then(|role| Some((role, target.role_account()?)));
            if let Some(pipeline_account) = target.pipeline_account().filter(|p| *p != account) {
                let mut diag = cx
                    .diag(
                        &RULE,
                        unit.file,
                        target.arn.span,
                        format!(
                            "{what} in account {account} targets pipeline `{}` of account {pipeline_account}: EventBridge delivers to another account's event bus, not to its pipelines, so the change never starts the pipeline",
                            target.arn.value
                        ),
                    );
                if let Some((role, role_account)) = role {
                    diag = diag.label(role.span, format!("a role of account {role_account}"));
                }
                out.push(diag.help(format!(
                    "target the event bus `arn:aws:events:REGION:{pipeline_account}:event-bus/default` with a role of account {account} allowed events:PutEvents on it; let that bus's policy allow events:PutEvents from account {account}, and start the pipeline from a rule of account {pipeline_account} on that bus"
                )));
                continue;
            }
            let Some((role, role_account)) = role.filter(|(_, r)| *r != account) else {
                continue;
            };
            out.push(
                cx.diag(
                    &RULE,
                    unit.file,
                    role.span,
                    format!(
                        "{what} in account {account} invokes its target with role `{}` of account {role_account}: EventBridge takes only a role of the rule's own account, and refuses this one (\"Cross-account pass role is not allowed\")",
                        role.value
                    ),
                )
                .label(target.arn.span, "the target the role would be used for")
                .help(format!(
                    "use a role of account {account} that trusts events.amazonaws.com and is allowed to invoke the target (events:PutEvents on another account's bus, codepipeline:StartPipelineExecution on a pipeline of account {account})"
                )),
            );
        }
    }
}
