//! XA101 artifact-not-produced: an input artifact no earlier action produces.

use crate::registry::{declare_rule, Check};
use crate::rules::PipelineContext;
use crate::Diagnostic;

declare_rule!(
    "XA101",
    "artifact-not-produced",
    Error,
    "An input artifact is not produced by an action that runs before the action consuming it.",
    Check::Pipeline(check)
);

fn check(cx: &PipelineContext<'_>, out: &mut Vec<Diagnostic>) {
    for (s, a, action) in cx.pipeline().actions() {
        for input in &action.inputs {
            let name = input.as_str();
            if cx.producer_for(name, (s, a)).is_some() {
                continue;
            }
            let consumer = action.display_name();
            let diag = match cx.producers.get(name).and_then(|p| p.first()) {
                Some(&(at, output)) => {
                    let producer = cx.action(at);
                    let when = if at.0 == s {
                        format!(
                            "in the same stage with runOrder {} (not lower than {})",
                            producer.run_order(),
                            action.run_order()
                        )
                    } else {
                        format!(
                            "in the later stage `{}`",
                            cx.pipeline().stages[at.0].display_name()
                        )
                    };
                    cx.diag(
                        &RULE,
                        input.span,
                        format!(
                            "input artifact `{name}` of action `{consumer}` is produced by action `{}`, which runs {when}",
                            producer.display_name()
                        ),
                    )
                    .label(output.span, format!("produced here, by action `{}`", producer.display_name()))
                    .help(format!(
                        "move action `{}` before `{consumer}`: into an earlier stage, or give it a lower runOrder",
                        producer.display_name()
                    ))
                }
                None => {
                    let similar = cx.producers.keys().find(|k| k.eq_ignore_ascii_case(name));
                    let help = match similar {
                        Some(k) => format!("artifact names are case-sensitive: did you mean `{k}`?"),
                        None => "name an output artifact of an earlier action, or add the action that produces it".to_string(),
                    };
                    cx.diag(
                        &RULE,
                        input.span,
                        format!("input artifact `{name}` of action `{consumer}` is not produced by any action of the pipeline"),
                    )
                    .help(help)
                }
            };
            out.push(diag);
        }
    }
}
