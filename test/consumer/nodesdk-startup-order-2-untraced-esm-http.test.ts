// Regression (docs trial): docs/nodesdk.md's "Start-up order 2" (the app starts NodeSDK in its
// entry module, no --import) registered no ESM hook. An app whose server does
// `import { createServer } from 'node:http'` then got no server span at all: its event lines
// carried no trace_id and the tail sampler saw nothing. The recipe now registers
// @opentelemetry/instrumentation's hook first. The packed plumbline in a fresh app on the 2.x line.
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { freePort, startProcess, waitFor, type RunningProcess } from '../support/process.js';
import { consumerApp, lineEnvironment, OTEL_LINES, releaseConsumerApp } from './consumer-app.js';

const line = OTEL_LINES[0]!;
let dir: string;
let env: NodeJS.ProcessEnv;
let app: RunningProcess | undefined;
let eventLog: string | undefined;

beforeAll(async () => {
  dir = await consumerApp(['app-common', 'order2-app'], line, {
    '@opentelemetry/instrumentation-http': line.dependencies['@opentelemetry/instrumentation']!,
  });
  env = await lineEnvironment(line);
}, 900_000);

afterEach(async () => {
  await app?.stop();
  app = undefined;
  if (eventLog !== undefined) rmSync(eventLog, { force: true });
});

afterAll(releaseConsumerApp);

/** Starts `node main.mjs`, sends three requests, and returns the event lines and /metrics. */
async function run(withHook: boolean): Promise<{ lines: Record<string, unknown>[]; metrics: string }> {
  const port = await freePort();
  eventLog = join(dir, `events-order2-${process.pid}-${withHook ? 'hook' : 'none'}.ndjson`);
  app = startProcess('node', ['main.mjs'], {
    cwd: dir,
    env: { ...env, PORT: String(port), APP_EVENT_LOG: eventLog, APP_NO_ESM_HOOK: withHook ? '0' : '1' },
  });
  await waitFor(
    'the app to listen',
    async () => {
      if (app!.child.exitCode !== null) throw new Error(`the app exited:\n${app!.output()}`);
      return (await fetch(`http://127.0.0.1:${port}/warm-up`).catch(() => undefined))?.ok ? true : undefined;
    },
    30_000,
    100,
  );
  for (const id of ['o-1', 'o-2', 'o-3']) await (await fetch(`http://127.0.0.1:${port}/${id}`)).text();
  const metrics = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
  await app.stop('SIGTERM');
  app = undefined;
  const lines = readFileSync(eventLog, 'utf8')
    .split('\n')
    .filter((text) => text !== '')
    .map((text) => JSON.parse(text) as Record<string, unknown>)
    .filter((record) => record.event === 'order.viewed' && record.order_id !== 'warm-up');
  return { lines, metrics };
}

const decisions = (metrics: string) =>
  metrics
    .split('\n')
    .filter((text) => text.startsWith('plumbline_sampler_decisions_total{'))
    .reduce((sum, text) => sum + Number(text.slice(text.lastIndexOf(' ') + 1)), 0);

describe('NodeSDK start-up order 2 leaves an ESM node:http server untraced', () => {
  it('traces the server with the recipe: every event line has its request trace, every trace is decided', async () => {
    const { lines, metrics } = await run(true);
    expect(lines.map((record) => record.order_id)).toEqual(['o-1', 'o-2', 'o-3']);
    for (const record of lines) expect(record.trace_id).toMatch(/^[0-9a-f]{32}$/);
    expect(new Set(lines.map((record) => record.trace_id)).size).toBe(3);
    expect(decisions(metrics)).toBeGreaterThanOrEqual(4);
  }, 60_000);

  it('is untraced without the ESM hook (why the recipe registers it)', async () => {
    const { lines, metrics } = await run(false);
    expect(lines).toHaveLength(3);
    for (const record of lines) expect(record.trace_id).toBeUndefined();
    expect(decisions(metrics)).toBe(0);
  }, 60_000);
});
