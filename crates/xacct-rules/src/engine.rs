//! Lints files in two phases:
//!
//! 1. [`load`], per file: bytes → text → JSON tree → documents (pipeline or policies), with the
//!    input findings (XA001–XA003) of that file and the findings of the pipeline rules on
//!    its pipelines. Files are independent here, and a pipeline is checked while its model
//!    is fresh in the cache.
//! 2. [`check`], over the whole workspace: ties policies to what they govern, builds the trust
//!    graph and runs the workspace rules across files.
//!
//! Nothing here panics on any input, and one broken file never stops the others.

use std::collections::HashMap;

use rayon::prelude::*;

use xacct_graph::TrustGraph;
use xacct_model::api::validate_pipeline_document;
use xacct_model::cfn::{load_template, StackFacts, Suppression};
use xacct_model::pipeline::load_pipeline;
use xacct_model::pipeline::StackPlacement;
use xacct_model::policy_file::PolicyEntry;
use xacct_model::policy_file::{is_policy_file, load_policy_file, PolicyFile};
use xacct_model::workspace::{resolve_governs, Binding, PipelineUnit, PolicyUnit, Workspace};
use xacct_model::{Accounts, DocumentKind};
use xacct_syntax::json;
use xacct_syntax::{decode_source, FileId, SourceError, SourceFile, Span};

use crate::registry::{Check, RULES};
use crate::rules::{self, PipelineContext, WorkspaceContext};
use crate::Diagnostic;

/// Settings that change what the rules may assume.
#[derive(Clone, Debug, Default)]
pub struct LintOptions {
    /// The pipeline region when a file does not say (`--region`).
    pub region: Option<String>,
    /// Report each check that could not be verified for want of a document (XA004).
    pub strict: bool,
    /// Names of accounts (`[accounts]` in xacct.toml), shown after their IDs in messages.
    pub account_names: Vec<(xacct_model::AccountId, String)>,
    /// What the config near each file (and a CDK manifest) says of it, by path.
    pub files: HashMap<std::path::PathBuf, FileSettings>,
}

/// What the config that governs a file, and a CDK manifest, say of it.
#[derive(Clone, Debug, Default)]
pub struct FileSettings {
    /// The config's default region (`region`), after `--region`.
    pub region: Option<String>,
    /// Where the file's stack is deployed (`[[stack]]`, the manifest), with the parameter
    /// values (`[parameters]` under the stack's own).
    pub stack: StackFacts,
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

/// The result of linting one file.
#[derive(Debug)]
pub struct FileReport {
    /// The findings, sorted by position then code.
    pub diagnostics: Vec<Diagnostic>,
    /// Findings a template's `Metadata` suppresses, with the reason it gives.
    pub suppressed: Vec<(Diagnostic, Option<String>)>,
    /// What became of the file.
    pub outcome: Outcome,
}

/// A file after the per-file phase.
#[derive(Debug)]
pub struct LoadedFile {
    /// The file.
    pub file: FileId,
    /// Its path, for the folder convention of accounts.
    pub path: std::path::PathBuf,
    /// What became of it.
    pub outcome: Outcome,
    /// Its input findings so far.
    pub diagnostics: Vec<Diagnostic>,
    /// The findings of the pipeline rules on its pipelines (which a template's conditions
    /// and suppressions still apply to in phase 2).
    pipeline_findings: Vec<Diagnostic>,
    content: Content,
}

#[derive(Debug)]
enum Content {
    Nothing,
    Pipeline(Box<PipelineUnit>),
    Policies(PolicyFile),
    Ownership(xacct_model::pipeline::Spanned<String>),
    Template(Box<LoadedTemplate>),
}

/// What a template declares, loaded into the workspace's types.
#[derive(Debug)]
struct LoadedTemplate {
    pipelines: Vec<PipelineUnit>,
    policies: Vec<PolicyEntry>,
    ownership: Vec<(String, xacct_model::pipeline::Spanned<String>)>,
    suppressions: Vec<Suppression>,
    assumptions: Vec<(Span, String)>,
}

/// How a file is to be parsed.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Syntax {
    Json,
    Yaml,
}

fn syntax_of(path: &std::path::Path, text: &str) -> Syntax {
    match path.extension().and_then(|e| e.to_str()) {
        Some("json") => Syntax::Json,
        Some("yaml" | "yml") => Syntax::Yaml,
        // `.template` and the rest: JSON starts with `{` or `[`, anything else is YAML.
        _ => match text
            .trim_start_matches('\u{feff}')
            .trim_start()
            .as_bytes()
            .first()
        {
            Some(b'{' | b'[') => Syntax::Json,
            _ => Syntax::Yaml,
        },
    }
}

