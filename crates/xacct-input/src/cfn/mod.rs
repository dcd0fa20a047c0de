//! CloudFormation templates (JSON or YAML, hand-written or synthesised by CDK) turned into the
//! documents every other input gives: pipeline declarations in the API's shape, and policies
//! tied to the role, bucket or key they govern. Rules never see a template; they see the same
//! model as for `get-pipeline` output, with spans in the template the user edits.
//!
//! Values are resolved as far as the template, the config (`[parameters]`, `[[stack]]`) and a
//! CDK manifest allow (see [`eval`]); the rest stays a placeholder that rules treat as unknown.

mod compute;
pub mod dependencies;
pub mod eval;
mod events;
pub(crate) mod lambda;
mod macros;
pub mod stacks;

use std::borrow::Cow;
use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::Path;

use xacct_model::api::validate_pipeline_document;
use xacct_model::arn::AccountId;
use xacct_model::pipeline::{load_pipeline, Spanned, StackPlacement};
use xacct_model::policy::load_policy;
use xacct_model::policy_file::{BoundaryRef, PolicyEntry, PolicyKind, Subject};
use xacct_model::workspace::PipelineUnit;
use xacct_model::Accounts;
use xacct_syntax::json::{Member, Node, Value};
use xacct_syntax::{FileId, Span};

use crate::{Assumption, FileView, Input, Issue, Limits, Ownership, Suppression};
use eval::{scalar_text, Owned, Template};

/// Where a template is deployed and with which parameter values, as far as anyone says.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct StackFacts {
    /// The account (`[[stack]] account`, the CDK manifest, or the folder convention).
    pub account: Option<AccountId>,
    /// The region.
    pub region: Option<String>,
    /// The stack name.
    pub name: Option<String>,
    /// Parameter values (`[parameters]`, then `[[stack]] parameters`).
    pub parameters: BTreeMap<String, String>,
    /// Physical IDs of resources, by logical ID (`[[stack]] resources`): what `Ref` gives
    /// once deployed, such as the key ID CloudFormation chose for an `AWS::KMS::Key`.
    pub resources: BTreeMap<String, String>,
    /// What the other templates of the run export (`Outputs.*.Export.Name` → value), for
    /// `Fn::ImportValue`: one map shared by every template of the run.
    pub exports: std::sync::Arc<BTreeMap<String, String>>,
    /// What the stacks this template nests (`AWS::CloudFormation::Stack` with a local
    /// `TemplateURL`) output, by `Logical.Outputs.Name`, for `Fn::GetAtt`.
    pub nested_outputs: BTreeMap<String, String>,
    /// The stacks (by name) deployed before this one: a CDK manifest's `dependencies`, which
    /// `cdk deploy` deploys first.
    pub after: Vec<String>,
}

/// A pipeline declared in a template.
#[derive(Debug)]
pub struct TemplatePipeline {
    /// The resource's logical ID and its span (where the stack's account is attributed).
    pub logical_id: Spanned<String>,
    /// The declaration in the API's shape (`{"pipeline": {...}}`), spans in the template.
    pub root: Owned,
}

/// What a template declares that xacct checks.
#[derive(Debug, Default)]
pub struct TemplateContents {
    /// Pipelines.
    pub pipelines: Vec<TemplatePipeline>,
    /// Trust, identity, bucket and key policies, each with its subject.
    pub policies: Vec<PolicyEntry>,
    /// Buckets' object ownership: (bucket name, setting).
    pub ownership: Vec<(String, Spanned<String>)>,
    /// Roles' permissions boundaries.
    pub boundaries: Vec<BoundaryRef>,
    /// CodeBuild projects (their encryption keys); account and region are the stack's.
    pub projects: Vec<xacct_model::workspace::BuildProject>,
    /// ECS services with the task definitions of the template they run; account and region
    /// are the stack's.
    pub ecs_services: Vec<xacct_model::ecs::EcsService>,
    /// KMS aliases whose keys the template names in full.
    pub aliases: Vec<xacct_model::workspace::KeyAlias>,
    /// Buckets the template creates: (name, where declared); their region is the stack's.
    pub buckets: Vec<(String, Span)>,
    /// Deployment groups and what they deploy to.
    pub compute: xacct_model::compute::Compute,
    /// EventBridge rules; account and region are the stack's.
    pub event_rules: Vec<xacct_model::events::EventRule>,
    /// The roles the template creates: ARN, spanned at the logical ID.
    pub roles: Vec<Spanned<String>>,
    /// Suppressions.
    pub suppressions: Vec<Suppression>,
    /// `Fn::If` branches checked on a condition that cannot be decided: (branch span,
    /// condition). What is found inside holds when the condition does.
    pub assumptions: Vec<(Span, String)>,
    /// Properties CloudFormation does not know, circular dependencies, values that cannot be
    /// evaluated, limits reached.
    pub issues: Vec<Issue>,
}

/// The properties of `AWS::CodePipeline::Pipeline` (CloudFormation resource reference).
const PIPELINE_PROPERTIES: &[&str] = &[
    "ArtifactStore",
    "ArtifactStores",
    "DisableInboundStageTransitions",
    "ExecutionMode",
    "Name",
    "PipelineType",
    "RestartExecutionOnUpdate",
    "RoleArn",
    "Stages",
    "Tags",
    "Triggers",
    "Variables",
];

