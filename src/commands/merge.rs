//! `flotilla merge DIR... [--out DIR] [--plan FILE]`: read every node's summary.json (and the
//! plan.json next to it), prove every planned unit ran exactly once, write one junit.xml and
//! summary.json, and name what went wrong. Exit 0 (proven and green), 1 (a test failed, or the
//! proof failed: a unit missing or run twice, a node that never reported, another plan), 2 (no
//! node result or plan could be read). With `--queue URL` the build's work queue is merged
//! instead (`merge_queue.rs`, which uses this file's readers and writers).

use std::collections::BTreeMap;

use camino::{Utf8Path, Utf8PathBuf};

use crate::error::Error;
use crate::exit_code;
use crate::gate::find_summaries;
use crate::nodes::NodePlan;
use crate::results::merge::{MergeRecord, NodeView, combine, parse_summary, prove, ran_units};
use crate::results::{RunSummary, write_junit, write_summary};
use crate::settings::MergeCommand;

struct NodeResult {
    path: Utf8PathBuf,
    summary: RunSummary,
}

pub(super) fn merge(command: &MergeCommand) -> Result<u8, Error> {
    let mut results = Vec::new();
    for (path, summary) in read_summaries(command)? {
        if summary.node.is_none() {
            if summary.merge.is_none() {
                eprintln!(
                    "warning: skipped `{path}`: not a node's result (no `node` field; nodes run with `flotilla run --partition I/N`, `--plan plan.json` or inside the CI's parallel step)"
                );
            }
            continue;
        }
        results.push(NodeResult { path, summary });
    }
    let plan = the_plan(command.plan.as_deref(), &results)?;
    let views: Vec<NodeView> = results
        .iter()
        .map(|r| {
            let node = r.summary.node.as_ref().expect("node results only");
            NodeView {
                source: r.path.parent().map_or_else(|| r.path.to_string(), ToString::to_string),
                node: node.index,
                retry: node.retry,
                run_id: r.summary.run_id.clone(),
                plan_hash: node.plan_hash.clone(),
                ran: ran_units(&plan, &r.summary),
                unplanned: node.unplanned.clone(),
            }
        })
        .collect();
    let (record, taken) = prove(&plan, &views);
    let mut slots: Vec<Option<NodeResult>> = results.into_iter().map(Some).collect();
    let parts: Vec<RunSummary> = taken
        .iter()
        .filter_map(|&i| slots[i].take().map(|r| r.summary))
        .collect();
    print!("{}", report(&record));
    let run_id = format!("merged-{}", plan.plan_hash);
    let merged = combine(parts, record, &plan, run_id);
    let out = &command.out;
    let (json, junit) = write_merged(&merged, out)?;
    plan.write(&out.join("plan.json"))
        .map_err(crate::nodes::NodeError::from)?;
    println!("merged: {} ({json}, {junit})", merged.counts().closing_line());
    Ok(if merged.passed() {
        exit_code::SUCCESS
    } else {
        exit_code::TESTS_FAILED
    })
}

/// Every summary.json under the command's folders, parsed, except those under `--out` (an
/// earlier merge written there is not a node's result).
pub(super) fn read_summaries(command: &MergeCommand) -> Result<Vec<(Utf8PathBuf, RunSummary)>, Error> {
    let found = find_summaries(&command.roots).map_err(|error| Error::Usage {
        message: error.to_string(),
    })?;
    let out_canonical = command.out.canonicalize_utf8().ok();
    let mut summaries = Vec::new();
    for found in found {
        let inside_out = out_canonical
            .as_ref()
            .is_some_and(|o| found.path.canonicalize_utf8().is_ok_and(|p| p.starts_with(o)));
        if inside_out {
            continue;
        }
        let text =
            fs_err::read_to_string(&found.path).map_err(|source| Error::io("could not read", &found.path, source))?;
        let summary = parse_summary(&text).map_err(|source| Error::Merge {
            message: format!("`{}` cannot be merged", found.path),
            source: Some(Box::new(source)),
        })?;
        summaries.push((found.path, summary));
    }
    Ok(summaries)
}

/// Writes the merged junit.xml and summary.json into `out`; returns the summary's path and the
/// JUnit's.
pub(super) fn write_merged(merged: &RunSummary, out: &Utf8Path) -> Result<(Utf8PathBuf, Utf8PathBuf), Error> {
    fs_err::create_dir_all(out).map_err(|source| Error::io("could not create", out, source))?;
    let junit = out.join("junit.xml");
    write_junit(merged, &junit).map_err(|source| Error::Report {
        what: "JUnit report",
        path: junit.clone(),
        source,
    })?;
    let json = out.join("summary.json");
    write_summary(merged, &json).map_err(|source| Error::Report {
        what: "summary",
        path: json.clone(),
        source,
    })?;
    Ok((json, junit))
}

