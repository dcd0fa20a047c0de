//! Sets `XACCT_VERSION`, the string `xacct --version` prints: the package version, then the git
//! revision it was built from when that is known, e.g. `0.1.0 (3f2c1ab)`.
//!
//! The revision comes from `git rev-parse --short HEAD` when the sources are a git checkout (a
//! clone, `cargo install --path`, pre-commit's install), else from the `.cargo_vcs_info.json`
//! that `cargo package` writes into a published crate, else there is none and the version stands
//! alone. Nothing here fails the build: a missing or broken git only loses the revision.

use std::path::{Path, PathBuf};
use std::process::Command;

fn main() {
    let version = std::env::var("CARGO_PKG_VERSION").unwrap_or_default();
    let manifest_dir = PathBuf::from(std::env::var_os("CARGO_MANIFEST_DIR").unwrap_or_default());
    // Cargo reruns a build script whose own source changed. Name a file that exists in the
    // manifest's folder, so that without git cargo does not rerun this on every change to the
    // package (the default), nor on every build (as for a missing file: the root package's
    // folder has no build.rs).
    println!("cargo:rerun-if-changed=Cargo.toml");
    let revision = from_git(&manifest_dir).or_else(|| from_vcs_info(&manifest_dir));
    let full = match revision {
        Some(revision) => format!("{version} ({revision})"),
        None => version,
    };
    println!("cargo:rustc-env=XACCT_VERSION={full}");
}

/// Runs git in `dir` and returns its trimmed output, if it succeeded.
pub(crate) fn git(dir: &Path, args: &[&str]) -> Option<String> {
    let output = Command::new("git")
        .args(args)
        .current_dir(dir)
        .output()
        .ok()?;
    if !output.status.success() {
        return None;
    }
    let text = String::from_utf8(output.stdout).ok()?;
    let text = text.trim();
    (!text.is_empty()).then(|| text.to_string())
}

/// The short revision of `HEAD`, and tells cargo to run this again when `HEAD` moves.
pub(crate) fn from_git(dir: &Path) -> Option<String> {
    let revision = git(dir, &["rev-parse", "--short", "HEAD"])?;
    if !revision.bytes().all(|b| b.is_ascii_hexdigit()) {
        return None;
    }
    // Rebuild when HEAD or the branch it points to moves. Only files that exist are named: cargo
    // reruns a build script on every build when a named file is missing.
    let mut watched = vec!["HEAD".to_string(), "packed-refs".to_string()];
    if let Some(branch) = git(dir, &["symbolic-ref", "-q", "HEAD"]) {
        watched.push(branch);
    }
    for name in watched {
        if let Some(path) = git(dir, &["rev-parse", "--git-path", &name]) {
            let path = dir.join(path);
            if path.is_file() {
                println!("cargo:rerun-if-changed={}", path.display());
            }
        }
    }
    Some(revision)
}

/// The revision `cargo package` recorded (`{"git": {"sha1": "…"}}`), shortened like git's.
pub(crate) fn from_vcs_info(dir: &Path) -> Option<String> {
    let text = std::fs::read_to_string(dir.join(".cargo_vcs_info.json")).ok()?;
    let after = &text[text.find("\"sha1\"")? + "\"sha1\"".len()..];
    let start = after.find('"')? + 1;
    let sha: String = after[start..]
        .chars()
        .take_while(char::is_ascii_hexdigit)
        .collect();
    (sha.len() >= 7).then(|| sha[..7].to_string())
}
