//! Files that hold IAM policies, in every shape the AWS CLI prints them, and what each policy
//! governs when the file says so.

use xacct_syntax::json::DuplicateKey;
use xacct_syntax::json::{parse_embedded, Node, ParseError};
use xacct_syntax::Span;

use crate::arn::Arn;
use crate::pipeline::Spanned;
use crate::policy::{load_policy, PolicyDocument, PolicyIssue};

/// What a policy governs.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PolicyKind {
    /// A role's trust policy: who may assume it.
    Trust,
    /// An identity policy: what its role may do.
    Identity,
    /// An S3 bucket policy.
    Bucket,
    /// A KMS key policy.
    Key,
}

impl PolicyKind {
    /// "trust policy", "identity policy", …
    pub fn describe(self) -> &'static str {
        match self {
            PolicyKind::Trust => "trust policy",
            PolicyKind::Identity => "identity policy",
            PolicyKind::Bucket => "bucket policy",
            PolicyKind::Key => "key policy",
        }
    }
}

/// Whom a policy is about, as far as the file says.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Subject {
    /// A role, by ARN (`get-role` output, account authorization details).
    RoleArn(Spanned<String>),
    /// A role, by name only (`get-role-policy` output): the account must come from elsewhere.
    RoleName(Spanned<String>),
    /// A bucket, by name (from the resources a bucket policy names).
    Bucket(String),
    /// A KMS key, by ARN (`describe-key` beside it, or the config).
    Key(String),
}

/// One policy found in a file.
#[derive(Clone, Debug)]
pub struct PolicyEntry {
    /// What it governs, when the content or shape tells.
    pub kind: Option<PolicyKind>,
    /// Whom it governs, when the file tells.
    pub subject: Option<Subject>,
    /// A name for messages (`PolicyName`, managed policy ARN), when the file gives one.
    pub name: Option<String>,
    /// The document.
    pub document: PolicyDocument,
    /// Grammar problems (XA003).
    pub issues: Vec<PolicyIssue>,
}

/// A policy file's contents, and the problems of policies embedded as JSON strings.
#[derive(Clone, Debug, Default)]
pub struct PolicyFile {
    /// The policies.
    pub entries: Vec<PolicyEntry>,
    /// Syntax errors inside embedded policy strings (XA001), spans in the outer file.
    pub embedded_errors: Vec<ParseError>,
    /// Duplicate keys inside embedded policy strings (XA002).
    pub embedded_duplicates: Vec<DuplicateKey>,
}

fn text_of(node: &Node, key: &str) -> Option<Spanned<String>> {
    let v = node.get(key)?;
    Some(Spanned::new(v.as_str()?.to_string(), v.span))
}

impl PolicyFile {
    fn push(
        &mut self,
        node: &Node,
        kind: Option<PolicyKind>,
        subject: Option<Subject>,
        name: Option<String>,
    ) {
        let (document, issues) = load_policy(node);
        let kind = kind.or_else(|| classify(&document));
        let subject = subject.or_else(|| match kind {
            Some(PolicyKind::Bucket) => bucket_of(&document).map(Subject::Bucket),
            _ => None,
        });
        self.entries.push(PolicyEntry {
            kind,
            subject,
            name,
            document,
            issues,
        });
    }

    /// A policy given as a JSON string (`get-bucket-policy`, `get-key-policy`).
    fn push_embedded(
        &mut self,
        outer: &str,
        node: &Node,
        kind: Option<PolicyKind>,
        name: Option<String>,
    ) {
        match parse_embedded(outer, node.span) {
            Ok(doc) => {
                self.embedded_duplicates
                    .extend(doc.duplicates.iter().cloned());
                self.push(&doc.root, kind, None, name);
            }
            Err(e) => self.embedded_errors.push(e),
        }
    }
}

/// True when a parsed file holds policies in a shape this module reads.
pub fn is_policy_file(root: &Node) -> bool {
    [
        "Statement",
        "AssumeRolePolicyDocument",
        "PolicyDocument",
        "Policy",
        "Role",
        "PolicyVersion",
        "RoleDetailList",
    ]
    .iter()
    .any(|k| root.get(k).is_some())
}

