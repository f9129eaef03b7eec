//! [`QueueError`]: why a node could not use the work queue, with what to do about it.

use std::time::Duration;

/// Why the work queue could not be used. URLs are shown without their password.
#[derive(Debug, thiserror::Error)]
pub enum QueueError {
    /// `--queue` is not a Redis URL.
    #[error("`{url}` is not a Redis URL; pass --queue redis://HOST:PORT (or rediss:// for TLS)")]
    InvalidUrl {
        url: String,
        #[source]
        source: redis::RedisError,
    },

    /// Nothing answered at the URL.
    #[error(
        "cannot reach the work queue at {url}; start Redis there (docs/queue.md) or fix --queue: every node of the step must reach the same server"
    )]
    Unreachable {
        url: String,
        #[source]
        source: redis::RedisError,
    },

    /// Connecting took too long.
    #[error(
        "the work queue at {url} did not answer within {after:?}; check that Redis runs there and that this node may reach it"
    )]
    ConnectTimeout { url: String, after: Duration },

    /// A command failed once connected (the server went away, or refused it).
    #[error("the work queue at {url} failed to {action}; check the Redis server's log (it must be Redis 6.2 or later)")]
    Command {
        url: String,
        action: &'static str,
        #[source]
        source: redis::RedisError,
    },

    /// An entry in the queue is not what flotilla wrote (another tool, or another version).
    #[error(
        "entry `{entry}` of the work queue at {url} is not a flotilla batch; the keys under `{prefix}` belong to something else: use another database or build id"
    )]
    BadEntry {
        url: String,
        entry: String,
        prefix: String,
        #[source]
        source: serde_json::Error,
    },

    /// A retried node found nothing to replay.
    #[error(
        "node {node} is a retry (retry {retry}), but the work queue at {url} has no record of what it ran (the queue expired after a day, or the first attempt never reached it); a retried node only replays its own batches: re-run the whole build"
    )]
    NothingToReplay { url: String, node: u32, retry: u32 },

    /// Redis cannot be reached and this node is a retry: the static fallback could run a
    /// different set of tests than the first attempt did.
    #[error(
        "cannot reach the work queue at {url}, and node {node} is a retry (retry {retry}): a retry must replay exactly what the first attempt ran, which only the queue knows; bring Redis back and retry again, or re-run the whole build"
    )]
    UnreachableOnRetry {
        url: String,
        node: u32,
        retry: u32,
        #[source]
        source: Box<QueueError>,
    },
}

impl QueueError {
    /// Whether the server could not be reached at all (as opposed to misbehaving once reached).
    #[must_use]
    pub fn is_unreachable(&self) -> bool {
        matches!(self, Self::Unreachable { .. } | Self::ConnectTimeout { .. })
    }

    /// Whether it is the user's setup that is wrong (exit 2) rather than the environment (exit 3).
    #[must_use]
    pub fn is_usage(&self) -> bool {
        matches!(self, Self::InvalidUrl { .. } | Self::NothingToReplay { .. })
    }
}
