//! `workers = "auto"` that measures: with no history it is the CPU count; after a run of a
//! suite that sleeps, `flotilla plan`, `run --explain` and the next run use more workers than
//! there are cores, and say why.

use crate::harness::Project;

const CONFIG: &str = r#"
[run]
workers = "auto"

[suite.sleepy]
runner = "custom"
command = ["sh", "{file}"]
files = ["t/*.sh"]
"#;

fn cores() -> usize {
    std::thread::available_parallelism().map_or(1, std::num::NonZero::get)
}

/// The worker count in the plan's `workers: auto: N workers…` line.
fn planned_workers(stdout: &str) -> usize {
    let line = stdout
        .lines()
        .find(|l| l.starts_with("workers: auto: "))
        .unwrap_or_else(|| panic!("no auto line in:\n{stdout}"));
    line["workers: auto: ".len()..]
        .split_whitespace()
        .next()
        .unwrap()
        .parse()
        .unwrap()
}

#[test]
fn a_sleeping_suite_gets_more_workers_than_cores_once_measured() {
    let project = Project::new();
    project.config(CONFIG);
    for name in ["a", "b", "c", "d", "e", "f"] {
        project.file(&format!("t/{name}.sh"), "sleep 0.3\n");
    }
    let first = project.run(&["plan"]);
    assert_eq!(first.code, 0, "{}", first.describe());
    assert_eq!(planned_workers(&first.stdout), cores(), "{}", first.describe());
    assert!(
        first.stdout.contains("no CPU time measured yet"),
        "{}",
        first.describe()
    );

    let run = project.run(&["run"]);
    assert_eq!(run.code, 0, "{}", run.describe());
    let summary = project.summary();
    assert_eq!(summary["workers"], cores(), "{summary:#}");
    for job in summary["jobs"].as_array().unwrap() {
        let cpu = job["cpu_secs"]
            .as_f64()
            .unwrap_or_else(|| panic!("cpu_secs measured: {job:#}"));
        let wall = job["duration_secs"].as_f64().unwrap();
        assert!(
            cpu >= 0.0 && cpu < wall,
            "a sleeping job spends less CPU than wall time: {job:#}"
        );
        let peak = job["max_rss_bytes"]
            .as_u64()
            .unwrap_or_else(|| panic!("max_rss_bytes measured: {job:#}"));
        assert!(
            peak > 100 * 1024 && peak < 64 * 1024 * 1024,
            "a shell and a sleep peak at a few MiB: {job:#}"
        );
    }

    let events = std::fs::read_to_string(project.latest("events.jsonl")).unwrap();
    let finished: Vec<serde_json::Value> = events
        .lines()
        .map(|line| serde_json::from_str::<serde_json::Value>(line).unwrap())
        .filter(|event| event["event"] == "job_finished")
        .collect();
    assert!(!finished.is_empty(), "{events}");
    for event in &finished {
        assert!(
            event["cpu_secs"].is_f64() && event["max_rss_bytes"].is_u64(),
            "job_finished carries what was measured: {event}"
        );
    }

    let second = project.run(&["plan"]);
    assert_eq!(second.code, 0, "{}", second.describe());
    let workers = planned_workers(&second.stdout);
    assert!(workers > cores(), "{}", second.describe());
    assert!(
        second.stdout.contains("suite sleepy spent") && second.stdout.contains("of its wall time on CPU"),
        "{}",
        second.describe()
    );
    assert!(
        second.stdout.contains(&format!("on {workers} workers")),
        "{}",
        second.describe()
    );

    let explain = project.run(&["run", "--explain"]);
    assert_eq!(explain.code, 0, "{}", explain.describe());
    assert!(
        explain
            .stdout
            .contains(&format!("auto: {workers} workers: suite sleepy spent")),
        "{}",
        explain.describe()
    );

    let again = project.run(&["run"]);
    assert_eq!(again.code, 0, "{}", again.describe());
    assert_eq!(project.summary()["workers"], workers, "the run uses what the plan said");
}

