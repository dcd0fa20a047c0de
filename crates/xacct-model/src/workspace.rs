//! The workspace: every pipeline and policy of a lint run, with each policy tied to the role,
//! bucket or key it governs. Rules ask the workspace; nothing here reads files.

use std::collections::HashMap;
use std::path::Path;

use xacct_syntax::FileId;

use crate::accounts::Accounts;
use crate::api::ShapeIssue;
use crate::arn::{AccountId, Arn};
use crate::pipeline::PipelineDocument;
use crate::policy::PolicyDocument;
use crate::policy_file::{BoundaryRef, PolicyEntry, PolicyKind, Subject};

/// What a file is declared to govern in the config (`[[bind]]`), when its content cannot say.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Binding {
    /// The file holds policies of this role (trust or identity, told apart by content).
    Role(String),
    /// The file holds the policy of this bucket.
    Bucket(String),
    /// The file holds the policy of this key (key ARN).
    Key(String),
    /// The file holds the managed policy with this ARN (a permissions boundary's document).
    Policy(String),
    /// The file holds an SCP or RCP that applies to these accounts.
    Accounts(Vec<AccountId>),
}

/// What a policy governs, once resolved.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Governs {
    /// The trust policy of the role with this ARN.
    RoleTrust(String),
    /// An identity policy of the role with this ARN.
    RoleIdentity(String),
    /// The policy of the bucket with this name.
    Bucket(String),
    /// The policy of the key with this ARN.
    Key(String),
    /// The managed policy with this ARN: the permissions boundary of the roles that name it.
    ManagedPolicy(String),
    /// The grants of the key with this ARN.
    KeyGrants(String),
    /// The resource policy of the EventBridge event bus with this ARN.
    EventBus(String),
    /// The resource policy of the Lambda function (or version, or alias) with this ARN.
    Function(String),
    /// An SCP or RCP attached to these accounts, each with the root, OU or account ID it is
    /// attached at when known (the level it takes in the organization).
    Organization(Vec<(AccountId, Option<String>)>),
}

/// A pipeline of the workspace.
#[derive(Clone, Debug)]
pub struct PipelineUnit {
    /// Its file.
    pub file: FileId,
    /// The declaration.
    pub doc: PipelineDocument,
    /// Where it and its actions run.
    pub accounts: Accounts,
    /// Departures from the API model.
    pub shape_issues: Vec<ShapeIssue>,
}

/// A bucket's object ownership setting (`aws s3api get-bucket-ownership-controls` output).
#[derive(Debug)]
pub struct OwnershipUnit {
    /// Its file.
    pub file: FileId,
    /// The bucket, from the config's `[[bind]]` (the output does not name it).
    pub bucket: Option<String>,
    /// `BucketOwnerEnforced`, `BucketOwnerPreferred` or `ObjectWriter`.
    pub ownership: crate::pipeline::Spanned<String>,
}

/// The region a bucket is in (`aws s3api get-bucket-location`, a template's or a Terraform
/// provider's region for the bucket it creates).
#[derive(Clone, Debug)]
pub struct BucketRegionUnit {
    /// Its file.
    pub file: FileId,
    /// The bucket, when the input names it (else the config's `[[bind]]`).
    pub bucket: Option<String>,
    /// The region, where it is written (or where the bucket is declared).
    pub region: crate::pipeline::Spanned<String>,
}

/// The account a bucket is in, where the input that declares it says (a Terraform
/// `aws_s3_bucket` or `aws_s3_bucket_policy` created through a provider of a known account).
#[derive(Clone, Debug)]
pub struct BucketAccountUnit {
    /// Its file.
    pub file: FileId,
    /// The bucket.
    pub bucket: String,
    /// Its account.
    pub account: AccountId,
}

