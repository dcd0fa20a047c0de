//! XA112 provider-discontinued: an action of a provider whose service AWS has shut down.

use xacct_model::providers::discontinued;

use crate::registry::{declare_rule, Check};
use crate::rules::PipelineContext;
use crate::Diagnostic;

declare_rule!(
    "XA112",
    "provider-discontinued",
    Error,
    "An action's provider is a service AWS has shut down (AWS OpsWorks Stacks): the action fails on every run.",
    Check::Pipeline(check)
);

fn check(cx: &PipelineContext<'_>, out: &mut Vec<Diagnostic>) {
    for (_, _, action) in cx.pipeline().actions() {
        let Some(gone) = discontinued(action) else {
            continue;
        };
        let span = action.provider_anchor();
        out.push(
            cx.diag(
                &RULE,
                span,
                format!(
                    "action `{}` runs on {}, which AWS shut down on {}: the action fails on every run",
                    action.display_name(),
                    gone.service,
                    gone.since
                ),
            )
            .help("move what the action does to a service that runs (for a deployment: CodeDeploy, Elastic Beanstalk, ECS or CloudFormation) and replace the action"),
        );
    }
}
