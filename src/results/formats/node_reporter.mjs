// flotilla's reporter for `node --test` (Node >= 18.15 / 20):
//
//   node --test --test-reporter=/path/to/node_reporter.mjs --test-reporter-destination={result} FILES
//
// Node's built-in junit reporter leaves out which file each test is in, and its TAP reporter
// gives a location only for failures; the runner's own events carry both. This writes one JSON
// object per line for every finished test or suite ("pass"/"fail"), every line a test file wrote
// to stderr ("stderr", so a file that fails before its tests can be explained), and a final
// {"event":"end"} so a report cut short is never mistaken for a complete one.
// Parsed by `parse_node_events` (src/results/formats/node_events.rs). Keep this file dependency-free.

function describeError(error) {
  if (error === undefined || error === null) {
    return null;
  }
  const cause = error.cause;
  if (cause !== undefined && cause !== null && typeof cause === 'object') {
    return String(cause.stack || cause.message || cause);
  }
  if (cause !== undefined && cause !== null) {
    return String(cause);
  }
  return String(error.stack || error.message || error);
}

export default async function* flotillaReporter(source) {
  for await (const event of source) {
    if (event.type === 'test:pass' || event.type === 'test:fail') {
      const data = event.data;
      const details = data.details || {};
      const error = details.error;
      yield `${JSON.stringify({
        event: event.type === 'test:pass' ? 'pass' : 'fail',
        name: data.name,
        nesting: data.nesting,
        file: data.file ?? null,
        line: data.line ?? null,
        type: details.type ?? 'test',
        duration_ms: details.duration_ms ?? null,
        skip: data.skip ?? null,
        todo: data.todo ?? null,
        failure_type: error ? error.failureType ?? null : null,
        error: describeError(error),
      })}\n`;
    } else if (event.type === 'test:stderr') {
      const data = event.data;
      yield `${JSON.stringify({ event: 'stderr', file: data.file ?? null, message: String(data.message) })}\n`;
    }
  }
  yield '{"event":"end"}\n';
}
