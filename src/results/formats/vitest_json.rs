//! [`parse_vitest_json`]: Vitest's `json` reporter (`vitest run --reporter=json
//! --outputFile=FILE`), which writes Jest's JSON shape (Vitest's `reporters/json.ts`: "for
//! compatibility reasons, the reporter produces a JSON similar to the one produced by the Jest
//! JSON reporter").
//!
//! The mapping is Jest's (see `jest_json`), with Vitest's differences:
//! - `failureMessages` may be `null`; `duration` is fractional milliseconds and absent for
//!   skipped tests; statuses include `skipped`, `todo` and `disabled` (all → skipped).
//! - `location` (the test's line) is written only with `includeTaskLocation: true` in the Vitest
//!   config (older Vitest wrote the *failure's* location there instead).
//! - `id` is `fullName` (describe titles and the title joined with spaces), what `-t` matches.
//! - A file that fails to import, or whose `beforeAll` fails, has `status: "failed"`, its error
//!   in `message` and no failing test: an error outside tests. Vitest's "unhandled errors" are
//!   not in the JSON at all: only its exit code (1) shows them.

use camino::Utf8Path;

use super::ParsedReport;
use super::jest_json::{Dialect, JestJsonError, parse_jest_like};

/// What is wrong with a Vitest JSON report: Jest's errors, since it is Jest's shape read by
/// Jest's parser (the messages say "Vitest JSON report").
pub type VitestJsonError = JestJsonError;

/// Parses a Vitest JSON report (`vitest run --reporter=json --outputFile=FILE`); `root` is the
/// folder Vitest ran in.
pub fn parse_vitest_json(text: &str, root: &Utf8Path) -> Result<ParsedReport, VitestJsonError> {
    parse_jest_like(text, root, Dialect::Vitest)
}

#[cfg(test)]
mod tests {
    //! Vitest cannot be installed here (no npm registry): `vitest/run.json` is hand-written from
    //! Vitest's documentation and the source of its json reporter (`JsonTestResults`,
    //! `JsonTestResult`, `JsonAssertionResult` in packages/vitest/src/node/reporters/json.ts).

    use super::*;
    use crate::results::ReportedStatus;
    use crate::results::formats::common::{fixture, fixture_root};

    #[test]
    fn documented_report() {
        let parsed = parse_vitest_json(&fixture("vitest/run.json"), &fixture_root("vitest")).unwrap();
        assert_eq!(parsed.cases.len(), 7);
        let by_id = |id: &str| parsed.cases.iter().find(|c| c.id.as_deref() == Some(id)).unwrap();

        let failed = by_id("Calculator fails [p0]");
        assert_eq!(failed.status, ReportedStatus::Failed);
        assert_eq!(failed.file.as_deref(), Some("tests/math.test.ts"));
        assert_eq!(failed.line, Some(8));
        assert!((failed.time - 0.003_098_1).abs() < 1e-9);
        assert_eq!(
            failed.message.as_deref(),
            Some("AssertionError: expected 2 to be 3 // Object.is equality")
        );

        let nested = by_id("Calculator with strings concatenates");
        assert_eq!(nested.status, ReportedStatus::Passed, "null failureMessages is fine");
        assert_eq!(nested.classname.as_deref(), Some("Calculator › with strings"));
        assert_eq!(by_id("Calculator is skipped").status, ReportedStatus::Skipped);
        assert_eq!(by_id("Calculator is skipped").time, 0.0);
        assert_eq!(by_id("Calculator is a todo").status, ReportedStatus::Skipped);
        assert_eq!(
            by_id("top-level test").line,
            None,
            "no location without includeTaskLocation"
        );

        // An import error and a failing beforeAll: failed files without a failing test.
        assert_eq!(
            parsed.errors_outside_tests.len(),
            2,
            "{:?}",
            parsed.errors_outside_tests
        );
        assert!(parsed.errors_outside_tests[0].starts_with("broken/broken.test.ts: Failed to load url"));
        assert_eq!(
            parsed.errors_outside_tests[1],
            "tests/hooks.test.ts: beforeAll exploded"
        );
    }

    #[test]
    fn garbage_is_an_error() {
        let root = Utf8Path::new("/p");
        let full = fixture("vitest/run.json");
        let error = parse_vitest_json(&full[..200], root).unwrap_err().to_string();
        assert!(
            error.contains("Vitest JSON report") && error.contains("truncated"),
            "{error}"
        );
        assert!(parse_vitest_json("null", root).is_err());
    }
}
