//! Shared helpers: policies from JSON text, requests with defaults, and decisions summarised as
//! one line so table rows read like the answers they expect.

#![allow(dead_code)]

use xacct_iam::{
    evaluate, Bounds, Context, Decision, Evidence, Known, OrgPolicy, Policies, PrincipalRef,
    Request, ResourceKind, Side, UnknownReason,
};
use xacct_model::arn::AccountId;
use xacct_model::policy::{load_policy, PolicyDocument, Statement};

/// The pipeline account.
pub const A: &str = "111111111111";
/// The other account.
pub const B: &str = "222222222222";
/// The pipeline's service role, in account A.
pub const PIPELINE_ROLE: &str = "arn:aws:iam::111111111111:role/service-role/Pipeline";
/// A role in account B.
pub const DEPLOY_ROLE: &str = "arn:aws:iam::222222222222:role/Deploy";

/// Loads a policy document from JSON text, insisting it is well formed.
pub fn doc(text: &str) -> PolicyDocument {
    let (document, issues) = doc_with_issues(text);
    // An operator IAM does not know is the loader's finding (XA003); what evaluation makes of
    // it is still worth pinning, so it is the one issue let through.
    assert!(
        issues
            .iter()
            .all(|i| i.message.starts_with("unknown condition operator")
                || i.message.contains("takes neither a set prefix")),
        "{issues:?} in {text}"
    );
    document
}

/// Loads a policy document that may break the grammar (to test what evaluation makes of it).
pub fn doc_with_issues(text: &str) -> (PolicyDocument, Vec<xacct_model::policy::PolicyIssue>) {
    let parsed = xacct_syntax::json::parse(text).unwrap_or_else(|e| panic!("{e} in {text}"));
    load_policy(&parsed.root)
}

