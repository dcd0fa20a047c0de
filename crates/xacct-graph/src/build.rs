//! Building the graph: the questions each pipeline implies, each evaluated once.
//!
//! Pipelines that share roles, buckets and keys ask the same questions again (1,000
//! generated pipelines ask 75,000 questions, 34,000 of them distinct), and an evaluation is a
//! pure function of its question. So every question is reduced to an [`AnswerKey`] of interned
//! parts, compared by address, and evaluated on its first appearance only; the checks that ask
//! it again share the answer.

use std::sync::Arc;

use petgraph::stable_graph::NodeIndex;
use xacct_iam::{
    evaluate_actions_with, evaluate_with, Bounds, Context, Decision, EvaluationMemo, Known,
    OrgPolicy, Policies, PrincipalRef, Request, ResourceKind, UnknownReason,
};
use xacct_model::policy::Statement;
use xacct_model::providers::{ArtifactUse, SAMPLE_OBJECT_ID};
use xacct_model::workspace::{Governs, PipelineUnit, Workspace};
use xacct_model::{AccountId, Action, Arn, ArtifactStore, KeyRef};

use crate::{
    Artifacts, Asked, Check, EdgeKind, FastMap, FastSet, Need, NodeKind, Outcome, Proof, TrustGraph,
};

mod deploy;
mod stacksets;

const PIPELINE_SERVICE: &str = "codepipeline.amazonaws.com";

/// The graph under construction, with what building it needs and the graph does not keep.
pub(crate) struct Builder<'w> {
    graph: TrustGraph,
    /// Whether to build the nodes and edges as well as the checks.
    draw: bool,
    lookup: Arc<Lookup<'w>>,
    /// One copy of each principal, resource, bucket and key name: a million checks name a
    /// few thousand roles and buckets, and interned names compare by address.
    strings: FastSet<Arc<str>>,
    /// Every pair of nodes with an edge between them (petgraph's `find_edge` scans a node's
    /// edges, and a shared role has thousands).
    linked: FastSet<(NodeIndex, NodeIndex)>,
    answers: FastMap<AnswerKey, Arc<Asked>>,
    /// What evaluations of the workspace's documents share (which statements match which
    /// action, patterns split into fields): questions repeat the same twenty actions over the
    /// same documents.
    memo: EvaluationMemo<'w>,
    contexts: Contexts,
    /// Store facts by the address of the store in the workspace.
    stores: FastMap<usize, std::rc::Rc<StoreFacts>>,
    /// The account of each interned role ARN, by address.
    accounts_of: FastMap<usize, Option<AccountId>>,
    /// A buffer for names about to be interned (most are found interned already).
    scratch: String,
    /// Role, bucket and key nodes by the address of their interned name.
    named: FastMap<(u8, usize), NodeIndex>,
    /// Identity policies by the address of a role's interned ARN.
    identity_of: FastMap<usize, Arc<[usize]>>,
    /// Whether each action role only assumes roles of other accounts (`hops.rs`), by the
    /// address of its interned ARN and its account: most roles serve many actions.
    hops_of: FastMap<(usize, AccountId), Option<Arc<[crate::hops::HopTarget]>>>,
    /// A resource's policy by the address of its interned name.
    resource_of: FastMap<(PolicyOf, usize), Option<usize>>,
}

/// Everything an evaluation depends on, in interned parts compared by address.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
struct AnswerKey {
    principal: usize,
    principal_account: Option<AccountId>,
    iam_action: &'static str,
    resource: usize,
    resource_account: Option<AccountId>,
    resource_kind: ResourceKind,
    resource_policy: Option<(PolicyOf, usize)>,
    context: usize,
}

/// Which policy of a resource governs a question, by the resource's interned name.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
enum PolicyOf {
    Bucket,
    Key,
    RoleTrust,
    /// A Lambda function's (or version's, or alias's) resource policy, by its ARN.
    Function,
}

/// The request contexts questions use, each built once and shared (a key compares them by
/// address).
#[derive(Default)]
struct Contexts {
    none: Arc<Context>,
    secure: Arc<Context>,
    pass_to_cloudformation: Arc<Context>,
    pass_to_ecs_tasks: Arc<Context>,
    /// Through S3 in a region (`kms:ViaService`), by region.
    via_s3: FastMap<String, Arc<Context>>,
    /// A PutObject as CodePipeline makes it, by the store key it names.
    put: FastMap<Option<Arc<str>>, Arc<Context>>,
}

impl Contexts {
    fn new() -> Contexts {
        Contexts {
            none: Arc::new(Context::new()),
            secure: Arc::new(secure()),
            pass_to_cloudformation: Arc::new(
                Context::new().with("iam:PassedToService", ["cloudformation.amazonaws.com"]),
            ),
            pass_to_ecs_tasks: Arc::new(
                Context::new().with("iam:PassedToService", ["ecs-tasks.amazonaws.com"]),
            ),
            ..Contexts::default()
        }
    }

    fn via_s3(&mut self, region: &str) -> Arc<Context> {
        if let Some(context) = self.via_s3.get(region) {
            return context.clone();
        }
        let context =
            Arc::new(Context::new().with("kms:ViaService", [format!("s3.{region}.amazonaws.com")]));
        self.via_s3.insert(region.to_string(), context.clone());
        context
    }

    fn put(&mut self, key: Option<&Arc<str>>) -> Arc<Context> {
        self.put
            .entry(key.cloned())
            .or_insert_with(|| {
                let mut context = secure().with("s3:x-amz-server-side-encryption", ["aws:kms"]);
                if let Some(key) = key {
                    context = context.with(
                        "s3:x-amz-server-side-encryption-aws-kms-key-id",
                        [key.to_string()],
                    );
                }
                Arc::new(context)
            })
            .clone()
    }
}

/// What CodePipeline's requests to S3 fix: they use TLS.
fn secure() -> Context {
    Context::new().with("aws:SecureTransport", ["true"])
}

/// One end of an edge: a node by kind, or a role, bucket or key by its interned name, whose
/// node is found by address (without building a `NodeKind` and hashing its text).
#[derive(Clone)]
enum At {
    Kind(NodeKind),
    Role(Arc<str>),
    Bucket(Arc<str>),
    Key(Arc<str>),
}

/// Who asks: an interned role ARN with its account, or an interned service name.
#[derive(Clone)]
struct Asker {
    name: Arc<str>,
    account: Option<AccountId>,
}

impl Asker {
    fn principal(&self) -> PrincipalRef<'_> {
        match self.account {
            Some(account) => PrincipalRef::Role {
                arn: &self.name,
                account,
            },
            None => PrincipalRef::Service(&self.name),
        }
    }
}

/// One question to ask.
struct Question {
    kind: EdgeKind,
    need: Need,
    asker: Asker,
    iam_action: &'static str,
    resource: Arc<str>,
    resource_account: Option<AccountId>,
    resource_kind: ResourceKind,
    resource_policy: Option<(PolicyOf, Arc<str>)>,
    context: Arc<Context>,
}

/// The documents a question needs, from the workspace: built once per graph and shared by the
/// builders of its ranges (it indexes every policy of the workspace; built per range, it cost a
/// large run as much as it has ranges).
pub(crate) struct Lookup<'w> {
    workspace: &'w Workspace,
    /// Each policy's statements as a range of addresses, sorted: the policy of a statement that
    /// decided, found by binary search (addresses as numbers, so that builders on other
    /// threads can share the list).
    statement_owner: Vec<(usize, usize, usize)>,
    /// Roles that EC2 may assume, by account (candidates for CodeDeploy instance roles),
    /// found once rather than per CodeDeploy action.
    ec2_roles: FastMap<AccountId, Vec<String>>,
    /// The key ARNs the workspace's key policies are bound to, by key ID
    /// ([`Lookup::mistyped_key`]), found once rather than by a scan of every policy per
    /// artifact store.
    key_arns_by_id: FastMap<&'w str, Vec<&'w str>>,
}

impl<'w> Lookup<'w> {
    pub(crate) fn new(workspace: &'w Workspace) -> Self {
        let mut statement_owner: Vec<_> = workspace
            .policies
            .iter()
            .enumerate()
            .map(|(i, p)| {
                let range = p.document().statements.as_ptr_range();
                (i, range.start as usize, range.end as usize)
            })
            .filter(|(_, start, end)| start != end)
            .collect();
        // Sorted by address, so that `proof` finds a statement's policy by binary search.
        statement_owner.sort_by_key(|&(_, start, _)| start);
        let mut key_arns_by_id: FastMap<&str, Vec<&str>> = FastMap::default();
        for unit in &workspace.policies {
            if let Some(Governs::Key(arn)) = &unit.governs {
                if let Some((_, id)) = arn.rsplit_once(":key/") {
                    key_arns_by_id.entry(id).or_default().push(arn);
                }
            }
        }
        Lookup {
            workspace,
            statement_owner,
            ec2_roles: ec2_roles(workspace),
            key_arns_by_id,
        }
    }

    /// True when no key policy of the workspace is bound to `arn`, but one is bound to a key
    /// of the same key ID under another ARN (account or region): a key ID is unique, so `arn`
    /// names a key that the inputs show elsewhere.
    fn mistyped_key(&self, arn: &str) -> bool {
        let Some((_, id)) = arn.rsplit_once(":key/") else {
            return false;
        };
        if self
            .workspace
            .governing(&Governs::Key(arn.to_string()))
            .next()
            .is_some()
        {
            return false;
        }
        self.key_arns_by_id
            .get(id)
            .is_some_and(|arns| arns.iter().any(|other| *other != arn))
    }

