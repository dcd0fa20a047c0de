//! AWS CLI outputs of what a CodeDeploy deployment reaches, into the model's
//! [`Compute`](xacct_model::compute::Compute): deployment groups (`aws deploy
//! get-deployment-group`, `batch-get-deployment-groups`), EC2 instances (`aws ec2
//! describe-instances`), launch template versions (`aws ec2 describe-launch-template-versions`),
//! Auto Scaling groups and launch configurations (`aws autoscaling
//! describe-auto-scaling-groups`, `describe-launch-configurations`) and instance profiles (`aws
//! iam get-instance-profile`, `list-instance-profiles[-for-role]`, and the `InstanceProfileList`
//! of `get-account-authorization-details`).
//!
//! The readers of tag filters, tags and references are shared with the template loader
//! (`cfn/compute.rs`), which reads the same shapes under CloudFormation's property names.

use xacct_model::arn::{is_region_name, AccountId, Arn};
use xacct_model::compute::{
    AutoScalingGroup, Compute, DeploymentGroup, Instance, InstanceProfile, LaunchConfiguration,
    LaunchTemplate, LaunchTemplateRef, Place, ProfileRef, Tag, TagFilter, TagFilterType,
};
use xacct_model::pipeline::Spanned;
use xacct_syntax::json::{Node, Value};

use crate::issue::{describe, Issue, IssueKind};

/// The top-level keys of the AWS CLI outputs this module reads.
pub const COMPUTE_KEYS: &[&str] = &[
    "deploymentGroupInfo",
    "deploymentGroupsInfo",
    "Reservations",
    "InstanceProfile",
    "InstanceProfiles",
    "AutoScalingGroups",
    "LaunchTemplateVersions",
    "LaunchConfigurations",
];

