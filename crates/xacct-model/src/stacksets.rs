//! The roles a CloudFormation StackSets action's operations run with (self-managed
//! permissions): the administration role in the account that administers the stack set, and the
//! execution role in each target account.
//!
//! Sources: CodePipeline action reference, "AWS CloudFormation StackSets"
//! (`action-reference-StackSets`): `AdministrationRoleArn`, "The ARN of the IAM role in the
//! administrator account used to perform stack set operations. … If you do not specify the role
//! name, it is set to AWSCloudFormationStackSetAdministrationRole"; `ExecutionRoleName`, "The name
//! of the IAM role in the target accounts used to perform stack set operations. … If you do not
//! specify the role name, it is set to `AWSCloudFormationStackSetExecutionRole`";
//! `DeploymentTargets`, "For the SELF_MANAGED permissions model, you can only provide accounts",
//! as a literal list `account_ID,account_ID` or a file of an input artifact; `PermissionModel`,
//! "`SELF_MANAGED` (default)". CloudFormation user guide, "Grant self-managed permissions": the
//! administration role assumes the execution role of each target account, whose trust policy
//! names the administrator account or the administration role.

use crate::pipeline::{Action, Pipeline, Spanned};
use crate::AccountId;
use crate::Text;

/// The default administration role's name.
pub const DEFAULT_ADMINISTRATION_ROLE: &str = "AWSCloudFormationStackSetAdministrationRole";
/// The default execution role's name.
pub const DEFAULT_EXECUTION_ROLE: &str = "AWSCloudFormationStackSetExecutionRole";
/// The service that assumes the administration role.
pub const STACKSETS_SERVICE: &str = "cloudformation.amazonaws.com";

/// What the configuration says of a StackSets action's roles.
#[derive(Clone, Debug)]
pub struct StackSetRoles<'a> {
    /// The administration role's ARN: `AdministrationRoleArn`, else the default role of the
    /// account the action calls CloudFormation from.
    pub administration: String,
    /// `AdministrationRoleArn`, when the configuration names it. Only then does the caller pass
    /// the role: "If you structure your permissions this way [the default role], users don't
    /// pass an administrator role when creating or updating stack sets" (CloudFormation user
    /// guide, "Set up basic permissions for stack set operations").
    pub administration_named: Option<&'a Spanned<Text>>,
    /// The action whose configuration names the roles (a `CloudFormationStackInstances` action
    /// takes them from the `CloudFormationStackSet` action of its stack set).
    pub named_by: &'a Action,
    /// The execution role of each target account given as an account ID, in the order written.
    pub executions: Vec<(AccountId, String)>,
    /// `DeploymentTargets` of the action that deploys.
    pub targets: Option<&'a Spanned<Text>>,
}

/// True for the two StackSets providers.
pub fn is_stack_set_action(action: &Action) -> bool {
    action.is("AWS", "CloudFormationStackSet") || action.is("AWS", "CloudFormationStackInstances")
}

/// The roles a StackSets action's operations run with, when its permission model is
/// self-managed and its account is known. `account` is the account the action calls
/// CloudFormation from (the account of the role it runs as), `partition` that role's partition.
/// A `CloudFormationStackInstances` action has no role parameters: the stack set keeps those of
/// its last `CloudFormationStackSet` operation, so they are taken from `stack_set`, the
/// `CloudFormationStackSet` action of the same pipeline that names the same stack set in the same
/// account and region, and are unknown without one (`None`).
///
/// Target accounts are those of `DeploymentTargets` written as twelve-digit account IDs; a list
/// in an artifact file, an organizational unit or a variable names no account here (unknown, not
/// guessed).
pub fn stack_set_roles<'a>(
    action: &'a Action,
    stack_set: Option<&'a Action>,
    account: AccountId,
    partition: &str,
) -> Option<StackSetRoles<'a>> {
    let named_by = if action.is("AWS", "CloudFormationStackSet") {
        action
    } else if action.is("AWS", "CloudFormationStackInstances") {
        stack_set.filter(|a| a.is("AWS", "CloudFormationStackSet"))?
    } else {
        return None;
    };
    // Service-managed stack sets use roles StackSets creates itself; a variable is unknown.
    match named_by.config("PermissionModel").map(|m| m.as_str()) {
        None | Some("SELF_MANAGED") => {}
        Some(_) => return None,
    }
    let administration_named = named_by.config("AdministrationRoleArn");
    let administration = match administration_named {
        Some(arn) if crate::symbol::has_variable(&arn.value) => return None,
        Some(arn) => arn.value.to_string(),
        None => format!("arn:{partition}:iam::{account}:role/{DEFAULT_ADMINISTRATION_ROLE}"),
    };
    let execution = match named_by.config("ExecutionRoleName") {
        // A name with a variable, or anything but a role name (the parameter takes a name, no
        // path), is not guessed.
        Some(name) if !is_role_name(&name.value) => None,
        Some(name) => Some(name.value.as_str()),
        None => Some(DEFAULT_EXECUTION_ROLE),
    };
    let targets = action.config("DeploymentTargets");
    let executions = match (execution, targets) {
        (Some(execution), Some(targets)) => target_accounts(targets)
            .map(|target| {
                (
                    target,
                    format!("arn:{partition}:iam::{target}:role/{execution}"),
                )
            })
            .collect(),
        _ => Vec::new(),
    };
    Some(StackSetRoles {
        administration,
        administration_named,
        named_by,
        executions,
        targets,
    })
}

