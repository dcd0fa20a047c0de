//! The trust graph as a picture: Graphviz DOT, Mermaid, and JSON.
//!
//! `marks` maps a check index to the codes of the findings that say the check fails; such
//! edges are drawn red and labelled with the codes.
//!
//! All three formats share one view of the graph: nodes sorted by kind and identity and named
//! `n0`, `n1`, … in that order, each placed in an account (a role, bucket, pipeline or action
//! by its `runs-in` edge, a role without one and a key by its ARN, an artifact by the action
//! that produces it). The pictures (DOT, Mermaid) draw accounts as boxes instead of nodes and
//! `runs-in` edges as membership; they merge the edges between the same two nodes that look
//! the same (the pipeline role reads, writes and lists the bucket for several actions: one
//! edge `can-read, can-write, can-list`). JSON keeps every node, edge and check as they are.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::fmt::Write as _;

use petgraph::stable_graph::NodeIndex;
use petgraph::visit::EdgeRef;
use petgraph::Direction;
use xacct_iam::Side;
use xacct_model::workspace::Workspace;
use xacct_model::{AccountId, Arn, KeyRef};

use crate::{Check, EdgeKind, NodeKind, Outcome, TrustGraph};

/// Graphviz DOT: accounts as clusters.
///
/// `dot -Tsvg` draws it left to right, the pipeline's account first; service principals stand
/// outside every account. Access edges are green when allowed, red when refused, grey and
/// dashed when unknown, red, bold and labelled with the codes when a finding marks them.
pub fn to_dot(
    graph: &TrustGraph,
    workspace: &Workspace,
    marks: &HashMap<usize, Vec<String>>,
    names: &[(AccountId, String)],
) -> String {
    let view = View::new(graph, workspace);
    let mut out = String::new();
    out.push_str("digraph xacct {\n");
    out.push_str("  rankdir=LR;\n");
    out.push_str("  newrank=true;\n");
    out.push_str(
        "  graph [fontname=\"Helvetica\", fontsize=12, nodesep=0.35, ranksep=0.7, \
         labeljust=l];\n",
    );
    out.push_str("  node [fontname=\"Helvetica\", fontsize=10, style=filled, fillcolor=white];\n");
    out.push_str("  edge [fontname=\"Helvetica\", fontsize=9, arrowsize=0.7];\n");
    let node_line = |out: &mut String, indent: &str, i: usize| {
        let node = &view.nodes[i];
        let (shape, fill) = dot_shape(node.kind);
        let _ = writeln!(
            out,
            "{indent}n{i} [label={}, shape={shape}, fillcolor=\"{fill}\", tooltip={}];",
            dot_quote(&node.label),
            dot_quote(&node.full),
        );
    };
    for (n, account) in view.accounts().iter().enumerate() {
        let _ = writeln!(out, "  subgraph cluster_{account} {{");
        let _ = writeln!(
            out,
            "    label={};",
            dot_quote(&account_label(account, names))
        );
        out.push_str("    style=\"rounded,filled\";\n");
        let _ = writeln!(
            out,
            "    color=\"#8a8a8a\"; fillcolor=\"{}\";",
            CLUSTER_FILLS[n % CLUSTER_FILLS.len()]
        );
        for i in view.drawn() {
            if view.nodes[i].account == Some(*account) {
                node_line(&mut out, "    ", i);
            }
        }
        out.push_str("  }\n");
    }
    for i in view.drawn() {
        if view.nodes[i].account.is_none() {
            node_line(&mut out, "  ", i);
        }
    }
    let accounts = view.accounts();
    let edges = view.picture_edges(graph, marks);
    let layout = Layout::new(&view, &accounts, &edges);
    // Accounts left to right: an invisible point between each two, after the last nodes of
    // the first and before the first nodes of the second.
    for k in 1..accounts.len() {
        let _ = writeln!(
            out,
            "  gap{k} [shape=point, style=invis, width=0, height=0, label=\"\"];"
        );
        for &i in &layout.sinks[k - 1] {
            let _ = writeln!(out, "  n{i} -> gap{k} [style=invis];");
        }
        for &i in &layout.sources[k] {
            let _ = writeln!(out, "  gap{k} -> n{i} [style=invis];");
        }
    }
    for (edge, &reversed) in edges.iter().zip(&layout.reversed) {
        let label = edge.label("\n");
        let attrs = match &edge.class {
            Class::Structural => "color=\"#555555\", fontcolor=\"#555555\"",
            Class::Allowed => "color=\"#2e7d32\", fontcolor=\"#2e7d32\"",
            Class::Unknown => "color=\"#8a8a8a\", fontcolor=\"#6a6a6a\", style=dashed",
            Class::Denied | Class::NotAllowed => "color=\"#cc0000\", fontcolor=\"#cc0000\"",
            Class::Marked(_) => {
                "color=\"#dd0000\", fontcolor=\"#dd0000\", penwidth=2.5, style=bold"
            }
        };
        // A reversed edge is laid out forwards and drawn with its arrow at the tail.
        let (tail, head, dir) = if reversed {
            (edge.to, edge.from, ", dir=back")
        } else {
            (edge.from, edge.to, "")
        };
        let _ = writeln!(
            out,
            "  n{tail} -> n{head} [label={}, {attrs}{dir}];",
            dot_quote(&label)
        );
    }
    out.push_str("}\n");
    out
}

