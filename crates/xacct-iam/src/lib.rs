//! IAM policy evaluation as AWS documents it, answered in three values.
//!
//! [`evaluate`] decides whether one principal may perform one action on one resource, given the
//! principal's identity policies and the resource's policy (bucket policy, key policy, trust
//! policy). It knows no files and renders nothing: it hands back the statements that decided
//! ([`Evidence`]) or the reasons it cannot decide ([`UnknownReason`]), and those carry spans.
//!
//! # Semantics
//!
//! Sources: the IAM user guide, "Policy evaluation logic", "Cross-account policy evaluation
//! logic", "IAM JSON policy elements" (`Principal`, `NotPrincipal`, `Action`, `Resource`,
//! `Condition`, condition operators, multi-valued context keys, policy variables) and "AWS
//! global condition context keys"; the AWS KMS developer guide, "Key policies".
//!
//! - A statement applies when its principal (resource policies only), action, resource and
//!   conditions all match; each part answers yes, no or maybe, and maybe carries its reason.
//! - An explicit deny that applies wins ([`Decision::Denied`]). A deny that may apply turns
//!   what would be allowed into [`Decision::Unknown`].
//! - Same account, most resources ([`ResourceKind::S3`], [`ResourceKind::Other`]): an allow in
//!   the identity policies *or* in the resource policy naming the principal itself suffices. A
//!   resource policy that names the account (`arn:aws:iam::111122223333:root` or
//!   `111122223333`) only delegates to the account's identity policies.
//! - Cross account: the identity policies *and* the resource policy (naming the principal or its
//!   account) must both allow.
//! - Key policies ([`ResourceKind::KmsKey`]) and trust policies ([`ResourceKind::RoleTrust`])
//!   must always allow, even in the same account: naming the principal suffices in the same
//!   account; naming its account needs an identity allow as well; cross-account always needs
//!   both.
//! - A service principal (`codepipeline.amazonaws.com`) has no identity policies: the resource
//!   policy alone decides.
//! - Principals: `"*"` names everyone; `{"AWS": "*"}` every AWS principal, and maybe a service
//!   (the user guide calls it equivalent to `"*"` "for anonymous users" only); a role ARN names
//!   that role exactly (a session ARN, one session of it), and maybe the role when it differs
//!   only in case (names are unique regardless of case, matching so is not documented);
//!   wildcards inside principal ARNs are not wildcards. With `Deny`, a `NotPrincipal` excludes
//!   a role only when it lists the role's account as well as the role (the user guide: AWS may
//!   check the account, then the role, then the session); with `Allow` ("allows all principals
//!   except the one named") it excludes the role it names, and maybe the roles of an account it
//!   names.
//! - `Action` matches case-insensitively, `Resource` case-sensitively and ARN field by field,
//!   `*` and `?` as wildcards, except that a `*` ending one of the first five segments of a
//!   `Resource` pattern may run on past colons ("it can expand to match beyond the colon
//!   boundaries": `arn:aws:kms:*` covers every KMS ARN); `ArnLike` checks "each of the six
//!   colon-delimited components" separately. `Not…` forms invert. Identity statements need a
//!   `Resource`; resource-policy statements without one (trust policies) apply to the resource
//!   at hand.
//! - Conditions: every operator of the user guide, `…IfExists`, `ForAnyValue:`/`ForAllValues:`;
//!   values of one key are OR-ed (NOR-ed for negated operators), keys and operators AND-ed; a
//!   key absent from the request makes a condition false, except that negated operators,
//!   `…IfExists` and `ForAllValues` are then true, and `ForAnyValue:` with `…IfExists` or a
//!   negation is unknown (the guide's texts disagree). The request fixes `aws:PrincipalAccount`,
//!   `aws:PrincipalArn` (an IAM role ARN), `aws:PrincipalType` (`AssumedRole`),
//!   `aws:PrincipalIsAWSService`, `aws:PrincipalServiceName` (absent for roles) and, for KMS
//!   actions, `kms:CallerAccount`; every other key comes from the [`Context`]. Policy variables
//!   (`${aws:username}`, `${key, 'default'}`, `${*}`) are substituted in documents of version
//!   2012-10-17. A variable with no value matches nothing in `Resource` and positive
//!   operators; in `NotResource` and negated operators the guide's texts disagree ("do match
//!   against a null value" and "causes the statement to be invalid"), so those are unknown.
//! - Unknown stays unknown: a condition key whose value the [`Context`] does not hold, a
//!   policy variable that cannot be resolved, a missing document whose allow is needed, an
//!   unknown resource account when the same- and cross-account rules disagree, and a case the
//!   documentation does not settle ([`Undocumented`]) all give [`Decision::Unknown`] with their
//!   reasons. No definite answer is given where AWS's documented behaviour could contradict it.
//!
//! - Bounds ([`Bounds`]): a `Deny` in any SCP, RCP, permissions boundary or session policy
//!   wins like any other. The SCPs of the principal's account limit roles (not service
//!   principals): every level of the organization must allow, one SCP of a level suffices,
//!   and a level whose SCPs given do not allow is unknown (an SCP of that level not given may
//!   allow; an SCP with no `Allow` statement stands beside `FullAWSAccess` and limits nothing
//!   but by its denies). RCPs refuse by their denies only (`RCPFullAWSAccess` always allows)
//!   and apply whoever asks. A role's permissions boundary and session policies must allow
//!   what its identity policies allow; whether they limit an allow of a same-account resource
//!   policy naming the role the user guide says both ways (unknown); a `Deny` with
//!   `NotPrincipal` applies to a role with a boundary whatever it lists. A boundary named but
//!   not given, and an SCP whose content is not given, are unknown. KMS grants allow like a
//!   key policy statement naming their grantee; a cross-account grant without the role's own
//!   allow is not settled by the documentation (unknown).
//!
//! Not modelled: S3 ACLs and Object Ownership, VPC endpoint policies, the management
//! account's exemption from SCPs (an SCP given for an account applies to it). A missing
//! identity or resource document is assumed to hold no deny (otherwise every answer that
//! involves an unknown document would be unknown).
//!
//! # Example
//!
//! ```
//! use xacct_iam::{evaluate, Context, Decision, Known, Policies, PrincipalRef, Request};
//! use xacct_iam::{ResourceKind, Side};
//! use xacct_model::{arn::AccountId, policy::load_policy};
//!
//! let text = r#"{"Version": "2012-10-17", "Statement": [{"Effect": "Allow",
//!     "Principal": {"AWS": "arn:aws:iam::222222222222:root"},
//!     "Action": "s3:GetObject", "Resource": "arn:aws:s3:::artifacts/*"}]}"#;
//! let parsed = xacct_syntax::json::parse(text).unwrap();
//! let (bucket_policy, _issues) = load_policy(&parsed.root);
//! let context = Context::new().with("aws:SecureTransport", ["true"]);
//! let request = Request {
//!     principal: PrincipalRef::Role {
//!         arn: "arn:aws:iam::222222222222:role/Deploy",
//!         account: AccountId::parse("222222222222").unwrap(),
//!     },
//!     action: "s3:GetObject",
//!     resource: "arn:aws:s3:::artifacts/out.zip",
//!     resource_account: AccountId::parse("111111111111"),
//!     kind: ResourceKind::S3,
//!     context: &context,
//! };
//! let policies = Policies {
//!     identity: Known::Known(vec![]),
//!     resource: Known::Known(Some(&bucket_policy)),
//!     bounds: Default::default(),
//! };
//! // Cross-account: the bucket policy names account B, but the role's own policies must
//! // allow the read as well.
//! assert_eq!(
//!     evaluate(&request, &policies),
//!     Decision::NotAllowed { missing: Side::Identity }
//! );
//! ```

