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

mod build;
pub mod hops;
mod incremental;

pub use incremental::Footprint;

pub use build::{ask, boundary_unit, build_service_role, ecs_task_roles, store_for, Answer, Query};
pub mod render;

use std::collections::HashMap;
use std::sync::Arc;

use petgraph::stable_graph::{NodeIndex, StableDiGraph};
use xacct_iam::Side;
use xacct_model::providers::SAMPLE_OBJECT_ID;
use xacct_model::workspace::Workspace;
use xacct_model::{AccountId, Action, Spanned};
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
    /// How many kinds there are.
    const COUNT: usize = EdgeKind::Consumes as usize + 1;

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
///
/// Boxed slices, not vectors: a large organisation keeps a hundred thousand answers, most with
/// one or two proofs, and a vector collected from a filter keeps room for four.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Outcome {
    /// Allowed by these statements.
    Allowed(Box<[Proof]>),
    /// Denied by these deny statements.
    Denied(Box<[Proof]>),
    /// No allow on this side.
    NotAllowed(Side),
    /// Cannot be decided; why, in words, and which documents are missing.
    Unknown {
        /// Conditions or values that could not be decided, in words.
        reasons: Box<[String]>,
        /// Sides whose document was not given.
        missing: Box<[Side]>,
    },
}

impl Outcome {
    /// True when certainly not allowed.
    pub fn is_refused(&self) -> bool {
        matches!(self, Outcome::Denied(_) | Outcome::NotAllowed(_))
    }

    /// True when the given side lacks an allow (`Both` stands for the identity and the
    /// resource side).
    pub fn misses(&self, side: Side) -> bool {
        let both = matches!(side, Side::Identity | Side::Resource | Side::Both);
        matches!(self, Outcome::NotAllowed(s) if *s == side || (*s == Side::Both && both))
    }
}

/// Why a check was asked: which action of which pipeline needs it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Need {
    /// Index of the pipeline in the workspace (see [`Need::pipeline_index`]).
    pub pipeline: u32,
    /// Stage and action index, when an action needs it (see [`Need::action_index`]). Kept
    /// small: a graph holds a check, and its need, per question asked.
    pub action: Option<(u32, u32)>,
    /// The artifacts of the action it concerns (for reads and writes).
    pub artifacts: Artifacts,
    /// True when the check is for a CodeDeploy instance role of the action's account (which
    /// fetches the revision itself), not for the role the action runs as.
    pub instance_role: bool,
    /// The step of a StackSets action's role chain the check is for, when it is one: asked of
    /// CloudFormation or of the administration role, not of the role the action runs as.
    pub stack_set: Option<StackSetStep>,
}

/// A step of the role chain of a StackSets operation (self-managed permissions): CloudFormation
/// assumes the administration role, which assumes the execution role of each target account.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum StackSetStep {
    /// CloudFormation (`cloudformation.amazonaws.com`) assumes the administration role.
    Administration,
    /// The administration role assumes the execution role of a target account.
    Execution,
}

/// Which artifacts of its action a check concerns: the names stay in the pipeline (seventy
/// thousand checks would otherwise each hold a copy).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Artifacts {
    /// None in particular.
    None,
    /// The action's input artifacts.
    Inputs,
    /// The action's output artifacts.
    Outputs,
    /// The action's input artifacts that a CodeBuild action made: encrypted with the build
    /// project's key, not the store's (the question is about that key).
    BuildOutput,
    /// The action's input artifact whose S3 location a CloudFormation action hands its stack
    /// (`Fn::GetArtifactAtt` in `ParameterOverrides`): read and decrypted by the deployment
    /// role (`configuration.RoleArn`), not the role the action runs as.
    Stack,
    /// The input artifacts of a CodeBuild action, which its project's service role downloads.
    ServiceRoleInputs,
    /// The output artifacts of a CodeBuild action, which its project's service role uploads.
    ServiceRoleOutputs,
    /// The action's input artifacts, which CodePipeline copies with the pipeline role into the
    /// store of the action's region when it is not the pipeline's (cross-region actions).
    Replica,
}

impl Need {
    /// Why a check was asked, as the builder says it.
    pub(crate) fn new(
        pipeline: usize,
        action: Option<(usize, usize)>,
        artifacts: Artifacts,
        instance_role: bool,
    ) -> Need {
        // A workspace holds fewer than 2^32 pipelines, and a pipeline 50 stages of 50 actions.
        let small = |i: usize| u32::try_from(i).unwrap_or(u32::MAX);
        Need {
            pipeline: small(pipeline),
            action: action.map(|(s, a)| (small(s), small(a))),
            artifacts,
            instance_role,
            stack_set: None,
        }
    }