/// An account box's title: `account 111111111111 (tools)` with the name the config's
/// `[accounts]` gives it, as findings' messages name it; the bare ID without one.
fn account_label(account: &AccountId, names: &[(AccountId, String)]) -> String {
    match names.iter().find(|(id, _)| id == account) {
        Some((_, name)) => format!("account {account} ({name})"),
        None => format!("account {account}"),
    }
}

/// Mermaid flowchart: accounts as subgraphs.
///
/// Refused and marked edges are red (`linkStyle`), marked ones labelled with the codes;
/// allowed access edges green; unknown ones dashed and grey.
pub fn to_mermaid(
    graph: &TrustGraph,
    workspace: &Workspace,
    marks: &HashMap<usize, Vec<String>>,
    names: &[(AccountId, String)],
) -> String {
    let view = View::new(graph, workspace);
    let mut out = String::from("flowchart LR\n");
    let node_line = |out: &mut String, indent: &str, i: usize| {
        let node = &view.nodes[i];
        let (open, close) = mermaid_shape(node.kind);
        let _ = writeln!(
            out,
            "{indent}n{i}{open}\"{}\"{close}",
            mermaid_escape(&node.label)
        );
    };
    for account in view.accounts() {
        let _ = writeln!(
            out,
            "  subgraph acct_{account}[\"{}\"]",
            mermaid_escape(&account_label(&account, names))
        );
        for i in view.drawn() {
            if view.nodes[i].account == Some(account) {
                node_line(&mut out, "    ", i);
            }
        }
        out.push_str("  end\n");
    }
    for i in view.drawn() {
        if view.nodes[i].account.is_none() {
            node_line(&mut out, "  ", i);
        }
    }
    // linkStyle numbers links in the order they are declared.
    let mut styles: BTreeMap<&'static str, Vec<usize>> = BTreeMap::new();
    for (n, edge) in view.picture_edges(graph, marks).iter().enumerate() {
        let arrow = if edge.class == Class::Unknown {
            "-.->"
        } else {
            "-->"
        };
        let _ = writeln!(
            out,
            "  n{} {arrow}|\"{}\"| n{}",
            edge.from,
            mermaid_escape(&edge.label(", ")),
            edge.to
        );
        let style = match edge.class {
            Class::Structural => None,
            Class::Allowed => Some("stroke:#2e7d32,color:#2e7d32"),
            Class::Unknown => Some("stroke:#8a8a8a,color:#6a6a6a"),
            Class::Denied | Class::NotAllowed | Class::Marked(_) => {
                Some("stroke:#d00,stroke-width:2px,color:#d00")
            }
        };
        if let Some(style) = style {
            styles.entry(style).or_default().push(n);
        }
    }
    let mut styles: Vec<(&str, Vec<usize>)> = styles.into_iter().collect();
    styles.sort_by_key(|(_, links)| links[0]);
    for (style, links) in styles {
        let links: Vec<String> = links.iter().map(usize::to_string).collect();
        let _ = writeln!(out, "  linkStyle {} {style}", links.join(","));
    }
    out
}