#![warn(missing_docs)]

mod automaton;
mod condition;
mod context;
mod evaluate;
mod expand;
mod pattern;
mod principal;
mod tri;
mod values;

use xacct_model::arn::AccountId;
use xacct_model::policy::{Condition, PolicyDocument, PrincipalEntry, Statement};
use xacct_model::Spanned;

pub use context::{Context, KeyState};
pub use evaluate::{evaluate, evaluate_actions_with, evaluate_with, EvaluationMemo};

/// Who makes the request.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PrincipalRef<'a> {
    /// A role session: the role's ARN (`arn:aws:iam::111122223333:role/path/Name`, or an
    /// `arn:aws:sts::111122223333:assumed-role/Name/session` ARN when the session is known) and
    /// its account.
    Role {
        /// The role ARN.
        arn: &'a str,
        /// The role's account.
        account: AccountId,
    },
    /// An AWS service principal, e.g. `codepipeline.amazonaws.com`.
    Service(&'a str),
}

/// What the resource policy is, which decides how it combines with identity policies.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ResourceKind {
    /// An S3 bucket or object (bucket policy).
    S3,
    /// A KMS key (key policy): the key policy must always allow.
    KmsKey,
    /// An IAM role being assumed (trust policy): the trust policy must always allow.
    RoleTrust,
    /// Any other resource with a resource-based policy, evaluated like S3.
    Other,
}

