//! [`sweep_project`] and [`sweep_label`]: remove every container, network and volume of one
//! compose project (or of a whole run) by label, whatever `down` left behind (or when `down`
//! cannot run at all, as after a crash).
//! Returns a [`Swept`] count; it repeats until a pass finds nothing, because the daemon may still
//! be finishing a create that a killed `up` had started.

use std::time::Duration;

use super::docker::Docker;
use super::error::EnvError;
use super::naming::LABEL_COMPOSE_PROJECT;

/// What a sweep removed.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Swept {
    /// Containers removed.
    pub containers: usize,
    /// Networks removed.
    pub networks: usize,
    /// Volumes removed.
    pub volumes: usize,
}

impl Swept {
    /// Whether anything was removed.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.containers + self.networks + self.volumes == 0
    }

    fn add(&mut self, other: Self) {
        self.containers += other.containers;
        self.networks += other.networks;
        self.volumes += other.volumes;
    }
}

const PASSES: usize = 5;

/// Removes everything labelled with compose project `project`.
pub async fn sweep_project(docker: &Docker, project: &str) -> Result<Swept, EnvError> {
    sweep_label(docker, LABEL_COMPOSE_PROJECT, project).await
}

/// Removes every container, network and volume labelled `key=value`.
pub async fn sweep_label(docker: &Docker, key: &str, value: &str) -> Result<Swept, EnvError> {
    let mut total = Swept::default();
    let mut last_error = None;
    for pass in 0..PASSES {
        match sweep_once(docker, key, value).await {
            Ok(swept) if swept.is_empty() => return Ok(total),
            Ok(swept) => total.add(swept),
            Err(error) => last_error = Some(error),
        }
        // Give the daemon a moment to finish removals and in-flight creates, then look again.
        tokio::time::sleep(Duration::from_millis(100 * (pass as u64 + 1))).await;
    }
    match last_error {
        Some(error) => Err(error),
        None => Ok(total),
    }
}

async fn sweep_once(docker: &Docker, key: &str, value: &str) -> Result<Swept, EnvError> {
    let filter = [(key, value)];
    // The three listings are independent: ask for them at once (each docker call costs ~50 ms).
    let (containers, networks, volumes) = tokio::join!(
        docker.container_ids(&filter, None),
        docker.network_ids(&filter),
        docker.volume_names(&filter)
    );
    let (containers, mut networks, mut volumes) = (containers?, networks?, volumes?);
    let mut swept = Swept::default();
    let mut error = None;
    if !containers.is_empty() {
        match docker.remove_containers(&containers).await {
            Ok(()) => swept.containers += containers.len(),
            Err(e) => error = Some(e),
        }
        // Removing containers can free networks and volumes that were in use: list them again.
        networks = docker.network_ids(&filter).await?;
        volumes = docker.volume_names(&filter).await?;
    }
    let (removed_networks, removed_volumes) =
        tokio::join!(docker.remove_networks(&networks), docker.remove_volumes(&volumes));
    match removed_networks {
        Ok(()) => swept.networks += networks.len(),
        Err(e) => error = Some(e),
    }
    match removed_volumes {
        Ok(()) => swept.volumes += volumes.len(),
        Err(e) => error = Some(e),
    }
    match error {
        // Something is still there (e.g. a network whose container is being removed): retry.
        Some(e) if swept.is_empty() => Err(e),
        _ => Ok(swept),
    }
}
