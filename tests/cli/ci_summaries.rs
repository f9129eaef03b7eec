//! CI job summaries: GitHub's step summary file and Buildkite's annotation (through a stand-in
//! `buildkite-agent` that records its arguments and stdin), each within its 1 MiB limit.

use std::os::unix::fs::PermissionsExt;

use crate::harness::{Project, Run};

fn project() -> Project {
    let project = Project::new();
    project
        .config("[run]\nworkers = 2\n\n[suite.api]\nrunner = \"custom\"\ncommand = [\"sh\", \"{file}\"]\nfiles = [\"t/*.sh\"]\n")
        .file("t/ok.sh", "sleep 0.2\n")
        .file("t/broken.sh", "echo 'expected 3 got 4' >&2\nexit 1\n");
    project
}

fn run_with(project: &Project, env: &[(&str, &str)]) -> Run {
    let mut command = project.command(&["run"]);
    for (key, value) in env {
        command.env(key, value);
    }
    let output = command.output().unwrap();
    Run {
        code: output.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
    }
}

const GITHUB: [(&str, &str); 4] = [
    ("GITHUB_ACTIONS", "true"),
    ("GITHUB_SERVER_URL", "https://github.com"),
    ("GITHUB_REPOSITORY", "acme/shop"),
    ("GITHUB_RUN_ID", "4242"),
];

#[test]
fn github_actions_gets_a_step_summary_appended() {
    let project = project();
    let summary = project.path("step-summary.md");
    std::fs::write(&summary, "what an earlier step wrote\n").unwrap();
    let mut env = GITHUB.to_vec();
    env.push(("GITHUB_STEP_SUMMARY", summary.to_str().unwrap()));
    let run = run_with(&project, &env);
    assert_eq!(run.code, 1, "{}", run.describe());
    assert_eq!(
        run.last_line(),
        "1 passed, 1 failed, 0 skipped",
        "the closing line stays last"
    );
    let text = std::fs::read_to_string(&summary).unwrap();
    assert!(
        text.starts_with("what an earlier step wrote\n## ❌ flotilla failed: 1 passed, 1 failed"),
        "{text}"
    );
    assert!(
        text.contains("### Failures (1)") && text.contains("`t/broken.sh`"),
        "{text}"
    );
    assert!(text.contains("expected 3 got 4"), "the output's last lines: {text}");
    assert!(text.contains("logs: `") && text.contains("job-"), "{text}");
    assert!(text.contains("re-run: `cd "), "{text}");
    assert!(
        text.contains("### Slowest files") && text.contains("| `t/ok.sh` | api |"),
        "{text}"
    );
    assert!(text.contains("report.html"), "{text}");
    assert!(
        text.contains("(https://github.com/acme/shop/actions/runs/4242)"),
        "{text}"
    );
}

#[test]
fn a_huge_red_run_stays_within_githubs_limit_and_says_what_it_left_out() {
    let mut xml = String::from("<testsuite name=\"many\">");
    let reason = "x".repeat(300);
    for i in 0..6000 {
        xml.push_str(&format!(
            "<testcase classname=\"t\" name=\"test_{i:05}\" time=\"0.001\"><failure message=\"broke {i} {reason}\"/></testcase>"
        ));
    }
    xml.push_str("</testsuite>");
    let project = Project::new();
    project
        .config("[run]\nworkers = 1\n\n[suite.many]\nrunner = \"custom\"\ncommand = [\"sh\", \"{file}\", \"{result}\"]\nfiles = [\"t/*.sh\"]\n")
        .file("t/many.sh", &format!("cat > \"$1\" <<'XML'\n{xml}\nXML\nexit 1\n"));
    let summary = project.path("step-summary.md");
    let mut env = GITHUB.to_vec();
    env.push(("GITHUB_STEP_SUMMARY", summary.to_str().unwrap()));
    let run = run_with(&project, &env);
    assert_eq!(run.code, 1, "{}", run.describe());
    let text = std::fs::read_to_string(&summary).unwrap();
    assert!(text.len() <= 1024 * 1024, "{} bytes", text.len());
    assert!(text.len() > 512 * 1024, "it uses the room it has: {} bytes", text.len());
    assert!(
        text.contains("more failures not shown"),
        "{}",
        &text[text.len() - 500..]
    );
    assert!(text.contains("### Failures (6000)"));
}

/// A stand-in `buildkite-agent` in its own folder: records its arguments and its stdin.
fn agent(project: &Project) -> String {
    let bin = project.path("bin");
    std::fs::create_dir_all(&bin).unwrap();
    let script = bin.join("buildkite-agent");
    std::fs::write(
        &script,
        format!(
            "#!/bin/sh\necho \"$@\" > '{}'\ncat > '{}'\n",
            project.path("agent-args").display(),
            project.path("agent-stdin").display()
        ),
    )
    .unwrap();
    std::fs::set_permissions(&script, std::fs::Permissions::from_mode(0o755)).unwrap();
    format!("{}:{}", bin.display(), std::env::var("PATH").unwrap())
}

#[test]
fn buildkite_gets_an_annotation_through_the_agent() {
    let project = project();
    let path = agent(&project);
    let env = [("BUILDKITE", "true"), ("PATH", path.as_str())];
    let run = run_with(&project, &env);
    assert_eq!(run.code, 1, "{}", run.describe());
    assert_eq!(run.last_line(), "1 passed, 1 failed, 0 skipped");
    let args = std::fs::read_to_string(project.path("agent-args")).unwrap();
    assert_eq!(args.trim(), "annotate --style error --context flotilla");
    let body = std::fs::read_to_string(project.path("agent-stdin")).unwrap();
    assert!(
        body.contains("## ❌ flotilla failed") && body.contains("`t/broken.sh`"),
        "{body}"
    );

    std::fs::write(project.path("t/broken.sh"), "exit 0\n").unwrap();
    let run = run_with(&project, &env);
    assert_eq!(run.code, 0, "{}", run.describe());
    let args = std::fs::read_to_string(project.path("agent-args")).unwrap();
    assert_eq!(args.trim(), "annotate --style success --context flotilla");
}

#[test]
fn without_an_agent_or_a_summary_file_nothing_is_written_and_the_run_is_unchanged() {
    let project = project();
    for env in [
        vec![("BUILDKITE", "true"), ("PATH", "/usr/bin:/bin")],
        vec![("GITHUB_ACTIONS", "true")],
        vec![("GITLAB_CI", "true")],
    ] {
        let run = run_with(&project, &env);
        assert_eq!(run.code, 1, "{env:?}: {}", run.describe());
        assert!(!run.stderr.contains("CI job summary"), "{env:?}: {}", run.describe());
        assert_eq!(run.last_line(), "1 passed, 1 failed, 0 skipped");
    }
}
