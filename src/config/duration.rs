//! Human-readable durations ("90s", "5m", "1h 30m") in the configuration.

use std::time::Duration;

/// Parses a humantime duration; the error is a user-facing fragment.
pub(crate) fn parse(text: &str) -> Result<Duration, String> {
    humantime::parse_duration(text.trim()).map_err(|error| format!("invalid duration `{text}`: {error}"))
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
        assert!(parse("10").is_err());
    }
}
