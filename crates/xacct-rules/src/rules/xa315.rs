//! XA315 s3-deploy-key-format: a cross-account S3 deploy action names its key by alias or ID.

use xacct_model::KeyRef;

use crate::registry::{declare_rule, Check};
use crate::rules::{has_variable, PipelineContext};
use crate::{Diagnostic, Severity};

declare_rule!(
    "XA315",
    "s3-deploy-key-format",
    Error,
    "An S3 deploy action's KMSEncryptionKeyARN is an alias name or key ID (error), or an alias ARN of another account (warning), while the action is cross-account.",
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
        let Some(runs_in) = placement.account.as_ref().map(|a| a.value) else {
            continue;
        };
        let label = (
            action.role_arn.as_ref().map(|r| r.span),
            format!("the action runs in account {runs_in}"),
        );
        let help = "name the key by its key ARN, `arn:aws:kms:REGION:ACCOUNT:key/KEY-ID`";
        let form = match KeyRef::parse(&key.value) {
            Ok(KeyRef::AliasName { .. }) => "an alias name",
            Ok(KeyRef::KeyId(_)) => "a bare key ID",
            // An alias ARN names the account whose alias it is: in the action's own account it
            // resolves there; elsewhere it is the doubtful form XA302 warns about for the store
            // key (aliases are recognised only in the account that created the key).
            Ok(KeyRef::AliasArn {
                account: Some(alias_account),
                ..
            }) if alias_account != runs_in => {
                out.push(
                    cx.diag(&RULE, key.span, format!(
                        "`KMSEncryptionKeyARN` of S3 deploy action `{}` is an alias ARN of account {alias_account}, but the action runs in account {runs_in}: aliases are recognised only in the account that created the key",
                        action.display_name()
                    ))
                    .severity(Severity::Warning)
                    .label_opt(label.0, label.1)
                    .help(help),
                );
                continue;
            }
            _ => continue,
        };
        out.push(
            cx.diag(&RULE, key.span, format!(
                "`KMSEncryptionKeyARN` of S3 deploy action `{}` is {form}, which KMS resolves in account {runs_in}, where the action runs: a key of another account is not found there (or another key is used)",
                action.display_name()
            ))
            .label_opt(label.0, label.1)
            .help(help),
        );
    }
}
