//! The cross-account trust graph.
//!
//! For every pipeline of the workspace, [`TrustGraph::build`] asks the IAM evaluator each
//! question a run of the pipeline implies: may CodePipeline assume the pipeline role, may the
//! pipeline role assume each action role, may each acting role read its inputs from the artifact
//! bucket and decrypt them with the store key, write and encrypt its outputs, list the bucket,
//! pass a CloudFormation deployment role. Each answer is a [`Check`] with the statements that
//! decided it (file and span), and an edge of the petgraph graph between the nodes involved.
//!
//! Rules read checks; they never evaluate policies themselves. Rendering (DOT, Mermaid, JSON)
//! lives in [`render`].

pub mod render;

use std::collections::HashMap;

use petgraph::stable_graph::{NodeIndex, StableDiGraph};
use xacct_iam::{
    evaluate, Context, Decision, Known, Policies, PrincipalRef, Request, ResourceKind, Side,
    UnknownReason,
};
use xacct_model::policy::PolicyDocument;
use xacct_model::workspace::{Governs, PolicyUnit, Workspace};
use xacct_model::{AccountId, Action, Arn, KeyRef};
use xacct_syntax::{FileId, Span};

/// A node of the graph.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum NodeKind {
    /// An AWS account.
    Account(AccountId),
    /// An IAM role, by ARN.
    Role(String),
    /// A service principal, e.g. `codepipeline.amazonaws.com`.
    Service(String),
    /// An S3 bucket, by name.
    Bucket(String),
    /// A KMS key, by ARN (or the reference as written).
    Key(String),
    /// A pipeline (index into the workspace's pipelines).
    Pipeline(usize),
    /// An action: pipeline, stage and action index.
    Action(usize, usize, usize),
    /// An artifact of a pipeline, by name.
    Artifact(usize, String),
}

/// What an edge says.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum EdgeKind {
    /// A pipeline, role or bucket lives in an account; an action runs there.
    RunsIn,
    /// An action runs as a role.
    RunsAs,
    /// A principal may assume a role (`sts:AssumeRole`).
    CanAssume,
    /// A role may pass another role to a service (`iam:PassRole`).
    CanPass,
    /// A role may read artifacts (`s3:GetObject`).
    CanRead,
    /// A role may write artifacts (`s3:PutObject`).
    CanWrite,
    /// A role may list the bucket (`s3:ListBucket`).
    CanList,
    /// A role may set object ACLs (`s3:PutObjectAcl`).
    CanPutAcl,
    /// A role may decrypt with a key (`kms:Decrypt`).
    CanDecrypt,
    /// A role may encrypt with a key (`kms:GenerateDataKey`).
    CanEncrypt,
    /// A role may call an API its action's provider needs (`codedeploy:CreateDeployment`, …).
    CanCall,
    /// An action produces an artifact.
    Produces,
    /// An artifact is consumed by an action.
    Consumes,
}

impl EdgeKind {
    /// kebab-case name, for output.
    pub fn name(self) -> &'static str {
        match self {
            EdgeKind::RunsIn => "runs-in",
            EdgeKind::RunsAs => "runs-as",
            EdgeKind::CanAssume => "can-assume",
            EdgeKind::CanPass => "can-pass",
            EdgeKind::CanRead => "can-read",
            EdgeKind::CanWrite => "can-write",
            EdgeKind::CanList => "can-list",
            EdgeKind::CanPutAcl => "can-put-acl",
            EdgeKind::CanDecrypt => "can-decrypt",
            EdgeKind::CanEncrypt => "can-encrypt",
            EdgeKind::CanCall => "can-call",
            EdgeKind::Produces => "produces",
            EdgeKind::Consumes => "consumes",
        }
    }
}

/// A statement that decided a check, located in its file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Proof {
    /// Index of the policy in the workspace.
    pub policy: usize,
    /// The policy's file.
    pub file: FileId,
    /// The statement's span.
    pub span: Span,
    /// The statement's anchor (its `Sid`, else its opening brace), for labels.
    pub anchor: Span,
    /// Identity or resource side.
    pub side: Side,
    /// True when a resource policy applies only through the principal's account root.
    pub via_account_root: bool,
}

