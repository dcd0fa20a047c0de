//! The CodePipeline declaration, read from any of the shapes the AWS CLI and API use.
//!
//! The loader is lenient: a field of the wrong type is left out here and reported by
//! [`crate::api::validate_pipeline_document`], so one mistake gives one finding.

use xacct_syntax::json::{Node, Value};
use xacct_syntax::Span;

/// A value with the span it was read from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Spanned<T> {
    /// The value.
    pub value: T,
    /// Where it is in the file.
    pub span: Span,
}

impl<T> Spanned<T> {
    /// Wraps a value.
    pub fn new(value: T, span: Span) -> Self {
        Spanned { value, span }
    }
}

impl Spanned<Text> {
    /// The text.
    pub fn as_str(&self) -> &str {
        &self.value
    }
}

impl Spanned<String> {
    /// The text.
    pub fn as_str(&self) -> &str {
        &self.value
    }
}

/// A string of the model: most (names, providers, configuration keys) are short, and up to 24
/// bytes are kept inline, where a `String` would allocate each (a thousand pipelines hold
/// 150,000 such strings: a fifth of their model's memory, and as many allocations).
pub type Text = compact_str::CompactString;

/// A pipeline file: the declaration and, for `get-pipeline` output, its metadata.
#[derive(Clone, Debug, Default)]
pub struct PipelineDocument {
    /// The declaration.
    pub pipeline: Pipeline,
    /// `metadata.pipelineArn` of `get-pipeline` output.
    pub pipeline_arn: Option<Spanned<Text>>,
    /// Where the stack that declares the pipeline is deployed, for a template.
    pub stack: Option<StackPlacement>,
}

/// The account and region of the stack a template pipeline belongs to, as the config, a CDK
/// manifest or the folder convention says.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct StackPlacement {
    /// The stack's account.
    pub account: Option<crate::AccountId>,
    /// The stack's region.
    pub region: Option<String>,
    /// The pipeline resource's logical ID in the template (where the fact is shown).
    pub span: Span,
}

/// A pipeline declaration (`PipelineDeclaration` in the API).
#[derive(Clone, Debug, Default)]
pub struct Pipeline {
    /// The declaration object.
    pub span: Span,
    /// `name`.
    pub name: Option<Spanned<Text>>,
    /// `roleArn`: the pipeline's service role.
    pub role_arn: Option<Spanned<Text>>,
    /// `artifactStore`: the single store (span: the member key).
    pub artifact_store: Option<Spanned<ArtifactStore>>,
    /// `artifactStores`: one store per region (span: the member key).
    pub artifact_stores: Option<Spanned<Vec<RegionalStore>>>,
    /// `stages`.
    pub stages: Vec<Stage>,
    /// The `stages` member key, when present.
    pub stages_span: Option<Span>,
    /// `pipelineType` (`V1` when absent).
    pub pipeline_type: Option<Spanned<Text>>,
    /// `executionMode` (`SUPERSEDED` when absent).
    pub execution_mode: Option<Spanned<Text>>,
    /// The `variables` member key, when present.
    pub variables: Option<Span>,
    /// The `triggers` member key, when present.
    pub triggers: Option<Span>,
}

/// An artifact store: an S3 bucket and the key its artifacts are encrypted with.
#[derive(Clone, Debug, Default)]
pub struct ArtifactStore {
    /// The store object.
    pub span: Span,
    /// `location`: the bucket name.
    pub location: Option<Spanned<Text>>,
    /// `encryptionKey.id` (span: the value); `None` means the default `aws/s3` key.
    pub encryption_key: Option<Spanned<Text>>,
}

/// One entry of `artifactStores`.
#[derive(Clone, Debug)]
pub struct RegionalStore {
    /// The region key.
    pub region: Spanned<Text>,
    /// The store.
    pub store: ArtifactStore,
}

/// A stage.
#[derive(Clone, Debug, Default)]
pub struct Stage {
    /// The stage object.
    pub span: Span,
    /// `name`.
    pub name: Option<Spanned<Text>>,
    /// `actions`.
    pub actions: Vec<Action>,
    /// Member keys of stage features that only V2 pipelines have (`beforeEntry`, `onSuccess`,
    /// `onFailure`).
    pub v2_features: Vec<Spanned<Text>>,
}

