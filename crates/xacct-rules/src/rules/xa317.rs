//! XA317 key-policy-lockout: no statement of a key policy lets a principal of the key's own
//! account call `kms:PutKeyPolicy`, so KMS's policy lockout safety check refuses the policy.

use xacct_model::policy::{PrincipalKind, Statement};
use xacct_model::policy_file::PolicyKind;
use xacct_model::workspace::{Governs, PolicyUnit};
use xacct_model::{AccountId, Arn};

use crate::registry::{declare_rule, Check};
use crate::rules::{action_matches, has_variable, policy_kind, written_by_aws, WorkspaceContext};
use crate::Diagnostic;

declare_rule!(
    "XA317",
    "key-policy-lockout",
    Error,
    "No statement of a key policy allows kms:PutKeyPolicy to a principal of the key's account: KMS refuses the policy (\"The new key policy will not allow you to update the key policy in the future\") unless BypassPolicyLockoutSafetyCheck is set.",
    Check::Workspace(check)
);

/// The key's account as its ARN writes it (twelve digits, or a placeholder of the template),
/// when the run knows which key the policy is attached to.
fn key_account(unit: &PolicyUnit) -> Option<&str> {
    let Some(Governs::Key(arn)) = &unit.governs else {
        return None;
    };
    let account = Arn::parse(arn).ok()?.account;
    (!account.is_empty()).then_some(account)
}

/// True when an account as a principal writes it may be `key_account`: unknown on either side
/// (a placeholder is equal only to itself), or the same.
fn may_be(account: &str, key_account: Option<&str>) -> bool {
    match key_account {
        None => true,
        Some(key) if account == key => true,
        Some(key) => !(AccountId::parse(account).is_some() && AccountId::parse(key).is_some()),
    }
}

/// True when the statement may name a principal of the key's account: the caller of
/// `PutKeyPolicy` is always one ("Cross-account use: No").
fn may_name_own_principal(statement: &Statement, key_account: Option<&str>) -> bool {
    let Some(block) = &statement.principal else {
        return false;
    };
    if block.negated {
        return true;
    }
    block.entries.iter().any(|entry| {
        let value = entry.value.value.as_str();
        match entry.kind {
            PrincipalKind::Everyone => true,
            // A service principal is never the caller of `PutKeyPolicy` in the key's account.
            PrincipalKind::Service => false,
            PrincipalKind::Federated | PrincipalKind::CanonicalUser => true,
            PrincipalKind::Aws => {
                if value == "*" || has_variable(value) || value.contains("${") {
                    return true;
                }
                if AccountId::parse(value).is_some() {
                    return may_be(value, key_account);
                }
                match Arn::parse(value) {
                    Ok(arn) if !arn.account.contains(['*', '?']) => {
                        may_be(arn.account, key_account)
                    }
                    // Malformed or wildcarded: not judged here (XA905 says what is wrong).
                    _ => true,
                }
            }
        }
    })
}

/// True when the statement may allow `kms:PutKeyPolicy`: an Allow (or an effect XA003
/// reports) whose actions cover it. Conditions and `Resource` are not judged: either could
/// hold for the caller.
fn may_allow_put_key_policy(statement: &Statement) -> bool {
    if statement.denies() {
        return false;
    }
    let Some(block) = &statement.action else {
        return false;
    };
    let unjudged = block
        .values
        .iter()
        .any(|v| has_variable(&v.value) || v.value.contains("${"));
    unjudged || action_matches(block, "kms:PutKeyPolicy")
}

