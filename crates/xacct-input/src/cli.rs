//! AWS CLI outputs: files that hold IAM policies, in every shape the AWS CLI prints them, and
//! what each policy governs when the file says so; and a bucket's ownership controls
//! (`get-bucket-ownership-controls`).

use xacct_model::arn::Arn;
use xacct_model::pipeline::Spanned;
use xacct_model::policy::{load_policy, PolicyDocument};
use xacct_model::policy_file::{BoundaryRef, PolicyEntry, PolicyKind, Subject};
use xacct_syntax::json::{parse_detached, parse_embedded, Node, ParseLimits, Value};

use crate::detect::Syntax;
use crate::issue::{describe, Issue, IssueKind};
use xacct_syntax::Span;

/// The top-level keys of the AWS CLI outputs that hold policies.
pub const POLICY_KEYS: &[&str] = &[
    "Statement",
    "AssumeRolePolicyDocument",
    "PolicyDocument",
    "Policy",
    "Role",
    "PolicyVersion",
    "RoleDetailList",
    "Grants",
    "AttachedPolicies",
];

/// A policy file's contents, and what is wrong with its shape.
#[derive(Clone, Debug, Default)]
pub struct PolicyFile {
    /// The policies.
    pub entries: Vec<PolicyEntry>,
    /// Values of the wrong shape, syntax errors and duplicate keys inside policies given as
    /// strings, grammar problems of the policies: spans in the outer file.
    pub issues: Vec<Issue>,
    /// The permissions boundaries the roles of the file name.
    pub boundaries: Vec<BoundaryRef>,
}

/// Reads one file's policies.
struct Reader<'a> {
    /// The file's text, for policies embedded as JSON strings.
    text: &'a str,
    syntax: Syntax,
    limits: ParseLimits,
    file: PolicyFile,
}

impl Reader<'_> {
    fn wrong_shape(&mut self, key: &str, found: &Node, want: &str, command: &str) {
        self.file.issues.push(
            Issue::new(
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
        );
    }

    /// The object under `key`, reporting a value of another kind.
    fn object<'n, 's>(
        &mut self,
        parent: &'n Node<'s>,
        key: &str,
        command: &str,
    ) -> Option<&'n Node<'s>> {
        let node = parent.get(key)?;
        if node.as_object().is_some() {
            return Some(node);
        }
        self.wrong_shape(key, node, "an object", command);
        None
    }

    /// The list under `key`, reporting a value of another kind.
    fn list<'n, 's>(&mut self, parent: &'n Node<'s>, key: &str, command: &str) -> &'n [Node<'s>] {
        match parent.get(key) {
            None => &[],
            Some(node) => match node.as_array() {
                Some(items) => items,
                None => {
                    self.wrong_shape(key, node, "a list", command);
                    &[]
                }
            },
        }
    }

    /// The string under `key`, reporting a value of another kind.
    fn string(&mut self, parent: &Node, key: &str, command: &str) -> Option<Spanned<String>> {
        let node = parent.get(key)?;
        match node.as_str() {
            Some(s) => Some(Spanned::new(s.to_string(), node.span)),
            None => {
                self.wrong_shape(key, node, "a string", command);
                None
            }
        }
    }

    /// A role's `PermissionsBoundary` (`get-role`, `get-account-authorization-details`): the
    /// managed policy it names, for the role `arn`.
    fn boundary(&mut self, role: &Node, arn: Option<&Spanned<String>>, command: &str) {
        let Some(boundary) = self.object(role, "PermissionsBoundary", command) else {
            return;
        };
        let (Some(policy), Some(arn)) = (
            self.string(boundary, "PermissionsBoundaryArn", command),
            arn,
        ) else {
            return;
        };
        self.file.boundaries.push(BoundaryRef {
            role: arn.clone(),
            policy,
        });
    }

    fn push(
        &mut self,
        node: &Node,
        kind: Option<PolicyKind>,
        subject: Option<Subject>,
        name: Option<String>,
    ) {
        let (document, issues) = load_policy(node);
        self.file.issues.extend(issues.iter().map(Issue::policy));
        let kind = kind.or_else(|| classify(&document));
        let subject = subject.or_else(|| match kind {
            Some(PolicyKind::Bucket) => bucket_of(&document).map(Subject::Bucket),
            Some(PolicyKind::Function) => function_of(&document).map(Subject::Function),
            _ => None,
        });
        self.file.entries.push(PolicyEntry {
            kind,
            subject,
            name,
            document,
            issues,
            bypass_lockout_check: false,
        });
    }

    /// A managed policy attached by ARN whose document the file does not hold: the vendored
    /// AWS managed policy, or a stand-in of unknown reach (never the ground for a finding).
    fn attach(&mut self, arn: &Spanned<String>, subject: Option<Subject>) {
        self.file.entries.push(PolicyEntry {
            kind: Some(PolicyKind::Identity),
            subject,
            name: Some(arn.value.clone()),
            document: xacct_model::managed::not_given(&arn.value, arn.span),
            issues: Vec::new(),
            bypass_lockout_check: false,
        });
    }

    /// The policy document under `key`: an object, or JSON in a string (as `get-bucket-policy`
    /// and `get-key-policy` print it, and URL-encoded as the IAM API returns it).
    fn policy(
        &mut self,
        parent: &Node,
        key: &str,
        command: &str,
        kind: Option<PolicyKind>,
        subject: Option<Subject>,
        name: Option<String>,
    ) {
        let Some(node) = parent.get(key) else {
            return;
        };
        match &node.value {
            Value::Object(_) => self.push(node, kind, subject, name),
            Value::String(value) => {
                let parsed = match self.syntax {
                    Syntax::Json => parse_embedded(self.text, node.span, &self.limits),
                    Syntax::Yaml => parse_detached(value, node.span, &self.limits),
                };
                match parsed {
                    Ok(doc) => {
                        self.file
                            .issues
                            .extend(doc.duplicates.iter().map(Issue::duplicate));
                        if doc.root.as_object().is_some() {
                            self.push(&doc.root, kind, subject, name);
                        } else {
                            self.wrong_shape(key, &doc.root, "a policy document", command);
                        }
                    }
                    Err(error) => self.file.issues.push(Issue::json_syntax(&error)),
                }
            }
            _ => self.wrong_shape(
                key,
                node,
                "a policy document (an object, or JSON in a string)",
                command,
            ),
        }
    }
}

