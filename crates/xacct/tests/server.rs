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

    /// Every message the server sent since the last call, once it has handled everything
    /// sent before (a request round trip).
    fn messages(&mut self) -> Vec<Value> {
        // A method the server does not answer: its error comes after all it published before.
        let error = self.respond("xacct/sync", json!(null));
        assert_eq!(error["error"]["code"], -32601, "{error}");
        std::mem::take(&mut self.notifications)
    }

    /// The diagnostics published since the last call, by URI (the last publication of each),
    /// once the server has handled everything sent before.
    fn published(&mut self) -> Vec<(String, Value)> {
        let mut out: Vec<(String, Value)> = Vec::new();
        for message in self.messages() {
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
            Condition:
              StringEquals:
                aws:ResourceAccount: "111111111111"
"#;

fn initialize(client: &mut Client, root: &Path) -> Value {
    let result = client.request(
        "initialize",
        json!({"processId": null, "rootUri": uri(root), "capabilities": {}}),
    );
    client.notify("initialized", json!({}));
    result
}

fn position(line: u32, character: u32) -> Value {
    json!({"line": line, "character": character})
}

fn range(start: (u32, u32), end: (u32, u32)) -> Value {
    json!({"start": position(start.0, start.1), "end": position(end.0, end.1)})
}

/// The XA401 finding of the broken bucket policy, its range starting at `character` on line 1
/// (`\"Statement\"`, 13 characters), its label on the role of `ExternalDeploy`.
fn xa401(pipeline: &str, character: u32) -> Value {
    json!([{
        "range": range((1, character), (1, character + 13)),
        "severity": 1,
        "code": "XA401",
        "codeDescription": {"href": "https://github.com/xacct/xacct/blob/main/crates/xacct-rules/rules/XA401.md"},
        "source": "xacct",
        "message": "the bucket policy does not let `arn:aws:iam::222222222222:role/CrossAccount_Role` (action `ExternalDeploy`, account 222222222222 (prod)) read its input artifacts (`MyAppBuild`) from `arn:aws:s3:::codepipeline-us-east-2-1234567890/*`: cross-account access needs an allow in the bucket policy too\nhelp: add to the bucket policy: {\"Effect\": \"Allow\", \"Principal\": {\"AWS\": \"arn:aws:iam::222222222222:role/CrossAccount_Role\"}, \"Action\": \"s3:GetObject*\", \"Resource\": \"arn:aws:s3:::codepipeline-us-east-2-1234567890/*\"}",
        "relatedInformation": [{
            "location": {"uri": pipeline, "range": range((89, 23), (89, 73))},
            "message": "action `ExternalDeploy` runs as this role",
        }],
    }])
}

fn open(client: &mut Client, uri: &str, language: &str, text: &str) {
    client.notify(
        "textDocument/didOpen",
        json!({"textDocument": {"uri": uri, "languageId": language, "version": 1, "text": text}}),
    );
}

fn change(client: &mut Client, uri: &str, version: i32, text: &str) {
    client.notify(
        "textDocument/didChange",
        json!({"textDocument": {"uri": uri, "version": version}, "contentChanges": [{"text": text}]}),
    );
}

fn at(uri: &str, line: u32, character: u32) -> Value {
    json!({"textDocument": {"uri": uri}, "position": position(line, character)})
}

#[test]
fn a_whole_session() {
    let ws = workspace("server-session");
    let outside = ws.parent().unwrap().join("outside");
    std::fs::create_dir_all(&outside).unwrap();
    // The server starts elsewhere than the workspace: what it reads is the workspace's.
    let mut client = Client::start(&outside);
    let init = initialize(&mut client, &ws);
    assert_eq!(init["capabilities"]["textDocumentSync"]["change"], 1);
    assert_eq!(init["capabilities"]["hoverProvider"], true);
    assert_eq!(init["capabilities"]["definitionProvider"], true);
    assert_eq!(init["capabilities"]["codeActionProvider"], true);
    assert_eq!(init["serverInfo"]["name"], "xacct");

    let policy_path = ws.join("tools-111111111111/artifact-bucket-policy.json");
    let policy = uri(&policy_path);
    let pipeline = uri(&ws.join("tools-111111111111/pipeline.json"));
    // Loaded and linted once: the one finding of the run, as `xacct lint` gives it.
    assert_eq!(
        client.published(),
        vec![(policy.clone(), xa401(&pipeline, 70))]
    );

    // Opening the file as it is on disk changes nothing: nothing is published.
    let broken = std::fs::read_to_string(&policy_path).unwrap();
    open(&mut client, &policy, "json", &broken);
    assert_eq!(client.published(), vec![]);

    // The fix in the unsaved buffer (the walkthrough's grant to the prod account): cleared.
    let fixed = std::fs::read_to_string(
        common::repo_root()
            .join("testdata/setups/walkthrough/tools-111111111111/artifact-bucket-policy.json"),
    )
    .unwrap();
    change(&mut client, &policy, 2, &fixed);
    assert_eq!(client.published(), vec![(policy.clone(), json!([]))]);
    // The disk still holds the broken policy: the buffer stood for it.
    assert_eq!(std::fs::read_to_string(&policy_path).unwrap(), broken);

    // Broken again, with non-ASCII text before the finding on its line: `-ü𝄞` is 7 bytes and
    // 4 UTF-16 code units, and LSP counts the units.
    let accented = broken.replace("SSEAndSSLPolicy", "SSEAndSSLPolicy-ü𝄞");
    change(&mut client, &policy, 3, &accented);
    assert_eq!(
        client.published(),
        vec![(policy.clone(), xa401(&pipeline, 74))]
    );

    // Hover on the role ARN of `ExternalDeploy`: its account's name, the policies tied to it,
    // the actions that run as it.
    let hover = client.request("textDocument/hover", at(&pipeline, 89, 40));
    assert_eq!(
        hover,
        json!({
            "contents": {"kind": "markdown", "value": "**`arn:aws:iam::222222222222:role/CrossAccount_Role`**\n\nin account 222222222222 (prod)\n\npolicies tied to it in this workspace:\n- trust policy at `prod-222222222222/CrossAccount_Role.json:8:37`\n- identity policy `PipelineArtifacts` at `prod-222222222222/CrossAccount_Role-artifacts.json:4:23`\n- identity policy `CodeDeployAccess` at `prod-222222222222/CrossAccount_Role-codedeploy.json:4:23`\n- identity policy `PipelineArtifactKey` at `prod-222222222222/CrossAccount_Role-kms.json:4:23`\n- identity policy `StaticAssetsPublish` at `prod-222222222222/CrossAccount_Role-static-assets.json:4:23`\n\nused by:\n- pipeline `MyFirstPipeline`, action `Staging/ExternalDeploy` at `tools-111111111111/pipeline.json:90:24`\n- pipeline `MyFirstPipeline`, action `Staging/ExternalPublish` at `tools-111111111111/pipeline.json:111:24`"},
            "range": range((89, 24), (89, 72)),
        })
    );
    // Hover on an account ID in a template's condition: the name `[accounts]` gives it.
    let reader = uri(&ws.join("prod-222222222222/audit-reader.yaml"));
    let hover = client.request("textDocument/hover", at(&reader, 15, 40));
    assert_eq!(
        hover,
        json!({
            "contents": {"kind": "markdown", "value": "**account 111111111111 (tools)**\n\npipelines in this account:\n- `MyFirstPipeline` at `tools-111111111111/pipeline.json:3:13`\n\nroles of this account with a trust policy here:\n- `arn:aws:iam::111111111111:role/service-role/CodePipeline_Service_Role`"},
            "range": range((15, 38), (15, 50)),
        })
    );
    // Hover on a role ARN written without the role's path: the same role as the pipeline's
    // `service-role/` one, whose service role it is.
    let role = uri(&ws.join("prod-222222222222/audit-role.yaml"));
    let hover = client.request("textDocument/hover", at(&role, 15, 30));
    assert_eq!(
        hover,
        json!({
            "contents": {"kind": "markdown", "value": "**`arn:aws:iam::111111111111:role/CodePipeline_Service_Role`**\n\nin account 111111111111 (tools)\n\npolicies tied to it in this workspace:\n- trust policy at `tools-111111111111/CodePipeline_Service_Role.json:8:37`\n- identity policy `CodePipelineServicePolicy` at `tools-111111111111/CodePipeline_Service_Role-policy.json:4:23`\n\nused by:\n- pipeline `MyFirstPipeline` (its service role) at `tools-111111111111/pipeline.json:4:16`"},
            "range": range((15, 20), (15, 76)),
        })
    );
    // Nothing to say off an ARN or account ID.
    assert_eq!(
        client.request("textDocument/hover", at(&pipeline, 0, 0)),
        json!(null)
    );

    // Definition from the role ARN: its trust policy and identity policies.
    let definition = client.request("textDocument/definition", at(&pipeline, 89, 40));
    let prod = |name: &str| uri(&ws.join("prod-222222222222").join(name));
    assert_eq!(
        definition,
        json!([
            {"uri": prod("CrossAccount_Role.json"), "range": range((7, 36), (18, 9))},
            {"uri": prod("CrossAccount_Role-artifacts.json"), "range": range((3, 22), (27, 5))},
            {"uri": prod("CrossAccount_Role-codedeploy.json"), "range": range((3, 22), (18, 5))},
            {"uri": prod("CrossAccount_Role-kms.json"), "range": range((3, 22), (20, 5))},
            {"uri": prod("CrossAccount_Role-static-assets.json"), "range": range((3, 22), (16, 5))},
        ])
    );
    // In a template: `!GetAtt AuditRole.Arn` and `!Ref AuditRole` lead to the resource,
    // `!ImportValue audit-role-arn` in another template to the output that exports it.
    let resource = json!({"uri": role, "range": range((6, 2), (6, 11))});
    assert_eq!(
        client.request("textDocument/definition", at(&role, 19, 20)),
        resource
    );
    assert_eq!(
        client.request("textDocument/definition", at(&role, 23, 18)),
        resource
    );
    assert_eq!(
        client.request("textDocument/definition", at(&reader, 6, 24)),
        json!({"uri": role, "range": range((18, 2), (18, 14))})
    );
    assert_eq!(
        client.request("textDocument/definition", at(&role, 0, 3)),
        json!(null)
    );

    // Templates that import and export: a change reloads the run, the open buffers standing
    // for their files. The import renamed: exported nowhere; the export renamed too: found.
    open(&mut client, &reader, "yaml", AUDIT_READER);
    let renamed = AUDIT_READER.replace(
        "!ImportValue audit-role-arn",
        "!ImportValue audit-role-arn-2",
    );
    change(&mut client, &reader, 2, &renamed);
    assert_eq!(client.published(), vec![]);
    assert_eq!(
        client.request("textDocument/definition", at(&reader, 6, 24)),
        json!(null)
    );
    open(&mut client, &role, "yaml", AUDIT_ROLE);
    change(
        &mut client,
        &role,
        2,
        &AUDIT_ROLE.replace("Name: audit-role-arn", "Name: audit-role-arn-2"),
    );
    assert_eq!(client.published(), vec![]);
    assert_eq!(
        client.request("textDocument/definition", at(&reader, 6, 24)),
        json!({"uri": role, "range": range((18, 2), (18, 14))})
    );

    // Closing the buffer: the disk's broken policy stands for the file again.
    client.notify(
        "textDocument/didClose",
        json!({"textDocument": {"uri": policy}}),
    );
    assert_eq!(
        client.published(),
        vec![(policy.clone(), xa401(&pipeline, 70))]
    );

    // A code action on the finding: the statement `xacct lint --fix` would add, as a
    // WorkspaceEdit on the policy, placed in its JSON string (escaped); none elsewhere.
    let statement = r#",{\"Effect\":\"Allow\",\"Principal\":{\"AWS\":\"arn:aws:iam::222222222222:role/CrossAccount_Role\"},\"Action\":\"s3:GetObject*\",\"Resource\":\"arn:aws:s3:::codepipeline-us-east-2-1234567890/*\"}"#;
    let actions = client.request(
        "textDocument/codeAction",
        json!({
            "textDocument": {"uri": policy},
            "range": range((1, 75), (1, 75)),
            "context": {"diagnostics": []},
        }),
    );
    assert_eq!(
        actions,
        json!([{
            "title": "Add the statement to the bucket policy",
            "kind": "quickfix",
            "diagnostics": xa401(&pipeline, 70),
            "edit": {"changes": {policy.clone(): [{
                "range": range((1, 1024), (1, 1024)),
                "newText": statement,
            }]}},
            "isPreferred": true,
        }])
    );
    assert_eq!(
        client.request(
            "textDocument/codeAction",
            json!({"textDocument": {"uri": policy}, "range": range((0, 0), (0, 1)), "context": {"diagnostics": []}}),
        ),
        json!([])
    );
    // The client applies it to the buffer: the finding goes.
    let line_start = broken.find('\n').unwrap() + 1;
    let mut applied = broken.clone();
    applied.insert_str(line_start + 1024, statement);
    open(&mut client, &policy, "json", &broken);
    assert_eq!(client.published(), vec![]);
    change(&mut client, &policy, 2, &applied);
    assert_eq!(client.published(), vec![(policy.clone(), json!([]))]);

    let status = client.shutdown();
    assert_eq!(status.code(), Some(0));
}

/// One diagnostic's code, range and message.
fn only(published: &[(String, Value)], uri: &str) -> (String, Value, String) {
    let (u, diagnostics) = &published[0];
    assert_eq!((published.len(), u.as_str()), (1, uri), "{published:#?}");
    let diagnostics = diagnostics.as_array().unwrap();
    assert_eq!(diagnostics.len(), 1, "{diagnostics:#?}");
    let d = &diagnostics[0];
    (
        d["code"].as_str().unwrap().to_string(),
        d["range"].clone(),
        d["message"].as_str().unwrap().to_string(),
    )
}

#[test]
fn hostile_buffers_are_findings_and_files_outside_the_roots_are_not_read() {
    let ws = workspace("server-hostile");
    let outside = ws.parent().unwrap().join("outside");
    std::fs::create_dir_all(&outside).unwrap();
    let mut client = Client::start(&ws);
    initialize(&mut client, &ws);
    let policy = uri(&ws.join("tools-111111111111/artifact-bucket-policy.json"));
    assert_eq!(client.published().len(), 1);
    let text =
        std::fs::read_to_string(ws.join("tools-111111111111/artifact-bucket-policy.json")).unwrap();
    open(&mut client, &policy, "json", &text);
    assert_eq!(client.published(), vec![]);

    // Binary content: XA001, not a crash (and the cross-file finding goes with the policy).
    change(&mut client, &policy, 2, "\u{0}\u{1}\u{2}{}");
    assert_eq!(
        only(&client.published(), &policy),
        (
            "XA001".to_string(),
            range((0, 0), (0, 0)),
            "cannot read the file: the file is binary (NUL byte at offset 0), not a text document\nhelp: exclude the file with `--exclude`, or name only the JSON files to lint".to_string()
        )
    );
    // Nesting far past the limit: XA005 where the limit is reached.
    let deep = format!(
        "{{\"Policy\": {}{}}}",
        "[".repeat(100_000),
        "]".repeat(100_000)
    );
    change(&mut client, &policy, 3, &deep);
    let (code, range_, message) = only(&client.published(), &policy);
    assert_eq!((code.as_str(), message.as_str()), ("XA005", "nesting is deeper than 256 levels\nhelp: if the file is trusted and really needs more, raise the limit in xacct.toml: `[limits]` `depth = N` (default 256, at most 1000)"));
    assert_eq!(range_["start"], position(0, 266));
    // A file outside the roots: never read (its disk content is broken, its buffer too), never
    // linted, no answers about it.
    let stray_path = outside.join("stray.json");
    std::fs::write(&stray_path, b"\x00 not json").unwrap();
    let stray = uri(&stray_path);
    open(&mut client, &stray, "json", "{ nor this");
    change(&mut client, &stray, 2, "[");
    assert_eq!(client.published(), vec![]);
    assert_eq!(
        client.request("textDocument/hover", at(&stray, 0, 0)),
        json!(null)
    );
    assert_eq!(
        client.request("textDocument/definition", at(&stray, 0, 0)),
        json!(null)
    );
    // Parameters that are not a hover's: an error answer, and the session goes on; a
    // position past the end of a file: no answer.
    let error = client.respond("textDocument/hover", json!({"nope": 1}));
    assert_eq!(error["error"]["code"], -32602, "{error}");
    assert_eq!(
        client.request("textDocument/hover", at(&policy, 100_000, 7)),
        json!(null)
    );
    assert_eq!(
        client.request("textDocument/definition", at(&policy, 0, u32::MAX)),
        json!(null)
    );
    // Nor a URI that names no file.
    open(&mut client, "untitled:Untitled-1", "json", "{");
    assert_eq!(client.published(), vec![]);

    assert_eq!(client.shutdown().code(), Some(0));
}

#[test]
fn exit_without_shutdown_is_status_1() {
    let ws = workspace("server-exit");
    let mut client = Client::start(&ws);
    initialize(&mut client, &ws);
    client.published();
    client.notify("exit", json!(null));
    drop(client.stdin.take());
    assert_eq!(client.child.wait().unwrap().code(), Some(1));
}

#[test]
fn files_changed_on_disk_reload_the_run() {
    let ws = workspace("server-watched");
    let mut client = Client::start(&ws);
    client.request(
        "initialize",
        json!({"processId": null, "rootUri": uri(&ws), "capabilities": {
            "workspace": {"didChangeWatchedFiles": {"dynamicRegistration": true}}
        }}),
    );
    client.notify("initialized", json!({}));
    let policy_path = ws.join("tools-111111111111/artifact-bucket-policy.json");
    let policy = uri(&policy_path);
    let messages = client.messages();
    assert_eq!(messages.len(), 2, "{messages:#?}");
    assert_eq!(messages[0]["method"], "textDocument/publishDiagnostics");
    assert_eq!(messages[0]["params"]["uri"], policy.as_str());
    // The server asks to hear of the files it reads changing on disk.
    assert_eq!(
        messages[1],
        json!({"jsonrpc": "2.0", "id": "xacct-register-watchers", "method": "client/registerCapability", "params": {
            "registrations": [{
                "id": "xacct-watched-files",
                "method": "workspace/didChangeWatchedFiles",
                "registerOptions": {"watchers": [
                    {"globPattern": "**/*.{json,yaml,yml,template,tf,tfvars}"},
                    {"globPattern": "**/xacct.toml"},
                ]},
            }],
        }})
    );
    client.send(json!({"jsonrpc": "2.0", "id": "xacct-register-watchers", "result": null}));
    // The policy fixed on disk (no buffer open): the finding goes.
    std::fs::copy(
        common::repo_root()
            .join("testdata/setups/walkthrough/tools-111111111111/artifact-bucket-policy.json"),
        &policy_path,
    )
    .unwrap();
    client.notify(
        "workspace/didChangeWatchedFiles",
        json!({"changes": [{"uri": policy, "type": 2}]}),
    );
    assert_eq!(client.published(), vec![(policy.clone(), json!([]))]);
    assert_eq!(client.shutdown().code(), Some(0));
}

#[test]
fn an_alias_the_run_holds_is_replaced_by_its_key_arn() {
    let root = common::repo_root();
    let dir = common::scratch("server-alias").canonicalize().unwrap();
    let ws = dir.join("ws");
    common::copy_tree(&root.join("testdata/setups/walkthrough"), &ws);
    common::copy_tree(
        &root.join("testdata/rules/XA302/fail-list-aliases/tools-111111111111"),
        &ws.join("tools-111111111111"),
    );
    let mut client = Client::start(&ws);
    initialize(&mut client, &ws);
    let pipeline = uri(&ws.join("tools-111111111111/pipeline.json"));
    let aliases_path = ws.join("tools-111111111111/kms-aliases.json");
    let aliases = uri(&aliases_path);
    let (code, at, _) = only(&client.published(), &pipeline);
    assert_eq!((code.as_str(), at), ("XA302", range((8, 14), (8, 48))));
    let key = "arn:aws:kms:us-east-2:111111111111:key/1234abcd-12ab-34cd-56ef-1234567890ab";
    let ask = |client: &mut Client| {
        client.request(
            "textDocument/codeAction",
            json!({"textDocument": {"uri": pipeline}, "range": range((8, 20), (8, 20)), "context": {"diagnostics": []}}),
        )
    };
    let actions = ask(&mut client);
    assert_eq!(
        actions[0]["title"],
        format!("Name the key by its key ARN `{key}`")
    );
    assert_eq!(actions[0]["isPreferred"], true);
    assert_eq!(
        actions[0]["edit"],
        json!({"changes": {pipeline.clone(): [{"range": range((8, 15), (8, 47)), "newText": key}]}})
    );
    // The alias gone from the aliases file's buffer: the same finding, no fix.
    let text = std::fs::read_to_string(&aliases_path)
        .unwrap()
        .replace("alias/codepipeline-crossaccounts", "alias/other");
    open(&mut client, &aliases, "json", &text);
    let (code, at, _) = only(&client.published(), &pipeline);
    assert_eq!((code.as_str(), at), ("XA302", range((8, 14), (8, 48))));
    assert_eq!(ask(&mut client), json!([]));
    assert_eq!(client.shutdown().code(), Some(0));
}
