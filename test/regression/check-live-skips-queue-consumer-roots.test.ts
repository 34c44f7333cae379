// Regression (SRE trial, a queue worker): `check live` looked for the attributes the sampling
// policies key on only on SERVER local roots, and knew only the budget policy's key: a worker
// whose CONSUMER root spans lacked `queue`, its budget's key, passed with 0 deviations, though the
// tail sampler reads the key from whatever span is the local root. Consumer roots are checked now,
// and an errors policy's budget key too.
import { describe, expect, it } from 'vitest';
import { defineTelemetry } from '../../src/index.js';
import { OtlpChecker } from '../../src/check/check-otlp.js';
import { Deviations } from '../../src/check/deviations.js';
import { expectedTelemetry } from '../../src/check/expected.js';
import type { OtlpSpan } from '../../src/check/otlp-decode.js';

const spec = defineTelemetry({
  service: { name: 'payments', version: '1.0.0' },
  events: {},
  sampling: {
    policies: [
      { name: 'errors', kind: 'errors', budget: { tracesPerSecond: 5, key: 'tenant' } },
      { name: 'baseline', kind: 'budget', tracesPerSecond: 10, key: 'queue' },
    ],
  },
});

function span(kind: number, localRoot: boolean, attributes: Record<string, string> = {}): OtlpSpan {
  return {
    traceId: '0af7651916cd43dd8448eb211c80319c',
    spanId: 'b7ad6b7169203331',
    parentSpanId: '',
    name: 'payments process',
    kind,
    attributes,
    localRoot,
    resource: {},
  };
}

function deviationsOf(...spans: OtlpSpan[]): string[] {
  const deviations = new Deviations();
  const checker = new OtlpChecker(spec, expectedTelemetry(spec), deviations, undefined);
  for (const each of spans) checker.checkSpan(each);
  return deviations.list().map((d) => `${d.kind} ${d.subject}`);
}

describe('check live skips queue consumer roots', () => {
  it('names the keys a consumer root span lacks', () => {
    expect(deviationsOf(span(5, true)).sort()).toEqual([
      'sampling-key-missing payments process queue',
      'sampling-key-missing payments process tenant',
    ]);
    expect(deviationsOf(span(5, true, { queue: 'charges', tenant: 't1' }))).toEqual([]);
  });

  it('leaves spans that are not where work enters alone', () => {
    // An internal local root (a timer's job), and a consumer span inside a trace.
    expect(deviationsOf(span(1, true), span(5, false))).toEqual([]);
  });
});
