//! Terraform resources turned into the documents every other input gives: an
//! `aws_codepipeline` becomes the declaration `get-pipeline` prints (stage and action blocks
//! as `stages` and `actions`, `artifact_store` blocks as `artifactStore` or, with a `region`,
//! `artifactStores`), roles, role policies, attachments, bucket and key policies become
//! policies tied to what they govern, an `aws_iam_policy_document` data source the policy
//! JSON it renders. The same code reads the values of a configuration (HCL, evaluated) and
//! of a plan (`terraform show -json`): both are values of one shape, Terraform's JSON one.
//!
//! Spans: a document is placed in the file its text is written in (the data source's file for
//! its `.json`, the heredoc's, the plan's); its parts written elsewhere show at the nearest
//! part written there.

use std::collections::HashMap;

use xacct_model::arn::AccountId;
use xacct_model::compute::Compute;
use xacct_model::pipeline::Spanned;
use xacct_model::policy::load_policy;
use xacct_model::policy_file::{PolicyEntry, PolicyKind, Subject};
use xacct_syntax::json::{Node, ParseError, ParseLimits};
use xacct_syntax::Span;

use super::eval::{Eval, File, Provider};
use super::value::{to_node, At, Val, V};
use crate::Issue;

/// A pipeline of a file, in the API's shape, with where it is created.
#[derive(Clone, Debug)]
pub struct TfPipeline {
    /// `{"pipeline": {...}}`, spans in the file.
    pub root: Node<'static>,
    /// The resource's address (`module.pipeline.aws_codepipeline.this`).
    pub address: String,
    /// The account its provider creates it in.
    pub account: Option<AccountId>,
    /// The region.
    pub region: Option<String>,
    /// The resource's name label (where the account is shown).
    pub span: Span,
}

/// What one file declares.
#[derive(Clone, Debug, Default)]
pub struct Contents {
    /// Pipelines.
    pub pipelines: Vec<TfPipeline>,
    /// Policies, each with its subject.
    pub policies: Vec<PolicyEntry>,
    /// Buckets' object ownership: (bucket, setting).
    pub ownership: Vec<(Option<String>, Spanned<String>)>,
    /// CodeBuild projects (their encryption keys).
    pub projects: Vec<xacct_model::workspace::BuildProject>,
    /// The accounts of the buckets declared (`aws_s3_bucket`) or given a policy
    /// (`aws_s3_bucket_policy`) through a provider of a known account.
    pub bucket_accounts: Vec<(String, AccountId)>,
    /// KMS aliases whose key ARNs are known in full.
    pub aliases: Vec<xacct_model::workspace::KeyAlias>,
    /// EventBridge rules, one an `aws_cloudwatch_event_target`.
    pub event_rules: Vec<xacct_model::events::EventRule>,
    /// Deployment targets: groups, instances, Auto Scaling groups, launch templates and
    /// configurations, instance profiles.
    pub compute: Compute,
    /// ECS services (`aws_ecs_service`), with the task definitions they name.
    pub ecs_services: Vec<xacct_model::ecs::EcsService>,
    /// ECS task definitions (`aws_ecs_task_definition`), by ARN.
    pub task_definitions: Vec<xacct_model::ecs::TaskDefinition>,
    /// What is wrong.
    pub issues: Vec<Issue>,
}

/// A resource as both readers see it.
pub struct Resource<'r> {
    /// Its type.
    pub kind: &'r str,
    /// Its address.
    pub address: String,
    /// Its name label (or, in a plan, its `address` value).
    pub at: At,
    /// Its arguments and blocks.
    pub values: Val,
    /// The provider configuration it is created through.
    pub provider: Provider,
    /// Its provider configuration's identity in the run (see [`Place::scope`]).
    ///
    /// [`Place::scope`]: xacct_model::compute::Place::scope
    pub scope: u64,
    /// An attribute, computed where Terraform computes it (an ARN).
    pub attr: &'r dyn Fn(&str) -> Val,
}

/// The partition of a region.
fn partition(region: Option<&str>) -> &'static str {
    match region {
        Some(r) if r.starts_with("cn-") => "aws-cn",
        Some(r) if r.starts_with("us-gov-") => "aws-us-gov",
        _ => "aws",
    }
}

/// The provider's account, or its placeholder.
fn account_text(p: &Provider) -> String {
    p.account.map_or_else(
        || xacct_model::symbol::placeholder(&format!("{}.account_id", p.name)),
        |a| a.to_string(),
    )
}

/// `arn:PARTITION:SERVICE:REGION:ACCOUNT:RESOURCE` of a regional resource through `p`.
pub(super) fn service_arn(p: &Provider, service: &str, resource: &str) -> String {
    format!(
        "arn:{}:{service}:{}:{}:{resource}",
        partition(p.region.as_deref()),
        region_text(p),
        account_text(p)
    )
}

/// The provider's region, or its placeholder.
fn region_text(p: &Provider) -> String {
    p.region
        .clone()
        .unwrap_or_else(|| xacct_model::symbol::placeholder(&format!("{}.region", p.name)))
}

