//! `xacct access`: the offline answer to "may this principal do this here?". It reads the
//! paths exactly as `xacct lint` does (discovery, configs, the gate), asks one question of the
//! documents read, as the trust graph asks a pipeline's (`xacct_graph::ask`), and prints the
//! decision with the statements that made it, or why it cannot be decided.
//!
//! Exit status: 0 allowed, 1 denied (by an explicit Deny or for want of an Allow), 3 unknown,
//! 2 when the question cannot be asked (a bad argument, an invalid config, a session policy
//! that holds no policy).

use std::io::Write;
use std::path::PathBuf;

use clap::ValueEnum;
use serde_json::json;
use xacct_graph::{Answer, Outcome, Proof, Query};
use xacct_iam::{Context, ResourceKind, Side};
use xacct_model::arn::{AccountId, Arn};
use xacct_model::policy_file::PolicyKind;
use xacct_model::workspace::{Governs, PolicyUnit, Workspace};
use xacct_syntax::FileId;

use crate::discover::Candidate;
use crate::escape;
use crate::inputs::{prepare, InputArgs};
use crate::lint::{lint_keeping_sources, LintRun};
use crate::{EXIT_CLEAN, EXIT_FINDINGS, EXIT_TROUBLE};

/// The exit status of a question that cannot be decided with the documents given.
pub const EXIT_UNKNOWN: u8 = 3;

/// `xacct access`.
#[derive(clap::Args)]
pub struct AccessArgs {
    #[command(flatten)]
    pub input: InputArgs,
    /// Who asks: an IAM role ARN (arn:aws:iam::ACCOUNT:role/NAME) or a service principal
    /// (codepipeline.amazonaws.com).
    #[arg(long, value_name = "ARN")]
    pub principal: String,
    /// The IAM action (kms:Decrypt).
    #[arg(long)]
    pub action: String,
    /// The resource ARN (arn:aws:s3:::bucket/key, a KMS key ARN, a role ARN for
    /// sts:AssumeRole).
    #[arg(long, value_name = "ARN")]
    pub resource: String,
    /// What the request carries: KEY=VALUE (repeat for more keys; the same key again adds a
    /// value), or KEY alone for a key the request does not carry. Keys not given are unknown.
    #[arg(long, value_name = "KEY=VALUE")]
    pub context: Vec<String>,
    /// The resource's account, when neither its ARN nor the files say (an S3 bucket's).
    #[arg(long, value_name = "ACCOUNT")]
    pub resource_account: Option<String>,
    /// A session policy of the role's session (a policy document file, read like the paths);
    /// repeat for more: an Allow in any of them suffices.
    #[arg(long, value_name = "FILE")]
    pub session_policy: Vec<PathBuf>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = AccessFormat::Text)]
    pub format: AccessFormat,
}

/// How the answer is written.
#[derive(Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum AccessFormat {
    /// A line with the decision, then one line per statement or reason.
    Text,
    /// A JSON document (version 1).
    Json,
}

/// The question, checked.
struct Question {
    query: Query,
    /// The session policy files, in order.
    sessions: Vec<PathBuf>,
}

