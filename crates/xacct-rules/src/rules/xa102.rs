//! XA102 duplicate-name: two stages, two actions of a stage, or two output artifacts share a name.

use std::collections::HashMap;

use xacct_model::Spanned;

use crate::registry::{declare_rule, Check};
use crate::rules::PipelineContext;
use crate::Diagnostic;

declare_rule!(
    "XA102",
    "duplicate-name",
    Error,
    "Two stages, two actions in one stage, or two output artifacts share a name.",
    Check::Pipeline(check)
);

/// Each name that repeats an earlier one, with the earliest.
fn duplicates<'a>(
    names: impl Iterator<Item = &'a Spanned<xacct_model::Text>>,
) -> Vec<(
    &'a Spanned<xacct_model::Text>,
    &'a Spanned<xacct_model::Text>,
)> {
    let names: Vec<&Spanned<xacct_model::Text>> = names.collect();
    let mut found = Vec::new();
    // A stage holds a handful of actions: scanning back is cheaper than hashing them.
    if names.len() <= 32 {
        for (i, name) in names.iter().enumerate() {
            if let Some(first) = names[..i].iter().find(|n| n.value == name.value) {
                found.push((*first, *name));
            }
        }
        return found;
    }
    let mut seen: HashMap<&str, &Spanned<xacct_model::Text>> = HashMap::new();
    for name in names {
        match seen.get(name.as_str()) {
            Some(first) => found.push((*first, name)),
            None => {
                seen.insert(name.as_str(), name);
            }
        }
    }
    found
}

fn check(cx: &PipelineContext<'_>, out: &mut Vec<Diagnostic>) {
    let pipeline = cx.pipeline();
    for (first, again) in duplicates(pipeline.stages.iter().filter_map(|s| s.name.as_ref())) {
        out.push(
            cx.diag(
                &RULE,
                again.span,
                format!("stage name `{}` is used twice", again.value),
            )
            .label(first.span, "first used here")
            .help("stage names must be unique within a pipeline; rename one of the stages"),
        );
    }
    for stage in &pipeline.stages {
        for (first, again) in duplicates(stage.actions.iter().filter_map(|a| a.name.as_ref())) {
            out.push(
                cx.diag(
                    &RULE,
                    again.span,
                    format!(
                        "action name `{}` is used twice in stage `{}`",
                        again.value,
                        stage.display_name()
                    ),
                )
                .label(first.span, "first used here")
                .help("action names must be unique within a stage; rename one of the actions"),
            );
        }
    }
    let outputs = pipeline
        .actions()
        .flat_map(|(_, _, action)| action.outputs.iter());
    for (first, again) in duplicates(outputs) {
        out.push(
            cx.diag(
                &RULE,
                again.span,
                format!("output artifact `{}` is produced twice", again.value),
            )
            .label(first.span, "first produced here")
            .help(
                "output artifact names must be unique within a pipeline; rename one of the outputs",
            ),
        );
    }
}
