//! XA105 stage-layout: stage counts and where source actions may stand.

use xacct_model::providers::is_source;
use xacct_syntax::Span;

use crate::registry::{declare_rule, Check};
use crate::rules::PipelineContext;
use crate::Diagnostic;

declare_rule!(
    "XA105",
    "stage-layout",
    Error,
    "Fewer than 2 or more than 50 stages, an empty or oversized stage, a non-source action in the first stage, a source action elsewhere, or no non-source action.",
    Check::Pipeline(check)
);

// CodePipeline user guide, "Quotas in AWS CodePipeline": a pipeline has 2 to 50 stages and a
// stage 1 to 50 actions. These quotas are not in the API model.
const MIN_STAGES: usize = 2;
const MAX_STAGES: usize = 50;
const MAX_ACTIONS_PER_STAGE: usize = 50;

fn check(cx: &PipelineContext<'_>, out: &mut Vec<Diagnostic>) {
    let pipeline = cx.pipeline();
    let Some(stages_span) = pipeline.stages_span else {
        return;
    };
    let count = pipeline.stages.len();
    if !(MIN_STAGES..=MAX_STAGES).contains(&count) {
        out.push(
            cx.diag(&RULE, stages_span, format!("the pipeline has {count} stage{}; CodePipeline requires {MIN_STAGES} to {MAX_STAGES}", if count == 1 { "" } else { "s" }))
                .help("a pipeline needs a source stage and at least one more stage"),
        );
    }
    for (index, stage) in pipeline.stages.iter().enumerate() {
        if stage.actions.is_empty() {
            out.push(
                cx.diag(
                    &RULE,
                    stage.anchor(),
                    format!("stage `{}` has no actions", stage.display_name()),
                )
                .help("add an action or remove the stage"),
            );
        } else if stage.actions.len() > MAX_ACTIONS_PER_STAGE {
            out.push(
                cx.diag(
                    &RULE,
                    stage.anchor(),
                    format!(
                        "stage `{}` has {} actions; the quota is {MAX_ACTIONS_PER_STAGE}",
                        stage.display_name(),
                        stage.actions.len()
                    ),
                )
                .help("split the stage"),
            );
        }
        for action in &stage.actions {
            let Some(category) = &action.category else {
                continue;
            };
            let source = is_source(&category.value);
            if index == 0 && !source {
                out.push(
                    cx.diag(
                        &RULE,
                        category.span,
                        format!("the first stage `{}` holds action `{}` of category {}; it may hold only source actions", stage.display_name(), action.display_name(), category.value),
                    )
                    .help("move the action to a later stage"),
                );
            } else if index > 0 && source {
                out.push(
                    cx.diag(
                        &RULE,
                        category.span,
                        format!("source action `{}` is in stage `{}`; source actions may only be in the first stage", action.display_name(), stage.display_name()),
                    )
                    .label_opt(pipeline.stages[0].name.as_ref().map(|n| n.span), "the first stage")
                    .help("move the source action into the first stage"),
                );
            }
        }
    }
    let has_work = pipeline
        .actions()
        .any(|(_, _, a)| a.category.as_ref().is_some_and(|c| !is_source(&c.value)));
    let all_typed = pipeline.actions().all(|(_, _, a)| a.category.is_some());
    if count > 0 && all_typed && !has_work {
        out.push(
            cx.diag(&RULE, Span::new(stages_span.start, stages_span.end), "the pipeline has only source actions")
                .help("add a stage with at least one build, test, deploy, approval, invoke or compute action"),
        );
    }
}
