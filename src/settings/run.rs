//! [`RunCommand`]: everything `flotilla run` acts on, resolved from its arguments and the
//! variables (the file and profile are resolved from [`RunCommand::overrides`] by `prepare`).

use super::layer::{Flags, command_overrides};
use super::{Global, Variables};
use crate::cli::{GlobalArgs, MessageFormat, NodeArgs, RunArgs};
use crate::config::Overrides;
use crate::error::Error;

/// `flotilla run`, resolved.
#[derive(Clone, Debug)]
pub struct RunCommand {
    /// The global options.
    pub global: Global,
    /// What the command line and variables give the configuration, and the CI context.
    pub overrides: Overrides,
    /// `--message-format json`: events on stdout, the terminal view on stderr.
    pub json: bool,
    /// `-q`: only failures and the summary.
    pub quiet: bool,
    /// `--explain`: print the settings and run nothing.
    pub explain: bool,
    /// `--rerun-failed`: only what failed or did not run in the latest run.
    pub rerun_failed: bool,
    /// `--changed-since REF`: only the suites whose `inputs` changed since REF.
    pub changed_since: Option<String>,
    /// `--no-cache`: run every suite, cached or not.
    pub no_cache: bool,
    /// Running in CI (`CI` set): plain lines, no progress bar.
    pub in_ci: bool,
    /// Which node of a parallel step this is, and where its share comes from.
    pub node: NodeOptions,
    /// `--queue URL`: take work from a Redis queue shared by the step's nodes.
    pub queue: Option<QueueOptions>,
    /// Where this CI shows a job summary (GitHub's step summary, a Buildkite annotation).
    pub ci_summary: Option<crate::report::ci_summary::CiSummary>,
}

/// `--queue URL`, `--queue-lease`, `--queue-max-deliveries`, and the step the queue is for.
#[derive(Clone, Debug)]
pub struct QueueOptions {
    /// The Redis URL.
    pub url: String,
    /// A node silent this long loses its batch.
    pub lease: std::time::Duration,
    /// Deliveries after which a batch is reported failed.
    pub max_deliveries: u32,
    /// The CI step the queue is scoped to (`FLOTILLA_STEP_ID` or the CI's own step id).
    pub step: String,
}

/// `--partition`, `--plan` and `--allow-new-split`.
#[derive(Clone, Debug, Default)]
pub struct NodeOptions {
    /// `--partition I/N`.
    pub partition: Option<crate::nodes::Partition>,
    /// `--plan FILE`.
    pub plan: Option<camino::Utf8PathBuf>,
    /// `--allow-new-split`.
    pub allow_new_split: bool,
}

impl RunCommand {
    /// Resolves `flotilla run`'s arguments.
    pub fn resolve(global: &GlobalArgs, args: &RunArgs, variables: &Variables) -> Result<Self, Error> {
        // Destructured without `..`: a new flag must be handled here.
        let RunArgs {
            select,
            workers,
            retries,
            flaky_result,
            max_fail,
            rerun_failed,
            changed_since,
            no_cache,
            quiet,
            explain,
            queue,
            queue_lease,
            queue_max_deliveries,
            node,
        } = args;
        let NodeArgs {
            partition,
            plan,
            allow_new_split,
        } = node;
        let overrides = command_overrides(
            select,
            Flags {
                workers: workers.map(|w| w.0),
                retries: *retries,
                flaky_result: *flaky_result,
                max_fail: *max_fail,
            },
            variables,
        )?;
        let ci_summary = overrides
            .ci
            .as_ref()
            .and_then(|ci| crate::report::ci_summary::CiSummary::detect(ci.vendor.value, &variables.lookup()));
        Ok(Self {
            global: Global::resolve(global, variables),
            overrides,
            ci_summary,
            json: select.message_format == MessageFormat::Json,
            quiet: *quiet,
            explain: *explain,
            rerun_failed: *rerun_failed,
            changed_since: changed_since.clone(),
            no_cache: *no_cache,
            in_ci: variables.in_ci(),
            node: NodeOptions {
                partition: *partition,
                plan: plan.clone(),
                allow_new_split: *allow_new_split,
            },
            queue: queue.as_ref().map(|url| QueueOptions {
                url: url.clone(),
                lease: *queue_lease,
                max_deliveries: *queue_max_deliveries,
                step: crate::ci::step_id(&variables.lookup()),
            }),
        })
    }
}
