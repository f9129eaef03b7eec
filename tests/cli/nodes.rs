//! Splitting across CI nodes with the real binary: four node processes per CI flavour (each in
//! its own copy of the project, as CI machines each check out the repository and restore the
//! history), `flotilla merge` of their run folders against a one-machine run, a retried node
//! replaying its pinned share after the history changed, a node that never started, a plan
//! that no longer matches the files, `plan --target-time`, and the emitted Kubernetes manifests
//! checked against the real schemas offline.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::Command;

use crate::harness::{BIN, Project, Run};

const CONFIG: &str = r#"
[run]
workers = 2

[suite.s]
runner = "custom"
command = ["sh", "{file}"]
files = ["t/*.sh"]
"#;

/// Variables of every CI flotilla knows, so the machine running the tests cannot leak into them.
const CI_VARIABLES: &[&str] = &[
    "BUILDKITE",
    "BUILDKITE_PARALLEL_JOB",
    "BUILDKITE_PARALLEL_JOB_COUNT",
    "BUILDKITE_RETRY_COUNT",
    "GITHUB_ACTIONS",
    "GITHUB_RUN_ATTEMPT",
    "GITLAB_CI",
    "CI_NODE_INDEX",
    "CI_NODE_TOTAL",
    "CI_JOB_NAME",
    "CI_JOB_RETRY_COUNT",
    "CIRCLECI",
    "CIRCLE_NODE_INDEX",
    "CIRCLE_NODE_TOTAL",
    "JOB_COMPLETION_INDEX",
    "TF_BUILD",
    "JENKINS_URL",
    "FLOTILLA_NODE_INDEX",
    "FLOTILLA_NODE_TOTAL",
    "FLOTILLA_RETRY_COUNT",
    "FLOTILLA_PROFILE",
];

/// Twelve sleep files with different durations (tens of milliseconds).
fn sleep_project() -> Project {
    let project = Project::new();
    project.config(CONFIG);
    for (i, ms) in [120, 90, 70, 60, 50, 40, 35, 30, 25, 20, 15, 10].iter().enumerate() {
        project.file(&format!("t/f{i:02}.sh"), &format!("sleep 0.{ms:03}\n"));
    }
    project
}

fn command(root: &Path, args: &[&str], env: &[(&str, String)]) -> Command {
    let mut command = Command::new(BIN);
    command
        .args(args)
        .current_dir(root)
        .env("CI", "true")
        .env("NO_COLOR", "1");
    for name in CI_VARIABLES {
        command.env_remove(name);
    }
    for (name, value) in env {
        command.env(name, value);
    }
    command
}

fn run_in(root: &Path, args: &[&str], env: &[(&str, String)]) -> Run {
    let output = command(root, args, env).output().expect("flotilla runs");
    Run {
        code: output.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
    }
}

/// A copy of the project (history included) in a new temp folder.
fn copy_of(project: &Project) -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let status = Command::new("cp")
        .arg("-a")
        .arg(format!("{}/.", project.root.display()))
        .arg(dir.path())
        .status()
        .unwrap();
    assert!(status.success());
    let root = dir.path().canonicalize().unwrap();
    (dir, root)
}

fn json(path: &Path) -> serde_json::Value {
    serde_json::from_str(&std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))).unwrap()
}

fn test_ids(summary: &serde_json::Value) -> BTreeSet<String> {
    summary["tests"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["id"].as_str().unwrap().to_string())
        .collect()
}

/// The run folder a node wrote (its only one besides `latest`).
fn node_run_dir(root: &Path) -> PathBuf {
    std::fs::canonicalize(root.join(".flotilla/runs/latest")).unwrap()
}

