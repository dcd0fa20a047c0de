//! XA302 kms-alias-cross-account: the store key is named by an alias while actions run in
//! other accounts.

use xacct_model::KeyRef;

use crate::registry::{declare_rule, Check};
use crate::rules::PipelineContext;
use crate::Diagnostic;

declare_rule!(
    "XA302",
    "kms-alias-cross-account",
    Error,
    "With cross-account actions, the store key is an alias name or alias ARN: aliases resolve only in the key's account, and CodePipeline takes only a key ID or key ARN for cross-account actions.",
    Check::Pipeline(check)
);

fn check(cx: &PipelineContext<'_>, out: &mut Vec<Diagnostic>) {
    for store in cx.store_uses() {
        if store.foreign.is_empty() {
            continue;
        }
        let Some((key, span)) = store.key() else {
            continue;
        };
        // AWS managed keys are XA305's finding.
        if key.is_aws_managed() {
            continue;
        }
        let why = match &key {
            KeyRef::AliasName { name } => format!("`alias/{name}` is looked up in the account of the caller, so {} finds no such key (or another one)", store.foreign_summary()),
            // The walkthrough: "For cross-account actions, you can only use the key ID or key
            // ARN to identify the key." An alias ARN fails as an alias name does.
            KeyRef::AliasArn { .. } => format!("aliases are recognised only in the account that created the key, and {} runs elsewhere", store.foreign_summary()),
            KeyRef::KeyArn { .. } | KeyRef::KeyId(_) => continue,
        };
        let mut diag = cx.diag(
            &RULE,
            span,
            format!("the key of {} is an alias: {why}", store.describe()),
        );
        if let Some((label_span, message)) = store.first_foreign_label() {
            diag = diag.label(label_span, message);
        }
        out.push(diag.help("name the key by its key ARN, `arn:aws:kms:REGION:ACCOUNT:key/KEY-ID`: the walkthrough says aliases \"are recognized only in the account that created the KMS key\""));
    }
}
