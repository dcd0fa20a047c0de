//! What a CodeDeploy deployment reaches: deployment groups, the EC2 instances and Auto Scaling
//! groups they select, the launch templates and configurations those start instances from, and
//! the instance profiles that give the instances a role. The CodeDeploy agent on an instance
//! downloads the revision with that role's credentials, so the profile's role is the one that
//! must read and decrypt the pipeline's artifacts.
//!
//! Types and their AWS semantics only (which instances a group's tag filters select, which
//! launch template version an Auto Scaling group uses, which role a profile gives); the loaders
//! of each input format (`xacct-input`) fill them in. Whatever cannot be followed is a [`Gap`]:
//! what is not among the inputs is never taken to be absent.

use xacct_syntax::{FileId, Span};

use crate::arn::{AccountId, Arn};
use crate::pipeline::Spanned;
use crate::symbol::contains_placeholder;

/// Where a fact was declared: its file, and its account and region as far as they are known.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Place {
    /// The file that declares it.
    pub file: FileId,
    /// The account, when the input or its folder says.
    pub account: Option<AccountId>,
    /// The region, when the input or the run says.
    pub region: Option<String>,
    /// What it is declared together with across files, where one file is not one place: a
    /// Terraform configuration's resources created through one provider configuration share a
    /// scope (in whatever file each is written), and a file of such a configuration is no
    /// place of its own. `None`: the file is the place (a stack, one command's output).
    pub scope: Option<u64>,
}

impl Place {
    /// A place in `file` (set again by [`Compute::in_file`]).
    pub fn new(account: Option<AccountId>, region: Option<String>) -> Place {
        Place {
            file: FileId(0),
            account,
            region,
            scope: None,
        }
    }

    /// Whether `other` is declared together with this place: in the same scope, or, where
    /// neither has one, in the same file. Such places share an account and region, and a
    /// name left to deployment means the same resource in both.
    pub fn together(&self, other: &Place) -> bool {
        match (self.scope, other.scope) {
            (None, None) => self.file == other.file,
            (a, b) => a == b,
        }
    }

    /// Whether `other` is certainly in the same account (and, with `regional`, region) as
    /// this place (`Some(true)`), certainly not (`Some(false)`), or not known (`None`). What is
    /// declared [`together`](Place::together) without saying where is in one place.
    pub fn same_as(&self, other: &Place, regional: bool) -> Option<bool> {
        let same_file = self.together(other);
        let account = match (self.account, other.account) {
            (Some(a), Some(b)) => Some(a == b),
            _ if same_file => Some(true),
            _ => None,
        };
        let region = match (&self.region, &other.region) {
            _ if !regional => Some(true),
            (Some(a), Some(b)) => Some(a == b),
            _ if same_file => Some(true),
            _ => None,
        };
        and(account, region)
    }
}

/// Three-valued and: false wins over unknown.
fn and(a: Option<bool>, b: Option<bool>) -> Option<bool> {
    match (a, b) {
        (Some(false), _) | (_, Some(false)) => Some(false),
        (Some(true), Some(true)) => Some(true),
        _ => None,
    }
}

/// Three-valued or: true wins over unknown.
fn or(a: Option<bool>, b: Option<bool>) -> Option<bool> {
    match (a, b) {
        (Some(true), _) | (_, Some(true)) => Some(true),
        (Some(false), Some(false)) => Some(false),
        _ => None,
    }
}

/// A tag of an instance.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Tag {
    /// Its key.
    pub key: String,
    /// Its value (empty when the tag has none).
    pub value: String,
}

/// How a tag filter compares (`Type` of `EC2TagFilter` and `TagFilter`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TagFilterType {
    /// `KEY_ONLY`: an instance with a tag of this key, whatever its value.
    KeyOnly,
    /// `VALUE_ONLY`: an instance with a tag of this value, whatever its key.
    ValueOnly,
    /// `KEY_AND_VALUE`: an instance with this tag.
    KeyAndValue,
}

impl TagFilterType {
    /// The API's name for it.
    pub fn parse(text: &str) -> Option<TagFilterType> {
        match text {
            "KEY_ONLY" => Some(TagFilterType::KeyOnly),
            "VALUE_ONLY" => Some(TagFilterType::ValueOnly),
            "KEY_AND_VALUE" => Some(TagFilterType::KeyAndValue),
            _ => None,
        }
    }
}

/// One tag filter of a deployment group.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TagFilter {
    /// `Key`.
    pub key: Option<String>,
    /// `Value`.
    pub value: Option<String>,
    /// `Type`; `None` when absent or not one the API knows (the CodeDeploy documentation does
    /// not say how a filter without a type compares, so it selects nothing for certain).
    pub kind: Option<TagFilterType>,
    /// The filter as written.
    pub span: Span,
}

/// Equality of two texts, unknown when either holds a value fixed only at deployment.
fn text_eq(a: &str, b: &str) -> Option<bool> {
    if a == b {
        Some(true)
    } else if contains_placeholder(a) || contains_placeholder(b) {
        None
    } else {
        Some(false)
    }
}

