//! Command-line arguments (clap derive). Nothing here runs anything: `crate::commands` does.

use camino::Utf8PathBuf;
use clap::{Args, Parser, Subcommand, ValueEnum};

use crate::styles::ColorChoice;

/// Fast, trustworthy CI test runs: split by measured durations, run in parallel, report.
#[derive(Debug, Parser)]
#[command(name = "flotilla", version, about, propagate_version = true)]
pub struct Cli {
    #[command(flatten)]
    pub global: GlobalArgs,
    #[command(subcommand)]
    pub command: Command,
}

/// Options shared by every subcommand.
#[derive(Debug, Args)]
pub struct GlobalArgs {
    /// Run as if started in DIR.
    #[arg(short = 'C', long = "directory", value_name = "DIR", global = true)]
    pub directory: Option<Utf8PathBuf>,
    /// Configuration file (default: flotilla.toml in the current folder).
    #[arg(long, value_name = "FILE", global = true)]
    pub config: Option<Utf8PathBuf>,
    /// When to use colours (NO_COLOR is honoured by `auto`).
    #[arg(long, value_enum, default_value_t = ColorChoice::Auto, global = true)]
    pub color: ColorChoice,
}

/// The subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run the test suites in parallel and write reports.
    Run(RunArgs),
    /// Show how the tests would be split across workers, without running them.
    Plan(PlanArgs),
    /// List discovered test files with their estimates and where each estimate came from.
    List(ListArgs),
    /// Pass only if every expected summary.json under DIR... is present and green.
    Gate(GateArgs),
    /// Combine the run folders of a parallel step's nodes into one result, and prove every
    /// planned test ran exactly once.
    Merge(MergeArgs),
    /// Remove compose environments whose owning flotilla run is gone (e.g. after SIGKILL).
    Gc,
    /// Re-render report.html from run folders (their events.jsonl and summary.json); runs nothing.
    Report(ReportArgs),
    /// Carry the timing history between CI builds and nodes: export, import, seed from JUnit.
    History(HistoryArgs),
}

/// `flotilla history`.
#[derive(Debug, Args)]
pub struct HistoryArgs {
    #[command(subcommand)]
    pub command: HistoryCommand,
}

/// `flotilla history export|import|prune`.
#[derive(Debug, Subcommand)]
pub enum HistoryCommand {
    /// Write the history to FILE (gzip-compressed JSON lines, docs/history-format.md).
    Export(HistoryExportArgs),
    /// Merge exports (every node's, or the default branch's) into the history; with --junit,
    /// seed timings from JUnit XML written by other tools.
    Import(HistoryImportArgs),
    /// Drop what the history's bounds no longer keep and compact the file.
    Prune,
}

/// `flotilla history export`.
#[derive(Debug, Args)]
pub struct HistoryExportArgs {
    /// The export to write (replaced atomically).
    #[arg(value_name = "FILE")]
    pub file: Utf8PathBuf,
}

/// `flotilla history import`.
#[derive(Debug, Args)]
pub struct HistoryImportArgs {
    /// Exports to merge (or, with --junit, JUnit XML reports).
    #[arg(value_name = "FILE", required = true)]
    pub files: Vec<Utf8PathBuf>,
    /// The files are JUnit XML reports written by other tools: seed each test's timing.
    #[arg(long)]
    pub junit: bool,
    /// With --junit: the suite the reports' tests belong to (default: the suite whose files
    /// each test's file is one of).
    #[arg(long, value_name = "NAME", requires = "junit")]
    pub suite: Option<String>,
}

/// Which suites, and the worker count.
#[derive(Debug, Args)]
pub struct SelectArgs {
    /// Only run this suite (repeatable).
    #[arg(long = "suite", value_name = "NAME")]
    pub suites: Vec<String>,
    /// Only run tests matching EXPR, in the runner's own filter language (pytest -m, rspec
    /// --tag, jest -t, go -run, nextest -E, cucumber --tags); replaces each suite's `select`.
    #[arg(long, value_name = "EXPR")]
    pub select: Option<String>,
    /// Use this `[profile.NAME]` instead of the one chosen from the CI context (or set
    /// FLOTILLA_PROFILE).
    #[arg(long, value_name = "NAME")]
    pub profile: Option<String>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = MessageFormat::Human)]
    pub message_format: MessageFormat,
}