/// The answer to a check, with spans instead of references.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Outcome {
    /// Allowed by these statements.
    Allowed(Vec<Proof>),
    /// Denied by these deny statements.
    Denied(Vec<Proof>),
    /// No allow on this side.
    NotAllowed(Side),
    /// Cannot be decided; why, in words, and which documents are missing.
    Unknown {
        /// Conditions or values that could not be decided, in words.
        reasons: Vec<String>,
        /// Sides whose document was not given.
        missing: Vec<Side>,
    },
}

impl Outcome {
    /// True when certainly not allowed.
    pub fn is_refused(&self) -> bool {
        matches!(self, Outcome::Denied(_) | Outcome::NotAllowed(_))
    }

    /// True when the given side lacks an allow.
    pub fn misses(&self, side: Side) -> bool {
        matches!(self, Outcome::NotAllowed(s) if *s == side || *s == Side::Both)
    }
}

/// Why a check was asked: which action of which pipeline needs it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Need {
    /// Index of the pipeline in the workspace.
    pub pipeline: usize,
    /// Stage and action index, when an action needs it.
    pub action: Option<(usize, usize)>,
    /// The artifacts it concerns (for reads and writes).
    pub artifacts: Vec<String>,
    /// True when the check is for a CodeDeploy instance role of the action's account (which
    /// fetches the revision itself), not for the role the action runs as.
    pub instance_role: bool,
}

/// One evaluated question.
#[derive(Clone, Debug)]
pub struct Check {
    /// What kind of access.
    pub kind: EdgeKind,
    /// Who needs it.
    pub need: Need,
    /// The principal: a role ARN or a service name.
    pub principal: std::sync::Arc<str>,
    /// The principal's account, when it is a role.
    pub principal_account: Option<AccountId>,
    /// The IAM action asked about.
    pub iam_action: &'static str,
    /// The resource ARN asked about.
    pub resource: std::sync::Arc<str>,
    /// The resource's account, when known.
    pub resource_account: Option<AccountId>,
    /// The answer.
    pub outcome: Outcome,
    /// The policies that took part on the identity side (indexes into the workspace).
    pub identity_policies: Vec<usize>,
    /// The resource policy that took part, if any.
    pub resource_policy: Option<usize>,
}

/// The graph and its checks.
pub struct TrustGraph {
    /// Nodes and edges; access edges carry the index of their [`Check`].
    pub graph: StableDiGraph<NodeKind, (EdgeKind, Option<usize>)>,
    /// Every evaluated question.
    pub checks: Vec<Check>,
    nodes: HashMap<NodeKind, NodeIndex>,
    /// One copy of each principal and resource ARN: a million checks name a few thousand
    /// roles and buckets.
    strings: std::collections::HashSet<std::sync::Arc<str>>,
}

const PIPELINE_SERVICE: &str = "codepipeline.amazonaws.com";

/// The last part of the artifact object keys asked about: CodePipeline picks a random one per
/// run, so checks use this stand-in and messages show it as `*`.
const SAMPLE_OBJECT_ID: &str = "a1b2c3d";

impl Check {
    /// The resource as messages show it: an artifact object as the pattern of every run's
    /// object (`arn:aws:s3:::bucket/Pipeline/Artifact/*`), anything else as asked.
    pub fn resource_shown(&self) -> String {
        match self.resource.strip_suffix(SAMPLE_OBJECT_ID) {
            Some(prefix) if prefix.starts_with("arn:aws:s3:::") && prefix.ends_with('/') => {
                format!("{prefix}*")
            }
            _ => self.resource.to_string(),
        }
    }
}

/// The documents a question needs, from the workspace.
struct Lookup<'w> {
    workspace: &'w Workspace,
    statement_owner: Vec<(
        usize,
        *const xacct_model::policy::Statement,
        *const xacct_model::policy::Statement,
    )>,
    /// Roles that EC2 may assume, by account (candidates for CodeDeploy instance roles),
    /// found once rather than per CodeDeploy action.
    ec2_roles: HashMap<AccountId, Vec<String>>,
}

