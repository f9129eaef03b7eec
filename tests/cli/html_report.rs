//! The run folder's event log and its HTML report, opened in headless Chromium: reports of
//! failing, passing-with-flaky, interrupted, hostile-input and merged runs render without a
//! console message (so without a script error, a blocked fetch or an executed payload), show
//! what a person debugging the run needs, and filter from the URL.

use std::path::PathBuf;

use crate::browser;
use crate::harness::Project;

/// Two suites: pytest tests (one failing with coloured output, one flaky, one passing) and
/// shell scripts (one failing with invalid UTF-8 in its output).
fn failing_project() -> Project {
    let project = Project::new();
    project
        .config(
            "[run]\nworkers = 2\n\n[suite.api]\nrunner = \"pytest\"\nfiles = [\"tests/test_*.py\"]\nretries = 1\n\n\
             [suite.scripts]\nrunner = \"custom\"\ncommand = [\"sh\", \"{file}\"]\nfiles = [\"t/*.sh\"]\n",
        )
        .file(
            "tests/test_orders.py",
            r#"import os
def test_order_total():
    print("\x1b[31mRED-ALERT\x1b[0m computing the total")
    assert 2 + 2 == 5, "total was off by one"
def test_order_ok(): pass
def test_retried_once():
    marker = os.path.join(os.environ["PROJECT_ROOT"], "flaky.marker")
    if not os.path.exists(marker):
        open(marker, "w").close()
        assert False, "first attempt fails"
"#,
        )
        .file("t/ok.sh", "exit 0\n")
        .file("t/bytes.sh", "printf 'before \\377\\376 after-bad-bytes\\n'\nexit 3\n");
    project
}

fn report_of(project: &Project) -> PathBuf {
    let report = project
        .latest("report.html")
        .canonicalize()
        .expect("report.html exists");
    let html = std::fs::read_to_string(&report).unwrap();
    assert!(
        html.contains("http-equiv=\"Content-Security-Policy\" content=\"default-src 'none';"),
        "the report forbids every fetch"
    );
    report
}

fn rows(page: &browser::Page) -> usize {
    page.count("class=\"row test ")
}

#[test]
fn every_run_writes_its_event_log_the_same_stream_as_message_format_json() {
    let project = Project::new();
    project
        .config("[run]\nworkers = 2\n\n[suite.s]\nrunner = \"custom\"\ncommand = [\"sh\", \"{file}\"]\nfiles = [\"t/*.sh\"]\n")
        .file("t/a.sh", "echo a\n")
        .file("t/b.sh", "exit 1\n");
    let run = project.run(&["run", "--message-format", "json"]);
    assert_eq!(run.code, 1, "{}", run.describe());
    let log = std::fs::read_to_string(project.latest("events.jsonl")).unwrap();
    assert_eq!(log, run.stdout, "the event log is the JSON stream, line for line");
    assert!(log.starts_with("{\"event\":\"run_started\""), "{log}");
    assert!(
        log.lines().last().unwrap().starts_with("{\"event\":\"run_finished\""),
        "{log}"
    );
    // A human run writes the same log.
    let run = project.run(&["run"]);
    assert_eq!(run.code, 1, "{}", run.describe());
    let log = std::fs::read_to_string(project.latest("events.jsonl")).unwrap();
    assert_eq!(log.matches("\"event\":\"test_finished\"").count(), 2, "{log}");
    // The last screen says where the report is, just before the totals and the closing line.
    let lines: Vec<&str> = run.stdout.lines().collect();
    let n = lines.len();
    assert!(
        lines[n - 3].starts_with("report: ") && lines[n - 3].ends_with("/report.html"),
        "{}",
        run.describe()
    );
    assert!(lines[n - 2].starts_with("ran 2 tests in "), "{}", run.describe());
    assert_eq!(lines[n - 1], "1 passed, 1 failed, 0 skipped");
    assert!(run.stdout.contains("    re-run: cd "), "{}", run.describe());
    assert!(run.stdout.contains("slowest files:\n") && run.stdout.contains("first failure after "));
}

