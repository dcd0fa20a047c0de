//! One module per rule. Shared facts that several rules read (who produces an artifact, which
//! actions use which artifact store) are computed here, once per pipeline.

use std::collections::BTreeMap;

use xacct_graph::{Outcome, Proof};
use xacct_iam::Side;
use xacct_model::api::ShapeIssue;
use xacct_model::pipeline::ArtifactStore;
use xacct_model::policy::{Condition, Effect, PolicyDocument, Statement, ValueBlock};
use xacct_model::policy_file::PolicyKind;
use xacct_model::workspace::Governs;
use xacct_model::{
    AccountId, Accounts, Action, KeyRef, Pipeline, PipelineDocument, Placement, Spanned,
};
use xacct_syntax::{FileId, Span};

use crate::registry::Rule;
use crate::Diagnostic;

pub mod xa000;
pub mod xa001;
pub mod xa002;
pub mod xa003;
pub mod xa004;
pub mod xa005;
pub mod xa006;
pub mod xa007;
pub mod xa008;
pub mod xa101;
pub mod xa102;
pub mod xa103;
pub mod xa104;
pub mod xa105;
pub mod xa106;
pub mod xa107;
pub mod xa108;
pub mod xa109;
pub mod xa110;
pub mod xa111;
pub mod xa112;
pub mod xa201;
pub mod xa202;
pub mod xa203;
pub mod xa204;
pub mod xa205;
pub mod xa206;
pub mod xa207;
pub mod xa208;
pub mod xa209;
pub mod xa210;
pub mod xa301;
pub mod xa302;
pub mod xa303;
pub mod xa304;
pub mod xa305;
pub mod xa306;
pub mod xa311;
pub mod xa312;
pub mod xa313;
pub mod xa315;
pub mod xa316;
pub mod xa317;
pub mod xa318;
pub mod xa401;
pub mod xa402;
pub mod xa403;
pub mod xa404;
pub mod xa405;
pub mod xa406;
pub mod xa407;
pub mod xa408;
pub mod xa501;
pub mod xa502;
pub mod xa503;
pub mod xa504;
pub mod xa505;
pub mod xa506;
pub mod xa507;
pub mod xa508;
pub mod xa509;
pub mod xa510;
pub mod xa511;
pub mod xa512;
pub mod xa513;
pub mod xa514;
pub mod xa515;
pub mod xa516;
pub mod xa517;
pub mod xa901;
pub mod xa902;
pub mod xa903;
pub mod xa904;
pub mod xa905;
pub mod xa906;
pub mod xa907;
pub mod xa910;

pub mod scope;

/// Everything a workspace rule may read.
pub struct WorkspaceContext<'a> {
    /// All pipelines and policies of the run.
    pub workspace: &'a xacct_model::workspace::Workspace,
    /// The trust graph and its checks.
    pub graph: &'a xacct_graph::TrustGraph,
    /// `--strict`: report what could not be verified.
    pub strict: bool,
    /// The checks XA508 explains (a condition that never holds), found once for every rule
    /// that leaves them to it.
    pub explained: std::sync::OnceLock<crate::rules::xa508::Explained<'a>>,
}

/// Where an action sits: stage index, action index.
pub type ActionIndex = (usize, usize);

/// Everything a pipeline rule may read.
pub struct PipelineContext<'a> {
    /// The file.
    pub file: FileId,
    /// The document as loaded.
    pub doc: &'a PipelineDocument,
    /// Accounts and regions of the pipeline and its actions.
    pub accounts: &'a Accounts,
    /// Departures from the API model, found by the validator.
    pub shape_issues: &'a [ShapeIssue],
    /// Output artifact name → the actions that produce it, in declaration order. Sorted by
    /// name, so that iterating it is deterministic (and a pipeline has a few dozen names at
    /// most: cheaper to search than to hash).
    pub producers: BTreeMap<&'a str, Vec<(ActionIndex, &'a Spanned<xacct_model::Text>)>>,
}

impl<'a> PipelineContext<'a> {
    /// Builds the context and its shared indexes.
    pub fn new(
        file: FileId,
        doc: &'a PipelineDocument,
        accounts: &'a Accounts,
        shape_issues: &'a [ShapeIssue],
    ) -> Self {
        let mut producers: BTreeMap<&str, Vec<_>> = BTreeMap::new();
        for (s, a, action) in doc.pipeline.actions() {
            for output in &action.outputs {
                producers
                    .entry(output.as_str())
                    .or_default()
                    .push(((s, a), output));
            }
        }
        PipelineContext {
            file,
            doc,
            accounts,
            shape_issues,
            producers,
        }
    }