impl<'w> Lookup<'w> {
    fn new(workspace: &'w Workspace) -> Self {
        let mut statement_owner: Vec<_> = workspace
            .policies
            .iter()
            .enumerate()
            .map(|(i, p)| {
                let range = p.document().statements.as_ptr_range();
                (i, range.start, range.end)
            })
            .filter(|(_, start, end)| start != end)
            .collect();
        // Sorted by address, so that `proof` finds a statement's policy by binary search.
        statement_owner.sort_by_key(|&(_, start, _)| start);
        Lookup {
            workspace,
            statement_owner,
            ec2_roles: ec2_roles(workspace),
        }
    }

    fn governing(&self, what: Governs) -> Vec<(usize, &'w PolicyUnit)> {
        self.workspace.governing_indexed(&what).collect()
    }

    fn proof(&self, evidence: &xacct_iam::Evidence<'_>) -> Option<Proof> {
        let ptr: *const xacct_model::policy::Statement = evidence.statement;
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
}

fn describe_reason(reason: &UnknownReason<'_>) -> Option<String> {
    match reason {
        UnknownReason::Condition { condition, .. } => Some(format!(
            "condition `{}` on `{}`",
            condition.operator.value, condition.key.value
        )),
        UnknownReason::PolicyVariable { value, .. } => {
            Some(format!("policy variable in `{}`", value.value))
        }
        UnknownReason::RoleSession { .. } => {
            Some("a principal that names one role session".to_string())
        }
        UnknownReason::ResourceAccount => Some("the resource's account is unknown".to_string()),
        UnknownReason::DeployTimeValue { value, .. } => Some(format!(
            "`{}` holds or meets a value fixed only when its stack is deployed",
            value.value
        )),
        UnknownReason::MissingDocument(_) => None,
    }
}

/// One question to ask.
struct Question<'q> {
    kind: EdgeKind,
    need: Need,
    principal: PrincipalRef<'q>,
    iam_action: &'static str,
    resource: String,
    resource_account: Option<AccountId>,
    resource_kind: ResourceKind,
    resource_policy: Option<Governs>,
    context: Context,
}

impl TrustGraph {
    fn intern(&mut self, text: &str) -> std::sync::Arc<str> {
        if let Some(known) = self.strings.get(text) {
            return known.clone();
        }
        let shared: std::sync::Arc<str> = text.into();
        self.strings.insert(shared.clone());
        shared
    }

    fn node(&mut self, kind: NodeKind) -> NodeIndex {
        if let Some(&index) = self.nodes.get(&kind) {
            return index;
        }
        let index = self.graph.add_node(kind.clone());
        self.nodes.insert(kind, index);
        index
    }

    /// A graph with nothing in it.
    pub fn empty() -> TrustGraph {
        TrustGraph {
            graph: StableDiGraph::new(),
            checks: Vec::new(),
            nodes: HashMap::new(),
            strings: std::collections::HashSet::new(),
        }
    }

    /// The node of a kind, if present.
    pub fn find(&self, kind: &NodeKind) -> Option<NodeIndex> {
        self.nodes.get(kind).copied()
    }

