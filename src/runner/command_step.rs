//! [`run_command_step`]: runs a step's commands in parallel (command `i` as worker `i + 1`),
//! relays their output line by line, retries the ones that failed, and records everything.

use std::time::{Duration, Instant};

use camino::Utf8Path;
use tokio::sync::{mpsc, watch};
use tokio::task::JoinSet;

use super::executor::{CommandSpec, Executed, Placement, run_command};
use super::{Event, JobEnvironment, RunDir};
use crate::config::{Step, StepCommand};
use crate::exec::OutputLine;
use crate::exec::Shutdown;
use crate::results::{CommandRecord, JobExit, StepOutcome, StepRecord};

/// What a step needs from the run.
pub struct StepContext<'a> {
    /// The config folder (working directory of commands).
    pub root: &'a Utf8Path,
    /// The run folder (logs go to `steps/`).
    pub run_dir: &'a RunDir,
    /// Position of the step in the pipeline (for log names).
    pub index: usize,
    /// The step's environment, per worker, when it has one.
    pub environments: Option<&'a [JobEnvironment]>,
    /// Stops the step (cleanup steps get one that only reacts to a second signal).
    pub shutdown: watch::Receiver<Shutdown>,
    /// Whether this is a `[[cleanup]]` step.
    pub cleanup: bool,
}

struct Finished {
    index: usize,
    attempt: u32,
    record: CommandRecord,
    /// The task that forwards this command's lines; done once every line is forwarded.
    forwarder: tokio::task::JoinHandle<()>,
}

/// Runs `commands` (command `i` as worker `i + 1`) to the end, with retries.
pub async fn run_command_step(
    step: &Step,
    commands: &[StepCommand],
    mut ctx: StepContext<'_>,
    emit: &mut dyn FnMut(&Event),
) -> StepRecord {
    let started = Instant::now();
    emit(&Event::StepStarted {
        step: ctx.index,
        name: &step.name,
        commands: commands.len(),
        cleanup: ctx.cleanup,
        grouped: step.output == crate::config::OutputMode::Grouped,
    });
    let (lines_tx, mut lines_rx) = mpsc::unbounded_channel::<(usize, OutputLine)>();
    let mut running: JoinSet<Finished> = JoinSet::new();
    for (index, command) in commands.iter().enumerate() {
        spawn_command(&mut running, step, command, &ctx, index, 1, Duration::ZERO, &lines_tx);
    }
    let mut records = Vec::new();
    let mut failed = Vec::new();
    let mut timed_out = false;
    loop {
        tokio::select! {
            Some((worker, line)) = lines_rx.recv() => {
                emit(&Event::StepOutput { step: ctx.index, worker, stream: line.stream.into(), line: &line.text });
            }
            joined = running.join_next() => {
                let Some(joined) = joined else { break };
                                let mut finished = joined.expect("step command tasks do not panic");
                // Every line of this command is shown before it is reported finished.
                let _ = (&mut finished.forwarder).await;
                while let Ok((worker, line)) = lines_rx.try_recv() {
                    emit(&Event::StepOutput { step: ctx.index, worker, stream: line.stream.into(), line: &line.text });
                }
                emit(&Event::StepCommandFinished {
                    step: ctx.index,
                    worker: finished.record.worker,
                    attempt: finished.attempt,
                    exit: &finished.record.exit,
                    duration: finished.record.duration,
                });
                let ok = finished.record.exit == JobExit::Exited { code: 0 };
                let stopping = *ctx.shutdown.borrow() != Shutdown::Running;
                if !ok && !stopping && step.retry.allows_retry_after(finished.attempt) {
                    let delay = step.retry.delay_after(finished.attempt);
                    emit(&Event::Warning {
                        message: &format!(
                            "step `{}` worker {}: {}; retrying in {:.1}s (attempt {} of {})",
                            step.name,
                            finished.record.worker,
                            finished.record.exit,
                            delay.as_secs_f64(),
                            finished.attempt + 1,
                            step.retry.attempts()
                        ),
                    });
                    spawn_command(&mut running, step, &commands[finished.index], &ctx, finished.index, finished.attempt + 1, delay, &lines_tx);
                } else if !ok {
                    timed_out |= finished.record.exit == JobExit::TimedOut;
                    failed.push(finished.index);
                }
                records.push(finished.record);
            }
        }
    }
    drop(lines_tx);
    while let Ok((worker, line)) = lines_rx.try_recv() {
        emit(&Event::StepOutput {
            step: ctx.index,
            worker,
            stream: line.stream.into(),
            line: &line.text,
        });
    }
    let interrupted = *ctx.shutdown.borrow_and_update() != Shutdown::Running
        || records.iter().any(|r| r.exit == JobExit::Interrupted);
    let outcome = if interrupted {
        StepOutcome::Interrupted
    } else if timed_out {
        StepOutcome::TimedOut
    } else if failed.is_empty() {
        StepOutcome::Passed
    } else {
        StepOutcome::Failed
    };
    let record = StepRecord {
        name: step.name.clone(),
        kind: "command",
        cleanup: ctx.cleanup,
        outcome,
        duration: started.elapsed(),
        commands: records,
    };
    emit(&Event::StepFinished {
        step: ctx.index,
        name: &step.name,
        outcome,
        duration: record.duration,
    });
    record
}