    /// The declaration.
    pub fn pipeline(&self) -> &'a Pipeline {
        &self.doc.pipeline
    }

    /// The action at an index.
    pub fn action(&self, (s, a): ActionIndex) -> &'a Action {
        &self.doc.pipeline.stages[s].actions[a]
    }

    /// A finding of `rule` in this file.
    pub fn diag(&self, rule: &Rule, span: Span, message: impl Into<String>) -> Diagnostic {
        Diagnostic::new(rule, self.file, span, message)
    }

    /// True when action `earlier` finishes before action `later` starts: an earlier stage, or the
    /// same stage with a lower run order.
    pub fn runs_before(&self, earlier: ActionIndex, later: ActionIndex) -> bool {
        earlier.0 < later.0
            || (earlier.0 == later.0
                && self.action(earlier).run_order() < self.action(later).run_order())
    }

    /// The action that produces `artifact` for the action at `consumer`: the last producer that
    /// runs before it.
    pub fn producer_for(
        &self,
        artifact: &str,
        consumer: ActionIndex,
    ) -> Option<(ActionIndex, &'a Spanned<xacct_model::Text>)> {
        self.producers
            .get(artifact)?
            .iter()
            .rev()
            .find(|(at, _)| self.runs_before(*at, consumer))
            .copied()
    }

    /// The pipeline account, when known.
    pub fn home(&self) -> Option<AccountId> {
        self.accounts.pipeline_account()
    }

    /// The artifact stores with the cross-account actions that read and write through each.
    pub fn store_uses(&self) -> Vec<StoreUse<'a>> {
        let pipeline = self.pipeline();
        let accounts: &'a Accounts = self.accounts;
        let foreign: Vec<_> = accounts.foreign_actions(pipeline).collect();
        let mut uses = Vec::new();
        if let Some(store) = &pipeline.artifact_store {
            uses.push(StoreUse {
                store: &store.value,
                anchor: store.span,
                region: accounts.region.as_ref().map(|r| r.value.as_str()),
                region_span: None,
                foreign: foreign
                    .iter()
                    .map(|(_, _, action, placement)| (*action, *placement))
                    .collect(),
            });
        }
        if let Some(stores) = &pipeline.artifact_stores {
            for regional in &stores.value {
                let region = regional.region.as_str();
                uses.push(StoreUse {
                    store: &regional.store,
                    anchor: regional.region.span,
                    region: Some(region),
                    region_span: Some(regional.region.span),
                    foreign: foreign
                        .iter()
                        .filter(|(_, _, _, placement)| {
                            placement.region.as_ref().is_some_and(|r| r.value == region)
                        })
                        .map(|(_, _, action, placement)| (*action, *placement))
                        .collect(),
                });
            }
        }
        uses
    }
}

/// One artifact store and the cross-account actions that use it.
pub struct StoreUse<'a> {
    /// The store.
    pub store: &'a ArtifactStore,
    /// Where to point for the store as a whole (`artifactStore` key or region key).
    pub anchor: Span,
    /// The store's region, when known.
    pub region: Option<&'a str>,
    /// The span of the region key of `artifactStores`.
    pub region_span: Option<Span>,
    /// Actions that run in another account than the pipeline's and use this store.
    pub foreign: Vec<(&'a Action, &'a Placement)>,
}

impl StoreUse<'_> {
    /// The store key as parsed, with its span; `None` when absent or unparseable (XA103).
    pub fn key(&self) -> Option<(KeyRef, Span)> {
        let key = self.store.encryption_key.as_ref()?;
        Some((KeyRef::parse(&key.value).ok()?, key.span))
    }

    /// "artifact store `bucket`" or "the artifact store".
    pub fn describe(&self) -> String {
        match &self.store.location {
            Some(bucket) => format!("artifact store `{}`", bucket.value),
            None => "the artifact store".to_string(),
        }
    }

    /// The first cross-account action, for a secondary label: its role's span and a message.
    pub fn first_foreign_label(&self) -> Option<(Span, String)> {
        let (action, placement) = self.foreign.first()?;
        let role = action.role_arn.as_ref()?;
        let account = placement.account.as_ref()?;
        Some((
            role.span,
            format!(
                "action `{}` runs in account {}",
                action.display_name(),
                account.value
            ),
        ))
    }

    /// "action `Deploy` (account 222222222222)" and how many more.
    pub fn foreign_summary(&self) -> String {
        let mut names = self.foreign.iter().filter_map(|(action, placement)| {
            Some(format!(
                "`{}` (account {})",
                action.display_name(),
                placement.account.as_ref()?.value
            ))
        });
        let first = names.next().unwrap_or_default();
        match self.foreign.len() {
            0 | 1 => format!("action {first}"),
            n => format!("action {first} and {} more", n - 1),
        }
    }
}

/// "account 222222222222" for an action, or "the pipeline account 111111111111" when it runs
/// there; `None` when unknown.
pub fn account_phrase(placement: &Placement, home: Option<AccountId>) -> Option<String> {
    let account = placement.account.as_ref()?;
    Some(if Some(account.value) == home {
        format!("the pipeline account {}", account.value)
    } else {
        format!("account {}", account.value)
    })
}

pub use xacct_model::symbol::has_variable;