/// A CodeBuild project as far as the artifacts it writes are concerned
/// (`aws codebuild batch-get-projects`, `AWS::CodeBuild::Project`, `aws_codebuild_project`):
/// CodeBuild encrypts a build's output artifacts with the project's encryption key.
#[derive(Clone, Debug)]
pub struct BuildProject {
    /// The project's name, where it is written.
    pub name: crate::pipeline::Spanned<String>,
    /// Its account, when the input says (the project ARN; else the file's account).
    pub account: Option<AccountId>,
    /// Its region, when the input says (the project ARN).
    pub region: Option<String>,
    /// The encryption key as written (key ARN, alias ARN, `alias/…`, key ID). `None` when the
    /// project names none: CodeBuild then uses the AWS managed key `alias/aws/s3` of the
    /// project's account.
    pub encryption_key: Option<crate::pipeline::Spanned<String>>,
    /// The service role CodeBuild runs the build with (`serviceRole`, `ServiceRole`,
    /// `service_role`): an ARN, or a name of the project's account. It downloads the input
    /// artifacts and uploads the outputs. `None` when the input does not say.
    pub service_role: Option<crate::pipeline::Spanned<String>>,
}

impl BuildProject {
    /// The ARN of the service role, a name taken as a role of the project's account; `None`
    /// when unknown, not known before deployment, or neither an ARN nor a plain name.
    pub fn service_role_arn(&self) -> Option<(String, AccountId)> {
        let text = self.service_role.as_ref()?.value.as_str();
        if crate::symbol::has_variable(text) {
            return None;
        }
        if text.starts_with("arn:") {
            let account = Arn::parse(text).ok()?.account_id()?;
            return Some((text.to_string(), account));
        }
        let account = self.account?;
        (!text.is_empty() && !text.contains([':', '/']))
            .then(|| (format!("arn:aws:iam::{account}:role/{text}"), account))
    }

    /// True when the project's key is the AWS managed key for S3 (none named, or
    /// `alias/aws/s3` in any form), which only its own account can use.
    pub fn uses_aws_managed_key(&self) -> bool {
        self.encryption_key
            .as_ref()
            .is_none_or(|k| k.value == "alias/aws/s3" || k.value.ends_with(":alias/aws/s3"))
    }
}

/// A CodeBuild project with the file it is declared in.
#[derive(Clone, Debug)]
pub struct BuildProjectUnit {
    /// Its file.
    pub file: FileId,
    /// The project.
    pub project: BuildProject,
}

/// A KMS alias and the key it names (`aws kms list-aliases`, `AWS::KMS::Alias`,
/// `aws_kms_alias`). An alias lives in its key's account and region, so both are the key
/// ARN's. Only an alias whose key ARN is fully known is kept: a guessed key is no fix.
#[derive(Clone, Debug)]
pub struct KeyAlias {
    /// `alias/NAME`, where the input writes it.
    pub name: crate::pipeline::Spanned<String>,
    /// The account of the alias and its key.
    pub account: AccountId,
    /// The region of the alias and its key.
    pub region: String,
    /// The key ARN the alias names.
    pub key_arn: String,
}

impl KeyAlias {
    /// The alias `name` (`alias/NAME`) of the key `key_arn`; `None` unless the name is an alias
    /// name and the key ARN names its account, region and key ID (no placeholder, no
    /// variable): unknown stays unknown.
    pub fn new(name: crate::pipeline::Spanned<String>, key_arn: &str) -> Option<KeyAlias> {
        if !name.value.starts_with("alias/")
            || name.value.len() <= "alias/".len()
            || crate::symbol::has_variable(&name.value)
            || crate::symbol::has_variable(key_arn)
        {
            return None;
        }
        match crate::KeyRef::parse(key_arn).ok()? {
            crate::KeyRef::KeyArn {
                region,
                account: Some(account),
                ..
            } if !region.is_empty() => Some(KeyAlias {
                name,
                account,
                region,
                key_arn: key_arn.to_string(),
            }),
            _ => None,
        }
    }
}

/// A KMS alias with the file it is declared in.
#[derive(Clone, Debug)]
pub struct AliasUnit {
    /// Its file.
    pub file: FileId,
    /// The alias.
    pub alias: KeyAlias,
}