/// Where a shape comes from, for the words of a shape issue.
#[derive(Clone, Copy)]
pub(crate) enum Source {
    /// An AWS CLI command's output.
    Command(&'static str),
    /// A CloudFormation resource type's properties.
    Resource(&'static str),
}

/// Reads values of one shape, keeping an issue for each value of the wrong kind.
pub(crate) struct Reader {
    pub(crate) source: Source,
    pub(crate) issues: Vec<Issue>,
}

impl Reader {
    pub(crate) fn new(source: Source) -> Reader {
        Reader {
            source,
            issues: Vec::new(),
        }
    }

    pub(crate) fn wrong_shape(&mut self, key: &str, found: &Node, want: &str) {
        // A template value left to deployment (a list parameter without a value) is no shape
        // at all yet: what it holds stays unknown.
        if matches!(self.source, Source::Resource(_))
            && found
                .as_str()
                .is_some_and(xacct_model::symbol::contains_placeholder)
        {
            return;
        }
        let issue = match self.source {
            Source::Command(command) => Issue::new(
                IssueKind::Shape,
                found.span,
                format!(
                    "`{key}` must be {want}, as `{command}` prints it; found {}",
                    describe(found)
                ),
            )
            .help(format!(
                "write the file as `{command}` prints it, or leave the key out"
            )),
            Source::Resource(kind) => Issue::new(
                IssueKind::Shape,
                found.span,
                format!(
                    "`{key}` must be {want} in {kind}; found {}",
                    describe(found)
                ),
            )
            .help(format!(
                "CloudFormation refuses the template; see {kind} in the CloudFormation resource reference"
            )),
        };
        self.issues.push(issue);
    }

    /// The object under `key`, reporting a value of another kind.
    pub(crate) fn object<'n, 's>(
        &mut self,
        parent: &'n Node<'s>,
        key: &str,
    ) -> Option<&'n Node<'s>> {
        let node = parent.get(key)?;
        if node.as_object().is_some() {
            return Some(node);
        }
        self.wrong_shape(key, node, "an object");
        None
    }

    /// The list under `key`, reporting a value of another kind.
    pub(crate) fn list<'n, 's>(&mut self, parent: &'n Node<'s>, key: &str) -> &'n [Node<'s>] {
        match parent.get(key) {
            None => &[],
            Some(node) => match node.as_array() {
                Some(items) => items,
                None => {
                    self.wrong_shape(key, node, "a list");
                    &[]
                }
            },
        }
    }

    /// The text under `key`: a string (a template's number or boolean as CloudFormation
    /// passes it), reporting a value of another kind.
    pub(crate) fn string(&mut self, parent: &Node, key: &str) -> Option<Spanned<String>> {
        let node = parent.get(key)?;
        match &node.value {
            Value::String(s) => Some(Spanned::new(s.to_string(), node.span)),
            Value::Number(_) | Value::Bool(_) if matches!(self.source, Source::Resource(_)) => {
                crate::cfn::eval::scalar_text(node).map(|text| Spanned::new(text, node.span))
            }
            _ => {
                self.wrong_shape(key, node, "a string");
                None
            }
        }
    }

    /// A tag filter: `{Key, Value, Type}`.
    pub(crate) fn tag_filter(&mut self, node: &Node, list_key: &str) -> Option<TagFilter> {
        if node.as_object().is_none() {
            self.wrong_shape(
                list_key,
                node,
                "a list of tag filters (`Key`, `Value`, `Type`)",
            );
            return None;
        }
        let kind = self.string(node, "Type").and_then(|t| {
            let kind = TagFilterType::parse(&t.value);
            if kind.is_none() && !xacct_model::symbol::contains_placeholder(&t.value) {
                self.issues.push(
                    Issue::new(
                        IssueKind::Shape,
                        t.span,
                        format!(
                            "`Type` must be `KEY_ONLY`, `VALUE_ONLY` or `KEY_AND_VALUE`; found `{}`",
                            t.value
                        ),
                    )
                    .help("CodeDeploy refuses any other tag filter type"),
                );
            }
            kind
        });
        Some(TagFilter {
            key: self.string(node, "Key").map(|k| k.value),
            value: self.string(node, "Value").map(|v| v.value),
            kind,
            span: node.span,
        })
    }

    /// A list of tag filters under `key`: one tag group.
    pub(crate) fn tag_group(&mut self, parent: &Node, key: &str) -> Vec<TagFilter> {
        self.list(parent, key)
            .iter()
            .filter_map(|f| self.tag_filter(f, key))
            .collect()
    }

    /// Tags: `[{Key, Value}]`.
    pub(crate) fn tags(&mut self, parent: &Node, key: &str) -> Vec<Tag> {
        let mut tags = Vec::new();
        for item in self.list(parent, key) {
            if item.as_object().is_none() {
                self.wrong_shape(key, item, "a list of tags (`Key`, `Value`)");
                continue;
            }
            let Some(tag_key) = self.string(item, "Key") else {
                continue;
            };
            let value = self
                .string(item, "Value")
                .map(|v| v.value)
                .unwrap_or_default();
            tags.push(Tag {
                key: tag_key.value,
                value,
            });
        }
        tags
    }

    /// A launch template reference: `{LaunchTemplateId | LaunchTemplateName, Version}`.
    pub(crate) fn launch_template_ref(&mut self, node: &Node) -> Option<LaunchTemplateRef> {
        let id = self.string(node, "LaunchTemplateId").map(|i| i.value);
        let name = self.string(node, "LaunchTemplateName").map(|n| n.value);
        if id.is_none() && name.is_none() {
            return None;
        }
        Some(LaunchTemplateRef {
            id,
            name,
            version: self.string(node, "Version").map(|v| v.value),
            span: node.span,
        })
    }

    /// `IamInstanceProfile: {Arn | Name}` of a launch template or an instance.
    pub(crate) fn profile_spec(&mut self, node: &Node) -> Option<ProfileRef> {
        match self.string(node, "Arn") {
            Some(arn) => Some(ProfileRef::new(arn)),
            None => self.string(node, "Name").map(ProfileRef::new),
        }
    }
}

/// True for `create-deployment-group` input: a deployment group at the top level.
pub fn is_bare_deployment_group(root: &Node) -> bool {
    root.get("applicationName").is_some() && root.get("deploymentGroupName").is_some()
}

/// The account an ARN names.
fn arn_account(arn: &str) -> Option<AccountId> {
    Arn::parse(arn).ok()?.account_id()
}

/// The region an ARN names.
fn arn_region(arn: &str) -> Option<String> {
    let region = Arn::parse(arn).ok()?.region;
    is_region_name(region).then(|| region.to_string())
}

/// The region of an availability zone (`us-east-2a`, a Local Zone `us-west-2-lax-1a`).
pub(crate) fn zone_region(zone: &str) -> Option<String> {
    let trimmed = zone.trim_end_matches(|c: char| c.is_ascii_lowercase());
    if is_region_name(trimmed) {
        return Some(trimmed.to_string());
    }
    let three: Vec<&str> = zone.splitn(4, '-').take(3).collect();
    let region = three.join("-");
    is_region_name(&region).then_some(region)
}

/// What one file of CLI output declares, with what is of the wrong shape. `account` and
/// `region` are the file's folder account and the run's default region, for outputs that do
/// not say.
pub fn load(
    root: &Node,
    account: Option<AccountId>,
    region: Option<String>,
) -> (Compute, Vec<Issue>) {
    let mut compute = Compute::default();
    let place = Place::new(account, region);
    let issues;
    if is_bare_deployment_group(root) {
        // `create-deployment-group` input (`--cli-input-json`): the group itself.
        let mut r = Reader::new(Source::Command("aws deploy create-deployment-group"));
        compute
            .deployment_groups
            .extend(deployment_group(&mut r, root, &place));
        issues = r.issues;
    } else if root.get("deploymentGroupInfo").is_some()
        || root.get("deploymentGroupsInfo").is_some()
    {
        let mut r = Reader::new(Source::Command(
            if root.get("deploymentGroupInfo").is_some() {
                "aws deploy get-deployment-group"
            } else {
                "aws deploy batch-get-deployment-groups"
            },
        ));
        let mut infos: Vec<&Node> = r.object(root, "deploymentGroupInfo").into_iter().collect();
        infos.extend(r.list(root, "deploymentGroupsInfo"));
        for info in infos {
            if info.as_object().is_none() {
                r.wrong_shape("deploymentGroupsInfo", info, "a list of deployment groups");
                continue;
            }
            compute
                .deployment_groups
                .extend(deployment_group(&mut r, info, &place));
        }
        issues = r.issues;
    } else if root.get("Reservations").is_some() {
        let mut r = Reader::new(Source::Command("aws ec2 describe-instances"));
        for reservation in r.list(root, "Reservations") {
            if reservation.as_object().is_none() {
                r.wrong_shape("Reservations", reservation, "a list of reservations");
                continue;
            }
            let owner = r
                .string(reservation, "OwnerId")
                .and_then(|o| AccountId::parse(&o.value))
                .or(place.account);
            for node in r.list(reservation, "Instances") {
                compute
                    .instances
                    .extend(instance(&mut r, node, owner, &place));
            }
        }
        issues = r.issues;
    } else if root.get("InstanceProfile").is_some() || root.get("InstanceProfiles").is_some() {
        let mut r = Reader::new(Source::Command(if root.get("InstanceProfile").is_some() {
            "aws iam get-instance-profile"
        } else {
            "aws iam list-instance-profiles-for-role"
        }));
        let mut nodes: Vec<&Node> = r.object(root, "InstanceProfile").into_iter().collect();
        nodes.extend(r.list(root, "InstanceProfiles"));
        for node in nodes {
            compute.instance_profiles.extend(instance_profile(
                &mut r,
                node,
                "InstanceProfiles",
                &place,
            ));
        }
        issues = r.issues;
    } else if root.get("AutoScalingGroups").is_some() {
        let mut r = Reader::new(Source::Command(
            "aws autoscaling describe-auto-scaling-groups",
        ));
        for node in r.list(root, "AutoScalingGroups") {
            compute
                .auto_scaling_groups
                .extend(auto_scaling_group(&mut r, node, &place));
        }
        issues = r.issues;
    } else if root.get("LaunchTemplateVersions").is_some() {
        let mut r = Reader::new(Source::Command("aws ec2 describe-launch-template-versions"));
        for node in r.list(root, "LaunchTemplateVersions") {
            compute
                .launch_templates
                .extend(launch_template_version(&mut r, node, &place));
        }
        issues = r.issues;
    } else if root.get("LaunchConfigurations").is_some() {
        let mut r = Reader::new(Source::Command(
            "aws autoscaling describe-launch-configurations",
        ));
        for node in r.list(root, "LaunchConfigurations") {
            compute
                .launch_configurations
                .extend(launch_configuration(&mut r, node, &place));
        }
        issues = r.issues;
    } else {
        issues = Vec::new();
    }
    (compute, issues)
}

/// The instance profiles of `get-account-authorization-details` (`RoleDetailList[].
/// InstanceProfileList`): the policies of the same file are read by [`crate::cli`].
pub fn load_authorization_details(
    root: &Node,
    account: Option<AccountId>,
) -> (Compute, Vec<Issue>) {
    let mut r = Reader::new(Source::Command("aws iam get-account-authorization-details"));
    let mut compute = Compute::default();
    let place = Place::new(account, None);
    let Some(roles) = root.get("RoleDetailList").and_then(Node::as_array) else {
        return (compute, Vec::new());
    };
    for role in roles.iter().filter(|r| r.as_object().is_some()) {
        for node in r.list(role, "InstanceProfileList") {
            compute.instance_profiles.extend(instance_profile(
                &mut r,
                node,
                "InstanceProfileList",
                &place,
            ));
        }
    }
    // Each profile is listed under each of its roles: once is enough.
    let mut seen = Vec::new();
    compute.instance_profiles.retain(|p| {
        let key = (p.arn.clone(), p.name.clone());
        let new = !seen.contains(&key);
        seen.push(key);
        new
    });
    (compute, r.issues)
}

/// `deploymentGroupInfo`.
fn deployment_group(r: &mut Reader, info: &Node, place: &Place) -> Option<DeploymentGroup> {
    let application = r.string(info, "applicationName")?;
    let name = r.string(info, "deploymentGroupName")?;
    let service_role = r.string(info, "serviceRoleArn");
    // The service role is a role of the group's account.
    let account = service_role
        .as_ref()
        .and_then(|role| arn_account(&role.value))
        .or(place.account);
    let tag_set = |r: &mut Reader, set_key: &str, list_key: &str| -> Vec<Vec<TagFilter>> {
        let Some(set) = r.object(info, set_key) else {
            return Vec::new();
        };
        r.list(set, list_key)
            .iter()
            .filter_map(|group| match group.as_array() {
                Some(filters) => Some(
                    filters
                        .iter()
                        .filter_map(|f| r.tag_filter(f, list_key))
                        .collect(),
                ),
                None => {
                    r.wrong_shape(
                        list_key,
                        group,
                        "a list of tag groups (lists of tag filters)",
                    );
                    None
                }
            })
            .collect()
    };
    let ec2_tag_groups = groups(
        tag_set(r, "ec2TagSet", "ec2TagSetList"),
        r.tag_group(info, "ec2TagFilters"),
    );
    let on_premises_tag_groups = groups(
        tag_set(r, "onPremisesTagSet", "onPremisesTagSetList"),
        r.tag_group(info, "onPremisesInstanceTagFilters"),
    );
    let mut auto_scaling_groups = Vec::new();
    for item in r.list(info, "autoScalingGroups") {
        match &item.value {
            Value::String(name) => {
                auto_scaling_groups.push(Spanned::new(name.to_string(), item.span))
            }
            Value::Object(_) => auto_scaling_groups.extend(r.string(item, "name")),
            _ => r.wrong_shape("autoScalingGroups", item, "a list of Auto Scaling groups"),
        }
    }
    Some(DeploymentGroup {
        place: Place {
            account,
            ..place.clone()
        },
        application,
        name,
        // `create-deployment-group` input leaves the platform to the application; ECS services
        // say it all the same.
        compute_platform: r
            .string(info, "computePlatform")
            .map(|p| p.value)
            .or_else(|| {
                info.get("ecsServices")
                    .and_then(Node::as_array)
                    .is_some_and(|services| !services.is_empty())
                    .then(|| "ECS".to_string())
            }),
        ec2_tag_groups,
        on_premises_tag_groups,
        auto_scaling_groups,
        service_role,
    })
}

/// The tag groups of a deployment group: its tag set's, else its tag filters as one group
/// (the API takes one or the other).
pub(crate) fn groups(set: Vec<Vec<TagFilter>>, filters: Vec<TagFilter>) -> Vec<Vec<TagFilter>> {
    let mut groups: Vec<Vec<TagFilter>> = set.into_iter().filter(|g| !g.is_empty()).collect();
    if !filters.is_empty() {
        groups.push(filters);
    }
    groups
}

/// One instance of `describe-instances`.
fn instance(
    r: &mut Reader,
    node: &Node,
    owner: Option<AccountId>,
    place: &Place,
) -> Option<Instance> {
    if node.as_object().is_none() {
        r.wrong_shape("Instances", node, "a list of instances");
        return None;
    }
    let id = r.string(node, "InstanceId")?;
    let region = r
        .object(node, "Placement")
        .and_then(|p| r.string(p, "AvailabilityZone"))
        .and_then(|zone| zone_region(&zone.value))
        .or_else(|| place.region.clone());
    // A stopped or terminated instance runs no agent: only pending and running ones fetch.
    let running = r
        .object(node, "State")
        .and_then(|s| r.string(s, "Name"))
        .is_none_or(|state| matches!(state.value.as_str(), "pending" | "running"));
    let profile = r
        .object(node, "IamInstanceProfile")
        .and_then(|p| r.string(p, "Arn"))
        .map(ProfileRef::new);
    Some(Instance {
        place: Place {
            account: owner,
            region,
            ..place.clone()
        },
        id,
        tags: r.tags(node, "Tags"),
        profile,
        launch_template: None,
        running,
    })
}

/// One instance profile: its name, ARN and roles.
pub(crate) fn instance_profile(
    r: &mut Reader,
    node: &Node,
    list_key: &str,
    place: &Place,
) -> Option<InstanceProfile> {
    if node.as_object().is_none() {
        r.wrong_shape(list_key, node, "a list of instance profiles");
        return None;
    }
    let name = r.string(node, "InstanceProfileName").map(|n| n.value);
    let arn = r.string(node, "Arn").map(|a| a.value);
    if name.is_none() && arn.is_none() {
        return None;
    }
    let account = arn.as_deref().and_then(arn_account).or(place.account);
    let mut roles = Vec::new();
    for role in r.list(node, "Roles") {
        if role.as_object().is_none() {
            r.wrong_shape("Roles", role, "a list of roles");
            continue;
        }
        match r.string(role, "Arn") {
            Some(arn) => roles.push(arn),
            None => {
                if let (Some(role_name), Some(account)) = (r.string(role, "RoleName"), account) {
                    let arn = format!("arn:aws:iam::{account}:role/{}", role_name.value);
                    roles.push(Spanned::new(arn, role_name.span));
                }
            }
        }
    }
    Some(InstanceProfile {
        place: Place {
            account,
            region: None,
            ..place.clone()
        },
        name,
        arn,
        roles,
        span: node.span,
    })
}

/// One group of `describe-auto-scaling-groups`: the launch templates and configurations it
/// and its current instances use.
fn auto_scaling_group(r: &mut Reader, node: &Node, place: &Place) -> Option<AutoScalingGroup> {
    if node.as_object().is_none() {
        r.wrong_shape("AutoScalingGroups", node, "a list of Auto Scaling groups");
        return None;
    }
    let name = r.string(node, "AutoScalingGroupName")?;
    let arn = r.string(node, "AutoScalingGroupARN");
    let account = arn
        .as_ref()
        .and_then(|a| arn_account(&a.value))
        .or(place.account);
    let region = arn
        .as_ref()
        .and_then(|a| arn_region(&a.value))
        .or_else(|| place.region.clone());
    let mut group = AutoScalingGroup {
        place: Place {
            account,
            region,
            ..place.clone()
        },
        name,
        launch_templates: Vec::new(),
        launch_configurations: Vec::new(),
    };
    launch_sources(r, node, &mut group);
    for instance in r.list(node, "Instances") {
        if instance.as_object().is_some() {
            launch_sources(r, instance, &mut group);
        }
    }
    Some(group)
}

/// The launch template (plain or in a mixed instances policy, with its overrides') and launch
/// configuration an Auto Scaling group or one of its instances names; the same keys in the CLI
/// output and the template.
pub(crate) fn launch_sources(r: &mut Reader, node: &Node, group: &mut AutoScalingGroup) {
    let push = |group: &mut AutoScalingGroup, template: Option<LaunchTemplateRef>| {
        if let Some(template) = template {
            if !group.launch_templates.contains(&template) {
                group.launch_templates.push(template);
            }
        }
    };
    if let Some(template) = r.object(node, "LaunchTemplate") {
        let template = r.launch_template_ref(template);
        push(group, template);
    }
    if let Some(policy) = r.object(node, "MixedInstancesPolicy") {
        if let Some(template) = r.object(policy, "LaunchTemplate") {
            if let Some(spec) = r.object(template, "LaunchTemplateSpecification") {
                let spec = r.launch_template_ref(spec);
                push(group, spec);
            }
            for item in r.list(template, "Overrides") {
                if let Some(spec) = item.get("LaunchTemplateSpecification") {
                    if spec.as_object().is_some() {
                        let spec = r.launch_template_ref(spec);
                        push(group, spec);
                    }
                }
            }
        }
    }
    if let Some(configuration) = r.string(node, "LaunchConfigurationName") {
        if !group
            .launch_configurations
            .iter()
            .any(|c| c.value == configuration.value)
        {
            group.launch_configurations.push(configuration);
        }
    }
}

/// One version of `describe-launch-template-versions`.
fn launch_template_version(r: &mut Reader, node: &Node, place: &Place) -> Option<LaunchTemplate> {
    if node.as_object().is_none() {
        r.wrong_shape(
            "LaunchTemplateVersions",
            node,
            "a list of launch template versions",
        );
        return None;
    }
    let id = r.string(node, "LaunchTemplateId").map(|i| i.value);
    let name = r.string(node, "LaunchTemplateName").map(|n| n.value);
    let version = match node.get("VersionNumber") {
        Some(Node {
            value: Value::Number(n),
            ..
        }) => n.parse::<u64>().ok(),
        Some(other) => {
            r.wrong_shape("VersionNumber", other, "a number");
            None
        }
        None => None,
    };
    let default_version = match node.get("DefaultVersion") {
        Some(Node {
            value: Value::Bool(b),
            ..
        }) => *b,
        Some(other) => {
            r.wrong_shape("DefaultVersion", other, "true or false");
            false
        }
        None => false,
    };
    // A version without a number stands for none: it could be any.
    let version = version?;
    let account = r
        .string(node, "CreatedBy")
        .and_then(|c| arn_account(&c.value))
        .or(place.account);
    let profile = r
        .object(node, "LaunchTemplateData")
        .and_then(|data| r.object(data, "IamInstanceProfile"))
        .and_then(|p| r.profile_spec(p));
    Some(LaunchTemplate {
        place: Place {
            account,
            ..place.clone()
        },
        id,
        name,
        version: Some(version),
        default_version,
        profile,
        span: node.span,
    })
}

/// One launch configuration of `describe-launch-configurations`.
fn launch_configuration(r: &mut Reader, node: &Node, place: &Place) -> Option<LaunchConfiguration> {
    if node.as_object().is_none() {
        r.wrong_shape(
            "LaunchConfigurations",
            node,
            "a list of launch configurations",
        );
        return None;
    }
    let name = r.string(node, "LaunchConfigurationName")?;
    let arn = r.string(node, "LaunchConfigurationARN");
    let account = arn
        .as_ref()
        .and_then(|a| arn_account(&a.value))
        .or(place.account);
    let region = arn
        .as_ref()
        .and_then(|a| arn_region(&a.value))
        .or_else(|| place.region.clone());
    Some(LaunchConfiguration {
        place: Place {
            account,
            region,
            ..place.clone()
        },
        name,
        profile: r.string(node, "IamInstanceProfile").map(ProfileRef::new),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn load_text(text: &str) -> (Compute, Vec<Issue>) {
        let document = xacct_syntax::json::parse(text).unwrap();
        load(&document.root, None, Some("us-east-2".into()))
    }

    #[test]
    fn zones_give_their_region() {
        assert_eq!(zone_region("us-east-2a").as_deref(), Some("us-east-2"));
        assert_eq!(
            zone_region("us-gov-west-1b").as_deref(),
            Some("us-gov-west-1")
        );
        assert_eq!(
            zone_region("us-west-2-lax-1a").as_deref(),
            Some("us-west-2")
        );
        assert_eq!(zone_region("nowhere"), None);
    }

    #[test]
    fn deployment_groups_read_tag_sets_and_auto_scaling_groups() {
        let (compute, issues) = load_text(
            r#"{"deploymentGroupInfo": {
                "applicationName": "App", "deploymentGroupName": "Group",
                "serviceRoleArn": "arn:aws:iam::222222222222:role/CodeDeployService",
                "ec2TagSet": {"ec2TagSetList": [[{"Key": "Name", "Value": "web", "Type": "KEY_AND_VALUE"}], [{"Key": "Env", "Type": "KEY_ONLY"}]]},
                "autoScalingGroups": [{"name": "web-asg", "hook": "h"}, "api-asg"]
            }}"#,
        );
        assert!(issues.is_empty(), "{issues:?}");
        let group = &compute.deployment_groups[0];
        assert_eq!(group.place.account, AccountId::parse("222222222222"));
        assert_eq!(group.ec2_tag_groups.len(), 2);
        assert_eq!(
            group.ec2_tag_groups[1][0].kind,
            Some(TagFilterType::KeyOnly)
        );
        let names: Vec<&str> = group
            .auto_scaling_groups
            .iter()
            .map(|a| a.as_str())
            .collect();
        assert_eq!(names, ["web-asg", "api-asg"]);
    }

    #[test]
    fn create_deployment_group_input_is_a_group_and_ecs_services_say_the_platform() {
        let (compute, issues) = load_text(
            r#"{"applicationName": "App", "deploymentGroupName": "G",
                "ecsServices": [{"serviceName": "web", "clusterName": "c"}]}"#,
        );
        assert!(issues.is_empty(), "{issues:?}");
        let group = &compute.deployment_groups[0];
        assert_eq!(group.compute_platform.as_deref(), Some("ECS"));
        assert!(!group.deploys_to_instances());
    }

