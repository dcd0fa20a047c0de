//! Lints files in two phases:
//!
//! 1. [`check_file`], per file: the input findings of a file loaded by `xacct-input` (XA001–
//!    XA003, XA005–XA007, whatever the format) and the findings of the pipeline rules on its
//!    pipelines. Files are independent here, and a pipeline is checked while its model is fresh
//!    in the cache.
//! 2. [`check`], over the whole workspace: ties policies to what they govern, builds the trust
//!    graph and runs the workspace rules across files.
//!
//! The engine knows no input format and reads no file: it receives loaded documents. Nothing
//! here panics on any input, and one broken file never stops the others.

use std::collections::HashMap;

use rayon::prelude::*;

use xacct_graph::TrustGraph;
use xacct_input::{Documents, Input, Issue, IssueKind, Suppression};
use xacct_model::workspace::{resolve_governs, Binding, PipelineUnit, PolicyUnit, Workspace};
use xacct_syntax::{FileId, SourceFile, Span};

pub use xacct_input::Outcome;

use crate::registry::{Check, Rule, RULES};
use crate::rules::{self, PipelineContext, WorkspaceContext};
use crate::Diagnostic;

/// Settings that change what the rules may assume.
#[derive(Clone, Debug, Default)]
pub struct LintOptions {
    /// What the run says of the files (regions, stacks, limits), for loading them.
    pub input: xacct_input::Options,
    /// Report each check that could not be verified for want of a document (XA004), and
    /// each value that could not be evaluated (XA006).
    pub strict: bool,
    /// Names of accounts (`[accounts]` in xacct.toml), shown after their IDs in messages.
    pub account_names: Vec<(xacct_model::AccountId, String)>,
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

/// A file after the per-file phase. `Clone`: the language server keeps every file's and runs
/// the workspace phase again over copies when one file changes, without reading the others.
#[derive(Clone, Debug)]
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
    documents: Documents,
}

impl LoadedFile {
    /// Its findings so far: input findings, then the pipeline rules'.
    pub fn findings(&self) -> impl Iterator<Item = &Diagnostic> {
        self.diagnostics.iter().chain(&self.pipeline_findings)
    }
}

/// The rule that reports an input issue of this kind.
fn rule_of(kind: IssueKind) -> &'static Rule {
    match kind {
        IssueKind::Internal => &rules::xa000::RULE,
        IssueKind::Unreadable => &rules::xa001::RULE,
        IssueKind::DuplicateKey => &rules::xa002::RULE,
        IssueKind::Shape | IssueKind::UnknownDocument => &rules::xa003::RULE,
        IssueKind::Limit(_) => &rules::xa005::RULE,
        IssueKind::CannotEvaluate => &rules::xa006::RULE,
        IssueKind::Cycle => &rules::xa007::RULE,
        IssueKind::Config => &rules::xa008::RULE,
    }
}

/// The finding of an input issue.
pub fn issue_diagnostic(file: FileId, issue: Issue) -> Diagnostic {
    let mut diagnostic = Diagnostic::new(rule_of(issue.kind), file, issue.span, issue.message);
    for (span, message) in issue.labels {
        diagnostic = diagnostic.label(span, message);
    }
    match issue.help {
        Some(help) => diagnostic.help(help),
        None => diagnostic,
    }
}