/// A role's permissions boundary, as a file of the workspace names it.
#[derive(Debug)]
pub struct BoundaryUnit {
    /// The file that names it.
    pub file: FileId,
    /// The role and the managed policy.
    pub boundary: BoundaryRef,
}

/// What the run's templates and configurations (files that are deployed) create, for the
/// order they must be deployed in: a policy naming a role of another account fails until that
/// role exists.
#[derive(Debug, Default)]
pub struct Declarations {
    /// The files that are deployed (a CloudFormation template, a Terraform configuration).
    files: std::collections::HashSet<FileId>,
    /// The roles they create: (file, ARN spanned at the definition).
    roles: Vec<(FileId, crate::pipeline::Spanned<String>)>,
    /// The first definition of each role, by [`role_key`].
    by_role: HashMap<String, usize>,
    /// Each deployed file's stack name, when known.
    names: HashMap<FileId, String>,
    /// The stacks (by name) each deployed file is known to be deployed after.
    after: HashMap<FileId, Vec<String>>,
}

impl Declarations {
    /// Adds a deployed file, the roles it creates, its stack's name and the stacks it is
    /// deployed after, where known.
    pub fn add(
        &mut self,
        file: FileId,
        roles: Vec<crate::pipeline::Spanned<String>>,
        name: Option<String>,
        after: Vec<String>,
    ) {
        self.files.insert(file);
        if let Some(name) = name {
            self.names.insert(file, name);
        }
        if !after.is_empty() {
            self.after.insert(file, after);
        }
        for arn in roles {
            self.by_role
                .entry(role_key(&arn.value))
                .or_insert(self.roles.len());
            self.roles.push((file, arn));
        }
    }

    /// Forgets what `file` declared (before it is added again as it is now).
    pub fn remove(&mut self, file: FileId) {
        self.files.remove(&file);
        self.names.remove(&file);
        self.after.remove(&file);
        if self.roles.iter().any(|(f, _)| *f == file) {
            self.roles.retain(|(f, _)| *f != file);
            self.by_role.clear();
            for (i, (_, arn)) in self.roles.iter().enumerate() {
                self.by_role.entry(role_key(&arn.value)).or_insert(i);
            }
        }
    }

    /// True when the inputs say `later` is deployed after `first` (a CDK manifest's
    /// `dependencies`).
    pub fn deployed_after(&self, later: FileId, first: FileId) -> bool {
        let (Some(name), Some(after)) = (self.names.get(&first), self.after.get(&later)) else {
            return false;
        };
        after.contains(name)
    }

    /// True when `file` is deployed (a template or configuration).
    pub fn is_deployed(&self, file: FileId) -> bool {
        self.files.contains(&file)
    }

    /// Where a role is created, when a deployed file of the run creates it: the file and its
    /// ARN spanned at the definition.
    pub fn role(&self, arn: &str) -> Option<(FileId, &crate::pipeline::Spanned<String>)> {
        let (file, arn) = self.roles.get(*self.by_role.get(&role_key(arn))?)?;
        Some((*file, arn))
    }
}

/// A policy of the workspace.
#[derive(Debug)]
pub struct PolicyUnit {
    /// Its file.
    pub file: FileId,
    /// The account its file belongs to by folder convention, when the path says.
    pub account: Option<AccountId>,
    /// The policy as read.
    pub entry: PolicyEntry,
    /// What it governs; `None` when neither the file nor the config says (XA003 info).
    pub governs: Option<Governs>,
}

impl PolicyUnit {
    /// The document.
    pub fn document(&self) -> &PolicyDocument {
        &self.entry.document
    }
}

/// The SCPs (`true`) or RCPs (`false`) of each account: their indexes in the workspace's
/// policies, with the level each is attached at when known.
type OrganizationIndex = HashMap<(AccountId, bool), Vec<(usize, Option<String>)>>;