/// What Terraform computes for an attribute of a resource or data source that xacct can
/// compute too: ARNs from names and the provider's account and region, a data source's
/// account, region and policy JSON. `None` for what is an argument.
pub fn computed(e: &Eval<'_>, inst: usize, res: usize, attr: &str, at: At) -> Option<Val> {
    let r = e.res(inst, res);
    let address = e.address(inst, res);
    let unknown = || Val::unknown(at, format!("{address}.{attr}"));
    // Only the arguments an attribute is made of are evaluated: a whole body could need the
    // attribute asked for.
    let arg = |name: &str| -> Option<String> {
        let value = e.argument(inst, res, name)?;
        value.text().map(|t| t.into_owned())
    };
    let provider = || e.resource_provider(inst, res);
    let text = |t: String| Some(Val::str(at, t));
    match (r.data, r.kind, attr) {
        (true, "aws_caller_identity", "account_id" | "id") => {
            let p = provider();
            Some(match p.account {
                Some(a) => Val::str(at, a.to_string()),
                None => Val::unknown(at, format!("{}.account_id", p.name)),
            })
        }
        (true, "aws_region", "name" | "region" | "id") => {
            let p = provider();
            Some(match p.region {
                Some(r) => Val::str(at, r),
                None => Val::unknown(at, format!("{}.region", p.name)),
            })
        }
        (true, "aws_partition", "partition" | "id") => {
            text(partition(provider().region.as_deref()).to_string())
        }
        (true, "aws_partition", "dns_suffix") => text("amazonaws.com".to_string()),
        (true, "aws_iam_policy_document", "json" | "minified_json") => {
            Some(policy_document(e, inst, res, at))
        }
        (false, "aws_iam_role" | "aws_iam_policy", "arn") | (false, "aws_iam_policy", "id") => {
            let Some(name) = arg("name") else {
                return Some(unknown());
            };
            let p = provider();
            let path = arg("path").unwrap_or_else(|| "/".to_string());
            let what = if r.kind == "aws_iam_role" {
                "role"
            } else {
                "policy"
            };
            text(format!(
                "arn:{}:iam::{}:{what}{path}{name}",
                partition(p.region.as_deref()),
                account_text(&p)
            ))
        }
        (false, "aws_iam_role", "name" | "id") | (false, "aws_iam_policy", "name") => {
            Some(arg("name").map_or_else(unknown, |n| Val::str(at, n)))
        }
        (false, "aws_s3_bucket", "id" | "bucket") => {
            Some(arg("bucket").map_or_else(unknown, |n| Val::str(at, n)))
        }
        (false, "aws_s3_bucket", "arn") => {
            let bucket = arg("bucket")
                .unwrap_or_else(|| xacct_model::symbol::placeholder(&format!("{address}.bucket")));
            text(format!(
                "arn:{}:s3:::{bucket}",
                partition(provider().region.as_deref())
            ))
        }
        (false, "aws_s3_bucket", "region") => text(region_text(&provider())),
        (false, "aws_kms_key", "key_id" | "id") => {
            Some(Val::unknown(at, format!("{address}.key_id")))
        }
        (false, "aws_kms_key", "arn") => {
            let key_id = xacct_model::symbol::placeholder(&format!("{address}.key_id"));
            text(service_arn(&provider(), "kms", &format!("key/{key_id}")))
        }
        (false, "aws_kms_alias", "arn") => {
            let name = arg("name")?;
            text(service_arn(&provider(), "kms", &name))
        }
        (false, "aws_kms_alias", "target_key_arn") => {
            let target = arg("target_key_id")?;
            if target.starts_with("arn:") {
                return text(target);
            }
            text(service_arn(&provider(), "kms", &format!("key/{target}")))
        }
        // A CodeCommit repository's ARN is its name's in the provider's account and region.
        (false, "aws_codecommit_repository", "arn") => {
            let Some(name) = arg("repository_name") else {
                return Some(unknown());
            };
            text(service_arn(&provider(), "codecommit", &name))
        }
        // An SNS topic's ARN (and its `id`, the same ARN) is its name's in the provider's
        // account and region; a topic named by `name_prefix` is known only once applied.
        (false, "aws_sns_topic", "arn" | "id") => {
            let Some(name) = arg("name") else {
                return Some(unknown());
            };
            text(service_arn(&provider(), "sns", &name))
        }
        (false, "aws_codepipeline", "arn") | (false, "aws_codebuild_project", "arn") => {
            let Some(name) = arg("name") else {
                return Some(unknown());
            };
            let (service, resource) = if r.kind == "aws_codepipeline" {
                ("codepipeline", name)
            } else {
                ("codebuild", format!("project/{name}"))
            };
            text(service_arn(&provider(), service, &resource))
        }
        // Names the API takes and AWS does not make up: without `name`, Terraform picks one
        // on apply, the same placeholder whichever attribute names it.
        (
            false,
            "aws_iam_instance_profile" | "aws_autoscaling_group" | "aws_launch_configuration",
            "name" | "id",
        )
        | (false, "aws_launch_template", "name") => Some(arg("name").map_or_else(
            || Val::unknown(at, format!("{address}.name")),
            |n| Val::str(at, n),
        )),
        (false, "aws_iam_instance_profile", "arn") => {
            let name = arg("name")
                .unwrap_or_else(|| xacct_model::symbol::placeholder(&format!("{address}.name")));
            let p = provider();
            let path = arg("path").unwrap_or_else(|| "/".to_string());
            text(format!(
                "arn:{}:iam::{}:instance-profile{path}{name}",
                partition(p.region.as_deref()),
                account_text(&p)
            ))
        }
        (false, "aws_codepipeline" | "aws_codebuild_project", "id" | "name") => {
            Some(arg("name").map_or_else(unknown, |n| Val::str(at, n)))
        }
        (false, "aws_ecs_task_definition" | "aws_ecs_cluster" | "aws_ecs_service", _) => {
            let p = provider();
            let ecs = |resource: &str| super::ecs::ecs_arn(&p, resource);
            super::ecs::computed(r.kind, attr, &address, &arg, &ecs, at)
        }
        _ => None,
    }
}

/// A member of an object value with its key's place. `null`, `""` and `[]` are absent: a plan
/// shows an optional argument that is not set so (`"region": ""`, `"before_entry": []`).
pub(super) fn entry<'v>(map: &'v Val, key: &str) -> Option<(At, &'v Val)> {
    match &map.v {
        V::Map(members) => members
            .iter()
            .find(|(k, _, v)| k == key && !is_unset(v))
            .map(|(_, at, v)| (*at, v)),
        _ => None,
    }
}

/// True for a value that stands for an argument not set.
fn is_unset(v: &Val) -> bool {
    match &v.v {
        V::Null => true,
        V::Str(s, _) => s.is_empty(),
        V::List(items) => items.is_empty(),
        _ => false,
    }
}

/// A value as a list: a list, or one value standing alone (HCL lets a set of one be written
/// either way in a plan's JSON, and an `actions = "x"` is a type error Terraform reports).
fn as_list(v: &Val) -> Vec<Val> {
    match &v.v {
        V::List(items) => items.clone(),
        V::Null => Vec::new(),
        _ => vec![v.clone()],
    }
}

/// `data "aws_iam_policy_document"`: the policy JSON it renders, built from its `statement`,
/// `principals` and `condition` blocks with their spans.
fn policy_document(e: &Eval<'_>, inst: usize, res: usize, at: At) -> Val {
    let body = e.body(inst, res);
    let address = e.address(inst, res);
    match render_policy_document(&body, at) {
        Some(document) => Val::new(at, V::Json(Box::new(document))),
        None => Val::unknown(at, format!("{address}.json")),
    }
}

