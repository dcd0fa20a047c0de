//! The read path of xacct: every file the program reads passes [`gate`]; one module per input
//! format ([`pipeline`]: declarations and `get-pipeline` output, [`cli`]: AWS CLI outputs that
//! hold policies, [`cfn`]: CloudFormation templates, [`cdk`]: CDK cloud assemblies); one place
//! that tells formats apart by content ([`detect`]); [`terraform`]: configurations and plans;
//! and one type every format loads into,
//! [`Input`] with its [`Documents`].
//!
//! What is wrong with an input itself (it cannot be read, parsed, is of the wrong shape, hits a
//! [`limits`] bound) is an [`Issue`]; the rules crate turns issues into findings without
//! knowing which format they came from. Nothing here panics, hangs or reads outside the gate,
//! whatever the bytes.

pub mod cdk;
pub mod cfn;
pub mod cli;
pub mod codebuild;
pub mod compute;
pub mod detect;
pub mod ecs;
pub mod events;
pub mod gate;
pub mod grants;
mod insertion;
pub mod issue;
pub mod limits;
pub mod pipeline;
pub mod terraform;

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use xacct_model::pipeline::Spanned;
use xacct_model::policy_file::PolicyEntry;
use xacct_model::workspace::PipelineUnit;
use xacct_syntax::{decode_source, FileId, SourceError, SourceFile, Span};

pub use cfn::StackFacts;
pub use detect::{DocumentKind, Syntax};
pub use gate::{Gate, ReadError};
pub use issue::{Issue, IssueKind};
pub use limits::{Limit, Limits};

/// What the run says of the files that the files do not say themselves.
#[derive(Clone, Debug, Default)]
pub struct Options {
    /// The pipeline region when a file does not say (`--region`).
    pub region: Option<String>,
    /// What the config near each file (and a CDK manifest) says of it, by path.
    pub files: HashMap<PathBuf, FileSettings>,
}

/// What the config that governs a file, and a CDK manifest, say of it.
#[derive(Clone, Debug, Default)]
pub struct FileSettings {
    /// The config's default region (`region`).
    pub region: Option<String>,
    /// Where the file's stack is deployed (`[[stack]]`, the manifest), with the parameter
    /// values (`[parameters]` under the stack's own).
    pub stack: StackFacts,
    /// The config's `[limits]`.
    pub limits: Limits,
    /// For a `.tf` or `.tfvars` file, what the run's Terraform configurations, evaluated
    /// together, put in it ([`terraform::link`]).
    pub terraform: Option<std::sync::Arc<terraform::FileContents>>,
}

/// What the run says of one file: its settings, looked up once.
#[derive(Clone, Copy, Debug)]
pub struct FileView<'o> {
    /// The config's and manifest's word on the file, if any.
    pub settings: Option<&'o FileSettings>,
    /// `--region`.
    region: Option<&'o String>,
}

impl FileView<'_> {
    /// The file's limits.
    pub fn limits(&self) -> Limits {
        self.settings.map(|s| s.limits).unwrap_or_default()
    }

    /// The region of a file that does not say: `--region`, else its config's.
    pub fn default_region(&self) -> Option<String> {
        self.region
            .or_else(|| self.settings.and_then(|s| s.region.as_ref()))
            .cloned()
    }
}

impl Options {
    /// What the run says of the file at `path` (one lookup).
    pub fn file(&self, path: &Path) -> FileView<'_> {
        FileView {
            settings: self.files.get(path),
            region: self.region.as_ref(),
        }
    }

    /// The limits of the file at `path`.
    pub fn limits(&self, path: &Path) -> Limits {
        self.files.get(path).map(|s| s.limits).unwrap_or_default()
    }

    /// The region of a file that does not say: `--region`, else its config's.
    pub fn default_region(&self, path: &Path) -> Option<String> {
        self.region
            .clone()
            .or_else(|| self.files.get(path).and_then(|s| s.region.clone()))
    }
}

