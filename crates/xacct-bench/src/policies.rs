//! The policies around the pipelines, as an organisation keeps them, and the mistakes injected
//! into them.
//!
//! Everything is derived from the pipelines as generated, their own mistakes included, so that
//! a pipeline mistake never turns into a policy finding: for every action, the role it runs as,
//! the artifacts it reads and writes through which bucket and key, the provider APIs it calls,
//! the deployment role it passes, the CodeDeploy instance role of its account. The files are
//! shaped as the AWS CLI prints them and shared as real setups share them: one cross-account
//! role per team and workload account, trusted by every pipeline role of the team that deploys
//! there; one instance role per account; one bucket policy per artifact bucket (the console's
//! default bucket serves every team of a tooling account and region); one key policy per team
//! key.
//!
//! | file | shape | what it governs, from |
//! |---|---|---|
//! | `tools-ID/iam/ROLE.json`, `workload-ID/iam/ROLE.json` | `aws iam get-role` | the `Arn` it holds |
//! | `…/iam/ROLE-*.json` | `aws iam get-role-policy` | its `RoleName` and the account folder |
//! | `tools-ID/iam/ROLE-service-policy.json` | `aws iam get-policy-version` | a `[[bind]]` to the role |
//! | `tools-ID/s3/BUCKET.json` | `aws s3api get-bucket-policy` | the bucket its `Resource` names |
//! | `tools-ID/kms/REGION-KEYID.json` | `aws kms get-key-policy` | a `[[bind]]` to the key |
//!
//! What keeps the policies clean, rule by rule: every bucket policy denies unencrypted uploads
//! and plain HTTP (XA903) and grants the workload accounts that read or list it, by account or
//! by role, never `s3:*` (XA401, XA403, XA902); every key policy lets its own account delegate
//! to IAM and grants the workload accounts and pipeline roles that use it (XA311); every role
//! grants itself what its actions need by full ARNs (XA312, XA313, XA402, XA505, XA506, XA507);
//! the pipeline roles trust CodePipeline (XA504) and may assume the action roles, which trust
//! them by ARN or through their account narrowed by `aws:PrincipalArn` (XA501–XA503).

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use xacct_model::workspace::Binding;

use crate::corpus::{Action, Model, World};
use crate::emit::{obj, one_or_many, s, to_compact, to_pretty, to_pretty_inner, J};
use crate::rng::Rng;
use crate::{GeneratedPolicy, InjectedPolicyMistake, PolicyMistake, PolicyShape};

/// The one role per account that trusts `ec2.amazonaws.com`. Real accounts have others (a
/// bastion's Session Manager role, say), but xacct takes every EC2 role of the deploying account
/// for a CodeDeploy instance role (`instance_roles` in xacct-graph) and reports XA507 on each one
/// that cannot fetch revisions: a false positive, written down in `docs/performance.md`, which
/// the corpus does not provoke so that its clean files stay clean.
const INSTANCE_ROLE: &str = "CodeDeploy_EC2_Instance_Role";
/// Pipeline roles a key policy names one by one; beyond, it relies on its account delegating to
/// IAM (the roles' own policies grant the key).
const KEY_USERS_BY_NAME: usize = 8;
/// Pipeline roles a trust policy names one by one; beyond, it trusts the account, narrowed by
/// `aws:PrincipalArn` patterns (trust policies are limited to 4,096 characters).
const TRUSTED_BY_NAME: usize = 10;

/// What a principal does with an artifact bucket or key, as the trust graph asks it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
enum Op {
    Read,
    Write,
    List,
    PutAcl,
    Decrypt,
    Encrypt,
}

/// One access a run needs: `principal`, a role of `account`, does `op` on `target` (a bucket
/// name or a key ARN). `instance`: a CodeDeploy instance role fetching a revision. `checked`:
/// the trust graph asks it (not for CodeBuild project roles, which no pipeline names).
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
struct Use {
    target: String,
    op: Op,
    account: String,
    principal: String,
    instance: bool,
    checked: bool,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Kind {
    /// A pipeline's service role; `console`: created by the console (`service-role/` path, a
    /// managed policy of its own).
    Pipeline { console: bool },
    /// An action role in a workload account.
    Cross,
    /// The EC2 instance role CodeDeploy agents of an account use.
    Instance,
    /// The service role of a team's CodeBuild projects in an account.
    Project,
    /// A CloudFormation deployment role.
    Deploy,
}

/// A role and everything its policies must grant.
#[derive(Debug)]
struct Role {
    arn: String,
    account: String,
    name: String,
    path: String,
    team: String,
    kind: Kind,
    /// Pipeline roles that assume it (action roles).
    trusted: BTreeSet<String>,
    /// Action roles it assumes (pipeline roles).
    assumes: BTreeSet<String>,
    /// Regions of the CodeBuild projects it starts.
    codebuild: BTreeSet<String>,
    cloudformation: bool,
    codedeploy: bool,
    ecs: bool,
    lambda: bool,
    s3_deploy: bool,
    /// Keys its S3 deploy actions encrypt deployed objects with.
    deploy_keys: BTreeSet<String>,
    /// CloudFormation deployment roles it passes.
    pass: BTreeSet<String>,
    codecommit: bool,
    s3_source: bool,
    ecr: bool,
    sns: bool,
}

impl Role {
    fn new(arn: &str, account: &str, kind: Kind, team: &str) -> Role {
        let resource = arn.rsplit(':').next().unwrap_or_default();
        let path_and_name = resource.strip_prefix("role").unwrap_or("/");
        let (path, name) = match path_and_name.rfind('/') {
            Some(at) => (
                path_and_name[..=at].to_string(),
                path_and_name[at + 1..].to_string(),
            ),
            None => ("/".to_string(), path_and_name.to_string()),
        };
        Role {
            arn: arn.to_string(),
            account: account.to_string(),
            name,
            path,
            team: team.to_string(),
            kind,
            trusted: BTreeSet::new(),
            assumes: BTreeSet::new(),
            codebuild: BTreeSet::new(),
            cloudformation: false,
            codedeploy: false,
            ecs: false,
            lambda: false,
            s3_deploy: false,
            deploy_keys: BTreeSet::new(),
            pass: BTreeSet::new(),
            codecommit: false,
            s3_source: false,
            ecr: false,
            sns: false,
        }
    }
}

#[derive(Debug)]
struct Key {
    account: String,
    region: String,
    id: String,
    team: String,
    /// The pipeline roles of the pipelines whose store it encrypts.
    pipeline_roles: BTreeSet<String>,
}

/// The account of an ARN (`arn:aws:SERVICE:REGION:ACCOUNT:…`).
fn account_of(arn: &str) -> String {
    arn.split(':').nth(4).unwrap_or_default().to_string()
}

/// The key ARN of a store key, when the pipeline names it so (the graph asks KMS questions
/// only then).
fn key_arn(key: &str) -> Option<&str> {
    (key.starts_with("arn:aws:kms:") && key.contains(":key/")).then_some(key)
}

/// Everything the policies must allow, gathered over all pipelines.
struct Org<'w> {
    world: &'w World,
    roles: BTreeMap<String, Role>,
    /// Bucket name → its account.
    buckets: BTreeMap<String, String>,
    keys: BTreeMap<String, Key>,
    uses: BTreeSet<Use>,
    /// How many checks the graph asks per (principal, target, op): one per action.
    checks: BTreeMap<(String, String, Op), usize>,
}

impl<'w> Org<'w> {
    fn role(&mut self, arn: &str, account: &str, kind: Kind, team: &str) -> &mut Role {
        self.roles
            .entry(arn.to_string())
            .or_insert_with(|| Role::new(arn, account, kind, team))
    }

    #[allow(clippy::too_many_arguments)]
    fn use_(
        &mut self,
        op: Op,
        target: &str,
        principal: &str,
        account: &str,
        instance: bool,
        checked: bool,
    ) {
        if checked {
            *self
                .checks
                .entry((principal.to_string(), target.to_string(), op))
                .or_default() += 1;
        }
        self.uses.insert(Use {
            target: target.to_string(),
            op,
            account: account.to_string(),
            principal: principal.to_string(),
            instance,
            checked,
        });
    }