/// One request: a principal performs an action on a resource.
#[derive(Clone, Copy, Debug)]
pub struct Request<'a> {
    /// Who.
    pub principal: PrincipalRef<'a>,
    /// The action, e.g. `s3:GetObject` (compared case-insensitively).
    pub action: &'a str,
    /// The resource ARN, e.g. `arn:aws:s3:::bucket/key` (compared case-sensitively).
    pub resource: &'a str,
    /// The account that owns the resource. When `None`, the account field of `resource` is
    /// used if it has one (S3 ARNs do not); otherwise it is unknown.
    pub resource_account: Option<AccountId>,
    /// How the resource policy combines with identity policies.
    pub kind: ResourceKind,
    /// Known values of condition keys.
    pub context: &'a Context,
}

/// Whether we have something at all.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Known<T> {
    /// We have it.
    Known(T),
    /// We do not know it.
    Unknown,
}

/// The policies that govern one request.
#[derive(Clone, Debug)]
pub struct Policies<'a> {
    /// The principal's identity policies (inline and attached, in any order); `Unknown` when we
    /// do not have them.
    pub identity: Known<Vec<&'a PolicyDocument>>,
    /// The resource's policy: `Known(None)` when the resource has none, `Unknown` when we do not
    /// know it.
    pub resource: Known<Option<&'a PolicyDocument>>,
    /// The policies that limit (or, for KMS grants, add to) what the two above allow: SCPs,
    /// RCPs, the permissions boundary, session policies. `Bounds::default()` when there are
    /// none.
    pub bounds: Bounds<'a>,
}

impl<'a> Policies<'a> {
    /// The identity policies and the resource policy, with no bounds.
    pub fn new(
        identity: Known<Vec<&'a PolicyDocument>>,
        resource: Known<Option<&'a PolicyDocument>>,
    ) -> Policies<'a> {
        Policies {
            identity,
            resource,
            bounds: Bounds::default(),
        }
    }
}

/// The policies beyond the principal's own and the resource's that take part in a request.
///
/// Sources: the IAM user guide, "Policy evaluation logic" ("These include AWS Organizations
/// SCPs and RCPs, resource-based policies, identity-based policies, IAM permissions
/// boundaries, and session policies") and "Permissions boundaries for IAM entities"; the AWS
/// Organizations user guide on SCPs and RCPs; the KMS developer guide, "Grants in AWS KMS".
#[derive(Clone, Debug, Default)]
pub struct Bounds<'a> {
    /// The service control policies that apply to the principal's account. They limit IAM
    /// roles only (not service principals); each level of the organization (root, OU,
    /// account) must allow.
    pub scps: Vec<OrgPolicy<'a>>,
    /// The resource control policies that apply to the resource's account. AWS attaches
    /// `RCPFullAWSAccess` to every root, OU and account and it cannot be detached, so only
    /// their `Deny` statements can refuse.
    pub rcps: Vec<OrgPolicy<'a>>,
    /// The role's permissions boundary: `None` when it has none, `Some(Known::Unknown)` when it
    /// names one whose document is not given.
    pub boundary: Option<Known<&'a PolicyDocument>>,
    /// The session policies of the role session, when it was given any (they are one set: an
    /// allow in any of them suffices).
    pub session: Option<Vec<&'a PolicyDocument>>,
    /// The grants of a KMS key ([`ResourceKind::KmsKey`] only), each a document whose
    /// statements allow their grantee the grant's operations under its constraints.
    pub grants: Vec<&'a PolicyDocument>,
}

