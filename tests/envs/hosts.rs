//! Workers spread over two Docker daemons (the second one started by scripts/second-dockerd.sh):
//! the image is built on each host, each worker's containers live on its own host, its ports are
//! published on that host's address, a job `exec`ed into a service reaches the container on its
//! worker's host, and teardown cleans both.

use flotilla::envs::{DockerHost, EnvSet};

use crate::harness::{Run, SECOND_HOST, compose_v1, env_config, fixture, second_daemon, tcp_read, test_image, vars};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn workers_are_placed_round_robin_across_two_daemons() {
    test_image();
    let Some(daemon) = second_daemon() else {
        eprintln!("SKIPPED: no second Docker daemon could be started here");
        return;
    };
    let second = daemon.host.clone();
    assert_eq!(second, SECOND_HOST);
    let run = Run::new("mh");
    let config = env_config(
        "built",
        &fixture("built"),
        &format!(
            r#"
compose = ["docker-compose.yml"]
docker-hosts = ["default", {{ host = "{second}", address = "127.0.0.2" }}]
build = {{ tag = "flotilla-test/fixture-built", builder = "classic", retries = 1 }}
ready = [{{ tcp = "app:7000" }}]
ready-timeout = "60s"
"#
        ),
    );
    let set = EnvSet::new(config, &compose_v1(), run.info.clone(), 3).unwrap();
    let summary = match set.up().await {
        Ok(summary) => summary,
        Err(error) => {
            set.teardown().await;
            panic!("{error}");
        }
    };
    assert_eq!(summary.built.len(), 2, "built once per host: {summary:?}");
    let hosts: Vec<DockerHost> = set.workers().iter().map(|w| w.host().clone()).collect();
    assert_eq!(
        hosts,
        [
            DockerHost::Default,
            DockerHost::Url(second.clone()),
            DockerHost::Default
        ]
    );
    for worker in set.workers() {
        let v = vars(&worker.job_env());
        let addr = &v["FLOTILLA_APP_7000"];
        let expected_ip = if worker.worker() == 2 {
            "127.0.0.2:"
        } else {
            "127.0.0.1:"
        };
        assert!(addr.starts_with(expected_ip), "{addr}");
        assert_eq!(tcp_read(addr).trim(), "built by flotilla");
        assert_eq!(
            v.get("DOCKER_HOST").map(String::as_str),
            (worker.worker() == 2).then_some(second.as_str())
        );
        assert_eq!(v["FLOTILLA_IMAGE"], format!("flotilla-test/fixture-built:{}", run.id()));
        // A job inside `app` is a `docker exec` by id on the worker's own daemon: its client
        // carries that DOCKER_HOST (the id is unknown to the other daemon).
        let id = worker.container_ids("app").await.unwrap().remove(0);
        let job = worker.exec_command_in("app", &["hostname".into()], &[]).unwrap();
        assert_eq!(&job.argv[..2], ["docker", "exec"], "{:?}", job.argv);
        let out = std::process::Command::new(&job.argv[0])
            .args(&job.argv[1..])
            .envs(job.env.iter().map(|(k, v)| (k, v)))
            .stdin(std::process::Stdio::null())
            .output()
            .unwrap();
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        assert_eq!(
            String::from_utf8_lossy(&out.stdout).trim(),
            &id[..12],
            "worker {}",
            worker.worker()
        );
    }
    let on_first = run.leftovers_on(None);
    let on_second = run.leftovers_on(Some(&second));
    assert_eq!(
        on_first.iter().filter(|r| r.starts_with("container:")).count(),
        2,
        "{on_first:?}"
    );
    assert_eq!(
        on_second.iter().filter(|r| r.starts_with("container:")).count(),
        1,
        "{on_second:?}"
    );

    let report = set.teardown().await;
    assert!(report.is_clean(), "{report:?}");
    assert_eq!(report.images_removed.len(), 2, "{report:?}");
    assert_eq!(run.leftovers_on(None), Vec::<String>::new());
    assert_eq!(run.leftovers_on(Some(&second)), Vec::<String>::new());
}
