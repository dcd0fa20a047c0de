//! Stacks that use each other: what one template exports (`Outputs.*.Export.Name`) another
//! imports (`Fn::ImportValue`), and a stack nested in another (`AWS::CloudFormation::Stack`
//! with a local `TemplateURL`, as before `aws cloudformation package`) is deployed where its
//! parent is, with the parameters its parent passes, and outputs what its parent reads
//! (`Fn::GetAtt Child.Outputs.Name`).
//!
//! A team's tools-account stack exports its key and bucket; the target-account stacks import
//! them: without this the two never meet. Worked out before the files are loaded, over every
//! template of the run, until nothing changes (an export may need an import).

use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};

use xacct_model::symbol::contains_placeholder;
use xacct_syntax::json::{Node, Value};

use super::eval::Template;
use super::StackFacts;
use crate::detect::{syntax_of, DocumentKind, Syntax};
use crate::gate::lexical;
use crate::Limits;

/// A template of the run, with what the run says of it.
pub struct TemplateSource<'a> {
    /// Its path, as linted.
    pub path: &'a Path,
    /// Its text.
    pub text: &'a str,
    /// Where it is deployed, as far as the config, a manifest and its folder say.
    pub facts: StackFacts,
    /// Its limits.
    pub limits: Limits,
}

/// What the templates of a run tell each other.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Linked {
    /// Export name → value, over every template.
    pub exports: BTreeMap<String, String>,
    /// Nested templates (by lexical absolute path): the account, region and parameters their
    /// parent deploys them with.
    pub nested: HashMap<PathBuf, StackFacts>,
    /// Parents (by lexical absolute path): their nested stacks' outputs, by
    /// `Logical.Outputs.Name`.
    pub nested_outputs: HashMap<PathBuf, BTreeMap<String, String>>,
}

/// Rounds of working out exports that need imports: a chain longer than this stays unknown.
const ROUNDS: usize = 8;

/// True when a template's text may export, import or nest: only those are parsed here.
pub fn may_link(text: &str) -> bool {
    text.contains("Export")
        || text.contains("ImportValue")
        || text.contains("AWS::CloudFormation::Stack")
}

/// A source parsed, when it is a template.
fn parse<'a>(s: &TemplateSource<'a>) -> Option<xacct_syntax::json::Document<'a>> {
    let limits = s.limits.parse();
    let document = match syntax_of(s.path, s.text) {
        Syntax::Json => xacct_syntax::json::parse_with(s.text, &limits),
        Syntax::Yaml => xacct_syntax::yaml::parse_with(s.text, &limits),
    }
    .ok()?;
    (DocumentKind::detect(&document.root) == DocumentKind::Template).then_some(document)
}

