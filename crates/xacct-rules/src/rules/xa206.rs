//! XA206 foreign-resource-without-role: a configuration ARN in another account, on an action that
//! has no role there.

use xacct_model::Arn;

use crate::registry::{declare_rule, Check};
use crate::rules::{has_variable, PipelineContext};
use crate::Diagnostic;

declare_rule!(
    "XA206",
    "foreign-resource-without-role",
    Warning,
    "A configuration value names an ARN in another account, but the action has no roleArn there.",
    Check::Pipeline(check)
);

fn check(cx: &PipelineContext<'_>, out: &mut Vec<Diagnostic>) {
    for (s, a, action) in cx.pipeline().actions() {
        if action.role_arn.is_some() {
            continue;
        }
        let Some(runs_in) = &cx.accounts.of(s, a).account else {
            continue;
        };
        let cloudformation =
            action.is("AWS", "CloudFormation") || action.is("AWS", "CloudFormationStackSet");
        for entry in &action.configuration {
            // The deployment role of CloudFormation actions is XA203's finding.
            if cloudformation && matches!(entry.key.as_str(), "RoleArn" | "AdministrationRoleArn") {
                continue;
            }
            let value = &entry.value;
            if has_variable(&value.value) {
                continue;
            }
            let Some(account) = Arn::parse(&value.value)
                .ok()
                .and_then(|arn| arn.account_id())
            else {
                continue;
            };
            if account == runs_in.value {
                continue;
            }
            out.push(
                cx.diag(
                    &RULE,
                    value.span,
                    format!(
                        "`{}` of action `{}` names a resource in account {account}, but the action has no `roleArn` and runs in the pipeline account {}",
                        entry.key.value,
                        action.display_name(),
                        runs_in.value
                    ),
                )
                .label_opt(runs_in.origin.span(), "the pipeline account comes from here")
                .help(format!("give the action a `roleArn` in account {account}, or make sure the resource's policy lets account {} use it", runs_in.value)),
            );
        }
    }
}
