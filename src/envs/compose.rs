//! [`Compose`]: which compose CLI is installed (v2 `docker compose` or v1 `docker-compose`), its
//! [`Capabilities`], and the argument vectors of every compose call, each flag gated on the
//! detected version.
//!
//! Flags are never probed by trying them: docker-compose v1 prints its usage and exits 0 after
//! an unknown option (compose#3766), so a probe would "succeed". The version is detected once
//! with `version --short` and everything else follows from it.

use std::ffi::{OsStr, OsString};
use std::fmt;
use std::time::Duration;

use camino::Utf8PathBuf;

use super::command::Invocation;
use super::error::EnvError;

/// A compose version such as `1.29.2` or `2.40.3`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct ComposeVersion {
    /// Major.
    pub major: u32,
    /// Minor.
    pub minor: u32,
    /// Patch.
    pub patch: u32,
}

impl ComposeVersion {
    /// A version from its parts.
    #[must_use]
    pub const fn new(major: u32, minor: u32, patch: u32) -> Self {
        Self { major, minor, patch }
    }

    /// Parses `version --short` output of either flavour: `1.29.2`, `2.40.3`, `v2.40.3`,
    /// `2.24.6-desktop.1`, or a longer line that contains such a version.
    #[must_use]
    pub fn parse(text: &str) -> Option<Self> {
        text.split(|c: char| c.is_whitespace() || c == ',').find_map(|word| {
            let word = word.trim().trim_start_matches('v');
            let core = word.split(['-', '+']).next()?;
            let mut parts = core.split('.');
            let major = parts.next()?.parse().ok()?;
            let minor = parts.next()?.parse().ok()?;
            let patch = parts.next().map_or(Some(0), |p| p.parse().ok())?;
            Some(Self { major, minor, patch })
        })
    }
}

impl fmt::Display for ComposeVersion {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}.{}.{}", self.major, self.minor, self.patch)
    }
}

/// The two compose implementations, told apart by their major version (not by the command name:
/// some distributions install the v2 binary as `docker-compose`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Flavor {
    /// docker-compose 1.x (Python).
    V1,
    /// Compose v2 and later (Go; `docker compose` plugin or standalone binary).
    V2,
}

/// How to turn off colours and progress bars.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AnsiFlag {
    /// `--ansi never` (v1 ≥ 1.28, every v2).
    AnsiNever,
    /// `--no-ansi` (v1 < 1.28).
    NoAnsi,
}

/// How `ps` can report containers.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PsFormat {
    /// Only a table (v1: `ps --format` prints usage and exits 0).
    Table,
    /// `ps --format json` prints one JSON array (v2 before 2.21).
    JsonArray,
    /// `ps --format json` prints one JSON object per line (v2 2.21 and later).
    JsonLines,
}

/// What the installed compose supports, derived from its version alone.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Capabilities {
    /// Colour switch.
    pub ansi: AnsiFlag,
    /// Whether the global `--progress plain` exists (v2 ≥ 2.20, a conservative bound).
    pub progress_plain: bool,
    /// `ps` output formats.
    pub ps_format: PsFormat,
    /// Whether `down -p NAME` works without the compose files (v2; v1 needs them).
    pub down_by_name: bool,
    /// Whether `COMPOSE_HTTP_TIMEOUT` matters (v1 times out under load after 60 s).
    pub http_timeout_env: bool,
    /// Whether `up --wait` exists (v2 ≥ 2.1.1). flotilla waits itself, for both flavours.
    pub up_wait: bool,
}

