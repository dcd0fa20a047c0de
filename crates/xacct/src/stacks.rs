//! What the config near each file says of it, and where templates are deployed: `[[stack]]`
//! entries, and the manifests of CDK cloud assemblies (`cdk.out/manifest.json`) among the files
//! to lint. The config wins over a manifest (it is the user's explicit word); the loader falls
//! back to the folder convention.

use std::collections::{HashMap, HashSet};
use std::path::PathBuf;

use xacct_input::cdk::read_assemblies;
use xacct_input::{FileSettings, Gate, StackFacts};

use crate::config::ConfigSet;
use crate::discover::Candidate;
use crate::paths::normalize;

/// The settings of every file among `files`, keyed by the files' own paths. Templates a
/// manifest lists that are not among `files` yet (a manifest named on its own) are added.
pub fn settings(
    gate: &Gate,
    files: &mut Vec<Candidate>,
    configs: &ConfigSet,
) -> HashMap<PathBuf, FileSettings> {
    let from_manifests = manifests(gate, files, configs);
    let mut out = HashMap::with_capacity(files.len());
    for candidate in files.iter() {
        let config = configs.of(&candidate.path);
        let mut stack = config
            .and_then(|c| c.stack_of(&candidate.path))
            .or_else(|| from_manifests.get(&normalize(&candidate.path)).cloned())
            .unwrap_or_default();
        for (name, value) in config.map(|c| &c.parameters).into_iter().flatten() {
            stack
                .parameters
                .entry(name.clone())
                .or_insert_with(|| value.clone());
        }
        out.insert(
            candidate.path.clone(),
            FileSettings {
                region: config.and_then(|c| c.region.clone()),
                stack,
                limits: config.map(|c| c.limits).unwrap_or_default(),
            },
        );
    }
    out
}

/// The stacks CDK manifests among `files` describe, by template path; the templates they name
/// that are not among `files` yet are added (in one pass: a set of the paths, not a scan per
/// stack).
fn manifests(
    gate: &Gate,
    files: &mut Vec<Candidate>,
    configs: &ConfigSet,
) -> HashMap<PathBuf, StackFacts> {
    let manifests: Vec<PathBuf> = files
        .iter()
        .filter(|c| c.error.is_none() && c.path.file_name().is_some_and(|n| n == "manifest.json"))
        .map(|c| c.path.clone())
        .collect();
    if manifests.is_empty() {
        return HashMap::new();
    }
    let limits = manifests
        .first()
        .and_then(|m| configs.of(m))
        .map(|c| c.limits)
        .unwrap_or_default();
    let mut known: HashSet<PathBuf> = files.iter().map(|c| normalize(&c.path)).collect();
    let mut from_manifests = HashMap::new();
    let mut assemblies = read_assemblies(gate, manifests, &limits);
    // A manifest among the files is linted from the bytes read here: each file is read once.
    for candidate in files.iter_mut() {
        if candidate
            .path
            .file_name()
            .is_some_and(|n| n == "manifest.json")
        {
            if let Ok(canonical) = gate.admit(&candidate.path) {
                candidate.bytes = assemblies.read.remove(&canonical);
            }
        }
    }
    for stack in assemblies.stacks {
        let template = normalize(&stack.template);
        // A template outside the lint roots is listed, to be reported as not read; one inside
        // that does not exist (a partly committed `cdk.out`) is left out, as before.
        let listed = !gate.lexically_inside(&stack.template)
            || std::fs::symlink_metadata(&stack.template).is_ok();
        if listed && known.insert(template.clone()) {
            files.push(Candidate {
                path: stack.template,
                explicit: false,
                error: None,
                bytes: None,
                canonical: None,
            });
        }
        from_manifests.insert(template, stack.facts);
    }
    from_manifests
}