impl TagFilter {
    /// Whether an instance with `tags` is selected by this filter: certainly, certainly not,
    /// or not known (no `Type`, a value left to deployment). Tags compare case-sensitively, as
    /// EC2 tags do.
    pub fn matches(&self, tags: &[Tag]) -> Option<bool> {
        let kind = self.kind?;
        let compare = |tag: &Tag| match kind {
            TagFilterType::KeyOnly => text_eq(&tag.key, self.key.as_deref()?),
            TagFilterType::ValueOnly => text_eq(&tag.value, self.value.as_deref()?),
            TagFilterType::KeyAndValue => and(
                text_eq(&tag.key, self.key.as_deref()?),
                text_eq(&tag.value, self.value.as_deref()?),
            ),
        };
        // Not a `try_fold`: an unknown comparison must not stop a later certain match.
        let mut found = Some(false);
        for tag in tags {
            found = or(found, compare(tag));
        }
        found
    }

    /// The filter in words, for messages: "`Name=web`", "key `Name`", "value `web`".
    pub fn describe(&self) -> String {
        let key = self.key.as_deref().unwrap_or("");
        let value = self.value.as_deref().unwrap_or("");
        match self.kind {
            Some(TagFilterType::KeyOnly) => format!("tag key `{key}`"),
            Some(TagFilterType::ValueOnly) => format!("tag value `{value}`"),
            _ => format!("tag `{key}={value}`"),
        }
    }
}

/// Whether `tags` satisfy tag groups: at least one filter of every group. Gives the filter of
/// the first group that matched, to point at.
fn groups_match<'f>(
    groups: &'f [Vec<TagFilter>],
    tags: &[Tag],
) -> (Option<bool>, Option<&'f TagFilter>) {
    let mut all = Some(true);
    let mut first = None;
    for group in groups {
        let mut any = Some(false);
        for filter in group {
            let matched = filter.matches(tags);
            if matched == Some(true) && first.is_none() {
                first = Some(filter);
            }
            any = or(any, matched);
        }
        all = and(all, any);
    }
    (all, first)
}

/// A CodeDeploy deployment group (`get-deployment-group`, `AWS::CodeDeploy::DeploymentGroup`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DeploymentGroup {
    /// Where it is declared.
    pub place: Place,
    /// Its application's name.
    pub application: Spanned<String>,
    /// Its name.
    pub name: Spanned<String>,
    /// `Server`, `Lambda` or `ECS`, when the input says.
    pub compute_platform: Option<String>,
    /// EC2 tag groups: an instance is in the group when it matches a filter of every tag group
    /// (`ec2TagFilters` is one tag group, `ec2TagSet` up to three).
    pub ec2_tag_groups: Vec<Vec<TagFilter>>,
    /// On-premises tag groups, likewise.
    pub on_premises_tag_groups: Vec<Vec<TagFilter>>,
    /// The Auto Scaling groups it deploys to, by name.
    pub auto_scaling_groups: Vec<Spanned<String>>,
    /// Its service role.
    pub service_role: Option<Spanned<String>>,
}

impl DeploymentGroup {
    /// False for a Lambda or ECS deployment group: no instance, no agent, no instance role.
    pub fn deploys_to_instances(&self) -> bool {
        !matches!(self.compute_platform.as_deref(), Some("Lambda" | "ECS"))
    }
}

/// A reference to an instance profile: by ARN (`IamInstanceProfile.Arn`, a launch
/// configuration's ARN) or by name.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ProfileRef {
    /// The ARN or the name, where written.
    pub value: Spanned<String>,
    /// True when `value` is an ARN.
    pub by_arn: bool,
}

impl ProfileRef {
    /// A reference as written: an ARN when it reads as one, else a name.
    pub fn new(value: Spanned<String>) -> ProfileRef {
        let by_arn = value.value.starts_with("arn:");
        ProfileRef { value, by_arn }
    }

    /// The profile's name (the last segment of its ARN's path).
    pub fn name(&self) -> &str {
        profile_name(&self.value.value)
    }
}

/// The name an instance profile ARN or name gives.
fn profile_name(text: &str) -> &str {
    match text.strip_prefix("arn:") {
        Some(_) => text
            .split_once(":instance-profile/")
            .map_or(text, |(_, path)| path.rsplit('/').next().unwrap_or(path)),
        None => text,
    }
}

/// A reference to a launch template: by ID or name, with the version.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LaunchTemplateRef {
    /// `LaunchTemplateId`.
    pub id: Option<String>,
    /// `LaunchTemplateName`.
    pub name: Option<String>,
    /// `Version`: a number, `$Latest` or `$Default` (absent: `$Default`).
    pub version: Option<String>,
    /// The reference as written.
    pub span: Span,
}

impl LaunchTemplateRef {
    /// "launch template `lt-0abc` version 3", for messages.
    pub fn describe(&self) -> String {
        let name = self.id.as_deref().or(self.name.as_deref()).unwrap_or("?");
        match &self.version {
            Some(v) if !contains_placeholder(v) => format!("launch template `{name}` version {v}"),
            _ => format!("launch template `{name}`"),
        }
    }
}

