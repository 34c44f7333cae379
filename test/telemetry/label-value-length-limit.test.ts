// createTelemetry passes labelValueLengthLimit to its metrics (createMetrics' bound on one label
// value's UTF-8 bytes): a value past it is cut in the series and counted; a bad limit is refused
// with the option named, as createTelemetry's other options are.
import { afterEach, describe, expect, it } from 'vitest';
import { createTelemetry, defineTelemetry, TelemetryOptionsError, type Telemetry } from '../../src/index.js';
import { captureLines } from '../support/capture.js';

const spec = defineTelemetry({
  service: { name: 'edge' },
  events: {},
  counters: { 'edge.requests': { description: 'Requests.', attributes: ['http.route'] } },
});

let telemetry: Telemetry | undefined;
afterEach(async () => {
  await telemetry?.shutdown();
  telemetry = undefined;
});

describe('createTelemetry labelValueLengthLimit', () => {
  it('cuts a label value to the given bytes and counts the cut', () => {
    telemetry = createTelemetry(spec, {
      logDestination: captureLines().destination,
      labelValueLengthLimit: 16,
    });
    telemetry.metrics.counter('edge.requests').add(1, { 'http.route': `/${'a'.repeat(100)}` });
    const { body } = telemetry.metrics.serialize();
    expect(body).toContain(`edge_requests_total{http_route="/${'a'.repeat(15)}"} 1`);
    expect(body).toContain(
      'plumbline_metrics_dropped_total{metric="edge.requests",reason="label_value_truncated"} 1',
    );
  });

  it('keeps the default (2048 bytes) without the option', () => {
    telemetry = createTelemetry(spec, { logDestination: captureLines().destination });
    telemetry.metrics.counter('edge.requests').add(1, { 'http.route': `/${'a'.repeat(3000)}` });
    const { body } = telemetry.metrics.serialize();
    expect(body).toContain(`edge_requests_total{http_route="/${'a'.repeat(2047)}"} 1`);
  });

  it('refuses a limit that is not a whole number of bytes, naming the option', () => {
    expect(() => createTelemetry(spec, { labelValueLengthLimit: 0 })).toThrow(TelemetryOptionsError);
    expect(() => createTelemetry(spec, { labelValueLengthLimit: 1.5 })).toThrow(/labelValueLengthLimit/);
  });

  it('reaches the SLO engine: it reads a cut value as the series carries it', () => {
    const sloSpec = defineTelemetry({
      service: { name: 'edge' },
      events: {},
      counters: { 'edge.requests': { description: 'Requests.', attributes: ['outcome'] } },
      slos: {
        ok: {
          description: 'requests succeed',
          objective: 99,
          sli: { kind: 'availability', metric: 'edge.requests', bad: { outcome: ['*9'] } },
        },
      },
    });
    telemetry = createTelemetry(sloSpec, {
      logDestination: captureLines().destination,
      labelValueLengthLimit: 12,
    });
    const requests = telemetry.metrics.counter('edge.requests');
    // Cut to 12 bytes, 'error-0123456789' is 'error-012345', which does not end in 9, as on /metrics.
    requests.add(1, { outcome: 'error-0123456789' });
    requests.add(1, { outcome: 'ok' });
    expect(telemetry.metrics.serialize().body).toContain('edge_requests_total{outcome="error-012345"} 1');
    expect(telemetry.slo.status()[0]!.windows[0]!.badEvents).toBe(0);
  });
});
