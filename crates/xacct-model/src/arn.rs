//! Amazon Resource Names and account IDs.

use std::fmt;

/// A 12-digit AWS account ID.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct AccountId([u8; 12]);

impl AccountId {
    /// Parses exactly twelve ASCII digits.
    pub fn parse(text: &str) -> Option<AccountId> {
        let bytes: [u8; 12] = text.as_bytes().try_into().ok()?;
        bytes
            .iter()
            .all(u8::is_ascii_digit)
            .then_some(AccountId(bytes))
    }

    /// The twelve digits.
    pub fn as_str(&self) -> &str {
        // Only ASCII digits are ever stored.
        std::str::from_utf8(&self.0).unwrap_or_default()
    }
}

impl fmt::Display for AccountId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl fmt::Debug for AccountId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "AccountId({})", self.as_str())
    }
}

/// The AWS partitions an ARN may name.
pub const PARTITIONS: &[&str] = &[
    "aws",
    "aws-cn",
    "aws-us-gov",
    "aws-iso",
    "aws-iso-b",
    "aws-iso-e",
    "aws-iso-f",
    "aws-eusc",
];

/// An ARN split into its fields: `arn:partition:service:region:account:resource`.
///
/// The account field is kept as text: S3 ARNs leave it empty, and a malformed one must still be
/// shown to the user as written.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Arn<'a> {
    /// `aws`, `aws-cn`, `aws-us-gov`, …
    pub partition: &'a str,
    /// `iam`, `kms`, `s3`, …
    pub service: &'a str,
    /// Empty for global services.
    pub region: &'a str,
    /// Empty for S3 buckets; otherwise twelve digits in a well-formed ARN.
    pub account: &'a str,
    /// Everything after the fifth colon (may itself contain colons).
    pub resource: &'a str,
}

/// Why a string is not a usable ARN.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum ArnError {
    /// Does not start with `arn:`.
    #[error("it does not start with `arn:`")]
    NotAnArn,
    /// Fewer than six colon-separated fields.
    #[error("it has {fields} of the 6 colon-separated fields `arn:partition:service:region:account:resource`")]
    TooFewFields {
        /// How many fields it has.
        fields: usize,
    },
    /// Unknown partition.
    #[error("partition `{0}` is not one of aws, aws-cn, aws-us-gov (or an isolated partition)")]
    UnknownPartition(String),
    /// The service field is empty.
    #[error("the service field is empty")]
    EmptyService,
    /// The account field is neither empty nor 12 digits.
    #[error("account `{0}` is not a 12-digit account ID")]
    BadAccount(String),
    /// The resource field is empty.
    #[error("the resource field is empty")]
    EmptyResource,
}

