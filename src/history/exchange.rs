//! [`HistoryData`]: the history as it travels between machines (`flotilla history export` /
//! `import`), and its file format: gzip-compressed JSON lines, a header with the format
//! version first and an end record last ([`write_export`], [`read_export`];
//! `docs/history-format.md`). A truncated, damaged or foreign file is an [`ExchangeError`]
//! naming the file, never a partial import.

use std::io::{BufRead, BufReader, Read, Write};

use camino::{Utf8Path, Utf8PathBuf};
use serde::{Deserialize, Serialize};

use super::sample::Sample;

/// The export format's name, in its header.
pub const FORMAT_NAME: &str = "flotilla-history";
/// The export format's version: bumped when a reader of the previous version could not read
/// it (a field removed or changing meaning; new optional fields do not bump it).
pub const FORMAT_VERSION: u32 = 1;

/// Totals of one run by final outcome.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct RunCounts {
    pub tests: u32,
    pub passed: u32,
    pub failed: u32,
    pub skipped: u32,
    pub flaky: u32,
    pub timed_out: u32,
    pub errors: u32,
}

/// One run's totals.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct RunRecord {
    pub run_id: String,
    /// Start, in seconds since the Unix epoch.
    pub time: u32,
    /// Start, RFC 3339 with the local offset.
    pub started_at: String,
    pub duration_secs: f64,
    pub workers: u32,
    pub interrupted: bool,
    /// None for runs migrated from a version 1 store (it kept no totals).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub counts: Option<RunCounts>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub predicted_secs: Option<f64>,
}

/// One test: its newest samples and its counts.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct TestRecord {
    pub suite: String,
    pub file: String,
    /// The stable test id (equal to `file` for a file-level result).
    pub id: String,
    /// Runs it was recorded in, failed in (in the end), and flaky in.
    pub runs: u32,
    pub failures: u32,
    pub flaky: u32,
    /// The newest sample's time.
    pub last_seen: u32,
    /// Newest first, as `[time, key, secs, outcome]`.
    pub samples: Vec<Sample>,
}

/// One job's start-up sample (`wall − reported`).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct StartupRecord {
    pub suite: String,
    pub time: u32,
    /// Its run's key.
    pub key: u32,
    /// The job's id in its run.
    pub seq: i64,
    pub secs: f64,
    /// How many files the job ran (absent in samples from before schema 5, and in exports of
    /// them).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub files: Option<u32>,
}

/// The contents of a history, in a stable order (runs by time, tests and start-up samples by
/// suite and id).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct HistoryData {
    pub runs: Vec<RunRecord>,
    pub tests: Vec<TestRecord>,
    pub startup: Vec<StartupRecord>,
}

/// The first line of an export.
#[derive(Debug, Serialize, Deserialize)]
struct Header {
    format: String,
    version: u32,
    #[serde(default)]
    created_at: String,
}

/// Every line after the header.
#[derive(Debug, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
enum Line {
    Run(RunRecord),
    Test(TestRecord),
    Startup(StartupRecord),
    /// The last line: how many records came before it (a file cut at a line boundary is
    /// still caught).
    End {
        records: u64,
    },
}

/// Why an export could not be written or read.
#[derive(Debug, thiserror::Error)]
pub enum ExchangeError {
    /// The file could not be opened or read.
    #[error("cannot read history export `{path}`")]
    Read {
        path: Utf8PathBuf,
        #[source]
        source: std::io::Error,
    },
    /// Not gzip at all.
    #[error(
        "`{path}` is not a flotilla history export (not gzip-compressed); make it with `flotilla history export FILE`"
    )]
    NotGzip { path: Utf8PathBuf },
    /// The compressed data is cut or damaged.
    #[error("history export `{path}` is truncated or damaged (the download or cache may be incomplete)")]
    Damaged {
        path: Utf8PathBuf,
        #[source]
        source: std::io::Error,
    },
    /// gzip, but its first line is not an export header.
    #[error("`{path}` is not a flotilla history export (no `{FORMAT_NAME}` header)")]
    NotAnExport { path: Utf8PathBuf },
    /// Written by a newer (or unknown) format version.
    #[error(
        "history export `{path}` has format version {found}; this flotilla reads version {FORMAT_VERSION}: upgrade flotilla or export with the same version"
    )]
    Version { path: Utf8PathBuf, found: u32 },
    /// A line that does not parse.
    #[error("history export `{path}` line {line} is malformed")]
    Malformed {
        path: Utf8PathBuf,
        line: u64,
        #[source]
        source: serde_json::Error,
    },
    /// The end record is missing or does not match the records before it.
    #[error("history export `{path}` is truncated: {found} records and no matching end record")]
    Truncated { path: Utf8PathBuf, found: u64 },
    /// The file could not be written.
    #[error("cannot write history export `{path}`")]
    Write {
        path: Utf8PathBuf,
        #[source]
        source: std::io::Error,
    },
}