/// `flotilla list`.
#[derive(Debug, Args)]
pub struct ListArgs {
    #[command(flatten)]
    pub select: SelectArgs,
    /// Number of workers (decides which files are big enough to split).
    #[arg(long, short = 'j', value_name = "N")]
    pub workers: Option<WorkersArg>,
}

/// `flotilla run`.
#[derive(Debug, Args)]
pub struct RunArgs {
    #[command(flatten)]
    pub select: SelectArgs,
    /// Number of workers ("auto" = CPU count; overrides FLOTILLA_WORKERS, profiles, [run] workers).
    #[arg(long, short = 'j', value_name = "N")]
    pub workers: Option<WorkersArg>,
    /// Re-run failed tests up to N times (overrides FLOTILLA_RETRIES, profiles, each suite's `retries`).
    #[arg(long, value_name = "N")]
    pub retries: Option<u32>,
    /// Whether a flaky test (failed, then passed on a retry) passes or fails the run.
    #[arg(long, value_enum, value_name = "POLICY")]
    pub flaky_result: Option<crate::results::FlakyResult>,
    /// Stop after N failed tests: start no more jobs, let the running ones finish (`N:wait`, the
    /// default) or stop them (`N:immediate`); the tests left are reported not run. Flaky tests
    /// (passed on a retry) do not count. Overrides profiles and [run] max-fail.
    #[arg(long, value_name = "N[:wait|:immediate]")]
    pub max_fail: Option<crate::config::MaxFail>,
    /// Run only the files whose tests failed, errored or timed out in the latest run of this
    /// out dir, and the files it never ran (interrupted, or stopped by --max-fail), split across
    /// the workers by their durations. With no earlier run or nothing failed, runs nothing and exits 0.
    #[arg(long, visible_alias = "last-failed")]
    pub rerun_failed: bool,
    /// Run only the suites whose `inputs` changed against this git ref (`git diff
    /// REF...HEAD` plus uncommitted changes); suites without `inputs` always run, and the
    /// suites left out are named with why.
    #[arg(long, value_name = "REF")]
    pub changed_since: Option<String>,
    /// Run every suite, even those whose inputs, command, selection and variables are the same
    /// as in their last green run (which are otherwise reported `cached` from that run).
    #[arg(long)]
    pub no_cache: bool,
    /// Only print failures and the summary.
    #[arg(long, short)]
    pub quiet: bool,
    /// Print the CI context, the profile chosen and why, and the settings in effect; run nothing.
    #[arg(long)]
    pub explain: bool,
    /// Take work from a Redis queue shared by every node of the CI step, e.g.
    /// redis://HOST:6379 (docs/queue.md): the whole selection is seeded once and each node's
    /// free workers take batches from it.
    #[arg(long, value_name = "URL")]
    pub queue: Option<String>,
    /// With --queue: a node that has not heartbeated for this long loses its batch to another node.
    #[arg(long, value_name = "DURATION", default_value = "30s", value_parser = humantime::parse_duration)]
    pub queue_lease: std::time::Duration,
    /// With --queue: a batch delivered more often than this (its nodes kept dying) is reported
    /// failed instead of delivered again.
    #[arg(long, value_name = "N", default_value_t = 3)]
    pub queue_max_deliveries: u32,
    #[command(flatten)]
    pub node: NodeArgs,
}

/// Which node of a parallel step this is, and where its share comes from.
#[derive(Debug, Args)]
pub struct NodeArgs {
    /// Run node I of N (I counts from 1, as nextest's and Playwright's shards): plan the whole
    /// selection across N nodes and run this node's share. Overrides FLOTILLA_NODE_INDEX /
    /// FLOTILLA_NODE_TOTAL (index from 0) and the CI's own variables.
    #[arg(long, value_name = "I/N")]
    pub partition: Option<crate::nodes::Partition>,
    /// Run exactly this node's share of a plan file (`flotilla plan --nodes N --out FILE`),
    /// whatever the history says now.
    #[arg(long = "plan", value_name = "FILE")]
    pub plan: Option<Utf8PathBuf>,
    /// On a retried node without a plan file, split again from today's history (the retry may
    /// then run other tests than the first attempt did).
    #[arg(long)]
    pub allow_new_split: bool,
}

