//! Hover on an account ID or an ARN: the account's name from the config's `[accounts]`, and
//! what the run knows of the principal or resource: the policies tied to it, the pipelines
//! and actions that use a role, the pipelines of an account.

use std::fmt::Write as _;

use lsp_types::{Hover, HoverContents, HoverParams, MarkupContent, MarkupKind};
use xacct_model::arn::{AccountId, Arn};
use xacct_model::workspace::Governs;
use xacct_syntax::{FileId, SourceFile, Span};

use super::position::{offset, range};
use super::session::Session;

/// The answer to a hover request, if the position is on an account ID or an ARN.
pub fn hover(session: &Session, params: &HoverParams) -> Option<Hover> {
    let at = &params.text_document_position_params;
    let path = super::uri::to_path(&at.text_document.uri)?;
    let file = session.file_of(&path)?;
    let source = session.source(file)?;
    let (span, token) = token_at(source, offset(source, at.position))?;
    let text = describe(session, file, token)?;
    Some(Hover {
        contents: HoverContents::Markup(MarkupContent {
            kind: MarkupKind::Markdown,
            value: text,
        }),
        range: Some(range(source, span)),
    })
}

/// The ARN or account ID under `at`: the run of characters an ARN may hold around it (no
/// quote, backslash or space, so an ARN inside a policy written as a JSON string is found).
pub fn token_at(source: &SourceFile, at: u32) -> Option<(Span, &str)> {
    let text = source.text();
    let at = (source.floor_char_boundary(at) as usize).min(text.len());
    let part = |c: char| c.is_ascii_alphanumeric() || ":/_+=,.@-*?$".contains(c);
    let start = text[..at]
        .char_indices()
        .rev()
        .take_while(|&(_, c)| part(c))
        .last()
        .map_or(at, |(i, _)| i);
    let end = text[at..]
        .char_indices()
        .find(|&(_, c)| !part(c))
        .map_or(text.len(), |(i, _)| at + i);
    let token = text.get(start..end)?;
    if token.is_empty() || token.len() > 2048 {
        return None;
    }
    Some((Span::new(start as u32, end as u32), token))
}

/// The hover text for a token, or `None` when it is neither an account ID nor an ARN.
fn describe(session: &Session, file: FileId, token: &str) -> Option<String> {
    if let Some(account) = AccountId::parse(token) {
        let mut out = format!("**account {}**", account_name(session, file, account));
        pipelines_of_account(session, account, &mut out);
        return Some(out);
    }
    let arn = Arn::parse(token).ok()?;
    let mut out = format!("**`{token}`**");
    if let Some(account) = AccountId::parse(arn.account) {
        let _ = write!(
            out,
            "\n\nin account {}",
            account_name(session, file, account)
        );
    }
    let resource = arn.resource;
    match arn.service {
        "iam" if resource.starts_with("role/") => {
            policies(
                session,
                &[
                    Governs::RoleTrust(token.to_string()),
                    Governs::RoleIdentity(token.to_string()),
                ],
                &mut out,
            );
            uses_of_role(session, token, &mut out);
        }
        "s3" => {
            let bucket = resource.split('/').next().unwrap_or(resource);
            policies(session, &[Governs::Bucket(bucket.to_string())], &mut out);
        }
        "kms" if resource.starts_with("key/") => {
            policies(session, &[Governs::Key(token.to_string())], &mut out);
        }
        _ => {}
    }
    Some(out)
}

/// `111111111111 (tools)` after the `[accounts]` of the file's config, or the ID alone.
fn account_name(session: &Session, file: FileId, account: AccountId) -> String {
    let name = session
        .source(file)
        .and_then(|s| session.configs.of(s.path()))
        .and_then(|c| c.accounts.iter().find(|(_, id)| **id == account))
        .map(|(name, _)| name.clone());
    match name {
        Some(name) => format!("{account} ({name})"),
        None => account.to_string(),
    }
}

