//! XA203 cfn-role-account-mismatch: CloudFormation's deployment role is in another account than
//! the action.

use xacct_model::Arn;

use crate::registry::{declare_rule, Check};
use crate::rules::{account_phrase, has_variable, PipelineContext};
use crate::Diagnostic;

declare_rule!(
    "XA203",
    "cfn-role-account-mismatch",
    Error,
    "A CloudFormation or StackSet action's RoleArn (or AdministrationRoleArn) is not in the account the action runs in.",
    Check::Pipeline(check)
);

fn check(cx: &PipelineContext<'_>, out: &mut Vec<Diagnostic>) {
    let home = cx.home();
    for (s, a, action) in cx.pipeline().actions() {
        let key = if action.is("AWS", "CloudFormation") {
            "RoleArn"
        } else if action.is("AWS", "CloudFormationStackSet") {
            "AdministrationRoleArn"
        } else {
            continue;
        };
        let Some(role) = action.config(key) else {
            continue;
        };
        if has_variable(&role.value) {
            continue;
        }
        let Some(role_account) = Arn::parse(&role.value)
            .ok()
            .and_then(|arn| arn.account_id())
        else {
            continue;
        };
        let placement = cx.accounts.of(s, a);
        let Some(action_account) = &placement.account else {
            continue;
        };
        if action_account.value == role_account {
            continue;
        }
        let runs_in = account_phrase(placement, home).unwrap_or_default();
        let (label, help) = match &action.role_arn {
            Some(action_role) => (
                (action_role.span, format!("the action runs in {runs_in} with this role")),
                format!(
                    "use a deployment role in account {}, or give the action a `roleArn` in account {role_account} that may iam:PassRole `{}`",
                    action_account.value, role.value
                ),
            ),
            None => (
                (
                    action_account.origin.span().unwrap_or(action.anchor()),
                    format!("the action has no `roleArn`, so it runs in {runs_in}"),
                ),
                format!(
                    "add an action `roleArn` in account {role_account} (a role the pipeline role may assume and that may iam:PassRole `{}`); only the pipeline role may cross accounts",
                    role.value
                ),
            ),
        };
        out.push(
            cx.diag(
                &RULE,
                role.span,
                format!(
                    "`{key}` of CloudFormation action `{}` is in account {role_account}, but the action runs in {runs_in}: CloudFormation will fail with \"Cross-account pass role is not allowed\"",
                    action.display_name()
                ),
            )
            .label(label.0, label.1)
            .help(help),
        );
    }
}