    /// The same need, for a step of a StackSets action's role chain.
    pub(crate) fn for_stack_set(self, step: StackSetStep) -> Need {
        Need {
            stack_set: Some(step),
            ..self
        }
    }

    /// Index of the pipeline in the workspace.
    pub fn pipeline_index(&self) -> usize {
        self.pipeline as usize
    }

    /// Stage and action index, when an action needs it.
    pub fn action_index(&self) -> Option<(usize, usize)> {
        self.action.map(|(s, a)| (s as usize, a as usize))
    }

    /// The action that needs the check, in `workspace`, if an action needs it.
    pub fn action_in<'w>(&self, workspace: &'w Workspace) -> Option<&'w Action> {
        let (s, a) = self.action_index()?;
        workspace
            .pipelines
            .get(self.pipeline_index())?
            .doc
            .pipeline
            .stages
            .get(s)?
            .actions
            .get(a)
    }

    /// The artifacts the check concerns, as the action in `workspace` declares them.
    pub fn artifact_names<'w>(&self, workspace: &'w Workspace) -> &'w [Spanned<xacct_model::Text>] {
        match (self.action_in(workspace), self.artifacts) {
            (
                Some(action),
                Artifacts::Inputs
                | Artifacts::BuildOutput
                | Artifacts::Replica
                | Artifacts::Stack
                | Artifacts::ServiceRoleInputs,
            ) => &action.inputs,
            (Some(action), Artifacts::Outputs | Artifacts::ServiceRoleOutputs) => &action.outputs,
            _ => &[],
        }
    }
}

/// A CodeDeploy action, the deployment group its configuration names, and what the inputs say
/// of the roles of the group's instances.
#[derive(Clone, Debug)]
pub struct Deployment {
    /// The action.
    pub need: Need,
    /// The deployment group (index into the workspace's `compute.deployment_groups`), when
    /// exactly one group of the inputs is known to be the one the action names: in the
    /// action's account and region.
    pub group: Option<usize>,
    /// Without `group`, the groups of the inputs named as the action names them that may be
    /// the one: several known to be in its account and region, or some whose account or region
    /// is not known.
    pub maybe: Vec<usize>,
    /// The roles of the group's instances and what could not be followed; empty without a
    /// group.
    pub resolution: xacct_model::compute::Resolution,
}

/// Why the graph asks about a CodeDeploy instance role.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum InstanceSource {
    /// The role of an instance profile of the deployment group's instances (link `link` of
    /// deployment `deployment`'s resolution): the instances certainly use it.
    Linked {
        /// Index into [`TrustGraph::deployments`].
        deployment: u32,
        /// Index into the deployment's `resolution.links`.
        link: u32,
    },
    /// A role of the deploy account that EC2 may assume and that is about the deployment:
    /// asked because the deployment group, or some of its instances' roles, are not among the
    /// inputs (the deployment says which).
    Candidate {
        /// Index into [`TrustGraph::deployments`].
        deployment: u32,
    },
}

impl InstanceSource {
    /// The same source with its deployment index moved (graphs joined or cut).
    fn rebased(self, by: impl Fn(u32) -> u32) -> InstanceSource {
        match self {
            InstanceSource::Linked { deployment, link } => InstanceSource::Linked {
                deployment: by(deployment),
                link,
            },
            InstanceSource::Candidate { deployment } => InstanceSource::Candidate {
                deployment: by(deployment),
            },
        }
    }
}

/// One evaluated question: why it was asked, and the question with its answer.
///
/// Pipelines that share roles, buckets and keys ask the same questions again: a check is the
/// need and a shared [`Asked`], whose fields it derefs to (`check.outcome`,
/// `check.principal`).
#[derive(Clone, Debug)]
pub struct Check {
    /// What kind of access.
    pub kind: EdgeKind,
    /// Who needs it.
    pub need: Need,
    /// The question and its answer, shared by every check that asked the same question.
    pub asked: Arc<Asked>,
}

impl std::ops::Deref for Check {
    type Target = Asked;

    fn deref(&self) -> &Asked {
        &self.asked
    }
}

