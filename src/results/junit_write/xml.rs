//! [`Xml`]: the JUnit document's writer, element by element, to any `Write`.

use std::borrow::Cow;
use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::io::{self, Write};

use super::super::header::RunHeader;
use super::super::model::{Attempt, JobRecord, Outcome, TestResult};
use super::SuiteCounts;

/// A small XML emitter with quick-junit's layout: 4-space indentation, a line break before
/// every tag except right after text, attributes and text escaped alike (`<>&'"`), and text
/// cleaned as `quick_junit::XmlString` cleans it (ANSI escapes and control characters go).
pub(super) struct Xml<W: Write> {
    pub(super) out: W,
    /// Reused for the few values formatted per case, so a case costs no allocation of its own.
    scratch: String,
}

impl<W: Write> Xml<W> {
    pub(super) fn new(out: W) -> Self {
        Self {
            out,
            scratch: String::new(),
        }
    }

    pub(super) fn document_start(
        &mut self,
        header: &RunHeader<'_>,
        suites: &BTreeMap<&str, SuiteCounts>,
    ) -> io::Result<()> {
        let mut total = SuiteCounts::default();
        for counts in suites.values() {
            total.tests += counts.tests;
            total.skipped += counts.skipped;
            total.errors += counts.errors;
            total.failures += counts.failures;
        }
        self.out.write_all(b"<?xml version=\"1.0\" encoding=\"UTF-8\"?>")?;
        self.open(0, "testsuites")?;
        self.attr("name", "flotilla")?;
        self.num("tests", total.tests)?;
        self.num("skipped", total.skipped)?;
        self.num("failures", total.failures)?;
        self.num("errors", total.errors)?;
        self.scratch.clear();
        let _ = write!(
            self.scratch,
            "{}",
            header.started_at.fixed_offset().format("%Y-%m-%dT%H:%M:%S%.3f%:z")
        );
        self.scratch_attr("timestamp")?;
        self.time(header.duration)?;
        self.out.write_all(b">")
    }

    pub(super) fn document_end(&mut self) -> io::Result<()> {
        // quick-junit ends with the closing tag and a newline.
        self.out.write_all(b"\n</testsuites>\n")
    }

    pub(super) fn suite_start(&mut self, header: &RunHeader<'_>, name: &str, counts: &SuiteCounts) -> io::Result<()> {
        self.open(1, "testsuite")?;
        self.attr("name", name)?;
        self.num("tests", counts.tests)?;
        self.num("skipped", counts.skipped)?;
        self.num("errors", counts.errors)?;
        self.num("failures", counts.failures)?;
        self.out.write_all(b">")?;
        self.open(2, "properties")?;
        self.out.write_all(b">")?;
        self.property(3, "flotilla.run_id", header.run_id)?;
        if header.interrupted {
            self.property(3, "flotilla.interrupted", "true")?;
        }
        self.close(2, "properties")
    }

    pub(super) fn suite_end(&mut self) -> io::Result<()> {
        self.close(1, "testsuite")
    }

    /// One `<testcase>` at depth 2 (inside `<testsuites><testsuite>`).
    pub(super) fn case(&mut self, test: &TestResult, job: Option<&JobRecord>) -> io::Result<()> {
        let last = test.last();
        let earlier = &test.attempts[..test.attempts.len() - 1];
        self.open(2, "testcase")?;
        self.attr("name", &test.name)?;
        self.attr("classname", test.classname.as_deref().unwrap_or(&test.file))?;
        self.time(last.duration)?;
        self.out.write_all(b">")?;
        self.open(3, "properties")?;
        self.out.write_all(b">")?;
        self.property(4, "file", &test.file)?;
        self.scratch.clear();
        let _ = write!(self.scratch, "{}", last.worker);
        self.scratch_property(4, "worker")?;
        self.scratch.clear();
        let _ = write!(self.scratch, "{}", test.attempts.len());
        self.scratch_property(4, "attempts")?;
        if test.outcome == Outcome::Cached {
            // A passed case to every JUnit reader; the property says it did not run this time.
            self.property(4, "flotilla-cached", last.message.as_deref().unwrap_or("cached"))?;
        }
        self.close(3, "properties")?;
        match test.outcome {
            Outcome::Cached => {}
            Outcome::Passed | Outcome::Flaky => {
                // A success carries its earlier failures as flaky runs (quick-junit ignores a
                // message on a success, so "flaky: passed on a retry" never reached the file).
                for attempt in earlier.iter().filter(|a| a.outcome.is_failure()) {
                    let tag = if attempt.outcome == Outcome::Failed {
                        "flakyFailure"
                    } else {
                        "flakyError"
                    };
                    self.rerun(tag, attempt)?;
                }
            }
            Outcome::Skipped => {
                self.open(3, "skipped")?;
                if let Some(message) = &last.message {
                    self.attr("message", message)?;
                }
                self.out.write_all(b"/>")?;
            }
            Outcome::Failed | Outcome::TimedOut | Outcome::Error => {
                let tag = if test.outcome == Outcome::Failed {
                    "failure"
                } else {
                    "error"
                };
                self.open(3, tag)?;
                self.attr("message", &message(last))?;
                if test.outcome == Outcome::TimedOut {
                    self.attr("type", "timeout")?;
                }
                match &last.output {
                    Some(output) => {
                        self.out.write_all(b">")?;
                        self.text(output)?;
                        self.end_tag(tag)?;
                    }
                    None => self.out.write_all(b"/>")?,
                }
                for attempt in earlier {
                    let tag = if attempt.outcome == Outcome::Failed {
                        "rerunFailure"
                    } else {
                        "rerunError"
                    };
                    self.rerun(tag, attempt)?;
                }
            }
        }
        if let Some(job) = job {
            self.open(3, "system-out")?;
            self.out.write_all(b">")?;
            self.scratch.clear();
            let _ = write!(self.scratch, "logs: {}", job.logs());
            if let Some(diagnostics) = &job.diagnostics {
                let _ = write!(self.scratch, "\nenvironment diagnostics: {diagnostics}");
            }
            let text = std::mem::take(&mut self.scratch);
            let written = self.text(&text);
            self.scratch = text;
            written?;
            self.end_tag("system-out")?;
        }
        self.close(2, "testcase")
    }