/// Loads a template into `input`: its pipelines in the API's shape (placed in the stack's
/// account), its policies, ownership settings, suppressions and issues.
pub fn load(
    file: FileId,
    root: &Node<'_>,
    text: &str,
    path: &Path,
    view: &FileView<'_>,
    input: &mut Input,
) {
    let settings = view.settings;
    let fallback_region = view.default_region();
    let mut facts = settings.map(|s| s.stack.clone()).unwrap_or_default();
    if facts.account.is_none() {
        facts.account = xacct_model::workspace::account_of_path(path);
    }
    if facts.region.is_none() {
        facts.region = fallback_region.clone();
    }
    let contents = load_template(root, Some(text), &facts, &view.limits());
    // Only what the config or a manifest says is the stack's region; a default region stays
    // the command line's or the config's, for messages.
    let stack_region = settings.and_then(|s| s.stack.region.clone());
    input.issues.extend(contents.issues);
    for p in contents.pipelines {
        let mut doc = load_pipeline(&p.root);
        doc.stack = Some(StackPlacement {
            account: facts.account,
            region: stack_region.clone(),
            span: p.logical_id.span,
        });
        let accounts = Accounts::resolve(&doc, fallback_region.as_deref());
        let shape_issues = validate_pipeline_document(&p.root)
            .into_iter()
            .map(|mut issue| {
                issue.path = template_path(&issue.path);
                issue
            })
            .collect();
        input.documents.pipelines.push(PipelineUnit {
            file,
            doc,
            accounts,
            shape_issues,
        });
    }
    input.issues.extend(
        contents
            .policies
            .iter()
            .flat_map(|entry| entry.issues.iter().map(Issue::policy)),
    );
    input.documents.policies.extend(contents.policies);
    input
        .documents
        .ownership
        .extend(
            contents
                .ownership
                .into_iter()
                .map(|(bucket, setting)| Ownership {
                    bucket: Some(bucket),
                    setting,
                }),
        );
    input.documents.boundaries.extend(contents.boundaries);
    input.documents.aliases.extend(contents.aliases);
    // Only a region the config or a manifest gives is where the stack (and its buckets) is.
    if let Some(region) = &stack_region {
        input.documents.bucket_regions.extend(
            contents
                .buckets
                .iter()
                .map(|(name, span)| (Some(name.clone()), Spanned::new(region.clone(), *span))),
        );
    }
    // A bucket the template creates is in the stack's account (the config's, a manifest's or
    // the folder's).
    if let Some(account) = facts.account {
        input.documents.bucket_accounts.extend(
            contents
                .buckets
                .iter()
                .filter(|(name, _)| !xacct_model::symbol::has_variable(name))
                .map(|(name, _)| (name.clone(), account)),
        );
    }
    input
        .documents
        .projects
        .extend(contents.projects.into_iter().map(|mut project| {
            project.account = facts.account;
            project.region = stack_region.clone();
            project
        }));
    input.documents.deployed = true;
    input.documents.declared_roles.extend(contents.roles);
    input.documents.stack_name = facts.name.clone();
    input.documents.deployed_after = facts.after.clone();
    input
        .documents
        .event_rules
        .extend(contents.event_rules.into_iter().map(|mut rule| {
            rule.account = facts.account;
            rule.region = stack_region.clone();
            rule
        }));
    input
        .documents
        .ecs_services
        .extend(contents.ecs_services.into_iter().map(|mut service| {
            service.account = facts.account;
            service.region = stack_region.clone();
            service
        }));
    input
        .documents
        .compute
        .extend(contents.compute.in_file(file));
    input.documents.suppressions.extend(contents.suppressions);
    input.documents.assumptions.extend(
        contents
            .assumptions
            .into_iter()
            .map(|(span, condition)| Assumption { span, condition }),
    );
}

/// An API path (`pipeline.stages[1].actions[0].roleArn`) as a template names it
/// (`Stages[1].Actions[0].RoleArn`): the properties' PascalCase, without `pipeline.`.
/// Configuration keys are the provider's own and stay as they are.
fn template_path(path: &str) -> String {
    let path = path.strip_prefix("pipeline.").unwrap_or(path);
    let mut out = String::with_capacity(path.len());
    let mut in_configuration = false;
    for (i, segment) in path.split('.').enumerate() {
        if i > 0 {
            out.push('.');
        }
        if in_configuration {
            out.push_str(segment);
            continue;
        }
        let mut chars = segment.chars();
        if let Some(first) = chars.next() {
            out.extend(first.to_uppercase());
            out.push_str(chars.as_str());
        }
        in_configuration = segment == "configuration";
    }
    out
}

