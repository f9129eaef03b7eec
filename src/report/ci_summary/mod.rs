//! CI job summaries (GitHub step summary, Buildkite annotation).
