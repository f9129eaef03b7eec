//! What every fuzz target shares: the case budget ([`config`], `FLOTILLA_FUZZ_CASES`), the
//! seed inputs ([`seeds`]: fixtures plus `tests/fuzz/corpus/<target>/`), the mutations applied
//! to them ([`mutated`]), and the check each input goes through ([`check`]): the call runs on its
//! own thread with a deadline, a panic is caught and reported with the input, and the bytes the
//! call allocates are counted (a per-thread counting allocator) against a bound linear in the
//! input's size.

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;
use std::path::{Path, PathBuf};
use std::sync::mpsc;
use std::time::Duration;

use proptest::prelude::*;
use proptest::test_runner::{Config as ProptestConfig, TestCaseError};

/// Every call must return within this time (debug build, inputs up to [`MAX_INPUT`] bytes).
pub const DEADLINE: Duration = Duration::from_secs(10);
/// Mutated inputs are cut to this size.
pub const MAX_INPUT: usize = 256 * 1024;

// ---------------------------------------------------------------------------------------------
// Case budget.

/// `FLOTILLA_FUZZ_CASES`, if set: cases per property for a long run.
pub fn long_run_cases() -> Option<u32> {
    std::env::var("FLOTILLA_FUZZ_CASES")
        .ok()
        .and_then(|v| v.trim().parse().ok())
}

/// A proptest configuration with `default` cases, or `FLOTILLA_FUZZ_CASES / divisor` when set
/// (`divisor` > 1 for targets whose one case costs a process or a file).
pub fn config(default: u32, divisor: u32) -> ProptestConfig {
    let cases = long_run_cases().map_or(default, |n| (n / divisor.max(1)).max(1));
    ProptestConfig {
        cases,
        failure_persistence: None,
        max_shrink_iters: 2_000,
        ..ProptestConfig::default()
    }
}

// ---------------------------------------------------------------------------------------------
// Counting allocator: bytes live on the current thread, and their peak, while tracking is on.

struct Counting;

thread_local! {
    static TRACKING: Cell<bool> = const { Cell::new(false) };
    static LIVE: Cell<isize> = const { Cell::new(0) };
    static PEAK: Cell<isize> = const { Cell::new(0) };
}

fn account(delta: isize) {
    let _ = TRACKING.try_with(|tracking| {
        if tracking.get() {
            let _ = LIVE.try_with(|live| {
                let now = live.get() + delta;
                live.set(now);
                let _ = PEAK.try_with(|peak| peak.set(peak.get().max(now)));
            });
        }
    });
}

// SAFETY: every call is forwarded to `System`; the bookkeeping touches only const-initialised
// thread-locals without destructors, which never allocate.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        account(layout.size() as isize);
        // SAFETY: same contract as ours.
        unsafe { System.alloc(layout) }
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        account(-(layout.size() as isize));
        // SAFETY: same contract as ours.
        unsafe { System.dealloc(ptr, layout) }
    }
    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        account(layout.size() as isize);
        // SAFETY: same contract as ours.
        unsafe { System.alloc_zeroed(layout) }
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        account(new_size as isize - layout.size() as isize);
        // SAFETY: same contract as ours.
        unsafe { System.realloc(ptr, layout, new_size) }
    }
}

#[global_allocator]
static GLOBAL: Counting = Counting;

/// Peak bytes a call may hold: a generous multiple of its input (a JSON value tree is ~30x its
/// text), plus a constant for buffers and tables.
pub fn memory_bound(input_len: usize) -> usize {
    64 * 1024 * 1024 + 256 * input_len
}

// ---------------------------------------------------------------------------------------------
// The check.

/// What one call did.
#[derive(Debug)]
pub struct Outcome<T> {
    /// The call's value.
    pub value: T,
    /// Peak bytes allocated by the call on its thread.
    pub peak_bytes: usize,
}