/// An EC2 instance (`describe-instances`, `AWS::EC2::Instance`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Instance {
    /// Where it is declared.
    pub place: Place,
    /// Its ID (a template's logical ID).
    pub id: Spanned<String>,
    /// Its tags.
    pub tags: Vec<Tag>,
    /// Its instance profile.
    pub profile: Option<ProfileRef>,
    /// The launch template it was started from (whose profile it has when it names none).
    pub launch_template: Option<LaunchTemplateRef>,
    /// False for a stopped or terminated instance: no agent runs there to download anything.
    pub running: bool,
}

/// A launch template version (`describe-launch-template-versions`), or a template's
/// `AWS::EC2::LaunchTemplate` (the version the template declares, whatever number it gets).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LaunchTemplate {
    /// Where it is declared.
    pub place: Place,
    /// Its ID.
    pub id: Option<String>,
    /// Its name.
    pub name: Option<String>,
    /// The version number; `None` for a template's declaration, which stands for every
    /// version a reference to it may name.
    pub version: Option<u64>,
    /// True for the default version.
    pub default_version: bool,
    /// `LaunchTemplateData.IamInstanceProfile`.
    pub profile: Option<ProfileRef>,
    /// Where it is declared.
    pub span: Span,
}

impl LaunchTemplate {
    /// "launch template `web` version 3", for messages: by name where it has one that is
    /// known, else by ID.
    pub fn describe(&self) -> String {
        let known = |t: &&String| !contains_placeholder(t);
        let name = self
            .name
            .as_ref()
            .filter(known)
            .or(self.id.as_ref().filter(known))
            .or(self.id.as_ref())
            .or(self.name.as_ref())
            .map_or("?", String::as_str);
        match self.version {
            Some(v) => format!("launch template `{name}` version {v}"),
            None => format!("launch template `{name}`"),
        }
    }
}

/// A launch configuration (`describe-launch-configurations`,
/// `AWS::AutoScaling::LaunchConfiguration`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LaunchConfiguration {
    /// Where it is declared.
    pub place: Place,
    /// Its name.
    pub name: Spanned<String>,
    /// `IamInstanceProfile`: a name or an ARN.
    pub profile: Option<ProfileRef>,
}

/// An Auto Scaling group (`describe-auto-scaling-groups`,
/// `AWS::AutoScaling::AutoScalingGroup`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AutoScalingGroup {
    /// Where it is declared.
    pub place: Place,
    /// Its name.
    pub name: Spanned<String>,
    /// The launch templates it starts instances from: its own, its mixed instances policy's
    /// and their overrides', and those its current instances were started from.
    pub launch_templates: Vec<LaunchTemplateRef>,
    /// The launch configurations likewise.
    pub launch_configurations: Vec<Spanned<String>>,
}

/// An instance profile (`get-instance-profile`, `list-instance-profiles-for-role`,
/// `get-account-authorization-details`, `AWS::IAM::InstanceProfile`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct InstanceProfile {
    /// Where it is declared (instance profiles have no region).
    pub place: Place,
    /// Its name.
    pub name: Option<String>,
    /// Its ARN.
    pub arn: Option<String>,
    /// The ARNs of its roles (one at most, as IAM allows), where the profile names them.
    pub roles: Vec<Spanned<String>>,
    /// Where it is declared.
    pub span: Span,
}

impl InstanceProfile {
    /// Its name, else its ARN, for messages.
    pub fn display_name(&self) -> &str {
        self.name
            .as_deref()
            .or(self.arn.as_deref())
            .unwrap_or("instance profile")
    }
}

/// Every deployment target an input declares.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Compute {
    /// Deployment groups.
    pub deployment_groups: Vec<DeploymentGroup>,
    /// EC2 instances.
    pub instances: Vec<Instance>,
    /// Launch template versions.
    pub launch_templates: Vec<LaunchTemplate>,
    /// Launch configurations.
    pub launch_configurations: Vec<LaunchConfiguration>,
    /// Auto Scaling groups.
    pub auto_scaling_groups: Vec<AutoScalingGroup>,
    /// Instance profiles.
    pub instance_profiles: Vec<InstanceProfile>,
}

/// What a deployment group deploys to: an instance it selects by tags, or an Auto Scaling
/// group it names.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Target {
    /// An instance (index into [`Compute::instances`]).
    Instance(usize),
    /// An Auto Scaling group (index into [`Compute::auto_scaling_groups`]).
    AutoScalingGroup(usize),
}

/// One role the instances of a deployment group certainly use, and how it was followed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Link {
    /// The role's ARN.
    pub role: String,
    /// The target that runs with it.
    pub target: Target,
    /// Where the deployment group selects the target (a tag filter, an Auto Scaling group's
    /// name), in the group's file.
    pub selected_at: Span,
    /// Where the instance, launch template or configuration names the profile.
    pub profile_at: (FileId, Span),
    /// What names the profile, for messages ("instance `i-0abc`", "launch template `lt-1`").
    pub profile_by: String,
    /// The instance profile (index into [`Compute::instance_profiles`]).
    pub profile: usize,
    /// Where the profile names the role, in the profile's file.
    pub role_at: Span,
}