/// A question and its answer.
#[derive(Debug)]
pub struct Asked {
    /// The principal: a role ARN or a service name.
    pub principal: Arc<str>,
    /// The principal's account, when it is a role.
    pub principal_account: Option<AccountId>,
    /// The IAM action asked about.
    pub iam_action: &'static str,
    /// The resource ARN asked about.
    pub resource: Arc<str>,
    /// The resource's account, when known.
    pub resource_account: Option<AccountId>,
    /// The answer.
    pub outcome: Outcome,
    /// The policies that took part on the identity side (indexes into the workspace).
    pub identity_policies: Arc<[usize]>,
    /// The resource policy that took part, if any.
    pub resource_policy: Option<usize>,
    /// The principal's permissions boundary, when it has one whose document is given.
    pub boundary_policy: Option<usize>,
}

/// The graph and its checks.
pub struct TrustGraph {
    /// Nodes and edges; access edges carry the index of their [`Check`].
    pub graph: StableDiGraph<NodeKind, (EdgeKind, Option<usize>)>,
    /// Every evaluated question.
    pub checks: Vec<Check>,
    nodes: FastMap<NodeKind, NodeIndex>,
    /// The indexes of the checks of each kind, and of those not allowed, in order: twenty
    /// rules each read one or two kinds of seventy thousand checks, and most read only the
    /// few hundred that are not allowed.
    by_kind: [KindIndex; EdgeKind::COUNT],
    /// The indexes of the checks for CodeDeploy instance roles.
    instance_roles: Vec<u32>,
    /// Why each check of `instance_roles` was asked, in the same order.
    instance_sources: Vec<InstanceSource>,
    /// Every CodeDeploy action with a store, with its deployment group as far as known.
    deployments: Vec<Deployment>,
    /// Actions whose role only assumes roles of other accounts: no check is asked for them.
    pub hops: Vec<hops::Hop>,
    /// Where each pipeline's part of `checks`, `deployments`, `hops` and `instance_roles`
    /// begins, in pipeline order: what [`TrustGraph::update_checks`] keeps of a pipeline.
    starts: Vec<Starts>,
    /// How many pipelines' questions were asked to build it (the others' checks were kept
    /// from a graph before).
    asked: usize,
    /// For each pipeline, the hashes of the names it mentions, sorted (empty unless built
    /// with [`TrustGraph::build_tracked`] or updated): what an update looks up.
    mentions: Vec<Arc<[u64]>>,
}

/// Where a pipeline's part of a graph's lists begins.
#[derive(Clone, Copy, Debug, Default)]
struct Starts {
    checks: u32,
    deployments: u32,
    hops: u32,
    instance_roles: u32,
}

/// A pipeline's part of a graph's lists.
struct PipelineRange {
    checks: std::ops::Range<usize>,
    deployments: std::ops::Range<usize>,
    hops: std::ops::Range<usize>,
    instance_roles: std::ops::Range<usize>,
}

/// The checks of one kind, by index.
#[derive(Clone, Default)]
struct KindIndex {
    all: Vec<u32>,
    not_allowed: Vec<u32>,
}

/// Maps and sets keyed by short strings and addresses: foldhash is several times faster
/// than SipHash on them, and the graph build hashes a few keys per question.
pub(crate) type FastMap<K, V> = HashMap<K, V, foldhash::fast::RandomState>;
/// See [`FastMap`].
pub(crate) type FastSet<T> = std::collections::HashSet<T, foldhash::fast::RandomState>;

/// The fewest pipelines worth a builder of their own (below, the graph is built on one thread:
/// a builder's set-up and the questions ranges share would cost more than they save).
const MIN_PIPELINES_PER_RANGE: usize = 16;

/// The most pipelines a builder takes: a builder's tables (answers, interned names, the
/// evaluation memo) grow with its range and outgrow the caches, so that a question costs more
/// in a large organisation than in a small one. Ranges of at most this many keep that cost
/// flat, at the price of the questions ranges share asked once per range (20,000 pipelines on
/// 2 threads: graph 1,036 → 912 ms for 16 ranges instead of 4, `xacct lint --timings`).
const MAX_PIPELINES_PER_RANGE: usize = 1250;

/// [`MAX_PIPELINES_PER_RANGE`]; in a debug build, `XACCT_GRAPH_RANGE` sets it instead, so that
/// tests can join a small run's graph from many ranges and compare (release builds have no
/// such door).
fn max_pipelines_per_range() -> usize {
    if cfg!(debug_assertions) {
        if let Some(n) = std::env::var("XACCT_GRAPH_RANGE")
            .ok()
            .and_then(|v| v.parse::<usize>().ok())
            .filter(|&n| n > 0)
        {
            return n;
        }
    }
    MAX_PIPELINES_PER_RANGE
}