/// Phase 1 for one loaded file: its input findings (what cannot be evaluated only with
/// `strict`), and the pipeline rules on its pipelines.
pub fn check_file(input: Input, options: &LintOptions) -> LoadedFile {
    let file = input.file;
    let diagnostics = input
        .issues
        .into_iter()
        .filter(|issue| options.strict || issue.kind != IssueKind::CannotEvaluate)
        .map(|issue| issue_diagnostic(file, issue))
        .collect();
    let mut pipeline_findings = Vec::new();
    for unit in &input.documents.pipelines {
        check_pipeline(unit, &mut pipeline_findings);
    }
    LoadedFile {
        file,
        path: input.path,
        outcome: input.outcome,
        diagnostics,
        pipeline_findings,
        documents: input.documents,
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

/// The result of phase 2: every file's findings, and the workspace and graph they came from.
pub struct Checked {
    /// One report per file, in the order given.
    pub reports: Vec<FileReport>,
    /// Every pipeline and policy of the run.
    pub workspace: Workspace,
    /// The trust graph (empty when the run has no policies, unless asked for).
    pub graph: TrustGraph,
    /// What each file holds besides its workspace units, for [`check_update`].
    pub sides: Vec<FileSide>,
    /// How long assembling the workspace, the graph, the workspace rules and placing the
    /// findings took.
    pub phases: crate::Phases,
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
    check_all_from(files, bindings, options, GraphFrom::Fresh { draw })
}

/// Where phase 2 takes the trust graph from.
pub enum GraphFrom<'p> {
    /// Every question asked; with `draw`, the nodes and edges built too.
    Fresh {
        /// Build the nodes and edges as well as the checks.
        draw: bool,
    },
    /// Every question asked, what each pipeline mentions kept for later updates (the
    /// language server's first run).
    Tracked,
    /// The last run's graph, the pipelines that the files changed since may move asked again
    /// (the language server, after an edit).
    Update {
        /// The last run's graph.
        previous: &'p TrustGraph,
        /// What each changed file held in the last run's workspace.
        before: &'p [xacct_graph::Footprint],
        /// Whether the last run's workspace had bounds (SCPs, RCPs, boundaries, grants).
        bounds_before: bool,
    },
}

/// What phase 2 keeps of a loaded file besides the units it adds to the workspace: its own
/// findings and what applies to every finding in it (suppressions, conditions). Small, and
/// kept by the language server between runs.
#[derive(Clone, Debug)]
pub struct FileSide {
    file: FileId,
    outcome: Outcome,
    /// Input findings.
    diagnostics: Vec<Diagnostic>,
    /// The pipeline rules' findings, then those of policies tied to nothing.
    found: Vec<Diagnostic>,
    suppressions: Vec<Suppression>,
    suppression_slots: Vec<xacct_input::SuppressionSlot>,
    assumptions: Vec<(Span, String)>,
}

/// The workspace units of one file, before they join the others'.
#[derive(Default)]
struct Units {
    pipelines: Vec<PipelineUnit>,
    policies: Vec<PolicyUnit>,
    ownership: Vec<xacct_model::workspace::OwnershipUnit>,
    compute: xacct_model::compute::Compute,
    boundaries: Vec<xacct_model::workspace::BoundaryUnit>,
    projects: Vec<xacct_model::workspace::BuildProjectUnit>,
    ecs: xacct_model::ecs::Ecs,
    bucket_regions: Vec<xacct_model::workspace::BucketRegionUnit>,
    bucket_accounts: Vec<xacct_model::workspace::BucketAccountUnit>,
    aliases: Vec<xacct_model::workspace::AliasUnit>,
    event_rules: Vec<xacct_model::events::EventRuleUnit>,
    /// For a deployed file (a template): the roles it creates, its stack's name, the stacks
    /// it is deployed after.
    declared: Option<Declared>,
}

/// What a deployed file declares for the order of deployment.
type Declared = (
    Vec<xacct_model::Spanned<String>>,
    Option<String>,
    Vec<String>,
);

/// A loaded file taken apart: what stays with the file, and its workspace units (policies
/// tied to what they govern by the file, the config's binding or the folder convention).
fn split(loaded: LoadedFile, binding: Option<&Binding>) -> (FileSide, Units) {
    let documents = loaded.documents;
    let mut found = loaded.pipeline_findings;
    let file = loaded.file;
    let mut units = Units {
        pipelines: documents.pipelines,
        compute: documents.compute,
        ..Units::default()
    };
    let account = xacct_model::workspace::account_of_path(&loaded.path);
    for entry in documents.policies {
        let governs = resolve_governs(&entry, binding, &loaded.path);
        let unit = PolicyUnit {
            file,
            account,
            entry,
            governs,
        };
        if unit.governs.is_none() {
            found.push(rules::xa003::unbound_policy(&unit, &loaded.path));
        }
        units.policies.push(unit);
    }
    units.boundaries = documents
        .boundaries
        .into_iter()
        .map(|boundary| xacct_model::workspace::BoundaryUnit { file, boundary })
        .collect();
    let bound_bucket = || match binding {
        Some(Binding::Bucket(bucket)) => Some(bucket.clone()),
        _ => None,
    };
    units.ownership = documents
        .ownership
        .into_iter()
        .map(|setting| xacct_model::workspace::OwnershipUnit {
            file,
            bucket: setting.bucket.or_else(bound_bucket),
            ownership: setting.setting,
        })
        .collect();
    units.bucket_regions = documents
        .bucket_regions
        .into_iter()
        .map(
            |(bucket, region)| xacct_model::workspace::BucketRegionUnit {
                file,
                bucket: bucket.or_else(bound_bucket),
                region,
            },
        )
        .collect();
    units.bucket_accounts = documents
        .bucket_accounts
        .into_iter()
        .map(
            |(bucket, account)| xacct_model::workspace::BucketAccountUnit {
                file,
                bucket,
                account,
            },
        )
        .collect();
    units.aliases = documents
        .aliases
        .into_iter()
        .map(|alias| xacct_model::workspace::AliasUnit { file, alias })
        .collect();
    // A project whose input does not say its account (a template) is in the file's.
    units.projects = documents
        .projects
        .into_iter()
        .map(|mut project| {
            project.account = project.account.or(account);
            xacct_model::workspace::BuildProjectUnit { file, project }
        })
        .collect();
    // Likewise a service of a template is in the file's account.
    units.ecs = xacct_model::ecs::Ecs {
        services: documents
            .ecs_services
            .into_iter()
            .map(|mut service| {
                service.account = service.account.or(account);
                (file, service)
            })
            .collect(),
        task_definitions: documents
            .task_definitions
            .into_iter()
            .map(|definition| (file, definition))
            .collect(),
    };
    // A rule whose input does not say its account (`list-targets-by-rule` output) is in the
    // file's.
    units.event_rules = documents
        .event_rules
        .into_iter()
        .map(|mut rule| {
            rule.account = rule.account.or(account);
            xacct_model::events::EventRuleUnit { file, rule }
        })
        .collect();
    units.declared = documents.deployed.then_some((
        documents.declared_roles,
        documents.stack_name,
        documents.deployed_after,
    ));
    let side = FileSide {
        file,
        outcome: loaded.outcome,
        diagnostics: loaded.diagnostics,
        found,
        suppressions: documents.suppressions,
        suppression_slots: documents.suppression_slots,
        assumptions: documents
            .assumptions
            .into_iter()
            .map(|a| (a.span, a.condition))
            .collect(),
    };
    (side, units)
}

/// Phase 2, the graph taken as `from` says.
pub fn check_all_from(
    files: Vec<LoadedFile>,
    bindings: &HashMap<FileId, Binding>,
    options: &LintOptions,
    from: GraphFrom<'_>,
) -> Checked {
    let mut since = std::time::Instant::now();
    let mut phases = crate::Phases::default();
    let mut sides = Vec::with_capacity(files.len());
    let mut all = Units::default();
    let mut declarations = xacct_model::workspace::Declarations::default();
    // Each file is taken apart on its own (policies tied to what they govern): on all
    // threads for a large run; then the units join in file order.
    let split_one = |loaded: LoadedFile| {
        let binding = bindings.get(&loaded.file);
        split(loaded, binding)
    };
    let parts: Vec<(FileSide, Units)> = if files.len() >= PARALLEL_FROM {
        files.into_par_iter().map(split_one).collect()
    } else {
        files.into_iter().map(split_one).collect()
    };
    // The workspace's two large lists, sized once: grown by doubling, up to half of them
    // would be room never used for as long as the run lasts.
    all.pipelines
        .reserve_exact(parts.iter().map(|(_, u)| u.pipelines.len()).sum());
    all.policies
        .reserve_exact(parts.iter().map(|(_, u)| u.policies.len()).sum());
    for (side, units) in parts {
        sides.push(side);
        all.pipelines.extend(units.pipelines);
        all.policies.extend(units.policies);
        all.ownership.extend(units.ownership);
        all.compute.extend(units.compute);
        all.boundaries.extend(units.boundaries);
        all.projects.extend(units.projects);
        all.ecs.extend(units.ecs);
        all.bucket_regions.extend(units.bucket_regions);
        all.bucket_accounts.extend(units.bucket_accounts);
        all.aliases.extend(units.aliases);
        all.event_rules.extend(units.event_rules);
        if let Some((roles, name, after)) = units.declared {
            if let Some(side) = sides.last() {
                declarations.add(side.file, roles, name, after);
            }
        }
    }
    let workspace = Workspace::new(all.pipelines, all.policies, all.ownership)
        .with_boundaries(all.boundaries)
        .with_compute(all.compute)
        .with_projects(all.projects)
        .with_ecs(all.ecs)
        .with_bucket_regions(all.bucket_regions)
        .with_bucket_accounts(all.bucket_accounts)
        .with_aliases(all.aliases)
        .with_event_rules(all.event_rules)
        .with_declarations(declarations);
    phases.mark("assemble", &mut since);
    let mut checked = finish(workspace, sides, options, from);
    phases.extend(std::mem::take(&mut checked.phases));
    checked.phases = phases;
    checked
}

/// Phase 2 again after `changed` files changed, on the workspace of the last run
/// (`workspace`, `sides`: its files' sides, as [`Checked::sides`] gave them): each changed
/// file's pipelines and policies swapped in place, the graph updated. `Err` gives the
/// workspace back untouched when that cannot be done (a changed file has, or had, other
/// units than pipelines and policies, or a different number of them): the caller runs
/// [`check_all_from`] over all files then (and frees it when it likes: freeing a workspace
/// takes a third of an edit's time).
pub fn check_update(
    mut workspace: Workspace,
    mut sides: Vec<FileSide>,
    changed: Vec<LoadedFile>,
    bindings: &HashMap<FileId, Binding>,
    options: &LintOptions,
    previous: &TrustGraph,
) -> Result<Checked, Box<Workspace>> {
    let fits = changed.iter().all(|loaded| {
        let documents = &loaded.documents;
        let file = loaded.file;
        sides.iter().any(|side| side.file == file)
            && !documents.beyond_pipelines_and_policies()
            && !workspace.holds_other_units(file)
            && workspace
                .pipelines
                .iter()
                .filter(|p| p.file == file)
                .count()
                == documents.pipelines.len()
            && workspace.policies.iter().filter(|p| p.file == file).count()
                == documents.policies.len()
    });
    if !fits {
        return Err(Box::new(workspace));
    }
    let before: Vec<xacct_graph::Footprint> = changed
        .iter()
        .map(|loaded| xacct_graph::Footprint::of(&workspace, loaded.file))
        .collect();
    let bounds_before = workspace.has_bounds();
    for loaded in changed {
        let file = loaded.file;
        let (side, units) = split(loaded, bindings.get(&file));
        if let Some(kept) = sides.iter_mut().find(|s| s.file == file) {
            *kept = side;
        }
        // What the file declares for the order of deployment, as it is now.
        workspace.declarations.remove(file);
        if let Some((roles, name, after)) = units.declared {
            workspace.declarations.add(file, roles, name, after);
        }
        let mut pipelines = units.pipelines.into_iter();
        for slot in workspace.pipelines.iter_mut().filter(|p| p.file == file) {
            if let Some(unit) = pipelines.next() {
                *slot = unit;
            }
        }
        let mut policies = units.policies.into_iter();
        for slot in workspace.policies.iter_mut().filter(|p| p.file == file) {
            if let Some(unit) = policies.next() {
                *slot = unit;
            }
        }
    }
    workspace.reindex();
    let from = GraphFrom::Update {
        previous,
        before: &before,
        bounds_before,
    };
    Ok(finish(workspace, sides, options, from))
}

/// Phase 2 over an assembled workspace: the graph, the workspace rules, and every finding
/// placed in its file's report (conditions named, suppressions applied, accounts named).
fn finish(
    workspace: Workspace,
    sides: Vec<FileSide>,
    options: &LintOptions,
    from: GraphFrom<'_>,
) -> Checked {
    let slot: HashMap<FileId, usize> = sides
        .iter()
        .enumerate()
        .map(|(i, side)| (side.file, i))
        .collect();
    let mut reports: Vec<FileReport> = sides
        .iter()
        .map(|side| FileReport {
            diagnostics: side.diagnostics.clone(),
            suppressed: Vec::new(),
            outcome: side.outcome,
        })
        .collect();
    let mut found: Vec<Diagnostic> = sides.iter().flat_map(|s| s.found.iter().cloned()).collect();
    let suppressions: Vec<(FileId, Suppression)> = sides
        .iter()
        .flat_map(|s| s.suppressions.iter().map(|x| (s.file, x.clone())))
        .collect();
    let suppression_slots: Vec<(FileId, xacct_input::SuppressionSlot)> = sides
        .iter()
        .flat_map(|s| s.suppression_slots.iter().map(|x| (s.file, x.clone())))
        .collect();
    let assumptions: Vec<(FileId, (Span, String))> = sides
        .iter()
        .flat_map(|s| s.assumptions.iter().map(|x| (s.file, x.clone())))
        .collect();
    let mut since = std::time::Instant::now();
    let mut phases = crate::Phases::default();
    // Without policies every question is unanswerable: skip the graph (and its cost).
    let graph = match from {
        GraphFrom::Fresh { draw: true } => TrustGraph::build(&workspace),
        _ if !workspace.has_policies() => TrustGraph::empty(),
        GraphFrom::Fresh { draw: false } => TrustGraph::build_checks(&workspace),
        GraphFrom::Tracked => TrustGraph::build_tracked(&workspace),
        GraphFrom::Update {
            previous,
            before,
            bounds_before,
        } => TrustGraph::update_checks(&workspace, previous, before, bounds_before),
    };
    phases.mark("graph", &mut since);
    let cx = WorkspaceContext {
        workspace: &workspace,
        graph: &graph,
        strict: options.strict,
        explained: std::sync::OnceLock::new(),
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
    phases.mark("rules", &mut since);
    let offers = suppression_offers(&found, &suppressions, &suppression_slots);
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
                None => {
                    if let Some((_, fix)) = offers.iter().find(|(inside, _)| inside(&diagnostic)) {
                        diagnostic.fixes.push(fix.clone());
                    }
                    reports[i].diagnostics.push(diagnostic)
                }
            }
        }
    }
    for report in &mut reports {
        for diagnostic in &mut report.diagnostics {
            name_accounts(diagnostic, &options.account_names);
        }
        sort(&mut report.diagnostics);
    }
    phases.mark("place", &mut since);
    Checked {
        reports,
        workspace,
        graph,
        sides,
        phases,
    }
}