/// Something the inputs do not say on the way from a deployment group to its instances' roles.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Gap {
    /// Where in the deployment group's file it starts.
    pub at: Span,
    /// What is missing, in words.
    pub what: String,
    /// What kind of fact is missing: what would settle it.
    pub missing: Missing,
}

/// The roles a deployment group's instances use, as far as the inputs say.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Resolution {
    /// Roles certainly used.
    pub links: Vec<Link>,
    /// What could not be followed: then the group may reach instances with other roles.
    pub gaps: Vec<Gap>,
}

/// What kind of fact a [`Gap`] misses.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Missing {
    /// The deployment group's own settings.
    DeploymentGroup,
    /// EC2 instances: their tags, account, region or instance profile.
    Instances,
    /// On-premises instances and the IAM identity they register with.
    OnPremisesInstances,
    /// An Auto Scaling group.
    AutoScalingGroup,
    /// A launch template version.
    LaunchTemplate,
    /// A launch configuration.
    LaunchConfiguration,
    /// An instance profile and its role.
    InstanceProfile,
}

/// Equality of names: a name left to deployment (`${Logical}`) is only itself, and only where
/// it was made (another template's `${Logical}` is another resource).
fn same_name(a: &str, a_place: &Place, b: &str, b_place: &Place) -> bool {
    a == b && (!contains_placeholder(a) || a_place.together(b_place))
}

impl Compute {
    /// True when `file` declares any deployment target.
    pub fn mentions_file(&self, file: FileId) -> bool {
        self.deployment_groups.iter().any(|x| x.place.file == file)
            || self.instances.iter().any(|x| x.place.file == file)
            || self.launch_templates.iter().any(|x| x.place.file == file)
            || self
                .launch_configurations
                .iter()
                .any(|x| x.place.file == file)
            || self
                .auto_scaling_groups
                .iter()
                .any(|x| x.place.file == file)
            || self.instance_profiles.iter().any(|x| x.place.file == file)
    }
}

impl Compute {
    /// Sets the file of everything declared.
    pub fn in_file(mut self, file: FileId) -> Compute {
        let places = self
            .deployment_groups
            .iter_mut()
            .map(|g| &mut g.place)
            .chain(self.instances.iter_mut().map(|i| &mut i.place))
            .chain(self.launch_templates.iter_mut().map(|t| &mut t.place))
            .chain(self.launch_configurations.iter_mut().map(|c| &mut c.place))
            .chain(self.auto_scaling_groups.iter_mut().map(|g| &mut g.place))
            .chain(self.instance_profiles.iter_mut().map(|p| &mut p.place));
        for place in places {
            place.file = file;
        }
        self
    }

    /// Adds what `other` declares.
    pub fn extend(&mut self, other: Compute) {
        self.deployment_groups.extend(other.deployment_groups);
        self.instances.extend(other.instances);
        self.launch_templates.extend(other.launch_templates);
        self.launch_configurations
            .extend(other.launch_configurations);
        self.auto_scaling_groups.extend(other.auto_scaling_groups);
        self.instance_profiles.extend(other.instance_profiles);
    }

    /// True when nothing is declared.
    pub fn is_empty(&self) -> bool {
        self == &Compute::default()
    }

    /// The deployment groups named `application`/`name`, for an action in `account` and
    /// `region` declared in `file`: those known to be in that account and region, and those
    /// that may be (their account or region is not known). A name that holds a pipeline
    /// variable names no group for certain; one left to deployment (`${App}`) only the group of
    /// its own template.
    pub fn find_groups(
        &self,
        application: &str,
        name: &str,
        account: AccountId,
        region: Option<&str>,
        file: FileId,
    ) -> (Vec<usize>, Vec<usize>) {
        if crate::symbol::find_opening(application, b'#').is_some()
            || crate::symbol::find_opening(name, b'#').is_some()
        {
            return (Vec::new(), Vec::new());
        }
        let mut certain = Vec::new();
        let mut possible = Vec::new();
        for (i, group) in self.deployment_groups.iter().enumerate() {
            if group.application.value != application || group.name.value != name {
                continue;
            }
            let left_open = contains_placeholder(name) || contains_placeholder(application);
            if left_open && group.place.file != file {
                continue;
            }
            let account_ok = group.place.account.map(|a| a == account);
            let region_ok = match (&group.place.region, region) {
                (Some(a), Some(b)) => Some(a == b),
                _ => None,
            };
            match and(account_ok, region_ok) {
                Some(true) => certain.push(i),
                Some(false) => {}
                None => possible.push(i),
            }
        }
        (certain, possible)
    }