impl<'a> WorkspaceContext<'a> {
    /// The pipeline a check was asked for.
    pub fn pipeline(&self, need: &xacct_graph::Need) -> &'a xacct_model::workspace::PipelineUnit {
        &self.workspace.pipelines[need.pipeline_index()]
    }

    /// The action a check was asked for, if an action needs it.
    pub fn action(&self, need: &xacct_graph::Need) -> Option<&'a Action> {
        need.action_in(self.workspace)
    }

    /// Where the pipeline names the role a check is about: the action's `roleArn`, else the
    /// pipeline's `roleArn`; with a label text.
    pub fn role_site(&self, need: &xacct_graph::Need) -> Option<(FileId, Span, String)> {
        let unit = self.pipeline(need);
        let action = self.action(need);
        if need.instance_role {
            let action = action?;
            let place = action
                .role_arn
                .as_ref()
                .or(unit.doc.pipeline.role_arn.as_ref())?;
            return Some((
                unit.file,
                place.span,
                format!(
                    "action `{}` deploys with CodeDeploy in this role's account",
                    action.display_name()
                ),
            ));
        }
        // A StackSets role chain: point at where the action names the administration role
        // (else at its provider, whose default role it is), or at its deployment targets.
        if let Some(step) = need.stack_set {
            let action = action?;
            let name = action.display_name();
            return Some(match step {
                xacct_graph::StackSetStep::Administration => {
                    match action.config("AdministrationRoleArn") {
                        Some(named) => (
                            unit.file,
                            named.span,
                            format!("action `{name}` names this administration role"),
                        ),
                        None => (
                            unit.file,
                            action.provider.as_ref()?.span,
                            format!("the stack set operations of action `{name}` run as the administration role (`AWSCloudFormationStackSetAdministrationRole` of its account unless its stack set's action names one)"),
                        ),
                    }
                }
                xacct_graph::StackSetStep::Execution => (
                    unit.file,
                    action.config("DeploymentTargets")?.span,
                    format!("action `{name}` deploys stack instances to these accounts"),
                ),
            });
        }
        // The stack reads what its overrides locate with the deployment role: point at it.
        if need.artifacts == xacct_graph::Artifacts::Stack {
            let action = action?;
            let deploy_role = action.config("RoleArn")?;
            return Some((
                unit.file,
                deploy_role.span,
                format!(
                    "the stack of `{}` is deployed with this role, which reads the artifact its ParameterOverrides locate",
                    action.display_name()
                ),
            ));
        }
        // A CodeBuild build touches the store with its project's service role: point at it.
        if matches!(
            need.artifacts,
            xacct_graph::Artifacts::ServiceRoleInputs | xacct_graph::Artifacts::ServiceRoleOutputs
        ) {
            let action = action?;
            let project = self.build_project(need)?;
            let role = project.project.service_role.as_ref()?;
            return Some((
                project.file,
                role.span,
                format!(
                    "CodeBuild project `{}` (action `{}`) runs its builds as this role, which downloads the input artifacts and uploads the outputs",
                    project.project.name.value,
                    action.display_name()
                ),
            ));
        }
        // The pipeline role copies a cross-region action's inputs: point at the region.
        if need.artifacts == xacct_graph::Artifacts::Replica {
            let action = action?;
            let region = action.region.as_ref()?;
            return Some((
                unit.file,
                region.span,
                format!(
                    "action `{}` runs in {}: the pipeline role copies its input artifacts there",
                    action.display_name(),
                    region.value
                ),
            ));
        }
        match action.and_then(|a| a.role_arn.as_ref()) {
            Some(role) => Some((
                unit.file,
                role.span,
                format!(
                    "action `{}` runs as this role",
                    action.map_or("?", |a| a.display_name())
                ),
            )),
            None => {
                let role = unit.doc.pipeline.role_arn.as_ref()?;
                let text = match action {
                    Some(a) => format!(
                        "action `{}` has no `roleArn`: it runs as the pipeline role",
                        a.display_name()
                    ),
                    None => "the pipeline role".to_string(),
                };
                Some((unit.file, role.span, text))
            }
        }
    }

    /// The CodeBuild project the CodeBuild action of a check names, when the inputs hold it
    /// (in the action's account and region).
    pub fn build_project(
        &self,
        need: &xacct_graph::Need,
    ) -> Option<&'a xacct_model::workspace::BuildProjectUnit> {
        let action = self.action(need)?;
        let (s, a) = need.action_index()?;
        let placement = self.pipeline(need).accounts.of(s, a);
        let account = placement.account.as_ref()?.value;
        let region = placement.region.as_ref().map(|r| r.value.as_str());
        self.workspace
            .project(&action.config("ProjectName")?.value, account, region)
    }

    /// A policy of the workspace.
    pub fn policy(&self, index: usize) -> &'a xacct_model::workspace::PolicyUnit {
        &self.workspace.policies[index]
    }

    /// The file and the span to point at for a policy as a whole: its `Statement` key (where a
    /// statement is to be added), else the document's opening brace.
    pub fn policy_anchor(&self, index: usize) -> (FileId, Span) {
        let unit = self.policy(index);
        let document = unit.document();
        let span = document
            .statement_key
            .unwrap_or(Span::new(document.span.start, document.span.start + 1));
        (unit.file, span)
    }

    /// A fix that adds an Allow statement to a policy (`where_` names it for the title: "the
    /// key policy"), when the policy's file says how its statements are written and the values
    /// can be written there; none for a policy AWS wrote. Safe in an AWS CLI output; in a
    /// template or Terraform it needs review (the values may stand for parameters there).
    pub fn add_statement(
        &self,
        policy: usize,
        where_: &str,
        principal: Option<&str>,
        actions: &[&str],
        resource: Option<&str>,
    ) -> Option<crate::Fix> {
        let unit = self.policy(policy);
        // An identity statement needs a resource; a grant wider than the help names is no fix.
        if written_by_aws(unit) || (principal.is_none() && resource.is_none()) {
            return None;
        }
        let insertion = unit.document().insertion.as_ref()?;
        let text = insertion.render(&xacct_model::policy_edit::NewStatement {
            principal: principal.map(str::to_string),
            actions: actions.iter().map(|a| a.to_string()).collect(),
            resource: resource.map(str::to_string),
        })?;
        let edits = vec![crate::Edit::insert(unit.file, insertion.at, text)];
        Some(if insertion.literal {
            crate::Fix::safe(format!("Add the statement to {where_}"), edits)
        } else {
            // Values as this run resolved them, where the file may write parameters.
            crate::Fix::needs_review(
                format!("Add the statement to {where_} (with the values this run resolved)"),
                edits,
            )
        })
    }

    /// A finding of `rule` in `file`.
    pub fn diag(
        &self,
        rule: &Rule,
        file: FileId,
        span: Span,
        message: impl Into<String>,
    ) -> Diagnostic {
        Diagnostic::new(rule, file, span, message)
    }

    /// A finding that the asking role's own policies lack `sts:AssumeRole` on the role it must
    /// assume: at the policy a statement would go to (the one that already speaks of STS),
    /// with that statement as help and as a fix for `whose` policy, and a label where the
    /// pipeline names the role.
    pub fn assume_missing_in_identity(
        &self,
        rule: &Rule,
        c: &xacct_graph::Check,
        message: String,
        whose: &str,
    ) -> Diagnostic {
        let (file, span) = self
            .identity_anchor(&c.identity_policies, c.iam_action)
            .unwrap_or(self.policy_anchor(c.identity_policies[0]));
        let diag = self
            .diag(rule, file, span, message)
            .help(format!(
                "add to a policy of {whose}: {}",
                statement_json(None, &["sts:AssumeRole"], Some(&c.resource))
            ))
            .fix_opt(self.add_statement(
                self.identity_policy_for(&c.identity_policies, c.iam_action),
                &format!("{whose}'s policy"),
                None,
                &["sts:AssumeRole"],
                Some(&c.resource),
            ));
        match self.role_site(&c.need) {
            Some((file, span, text)) => diag.label_in(file, span, text),
            None => diag,
        }
    }

    /// A finding at a policy, with a label where the pipeline names the role.
    pub fn at_policy(
        &self,
        rule: &Rule,
        policy: usize,
        need: &xacct_graph::Need,
        message: String,
    ) -> Diagnostic {
        let (file, span) = self.policy_anchor(policy);
        let mut diag = self.diag(rule, file, span, message);
        if let Some((file, span, text)) = self.role_site(need) {
            diag = diag.label_in(file, span, text);
        }
        diag
    }

    /// "action `Deploy`" or "the pipeline", for messages.
    pub fn who(&self, need: &xacct_graph::Need) -> String {
        match self.action(need) {
            Some(action) if need.artifacts == xacct_graph::Artifacts::Stack => {
                format!("the deployment role of action `{}`", action.display_name())
            }
            Some(action)
                if matches!(
                    need.artifacts,
                    xacct_graph::Artifacts::ServiceRoleInputs
                        | xacct_graph::Artifacts::ServiceRoleOutputs
                ) =>
            {
                format!(
                    "the service role of the CodeBuild project of action `{}`",
                    action.display_name()
                )
            }
            Some(action) => format!("action `{}`", action.display_name()),
            None => "the pipeline".to_string(),
        }
    }
}

