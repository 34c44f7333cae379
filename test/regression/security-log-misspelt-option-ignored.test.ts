// Regression: a misspelt key inside `securityLog` was ignored without a word, so the security
// stream kept its defaults: `securityLog: { maxLines: 2 }` (meant: maxLinesPerWindow) wrote 50
// lines at once for 50 distinct sources, where the intended limit writes 3 (2, then one overflow
// summary). Top-level options already named an unknown key; now securityLog's do too, with its
// options listed (and a "did you mean" when one is close), and a `now` that is not a function is
// refused. Real parts: createTelemetry, its security stream and the lines it writes.
import { afterEach, expect, it } from 'vitest';
import { createTelemetry, defineTelemetry, TelemetryOptionsError, type Telemetry } from '../../src/index.js';
import { captureLines } from '../support/capture.js';

const spec = defineTelemetry({
  service: { name: 'shop' },
  events: {
    'auth.failed': {
      level: 'warn',
      security: true,
      fields: { source: { type: 'string' }, outcome: { type: 'string' } },
    },
  },
});

const made: Telemetry[] = [];
afterEach(async () => {
  for (const telemetry of made.splice(0)) await telemetry.shutdown();
});

function issuesOf(make: () => unknown): string[] {
  try {
    made.push(make() as Telemetry);
  } catch (error) {
    if (error instanceof TelemetryOptionsError)
      return error.issues.map((issue) => `${issue.path}: ${issue.message}`);
    throw error;
  }
  return [];
}

function withSecurityLog(securityLog: object, lines = captureLines()) {
  return () =>
    createTelemetry(spec, {
      logDestination: captureLines().destination,
      securityLogDestination: lines.destination,
      securityLog: securityLog as never,
    });
}

it('security-log-misspelt-option-ignored: an unknown securityLog key is refused, naming it', () => {
  expect(issuesOf(withSecurityLog({ maxLines: 2 }))).toEqual([
    'securityLog.maxLines: is not an option of securityLog (foldWindowMs, maxLinesPerWindow)',
  ]);
  expect(issuesOf(withSecurityLog({ foldWindowMS: 1000, now: 5 }))).toEqual([
    'securityLog.foldWindowMS: is not an option of securityLog (foldWindowMs, maxLinesPerWindow); did you mean "foldWindowMs"?',
    'securityLog.now: must be a function, got 5',
  ]);
});

it('security-log-misspelt-option-ignored: the spelt option still limits the lines', async () => {
  const lines = captureLines();
  expect(issuesOf(withSecurityLog({ maxLinesPerWindow: 2 }, lines))).toEqual([]);
  for (let source = 0; source < 50; source++)
    made[0]!.log.event('auth.failed', { source: `10.0.0.${source}`, outcome: 'denied' });
  await made[0]!.forceFlush();
  expect(lines.lines).toHaveLength(3);
});
