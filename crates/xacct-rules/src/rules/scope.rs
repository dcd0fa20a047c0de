//! How far a statement reaches, for the rules that judge breadth (XA503, XA509, XA510, XA902,
//! XA910): which whole accounts it names as principals, whether its actions take in a given
//! action and how, whether its resources take in every role, whether its conditions pin the
//! caller.

use xacct_model::policy::{Condition, PrincipalEntry, PrincipalKind, Statement, ValueBlock};
use xacct_model::workspace::PolicyUnit;
use xacct_model::{AccountId, Spanned};
use xacct_syntax::Span;

use crate::rules::{action_matches, arn_account, narrows_caller};

/// How a message names a policy of `role`: "the policy `arn:aws:iam::aws:policy/X` attached to
/// `ROLE`" for a managed policy attached by ARN (its statements' spans are where the file
/// attaches it), else "the policy of `ROLE`".
pub fn policy_of(unit: &PolicyUnit, role: &str) -> String {
    match &unit.entry.name {
        Some(name) if name.starts_with("arn:") => {
            format!("the policy `{name}` attached to `{role}`")
        }
        _ => format!("the policy of `{role}`"),
    }
}

/// Condition keys that pin who may assume a role: a positive comparison on one of them, with
/// values that do not match everyone, narrows a principal that names a whole account.
pub const TRUST_NARROWING_KEYS: &[&str] = &[
    "aws:principalarn",
    "aws:sourcearn",
    "aws:principalorgid",
    "sts:externalid",
    "aws:userid",
    "aws:sourceaccount",
];

/// The account a principal entry names as a whole (`"123456789012"` or
/// `"arn:aws:iam::123456789012:root"`): every principal of it whose own policies allow.
pub fn whole_account(entry: &PrincipalEntry) -> Option<AccountId> {
    if entry.kind != PrincipalKind::Aws {
        return None;
    }
    let value = entry.value.value.as_str();
    if let Some(account) = AccountId::parse(value) {
        return Some(account);
    }
    if !value.ends_with(":root") {
        return None;
    }
    arn_account(value)
}

/// True for `"Principal": "*"` and `{"AWS": "*"}`.
pub fn everyone(entry: &PrincipalEntry) -> bool {
    entry.kind == PrincipalKind::Everyone
        || (entry.kind == PrincipalKind::Aws && entry.value.value == "*")
}

/// True when an Allow statement lets a principal assume a role (`sts:AssumeRole`, as IAM
/// matches actions) and no condition pins the caller.
pub fn unnarrowed_assume(statement: &Statement) -> bool {
    statement.allows()
        && statement
            .action
            .as_ref()
            .is_some_and(|a| action_matches(a, "sts:AssumeRole"))
        && !statement
            .conditions
            .iter()
            .any(|c| narrows_caller(c, TRUST_NARROWING_KEYS))
}

/// "; its conditions (Bool `aws:MultiFactorAuthPresent`) do not narrow who may assume it", or
/// nothing when the statement has no condition: says why the conditions there do not count.
pub fn unnarrowed_phrase(statement: &Statement) -> String {
    conditions_listed(&statement.conditions)
        .map(|listed| format!("; its conditions ({listed}) do not narrow who may assume it"))
        .unwrap_or_default()
}

/// "Bool `aws:SecureTransport`, StringEquals `aws:SourceAccount`": each condition by operator
/// and key, for messages that say why conditions do not count; `None` when there are none.
pub fn conditions_listed<'a>(
    conditions: impl IntoIterator<Item = &'a Condition>,
) -> Option<String> {
    let listed: Vec<String> = conditions
        .into_iter()
        .map(|c| format!("{} `{}`", c.operator.value, c.key.value))
        .collect();
    (!listed.is_empty()).then(|| listed.join(", "))
}

/// Whether an `Action`/`NotAction` block allows `action`, as IAM matches actions, and how, for
/// the message: "" when it names the action, " (through `iam:*`)" when a wildcard covers it,
/// " (through NotAction `s3:*`)" when a `NotAction` leaves it in.
pub fn granted_through(block: &ValueBlock, action: &str) -> Option<String> {
    if !action_matches(block, action) {
        return None;
    }
    let listed = |v: &Spanned<xacct_model::Text>| format!("`{}`", v.value);
    if block.negated {
        let values: Vec<String> = block.values.iter().map(listed).collect();
        return Some(format!(" (through NotAction {})", values.join(", ")));
    }
    let single = |v: &Spanned<xacct_model::Text>| ValueBlock {
        negated: false,
        key_span: block.key_span,
        values: vec![v.clone()],
    };
    let value = block
        .values
        .iter()
        .find(|v| action_matches(&single(v), action))?;
    Some(if value.value.eq_ignore_ascii_case(action) {
        String::new()
    } else {
        format!(" (through {})", listed(value))
    })
}

