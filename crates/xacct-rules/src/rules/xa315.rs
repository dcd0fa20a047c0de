//! XA315 s3-deploy-key-format: a cross-account S3 deploy action names its key by alias or ID.

use xacct_model::KeyRef;

use crate::registry::{declare_rule, Check};
use crate::rules::{has_variable, PipelineContext};
use crate::Diagnostic;

declare_rule!(
    "XA315",
    "s3-deploy-key-format",
    Error,
    "An S3 deploy action's KMSEncryptionKeyARN is an alias or key ID while the action is cross-account.",
    Check::Pipeline(check)
);

fn check(cx: &PipelineContext<'_>, out: &mut Vec<Diagnostic>) {
    for (_, _, action, placement) in cx.accounts.foreign_actions(cx.pipeline()) {
        if !(action.is("AWS", "S3") && action.category() == "Deploy") {
            continue;
        }
        let Some(key) = action.config("KMSEncryptionKeyARN") else {
            continue;
        };
        if has_variable(&key.value) {
            continue;
        }
        let form = match KeyRef::parse(&key.value) {
            Ok(KeyRef::AliasName { .. }) => "an alias name",
            Ok(KeyRef::AliasArn { .. }) => "an alias ARN",
            Ok(KeyRef::KeyId(_)) => "a bare key ID",
            _ => continue,
        };
        let account = placement
            .account
            .as_ref()
            .map(|a| a.value.to_string())
            .unwrap_or_default();
        out.push(
            cx.diag(&RULE, key.span, format!(
                "`KMSEncryptionKeyARN` of S3 deploy action `{}` is {form}, resolved in account {account} where the action runs, not in the key's account",
                action.display_name()
            ))
            .label_opt(action.role_arn.as_ref().map(|r| r.span), format!("the action runs in account {account}"))
            .help("name the key by its key ARN, `arn:aws:kms:REGION:ACCOUNT:key/KEY-ID`"),
        );
    }
}