#[expect(
    clippy::too_many_arguments,
    reason = "spawning needs the step, its command and the run's plumbing"
)]
fn spawn_command(
    running: &mut JoinSet<Finished>,
    step: &Step,
    command: &StepCommand,
    ctx: &StepContext<'_>,
    index: usize,
    attempt: u32,
    delay: Duration,
    lines: &mpsc::UnboundedSender<(usize, OutputLine)>,
) {
    let worker = index + 1;
    let dir = ctx
        .run_dir
        .path
        .join(format!("steps/{:02}-{}", ctx.index, slug(&step.name)));
    let _ = fs_err::create_dir_all(&dir);
    let argv = command.argv(worker, &ctx.run_dir.run_id, ctx.run_dir.path.as_str());
    let mut variables = step.env.clone();
    variables.extend([
        ("FLOTILLA_WORKER".to_string(), worker.to_string()),
        ("FLOTILLA_RUN_ID".to_string(), ctx.run_dir.run_id.clone()),
        ("FLOTILLA_STEP".to_string(), step.name.clone()),
    ]);
    let environment = ctx.environments.and_then(|envs| envs.get(index)).cloned();
    let (tx, mut rx) = mpsc::unbounded_channel();
    let stdout = dir.join(format!("w{worker}-a{attempt}.stdout"));
    let stderr = dir.join(format!("w{worker}-a{attempt}.stderr"));
    let root = ctx.root.to_path_buf();
    let (timeout, grace) = (step.timeout, step.timeout_grace);
    let service = step.exec.clone();
    let lines = lines.clone();
    let forwarder = tokio::spawn(async move {
        while let Some(line) = rx.recv().await {
            if lines.send((worker, line)).is_err() {
                return;
            }
        }
    });
    let mut shutdown = ctx.shutdown.clone();
    let display = command.display();
    running.spawn(async move {
        if !delay.is_zero() {
            tokio::time::sleep(delay).await;
        }
        let placement = match &service {
            Some(service) => Placement::Service(service),
            None => Placement::Host,
        };
        let executed = run_command(
            CommandSpec {
                argv,
                variables,
                cwd: root,
                stdout,
                stderr,
                timeout,
                grace,
                relay: Some(tx),
                environment: environment.as_ref(),
                placement,
            },
            &mut shutdown,
        )
        .await;
        let Executed {
            exit,
            duration,
            stdout,
            stderr,
            ..
        } = executed;
        let record = CommandRecord {
            worker,
            attempt,
            command: display,
            exit,
            duration,
            stdout,
            stderr,
        };
        Finished {
            index,
            attempt,
            record,
            forwarder,
        }
    });
}

fn slug(name: &str) -> String {
    let slug: String = name
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() {
                c.to_ascii_lowercase()
            } else {
                '-'
            }
        })
        .collect();
    let slug = slug.trim_matches('-').to_string();
    if slug.is_empty() {
        "step".into()
    } else {
        slug.chars().take(40).collect()
    }
}
