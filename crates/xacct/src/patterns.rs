//! File patterns (`--include`, `--exclude`, and the config's `exclude`, `per-file-ignores`,
//! `[[bind]]` and `[[stack]]` files), on ripgrep's `globset`: brace alternatives (`{a,b}`),
//! `**`, classes, and matching in linear time whatever the pattern (it compiles to a regular
//! expression, where the `glob` crate backtracks).

use std::path::{Component, Path, PathBuf};

use globset::{Glob, GlobBuilder, GlobMatcher};

/// A bad pattern.
#[derive(Debug, thiserror::Error)]
#[error("invalid glob `{glob}`: {reason}")]
pub struct PatternError {
    /// The pattern as given.
    pub glob: String,
    /// Why.
    pub reason: String,
}

/// One compiled pattern.
#[derive(Clone, Debug)]
pub struct Pattern {
    matcher: GlobMatcher,
}

impl Pattern {
    /// Compiles `glob`. With `literal_separator`, `*` and `?` do not match `/` (only `**`
    /// crosses folders), as in the config; without, they do, as on the command line.
    pub fn new(glob: &str, literal_separator: bool) -> Result<Pattern, PatternError> {
        let compiled: Result<Glob, _> = GlobBuilder::new(glob)
            .literal_separator(literal_separator)
            .backslash_escape(true)
            .empty_alternates(true)
            .build();
        match compiled {
            Ok(g) => Ok(Pattern {
                matcher: g.compile_matcher(),
            }),
            Err(e) => Err(PatternError {
                glob: glob.to_string(),
                reason: e.kind().to_string(),
            }),
        }
    }

    /// True when `path` matches (`./` components are ignored on both sides).
    pub fn matches(&self, path: &Path) -> bool {
        self.matcher.is_match(without_dots(path))
    }
}

/// True when a glob has no wildcard (nor escape): it names one path.
pub fn is_literal(glob: &str) -> bool {
    !glob.contains(['*', '?', '[', '{', '\\'])
}

/// `path` without `.` components: `./a/p.json` is `a/p.json`, as patterns are written.
pub fn without_dots(path: &Path) -> PathBuf {
    path.components()
        .filter(|c| !matches!(c, Component::CurDir))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn braces_stars_and_separators() {
        let p = Pattern::new("*.{yaml,yml}", false).unwrap();
        assert!(p.matches(Path::new("a.yaml")));
        assert!(p.matches(Path::new("a.yml")));
        assert!(!p.matches(Path::new("a.json")));
        // On the command line `*` crosses folders; in the config only `**` does.
        assert!(Pattern::new("a/*", false)
            .unwrap()
            .matches(Path::new("a/b/c.json")));
        assert!(!Pattern::new("a/*", true)
            .unwrap()
            .matches(Path::new("a/b/c.json")));
        assert!(Pattern::new("a/**", true)
            .unwrap()
            .matches(Path::new("a/b/c.json")));
        // A walked `./a/p.json` is `a/p.json`.
        assert!(Pattern::new("a/*", true)
            .unwrap()
            .matches(Path::new("./a/p.json")));
        assert!(Pattern::new("x[", true).is_err());
    }

    #[test]
    fn hostile_patterns_match_in_linear_time() {
        // The `glob` crate backtracks on this shape: seconds for a few dozen characters.
        let pattern = Pattern::new(&"*a".repeat(40), false).unwrap();
        let path = "a".repeat(39) + &"b".repeat(10_000);
        let started = std::time::Instant::now();
        assert!(!pattern.matches(Path::new(&path)));
        // Generous: a regular expression takes microseconds; backtracking takes far longer.
        assert!(started.elapsed() < std::time::Duration::from_secs(5));
    }
}
