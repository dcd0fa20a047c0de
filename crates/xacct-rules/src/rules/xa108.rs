//! XA108 v2-only-feature: a V2 feature in a pipeline that is not V2.

use xacct_model::providers::lookup;
use xacct_syntax::Span;

use crate::registry::{declare_rule, Check};
use crate::rules::PipelineContext;
use crate::{Diagnostic, Severity};

declare_rule!(
    "XA108",
    "v2-only-feature",
    Error,
    "variables, triggers, executionMode QUEUED/PARALLEL, stage conditions or rollback, or an action whose provider needs V2 (Commands, ECRBuildAndPublish, EC2, EKS, Lambda deploy) in a pipeline that is not V2.",
    Check::Pipeline(check)
);

fn check(cx: &PipelineContext<'_>, out: &mut Vec<Diagnostic>) {
    let pipeline = cx.pipeline();
    if pipeline.is_v2() {
        return;
    }
    // The API reference: "Including V2 parameters ... will result in the pipeline having the V2
    // type of pipeline and the associated costs". Without `pipelineType` the feature silently
    // makes the pipeline V2 (a warning: billing changes); with an explicit V1 it contradicts
    // the declaration (an error).
    let (severity, declared, help) = match &pipeline.pipeline_type {
        Some(t) => (
            Severity::Error,
            format!("`pipelineType` is {}", t.value),
            "set `\"pipelineType\": \"V2\"` (V2 is billed per action-execution minute), or remove the feature",
        ),
        None => (
            Severity::Warning,
            "the pipeline has no `pipelineType`; CodePipeline will silently make it V2, with V2 billing".to_string(),
            "declare `\"pipelineType\": \"V2\"` so the billing change is explicit, or remove the feature",
        ),
    };
    let type_span = pipeline.pipeline_type.as_ref().map(|t| t.span);
    let mut report = |span: Span, feature: String| {
        out.push(
            cx.diag(
                &RULE,
                span,
                format!("{feature} requires a V2 pipeline, but {declared}"),
            )
            .severity(severity)
            .label_opt(type_span, "pipeline type declared here")
            .help(help),
        );
    };
    if let Some(span) = pipeline.variables {
        report(span, "`variables`".to_string());
    }
    if let Some(span) = pipeline.triggers {
        report(span, "`triggers`".to_string());
    }
    if let Some(mode) = &pipeline.execution_mode {
        if mode.value == "QUEUED" || mode.value == "PARALLEL" {
            report(mode.span, format!("executionMode {}", mode.value));
        }
    }
    for stage in &pipeline.stages {
        for feature in &stage.v2_features {
            report(
                feature.span,
                format!("`{}` on stage `{}`", feature.value, stage.display_name()),
            );
        }
    }
    // The action reference marks each V2-only provider on its page ("The Commands action is
    // only available for V2 type pipelines", "The EKS deploy action is only available for V2
    // type pipelines", …): the catalogue keeps that sentence.
    for (_, _, action) in pipeline.actions() {
        let info = lookup(action.category(), action.owner(), action.provider());
        if info.is_some_and(|info| info.v2_only.is_some()) {
            let span = action.provider_anchor();
            report(
                span,
                format!(
                    "the {} action `{}`",
                    action.provider(),
                    action.display_name()
                ),
            );
        }
    }
}
