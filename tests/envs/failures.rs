//! When a copy never becomes ready, or a service crashes, `up` fails with an error that names the
//! service, the probe and what it saw last, after writing diagnostics; teardown still cleans up.

use flotilla::envs::{EnvError, EnvSet, NotReady, ServiceDown};

use crate::harness::{Run, compose_v1, env_config, fixture, test_image};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_probe_that_never_passes_names_service_probe_and_last_output() {
    test_image();
    let run = Run::new("nr");
    let config = env_config(
        "app",
        &fixture("app"),
        r#"
compose = ["docker-compose.yml"]
ready = [{ tcp = "db:5432" }, { http = "web:8080/missing" }]
ready-timeout = "4s"
"#,
    );
    let set = EnvSet::new(config, &compose_v1(), run.info.clone(), 1).unwrap();
    let error = set.up().await.expect_err("the probe cannot pass");
    let message = error.to_string();
    match &error {
        EnvError::NotReady(details) => {
            let NotReady {
                service,
                probe,
                last_output,
                diagnostics,
                ..
            } = details.as_ref();
            assert_eq!(service, "web");
            assert_eq!(probe, "{ http = \"web:8080/missing\" }");
            assert!(last_output.contains("404"), "{last_output}");
            let dir = diagnostics.as_ref().expect("diagnostics were written");
            assert!(message.contains(dir.as_str()), "{message}");
            for file in ["reason.txt", "ps.txt", "logs.txt", "containers.txt"] {
                assert!(dir.join(file).exists(), "{file} missing in {dir}");
            }
            let logs = std::fs::read_to_string(dir.join("logs.txt")).unwrap();
            assert!(logs.contains("db ready"), "{logs}");
            let reason = std::fs::read_to_string(dir.join("reason.txt")).unwrap();
            assert!(reason.contains("404"), "{reason}");
        }
        other => panic!("expected NotReady, got {other:?}"),
    }
    assert!(
        message.contains("service `web`") && message.contains("404"),
        "{message}"
    );
    let report = set.teardown().await;
    assert!(report.is_clean(), "{report:?}");
    assert_eq!(run.leftovers(), Vec::<String>::new());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_unhealthy_container_fails_at_once_with_its_healthcheck_output() {
    test_image();
    let run = Run::new("uh");
    // The deadline is far away: only the early failure on `unhealthy` ends `up` as ServiceDown.
    let config = env_config(
        "sick",
        &fixture("unhealthy"),
        "compose = [\"docker-compose.yml\"]\nready-timeout = \"90s\"\n",
    );
    let set = EnvSet::new(config, &compose_v1(), run.info.clone(), 1).unwrap();
    let error = set.up().await.expect_err("the healthcheck cannot pass");
    let message = error.to_string();
    match &error {
        EnvError::ServiceDown(details) => {
            let ServiceDown {
                service,
                state,
                last_logs,
                diagnostics,
                ..
            } = details.as_ref();
            assert_eq!(service, "db");
            assert!(state.contains("unhealthy"), "{state}");
            assert!(state.contains("cannot reach the disk"), "{state}");
            assert!(last_logs.contains("db booting"), "{last_logs}");
            let dir = diagnostics.as_ref().expect("diagnostics were written");
            assert!(message.contains(dir.as_str()), "{message}");
        }
        other => panic!("expected ServiceDown (unhealthy), got {other:?}"),
    }
    let report = set.teardown().await;
    assert!(report.is_clean(), "{report:?}");
    assert_eq!(run.leftovers(), Vec::<String>::new());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_crashed_service_fails_fast_with_its_logs_and_inspect() {
    test_image();
    let run = Run::new("cr");
    let config = env_config(
        "crash",
        &fixture("crash"),
        "compose = [\"docker-compose.yml\"]\nready-timeout = \"60s\"\n",
    );
    let set = EnvSet::new(config, &compose_v1(), run.info.clone(), 1).unwrap();
    let started = std::time::Instant::now();
    let error = set.up().await.expect_err("db exits 3");
    assert!(
        started.elapsed() < std::time::Duration::from_secs(45),
        "did not wait for the deadline"
    );
    match &error {
        EnvError::ServiceDown(details) => {
            let ServiceDown {
                service,
                state,
                last_logs,
                diagnostics,
                ..
            } = details.as_ref();
            assert_eq!(service, "db");
            assert_eq!(state, "exited with code 3");
            assert!(last_logs.contains("fatal: config missing"), "{last_logs}");
            let dir = diagnostics.as_ref().expect("diagnostics were written");
            let inspected: Vec<String> = std::fs::read_dir(dir)
                .unwrap()
                .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
                .filter(|n| n.starts_with("inspect-"))
                .collect();
            assert_eq!(inspected.len(), 1, "only the stopped container: {inspected:?}");
            assert!(inspected[0].contains("db"), "{inspected:?}");
            let containers = std::fs::read_to_string(dir.join("containers.txt")).unwrap();
            assert!(containers.contains("exited with code 3"), "{containers}");
        }
        other => panic!("expected ServiceDown, got {other:?}"),
    }
    let report = set.teardown().await;
    assert!(report.is_clean(), "{report:?}");
    assert_eq!(run.leftovers(), Vec::<String>::new());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_probe_or_exec_naming_an_unknown_service_fails_before_anything_starts() {
    let run = Run::new("us");
    for body in [
        "compose = [\"docker-compose.yml\"]\nready = [{ log = \"cache\", contains = \"ready\" }]\n",
        "compose = [\"docker-compose.yml\"]\nexec = \"cache\"\n",
    ] {
        let config = env_config("app", &fixture("app"), body);
        let set = EnvSet::new(config, &compose_v1(), run.info.clone(), 2).unwrap();
        let error = set.up().await.expect_err("no service `cache`");
        let message = error.to_string();
        assert!(
            matches!(error, EnvError::ComposeFile { .. }) && message.contains("cache") && message.contains("db, web"),
            "{message}"
        );
        assert_eq!(run.leftovers(), Vec::<String>::new(), "nothing was started");
        assert!(set.teardown().await.is_clean());
    }
}
