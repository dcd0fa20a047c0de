//! XA304 kms-key-region-mismatch: the store key is in another region than the store.

use crate::registry::{declare_rule, Check};
use crate::rules::PipelineContext;
use crate::Diagnostic;

declare_rule!(
    "XA304",
    "kms-key-region-mismatch",
    Error,
    "The key's region is not the region of the artifact store that uses it.",
    Check::Pipeline(check)
);

fn check(cx: &PipelineContext<'_>, out: &mut Vec<Diagnostic>) {
    for store in cx.store_uses() {
        let Some(store_region) = store.region else {
            continue;
        };
        let Some((key, span)) = store.key() else {
            continue;
        };
        let Some(key_region) = key.region() else {
            continue;
        };
        if key_region == store_region {
            continue;
        }
        let origin = match (store.region_span, &cx.accounts.region) {
            (Some(region_span), _) => Some((region_span, "the store's region".to_string())),
            (None, Some(home)) => home
                .origin
                .span()
                .map(|s| (s, "the pipeline's region comes from here".to_string())),
            _ => None,
        };
        let mut diag = cx.diag(
            &RULE,
            span,
            format!("the key of {} is in region {key_region}, but the store is in {store_region}; KMS keys are regional", store.describe()),
        );
        if let Some((label_span, message)) = origin {
            diag = diag.label(label_span, message);
        }
        out.push(diag.help(format!(
            "use a key created in {store_region} (a multi-Region replica key works too); artifacts in {store_region} cannot be encrypted with a key in {key_region}"
        )));
    }
}