/// What became of a file.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Outcome {
    /// Read and checked as this kind of document.
    Checked(DocumentKind),
    /// Readable, but no document xacct checks (skipped silently when found by walking).
    NotChecked,
    /// Could not be read or parsed.
    Broken,
}

/// A bucket's object ownership setting.
#[derive(Clone, Debug)]
pub struct Ownership {
    /// The bucket, when the input names it (a template does; `get-bucket-ownership-controls`
    /// output needs the config's `[[bind]]`).
    pub bucket: Option<String>,
    /// `BucketOwnerEnforced`, `BucketOwnerPreferred` or `ObjectWriter`, where it is written.
    pub setting: Spanned<String>,
}

/// Findings an input asks not to be reported: `Metadata: {xacct: {ignore: [...], reason: ...}}`
/// on a template resource.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Suppression {
    /// The resource's logical ID.
    pub resource: String,
    /// The resource, key to end: findings inside it are suppressed.
    pub span: Span,
    /// Codes or prefixes (`XA503`, `XA5`), with their spans.
    pub codes: Vec<Spanned<String>>,
    /// Why, when given.
    pub reason: Option<String>,
}

/// Where a suppression could be written for a template resource that has no `Metadata` yet:
/// inserting `before`, the codes joined by `separator`, then `after`, at `at`, gives it
/// `Metadata: {xacct: {ignore: [codes], reason: ...}}` written as the template writes its keys.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SuppressionSlot {
    /// The resource's logical ID.
    pub resource: String,
    /// The resource, key to end: findings inside it would be suppressed.
    pub span: Span,
    /// The byte offset to insert at.
    pub at: u32,
    /// The text before the first code.
    pub before: String,
    /// Between codes.
    pub separator: String,
    /// The text after the last code.
    pub after: String,
}

/// A part of a file checked as if a condition held that cannot be decided before deployment
/// (an `Fn::If` branch): findings inside it hold when the condition does.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Assumption {
    /// The branch.
    pub span: Span,
    /// The condition, as the finding says it.
    pub condition: String,
}

/// Everything a file declares that xacct checks, in the model's types: the same whatever the
/// format, so every rule works on every format.
#[derive(Clone, Debug, Default)]
pub struct Documents {
    /// Pipelines.
    pub pipelines: Vec<PipelineUnit>,
    /// Trust, identity, bucket and key policies, with their subjects as far as the file says.
    pub policies: Vec<PolicyEntry>,
    /// Buckets' object ownership settings.
    pub ownership: Vec<Ownership>,
    /// Deployment groups and what they deploy to.
    pub compute: xacct_model::compute::Compute,
    /// Roles' permissions boundaries.
    pub boundaries: Vec<xacct_model::policy_file::BoundaryRef>,
    /// CodeBuild projects (their encryption keys).
    pub projects: Vec<xacct_model::workspace::BuildProject>,
    /// ECS services (their task definitions).
    pub ecs_services: Vec<xacct_model::ecs::EcsService>,
    /// ECS task definitions read by ARN (the roles they pass to their tasks).
    pub task_definitions: Vec<xacct_model::ecs::TaskDefinition>,
    /// The regions of buckets: (bucket when the input names it, region).
    pub bucket_regions: Vec<(Option<String>, Spanned<String>)>,
    /// The accounts of buckets the file declares, where it says (a Terraform bucket or bucket
    /// policy created through a provider of a known account).
    pub bucket_accounts: Vec<(String, xacct_model::AccountId)>,
    /// KMS aliases whose keys the input names.
    pub aliases: Vec<xacct_model::workspace::KeyAlias>,
    /// EventBridge rules and their targets.
    pub event_rules: Vec<xacct_model::events::EventRule>,
    /// True when the file is a CloudFormation template (one stack): its policies and roles do
    /// not exist before it is deployed. Not for Terraform: `terraform apply` orders what one
    /// configuration creates by its references, and which files make one configuration is
    /// not kept here.
    pub deployed: bool,
    /// The roles the file creates when deployed: their ARNs, spanned at their definitions.
    pub declared_roles: Vec<Spanned<String>>,
    /// The name of the stack the file is deployed as, when known.
    pub stack_name: Option<String>,
    /// The stacks (by name) known to be deployed before this one (a CDK manifest's
    /// `dependencies`).
    pub deployed_after: Vec<String>,
    /// Findings not to report.
    pub suppressions: Vec<Suppression>,
    /// Where a suppression could be added (a fix that needs review).
    pub suppression_slots: Vec<SuppressionSlot>,
    /// Parts checked under an undecided condition.
    pub assumptions: Vec<Assumption>,
}