    /// The artifact accesses of one action, as `TrustGraph::ask_store` asks them (`checked`),
    /// or as a CodeBuild project's role makes them (not checked).
    #[allow(clippy::too_many_arguments)]
    fn store_uses(
        &mut self,
        action: &Action,
        principal: &str,
        account: &str,
        instance: bool,
        checked: bool,
        bucket: &str,
        key: Option<&str>,
    ) {
        let mut add = |op, target: &str| {
            self.use_(op, target, principal, account, instance, checked);
        };
        if !action.inputs.is_empty() {
            add(Op::Read, bucket);
            if let Some(key) = key {
                add(Op::Decrypt, key);
            }
        }
        if instance {
            return;
        }
        if !action.outputs.is_empty() {
            add(Op::Write, bucket);
            if let Some(key) = key {
                add(Op::Encrypt, key);
            }
        }
        if !action.inputs.is_empty() || !action.outputs.is_empty() {
            add(Op::List, bucket);
        }
        if action.category == "Source"
            && action.provider == "CodeCommit"
            && !action.outputs.is_empty()
        {
            add(Op::PutAcl, bucket);
        }
    }

    fn add(&mut self, model: &Model) {
        let team = self.world.teams[model.team].name.clone();
        let pipeline_role = model.role_arn.clone();
        let console = pipeline_role.contains(":role/service-role/");
        self.role(
            &pipeline_role,
            &model.home,
            Kind::Pipeline { console },
            &team,
        );
        for store in &model.stores {
            self.buckets
                .insert(store.bucket.clone(), model.home.clone());
            if let Some(arn) = key_arn(&store.key) {
                let mut parts = arn.split(':');
                let region = parts.nth(3).unwrap_or_default().to_string();
                let id = arn.rsplit('/').next().unwrap_or_default().to_string();
                self.keys
                    .entry(arn.to_string())
                    .or_insert_with(|| Key {
                        account: model.home.clone(),
                        region,
                        id,
                        team: team.clone(),
                        pipeline_roles: BTreeSet::new(),
                    })
                    .pipeline_roles
                    .insert(pipeline_role.clone());
            }
        }
        for action in model.stages.iter().flat_map(|stage| stage.actions.iter()) {
            let region = action.region.as_deref().unwrap_or(model.region);
            let (acting, account) = match &action.role_arn {
                Some(role) => (role.clone(), account_of(role)),
                None => (pipeline_role.clone(), model.home.clone()),
            };
            if action.role_arn.is_some() && acting != pipeline_role {
                self.role(&acting, &account, Kind::Cross, &team)
                    .trusted
                    .insert(pipeline_role.clone());
                self.role(
                    &pipeline_role,
                    &model.home,
                    Kind::Pipeline { console },
                    &team,
                )
                .assumes
                .insert(acting.clone());
            }
            let store = if model.multi_region {
                model.stores.iter().find(|store| store.region == region)
            } else {
                model.stores.first()
            };
            if let Some(store) = store {
                let key = key_arn(&store.key);
                // CodePipeline copies a cross-region action's inputs into its region's store
                // as the pipeline role.
                if model.multi_region && region != model.region && !action.inputs.is_empty() {
                    let home = model.home.clone();
                    self.use_(Op::Write, &store.bucket, &pipeline_role, &home, false, true);
                    if let Some(key) = key {
                        self.use_(Op::Encrypt, key, &pipeline_role, &home, false, true);
                    }
                }
                if action.provider == "CodeBuild" {
                    // The project's service role moves the artifacts; the acting role only
                    // starts the build.
                    let project =
                        format!("arn:aws:iam::{account}:role/{team}-codebuild-service-role");
                    self.role(&project, &account, Kind::Project, &team);
                    self.store_uses(action, &project, &account, false, false, &store.bucket, key);
                } else {
                    self.store_uses(action, &acting, &account, false, true, &store.bucket, key);
                }
                if action.provider == "CodeDeploy" {
                    let instance = format!("arn:aws:iam::{account}:role/{INSTANCE_ROLE}");
                    self.role(&instance, &account, Kind::Instance, "");
                    self.store_uses(action, &instance, &account, true, true, &store.bucket, key);
                }
            }
            let mut deploy_role = None;
            let role = self.role(&acting, &account, Kind::Cross, &team);
            match (action.category, action.provider) {
                (_, "CodeBuild") => {
                    role.codebuild.insert(region.to_string());
                }
                (_, "CloudFormation") => {
                    role.cloudformation = true;
                    // A deployment role in another account is XA203's finding; no pass then.
                    if let Some(deploy) = action
                        .config_value("RoleArn")
                        .filter(|arn| account_of(arn) == account)
                    {
                        role.pass.insert(deploy.clone());
                        deploy_role = Some(deploy.clone());
                    }
                }
                (_, "CodeDeploy") => role.codedeploy = true,
                (_, "ECS") => role.ecs = true,
                ("Deploy", "S3") => {
                    role.s3_deploy = true;
                    if let Some(key) = action.config_value("KMSEncryptionKeyARN") {
                        role.deploy_keys.insert(key.clone());
                    }
                }
                ("Invoke", "Lambda") => role.lambda = true,
                ("Source", "CodeCommit") => role.codecommit = true,
                ("Source", "S3") => role.s3_source = true,
                ("Source", "ECR") => role.ecr = true,
                ("Approval", _) => role.sns |= action.config_value("NotificationArn").is_some(),
                _ => {}
            }
            if let Some(deploy) = deploy_role {
                self.role(&deploy, &account, Kind::Deploy, &team);
            }
        }
    }

    /// The uses of `principal`, by op.
    fn uses_of(&self) -> BTreeMap<&str, BTreeMap<Op, BTreeSet<&str>>> {
        let mut out: BTreeMap<&str, BTreeMap<Op, BTreeSet<&str>>> = BTreeMap::new();
        for u in &self.uses {
            out.entry(u.principal.as_str())
                .or_default()
                .entry(u.op)
                .or_default()
                .insert(u.target.as_str());
        }
        out
    }
}

// ---------------------------------------------------------------------------------------------
// Policy documents, kept as structures until the mistakes are in.

#[derive(Clone, Debug)]
enum Principal {
    Everyone,
    Aws(Vec<String>),
    Service(&'static str),
}

#[derive(Clone, Debug)]
struct Stmt {
    sid: Option<String>,
    deny: bool,
    principal: Option<Principal>,
    action: Vec<String>,
    resource: Vec<String>,
    /// (operator, key, values)
    condition: Vec<(&'static str, String, Vec<String>)>,
}

fn allow(sid: &str, actions: &[&str], resources: Vec<String>) -> Stmt {
    Stmt {
        sid: (!sid.is_empty()).then(|| sid.to_string()),
        deny: false,
        principal: None,
        action: actions.iter().map(|a| a.to_string()).collect(),
        resource: resources,
        condition: Vec::new(),
    }
}

impl Stmt {
    fn by(mut self, principal: Principal) -> Stmt {
        self.principal = Some(principal);
        self
    }

    fn when(mut self, operator: &'static str, key: &str, values: Vec<String>) -> Stmt {
        self.condition.push((operator, key.to_string(), values));
        self
    }

