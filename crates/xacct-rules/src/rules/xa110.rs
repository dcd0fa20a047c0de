//! XA110 source-cross-region: a source, third-party or custom action in another region.

use crate::registry::{declare_rule, Check};
use crate::rules::PipelineContext;
use crate::Diagnostic;

declare_rule!(
    "XA110",
    "source-cross-region",
    Error,
    "A Source, ThirdParty or Custom action has a region other than the pipeline's.",
    Check::Pipeline(check)
);

fn check(cx: &PipelineContext<'_>, out: &mut Vec<Diagnostic>) {
    let Some(home) = &cx.accounts.region else {
        return;
    };
    for (_, _, action) in cx.pipeline().actions() {
        let Some(region) = &action.region else {
            continue;
        };
        let Some(kind) = never_cross_region(action) else {
            continue;
        };
        if region.value != home.value {
            out.push(
                cx.diag(
                    &RULE,
                    region.span,
                    format!(
                        "{kind} action `{}` is set to region {}, but the pipeline is in {}; {kind} actions cannot be cross-region",
                        action.display_name(),
                        region.value,
                        home.value
                    ),
                )
                .label_opt(home.origin.span(), "pipeline region")
                .help(format!("remove `region` or set it to {}", home.value)),
            );
        }
    }
}

/// What kind of action `action` is when it can never run in another region than the
/// pipeline's ("source", "custom", "third-party"): the one finding for such an action with a
/// foreign `region` is this rule's, not XA104's about its store.
pub(crate) fn never_cross_region(action: &xacct_model::Action) -> Option<&'static str> {
    if action.category() == "Source" {
        Some("source")
    } else if action.owner() == "Custom" {
        Some("custom")
    } else if action.owner() == "ThirdParty" {
        Some("third-party")
    } else {
        None
    }
}