    /// The one policy that governs `what` ([`governing_unit`]).
    fn governing_unit(&self, what: &Governs) -> Option<usize> {
        governing_unit(self.workspace, what)
    }

    fn proof(&self, evidence: &xacct_iam::Evidence<'_>) -> Option<Proof> {
        let ptr = evidence.statement as *const Statement as usize;
        let after = self
            .statement_owner
            .partition_point(|&(_, start, _)| start <= ptr);
        let &(policy, start, end) = self.statement_owner.get(after.checked_sub(1)?)?;
        if !(start <= ptr && ptr < end) {
            return None;
        }
        Some(Proof {
            policy,
            file: self.workspace.policies[policy].file,
            span: evidence.statement.span,
            anchor: evidence.statement.anchor(),
            side: evidence.side,
            via_account_root: evidence.via_account_root,
        })
    }

    /// Evaluates one question against the documents of the workspace.
    /// The identity policies of a role (indexes into the workspace), in workspace order.
    fn identity_units(&self, role: &str) -> Arc<[usize]> {
        self.workspace
            .governing_indexed(&Governs::RoleIdentity(role.to_string()))
            .map(|(i, _)| i)
            .collect()
    }

    /// The policy that governs a resource, if the workspace has one.
    fn resource_unit(&self, of: PolicyOf, name: &str) -> Option<usize> {
        let name = name.to_string();
        let what = match of {
            PolicyOf::Bucket => Governs::Bucket(name),
            PolicyOf::Key => Governs::Key(name),
            PolicyOf::RoleTrust => Governs::RoleTrust(name),
            PolicyOf::Function => Governs::Function(name),
        };
        self.governing_unit(&what)
    }

    /// Evaluates one question, given the principal's identity policies and the resource's
    /// policy (`None` when the question involves none; `Some(None)` when it is not given).
    fn evaluate(
        &self,
        question: &Question,
        identity_units: Arc<[usize]>,
        resource_unit: Option<Option<usize>>,
        memo: &mut EvaluationMemo<'w>,
    ) -> Asked {
        let policies = self.policies(question, &identity_units, resource_unit);
        let decision = evaluate_with(&request(question), &policies, memo);
        self.asked(question, &decision, identity_units, resource_unit)
    }

    /// Evaluates `question` for each IAM action of `actions` (they differ in nothing else),
    /// together.
    fn evaluate_actions(
        &self,
        question: &Question,
        actions: &[&'static str],
        identity_units: Arc<[usize]>,
        resource_unit: Option<Option<usize>>,
        memo: &mut EvaluationMemo<'w>,
    ) -> Vec<Asked> {
        let policies = self.policies(question, &identity_units, resource_unit);
        let decisions = evaluate_actions_with(&request(question), actions, &policies, memo);
        actions
            .iter()
            .zip(&decisions)
            .map(|(&action, decision)| {
                let mut asked =
                    self.asked(question, decision, identity_units.clone(), resource_unit);
                asked.iam_action = action;
                asked
            })
            .collect()
    }

    /// The documents a question is evaluated against.
    fn policies(
        &self,
        question: &Question,
        identity_units: &[usize],
        resource_unit: Option<Option<usize>>,
    ) -> Policies<'w> {
        let principal = question.asker.principal();
        let policies = &self.workspace.policies;
        let identity = match principal {
            // A service has no identity policies: only the resource policy speaks.
            PrincipalRef::Service(_) => Known::Known(Vec::new()),
            PrincipalRef::Role { .. } if identity_units.is_empty() => Known::Unknown,
            PrincipalRef::Role { .. } => Known::Known(
                identity_units
                    .iter()
                    .map(|&i| policies[i].document())
                    .collect(),
            ),
        };
        let resource = match resource_unit {
            None => Known::Known(None),
            Some(Some(unit)) => Known::Known(Some(policies[unit].document())),
            Some(None) => Known::Unknown,
        };
        Policies {
            identity,
            resource,
            bounds: self.bounds(question),
        }
    }

    /// The SCPs, RCPs, permissions boundary and KMS grants a question involves.
    fn bounds(&self, question: &Question) -> Bounds<'w> {
        if !self.workspace.has_bounds() {
            return Bounds::default();
        }
        self.bounds_of(
            question
                .asker
                .account
                .map(|account| (&*question.asker.name, account)),
            question.resource_account,
            question.resource_kind,
            &question.resource,
        )
    }

    /// The bounds of a request by `role` (with its account; `None` for a service) on
    /// `resource`, of that kind and account.
    fn bounds_of(
        &self,
        role: Option<(&str, AccountId)>,
        resource_account: Option<AccountId>,
        kind: ResourceKind,
        resource: &str,
    ) -> Bounds<'w> {
        let workspace = self.workspace;
        let organization = |account: Option<AccountId>, scp: bool| -> Vec<OrgPolicy<'w>> {
            let Some(account) = account else {
                return Vec::new();
            };
            workspace
                .organization_policies(account, scp)
                .map(|(_, unit, level)| OrgPolicy {
                    document: Known::Known(unit.document()),
                    level,
                })
                .collect()
        };
        Bounds {
            scps: organization(role.map(|(_, account)| account), true),
            rcps: organization(resource_account, false),
            boundary: role.and_then(|(role, _)| {
                self.workspace.boundary_of(role)?;
                Some(match self.boundary(role) {
                    Some(unit) => Known::Known(workspace.policies[unit].document()),
                    None => Known::Unknown,
                })
            }),
            session: None,
            grants: match kind {
                ResourceKind::KmsKey => workspace
                    .governing(&Governs::KeyGrants(resource.to_string()))
                    .map(|unit| unit.document())
                    .collect(),
                _ => Vec::new(),
            },
        }
    }

    /// The policy (index in the workspace) that is a role's permissions boundary: `None` when
    /// no file names one, or when the managed policy it names is not given. The same file's
    /// first; a boundary named by a value fixed only at deployment (`${Boundary}`, a
    /// template's `Ref`) is looked for in that file only.
    fn boundary(&self, role: &str) -> Option<usize> {
        boundary_unit(self.workspace, role)
    }

    /// A decision with spans instead of references.
    fn outcome(&self, decision: &Decision<'_>) -> Outcome {
        // Room for every statement that decided (most become a proof), so that the boxed
        // slice takes the vector's block as it is.
        let proofs = |by: &[xacct_iam::Evidence<'_>]| {
            let mut out = Vec::with_capacity(by.len());
            out.extend(by.iter().filter_map(|e| self.proof(e)));
            out.into_boxed_slice()
        };
        match decision {
            Decision::Allowed { by } => Outcome::Allowed(proofs(by)),
            Decision::Denied { by } => Outcome::Denied(proofs(by)),
            Decision::NotAllowed { missing } => Outcome::NotAllowed(*missing),
            Decision::Unknown { reasons } => Outcome::Unknown {
                reasons: reasons.iter().filter_map(describe_reason).collect(),
                missing: reasons
                    .iter()
                    .filter_map(|r| match r {
                        UnknownReason::MissingDocument(side) => Some(*side),
                        _ => None,
                    })
                    .collect(),
            },
        }
    }

    /// The answer to a question, with spans instead of references.
    fn asked(
        &self,
        question: &Question,
        decision: &Decision<'_>,
        identity_units: Arc<[usize]>,
        resource_unit: Option<Option<usize>>,
    ) -> Asked {
        let outcome = self.outcome(decision);
        Asked {
            principal: question.asker.name.clone(),
            principal_account: question.asker.account,
            iam_action: question.iam_action,
            resource: question.resource.clone(),
            resource_account: question.resource_account,
            outcome,
            identity_policies: identity_units,
            resource_policy: resource_unit.flatten(),
            boundary_policy: question
                .asker
                .account
                .filter(|_| self.workspace.has_bounds())
                .and_then(|_| self.boundary(&question.asker.name)),
        }
    }
}

/// One question asked on its own (`xacct access`): may this principal make this request?
#[derive(Clone, Debug)]
pub struct Query {
    /// A role ARN (`arn:aws:iam::ACCOUNT:role/NAME`) or a service principal
    /// (`codepipeline.amazonaws.com`).
    pub principal: String,
    /// The IAM action (`kms:Decrypt`).
    pub action: String,
    /// The resource ARN.
    pub resource: String,
    /// The resource's account, when its ARN does not say (an S3 bucket's); else the account
    /// of a pipeline that stores in the bucket, or of a file holding its policy.
    pub resource_account: Option<AccountId>,
    /// What the request carries: condition keys not in it are unknown.
    pub context: Context,
    /// The session policies of the principal's session (indexes into the workspace's
    /// policies), when it was given any.
    pub session: Option<Vec<usize>>,
}

/// The answer to a [`Query`], with the documents that took part.
#[derive(Clone, Debug)]
pub struct Answer {
    /// The decision, with the statements that made it.
    pub outcome: Outcome,
    /// How the resource's policy combines with the principal's.
    pub kind: ResourceKind,
    /// The principal's account, when it is a role.
    pub principal_account: Option<AccountId>,
    /// The resource's account, when known.
    pub resource_account: Option<AccountId>,
    /// The principal's identity policies (indexes into the workspace's policies).
    pub identity_policies: Vec<usize>,
    /// The resource's policy, when it has one given.
    pub resource_policy: Option<usize>,
    /// The principal's permissions boundary, when given.
    pub boundary_policy: Option<usize>,
}

