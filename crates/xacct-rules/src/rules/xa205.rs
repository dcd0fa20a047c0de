//! XA205 cross-account-codebuild-outputs: a CodeBuild action in another account that produces
//! output artifacts.

use crate::registry::{declare_rule, Check};
use crate::rules::PipelineContext;
use crate::Diagnostic;

declare_rule!(
    "XA205",
    "cross-account-codebuild-outputs",
    Warning,
    "A CodeBuild action in another account produces output artifacts, encrypted with the build project's key rather than the pipeline's.",
    Check::Pipeline(check)
);

fn check(cx: &PipelineContext<'_>, out: &mut Vec<Diagnostic>) {
    let Some(home) = cx.home() else { return };
    for (_, _, action, placement) in cx.accounts.foreign_actions(cx.pipeline()) {
        if action.provider() != "CodeBuild" || action.owner() != "AWS" || action.outputs.is_empty()
        {
            continue;
        }
        let Some(account) = &placement.account else {
            continue;
        };
        let names: Vec<String> = action
            .outputs
            .iter()
            .map(|o| format!("`{}`", o.value))
            .collect();
        out.push(
            cx.diag(
                &RULE,
                action.outputs_span.unwrap_or(action.anchor()),
                format!(
                    "CodeBuild action `{}` runs in account {} and produces {}; CodeBuild encrypts outputs with the project's own key, which the pipeline account {home} may not be able to decrypt",
                    action.display_name(),
                    account.value,
                    names.join(", ")
                ),
            )
            .label_opt(action.role_arn.as_ref().map(|r| r.span), format!("runs in account {}", account.value))
            .help(format!("produce the artifacts in the pipeline account {home} (run the build there, or split it so the cross-account action has no outputs); CDK Pipelines refuses this setup for the same reason. Setting the project's key to the pipeline's key in {home} has been reported not to help (aws/aws-cdk#4171)")),
        );
    }
}
