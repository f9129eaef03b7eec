//! [`gc`]: removes environments whose owning flotilla process is gone (SIGKILLed, crashed, the
//! machine rebooted), found by the `flotilla.owner-*` labels on their containers, networks and
//! volumes. Environments owned by live processes, or by processes on other machines sharing the
//! daemon, are left alone. `EnvSet::up` runs it on every host first; `flotilla gc` runs it alone.

use std::collections::{BTreeMap, BTreeSet};

use super::docker::Docker;
use super::error::EnvError;
use super::naming::{LABEL_OWNER_PID, LABEL_PROJECT};
use super::owner::{Liveness, Owner};
use super::sweep::{Swept, sweep_project};

/// What a gc pass did on one host.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct GcReport {
    /// Projects removed because their owner is gone.
    pub removed: Vec<String>,
    /// What was removed, in total.
    pub swept: Swept,
    /// Projects kept because their owner is alive.
    pub alive: Vec<String>,
    /// Projects kept because their owner ran on another machine.
    pub foreign: Vec<String>,
    /// Projects that could not be removed, with the reason.
    pub failed: Vec<(String, String)>,
}

/// Removes every flotilla environment on `docker`'s host whose owner process is gone.
pub async fn gc(docker: &Docker) -> Result<GcReport, EnvError> {
    let filter = [(LABEL_OWNER_PID, "")];
    let (containers, networks, volumes) = tokio::join!(
        docker.containers(&filter, None),
        docker.network_ids(&filter),
        docker.volume_names(&filter)
    );
    let (containers, networks, volumes) = (containers?, networks?, volumes?);
    let mut owners: BTreeMap<String, BTreeMap<String, String>> = BTreeMap::new();
    for container in containers {
        if let Some(project) = container.labels.get(LABEL_PROJECT) {
            owners.entry(project.clone()).or_insert(container.labels.clone());
        }
    }
    let (network_labels, volume_labels) = tokio::join!(
        docker.resource_labels("network", &networks),
        docker.resource_labels("volume", &volumes)
    );
    let resources = [network_labels?, volume_labels?];
    for (_, labels) in resources.into_iter().flatten() {
        if let Some(project) = labels.get(LABEL_PROJECT) {
            owners.entry(project.clone()).or_insert(labels);
        }
    }
    let mut report = GcReport::default();
    let mut seen = BTreeSet::new();
    for (project, labels) in owners {
        if !seen.insert(project.clone()) {
            continue;
        }
        match Owner::liveness_of(&labels) {
            Liveness::Alive => report.alive.push(project),
            Liveness::Unknown => report.foreign.push(project),
            Liveness::Gone => match sweep_project(docker, &project).await {
                Ok(swept) => {
                    report.swept.containers += swept.containers;
                    report.swept.networks += swept.networks;
                    report.swept.volumes += swept.volumes;
                    report.removed.push(project);
                }
                Err(error) => report.failed.push((project, error.to_string())),
            },
        }
    }
    Ok(report)
}