/// The services whose resources have no resource-based policy (the IAM user guide, "AWS
/// services that work with IAM", column "Resource-based policies": No). A request on another
/// service's resource, other than S3 buckets, KMS keys and IAM roles being assumed, meets a
/// resource policy xacct does not read: unknown.
const NO_RESOURCE_POLICY: &[&str] = &["cloudformation", "codedeploy", "codepipeline", "ec2", "iam"];

/// Answers one question against the workspace's documents, as the trust graph would: the
/// principal's identity policies and permissions boundary, the SCPs of its account, the
/// resource's policy (a bucket's, a key's and its grants, a role's trust policy when the action
/// assumes it), the RCPs of the resource's account.
pub fn ask(workspace: &Workspace, query: &Query) -> Answer {
    let lookup = Lookup::new(workspace);
    let principal_arn = Arn::parse(&query.principal).ok();
    let principal_account = principal_arn
        .as_ref()
        .filter(|a| a.service == "iam" && a.resource.starts_with("role/"))
        .and_then(|a| a.account_id());
    let parsed = Arn::parse(&query.resource).ok();
    let service = parsed.as_ref().map_or("", |a| a.service);
    let action = query.action.to_ascii_lowercase();
    let assumes = action.starts_with("sts:assumerole")
        || action == "sts:tagsession"
        || action == "sts:setsourceidentity";
    let (kind, policy_of) = match parsed.as_ref() {
        Some(arn) if service == "s3" => {
            let bucket = arn.resource.split('/').next().unwrap_or_default();
            (ResourceKind::S3, Some(Governs::Bucket(bucket.to_string())))
        }
        Some(_) if service == "kms" => (
            ResourceKind::KmsKey,
            Some(Governs::Key(query.resource.clone())),
        ),
        Some(arn) if service == "iam" && arn.resource.starts_with("role/") && assumes => (
            ResourceKind::RoleTrust,
            Some(Governs::RoleTrust(query.resource.clone())),
        ),
        // A Lambda function's policy, by the ARN asked about (qualified or not).
        Some(arn) if arn.is_lambda_function() => (
            ResourceKind::Other,
            Some(Governs::Function(query.resource.clone())),
        ),
        _ => (ResourceKind::Other, None),
    };
    let resource_account = query
        .resource_account
        .or_else(|| parsed.as_ref().and_then(|a| a.account_id()))
        .or_else(|| match &policy_of {
            Some(Governs::Bucket(bucket)) => workspace.bucket_account(bucket),
            _ => None,
        });
    let identity_units: Vec<usize> = match principal_account {
        Some(_) => lookup.identity_units(&query.principal).to_vec(),
        None => Vec::new(),
    };
    let resource_unit = policy_of
        .as_ref()
        .and_then(|what| governing_unit(workspace, what));
    let policies = &workspace.policies;
    let identity = match principal_account {
        None => Known::Known(Vec::new()),
        Some(_) if identity_units.is_empty() => Known::Unknown,
        Some(_) => Known::Known(
            identity_units
                .iter()
                .map(|&i| policies[i].document())
                .collect(),
        ),
    };
    let resource = match (resource_unit, &policy_of) {
        (Some(unit), _) => Known::Known(Some(policies[unit].document())),
        (None, Some(_)) => Known::Unknown,
        (None, None) if NO_RESOURCE_POLICY.contains(&service) => Known::Known(None),
        (None, None) => Known::Unknown,
    };
    let role = principal_account.map(|account| (query.principal.as_str(), account));
    let mut bounds = lookup.bounds_of(role, resource_account, kind, &query.resource);
    bounds.session = query
        .session
        .as_ref()
        .map(|units| units.iter().map(|&i| policies[i].document()).collect());
    let request = Request {
        principal: match principal_account {
            Some(account) => PrincipalRef::Role {
                arn: &query.principal,
                account,
            },
            None => PrincipalRef::Service(&query.principal),
        },
        action: &query.action,
        resource: &query.resource,
        resource_account,
        kind,
        context: &query.context,
    };
    let decision = xacct_iam::evaluate(
        &request,
        &Policies {
            identity,
            resource,
            bounds,
        },
    );
    Answer {
        outcome: lookup.outcome(&decision),
        kind,
        principal_account,
        resource_account,
        identity_policies: identity_units,
        resource_policy: resource_unit,
        boundary_policy: principal_account.and_then(|_| boundary_unit(workspace, &query.principal)),
    }
}

/// The policy (index in the workspace) that is the permissions boundary of `role`, when a file
/// names one and the managed policy it names is given: the naming file's own first; a
/// boundary named by a value fixed only at deployment (`${Boundary}`, a template's `Ref`) only
/// from that file.
pub fn boundary_unit(workspace: &Workspace, role: &str) -> Option<usize> {
    let named = workspace.boundary_of(role)?;
    let arn = &named.boundary.policy.value;
    let deferred = xacct_model::symbol::contains_placeholder(arn);
    let mut candidates = workspace
        .governing_indexed(&Governs::ManagedPolicy(arn.clone()))
        .filter(|(_, unit)| !deferred || unit.file == named.file);
    let first = candidates.next();
    let same_file = first
        .filter(|(_, unit)| unit.file == named.file)
        .or_else(|| candidates.find(|(_, unit)| unit.file == named.file));
    same_file.or(first).map(|(i, _)| i)
}

/// The request a question makes.
fn request(question: &Question) -> Request<'_> {
    Request {
        principal: question.asker.principal(),
        action: question.iam_action,
        resource: &question.resource,
        resource_account: question.resource_account,
        kind: question.resource_kind,
        context: &question.context,
    }
}

/// What an unknown answer depends on, in words a user can act on: the condition key whose
/// value would settle it, the policy variable, the value fixed at deployment, the case the
/// AWS documentation leaves open. Missing documents are told apart (`missing`).
fn describe_reason(reason: &UnknownReason<'_>) -> Option<String> {
    use xacct_iam::{ConditionCause, Undocumented};
    Some(match reason {
        UnknownReason::Condition {
            condition, cause, ..
        } => {
            let (operator, key) = (&condition.operator.value, &condition.key.value);
            match cause {
                ConditionCause::UnknownKey => {
                    format!("condition `{operator}` on `{key}`: the request's `{key}` is not known")
                }
                ConditionCause::UnknownOperator => {
                    format!("condition `{operator}` on `{key}`: `{operator}` is no IAM operator")
                }
                ConditionCause::Unresolved => format!(
                    "condition `{operator}` on `{key}`: a value cannot be compared (not of the \
                     operator's type, or a policy variable whose value is not known)"
                ),
                ConditionCause::VariableWithoutValue => format!(
                    "condition `{operator}` on `{key}`: a negated operator against a policy \
                     variable with no value, which the AWS documentation answers both ways"
                ),
                ConditionCause::AbsentKeyForAnyValue => format!(
                    "condition `{operator}` on `{key}`: `{key}` is absent, and the AWS \
                     documentation answers `ForAnyValue` with IfExists or a negation both ways"
                ),
            }
        }
        UnknownReason::PolicyVariable { value, .. } => format!(
            "the value of the policy variable in `{}` is not known",
            value.value
        ),
        UnknownReason::RoleSession { .. } => "a principal that names one role session".to_string(),
        UnknownReason::ResourceAccount => "the resource's account is unknown".to_string(),
        UnknownReason::DeployTimeValue { value, .. } => format!(
            "`{}` holds or meets a value fixed only when its stack is deployed",
            value.value
        ),
        UnknownReason::Undocumented { value, case, .. } => {
            let value = &value.value;
            match case {
                Undocumented::NotPrincipalAccount => format!(
                    "an Allow's `NotPrincipal` lists the account `{value}` but not the role: the \
                     AWS documentation does not say whether that excludes the role"
                ),
                Undocumented::AwsWildcardForService => format!(
                    "`{{\"AWS\": \"{value}\"}}`: the AWS documentation does not say whether it \
                     names a service principal"
                ),
                Undocumented::RoleNameCase => format!(
                    "`{value}` names the role in other case: the AWS documentation does not say \
                     whether a principal matches so"
                ),
                Undocumented::NotResourceWithoutValue => format!(
                    "`NotResource` `{value}` holds a policy variable with no value, which the AWS \
                     documentation answers both ways"
                ),
                Undocumented::BoundaryAndResourcePolicy => format!(
                    "a policy of the role's account names `{value}`, and its permissions boundary \
                     or session policy does not allow it: the AWS documentation says both that \
                     the boundary limits such an allow and that it does not"
                ),
                Undocumented::CrossAccountGrant => format!(
                    "a KMS grant names `{value}` in another account than the key's, and the role's \
                     own policies do not allow the operation: the AWS documentation does not say \
                     whether the grant suffices"
                ),
            }
        }
        UnknownReason::ScpLevelWithoutAllow { .. } => "no SCP given at one level of the \
            organization allows it, and an SCP of that level not given (`FullAWSAccess`, which \
            AWS attaches by default) may"
            .to_string(),
        UnknownReason::MissingDocument(_) => return None,
    })
}

/// What a question's answer depends on.
fn answer_key(q: &Question) -> AnswerKey {
    AnswerKey {
        principal: address(&q.asker.name),
        principal_account: q.asker.account,
        iam_action: q.iam_action,
        resource: address(&q.resource),
        resource_account: q.resource_account,
        resource_kind: q.resource_kind,
        resource_policy: q.resource_policy.as_ref().map(|(of, n)| (*of, address(n))),
        context: Arc::as_ptr(&q.context) as usize,
    }
}

