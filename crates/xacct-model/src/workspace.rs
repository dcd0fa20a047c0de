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
use crate::policy_file::{PolicyEntry, PolicyKind, Subject};

/// What a file is declared to govern in the config (`[[bind]]`), when its content cannot say.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Binding {
    /// The file holds policies of this role (trust or identity, told apart by content).
    Role(String),
    /// The file holds the policy of this bucket.
    Bucket(String),
    /// The file holds the policy of this key (key ARN).
    Key(String),
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
}

/// A pipeline of the workspace.
#[derive(Debug)]
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
    index: HashMap<Governs, Vec<usize>>,
    /// The account of each artifact bucket, from the first pipeline (with a known account)
    /// that stores in it.
    store_accounts: HashMap<String, AccountId>,
}

impl Workspace {
    /// Builds the index. Call after all units are in.
    pub fn new(
        pipelines: Vec<PipelineUnit>,
        policies: Vec<PolicyUnit>,
        ownership: Vec<OwnershipUnit>,
    ) -> Workspace {
        let mut index: HashMap<Governs, Vec<usize>> = HashMap::new();
        for (i, policy) in policies.iter().enumerate() {
            if let Some(governs) = &policy.governs {
                index.entry(normalize(governs)).or_default().push(i);
            }
        }
        // Artifact buckets' accounts, once: XA405 asks per S3 deploy action.
        let mut store_accounts: HashMap<String, AccountId> = HashMap::new();
        for unit in &pipelines {
            let Some(account) = unit.accounts.pipeline_account() else {
                continue;
            };
            let pipeline = &unit.doc.pipeline;
            let stores = pipeline.stores();
            for location in stores.filter_map(|s| s.location.as_ref()) {
                store_accounts
                    .entry(location.value.clone())
                    .or_insert(account);
            }
        }
        Workspace {
            pipelines,
            policies,
            ownership,
            compute: crate::compute::Compute::default(),
            index,
            store_accounts,
        }
    }

    /// Adds what the files declare of deployment groups and their instances.
    pub fn with_compute(mut self, compute: crate::compute::Compute) -> Workspace {
        self.compute = compute;
        self
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
    /// whose artifact store it is, else the folder of a file holding its policy.
    pub fn bucket_account(&self, bucket: &str) -> Option<AccountId> {
        self.store_account(bucket).or_else(|| {
            self.governing(&Governs::Bucket(bucket.to_string()))
                .find_map(|p| p.account)
        })
    }
}

/// Roles are indexed by account and lower-cased name: a role name is unique in its account
/// whatever its path and case, so `role/service-role/Pipeline` in a pipeline and
/// `role/Pipeline` in a config binding are the same role.
fn normalize(governs: &Governs) -> Governs {
    let role = |arn: &str| match Arn::parse(arn) {
        Ok(a) if a.service == "iam" => {
            let name = a.resource.rsplit('/').next().unwrap_or(a.resource);
            format!("{}:{}", a.account, name.to_ascii_lowercase())
        }
        _ => arn.to_string(),
    };
    match governs {
        Governs::RoleTrust(arn) => Governs::RoleTrust(role(arn)),
        Governs::RoleIdentity(arn) => Governs::RoleIdentity(role(arn)),
        other => other.clone(),
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
    let from_file = match (&entry.subject, kind) {
        (Some(Subject::RoleArn(arn)), Some(PolicyKind::Trust)) => {
            Some(Governs::RoleTrust(arn.value.clone()))
        }
        (Some(Subject::RoleArn(arn)), Some(PolicyKind::Identity)) => {
            Some(Governs::RoleIdentity(arn.value.clone()))
        }
        (Some(Subject::Bucket(bucket)), _) => Some(Governs::Bucket(bucket.clone())),
        (Some(Subject::Key(key)), _) => Some(Governs::Key(key.clone())),
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
        Some(Binding::Key(key)) => Some(Governs::Key(key.clone())),
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