/// The explicit Deny that refuses a check on `side` (on either side with [`Side::Both`]), when
/// the outcome is a Deny.
///
/// [`Side::Identity`] stands for every policy that limits the principal (its own, its
/// permissions boundary, its session policies, the SCPs of its account), [`Side::Resource`]
/// for the resource's (its policy, the RCPs of its account).
pub fn deny_on(outcome: &Outcome, side: Side) -> Option<&Proof> {
    match outcome {
        Outcome::Denied(proofs) => proofs.iter().find(|p| match side {
            Side::Both => true,
            Side::Identity => p.side.is_principal_side(),
            Side::Resource => p.side.is_resource_side(),
            other => p.side == other,
        }),
        _ => None,
    }
}

impl WorkspaceContext<'_> {
    /// The policy a Deny is in, for messages: "the key policy", "the bucket policy", "the trust
    /// policy", "the role's own policy" for an identity policy, "the SCP `Name`", "the RCP
    /// `Name`", "the permissions boundary `ARN`", "a session policy".
    pub fn deny_origin(&self, proof: &Proof) -> String {
        let unit = self.policy(proof.policy);
        let named = |what: &str| match &unit.entry.name {
            Some(name) => format!("{what} `{name}`"),
            None => what.to_string(),
        };
        match (proof.side, unit.entry.kind) {
            (Side::Identity, _) => "the role's own policy".to_string(),
            (Side::Scp, _) => named("the SCP"),
            (Side::Rcp, _) => named("the RCP"),
            (Side::Session, _) => "a session policy".to_string(),
            (Side::Boundary, _) => match &unit.governs {
                Some(Governs::ManagedPolicy(arn)) => format!("the permissions boundary `{arn}`"),
                _ => "the permissions boundary".to_string(),
            },
            (_, Some(PolicyKind::Key)) => "the key policy".to_string(),
            (_, Some(PolicyKind::Bucket)) => "the bucket policy".to_string(),
            (_, Some(PolicyKind::Trust)) => "the trust policy".to_string(),
            _ => "the resource's policy".to_string(),
        }
    }

    /// Where a Deny is, for messages: `usual`, the rule's own words, for the role's own policy
    /// and the resource's; the policy by kind and name for the others ("the SCP
    /// `ProtectKeys`", "the permissions boundary `arn:…`").
    pub fn deny_place(&self, proof: &Proof, usual: String) -> String {
        match proof.side {
            Side::Identity | Side::Resource => usual,
            _ => self.deny_origin(proof),
        }
    }

    /// A finding at the Deny statement that refuses a check, with a label where the pipeline
    /// names the role. An explicit Deny overrides every Allow, so proposing an Allow would not
    /// help: the help says to narrow the Deny so that it no longer matches `request` (e.g.
    /// "sts:AssumeRole on `arn:aws:iam::222222222222:role/Deploy`").
    pub fn at_deny(
        &self,
        rule: &Rule,
        proof: &Proof,
        need: &xacct_graph::Need,
        message: String,
        request: &str,
    ) -> Diagnostic {
        let owners = match proof.side {
            Side::Scp | Side::Rcp => {
                ", and the organization's management account is where it is changed"
            }
            _ => "",
        };
        let mut diag = self.diag(rule, proof.file, proof.anchor, message).help(format!(
            "narrow this Deny so that it does not match {request}: an added Allow cannot override an explicit Deny{owners}"
        ));
        if let Some((file, span, text)) = self.role_site(need) {
            diag = diag.label_in(file, span, text);
        }
        diag
    }
}