/// The policy an `aws_iam_policy_document` renders from its arguments (a plan's data source
/// values have the same shape); `None` when part of it is unknown (a `dynamic` block over an
/// unknown list) or merged from documents not known.
pub fn render_policy_document(body: &Val, at: At) -> Option<Val> {
    let mut statements: Vec<Val> = Vec::new();
    // `source_policy_documents` first, then this document's statements; an
    // `override_policy_documents` statement replaces the one with its `Sid`.
    for key in ["source_policy_documents", "source_json"] {
        if let Some((_, sources)) = entry(body, key) {
            for source in as_list(sources) {
                statements.extend(statements_of(&source)?);
            }
        }
    }
    let own = match entry(body, "statement") {
        Some((_, list @ Val { v: V::List(_), .. })) => list.items().to_vec(),
        Some(_) => return None,
        None => Vec::new(),
    };
    for statement in &own {
        let rendered = render_statement(statement)?;
        replace_by_sid(&mut statements, rendered);
    }
    for key in ["override_policy_documents", "override_json"] {
        if let Some((_, overrides)) = entry(body, key) {
            for source in as_list(overrides) {
                for statement in statements_of(&source)? {
                    replace_by_sid(&mut statements, statement);
                }
            }
        }
    }
    let version = entry(body, "version")
        .map(|(k, v)| (k, v.clone()))
        .unwrap_or((at, Val::str(at, "2012-10-17")));
    let mut members = vec![("Version".to_string(), version.0, version.1)];
    if let Some((k, id)) = entry(body, "policy_id") {
        members.push(("Id".to_string(), k, id.clone()));
    }
    let statement_at = entry(body, "statement").map_or(at, |(k, _)| k);
    members.push((
        "Statement".to_string(),
        statement_at,
        Val::new(statement_at, V::List(statements)),
    ));
    Some(Val::new(body.at, V::Map(members)))
}

/// Adds a statement, replacing one with the same `Sid`.
fn replace_by_sid(statements: &mut Vec<Val>, statement: Val) {
    let sid = statement
        .get("Sid")
        .and_then(Val::known_str)
        .map(str::to_string);
    if let Some(sid) = sid.filter(|s| !s.is_empty()) {
        if let Some(existing) = statements
            .iter_mut()
            .find(|s| s.get("Sid").and_then(Val::known_str) == Some(&sid))
        {
            *existing = statement;
            return;
        }
    }
    statements.push(statement);
}

/// The statements of a policy given as JSON (a `.json` of another document, `jsonencode`).
fn statements_of(document: &Val) -> Option<Vec<Val>> {
    let V::Json(inner) = &document.v else {
        return None;
    };
    match inner.get("Statement")? {
        Val {
            v: V::List(items), ..
        } => Some(items.clone()),
        single @ Val { v: V::Map(_), .. } => Some(vec![single.clone()]),
        _ => None,
    }
}

/// One `statement` block as a policy statement.
fn render_statement(statement: &Val) -> Option<Val> {
    if matches!(statement.v, V::Unknown(_)) {
        return None;
    }
    let mut members: Vec<(String, At, Val)> = Vec::new();
    if let Some((k, sid)) = entry(statement, "sid") {
        members.push(("Sid".into(), k, sid.clone()));
    }
    match entry(statement, "effect") {
        Some((k, effect)) => members.push(("Effect".into(), k, effect.clone())),
        None => members.push((
            "Effect".into(),
            statement.at,
            Val::str(statement.at, "Allow"),
        )),
    }
    for (tf, iam) in [
        ("principals", "Principal"),
        ("not_principals", "NotPrincipal"),
    ] {
        let Some((k, blocks)) = entry(statement, tf) else {
            continue;
        };
        if matches!(blocks.v, V::Unknown(_)) {
            return None;
        }
        let mut by_type: Vec<(String, At, Val)> = Vec::new();
        let mut everyone = None;
        for block in blocks.items() {
            let (type_at, kind) = entry(block, "type")?;
            let kind_text = kind.text()?.into_owned();
            let (_, identifiers) = entry(block, "identifiers")?;
            let identifiers = as_list(identifiers);
            if kind_text == "*" {
                everyone = identifiers
                    .first()
                    .cloned()
                    .or_else(|| Some(Val::str(kind.at, "*")));
                continue;
            }
            match by_type.iter_mut().find(|(t, _, _)| *t == kind_text) {
                Some((
                    _,
                    _,
                    Val {
                        v: V::List(list), ..
                    },
                )) => list.extend(identifiers),
                _ => by_type.push((kind_text, type_at, Val::new(kind.at, V::List(identifiers)))),
            }
            let _ = k;
        }
        let value = match everyone {
            // `type = "*"` renders `"Principal": "*"`.
            Some(star) if by_type.is_empty() => star,
            _ => Val::new(blocks.at, V::Map(by_type)),
        };
        members.push((iam.into(), k, value));
    }
    for (tf, iam) in [
        ("actions", "Action"),
        ("not_actions", "NotAction"),
        ("resources", "Resource"),
        ("not_resources", "NotResource"),
    ] {
        if let Some((k, v)) = entry(statement, tf) {
            members.push((iam.into(), k, v.clone()));
        }
    }
    if let Some((k, blocks)) = entry(statement, "condition") {
        if matches!(blocks.v, V::Unknown(_)) {
            return None;
        }
        let mut by_test: Vec<(String, At, Val)> = Vec::new();
        for block in blocks.items() {
            let (_, test) = entry(block, "test")?;
            let (_, variable) = entry(block, "variable")?;
            let (_, values) = entry(block, "values")?;
            let test_text = test.text()?.into_owned();
            let variable_text = variable.text()?.into_owned();
            let pair = (variable_text, variable.at, values.clone());
            match by_test.iter_mut().find(|(t, _, _)| *t == test_text) {
                Some((
                    _,
                    _,
                    Val {
                        v: V::Map(vars), ..
                    },
                )) => vars.push(pair),
                _ => by_test.push((test_text, test.at, Val::new(block.at, V::Map(vec![pair])))),
            }
        }
        members.push(("Condition".into(), k, Val::new(blocks.at, V::Map(by_test))));
    }
    Some(Val::new(statement.at, V::Map(members)))
}

