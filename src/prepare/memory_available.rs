//! [`memory_available`]: how much memory the workers of this run may fill, for
//! `workers = "auto"`: `MemAvailable` of `/proc/meminfo`, or less where this process's cgroup
//! has a memory limit (a container started with `--memory`, a Kubernetes pod's limit, a CI
//! runner's), since `/proc/meminfo` shows the host's memory there. cgroup v2 (`memory.max`,
//! `memory.current`) and v1 (`memory.limit_in_bytes`, `memory.usage_in_bytes`) are read where
//! they are mounted at `/sys/fs/cgroup`.

use std::path::Path;

/// Bytes this run's workers may fill (`None` where nothing can be read).
#[must_use]
pub fn memory_available() -> Option<u64> {
    let meminfo = std::fs::read_to_string("/proc/meminfo")
        .ok()
        .and_then(|m| mem_available(&m));
    let cgroup = std::fs::read_to_string("/proc/self/cgroup")
        .ok()
        .and_then(|c| cgroup_room(&c, Path::new("/sys/fs/cgroup")));
    match (meminfo, cgroup) {
        (Some(a), Some(b)) => Some(a.min(b)),
        (one, other) => one.or(other),
    }
}

/// `MemAvailable` of a `/proc/meminfo` text, in bytes.
fn mem_available(meminfo: &str) -> Option<u64> {
    let line = meminfo.lines().find(|l| l.starts_with("MemAvailable:"))?;
    let kib: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kib * 1024)
}

/// Room left under this process's cgroup memory limit (`None`: no limit, or none readable).
/// `cgroup` is `/proc/self/cgroup`; `root` where the hierarchies are mounted.
fn cgroup_room(cgroup: &str, root: &Path) -> Option<u64> {
    let read = |path: &Path| std::fs::read_to_string(path).ok();
    for line in cgroup.lines() {
        let mut fields = line.splitn(3, ':');
        let (Some(id), Some(controllers), Some(path)) = (fields.next(), fields.next(), fields.next()) else {
            continue;
        };
        let path = path.trim_start_matches('/');
        let (hierarchy, limit, usage) = if id == "0" && controllers.is_empty() {
            (root.to_path_buf(), "memory.max", "memory.current")
        } else if controllers.split(',').any(|c| c == "memory") {
            (root.join("memory"), "memory.limit_in_bytes", "memory.usage_in_bytes")
        } else {
            continue;
        };
        // Inside a container the hierarchy is often mounted at the process's own cgroup, while
        // /proc/self/cgroup still names the host's path: then the mount's root is the cgroup.
        let dir = [hierarchy.join(path), hierarchy]
            .into_iter()
            .find(|dir| dir.join(limit).is_file());
        let Some(dir) = dir else { continue };
        let Some(limit) = read(&dir.join(limit)).and_then(|l| l.trim().parse::<u64>().ok()) else {
            continue;
        };
        // v1 writes "no limit" as a huge number near 2^63.
        if limit >= 1 << 62 {
            continue;
        }
        let used = read(&dir.join(usage))
            .and_then(|u| u.trim().parse::<u64>().ok())
            .unwrap_or(0);
        return Some(limit.saturating_sub(used));
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mem_available_is_read_in_bytes() {
        let meminfo = "MemTotal:       24000000 kB\nMemFree:  100 kB\nMemAvailable:   2048 kB\n";
        assert_eq!(mem_available(meminfo), Some(2048 * 1024));
        assert_eq!(mem_available("MemTotal: 1 kB\n"), None);
    }

    #[test]
    fn a_cgroup_limit_leaves_its_room_and_no_limit_leaves_none() {
        let root = tempfile::tempdir().unwrap();
        let v2 = root.path().join("ci/job");
        std::fs::create_dir_all(&v2).unwrap();
        std::fs::write(v2.join("memory.max"), "1073741824\n").unwrap();
        std::fs::write(v2.join("memory.current"), "268435456\n").unwrap();
        assert_eq!(cgroup_room("0::/ci/job\n", root.path()), Some(768 * 1024 * 1024));
        std::fs::write(v2.join("memory.max"), "max\n").unwrap();
        assert_eq!(cgroup_room("0::/ci/job\n", root.path()), None, "no limit");

        let v1 = root.path().join("memory/docker/abc");
        std::fs::create_dir_all(&v1).unwrap();
        std::fs::write(v1.join("memory.limit_in_bytes"), "2147483648\n").unwrap();
        std::fs::write(v1.join("memory.usage_in_bytes"), "1073741824\n").unwrap();
        let cgroup = "5:devices:/\n4:memory:/docker/abc\n0::/\n";
        assert_eq!(cgroup_room(cgroup, root.path()), Some(1024 * 1024 * 1024));
        std::fs::write(v1.join("memory.limit_in_bytes"), "9223372036854771712\n").unwrap();
        assert_eq!(cgroup_room(cgroup, root.path()), None, "v1's no limit");
        // The host's path in /proc/self/cgroup, the container's own cgroup mounted at the root.
        let mounted = root.path().join("memory");
        std::fs::write(mounted.join("memory.limit_in_bytes"), "536870912\n").unwrap();
        std::fs::write(mounted.join("memory.usage_in_bytes"), "0\n").unwrap();
        assert_eq!(
            cgroup_room("4:memory:/host/path\n", root.path()),
            Some(512 * 1024 * 1024)
        );
    }

    #[test]
    fn this_machine_says_something() {
        assert!(memory_available().is_some_and(|bytes| bytes > 0));
    }
}
