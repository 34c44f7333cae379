import { createServer, type Server } from 'node:http';
import { trace } from '@opentelemetry/api';
import { InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { afterEach, describe, expect, it } from 'vitest';
import { createTelemetry, type Telemetry } from '../../src/index.js';
import { ordersSpec, type OrdersSpec } from '../fixtures/orders-spec.js';
import { captureLines } from '../support/capture.js';

let telemetry: Telemetry<OrdersSpec> | undefined;
afterEach(async () => {
  await telemetry?.shutdown();
  telemetry = undefined;
  delete process.env.OTEL_SERVICE_NAME;
  delete process.env.OTEL_RESOURCE_ATTRIBUTES;
});

describe('createTelemetry', () => {
  it('sets the resource from the spec, overridden by OTEL_SERVICE_NAME and OTEL_RESOURCE_ATTRIBUTES', async () => {
    process.env.OTEL_RESOURCE_ATTRIBUTES = 'team=payments,deployment.environment.name=staging';
    const exporter = new InMemorySpanExporter();
    telemetry = createTelemetry(ordersSpec, {
      logDestination: captureLines().destination,
      spanProcessors: [new SimpleSpanProcessor(exporter)],
    });
    telemetry.tracer.startSpan('a').end();
    const attributes = exporter.getFinishedSpans()[0]!.resource.attributes;
    expect(attributes['service.name']).toBe('orders');
    expect(attributes['service.version']).toBe('1.2.3');
    expect(attributes['deployment.environment']).toBe('test');
    expect(attributes['deployment.environment.name']).toBe('staging');
    expect(attributes.team).toBe('payments');
    await telemetry.shutdown();

    process.env.OTEL_SERVICE_NAME = 'orders-canary';
    const second = new InMemorySpanExporter();
    telemetry = createTelemetry(ordersSpec, {
      logDestination: captureLines().destination,
      spanProcessors: [new SimpleSpanProcessor(second)],
    });
    telemetry.tracer.startSpan('b').end();
    expect(second.getFinishedSpans()[0]!.resource.attributes['service.name']).toBe('orders-canary');
  });

  it('registers globals so log lines carry the active span, and unregisters them on shutdown', async () => {
    const captured = captureLines();
    telemetry = createTelemetry(ordersSpec, { logDestination: captured.destination });
    await telemetry.tracer.startActiveSpan('request', async (span) => {
      await Promise.resolve();
      telemetry!.log.event('order.failed', { order_id: 'o', reason: 'r' });
      expect(captured.lines[0]!.trace_id).toBe(span.spanContext().traceId);
      expect(trace.getActiveSpan()).toBe(span);
      span.end();
    });
    await telemetry.shutdown();
    expect(trace.getTracerProvider().getTracer('x').startSpan('y').isRecording()).toBe(false);
  });

  it('counts schema violations and security events on /metrics', async () => {
    telemetry = createTelemetry(ordersSpec, { logDestination: captureLines().destination });
    telemetry.log.event('order.placed', { order_id: 'a', amount: 'x', items: 1 } as never);
    telemetry.log.event('order.placed', { order_id: 'a', amount: 'x', items: 1 } as never);
    (telemetry.log.event as (name: string, fields: unknown) => void)('nope', {});
    const { body, contentType } = telemetry.metrics.serialize();
    expect(contentType).toMatch(/^text\/plain; version=0\.0\.4/);
    expect(body).toContain(
      'plumbline_log_schema_violations_total{event="order.placed",reason="wrong_type"} 2',
    );
    expect(body).toContain(
      'plumbline_log_schema_violations_total{event="(unknown)",reason="unknown_event"} 1',
    );
    // Series exist at 0 before the first violation, so a burst right after a deploy shows in rate().
    expect(body).toContain(
      'plumbline_log_schema_violations_total{event="order.failed",reason="missing_field"} 0',
    );
  });

  it('PLUMBLINE_TAIL_SAMPLING switches the sampler without a code change', async () => {
    const sampled = { ...ordersSpec, sampling: { policies: [{ name: 'errors', kind: 'errors' as const }] } };
    process.env.PLUMBLINE_TAIL_SAMPLING = 'off';
    try {
      const off = createTelemetry(sampled, { logDestination: captureLines().destination });
      expect(off.sampler).toBeUndefined();
      await off.shutdown();
      process.env.PLUMBLINE_TAIL_SAMPLING = 'dry-run';
      const dry = createTelemetry(sampled, { logDestination: captureLines().destination });
      expect(dry.sampler).toBeDefined();
      await dry.shutdown();
      // An explicit option wins over the environment.
      process.env.PLUMBLINE_TAIL_SAMPLING = 'on';
      const forced = createTelemetry(sampled, {
        logDestination: captureLines().destination,
        tailSampling: false,
      });
      expect(forced.sampler).toBeUndefined();
      await forced.shutdown();
    } finally {
      delete process.env.PLUMBLINE_TAIL_SAMPLING;
    }
  });

  it('shutdown is idempotent and returns the same promise', async () => {
    telemetry = createTelemetry(ordersSpec, { logDestination: captureLines().destination });
    const first = telemetry.shutdown();
    expect(telemetry.shutdown()).toBe(first);
    await first;
    await telemetry.shutdown();
  });

  it('refuses an invalid spec at startup with the field named', () => {
    expect(() =>
      createTelemetry({ service: { name: 'x' }, events: { e: { level: 'no', fields: {} } } } as never),
    ).toThrow(/events\.e\.level/);
  });

  describe('with an OTLP endpoint', () => {
    let server: Server;
    const received: Array<{ path: string; body: unknown }> = [];

    async function startCollector(): Promise<string> {
      server = createServer((req, res) => {
        const chunks: Buffer[] = [];
        req.on('data', (chunk: Buffer) => chunks.push(chunk));
        req.on('end', () => {
          received.push({ path: req.url ?? '', body: JSON.parse(Buffer.concat(chunks).toString('utf8')) });
          res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
        });
      });
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      const address = server.address();
      return `http://127.0.0.1:${typeof address === 'object' && address !== null ? address.port : 0}`;
    }

    it('exports spans and the event logs (OTel Logs bridge) with the same trace context', async () => {
      const endpoint = await startCollector();
      telemetry = createTelemetry(ordersSpec, {
        logDestination: captureLines().destination,
        otlpEndpoint: endpoint,
      });
      let traceId = '';
      telemetry.tracer.startActiveSpan('checkout', (span) => {
        traceId = span.spanContext().traceId;
        telemetry!.log.event('order.placed', { order_id: 'o-9', amount: 3, items: 1, card_number: '4242' });
        span.end();
      });
      await telemetry.shutdown();
      server.close();

      const traces = received.filter((r) => r.path === '/v1/traces');
      const logs = received.filter((r) => r.path === '/v1/logs');
      expect(traces).toHaveLength(1);
      expect(JSON.stringify(traces[0]!.body)).toContain(traceId);
      expect(logs).toHaveLength(1);
      const record = (
        logs[0]!.body as { resourceLogs: Array<{ scopeLogs: Array<{ logRecords: unknown[] }> }> }
      ).resourceLogs[0]!.scopeLogs[0]!.logRecords[0] as Record<string, unknown>;
      expect(record.eventName).toBe('order.placed');
      expect(record.severityText).toBe('INFO');
      expect(record.traceId).toBe(traceId);
      const attributes = Object.fromEntries(
        (record.attributes as Array<{ key: string; value: Record<string, unknown> }>).map((a) => [
          a.key,
          Object.values(a.value)[0],
        ]),
      );
      expect(attributes.order_id).toBe('o-9');
      expect(attributes.card_number).toBe('[REDACTED]');
    });

    it('a cyclic object field reaches the OTel Logs bridge without an exception, and the export still goes out', async () => {
      received.length = 0;
      const endpoint = await startCollector();
      const lines = captureLines();
      telemetry = createTelemetry(ordersSpec, { logDestination: lines.destination, otlpEndpoint: endpoint });
      const cyclic: Record<string, unknown> = { a: 1 };
      cyclic.self = cyclic;
      expect(() =>
        telemetry!.log.event('order.placed', { order_id: 'o-c', amount: 1, items: 1, context: cyclic }),
      ).not.toThrow();
      await telemetry.shutdown();
      server.close();
      expect(lines.lines[0]!.context).toEqual({ a: 1, self: '[Circular]' });
      const logs = received.filter((r) => r.path === '/v1/logs');
      expect(logs).toHaveLength(1);
      expect(JSON.stringify(logs[0]!.body)).toContain('o-c');
    });
  });
});