/// True when a parsed file holds policies in a shape this module reads.
pub fn is_policy_file(root: &Node) -> bool {
    POLICY_KEYS.iter().any(|k| root.get(k).is_some())
}

/// Reads every policy of a file. `text` is the file's text, for embedded policies.
pub fn load_policy_file(
    root: &Node,
    text: &str,
    syntax: Syntax,
    limits: &ParseLimits,
) -> PolicyFile {
    let mut reader = Reader {
        text,
        syntax,
        limits: *limits,
        file: PolicyFile::default(),
    };
    let r = &mut reader;
    if root.get("Statement").is_some() {
        // A bare policy document.
        r.push(root, None, None, None);
    } else if root.get("Role").is_some() {
        const GET_ROLE: &str = "aws iam get-role";
        if let Some(role) = r.object(root, "Role", GET_ROLE) {
            let arn = r.string(role, "Arn", GET_ROLE);
            r.boundary(role, arn.as_ref(), GET_ROLE);
            r.policy(
                role,
                "AssumeRolePolicyDocument",
                GET_ROLE,
                Some(PolicyKind::Trust),
                arn.map(Subject::RoleArn),
                None,
            );
        }
    } else if root.get("PolicyDocument").is_some() {
        const GET_ROLE_POLICY: &str = "aws iam get-role-policy";
        let subject = r
            .string(root, "RoleName", GET_ROLE_POLICY)
            .map(Subject::RoleName);
        let name = r
            .string(root, "PolicyName", GET_ROLE_POLICY)
            .map(|n| n.value);
        r.policy(
            root,
            "PolicyDocument",
            GET_ROLE_POLICY,
            Some(PolicyKind::Identity),
            subject,
            name,
        );
    } else if root.get("PolicyVersion").is_some() {
        // A managed policy; whom it is attached to needs the config.
        const GET_POLICY_VERSION: &str = "aws iam get-policy-version";
        if let Some(version) = r.object(root, "PolicyVersion", GET_POLICY_VERSION) {
            r.policy(
                version,
                "Document",
                GET_POLICY_VERSION,
                Some(PolicyKind::Identity),
                None,
                None,
            );
        }
    } else if root.get("AssumeRolePolicyDocument").is_some() {
        // A role declared inline (`create-role` input, where the document is a JSON string).
        const CREATE_ROLE: &str = "aws iam create-role --generate-cli-skeleton";
        let subject = r.string(root, "Arn", CREATE_ROLE).map(Subject::RoleArn);
        r.policy(
            root,
            "AssumeRolePolicyDocument",
            CREATE_ROLE,
            Some(PolicyKind::Trust),
            subject,
            None,
        );
    } else if let Some(policy) = root.get("Policy").filter(|p| is_organization_policy(p)) {
        load_organization_policy(r, policy);
    } else if let Some(bus) = root.get("Policy").and_then(|_| event_bus_arn(root)) {
        // `aws events describe-event-bus`: the bus's resource policy, JSON in a string.
        const DESCRIBE_BUS: &str = "aws events describe-event-bus";
        let name = r.string(root, "Name", DESCRIBE_BUS).map(|n| n.value);
        r.policy(
            root,
            "Policy",
            DESCRIBE_BUS,
            Some(PolicyKind::EventBus),
            Some(Subject::EventBus(bus)),
            name,
        );
    } else if root.get("Policy").is_some() && root.get("RevisionId").is_some() {
        // `aws lambda get-policy`: `{"Policy": "<JSON>", "RevisionId": "…"}`, the function's
        // resource policy, tied to the function its statements' `Resource` names.
        const GET_FUNCTION_POLICY: &str = "aws lambda get-policy";
        r.policy(
            root,
            "Policy",
            GET_FUNCTION_POLICY,
            Some(PolicyKind::Function),
            None,
            None,
        );
    } else if root.get("Policy").is_some() {
        // `aws s3api get-bucket-policy` or `aws kms get-key-policy` (which names the policy).
        const GET_POLICY: &str = "aws s3api get-bucket-policy";
        let name = r
            .string(root, "PolicyName", "aws kms get-key-policy")
            .map(|n| n.value);
        let kind = name.as_ref().map(|_| PolicyKind::Key);
        r.policy(root, "Policy", GET_POLICY, kind, None, name);
    } else if root.get("RoleDetailList").is_some() {
        load_authorization_details(r, root);
        load_detail_boundaries(r, root);
    } else if root.get("Grants").is_some() {
        let (entries, issues) = crate::grants::load(root);
        r.file.issues.extend(issues);
        r.file.issues.extend(
            entries
                .iter()
                .flat_map(|e| e.issues.iter().map(Issue::policy)),
        );
        r.file.entries.extend(entries);
    } else if root.get("AttachedPolicies").is_some() {
        // `aws iam list-attached-role-policies`: whose role needs the config's `[[bind]]`.
        const LIST_ATTACHED: &str = "aws iam list-attached-role-policies";
        for attached in r.list(root, "AttachedPolicies", LIST_ATTACHED) {
            if let Some(arn) = r.string(attached, "PolicyArn", LIST_ATTACHED) {
                r.attach(&arn, None);
            }
        }
    }
    reader.file
}

