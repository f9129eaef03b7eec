//! [`Docker`]: the docker CLI bound to one [`DockerHost`]: list and inspect containers by label,
//! read logs, exec, and remove containers, networks and volumes. State is read here rather than
//! through compose, because v1 has no machine-readable `ps` and costs ~0.5 s of CPU per call.

use std::collections::BTreeMap;
use std::ffi::OsString;
use std::time::Duration;

use super::command::{Cancel, Invocation, Output};
use super::container::{Container, parse_inspect};
use super::error::EnvError;
use super::hosts::DockerHost;

/// Deadline of quick docker calls (list, inspect, remove).
const QUICK: Duration = Duration::from_secs(60);

/// The docker CLI for one host.
#[derive(Clone, Debug)]
pub struct Docker {
    program: OsString,
    host: DockerHost,
}

impl Docker {
    /// `program` (normally `"docker"`) talking to `host`.
    #[must_use]
    pub fn new(program: impl Into<OsString>, host: DockerHost) -> Self {
        Self {
            program: program.into(),
            host,
        }
    }

    /// The host.
    #[must_use]
    pub fn host(&self) -> &DockerHost {
        &self.host
    }

    /// The docker program.
    #[must_use]
    pub fn program(&self) -> &OsString {
        &self.program
    }

    pub(crate) fn invocation<S: Into<OsString>>(
        &self,
        args: impl IntoIterator<Item = S>,
        timeout: Duration,
    ) -> Invocation {
        let mut argv = vec![self.program.clone()];
        argv.extend(args.into_iter().map(Into::into));
        Invocation {
            argv,
            env: self.host.env(),
            cwd: None,
            timeout,
            host: self.host.url().map(str::to_string),
        }
    }

    async fn quick<S: Into<OsString>>(
        &self,
        args: impl IntoIterator<Item = S>,
        cancel: Option<&Cancel>,
    ) -> Result<Output, EnvError> {
        self.invocation(args, QUICK).run(cancel).await
    }

    /// Ids of containers (running or not) that carry every `key=value` label.
    pub(crate) async fn container_ids(
        &self,
        labels: &[(&str, &str)],
        cancel: Option<&Cancel>,
    ) -> Result<Vec<String>, EnvError> {
        let mut args: Vec<String> = vec!["ps".into(), "-a".into(), "-q".into(), "--no-trunc".into()];
        push_filters(&mut args, labels);
        Ok(words(&self.quick(args, cancel).await?.stdout))
    }

    /// Containers that carry every label, inspected.
    pub(crate) async fn containers(
        &self,
        labels: &[(&str, &str)],
        cancel: Option<&Cancel>,
    ) -> Result<Vec<Container>, EnvError> {
        let ids = self.container_ids(labels, cancel).await?;
        self.inspect(&ids, cancel).await
    }

    /// `docker inspect` of `ids` (containers that vanished in between are skipped).
    pub(crate) async fn inspect(&self, ids: &[String], cancel: Option<&Cancel>) -> Result<Vec<Container>, EnvError> {
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        let mut args = vec!["inspect".to_string(), "--type".into(), "container".into()];
        args.extend(ids.iter().cloned());
        let invocation = self.invocation(args, QUICK);
        let out = invocation.output(cancel).await?;
        // A container removed between `ps` and `inspect` makes inspect exit 1 but still print the rest.
        if !out.success() && out.stdout.trim().is_empty() {
            return Err(invocation.failed(&out));
        }
        parse_inspect(&out.stdout).map_err(|problem| EnvError::parse(invocation.display(), problem))
    }

    /// Raw `docker inspect` JSON of one container, for diagnostics.
    pub(crate) async fn inspect_raw(&self, id: &str) -> Result<String, EnvError> {
        Ok(self.quick(["inspect", "--type", "container", id], None).await?.stdout)
    }

    /// The last `tail` lines of a container's log (stdout and stderr interleaved as docker has them).
    pub(crate) async fn logs(&self, id: &str, tail: u32, cancel: Option<&Cancel>) -> Result<String, EnvError> {
        let out = self
            .quick(["logs".to_string(), format!("--tail={tail}"), id.to_string()], cancel)
            .await?;
        Ok(format!("{}{}", out.stdout, out.stderr))
    }

    /// Runs `argv` inside container `id` (no TTY); a non-zero exit is returned, not an error.
    pub(crate) async fn exec(
        &self,
        id: &str,
        argv: &[String],
        timeout: Duration,
        cancel: Option<&Cancel>,
    ) -> Result<Output, EnvError> {
        let mut args = vec!["exec".to_string(), id.to_string()];
        args.extend(argv.iter().cloned());
        self.invocation(args, timeout).output(cancel).await
    }

