//! Small filesystem helpers shared by the writers.

use camino::Utf8Path;

/// Writes `path` through `write` into a buffered temporary sibling, then renames it into place,
/// so a large report is streamed to disk (never held whole in memory) and readers still never
/// see half a file. On error the temporary file is removed and `path` is left as it was.
pub(crate) fn write_atomic_with<T>(
    path: &Utf8Path,
    write: impl FnOnce(&mut std::io::BufWriter<fs_err::File>) -> std::io::Result<T>,
) -> std::io::Result<T> {
    use std::io::Write;
    let tmp = path.with_extension(format!("tmp.{}", std::process::id()));
    let result = (|| {
        // 256 KiB: few write calls for files of tens of MB, a negligible buffer.
        let mut out = std::io::BufWriter::with_capacity(256 * 1024, fs_err::File::create(&tmp)?);
        let value = write(&mut out)?;
        out.flush()?;
        fs_err::rename(&tmp, path)?;
        Ok(value)
    })();
    if result.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    result
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
