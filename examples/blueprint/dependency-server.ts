// A small real HTTP(S) dependency the enrichment stage calls: POST /lookup {"keys": [...]} ->
// {"values": {key: value}}. Latency and failure rate are injectable at start and at run time
// (POST /control), so the demo and the tests can make it slow, flaky or down. Given its plumbline
// telemetry (dependency-telemetry.ts) it is an instrumented service: a server span per lookup,
// child of the caller's traceparent, its latency histogram on GET /metrics, failures logged.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import {
  ROOT_CONTEXT,
  SpanKind,
  SpanStatusCode,
  propagation,
  trace,
  type Context,
  type Span,
} from '@opentelemetry/api';
import type { DependencyTelemetry } from './dependency-telemetry.js';

export interface Faults {
  /** Added to every lookup. */
  latencyMs: number;
  /** Uniform extra delay 0..jitterMs. */
  jitterMs: number;
  /** Fraction of lookups answered with 500. */
  failureRate: number;
}

export interface DependencyServer {
  readonly name: string;
  readonly url: string;
  readonly faults: Faults;
  /** Lookups answered, by status. */
  readonly served: { ok: number; failed: number };
  setFaults(faults: Partial<Faults>): void;
  close(): Promise<void>;
}

export interface DependencyOptions {
  readonly port?: number;
  readonly faults?: Partial<Faults>;
  /** Its plumbline runtime: server spans, GET /metrics, failure events. None: an uninstrumented stub. */
  readonly telemetry?: DependencyTelemetry;
  /** A PEM key pair: serve https:// instead of http://. */
  readonly tls?: { readonly cert: string | Buffer; readonly key: string | Buffer };
}

const MAX_BODY = 256 * 1024;
const ROUTE = '/lookup';

export async function startDependency(
  name: string,
  options: DependencyOptions = {},
): Promise<DependencyServer> {
  const faults: Faults = { latencyMs: 2, jitterMs: 3, failureRate: 0, ...options.faults };
  const served = { ok: 0, failed: 0 };
  const telemetry = options.telemetry;
  const duration = telemetry?.metrics.histogram('dependency.lookup.duration');
  const handler = (req: IncomingMessage, res: ServerResponse): void => {
    if (telemetry !== undefined && req.method === 'GET' && req.url === '/metrics')
      return telemetry.metricsHandler(req, res);
    const started = performance.now();
    // The caller's span (traceparent, tracestate) is the parent; passed explicitly, never made active.
    let span: Span | undefined;
    let ctx: Context = ROOT_CONTEXT;
    if (telemetry !== undefined && req.url === ROUTE) {
      span = telemetry.tracer.startSpan(
        `${req.method ?? 'POST'} ${ROUTE}`,
        {
          kind: SpanKind.SERVER,
          attributes: { 'http.request.method': req.method ?? '', 'http.route': ROUTE },
        },
        propagation.extract(ROOT_CONTEXT, req.headers),
      );
      ctx = trace.setSpan(ROOT_CONTEXT, span);
    }
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size <= MAX_BODY) chunks.push(chunk);
    });
    req.on('end', () => {
      if (size > MAX_BODY) return reply(413, { error: 'body too large' });
      let body: { keys?: unknown } & Partial<Faults>;
      try {
        body = JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}') as typeof body;
      } catch {
        return reply(400, { error: 'invalid JSON' });
      }
      if (req.method === 'POST' && req.url === '/control') {
        setFaults(body);
        return reply(200, faults);
      }
      if (req.method !== 'POST' || req.url !== ROUTE || !Array.isArray(body.keys))
        return reply(404, { error: 'POST /lookup {"keys": [...]}' });
      const keys = body.keys.map(String);
      span?.setAttribute('dependency.keys', keys.length);
      const delay = faults.latencyMs + Math.random() * faults.jitterMs;
      const timer = setTimeout(() => {
        if (Math.random() < faults.failureRate) {
          served.failed++;
          telemetry?.log.event('lookup.failed', { status: 500, keys: keys.length }, ctx);
          return reply(500, { error: 'injected failure' });
        }
        served.ok++;
        const values: Record<string, string> = {};
        for (const key of keys) values[key] = `${name}-${hash(key) % 16}`;
        reply(200, { values });
      }, delay);
      // A caller that gave up (budget spent) frees the slot at once.
      res.on('close', () => {
        clearTimeout(timer);
        if (!res.writableFinished) end(499);
      });
    });
    function reply(status: number, body: unknown): void {
      if (res.destroyed) return end(499);
      const text = JSON.stringify(body);
      res.writeHead(status, {
        'content-type': 'application/json',
        'content-length': Buffer.byteLength(text),
      });
      res.end(text);
      end(status);
    }
    function end(status: number): void {
      if (span === undefined) return;
      const ending = span;
      span = undefined;
      ending.setAttribute('http.response.status_code', status);
      if (status >= 500) ending.setStatus({ code: SpanStatusCode.ERROR });
      const outcome = status === 200 ? 'ok' : status === 499 ? 'abandoned' : 'error';
      duration?.record((performance.now() - started) / 1000, { outcome }, ctx);
      ending.end();
    }
  };
  const server: Server =
    options.tls === undefined
      ? createServer(handler)
      : createHttpsServer({ cert: options.tls.cert, key: options.tls.key, minVersion: 'TLSv1.2' }, handler);
  function setFaults(next: Partial<Faults>): void {
    if (typeof next.latencyMs === 'number' && next.latencyMs >= 0) faults.latencyMs = next.latencyMs;
    if (typeof next.jitterMs === 'number' && next.jitterMs >= 0) faults.jitterMs = next.jitterMs;
    if (typeof next.failureRate === 'number' && next.failureRate >= 0 && next.failureRate <= 1)
      faults.failureRate = next.failureRate;
  }
  server.keepAliveTimeout = 30_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    name,
    url: `${options.tls === undefined ? 'http' : 'https'}://127.0.0.1:${port}`,
    faults,
    served,
    setFaults,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

function hash(text: string): number {
  let h = 2166136261;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 16777619);
  return h >>> 0;
}