/// A version 2012-10-17 document with these statements (a JSON list's contents).
pub fn statements(list: &str) -> String {
    format!(r#"{{"Version": "2012-10-17", "Statement": [{list}]}}"#)
}

/// Who asks.
#[derive(Clone, Debug)]
pub enum Who {
    Role { arn: String, account: String },
    Service(String),
}

/// A request with owned parts.
#[derive(Clone, Debug)]
pub struct Req {
    pub who: Who,
    pub action: String,
    pub resource: String,
    pub account: Option<String>,
    pub kind: ResourceKind,
    pub context: Context,
}

impl Req {
    /// A role (its account taken from its ARN) reading an object of account A's bucket, with
    /// the transport and encryption facts every CodePipeline request has.
    pub fn role(arn: &str) -> Req {
        let account = arn.split(':').nth(4).unwrap_or_default().to_string();
        Req {
            who: Who::Role {
                arn: arn.to_string(),
                account,
            },
            action: "s3:GetObject".to_string(),
            resource: "arn:aws:s3:::artifacts/pipeline/out.zip".to_string(),
            account: Some(A.to_string()),
            kind: ResourceKind::S3,
            context: Context::new().with("aws:SecureTransport", ["true"]),
        }
    }

    /// A service principal.
    pub fn service(name: &str) -> Req {
        Req {
            who: Who::Service(name.to_string()),
            ..Req::role(PIPELINE_ROLE)
        }
    }

    pub fn action(mut self, action: &str) -> Req {
        self.action = action.to_string();
        self
    }

    pub fn resource(mut self, resource: &str) -> Req {
        self.resource = resource.to_string();
        self
    }

    /// The resource's account; `None` for unknown.
    pub fn account(mut self, account: Option<&str>) -> Req {
        self.account = account.map(str::to_string);
        self
    }

    pub fn kind(mut self, kind: ResourceKind) -> Req {
        self.kind = kind;
        self
    }

    pub fn context(mut self, context: Context) -> Req {
        self.context = context;
        self
    }

    /// Evaluates against identity documents (`None`: unknown) and a resource policy.
    pub fn eval(&self, identity: Option<&[&str]>, resource: Res<'_>) -> String {
        let identity_docs: Option<Vec<PolicyDocument>> =
            identity.map(|texts| texts.iter().map(|t| doc(t)).collect());
        let resource_doc = match resource {
            Res::Doc(text) => Some(doc(text)),
            _ => None,
        };
        self.eval_docs(identity_docs.as_deref(), resource, resource_doc.as_ref())
    }

    /// Evaluates against loaded documents.
    pub fn eval_docs(
        &self,
        identity: Option<&[PolicyDocument]>,
        resource: Res<'_>,
        resource_doc: Option<&PolicyDocument>,
    ) -> String {
        let policies = Policies {
            identity: match identity {
                Some(docs) => Known::Known(docs.iter().collect()),
                None => Known::Unknown,
            },
            resource: match resource {
                Res::Unknown => Known::Unknown,
                Res::None => Known::Known(None),
                Res::Doc(_) => Known::Known(resource_doc),
            },
            bounds: Default::default(),
        };
        let decision = evaluate(&self.request(), &policies);
        let mut all: Vec<&PolicyDocument> = identity.unwrap_or_default().iter().collect();
        all.extend(resource_doc);
        summary(&decision, &all)
    }

    /// Evaluates against identity documents, a resource policy and the bounds of `bounded`.
    pub fn eval_bounded(
        &self,
        identity: Option<&[&str]>,
        resource: Res<'_>,
        bounded: &Bounded<'_>,
    ) -> String {
        let identity_docs: Option<Vec<PolicyDocument>> =
            identity.map(|texts| texts.iter().map(|t| doc(t)).collect());
        let resource_doc = match resource {
            Res::Doc(text) => Some(doc(text)),
            _ => None,
        };
        let scps: Vec<(PolicyDocument, Option<&str>)> = bounded
            .scps
            .iter()
            .map(|(text, level)| (doc(text), *level))
            .collect();
        let rcps: Vec<PolicyDocument> = bounded.rcps.iter().map(|t| doc(t)).collect();
        let boundary: Option<Option<PolicyDocument>> = bounded.boundary.map(|text| text.map(doc));
        let session: Option<Vec<PolicyDocument>> = bounded
            .session
            .as_ref()
            .map(|texts| texts.iter().map(|t| doc(t)).collect());
        let grants: Vec<PolicyDocument> = bounded.grants.iter().map(|t| doc(t)).collect();
        let mut scp_list: Vec<OrgPolicy<'_>> = scps
            .iter()
            .map(|(document, level)| OrgPolicy {
                document: Known::Known(document),
                level: *level,
            })
            .collect();
        if bounded.unknown_scp {
            scp_list.push(OrgPolicy {
                document: Known::Unknown,
                level: None,
            });
        }
        let policies = Policies {
            identity: match &identity_docs {
                Some(docs) => Known::Known(docs.iter().collect()),
                None => Known::Unknown,
            },
            resource: match resource {
                Res::Unknown => Known::Unknown,
                Res::None => Known::Known(None),
                Res::Doc(_) => Known::Known(resource_doc.as_ref()),
            },
            bounds: Bounds {
                scps: scp_list,
                rcps: rcps
                    .iter()
                    .map(|document| OrgPolicy {
                        document: Known::Known(document),
                        level: None,
                    })
                    .collect(),
                boundary: boundary.as_ref().map(|b| match b {
                    Some(document) => Known::Known(document),
                    None => Known::Unknown,
                }),
                session: session.as_ref().map(|docs| docs.iter().collect()),
                grants: grants.iter().collect(),
            },
        };
        let decision = evaluate(&self.request(), &policies);
        let mut all: Vec<&PolicyDocument> = identity_docs.iter().flatten().collect();
        all.extend(resource_doc.as_ref());
        all.extend(scps.iter().map(|(d, _)| d));
        all.extend(rcps.iter());
        all.extend(boundary.iter().flatten());
        all.extend(session.iter().flatten());
        all.extend(grants.iter());
        summary(&decision, &all)
    }

    pub fn request(&self) -> Request<'_> {
        Request {
            principal: match &self.who {
                Who::Role { arn, account } => PrincipalRef::Role {
                    arn,
                    account: AccountId::parse(account).expect("a 12-digit account"),
                },
                Who::Service(name) => PrincipalRef::Service(name),
            },
            action: &self.action,
            resource: &self.resource,
            resource_account: self.account.as_deref().and_then(AccountId::parse),
            kind: self.kind,
            context: &self.context,
        }
    }
}

