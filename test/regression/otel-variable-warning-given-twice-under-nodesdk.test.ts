// Regression: under NodeSDK (docs/nodesdk.md: `new NodeSDK({ ...nodeSdkParts(spec).config })`, and
// createTelemetry(spec) in the app's modules returning that telemetry), an invalid OTEL_* value was
// warned about twice: nodeSdkParts read the variables, and createTelemetry(spec) read them again
// though it only returned the telemetry nodeSdkParts made (and set the diag logger again over
// NodeSDK's). With OTEL_LOG_LEVEL=warn and OTEL_EXPORTER_OTLP_TIMEOUT=soon: 2 warnings -> 1; a
// createTelemetry of its own still warns once. Real processes: node with the source (NodeSDK's
// constructor's diag logger set as it sets it), its stderr read.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { expect, it } from 'vitest';
import { REPO } from '../packaging/packed.js';

const exec = promisify(execFile);

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

const ENV = { OTEL_EXPORTER_OTLP_TIMEOUT: 'soon', OTEL_LOG_LEVEL: 'warn' };
const WARNING =
  'plumbline: OTEL_EXPORTER_OTLP_TIMEOUT is invalid, expected a number of milliseconds above 0 and at ' +
  'most 2147483647 (actual: "soon"); not used';

it('otel-variable-warning-given-twice-under-nodesdk: one warning for nodeSdkParts and createTelemetry(spec)', async () => {
  const code = `import { createTelemetry, defineTelemetry, nodeSdkParts } from './src/index.ts';
import { diag, DiagConsoleLogger, DiagLogLevel } from '@opentelemetry/api';
const spec = defineTelemetry({ service: { name: 'shop' }, events: {} });
const parts = nodeSdkParts(spec, { logDestination: 1 });
// What NodeSDK's constructor does with OTEL_LOG_LEVEL.
diag.setLogger(new DiagConsoleLogger(), { logLevel: DiagLogLevel.WARN });
const telemetry = createTelemetry(spec);
if (telemetry !== parts.telemetry) throw new Error('createTelemetry made another telemetry');
await parts.telemetry.shutdown();`;
  const lines = await stderrOf(code, ENV);
  // Before: [WARNING, WARNING].
  expect(lines.filter((line) => line === WARNING)).toHaveLength(1);
});

it('otel-variable-warning-given-twice-under-nodesdk: a createTelemetry of its own still warns once', async () => {
  const code = `import { createTelemetry, defineTelemetry } from './src/index.ts';
const spec = defineTelemetry({ service: { name: 'shop' }, events: {} });
await createTelemetry(spec, { logDestination: 1 }).shutdown();`;
  expect(await stderrOf(code, ENV)).toEqual([WARNING]);
});