    #[test]
    fn wrong_shapes_are_issues_with_spans() {
        let text = r#"{"deploymentGroupInfo": {"applicationName": "App", "deploymentGroupName": "G", "ec2TagFilters": {"Key": "Name"}, "onPremisesInstanceTagFilters": [{"Key": "a", "Type": "KEY"}]}}"#;
        let (_, issues) = load_text(text);
        let messages: Vec<(&str, &str)> = issues
            .iter()
            .map(|i| {
                (
                    &text[i.span.start as usize..i.span.end as usize],
                    i.message.as_str(),
                )
            })
            .collect();
        assert_eq!(
            messages,
            [
                ("{\"Key\": \"Name\"}", "`ec2TagFilters` must be a list, as `aws deploy get-deployment-group` prints it; found an object"),
                ("\"KEY\"", "`Type` must be `KEY_ONLY`, `VALUE_ONLY` or `KEY_AND_VALUE`; found `KEY`"),
            ]
        );
    }

    #[test]
    fn instances_take_account_and_region_from_their_reservation_and_zone() {
        let (compute, issues) = load_text(
            r#"{"Reservations": [{"OwnerId": "222222222222", "Instances": [
                {"InstanceId": "i-1", "State": {"Name": "running"}, "Placement": {"AvailabilityZone": "eu-west-1b"},
                 "IamInstanceProfile": {"Arn": "arn:aws:iam::222222222222:instance-profile/Web", "Id": "AIPA"},
                 "Tags": [{"Key": "Name", "Value": "web"}]},
                {"InstanceId": "i-2", "State": {"Name": "terminated"}}
            ]}]}"#,
        );
        assert!(issues.is_empty(), "{issues:?}");
        let [web, gone] = compute.instances.as_slice() else {
            panic!("{compute:?}")
        };
        assert_eq!(web.place.region.as_deref(), Some("eu-west-1"));
        assert_eq!(web.place.account, AccountId::parse("222222222222"));
        assert!(web.running && !gone.running);
        assert_eq!(web.profile.as_ref().map(|p| p.name()), Some("Web"));
    }

    #[test]
    fn launch_template_versions_and_auto_scaling_groups() {
        let (templates, issues) = load_text(
            r#"{"LaunchTemplateVersions": [{"LaunchTemplateId": "lt-1", "LaunchTemplateName": "web", "VersionNumber": 2, "DefaultVersion": true,
                "LaunchTemplateData": {"IamInstanceProfile": {"Name": "Web"}}}]}"#,
        );
        assert!(issues.is_empty(), "{issues:?}");
        let version = &templates.launch_templates[0];
        assert_eq!((version.version, version.default_version), (Some(2), true));
        assert_eq!(version.profile.as_ref().map(|p| p.by_arn), Some(false));
        let (groups, issues) = load_text(
            r#"{"AutoScalingGroups": [{"AutoScalingGroupName": "web-asg",
                "AutoScalingGroupARN": "arn:aws:autoscaling:eu-west-1:222222222222:autoScalingGroup:uuid:autoScalingGroupName/web-asg",
                "MixedInstancesPolicy": {"LaunchTemplate": {"LaunchTemplateSpecification": {"LaunchTemplateId": "lt-1", "Version": "$Latest"}}},
                "Instances": [{"InstanceId": "i-1", "LaunchTemplate": {"LaunchTemplateId": "lt-1", "Version": "1"}}]}]}"#,
        );
        assert!(issues.is_empty(), "{issues:?}");
        let group = &groups.auto_scaling_groups[0];
        assert_eq!(group.place.region.as_deref(), Some("eu-west-1"));
        let versions: Vec<Option<&str>> = group
            .launch_templates
            .iter()
            .map(|t| t.version.as_deref())
            .collect();
        assert_eq!(versions, [Some("$Latest"), Some("1")]);
    }
}
