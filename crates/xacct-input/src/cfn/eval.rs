//! CloudFormation intrinsic functions, evaluated as far as the template and the config allow.
//!
//! The result of evaluating a template subtree is a plain tree (no intrinsics left) whose nodes
//! keep the spans of the template text they came from: a resolved `!Sub` spans the `!Sub`.
//! What cannot be known before deployment stays a placeholder (`${DevAccountId}`,
//! `${AWS::AccountId}`, `${KMSKey}`; see [`xacct_model::symbol`]).
//!
//! A hostile template must not hang or crash this: what `Ref` and `Fn::GetAtt` of a resource
//! give is worked out once and remembered (a resource that needs itself, through any chain,
//! gets a placeholder: the circle is reported by [`super::dependencies`]); every evaluation
//! counts against a budget of steps ([`Limit::EvalSteps`], text counted by its length) and a
//! bound on nesting ([`Limit::Depth`]). Past either, values become placeholders and the
//! template gets one issue naming the limit.

use std::borrow::Cow;
use std::cell::{Cell, RefCell};
use std::collections::{HashMap, HashSet};

use xacct_model::symbol::{contains_placeholder, placeholder};
use xacct_syntax::json::{Member, Node, Value};
use xacct_syntax::Span;

use super::StackFacts;
use crate::{Issue, Limit, Limits};

/// Text a function makes costs one step per this many bytes.
const TEXT_BYTES_PER_STEP: usize = 16;

/// Intrinsic nesting allowed beyond the file's own nesting limit: a value's tree, plus the
/// references it follows.
const REFERENCE_DEPTH: u32 = 64;

/// An owned tree node.
pub type Owned = Node<'static>;

/// A string node of a document built from a template's resource (an event rule's target, a
/// Lambda permission's statement), every part at `span`.
pub(crate) fn string_node(text: &str, span: Span) -> Owned {
    Node {
        span,
        value: Value::String(Cow::Owned(text.to_string())),
    }
}

/// An object node of such a document, its keys in the order given, each at `span`.
pub(crate) fn object_node(span: Span, members: Vec<(&str, Owned)>) -> Owned {
    Node {
        span,
        value: Value::Object(
            members
                .into_iter()
                .map(|(key, value)| Member {
                    key: Cow::Owned(key.to_string()),
                    key_span: span,
                    value,
                })
                .collect(),
        ),
    }
}

/// A template being evaluated.
pub struct Template<'a, 't> {
    /// `Parameters`.
    parameters: HashMap<&'a str, &'a Node<'t>>,
    /// `Mappings`.
    pub(crate) mappings: Option<&'a Node<'t>>,
    /// `Conditions`.
    conditions: HashMap<&'a str, &'a Node<'t>>,
    /// `Resources`, by logical ID.
    pub(crate) resources: Vec<(&'a str, Span, &'a Node<'t>)>,
    by_id: HashMap<&'a str, usize>,
    facts: &'a StackFacts,
    /// Condition values, memoised; `None` while being evaluated (a cycle) or unknown.
    condition_values: RefCell<HashMap<String, Option<bool>>>,
    evaluating: RefCell<HashSet<String>>,
    /// `Fn::If` branches taken for conditions that cannot be decided: (the branch's span,
    /// the condition). Findings inside such a branch hold when the condition does.
    assumptions: RefCell<Vec<(Span, String)>>,
    /// What `Ref` (attribute `None`) and `Fn::GetAtt` of each resource give; `None` while it
    /// is being worked out (asked again meanwhile: a circle).
    resolved: RefCell<HashMap<ResourceValue, Option<String>>>,
    /// Steps left.
    steps: Cell<u64>,
    /// Nesting now, and the most allowed.
    depth: Cell<u32>,
    max_depth: u32,
    /// Limits reached (one issue each).
    issues: RefCell<Vec<Issue>>,
    /// The template's text, for strings whose spans map into it.
    text: Option<&'a str>,
    /// The template as written.
    pub(crate) root: &'a Node<'t>,
    /// Nesting and alias bounds for JSON parsed out of strings.
    parse_limits: xacct_syntax::json::ParseLimits,
}

/// A resource's logical ID and the attribute asked (`None` for `Ref`).
type ResourceValue = (String, Option<String>);

/// Leaves one level of nesting when dropped.
struct Nested<'a>(&'a Cell<u32>);

