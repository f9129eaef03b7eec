//! Compose environments through the real binary and the real Docker engine: one isolated copy
//! per worker, readiness failures, jobs inside a service, timeouts that reach into containers,
//! interrupts at every stage, and gc after SIGKILL. Every check of leftovers filters on this
//! test's own run id label, so tests can run concurrently.

use std::io::BufRead;
use std::process::Command;
use std::sync::Once;

use nix::sys::signal::{Signal, kill};
use nix::unistd::Pid;

use crate::harness::{Project, expect_lines, fifo_lines};

static IMAGES: Once = Once::new();

pub(crate) fn images() {
    IMAGES.call_once(|| {
        let status = Command::new("bash")
            .arg(concat!(env!("CARGO_MANIFEST_DIR"), "/scripts/test-images.sh"))
            .arg("--check")
            .stdout(std::process::Stdio::null())
            .status()
            .expect("scripts/test-images.sh runs");
        assert!(
            status.success(),
            "the test image is missing: run scripts/install-test-deps (it builds it)"
        );
    });
}

fn fixture(name: &str) -> String {
    std::fs::read_to_string(format!("{}/tests/fixtures/compose/{name}", env!("CARGO_MANIFEST_DIR"))).unwrap()
}

fn app_project(workers: usize, env_extra: &str, suite_extra: &str) -> Project {
    images();
    let project = Project::new();
    project
        .file("docker-compose.yml", &fixture("app/docker-compose.yml"))
        .file("docker-compose.ci.yml", &fixture("app/docker-compose.ci.yml"))
        .config(&format!(
            "[run]\nworkers = {workers}\n\n[services.app]\ncompose = [\"docker-compose.yml\", \"docker-compose.ci.yml\"]\nready = [{{ tcp = \"db:5432\" }}, {{ http = \"web:8080/health\" }}]\nready-timeout = \"60s\"\n{env_extra}\n\n[suite.it]\nrunner = \"custom\"\ncommand = [\"sh\", \"{{file}}\"]\nfiles = [\"t/*.sh\"]\nservices = \"app\"\n{suite_extra}\n"
        ));
    project
}

/// Containers, networks and volumes still labelled with `run_id`.
pub(crate) fn leftovers(run_id: &str) -> Vec<String> {
    let filter = format!("label=flotilla.run-id={run_id}");
    let mut found = Vec::new();
    for args in [
        vec!["ps", "-a", "-q", "--filter", &filter],
        vec!["network", "ls", "-q", "--filter", &filter],
        vec!["volume", "ls", "-q", "--filter", &filter],
    ] {
        let output = Command::new("docker").args(&args).output().unwrap();
        found.extend(
            String::from_utf8_lossy(&output.stdout)
                .lines()
                .map(|l| format!("{} {l}", args[0])),
        );
    }
    found
}

fn run_id_of(project: &Project) -> String {
    project.summary()["run_id"].as_str().unwrap().to_string()
}

const CHECK: &str = r#"set -eu
web=$(wget -q -O - "http://$FLOTILLA_WEB_8080/")
db=$(busybox nc "${FLOTILLA_DB_5432%:*}" "${FLOTILLA_DB_5432#*:}" </dev/null)
echo "worker=$FLOTILLA_WORKER web=$web db=$db"
[ "$web" = "web-$FLOTILLA_WORKER" ] && [ "$db" = "db-$FLOTILLA_WORKER" ]
[ "$CI_COMMAND_NUMBER" = "$FLOTILLA_WORKER" ] && [ "$PROJECT_NAME" = "$COMPOSE_PROJECT_NAME" ]
"#;