/// Reads a template, as far as `facts` and `limits` allow.
pub fn load_template(
    root: &Node<'_>,
    text: Option<&str>,
    facts: &StackFacts,
    limits: &Limits,
) -> TemplateContents {
    if let Some((span, name)) = macros::template_macro(root) {
        return TemplateContents {
            issues: vec![macros::template_issue(span, name)],
            ..TemplateContents::default()
        };
    }
    // A pipeline and its service role are in the account of the stack that creates them:
    // when nobody says where the stack is deployed, a pipeline role named by a literal ARN does.
    let derived;
    let facts = match facts.account {
        Some(_) => facts,
        None => match pipeline_role_account(root, facts, limits) {
            Some(account) => {
                derived = StackFacts {
                    account: Some(account),
                    ..facts.clone()
                };
                &derived
            }
            None => facts,
        },
    };
    let template = Template::new(root, facts, limits).with_text(text);
    let mut contents = TemplateContents {
        issues: dependencies::cycles(&template),
        ..TemplateContents::default()
    };
    if let Some(mappings) = template.mappings {
        intrinsics_in_mappings(mappings, &mut contents.issues);
    }
    for section in [
        "Resources",
        "Parameters",
        "Mappings",
        "Conditions",
        "Outputs",
    ] {
        if let Some(node) = root.get(section).filter(|n| n.as_object().is_none()) {
            contents.issues.push(
                Issue::new(
                    crate::IssueKind::Shape,
                    node.span,
                    format!("`{section}` must be an object (a map from logical IDs); found {}", crate::issue::describe(node)),
                )
                .help("CloudFormation refuses the template (\"Template format error\"); see the template anatomy in the CloudFormation reference"),
            );
        }
    }
    // Managed policies the template declares, by what `Ref` of them gives (their ARN), for
    // the roles that attach them by `ManagedPolicyArns`.
    let declared_managed: HashMap<String, Owned> = template
        .resources
        .iter()
        .filter(|(_, _, node)| {
            node.get("Type").and_then(Node::as_str) == Some("AWS::IAM::ManagedPolicy")
        })
        .filter_map(|(id, span, node)| {
            let document = template.eval(node.get("Properties")?.get("PolicyDocument")?)?;
            let reference = template.eval_text(&ref_node(id, *span))?;
            Some((reference, document))
        })
        .collect();
    // What macros and loops make is not read (macros.rs).
    let mut not_read = HashSet::new();
    for member in root
        .get("Resources")
        .and_then(Node::as_object)
        .unwrap_or_default()
    {
        if let Some(issue) = macros::resource_issue(member) {
            contents.issues.push(issue);
            not_read.insert(member.key_span);
        }
    }
    for (id, id_span, node) in &template.resources {
        if not_read.contains(id_span) {
            continue;
        }
        if id.is_empty() || !id.bytes().all(|b| b.is_ascii_alphanumeric()) {
            contents.issues.push(
                Issue::new(
                    crate::IssueKind::Shape,
                    *id_span,
                    format!("the logical ID `{id}` is not alphanumeric: CloudFormation refuses the template (\"Resource name … is non alphanumeric\")"),
                )
                .help("name the resource with letters A-Z, a-z and digits 0-9 only"),
            );
        }
        let Some(kind) = resource_shape(id, *id_span, node, &mut contents.issues) else {
            continue;
        };
        if let Some(condition) = node.get("Condition").and_then(Node::as_str) {
            if template.condition(condition) == Some(false) {
                continue;
            }
        }
        let whole = Span::new(id_span.start, node.span.end.max(id_span.end));
        if let Some(suppression) = suppression(id, whole, node) {
            contents.suppressions.push(suppression);
        }
        let Some(properties) = node.get("Properties") else {
            continue;
        };
        let id_spanned = Spanned::new(id.to_string(), *id_span);
        match kind {
            "AWS::CodePipeline::Pipeline" => {
                for member in properties.as_object().unwrap_or_default() {
                    if !PIPELINE_PROPERTIES.contains(&&*member.key) {
                        let near = PIPELINE_PROPERTIES
                            .iter()
                            .find(|p| p.eq_ignore_ascii_case(&member.key))
                            .map(|p| format!("; did you mean `{p}`?"))
                            .unwrap_or_default();
                        contents.issues.push(Issue::template(
                            member.key_span,
                            format!(
                                "`{}` is no property of AWS::CodePipeline::Pipeline{near}",
                                member.key
                            ),
                        ));
                    }
                }
                if let Some(root) = pipeline(&template, &id_spanned, properties) {
                    contents.pipelines.push(TemplatePipeline {
                        logical_id: id_spanned,
                        root,
                    });
                }
            }
            "AWS::IAM::Role" => role(
                &template,
                &id_spanned,
                properties,
                &declared_managed,
                &mut contents,
            ),
            "AWS::IAM::Policy" | "AWS::IAM::ManagedPolicy" => {
                let Some(document) = properties
                    .get("PolicyDocument")
                    .and_then(|d| template.eval(d))
                else {
                    continue;
                };
                if kind == "AWS::IAM::ManagedPolicy" {
                    managed_policy(&template, &id_spanned, &document, &mut contents);
                }
                let name = properties
                    .get("PolicyName")
                    .or_else(|| properties.get("ManagedPolicyName"))
                    .and_then(|n| template.eval_text(n))
                    .unwrap_or_else(|| id.to_string());
                for role_arn in role_arns(&template, properties.get("Roles")) {
                    push_policy(
                        &template,
                        &mut contents,
                        &document,
                        PolicyKind::Identity,
                        Some(Subject::RoleArn(role_arn)),
                        Some(name.clone()),
                    );
                }
            }
            "AWS::IAM::RolePolicy" => {
                let (Some(document), Some(role)) = (
                    properties
                        .get("PolicyDocument")
                        .and_then(|d| template.eval(d)),
                    properties.get("RoleName"),
                ) else {
                    continue;
                };
                let name = properties
                    .get("PolicyName")
                    .and_then(|n| template.eval_text(n));
                for role_arn in role_arns_of(&template, std::slice::from_ref(role)) {
                    push_policy(
                        &template,
                        &mut contents,
                        &document,
                        PolicyKind::Identity,
                        Some(Subject::RoleArn(role_arn)),
                        name.clone(),
                    );
                }
            }
            "AWS::Organizations::Policy" => {
                organization_policy(&template, &id_spanned, properties, &mut contents);
            }
            "AWS::S3::BucketPolicy" => {
                let (Some(bucket), Some(document)) = (
                    properties.get("Bucket").and_then(|b| template.eval_text(b)),
                    properties
                        .get("PolicyDocument")
                        .and_then(|d| template.eval(d)),
                ) else {
                    continue;
                };
                push_policy(
                    &template,
                    &mut contents,
                    &document,
                    PolicyKind::Bucket,
                    Some(Subject::Bucket(bucket)),
                    None,
                );
            }
            "AWS::KMS::Key" => {
                let Some(document) = properties.get("KeyPolicy").and_then(|d| template.eval(d))
                else {
                    continue;
                };
                let key_arn = template.get_att(id, "Arn");
                push_policy(
                    &template,
                    &mut contents,
                    &document,
                    PolicyKind::Key,
                    Some(Subject::Key(key_arn)),
                    Some(id.to_string()),
                );
                if let Some(entry) = contents.policies.last_mut() {
                    entry.bypass_lockout_check = bypasses_lockout_check(&template, properties);
                }
            }
            "AWS::CodeBuild::Project" => {
                // A key the template leaves unevaluated is unknown, not absent: only a
                // project without `EncryptionKey` uses the AWS managed key.
                let key = match properties.get("EncryptionKey") {
                    None => Some(None),
                    Some(k) => template.eval_text(k).map(|v| Some(Spanned::new(v, k.span))),
                };
                let name = template.eval_text(&ref_node(id, *id_span));
                // A role known only once deployed stays unknown (`service_role_arn`).
                let service_role = properties.get("ServiceRole").and_then(|role| {
                    template
                        .eval_text(role)
                        .map(|text| Spanned::new(text, role.span))
                });
                if let (Some(name), Some(encryption_key)) = (name, key) {
                    contents
                        .projects
                        .push(xacct_model::workspace::BuildProject {
                            name: Spanned::new(name, *id_span),
                            account: None,
                            region: None,
                            encryption_key,
                            service_role,
                        });
                }
            }
            "AWS::ECS::Service" => {
                if let Some(service) = ecs_service(&template, properties) {
                    contents.ecs_services.push(service);
                }
            }
            "AWS::KMS::Alias" => {
                if let Some(alias) = key_alias(&template, properties) {
                    contents.aliases.push(alias);
                }
            }
            "AWS::Events::Rule" => events::rule(&template, &id_spanned, properties, &mut contents),
            "AWS::Events::EventBusPolicy" => {
                events::bus_policy(&template, &id_spanned, properties, &mut contents);
            }
            "AWS::Events::EventBus" => {
                events::bus(&template, &id_spanned, properties, &mut contents);
            }
            "AWS::Lambda::Permission" => {
                lambda::permission(&template, &id_spanned, properties, &mut contents);
            }
            "AWS::S3::Bucket" => {
                if let Some(name) = template.eval_text(&ref_node(id, *id_span)) {
                    contents.buckets.push((name, *id_span));
                }
                let ownership = properties
                    .get("OwnershipControls")
                    .and_then(|o| o.get("Rules"))
                    .and_then(Node::as_array)
                    .and_then(|rules| rules.iter().find_map(|r| r.get("ObjectOwnership")));
                if let Some(ownership) = ownership {
                    let bucket = template
                        .eval_text(&ref_node(id, *id_span))
                        .unwrap_or_default();
                    if let Some(value) = template.eval_text(ownership) {
                        contents
                            .ownership
                            .push((bucket, Spanned::new(value, ownership.span)));
                    }
                }
            }
            _ => {}
        }
    }
    let (compute, issues) = compute::load(&template, facts);
    contents.compute = compute;
    contents.issues.extend(issues);
    contents.assumptions = template.assumptions();
    contents.issues.extend(template.issues());
    contents
}