/// An action (`ActionDeclaration`).
#[derive(Clone, Debug, Default)]
pub struct Action {
    /// The action object.
    pub span: Span,
    /// `name`.
    pub name: Option<Spanned<Text>>,
    /// `actionTypeId.category`.
    pub category: Option<Spanned<Text>>,
    /// `actionTypeId.owner`.
    pub owner: Option<Spanned<Text>>,
    /// `actionTypeId.provider`.
    pub provider: Option<Spanned<Text>>,
    /// `runOrder` (1 when absent).
    pub run_order: Option<Spanned<i64>>,
    /// `configuration`, in source order.
    pub configuration: Vec<ConfigEntry>,
    /// `inputArtifacts[].name`.
    pub inputs: Vec<Spanned<Text>>,
    /// `outputArtifacts[].name`.
    pub outputs: Vec<Spanned<Text>>,
    /// The `inputArtifacts` member key, when present.
    pub inputs_span: Option<Span>,
    /// The `outputArtifacts` member key, when present.
    pub outputs_span: Option<Span>,
    /// `roleArn`: the role CodePipeline assumes to run the action.
    pub role_arn: Option<Spanned<Text>>,
    /// `region`.
    pub region: Option<Spanned<Text>>,
    /// `namespace`.
    pub namespace: Option<Spanned<Text>>,
    /// The `commands` member key, when present.
    pub commands: Option<Span>,
}

/// One `configuration` entry.
#[derive(Clone, Debug)]
pub struct ConfigEntry {
    /// The key.
    pub key: Spanned<Text>,
    /// The value (string values only; others are shape errors).
    pub value: Spanned<Text>,
}

impl Action {
    /// The span to point at for findings about the action as a whole: its name, else its object.
    pub fn anchor(&self) -> Span {
        self.name
            .as_ref()
            .map_or(Span::new(self.span.start, self.span.start + 1), |n| n.span)
    }

    /// The span to point at for findings about the action's provider (V2-only, shut down): its
    /// `provider`, else [`Action::anchor`].
    pub fn provider_anchor(&self) -> Span {
        self.provider.as_ref().map_or(self.anchor(), |p| p.span)
    }

    /// The action's name, or `?` when it has none.
    pub fn display_name(&self) -> &str {
        self.name.as_ref().map_or("?", |n| n.as_str())
    }

    /// The run order, 1 when not given.
    pub fn run_order(&self) -> i64 {
        self.run_order.as_ref().map_or(1, |r| r.value)
    }

    /// The configuration value for `key` (the last one if duplicated).
    pub fn config(&self, key: &str) -> Option<&Spanned<Text>> {
        self.configuration
            .iter()
            .rev()
            .find(|e| e.key.value == key)
            .map(|e| &e.value)
    }

    /// True when `actionTypeId` has this owner and provider.
    pub fn is(&self, owner: &str, provider: &str) -> bool {
        self.owner.as_ref().is_some_and(|o| o.value == owner)
            && self.provider.as_ref().is_some_and(|p| p.value == provider)
    }

    /// The category, or "" when absent.
    pub fn category(&self) -> &str {
        self.category.as_ref().map_or("", |c| c.as_str())
    }

    /// The owner, or "" when absent.
    pub fn owner(&self) -> &str {
        self.owner.as_ref().map_or("", |c| c.as_str())
    }

    /// The provider, or "" when absent.
    pub fn provider(&self) -> &str {
        self.provider.as_ref().map_or("", |c| c.as_str())
    }
}

impl Stage {
    /// The stage's name, or `?` when it has none.
    pub fn display_name(&self) -> &str {
        self.name.as_ref().map_or("?", |n| n.as_str())
    }

    /// The span to point at for findings about the stage as a whole.
    pub fn anchor(&self) -> Span {
        self.name
            .as_ref()
            .map_or(Span::new(self.span.start, self.span.start + 1), |n| n.span)
    }
}

impl Pipeline {
    /// Every artifact store: the single `artifactStore`, then each of `artifactStores`.
    pub fn stores(&self) -> impl Iterator<Item = &ArtifactStore> {
        self.artifact_store.iter().map(|s| &s.value).chain(
            self.artifact_stores
                .iter()
                .flat_map(|s| s.value.iter().map(|r| &r.store)),
        )
    }

    /// Every action with its stage index and action index, in declaration order.
    pub fn actions(&self) -> impl Iterator<Item = (usize, usize, &Action)> {
        self.stages.iter().enumerate().flat_map(|(s, stage)| {
            stage
                .actions
                .iter()
                .enumerate()
                .map(move |(a, action)| (s, a, action))
        })
    }

    /// True for `pipelineType: V2`.
    pub fn is_v2(&self) -> bool {
        self.pipeline_type.as_ref().is_some_and(|t| t.value == "V2")
    }
}

fn string(node: &Node) -> Option<Spanned<Text>> {
    node.as_str()
        .map(|s| Spanned::new(Text::from(s), node.span))
}

fn string_member(node: &Node, key: &str) -> Option<Spanned<Text>> {
    node.get(key).and_then(string)
}