/// The plan to prove against: `--plan`, else the plan.json next to the node summaries, the one
/// most of them ran a share of (the others are then reported as from another plan).
fn the_plan(given: Option<&Utf8Path>, results: &[NodeResult]) -> Result<NodePlan, Error> {
    if let Some(path) = given {
        return NodePlan::read(path).map_err(|e| crate::nodes::NodeError::from(e).into());
    }
    let mut votes: BTreeMap<&str, usize> = BTreeMap::new();
    for result in results {
        *votes
            .entry(&result.summary.node.as_ref().expect("node results only").plan_hash)
            .or_default() += 1;
    }
    let Some((&hash, _)) = votes
        .iter()
        .max_by_key(|&(hash, count)| (*count, std::cmp::Reverse(*hash)))
    else {
        return Err(Error::Merge {
            message: "no node's summary.json was found: pass the folders the nodes wrote (their out-dir or the downloaded artifacts), and `--plan plan.json` to name the nodes that never reported".to_string(),
            source: None,
        });
    };
    for result in results
        .iter()
        .filter(|r| r.summary.node.as_ref().is_some_and(|n| n.plan_hash == hash))
    {
        let node = result.summary.node.as_ref().expect("node results only");
        let path = result.path.with_file_name(&node.plan_file);
        if let Ok(plan) = NodePlan::read(&path) {
            return Ok(plan);
        }
    }
    Err(Error::Merge {
        message: format!("no readable plan.json of plan {hash} next to the node summaries: pass `--plan plan.json`"),
        source: None,
    })
}

/// What the merge found, one line per node and per problem.
fn report(record: &MergeRecord) -> String {
    use std::fmt::Write;
    let mut text = String::new();
    let _ = writeln!(
        text,
        "plan {}: {} units on {} nodes; {} node(s) reported",
        record.plan_hash,
        record.planned,
        record.nodes,
        record.reported.len()
    );
    for node in &record.reported {
        let retry = if node.retry > 0 {
            format!(", retry {}", node.retry)
        } else {
            String::new()
        };
        let _ = writeln!(
            text,
            "  node {} (index {}{retry}): {} from {}",
            node.node + 1,
            node.node,
            node.run_id,
            node.source
        );
    }
    for node in &record.superseded {
        let _ = writeln!(
            text,
            "  node {} (index {}): retry {} at {} replaced by a later attempt",
            node.node + 1,
            node.node,
            node.retry,
            node.source
        );
    }
    for silent in &record.never_reported {
        let _ = writeln!(
            text,
            "error: node {} of {} (index {}) never reported; its {} unit(s) ran nowhere: {}",
            silent.node + 1,
            record.nodes,
            silent.node,
            silent.units.len(),
            list(&silent.units)
        );
    }
    for missing in &record.missing {
        let _ = writeln!(
            text,
            "error: `{}: {}` was planned on node {} (index {}), which did not run it",
            missing.suite,
            missing.id,
            missing.node + 1,
            missing.node
        );
    }
    for duplicate in &record.duplicates {
        let nodes: Vec<String> = duplicate.nodes.iter().map(|n| format!("index {n}")).collect();
        let _ = writeln!(
            text,
            "error: `{}: {}` ran on {} nodes ({})",
            duplicate.suite,
            duplicate.id,
            duplicate.nodes.len(),
            nodes.join(", ")
        );
    }
    for other in &record.plan_hash_mismatches {
        let _ = writeln!(
            text,
            "error: {} (node index {}) ran a share of plan {}, not {}: every node must run the same plan (pin it with `flotilla plan --out plan.json` and `flotilla run --plan plan.json`)",
            other.source, other.node, other.plan_hash, record.plan_hash
        );
    }
    if !record.unplanned.is_empty() {
        let files: Vec<String> = record
            .unplanned
            .iter()
            .map(|f| format!("{}: {}", f.suite, f.file))
            .collect();
        let _ = writeln!(
            text,
            "error: {} discovered file(s) are in no node's share and ran nowhere: {}; write the plan again at this commit",
            files.len(),
            list(&files)
        );
    }
    if record.proven() {
        let _ = writeln!(text, "every planned unit ran exactly once");
    }
    text
}

fn list(items: &[String]) -> String {
    let mut text = items
        .iter()
        .take(10)
        .map(|i| format!("`{i}`"))
        .collect::<Vec<_>>()
        .join(", ");
    if items.len() > 10 {
        text.push_str(&format!(" and {} more", items.len() - 10));
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::nodes::FileKey;
    use crate::results::merge::{Duplicate, HashMismatch, MissingUnit, NeverReported, ReportedNode};

    #[test]
    fn the_report_names_every_problem() {
        let record = MergeRecord {
            plan_hash: "0123456789abcdef".into(),
            nodes: 3,
            planned: 9,
            reported: vec![
                ReportedNode {
                    node: 0,
                    retry: 0,
                    source: "artifacts/node-0".into(),
                    run_id: "20261202-101500-aaaa".into(),
                },
                ReportedNode {
                    node: 2,
                    retry: 1,
                    source: "artifacts/node-2-retry".into(),
                    run_id: "20261202-102000-cccc".into(),
                },
            ],
            superseded: vec![ReportedNode {
                node: 2,
                retry: 0,
                source: "artifacts/node-2".into(),
                run_id: "20261202-101500-bbbb".into(),
            }],
            never_reported: vec![NeverReported {
                node: 1,
                units: vec!["api: tests/test_users.py".into(), "api: tests/test_orders.py".into()],
            }],
            missing: vec![MissingUnit {
                suite: "api".into(),
                id: "tests/test_auth.py".into(),
                node: 0,
            }],
            duplicates: vec![Duplicate {
                suite: "api".into(),
                id: "tests/test_slow.py::test_big".into(),
                nodes: vec![0, 2],
            }],
            plan_hash_mismatches: vec![HashMismatch {
                source: "artifacts/stale".into(),
                node: 1,
                plan_hash: "fedcba9876543210".into(),
            }],
            unplanned: vec![FileKey {
                suite: "api".into(),
                file: "tests/test_new.py".into(),
            }],
            queue: None,
        };
        insta::assert_snapshot!(report(&record));
    }
}
