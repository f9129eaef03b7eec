//! [`parse_go_test_json`]: the event stream of `go test -json` (test2json), one JSON object per
//! line: `Action` (`start`, `run`, `pause`, `cont`, `output`, `pass`, `fail`, `skip`, `bench`,
//! and since Go 1.24 `build-output` / `build-fail`), `Package`, `Test`, `Elapsed` (seconds),
//! `Output`, `FailedBuild`.
//!
//! Mapping, one case per test that ran, subtests included (named `TestParent/sub`; a parent's
//! time includes its subtests', and a failing subtest fails its parent too):
//! - `classname`: the package import path; `name`: the test name. No `id`: `go test -run
//!   '^TestA$' PACKAGE` addresses a test (`'^TestA$/^sub$'` a subtest).
//! - `file`: `None`: the stream names packages, not folders. [`go_package_dir`] maps an import
//!   path to its folder given the module path ([`go_module_path`] reads it from `go.mod`).
//! - `time`: `Elapsed`. `pass`/`fail`/`skip` → passed/failed/skipped; a test that started but
//!   never ended (the binary panicked, hit `-timeout`, or the stream was cut) → failed.
//!
//! Errors outside tests: a package that failed with no failing test: a build failure
//! (`FAIL pkg [build failed]`), a setup failure (`[setup failed]`: a missing import), a
//! `TestMain` that exits non-zero, a package that never reported a result. In Go 1.19 a build
//! failure is not in the JSON at all: the compiler output and `FAIL\tpkg [build failed]` go to
//! stderr as text (later versions add a package `fail` event but keep the compiler output on
//! stderr until Go 1.24's `build-output` events). Feed stdout and stderr together: `FAIL ...
//! [build failed]` / `[setup failed]` lines and `# pkg` compiler blocks are recognised, other
//! text lines are ignored, and a line that starts with `{` must be a whole event.

use std::collections::BTreeMap;

use camino::Utf8Path;
use serde::Deserialize;

use super::ParsedReport;
use super::common::{JsonError, OUTPUT_CAP, capped, json_error, normalize_path, strip_ansi};
use crate::results::{ReportedCase, ReportedStatus};

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct Event {
    action: String,
    package: Option<String>,
    test: Option<String>,
    elapsed: Option<f64>,
    output: Option<String>,
    import_path: Option<String>,
    failed_build: Option<String>,
}

#[derive(Default)]
struct TestState {
    order: usize,
    ended: Option<ReportedStatus>,
    elapsed: f64,
    output: String,
}

#[derive(Default)]
struct PackageState {
    order: usize,
    ended: Option<ReportedStatus>,
    output: String,
    failed_build: Option<String>,
    tests: BTreeMap<String, TestState>,
}

/// What is wrong with the output of `go test -json`.
#[derive(Debug, thiserror::Error)]
pub enum GoTestJsonError {
    /// No output at all.
    #[error("the go test -json output is empty")]
    Empty,
    /// Output, but neither test2json events nor go's own build-failure lines: `-json` is
    /// missing from the command, or something else printed instead of go.
    #[error("not go test -json output: no test2json events and no `FAIL ... [build failed]` line")]
    NotGoTest,
    /// A line that starts like an event but is not one (cut short, or not test2json's shape).
    #[error("go test -json output, line {line}: {source}")]
    Event {
        /// 1-based line of the output.
        line: usize,
        /// What is wrong with it.
        #[source]
        source: JsonError,
    },
}