/// JSON: nodes, edges, checks with outcomes and evidence.
///
/// ```json
/// {"version": 1,
///  "nodes": [{"id": "n0", "kind": "account", "label": "account 111111111111",
///             "account": "111111111111", "ref": "111111111111", "pipeline": null}],
///  "edges": [{"from": "n3", "to": "n0", "kind": "runs-in", "check": null}],
///  "checks": [{"index": 0, "kind": "can-assume", "principal": "codepipeline.amazonaws.com",
///              "action": "sts:AssumeRole", "resource": "arn:aws:iam::…", "outcome": "allowed",
///              "missing": null, "reasons": [], "findings": [],
///              "need": {"pipeline": 0, "stage": null, "action": null, "artifacts": []}}]}
/// ```
///
/// Every edge is listed, `runs-in` included; `check` is the index of the edge's check.
pub fn to_json(
    graph: &TrustGraph,
    workspace: &Workspace,
    marks: &HashMap<usize, Vec<String>>,
) -> String {
    let view = View::new(graph, workspace);
    let mut out = String::from("{\n  \"version\": 1,\n  \"nodes\": [");
    for (i, node) in view.nodes.iter().enumerate() {
        let _ = write!(
            out,
            "{}\n    {{\"id\": \"n{i}\", \"kind\": {}, \"label\": {}, \"account\": {}, \
             \"ref\": {}, \"pipeline\": {}}}",
            if i == 0 { "" } else { "," },
            json_str(node.kind.name()),
            json_str(&node.label),
            json_opt(node.account.as_ref().map(AccountId::as_str)),
            json_str(&node.full),
            json_num(node.pipeline),
        );
    }
    out.push_str(if view.nodes.is_empty() {
        "],\n  \"edges\": ["
    } else {
        "\n  ],\n  \"edges\": ["
    });
    for (n, edge) in view.edges.iter().enumerate() {
        let _ = write!(
            out,
            "{}\n    {{\"from\": \"n{}\", \"to\": \"n{}\", \"kind\": {}, \"check\": {}}}",
            if n == 0 { "" } else { "," },
            edge.from,
            edge.to,
            json_str(edge.kind.name()),
            json_num(edge.check),
        );
    }
    out.push_str(if view.edges.is_empty() {
        "],\n  \"checks\": ["
    } else {
        "\n  ],\n  \"checks\": ["
    });
    for (index, check) in graph.checks.iter().enumerate() {
        let _ = write!(
            out,
            "{}\n    {}",
            if index == 0 { "" } else { "," },
            json_check(index, check, workspace, marks)
        );
    }
    out.push_str(if graph.checks.is_empty() {
        "]\n}\n"
    } else {
        "\n  ]\n}\n"
    });
    out
}

/// Cluster backgrounds, one per account in turn.
const CLUSTER_FILLS: &[&str] = &["#f3f6fb", "#fbf6ef", "#f2f8f2", "#f8f2f8"];

/// What kind of node, for shapes and JSON.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
enum Kind {
    Account,
    Service,
    Pipeline,
    Action,
    Artifact,
    Role,
    Bucket,
    Key,
}

impl Kind {
    fn name(self) -> &'static str {
        match self {
            Kind::Account => "account",
            Kind::Service => "service",
            Kind::Pipeline => "pipeline",
            Kind::Action => "action",
            Kind::Artifact => "artifact",
            Kind::Role => "role",
            Kind::Bucket => "bucket",
            Kind::Key => "key",
        }
    }
}

/// A node as shown.
struct ViewNode {
    kind: Kind,
    /// Short, readable.
    label: String,
    /// The full identity: ARN, bucket or service name, account ID, `Stage/Action`.
    full: String,
    /// The account it is drawn in.
    account: Option<AccountId>,
    /// The pipeline it belongs to (pipelines, actions, artifacts).
    pipeline: Option<usize>,
}

