//! Capturing one output stream of a process: read from its pipe, written to a log file that is
//! created on the first byte, and optionally relayed line by line for live views.
//!
//! A stream that stays silent leaves no file. Creating two empty files per job was most of
//! flotilla's per-job cost on ext4 once a few thousand had been deleted (the inode allocator
//! steps over recently deleted inodes one by one); most jobs of a passing suite print nothing.

use std::io::Write;

use camino::Utf8PathBuf;
use tokio::io::{AsyncRead, AsyncReadExt};
use tokio::sync::{mpsc, watch};

use super::output::{OutputLine, Stream};

/// What a capture wrote.
#[derive(Debug, Default)]
pub(super) struct Captured {
    /// Bytes written to the log file (0: no file was created).
    pub bytes: u64,
    /// Why the log file could not be written, if it could not (the output is then lost).
    pub error: Option<String>,
}

/// Copies `pipe` into the file at `path` (created on the first byte) until end of file, and sends
/// each complete line to `relay` until `detach` changes: after that (the job is over, and a
/// process that escaped its group still holds the pipe) output only goes to the file, and the
/// relay is released so that whoever waits for the last line is not held up by that process.
pub(super) async fn capture(
    mut pipe: impl AsyncRead + Unpin,
    path: Utf8PathBuf,
    stream: Stream,
    mut relay: Option<mpsc::UnboundedSender<OutputLine>>,
    mut detach: watch::Receiver<bool>,
) -> Captured {
    let mut buffer = vec![0_u8; 64 * 1024];
    let mut file: Option<std::fs::File> = None;
    let mut captured = Captured::default();
    let mut partial_line = Vec::new();
    loop {
        let read = tokio::select! {
            read = pipe.read(&mut buffer) => read,
            _ = detach.changed(), if relay.is_some() => {
                if let Some(relay) = relay.take()
                    && !partial_line.is_empty()
                {
                    send_line(&partial_line, stream, &relay);
                }
                continue;
            }
        };
        let chunk = match read {
            Ok(0) | Err(_) => break,
            Ok(n) => &buffer[..n],
        };
        if captured.error.is_none() {
            let written = match &mut file {
                Some(file) => file.write_all(chunk),
                None => std::fs::File::create(&path).and_then(|created| file.insert(created).write_all(chunk)),
            };
            match written {
                Ok(()) => captured.bytes += chunk.len() as u64,
                // Keep reading: a full pipe would block the process, and the relay still wants lines.
                Err(error) => captured.error = Some(format!("could not write its output to `{path}`: {error}")),
            }
        }
        if let Some(relay) = &relay {
            send_lines(&mut partial_line, chunk, stream, relay);
        }
    }
    if let Some(relay) = &relay
        && !partial_line.is_empty()
    {
        send_line(&partial_line, stream, relay);
    }
    captured
}

/// Sends the complete lines of `pending` + `chunk`; keeps the unfinished end in `pending`.
fn send_lines(pending: &mut Vec<u8>, chunk: &[u8], stream: Stream, relay: &mpsc::UnboundedSender<OutputLine>) {
    let mut rest = chunk;
    while let Some(newline) = rest.iter().position(|&b| b == b'\n') {
        pending.extend_from_slice(&rest[..newline]);
        send_line(pending, stream, relay);
        pending.clear();
        rest = &rest[newline + 1..];
    }
    pending.extend_from_slice(rest);
}

fn send_line(line: &[u8], stream: Stream, relay: &mpsc::UnboundedSender<OutputLine>) {
    let text = String::from_utf8_lossy(line).trim_end_matches(['\n', '\r']).to_string();
    let _ = relay.send(OutputLine { stream, text });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn silence_leaves_no_file() {
        let dir = tempfile::tempdir().unwrap();
        let path = Utf8PathBuf::from_path_buf(dir.path().join("out")).unwrap();
        let (_keep, detach) = watch::channel(false);
        let captured = capture(&b""[..], path.clone(), Stream::Stdout, None, detach).await;
        assert_eq!(captured.bytes, 0);
        assert!(!path.exists());
    }

    #[tokio::test]
    async fn lines_split_across_reads_arrive_whole() {
        let dir = tempfile::tempdir().unwrap();
        let path = Utf8PathBuf::from_path_buf(dir.path().join("out")).unwrap();
        let (tx, mut rx) = mpsc::unbounded_channel();
        // A reader that returns the bytes in small pieces, cutting lines in the middle.
        const INPUT: &[u8] = b"first line\r\nsecond\nno newline";
        let (mut writer, reader) = tokio::io::duplex(3);
        let feed = tokio::spawn(async move {
            use tokio::io::AsyncWriteExt;
            writer.write_all(INPUT).await.unwrap();
        });
        let (_keep, detach) = watch::channel(false);
        let captured = capture(reader, path.clone(), Stream::Stderr, Some(tx), detach).await;
        feed.await.unwrap();
        assert_eq!(captured.bytes, INPUT.len() as u64);
        let mut lines = Vec::new();
        while let Ok(line) = rx.try_recv() {
            assert_eq!(line.stream, Stream::Stderr);
            lines.push(line.text);
        }
        assert_eq!(lines, ["first line", "second", "no newline"]);
        assert_eq!(std::fs::read(&path).unwrap(), INPUT);
    }

    #[tokio::test]
    async fn an_unwritable_log_is_reported_and_the_pipe_still_drained() {
        let dir = tempfile::tempdir().unwrap();
        let path = Utf8PathBuf::from_path_buf(dir.path().join("missing-folder/out")).unwrap();
        let (tx, mut rx) = mpsc::unbounded_channel();
        let (_keep, detach) = watch::channel(false);
        let captured = capture(&b"a\nb\n"[..], path, Stream::Stdout, Some(tx), detach).await;
        assert!(captured.error.unwrap().contains("missing-folder/out"));
        assert_eq!(rx.try_recv().unwrap().text, "a");
        assert_eq!(rx.try_recv().unwrap().text, "b");
    }
}