/// Reads every policy of a file. `text` is the file's text, for embedded policies.
pub fn load_policy_file(root: &Node, text: &str) -> PolicyFile {
    let mut file = PolicyFile::default();
    if root.get("Statement").is_some() {
        // A bare policy document.
        file.push(root, None, None, None);
    } else if let Some(role) = root.get("Role") {
        // `aws iam get-role`.
        let arn = text_of(role, "Arn");
        if let Some(trust) = role
            .get("AssumeRolePolicyDocument")
            .filter(|d| d.as_object().is_some())
        {
            file.push(
                trust,
                Some(PolicyKind::Trust),
                arn.map(Subject::RoleArn),
                None,
            );
        }
    } else if let Some(document) = root.get("PolicyDocument") {
        // `aws iam get-role-policy`.
        let subject = text_of(root, "RoleName").map(Subject::RoleName);
        let name = text_of(root, "PolicyName").map(|n| n.value);
        file.push(document, Some(PolicyKind::Identity), subject, name);
    } else if let Some(version) = root.get("PolicyVersion") {
        // `aws iam get-policy-version`: a managed policy; whom it is attached to needs the config.
        if let Some(document) = version.get("Document") {
            file.push(document, Some(PolicyKind::Identity), None, None);
        }
    } else if let Some(trust) = root.get("AssumeRolePolicyDocument") {
        // A role declared inline (`create-role` input).
        let subject = text_of(root, "Arn").map(Subject::RoleArn);
        file.push(trust, Some(PolicyKind::Trust), subject, None);
    } else if let Some(policy) = root.get("Policy") {
        // `aws s3api get-bucket-policy` or `aws kms get-key-policy`.
        let name = text_of(root, "PolicyName").map(|n| n.value);
        let kind = if name.is_some() {
            Some(PolicyKind::Key)
        } else {
            None
        };
        if policy.as_str().is_some() {
            file.push_embedded(text, policy, kind, name);
        } else if policy.as_object().is_some() {
            file.push(policy, kind, None, name);
        }
    } else if let Some(roles) = root.get("RoleDetailList").and_then(Node::as_array) {
        load_authorization_details(root, roles, &mut file);
    }
    file
}

/// `aws iam get-account-authorization-details`: every role with its trust policy, inline
/// policies and the default versions of attached managed policies.
fn load_authorization_details(root: &Node, roles: &[Node], file: &mut PolicyFile) {
    let managed: Vec<(&str, &Node)> = root
        .get("Policies")
        .and_then(Node::as_array)
        .unwrap_or_default()
        .iter()
        .filter_map(|p| {
            let arn = p.get("Arn")?.as_str()?;
            let versions = p.get("PolicyVersionList")?.as_array()?;
            let default = versions.iter().find(|v| {
                v.get("IsDefaultVersion")
                    .is_some_and(|d| d.value == xacct_syntax::json::Value::Bool(true))
            })?;
            Some((arn, default.get("Document")?))
        })
        .collect();
    for role in roles {
        let Some(arn) = text_of(role, "Arn") else {
            continue;
        };
        if let Some(trust) = role.get("AssumeRolePolicyDocument") {
            file.push(
                trust,
                Some(PolicyKind::Trust),
                Some(Subject::RoleArn(arn.clone())),
                None,
            );
        }
        for inline in role
            .get("RolePolicyList")
            .and_then(Node::as_array)
            .unwrap_or_default()
        {
            if let Some(document) = inline.get("PolicyDocument") {
                let name = text_of(inline, "PolicyName").map(|n| n.value);
                file.push(
                    document,
                    Some(PolicyKind::Identity),
                    Some(Subject::RoleArn(arn.clone())),
                    name,
                );
            }
        }
        for attached in role
            .get("AttachedManagedPolicies")
            .and_then(Node::as_array)
            .unwrap_or_default()
        {
            let Some(policy_arn) = attached.get("PolicyArn").and_then(Node::as_str) else {
                continue;
            };
            if let Some((_, document)) = managed.iter().find(|(a, _)| *a == policy_arn) {
                file.push(
                    document,
                    Some(PolicyKind::Identity),
                    Some(Subject::RoleArn(arn.clone())),
                    Some(policy_arn.to_string()),
                );
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
    let lower = |s: &Spanned<String>| s.value.to_ascii_lowercase();
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
    None
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

/// The span of a whole file, for findings about it.
pub fn file_anchor(root: &Node) -> Span {
    Span::new(root.span.start, root.span.start + 1)
}