    /// The roles the instances of deployment group `group` use: through the instances its tag
    /// groups select and the Auto Scaling groups it names, their instance profiles (directly,
    /// or through a launch template or configuration), to the profiles' roles. What cannot be
    /// followed is a gap.
    pub fn resolve(&self, group: usize) -> Resolution {
        let mut out = Resolution::default();
        let Some(g) = self.deployment_groups.get(group) else {
            return out;
        };
        let targets_at = g.name.span;
        if g.ec2_tag_groups.iter().all(Vec::is_empty)
            && g.on_premises_tag_groups.iter().all(Vec::is_empty)
            && g.auto_scaling_groups.is_empty()
        {
            out.gaps.push(Gap {
                at: targets_at,
                what: format!(
                    "deployment group `{}` names no tag filter and no Auto Scaling group",
                    g.name.value
                ),
                missing: Missing::DeploymentGroup,
            });
            return out;
        }
        if !g.ec2_tag_groups.iter().all(Vec::is_empty) {
            self.select_instances(g, &mut out);
        }
        if let Some(filter) = g.on_premises_tag_groups.iter().flatten().next() {
            out.gaps.push(Gap {
                at: filter.span,
                what: format!(
                    "deployment group `{}` also deploys to on-premises instances, whose IAM user or role is not known",
                    g.name.value
                ),
                missing: Missing::OnPremisesInstances,
            });
        }
        for name in &g.auto_scaling_groups {
            let found: Vec<usize> = self
                .auto_scaling_groups
                .iter()
                .enumerate()
                .filter(|(_, a)| {
                    same_name(&a.name.value, &a.place, &name.value, &g.place)
                        && g.place.same_as(&a.place, true) == Some(true)
                })
                .map(|(i, _)| i)
                .collect();
            if found.is_empty() {
                out.gaps.push(Gap {
                    at: name.span,
                    what: format!(
                        "Auto Scaling group `{}` is not among the inputs",
                        name.value
                    ),
                    missing: Missing::AutoScalingGroup,
                });
            }
            for a in found {
                self.follow_asg(a, name.span, &mut out);
            }
        }
        // One link per role and profile: the first way found is the one shown.
        let mut seen = Vec::new();
        out.links.retain(|l| {
            let key = (l.role.to_ascii_lowercase(), l.profile);
            if seen.contains(&key) {
                return false;
            }
            seen.push(key);
            true
        });
        out
    }

    /// The instances a group's EC2 tag groups select, followed to their roles.
    fn select_instances(&self, g: &DeploymentGroup, out: &mut Resolution) {
        let first_filter = g
            .ec2_tag_groups
            .iter()
            .flatten()
            .next()
            .map_or(g.name.span, |f| f.span);
        let (mut selected, mut undecided) = (0, 0);
        for (i, instance) in self.instances.iter().enumerate() {
            if !instance.running {
                continue;
            }
            let (tags, filter) = groups_match(&g.ec2_tag_groups, &instance.tags);
            match and(g.place.same_as(&instance.place, true), tags) {
                Some(false) => {}
                Some(true) => {
                    selected += 1;
                    let at = filter.map_or(first_filter, |f| f.span);
                    self.follow_instance(i, at, out);
                }
                None => {
                    undecided += 1;
                    out.gaps.push(Gap {
                    at: first_filter,
                    what: format!(
                        "whether instance `{}` is one of deployment group `{}`'s is not known (its account, region or a tag is left open, or a filter has no `Type`)",
                        instance.id.value, g.name.value
                    ),
                    missing: Missing::Instances,
                })
                }
            }
        }
        // Said once: each undecided instance is a gap of its own already.
        if selected == 0 && undecided == 0 {
            let filters: Vec<String> = g
                .ec2_tag_groups
                .iter()
                .flatten()
                .map(TagFilter::describe)
                .collect();
            out.gaps.push(Gap {
                at: first_filter,
                what: format!(
                    "no running EC2 instance among the inputs is selected by deployment group `{}`'s {}",
                    g.name.value,
                    filters.join(", ")
                ),
                missing: Missing::Instances,
            });
        }
    }

    /// An instance of the group: its profile, else its launch template's.
    fn follow_instance(&self, i: usize, selected_at: Span, out: &mut Resolution) {
        let instance = &self.instances[i];
        let by = format!("instance `{}`", instance.id.value);
        let target = Target::Instance(i);
        match (&instance.profile, &instance.launch_template) {
            (Some(profile), _) => {
                self.follow_profile(profile, &instance.place, &by, target, selected_at, out)
            }
            (None, Some(template)) => {
                self.follow_template(template, &instance.place, target, selected_at, out)
            }
            (None, None) => out.gaps.push(Gap {
                at: selected_at,
                what: format!(
                    "{by} has no instance profile: which credentials its CodeDeploy agent uses is not known"
                ),
                missing: Missing::Instances,
            }),
        }
    }

