//! `flotilla history export|import|prune`: carry the timing history between CI builds and
//! nodes (docs/ci.md), and seed it from JUnit XML written by other tools (`import --junit`).

use std::collections::BTreeMap;
use std::io::Write;

use camino::Utf8Path;

use camino::Utf8PathBuf;

use crate::config::Overrides;
use crate::error::Error;
use crate::exit_code;
use crate::history::{History, HistoryData, Sample, SampleOutcome, TestRecord, key_of};
use crate::prepare::{Loaded, load};
use crate::results::Outcome;
use crate::runner::{SuiteUnits, place_case};
use crate::settings::{HistoryAction, HistoryCommand};

pub(super) fn history(command: &HistoryCommand) -> Result<u8, Error> {
    let config_path = &command.global.config_path;
    let overrides = &command.overrides;
    match &command.action {
        HistoryAction::Export(file) => self::export(config_path, overrides, file),
        HistoryAction::Import(files) => self::import(config_path, overrides, files),
        HistoryAction::SeedJunit { files, suite } => seed_junit(config_path, overrides, files, suite.as_deref()),
        HistoryAction::Prune => prune(config_path, overrides),
    }
}

/// The configured store, opened; its warnings printed. `writable`: fail when it is not on disk.
fn open(loaded: &Loaded, writable: bool) -> Result<History, Error> {
    let mut history = History::open(&loaded.config.run.history);
    let warnings = history.take_warnings();
    for warning in &warnings {
        eprintln!("warning: {warning}");
    }
    if writable && !history.is_persistent() {
        return Err(Error::HistoryStore {
            path: history.path().to_path_buf(),
            message: warnings.join("; "),
        });
    }
    Ok(history)
}

fn loaded(config_path: &Utf8Path, overrides: &Overrides) -> Result<Loaded, Error> {
    let loaded = load(config_path, overrides)?;
    for warning in &loaded.warnings {
        eprintln!("warning: {warning}");
    }
    Ok(loaded)
}

fn export(config_path: &Utf8Path, overrides: &Overrides, file: &Utf8PathBuf) -> Result<u8, Error> {
    let loaded = loaded(config_path, overrides)?;
    let mut history = open(&loaded, false)?;
    let data = history.snapshot().map_err(|source| Error::history(&history, source))?;
    crate::history::export_to_file(&data, file)?;
    let bytes = std::fs::metadata(file).map(|m| m.len()).unwrap_or(0);
    println!(
        "exported {} tests ({} samples), {} runs and {} start-up samples from `{}` to `{}` ({})",
        data.tests.len(),
        data.tests.iter().map(|t| t.samples.len()).sum::<usize>(),
        data.runs.len(),
        data.startup.len(),
        history.path(),
        file,
        size(bytes)
    );
    Ok(exit_code::SUCCESS)
}

fn import(config_path: &Utf8Path, overrides: &Overrides, files: &[Utf8PathBuf]) -> Result<u8, Error> {
    let loaded = loaded(config_path, overrides)?;
    // Every file is read before anything is merged: a bad one changes nothing.
    let exports = files
        .iter()
        .map(|file| crate::history::import_from_file(file).map(|data| (file, data)))
        .collect::<Result<Vec<_>, _>>()?;
    let mut history = open(&loaded, true)?;
    let mut out = std::io::stdout().lock();
    for (file, data) in &exports {
        history
            .import(data)
            .map_err(|source| Error::history(&history, source))?;
        let _ = writeln!(
            out,
            "merged `{file}`: {} tests, {} runs, {} start-up samples",
            data.tests.len(),
            data.runs.len(),
            data.startup.len()
        );
    }
    let _ = writeln!(out, "history `{}` updated", history.path());
    Ok(exit_code::SUCCESS)
}

fn prune(config_path: &Utf8Path, overrides: &Overrides) -> Result<u8, Error> {
    let loaded = loaded(config_path, overrides)?;
    let mut history = open(&loaded, true)?;
    let before = file_size(history.path());
    history
        .import(&HistoryData::default())
        .and_then(|()| history.vacuum())
        .map_err(|source| Error::history(&history, source))?;
    println!(
        "pruned `{}`: {} → {}",
        history.path(),
        size(before),
        size(file_size(history.path()))
    );
    Ok(exit_code::SUCCESS)
}

/// What seeding found in one report.
#[derive(Default)]
struct Seeded {
    /// Per suite: tests placed, and their distinct files.
    matched: BTreeMap<String, (usize, std::collections::BTreeSet<String>)>,
    unassigned: Vec<String>,
}