impl<'a> Arn<'a> {
    /// Parses an ARN. The account may be empty (S3) or twelve digits; anything else is an error.
    pub fn parse(text: &'a str) -> Result<Arn<'a>, ArnError> {
        let rest = text.strip_prefix("arn:").ok_or(ArnError::NotAnArn)?;
        let fields = crate::symbol::split_colons::<5>(rest);
        let mut fields = fields.iter().copied();
        let mut next = || fields.next();
        let (Some(partition), Some(service), Some(region), Some(account), Some(resource)) =
            (next(), next(), next(), next(), next())
        else {
            return Err(ArnError::TooFewFields {
                fields: 1 + rest.split(':').count(),
            });
        };
        if !PARTITIONS.contains(&partition) {
            return Err(ArnError::UnknownPartition(partition.to_string()));
        }
        if service.is_empty() {
            return Err(ArnError::EmptyService);
        }
        // A template placeholder (`${DevAccountId}`) is an account not known yet, not a
        // malformed one.
        if !account.is_empty()
            && AccountId::parse(account).is_none()
            && !crate::symbol::is_placeholder(account)
        {
            return Err(ArnError::BadAccount(account.to_string()));
        }
        if resource.is_empty() {
            return Err(ArnError::EmptyResource);
        }
        Ok(Arn {
            partition,
            service,
            region,
            account,
            resource,
        })
    }

    /// True for a Lambda function, version or alias (`function:NAME`, `function:NAME:QUALIFIER`).
    pub fn is_lambda_function(&self) -> bool {
        self.service == "lambda" && self.resource.starts_with("function:")
    }

    /// The account, when the ARN names one.
    pub fn account_id(&self) -> Option<AccountId> {
        AccountId::parse(self.account)
    }

    /// The resource type and the rest: `role/path/name` gives `("role", "path/name")`.
    pub fn resource_type(&self) -> (&'a str, &'a str) {
        match self.resource.find(['/', ':']) {
            Some(at) => (&self.resource[..at], &self.resource[at + 1..]),
            None => ("", self.resource),
        }
    }
}

/// The bucket of an S3 ARN (`arn:aws:s3:::bucket/key` or `arn:aws:s3:::bucket`): the text
/// before the first `/` after the prefix. Messages name a bucket policy by it.
pub fn s3_bucket(arn: &str) -> &str {
    arn.trim_start_matches("arn:aws:s3:::")
        .split('/')
        .next()
        .unwrap_or_default()
}

/// True for names that look like AWS region names (`us-east-1`, `us-gov-west-1`,
/// `cn-north-1`, `eu-central-2`, `us-isob-east-1`, `ap-southeast-7`).
pub fn is_region_name(text: &str) -> bool {
    let parts: Vec<&str> = text.split('-').collect();
    let (Some(first), Some(last)) = (parts.first(), parts.last()) else {
        return false;
    };
    parts.len() >= 3
        && parts.len() <= 4
        && first.len() == 2
        && first.bytes().all(|b| b.is_ascii_lowercase())
        && !last.is_empty()
        && last.bytes().all(|b| b.is_ascii_digit())
        && parts[1..parts.len() - 1]
            .iter()
            .all(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_lowercase()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_the_six_fields() {
        let arn = Arn::parse("arn:aws:iam::111111111111:role/service-role/Pipeline").unwrap();
        assert_eq!((arn.partition, arn.service, arn.region), ("aws", "iam", ""));
        assert_eq!(arn.account_id(), AccountId::parse("111111111111"));
        assert_eq!(arn.resource_type(), ("role", "service-role/Pipeline"));
        let s3 = Arn::parse("arn:aws-cn:s3:::bucket/key:with:colons").unwrap();
        assert_eq!((s3.account, s3.resource), ("", "bucket/key:with:colons"));
        let lambda =
            Arn::parse("arn:aws-us-gov:lambda:us-gov-west-1:222222222222:function:f").unwrap();
        assert_eq!(lambda.resource_type(), ("function", "f"));
    }

    #[test]
    fn rejects_malformed_arns_with_a_reason() {
        assert_eq!(Arn::parse("role/x"), Err(ArnError::NotAnArn));
        assert_eq!(
            Arn::parse("arn:aws:iam::1"),
            Err(ArnError::TooFewFields { fields: 5 })
        );
        assert_eq!(
            Arn::parse("arn:aws:iam::11111111111:role/x"),
            Err(ArnError::BadAccount("11111111111".into()))
        );
        assert_eq!(
            Arn::parse("arn:amazon:iam::111111111111:role/x"),
            Err(ArnError::UnknownPartition("amazon".into()))
        );
        assert_eq!(
            Arn::parse("arn:aws:iam::111111111111:"),
            Err(ArnError::EmptyResource)
        );
        assert_eq!(
            Arn::parse("arn:aws:::111111111111:x"),
            Err(ArnError::EmptyService)
        );
        // Twenty colons: the resource keeps them, the account is what it is.
        let many = format!("arn:aws:iam::111111111111:{}", ":".repeat(15));
        assert!(Arn::parse(&many).is_ok());
        assert!(matches!(
            Arn::parse(&":".repeat(20)),
            Err(ArnError::NotAnArn)
        ));
    }

    #[test]
    fn account_ids_are_exactly_twelve_digits() {
        assert!(AccountId::parse("012345678901").is_some());
        assert!(AccountId::parse("01234567890").is_none());
        assert!(AccountId::parse("01234567890a").is_none());
        assert!(AccountId::parse("٠١٢٣٤٥٦٧٨٩٠١").is_none());
    }

    #[test]
    fn region_names() {
        for ok in [
            "us-east-1",
            "us-gov-west-1",
            "cn-north-1",
            "eu-central-2",
            "us-isob-east-1",
        ] {
            assert!(is_region_name(ok), "{ok}");
        }
        for bad in [
            "useast1",
            "us-east",
            "US-EAST-1",
            "us--1",
            "us-east-1a",
            "eu-west-1-",
        ] {
            assert!(!is_region_name(bad), "{bad}");
        }
    }
}
