//! What a template declares of a CodeDeploy deployment's reach, into the model's
//! [`Compute`]: `AWS::CodeDeploy::DeploymentGroup` (with its `AWS::CodeDeploy::Application`'s
//! compute platform), `AWS::EC2::Instance`, `AWS::EC2::LaunchTemplate`,
//! `AWS::AutoScaling::AutoScalingGroup`, `AWS::AutoScaling::LaunchConfiguration` and
//! `AWS::IAM::InstanceProfile`. Names and references are evaluated as everywhere else in a
//! template: a physical name CloudFormation picks stays a placeholder, which names only its own
//! resource of this template.

use std::collections::HashMap;

use xacct_model::compute::{
    AutoScalingGroup, Compute, DeploymentGroup, Instance, InstanceProfile, LaunchConfiguration,
    LaunchTemplate, Place, ProfileRef, TagFilter,
};
use xacct_model::pipeline::Spanned;
use xacct_syntax::json::Node;

use super::eval::{scalar_text, Owned, Template};
use super::{ref_node, role_arns_of, StackFacts};
use crate::compute::{groups, launch_sources, Reader, Source};
use crate::Issue;

/// Reads the deployment groups, instances, launch templates and configurations, Auto Scaling
/// groups and instance profiles of a template (resources whose condition is false excluded).
pub(super) fn load(template: &Template<'_, '_>, facts: &StackFacts) -> (Compute, Vec<Issue>) {
    let place = Place::new(facts.account, facts.region.clone());
    let mut compute = Compute::default();
    let mut issues = Vec::new();
    // Applications by the name `Ref` gives, for their deployment groups' compute platform.
    let mut platforms: HashMap<String, String> = HashMap::new();
    let mut groups_found = Vec::new();
    for &(id, id_span, node) in &template.resources {
        let Some(kind) = node.get("Type").and_then(Node::as_str) else {
            continue;
        };
        let source: &'static str = match kind {
            "AWS::CodeDeploy::Application" => "AWS::CodeDeploy::Application",
            "AWS::CodeDeploy::DeploymentGroup" => "AWS::CodeDeploy::DeploymentGroup",
            "AWS::EC2::Instance" => "AWS::EC2::Instance",
            "AWS::EC2::LaunchTemplate" => "AWS::EC2::LaunchTemplate",
            "AWS::AutoScaling::AutoScalingGroup" => "AWS::AutoScaling::AutoScalingGroup",
            "AWS::AutoScaling::LaunchConfiguration" => "AWS::AutoScaling::LaunchConfiguration",
            "AWS::IAM::InstanceProfile" => "AWS::IAM::InstanceProfile",
            _ => continue,
        };
        if let Some(condition) = node.get("Condition").and_then(Node::as_str) {
            if template.condition(condition) == Some(false) {
                continue;
            }
        }
        let Some(raw) = node.get("Properties") else {
            continue;
        };
        let Some(properties) = template.eval(raw) else {
            continue;
        };
        if properties.as_object().is_none() {
            continue;
        }
        let mut r = Reader::new(Source::Resource(source));
        // What `Ref` of the resource gives: its physical name, or a placeholder.
        let own_name = || {
            Spanned::new(
                template
                    .eval_text(&ref_node(id, id_span))
                    .unwrap_or_else(|| xacct_model::symbol::placeholder(id)),
                id_span,
            )
        };
        match source {
            "AWS::CodeDeploy::Application" => {
                if let Some(platform) = r.string(&properties, "ComputePlatform") {
                    platforms.insert(own_name().value, platform.value);
                }
            }
            "AWS::CodeDeploy::DeploymentGroup" => {
                if let Some(group) = deployment_group(&mut r, &properties, own_name(), &place) {
                    groups_found.push(group);
                }
            }
            "AWS::EC2::Instance" => compute.instances.push(Instance {
                place: place.clone(),
                id: Spanned::new(id.to_string(), id_span),
                tags: r.tags(&properties, "Tags"),
                profile: r
                    .string(&properties, "IamInstanceProfile")
                    .map(ProfileRef::new),
                launch_template: r
                    .object(&properties, "LaunchTemplate")
                    .and_then(|t| r.launch_template_ref(t)),
                running: true,
            }),
            "AWS::EC2::LaunchTemplate" => {
                let profile = r
                    .object(&properties, "LaunchTemplateData")
                    .and_then(|data| r.object(data, "IamInstanceProfile"))
                    .and_then(|p| r.profile_spec(p));
                compute.launch_templates.push(LaunchTemplate {
                    place: place.clone(),
                    id: Some(own_name().value),
                    name: r.string(&properties, "LaunchTemplateName").map(|n| n.value),
                    // The version the template declares: what every reference to it gets.
                    version: None,
                    default_version: true,
                    profile,
                    span: id_span,
                });
            }
            "AWS::AutoScaling::LaunchConfiguration" => {
                compute.launch_configurations.push(LaunchConfiguration {
                    place: place.clone(),
                    name: own_name(),
                    profile: r
                        .string(&properties, "IamInstanceProfile")
                        .map(ProfileRef::new),
                })
            }
            "AWS::AutoScaling::AutoScalingGroup" => {
                let mut group = AutoScalingGroup {
                    place: place.clone(),
                    name: own_name(),
                    launch_templates: Vec::new(),
                    launch_configurations: Vec::new(),
                };
                launch_sources(&mut r, &properties, &mut group);
                compute.auto_scaling_groups.push(group);
            }
            "AWS::IAM::InstanceProfile" => {
                // `Roles` as written: a `Ref` to a role of the template gives its ARN.
                let roles = match raw.get("Roles").and_then(Node::as_array) {
                    Some(items) => role_arns_of(template, items),
                    None => Vec::new(),
                };
                compute.instance_profiles.push(InstanceProfile {
                    place: Place {
                        region: None,
                        ..place.clone()
                    },
                    name: Some(own_name().value),
                    arn: Some(template.get_att(id, "Arn")),
                    roles,
                    span: id_span,
                });
            }
            _ => {}
        }
        issues.extend(r.issues);
    }
    for mut group in groups_found {
        group.compute_platform = platforms.get(&group.application.value).cloned();
        compute.deployment_groups.push(group);
    }
    (compute, issues)
}

