//! Reads JUnit XML as real producers write it: pytest, jest-junit, go-junit-report, nextest,
//! Maven surefire and friends.
//!
//! The reader is deliberately tolerant of dialects (root `<testsuites>` or `<testsuite>`, nested
//! suites, `file` on the case or on its suite, missing or comma-grouped `time`, flaky/rerun
//! elements) and strict about well-formedness: a truncated or garbled file is an error, so a job
//! that crashed half-way through writing its report is never mistaken for a pass.

use quick_xml::Reader;
use quick_xml::events::attributes::AttrError;
use quick_xml::events::{BytesStart, Event};

/// What is wrong with a JUnit XML document, and where when the reader knows.
#[derive(Debug, thiserror::Error)]
pub enum JunitReadError {
    /// Nothing but whitespace.
    #[error("the JUnit report is empty")]
    Empty,
    /// The XML does not parse.
    #[error("malformed JUnit XML at byte {position}: {source}")]
    Xml {
        /// Byte offset where the event that failed starts.
        position: u64,
        /// What quick-xml said.
        #[source]
        source: quick_xml::Error,
    },
    /// An element's attributes do not parse (a duplicate, a missing `=` or quote).
    #[error("malformed JUnit XML attribute: {source}")]
    Attribute {
        /// The element whose attributes are broken.
        element: String,
        /// What quick-xml said, with the offset in the element.
        #[source]
        source: AttrError,
    },
    /// An attribute's value has a bad entity or character reference.
    #[error("malformed JUnit XML attribute `{name}`: {source}")]
    AttributeValue {
        /// The attribute.
        name: String,
        /// What quick-xml said.
        #[source]
        source: quick_xml::Error,
    },
    /// A `time` that is not a number (after dropping the thousands commas Maven writes).
    #[error("malformed JUnit XML: time=\"{value}\" is not a number")]
    Time {
        /// The attribute as written.
        value: String,
        /// Why it does not parse.
        #[source]
        source: std::num::ParseFloatError,
    },
    /// The document ends with elements still open: the producer stopped half-way.
    #[error("malformed JUnit XML: the file ends before its elements are closed (truncated?)")]
    Truncated {
        /// How many elements were still open.
        open: usize,
    },
    /// Well-formed XML, but no `<testsuites>`, `<testsuite>` or root `<testcase>`.
    #[error("not a JUnit report: no <testsuites> or <testsuite> element")]
    NotJunit {
        /// The root element found instead, if any.
        root: Option<String>,
    },
}

/// The status a runner reported for one test case.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub enum ReportedStatus {
    /// No failure, error or skipped element.
    #[default]
    Passed,
    /// `<failure>`.
    Failed,
    /// `<error>`.
    Error,
    /// `<skipped>`.
    Skipped,
}

/// One `<testcase>` (or one test of a runner's own report format, see `results::formats`).
///
/// `Default` is an empty passing case, so producers can fill in only what they know.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct ReportedCase {
    /// `name`.
    pub name: String,
    /// `classname`, if present.
    pub classname: Option<String>,
    /// `file` of the case, else of the innermost suite that has one.
    pub file: Option<String>,
    /// `time` in seconds (0 when missing).
    pub time: f64,
    /// Outcome.
    pub status: ReportedStatus,
    /// `message` of the failure/error/skipped element.
    pub message: Option<String>,
    /// Failure text plus system-out/err, for the report.
    pub output: Option<String>,
    /// Flaky runs the producer itself recorded (`flakyFailure`/`flakyError`).
    pub flaky_runs: usize,
    /// Line of the test in its file, 1-based where the producer says so. JUnit's `line`
    /// attribute is copied as written (pytest's xunit1 `line` is 0-based: `parse_pytest_junit`
    /// corrects it).
    pub line: Option<u32>,
    /// The runner's own address for this test, as its commands accept it (an RSpec example id
    /// `spec/a_spec.rb[1:2]`, a pytest node id, a Jest full name, a Cucumber `file:line`...).
    /// `None` when the format has none; JUnit itself has none.
    pub id: Option<String>,
}