#[test]
fn diagnostics_are_capped_per_worker_for_the_whole_run_not_per_step() {
    // Two test steps on one worker, three failing jobs each: diagnostics for the first three only.
    let project = app_project(
        1,
        "",
        "\n[suite.more]\nrunner = \"custom\"\ncommand = [\"sh\", \"{file}\"]\nfiles = [\"u/*.sh\"]\nservices = \"app\"\n\n[[step]]\nsuites = [\"it\"]\ncontinue-on-failure = true\n\n[[step]]\nsuites = [\"more\"]\n",
    );
    for i in 0..3 {
        project.file(&format!("t/fail{i}.sh"), "exit 1\n");
        project.file(&format!("u/fail{i}.sh"), "exit 1\n");
    }
    let run = project.run(&["run"]);
    assert_eq!(run.code, 1, "{}", run.describe());
    assert_eq!(run.last_line(), "0 passed, 6 failed, 0 skipped, 2 failed steps");
    let summary = project.summary();
    let jobs = summary["jobs"].as_array().unwrap();
    assert_eq!(jobs.len(), 6, "{jobs:?}");
    let diagnosed = jobs.iter().filter(|j| j.get("diagnostics").is_some()).count();
    assert_eq!(diagnosed, 3, "{jobs:?}");
    assert!(
        leftovers(&run_id_of(&project)).is_empty(),
        "{:?}",
        leftovers(&run_id_of(&project))
    );
}

#[test]
fn every_worker_reaches_only_its_own_copy() {
    let project = app_project(3, "", "");
    for i in 0..6 {
        project.file(&format!("t/check{i}.sh"), CHECK);
    }
    let run = project.run(&["run"]);
    assert_eq!(run.code, 0, "{}", run.describe());
    assert_eq!(run.last_line(), "6 passed, 0 failed, 0 skipped");
    assert!(run.stdout.contains("env app: ready"), "{}", run.stdout);
    let summary = project.summary();
    let workers: std::collections::BTreeSet<i64> = summary["jobs"]
        .as_array()
        .unwrap()
        .iter()
        .map(|j| j["worker"].as_i64().unwrap())
        .collect();
    assert_eq!(workers.len(), 3, "all three copies were used");
    assert!(
        leftovers(&run_id_of(&project)).is_empty(),
        "{:?}",
        leftovers(&run_id_of(&project))
    );
    // The report puts the environment's up, ready and down on the jobs' axis.
    let page = crate::browser::load(&project.latest("report.html").canonicalize().unwrap(), "");
    page.assert_quiet();
    assert!(
        page.dom.contains("class=\"bar env\" title=\"app up, ready after "),
        "{}",
        page.dom
    );
    assert!(
        page.dom.contains("class=\"bar env down\" title=\"app down, "),
        "{}",
        page.dom
    );
    assert_eq!(page.count("class=\"label\">worker "), 3, "a lane per worker");
}

#[test]
fn a_service_that_never_gets_ready_is_named_with_its_probe_and_output() {
    let project = app_project(2, "", "");
    let config = std::fs::read_to_string(project.path("flotilla.toml")).unwrap().replace(
        "ready-timeout = \"60s\"",
        "ready = [{ exec = \"web\", run = \"echo warming up the cache; exit 3\" }]\nready-timeout = \"4s\"",
    );
    let config = config.replacen(
        "ready = [{ tcp = \"db:5432\" }, { http = \"web:8080/health\" }]\n",
        "",
        1,
    );
    project.config(&config).file("t/a.sh", "exit 0\n");
    let run = project.run(&["run"]);
    assert_eq!(run.code, 3, "{}", run.describe());
    assert!(run.stderr.contains("web"), "{}", run.stderr);
    assert!(
        run.stderr.contains("warming up the cache"),
        "the probe's last output is shown: {}",
        run.stderr
    );
    assert!(run.stderr.contains("diagnostics"), "{}", run.stderr);
    let runs = project.path(".flotilla/runs");
    let run_id = std::fs::read_dir(&runs)
        .unwrap()
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .find(|n| n.starts_with("20"))
        .unwrap();
    let diagnostics = walk(&runs.join(&run_id))
        .into_iter()
        .filter(|p| p.contains("diagnostics"))
        .count();
    assert!(diagnostics > 0, "diagnostics were written");
    assert!(leftovers(&run_id).is_empty(), "{:?}", leftovers(&run_id));
}