impl Check {
    /// The resource as messages show it: an artifact object as the pattern of every run's
    /// object (`arn:aws:s3:::bucket/Pipeline/Artifact/*`), the files an S3 deploy action
    /// extracts as the pattern of the objects under its prefix (`arn:aws:s3:::bucket/prefix/*`),
    /// anything else as asked.
    pub fn resource_shown(&self) -> String {
        match self.resource.strip_suffix(SAMPLE_OBJECT_ID) {
            Some(prefix) if prefix.starts_with("arn:aws:s3:::") && prefix.ends_with('/') => {
                format!("{prefix}*")
            }
            _ => self.resource.to_string(),
        }
    }
}

impl TrustGraph {
    /// A graph with nothing in it.
    pub fn empty() -> TrustGraph {
        TrustGraph {
            graph: StableDiGraph::new(),
            checks: Vec::new(),
            nodes: FastMap::default(),
            by_kind: Default::default(),
            instance_roles: Vec::new(),
            instance_sources: Vec::new(),
            deployments: Vec::new(),
            hops: Vec::new(),
            starts: Vec::new(),
            asked: 0,
            mentions: Vec::new(),
        }
    }

    /// How many pipelines' questions building this graph asked: all of them, unless it was
    /// updated ([`TrustGraph::update_checks`]).
    pub fn asked(&self) -> usize {
        self.asked
    }

    /// Notes that the next pipeline's checks begin here.
    fn start_pipeline(&mut self) {
        let small = |n: usize| u32::try_from(n).unwrap_or(u32::MAX);
        self.starts.push(Starts {
            checks: small(self.checks.len()),
            deployments: small(self.deployments.len()),
            hops: small(self.hops.len()),
            instance_roles: small(self.instance_roles.len()),
        });
    }

    /// The parts of pipelines `range` (as a range over `starts`) in each list.
    fn range_of_pipelines(&self, range: std::ops::Range<usize>) -> PipelineRange {
        let end = Starts {
            checks: self.checks.len() as u32,
            deployments: self.deployments.len() as u32,
            hops: self.hops.len() as u32,
            instance_roles: self.instance_roles.len() as u32,
        };
        let from = self.starts.get(range.start).copied().unwrap_or(end);
        let to = self.starts.get(range.end).copied().unwrap_or(end);
        PipelineRange {
            checks: from.checks as usize..to.checks as usize,
            deployments: from.deployments as usize..to.deployments as usize,
            hops: from.hops as usize..to.hops as usize,
            instance_roles: from.instance_roles as usize..to.instance_roles as usize,
        }
    }

    /// The parts of pipeline `p` in each list.
    fn range_of(&self, p: usize) -> PipelineRange {
        self.range_of_pipelines(p..p + 1)
    }

    /// The checks of pipelines `range` alone, as a graph of its own (without nodes), for
    /// [`TrustGraph::concat`] to join to others.
    fn slice(&self, range: std::ops::Range<usize>) -> TrustGraph {
        let parts = self.range_of_pipelines(range.clone());
        let mut part = TrustGraph::empty();
        let base = parts.checks.start as u32;
        let deployment_base = parts.deployments.start as u32;
        part.checks.reserve(parts.checks.len());
        for check in &self.checks[parts.checks] {
            part.push_check(check.clone());
        }
        part.deployments = self.deployments[parts.deployments].to_vec();
        part.hops = self.hops[parts.hops.clone()].to_vec();
        part.instance_sources = self.instance_sources[parts.instance_roles.clone()]
            .iter()
            .map(|source| source.rebased(|d| d.saturating_sub(deployment_base)))
            .collect();
        part.mentions = self
            .mentions
            .get(range.clone())
            .unwrap_or_default()
            .to_vec();
        part.starts = self.starts[range]
            .iter()
            .map(|s| Starts {
                checks: s.checks - base,
                deployments: s.deployments - deployment_base,
                hops: s.hops - parts.hops.start as u32,
                instance_roles: s.instance_roles - parts.instance_roles.start as u32,
            })
            .collect();
        part
    }