/// An edge of the graph, between view indexes.
struct ViewEdge {
    from: usize,
    to: usize,
    kind: EdgeKind,
    check: Option<usize>,
}

/// How a drawn edge looks. Edges between the same nodes with the same class are merged.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
enum Class {
    /// No check: runs-as, produces, consumes.
    Structural,
    Allowed,
    Unknown,
    Denied,
    NotAllowed,
    /// A finding says the check fails: the codes.
    Marked(Vec<String>),
}

/// An edge as drawn.
struct PictureEdge {
    from: usize,
    to: usize,
    kinds: Vec<EdgeKind>,
    class: Class,
}

impl PictureEdge {
    /// The kinds, joined with `separator`, and what went wrong.
    fn label(&self, separator: &str) -> String {
        let kinds: Vec<&str> = self.kinds.iter().map(|k| k.name()).collect();
        let kinds = kinds.join(separator);
        match &self.class {
            Class::Structural | Class::Allowed => kinds,
            Class::Unknown => format!("{kinds} (unknown)"),
            Class::Denied => format!("{kinds} (denied)"),
            Class::NotAllowed => format!("{kinds} (not allowed)"),
            Class::Marked(codes) => format!("{kinds}: {}", codes.join(", ")),
        }
    }
}

/// The graph, sorted and labelled once for every format.
struct View {
    nodes: Vec<ViewNode>,
    edges: Vec<ViewEdge>,
}

/// Sorts nodes: by kind, then by pipeline position or identity.
type SortKey = (Kind, usize, usize, usize, String);

fn sort_key(kind: &NodeKind) -> SortKey {
    match kind {
        NodeKind::Account(id) => (Kind::Account, 0, 0, 0, id.to_string()),
        NodeKind::Service(name) => (Kind::Service, 0, 0, 0, name.clone()),
        NodeKind::Pipeline(p) => (Kind::Pipeline, *p, 0, 0, String::new()),
        NodeKind::Action(p, s, a) => (Kind::Action, *p, *s, *a, String::new()),
        NodeKind::Artifact(p, name) => (Kind::Artifact, *p, 0, 0, name.clone()),
        NodeKind::Role(arn) => (Kind::Role, 0, 0, 0, arn.clone()),
        NodeKind::Bucket(name) => (Kind::Bucket, 0, 0, 0, name.clone()),
        NodeKind::Key(arn) => (Kind::Key, 0, 0, 0, arn.clone()),
    }
}

