//! Building the graph again after some files changed, asking only what they can move.
//!
//! The language server keeps the last run's graph. When a file changes, the answers of a
//! pipeline can move only if the pipeline is in that file or one of its questions looks up a
//! document the file held or now holds. Every lookup the builder makes is by a name the
//! pipeline itself says or its questions name: a role (its identity and trust policies, its
//! hops), a bucket (its policy and, through pipelines storing in it, its account), a key (its
//! policy and grants), an account (its SCPs and RCPs, the roles EC2 may assume in it). So a
//! pipeline is asked again when any name it mentions (declaration, checks, hops) is a name the
//! changed file's documents are about, before or after the change; every other pipeline keeps
//! its checks. What does not fit this (a file with deployment targets, permissions
//! boundaries, managed policies, CodeBuild projects or ECS services and task definitions, a file whose number of pipelines or
//! policies changed and with it every index after it, bounds appearing or going) builds the
//! whole graph again: correct first, fast for the common edit of a policy.
//!
//! `crates/xacct/tests/incremental.rs` holds the proof by comparison: every file of every
//! setup and rule fixture changed in several ways, the updated run equal to a fresh one.

use std::sync::Arc;

use xacct_model::workspace::{role_key, Governs, PipelineUnit, Workspace};
use xacct_model::AccountId;
use xacct_syntax::FileId;

use crate::{FastSet, TrustGraph, MIN_PIPELINES_PER_RANGE};

/// What a file contributed to a workspace, as far as the graph is concerned: taken from the
/// workspace before a change and after it.
#[derive(Clone, Debug, Default)]
pub struct Footprint {
    file: Option<FileId>,
    pipelines: usize,
    policies: usize,
    /// The file holds something whose lookups are not by a name the pipelines mention.
    whole: bool,
    /// The names its documents are about (role keys, buckets, keys).
    names: FastSet<String>,
    /// The accounts whose SCPs, RCPs or EC2 roles it holds.
    accounts: FastSet<AccountId>,
}

impl Footprint {
    /// What `file` holds in `workspace`.
    pub fn of(workspace: &Workspace, file: FileId) -> Footprint {
        let mut footprint = Footprint {
            file: Some(file),
            ..Footprint::default()
        };
        let names = &mut footprint.names;
        for unit in workspace.pipelines.iter().filter(|p| p.file == file) {
            footprint.pipelines += 1;
            // Other pipelines learn a bucket's account from the pipelines storing in it.
            for store in unit.doc.pipeline.stores() {
                if let Some(location) = &store.location {
                    names.insert(location.value.to_string());
                }
            }
        }
        for unit in workspace.policies.iter().filter(|p| p.file == file) {
            footprint.policies += 1;
            match &unit.governs {
                Some(Governs::RoleIdentity(arn)) => {
                    names.insert(role_key(arn));
                }
                Some(Governs::RoleTrust(arn)) => {
                    names.insert(role_key(arn));
                    // The roles EC2 may assume in an account are read from every trust
                    // policy of the account (CodeDeploy instance role candidates): one that
                    // names EC2 stands for its whole account.
                    if names_ec2(unit.document()) {
                        if let Some(account) = account_of(arn) {
                            footprint.accounts.insert(account);
                        }
                    }
                }
                Some(Governs::Bucket(name)) => {
                    names.insert(name.clone());
                }
                Some(Governs::Key(arn) | Governs::KeyGrants(arn) | Governs::Function(arn)) => {
                    names.insert(arn.clone());
                }
                Some(Governs::Organization(accounts)) => {
                    footprint
                        .accounts
                        .extend(accounts.iter().map(|(account, _)| *account));
                }
                // A boundary's document is found through every role naming it.
                Some(Governs::ManagedPolicy(_)) => footprint.whole = true,
                // An event bus policy takes part in no question of the graph (XA514 asks
                // the evaluator itself, on every run).
                Some(Governs::EventBus(_)) | None => {}
            }
        }
        footprint.whole |= workspace.boundaries.iter().any(|b| b.file == file)
            || workspace.projects.iter().any(|p| p.file == file)
            || workspace.ecs.mentions_file(file)
            || workspace.compute.mentions_file(file);
        footprint
    }
}

/// True when a trust policy names EC2 as a principal anywhere (what makes its role a
/// candidate CodeDeploy instance role, whatever the statement's effect).
fn names_ec2(document: &xacct_model::policy::PolicyDocument) -> bool {
    document.statements.iter().any(|s| {
        s.principal.as_ref().is_some_and(|p| {
            p.entries
                .iter()
                .any(|e| e.value.value.eq_ignore_ascii_case("ec2.amazonaws.com"))
        })
    })
}

fn account_of(arn: &str) -> Option<AccountId> {
    xacct_model::Arn::parse(arn).ok()?.account_id()
}

impl TrustGraph {
    /// The checks of `workspace`, given the graph of the workspace before `changed` files
    /// changed (`before`: each changed file's [`Footprint`] in that workspace;
    /// `bounds_before`: whether it had bounds). The same checks in the same order as
    /// [`TrustGraph::build_checks`] gives; only the pipelines a change may move are asked
    /// again.
    pub fn update_checks(
        workspace: &Workspace,
        previous: &TrustGraph,
        before: &[Footprint],
        bounds_before: bool,
    ) -> TrustGraph {
        match dirty_pipelines(workspace, previous, before, bounds_before) {
            Some(dirty) => TrustGraph::rebuild(workspace, previous, &dirty),
            None => TrustGraph::build_tracked(workspace),
        }
    }

