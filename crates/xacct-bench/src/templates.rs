//! The corpus's pipelines as CloudFormation YAML templates, for the template benchmark and for
//! checking that a template finds what the same pipeline's JSON finds.
//!
//! A template is what a team would write for the pipeline: an `AWS::CodePipeline::Pipeline`
//! resource with PascalCase properties, `ArtifactStores` as a list of `{Region, ArtifactStore}`,
//! every account of a role ARN a parameter (`!Sub arn:aws:iam::${Account…}:role/...`, its
//! `Default` the account), and plain block YAML.

use std::fmt::Write;

use xacct_syntax::json::{Node, Value};

/// The template of a generated `get-pipeline` file (its JSON text), and the pipeline's region
/// (from `metadata.pipelineArn`: the template does not say where it is deployed).
pub fn template(json: &str) -> Option<(String, String)> {
    let document = xacct_syntax::json::parse(json).ok()?;
    let pipeline = document.root.get("pipeline")?;
    let region = document
        .root
        .get("metadata")?
        .get("pipelineArn")?
        .as_str()?
        .split(':')
        .nth(3)?
        .to_string();
    let mut accounts: Vec<String> = Vec::new();
    let mut body = String::new();
    for member in pipeline.as_object()? {
        if member.key == "version" {
            continue; // CloudFormation has no such property
        }
        let key = pascal(&member.key);
        if member.key == "artifactStores" {
            body.push_str("      ArtifactStores:\n");
            for store in member.value.as_object().unwrap_or_default() {
                let _ = writeln!(body, "        - Region: {}", store.key);
                body.push_str("          ArtifactStore:\n");
                emit(&mut body, &store.value, 12, false, &mut accounts);
            }
            continue;
        }
        let _ = write!(body, "      {key}:");
        emit_value(&mut body, &member.value, 6, false, &mut accounts);
    }
    let mut out = String::from("AWSTemplateFormatVersion: \"2010-09-09\"\nDescription: A release pipeline and the accounts it deploys to\n");
    if !accounts.is_empty() {
        out.push_str("Parameters:\n");
        for account in &accounts {
            let _ = writeln!(
                out,
                "  Account{account}:\n    Type: String\n    Description: An account the pipeline deploys to\n    Default: \"{account}\""
            );
        }
    }
    out.push_str(
        "Resources:\n  Pipeline:\n    Type: AWS::CodePipeline::Pipeline\n    Properties:\n",
    );
    out.push_str(&body);
    Some((out, region))
}

fn pascal(key: &str) -> String {
    let mut chars = key.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

/// A value after its key (`Key:` already written): inline for scalars, else on new lines.
fn emit_value(
    out: &mut String,
    node: &Node<'_>,
    indent: usize,
    config: bool,
    accounts: &mut Vec<String>,
) {
    match &node.value {
        Value::Object(members) if members.is_empty() => out.push_str(" {}\n"),
        Value::Array(items) if items.is_empty() => out.push_str(" []\n"),
        Value::Object(_) | Value::Array(_) => {
            out.push('\n');
            emit(out, node, indent + 2, config, accounts);
        }
        _ => {
            out.push(' ');
            scalar(out, node, accounts);
            out.push('\n');
        }
    }
}

/// A collection at `indent`.
fn emit(
    out: &mut String,
    node: &Node<'_>,
    indent: usize,
    config: bool,
    accounts: &mut Vec<String>,
) {
    let pad = " ".repeat(indent);
    match &node.value {
        Value::Object(members) => {
            for m in members {
                // Configuration keys are the provider's own; everything else is PascalCase.
                let key = if config {
                    m.key.to_string()
                } else {
                    pascal(&m.key)
                };
                let _ = write!(out, "{pad}{key}:");
                emit_value(out, &m.value, indent, m.key == "configuration", accounts);
            }
        }
        Value::Array(items) => {
            for item in items {
                match &item.value {
                    Value::Object(members) if !members.is_empty() => {
                        // `- First: …` then the other members under it.
                        let mut first = String::new();
                        emit(&mut first, item, indent + 2, config, accounts);
                        let trimmed = first.trim_start_matches(' ');
                        let _ = write!(out, "{pad}- {trimmed}");
                    }
                    _ => {
                        let _ = write!(out, "{pad}-");
                        emit_value(out, item, indent, config, accounts);
                    }
                }
            }
        }
        _ => {
            out.push_str(&pad);
            scalar(out, node, accounts);
            out.push('\n');
        }
    }
}

/// A scalar: role ARNs with their account as a parameter, everything else quoted as JSON does.
fn scalar(out: &mut String, node: &Node<'_>, accounts: &mut Vec<String>) {
    match &node.value {
        Value::String(s) => {
            if let Some(rest) = s.strip_prefix("arn:aws:iam::") {
                if let Some((account, role)) = rest.split_once(':') {
                    if account.len() == 12 && account.bytes().all(|b| b.is_ascii_digit()) {
                        if !accounts.iter().any(|a| a == account) {
                            accounts.push(account.to_string());
                        }
                        let _ = write!(out, "!Sub \"arn:aws:iam::${{Account{account}}}:{role}\"");
                        return;
                    }
                }
            }
            let _ = write!(out, "{}", serde_json::Value::String(s.to_string()));
        }
        Value::Number(n) => out.push_str(n),
        Value::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        _ => out.push_str("null"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use xacct_rules::{lint_bytes, LintOptions};
    use xacct_syntax::FileId;

    fn codes(name: &str, text: &str, region: Option<String>) -> Vec<&'static str> {
        let options = LintOptions {
            input: xacct_input::Options {
                region,
                ..Default::default()
            },
            ..LintOptions::default()
        };
        let (_, report) = lint_bytes(
            FileId(0),
            std::path::Path::new(name),
            text.as_bytes().to_vec(),
            true,
            &options,
        );
        let mut codes: Vec<&'static str> = report.diagnostics.iter().map(|d| d.code).collect();
        codes.sort();
        codes.dedup();
        codes
    }

    #[test]
    fn a_template_finds_what_its_json_finds() {
        let corpus = crate::generate(150, 7);
        let mut broken = 0;
        for file in &corpus.pipelines {
            let (yaml, region) = template(&file.json).expect("a template");
            let from_json = codes("p.json", &file.json, None);
            let from_yaml = codes("p.yaml", &yaml, Some(region));
            assert_eq!(from_json, from_yaml, "{}\n{yaml}", file.name);
            broken += usize::from(!from_json.is_empty());
        }
        assert!(broken > 0, "the sample holds some mistakes");
    }
}
