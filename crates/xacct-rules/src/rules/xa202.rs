//! XA202 cross-account-unsupported-provider: a Jenkins or Commands action in another account.

use xacct_model::providers::{lookup, CrossAccount};
use xacct_model::Action;

use crate::registry::{declare_rule, Check};
use crate::rules::PipelineContext;
use crate::Diagnostic;

declare_rule!(
    "XA202",
    "cross-account-unsupported-provider",
    Error,
    "A Jenkins (Custom) or Commands action runs in another account than the pipeline's.",
    Check::Pipeline(check)
);

/// Why this action's provider cannot run in another account, if it cannot: the user guide
/// page and its sentence.
pub(crate) fn unsupported_reason(action: &Action) -> Option<(&'static str, &'static str)> {
    let info = lookup(action.category(), action.owner(), action.provider())?;
    match info.cross_account {
        CrossAccount::Unsupported(why) => Some((info.page, why)),
        CrossAccount::Supported | CrossAccount::Undocumented => None,
    }
}

fn check(cx: &PipelineContext<'_>, out: &mut Vec<Diagnostic>) {
    let Some(home) = cx.home() else { return };
    for (_, _, action, placement) in cx.accounts.foreign_actions(cx.pipeline()) {
        let Some((page, why)) = unsupported_reason(action) else {
            continue;
        };
        let (Some(role), Some(account)) = (&action.role_arn, &placement.account) else {
            continue;
        };
        let kind = if action.owner() == "Custom" {
            format!(
                "Jenkins build action `{}` (provider {})",
                action.display_name(),
                action.provider()
            )
        } else {
            format!("{} action `{}`", action.provider(), action.display_name())
        };
        let kinds = if action.owner() == "Custom" {
            "Jenkins build"
        } else {
            action.provider()
        };
        out.push(
            cx.diag(
                &RULE,
                role.span,
                format!(
                    "{kind} runs in account {} through its `roleArn`, but {kinds} actions cannot run in another account than the pipeline account {home}",
                    account.value
                ),
            )
            .help(format!("remove the `roleArn` so the action runs in {home}, or replace it with an action type that supports cross-account roles (e.g. CodeBuild); source: the CodePipeline user guide, {page}: {why}")),
        );
    }
}
