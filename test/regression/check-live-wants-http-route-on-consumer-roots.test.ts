// Regression (newcomer trial, a payments service with a settlement job): `check live` reported
// `sampling-key-missing settle http.route` for the job's CONSUMER root spans because a latency
// policy had per-route thresholds. A root without a route is held to the policy's `thresholdMs`
// (docs/sampling.md, docs/spec.md), and the sampler did keep the slow job traces: only the check
// called it a deviation. The default route attribute is now looked for on server roots only; a
// routeAttribute the spec names itself is still looked for on consumer roots too.
import { describe, expect, it } from 'vitest';
import { defineTelemetry } from '../../src/index.js';
import { OtlpChecker } from '../../src/check/check-otlp.js';
import { Deviations } from '../../src/check/deviations.js';
import { expectedTelemetry } from '../../src/check/expected.js';
import { SPAN_KIND_CONSUMER, SPAN_KIND_SERVER, type OtlpSpan } from '../../src/check/otlp-decode.js';

function specWith(routeAttribute?: string) {
  return defineTelemetry({
    service: { name: 'payments', version: '1.0.0' },
    events: {},
    sampling: {
      policies: [
        {
          name: 'slow',
          kind: 'latency',
          thresholdMs: 400,
          routes: { '/payments': 300 },
          ...(routeAttribute === undefined ? {} : { routeAttribute }),
        },
      ],
    },
  });
}

function root(kind: number, name: string, attributes: Record<string, string> = {}): OtlpSpan {
  return {
    traceId: '0af7651916cd43dd8448eb211c80319c',
    spanId: 'b7ad6b7169203331',
    parentSpanId: '',
    name,
    kind,
    attributes,
    localRoot: true,
    resource: {},
  };
}

function deviationsOf(spec: ReturnType<typeof specWith>, ...spans: OtlpSpan[]): string[] {
  const deviations = new Deviations();
  const checker = new OtlpChecker(spec, expectedTelemetry(spec), deviations, undefined);
  for (const each of spans) checker.checkSpan(each);
  return deviations.list().map((d) => `${d.kind} ${d.subject}`);
}

describe('check live wants http.route on consumer roots', () => {
  it("leaves a job's consumer root without a route alone", () => {
    expect(deviationsOf(specWith(), root(SPAN_KIND_CONSUMER, 'settle payments'))).toEqual([]);
  });

  it('still names a server root without its route', () => {
    expect(deviationsOf(specWith(), root(SPAN_KIND_SERVER, 'POST'))).toEqual([
      'sampling-key-missing POST http.route',
    ]);
    expect(deviationsOf(specWith(), root(SPAN_KIND_SERVER, 'POST', { 'http.route': '/payments' }))).toEqual(
      [],
    );
  });

  it('looks for a route attribute the spec names on consumer roots too', () => {
    expect(
      deviationsOf(specWith('messaging.destination.name'), root(SPAN_KIND_CONSUMER, 'settle payments')),
    ).toEqual(['sampling-key-missing settle payments messaging.destination.name']);
  });
});