    /// The checks again, the pipelines marked dirty asked afresh and the others' taken from
    /// `previous` (built over a workspace with the same pipelines and policies at the same
    /// indexes).
    fn rebuild(workspace: &Workspace, previous: &TrustGraph, dirty: &[bool]) -> TrustGraph {
        // Runs of pipelines, each either kept or asked again; a long run to ask is cut so
        // that every thread gets some.
        let asked = dirty.iter().filter(|d| **d).count();
        let threads = rayon::current_num_threads().max(1);
        let chunk = asked
            .div_ceil(threads * 2)
            .max(MIN_PIPELINES_PER_RANGE)
            .max(1);
        let mut runs: Vec<(std::ops::Range<usize>, bool)> = Vec::new();
        for (p, &d) in dirty.iter().enumerate() {
            match runs.last_mut() {
                Some((range, was)) if *was == d && (!d || range.len() < chunk) => range.end = p + 1,
                _ => runs.push((p..p + 1, d)),
            }
        }
        // The documents' index, built by the first run that asks (none, when every pipeline's
        // checks are kept).
        let lookup = std::sync::OnceLock::new();
        let parts: Vec<TrustGraph> = {
            use rayon::prelude::*;
            runs.into_par_iter()
                .map(|(range, d)| {
                    if d {
                        let lookup = lookup.get_or_init(|| {
                            std::sync::Arc::new(crate::build::Lookup::new(workspace))
                        });
                        TrustGraph::build_range(workspace, lookup, range, false, true)
                    } else {
                        previous.slice(range)
                    }
                })
                .collect()
        };
        TrustGraph::concat(parts)
    }
}

/// Which pipelines a change may move, or `None` when the whole graph must be built again.
fn dirty_pipelines(
    workspace: &Workspace,
    previous: &TrustGraph,
    before: &[Footprint],
    bounds_before: bool,
) -> Option<Vec<bool>> {
    let pipelines = workspace.pipelines.len();
    if previous.starts.len() != pipelines
        || previous.mentions.len() != pipelines
        || bounds_before != workspace.has_bounds()
    {
        return None;
    }
    let mut wanted: Vec<u64> = Vec::new();
    let mut files: FastSet<FileId> = FastSet::default();
    let after: Vec<Footprint> = before
        .iter()
        .filter_map(|b| b.file)
        .map(|file| Footprint::of(workspace, file))
        .collect();
    for (old, new) in before.iter().zip(&after) {
        if old.whole
            || new.whole
            || old.pipelines != new.pipelines
            || old.policies != new.policies
            || old.file != new.file
        {
            return None;
        }
        files.extend(new.file);
        for footprint in [old, new] {
            wanted.extend(footprint.names.iter().map(|n| hash(n)));
            wanted.extend(footprint.accounts.iter().map(|a| account_hash(*a)));
        }
    }
    wanted.sort_unstable();
    wanted.dedup();
    Some(
        workspace
            .pipelines
            .iter()
            .zip(&previous.mentions)
            .map(|(unit, mentions)| {
                files.contains(&unit.file)
                    || wanted.iter().any(|h| mentions.binary_search(h).is_ok())
            })
            .collect(),
    )
}

/// The hash a name is looked up by (a collision asks a pipeline again for nothing).
fn hash(name: &str) -> u64 {
    use std::hash::BuildHasher;
    foldhash::fast::FixedState::with_seed(0x78616363).hash_one(name)
}

/// The hash of an account (kept apart from names: an account is no bucket).
fn account_hash(account: AccountId) -> u64 {
    hash(&format!("account {account}"))
}

/// The hashes of every name pipeline `unit` mentions (its declaration, and its checks and
/// hops, part `local` of `graph`), sorted: a role ARN by its key, an S3 ARN by its bucket too,
/// and each account involved.
pub(crate) fn mentions(unit: &PipelineUnit, graph: &TrustGraph, local: usize) -> Arc<[u64]> {
    let mut hashes: Vec<u64> = Vec::new();
    // Checks name the same interned strings again and again.
    let mut seen: FastSet<usize> = FastSet::default();
    let name = |text: &str, hashes: &mut Vec<u64>| {
        hashes.push(hash(text));
        if text.contains(":role/") {
            hashes.push(hash(&role_key(text)));
        }
        if let Some(bucket) = text
            .starts_with("arn:aws:s3:::")
            .then(|| xacct_model::arn::s3_bucket(text))
        {
            hashes.push(hash(bucket));
        }
    };
    let pipeline = &unit.doc.pipeline;
    if let Some(role) = &pipeline.role_arn {
        name(&role.value, &mut hashes);
    }
    for store in pipeline.stores() {
        for text in store.location.iter().chain(&store.encryption_key) {
            name(&text.value, &mut hashes);
        }
    }
    for (_, _, action) in pipeline.actions() {
        if let Some(role) = &action.role_arn {
            name(&role.value, &mut hashes);
        }
        for entry in &action.configuration {
            name(&entry.value.value, &mut hashes);
        }
    }
    let placements = unit.accounts.actions.iter().flatten();
    let accounts = unit
        .accounts
        .pipeline_account()
        .into_iter()
        .chain(placements.filter_map(|p| p.account.as_ref().map(|a| a.value)));
    hashes.extend(accounts.map(account_hash));
    let range = graph.range_of(local);
    for check in &graph.checks[range.checks] {
        for text in [&check.principal, &check.resource] {
            if seen.insert(Arc::as_ptr(text) as *const u8 as usize) {
                name(text, &mut hashes);
            }
        }
        hashes.extend(check.principal_account.map(account_hash));
        hashes.extend(check.resource_account.map(account_hash));
    }
    for hop in &graph.hops[range.hops] {
        name(&hop.role, &mut hashes);
        for target in &hop.targets {
            name(&target.arn, &mut hashes);
        }
    }
    hashes.sort_unstable();
    hashes.dedup();
    hashes.into()
}
