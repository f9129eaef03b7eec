//! Teardown at awkward moments, at the library level (the CLI's signal handling calls the same
//! `EnvSet::teardown`): while `up` is still running (compose blocked on a dependency that never
//! becomes healthy), concurrently from two tasks, and before `up` ever ran.

use std::sync::Arc;
use std::time::Duration;

use flotilla::envs::{EnvError, EnvSet};

use crate::harness::{Run, compose_v1, compose_v2, env_config, fixture, test_image, wait_for};

async fn teardown_while_up_runs(compose: flotilla::envs::Compose, tag: &str) {
    test_image();
    let run = Run::new(tag);
    let config = env_config(
        "slow",
        &fixture("slow"),
        "compose = [\"docker-compose.yml\"]\nready-timeout = \"5m\"\nup-timeout = \"5m\"\n",
    );
    let set = Arc::new(EnvSet::new(config, &compose, run.info.clone(), 2).unwrap());
    let up = tokio::spawn({
        let set = Arc::clone(&set);
        async move { set.up().await }
    });
    // `up` is inside compose now: the `gate` containers exist but compose waits for their health.
    let label = format!("flotilla.run-id={}", run.id());
    wait_for("the gate containers to exist", Duration::from_secs(60), || {
        crate::harness::leftovers(&label, None)
            .iter()
            .filter(|r| r.starts_with("container:") && r.contains("gate"))
            .count()
            == 2
    });
    assert!(!up.is_finished(), "up must still be running");
    let (first, second) = tokio::join!(set.teardown(), set.teardown());
    assert!(first.is_clean() && second.is_clean(), "{first:?} {second:?}");
    let result = tokio::time::timeout(Duration::from_secs(30), up)
        .await
        .expect("up returns")
        .unwrap();
    assert!(matches!(result, Err(EnvError::Cancelled { .. })), "{result:?}");
    assert_eq!(run.leftovers(), Vec::<String>::new());
    // Nothing of the projects remains either, labelled or not.
    for worker in set.workers() {
        let project = format!("com.docker.compose.project={}", worker.project());
        assert_eq!(crate::harness::leftovers(&project, None), Vec::<String>::new());
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn teardown_during_up_cancels_it_and_leaves_nothing_v1() {
    teardown_while_up_runs(compose_v1(), "iu1").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn teardown_during_up_cancels_it_and_leaves_nothing_v2() {
    teardown_while_up_runs(compose_v2(), "iu2").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn teardown_before_up_is_harmless_and_up_after_it_refuses() {
    let run = Run::new("tb");
    let config = env_config("app", &fixture("app"), "compose = [\"docker-compose.yml\"]\n");
    let set = EnvSet::new(config, &compose_v1(), run.info.clone(), 2).unwrap();
    let report = set.teardown().await;
    assert!(report.is_clean(), "{report:?}");
    let error = set.up().await.expect_err("a torn-down set does not come back");
    assert!(matches!(error, EnvError::Cancelled { .. }), "{error:?}");
    assert_eq!(run.leftovers(), Vec::<String>::new());
}
