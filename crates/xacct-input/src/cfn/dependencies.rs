//! Which resources of a template need which others (`Ref`, `Fn::GetAtt`, `Fn::Sub` names,
//! `DependsOn`), and the circles among them, which CloudFormation refuses ("Circular dependency
//! between resources"). A circle is found once per strongly connected group of resources and
//! reported with the reference that closes each step, so the user sees where to cut it.

use std::collections::{HashMap, VecDeque};

use petgraph::graph::{DiGraph, NodeIndex};
use xacct_syntax::json::{Node, Value};
use xacct_syntax::Span;

use super::eval::Template;
use crate::{Issue, IssueKind};

/// The most resources a circle's message names (and references it labels).
const SHOWN: usize = 8;

/// One reference from a resource to another, where it is written.
#[derive(Clone, Copy, Debug)]
struct Reference {
    span: Span,
}

/// The circles of dependencies among the resources of a template, one issue each.
pub fn cycles(template: &Template<'_, '_>) -> Vec<Issue> {
    let resources = &template.resources;
    let index: HashMap<&str, usize> = resources
        .iter()
        .enumerate()
        .map(|(i, (id, _, _))| (*id, i))
        .collect();
    let mut graph: DiGraph<usize, Reference> = DiGraph::with_capacity(resources.len(), 0);
    let nodes: Vec<NodeIndex> = (0..resources.len()).map(|i| graph.add_node(i)).collect();
    for (from, (_, _, node)) in resources.iter().enumerate() {
        let mut found = Vec::new();
        if let Some(properties) = node.get("Properties") {
            references(properties, &mut found);
        }
        if let Some(depends) = node.get("DependsOn") {
            match &depends.value {
                Value::String(id) => found.push((id.to_string(), depends.span)),
                Value::Array(items) => found.extend(
                    items
                        .iter()
                        .filter_map(|i| Some((i.as_str()?.to_string(), i.span))),
                ),
                _ => {}
            }
        }
        for (id, span) in found {
            if let Some(&to) = index.get(id.as_str()) {
                graph.add_edge(nodes[from], nodes[to], Reference { span });
            }
        }
    }
    let mut issues = Vec::new();
    // Groups in the order of their first resource in the template, for stable output.
    let mut groups: Vec<Vec<NodeIndex>> = // Kosaraju: petgraph's Tarjan recurses once per resource on a path, which a long chain
    // of references turns into a stack overflow.
    petgraph::algo::kosaraju_scc(&graph)
        .into_iter()
        .filter(|group| {
            group.len() > 1 || graph.find_edge(group[0], group[0]).is_some()
        })
        .collect();
    for group in &mut groups {
        group.sort_by_key(|n| graph[*n]);
    }
    groups.sort_by_key(|group| graph[group[0]]);
    for group in groups {
        let steps = circle(&graph, &group);
        let Some(&(_, first)) = steps.first() else {
            continue;
        };
        let start = group[0];
        let name = |n: NodeIndex| format!("`{}`", resources[graph[n]].0);
        let mut names: Vec<String> = steps.iter().take(SHOWN).map(|(n, _)| name(*n)).collect();
        if steps.len() > SHOWN {
            names.push(format!("… ({} more)", steps.len() - SHOWN));
        }
        names.push(name(start));
        let mut issue = Issue::new(
            IssueKind::Cycle,
            first.span,
            format!(
                "circular dependency between resources {}: CloudFormation refuses the template",
                names.join(" → ")
            ),
        )
        .help("break the circle: build one value from its parts instead of referring to the resource (`!Sub arn:${AWS::Partition}:iam::${AWS::AccountId}:role/NAME` for a role named NAME), or move the statement that refers back into a resource of its own (an `AWS::IAM::Policy` attached to the role)");
        for (i, (from, reference)) in steps.iter().enumerate().skip(1).take(SHOWN - 1) {
            let to = steps.get(i + 1).map_or(start, |(n, _)| *n);
            issue = issue.label(
                reference.span,
                format!("{} refers to {} here", name(*from), name(to)),
            );
        }
        issues.push(issue);
    }
    issues
}

/// A shortest circle through the group's first resource: each step is a resource and the
/// reference it makes to the next (the last one back to the first).
fn circle(graph: &DiGraph<usize, Reference>, group: &[NodeIndex]) -> Vec<(NodeIndex, Reference)> {
    let start = group[0];
    let in_group = |n: NodeIndex| group.binary_search_by_key(&graph[n], |g| graph[*g]).is_ok();
    // Breadth first from `start` within the group, until an edge leads back to it.
    let mut came_from: HashMap<NodeIndex, (NodeIndex, Reference)> = HashMap::new();
    let mut queue = VecDeque::from([start]);
    let mut closing = None;
    'search: while let Some(at) = queue.pop_front() {
        let mut edges: Vec<_> = graph.edges(at).collect();
        // petgraph lists edges newest first: take them in the order written.
        edges.reverse();
        for edge in edges {
            use petgraph::visit::EdgeRef;
            let to = edge.target();
            if to == start {
                closing = Some((at, *edge.weight()));
                break 'search;
            }
            if in_group(to) && !came_from.contains_key(&to) {
                came_from.insert(to, (at, *edge.weight()));
                queue.push_back(to);
            }
        }
    }
    let Some((last, back)) = closing else {
        return Vec::new();
    };
    // Walk back from the last resource to the start.
    let mut steps = vec![(last, back)];
    let mut at = last;
    while at != start {
        let Some(&(previous, reference)) = came_from.get(&at) else {
            break;
        };
        steps.push((previous, reference));
        at = previous;
    }
    steps.reverse();
    steps
}

