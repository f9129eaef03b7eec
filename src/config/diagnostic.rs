//! [`ConfigError`]: a configuration problem with its location in the file and a fix.
// miette's derive assigns fields that rustc ≥ 1.92 reports as never read (zkat/miette#458).
#![allow(unused_assignments)]

use std::sync::Arc;

use camino::Utf8PathBuf;
use miette::{Diagnostic, NamedSource, SourceSpan};

/// A configuration error, rendered by miette with the offending span.
#[derive(Debug, thiserror::Error, Diagnostic)]
#[error("{message}")]
#[diagnostic(code(flotilla::config))]
pub struct ConfigError {
    /// The configuration file.
    pub path: Utf8PathBuf,
    /// What is wrong, as a lowercase sentence fragment.
    pub message: String,
    /// How to fix it.
    #[help]
    pub help: Option<String>,
    #[source_code]
    source_code: Option<NamedSource<Arc<String>>>,
    #[label("here")]
    span: Option<SourceSpan>,
    /// 1-based line and column of the span, for plain-text consumers.
    pub location: Option<(usize, usize)>,
}

impl ConfigError {
    /// An error at `span` (byte range) of the file `path` whose text is `source`.
    pub(crate) fn at(
        path: &Utf8PathBuf,
        source: &Arc<String>,
        span: Option<std::ops::Range<usize>>,
        message: impl Into<String>,
        help: Option<String>,
    ) -> Self {
        let location = span.as_ref().map(|span| line_column(source, span.start));
        let message = message.into();
        let message = match location {
            Some((line, column)) => format!("{path}:{line}:{column}: {message}"),
            None => format!("{path}: {message}"),
        };
        Self {
            path: path.clone(),
            message,
            help,
            source_code: Some(NamedSource::new(path.as_str(), Arc::clone(source))),
            span: span.map(|span| SourceSpan::from(span.start..span.end.max(span.start))),
            location,
        }
    }

    /// An error about the file as a whole (missing, unreadable).
    pub(crate) fn file(path: &Utf8PathBuf, message: impl Into<String>, help: Option<String>) -> Self {
        Self {
            path: path.clone(),
            message: format!("{path}: {}", message.into()),
            help,
            source_code: None,
            span: None,
            location: None,
        }
    }
}

/// 1-based line and column (in characters) of byte `offset` in `text`.
fn line_column(text: &str, offset: usize) -> (usize, usize) {
    let offset = offset.min(text.len());
    let before = &text[..offset];
    let line = before.matches('\n').count() + 1;
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    let column = text[line_start..offset].chars().count() + 1;
    (line, column)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_column_counts_from_one() {
        let text = "a = 1\nbé = 2\n";
        assert_eq!(line_column(text, 0), (1, 1));
        assert_eq!(line_column(text, 6), (2, 1));
        assert_eq!(line_column(text, text.find('=').unwrap()), (1, 3));
        assert_eq!(line_column(text, text.rfind('=').unwrap()), (2, 4));
    }
}