/// The ARN of the event bus `aws events describe-event-bus` describes: its `Arn`, when that is
/// an event bus ARN (a bucket or key policy output has no `Arn`).
fn event_bus_arn(root: &Node) -> Option<String> {
    let arn = root.get("Arn")?.as_str()?;
    let parsed = Arn::parse(arn).ok()?;
    (parsed.service == "events" && parsed.resource.starts_with("event-bus/"))
        .then(|| arn.to_string())
}

/// True for `aws organizations describe-policy` output's `Policy`: an object with the policy's
/// `PolicySummary` and its `Content` (a bucket or key policy is a string).
fn is_organization_policy(policy: &Node) -> bool {
    policy.get("PolicySummary").is_some() || policy.get("Content").is_some()
}

/// `aws organizations describe-policy`: an SCP or RCP, its document JSON in the `Content`
/// string. Whom it applies to the output does not say (the config's `[[bind]]` does); other
/// policy types (tag, backup, AI opt-out policies) hold no IAM policy and are passed over.
fn load_organization_policy(r: &mut Reader<'_>, policy: &Node) {
    const DESCRIBE_POLICY: &str = "aws organizations describe-policy";
    if policy.as_object().is_none() {
        r.wrong_shape("Policy", policy, "an object", DESCRIBE_POLICY);
        return;
    }
    let summary = r.object(policy, "PolicySummary", DESCRIBE_POLICY);
    let kind_node = summary.and_then(|s| s.get("Type"));
    let kind = match summary.and_then(|s| r.string(s, "Type", DESCRIBE_POLICY)) {
        Some(kind) if kind.value == "SERVICE_CONTROL_POLICY" => PolicyKind::ServiceControl,
        Some(kind) if kind.value == "RESOURCE_CONTROL_POLICY" => PolicyKind::ResourceControl,
        Some(_) => return,
        None => {
            let at = kind_node.or(summary).unwrap_or(policy);
            r.file.issues.push(
                Issue::new(
                    IssueKind::Shape,
                    Span::new(at.span.start, at.span.start + 1),
                    "`PolicySummary.Type` is not given: cannot tell an SCP from an RCP",
                )
                .help(format!(
                    "write the file as `{DESCRIBE_POLICY}` prints it, with `PolicySummary`"
                )),
            );
            return;
        }
    };
    let name = summary
        .and_then(|s| r.string(s, "Name", DESCRIBE_POLICY))
        .map(|n| n.value);
    r.policy(policy, "Content", DESCRIBE_POLICY, Some(kind), None, name);
}

