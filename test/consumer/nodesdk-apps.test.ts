// The packed plumbline in fresh fastify 5 apps, one per OpenTelemetry JS line, and an express 5
// app on the 2.x line, set up the way the OTel docs teach: NodeSDK with auto-instrumentations started by `node --import`,
// plumbline's parts inside NodeSDK, OTLP/HTTP to a sink in this test, /metrics scraped.
import { readFileSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { connect } from 'node:net';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort, startProcess, waitFor, type RunningProcess } from '../support/process.js';
import {
  consumerApp,
  installedVersions,
  lineEnvironment,
  OTEL_LINES,
  releaseConsumerApp,
  runCommand,
} from './consumer-app.js';

interface OtlpAttribute {
  key: string;
  value: { stringValue?: string; intValue?: string | number; boolValue?: boolean; doubleValue?: number };
}
interface OtlpSpan {
  traceId: string;
  spanId: string;
  name: string;
  kind: number;
  attributes?: OtlpAttribute[];
}
interface OtlpLogRecord {
  eventName?: string;
  traceId?: string;
  body?: { stringValue?: string };
  attributes?: OtlpAttribute[];
}
interface OtlpExemplar {
  traceId?: string;
  spanId?: string;
}

/** An OTLP/HTTP JSON sink on loopback: what the app exported, by signal. */
class OtlpSink {
  readonly spans: OtlpSpan[] = [];
  readonly logRecords: OtlpLogRecord[] = [];
  readonly metricNames = new Set<string>();
  /** The instrumentation scopes each metric name came under. */
  readonly metricScopes = new Map<string, Set<string>>();
  readonly exemplars = new Map<string, OtlpExemplar[]>();
  private server: Server | undefined;

  async start(): Promise<string> {
    this.server = createServer((request, response) => {
      const chunks: Buffer[] = [];
      request.on('data', (chunk: Buffer) => chunks.push(chunk));
      request.on('end', () => {
        try {
          this.take(request.url ?? '', JSON.parse(Buffer.concat(chunks).toString('utf8')) as never);
        } catch {
          // A body this sink cannot read (e.g. protobuf) would show up as missing data below.
        }
        response.writeHead(200, { 'content-type': 'application/json' }).end('{}');
      });
    });
    const port = await freePort();
    await new Promise<void>((resolve) => this.server!.listen(port, '127.0.0.1', resolve));
    return `http://127.0.0.1:${port}`;
  }

  stop(): Promise<void> {
    return new Promise((resolve) =>
      this.server === undefined ? resolve() : this.server.close(() => resolve()),
    );
  }

  private take(path: string, body: Record<string, unknown[]>): void {
    const each = <T>(list: unknown, key: string, visit: (item: T) => void) => {
      for (const item of (list as Record<string, unknown>[] | undefined) ?? []) visit(item[key] as T);
    };
    if (path === '/v1/traces')
      for (const resource of (body.resourceSpans as { scopeSpans: { spans: OtlpSpan[] }[] }[]) ?? [])
        for (const scope of resource.scopeSpans) this.spans.push(...scope.spans);
    if (path === '/v1/logs')
      for (const resource of (body.resourceLogs as { scopeLogs: { logRecords: OtlpLogRecord[] }[] }[]) ?? [])
        for (const scope of resource.scopeLogs) this.logRecords.push(...scope.logRecords);
    if (path === '/v1/metrics')
      each<{ metrics: { name: string; histogram?: { dataPoints: { exemplars?: OtlpExemplar[] }[] } }[] }[]>(
        body.resourceMetrics,
        'scopeMetrics',
        (scopes) => {
          for (const scope of scopes)
            for (const metric of scope.metrics) {
              this.metricNames.add(metric.name);
              const scopeName = (scope as { scope?: { name?: string } }).scope?.name ?? '';
              if (!this.metricScopes.has(metric.name)) this.metricScopes.set(metric.name, new Set());
              this.metricScopes.get(metric.name)!.add(scopeName);
              const exemplars = (metric.histogram?.dataPoints ?? []).flatMap(
                (point) => point.exemplars ?? [],
              );
              if (exemplars.length > 0) this.exemplars.set(metric.name, exemplars);
            }
        },
      );
  }
}

const attribute = (attributes: OtlpAttribute[] | undefined, key: string) => {
  const value = attributes?.find((entry) => entry.key === key)?.value;
  return value?.stringValue ?? value?.intValue ?? value?.boolValue ?? value?.doubleValue;
};