    fn to_json(&self) -> J {
        let mut members = Vec::new();
        if let Some(sid) = &self.sid {
            members.push(("Sid".to_string(), s(sid)));
        }
        members.push((
            "Effect".to_string(),
            s(if self.deny { "Deny" } else { "Allow" }),
        ));
        match &self.principal {
            Some(Principal::Everyone) => members.push(("Principal".to_string(), s("*"))),
            Some(Principal::Aws(arns)) => {
                members.push(("Principal".to_string(), obj([("AWS", one_or_many(arns))])))
            }
            Some(Principal::Service(name)) => {
                members.push(("Principal".to_string(), obj([("Service", s(*name))])))
            }
            None => {}
        }
        members.push(("Action".to_string(), one_or_many(&self.action)));
        if !self.resource.is_empty() {
            members.push(("Resource".to_string(), one_or_many(&self.resource)));
        }
        if !self.condition.is_empty() {
            let mut by_operator: Vec<(String, J)> = Vec::new();
            for (operator, key, values) in &self.condition {
                let entry = (key.clone(), one_or_many(values));
                match by_operator.iter_mut().find(|(op, _)| op == operator) {
                    Some((_, J::Obj(keys))) => keys.push(entry),
                    _ => by_operator.push((operator.to_string(), J::Obj(vec![entry]))),
                }
            }
            members.push(("Condition".to_string(), J::Obj(by_operator)));
        }
        J::Obj(members)
    }
}

#[derive(Clone, Debug)]
struct Doc {
    id: Option<&'static str>,
    statements: Vec<Stmt>,
}

impl Doc {
    fn new(statements: Vec<Stmt>) -> Doc {
        Doc {
            id: None,
            statements,
        }
    }

    fn to_json(&self) -> J {
        let mut members = vec![("Version".to_string(), s("2012-10-17"))];
        if let Some(id) = self.id {
            members.push(("Id".to_string(), s(id)));
        }
        members.push((
            "Statement".to_string(),
            J::Arr(self.statements.iter().map(Stmt::to_json).collect()),
        ));
        J::Obj(members)
    }

    fn statement(&mut self, sid: &str) -> Option<&mut Stmt> {
        self.statements
            .iter_mut()
            .find(|st| st.sid.as_deref() == Some(sid))
    }

    /// True when a statement names an action of `service` (`sts:`), as the rules look for
    /// the policy to point at.
    fn grants_service(&self, prefix: &str) -> bool {
        self.statements.iter().any(|st| {
            st.action
                .iter()
                .any(|a| a.to_ascii_lowercase().starts_with(prefix))
        })
    }
}

/// The `get-role` facts beyond the trust policy.
#[derive(Clone, Debug)]
struct RoleMeta {
    name: String,
    path: String,
    arn: String,
    id: String,
    created: String,
    description: Option<String>,
    last_used: Option<(String, String)>,
}

#[derive(Clone, Debug)]
enum Shape {
    GetRole(RoleMeta),
    GetRolePolicy { role: String, policy: String },
    GetPolicyVersion { version: u64, created: String },
    BucketPolicy,
    KeyPolicy,
}

/// A policy file before it is printed.
#[derive(Clone, Debug)]
struct Draft {
    path: String,
    shape: Shape,
    doc: Doc,
    binding: Option<Binding>,
}

impl Draft {
    fn to_json(&self) -> String {
        let document = self.doc.to_json();
        let value = match &self.shape {
            Shape::GetRole(meta) => {
                let mut role = vec![
                    ("Path".to_string(), s(&meta.path)),
                    ("RoleName".to_string(), s(&meta.name)),
                    ("RoleId".to_string(), s(&meta.id)),
                    ("Arn".to_string(), s(&meta.arn)),
                    ("CreateDate".to_string(), s(&meta.created)),
                    ("AssumeRolePolicyDocument".to_string(), document),
                ];
                if let Some(description) = &meta.description {
                    role.push(("Description".to_string(), s(description)));
                }
                role.push(("MaxSessionDuration".to_string(), J::Int(3600)));
                if let Some((date, region)) = &meta.last_used {
                    role.push((
                        "RoleLastUsed".to_string(),
                        obj([("LastUsedDate", s(date)), ("Region", s(region))]),
                    ));
                }
                obj([("Role", J::Obj(role))])
            }
            Shape::GetRolePolicy { role, policy } => obj([
                ("RoleName", s(role)),
                ("PolicyName", s(policy)),
                ("PolicyDocument", document),
            ]),
            Shape::GetPolicyVersion { version, created } => obj([(
                "PolicyVersion",
                obj([
                    ("Document", document),
                    ("VersionId", s(format!("v{version}"))),
                    ("IsDefaultVersion", J::Bool(true)),
                    ("CreateDate", s(created)),
                ]),
            )]),
            // S3 hands the policy back as stored, on one line; KMS pretty-printed.
            Shape::BucketPolicy => obj([("Policy", s(to_compact(&document)))]),
            Shape::KeyPolicy => obj([
                ("Policy", s(to_pretty_inner(&document))),
                ("PolicyName", s("default")),
            ]),
        };
        to_pretty(&value)
    }

    fn public_shape(&self) -> PolicyShape {
        match self.shape {
            Shape::GetRole(_) => PolicyShape::GetRole,
            Shape::GetRolePolicy { .. } => PolicyShape::GetRolePolicy,
            Shape::GetPolicyVersion { .. } => PolicyShape::GetPolicyVersion,
            Shape::BucketPolicy => PolicyShape::BucketPolicy,
            Shape::KeyPolicy => PolicyShape::KeyPolicy,
        }
    }
}

fn date(rng: &mut Rng) -> String {
    format!(
        "{}-{:02}-{:02}T{:02}:{:02}:{:02}+00:00",
        rng.range(2019, 2024),
        rng.range(1, 12),
        rng.range(1, 28),
        rng.below(24),
        rng.below(60),
        rng.below(60)
    )
}

fn role_id(rng: &mut Rng) -> String {
    const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
    let mut id = String::from("AROA");
    for _ in 0..17 {
        id.push(char::from(ALPHABET[rng.below(ALPHABET.len())]));
    }
    id
}

fn objects(buckets: &BTreeSet<&str>) -> Vec<String> {
    buckets
        .iter()
        .map(|bucket| format!("arn:aws:s3:::{bucket}/*"))
        .collect()
}

fn bucket_arns(buckets: &BTreeSet<&str>) -> Vec<String> {
    buckets
        .iter()
        .map(|bucket| format!("arn:aws:s3:::{bucket}"))
        .collect()
}

/// The policy the console attaches to the service role it creates for a pipeline (from the
/// CodePipeline user guide, "CodePipeline service role policy"): broad, on `*`.
fn console_service_policy() -> Doc {
    let star = || vec!["*".to_string()];
    Doc::new(vec![
        allow("", &["iam:PassRole"], star()).when(
            "StringEqualsIfExists",
            "iam:PassedToService",
            [
                "cloudformation.amazonaws.com",
                "elasticbeanstalk.amazonaws.com",
                "ec2.amazonaws.com",
                "ecs-tasks.amazonaws.com",
            ]
            .map(String::from)
            .to_vec(),
        ),
        allow(
            "",
            &[
                "codecommit:CancelUploadArchive",
                "codecommit:GetBranch",
                "codecommit:GetCommit",
                "codecommit:GetRepository",
                "codecommit:GetUploadArchiveStatus",
                "codecommit:UploadArchive",
            ],
            star(),
        ),
        allow(
            "",
            &[
                "codedeploy:CreateDeployment",
                "codedeploy:GetApplication",
                "codedeploy:GetApplicationRevision",
                "codedeploy:GetDeployment",
                "codedeploy:GetDeploymentConfig",
                "codedeploy:RegisterApplicationRevision",
            ],
            star(),
        ),
        allow("", &["codestar-connections:UseConnection"], star()),
        allow(
            "",
            &[
                "elasticbeanstalk:*",
                "ec2:*",
                "elasticloadbalancing:*",
                "autoscaling:*",
                "cloudwatch:*",
                "s3:*",
                "sns:*",
                "cloudformation:*",
                "rds:*",
                "sqs:*",
                "ecs:*",
            ],
            star(),
        ),
        allow(
            "",
            &["lambda:InvokeFunction", "lambda:ListFunctions"],
            star(),
        ),
        allow(
            "",
            &[
                "codebuild:BatchGetBuilds",
                "codebuild:StartBuild",
                "codebuild:BatchGetBuildBatches",
                "codebuild:StartBuildBatch",
            ],
            star(),
        ),
        allow("", &["cloudformation:ValidateTemplate"], star()),
        allow("", &["ecr:DescribeImages"], star()),
        allow(
            "",
            &[
                "states:DescribeExecution",
                "states:DescribeStateMachine",
                "states:StartExecution",
            ],
            star(),
        ),
    ])
}

const KMS_USE: &[&str] = &[
    "kms:Decrypt",
    "kms:DescribeKey",
    "kms:GenerateDataKey*",
    "kms:Encrypt",
    "kms:ReEncrypt*",
];

/// Builds every policy file, unmutated.
struct Writer<'o, 'w> {
    org: &'o Org<'w>,
    seed: u64,
    uses: BTreeMap<&'o str, BTreeMap<Op, BTreeSet<&'o str>>>,
    drafts: Vec<Draft>,
    /// Role ARN → its identity policy files, and its trust policy file.
    identity_files: BTreeMap<String, Vec<String>>,
    trust_file: BTreeMap<String, String>,
    bucket_file: BTreeMap<String, String>,
    key_file: BTreeMap<String, String>,
}

fn folder(world: &World, account: &str) -> String {
    let tooling = world.pool[..world.tooling].iter().any(|a| a == account);
    if tooling {
        format!("tools-{account}")
    } else {
        format!("workload-{account}")
    }
}

impl<'o> Writer<'o, '_> {
    fn ops(&self, principal: &str, ops: &[Op]) -> BTreeSet<&'o str> {
        let Some(by_op) = self.uses.get(principal) else {
            return BTreeSet::new();
        };
        ops.iter()
            .filter_map(|op| by_op.get(op))
            .flatten()
            .copied()
            .collect()
    }

