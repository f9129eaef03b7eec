//! [`Owner`]: the flotilla process that owns an environment (pid, start time, machine), written
//! into labels so that `gc` can tell the leftovers of a dead run from the environments of a live one.

use std::collections::BTreeMap;

use super::naming::{LABEL_OWNER_HOST, LABEL_OWNER_PID, LABEL_OWNER_START};

/// Identifies a process across pid reuse: pid plus start time, on one machine.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Owner {
    /// Process id.
    pub pid: u32,
    /// Start time in clock ticks since boot (`/proc/<pid>/stat` field 22); 0 if unknown.
    pub start: u64,
    /// The machine's hostname.
    pub host: String,
}

/// Whether an owner recorded in labels is still running.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Liveness {
    /// The same process is running on this machine.
    Alive,
    /// It ran on this machine and is gone (or its pid now belongs to another process).
    Gone,
    /// It ran on another machine (or the labels are incomplete): flotilla cannot judge it.
    Unknown,
}

impl Owner {
    /// This process.
    #[must_use]
    pub fn current() -> Self {
        let pid = std::process::id();
        Self {
            pid,
            start: start_time(pid).unwrap_or(0),
            host: hostname(),
        }
    }

    /// Another running process on this machine (tests use it to stand for a flotilla run).
    #[must_use]
    pub fn of_pid(pid: u32) -> Option<Self> {
        Some(Self {
            pid,
            start: start_time(pid)?,
            host: hostname(),
        })
    }

    /// The labels that record this owner.
    #[must_use]
    pub fn labels(&self) -> BTreeMap<String, String> {
        [
            (LABEL_OWNER_PID, self.pid.to_string()),
            (LABEL_OWNER_START, self.start.to_string()),
            (LABEL_OWNER_HOST, self.host.clone()),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_string(), v))
        .collect()
    }

    /// Judges the owner recorded in `labels` from this machine.
    #[must_use]
    pub fn liveness_of(labels: &BTreeMap<String, String>) -> Liveness {
        let pid = labels.get(LABEL_OWNER_PID).and_then(|p| p.parse::<u32>().ok());
        let start = labels.get(LABEL_OWNER_START).and_then(|s| s.parse::<u64>().ok());
        let host = labels.get(LABEL_OWNER_HOST);
        let (Some(pid), Some(host)) = (pid, host) else {
            return Liveness::Unknown;
        };
        if *host != hostname() {
            return Liveness::Unknown;
        }
        match start_time(pid) {
            None => Liveness::Gone,
            Some(now) if start.is_some_and(|s| s != 0 && s != now) => Liveness::Gone,
            Some(_) => Liveness::Alive,
        }
    }
}

/// Start time of a live (non-zombie) process, in clock ticks since boot.
fn start_time(pid: u32) -> Option<u64> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    // The command name (field 2) may contain spaces and parentheses: split after the last `)`.
    let rest = stat.rsplit_once(')')?.1;
    let fields: Vec<&str> = rest.split_whitespace().collect();
    // rest starts at field 3 (state); field 22 (starttime) is index 19.
    if fields.first() == Some(&"Z") {
        return None;
    }
    fields.get(19)?.parse().ok()
}

fn hostname() -> String {
    std::fs::read_to_string("/proc/sys/kernel/hostname")
        .map(|h| h.trim().to_string())
        .ok()
        .filter(|h| !h.is_empty())
        .or_else(|| std::env::var("HOSTNAME").ok())
        .unwrap_or_else(|| "unknown".to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn this_process_is_alive_and_a_dead_one_is_gone() {
        let me = Owner::current();
        assert!(me.start > 0);
        assert_eq!(Owner::liveness_of(&me.labels()), Liveness::Alive);

        let mut child = std::process::Command::new("true").spawn().unwrap();
        let pid = child.id();
        child.wait().unwrap();
        let dead = Owner {
            pid,
            start: 1,
            host: me.host.clone(),
        };
        assert_eq!(Owner::liveness_of(&dead.labels()), Liveness::Gone);

        let reused = Owner {
            start: me.start + 1,
            ..me.clone()
        };
        assert_eq!(
            Owner::liveness_of(&reused.labels()),
            Liveness::Gone,
            "pid reuse is detected"
        );

        let elsewhere = Owner {
            host: "another-machine".into(),
            ..me
        };
        assert_eq!(Owner::liveness_of(&elsewhere.labels()), Liveness::Unknown);
        assert_eq!(Owner::liveness_of(&BTreeMap::new()), Liveness::Unknown);
    }
}
