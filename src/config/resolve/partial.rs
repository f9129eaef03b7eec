//! What commands read of a file without needing suites: `[gate]` ([`ConfigFile::gate`], for
//! `flotilla gate`), the Docker hosts the `[services.NAME]` tables name
//! ([`ConfigFile::docker_hosts`], for `flotilla gc`), and the services alone
//! ([`ConfigFile::services`]). The rest of the file is only checked for syntax.

use std::collections::BTreeMap;

use super::services;
use crate::config::{ConfigError, ConfigFile};
use crate::envs::{DockerHost, EnvConfig};
use crate::gate::GateConfig;

impl ConfigFile {
    /// `[gate]`, resolved (its globs were compiled while parsing).
    #[must_use]
    pub fn gate(&self) -> GateConfig {
        GateConfig {
            require: self
                .raw
                .gate
                .as_ref()
                .map(|gate| gate.require.clone())
                .unwrap_or_default(),
        }
    }

    /// The Docker hosts named by the `[services.NAME]` tables, for `flotilla gc`.
    pub fn docker_hosts(&self) -> Result<Vec<DockerHost>, ConfigError> {
        let mut hosts = Vec::new();
        for (name, raw) in &self.raw.services {
            let named = services::docker_hosts(name.get_ref(), raw)
                .map_err(|(span, error)| self.error(span.or_else(|| Some(name.span())), error.to_string(), None))?;
            hosts.extend(named);
        }
        Ok(hosts)
    }

    /// Every `[services.NAME]`, validated; an error points at the bad key.
    pub fn services(&self) -> Result<BTreeMap<String, EnvConfig>, ConfigError> {
        let mut all = BTreeMap::new();
        for (name, raw) in &self.raw.services {
            let resolved = services::resolve(name.get_ref(), raw, &self.root).map_err(|(span, error)| {
                self.error(
                    Some(span.unwrap_or_else(|| name.span())),
                    error.to_string(),
                    "see docs/environments.md for the keys of [services.NAME]".to_string(),
                )
            })?;
            all.insert(name.get_ref().clone(), resolved);
        }
        Ok(all)
    }
}
