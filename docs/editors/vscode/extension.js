// The smallest client of `xacct server`: VS Code starts it over stdio for the workspace and
// shows what it publishes. Everything else (diagnostics, hover, go to definition) is the
// server's.
const vscode = require('vscode');
const { LanguageClient, TransportKind } = require('vscode-languageclient/node');

let client;

function activate(context) {
  const command = vscode.workspace.getConfiguration('xacct').get('path', 'xacct');
  const server = { command, args: ['server'], transport: TransportKind.stdio };
  client = new LanguageClient(
    'xacct',
    'xacct',
    { run: server, debug: server },
    {
      documentSelector: [
        { scheme: 'file', language: 'json' },
        { scheme: 'file', language: 'yaml' },
        { scheme: 'file', language: 'terraform' },
        { scheme: 'file', pattern: '**/*.{template,tf,tfvars}' },
        // Saving a config reloads the workspace.
        { scheme: 'file', pattern: '**/xacct.toml' },
      ],
    }
  );
  context.subscriptions.push(client);
  return client.start();
}

function deactivate() {
  return client ? client.stop() : undefined;
}

module.exports = { activate, deactivate };