/// An `AWS::CodeDeploy::DeploymentGroup`'s name, application and targets.
fn deployment_group(
    r: &mut Reader,
    properties: &Owned,
    own_name: Spanned<String>,
    place: &Place,
) -> Option<DeploymentGroup> {
    let application = r.string(properties, "ApplicationName")?;
    let name = r
        .string(properties, "DeploymentGroupName")
        .unwrap_or(own_name);
    let tag_set = |r: &mut Reader, set: &str, list: &str, group: &str| -> Vec<Vec<TagFilter>> {
        let Some(set) = r.object(properties, set) else {
            return Vec::new();
        };
        r.list(set, list)
            .iter()
            .filter_map(|item| {
                if item.as_object().is_none() {
                    r.wrong_shape(list, item, &format!("a list of objects with `{group}`"));
                    return None;
                }
                Some(r.tag_group(item, group))
            })
            .collect()
    };
    let ec2_tag_groups = groups(
        tag_set(r, "Ec2TagSet", "Ec2TagSetList", "Ec2TagGroup"),
        r.tag_group(properties, "Ec2TagFilters"),
    );
    let on_premises_tag_groups = groups(
        tag_set(
            r,
            "OnPremisesTagSet",
            "OnPremisesTagSetList",
            "OnPremisesTagGroup",
        ),
        r.tag_group(properties, "OnPremisesInstanceTagFilters"),
    );
    let auto_scaling_groups = r
        .list(properties, "AutoScalingGroups")
        .iter()
        .filter_map(|item| Some(Spanned::new(scalar_text(item)?, item.span)))
        .collect();
    Some(DeploymentGroup {
        place: place.clone(),
        application,
        name,
        compute_platform: None,
        ec2_tag_groups,
        on_premises_tag_groups,
        auto_scaling_groups,
        service_role: r.string(properties, "ServiceRoleArn"),
    })
}

#[cfg(test)]
mod tests {
    use xacct_model::arn::AccountId;
    use xacct_model::compute::{TagFilterType, Target};

    use super::super::{load_template, StackFacts};
    use crate::Limits;