impl WorkspaceContext<'_> {
    /// For a rule that checks a grant of the role's own policies: the finding when an explicit
    /// Deny in those policies (a guardrail such as `Deny` with `NotAction` or `NotResource`)
    /// defeats the check, at that Deny, naming it, with a label where the pipeline names the
    /// role. `what` says what the role then cannot do ("read its input artifacts").
    pub fn identity_deny(
        &self,
        rule: &Rule,
        c: &xacct_graph::Check,
        what: &str,
    ) -> Option<Diagnostic> {
        if let Some(diag) = self.boundary_refusal(rule, c, what) {
            return Some(diag);
        }
        let proof = deny_on(&c.outcome, Side::Identity)?;
        let request = format!("{} on `{}`", c.iam_action, c.resource_shown());
        let message = match proof.side {
            Side::Identity => format!(
                "{} in a policy of `{}` ({}) denies {request}, so it cannot {what}: an explicit Deny overrides every Allow",
                self.statement_name(proof),
                c.principal,
                self.who(&c.need),
            ),
            // An SCP of the role's account, its permissions boundary: name the policy.
            _ => format!(
                "{} of {} denies {request} to `{}` ({}), so it cannot {what}: an explicit Deny overrides every Allow",
                self.statement_name(proof),
                self.deny_origin(proof),
                c.principal,
                self.who(&c.need),
            ),
        };
        Some(self.at_deny(rule, proof, &c.need, message, &request))
    }

    /// The finding when a check is refused because the role's permissions boundary does not
    /// allow it (the role's own policies do): at the boundary's `Statement` key, with labels
    /// where the role names its boundary and where the pipeline names the role. `what` says
    /// what the role then cannot do.
    pub fn boundary_refusal(
        &self,
        rule: &Rule,
        c: &xacct_graph::Check,
        what: &str,
    ) -> Option<Diagnostic> {
        if !matches!(c.outcome, Outcome::NotAllowed(Side::Boundary)) {
            return None;
        }
        let unit = c.boundary_policy?;
        let named = self.workspace.boundary_of(&c.principal)?;
        let arn = &named.boundary.policy.value;
        let request = format!("{} on `{}`", c.iam_action, c.resource_shown());
        let (file, span) = self.policy_anchor(unit);
        let mut diag = self
            .diag(
                rule,
                file,
                span,
                format!(
                    "the permissions boundary `{arn}` of `{}` ({}) does not allow {request}, so it cannot {what}: a role may do only what both its own policies and its permissions boundary allow",
                    c.principal,
                    self.who(&c.need),
                ),
            )
            .label_in(
                named.file,
                named.boundary.policy.span,
                format!("`{}` takes this permissions boundary", c.principal),
            );
        if let Some((file, span, text)) = self.role_site(&c.need) {
            diag = diag.label_in(file, span, text);
        }
        Some(diag.help(format!(
            "add to the permissions boundary `{arn}`: {}",
            statement_json(None, &[c.iam_action], Some(&c.resource_shown()))
        )))
    }

    /// "the Deny `Sid`", or "a Deny statement" when it has no `Sid`, for messages.
    pub fn statement_name(&self, proof: &Proof) -> String {
        let sid = self
            .policy(proof.policy)
            .document()
            .statements
            .iter()
            .find(|s| s.span == proof.span)
            .and_then(|s| s.sid.as_ref())
            .filter(|sid| !sid.value.is_empty());
        match sid {
            Some(sid) => format!("the Deny `{}`", sid.value),
            None => "a Deny statement".to_string(),
        }
    }
}