    /// Adds a check, indexed by kind.
    fn push_check(&mut self, check: Check) -> usize {
        let index = self.checks.len();
        let at = &mut self.by_kind[check.kind as usize];
        at.all.push(index as u32);
        if !matches!(check.outcome, Outcome::Allowed(_)) {
            at.not_allowed.push(index as u32);
        }
        if check.need.instance_role {
            self.instance_roles.push(index as u32);
        }
        self.checks.push(check);
        index
    }

    /// The node of a kind, if present.
    pub fn find(&self, kind: &NodeKind) -> Option<NodeIndex> {
        self.nodes.get(kind).copied()
    }

    /// Builds the graph of every pipeline of the workspace: its checks, nodes and edges.
    pub fn build(workspace: &Workspace) -> TrustGraph {
        TrustGraph::build_with(workspace, true, false)
    }

    /// Asks every question of every pipeline of the workspace, without the nodes and edges
    /// ([`TrustGraph::graph`] stays empty): all the rules read. The checks are the same, in
    /// the same order, as [`TrustGraph::build`]'s.
    pub fn build_checks(workspace: &Workspace) -> TrustGraph {
        TrustGraph::build_with(workspace, false, false)
    }

    /// [`TrustGraph::build_checks`], keeping what each pipeline mentions for
    /// [`TrustGraph::update_checks`] (the language server's graph).
    pub fn build_tracked(workspace: &Workspace) -> TrustGraph {
        TrustGraph::build_with(workspace, false, true)
    }

    fn build_with(workspace: &Workspace, draw: bool, track: bool) -> TrustGraph {
        let pipelines = workspace.pipelines.len();
        let threads = rayon::current_num_threads();
        // The checks alone are built in parallel: consecutive ranges of pipelines, each by a
        // builder of its own (its own memo: a question two ranges share is answered twice,
        // which costs less than a lock on every lookup), joined in order. The nodes and edges
        // of a picture need one builder.
        let lookup = std::sync::Arc::new(build::Lookup::new(workspace));
        if draw || pipelines < 2 * MIN_PIPELINES_PER_RANGE {
            return TrustGraph::build_range(workspace, &lookup, 0..pipelines, draw, track);
        }
        // More ranges than threads, so that a range of heavy pipelines does not leave the
        // other threads idle; not many more, since each range repeats some questions, unless
        // the ranges would outgrow `MAX_PIPELINES_PER_RANGE` (on one thread too).
        let for_threads = match threads {
            0 | 1 => 1,
            _ => (threads * 2).min(pipelines / MIN_PIPELINES_PER_RANGE),
        };
        let ranges = for_threads.max(pipelines.div_ceil(max_pipelines_per_range()));
        if ranges < 2 {
            return TrustGraph::build_range(workspace, &lookup, 0..pipelines, false, track);
        }
        let size = pipelines.div_ceil(ranges);
        let parts: Vec<TrustGraph> = {
            use rayon::prelude::*;
            (0..ranges)
                .into_par_iter()
                .map(|r| {
                    let range = r * size..((r + 1) * size).min(pipelines);
                    TrustGraph::build_range(workspace, &lookup, range, false, track)
                })
                .collect()
        };
        TrustGraph::concat(parts)
    }