/// Node `index` (0-based) of `total` in `flavour`'s variables.
fn flavour_env(flavour: &str, index: u32, total: u32) -> Vec<(&'static str, String)> {
    match flavour {
        "buildkite" => vec![
            ("BUILDKITE", "true".into()),
            ("BUILDKITE_PARALLEL_JOB", index.to_string()),
            ("BUILDKITE_PARALLEL_JOB_COUNT", total.to_string()),
            ("BUILDKITE_RETRY_COUNT", "0".into()),
        ],
        // GitHub exports no index: the workflow maps strategy.job-index itself.
        "github" => vec![
            ("GITHUB_ACTIONS", "true".into()),
            ("GITHUB_RUN_ATTEMPT", "1".into()),
            ("FLOTILLA_NODE_INDEX", index.to_string()),
            ("FLOTILLA_NODE_TOTAL", total.to_string()),
        ],
        "gitlab" => vec![
            ("GITLAB_CI", "true".into()),
            ("CI_NODE_INDEX", (index + 1).to_string()),
            ("CI_NODE_TOTAL", total.to_string()),
            ("CI_JOB_NAME", format!("tests {}/{total}", index + 1)),
        ],
        "circleci" => vec![
            ("CIRCLECI", "true".into()),
            ("CIRCLE_NODE_INDEX", index.to_string()),
            ("CIRCLE_NODE_TOTAL", total.to_string()),
        ],
        "kubernetes" => vec![
            ("JOB_COMPLETION_INDEX", index.to_string()),
            ("FLOTILLA_NODE_TOTAL", total.to_string()),
        ],
        other => panic!("unknown flavour {other}"),
    }
}

/// Four nodes of `flavour`, each in its own copy of `project`, all running at once.
fn four_nodes(project: &Project, flavour: &str, extra: &[&str]) -> Vec<(tempfile::TempDir, PathBuf)> {
    let copies: Vec<_> = (0..4).map(|_| copy_of(project)).collect();
    let mut args = vec!["run"];
    args.extend_from_slice(extra);
    let children: Vec<_> = copies
        .iter()
        .enumerate()
        .map(|(i, (_, root))| {
            command(root, &args, &flavour_env(flavour, i as u32, 4))
                .stdout(std::process::Stdio::piped())
                .stderr(std::process::Stdio::piped())
                .spawn()
                .unwrap()
        })
        .collect();
    for (i, child) in children.into_iter().enumerate() {
        let output = child.wait_with_output().unwrap();
        let stdout = String::from_utf8_lossy(&output.stdout);
        assert_eq!(
            output.status.code(),
            Some(0),
            "{flavour} node {i}\n{stdout}\n{}",
            String::from_utf8_lossy(&output.stderr)
        );
        assert!(
            stdout.contains(&format!("node {} of 4 (index {i}", i + 1)),
            "{flavour} node {i}: {stdout}"
        );
    }
    copies
}

fn merge(dirs: &[PathBuf], out: &Path, extra: &[&str]) -> Run {
    let mut args: Vec<String> = vec!["merge".into()];
    args.extend(dirs.iter().map(|d| d.display().to_string()));
    args.extend(["--out".to_string(), out.display().to_string()]);
    args.extend(extra.iter().map(ToString::to_string));
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    run_in(out.parent().unwrap(), &args, &[])
}

#[test]
fn four_nodes_of_every_ci_flavour_merge_into_the_one_machine_run() {
    let project = sleep_project();
    let whole = project.run(&["run"]);
    assert_eq!(whole.code, 0, "{}", whole.describe());
    let expected = test_ids(&project.summary());
    assert_eq!(expected.len(), 12);
    for flavour in ["buildkite", "github", "gitlab", "circleci", "kubernetes"] {
        let nodes = four_nodes(&project, flavour, &[]);
        let dirs: Vec<PathBuf> = nodes.iter().map(|(_, root)| node_run_dir(root)).collect();
        let mut hashes = BTreeSet::new();
        let mut shares = Vec::new();
        for (index, dir) in dirs.iter().enumerate() {
            let summary = json(&dir.join("summary.json"));
            assert_eq!(summary["node"]["index"], index, "{flavour}");
            assert_eq!(summary["node"]["total"], 4);
            assert_eq!(summary["node"]["retry"], 0);
            assert_eq!(summary["node"]["plan_source"], "history");
            hashes.insert(summary["node"]["plan_hash"].as_str().unwrap().to_string());
            let ids = test_ids(&summary);
            assert!(!ids.is_empty(), "{flavour}: node {index} ran something");
            shares.push(ids);
        }
        assert_eq!(
            hashes.len(),
            1,
            "{flavour}: every node computed the same plan: {hashes:?}"
        );
        let total: usize = shares.iter().map(BTreeSet::len).sum();
        assert_eq!(total, 12, "{flavour}: no test ran on two nodes: {shares:?}");
        let out_dir = tempfile::tempdir().unwrap();
        let out = out_dir.path().join("merged");
        let merged = merge(&dirs, &out, &[]);
        assert_eq!(merged.code, 0, "{flavour}\n{}", merged.describe());
        assert!(
            merged.stdout.contains("every planned unit ran exactly once"),
            "{}",
            merged.describe()
        );
        let summary = json(&out.join("summary.json"));
        assert_eq!(test_ids(&summary), expected, "{flavour}");
        assert_eq!(summary["passed"], true);
        assert_eq!(summary["merge"]["reported"].as_array().unwrap().len(), 4);
        let junit = std::fs::read_to_string(out.join("junit.xml")).unwrap();
        assert_eq!(junit.matches("<testcase").count(), 12, "{junit}");
        let gate = run_in(out_dir.path(), &["gate", "merged"], &[]);
        assert_eq!(gate.code, 0, "{}", gate.describe());
    }
}

