//! Go to definition: from a role ARN to the policies that govern it (its trust and identity
//! documents, wherever the run found them), and in a CloudFormation template from `Ref` and
//! `Fn::GetAtt` to the resource or parameter of the template, and from `Fn::ImportValue` of a
//! literal name to the output of the run's template that exports it.

use lsp_types::{GotoDefinitionParams, GotoDefinitionResponse, Location};
use xacct_model::arn::Arn;
use xacct_model::workspace::Governs;
use xacct_syntax::json::{Document, Node, Value};
use xacct_syntax::{FileId, SourceFile, Span};

use super::hover::token_at;
use super::position::{offset, range};
use super::session::Session;
use super::uri::from_path;

/// The answer to a definition request.
pub fn definition(
    session: &Session,
    params: &GotoDefinitionParams,
) -> Option<GotoDefinitionResponse> {
    let at = &params.text_document_position_params;
    let path = super::uri::to_path(&at.text_document.uri)?;
    let file = session.file_of(&path)?;
    let source = session.source(file)?;
    let offset = offset(source, at.position);
    let mut found = Vec::new();
    if let Some((_, token)) = token_at(source, offset) {
        if Arn::parse(token).is_ok_and(|a| a.service == "iam" && a.resource.starts_with("role/")) {
            for governs in [
                Governs::RoleTrust(token.to_string()),
                Governs::RoleIdentity(token.to_string()),
            ] {
                for unit in session.workspace.governing(&governs) {
                    found.extend(location(session, unit.file, unit.entry.document.span));
                }
            }
        }
    }
    if found.is_empty() {
        found = template_target(session, file, source, offset);
    }
    match found.len() {
        0 => None,
        1 => found.pop().map(GotoDefinitionResponse::Scalar),
        _ => Some(GotoDefinitionResponse::Array(found)),
    }
}

fn location(session: &Session, file: FileId, span: Span) -> Option<Location> {
    let source = session.source(file)?;
    Some(Location {
        uri: from_path(&session.path(file)?),
        range: range(source, span),
    })
}

/// Parses a file's text as its loader would (syntax by name and content, the default limits):
/// `None` when it does not parse.
fn parse(source: &SourceFile) -> Option<Document<'_>> {
    let limits = xacct_input::Limits::default().parse();
    let text = source.text();
    match xacct_input::detect::syntax_of(source.path(), text) {
        xacct_input::Syntax::Json => xacct_syntax::json::parse_with(text, &limits).ok(),
        xacct_input::Syntax::Yaml => xacct_syntax::yaml::parse_with(text, &limits).ok(),
    }
}

/// The intrinsic function under `at`: its name and argument.
fn intrinsic_at<'n, 's>(node: &'n Node<'s>, at: u32) -> Option<(&'n str, &'n Node<'s>)> {
    let inside = |span: Span| span.start <= at && at <= span.end;
    match &node.value {
        Value::Object(members) => members.iter().find_map(|m| {
            if !inside(m.key_span) && !inside(m.value.span) {
                return None;
            }
            if matches!(m.key.as_ref(), "Ref" | "Fn::GetAtt" | "Fn::ImportValue")
                && members.len() == 1
            {
                if let Some(deeper) = intrinsic_at(&m.value, at) {
                    return Some(deeper);
                }
                return Some((m.key.as_ref(), &m.value));
            }
            intrinsic_at(&m.value, at)
        }),
        Value::Array(items) => items
            .iter()
            .filter(|n| inside(n.span))
            .find_map(|n| intrinsic_at(n, at)),
        _ => None,
    }
}

fn template_target(session: &Session, file: FileId, source: &SourceFile, at: u32) -> Vec<Location> {
    let Some(document) = parse(source) else {
        return Vec::new();
    };
    let Some((function, argument)) = intrinsic_at(&document.root, at) else {
        return Vec::new();
    };
    match function {
        "Ref" | "Fn::GetAtt" => {
            let target = match &argument.value {
                Value::String(s) if function == "Ref" => s.as_ref(),
                // `Fn::GetAtt: Name.Attribute`, as the short form `!GetAtt Name.Attribute` gives.
                Value::String(s) => s.split('.').next().unwrap_or(s),
                Value::Array(items) => match items.first().map(|n| &n.value) {
                    Some(Value::String(s)) => s.as_ref(),
                    _ => return Vec::new(),
                },
                _ => return Vec::new(),
            };
            let sections: &[&str] = if function == "Ref" {
                &["Resources", "Parameters"]
            } else {
                &["Resources"]
            };
            sections
                .iter()
                .filter_map(|section| document.root.get(section)?.member(target))
                .filter_map(|member| location(session, file, member.key_span))
                .take(1)
                .collect()
        }
        _ => {
            let Value::String(name) = &argument.value else {
                return Vec::new();
            };
            exports(session, name)
        }
    }
}

/// The outputs of the run's templates that export `name` (a literal `Export.Name`).
fn exports(session: &Session, name: &str) -> Vec<Location> {
    let mut found = Vec::new();
    for (file, _) in session.findings() {
        let Some(source) = session.source(file) else {
            continue;
        };
        if !source.text().contains(name) || !xacct_input::cfn::stacks::may_link(source.text()) {
            continue;
        }
        let Some(document) = parse(source) else {
            continue;
        };
        let Some(outputs) = document.root.get("Outputs").and_then(Node::as_object) else {
            continue;
        };
        for output in outputs {
            let export = output.value.get("Export").and_then(|e| e.get("Name"));
            if export.and_then(Node::as_str) == Some(name) {
                found.extend(location(session, file, output.key_span));
            }
        }
    }
    found
}
