//! XA306 key-outside-pipeline-account: the store key belongs to another account.

use crate::registry::{declare_rule, Check};
use crate::rules::PipelineContext;
use crate::Diagnostic;

declare_rule!(
    "XA306",
    "key-outside-pipeline-account",
    Warning,
    "The artifact store key is not in the pipeline account.",
    Check::Pipeline(check)
);

fn check(cx: &PipelineContext<'_>, out: &mut Vec<Diagnostic>) {
    let Some(home) = &cx.accounts.pipeline else {
        return;
    };
    for store in cx.store_uses() {
        let Some((key, span)) = store.key() else {
            continue;
        };
        let Some(key_account) = key.account() else {
            continue;
        };
        if key_account == home.value {
            continue;
        }
        out.push(
            cx.diag(
                &RULE,
                span,
                format!("the key of {} is in account {key_account}, not in the pipeline account {}", store.describe(), home.value),
            )
            .label_opt(home.origin.span(), format!("the pipeline account {} comes from here", home.value))
            .help(format!(
                "create the artifact key in the pipeline account {} and grant the other accounts in its key policy; a key owned elsewhere makes every artifact depend on another account's key policy",
                home.value
            )),
        );
    }
}