/// Every pipeline and policy of a run, indexed by what the policies govern.
#[derive(Debug, Default)]
pub struct Workspace {
    /// The pipelines.
    pub pipelines: Vec<PipelineUnit>,
    /// The policies.
    pub policies: Vec<PolicyUnit>,
    /// Bucket ownership settings.
    pub ownership: Vec<OwnershipUnit>,
    /// What CodeDeploy deploys to: deployment groups, instances, Auto Scaling groups, launch
    /// templates and configurations, instance profiles.
    pub compute: crate::compute::Compute,
    /// Roles' permissions boundaries.
    pub boundaries: Vec<BoundaryUnit>,
    /// CodeBuild projects (their encryption keys).
    pub projects: Vec<BuildProjectUnit>,
    /// ECS services and task definitions (the roles an ECS deploy action passes).
    pub ecs: crate::ecs::Ecs,
    /// The regions buckets are in.
    pub bucket_regions: Vec<BucketRegionUnit>,
    /// The accounts buckets are in, where the inputs that declare them say.
    pub bucket_accounts: Vec<BucketAccountUnit>,
    /// KMS aliases and the keys they name.
    pub aliases: Vec<AliasUnit>,
    /// EventBridge rules (source triggers) and their targets.
    pub event_rules: Vec<crate::events::EventRuleUnit>,
    /// What templates and configurations create: the files that are deployed, and the roles
    /// they create.
    pub declarations: Declarations,
    index: HashMap<Governs, Vec<usize>>,
    /// The SCPs (`true`) and RCPs (`false`) of each account, with their levels.
    organization: OrganizationIndex,
    /// The boundary of each role, by its normalized ARN (the first a file names).
    boundary_of: HashMap<String, usize>,
    /// True when some policy is a KMS grant.
    grants: bool,
    /// The account of each artifact bucket, from the first pipeline (with a known account)
    /// that stores in it.
    store_accounts: HashMap<String, AccountId>,
    /// The account of each bucket of `bucket_accounts` (the first a file says).
    declared_accounts: HashMap<String, AccountId>,
}

impl Workspace {
    /// True when `file` added units besides pipelines and policies (the counterpart of
    /// `xacct_input::Documents::beyond_pipelines_and_policies`; a new kind of unit belongs in
    /// both).
    pub fn holds_other_units(&self, file: FileId) -> bool {
        self.ownership.iter().any(|u| u.file == file)
            || self.compute.mentions_file(file)
            || self.boundaries.iter().any(|u| u.file == file)
            || self.projects.iter().any(|u| u.file == file)
            || self.ecs.mentions_file(file)
            || self.bucket_regions.iter().any(|u| u.file == file)
            || self.bucket_accounts.iter().any(|u| u.file == file)
            || self.aliases.iter().any(|u| u.file == file)
            || self.event_rules.iter().any(|u| u.file == file)
    }

    /// Builds the index. Call after all units are in.
    pub fn new(
        pipelines: Vec<PipelineUnit>,
        policies: Vec<PolicyUnit>,
        ownership: Vec<OwnershipUnit>,
    ) -> Workspace {
        let mut workspace = Workspace {
            pipelines,
            policies,
            ownership,
            ..Workspace::default()
        };
        workspace.reindex();
        workspace
    }

