//! [`place_case`]: a case of a JUnit report written by another tool (not by a job of this
//! run), placed in one suite's units with the id that suite's adapter gives it, so that
//! timings seeded from it (`flotilla history import --junit`) match the next plan's units.
//!
//! Stricter than a job's report: there the job's files are known and a case that names none of
//! them goes to the job's first file; here a case whose unit cannot be told (no `file`
//! attribute, classname or unit name that is one of the suite's) is not placed at all, and the
//! caller counts it as unassigned.

use camino::{Utf8Path, Utf8PathBuf};

use super::attempts::Stamp;
use super::cases::{CaseContext, module_of, reported};
use crate::results::{Outcome, ReportedCase};
use crate::runners::{Adapter, Project, project_file};

/// One suite's units, as placing cases needs them.
pub(crate) struct SuiteUnits<'a> {
    adapter: &'a dyn Adapter,
    files: &'a [String],
    /// How reports name units other than by path (go import paths, nextest binary ids).
    names: Vec<(String, String)>,
    root: &'a Utf8Path,
    canonical_root: Option<Utf8PathBuf>,
}

impl<'a> SuiteUnits<'a> {
    /// The units `files` of a suite run by `adapter` in `root`.
    pub(crate) fn new(adapter: &'a dyn Adapter, files: &'a [String], root: &'a Utf8Path) -> Self {
        let names = adapter.report_names(&Project { root, files });
        Self {
            adapter,
            files,
            names,
            root,
            canonical_root: root.canonicalize_utf8().ok(),
        }
    }
}

/// A case placed in a suite.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct PlacedCase {
    /// The unit (file, go package, test binary) it belongs to.
    pub(crate) file: String,
    /// Its stable id, as a job's report of the same test would give it.
    pub(crate) id: String,
    /// Its outcome (passed when the report recorded flaky runs before a pass).
    pub(crate) outcome: Outcome,
    /// Whether the report recorded flaky runs of it.
    pub(crate) flaky: bool,
    /// Its reported duration in seconds.
    pub(crate) secs: f64,
}

/// `case` in `suite`, or `None` when it belongs to none of the suite's units (or is a failure
/// outside tests, which says nothing about a test's duration).
pub(crate) fn place_case(suite: &SuiteUnits<'_>, case: &ReportedCase) -> Option<PlacedCase> {
    let file = unit_of(suite, case)?;
    let context = CaseContext {
        stamp: Stamp {
            attempt: 1,
            worker: 0,
            job: 0,
        },
        adapter: suite.adapter,
        junit: true,
        files: std::slice::from_ref(&file),
        names: &suite.names,
        root: suite.root,
        canonical_root: suite.canonical_root.clone(),
    };
    let attempt = reported(&context, case)?;
    if attempt.outside_tests {
        return None;
    }
    Some(PlacedCase {
        file: attempt.file,
        id: attempt.id,
        outcome: attempt.attempt.outcome,
        flaky: case.flaky_runs > 0,
        secs: case.time,
    })
}

/// The unit a case names: by the report's name for a unit (its classname), by its `file`
/// attribute (relative, `./`, or absolute from another checkout), or by the module path its
/// classname spells (`tests.test_a.TestX` → `tests/test_a.py`).
fn unit_of(suite: &SuiteUnits<'_>, case: &ReportedCase) -> Option<String> {
    if let Some(classname) = &case.classname
        && let Some((_, file)) = suite.names.iter().find(|(name, _)| name == classname)
    {
        return Some(file.clone());
    }
    if let Some(reported) = &case.file {
        let relative = reported.trim_start_matches("./");
        if let Some(file) = project_file(relative, suite.files, suite.root, suite.canonical_root.as_deref()) {
            return Some(file);
        }
    }
    let classname = case.classname.as_deref()?;
    suite
        .files
        .iter()
        .find(|file| {
            let module = module_of(file);
            classname == module || classname.starts_with(&format!("{module}."))
        })
        .cloned()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::results::ReportedStatus;
    use crate::runners::RunnerKind;

    fn case(file: Option<&str>, classname: Option<&str>, name: &str) -> ReportedCase {
        ReportedCase {
            name: name.into(),
            classname: classname.map(str::to_string),
            file: file.map(str::to_string),
            time: 0.5,
            status: ReportedStatus::Passed,
            ..ReportedCase::default()
        }
    }

    #[test]
    fn cases_are_placed_by_file_or_module_and_never_guessed() {
        let files = vec!["tests/test_a.py".to_string(), "tests/test_b.py".to_string()];
        let adapter = RunnerKind::Pytest.adapter();
        let root = Utf8Path::new("/nowhere");
        let suite = SuiteUnits::new(adapter, &files, root);
        let by_file = place_case(
            &suite,
            &case(Some("/ci/checkout/tests/test_b.py"), Some("tests.test_b"), "test_x"),
        );
        assert_eq!(by_file.as_ref().map(|c| c.file.as_str()), Some("tests/test_b.py"));
        let by_module = place_case(&suite, &case(None, Some("tests.test_a.TestK"), "test_y")).unwrap();
        assert_eq!(by_module.file, "tests/test_a.py");
        assert_eq!(by_module.id, "tests/test_a.py::TestK::test_y");
        assert_eq!(place_case(&suite, &case(None, Some("other.module"), "t")), None);
        assert_eq!(place_case(&suite, &case(Some("lib/x.py"), None, "t")), None);
    }
}
