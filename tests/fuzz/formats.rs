//! Every report-format parser of `flotilla::results` (`formats::parse_*` and `parse_junit`),
//! fed arbitrary bytes, mutations of the real reports under `tests/fixtures/formats/` (plus the
//! JUnit dialects of `tests/fuzz/corpus/`), every cut at a structural boundary, and huge
//! repetitions of one element (nesting depth, long lines, many entries).

use camino::Utf8Path;
use flotilla::results::formats::{
    ParsedReport, go_module_path, go_package_dir, parse_cucumber_json, parse_go_test_json, parse_jest_json,
    parse_junit_report, parse_mocha_junit, parse_node_events, parse_node_junit, parse_playwright_json,
    parse_pytest_junit, parse_rspec_json, parse_vitest_json,
};
use flotilla::results::parse_junit;
use proptest::prelude::*;

use crate::harness::{Target, check, check_truncations, describe};

const ROOT: &str = "/work/project";

fn count<E: std::error::Error + 'static>(result: Result<ParsedReport, E>) -> Result<usize, String> {
    result
        .map(|r| r.cases.len() + r.errors_outside_tests.len())
        .map_err(|e| describe(&e))
}

const XML_ALPHABET: &[u8] = b"<>/=\"' \n?!-[]&;#xtestsuitecaseflurorkipdnm0123456789.:";
const JSON_ALPHABET: &[u8] = b"{}[]\":, \n\\0123456789.-eEtruefalsnu\"abcdestatus";

/// A fuzz target over one parser: its seeds, the properties and the truncation sweep.
macro_rules! format_target {
    ($module:ident, $name:literal, $parse:expr, $names:expr, $alphabet:expr, [$($seed:literal),+ $(,)?]) => {
        mod $module {
            use std::sync::OnceLock;

            use proptest::prelude::*;

            use super::*;
            use crate::harness::{apply, arbitrary_bytes, config, mutation, seeds, text};

            pub(crate) const TARGET: Target = Target { name: $name, parse: $parse, names: $names };

            pub(crate) fn corpus() -> &'static [Vec<u8>] {
                static SEEDS: OnceLock<Vec<Vec<u8>>> = OnceLock::new();
                SEEDS.get_or_init(|| seeds($name, &[$($seed),+]))
            }

            proptest! {
                #![proptest_config(config(48, 4))]

                #[test]
                fn mutated((index, ops) in mutation()) {
                    check(&TARGET, text(&apply(corpus(), index, &ops)))?;
                }

                #[test]
                fn arbitrary(bytes in arbitrary_bytes($alphabet)) {
                    check(&TARGET, text(&bytes))?;
                }
            }

            #[test]
            fn truncated_at_every_boundary() {
                check_truncations(&TARGET, corpus(), 400);
            }
        }
    };
}

const JUNIT_NAMES: &[&str] = &["junit", "xml"];