/// Checks the arguments: an error message for the first that is wrong.
fn question(args: &AccessArgs) -> Result<Question, String> {
    let principal = args.principal.trim();
    let is_role = Arn::parse(principal).is_ok_and(|a| {
        a.service == "iam" && a.resource.starts_with("role/") && a.account_id().is_some()
    });
    let is_service = !principal.contains(':')
        && principal.ends_with(".amazonaws.com")
        && principal.len() > ".amazonaws.com".len();
    if !is_role && !is_service {
        return Err(format!(
            "--principal `{}` is neither an IAM role ARN (arn:aws:iam::ACCOUNT:role/NAME) nor a service principal (codepipeline.amazonaws.com)",
            escape::line(principal)
        ));
    }
    let action = args.action.trim();
    match action.split_once(':') {
        Some((service, name)) if !service.is_empty() && !name.is_empty() => {}
        _ => {
            return Err(format!(
                "--action `{}` is not an IAM action (SERVICE:Action, e.g. kms:Decrypt)",
                escape::line(action)
            ))
        }
    }
    let resource = args.resource.trim();
    if Arn::parse(resource).is_err() {
        return Err(format!(
            "--resource `{}` is not an ARN (e.g. arn:aws:s3:::bucket/key)",
            escape::line(resource)
        ));
    }
    let resource_account = match &args.resource_account {
        None => None,
        Some(id) => Some(AccountId::parse(id.trim()).ok_or_else(|| {
            format!(
                "--resource-account `{}` is not a 12-digit account ID",
                escape::line(id)
            )
        })?),
    };
    // Keys in the order given, each with its values (none: absent from the request).
    let mut keys: Vec<(String, Vec<String>)> = Vec::new();
    for pair in &args.context {
        let (key, value) = match pair.split_once('=') {
            Some((key, value)) => (key.trim(), Some(value.to_string())),
            None => (pair.trim(), None),
        };
        if key.is_empty() {
            return Err(format!(
                "--context `{}` names no condition key (KEY=VALUE, e.g. aws:SecureTransport=true)",
                escape::line(pair)
            ));
        }
        let at = match keys.iter().position(|(k, _)| k.eq_ignore_ascii_case(key)) {
            Some(at) => at,
            None => {
                keys.push((key.to_string(), Vec::new()));
                keys.len() - 1
            }
        };
        keys[at].1.extend(value);
    }
    let context = keys
        .into_iter()
        .fold(Context::new(), |context, (key, values)| {
            context.with(&key, values)
        });
    Ok(Question {
        query: Query {
            principal: principal.to_string(),
            action: action.to_string(),
            resource: resource.to_string(),
            resource_account,
            context,
            session: None,
        },
        sessions: args.session_policy.clone(),
    })
}

/// Answers the question and prints the answer; the exit status.
pub fn run(args: AccessArgs) -> u8 {
    let mut question = match question(&args) {
        Ok(question) => question,
        Err(message) => {
            eprintln!("error: {message}");
            return EXIT_TROUBLE;
        }
    };
    let mut prepared = match prepare(&args.input, false) {
        Ok(prepared) => prepared,
        Err(_) => return EXIT_TROUBLE,
    };
    // Session policy files are read like the paths (through the gate), as files of their own
    // unless the paths hold them already.
    let mut session_files: Vec<FileId> = Vec::new();
    for path in &question.sessions {
        prepared.gate.add_named(path);
        let wanted = crate::paths::normalize(&crate::paths::absolute(path));
        let known = prepared
            .files
            .iter()
            .position(|c| crate::paths::normalize(&crate::paths::absolute(&c.path)) == wanted);
        let at = known.unwrap_or_else(|| {
            prepared.files.push(Candidate {
                path: path.clone(),
                explicit: true,
                error: None,
                bytes: None,
                from_stdin: false,
                canonical: None,
            });
            prepared.files.len() - 1
        });
        session_files.push(FileId(at as u32));
    }
    let (run, workspace, _) = lint_keeping_sources(
        &prepared.gate,
        prepared.files,
        &prepared.bindings,
        &prepared.options,
    );
    if !question.sessions.is_empty() {
        let mut units = Vec::new();
        for (path, file) in question.sessions.iter().zip(&session_files) {
            let found: Vec<usize> = workspace
                .policies
                .iter()
                .enumerate()
                .filter(|(_, unit)| unit.file == *file)
                .map(|(i, _)| i)
                .collect();
            if found.is_empty() {
                eprintln!(
                    "error: --session-policy {} holds no policy document (`xacct lint {}` says why)",
                    escape::path(path),
                    escape::path(path)
                );
                return EXIT_TROUBLE;
            }
            units.extend(found);
        }
        question.query.session = Some(units);
    }
    let broken = run
        .files
        .iter()
        .filter(|f| f.outcome == xacct_rules::Outcome::Broken)
        .count();
    if broken > 0 {
        eprintln!(
            "warning: {broken} file{} could not be read or parsed, and the answer does not use {}: `xacct lint` says why",
            if broken == 1 { "" } else { "s" },
            if broken == 1 { "it" } else { "them" },
        );
    }
    let answer = xacct_graph::ask(&workspace, &question.query);
    let shown = Shown {
        run: &run,
        workspace: &workspace,
        query: &question.query,
        answer: &answer,
    };
    let text = match args.format {
        AccessFormat::Text => shown.text(),
        AccessFormat::Json => escape::json(shown.json()),
    };
    let mut out = std::io::stdout().lock();
    // A closed pipe (`| head`) is no reason to change the answer's status.
    let _ = out.write_all(text.as_bytes()).and_then(|()| out.flush());
    match answer.outcome {
        Outcome::Allowed(_) => EXIT_CLEAN,
        Outcome::Denied(_) | Outcome::NotAllowed(_) => EXIT_FINDINGS,
        Outcome::Unknown { .. } => EXIT_UNKNOWN,
    }
}

