//! Terraform: configurations (`.tf`, with `.tfvars`) and plans (`terraform show -json`)
//! turned into the documents every other input gives, with spans in the file the user edits.
//! Rules never see Terraform.
//!
//! - [`hcl`]: the syntax, read with spans (heredocs and escapes mapped byte by byte);
//! - [`eval`]: modules (a folder's files), module blocks, variables, locals, references,
//!   functions and providers, evaluated as far as the files and the config say;
//! - [`resources`]: resources to pipelines in the API's shape and to policies with their
//!   subjects (shared by both readers);
//! - [`plan`]: the JSON of a plan, whose values are already evaluated.
//!
//! A configuration spans files: the run links every `.tf` and `.tfvars` file before any is
//! loaded ([`link`], as CloudFormation stacks are linked), and each file then loads the
//! documents written in it. A file loaded on its own is a module of its own.

pub mod compute;
pub mod ecs;
pub mod eval;
pub mod hcl;
pub mod plan;
pub mod resources;
pub mod value;

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use xacct_model::api::validate_pipeline_document;
use xacct_model::pipeline::{load_pipeline, StackPlacement};
use xacct_model::workspace::PipelineUnit;
use xacct_model::Accounts;
use xacct_syntax::FileId;

use crate::{FileView, Input, Issue, IssueKind, Ownership};
use eval::{Eval, File, Settings};
use resources::{Contents, Managed, Output, Resource};
use value::At;

/// True for the files a Terraform configuration is made of.
pub fn is_terraform_path(path: &Path) -> bool {
    path.extension().is_some_and(|e| e == "tf" || e == "tfvars")
}

/// A file of the run for [`link`].
pub struct Source<'a> {
    /// Its path, as linted.
    pub path: &'a Path,
    /// Its text.
    pub text: &'a str,
    /// What the run says of it.
    pub settings: Settings,
}

/// What one file of a configuration holds, once the configuration is evaluated.
#[derive(Debug, Default)]
pub struct FileContents {
    /// Its syntax error, if it has one (nothing else is read from it).
    pub syntax_error: Option<Issue>,
    /// A `.tfvars` file: values, no documents.
    pub tfvars: bool,
    /// The documents written in it, and what is wrong.
    pub contents: Contents,
}

/// The settings a file's view gives the evaluation.
pub fn settings_of(path: &Path, view: &FileView<'_>) -> Settings {
    let stack = view.settings.map(|s| &s.stack);
    Settings {
        account: stack
            .and_then(|s| s.account)
            .or_else(|| xacct_model::workspace::account_of_path(path)),
        region: stack
            .and_then(|s| s.region.clone())
            .or_else(|| view.default_region()),
        parameters: stack.map(|s| s.parameters.clone()).unwrap_or_default(),
        eval_steps: view.limits().eval_steps,
    }
}