/// Parses the output of `go test -json` (stdout, optionally with stderr mixed in); `root` is the
/// module folder (used only for GOPATH-mode packages named `_/abs/path`).
pub fn parse_go_test_json(text: &str, root: &Utf8Path) -> Result<ParsedReport, GoTestJsonError> {
    let mut packages: BTreeMap<String, PackageState> = BTreeMap::new();
    let mut build_output: BTreeMap<String, String> = BTreeMap::new();
    let mut text_failures: Vec<String> = Vec::new();
    // Text lines (go's own stderr), in blocks headed by `# package` as the compiler writes them.
    let mut stray: Vec<(Option<String>, String)> = Vec::new();
    let mut events = 0usize;
    let mut order = 0usize;
    for (index, line) in text.lines().enumerate() {
        let trimmed = line.trim();
        if trimmed.is_empty() {
            continue;
        }
        if !trimmed.starts_with('{') {
            // Text from go itself (stderr): compiler errors, `FAIL pkg [build failed]`.
            if let Some(package) = text_failure(trimmed) {
                text_failures.push(package);
            } else if let Some(header) = trimmed.strip_prefix("# ") {
                let package = header.split_whitespace().next().map(str::to_string);
                stray.push((package, format!("{line}\n")));
            } else {
                match stray.last_mut() {
                    Some((_, block)) => push_capped(block, &format!("{line}\n")),
                    None => stray.push((None, format!("{line}\n"))),
                }
            }
            continue;
        }
        let event: Event = serde_json::from_str(trimmed).map_err(|error| GoTestJsonError::Event {
            line: index + 1,
            source: json_error("event", error),
        })?;
        events += 1;
        order += 1;
        if event.action == "build-output" || event.action == "build-fail" {
            if let (Some(import_path), Some(output)) = (&event.import_path, &event.output) {
                push_capped(build_output.entry(import_path.clone()).or_default(), output);
            }
            continue;
        }
        let Some(package_name) = event.package.clone() else {
            continue;
        };
        let package = packages.entry(package_name).or_insert_with(|| PackageState {
            order,
            ..PackageState::default()
        });
        let status = match event.action.as_str() {
            "pass" => Some(ReportedStatus::Passed),
            "fail" => Some(ReportedStatus::Failed),
            "skip" => Some(ReportedStatus::Skipped),
            _ => None,
        };
        match &event.test {
            Some(test) => {
                let state = package.tests.entry(test.clone()).or_insert_with(|| TestState {
                    order,
                    ..TestState::default()
                });
                if let Some(output) = &event.output {
                    push_capped(&mut state.output, output);
                }
                if let Some(status) = status {
                    state.ended = Some(status);
                    state.elapsed = event.elapsed.filter(|e| e.is_finite() && *e > 0.0).unwrap_or(0.0);
                }
            }
            None => {
                if let Some(output) = &event.output {
                    push_capped(&mut package.output, output);
                }
                if event.failed_build.is_some() {
                    package.failed_build.clone_from(&event.failed_build);
                }
                if let Some(status) = status {
                    package.ended = Some(status);
                }
            }
        }
    }
    if events == 0 && text_failures.is_empty() {
        return Err(if text.trim().is_empty() {
            GoTestJsonError::Empty
        } else {
            GoTestJsonError::NotGoTest
        });
    }

    let mut parsed = ParsedReport::default();
    let mut ordered: Vec<(&String, &PackageState)> = packages.iter().collect();
    ordered.sort_by_key(|(_, p)| p.order);
    for (name, package) in ordered {
        let folder = name
            .strip_prefix("_/")
            .map(|abs| normalize_path(&format!("/{abs}"), root));
        let mut tests: Vec<(&String, &TestState)> = package.tests.iter().collect();
        tests.sort_by_key(|(_, t)| t.order);
        let mut any_failed = false;
        for (test, state) in tests {
            let (status, message) = match &state.ended {
                Some(status) => (status.clone(), None),
                None => (
                    ReportedStatus::Failed,
                    Some(match package.ended {
                        Some(_) => "did not finish: the test binary exited while it ran (a panic, os.Exit or -timeout; see the package output)".to_string(),
                        None => "did not finish: the output ends while it runs (was go test killed?)".to_string(),
                    }),
                ),
            };
            any_failed |= status == ReportedStatus::Failed;
            let output = strip_ansi(&state.output);
            let message = message.or_else(|| (status != ReportedStatus::Passed).then(|| summary(&output)).flatten());
            let output = if state.ended.is_none() {
                capped(&format!("{output}\n{}", package.output))
            } else {
                (status != ReportedStatus::Passed).then(|| capped(&output)).flatten()
            };
            parsed.cases.push(ReportedCase {
                name: test.clone(),
                classname: Some(name.clone()),
                file: folder.clone(),
                time: state.elapsed,
                status,
                message,
                output,
                flaky_runs: 0,
                line: None,
                id: None,
            });
        }
        match package.ended {
            Some(ReportedStatus::Failed) if !any_failed => {
                let mut text = String::new();
                if let Some(failed_build) = &package.failed_build {
                    for (import_path, output) in &build_output {
                        if import_path == failed_build {
                            text.push_str(output);
                        }
                    }
                }
                text.push_str(&compiler_text(&stray, name));
                text.push_str(&package.output);
                parsed.errors_outside_tests.push(format!(
                    "package {name} failed outside its tests:\n{}",
                    strip_ansi(text.trim())
                ));
            }
            None => parsed.errors_outside_tests.push(format!(
                "package {name} has no result: the output ends before it finished (was go test killed?)"
            )),
            _ => {}
        }
    }
    for package in text_failures {
        if packages
            .get(&package)
            .is_some_and(|p| p.ended == Some(ReportedStatus::Failed))
        {
            continue; // Already reported from its JSON events.
        }
        let text = compiler_text(&stray, &package);
        let text = if text.trim().is_empty() {
            "(go printed no details: see the job's output)".to_string()
        } else {
            text
        };
        parsed.errors_outside_tests.push(format!(
            "package {package} failed outside its tests:\n{}",
            strip_ansi(text.trim())
        ));
    }
    Ok(parsed)
}