/// The answer with what it needs to be shown.
struct Shown<'s> {
    run: &'s LintRun,
    workspace: &'s Workspace,
    query: &'s Query,
    answer: &'s Answer,
}

/// One statement that decided, as shown.
struct StatementShown {
    effect: &'static str,
    side: Side,
    place: String,
    line: u32,
    column: u32,
    policy: String,
    sid: Option<String>,
    via_account_root: bool,
}

impl Shown<'_> {
    fn statements(&self) -> Vec<StatementShown> {
        let (effect, proofs): (&'static str, &[Proof]) = match &self.answer.outcome {
            Outcome::Allowed(proofs) => ("Allow", proofs),
            Outcome::Denied(proofs) => ("Deny", proofs),
            _ => ("", &[]),
        };
        proofs
            .iter()
            .map(|proof| {
                let source = self.run.source(proof.file);
                let at = source.line_col(proof.anchor.start);
                let unit = &self.workspace.policies[proof.policy];
                let sid = unit
                    .document()
                    .statements
                    .iter()
                    .find(|s| s.span == proof.span)
                    .and_then(|s| s.sid.as_ref())
                    .map(|sid| sid.value.to_string())
                    .filter(|sid| !sid.is_empty());
                StatementShown {
                    effect,
                    side: proof.side,
                    place: escape::path(source.path()),
                    line: at.line,
                    column: at.column,
                    policy: match proof.side {
                        Side::Boundary => describe_boundary(unit),
                        _ => describe_policy(unit),
                    },
                    sid,
                    via_account_root: proof.via_account_root,
                }
            })
            .collect()
    }

    /// Where a policy of the workspace is, as `path:line:col`.
    fn place(&self, index: usize) -> String {
        let unit = &self.workspace.policies[index];
        let source = self.run.source(unit.file);
        let at = source.line_col(unit.document().span.start);
        format!("{}:{}:{}", escape::path(source.path()), at.line, at.column)
    }

    /// Why the answer is *denied* without an explicit Deny: the side with no Allow.
    fn no_allow(&self, side: Side) -> String {
        let principal = &self.query.principal;
        let resource_policy = || match self.answer.kind {
            ResourceKind::KmsKey => "the key policy (and no KMS grant)",
            ResourceKind::S3 => "the bucket policy",
            ResourceKind::RoleTrust => "the trust policy",
            ResourceKind::Other => "the resource's policy",
        };
        match side {
            Side::Identity => format!("no identity policy of `{principal}` allows it"),
            Side::Resource => format!("{} does not allow it", resource_policy()),
            Side::Both => format!(
                "neither an identity policy of `{principal}` nor {} allows it",
                resource_policy()
            ),
            Side::Boundary => format!(
                "its permissions boundary `{}` does not allow it, though its own policies do",
                boundary_arn(self.workspace, principal).unwrap_or_default()
            ),
            Side::Session => "no session policy allows it".to_string(),
            Side::Scp | Side::Rcp | Side::Grant => "no policy allows it".to_string(),
        }
    }

    /// What a document not given would settle, for an unknown answer.
    fn not_given(&self, side: Side) -> String {
        let principal = &self.query.principal;
        let resource = &self.query.resource;
        match side {
            Side::Identity => format!("the identity policies of `{principal}` are not given"),
            Side::Boundary => format!(
                "`{principal}` names the permissions boundary `{}`, whose document is not given (`aws iam get-policy-version` output, bound with `policy` in xacct.toml)",
                boundary_arn(self.workspace, principal).unwrap_or_default()
            ),
            Side::Scp => "an SCP of the role's account applies, and its content is not given".to_string(),
            _ => match self.answer.kind {
                ResourceKind::KmsKey => format!("the key policy of `{resource}` is not given"),
                ResourceKind::S3 => {
                    let bucket = xacct_model::arn::s3_bucket(resource);
                    format!("the bucket policy of `{bucket}` is not given")
                }
                ResourceKind::RoleTrust => format!("the trust policy of `{resource}` is not given"),
                ResourceKind::Other => format!(
                    "`{resource}` may have a resource policy, which xacct does not read for its service"
                ),
            },
        }
    }

    /// The reasons an answer is unknown, in words: documents not given first.
    fn unknown(&self) -> Vec<String> {
        let Outcome::Unknown { reasons, missing } = &self.answer.outcome else {
            return Vec::new();
        };
        let mut all: Vec<String> = missing.iter().map(|side| self.not_given(*side)).collect();
        all.extend(reasons.iter().cloned());
        all.dedup();
        all
    }

    fn heading(&self) -> String {
        let (principal, action, resource) = (
            escape::line(&self.query.principal),
            escape::line(&self.query.action),
            escape::line(&self.query.resource),
        );
        match &self.answer.outcome {
            Outcome::Allowed(_) => {
                format!("allowed: `{principal}` may {action} on `{resource}`")
            }
            Outcome::Denied(_) => {
                format!("denied: `{principal}` may not {action} on `{resource}`: an explicit Deny")
            }
            Outcome::NotAllowed(side) => format!(
                "denied: `{principal}` may not {action} on `{resource}`: {}",
                escape::line(&self.no_allow(*side))
            ),
            Outcome::Unknown { .. } => {
                format!("unknown: whether `{principal}` may {action} on `{resource}`")
            }
        }
    }

    /// The documents that took part, for a refusal for want of an Allow.
    fn read(&self) -> Vec<(String, String)> {
        let mut read: Vec<(String, String)> = self
            .answer
            .identity_policies
            .iter()
            .map(|&i| (self.place(i), describe_policy(&self.workspace.policies[i])))
            .collect();
        read.extend(
            self.answer
                .resource_policy
                .into_iter()
                .map(|i| (self.place(i), describe_policy(&self.workspace.policies[i]))),
        );
        read.extend(self.answer.boundary_policy.map(|i| {
            (
                self.place(i),
                describe_boundary(&self.workspace.policies[i]),
            )
        }));
        read.extend(
            self.query
                .session
                .iter()
                .flatten()
                .map(|&i| (self.place(i), describe_policy(&self.workspace.policies[i]))),
        );
        read
    }

    fn text(&self) -> String {
        let mut out = self.heading();
        out.push('\n');
        for s in self.statements() {
            let mut what = s.policy.clone();
            if let Some(sid) = &s.sid {
                what.push_str(&format!(", statement `{sid}`"));
            }
            if s.via_account_root {
                what.push_str(", through the role's account");
            }
            out.push_str(&format!(
                "  {:<5}  {}:{}:{}  {}\n",
                s.effect,
                s.place,
                s.line,
                s.column,
                escape::line(&what)
            ));
        }
        if matches!(self.answer.outcome, Outcome::NotAllowed(_)) {
            for (place, what) in self.read() {
                out.push_str(&format!("  read   {place}  {}\n", escape::line(&what)));
            }
        }
        for reason in self.unknown() {
            out.push_str(&format!("  ?      {}\n", escape::line(&reason)));
        }
        out
    }

    fn json(&self) -> String {
        let decision = match &self.answer.outcome {
            Outcome::Allowed(_) => "allowed",
            Outcome::Denied(_) | Outcome::NotAllowed(_) => "denied",
            Outcome::Unknown { .. } => "unknown",
        };
        let statements: Vec<serde_json::Value> = self
            .statements()
            .into_iter()
            .map(|s| {
                json!({
                    "effect": s.effect,
                    "side": s.side.name(),
                    "policy": s.policy,
                    "sid": s.sid,
                    "file": s.place,
                    "line": s.line,
                    "column": s.column,
                    "via_account_root": s.via_account_root,
                })
            })
            .collect();
        let (no_allow, read) = match &self.answer.outcome {
            Outcome::NotAllowed(side) => (
                Some(json!({"side": side.name(), "why": self.no_allow(*side)})),
                self.read()
                    .into_iter()
                    .map(|(place, what)| json!({"at": place, "policy": what}))
                    .collect(),
            ),
            _ => (None, Vec::new()),
        };
        let value = json!({
            "version": 1,
            "principal": self.query.principal,
            "action": self.query.action,
            "resource": self.query.resource,
            "decision": decision,
            "explicit_deny": matches!(self.answer.outcome, Outcome::Denied(_)),
            "statements": statements,
            "no_allow": no_allow,
            "read": read,
            "unknown": self.unknown(),
        });
        let mut text = serde_json::to_string_pretty(&value).unwrap_or_default();
        text.push('\n');
        text
    }
}

