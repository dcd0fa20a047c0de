//! Managed policies a file attaches by ARN without holding their text.
//!
//! A role's identity policies are only complete when every attached policy is known. For a few
//! AWS managed policies that cross-account pipeline guides attach, the statements that matter
//! here are written below (checked against the AWS managed policy reference); any other policy
//! that is attached but not given stands as an allow of unknown reach, so that a missing
//! permission is never reported for a role whose policies xacct cannot see in full.

use xacct_syntax::json;
use xacct_syntax::Span;

use crate::policy::{load_policy, PolicyDocument};

/// The condition key of the stand-in statement: no request ever fixes it.
pub const NOT_GIVEN_KEY: &str = "xacct:ManagedPolicyNotGiven";

/// The part of AWS managed policies that bears on pipelines: `(name, statements as JSON)`.
const AWS_MANAGED: &[(&str, &str)] = &[
    (
        "AdministratorAccess",
        r#"[{"Effect": "Allow", "Action": "*", "Resource": "*"}]"#,
    ),
    (
        "PowerUserAccess",
        r#"[{"Effect": "Allow", "NotAction": ["iam:*", "organizations:*", "account:*"], "Resource": "*"},
            {"Effect": "Allow", "Action": ["iam:CreateServiceLinkedRole", "iam:DeleteServiceLinkedRole", "iam:ListRoles", "organizations:DescribeOrganization", "account:ListRegions", "account:GetAccountInformation"], "Resource": "*"}]"#,
    ),
    (
        "AmazonS3FullAccess",
        r#"[{"Effect": "Allow", "Action": ["s3:*", "s3-object-lambda:*"], "Resource": "*"}]"#,
    ),
    (
        "AmazonS3ReadOnlyAccess",
        r#"[{"Effect": "Allow", "Action": ["s3:Get*", "s3:List*", "s3:Describe*", "s3-object-lambda:Get*", "s3-object-lambda:List*"], "Resource": "*"}]"#,
    ),
];

/// The document of an attached managed policy whose text the input does not hold: the known
/// part of an AWS managed policy, or an allow of everything under a condition nobody can
/// decide. Every span is `span` (where the file attaches it).
pub fn not_given(arn: &str, span: Span) -> PolicyDocument {
    let name = arn
        .strip_prefix("arn:aws:iam::aws:policy/")
        .or_else(|| arn.strip_prefix("arn:aws-cn:iam::aws:policy/"))
        .or_else(|| arn.strip_prefix("arn:aws-us-gov:iam::aws:policy/"));
    let statements = name
        .and_then(|name| AWS_MANAGED.iter().find(|(n, _)| *n == name))
        .map(|(_, statements)| statements.to_string())
        .unwrap_or_else(|| {
            format!(
                r#"[{{"Effect": "Allow", "Action": "*", "Resource": "*", "Condition": {{"StringEquals": {{"{NOT_GIVEN_KEY}": "{}"}}}}}}]"#,
                arn.replace('"', "")
            )
        });
    let text = format!(r#"{{"Version": "2012-10-17", "Statement": {statements}}}"#);
    match json::parse(&text) {
        Ok(document) => {
            let root = respan(&document.root, span);
            load_policy(&root).0
        }
        // The texts above are valid JSON; an ARN cannot break them (quotes are removed).
        Err(_) => PolicyDocument {
            span,
            version: None,
            id: None,
            statements: Vec::new(),
            statement_key: None,
        },
    }
}

/// A copy of `node` with every span set to `span`.
fn respan(node: &json::Node<'_>, span: Span) -> json::Node<'static> {
    let mut owned = node.to_static();
    fn walk(node: &mut json::Node<'static>, span: Span) {
        node.span = span;
        match &mut node.value {
            json::Value::Array(items) => items.iter_mut().for_each(|n| walk(n, span)),
            json::Value::Object(members) => members.iter_mut().for_each(|m| {
                m.key_span = span;
                walk(&mut m.value, span);
            }),
            _ => {}
        }
    }
    walk(&mut owned, span);
    owned
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_and_unknown_managed_policies() {
        let admin = not_given(
            "arn:aws:iam::aws:policy/AdministratorAccess",
            Span::new(3, 9),
        );
        assert_eq!(admin.statements.len(), 1);
        assert!(admin.statements[0].conditions.is_empty());
        assert_eq!(admin.statements[0].span, Span::new(3, 9));
        let other = not_given("arn:aws:iam::123456789012:policy/Custom", Span::new(0, 1));
        assert_eq!(other.statements.len(), 1);
        assert_eq!(other.statements[0].conditions[0].key.value, NOT_GIVEN_KEY);
    }
}
