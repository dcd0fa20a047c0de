//! XA303 kms-key-id-cross-account: the store key is a bare key ID while actions run in other
//! accounts.

use xacct_model::KeyRef;

use crate::registry::{declare_rule, Check};
use crate::rules::PipelineContext;
use crate::Diagnostic;

declare_rule!(
    "XA303",
    "kms-key-id-cross-account",
    Error,
    "With cross-account actions, the store key is a bare key ID, which resolves in the action's account.",
    Check::Pipeline(check)
);

fn check(cx: &PipelineContext<'_>, out: &mut Vec<Diagnostic>) {
    let Some(home) = cx.home() else { return };
    for store in cx.store_uses() {
        if store.foreign.is_empty() {
            continue;
        }
        let Some((KeyRef::KeyId(id), span)) = store.key() else {
            continue;
        };
        let mut diag = cx.diag(
            &RULE,
            span,
            format!(
                "the key of {} is the bare key ID `{id}`, which {} looks up in its own account (KMS.NotFoundException)",
                store.describe(),
                store.foreign_summary()
            ),
        );
        if let Some((label_span, message)) = store.first_foreign_label() {
            diag = diag.label(label_span, message);
        }
        let region = store.region.unwrap_or("REGION");
        out.push(diag.help(format!(
            "use the key ARN: `arn:aws:kms:{region}:{home}:key/{id}`"
        )));
    }
}
