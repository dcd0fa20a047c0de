//! XA106 artifact-count: input or output artifact counts outside what the provider takes.

use xacct_model::providers::{lookup, Count};
use xacct_model::Action;
use xacct_syntax::Span;

use crate::registry::{declare_rule, Check};
use crate::rules::PipelineContext;
use crate::Diagnostic;

declare_rule!(
    "XA106",
    "artifact-count",
    Error,
    "An action has more or fewer input or output artifacts than its provider takes.",
    Check::Pipeline(check)
);

fn range(count: Count) -> String {
    match count {
        (0, 0) => "none".to_string(),
        (lo, hi) if lo == hi => format!("exactly {lo}"),
        (lo, hi) => format!("{lo} to {hi}"),
    }
}

fn check_list(
    cx: &PipelineContext<'_>,
    action: &Action,
    what: &str,
    len: usize,
    allowed: Option<Count>,
    span: Option<Span>,
    out: &mut Vec<Diagnostic>,
) {
    let Some((lo, hi)) = allowed else { return };
    if (lo as usize..=hi as usize).contains(&len) {
        return;
    }
    out.push(
        cx.diag(
            &RULE,
            span.unwrap_or(action.anchor()),
            format!(
                "action `{}` ({} {}) has {len} {what} artifact{}; the provider takes {}",
                action.display_name(),
                action.owner(),
                action.provider(),
                if len == 1 { "" } else { "s" },
                range((lo, hi))
            ),
        )
        .help(format!(
            "give the action {} {what} artifact{}",
            range((lo, hi)),
            if hi == 1 { "" } else { "s" }
        )),
    );
}

fn check(cx: &PipelineContext<'_>, out: &mut Vec<Diagnostic>) {
    for (_, _, action) in cx.pipeline().actions() {
        let Some(info) = lookup(action.category(), action.owner(), action.provider()) else {
            continue;
        };
        check_list(
            cx,
            action,
            "input",
            action.inputs.len(),
            info.inputs,
            action.inputs_span,
            out,
        );
        check_list(
            cx,
            action,
            "output",
            action.outputs.len(),
            info.outputs,
            action.outputs_span,
            out,
        );
    }
}