    /// An Auto Scaling group of the deployment group: each launch template and configuration
    /// it starts instances from.
    fn follow_asg(&self, a: usize, selected_at: Span, out: &mut Resolution) {
        let asg = &self.auto_scaling_groups[a];
        let target = Target::AutoScalingGroup(a);
        if asg.launch_templates.is_empty() && asg.launch_configurations.is_empty() {
            out.gaps.push(Gap {
                at: selected_at,
                what: format!(
                    "Auto Scaling group `{}` names no launch template or configuration",
                    asg.name.value
                ),
                missing: Missing::AutoScalingGroup,
            });
        }
        for template in &asg.launch_templates {
            self.follow_template(template, &asg.place, target, selected_at, out);
        }
        for name in &asg.launch_configurations {
            let found: Vec<&LaunchConfiguration> = self
                .launch_configurations
                .iter()
                .filter(|c| {
                    same_name(&c.name.value, &c.place, &name.value, &asg.place)
                        && asg.place.same_as(&c.place, true) == Some(true)
                })
                .collect();
            if found.is_empty() {
                out.gaps.push(Gap {
                    at: selected_at,
                    what: format!(
                        "launch configuration `{}` of Auto Scaling group `{}` is not among the inputs",
                        name.value, asg.name.value
                    ),
                    missing: Missing::LaunchConfiguration,
                });
            }
            for configuration in found {
                let by = format!("launch configuration `{}`", configuration.name.value);
                match &configuration.profile {
                    Some(profile) => self.follow_profile(
                        profile,
                        &configuration.place,
                        &by,
                        target,
                        selected_at,
                        out,
                    ),
                    None => out.gaps.push(Gap {
                        at: selected_at,
                        what: format!("{by} gives its instances no instance profile"),
                        missing: Missing::LaunchConfiguration,
                    }),
                }
            }
        }
    }

    /// The launch template versions a reference names: a template's declaration stands for
    /// every version; of the versions `describe-launch-template-versions` lists, the one the
    /// reference's version selects (`$Default` when none: what Auto Scaling and EC2 use).
    fn follow_template(
        &self,
        template: &LaunchTemplateRef,
        from: &Place,
        target: Target,
        selected_at: Span,
        out: &mut Resolution,
    ) {
        let candidates: Vec<&LaunchTemplate> = self
            .launch_templates
            .iter()
            .filter(|t| {
                // IDs are unique across accounts; a name is unique in its account and region.
                let by_id = match (&t.id, &template.id) {
                    (Some(a), Some(b)) => same_name(a, &t.place, b, from),
                    _ => false,
                };
                let by_name = match (&t.name, &template.name) {
                    (Some(a), Some(b)) => {
                        same_name(a, &t.place, b, from)
                            && from.same_as(&t.place, true) == Some(true)
                    }
                    _ => false,
                };
                by_id || by_name
            })
            .collect();
        let declared: Vec<&LaunchTemplate> = candidates
            .iter()
            .copied()
            .filter(|t| t.version.is_none())
            .collect();
        let chosen: Vec<&LaunchTemplate> = if !declared.is_empty() {
            declared
        } else {
            let numbers: Vec<u64> = candidates.iter().filter_map(|t| t.version).collect();
            let wanted = match template.version.as_deref().map(str::trim) {
                None | Some("$Default") => candidates
                    .iter()
                    .find(|t| t.default_version)
                    .and_then(|t| t.version),
                // The latest only when every version up to the highest is listed: a listing
                // filtered to some versions does not say which is the latest.
                Some("$Latest") => numbers
                    .iter()
                    .max()
                    .copied()
                    .filter(|&max| (1..=max).all(|n| numbers.contains(&n))),
                Some(number) => number.parse::<u64>().ok(),
            };
            candidates
                .iter()
                .copied()
                .filter(|t| wanted.is_some() && t.version == wanted)
                .take(1)
                .collect()
        };
        if chosen.is_empty() {
            out.gaps.push(Gap {
                at: selected_at,
                what: format!("{} is not among the inputs", template.describe()),
                missing: Missing::LaunchTemplate,
            });
        }
        for version in chosen {
            let by = version.describe();
            match &version.profile {
                Some(profile) => {
                    self.follow_profile(profile, &version.place, &by, target, selected_at, out)
                }
                None => out.gaps.push(Gap {
                    at: selected_at,
                    what: format!("{by} gives its instances no instance profile"),
                    missing: Missing::LaunchTemplate,
                }),
            }
        }
    }