    /// Builds the indexes again from the units, after some were replaced in place (the
    /// language server swaps a changed file's pipelines and policies).
    pub fn reindex(&mut self) {
        let mut index: HashMap<Governs, Vec<usize>> = HashMap::new();
        let mut organization = OrganizationIndex::new();
        for (i, policy) in self.policies.iter().enumerate() {
            match &policy.governs {
                Some(Governs::Organization(accounts)) => {
                    let scp = policy.entry.kind == Some(PolicyKind::ServiceControl);
                    for (account, level) in accounts {
                        organization
                            .entry((*account, scp))
                            .or_default()
                            .push((i, level.clone()));
                    }
                }
                Some(governs) => index.entry(normalize(governs)).or_default().push(i),
                None => {}
            }
        }
        // Artifact buckets' accounts, once: XA405 asks per S3 deploy action.
        let mut store_accounts: HashMap<String, AccountId> = HashMap::new();
        for unit in &self.pipelines {
            let Some(account) = unit.accounts.pipeline_account() else {
                continue;
            };
            let pipeline = &unit.doc.pipeline;
            let stores = pipeline.stores();
            for location in stores.filter_map(|s| s.location.as_ref()) {
                store_accounts
                    .entry(location.value.to_string())
                    .or_insert(account);
            }
        }
        self.grants = policies_have_grants(&self.policies);
        self.index = index;
        self.organization = organization;
        self.store_accounts = store_accounts;
        self.index_bucket_accounts();
        self.boundary_of = HashMap::new();
        for (i, unit) in self.boundaries.iter().enumerate() {
            self.boundary_of
                .entry(role_key(&unit.boundary.role.value))
                .or_insert(i);
        }
    }

    /// Adds what the files declare of deployment groups and their instances.
    pub fn with_compute(mut self, compute: crate::compute::Compute) -> Workspace {
        self.compute = compute;
        self
    }

    /// Adds the regions the run's inputs say its buckets are in.
    pub fn with_bucket_regions(mut self, regions: Vec<BucketRegionUnit>) -> Workspace {
        self.bucket_regions = regions;
        self
    }

    /// Adds the accounts the run's inputs say its buckets are in.
    pub fn with_bucket_accounts(mut self, accounts: Vec<BucketAccountUnit>) -> Workspace {
        self.bucket_accounts = accounts;
        self.index_bucket_accounts();
        self
    }

    /// Indexes the accounts of `bucket_accounts` by bucket (the first a file says).
    fn index_bucket_accounts(&mut self) {
        self.declared_accounts = HashMap::new();
        for unit in &self.bucket_accounts {
            self.declared_accounts
                .entry(unit.bucket.clone())
                .or_insert(unit.account);
        }
    }

    /// Adds the KMS aliases of the run.
    pub fn with_aliases(mut self, aliases: Vec<AliasUnit>) -> Workspace {
        self.aliases = aliases;
        self
    }

    /// The alias `name` (`alias/NAME`) of `account` in `region`: the one an alias there
    /// resolves to. `None` when the inputs hold no such alias, or aliases of that name for
    /// different keys (an account has one alias of a name per region: the inputs disagree, or
    /// one is stale, and the run cannot tell which). The same alias told twice (a template and
    /// the `list-aliases` output of its stack) is one.
    pub fn alias(&self, name: &str, account: AccountId, region: &str) -> Option<&AliasUnit> {
        let mut fits = self.aliases.iter().filter(|u| {
            u.alias.name.value == name && u.alias.account == account && u.alias.region == region
        });
        let first = fits.next()?;
        fits.all(|u| u.alias.key_arn == first.alias.key_arn)
            .then_some(first)
    }

    /// Adds what the run's templates and configurations create.
    pub fn with_declarations(mut self, declarations: Declarations) -> Workspace {
        self.declarations = declarations;
        self
    }

    /// Adds the EventBridge rules of the run.
    pub fn with_event_rules(mut self, rules: Vec<crate::events::EventRuleUnit>) -> Workspace {
        self.event_rules = rules;
        self
    }

    /// Adds the CodeBuild projects of the run.
    pub fn with_projects(mut self, projects: Vec<BuildProjectUnit>) -> Workspace {
        self.projects = projects;
        self
    }

    /// Adds the ECS services and task definitions of the run.
    pub fn with_ecs(mut self, ecs: crate::ecs::Ecs) -> Workspace {
        self.ecs = ecs;
        self
    }