    /// `docker exec -i [-e K=V]… ID ARGV…`: a job's command line inside container `id`.
    ///
    /// This is exactly what docker-compose v1's `exec -T` runs once it has looked the container
    /// up (`build_exec_command` in compose/cli/main.py), and what v2's `exec -T` asks the API for:
    /// stdin attached (`-i`, compose's default; the job's stdin is /dev/null, so a read gets EOF),
    /// no TTY (no `-t`, as `-T`), and neither `-w` nor `-u`, so the process gets the working
    /// directory and user compose gave the container from the service's `working_dir` and `user`.
    pub(crate) fn exec_args(&self, id: &str, env: &[(String, String)], argv: &[OsString]) -> Vec<OsString> {
        let mut out = vec![self.program.clone(), "exec".into(), "-i".into()];
        for (key, value) in env {
            out.push("-e".into());
            out.push(format!("{key}={value}").into());
        }
        out.push(id.into());
        out.extend(argv.iter().cloned());
        out
    }

    /// Network ids that carry every label.
    pub(crate) async fn network_ids(&self, labels: &[(&str, &str)]) -> Result<Vec<String>, EnvError> {
        let mut args: Vec<String> = vec!["network".into(), "ls".into(), "-q".into(), "--no-trunc".into()];
        push_filters(&mut args, labels);
        Ok(words(&self.quick(args, None).await?.stdout))
    }

    /// Volume names that carry every label.
    pub(crate) async fn volume_names(&self, labels: &[(&str, &str)]) -> Result<Vec<String>, EnvError> {
        let mut args: Vec<String> = vec!["volume".into(), "ls".into(), "-q".into()];
        push_filters(&mut args, labels);
        Ok(words(&self.quick(args, None).await?.stdout))
    }

    /// The labels of each network or volume (`kind` = `network` | `volume`).
    pub(crate) async fn resource_labels(&self, kind: &str, ids: &[String]) -> Result<Vec<(String, Labels)>, EnvError> {
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        let key = if kind == "network" { "{{.Id}}" } else { "{{.Name}}" };
        let mut args = vec![
            kind.to_string(),
            "inspect".into(),
            "--format".into(),
            format!("{key} {{{{json .Labels}}}}"),
        ];
        args.extend(ids.iter().cloned());
        // Resources removed in between make inspect exit 1; the others are still printed.
        let out = self.invocation(args, QUICK).output(None).await?;
        Ok(out
            .stdout
            .lines()
            .filter_map(|line| {
                let (id, json) = line.split_once(' ')?;
                let labels = serde_json::from_str::<Option<Labels>>(json).ok()??;
                Some((id.to_string(), labels))
            })
            .collect())
    }

    /// Force-removes containers with their anonymous volumes.
    pub(crate) async fn remove_containers(&self, ids: &[String]) -> Result<(), EnvError> {
        self.remove(&["rm", "-f", "-v"], ids).await
    }

    /// Removes networks.
    pub(crate) async fn remove_networks(&self, ids: &[String]) -> Result<(), EnvError> {
        self.remove(&["network", "rm"], ids).await
    }

    /// Removes volumes.
    pub(crate) async fn remove_volumes(&self, names: &[String]) -> Result<(), EnvError> {
        self.remove(&["volume", "rm", "-f"], names).await
    }

    async fn remove(&self, verb: &[&str], ids: &[String]) -> Result<(), EnvError> {
        if ids.is_empty() {
            return Ok(());
        }
        let mut args: Vec<String> = verb.iter().map(|s| (*s).to_string()).collect();
        args.extend(ids.iter().cloned());
        let invocation = self.invocation(args, QUICK);
        let out = invocation.output(None).await?;
        let already_gone = out
            .stderr
            .lines()
            .filter(|l| !l.trim().is_empty())
            .all(|l| l.contains("No such") || l.contains("not found"));
        if out.success() || already_gone {
            Ok(())
        } else {
            Err(invocation.failed(&out))
        }
    }
}

/// Labels of a container, network or volume.
type Labels = BTreeMap<String, String>;

fn push_filters(args: &mut Vec<String>, labels: &[(&str, &str)]) {
    for (key, value) in labels {
        args.push("--filter".into());
        if value.is_empty() {
            args.push(format!("label={key}"));
        } else {
            args.push(format!("label={key}={value}"));
        }
    }
}

fn words(text: &str) -> Vec<String> {
    text.split_whitespace().map(str::to_string).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exec_args_are_compose_v1s_own_docker_exec() {
        let docker = Docker::new("docker", DockerHost::Default);
        let argv = docker.exec_args(
            "fe070f99c521aa",
            &[("A".into(), "b c".into()), ("FLOTILLA_JOB_TAG".into(), "p-job1".into())],
            &["sh".into(), "-c".into(), "echo $A".into()],
        );
        let words: Vec<String> = argv.iter().map(|a| a.to_string_lossy().into_owned()).collect();
        assert_eq!(
            words,
            [
                "docker",
                "exec",
                "-i",
                "-e",
                "A=b c",
                "-e",
                "FLOTILLA_JOB_TAG=p-job1",
                "fe070f99c521aa",
                "sh",
                "-c",
                "echo $A"
            ]
        );
    }
}