    fn push(&mut self, draft: Draft) {
        self.drafts.push(draft);
    }

    fn get_role(&mut self, role: &Role, trust: Stmt, description: Option<String>) {
        let mut rng = Rng::keyed(self.seed, &["role", &role.arn]);
        let meta = RoleMeta {
            name: role.name.clone(),
            path: role.path.clone(),
            arn: role.arn.clone(),
            id: role_id(&mut rng),
            created: date(&mut rng),
            description,
            last_used: rng
                .chance(70)
                .then(|| (date(&mut rng), rng.pick(crate::corpus::REGIONS).to_string())),
        };
        let path = format!(
            "{}/iam/{}.json",
            folder(self.org.world, &role.account),
            role.name
        );
        self.trust_file.insert(role.arn.clone(), path.clone());
        self.push(Draft {
            path,
            shape: Shape::GetRole(meta),
            doc: Doc::new(vec![trust]),
            binding: None,
        });
    }

    fn role_policy(&mut self, role: &Role, suffix: &str, policy_name: &str, doc: Doc) {
        let path = format!(
            "{}/iam/{}-{suffix}.json",
            folder(self.org.world, &role.account),
            role.name
        );
        self.identity_files
            .entry(role.arn.clone())
            .or_default()
            .push(path.clone());
        self.push(Draft {
            path,
            shape: Shape::GetRolePolicy {
                role: role.name.clone(),
                policy: policy_name.to_string(),
            },
            doc,
            binding: None,
        });
    }

    fn service_trust(service: &'static str) -> Stmt {
        allow("", &["sts:AssumeRole"], Vec::new()).by(Principal::Service(service))
    }

    fn pipeline_role(&mut self, role: &Role, console: bool) {
        let mut rng = Rng::keyed(self.seed, &["pipeline-role-style", &role.arn]);
        let description =
            (!console).then(|| format!("Service role of the {} pipelines", role.team));
        self.get_role(
            role,
            Self::service_trust("codepipeline.amazonaws.com"),
            description,
        );
        let objects_of = self.ops(&role.arn, &[Op::Read, Op::Write, Op::PutAcl]);
        let listed = self.ops(&role.arn, &[Op::List]);
        let keys = self.ops(&role.arn, &[Op::Decrypt, Op::Encrypt]);
        let account = &role.account;
        let team = &role.team;
        let mut statements = Vec::new();
        if !console {
            if !objects_of.is_empty() {
                statements.push(allow(
                    "ArtifactBuckets",
                    &[
                        "s3:GetObject",
                        "s3:GetObjectVersion",
                        "s3:GetBucketVersioning",
                        "s3:PutObject",
                        "s3:PutObjectAcl",
                    ],
                    objects(&objects_of),
                ));
            }
            if !listed.is_empty() {
                statements.push(allow(
                    "ListArtifactBuckets",
                    &["s3:ListBucket", "s3:GetBucketLocation"],
                    bucket_arns(&listed),
                ));
            }
            if role.s3_source {
                statements.push(allow(
                    "SourceBuckets",
                    &[
                        "s3:GetObject",
                        "s3:GetObjectVersion",
                        "s3:GetBucketVersioning",
                    ],
                    vec![
                        format!("arn:aws:s3:::{team}-pipeline-sources-*"),
                        format!("arn:aws:s3:::{team}-pipeline-sources-*/*"),
                    ],
                ));
            }
        }
        if !keys.is_empty() {
            statements.push(allow(
                "ArtifactKeys",
                KMS_USE,
                keys.iter().map(|k| k.to_string()).collect(),
            ));
        }
        if !console {
            if role.codecommit {
                statements.push(allow(
                    "CodeCommitSources",
                    &[
                        "codecommit:GetBranch",
                        "codecommit:GetCommit",
                        "codecommit:GetRepository",
                        "codecommit:UploadArchive",
                        "codecommit:GetUploadArchiveStatus",
                        "codecommit:CancelUploadArchive",
                    ],
                    vec![format!("arn:aws:codecommit:*:{account}:{team}-*")],
                ));
            }
            if role.ecr {
                statements.push(allow(
                    "EcrSources",
                    &["ecr:DescribeImages"],
                    vec!["*".to_string()],
                ));
            }
            if !role.codebuild.is_empty() {
                statements.push(allow(
                    "Builds",
                    &["codebuild:StartBuild", "codebuild:BatchGetBuilds"],
                    role.codebuild
                        .iter()
                        .map(|region| {
                            format!("arn:aws:codebuild:{region}:{account}:project/{team}-*")
                        })
                        .collect(),
                ));
            }
            if role.lambda {
                statements.push(allow(
                    "Notifications",
                    &["lambda:InvokeFunction"],
                    vec![format!("arn:aws:lambda:*:{account}:function:{team}-*")],
                ));
                // The user guide: "make sure the policy for the role allows the
                // lambda:InvokeFunction and lambda:ListFunctions permissions".
                statements.push(allow(
                    "ListFunctions",
                    &["lambda:ListFunctions"],
                    vec!["*".to_string()],
                ));
            }
            if role.sns {
                statements.push(allow(
                    "Approvals",
                    &["sns:Publish"],
                    vec![format!("arn:aws:sns:*:{account}:{team}-*")],
                ));
            }
            if role.cloudformation {
                statements.push(allow(
                    "Stacks",
                    &[
                        "cloudformation:DescribeStacks",
                        "cloudformation:CreateStack",
                        "cloudformation:UpdateStack",
                        "cloudformation:DeleteStack",
                        "cloudformation:DescribeChangeSet",
                        "cloudformation:CreateChangeSet",
                        "cloudformation:DeleteChangeSet",
                        "cloudformation:ExecuteChangeSet",
                    ],
                    vec![format!(
                        "arn:aws:cloudformation:*:{account}:stack/{team}-*/*"
                    )],
                ));
            }
        }
        if !role.assumes.is_empty() {
            // Either the roles by ARN, or every role of the accounts (as the walkthrough).
            let resources: BTreeSet<String> = if rng.chance(50) {
                role.assumes.iter().cloned().collect()
            } else {
                role.assumes
                    .iter()
                    .map(|arn| format!("arn:aws:iam::{}:role/*", account_of(arn)))
                    .collect()
            };
            statements.push(allow(
                "AssumeCrossAccountRoles",
                &["sts:AssumeRole"],
                resources.into_iter().collect(),
            ));
        }
        if console {
            let created = date(&mut rng);
            let path = format!(
                "{}/iam/{}-service-policy.json",
                folder(self.org.world, account),
                role.name
            );
            self.identity_files
                .entry(role.arn.clone())
                .or_default()
                .push(path.clone());
            self.push(Draft {
                path,
                shape: Shape::GetPolicyVersion {
                    version: rng.range(1, 4) as u64,
                    created,
                },
                doc: console_service_policy(),
                binding: Some(Binding::Role(role.arn.clone())),
            });
            if !statements.is_empty() {
                self.role_policy(
                    role,
                    "cross-account",
                    "CrossAccountAccess",
                    Doc::new(statements),
                );
            }
        } else {
            let name = format!("{}-policy", role.name);
            self.role_policy(role, "policy", &name, Doc::new(statements));
        }
    }