/// An `AWS::KMS::Alias` with the key ARN its `TargetKeyId` evaluates to: a key ARN as it is, a
/// key ID (`Ref` of a key whose physical ID the config gives) in the stack's account and
/// region. `None` while any of it is left to deploy time (a placeholder): unknown stays
/// unknown.
fn key_alias(
    template: &Template<'_, '_>,
    properties: &Node<'_>,
) -> Option<xacct_model::workspace::KeyAlias> {
    let name_node = properties.get("AliasName")?;
    let name = template.eval_text(name_node)?;
    let target = template.eval_text(properties.get("TargetKeyId")?)?;
    let key_arn = if target.starts_with("arn:") {
        target
    } else {
        format!(
            "arn:{}:kms:{}:{}:key/{target}",
            template.partition(),
            template.region(),
            template.account()
        )
    };
    xacct_model::workspace::KeyAlias::new(Spanned::new(name, name_node.span), &key_arn)
}

/// A resource's `Type`, when the resource has the shape CloudFormation requires: an object
/// with a string `Type` and, if any, object `Properties`. Anything else is reported (XA003)
/// rather than passed over: CloudFormation refuses the template.
fn resource_shape<'n>(
    id: &str,
    id_span: Span,
    node: &'n Node<'_>,
    issues: &mut Vec<Issue>,
) -> Option<&'n str> {
    let refused = |span: Span, message: String| {
        Issue::new(crate::IssueKind::Shape, span, message)
            .help("CloudFormation refuses the template (\"Template format error\"); see Resources in the CloudFormation template reference")
    };
    if node.as_object().is_none() {
        issues.push(refused(
            node.span,
            format!(
                "resource `{id}` must be an object with `Type` and `Properties`; found {}",
                crate::issue::describe(node)
            ),
        ));
        return None;
    }
    if let Some(properties) = node.get("Properties") {
        if properties.as_object().is_none() && !is_intrinsic(properties) {
            issues.push(refused(
                properties.span,
                format!(
                    "`Properties` of `{id}` must be an object; found {}",
                    crate::issue::describe(properties)
                ),
            ));
        }
    }
    match node.get("Type") {
        Some(kind) => match kind.as_str() {
            Some(kind) => Some(kind),
            None => {
                issues.push(refused(
                    kind.span,
                    format!(
                        "`Type` of `{id}` must be a resource type name; found {}",
                        crate::issue::describe(kind)
                    ),
                ));
                None
            }
        },
        None => {
            issues.push(refused(id_span, format!("resource `{id}` has no `Type`")));
            None
        }
    }
}

/// True for `{"Ref": …}` or `{"Fn::…": …}`.
fn is_intrinsic(node: &Node<'_>) -> bool {
    matches!(node.as_object(), Some([m]) if m.key == "Ref" || m.key.starts_with("Fn::"))
}

/// An intrinsic function inside `Mappings`, which CloudFormation refuses ("Every Mappings
/// attribute must be a String or a List").
fn intrinsics_in_mappings(node: &Node<'_>, issues: &mut Vec<Issue>) {
    match &node.value {
        Value::Object(members) => {
            if let [member] = members.as_slice() {
                if member.key == "Ref" || member.key.starts_with("Fn::") {
                    issues.push(
                        Issue::new(
                            crate::IssueKind::Shape,
                            member.key_span,
                            format!(
                                "`{}` in `Mappings`: mapping values are literals, CloudFormation allows no intrinsic function there",
                                member.key
                            ),
                        )
                        .help("write the value itself in the mapping, or apply the function where the mapping is read (around `!FindInMap`)"),
                    );
                    return;
                }
            }
            members
                .iter()
                .for_each(|m| intrinsics_in_mappings(&m.value, issues));
        }
        Value::Array(items) => items.iter().for_each(|i| intrinsics_in_mappings(i, issues)),
        _ => {}
    }
}

/// The account of the first pipeline's `RoleArn`, when it resolves to one without the stack's
/// account (a literal ARN, or one built from parameters the config gives).
fn pipeline_role_account(
    root: &Node<'_>,
    facts: &StackFacts,
    limits: &Limits,
) -> Option<AccountId> {
    let template = Template::new(root, facts, limits);
    template.resources.iter().find_map(|(_, _, node)| {
        if node.get("Type")?.as_str()? != "AWS::CodePipeline::Pipeline" {
            return None;
        }
        let role = template.eval_text(node.get("Properties")?.get("RoleArn")?)?;
        xacct_model::Arn::parse(&role).ok()?.account_id()
    })
}

