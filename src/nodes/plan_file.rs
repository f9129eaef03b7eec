//! [`NodePlan`]: the split of a selection across nodes, as `flotilla plan --out plan.json`
//! writes it and `flotilla run --plan plan.json` reads it (schema in `docs/plan-json.md`; bump
//! [`PLAN_SCHEMA_VERSION`] on incompatible changes). The file has no timestamp: every node that
//! computes the plan from the same inputs writes the same bytes.

use std::fmt;

use camino::{Utf8Path, Utf8PathBuf};
use serde::{Deserialize, Serialize};

/// Version of the `plan.json` schema.
pub const PLAN_SCHEMA_VERSION: u32 = 1;

/// The identity of a unit across nodes: its suite and its id (the test id, else the file).
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct UnitKey {
    /// The suite's name.
    pub suite: String,
    /// The test id of a split-out test, else the file.
    pub id: String,
}

impl fmt::Display for UnitKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.suite, self.id)
    }
}

/// One planned unit and the node (0-based) that runs it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PlannedUnit {
    /// The node that runs it, counting from 0.
    pub node: u32,
    /// The suite's name.
    pub suite: String,
    /// The test file (go: package folder), relative to the config folder.
    pub file: String,
    /// A single test's id, when the unit is a test split out of its file.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub test: Option<String>,
    /// The estimate the split used, in microseconds.
    pub estimate_us: u64,
}

impl PlannedUnit {
    /// Its identity across nodes.
    #[must_use]
    pub fn key(&self) -> UnitKey {
        UnitKey {
            suite: self.suite.clone(),
            id: self.test.clone().unwrap_or_else(|| self.file.clone()),
        }
    }

    pub(super) fn key_tuple(&self) -> (&str, &str, Option<&str>) {
        (&self.suite, &self.file, self.test.as_deref())
    }
}

/// The split of a selection across nodes.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct NodePlan {
    /// [`PLAN_SCHEMA_VERSION`].
    pub schema_version: u32,
    /// The split rule and its version ([`super::ALGORITHM`]).
    pub algorithm: String,
    /// FNV-1a over the algorithm, the node count and every unit with its estimate and node:
    /// the test list, the timing snapshot, N and the algorithm version, as 16 hex digits.
    pub plan_hash: String,
    /// How many nodes share the selection.
    pub nodes: u32,
    /// The predicted load of each node (sum of its units' estimates), in microseconds.
    pub loads_us: Vec<u64>,
    /// Every unit, sorted by suite, file and test.
    pub units: Vec<PlannedUnit>,
}

/// What is wrong with a plan file.
#[derive(Debug, thiserror::Error)]
pub enum PlanFileError {
    /// It could not be read.
    #[error("could not read the plan file `{path}`")]
    Read {
        path: Utf8PathBuf,
        #[source]
        source: std::io::Error,
    },
    /// It is not a plan.
    #[error("`{path}` is not a flotilla plan file (write one with `flotilla plan --nodes N --out {path}`)")]
    Parse {
        path: Utf8PathBuf,
        #[source]
        source: serde_json::Error,
    },
    /// A schema this flotilla does not know.
    #[error(
        "`{path}` has plan schema version {found}; this flotilla reads version {PLAN_SCHEMA_VERSION}: write the plan and run it with the same flotilla version"
    )]
    Version { path: Utf8PathBuf, found: u32 },
    /// Edited or damaged: its units do not give its hash.
    #[error(
        "`{path}` says plan {recorded} but its units hash to {computed}: the file was edited or damaged; write it again with `flotilla plan --out`"
    )]
    Hash {
        path: Utf8PathBuf,
        recorded: String,
        computed: String,
    },
    /// It could not be written.
    #[error("could not write the plan file `{path}`")]
    Write {
        path: Utf8PathBuf,
        #[source]
        source: std::io::Error,
    },
}

impl NodePlan {
    /// The units node `node` (0-based) runs, in file order.
    #[must_use]
    pub fn share(&self, node: u32) -> Vec<&PlannedUnit> {
        self.units.iter().filter(|u| u.node == node).collect()
    }

    /// The hash its units give now, when it is not the recorded one (an edited or damaged
    /// file); `None` when they match.
    #[must_use]
    pub fn changed_hash(&self) -> Option<String> {
        let computed = plan_hash(&self.algorithm, self.nodes, &self.units);
        (computed != self.plan_hash).then_some(computed)
    }

    /// Reads and checks a plan file.
    pub fn read(path: &Utf8Path) -> Result<Self, PlanFileError> {
        let text = fs_err::read_to_string(path).map_err(|source| PlanFileError::Read {
            path: path.to_path_buf(),
            source,
        })?;
        Self::parse(&text, path)
    }