/// Parses JSON held in a string value: in place when each byte's offset is known, else at
/// the value's span.
pub fn parse_json(
    _files: &[File<'_>],
    at: At,
    text: &str,
    map: Option<&[u32]>,
) -> Option<Result<Node<'static>, ParseError>> {
    if !text.trim_start().starts_with(['{', '[']) {
        return None;
    }
    let limits = ParseLimits::default();
    let parsed = match map {
        Some(map) if map.len() == text.len() + 1 => {
            xacct_syntax::json::parse_in_place(text, map, &limits)
        }
        _ => xacct_syntax::json::parse_detached(text, at.span, &limits),
    };
    Some(parsed.map(|d| d.root))
}

/// The documents of a run, by file.
#[derive(Default)]
pub struct Output {
    /// By file index.
    pub files: HashMap<u32, Contents>,
    /// CodeDeploy applications' compute platforms: (scope, name, platform).
    pub platforms: Vec<(u64, String, String)>,
    /// ECS task definitions by family, for services that name them so.
    pub ecs_families: Vec<super::ecs::Family>,
    /// ECS services whose task definition `finish` may resolve.
    pub ecs_pending: Vec<super::ecs::Pending>,
}

impl Output {
    pub(super) fn of(&mut self, file: u32) -> &mut Contents {
        self.files.entry(file).or_default()
    }

    /// Once every resource is in: each deployment group takes its application's compute
    /// platform (an application of the same name through the same provider configuration),
    /// unless it says its own.
    pub fn finish(&mut self) {
        super::ecs::link(self);
        for contents in self.files.values_mut() {
            for group in &mut contents.compute.deployment_groups {
                if group.compute_platform.is_some() {
                    continue;
                }
                group.compute_platform = self
                    .platforms
                    .iter()
                    .find(|(scope, name, _)| {
                        Some(*scope) == group.place.scope && *name == group.application.value
                    })
                    .map(|(_, _, platform)| platform.clone());
            }
        }
    }

