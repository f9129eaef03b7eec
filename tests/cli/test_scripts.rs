//! The scripts tests call never install anything: scripts/install-test-deps installs every test
//! dependency before the first test starts, because two test processes running apt-get at once
//! fail on the dpkg lock ("Could not get lock /var/lib/dpkg/lock-frontend").

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
fn test_images_never_runs_apt_get_when_busybox_is_missing() {
    let bin = tempfile::tempdir().unwrap();
    let log = bin.path().join("calls.log");
    // dpkg says busybox-static is not installed; apt-get and docker only record their calls.
    stand_in(bin.path(), "dpkg", &log, 1);
    stand_in(bin.path(), "apt-get", &log, 0);
    stand_in(bin.path(), "docker", &log, 1);
    let path = format!("{}:/usr/bin:/bin", bin.path().display());
    let out = Command::new("bash")
        .arg(script("test-images.sh"))
        .env("PATH", path)
        .output()
        .unwrap();
    let calls = std::fs::read_to_string(&log).unwrap_or_default();
    assert!(
        !calls.contains("apt-get"),
        "test-images.sh ran apt-get from a test:\n{calls}"
    );
    assert!(!out.status.success(), "it fails without busybox-static");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("scripts/install-test-deps"),
        "the error says what to run: {stderr}"
    );
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