/// `flotilla plan`.
#[derive(Debug, Args)]
pub struct PlanArgs {
    #[command(flatten)]
    pub select: SelectArgs,
    /// Number of workers to plan for (on each node).
    #[arg(long, short = 'j', value_name = "N")]
    pub workers: Option<WorkersArg>,
    /// Split the selection across N CI nodes and show each node's predicted load.
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u32).range(1..), conflicts_with = "target_time")]
    pub nodes: Option<u32>,
    /// Choose the fewest nodes whose predicted time meets this target (e.g. 2m), up to
    /// --max-nodes.
    #[arg(long, value_name = "DURATION", value_parser = humantime::parse_duration, requires = "max_nodes")]
    pub target_time: Option<std::time::Duration>,
    /// The most nodes --target-time may choose.
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u32).range(1..))]
    pub max_nodes: Option<u32>,
    /// Write the node plan to FILE (for `flotilla run --plan FILE` on every node).
    #[arg(long, value_name = "FILE")]
    pub out: Option<Utf8PathBuf>,
    /// Write a CI configuration that runs the plan on its nodes to stdout (needs --nodes or
    /// --target-time, and --out: the configuration names the plan file).
    #[arg(long, value_enum, value_name = "FORMAT", requires = "out")]
    pub emit: Option<crate::nodes::emit::EmitFormat>,
    /// The container image of the Kubernetes Job (`--emit kubernetes`).
    #[arg(long, value_name = "IMAGE")]
    pub image: Option<String>,
}

/// `flotilla merge`.
#[derive(Debug, Args)]
pub struct MergeArgs {
    /// Node run folders or downloaded artifacts, searched recursively for summary.json (with
    /// --queue: optional, they add each test's attempts and output to the queue's record).
    #[arg(value_name = "DIR", required_unless_present = "queue")]
    pub dirs: Vec<Utf8PathBuf>,
    /// Where to write the merged junit.xml and summary.json.
    #[arg(long, value_name = "DIR", default_value = "flotilla-merged")]
    pub out: Utf8PathBuf,
    /// The plan the nodes ran (default: the plan.json next to the node summaries).
    #[arg(long = "plan", value_name = "FILE", conflicts_with = "queue")]
    pub plan: Option<Utf8PathBuf>,
    /// Merge the build's work queue at this Redis URL (the nodes ran `flotilla run --queue URL`):
    /// its record is the result, and the proof that every batch ran exactly once.
    #[arg(long = "queue", value_name = "URL")]
    pub queue: Option<String>,
    /// With --queue: only the queues of this parallel step (default: every queue of the build).
    #[arg(long = "queue-step", value_name = "STEP", requires = "queue")]
    pub queue_step: Option<String>,
}

/// `--message-format`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, ValueEnum)]
pub enum MessageFormat {
    /// Text for people.
    #[default]
    Human,
    /// One JSON object per line on stdout.
    Json,
}

/// `--workers N|auto`.
#[derive(Clone, Copy, Debug)]
pub struct WorkersArg(pub crate::config::Workers);

impl std::str::FromStr for WorkersArg {
    type Err = String;
    fn from_str(text: &str) -> Result<Self, Self::Err> {
        if text == "auto" {
            return Ok(Self(crate::config::Workers::Auto));
        }
        match text.parse::<usize>() {
            Ok(n) if n > 0 => Ok(Self(crate::config::Workers::Fixed(n))),
            _ => Err(format!("`{text}` is not a positive number or \"auto\"")),
        }
    }
}

/// `flotilla gate`.
#[derive(Debug, Args)]
pub struct GateArgs {
    /// Folders searched recursively for summary.json files (or summary.json files themselves).
    #[arg(value_name = "DIR", required = true)]
    pub dirs: Vec<Utf8PathBuf>,
    /// A suite (name or glob) that must be present and green (repeatable).
    #[arg(long = "require", value_name = "GLOB")]
    pub require: Vec<crate::gate::SuitePattern>,
}

/// `flotilla report`.
#[derive(Debug, Args)]
pub struct ReportArgs {
    /// Run folders (e.g. `.flotilla/runs/latest`); several give one report with a lane group
    /// per folder (one per CI node).
    #[arg(value_name = "RUN_DIR", required = true)]
    pub dirs: Vec<Utf8PathBuf>,
    /// Where to write it (default: RUN_DIR/report.html for one folder, ./report.html for
    /// several).
    #[arg(long, short, value_name = "FILE")]
    pub output: Option<Utf8PathBuf>,
    /// Print the report's file:// URL, to open in a browser.
    #[arg(long)]
    pub open: bool,
}