impl View {
    fn new(graph: &TrustGraph, workspace: &Workspace) -> View {
        let g = &graph.graph;
        let mut order: Vec<(SortKey, NodeIndex)> =
            g.node_indices().map(|i| (sort_key(&g[i]), i)).collect();
        order.sort();
        let position: HashMap<NodeIndex, usize> = order
            .iter()
            .enumerate()
            .map(|(n, (_, i))| (*i, n))
            .collect();
        let mut edges: Vec<ViewEdge> = g
            .edge_indices()
            .filter_map(|e| {
                let (from, to) = g.edge_endpoints(e)?;
                let (kind, check) = g[e];
                Some(ViewEdge {
                    from: position[&from],
                    to: position[&to],
                    kind,
                    check,
                })
            })
            .collect();
        edges.sort_by_key(|e| (e.from, e.to, e.kind, e.check));
        let runs_in = |i: NodeIndex| {
            g.edges_directed(i, Direction::Outgoing)
                .filter(|e| e.weight().0 == EdgeKind::RunsIn)
                .filter_map(|e| match &g[e.target()] {
                    NodeKind::Account(id) => Some(*id),
                    _ => None,
                })
                .min()
        };
        let several = workspace.pipelines.len() > 1;
        let mut nodes: Vec<ViewNode> = order
            .iter()
            .map(|(_, i)| {
                let (kind, label, full, account, pipeline) = match &g[*i] {
                    NodeKind::Account(id) => (
                        Kind::Account,
                        format!("account {id}"),
                        id.to_string(),
                        Some(*id),
                        None,
                    ),
                    NodeKind::Service(name) => {
                        (Kind::Service, name.clone(), name.clone(), None, None)
                    }
                    NodeKind::Role(arn) => {
                        let parsed = Arn::parse(arn).ok();
                        let name = parsed.as_ref().map_or(arn.as_str(), |a| {
                            a.resource.rsplit('/').next().unwrap_or(arn)
                        });
                        let account = runs_in(*i).or_else(|| parsed.and_then(|a| a.account_id()));
                        (Kind::Role, name.to_string(), arn.clone(), account, None)
                    }
                    NodeKind::Bucket(name) => {
                        (Kind::Bucket, name.clone(), name.clone(), runs_in(*i), None)
                    }
                    NodeKind::Key(arn) => {
                        let (label, account) = key_label(arn);
                        (Kind::Key, label, arn.clone(), account, None)
                    }
                    NodeKind::Pipeline(p) => {
                        let name = pipeline_name(workspace, *p);
                        (Kind::Pipeline, name.clone(), name, runs_in(*i), Some(*p))
                    }
                    NodeKind::Action(p, s, a) => {
                        let (path, provider) = action_names(workspace, *p, *s, *a);
                        let mut label = match provider {
                            Some(provider) => format!("{path} ({provider})"),
                            None => path.clone(),
                        };
                        if several {
                            label = format!("{}: {label}", pipeline_name(workspace, *p));
                        }
                        (Kind::Action, label, path, runs_in(*i), Some(*p))
                    }
                    NodeKind::Artifact(p, name) => {
                        (Kind::Artifact, name.clone(), name.clone(), None, Some(*p))
                    }
                };
                ViewNode {
                    kind,
                    label,
                    full,
                    account,
                    pipeline,
                }
            })
            .collect();
        // An artifact lives where the action that produces it runs.
        for edge in &edges {
            if edge.kind == EdgeKind::Produces && nodes[edge.to].account.is_none() {
                nodes[edge.to].account = nodes[edge.from].account;
            }
        }
        View { nodes, edges }
    }

    /// The nodes the pictures draw (all but accounts), in order.
    fn drawn(&self) -> impl Iterator<Item = usize> + '_ {
        (0..self.nodes.len()).filter(|&i| self.nodes[i].kind != Kind::Account)
    }

    /// The accounts the pictures draw as boxes: those of pipelines first, then by ID.
    fn accounts(&self) -> Vec<AccountId> {
        let mut homes: Vec<AccountId> = Vec::new();
        let mut rest: BTreeSet<AccountId> = BTreeSet::new();
        for i in self.drawn() {
            let node = &self.nodes[i];
            if let Some(account) = node.account {
                if node.kind == Kind::Pipeline {
                    if !homes.contains(&account) {
                        homes.push(account);
                    }
                } else {
                    rest.insert(account);
                }
            }
        }
        let rest: Vec<AccountId> = rest.into_iter().filter(|a| !homes.contains(a)).collect();
        homes.extend(rest);
        homes
    }

    /// The edges the pictures draw: no `runs-in`; edges between the same nodes that look the
    /// same merged into one.
    fn picture_edges(
        &self,
        graph: &TrustGraph,
        marks: &HashMap<usize, Vec<String>>,
    ) -> Vec<PictureEdge> {
        let mut merged: BTreeMap<(usize, usize, Class), BTreeSet<EdgeKind>> = BTreeMap::new();
        for edge in &self.edges {
            if edge.kind == EdgeKind::RunsIn
                || self.nodes[edge.from].kind == Kind::Account
                || self.nodes[edge.to].kind == Kind::Account
            {
                continue;
            }
            let class = match edge.check {
                None => Class::Structural,
                Some(index) => class_of(index, graph.checks.get(index), marks),
            };
            merged
                .entry((edge.from, edge.to, class))
                .or_default()
                .insert(edge.kind);
        }
        let mut edges: Vec<PictureEdge> = merged
            .into_iter()
            .map(|((from, to, class), kinds)| PictureEdge {
                from,
                to,
                kinds: kinds.into_iter().collect(),
                class,
            })
            .collect();
        edges.sort_by(|a, b| {
            (a.from, a.to, &a.kinds, &a.class).cmp(&(b.from, b.to, &b.kinds, &b.class))
        });
        edges
    }
}

