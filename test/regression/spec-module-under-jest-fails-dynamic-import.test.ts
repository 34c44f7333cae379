// Regression: under Jest (30, without --experimental-vm-modules), `loadSpecFile` of a .cjs or .js
// spec module failed as "TypeError: A dynamic import callback was invoked without
// --experimental-vm-modules": the CommonJS build loaded every spec module with import(), which has
// no callback in Jest's module registry (JSON and YAML specs loaded; 2 of 2 module cases failed:
// the .cjs spec and the .mjs one, whose error said nothing of the file). The CommonJS build now
// falls back to its own require there (Jest's, through Jest's registry), and an ES module spec
// Jest cannot require is refused naming the file and what to do. Real parts: the packed package in
// a fresh app with Jest 30 and the OTel 2.x line (NodeSDK in setupFiles), run by Jest itself.
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

describe('spec module under jest fails dynamic import', () => {
  const line = OTEL_LINES[0]!;
  let dir: string;
  let env: NodeJS.ProcessEnv;
  let eventLog: string;

  beforeAll(async () => {
    // Its own app (the jest-app's setup plus spec-module.test.cjs), so the jest-app's run keeps its tests.
    dir = await consumerApp(['jest-app', 'jest-spec-module-app'], line, { jest: '30.5.2' });
    env = await lineEnvironment(line);
    eventLog = join(dir, `events-${process.pid}.ndjson`);
  }, 900_000);

  afterAll(async () => {
    // The app dir is the install cache, reused by later runs: leave no event log behind.
    if (eventLog !== undefined) rmSync(eventLog, { force: true });
    await releaseConsumerApp();
  });

  it('loads a CommonJS spec module and names an ES module one it cannot load', async () => {
    const output = await runCommand(
      process.execPath,
      [
        join(dir, 'node_modules', 'jest', 'bin', 'jest.js'),
        '--ci',
        '--runInBand',
        '--json',
        'spec-module.test.cjs',
      ],
      dir,
      180_000,
      { ...env, APP_EVENT_LOG: eventLog },
    ).catch((error: Error) => {
      throw new Error(`jest failed: ${error.message}`);
    });
    const report = JSON.parse(output) as {
      numPassedTests: number;
      testResults: { name: string; status: string; message: string }[];
    };
    const failures = report.testResults.filter((file) => file.status !== 'passed');
    expect(failures.map((file) => `${file.name}: ${file.message}`)).toEqual([]);
    expect(report.numPassedTests).toBe(2);
  }, 240_000);
});
