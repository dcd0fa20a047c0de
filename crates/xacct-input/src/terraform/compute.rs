//! What a Terraform configuration or plan declares of a CodeDeploy deployment's reach, into the
//! model's [`Compute`]: `aws_codedeploy_app` (its compute platform),
//! `aws_codedeploy_deployment_group`, `aws_instance`, `aws_autoscaling_group`,
//! `aws_launch_template`, `aws_launch_configuration` and `aws_iam_instance_profile`. Shared by
//! both readers: the values are Terraform's JSON shape either way (blocks as lists of objects).
//!
//! Each fact is placed in its provider's account and region, and in a scope of its own provider
//! configuration: a configuration's resources are written across files, and a name known only
//! once applied (`${aws_autoscaling_group.web.name}`, an ASG without `name`) is the same
//! resource wherever the configuration refers to it, and nothing elsewhere.

use xacct_model::compute::{
    AutoScalingGroup, DeploymentGroup, Instance, InstanceProfile, LaunchConfiguration,
    LaunchTemplate, LaunchTemplateRef, Place, ProfileRef, Tag, TagFilter, TagFilterType,
};
use xacct_model::pipeline::Spanned;
use xacct_syntax::Span;

use super::resources::{entry, role_arn, Output, Resource};
use super::value::{At, Val, V};

/// The resource types read here.
pub const KINDS: &[&str] = &[
    "aws_codedeploy_app",
    "aws_codedeploy_deployment_group",
    "aws_instance",
    "aws_autoscaling_group",
    "aws_launch_template",
    "aws_launch_configuration",
    "aws_iam_instance_profile",
];

/// The span of `v` in `file`, else `fallback` (a value whose text is in another file shows at
/// the argument that names it).
fn span_in(v: &Val, file: u32, fallback: Span) -> Span {
    if v.at.file == file {
        v.at.span
    } else {
        fallback
    }
}

/// Where a value of the resource shows: its own text when written in the resource's block,
/// else (a value read through a reference to what is written elsewhere) the argument that
/// names it, else the resource.
pub(super) fn site(r: &Resource<'_>, key_at: At, v: &Val) -> Span {
    let block = r.values.at;
    let inside = |at: At| {
        at.file == r.at.file && block.span.start <= at.span.start && at.span.end <= block.span.end
    };
    if block.file == r.at.file && inside(v.at) {
        v.at.span
    } else if key_at.file == r.at.file {
        key_at.span
    } else {
        r.at.span
    }
}

/// The text of an argument with its span in the resource's file: a value known only once
/// applied is its placeholder, which names nothing but itself.
fn text_of(r: &Resource<'_>, values: &Val, key: &str) -> Option<Spanned<String>> {
    let (key_at, v) = entry(values, key)?;
    let text = v.text()?.into_owned();
    Some(Spanned::new(text, site(r, key_at, v)))
}

/// The blocks (or single object) under `key`.
fn blocks(values: &Val, key: &str) -> Vec<Val> {
    match entry(values, key) {
        Some((_, v @ Val { v: V::List(_), .. })) => v.items().to_vec(),
        Some((_, v @ Val { v: V::Map(_), .. })) => vec![v.clone()],
        // A `dynamic` block over values not known: blocks not known either.
        Some((
            at,
            v @ Val {
                v: V::Unknown(_), ..
            },
        )) => vec![Val::new(at, v.v.clone())],
        _ => Vec::new(),
    }
}

/// One `ec2_tag_filter` or `on_premises_instance_tag_filter` block.
fn tag_filter(r: &Resource<'_>, block: &Val) -> TagFilter {
    let span = span_in(block, r.at.file, r.at.span);
    if let V::Unknown(name) = &block.v {
        // Filters not known: a filter that compares with an unknown key decides nothing.
        let unknown = xacct_model::symbol::placeholder(name);
        return TagFilter {
            key: Some(unknown.clone()),
            value: Some(unknown),
            kind: Some(TagFilterType::KeyAndValue),
            span,
        };
    }
    let field = |key: &str| entry(block, key).and_then(|(_, v)| v.text().map(|t| t.into_owned()));
    TagFilter {
        key: field("key"),
        value: field("value"),
        kind: field("type").and_then(|t| TagFilterType::parse(&t)),
        span,
    }
}

/// A tag group: the filter blocks under `key`.
fn tag_group(r: &Resource<'_>, values: &Val, key: &str) -> Vec<TagFilter> {
    blocks(values, key)
        .iter()
        .map(|b| tag_filter(r, b))
        .collect()
}

