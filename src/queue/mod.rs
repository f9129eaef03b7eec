//! A work queue shared by the nodes of a CI parallel step, on Redis Streams. The main type is
//! [`QueueClient`]: one node's connection to one build's queue.
//!
//! The first node seeds the queue ([`QueueClient::seed`]: a `SET NX` guard and every batch
//! `XADD`ed in one script, so no node ever sees half a queue); nodes take batches through one
//! consumer group ([`QueueClient::take`], which also reclaims a dead node's batch once its lease
//! lapsed and fails a batch delivered too often), keep their leases with
//! [`QueueClient::heartbeat`], and write each batch's results before acknowledging it
//! ([`QueueClient::complete`]: first result wins). Every batch a node index takes is recorded,
//! so a retried node replays exactly those ([`QueueClient::replay`]). [`QueueClient::record`]
//! reads it all back for the merge step ([`QueueRecord`], [`read_record`], and
//! [`scopes_of_build`] to find a build's queues), and [`merged_summary`] turns the records into
//! the build's one result. [`cut_batches`] budgets the batches
//! and [`decide_fallback`] is what a node does when Redis cannot be reached. The protocol and
//! its keys are documented in `docs/queue.md`.

mod batch;
mod client;
mod error;
mod fallback;
mod merged;
mod record;
mod result;
mod scope;
mod scripts;

pub use batch::{QueueBatch, QueueUnit, SeedSuite, cut_batches};
pub use client::{Lease, QueueClient, QueueOptions, Taken, read_record, scopes_of_build};
pub use error::QueueError;
pub use fallback::{Fallback, decide_fallback, static_share};
pub use merged::merged_summary;
pub use record::{ExactlyOnce, PendingBatch, QueueRecord, RecordedBatch, RecordedTest};
pub use result::{BatchResult, BatchStatus, TestRecord};
pub use scope::{NodeId, QueueScope, redact_url};