fn walk(dir: &std::path::Path) -> Vec<String> {
    let mut found = Vec::new();
    for entry in std::fs::read_dir(dir).into_iter().flatten().flatten() {
        let path = entry.path();
        found.push(path.to_string_lossy().into_owned());
        if path.is_dir() {
            found.extend(walk(&path));
        }
    }
    found
}

/// Inside the `web` container the project's files do not exist (a real image would contain the
/// code), so the command dispatches on the file's name.
const IN_CONTAINER: &str = r#"case "$1" in
  *hang*) exec sleep 1000 ;;
  *check*) if ps | grep -v grep | grep -q 'sleep 1000'; then echo 'the timed-out job still runs'; exit 1; fi
           test -f /www/health ;;
  *report*) echo '<testsuite><testcase name="written_inside_the_container" time="0.01"/></testsuite>' > "$FLOTILLA_RESULT" ;;
esac"#;

#[test]
fn jobs_run_inside_a_service_and_timeouts_kill_the_work_in_the_container() {
    let project = app_project(1, "exec = \"web\"", "timeout = \"3s\"\ntimeout-grace = \"200ms\"");
    let config = std::fs::read_to_string(project.path("flotilla.toml")).unwrap().replace(
        "command = [\"sh\", \"{file}\"]",
        &format!(
            "command = [\"sh\", \"-c\", {}, \"sh\", \"{{file}}\"]",
            toml_string(IN_CONTAINER)
        ),
    );
    project
        .config(&config)
        .file("t/a_hang.sh", "")
        .file("t/b_check.sh", "")
        .file("t/c_report.sh", "");
    let run = project.run(&["run"]);
    let summary = project.summary();
    let outcome = |file: &str| crate::harness::outcome_of(&summary, file);
    assert_eq!(
        outcome("t/a_hang.sh").as_deref(),
        Some("timed_out"),
        "{}",
        run.describe()
    );
    assert_eq!(
        outcome("t/b_check.sh").as_deref(),
        Some("passed"),
        "the in-container sleep was killed\n{}",
        run.describe()
    );
    let names: Vec<&str> = summary["tests"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["name"].as_str().unwrap())
        .collect();
    assert!(
        names.contains(&"written_inside_the_container"),
        "the result file came back: {names:?}"
    );
    assert!(leftovers(&run_id_of(&project)).is_empty());
}

fn toml_string(text: &str) -> String {
    format!(
        "\"{}\"",
        text.replace('\\', "\\\\").replace('"', "\\\"").replace('\n', "\\n")
    )
}

/// Starts `flotilla run --message-format json`, waits for the event `kind`, sends SIGINT.
fn interrupt_after(
    project: &Project,
    kind: &str,
    also_wait: Option<(&std::sync::mpsc::Receiver<String>, usize)>,
) -> (i32, String) {
    let mut child = project.spawn(&["run", "--message-format", "json"]);
    let pid = Pid::from_raw(i32::try_from(child.id()).unwrap());
    let mut stdout = std::io::BufReader::new(child.stdout.take().unwrap());
    let mut run_id = String::new();
    let mut line = String::new();
    loop {
        line.clear();
        assert!(
            stdout.read_line(&mut line).unwrap() > 0,
            "the event stream ended before `{kind}`"
        );
        let event: serde_json::Value = serde_json::from_str(&line).unwrap();
        if event["event"] == "run_started" {
            run_id = event["run_id"].as_str().unwrap().to_string();
        }
        if event["event"] == kind {
            break;
        }
    }
    if let Some((ready, n)) = also_wait {
        expect_lines(ready, n);
    }
    kill(pid, Signal::SIGINT).unwrap();
    let _rest: Vec<String> = stdout.lines().map_while(Result::ok).collect();
    let status = child.wait().unwrap();
    (status.code().unwrap_or(-1), run_id)
}

