// Regression: OTEL_LOG_LEVEL, how an OTel service turns on the SDK's own warnings, was not read by
// createTelemetry, and nodeSdkParts runs before NodeSDK's constructor reads it: what plumbline
// warns about while it reads its options and the OTEL_* variables (an invalid value left out, a
// timeout clamped) went nowhere. With OTEL_LOG_LEVEL=warn and OTEL_EXPORTER_OTLP_TIMEOUT=soon, a
// fresh process wrote 0 lines on stderr -> 1 naming the variable. nodeSdkParts removes its logger
// when it returns, so NodeSDK sets its own without a "logger will be overwritten" warning.
// Real processes: node with the source, its stderr read.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { expect, it } from 'vitest';
import { REPO } from '../packaging/packed.js';

const exec = promisify(execFile);

/** stderr of a fresh process running `code` (ESM, from the repository) under `env`. */
async function stderrOf(code: string, env: Record<string, string>): Promise<string[]> {
  const base = Object.fromEntries(
    Object.entries(process.env).filter(([name]) => !name.startsWith('OTEL_')),
  ) as Record<string, string>;
  const { stderr } = await exec(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', code], {
    cwd: REPO,
    env: { ...base, ...env },
  });
  return stderr.split('\n').filter((line) => line.trim() !== '');
}

const MADE = `import { createTelemetry, defineTelemetry, nodeSdkParts } from './src/index.ts';
import { diag, DiagConsoleLogger, DiagLogLevel } from '@opentelemetry/api';
const spec = defineTelemetry({ service: { name: 'shop' }, events: {} });`;

const INVALID = { OTEL_EXPORTER_OTLP_TIMEOUT: 'soon' };
const WARNING =
  'plumbline: OTEL_EXPORTER_OTLP_TIMEOUT is invalid, expected a number of milliseconds above 0 and at ' +
  'most 2147483647 (actual: "soon"); not used';

it('otel-log-level-ignored: createTelemetry writes what it warns about at OTEL_LOG_LEVEL=warn', async () => {
  const code = `${MADE}
await createTelemetry(spec, { logDestination: 1 }).shutdown();`;
  // Before: [].
  expect(await stderrOf(code, { ...INVALID, OTEL_LOG_LEVEL: 'warn' })).toEqual([WARNING]);
  expect(await stderrOf(code, INVALID)).toEqual([]);
  expect(await stderrOf(code, { ...INVALID, OTEL_LOG_LEVEL: 'error' })).toEqual([]);
});

it('otel-log-level-ignored: nodeSdkParts writes it, then leaves the diag logger to NodeSDK', async () => {
  const code = `${MADE}
const parts = nodeSdkParts(spec, { logDestination: 1 });
diag.warn('not written: no logger until NodeSDK sets one');
// What NodeSDK's constructor does with OTEL_LOG_LEVEL.
diag.setLogger(new DiagConsoleLogger(), { logLevel: DiagLogLevel.WARN });
diag.warn('written by NodeSDK\\'s logger');
await parts.telemetry.shutdown();`;
  // Before: only NodeSDK's line.
  expect(await stderrOf(code, { ...INVALID, OTEL_LOG_LEVEL: 'warn' })).toEqual([
    WARNING,
    "written by NodeSDK's logger",
  ]);
});