/// The bounds of a row, as JSON texts.
#[derive(Clone, Debug, Default)]
pub struct Bounded<'t> {
    /// SCPs of the principal's account, each with its level.
    pub scps: Vec<(&'t str, Option<&'t str>)>,
    /// An SCP that applies but whose content is not given.
    pub unknown_scp: bool,
    /// RCPs of the resource's account.
    pub rcps: Vec<&'t str>,
    /// The permissions boundary: `Some(None)` when named but not given.
    pub boundary: Option<Option<&'t str>>,
    /// Session policies.
    pub session: Option<Vec<&'t str>>,
    /// KMS grants, as documents.
    pub grants: Vec<&'t str>,
}

/// The resource policy of a row.
#[derive(Clone, Copy, Debug)]
pub enum Res<'t> {
    /// We do not know it.
    Unknown,
    /// The resource has none.
    None,
    /// This one.
    Doc(&'t str),
}

/// A statement's name: its `Sid`, else `s` and its position in its document.
fn name(statement: &Statement, documents: &[&PolicyDocument]) -> String {
    if let Some(sid) = statement.sid.as_ref().filter(|s| !s.value.is_empty()) {
        return sid.value.to_string();
    }
    for document in documents {
        if let Some(at) = document
            .statements
            .iter()
            .position(|s| std::ptr::eq(s, statement))
        {
            return format!("s{at}");
        }
    }
    "?".to_string()
}

fn evidence(e: &Evidence<'_>, documents: &[&PolicyDocument]) -> String {
    let side = match e.side {
        Side::Identity => "I",
        Side::Resource => "R",
        Side::Both => "B",
        Side::Boundary => "PB",
        Side::Session => "SP",
        Side::Scp => "SCP",
        Side::Rcp => "RCP",
        Side::Grant => "G",
    };
    let root = if e.via_account_root { "@root" } else { "" };
    format!("{side}:{}{root}", name(e.statement, documents))
}

fn reason(r: &UnknownReason<'_>, documents: &[&PolicyDocument]) -> String {
    match r {
        UnknownReason::Condition {
            statement,
            condition,
            cause,
        } => format!(
            "{}/{}:{cause:?}",
            name(statement, documents),
            condition.key.value
        ),
        UnknownReason::PolicyVariable { statement, value } => {
            format!("{}/var:{}", name(statement, documents), value.value)
        }
        UnknownReason::RoleSession { statement, .. } => {
            format!("{}/session", name(statement, documents))
        }
        UnknownReason::DeployTimeValue { statement, .. } => {
            format!("{}/deploy-time", name(statement, documents))
        }
        UnknownReason::Undocumented {
            statement, case, ..
        } => format!("{}/{case:?}", name(statement, documents)),
        UnknownReason::MissingDocument(side) => format!("missing:{side:?}"),
        UnknownReason::ResourceAccount => "account".to_string(),
        UnknownReason::ScpLevelWithoutAllow { .. } => "scp-level".to_string(),
    }
}

/// `Allowed(I:Sid R:Sid@root)`, `Denied(R:Sid)`, `NotAllowed(Identity)`,
/// `Unknown(Sid/key:Cause missing:Resource)`.
pub fn summary(decision: &Decision<'_>, documents: &[&PolicyDocument]) -> String {
    let list = |items: Vec<String>| items.join(" ");
    match decision {
        Decision::Allowed { by } => format!(
            "Allowed({})",
            list(by.iter().map(|e| evidence(e, documents)).collect())
        ),
        Decision::Denied { by } => format!(
            "Denied({})",
            list(by.iter().map(|e| evidence(e, documents)).collect())
        ),
        Decision::NotAllowed { missing } => format!("NotAllowed({missing:?})"),
        Decision::Unknown { reasons } => format!(
            "Unknown({})",
            list(reasons.iter().map(|r| reason(r, documents)).collect())
        ),
    }
}

/// Checks every row, reporting all mismatches at once with the row's label.
pub fn check(rows: Vec<(&str, String, &str)>) {
    let failures: Vec<String> = rows
        .iter()
        .filter(|(_, got, want)| got != want)
        .map(|(label, got, want)| format!("{label}: got {got}, want {want}"))
        .collect();
    assert!(failures.is_empty(), "\n{}", failures.join("\n"));
}
