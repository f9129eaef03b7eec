//! [`reported`]: one case of a runner's report as the attempt of a test, with the stable id the
//! adapter gives it (the same id listing gives, so split and retried tests keep their history)
//! and the job file (unit) it belongs to ([`case_file`], [`file_of`]).

use camino::{Utf8Path, Utf8PathBuf};

use super::attempts::{Stamp, TestAttempt};
use crate::results::{Outcome, ReportedCase, ReportedStatus};
use crate::runners::{Adapter, project_file};

/// What turning a job's reported cases into attempts needs.
pub(super) struct CaseContext<'a> {
    pub(super) stamp: Stamp,
    pub(super) adapter: &'a dyn Adapter,
    /// Plain JUnit: files are matched tolerantly (classname module paths, the job's only file).
    pub(super) junit: bool,
    /// The job's distinct files (units).
    pub(super) files: &'a [String],
    /// How the report names units (go import paths, nextest binary ids).
    pub(super) names: &'a [(String, String)],
    pub(super) root: &'a Utf8Path,
    /// `root` with symlinks resolved: runners report real paths.
    pub(super) canonical_root: Option<Utf8PathBuf>,
}

/// The attempt for one reported case, or `None` for a case from a file the job did not run
/// that the adapter drops.
pub(super) fn reported(ctx: &CaseContext<'_>, case: &ReportedCase) -> Option<TestAttempt> {
    let outside_tests = ctx.adapter.is_outside_tests(case);
    let file = case_file(ctx, case)?;
    let id = if outside_tests {
        format!("{file}::<outside tests>")
    } else {
        ctx.adapter.test_id(case, &file).unwrap_or_else(|| {
            let module = module_of(&file);
            let scope = case
                .classname
                .as_deref()
                .map(|c| c.strip_prefix(&module).map_or(c, |rest| rest.trim_start_matches('.')));
            match scope {
                Some(scope) if !scope.is_empty() => format!("{file}::{scope}::{}", case.name),
                _ => format!("{file}::{}", case.name),
            }
        })
    };
    let outcome = match case.status {
        ReportedStatus::Passed => Outcome::Passed,
        ReportedStatus::Failed => Outcome::Failed,
        ReportedStatus::Error => Outcome::Error,
        ReportedStatus::Skipped => Outcome::Skipped,
    };
    let name = if outside_tests {
        "errors outside tests".to_string()
    } else {
        case.name.clone()
    };
    let mut attempt = ctx.stamp.attempt(
        id,
        name,
        case.classname.clone(),
        file,
        outcome,
        std::time::Duration::from_secs_f64(case.time),
        case.message.as_deref(),
    );
    attempt.outside_tests = outside_tests;
    attempt.attempt.output.clone_from(&case.output);
    Some(attempt)
}

/// The job file (unit) a case belongs to: the unit its classname names (go packages, nextest
/// binaries); for JUnit, [`file_of`]; else its file, matched to the job's files (also through
/// the canonical root: runners report real paths), or kept as reported when it is not one of
/// them (unless the adapter drops those).
fn case_file(ctx: &CaseContext<'_>, case: &ReportedCase) -> Option<String> {
    if let Some(classname) = &case.classname
        && let Some((_, file)) = ctx.names.iter().find(|(name, _)| name == classname)
    {
        return Some(file.clone());
    }
    if ctx.junit || case.file.is_none() {
        return Some(file_of(case, ctx.files, ctx.root));
    }
    let reported = case.file.as_deref().unwrap_or_default();
    if let Some(file) = project_file(reported, ctx.files, ctx.root, ctx.canonical_root.as_deref()) {
        return Some(file);
    }
    (!ctx.adapter.capabilities().drops_foreign_cases).then(|| reported.to_string())
}

/// The job file a reported case belongs to: its `file` attribute (normalised), the only file
/// of the job, or the file whose module path its classname names; else the job's first file.
fn file_of(case: &ReportedCase, files: &[String], root: &Utf8Path) -> String {
    if let Some(reported) = &case.file {
        let reported = Utf8Path::new(reported);
        let relative = reported.strip_prefix(root).unwrap_or(reported);
        let relative = relative.as_str().trim_start_matches("./");
        if let Some(file) = files.iter().find(|f| f.as_str() == relative) {
            return file.clone();
        }
    }
    if files.len() == 1 {
        return files[0].clone();
    }
    if let Some(classname) = &case.classname
        && let Some(file) = files.iter().find(|f| {
            let module = module_of(f);
            classname == &module || classname.starts_with(&format!("{module}."))
        })
    {
        return file.clone();
    }
    files.first().cloned().unwrap_or_default()
}

/// `tests/test_a.py` → `tests.test_a` (how pytest and friends spell classnames).
pub(super) fn module_of(file: &str) -> String {
    let stem = file.rsplit_once('.').map_or(file, |(stem, _)| stem);
    stem.replace('/', ".")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn case(file: Option<&str>, classname: Option<&str>) -> ReportedCase {
        ReportedCase {
            name: "t".into(),
            classname: classname.map(str::to_string),
            file: file.map(str::to_string),
            time: 0.0,
            status: ReportedStatus::Passed,
            message: None,
            output: None,
            flaky_runs: 0,
            ..ReportedCase::default()
        }
    }

    #[test]
    fn cases_map_to_job_files() {
        let files = vec!["tests/test_a.py".to_string(), "tests/test_b.py".to_string()];
        let root = Utf8Path::new("/repo");
        assert_eq!(
            file_of(&case(Some("./tests/test_b.py"), None), &files, root),
            "tests/test_b.py"
        );
        assert_eq!(
            file_of(&case(Some("/repo/tests/test_b.py"), None), &files, root),
            "tests/test_b.py"
        );
        assert_eq!(
            file_of(&case(None, Some("tests.test_b.TestX")), &files, root),
            "tests/test_b.py"
        );
        assert_eq!(
            file_of(&case(None, Some("tests.test_a")), &files, root),
            "tests/test_a.py"
        );
        assert_eq!(
            file_of(&case(None, Some("other")), &files[1..], root),
            "tests/test_b.py"
        );
    }
}