#[test]
fn a_node_that_never_started_is_named_with_its_tests_and_fails_the_merge() {
    let project = sleep_project();
    assert_eq!(project.run(&["run"]).code, 0);
    let plan = project.run(&["plan", "--nodes", "3", "--out", "plan.json"]);
    assert_eq!(plan.code, 0, "{}", plan.describe());
    let plan_json = json(&project.path("plan.json"));
    let silent: Vec<String> = plan_json["units"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|u| u["node"] == 1)
        .map(|u| u["file"].as_str().unwrap().to_string())
        .collect();
    assert!(!silent.is_empty());
    let mut copies = Vec::new();
    for number in [1, 3] {
        let copy = copy_of(&project);
        let run = run_in(
            &copy.1,
            &["run", "--plan", "plan.json", "--partition", &format!("{number}/3")],
            &[],
        );
        assert_eq!(run.code, 0, "{}", run.describe());
        copies.push(copy);
    }
    let dirs: Vec<PathBuf> = copies.iter().map(|(_, root)| node_run_dir(root)).collect();
    let out_dir = tempfile::tempdir().unwrap();
    let out = out_dir.path().join("merged");
    let merged = merge(&dirs, &out, &[]);
    assert_eq!(merged.code, 1, "{}", merged.describe());
    assert!(
        merged.stdout.contains("node 2 of 3 (index 1) never reported"),
        "{}",
        merged.describe()
    );
    for file in &silent {
        assert!(
            merged.stdout.contains(file.as_str()),
            "{file} is named\n{}",
            merged.describe()
        );
    }
    let summary = json(&out.join("summary.json"));
    assert_eq!(summary["passed"], false);
    assert_eq!(summary["merge"]["never_reported"][0]["node"], 1);
    assert_eq!(summary["counts"]["error"], silent.len());
    let gate = run_in(out_dir.path(), &["gate", "merged"], &[]);
    assert_eq!(gate.code, 1, "the gate refuses an unproven merge\n{}", gate.describe());
    // The same two nodes against the plan itself, from nothing but --plan and one folder.
    let merged = merge(
        &dirs[..1],
        &out,
        &["--plan", project.path("plan.json").to_str().unwrap()],
    );
    assert_eq!(merged.code, 1, "{}", merged.describe());
    assert!(merged.stdout.contains("(index 1) never reported") && merged.stdout.contains("(index 2) never reported"));
}

