//! Which account and region the pipeline and each of its actions run in.
//!
//! Unknown stays unknown: nothing here guesses. A rule that needs an unknown fact stays silent.

use xacct_syntax::Span;

use crate::arn::{AccountId, Arn};
use crate::pipeline::{Action, Pipeline, PipelineDocument};

/// Where a fact about accounts or regions comes from, for messages and secondary labels.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Origin {
    /// `metadata.pipelineArn`.
    PipelineArn(Span),
    /// The pipeline's `roleArn`.
    PipelineRole(Span),
    /// The action's own `roleArn`.
    ActionRole(Span),
    /// The action's own `region`.
    ActionRegion(Span),
    /// The account or region the template's stack is deployed to (config, CDK manifest or
    /// folder); the span is the pipeline resource's logical ID.
    Stack(Span),
    /// The `--region` option.
    CommandLine,
}

impl Origin {
    /// The span of the evidence, when it is in the file.
    pub fn span(self) -> Option<Span> {
        match self {
            Origin::PipelineArn(s)
            | Origin::PipelineRole(s)
            | Origin::ActionRole(s)
            | Origin::ActionRegion(s)
            | Origin::Stack(s) => Some(s),
            Origin::CommandLine => None,
        }
    }

    /// A few words on the evidence: "the pipeline ARN", "its `roleArn`", …
    pub fn describe(self) -> &'static str {
        match self {
            Origin::PipelineArn(_) => "from `metadata.pipelineArn`",
            Origin::PipelineRole(_) => "the account of the pipeline's `roleArn`",
            Origin::ActionRole(_) => "its `roleArn`",
            Origin::ActionRegion(_) => "its `region`",
            Origin::Stack(_) => "the stack it is deployed with",
            Origin::CommandLine => "from `--region`",
        }
    }
}

/// A fact and where it comes from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Fact<T> {
    /// The value.
    pub value: T,
    /// Its evidence.
    pub origin: Origin,
}

/// The account and region of one action.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Placement {
    /// The action's account: its `roleArn`'s, else the pipeline account.
    pub account: Option<Fact<AccountId>>,
    /// The action's region: its `region`, else the pipeline region.
    pub region: Option<Fact<String>>,
}

impl Placement {
    /// True when the action's role puts it in another account than the pipeline's, as far as
    /// is known.
    pub fn is_foreign(&self, pipeline_account: Option<AccountId>) -> bool {
        matches!((&self.account, pipeline_account), (Some(a), Some(p)) if a.value != p)
    }
}

/// The accounts and regions of a pipeline and all its actions.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Accounts {
    /// The pipeline account ("A").
    pub pipeline: Option<Fact<AccountId>>,
    /// The pipeline region.
    pub region: Option<Fact<String>>,
    /// One entry per stage, one per action, in declaration order.
    pub actions: Vec<Vec<Placement>>,
}

fn account_of(arn: &str) -> Option<AccountId> {
    Arn::parse(arn).ok()?.account_id()
}

impl Accounts {
    /// Works out the accounts and regions. `default_region` is the `--region` option.
    pub fn resolve(doc: &PipelineDocument, default_region: Option<&str>) -> Accounts {
        let from_arn = doc.pipeline_arn.as_ref().and_then(|arn| {
            let parsed = Arn::parse(&arn.value).ok()?;
            Some((
                parsed.account_id(),
                (!parsed.region.is_empty()).then(|| parsed.region.to_string()),
                arn.span,
            ))
        });
        let pipeline = from_arn
            .as_ref()
            .and_then(|(account, _, span)| {
                Some(Fact {
                    value: (*account)?,
                    origin: Origin::PipelineArn(*span),
                })
            })
            .or_else(|| {
                let stack = doc.stack.as_ref()?;
                Some(Fact {
                    value: stack.account?,
                    origin: Origin::Stack(stack.span),
                })
            })
            .or_else(|| {
                let role = doc.pipeline.role_arn.as_ref()?;
                Some(Fact {
                    value: account_of(&role.value)?,
                    origin: Origin::PipelineRole(role.span),
                })
            });
        let region = from_arn
            .and_then(|(_, region, span)| {
                Some(Fact {
                    value: region?,
                    origin: Origin::PipelineArn(span),
                })
            })
            .or_else(|| {
                let stack = doc.stack.as_ref()?;
                Some(Fact {
                    value: stack.region.clone()?,
                    origin: Origin::Stack(stack.span),
                })
            })
            .or_else(|| {
                default_region.map(|r| Fact {
                    value: r.to_string(),
                    origin: Origin::CommandLine,
                })
            });
        let actions = doc
            .pipeline
            .stages
            .iter()
            .map(|stage| {
                stage
                    .actions
                    .iter()
                    .map(|action| place(action, &pipeline, &region))
                    .collect()
            })
            .collect();
        Accounts {
            pipeline,
            region,
            actions,
        }
    }

    /// The pipeline account's ID, if known.
    pub fn pipeline_account(&self) -> Option<AccountId> {
        self.pipeline.as_ref().map(|f| f.value)
    }