    fn cross_role(&mut self, role: &Role) {
        let mut rng = Rng::keyed(self.seed, &["cross-role-style", &role.arn]);
        let home = role
            .trusted
            .iter()
            .next()
            .map(|arn| account_of(arn))
            .unwrap_or_default();
        let trust = if role.trusted.len() <= TRUSTED_BY_NAME && rng.chance(80) {
            allow("", &["sts:AssumeRole"], Vec::new())
                .by(Principal::Aws(role.trusted.iter().cloned().collect()))
        } else {
            let patterns: BTreeSet<String> = role
                .trusted
                .iter()
                .map(|arn| {
                    if arn.contains(":role/service-role/") {
                        format!(
                            "arn:aws:iam::{}:role/service-role/AWSCodePipelineServiceRole-*",
                            account_of(arn)
                        )
                    } else {
                        format!(
                            "arn:aws:iam::{}:role/{}-*-codepipeline-role",
                            account_of(arn),
                            role.team
                        )
                    }
                })
                .collect();
            allow("", &["sts:AssumeRole"], Vec::new())
                .by(Principal::Aws(vec![format!("arn:aws:iam::{home}:root")]))
                .when(
                    "ArnLike",
                    "aws:PrincipalArn",
                    patterns.into_iter().collect(),
                )
        };
        self.get_role(
            role,
            trust,
            Some(format!(
                "Assumed by the {} pipelines of account {home}",
                role.team
            )),
        );
        let objects_of = self.ops(&role.arn, &[Op::Read, Op::Write, Op::PutAcl]);
        let listed = self.ops(&role.arn, &[Op::List]);
        if !objects_of.is_empty() || !listed.is_empty() {
            let mut statements = Vec::new();
            if !objects_of.is_empty() {
                statements.push(allow(
                    "PipelineArtifacts",
                    &["s3:GetObject*", "s3:PutObject", "s3:PutObjectAcl"],
                    objects(&objects_of),
                ));
            }
            if !listed.is_empty() {
                statements.push(allow(
                    "ListPipelineArtifacts",
                    &["s3:ListBucket"],
                    bucket_arns(&listed),
                ));
            }
            self.role_policy(role, "artifacts", "PipelineArtifacts", Doc::new(statements));
        }
        let keys = self.ops(&role.arn, &[Op::Decrypt, Op::Encrypt]);
        if !keys.is_empty() {
            let mut statement = allow(
                "PipelineArtifactKeys",
                KMS_USE,
                keys.iter().map(|k| k.to_string()).collect(),
            );
            if rng.chance(30) {
                // Only through S3, in the regions of the keys.
                let services: BTreeSet<String> = keys
                    .iter()
                    .map(|k| {
                        format!(
                            "s3.{}.amazonaws.com",
                            k.split(':').nth(3).unwrap_or_default()
                        )
                    })
                    .collect();
                statement = statement.when(
                    "StringEquals",
                    "kms:ViaService",
                    services.into_iter().collect(),
                );
            }
            self.role_policy(
                role,
                "kms",
                "PipelineArtifactKey",
                Doc::new(vec![statement]),
            );
        }
        let account = &role.account;
        let team = &role.team;
        let mut statements = Vec::new();
        if role.cloudformation {
            statements.push(allow(
                "Stacks",
                &[
                    "cloudformation:DescribeStacks",
                    "cloudformation:CreateStack",
                    "cloudformation:UpdateStack",
                    "cloudformation:DeleteStack",
                    "cloudformation:DescribeChangeSet",
                    "cloudformation:CreateChangeSet",
                    "cloudformation:DeleteChangeSet",
                    "cloudformation:ExecuteChangeSet",
                    "cloudformation:SetStackPolicy",
                ],
                vec![format!(
                    "arn:aws:cloudformation:*:{account}:stack/{team}-*/*"
                )],
            ));
        }
        if !role.pass.is_empty() {
            let mut statement = allow(
                "PassDeploymentRole",
                &["iam:PassRole"],
                role.pass.iter().cloned().collect(),
            );
            if rng.chance(50) {
                statement = statement.when(
                    "StringEquals",
                    "iam:PassedToService",
                    vec!["cloudformation.amazonaws.com".to_string()],
                );
            }
            statements.push(statement);
        }
        if role.codedeploy {
            statements.push(allow(
                "Deployments",
                &[
                    "codedeploy:CreateDeployment",
                    "codedeploy:GetDeployment",
                    "codedeploy:GetDeploymentConfig",
                    "codedeploy:GetApplication",
                    "codedeploy:GetApplicationRevision",
                    "codedeploy:RegisterApplicationRevision",
                ],
                vec![
                    format!("arn:aws:codedeploy:*:{account}:deploymentgroup:{team}-*"),
                    format!("arn:aws:codedeploy:*:{account}:application:{team}-*"),
                    format!("arn:aws:codedeploy:*:{account}:deploymentconfig:*"),
                ],
            ));
        }
        if !role.codebuild.is_empty() {
            statements.push(allow(
                "Tests",
                &["codebuild:StartBuild", "codebuild:BatchGetBuilds"],
                vec![format!("arn:aws:codebuild:*:{account}:project/{team}-*")],
            ));
        }
        if role.ecs {
            statements.push(allow(
                "Services",
                &[
                    "ecs:DescribeServices",
                    "ecs:DescribeTaskDefinition",
                    "ecs:DescribeTasks",
                    "ecs:ListTasks",
                    "ecs:RegisterTaskDefinition",
                    "ecs:TagResource",
                    "ecs:UpdateService",
                ],
                vec!["*".to_string()],
            ));
            statements.push(
                allow(
                    "PassTaskRoles",
                    &["iam:PassRole"],
                    vec![
                        format!("arn:aws:iam::{account}:role/{team}-*-task-role"),
                        format!("arn:aws:iam::{account}:role/ecsTaskExecutionRole"),
                    ],
                )
                .when(
                    "StringEquals",
                    "iam:PassedToService",
                    vec!["ecs-tasks.amazonaws.com".to_string()],
                ),
            );
        }
        if role.s3_deploy {
            statements.push(allow(
                "PublishSites",
                &["s3:PutObject", "s3:PutObjectAcl", "s3:GetBucketLocation"],
                vec![
                    format!("arn:aws:s3:::{team}-*"),
                    format!("arn:aws:s3:::{team}-*/*"),
                ],
            ));
            if !role.deploy_keys.is_empty() {
                statements.push(allow(
                    "EncryptPublishedObjects",
                    &["kms:GenerateDataKey", "kms:Encrypt"],
                    role.deploy_keys.iter().cloned().collect(),
                ));
            }
        }
        if role.lambda {
            statements.push(allow(
                "Tests",
                &["lambda:InvokeFunction"],
                vec![format!("arn:aws:lambda:*:{account}:function:{team}-*")],
            ));
            statements.push(allow(
                "ListFunctions",
                &["lambda:ListFunctions"],
                vec!["*".to_string()],
            ));
        }
        // Two statements may not share a Sid.
        let mut seen = BTreeSet::new();
        for statement in &mut statements {
            if let Some(sid) = &statement.sid {
                if !seen.insert(sid.clone()) {
                    statement.sid = Some(format!("{sid}{}", seen.len()));
                }
            }
        }
        if !statements.is_empty() {
            self.role_policy(role, "deploy", "DeployAccess", Doc::new(statements));
        }
    }