/// A list of names (`autoscaling_groups`), each with its span.
fn names(r: &Resource<'_>, values: &Val, key: &str) -> Vec<Spanned<String>> {
    let Some((key_at, list)) = entry(values, key) else {
        return Vec::new();
    };
    let items = match &list.v {
        V::List(items) => items.clone(),
        _ => vec![list.clone()],
    };
    items
        .iter()
        .filter_map(|item| {
            let text = item.text()?.into_owned();
            Some(Spanned::new(text, site(r, key_at, item)))
        })
        .collect()
}

/// Tags: a map of keys to values. A map not known is one tag not known, so that no filter
/// decides on it for certain.
fn tags(r: &Resource<'_>, values: &Val) -> Vec<Tag> {
    // A plan's `tags_all` holds the provider's default tags too. Known only once applied, it
    // is the instance's own tags and some not known: a filter that matches one of its own
    // still selects it, no other filter rules it out.
    match entry(values, "tags_all").map(|(_, v)| v) {
        Some(
            all @ Val {
                v: V::Unknown(_), ..
            },
        ) => {
            let mut tags = own_tags(r, entry(values, "tags").map(|(_, v)| v));
            tags.extend(own_tags(r, Some(all)));
            tags
        }
        Some(all) => own_tags(r, Some(all)),
        None => {
            let own_value = entry(values, "tags").map(|(_, v)| v);
            let own = own_tags(r, own_value);
            let Some(defaults) = &r.provider.default_tags else {
                return own;
            };
            // Own tags not known may set any key a default tag has: no default tag is certain.
            if own_value.is_some_and(|v| !matches!(v.v, V::Map(_))) {
                return own;
            }
            // The provider's default tags, but for the keys the resource sets itself.
            let mut tags: Vec<Tag> = own_tags(r, Some(defaults))
                .into_iter()
                .filter(|d| !own.iter().any(|t| t.key == d.key))
                .collect();
            tags.extend(own);
            tags
        }
    }
}

/// The tags of one map.
fn own_tags(r: &Resource<'_>, found: Option<&Val>) -> Vec<Tag> {
    match found {
        None => Vec::new(),
        Some(Val {
            v: V::Map(members), ..
        }) => members
            .iter()
            .map(|(key, _, value)| Tag {
                key: key.clone(),
                value: value.text().map(|t| t.into_owned()).unwrap_or_default(),
            })
            .collect(),
        Some(other) => {
            let unknown = match &other.v {
                V::Unknown(name) => xacct_model::symbol::placeholder(name),
                _ => xacct_model::symbol::placeholder(&format!("{}.tags", r.address)),
            };
            vec![Tag {
                key: unknown.clone(),
                value: unknown,
            }]
        }
    }
}

/// A launch template reference block: `{id | name, version}` (an Auto Scaling group's and an
/// instance's) or `{launch_template_id | launch_template_name, version}` (a mixed instances
/// policy's specification).
fn template_ref(r: &Resource<'_>, block: &Val) -> Option<LaunchTemplateRef> {
    let field = |keys: &[&str]| {
        keys.iter()
            .find_map(|k| entry(block, k).and_then(|(_, v)| v.text().map(|t| t.into_owned())))
    };
    let id = field(&["id", "launch_template_id"]);
    let name = field(&["name", "launch_template_name"]);
    if id.is_none() && name.is_none() {
        return None;
    }
    Some(LaunchTemplateRef {
        id,
        name,
        version: field(&["version"]),
        span: span_in(block, r.at.file, r.at.span),
    })
}

