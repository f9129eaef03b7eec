//! Image builds retry transient failures with backoff and stop at once on a broken Dockerfile.
//! A wrapper in front of the real docker CLI makes the first build fail like a network hiccup.

use std::os::unix::fs::PermissionsExt;
use std::time::Duration;

use camino::Utf8PathBuf;
use flotilla::envs::{Builder, Docker, DockerHost, EnvError, ImageBuild, build_image};

use crate::harness::{Run, test_image};

fn build(context: Utf8PathBuf) -> ImageBuild {
    ImageBuild {
        context,
        dockerfile: None,
        repository: "flotilla-test/built".into(),
        variable: "FLOTILLA_IMAGE".into(),
        retries: 2,
        backoff: Duration::from_millis(50),
        timeout: Duration::from_secs(120),
        args: vec![("GREETING".into(), "hi".into())],
        builder: Builder::Classic,
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_transient_failure_is_retried_and_a_broken_dockerfile_is_not() {
    test_image();
    let run = Run::new("img");
    let dir = run.dir();
    let context = dir.join("context");
    std::fs::create_dir_all(&context).unwrap();
    std::fs::write(
        context.join("Dockerfile"),
        "FROM flotilla-test/busybox:1\nARG GREETING\nRUN echo \"$GREETING\" > /greeting\n",
    )
    .unwrap();
    let wrapper = dir.join("flaky-docker");
    std::fs::write(
        &wrapper,
        format!(
            "#!/bin/sh\nif [ \"$1\" = build ] && [ ! -e '{dir}/failed-once' ]; then\n  touch '{dir}/failed-once'\n  echo 'error during connect: net/http: TLS handshake timeout' >&2\n  exit 1\nfi\nexec docker \"$@\"\n"
        ),
    )
    .unwrap();
    std::fs::set_permissions(&wrapper, std::fs::Permissions::from_mode(0o755)).unwrap();
    let docker = Docker::new(wrapper.as_str(), DockerHost::Default);
    let tag = format!("flotilla-test/built:{}", run.id());

    let built = build_image(&docker, &build(context.clone()), &tag).await.unwrap();
    assert_eq!(built.attempts, 2);
    let greeting = std::process::Command::new("docker")
        .args(["run", "--rm", &tag, "cat", "/greeting"])
        .output()
        .unwrap();
    assert_eq!(String::from_utf8_lossy(&greeting.stdout).trim(), "hi");
    let _ = std::process::Command::new("docker")
        .args(["image", "rm", &tag])
        .output();

    std::fs::write(context.join("Dockerfile"), "FRM flotilla-test/busybox:1\n").unwrap();
    let error = build_image(&docker, &build(context), &tag).await.unwrap_err();
    match error {
        EnvError::Build {
            attempts, permanent, ..
        } => assert_eq!((attempts, permanent), (1, true)),
        other => panic!("expected a build error, got {other:?}"),
    }
}