    /// The CodeBuild project `name` of `account` (and `region`, when both are known): the one
    /// a CodeBuild action in that account names. `None` when the inputs hold no such project
    /// or more than one that fits.
    pub fn project(
        &self,
        name: &str,
        account: AccountId,
        region: Option<&str>,
    ) -> Option<&BuildProjectUnit> {
        let mut fits = self.projects.iter().filter(|p| {
            p.project.name.value == name
                && p.project.account == Some(account)
                && match (region, p.project.region.as_deref()) {
                    (Some(a), Some(b)) => a == b,
                    _ => true,
                }
        });
        let first = fits.next()?;
        fits.next().is_none().then_some(first)
    }

    /// True when the run holds anything beyond roles' and resources' own policies: SCPs, RCPs,
    /// permissions boundaries, KMS grants. Most runs hold none, and then no question needs to
    /// look for them.
    pub fn has_bounds(&self) -> bool {
        !self.organization.is_empty() || !self.boundaries.is_empty() || self.grants
    }

    /// Adds the permissions boundaries the files name.
    pub fn with_boundaries(mut self, boundaries: Vec<BoundaryUnit>) -> Workspace {
        self.boundary_of = HashMap::new();
        for (i, unit) in boundaries.iter().enumerate() {
            self.boundary_of
                .entry(role_key(&unit.boundary.role.value))
                .or_insert(i);
        }
        self.boundaries = boundaries;
        self
    }

    /// The permissions boundary of a role, when a file names one.
    pub fn boundary_of(&self, role: &str) -> Option<&BoundaryUnit> {
        self.boundary_of
            .get(&role_key(role))
            .map(|&i| &self.boundaries[i])
    }

    /// The SCPs (`scp`) or RCPs of an account, with the level each is attached at when known,
    /// in the order they were added.
    pub fn organization_policies(
        &self,
        account: AccountId,
        scp: bool,
    ) -> impl Iterator<Item = (usize, &PolicyUnit, Option<&str>)> {
        self.organization
            .get(&(account, scp))
            .into_iter()
            .flatten()
            .map(|(i, level)| (*i, &self.policies[*i], level.as_deref()))
    }

    /// The policies that govern `what`.
    pub fn governing(&self, what: &Governs) -> impl Iterator<Item = &PolicyUnit> {
        self.governing_indexed(what).map(|(_, unit)| unit)
    }

    /// The policies that govern `what`, with their indexes in [`Workspace::policies`], in
    /// the order they were added. A hash lookup: rules and the graph ask this per question, so
    /// it must not scan the policies.
    pub fn governing_indexed(&self, what: &Governs) -> impl Iterator<Item = (usize, &PolicyUnit)> {
        self.index
            .get(&normalize(what))
            .into_iter()
            .flatten()
            .map(|&i| (i, &self.policies[i]))
    }

    /// True when the workspace holds any policy at all: rules that need policies stay silent
    /// on a run of pipelines alone.
    pub fn has_policies(&self) -> bool {
        !self.policies.is_empty()
    }

    /// The pipeline account of the first pipeline (with a known account) whose artifact store
    /// `bucket` is.
    pub fn store_account(&self, bucket: &str) -> Option<AccountId> {
        self.store_accounts.get(bucket).copied()
    }

    /// The account that owns a bucket, when the run says: the pipeline account of a pipeline
    /// whose artifact store it is, else the account of the input that declares it (a
    /// Terraform bucket or bucket policy created through a provider of a known account), else
    /// the folder of a file holding its policy.
    pub fn bucket_account(&self, bucket: &str) -> Option<AccountId> {
        self.store_account(bucket)
            .or_else(|| self.declared_accounts.get(bucket).copied())
            .or_else(|| {
                self.governing(&Governs::Bucket(bucket.to_string()))
                    .find_map(|p| p.account)
            })
    }
}

/// True when some policy is a KMS grant tied to its key.
fn policies_have_grants(policies: &[PolicyUnit]) -> bool {
    policies
        .iter()
        .any(|p| matches!(p.governs, Some(Governs::KeyGrants(_))))
}