/// True when `condition` narrows who may make the request: a positive operator that compares
/// the caller with given values (`StringEquals`, `StringLike`, `ArnEquals`, `ArnLike`, each also
/// as `…IfExists` and `ForAnyValue:…`; `IpAddress` for `aws:SourceIp`) on one of `keys`
/// (lowercase), with values none of which matches every caller. A negated operator
/// (`StringNotEquals`) keeps everyone else in; `ForAllValues:` holds when the key is absent; a
/// wildcard that matches everything (`StringLike "*"`, `IpAddress "0.0.0.0/0"`) narrows nothing.
/// `StringEquals` compares literally, so its `"*"` matches no caller and does narrow.
pub fn narrows_caller(condition: &Condition, keys: &[&str]) -> bool {
    let key = condition.key.value.to_ascii_lowercase();
    if !keys.contains(&key.as_str()) || condition.values.is_empty() {
        return false;
    }
    let operator = condition.operator.value.to_ascii_lowercase();
    let operator = operator.strip_prefix("foranyvalue:").unwrap_or(&operator);
    let operator = operator.strip_suffix("ifexists").unwrap_or(operator);
    let every = |v: &str| match operator {
        "stringequals" => false,
        "stringlike" | "arnequals" | "arnlike" => !v.is_empty() && v.bytes().all(|b| b == b'*'),
        _ => v == "0.0.0.0/0" || v == "::/0",
    };
    let compares = match operator {
        "ipaddress" => key == "aws:sourceip",
        "stringequals" | "stringlike" | "arnequals" | "arnlike" => key != "aws:sourceip",
        _ => false,
    };
    compares && !condition.values.iter().any(|v| every(&v.value))
}

/// True when an `Action`/`NotAction` block matches `action` as IAM matches it: case-insensitive,
/// `*` and `?` wildcards (`iam:*`, `iam:Pass*`, `*`), inverted for `NotAction`.
pub fn action_matches(block: &ValueBlock, action: &str) -> bool {
    // Without wildcards IAM's action match is a case-insensitive comparison; the breadth
    // rules ask this of every statement of the run, so the evaluator is asked only for
    // patterns (pinned to it by `action_matches_agrees_with_the_evaluator`).
    if block.values.iter().all(|v| !v.value.contains(['*', '?'])) {
        let named = block
            .values
            .iter()
            .any(|v| v.value.eq_ignore_ascii_case(action));
        return named != block.negated;
    }
    // A pattern can match only an action that begins with its text before the first
    // wildcard (`s3:*` never matches `sts:AssumeRole`).
    let may_match = |pattern: &str| {
        let head = &pattern[..pattern.find(['*', '?']).unwrap_or(pattern.len())];
        action
            .get(..head.len())
            .is_some_and(|start| start.eq_ignore_ascii_case(head))
    };
    if !block.values.iter().any(|v| may_match(&v.value)) {
        return block.negated;
    }
    action_matches_evaluated(block, action)
}

fn action_matches_evaluated(block: &ValueBlock, action: &str) -> bool {
    let role = "arn:aws:iam::111111111111:role/xacct-action-match";
    grants(Some(block), None, action, role)
}

/// True when a `Resource`/`NotResource` block matches `resource` as IAM matches it: ARN field
/// by field, case-sensitive, `*` and `?` wildcards, inverted for `NotResource`.
pub fn resource_matches(block: &ValueBlock, resource: &str) -> bool {
    grants(None, Some(block), "xacct:Match", resource)
}

