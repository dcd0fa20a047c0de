//! Paths compared however they are written (`./a.json`, `a.json`, `x/../a.json`).

use std::path::{Component, Path, PathBuf};

/// `path` without `.` components, so `./a/b.json` and `a/b.json` are one file.
pub fn normalize(path: &Path) -> PathBuf {
    path.components()
        .filter(|c| !matches!(c, Component::CurDir))
        .collect()
}

/// `path` made absolute and normalised lexically: `.` dropped, `..` applied.
pub fn absolute(path: &Path) -> PathBuf {
    let absolute = std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf());
    let mut out = PathBuf::new();
    for component in absolute.components() {
        match component {
            Component::CurDir => {}
            Component::ParentDir => {
                out.pop();
            }
            other => out.push(other),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_compare_however_written() {
        assert_eq!(
            absolute(Path::new("a/./b/../c.json")),
            absolute(Path::new("a/c.json"))
        );
        assert_eq!(
            normalize(Path::new("./a/./b.json")),
            PathBuf::from("a/b.json")
        );
    }
}