    fn ask(&mut self, lookup: &Lookup<'_>, from: NodeKind, to: NodeKind, q: Question<'_>) {
        let (principal, principal_account) = match q.principal {
            PrincipalRef::Role { arn, account } => (arn.to_string(), Some(account)),
            PrincipalRef::Service(name) => (name.to_string(), None),
        };
        let identity_units = match q.principal {
            PrincipalRef::Role { arn, .. } => {
                lookup.governing(Governs::RoleIdentity(arn.to_string()))
            }
            PrincipalRef::Service(_) => Vec::new(),
        };
        let identity_docs: Vec<&PolicyDocument> =
            identity_units.iter().map(|(_, p)| p.document()).collect();
        let identity = match q.principal {
            // A service has no identity policies: only the resource policy speaks.
            PrincipalRef::Service(_) => Known::Known(Vec::new()),
            PrincipalRef::Role { .. } if identity_docs.is_empty() => Known::Unknown,
            PrincipalRef::Role { .. } => Known::Known(identity_docs),
        };
        let resource_units = q
            .resource_policy
            .clone()
            .map(|g| lookup.governing(g))
            .unwrap_or_default();
        let resource = match (&q.resource_policy, resource_units.first()) {
            (None, _) => Known::Known(None),
            (Some(_), Some((_, unit))) => Known::Known(Some(unit.document())),
            (Some(_), None) => Known::Unknown,
        };
        let request = Request {
            principal: q.principal,
            action: q.iam_action,
            resource: &q.resource,
            resource_account: q.resource_account,
            kind: q.resource_kind,
            context: &q.context,
        };
        let decision = evaluate(&request, &Policies { identity, resource });
        let proofs = |by: &[xacct_iam::Evidence<'_>]| {
            by.iter()
                .filter_map(|e| lookup.proof(e))
                .collect::<Vec<_>>()
        };
        let outcome = match &decision {
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
        };
        let check = Check {
            kind: q.kind,
            need: q.need,
            principal: self.intern(&principal),
            principal_account,
            iam_action: q.iam_action,
            resource: self.intern(&q.resource),
            resource_account: q.resource_account,
            outcome,
            identity_policies: identity_units.iter().map(|(i, _)| *i).collect(),
            resource_policy: resource_units.first().map(|(i, _)| *i),
        };
        let index = self.checks.len();
        self.checks.push(check);
        let (a, b) = (self.node(from), self.node(to));
        self.graph.add_edge(a, b, (q.kind, Some(index)));
    }

    fn link(&mut self, from: NodeKind, to: NodeKind, kind: EdgeKind) {
        let (a, b) = (self.node(from), self.node(to));
        if self.graph.find_edge(a, b).is_none() {
            self.graph.add_edge(a, b, (kind, None));
        }
    }

    /// Builds the graph of every pipeline of the workspace.
    pub fn build(workspace: &Workspace) -> TrustGraph {
        let mut graph = TrustGraph {
            graph: StableDiGraph::new(),
            checks: Vec::new(),
            nodes: HashMap::new(),
            strings: std::collections::HashSet::new(),
        };
        let lookup = Lookup::new(workspace);
        for (p, unit) in workspace.pipelines.iter().enumerate() {
            graph.add_pipeline(&lookup, p, unit);
        }
        graph
    }