    fn instance_role(&mut self, role: &Role) {
        self.get_role(
            role,
            Self::service_trust("ec2.amazonaws.com"),
            Some("Instance profile role of the CodeDeploy fleets".to_string()),
        );
        let read = self.ops(&role.arn, &[Op::Read]);
        if !read.is_empty() {
            self.role_policy(
                role,
                "artifacts",
                "PipelineArtifactBucket",
                Doc::new(vec![
                    allow("", &["s3:Get*"], objects(&read)),
                    allow("", &["s3:ListBucket"], bucket_arns(&read)),
                ]),
            );
        }
        let keys = self.ops(&role.arn, &[Op::Decrypt]);
        if !keys.is_empty() {
            self.role_policy(
                role,
                "kms",
                "PipelineArtifactKey",
                Doc::new(vec![allow(
                    "",
                    &["kms:DescribeKey", "kms:Decrypt"],
                    keys.iter().map(|k| k.to_string()).collect(),
                )]),
            );
        }
    }

    fn project_role(&mut self, role: &Role) {
        self.get_role(
            role,
            Self::service_trust("codebuild.amazonaws.com"),
            Some(format!(
                "Service role of the {} CodeBuild projects",
                role.team
            )),
        );
        let account = &role.account;
        let team = &role.team;
        let objects_of = self.ops(&role.arn, &[Op::Read, Op::Write]);
        let keys = self.ops(&role.arn, &[Op::Decrypt, Op::Encrypt]);
        let mut statements = vec![allow(
            "Logs",
            &[
                "logs:CreateLogGroup",
                "logs:CreateLogStream",
                "logs:PutLogEvents",
            ],
            vec![format!(
                "arn:aws:logs:*:{account}:log-group:/aws/codebuild/{team}-*"
            )],
        )];
        if !objects_of.is_empty() {
            statements.push(allow(
                "PipelineArtifacts",
                &[
                    "s3:GetObject",
                    "s3:GetObjectVersion",
                    "s3:PutObject",
                    "s3:GetBucketAcl",
                    "s3:GetBucketLocation",
                ],
                objects(&objects_of)
                    .into_iter()
                    .chain(bucket_arns(&objects_of))
                    .collect(),
            ));
        }
        if !keys.is_empty() {
            statements.push(allow(
                "PipelineArtifactKeys",
                KMS_USE,
                keys.iter().map(|k| k.to_string()).collect(),
            ));
        }
        self.role_policy(role, "policy", "CodeBuildBasePolicy", Doc::new(statements));
    }

    fn deploy_role(&mut self, role: &Role) {
        self.get_role(
            role,
            Self::service_trust("cloudformation.amazonaws.com"),
            Some(format!("Deploys the {} stacks", role.team)),
        );
    }

    /// Foreign principals of a bucket or key (not of its own account), by account.
    fn foreign(&self, target: &str, owner: &str) -> BTreeMap<&'o str, BTreeSet<&'o str>> {
        let mut out: BTreeMap<&str, BTreeSet<&str>> = BTreeMap::new();
        let from = Use {
            target: target.to_string(),
            op: Op::Read,
            account: String::new(),
            principal: String::new(),
            instance: false,
            checked: false,
        };
        for u in self.org.uses.range(from..) {
            if u.target != target {
                break;
            }
            if u.account != owner {
                out.entry(u.account.as_str())
                    .or_default()
                    .insert(u.principal.as_str());
            }
        }
        out
    }

    fn bucket(&mut self, bucket: &str, owner: &str) {
        let mut rng = Rng::keyed(self.seed, &["bucket-style", bucket]);
        let objects = format!("arn:aws:s3:::{bucket}/*");
        let mut statements = vec![
            Stmt {
                deny: true,
                ..allow(
                    "DenyUnEncryptedObjectUploads",
                    &["s3:PutObject"],
                    vec![objects.clone()],
                )
                .by(Principal::Everyone)
                .when(
                    "StringNotEquals",
                    "s3:x-amz-server-side-encryption",
                    vec!["aws:kms".to_string()],
                )
            },
            Stmt {
                deny: true,
                ..allow("DenyInsecureConnections", &["s3:*"], vec![objects.clone()])
                    .by(Principal::Everyone)
                    .when("Bool", "aws:SecureTransport", vec!["false".to_string()])
            },
        ];
        let foreign = self.foreign(bucket, owner);
        if !foreign.is_empty() {
            // By account (as the walkthrough) or by role.
            let principals: Vec<String> = if rng.chance(70) {
                foreign
                    .keys()
                    .map(|account| format!("arn:aws:iam::{account}:root"))
                    .collect()
            } else {
                foreign
                    .values()
                    .flatten()
                    .map(|arn| arn.to_string())
                    .collect()
            };
            statements.push(
                allow(
                    "CrossAccountArtifacts",
                    &["s3:Get*", "s3:Put*"],
                    vec![objects],
                )
                .by(Principal::Aws(principals.clone())),
            );
            statements.push(
                allow(
                    "CrossAccountList",
                    &["s3:ListBucket"],
                    vec![format!("arn:aws:s3:::{bucket}")],
                )
                .by(Principal::Aws(principals)),
            );
        }
        let path = format!("{}/s3/{bucket}.json", folder(self.org.world, owner));
        self.bucket_file.insert(bucket.to_string(), path.clone());
        self.push(Draft {
            path,
            shape: Shape::BucketPolicy,
            doc: Doc {
                id: Some("SSEAndSSLPolicy"),
                statements,
            },
            binding: None,
        });
    }

    fn key(&mut self, arn: &str, key: &Key) {
        let root = format!("arn:aws:iam::{}:root", key.account);
        let mut users: Vec<String> = Vec::new();
        if key.pipeline_roles.len() <= KEY_USERS_BY_NAME {
            users.extend(key.pipeline_roles.iter().cloned());
        }
        users.extend(
            self.foreign(arn, &key.account)
                .keys()
                .map(|account| format!("arn:aws:iam::{account}:root")),
        );
        let mut statements = vec![
            allow(
                "Enable IAM User Permissions",
                &["kms:*"],
                vec!["*".to_string()],
            )
            .by(Principal::Aws(vec![root])),
            allow(
                "Allow access for Key Administrators",
                &[
                    "kms:Create*",
                    "kms:Describe*",
                    "kms:Enable*",
                    "kms:List*",
                    "kms:Put*",
                    "kms:Update*",
                    "kms:Revoke*",
                    "kms:Disable*",
                    "kms:Get*",
                    "kms:Delete*",
                    "kms:TagResource",
                    "kms:UntagResource",
                    "kms:ScheduleKeyDeletion",
                    "kms:CancelKeyDeletion",
                ],
                vec!["*".to_string()],
            )
            .by(Principal::Aws(vec![format!(
                "arn:aws:iam::{}:role/Admin",
                key.account
            )])),
        ];
        if !users.is_empty() {
            statements.push(
                allow(
                    "Allow use of the key",
                    &[
                        "kms:Encrypt",
                        "kms:Decrypt",
                        "kms:ReEncrypt*",
                        "kms:GenerateDataKey*",
                        "kms:DescribeKey",
                    ],
                    vec!["*".to_string()],
                )
                .by(Principal::Aws(users.clone())),
            );
            statements.push(
                allow(
                    "Allow attachment of persistent resources",
                    &["kms:CreateGrant", "kms:ListGrants", "kms:RevokeGrant"],
                    vec!["*".to_string()],
                )
                .by(Principal::Aws(users))
                .when(
                    "Bool",
                    "kms:GrantIsForAWSResource",
                    vec!["true".to_string()],
                ),
            );
        }
        let path = format!(
            "{}/kms/{}-{}.json",
            folder(self.org.world, &key.account),
            key.region,
            key.id
        );
        self.key_file.insert(arn.to_string(), path.clone());
        self.push(Draft {
            path,
            shape: Shape::KeyPolicy,
            doc: Doc {
                id: Some("key-consolepolicy-3"),
                statements,
            },
            binding: Some(Binding::Key(arn.to_string())),
        });
    }
}

/// The policy files of a corpus, with their mistakes.
pub(crate) struct Policies {
    pub(crate) files: Vec<GeneratedPolicy>,
    pub(crate) bindings: Vec<(String, Binding)>,
    pub(crate) mistakes: Vec<InjectedPolicyMistake>,
}