/// `{"Ref": id}`, to evaluate what `Ref` of a resource gives.
/// An `AWS::ECS::Service` whose cluster and name are known before deployment and whose
/// `TaskDefinition` is `Ref` of a task definition of the template: the roles that definition
/// names. A service whose name CloudFormation generates, or whose task definition is elsewhere,
/// is left out (which roles it passes is unknown).
fn ecs_service(
    template: &Template<'_, '_>,
    properties: &Node<'_>,
) -> Option<xacct_model::ecs::EcsService> {
    use xacct_model::ecs::{cluster_name, EcsService, ServiceTaskDefinition, TaskDefinition};
    let known = |text: String| (!xacct_model::symbol::has_variable(&text)).then_some(text);
    let name_node = properties.get("ServiceName")?;
    let name = known(template.eval_text(name_node)?)?;
    // Without `Cluster` the service is in the account's `default` cluster.
    let cluster = match properties.get("Cluster") {
        Some(node) => known(template.eval_text(node)?)?,
        None => "default".to_string(),
    };
    let definition_id = properties
        .get("TaskDefinition")?
        .get("Ref")
        .and_then(Node::as_str)?;
    let (kind, definition) = template.resource(definition_id)?;
    if kind != "AWS::ECS::TaskDefinition" {
        return None;
    }
    let role = |key: &str| {
        let node = definition?.get(key)?;
        let role = known(template.eval_text(node)?)?;
        Some(Spanned::new(role, node.span))
    };
    Some(EcsService {
        cluster: cluster_name(&cluster).to_string(),
        name: Spanned::new(name, name_node.span),
        account: None,
        region: None,
        task_definition: ServiceTaskDefinition::Declared(TaskDefinition {
            arn: None,
            task_role: role("TaskRoleArn"),
            execution_role: role("ExecutionRoleArn"),
        }),
    })
}

fn ref_node(id: &str, span: Span) -> Node<'static> {
    Node {
        span,
        value: Value::Object(vec![Member {
            key: Cow::Borrowed("Ref"),
            key_span: span,
            value: Node {
                span,
                value: Value::String(Cow::Owned(id.to_string())),
            },
        }]),
    }
}

/// Adds a policy. Where the policy's grammar is broken by a value known only at deployment
/// (`Fn::Transform`, a parameter without a value in `Effect`...), that is no mistake of the
/// template: the policy stands as unknown (an allow nobody can decide, so no rule reports a
/// missing grant on it) and the value is reported as not evaluated (XA006, with `--strict`).
fn push_policy(
    template: &Template<'_, '_>,
    contents: &mut TemplateContents,
    document: &Owned,
    kind: PolicyKind,
    subject: Option<Subject>,
    name: Option<String>,
) {
    // A policy written as a JSON string (`KeyPolicy: |`, a `PolicyDocument` in quotes, a
    // `!Sub` over JSON): parsed, with spans inside the string where its text reads as the
    // value, else at the string.
    let parsed;
    let document = match json_in_string(template, document) {
        Some(Ok(inner)) => {
            parsed = inner;
            &parsed
        }
        Some(Err(error)) => {
            contents.issues.push(Issue::json_syntax(&error));
            return;
        }
        None => document,
    };
    let marked = mark_resource_names(template, document);
    let document = marked.as_ref().unwrap_or(document);
    let (loaded, issues) = load_policy(document);
    let mut deferred = Vec::new();
    deferred_values(document, &mut deferred);
    let within = |issue: &xacct_model::policy::PolicyIssue, span: &Span| {
        span.start <= issue.span.start && issue.span.end <= span.end
    };
    let (unevaluated, issues): (Vec<_>, Vec<_>) = issues
        .into_iter()
        .partition(|issue| deferred.iter().any(|(span, _)| within(issue, span)));
    if unevaluated.is_empty() {
        contents.policies.push(PolicyEntry {
            kind: Some(kind),
            subject,
            name,
            document: loaded,
            issues,
            bypass_lockout_check: false,
        });
        return;
    }
    for issue in &unevaluated {
        let Some((span, value)) = deferred.iter().find(|(span, _)| within(issue, span)) else {
            continue;
        };
        contents.issues.push(Issue::cannot_evaluate(
            *span,
            format!(
                "`{value}` is known only when the stack is deployed, so this {} cannot be checked: the checks that need it stay unknown",
                kind.describe()
            ),
        ).help("give the value in xacct.toml (`[parameters]`, or `[[stack]]` `parameters`/`resources`) if it is a parameter or a resource; what a macro or `Fn::Transform` makes, only CloudFormation knows"));
    }
    let what = format!("{} not evaluated", kind.describe());
    contents.policies.push(PolicyEntry {
        kind: Some(kind),
        subject,
        name,
        document: xacct_model::managed::not_given(&what, document.span),
        issues: Vec::new(),
        bypass_lockout_check: false,
    });
}

/// True when an `AWS::KMS::Key` sets `BypassPolicyLockoutSafetyCheck`, or may: a value known
/// only at deployment counts as set, so that no lockout is reported on a guess.
fn bypasses_lockout_check(template: &Template<'_, '_>, properties: &Node<'_>) -> bool {
    let Some(node) = properties.get("BypassPolicyLockoutSafetyCheck") else {
        return false;
    };
    match template.eval(node).as_ref().and_then(scalar_text) {
        Some(text) => !text.eq_ignore_ascii_case("false"),
        None => true,
    }
}

