// Regression (issue 19): the blueprint ignored an incoming traceparent (a client that sent trace
// 4bf92f… got a fresh trace), sent its dependencies a hand-built traceparent without tracestate,
// and wrote request log lines without a trace_id. Here the blueprint runs as its process: the
// client's trace must reach the dependencies with its tracestate, the log line and the stored row.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { propagation } from '@opentelemetry/api';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import { InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDependency, type DependencyServer } from '../../examples/blueprint/dependency-server.js';
import { dependencySpec } from '../../examples/blueprint/dependency-telemetry.js';
import { storedRowsOfTrace } from '../../examples/blueprint/event-store.js';
import { createTelemetry } from '../../examples/blueprint/plumbline.js';
import { blueprintToml, startBlueprintProcess } from '../support/blueprint.js';
import { freePort, type RunningProcess } from '../support/process.js';

const TOKEN = 'regression-tenant-token-0123456789';
const CLIENT_TRACE = '4bf92f3577b34da6a3ce929d0e0e4736';

let dir: string;
const deps: DependencyServer[] = [];
const runtimes: ReturnType<typeof createTelemetry>[] = [];
const received = new InMemorySpanExporter();
let service: RunningProcess | undefined;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'blueprint-traceparent-'));
  // The dependencies run in this test process without its globals: the propagator they extract
  // with is this process's (dependency-main.ts gets createTelemetry's default).
  propagation.setGlobalPropagator(new W3CTraceContextPropagator());
  for (const name of ['geo', 'profile']) {
    const telemetry = createTelemetry(dependencySpec(name), {
      registerGlobal: false,
      logDestination: join(dir, `${name}.ndjson`),
      spanProcessors: [new SimpleSpanProcessor(received)],
    });
    runtimes.push(telemetry);
    // profile fails, so the request writes enrichment.degraded.
    deps.push(
      await startDependency(name, {
        telemetry,
        faults: { latencyMs: 1, jitterMs: 0, failureRate: name === 'profile' ? 1 : 0 },
      }),
    );
  }
});

afterAll(async () => {
  await service?.stop('SIGKILL');
  await Promise.all(deps.map((d) => d.close()));
  await Promise.all(runtimes.map((t) => t.shutdown()));
  propagation.disable();
  rmSync(dir, { recursive: true, force: true });
});

describe('regression: the incoming traceparent was ignored', () => {
  it("continues the client's trace to the dependencies (with tracestate), the log line and the row", async () => {
    const port = await freePort();
    const configPath = join(dir, 'blueprint.toml');
    writeFileSync(
      configPath,
      blueprintToml({
        dbPath: 'events.db',
        deps,
        service: { listen: `127.0.0.1:${port}` },
        tenants: { acme: { class: 'latency-sensitive', queue_bound: 100, token_env: 'REGRESSION_TOKEN' } },
      }),
    );
    const log = join(dir, 'events.ndjson');
    service = await startBlueprintProcess(configPath, {
      log,
      env: { ...process.env, REGRESSION_TOKEN: TOKEN },
    });
    const response = await fetch(`http://127.0.0.1:${port}/events`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'x-tenant': 'acme',
        authorization: `Bearer ${TOKEN}`,
        traceparent: `00-${CLIENT_TRACE}-00f067aa0ba902b7-01`,
        tracestate: 'vendor=regression',
      },
      body: JSON.stringify({ type: 'page.viewed', user: 'u1' }),
    });
    expect(response.status).toBe(202);
    expect(await service.stop('SIGTERM')).toBe(0);

    const atDependencies = received.getFinishedSpans();
    expect(atDependencies).toHaveLength(2);
    for (const span of atDependencies) {
      expect(span.spanContext().traceId).toBe(CLIENT_TRACE);
      expect(span.spanContext().traceState?.get('vendor')).toBe('regression');
    }
    const degraded = readFileSync(log, 'utf8')
      .split('\n')
      .filter((line) => line.includes('"enrichment.degraded"'))
      .map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(degraded).toHaveLength(1);
    expect(degraded[0]!.trace_id).toBe(CLIENT_TRACE);
    expect(storedRowsOfTrace(join(dir, 'events.db'), CLIENT_TRACE)).toHaveLength(1);
  });
});