#[test]
fn sigint_during_up_leaves_nothing_behind() {
    let project = app_project(2, "", "");
    project.file("t/a.sh", CHECK);
    let (code, run_id) = interrupt_after(&project, "environment_starting", None);
    assert_eq!(code, 130);
    assert!(leftovers(&run_id).is_empty(), "{:?}", leftovers(&run_id));
    let summary = project.summary();
    assert_eq!(summary["interrupted"], true);
    assert_eq!(summary["not_run"].as_array().unwrap().len(), 1);
}

#[test]
fn sigint_during_jobs_leaves_nothing_behind() {
    let project = app_project(2, "", "");
    for name in ["a", "b"] {
        project.file(
            &format!("t/{name}.sh"),
            "echo started > \"$PROJECT_ROOT/ready\"\nexec sleep 1000\n",
        );
    }
    let ready = fifo_lines(&project.path("ready"));
    let (code, run_id) = interrupt_after(&project, "job_started", Some((&ready, 2)));
    assert_eq!(code, 130);
    assert!(leftovers(&run_id).is_empty(), "{:?}", leftovers(&run_id));
}

#[test]
fn sigint_during_teardown_still_finishes_it() {
    let project = app_project(2, "", "");
    project.file("t/a.sh", CHECK);
    let (code, run_id) = interrupt_after(&project, "run_finished", None);
    assert!(code == 0 || code == 130, "exit {code}");
    assert!(leftovers(&run_id).is_empty(), "{:?}", leftovers(&run_id));
}

#[test]
fn gc_removes_what_a_sigkilled_run_left() {
    let project = app_project(2, "", "");
    for name in ["a", "b"] {
        project.file(
            &format!("t/{name}.sh"),
            &format!(
                "echo $$ > \"$PROJECT_ROOT/{name}.pid\"\necho started > \"$PROJECT_ROOT/ready\"\nexec sleep 1000\n"
            ),
        );
    }
    let ready = fifo_lines(&project.path("ready"));
    let mut child = project.spawn(&["run", "--message-format", "json"]);
    let mut stdout = std::io::BufReader::new(child.stdout.take().unwrap());
    let mut line = String::new();
    stdout.read_line(&mut line).unwrap();
    let run_id = serde_json::from_str::<serde_json::Value>(&line).unwrap()["run_id"]
        .as_str()
        .unwrap()
        .to_string();
    expect_lines(&ready, 2);
    kill(Pid::from_raw(i32::try_from(child.id()).unwrap()), Signal::SIGKILL).unwrap();
    child.wait().unwrap();
    // A SIGKILLed flotilla cannot clean up: its jobs and containers outlive it.
    let jobs = crate::harness::pids_in(&project.root);
    for &pid in &jobs {
        let _ = kill(Pid::from_raw(pid), Signal::SIGKILL);
    }
    assert_eq!(jobs.len(), 2, "both jobs' pids were found and killed: {jobs:?}");
    assert!(!leftovers(&run_id).is_empty(), "the killed run left its environments");
    let gc = project.run(&["gc"]);
    assert_eq!(gc.code, 0, "{}", gc.describe());
    assert!(gc.stdout.contains(&run_id), "{}", gc.stdout);
    assert!(leftovers(&run_id).is_empty(), "{:?}", leftovers(&run_id));
}

