//! EventBridge rules, as far as source triggers are concerned: a change event of a CodeCommit
//! repository or an S3 bucket is routed to a pipeline by a rule, and across accounts by a rule
//! that sends it to the pipeline account's event bus. What the inputs say of a rule: its
//! account and region, the bus it is on, and its targets with the role EventBridge uses for
//! each. The event buses' resource policies are policies of the workspace
//! ([`crate::policy_file::PolicyKind::EventBus`]).

use xacct_syntax::{FileId, Span};

use crate::arn::{AccountId, Arn};
use crate::pipeline::Spanned;

/// One target of a rule (`aws events list-targets-by-rule`, a template rule's `Targets`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EventTarget {
    /// The target's ARN: a pipeline, another account's event bus, ….
    pub arn: Spanned<String>,
    /// The role EventBridge uses to invoke the target (`RoleArn`), when the input gives one.
    pub role: Option<Spanned<String>>,
}

impl EventTarget {
    /// The target's ARN taken apart, when it is one.
    pub fn parsed(&self) -> Option<Arn<'_>> {
        Arn::parse(&self.arn.value).ok()
    }

    /// The account of the event bus this target is, when it is an event bus with a known
    /// account (`arn:aws:events:REGION:ACCOUNT:event-bus/NAME`).
    pub fn bus_account(&self) -> Option<AccountId> {
        let arn = self.parsed()?;
        (arn.service == "events" && arn.resource.starts_with("event-bus/"))
            .then(|| arn.account_id())
            .flatten()
    }

    /// The account of the pipeline this target is, when it is a pipeline with a known account
    /// (`arn:aws:codepipeline:REGION:ACCOUNT:NAME`).
    pub fn pipeline_account(&self) -> Option<AccountId> {
        let arn = self.parsed()?;
        (arn.service == "codepipeline")
            .then(|| arn.account_id())
            .flatten()
    }

    /// The account of the target's role, when it has one whose ARN names an account.
    pub fn role_account(&self) -> Option<AccountId> {
        let role = self.role.as_ref()?;
        let arn = Arn::parse(&role.value).ok()?;
        (arn.service == "iam").then(|| arn.account_id()).flatten()
    }
}

/// An EventBridge rule.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EventRule {
    /// Its name, where the input gives it (`list-targets-by-rule` output does not).
    pub name: Option<Spanned<String>>,
    /// Where the input declares it: the template resource, the output's `Targets`.
    pub span: Span,
    /// Its account: the rule ARN's, the stack's, the provider's; else the file's (folder
    /// convention), filled in by the workspace.
    pub account: Option<AccountId>,
    /// Its region, where the input says.
    pub region: Option<String>,
    /// Its targets.
    pub targets: Vec<EventTarget>,
}

impl EventRule {
    /// The rule's name for messages: `` `Name` `` or "an EventBridge rule".
    pub fn describe(&self) -> String {
        match &self.name {
            Some(name) => format!("EventBridge rule `{}`", name.value),
            None => "an EventBridge rule".to_string(),
        }
    }
}

/// A rule with the file it is declared in.
#[derive(Clone, Debug)]
pub struct EventRuleUnit {
    /// Its file.
    pub file: FileId,
    /// The rule.
    pub rule: EventRule,
}

/// The ARN of an event bus named by `name` (a name, or already an ARN) in an account and
/// region: `arn:PARTITION:events:REGION:ACCOUNT:event-bus/NAME`.
pub fn bus_arn(name: &str, partition: &str, region: &str, account: &str) -> String {
    if name.starts_with("arn:") {
        return name.to_string();
    }
    format!("arn:{partition}:events:{region}:{account}:event-bus/{name}")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn target(arn: &str, role: Option<&str>) -> EventTarget {
        EventTarget {
            arn: Spanned::new(arn.to_string(), Span::empty(0)),
            role: role.map(|r| Spanned::new(r.to_string(), Span::empty(0))),
        }
    }

    #[test]
    fn accounts_of_a_target() {
        let bus = target(
            "arn:aws:events:us-east-2:111111111111:event-bus/default",
            Some("arn:aws:iam::222222222222:role/path/ToBus"),
        );
        assert_eq!(bus.bus_account(), AccountId::parse("111111111111"));
        assert_eq!(bus.pipeline_account(), None);
        assert_eq!(bus.role_account(), AccountId::parse("222222222222"));
        let pipeline = target(
            "arn:aws:codepipeline:us-east-2:111111111111:MyPipeline",
            None,
        );
        assert_eq!(
            pipeline.pipeline_account(),
            AccountId::parse("111111111111")
        );
        assert_eq!(pipeline.bus_account(), None);
        assert_eq!(pipeline.role_account(), None);
        // A value left to deployment names no account.
        let deferred = target(
            "arn:aws:events:us-east-2:${AWS::AccountId}:event-bus/default",
            Some("${Role.Arn}"),
        );
        assert_eq!(deferred.bus_account(), None);
        assert_eq!(deferred.role_account(), None);
    }

    #[test]
    fn bus_arns() {
        assert_eq!(
            bus_arn("default", "aws", "us-east-2", "111111111111"),
            "arn:aws:events:us-east-2:111111111111:event-bus/default"
        );
        let arn = "arn:aws:events:eu-west-1:111111111111:event-bus/x";
        assert_eq!(bus_arn(arn, "aws", "us-east-2", "2"), arn);
    }
}
