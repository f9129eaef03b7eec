//! Jobs inside a service are `docker exec` on the container readiness saw, not a compose client
//! per job: they must get what `compose exec -T` gives (the service's working directory, user
//! and variables, flotilla's variables, no TTY, stdin at EOF), and a job whose client is killed
//! must still be stopped inside the container. Run once with compose v1 and once with v2.

use std::ffi::OsString;
use std::process::{Command, Stdio};
use std::time::Duration;

use flotilla::envs::{Compose, EnvSet, ExecCommand, KillOutcome};

use crate::harness::{Run, compose_v1, compose_v2, env_config, fixture, test_image, wait_for};

const APP: &str = "compose = [\"docker-compose.yml\"]\nexec = \"app\"\nready-timeout = \"60s\"\n";

/// Prints everything a job inside the service could notice about how it was started.
const REPORT: &str = r#"echo "pwd=$(pwd) user=$(id -u):$(id -g) app=$APP_VAR suite=$SUITE_VAR worker=$FLOTILLA_WORKER project=$COMPOSE_PROJECT_NAME tagged=${FLOTILLA_JOB_TAG:+yes} stdin=$(cat | wc -c) tty=$([ -t 1 ] && echo yes || echo no)""#;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn jobs_exec_by_container_id_with_compose_v1() {
    exec_by_container_id(compose_v1(), "xv1").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn jobs_exec_by_container_id_with_compose_v2() {
    exec_by_container_id(compose_v2(), "xv2").await;
}

async fn exec_by_container_id(compose: Compose, tag: &str) {
    test_image();
    let run = Run::new(tag);
    let set = EnvSet::new(env_config("app", &fixture("exec"), APP), &compose, run.info.clone(), 1).unwrap();
    if let Err(error) = set.up().await {
        set.teardown().await;
        panic!("up failed with compose {}: {error}", compose.version());
    }
    let worker = set.worker(1).unwrap();
    let id = worker.container_ids("app").await.unwrap().remove(0);

    // The job's command line is a docker exec on that container: no compose client in it.
    let job = worker
        .exec_command(&argv(&["sh", "-c", REPORT]), &[("SUITE_VAR".into(), "x y".into())])
        .unwrap();
    assert_eq!(&job.argv[..3], ["docker", "exec", "-i"], "{:?}", job.argv);
    assert!(job.argv.contains(&OsString::from(&id)), "{:?} on {id}", job.argv);
    let expected = format!(
        "pwd=/srv/app user=1234:5678 app=from-compose suite=x y worker=1 project={} tagged=yes stdin=0 tty=no",
        worker.project()
    );
    assert_eq!(output(&job.argv, &job.env), expected);

    // Exactly what compose's own `exec -T` gives with the same variables (the path it replaced).
    let mut by_compose: Vec<OsString> = compose.program().to_vec();
    by_compose.extend(argv(&[
        "--ansi",
        "never",
        "-p",
        worker.project(),
        "-f",
        worker.compose_file().as_str(),
    ]));
    by_compose.extend(argv(&["exec", "-T"]));
    by_compose.extend(variables(&job).into_iter().flat_map(|kv| [OsString::from("-e"), kv]));
    by_compose.extend(argv(&["app", "sh", "-c", REPORT]));
    assert_eq!(output(&by_compose, &job.env), expected, "compose exec agrees");

    // A timed-out job: its client is killed, the work inside goes on until kill_job finds it by
    // its tag (here as the service's unprivileged user, the one the job ran as).
    let long = worker.exec_command(&argv(&["sleep", "300"]), &[]).unwrap();
    assert!(long.argv.contains(&OsString::from(&id)), "{:?}", long.argv);
    let mut client = Command::new(&long.argv[0])
        .args(&long.argv[1..])
        .envs(long.env.iter().map(|(k, v)| (k, v)))
        .stdin(Stdio::null())
        .spawn()
        .unwrap();
    let sleeping = || {
        let out = Command::new("docker")
            .args(["exec", &id, "ps", "-o", "args"])
            .output()
            .unwrap();
        String::from_utf8_lossy(&out.stdout).contains("sleep 300")
    };
    wait_for("the job to start in the container", Duration::from_secs(30), sleeping);
    client.kill().unwrap();
    client.wait().unwrap();
    assert!(sleeping(), "killing the client does not stop the work inside");
    let outcome = worker.kill_job(&long.tag).await.unwrap();
    assert!(matches!(outcome, KillOutcome::Killed(n) if n >= 1), "{outcome:?}");
    wait_for("the job's processes to die", Duration::from_secs(10), || !sleeping());

    let report = set.teardown().await;
    assert!(report.is_clean(), "{report:?}");
    assert_eq!(run.leftovers(), Vec::<String>::new());
}

/// The `K=V` values a job's `docker exec` sets inside.
fn variables(job: &ExecCommand) -> Vec<OsString> {
    job.argv
        .windows(2)
        .filter(|pair| pair[0] == "-e")
        .map(|pair| pair[1].clone())
        .collect()
}

/// Runs a client with stdin at /dev/null (as the run loop does); its trimmed stdout.
fn output(argv: &[OsString], env: &[(String, String)]) -> String {
    let out = Command::new(&argv[0])
        .args(&argv[1..])
        .envs(env.iter().map(|(k, v)| (k, v)))
        .stdin(Stdio::null())
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{argv:?} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).trim().to_string()
}

fn argv(words: &[&str]) -> Vec<OsString> {
    words.iter().map(OsString::from).collect()
}