/// Runs `call` on its own thread (8 MiB stack, as the binary's main thread has) and waits at most
/// [`DEADLINE`]. A panic, a hang or a peak allocation over [`memory_bound`] of `input_len` is an
/// `Err` describing it.
pub fn run_bounded<T, F>(input_len: usize, call: F) -> Result<Outcome<T>, String>
where
    T: Send + 'static,
    F: FnOnce() -> T + Send + 'static,
{
    let (tx, rx) = mpsc::channel();
    std::thread::Builder::new()
        .name("fuzz-call".into())
        .stack_size(8 * 1024 * 1024)
        .spawn(move || {
            LIVE.with(|l| l.set(0));
            PEAK.with(|p| p.set(0));
            TRACKING.with(|t| t.set(true));
            let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(call));
            TRACKING.with(|t| t.set(false));
            let peak = PEAK.with(Cell::get).max(0) as usize;
            let _ = tx.send(result.map(|value| Outcome {
                value,
                peak_bytes: peak,
            }));
        })
        .map_err(|e| format!("could not start the fuzz thread: {e}"))?;
    match rx.recv_timeout(DEADLINE) {
        Ok(Ok(outcome)) => {
            if outcome.peak_bytes > memory_bound(input_len) {
                Err(format!(
                    "memory blow-up: {} bytes allocated for {input_len} bytes of input",
                    outcome.peak_bytes
                ))
            } else {
                Ok(outcome)
            }
        }
        Ok(Err(payload)) => {
            let message = payload
                .downcast_ref::<String>()
                .cloned()
                .or_else(|| payload.downcast_ref::<&str>().map(|s| (*s).to_string()))
                .unwrap_or_else(|| "non-string panic payload".into());
            Err(format!("panicked: {message}"))
        }
        Err(mpsc::RecvTimeoutError::Timeout) => Err(format!("hang: no answer within {DEADLINE:?}")),
        Err(mpsc::RecvTimeoutError::Disconnected) => Err("the fuzz thread died without an answer".into()),
    }
}

/// One parser of outside text: its name, the call, and the check on an `Err`'s message.
pub struct Target {
    /// Name, as in `tests/fuzz/corpus/<name>/`.
    pub name: &'static str,
    /// The call: `Ok(number of items parsed)` or `Err(message)`.
    pub parse: fn(&str) -> Result<usize, String>,
    /// Words one of which an error message must contain (it says which input it is about).
    pub names: &'static [&'static str],
}

/// Checks `target` on `text`: returns in time, no panic, bounded memory, an `Ok` with no more
/// items than bytes, an `Err` that says what it is about.
pub fn check(target: &Target, text: String) -> Result<(), TestCaseError> {
    let len = text.len();
    let parse = target.parse;
    let shown = preview(&text);
    let outcome = run_bounded(len, move || parse(&text))
        .map_err(|problem| TestCaseError::fail(format!("{}: {problem}; input: {shown}", target.name)))?;
    match outcome.value {
        Ok(items) => prop_assert!(
            items <= len + 1,
            "{}: {items} items out of {len} bytes; input: {shown}",
            target.name
        ),
        Err(message) => {
            prop_assert!(!message.trim().is_empty(), "{}: empty error message", target.name);
            let lower = message.to_lowercase();
            prop_assert!(
                target.names.iter().any(|n| lower.contains(&n.to_lowercase())),
                "{}: error message does not say what it is about: {message:?}; input: {shown}",
                target.name
            );
        }
    }
    Ok(())
}

/// The start of an input, escaped, for failure messages.
pub fn preview(text: &str) -> String {
    let mut shown: String = text.chars().take(400).collect();
    if shown.len() < text.len() {
        shown.push_str(&format!("… ({} bytes)", text.len()));
    }
    format!("{shown:?}")
}

// ---------------------------------------------------------------------------------------------
// Seeds.

/// The repository root.
pub fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// The files `paths` (relative to the repository root; a folder means every file in it), plus
/// every file of `tests/fuzz/corpus/<target>/`, as bytes. Panics if none is found.
pub fn seeds(target: &str, paths: &[&str]) -> Vec<Vec<u8>> {
    let mut files = Vec::new();
    for path in paths {
        collect(&repo().join(path), &mut files);
    }
    collect(&repo().join("tests/fuzz/corpus").join(target), &mut files);
    files.sort();
    files.dedup();
    let seeds: Vec<Vec<u8>> = files
        .iter()
        .map(|f| std::fs::read(f).unwrap_or_else(|e| panic!("reading {}: {e}", f.display())))
        .collect();
    assert!(!seeds.is_empty(), "no seed for {target}");
    seeds
}