#[derive(Default)]
struct CaseBuilder {
    case: Option<ReportedCase>,
    text_target: Option<&'static str>,
    output: String,
}

/// Parses a JUnit XML document.
///
/// # Errors
///
/// A [`JunitReadError`] saying what is wrong with it.
pub fn parse_junit(text: &str) -> Result<Vec<ReportedCase>, JunitReadError> {
    if text.trim().is_empty() {
        return Err(JunitReadError::Empty);
    }
    let mut reader = Reader::from_str(text);
    let mut cases = Vec::new();
    let mut suite_files: Vec<Option<String>> = Vec::new();
    let mut builder = CaseBuilder::default();
    let mut depth = 0usize;
    let mut saw_root = false;
    let mut root: Option<String> = None;
    loop {
        let position = reader.buffer_position();
        let event = reader
            .read_event()
            .map_err(|source| JunitReadError::Xml { position, source })?;
        if root.is_none()
            && let Event::Start(start) | Event::Empty(start) = &event
        {
            root = Some(start.local_name().as_ref().to_string());
        }
        match event {
            Event::Start(start) => {
                depth += 1;
                open(&start, &mut saw_root, &mut suite_files, &mut builder, depth)?;
            }
            Event::Empty(start) => {
                open(&start, &mut saw_root, &mut suite_files, &mut builder, depth + 1)?;
                close(start.local_name().as_ref(), &mut suite_files, &mut builder, &mut cases);
            }
            Event::End(end) => {
                depth = depth.saturating_sub(1);
                close(end.local_name().as_ref(), &mut suite_files, &mut builder, &mut cases);
            }
            Event::Text(t) => builder.text(&t.xml10_content()),
            Event::CData(t) => builder.text(&t),
            Event::GeneralRef(r) => {
                let resolved = match r.resolve_char_ref() {
                    Ok(Some(c)) => c.to_string(),
                    _ => match r.into_inner().as_ref() {
                        "lt" => "<".into(),
                        "gt" => ">".into(),
                        "amp" => "&".into(),
                        "quot" => "\"".into(),
                        "apos" => "'".into(),
                        other => format!("&{other};"),
                    },
                };
                builder.text(&resolved);
            }
            Event::Eof => break,
            _ => {}
        }
    }
    if depth != 0 {
        return Err(JunitReadError::Truncated { open: depth });
    }
    if !saw_root {
        return Err(JunitReadError::NotJunit { root });
    }
    Ok(cases)
}

fn attr(start: &BytesStart<'_>, name: &str) -> Result<Option<String>, JunitReadError> {
    for attribute in start.attributes().with_checks(false) {
        let attribute = attribute.map_err(|source| JunitReadError::Attribute {
            element: start.local_name().as_ref().to_string(),
            source,
        })?;
        if attribute.key.local_name().as_ref() == name {
            let value = attribute
                .normalized_value(quick_xml::XmlVersion::Implicit1_0)
                .map_err(|source| JunitReadError::AttributeValue {
                    name: name.to_string(),
                    source,
                })?;
            return Ok(Some(value.into_owned()));
        }
    }
    Ok(None)
}

