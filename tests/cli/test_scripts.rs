//! The scripts tests call set up nothing: scripts/install-test-deps provides every test
//! dependency (packages, compose v2, the test image) before the first test starts, because two
//! test processes setting up packages at once fail on the dpkg lock.

use std::os::unix::fs::PermissionsExt;
use std::path::Path;
use std::process::Command;

fn script(name: &str) -> String {
    format!("{}/scripts/{name}", env!("CARGO_MANIFEST_DIR"))
}

/// A stand-in program that records its arguments in `log` and exits with `code`.
fn stand_in(dir: &Path, name: &str, log: &Path, code: i32) {
    let path = dir.join(name);
    std::fs::write(
        &path,
        format!("#!/bin/sh\necho \"{name} $*\" >> '{}'\nexit {code}\n", log.display()),
    )
    .unwrap();
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755)).unwrap();
}

#[test]
fn test_images_stops_with_the_command_to_run_when_busybox_is_missing() {
    // The script's PATH holds only stand-ins: `dpkg` says busybox-static is not there, and
    // `docker` records any call. Nothing that could set up a package is reachable.
    let bin = tempfile::tempdir().unwrap();
    let log = bin.path().join("calls.log");
    stand_in(bin.path(), "dpkg", &log, 1);
    stand_in(bin.path(), "docker", &log, 1);
    let out = Command::new("/bin/bash")
        .arg(script("test-images.sh"))
        .env("PATH", bin.path())
        .output()
        .unwrap();
    assert!(!out.status.success(), "it fails without busybox-static");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("scripts/install-test-deps") && !stderr.contains("command not found"),
        "it stops at once and says what to run: {stderr}"
    );
    let calls = std::fs::read_to_string(&log).unwrap_or_default();
    assert!(!calls.contains("docker"), "nothing is built without busybox:\n{calls}");
}

#[test]
fn test_images_check_builds_nothing() {
    let bin = tempfile::tempdir().unwrap();
    let log = bin.path().join("calls.log");
    // `docker image inspect` fails: the image is not there.
    stand_in(bin.path(), "docker", &log, 1);
    let out = Command::new("/bin/bash")
        .arg(script("test-images.sh"))
        .arg("--check")
        .env("PATH", bin.path())
        .output()
        .unwrap();
    assert!(!out.status.success(), "no image: the check fails");
    let calls = std::fs::read_to_string(&log).unwrap_or_default();
    assert!(
        calls.lines().all(|call| call.starts_with("docker image inspect")),
        "--check only looks:\n{calls}"
    );
    assert!(String::from_utf8_lossy(&out.stderr).contains("scripts/install-test-deps"));
}

#[test]
fn compose_v2_check_fetches_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let target = dir.path().join("compose-v2");
    let out = Command::new("bash")
        .arg(script("compose-v2.sh"))
        .arg("--check")
        .arg(&target)
        .output()
        .unwrap();
    assert!(!out.status.success(), "nothing is installed there, so the check fails");
    assert!(!target.exists(), "--check created {}", target.display());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("scripts/install-test-deps"), "{stderr}");
}