/// Roles are indexed by account and lower-cased name: a role name is unique in its account
/// whatever its path and case, so `role/service-role/Pipeline` in a pipeline and
/// `role/Pipeline` in a config binding are the same role.
fn normalize(governs: &Governs) -> Governs {
    match governs {
        Governs::RoleTrust(arn) => Governs::RoleTrust(role_key(arn)),
        Governs::RoleIdentity(arn) => Governs::RoleIdentity(role_key(arn)),
        other => other.clone(),
    }
}

/// A role ARN as an index key: its account and lower-cased name (the path left out, as the
/// policies governing a role are found whatever path an ARN names it with).
pub fn role_key(arn: &str) -> String {
    match Arn::parse(arn) {
        Ok(a) if a.service == "iam" => {
            let name = a.resource.rsplit('/').next().unwrap_or(a.resource);
            format!("{}:{}", a.account, name.to_ascii_lowercase())
        }
        _ => arn.to_string(),
    }
}

/// The account a path names by folder convention: a component that is twelve digits, or ends
/// in `-` and twelve digits (`prod-444455556666/`).
pub fn account_of_path(path: &Path) -> Option<AccountId> {
    path.parent()?.components().rev().find_map(|c| {
        let name = c.as_os_str().to_str()?;
        let digits = name.rsplit('-').next()?;
        AccountId::parse(digits)
    })
}

/// Decides what a policy governs: the file's own word first, then the config's binding, then
/// the folder convention for role names.
pub fn resolve_governs(
    entry: &PolicyEntry,
    binding: Option<&Binding>,
    path: &Path,
) -> Option<Governs> {
    let kind = entry.kind;
    if kind.is_some_and(PolicyKind::is_organization) {
        return organization_governs(entry, binding);
    }
    let from_file = match (&entry.subject, kind) {
        (Some(Subject::Key(key)), Some(PolicyKind::Grant)) => Some(Governs::KeyGrants(key.clone())),
        (Some(Subject::ManagedPolicy(arn)), _) => Some(Governs::ManagedPolicy(arn.value.clone())),
        (Some(Subject::RoleArn(arn)), Some(PolicyKind::Trust)) => {
            Some(Governs::RoleTrust(arn.value.clone()))
        }
        (Some(Subject::RoleArn(arn)), Some(PolicyKind::Identity)) => {
            Some(Governs::RoleIdentity(arn.value.clone()))
        }
        (Some(Subject::Bucket(bucket)), _) => Some(Governs::Bucket(bucket.clone())),
        (Some(Subject::Key(key)), _) => Some(Governs::Key(key.clone())),
        (Some(Subject::EventBus(arn)), _) => Some(Governs::EventBus(arn.clone())),
        (Some(Subject::Function(arn)), _) => Some(Governs::Function(arn.clone())),
        _ => None,
    };
    if from_file.is_some() {
        return from_file;
    }
    match binding {
        Some(Binding::Role(arn)) => match kind {
            Some(PolicyKind::Trust) => Some(Governs::RoleTrust(arn.clone())),
            _ => Some(Governs::RoleIdentity(arn.clone())),
        },
        Some(Binding::Bucket(bucket)) => Some(Governs::Bucket(bucket.clone())),
        Some(Binding::Key(key)) if kind == Some(PolicyKind::Grant) => {
            Some(Governs::KeyGrants(key.clone()))
        }
        Some(Binding::Key(key)) => Some(Governs::Key(key.clone())),
        Some(Binding::Policy(arn)) => Some(Governs::ManagedPolicy(arn.clone())),
        // Accounts are for SCPs and RCPs only: another policy stays tied to nothing.
        Some(Binding::Accounts(_)) => None,
        None => match (&entry.subject, kind) {
            (Some(Subject::RoleName(name)), Some(PolicyKind::Identity)) => {
                let account = account_of_path(path)?;
                Some(Governs::RoleIdentity(format!(
                    "arn:aws:iam::{account}:role/{}",
                    name.value
                )))
            }
            _ => None,
        },
    }
}

