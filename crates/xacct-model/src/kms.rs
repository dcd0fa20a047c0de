//! References to KMS keys as a pipeline's artifact store names them.

use crate::arn::{AccountId, Arn};

/// How a KMS key is named. The name decides in which account it resolves: aliases and bare key
/// IDs resolve in the account of the caller, which for a cross-account action is the action's
/// account, not the key's.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum KeyRef {
    /// `arn:aws:kms:REGION:ACCOUNT:key/ID`: unambiguous in every account.
    KeyArn {
        /// The key's region.
        region: String,
        /// The key's account; `None` when a template leaves it to deploy time.
        account: Option<AccountId>,
        /// The key ID (a UUID or an `mrk-` multi-Region key ID).
        key_id: String,
    },
    /// `arn:aws:kms:REGION:ACCOUNT:alias/NAME`.
    AliasArn {
        /// The alias's region.
        region: String,
        /// The alias's account; `None` when a template leaves it to deploy time.
        account: Option<AccountId>,
        /// The alias name without `alias/`.
        name: String,
    },
    /// `alias/NAME`: resolves in the caller's account and region.
    AliasName {
        /// The alias name without `alias/`.
        name: String,
    },
    /// A bare key ID: resolves in the caller's account and region.
    KeyId(String),
}

/// Why a string names no KMS key.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum KeyRefError {
    /// An ARN that is malformed or not a KMS key or alias ARN.
    #[error("is not a KMS key or alias ARN: {0}")]
    BadArn(String),
    /// Neither an ARN, an alias nor a key ID.
    #[error("is neither a key ARN, an alias ARN, `alias/NAME` nor a key ID")]
    Unrecognized,
}

impl KeyRef {
    /// Reads a key reference as the `encryptionKey.id` field of an artifact store accepts it.
    pub fn parse(text: &str) -> Result<KeyRef, KeyRefError> {
        if text.starts_with("arn:") {
            let arn = Arn::parse(text).map_err(|e| KeyRefError::BadArn(e.to_string()))?;
            if arn.service != "kms" {
                return Err(KeyRefError::BadArn(format!(
                    "service is `{}`, not `kms`",
                    arn.service
                )));
            }
            let account = arn.account_id();
            if account.is_none() && !crate::symbol::is_placeholder(arn.account) {
                return Err(KeyRefError::BadArn(
                    "the account field is empty".to_string(),
                ));
            }
            let region = arn.region.to_string();
            return match arn.resource_type() {
                ("key", id) if is_key_id(id) => Ok(KeyRef::KeyArn {
                    region,
                    account,
                    key_id: id.to_string(),
                }),
                ("alias", name) if !name.is_empty() => Ok(KeyRef::AliasArn {
                    region,
                    account,
                    name: name.to_string(),
                }),
                _ => Err(KeyRefError::BadArn(format!(
                    "resource `{}` is neither `key/KEY-ID` nor `alias/NAME`",
                    arn.resource
                ))),
            };
        }
        if let Some(name) = text.strip_prefix("alias/") {
            if !name.is_empty() {
                return Ok(KeyRef::AliasName {
                    name: name.to_string(),
                });
            }
        }
        if is_key_id(text) {
            return Ok(KeyRef::KeyId(text.to_string()));
        }
        Err(KeyRefError::Unrecognized)
    }

    /// True for AWS managed keys (`alias/aws/s3` and the like): their key policy cannot be
    /// changed, so no other account can ever use them.
    pub fn is_aws_managed(&self) -> bool {
        match self {
            KeyRef::AliasArn { name, .. } | KeyRef::AliasName { name } => name.starts_with("aws/"),
            KeyRef::KeyArn { .. } | KeyRef::KeyId(_) => false,
        }
    }

    /// The account the reference pins, if it is an ARN.
    pub fn account(&self) -> Option<AccountId> {
        match self {
            KeyRef::KeyArn { account, .. } | KeyRef::AliasArn { account, .. } => *account,
            KeyRef::AliasName { .. } | KeyRef::KeyId(_) => None,
        }
    }

    /// The region the reference pins, if it is an ARN.
    pub fn region(&self) -> Option<&str> {
        match self {
            KeyRef::KeyArn { region, .. } | KeyRef::AliasArn { region, .. } => Some(region),
            KeyRef::AliasName { .. } | KeyRef::KeyId(_) => None,
        }
    }
}

/// A KMS key ID: a UUID (`1234abcd-12ab-34cd-56ef-1234567890ab`), a multi-Region key ID
/// (`mrk-` and 32 hex digits), or a template placeholder for the ID CloudFormation assigns
/// (`${KMSKey}`, from `!Ref KMSKey`).
pub fn is_key_id(text: &str) -> bool {
    if crate::symbol::is_placeholder(text) {
        return true;
    }
    if let Some(hex) = text.strip_prefix("mrk-") {
        return hex.len() == 32 && hex.bytes().all(|b| b.is_ascii_hexdigit());
    }
    let groups: Vec<&str> = text.split('-').collect();
    groups.len() == 5
        && groups.iter().map(|g| g.len()).eq([8, 4, 4, 4, 12])
        && groups
            .iter()
            .all(|g| g.bytes().all(|b| b.is_ascii_hexdigit()))
}

#[cfg(test)]
mod tests {
    use super::*;

    const ID: &str = "1234abcd-12ab-34cd-56ef-1234567890ab";

    #[test]
    fn every_form_of_key_reference() {
        let acct = AccountId::parse("111111111111");
        assert_eq!(
            KeyRef::parse(&format!("arn:aws:kms:us-east-2:111111111111:key/{ID}")),
            Ok(KeyRef::KeyArn {
                region: "us-east-2".into(),
                account: acct,
                key_id: ID.into()
            })
        );
        assert_eq!(
            KeyRef::parse("arn:aws-cn:kms:cn-north-1:111111111111:alias/pipeline"),
            Ok(KeyRef::AliasArn {
                region: "cn-north-1".into(),
                account: acct,
                name: "pipeline".into()
            })
        );
        assert_eq!(
            KeyRef::parse("alias/pipeline"),
            Ok(KeyRef::AliasName {
                name: "pipeline".into()
            })
        );
        assert_eq!(KeyRef::parse(ID), Ok(KeyRef::KeyId(ID.into())));
        let mrk = "mrk-1234abcd12ab34cd56ef1234567890ab";
        assert_eq!(KeyRef::parse(mrk), Ok(KeyRef::KeyId(mrk.into())));
        assert!(KeyRef::parse("alias/aws/s3").unwrap().is_aws_managed());
        assert!(
            KeyRef::parse("arn:aws:kms:us-east-1:111111111111:alias/aws/s3")
                .unwrap()
                .is_aws_managed()
        );
        assert!(!KeyRef::parse("alias/pipeline").unwrap().is_aws_managed());
    }

    #[test]
    fn rejects_what_is_not_a_key() {
        assert_eq!(KeyRef::parse("my-key"), Err(KeyRefError::Unrecognized));
        assert_eq!(KeyRef::parse("alias/"), Err(KeyRefError::Unrecognized));
        assert!(matches!(
            KeyRef::parse("arn:aws:s3:::bucket"),
            Err(KeyRefError::BadArn(_))
        ));
        assert!(matches!(
            KeyRef::parse("arn:aws:kms:us-east-1:111111111111:key/nope"),
            Err(KeyRefError::BadArn(_))
        ));
        assert!(matches!(
            KeyRef::parse("arn:aws:kms:us-east-1:2222:key/1234abcd-12ab-34cd-56ef-1234567890ab"),
            Err(KeyRefError::BadArn(_))
        ));
    }
}