#[test]
fn a_retried_node_replays_its_planned_share_after_the_history_changed() {
    let project = sleep_project();
    assert_eq!(project.run(&["run"]).code, 0);
    assert_eq!(project.run(&["plan", "--nodes", "2", "--out", "plan.json"]).code, 0);
    let pinned = json(&project.path("plan.json"));
    let node = |retry: &str| {
        vec![
            ("BUILDKITE", "true".to_string()),
            ("BUILDKITE_PARALLEL_JOB", "1".to_string()),
            ("BUILDKITE_PARALLEL_JOB_COUNT", "2".to_string()),
            ("BUILDKITE_RETRY_COUNT", retry.to_string()),
        ]
    };
    let first = run_in(&project.root, &["run", "--plan", "plan.json"], &node("0"));
    assert_eq!(first.code, 0, "{}", first.describe());
    let first_ids = test_ids(&project.summary());
    // The durations turn around and the history learns them: a split made now differs.
    for (i, ms) in [10, 15, 20, 25, 30, 35, 40, 50, 60, 70, 90, 250].iter().enumerate() {
        project.file(&format!("t/f{i:02}.sh"), &format!("sleep 0.{ms:03}\n"));
    }
    for _ in 0..3 {
        assert_eq!(project.run(&["run"]).code, 0);
    }
    let fresh_share = fresh_split(&project);
    assert_ne!(
        fresh_share, first_ids,
        "the history change must move tests, or this test proves nothing"
    );
    // The retry without the plan refuses and says how to pin it.
    let refused = run_in(&project.root, &["run"], &node("1"));
    assert_eq!(refused.code, 2, "{}", refused.describe());
    assert!(
        refused.stderr.contains("flotilla plan --nodes 2 --out plan.json"),
        "{}",
        refused.describe()
    );
    assert!(
        refused.stderr.contains("BUILDKITE_RETRY_COUNT=1"),
        "{}",
        refused.describe()
    );
    // With the plan it runs exactly its first attempt's tests.
    let retry = run_in(&project.root, &["run", "--plan", "plan.json"], &node("1"));
    assert_eq!(retry.code, 0, "{}", retry.describe());
    let summary = project.summary();
    assert_eq!(test_ids(&summary), first_ids);
    assert_eq!(summary["node"]["retry"], 1);
    assert_eq!(summary["node"]["plan_hash"], pinned["plan_hash"]);
    assert_eq!(summary["node"]["plan_source"], "plan-file");
    // `--allow-new-split` accepts today's split instead (the retry above taught the history
    // again, so today's split is asked for again).
    let fresh_share = fresh_split(&project);
    let new_split = run_in(&project.root, &["run", "--allow-new-split"], &node("1"));
    assert_eq!(new_split.code, 0, "{}", new_split.describe());
    let summary = project.summary();
    assert_eq!(test_ids(&summary), fresh_share);
    assert_eq!(summary["node"]["plan_source"], "history");
    assert_ne!(summary["node"]["plan_hash"], pinned["plan_hash"]);
}

/// The files `flotilla plan --nodes 2` gives node index 1 from today's history.
fn fresh_split(project: &Project) -> BTreeSet<String> {
    let fresh = project.run(&["plan", "--nodes", "2", "--message-format", "json"]);
    let fresh: serde_json::Value = serde_json::from_str(fresh.stdout.trim()).unwrap();
    fresh["nodes"][1]["units"]
        .as_array()
        .unwrap()
        .iter()
        .map(|u| u.as_str().unwrap().to_string())
        .collect()
}

#[test]
fn a_plan_that_no_longer_matches_the_files_reports_both_ways() {
    let project = sleep_project();
    assert_eq!(project.run(&["run"]).code, 0);
    assert_eq!(project.run(&["plan", "--nodes", "1", "--out", "plan.json"]).code, 0);
    std::fs::remove_file(project.path("t/f03.sh")).unwrap();
    project.file("t/new.sh", "exit 0\n");
    let run = project.run(&["run", "--plan", "plan.json"]);
    assert_eq!(
        run.code,
        1,
        "a planned test that is gone fails the node\n{}",
        run.describe()
    );
    assert!(run.stdout.contains("no longer discovered"), "{}", run.describe());
    assert!(
        run.stdout.contains("t/new.sh"),
        "the unplanned file is named\n{}",
        run.describe()
    );
    let summary = project.summary();
    let tests = crate::harness::tests_by_id(&summary);
    assert_eq!(tests["t/f03.sh"]["outcome"], "error");
    assert!(
        !tests.contains_key("t/new.sh"),
        "the plan is authoritative: a new file runs nowhere"
    );
    assert_eq!(summary["node"]["missing"][0]["id"], "t/f03.sh");
    assert_eq!(summary["node"]["unplanned"][0]["file"], "t/new.sh");
    let out_dir = tempfile::tempdir().unwrap();
    let out = out_dir.path().join("merged");
    let merged = merge(&[node_run_dir(&project.root)], &out, &[]);
    assert_eq!(merged.code, 1, "{}", merged.describe());
    assert!(
        merged
            .stdout
            .contains("`s: t/f03.sh` was planned on node 1 (index 0), which did not run it"),
        "{}",
        merged.describe()
    );
    assert!(merged.stdout.contains("t/new.sh"), "{}", merged.describe());
}