/// Writes the policies around `models` and injects a mistake into `mistake_percent` percent
/// of the shared documents that can hold one.
pub(crate) fn build(world: &World, models: &[Model], mistake_percent: u64) -> Policies {
    let mut org = Org {
        world,
        roles: BTreeMap::new(),
        buckets: BTreeMap::new(),
        keys: BTreeMap::new(),
        uses: BTreeSet::new(),
        checks: BTreeMap::new(),
    };
    for model in models {
        org.add(model);
    }
    let mut writer = Writer {
        org: &org,
        seed: world.seed,
        uses: org.uses_of(),
        drafts: Vec::new(),
        identity_files: BTreeMap::new(),
        trust_file: BTreeMap::new(),
        bucket_file: BTreeMap::new(),
        key_file: BTreeMap::new(),
    };
    for role in org.roles.values() {
        match role.kind {
            Kind::Pipeline { console } => writer.pipeline_role(role, console),
            Kind::Cross => writer.cross_role(role),
            Kind::Instance => writer.instance_role(role),
            Kind::Project => writer.project_role(role),
            Kind::Deploy => writer.deploy_role(role),
        }
    }
    for (bucket, owner) in &org.buckets {
        writer.bucket(bucket, owner);
    }
    for (arn, key) in &org.keys {
        writer.key(arn, key);
    }
    let mut injector = Injector {
        org: &org,
        seed: world.seed,
        index: writer
            .drafts
            .iter()
            .enumerate()
            .map(|(i, d)| (d.path.clone(), i))
            .collect(),
        drafts: writer.drafts,
        identity_files: writer.identity_files,
        trust_file: writer.trust_file,
        bucket_file: writer.bucket_file,
        key_file: writer.key_file,
        claimed: BTreeSet::new(),
        mistakes: Vec::new(),
    };
    debug_assert_eq!(
        injector.index.len(),
        injector.drafts.len(),
        "paths are unique"
    );
    injector.inject_all(mistake_percent.min(100));
    let Injector {
        mut drafts,
        mistakes,
        ..
    } = injector;
    drafts.sort_by(|a, b| Path::new(&a.path).cmp(Path::new(&b.path)));
    let bindings = drafts
        .iter()
        .filter_map(|d| d.binding.clone().map(|b| (d.path.clone(), b)))
        .collect();
    let files = drafts
        .iter()
        .map(|d| GeneratedPolicy {
            name: d.path.clone(),
            json: d.to_json(),
            shape: d.public_shape(),
        })
        .collect();
    Policies {
        files,
        bindings,
        mistakes,
    }
}

/// Injects the policy mistakes and works out which findings each must cause.
struct Injector<'o, 'w> {
    org: &'o Org<'w>,
    seed: u64,
    drafts: Vec<Draft>,
    index: BTreeMap<String, usize>,
    identity_files: BTreeMap<String, Vec<String>>,
    trust_file: BTreeMap<String, String>,
    bucket_file: BTreeMap<String, String>,
    key_file: BTreeMap<String, String>,
    /// XA507 reports an instance role once per kind of access, whatever the bucket or key:
    /// two mistakes must not both count on the same report.
    claimed: BTreeSet<(String, Op)>,
    mistakes: Vec<InjectedPolicyMistake>,
}

impl Injector<'_, '_> {
    fn draft(&mut self, path: &str) -> &mut Draft {
        let i = self.index[path];
        &mut self.drafts[i]
    }

    /// Accounts other than `owner` whose action roles (not instance roles) do one of `ops` on
    /// `target` in a check the trust graph asks.
    fn foreign_accounts(&self, target: &str, owner: &str, ops: &[Op]) -> BTreeSet<String> {
        self.org
            .uses
            .iter()
            .filter(|u| {
                u.checked
                    && u.target == target
                    && u.account != owner
                    && !u.instance
                    && ops.contains(&u.op)
            })
            .map(|u| u.account.clone())
            .collect()
    }

    fn instance_does(&self, target: &str, account: &str, op: Op) -> Option<String> {
        self.org
            .uses
            .iter()
            .find(|u| u.target == target && u.account == account && u.instance && u.op == op)
            .map(|u| u.principal.clone())
    }

    /// The policy a finding about `role`'s identity policies points at: the first of its
    /// files (in discovery order) that names an action of one of `services`, else its first
    /// (`WorkspaceContext::identity_policy_granting`).
    fn identity_anchor(&self, role: &str, services: &[&str]) -> String {
        let mut files = self.identity_files.get(role).cloned().unwrap_or_default();
        files.sort_by(|a, b| Path::new(a).cmp(Path::new(b)));
        services
            .iter()
            .find_map(|service| {
                files.iter().find(|f| {
                    self.drafts[self.index[f.as_str()]]
                        .doc
                        .grants_service(service)
                })
            })
            .or(files.first())
            .cloned()
            .unwrap_or_default()
    }