/// How DOT lays the picture out: which edges point against the flow, and where the invisible
/// points between accounts attach.
///
/// Left to right, the flow is: accounts in the order of [`View::accounts`], and inside an
/// account actions, artifacts, roles, then what roles may use. An edge back to an earlier
/// account is reversed; inside an account, structural edges are placed first, then access
/// edges, each reversed when it would close a cycle. The result is acyclic, so every node of
/// an account reaches one of the account's sinks, and is reached from one of its sources: an
/// invisible point after the sinks of one account and before the sources of the next keeps
/// the accounts apart with only a few invisible edges (each of which Graphviz routes, and
/// which would otherwise widen the picture).
struct Layout {
    /// Per picture edge: laid out from `to` to `from`.
    reversed: Vec<bool>,
    /// Per account: the nodes with no edge to a node of the same account.
    sinks: Vec<Vec<usize>>,
    /// Per account: the nodes with no edge from a node of the same account.
    sources: Vec<Vec<usize>>,
}

impl Layout {
    fn new(view: &View, accounts: &[AccountId], edges: &[PictureEdge]) -> Layout {
        let order = |i: usize| {
            view.nodes[i]
                .account
                .and_then(|a| accounts.iter().position(|b| *b == a))
        };
        let mut reversed = vec![false; edges.len()];
        let mut out: Vec<Vec<usize>> = vec![Vec::new(); view.nodes.len()];
        let mut pending = Vec::new();
        for (n, edge) in edges.iter().enumerate() {
            match (order(edge.from), order(edge.to)) {
                (Some(a), Some(b)) if a > b => {
                    reversed[n] = true;
                    out[edge.to].push(edge.from);
                }
                (Some(a), Some(b)) if a < b => out[edge.from].push(edge.to),
                _ => pending.push(n),
            }
        }
        pending.sort_by_key(|&n| (edges[n].class != Class::Structural, n));
        for n in pending {
            let (from, to) = (edges[n].from, edges[n].to);
            if from != to && reaches(&out, to, from) {
                reversed[n] = true;
                out[to].push(from);
            } else {
                out[from].push(to);
            }
        }
        let mut sinks = vec![Vec::new(); accounts.len()];
        let mut sources = vec![Vec::new(); accounts.len()];
        let mut has_in = vec![false; view.nodes.len()];
        for (from, targets) in out.iter().enumerate() {
            for &to in targets {
                if from != to && order(from).is_some() && order(from) == order(to) {
                    has_in[to] = true;
                }
            }
        }
        for i in view.drawn() {
            let Some(k) = order(i) else { continue };
            if !out[i].iter().any(|&to| to != i && order(to) == Some(k)) {
                sinks[k].push(i);
            }
            if !has_in[i] {
                sources[k].push(i);
            }
        }
        Layout {
            reversed,
            sinks,
            sources,
        }
    }
}

/// True when `to` can be reached from `from`.
fn reaches(out: &[Vec<usize>], from: usize, to: usize) -> bool {
    let mut seen = vec![false; out.len()];
    let mut stack = vec![from];
    while let Some(n) = stack.pop() {
        if n == to {
            return true;
        }
        if !std::mem::replace(&mut seen[n], true) {
            stack.extend(&out[n]);
        }
    }
    false
}

fn class_of(index: usize, check: Option<&Check>, marks: &HashMap<usize, Vec<String>>) -> Class {
    if let Some(codes) = marks.get(&index).filter(|c| !c.is_empty()) {
        let codes: BTreeSet<&String> = codes.iter().collect();
        return Class::Marked(codes.into_iter().cloned().collect());
    }
    match check.map(|c| &c.outcome) {
        Some(Outcome::Allowed(_)) => Class::Allowed,
        Some(Outcome::Denied(_)) => Class::Denied,
        Some(Outcome::NotAllowed(_)) => Class::NotAllowed,
        Some(Outcome::Unknown { .. }) | None => Class::Unknown,
    }
}