/// The text blocks go printed under a `# package` header for `package` (compiler errors).
fn compiler_text(stray: &[(Option<String>, String)], package: &str) -> String {
    stray
        .iter()
        .filter(|(header, _)| header.as_deref() == Some(package))
        .map(|(_, block)| block.as_str())
        .collect()
}

/// `FAIL\tpkg [build failed]` / `FAIL\tpkg [setup failed]` → `pkg`.
fn text_failure(line: &str) -> Option<String> {
    let rest = line.strip_prefix("FAIL")?.trim_start();
    let (package, reason) = rest.rsplit_once(" [")?;
    matches!(reason, "build failed]" | "setup failed]").then(|| package.trim().to_string())
}

fn push_capped(buffer: &mut String, text: &str) {
    if buffer.len() < OUTPUT_CAP {
        buffer.push_str(text);
    }
}

/// The first line a failing test printed that is not test2json framing (`=== RUN`, `--- FAIL`).
fn summary(output: &str) -> Option<String> {
    output
        .lines()
        .map(str::trim)
        .find(|l| {
            !l.is_empty()
                && !l.starts_with("=== ")
                && !l.starts_with("--- FAIL")
                && !l.starts_with("--- SKIP")
                && !l.starts_with("--- PASS")
        })
        .map(str::to_string)
}

/// The folder of package `import_path` relative to the module root, given the module path
/// (`example.com/m` + `example.com/m/pkg/a` → `pkg/a`; the module itself → `.`); `None` for
/// packages of other modules.
#[must_use]
pub fn go_package_dir(import_path: &str, module_path: &str) -> Option<String> {
    if import_path == module_path {
        return Some(".".into());
    }
    import_path
        .strip_prefix(module_path)
        .and_then(|rest| rest.strip_prefix('/'))
        .filter(|rest| !rest.is_empty())
        .map(str::to_string)
}