#[test]
fn a_fixed_worker_count_is_left_alone() {
    let project = Project::new();
    project.config(&CONFIG.replace("\"auto\"", "1"));
    project.file("t/a.sh", "sleep 0.1\n");
    assert_eq!(project.run(&["run"]).code, 0);
    let plan = project.run(&["plan"]);
    assert!(!plan.stdout.contains("auto:"), "{}", plan.describe());
    assert!(plan.stdout.contains("on 1 workers"), "{}", plan.describe());
}

/// A memory cgroup of its own for a process the test starts, removed when dropped (by its path,
/// once the process in it has exited). cgroup v1's memory hierarchy, else cgroup v2's.
struct MemoryCgroup {
    dir: std::path::PathBuf,
}

impl MemoryCgroup {
    fn with_limit(bytes: u64) -> Self {
        let name = format!("flotilla-test-{}", std::process::id());
        let v1 = std::path::Path::new("/sys/fs/cgroup/memory");
        let (dir, limit) = if v1.join("memory.limit_in_bytes").is_file() {
            (v1.join(&name), "memory.limit_in_bytes")
        } else {
            (std::path::Path::new("/sys/fs/cgroup").join(&name), "memory.max")
        };
        std::fs::create_dir(&dir)
            .unwrap_or_else(|e| panic!("this test needs a memory cgroup (root): {}: {e}", dir.display()));
        let cgroup = Self { dir };
        std::fs::write(cgroup.dir.join(limit), bytes.to_string()).unwrap();
        cgroup
    }

    /// `command` starts inside this cgroup (its pid is written there before it runs).
    fn enter(&self, command: &mut std::process::Command) {
        use std::os::unix::process::CommandExt;
        let procs =
            std::ffi::CString::new(self.dir.join("cgroup.procs").into_os_string().into_encoded_bytes()).unwrap();
        // SAFETY: between fork and exec only async-signal-safe calls: open, write, close.
        unsafe {
            command.pre_exec(move || {
                let fd = libc::open(procs.as_ptr(), libc::O_WRONLY);
                if fd < 0 {
                    return Err(std::io::Error::last_os_error());
                }
                // "0" is the writing process itself.
                let written = libc::write(fd, b"0".as_ptr().cast(), 1);
                libc::close(fd);
                if written == 1 {
                    Ok(())
                } else {
                    Err(std::io::Error::last_os_error())
                }
            });
        }
    }
}

impl Drop for MemoryCgroup {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir(&self.dir);
    }
}

#[test]
fn a_memory_limit_caps_auto_below_what_the_cpu_share_allows() {
    crate::harness::require_runner(&["python3", "--version"]);
    // One waiting job (2 s asleep) that holds 200 MiB: by CPU share alone it would get 4
    // workers per core; under a 1 GiB limit only 3 fit in 80% of it.
    let project = Project::new();
    project.config(CONFIG);
    project.file(
        "t/big.sh",
        "python3 -c 'import time; b = bytearray(200 * 1024 * 1024); time.sleep(2)'\n",
    );
    let run = project.run(&["run"]);
    assert_eq!(run.code, 0, "{}", run.describe());
    let job = &project.summary()["jobs"][0];
    let peak = job["max_rss_bytes"].as_u64().unwrap_or_else(|| panic!("{job:#}"));
    assert!(peak >= 200 * 1024 * 1024, "the job's peak holds its bytearray: {job:#}");

    let free = project.run(&["plan"]);
    assert_eq!(
        planned_workers(&free.stdout),
        4 * cores(),
        "no limit: the CPU share alone\n{}",
        free.describe()
    );
    let cgroup = MemoryCgroup::with_limit(1024 * 1024 * 1024);
    let mut plan = project.command(&["plan"]);
    cgroup.enter(&mut plan);
    let plan = crate::harness::Run::from_output(plan.output().unwrap());
    assert_eq!(plan.code, 0, "{}", plan.describe());
    let workers = planned_workers(&plan.stdout);
    assert!(
        (1..=3).contains(&workers),
        "the cgroup's limit, not the CPU share, sets the count: {}",
        plan.describe()
    );
    assert!(
        plan.stdout.contains("memory: ") && plan.stdout.contains("fit in 80% of it; by CPU alone"),
        "{}",
        plan.describe()
    );
}
