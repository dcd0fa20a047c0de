//! `xacct server`: a Language Server over standard input and output (rust-analyzer's
//! `lsp-server` framing, `lsp-types`). It loads and lints the workspace folders once, as
//! `xacct lint FOLDERS...` would (same discovery, configs and read gate), publishes each file's
//! findings, and keeps every file's loaded documents: a change to an open file loads that file
//! alone from the editor's buffer and runs the workspace phase again over the others.
//!
//! One job a file: [`session`] the loaded workspace, [`diagnostics`] findings as LSP
//! diagnostics, [`hover`] and [`definition`] the answers about a position, [`actions`] the
//! findings' fixes as quick fixes, [`position`] byte
//! offsets and UTF-16 positions, [`uri`] `file:` URIs and paths.

pub mod actions;
pub mod definition;
pub mod diagnostics;
pub mod hover;
pub mod position;
pub mod session;
pub mod uri;

use std::collections::HashMap;
use std::path::PathBuf;

use lsp_server::{Connection, ErrorCode, Message, Notification, Request, Response};
use lsp_types::notification::{
    DidChangeTextDocument, DidChangeWatchedFiles, DidCloseTextDocument, DidOpenTextDocument,
    DidSaveTextDocument, Notification as _, PublishDiagnostics,
};
use lsp_types::request::{CodeActionRequest, GotoDefinition, HoverRequest, Request as _};
use lsp_types::{
    CodeActionProviderCapability, HoverProviderCapability, InitializeParams, OneOf,
    PublishDiagnosticsParams, SaveOptions, ServerCapabilities, ServerInfo,
    TextDocumentSyncCapability, TextDocumentSyncKind, TextDocumentSyncOptions,
    TextDocumentSyncSaveOptions,
};

use session::Session;

/// Runs the server until the client says `exit`: 0 after a `shutdown`, 1 without one (as the
/// protocol asks), 2 when the connection failed.
pub fn run() -> u8 {
    let (connection, io_threads) = Connection::stdio();
    let status = serve(&connection);
    // The writer ends when the connection's sender is dropped.
    drop(connection);
    match io_threads.join() {
        Ok(()) => status,
        Err(e) => {
            eprintln!("xacct server: {e}");
            crate::EXIT_TROUBLE
        }
    }
}

fn capabilities() -> ServerCapabilities {
    ServerCapabilities {
        text_document_sync: Some(TextDocumentSyncCapability::Options(
            TextDocumentSyncOptions {
                open_close: Some(true),
                change: Some(TextDocumentSyncKind::FULL),
                will_save: None,
                will_save_wait_until: None,
                save: Some(TextDocumentSyncSaveOptions::SaveOptions(SaveOptions {
                    include_text: Some(false),
                })),
            },
        )),
        hover_provider: Some(HoverProviderCapability::Simple(true)),
        definition_provider: Some(OneOf::Left(true)),
        code_action_provider: Some(CodeActionProviderCapability::Simple(true)),
        ..ServerCapabilities::default()
    }
}

/// The workspace folders the client names (else its root URI), as absolute paths.
fn roots(params: &InitializeParams) -> Vec<PathBuf> {
    let mut roots: Vec<PathBuf> = params
        .workspace_folders
        .iter()
        .flatten()
        .filter_map(|f| uri::to_path(&f.uri))
        .collect();
    #[allow(deprecated)] // Older clients send only `rootUri`.
    if roots.is_empty() {
        roots.extend(params.root_uri.as_ref().and_then(uri::to_path));
    }
    roots
}

fn serve(connection: &Connection) -> u8 {
    let result = serde_json::json!({
        "capabilities": capabilities(),
        "serverInfo": ServerInfo {
            name: "xacct".to_string(),
            version: Some(env!("XACCT_VERSION").to_string()),
        },
    });
    let params = match connection
        .initialize_start()
        .and_then(|(id, params)| connection.initialize_finish(id, result).map(|()| params))
    {
        Ok(params) => params,
        Err(e) => {
            eprintln!("xacct server: {e}");
            return crate::EXIT_TROUBLE;
        }
    };
    let params: InitializeParams = match serde_json::from_value(params) {
        Ok(params) => params,
        Err(e) => {
            eprintln!("xacct server: the initialize parameters are not understood: {e}");
            return crate::EXIT_TROUBLE;
        }
    };
    let roots = roots(&params);
    let watch = params
        .capabilities
        .workspace
        .as_ref()
        .and_then(|w| w.did_change_watched_files.as_ref())
        .and_then(|d| d.dynamic_registration)
        == Some(true);
    let trace = params.trace == Some(lsp_types::TraceValue::Verbose);
    // A config is looked for in the current folder when a file has none above it: the first
    // workspace folder's, not wherever the editor started the server.
    if let Some(first) = roots.first() {
        let _ = std::env::set_current_dir(first);
    }
    let mut server = Server {
        connection,
        session: load(connection, roots.clone()),
        roots,
        published: diagnostics::Published::default(),
        trace,
    };
    server.publish();
    if watch {
        register_watchers(connection);
    }
    for message in &connection.receiver {
        match message {
            Message::Request(request) => match connection.handle_shutdown(&request) {
                Ok(true) => return crate::EXIT_CLEAN,
                Ok(false) => {
                    // Answers are about the buffers as they are now.
                    server.settle();
                    server.request(request);
                }
                Err(e) => {
                    eprintln!("xacct server: {e}");
                    return crate::EXIT_TROUBLE;
                }
            },
            Message::Notification(notification) => {
                if notification.method == "exit" {
                    // `exit` without `shutdown` first.
                    return crate::EXIT_FINDINGS;
                }
                server.notification(notification);
                // Edits that arrive faster than a run are linted together: only once no
                // message waits.
                if connection.receiver.is_empty() {
                    server.settle();
                }
            }
            Message::Response(_) => {}
        }
    }
    crate::EXIT_FINDINGS
}

