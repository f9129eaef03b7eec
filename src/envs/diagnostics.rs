//! [`Diagnostics`]: what is saved about a worker's environment when a job or readiness fails,
//! *before* teardown removes the evidence: `compose ps`, `compose logs --timestamps --tail=N`,
//! a one-line state per container, and `docker inspect` of every unhealthy or stopped container.

use camino::{Utf8Path, Utf8PathBuf};

use super::command::Invocation;
use super::compose::{Compose, ProjectArgs, PsFormat};
use super::docker::Docker;
use super::error::EnvError;
use super::naming::LABEL_COMPOSE_PROJECT;
use super::ps_output::parse_ps_json;

/// Where the diagnostics of one failure went.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Diagnostics {
    /// The folder (inside the run folder), e.g. `<run>/envs/<project>/diagnostics-1`.
    pub dir: Utf8PathBuf,
    /// Every file written, in the order written.
    pub files: Vec<Utf8PathBuf>,
    /// One line per container: `web-1: running (health: unhealthy)`.
    pub summary: String,
}

/// Inputs of one collection.
pub(crate) struct Collector<'a> {
    pub docker: &'a Docker,
    pub compose: &'a Compose,
    pub project: &'a ProjectArgs,
    pub env: &'a [(String, String)],
    pub tail: u32,
    pub dir: Utf8PathBuf,
}

impl Collector<'_> {
    /// Writes everything it can; a part that fails is noted in its file instead of aborting.
    pub(crate) async fn collect(&self, reason: &str) -> Result<Diagnostics, EnvError> {
        fs_err::create_dir_all(&self.dir).map_err(|e| EnvError::io("create the diagnostics folder", &self.dir, e))?;
        let mut files = Vec::new();
        let mut write = |name: &str, text: &str| -> Result<(), EnvError> {
            let path = self.dir.join(name);
            fs_err::write(&path, text).map_err(|e| EnvError::io("write diagnostics", &path, e))?;
            files.push(path);
            Ok(())
        };
        write("reason.txt", &format!("{reason}\n"))?;

        let timeout = std::time::Duration::from_secs(60);
        let compose_call = |argv| Invocation {
            argv,
            env: self.env.to_vec(),
            cwd: Some(self.project.dir.clone()),
            timeout,
            host: self.docker.host().url().map(str::to_string),
        };
        let ps = compose_call(self.compose.ps_args(self.project));
        let ps_text = match ps.output(None).await {
            Ok(out) => match self.compose.capabilities().ps_format {
                PsFormat::Table => format!("$ {}\n{}{}", ps.display(), out.stdout, out.stderr),
                PsFormat::JsonArray | PsFormat::JsonLines => {
                    let parsed = parse_ps_json(&out.stdout).map_or_else(
                        |e| format!("(could not parse: {e})\n"),
                        |entries| {
                            entries
                                .iter()
                                .map(|e| {
                                    format!(
                                        "{} service={} state={} health={} exit={}\n",
                                        e.name, e.service, e.state, e.health, e.exit_code
                                    )
                                })
                                .collect()
                        },
                    );
                    format!("$ {}\n{parsed}\n--- raw\n{}{}", ps.display(), out.stdout, out.stderr)
                }
            },
            Err(e) => format!("$ {}\n{e}\n", ps.display()),
        };
        write("ps.txt", &ps_text)?;

        let logs = compose_call(self.compose.logs_args(self.project, self.tail));
        let logs_text = match logs.output(None).await {
            Ok(out) => format!("$ {}\n{}{}", logs.display(), out.stdout, out.stderr),
            Err(e) => format!("$ {}\n{e}\n", logs.display()),
        };
        write("logs.txt", &logs_text)?;

        let containers = self
            .docker
            .containers(&[(LABEL_COMPOSE_PROJECT, &self.project.name)], None)
            .await
            .unwrap_or_default();
        let summary: String = containers
            .iter()
            .map(|c| format!("{}: {}\n", c.name, c.describe()))
            .collect();
        write(
            "containers.txt",
            if summary.is_empty() {
                "(no containers)\n"
            } else {
                &summary
            },
        )?;
        for container in containers
            .iter()
            .filter(|c| c.is_unhealthy() || c.has_stopped() || !c.is_running())
        {
            let text = self
                .docker
                .inspect_raw(&container.id)
                .await
                .unwrap_or_else(|e| format!("{e}\n"));
            write(&format!("inspect-{}.json", file_safe(&container.name)), &text)?;
        }
        Ok(Diagnostics {
            dir: self.dir.clone(),
            files,
            summary: summary.trim_end().to_string(),
        })
    }
}

/// The first unused `diagnostics-N` folder under `base`.
pub(crate) fn next_dir(base: &Utf8Path) -> Utf8PathBuf {
    (1..)
        .map(|n| base.join(format!("diagnostics-{n}")))
        .find(|dir| !dir.exists())
        .unwrap_or_else(|| base.join("diagnostics"))
}

fn file_safe(name: &str) -> String {
    name.chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' || c == '_' || c == '.' {
                c
            } else {
                '_'
            }
        })
        .collect()
}
