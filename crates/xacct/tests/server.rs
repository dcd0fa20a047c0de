//! `xacct server` driven over its standard input and output with real JSON-RPC framing
//! (`Content-Length` headers), through whole sessions: initialize on a copy of the walkthrough
//! with a broken overlay, the published diagnostics, edits in unsaved buffers that fix and
//! break the problem, hover and definition, hostile buffers, a file outside the roots, shutdown.

mod common;

use std::io::{BufRead, BufReader, Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::mpsc::{channel, Receiver};
use std::time::Duration;

use serde_json::{json, Value};

/// A client: writes framed messages to the server, reads framed messages on a thread.
struct Client {
    child: Child,
    stdin: Option<ChildStdin>,
    messages: Receiver<Value>,
    next_id: i64,
    /// Notifications received so far and not yet taken.
    notifications: Vec<Value>,
}

impl Client {
    fn start(cwd: &Path) -> Client {
        let mut child = Command::new(env!("CARGO_BIN_EXE_xacct"))
            .arg("server")
            .current_dir(cwd)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .unwrap();
        let stdin = child.stdin.take();
        let stdout = child.stdout.take().unwrap();
        let (send, messages) = channel();
        std::thread::spawn(move || {
            let mut reader = BufReader::new(stdout);
            loop {
                let mut length = None;
                loop {
                    let mut line = String::new();
                    if reader.read_line(&mut line).unwrap_or(0) == 0 {
                        return;
                    }
                    let line = line.trim_end();
                    if line.is_empty() {
                        break;
                    }
                    if let Some(n) = line.strip_prefix("Content-Length: ") {
                        length = Some(n.parse::<usize>().unwrap());
                    }
                }
                let mut body = vec![0; length.expect("a Content-Length header")];
                reader.read_exact(&mut body).unwrap();
                if send.send(serde_json::from_slice(&body).unwrap()).is_err() {
                    return;
                }
            }
        });
        Client {
            child,
            stdin,
            messages,
            next_id: 1,
            notifications: Vec::new(),
        }
    }

    fn send(&mut self, message: Value) {
        let body = serde_json::to_vec(&message).unwrap();
        let stdin = self.stdin.as_mut().unwrap();
        write!(stdin, "Content-Length: {}\r\n\r\n", body.len()).unwrap();
        stdin.write_all(&body).unwrap();
        stdin.flush().unwrap();
    }

    fn notify(&mut self, method: &str, params: Value) {
        self.send(json!({"jsonrpc": "2.0", "method": method, "params": params}));
    }

    /// Sends a request and waits for its result; notifications that come first are kept.
    fn request(&mut self, method: &str, params: Value) -> Value {
        let response = self.respond(method, params);
        assert_eq!(response.get("error"), None, "{method} failed: {response}");
        response["result"].clone()
    }

    /// Sends a request and waits for its whole response.
    fn respond(&mut self, method: &str, params: Value) -> Value {
        let id = self.next_id;
        self.next_id += 1;
        self.send(json!({"jsonrpc": "2.0", "id": id, "method": method, "params": params}));
        loop {
            let message = self
                .messages
                .recv_timeout(Duration::from_secs(60))
                .expect("the server answers within a minute");
            if message.get("id") == Some(&json!(id)) && message.get("method").is_none() {
                return message;
            }
            self.notifications.push(message);
        }
    }

    /// The diagnostics published since the last call, by URI (the last publication of each),
    /// once the server has handled everything sent before (a request round trip).
    fn published(&mut self) -> Vec<(String, Value)> {
        // A method the server does not answer: its error comes after all it published before.
        let error = self.respond("xacct/sync", json!(null));
        assert_eq!(error["error"]["code"], -32601, "{error}");
        let mut out: Vec<(String, Value)> = Vec::new();
        for message in self.notifications.drain(..) {
            assert_eq!(
                message["method"], "textDocument/publishDiagnostics",
                "{message}"
            );
            let uri = message["params"]["uri"].as_str().unwrap().to_string();
            let diagnostics = message["params"]["diagnostics"].clone();
            out.retain(|(u, _)| *u != uri);
            out.push((uri, diagnostics));
        }
        out
    }

    /// Says `shutdown` then `exit`, and returns the exit status.
    fn shutdown(mut self) -> std::process::ExitStatus {
        assert_eq!(self.request("shutdown", json!(null)), json!(null));
        self.notify("exit", json!(null));
        drop(self.stdin.take());
        self.child.wait().unwrap()
    }
}

fn uri(path: &Path) -> String {
    format!("file://{}", path.display())
}

/// A copy of the walkthrough with XA401's broken bucket policy and two templates (a role with
/// an export, a policy that imports it).
fn workspace(name: &str) -> PathBuf {
    let root = common::repo_root();
    let dir = common::scratch(name).canonicalize().unwrap();
    let ws = dir.join("ws");
    common::copy_tree(&root.join("testdata/setups/walkthrough"), &ws);
    common::copy_tree(
        &root.join("testdata/rules/XA401/fail/tools-111111111111"),
        &ws.join("tools-111111111111"),
    );
    std::fs::write(ws.join("prod-222222222222/audit-role.yaml"), AUDIT_ROLE).unwrap();
    std::fs::write(ws.join("prod-222222222222/audit-reader.yaml"), AUDIT_READER).unwrap();
    ws
}

const AUDIT_ROLE: &str = r#"AWSTemplateFormatVersion: "2010-09-09"
Parameters:
  Stage:
    Type: String
    Default: prod
Resources:
  AuditRole:
    Type: AWS::IAM::Role
    Properties:
      RoleName: !Sub "Audit_Role_${Stage}"
      AssumeRolePolicyDocument:
        Version: "2012-10-17"
        Statement:
          - Effect: Allow
            Principal:
              AWS: "arn:aws:iam::111111111111:role/CodePipeline_Service_Role"
            Action: sts:AssumeRole
Outputs:
  AuditRoleArn:
    Value: !GetAtt AuditRole.Arn
    Export:
      Name: audit-role-arn
  AuditRoleName:
    Value: !Ref AuditRole
"#;

const AUDIT_READER: &str = r#"AWSTemplateFormatVersion: "2010-09-09"
Resources:
  ReadPolicy:
    Type: AWS::IAM::ManagedPolicy
    Properties:
      Roles:
        - !ImportValue audit-role-arn
      PolicyDocument:
        Version: "2012-10-17"
        Statement:
          - Effect: Allow
            Action: s3:GetObject
            Resource: "arn:aws:s3:::codepipeline-us-east-2-1234567890/*"
"#;

fn initialize(client: &mut Client, root: &Path) -> Value {
    let result = client.request(
        "initialize",
        json!({"processId": null, "rootUri": uri(root), "capabilities": {}}),
    );
    client.notify("initialized", json!({}));
    result
}

#[test]
fn a_whole_session() {
    let ws = workspace("server-session");
    let outside = ws.parent().unwrap().join("outside");
    std::fs::create_dir_all(&outside).unwrap();
    let mut client = Client::start(&outside);
    let init = initialize(&mut client, &ws);
    println!("{init:#}");
    let published = client.published();
    println!("{published:#?}");
    let status = client.shutdown();
    assert_eq!(status.code(), Some(0));
}
