//! [`PsEntry`]: one line of compose v2's `ps --format json`, which is a JSON array up to v2.20
//! and one object per line (NDJSON) from v2.21 on; [`parse_ps_json`] accepts both and fails
//! with a [`PsError`].
//! (v1 has no JSON `ps`; flotilla asks `docker inspect` instead.)

use serde::Deserialize;

/// A container as `compose ps --format json` reports it.
#[derive(Clone, Debug, Deserialize, PartialEq, Eq)]
pub struct PsEntry {
    /// Container name.
    #[serde(rename = "Name", default)]
    pub name: String,
    /// Compose service.
    #[serde(rename = "Service", default)]
    pub service: String,
    /// `running`, `exited`, …
    #[serde(rename = "State", default)]
    pub state: String,
    /// `healthy`, `unhealthy`, `starting` or empty.
    #[serde(rename = "Health", default)]
    pub health: String,
    /// Exit code.
    #[serde(rename = "ExitCode", default)]
    pub exit_code: i64,
}

/// Why `compose ps --format json` output could not be read.
#[derive(Debug, thiserror::Error)]
pub enum PsError {
    /// The array shape (v2.20 and earlier) is not valid JSON of containers.
    #[error("invalid JSON array: {source}")]
    Array {
        /// What serde_json said (with line and column).
        #[source]
        source: serde_json::Error,
    },

    /// One line of the NDJSON shape (v2.21+) is not a JSON container.
    #[error("line {line}: {source}")]
    Line {
        /// 1-based, counting non-empty lines.
        line: usize,
        /// What serde_json said.
        #[source]
        source: serde_json::Error,
    },
}

/// Parses v2 `ps --format json` output in either shape: `[{…},{…}]` or `{…}\n{…}`.
pub fn parse_ps_json(text: &str) -> Result<Vec<PsEntry>, PsError> {
    let trimmed = text.trim_start();
    if trimmed.is_empty() {
        return Ok(Vec::new());
    }
    if trimmed.starts_with('[') {
        return serde_json::from_str(trimmed).map_err(|source| PsError::Array { source });
    }
    trimmed
        .lines()
        .filter(|line| !line.trim().is_empty())
        .enumerate()
        .map(|(i, line)| serde_json::from_str(line).map_err(|source| PsError::Line { line: i + 1, source }))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Recorded from compose 2.40.3 (NDJSON), trimmed.
    const NDJSON: &str = r#"{"Command":"\"sh -c 'echo startin…\"","ExitCode":0,"Health":"","ID":"452d85d196ad","Name":"t2-db-1","Project":"t2","Publishers":[{"URL":"0.0.0.0","TargetPort":5432,"PublishedPort":32769,"Protocol":"tcp"}],"Service":"db","State":"running","Status":"Up Less than a second"}
{"Command":"\"httpd -f -p 8080 -h…\"","ExitCode":0,"Health":"starting","ID":"fe070f99c521","Name":"t2-web-1","Project":"t2","Service":"web","State":"running","Status":"Up Less than a second (health: starting)"}
"#;

    /// The array shape of compose 2.20 and earlier (as in compose#10918).
    const ARRAY: &str = r#"[{"ID":"1","Name":"p-db-1","Command":"x","Project":"p","Service":"db","State":"exited","Health":"","ExitCode":3,"Publishers":null},{"ID":"2","Name":"p-web-1","Project":"p","Service":"web","State":"running","Health":"unhealthy","ExitCode":0,"Publishers":[]}]"#;

    #[test]
    fn reads_ndjson() {
        let entries = parse_ps_json(NDJSON).unwrap();
        assert_eq!(entries.len(), 2);
        assert_eq!(entries[1].service, "web");
        assert_eq!(entries[1].health, "starting");
    }

    #[test]
    fn reads_an_array() {
        let entries = parse_ps_json(ARRAY).unwrap();
        assert_eq!(entries[0].exit_code, 3);
        assert_eq!(entries[1].health, "unhealthy");
    }

    #[test]
    fn empty_and_broken() {
        assert!(parse_ps_json("\n").unwrap().is_empty());
        assert!(parse_ps_json("[]").unwrap().is_empty());
        let error = parse_ps_json("{\"Name\":\"a\"}\nnot json").unwrap_err();
        assert!(
            matches!(error, PsError::Line { line: 2, .. }) && error.to_string().contains("line 2"),
            "{error}"
        );
        assert!(matches!(parse_ps_json("[{]"), Err(PsError::Array { .. })));
    }
}