/// An SCP or RCP, and the level of the organization it is attached to, when known.
#[derive(Clone, Copy, Debug)]
pub struct OrgPolicy<'a> {
    /// The policy, or `Unknown` when it applies but its content is not given.
    pub document: Known<&'a PolicyDocument>,
    /// The root, OU or account it is attached to (`r-…`, `ou-…`, an account ID): SCPs at one
    /// level need one allow among them, each level must allow. `None` when not known: the
    /// policy is then a level of its own.
    pub level: Option<&'a str>,
}

/// The answer.
#[derive(Clone, Debug, PartialEq)]
pub enum Decision<'a> {
    /// Allowed, by these allow statements.
    Allowed {
        /// Every applicable allow statement the rule for this request relied on, identity side
        /// first: identity statements and resource statements naming the principal whenever
        /// they count, resource statements naming its account only where the rule needs the
        /// account's delegation (cross-account, key and trust policies).
        by: Vec<Evidence<'a>>,
    },
    /// Explicitly denied by these deny statements.
    Denied {
        /// Every deny statement that applies.
        by: Vec<Evidence<'a>>,
    },
    /// Implicitly denied: no applicable allow on `missing`.
    NotAllowed {
        /// Which side lacks an allow: `Both` when neither side has one.
        missing: Side,
    },
    /// Could go either way.
    Unknown {
        /// Why, without repeats: the reasons a deny may apply first, then the reasons an
        /// allow may be missing, each in statement order.
        reasons: Vec<UnknownReason<'a>>,
    },
}

impl Decision<'_> {
    /// True for [`Decision::Allowed`].
    pub fn is_allowed(&self) -> bool {
        matches!(self, Decision::Allowed { .. })
    }

    /// True for [`Decision::Denied`] and [`Decision::NotAllowed`]: certainly not allowed.
    pub fn is_refused(&self) -> bool {
        matches!(self, Decision::Denied { .. } | Decision::NotAllowed { .. })
    }
}

/// A side of the evaluation: which kind of policy.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Side {
    /// The principal's identity policies.
    Identity,
    /// The resource's policy.
    Resource,
    /// Both (only in [`Decision::NotAllowed`]).
    Both,
    /// The role's permissions boundary.
    Boundary,
    /// The session policies.
    Session,
    /// A service control policy of the principal's account.
    Scp,
    /// A resource control policy of the resource's account.
    Rcp,
    /// A KMS grant on the key.
    Grant,
}

impl Side {
    /// Its name in output: `identity`, `resource`, `both`, `boundary`, `session`, `scp`,
    /// `rcp`, `grant`.
    pub fn name(self) -> &'static str {
        match self {
            Side::Identity => "identity",
            Side::Resource => "resource",
            Side::Both => "both",
            Side::Boundary => "boundary",
            Side::Session => "session",
            Side::Scp => "scp",
            Side::Rcp => "rcp",
            Side::Grant => "grant",
        }
    }

    /// True for the policies that limit the principal: its identity policies, its permissions
    /// boundary, its session policies and the SCPs of its account.
    pub fn is_principal_side(self) -> bool {
        matches!(
            self,
            Side::Identity | Side::Boundary | Side::Session | Side::Scp
        )
    }

    /// True for the policies of the resource: its own policy, the RCPs of its account, and a
    /// KMS key's grants.
    pub fn is_resource_side(self) -> bool {
        matches!(self, Side::Resource | Side::Rcp | Side::Grant)
    }
}

