// One trace per request, in-process against real instrumented dependency servers and a real
// SQLite file: the client's traceparent/tracestate in, the propagator's headers out to the
// dependencies (their server spans under their own service.name), the request's wait for the
// batch commit linked both ways with the batch span, the log lines and the stored row with the
// request's trace_id. Also https dependencies with a private CA.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SpanKind, SpanStatusCode } from '@opentelemetry/api';
import { InMemorySpanExporter, SimpleSpanProcessor, type ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseConfig } from '../../examples/blueprint/config.js';
import { startDependency, type DependencyServer } from '../../examples/blueprint/dependency-server.js';
import { dependencySpec } from '../../examples/blueprint/dependency-telemetry.js';
import { storedRowsOfTrace } from '../../examples/blueprint/event-store.js';
import { createTelemetry } from '../../examples/blueprint/plumbline.js';
import { startBlueprint, type BlueprintService } from '../../examples/blueprint/service.js';
import { openTelemetry, type TelemetryPort } from '../../examples/blueprint/telemetry-port.js';
import { blueprintToml, configIssues, type TomlTable } from '../support/blueprint.js';
import { makeTlsFiles } from '../support/collector.js';
import { waitFor } from '../support/process.js';

const TOKEN = 'acme-test-token-0123456789';
const CLIENT_TRACE = '4bf92f3577b34da6a3ce929d0e0e4736';
const CLIENT_SPAN = '00f067aa0ba902b7';

let dir: string;
const deps: DependencyServer[] = [];
const depTelemetry: ReturnType<typeof createTelemetry>[] = [];
const depSpans = new InMemorySpanExporter();
const blueprintSpans = new InMemorySpanExporter();
let telemetry: TelemetryPort;
let service: BlueprintService;
let dbPath: string;
let logPath: string;
let securityLogPath: string;

function post(url: string, body: string, headers: Record<string, string>): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request(
      `${url}/events`,
      {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'x-tenant': 'acme',
          authorization: `Bearer ${TOKEN}`,
          ...headers,
        },
      },
      (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode ?? 0));
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

function lines(path: string): Record<string, unknown>[] {
  return readFileSync(path, 'utf8')
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => JSON.parse(line) as Record<string, unknown>);
}

/** The config on `deps` (geo first); `geo` adds keys to [dependencies.geo] (its CA). */
function config(
  deps: readonly { readonly url: string }[],
  storePath: string,
  geo: TomlTable = {},
): ReturnType<typeof parseConfig> {
  return parseConfig(
    blueprintToml({
      dbPath: storePath,
      deps,
      storage: { max_wait_ms: 5 },
      dependencies: { geo },
      tenants: { acme: { class: 'latency-sensitive', queue_bound: 500, token_env: 'ACME_TOKEN' } },
    }),
  );
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'blueprint-trace-'));
  dbPath = join(dir, 'events.db');
  logPath = join(dir, 'events.ndjson');
  securityLogPath = join(dir, 'security.ndjson');
  for (const name of ['geo', 'profile']) {
    const runtime = createTelemetry(dependencySpec(name), {
      registerGlobal: false,
      logDestination: join(dir, `${name}.ndjson`),
      spanProcessors: [new SimpleSpanProcessor(depSpans)],
    });
    depTelemetry.push(runtime);
    // profile fails every lookup: the request's trace then holds an error span and is kept.
    deps.push(
      await startDependency(name, {
        telemetry: runtime,
        faults: { latencyMs: 1, jitterMs: 0, failureRate: name === 'profile' ? 1 : 0 },
      }),
    );
  }
  telemetry = await openTelemetry({
    logDestination: logPath,
    securityLogDestination: securityLogPath,
    spanProcessors: [new SimpleSpanProcessor(blueprintSpans)],
  });
  service = await startBlueprint(config(deps, dbPath), telemetry, { env: { ACME_TOKEN: TOKEN } });
});

afterAll(async () => {
  await service?.drain();
  await telemetry?.shutdown();
  await Promise.all(deps.map((d) => d.close()));
  await Promise.all(depTelemetry.map((t) => t.shutdown()));
  rmSync(dir, { recursive: true, force: true });
});