    fn add_pipeline(
        &mut self,
        lookup: &Lookup<'_>,
        p: usize,
        unit: &xacct_model::workspace::PipelineUnit,
    ) {
        let pipeline = &unit.doc.pipeline;
        let home = unit.accounts.pipeline_account();
        let pipeline_node = NodeKind::Pipeline(p);
        if let Some(home) = home {
            self.link(
                pipeline_node.clone(),
                NodeKind::Account(home),
                EdgeKind::RunsIn,
            );
        }
        let Some(pipeline_role) = pipeline.role_arn.as_ref().map(|r| r.value.clone()) else {
            return;
        };
        let Some(pipeline_role_account) =
            Arn::parse(&pipeline_role).ok().and_then(|a| a.account_id())
        else {
            return;
        };
        let role_node = |arn: &str| NodeKind::Role(arn.to_string());
        self.link(
            pipeline_node.clone(),
            role_node(&pipeline_role),
            EdgeKind::RunsAs,
        );
        self.link(
            role_node(&pipeline_role),
            NodeKind::Account(pipeline_role_account),
            EdgeKind::RunsIn,
        );
        // CodePipeline must be able to assume the pipeline role.
        self.ask(
            lookup,
            NodeKind::Service(PIPELINE_SERVICE.to_string()),
            role_node(&pipeline_role),
            Question {
                kind: EdgeKind::CanAssume,
                need: Need {
                    pipeline: p,
                    action: None,
                    artifacts: Vec::new(),
                    instance_role: false,
                },
                principal: PrincipalRef::Service(PIPELINE_SERVICE),
                iam_action: "sts:AssumeRole",
                resource: pipeline_role.clone(),
                resource_account: Some(pipeline_role_account),
                resource_kind: ResourceKind::RoleTrust,
                resource_policy: Some(Governs::RoleTrust(pipeline_role.clone())),
                context: Context::new(),
            },
        );
        let pipeline_name = pipeline.name.as_ref().map_or("pipeline", |n| n.as_str());
        for (s, a, action) in pipeline.actions() {
            let action_node = NodeKind::Action(p, s, a);
            let placement = unit.accounts.of(s, a);
            if let Some(account) = &placement.account {
                self.link(
                    action_node.clone(),
                    NodeKind::Account(account.value),
                    EdgeKind::RunsIn,
                );
            }
            for output in &action.outputs {
                self.link(
                    action_node.clone(),
                    NodeKind::Artifact(p, output.value.clone()),
                    EdgeKind::Produces,
                );
            }
            for input in &action.inputs {
                self.link(
                    NodeKind::Artifact(p, input.value.clone()),
                    action_node.clone(),
                    EdgeKind::Consumes,
                );
            }
            let (acting, acting_account) = match &action.role_arn {
                Some(role) => match Arn::parse(&role.value).ok().and_then(|a| a.account_id()) {
                    Some(account) => (role.value.clone(), account),
                    None => continue,
                },
                None => (pipeline_role.clone(), pipeline_role_account),
            };
            self.link(action_node.clone(), role_node(&acting), EdgeKind::RunsAs);
            let need = |artifacts: Vec<String>| Need {
                pipeline: p,
                action: Some((s, a)),
                artifacts,
                instance_role: false,
            };
            if action.role_arn.is_some() && acting != pipeline_role {
                self.link(
                    role_node(&acting),
                    NodeKind::Account(acting_account),
                    EdgeKind::RunsIn,
                );
                self.ask(
                    lookup,
                    role_node(&pipeline_role),
                    role_node(&acting),
                    Question {
                        kind: EdgeKind::CanAssume,
                        need: need(Vec::new()),
                        principal: PrincipalRef::Role {
                            arn: &pipeline_role,
                            account: pipeline_role_account,
                        },
                        iam_action: "sts:AssumeRole",
                        resource: acting.clone(),
                        resource_account: Some(acting_account),
                        resource_kind: ResourceKind::RoleTrust,
                        resource_policy: Some(Governs::RoleTrust(acting.clone())),
                        context: Context::new(),
                    },
                );
            }
            let principal = PrincipalRef::Role {
                arn: &acting,
                account: acting_account,
            };
            let region = placement.region.as_ref().map(|r| r.value.as_str());
            let store = store_for(pipeline, region);
            // A CodeBuild project reads its input artifacts and writes its outputs with its
            // own service role (the project's, not the action's): the acting role only starts
            // the build. The project's role is not in a pipeline declaration.
            let own_artifacts = !(action.owner() == "AWS" && action.provider() == "CodeBuild");
            if let Some(store) = store.filter(|_| own_artifacts) {
                self.ask_store(
                    lookup,
                    p,
                    (s, a),
                    action,
                    principal,
                    &acting,
                    store,
                    pipeline_name,
                    home,
                    false,
                );
                // CodeDeploy agents fetch the revision with the instance role of their account.
                if action.is("AWS", "CodeDeploy") {
                    for (instance_role, account) in instance_roles(lookup, acting_account, store) {
                        let principal = PrincipalRef::Role {
                            arn: &instance_role,
                            account,
                        };
                        self.ask_store(
                            lookup,
                            p,
                            (s, a),
                            action,
                            principal,
                            &instance_role,
                            store,
                            pipeline_name,
                            home,
                            true,
                        );
                    }
                }
            }
            if let Some(region) = region {
                for (call, resource) in
                    xacct_model::providers::required_calls(action, region, acting_account.as_str())
                {
                    self.ask(
                        lookup,
                        role_node(&acting),
                        action_node.clone(),
                        Question {
                            kind: EdgeKind::CanCall,
                            need: need(Vec::new()),
                            principal,
                            iam_action: call,
                            resource,
                            resource_account: Some(acting_account),
                            resource_kind: ResourceKind::Other,
                            resource_policy: None,
                            context: Context::new(),
                        },
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
                    if deploy_account == Some(acting_account) {
                        self.ask(
                            lookup,
                            role_node(&acting),
                            role_node(&deploy_role.value),
                            Question {
                                kind: EdgeKind::CanPass,
                                need: need(Vec::new()),
                                principal,
                                iam_action: "iam:PassRole",
                                resource: deploy_role.value.clone(),
                                resource_account: deploy_account,
                                resource_kind: ResourceKind::Other,
                                resource_policy: None,
                                context: Context::new()
                                    .with("iam:PassedToService", ["cloudformation.amazonaws.com"]),
                            },
                        );
                    }
                }
            }
        }
    }

    #[allow(clippy::too_many_arguments)]
    fn ask_store(
        &mut self,
        lookup: &Lookup<'_>,
        p: usize,
        at: (usize, usize),
        action: &Action,
        principal: PrincipalRef<'_>,
        acting: &str,
        store: &xacct_model::ArtifactStore,
        pipeline_name: &str,
        home: Option<AccountId>,
        instance_role: bool,
    ) {
        let Some(bucket) = store.location.as_ref().map(|b| b.value.clone()) else {
            return;
        };
        let role_node = NodeKind::Role(acting.to_string());
        let bucket_node = NodeKind::Bucket(bucket.clone());
        if let Some(home) = home {
            self.link(
                bucket_node.clone(),
                NodeKind::Account(home),
                EdgeKind::RunsIn,
            );
        }
        // CodePipeline keys artifacts as `<pipeline name, up to 20 characters>/<artifact name,
        // up to 10>/<random>`: a concrete key so that patterns like `bucket/*` match as in AWS.
        let prefix: String = pipeline_name.chars().take(20).collect();
        let object = |artifact: &str| {
            let short: String = artifact.chars().take(10).collect();
            format!("arn:aws:s3:::{bucket}/{prefix}/{short}/{SAMPLE_OBJECT_ID}")
        };
        let key = store
            .encryption_key
            .as_ref()
            .and_then(|k| match KeyRef::parse(&k.value) {
                Ok(KeyRef::KeyArn { account, .. }) => Some((k.value.clone(), account)),
                _ => None,
            });
        let names = |list: &[xacct_model::Spanned<String>]| {
            list.iter().map(|a| a.value.clone()).collect::<Vec<_>>()
        };
        let need = |artifacts: Vec<String>| Need {
            pipeline: p,
            action: Some(at),
            artifacts,
            instance_role,
        };
        let secure = || Context::new().with("aws:SecureTransport", ["true"]);
        let bucket_policy = Some(Governs::Bucket(bucket.clone()));
        if let Some(first) = action.inputs.first() {
            self.ask(
                lookup,
                role_node.clone(),
                bucket_node.clone(),
                Question {
                    kind: EdgeKind::CanRead,
                    need: need(names(&action.inputs)),
                    principal,
                    iam_action: "s3:GetObject",
                    resource: object(&first.value),
                    resource_account: home,
                    resource_kind: ResourceKind::S3,
                    resource_policy: bucket_policy.clone(),
                    context: secure(),
                },
            );
            if let Some((key_arn, key_account)) = &key {
                self.ask(
                    lookup,
                    role_node.clone(),
                    NodeKind::Key(key_arn.clone()),
                    Question {
                        kind: EdgeKind::CanDecrypt,
                        need: need(names(&action.inputs)),
                        principal,
                        iam_action: "kms:Decrypt",
                        resource: key_arn.clone(),
                        resource_account: *key_account,
                        resource_kind: ResourceKind::KmsKey,
                        resource_policy: Some(Governs::Key(key_arn.clone())),
                        context: Context::new().with(
                            "kms:ViaService",
                            [format!("s3.{}.amazonaws.com", key_region(key_arn))],
                        ),
                    },
                );
            }
        }
        if instance_role {
            return;
        }
        if let Some(first) = action.outputs.first() {
            let mut context = secure().with("s3:x-amz-server-side-encryption", ["aws:kms"]);
            if let Some((key_arn, _)) = &key {
                context = context.with(
                    "s3:x-amz-server-side-encryption-aws-kms-key-id",
                    [key_arn.as_str()],
                );
            }
            self.ask(
                lookup,
                role_node.clone(),
                bucket_node.clone(),
                Question {
                    kind: EdgeKind::CanWrite,
                    need: need(names(&action.outputs)),
                    principal,
                    iam_action: "s3:PutObject",
                    resource: object(&first.value),
                    resource_account: home,
                    resource_kind: ResourceKind::S3,
                    resource_policy: bucket_policy.clone(),
                    context,
                },
            );
            if let Some((key_arn, key_account)) = &key {
                self.ask(
                    lookup,
                    role_node.clone(),
                    NodeKind::Key(key_arn.clone()),
                    Question {
                        kind: EdgeKind::CanEncrypt,
                        need: need(names(&action.outputs)),
                        principal,
                        iam_action: "kms:GenerateDataKey",
                        resource: key_arn.clone(),
                        resource_account: *key_account,
                        resource_kind: ResourceKind::KmsKey,
                        resource_policy: Some(Governs::Key(key_arn.clone())),
                        context: Context::new().with(
                            "kms:ViaService",
                            [format!("s3.{}.amazonaws.com", key_region(key_arn))],
                        ),
                    },
                );
            }
        }
        if !action.inputs.is_empty() || !action.outputs.is_empty() {
            self.ask(
                lookup,
                role_node.clone(),
                bucket_node.clone(),
                Question {
                    kind: EdgeKind::CanList,
                    need: need(Vec::new()),
                    principal,
                    iam_action: "s3:ListBucket",
                    resource: format!("arn:aws:s3:::{bucket}"),
                    resource_account: home,
                    resource_kind: ResourceKind::S3,
                    resource_policy: bucket_policy.clone(),
                    context: secure(),
                },
            );
        }
        if action.category() == "Source"
            && action.is("AWS", "CodeCommit")
            && !action.outputs.is_empty()
        {
            self.ask(
                lookup,
                role_node,
                bucket_node,
                Question {
                    kind: EdgeKind::CanPutAcl,
                    need: need(names(&action.outputs)),
                    principal,
                    iam_action: "s3:PutObjectAcl",
                    resource: object(&action.outputs[0].value),
                    resource_account: home,
                    resource_kind: ResourceKind::S3,
                    resource_policy: bucket_policy,
                    context: secure(),
                },
            );
        }
    }

    /// Checks of one kind, for the roles that actions run as.
    pub fn checks_of(&self, kind: EdgeKind) -> impl Iterator<Item = (usize, &Check)> {
        self.checks
            .iter()
            .enumerate()
            .filter(move |(_, c)| c.kind == kind && !c.need.instance_role)
    }

    /// Checks for CodeDeploy instance roles.
    pub fn instance_role_checks(&self) -> impl Iterator<Item = (usize, &Check)> {
        self.checks
            .iter()
            .enumerate()
            .filter(|(_, c)| c.need.instance_role)
    }
}

/// Roles of `account` that EC2 instances may assume (their trust policy names
/// `ec2.amazonaws.com`): the candidates for a CodeDeploy instance profile's role.
/// Every role that trusts `ec2.amazonaws.com`, by account, sorted.
fn ec2_roles(workspace: &Workspace) -> HashMap<AccountId, Vec<String>> {
    let mut roles: HashMap<AccountId, Vec<String>> = HashMap::new();
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

fn key_region(key_arn: &str) -> &str {
    Arn::parse(key_arn).map(|a| a.region).unwrap_or("")
}

/// The artifact store an action in `region` uses.
fn store_for<'p>(
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