impl Drop for Nested<'_> {
    fn drop(&mut self) {
        self.0.set(self.0.get().saturating_sub(1));
    }
}

fn members<'a, 't>(node: Option<&'a Node<'t>>) -> &'a [Member<'t>] {
    node.and_then(Node::as_object).unwrap_or(&[])
}

/// The value of whatever a limit stopped.
fn stopped(span: Span) -> Owned {
    owned_str(placeholder("xacct::limit"), span)
}

fn owned_str(text: String, span: Span) -> Owned {
    Node {
        span,
        value: Value::String(Cow::Owned(text)),
    }
}

/// A scalar as CloudFormation turns it into a string (`Version: 1` is `"1"`).
pub fn scalar_text(node: &Node<'_>) -> Option<String> {
    match &node.value {
        Value::String(s) => Some(s.to_string()),
        Value::Number(n) => Some(n.to_string()),
        Value::Bool(b) => Some(b.to_string()),
        _ => None,
    }
}

/// Copies a tree into an owned one.
pub fn to_owned(node: &Node<'_>) -> Owned {
    node.to_static()
}

/// The intrinsic a node is, if it is one: an object of one member `Ref`, `Condition` or
/// `Fn::…`.
fn intrinsic<'a, 't>(node: &'a Node<'t>) -> Option<(&'a str, &'a Node<'t>)> {
    match node.as_object()? {
        [member] if member.key == "Ref" || member.key.starts_with("Fn::") => {
            Some((&member.key, &member.value))
        }
        _ => None,
    }
}

impl<'a, 't> Template<'a, 't> {
    /// Reads the sections of a template.
    pub fn new(root: &'a Node<'t>, facts: &'a StackFacts, limits: &Limits) -> Template<'a, 't> {
        let parameters = members(root.get("Parameters"))
            .iter()
            .map(|m| (&*m.key, &m.value))
            .collect();
        let conditions = members(root.get("Conditions"))
            .iter()
            .map(|m| (&*m.key, &m.value))
            .collect();
        let resources: Vec<(&str, Span, &Node)> = members(root.get("Resources"))
            .iter()
            .map(|m| (&*m.key, m.key_span, &m.value))
            .collect();
        let by_id = resources
            .iter()
            .enumerate()
            .map(|(i, (id, _, _))| (*id, i))
            .collect();
        Template {
            parameters,
            mappings: root.get("Mappings"),
            conditions,
            resources,
            by_id,
            facts,
            condition_values: RefCell::new(HashMap::new()),
            evaluating: RefCell::new(HashSet::new()),
            assumptions: RefCell::new(Vec::new()),
            resolved: RefCell::new(HashMap::new()),
            steps: Cell::new(limits.eval_steps),
            depth: Cell::new(0),
            max_depth: limits.depth.saturating_add(REFERENCE_DEPTH),
            issues: RefCell::new(Vec::new()),
            text: None,
            root,
            parse_limits: limits.parse(),
        }
    }

    /// The same, knowing the template's text (spans of JSON in strings point into it).
    pub fn with_text(mut self, text: Option<&'a str>) -> Template<'a, 't> {
        self.text = text;
        self
    }

