//! XA315 s3-deploy-key-format: a cross-account S3 deploy action names its key by alias or ID.

use xacct_model::KeyRef;

use crate::registry::{declare_rule, Check};
use crate::rules::{has_variable, replace_value, PipelineContext};
use crate::{Diagnostic, Fix, Severity};

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
            // A key ID resolves in the action's account, which the action reference allows for
            // cross-account actions ("you can only use the key ID or key ARN"): right for a
            // key of that account. Wrong only where the pipeline shows the key with that ID is
            // another account's; else the key's account is unknown and the rule stays silent.
            Ok(KeyRef::KeyId(id)) => {
                let Some((arn, owner)) = keys_by_arn(cx)
                    .into_iter()
                    .find(|(_, (key_id, owner))| *key_id == id && *owner != runs_in)
                    .map(|(arn, (_, owner))| (arn, owner))
                else {
                    continue;
                };
                out.push(
                    cx.diag(&RULE, key.span, format!(
                        "`KMSEncryptionKeyARN` of S3 deploy action `{}` is a bare key ID, which KMS resolves in account {runs_in}, where the action runs; but the key with that ID is `{arn}`, of account {owner}, and is not found there (or another key is used)",
                        action.display_name()
                    ))
                    .label_opt(label.0, label.1)
                    .help(format!("name the key by its key ARN, `{arn}`"))
                    .fix_opt(replace_value(cx.file, key.span, &key.value, arn).map(|edit| {
                        Fix::safe(format!("Name the key by its key ARN `{arn}`"), vec![edit])
                    })),
                );
                continue;
            }
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

/// The keys the pipeline names by key ARN (its stores' keys, other actions' keys), with their
/// key IDs and accounts.
fn keys_by_arn<'p>(cx: &PipelineContext<'p>) -> Vec<(&'p str, (String, xacct_model::AccountId))> {
    let pipeline = cx.pipeline();
    let stores = pipeline
        .artifact_store
        .iter()
        .map(|s| &s.value)
        .chain(
            pipeline
                .artifact_stores
                .iter()
                .flat_map(|m| m.value.iter().map(|r| &r.store)),
        )
        .filter_map(|s| s.encryption_key.as_ref());
    let actions = pipeline
        .actions()
        .filter_map(|(_, _, a)| a.config("KMSEncryptionKeyARN"));
    stores
        .chain(actions)
        .filter_map(|k| match KeyRef::parse(&k.value) {
            Ok(KeyRef::KeyArn {
                account: Some(account),
                key_id,
                ..
            }) => Some((k.value.as_str(), (key_id, account))),
            _ => None,
        })
        .collect()
}
