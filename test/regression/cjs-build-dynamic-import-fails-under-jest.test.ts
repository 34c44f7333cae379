// Regression (NestJS + Jest trial): the CommonJS build loaded `yaml` and `@opentelemetry/api-logs`
// with import(). Jest runs CommonJS in its own module registry, where import() has no callback
// without --experimental-vm-modules, so under Jest `loadSpecFile('telemetry.yaml')` failed as
// "telemetry.yaml: not valid YAML: A dynamic import callback was invoked without
// --experimental-vm-modules" (the YAML was valid), and with NodeSDK started in setupFiles every
// event line's OTel Logs record was counted lost as not_started. The CommonJS build now loads
// both with its own require. Real parts: the packed package in a fresh app with Jest 30 and the
// OTel 2.x line, run by Jest itself.
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  consumerApp,
  lineEnvironment,
  OTEL_LINES,
  releaseConsumerApp,
  runCommand,
} from '../consumer/consumer-app.js';

describe('cjs build dynamic import fails under jest', () => {
  const line = OTEL_LINES[0]!;
  let dir: string;
  let eventLog: string;
  let env: NodeJS.ProcessEnv;

  beforeAll(async () => {
    dir = await consumerApp(['jest-app'], line, { jest: '30.5.2' });
    env = await lineEnvironment(line);
    eventLog = join(dir, `events-${process.pid}.ndjson`);
  }, 900_000);

  afterAll(async () => {
    // The app dir is the install cache, reused by later runs: leave no event log behind.
    if (eventLog !== undefined) rmSync(eventLog, { force: true });
    await releaseConsumerApp();
  });

  it('loads a YAML spec and bridges event lines to NodeSDK under Jest', async () => {
    const output = await runCommand(
      process.execPath,
      [join(dir, 'node_modules', 'jest', 'bin', 'jest.js'), '--ci', '--runInBand', '--json'],
      dir,
      180_000,
      { ...env, APP_EVENT_LOG: eventLog },
    ).catch((error: Error) => {
      throw new Error(`jest failed: ${error.message}`);
    });
    const report = JSON.parse(output) as {
      numPassedTests: number;
      numFailedTests: number;
      testResults: { name: string; status: string; message: string }[];
    };
    const failures = report.testResults.filter((file) => file.status !== 'passed');
    expect(failures.map((file) => `${file.name}: ${file.message}`)).toEqual([]);
    expect(report.numPassedTests).toBe(2);
  }, 240_000);
});