    /// The template's text, when given.
    pub(crate) fn text(&self) -> Option<&'a str> {
        self.text
    }

    /// Bounds for JSON parsed out of strings.
    pub(crate) fn parse_limits(&self) -> xacct_syntax::json::ParseLimits {
        self.parse_limits
    }

    /// The limits reached so far, one issue each.
    pub fn issues(&self) -> Vec<Issue> {
        self.issues.borrow().clone()
    }

    fn reached(&self, limit: Limit, span: Span, message: String) {
        let mut issues = self.issues.borrow_mut();
        if !issues
            .iter()
            .any(|i| i.kind == crate::IssueKind::Limit(limit))
        {
            issues.push(Issue::limit(limit, span, message));
        }
    }

    /// Spends `n` steps; false (and the issue, once) when the budget is spent.
    fn spend(&self, n: u64, span: Span) -> bool {
        let left = self.steps.get();
        if left >= n {
            self.steps.set(left - n);
            return true;
        }
        self.steps.set(0);
        self.reached(
            Limit::EvalSteps,
            span,
            "evaluating the template's intrinsic functions takes more steps than the limit; values from here on are left unknown".to_string(),
        );
        false
    }

    /// Spends the steps of `len` bytes of text.
    fn spend_text(&self, len: usize, span: Span) -> bool {
        self.spend((len / TEXT_BYTES_PER_STEP) as u64, span)
    }

    /// One level deeper, or `None` past the bound (and the issue, once).
    fn nest(&self, span: Span) -> Option<Nested<'_>> {
        let depth = self.depth.get() + 1;
        if depth > self.max_depth {
            self.reached(
                Limit::Depth,
                span,
                format!(
                    "intrinsic functions and the references they follow nest deeper than {} levels; values from here on are left unknown",
                    self.max_depth
                ),
            );
            return None;
        }
        self.depth.set(depth);
        Some(Nested(&self.depth))
    }

    /// What `Ref` (attribute `None`) or `Fn::GetAtt` of resource `id` gives, worked out once.
    fn resolve(&self, id: &str, attribute: Option<&str>, work: impl FnOnce() -> String) -> String {
        let key = (id.to_string(), attribute.map(str::to_string));
        if let Some(known) = self.resolved.borrow().get(&key) {
            // `None`: asked while being worked out, a circle.
            return known.clone().unwrap_or_else(|| placeholder(id));
        }
        self.resolved.borrow_mut().insert(key.clone(), None);
        let value = work();
        self.resolved.borrow_mut().insert(key, Some(value.clone()));
        value
    }

    /// The `Fn::If` branches taken on an undecided condition so far.
    pub fn assumptions(&self) -> Vec<(Span, String)> {
        self.assumptions.borrow().clone()
    }

    /// A resource by logical ID: its `Type` and `Properties`.
    pub(crate) fn resource(&self, id: &str) -> Option<(&'a str, Option<&'a Node<'t>>)> {
        let (_, _, node) = self.resources.get(*self.by_id.get(id)?)?;
        Some((node.get("Type")?.as_str()?, node.get("Properties")))
    }

    /// The account the stack is deployed to, or its placeholder.
    pub fn account(&self) -> String {
        self.facts
            .account
            .map_or_else(|| placeholder("AWS::AccountId"), |a| a.to_string())
    }

    /// The region the stack is deployed to, or its placeholder.
    pub fn region(&self) -> String {
        self.facts
            .region
            .clone()
            .unwrap_or_else(|| placeholder("AWS::Region"))
    }

    /// The partition of the stack's region (`aws` when unknown).
    pub fn partition(&self) -> &'static str {
        match self.facts.region.as_deref() {
            Some(r) if r.starts_with("cn-") => "aws-cn",
            Some(r) if r.starts_with("us-gov-") => "aws-us-gov",
            _ => "aws",
        }
    }

    /// Evaluates a subtree. `None` is `AWS::NoValue`: the member or item disappears.
    pub fn eval(&self, node: &Node<'t>) -> Option<Owned> {
        if !self.spend(1, node.span) {
            return Some(stopped(node.span));
        }
        let Some(_nested) = self.nest(node.span) else {
            return Some(stopped(node.span));
        };
        if let Some((name, argument)) = intrinsic(node) {
            return self.intrinsic(name, argument, node.span);
        }
        let value = match &node.value {
            Value::Array(items) => {
                Value::Array(items.iter().filter_map(|n| self.eval(n)).collect())
            }
            Value::Object(members) => Value::Object(
                members
                    .iter()
                    .filter_map(|m| {
                        Some(Member {
                            key: Cow::Owned(m.key.to_string()),
                            key_span: m.key_span,
                            value: self.eval(&m.value)?,
                        })
                    })
                    .collect(),
            ),
            _ => return Some(to_owned(node)),
        };
        Some(Node {
            span: node.span,
            value,
        })
    }

    /// Evaluates to text: a string, or a scalar as CloudFormation stringifies it.
    pub fn eval_text(&self, node: &Node<'t>) -> Option<String> {
        let value = self.eval(node)?;
        scalar_text(&value)
    }

    fn intrinsic(&self, name: &str, argument: &Node<'t>, span: Span) -> Option<Owned> {
        let text = |t: String| {
            if self.spend_text(t.len(), span) {
                Some(owned_str(t, span))
            } else {
                Some(stopped(span))
            }
        };
        match name {
            "Ref" => self.reference(argument.as_str()?, span),
            "Fn::GetAtt" => {
                let (resource, attribute) = match &argument.value {
                    Value::Array(parts) if parts.len() == 2 => {
                        (parts[0].as_str()?.to_string(), self.eval_text(&parts[1])?)
                    }
                    Value::String(s) => {
                        let (r, a) = s.split_once('.')?;
                        (r.to_string(), a.to_string())
                    }
                    _ => return text(placeholder("Fn::GetAtt")),
                };
                text(self.get_att(&resource, &attribute))
            }
            "Fn::Sub" => text(self.sub(argument)),
            "Fn::Join" => {
                let [delimiter, list] = argument.as_array()? else {
                    return text(placeholder("Fn::Join"));
                };
                let delimiter = self.eval_text(delimiter).unwrap_or_default();
                let list = self.eval(list)?;
                let parts: Vec<String> = match &list.value {
                    Value::Array(items) => items
                        .iter()
                        .map(|i| scalar_text(i).unwrap_or_else(|| placeholder("Fn::Join")))
                        .collect(),
                    _ => vec![scalar_text(&list).unwrap_or_else(|| placeholder("Fn::Join"))],
                };
                let length =
                    parts.iter().map(String::len).sum::<usize>() + delimiter.len() * parts.len();
                if !self.spend_text(length, span) {
                    return Some(stopped(span));
                }
                text(parts.join(&delimiter))
            }
            "Fn::Select" => {
                let [index, list] = argument.as_array()? else {
                    return text(placeholder("Fn::Select"));
                };
                let index: usize = self.eval_text(index)?.parse().ok()?;
                let list = self.eval(list)?;
                match list.value {
                    Value::Array(items) => items.into_iter().nth(index),
                    _ => text(placeholder("Fn::Select")),
                }
            }
            "Fn::Split" => {
                let [delimiter, source] = argument.as_array()? else {
                    return text(placeholder("Fn::Split"));
                };
                let (delimiter, source) = (self.eval_text(delimiter)?, self.eval_text(source)?);
                if delimiter.is_empty() || contains_placeholder(&source) {
                    return text(placeholder("Fn::Split"));
                }
                if !self.spend(source.matches(delimiter.as_str()).count() as u64, span) {
                    return Some(stopped(span));
                }
                Some(Node {
                    span,
                    value: Value::Array(
                        source
                            .split(delimiter.as_str())
                            .map(|part| owned_str(part.to_string(), span))
                            .collect(),
                    ),
                })
            }
            "Fn::If" => {
                let [condition, then, otherwise] = argument.as_array()? else {
                    return text(placeholder("Fn::If"));
                };
                let name = condition.as_str()?;
                match self.condition(name) {
                    Some(true) => self.eval(then),
                    Some(false) => self.eval(otherwise),
                    None => {
                        let (a, b) = (self.eval(then), self.eval(otherwise));
                        let structured = |n: &Option<Owned>| {
                            n.as_ref().is_some_and(|n| {
                                matches!(n.value, Value::Object(_) | Value::Array(_))
                            })
                        };
                        if a.as_ref().map(strip_spans) == b.as_ref().map(strip_spans) {
                            // Both branches give the same value: no matter which holds.
                            a
                        } else if structured(&a) && structured(&b) {
                            // An action or a statement in each branch: check the first, and
                            // say so in what is found there.
                            self.assumptions
                                .borrow_mut()
                                .push((then.span, name.to_string()));
                            a
                        } else if structured(&a) && b.is_none() {
                            // A statement (or action) that exists only when the condition
                            // holds: check it as if it does.
                            self.assumptions
                                .borrow_mut()
                                .push((then.span, name.to_string()));
                            a
                        } else if a.is_none() && structured(&b) {
                            self.assumptions
                                .borrow_mut()
                                .push((otherwise.span, format!("{name}` is false (`{name}")));
                            b
                        } else {
                            // A scalar either way, or present in one branch only: unknown
                            // until deployment.
                            text(placeholder(&format!("Fn::If {name}")))
                        }
                    }
                }
            }
            "Fn::FindInMap" => {
                let [map, top, second, ..] = argument.as_array()? else {
                    return text(placeholder("Fn::FindInMap"));
                };
                let (map, top, second) = (
                    self.eval_text(map)?,
                    self.eval_text(top)?,
                    self.eval_text(second)?,
                );
                let found = self
                    .mappings
                    .and_then(|m| m.get(&map))
                    .and_then(|m| m.get(&top))
                    .and_then(|m| m.get(&second));
                // Mapping values are literals: CloudFormation allows no intrinsic function in
                // `Mappings` (one there is reported by the loader), so none is evaluated.
                match found {
                    Some(value) => Some(to_owned(value)),
                    None => text(placeholder(&format!("Fn::FindInMap {map}"))),
                }
            }
            "Fn::ImportValue" => {
                let export = self.eval_text(argument).unwrap_or_default();
                // Another template of the run exports it (only a name fully known can match).
                match self.facts.exports.get(&export) {
                    Some(value) if !contains_placeholder(&export) => text(value.clone()),
                    _ => text(placeholder(&format!("ImportValue {export}"))),
                }
            }
            "Fn::ToJsonString" => {
                let value = self.eval(argument)?;
                text(json_text(&value))
            }
            "Fn::Equals" | "Fn::And" | "Fn::Or" | "Fn::Not" => {
                let value = self.condition_expression(&Node {
                    span,
                    value: Value::Object(vec![Member {
                        key: Cow::Owned(name.to_string()),
                        key_span: span,
                        value: argument.clone(),
                    }]),
                });
                match value {
                    Some(b) => Some(Node {
                        span,
                        value: Value::Bool(b),
                    }),
                    None => text(placeholder(name)),
                }
            }
            // Fn::Base64, Fn::GetAZs, Fn::Cidr, Fn::Length, Fn::Transform, and anything
            // newer: nothing the rules read comes out of them.
            _ => text(placeholder(name)),
        }
    }

    /// `Ref`: a parameter, a pseudo-parameter or a resource.
    fn reference(&self, name: &str, span: Span) -> Option<Owned> {
        let text = |t: String| Some(owned_str(t, span));
        match name {
            "AWS::NoValue" => return None,
            "AWS::AccountId" => return text(self.account()),
            "AWS::Region" => return text(self.region()),
            "AWS::Partition" => return text(self.partition().to_string()),
            "AWS::URLSuffix" => return text("amazonaws.com".to_string()),
            "AWS::StackName" => {
                return text(
                    self.facts
                        .name
                        .clone()
                        .unwrap_or_else(|| placeholder("AWS::StackName")),
                )
            }
            _ => {}
        }
        if let Some(parameter) = self.parameters.get(name) {
            let value = self
                .facts
                .parameters
                .get(name)
                .cloned()
                .or_else(|| parameter.get("Default").and_then(scalar_text));
            let Some(value) = value else {
                return text(placeholder(name));
            };
            let is_list = parameter
                .get("Type")
                .and_then(Node::as_str)
                .is_some_and(|t| t.starts_with("List<") || t == "CommaDelimitedList");
            if is_list {
                return Some(Node {
                    span,
                    value: Value::Array(
                        value
                            .split(',')
                            .map(|v| owned_str(v.trim().to_string(), span))
                            .collect(),
                    ),
                });
            }
            return text(value);
        }
        text(self.resource_ref(name))
    }

    /// The physical ID the config gives a resource, or its placeholder.
    fn physical_id(&self, id: &str) -> String {
        self.facts
            .resources
            .get(id)
            .cloned()
            .unwrap_or_else(|| placeholder(id))
    }

    /// What `Ref` of a resource returns, for the types whose rules need it.
    fn resource_ref(&self, id: &str) -> String {
        if let Some(physical) = self.facts.resources.get(id) {
            return physical.clone();
        }
        self.resolve(id, None, || self.work_out_ref(id))
    }

    fn work_out_ref(&self, id: &str) -> String {
        let Some((kind, properties)) = self.resource(id) else {
            return placeholder(id);
        };
        let named = |property: &str| {
            properties
                .and_then(|p| p.get(property))
                .and_then(|n| self.eval_text(n))
        };
        match kind {
            "AWS::IAM::Role" => named("RoleName"),
            "AWS::S3::Bucket" => named("BucketName"),
            "AWS::KMS::Alias" => named("AliasName"),
            "AWS::CodeBuild::Project" => named("Name"),
            // The cluster an ECS service names (`cfn/mod.rs`).
            "AWS::ECS::Cluster" => named("ClusterName"),
            "AWS::CodePipeline::Pipeline" => named("Name"),
            // What a deployment group's targets are found by (`cfn/compute.rs`).
            "AWS::IAM::InstanceProfile" => named("InstanceProfileName"),
            "AWS::AutoScaling::AutoScalingGroup" => named("AutoScalingGroupName"),
            "AWS::AutoScaling::LaunchConfiguration" => named("LaunchConfigurationName"),
            "AWS::CodeDeploy::Application" => named("ApplicationName"),
            "AWS::CodeDeploy::DeploymentGroup" => named("DeploymentGroupName"),
            "AWS::IAM::ManagedPolicy" => named("ManagedPolicyName").map(|name| {
                format!(
                    "arn:{}:iam::{}:policy/{name}",
                    self.partition(),
                    self.account()
                )
            }),
            _ => None,
        }
        .unwrap_or_else(|| placeholder(id))
    }

    /// `Fn::GetAtt` of the attributes that matter here; anything else is a placeholder.
    pub(crate) fn get_att(&self, id: &str, attribute: &str) -> String {
        self.resolve(id, Some(attribute), || self.work_out_att(id, attribute))
    }

    fn work_out_att(&self, id: &str, attribute: &str) -> String {
        let fallback = || placeholder(&format!("{id}.{attribute}"));
        if let Some(output) = self.facts.nested_outputs.get(&format!("{id}.{attribute}")) {
            return output.clone();
        }
        let Some((kind, properties)) = self.resource(id) else {
            return fallback();
        };
        let property = |name: &str| {
            properties
                .and_then(|p| p.get(name))
                .and_then(|n| self.eval_text(n))
        };
        let (partition, account, region) = (self.partition(), self.account(), self.region());
        match (kind, attribute) {
            ("AWS::IAM::Role", "Arn") => {
                let path = property("Path").unwrap_or_else(|| "/".to_string());
                let name = property("RoleName").unwrap_or_else(|| self.physical_id(id));
                format!("arn:{partition}:iam::{account}:role{path}{name}")
            }
            ("AWS::IAM::Role", "RoleId") => placeholder(&format!("{id}.RoleId")),
            ("AWS::IAM::InstanceProfile", "Arn") => {
                let path = property("Path").unwrap_or_else(|| "/".to_string());
                let name = property("InstanceProfileName").unwrap_or_else(|| self.physical_id(id));
                format!("arn:{partition}:iam::{account}:instance-profile{path}{name}")
            }
            ("AWS::KMS::Key", "Arn") => {
                format!(
                    "arn:{partition}:kms:{region}:{account}:key/{}",
                    self.physical_id(id)
                )
            }
            ("AWS::KMS::Key", "KeyId") => self.physical_id(id),
            ("AWS::S3::Bucket", "Arn") => {
                let name = property("BucketName").unwrap_or_else(|| self.physical_id(id));
                format!("arn:{partition}:s3:::{name}")
            }
            ("AWS::Events::EventBus", "Arn") => match property("Name") {
                Some(name) => format!("arn:{partition}:events:{region}:{account}:event-bus/{name}"),
                None => fallback(),
            },
            ("AWS::CodeBuild::Project", "Arn") => {
                let name = property("Name").unwrap_or_else(|| self.physical_id(id));
                format!("arn:{partition}:codebuild:{region}:{account}:project/{name}")
            }
            _ => fallback(),
        }
    }

    /// `Fn::Sub`: a string, or `[string, {name: value}]`.
    fn sub(&self, argument: &Node<'t>) -> String {
        let (template, variables) = match &argument.value {
            Value::String(s) => (s.to_string(), None),
            Value::Array(parts) if !parts.is_empty() => {
                let Some(s) = parts[0].as_str() else {
                    return placeholder("Fn::Sub");
                };
                (s.to_string(), parts.get(1))
            }
            _ => return placeholder("Fn::Sub"),
        };
        let mut out = String::with_capacity(template.len());
        let mut rest = template.as_str();
        while let Some(start) = rest.find("${") {
            out.push_str(&rest[..start]);
            let after = &rest[start + 2..];
            let Some(end) = after.find('}') else {
                out.push_str(&rest[start..]);
                rest = "";
                break;
            };
            let name = after[..end].trim();
            // `${!Literal}` is the text `${Literal}`.
            if let Some(literal) = name.strip_prefix('!') {
                out.push_str("${");
                out.push_str(literal);
                out.push('}');
            } else {
                let value = variables
                    .and_then(|v| v.get(name))
                    .map(|v| self.eval_text(v).unwrap_or_else(|| placeholder(name)))
                    .unwrap_or_else(|| self.sub_name(name));
                if !self.spend_text(value.len(), argument.span) {
                    return placeholder("xacct::limit");
                }
                out.push_str(&value);
            }
            rest = &after[end + 1..];
        }
        out.push_str(rest);
        out
    }

    /// A `${name}` of `Fn::Sub` without a variable map entry: `Ref` or, with a dot, `GetAtt`.
    fn sub_name(&self, name: &str) -> String {
        if !name.starts_with("AWS::") && !self.parameters.contains_key(name) {
            if let Some((id, attribute)) = name.split_once('.') {
                return self.get_att(id, attribute);
            }
        }
        let span = Span::empty(0);
        self.reference(name, span)
            .and_then(|n| match n.value {
                Value::Array(items) => Some(
                    items
                        .iter()
                        .filter_map(scalar_text)
                        .collect::<Vec<_>>()
                        .join(","),
                ),
                _ => scalar_text(&n),
            })
            .unwrap_or_default()
    }

    /// A named condition: `Some` when it can be decided from the parameters, else `None`.
    pub fn condition(&self, name: &str) -> Option<bool> {
        if let Some(value) = self.condition_values.borrow().get(name) {
            return *value;
        }
        if !self.evaluating.borrow_mut().insert(name.to_string()) {
            return None; // a cycle
        }
        let value = self
            .conditions
            .get(name)
            .and_then(|node| self.condition_expression(node));
        self.evaluating.borrow_mut().remove(name);
        self.condition_values
            .borrow_mut()
            .insert(name.to_string(), value);
        value
    }

    fn condition_expression(&self, node: &Node<'t>) -> Option<bool> {
        if !self.spend(1, node.span) {
            return None;
        }
        let _nested = self.nest(node.span)?;
        let [member] = node.as_object()? else {
            return None;
        };
        let arguments = || member.value.as_array().unwrap_or(&[]);
        match &*member.key {
            "Condition" => self.condition(member.value.as_str()?),
            "Fn::Equals" => {
                let [a, b] = arguments() else { return None };
                let (a, b) = (self.eval_text(a)?, self.eval_text(b)?);
                if contains_placeholder(&a) || contains_placeholder(&b) {
                    return None;
                }
                Some(a == b)
            }
            "Fn::Not" => {
                let [a] = arguments() else { return None };
                self.condition_expression(a).map(|b| !b)
            }
            "Fn::And" => three_valued(
                arguments().iter().map(|a| self.condition_expression(a)),
                false,
            ),
            "Fn::Or" => three_valued(
                arguments().iter().map(|a| self.condition_expression(a)),
                true,
            ),
            _ => None,
        }
    }
}