    /// The placement of action `action` of stage `stage`.
    pub fn of(&self, stage: usize, action: usize) -> &Placement {
        &self.actions[stage][action]
    }

    /// Every action that runs in another account than the pipeline's, known for sure.
    pub fn foreign_actions<'p>(
        &'p self,
        pipeline: &'p Pipeline,
    ) -> impl Iterator<Item = (usize, usize, &'p Action, &'p Placement)> + 'p {
        let home = self.pipeline_account();
        pipeline.actions().filter_map(move |(s, a, action)| {
            let placement = self.of(s, a);
            placement
                .is_foreign(home)
                .then_some((s, a, action, placement))
        })
    }
}

fn place(
    action: &Action,
    pipeline: &Option<Fact<AccountId>>,
    region: &Option<Fact<String>>,
) -> Placement {
    let account = match &action.role_arn {
        // A malformed role ARN leaves the account unknown (XA103 reports it), never the default.
        Some(role) => account_of(&role.value).map(|value| Fact {
            value,
            origin: Origin::ActionRole(role.span),
        }),
        None => pipeline.clone(),
    };
    let region = match &action.region {
        Some(r) => Some(Fact {
            value: r.value.to_string(),
            origin: Origin::ActionRegion(r.span),
        }),
        None => region.clone(),
    };
    Placement { account, region }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pipeline::load_pipeline;
    use xacct_syntax::json::parse;

    fn resolve(text: &str, region: Option<&str>) -> Accounts {
        let doc = parse(text).unwrap();
        Accounts::resolve(&load_pipeline(&doc.root), region)
    }

    const ACTIONS: &str = r#""stages": [{"name": "S", "actions": [
        {"name": "Home"},
        {"name": "Away", "roleArn": "arn:aws:iam::222222222222:role/r", "region": "eu-west-1"},
        {"name": "Broken", "roleArn": "arn:aws:iam::2222:role/r"}]}]"#;

    fn id(s: &str) -> AccountId {
        AccountId::parse(s).unwrap()
    }

    #[test]
    fn pipeline_arn_wins_over_the_role_and_gives_the_region() {
        let text = format!(
            r#"{{"pipeline": {{"roleArn": "arn:aws:iam::333333333333:role/p", {ACTIONS}}},
                "metadata": {{"pipelineArn": "arn:aws:codepipeline:us-east-2:111111111111:P"}}}}"#
        );
        let accounts = resolve(&text, Some("eu-central-1"));
        assert_eq!(accounts.pipeline_account(), Some(id("111111111111")));
        assert!(matches!(
            accounts.pipeline.as_ref().unwrap().origin,
            Origin::PipelineArn(_)
        ));
        let region = accounts.region.as_ref().unwrap();
        assert_eq!(
            (
                region.value.as_str(),
                matches!(region.origin, Origin::PipelineArn(_))
            ),
            ("us-east-2", true)
        );
    }

    #[test]
    fn without_metadata_the_role_gives_the_account_and_the_option_the_region() {
        let text = format!(r#"{{"roleArn": "arn:aws:iam::333333333333:role/p", {ACTIONS}}}"#);
        let accounts = resolve(&text, Some("eu-central-1"));
        assert_eq!(accounts.pipeline_account(), Some(id("333333333333")));
        assert_eq!(
            accounts
                .region
                .as_ref()
                .map(|r| (r.value.as_str(), r.origin)),
            Some(("eu-central-1", Origin::CommandLine))
        );
        let home = accounts.of(0, 0);
        assert_eq!(
            home.account.as_ref().map(|a| a.value),
            Some(id("333333333333"))
        );
        assert_eq!(
            home.region.as_ref().map(|r| r.value.as_str()),
            Some("eu-central-1")
        );
        let away = accounts.of(0, 1);
        assert_eq!(
            away.account.as_ref().map(|a| a.value),
            Some(id("222222222222"))
        );
        assert_eq!(
            away.region.as_ref().map(|r| r.value.as_str()),
            Some("eu-west-1")
        );
        assert!(away.is_foreign(accounts.pipeline_account()));
        assert!(!home.is_foreign(accounts.pipeline_account()));
    }

    #[test]
    fn unknown_stays_unknown() {
        // No metadata, no pipeline role, no --region: nothing is known about the home action.
        let accounts = resolve(&format!("{{{ACTIONS}}}"), None);
        assert_eq!(accounts.pipeline, None);
        assert_eq!(accounts.region, None);
        assert_eq!(accounts.of(0, 0).account, None);
        // A malformed action role never falls back to the pipeline account.
        let text = format!(r#"{{"roleArn": "arn:aws:iam::333333333333:role/p", {ACTIONS}}}"#);
        let accounts = resolve(&text, None);
        assert_eq!(accounts.of(0, 2).account, None);
        assert!(!accounts.of(0, 2).is_foreign(accounts.pipeline_account()));
        assert_eq!(
            accounts
                .foreign_actions(&load_pipeline(&parse(&text).unwrap().root).pipeline)
                .count(),
            1
        );
    }
}
