//! CDK cloud assemblies (`cdk.out`): which stack template is deployed to which account and
//! region, from `manifest.json`, nested assemblies (CDK Pipelines stages) included.
//!
//! Manifests are read through the gate like any file: a `templateFile` or `directoryName` that
//! leads out of the lint roots (absolute, or climbing with `../`) is never read, and the
//! template it names is reported as not read rather than linted.

use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};

use xacct_syntax::json::Node;

use crate::gate::Gate;

use crate::cfn::StackFacts;
use xacct_model::arn::{is_region_name, AccountId};

/// A stack of an assembly.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AssemblyStack {
    /// The template file, relative to the manifest's folder joined onto it.
    pub template: PathBuf,
    /// Its account, region and name.
    pub facts: StackFacts,
}

/// What one manifest lists.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Assembly {
    /// The stacks.
    pub stacks: Vec<AssemblyStack>,
    /// Nested assemblies (CDK Pipelines stages): folders holding a `manifest.json` of their own.
    pub nested: Vec<PathBuf>,
}

/// True when a parsed JSON file is a cloud assembly manifest.
pub fn is_manifest(root: &Node<'_>) -> bool {
    root.get("artifacts")
        .is_some_and(|a| a.as_object().is_some())
        && root.get("version").is_some()
}

/// Reads a manifest whose folder is `dir`.
pub fn read_manifest(dir: &Path, root: &Node<'_>) -> Assembly {
    let mut assembly = Assembly::default();
    let artifacts = root
        .get("artifacts")
        .and_then(Node::as_object)
        .unwrap_or_default();
    // Each stack's name by artifact ID, for the `dependencies` of the others (`cdk deploy`
    // deploys a stack's dependencies first).
    let mut names: HashMap<&str, String> = HashMap::new();
    for artifact in artifacts {
        let node = &artifact.value;
        let properties = node.get("properties");
        let property = |key: &str| properties.and_then(|p| p.get(key)).and_then(Node::as_str);
        if node.get("type").and_then(Node::as_str) == Some("aws:cloudformation:stack") {
            if let Some(name) = stack_name(node, property("stackName"), &artifact.key) {
                names.insert(&artifact.key, name);
            }
        }
    }
    for artifact in artifacts {
        let node = &artifact.value;
        let properties = node.get("properties");
        let property = |key: &str| properties.and_then(|p| p.get(key)).and_then(Node::as_str);
        match node.get("type").and_then(Node::as_str) {
            Some("aws:cloudformation:stack") => {
                let Some(template) = property("templateFile") else {
                    continue;
                };
                let (account, region) = node
                    .get("environment")
                    .and_then(Node::as_str)
                    .map(environment)
                    .unwrap_or_default();
                let after = node
                    .get("dependencies")
                    .and_then(Node::as_array)
                    .unwrap_or_default()
                    .iter()
                    .filter_map(|d| names.get(d.as_str()?).cloned())
                    .collect();
                assembly.stacks.push(AssemblyStack {
                    template: dir.join(template),
                    facts: StackFacts {
                        account,
                        region,
                        name: stack_name(node, property("stackName"), &artifact.key),
                        parameters: Default::default(),
                        after,
                        ..StackFacts::default()
                    },
                });
            }
            Some("cdk:cloud-assembly") => {
                if let Some(folder) = property("directoryName") {
                    assembly.nested.push(dir.join(folder));
                }
            }
            _ => {}
        }
    }
    assembly
}

/// A stack's name: its `stackName`, else its display name (without a CDK Pipelines stage's
/// prefix), else its artifact ID.
fn stack_name(node: &Node<'_>, stack_name: Option<&str>, artifact: &str) -> Option<String> {
    stack_name
        .or_else(|| node.get("displayName").and_then(Node::as_str))
        .map(|n| n.trim_start_matches("Stage/").to_string())
        .or_else(|| Some(artifact.to_string()))
}

/// What [`read_assemblies`] found.
#[derive(Debug, Default)]
pub struct Assemblies {
    /// The stacks, by template path (as the manifest names it, joined onto its folder).
    pub stacks: Vec<AssemblyStack>,
    /// The bytes of each manifest read, by canonical path: a manifest that is also linted is
    /// not read again.
    pub read: HashMap<PathBuf, Vec<u8>>,
}