/** OTLP/JSON IDs are hex in plumbline's and OTel's JSON encoders; base64 would be 24/16 chars. */
const hex = (id: string | undefined) =>
  id === undefined || /^[0-9a-f]+$/.test(id) ? id : Buffer.from(id, 'base64').toString('hex');

/** http.server.request.duration's counts on /metrics, by "method route status" (route "-" when none). */
async function serverDurationCounts(
  origin: string,
): Promise<Map<string, { count: number; errorType: string | undefined }>> {
  const text = await (await fetch(`${origin}/metrics`)).text();
  const counts = new Map<string, { count: number; errorType: string | undefined }>();
  for (const [, labelText, value] of text.matchAll(
    /^http_server_request_duration_seconds_count\{([^}]*)\} (\S+)$/gm,
  )) {
    const labels = new Map(
      [...labelText!.matchAll(/(\w+)="([^"]*)"/g)].map(([, name, text]) => [name!, text!]),
    );
    const key = [
      labels.get('http_request_method'),
      labels.get('http_route') ?? '-',
      labels.get('http_response_status_code'),
    ].join(' ');
    counts.set(key, {
      count: (counts.get(key)?.count ?? 0) + Number(value),
      errorType: labels.get('error_type'),
    });
  }
  return counts;
}

/** The app's event lines from /slow and /stream (each logs one just before it answers). */
function eventLines(path: string): { slow: number; stream: number } {
  const text = readFileSync(path, 'utf8');
  return {
    slow: text.split('"order_id":"slow"').length - 1,
    stream: text.split('"order_id":"stream"').length - 1,
  };
}

/**
 * Sends `request` on a connection of its own and hangs up (socket.destroy(), as a client that
 * gives up does): `afterMs` after sending, or at the first received chunk `onData` accepts.
 */
function hangUp(
  port: number,
  request: string,
  when: { afterMs: number } | { onData: (received: string) => boolean },
): Promise<void> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1', () => socket.write(request));
    socket.on('error', reject);
    socket.once('close', () => resolve());
    if ('afterMs' in when) socket.once('connect', () => setTimeout(() => socket.destroy(), when.afterMs));
    else {
      let received = '';
      socket.on('data', (chunk: Buffer) => {
        received += chunk.toString('latin1');
        if (!when.onData(received)) return;
        socket.destroy();
      });
    }
  });
}

// @fastify/otel (fastify's own instrumentation; auto-instrumentations has none) on the 2.x line
// only: its @opentelemetry/core ^2 would be a second core beside the 3.x line's.
const APPS: {
  framework: string;
  fixture: string;
  deps: Record<string, string>;
  line: (typeof OTEL_LINES)[number];
  fastifyOtel?: boolean;
}[] = [
  {
    framework: 'fastify 5 + @fastify/otel',
    fixture: 'fastify-app',
    deps: { fastify: '5.12.8', '@fastify/otel': '0.21.2' },
    line: OTEL_LINES[0]!,
    fastifyOtel: true,
  },
  { framework: 'fastify 5', fixture: 'fastify-app', deps: { fastify: '5.12.8' }, line: OTEL_LINES[1]! },
  { framework: 'express 5', fixture: 'express-app', deps: { express: '5.3.0' }, line: OTEL_LINES[0]! },
];