format_target!(
    junit,
    "junit",
    |t| count(parse_junit_report(t, Utf8Path::new(ROOT))),
    JUNIT_NAMES,
    XML_ALPHABET,
    [
        "tests/fixtures/formats/nextest",
        "tests/fixtures/formats/pytest",
        "tests/fixtures/formats/node/junit.xml",
        "tests/fixtures/formats/cypress",
    ]
);
format_target!(
    pytest_junit,
    "pytest_junit",
    |t| count(parse_pytest_junit(t, Utf8Path::new(ROOT))),
    JUNIT_NAMES,
    XML_ALPHABET,
    ["tests/fixtures/formats/pytest",]
);
format_target!(
    node_junit,
    "node_junit",
    |t| count(parse_node_junit(t, Utf8Path::new(ROOT))),
    JUNIT_NAMES,
    XML_ALPHABET,
    ["tests/fixtures/formats/node/junit.xml",]
);
format_target!(
    mocha_junit,
    "mocha_junit",
    |t| count(parse_mocha_junit(t, Utf8Path::new(ROOT))),
    JUNIT_NAMES,
    XML_ALPHABET,
    ["tests/fixtures/formats/cypress",]
);
format_target!(
    junit_read,
    "junit",
    |t| parse_junit(t).map(|c| c.len()).map_err(|e| e.to_string()),
    JUNIT_NAMES,
    XML_ALPHABET,
    [
        "tests/fixtures/formats/nextest",
        "tests/fixtures/formats/pytest",
        "tests/fixtures/formats/node/junit.xml",
        "tests/fixtures/formats/cypress",
    ]
);
format_target!(
    rspec_json,
    "rspec_json",
    |t| count(parse_rspec_json(t, Utf8Path::new(ROOT))),
    &["rspec"],
    JSON_ALPHABET,
    ["tests/fixtures/formats/rspec",]
);
format_target!(
    cucumber_json,
    "cucumber_json",
    |t| count(parse_cucumber_json(t, Utf8Path::new(ROOT))),
    &["cucumber"],
    JSON_ALPHABET,
    ["tests/fixtures/formats/cucumber",]
);
format_target!(
    jest_json,
    "jest_json",
    |t| count(parse_jest_json(t, Utf8Path::new(ROOT))),
    &["jest"],
    JSON_ALPHABET,
    ["tests/fixtures/formats/jest",]
);
format_target!(
    vitest_json,
    "vitest_json",
    |t| count(parse_vitest_json(t, Utf8Path::new(ROOT))),
    &["vitest"],
    JSON_ALPHABET,
    ["tests/fixtures/formats/vitest", "tests/fixtures/formats/jest/run.json",]
);
format_target!(
    go_test_json,
    "go_test_json",
    |t| count(parse_go_test_json(t, Utf8Path::new(ROOT))),
    &["go test"],
    JSON_ALPHABET,
    ["tests/fixtures/formats/go",]
);
format_target!(
    node_events,
    "node_events",
    |t| count(parse_node_events(t, Utf8Path::new(ROOT))),
    &["node"],
    JSON_ALPHABET,
    [
        "tests/fixtures/formats/node/events.jsonl",
        "tests/fixtures/formats/node/name_pattern.jsonl",
        "tests/fixtures/formats/node/variants.jsonl",
    ]
);
format_target!(
    playwright_json,
    "playwright_json",
    |t| count(parse_playwright_json(t, Utf8Path::new(ROOT))),
    &["playwright"],
    JSON_ALPHABET,
    ["tests/fixtures/formats/playwright",]
);
format_target!(
    go_mod,
    "go_mod",
    |t| Ok(usize::from(go_module_path(t).is_some())),
    &[""],
    b"module example.com/x\n go 1.22 ()//\"`",
    [
        "tests/fixtures/runners/go/go.mod",
        "tests/fixtures/formats/projects/go-variants/go.mod",
    ]
);

proptest! {
    #![proptest_config(crate::harness::config(48, 4))]

    /// `go_package_dir` on arbitrary import and module paths.
    #[test]
    fn go_package_dir_any(import in ".{0,64}", module in ".{0,64}") {
        let outcome = crate::harness::run_bounded(import.len() + module.len(), move || go_package_dir(&import, &module))
            .map_err(TestCaseError::fail)?;
        drop(outcome);
    }
}

// ---------------------------------------------------------------------------------------------
// Huge repetitions of one element.

fn must_survive(target: &Target, text: String) {
    if let Err(e) = check(target, text) {
        panic!("{e}");
    }
}

const XML_TARGETS: &[Target] = &[
    junit::TARGET,
    pytest_junit::TARGET,
    node_junit::TARGET,
    mocha_junit::TARGET,
    junit_read::TARGET,
];
const JSON_TARGETS: &[Target] = &[
    rspec_json::TARGET,
    cucumber_json::TARGET,
    jest_json::TARGET,
    vitest_json::TARGET,
    playwright_json::TARGET,
];
const LINE_TARGETS: &[Target] = &[go_test_json::TARGET, node_events::TARGET];

#[test]
fn xml_deep_nesting() {
    for element in ["testsuite", "testsuites", "testcase", "failure", "x"] {
        let depth = 50_000;
        let open = format!("<{element}>").repeat(depth);
        let close = format!("</{element}>").repeat(depth);
        for target in XML_TARGETS {
            must_survive(target, format!("{open}{close}"));
            must_survive(target, open.clone());
        }
    }
}

