//! [`CachePlan`]: which suites a run takes from the cache and which it runs. A suite that
//! declares `inputs` is cached when its [`SuiteFingerprint`] equals the one of its last run
//! and that run was green: its tests are reported `cached`, from that run, instead of running.
//! After the run, each suite that ran leaves its fingerprint, whether it was green and its
//! tests as its new last run ([`CachePlan::suite_runs`]).

use std::sync::Arc;
use std::time::Duration;

use super::fingerprint::{FingerprintParts, InputFile, SuiteFingerprint};
use crate::config::Suite;
use crate::history::{CachedTest, SuiteRun};
use crate::results::{Attempt, Outcome, RunSummary, TestResult};

/// One suite that declares `inputs`, with what the cache decided for it.
#[derive(Clone, Debug)]
pub struct SuiteCache {
    /// The suite's name.
    pub suite: String,
    /// Its fingerprint in this run.
    pub fingerprint: SuiteFingerprint,
    /// Why it runs, or the green run it is taken from.
    pub decision: CacheDecision,
}

/// What the cache does with one suite.
#[derive(Clone, Debug)]
pub enum CacheDecision {
    /// Its last run was green with the same fingerprint: its tests come from that run.
    Cached(SuiteRun),
    /// It runs: it never ran with `inputs`, its last run was not green, or something changed.
    Runs(&'static str),
}

/// The cache's decisions for the suites of one run.
#[derive(Clone, Debug, Default)]
pub struct CachePlan {
    /// The suites that declare `inputs` and have something to run, in config order.
    pub suites: Vec<SuiteCache>,
}

impl CachePlan {
    /// Decides for each suite (`units` and `inputs` per suite, in the order of `suites`); `last`
    /// gives a suite's last recorded run. Suites without `inputs`, or with nothing selected,
    /// are not the cache's business.
    pub fn decide(
        suites: &[Suite],
        units: &[Vec<String>],
        inputs: &[Vec<InputFile>],
        last: &mut dyn FnMut(&str) -> Option<SuiteRun>,
    ) -> Self {
        let mut plan = Self::default();
        for ((suite, units), inputs) in suites.iter().zip(units).zip(inputs) {
            if suite.inputs.is_none() || units.is_empty() {
                continue;
            }
            let fingerprint = SuiteFingerprint::of(&FingerprintParts::of_suite(suite, units, inputs));
            let decision = match last(&suite.name) {
                None => CacheDecision::Runs("no earlier run with these inputs"),
                Some(run) if run.fingerprint != fingerprint.as_str() => {
                    CacheDecision::Runs("its inputs, command, selection or variables changed since its last run")
                }
                Some(run) if !run.green => CacheDecision::Runs("its last run was not green"),
                Some(run) if run.tests.is_empty() => CacheDecision::Runs("its last run had no tests"),
                Some(run) => CacheDecision::Cached(run),
            };
            plan.suites.push(SuiteCache {
                suite: suite.name.clone(),
                fingerprint,
                decision,
            });
        }
        plan
    }

    /// Whether `suite` is taken from the cache.
    #[must_use]
    pub fn is_cached(&self, suite: &str) -> bool {
        self.suites
            .iter()
            .any(|s| s.suite == suite && matches!(s.decision, CacheDecision::Cached(_)))
    }

    /// One line per suite for the terminal.
    #[must_use]
    pub fn lines(&self) -> Vec<String> {
        self.suites
            .iter()
            .map(|s| match &s.decision {
                CacheDecision::Cached(run) => format!(
                    "cache: suite {}: {} test(s) cached from run {} (same inputs, command, selection and variables; --no-cache runs it)",
                    s.suite,
                    run.tests.len(),
                    run.run_id
                ),
                CacheDecision::Runs(why) => format!("cache: suite {}: runs ({why})", s.suite),
            })
            .collect()
    }

    /// The results of the cached suites: each test's outcome `cached` (a skipped one stays
    /// skipped), one attempt whose message names the run it comes from.
    #[must_use]
    pub fn cached_results(&self) -> Vec<TestResult> {
        let mut results = Vec::new();
        for suite in &self.suites {
            let CacheDecision::Cached(run) = &suite.decision else {
                continue;
            };
            let name: Arc<str> = Arc::from(suite.suite.as_str());
            for test in &run.tests {
                let outcome = match test.outcome {
                    Outcome::Skipped => Outcome::Skipped,
                    _ => Outcome::Cached,
                };
                results.push(TestResult {
                    suite: Arc::clone(&name),
                    id: test.id.clone().into(),
                    name: test.name.clone().into(),
                    classname: test.classname.clone().map(Into::into),
                    file: test.file.clone().into(),
                    outcome,
                    outside_tests: false,
                    quarantine: None,
                    attempts: vec![Attempt {
                        attempt: 1,
                        outcome,
                        duration: Duration::try_from_secs_f64(test.secs).unwrap_or_default(),
                        worker: 0,
                        job: usize::MAX,
                        message: Some(format!("cached from run {}", run.run_id)),
                        output: None,
                    }],
                });
            }
        }
        results
    }