    pub(super) fn rerun(&mut self, tag: &str, attempt: &Attempt) -> io::Result<()> {
        self.open(3, tag)?;
        self.time(attempt.duration)?;
        self.attr("message", &message(attempt))?;
        self.out.write_all(b">")?;
        match &attempt.output {
            // Right after text, quick-xml writes the closing tag without a line break.
            Some(output) => {
                self.text(output)?;
                self.end_tag(tag)
            }
            None => self.close(3, tag),
        }
    }

    pub(super) fn property(&mut self, depth: usize, name: &str, value: &str) -> io::Result<()> {
        self.open(depth, "property")?;
        self.attr("name", name)?;
        self.attr("value", value)?;
        self.out.write_all(b"/>")
    }

    pub(super) fn scratch_property(&mut self, depth: usize, name: &str) -> io::Result<()> {
        let value = std::mem::take(&mut self.scratch);
        let written = self.property(depth, name, &value);
        self.scratch = value;
        written
    }

    /// A line break, the indentation of `depth`, and `<tag` (attributes and `>` follow).
    pub(super) fn open(&mut self, depth: usize, tag: &str) -> io::Result<()> {
        self.newline(depth)?;
        self.out.write_all(b"<")?;
        self.out.write_all(tag.as_bytes())
    }

    /// `</tag>` on a line of its own at `depth`.
    pub(super) fn close(&mut self, depth: usize, tag: &str) -> io::Result<()> {
        self.newline(depth)?;
        self.end_tag(tag)
    }

    pub(super) fn end_tag(&mut self, tag: &str) -> io::Result<()> {
        self.out.write_all(b"</")?;
        self.out.write_all(tag.as_bytes())?;
        self.out.write_all(b">")
    }

    pub(super) fn newline(&mut self, depth: usize) -> io::Result<()> {
        const SPACES: &[u8; 33] = b"\n                                ";
        self.out.write_all(&SPACES[..1 + 4 * depth])
    }

    pub(super) fn attr(&mut self, key: &str, value: &str) -> io::Result<()> {
        self.out.write_all(b" ")?;
        self.out.write_all(key.as_bytes())?;
        self.out.write_all(b"=\"")?;
        escape(&mut self.out, &clean(value))?;
        self.out.write_all(b"\"")
    }

    pub(super) fn num(&mut self, key: &str, value: usize) -> io::Result<()> {
        write!(self.out, " {key}=\"{value}\"")
    }

    pub(super) fn scratch_attr(&mut self, key: &str) -> io::Result<()> {
        let value = std::mem::take(&mut self.scratch);
        let written = self.attr(key, &value);
        self.scratch = value;
        written
    }

    /// `time="…"`: seconds with 3 decimals, as quick-junit writes them.
    pub(super) fn time(&mut self, duration: std::time::Duration) -> io::Result<()> {
        write!(self.out, " time=\"{:.3}\"", duration.as_secs_f64())
    }

    pub(super) fn text(&mut self, text: &str) -> io::Result<()> {
        escape(&mut self.out, &clean(text))
    }
}

/// The text `quick_junit::XmlString` keeps: printable ASCII (the usual test names, paths and
/// numbers) is kept as it is without allocating; anything else goes through `XmlString` itself,
/// so the clean-up of ANSI escapes and control characters is quick-junit's own.
pub(super) fn clean(text: &str) -> Cow<'_, str> {
    if text.bytes().all(|b| (0x20..0x7f).contains(&b)) {
        Cow::Borrowed(text)
    } else {
        Cow::Owned(quick_junit::XmlString::new(text).into_string())
    }
}

/// Writes `text` with `<`, `>`, `&`, `'` and `"` escaped, as quick-xml's `escape` does.
fn escape(out: &mut impl Write, text: &str) -> io::Result<()> {
    let bytes = text.as_bytes();
    let mut start = 0;
    for (i, &b) in bytes.iter().enumerate() {
        let entity: &[u8] = match b {
            b'<' => b"&lt;",
            b'>' => b"&gt;",
            b'&' => b"&amp;",
            b'\'' => b"&apos;",
            b'"' => b"&quot;",
            _ => continue,
        };
        out.write_all(&bytes[start..i])?;
        out.write_all(entity)?;
        start = i + 1;
    }
    out.write_all(&bytes[start..])
}

pub(super) fn message(attempt: &Attempt) -> Cow<'_, str> {
    match &attempt.message {
        Some(message) => Cow::Borrowed(message),
        None => Cow::Owned(attempt.outcome.as_str().replace('_', " ")),
    }
}
