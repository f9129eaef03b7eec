//! What a process printed, line by line: [`OutputLine`] and its [`Stream`] (relayed live for
//! pipeline steps).

/// Which stream a relayed line came from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Stream {
    /// Standard output.
    Stdout,
    /// Standard error.
    Stderr,
}

/// One complete line of a process's output (without its newline).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OutputLine {
    /// The stream.
    pub stream: Stream,
    /// The text, decoded lossily.
    pub text: String,
}