/// True when YAML text looks like a CloudFormation template: a walked YAML file that does not
/// parse is reported only then (a Helm chart or a CI config is none of xacct's business).
fn looks_like_template(text: &str) -> bool {
    text.contains("AWSTemplateFormatVersion")
        || text.contains("\nResources:")
        || text.starts_with("Resources:")
}

/// The facts of the stack a template at `path` belongs to: the config's or the manifest's,
/// the folder convention for the account, the default region (`--region`, then the config's
/// `region`) for the region.
fn stack_facts(path: &std::path::Path, options: &LintOptions) -> StackFacts {
    let settings = options.files.get(path);
    let mut facts = settings.map(|s| s.stack.clone()).unwrap_or_default();
    if facts.account.is_none() {
        facts.account = xacct_model::workspace::account_of_path(path);
    }
    if facts.region.is_none() {
        facts.region = default_region(path, options);
    }
    facts
}

/// An API path (`pipeline.stages[1].actions[0].roleArn`) as a template names it
/// (`Stages[1].Actions[0].RoleArn`): the properties' PascalCase, without `pipeline.`.
/// Configuration keys are the provider's own and stay as they are.
fn template_path(path: &str) -> String {
    let path = path.strip_prefix("pipeline.").unwrap_or(path);
    let mut out = String::with_capacity(path.len());
    let mut in_configuration = false;
    for (i, segment) in path.split('.').enumerate() {
        if i > 0 {
            out.push('.');
        }
        if in_configuration {
            out.push_str(segment);
            continue;
        }
        let mut chars = segment.chars();
        if let Some(first) = chars.next() {
            out.extend(first.to_uppercase());
            out.push_str(chars.as_str());
        }
        in_configuration = segment == "configuration";
    }
    out
}

/// The region of a file that does not say: `--region`, else the config's.
fn default_region(path: &std::path::Path, options: &LintOptions) -> Option<String> {
    options
        .region
        .clone()
        .or_else(|| options.files.get(path).and_then(|s| s.region.clone()))
}

/// Decodes a file's bytes; on failure, keeps a lossy text so the finding can still be shown.
pub fn read_source(path: &std::path::Path, bytes: Vec<u8>) -> (SourceFile, Option<SourceError>) {
    match decode_source(bytes) {
        Ok(text) => (SourceFile::new(path, text), None),
        Err((error, bytes)) => {
            // Binary content is not shown: a lossy PNG would only garble the terminal.
            let text = match error {
                SourceError::Binary { .. } | SourceError::Utf16 | SourceError::TooLarge { .. } => {
                    String::new()
                }
                _ => String::from_utf8_lossy(&bytes).into_owned(),
            };
            (SourceFile::new(path, text), Some(error))
        }
    }
}