#[test]
fn parallel_steps_get_worker_environments_and_timeouts_reach_into_containers() {
    images();
    let project = Project::new();
    project
        .file("docker-compose.yml", &fixture("app/docker-compose.yml"))
        .file("docker-compose.ci.yml", &fixture("app/docker-compose.ci.yml"))
        .config(
            r#"[run]
workers = 2

[services.app]
compose = ["docker-compose.yml", "docker-compose.ci.yml"]
ready = [{ http = "web:8080/health" }]

[[step]]
name = "per-worker check"
parallel = "workers"
services = "app"
run = "test \"$(wget -q -O - http://$FLOTILLA_WEB_8080/)\" = \"web-{worker}\" && echo reached web-{worker}"

[[step]]
name = "hangs in the container"
parallel = "workers"
services = "app"
exec = "web"
timeout = "2s"
timeout-grace = "200ms"
continue-on-failure = true
run = "sleep 1000"

[[step]]
name = "nothing left running"
parallel = "workers"
services = "app"
exec = "web"
run = "if ps | grep -v grep | grep -q 'sleep 1000'; then echo still running; exit 1; fi"
"#,
        );
    let run = project.run(&["run"]);
    assert_eq!(run.code, 1, "the timed-out step fails the run\n{}", run.describe());
    assert!(
        run.stdout.contains("reached web-1") && run.stdout.contains("reached web-2"),
        "{}",
        run.describe()
    );
    let summary = project.summary();
    let outcomes: Vec<&str> = summary["steps"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["outcome"].as_str().unwrap())
        .collect();
    assert_eq!(outcomes, ["passed", "timed_out", "passed"], "{}", run.describe());
    assert!(leftovers(summary["run_id"].as_str().unwrap()).is_empty());
}

#[test]
fn a_second_sigint_exits_at_once_and_a_detached_sweep_still_removes_the_run() {
    let project = app_project(2, "", "");
    for name in ["a", "b"] {
        project.file(
            &format!("t/{name}.sh"),
            "trap '' TERM\necho started > \"$PROJECT_ROOT/ready\"\nsleep 1000 & wait\n",
        );
    }
    let ready = fifo_lines(&project.path("ready"));
    let mut child = project.spawn(&["run", "--message-format", "json"]);
    let pid = Pid::from_raw(i32::try_from(child.id()).unwrap());
    let mut stdout = std::io::BufReader::new(child.stdout.take().unwrap());
    let mut line = String::new();
    stdout.read_line(&mut line).unwrap();
    let run_id = serde_json::from_str::<serde_json::Value>(&line).unwrap()["run_id"]
        .as_str()
        .unwrap()
        .to_string();
    expect_lines(&ready, 2);
    kill(pid, Signal::SIGINT).unwrap();
    loop {
        line.clear();
        assert!(
            stdout.read_line(&mut line).unwrap() > 0,
            "stream ended before `interrupting`"
        );
        if line.contains("\"interrupting\"") {
            break;
        }
    }
    kill(pid, Signal::SIGINT).unwrap();
    assert_eq!(child.wait().unwrap().code(), Some(130));
    // The sweep runs detached after flotilla is gone: wait for it (bounded), never sleep blindly.
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(60);
    while !leftovers(&run_id).is_empty() {
        assert!(
            std::time::Instant::now() < deadline,
            "left behind: {:?}",
            leftovers(&run_id)
        );
        std::thread::yield_now();
    }
}

/// Inside `app` (tests/fixtures/compose/exec): a job that hangs, one that checks what it was
/// started with, and one that checks the hung job is gone.
const IN_APP: &str = r#"case "$1" in
  *hang*) exec sleep 1000 ;;
  *where*) echo "pwd=$(pwd) user=$(id -u):$(id -g) app=$APP_VAR suite=$SUITE_VAR worker=$FLOTILLA_WORKER tagged=${FLOTILLA_JOB_TAG:+yes}"
           [ "$(pwd)" = /srv/app ] && [ "$(id -u):$(id -g)" = 1234:5678 ] && [ "$APP_VAR" = from-compose ] \
             && [ "$SUITE_VAR" = "set by the suite" ] && [ "$FLOTILLA_WORKER" = 1 ] && [ -n "$FLOTILLA_JOB_TAG" ] ;;
  *check*) if ps | grep -v grep | grep -q 'sleep 1000'; then echo 'the timed-out job still runs'; exit 1; fi ;;
