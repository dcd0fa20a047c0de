//! Action roles that only hop: their policies let them do nothing but assume roles of other
//! accounts.
//!
//! CodePipeline assumes an action's `roleArn` with the pipeline role's credentials and then
//! calls the provider (CloudFormation, CodeDeploy, S3, KMS) as that role, in its account; it
//! never assumes a further role on the action's behalf. A role whose only grant is
//! `sts:AssumeRole` on a role elsewhere is written by a team that expects the chain to go on
//! (a common CDK mistake: an action role in the pipeline account that "assumes the deploy
//! role"). Asking such a role's artifact and API questions would report every permission the
//! action needs as missing from it, and advise adding them to a role in the wrong account; the
//! one finding that helps is that the action must name the role it hops to.

use std::sync::Arc;

use xacct_model::policy::ValueBlock;
use xacct_model::workspace::{Governs, Workspace};
use xacct_model::{AccountId, Arn};
use xacct_syntax::{FileId, Span};

use crate::Need;

/// An action whose role only assumes roles of other accounts.
#[derive(Clone, Debug)]
pub struct Hop {
    /// The action.
    pub need: Need,
    /// The role the action names.
    pub role: Arc<str>,
    /// What the role may assume instead of doing the action's work.
    pub targets: Vec<HopTarget>,
}

/// A role an action role may assume, and where its policy says so.
#[derive(Clone, Debug)]
pub struct HopTarget {
    /// The role ARN as the policy writes it.
    pub arn: String,
    /// Its account.
    pub account: AccountId,
    /// The policy (index into the workspace's policies).
    pub policy: usize,
    /// The policy's file.
    pub file: FileId,
    /// The ARN's span in it.
    pub span: Span,
}

/// Actions of STS that a role needs to assume another and nothing else.
fn only_assumes(block: &ValueBlock) -> bool {
    !block.negated
        && !block.values.is_empty()
        && block.values.iter().all(|v| {
            // Compared without allocating: this runs for every statement of every action role.
            let action = v.value.as_bytes();
            let prefix = b"sts:assumerole";
            action
                .get(..prefix.len())
                .is_some_and(|head| head.eq_ignore_ascii_case(prefix))
                || v.value.eq_ignore_ascii_case("sts:tagsession")
                || v.value.eq_ignore_ascii_case("sts:setsourceidentity")
        })
}

/// The roles of other accounts that `role` may assume, when that is all its identity
/// policies allow and they are all given: `None` for a role with no policies in the run, a
/// policy attached but not given, any grant of another kind, or no role of another account
/// named by a literal ARN.
pub(crate) fn hop_targets(
    workspace: &Workspace,
    role: &str,
    role_account: AccountId,
) -> Option<Vec<HopTarget>> {
    let mut targets = Vec::new();
    let mut any = false;
    for (index, unit) in workspace.governing_indexed(&Governs::RoleIdentity(role.to_string())) {
        any = true;
        for statement in unit.document().statements.iter().filter(|s| s.allows()) {
            // A policy attached but not given may allow anything.
            if xacct_model::managed::is_stand_in(statement) {
                return None;
            }
            if !statement.action.as_ref().is_some_and(only_assumes) {
                return None;
            }
            let resources = statement.resource.as_ref().filter(|r| !r.negated)?;
            for value in &resources.values {
                let Ok(arn) = Arn::parse(&value.value) else {
                    continue;
                };
                let Some(account) = arn.account_id() else {
                    continue;
                };
                if arn.service == "iam"
                    && arn.resource.starts_with("role/")
                    && account != role_account
                {
                    targets.push(HopTarget {
                        arn: value.value.to_string(),
                        account,
                        policy: index,
                        file: unit.file,
                        span: value.span,
                    });
                }
            }
        }
    }
    (any && !targets.is_empty()).then_some(targets)
}
