//! A policy as an input gives it: the document, what kind of policy it is and whom it
//! governs, as far as the input says. The loaders of each input format (`xacct-input`) fill
//! these in; the workspace ties them to roles, buckets and keys.

use crate::pipeline::Spanned;
use crate::policy::{PolicyDocument, PolicyIssue};

/// What a policy governs.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PolicyKind {
    /// A role's trust policy: who may assume it.
    Trust,
    /// An identity policy: what its role may do.
    Identity,
    /// An S3 bucket policy.
    Bucket,
    /// A KMS key policy.
    Key,
    /// An AWS Organizations service control policy: what the roles of the accounts it is
    /// attached to may do at most.
    ServiceControl,
    /// An AWS Organizations resource control policy: what anyone may do at most with the
    /// resources of the accounts it is attached to.
    ResourceControl,
    /// The grants of a KMS key (`aws kms list-grants`), each a statement that allows its
    /// grantee the grant's operations under its constraints.
    Grant,
    /// An EventBridge event bus's resource policy: who may put events on it from other
    /// accounts (`aws events describe-event-bus`, `AWS::Events::EventBusPolicy`).
    EventBus,
    /// A Lambda function's resource policy (`aws lambda get-policy`, `AWS::Lambda::Permission`,
    /// `aws_lambda_permission`): who may invoke it, from other accounts too.
    Function,
}

impl PolicyKind {
    /// "trust policy", "identity policy", …
    pub fn describe(self) -> &'static str {
        match self {
            PolicyKind::Trust => "trust policy",
            PolicyKind::Identity => "identity policy",
            PolicyKind::Bucket => "bucket policy",
            PolicyKind::Key => "key policy",
            PolicyKind::ServiceControl => "service control policy",
            PolicyKind::ResourceControl => "resource control policy",
            PolicyKind::Grant => "KMS grant",
            PolicyKind::EventBus => "event bus policy",
            PolicyKind::Function => "function policy",
        }
    }

    /// True for SCPs and RCPs.
    pub fn is_organization(self) -> bool {
        matches!(
            self,
            PolicyKind::ServiceControl | PolicyKind::ResourceControl
        )
    }
}

/// Whom a policy is about, as far as the file says.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Subject {
    /// A role, by ARN (`get-role` output, account authorization details).
    RoleArn(Spanned<String>),
    /// A role, by name only (`get-role-policy` output): the account must come from elsewhere.
    RoleName(Spanned<String>),
    /// A bucket, by name (from the resources a bucket policy names).
    Bucket(String),
    /// A KMS key, by ARN (`describe-key` beside it, or the config; for grants, their `KeyId`).
    Key(String),
    /// A managed policy, by ARN (a template's `AWS::IAM::ManagedPolicy`, a policy of
    /// `get-account-authorization-details`): the permissions boundary of the roles that name
    /// it.
    ManagedPolicy(Spanned<String>),
    /// The roots, OUs and accounts an SCP or RCP is attached to (a template's `TargetIds`).
    Targets(Vec<Spanned<String>>),
    /// An EventBridge event bus, by ARN.
    EventBus(String),
    /// A Lambda function, version or alias, by its ARN as the policy's `Resource` names it
    /// (each of them has a policy of its own: "the permission you grant apply only to the ARN
    /// used in the add permission request", Lambda developer guide).
    Function(String),
}

/// A role's permissions boundary, as a file names it (`get-role` `PermissionsBoundary`, a
/// template role's `PermissionsBoundary`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BoundaryRef {
    /// The role, by ARN.
    pub role: Spanned<String>,
    /// The managed policy set as its boundary, by ARN, where the file names it.
    pub policy: Spanned<String>,
}

/// One policy found in a file.
#[derive(Clone, Debug)]
pub struct PolicyEntry {
    /// What it governs, when the content or shape tells.
    pub kind: Option<PolicyKind>,
    /// Whom it governs, when the file tells.
    pub subject: Option<Subject>,
    /// A name for messages (`PolicyName`, managed policy ARN), when the file gives one.
    pub name: Option<String>,
    /// The document.
    pub document: PolicyDocument,
    /// Grammar problems (XA003).
    pub issues: Vec<PolicyIssue>,
    /// For a key policy: the input sets `BypassPolicyLockoutSafetyCheck` (or may: a value known
    /// only at deployment), so KMS does not check that the policy lets its caller manage the
    /// key. False where the input cannot say (the API's default).
    pub bypass_lockout_check: bool,
}