/// A copy of a policy document in which each principal that is exactly the placeholder of a
/// role or user of the template (`${DeployRole}`: what `Ref` of it gives before deployment) is
/// marked as that resource's name ([`xacct_model::symbol::resource_name`]): `Ref` of an IAM
/// role or user gives its name, which no policy accepts as a principal. `None` when nothing is
/// marked.
fn mark_resource_names(template: &Template<'_, '_>, document: &Owned) -> Option<Owned> {
    let attribute = |text: &str| -> Option<&'static str> {
        if !xacct_model::symbol::is_placeholder(text) {
            return None;
        }
        match template.resource(&text[2..text.len() - 1]) {
            Some(("AWS::IAM::Role", _)) => Some("RoleName"),
            Some(("AWS::IAM::User", _)) => Some("UserName"),
            _ => None,
        }
    };
    let principal_values = |statement: &Owned| {
        ["Principal", "NotPrincipal"]
            .into_iter()
            .filter_map(|key| statement.get(key)?.get("AWS"))
            .flat_map(|aws| match &aws.value {
                Value::Array(items) => items.iter().collect::<Vec<_>>(),
                _ => vec![aws],
            })
            .any(|value| value.as_str().and_then(attribute).is_some())
    };
    let statements = match document.get("Statement").map(|s| &s.value) {
        Some(Value::Array(items)) => items.iter().collect::<Vec<_>>(),
        Some(Value::Object(_)) => document.get("Statement").into_iter().collect(),
        _ => Vec::new(),
    };
    if !statements.into_iter().any(principal_values) {
        return None;
    }
    let mut copy = document.clone();
    let mark = |value: &mut Owned| {
        let Some(text) = value.as_str() else { return };
        if let Some(attribute) = attribute(text) {
            let name = xacct_model::symbol::resource_name(&text[2..text.len() - 1], attribute);
            value.value = Value::String(Cow::Owned(name));
        }
    };
    let mark_statement = |statement: &mut Owned| {
        let Value::Object(members) = &mut statement.value else {
            return;
        };
        for member in members
            .iter_mut()
            .filter(|m| m.key == "Principal" || m.key == "NotPrincipal")
        {
            let Value::Object(kinds) = &mut member.value.value else {
                continue;
            };
            for kind in kinds.iter_mut().filter(|k| k.key == "AWS") {
                match &mut kind.value.value {
                    Value::Array(items) => items.iter_mut().for_each(mark),
                    _ => mark(&mut kind.value),
                }
            }
        }
    };
    if let Value::Object(members) = &mut copy.value {
        for member in members.iter_mut().filter(|m| m.key == "Statement") {
            match &mut member.value.value {
                Value::Array(items) => items.iter_mut().for_each(mark_statement),
                _ => mark_statement(&mut member.value),
            }
        }
    }
    Some(copy)
}

/// A policy given as a string holding JSON, parsed: `None` when `value` is no such string.
fn json_in_string(
    template: &Template<'_, '_>,
    value: &Owned,
) -> Option<Result<Owned, xacct_syntax::json::ParseError>> {
    let text = value.as_str()?;
    if !text.trim_start().starts_with(['{', '[']) {
        return None;
    }
    let limits = template.parse_limits();
    let parsed = match template.text().and_then(|source| {
        xacct_syntax::json::string_map(source, value.span, text)
            .or_else(|| sub_map(template, source, value.span, text))
    }) {
        Some(map) => xacct_syntax::json::parse_in_place(text, &map, &limits),
        None => xacct_syntax::json::parse_detached(text, value.span, &limits),
    };
    Some(parsed.map(|document| document.root))
}

/// Where each byte of `value` comes from when `value` is what `Fn::Sub` (the intrinsic written
/// at `span`) made of a string: the template string's own characters where they are, each
/// substituted value at its `${…}`.
fn sub_map(template: &Template<'_, '_>, text: &str, span: Span, value: &str) -> Option<Vec<u32>> {
    let node = find_by_span(template.root, span)?;
    let [member] = node.as_object()? else {
        return None;
    };
    if member.key != "Fn::Sub" {
        return None;
    }
    let argument = match &member.value.value {
        Value::Array(parts) => parts.first()?,
        _ => &member.value,
    };
    let (written, offsets) = xacct_syntax::json::read_string(text, argument.span)?;
    // The template string as pieces: its literal characters with their offsets, and each
    // `${…}` with the offsets it spans (`${!X}` is the literal `${X}`).
    enum Piece {
        Lit(char, u32),
        Var(u32, u32),
    }
    let mut pieces = Vec::with_capacity(written.len());
    let mut chars = written.char_indices().peekable();
    while let Some((at, c)) = chars.next() {
        if c == '$' && written[at..].starts_with("${") {
            let close = written[at..].find('}').map(|i| at + i);
            match close {
                Some(close) if written[at + 2..].starts_with('!') => {
                    pieces.push(Piece::Lit('$', offsets[at]));
                    pieces.push(Piece::Lit('{', offsets[at + 1]));
                    for (i, c) in written[at + 3..=close].char_indices() {
                        pieces.push(Piece::Lit(c, offsets[at + 3 + i]));
                    }
                    while chars.peek().is_some_and(|(i, _)| *i <= close) {
                        chars.next();
                    }
                    continue;
                }
                Some(close) => {
                    pieces.push(Piece::Var(offsets[at], offsets[close + 1]));
                    while chars.peek().is_some_and(|(i, _)| *i <= close) {
                        chars.next();
                    }
                    continue;
                }
                None => {}
            }
        }
        pieces.push(Piece::Lit(c, offsets[at]));
    }
    // Align with the value: each run of literals must come next in it; what lies before a run
    // is the value of the `${…}` before the run.
    let mut map = Vec::with_capacity(value.len() + 1);
    let mut at = 0;
    let mut pending: Option<(u32, u32)> = None;
    let mut i = 0;
    while i < pieces.len() {
        match pieces[i] {
            Piece::Var(start, end) => {
                if let Some((previous, _)) = pending {
                    // Two variables in a row: the first takes nothing it can be told from.
                    pending = Some((previous, end));
                } else {
                    pending = Some((start, end));
                }
                i += 1;
            }
            Piece::Lit(..) => {
                let run_end = pieces[i..]
                    .iter()
                    .position(|p| matches!(p, Piece::Var(..)))
                    .map_or(pieces.len(), |n| i + n);
                let run: String = pieces[i..run_end]
                    .iter()
                    .map(|p| match p {
                        Piece::Lit(c, _) => *c,
                        Piece::Var(..) => unreachable!("a run holds literals only"),
                    })
                    .collect();
                let found = match pending.take() {
                    Some((start, _)) => {
                        let found = at + value.get(at..)?.find(&run)?;
                        map.extend(std::iter::repeat_n(start, found - at));
                        found
                    }
                    None if value.get(at..)?.starts_with(&run) => at,
                    None => return None,
                };
                for piece in &pieces[i..run_end] {
                    if let Piece::Lit(c, offset) = piece {
                        map.extend(std::iter::repeat_n(*offset, c.len_utf8()));
                    }
                }
                at = found + run.len();
                i = run_end;
            }
        }
    }
    match pending {
        Some((start, end)) => {
            map.extend(std::iter::repeat_n(start, value.len() - at));
            map.push(end);
        }
        None if at == value.len() => map.push(offsets.last().copied().unwrap_or(span.end)),
        None => return None,
    }
    (map.len() == value.len() + 1).then_some(map)
}