/// The address an interned string is compared by.
fn address(text: &Arc<str>) -> usize {
    Arc::as_ptr(text) as *const u8 as usize
}

impl<'w> Builder<'w> {
    /// A builder; with `draw`, it also builds the nodes and edges that `xacct graph` draws
    /// (the rules read only the checks).
    pub(crate) fn new(lookup: Arc<Lookup<'w>>, pipelines: usize, draw: bool) -> Builder<'w> {
        // Sized for what the generated organisations ask of `pipelines` pipelines (75
        // questions each, 34 of them new): growing a table rehashes every entry.
        let mut graph = TrustGraph::empty();
        graph.checks.reserve(pipelines * 64);
        Builder {
            draw,
            graph,
            lookup,
            strings: FastSet::with_capacity_and_hasher(pipelines * 16, Default::default()),
            linked: FastSet::default(),
            answers: FastMap::with_capacity_and_hasher(pipelines * 32, Default::default()),
            memo: EvaluationMemo::default(),
            contexts: Contexts::new(),
            stores: FastMap::default(),
            scratch: String::new(),
            accounts_of: FastMap::default(),
            named: FastMap::default(),
            identity_of: FastMap::default(),
            hops_of: FastMap::default(),
            resource_of: FastMap::default(),
        }
    }

    pub(crate) fn finish(self) -> TrustGraph {
        self.graph
    }

    /// Notes where the next pipeline's checks begin.
    pub(crate) fn start_pipeline(&mut self) {
        self.graph.start_pipeline();
    }

    fn intern(&mut self, text: &str) -> Arc<str> {
        if let Some(known) = self.strings.get(text) {
            return known.clone();
        }
        let shared: Arc<str> = text.into();
        self.strings.insert(shared.clone());
        shared
    }

    fn node(&mut self, kind: NodeKind) -> NodeIndex {
        if let Some(&index) = self.graph.nodes.get(&kind) {
            return index;
        }
        let index = self.graph.graph.add_node(kind.clone());
        self.graph.nodes.insert(kind, index);
        index
    }

    /// The identity policies of an interned role, looked up once.
    fn identity_units(&mut self, role: &Arc<str>) -> Arc<[usize]> {
        if let Some(units) = self.identity_of.get(&address(role)) {
            return units.clone();
        }
        let units = self.lookup.identity_units(role);
        self.identity_of.insert(address(role), units.clone());
        units
    }

    /// The policy of an interned resource, looked up once.
    fn resource_unit(&mut self, of: PolicyOf, name: &Arc<str>) -> Option<usize> {
        *self
            .resource_of
            .entry((of, address(name)))
            .or_insert_with(|| self.lookup.resource_unit(of, name))
    }

    fn role(&self, arn: &Arc<str>) -> At {
        At::Role(arn.clone())
    }

    /// The node at `at`, added if new.
    fn at(&mut self, at: At) -> NodeIndex {
        let (tag, name) = match at {
            At::Kind(kind) => return self.node(kind),
            At::Role(name) => (0, name),
            At::Bucket(name) => (1, name),
            At::Key(name) => (2, name),
        };
        if let Some(&index) = self.named.get(&(tag, address(&name))) {
            return index;
        }
        let text = name.to_string();
        let index = self.node(match tag {
            0 => NodeKind::Role(text),
            1 => NodeKind::Bucket(text),
            _ => NodeKind::Key(text),
        });
        self.named.insert((tag, address(&name)), index);
        index
    }

    /// The asker a role ARN stands for, when it names an account: the ARN interned, its
    /// account parsed once (a pipeline names the same few roles in each of its actions).
    fn role_asker(&mut self, arn: &str) -> Option<Asker> {
        let name = self.intern(arn);
        let account = *self
            .accounts_of
            .entry(address(&name))
            .or_insert_with(|| Arn::parse(&name).ok().and_then(|a| a.account_id()));
        Some(Asker {
            name,
            account: Some(account?),
        })
    }

    fn asker(&mut self, arn: &str, account: AccountId) -> Asker {
        Asker {
            name: self.intern(arn),
            account: Some(account),
        }
    }

    fn ask(&mut self, from: At, to: At, q: Question) {
        let key = answer_key(&q);
        let answer = match self.answers.get(&key) {
            Some(answer) => answer.clone(),
            None => {
                let (identity, resource) = self.documents_of(&q);
                let answer = Arc::new(self.lookup.evaluate(&q, identity, resource, &mut self.memo));
                self.answers.insert(key, answer.clone());
                answer
            }
        };
        self.record(from, to, q.kind, q.need, answer);
    }

    /// Asks `question` once per IAM action of `calls` (the API calls an action makes on one
    /// resource: the questions differ only in their action), evaluating the new ones together.
    /// The question is written once and its key changed in place: building one question per
    /// call, each with its shared strings counted up and down again, was most of the cost of
    /// the questions already answered.
    fn ask_calls(&mut self, from: &At, to: &At, question: Question, calls: &[&'static str]) {
        let mut key = answer_key(&question);
        let mut answers: Vec<Option<Arc<Asked>>> = calls
            .iter()
            .map(|&call| {
                key.iam_action = call;
                self.answers.get(&key).cloned()
            })
            .collect();
        let new: Vec<&'static str> = calls
            .iter()
            .zip(&answers)
            .filter(|(_, answer)| answer.is_none())
            .map(|(&call, _)| call)
            .collect();
        if !new.is_empty() {
            let (identity, resource) = self.documents_of(&question);
            let mut evaluated = self
                .lookup
                .evaluate_actions(&question, &new, identity, resource, &mut self.memo)
                .into_iter();
            for (slot, &call) in answers.iter_mut().zip(calls) {
                if slot.is_none() {
                    if let Some(answer) = evaluated.next() {
                        let answer = Arc::new(answer);
                        key.iam_action = call;
                        self.answers.insert(key, answer.clone());
                        *slot = Some(answer);
                    }
                }
            }
        }
        for answer in answers.into_iter().flatten() {
            self.record(
                from.clone(),
                to.clone(),
                question.kind,
                question.need.clone(),
                answer,
            );
        }
    }

    /// The identity policies of a question's principal and the policy of its resource.
    fn documents_of(&mut self, q: &Question) -> (Arc<[usize]>, Option<Option<usize>>) {
        let identity = match q.asker.account {
            Some(_) => self.identity_units(&q.asker.name),
            None => Arc::default(),
        };
        let resource = q
            .resource_policy
            .as_ref()
            .map(|(of, name)| self.resource_unit(*of, name));
        (identity, resource)
    }

    /// Keeps the check of a question answered, and its edge when drawing.
    fn record(&mut self, from: At, to: At, kind: EdgeKind, need: Need, answer: Arc<Asked>) {
        let check = Check {
            kind,
            need,
            asked: answer,
        };
        let index = self.graph.push_check(check);
        if self.draw {
            let (a, b) = (self.at(from), self.at(to));
            self.linked.insert((a, b));
            self.graph.graph.add_edge(a, b, (kind, Some(index)));
        }
    }

    /// An edge without a check, unless the two nodes are joined already.
    fn link(&mut self, from: At, to: At, kind: EdgeKind) {
        if !self.draw {
            return;
        }
        let (a, b) = (self.at(from), self.at(to));
        if self.linked.insert((a, b)) {
            self.graph.graph.add_edge(a, b, (kind, None));
        }
    }

    pub(crate) fn add_pipeline(&mut self, p: usize, unit: &PipelineUnit) {
        let pipeline = &unit.doc.pipeline;
        let home = unit.accounts.pipeline_account();
        let pipeline_node = NodeKind::Pipeline(p);
        if let Some(home) = home {
            self.link(
                At::Kind(pipeline_node.clone()),
                At::Kind(NodeKind::Account(home)),
                EdgeKind::RunsIn,
            );
        }
        let Some(pipeline_role) = pipeline.role_arn.as_ref().map(|r| r.value.as_str()) else {
            return;
        };
        let Some(pipeline_role_account) =
            Arn::parse(pipeline_role).ok().and_then(|a| a.account_id())
        else {
            return;
        };
        let pipeline_asker = self.asker(pipeline_role, pipeline_role_account);
        self.link(
            At::Kind(pipeline_node.clone()),
            self.role(&pipeline_asker.name),
            EdgeKind::RunsAs,
        );
        self.link(
            self.role(&pipeline_asker.name),
            At::Kind(NodeKind::Account(pipeline_role_account)),
            EdgeKind::RunsIn,
        );
        // CodePipeline must be able to assume the pipeline role.
        let service = Asker {
            name: self.intern(PIPELINE_SERVICE),
            account: None,
        };
        self.ask(
            At::Kind(NodeKind::Service(PIPELINE_SERVICE.to_string())),
            self.role(&pipeline_asker.name),
            Question {
                kind: EdgeKind::CanAssume,
                need: Need::new(p, None, Artifacts::None, false),
                asker: service,
                iam_action: "sts:AssumeRole",
                resource: pipeline_asker.name.clone(),
                resource_account: Some(pipeline_role_account),
                resource_kind: ResourceKind::RoleTrust,
                resource_policy: Some((PolicyOf::RoleTrust, pipeline_asker.name.clone())),
                context: self.contexts.none.clone(),
            },
        );
        let pipeline_name = pipeline.name.as_ref().map_or("pipeline", |n| n.as_str());
        for (s, a, action) in pipeline.actions() {
            let action_node = NodeKind::Action(p, s, a);
            let placement = unit.accounts.of(s, a);
            if let Some(account) = &placement.account {
                self.link(
                    At::Kind(action_node.clone()),
                    At::Kind(NodeKind::Account(account.value)),
                    EdgeKind::RunsIn,
                );
            }
            // Artifact nodes only matter to the picture.
            if self.draw {
                for output in &action.outputs {
                    self.link(
                        At::Kind(action_node.clone()),
                        At::Kind(NodeKind::Artifact(p, output.value.to_string())),
                        EdgeKind::Produces,
                    );
                }
                for input in &action.inputs {
                    self.link(
                        At::Kind(NodeKind::Artifact(p, input.value.to_string())),
                        At::Kind(action_node.clone()),
                        EdgeKind::Consumes,
                    );
                }
            }
            let acting = match &action.role_arn {
                Some(role) => match self.role_asker(&role.value) {
                    Some(asker) => asker,
                    None => continue,
                },
                None => pipeline_asker.clone(),
            };
            let acting_account = acting.account.unwrap_or(pipeline_role_account);
            self.link(
                At::Kind(action_node.clone()),
                self.role(&acting.name),
                EdgeKind::RunsAs,
            );
            let need = || Need::new(p, Some((s, a)), Artifacts::None, false);
            if action.role_arn.is_some() && acting.name != pipeline_asker.name {
                self.link(
                    self.role(&acting.name),
                    At::Kind(NodeKind::Account(acting_account)),
                    EdgeKind::RunsIn,
                );
                self.ask(
                    self.role(&pipeline_asker.name),
                    self.role(&acting.name),
                    Question {
                        kind: EdgeKind::CanAssume,
                        need: need(),
                        asker: pipeline_asker.clone(),
                        iam_action: "sts:AssumeRole",
                        resource: acting.name.clone(),
                        resource_account: Some(acting_account),
                        resource_kind: ResourceKind::RoleTrust,
                        resource_policy: Some((PolicyOf::RoleTrust, acting.name.clone())),
                        context: self.contexts.none.clone(),
                    },
                );
            }
            let region = placement.region.as_ref().map(|r| r.value.as_str());
            let store = store_for(pipeline, region);
            // Which store questions the acting role is asked follows the provider
            // (`providers::artifact_use`): a CodeBuild project reads and writes with its own
            // service role, not in a pipeline declaration, so the acting role touches nothing.
            let own_artifacts = xacct_model::providers::artifact_use(action) != ArtifactUse::NONE;
            // An action role that only assumes roles of other accounts (hops.rs): the action
            // runs as it all the same, so its questions would all fail and their findings
            // advise grants in the wrong account; one fact says what is wrong instead.
            if action.role_arn.is_some() && acting.name != pipeline_asker.name {
                let workspace = self.lookup.workspace;
                let targets = self
                    .hops_of
                    .entry((address(&acting.name), acting_account))
                    .or_insert_with(|| {
                        crate::hops::hop_targets(workspace, &acting.name, acting_account)
                            .map(Arc::from)
                    })
                    .clone();
                // Only an action that needs its role to work is misled by a hop.
                let needs_its_role = || {
                    (own_artifacts
                        && store.is_some()
                        && !(action.inputs.is_empty() && action.outputs.is_empty()))
                        || region.is_some_and(|r| {
                            !xacct_model::providers::required_calls(
                                action,
                                r,
                                acting_account.as_str(),
                            )
                            .is_empty()
                        })
                        || action.is("AWS", "CloudFormation")
                };
                if let Some(targets) = targets.filter(|_| needs_its_role()) {
                    self.graph.hops.push(crate::hops::Hop {
                        need: need(),
                        role: acting.name.clone(),
                        targets: targets.to_vec(),
                    });
                    continue;
                }
            }
            // CodePipeline copies the inputs of an action in another region than the
            // pipeline's into that region's store, as the pipeline role: it writes that bucket
            // and encrypts with that store's key (cross-region actions; run-time failure E9).
            let home_region = unit.accounts.region.as_ref().map(|r| r.value.as_str());
            if let (Some(store), Some(to), Some(from)) = (store, region, home_region) {
                if to != from && pipeline.artifact_stores.is_some() && !action.inputs.is_empty() {
                    let access = StoreAccess {
                        p,
                        at: (s, a),
                        action,
                        store,
                        pipeline_name,
                        home,
                        region,
                    };
                    self.ask_replication(&access, &pipeline_asker);
                }
            }
            if let Some(store) = store.filter(|_| own_artifacts) {
                let access = StoreAccess {
                    p,
                    at: (s, a),
                    action,
                    store,
                    pipeline_name,
                    home,
                    region,
                };
                self.ask_store(&access, &acting, Reader::Action);
                self.ask_build_output_keys(&access, &acting, unit, region);
                // CodeDeploy agents fetch the revision with their instances' role.
                if action.is("AWS", "CodeDeploy") {
                    self.ask_instance_roles(&access, acting_account, region, unit.file);
                }
            }
            // A CodeBuild build downloads its inputs and uploads its outputs with its project's
            // service role ("CodeBuild uses the service role for all operations that are
            // performed on your behalf", CodeBuild user guide): asked where the inputs hold the
            // project and name its role.
            let service = store.and_then(|store| {
                let (role, role_account, store_key) =
                    build_service_role(self.lookup.workspace, unit, s, a, store)?;
                Some((store, role, role_account, store_key))
            });
            if let Some((store, role, role_account, store_key)) = service {
                let access = StoreAccess {
                    p,
                    at: (s, a),
                    action,
                    store,
                    pipeline_name,
                    home,
                    region,
                };
                let asker = self.asker(&role, role_account);
                self.ask_store(&access, &asker, Reader::BuildService { store_key });
            }
            if let Some(region) = region {
                for (resource, calls) in
                    xacct_model::providers::required_calls(action, region, acting_account.as_str())
                {
                    let resource = self.intern(&resource);
                    // A function of the role's account: its identity policies decide, as
                    // ever; where the inputs give the function's policy, it may allow too
                    // (same account: either side suffices). Not given: not consulted, so
                    // nothing changes for setups without one.
                    // (`:lambda:` first: most resources are no function, and this runs for
                    // every call group of every action.)
                    let function_policy = (resource.contains(":lambda:")
                        && Arn::parse(&resource).is_ok_and(|a| a.is_lambda_function())
                        && self.resource_unit(PolicyOf::Function, &resource).is_some())
                    .then(|| (PolicyOf::Function, resource.clone()));
                    let question = Question {
                        kind: EdgeKind::CanCall,
                        need: need(),
                        asker: acting.clone(),
                        iam_action: calls.first().copied().unwrap_or_default(),
                        resource,
                        resource_account: Some(acting_account),
                        resource_kind: ResourceKind::Other,
                        resource_policy: function_policy,
                        context: self.contexts.none.clone(),
                    };
                    self.ask_calls(
                        &self.role(&acting.name),
                        &At::Kind(action_node.clone()),
                        question,
                        calls,
                    );
                }
            }
            // A Lambda invoke action naming a function of another account by ARN: a
            // cross-account request, which the role's policies and the function's policy must
            // both allow (`lambda_invoke_elsewhere`). The function's policy not given: the
            // resource side is unknown, never guessed.
            if let Some((function, function_account)) = region.and_then(|region| {
                xacct_model::providers::lambda_invoke_elsewhere(
                    action,
                    region,
                    acting_account.as_str(),
                )
            }) {
                let resource = self.intern(&function);
                let question = Question {
                    kind: EdgeKind::CanCall,
                    need: need(),
                    asker: acting.clone(),
                    iam_action: "lambda:InvokeFunction",
                    resource: resource.clone(),
                    resource_account: Some(function_account),
                    resource_kind: ResourceKind::Other,
                    resource_policy: Some((PolicyOf::Function, resource)),
                    context: self.contexts.none.clone(),
                };
                self.ask(
                    self.role(&acting.name),
                    At::Kind(action_node.clone()),
                    question,
                );
            }
            // An ECS deploy action registers a new revision of its service's task definition,
            // passing that definition's task and execution roles to ECS: "You must also add
            // the iam:PassRole permissions to use IAM roles for tasks" (service role
            // permissions). Asked where the inputs hold the service and its definition.
            if let Some(region) = region {
                for (role, _) in
                    ecs_task_roles(self.lookup.workspace, action, acting_account, region)
                {
                    let resource = self.intern(&role);
                    let question = Question {
                        kind: EdgeKind::CanCall,
                        need: need(),
                        asker: acting.clone(),
                        iam_action: "iam:PassRole",
                        resource,
                        resource_account: Some(acting_account),
                        resource_kind: ResourceKind::Other,
                        resource_policy: None,
                        context: self.contexts.pass_to_ecs_tasks.clone(),
                    };
                    self.ask(
                        self.role(&acting.name),
                        At::Kind(action_node.clone()),
                        question,
                    );
                }
            }
            // An S3 deploy action uploads into its target bucket with its role (the Scale
            // Factory post: the role in the bucket's account "has the required permissions to
            // upload objects to the S3 bucket"); the bucket policy speaks too.
            // Where the bucket's account is not known, whether the bucket policy must allow
            // too is not known either: nothing definite could come of the question.
            let upload =
                xacct_model::providers::s3_deploy_upload(action).map(|(bucket, object)| {
                    let calls: &'static [&'static str] = &["s3:PutObject"];
                    (bucket, vec![(object, calls)])
                });
            // An S3 source action reads the source object and the bucket's versioning with its
            // role (`providers::s3_source_reads`); the bucket policy speaks too, as for the S3
            // deploy upload, so only where the inputs say which account the bucket is in.
            let source = xacct_model::providers::s3_source_reads(action)
                .map(|(bucket, reads)| (bucket, reads.to_vec()));
            for (bucket, calls) in upload.into_iter().chain(source) {
                let Some(bucket_account) = self.lookup.workspace.bucket_account(bucket) else {
                    continue;
                };
                let bucket_name = self.intern(bucket);
                // One resource a time: the object, then the bucket.
                for (resource, calls) in calls {
                    let question = Question {
                        kind: EdgeKind::CanCall,
                        need: need(),
                        asker: acting.clone(),
                        iam_action: calls.first().copied().unwrap_or_default(),
                        resource: self.intern(&resource),
                        resource_account: Some(bucket_account),
                        resource_kind: ResourceKind::S3,
                        resource_policy: Some((PolicyOf::Bucket, bucket_name.clone())),
                        context: self.contexts.secure.clone(),
                    };
                    self.ask_calls(
                        &self.role(&acting.name),
                        &At::Kind(action_node.clone()),
                        question,
                        calls,
                    );
                }
            }
            if action.is("AWS", "CloudFormation") {
                if let Some(deploy_role) = action.config("RoleArn") {
                    let deploy_account = Arn::parse(&deploy_role.value)
                        .ok()
                        .and_then(|a| a.account_id());
                    // A deployment role in another account is XA203's finding; PassRole has no
                    // resource policy, so only the identity side speaks.
                    // The stack's resources read what `Fn::GetArtifactAtt` locates (a Lambda
                    // function's code, say) with the deployment role (run-time failure E10):
                    // `s3:GetObject` on the artifact, with the bucket policy.
                    // (A deployment role of another account is XA203's one finding; the role
                    // the action runs as is asked for its reads already.)
                    let same_account = deploy_account
                        .filter(|a| *a == acting_account && *deploy_role.value != *acting.name);
                    if let (Some(deploy_account), Some(store)) = (same_account, store) {
                        let read = xacct_model::providers::stack_artifacts(action);
                        let facts = (!read.is_empty())
                            .then(|| self.store_facts(store, pipeline_name))
                            .flatten();
                        let store_account = facts
                            .as_ref()
                            .and_then(|f| self.lookup.workspace.bucket_account(&f.bucket))
                            .or(home);
                        if let (Some(facts), Some(store_account)) = (facts, store_account) {
                            let deployer = self.asker(&deploy_role.value, deploy_account);
                            let first = read.iter().find(|name| {
                                action.inputs.iter().any(|input| input.value == **name)
                            });
                            if let Some(artifact) = first {
                                self.ask_stack_read(
                                    StackRead {
                                        need: Need::new(p, Some((s, a)), Artifacts::Stack, false),
                                        facts: &facts,
                                        store_account,
                                        artifact,
                                        region,
                                    },
                                    &deployer,
                                );
                            }
                        }
                    }
                    if deploy_account == Some(acting_account) {
                        let resource = self.intern(&deploy_role.value);
                        self.ask(
                            self.role(&acting.name),
                            self.role(&resource),
                            Question {
                                kind: EdgeKind::CanPass,
                                need: need(),
                                asker: acting.clone(),
                                iam_action: "iam:PassRole",
                                resource,
                                resource_account: deploy_account,
                                resource_kind: ResourceKind::Other,
                                resource_policy: None,
                                context: self.contexts.pass_to_cloudformation.clone(),
                            },
                        );
                    }
                }
            }
            // A StackSets operation runs as the administration role, which assumes the
            // execution role of each target account (build/stacksets.rs).
            if xacct_model::stacksets::is_stack_set_action(action) {
                self.ask_stack_set_roles(p, (s, a), unit, action, &acting, acting_account);
            }
        }
    }

    /// A CloudFormation deployment role's read of the artifact its stack deploys (run-time
    /// failure E10): `s3:GetObject` on the object, the bucket policy speaking for a bucket of
    /// another account (XA401, XA402), and `kms:Decrypt` with the store key through S3, the key
    /// policy speaking (XA311, XA312, XA313), as for any reader of the artifact. A key of
    /// another region than the action's is XA304's alone.
    fn ask_stack_read(&mut self, read: StackRead<'_>, deployer: &Asker) {
        let StackRead {
            need,
            facts,
            store_account,
            artifact,
            region,
        } = read;
        let role_node = self.role(&deployer.name);
        let object = self.artifact_object(facts, artifact);
        self.ask(
            role_node.clone(),
            At::Bucket(facts.bucket.clone()),
            Question {
                kind: EdgeKind::CanRead,
                need: need.clone(),
                asker: deployer.clone(),
                iam_action: "s3:GetObject",
                resource: object,
                resource_account: Some(store_account),
                resource_kind: ResourceKind::S3,
                resource_policy: Some((PolicyOf::Bucket, facts.bucket.clone())),
                context: self.contexts.secure.clone(),
            },
        );
        let key = facts
            .key
            .clone()
            .filter(|(arn, _)| region.is_none_or(|r| key_region(arn) == r));
        if let (Some((key_arn, key_account)), Some(via_s3)) = (key, facts.via_s3.clone()) {
            self.ask(
                role_node,
                At::Key(key_arn.clone()),
                Question {
                    kind: EdgeKind::CanDecrypt,
                    need,
                    asker: deployer.clone(),
                    iam_action: "kms:Decrypt",
                    resource: key_arn.clone(),
                    resource_account: key_account,
                    resource_kind: ResourceKind::KmsKey,
                    resource_policy: Some((PolicyOf::Key, key_arn)),
                    context: via_s3,
                },
            );
        }
    }

    /// The pipeline role's copy of an action's inputs into the store of the action's region:
    /// `s3:PutObject` on that bucket and `kms:GenerateDataKey` with that store's key (a key of
    /// another region is XA304's alone).
    fn ask_replication(&mut self, access: &StoreAccess<'_>, pipeline_role: &Asker) {
        let Some(facts) = self.store_facts(access.store, access.pipeline_name) else {
            return;
        };
        let Some(first) = access.action.inputs.first() else {
            return;
        };
        let role_node = self.role(&pipeline_role.name);
        let bucket_node = At::Bucket(facts.bucket.clone());
        let need = Need::new(access.p, Some(access.at), Artifacts::Replica, false);
        let object = self.artifact_object(&facts, &first.value);
        self.ask(
            role_node.clone(),
            bucket_node,
            Question {
                kind: EdgeKind::CanWrite,
                need: need.clone(),
                asker: pipeline_role.clone(),
                iam_action: "s3:PutObject",
                resource: object,
                resource_account: access.home,
                resource_kind: ResourceKind::S3,
                resource_policy: Some((PolicyOf::Bucket, facts.bucket.clone())),
                context: facts.put.clone(),
            },
        );
        let key = facts
            .key
            .clone()
            .filter(|(arn, _)| access.region.is_none_or(|r| key_region(arn) == r));
        if let (Some((key_arn, key_account)), Some(via_s3)) = (key, facts.via_s3.clone()) {
            self.ask(
                role_node,
                At::Key(key_arn.clone()),
                Question {
                    kind: EdgeKind::CanEncrypt,
                    need,
                    asker: pipeline_role.clone(),
                    iam_action: "kms:GenerateDataKey",
                    resource: key_arn.clone(),
                    resource_account: key_account,
                    resource_kind: ResourceKind::KmsKey,
                    resource_policy: Some((PolicyOf::Key, key_arn)),
                    context: via_s3,
                },
            );
        }
    }

    /// An action in another account than a CodeBuild project's key that reads what the build
    /// made must decrypt it with the project's key (CodeBuild encrypts its output artifacts
    /// with the project's `EncryptionKey`), when that key is not the store's and the inputs
    /// hold the project with its key named by ARN. Asked of the acting role, as its provider
    /// reads the artifact (`providers::artifact_use`).
    fn ask_build_output_keys(
        &mut self,
        access: &StoreAccess<'_>,
        asker: &Asker,
        unit: &PipelineUnit,
        region: Option<&str>,
    ) {
        let action = access.action;
        if !xacct_model::providers::artifact_use(action).decrypt {
            return;
        }
        let Some(asker_account) = asker.account else {
            return;
        };
        let store_key = access
            .store
            .encryption_key
            .as_ref()
            .map(|k| k.value.as_str());
        let mut keys: Vec<(Arc<str>, AccountId)> = Vec::new();
        for input in &action.inputs {
            let Some((key, key_account)) =
                build_output_key(self.lookup.workspace, unit, &input.value)
            else {
                continue;
            };
            // Same-region only: a cross-region consumer reads the replica CodePipeline made
            // with that region's store key.
            let key_region = key_region(&key);
            if store_key == Some(key.as_str())
                || key_account == asker_account
                || region.is_some_and(|r| r != key_region)
                || keys.iter().any(|(k, _)| **k == *key)
            {
                continue;
            }
            let key = self.intern(&key);
            keys.push((key, key_account));
        }
        for (key, key_account) in keys {
            let context = self.contexts.via_s3(key_region(&key));
            self.ask(
                self.role(&asker.name),
                At::Key(key.clone()),
                Question {
                    kind: EdgeKind::CanDecrypt,
                    need: Need::new(access.p, Some(access.at), Artifacts::BuildOutput, false),
                    asker: asker.clone(),
                    iam_action: "kms:Decrypt",
                    resource: key.clone(),
                    resource_account: Some(key_account),
                    resource_kind: ResourceKind::KmsKey,
                    resource_policy: Some((PolicyOf::Key, key)),
                    context,
                },
            );
        }
    }

    /// The ARN of an object of `artifact` in a store (interned), its key laid out as
    /// CodePipeline's (`StoreFacts::objects`, see `store_facts`), the artifact's name cut to 10
    /// characters, a sample object ID. The three kinds of question about an artifact (its
    /// action's, a deployment role's read, the replication's) ask the same object; written in a
    /// buffer kept for it, since every reader and writer of every artifact asks.
    fn artifact_object(&mut self, facts: &StoreFacts, artifact: &str) -> Arc<str> {
        let mut name = std::mem::take(&mut self.scratch);
        name.clear();
        name.push_str(&facts.objects);
        name.push_str(first_chars(artifact, 10));
        name.push('/');
        name.push_str(SAMPLE_OBJECT_ID);
        let interned = self.intern(&name);
        self.scratch = name;
        interned
    }

    /// What the questions about one artifact store share, found once per pipeline and store:
    /// `None` when the store names no bucket.
    fn store_facts(
        &mut self,
        store: &ArtifactStore,
        pipeline_name: &str,
    ) -> Option<std::rc::Rc<StoreFacts>> {
        let address = store as *const ArtifactStore as usize;
        if let Some(facts) = self.stores.get(&address) {
            return Some(facts.clone());
        }
        let bucket = store.location.as_ref()?.value.as_str();
        let key = store
            .encryption_key
            .as_ref()
            .and_then(|k| match KeyRef::parse(&k.value) {
                Ok(KeyRef::KeyArn { account, .. }) => Some((k.value.as_str(), account)),
                _ => None,
            })
            // A store key ARN whose key ID the inputs hold only under another account or
            // region is mistyped: XA304/XA306 say so, and no grant of a key that is not there
            // is worth a question (one root cause, one finding).
            .filter(|(arn, _)| !self.lookup.mistyped_key(arn))
            .map(|(arn, account)| (self.intern(arn), account));
        // CodePipeline keys artifacts as `<pipeline name, up to 20 characters>/<artifact name,
        // up to 10>/<random>`: a concrete key so that patterns like `bucket/*` match as in AWS.
        let prefix = first_chars(pipeline_name, 20);
        let facts = std::rc::Rc::new(StoreFacts {
            bucket: self.intern(bucket),
            bucket_arn: self.intern(&format!("arn:aws:s3:::{bucket}")),
            objects: format!("arn:aws:s3:::{bucket}/{prefix}/"),
            via_s3: key
                .as_ref()
                .map(|(arn, _)| self.contexts.via_s3(key_region(arn))),
            put: self.contexts.put(key.as_ref().map(|(arn, _)| arn)),
            key,
        });
        self.stores.insert(address, facts.clone());
        Some(facts)
    }

    /// The artifact accesses of one action: read its inputs, write its outputs, list the
    /// bucket, decrypt and encrypt with the store key, set the ACL of a CodeCommit source.
    fn ask_store(&mut self, access: &StoreAccess<'_>, asker: &Asker, reader: Reader) {
        let instance_role = reader == Reader::Instance;
        let StoreAccess {
            p,
            at,
            action,
            store,
            pipeline_name,
            home,
            region,
        } = *access;
        let Some(facts) = self.store_facts(store, pipeline_name) else {
            return;
        };
        let role_node = self.role(&asker.name);
        let bucket_node = At::Bucket(facts.bucket.clone());
        if let Some(home) = home {
            self.link(
                bucket_node.clone(),
                At::Kind(NodeKind::Account(home)),
                EdgeKind::RunsIn,
            );
        }
        // A key of another region than the store's cannot encrypt its artifacts at all:
        // XA304 is the one finding, and no grant of that key is worth a question.
        let key = &facts
            .key
            .clone()
            .filter(|(arn, _)| region.is_none_or(|r| key_region(arn) == r));
        // An instance role fetches and decrypts the revision; an action's role does what its
        // provider does with the store.
        // The agent gets the revision; the walkthrough gives its role `s3:ListBucket` on the
        // bucket beside `s3:Get*` (without it a missing object reads as 403, not 404).
        // A CodeBuild project's service role downloads the inputs and uploads the outputs; it
        // encrypts them with the project's key, asked here only when that is the store's (XA318
        // speaks for another key), and no document says it lists the bucket.
        let (uses, encrypt) = match reader {
            Reader::Instance => (
                ArtifactUse {
                    read: true,
                    decrypt: true,
                    write: false,
                    list: true,
                },
                true,
            ),
            Reader::BuildService { store_key } => (
                ArtifactUse {
                    read: true,
                    decrypt: true,
                    write: true,
                    list: false,
                },
                store_key,
            ),
            Reader::Action => (xacct_model::providers::artifact_use(action), true),
        };
        let (inputs, outputs) = match reader {
            Reader::BuildService { .. } => {
                (Artifacts::ServiceRoleInputs, Artifacts::ServiceRoleOutputs)
            }
            _ => (Artifacts::Inputs, Artifacts::Outputs),
        };
        let need = |artifacts: Artifacts| Need::new(p, Some(at), artifacts, instance_role);
        let bucket_policy = Some((PolicyOf::Bucket, facts.bucket.clone()));
        let secure = self.contexts.secure.clone();
        let ask_key = |builder: &mut Builder<'_>, kind, iam_action, artifacts: Artifacts| {
            let (Some((key_arn, key_account)), Some(via_s3)) = (key, &facts.via_s3) else {
                return;
            };
            builder.ask(
                role_node.clone(),
                At::Key(key_arn.clone()),
                Question {
                    kind,
                    need: need(artifacts),
                    asker: asker.clone(),
                    iam_action,
                    resource: key_arn.clone(),
                    resource_account: *key_account,
                    resource_kind: ResourceKind::KmsKey,
                    resource_policy: Some((PolicyOf::Key, key_arn.clone())),
                    context: via_s3.clone(),
                },
            );
        };
        let bucket_question =
            |kind, artifacts: Artifacts, iam_action, resource, context| Question {
                kind,
                need: need(artifacts),
                asker: asker.clone(),
                iam_action,
                resource,
                resource_account: home,
                resource_kind: ResourceKind::S3,
                resource_policy: bucket_policy.clone(),
                context,
            };
        if let Some(first) = action.inputs.first().filter(|_| uses.read) {
            let resource = self.artifact_object(&facts, &first.value);
            let question = bucket_question(
                EdgeKind::CanRead,
                inputs,
                "s3:GetObject",
                resource,
                secure.clone(),
            );
            self.ask(role_node.clone(), bucket_node.clone(), question);
            if uses.decrypt {
                ask_key(self, EdgeKind::CanDecrypt, "kms:Decrypt", inputs);
            }
        }
        if let Some(first) = action.outputs.first().filter(|_| uses.write) {
            let resource = self.artifact_object(&facts, &first.value);
            let context = facts.put.clone();
            let question = bucket_question(
                EdgeKind::CanWrite,
                outputs,
                "s3:PutObject",
                resource,
                context,
            );
            self.ask(role_node.clone(), bucket_node.clone(), question);
            if encrypt {
                ask_key(self, EdgeKind::CanEncrypt, "kms:GenerateDataKey", outputs);
            }
        }
        if uses.list && (!action.inputs.is_empty() || !action.outputs.is_empty()) {
            let resource = facts.bucket_arn.clone();
            let question = bucket_question(
                EdgeKind::CanList,
                Artifacts::None,
                "s3:ListBucket",
                resource,
                secure.clone(),
            );
            self.ask(role_node.clone(), bucket_node.clone(), question);
        }
        if reader == Reader::Action
            && action.category() == "Source"
            && action.is("AWS", "CodeCommit")
            && !action.outputs.is_empty()
        {
            let resource = self.artifact_object(&facts, &action.outputs[0].value);
            let question = bucket_question(
                EdgeKind::CanPutAcl,
                outputs,
                "s3:PutObjectAcl",
                resource,
                secure,
            );
            self.ask(role_node, bucket_node, question);
        }
    }
}