/// The permissions boundaries of `get-account-authorization-details`: each role's
/// `PermissionsBoundary`, and the default version of each managed policy a role names so
/// (the file holds it under `Policies`) as that managed policy's document.
fn load_detail_boundaries(r: &mut Reader<'_>, root: &Node) {
    const DETAILS: &str = "aws iam get-account-authorization-details";
    let roles = root
        .get("RoleDetailList")
        .and_then(Node::as_array)
        .unwrap_or_default();
    let before = r.file.boundaries.len();
    for role in roles {
        let arn = role
            .get("Arn")
            .and_then(|a| Some(Spanned::new(a.as_str()?.to_string(), a.span)));
        r.boundary(role, arn.as_ref(), DETAILS);
    }
    let named: Vec<String> = r.file.boundaries[before..]
        .iter()
        .map(|b| b.policy.value.clone())
        .collect();
    let policies = root
        .get("Policies")
        .and_then(Node::as_array)
        .unwrap_or_default();
    for policy in policies {
        let Some(arn) = policy.get("Arn").filter(|a| {
            a.as_str()
                .is_some_and(|a| named.iter().any(|n| n.as_str() == a))
        }) else {
            continue;
        };
        let default = policy
            .get("PolicyVersionList")
            .and_then(Node::as_array)
            .unwrap_or_default()
            .iter()
            .find(|v| {
                v.get("IsDefaultVersion")
                    .is_some_and(|d| d.value == Value::Bool(true))
            });
        if let Some(version) = default {
            let arn = Spanned::new(arn.as_str().unwrap_or_default().to_string(), arn.span);
            let name = Some(arn.value.clone());
            r.policy(
                version,
                "Document",
                DETAILS,
                Some(PolicyKind::Identity),
                Some(Subject::ManagedPolicy(arn)),
                name,
            );
        }
    }
}