#[test]
fn xml_many_and_long() {
    let many = format!(
        "<testsuites><testsuite name=\"s\">{}</testsuite></testsuites>",
        "<testcase name=\"t\" classname=\"c\" time=\"0.1\"><failure message=\"m\">x</failure></testcase>"
            .repeat(20_000)
    );
    let long_name = format!("<testsuite><testcase name=\"{}\"/></testsuite>", "n".repeat(1 << 20));
    let long_text = format!(
        "<testsuite><testcase name=\"t\"><system-out>{}</system-out></testcase></testsuite>",
        "&amp;".repeat(200_000)
    );
    let attributes = format!("<testsuite><testcase {}/></testsuite>", "a=\"1\" ".repeat(50_000));
    for target in XML_TARGETS {
        must_survive(target, many.clone());
        must_survive(target, long_name.clone());
        must_survive(target, long_text.clone());
        must_survive(target, attributes.clone());
    }
}

/// Nested suites each inherit the outer suite's `file`: memory must stay linear in the input.
#[test]
fn xml_nested_suites_with_a_long_file() {
    let depth = 2_000;
    let text = format!(
        "<testsuite file=\"{}\">{}<testcase name=\"t\"/>{}</testsuite>",
        "f".repeat(16 * 1024),
        "<testsuite>".repeat(depth),
        "</testsuite>".repeat(depth)
    );
    for target in XML_TARGETS {
        must_survive(target, text.clone());
    }
}

#[test]
fn json_deep_nesting() {
    let depth = 100_000;
    let shapes = [
        ("[".repeat(depth), "]".repeat(depth)),
        ("{\"a\":".repeat(depth), "}".repeat(depth)),
        ("{\"suites\":[{\"suites\":[".repeat(depth / 4), "]}]}".repeat(depth / 4)),
        (
            "{\"elements\":[{\"steps\":[".repeat(depth / 4),
            "]}]}".repeat(depth / 4),
        ),
    ];
    for (open, close) in &shapes {
        for target in JSON_TARGETS.iter().chain(LINE_TARGETS) {
            must_survive(target, format!("{open}{close}"));
            must_survive(target, open.clone());
        }
    }
}

/// Playwright nests suites inside suites: a depth serde_json accepts must not overflow the stack.
#[test]
fn playwright_nested_suites_below_the_json_limit() {
    for depth in [20, 40, 60] {
        let open = "{\"title\":\"s\",\"file\":\"a.spec.ts\",\"suites\":[".repeat(depth);
        let close = "]}".repeat(depth);
        must_survive(
            &playwright_json::TARGET,
            format!("{{\"config\":{{}},\"suites\":[{open}{close}]}}"),
        );
    }
}

#[test]
fn json_many_and_long() {
    let long_string = format!("{{\"examples\":[{{\"description\":\"{}\"}}]}}", "x".repeat(1 << 20));
    let many = format!("[{}0]", "0,".repeat(200_000));
    let escapes = format!("\"{}\"", "\\u0041".repeat(100_000));
    let number = "9".repeat(100_000);
    for target in JSON_TARGETS.iter().chain(LINE_TARGETS) {
        must_survive(target, long_string.clone());
        must_survive(target, many.clone());
        must_survive(target, escapes.clone());
        must_survive(target, number.clone());
    }
}

#[test]
fn json_lines_many_and_long() {
    let go_lines = "{\"Action\":\"run\",\"Package\":\"p\",\"Test\":\"T\"}\n".repeat(50_000);
    let go_output = format!(
        "{{\"Action\":\"output\",\"Package\":\"p\",\"Test\":\"T\",\"Output\":\"{}\"}}\n",
        "o".repeat(1 << 20)
    );
    let blank = "\n".repeat(500_000);
    for target in LINE_TARGETS {
        must_survive(target, go_lines.clone());
        must_survive(target, go_output.clone());
        must_survive(target, blank.clone());
    }
    let node = crate::harness::text(&node_events::corpus()[0]);
    let first = node.lines().next().unwrap_or_default().to_string();
    must_survive(&node_events::TARGET, format!("{}\n", first).repeat(50_000));
}