/// A statement that decided.
///
/// Equality compares statements by identity (the same statement of the same loaded document),
/// not by content: two identical statements in different documents are different evidence.
#[derive(Clone, Copy, Debug)]
pub struct Evidence<'a> {
    /// [`Side::Identity`] or [`Side::Resource`].
    pub side: Side,
    /// The statement.
    pub statement: &'a Statement,
    /// True when a resource-policy statement applies only because it names the principal's
    /// account (`arn:aws:iam::111122223333:root` or `111122223333`), not the principal itself.
    pub via_account_root: bool,
}

impl Evidence<'_> {
    fn same_statement(&self, other: &Evidence<'_>) -> bool {
        self.side == other.side && std::ptr::eq(self.statement, other.statement)
    }
}

impl PartialEq for Evidence<'_> {
    fn eq(&self, other: &Self) -> bool {
        self.same_statement(other) && self.via_account_root == other.via_account_root
    }
}

/// Why a decision is [`Decision::Unknown`].
///
/// Equality compares statements, conditions and values by identity, like [`Evidence`].
#[derive(Clone, Copy, Debug)]
pub enum UnknownReason<'a> {
    /// A condition could not be decided.
    Condition {
        /// The statement.
        statement: &'a Statement,
        /// The condition.
        condition: &'a Condition,
        /// What about it is unknown.
        cause: ConditionCause,
    },
    /// A `Resource`/`NotResource` pattern holds a policy variable (`${aws:username}`) whose
    /// value is not known.
    PolicyVariable {
        /// The statement.
        statement: &'a Statement,
        /// The pattern.
        value: &'a Spanned<xacct_model::Text>,
    },
    /// The principal entry names one role session (`arn:aws:sts::…:assumed-role/Name/session`)
    /// of the requesting role, whose session name is not known.
    RoleSession {
        /// The statement.
        statement: &'a Statement,
        /// The entry.
        entry: &'a PrincipalEntry,
    },
    /// A template placeholder, in a principal entry (`arn:aws:iam::${DevAccountId}:root`) or
    /// in the requested resource (`key/${ArtifactKey}`), fixed only when its stack is deployed,
    /// leaves this pattern's match open.
    DeployTimeValue {
        /// The statement.
        statement: &'a Statement,
        /// The principal entry or resource pattern.
        value: &'a Spanned<xacct_model::Text>,
    },
    /// A case the AWS documentation does not settle (its texts disagree, or say nothing), in
    /// this principal entry or resource pattern: it may or may not apply.
    Undocumented {
        /// The statement.
        statement: &'a Statement,
        /// The principal entry or resource pattern.
        value: &'a Spanned<xacct_model::Text>,
        /// Which case.
        case: Undocumented,
    },
    /// A document whose allow is needed is not available: the identity policies, the resource
    /// policy, a permissions boundary the role names ([`Side::Boundary`]), or an SCP whose
    /// content is not given ([`Side::Scp`]).
    MissingDocument(Side),
    /// No SCP given at one level of the organization allows the request: another SCP attached
    /// at the same level, not given (`FullAWSAccess`, which AWS attaches to every root, OU and
    /// account by default), may. The SCPs given at a level are not known to be all of them.
    ScpLevelWithoutAllow {
        /// The first SCP of the level that has `Allow` statements.
        document: &'a PolicyDocument,
    },
    /// The resource's account is unknown, and the same-account and cross-account rules give
    /// different answers.
    ResourceAccount,
}