/// Evaluates the configurations `sources` make (folders are modules; local module blocks are
/// followed among them) and gives each file what is written in it, by its path as given.
pub fn link(sources: &[Source<'_>]) -> HashMap<PathBuf, Arc<FileContents>> {
    let mut syntax_errors: Vec<Option<Issue>> = Vec::with_capacity(sources.len());
    let files: Vec<File<'_>> = sources
        .iter()
        .map(|s| {
            let tfvars = s.path.extension().is_some_and(|e| e == "tfvars");
            let (body, error) = match hcl::parse(s.text) {
                Ok(body) => (Some(body), None),
                Err(error) => (
                    None,
                    Some(
                        Issue::new(
                            IssueKind::Unreadable,
                            error.span,
                            format!("invalid HCL: {}", error.message),
                        )
                        .help("fix the syntax at this position (`terraform fmt` and `terraform validate` say the same)"),
                    ),
                ),
            };
            syntax_errors.push(error);
            File {
                path: crate::gate::lexical(s.path),
                text: s.text,
                body,
                tfvars,
                settings: s.settings.clone(),
            }
        })
        .collect();
    let eval = Eval::new(&files);
    let mut output = Output::default();
    // Documents are made only from a configuration evaluated within its budget: past it, a
    // placeholder may stand where a document's shape needs a value (a principal's type, an
    // action's category), and nothing is checked rather than something guessed. The limit
    // itself is reported (XA005).
    let complete = {
        for inst in 0..eval.instances.len() {
            let module = &eval.modules[eval.instances[inst].module];
            for (res, r) in module.resources.iter().enumerate() {
                if !r.data && resources::EMITTING.contains(&r.kind) && !eval.absent(inst, res) {
                    let _ = eval.body(inst, res);
                }
            }
        }
        !eval.exhausted()
    };
    // Managed policies by the ARN a reference to them gives, over the whole run.
    let mut managed: Managed = HashMap::new();
    for inst in (0..eval.instances.len()).filter(|_| complete) {
        let module = &eval.modules[eval.instances[inst].module];
        for (res, r) in module.resources.iter().enumerate() {
            if r.data || r.kind != "aws_iam_policy" || eval.absent(inst, res) {
                continue;
            }
            let arn = eval.resource_attr(inst, res, "arn");
            if let (Some(arn), Some(policy)) = (arn.text(), eval.argument(inst, res, "policy")) {
                let name = eval
                    .argument(inst, res, "name")
                    .and_then(|n| n.known_str().map(str::to_string))
                    .unwrap_or_else(|| eval.address(inst, res));
                managed.insert(arn.into_owned(), (policy, name));
            }
        }
    }
    for inst in (0..eval.instances.len()).filter(|_| complete) {
        let module = &eval.modules[eval.instances[inst].module];
        for (res, r) in module.resources.iter().enumerate() {
            if r.data || !resources::EMITTING.contains(&r.kind) || eval.absent(inst, res) {
                continue;
            }
            let attr = |name: &str| eval.resource_attr(inst, res, name);
            let provider = eval.resource_provider(inst, res);
            let resource = Resource {
                kind: r.kind,
                address: eval.address(inst, res),
                at: At {
                    file: r.file,
                    span: r.block.labels.get(1).map_or(r.block.kind_span, |l| l.1),
                },
                values: eval.body(inst, res),
                provider: provider.clone(),
                scope: scope_of(&[
                    eval.root_dir(inst).as_os_str().as_encoded_bytes(),
                    provider.name.as_bytes(),
                ]),
                attr: &attr,
            };
            resources::emit(&mut output, &files, &resource, &managed);
        }
    }
    output.finish();
    let mut issues: HashMap<u32, Vec<Issue>> = HashMap::new();
    for (file, issue) in eval.issues.into_inner() {
        issues.entry(file).or_default().push(issue);
    }
    sources
        .iter()
        .enumerate()
        .map(|(i, s)| {
            let i = i as u32;
            let mut contents = output.files.remove(&i).unwrap_or_default();
            contents
                .issues
                .extend(issues.remove(&i).unwrap_or_default());
            let file = FileContents {
                syntax_error: syntax_errors[i as usize].take(),
                tfvars: files[i as usize].tfvars,
                contents,
            };
            (s.path.to_path_buf(), Arc::new(file))
        })
        .collect()
}

/// The scope of a provider configuration (`xacct_model::compute::Place::scope`), from what
/// identifies it in the run: a fixed hash, the same in every file's load.
pub(crate) fn scope_of(parts: &[&[u8]]) -> u64 {
    use std::hash::{Hash, Hasher};
    let mut hasher = std::collections::hash_map::DefaultHasher::new();
    for part in parts {
        part.hash(&mut hasher);
    }
    hasher.finish()
}

/// Loads a `.tf` or `.tfvars` file into `input`: what the run's link found in it, else (a
/// file loaded on its own) the file evaluated as a module of its own.
pub fn load(file: FileId, text: &str, path: &Path, view: &FileView<'_>, input: &mut Input) {
    let linked = view.settings.and_then(|s| s.terraform.clone());
    let contents = linked.unwrap_or_else(|| {
        let source = Source {
            path,
            text,
            settings: settings_of(path, view),
        };
        link(std::slice::from_ref(&source))
            .remove(path)
            .unwrap_or_default()
    });
    if let Some(error) = &contents.syntax_error {
        input.issues.push(error.clone());
        input.outcome = crate::Outcome::Broken;
        return;
    }
    input
        .issues
        .extend(contents.contents.issues.iter().cloned());
    if contents.tfvars {
        // Values for the configuration: nothing to check in themselves.
        return;
    }
    input.outcome = crate::Outcome::Checked(crate::DocumentKind::Terraform);
    let fallback_region = view.default_region();
    add_documents(file, &contents.contents, fallback_region.as_deref(), input);
}

/// Puts what a file declares into its input: pipelines placed in their provider's account,
/// policies, ownership settings.
pub fn add_documents(
    file: FileId,
    contents: &Contents,
    fallback_region: Option<&str>,
    input: &mut Input,
) {
    for p in &contents.pipelines {
        let mut doc = load_pipeline(&p.root);
        doc.stack = Some(StackPlacement {
            account: p.account,
            region: p.region.clone(),
            span: p.span,
        });
        let accounts = Accounts::resolve(&doc, fallback_region);
        let shape_issues = validate_pipeline_document(&p.root)
            .into_iter()
            .map(|mut issue| {
                issue.path = resources::terraform_path(&issue.path);
                issue
            })
            .collect();
        input.documents.pipelines.push(PipelineUnit {
            file,
            doc,
            accounts,
            shape_issues,
        });
    }
    input
        .documents
        .policies
        .extend(contents.policies.iter().cloned());
    input
        .documents
        .compute
        .extend(contents.compute.clone().in_file(file));
    input
        .documents
        .ownership
        .extend(
            contents
                .ownership
                .iter()
                .map(|(bucket, setting)| Ownership {
                    bucket: bucket.clone(),
                    setting: setting.clone(),
                }),
        );
    input
        .documents
        .projects
        .extend(contents.projects.iter().cloned());
    input
        .documents
        .aliases
        .extend(contents.aliases.iter().cloned());
    input
        .documents
        .bucket_accounts
        .extend(contents.bucket_accounts.iter().cloned());
    input
        .documents
        .event_rules
        .extend(contents.event_rules.iter().cloned());
    input
        .documents
        .ecs_services
        .extend(contents.ecs_services.iter().cloned());
    input
        .documents
        .task_definitions
        .extend(contents.task_definitions.iter().cloned());
}

#[cfg(test)]
mod tests;
