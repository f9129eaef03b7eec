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
    /// Remove compose environments whose owning flotilla run is gone (e.g. after SIGKILL).
    Gc,
    /// Re-render report.html from run folders (their events.jsonl and summary.json); runs nothing.
    Report(ReportArgs),
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
    /// Use this `[profile.NAME]` instead of the one chosen from the CI context.
    #[arg(long, value_name = "NAME", env = "FLOTILLA_PROFILE")]
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
    /// Number of workers ("auto" = CPU count; overrides [run] workers).
    #[arg(long, short = 'j', value_name = "N")]
    pub workers: Option<WorkersArg>,
    /// Re-run failed tests up to N times (overrides each suite's `retries`).
    #[arg(long, value_name = "N")]
    pub retries: Option<u32>,
    /// Whether a flaky test (failed, then passed on a retry) passes or fails the run.
    #[arg(long, value_enum, value_name = "POLICY")]
    pub flaky_result: Option<crate::results::FlakyResult>,
    /// Only print failures and the summary.
    #[arg(long, short)]
    pub quiet: bool,
    /// Print the CI context, the profile chosen and why, and the settings in effect; run nothing.
    #[arg(long)]
    pub explain: bool,
}

/// `flotilla plan`.
#[derive(Debug, Args)]
pub struct PlanArgs {
    #[command(flatten)]
    pub select: SelectArgs,
    /// Number of workers to plan for.
    #[arg(long, short = 'j', value_name = "N")]
    pub workers: Option<WorkersArg>,
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