#[test]
fn nodes_of_two_different_plans_are_caught() {
    let project = sleep_project();
    assert_eq!(project.run(&["run"]).code, 0);
    let first = copy_of(&project);
    let run = run_in(&first.1, &["run", "--partition", "1/2"], &[]);
    assert_eq!(run.code, 0, "{}", run.describe());
    // The second node saw another history.
    assert_eq!(project.run(&["run"]).code, 0);
    let second = copy_of(&project);
    let run = run_in(&second.1, &["run", "--partition", "2/2"], &[]);
    assert_eq!(run.code, 0, "{}", run.describe());
    let out_dir = tempfile::tempdir().unwrap();
    let merged = merge(
        &[node_run_dir(&first.1), node_run_dir(&second.1)],
        &out_dir.path().join("m"),
        &[],
    );
    assert_eq!(merged.code, 1, "{}", merged.describe());
    assert!(
        merged.stdout.contains("every node must run the same plan"),
        "{}",
        merged.describe()
    );
}

#[test]
fn plan_chooses_the_node_count_for_a_target_time_or_says_why_it_cannot() {
    let project = sleep_project();
    assert_eq!(project.run(&["run"]).code, 0);
    let met = project.run(&["plan", "--target-time", "300ms", "--max-nodes", "10"]);
    assert_eq!(met.code, 0, "{}", met.describe());
    assert!(
        met.stdout.contains("node(s) meet the target 300ms"),
        "{}",
        met.describe()
    );
    let impossible = project.run(&["plan", "--target-time", "50ms", "--max-nodes", "10"]);
    assert_eq!(impossible.code, 2, "{}", impossible.describe());
    assert!(
        impossible.stderr.contains("alone is predicted to take"),
        "{}",
        impossible.describe()
    );
    let github = project.run(&[
        "plan",
        "--target-time",
        "300ms",
        "--max-nodes",
        "10",
        "--out",
        "plan.json",
        "--emit",
        "github",
    ]);
    assert_eq!(github.code, 0, "{}", github.describe());
    let matrix: serde_json::Value = serde_json::from_str(github.stdout.trim()).unwrap();
    let nodes = json(&project.path("plan.json"))["nodes"].as_u64().unwrap();
    assert_eq!(matrix["include"].as_array().unwrap().len() as u64, nodes);
}

#[test]
fn the_kubernetes_job_passes_the_real_schemas_offline() {
    let project = sleep_project();
    assert_eq!(project.run(&["run"]).code, 0);
    let emitted = project.run(&[
        "plan",
        "--nodes",
        "3",
        "--out",
        "plan.json",
        "--emit",
        "kubernetes",
        "--image",
        "registry.example.com/tests:1",
    ]);
    assert_eq!(emitted.code, 0, "{}", emitted.describe());
    std::fs::write(project.path("job.yaml"), &emitted.stdout).unwrap();
    let validate = |file: &str| {
        Command::new("kubernetes-validate")
            .args(["--strict", "--kubernetes-version", "1.33.0", file])
            .current_dir(&project.root)
            .output()
            .expect("kubernetes-validate is installed (scripts/install-test-deps)")
    };
    let good = validate("job.yaml");
    assert!(good.status.success(), "{}", String::from_utf8_lossy(&good.stdout));
    // The check can fail: a misspelt field is refused.
    std::fs::write(
        project.path("bad.yaml"),
        emitted.stdout.replace("backoffLimitPerIndex", "backoffLimitPerIndx"),
    )
    .unwrap();
    assert!(!validate("bad.yaml").status.success());
    let without_image = project.run(&["plan", "--nodes", "3", "--out", "plan.json", "--emit", "kubernetes"]);
    assert_eq!(without_image.code, 2, "{}", without_image.describe());
}

