//! What the config near each file says of it, and where templates are deployed: `[[stack]]`
//! entries, and the manifests of CDK cloud assemblies (`cdk.out/manifest.json`) among the files
//! to lint. The config wins over a manifest (it is the user's explicit word); the engine falls
//! back to the folder convention.

use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};

use xacct_model::cdk::{is_manifest, read_manifest};
use xacct_model::cfn::StackFacts;

use xacct_rules::FileSettings;

use crate::config::ConfigSet;
use crate::discover::Candidate;
use crate::paths::normalize;

/// The settings of every file among `files`, keyed by the files' own paths. Templates a
/// manifest lists that are not among `files` yet (a manifest named on its own) are added.
pub fn settings(files: &mut Vec<Candidate>, configs: &ConfigSet) -> HashMap<PathBuf, FileSettings> {
    let from_manifests = manifests(files);
    let mut out = HashMap::new();
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
            },
        );
    }
    out
}

/// The stacks CDK manifests among `files` describe, by template path.
fn manifests(files: &mut Vec<Candidate>) -> HashMap<PathBuf, StackFacts> {
    let mut from_manifests: HashMap<PathBuf, StackFacts> = HashMap::new();
    let mut queue: Vec<PathBuf> = files
        .iter()
        .filter(|c| c.path.file_name().is_some_and(|n| n == "manifest.json"))
        .map(|c| c.path.clone())
        .collect();
    let mut seen = HashSet::new();
    while let Some(manifest) = queue.pop() {
        if !seen.insert(normalize(&manifest)) {
            continue;
        }
        // An unreadable or broken manifest is linted (and reported) as a file like any other.
        let Ok(text) = std::fs::read_to_string(&manifest) else {
            continue;
        };
        let Ok(document) = xacct_syntax::json::parse(&text) else {
            continue;
        };
        if !is_manifest(&document.root) {
            continue;
        }
        let dir = manifest.parent().unwrap_or(Path::new(""));
        let assembly = read_manifest(dir, &document.root);
        for stack in assembly.stacks {
            from_manifests.insert(normalize(&stack.template), stack.facts);
            if !files
                .iter()
                .any(|c| normalize(&c.path) == normalize(&stack.template))
                && stack.template.is_file()
            {
                files.push(Candidate {
                    path: stack.template,
                    explicit: false,
                    error: None,
                });
            }
        }
        queue.extend(
            assembly
                .nested
                .into_iter()
                .map(|d| d.join("manifest.json"))
                .filter(|m| m.is_file()),
        );
    }
    from_manifests
}