    /// The new last run of each suite that ran in `summary` (before the cached results are
    /// added to it): green when it has tests, none failed, errored, timed out or was flaky,
    /// none was left unrun and the run was not interrupted.
    #[must_use]
    pub fn suite_runs(&self, summary: &RunSummary) -> Vec<SuiteRun> {
        self.suites
            .iter()
            .filter(|s| matches!(s.decision, CacheDecision::Runs(_)))
            .map(|s| {
                let tests: Vec<&TestResult> = summary.tests.iter().filter(|t| *t.suite == *s.suite).collect();
                let left_unrun = summary.not_run.iter().any(|(suite, _)| *suite == s.suite);
                let green = !tests.is_empty()
                    && !left_unrun
                    && !summary.interrupted
                    && tests
                        .iter()
                        .all(|t| !t.outcome.is_failure() && t.outcome != Outcome::Flaky);
                SuiteRun {
                    suite: s.suite.clone(),
                    fingerprint: s.fingerprint.as_str().to_string(),
                    green,
                    run_id: summary.run_id.clone(),
                    tests: tests
                        .iter()
                        .map(|t| CachedTest {
                            id: t.id.to_string(),
                            name: t.name.to_string(),
                            classname: t.classname.as_deref().map(ToString::to_string),
                            file: t.file.to_string(),
                            outcome: t.outcome,
                            secs: t.last().duration.as_secs_f64(),
                        })
                        .collect(),
                }
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use camino::Utf8Path;

    use super::*;
    use crate::config::{Config, Overrides};

    fn suites() -> Vec<Suite> {
        let text = "[suite.a]\nrunner = \"custom\"\ncommand = [\"bash\", \"{file}\"]\nfiles = [\"t/*.sh\"]\ninputs = [\"src/**\"]\n\n[suite.b]\nrunner = \"custom\"\ncommand = [\"bash\", \"{file}\"]\nfiles = [\"t/*.sh\"]\n";
        Config::parse(
            Utf8Path::new("/p/flotilla.toml"),
            Arc::new(text.into()),
            &Overrides::default(),
        )
        .unwrap()
        .suites
    }

    fn last(fingerprint: &str, green: bool) -> SuiteRun {
        SuiteRun {
            suite: "a".into(),
            fingerprint: fingerprint.into(),
            green,
            run_id: "r1".into(),
            tests: vec![CachedTest {
                id: "t/x.sh".into(),
                name: "t/x.sh".into(),
                classname: None,
                file: "t/x.sh".into(),
                outcome: Outcome::Passed,
                secs: 1.5,
            }],
        }
    }

    fn decide(previous: Option<SuiteRun>) -> CachePlan {
        let units = vec![vec!["t/x.sh".to_string()], vec!["t/x.sh".to_string()]];
        let inputs = vec![vec![InputFile::new("src/a", b"a")], Vec::new()];
        CachePlan::decide(&suites(), &units, &inputs, &mut |_| previous.clone())
    }

    #[test]
    fn only_a_green_run_with_the_same_fingerprint_is_reused() {
        let fingerprint = decide(None).suites[0].fingerprint.as_str().to_string();
        assert_eq!(
            decide(None).suites.len(),
            1,
            "a suite without inputs is not the cache's"
        );
        assert!(decide(Some(last(&fingerprint, true))).is_cached("a"));
        assert!(!decide(Some(last(&fingerprint, false))).is_cached("a"));
        assert!(!decide(Some(last("other", true))).is_cached("a"));
        let results = decide(Some(last(&fingerprint, true))).cached_results();
        assert_eq!(results.len(), 1);
        assert_eq!(results[0].outcome, Outcome::Cached);
        assert_eq!(results[0].last().message.as_deref(), Some("cached from run r1"));
        assert!(
            decide(Some(last(&fingerprint, true)))
                .suite_runs(&summary(&[]))
                .is_empty()
        );
    }

    fn summary(outcomes: &[Outcome]) -> RunSummary {
        let tests = outcomes
            .iter()
            .enumerate()
            .map(|(i, outcome)| TestResult {
                suite: Arc::from("a"),
                id: format!("t/{i}.sh").into(),
                name: format!("t/{i}.sh").into(),
                classname: None,
                file: format!("t/{i}.sh").into(),
                outcome: *outcome,
                outside_tests: false,
                quarantine: None,
                attempts: vec![Attempt {
                    attempt: 1,
                    outcome: *outcome,
                    duration: Duration::from_secs(1),
                    worker: 1,
                    job: 0,
                    message: None,
                    output: None,
                }],
            })
            .collect();
        RunSummary {
            run_id: "r2".into(),
            run_dir: "/p/.flotilla/runs/r2".into(),
            started_at: chrono::Local::now(),
            duration: Duration::from_secs(1),
            workers: 1,
            interrupted: false,
            tests,
            jobs: Vec::new(),
            not_run: Vec::new(),
            predicted: Duration::ZERO,
            flaky_result: crate::results::FlakyResult::Pass,
            timing_match: 1.0,
            steps: Vec::new(),
            node: None,
            merge: None,
        }
    }

    #[test]
    fn a_run_is_green_only_without_failures_flaky_tests_or_tests_left_unrun() {
        let plan = decide(None);
        let green = |outcomes: &[Outcome]| plan.suite_runs(&summary(outcomes))[0].green;
        assert!(green(&[Outcome::Passed, Outcome::Skipped]));
        assert!(!green(&[Outcome::Passed, Outcome::Failed]));
        assert!(!green(&[Outcome::Flaky]));
        assert!(!green(&[]), "no test is not a green run");
        let mut unrun = summary(&[Outcome::Passed]);
        unrun.not_run.push(("a".into(), "t/y.sh".into()));
        assert!(!plan.suite_runs(&unrun)[0].green);
    }
}