    fn load(text: &str) -> (xacct_model::compute::Compute, Vec<crate::Issue>) {
        let document = xacct_syntax::yaml::parse(text).unwrap();
        let facts = StackFacts {
            account: AccountId::parse("222222222222"),
            region: Some("us-east-2".to_string()),
            ..StackFacts::default()
        };
        let contents = load_template(&document.root, Some(text), &facts, &Limits::default());
        (contents.compute, contents.issues)
    }

    const TEMPLATE: &str = r#"
Conditions:
  Never: !Equals [a, b]
Resources:
  App:
    Type: AWS::CodeDeploy::Application
    Properties: {ApplicationName: Shop, ComputePlatform: Server}
  Group:
    Type: AWS::CodeDeploy::DeploymentGroup
    Properties:
      ApplicationName: !Ref App
      DeploymentGroupName: web
      Ec2TagSet:
        Ec2TagSetList:
          - Ec2TagGroup: [{Key: Name, Value: web, Type: KEY_AND_VALUE}]
          - Ec2TagGroup: [{Key: Env, Type: KEY_ONLY}]
      AutoScalingGroups: [!Ref Asg]
  Asg:
    Type: AWS::AutoScaling::AutoScalingGroup
    Properties:
      MinSize: 1
      MaxSize: 2
      LaunchTemplate: {LaunchTemplateId: !Ref Lt, Version: !GetAtt Lt.LatestVersionNumber}
  Lt:
    Type: AWS::EC2::LaunchTemplate
    Properties:
      LaunchTemplateData:
        IamInstanceProfile: {Arn: !GetAtt Profile.Arn}
  Web:
    Type: AWS::EC2::Instance
    Properties:
      IamInstanceProfile: !Ref Profile
      Tags: [{Key: Name, Value: web}, {Key: Env, Value: prod}]
  Gone:
    Type: AWS::EC2::Instance
    Condition: Never
    Properties: {IamInstanceProfile: !Ref Profile}
  Profile:
    Type: AWS::IAM::InstanceProfile
    Properties:
      Path: /app/
      Roles: [!Ref Role]
  Role:
    Type: AWS::IAM::Role
    Properties:
      RoleName: web-role
      AssumeRolePolicyDocument: {Statement: []}
"#;

    #[test]
    fn a_template_leads_from_its_group_to_its_roles() {
        let (compute, issues) = load(TEMPLATE);
        assert!(issues.is_empty(), "{issues:?}");
        let group = &compute.deployment_groups[0];
        assert_eq!(group.application.value, "Shop");
        assert_eq!(group.compute_platform.as_deref(), Some("Server"));
        assert_eq!(
            group.ec2_tag_groups[1][0].kind,
            Some(TagFilterType::KeyOnly)
        );
        // The Auto Scaling group has no name of its own: `Ref` gives a placeholder, which names
        // it within this template only.
        assert_eq!(group.auto_scaling_groups[0].value, "${Asg}");
        assert_eq!(
            compute.instances.len(),
            1,
            "the instance under a false condition is out"
        );
        assert_eq!(
            compute.instance_profiles[0].arn.as_deref(),
            Some("arn:aws:iam::222222222222:instance-profile/app/${Profile}")
        );
        let resolution = compute.resolve(0);
        assert_eq!(resolution.gaps, Vec::new());
        let found: Vec<(Target, &str)> = resolution
            .links
            .iter()
            .map(|l| (l.target, l.role.as_str()))
            .collect();
        // The Auto Scaling group's way leads to the same profile and role: shown once, by the
        // first way found.
        assert_eq!(
            found,
            [(
                Target::Instance(0),
                "arn:aws:iam::222222222222:role/web-role"
            )]
        );
    }

    #[test]
    fn wrong_shapes_are_reported_and_deferred_values_are_not() {
        let text = r#"
Parameters:
  Groups: {Type: CommaDelimitedList}
Resources:
  Group:
    Type: AWS::CodeDeploy::DeploymentGroup
    Properties:
      ApplicationName: Shop
      Ec2TagFilters: {Key: Name}
      AutoScalingGroups: !Ref Groups
"#;
        let (compute, issues) = load(text);
        let messages: Vec<&str> = issues.iter().map(|i| i.message.as_str()).collect();
        assert_eq!(
            messages,
            ["`Ec2TagFilters` must be a list in AWS::CodeDeploy::DeploymentGroup; found an object"]
        );
        assert!(compute.deployment_groups[0].auto_scaling_groups.is_empty());
    }
}
