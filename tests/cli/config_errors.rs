//! Configuration errors: exit 2, file:line:column, and a suggested fix.

use crate::harness::Project;

fn error_for(toml: &str) -> crate::harness::Run {
    let project = Project::new();
    project.config(toml).file("t/a.sh", "exit 0\n");
    let run = project.run(&["run"]);
    assert_eq!(run.code, 2, "{}", run.describe());
    run
}

const GOOD: &str = "[suite.s]\nrunner = \"custom\"\ncommand = [\"sh\", \"{file}\"]\nfiles = [\"t/*.sh\"]\n";

#[test]
fn unknown_key_names_the_place_and_suggests() {
    let run = error_for(&format!("[run]\nwrokers = 2\n\n{GOOD}"));
    assert!(run.stderr.contains("flotilla.toml:2:1"), "{}", run.stderr);
    assert!(run.stderr.contains("did you mean `workers`?"), "{}", run.stderr);
}

#[test]
fn wrong_type() {
    let run = error_for(&format!("[run]\nworkers = \"lots\"\n\n{GOOD}"));
    assert!(run.stderr.contains("flotilla.toml:2:"), "{}", run.stderr);
    assert!(run.stderr.contains("\"auto\""), "{}", run.stderr);
}

#[test]
fn bad_glob() {
    let run = error_for(&GOOD.replace("t/*.sh", "t/[*.sh"));
    assert!(run.stderr.contains("flotilla.toml:4:10"), "{}", run.stderr);
    assert!(run.stderr.contains("invalid glob"), "{}", run.stderr);
}

#[test]
fn no_files_matched() {
    let run = error_for(&GOOD.replace("t/*.sh", "tests/*.py"));
    assert!(run.stderr.contains("no files matched"), "{}", run.stderr);
    assert!(run.stderr.contains("flotilla.toml:4:9"), "{}", run.stderr);
    assert!(run.stderr.contains("relative to"), "{}", run.stderr);
}

#[test]
fn bad_duration() {
    let run = error_for(&format!("{GOOD}timeout = \"5 minuts\"\n"));
    assert!(run.stderr.contains("flotilla.toml:5:11"), "{}", run.stderr);
    assert!(run.stderr.contains("\"90s\""), "{}", run.stderr);
}

#[test]
fn unknown_suite_key_and_runner() {
    let run = error_for(&format!("{GOOD}retires = 2\n"));
    assert!(run.stderr.contains("did you mean `retries`?"), "{}", run.stderr);
    let run = error_for(&GOOD.replace("\"custom\"", "\"pytset\""));
    assert!(run.stderr.contains("unknown runner `pytset`"), "{}", run.stderr);
}

#[test]
fn unknown_suite_on_the_command_line() {
    let project = Project::new();
    project.config(GOOD).file("t/a.sh", "exit 0\n");
    let run = project.run(&["run", "--suite", "z"]);
    assert_eq!(run.code, 2, "{}", run.describe());
    assert!(run.stderr.contains("no suite named `z`"), "{}", run.stderr);
    let run = project.run(&["run", "--workers", "0"]);
    assert_eq!(run.code, 2, "{}", run.describe());
}

#[test]
fn renamed_keys_say_what_replaced_them() {
    let run = error_for(&format!("{GOOD}environment = {{ A = \"1\" }}\n"));
    assert!(run.stderr.contains("flotilla.toml:5:1"), "{}", run.stderr);
    assert!(run.stderr.contains("`environment` was renamed `env`"), "{}", run.stderr);
    let run = error_for(&format!("{GOOD}env = \"app\"\n"));
    assert!(run.stderr.contains("flotilla.toml:5:7"), "{}", run.stderr);
    assert!(run.stderr.contains("write `services = \"app\"`"), "{}", run.stderr);
    let run = error_for(&format!("[env.app]\ncompose = [\"c.yml\"]\n\n{GOOD}"));
    assert!(
        run.stderr.contains("rename `[env.NAME]` to `[services.NAME]`"),
        "{}",
        run.stderr
    );
}

#[test]
fn services_errors_point_at_the_bad_key() {
    let run = error_for(&format!(
        "[services.app]\ncompose = [\"c.yml\"]\nhealth = \"wait\"\nready-timeout = \"soon\"\n\n{GOOD}services = \"app\"\n"
    ));
    assert!(run.stderr.contains("flotilla.toml:4:17"), "{}", run.stderr);
    assert!(run.stderr.contains("services `app`: `ready-timeout`"), "{}", run.stderr);
    let run = error_for(&format!(
        "{GOOD}services = \"ap\"\n\n[services.app]\ncompose = [\"c.yml\"]\n"
    ));
    assert!(run.stderr.contains("flotilla.toml:5:12"), "{}", run.stderr);
    assert!(run.stderr.contains("did you mean `app`?"), "{}", run.stderr);
}

#[test]
fn profile_values_are_located_too() {
    let run = error_for(&format!("{GOOD}\n[profile.ci]\nretries = \"two\"\n"));
    assert!(run.stderr.contains("flotilla.toml:7:11"), "{}", run.stderr);
    let run = error_for(&format!("{GOOD}\n[profile.ci]\nenv = \"app\"\n"));
    assert!(run.stderr.contains("flotilla.toml:7:7"), "{}", run.stderr);
    assert!(run.stderr.contains("holds environment variables"), "{}", run.stderr);
}

#[test]
fn a_bad_variable_is_a_usage_error_naming_it() {
    let project = Project::new();
    project.config(GOOD).file("t/a.sh", "exit 0\n");
    let mut command = project.command(&["run"]);
    command.env("FLOTILLA_WORKERS", "many");
    let output = command.output().unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("FLOTILLA_WORKERS: `many`"), "{stderr}");
}
