//! The `compact` format in an editor: Vim's default 'errorformat' (`vim -u NONE`, nothing
//! configured) reads xacct's compact output into the quickfix list, every entry with the file,
//! line, column and message xacct printed, and jumping to an entry puts the cursor on the span.
//!
//! The compiler plugin in `docs/editors/xacct.vim` reads the same lines with each entry's type,
//! and lands on the span on lines with non-ASCII characters too, where Vim's byte columns and
//! xacct's character columns differ.
//!
//! Without a Vim that has +eval the test says so and skips, unless `XACCT_REQUIRE_VIM` is set
//! (`.ci/run` sets it when it could install Vim).

use std::path::Path;
use std::process::Command;

mod common;
use common::repo_root;

fn vim_available() -> bool {
    let found = Command::new("vim")
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success() && String::from_utf8_lossy(&o.stdout).contains("+eval"));
    if !found {
        assert!(
            std::env::var_os("XACCT_REQUIRE_VIM").is_none(),
            "XACCT_REQUIRE_VIM is set but no vim with +eval can be run"
        );
        eprintln!("skipped: no `vim` with +eval on PATH (apt-get install vim; .ci/run does, and then requires this test)");
    }
    found
}

/// Loads the quickfix list from a file and writes, for each entry, what Vim understood and the
/// text under the cursor once it jumped there.
const SCRIPT: &str = r#"set nomore hidden
let g:out = {'errorformat': &errorformat, 'entries': []}
execute 'cfile ' . fnameescape(g:input)
let s:list = getqflist()
for s:i in range(1, len(s:list))
  let s:e = s:list[s:i - 1]
  silent execute 'cc ' . s:i
  call add(g:out.entries, {'file': bufname(s:e.bufnr), 'lnum': s:e.lnum, 'col': s:e.col,
        \ 'vcol': s:e.vcol, 'text': s:e.text, 'valid': s:e.valid,
        \ 'at': [bufname('%'), line('.'), col('.')]})
endfor
call writefile([json_encode(g:out)], g:output)
qall!
"#;