/// `path:line:col`, relative to the first workspace folder.
fn place(session: &Session, file: FileId, span: Span) -> String {
    let Some(source) = session.source(file) else {
        return String::new();
    };
    let path = crate::paths::absolute(source.path());
    let shown = session
        .roots
        .first()
        .and_then(|root| path.strip_prefix(root).ok())
        .unwrap_or(&path);
    let at = source.line_col(span.start);
    // Backticks would end the code span: the path is input-derived.
    let shown = shown.display().to_string().replace('`', "'");
    format!("`{shown}:{}:{}`", at.line, at.column)
}

fn policies(session: &Session, what: &[Governs], out: &mut String) {
    let mut any = false;
    for governs in what {
        for unit in session.workspace.governing(governs) {
            if !any {
                out.push_str("\n\npolicies tied to it in this workspace:");
                any = true;
            }
            let kind = unit.entry.kind.map_or("policy", |k| k.describe());
            let name = unit
                .entry
                .name
                .as_deref()
                .map(|n| format!(" `{}`", n.replace('`', "'")))
                .unwrap_or_default();
            let _ = write!(
                out,
                "\n- {kind}{name} at {}",
                place(session, unit.file, unit.entry.document.span)
            );
        }
    }
    if !any {
        out.push_str("\n\nno policy tied to it in this workspace");
    }
}

fn uses_of_role(session: &Session, arn: &str, out: &mut String) {
    // The same role whatever path or case an ARN names it with, as the policies are found.
    let key = xacct_model::workspace::role_key(arn);
    let same = |other: &str| xacct_model::workspace::role_key(other) == key;
    let mut any = false;
    let mut line = |text: String, out: &mut String| {
        if !any {
            out.push_str("\n\nused by:");
            any = true;
        }
        let _ = write!(out, "\n- {text}");
    };
    for unit in &session.workspace.pipelines {
        let pipeline = &unit.doc.pipeline;
        let name = pipeline
            .name
            .as_ref()
            .map_or("?", |n| n.value.as_str())
            .replace('`', "'");
        if let Some(role) = pipeline.role_arn.as_ref().filter(|r| same(&r.value)) {
            line(
                format!(
                    "pipeline `{name}` (its service role) at {}",
                    place(session, unit.file, role.span)
                ),
                out,
            );
        }
        for (stage, _, action) in pipeline.actions() {
            let Some(role) = action.role_arn.as_ref().filter(|r| same(&r.value)) else {
                continue;
            };
            let stage = pipeline
                .stages
                .get(stage)
                .and_then(|s| s.name.as_ref())
                .map_or("?", |n| n.value.as_str())
                .replace('`', "'");
            let action = action
                .name
                .as_ref()
                .map_or("?", |n| n.value.as_str())
                .replace('`', "'");
            line(
                format!(
                    "pipeline `{name}`, action `{stage}/{action}` at {}",
                    place(session, unit.file, role.span)
                ),
                out,
            );
        }
    }
}

fn pipelines_of_account(session: &Session, account: AccountId, out: &mut String) {
    let mut any = false;
    for unit in &session.workspace.pipelines {
        if unit.accounts.pipeline_account() != Some(account) {
            continue;
        }
        if !any {
            out.push_str("\n\npipelines in this account:");
            any = true;
        }
        let pipeline = &unit.doc.pipeline;
        let (name, span) = pipeline
            .name
            .as_ref()
            .map_or(("?", Span::empty(0)), |n| (n.value.as_str(), n.span));
        let _ = write!(
            out,
            "\n- `{}` at {}",
            name.replace('`', "'"),
            place(session, unit.file, span)
        );
    }
    let roles = session
        .workspace
        .policies
        .iter()
        .filter_map(|unit| match &unit.governs {
            Some(Governs::RoleTrust(arn)) => Some(arn.as_str()),
            _ => None,
        })
        .filter(|arn| Arn::parse(arn).is_ok_and(|a| a.account == account.to_string()));
    let mut roles: Vec<&str> = roles.collect();
    roles.sort_unstable();
    roles.dedup();
    if !roles.is_empty() {
        out.push_str("\n\nroles of this account with a trust policy here:");
        for role in roles {
            let _ = write!(out, "\n- `{}`", role.replace('`', "'"));
        }
    }
}