/// The node of `root` written at exactly `span`.
fn find_by_span<'n, 't>(root: &'n Node<'t>, span: Span) -> Option<&'n Node<'t>> {
    let mut node = root;
    loop {
        if node.span == span {
            return Some(node);
        }
        let within = |n: &Node<'_>| n.span.start <= span.start && span.end <= n.span.end;
        node = match &node.value {
            Value::Object(members) => members.iter().map(|m| &m.value).find(|n| within(n))?,
            Value::Array(items) => items.iter().find(|n| within(n))?,
            _ => return None,
        };
    }
}

/// The string values of an evaluated tree that hold a placeholder, with their spans.
fn deferred_values(node: &Owned, out: &mut Vec<(Span, String)>) {
    match &node.value {
        Value::String(s) if xacct_model::symbol::contains_placeholder(s) => {
            out.push((node.span, s.to_string()));
        }
        Value::Array(items) => items.iter().for_each(|i| deferred_values(i, out)),
        Value::Object(members) => members.iter().for_each(|m| deferred_values(&m.value, out)),
        _ => {}
    }
}

/// The ARNs of the roles an `AWS::IAM::Policy` lists: a `Ref` to a role of the template gives
/// its name, and so its ARN.
fn role_arns(template: &Template<'_, '_>, roles: Option<&Node<'_>>) -> Vec<Spanned<String>> {
    role_arns_of(template, roles.and_then(Node::as_array).unwrap_or_default())
}