#[test]
fn vim_default_errorformat_reads_the_compact_format() {
    if !vim_available() {
        return;
    }
    let root = repo_root();
    // A setup with several findings, in several files, of every severity.
    let lint = Command::new(env!("CARGO_BIN_EXE_xacct"))
        .current_dir(&root)
        .args(["lint", "--format", "compact", "testdata/examples/"])
        .output()
        .unwrap();
    let compact = String::from_utf8(lint.stdout).unwrap();
    let expected: Vec<(String, usize, usize, String)> = compact
        .lines()
        .map(|line| {
            let mut parts = line.splitn(4, ':');
            let file = parts.next().unwrap().to_string();
            let line_no = parts.next().unwrap().parse().unwrap();
            let col = parts.next().unwrap().parse().unwrap();
            (file, line_no, col, parts.next().unwrap().to_string())
        })
        .collect();
    assert!(expected.len() >= 5, "too few findings to test: {compact}");
    for severity in ["error[", "warning[", "info["] {
        assert!(
            compact.contains(severity),
            "no {severity} finding: {compact}"
        );
    }

    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!("vim-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let input = dir.join("xacct.compact");
    let output = dir.join("quickfix.json");
    let script = dir.join("quickfix.vim");
    std::fs::write(&input, &compact).unwrap();
    std::fs::write(&script, SCRIPT).unwrap();
    let vim = Command::new("vim")
        .current_dir(&root)
        // No vimrc, no viminfo, no swap file: Vim's defaults, 'errorformat' included.
        .args(["-N", "-u", "NONE", "-i", "NONE", "-n", "-es"])
        .arg("--cmd")
        .arg(format!(
            "let g:input = '{}' | let g:output = '{}'",
            input.display(),
            output.display()
        ))
        .arg("-S")
        .arg(&script)
        .env("HOME", &dir)
        .output()
        .unwrap();
    let written = std::fs::read_to_string(&output).unwrap_or_else(|_| {
        panic!(
            "vim wrote no quickfix list: {}\n{}",
            String::from_utf8_lossy(&vim.stdout),
            String::from_utf8_lossy(&vim.stderr)
        )
    });
    let quickfix: serde_json::Value = serde_json::from_str(&written).unwrap();
    let errorformat = quickfix["errorformat"].as_str().unwrap();
    assert!(
        errorformat.contains("%f:%l:%c:%m"),
        "not Vim's default 'errorformat': {errorformat}"
    );
    let entries = quickfix["entries"].as_array().unwrap();
    assert_eq!(entries.len(), expected.len(), "{written}");
    for (entry, (file, line, col, message)) in entries.iter().zip(&expected) {
        assert_eq!(entry["valid"], 1, "{entry}");
        assert_eq!(entry["file"].as_str(), Some(file.as_str()), "{entry}");
        assert_eq!(entry["lnum"].as_u64(), Some(*line as u64), "{entry}");
        assert_eq!(entry["col"].as_u64(), Some(*col as u64), "{entry}");
        assert_eq!(entry["vcol"], 0, "a byte column: {entry}");
        // %m is the rest of the line, ` severity[CODE] message`, its leading space included.
        assert_eq!(entry["text"].as_str(), Some(message.as_str()), "{entry}");
        assert!(
            message.trim_start().starts_with(['e', 'w', 'i']),
            "{message}"
        );
        // `:cc N` went to that file, line and column.
        let at = entry["at"].as_array().unwrap();
        assert_eq!(at[0].as_str(), Some(file.as_str()), "{entry}");
        assert_eq!(at[1].as_u64(), Some(*line as u64), "{entry}");
        assert_eq!(at[2].as_u64(), Some(*col as u64), "{entry}");
        // The cursor is on the span xacct reports: the text there is a JSON/YAML token start.
        let text = std::fs::read_to_string(root.join(file)).unwrap();
        let source_line = text.lines().nth(line - 1).unwrap();
        assert!(
            source_line.is_ascii(),
            "the byte and character columns agree only on ASCII lines"
        );
        let under_cursor = &source_line[col - 1..];
        assert!(
            !under_cursor.starts_with(' '),
            "{file}:{line}:{col} points at a blank"
        );
    }
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn vim_compiler_plugin_sets_types_and_character_columns() {
    if !vim_available() {
        return;
    }
    let root = repo_root();
    let dir =
        Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!("vim-compiler-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(dir.join("runtime/compiler")).unwrap();
    std::fs::copy(
        root.join("docs/editors/xacct.vim"),
        dir.join("runtime/compiler/xacct.vim"),
    )
    .unwrap();
    // The XA203 example with non-ASCII text before the finding on its line.
    let original = std::fs::read_to_string(
        root.join("testdata/examples/qa-cloudformation-passrole/pipeline.json"),
    )
    .unwrap();
    let mut lines: Vec<String> = original.lines().map(str::to_string).collect();
    let at = lines
        .iter()
        .position(|l| l.contains("\"RoleArn\""))
        .unwrap();
    lines[at] = lines[at].replacen(
        "\"RoleArn\"",
        "\"Description\": \"Dépôt légal\", \"RoleArn\"",
        1,
    );
    std::fs::write(dir.join("pipeline.json"), lines.join("\n") + "\n").unwrap();
    let lint = Command::new(env!("CARGO_BIN_EXE_xacct"))
        .current_dir(&dir)
        .args(["lint", "--format", "compact", "pipeline.json"])
        .output()
        .unwrap();
    let compact = String::from_utf8(lint.stdout).unwrap();
    let xa203 = compact
        .lines()
        .find(|l| l.contains("[XA203]"))
        .unwrap_or_else(|| panic!("{compact}"));
    let column: usize = xa203.split(':').nth(2).unwrap().parse().unwrap();
    let source_line = &lines[at];
    let expected_text: String = source_line.chars().skip(column - 1).take(12).collect();
    assert!(expected_text.starts_with("\"arn:"), "{expected_text}");
    std::fs::write(dir.join("xacct.compact"), &compact).unwrap();
    let script = r#"compiler xacct
let g:out = {'makeprg': &makeprg, 'entries': []}
cfile xacct.compact
for s:i in range(1, len(getqflist()))
  let s:e = getqflist()[s:i - 1]
  silent execute 'cc ' . s:i
  call add(g:out.entries, {'type': s:e.type, 'text': s:e.text, 'lnum': s:e.lnum,
        \ 'here': strcharpart(getline('.'), charcol('.') - 1, 12)})
endfor
call writefile([json_encode(g:out)], 'quickfix.json')
qall!
"#;
    std::fs::write(dir.join("quickfix.vim"), script).unwrap();
    let vim = Command::new("vim")
        .current_dir(&dir)
        .args(["-N", "-u", "NONE", "-i", "NONE", "-n", "-es"])
        .arg("--cmd")
        .arg(format!(
            "set runtimepath^={}",
            dir.join("runtime").display()
        ))
        .args(["-S", "quickfix.vim"])
        .env("HOME", &dir)
        .output()
        .unwrap();
    let written = std::fs::read_to_string(dir.join("quickfix.json")).unwrap_or_else(|_| {
        panic!(
            "vim wrote nothing: {}",
            String::from_utf8_lossy(&vim.stderr)
        )
    });
    let quickfix: serde_json::Value = serde_json::from_str(&written).unwrap();
    assert_eq!(
        quickfix["makeprg"].as_str(),
        Some("xacct lint --changed --format compact")
    );
    let entries = quickfix["entries"].as_array().unwrap();
    assert_eq!(entries.len(), compact.lines().count(), "{written}");
    for (entry, line) in entries.iter().zip(compact.lines()) {
        let severity = line.split(": ").nth(1).unwrap().split('[').next().unwrap();
        assert_eq!(entry["type"].as_str(), Some(&severity[..1]), "{entry}");
        let rest = line.split_once(&format!(": {severity}")).unwrap().1;
        assert_eq!(entry["text"].as_str(), Some(rest), "{entry}");
    }
    let landed = entries
        .iter()
        .find(|e| e["text"].as_str().is_some_and(|t| t.starts_with("[XA203]")))
        .unwrap();
    assert_eq!(landed["lnum"].as_u64(), Some(at as u64 + 1));
    assert_eq!(
        landed["here"].as_str(),
        Some(expected_text.as_str()),
        "{written}"
    );
    let _ = std::fs::remove_dir_all(&dir);
}