/// The stacks of every assembly whose manifest is among `manifests` or nested in one. A
/// manifest that cannot be read or parsed is skipped here: it is linted (and reported) as a
/// file like any other.
pub fn read_assemblies(gate: &Gate, manifests: Vec<PathBuf>, limits: &crate::Limits) -> Assemblies {
    let mut read = HashMap::new();
    let mut stacks = Vec::new();
    let mut queue = manifests;
    let mut seen: HashSet<PathBuf> = HashSet::new();
    while let Some(manifest) = queue.pop() {
        let Ok(canonical) = gate.admit(&manifest) else {
            continue;
        };
        if !seen.insert(canonical.clone()) {
            continue;
        }
        let Ok(bytes) = gate.read(&manifest, limits.file_size) else {
            continue;
        };
        let text = match String::from_utf8(bytes) {
            Ok(text) => text,
            Err(e) => {
                read.insert(canonical, e.into_bytes());
                continue;
            }
        };
        let document = xacct_syntax::json::parse_with(&text, &limits.parse());
        let assembly = match document {
            Ok(document) if is_manifest(&document.root) => {
                let dir = manifest.parent().unwrap_or(Path::new(""));
                Some(read_manifest(dir, &document.root))
            }
            _ => None,
        };
        read.insert(canonical, text.into_bytes());
        let Some(assembly) = assembly else {
            continue;
        };
        stacks.extend(assembly.stacks);
        queue.extend(assembly.nested.into_iter().map(|d| d.join("manifest.json")));
    }
    // A template two manifests list keeps the facts of the one read last, in its first place.
    let mut at: HashMap<PathBuf, usize> = HashMap::new();
    let mut kept: Vec<AssemblyStack> = Vec::with_capacity(stacks.len());
    for stack in stacks {
        match at.get(&stack.template) {
            Some(&i) => kept[i] = stack,
            None => {
                at.insert(stack.template.clone(), kept.len());
                kept.push(stack);
            }
        }
    }
    Assemblies { stacks: kept, read }
}

/// `aws://123456789012/us-east-1`; `unknown-account`/`unknown-region` stay unknown.
fn environment(text: &str) -> (Option<AccountId>, Option<String>) {
    let rest = text.strip_prefix("aws://").unwrap_or("");
    let (account, region) = rest.split_once('/').unwrap_or((rest, ""));
    (
        AccountId::parse(account),
        is_region_name(region).then(|| region.to_string()),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stacks_and_nested_assemblies() {
        let text = r#"{"version": "36.0.0", "artifacts": {
            "Pipeline": {"type": "aws:cloudformation:stack", "environment": "aws://111111111111/us-east-2",
                         "properties": {"templateFile": "Pipeline.template.json", "stackName": "PipelineStack"}},
            "Other": {"type": "aws:cloudformation:stack", "environment": "aws://unknown-account/unknown-region",
                      "properties": {"templateFile": "Other.template.json"}},
            "assembly-Prod": {"type": "cdk:cloud-assembly", "properties": {"directoryName": "assembly-Prod"}},
            "Tree": {"type": "cdk:tree", "properties": {"file": "tree.json"}}}}"#;
        let doc = xacct_syntax::json::parse(text).unwrap();
        assert!(is_manifest(&doc.root));
        let assembly = read_manifest(Path::new("cdk.out"), &doc.root);
        assert_eq!(assembly.nested, [PathBuf::from("cdk.out/assembly-Prod")]);
        assert_eq!(assembly.stacks.len(), 2);
        let first = &assembly.stacks[0];
        assert_eq!(
            first.template,
            PathBuf::from("cdk.out/Pipeline.template.json")
        );
        assert_eq!(first.facts.account, AccountId::parse("111111111111"));
        assert_eq!(first.facts.region.as_deref(), Some("us-east-2"));
        assert_eq!(first.facts.name.as_deref(), Some("PipelineStack"));
        assert_eq!(assembly.stacks[1].facts.account, None);
        assert_eq!(assembly.stacks[1].facts.region, None);
    }
}