    fn record(
        &mut self,
        mistake: PolicyMistake,
        file: &str,
        detail: String,
        expected: Vec<(String, &'static str)>,
    ) {
        self.mistakes.push(InjectedPolicyMistake {
            mistake,
            file: file.to_string(),
            detail,
            expected,
            known_issue: Vec::new(),
        });
    }

    fn inject_all(&mut self, percent: u64) {
        if percent == 0 {
            return;
        }
        let org = self.org;
        for (bucket, owner) in &org.buckets {
            let mut rng = Rng::keyed(self.seed, &["policy-mistake", bucket]);
            if rng.chance(percent) {
                self.bucket_grant_removed(&mut rng, bucket, owner);
            }
        }
        for (arn, key) in &org.keys {
            let mut rng = Rng::keyed(self.seed, &["policy-mistake", arn]);
            if rng.chance(percent) {
                self.key_grant_removed(&mut rng, arn, &key.account);
            }
        }
        for role in org.roles.values() {
            let mut rng = Rng::keyed(self.seed, &["policy-mistake", &role.arn]);
            if !rng.chance(percent) {
                continue;
            }
            match role.kind {
                Kind::Pipeline { .. } => self.assume_removed(&mut rng, role),
                Kind::Cross => {
                    let first = rng.below(3);
                    for offset in 0..3 {
                        let done = match (first + offset) % 3 {
                            0 => self.trust_names_other_account(&mut rng, role),
                            1 => self.pass_role_removed(role),
                            _ => self.key_named_by_alias(&mut rng, role),
                        };
                        if done {
                            break;
                        }
                    }
                }
                Kind::Instance | Kind::Project | Kind::Deploy => {}
            }
        }
    }

    /// A foreign account of `target` to take a grant from, with the CodeDeploy instance role
    /// of that account that the removal would also break (for `op`), if any: only accounts
    /// whose instance role no other mistake has claimed yet, so each recorded finding has one
    /// cause.
    fn grant_to_remove(
        &self,
        rng: &mut Rng,
        target: &str,
        owner: &str,
        ops: &[Op],
        op: Op,
    ) -> Option<(String, Option<String>)> {
        let candidates: Vec<(String, Option<String>)> = self
            .foreign_accounts(target, owner, ops)
            .into_iter()
            .map(|account| {
                let instance = self.instance_does(target, &account, op);
                (account, instance)
            })
            .filter(|(_, instance)| {
                !matches!(instance, Some(i) if self.claimed.contains(&(i.clone(), op)))
            })
            .collect();
        if candidates.is_empty() {
            return None;
        }
        Some(candidates[rng.below(candidates.len())].clone())
    }

    fn bucket_grant_removed(&mut self, rng: &mut Rng, bucket: &str, owner: &str) {
        let Some((account, instance)) =
            self.grant_to_remove(rng, bucket, owner, &[Op::Read, Op::Write], Op::Read)
        else {
            return;
        };
        let file = self.bucket_file[bucket].clone();
        let marker = format!(":{account}:");
        let statement = self.draft(&file).doc.statement("CrossAccountArtifacts");
        let Some(Stmt {
            principal: Some(Principal::Aws(principals)),
            ..
        }) = statement
        else {
            return;
        };
        principals.retain(|p| !p.contains(&marker));
        if principals.is_empty() {
            self.draft(&file)
                .doc
                .statements
                .retain(|st| st.sid.as_deref() != Some("CrossAccountArtifacts"));
        }
        let mut expected = vec![(file.clone(), "XA401")];
        if let Some(instance) = instance {
            self.claimed.insert((instance, Op::Read));
            expected.push((file.clone(), "XA507"));
        }
        self.record(
            PolicyMistake::BucketGrantRemoved,
            &file,
            format!("the grant of s3:Get*/s3:Put* to account {account} is gone"),
            expected,
        );
    }

    fn key_grant_removed(&mut self, rng: &mut Rng, arn: &str, owner: &str) {
        let Some((account, instance)) =
            self.grant_to_remove(rng, arn, owner, &[Op::Decrypt, Op::Encrypt], Op::Decrypt)
        else {
            return;
        };
        let file = self.key_file[arn].clone();
        let root = format!("arn:aws:iam::{account}:root");
        let doc = &mut self.draft(&file).doc;
        for sid in [
            "Allow use of the key",
            "Allow attachment of persistent resources",
        ] {
            if let Some(Stmt {
                principal: Some(Principal::Aws(principals)),
                ..
            }) = doc.statement(sid)
            {
                principals.retain(|p| *p != root);
            }
        }
        doc.statements.retain(|st| {
            !matches!(&st.principal, Some(Principal::Aws(principals)) if principals.is_empty())
        });
        let mut expected = vec![(file.clone(), "XA311")];
        if let Some(instance) = instance {
            self.claimed.insert((instance, Op::Decrypt));
            expected.push((file.clone(), "XA507"));
        }
        self.record(
            PolicyMistake::KeyGrantRemoved,
            &file,
            format!("\"Allow use of the key\" no longer names account {account}"),
            expected,
        );
    }

    fn assume_removed(&mut self, rng: &mut Rng, role: &Role) {
        let accounts: BTreeSet<String> = role.assumes.iter().map(|a| account_of(a)).collect();
        let accounts: Vec<String> = accounts.into_iter().collect();
        if accounts.is_empty() {
            return;
        }
        let account = accounts[rng.below(accounts.len())].clone();
        let Some(file) = self.identity_files.get(&role.arn).and_then(|files| {
            files
                .iter()
                .find(|f| {
                    self.drafts[self.index[f.as_str()]]
                        .doc
                        .statements
                        .iter()
                        .any(|st| st.sid.as_deref() == Some("AssumeCrossAccountRoles"))
                })
                .cloned()
        }) else {
            return;
        };
        let marker = format!(":{account}:");
        let doc = &mut self.draft(&file).doc;
        if let Some(statement) = doc.statement("AssumeCrossAccountRoles") {
            statement.resource.retain(|r| !r.contains(&marker));
        }
        doc.statements.retain(|st| {
            !(st.sid.as_deref() == Some("AssumeCrossAccountRoles") && st.resource.is_empty())
        });
        let anchor = self.identity_anchor(&role.arn, &["sts:"]);
        self.record(
            PolicyMistake::AssumeRoleRemoved,
            &file,
            format!(
                "`{}` may no longer assume the roles of account {account}",
                role.name
            ),
            vec![(anchor, "XA501")],
        );
    }

    fn trust_names_other_account(&mut self, rng: &mut Rng, role: &Role) -> bool {
        let Some(file) = self.trust_file.get(&role.arn).cloned() else {
            return false;
        };
        let home = role
            .trusted
            .iter()
            .next()
            .map(|arn| account_of(arn))
            .unwrap_or_default();
        // The role the team used before it moved to this tooling account, say.
        let world = self.org.world;
        let others: Vec<&String> = world.pool[..world.tooling]
            .iter()
            .filter(|a| **a != home)
            .chain(
                world.pool[world.tooling..]
                    .iter()
                    .filter(|a| **a != role.account),
            )
            .collect();
        let Some(other) = others.first().map(|a| a.to_string()) else {
            return false;
        };
        let pick = rng.below(role.trusted.len().max(1));
        let Some(statement) = self.draft(&file).doc.statements.first_mut() else {
            return false;
        };
        let Some(Principal::Aws(principals)) = &mut statement.principal else {
            return false;
        };
        let from = format!(":{home}:");
        let to = format!(":{other}:");
        let detail;
        if statement.condition.is_empty() {
            // By ARN: one pipeline role is named in the wrong account.
            let at = pick.min(principals.len().saturating_sub(1));
            let Some(entry) = principals.get_mut(at) else {
                return false;
            };
            detail = format!("the trust names `{entry}` in account {other}");
            *entry = entry.replace(&from, &to);
        } else {
            // Through the account: the wrong account.
            for entry in principals.iter_mut() {
                *entry = entry.replace(&from, &to);
            }
            for (_, _, values) in &mut statement.condition {
                for value in values.iter_mut() {
                    *value = value.replace(&from, &to);
                }
            }
            detail = format!("the trust names account {other} instead of {home}");
        }
        self.record(
            PolicyMistake::TrustNamesOtherAccount,
            &file,
            detail,
            vec![(file.clone(), "XA502")],
        );
        true
    }

    fn pass_role_removed(&mut self, role: &Role) -> bool {
        if role.pass.is_empty() {
            return false;
        }
        let Some(file) = self
            .identity_files
            .get(&role.arn)
            .and_then(|files| files.iter().find(|f| f.ends_with("-deploy.json")).cloned())
        else {
            return false;
        };
        self.draft(&file)
            .doc
            .statements
            .retain(|st| st.sid.as_deref() != Some("PassDeploymentRole"));
        let anchor = self.identity_anchor(&role.arn, &["iam:", "cloudformation:"]);
        self.record(
            PolicyMistake::PassRoleRemoved,
            &file,
            format!(
                "`{}` may no longer pass its CloudFormation deployment role",
                role.name
            ),
            vec![(anchor, "XA505")],
        );
        true
    }

    fn key_named_by_alias(&mut self, rng: &mut Rng, role: &Role) -> bool {
        let keys: Vec<String> = self
            .org
            .uses
            .iter()
            .filter(|u| {
                u.checked
                    && u.principal == role.arn
                    && !u.instance
                    && matches!(u.op, Op::Decrypt | Op::Encrypt)
            })
            .map(|u| u.target.clone())
            .collect::<BTreeSet<_>>()
            .into_iter()
            .collect();
        if keys.is_empty() {
            return false;
        }
        let Some(file) = self
            .identity_files
            .get(&role.arn)
            .and_then(|files| files.iter().find(|f| f.ends_with("-kms.json")).cloned())
        else {
            return false;
        };
        let key = keys[rng.below(keys.len())].clone();
        let Some(info) = self.org.keys.get(&key) else {
            return false;
        };
        let alias = format!(
            "arn:aws:kms:{}:{}:alias/{}-pipeline-artifacts",
            info.region, info.account, info.team
        );
        let Some(statement) = self.draft(&file).doc.statement("PipelineArtifactKeys") else {
            return false;
        };
        for resource in &mut statement.resource {
            if *resource == key {
                resource.clone_from(&alias);
            }
        }
        self.record(
            PolicyMistake::KeyNamedByAlias,
            &file,
            format!("the policy names the key `{key}` by its alias `{alias}`"),
            vec![(file.clone(), "XA312")],
        );
        // A known xacct issue: XA313 leaves out only the first check XA312 explains (XA312
        // reports a value once), so a role that uses the key in more than one action also
        // gets XA313, at the first of its policies that grants `kms:` actions.
        let checks: usize = [Op::Decrypt, Op::Encrypt]
            .iter()
            .map(|op| {
                self.org
                    .checks
                    .get(&(role.arn.clone(), key.clone(), *op))
                    .copied()
                    .unwrap_or(0)
            })
            .sum();
        if checks > 1 {
            let anchor = self.identity_anchor(&role.arn, &["kms:"]);
            if let Some(last) = self.mistakes.last_mut() {
                last.known_issue.push((anchor, "XA313"));
            }
        }
        true
    }
}