/// Where a `Resource`/`NotResource` block covers every role, and how, for the message:
/// `"Resource": "*"` or a pattern that matches every role ARN (`arn:aws:iam::*:role/*`) (at
/// the value), or a `NotResource` none of whose values can match an IAM role ARN (at the key),
/// since it then excludes no role. `"NotResource": "*"` excludes everything and grants
/// nothing.
pub fn every_role(block: &ValueBlock) -> Option<(Span, &'static str)> {
    if !block.negated {
        let star = block.values.iter().find(|v| matches_every_role(&v.value))?;
        return Some((star.span, ""));
    }
    // An ARN pattern excludes no role when its service is spelled out and is not `iam`.
    let excludes_no_role = |v: &Spanned<xacct_model::Text>| {
        let mut fields = v.value.split(':');
        let (Some("arn"), Some(_), Some(service)) = (fields.next(), fields.next(), fields.next())
        else {
            return false;
        };
        !service.contains(['*', '?']) && !service.eq_ignore_ascii_case("iam")
    };
    block
        .values
        .iter()
        .all(excludes_no_role)
        .then_some((block.key_span, " (its NotResource excludes no role)"))
}

/// True for `*` and for ARN patterns that every role of every account matches: a `*` (or
/// `*`-only) account field and a resource field that is `*`, `role/*` or the like.
fn matches_every_role(pattern: &str) -> bool {
    if pattern == "*" {
        return true;
    }
    // Split without allocating: this runs for every resource of every statement of the run.
    let mut fields = pattern.splitn(6, ':');
    let (Some(arn), Some(partition), Some(service), Some(region), Some(account), Some(resource)) = (
        fields.next(),
        fields.next(),
        fields.next(),
        fields.next(),
        fields.next(),
        fields.next(),
    ) else {
        return false;
    };
    let any = |f: &str| !f.is_empty() && f.bytes().all(|b| b == b'*');
    arn == "arn"
        && (any(partition) || partition.starts_with("aws"))
        && (any(service) || service.eq_ignore_ascii_case("iam"))
        && (region.is_empty() || any(region))
        && any(account)
        && (any(resource) || resource == "role/*")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn block(negated: bool, values: &[&str]) -> ValueBlock {
        ValueBlock {
            negated,
            key_span: Span::new(0, 1),
            values: values
                .iter()
                .enumerate()
                .map(|(i, v)| {
                    Spanned::new(
                        xacct_model::Text::from(*v),
                        Span::new(10 * i as u32 + 10, 10 * i as u32 + 11),
                    )
                })
                .collect(),
        }
    }

    #[test]
    fn wildcards_and_negation_say_how_an_action_is_granted() {
        let b = block(false, &["s3:GetObject", "iam:*"]);
        assert_eq!(
            granted_through(&b, "iam:PassRole").as_deref(),
            Some(" (through `iam:*`)")
        );
        assert_eq!(
            granted_through(&block(false, &["IAM:passrole"]), "iam:PassRole").as_deref(),
            Some("")
        );
        assert_eq!(
            granted_through(&block(true, &["s3:*"]), "sts:AssumeRole").as_deref(),
            Some(" (through NotAction `s3:*`)")
        );
        assert_eq!(
            granted_through(&block(true, &["sts:*"]), "sts:AssumeRole"),
            None
        );
        assert_eq!(
            granted_through(&block(false, &["sts:Get*"]), "sts:AssumeRole"),
            None
        );
    }

    #[test]
    fn every_role_is_star_or_an_any_account_role_pattern() {
        assert_eq!(
            every_role(&block(false, &["*"])),
            Some((Span::new(10, 11), ""))
        );
        assert_eq!(
            every_role(&block(false, &["arn:aws:s3:::b", "arn:aws:iam::*:role/*"])),
            Some((Span::new(20, 21), ""))
        );
        assert_eq!(
            every_role(&block(false, &["arn:*:iam::*:*"])).map(|r| r.0),
            Some(Span::new(10, 11))
        );
        // One account's roles, or one role everywhere: not every role.
        assert_eq!(
            every_role(&block(false, &["arn:aws:iam::222222222222:role/*"])),
            None
        );
        assert_eq!(
            every_role(&block(false, &["arn:aws:iam::*:role/deployer"])),
            None
        );
        assert_eq!(
            every_role(&block(true, &["arn:aws:s3:::b/*"])),
            Some((Span::new(0, 1), " (its NotResource excludes no role)"))
        );
        assert_eq!(
            every_role(&block(true, &["arn:aws:iam::*:role/admin"])),
            None
        );
        assert_eq!(every_role(&block(true, &["*"])), None);
    }

    #[test]
    fn whole_accounts_are_ids_and_roots() {
        let entry = |kind, value: &str| PrincipalEntry {
            kind,
            value: Spanned::new(xacct_model::Text::from(value), Span::default()),
        };
        let id = AccountId::parse("111111111111");
        assert_eq!(
            whole_account(&entry(PrincipalKind::Aws, "111111111111")),
            id
        );
        assert_eq!(
            whole_account(&entry(PrincipalKind::Aws, "arn:aws:iam::111111111111:root")),
            id
        );
        assert_eq!(
            whole_account(&entry(
                PrincipalKind::Aws,
                "arn:aws:iam::111111111111:role/r"
            )),
            None
        );
        assert_eq!(
            whole_account(&entry(PrincipalKind::Service, "111111111111")),
            None
        );
        assert!(everyone(&entry(PrincipalKind::Aws, "*")));
        assert!(!everyone(&entry(
            PrincipalKind::Aws,
            "arn:aws:iam::111111111111:root"
        )));
    }
}