    /// Adds a policy given as a value (`jsonencode`, a heredoc, a data source's `.json`, a
    /// plan's string) in the file its text is in. `subject` is given the span of the document
    /// there.
    #[allow(clippy::too_many_arguments)]
    pub fn policy(
        &mut self,
        files: &[File<'_>],
        value: &Val,
        kind: PolicyKind,
        subject: impl Fn(Span) -> Subject,
        name: Option<String>,
        what: &str,
    ) {
        let (file, node) = match &value.v {
            V::Json(inner) => {
                let file = inner.at.file;
                (file, to_node(inner, file, inner.at.span))
            }
            V::Str(text, map) => match parse_json(files, value.at, text, map.as_deref()) {
                Some(Ok(node)) => (value.at.file, node),
                Some(Err(error)) => {
                    self.of(value.at.file)
                        .issues
                        .push(Issue::json_syntax(&error));
                    return;
                }
                None if text.is_empty() => return,
                None => {
                    self.of(value.at.file).issues.push(
                        Issue::new(
                            crate::IssueKind::Shape,
                            value.at.span,
                            format!("the {} of {what} is no policy JSON", kind.describe()),
                        )
                        .help("give the policy as `jsonencode({...})`, a heredoc of JSON, or an `aws_iam_policy_document` data source's `.json`"),
                    );
                    return;
                }
            },
            V::Unknown(name_of) => {
                let contents = self.of(value.at.file);
                contents.issues.push(Issue::cannot_evaluate(
                    value.at.span,
                    format!(
                        "the {} of {what} is `{}`, known only once applied: the checks that need it stay unknown",
                        kind.describe(),
                        xacct_model::symbol::placeholder(name_of)
                    ),
                ).help("give the variable a value in a `.tfvars` file or in xacct.toml `[parameters]`, or lint the plan (`terraform show -json`)"));
                contents.policies.push(PolicyEntry {
                    kind: Some(kind),
                    subject: Some(subject(value.at.span)),
                    name,
                    document: xacct_model::managed::not_given(
                        &format!("{} not evaluated", kind.describe()),
                        value.at.span,
                    ),
                    bypass_lockout_check: false,
                    issues: Vec::new(),
                });
                return;
            }
            _ => return,
        };
        self.push_node(file, &node, kind, subject(node.span), name);
    }

    /// Adds a parsed policy; where a placeholder breaks its grammar, the policy stands as
    /// unknown and the value is reported as not evaluated (XA006, `--strict`).
    fn push_node(
        &mut self,
        file: u32,
        node: &Node<'static>,
        kind: PolicyKind,
        subject: Subject,
        name: Option<String>,
    ) {
        let (document, issues) = load_policy(node);
        let mut deferred = Vec::new();
        deferred_values(node, &mut deferred);
        let within = |issue: &xacct_model::policy::PolicyIssue, span: &Span| {
            span.start <= issue.span.start && issue.span.end <= span.end
        };
        let (unevaluated, issues): (Vec<_>, Vec<_>) = issues
            .into_iter()
            .partition(|issue| deferred.iter().any(|(span, _)| within(issue, span)));
        let contents = self.of(file);
        if unevaluated.is_empty() {
            contents.issues.extend(issues.iter().map(Issue::policy));
            contents.policies.push(PolicyEntry {
                kind: Some(kind),
                subject: Some(subject),
                name,
                document,
                bypass_lockout_check: false,
                issues,
            });
            return;
        }
        for issue in &unevaluated {
            if let Some((span, value)) = deferred.iter().find(|(span, _)| within(issue, span)) {
                contents.issues.push(Issue::cannot_evaluate(
                    *span,
                    format!(
                        "`{value}` is known only once applied, so this {} cannot be checked: the checks that need it stay unknown",
                        kind.describe()
                    ),
                ).help("give the variable a value in a `.tfvars` file or in xacct.toml `[parameters]`, or lint the plan (`terraform show -json`)"));
            }
        }
        contents.policies.push(PolicyEntry {
            kind: Some(kind),
            subject: Some(subject),
            name,
            document: xacct_model::managed::not_given(
                &format!("{} not evaluated", kind.describe()),
                node.span,
            ),
            bypass_lockout_check: false,
            issues: Vec::new(),
        });
    }
}

/// The string values of a tree that hold a placeholder, with their spans.
fn deferred_values(node: &Node<'_>, out: &mut Vec<(Span, String)>) {
    use xacct_syntax::json::Value;
    match &node.value {
        Value::String(s) if xacct_model::symbol::contains_placeholder(s) => {
            out.push((node.span, s.to_string()));
        }
        Value::Array(items) => items.iter().for_each(|i| deferred_values(i, out)),
        Value::Object(members) => members.iter().for_each(|m| deferred_values(&m.value, out)),
        _ => {}
    }
}

/// The role ARN a role policy or attachment names by `role` (a name, as the API takes it, or
/// an ARN), in the account its provider creates it in.
pub(super) fn role_arn(role: &Val, provider: &Provider) -> Option<String> {
    let text = role.text()?.into_owned();
    if text.starts_with("arn:") {
        return Some(text);
    }
    Some(format!(
        "arn:{}:iam::{}:role/{text}",
        partition(provider.region.as_deref()),
        account_text(provider)
    ))
}

/// Every managed policy the run declares, by the ARN references to it give.
pub type Managed = HashMap<String, (Val, String)>;

/// The resource types that make documents.
pub const EMITTING: &[&str] = &[
    "aws_codepipeline",
    "aws_iam_role",
    "aws_iam_role_policy",
    "aws_iam_role_policy_attachment",
    "aws_iam_policy_attachment",
    "aws_s3_bucket",
    "aws_s3_bucket_policy",
    "aws_s3_bucket_ownership_controls",
    "aws_kms_key",
    "aws_kms_alias",
    "aws_codebuild_project",
    "aws_cloudwatch_event_target",
    "aws_cloudwatch_event_bus_policy",
    "aws_lambda_permission",
    "aws_codedeploy_app",
    "aws_codedeploy_deployment_group",
    "aws_instance",
    "aws_autoscaling_group",
    "aws_launch_template",
    "aws_launch_configuration",
    "aws_iam_instance_profile",
    "aws_ecs_service",
    "aws_ecs_task_definition",
];

/// The documents of one resource.
pub fn emit(out: &mut Output, files: &[File<'_>], r: &Resource<'_>, managed: &Managed) {
    let values = &r.values;
    let file = r.at.file;
    let what = format!("`{}`", r.address);
    match r.kind {
        "aws_codepipeline" => match pipeline(values) {
            Some(pipeline) => {
                let root = to_node(&pipeline, file, r.at.span);
                out.of(file).pipelines.push(TfPipeline {
                    root,
                    address: r.address.clone(),
                    account: r.provider.account,
                    region: r.provider.region.clone(),
                    span: r.at.span,
                });
            }
            None => out.of(file).issues.push(Issue::cannot_evaluate(
                r.at.span,
                format!("the stages of pipeline {what} are made by a `dynamic` block over values known only once applied: the pipeline is not checked"),
            ).help("lint the plan (`terraform show -json`), where the blocks are expanded")),
        },
        "aws_iam_role" => {
            let arn = (r.attr)("arn");
            let Some(arn_text) = arn.text().map(|t| t.into_owned()) else {
                return;
            };
            let subject = |span: Span| Subject::RoleArn(Spanned::new(arn_text.clone(), span));
            if let Some((_, trust)) = entry(values, "assume_role_policy") {
                out.policy(files, trust, PolicyKind::Trust, subject, None, &what);
            }
            for inline in entry(values, "inline_policy").map(|(_, v)| as_list(v)).unwrap_or_default() {
                if let Some((_, policy)) = entry(&inline, "policy") {
                    let name = entry(&inline, "name").and_then(|(_, n)| n.known_str().map(str::to_string));
                    out.policy(files, policy, PolicyKind::Identity, subject, name, &what);
                }
            }
            if let Some((_, arns)) = entry(values, "managed_policy_arns") {
                for policy_arn in as_list(arns) {
                    attach(out, files, &policy_arn, &arn_text, managed, &what);
                }
            }
        }
        "aws_iam_role_policy" => {
            let (Some((_, role)), Some((_, policy))) = (entry(values, "role"), entry(values, "policy")) else {
                return;
            };
            let Some(arn) = role_arn(role, &r.provider) else {
                return;
            };
            let name = entry(values, "name")
                .and_then(|(_, n)| n.known_str().map(str::to_string))
                .or_else(|| Some(r.address.clone()));
            out.policy(files, policy, PolicyKind::Identity, |span| Subject::RoleArn(Spanned::new(arn.clone(), span)), name, &what);
        }
        "aws_iam_role_policy_attachment" | "aws_iam_policy_attachment" => {
            let Some((_, policy_arn)) = entry(values, "policy_arn") else {
                return;
            };
            let roles = match r.kind {
                "aws_iam_role_policy_attachment" => entry(values, "role").map(|(_, v)| vec![v.clone()]),
                _ => entry(values, "roles").map(|(_, v)| as_list(v)),
            };
            for role in roles.unwrap_or_default() {
                if let Some(arn) = role_arn(&role, &r.provider) {
                    attach(out, files, policy_arn, &arn, managed, &what);
                }
            }
        }
        "aws_s3_bucket_policy" | "aws_s3_bucket" => {
            let bucket = (r.attr)("bucket");
            let Some(bucket) = bucket.text().map(|t| t.into_owned()) else {
                return;
            };
            // The bucket (or the bucket its policy is for) is in the account of the provider
            // that creates it, when that is known: what an S3 source or deploy action asks of
            // the bucket depends on it (same account or across accounts).
            if let Some(account) = r.provider.account {
                if !bucket.is_empty() && !xacct_model::symbol::has_variable(&bucket) {
                    out.of(file).bucket_accounts.push((bucket.clone(), account));
                }
            }
            let Some((_, policy)) = entry(values, "policy") else {
                return;
            };
            out.policy(files, policy, PolicyKind::Bucket, |_| Subject::Bucket(bucket.clone()), None, &what);
        }
        "aws_kms_key" => {
            let Some((_, policy)) = entry(values, "policy") else {
                return;
            };
            let arn = (r.attr)("arn");
            let Some(arn) = arn.text().map(|t| t.into_owned()) else {
                return;
            };
            let before: HashMap<u32, usize> =
                out.files.iter().map(|(file, contents)| (*file, contents.policies.len())).collect();
            out.policy(files, policy, PolicyKind::Key, |_| Subject::Key(arn.clone()), Some(r.address.clone()), &what);
            // KMS accepts a policy that locks its account out only with this flag set (XA317).
            let bypass = entry(values, "bypass_policy_lockout_safety_check")
                .is_some_and(|(_, flag)| matches!(flag.v, V::Bool(true)) || flag.text().is_some_and(|t| t == "true"));
            if bypass {
                for (file, contents) in out.files.iter_mut() {
                    let from = before.get(file).copied().unwrap_or(0);
                    for entry in contents.policies.iter_mut().skip(from) {
                        entry.bypass_lockout_check = true;
                    }
                }
            }
        }
        "aws_codebuild_project" => {
            let Some(name) = entry(values, "name").and_then(|(_, n)| n.text().map(|t| t.into_owned())) else {
                return;
            };
            // Only an absent `encryption_key` is the AWS managed key; one that is there but not
            // text (null in a plan) is unknown.
            let encryption_key = match entry(values, "encryption_key") {
                None => None,
                Some((_, key)) => match key.text() {
                    Some(text) => {
                        let span = if key.at.file == file { key.at.span } else { r.at.span };
                        Some(Spanned::new(text.into_owned(), span))
                    }
                    None => return,
                },
            };
            // A role known only once applied is a placeholder: unknown (`service_role_arn`).
            let service_role = entry(values, "service_role").and_then(|(_, role)| {
                let span = if role.at.file == file { role.at.span } else { r.at.span };
                role.text().map(|text| Spanned::new(text.into_owned(), span))
            });
            out.of(file).projects.push(xacct_model::workspace::BuildProject {
                name: Spanned::new(name, r.at.span),
                account: r.provider.account,
                region: r.provider.region.clone(),
                encryption_key,
                service_role,
            });
        }
        "aws_kms_alias" => {
            // `target_key_id` takes a key ID or key ARN; a key ID is of the provider's account
            // and region. A key of the run (`aws_kms_key.x.key_id`) is known only once applied
            // (a plan or state gives it, and `target_key_arn` with it): until then the alias
            // names no key here.
            let text = |key: &str| {
                entry(values, key).and_then(|(_, v)| {
                    let span = if v.at.file == file { v.at.span } else { r.at.span };
                    v.text().map(|t| Spanned::new(t.into_owned(), span))
                })
            };
            let target = text("target_key_arn")
                .filter(|t| t.value.starts_with("arn:"))
                .or_else(|| text("target_key_id"));
            let (Some(name), Some(target)) = (text("name"), target) else {
                return;
            };
            let key_arn = if target.value.starts_with("arn:") {
                target.value
            } else {
                let p = &r.provider;
                format!(
                    "arn:{}:kms:{}:{}:key/{}",
                    partition(p.region.as_deref()),
                    region_text(p),
                    account_text(p),
                    target.value
                )
            };
            if let Some(alias) = xacct_model::workspace::KeyAlias::new(name, &key_arn) {
                out.of(file).aliases.push(alias);
            }
        }
        "aws_cloudwatch_event_target" => {
            // A target of a rule: the rule is named by `rule`, in the provider's account and
            // region. A value known only once applied is unknown (the target left out, or no
            // role).
            let spanned = |key: &str| {
                let (_, value) = entry(values, key)?;
                let text = value.text()?.into_owned();
                let span = if value.at.file == file { value.at.span } else { r.at.span };
                Some(Spanned::new(text, span))
            };
            let Some(arn) = spanned("arn") else {
                return;
            };
            out.of(file).event_rules.push(xacct_model::events::EventRule {
                name: spanned("rule"),
                span: r.at.span,
                account: r.provider.account,
                region: r.provider.region.clone(),
                targets: vec![xacct_model::events::EventTarget {
                    arn,
                    role: spanned("role_arn"),
                }],
            });
        }
        "aws_cloudwatch_event_bus_policy" => {
            let Some((_, policy)) = entry(values, "policy") else {
                return;
            };
            let name = match entry(values, "event_bus_name") {
                Some((_, name)) => match name.text() {
                    Some(text) => text.into_owned(),
                    None => return,
                },
                None => "default".to_string(),
            };
            // The bus is the provider's account's and region's, unless named by ARN.
            let bus = match (&r.provider.account, &r.provider.region) {
                _ if name.starts_with("arn:") => name,
                (Some(account), Some(region)) => xacct_model::events::bus_arn(
                    &name,
                    partition(Some(region)),
                    region,
                    &account.to_string(),
                ),
                _ => return,
            };
            out.policy(files, policy, PolicyKind::EventBus, |_| Subject::EventBus(bus.clone()), Some(r.address.clone()), &what);
        }
        "aws_lambda_permission" => {
            // One statement of a function's policy, as `AddPermission` makes it (the same as
            // `AWS::Lambda::Permission`), on the function `function_name` names (with its
            // `qualifier`), in the provider's account and region unless named by ARN. A value
            // known only once applied leaves the permission out: the function's policy stays
            // unknown, never guessed.
            let text = |key: &str| {
                let (_, value) = entry(values, key)?;
                let text = value.text()?.into_owned();
                let span = if value.at.file == file { value.at.span } else { r.at.span };
                Some((text, span))
            };
            let (Some((name, name_span)), Some(action), Some(principal)) =
                (text("function_name"), text("action"), text("principal"))
            else {
                return;
            };
            let name = match text("qualifier") {
                Some((qualifier, _)) if !name.starts_with("arn:") || name.matches(':').count() == 6 => {
                    format!("{name}:{qualifier}")
                }
                _ => name,
            };
            let (Some(account), Some(region)) = (&r.provider.account, &r.provider.region) else {
                return;
            };
            let Some(function) = crate::cfn::lambda::function_arn(
                &name,
                partition(Some(region)),
                region,
                &account.to_string(),
            ) else {
                return;
            };
            // A value known only once applied would never match the role asking: the
            // permission stands as a piece of unknown reach, the function's policy unknown.
            if xacct_model::symbol::contains_placeholder(&function) {
                return;
            }
            if [&action.0, &principal.0]
                .iter()
                .any(|t| xacct_model::symbol::contains_placeholder(t))
            {
                let id = Spanned::new(r.address.clone(), r.at.span);
                out.of(file)
                    .policies
                    .push(crate::cfn::lambda::unknown_piece(function, &id));
                return;
            }
            let mut conditions = Vec::new();
            for (key, operator, condition_key) in [
                ("source_arn", "ArnLike", "AWS:SourceArn"),
                ("source_account", "StringEquals", "AWS:SourceAccount"),
                ("principal_org_id", "StringEquals", "aws:PrincipalOrgID"),
            ] {
                if entry(values, key).is_some() {
                    let Some((value, span)) = text(key) else {
                        return;
                    };
                    conditions.push((operator, condition_key, value, span));
                }
            }
            let node = crate::cfn::lambda::statement_document(
                r.at.span,
                (&action.0, action.1),
                (&principal.0, principal.1),
                (&function, name_span),
                &conditions,
            );
            out.push_node(
                file,
                &node,
                PolicyKind::Function,
                Subject::Function(function),
                Some(r.address.clone()),
            );
        }
        "aws_s3_bucket_ownership_controls" => {
            let bucket = entry(values, "bucket").and_then(|(_, b)| b.text().map(|t| t.into_owned()));
            let setting = entry(values, "rule")
                .map(|(_, rules)| as_list(rules))
                .unwrap_or_default()
                .iter()
                .find_map(|rule| entry(rule, "object_ownership").map(|(_, v)| v.clone()));
            if let Some(setting) = setting {
                if let Some(text) = setting.text() {
                    let text = text.into_owned();
                    let span = if setting.at.file == file { setting.at.span } else { r.at.span };
                    out.of(file).ownership.push((bucket, Spanned::new(text, span)));
                }
            }
        }
        kind if super::compute::KINDS.contains(&kind) => super::compute::emit(out, r),
        kind if super::ecs::KINDS.contains(&kind) => super::ecs::emit(out, r),
        _ => {}
    }
}

/// A managed policy attached to a role: the document the run declares for it, else the AWS
/// managed policy's from the catalogue, else a stand-in of unknown reach.
fn attach(
    out: &mut Output,
    files: &[File<'_>],
    policy_arn: &Val,
    role: &str,
    managed: &Managed,
    what: &str,
) {
    let Some(arn) = policy_arn.text().map(|t| t.into_owned()) else {
        return;
    };
    let subject = |span: Span| Subject::RoleArn(Spanned::new(role.to_string(), span));
    match managed.get(&arn) {
        Some((document, name)) => {
            out.policy(
                files,
                document,
                PolicyKind::Identity,
                subject,
                Some(name.clone()),
                what,
            );
        }
        None => {
            let span = policy_arn.at.span;
            out.of(policy_arn.at.file).policies.push(PolicyEntry {
                kind: Some(PolicyKind::Identity),
                subject: Some(subject(span)),
                name: Some(arn.clone()),
                document: xacct_model::managed::not_given(&arn, span),
                bypass_lockout_check: false,
                issues: Vec::new(),
            });
        }
    }
}

/// snake_case to camelCase.
fn camel(key: &str) -> String {
    let mut out = String::with_capacity(key.len());
    let mut upper = false;
    for c in key.chars() {
        if c == '_' {
            upper = true;
        } else if upper {
            out.extend(c.to_uppercase());
            upper = false;
        } else {
            out.push(c);
        }
    }
    out
}

/// A value with snake_case keys as the API's camelCase, nested blocks (lists of one) as
/// objects where the API has one object.
fn camel_value(v: &Val, depth: usize) -> Val {
    if depth > 32 {
        return v.clone();
    }
    match &v.v {
        V::Map(members) => Val::new(
            v.at,
            V::Map(
                members
                    .iter()
                    .map(|(k, at, item)| (camel(k), *at, camel_value(item, depth + 1)))
                    .collect(),
            ),
        ),
        V::List(items) => Val::new(
            v.at,
            V::List(items.iter().map(|i| camel_value(i, depth + 1)).collect()),
        ),
        _ => v.clone(),
    }
}

/// A scalar as the API's string (CodePipeline's fields are strings but for a few integers).
fn stringified(v: &Val) -> Val {
    match &v.v {
        V::Bool(_) | V::Number(_) => {
            Val::str(v.at, v.text().map(|t| t.into_owned()).unwrap_or_default())
        }
        _ => v.clone(),
    }
}

/// An integer field: a number when the text is one (`run_order = "1"`).
fn integer(v: &Val) -> Val {
    match v.text().and_then(|t| t.trim().parse::<i64>().ok()) {
        Some(n) if !matches!(v.v, V::Unknown(_)) => Val::new(v.at, V::Number(n as f64)),
        _ => v.clone(),
    }
}

/// `aws_codepipeline` values as `{"pipeline": {...}}`; `None` when its stages or actions are
/// unknown.
pub fn pipeline(values: &Val) -> Option<Val> {
    let mut declaration: Vec<(String, At, Val)> = Vec::new();
    let field =
        |tf: &str, api: &str, convert: fn(&Val) -> Val, out: &mut Vec<(String, At, Val)>| {
            if let Some((at, v)) = entry(values, tf) {
                out.push((api.to_string(), at, convert(v)));
            }
        };
    field("name", "name", stringified, &mut declaration);
    field("role_arn", "roleArn", stringified, &mut declaration);
    if let Some((at, stores)) = entry(values, "artifact_store") {
        let stores = as_list(stores);
        let regional = stores.iter().any(|s| entry(s, "region").is_some());
        if regional || stores.len() > 1 {
            let mut map = Vec::new();
            for store in &stores {
                let (key_at, region) = entry(store, "region")
                    .map(|(_, r)| (r.at, r.text().map(|t| t.into_owned()).unwrap_or_default()))
                    .unwrap_or((store.at, String::new()));
                map.push((region, key_at, artifact_store(store)));
            }
            declaration.push(("artifactStores".into(), at, Val::new(at, V::Map(map))));
        } else if let Some(store) = stores.first() {
            declaration.push(("artifactStore".into(), at, artifact_store(store)));
        }
    }
    match entry(values, "stage") {
        Some((at, stages @ Val { v: V::List(_), .. })) => {
            let mut out = Vec::new();
            for stage in stages.items() {
                out.push(pipeline_stage(stage)?);
            }
            declaration.push(("stages".into(), at, Val::new(stages.at, V::List(out))));
        }
        Some(_) => return None,
        None => {}
    }
    field(
        "pipeline_type",
        "pipelineType",
        stringified,
        &mut declaration,
    );
    field(
        "execution_mode",
        "executionMode",
        stringified,
        &mut declaration,
    );
    if let Some((at, variables)) = entry(values, "variable") {
        declaration.push(("variables".into(), at, camel_value(variables, 0)));
    }
    if let Some((at, triggers)) = entry(values, "trigger") {
        declaration.push(("triggers".into(), at, camel_value(triggers, 0)));
    }
    let at = values.at;
    Some(Val::new(
        at,
        V::Map(vec![(
            "pipeline".into(),
            at,
            Val::new(at, V::Map(declaration)),
        )]),
    ))
}

fn artifact_store(store: &Val) -> Val {
    let mut members = Vec::new();
    for (tf, api) in [("type", "type"), ("location", "location")] {
        if let Some((at, v)) = entry(store, tf) {
            members.push((api.to_string(), at, stringified(v)));
        }
    }
    if let Some((at, keys)) = entry(store, "encryption_key") {
        if let Some(key) = as_list(keys).first() {
            let mut key_members = Vec::new();
            for (tf, api) in [("id", "id"), ("type", "type")] {
                if let Some((k, v)) = entry(key, tf) {
                    key_members.push((api.to_string(), k, stringified(v)));
                }
            }
            members.push((
                "encryptionKey".into(),
                at,
                Val::new(key.at, V::Map(key_members)),
            ));
        }
    }
    Val::new(store.at, V::Map(members))
}

fn pipeline_stage(stage: &Val) -> Option<Val> {
    if matches!(stage.v, V::Unknown(_)) {
        return None;
    }
    let mut members = Vec::new();
    if let Some((at, name)) = entry(stage, "name") {
        members.push(("name".to_string(), at, stringified(name)));
    }
    match entry(stage, "action") {
        Some((at, actions @ Val { v: V::List(_), .. })) => {
            let mut out = Vec::new();
            for action in actions.items() {
                out.push(pipeline_action(action)?);
            }
            members.push(("actions".into(), at, Val::new(actions.at, V::List(out))));
        }
        Some(_) => return None,
        None => {}
    }
    for (tf, api) in [
        ("before_entry", "beforeEntry"),
        ("on_success", "onSuccess"),
        ("on_failure", "onFailure"),
    ] {
        if let Some((at, v)) = entry(stage, tf) {
            let v = as_list(v).into_iter().next().unwrap_or_else(|| v.clone());
            members.push((api.into(), at, camel_value(&v, 0)));
        }
    }
    Some(Val::new(stage.at, V::Map(members)))
}

fn pipeline_action(action: &Val) -> Option<Val> {
    if matches!(action.v, V::Unknown(_)) {
        return None;
    }
    let mut members = Vec::new();
    if let Some((at, name)) = entry(action, "name") {
        members.push(("name".to_string(), at, stringified(name)));
    }
    let mut type_id = Vec::new();
    let mut type_at = None;
    for key in ["category", "owner", "provider", "version"] {
        if let Some((at, v)) = entry(action, key) {
            type_at.get_or_insert(at);
            type_id.push((key.to_string(), at, stringified(v)));
        }
    }
    if let Some(at) = type_at {
        members.push((
            "actionTypeId".into(),
            at,
            Val::new(action.at, V::Map(type_id)),
        ));
    }
    if let Some((at, order)) = entry(action, "run_order") {
        members.push(("runOrder".into(), at, integer(order)));
    }
    if let Some((at, config)) = entry(action, "configuration") {
        let config = match &config.v {
            V::Map(entries) => Val::new(
                config.at,
                V::Map(
                    entries
                        .iter()
                        .map(|(k, kat, v)| (k.clone(), *kat, stringified(v)))
                        .collect(),
                ),
            ),
            _ => config.clone(),
        };
        members.push(("configuration".into(), at, config));
    }
    for (tf, api) in [
        ("input_artifacts", "inputArtifacts"),
        ("output_artifacts", "outputArtifacts"),
    ] {
        if let Some((at, names)) = entry(action, tf) {
            let items = as_list(names)
                .into_iter()
                .map(|n| Val::new(n.at, V::Map(vec![("name".into(), n.at, stringified(&n))])))
                .collect();
            members.push((api.into(), at, Val::new(names.at, V::List(items))));
        }
    }
    for (tf, api) in [
        ("role_arn", "roleArn"),
        ("region", "region"),
        ("namespace", "namespace"),
    ] {
        if let Some((at, v)) = entry(action, tf) {
            members.push((api.into(), at, stringified(v)));
        }
    }
    // 0 is how a plan shows a timeout not set.
    if let Some((at, timeout)) = entry(action, "timeout_in_minutes")
        .filter(|(_, t)| !matches!(t.v, V::Number(n) if n == 0.0))
    {
        members.push(("timeoutInMinutes".into(), at, integer(timeout)));
    }
    Some(Val::new(action.at, V::Map(members)))
}

/// An API path (`pipeline.stages[1].actions[0].roleArn`) as Terraform names it
/// (`stage[1].action[0].role_arn`).
pub fn terraform_path(path: &str) -> String {
    let path = path.strip_prefix("pipeline.").unwrap_or(path);
    let mut out: Vec<String> = Vec::new();
    let mut in_configuration = false;
    for segment in path.split('.') {
        if in_configuration {
            out.push(segment.to_string());
            continue;
        }
        let (name, index) = match segment.find('[') {
            Some(i) => segment.split_at(i),
            None => (segment, ""),
        };
        let mapped = match name {
            "stages" => "stage".to_string(),
            "actions" => "action".to_string(),
            "artifactStores" => "artifact_store".to_string(),
            "actionTypeId" => continue,
            "inputArtifacts" => "input_artifacts".to_string(),
            "outputArtifacts" => "output_artifacts".to_string(),
            other => {
                let mut snake = String::new();
                for c in other.chars() {
                    if c.is_ascii_uppercase() {
                        snake.push('_');
                        snake.push(c.to_ascii_lowercase());
                    } else {
                        snake.push(c);
                    }
                }
                snake
            }
        };
        in_configuration = name == "configuration";
        out.push(format!("{mapped}{index}"));
    }
    out.join(".")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn api_paths_read_as_terraform_names_them() {
        assert_eq!(
            terraform_path("pipeline.stages[1].actions[0].roleArn"),
            "stage[1].action[0].role_arn"
        );
        assert_eq!(
            terraform_path("pipeline.stages[0].actions[0].actionTypeId.category"),
            "stage[0].action[0].category"
        );
        assert_eq!(
            terraform_path("pipeline.stages[0].actions[0].configuration.BucketName"),
            "stage[0].action[0].configuration.BucketName"
        );
        assert_eq!(
            terraform_path("pipeline.artifactStore.encryptionKey.id"),
            "artifact_store.encryption_key.id"
        );
    }
}