/// The `CloudFormationStackSet` action a `CloudFormationStackInstances` action deploys the stack
/// set of: the one action of `pipeline` that names the same `StackSetName` and for which
/// `same_place` holds (same account and region), when there is exactly one.
pub fn stack_set_of<'a>(
    pipeline: &'a Pipeline,
    instances: &Action,
    mut same_place: impl FnMut(usize, usize) -> bool,
) -> Option<&'a Action> {
    let name = instances.config("StackSetName")?;
    if crate::symbol::has_variable(&name.value) {
        return None;
    }
    let mut found = pipeline.actions().filter(|&(s, a, candidate)| {
        candidate.is("AWS", "CloudFormationStackSet")
            && candidate
                .config("StackSetName")
                .is_some_and(|n| n.value == name.value)
            && same_place(s, a)
    });
    let first = found.next()?;
    found.next().is_none().then_some(first.2)
}

/// The accounts of a `DeploymentTargets` value written as a literal list of account IDs.
fn target_accounts(targets: &Spanned<Text>) -> impl Iterator<Item = AccountId> + '_ {
    let literal = !targets.value.contains("::");
    targets
        .value
        .split(',')
        .filter(move |_| literal)
        .filter_map(|item| AccountId::parse(item.trim()))
}

/// IAM role name characters (`[\w+=,.@-]+`, 1 to 64).
fn is_role_name(name: &str) -> bool {
    (1..=64).contains(&name.len())
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"_+=,.@-".contains(&b))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn action(provider: &str, config: &str) -> Action {
        let text = format!(
            r#"{{"pipeline": {{"name": "p", "roleArn": "arn:aws:iam::111111111111:role/r",
                "stages": [{{"name": "S", "actions": [{{"name": "A",
                "actionTypeId": {{"category": "Deploy", "owner": "AWS", "provider": "{provider}", "version": "1"}},
                "configuration": {config}}}]}}]}}}}"#
        );
        let doc = xacct_syntax::json::parse(&text).expect("valid JSON");
        let mut pipeline = crate::pipeline::load_pipeline(&doc.root).pipeline;
        pipeline.stages.remove(0).actions.remove(0)
    }

    fn account(text: &str) -> AccountId {
        AccountId::parse(text).expect("account")
    }

    #[test]
    fn defaults_and_literal_targets() {
        let a = action(
            "CloudFormationStackSet",
            r#"{"StackSetName": "s", "DeploymentTargets": "333333333333, 444444444444,ou-ab12-cdef3456"}"#,
        );
        let roles = stack_set_roles(&a, None, account("222222222222"), "aws").expect("roles");
        assert_eq!(
            roles.administration,
            "arn:aws:iam::222222222222:role/AWSCloudFormationStackSetAdministrationRole"
        );
        assert!(roles.administration_named.is_none());
        let executions: Vec<_> = roles.executions.iter().map(|(_, r)| r.as_str()).collect();
        assert_eq!(
            executions,
            [
                "arn:aws:iam::333333333333:role/AWSCloudFormationStackSetExecutionRole",
                "arn:aws:iam::444444444444:role/AWSCloudFormationStackSetExecutionRole"
            ]
        );
    }

    #[test]
    fn unknown_stays_unknown() {
        let service = action(
            "CloudFormationStackSet",
            r#"{"PermissionModel": "SERVICE_MANAGED", "DeploymentTargets": "ou-ab12-cdef3456"}"#,
        );
        assert!(stack_set_roles(&service, None, account("222222222222"), "aws").is_none());
        let file = action(
            "CloudFormationStackSet",
            r#"{"DeploymentTargets": "Src::accounts.txt", "ExecutionRoleName": "Exec"}"#,
        );
        let roles = stack_set_roles(&file, None, account("222222222222"), "aws").expect("roles");
        assert!(roles.executions.is_empty());
        let variable = action(
            "CloudFormationStackSet",
            r##"{"DeploymentTargets": "333333333333", "ExecutionRoleName": "#{Vars.Role}"}"##,
        );
        let roles =
            stack_set_roles(&variable, None, account("222222222222"), "aws").expect("roles");
        assert!(roles.executions.is_empty());
        // Instances without their stack set's action: the roles are not known.
        let instances = action(
            "CloudFormationStackInstances",
            r#"{"StackSetName": "s", "DeploymentTargets": "333333333333"}"#,
        );
        assert!(stack_set_roles(&instances, None, account("222222222222"), "aws").is_none());
    }
}
