//! `Compose::detect` on this machine: v1 (`docker-compose`) when no compose plugin is installed,
//! and v2 when `docker compose` works (the plugin from scripts/compose-v2.sh, offered through
//! DOCKER_CONFIG to a child process so the rest of the tests keep the machine's default).

use flotilla::envs::{Compose, Flavor};

const CHILD: &str = "FLOTILLA_DETECT_CHILD";

#[tokio::test]
#[ignore = "helper: run by detect_picks_v2_when_the_plugin_exists_and_v1_otherwise"]
async fn detect_child() {
    if std::env::var_os(CHILD).is_none() {
        return;
    }
    let compose = Compose::detect("docker".as_ref()).await.unwrap();
    println!(
        "DETECTED {:?} {} {}",
        compose.flavor(),
        compose.version(),
        compose
            .program()
            .iter()
            .map(|p| p.to_string_lossy())
            .collect::<Vec<_>>()
            .join(" ")
    );
}

fn detect_with(docker_config: Option<&std::path::Path>) -> String {
    let mut command = std::process::Command::new(std::env::current_exe().unwrap());
    command
        .args(["detect::detect_child", "--exact", "--ignored", "--nocapture"])
        .env(CHILD, "1");
    if let Some(dir) = docker_config {
        command.env("DOCKER_CONFIG", dir);
    }
    let out = command.output().unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout).to_string();
    stdout
        .lines()
        .find_map(|l| l.strip_prefix("DETECTED ").map(str::to_string))
        .unwrap_or_else(|| {
            panic!(
                "no detection result:\n{stdout}\n{}",
                String::from_utf8_lossy(&out.stderr)
            )
        })
}

#[test]
fn detect_picks_v2_when_the_plugin_exists_and_v1_otherwise() {
    let v2 = crate::harness::compose_v2();
    let plugin_dir = std::path::Path::new(&v2.program()[0]).parent().unwrap().to_path_buf();
    let with_plugin = detect_with(Some(&plugin_dir));
    assert!(
        with_plugin.starts_with(&format!("V2 {} docker compose", v2.version())),
        "{with_plugin}"
    );

    let empty = tempfile::tempdir().unwrap();
    let without = detect_with(Some(empty.path()));
    let expected = if crate::harness::compose_v1().flavor() == Flavor::V1 {
        "V1 "
    } else {
        "V2 "
    };
    assert!(
        without.starts_with(expected) && without.ends_with("docker-compose"),
        "no plugin: falls back to docker-compose: {without}"
    );
}
