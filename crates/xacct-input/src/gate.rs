//! The one door through which xacct reads and writes files.
//!
//! A lint runs on pull requests from strangers, so what it may read is decided here, once:
//!
//! - only regular files: a FIFO, a socket or a device is refused without blocking (the file is
//!   opened with `O_NONBLOCK` and looked at through the open handle);
//! - only inside the lint roots: a path is canonicalised (symlinks resolved) and must lie in a
//!   root, so a symlink in the tree to `/etc` or `/proc` is never followed, nor a CDK manifest's
//!   `templateFile` that climbs out with `../`;
//! - at most the size limit: the size is checked on the open handle before anything is read,
//!   and the read stops one byte past the limit whatever the size said (`/proc` files say 0).
//!
//! Writes (the baseline, `xacct init`) go to a temporary file beside the target, then a rename:
//! never half a file, and never through a symlink.

use std::fs::{File, OpenOptions};
use std::io::{Read, Write};
use std::os::unix::fs::{FileTypeExt, OpenOptionsExt};
use std::path::{Path, PathBuf};

/// Why a file was not read.
#[derive(Debug, thiserror::Error)]
pub enum ReadError {
    /// The path or one of its folders does not exist (a dangling symlink included).
    #[error("No such file or directory (os error 2)")]
    NotFound,
    /// Not a regular file.
    #[error("it is {0}, not a regular file")]
    NotRegular(&'static str),
    /// The path resolves outside every lint root: a symlink out of the tree, or `../`.
    #[error("it leads outside the folders being linted (a symlink or `..` out of the tree); xacct reads nothing there")]
    OutsideRoots,
    /// Larger than the limit.
    #[error("the file is {size} bytes, more than the limit of {limit} bytes")]
    TooLarge {
        /// The size (at least), in bytes.
        size: u64,
        /// The limit.
        limit: u64,
    },
    /// Anything else the system said (permissions, a loop of symlinks...).
    #[error("{0}")]
    Io(std::io::Error),
}

impl From<std::io::Error> for ReadError {
    fn from(error: std::io::Error) -> ReadError {
        match error.kind() {
            std::io::ErrorKind::NotFound => ReadError::NotFound,
            _ => ReadError::Io(error),
        }
    }
}

/// What may be read: the lint roots, canonical and as written (made absolute).
#[derive(Clone, Debug, Default)]
pub struct Gate {
    roots: Vec<PathBuf>,
    /// The roots as named, absolute and normalised without touching the file system: a path
    /// outside all of these and all of `roots` is refused before anything is looked up, so
    /// not even its existence is learnt.
    named: Vec<PathBuf>,
    /// The current folder, read once, for paths given relative to it.
    cwd: Option<PathBuf>,
}

/// `path` made absolute and normalised lexically (`.` dropped, `..` applied), without
/// touching the file system.
pub fn lexical(path: &Path) -> PathBuf {
    lexical_from(std::env::current_dir().ok().as_deref(), path)
}

/// [`lexical`] with the current folder given.
fn lexical_from(cwd: Option<&Path>, path: &Path) -> PathBuf {
    let absolute = match cwd {
        Some(cwd) if path.is_relative() => cwd.join(path),
        _ => path.to_path_buf(),
    };
    let mut out = PathBuf::new();
    for component in absolute.components() {
        match component {
            std::path::Component::CurDir => {}
            std::path::Component::ParentDir => {
                out.pop();
            }
            other => out.push(other),
        }
    }
    out
}

impl Gate {
    /// A gate with no roots yet: it admits nothing.
    pub fn new() -> Gate {
        Gate {
            cwd: std::env::current_dir().ok(),
            ..Gate::default()
        }
    }

    /// Admits everything below `folder` (canonicalised; a folder that does not exist adds
    /// nothing).
    pub fn add_root(&mut self, folder: &Path) {
        if let Ok(canonical) = folder.canonicalize() {
            self.named.push(lexical_from(self.cwd.as_deref(), folder));
            if !self.roots.iter().any(|r| canonical.starts_with(r)) {
                self.roots.retain(|r| !r.starts_with(&canonical));
                self.roots.push(canonical);
            }
        }
    }