/// The module path declared by a `go.mod` file's text (`module example.com/m`, quoted or not,
/// comments allowed).
#[must_use]
pub fn go_module_path(go_mod: &str) -> Option<String> {
    go_mod.lines().find_map(|line| {
        let line = line.split("//").next().unwrap_or("").trim();
        let rest = line.strip_prefix("module")?;
        if !rest.starts_with([' ', '\t', '"', '`']) {
            return None;
        }
        let path = rest.trim().trim_matches(|c| c == '"' || c == '`');
        (!path.is_empty()).then(|| path.to_string())
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::results::formats::common::{fixture, fixture_root};

    fn find<'a>(parsed: &'a ParsedReport, package: &str, test: &str) -> &'a ReportedCase {
        parsed
            .cases
            .iter()
            .find(|c| c.classname.as_deref() == Some(package) && c.name == test)
            .unwrap_or_else(|| panic!("no {package} {test} in {:?}", parsed.cases))
    }

    #[test]
    fn real_run_of_the_fixture() {
        let parsed = parse_go_test_json(&fixture("go/run.jsonl"), &fixture_root("go")).unwrap();
        assert!(
            parsed.errors_outside_tests.is_empty(),
            "{:?}",
            parsed.errors_outside_tests
        );
        let pkg = |p: &str| format!("example.com/flotillafixture/{p}");
        assert_eq!(find(&parsed, &pkg("pass"), "TestAddP0").status, ReportedStatus::Passed);
        assert_eq!(
            find(&parsed, &pkg("pass"), "TestTable/with_space").status,
            ReportedStatus::Passed
        );
        assert_eq!(
            find(&parsed, &pkg("pass"), "TestTable/a/b").status,
            ReportedStatus::Passed
        );
        let skipped = find(&parsed, &pkg("pass"), "TestSkipped");
        assert_eq!(skipped.status, ReportedStatus::Skipped);
        assert_eq!(skipped.message.as_deref(), Some("pass_test.go:30: skipped on purpose"));

        let failed = find(&parsed, &pkg("fail"), "TestFailsP0");
        assert_eq!(failed.status, ReportedStatus::Failed);
        assert_eq!(failed.message.as_deref(), Some("fail_test.go:7: about to fail"));
        assert!(failed.output.as_deref().unwrap().contains("1 + 1 = 2, want 3"));
        assert_eq!(
            find(&parsed, &pkg("fail"), "TestParent/bad").status,
            ReportedStatus::Failed
        );
        assert_eq!(
            find(&parsed, &pkg("fail"), "TestParent/ok").status,
            ReportedStatus::Passed
        );
        assert_eq!(find(&parsed, &pkg("fail"), "TestParent").status, ReportedStatus::Failed);
        assert_eq!(
            find(&parsed, &pkg("flaky"), "TestPassesOnRetryP1").status,
            ReportedStatus::Failed
        );
        let slow: Vec<_> = parsed
            .cases
            .iter()
            .filter(|c| c.classname == Some(pkg("slow")))
            .collect();
        assert_eq!(slow.len(), 8);
        assert!(slow.iter().all(|c| c.time > 0.3 && c.time < 2.0), "{slow:?}");
        assert!(parsed.cases.iter().all(|c| c.file.is_none() && c.id.is_none()));
        assert!(!parsed.cases.iter().any(|c| c.classname == Some(pkg("notests"))));
    }

    #[test]
    fn build_failure_before_go_1_24_is_text_on_stderr() {
        // go 1.19: stdout (JSON for ./pass) and stderr (compiler output) merged.
        let parsed = parse_go_test_json(&fixture("go/build_failed.txt"), &fixture_root("go")).unwrap();
        assert!(
            parsed
                .cases
                .iter()
                .all(|c| c.status == ReportedStatus::Passed || c.status == ReportedStatus::Skipped)
        );
        assert_eq!(
            parsed.errors_outside_tests.len(),
            1,
            "{:?}",
            parsed.errors_outside_tests
        );
        let error = &parsed.errors_outside_tests[0];
        assert!(error.starts_with("package example.com/flotillafixture/broken failed outside its tests:"));
        assert!(error.contains("undefined: undefinedName"), "{error}");
    }

    #[test]
    fn setup_failure() {
        let parsed = parse_go_test_json(&fixture("go/setup_failed.txt"), &fixture_root("go-variants")).unwrap();
        assert!(parsed.cases.is_empty());
        assert_eq!(parsed.errors_outside_tests.len(), 1);
        assert!(parsed.errors_outside_tests[0].contains("no required module provides package"));
    }

    #[test]
    fn build_failure_from_go_1_24_is_in_the_stream() {
        // Hand-written from Go's own test of this format (cmd/go/testdata/script/test_json_build.txt):
        // Go 1.24+ reports build output as events and the package `fail` names the failed build.
        let text = r##"{"ImportPath":"m/builderror [m/builderror.test]","Action":"build-output","Output":"# m/builderror [m/builderror.test]\n"}
{"ImportPath":"m/builderror [m/builderror.test]","Action":"build-output","Output":"builderror/main_test.go:3:11: undefined: y\n"}
{"ImportPath":"m/builderror [m/builderror.test]","Action":"build-fail"}
{"Time":"2025-02-11T10:00:00Z","Action":"start","Package":"m/builderror"}
{"Time":"2025-02-11T10:00:00Z","Action":"output","Package":"m/builderror","Output":"FAIL\tm/builderror [build failed]\n"}
{"Time":"2025-02-11T10:00:00Z","Action":"fail","Package":"m/builderror","Elapsed":0,"FailedBuild":"m/builderror [m/builderror.test]"}
"##;
        let parsed = parse_go_test_json(text, Utf8Path::new("/m")).unwrap();
        assert!(parsed.cases.is_empty());
        assert_eq!(parsed.errors_outside_tests.len(), 1);
        let error = &parsed.errors_outside_tests[0];
        assert!(
            error.contains("undefined: y") && error.contains("[build failed]"),
            "{error}"
        );
    }

    #[test]
    fn panics_and_testmain() {
        let parsed = parse_go_test_json(&fixture("go/panic_and_testmain.jsonl"), &fixture_root("go-variants")).unwrap();
        let panicked = find(&parsed, "example.com/v/panics", "TestPanics");
        assert_eq!(panicked.status, ReportedStatus::Failed);
        assert!(panicked.output.as_deref().unwrap().contains("panic: boom"));
        assert_eq!(
            find(&parsed, "example.com/v/panics", "TestOK").status,
            ReportedStatus::Passed
        );
        // TestMain exits 3 after every test passed: the package fails outside its tests.
        assert_eq!(
            find(&parsed, "example.com/v/testmain", "TestPasses").status,
            ReportedStatus::Passed
        );
        assert_eq!(
            parsed.errors_outside_tests.len(),
            1,
            "{:?}",
            parsed.errors_outside_tests
        );
        assert!(parsed.errors_outside_tests[0].starts_with("package example.com/v/testmain failed outside"));
    }

    #[test]
    fn a_test_cut_off_by_the_timeout_fails() {
        let parsed = parse_go_test_json(&fixture("go/timeout.jsonl"), &fixture_root("go-variants")).unwrap();
        assert_eq!(
            find(&parsed, "example.com/v/hang", "TestQuick").status,
            ReportedStatus::Passed
        );
        let hung = find(&parsed, "example.com/v/hang", "TestHangs");
        assert_eq!(hung.status, ReportedStatus::Failed);
        assert!(hung.message.as_deref().unwrap().starts_with("did not finish"));
        assert!(
            hung.output
                .as_deref()
                .unwrap()
                .contains("panic: test timed out after 1s")
        );
        assert!(
            parsed.errors_outside_tests.is_empty(),
            "the package failure is explained by the test"
        );
    }

    #[test]
    fn a_stream_cut_short_is_never_a_pass() {
        let full = fixture("go/run.jsonl");
        // Cut inside an event: the half line is an error.
        let cut = &full[..full.len() / 2];
        let cut = &cut[..cut.rfind('}').unwrap()];
        assert!(
            parse_go_test_json(cut, Utf8Path::new("/m"))
                .unwrap_err()
                .to_string()
                .contains("line")
        );
        // Cut between events: unfinished tests fail and the package has no result.
        let lines: Vec<&str> = full.lines().collect();
        let half = lines[..lines.len() / 2].join("\n");
        let parsed = parse_go_test_json(&half, Utf8Path::new("/m")).unwrap();
        assert!(!parsed.errors_outside_tests.is_empty());
        assert!(parsed.errors_outside_tests.iter().any(|e| e.contains("has no result")));
    }

    #[test]
    fn garbage_is_an_error() {
        let root = Utf8Path::new("/m");
        assert!(parse_go_test_json("", root).unwrap_err().to_string().contains("empty"));
        assert!(
            parse_go_test_json("ok  \texample.com/m\t0.1s\n", root)
                .unwrap_err()
                .to_string()
                .contains("not go test -json")
        );
        assert!(matches!(
            parse_go_test_json("{\"Test\": \"x\"}", root),
            Err(GoTestJsonError::Event {
                line: 1,
                source: JsonError::Shape { .. }
            })
        ));
        assert!(
            parse_go_test_json("{\"Test\": \"x\"}", root)
                .unwrap_err()
                .to_string()
                .contains("line 1")
        );
    }

    #[test]
    fn package_folders() {
        assert_eq!(
            go_package_dir("example.com/m/pkg/a", "example.com/m"),
            Some("pkg/a".into())
        );
        assert_eq!(go_package_dir("example.com/m", "example.com/m"), Some(".".into()));
        assert_eq!(go_package_dir("example.com/mother/a", "example.com/m"), None);
        assert_eq!(go_package_dir("other.org/x", "example.com/m"), None);
        let go_mod = "// comment\nmodule \"example.com/flotillafixture\" // trailing\n\ngo 1.19\n";
        assert_eq!(go_module_path(go_mod), Some("example.com/flotillafixture".into()));
        assert_eq!(go_module_path("module example.com/m\n"), Some("example.com/m".into()));
        assert_eq!(go_module_path("modules x\n"), None);
        assert_eq!(
            go_module_path(&fixture("../runners/go/go.mod")),
            Some("example.com/flotillafixture".into())
        );
    }

    #[test]
    fn gopath_mode_packages_name_their_folder() {
        let text = r#"{"Action":"run","Package":"_/work/proj/pkg","Test":"TestA"}
{"Action":"pass","Package":"_/work/proj/pkg","Test":"TestA","Elapsed":0.01}
{"Action":"pass","Package":"_/work/proj/pkg","Elapsed":0.02}"#;
        let parsed = parse_go_test_json(text, Utf8Path::new("/work/proj")).unwrap();
        assert_eq!(parsed.cases[0].file.as_deref(), Some("pkg"));
    }
}