impl Documents {
    /// True when the file holds workspace units besides pipelines and policies (deployment
    /// targets, boundaries, projects, ECS services, bucket regions, accounts and ownership, aliases, event
    /// rules): units indexed across files, which the language server cannot swap in place.
    /// A new kind of unit belongs here.
    pub fn beyond_pipelines_and_policies(&self) -> bool {
        !(self.ownership.is_empty()
            && self.compute == Default::default()
            && self.boundaries.is_empty()
            && self.projects.is_empty()
            && self.ecs_services.is_empty()
            && self.task_definitions.is_empty()
            && self.bucket_regions.is_empty()
            && self.bucket_accounts.is_empty()
            && self.aliases.is_empty()
            && self.event_rules.is_empty())
    }
}

/// One file after reading and loading.
#[derive(Debug)]
pub struct Input {
    /// The file.
    pub file: FileId,
    /// Its path as shown (for the folder convention of accounts).
    pub path: PathBuf,
    /// What became of it.
    pub outcome: Outcome,
    /// What is wrong with it as input.
    pub issues: Vec<Issue>,
    /// What it declares.
    pub documents: Documents,
}

impl Input {
    fn new(file: FileId, path: &Path) -> Input {
        Input {
            file,
            path: path.to_path_buf(),
            outcome: Outcome::NotChecked,
            issues: Vec::new(),
            documents: Documents::default(),
        }
    }

    /// A file that could not be read at all, with the issue that says why.
    pub fn unreadable(file: FileId, path: &Path, error: &ReadError) -> Input {
        let issue = match error {
            ReadError::TooLarge { .. } => Issue::limit(
                Limit::FileSize,
                Span::empty(0),
                format!("cannot read the file: {error}"),
            ),
            ReadError::OutsideRoots => Issue::new(
                IssueKind::Unreadable,
                Span::empty(0),
                format!("not read: {error}"),
            )
            .help("lint the folder the link points to as well, or replace the link with the file"),
            _ => Issue::new(
                IssueKind::Unreadable,
                Span::empty(0),
                format!("cannot read the file: {error}"),
            )
            .help("check that the path exists, is a regular file and is readable"),
        };
        Input::broken(file, path, issue)
    }

    /// A file that could not be read or loaded, with the issue that says why.
    pub fn broken(file: FileId, path: &Path, issue: Issue) -> Input {
        Input {
            outcome: Outcome::Broken,
            issues: vec![issue],
            ..Input::new(file, path)
        }
    }
}

/// Decodes a file's bytes; on failure, keeps a lossy text so the finding can still be shown
/// (none for binary content: a lossy PNG would only garble the terminal).
pub fn decode(path: &Path, bytes: Vec<u8>) -> (SourceFile, Option<Issue>) {
    match decode_source(bytes) {
        Ok(text) => (SourceFile::new(path, text), None),
        Err((error, bytes)) => {
            let text = match error {
                SourceError::Binary { .. } | SourceError::Utf16 | SourceError::TooLarge { .. } => {
                    String::new()
                }
                _ => String::from_utf8_lossy(&bytes).into_owned(),
            };
            (SourceFile::new(path, text), Some(Issue::decode(&error)))
        }
    }
}