#[test]
fn a_failing_runs_report_shows_the_failure_its_output_the_timeline_and_filters_from_the_url() {
    let project = failing_project();
    let run = project.run(&["run"]);
    assert_eq!(run.code, 1, "{}", run.describe());
    let report = report_of(&project);

    let page = browser::load(&report, "");
    page.assert_quiet();
    assert!(page.dom.contains(">FAILED<"), "verdict first");
    assert!(page.dom.contains("Failures (2)"), "{}", page.dom);
    assert!(page.dom.contains("test_order_total") && page.dom.contains("total was off by one"));
    assert!(
        page.dom.contains("<span class=\"a-f1\">RED-ALERT</span>"),
        "the captured output is there with its colours"
    );
    assert!(
        page.dom.contains("after-bad-bytes"),
        "output with invalid UTF-8 renders"
    );
    assert!(page.dom.contains("logs/job-"), "the log's path");
    assert!(
        page.dom.contains("tests/test_orders.py::test_order_total"),
        "the re-run command names the one test"
    );
    assert!(
        page.dom.contains("Flaky (1)") && page.dom.contains("attempt 2: passed"),
        "one tab per attempt"
    );
    assert!(
        page.count("class=\"bar fail\"") >= 1 && page.dom.contains("worker 2"),
        "the timeline"
    );
    assert!(page.dom.contains("predicted end"));

    let failed_api = browser::load(&report, "#status=failed&suite=api");
    failed_api.assert_quiet();
    assert_eq!(rows(&failed_api), 1, "only the failed test of suite api is listed");
    assert_eq!(failed_api.count("o-row-failed"), 1);
    assert!(failed_api.dom.contains("1 of 5 tests"), "{}", failed_api.dom);
    let search = browser::load(&report, "#q=order_ok");
    search.assert_quiet();
    assert_eq!(rows(&search), 1);
    assert_eq!(rows(&page), 5, "unfiltered, every test is listed");

    let png = project.path("report.png");
    browser::screenshot(&report, &png, (1280, 2000));
    if std::env::var_os("FLOTILLA_UPDATE_SCREENSHOT").is_some() {
        let docs = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/report-failing.png");
        std::fs::copy(&png, docs).unwrap();
    }
}

#[test]
fn a_green_pipeline_with_a_flaky_and_a_muted_test_shows_both_attempts_the_quarantine_and_the_steps() {
    let project = Project::new();
    project
        .config(
            "[run]\nworkers = 2\n\n[suite.s]\nrunner = \"custom\"\ncommand = [\"sh\", \"{file}\"]\nfiles = [\"t/*.sh\"]\nretries = 1\n\n\
             [quarantine]\nmute = [\"t/known.sh\"]\n\n\
             [[step]]\nname = \"prepare the database\"\nrun = \"echo prepared\"\n\n[[step]]\nsuites = [\"s\"]\n",
        )
        .file("t/ok.sh", "exit 0\n")
        .file("t/known.sh", "echo known-to-break >&2\nexit 1\n")
        .file(
            "t/flaky.sh",
            "if [ -e \"$PROJECT_ROOT/m\" ]; then exit 0; fi\ntouch \"$PROJECT_ROOT/m\"\necho first-try-broke >&2\nexit 1\n",
        );
    let run = project.run(&["run"]);
    assert_eq!(run.code, 0, "{}", run.describe());
    let page = browser::load(&report_of(&project), "");
    page.assert_quiet();
    assert!(page.dom.contains(">PASSED<"));
    assert!(page.dom.contains("No test failed."));
    assert!(page.dom.contains("attempt 1: failed") && page.dom.contains("attempt 2: passed"));
    assert!(
        page.dom.contains("first-try-broke"),
        "the failed attempt's output is shown"
    );
    assert!(page.dom.contains(">prepare the database<"), "the step's row");
    assert!(page.dom.contains("Muted and quarantined (1)"), "{}", page.dom);
    assert!(
        page.dom
            .contains("quarantined (mute): it ran and is reported, but its failure does not fail the run")
            && page.dom.contains("known-to-break"),
        "the muted test, why, and its output"
    );
    assert!(
        page.dom
            .contains("class=\"bar step\" title=\"step prepare the database: passed"),
        "the step on the timeline"
    );
}

#[test]
fn an_interrupted_runs_report_says_so_and_lists_what_did_not_run() {
    let project = Project::new();
    project
        .config("[run]\nworkers = 2\n\n[suite.s]\nrunner = \"custom\"\ncommand = [\"sh\", \"{file}\"]\nfiles = [\"t/*.sh\"]\n")
        // The job interrupts flotilla itself (its parent), as Ctrl-C would.
        .file("t/a_interrupt.sh", "kill -INT $PPID\nsleep 30\n")
        .file("t/b_slow.sh", "sleep 30\n");
    let run = project.run(&["run"]);
    assert_eq!(run.code, 130, "{}", run.describe());
    let page = browser::load(&report_of(&project), "");
    page.assert_quiet();
    assert!(page.dom.contains(">INTERRUPTED<"), "{}", page.dom);
    assert!(page.dom.contains("did not run"), "{}", page.dom);
    assert!(
        page.dom.contains(">interrupt<"),
        "the interrupt is marked on the timeline"
    );
}

