//! XA209 task-role-other-account: the task definition of the service an ECS deploy action
//! updates names a task or execution role of another account than the service's.
//!
//! The action registers a new revision of that task definition and passes its roles to ECS;
//! IAM: "You can only use the PassRole permission to pass an IAM role to a service that shares
//! the same AWS account". Silent where the service, its task definition or a role's account is
//! not known.

use xacct_model::Arn;

use crate::registry::{declare_rule, Check};
use crate::rules::{has_variable, WorkspaceContext};
use crate::Diagnostic;

declare_rule!(
    "XA209",
    "task-role-other-account",
    Error,
    "The task definition of the service an ECS deploy action updates names a task or execution role of another account, which cannot be passed to ECS.",
    Check::Workspace(check)
);

fn check(cx: &WorkspaceContext<'_>, out: &mut Vec<Diagnostic>) {
    if cx.workspace.ecs.services.is_empty() {
        return;
    }
    for unit in &cx.workspace.pipelines {
        for (s, a, action) in unit.doc.pipeline.actions() {
            if !(action.is("AWS", "ECS") && action.category() == "Deploy") {
                continue;
            }
            let (Some(cluster), Some(service)) =
                (action.config("ClusterName"), action.config("ServiceName"))
            else {
                continue;
            };
            if [&cluster.value, &service.value]
                .iter()
                .any(|t| has_variable(t) || t.contains([':', '/']))
            {
                continue;
            }
            let placement = unit.accounts.of(s, a);
            let Some(account) = placement.account.as_ref().map(|a| a.value) else {
                continue;
            };
            let region = placement.region.as_ref().map(|r| r.value.as_str());
            let Some(roles) =
                cx.workspace
                    .ecs
                    .task_roles(&cluster.value, &service.value, account, region)
            else {
                continue;
            };
            for role in roles {
                let Some(role_account) = Arn::parse(&role.role.value)
                    .ok()
                    .and_then(|arn| arn.account_id())
                else {
                    continue;
                };
                if role_account == account {
                    continue;
                }
                out.push(
                    cx.diag(
                        &RULE,
                        role.file,
                        role.role.span,
                        format!(
                            "the task definition of service `{}` names `{}`, a role of account {role_account}; action `{}` passes it to ECS in account {account}, and a role cannot be passed to a service of another account: the deployment fails",
                            service.value,
                            role.role.value,
                            action.display_name()
                        ),
                    )
                    .label_in(
                        unit.file,
                        service.span,
                        format!(
                            "action `{}` updates this service in account {account}",
                            action.display_name()
                        ),
                    )
                    .help(format!(
                        "use a role of account {account} in the task definition; it may assume the role of {role_account} from the container if it needs that account"
                    )),
                );
            }
        }
    }
}