fn open(
    start: &BytesStart<'_>,
    saw_root: &mut bool,
    suite_files: &mut Vec<Option<String>>,
    builder: &mut CaseBuilder,
    depth: usize,
) -> Result<(), JunitReadError> {
    let name = start.local_name();
    match name.as_ref() {
        "testsuites" | "testsuite" => {
            *saw_root = true;
            let file = attr(start, "file")?.or(attr(start, "filepath")?);
            let inherited = suite_files.last().cloned().flatten();
            suite_files.push(file.or(inherited));
        }
        "testcase" => {
            if depth == 1 {
                *saw_root = true;
            }
            let time = attr(start, "time")?.map_or(Ok(0.0), |t| {
                t.replace(',', "")
                    .trim()
                    .parse::<f64>()
                    .map_err(|source| JunitReadError::Time {
                        value: t.clone(),
                        source,
                    })
            })?;
            builder.case = Some(ReportedCase {
                name: attr(start, "name")?.unwrap_or_default(),
                classname: attr(start, "classname")?.filter(|c| !c.is_empty()),
                file: attr(start, "file")?.or_else(|| suite_files.last().cloned().flatten()),
                time: if time.is_finite() && time > 0.0 { time } else { 0.0 },
                status: ReportedStatus::Passed,
                message: None,
                output: None,
                flaky_runs: 0,
                line: attr(start, "line")?.and_then(|l| l.trim().parse::<u32>().ok()),
                id: None,
            });
            builder.output.clear();
        }
        "failure" | "error" | "skipped" => {
            if let Some(case) = builder.case.as_mut() {
                let status = match name.as_ref() {
                    "failure" => ReportedStatus::Failed,
                    "error" => ReportedStatus::Error,
                    _ => ReportedStatus::Skipped,
                };
                // The first non-pass status wins; a later <skipped> must not hide a failure.
                if case.status == ReportedStatus::Passed {
                    case.status = status;
                    case.message = attr(start, "message")?;
                }
                builder.text_target = Some("status");
            }
        }
        "flakyFailure" | "flakyError" => {
            if let Some(case) = builder.case.as_mut() {
                case.flaky_runs += 1;
            }
        }
        "system-out" | "system-err" if builder.case.is_some() => builder.text_target = Some("output"),
        _ => {}
    }
    Ok(())
}

fn close(name: &str, suite_files: &mut Vec<Option<String>>, builder: &mut CaseBuilder, cases: &mut Vec<ReportedCase>) {
    match name {
        "testsuites" | "testsuite" => {
            suite_files.pop();
        }
        "testcase" => {
            if let Some(mut case) = builder.case.take() {
                let output = builder.output.trim();
                if !output.is_empty() {
                    case.output = Some(output.to_string());
                }
                cases.push(case);
            }
        }
        "failure" | "error" | "skipped" | "system-out" | "system-err" => builder.text_target = None,
        _ => {}
    }
}