/// `And` (`decisive` false) or `Or` (`decisive` true) over values that may be unknown: one
/// decisive value settles it, else any unknown leaves it unknown.
fn three_valued(values: impl Iterator<Item = Option<bool>>, decisive: bool) -> Option<bool> {
    let mut unknown = false;
    for value in values {
        match value {
            Some(v) if v == decisive => return Some(decisive),
            Some(_) => {}
            None => unknown = true,
        }
    }
    (!unknown).then_some(!decisive)
}

/// A tree without its spans, to compare values.
fn strip_spans(node: &Owned) -> Owned {
    let mut copy = node.clone();
    fn walk(node: &mut Owned) {
        node.span = Span::empty(0);
        match &mut node.value {
            Value::Array(items) => items.iter_mut().for_each(walk),
            Value::Object(members) => members.iter_mut().for_each(|m| {
                m.key_span = Span::empty(0);
                walk(&mut m.value);
            }),
            _ => {}
        }
    }
    walk(&mut copy);
    copy
}

/// Compact JSON text of a resolved tree (`Fn::ToJsonString`).
fn json_text(node: &Node<'_>) -> String {
    match &node.value {
        Value::Null => "null".to_string(),
        Value::Bool(b) => b.to_string(),
        Value::Number(n) => n.to_string(),
        Value::String(s) => format!("{s:?}"),
        Value::Array(items) => format!(
            "[{}]",
            items.iter().map(json_text).collect::<Vec<_>>().join(",")
        ),
        Value::Object(members) => format!(
            "{{{}}}",
            members
                .iter()
                .map(|m| format!("{:?}:{}", m.key, json_text(&m.value)))
                .collect::<Vec<_>>()
                .join(",")
        ),
    }
}
