// createTelemetry wires the parts together: exemplars mark traces for the tail sampler, the SLO
// calculator is fed by the histograms, and both report on /metrics.
import { SpanStatusCode } from '@opentelemetry/api';
import { InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { afterEach, describe, expect, it } from 'vitest';
import {
  buildPolicies,
  createTelemetry,
  defineTelemetry,
  SpanMatchPolicy,
  type PolicySpan,
  type Telemetry,
} from '../../src/index.js';
import { captureLines } from '../support/capture.js';

const spec = defineTelemetry({
  service: { name: 'assembly' },
  events: {},
  histograms: {
    'request.duration': {
      description: 'Request latency.',
      unit: 's',
      attributes: ['route'],
      buckets: { boundaries: [0.05, 0.1, 0.25, 1] },
      exemplars: { minValue: 0.25 },
    },
  },
  slos: {
    latency: {
      description: '99% under 250 ms',
      objective: 99,
      sli: { kind: 'latency', histogram: 'request.duration', threshold: 0.25 },
    },
  },
  sampling: {
    decisionWaitMs: 0,
    policies: [
      { name: 'errors', kind: 'errors' },
      { name: 'exemplars', kind: 'exemplar' },
      { name: 'baseline', kind: 'budget', tracesPerSecond: 0.001 },
    ],
  },
});

let telemetry: Telemetry<typeof spec> | undefined;
afterEach(async () => {
  await telemetry?.shutdown();
  telemetry = undefined;
});

function setup(tailSampling?: boolean | 'dry-run') {
  const exporter = new InMemorySpanExporter();
  telemetry = createTelemetry(spec, {
    logDestination: captureLines().destination,
    spanProcessors: [new SimpleSpanProcessor(exporter)],
    tailSampling,
  });
  return { telemetry, exporter };
}

function request(t: Telemetry<typeof spec>, seconds: number, error = false): string {
  return t.tracer.startActiveSpan('request', (span) => {
    t.metrics.histogram('request.duration').record(seconds, { route: '/a' });
    if (error) span.setStatus({ code: SpanStatusCode.ERROR });
    span.end();
    return span.spanContext().traceId;
  });
}

describe('createTelemetry assembly', () => {
  it('keeps the trace an exemplar points to, marks its span, and keeps errors', async () => {
    const { telemetry: t, exporter } = setup();
    const slow = request(t, 0.5);
    const failed = request(t, 0.01, true);
    const fast = Array.from({ length: 50 }, () => request(t, 0.01));
    await t.forceFlush();

    const exported = exporter.getFinishedSpans();
    const keptTraces = new Set(exported.map((s) => s.spanContext().traceId));
    expect(keptTraces.has(slow)).toBe(true);
    expect(keptTraces.has(failed)).toBe(true);
    const slowSpan = exported.find((s) => s.spanContext().traceId === slow)!;
    expect(slowSpan.attributes['plumbline.exemplar']).toBe(true);
    expect(slowSpan.attributes['plumbline.sampling.policy']).toBe('exemplars');
    expect(fast.filter((id) => keptTraces.has(id)).length).toBeLessThan(fast.length);

    const body = t.metrics.serialize('application/openmetrics-text').body;
    expect(body).toContain(`trace_id="${slow}"`);
    expect(body).toMatch(/plumbline_sampler_decisions_total\{policy="errors",outcome="keep"\} 1/);
    expect(t.sampler?.stats().decisions.exemplars?.keep).toBe(1);
  });

  it('feeds the SLO calculator from the histogram and exposes burn rates', () => {
    const { telemetry: t } = setup(false);
    expect(t.sampler).toBeUndefined();
    for (let i = 0; i < 90; i++) request(t, 0.01);
    for (let i = 0; i < 10; i++) request(t, 0.5);
    const [status] = t.slo.status();
    const fiveMinutes = status!.windows.find((w) => w.window === '5m')!;
    expect(fiveMinutes.errorRatio).toBeCloseTo(0.1);
    expect(fiveMinutes.burnRate).toBeCloseTo(10);
    const body = t.metrics.serialize().body;
    expect(body).toMatch(/plumbline_slo_burn_rate\{slo="latency",window="5m"\} 10(\.0+\d*)?\n/);
    expect(body).toContain('plumbline_slo_alert_firing{slo="latency",tier=');
  });

  it("runs a custom policy chain in place of the spec's", async () => {
    // A user rule before the spec's: keep every trace of the /vip route.
    class VipRoute extends SpanMatchPolicy {
      readonly kind = 'vip-route';
      protected matchesSpan(span: PolicySpan): boolean {
        return span.attributes['http.route'] === '/vip';
      }
    }
    const exporter = new InMemorySpanExporter();
    telemetry = createTelemetry(spec, {
      logDestination: captureLines().destination,
      spanProcessors: [new SimpleSpanProcessor(exporter)],
      samplingPolicies: [new VipRoute('vip'), ...buildPolicies(spec.sampling.policies)],
    });
    const t = telemetry;
    const vip = Array.from({ length: 5 }, () =>
      t.tracer.startActiveSpan('request', { attributes: { 'http.route': '/vip' } }, (span) => {
        span.end();
        return span.spanContext().traceId;
      }),
    );
    const plain = Array.from({ length: 50 }, () => request(t, 0.01));
    await t.forceFlush();
    const kept = new Set(exporter.getFinishedSpans().map((s) => s.spanContext().traceId));
    expect(vip.every((id) => kept.has(id))).toBe(true);
    expect(plain.filter((id) => kept.has(id)).length).toBeLessThan(plain.length);
    expect(t.sampler?.stats().decisions['vip']).toEqual({ keep: 5, drop: 0 });
    const body = t.metrics.serialize().body;
    expect(body).toMatch(/plumbline_sampler_decisions_total\{policy="vip",outcome="keep"\} 5/);
  });

  it('dry run keeps everything and still reports decisions', async () => {
    const { telemetry: t, exporter } = setup('dry-run');
    const ids = Array.from({ length: 20 }, () => request(t, 0.01));
    await t.forceFlush();
    const kept = new Set(exporter.getFinishedSpans().map((s) => s.spanContext().traceId));
    expect(ids.every((id) => kept.has(id))).toBe(true);
  });
});
