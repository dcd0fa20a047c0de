//! `file:` URIs and paths, both ways. Only `file:` URIs name files xacct may lint; any other
//! scheme (an editor's `untitled:` buffer, a diff view's) names nothing on disk.

use std::path::{Path, PathBuf};
use std::str::FromStr;

use lsp_types::Uri;

/// The path a `file:` URI names (percent-decoded; an empty or `localhost` authority only).
pub fn to_path(uri: &Uri) -> Option<PathBuf> {
    let rest = uri.as_str().strip_prefix("file://")?;
    let rest = rest.strip_prefix("localhost").unwrap_or(rest);
    if !rest.starts_with('/') {
        return None;
    }
    let path = rest.split(['?', '#']).next().unwrap_or(rest);
    let bytes = decode(path)?;
    use std::os::unix::ffi::OsStringExt;
    Some(crate::paths::absolute(&PathBuf::from(
        std::ffi::OsString::from_vec(bytes),
    )))
}

/// The `file:` URI of an absolute path, percent-encoding all but unreserved characters and `/`.
pub fn from_path(path: &Path) -> Uri {
    use std::os::unix::ffi::OsStrExt;
    let mut out = String::from("file://");
    for &b in path.as_os_str().as_bytes() {
        if b.is_ascii_alphanumeric() || b"/-._~".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    // Every byte outside the unreserved set is escaped: the text is always a valid URI.
    Uri::from_str(&out).unwrap_or_else(|_| fallback())
}

fn fallback() -> Uri {
    // A literal that parses: the branch above never reaches here.
    Uri::from_str("file:///").expect("a constant URI")
}

fn decode(text: &str) -> Option<Vec<u8>> {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = std::str::from_utf8(bytes.get(i + 1..i + 3)?).ok()?;
            out.push(u8::from_str_radix(hex, 16).ok()?);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_round_trip_through_uris() {
        let path = Path::new("/tmp/a b/prod-222222222222/é#1.json");
        let uri = from_path(path);
        assert_eq!(
            uri.as_str(),
            "file:///tmp/a%20b/prod-222222222222/%C3%A9%231.json"
        );
        assert_eq!(to_path(&uri).as_deref(), Some(path));
        let localhost = Uri::from_str("file://localhost/tmp/x.json").unwrap();
        assert_eq!(to_path(&localhost), Some(PathBuf::from("/tmp/x.json")));
    }

    #[test]
    fn other_schemes_name_no_file() {
        for text in [
            "untitled:Untitled-1",
            "http://example.com/x.json",
            "file://host/x",
        ] {
            assert_eq!(to_path(&Uri::from_str(text).unwrap()), None, "{text}");
        }
    }
}
