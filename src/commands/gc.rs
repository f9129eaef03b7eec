//! `flotilla gc`: remove compose environments whose owning flotilla run is gone (for example
//! after a SIGKILL), on the default Docker host and every host the configuration names.

use std::io::Write;

use crate::config::ConfigFile;
use crate::envs::{Docker, DockerHost, gc as sweep_dead};
use crate::error::Error;
use crate::exit_code;
use crate::settings::GcCommand;

pub(super) fn gc(command: &GcCommand) -> Result<u8, Error> {
    let mut hosts = vec![DockerHost::Default];
    if let Some(file) = ConfigFile::load_if_present(&command.global.config_path)? {
        for host in file.docker_hosts()? {
            if !hosts.contains(&host) {
                hosts.push(host);
            }
        }
    }
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(Error::Runtime)?;
    let mut out = std::io::stdout().lock();
    let mut failed = false;
    for host in hosts {
        let report = runtime
            .block_on(sweep_dead(&Docker::new("docker", host.clone())))
            .map_err(Error::environment)?;
        let swept = report.swept;
        let _ = writeln!(
            out,
            "{host}: removed {} environment(s) of dead runs ({} containers, {} networks, {} volumes); kept {} of live runs",
            report.removed.len(),
            swept.containers,
            swept.networks,
            swept.volumes,
            report.alive.len()
        );
        for project in &report.removed {
            let _ = writeln!(out, "  removed {project}");
        }
        if !report.foreign.is_empty() {
            let _ = writeln!(
                out,
                "  left {} environment(s) owned by other machines: {}",
                report.foreign.len(),
                report.foreign.join(", ")
            );
        }
        for (project, reason) in &report.failed {
            failed = true;
            let _ = writeln!(out, "  could not remove {project}: {reason}");
        }
    }
    Ok(if failed {
        exit_code::ENVIRONMENT
    } else {
        exit_code::SUCCESS
    })
}
