//! XA305 aws-managed-key-cross-account: an AWS managed key with cross-account actions.

use crate::registry::{declare_rule, Check};
use crate::rules::PipelineContext;
use crate::Diagnostic;

declare_rule!(
    "XA305",
    "aws-managed-key-cross-account",
    Error,
    "The store key is an AWS managed key (alias/aws/s3) while actions run in other accounts.",
    Check::Pipeline(check)
);

fn check(cx: &PipelineContext<'_>, out: &mut Vec<Diagnostic>) {
    let Some(home) = cx.home() else { return };
    for store in cx.store_uses() {
        if store.foreign.is_empty() {
            continue;
        }
        let Some((key, span)) = store.key() else {
            continue;
        };
        if !key.is_aws_managed() {
            continue;
        }
        let mut diag = cx.diag(
            &RULE,
            span,
            format!(
                "the key of {} is an AWS managed key, whose key policy cannot grant other accounts, but {} runs in another account",
                store.describe(),
                store.foreign_summary()
            ),
        );
        if let Some((label_span, message)) = store.first_foreign_label() {
            diag = diag.label(label_span, message);
        }
        out.push(diag.help(format!(
            "create a customer managed key in {home}, grant the other accounts in its key policy, and name it here by its key ARN"
        )));
    }
}
