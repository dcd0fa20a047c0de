//! The language server's incremental workspace phase against a fresh run: after every edit,
//! a session that updated its trust graph (asking again only the pipelines the edit may move)
//! must report exactly what a session loaded from scratch with the same buffers reports.
//!
//! Every file of every complete setup (`testdata/setups`, `testdata/examples`, the real
//! samples) is edited in ways that move answers: allows turned into denies, its text replaced
//! by another file's of the same setup (what it governs changes), cut in half (broken), then
//! put back; each step compared.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use xacct::server::session::Session;

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// Every finding of a session, rendered with its file (findings of all files, in order).
fn findings(session: &Session) -> Vec<String> {
    session
        .findings()
        .flat_map(|(file, diagnostics)| {
            let path = session.path(file).unwrap_or_default();
            diagnostics
                .iter()
                .map(move |d| format!("{}: {:?}", path.display(), d))
        })
        .collect()
}

/// The files of a setup a user may edit (JSON and YAML; Terraform and linking templates
/// reload the whole run, which is compared as well).
fn files(root: &Path) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = walkdir::WalkDir::new(root)
        .sort_by_file_name()
        .into_iter()
        .filter_map(Result::ok)
        .filter(|e| e.file_type().is_file())
        .map(|e| e.into_path())
        .filter(|p| {
            p.extension()
                .and_then(|e| e.to_str())
                .is_some_and(|e| matches!(e, "json" | "yaml" | "yml" | "template" | "tf"))
        })
        .collect();
    files.truncate(60);
    files
}

/// The edits made to `text`, each with its name.
fn edits(text: &str, other: &str) -> Vec<(&'static str, String)> {
    let mut edits = vec![
        (
            "allows denied",
            text.replace("\"Allow\"", "\"Deny\"")
                .replace(": Allow", ": Deny"),
        ),
        ("another file's text", other.to_string()),
        (
            "cut in half",
            text.chars().take(text.chars().count() / 2).collect(),
        ),
    ];
    edits.retain(|(_, edited)| edited != text);
    edits
}

/// How many updates took each shortcut.
#[derive(Default)]
struct Paths {
    /// Asked again fewer pipelines than the workspace holds.
    partial: usize,
    /// Swapped the changed file into the last workspace.
    swapped: usize,
}

/// Edits each file of `root` and compares the updated session with a fresh one, counting
/// the updates that took a shortcut.
fn compare(root: &Path, paths: &mut Paths) {
    let root = xacct::paths::absolute(root);
    let mut session = Session::load(vec![root.clone()], HashMap::new())
        .unwrap_or_else(|_| panic!("{} loads", root.display()));
    let clean = findings(&session);
    let files = files(&root);
    for (i, path) in files.iter().enumerate() {
        let Ok(text) = std::fs::read_to_string(path) else {
            continue;
        };
        let other = files
            .get((i + 1) % files.len())
            .and_then(|p| std::fs::read_to_string(p).ok())
            .unwrap_or_default();
        for (edit, edited) in edits(&text, &other) {
            if !session.set_buffer(path, edited.clone()) {
                continue;
            }
            session.flush();
            if session.last_asked < session.workspace.pipelines.len() {
                paths.partial += 1;
            }
            if session.last_swapped {
                paths.swapped += 1;
            }
            let fresh = Session::load(
                vec![root.clone()],
                HashMap::from([(path.clone(), edited.clone())]),
            )
            .unwrap_or_else(|_| panic!("{} loads", root.display()));
            assert_eq!(
                findings(&session),
                findings(&fresh),
                "{}: the update after `{edit}` differs from a fresh run",
                path.display()
            );
            // And back: the edit undone gives the findings of the start again.
            session.set_buffer(path, text.clone());
            session.flush();
            assert_eq!(
                findings(&session),
                clean,
                "{}: undoing `{edit}` does not give the findings before it",
                path.display()
            );
        }
    }
}

#[test]
fn updates_equal_fresh_runs_on_every_setup() {
    let mut roots: Vec<PathBuf> = Vec::new();
    for folder in ["testdata/setups", "testdata/real"] {
        let mut more: Vec<PathBuf> = std::fs::read_dir(repo().join(folder))
            .expect("testdata folder")
            .filter_map(Result::ok)
            .map(|e| e.path())
            .filter(|p| p.is_dir())
            .collect();
        more.sort();
        roots.extend(more);
    }
    roots.push(repo().join("testdata/examples"));
    let mut paths = Paths::default();
    for root in &roots {
        compare(root, &mut paths);
    }
    // The comparison means something only if updates took the shortcuts.
    assert!(
        paths.partial >= 20 && paths.swapped >= 20,
        "only {} updates asked again fewer pipelines than the workspace holds, {} swapped files in",
        paths.partial,
        paths.swapped
    );
}
