//! [`QueueScope`]: which build's queue this is (the Redis keys it owns), and [`NodeId`]: which
//! node of the step is talking to it.

use std::fmt;

/// One queue: a build, a step of it, and the selection it runs.
///
/// Every node of a parallel step must compute the same scope: the build id is the CI's (kept
/// when one node is retried), the step tells two parallel steps of one build apart, and the
/// plan hash keeps nodes that selected different tests (another commit, another `--suite`) from
/// sharing a queue.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct QueueScope {
    /// Shared by every node of the build, unchanged on a retry.
    pub build: String,
    /// The parallel step within the build.
    pub step: String,
    /// A fingerprint of what the step runs (see [`QueueScope::selection_hash`]).
    pub plan_hash: String,
}

/// The consumer group every node joins.
pub(crate) const GROUP: &str = "flotilla";

impl QueueScope {
    /// A fingerprint of the test selection: each suite's name and its files, in order. Not the
    /// estimates: nodes whose histories differ must still share one queue (the seeder's
    /// estimates win).
    #[must_use]
    pub fn selection_hash<'a>(suites: impl IntoIterator<Item = (&'a str, &'a [String])>) -> String {
        let mut hash = 0xcbf2_9ce4_8422_2325_u64;
        let mut eat = |bytes: &[u8]| {
            for &byte in bytes {
                hash = (hash ^ u64::from(byte)).wrapping_mul(0x0100_0000_01b3);
            }
            hash = (hash ^ 0xff).wrapping_mul(0x0100_0000_01b3);
        };
        for (suite, files) in suites {
            eat(suite.as_bytes());
            for file in files {
                eat(file.as_bytes());
            }
        }
        format!("{hash:016x}")
    }

    /// Every key starts with this. The braces are a Redis Cluster hash tag: all of one queue's
    /// keys live on one node, so its scripts may touch them together.
    fn prefix(&self) -> String {
        format!("flotilla:{{{}/{}/{}}}", self.build, self.step, self.plan_hash)
    }

    pub(crate) fn keys(&self) -> Keys {
        Keys { prefix: self.prefix() }
    }
}

impl fmt::Display for QueueScope {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "build {} step {} plan {}", self.build, self.step, self.plan_hash)
    }
}

/// The names of one queue's keys (docs/queue.md lists them).
pub(crate) struct Keys {
    prefix: String,
}

impl Keys {
    /// Who seeded the queue (the `SET NX` guard).
    pub(crate) fn init(&self) -> String {
        format!("{}:init", self.prefix)
    }
    /// The stream of batches.
    pub(crate) fn stream(&self) -> String {
        format!("{}:batches", self.prefix)
    }
    /// How many batches were seeded, and by whom.
    pub(crate) fn meta(&self) -> String {
        format!("{}:meta", self.prefix)
    }
    /// Batch id → its result (JSON); the first one written wins.
    pub(crate) fn results(&self) -> String {
        format!("{}:results", self.prefix)
    }
    /// The stream entry ids node `index` took, in order.
    pub(crate) fn taken(&self, index: u32) -> String {
        format!("{}:taken:{index}", self.prefix)
    }
    /// The node indices that took anything.
    pub(crate) fn takers(&self) -> String {
        format!("{}:takers", self.prefix)
    }
}

/// One node of the step: its index (from 0) of `total`, how often the CI retried it, and a
/// consumer name unique to this process (a retried node must not inherit a dead one's leases).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NodeId {
    pub index: u32,
    pub total: u32,
    pub retry: u32,
    pub consumer: String,
}

impl NodeId {
    /// Node `index` of `total` on its `retry`-th retry, with a fresh consumer name.
    #[must_use]
    pub fn new(index: u32, total: u32, retry: u32) -> Self {
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.subsec_nanos());
        let consumer = format!("node{index}.r{retry}.{}.{nanos:09}", std::process::id());
        Self {
            index,
            total: total.max(1),
            retry,
            consumer,
        }
    }
}

impl fmt::Display for NodeId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "node {} of {}", self.index, self.total)?;
        if self.retry > 0 {
            write!(f, " (retry {})", self.retry)?;
        }
        Ok(())
    }
}

/// `url` without its password, for messages and logs.
#[must_use]
pub fn redact_url(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(scheme), Some(at)) if at > scheme => {
            let userinfo = &url[scheme + 3..at];
            let user = userinfo.split(':').next().unwrap_or("");
            let hidden = if userinfo.contains(':') {
                format!("{user}:***")
            } else {
                "***".into()
            };
            format!("{}{hidden}{}", &url[..scheme + 3], &url[at..])
        }
        _ => url.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_password_never_reaches_a_message() {
        assert_eq!(redact_url("redis://:secret@host:6379/0"), "redis://:***@host:6379/0");
        assert_eq!(redact_url("redis://me:secret@host"), "redis://me:***@host");
        assert_eq!(redact_url("redis://127.0.0.1:6379"), "redis://127.0.0.1:6379");
    }

    #[test]
    fn the_selection_hash_sees_files_and_suites_but_not_their_grouping() {
        let a = vec!["a.sh".to_string(), "b.sh".to_string()];
        let b = vec!["a.sh".to_string()];
        let one = QueueScope::selection_hash([("s", a.as_slice())]);
        assert_eq!(one, QueueScope::selection_hash([("s", a.as_slice())]));
        assert_ne!(one, QueueScope::selection_hash([("s", b.as_slice())]));
        assert_ne!(one, QueueScope::selection_hash([("t", a.as_slice())]));
        let ab = vec!["ab.sh".to_string()];
        let split = vec!["a".to_string(), "b.sh".to_string()];
        assert_ne!(
            QueueScope::selection_hash([("s", ab.as_slice())]),
            QueueScope::selection_hash([("s", split.as_slice())])
        );
    }

    #[test]
    fn keys_share_one_hash_tag() {
        let scope = QueueScope {
            build: "b1".into(),
            step: "tests".into(),
            plan_hash: "00ff".into(),
        };
        let keys = scope.keys();
        assert_eq!(keys.stream(), "flotilla:{b1/tests/00ff}:batches");
        assert_eq!(keys.taken(3), "flotilla:{b1/tests/00ff}:taken:3");
    }
}