#[test]
fn a_quarantined_file_is_reported_skipped_by_exactly_one_node() {
    let project = sleep_project();
    assert_eq!(project.run(&["run"]).code, 0);
    assert_eq!(project.run(&["plan", "--nodes", "2", "--out", "plan.json"]).code, 0);
    // Quarantined after the plan was made (planned on some node), and one more never planned.
    project.config(&format!(
        "{CONFIG}\n[quarantine]\nskip = [\"t/f03.sh\", \"t/f07.sh\"]\n"
    ));
    let plan = json(&project.path("plan.json"));
    let owner_of = |file: &str| {
        plan["units"]
            .as_array()
            .unwrap()
            .iter()
            .find(|u| u["file"] == file)
            .unwrap()["node"]
            .as_u64()
            .unwrap()
    };
    for source in [&["--plan", "plan.json"][..], &[][..]] {
        let copies: Vec<_> = (0..2).map(|_| copy_of(&project)).collect();
        for (i, (_, root)) in copies.iter().enumerate() {
            let partition = format!("{}/2", i + 1);
            let mut args = vec!["run", "--partition", &partition];
            args.extend_from_slice(source);
            let run = run_in(root, &args, &[]);
            assert_eq!(run.code, 0, "{source:?}\n{}", run.describe());
            let summary = json(&node_run_dir(root).join("summary.json"));
            let skipped: Vec<&str> = summary["tests"]
                .as_array()
                .unwrap()
                .iter()
                .filter(|t| t["outcome"] == "skipped")
                .map(|t| t["id"].as_str().unwrap())
                .collect();
            if source.is_empty() {
                // Split here: the quarantined files are in no share; node 0 reports them.
                assert_eq!(
                    skipped.len(),
                    if i == 0 { 2 } else { 0 },
                    "{source:?} node {i}: {skipped:?}"
                );
            } else {
                let expected: Vec<&str> = ["t/f03.sh", "t/f07.sh"]
                    .into_iter()
                    .filter(|f| owner_of(f) == i as u64)
                    .collect();
                assert_eq!(skipped, expected, "{source:?} node {i}");
                assert!(
                    summary["node"].get("missing").is_none(),
                    "skipped, not missing: {}",
                    summary["node"]
                );
            }
        }
        let dirs: Vec<PathBuf> = copies.iter().map(|(_, root)| node_run_dir(root)).collect();
        let out_dir = tempfile::tempdir().unwrap();
        let out = out_dir.path().join("merged");
        let merged = merge(&dirs, &out, &[]);
        assert_eq!(merged.code, 0, "{source:?}\n{}", merged.describe());
        let summary = json(&out.join("summary.json"));
        assert_eq!(summary["counts"]["skipped"], 2, "{source:?}");
        assert_eq!(summary["counts"]["total"], 12, "{source:?}");
    }
}

#[test]
fn the_json_stream_says_which_share_this_node_runs() {
    let project = sleep_project();
    assert_eq!(project.run(&["run"]).code, 0);
    let run = project.run(&["run", "--partition", "2/3", "--message-format", "json"]);
    assert_eq!(run.code, 0, "{}", run.describe());
    let events: Vec<serde_json::Value> = run.stdout.lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    let share = events
        .iter()
        .find(|e| e["event"] == "node_share")
        .expect("a node_share event");
    let planned = events.iter().position(|e| e["event"] == "planned").unwrap();
    assert!(events.iter().position(|e| e["event"] == "node_share").unwrap() < planned);
    let summary = project.summary();
    assert_eq!(share["index"], 1);
    assert_eq!(share["total"], 3);
    assert_eq!(share["identified_by"], "--partition 2/3");
    assert_eq!(share["source"], "history");
    assert_eq!(share["planned"], 12);
    assert_eq!(share["plan_hash"], summary["node"]["plan_hash"]);
    assert_eq!(
        share["units"].as_u64().unwrap() as usize,
        summary["tests"].as_array().unwrap().len()
    );
}
