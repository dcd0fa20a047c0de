//! XA207 cross-account-provider-unverified: a provider whose cross-account support is not
//! documented runs in another account.

use xacct_model::providers::{lookup, CrossAccount};

use crate::registry::{declare_rule, Check};
use crate::rules::PipelineContext;
use crate::Diagnostic;

declare_rule!(
    "XA207",
    "cross-account-provider-unverified",
    Info,
    "A provider whose cross-account support is undocumented runs in another account.",
    Check::Pipeline(check)
);

fn check(cx: &PipelineContext<'_>, out: &mut Vec<Diagnostic>) {
    for (_, _, action, placement) in cx.accounts.foreign_actions(cx.pipeline()) {
        let Some(info) = lookup(action.category(), action.owner(), action.provider()) else {
            continue;
        };
        if info.cross_account != CrossAccount::Undocumented {
            continue;
        }
        let (Some(role), Some(account)) = (&action.role_arn, &placement.account) else {
            continue;
        };
        out.push(
            cx.diag(
                &RULE,
                role.span,
                format!(
                    "{} action `{}` runs in account {}; the CodePipeline documentation does not say that {} actions work across accounts",
                    action.provider(),
                    action.display_name(),
                    account.value,
                    action.provider()
                ),
            )
            .help("test this action in a non-production pipeline first, or run it in the pipeline account"),
        );
    }
}