    /// An instance profile reference, to the profile's roles.
    fn follow_profile(
        &self,
        profile: &ProfileRef,
        from: &Place,
        by: &str,
        target: Target,
        selected_at: Span,
        out: &mut Resolution,
    ) {
        let wanted = profile.value.value.as_str();
        let wanted_account = match profile.by_arn {
            true => Arn::parse(wanted).ok().and_then(|a| a.account_id()),
            false => None,
        };
        let found: Vec<usize> = self
            .instance_profiles
            .iter()
            .enumerate()
            .filter(|(_, p)| {
                if p.arn.as_deref() == Some(wanted) || p.name.as_deref() == Some(wanted) {
                    // The same text: a placeholder only within its file.
                    return !contains_placeholder(wanted) || p.place.together(from);
                }
                if contains_placeholder(wanted) {
                    return false;
                }
                // Names are unique in an account whatever their case and path.
                let name_matches = p
                    .name
                    .as_deref()
                    .or(p.arn.as_deref().map(profile_name))
                    .is_some_and(|n| n.eq_ignore_ascii_case(profile.name()));
                let account_matches = match wanted_account {
                    Some(account) => p.place.account == Some(account),
                    None => from.same_as(&p.place, false) == Some(true),
                };
                name_matches && account_matches
            })
            .map(|(i, _)| i)
            .collect();
        if found.is_empty() {
            out.gaps.push(Gap {
                at: selected_at,
                what: format!(
                    "instance profile `{wanted}` of {by} is not among the inputs: which role it gives is not known"
                ),
                missing: Missing::InstanceProfile,
            });
        }
        for p in found {
            let instance_profile = &self.instance_profiles[p];
            if instance_profile.roles.is_empty() {
                out.gaps.push(Gap {
                    at: selected_at,
                    what: format!(
                        "instance profile `{}` of {by} holds no role the inputs name",
                        instance_profile.display_name()
                    ),
                    missing: Missing::InstanceProfile,
                });
            }
            for role in &instance_profile.roles {
                out.links.push(Link {
                    role: role.value.clone(),
                    target,
                    selected_at,
                    profile_at: (from.file, profile.value.span),
                    profile_by: by.to_string(),
                    profile: p,
                    role_at: role.span,
                });
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tag(key: &str, value: &str) -> Tag {
        Tag {
            key: key.into(),
            value: value.into(),
        }
    }

    fn filter(key: Option<&str>, value: Option<&str>, kind: Option<TagFilterType>) -> TagFilter {
        TagFilter {
            key: key.map(Into::into),
            value: value.map(Into::into),
            kind,
            span: Span::default(),
        }
    }

    #[test]
    fn filter_types_compare_as_the_api_says() {
        use TagFilterType::*;
        let tags = [tag("Name", "web"), tag("Env", "prod")];
        assert_eq!(
            filter(Some("Name"), Some("web"), Some(KeyAndValue)).matches(&tags),
            Some(true)
        );
        assert_eq!(
            filter(Some("Name"), Some("prod"), Some(KeyAndValue)).matches(&tags),
            Some(false)
        );
        assert_eq!(
            filter(Some("Env"), Some("x"), Some(KeyOnly)).matches(&tags),
            Some(true)
        );
        assert_eq!(
            filter(Some("env"), None, Some(KeyOnly)).matches(&tags),
            Some(false)
        );
        assert_eq!(
            filter(Some("x"), Some("prod"), Some(ValueOnly)).matches(&tags),
            Some(true)
        );
        // No type: the documentation does not say, so it is not known.
        assert_eq!(filter(Some("Name"), Some("web"), None).matches(&tags), None);
        // A value left to deployment matches nothing for certain.
        assert_eq!(
            filter(Some("Name"), Some("${Web}"), Some(KeyAndValue)).matches(&tags),
            None
        );
        // But a certain match elsewhere still settles it.
        assert_eq!(
            filter(Some("Name"), Some("web"), Some(KeyAndValue))
                .matches(&[tag("Name", "web"), tag("${X}", "y")]),
            Some(true)
        );
    }

    #[test]
    fn tag_groups_are_and_of_or() {
        use TagFilterType::*;
        let name = |v: &str| filter(Some("Name"), Some(v), Some(KeyAndValue));
        let env = |v: &str| filter(Some("Env"), Some(v), Some(KeyAndValue));
        let groups = vec![vec![name("web"), name("api")], vec![env("prod")]];
        let matches = |tags: &[Tag]| groups_match(&groups, tags).0;
        assert_eq!(
            matches(&[tag("Name", "api"), tag("Env", "prod")]),
            Some(true)
        );
        assert_eq!(
            matches(&[tag("Name", "api"), tag("Env", "dev")]),
            Some(false)
        );
        assert_eq!(matches(&[tag("Env", "prod")]), Some(false));
    }

    #[test]
    fn profile_names_come_from_arns_with_paths() {
        assert_eq!(
            profile_name("arn:aws:iam::222222222222:instance-profile/app/Web"),
            "Web"
        );
        assert_eq!(profile_name("Web"), "Web");
    }

    fn place(file: u32, account: &str) -> Place {
        Place {
            file: FileId(file),
            account: AccountId::parse(account),
            region: Some("us-east-2".into()),
            scope: None,
        }
    }

    fn group(ec2: Vec<Vec<TagFilter>>, asgs: &[&str]) -> DeploymentGroup {
        DeploymentGroup {
            place: place(0, "222222222222"),
            application: Spanned::new("App".into(), Span::default()),
            name: Spanned::new("Group".into(), Span::default()),
            compute_platform: None,
            ec2_tag_groups: ec2,
            on_premises_tag_groups: Vec::new(),
            auto_scaling_groups: asgs
                .iter()
                .map(|n| Spanned::new(n.to_string(), Span::default()))
                .collect(),
            service_role: None,
        }
    }

    fn profile(name: &str, role: &str) -> InstanceProfile {
        InstanceProfile {
            place: place(2, "222222222222"),
            name: Some(name.into()),
            arn: Some(format!("arn:aws:iam::222222222222:instance-profile/{name}")),
            roles: vec![Spanned::new(
                format!("arn:aws:iam::222222222222:role/{role}"),
                Span::default(),
            )],
            span: Span::default(),
        }
    }

    fn instance(id: &str, tags: Vec<Tag>, profile: &str) -> Instance {
        Instance {
            place: place(1, "222222222222"),
            id: Spanned::new(id.into(), Span::default()),
            tags,
            profile: Some(ProfileRef::new(Spanned::new(
                format!("arn:aws:iam::222222222222:instance-profile/{profile}"),
                Span::default(),
            ))),
            launch_template: None,
            running: true,
        }
    }

    #[test]
    fn tag_filters_follow_the_selected_instances_only() {
        let web = filter(Some("Name"), Some("web"), Some(TagFilterType::KeyAndValue));
        let compute = Compute {
            deployment_groups: vec![group(vec![vec![web]], &[])],
            instances: vec![
                instance("i-web", vec![tag("Name", "web")], "WebProfile"),
                instance("i-batch", vec![tag("Name", "batch")], "BatchProfile"),
            ],
            instance_profiles: vec![
                profile("BatchProfile", "Batch"),
                profile("WebProfile", "Web"),
            ],
            ..Compute::default()
        };
        let resolution = compute.resolve(0);
        assert_eq!(resolution.gaps, Vec::new());
        let roles: Vec<&str> = resolution.links.iter().map(|l| l.role.as_str()).collect();
        assert_eq!(roles, ["arn:aws:iam::222222222222:role/Web"]);
        assert_eq!(resolution.links[0].target, Target::Instance(0));
    }

    #[test]
    fn an_instance_in_another_account_is_not_selected() {
        let web = filter(Some("Name"), Some("web"), Some(TagFilterType::KeyAndValue));
        let mut other = instance("i-web", vec![tag("Name", "web")], "WebProfile");
        other.place.account = AccountId::parse("333333333333");
        let compute = Compute {
            deployment_groups: vec![group(vec![vec![web]], &[])],
            instances: vec![other],
            instance_profiles: vec![profile("WebProfile", "Web")],
            ..Compute::default()
        };
        let resolution = compute.resolve(0);
        assert!(resolution.links.is_empty());
        assert_eq!(resolution.gaps.len(), 1, "{resolution:?}");
    }

    #[test]
    fn an_instance_not_known_to_be_in_the_groups_region_is_a_gap_not_a_link() {
        let web = filter(Some("Name"), Some("web"), Some(TagFilterType::KeyAndValue));
        let mut g = group(vec![vec![web]], &[]);
        g.place.region = None;
        let compute = Compute {
            deployment_groups: vec![g],
            instances: vec![instance("i-web", vec![tag("Name", "web")], "WebProfile")],
            instance_profiles: vec![profile("WebProfile", "Web")],
            ..Compute::default()
        };
        let resolution = compute.resolve(0);
        assert!(resolution.links.is_empty());
        let gaps: Vec<&str> = resolution.gaps.iter().map(|g| g.what.as_str()).collect();
        assert_eq!(gaps, ["whether instance `i-web` is one of deployment group `Group`'s is not known (its account, region or a tag is left open, or a filter has no `Type`)"]);
    }

    #[test]
    fn launch_template_versions_are_chosen_as_auto_scaling_does() {
        let version = |n: u64, default: bool, profile: &str| LaunchTemplate {
            place: place(3, "222222222222"),
            id: Some("lt-1".into()),
            name: Some("web".into()),
            version: Some(n),
            default_version: default,
            profile: Some(ProfileRef::new(Spanned::new(
                profile.into(),
                Span::default(),
            ))),
            span: Span::default(),
        };
        let asg = |v: Option<&str>| AutoScalingGroup {
            place: place(4, "222222222222"),
            name: Spanned::new("web-asg".into(), Span::default()),
            launch_templates: vec![LaunchTemplateRef {
                id: Some("lt-1".into()),
                name: None,
                version: v.map(Into::into),
                span: Span::default(),
            }],
            launch_configurations: Vec::new(),
        };
        let roles_for = |v: Option<&str>, versions: Vec<LaunchTemplate>| {
            let compute = Compute {
                deployment_groups: vec![group(Vec::new(), &["web-asg"])],
                auto_scaling_groups: vec![asg(v)],
                launch_templates: versions,
                instance_profiles: vec![profile("Old", "OldRole"), profile("New", "NewRole")],
                ..Compute::default()
            };
            let r = compute.resolve(0);
            (
                r.links.iter().map(|l| l.role.clone()).collect::<Vec<_>>(),
                r.gaps.len(),
            )
        };
        let both = || vec![version(1, true, "Old"), version(2, false, "New")];
        let old = "arn:aws:iam::222222222222:role/OldRole".to_string();
        let new = "arn:aws:iam::222222222222:role/NewRole".to_string();
        assert_eq!(roles_for(None, both()), (vec![old.clone()], 0));
        assert_eq!(roles_for(Some("$Default"), both()), (vec![old.clone()], 0));
        assert_eq!(roles_for(Some("$Latest"), both()), (vec![new.clone()], 0));
        assert_eq!(roles_for(Some("2"), both()), (vec![new], 0));
        // Version 1 missing: which is the latest is not known.
        assert_eq!(
            roles_for(Some("$Latest"), vec![version(2, false, "New")]),
            (vec![], 1)
        );
    }
}