impl Capabilities {
    /// The capabilities of `version`.
    #[must_use]
    pub fn of(version: ComposeVersion) -> Self {
        let v = |a, b, c| version >= ComposeVersion::new(a, b, c);
        let v2 = version.major >= 2;
        Self {
            ansi: if v2 || v(1, 28, 0) {
                AnsiFlag::AnsiNever
            } else {
                AnsiFlag::NoAnsi
            },
            progress_plain: v2 && v(2, 20, 0),
            ps_format: if !v2 {
                PsFormat::Table
            } else if v(2, 21, 0) {
                PsFormat::JsonLines
            } else {
                PsFormat::JsonArray
            },
            down_by_name: v2,
            http_timeout_env: !v2,
            up_wait: v2 && v(2, 1, 1),
        }
    }
}

/// The compose CLI to use: its command prefix, version and capabilities.
#[derive(Clone, Debug)]
pub struct Compose {
    program: Vec<OsString>,
    version: ComposeVersion,
    flavor: Flavor,
    caps: Capabilities,
}

/// The files, folder and name that identify one compose project in every call.
#[derive(Clone, Debug)]
pub(crate) struct ProjectArgs {
    /// `-p`.
    pub name: String,
    /// `--project-directory` (relative paths in the files resolve against it).
    pub dir: Utf8PathBuf,
    /// `-f`, in order.
    pub files: Vec<Utf8PathBuf>,
}

/// The oldest v1 accepted: compose-spec files without `version:` need 1.27.
const MIN_V1: ComposeVersion = ComposeVersion::new(1, 27, 0);

impl Compose {
    /// Finds the compose CLI: `docker compose version --short` (v2), else
    /// `docker-compose version --short`. `docker` is the docker CLI to use (normally `"docker"`).
    pub async fn detect(docker: &OsStr) -> Result<Self, EnvError> {
        let candidates: [Vec<OsString>; 2] = [vec![docker.to_owned(), "compose".into()], vec!["docker-compose".into()]];
        let mut detail = Vec::new();
        for program in candidates {
            let mut argv = program.clone();
            argv.extend(["version".into(), "--short".into()]);
            let invocation = Invocation {
                argv,
                env: Vec::new(),
                cwd: None,
                timeout: Duration::from_secs(30),
                host: None,
            };
            match invocation.output(None).await {
                Ok(out) if out.success() => match ComposeVersion::parse(&out.stdout) {
                    Some(version) => return Self::new(program, version),
                    None => detail.push(format!("`{}` printed {:?}", invocation.display(), out.stdout.trim())),
                },
                Ok(out) => detail.push(format!(
                    "`{}` exited {}: {}",
                    invocation.display(),
                    out.code,
                    super::command::last_lines(&out.stderr, 2)
                )),
                Err(error) => detail.push(error.to_string()),
            }
        }
        Err(EnvError::ComposeMissing {
            detail: detail.join("; "),
        })
    }

    /// A compose CLI run as `program` (e.g. `["docker", "compose"]`) that reported `version`.
    pub fn new(program: Vec<OsString>, version: ComposeVersion) -> Result<Self, EnvError> {
        if version.major < 2 && version < MIN_V1 {
            return Err(EnvError::ComposeTooOld {
                version: version.to_string(),
            });
        }
        let flavor = if version.major >= 2 { Flavor::V2 } else { Flavor::V1 };
        Ok(Self {
            program,
            version,
            flavor,
            caps: Capabilities::of(version),
        })
    }

    /// The detected version.
    #[must_use]
    pub fn version(&self) -> ComposeVersion {
        self.version
    }

    /// v1 or v2.
    #[must_use]
    pub fn flavor(&self) -> Flavor {
        self.flavor
    }

    /// What this version supports.
    #[must_use]
    pub fn capabilities(&self) -> Capabilities {
        self.caps
    }

    /// The command prefix, e.g. `docker compose` or `docker-compose`.
    #[must_use]
    pub fn program(&self) -> &[OsString] {
        &self.program
    }