/// Phase 1: reads one file into documents. `explicit` is true when the user named the file
/// (rather than it being found in a folder): only then is an unrecognised document a finding.
pub fn load(
    file: FileId,
    source: &SourceFile,
    decode_error: Option<&SourceError>,
    explicit: bool,
    options: &LintOptions,
) -> LoadedFile {
    let mut out = Vec::new();
    let loaded = |outcome, diagnostics, content: Content| LoadedFile {
        file,
        path: source.path().to_path_buf(),
        outcome,
        diagnostics,
        pipeline_findings: content.check_pipelines(),
        content,
    };
    if let Some(error) = decode_error {
        out.push(rules::xa001::from_source_error(file, error));
        return loaded(Outcome::Broken, out, Content::Nothing);
    }
    let syntax = syntax_of(source.path(), source.text());
    let parsed = match syntax {
        Syntax::Json => json::parse(source.text()),
        Syntax::Yaml => xacct_syntax::yaml::parse(source.text()),
    };
    let document = match parsed {
        Ok(document) => document,
        Err(_) if syntax == Syntax::Yaml && !explicit && !looks_like_template(source.text()) => {
            return loaded(Outcome::NotChecked, out, Content::Nothing);
        }
        Err(error) => {
            out.push(match syntax {
                Syntax::Json => rules::xa001::from_parse_error(file, &error),
                Syntax::Yaml => rules::xa001::from_yaml_error(file, &error),
            });
            return loaded(Outcome::Broken, out, Content::Nothing);
        }
    };
    if let Some(bom) = document.bom {
        out.push(rules::xa001::from_bom(file, bom));
    }
    for duplicate in &document.duplicates {
        out.push(rules::xa002::from_duplicate(file, duplicate));
    }
    let root = &document.root;
    let kind = DocumentKind::detect(root);
    let (outcome, content) = match kind {
        DocumentKind::Pipeline => {
            let doc = load_pipeline(root);
            let region = default_region(source.path(), options);
            let accounts = Accounts::resolve(&doc, region.as_deref());
            let unit = PipelineUnit {
                file,
                doc,
                accounts,
                shape_issues: validate_pipeline_document(root),
            };
            (Outcome::Checked(kind), Content::Pipeline(Box::new(unit)))
        }
        DocumentKind::Policy if is_policy_file(root) => {
            let policies = load_policy_file(root, source.text());
            for error in &policies.embedded_errors {
                out.push(rules::xa001::from_parse_error(file, error));
            }
            for duplicate in &policies.embedded_duplicates {
                out.push(rules::xa002::from_duplicate(file, duplicate));
            }
            for entry in &policies.entries {
                for issue in &entry.issues {
                    out.push(rules::xa003::from_policy_issue(file, issue));
                }
            }
            (Outcome::Checked(kind), Content::Policies(policies))
        }
        DocumentKind::BucketOwnership => match xacct_model::workspace::load_ownership(root) {
            Some(ownership) => (Outcome::Checked(kind), Content::Ownership(ownership)),
            None => (Outcome::NotChecked, Content::Nothing),
        },
        DocumentKind::Template => {
            let facts = stack_facts(source.path(), options);
            let contents = load_template(root, &facts);
            // Only what the config or a manifest says is the stack's region; a default region
            // stays the command line's or the config's, for messages.
            let stack_region = options
                .files
                .get(source.path())
                .and_then(|s| s.stack.region.clone());
            let fallback_region = default_region(source.path(), options);
            for (span, message) in &contents.issues {
                out.push(rules::xa003::template_issue(file, *span, message));
            }
            let pipelines = contents
                .pipelines
                .into_iter()
                .map(|p| {
                    let mut doc = load_pipeline(&p.root);
                    doc.stack = Some(StackPlacement {
                        account: facts.account,
                        region: stack_region.clone(),
                        span: p.logical_id.span,
                    });
                    let accounts = Accounts::resolve(&doc, fallback_region.as_deref());
                    let shape_issues = validate_pipeline_document(&p.root)
                        .into_iter()
                        .map(|mut issue| {
                            issue.path = template_path(&issue.path);
                            issue
                        })
                        .collect();
                    PipelineUnit {
                        file,
                        doc,
                        accounts,
                        shape_issues,
                    }
                })
                .collect();
            for entry in &contents.policies {
                for issue in &entry.issues {
                    out.push(rules::xa003::from_policy_issue(file, issue));
                }
            }
            let template = LoadedTemplate {
                pipelines,
                policies: contents.policies,
                ownership: contents.ownership,
                suppressions: contents.suppressions,
                assumptions: contents.assumptions,
            };
            (
                Outcome::Checked(kind),
                Content::Template(Box::new(template)),
            )
        }
        // A policy shape this loader does not read.
        DocumentKind::Policy => (Outcome::NotChecked, Content::Nothing),
        // A CDK manifest is read by the CLI for the stacks' accounts; nothing to check in it.
        DocumentKind::Unknown if xacct_model::cdk::is_manifest(root) => {
            (Outcome::NotChecked, Content::Nothing)
        }
        DocumentKind::Unknown => {
            if explicit {
                out.push(rules::xa003::unknown_document(file, root));
            }
            (Outcome::NotChecked, Content::Nothing)
        }
    };
    loaded(outcome, out, content)
}

impl Content {
    /// Runs every pipeline rule on the pipelines loaded.
    fn check_pipelines(&self) -> Vec<Diagnostic> {
        let mut out = Vec::new();
        match self {
            Content::Pipeline(unit) => check_pipeline(unit, &mut out),
            Content::Template(template) => {
                for unit in &template.pipelines {
                    check_pipeline(unit, &mut out);
                }
            }
            Content::Nothing | Content::Policies(_) | Content::Ownership(_) => {}
        }
        out
    }
}

/// Runs every pipeline rule on one pipeline: they read the pipeline alone.
fn check_pipeline(unit: &PipelineUnit, out: &mut Vec<Diagnostic>) {
    let cx = PipelineContext::new(unit.file, &unit.doc, &unit.accounts, &unit.shape_issues);
    for rule in RULES {
        if let Check::Pipeline(check) = rule.check {
            check(&cx, out);
        }
    }
}