/// What the questions about one artifact store of one pipeline share.
struct StoreFacts {
    /// The bucket's name.
    bucket: Arc<str>,
    /// The bucket's ARN (for `s3:ListBucket`).
    bucket_arn: Arc<str>,
    /// The ARN prefix of the pipeline's objects: `arn:aws:s3:::bucket/PipelineName/`.
    objects: String,
    /// The store key by ARN, and its account.
    key: Option<(Arc<str>, Option<AccountId>)>,
    /// The context of key use through S3 in the key's region.
    via_s3: Option<Arc<Context>>,
    /// The context of CodePipeline's uploads to the store.
    put: Arc<Context>,
}

/// Who a store question is asked of.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum Reader {
    /// The role the action runs as: what its provider does with the store (`artifact_use`).
    Action,
    /// A CodeDeploy instance role of the action's account: reads, decrypts, lists.
    Instance,
    /// The service role of a CodeBuild action's project: downloads the inputs, uploads the
    /// outputs (encrypting them with the store key only when that is the project's key).
    BuildService {
        /// The project encrypts with the store key.
        store_key: bool,
    },
}

/// What a deployment role's read of its stack's artifact is about.
struct StackRead<'a> {
    need: Need,
    facts: &'a StoreFacts,
    store_account: AccountId,
    artifact: &'a str,
    region: Option<&'a str>,
}