fn collect(path: &Path, files: &mut Vec<PathBuf>) {
    if path.is_dir() {
        let mut entries: Vec<PathBuf> = std::fs::read_dir(path)
            .unwrap_or_else(|e| panic!("listing {}: {e}", path.display()))
            .map(|e| e.expect("a folder entry").path())
            .collect();
        entries.sort();
        for entry in entries {
            collect(&entry, files);
        }
    } else if path.is_file() {
        files.push(path.to_path_buf());
    }
}

// ---------------------------------------------------------------------------------------------
// Mutations.

/// Tokens inserted by [`Op::Insert`]: syntax of the formats read (XML, JSON, TOML, YAML) and
/// values parsers tend to trip on.
const TOKENS: &[&str] = &[
    "<",
    ">",
    "</",
    "/>",
    "<testsuite>",
    "</testsuite>",
    "<testcase name=\"x\">",
    "</testcase>",
    "<failure>",
    "<![CDATA[",
    "]]>",
    "<!--",
    "-->",
    "<?xml version=\"1.0\"?>",
    "&#0;",
    "&#xFFFFFFFF;",
    "&lt",
    "&unknown;",
    "\u{0}",
    "\u{feff}",
    "{",
    "}",
    "[",
    "]",
    "\"",
    ",",
    ":",
    "null",
    "true",
    "1e999",
    "-0",
    "18446744073709551616",
    "-1",
    "\"\\ud800\"",
    "\"\\u0000\"",
    "[[",
    "]]",
    "=",
    "\"\"\"",
    "'''",
    "inf",
    "nan",
    "1979-05-27T07:32:00Z",
    "&a ",
    "*a",
    "!!binary ",
    "<<: *a",
    "- ",
    ": ",
    "\n",
    "\r\n",
    "\t",
    "    ",
    "{\"Action\":\"run\",\"Test\":\"T\"}\n",
    "é",
    "\u{10ffff}",
];

/// One edit of an input. Positions are taken modulo the input's length.
#[derive(Clone, Debug)]
pub enum Op {
    /// Flip one bit.
    Flip { at: usize, bit: u8 },
    /// Cut the input at a byte.
    Truncate { at: usize },
    /// Cut just before or after the `nth` occurrence of a structural byte.
    TruncateAtBoundary { class: usize, nth: usize, after: bool },
    /// Delete a chunk.
    Delete { at: usize, len: usize },
    /// Duplicate a chunk in place.
    Duplicate { at: usize, len: usize },
    /// Replace the tail from `at` with the tail of another seed from `other_at`.
    Splice { other: usize, at: usize, other_at: usize },
    /// Repeat a chunk many times (deep nesting, long lines, huge lists).
    Repeat { at: usize, len: usize, times: usize },
    /// Insert a token from [`TOKENS`].
    Insert { at: usize, token: usize },
}

const BOUNDARIES: &[u8] = b"\n<>{}[]\",:= ";

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        3 => (any::<usize>(), 0u8..8).prop_map(|(at, bit)| Op::Flip { at, bit }),
        1 => any::<usize>().prop_map(|at| Op::Truncate { at }),
        3 => (0..BOUNDARIES.len(), any::<usize>(), any::<bool>())
            .prop_map(|(class, nth, after)| Op::TruncateAtBoundary { class, nth, after }),
        2 => (any::<usize>(), 1usize..256).prop_map(|(at, len)| Op::Delete { at, len }),
        2 => (any::<usize>(), 1usize..256).prop_map(|(at, len)| Op::Duplicate { at, len }),
        2 => (any::<usize>(), any::<usize>(), any::<usize>())
            .prop_map(|(other, at, other_at)| Op::Splice { other, at, other_at }),
        1 => (any::<usize>(), 1usize..64, 2usize..4096).prop_map(|(at, len, times)| Op::Repeat { at, len, times }),
        3 => (any::<usize>(), 0..TOKENS.len()).prop_map(|(at, token)| Op::Insert { at, token }),
    ]
}

/// A seed index and up to eight edits.
pub fn mutation() -> impl Strategy<Value = (usize, Vec<Op>)> {
    (any::<usize>(), proptest::collection::vec(op(), 1..8))
}

