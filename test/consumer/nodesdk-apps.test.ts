// The packed plumbline in fresh fastify 5 apps, one per OpenTelemetry JS line, and an express 5
// app on the 2.x line, set up the way the OTel docs teach: NodeSDK with auto-instrumentations started by `node --import`,
// plumbline's parts inside NodeSDK, OTLP/HTTP to a sink in this test, /metrics scraped.
import { readFileSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
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
  });
}