/// Reads a file through the gate and loads it: the whole per-file read path. `canonical` is
/// the file's canonical path when a walk knows it (see [`Gate::read_resolved`]).
pub fn read_and_load(
    gate: &Gate,
    file: FileId,
    path: &Path,
    canonical: Option<&Path>,
    explicit: bool,
    options: &Options,
) -> (SourceFile, Input) {
    let view = options.file(path);
    let limit = view.limits().file_size;
    let read = gate.read_resolved(path, canonical, limit);
    match read {
        Ok(bytes) => {
            let (source, decode_issue) = decode(path, bytes);
            let input = load_as(file, &source, decode_issue, explicit, &view);
            (source, input)
        }
        Err(error) => (
            SourceFile::new(path, String::new()),
            Input::unreadable(file, path, &error),
        ),
    }
}

/// Loads one decoded file into documents. `explicit` is true when the user named the file
/// (rather than it being found in a folder): only then is an unrecognised document an issue.
pub fn load(
    file: FileId,
    source: &SourceFile,
    decode_issue: Option<Issue>,
    explicit: bool,
    options: &Options,
) -> Input {
    load_as(
        file,
        source,
        decode_issue,
        explicit,
        &options.file(source.path()),
    )
}

/// [`load`], with what the run says of the file looked up already.
fn load_as(
    file: FileId,
    source: &SourceFile,
    decode_issue: Option<Issue>,
    explicit: bool,
    view: &FileView<'_>,
) -> Input {
    let path = source.path();
    let mut input = Input::new(file, path);
    if let Some(issue) = decode_issue {
        input.issues.push(issue);
        input.outcome = Outcome::Broken;
        return input;
    }
    if terraform::is_terraform_path(path) {
        terraform::load(file, source.text(), path, view, &mut input);
        if path.extension().is_none_or(|e| e != "tfvars") {
            insertion::plan_all(
                source.text(),
                insertion::Notation::Hcl,
                false,
                input.documents.policies.iter_mut().map(|p| &mut p.document),
            );
        }
        return input;
    }
    let limits = view.limits();
    let text = source.text();
    let syntax = detect::syntax_of(path, text);
    let parsed = match syntax {
        Syntax::Json => xacct_syntax::json::parse_with(text, &limits.parse()),
        Syntax::Yaml => xacct_syntax::yaml::parse_with(text, &limits.parse()),
    };
    let document = match parsed {
        Ok(document) => document,
        Err(_) if syntax == Syntax::Yaml && !explicit && !detect::looks_like_template(text) => {
            return input;
        }
        Err(error) => {
            input.issues.push(match syntax {
                Syntax::Json => Issue::json_syntax(&error),
                Syntax::Yaml => Issue::yaml_syntax(&error),
            });
            input.outcome = Outcome::Broken;
            return input;
        }
    };
    if let Some(bom) = document.bom {
        input.issues.push(Issue::bom(bom));
    }
    input
        .issues
        .extend(document.duplicates.iter().map(Issue::duplicate));
    let root = &document.root;
    let kind = DocumentKind::detect(root);
    input.outcome = Outcome::Checked(kind);
    match kind {
        DocumentKind::Pipeline => {
            let region = view.default_region();
            input
                .documents
                .pipelines
                .push(pipeline::load(file, root, region.as_deref()));
        }
        DocumentKind::Policy => {
            let policies = cli::load_policy_file(root, text, syntax, &limits.parse());
            input.issues.extend(policies.issues);
            input.documents.policies = policies.entries;
            input.documents.boundaries = policies.boundaries;
            // The same export lists the roles' instance profiles.
            if root.get("RoleDetailList").is_some() {
                let account = xacct_model::workspace::account_of_path(path);
                let (compute, issues) = compute::load_authorization_details(root, account);
                input.issues.extend(issues);
                input.documents.compute = compute.in_file(file);
            }
        }
        DocumentKind::Compute => {
            let account = xacct_model::workspace::account_of_path(path);
            let (compute, issues) = compute::load(root, account, view.default_region());
            input.issues.extend(issues);
            input.documents.compute = compute.in_file(file);
        }
        DocumentKind::BucketOwnership => {
            let (setting, issues) = cli::load_ownership(root);
            input.issues.extend(issues);
            match setting {
                Some(setting) => input.documents.ownership.push(Ownership {
                    bucket: None,
                    setting,
                }),
                None if input.issues.is_empty() => input.outcome = Outcome::NotChecked,
                None => {}
            }
        }
        DocumentKind::BucketLocation => match cli::load_bucket_location(root) {
            Some(region) => input.documents.bucket_regions.push((None, region)),
            None => input.outcome = Outcome::NotChecked,
        },
        DocumentKind::KeyAliases => input.documents.aliases = cli::load_aliases(root),
        DocumentKind::BuildProjects => {
            let (projects, issues) = codebuild::load(root);
            input.issues.extend(issues);
            input.documents.projects = projects;
        }
        DocumentKind::EcsServices => {
            let (services, issues) = ecs::load_services(root);
            input.issues.extend(issues);
            input.documents.ecs_services = services;
        }
        DocumentKind::TaskDefinition => {
            let (definition, issues) = ecs::load_task_definition(root);
            input.issues.extend(issues);
            input.documents.task_definitions.extend(definition);
        }
        DocumentKind::EventTargets => {
            let (rule, issues) = events::load(root);
            input.issues.extend(issues);
            input.documents.event_rules.extend(rule);
        }
        DocumentKind::Template => {
            cfn::load(file, root, text, path, view, &mut input);
        }
        DocumentKind::TerraformPlan => {
            terraform::plan::load(file, root, text, view, &mut input);
        }
        // Terraform's syntax is HCL: such a file never reaches JSON or YAML.
        DocumentKind::Terraform => input.outcome = Outcome::NotChecked,
        // Read by discovery for where its templates are deployed; nothing to check in it.
        DocumentKind::CdkManifest => input.outcome = Outcome::NotChecked,
        DocumentKind::Unknown => {
            if explicit {
                input.issues.push(unknown_document(root));
            }
            input.outcome = Outcome::NotChecked;
        }
    }
    if let (Some(rest), Outcome::Checked(_)) = (document.rest, input.outcome) {
        input.issues.push(
            Issue::new(
                IssueKind::Shape,
                rest,
                "a second YAML document: a template, policy or pipeline file holds one, and xacct checked only the first",
            )
            .help("split the documents into files of their own (CloudFormation and the AWS CLI read one document per file)"),
        );
    }
    // Where a fix may add a statement. Not into what a tool generates (a Terraform plan, a CDK
    // cloud assembly): the next run would write over it, the source is elsewhere.
    let generated = matches!(input.outcome, Outcome::Checked(DocumentKind::TerraformPlan))
        || path.components().any(|c| c.as_os_str() == "cdk.out");
    if !generated {
        let notation = match syntax {
            Syntax::Json => insertion::Notation::Json,
            Syntax::Yaml => insertion::Notation::Yaml,
        };
        let literal = matches!(input.outcome, Outcome::Checked(DocumentKind::Policy));
        insertion::plan_all(
            text,
            notation,
            literal,
            input.documents.policies.iter_mut().map(|p| &mut p.document),
        );
        if matches!(input.outcome, Outcome::Checked(DocumentKind::Template)) {
            input.documents.suppression_slots = insertion::suppression_slots(text, notation, root);
        }
    }
    input
}

/// A file the user named that holds no document xacct knows.
fn unknown_document(root: &xacct_syntax::json::Node) -> Issue {
    let what = match root.as_object() {
        Some(members) if !members.is_empty() => {
            let keys: Vec<String> = members
                .iter()
                .take(4)
                .map(|m| format!("`{}`", m.key))
                .collect();
            format!("an object with keys {}", keys.join(", "))
        }
        _ => format!("a JSON {}", root.kind_name()),
    };
    Issue::new(
        IssueKind::UnknownDocument,
        Span::new(root.span.start, root.span.start + 1),
        format!("not a document xacct knows: found {what}"),
    )
    .help("xacct reads pipeline declarations (`aws codepipeline get-pipeline` output or the bare declaration with `stages`); IAM policies and templates are recognised and checked by their own rules")
}
