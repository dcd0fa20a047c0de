//! The instance roles of a CodeDeploy action: the CodeDeploy agent on each instance of the
//! deployment group downloads the revision with its instance profile's role.
//!
//! The action's configuration names the group (`ApplicationName`, `DeploymentGroupName`);
//! when the inputs hold it, its targets are followed to their instance profiles' roles
//! (`xacct_model::compute`), and exactly those roles are asked about. Where the group, or the
//! way to some of its instances' roles, is not among the inputs, the roles of the account that
//! EC2 may assume and that are about the deployment stand in for the ones not known, as
//! candidates.

use xacct_model::arn::{AccountId, Arn};
use xacct_model::compute::{Gap, Missing};
use xacct_syntax::FileId;

use super::{instance_roles, Builder, StoreAccess};
use crate::{Artifacts, Deployment, InstanceSource, Need};

/// A role ARN as compared: its account and its name in lower case (a role name is unique in
/// its account whatever its path and case).
fn role_key(arn: &str) -> Option<(AccountId, String)> {
    let parsed = Arn::parse(arn).ok()?;
    let account = parsed.account_id()?;
    let name = parsed
        .resource
        .rsplit('/')
        .next()
        .unwrap_or(parsed.resource);
    Some((account, name.to_ascii_lowercase()))
}

impl Builder<'_> {
    /// Asks the store questions of `access`'s CodeDeploy action for its instances' roles.
    pub(super) fn ask_instance_roles(
        &mut self,
        access: &StoreAccess<'_>,
        account: AccountId,
        region: Option<&str>,
        file: FileId,
    ) {
        let workspace = self.lookup.workspace;
        let compute = &workspace.compute;
        let action = access.action;
        let (certain, possible) = match (
            action.config("ApplicationName"),
            action.config("DeploymentGroupName"),
        ) {
            (Some(application), Some(group)) => {
                compute.find_groups(&application.value, &group.value, account, region, file)
            }
            _ => Default::default(),
        };
        let deployment = u32::try_from(self.graph.deployments.len()).unwrap_or(u32::MAX);
        let mut record = Deployment {
            need: Need::new(access.p, Some(access.at), Artifacts::None, true),
            group: None,
            maybe: Vec::new(),
            resolution: Default::default(),
        };
        // Only a group known to be in the action's account and region is followed: another of
        // the same name elsewhere would lead to other instances.
        match certain[..] {
            [_] => {}
            [] => record.maybe = possible,
            _ => record.maybe = certain.clone(),
        }
        let mut linked: Vec<(AccountId, String)> = Vec::new();
        let mut complete = false;
        if let [g] = certain[..] {
            record.group = Some(g);
            let group = &compute.deployment_groups[g];
            if !group.deploys_to_instances() {
                // A Lambda or ECS deployment: no instance fetches anything.
                self.graph.deployments.push(record);
                return;
            }
            let mut resolution = compute.resolve(g);
            // A role whose account is left to deployment is none known.
            let (known, open): (Vec<_>, Vec<_>) = resolution
                .links
                .into_iter()
                .partition(|link| role_key(&link.role).is_some());
            resolution.links = known;
            resolution.gaps.extend(open.into_iter().map(|link| Gap {
                at: link.selected_at,
                what: format!(
                    "the account of role `{}` of instance profile `{}` is not known",
                    link.role,
                    compute.instance_profiles[link.profile].display_name()
                ),
                missing: Missing::InstanceProfile,
            }));
            for (index, link) in resolution.links.iter().enumerate() {
                let Some(key) = role_key(&link.role) else {
                    continue;
                };
                if linked.contains(&key) {
                    continue;
                }
                let asker = self.asker(&link.role, key.0);
                linked.push(key);
                let source = InstanceSource::Linked {
                    deployment,
                    link: u32::try_from(index).unwrap_or(u32::MAX),
                };
                self.ask_store_for(access, &asker, source);
            }
            complete = resolution.gaps.is_empty();
            record.resolution = resolution;
        }
        if !complete {
            for (role, role_account) in instance_roles(&self.lookup, account, access.store) {
                if role_key(&role).is_some_and(|key| linked.contains(&key)) {
                    continue;
                }
                let asker = self.asker(&role, role_account);
                self.ask_store_for(access, &asker, InstanceSource::Candidate { deployment });
            }
        }
        self.graph.deployments.push(record);
    }

    /// The store questions of an instance role, each kept with why it was asked.
    fn ask_store_for(
        &mut self,
        access: &StoreAccess<'_>,
        asker: &super::Asker,
        source: InstanceSource,
    ) {
        let before = self.graph.instance_roles.len();
        self.ask_store(access, asker, super::Reader::Instance);
        let asked = self.graph.instance_roles.len() - before;
        self.graph
            .instance_sources
            .extend(std::iter::repeat_n(source, asked));
    }
}