for (const { framework, fixture, deps, line, fastifyOtel = false } of APPS) {
  describe(`plumbline in NodeSDK with auto-instrumentations, OTel JS ${line.name}, ${framework}`, () => {
    const sink = new OtlpSink();
    let dir: string;
    let env: NodeJS.ProcessEnv;
    let app: RunningProcess | undefined;
    let port: number;
    let eventLog: string;
    let prometheusText = '';
    let openMetricsText = '';
    const requests = { orders: 5, slow: 1, fail: 1 };

    beforeAll(async () => {
      dir = await consumerApp(['app-common', fixture], line, deps);
      env = await lineEnvironment(line);
      const endpoint = await sink.start();
      port = await freePort();
      eventLog = join(dir, `events-${process.pid}.ndjson`);
      app = startProcess('node', ['--import', './instrumentation.mjs', 'app.mjs'], {
        cwd: dir,
        env: {
          ...env,
          PORT: String(port),
          APP_EVENT_LOG: eventLog,
          OTEL_EXPORTER_OTLP_ENDPOINT: endpoint,
          OTEL_LOG_LEVEL: 'warn',
          APP_FASTIFY_OTEL: fastifyOtel ? '1' : '0',
        },
      });
      await waitFor(
        'the consumer app to listen',
        async () => {
          if (app!.child.exitCode !== null) throw new Error(`the app exited:\n${app!.output()}`);
          return (await fetch(`http://127.0.0.1:${port}/inventory/x`)).ok ? true : undefined;
        },
        30_000,
        100,
      ).catch((error: Error) => {
        throw new Error(`${error.message}\n${app!.output()}`);
      });
      for (let i = 0; i < requests.orders; i++)
        await (await fetch(`http://127.0.0.1:${port}/orders/o-${i}`)).text();
      await (await fetch(`http://127.0.0.1:${port}/slow`)).text();
      await (await fetch(`http://127.0.0.1:${port}/fail`)).text();
      // The tail sampler decides once a trace's local part is done; exports follow in batches.
      await waitFor('the request spans to be exported', () =>
        sink.spans.some((span) => attribute(span.attributes, 'url.path') === '/fail') &&
        sink.spans.some((span) => attribute(span.attributes, 'url.path') === '/slow')
          ? true
          : undefined,
      );
      prometheusText = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
      openMetricsText = await (
        await fetch(`http://127.0.0.1:${port}/metrics`, {
          headers: { accept: 'application/openmetrics-text; version=1.0.0' },
        })
      ).text();
      await waitFor('the duration histogram with exemplars over OTLP', () =>
        sink.exemplars.has('app.request.duration') ? true : undefined,
      );
      await waitFor('the event log records', () =>
        sink.logRecords.filter((record) => record.eventName === 'order.viewed').length >= requests.orders + 1
          ? true
          : undefined,
      );
    }, 900_000);

    afterAll(async () => {
      await app?.stop();
      await sink.stop();
      // The app dir is the install cache, reused by later runs: leave no event log behind.
      if (eventLog !== undefined) rmSync(eventLog, { force: true });
      await releaseConsumerApp();
    });

    it('installs with one copy of @opentelemetry/api and @opentelemetry/core', async () => {
      expect(await installedVersions(dir, '@opentelemetry/core', env)).toHaveLength(1);
      expect(await installedVersions(dir, '@opentelemetry/api', env)).toEqual([
        line.dependencies['@opentelemetry/api'],
      ]);
    });

    it("passes the auto-instrumented spans through plumbline's tail sampler", () => {
      const decisions = prometheusText
        .split('\n')
        .filter((text) => text.startsWith('plumbline_sampler_decisions_total{'))
        .reduce((sum, text) => sum + Number(text.slice(text.lastIndexOf(' ') + 1)), 0);
      // One trace per request, plus the /metrics scrape's own trace.
      expect(decisions).toBeGreaterThanOrEqual(requests.orders + requests.slow + requests.fail);
      const server = sink.spans.filter(
        (span) => span.kind === 2 && attribute(span.attributes, 'url.path') !== undefined,
      );
      expect(server.length).toBeGreaterThanOrEqual(requests.orders + requests.slow + requests.fail);
      for (const span of sink.spans)
        expect(attribute(span.attributes, 'plumbline.sampling.policy')).toBeDefined();
      const fail = server.find((span) => attribute(span.attributes, 'url.path') === '/fail')!;
      expect(attribute(fail.attributes, 'plumbline.sampling.policy')).toBe('errors');
      // The undici client span of the outgoing call is in the request's trace.
      const order = server.find((span) => attribute(span.attributes, 'url.path') === '/orders/o-0')!;
      expect(sink.spans.some((span) => span.traceId === order.traceId && span.kind === 3)).toBe(true);
    });

    if (fastifyOtel)
      it("passes @fastify/otel's route spans through the sampler, in the request's trace", () => {
        const server = sink.spans.filter(
          (span) => span.kind === 2 && attribute(span.attributes, 'url.path') === '/orders/o-0',
        );
        expect(server).toHaveLength(1);
        const fastifySpans = sink.spans.filter(
          (span) =>
            span.traceId === server[0]!.traceId && attribute(span.attributes, 'fastify.type') !== undefined,
        );
        expect(fastifySpans.map((span) => attribute(span.attributes, 'fastify.type'))).toContain(
          'request-handler',
        );
        for (const span of fastifySpans)
          expect(attribute(span.attributes, 'plumbline.sampling.policy')).toBeDefined();
      });

    it("exports the spec's HTTP server histogram once: instrumentation-http's of that name is dropped", () => {
      // Before, OTLP carried both, and the generated collector's Prometheus endpoint summed them.
      expect([...(sink.metricScopes.get('http.server.request.duration') ?? [])]).toEqual(['plumbline']);
    });

    it('completes error.type on the 5xx server span (the spec holds server spans to the HTTP convention)', () => {
      const server = sink.spans.filter((span) => span.kind === 2);
      const fail = server.find((span) => attribute(span.attributes, 'url.path') === '/fail')!;
      expect(attribute(fail.attributes, 'error.type')).toBe('500');
      const order = server.find((span) => attribute(span.attributes, 'url.path') === '/orders/o-0')!;
      expect(attribute(order.attributes, 'error.type')).toBeUndefined();
    });

    it('puts exemplars on the duration histogram that point at exported traces', () => {
      const exported = new Set(sink.spans.map((span) => hex(span.traceId)));
      const exemplars = sink.exemplars.get('app.request.duration')!;
      expect(exemplars.some((exemplar) => exported.has(hex(exemplar.traceId)))).toBe(true);
      const openMetricsIds = [
        ...openMetricsText.matchAll(
          /^app_request_duration_seconds_bucket\{.*# \{trace_id="([0-9a-f]{32})"/gm,
        ),
      ].map((match) => match[1]);
      expect(openMetricsIds.length).toBeGreaterThan(0);
      expect(openMetricsIds.every((id) => exported.has(id))).toBe(true);
    });

    it("writes the request span's trace_id on event log lines", () => {
      const lines = readFileSync(eventLog, 'utf8')
        .trim()
        .split('\n')
        .map((text) => JSON.parse(text) as Record<string, unknown>);
      const byOrder = new Map(lines.map((entry) => [entry.order_id, entry]));
      const server = sink.spans.filter(
        (span) => span.kind === 2 && attribute(span.attributes, 'url.path') !== undefined,
      );
      for (const route of ['/slow', '/fail']) {
        const span = server.find((candidate) => attribute(candidate.attributes, 'url.path') === route)!;
        const entry = byOrder.get(route === '/slow' ? 'slow' : 'f-1')!;
        expect(entry.trace_id).toBe(hex(span.traceId));
      }
      for (const entry of lines) expect(entry.trace_id).toMatch(/^[0-9a-f]{32}$/);
      // One trace_id key per line: instrumentation-pino's mixin does not add a second.
      const raw = readFileSync(eventLog, 'utf8').trim().split('\n');
      for (const text of raw) expect(text.split('"trace_id"').length).toBe(2);
    });

    it('exports each event once over OTLP (instrumentation-pino does not send them again)', () => {
      const count = (name: string) =>
        sink.logRecords.filter(
          (record) =>
            record.eventName === name ||
            attribute(record.attributes, 'event') === name ||
            (record.body?.stringValue ?? '').includes(`"event":"${name}"`),
        ).length;
      expect(count('order.viewed')).toBe(requests.orders + requests.slow);
      expect(count('order.failed')).toBe(requests.fail);
    });

    it("serves the auto-instrumentation's HTTP metric on /metrics beside the spec's, in both formats", () => {
      for (const text of [prometheusText, openMetricsText]) {
        expect(text).toMatch(/^# TYPE app_request_duration_seconds histogram$/m);
        // The spec's HTTP server histogram, and the auto-instrumentation's client one (undici).
        expect(text).toMatch(/^# TYPE http_server_request_duration_seconds histogram$/m);
        expect(text).toMatch(/^# TYPE http_client_request_duration_seconds histogram$/m);
        const types = [...text.matchAll(/^# TYPE (\S+) /gm)].map((match) => match[1]);
        expect(new Set(types).size).toBe(types.length);
      }
      expect(openMetricsText.endsWith('# EOF\n')).toBe(true);
      expect(openMetricsText.indexOf('# EOF')).toBe(openMetricsText.length - 6);
    });

    it("type-checks against this line's NodeSDK under strict, exactOptionalPropertyTypes and skipLibCheck false", async () => {
      const tsc = fileURLToPath(new URL('../../node_modules/typescript/bin/tsc', import.meta.url));
      const types = fileURLToPath(new URL('../../node_modules/@types', import.meta.url));
      const args = [tsc, '--noEmit', '--strict', '--exactOptionalPropertyTypes', '--skipLibCheck', 'false'];
      args.push('--module', 'nodenext', '--moduleResolution', 'nodenext', '--target', 'es2022');
      args.push('--typeRoots', types, '--types', 'node', 'types-check.ts');
      await runCommand('node', args, dir, 120_000, env);
    }, 150_000);

    it("require('plumbline') works from a CommonJS file", async () => {
      expect(await runCommand('node', ['require-check.cjs'], dir, 30_000, env)).toContain('require-ok');
    });

    // Last in this describe: its requests would change what the cases above count. Before, the
    // recipe recorded on 'finish' / onResponse only, which Node and fastify do not reach for a
    // client that hung up: each case below added nothing to the histogram.
    it('regression: an aborted request is missing from the latency histogram', async () => {
      const origin = `http://127.0.0.1:${port}`;
      const before = await serverDurationCounts(origin);
      const linesBefore = eventLines(eventLog);
      await Promise.all([
        // Before the response: a request waiting for its handler, and two pipelined on one connection.
        hangUp(port, 'GET /slow HTTP/1.1\r\nHost: x\r\n\r\n', { afterMs: 50 }),
        hangUp(port, 'GET /slow HTTP/1.1\r\nHost: x\r\n\r\n'.repeat(2), { afterMs: 50 }),
        // Mid-response: after the first part of a streamed body, and at the first chunk of a body
        // larger than the socket buffers (Node emits 'finish' when its last write fails on the reset).
        hangUp(port, 'GET /stream HTTP/1.1\r\nHost: x\r\n\r\n', {
          onData: (text) => text.includes('part 1'),
        }),
        hangUp(port, 'GET /big HTTP/1.1\r\nHost: x\r\n\r\n', { onData: () => true }),
        // Mid-upload: 6 of 1000 bytes of the body sent.
        hangUp(
          port,
          'POST /orders HTTP/1.1\r\nHost: x\r\ncontent-type: application/json\r\ncontent-length: 1000\r\n\r\n{"id":',
          { afterMs: 50 },
        ),
        // Completed requests on the same routes.
        fetch(`${origin}/slow`).then((response) => response.text()),
        fetch(`${origin}/stream`).then((response) => response.text()),
        fetch(`${origin}/orders`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: '{"id":"o-9"}',
        }).then((response) => response.text()),
        ...[1, 2, 3].map((i) => fetch(`${origin}/inventory/i-${i}`).then((response) => response.text())),
      ]);
      // The aborted requests' handlers answer after their clients left (each logs a line first):
      // those answers must not be counted a second time.
      await waitFor('the handlers of the aborted requests to answer', () => {
        const lines = eventLines(eventLog);
        return lines.slow - linesBefore.slow >= 4 && lines.stream - linesBefore.stream >= 2
          ? true
          : undefined;
      });
      const expected = new Map([
        ['GET /slow 499', 3],
        ['GET /stream 499', 1],
        ['GET /big 499', 1],
        ['POST /orders 499', 1],
        ['GET /slow 200', 1],
        ['GET /stream 200', 1],
        ['POST /orders 201', 1],
        ['GET /inventory/:id 200', 3],
      ]);
      const added = async () => {
        const after = await serverDurationCounts(origin);
        const difference = new Map<string, number>();
        for (const [key, { count }] of after)
          if (!key.startsWith('GET /metrics ') && count !== (before.get(key)?.count ?? 0))
            difference.set(key, count - (before.get(key)?.count ?? 0));
        return { after, difference };
      };
      const total = [...expected.values()].reduce((sum, count) => sum + count, 0);
      // Recorded when each client left, before its handler answered: this waits only for a scrape
      // that shows them, and the comparison below says what is missing if none does.
      await waitFor(
        'the requests on /metrics',
        async () =>
          [...(await added()).difference.values()].reduce((sum, count) => sum + count, 0) >= total
            ? true
            : undefined,
        10_000,
      ).catch(() => undefined);
      const { after, difference } = await added();
      expect(Object.fromEntries(difference)).toEqual(Object.fromEntries(expected));
      // A client leaving is not a server error: no error.type, as in examples/blueprint.
      for (const [key, { errorType }] of after) if (key.endsWith(' 499')) expect(errorType).toBeUndefined();
    }, 60_000);
  });
}
