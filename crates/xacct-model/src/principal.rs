//! What a policy's `Principal` may name, and what it may not.
//!
//! The IAM JSON policy reference (Principal) lists what an `AWS` principal is: an account (its
//! 12-digit ID, or `arn:aws:iam::ID:root`), a role (`arn:aws:iam::ID:role/NAME`), a user
//! (`…:user/NAME`), an assumed-role session (`arn:aws:sts::ID:assumed-role/ROLE/SESSION`), a
//! federated user session (`…:federated-user/NAME`), or `*`; a `Service` principal is a service
//! name such as `codepipeline.amazonaws.com`. A role or user name alone is none of these: IAM,
//! S3 and KMS refuse the policy ("Invalid principal in policy", "Policy contains a statement
//! with one or more invalid principals").
//!
//! Only what is certainly wrong is said: a value holding a placeholder or a wildcard is not
//! judged, nor are forms AWS shows in stored policies (a deleted principal's unique ID
//! `AROA…`, a canonical user ID).

use crate::arn::{AccountId, Arn, ArnError};
use crate::policy::PrincipalKind;
use crate::symbol;

/// Why a principal value is no principal.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum PrincipalProblem<'a> {
    /// The name of a role or user the input declares, where its ARN belongs (what a reference
    /// to the resource gives in a template): `what` is `role` or `user`.
    ResourceName {
        /// `role` or `user`.
        what: &'static str,
        /// The resource's name in the input (a template's logical ID).
        name: &'a str,
    },
    /// Neither an ARN, an account ID nor `*`: a bare name such as `deploy-role`.
    NotArn,
    /// An ARN that does not parse, or whose account is not 12 digits.
    MalformedArn(ArnError),
    /// A well-formed ARN of something that is no principal (`arn:aws:s3:::bucket`, a group).
    NotPrincipalArn,
    /// An empty string.
    Empty,
    /// A `Service` principal that is no service name (an ARN, a word without a dot).
    NotServiceName,
}

/// True for an IAM unique ID of a user or role (`AIDA…`, `AROA…`): AWS shows one in place of a
/// principal that was deleted, and such a policy is as AWS stores it.
fn is_unique_id(text: &str) -> bool {
    (text.starts_with("AIDA") || text.starts_with("AROA"))
        && (16..=128).contains(&text.len())
        && text
            .bytes()
            .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit())
}

/// True for an S3 canonical user ID (64 hexadecimal digits).
fn is_canonical_id(text: &str) -> bool {
    text.len() == 64 && text.bytes().all(|b| b.is_ascii_hexdigit())
}

/// What is wrong with a principal value of this kind, when something certainly is.
pub fn principal_problem(kind: PrincipalKind, value: &str) -> Option<PrincipalProblem<'_>> {
    if value.is_empty() {
        return Some(PrincipalProblem::Empty);
    }
    if let Some((what, name)) = symbol::resource_name_of(value) {
        return Some(PrincipalProblem::ResourceName { what, name });
    }
    if value == "*"
        || symbol::has_variable(value)
        || value.contains("${")
        || value.contains(['*', '?'])
    {
        return None;
    }
    match kind {
        PrincipalKind::Aws => aws_problem(value),
        PrincipalKind::Service => {
            let name = value.contains('.')
                && !value.starts_with("arn:")
                && !value.contains(['/', ':'])
                && !value.bytes().any(|b| b.is_ascii_whitespace());
            (!name).then_some(PrincipalProblem::NotServiceName)
        }
        PrincipalKind::Everyone | PrincipalKind::Federated | PrincipalKind::CanonicalUser => None,
    }
}