describe('one trace per request', () => {
  it('joins the client, ingress, dependencies, storage wait and batch, log lines and stored row', async () => {
    const status = await post(service.url, JSON.stringify({ type: 'page.viewed', user: 'u1' }), {
      traceparent: `00-${CLIENT_TRACE}-${CLIENT_SPAN}-01`,
      tracestate: 'vendor=kept',
    });
    expect(status).toBe(202);
    const ofTrace = (spans: ReadableSpan[]) => spans.filter((s) => s.spanContext().traceId === CLIENT_TRACE);
    await waitFor('the kept trace and its batch', () => {
      const spans = ofTrace(blueprintSpans.getFinishedSpans());
      const batch = blueprintSpans
        .getFinishedSpans()
        .find(
          (s) =>
            s.name === 'blueprint.batch.store' && s.links.some((l) => l.context.traceId === CLIENT_TRACE),
        );
      return spans.length >= 4 && batch !== undefined ? true : undefined;
    });
    const spans = ofTrace(blueprintSpans.getFinishedSpans());
    const server = spans.find((s) => s.kind === SpanKind.SERVER)!;
    expect(server.name).toBe('POST /events');
    expect(server.parentSpanContext?.spanId).toBe(CLIENT_SPAN);
    expect(server.parentSpanContext?.isRemote).toBe(true);
    const lookups = spans.filter((s) => s.kind === SpanKind.CLIENT);
    expect(lookups.map((s) => s.name).sort()).toEqual(['lookup geo', 'lookup profile']);
    for (const lookup of lookups) expect(lookup.parentSpanContext?.spanId).toBe(server.spanContext().spanId);

    // The dependencies' server spans: children of the lookups, under their own service.name,
    // with the client's tracestate carried through.
    const remote = ofTrace(depSpans.getFinishedSpans());
    expect(remote.map((s) => s.resource.attributes['service.name']).sort()).toEqual(['geo', 'profile']);
    for (const span of remote) {
      expect(span.kind).toBe(SpanKind.SERVER);
      const caller = lookups.find(
        (l) => l.name === `lookup ${String(span.resource.attributes['service.name'])}`,
      )!;
      expect(span.parentSpanContext?.spanId).toBe(caller.spanContext().spanId);
      expect(span.spanContext().traceState?.get('vendor')).toBe('kept');
    }
    expect(remote.find((s) => s.resource.attributes['service.name'] === 'profile')!.status.code).toBe(
      SpanStatusCode.ERROR,
    );

    // The wait for the commit, in the request's trace, linked to the batch that linked it back.
    const wait = spans.find((s) => s.name === 'blueprint.batch.wait')!;
    expect(wait.parentSpanContext?.spanId).toBe(server.spanContext().spanId);
    const batch = blueprintSpans
      .getFinishedSpans()
      .find(
        (s) =>
          s.name === 'blueprint.batch.store' &&
          s.links.some((l) => l.context.spanId === server.spanContext().spanId),
      )!;
    expect(wait.links.map((l) => l.context.spanId)).toEqual([batch.spanContext().spanId]);
    expect(batch.spanContext().traceId).not.toBe(CLIENT_TRACE);

    // Log lines of the request (enrichment.degraded: profile failed) and the stored row.
    await telemetry.shutdown();
    const degraded = lines(logPath).filter((l) => l.event === 'enrichment.degraded');
    expect(degraded).toHaveLength(1);
    expect(degraded[0]).toMatchObject({ trace_id: CLIENT_TRACE, span_id: server.spanContext().spanId });
    const stored = lines(logPath).find((l) => l.event === 'batch.stored')!;
    expect(stored.trace_id).toBe(batch.spanContext().traceId);
    expect(storedRowsOfTrace(dbPath, CLIENT_TRACE)).toEqual([
      expect.objectContaining({
        tenant: 'acme',
        type: 'page.viewed',
        requestId: server.spanContext().spanId,
      }),
    ]);
    const failures = lines(join(dir, 'profile.ndjson')).filter((l) => l.event === 'lookup.failed');
    expect(failures[0]).toMatchObject({ trace_id: CLIENT_TRACE });
  });
});

describe('https dependencies', () => {
  it('calls an https dependency trusting the configured CA, and refuses one it does not trust', async () => {
    const tls = makeTlsFiles(dir);
    const secure = await startDependency('geo', {
      tls: { cert: readFileSync(tls.cert), key: readFileSync(tls.key) },
      faults: { latencyMs: 0, jitterMs: 0 },
    });
    const plain = await startDependency('profile', { faults: { latencyMs: 0, jitterMs: 0 } });
    const runtime = await openTelemetry({
      logDestination: join(dir, 'tls.ndjson'),
      securityLogDestination: join(dir, 'tls-sec.ndjson'),
    });
    try {
      for (const [ca, degraded] of [
        [{ ca: tls.ca }, false],
        [{}, true],
      ] as const) {
        const store = join(dir, `tls-${degraded}.db`);
        const blueprint = await startBlueprint(config([secure, plain], store, ca), runtime, {
          env: { ACME_TOKEN: TOKEN },
        });
        try {
          expect(secure.url.startsWith('https://')).toBe(true);
          const before = secure.served.ok;
          expect(await post(blueprint.url, JSON.stringify({ type: 'a', user: 'u' }), {})).toBe(202);
          expect(blueprint.stats.degradedRequests).toBe(degraded ? 1 : 0);
          expect(secure.served.ok - before).toBe(degraded ? 0 : 1);
        } finally {
          await blueprint.drain();
        }
      }
    } finally {
      await runtime.shutdown();
      await secure.close();
      await plain.close();
    }
  });

  it('refuses a CA for a plain http dependency and names a CA file it cannot read', async () => {
    expect(
      configIssues(
        `[dependencies.geo]\nurl = "http://127.0.0.1:1"\nca = "ca.pem"\n[dependencies.profile]\nurl = "http://127.0.0.1:2"\n[tenants.a]\nclass = "best-effort"\nqueue_bound = 1\ntoken_env = "X"`,
      ),
    ).toEqual(['dependencies.geo.ca: set only with an https:// url, got "http://127.0.0.1:1"']);
    const runtime = await openTelemetry({
      logDestination: join(dir, 'ca.ndjson'),
      securityLogDestination: join(dir, 'ca-sec.ndjson'),
    });
    try {
      await expect(
        startBlueprint(
          config([{ url: 'https://127.0.0.1:1' }, { url: 'http://127.0.0.1:2' }], join(dir, 'ca.db'), {
            ca: join(dir, 'missing.pem'),
          }),
          runtime,
          { env: { ACME_TOKEN: TOKEN } },
        ),
      ).rejects.toThrow(/dependencies\.geo\.ca: cannot read .*missing\.pem: ENOENT/);
    } finally {
      await runtime.shutdown();
    }
  });
});