impl LoadedFile {
    /// A file that could not be read at all, with the finding that says why.
    pub fn unreadable(file: FileId, path: &std::path::Path, error: &std::io::Error) -> LoadedFile {
        LoadedFile {
            file,
            path: path.to_path_buf(),
            outcome: Outcome::Broken,
            diagnostics: vec![rules::xa001::from_io_error(file, error)],
            pipeline_findings: Vec::new(),
            content: Content::Nothing,
        }
    }
}

/// The result of phase 2: every file's findings, and the workspace and graph they came from.
pub struct Checked {
    /// One report per file, in the order given.
    pub reports: Vec<FileReport>,
    /// Every pipeline and policy of the run.
    pub workspace: Workspace,
    /// The trust graph (empty when the run has no policies, unless asked for).
    pub graph: TrustGraph,
}

/// Phase 2: assembles the workspace from all loaded files and runs every rule. Returns one
/// report per file, in the order given. `bindings` says what files govern when they cannot.
pub fn check(
    files: Vec<LoadedFile>,
    bindings: &HashMap<FileId, Binding>,
    options: &LintOptions,
) -> Vec<FileReport> {
    check_all(files, bindings, options, false).reports
}

/// Phase 2, keeping the workspace and the graph. `draw` builds the graph's nodes and edges as
/// well as its checks (the rules read only the checks), even for a run of pipelines alone
/// (for `xacct graph`).
pub fn check_all(
    files: Vec<LoadedFile>,
    bindings: &HashMap<FileId, Binding>,
    options: &LintOptions,
    draw: bool,
) -> Checked {
    let mut reports: Vec<FileReport> = Vec::with_capacity(files.len());
    let mut slot: HashMap<FileId, usize> = HashMap::with_capacity(files.len());
    let mut pipelines = Vec::new();
    let mut policies = Vec::new();
    let mut ownership = Vec::new();
    let mut found = Vec::new();
    let mut suppressions: Vec<(FileId, Suppression)> = Vec::new();
    let mut assumptions: Vec<(FileId, (Span, String))> = Vec::new();
    for loaded in files {
        slot.insert(loaded.file, reports.len());
        found.extend(loaded.pipeline_findings);
        let binding = bindings.get(&loaded.file);
        match loaded.content {
            Content::Pipeline(unit) => pipelines.push(*unit),
            Content::Policies(file) => {
                for entry in file.entries {
                    let governs = resolve_governs(&entry, binding, &loaded.path);
                    let account = xacct_model::workspace::account_of_path(&loaded.path);
                    let unit = PolicyUnit {
                        file: loaded.file,
                        account,
                        entry,
                        governs,
                    };
                    if unit.governs.is_none() {
                        found.push(rules::xa003::unbound_policy(&unit, &loaded.path));
                    }
                    policies.push(unit);
                }
            }
            Content::Ownership(value) => {
                let bucket = match binding {
                    Some(Binding::Bucket(bucket)) => Some(bucket.clone()),
                    _ => None,
                };
                ownership.push(xacct_model::workspace::OwnershipUnit {
                    file: loaded.file,
                    bucket,
                    ownership: value,
                });
            }
            Content::Template(template) => {
                pipelines.extend(template.pipelines);
                for entry in template.policies {
                    // A template's policies name their subject: no binding is needed.
                    let governs = resolve_governs(&entry, None, &loaded.path);
                    policies.push(PolicyUnit {
                        file: loaded.file,
                        account: xacct_model::workspace::account_of_path(&loaded.path),
                        entry,
                        governs,
                    });
                }
                for (bucket, value) in template.ownership {
                    ownership.push(xacct_model::workspace::OwnershipUnit {
                        file: loaded.file,
                        bucket: Some(bucket),
                        ownership: value,
                    });
                }
                suppressions.extend(template.suppressions.into_iter().map(|s| (loaded.file, s)));
                assumptions.extend(template.assumptions.into_iter().map(|a| (loaded.file, a)));
            }
            Content::Nothing => {}
        }
        reports.push(FileReport {
            diagnostics: loaded.diagnostics,
            suppressed: Vec::new(),
            outcome: loaded.outcome,
        });
    }
    let workspace = Workspace::new(pipelines, policies, ownership);
    // Without policies every question is unanswerable: skip the graph (and its cost).
    let graph = if draw {
        TrustGraph::build(&workspace)
    } else if workspace.has_policies() {
        TrustGraph::build_checks(&workspace)
    } else {
        TrustGraph::empty()
    };
    let cx = WorkspaceContext {
        workspace: &workspace,
        graph: &graph,
        strict: options.strict,
    };
    // Workspace rules only read the workspace and the graph: one task per rule. Handing work
    // to the pool costs more than checking a few pipelines (one file linted on its own, a
    // pre-commit run): only larger runs go parallel.
    let check_rule = |rule: &&crate::registry::Rule| {
        let mut out = Vec::new();
        if let Check::Workspace(check) = rule.check {
            check(&cx, &mut out);
        }
        out
    };
    let per_rule: Vec<Vec<Diagnostic>> = if workspace.pipelines.len() >= PARALLEL_FROM {
        RULES.par_iter().map(check_rule).collect()
    } else {
        RULES.iter().map(check_rule).collect()
    };
    found.extend(per_rule.into_iter().flatten());
    for mut diagnostic in found {
        if let Some((_, (_, condition))) = assumptions.iter().find(|(file, (span, _))| {
            *file == diagnostic.file
                && span.start <= diagnostic.span.start
                && diagnostic.span.end <= span.end
        }) {
            diagnostic
                .message
                .push_str(&format!(" (when condition `{condition}` is true)"));
        }
        if let Some(&i) = slot.get(&diagnostic.file) {
            match suppressed_by(&diagnostic, &suppressions) {
                Some(reason) => reports[i].suppressed.push((diagnostic, reason)),
                None => reports[i].diagnostics.push(diagnostic),
            }
        }
    }
    for report in &mut reports {
        for diagnostic in &mut report.diagnostics {
            name_accounts(diagnostic, &options.account_names);
        }
        sort(&mut report.diagnostics);
    }
    Checked {
        reports,
        workspace,
        graph,
    }
}

