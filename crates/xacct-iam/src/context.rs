//! The request context: what is known about condition keys, and the keys the request fixes.

use std::collections::BTreeMap;

use crate::{PrincipalRef, Request};

/// Known values of condition keys for one request.
///
/// Keys compare case-insensitively, as IAM's condition keys do. A key has one of three states:
/// present with values ([`Context::with`]), known to be absent ([`Context::with_absent`], or
/// `with` and no values), or not mentioned at all, which means *unknown*: a condition on it
/// makes its statement's match `Maybe`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash)]
pub struct Context {
    /// Lower-cased key → `Some(values)` when present, `None` when known to be absent.
    keys: BTreeMap<String, Option<Vec<String>>>,
}

impl Context {
    /// A context that knows nothing.
    pub fn new() -> Context {
        Context::default()
    }

    /// The context with `key` present with `values` (one value for single-valued keys, several
    /// for multi-valued ones such as `aws:TagKeys`). No values means the key is absent, which is
    /// how IAM treats an empty multi-valued key too.
    pub fn with<I, S>(mut self, key: &str, values: I) -> Context
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        let values: Vec<String> = values.into_iter().map(Into::into).collect();
        let state = (!values.is_empty()).then_some(values);
        self.keys.insert(key.to_lowercase(), state);
        self
    }

    /// The context with `key` known to be absent from the request (e.g. an upload without the
    /// `s3:x-amz-server-side-encryption` header), so `…IfExists` and `Null` can decide.
    pub fn with_absent(self, key: &str) -> Context {
        self.with(key, std::iter::empty::<String>())
    }

    /// The state of `key` in this context alone (request-fixed keys are not consulted).
    pub fn get(&self, key: &str) -> KeyState<'_> {
        match self.keys.get(&key.to_lowercase()) {
            Some(Some(values)) => KeyState::Present(values.iter().map(String::as_str).collect()),
            Some(None) => KeyState::Absent,
            None => KeyState::Unknown,
        }
    }
}

/// What is known of one condition key.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum KeyState<'c> {
    /// Present with these values (never empty).
    Present(Vec<&'c str>),
    /// Known to be absent from the request context.
    Absent,
    /// Not known either way.
    Unknown,
}

/// The state of `key` for `request`: keys the request itself fixes first, then its context.
///
/// The request's own facts win over the context because they describe the same principal the
/// `Principal` element is matched against; a context that disagreed would make the two halves
/// of one evaluation contradict each other.
pub(crate) fn lookup<'c>(request: &'c Request<'c>, key: &str) -> KeyState<'c> {
    let key_lower = key.to_ascii_lowercase();
    match (&request.principal, key_lower.as_str()) {
        (PrincipalRef::Role { account, .. }, "aws:principalaccount") => {
            KeyState::Present(vec![account.as_str()])
        }
        (PrincipalRef::Role { arn, .. }, "aws:principalarn") => match role_arn_of(arn) {
            Some(role_arn) => KeyState::Present(vec![role_arn]),
            // An assumed-role ARN does not carry the role's path, so the role ARN that
            // aws:PrincipalArn holds cannot be rebuilt from it: the caller must say.
            None => request.context.get(key),
        },
        (PrincipalRef::Role { .. }, "aws:principaltype") => KeyState::Present(vec!["AssumedRole"]),
        (PrincipalRef::Role { .. }, "aws:principalservicename") => KeyState::Absent,
        (PrincipalRef::Role { .. }, "aws:principalisawsservice") => {
            KeyState::Present(vec!["false"])
        }
        // The KMS developer guide: the caller's account, in every request to AWS KMS.
        (PrincipalRef::Role { account, .. }, "kms:calleraccount") if is_kms_request(request) => {
            KeyState::Present(vec![account.as_str()])
        }
        // "AWS global condition context keys": aws:ResourceAccount is "the resource owner's AWS
        // account ID", which the request fixes when its resource's account is known.
        (_, "aws:resourceaccount") => match resource_account(request) {
            Some(account) => KeyState::Present(vec![account]),
            None => request.context.get(key),
        },
        (PrincipalRef::Service(name), "aws:principalservicename") => KeyState::Present(vec![name]),
        (PrincipalRef::Service(_), "aws:principalisawsservice") => KeyState::Present(vec!["true"]),
        _ => request.context.get(key),
    }
}

/// The account that owns the requested resource, when known: the request's own word, else
/// the account field of the resource ARN.
fn resource_account<'c>(request: &'c Request<'c>) -> Option<&'c str> {
    if let Some(account) = &request.resource_account {
        return Some(account.as_str());
    }
    let account = request.resource.split(':').nth(4)?;
    xacct_model::arn::AccountId::parse(account).map(|_| account)
}

/// True when the request goes to AWS KMS (its action is `kms:…`, in any case).
pub(crate) fn is_kms_request(request: &Request<'_>) -> bool {
    request
        .action
        .get(..4)
        .is_some_and(|service| service.eq_ignore_ascii_case("kms:"))
}

/// The IAM role ARN a request principal stands for, when it is one (`arn:…:iam::…:role/…`).
fn role_arn_of(arn: &str) -> Option<&str> {
    let parsed = xacct_model::Arn::parse(arn).ok()?;
    (parsed.service == "iam" && parsed.resource.starts_with("role/")).then_some(arn)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_are_case_insensitive_and_three_state() {
        let context = Context::new()
            .with("aws:SecureTransport", ["true"])
            .with_absent("s3:x-amz-server-side-encryption")
            .with("aws:TagKeys", Vec::<String>::new());
        assert_eq!(
            context.get("AWS:securetransport"),
            KeyState::Present(vec!["true"])
        );
        assert_eq!(
            context.get("s3:X-Amz-Server-Side-Encryption"),
            KeyState::Absent
        );
        assert_eq!(context.get("aws:tagkeys"), KeyState::Absent);
        assert_eq!(context.get("aws:SourceIp"), KeyState::Unknown);
    }
}