/// Whether an Allow with these blocks (a missing one: `"*"`) and nothing else grants `action`
/// on `resource`. The matchers are xacct-iam's own, asked through its public evaluator, so that
/// rules never disagree with the evaluation.
fn grants(
    action_block: Option<&ValueBlock>,
    resource_block: Option<&ValueBlock>,
    action: &str,
    resource: &str,
) -> bool {
    let Some(account) = AccountId::parse("111111111111") else {
        return false;
    };
    let any = || ValueBlock {
        negated: false,
        key_span: Span::default(),
        values: vec![Spanned::new(
            xacct_model::Text::const_new("*"),
            Span::default(),
        )],
    };
    let statement = Statement {
        span: Span::default(),
        sid: None,
        effect: Some(Spanned::new(Effect::Allow, Span::default())),
        principal: None,
        action: Some(action_block.cloned().unwrap_or_else(any)),
        resource: Some(resource_block.cloned().unwrap_or_else(any)),
        conditions: Vec::new(),
    };
    // No `Version`: `${…}` stays literal text, as nothing could resolve it here.
    let document = PolicyDocument {
        statements: vec![statement],
        ..PolicyDocument::default()
    };
    let context = xacct_iam::Context::new();
    let request = xacct_iam::Request {
        principal: xacct_iam::PrincipalRef::Role {
            arn: "arn:aws:iam::111111111111:role/xacct-match",
            account,
        },
        action,
        resource,
        resource_account: Some(account),
        kind: xacct_iam::ResourceKind::Other,
        context: &context,
    };
    let policies = xacct_iam::Policies::new(
        xacct_iam::Known::Known(vec![&document]),
        xacct_iam::Known::Known(None),
    );
    xacct_iam::evaluate(&request, &policies).is_allowed()
}

/// An edit that writes `new` in place of the string value `old` whose span is `span`, when the
/// span holds exactly its text, bare or between quotes (so no escape is to be redone); else
/// none. `new` must need no quoting or escaping anywhere (an ARN).
pub fn replace_value(file: FileId, span: Span, old: &str, new: &str) -> Option<crate::Edit> {
    let safe = |s: &str| {
        !s.is_empty()
            && s.chars()
                .all(|c| c.is_ascii_alphanumeric() || ":/-_.".contains(c))
    };
    if !safe(old) || !safe(new) {
        return None;
    }
    let inner = match span.len() as usize {
        n if n == old.len() => span,
        n if n == old.len() + 2 => Span::new(span.start + 1, span.end - 1),
        _ => return None,
    };
    Some(crate::Edit::replace(file, inner, new))
}

/// A policy statement as JSON, for `help:` lines: the exact statement to add.
pub fn statement_json(principal: Option<&str>, actions: &[&str], resource: Option<&str>) -> String {
    let quote = |s: &str| format!("\"{}\"", s.replace('\\', "\\\\").replace('"', "\\\""));
    let mut parts = vec!["\"Effect\": \"Allow\"".to_string()];
    if let Some(principal) = principal {
        parts.push(format!("\"Principal\": {{\"AWS\": {}}}", quote(principal)));
    }
    let actions: Vec<String> = actions.iter().map(|a| quote(a)).collect();
    parts.push(if actions.len() == 1 {
        format!("\"Action\": {}", actions[0])
    } else {
        format!("\"Action\": [{}]", actions.join(", "))
    });
    if let Some(resource) = resource {
        parts.push(format!("\"Resource\": {}", quote(resource)));
    }
    format!("{{{}}}", parts.join(", "))
}

/// The account of an ARN, when it names one.
pub fn arn_account(arn: &str) -> Option<AccountId> {
    xacct_model::Arn::parse(arn).ok()?.account_id()
}

/// Pushes findings tied to the trust-graph check they are about.
pub trait PushAbout {
    /// Pushes `diagnostic`, marked as about check `check`.
    fn push_about(&mut self, check: usize, diagnostic: Diagnostic);
}

impl PushAbout for Vec<Diagnostic> {
    fn push_about(&mut self, check: usize, diagnostic: Diagnostic) {
        self.push(diagnostic.about(check));
    }
}

/// One finding per root cause across the actions of a run: when several actions meet the same
/// refused question (one role that cannot assume another, whichever action asks), the first
/// reports it and each later one only adds the label where it names the role.
pub struct OncePer<K> {
    at: std::collections::HashMap<K, usize>,
}

impl<K: std::hash::Hash + Eq> Default for OncePer<K> {
    fn default() -> Self {
        OncePer {
            at: std::collections::HashMap::new(),
        }
    }
}

impl<K: std::hash::Hash + Eq> OncePer<K> {
    /// True when `key` is new: the caller then pushes exactly one finding onto `out`. Else
    /// the finding already pushed for `key` gains the role site of `need` and covers `check`
    /// too, and false.
    pub fn first(
        &mut self,
        key: K,
        out: &mut [Diagnostic],
        cx: &WorkspaceContext<'_>,
        need: &xacct_graph::Need,
        check: Option<usize>,
    ) -> bool {
        match self.at.get(&key) {
            Some(&index) => {
                let Some(diag) = out.get_mut(index) else {
                    return false;
                };
                if let Some(check) = check {
                    diag.also_about.push(check);
                }
                if let Some((file, span, message)) = cx.role_site(need) {
                    if !diag.labels.iter().any(|l| l.file == file && l.span == span) {
                        diag.labels.push(crate::diagnostic::Label {
                            file,
                            span,
                            message,
                        });
                    }
                }
                false
            }
            None => {
                self.at.insert(key, out.len());
                true
            }
        }
    }
}