/// Loads the workspace; when its config cannot be used, says so and serves an empty one (a
/// save reloads).
fn load(connection: &Connection, roots: Vec<PathBuf>) -> Option<Session> {
    match Session::load(roots, HashMap::new()) {
        Ok(session) => Some(session),
        Err(troubles) => {
            for trouble in troubles {
                show_message(connection, &trouble.message);
            }
            None
        }
    }
}

/// Asks the client to say when the files xacct reads change on disk (its answer is not
/// waited for: a client that refuses only loses those reloads).
fn register_watchers(connection: &Connection) {
    let watchers = ["**/*.{json,yaml,yml,template,tf,tfvars}", "**/xacct.toml"]
        .iter()
        .map(|glob| lsp_types::FileSystemWatcher {
            glob_pattern: lsp_types::GlobPattern::String(glob.to_string()),
            kind: None,
        })
        .collect();
    let registration = lsp_types::Registration {
        id: "xacct-watched-files".to_string(),
        method: DidChangeWatchedFiles::METHOD.to_string(),
        register_options: serde_json::to_value(
            lsp_types::DidChangeWatchedFilesRegistrationOptions { watchers },
        )
        .ok(),
    };
    let _ = connection.sender.send(Message::Request(Request::new(
        lsp_server::RequestId::from("xacct-register-watchers".to_string()),
        lsp_types::request::RegisterCapability::METHOD.to_string(),
        lsp_types::RegistrationParams {
            registrations: vec![registration],
        },
    )));
}

fn show_message(connection: &Connection, message: &str) {
    let params = lsp_types::ShowMessageParams {
        typ: lsp_types::MessageType::ERROR,
        message: format!("xacct: {message}"),
    };
    let _ = connection
        .sender
        .send(Message::Notification(Notification::new(
            lsp_types::notification::ShowMessage::METHOD.to_string(),
            params,
        )));
}

struct Server<'c> {
    connection: &'c Connection,
    /// `None` while the workspace's config cannot be used.
    session: Option<Session>,
    /// The workspace folders.
    roots: Vec<PathBuf>,
    published: diagnostics::Published,
    /// The client asked for verbose traces: each run says what it cost (`$/logTrace`).
    trace: bool,
}