/// `aws iam get-account-authorization-details`: every role with its trust policy, inline
/// policies and the default versions of attached managed policies.
fn load_authorization_details(r: &mut Reader<'_>, root: &Node) {
    const DETAILS: &str = "aws iam get-account-authorization-details";
    let mut managed: Vec<(&str, &Node)> = Vec::new();
    for policy in r.list(root, "Policies", DETAILS) {
        let Some(arn) = policy.get("Arn").and_then(Node::as_str) else {
            continue;
        };
        let default = r
            .list(policy, "PolicyVersionList", DETAILS)
            .iter()
            .find(|v| {
                v.get("IsDefaultVersion")
                    .is_some_and(|d| d.value == Value::Bool(true))
            });
        if let Some(version) = default {
            managed.push((arn, version));
        }
    }
    for role in r.list(root, "RoleDetailList", DETAILS) {
        if role.as_object().is_none() {
            r.wrong_shape("RoleDetailList", role, "a list of roles", DETAILS);
            continue;
        }
        let Some(arn) = r.string(role, "Arn", DETAILS) else {
            continue;
        };
        r.policy(
            role,
            "AssumeRolePolicyDocument",
            DETAILS,
            Some(PolicyKind::Trust),
            Some(Subject::RoleArn(arn.clone())),
            None,
        );
        for inline in r.list(role, "RolePolicyList", DETAILS) {
            let name = inline
                .get("PolicyName")
                .and_then(Node::as_str)
                .map(str::to_string);
            r.policy(
                inline,
                "PolicyDocument",
                DETAILS,
                Some(PolicyKind::Identity),
                Some(Subject::RoleArn(arn.clone())),
                name,
            );
        }
        for attached in r.list(role, "AttachedManagedPolicies", DETAILS) {
            let Some(policy_arn) = attached.get("PolicyArn").and_then(Node::as_str) else {
                continue;
            };
            match managed.iter().find(|(a, _)| *a == policy_arn) {
                Some((_, version)) => r.policy(
                    version,
                    "Document",
                    DETAILS,
                    Some(PolicyKind::Identity),
                    Some(Subject::RoleArn(arn.clone())),
                    Some(policy_arn.to_string()),
                ),
                // Not in the file (an AWS managed policy, or an export filtered down): the
                // catalogue's document, or one of unknown reach.
                None => {
                    let spanned = Spanned::new(
                        policy_arn.to_string(),
                        attached.get("PolicyArn").map_or(attached.span, |n| n.span),
                    );
                    r.attach(&spanned, Some(Subject::RoleArn(arn.clone())));
                }
            }
        }
    }
}

/// Tells a policy's kind from its content, when the shape of the file did not.
fn classify(document: &PolicyDocument) -> Option<PolicyKind> {
    let has_principal = document.statements.iter().any(|s| s.principal.is_some());
    if !has_principal {
        return Some(PolicyKind::Identity);
    }
    let actions = || {
        document
            .statements
            .iter()
            .filter_map(|s| s.action.as_ref())
            .flat_map(|a| a.values.iter())
    };
    let resources = || {
        document
            .statements
            .iter()
            .filter_map(|s| s.resource.as_ref())
            .flat_map(|r| r.values.iter())
    };
    let lower = |s: &Spanned<xacct_model::Text>| s.value.to_ascii_lowercase();
    if actions().any(|a| lower(a).starts_with("sts:assumerole")) && resources().next().is_none() {
        return Some(PolicyKind::Trust);
    }
    if resources().any(|r| {
        r.value.starts_with("arn:") && Arn::parse(&r.value).is_ok_and(|a| a.service == "s3")
    }) {
        return Some(PolicyKind::Bucket);
    }
    if actions().all(|a| lower(a).starts_with("kms:")) && resources().all(|r| r.value == "*") {
        return Some(PolicyKind::Key);
    }
    // A policy with principals whose resources are Lambda functions: a function policy
    // printed bare (`get-policy --query Policy`, once unquoted).
    if resources().next().is_some()
        && resources().all(|r| Arn::parse(&r.value).is_ok_and(|a| a.is_lambda_function()))
    {
        return Some(PolicyKind::Function);
    }
    None
}

/// The function (or version, or alias) a function policy governs: the one ARN its statements'
/// `Resource`s name, written in full without wildcards or placeholders. Two ARNs (a function
/// and its alias, say) are two policies' worth: tied to nothing then, never guessed.
fn function_of(document: &PolicyDocument) -> Option<String> {
    let mut function: Option<String> = None;
    for resource in document
        .statements
        .iter()
        .filter_map(|s| s.resource.as_ref())
        .flat_map(|r| r.values.iter())
    {
        let text: &str = &resource.value;
        let arn = Arn::parse(text).ok()?;
        if !arn.is_lambda_function()
            || arn.account_id().is_none()
            || text.contains(['*', '?'])
            || text.contains("${")
        {
            return None;
        }
        match &function {
            Some(f) if f != text => return None,
            _ => function = Some(text.to_string()),
        }
    }
    function
}