fn check(cx: &WorkspaceContext<'_>, out: &mut Vec<Diagnostic>) {
    let mut seen = std::collections::HashSet::new();
    for unit in &cx.workspace.policies {
        if policy_kind(unit) != Some(PolicyKind::Key)
            || unit.entry.bypass_lockout_check
            || written_by_aws(unit)
        {
            continue;
        }
        let document = unit.document();
        // The policy of an AWS managed key (`Id` `auto-s3-2`, `auto-codepipeline-1`…) is AWS's:
        // by design nobody changes it, and nobody writes it.
        let aws_managed_key = document
            .id
            .as_ref()
            .is_some_and(|id| id.value.starts_with("auto-"));
        if aws_managed_key
            || document.statements.is_empty()
            || document
                .statements
                .iter()
                .any(xacct_model::managed::is_stand_in)
            || !seen.insert((unit.file, document.span.start))
        {
            continue;
        }
        let account = key_account(unit);
        let manageable = document
            .statements
            .iter()
            .any(|s| may_allow_put_key_policy(s) && may_name_own_principal(s, account));
        if manageable {
            continue;
        }
        let (whose, root) = match account.filter(|a| AccountId::parse(a).is_some()) {
            Some(account) => (
                format!("of the key's account {account}"),
                format!("arn:aws:iam::{account}:root"),
            ),
            None => (
                "of the key's account".to_string(),
                "arn:aws:iam::ACCOUNT:root".to_string(),
            ),
        };
        let span = document.statement_key.unwrap_or(xacct_syntax::Span::new(
            document.span.start,
            document.span.start + 1,
        ));
        out.push(
            cx.diag(
                &RULE,
                unit.file,
                span,
                format!(
                    "no statement of this key policy allows kms:PutKeyPolicy to a principal {whose}: KMS refuses the policy unless BypassPolicyLockoutSafetyCheck is set (\"The new key policy will not allow you to update the key policy in the future\"), and with it set no principal could change the policy again"
                ),
            )
            .help(format!(
                "add the statement KMS's default key policy has: {{\"Sid\": \"Enable IAM User Permissions\", \"Effect\": \"Allow\", \"Principal\": {{\"AWS\": \"{root}\"}}, \"Action\": \"kms:*\", \"Resource\": \"*\"}}"
            )),
        );
    }
}

#[cfg(test)]
mod tests {
    use xacct_model::policy::load_policy;

    use super::{may_allow_put_key_policy, may_name_own_principal};

    /// Whether some statement of `policy` lets a principal of `account` manage the key.
    fn manageable(policy: &str, account: Option<&str>) -> bool {
        let parsed = xacct_syntax::json::parse(policy).unwrap();
        let (document, _) = load_policy(&parsed.root);
        document
            .statements
            .iter()
            .any(|s| may_allow_put_key_policy(s) && may_name_own_principal(s, account))
    }

    fn statement(principal: &str, action: &str) -> String {
        format!(
            r#"{{"Statement": [{{"Effect": "Allow", "Principal": {principal}, {action}, "Resource": "*"}}]}}"#
        )
    }

    #[test]
    fn the_account_root_or_a_role_of_it_with_put_key_policy_manages_the_key() {
        let own = Some("111111111111");
        let root = r#"{"AWS": "arn:aws:iam::111111111111:root"}"#;
        assert!(manageable(&statement(root, r#""Action": "kms:*""#), own));
        assert!(manageable(&statement(root, r#""Action": "KMS:put*""#), own));
        assert!(manageable(
            &statement(root, r#""NotAction": "kms:Decrypt""#),
            own
        ));
        assert!(!manageable(
            &statement(root, r#""NotAction": "kms:Put*""#),
            own
        ));
        assert!(!manageable(
            &statement(root, r#""Action": "kms:Decrypt""#),
            own
        ));
        let role = r#"{"AWS": ["arn:aws:iam::111111111111:role/KeyAdmin"]}"#;
        assert!(manageable(
            &statement(role, r#""Action": "kms:PutKeyPolicy""#),
            own
        ));
        assert!(manageable(
            &statement(r#"{"AWS": "111111111111"}"#, r#""Action": "*""#),
            own
        ));
    }

    #[test]
    fn other_accounts_and_services_do_not_but_unknowns_may() {
        let own = Some("111111111111");
        let other = r#"{"AWS": "arn:aws:iam::222222222222:root"}"#;
        assert!(!manageable(&statement(other, r#""Action": "kms:*""#), own));
        // Unknown key account: any account may be its own.
        assert!(manageable(&statement(other, r#""Action": "kms:*""#), None));
        let service = r#"{"Service": "cloudtrail.amazonaws.com"}"#;
        assert!(!manageable(
            &statement(service, r#""Action": "kms:*""#),
            own
        ));
        assert!(manageable(
            &statement(r#""*""#, r#""Action": "kms:*""#),
            own
        ));
        // A placeholder equals only itself: the same stack's account is the key's.
        let template_root = r#"{"AWS": "arn:aws:iam::${AWS::AccountId}:root"}"#;
        assert!(manageable(
            &statement(template_root, r#""Action": "kms:*""#),
            Some("${AWS::AccountId}")
        ));
        assert!(manageable(
            &statement(template_root, r#""Action": "kms:*""#),
            own
        ));
        let parameter = r#"{"AWS": "${AdminRoleArn}"}"#;
        assert!(manageable(
            &statement(parameter, r#""Action": "kms:*""#),
            own
        ));
        // A Deny never manages.
        let deny = r#"{"Statement": [{"Effect": "Deny", "Principal": {"AWS": "arn:aws:iam::111111111111:root"}, "Action": "kms:*", "Resource": "*"}]}"#;
        assert!(!manageable(deny, own));
    }
}