    /// Program plus the global flags that identify `project`.
    pub(crate) fn global(&self, project: &ProjectArgs) -> Vec<OsString> {
        let mut argv = self.program.clone();
        match self.caps.ansi {
            AnsiFlag::AnsiNever => argv.extend(["--ansi".into(), "never".into()]),
            AnsiFlag::NoAnsi => argv.push("--no-ansi".into()),
        }
        if self.caps.progress_plain {
            argv.extend(["--progress".into(), "plain".into()]);
        }
        argv.extend(["-p".into(), project.name.clone().into()]);
        argv.extend(["--project-directory".into(), project.dir.clone().into()]);
        for file in &project.files {
            argv.extend(["-f".into(), file.clone().into()]);
        }
        argv
    }

    /// `config`: the fully interpolated and merged model.
    pub(crate) fn config_args(&self, project: &ProjectArgs) -> Vec<OsString> {
        self.with(project, &["config"])
    }

    /// `up -d --remove-orphans`.
    pub(crate) fn up_args(&self, project: &ProjectArgs) -> Vec<OsString> {
        self.with(project, &["up", "-d", "--remove-orphans"])
    }

    /// `down -v --remove-orphans -t N`.
    pub(crate) fn down_args(&self, project: &ProjectArgs, stop_timeout: Duration) -> Vec<OsString> {
        let secs = stop_timeout.as_secs().to_string();
        self.with(project, &["down", "-v", "--remove-orphans", "-t", &secs])
    }

    /// `logs --no-color --timestamps --tail=N`.
    pub(crate) fn logs_args(&self, project: &ProjectArgs, tail: u32) -> Vec<OsString> {
        let tail = format!("--tail={tail}");
        self.with(project, &["logs", "--no-color", "--timestamps", &tail])
    }

    /// `ps -a`, as JSON where the version has it.
    pub(crate) fn ps_args(&self, project: &ProjectArgs) -> Vec<OsString> {
        match self.caps.ps_format {
            PsFormat::Table => self.with(project, &["ps", "-a"]),
            PsFormat::JsonArray | PsFormat::JsonLines => self.with(project, &["ps", "-a", "--format", "json"]),
        }
    }

    /// `exec -T [-e K=V]… SERVICE ARGV…`.
    pub(crate) fn exec_args(
        &self,
        project: &ProjectArgs,
        service: &str,
        env: &[(String, String)],
        argv: &[OsString],
    ) -> Vec<OsString> {
        let mut out = self.with(project, &["exec", "-T"]);
        for (key, value) in env {
            out.push("-e".into());
            out.push(format!("{key}={value}").into());
        }
        out.push(service.into());
        out.extend(argv.iter().cloned());
        out
    }

    /// Environment variables every compose call carries (beyond the worker's own).
    pub(crate) fn call_env(&self) -> Vec<(String, String)> {
        let mut env = Vec::new();
        if self.caps.http_timeout_env && std::env::var_os("COMPOSE_HTTP_TIMEOUT").is_none() {
            env.push(("COMPOSE_HTTP_TIMEOUT".into(), "180".into()));
        }
        env
    }