impl Server<'_> {
    /// Lints what changed since the last run, if anything, and publishes what moved.
    fn settle(&mut self) {
        if self.session.as_mut().is_some_and(Session::flush) {
            self.publish();
        }
    }

    fn publish(&mut self) {
        let Some(session) = &self.session else {
            return;
        };
        if self.trace {
            let message = format!(
                "xacct: loaded {} file{} in {:.1} ms, workspace phase over {} files in {:.1} ms (copying the documents {:.1} ms), asking again {} of {} pipelines",
                session.last_loaded,
                if session.last_loaded == 1 { "" } else { "s" },
                session.last_load.as_secs_f64() * 1e3,
                session.run.files.len(),
                session.last_check.as_secs_f64() * 1e3,
                session.last_copy.as_secs_f64() * 1e3,
                session.last_asked,
                session.workspace.pipelines.len(),
            );
            let _ = self
                .connection
                .sender
                .send(Message::Notification(Notification::new(
                    "$/logTrace".to_string(),
                    lsp_types::LogTraceParams {
                        message,
                        verbose: None,
                    },
                )));
        }
        for (uri, diagnostics) in self.published.update(session) {
            let params = PublishDiagnosticsParams {
                uri,
                diagnostics,
                version: None,
            };
            let _ = self
                .connection
                .sender
                .send(Message::Notification(Notification::new(
                    PublishDiagnostics::METHOD.to_string(),
                    params,
                )));
        }
    }

    /// Answers a request. A panic (a bug) is an error response, and the session goes on.
    fn request(&mut self, request: Request) {
        let id = request.id.clone();
        let answer =
            std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| self.answer(request)));
        let response = answer.unwrap_or_else(|_| {
            Response::new_err(
                id,
                ErrorCode::InternalError as i32,
                "xacct failed on this request (internal error): please report it at https://github.com/xacct/xacct/issues".to_string(),
            )
        });
        let _ = self.connection.sender.send(Message::Response(response));
    }

    fn answer(&self, request: Request) -> Response {
        let id = request.id.clone();
        let result = match request.method.as_str() {
            HoverRequest::METHOD => request
                .extract::<lsp_types::HoverParams>(HoverRequest::METHOD)
                .map(|(_, params)| {
                    let answer = self.session.as_ref().and_then(|s| hover::hover(s, &params));
                    serde_json::to_value(answer)
                }),
            GotoDefinition::METHOD => request
                .extract::<lsp_types::GotoDefinitionParams>(GotoDefinition::METHOD)
                .map(|(_, params)| {
                    let answer = self
                        .session
                        .as_ref()
                        .and_then(|s| definition::definition(s, &params));
                    serde_json::to_value(answer)
                }),
            CodeActionRequest::METHOD => request
                .extract::<lsp_types::CodeActionParams>(CodeActionRequest::METHOD)
                .map(|(_, params)| {
                    let answer = self
                        .session
                        .as_ref()
                        .map(|s| actions::code_actions(s, &params))
                        .unwrap_or_default();
                    serde_json::to_value(answer)
                }),
            _ => {
                return Response::new_err(
                    id,
                    ErrorCode::MethodNotFound as i32,
                    format!("xacct does not answer `{}`", request.method),
                );
            }
        };
        match result {
            Ok(Ok(value)) => Response::new_ok(id, value),
            Ok(Err(e)) => Response::new_err(id, ErrorCode::InternalError as i32, e.to_string()),
            Err(e) => Response::new_err(id, ErrorCode::InvalidParams as i32, e.to_string()),
        }
    }

    /// Takes a notification in. A buffer that changed is linted when [`Server::settle`]
    /// runs; a reload (a config saved, files changed on disk) runs and publishes at once.
    fn notification(&mut self, notification: Notification) {
        let reloaded = match notification.method.as_str() {
            DidOpenTextDocument::METHOD => notification
                .extract::<lsp_types::DidOpenTextDocumentParams>(DidOpenTextDocument::METHOD)
                .ok()
                .and_then(|p| {
                    let path = uri::to_path(&p.text_document.uri)?;
                    self.session
                        .as_mut()?
                        .set_buffer(&path, p.text_document.text);
                    None
                }),
            DidChangeTextDocument::METHOD => notification
                .extract::<lsp_types::DidChangeTextDocumentParams>(DidChangeTextDocument::METHOD)
                .ok()
                .and_then(|p| {
                    let path = uri::to_path(&p.text_document.uri)?;
                    // Full sync: the last change holds the whole text.
                    let text = p.content_changes.into_iter().last()?.text;
                    self.session.as_mut()?.set_buffer(&path, text);
                    None
                }),
            DidCloseTextDocument::METHOD => notification
                .extract::<lsp_types::DidCloseTextDocumentParams>(DidCloseTextDocument::METHOD)
                .ok()
                .and_then(|p| {
                    let path = uri::to_path(&p.text_document.uri)?;
                    self.session.as_mut()?.drop_buffer(&path);
                    None
                }),
            DidSaveTextDocument::METHOD => notification
                .extract::<lsp_types::DidSaveTextDocumentParams>(DidSaveTextDocument::METHOD)
                .ok()
                .and_then(|p| {
                    let path = uri::to_path(&p.text_document.uri)?;
                    // A saved config changes what every file it governs is; a file saved while
                    // no config could be used may be the fix.
                    let config = path.file_name().is_some_and(|n| n == "xacct.toml");
                    match &mut self.session {
                        Some(session) if config => session.reload(),
                        Some(_) => return None,
                        None => {
                            self.session = load(self.connection, self.roots.clone());
                        }
                    }
                    Some(true)
                }),
            // Files changed on disk outside the editor (a checkout, a generator): what the walk
            // finds and what the files say may both have changed, so the run is loaded again
            // (open buffers still standing for their files).
            DidChangeWatchedFiles::METHOD => match &mut self.session {
                Some(session) => {
                    session.reload();
                    Some(true)
                }
                None => {
                    self.session = load(self.connection, self.roots.clone());
                    Some(true)
                }
            },
            _ => None,
        };
        if reloaded == Some(true) {
            self.publish();
        }
    }
}