/// Writes `data` to `out` as an export (gzip, JSON lines).
pub fn write_export(data: &HistoryData, out: impl Write) -> std::io::Result<()> {
    // serde_json writes in small pieces: buffer them, so the compressor sees large writes.
    let mut gzip = std::io::BufWriter::with_capacity(
        256 * 1024,
        flate2::write::GzEncoder::new(out, flate2::Compression::default()),
    );
    let header = Header {
        format: FORMAT_NAME.to_string(),
        version: FORMAT_VERSION,
        created_at: chrono::Utc::now().to_rfc3339(),
    };
    line(&mut gzip, &header)?;
    let mut records = 0u64;
    for run in &data.runs {
        line(&mut gzip, &Line::Run(run.clone()))?;
        records += 1;
    }
    for test in &data.tests {
        line(&mut gzip, &TestLine(test))?;
        records += 1;
    }
    for startup in &data.startup {
        line(&mut gzip, &Line::Startup(startup.clone()))?;
        records += 1;
    }
    line(&mut gzip, &Line::End { records })?;
    gzip.into_inner()
        .map_err(std::io::IntoInnerError::into_error)?
        .finish()?
        .flush()
}

/// A test line serialized without cloning the record.
struct TestLine<'a>(&'a TestRecord);

impl Serialize for TestLine<'_> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap;
        let mut map = serializer.serialize_map(Some(1))?;
        map.serialize_entry("test", self.0)?;
        map.end()
    }
}

fn line(out: &mut impl Write, value: &impl Serialize) -> std::io::Result<()> {
    serde_json::to_writer(&mut *out, value).map_err(std::io::Error::other)?;
    out.write_all(b"\n")
}

/// Writes `data` to the file `path` (atomically: a reader never sees half an export).
pub fn export_to_file(data: &HistoryData, path: &Utf8Path) -> Result<(), ExchangeError> {
    crate::fsutil::write_atomic_with(path, |out| write_export(data, out)).map_err(|source| ExchangeError::Write {
        path: path.to_path_buf(),
        source,
    })
}

/// Reads the export at `path`.
pub fn import_from_file(path: &Utf8Path) -> Result<HistoryData, ExchangeError> {
    let file = std::fs::File::open(path).map_err(|source| ExchangeError::Read {
        path: path.to_path_buf(),
        source,
    })?;
    read_export(file, path)
}

