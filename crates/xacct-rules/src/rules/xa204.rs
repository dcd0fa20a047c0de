//! XA204 role-on-non-aws-action: a ThirdParty or Custom action with a `roleArn`.

use crate::registry::{declare_rule, Check};
use crate::rules::xa202::unsupported_reason;
use crate::rules::PipelineContext;
use crate::Diagnostic;

declare_rule!(
    "XA204",
    "role-on-non-aws-action",
    Error,
    "A ThirdParty or Custom action has a roleArn; only AWS-owned actions run with an action role.",
    Check::Pipeline(check)
);

fn check(cx: &PipelineContext<'_>, out: &mut Vec<Diagnostic>) {
    let home = cx.home();
    for (s, a, action) in cx.pipeline().actions() {
        if !matches!(action.owner(), "ThirdParty" | "Custom") {
            continue;
        }
        let Some(role) = &action.role_arn else {
            continue;
        };
        // A foreign role on a provider that cannot cross accounts is XA202's, more specific, finding.
        if cx.accounts.of(s, a).is_foreign(home) && unsupported_reason(action).is_some() {
            continue;
        }
        out.push(
            cx.diag(
                &RULE,
                role.span,
                format!("{} action `{}` ({}) has a `roleArn`; CodePipeline rejects it: \"Role ARN is not supported for actions with owner other than 'AWS'\"", action.owner(), action.display_name(), action.provider()),
            )
            .label_opt(action.owner.as_ref().map(|o| o.span), "owner declared here")
            .help("remove `roleArn`: third-party and custom actions are run by their own job workers, not by an assumed role"),
        );
    }
}