/// Reads a pipeline declaration: `get-pipeline` output (`{"pipeline": …}`) or the bare
/// declaration, in the API's shape.
pub fn load_pipeline(root: &Node) -> PipelineDocument {
    let (declaration, pipeline_arn) = match root.get("pipeline") {
        Some(pipeline) => (
            pipeline,
            root.get("metadata")
                .and_then(|m| string_member(m, "pipelineArn")),
        ),
        None => (root, None),
    };
    PipelineDocument {
        pipeline: load_declaration(declaration),
        pipeline_arn,
        stack: None,
    }
}

fn load_declaration(node: &Node) -> Pipeline {
    let member_key = |key: &str| node.member(key).map(|m| m.key_span);
    Pipeline {
        span: node.span,
        name: string_member(node, "name"),
        role_arn: string_member(node, "roleArn"),
        artifact_store: node.member("artifactStore").and_then(|m| {
            m.value
                .as_object()
                .map(|_| Spanned::new(load_store(&m.value), m.key_span))
        }),
        artifact_stores: node.member("artifactStores").and_then(|m| {
            let stores = m
                .value
                .as_object()?
                .iter()
                .filter(|entry| entry.value.as_object().is_some());
            let stores = stores
                .map(|entry| RegionalStore {
                    region: Spanned::new(Text::from(&*entry.key), entry.key_span),
                    store: load_store(&entry.value),
                })
                .collect();
            Some(Spanned::new(stores, m.key_span))
        }),
        stages: node
            .get("stages")
            .and_then(Node::as_array)
            .map(|stages| {
                stages
                    .iter()
                    .filter(|s| s.as_object().is_some())
                    .map(load_stage)
                    .collect()
            })
            .unwrap_or_default(),
        stages_span: member_key("stages"),
        pipeline_type: string_member(node, "pipelineType"),
        execution_mode: string_member(node, "executionMode"),
        variables: member_key("variables"),
        triggers: member_key("triggers"),
    }
}

fn load_store(node: &Node) -> ArtifactStore {
    ArtifactStore {
        span: node.span,
        location: string_member(node, "location"),
        encryption_key: node
            .get("encryptionKey")
            .and_then(|k| string_member(k, "id")),
    }
}

fn load_stage(node: &Node) -> Stage {
    Stage {
        span: node.span,
        name: string_member(node, "name"),
        actions: node
            .get("actions")
            .and_then(Node::as_array)
            .map(|actions| {
                crate::collect_within(
                    actions.len(),
                    actions
                        .iter()
                        .filter(|a| a.as_object().is_some())
                        .map(load_action),
                )
            })
            .unwrap_or_default(),
        v2_features: ["beforeEntry", "onSuccess", "onFailure"]
            .iter()
            .filter_map(|key| {
                node.member(key)
                    .map(|m| Spanned::new(Text::from(*key), m.key_span))
            })
            .collect(),
    }
}

fn artifact_names(node: Option<&Node>) -> Vec<Spanned<Text>> {
    node.and_then(Node::as_array)
        .map(|items| {
            crate::collect_within(
                items.len(),
                items
                    .iter()
                    .filter_map(|item| item.get("name").and_then(string)),
            )
        })
        .unwrap_or_default()
}

fn load_action(node: &Node) -> Action {
    let type_id = node.get("actionTypeId");
    let type_field = |key: &str| type_id.and_then(|t| string_member(t, key));
    Action {
        span: node.span,
        name: string_member(node, "name"),
        category: type_field("category"),
        owner: type_field("owner"),
        provider: type_field("provider"),
        run_order: node.get("runOrder").and_then(|r| match &r.value {
            Value::Number(n) => n.parse::<i64>().ok().map(|n| Spanned::new(n, r.span)),
            _ => None,
        }),
        configuration: node
            .get("configuration")
            .and_then(Node::as_object)
            .map(|entries| {
                crate::collect_within(
                    entries.len(),
                    entries.iter().filter_map(|entry| {
                        Some(ConfigEntry {
                            key: Spanned::new(Text::from(&*entry.key), entry.key_span),
                            value: string(&entry.value)?,
                        })
                    }),
                )
            })
            .unwrap_or_default(),
        inputs: artifact_names(node.get("inputArtifacts")),
        outputs: artifact_names(node.get("outputArtifacts")),
        inputs_span: node.member("inputArtifacts").map(|m| m.key_span),
        outputs_span: node.member("outputArtifacts").map(|m| m.key_span),
        role_arn: string_member(node, "roleArn"),
        region: string_member(node, "region"),
        namespace: string_member(node, "namespace"),
        commands: node.member("commands").map(|m| m.key_span),
    }
}