    /// The checks (and, with `draw`, the nodes and edges) of the pipelines in `range`; with
    /// `track`, what each mentions.
    fn build_range<'w>(
        workspace: &'w Workspace,
        lookup: &std::sync::Arc<build::Lookup<'w>>,
        range: std::ops::Range<usize>,
        draw: bool,
        track: bool,
    ) -> TrustGraph {
        let mut builder = build::Builder::new(lookup.clone(), range.len(), draw);
        for p in range.clone() {
            builder.start_pipeline();
            builder.add_pipeline(p, &workspace.pipelines[p]);
        }
        let mut graph = builder.finish();
        // Grown by doubling: up to half of it room never used, kept while the other ranges
        // are built.
        graph.checks.shrink_to_fit();
        graph.asked = graph.starts.len();
        if track {
            graph.mentions = range
                .enumerate()
                .map(|(local, p)| incremental::mentions(&workspace.pipelines[p], &graph, local))
                .collect();
        }
        graph
    }

    /// Joins graphs built without nodes over consecutive ranges of pipelines, in order: the
    /// same checks in the same order as one builder gives, each index shifted past the parts
    /// before it.
    fn concat(parts: Vec<TrustGraph>) -> TrustGraph {
        let total = parts.iter().map(|p| p.checks.len()).sum::<usize>();
        let mut parts = parts.into_iter();
        // The first part is the start of the whole (its indexes shift by none), and its
        // checks, most of a graph's memory, grow to hold all: a large block grows in place
        // (remapped), where a new vector beside every part's would hold each check twice at
        // the peak.
        let Some(mut all) = parts.next() else {
            return TrustGraph::empty();
        };
        all.checks.reserve_exact(total - all.checks.len());
        for part in parts {
            let checks = all.checks.len() as u32;
            let deployments = all.deployments.len() as u32;
            let (hops, instance_roles) = (all.hops.len() as u32, all.instance_roles.len() as u32);
            all.starts.extend(part.starts.iter().map(|s| Starts {
                checks: s.checks + checks,
                deployments: s.deployments + deployments,
                hops: s.hops + hops,
                instance_roles: s.instance_roles + instance_roles,
            }));
            for (into, from) in all.by_kind.iter_mut().zip(part.by_kind) {
                into.all.extend(from.all.iter().map(|i| i + checks));
                into.not_allowed
                    .extend(from.not_allowed.iter().map(|i| i + checks));
            }
            all.instance_roles
                .extend(part.instance_roles.iter().map(|i| i + checks));
            all.instance_sources.extend(
                part.instance_sources
                    .into_iter()
                    .map(|source| source.rebased(|d| d.saturating_add(deployments))),
            );
            all.deployments.extend(part.deployments);
            all.hops.extend(part.hops);
            all.checks.extend(part.checks);
            all.asked += part.asked;
            all.mentions.extend(part.mentions);
        }
        all
    }

    /// Checks of one kind, for the roles that actions run as, in the order they were asked.
    pub fn checks_of(&self, kind: EdgeKind) -> impl Iterator<Item = (usize, &Check)> {
        self.indexed(&self.by_kind[kind as usize].all)
            .filter(|(_, c)| !c.need.instance_role && c.need.stack_set.is_none())
    }

    /// The checks of [`TrustGraph::checks_of`] whose answer is not *allowed* (refused or
    /// unknown): all that a rule reporting refusals needs to read.
    pub fn checks_not_allowed_of(&self, kind: EdgeKind) -> impl Iterator<Item = (usize, &Check)> {
        self.indexed(&self.by_kind[kind as usize].not_allowed)
            .filter(|(_, c)| !c.need.instance_role && c.need.stack_set.is_none())
    }

    /// The checks of StackSets role chains ([`StackSetStep`]) whose answer is not *allowed*,
    /// in the order they were asked: CloudFormation assuming an administration role, an
    /// administration role assuming an execution role.
    pub fn stack_set_checks_not_allowed(&self) -> impl Iterator<Item = (usize, &Check)> {
        self.indexed(&self.by_kind[EdgeKind::CanAssume as usize].not_allowed)
            .filter(|(_, c)| c.need.stack_set.is_some())
    }

    /// Every check whose answer is not *allowed*, in the order they were asked.
    pub fn checks_not_allowed(&self) -> impl Iterator<Item = &Check> {
        let mut indexes: Vec<u32> = self
            .by_kind
            .iter()
            .flat_map(|k| k.not_allowed.iter().copied())
            .collect();
        indexes.sort_unstable();
        indexes.into_iter().map(|i| &self.checks[i as usize])
    }

    /// Checks for CodeDeploy instance roles.
    pub fn instance_role_checks(&self) -> impl Iterator<Item = (usize, &Check)> {
        self.indexed(&self.instance_roles)
    }

    /// Checks for CodeDeploy instance roles, with why each was asked.
    pub fn instance_role_checks_with_source(
        &self,
    ) -> impl Iterator<Item = (usize, &Check, InstanceSource)> {
        self.indexed(&self.instance_roles)
            .zip(&self.instance_sources)
            .map(|((index, check), source)| (index, check, *source))
    }

    /// Every CodeDeploy action that fetches from an artifact store, with its deployment
    /// group and the roles of its instances as far as the inputs say.
    pub fn deployments(&self) -> &[Deployment] {
        &self.deployments
    }

    fn indexed<'g>(&'g self, indexes: &'g [u32]) -> impl Iterator<Item = (usize, &'g Check)> {
        indexes
            .iter()
            .map(|&i| (i as usize, &self.checks[i as usize]))
    }
}

// A graph holds one check per question asked (75,000 for 1,000 pipelines): keep them small.
const _: () = assert!(std::mem::size_of::<Check>() <= 32);