#[test]
fn hostile_names_messages_and_output_render_as_text_and_execute_nothing() {
    const PAYLOAD_SCRIPT: &str = "&lt;script&gt;document.title='pwned'&lt;/script&gt;";
    const PAYLOAD_IMG: &str = "&lt;img src=x onerror=&quot;document.title='pwned'&quot;&gt;";
    let xml = format!(
        r#"<testsuite name="h"><testcase classname="t" name="{PAYLOAD_SCRIPT}" time="0.01"><failure message="{PAYLOAD_IMG}">&lt;/script&gt;&lt;!-- {PAYLOAD_SCRIPT}</failure></testcase><testcase classname="t" name="{PAYLOAD_IMG}" time="0.01"/></testsuite>"#
    );
    let project = Project::new();
    project
        .config("[run]\nworkers = 1\n\n[suite.h]\nrunner = \"custom\"\ncommand = [\"sh\", \"{file}\", \"{result}\"]\nfiles = [\"t/*.sh\"]\n")
        .file(
            "t/<img src=x onerror=alert(1)>.sh",
            &format!(
                "cat > \"$1\" <<'XML'\n{xml}\nXML\necho '</script><script>document.title=\"pwned\"</script><!--'\nprintf '\\377<b>bold?</b>\\n'\nexit 1\n"
            ),
        );
    let run = project.run(&["run"]);
    assert_eq!(run.code, 1, "{}", run.describe());
    let page = browser::load(&report_of(&project), "");
    page.assert_quiet();
    assert!(
        !page.dom.contains("pwned</title>") && page.dom.contains("<title>flotilla "),
        "the title is untouched"
    );
    assert!(!page.dom.contains("<img src=\"x\""), "no element was made from a name");
    assert!(!page.dom.contains("<b>bold?</b>"), "output is text");
    assert!(
        page.dom.contains("&lt;script&gt;document.title='pwned'&lt;/script&gt;"),
        "the name reads as text"
    );
    assert!(
        page.dom
            .contains("&lt;img src=x onerror=\"document.title='pwned'\"&gt;")
    );
    assert!(
        page.dom.contains("&lt;/script&gt;&lt;script&gt;document.title"),
        "the output reads as text"
    );
}

#[test]
fn flotilla_report_re_renders_a_run_folder_and_merges_several_into_one() {
    let project = Project::new();
    project
        .config("[run]\nworkers = 2\n\n[suite.s]\nrunner = \"custom\"\ncommand = [\"sh\", \"{file}\"]\nfiles = [\"t/*.sh\"]\n")
        .file("t/ok.sh", "exit 0\n")
        .file("t/broken.sh", "echo still-broken >&2\nexit 1\n");
    assert_eq!(project.run(&["run"]).code, 1);
    assert_eq!(project.run(&["run"]).code, 1);
    let runs = project.path(".flotilla/runs");
    let mut dirs: Vec<String> = std::fs::read_dir(&runs)
        .unwrap()
        .flatten()
        .filter(|e| e.file_type().unwrap().is_dir())
        .map(|e| e.path().display().to_string())
        .collect();
    dirs.sort();
    assert_eq!(dirs.len(), 2, "{dirs:?}");

    let report = project.latest("report.html");
    std::fs::remove_file(&report).unwrap();
    let rendered = project.run(&["report", ".flotilla/runs/latest", "--open"]);
    assert_eq!(rendered.code, 0, "{}", rendered.describe());
    let url = format!("file://{}", report.canonicalize().unwrap().display());
    assert!(
        rendered
            .stdout
            .lines()
            .any(|l| l == url || l == format!("file://{}", report.display())),
        "{}",
        rendered.describe()
    );
    let page = browser::load(&report.canonicalize().unwrap(), "");
    page.assert_quiet();
    assert!(page.dom.contains("still-broken"), "the log is read from the run folder");
    assert!(
        page.dom.contains("failing for 2 runs"),
        "the previous run's outcome of the test"
    );
    assert!(page.dom.contains("failures per run: 1 · 1"), "the trend over both runs");

    let merged = project.path("merged.html");
    let args = ["report", &dirs[0], &dirs[1], "-o", merged.to_str().unwrap()];
    let rendered = project.run(&args);
    assert_eq!(rendered.code, 0, "{}", rendered.describe());
    let page = browser::load(&merged, "#node=2&status=failed");
    page.assert_quiet();
    assert!(
        page.dom.contains(">node 1 (") && page.dom.contains(">node 2 ("),
        "one lane group per folder"
    );
    assert!(page.dom.contains("Spread between nodes"));
    assert_eq!(rows(&page), 1, "node 2's one failure");

    let missing = project.run(&["report", "no/such/run"]);
    assert_eq!(missing.code, 2, "{}", missing.describe());
    assert!(missing.stderr.contains("has no summary.json"), "{}", missing.describe());
}