/// A test of whether a finding lies in a resource, with the suppression fix offered there.
type Offer<'s> = (Box<dyn Fn(&Diagnostic) -> bool + 's>, crate::Fix);

/// A second fix, offered and never applied by `--fix` (a person writes the reason), for each
/// rule finding (input issues are not suppressed) inside a template resource without
/// `Metadata`: a suppression of the codes of every such finding there.
fn suppression_offers<'s>(
    found: &[Diagnostic],
    suppressions: &[(FileId, Suppression)],
    slots: &'s [(FileId, xacct_input::SuppressionSlot)],
) -> Vec<Offer<'s>> {
    let mut offers: Vec<Offer<'s>> = Vec::new();
    for (file, s) in slots {
        let inside = move |d: &Diagnostic| {
            d.file == *file && s.span.start <= d.span.start && d.span.end <= s.span.end
        };
        let mut codes: Vec<&'static str> = found
            .iter()
            .filter(|d| inside(d) && suppressed_by(d, suppressions).is_none())
            .map(|d| d.code)
            .collect();
        codes.sort_unstable();
        codes.dedup();
        if codes.is_empty() {
            continue;
        }
        let text = format!("{}{}{}", s.before, codes.join(&s.separator), s.after);
        let fix = crate::Fix::manual(
            format!(
                "Suppress {} in `{}` (write the reason)",
                codes.join(", "),
                s.resource
            ),
            vec![crate::Edit::insert(*file, s.at, text)],
        );
        offers.push((Box::new(inside), fix));
    }
    offers
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

/// Lints one file's bytes on its own (no bindings, no other files): decode, load, and phases
/// 1 and 2 together. Returns the decoded source with the report.
pub fn lint_bytes(
    file: FileId,
    path: &std::path::Path,
    bytes: Vec<u8>,
    explicit: bool,
    options: &LintOptions,
) -> (SourceFile, FileReport) {
    let (source, decode_issue) = xacct_input::decode(path, bytes);
    let report = lint_source(file, &source, decode_issue, explicit, options);
    (source, report)
}

/// Lints one decoded file on its own (no bindings, no other files): phases 1 and 2 together.
pub fn lint_source(
    file: FileId,
    source: &SourceFile,
    decode_issue: Option<Issue>,
    explicit: bool,
    options: &LintOptions,
) -> FileReport {
    let input = xacct_input::load(file, source, decode_issue, explicit, &options.input);
    let loaded = check_file(input, options);
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