/// Reads an export from `input`; `path` names it in errors.
pub fn read_export(input: impl Read, path: &Utf8Path) -> Result<HistoryData, ExchangeError> {
    let path = path.to_path_buf();
    let mut input = BufReader::new(input);
    let head = input.fill_buf().map_err(|source| ExchangeError::Read {
        path: path.clone(),
        source,
    })?;
    if !head.starts_with(&[0x1f, 0x8b]) {
        return Err(ExchangeError::NotGzip { path });
    }
    let lines = BufReader::new(flate2::bufread::MultiGzDecoder::new(input)).lines();
    let mut data = HistoryData::default();
    let mut records = 0u64;
    let mut ended = false;
    for (index, line) in lines.enumerate() {
        let number = index as u64 + 1;
        let line = line.map_err(|source| ExchangeError::Damaged {
            path: path.clone(),
            source,
        })?;
        if number == 1 {
            let header: Header =
                serde_json::from_str(&line).map_err(|_| ExchangeError::NotAnExport { path: path.clone() })?;
            if header.format != FORMAT_NAME {
                return Err(ExchangeError::NotAnExport { path });
            }
            if header.version != FORMAT_VERSION {
                return Err(ExchangeError::Version {
                    path,
                    found: header.version,
                });
            }
            continue;
        }
        if ended {
            // Anything after the end record means two files were glued together wrongly.
            return Err(ExchangeError::Truncated { path, found: records });
        }
        let parsed: Line = serde_json::from_str(&line).map_err(|source| ExchangeError::Malformed {
            path: path.clone(),
            line: number,
            source,
        })?;
        match parsed {
            Line::Run(run) => data.runs.push(run),
            Line::Test(test) => data.tests.push(test),
            Line::Startup(startup) => data.startup.push(startup),
            Line::End { records: expected } if expected == records => {
                ended = true;
                continue;
            }
            Line::End { .. } => return Err(ExchangeError::Truncated { path, found: records }),
        }
        records += 1;
    }
    if !ended {
        if records == 0 && data.runs.is_empty() {
            // No header at all: an empty gzip stream.
            return Err(ExchangeError::Truncated { path, found: 0 });
        }
        return Err(ExchangeError::Truncated { path, found: records });
    }
    Ok(data)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::history::sample::SampleOutcome;

    fn data() -> HistoryData {
        HistoryData {
            runs: vec![RunRecord {
                run_id: "r1".into(),
                time: 10,
                started_at: "2026-01-01T00:00:10+00:00".into(),
                duration_secs: 1.5,
                workers: 2,
                interrupted: false,
                counts: Some(RunCounts {
                    tests: 1,
                    passed: 1,
                    ..RunCounts::default()
                }),
                predicted_secs: Some(1.25),
            }],
            tests: vec![TestRecord {
                suite: "s".into(),
                file: "a.py".into(),
                id: "a.py::t".into(),
                runs: 1,
                failures: 0,
                flaky: 0,
                last_seen: 10,
                samples: vec![Sample {
                    time: 10,
                    key: 7,
                    secs: 0.25,
                    outcome: SampleOutcome(0),
                }],
            }],
            startup: vec![StartupRecord {
                suite: "s".into(),
                time: 10,
                key: 7,
                seq: 0,
                secs: 0.1,
                files: Some(3),
            }],
        }
    }

    fn bytes(data: &HistoryData) -> Vec<u8> {
        let mut out = Vec::new();
        write_export(data, &mut out).unwrap();
        out
    }

    #[test]
    fn an_export_reads_back_as_written() {
        let read = read_export(bytes(&data()).as_slice(), Utf8Path::new("x.gz")).unwrap();
        assert_eq!(read, data());
    }

    #[test]
    fn every_truncation_is_an_error_naming_the_file() {
        let full = bytes(&data());
        for cut in 0..full.len() {
            let error = read_export(&full[..cut], Utf8Path::new("cut.gz"))
                .expect_err(&format!("a file cut at {cut} of {} bytes was accepted", full.len()));
            assert!(error.to_string().contains("cut.gz"), "{error}");
        }
    }

    proptest::proptest! {
        /// Damaged exports are an error or (a flip the checksums cannot see) data, never a panic.
        #[test]
        fn damaged_exports_never_panic(flips in proptest::collection::vec((0usize..4096, 0u8..8), 1..6)) {
            let mut damaged = bytes(&data());
            for (at, bit) in flips {
                let len = damaged.len();
                damaged[at % len] ^= 1 << bit;
            }
            let _ = read_export(damaged.as_slice(), Utf8Path::new("x.gz"));
        }
    }

    #[test]
    fn foreign_and_newer_files_are_refused() {
        let error = read_export(&b"{\"x\":1}\n"[..], Utf8Path::new("plain.json")).unwrap_err();
        assert!(matches!(error, ExchangeError::NotGzip { .. }), "{error}");
        let mut gzip = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
        gzip.write_all(b"{\"format\":\"flotilla-history\",\"version\":99}\n")
            .unwrap();
        let newer = gzip.finish().unwrap();
        let error = read_export(newer.as_slice(), Utf8Path::new("new.gz")).unwrap_err();
        assert!(matches!(error, ExchangeError::Version { found: 99, .. }), "{error}");
        assert!(error.to_string().contains("upgrade flotilla"), "{error}");
    }
}
