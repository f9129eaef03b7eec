//! [`build_image`]: builds an environment's image once per Docker host, with retries and
//! exponential backoff for failures that look transient (network, registry, daemon hiccups), and
//! none for failures that will not change on retry (a broken Dockerfile or context).
//! Every worker's compose project then uses the image by tag, so compose never builds N copies.

use std::time::{Duration, Instant};

use super::command::{Cancel, last_lines};
use super::docker::Docker;
use super::error::EnvError;
use super::model::{Builder, ImageBuild};

/// Whether a failed build is worth retrying.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BuildFailure {
    /// Will fail the same way again (Dockerfile syntax, missing files in the context).
    Permanent,
    /// May pass on retry (network, registry, daemon, resource pressure).
    Transient,
}

/// A successful build.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Built {
    /// The full tag (`<repository>:<run-id>`).
    pub tag: String,
    /// Attempts it took (1 = first try).
    pub attempts: u32,
    /// Wall time including backoff.
    pub duration: Duration,
}

/// Messages of the docker CLI and daemon that a retry cannot fix.
const PERMANENT: &[&str] = &[
    "dockerfile parse error",
    "unknown instruction",
    "failed to read dockerfile",
    "cannot locate specified dockerfile",
    "unable to prepare context",
    "copy failed",
    "failed to compute cache key",
    "invalid reference format",
    "buildx component is missing",
    "no such file or directory",
];

/// Sorts a failed build's output into [`BuildFailure`].
#[must_use]
pub fn classify(output: &str) -> BuildFailure {
    let lower = output.to_ascii_lowercase();
    if PERMANENT.iter().any(|marker| lower.contains(marker)) {
        BuildFailure::Permanent
    } else {
        BuildFailure::Transient
    }
}

/// Builds `build` as `tag` on `docker`'s host.
pub async fn build_image(docker: &Docker, build: &ImageBuild, tag: &str) -> Result<Built, EnvError> {
    build_image_cancellable(docker, build, tag, None).await
}

pub(crate) async fn build_image_cancellable(
    docker: &Docker,
    build: &ImageBuild,
    tag: &str,
    cancel: Option<&Cancel>,
) -> Result<Built, EnvError> {
    let started = Instant::now();
    let classic = match build.builder {
        Builder::Classic => true,
        Builder::BuildKit => false,
        Builder::Auto => !docker
            .invocation(["buildx", "version"], Duration::from_secs(30))
            .output(cancel)
            .await
            .is_ok_and(|out| out.success()),
    };
    // `--force-rm`: a failed RUN step of the classic builder would otherwise leave its container.
    let mut args: Vec<String> = vec!["build".into(), "--force-rm".into(), "-t".into(), tag.into()];
    if let Some(dockerfile) = &build.dockerfile {
        args.extend(["-f".into(), dockerfile.to_string()]);
    }
    for (key, value) in &build.args {
        args.extend(["--build-arg".into(), format!("{key}={value}")]);
    }
    args.push(build.context.to_string());
    let mut invocation = docker.invocation(args, build.timeout);
    invocation
        .env
        .push(("DOCKER_BUILDKIT".into(), if classic { "0" } else { "1" }.into()));
    let mut backoff = build.backoff;
    let mut attempt = 0;
    loop {
        attempt += 1;
        let (failure, text) = match invocation.output(cancel).await {
            Ok(out) if out.success() => {
                return Ok(Built {
                    tag: tag.to_string(),
                    attempts: attempt,
                    duration: started.elapsed(),
                });
            }
            Ok(out) => {
                let text = format!("{}\n{}", out.stdout, out.stderr);
                (classify(&text), last_lines(&text, 15))
            }
            Err(error @ EnvError::Cancelled { .. }) => return Err(error),
            Err(error @ EnvError::Spawn { .. }) => return Err(error),
            Err(error) => (BuildFailure::Transient, error.to_string()),
        };
        if failure == BuildFailure::Permanent || attempt > build.retries {
            return Err(EnvError::Build {
                tag: tag.to_string(),
                attempts: attempt,
                permanent: failure == BuildFailure::Permanent,
                stderr: text,
            });
        }
        match cancel {
            Some(cancel) => tokio::select! {
                () = tokio::time::sleep(backoff) => {}
                () = cancel.cancelled() => return Err(EnvError::Cancelled { project: tag.to_string() }),
            },
            None => tokio::time::sleep(backoff).await,
        }
        backoff = (backoff * 2).min(Duration::from_secs(60));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn classifies_typical_failures() {
        assert_eq!(
            classify("Step 1/2 : FRM scratch\nDockerfile parse error line 1: unknown instruction: FRM"),
            BuildFailure::Permanent
        );
        assert_eq!(
            classify("COPY failed: file not found in build context"),
            BuildFailure::Permanent
        );
        assert_eq!(
            classify("Get \"https://registry-1.docker.io/v2/\": dial tcp: i/o timeout"),
            BuildFailure::Transient
        );
        assert_eq!(
            classify("The command '/bin/sh -c apt-get update' returned a non-zero code: 100"),
            BuildFailure::Transient
        );
    }
}