    /// True when `path`, as written, lies in a root: the first test of [`Gate::admit`].
    pub fn lexically_inside(&self, path: &Path) -> bool {
        let path = lexical_from(self.cwd.as_deref(), path);
        self.named
            .iter()
            .chain(&self.roots)
            .any(|r| path.starts_with(r))
    }

    /// Admits what a path named on the command line stands for: a folder, everything below
    /// it; a file, everything in the folder it is named in (so a symlink named there may lead
    /// to a sibling, never out).
    pub fn add_named(&mut self, path: &Path) {
        if path.is_dir() {
            self.add_root(path);
        } else {
            let folder = match path.parent() {
                Some(p) if !p.as_os_str().is_empty() => p,
                _ => Path::new("."),
            };
            self.add_root(folder);
        }
    }

    /// The roots.
    pub fn roots(&self) -> &[PathBuf] {
        &self.roots
    }

    /// The canonical path of `path` if it lies inside a root: first as written (nothing
    /// outside is even looked up), then with its links resolved.
    pub fn admit(&self, path: &Path) -> Result<PathBuf, ReadError> {
        if !self.lexically_inside(path) {
            return Err(ReadError::OutsideRoots);
        }
        let canonical = path.canonicalize()?;
        if self.roots.iter().any(|r| canonical.starts_with(r)) {
            Ok(canonical)
        } else {
            Err(ReadError::OutsideRoots)
        }
    }

    /// Reads a regular file inside the roots, of at most `limit` bytes.
    pub fn read(&self, path: &Path, limit: u64) -> Result<Vec<u8>, ReadError> {
        let canonical = self.admit(path)?;
        read_regular(&canonical, limit)
    }

