//! Three workers, each with its own copy of `web` (busybox httpd) and `db` (a TCP server),
//! reachable only through that worker's variables; jobs inside a service; killing a job's
//! processes inside the container; diagnostics; teardown during a job; nothing left behind.
//! Run once with compose v1 and once with compose v2.

use std::ffi::OsString;
use std::time::Duration;

use flotilla::envs::{Compose, EnvSet, KillOutcome};

use crate::harness::{
    Run, compose_v1, compose_v2, env_config, fixture, http_get, tcp_read, test_image, vars, wait_for,
};

const APP: &str = r#"
compose = ["docker-compose.yml", "docker-compose.ci.yml"]
ready = [
  { tcp = "db:5432" },
  { http = "web:8080/health" },
  { log = "db", contains = "db ready" },
  { exec = "web", run = ["test", "-f", "/www/health"] },
]
ready-timeout = "90s"
exec = "web"
"#;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn three_isolated_workers_with_compose_v1() {
    three_isolated_workers(compose_v1(), "lv1").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn three_isolated_workers_with_compose_v2() {
    three_isolated_workers(compose_v2(), "lv2").await;
}

async fn three_isolated_workers(compose: Compose, tag: &str) {
    test_image();
    let run = Run::new(tag);
    let config = env_config("app", &fixture("app"), APP);
    let set = EnvSet::new(config, &compose, run.info.clone(), 3).unwrap();
    if let Err(error) = set.up().await {
        set.teardown().await;
        panic!("up failed with compose {}: {error}", compose.version());
    }

    // Each worker reaches its own copy, through its own variables only.
    let mut addresses = Vec::new();
    for worker in set.workers() {
        let w = worker.worker();
        let v = vars(&worker.job_env());
        assert_eq!(v["FLOTILLA_WORKER"], w.to_string());
        assert_eq!(v["CI_COMMAND_NUMBER"], w.to_string());
        assert_eq!(v["PROJECT_NAME"], worker.project());
        assert_eq!(v["COMPOSE_PROJECT_NAME"], worker.project());
        assert_eq!(worker.project(), format!("app-{}-{w}", run.id()));
        let web = &v["FLOTILLA_WEB_8080"];
        let db = &v["FLOTILLA_DB_5432"];
        assert!(web.starts_with("127.0.0.1:") && db.starts_with("127.0.0.1:"), "{v:?}");
        assert_eq!(http_get(web, "/").trim(), format!("web-{w}"));
        assert_eq!(tcp_read(db).trim(), format!("db-{w}"));
        addresses.push(web.clone());
        addresses.push(db.clone());
    }
    let mut unique = addresses.clone();
    unique.sort();
    unique.dedup();
    assert_eq!(unique.len(), addresses.len(), "ports are per worker: {addresses:?}");

    // Published on loopback only; fixed host ports and container_name are gone.
    let ports = std::process::Command::new("docker")
        .args([
            "ps",
            "--filter",
            &format!("label=flotilla.run-id={}", run.id()),
            "--format",
            "{{.Names}} {{.Ports}}",
        ])
        .output()
        .unwrap();
    let ports = String::from_utf8_lossy(&ports.stdout).to_string();
    assert_eq!(ports.lines().count(), 6, "{ports}");
    assert!(
        !ports.contains("0.0.0.0") && !ports.contains(":8080->") && !ports.contains(":5432->"),
        "{ports}"
    );
    let resolved = std::fs::read_to_string(set.worker(1).unwrap().compose_file()).unwrap();
    assert!(
        !resolved.contains("container_name") && resolved.contains("flotilla.owner-pid"),
        "{resolved}"
    );

    // A job inside `web` writes its result into the run folder (bind-mounted at the same path).
    let worker2 = set.worker(2).unwrap();
    let result = run.dir().join("results/w2.txt");
    std::fs::create_dir_all(run.dir().join("results")).unwrap();
    let script = format!("echo \"$FLOTILLA_WORKER $SUITE_VAR $(cat /www/index.html)\" > {result}");
    let cmd = worker2
        .exec_command(&argv(&["sh", "-c", &script]), &[("SUITE_VAR".into(), "x".into())])
        .unwrap();
    let status = std::process::Command::new(&cmd.argv[0])
        .args(&cmd.argv[1..])
        .envs(cmd.env.iter().map(|(k, v)| (k, v)))
        .status()
        .unwrap();
    assert!(status.success());
    assert_eq!(std::fs::read_to_string(&result).unwrap().trim(), "2 x web-2");

    // A job that times out: killing the exec client leaves its processes running in the
    // container; kill_job finds them by their tag.
    let long = worker2.exec_command(&argv(&["sleep", "300"]), &[]).unwrap();
    let mut client = std::process::Command::new(&long.argv[0])
        .args(&long.argv[1..])
        .envs(long.env.iter().map(|(k, v)| (k, v)))
        .stdin(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let web2 = worker2.container_ids("web").await.unwrap().remove(0);
    let sleeping = |id: &str| {
        let out = std::process::Command::new("docker")
            .args(["exec", id, "ps", "-o", "args"])
            .output()
            .unwrap();
        String::from_utf8_lossy(&out.stdout).contains("sleep 300")
    };
    wait_for("the job to start in the container", Duration::from_secs(30), || {
        sleeping(&web2)
    });
    client.kill().unwrap();
    client.wait().unwrap();
    assert!(
        sleeping(&web2),
        "killing the client does not stop the work inside (the trap)"
    );
    let outcome = worker2.kill_job(&long.tag).await.unwrap();
    assert!(matches!(outcome, KillOutcome::Killed(n) if n >= 1), "{outcome:?}");
    wait_for("the job's processes to die", Duration::from_secs(10), || {
        !sleeping(&web2)
    });

    // Diagnostics on demand (as after a failed job).
    let diagnostics = set
        .worker(1)
        .unwrap()
        .collect_diagnostics("job 7 failed")
        .await
        .unwrap();
    assert!(diagnostics.dir.starts_with(run.dir()));
    let logs = std::fs::read_to_string(diagnostics.dir.join("logs.txt")).unwrap();
    assert!(logs.contains("db ready"), "{logs}");
    let ps = std::fs::read_to_string(diagnostics.dir.join("ps.txt")).unwrap();
    assert!(ps.contains("web"), "{ps}");
    assert!(diagnostics.summary.lines().count() == 2, "{}", diagnostics.summary);

    // Teardown while a job is still running: the job's client ends and nothing remains.
    let busy = set
        .worker(3)
        .unwrap()
        .exec_command(&argv(&["sleep", "300"]), &[])
        .unwrap();
    let mut busy_client = std::process::Command::new(&busy.argv[0])
        .args(&busy.argv[1..])
        .envs(busy.env.iter().map(|(k, v)| (k, v)))
        .stdin(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let report = set.teardown().await;
    assert!(report.is_clean(), "{report:?}");
    for worker in &report.workers {
        assert!(worker.down_error.is_none(), "{report:?}");
    }
    wait_for("the running job's client to end", Duration::from_secs(30), || {
        busy_client.try_wait().unwrap().is_some()
    });
    assert_eq!(run.leftovers(), Vec::<String>::new());
    // Idempotent.
    let again = set.teardown().await;
    assert!(again.is_clean() && again.swept.is_empty(), "{again:?}");
}

fn argv(words: &[&str]) -> Vec<OsString> {
    words.iter().map(OsString::from).collect()
}
