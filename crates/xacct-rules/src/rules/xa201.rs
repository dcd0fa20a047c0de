//! XA201 artifact-crosses-foreign-accounts: an artifact handed between two accounts, neither
//! of which is the pipeline account.

use crate::registry::{declare_rule, Check};
use crate::rules::PipelineContext;
use crate::Diagnostic;

declare_rule!(
    "XA201",
    "artifact-crosses-foreign-accounts",
    Error,
    "An action consumes an artifact produced in another account, and neither account is the pipeline account.",
    Check::Pipeline(check)
);

fn check(cx: &PipelineContext<'_>, out: &mut Vec<Diagnostic>) {
    let Some(home) = cx.home() else { return };
    for (s, a, consumer) in cx.pipeline().actions() {
        let Some(consumer_account) = &cx.accounts.of(s, a).account else {
            continue;
        };
        let consumer_account = consumer_account.value;
        if consumer_account == home {
            continue;
        }
        for input in &consumer.inputs {
            let Some((at, output)) = cx.producer_for(&input.value, (s, a)) else {
                continue;
            };
            let Some(producer_account) = &cx.accounts.of(at.0, at.1).account else {
                continue;
            };
            let producer_account = producer_account.value;
            if producer_account == home || producer_account == consumer_account {
                continue;
            }
            let producer = cx.action(at);
            out.push(
                cx.diag(
                    &RULE,
                    input.span,
                    format!(
                        "artifact `{}` is produced in account {producer_account} (action `{}`) and consumed in account {consumer_account} (action `{}`); neither is the pipeline account {home}",
                        input.value,
                        producer.display_name(),
                        consumer.display_name()
                    ),
                )
                .label(output.span, format!("produced here, in account {producer_account}"))
                .help(format!(
                    "produce `{}` in the pipeline account {home} (drop the producing action's `roleArn` or use a role in {home}), or run `{}` in account {producer_account}; CodePipeline hands artifacts between accounts only through the pipeline account",
                    input.value,
                    consumer.display_name()
                )),
            );
        }
    }
}
