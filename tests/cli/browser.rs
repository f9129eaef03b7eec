//! Headless Chromium for the HTML report's tests: load a page, get its DOM after the script ran
//! and every console message (errors, CSP violations, anything the page logged).
//!
//! Each load gets its own profile in a temp folder (tests run in parallel) and its own process
//! group, killed and reaped when the load ends or the test fails.

use std::io::Read;
use std::os::unix::process::CommandExt;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

pub const CHROMIUM: &str = "/usr/bin/chromium";

/// What a page load gave.
pub struct Page {
    pub dom: String,
    /// Lines Chromium logged for the page's console (`INFO:CONSOLE`).
    pub console: Vec<String>,
}

/// A Chromium process group, killed on drop.
struct Group(Child);

impl Drop for Group {
    fn drop(&mut self) {
        let pid = nix::unistd::Pid::from_raw(i32::try_from(self.0.id()).unwrap());
        let _ = nix::sys::signal::killpg(pid, nix::sys::signal::Signal::SIGKILL);
        let _ = self.0.wait();
    }
}

fn chromium(args: &[&str], url: &str) -> (String, String) {
    let profile = tempfile::tempdir().unwrap();
    let mut command = Command::new(CHROMIUM);
    command
        .args([
            "--headless=new",
            "--no-sandbox",
            "--disable-gpu",
            "--no-first-run",
            "--disable-extensions",
            "--disable-background-networking",
            "--enable-logging=stderr",
            "--v=0",
        ])
        .arg(format!("--user-data-dir={}", profile.path().display()))
        .args(args)
        .arg(url)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .process_group(0);
    let mut group = Group(
        command
            .spawn()
            .expect("chromium starts (scripts/install-test-deps installs it)"),
    );
    let mut stdout = group.0.stdout.take().unwrap();
    let mut stderr = group.0.stderr.take().unwrap();
    let out = std::thread::spawn(move || {
        let mut text = String::new();
        let _ = stdout.read_to_string(&mut text);
        text
    });
    let err = std::thread::spawn(move || {
        let mut bytes = Vec::new();
        let _ = stderr.read_to_end(&mut bytes);
        String::from_utf8_lossy(&bytes).into_owned()
    });
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        if group.0.try_wait().unwrap().is_some() {
            break;
        }
        assert!(Instant::now() < deadline, "chromium did not finish within 60 s");
        std::thread::sleep(Duration::from_millis(20));
    }
    drop(group);
    (out.join().unwrap(), err.join().unwrap())
}

/// Loads `path` (with `#fragment`, if any) and returns the DOM and the console.
pub fn load(path: &Path, fragment: &str) -> Page {
    let url = format!("file://{}{fragment}", path.display());
    let (dom, log) = chromium(&["--dump-dom"], &url);
    let console = log
        .lines()
        .filter(|line| line.contains(":CONSOLE"))
        .map(str::to_string)
        .collect();
    Page { dom, console }
}

/// Saves a screenshot of `path` to `png`.
pub fn screenshot(path: &Path, png: &Path, size: (u32, u32)) {
    let url = format!("file://{}", path.display());
    let (_, log) = chromium(
        &[
            &format!("--screenshot={}", png.display()),
            &format!("--window-size={},{}", size.0, size.1),
            "--hide-scrollbars",
        ],
        &url,
    );
    assert!(png.is_file(), "no screenshot:\n{log}");
}

impl Page {
    /// Fails unless the console stayed silent (no error, no CSP violation, no log line).
    pub fn assert_quiet(&self) {
        assert!(self.console.is_empty(), "the page logged:\n{}", self.console.join("\n"));
        assert!(
            self.dom.contains("data-rendered=\"1\""),
            "the script did not finish:\n{}",
            &self.dom[..self.dom.len().min(2000)]
        );
    }

    /// How many times `needle` occurs in the DOM.
    pub fn count(&self, needle: &str) -> usize {
        self.dom.matches(needle).count()
    }
}
