//! XA316 key-policy-resource-never-matches: a key policy's `Resource` names something other
//! than the key it is attached to, so its statement never applies.

use xacct_model::policy::ValueBlock;
use xacct_model::policy_file::PolicyKind;
use xacct_model::workspace::Governs;
use xacct_model::Arn;

use crate::registry::{declare_rule, Check};
use crate::rules::WorkspaceContext;
use crate::rules::{has_variable, policy_kind, resource_matches, written_statements};
use crate::Diagnostic;

declare_rule!(
    "XA316",
    "key-policy-resource-never-matches",
    Warning,
    "A key policy's Resource is neither \"*\" nor the key's ARN (an alias, another key, another service's ARN): the statement never applies.",
    Check::Workspace(check)
);

/// Why a `Resource` value of a key policy never names the key, when it certainly does not:
/// `key` is the key's ARN when the run knows it whole.
fn never_the_key(value: &str, key: Option<&str>, key_account: Option<&str>) -> Option<String> {
    // Another service's ARN never names a key, wildcards in its resource or not.
    if let Ok(arn) = Arn::parse(value) {
        if arn.service != "kms" && !arn.service.contains(['*', '?', '$']) {
            return Some(format!("an ARN of `{}`, not of a KMS key", arn.service));
        }
    }
    if value.contains(['*', '?']) || has_variable(value) || value.contains("${") {
        // Patterns are judged only against a key known whole.
        let key = key?;
        let single = ValueBlock {
            negated: false,
            key_span: Default::default(),
            values: vec![xacct_model::Spanned::new(
                xacct_model::Text::from(value),
                Default::default(),
            )],
        };
        return (!has_variable(value) && !resource_matches(&single, key))
            .then(|| format!("a pattern that does not match this key's ARN `{key}`"));
    }
    let Ok(arn) = Arn::parse(value) else {
        return Some(if value.starts_with("alias/") {
            "an alias name, but a key policy's resource is the key itself".to_string()
        } else {
            "no ARN (a request names the key by its ARN)".to_string()
        });
    };
    if arn.service != "kms" {
        return Some(format!("an ARN of `{}`, not of a KMS key", arn.service));
    }
    let (kind, _) = arn.resource_type();
    if kind == "alias" {
        return Some("an alias ARN, but a key policy's resource is the key itself".to_string());
    }
    if let Some(key) = key {
        return (value != key).then(|| format!("another key's ARN (this policy's key is `{key}`)"));
    }
    match key_account {
        Some(account) if arn.account_id().is_some() && arn.account != account => Some(format!(
            "a key of account {}, and this policy's key is in account {account}",
            arn.account
        )),
        _ => None,
    }
}

fn check(cx: &WorkspaceContext<'_>, out: &mut Vec<Diagnostic>) {
    for (unit, statement) in written_statements(cx.workspace) {
        if policy_kind(unit) != Some(PolicyKind::Key) {
            continue;
        }
        let Some(block) = statement.resource.as_ref().filter(|b| !b.negated) else {
            continue;
        };
        let key = match &unit.governs {
            Some(Governs::Key(arn)) => Some(arn.as_str()),
            _ => None,
        };
        let key_arn = key.and_then(|k| Arn::parse(k).ok());
        let key_account = key_arn
            .as_ref()
            .filter(|a| a.account_id().is_some())
            .map(|a| a.account);
        // Only a key ARN known whole (a binding may name an alias) is compared with.
        let whole = key.filter(|k| {
            !has_variable(k)
                && key_arn
                    .as_ref()
                    .is_some_and(|a| a.resource_type().0 == "key")
        });
        // One value that names the key is enough for the statement to apply.
        if block.values.iter().any(|v| v.value == "*")
            || block
                .values
                .iter()
                .any(|v| never_the_key(&v.value, whole, key_account).is_none())
        {
            continue;
        }
        for value in &block.values {
            let Some(why) = never_the_key(&value.value, whole, key_account) else {
                continue;
            };
            out.push(
                cx.diag(
                    &RULE,
                    unit.file,
                    value.span,
                    format!(
                        "this key policy statement never applies: its resource `{}` is {why}",
                        value.value
                    ),
                )
                .help("write \"Resource\": \"*\": in a key policy, \"*\" means the key the policy is attached to"),
            );
        }
    }
}