/// The accounts an SCP or RCP applies to: the account IDs among a template's `TargetIds`
/// (each its own level), and the accounts the config binds the file to (at the level of the
/// one root or OU the template names, if it names exactly one; at an unknown level otherwise).
fn organization_governs(entry: &PolicyEntry, binding: Option<&Binding>) -> Option<Governs> {
    let targets: &[crate::pipeline::Spanned<String>] = match &entry.subject {
        Some(Subject::Targets(targets)) => targets,
        _ => &[],
    };
    let mut accounts: Vec<(AccountId, Option<String>)> = Vec::new();
    let mut above = Vec::new();
    for target in targets {
        match AccountId::parse(&target.value) {
            Some(account) => accounts.push((account, Some(target.value.clone()))),
            None => above.push(target.value.as_str()),
        }
    }
    if let Some(Binding::Accounts(bound)) = binding {
        let level = match above.as_slice() {
            [one] => Some(one.to_string()),
            _ => None,
        };
        for account in bound {
            if !accounts.iter().any(|(a, _)| a == account) {
                accounts.push((*account, level.clone()));
            }
        }
    }
    (!accounts.is_empty()).then_some(Governs::Organization(accounts))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn folder_convention() {
        let id = |s| AccountId::parse(s);
        assert_eq!(
            account_of_path(Path::new("accounts/444455556666/role.json")),
            id("444455556666")
        );
        assert_eq!(
            account_of_path(Path::new("prod-444455556666/iam/role.json")),
            id("444455556666")
        );
        assert_eq!(account_of_path(Path::new("prod/role.json")), None);
        assert_eq!(account_of_path(Path::new("444455556666.json")), None);
    }

    #[test]
    fn an_alias_is_known_once_per_account_and_region() {
        let key = |n: u8| {
            format!("arn:aws:kms:us-east-2:111111111111:key/{n}234abcd-12ab-34cd-56ef-1234567890ab")
        };
        let unit = |name: &str, arn: &str| AliasUnit {
            file: FileId(0),
            alias: KeyAlias::new(
                crate::pipeline::Spanned::new(name.to_string(), xacct_syntax::Span::empty(0)),
                arn,
            )
            .unwrap(),
        };
        let account = AccountId::parse("111111111111").unwrap();
        let workspace = Workspace::default().with_aliases(vec![
            unit("alias/a", &key(1)),
            unit("alias/a", &key(1)),
            unit("alias/b", &key(1)),
            unit("alias/b", &key(2)),
        ]);
        let found = |name: &str, region: &str| {
            workspace
                .alias(name, account, region)
                .map(|u| u.alias.key_arn.clone())
        };
        assert_eq!(found("alias/a", "us-east-2"), Some(key(1)));
        assert_eq!(found("alias/a", "us-west-2"), None);
        assert_eq!(found("alias/b", "us-east-2"), None);
        assert_eq!(found("alias/c", "us-east-2"), None);
        // Nothing but a key ARN known in full makes an alias.
        let span = xacct_syntax::Span::empty(0);
        let named = |name: &str| crate::pipeline::Spanned::new(name.to_string(), span);
        assert!(KeyAlias::new(
            named("alias/a"),
            "arn:aws:kms:us-east-2:${AWS::AccountId}:key/1234abcd-12ab-34cd-56ef-1234567890ab"
        )
        .is_none());
        assert!(KeyAlias::new(
            named("alias/a"),
            "arn:aws:kms:us-east-2:111111111111:alias/b"
        )
        .is_none());
        assert!(KeyAlias::new(named("a"), &key(1)).is_none());
    }

    #[test]
    fn role_arns_compare_without_path_and_case() {
        assert_eq!(
            normalize(&Governs::RoleTrust(
                "arn:aws:iam::111111111111:role/service-role/Pipeline".into()
            )),
            normalize(&Governs::RoleTrust(
                "arn:aws:iam::111111111111:role/pipeline".into()
            ))
        );
    }
}
