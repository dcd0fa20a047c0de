//! The role chain of a CloudFormation StackSets action (self-managed permissions).
//!
//! CodePipeline calls CloudFormation with the action's role; CloudFormation runs the stack set
//! operation as the administration role, which assumes the execution role in each target
//! account (CloudFormation user guide, "Grant self-managed permissions": the administration role
//! "enables the following policy": `sts:AssumeRole` on
//! `arn:aws:iam::*:role/AWSCloudFormationStackSetExecutionRole`, with a trust policy for
//! `cloudformation.amazonaws.com`; each execution role "trusts the administrator account").
//! When the configuration names a customized administration role, "The user must have
//! permission to pass the role to AWS CloudFormation" (same page, "Set up permissions to control
//! target account access"): the action role's `iam:PassRole`, XA505's question. The chain's
//! assumptions are XA516's.

use xacct_iam::ResourceKind;
use xacct_model::stacksets::{stack_set_of, stack_set_roles, STACKSETS_SERVICE};
use xacct_model::workspace::PipelineUnit;
use xacct_model::{AccountId, Action, Arn};

use super::{Asker, Builder, PolicyOf, Question};
use crate::{Artifacts, EdgeKind, Need, NodeKind, StackSetStep};

impl Builder<'_> {
    /// Asks the questions of a StackSets action's role chain: the action role's pass of a
    /// named administration role, CloudFormation's assumption of the administration role, and
    /// the administration role's assumption of the execution role of each target account given
    /// as an account ID. Nothing where the permission model is not self-managed, where the
    /// roles are not known (a `CloudFormationStackInstances` action without its stack set's
    /// action), or where the administration role is in another account than the action role
    /// (CloudFormation is called from the action role's account, and a role of another account
    /// cannot be passed).
    pub(super) fn ask_stack_set_roles(
        &mut self,
        p: usize,
        (s, a): (usize, usize),
        unit: &PipelineUnit,
        action: &Action,
        acting: &Asker,
        acting_account: AccountId,
    ) {
        let Some(partition) = Arn::parse(&acting.name)
            .ok()
            .map(|arn| arn.partition.to_string())
        else {
            return;
        };
        let pipeline = &unit.doc.pipeline;
        let here = unit.accounts.of(s, a);
        let place = |placement: &xacct_model::Placement| {
            Some((
                placement.account.as_ref()?.value,
                placement.region.as_ref()?.value.clone(),
            ))
        };
        let here_place = place(here);
        let stack_set = here_place.as_ref().and_then(|here_place| {
            stack_set_of(pipeline, action, |cs, ca| {
                place(unit.accounts.of(cs, ca)).as_ref() == Some(here_place)
            })
        });
        let Some(roles) = stack_set_roles(action, stack_set, acting_account, &partition) else {
            return;
        };
        let Some(admin_account) = Arn::parse(&roles.administration)
            .ok()
            .and_then(|arn| arn.account_id())
            .filter(|account| *account == acting_account)
        else {
            return;
        };
        let need = Need::new(p, Some((s, a)), Artifacts::None, false);
        let admin = self.asker(&roles.administration, admin_account);
        // The caller passes a customized administration role it names (only the action that
        // names it: `CreateStackInstances` takes no role).
        if roles.administration_named.is_some() && std::ptr::eq(roles.named_by, action) {
            let resource = admin.name.clone();
            self.ask(
                self.role(&acting.name),
                self.role(&resource),
                Question {
                    kind: EdgeKind::CanPass,
                    need: need.clone(),
                    asker: acting.clone(),
                    iam_action: "iam:PassRole",
                    resource,
                    resource_account: Some(admin_account),
                    resource_kind: ResourceKind::Other,
                    resource_policy: None,
                    context: self.contexts.pass_to_cloudformation.clone(),
                },
            );
        }
        let service = Asker {
            name: self.intern(STACKSETS_SERVICE),
            account: None,
        };
        self.ask(
            super::At::Kind(NodeKind::Service(STACKSETS_SERVICE.to_string())),
            self.role(&admin.name),
            Question {
                kind: EdgeKind::CanAssume,
                need: need.clone().for_stack_set(StackSetStep::Administration),
                asker: service,
                iam_action: "sts:AssumeRole",
                resource: admin.name.clone(),
                resource_account: Some(admin_account),
                resource_kind: ResourceKind::RoleTrust,
                resource_policy: Some((PolicyOf::RoleTrust, admin.name.clone())),
                context: self.contexts.none.clone(),
            },
        );
        for (target, execution) in &roles.executions {
            let resource = self.intern(execution);
            self.link(
                self.role(&resource),
                super::At::Kind(NodeKind::Account(*target)),
                EdgeKind::RunsIn,
            );
            self.ask(
                self.role(&admin.name),
                self.role(&resource),
                Question {
                    kind: EdgeKind::CanAssume,
                    need: need.clone().for_stack_set(StackSetStep::Execution),
                    asker: admin.clone(),
                    iam_action: "sts:AssumeRole",
                    resource: resource.clone(),
                    resource_account: Some(*target),
                    resource_kind: ResourceKind::RoleTrust,
                    resource_policy: Some((PolicyOf::RoleTrust, resource)),
                    context: self.contexts.none.clone(),
                },
            );
        }
    }
}
