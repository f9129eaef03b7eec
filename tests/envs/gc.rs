//! `gc` after a flotilla process is SIGKILLed: a child process (this test binary, re-run on an
//! ignored helper test) brings an environment up and is killed; `gc` keeps the environment while
//! its owner lives and removes it, with its network and volume, once the owner is gone.

use std::time::Duration;

use flotilla::envs::{Docker, DockerHost, EnvSet, Owner, RunInfo, gc};

use crate::harness::{Run, compose_v1, env_config, fixture, test_image, wait_for};

const CHILD_DIR: &str = "FLOTILLA_GC_CHILD_DIR";
const CHILD_RUN: &str = "FLOTILLA_GC_CHILD_RUN";

/// The owner process: brings one environment up, says so, and waits to be killed.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "helper: run by gc_removes_the_environments_of_a_sigkilled_owner"]
async fn owner_child() {
    let (Ok(dir), Ok(run_id)) = (std::env::var(CHILD_DIR), std::env::var(CHILD_RUN)) else {
        return;
    };
    let run = RunInfo {
        run_id,
        run_dir: dir.clone().into(),
        owner: Owner::current(),
    };
    let config = env_config(
        "app",
        &fixture("app"),
        "compose = [\"docker-compose.yml\"]\nready = [{ tcp = \"db:5432\" }]\n",
    );
    let set = EnvSet::new(config, &compose_v1(), run, 1).unwrap();
    set.up().await.unwrap();
    std::fs::write(format!("{dir}/ready"), set.worker(1).unwrap().project()).unwrap();
    tokio::time::sleep(Duration::from_secs(600)).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn gc_removes_the_environments_of_a_sigkilled_owner() {
    test_image();
    let run = Run::new("gc");
    let mut child = std::process::Command::new(std::env::current_exe().unwrap())
        .args(["gc::owner_child", "--exact", "--ignored", "--nocapture"])
        .env(CHILD_DIR, run.dir())
        .env(CHILD_RUN, run.id())
        .stdout(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let ready = run.dir().join("ready");
    wait_for("the child's environment", Duration::from_secs(120), || {
        ready.exists() || child.try_wait().unwrap().is_some()
    });
    let project = std::fs::read_to_string(&ready).expect("the child brought its environment up");
    let docker = Docker::new("docker", DockerHost::Default);

    let report = gc(&docker).await.unwrap();
    assert!(
        report.alive.contains(&project),
        "a live owner's environment is kept: {report:?}"
    );
    assert!(!run.leftovers().is_empty());

    child.kill().unwrap(); // SIGKILL: no teardown runs in the child
    child.wait().unwrap();
    let before: Vec<String> = run.leftovers();
    assert!(before.iter().any(|r| r.starts_with("network:")), "{before:?}");
    assert!(before.iter().any(|r| r.starts_with("volume:")), "{before:?}");

    let report = gc(&docker).await.unwrap();
    // Another test's EnvSet::up may have collected it first (every up runs gc); either way it is gone.
    let leftovers = run.leftovers();
    assert!(
        report.removed.contains(&project) || !report.alive.contains(&project),
        "{report:?}"
    );
    assert_eq!(leftovers, Vec::<String>::new(), "{report:?}");
}