/// The ARN of the permissions boundary a role names, if a file names one.
fn boundary_arn(workspace: &Workspace, role: &str) -> Option<String> {
    Some(workspace.boundary_of(role)?.boundary.policy.value.clone())
}

/// A managed policy that is a role's permissions boundary, as the answer names it.
fn describe_boundary(unit: &PolicyUnit) -> String {
    match &unit.governs {
        Some(Governs::ManagedPolicy(arn)) => format!("permissions boundary `{arn}`"),
        _ => "permissions boundary".to_string(),
    }
}

/// A policy as the answer names it: its kind, name and what it governs.
fn describe_policy(unit: &PolicyUnit) -> String {
    let name = unit
        .entry
        .name
        .as_ref()
        .map(|n| format!(" `{n}`"))
        .unwrap_or_default();
    match (&unit.governs, unit.entry.kind) {
        (Some(Governs::RoleIdentity(role)), _) => format!("identity policy{name} of `{role}`"),
        (Some(Governs::RoleTrust(role)), _) => format!("trust policy of `{role}`"),
        (Some(Governs::Bucket(bucket)), _) => format!("bucket policy of `{bucket}`"),
        (Some(Governs::Key(key)), _) => format!("key policy of `{key}`"),
        (Some(Governs::KeyGrants(key)), _) => format!("KMS grant{name} on `{key}`"),
        (Some(Governs::ManagedPolicy(arn)), _) => format!("managed policy `{arn}`"),
        (Some(Governs::EventBus(bus)), _) => format!("event bus policy of `{bus}`"),
        (Some(Governs::Function(function)), _) => format!("function policy of `{function}`"),
        (Some(Governs::Organization(_)), Some(PolicyKind::ServiceControl)) => format!("SCP{name}"),
        (Some(Governs::Organization(_)), _) => format!("RCP{name}"),
        (None, _) => format!("session policy{name}"),
    }
}