/// Links the templates among `sources`.
pub fn link(sources: &[TemplateSource<'_>]) -> Linked {
    let mut parsed: Vec<(usize, xacct_syntax::json::Document<'_>)> = sources
        .iter()
        .enumerate()
        .filter(|(_, s)| may_link(s.text))
        .filter_map(|(i, s)| Some((i, parse(s)?)))
        .collect();
    // The templates those nest (by a literal `TemplateURL`) are read too, for their outputs.
    let index: HashMap<PathBuf, usize> = sources
        .iter()
        .enumerate()
        .map(|(i, s)| (lexical(s.path), i))
        .collect();
    let mut children = Vec::new();
    for (i, document) in &parsed {
        let folder = sources[*i].path.parent().unwrap_or(Path::new(""));
        for member in document
            .root
            .get("Resources")
            .and_then(Node::as_object)
            .unwrap_or_default()
        {
            let url = member
                .value
                .get("Properties")
                .and_then(|p| p.get("TemplateURL"))
                .and_then(Node::as_str);
            if let Some(&child) = url.and_then(|u| index.get(&lexical(&folder.join(u)))) {
                children.push(child);
            }
        }
    }
    children.sort_unstable();
    children.dedup();
    for child in children {
        if parsed.iter().all(|(i, _)| *i != child) {
            if let Some(document) = parse(&sources[child]) {
                parsed.push((child, document));
            }
        }
    }
    let mut linked = Linked::default();
    let by_path: HashMap<PathBuf, usize> = parsed
        .iter()
        .enumerate()
        .map(|(at, (i, _))| (lexical(sources[*i].path), at))
        .collect();
    for _ in 0..ROUNDS {
        let exports = std::sync::Arc::new(linked.exports.clone());
        let mut next = Linked::default();
        for (i, document) in &parsed {
            let source = &sources[*i];
            let path = lexical(source.path);
            let mut facts = linked
                .nested
                .get(&path)
                .map_or_else(|| source.facts.clone(), |n| n.clone());
            facts.exports = exports.clone();
            facts.nested_outputs = linked
                .nested_outputs
                .get(&path)
                .cloned()
                .unwrap_or_default();
            let template = Template::new(&document.root, &facts, &source.limits);
            let outputs = outputs(&template, &document.root);
            for (name, value) in &outputs.exported {
                next.exports
                    .entry(name.clone())
                    .or_insert_with(|| value.clone());
            }
            // Each nested stack: deployed with the parent's account, region and parameters.
            for (logical, child_path, parameters) in nested_stacks(&template, &document.root, &path)
            {
                let mut child = StackFacts {
                    account: facts.account,
                    region: facts.region.clone(),
                    ..StackFacts::default()
                };
                if let Some(&at) = by_path.get(&child_path) {
                    child.parameters = sources[parsed[at].0].facts.parameters.clone();
                }
                child.parameters.extend(parameters);
                next.nested.insert(child_path.clone(), child);
                // What the child outputs, as its parent reads it (from the last round).
                if let Some(&at) = by_path.get(&child_path) {
                    let (ci, child_document) = &parsed[at];
                    let mut child_facts = linked
                        .nested
                        .get(&child_path)
                        .cloned()
                        .unwrap_or_else(|| sources[*ci].facts.clone());
                    child_facts.exports = exports.clone();
                    let child_template =
                        Template::new(&child_document.root, &child_facts, &sources[*ci].limits);
                    let child_outputs = self::outputs(&child_template, &child_document.root);
                    let map = next.nested_outputs.entry(path.clone()).or_default();
                    for (name, value) in child_outputs.all {
                        map.insert(format!("{logical}.Outputs.{name}"), value);
                    }
                }
            }
        }
        if next == linked {
            break;
        }
        linked = next;
    }
    linked
}

/// A template's outputs, evaluated: all of them by logical name, and those it exports by
/// export name (only names fully known).
struct Outputs {
    all: Vec<(String, String)>,
    exported: Vec<(String, String)>,
}

fn outputs(template: &Template<'_, '_>, root: &Node<'_>) -> Outputs {
    let mut out = Outputs {
        all: Vec::new(),
        exported: Vec::new(),
    };
    for member in root
        .get("Outputs")
        .and_then(Node::as_object)
        .unwrap_or_default()
    {
        let Some(value) = member
            .value
            .get("Value")
            .and_then(|v| template.eval_text(v))
        else {
            continue;
        };
        if let Some(name) = member
            .value
            .get("Export")
            .and_then(|e| e.get("Name"))
            .and_then(|n| template.eval_text(n))
            .filter(|n| !contains_placeholder(n))
        {
            out.exported.push((name, value.clone()));
        }
        out.all.push((member.key.to_string(), value));
    }
    out
}

/// The nested stacks of a template whose `TemplateURL` is a local path: (logical ID, the
/// child's lexical absolute path, the parameters passed).
fn nested_stacks(
    template: &Template<'_, '_>,
    root: &Node<'_>,
    parent: &Path,
) -> Vec<(String, PathBuf, BTreeMap<String, String>)> {
    let folder = parent.parent().unwrap_or(Path::new(""));
    let mut out = Vec::new();
    for member in root
        .get("Resources")
        .and_then(Node::as_object)
        .unwrap_or_default()
    {
        let resource = &member.value;
        if resource.get("Type").and_then(Node::as_str) != Some("AWS::CloudFormation::Stack") {
            continue;
        }
        let Some(properties) = resource.get("Properties") else {
            continue;
        };
        let Some(url) = properties
            .get("TemplateURL")
            .and_then(|u| template.eval_text(u))
        else {
            continue;
        };
        // After packaging the template is in S3: not among the files.
        if url.contains("://") || contains_placeholder(&url) {
            continue;
        }
        let child = lexical(&folder.join(&url));
        let parameters = match properties.get("Parameters").map(|p| &p.value) {
            Some(Value::Object(members)) => members
                .iter()
                .filter_map(|m| Some((m.key.to_string(), template.eval_text(&m.value)?)))
                .collect(),
            _ => BTreeMap::new(),
        };
        out.push((member.key.to_string(), child, parameters));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn source<'a>(path: &'a Path, text: &'a str, account: &str) -> TemplateSource<'a> {
        TemplateSource {
            path,
            text,
            facts: StackFacts {
                account: xacct_model::AccountId::parse(account),
                region: Some("us-east-2".to_string()),
                ..StackFacts::default()
            },
            limits: Limits::default(),
        }
    }

    #[test]
    fn exports_reach_imports_through_chains_and_nested_stacks_get_their_parents_word() {
        let tools = "Resources:\n  Key: {Type: AWS::KMS::Key, Properties: {}}\nOutputs:\n  KeyArn:\n    Value: !GetAtt Key.Arn\n    Export: {Name: tools-key}\n  Relay:\n    Value: !ImportValue relay-in\n    Export: {Name: relay-out}\n";
        let relay = "Resources: {}\nOutputs:\n  Out:\n    Value: !ImportValue tools-key\n    Export: {Name: relay-in}\n";
        let parent = "Resources:\n  Roles:\n    Type: AWS::CloudFormation::Stack\n    Properties:\n      TemplateURL: nested/roles.yaml\n      Parameters: {KeyArn: !ImportValue tools-key}\n";
        let child = "Parameters:\n  KeyArn: {Type: String}\nResources:\n  R: {Type: AWS::IAM::Role, Properties: {RoleName: r}}\nOutputs:\n  RoleArn: {Value: !GetAtt R.Arn}\n";
        let (p1, p2, p3, p4) = (
            Path::new("/repo/tools/a.yaml"),
            Path::new("/repo/tools/b.yaml"),
            Path::new("/repo/prod/parent.yaml"),
            Path::new("/repo/prod/nested/roles.yaml"),
        );
        let linked = link(&[
            source(p1, tools, "111111111111"),
            source(p2, relay, "111111111111"),
            source(p3, parent, "222222222222"),
            source(p4, child, "999999999999"),
        ]);
        assert_eq!(
            linked.exports.get("tools-key").map(String::as_str),
            Some("arn:aws:kms:us-east-2:111111111111:key/${Key}")
        );
        // tools-key → relay-in → relay-out: a chain of imports.
        assert_eq!(
            linked.exports.get("relay-out"),
            linked.exports.get("tools-key")
        );
        let nested = &linked.nested[&PathBuf::from("/repo/prod/nested/roles.yaml")];
        assert_eq!(
            nested.account,
            xacct_model::AccountId::parse("222222222222")
        );
        assert_eq!(
            nested.parameters.get("KeyArn").map(String::as_str),
            Some("arn:aws:kms:us-east-2:111111111111:key/${Key}")
        );
        assert_eq!(
            linked.nested_outputs[&PathBuf::from("/repo/prod/parent.yaml")]
                .get("Roles.Outputs.RoleArn")
                .map(String::as_str),
            Some("arn:aws:iam::222222222222:role/r")
        );
    }
}

/// A template parameter with no default, as `xacct init` proposes a value for it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OpenParameter {
    /// Its name.
    pub name: String,
    /// True when it holds an account ID: named `…AccountId` (any case) or constrained to
    /// twelve digits.
    pub account: bool,
}

/// The parameters without a default of the template at `path`, if it is one.
pub fn open_parameters(path: &Path, text: &str, limits: &Limits) -> Vec<OpenParameter> {
    let source = TemplateSource {
        path,
        text,
        facts: StackFacts::default(),
        limits: *limits,
    };
    let Some(document) = parse(&source) else {
        return Vec::new();
    };
    let parameters = document.root.get("Parameters").and_then(Node::as_object);
    parameters
        .unwrap_or_default()
        .iter()
        .filter(|m| m.value.get("Default").is_none())
        .map(|m| {
            let name = m.key.to_string();
            let lower = name.to_ascii_lowercase();
            let pattern = m
                .value
                .get("AllowedPattern")
                .and_then(Node::as_str)
                .unwrap_or("");
            let account =
                (lower.contains("account") && lower.ends_with("id")) || pattern.contains("{12}");
            OpenParameter { name, account }
        })
        .collect()
}