/// The suppression that covers a finding, if any: its primary span lies inside a resource
/// whose `Metadata.xacct.ignore` names the finding's code or a prefix of it. Gives the reason.
fn suppressed_by(
    diagnostic: &Diagnostic,
    suppressions: &[(FileId, Suppression)],
) -> Option<Option<String>> {
    suppressions
        .iter()
        .find(|(file, s)| {
            *file == diagnostic.file
                && s.span.start <= diagnostic.span.start
                && diagnostic.span.end <= s.span.end
                && s.codes.iter().any(|c| {
                    let code = c.value.trim();
                    !code.is_empty() && diagnostic.code.starts_with(&code.to_ascii_uppercase())
                })
        })
        .map(|(_, s)| s.reason.clone())
}

/// Runs with at least this many pipelines check them on rayon's pool.
const PARALLEL_FROM: usize = 16;

/// Lints one file on its own (no bindings, no other files): phases 1 and 2 together.
pub fn lint_source(
    file: FileId,
    source: &SourceFile,
    decode_error: Option<&SourceError>,
    explicit: bool,
    options: &LintOptions,
) -> FileReport {
    let loaded = load(file, source, decode_error, explicit, options);
    check(vec![loaded], &HashMap::new(), options)
        .pop()
        .unwrap_or(FileReport {
            diagnostics: Vec::new(),
            suppressed: Vec::new(),
            outcome: Outcome::Broken,
        })
}

/// Appends account names to the IDs a finding mentions as "account 111111111111": every rule
/// words it so, and IDs inside ARNs are left as they are.
fn name_accounts(diagnostic: &mut Diagnostic, names: &[(xacct_model::AccountId, String)]) {
    if names.is_empty() {
        return;
    }
    let rename = |text: &mut String| {
        for (id, name) in names {
            let plain = format!("account {id}");
            if text.contains(&plain) {
                let named = format!("account {id} ({name})");
                *text = text.replace(&named, &plain).replace(&plain, &named);
            }
        }
    };
    rename(&mut diagnostic.message);
    for label in &mut diagnostic.labels {
        rename(&mut label.message);
    }
    if let Some(help) = &mut diagnostic.help {
        rename(help);
    }
}

/// Orders findings by file, position, then code, so output is stable.
pub fn sort(diagnostics: &mut [Diagnostic]) {
    diagnostics.sort_by(|a, b| {
        (a.file, a.span.start, a.span.end, a.code, &a.message).cmp(&(
            b.file,
            b.span.start,
            b.span.end,
            b.code,
            &b.message,
        ))
    });
}

/// An empty span at the start of a file, for findings about the file as a whole.
pub const FILE_START: Span = Span::empty(0);