fn aws_problem(value: &str) -> Option<PrincipalProblem<'_>> {
    if AccountId::parse(value).is_some() || is_unique_id(value) || is_canonical_id(value) {
        return None;
    }
    if !value.starts_with("arn:") {
        return Some(PrincipalProblem::NotArn);
    }
    let arn = match Arn::parse(value) {
        Ok(arn) => arn,
        // A service's own namespace in the account field: S3 bucket policies name a CloudFront
        // origin access identity `arn:aws:iam::cloudfront:user/CloudFront Origin Access
        // Identity …`.
        Err(ArnError::BadAccount(account))
            if !account.is_empty() && account.bytes().all(|b| b.is_ascii_lowercase()) =>
        {
            return None
        }
        Err(error) => return Some(PrincipalProblem::MalformedArn(error)),
    };
    if !matches!(arn.service, "iam" | "sts") {
        return Some(PrincipalProblem::NotPrincipalArn);
    }
    if arn.account.is_empty() {
        return Some(PrincipalProblem::MalformedArn(ArnError::BadAccount(
            String::new(),
        )));
    }
    let (kind, rest) = arn.resource_type();
    let principal = match arn.service {
        "iam" => arn.resource == "root" || (matches!(kind, "role" | "user") && !rest.is_empty()),
        "sts" => matches!(kind, "assumed-role" | "federated-user") && !rest.is_empty(),
        _ => false,
    };
    (!principal).then_some(PrincipalProblem::NotPrincipalArn)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn aws(value: &str) -> Option<PrincipalProblem<'_>> {
        principal_problem(PrincipalKind::Aws, value)
    }

    #[test]
    fn what_an_aws_principal_may_be() {
        for ok in [
            "*",
            "111122223333",
            "arn:aws:iam::111122223333:root",
            "arn:aws:iam::111122223333:role/service-role/Deploy",
            "arn:aws-cn:iam::111122223333:user/alice",
            "arn:aws:sts::111122223333:assumed-role/Deploy/session",
            "arn:aws:sts::111122223333:federated-user/bob",
            "AROAEXAMPLEID1234567",
            "arn:aws:iam::cloudfront:user/CloudFront Origin Access Identity E2EXAMPLE",
            "79a59df900b949e55d96a1e698fbacedfd6e09d98eacf8f8d5218e7cd47ef2be",
            // Not judged: placeholders, variables, wildcards.
            "arn:aws:iam::${AWS::AccountId}:root",
            "${DeployRoleArn}",
            "arn:aws:iam::*:root",
            "arn:aws:iam::111122223333:role/*",
        ] {
            assert_eq!(aws(ok), None, "{ok}");
        }
    }

    #[test]
    fn what_an_aws_principal_may_not_be() {
        assert_eq!(aws("deploy-role"), Some(PrincipalProblem::NotArn));
        assert_eq!(aws("role/deploy"), Some(PrincipalProblem::NotArn));
        assert_eq!(aws(""), Some(PrincipalProblem::Empty));
        assert_eq!(
            aws("${DeployRole.RoleName}"),
            Some(PrincipalProblem::ResourceName {
                what: "role",
                name: "DeployRole"
            })
        );
        assert_eq!(
            aws("arn:aws:iam::12345:root"),
            Some(PrincipalProblem::MalformedArn(ArnError::BadAccount(
                "12345".into()
            )))
        );
        assert_eq!(
            aws("arn:aws:iam:::role/x"),
            Some(PrincipalProblem::MalformedArn(ArnError::BadAccount(
                String::new()
            )))
        );
        assert!(matches!(
            aws("arn:aws:iam:root"),
            Some(PrincipalProblem::MalformedArn(_))
        ));
        assert_eq!(
            aws("arn:aws:s3:::bucket"),
            Some(PrincipalProblem::NotPrincipalArn)
        );
        assert_eq!(
            aws("arn:aws:iam::111122223333:group/admins"),
            Some(PrincipalProblem::NotPrincipalArn)
        );
        assert_eq!(
            aws("arn:aws:iam::111122223333:role/"),
            Some(PrincipalProblem::NotPrincipalArn)
        );
    }

    #[test]
    fn service_principals_are_service_names() {
        let service = |v| principal_problem(PrincipalKind::Service, v);
        assert_eq!(service("codepipeline.amazonaws.com"), None);
        assert_eq!(service("${Service}"), None);
        assert_eq!(
            service("codepipeline"),
            Some(PrincipalProblem::NotServiceName)
        );
        assert_eq!(
            service("arn:aws:iam::111122223333:role/x"),
            Some(PrincipalProblem::NotServiceName)
        );
        assert_eq!(principal_problem(PrincipalKind::Federated, "x"), None);
        assert_eq!(
            principal_problem(PrincipalKind::Federated, ""),
            Some(PrincipalProblem::Empty)
        );
    }
}