/// The bucket a bucket policy governs: the bucket its `Resource` ARNs name, when they agree.
fn bucket_of(document: &PolicyDocument) -> Option<String> {
    let mut bucket: Option<String> = None;
    for resource in document
        .statements
        .iter()
        .filter_map(|s| s.resource.as_ref())
        .flat_map(|r| r.values.iter())
    {
        let Ok(arn) = Arn::parse(&resource.value) else {
            continue;
        };
        if arn.service != "s3" {
            continue;
        }
        let name = arn.resource.split('/').next().unwrap_or_default();
        if name.is_empty() || name.contains(['*', '?', '$']) {
            continue;
        }
        match &bucket {
            Some(b) if b != name => return None,
            _ => bucket = Some(name.to_string()),
        }
    }
    bucket
}

/// Reads `{"OwnershipControls": {"Rules": [{"ObjectOwnership": …}]}}`
/// (`aws s3api get-bucket-ownership-controls`), with what is of the wrong shape.
pub fn load_ownership(root: &Node) -> (Option<Spanned<String>>, Vec<Issue>) {
    const COMMAND: &str = "aws s3api get-bucket-ownership-controls";
    let mut reader = Reader {
        text: "",
        syntax: Syntax::Json,
        limits: ParseLimits::default(),
        file: PolicyFile::default(),
    };
    let r = &mut reader;
    let value = r
        .object(root, "OwnershipControls", COMMAND)
        .map(|controls| r.list(controls, "Rules", COMMAND))
        .and_then(|rules| {
            rules
                .iter()
                .find_map(|rule| r.string(rule, "ObjectOwnership", COMMAND))
        });
    (value, reader.file.issues)
}

/// Reads `{"LocationConstraint": "eu-west-1"}` (`aws s3api get-bucket-location`): the bucket's
/// region, where it is written. S3 prints `null` for us-east-1 (and `EU` for the legacy
/// eu-west-1 constraint).
pub fn load_bucket_location(root: &Node) -> Option<Spanned<String>> {
    let value = root.get("LocationConstraint")?;
    let region = match &value.value {
        xacct_syntax::json::Value::Null => "us-east-1".to_string(),
        _ => match value.as_str()? {
            "" => "us-east-1".to_string(),
            "EU" => "eu-west-1".to_string(),
            region => region.to_string(),
        },
    };
    Some(Spanned::new(region, value.span))
}

/// True when a document is `aws kms list-aliases` output: `Aliases`, a list whose entries
/// name aliases (a CloudFront distribution's `Aliases` is an object, not a list).
pub fn is_alias_list(root: &Node) -> bool {
    root.get("Aliases")
        .and_then(Node::as_array)
        .is_some_and(|aliases| aliases.iter().any(|a| a.get("AliasName").is_some()))
}

/// Reads `aws kms list-aliases` output: each alias with the key ARN built from its
/// `AliasArn` (an alias is in its key's account and region) and its `TargetKeyId`. An entry
/// without `TargetKeyId` (an AWS managed alias whose key AWS has not created yet) or whose
/// ARN does not parse names no key the run can know: left out.
pub fn load_aliases(root: &Node) -> Vec<xacct_model::workspace::KeyAlias> {
    let Some(entries) = root.get("Aliases").and_then(Node::as_array) else {
        return Vec::new();
    };
    entries
        .iter()
        .filter_map(|entry| {
            let name = entry.get("AliasName")?;
            let target = entry.get("TargetKeyId")?.as_str()?;
            let key_arn = if target.starts_with("arn:") {
                target.to_string()
            } else {
                let arn = Arn::parse(entry.get("AliasArn")?.as_str()?).ok()?;
                if arn.service != "kms" {
                    return None;
                }
                format!(
                    "arn:{}:kms:{}:{}:key/{target}",
                    arn.partition, arn.region, arn.account
                )
            };
            xacct_model::workspace::KeyAlias::new(
                Spanned::new(name.as_str()?.to_string(), name.span),
                &key_arn,
            )
        })
        .collect()
}