/// The facts of one resource, added to its file's contents.
pub fn emit(out: &mut Output, r: &Resource<'_>) {
    let values = &r.values;
    let place = Place {
        scope: Some(r.scope),
        ..Place::new(r.provider.account, r.provider.region.clone())
    };
    let own_name = |attr: &str| {
        let v = (r.attr)(attr);
        let text = v
            .text()
            .map(|t| t.into_owned())
            .unwrap_or_else(|| xacct_model::symbol::placeholder(&format!("{}.{attr}", r.address)));
        Spanned::new(text, span_in(&v, r.at.file, r.at.span))
    };
    let file = r.at.file;
    match r.kind {
        "aws_codedeploy_app" => {
            let platform = text_of(r, values, "compute_platform")
                .map_or_else(|| "Server".to_string(), |p| p.value);
            out.platforms
                .push((r.scope, own_name("name").value, platform));
        }
        "aws_codedeploy_deployment_group" => {
            let (Some(application), Some(name)) = (
                text_of(r, values, "app_name"),
                text_of(r, values, "deployment_group_name"),
            ) else {
                return;
            };
            let tag_sets: Vec<Vec<TagFilter>> = blocks(values, "ec2_tag_set")
                .iter()
                .map(|set| tag_group(r, set, "ec2_tag_filter"))
                .collect();
            let ec2_tag_groups =
                crate::compute::groups(tag_sets, tag_group(r, values, "ec2_tag_filter"));
            let on_premises_tag_groups = crate::compute::groups(
                Vec::new(),
                tag_group(r, values, "on_premises_instance_tag_filter"),
            );
            let service_role = text_of(r, values, "service_role_arn");
            // Where the provider does not say, the service role does: CodeDeploy takes a
            // service role of the group's own account (as the CLI reader reads it).
            let account = r.provider.account.or_else(|| {
                let role = service_role.as_ref()?;
                xacct_model::arn::Arn::parse(&role.value).ok()?.account_id()
            });
            let group = DeploymentGroup {
                place: Place { account, ..place },
                application,
                name,
                // A plan of applied resources says it; else the application does.
                compute_platform: text_of(r, values, "compute_platform")
                    .map(|p| p.value)
                    .filter(|p| !xacct_model::symbol::contains_placeholder(p))
                    // Only an ECS deployment group names ECS services.
                    .or_else(|| (!blocks(values, "ecs_service").is_empty()).then(|| "ECS".into())),
                ec2_tag_groups,
                on_premises_tag_groups,
                auto_scaling_groups: names(r, values, "autoscaling_groups"),
                service_role,
            };
            out.of(file).compute.deployment_groups.push(group);
        }
        "aws_instance" => {
            let instance = Instance {
                place,
                id: Spanned::new(r.address.clone(), r.at.span),
                tags: tags(r, values),
                profile: text_of(r, values, "iam_instance_profile").map(ProfileRef::new),
                launch_template: blocks(values, "launch_template")
                    .first()
                    .and_then(|b| template_ref(r, b)),
                running: true,
            };
            out.of(file).compute.instances.push(instance);
        }
        "aws_autoscaling_group" => {
            let mut launch_templates: Vec<LaunchTemplateRef> = blocks(values, "launch_template")
                .iter()
                .filter_map(|b| template_ref(r, b))
                .collect();
            for policy in blocks(values, "mixed_instances_policy") {
                for template in blocks(&policy, "launch_template") {
                    let mut specifications = blocks(&template, "launch_template_specification");
                    for o in blocks(&template, "override") {
                        specifications.extend(blocks(&o, "launch_template_specification"));
                    }
                    launch_templates
                        .extend(specifications.iter().filter_map(|s| template_ref(r, s)));
                }
            }
            let group = AutoScalingGroup {
                place,
                name: own_name("name"),
                launch_templates,
                launch_configurations: text_of(r, values, "launch_configuration")
                    .into_iter()
                    .collect(),
            };
            out.of(file).compute.auto_scaling_groups.push(group);
        }
        "aws_launch_template" => {
            let profile = blocks(values, "iam_instance_profile")
                .first()
                .and_then(|b| text_of(r, b, "arn").or_else(|| text_of(r, b, "name")))
                .map(ProfileRef::new);
            let template = LaunchTemplate {
                place,
                id: Some(own_name("id").value),
                name: Some(own_name("name").value),
                // The version the configuration declares: what every reference to it gets.
                version: None,
                default_version: true,
                profile,
                span: r.at.span,
            };
            out.of(file).compute.launch_templates.push(template);
        }
        "aws_launch_configuration" => {
            let configuration = LaunchConfiguration {
                place,
                name: own_name("name"),
                profile: text_of(r, values, "iam_instance_profile").map(ProfileRef::new),
            };
            out.of(file)
                .compute
                .launch_configurations
                .push(configuration);
        }
        "aws_iam_instance_profile" => {
            let roles = text_of(r, values, "role")
                .and_then(|role| {
                    let arn = role_arn(&Val::str(r.at, role.value), &r.provider)?;
                    Some(Spanned::new(arn, role.span))
                })
                .into_iter()
                .collect();
            let profile = InstanceProfile {
                place: Place {
                    region: None,
                    ..place
                },
                name: Some(own_name("name").value),
                arn: (r.attr)("arn").text().map(|t| t.into_owned()),
                roles,
                span: r.at.span,
            };
            out.of(file).compute.instance_profiles.push(profile);
        }
        _ => {}
    }
}
