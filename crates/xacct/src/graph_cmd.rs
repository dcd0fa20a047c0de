//! `xacct graph`: the trust graph as DOT, Mermaid or JSON.

use std::collections::HashMap;
use std::io::Write;

use clap::ValueEnum;

use crate::{lint, Prepared, EXIT_CLEAN, EXIT_TROUBLE};

/// Output formats of `xacct graph`.
#[derive(Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum GraphFormat {
    /// Graphviz DOT (`dot -Tsvg`).
    Dot,
    /// Mermaid, to paste into a pull request or a Markdown file.
    Mermaid,
    /// JSON: nodes, edges, checks and their outcomes.
    Json,
}

/// Builds the graph of the files and prints it.
pub fn run(prepared: Prepared, format: GraphFormat) -> u8 {
    // The boxes carry the `[accounts]` names, as the findings' messages do.
    let names = prepared.configs.account_names();
    let (run, workspace, graph) = lint::lint_with_graph(
        &prepared.gate,
        prepared.files,
        &prepared.bindings,
        &prepared.options,
        true,
    );
    // The findings that break an edge: check index → codes.
    let mut marks: HashMap<usize, Vec<String>> = HashMap::new();
    for d in run.diagnostics() {
        for check in d.check.iter().chain(&d.also_about) {
            let codes = marks.entry(*check).or_default();
            if !codes.iter().any(|c| c == d.code) {
                codes.push(d.code.to_string());
            }
        }
    }
    let text = match format {
        GraphFormat::Dot => xacct_graph::render::to_dot(&graph, &workspace, &marks, &names),
        GraphFormat::Mermaid => xacct_graph::render::to_mermaid(&graph, &workspace, &marks, &names),
        GraphFormat::Json => xacct_graph::render::to_json(&graph, &workspace, &marks),
    };
    // The renderers quote names from the input for their format (control characters among
    // them); what none of them covers (C1 controls in JSON, reordering marks) becomes a visible
    // `\u` escape: the same JSON value, a harmless text in DOT and Mermaid labels.
    let text = crate::escape::json(text);
    let mut out = std::io::stdout().lock();
    if out
        .write_all(text.as_bytes())
        .and_then(|()| out.flush())
        .is_err()
    {
        return EXIT_TROUBLE;
    }
    EXIT_CLEAN
}