    fn with(&self, project: &ProjectArgs, words: &[&str]) -> Vec<OsString> {
        let mut argv = self.global(project);
        argv.extend(words.iter().map(OsString::from));
        argv
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn project() -> ProjectArgs {
        ProjectArgs {
            name: "app-r1-2".into(),
            dir: "/src".into(),
            files: vec!["/run/compose.yml".into()],
        }
    }

    fn words(argv: &[OsString]) -> String {
        argv.iter().map(|a| a.to_string_lossy()).collect::<Vec<_>>().join(" ")
    }

    #[test]
    fn parses_both_flavours_outputs() {
        assert_eq!(ComposeVersion::parse("1.29.2\n"), Some(ComposeVersion::new(1, 29, 2)));
        assert_eq!(ComposeVersion::parse("2.40.3"), Some(ComposeVersion::new(2, 40, 3)));
        assert_eq!(ComposeVersion::parse("v2.3.0"), Some(ComposeVersion::new(2, 3, 0)));
        assert_eq!(
            ComposeVersion::parse("2.24.6-desktop.1"),
            Some(ComposeVersion::new(2, 24, 6))
        );
        assert_eq!(
            ComposeVersion::parse("Docker Compose version v2.40.3"),
            Some(ComposeVersion::new(2, 40, 3))
        );
        assert_eq!(
            ComposeVersion::parse("docker-compose version 1.29.2, build unknown"),
            Some(ComposeVersion::new(1, 29, 2))
        );
        assert_eq!(ComposeVersion::parse("usage: docker-compose"), None);
    }

    #[test]
    fn v1_gets_no_v2_only_flags() {
        let compose = Compose::new(vec!["docker-compose".into()], ComposeVersion::new(1, 29, 2)).unwrap();
        assert_eq!(compose.flavor(), Flavor::V1);
        let p = project();
        assert_eq!(
            words(&compose.up_args(&p)),
            "docker-compose --ansi never -p app-r1-2 --project-directory /src -f /run/compose.yml up -d --remove-orphans"
        );
        assert!(
            words(&compose.ps_args(&p)).ends_with(" ps -a"),
            "v1 exits 0 on --format json"
        );
        assert!(!words(&compose.down_args(&p, Duration::from_secs(1))).contains("--progress"));
        assert!(!compose.capabilities().down_by_name);
        assert!(
            compose.call_env().iter().any(|(k, _)| k == "COMPOSE_HTTP_TIMEOUT")
                || std::env::var_os("COMPOSE_HTTP_TIMEOUT").is_some()
        );
    }

    #[test]
    fn old_v1_uses_no_ansi_and_ancient_v1_is_refused() {
        let compose = Compose::new(vec!["docker-compose".into()], ComposeVersion::new(1, 27, 4)).unwrap();
        assert!(words(&compose.config_args(&project())).starts_with("docker-compose --no-ansi -p"));
        let error = Compose::new(vec!["docker-compose".into()], ComposeVersion::new(1, 25, 0)).unwrap_err();
        assert!(error.to_string().contains("too old"), "{error}");
    }

    #[test]
    fn v2_flags_follow_the_version() {
        let new = Compose::new(vec!["docker".into(), "compose".into()], ComposeVersion::new(2, 40, 3)).unwrap();
        let p = project();
        assert_eq!(
            words(&new.down_args(&p, Duration::from_secs(1))),
            "docker compose --ansi never --progress plain -p app-r1-2 --project-directory /src -f /run/compose.yml down -v --remove-orphans -t 1"
        );
        assert!(words(&new.ps_args(&p)).ends_with("ps -a --format json"));
        assert_eq!(new.capabilities().ps_format, PsFormat::JsonLines);
        assert!(new.call_env().is_empty());

        let old = Compose::new(vec!["docker".into(), "compose".into()], ComposeVersion::new(2, 12, 0)).unwrap();
        assert!(!words(&old.up_args(&p)).contains("--progress"));
        assert_eq!(old.capabilities().ps_format, PsFormat::JsonArray);
        assert!(old.capabilities().up_wait);
        let older = Compose::new(vec!["docker-compose".into()], ComposeVersion::new(2, 0, 1)).unwrap();
        assert_eq!(
            older.flavor(),
            Flavor::V2,
            "a v2 binary named docker-compose is still v2"
        );
        assert!(!older.capabilities().up_wait);
    }

    #[test]
    fn exec_passes_env_and_never_a_tty() {
        let compose = Compose::new(vec!["docker-compose".into()], ComposeVersion::new(1, 29, 2)).unwrap();
        let argv = compose.exec_args(
            &project(),
            "web",
            &[("A".into(), "b c".into())],
            &["sh".into(), "-c".into(), "echo $A".into()],
        );
        assert!(
            words(&argv).ends_with("exec -T -e A=b c web sh -c echo $A"),
            "{}",
            words(&argv)
        );
    }
}