impl CaseBuilder {
    fn text(&mut self, text: &str) {
        if self.text_target.is_some() && self.output.len() < 64 * 1024 {
            self.output.push_str(text);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pytest_style() {
        let xml = r#"<?xml version="1.0" encoding="utf-8"?><testsuites><testsuite name="pytest" errors="0" failures="1" skipped="1" tests="3" time="0.05"><testcase classname="tests.test_a" name="test_ok" time="0.001" /><testcase classname="tests.test_a" name="test_bad[x&lt;1]" time="0.002"><failure message="assert 1 == 2">def test_bad():
&gt;       assert 1 == 2</failure></testcase><testcase classname="tests.test_a" name="test_skip" time="0.000"><skipped type="pytest.skip" message="nope">skip</skipped></testcase></testsuite></testsuites>"#;
        let cases = parse_junit(xml).unwrap();
        assert_eq!(cases.len(), 3);
        assert_eq!(cases[0].status, ReportedStatus::Passed);
        assert_eq!(cases[1].name, "test_bad[x<1]");
        assert_eq!(cases[1].status, ReportedStatus::Failed);
        assert_eq!(cases[1].message.as_deref(), Some("assert 1 == 2"));
        assert!(cases[1].output.as_deref().unwrap().contains(">       assert 1 == 2"));
        assert_eq!(cases[2].status, ReportedStatus::Skipped);
    }

    #[test]
    fn jest_junit_file_on_suite_and_surefire_root() {
        let jest = r#"<testsuites name="jest tests"><testsuite name="sum" file="src/sum.test.js" time="0.3"><testcase classname="sum adds" name="sum adds" time="0.002"></testcase></testsuite></testsuites>"#;
        let cases = parse_junit(jest).unwrap();
        assert_eq!(cases[0].file.as_deref(), Some("src/sum.test.js"));
        let surefire = r#"<?xml version="1.0" encoding="UTF-8"?>
<testsuite xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" name="com.ex.AppTest" time="1,234.5" tests="1" errors="1">
  <properties><property name="java.version" value="17"/></properties>
  <testcase name="boom" classname="com.ex.AppTest" time="1,234.5"><error message="NPE" type="java.lang.NullPointerException"><![CDATA[java.lang.NullPointerException
	at com.ex.AppTest.boom]]></error><system-out><![CDATA[hello]]></system-out></testcase>
</testsuite>"#;
        let cases = parse_junit(surefire).unwrap();
        assert_eq!(cases[0].status, ReportedStatus::Error);
        assert!((cases[0].time - 1234.5).abs() < 1e-9);
        assert!(cases[0].output.as_deref().unwrap().contains("NullPointerException"));
        assert!(cases[0].output.as_deref().unwrap().contains("hello"));
    }

    #[test]
    fn go_junit_report_and_nextest_flaky() {
        let go = r#"<testsuites tests="2"><testsuite tests="2" failures="0" time="0.010" name="example.com/pkg" timestamp="2024-01-01T00:00:00Z"><properties><property name="go.version" value="go1.22"></property></properties><testcase classname="pkg" name="TestA" time="0.000"></testcase><testcase classname="pkg" name="TestB" time="0.010"><skipped message="skip"></skipped></testcase></testsuite></testsuites>"#;
        assert_eq!(parse_junit(go).unwrap().len(), 2);
        let nextest = r#"<testsuites name="nextest-run" tests="1"><testsuite name="crate" tests="1"><testcase name="t::flaky" classname="crate" time="0.01"><flakyFailure message="boom" type="test failure">out</flakyFailure></testcase></testsuite></testsuites>"#;
        let cases = parse_junit(nextest).unwrap();
        assert_eq!(cases[0].status, ReportedStatus::Passed);
        assert_eq!(cases[0].flaky_runs, 1);
    }

    #[test]
    fn line_attribute_is_read_as_written() {
        let xml = r#"<testsuite><testcase name="a" file="t.py" line="5"/><testcase name="b" line="x"/></testsuite>"#;
        let cases = parse_junit(xml).unwrap();
        assert_eq!(cases[0].line, Some(5));
        assert_eq!(cases[1].line, None);
        assert_eq!(cases[0].id, None);
    }

    #[test]
    fn broken_reports_are_errors() {
        assert!(matches!(parse_junit(""), Err(JunitReadError::Empty)));
        let truncated = parse_junit("<testsuite><testcase name=\"a\">").unwrap_err();
        assert!(
            matches!(truncated, JunitReadError::Truncated { open: 2 }),
            "{truncated:?}"
        );
        assert!(truncated.to_string().contains("truncated"), "{truncated}");
        let mismatched = parse_junit("<testsuite><testcase></testsuite>").unwrap_err();
        assert!(matches!(mismatched, JunitReadError::Xml { .. }), "{mismatched:?}");
        assert!(
            mismatched.to_string().starts_with("malformed JUnit XML at byte "),
            "{mismatched}"
        );
        let html = parse_junit("<html><body/></html>").unwrap_err();
        assert!(
            matches!(&html, JunitReadError::NotJunit { root: Some(root) } if root == "html"),
            "{html:?}"
        );
        assert!(html.to_string().contains("not a JUnit"), "{html}");
        assert!(parse_junit("this is not xml at all").is_err());
        let time = parse_junit("<testsuite><testcase name=\"a\" time=\"fast\"/></testsuite>").unwrap_err();
        assert!(
            matches!(&time, JunitReadError::Time { value, .. } if value == "fast"),
            "{time:?}"
        );
        assert_eq!(time.to_string(), "malformed JUnit XML: time=\"fast\" is not a number");
    }
}
