//! [`NodeIdentity`]: which node of how many this is, and how often it was retried, with the
//! reason, from (first that says) `--partition I/N` (1-based, as nextest's and Playwright's
//! shards), then `FLOTILLA_NODE_INDEX`/`FLOTILLA_NODE_TOTAL` (0-based index), then the CI's own
//! variables (each converted to 0-based by `crate::ci`). Internally the index always counts
//! from 0.

use std::fmt;
use std::str::FromStr;

use crate::ci::CiContext;

/// `--partition I/N`: node I of N, counting from 1.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Partition {
    /// This node, counting from 1.
    pub number: u32,
    /// How many nodes.
    pub total: u32,
}

/// A malformed `--partition`.
#[derive(Debug, PartialEq, Eq, thiserror::Error)]
#[error(
    "`{text}` is not a partition: write I/N with 1 ≤ I ≤ N, e.g. 1/4 for the first of four nodes (I counts from 1)"
)]
pub struct PartitionError {
    text: String,
}

impl FromStr for Partition {
    type Err = PartitionError;
    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let error = || PartitionError { text: text.to_string() };
        let (number, total) = text.split_once('/').ok_or_else(error)?;
        let number: u32 = number.trim().parse().map_err(|_| error())?;
        let total: u32 = total.trim().parse().map_err(|_| error())?;
        if number == 0 || total == 0 || number > total {
            return Err(error());
        }
        Ok(Self { number, total })
    }
}

/// This node of a parallel step.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NodeIdentity {
    /// This node, counting from 0.
    pub index: u32,
    /// How many nodes share the step.
    pub total: u32,
    /// How many times this node was retried (0 on the first run, and when the CI does not say).
    pub retry: u32,
    /// Where index and total came from, for messages ("--partition 2/4", "CI_NODE_INDEX=2 …").
    pub source: String,
}

impl fmt::Display for NodeIdentity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "node {} of {} (index {}, from {})",
            self.index + 1,
            self.total,
            self.index,
            self.source
        )
    }
}

/// This node, if the step is split: `partition` first, else the CI context (which already
/// applied `FLOTILLA_NODE_*` over the CI's variables). `None`: not a parallel step.
#[must_use]
pub fn node_identity(partition: Option<Partition>, ci: &CiContext) -> Option<NodeIdentity> {
    let retry = ci.retry.as_ref().map_or(0, |r| r.value);
    if let Some(p) = partition {
        return Some(NodeIdentity {
            index: p.number - 1,
            total: p.total,
            retry,
            source: format!("--partition {}/{}", p.number, p.total),
        });
    }
    let node = ci.node.as_ref()?;
    Some(NodeIdentity {
        index: node.index.value,
        total: node.total.value,
        retry,
        source: format!("{}; {}", node.index.reason, node.total.reason),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ci(vars: &[(&str, &str)]) -> CiContext {
        let vars: Vec<(String, String)> = vars.iter().map(|(k, v)| ((*k).to_string(), (*v).to_string())).collect();
        crate::ci::detect(&|name: &str| vars.iter().find(|(k, _)| k == name).map(|(_, v)| v.clone())).unwrap()
    }

    #[test]
    fn partition_counts_from_one() {
        assert_eq!("2/4".parse(), Ok(Partition { number: 2, total: 4 }));
        for bad in ["0/4", "5/4", "4", "a/b", "1/0", ""] {
            assert!(bad.parse::<Partition>().is_err(), "{bad}");
        }
        let node = node_identity(Some("2/4".parse().unwrap()), &ci(&[])).unwrap();
        assert_eq!((node.index, node.total), (1, 4));
    }

    #[test]
    fn partition_wins_over_the_ci_and_the_ci_gives_0_based_indexes() {
        let gitlab = ci(&[
            ("GITLAB_CI", "true"),
            ("CI_NODE_INDEX", "3"),
            ("CI_NODE_TOTAL", "4"),
            ("CI_JOB_NAME", "t 3/4"),
        ]);
        let node = node_identity(None, &gitlab).unwrap();
        assert_eq!((node.index, node.total), (2, 4), "{node}");
        let node = node_identity(Some("1/2".parse().unwrap()), &gitlab).unwrap();
        assert_eq!((node.index, node.total), (0, 2));
        let buildkite = ci(&[
            ("BUILDKITE", "true"),
            ("BUILDKITE_PARALLEL_JOB", "3"),
            ("BUILDKITE_PARALLEL_JOB_COUNT", "4"),
            ("BUILDKITE_RETRY_COUNT", "1"),
        ]);
        let node = node_identity(None, &buildkite).unwrap();
        assert_eq!((node.index, node.total, node.retry), (3, 4, 1));
        assert!(node_identity(None, &ci(&[])).is_none());
    }
}