fn pipeline_name(workspace: &Workspace, p: usize) -> String {
    workspace
        .pipelines
        .get(p)
        .and_then(|unit| unit.doc.pipeline.name.as_ref())
        .map_or_else(|| format!("pipeline {}", p + 1), |n| n.value.to_string())
}

/// `Stage/Action` and the provider, when known.
fn action_names(workspace: &Workspace, p: usize, s: usize, a: usize) -> (String, Option<String>) {
    let stage = workspace
        .pipelines
        .get(p)
        .and_then(|unit| unit.doc.pipeline.stages.get(s));
    let action = stage.and_then(|stage| stage.actions.get(a));
    let path = format!(
        "{}/{}",
        stage.map_or("?", |s| s.display_name()),
        action.map_or("?", |a| a.display_name())
    );
    let provider = action
        .map(|a| a.provider())
        .filter(|p| !p.is_empty())
        .map(str::to_string);
    (path, provider)
}

/// `key 1234abcd…` (or the alias) and the key's account.
fn key_label(reference: &str) -> (String, Option<AccountId>) {
    match KeyRef::parse(reference) {
        Ok(KeyRef::KeyArn {
            account, key_id, ..
        }) => {
            let keep = if key_id.starts_with("mrk-") { 12 } else { 8 };
            let label = if key_id.chars().count() > keep + 1 {
                format!("key {}…", key_id.chars().take(keep).collect::<String>())
            } else {
                format!("key {key_id}")
            };
            (label, account)
        }
        Ok(KeyRef::AliasArn { account, name, .. }) => (format!("alias/{name}"), account),
        Ok(KeyRef::AliasName { name }) => (format!("alias/{name}"), None),
        Ok(KeyRef::KeyId(id)) => (format!("key {id}"), None),
        Err(_) => (reference.to_string(), None),
    }
}

/// Graphviz shape and fill colour of a kind.
fn dot_shape(kind: Kind) -> (&'static str, &'static str) {
    match kind {
        Kind::Account => ("folder", "white"),
        Kind::Service => ("diamond", "#fff3d6"),
        Kind::Pipeline => ("box3d", "#e3ecfa"),
        Kind::Action => ("box", "white"),
        Kind::Artifact => ("note", "#fffbe6"),
        Kind::Role => ("ellipse", "#e8f4e8"),
        Kind::Bucket => ("cylinder", "#fdebd3"),
        Kind::Key => ("hexagon", "#f1e6f8"),
    }
}

/// Mermaid's opening and closing brackets of a kind.
fn mermaid_shape(kind: Kind) -> (&'static str, &'static str) {
    match kind {
        Kind::Account | Kind::Action => ("[", "]"),
        Kind::Service => ("{", "}"),
        Kind::Pipeline => ("[[", "]]"),
        Kind::Artifact => (">", "]"),
        Kind::Role => ("([", "])"),
        Kind::Bucket => ("[(", ")]"),
        Kind::Key => ("{{", "}}"),
    }
}

/// A DOT double-quoted string: backslashes and quotes escaped, line breaks as `\n`.
fn dot_quote(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 2);
    out.push('"');
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => {}
            c if c.is_control() => out.push(' '),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// Text for inside a Mermaid `"…"` label: quotes and the characters Mermaid reads as markup
/// or statement ends become entity codes, line breaks spaces.
fn mermaid_escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '"' => out.push_str("#quot;"),
            '#' => out.push_str("#35;"),
            '<' => out.push_str("#lt;"),
            '>' => out.push_str("#gt;"),
            ';' => out.push_str("#59;"),
            '`' => out.push_str("#96;"),
            '|' => out.push_str("#124;"),
            c if c.is_control() => out.push(' '),
            c => out.push(c),
        }
    }
    out
}

