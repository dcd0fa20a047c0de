//! XA109 template-path-not-input: a CloudFormation template path names an artifact the action
//! does not take as input.

use crate::registry::{declare_rule, Check};
use crate::rules::{has_variable, PipelineContext};
use crate::Diagnostic;

declare_rule!(
    "XA109",
    "template-path-not-input",
    Error,
    "A CloudFormation action's TemplatePath or TemplateConfiguration names an artifact that is not one of its inputs.",
    Check::Pipeline(check)
);

const PATH_KEYS: &[&str] = &["TemplatePath", "TemplateConfiguration"];

fn check(cx: &PipelineContext<'_>, out: &mut Vec<Diagnostic>) {
    for (_, _, action) in cx.pipeline().actions() {
        if !(action.is("AWS", "CloudFormation") || action.is("AWS", "CloudFormationStackSet")) {
            continue;
        }
        for key in PATH_KEYS {
            let Some(value) = action.config(key) else {
                continue;
            };
            if has_variable(&value.value) {
                continue;
            }
            let Some((artifact, path)) = value.value.split_once("::") else {
                out.push(
                    cx.diag(
                        &RULE,
                        value.span,
                        format!(
                            "`{key}` `{}` is not of the form `ArtifactName::path/in/artifact`",
                            value.value
                        ),
                    )
                    .help(format!(
                        "write `{key}` as `INPUT_ARTIFACT::{}`",
                        value.value
                    )),
                );
                continue;
            };
            if action.inputs.iter().any(|i| i.value == artifact) {
                continue;
            }
            let inputs: Vec<String> = action
                .inputs
                .iter()
                .map(|i| format!("`{}`", i.value))
                .collect();
            let inputs = if inputs.is_empty() {
                "none".to_string()
            } else {
                inputs.join(", ")
            };
            out.push(
                cx.diag(
                    &RULE,
                    value.span,
                    format!(
                        "`{key}` of action `{}` reads artifact `{artifact}`, which is not one of its input artifacts ({inputs})",
                        action.display_name()
                    ),
                )
                .label_opt(action.inputs_span, "input artifacts declared here")
                .help(format!("add `{{\"name\": \"{artifact}\"}}` to `inputArtifacts`, or point `{key}` at an input: `ARTIFACT::{path}`")),
            );
        }
    }
}