    /// Parses and checks plan-file text (`path` names it in errors).
    pub fn parse(text: &str, path: &Utf8Path) -> Result<Self, PlanFileError> {
        #[derive(Deserialize)]
        struct Version {
            schema_version: u32,
        }
        let version: Version = serde_json::from_str(text).map_err(|source| PlanFileError::Parse {
            path: path.to_path_buf(),
            source,
        })?;
        if version.schema_version != PLAN_SCHEMA_VERSION {
            return Err(PlanFileError::Version {
                path: path.to_path_buf(),
                found: version.schema_version,
            });
        }
        let plan: Self = serde_json::from_str(text).map_err(|source| PlanFileError::Parse {
            path: path.to_path_buf(),
            source,
        })?;
        if let Some(computed) = plan.changed_hash() {
            return Err(PlanFileError::Hash {
                path: path.to_path_buf(),
                recorded: plan.plan_hash.clone(),
                computed,
            });
        }
        Ok(plan)
    }

    /// Writes the plan (atomically), as pretty JSON.
    pub fn write(&self, path: &Utf8Path) -> Result<(), PlanFileError> {
        crate::fsutil::write_atomic_with(path, |out| {
            serde_json::to_writer_pretty(&mut *out, self).map_err(std::io::Error::other)?;
            std::io::Write::write_all(out, b"\n")
        })
        .map_err(|source| PlanFileError::Write {
            path: path.to_path_buf(),
            source,
        })
    }
}

/// The plan hash: FNV-1a (64 bits) over the algorithm, N, and each unit's suite, file, test,
/// estimate and node, in the file's order. 16 lowercase hex digits.
pub(super) fn plan_hash(algorithm: &str, nodes: u32, units: &[PlannedUnit]) -> String {
    const OFFSET: u64 = 0xcbf2_9ce4_8422_2325;
    const PRIME: u64 = 0x0100_0000_01b3;
    let mut hash = OFFSET;
    let mut feed = |bytes: &[u8]| {
        for &byte in bytes {
            hash = (hash ^ u64::from(byte)).wrapping_mul(PRIME);
        }
        // A separator, so that ("ab", "c") and ("a", "bc") differ.
        hash = (hash ^ 0xff).wrapping_mul(PRIME);
    };
    feed(algorithm.as_bytes());
    feed(&nodes.to_le_bytes());
    for unit in units {
        feed(unit.suite.as_bytes());
        feed(unit.file.as_bytes());
        match &unit.test {
            Some(test) => feed(test.as_bytes()),
            None => feed(&[]),
        }
        feed(&unit.estimate_us.to_le_bytes());
        feed(&unit.node.to_le_bytes());
    }
    format!("{hash:016x}")
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;
    use crate::nodes::{NodeUnit, partition};

    fn sample() -> NodePlan {
        let units: Vec<NodeUnit> = (0..5)
            .map(|i| NodeUnit {
                suite: "s".into(),
                file: format!("t/{i}.sh"),
                test: (i == 3).then(|| "t/3.sh::x".to_string()),
                estimate: Duration::from_millis(100 * (i + 1)),
            })
            .collect();
        partition(&units, 2)
    }

    #[test]
    fn a_written_plan_reads_back_identical() {
        let dir = tempfile::tempdir().unwrap();
        let path = Utf8PathBuf::try_from(dir.path().join("plan.json")).unwrap();
        let plan = sample();
        plan.write(&path).unwrap();
        assert_eq!(NodePlan::read(&path).unwrap(), plan);
    }

    #[test]
    fn an_edited_plan_is_refused_with_both_hashes() {
        let mut plan = sample();
        plan.units[0].node = 1 - plan.units[0].node;
        let text = serde_json::to_string(&plan).unwrap();
        let error = NodePlan::parse(&text, Utf8Path::new("plan.json")).unwrap_err();
        assert!(matches!(error, PlanFileError::Hash { .. }), "{error}");
        assert!(error.to_string().contains(&plan.plan_hash), "{error}");
    }

    #[test]
    fn another_schema_version_is_refused() {
        let error = NodePlan::parse(r#"{"schema_version": 9}"#, Utf8Path::new("p.json")).unwrap_err();
        assert!(matches!(error, PlanFileError::Version { found: 9, .. }), "{error}");
        let error = NodePlan::parse("not json", Utf8Path::new("p.json")).unwrap_err();
        assert!(matches!(error, PlanFileError::Parse { .. }), "{error}");
    }
}
