//! Human-readable durations ("90s", "5m", "1h 30m") in the configuration.

use std::time::Duration;

/// A duration in the configuration that humantime cannot read.
#[derive(Debug, thiserror::Error)]
#[error("invalid duration `{text}`: {source}")]
pub struct DurationError {
    /// The value as written.
    pub text: String,
    /// What humantime said.
    #[source]
    pub source: humantime::DurationError,
}

/// Parses a humantime duration.
pub(crate) fn parse(text: &str) -> Result<Duration, DurationError> {
    humantime::parse_duration(text.trim()).map_err(|source| DurationError {
        text: text.to_string(),
        source,
    })
}

/// The help shown with every bad duration.
pub(crate) const HELP: &str = "write a duration such as \"90s\", \"5m\" or \"1h 30m\"";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_common_forms() {
        assert_eq!(parse("90s").unwrap(), Duration::from_secs(90));
        assert_eq!(parse("5m").unwrap(), Duration::from_secs(300));
        assert_eq!(parse("1h 30m").unwrap(), Duration::from_secs(5400));
        assert!(parse("ten seconds").is_err());
        let error = parse("10").unwrap_err();
        assert_eq!(error.text, "10");
        assert_eq!(error.to_string(), format!("invalid duration `10`: {}", error.source));
    }
}