fn seed_junit(
    config_path: &Utf8Path,
    overrides: &Overrides,
    files: &[Utf8PathBuf],
    suite: Option<&str>,
) -> Result<u8, Error> {
    let loaded = loaded(config_path, overrides)?;
    let root = &loaded.config.root;
    let suites: Vec<(&str, SuiteUnits<'_>)> = loaded
        .config
        .suites
        .iter()
        .zip(&loaded.discovered)
        .map(|(suite, files)| {
            (
                suite.name.as_str(),
                SuiteUnits::new(suite.command.adapter(), files, root),
            )
        })
        .collect();
    let mut reports = Vec::new();
    for file in files {
        let text =
            std::fs::read_to_string(file).map_err(|source| Error::io("cannot read JUnit report", file, source))?;
        let parsed = crate::results::formats::parse_junit_report(&text, root).map_err(|source| Error::JunitSeed {
            path: file.clone(),
            source,
        })?;
        reports.push((file, text, parsed));
    }
    let mut history = open(&loaded, true)?;
    let mut out = std::io::stdout().lock();
    let mut total_matched = 0;
    for (file, text, parsed) in &reports {
        // The report's own identity and age: importing it again changes nothing.
        let key = key_of(&format!("junit:{text}"));
        let time = modified(file);
        let mut tests: BTreeMap<(String, String, String), TestRecord> = BTreeMap::new();
        let mut seeded = Seeded::default();
        for case in &parsed.cases {
            let Some((suite, placed)) = suites
                .iter()
                .find_map(|(name, units)| place_case(units, case).map(|placed| (*name, placed)))
            else {
                let where_ = case.file.as_deref().or(case.classname.as_deref()).unwrap_or("no file");
                seeded.unassigned.push(format!("{} ({where_})", case.name));
                continue;
            };
            let (first, last) = if placed.flaky && !placed.outcome.is_failure() {
                (Outcome::Failed, Outcome::Flaky)
            } else {
                (placed.outcome, placed.outcome)
            };
            let entry = seeded.matched.entry(suite.to_string()).or_default();
            entry.0 += 1;
            entry.1.insert(placed.file.clone());
            let record = tests
                .entry((suite.to_string(), placed.file.clone(), placed.id.clone()))
                .or_insert_with(|| TestRecord {
                    suite: suite.to_string(),
                    file: placed.file.clone(),
                    id: placed.id.clone(),
                    runs: 1,
                    failures: 0,
                    flaky: 0,
                    last_seen: time,
                    samples: vec![Sample {
                        time,
                        key,
                        secs: 0.0,
                        outcome: SampleOutcome::new(first, last),
                    }],
                });
            // The same id twice in one report (a repeated parametrisation): one sample, both times.
            record.samples[0].secs = Sample::secs_of(f64::from(record.samples[0].secs) + placed.secs);
            record.failures = u32::from(last.is_failure());
            record.flaky = u32::from(last == Outcome::Flaky);
            record.samples[0].outcome = SampleOutcome::new(first, last);
        }
        let data = HistoryData {
            tests: tests.into_values().collect(),
            ..HistoryData::default()
        };
        history
            .import(&data)
            .map_err(|source| Error::history(&history, source))?;
        let matched: usize = seeded.matched.values().map(|(tests, _)| tests).sum();
        total_matched += matched;
        let per_suite: Vec<String> = seeded
            .matched
            .iter()
            .map(|(suite, (tests, files))| format!("suite `{suite}`: {tests} tests in {} files", files.len()))
            .collect();
        let _ = writeln!(
            out,
            "seeded from `{file}`: {matched} of {} tests matched ({}), {} unassigned",
            parsed.cases.len(),
            if per_suite.is_empty() {
                "none".to_string()
            } else {
                per_suite.join("; ")
            },
            seeded.unassigned.len()
        );
        if !seeded.unassigned.is_empty() {
            let examples: Vec<&str> = seeded.unassigned.iter().take(3).map(String::as_str).collect();
            let _ = writeln!(
                out,
                "  unassigned, e.g. {}: their file is none of the {} (paths relative to {root}){}",
                examples.join(", "),
                match suite {
                    Some(suite) => format!("files of suite `{suite}`"),
                    None => "suites' files".to_string(),
                },
                if suite.is_none() {
                    "; pass --suite NAME if the report has no file attribute"
                } else {
                    ""
                }
            );
        }
    }
    if total_matched == 0 {
        return Err(Error::Usage {
            message: format!(
                "no test of {} matched a file of {}: nothing was seeded; check that the reports' `file` attributes or classnames name files under {root}",
                files.iter().map(|f| format!("`{f}`")).collect::<Vec<_>>().join(", "),
                suite
                    .as_ref()
                    .map_or("any suite".to_string(), |s| format!("suite `{s}`"))
            ),
        });
    }
    let _ = writeln!(out, "history `{}` updated", history.path());
    Ok(exit_code::SUCCESS)
}

/// When `path` was last modified, in seconds since the Unix epoch (now if unknown).
fn modified(path: &Utf8Path) -> u32 {
    let time = std::fs::metadata(path)
        .and_then(|m| m.modified())
        .unwrap_or_else(|_| std::time::SystemTime::now());
    time.duration_since(std::time::UNIX_EPOCH)
        .ok()
        .and_then(|d| u32::try_from(d.as_secs()).ok())
        .unwrap_or(0)
}

fn file_size(path: &Utf8Path) -> u64 {
    std::fs::metadata(path).map(|m| m.len()).unwrap_or(0)
}

fn size(bytes: u64) -> String {
    if bytes >= 1024 * 1024 {
        format!("{:.1} MB", bytes as f64 / (1024.0 * 1024.0))
    } else {
        format!("{:.1} KB", bytes as f64 / 1024.0)
    }
}
