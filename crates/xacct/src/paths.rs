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

/// Shows `path` relative to the current folder when it is below it, as walking `.` would.
pub fn display(path: &Path, cwd: Option<&Path>) -> PathBuf {
    cwd.and_then(|cwd| path.strip_prefix(cwd).ok())
        .filter(|p| !p.as_os_str().is_empty())
        .map_or_else(|| path.to_path_buf(), Path::to_path_buf)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn display_is_relative_below_the_current_folder() {
        let cwd = Path::new("/work/repo");
        assert_eq!(
            display(Path::new("/work/repo/infra/a.json"), Some(cwd)),
            PathBuf::from("infra/a.json")
        );
        assert_eq!(
            display(Path::new("/elsewhere/a.json"), Some(cwd)),
            PathBuf::from("/elsewhere/a.json")
        );
    }

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