/// Every resource a subtree refers to: `Ref`, `Fn::GetAtt` and the names of `Fn::Sub`.
fn references(node: &Node<'_>, out: &mut Vec<(String, Span)>) {
    match &node.value {
        Value::Object(members) => {
            if let [member] = members.as_slice() {
                match &*member.key {
                    "Ref" => {
                        if let Some(id) = member.value.as_str() {
                            out.push((id.to_string(), node.span));
                        }
                        return;
                    }
                    "Fn::GetAtt" => {
                        let id = match &member.value.value {
                            Value::Array(parts) => parts.first().and_then(Node::as_str),
                            Value::String(s) => s.split('.').next(),
                            _ => None,
                        };
                        if let Some(id) = id {
                            out.push((id.to_string(), node.span));
                        }
                        return;
                    }
                    "Fn::Sub" => {
                        sub_references(&member.value, node.span, out);
                        return;
                    }
                    _ => {}
                }
            }
            for member in members {
                references(&member.value, out);
            }
        }
        Value::Array(items) => items.iter().for_each(|i| references(i, out)),
        _ => {}
    }
}

/// The resources `Fn::Sub` names in `${Name}` or `${Name.Attribute}`, but those its own
/// variable map defines.
fn sub_references(argument: &Node<'_>, span: Span, out: &mut Vec<(String, Span)>) {
    let (text, variables) = match &argument.value {
        Value::String(s) => (s.as_ref(), None),
        Value::Array(parts) => match parts.first().and_then(Node::as_str) {
            Some(s) => (s, parts.get(1)),
            None => return,
        },
        _ => return,
    };
    if let Some(variables) = variables {
        references(variables, out);
    }
    let mut rest = text;
    while let Some(start) = rest.find("${") {
        let after = &rest[start + 2..];
        let Some(end) = after.find('}') else {
            break;
        };
        let name = after[..end].trim();
        if !name.starts_with('!') {
            let id = name.split('.').next().unwrap_or(name);
            let local = variables.is_some_and(|v| v.get(name).is_some());
            if !local {
                out.push((id.to_string(), span));
            }
        }
        rest = &after[end + 1..];
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cfn::StackFacts;
    use crate::Limits;

    fn issues(text: &str) -> Vec<Issue> {
        let doc = xacct_syntax::yaml::parse(text).unwrap();
        let facts = StackFacts::default();
        let template = Template::new(&doc.root, &facts, &Limits::default());
        cycles(&template)
    }

    fn at(text: &str, span: Span) -> &str {
        &text[span.range()]
    }

    #[test]
    fn a_circle_is_reported_once_with_each_reference() {
        let text = "Resources:\n  Key:\n    Type: AWS::KMS::Key\n    Properties:\n      KeyPolicy: {Principal: !GetAtt Role.Arn}\n  Role:\n    Type: AWS::IAM::Role\n    Properties:\n      Policies: [{Resource: !Sub '${Key.Arn}'}]\n  Other:\n    Type: AWS::S3::Bucket\n    DependsOn: Role\n";
        let found = issues(text);
        assert_eq!(found.len(), 1);
        let issue = &found[0];
        assert_eq!(issue.kind, IssueKind::Cycle);
        assert_eq!(
            issue.message,
            "circular dependency between resources `Key` → `Role` → `Key`: CloudFormation refuses the template"
        );
        assert_eq!(at(text, issue.span), "!GetAtt Role.Arn");
        assert_eq!(issue.labels.len(), 1);
        assert_eq!(at(text, issue.labels[0].0), "!Sub '${Key.Arn}'");
        assert_eq!(issue.labels[0].1, "`Role` refers to `Key` here");
    }

    #[test]
    fn self_references_and_depends_on_count_sub_variables_do_not() {
        let text = "Resources:\n  A:\n    Type: X\n    Properties: {Name: !Sub '${A}'}\n  B:\n    Type: X\n    DependsOn: [C]\n  C:\n    Type: X\n    Properties: {N: !Sub ['${B}', {B: x}]}\n";
        let found = issues(text);
        assert_eq!(found.len(), 1, "{found:?}");
        assert_eq!(
            found[0].message,
            "circular dependency between resources `A` → `A`: CloudFormation refuses the template"
        );
        assert!(issues("Resources:\n  A:\n    Type: X\n    Properties: {N: !Ref B}\n  B:\n    Type: X\n    Properties: {N: !Ref P}\n").is_empty());
    }

    #[test]
    fn a_long_chain_closing_on_itself_is_one_circle_found_in_linear_time() {
        let mut text = String::from("Resources:\n");
        let n = 20_000;
        for i in 0..n {
            text.push_str(&format!(
                "  R{i}:\n    Type: X\n    Properties: {{N: !Ref R{}}}\n",
                (i + 1) % n
            ));
        }
        let found = issues(&text);
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].labels.len(), SHOWN - 1);
        assert_eq!(
            found[0].message,
            format!("circular dependency between resources `R0` → `R1` → `R2` → `R3` → `R4` → `R5` → `R6` → `R7` → … ({} more) → `R0`: CloudFormation refuses the template", n - SHOWN)
        );
    }
}