    /// [`Gate::read`] for a file whose canonical path is known already: one that a walk found
    /// below a canonical root, through folders that are no links, and that is no link itself.
    /// It must still lie in a root, and is opened without following a link (so one put in its
    /// place since is refused); this saves resolving every path again, component by component.
    /// Without a canonical path (the walk did not know one), this is [`Gate::read`].
    pub fn read_resolved(
        &self,
        path: &Path,
        canonical: Option<&Path>,
        limit: u64,
    ) -> Result<Vec<u8>, ReadError> {
        match canonical {
            Some(canonical)
                if canonical.is_absolute()
                    && self.roots.iter().any(|r| canonical.starts_with(r)) =>
            {
                read_regular(canonical, limit)
            }
            _ => self.read(path, limit),
        }
    }
}

/// Reads a file the user named outside any lint (`--config`, `--baseline`): links followed
/// (the user chose the path), but only a regular file of at most `limit` bytes.
pub fn read_followed(path: &Path, limit: u64) -> Result<Vec<u8>, ReadError> {
    read_regular(&path.canonicalize()?, limit)
}

/// Reads a regular file of at most `limit` bytes, without following a last symlink and without
/// blocking on a FIFO.
pub fn read_regular(path: &Path, limit: u64) -> Result<Vec<u8>, ReadError> {
    let file = OpenOptions::new()
        .read(true)
        .custom_flags(libc::O_NONBLOCK | libc::O_NOFOLLOW | libc::O_CLOEXEC)
        .open(path)
        .map_err(|e| match e.raw_os_error() {
            // O_NOFOLLOW on a symlink.
            Some(libc::ELOOP) => {
                ReadError::Io(std::io::Error::other("it is a symlink (or a loop of them)"))
            }
            _ => ReadError::from(e),
        })?;
    let meta = file.metadata()?;
    let file_type = meta.file_type();
    if !file_type.is_file() {
        return Err(ReadError::NotRegular(if file_type.is_dir() {
            "a folder"
        } else if file_type.is_fifo() {
            "a FIFO (named pipe)"
        } else if file_type.is_socket() {
            "a socket"
        } else if file_type.is_char_device() || file_type.is_block_device() {
            "a device"
        } else {
            "a special file"
        }));
    }
    if meta.len() > limit {
        return Err(ReadError::TooLarge {
            size: meta.len(),
            limit,
        });
    }
    read_at_most(file, meta.len(), limit)
}

/// Reads standard input (`xacct lint -`), bounded as a file is: at most `limit` bytes, one more
/// is [`ReadError::TooLarge`] (its size then says "at least"), so that a stream without end
/// cannot exhaust memory.
pub fn read_stdin(limit: u64) -> Result<Vec<u8>, ReadError> {
    read_bounded(std::io::stdin().lock(), 0, limit)
}

/// Takes bytes that stand for a file and were never on disk as it is (an editor's unsaved
/// buffer, handed by `xacct server`), bounded as a file is: more than `limit` bytes is
/// [`ReadError::TooLarge`], so a buffer is held to the same limit as the file it stands for.
pub fn read_buffer(bytes: &[u8], limit: u64) -> Result<Vec<u8>, ReadError> {
    read_bounded(bytes, bytes.len() as u64, limit)
}

/// Reads at most `limit` bytes; one more is an error (a file that grew, or one whose size the
/// system does not tell).
fn read_at_most(file: File, expected: u64, limit: u64) -> Result<Vec<u8>, ReadError> {
    read_bounded(file, expected, limit)
}

fn read_bounded(file: impl Read, expected: u64, limit: u64) -> Result<Vec<u8>, ReadError> {
    let mut bytes = Vec::with_capacity(expected.min(limit) as usize);
    let read = file.take(limit.saturating_add(1)).read_to_end(&mut bytes)?;
    if read as u64 > limit {
        return Err(ReadError::TooLarge {
            size: read as u64,
            limit,
        });
    }
    Ok(bytes)
}

/// Why a file was not written.
#[derive(Debug, thiserror::Error)]
pub enum WriteError {
    /// The target is a symlink: writing through it would change a file elsewhere.
    #[error("it is a symlink; xacct does not write through symlinks")]
    Symlink,
    /// The target exists and is not a regular file.
    #[error("it is not a regular file")]
    NotRegular,
    /// The target is outside the lint roots, as written or once its links are resolved.
    #[error("it is outside the folders being linted")]
    OutsideRoots,
    /// The system refused.
    #[error("{0}")]
    Io(#[from] std::io::Error),
}

impl Gate {
    /// Writes a file of the lint (`xacct lint --fix`): only one inside the roots as written and
    /// as resolved, never through a last link, whole or not at all, keeping its permissions.
    pub fn write(&self, path: &Path, contents: &[u8]) -> Result<(), WriteError> {
        match self.admit(path) {
            Ok(_) => {}
            Err(ReadError::Io(e)) => return Err(WriteError::Io(e)),
            Err(_) => return Err(WriteError::OutsideRoots),
        }
        let permissions = std::fs::symlink_metadata(path)
            .ok()
            .map(|m| m.permissions());
        write_atomic_keeping(path, contents, permissions)
    }
}

/// Writes `contents` to `path` whole or not at all: into a temporary file in the same folder,
/// then renamed over the target. Refuses a target that is a symlink or not a regular file.
pub fn write_atomic(path: &Path, contents: &[u8]) -> Result<(), WriteError> {
    write_atomic_keeping(path, contents, None)
}

/// [`write_atomic`], giving the new file `permissions` (the old file's) when known.
fn write_atomic_keeping(
    path: &Path,
    contents: &[u8],
    permissions: Option<std::fs::Permissions>,
) -> Result<(), WriteError> {
    match std::fs::symlink_metadata(path) {
        Ok(meta) if meta.file_type().is_symlink() => return Err(WriteError::Symlink),
        Ok(meta) if !meta.is_file() => return Err(WriteError::NotRegular),
        _ => {}
    }
    let folder = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    };
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let temporary = folder.join(format!(".{name}.xacct-{}.tmp", std::process::id()));
    let written = (|| {
        let mut file = OpenOptions::new()
            .write(true)
            .create_new(true)
            .custom_flags(libc::O_NOFOLLOW | libc::O_CLOEXEC)
            .open(&temporary)?;
        file.write_all(contents)?;
        if let Some(permissions) = &permissions {
            file.set_permissions(permissions.clone())?;
        }
        file.sync_all()?;
        std::fs::rename(&temporary, path)
    })();
    if written.is_err() {
        let _ = std::fs::remove_file(&temporary);
    }
    Ok(written?)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn scratch(name: &str) -> PathBuf {
        let dir = std::env::temp_dir().join(format!("xacct-gate-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        dir
    }

    #[test]
    fn buffers_are_held_to_the_size_limit() {
        assert_eq!(read_buffer(b"{}", 2).unwrap(), b"{}");
        match read_buffer(b"{ }", 2) {
            Err(ReadError::TooLarge { size: 3, limit: 2 }) => {}
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn reads_regular_files_inside_the_roots_only() {
        let dir = scratch("roots");
        std::fs::create_dir(dir.join("tree")).unwrap();
        std::fs::write(dir.join("tree/a.json"), "{}").unwrap();
        std::fs::write(dir.join("secret.json"), "{\"k\": 1}").unwrap();
        std::os::unix::fs::symlink("../secret.json", dir.join("tree/out.json")).unwrap();
        std::os::unix::fs::symlink("a.json", dir.join("tree/in.json")).unwrap();
        let mut gate = Gate::new();
        gate.add_root(&dir.join("tree"));
        assert_eq!(gate.read(&dir.join("tree/a.json"), 10).unwrap(), b"{}");
        assert_eq!(gate.read(&dir.join("tree/in.json"), 10).unwrap(), b"{}");
        assert!(matches!(
            gate.read(&dir.join("tree/out.json"), 10),
            Err(ReadError::OutsideRoots)
        ));
        assert!(matches!(
            gate.read(&dir.join("tree/../secret.json"), 10),
            Err(ReadError::OutsideRoots)
        ));
        assert!(matches!(
            gate.read(&dir.join("tree/none.json"), 10),
            Err(ReadError::NotFound)
        ));
        assert!(matches!(
            gate.read(&dir.join("tree/a.json"), 1),
            Err(ReadError::TooLarge { size: 2, limit: 1 })
        ));
    }

    #[test]
    fn special_files_are_refused_without_blocking() {
        let dir = scratch("special");
        let fifo = dir.join("fifo.json");
        let c = std::ffi::CString::new(fifo.to_str().unwrap()).unwrap();
        // SAFETY: a valid NUL-terminated path.
        assert_eq!(unsafe { libc::mkfifo(c.as_ptr(), 0o600) }, 0);
        assert!(matches!(
            read_regular(&fifo, 10),
            Err(ReadError::NotRegular("a FIFO (named pipe)"))
        ));
        assert!(matches!(
            read_regular(Path::new("/dev/zero"), 10),
            Err(ReadError::NotRegular("a device"))
        ));
        assert!(matches!(
            read_regular(&dir, 10),
            Err(ReadError::NotRegular("a folder"))
        ));
        // /proc files say they are empty: the read still stops at the limit.
        assert!(matches!(
            read_regular(Path::new("/proc/self/pagemap"), 4096),
            Err(ReadError::TooLarge { .. }) | Err(ReadError::Io(_))
        ));
    }

    #[test]
    fn writes_are_whole_and_never_through_a_symlink() {
        let dir = scratch("write");
        let target = dir.join("baseline.json");
        write_atomic(&target, b"one").unwrap();
        write_atomic(&target, b"two").unwrap();
        assert_eq!(std::fs::read(&target).unwrap(), b"two");
        std::fs::write(dir.join("elsewhere"), "keep").unwrap();
        std::os::unix::fs::symlink("elsewhere", dir.join("link.json")).unwrap();
        assert!(matches!(
            write_atomic(&dir.join("link.json"), b"x"),
            Err(WriteError::Symlink)
        ));
        assert_eq!(std::fs::read(dir.join("elsewhere")).unwrap(), b"keep");
        // A dangling symlink is not written through either.
        std::os::unix::fs::symlink("missing", dir.join("dangling.json")).unwrap();
        assert!(matches!(
            write_atomic(&dir.join("dangling.json"), b"x"),
            Err(WriteError::Symlink)
        ));
        assert!(!dir.join("missing").exists());
        let leftovers: Vec<_> = std::fs::read_dir(&dir)
            .unwrap()
            .filter_map(|e| e.ok())
            .filter(|e| e.file_name().to_string_lossy().ends_with(".tmp"))
            .collect();
        assert!(leftovers.is_empty());
    }
}