/// Which store access an action needs: the same for its own role and for the CodeDeploy
/// instance roles of its account.
#[derive(Clone, Copy)]
struct StoreAccess<'a> {
    p: usize,
    at: (usize, usize),
    action: &'a Action,
    store: &'a ArtifactStore,
    pipeline_name: &'a str,
    home: Option<AccountId>,
    /// The region the action runs in: the store's region.
    region: Option<&'a str>,
}

/// The key ARN and account of the project key of the CodeBuild action of `unit` that makes
/// `artifact`, when the inputs hold that project (in the action's account and region) and
/// name its key by ARN. The AWS managed key (`alias/aws/s3`) is XA318's without a question.
pub(crate) fn build_output_key(
    workspace: &Workspace,
    unit: &PipelineUnit,
    artifact: &str,
) -> Option<(String, AccountId)> {
    let (s, a, producer) = unit
        .doc
        .pipeline
        .actions()
        .find(|(_, _, action)| action.outputs.iter().any(|o| o.value == artifact))?;
    if !(producer.owner() == "AWS" && producer.provider() == "CodeBuild") {
        return None;
    }
    let placement = unit.accounts.of(s, a);
    let account = placement.account.as_ref()?.value;
    let region = placement.region.as_ref().map(|r| r.value.as_str());
    let name = producer.config("ProjectName")?.value.as_str();
    let project = workspace.project(name, account, region)?;
    let key = project.project.encryption_key.as_ref()?;
    match KeyRef::parse(&key.value) {
        Ok(KeyRef::KeyArn {
            account: Some(key_account),
            ..
        }) => Some((key.value.clone(), key_account)),
        _ => None,
    }
}