esac"#;

#[test]
fn jobs_inside_a_service_are_docker_execs_with_its_working_dir_user_and_variables() {
    images();
    let project = Project::new();
    // `docker` and `docker-compose` on PATH log every call, so the test can tell how jobs ran.
    for program in ["docker", "docker-compose"] {
        let real = Command::new("sh")
            .args(["-c", &format!("command -v {program}")])
            .output()
            .unwrap();
        let real = String::from_utf8_lossy(&real.stdout).trim().to_string();
        if real.is_empty() {
            continue;
        }
        let wrapper = format!("bin/{program}");
        project.file(
            &wrapper,
            &format!("#!/bin/sh\necho \"$*\" >> \"$PROJECT_ROOT/{program}.log\"\nexec {real} \"$@\"\n"),
        );
        std::fs::set_permissions(
            project.path(&wrapper),
            std::os::unix::fs::PermissionsExt::from_mode(0o755),
        )
        .unwrap();
    }
    project
        .file("docker-compose.yml", &fixture("exec/docker-compose.yml"))
        .file("t/a_hang.sh", "")
        .file("t/b_where.sh", "")
        .file("t/c_check.sh", "")
        .config(&format!(
            "[run]\nworkers = 1\n\n[services.app]\ncompose = [\"docker-compose.yml\"]\nexec = \"app\"\nready-timeout = \"60s\"\n\n[suite.it]\nrunner = \"custom\"\ncommand = [\"sh\", \"-c\", {}, \"sh\", \"{{file}}\"]\nfiles = [\"t/*.sh\"]\nservices = \"app\"\nenv = {{ SUITE_VAR = \"set by the suite\" }}\ntimeout = \"3s\"\ntimeout-grace = \"200ms\"\n",
            toml_string(IN_APP)
        ));
    let path = format!(
        "{}:{}",
        project.path("bin").display(),
        std::env::var("PATH").unwrap_or_default()
    );
    let output = project.command(&["run"]).env("PATH", path).output().unwrap();
    let run = crate::harness::Run {
        code: output.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
    };
    let summary = project.summary();
    let outcome = |file: &str| crate::harness::outcome_of(&summary, file);
    assert_eq!(
        outcome("t/a_hang.sh").as_deref(),
        Some("timed_out"),
        "{}",
        run.describe()
    );
    assert_eq!(
        outcome("t/b_where.sh").as_deref(),
        Some("passed"),
        "the job saw the service's working directory, user and variables\n{}",
        run.describe()
    );
    assert_eq!(
        outcome("t/c_check.sh").as_deref(),
        Some("passed"),
        "the timed-out job was killed inside the container\n{}",
        run.describe()
    );
    // Every job was one `docker exec` on the container; compose (v1, or v2 as `docker compose`)
    // brought the environment up but ran no `exec`.
    let log = |name: &str| std::fs::read_to_string(project.path(name)).unwrap_or_default();
    let docker = log("docker.log");
    let compose: Vec<String> = log("docker-compose.log")
        .lines()
        .chain(docker.lines().filter(|call| call.starts_with("compose ")))
        .map(str::to_string)
        .collect();
    assert!(
        compose.iter().any(|call| call.contains(" up ")),
        "compose brought the environment up: {compose:?}"
    );
    assert!(
        !compose
            .iter()
            .any(|call| call.split_whitespace().any(|word| word == "exec")),
        "no job went through `compose exec`: {compose:?}"
    );
    let jobs = docker
        .lines()
        .filter(|call| call.starts_with("exec -i -e ") && call.contains("FLOTILLA_JOB_TAG="))
        .count();
    assert_eq!(jobs, 3, "each job was one `docker exec`:\n{docker}");
    assert!(leftovers(&run_id_of(&project)).is_empty());
}