/// The ARNs of roles given by name or by `Ref` to a role of the template.
fn role_arns_of(template: &Template<'_, '_>, roles: &[Node<'_>]) -> Vec<Spanned<String>> {
    let mut arns = Vec::new();
    for item in roles {
        let referenced = item
            .get("Ref")
            .and_then(Node::as_str)
            .filter(|id| matches!(template.resource(id), Some(("AWS::IAM::Role", _))));
        let arn = match referenced {
            Some(id) => template.get_att(id, "Arn"),
            None => {
                let Some(name) = template.eval_text(item) else {
                    continue;
                };
                format!(
                    "arn:{}:iam::{}:role/{name}",
                    template.partition(),
                    template.account()
                )
            }
        };
        arns.push(Spanned::new(arn, item.span));
    }
    arns
}

/// An `AWS::IAM::Role`: its trust policy, inline policies, and attached managed policies.
fn role(
    template: &Template<'_, '_>,
    id: &Spanned<String>,
    properties: &Node<'_>,
    declared_managed: &HashMap<String, Owned>,
    contents: &mut TemplateContents,
) {
    let arn = Spanned::new(template.get_att(&id.value, "Arn"), id.span);
    contents.roles.push(arn.clone());
    if let Some(boundary) = properties.get("PermissionsBoundary") {
        if let Some(policy) = template.eval_text(boundary) {
            contents.boundaries.push(BoundaryRef {
                role: arn.clone(),
                policy: Spanned::new(policy, boundary.span),
            });
        }
    }
    if let Some(trust) = properties
        .get("AssumeRolePolicyDocument")
        .and_then(|d| template.eval(d))
    {
        push_policy(
            template,
            contents,
            &trust,
            PolicyKind::Trust,
            Some(Subject::RoleArn(arn.clone())),
            None,
        );
    }
    let inline = properties.get("Policies").and_then(|p| template.eval(p));
    for policy in inline.as_ref().and_then(Node::as_array).unwrap_or_default() {
        let Some(document) = policy.get("PolicyDocument") else {
            continue;
        };
        let name = policy.get("PolicyName").and_then(scalar_text);
        push_policy(
            template,
            contents,
            document,
            PolicyKind::Identity,
            Some(Subject::RoleArn(arn.clone())),
            name,
        );
    }
    let attached = properties
        .get("ManagedPolicyArns")
        .and_then(|p| template.eval(p));
    for policy in attached
        .as_ref()
        .and_then(Node::as_array)
        .unwrap_or_default()
    {
        let Some(policy_arn) = scalar_text(policy) else {
            continue;
        };
        let subject = Some(Subject::RoleArn(arn.clone()));
        match declared_managed.get(&policy_arn) {
            Some(document) => {
                push_policy(
                    template,
                    contents,
                    document,
                    PolicyKind::Identity,
                    subject,
                    Some(policy_arn),
                );
            }
            None => contents.policies.push(PolicyEntry {
                kind: Some(PolicyKind::Identity),
                subject,
                document: xacct_model::managed::not_given(&policy_arn, policy.span),
                name: Some(policy_arn),
                issues: Vec::new(),
                bypass_lockout_check: false,
            }),
        }
    }
}

/// An `AWS::IAM::ManagedPolicy` as the document of the managed policy that `Ref` of it names
/// (its ARN; a placeholder when the stack picks the name), for the roles that set it as their
/// permissions boundary. Its grammar issues are reported where it is attached (or not at
/// all, as before): this entry adds none.
fn managed_policy(
    template: &Template<'_, '_>,
    id: &Spanned<String>,
    document: &Owned,
    contents: &mut TemplateContents,
) {
    let Some(arn) = template.eval_text(&ref_node(&id.value, id.span)) else {
        return;
    };
    let parsed;
    let document = match json_in_string(template, document) {
        Some(Ok(inner)) => {
            parsed = inner;
            &parsed
        }
        // A string that is no JSON: reported where the policy is attached.
        Some(Err(_)) => return,
        None => document,
    };
    let (loaded, _) = load_policy(document);
    contents.policies.push(PolicyEntry {
        kind: Some(PolicyKind::Identity),
        subject: Some(Subject::ManagedPolicy(Spanned::new(arn.clone(), id.span))),
        name: Some(arn),
        document: loaded,
        issues: Vec::new(),
        bypass_lockout_check: false,
    });
}

/// An `AWS::Organizations::Policy` of type `SERVICE_CONTROL_POLICY` or
/// `RESOURCE_CONTROL_POLICY`: its `Content` (an object, or JSON in a string) attached to its
/// `TargetIds` (roots, OUs, accounts). Other types hold no IAM policy.
fn organization_policy(
    template: &Template<'_, '_>,
    id: &Spanned<String>,
    properties: &Node<'_>,
    contents: &mut TemplateContents,
) {
    let kind = match properties.get("Type").and_then(|t| template.eval_text(t)) {
        Some(kind) if kind == "SERVICE_CONTROL_POLICY" => PolicyKind::ServiceControl,
        Some(kind) if kind == "RESOURCE_CONTROL_POLICY" => PolicyKind::ResourceControl,
        _ => return,
    };
    let Some(content) = properties.get("Content").and_then(|c| template.eval(c)) else {
        return;
    };
    let targets = properties
        .get("TargetIds")
        .and_then(|t| template.eval(t))
        .map(|t| {
            t.as_array()
                .unwrap_or_default()
                .iter()
                .filter_map(|target| Some(Spanned::new(scalar_text(target)?, target.span)))
                .collect()
        })
        .unwrap_or_default();
    let name = properties
        .get("Name")
        .and_then(|n| template.eval_text(n))
        .unwrap_or_else(|| id.value.clone());
    // A `Content` string of JSON is parsed in place, as every policy of a template.
    push_policy(
        template,
        contents,
        &content,
        kind,
        Some(Subject::Targets(targets)),
        Some(name),
    );
}

/// The suppressions a resource declares in its `Metadata`.
fn suppression(id: &str, span: Span, resource: &Node<'_>) -> Option<Suppression> {
    let xacct = resource.get("Metadata")?.get("xacct")?;
    let codes = match xacct.get("ignore") {
        Some(Node {
            value: Value::Array(items),
            ..
        }) => items
            .iter()
            .filter_map(|i| Some(Spanned::new(i.as_str()?.to_string(), i.span)))
            .collect(),
        Some(single) => single
            .as_str()
            .map(|s| vec![Spanned::new(s.to_string(), single.span)])
            .unwrap_or_default(),
        None => Vec::new(),
    };
    Some(Suppression {
        resource: id.to_string(),
        span,
        codes,
        reason: xacct.get("reason").and_then(scalar_text),
    })
}

/// An `AWS::CodePipeline::Pipeline` as the API declares it: `{"pipeline": {...}}`.
fn pipeline(
    template: &Template<'_, '_>,
    id: &Spanned<String>,
    properties: &Node<'_>,
) -> Option<Owned> {
    let evaluated = template.eval(properties)?;
    let members = evaluated.as_object()?;
    let mut declaration = Vec::new();
    for m in members {
        let value = match &*m.key {
            // CloudFormation's own settings, not part of the declaration.
            "RestartExecutionOnUpdate" | "DisableInboundStageTransitions" | "Tags" => continue,
            // Reported as unknown properties; the API's checks would only confuse them.
            key if !PIPELINE_PROPERTIES.contains(&key) => continue,
            "ArtifactStores" => artifact_stores(&m.value),
            _ => api_value(&m.value, &m.key),
        };
        declaration.push(Member {
            key: Cow::Owned(camel(&m.key)),
            key_span: m.key_span,
            value,
        });
    }
    if !members.iter().any(|m| m.key == "Name") {
        // CloudFormation names an unnamed pipeline after the stack and the logical ID.
        declaration.insert(
            0,
            Member {
                key: Cow::Borrowed("name"),
                key_span: id.span,
                value: Node {
                    span: id.span,
                    value: Value::String(Cow::Owned(xacct_model::symbol::placeholder(&id.value))),
                },
            },
        );
    }
    let span = evaluated.span;
    Some(Node {
        span,
        value: Value::Object(vec![Member {
            key: Cow::Borrowed("pipeline"),
            key_span: id.span,
            value: Node {
                span,
                value: Value::Object(declaration),
            },
        }]),
    })
}

/// `ArtifactStores: [{Region, ArtifactStore}]` becomes the API's map from region to store.
fn artifact_stores(list: &Owned) -> Owned {
    let entries = list
        .as_array()
        .unwrap_or_default()
        .iter()
        .filter_map(|entry| {
            let region = entry.member("Region")?;
            let store = entry.get("ArtifactStore")?;
            Some(Member {
                key: Cow::Owned(scalar_text(&region.value)?),
                key_span: region.value.span,
                value: api_value(store, "ArtifactStore"),
            })
        })
        .collect();
    Node {
        span: list.span,
        value: Value::Object(entries),
    }
}

/// PascalCase to camelCase (`RoleArn` → `roleArn`, `ActionTypeId` → `actionTypeId`).
fn camel(key: &str) -> String {
    let mut chars = key.chars();
    match chars.next() {
        Some(first) => first.to_lowercase().chain(chars).collect(),
        None => String::new(),
    }
}

/// A property value in the API's shape: keys in camelCase (but `Configuration`'s, which are
/// the provider's own), scalars as strings except the API's integers.
fn api_value(node: &Owned, key: &str) -> Owned {
    let value = match &node.value {
        Value::Object(members) => Value::Object(
            members
                .iter()
                .map(|m| {
                    let (child_key, value) = if key == "Configuration" {
                        (m.key.to_string(), stringified(&m.value))
                    } else {
                        (camel(&m.key), api_value(&m.value, &m.key))
                    };
                    Member {
                        key: Cow::Owned(child_key),
                        key_span: m.key_span,
                        value,
                    }
                })
                .collect(),
        ),
        Value::Array(items) => Value::Array(items.iter().map(|i| api_value(i, key)).collect()),
        Value::Number(_) | Value::Bool(_) | Value::String(_)
            if matches!(key, "RunOrder" | "TimeoutInMinutes") =>
        {
            match scalar_text(node).and_then(|t| t.parse::<i64>().ok()) {
                Some(n) => Value::Number(Cow::Owned(n.to_string())),
                None => node.value.clone(),
            }
        }
        Value::Number(_) | Value::Bool(_) => {
            Value::String(Cow::Owned(scalar_text(node).unwrap_or_default()))
        }
        other => other.clone(),
    };
    Node {
        span: node.span,
        value,
    }
}

/// A configuration value: CloudFormation passes every scalar as a string.
fn stringified(node: &Owned) -> Owned {
    match &node.value {
        Value::Number(_) | Value::Bool(_) => Node {
            span: node.span,
            value: Value::String(Cow::Owned(scalar_text(node).unwrap_or_default())),
        },
        _ => node.clone(),
    }
}

#[cfg(test)]
mod tests;
