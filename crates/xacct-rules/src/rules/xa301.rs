//! XA301 cross-account-without-cmk: cross-account actions with the default `aws/s3` key.

use crate::registry::{declare_rule, Check};
use crate::rules::PipelineContext;
use crate::Diagnostic;

declare_rule!(
    "XA301",
    "cross-account-without-cmk",
    Error,
    "A cross-account action's artifact store has no encryptionKey: the default aws/s3 key cannot be used by other accounts.",
    Check::Pipeline(check)
);

fn check(cx: &PipelineContext<'_>, out: &mut Vec<Diagnostic>) {
    let Some(home) = cx.home() else { return };
    for store in cx.store_uses() {
        if store.foreign.is_empty() || store.store.encryption_key.is_some() {
            continue;
        }
        let region = store.region.unwrap_or("the pipeline's region");
        let mut diag = cx.diag(
            &RULE,
            store.anchor,
            format!(
                "{} has no `encryptionKey`, but {} runs in another account; artifacts encrypted with the default `aws/s3` key of {home} cannot be decrypted there",
                store.describe(),
                store.foreign_summary()
            ),
        );
        if let Some((span, message)) = store.first_foreign_label() {
            diag = diag.label(span, message);
        }
        out.push(diag.help(format!(
            "create a customer managed KMS key in account {home} ({region}), allow the other accounts to use it in its key policy, and add `\"encryptionKey\": {{\"id\": \"<key ARN>\", \"type\": \"KMS\"}}` to the store"
        )));
    }
}