/// The ARNs of the roles an ECS deploy action of `account` and `region` passes: its
/// service's task definition's task and execution roles, a role given by name being one of the
/// service's account. Empty where the service, its definition or a name is not known before
/// the run, and without a role of another account (which cannot be passed at all: "You can
/// only use the PassRole permission to pass an IAM role to a service that shares the same AWS
/// account", IAM user guide). Each ARN comes with where the task definition names it.
pub fn ecs_task_roles<'w>(
    workspace: &'w Workspace,
    action: &Action,
    account: AccountId,
    region: &str,
) -> Vec<(String, xacct_model::ecs::TaskRole<'w>)> {
    if !(action.is("AWS", "ECS") && action.category() == "Deploy") {
        return Vec::new();
    }
    let plain = |key: &str| {
        action
            .config(key)
            .map(|v| v.value.as_str())
            .filter(|v| !v.is_empty() && !xacct_model::symbol::has_variable(v))
            .filter(|v| !v.contains([':', '/']))
    };
    let (Some(cluster), Some(service)) = (plain("ClusterName"), plain("ServiceName")) else {
        return Vec::new();
    };
    let Some(roles) = workspace
        .ecs
        .task_roles(cluster, service, account, Some(region))
    else {
        return Vec::new();
    };
    let mut arns: Vec<(String, xacct_model::ecs::TaskRole<'w>)> = Vec::new();
    for role in roles {
        let text = role.role.value.as_str();
        let arn = if text.starts_with("arn:") {
            match Arn::parse(text).ok().and_then(|a| a.account_id()) {
                Some(at) if at == account => text.to_string(),
                _ => continue,
            }
        } else if !text.is_empty() && !text.contains([':', '/']) {
            format!("arn:aws:iam::{account}:role/{text}")
        } else {
            continue;
        };
        if !arns.iter().any(|(a, _)| *a == arn) {
            arns.push((arn, role));
        }
    }
    arns
}

/// The service role of the project a CodeBuild action of `unit` names, with its account and
/// whether the project encrypts with `store`'s key, when the inputs hold the project (in the
/// action's account and region) and its role.
pub fn build_service_role(
    workspace: &Workspace,
    unit: &PipelineUnit,
    s: usize,
    a: usize,
    store: &ArtifactStore,
) -> Option<(String, AccountId, bool)> {
    let action = unit.doc.pipeline.stages.get(s)?.actions.get(a)?;
    if !(action.owner() == "AWS" && action.provider() == "CodeBuild") {
        return None;
    }
    let placement = unit.accounts.of(s, a);
    let account = placement.account.as_ref()?.value;
    let region = placement.region.as_ref().map(|r| r.value.as_str());
    let name = action.config("ProjectName")?.value.as_str();
    let project = &workspace.project(name, account, region)?.project;
    let (role, role_account) = project.service_role_arn()?;
    let store_key = match (&project.encryption_key, &store.encryption_key) {
        (Some(project_key), Some(store_key)) => project_key.value == store_key.value,
        _ => false,
    };
    Some((role, role_account, store_key))
}

/// Roles of `account` that EC2 instances may assume (their trust policy names
/// `ec2.amazonaws.com`): the candidates for a CodeDeploy instance profile's role.
/// Every role that trusts `ec2.amazonaws.com`, by account, sorted.
fn ec2_roles(workspace: &Workspace) -> FastMap<AccountId, Vec<String>> {
    let mut roles: FastMap<AccountId, Vec<String>> = FastMap::default();
    for unit in &workspace.policies {
        let Some(Governs::RoleTrust(arn)) = &unit.governs else {
            continue;
        };
        let trusts_ec2 = unit.document().statements.iter().any(|s| {
            s.allows()
                && s.principal.as_ref().is_some_and(|p| {
                    !p.negated
                        && p.entries.iter().any(|e| {
                            e.kind == xacct_model::policy::PrincipalKind::Service
                                && e.value.value == "ec2.amazonaws.com"
                        })
                })
        });
        let Some(account) = Arn::parse(arn).ok().and_then(|a| a.account_id()) else {
            continue;
        };
        if trusts_ec2 {
            roles.entry(account).or_default().push(arn.clone());
        }
    }
    for list in roles.values_mut() {
        list.sort();
        list.dedup();
    }
    roles
}

/// The CodeDeploy instance roles of `account` for a store: roles EC2 may assume that are
/// about this deployment — named for CodeDeploy, or whose policies speak of CodeDeploy, the
/// artifact bucket or its key. A bastion's or a build host's EC2 role is none of them (no
/// deployment group in the input says which profile the instances carry).
fn instance_roles(
    lookup: &Lookup<'_>,
    account: AccountId,
    store: &xacct_model::ArtifactStore,
) -> Vec<(String, AccountId)> {
    let bucket = store.location.as_ref().map(|l| l.value.as_str());
    let key = store.encryption_key.as_ref().map(|k| k.value.as_str());
    let about_deployment = |arn: &str| {
        if arn.to_ascii_lowercase().contains("codedeploy") {
            return true;
        }
        lookup
            .workspace
            .governing(&Governs::RoleIdentity(arn.to_string()))
            .any(|policy| {
                policy.document().statements.iter().any(|s| {
                    let names_service = s.action.as_ref().is_some_and(|a| {
                        a.values
                            .iter()
                            .any(|v| v.value.to_ascii_lowercase().starts_with("codedeploy:"))
                    });
                    let names_store = s.resource.as_ref().is_some_and(|r| {
                        r.values.iter().any(|v| {
                            bucket.is_some_and(|b| v.value.contains(b))
                                || key.is_some_and(|k| v.value == k)
                        })
                    });
                    names_service || names_store
                })
            })
    };
    lookup
        .ec2_roles
        .get(&account)
        .into_iter()
        .flatten()
        .filter(|arn| about_deployment(arn))
        .map(|arn| (arn.clone(), account))
        .collect()
}

/// The first `n` characters of `text`.
fn first_chars(text: &str, n: usize) -> &str {
    match text.char_indices().nth(n) {
        Some((end, _)) => &text[..end],
        None => text,
    }
}

/// The policy (index in the workspace) that governs `what`: the first bound to it, except for
/// a Lambda function, whose policy may come in pieces (a template's `AWS::Lambda::Permission`s,
/// each a statement) or twice (`get-policy` output beside them): which is the whole policy is
/// not known then, so none is taken (unknown, never a guess from one piece). The graph and
/// `ask` (`xacct access`) take a resource's policy from here alike.
fn governing_unit(workspace: &Workspace, what: &Governs) -> Option<usize> {
    let mut governing = workspace.governing_indexed(what).map(|(i, _)| i);
    let first = governing.next();
    if matches!(what, Governs::Function(_)) && governing.next().is_some() {
        return None;
    }
    first
}

fn key_region(key_arn: &str) -> &str {
    Arn::parse(key_arn).map(|a| a.region).unwrap_or("")
}

/// The artifact store an action in `region` uses.
pub fn store_for<'p>(
    pipeline: &'p xacct_model::Pipeline,
    region: Option<&str>,
) -> Option<&'p xacct_model::ArtifactStore> {
    if let Some(store) = &pipeline.artifact_store {
        return Some(&store.value);
    }
    let stores = &pipeline.artifact_stores.as_ref()?.value;
    let region = region?;
    stores
        .iter()
        .find(|s| s.region.value == region)
        .map(|s| &s.store)
}
