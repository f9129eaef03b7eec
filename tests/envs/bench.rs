//! The measured side of bench/compose.sh (ignored in normal runs): N copies of the `bench`
//! environment brought up and torn down concurrently through `EnvSet`, timed end to end.
//! Prints one line per repetition: `flotilla <mode> <seconds>`.

use std::time::Instant;

use flotilla::envs::EnvSet;

use crate::harness::{Run, compose_v1, compose_v2, env_config, fixture, test_image};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "benchmark: run by bench/compose.sh"]
async fn bench_up_and_down() {
    test_image();
    let copies: usize = std::env::var("COPIES").ok().and_then(|c| c.parse().ok()).unwrap_or(4);
    let reps: usize = std::env::var("REPS").ok().and_then(|c| c.parse().ok()).unwrap_or(3);
    let compose = match std::env::var("COMPOSE").as_deref() {
        Ok("v2") => compose_v2(),
        _ => compose_v1(),
    };
    let modes = [
        ("plain", "compose = [\"docker-compose.yml\"]\nhealth = \"ignore\"\n"),
        (
            "ready",
            "compose = [\"docker-compose.yml\"]\nready = [{ tcp = \"db:5432\" }, { http = \"web:8080/\", status = 404 }]\n",
        ),
    ];
    for (mode, body) in modes {
        for _ in 0..reps {
            let run = Run::new("bench");
            let set = EnvSet::new(
                env_config("bench", &fixture("bench"), body),
                &compose,
                run.info.clone(),
                copies,
            )
            .unwrap();
            let started = Instant::now();
            let up = set.up().await;
            let up_duration = started.elapsed();
            let report = set.teardown().await;
            let seconds = started.elapsed().as_secs_f64();
            up.unwrap();
            assert!(report.is_clean() && run.leftovers().is_empty(), "{report:?}");
            println!("flotilla {mode} {seconds:.3}");
            eprintln!(
                "  up {:?} teardown {:?} swept {:?}",
                up_duration, report.duration, report.swept
            );
        }
    }
}
