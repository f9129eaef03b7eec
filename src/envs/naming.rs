//! Names flotilla gives things: the per-worker compose project ([`project_name`]), the variable
//! that carries a published port ([`port_variable`]), and the labels put on every resource.

use super::error::EnvError;

/// Label: the run that created a resource.
pub const LABEL_RUN_ID: &str = "flotilla.run-id";
/// Label: the 1-based worker.
pub const LABEL_WORKER: &str = "flotilla.worker";
/// Label: the pid of the flotilla process that owns the resource.
pub const LABEL_OWNER_PID: &str = "flotilla.owner-pid";
/// Label: the owner's start time (clock ticks since boot), so a reused pid is not mistaken for it.
pub const LABEL_OWNER_START: &str = "flotilla.owner-start";
/// Label: the machine the owner runs on (its hostname), so gc only judges its own processes.
pub const LABEL_OWNER_HOST: &str = "flotilla.owner-host";
/// Label: the compose project.
pub const LABEL_PROJECT: &str = "flotilla.project";
/// Compose's own project label (v1 and v2).
pub const LABEL_COMPOSE_PROJECT: &str = "com.docker.compose.project";
/// Compose's service label (v1 and v2).
pub const LABEL_COMPOSE_SERVICE: &str = "com.docker.compose.service";
/// Compose's replica number label (v1 and v2).
pub const LABEL_COMPOSE_NUMBER: &str = "com.docker.compose.container-number";
/// Compose's one-off (`run`) label.
pub const LABEL_COMPOSE_ONEOFF: &str = "com.docker.compose.oneoff";

/// Compose project names valid in both v1 and v2 and mapped 1:1 by both: `^[a-z0-9][a-z0-9-]*$`.
/// (v1 silently strips other characters, v2 rejects them; `_` is avoided so names stay identical.)
pub fn validate_project_name(name: &str) -> Result<(), EnvError> {
    let reason = if name.is_empty() {
        Some("it is empty")
    } else if name.len() > 63 {
        Some("it is longer than 63 characters")
    } else if !name.starts_with(|c: char| c.is_ascii_lowercase() || c.is_ascii_digit()) {
        Some("it must start with a lowercase letter or a digit")
    } else if !name
        .chars()
        .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
    {
        Some("only lowercase letters, digits and `-` are allowed")
    } else {
        None
    };
    match reason {
        Some(reason) => Err(EnvError::ProjectName {
            name: name.to_string(),
            reason,
        }),
        None => Ok(()),
    }
}

/// `<prefix>-<run_id>-<worker>`, validated.
pub fn project_name(prefix: &str, run_id: &str, worker: usize) -> Result<String, EnvError> {
    let name = format!("{prefix}-{run_id}-{worker}");
    validate_project_name(&name)?;
    Ok(name)
}

/// A default `project-prefix` from an environment name: lowercased, other characters become `-`.
#[must_use]
pub fn default_prefix(env_name: &str) -> String {
    let mut out: String = env_name
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() {
                c.to_ascii_lowercase()
            } else {
                '-'
            }
        })
        .collect();
    while out.starts_with('-') {
        out.remove(0);
    }
    if out.is_empty() { "env".to_string() } else { out }
}

/// `FLOTILLA_<SERVICE>_<PORT>` (uppercase, non-alphanumerics as `_`), with `_UDP`/`_SCTP` for
/// non-TCP ports: the variable that holds `127.0.0.1:NNNNN` for a published container port.
#[must_use]
pub fn port_variable(service: &str, port: u16, protocol: &str) -> String {
    let service: String = service
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() {
                c.to_ascii_uppercase()
            } else {
                '_'
            }
        })
        .collect();
    let mut name = format!("FLOTILLA_{service}_{port}");
    if !protocol.eq_ignore_ascii_case("tcp") && !protocol.is_empty() {
        name.push('_');
        name.push_str(&protocol.to_ascii_uppercase());
    }
    name
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn project_names_are_valid_in_both_versions() {
        assert_eq!(
            project_name("app", "20261122-015821-bb68", 3).unwrap(),
            "app-20261122-015821-bb68-3"
        );
        for bad in ["App", "my_app", "-app", "a.b", ""] {
            assert!(project_name(bad, "r", 1).is_err() || bad.is_empty(), "{bad}");
        }
        assert!(validate_project_name("").is_err());
        assert!(validate_project_name(&"a".repeat(64)).is_err());
        let error = project_name("My.App", "r", 1).unwrap_err().to_string();
        assert!(error.contains("project-prefix"), "{error}");
    }

    #[test]
    fn default_prefix_is_always_valid() {
        assert_eq!(default_prefix("App_1"), "app-1");
        assert_eq!(default_prefix("_x"), "x");
        assert_eq!(default_prefix("__"), "env");
        for name in ["App_1", "x", "ÜBER", "a b"] {
            validate_project_name(&default_prefix(name)).unwrap();
        }
    }

    #[test]
    fn port_variables() {
        assert_eq!(port_variable("db", 5432, "tcp"), "FLOTILLA_DB_5432");
        assert_eq!(port_variable("my-web.api", 8080, "tcp"), "FLOTILLA_MY_WEB_API_8080");
        assert_eq!(port_variable("dns", 53, "udp"), "FLOTILLA_DNS_53_UDP");
    }
}