/// The cases the AWS documentation leaves open, which evaluation answers as unknown rather than
/// guess (a guess is a definite answer AWS may contradict).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Undocumented {
    /// `NotPrincipal` in an `Allow` statement lists the requesting role's account but not the
    /// role: the IAM user guide says such a statement "allows all principals except the one
    /// named", and that AWS "might validate the account first, then the role", so whether the
    /// role counts as excluded with its account is not said.
    NotPrincipalAccount,
    /// `{"AWS": "*"}` and a service principal: the user guide calls `{"AWS": "*"}` equivalent to
    /// `"*"` for anonymous users only, and says some services treat the two differently.
    AwsWildcardForService,
    /// A role ARN that differs from the requesting role's only in the case of its path or name:
    /// role names "are not distinguished by case" (no two roles of an account differ so), but
    /// the user guide says a role ARN is case sensitive when assuming it and says nothing of
    /// role ARNs in a `Principal` element.
    RoleNameCase,
    /// A `NotResource` pattern holds a policy variable with no value: the user guide says such a
    /// pattern "will not match any resource", and also that a value that is not present "causes
    /// the statement to be invalid".
    NotResourceWithoutValue,
    /// A KMS grant names a role of another account than the key's, whose own policies do not
    /// allow the operation: the KMS developer guide says a grant "allows the grantee principal
    /// to call the specified grant operations", and that cross-account use of a key needs the
    /// external account's IAM policies, without saying which wins for grants.
    CrossAccountGrant,
    /// A resource policy (or a KMS grant) of the role's own account names the role, and the
    /// role's permissions boundary or session policy does not allow the request: the IAM user
    /// guide says "an implicit deny in a permissions boundary does not limit the permissions
    /// granted by a resource-based policy", and in a later text that it "does limit the
    /// permissions granted to the ARN of the underlying" entity.
    BoundaryAndResourcePolicy,
}

/// What about a condition is unknown.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ConditionCause {
    /// The [`Context`] does not hold the key, and the request does not fix it.
    UnknownKey,
    /// The operator is not one IAM defines.
    UnknownOperator,
    /// A value cannot be compared: not a number, date or IP address, or it holds a policy
    /// variable whose value is not known.
    Unresolved,
    /// A negated operator (`StringNotEquals`, `ArnNotLike`…) against a policy value holding a
    /// policy variable with no value: the IAM user guide says both that negated operators
    /// "do match against a null value" and that matching a value that is not present "fails
    /// and causes the statement to be invalid".
    VariableWithoutValue,
    /// The key is absent and the operator is `ForAnyValue:` with `…IfExists` or a negation:
    /// the user guide says `ForAnyValue` over no values "returns false", and also that a
    /// missing key makes `…IfExists` and negated conditions true.
    AbsentKeyForAnyValue,
}

impl PartialEq for UnknownReason<'_> {
    fn eq(&self, other: &Self) -> bool {
        use UnknownReason as R;
        match (self, other) {
            (
                R::Condition {
                    statement: s1,
                    condition: c1,
                    cause: k1,
                },
                R::Condition {
                    statement: s2,
                    condition: c2,
                    cause: k2,
                },
            ) => std::ptr::eq(*s1, *s2) && std::ptr::eq(*c1, *c2) && k1 == k2,
            (
                R::PolicyVariable {
                    statement: s1,
                    value: v1,
                },
                R::PolicyVariable {
                    statement: s2,
                    value: v2,
                },
            ) => std::ptr::eq(*s1, *s2) && std::ptr::eq(*v1, *v2),
            (
                R::RoleSession {
                    statement: s1,
                    entry: e1,
                },
                R::RoleSession {
                    statement: s2,
                    entry: e2,
                },
            ) => std::ptr::eq(*s1, *s2) && std::ptr::eq(*e1, *e2),
            (
                R::Undocumented {
                    statement: s1,
                    value: v1,
                    case: c1,
                },
                R::Undocumented {
                    statement: s2,
                    value: v2,
                    case: c2,
                },
            ) => std::ptr::eq(*s1, *s2) && std::ptr::eq(*v1, *v2) && c1 == c2,
            (
                R::DeployTimeValue {
                    statement: s1,
                    value: v1,
                },
                R::DeployTimeValue {
                    statement: s2,
                    value: v2,
                },
            ) => std::ptr::eq(*s1, *s2) && std::ptr::eq(*v1, *v2),
            (R::MissingDocument(a), R::MissingDocument(b)) => a == b,
            (R::ScpLevelWithoutAllow { document: a }, R::ScpLevelWithoutAllow { document: b }) => {
                std::ptr::eq(*a, *b)
            }
            (R::ResourceAccount, R::ResourceAccount) => true,
            _ => false,
        }
    }
}
