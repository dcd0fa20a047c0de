//! Code actions: the fixes of the findings under the cursor (or the selection), each a quick
//! fix whose `WorkspaceEdit` holds exactly the edits `xacct lint --fix` would write, converted to
//! LSP ranges against the texts the run linted (an open buffer's, not the disk's). A safe fix is
//! marked preferred; a manual one (a suppression, whose reason someone must write) is offered as
//! any other, since in an editor a person applies it.

use std::collections::HashMap;

use lsp_types::{
    CodeAction, CodeActionKind, CodeActionOrCommand, CodeActionParams, TextEdit, Uri, WorkspaceEdit,
};
use xacct_rules::{Applicability, Diagnostic, Fix};

use super::diagnostics::to_lsp;
use super::position::{offset, range};
use super::session::Session;
use super::uri::{from_path, to_path};

/// The quick fixes of the findings of the document whose span meets the requested range.
pub fn code_actions(session: &Session, params: &CodeActionParams) -> Vec<CodeActionOrCommand> {
    let Some(file) = to_path(&params.text_document.uri).and_then(|p| session.file_of(&p)) else {
        return Vec::new();
    };
    let Some(source) = session.source(file) else {
        return Vec::new();
    };
    let (from, to) = (
        offset(source, params.range.start),
        offset(source, params.range.end),
    );
    let mut actions = Vec::new();
    for (at, findings) in session.findings() {
        if at != file {
            continue;
        }
        for d in findings
            .iter()
            .filter(|d| d.span.start <= to && from <= d.span.end)
        {
            for (i, fix) in d.fixes.iter().enumerate() {
                if let Some(action) = action(session, d, fix, i == 0) {
                    actions.push(CodeActionOrCommand::CodeAction(action));
                }
            }
        }
    }
    actions
}

/// One fix as a code action, or `None` when an edit's file is unknown to the session.
// lsp-types' `WorkspaceEdit::changes` is keyed by `Uri`, whose parsed parts clippy takes for
// interior mutability; the keys are never changed once in the map.
#[allow(clippy::mutable_key_type)]
fn action(session: &Session, d: &Diagnostic, fix: &Fix, first: bool) -> Option<CodeAction> {
    let mut changes: HashMap<Uri, Vec<TextEdit>> = HashMap::new();
    for edit in &fix.edits {
        let source = session.source(edit.file)?;
        changes
            .entry(from_path(&session.path(edit.file)?))
            .or_default()
            .push(TextEdit {
                range: range(source, edit.span),
                new_text: edit.replacement.clone(),
            });
    }
    Some(CodeAction {
        title: fix.title.clone(),
        kind: Some(CodeActionKind::QUICKFIX),
        diagnostics: to_lsp(session, d).map(|d| vec![d]),
        edit: Some(WorkspaceEdit {
            changes: Some(changes),
            ..WorkspaceEdit::default()
        }),
        command: None,
        is_preferred: Some(first && fix.applicability == Applicability::Safe),
        disabled: None,
        data: None,
    })
}
