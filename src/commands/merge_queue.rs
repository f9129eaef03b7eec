//! `flotilla merge --queue URL [--queue-step STEP] [DIR...]`: the build's one result from its
//! work queues' records (`crate::queue::merged_summary`), and the proof that every batch ran
//! exactly once. Node run folders, when given, add each test's attempts and output. Exit 0
//! (proven and green), 1 (a test failed or the proof failed), 2 (no queue of this build), 3
//! (Redis could not be reached).

use crate::error::Error;
use crate::exit_code;
use crate::queue::{QueueOptions, QueueRecord, merged_summary, read_record, redact_url, scopes_of_build};
use crate::results::RunSummary;
use crate::results::merge::MergeRecord;
use crate::settings::{MergeCommand, MergeQueue};

pub(super) fn merge_queue(command: &MergeCommand, queue: &MergeQueue) -> Result<u8, Error> {
    let records = read_records(queue)?;
    let nodes: Vec<RunSummary> = super::merge::read_summaries(command)?
        .into_iter()
        .filter(|(_, summary)| summary.merge.is_none())
        .map(|(_, summary)| summary)
        .collect();
    let from_folders = nodes.len();
    let merged = merged_summary(&records, nodes, format!("merged-queue-{}", queue.build));
    let record = merged.merge.as_ref().expect("a queue merge has its record");
    print!("{}", report(&records, record, from_folders));
    let (json, junit) = super::merge::write_merged(&merged, &command.out)?;
    println!("merged: {} ({json}, {junit})", merged.counts().closing_line());
    Ok(if merged.passed() {
        exit_code::SUCCESS
    } else {
        exit_code::TESTS_FAILED
    })
}

/// Every queue of the build (of `--queue-step` only, when given), read whole.
fn read_records(queue: &MergeQueue) -> Result<Vec<QueueRecord>, Error> {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(Error::Runtime)?;
    let options = QueueOptions::default();
    runtime.block_on(async {
        let mut scopes = scopes_of_build(&queue.url, &queue.build, options).await?;
        if let Some(step) = &queue.step {
            scopes.retain(|scope| &scope.step == step);
        }
        if scopes.is_empty() {
            let step = queue
                .step
                .as_ref()
                .map_or_else(String::new, |step| format!(" for step `{step}`"));
            return Err(Error::Merge {
                message: format!(
                    "the work queue at {} holds no queue of build `{}`{step}: run the merge in the same CI build as the nodes that ran `flotilla run --queue` (or set FLOTILLA_BUILD_ID to their build id); queues expire a day after they were seeded",
                    redact_url(&queue.url),
                    queue.build
                ),
                source: None,
            });
        }
        let mut records = Vec::with_capacity(scopes.len());
        for scope in scopes {
            records.push(read_record(&queue.url, scope, options).await?);
        }
        Ok(records)
    })
}

/// What the merge found: each queue, the nodes that wrote results, and one line per problem.
fn report(records: &[QueueRecord], record: &MergeRecord, from_folders: usize) -> String {
    use std::fmt::Write;
    let mut text = String::new();
    for queue in records {
        let check = queue.exactly_once();
        let _ = writeln!(
            text,
            "queue {}: {} batches, {} planned units, {} test results",
            queue.scope,
            queue.batches.len(),
            check.planned,
            check.tests
        );
        for problem in check.problems() {
            let _ = writeln!(text, "error: {problem}");
        }
    }
    for node in &record.reported {
        let retry = if node.retry > 0 {
            format!(", retry {}", node.retry)
        } else {
            String::new()
        };
        let _ = writeln!(
            text,
            "  node {} (index {}{retry}): results from {}",
            node.node + 1,
            node.node,
            node.run_id
        );
    }
    for node in &record.superseded {
        let _ = writeln!(
            text,
            "  node {} (index {}): retry {}'s results ({}) replaced by a later attempt's",
            node.node + 1,
            node.node,
            node.retry,
            node.run_id
        );
    }
    if from_folders > 0 {
        let _ = writeln!(
            text,
            "details (attempts, output) from {from_folders} run folder(s) where they hold the result that counts"
        );
    }
    let _ = writeln!(
        text,
        "{}",
        if record.proven() {
            "proven: every batch ran, and every test has exactly one result"
        } else {
            "not proven: see the errors above; the units without a result are errors in the merged reports"
        }
    );
    text
}