fn clamp(at: usize, len: usize) -> usize {
    if len == 0 { 0 } else { at % (len + 1) }
}

/// Applies `ops` to seed `index` of `seeds` (modulo their number); the result is cut to
/// [`MAX_INPUT`] bytes.
pub fn apply(seeds: &[Vec<u8>], index: usize, ops: &[Op]) -> Vec<u8> {
    let mut data = seeds[index % seeds.len()].clone();
    for op in ops {
        let len = data.len();
        match *op {
            Op::Flip { at, bit } => {
                if len > 0 {
                    data[at % len] ^= 1 << bit;
                }
            }
            Op::Truncate { at } => data.truncate(clamp(at, len)),
            Op::TruncateAtBoundary { class, nth, after } => {
                let byte = BOUNDARIES[class % BOUNDARIES.len()];
                let hits: Vec<usize> = data
                    .iter()
                    .enumerate()
                    .filter(|(_, b)| **b == byte)
                    .map(|(i, _)| i)
                    .collect();
                if !hits.is_empty() {
                    let at = hits[nth % hits.len()];
                    data.truncate(if after { at + 1 } else { at });
                }
            }
            Op::Delete { at, len: n } => {
                let at = clamp(at, len);
                let end = (at + n).min(len);
                data.drain(at..end);
            }
            Op::Duplicate { at, len: n } => {
                let at = clamp(at, len);
                let end = (at + n).min(len);
                let chunk = data[at..end].to_vec();
                data.splice(end..end, chunk);
            }
            Op::Splice { other, at, other_at } => {
                let other = &seeds[other % seeds.len()];
                let at = clamp(at, len);
                let other_at = clamp(other_at, other.len());
                data.truncate(at);
                data.extend_from_slice(&other[other_at..]);
            }
            Op::Repeat { at, len: n, times } => {
                let at = clamp(at, len);
                let end = (at + n).min(len);
                let chunk = data[at..end].to_vec();
                if !chunk.is_empty() {
                    let times = times.min(MAX_INPUT / chunk.len());
                    let repeated: Vec<u8> = chunk.iter().copied().cycle().take(chunk.len() * times).collect();
                    data.splice(end..end, repeated);
                }
            }
            Op::Insert { at, token } => {
                let at = clamp(at, len);
                let token = TOKENS[token % TOKENS.len()].as_bytes();
                data.splice(at..at, token.iter().copied());
            }
        }
        data.truncate(MAX_INPUT);
    }
    data
}

/// Text of possibly invalid UTF-8 (the parsers take `&str`; readers reject non-UTF-8 earlier).
pub fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// Arbitrary bytes: mostly short, some long, biased towards the given alphabet so that some
/// structure survives.
pub fn arbitrary_bytes(alphabet: &'static [u8]) -> impl Strategy<Value = Vec<u8>> {
    prop_oneof![
        proptest::collection::vec(any::<u8>(), 0..512),
        proptest::collection::vec(proptest::sample::select(alphabet), 0..2048),
        proptest::collection::vec(
            prop_oneof![4 => proptest::sample::select(alphabet), 1 => any::<u8>()],
            0..4096
        ),
    ]
}

/// Asserts `target` survives every seed unmutated, every prefix of each seed cut at a line end,
/// and every structural-boundary cut of the first `limit` boundaries.
pub fn check_truncations(target: &Target, seeds: &[Vec<u8>], limit: usize) {
    for seed in seeds {
        let mut cuts: Vec<usize> = vec![0, seed.len()];
        cuts.extend(
            seed.iter()
                .enumerate()
                .filter(|(_, b)| BOUNDARIES.contains(b))
                .map(|(i, _)| i)
                .take(limit)
                .flat_map(|i| [i, i + 1]),
        );
        cuts.sort_unstable();
        cuts.dedup();
        for cut in cuts {
            if let Err(e) = check(target, text(&seed[..cut])) {
                panic!("{e}");
            }
        }
    }
}

/// Helper for `Debug`-printing an error chain in one line.
pub fn describe(error: &(dyn std::error::Error + 'static)) -> String {
    let mut message = error.to_string();
    let mut source = error.source();
    while let Some(cause) = source {
        message.push_str(&format!(": {cause}"));
        source = cause.source();
    }
    message
}