/// A JSON string literal.
fn json_str(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 2);
    out.push('"');
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if (c as u32) < 0x20 => {
                let _ = write!(out, "\\u{:04x}", c as u32);
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

fn json_opt(text: Option<&str>) -> String {
    text.map_or_else(|| "null".to_string(), json_str)
}

fn json_num(n: Option<usize>) -> String {
    n.map_or_else(|| "null".to_string(), |n| n.to_string())
}

fn json_list<'a>(items: impl IntoIterator<Item = &'a str>) -> String {
    let items: Vec<String> = items.into_iter().map(json_str).collect();
    format!("[{}]", items.join(", "))
}

fn side_name(side: Side) -> &'static str {
    side.name()
}

fn json_check(
    index: usize,
    check: &Check,
    workspace: &Workspace,
    marks: &HashMap<usize, Vec<String>>,
) -> String {
    let (outcome, missing, reasons): (&str, Option<&str>, &[String]) = match &check.outcome {
        Outcome::Allowed(_) => ("allowed", None, &[]),
        Outcome::Denied(_) => ("denied", None, &[]),
        Outcome::NotAllowed(side) => ("not-allowed", Some(side_name(*side)), &[]),
        Outcome::Unknown { reasons, missing } => {
            let identity = missing
                .iter()
                .any(|s| matches!(s, Side::Identity | Side::Both));
            let resource = missing
                .iter()
                .any(|s| matches!(s, Side::Resource | Side::Both));
            let missing = match (identity, resource) {
                (true, true) => Some("both"),
                (true, false) => Some("identity"),
                (false, true) => Some("resource"),
                (false, false) => None,
            };
            ("unknown", missing, reasons)
        }
    };
    let findings: BTreeSet<&str> = marks
        .get(&index)
        .into_iter()
        .flatten()
        .map(String::as_str)
        .collect();
    let need = &check.need;
    format!(
        "{{\"index\": {index}, \"kind\": {}, \"principal\": {}, \"action\": {}, \
         \"resource\": {}, \"outcome\": {}, \"missing\": {}, \"reasons\": {}, \
         \"findings\": {}, \"need\": {{\"pipeline\": {}, \"stage\": {}, \"action\": {}, \
         \"artifacts\": {}}}}}",
        json_str(check.kind.name()),
        json_str(&check.principal),
        json_str(check.iam_action),
        json_str(&check.resource),
        json_str(outcome),
        json_opt(missing),
        json_list(reasons.iter().map(String::as_str)),
        json_list(findings),
        need.pipeline,
        json_num(need.action_index().map(|(s, _)| s)),
        json_num(need.action_index().map(|(_, a)| a)),
        json_list(need.artifact_names(workspace).iter().map(|a| a.as_str())),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes() {
        assert_eq!(dot_quote("a \"b\" \\ c\nd"), r#""a \"b\" \\ c\nd""#);
        assert_eq!(
            mermaid_escape("say \"hi\" #1; <b>|`x`"),
            "say #quot;hi#quot; #35;1#59; #lt;b#gt;#124;#96;x#96;"
        );
        assert_eq!(json_str("a\"b\\\u{1}"), r#""a\"b\\\u0001""#);
    }

    #[test]
    fn key_labels_are_short() {
        let (label, account) = key_label(
            "arn:aws:kms:us-east-2:111111111111:key/1234abcd-12ab-34cd-56ef-1234567890ab",
        );
        assert_eq!(label, "key 1234abcd…");
        assert_eq!(
            account.map(|a| a.to_string()).as_deref(),
            Some("111111111111")
        );
        assert_eq!(key_label("alias/aws/s3").0, "alias/aws/s3");
    }

    #[test]
    fn an_empty_graph_renders_in_every_format() {
        let graph = TrustGraph::empty();
        let workspace = Workspace::default();
        let marks = HashMap::new();
        assert_eq!(
            to_dot(&graph, &workspace, &marks, &[]).lines().last(),
            Some("}")
        );
        assert_eq!(
            to_mermaid(&graph, &workspace, &marks, &[]),
            "flowchart LR\n"
        );
        assert_eq!(
            to_json(&graph, &workspace, &marks),
            "{\n  \"version\": 1,\n  \"nodes\": [],\n  \"edges\": [],\n  \"checks\": []\n}\n"
        );
    }
}
