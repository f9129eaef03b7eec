//! Small filesystem helpers shared by the writers.

use camino::Utf8Path;

/// Writes `bytes` to `path` via a temporary sibling and a rename, so readers never see half a file.
pub(crate) fn write_atomic(path: &Utf8Path, bytes: &[u8]) -> std::io::Result<()> {
    let tmp = path.with_extension(format!("tmp.{}", std::process::id()));
    fs_err::write(&tmp, bytes)?;
    fs_err::rename(&tmp, path)
}

/// Points the symlink `link` at `target` (relative), replacing any previous link atomically.
pub(crate) fn replace_symlink(target: &str, link: &Utf8Path) -> std::io::Result<()> {
    let tmp = link.with_extension(format!("tmp.{}", std::process::id()));
    let _ = std::fs::remove_file(&tmp);
    std::os::unix::fs::symlink(target, &tmp)?;
    fs_err::rename(&tmp, link)
}

/// The last `max` bytes of a file, decoded lossily, starting at a line boundary.
pub(crate) fn tail(path: &Utf8Path, max: u64) -> String {
    use std::io::{Read, Seek, SeekFrom};
    let Ok(mut file) = std::fs::File::open(path) else {
        return String::new();
    };
    let len = file.metadata().map_or(0, |m| m.len());
    let start = len.saturating_sub(max);
    if file.seek(SeekFrom::Start(start)).is_err() {
        return String::new();
    }
    let mut bytes = Vec::new();
    let _ = file.read_to_end(&mut bytes);
    let text = String::from_utf8_lossy(&bytes).into_owned();
    if start > 0
        && let Some(newline) = text.find('\n')
    {
        return text[newline + 1..].to_string();
    }
    text
}