impl WorkspaceContext<'_> {
    /// The identity policy to point at when a role lacks `iam_action`: the first of
    /// `policies` that already grants something of the same service (where the user would add
    /// the permission), else the first. `policies` must not be empty.
    pub fn identity_policy_for(&self, policies: &[usize], iam_action: &str) -> usize {
        self.identity_policy_granting(policies, &[iam_action])
    }

    /// Like [`Self::identity_policy_for`], trying the services of `iam_actions` in order: for
    /// `iam:PassRole` on behalf of CloudFormation, the policy that grants `cloudformation:`
    /// calls is where the user would add it when none grants `iam:` yet.
    pub fn identity_policy_granting(&self, policies: &[usize], iam_actions: &[&str]) -> usize {
        let grants_service = |index: usize, prefix: &str| {
            self.policy(index).document().statements.iter().any(|s| {
                s.action.as_ref().is_some_and(|a| {
                    a.values
                        .iter()
                        .any(|v| v.value.to_ascii_lowercase().starts_with(prefix))
                })
            })
        };
        iam_actions
            .iter()
            .find_map(|action| {
                let service = action.split(':').next().unwrap_or_default();
                let prefix = format!("{}:", service.to_ascii_lowercase());
                policies
                    .iter()
                    .copied()
                    .find(|&index| grants_service(index, &prefix))
            })
            .unwrap_or(policies[0])
    }

    /// The anchor of [`Self::identity_policy_for`], or `None` when there are no policies.
    pub fn identity_anchor(&self, policies: &[usize], iam_action: &str) -> Option<(FileId, Span)> {
        (!policies.is_empty())
            .then(|| self.policy_anchor(self.identity_policy_for(policies, iam_action)))
    }
}

/// What kind of policy a unit is: what the config or the file binds it to for a key or a
/// bucket, else what its file says (or its content suggests).
pub fn policy_kind(unit: &xacct_model::workspace::PolicyUnit) -> Option<PolicyKind> {
    use xacct_model::workspace::Governs;
    // SCPs, RCPs and grants say so in their files, whatever they are bound to.
    if matches!(
        unit.entry.kind,
        Some(PolicyKind::ServiceControl | PolicyKind::ResourceControl | PolicyKind::Grant)
    ) {
        return unit.entry.kind;
    }
    match unit.governs {
        Some(Governs::Key(_)) => Some(PolicyKind::Key),
        Some(Governs::Bucket(_)) => Some(PolicyKind::Bucket),
        _ => unit.entry.kind,
    }
}

/// True for a policy whose text is AWS's own (an AWS managed policy, from the catalogue or from
/// the file): a user cannot change it, so no rule about how a policy is written reports on it.
pub fn written_by_aws(unit: &xacct_model::workspace::PolicyUnit) -> bool {
    unit.entry
        .name
        .as_deref()
        .is_some_and(xacct_model::managed::is_aws_managed)
}

/// The statements of the policies a user wrote, each once: a template that attaches one
/// document to several roles gives several units with the same document at the same place.
pub fn written_statements(
    workspace: &xacct_model::workspace::Workspace,
) -> impl Iterator<Item = (&xacct_model::workspace::PolicyUnit, &Statement)> {
    let mut seen = std::collections::HashSet::new();
    workspace
        .policies
        .iter()
        .filter(|unit| !written_by_aws(unit))
        .filter(move |unit| {
            let span = unit.document().span;
            seen.insert((unit.file, span.start, span.end))
        })
        .flat_map(|unit| unit.document().statements.iter().map(move |s| (unit, s)))
        .filter(|(_, s)| !xacct_model::managed::is_stand_in(s))
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    /// An `Action`/`Resource` block of these values, for the rules' tests.
    pub(crate) fn block(negated: bool, values: &[&str]) -> ValueBlock {
        ValueBlock {
            negated,
            key_span: Span::default(),
            values: values
                .iter()
                .map(|v| Spanned::new(xacct_model::Text::from(*v), Span::default()))
                .collect(),
        }
    }

    /// The literal shortcut of `action_matches` answers as the evaluator does.
    #[test]
    fn action_matches_agrees_with_the_evaluator() {
        let values = [
            "sts:AssumeRole",
            "STS:assumerole",
            "*",
            "sts:*",
            "s3:*",
            "sts:Assume*",
            "st?:AssumeRole",
            "iam:Pass*",
            "*:*",
            "*Role",
            "kms:*crypt",
            "sts:AssumeRoleWithSAML",
            "sts:Assume",
            "iam:PassRole",
            "s3GetObject",
            "",
            "sts:AssumeRole ",
            "kms:Decrypt",
        ];
        let actions = [
            "sts:AssumeRole",
            "iam:PassRole",
            "kms:decrypt",
            "s3:GetObject",
        ];
        let mut checked = 0;
        for negated in [false, true] {
            for a in 0..values.len() {
                for b in a..values.len() {
                    for sets in [vec![values[a]], vec![values[a], values[b]], vec![]] {
                        let block = block(negated, &sets);
                        for action in actions {
                            assert_eq!(
                                action_matches(&block, action),
                                action_matches_evaluated(&block, action),
                                "{negated} {sets:?} {action}"
                            );
                            checked += 1;
                        }
                    }
                }
            }
        }
        assert!(checked > 500);
    }
}
