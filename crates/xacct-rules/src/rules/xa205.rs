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
            .help(format!("set the build project's encryption key to the pipeline's artifact key (a key in {home} that account {} may use), or produce the artifacts in the pipeline account", account.value)),
        );
    }
}
